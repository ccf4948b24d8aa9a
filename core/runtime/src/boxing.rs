//! Boxing and unboxing: Python objects to slots and back, and the NumPy
//! handles (scalar types, descriptors) looked up once.

use crate::runtime::*;
use numpy::npyffi::{self, NPY_TYPES, PY_ARRAY_API};
use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::types::{ArrTy, ObjClass, Ty, ViewKind};
use pyston_compiler::types::{Dtype, Layout};
use std::sync::OnceLock;

pub struct NpTypes {
    /// Scalar type objects, indexed like `Dtype::ALL`.
    pub scalar_types: [usize; Dtype::COUNT],
    /// Descriptors, indexed like `Dtype::ALL` (strong references kept forever).
    pub descrs: [usize; Dtype::COUNT],
    pub ndarray_type: usize,
    /// `numpy.recarray` (a reference kept for the process).
    pub recarray_type: usize,
}

static NP: OnceLock<NpTypes> = OnceLock::new();

/// `pyston.numba.typed.List` and `Dict` (subclasses of `list` and `dict`,
/// registered by `pyston._typed` when it is imported): compiled code holds
/// them as the lists and dicts it compiles when their declared item types are
/// ones whose Python values it holds exactly (see [`typed_container`]).
static TYPED: OnceLock<(usize, usize)> = OnceLock::new();

thread_local! {
    /// Whether the arguments being classified held a typed container (a call
    /// compiled code cannot type then runs as plain Python, where the
    /// container converts what is stored into it as Numba does).
    static TYPED_SEEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Registers the typed container classes (`pyston._typed` calls it once).
#[pyfunction]
pub fn _register_typed_containers(list: &Bound<'_, pyo3::types::PyType>, dict: &Bound<'_, pyo3::types::PyType>) {
    // The classes are module attributes kept alive for the life of the process.
    let _ = TYPED.set((list.as_ptr() as usize, dict.as_ptr() as usize));
}

/// `Builtin::TypedList` / `TypedDict` for the typed container classes themselves.
pub fn typed_class(obj: &Bound<'_, PyAny>) -> Option<pyston_compiler::types::Builtin> {
    let &(l, d) = TYPED.get()?;
    let p = obj.as_ptr() as usize;
    use pyston_compiler::types::Builtin;
    (p == l)
        .then_some(Builtin::TypedList)
        .or((p == d).then_some(Builtin::TypedDict))
}

/// The Numba names of the item types of a typed container compiled code
/// made (`list(T)` or `dict(K, V)`; `None` for `Bottom`, nothing stored),
/// or `None` for a type the containers cannot declare here.
pub fn typed_names(t: &Ty) -> Option<Vec<Option<&'static str>>> {
    let name = |t: &Ty| -> Option<Option<&'static str>> {
        Some(Some(match t {
            Ty::Bottom => return Some(None),
            Ty::Int => "int64",
            Ty::Float => "float64",
            Ty::Bool => "bool",
            Ty::PyStr => "unicode_type",
            _ => return None,
        }))
    };
    match t {
        Ty::List(e) => Some(vec![name(e)?]),
        Ty::Dict(k, v) => Some(vec![name(k)?, name(v)?]),
        _ => None,
    }
}

/// Whether `obj` is a typed `List` or `Dict`.
pub fn is_typed_container(obj: &Bound<'_, PyAny>) -> bool {
    let tp = obj.get_type_ptr() as usize;
    TYPED.get().is_some_and(|&(l, d)| tp == l || tp == d)
}

/// Whether `obj` is a typed `List`.
pub fn is_typed_list(obj: &Bound<'_, PyAny>) -> bool {
    let tp = obj.get_type_ptr() as usize;
    TYPED.get().is_some_and(|&(l, _)| tp == l)
}

/// Reads and clears whether a typed container was classified since the last call.
pub fn take_typed_seen() -> bool {
    TYPED_SEEN.with(|c| c.replace(false))
}

/// Forgets a typed container seen by an earlier classification.
pub fn clear_typed_seen() {
    TYPED_SEEN.with(|c| c.set(false));
}

/// The compiled type of a declared item type (`pyston.types` object) whose
/// Python values compiled code holds exactly as the container keeps them.
fn typed_item(t: &Bound<'_, PyAny>) -> Option<Ty> {
    if t.is_none() {
        return None;
    }
    let name: String = t.getattr("name").ok()?.extract().ok()?;
    match name.as_str() {
        "int64" => Some(Ty::Int),
        "float64" => Some(Ty::Float),
        "bool" => Some(Ty::Bool),
        "complex128" => Some(Ty::Complex),
        "unicode_type" => Some(Ty::PyStr),
        _ => None,
    }
}

/// The type of a typed `List` / `Dict` argument: `list(T)` / `dict(K, V)`
/// from its declared types (stores of any other type do not compile, so
/// compiled code never stores what the container would convert), `None` for
/// an untyped one or item types compiled code does not hold exactly (int32,
/// float32, tuples, ...: the call runs as plain Python).
fn typed_container(obj: &Bound<'_, PyAny>) -> Option<Ty> {
    let &(l, d) = TYPED.get()?;
    let tp = obj.get_type_ptr() as usize;
    if tp == l {
        let e = typed_item(&obj.getattr("_item_type").ok()?)?;
        return pyston_compiler::types::list_elem_ok(&e).then(|| Ty::List(Box::new(e)));
    }
    if tp == d {
        let k = typed_item(&obj.getattr("_key_type").ok()?)?;
        let v = typed_item(&obj.getattr("_value_type").ok()?)?;
        let ok = pyston_compiler::infer::is_dict_key(&k)
            && v != Ty::PyStr
            && pyston_compiler::infer::native_kind(&v).is_some();
        return ok.then(|| Ty::Dict(Box::new(k), Box::new(v)));
    }
    None
}

pub fn typenum(d: Dtype) -> i32 {
    (match d {
        Dtype::Bool => NPY_TYPES::NPY_BOOL,
        Dtype::Int32 => NPY_TYPES::NPY_INT,
        Dtype::Int64 => NPY_TYPES::NPY_LONG,
        Dtype::Float32 => NPY_TYPES::NPY_FLOAT,
        Dtype::Float64 => NPY_TYPES::NPY_DOUBLE,
        Dtype::Complex128 => NPY_TYPES::NPY_CDOUBLE,
        Dtype::Int8 => NPY_TYPES::NPY_BYTE,
        Dtype::Int16 => NPY_TYPES::NPY_SHORT,
        Dtype::UInt8 => NPY_TYPES::NPY_UBYTE,
        Dtype::UInt16 => NPY_TYPES::NPY_USHORT,
        Dtype::UInt32 => NPY_TYPES::NPY_UINT,
        Dtype::UInt64 => NPY_TYPES::NPY_ULONG,
        Dtype::Float16 => NPY_TYPES::NPY_HALF,
        Dtype::Complex64 => NPY_TYPES::NPY_CFLOAT,
        Dtype::Datetime(_) => NPY_TYPES::NPY_DATETIME,
        Dtype::Timedelta(_) => NPY_TYPES::NPY_TIMEDELTA,
        Dtype::Record(_) => NPY_TYPES::NPY_VOID,
    }) as i32
}

/// (on every boxing and unboxing of an array: the lookup is inlined, the
/// first call's set-up is not)
#[inline]
pub fn np_types(py: Python<'_>) -> PyResult<&'static NpTypes> {
    match NP.get() {
        Some(t) => Ok(t),
        None => np_types_init(py),
    }
}

#[cold]
fn np_types_init(py: Python<'_>) -> PyResult<&'static NpTypes> {
    if let Some(t) = NP.get() {
        return Ok(t);
    }
    let np = py.import("numpy")?;
    let mut scalar_types = [0usize; Dtype::COUNT];
    let mut descrs = [0usize; Dtype::COUNT];
    for (i, d) in Dtype::ALL.iter().enumerate() {
        let name = match d {
            Dtype::Bool => "bool_",
            Dtype::Datetime(_) => "datetime64",
            Dtype::Timedelta(_) => "timedelta64",
            d => d.name(),
        };
        let t = np.getattr(name)?;
        scalar_types[i] = t.as_ptr() as usize;
        std::mem::forget(t);
        if d.is_time() {
            // A descriptor with the unit in its metadata (kept for the process).
            let descr = np.getattr("dtype")?.call1((d.name(),))?;
            descrs[i] = descr.as_ptr() as usize;
            std::mem::forget(descr);
            continue;
        }
        // SAFETY: the NumPy C API is initialized by `PY_ARRAY_API` on first use; the
        // descriptor reference is deliberately kept for the life of the process.
        descrs[i] = unsafe { PY_ARRAY_API.PyArray_DescrFromType(py, typenum(*d)) } as usize;
    }
    // SAFETY: reading NumPy's static type object pointer.
    let ndarray_type = unsafe { npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type) } as usize;
    let recarray = np.getattr("recarray")?;
    let recarray_type = recarray.as_ptr() as usize;
    std::mem::forget(recarray);
    let _ = NP.set(NpTypes {
        scalar_types,
        descrs,
        ndarray_type,
        recarray_type,
    });
    Ok(NP.get().unwrap())
}

/// Whether NumPy is imported (`"numpy"` in `sys.modules`), without importing it.
pub fn numpy_loaded(_py: Python<'_>) -> bool {
    if NP.get().is_some() {
        return true;
    }
    // SAFETY: the GIL is held (`_py`); the module dictionary is a borrowed
    // reference owned by the interpreter; PyDict_GetItemString returns a
    // borrowed reference or NULL and never raises.
    unsafe {
        let modules = ffi::PyImport_GetModuleDict();
        !modules.is_null() && !ffi::PyDict_GetItemString(modules, c"numpy".as_ptr()).is_null()
    }
}

/// NumPy's handles if the program imported NumPy, else `None`: a program that
/// never imported NumPy has no arrays or NumPy scalars, and compiling or
/// calling a scalar function must not import it (about 0.1 s).
pub fn np_types_if_loaded(py: Python<'_>) -> PyResult<Option<&'static NpTypes>> {
    if let Some(t) = NP.get() {
        return Ok(Some(t));
    }
    if !numpy_loaded(py) {
        return Ok(None);
    }
    np_types(py).map(Some)
}

/// The supported dtype of an array descriptor, if any (native byte order only).
///
/// # Safety
/// `descr` must point to a live NumPy array descriptor.
pub unsafe fn descr_dtype(descr: *mut npyffi::PyArray_Descr) -> Option<Dtype> {
    // SAFETY: the caller guarantees `descr` is a live descriptor.
    let f = unsafe { &(*descr).fields };
    // Native byte order only: '=' and '|' (one byte) always are, '<' on a
    // little-endian machine, '>' on a big-endian one.
    let foreign = if cfg!(target_endian = "little") { b'>' } else { b'<' };
    if f.byteorder as u8 == foreign {
        return None;
    }
    Some(match f.type_num {
        20..=22 => {
            // Structured and time descriptors are read through Python (their
            // fields and units), once per descriptor object: the answer is
            // cached by address, the descriptor kept alive so that the address
            // is never another descriptor's.
            static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<usize, Option<Dtype>>>> = OnceLock::new();
            let cache = CACHE.get_or_init(Default::default);
            if let Some(d) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&(descr as usize)) {
                return *d;
            }
            // SAFETY: descriptors are only classified with the GIL held.
            let py = unsafe { Python::assume_attached() };
            // SAFETY: `descr` is a live object (the caller's guarantee).
            let d = unsafe { Bound::from_borrowed_ptr(py, descr as *mut ffi::PyObject) };
            let r = match f.type_num {
                20 => record_dtype(py, &d),
                n => time_dtype(py, &d, n == 21),
            };
            let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
            if c.len() < 4096 && !c.contains_key(&(descr as usize)) {
                // SAFETY: a strong reference kept for the process (see above).
                unsafe { ffi::Py_INCREF(descr as *mut ffi::PyObject) };
                c.insert(descr as usize, r);
            }
            return r;
        }
        0 => Dtype::Bool,
        1 => Dtype::Int8,
        2 => Dtype::UInt8,
        3 => Dtype::Int16,
        4 => Dtype::UInt16,
        5 => Dtype::Int32,
        6 => Dtype::UInt32,
        7 | 9 => Dtype::Int64,
        8 | 10 => Dtype::UInt64,
        11 => Dtype::Float32,
        12 => Dtype::Float64,
        14 => Dtype::Complex64,
        15 => Dtype::Complex128,
        23 => Dtype::Float16,
        _ => return None,
    })
}

/// The time dtype of a `datetime64` / `timedelta64` descriptor, if its unit
/// is one compiled code handles (a linear unit, with a count of 1).
fn time_dtype(py: Python<'_>, descr: &Bound<'_, PyAny>, datetime: bool) -> Option<Dtype> {
    let (unit, count): (String, i64) = py
        .import("numpy")
        .and_then(|np| np.getattr("datetime_data")?.call1((descr,))?.extract())
        .ok()?;
    if count != 1 {
        return None;
    }
    let u = pyston_compiler::types::TimeUnit::ALL
        .into_iter()
        .find(|u| u.code() == unit)?;
    Some(if datetime {
        Dtype::Datetime(u)
    } else {
        Dtype::Timedelta(u)
    })
}

/// The descriptors of the record dtypes seen, by NumPy's `repr` of them
/// (strong references kept for the process).
fn record_descrs() -> &'static std::sync::Mutex<std::collections::HashMap<String, usize>> {
    static M: OnceLock<std::sync::Mutex<std::collections::HashMap<String, usize>>> = OnceLock::new();
    M.get_or_init(Default::default)
}

/// The record dtype of a structured descriptor whose fields are all scalars
/// of dtypes compiled code handles (native byte order; no nested records, no
/// sub-arrays, no objects).
fn record_dtype(py: Python<'_>, descr: &Bound<'_, PyAny>) -> Option<Dtype> {
    let names = descr.getattr("names").ok()?;
    if names.is_none() {
        return None; // plain void bytes
    }
    let fields = descr.getattr("fields").ok()?;
    let mut out = Vec::new();
    for name in names.try_iter().ok()? {
        let name = name.ok()?;
        let f = fields.get_item(&name).ok()?;
        let fd = f.get_item(0).ok()?;
        let off: i64 = f.get_item(1).ok()?.extract().ok()?;
        if !fd.getattr("shape").ok()?.extract::<Vec<i64>>().ok()?.is_empty() {
            return None; // a sub-array field
        }
        // SAFETY: `fd` is a live descriptor (a field's dtype).
        let d = unsafe { descr_dtype(fd.as_ptr() as *mut npyffi::PyArray_Descr) }?;
        if d.is_record() {
            return None;
        }
        out.push((name.extract::<String>().ok()?, d, off));
    }
    let itemsize: i64 = descr.getattr("itemsize").ok()?.extract().ok()?;
    let key: String = descr.repr().ok()?.extract().ok()?;
    // The fields attribute access reads: `a.x` of a recarray unless a recarray
    // attribute has the name, `a[i].x` of `np.record` elements unless theirs has.
    let np = py.import("numpy").ok()?;
    let (rec_arr, rec_elem) = (np.getattr("recarray").ok()?, np.getattr("record").ok()?);
    let is_record_type = descr.getattr("type").ok()?.is(&rec_elem);
    let free = |cls: &Bound<'_, PyAny>| -> Option<Vec<String>> {
        let mut v = Vec::new();
        for (name, _, _) in &out {
            if !cls.hasattr(name.as_str()).ok()? {
                v.push(name.clone());
            }
        }
        Some(v)
    };
    let array_attrs = free(&rec_arr)?;
    let elem_attrs = if is_record_type { free(&rec_elem)? } else { Vec::new() };
    let id = pyston_compiler::dtype::intern_record(pyston_compiler::dtype::RecordDesc {
        key: key.clone(),
        fields: out,
        itemsize,
        aligned8: false,
        readonly: false,
        recarray: false,
        array_attrs,
        elem_attrs,
        name: "",
    });
    let mut m = record_descrs().lock().unwrap_or_else(|e| e.into_inner());
    m.entry(key).or_insert_with(|| {
        let p = descr.as_ptr() as usize;
        // SAFETY: a strong reference kept for the life of the process.
        unsafe { ffi::Py_INCREF(p as *mut ffi::PyObject) };
        p
    });
    let _ = py;
    Some(Dtype::Record(id))
}

/// The descriptor of a dtype (a borrowed reference kept for the process).
pub fn descr_of(py: Python<'_>, d: Dtype) -> PyResult<*mut ffi::PyObject> {
    if let Dtype::Record(id) = d {
        let key = pyston_compiler::dtype::record(id).map(|r| r.key).unwrap_or_default();
        let m = record_descrs().lock().unwrap_or_else(|e| e.into_inner());
        return m
            .get(&key)
            .map(|p| *p as *mut ffi::PyObject)
            .ok_or_else(|| crate::internal_error("unknown record dtype"));
    }
    Ok(np_types(py)?.descrs[dtype_index(d)] as *mut ffi::PyObject)
}

/// Classifies an ndarray: its array type and slots, or `None` if compiled code cannot take it.
///
/// # Safety
/// `obj` must be a live ndarray (checked by the caller with the type object).
pub unsafe fn array_info<S: Extend<u64>>(obj: *mut ffi::PyObject, slots: &mut S) -> Option<ArrTy> {
    let arr = obj as *mut npyffi::PyArrayObject;
    // SAFETY: `obj` is an ndarray, so its object layout is `PyArrayObject`.
    let f = unsafe { &(*arr).fields };
    // SAFETY: the descriptor of a live array is live.
    let dtype = unsafe { descr_dtype(f.descr) }?;
    if f.flags & npyffi::NPY_ARRAY_ALIGNED == 0 || f.nd > 32 {
        return None;
    }
    let nd = f.nd as usize;
    let layout = if f.flags & npyffi::NPY_ARRAY_C_CONTIGUOUS != 0 {
        Layout::C
    } else if f.flags & npyffi::NPY_ARRAY_F_CONTIGUOUS != 0 {
        Layout::F
    } else {
        Layout::A
    };
    slots.extend([f.data as u64]);
    slots.extend([obj as u64]);
    for k in 0..nd {
        // SAFETY: `dimensions` and `strides` have `nd` entries.
        slots.extend([unsafe { *f.dimensions.add(k) } as u64]);
    }
    for k in 0..nd {
        // SAFETY: as above.
        slots.extend([unsafe { *f.strides.add(k) } as u64]);
    }
    // Compiled code relies on the unit stride of contiguous layouts; NumPy may
    // flag arrays with a zero-size or length-1 axis as contiguous with any stride.
    let layout = match layout.unit_stride_axis(nd) {
        // SAFETY: axis < nd.
        Some(ax) if unsafe { *f.strides.add(ax) } != dtype.itemsize() as isize => Layout::A,
        _ => layout,
    };
    let dtype = match dtype {
        Dtype::Record(id) => {
            // SAFETY: `strides` has `nd` entries.
            let aligned8 =
                (f.data as usize).is_multiple_of(8) && (0..nd).all(|k| unsafe { *f.strides.add(k) } % 8 == 0);
            Dtype::Record(pyston_compiler::dtype::record_variant(id, aligned8, false, false))
        }
        d => d,
    };
    Some(ArrTy {
        dtype,
        ndim: nd as u8,
        layout,
        readonly: f.flags & npyffi::NPY_ARRAY_WRITEABLE == 0,
    })
}

// ---------------------------------------------------------------------------
// Boxing: slots -> Python objects

fn read_slot(slots: &[u64], i: usize, t: SlotTy) -> u64 {
    let raw = slots[i];
    match t {
        SlotTy::I8 => raw & 0xff,
        SlotTy::I16 => raw & 0xffff,
        SlotTy::I32 | SlotTy::F32 => raw & 0xffff_ffff,
        _ => raw,
    }
}

/// Builds the Python object for a value of type `t` from `slots[*pos..]`.
/// `Ok(None)` means "unbound" (a local read before assignment).
pub fn box_value(py: Python<'_>, t: &Ty, slots: &[u64], pos: &mut usize) -> PyResult<Option<Py<PyAny>>> {
    let mut take = |st: SlotTy| {
        let v = read_slot(slots, *pos, st);
        *pos += 1;
        v
    };
    let obj: Py<PyAny> = match t {
        Ty::Undef => return Ok(None),
        Ty::NoneT => py.None(),
        // A function (an argument, an item of a tuple, a global): no slots; the
        // object the program holds (a plain function, not the dispatcher
        // compiled code calls it through).
        Ty::Func(id) => match crate::env::func_original(py, *id) {
            Some(d) => d,
            None => return Err(crate::internal_error("a function value not registered")),
        },
        // Compile-time values passed to NumPy calls (`dtype=np.float32`, `"C"`).
        Ty::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
        Ty::Descr(d) => {
            let p = descr_of(py, *d)?;
            // SAFETY: the builtin descriptors are kept alive for the process (`np_types`).
            unsafe { Bound::from_borrowed_ptr(py, p) }.unbind()
        }
        // (`math.sin` held by a variable bound to one of several functions)
        Ty::Builtin(pyston_compiler::types::Builtin::Math(m)) => py.import("math")?.getattr(m.name())?.unbind(),
        Ty::Builtin(b) => py.import("builtins")?.getattr(builtin_type_name(*b))?.unbind(),
        Ty::DtypeObj(d) => {
            let p = np_types(py)?.scalar_types[dtype_index(*d)] as *mut ffi::PyObject;
            // SAFETY: NumPy's scalar types live for the process (`np_types`).
            unsafe { Bound::from_borrowed_ptr(py, p) }.unbind()
        }
        Ty::Ellipsis => py.Ellipsis(),
        Ty::Slice(parts) => {
            let mut p: smallvec::SmallVec<[Py<PyAny>; 3]> = smallvec::SmallVec::new();
            for t in parts {
                p.push(box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None()));
            }
            // SAFETY: three live objects; PySlice_New takes its own references and
            // returns a new one or NULL with an exception set.
            unsafe {
                let o = ffi::PySlice_New(p[0].as_ptr(), p[1].as_ptr(), p[2].as_ptr());
                Bound::from_owned_ptr_or_err(py, o)?.unbind()
            }
        }
        Ty::Bool => pyo3::types::PyBool::new(py, take(SlotTy::I8) != 0)
            .to_owned()
            .into_any()
            .unbind(),
        Ty::Int => (take(SlotTy::I64) as i64).into_pyobject(py)?.into_any().unbind(),
        Ty::Range => {
            let (a, b, c) = (
                take(SlotTy::I64) as i64,
                take(SlotTy::I64) as i64,
                take(SlotTy::I64) as i64,
            );
            py.get_type::<pyo3::types::PyRange>().call1((a, b, c))?.unbind()
        }
        Ty::LocalList(e) => {
            let p = take(SlotTy::I64) as *mut ffi::PyObject;
            let kind = pyston_compiler::infer::native_kind(e)
                .ok_or_else(|| crate::internal_error("a local list of an unboxed element type"))?;
            // SAFETY: a local list slot holds a live local list (arena-owned).
            unsafe { crate::helpers::local_lists::box_local_list(py, p, kind) }?
        }
        Ty::LocalDict(_, v) => {
            let p = take(SlotTy::I64) as *mut ffi::PyObject;
            let kind = pyston_compiler::infer::native_kind(v)
                .ok_or_else(|| crate::internal_error("a local dict of an unboxed value type"))?;
            // SAFETY: a local dict slot holds a live local dict (arena-owned).
            unsafe { crate::helpers::local_lists::box_local_dict(py, p, kind) }?
        }
        Ty::LocalView(kind, _, v) | Ty::LocalIter(kind, _, v) => {
            let p = take(SlotTy::I64) as *mut ffi::PyObject;
            let vk = pyston_compiler::infer::native_kind(v)
                .ok_or_else(|| crate::internal_error("a local dict of an unboxed value type"))?;
            let k = *kind as i32;
            if matches!(t, Ty::LocalView(..)) {
                // SAFETY: a local view slot holds a live local dict (arena-owned).
                unsafe { crate::helpers::local_lists::box_local_view(py, p, k, vk) }?
            } else {
                // SAFETY: a local iterator slot holds a live local dict iterator (arena-owned).
                unsafe { crate::helpers::local_lists::box_local_iter(py, p, k, vk) }?
            }
        }
        Ty::PyStr => {
            let p = take(SlotTy::I64) as *mut ffi::PyObject;
            if p.is_null() {
                // A character or string compiled code made for the interpreter
                // tier could not be made (MemoryError): raise that.
                return Err(PyErr::fetch(py));
            }
            // SAFETY: a str slot holds a live str (argument or arena-owned).
            unsafe { Bound::from_borrowed_ptr(py, p) }.unbind()
        }
        t if t.is_object() => {
            let p = take(SlotTy::I64) as *mut ffi::PyObject;
            // SAFETY: an object slot holds a live object (argument or arena-owned).
            unsafe { Bound::from_borrowed_ptr(py, p) }.unbind()
        }
        Ty::PyInt => {
            let p = take(SlotTy::I64) as *mut ffi::PyObject;
            // SAFETY: a PyInt slot holds a live int object (argument or arena-owned).
            unsafe { Bound::from_borrowed_ptr(py, p) }.unbind()
        }
        Ty::Float => f64::from_bits(take(SlotTy::F64)).into_pyobject(py)?.into_any().unbind(),
        Ty::Complex => {
            let re = f64::from_bits(take(SlotTy::F64));
            let im = f64::from_bits(take(SlotTy::F64));
            pyo3::types::PyComplex::from_doubles(py, re, im).into_any().unbind()
        }
        Ty::Np(d @ Dtype::Record(_)) => {
            // `a[i]` of a structured array: NumPy's void scalar viewing the
            // element in the array's memory (as `a[i]` gives).
            let (addr, owner) = (take(SlotTy::I64), take(SlotTy::I64));
            let descr = descr_of(py, *d)?;
            // SAFETY: `addr` points at a live element of `owner`'s memory (a live
            // array); PyArray_Scalar makes a void scalar referencing `owner`.
            let o = unsafe {
                PY_ARRAY_API.PyArray_Scalar(py, addr as *mut _, descr as *mut _, owner as *mut ffi::PyObject)
            };
            // SAFETY: a new reference or NULL with an exception set.
            unsafe { Bound::from_owned_ptr_or_err(py, o) }?.unbind()
        }
        Ty::Np(d) => {
            let mut buf = [0u64; 2];
            for (i, st) in dtype_slots(*d).iter().copied().enumerate() {
                buf[i] = take(st);
            }
            np_scalar(py, *d, &buf)?
        }
        Ty::Array(a) => {
            let n = ArraySlots::new(a.ndim as usize).count();
            let s = &slots[*pos..*pos + n];
            *pos += n;
            box_array(py, a, s)?
        }
        Ty::Tuple(ts) => {
            let mut items: smallvec::SmallVec<[Py<PyAny>; 4]> = smallvec::SmallVec::new();
            for t in ts {
                items.push(box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None()));
            }
            pyo3::types::PyTuple::new(py, items)?.into_any().unbind()
        }
        Ty::NamedTuple(c, ts) => {
            // `tuple.__new__(cls, items)`: what the class's own `__new__` does.
            let mut items: smallvec::SmallVec<[Py<PyAny>; 4]> = smallvec::SmallVec::new();
            for t in ts {
                items.push(box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None()));
            }
            let cls = named_tuple_type(py, *c).ok_or_else(|| crate::internal_error("unknown namedtuple class"))?;
            let items = pyo3::types::PyTuple::new(py, items)?;
            py.get_type::<pyo3::types::PyTuple>()
                .call_method1("__new__", (cls, items))?
                .unbind()
        }
        Ty::Union(ms) => {
            let tag = take(SlotTy::I8) as usize;
            let (offsets, payload) = union_layout(ms);
            let m = ms.get(tag).ok_or_else(|| crate::internal_error("bad union tag"))?;
            let mut p = *pos + offsets[tag];
            *pos += payload.len();
            return box_value(py, m, slots, &mut p);
        }
        t => return Err(crate::internal_error(&format!("cannot box a value of type {t}"))),
    };
    Ok(Some(obj))
}

pub(crate) fn np_scalar(py: Python<'_>, d: Dtype, buf: &[u64; 2]) -> PyResult<Py<PyAny>> {
    let np = np_types(py)?;
    if d == Dtype::Float64 {
        // The common scalar (a float64 element, a reduction's value): made as
        // NumPy's own `gentype_alloc` makes it, without `PyArray_Scalar`'s
        // dispatch on the descriptor (see `helpers::lists`: np.float64 has a
        // float object's layout, the double after `PyObject_HEAD`).
        let tp = np.scalar_types[dtype_index(d)] as *mut ffi::PyTypeObject;
        // SAFETY: `tp` is NumPy's np.float64 type (static, live for the process);
        // a new object of it has room for its double at `FLOAT_VALUE_OFFSET`.
        unsafe {
            let o = ffi::PyType_GenericAlloc(tp, 0);
            if !o.is_null() {
                *(o as *mut u8)
                    .add(crate::helpers::lists::FLOAT_VALUE_OFFSET)
                    .cast::<f64>() = f64::from_bits(buf[0]);
            }
            return Bound::from_owned_ptr_or_err(py, o).map(|b| b.unbind());
        }
    }
    let mut bytes = [0u8; 16];
    match d {
        Dtype::Bool => bytes[0] = (buf[0] != 0) as u8,
        Dtype::Int32 | Dtype::Float32 => bytes[..4].copy_from_slice(&(buf[0] as u32).to_ne_bytes()),
        Dtype::Int64 | Dtype::Float64 => bytes[..8].copy_from_slice(&buf[0].to_ne_bytes()),
        Dtype::Int8 | Dtype::UInt8 => bytes[0] = buf[0] as u8,
        Dtype::Int16 | Dtype::UInt16 => bytes[..2].copy_from_slice(&(buf[0] as u16).to_ne_bytes()),
        Dtype::UInt32 => bytes[..4].copy_from_slice(&(buf[0] as u32).to_ne_bytes()),
        Dtype::UInt64 | Dtype::Datetime(_) | Dtype::Timedelta(_) => bytes[..8].copy_from_slice(&buf[0].to_ne_bytes()),
        Dtype::Record(_) => return Err(crate::internal_error("a record scalar without its array")),
        Dtype::Complex128 => {
            bytes[..8].copy_from_slice(&buf[0].to_ne_bytes());
            bytes[8..].copy_from_slice(&buf[1].to_ne_bytes());
        }
        Dtype::Float16 => bytes[..2].copy_from_slice(&(buf[0] as u16).to_ne_bytes()),
        Dtype::Complex64 => {
            bytes[..4].copy_from_slice(&(buf[0] as u32).to_ne_bytes());
            bytes[4..8].copy_from_slice(&(buf[1] as u32).to_ne_bytes());
        }
    }
    // SAFETY: `bytes` holds one element of dtype `d`; PyArray_Scalar copies it.
    let o = unsafe {
        PY_ARRAY_API.PyArray_Scalar(
            py,
            bytes.as_mut_ptr() as *mut _,
            np.descrs[dtype_index(d)] as *mut _,
            std::ptr::null_mut(),
        )
    };
    // SAFETY: a new reference or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, o) }.map(|b| b.unbind())
}

/// The ndarray for array slots: the object itself when the slots describe it
/// exactly, otherwise a new view whose base is the object.
fn box_array(py: Python<'_>, a: &ArrTy, s: &[u64]) -> PyResult<Py<PyAny>> {
    let nd = a.ndim as usize;
    let at = ArraySlots::new(nd);
    let obj = s[ArraySlots::OBJ] as *mut ffi::PyObject;
    if obj.is_null() {
        // An array compiled code kept in a buffer of its own (`stack_arrays`)
        // that could not be made for the interpreter (MemoryError): raise that.
        return Err(PyErr::fetch(py));
    }
    let arr = obj as *mut npyffi::PyArrayObject;
    // SAFETY: array slots always carry a live ndarray in slot 1 (an argument, a
    // captured global or an arena object, all alive for the whole call).
    let f = unsafe { &(*arr).fields };
    // (A field view `a['x']` at offset 0 has the record array's slots: the
    // object is only the value when both are records or neither is.)
    // SAFETY: the descriptor of a live array is live.
    let type_num = unsafe { (*f.descr).fields.type_num };
    // (Nor is a complex array the value of its part `a.real`, whose slots
    // are the complex array's shape and strides at the same address.)
    let obj_is_complex = matches!(type_num, 14..=16);
    let same = f.data as u64 == s[ArraySlots::DATA]
        && (type_num == 20) == a.dtype.is_record()
        && obj_is_complex == matches!(a.dtype, Dtype::Complex64 | Dtype::Complex128)
        && f.nd as usize == nd
        // SAFETY: both shape arrays have `nd` entries.
        // SAFETY: both shape arrays have `nd` entries.
        && (0..nd).all(|k| unsafe { *f.dimensions.add(k) as u64 == s[at.shape(k)] && *f.strides.add(k) as u64 == s[at.stride(k)] });
    if same {
        // SAFETY: `obj` is live; we return a new strong reference.
        return Ok(unsafe { Bound::from_borrowed_ptr(py, obj) }.unbind());
    }
    let np = np_types(py)?;
    // The shape and strides are read where the slots hold them (u64 words, as
    // npy_intp on the 64-bit targets compiled code runs on): a view is boxed
    // for every call into NumPy taking one, and copying them out cost more
    // than the rest of this function.
    const _: () = assert!(std::mem::size_of::<isize>() == std::mem::size_of::<u64>());
    let dims = s[at.shapes()].as_ptr() as *mut isize;
    let strides = s[at.strides()].as_ptr() as *mut isize;
    let descr = descr_of(py, a.dtype)? as *mut npyffi::PyArray_Descr;
    // A view of a recarray is a recarray (as NumPy's indexing makes it).
    let recarray =
        matches!(a.dtype, Dtype::Record(id) if pyston_compiler::dtype::record(id).is_some_and(|r| r.recarray));
    let rec_type = if recarray {
        Some(py.import("numpy")?.getattr("recarray")?)
    } else {
        None
    };
    let subtype = rec_type.as_ref().map_or(np.ndarray_type, |t| t.as_ptr() as usize);
    // SAFETY: PyArray_NewFromDescr steals a descriptor reference, so take one;
    // the view points into `obj`'s memory and keeps `obj` alive as its base.
    // `dims` and `strides` point to `nd` words each, which NumPy only reads
    // (its C signature takes them as `npy_intp const *`).
    unsafe {
        ffi::Py_INCREF(descr as *mut ffi::PyObject);
        let view = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            subtype as *mut _,
            descr,
            nd as i32,
            dims,
            strides,
            s[0] as *mut _,
            f.flags & npyffi::NPY_ARRAY_WRITEABLE,
            std::ptr::null_mut(),
        );
        if view.is_null() {
            return Err(PyErr::fetch(py));
        }
        ffi::Py_INCREF(obj);
        if PY_ARRAY_API.PyArray_SetBaseObject(py, view as *mut _, obj) < 0 {
            ffi::Py_DECREF(view);
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, view).unbind())
    }
}

// ---------------------------------------------------------------------------
// Unboxing: Python objects -> slots (for arguments and resumed calls)

/// The one conversion from Python objects to slots. With `want: None` it
/// classifies the object (a call's argument: see [`classify`]); with
/// `Some(t)` it converts the object to exactly `t` (a result handed back to
/// compiled code: see [`unbox_value`]), giving `None` (and appending
/// nothing) when the object is not a `t`.
pub fn to_slots(py: Python<'_>, obj: &Bound<'_, PyAny>, want: Option<&Ty>, out: &mut Vec<u64>) -> PyResult<Option<Ty>> {
    match want {
        Some(Ty::Union(ms)) => {
            let (offsets, payload) = union_layout(ms);
            for (i, m) in ms.iter().enumerate() {
                let mut member = Vec::new();
                if to_slots(py, obj, Some(m), &mut member)?.is_some() {
                    let mut slots = vec![0u64; 1 + payload.len()];
                    slots[0] = i as u64;
                    slots[1 + offsets[i]..1 + offsets[i] + member.len()].copy_from_slice(&member);
                    out.extend(slots);
                    return Ok(want.cloned());
                }
            }
            return Ok(None);
        }
        // Any int, held boxed.
        Some(Ty::PyInt) => {
            return Ok(if obj.get_type_ptr() == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        // A function made from a lambda (`Op::Lambda`): held as the object.
        Some(Ty::Obj(ObjClass::Function)) => {
            // (exactly `types.FunctionType`, its address kept: a name compared
            // per call cost a third of a made function's round trip)
            static FUNCTION_TYPE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
            let ft = match FUNCTION_TYPE.get() {
                Some(&t) => t,
                None => {
                    let t = py.import("types")?.getattr("FunctionType")?;
                    // (a type object lives as long as the interpreter)
                    *FUNCTION_TYPE.get_or_init(|| t.as_ptr() as usize)
                }
            };
            return Ok(if obj.get_type_ptr() as usize == ft {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        // A variable's cell (`Op::Cell`): exactly `types.CellType`, held as the object.
        Some(Ty::Obj(ObjClass::Cell)) => {
            // (the limited API has no `PyCell_Type`: its address, kept)
            static CELL_TYPE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
            let ct = match CELL_TYPE.get() {
                Some(&t) => t,
                None => {
                    let t = py.import("types")?.getattr("CellType")?;
                    // (a type object lives as long as the interpreter)
                    *CELL_TYPE.get_or_init(|| t.as_ptr() as usize)
                }
            };
            return Ok(if obj.get_type_ptr() as usize == ct {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        // Exactly a list (its elements are checked when compiled code reads them).
        Some(Ty::List(_)) => {
            let typed = TYPED.get().is_some_and(|&(l, _)| obj.get_type_ptr() as usize == l);
            return Ok(
                if typed || obj.get_type_ptr() == std::ptr::addr_of_mut!(ffi::PyList_Type) {
                    out.push(obj.as_ptr() as u64);
                    want.cloned()
                } else {
                    None
                },
            );
        }
        Some(Ty::Dict(..)) => {
            let typed = TYPED.get().is_some_and(|&(_, d)| obj.get_type_ptr() as usize == d);
            return Ok(
                if typed || obj.get_type_ptr() == std::ptr::addr_of_mut!(ffi::PyDict_Type) {
                    out.push(obj.as_ptr() as u64);
                    want.cloned()
                } else {
                    None
                },
            );
        }
        // Exactly a str (a subclass's methods may differ).
        Some(Ty::PyStr) => {
            return Ok(if obj.get_type_ptr() == std::ptr::addr_of_mut!(ffi::PyUnicode_Type) {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        Some(Ty::Set(_)) => {
            return Ok(if obj.get_type_ptr() == std::ptr::addr_of_mut!(ffi::PySet_Type) {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        Some(Ty::Range) => return range_slots(obj, out).map(|ok| ok.then_some(Ty::Range)),
        // Any iterator (its items are checked as compiled code reads them).
        Some(Ty::PyIter(_)) => {
            return Ok(if crate::iter_args::is_iterator(obj) {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        // Exactly the dict view `d.keys()` / `d.values()` / `d.items()` made.
        Some(Ty::View(kind, ..)) => {
            let t = match kind {
                ViewKind::Keys => std::ptr::addr_of_mut!(ffi::PyDictKeys_Type),
                ViewKind::Values => std::ptr::addr_of_mut!(ffi::PyDictValues_Type),
                ViewKind::Items => std::ptr::addr_of_mut!(ffi::PyDictItems_Type),
            };
            return Ok(if obj.get_type_ptr() == t {
                out.push(obj.as_ptr() as u64);
                want.cloned()
            } else {
                None
            });
        }
        // Exactly the namedtuple class.
        Some(Ty::NamedTuple(c, ts)) => {
            let ok =
                named_tuple_type(py, *c).is_some_and(|cls| cls.as_ptr() == obj.get_type_ptr() as *mut ffi::PyObject);
            let Ok(tup) = obj.cast::<pyo3::types::PyTuple>() else {
                return Ok(None);
            };
            if !ok || tup.len() != ts.len() {
                return Ok(None);
            }
            let mark = out.len();
            for (t, item) in ts.iter().zip(tup.iter()) {
                if to_slots(py, &item, Some(t), out)?.is_none() {
                    out.truncate(mark);
                    return Ok(None);
                }
            }
            return Ok(want.cloned());
        }
        // Tuple subclasses too (NumPy returns named tuples).
        Some(Ty::Tuple(ts)) => {
            let Ok(tup) = obj.cast::<pyo3::types::PyTuple>() else {
                return Ok(None);
            };
            let mark = out.len();
            if tup.len() != ts.len() {
                return Ok(None);
            }
            for (t, item) in ts.iter().zip(tup.iter()) {
                if to_slots(py, &item, Some(t), out)?.is_none() {
                    out.truncate(mark);
                    return Ok(None);
                }
            }
            return Ok(want.cloned());
        }
        _ => {}
    }
    let mark = out.len();
    let got = classify(py, obj, out)?;
    let fits = match (want, &got) {
        (None, _) => true,
        (Some(Ty::Array(w)), Some(Ty::Array(a))) => {
            a.dtype == w.dtype
                && a.ndim == w.ndim
                && (w.layout == Layout::A || w.layout == a.layout)
                && (w.readonly || !a.readonly)
        }
        (Some(w), Some(g)) => w == g,
        (Some(_), None) => false,
    };
    if !fits {
        out.truncate(mark);
        return Ok(None);
    }
    Ok(match want {
        Some(w) => Some(w.clone()),
        None => got,
    })
}

/// Converts `obj` to the slots of type `t`; false (nothing appended) when it is not a `t`.
pub fn unbox_value(py: Python<'_>, t: &Ty, obj: &Bound<'_, PyAny>, out: &mut Vec<u64>) -> PyResult<bool> {
    Ok(to_slots(py, obj, Some(t), out)?.is_some())
}

/// The slots of a NumPy scalar of dtype `d` (the caller checked its type).
///
/// The value is read where NumPy's scalar objects keep it (`obval`, right
/// after `PyObject_HEAD`: `Py<Type>ScalarObject` in NumPy's
/// `arrayscalars.h`, the same offset for every numeric, bool and time
/// scalar, and for a subclass, which extends the object after it), not
/// through `PyArray_ScalarAsCtype`, whose descriptor lookup from the type
/// cost more than the rest of unboxing a reduction's or `.all()`'s result
/// on every call into NumPy that returns one. (Record scalars, whose
/// `obval` is a pointer, take NumPy's function.)
pub(crate) fn np_scalar_slots<S: Extend<u64>>(py: Python<'_>, d: Dtype, obj: &Bound<'_, PyAny>, out: &mut S) {
    let mut buf = [0u64; 2];
    if d.is_record() {
        // SAFETY: `obj` is a NumPy scalar of dtype `d`; the buffer holds 16 bytes.
        unsafe { PY_ARRAY_API.PyArray_ScalarAsCtype(py, obj.as_ptr(), buf.as_mut_ptr() as *mut _) };
    } else {
        // SAFETY: `obj` is a live NumPy scalar of the non-record dtype `d`
        // (the caller checked its type), whose value of `d.itemsize()` bytes
        // (at most 16) starts `FLOAT_VALUE_OFFSET` bytes into the object;
        // copied byte-wise into the 16-byte buffer (no alignment assumed).
        unsafe {
            let src = (obj.as_ptr() as *const u8).add(crate::helpers::lists::FLOAT_VALUE_OFFSET);
            std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr() as *mut u8, d.itemsize().clamp(0, 16) as usize);
        }
    }
    match d {
        Dtype::Bool | Dtype::Int8 | Dtype::UInt8 => out.extend([buf[0] & 0xff]),
        Dtype::Int16 | Dtype::UInt16 | Dtype::Float16 => out.extend([buf[0] & 0xffff]),
        Dtype::Int32 | Dtype::UInt32 | Dtype::Float32 => out.extend([buf[0] & 0xffff_ffff]),
        Dtype::Complex128 => out.extend(buf),
        // Two float32s in one word: real part first in memory.
        Dtype::Complex64 => {
            let b = buf[0].to_ne_bytes();
            out.extend([
                u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as u64,
                u32::from_ne_bytes([b[4], b[5], b[6], b[7]]) as u64,
            ]);
        }
        _ => out.extend([buf[0]]),
    }
}

/// The fast path of `classify` for the common arguments (float, 64-bit
/// int, bool, ndarray): appends the slots and the type in place and returns
/// true; false leaves the argument to `classify`. (Returning a `Ty` by
/// value through `PyResult<Option<Ty>>` costs store-forwarding stalls on the
/// call path.)
#[inline(always)]
pub fn classify_common(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    slots: &mut Vec<u64>,
    tys: &mut Vec<Ty>,
) -> PyResult<bool> {
    let tp = obj.get_type_ptr();
    // SAFETY: identity comparisons with CPython's static type objects, and C API
    // reads of an object of exactly that type.
    unsafe {
        if tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type) {
            slots.push(ffi::PyFloat_AsDouble(obj.as_ptr()).to_bits());
            tys.push(Ty::Float);
            return Ok(true);
        }
        if tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
            let mut overflow = 0;
            let v = ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow);
            if overflow != 0 {
                ffi::PyErr_Clear();
                return Ok(false);
            }
            slots.push(v as u64);
            tys.push(Ty::Int);
            return Ok(true);
        }
        if tp == std::ptr::addr_of_mut!(ffi::PyBool_Type) {
            slots.push((obj.as_ptr() == ffi::Py_True()) as u64);
            tys.push(Ty::Bool);
            return Ok(true);
        }
        if np_types_if_loaded(py)?.is_some_and(|np| tp as usize == np.ndarray_type) {
            if let Some(at) = array_info(obj.as_ptr(), slots) {
                tys.push(Ty::Array(at));
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The object's type as compiled code sees it (a call's argument), appending
/// its slots; `None` when compiled code cannot take it.
pub fn classify(py: Python<'_>, obj: &Bound<'_, PyAny>, slots: &mut Vec<u64>) -> PyResult<Option<Ty>> {
    let mut ty = Vec::new();
    if classify_common(py, obj, slots, &mut ty)? {
        return Ok(ty.pop());
    }
    classify_other(py, obj, slots)
}

/// `classify` for what `classify_common` does not take (big ints, NumPy
/// scalars, None, complex, tuples).
pub fn classify_other(py: Python<'_>, obj: &Bound<'_, PyAny>, slots: &mut Vec<u64>) -> PyResult<Option<Ty>> {
    let tp = obj.get_type_ptr();
    if is_typed_container(obj) {
        TYPED_SEEN.with(|c| c.set(true));
        let t = typed_container(obj);
        if t.is_some() {
            slots.push(obj.as_ptr() as u64);
        }
        return Ok(t);
    }
    if tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) {
        slots.push(obj.as_ptr() as u64);
        return Ok(Some(Ty::PyInt)); // beyond 64 bits: held boxed
    }
    if crate::helpers::pyrandom::is_plain_random(py, obj) {
        slots.push(obj.as_ptr() as u64);
        return Ok(Some(Ty::Obj(ObjClass::PyRandom)));
    }
    if let Some(np) = np_types_if_loaded(py)? {
        if tp as usize == np.ndarray_type {
            return Ok(None); // an array compiled code cannot take
        }
        if tp as usize == np.recarray_type {
            // An np.recarray of a record dtype: fields also read as attributes.
            // SAFETY: a recarray is an ndarray subclass (PyArrayObject layout).
            let got = unsafe { array_info(obj.as_ptr(), slots) };
            return Ok(match got {
                Some(mut a) => {
                    let Dtype::Record(id) = a.dtype else {
                        let n = ArraySlots::new(a.ndim as usize).count();
                        slots.truncate(slots.len() - n);
                        return Ok(None);
                    };
                    let aligned8 = pyston_compiler::dtype::record(id).is_some_and(|r| r.aligned8);
                    a.dtype = Dtype::Record(pyston_compiler::dtype::record_variant(id, aligned8, false, true));
                    Some(Ty::Array(a))
                }
                None => None,
            });
        }
        if let Some(i) = np.scalar_types.iter().position(|t| *t == tp as usize) {
            let mut d = Dtype::ALL[i];
            if d.is_time() {
                // One scalar type for every unit: the unit is the scalar's dtype's.
                let descr = obj.getattr("dtype")?;
                let Some(t) = time_dtype(py, &descr, matches!(d, Dtype::Datetime(_))) else {
                    return Ok(None);
                };
                d = t;
            }
            if d == Dtype::Float64 {
                // np.float64 subclasses float: its value is the float's (no NumPy call).
                // SAFETY: `obj` is exactly an np.float64, a float subclass.
                slots.push(unsafe { ffi::PyFloat_AsDouble(obj.as_ptr()) }.to_bits());
            } else {
                np_scalar_slots(py, d, obj, slots);
            }
            return Ok(Some(Ty::Np(d)));
        }
    }
    if obj.is_none() {
        return Ok(Some(Ty::NoneT));
    }
    if let Ok(c) = obj.cast::<pyo3::types::PyComplex>() {
        if c.get_type().is(py.get_type::<pyo3::types::PyComplex>()) {
            slots.push(c.real().to_bits());
            slots.push(c.imag().to_bits());
            return Ok(Some(Ty::Complex));
        }
    }
    if let Ok(t) = obj.cast_exact::<pyo3::types::PyTuple>() {
        let mut ts = Vec::new();
        for item in t.iter() {
            match classify(py, &item, slots)? {
                Some(x) => ts.push(x),
                None => return Ok(None),
            }
        }
        return Ok(Some(Ty::Tuple(ts)));
    }
    // SAFETY: `obj` is a live object.
    if unsafe { ffi::PyTuple_Check(obj.as_ptr()) } != 0 {
        if let Some(c) = named_tuple_class(py, &obj.get_type().into_any())? {
            let mark = slots.len();
            let mut ts = Vec::new();
            for item in obj.cast::<pyo3::types::PyTuple>()?.iter() {
                match classify(py, &item, slots)? {
                    Some(x) => ts.push(x),
                    None => {
                        slots.truncate(mark);
                        return Ok(None);
                    }
                }
            }
            return Ok(Some(Ty::NamedTuple(c, ts)));
        }
    }
    if tp == std::ptr::addr_of_mut!(ffi::PyRange_Type) {
        return Ok(range_slots(obj, slots)?.then_some(Ty::Range));
    }
    if tp == std::ptr::addr_of_mut!(ffi::PyList_Type) {
        let t = list_type(py, obj)?;
        if t.is_some() {
            slots.push(obj.as_ptr() as u64);
        }
        return Ok(t);
    }
    if tp == std::ptr::addr_of_mut!(ffi::PyDict_Type) {
        let t = dict_type(py, obj)?;
        if t.is_some() {
            slots.push(obj.as_ptr() as u64);
        }
        return Ok(t);
    }
    if tp == std::ptr::addr_of_mut!(ffi::PyUnicode_Type) {
        slots.push(obj.as_ptr() as u64);
        return Ok(Some(Ty::PyStr));
    }
    if tp == std::ptr::addr_of_mut!(ffi::PySet_Type) {
        let t = set_type(py, obj)?;
        if t.is_some() {
            slots.push(obj.as_ptr() as u64);
        }
        return Ok(t);
    }
    if is_generator(py, obj) {
        slots.push(obj.as_ptr() as u64);
        return Ok(Some(Ty::Obj(ObjClass::Generator)));
    }
    if crate::iter_args::is_iterator(obj) {
        // An iterator (a generator, a map object, ...): stepped by compiled code.
        let t = crate::iter_args::item_type(py, obj);
        if t.is_some() {
            slots.push(obj.as_ptr() as u64);
        }
        return Ok(t.map(|t| Ty::PyIter(Box::new(t))));
    }
    if let Ok(d) = obj.cast::<crate::dispatch::Dispatcher>() {
        // A compiled function passed as a value: part of the type key by identity
        // (no slots); calls of it compile to direct calls.
        let id = crate::env::register_func_arg(d);
        crate::env::register_func_original(id, obj);
        return Ok(Some(Ty::Func(id)));
    }
    if obj.get_type().name().is_ok_and(|n| n == "function") {
        // A plain module-level function: through a strict dispatcher of its own.
        if let Ok(d) = py
            .import("pyston")
            .and_then(|m| m.getattr("_arg_dispatcher")?.call1((obj,)))
        {
            if let Ok(d) = d.cast::<crate::dispatch::Dispatcher>() {
                let id = crate::env::register_func_arg(d);
                crate::env::register_func_original(id, obj);
                return Ok(Some(Ty::Func(id)));
            }
        }
    }
    Ok(None)
}

/// The start, stop and step of a `range` object (exactly `range`) as
/// slots; false when one of them leaves 64 bits.
fn range_slots(obj: &Bound<'_, PyAny>, out: &mut Vec<u64>) -> PyResult<bool> {
    if obj.get_type_ptr() != std::ptr::addr_of_mut!(ffi::PyRange_Type) {
        return Ok(false);
    }
    let mut v = [0u64; 3];
    for (k, name) in ["start", "stop", "step"].into_iter().enumerate() {
        match obj.getattr(name)?.extract::<i64>() {
            Ok(x) => v[k] = x as u64,
            Err(_) => return Ok(false),
        }
    }
    out.extend(v);
    Ok(true)
}

/// The type of a list argument: `list(T)` with `T` the type of its first
/// element (every read checks the element it reads: a list of floats with an
/// int at index 7 deoptimizes there), `list(?)` when empty; `None` when
/// compiled code does not hold such elements (strings, big ints, ...).
pub(crate) fn list_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Option<Ty>> {
    let Ok(l) = obj.cast::<pyo3::types::PyList>() else {
        return Ok(None);
    };
    let Ok(first) = l.get_item(0) else {
        return Ok(Some(Ty::List(Box::new(Ty::Bottom))));
    };
    let mut scratch = Vec::new();
    let e = match classify(py, &first, &mut scratch)? {
        // Arrays of any layout may follow: read as "any layout".
        Some(Ty::Array(a)) => Ty::Array(ArrTy { layout: Layout::A, ..a }),
        Some(t) => t,
        None => return Ok(None),
    };
    Ok(pyston_compiler::types::list_elem_ok(&e).then(|| Ty::List(Box::new(e))))
}

/// The type of a dict argument: `dict(K, V)` from its first item (every
/// read checks the value it reads), `dict(?, ?)` when empty; `None` unless
/// the key is an int or bool and the value an int, float, bool or NumPy scalar.
fn dict_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Option<Ty>> {
    let Ok(d) = obj.cast::<pyo3::types::PyDict>() else {
        return Ok(None);
    };
    let Some((k, v)) = d.iter().next() else {
        return Ok(Some(Ty::Dict(Box::new(Ty::Bottom), Box::new(Ty::Bottom))));
    };
    let mut scratch = Vec::new();
    let (Some(kt), Some(vt)) = (classify(py, &k, &mut scratch)?, classify(py, &v, &mut scratch)?) else {
        return Ok(None);
    };
    let ok = pyston_compiler::infer::is_dict_key(&kt)
        && vt != Ty::PyStr
        && pyston_compiler::infer::native_kind(&vt).is_some();
    Ok(ok.then(|| Ty::Dict(Box::new(kt), Box::new(vt))))
}

/// The type of a set argument: `set(T)` from an element (every read checks
/// the element it reads), `set(?)` when empty; `None` unless it is an int or bool.
fn set_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Option<Ty>> {
    let Ok(s) = obj.cast::<pyo3::types::PySet>() else {
        return Ok(None);
    };
    let Some(x) = s.iter().next() else {
        return Ok(Some(Ty::Set(Box::new(Ty::Bottom))));
    };
    let mut scratch = Vec::new();
    let t = classify(py, &x, &mut scratch)?;
    Ok(t.filter(|t| matches!(t, Ty::Int | Ty::Bool | Ty::PyStr))
        .map(|t| Ty::Set(Box::new(t))))
}

// ---------------------------------------------------------------------------
// Helpers called from compiled code. Each returns a status or a plain value;
// none of them unwinds (a panic here would abort the process).

pub fn builtin_type_name(b: pyston_compiler::types::Builtin) -> &'static str {
    match b {
        pyston_compiler::types::Builtin::Bool => "bool",
        pyston_compiler::types::Builtin::Int => "int",
        pyston_compiler::types::Builtin::Float => "float",
        pyston_compiler::types::Builtin::Str => "str",
        _ => "complex",
    }
}

/// Whether `obj` is exactly a `numpy.random.Generator` (only once the
/// program has imported `numpy.random`: this never imports it).
pub fn is_generator(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    static TYPE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let tp = match TYPE.get() {
        Some(t) => *t,
        None => {
            let Ok(m) = py
                .import("sys")
                .and_then(|s| s.getattr("modules")?.get_item("numpy.random"))
            else {
                return false;
            };
            let Ok(g) = m.getattr("Generator") else {
                return false;
            };
            let t = g.as_ptr() as usize;
            std::mem::forget(g); // the identity stays valid for the process
            *TYPE.get_or_init(|| t)
        }
    };
    obj.get_type_ptr() as usize == tp
}

/// An ndarray's descriptor and flags (what, with its data, shape and
/// strides, decides its type and slots: see [`array_unchanged`]).
///
/// # Safety
/// `obj` must be a live ndarray.
pub unsafe fn array_descr_flags(obj: *mut ffi::PyObject) -> (usize, i32) {
    // SAFETY: an ndarray's object layout is `PyArrayObject` (the caller's promise).
    let f = unsafe { &(*(obj as *mut npyffi::PyArrayObject)).fields };
    (f.descr as usize, f.flags)
}

/// Whether ndarray `obj` still has the descriptor and flags given and the
/// data, shape and strides in `slots` (its slots as [`array_info`] gave them
/// with those): then it classifies as it did, to the same slots.
///
/// # Safety
/// `obj` must be a live ndarray.
pub unsafe fn array_unchanged(obj: *mut ffi::PyObject, slots: &[u64], descr: usize, flags: i32) -> bool {
    // SAFETY: as above.
    let f = unsafe { &(*(obj as *mut npyffi::PyArrayObject)).fields };
    let nd = f.nd as usize;
    let at = ArraySlots::new(nd);
    if f.descr as usize != descr || f.flags != flags || slots.len() != at.count() || f.data as u64 != slots[0] {
        return false;
    }
    // SAFETY: `dimensions` and `strides` have `nd` entries.
    (0..nd).all(|k| unsafe {
        *f.dimensions.add(k) as u64 == slots[at.shape(k)] && *f.strides.add(k) as u64 == slots[at.stride(k)]
    })
}

/// The namedtuple classes compiled code has met, by registry index
/// (`types::named_tuple`): kept alive for the process, so that the class
/// pointers compared on every call stay these classes.
fn named_tuple_classes() -> &'static std::sync::Mutex<Vec<Py<PyAny>>> {
    static R: OnceLock<std::sync::Mutex<Vec<Py<PyAny>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// The class of namedtuple registry index `id`.
pub(crate) fn named_tuple_type(py: Python<'_>, id: u32) -> Option<Py<PyAny>> {
    named_tuple_classes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(id as usize)
        .map(|c| c.clone_ref(py))
}

/// The registry index of `cls` when it is a plain namedtuple class: made by
/// `collections.namedtuple` (or `typing.NamedTuple`), directly below `tuple`,
/// its fields `collections`' index descriptors in order, its `__new__` the
/// generated one, and no dunder of its own but those namedtuple and typing
/// define (so `==`, `len`, iteration, indexing, truth and `hash` are
/// `tuple`'s own). `None` for every other class.
pub(crate) fn named_tuple_class(py: Python<'_>, cls: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
    let Ok(t) = cls.cast::<pyo3::types::PyType>() else {
        return Ok(None);
    };
    let key = t.as_ptr() as usize;
    {
        let r = named_tuple_classes().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = r.iter().position(|c| c.as_ptr() as usize == key) {
            return Ok(Some(i as u32));
        }
    }
    let tuple_t = py.get_type::<pyo3::types::PyTuple>();
    if !t.get_type().is(py.get_type::<pyo3::types::PyType>()) {
        return Ok(None);
    }
    let bases = t.getattr("__bases__")?;
    let Ok(bases) = bases.cast::<pyo3::types::PyTuple>() else {
        return Ok(None);
    };
    if bases.len() != 1 || !bases.get_item(0)?.is(&tuple_t) {
        return Ok(None);
    }
    let d = t.getattr("__dict__")?;
    let get = |k: &str| -> Option<Bound<'_, PyAny>> { d.get_item(k).ok() };
    let Some(fields) = get("_fields") else { return Ok(None) };
    let Ok(fields) = fields.extract::<Vec<String>>() else {
        return Ok(None);
    };
    // `__new__` as namedtuple makes it: `_tuple_new(_cls, (fields...))`.
    let Some(new) = get("__new__") else { return Ok(None) };
    let new = new.getattr("__func__").unwrap_or(new);
    let tuple_new = tuple_t.getattr("__new__")?;
    let made = new
        .getattr("__globals__")
        .ok()
        .and_then(|g| g.get_item("_tuple_new").ok())
        .is_some_and(|f| f.is(&tuple_new));
    if !made {
        return Ok(None);
    }
    let getter_t = py.import("collections")?.getattr("_tuplegetter").ok();
    for (i, f) in fields.iter().enumerate() {
        let Some(g) = get(f) else { return Ok(None) };
        let ok = getter_t.as_ref().is_some_and(|gt| g.get_type().is(gt))
            && g.call_method0("__reduce__")
                .and_then(|r| r.get_item(1)?.get_item(0)?.extract::<usize>())
                .is_ok_and(|k| k == i);
        if !ok {
            return Ok(None);
        }
    }
    const ALLOWED: &[&str] = &[
        "__module__",
        "__doc__",
        "__slots__",
        "__new__",
        "__repr__",
        "__getnewargs__",
        "__match_args__",
        "__class_getitem__",
        "__replace__",
        "__annotations__",
        "__orig_bases__",
        "__qualname__",
        "__firstlineno__",
        "__static_attributes__",
        "__annotate__",
        "__annotate_func__",
        "__annotations_cache__",
    ];
    for k in d.try_iter()? {
        let k = k?;
        let Ok(k) = k.extract::<String>() else { return Ok(None) };
        if k.starts_with("__") && k.ends_with("__") && !ALLOWED.contains(&k.as_str()) {
            return Ok(None);
        }
    }
    let name = t.name()?.to_string();
    let id = pyston_compiler::types::intern_named_tuple(pyston_compiler::types::NamedTupleDesc { key, name, fields });
    let mut r = named_tuple_classes().lock().unwrap_or_else(|e| e.into_inner());
    if r.len() == id as usize {
        r.push(t.clone().into_any().unbind());
    }
    Ok(Some(id))
}
