//! The runtime: the boundary between compiled code and Python. The ABI
//! (statuses, slot layouts, context offsets, the helper table) is defined in
//! `pyston_compiler::abi` and re-exported here.
//!
//! This module holds the only `unsafe` code besides the dispatcher's call
//! into compiled code; every block states why it is sound.

use numpy::npyffi::{self, NPY_TYPES, PY_ARRAY_API};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyston_compiler::infer::Typed;
use pyston_compiler::ir;
use pyston_compiler::types::{c_strides, Dtype, Layout};
use pyston_compiler::types::{ArrTy, Ty};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use pyston_compiler::abi::*;

// The context's layout is part of the ABI: compiled code reads these fields at fixed offsets.
const _: () = {
    assert!(std::mem::offset_of!(Ctx, deopt_point) == CTX_DEOPT_POINT_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, depth) == CTX_DEPTH_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, depth_limit) == CTX_DEPTH_LIMIT_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, slots) == CTX_SLOTS_OFFSET as usize);
};

/// Per-call state shared by compiled code and the runtime.
#[repr(C)]
pub struct Ctx {
    /// Set by compiled code before it returns [`DEOPT`].
    pub deopt_point: u32,
    /// Nesting depth of compiled frames (direct calls between compiled
    /// functions do not pass through CPython's recursion check). Compiled code
    /// passes depths in a register, not here: this holds the depth the call
    /// started from, or, just before compiled code calls `pyston_resume`, the
    /// caller's own depth.
    pub depth: u32,
    /// Deeper than this, compiled code deoptimizes and CPython's own
    /// recursion limit takes over (`RecursionError` instead of a crash).
    pub depth_limit: u32,
    pub _pad: u32,
    /// Live values at the deopt point, as slots.
    pub slots: [u64; DEOPT_SLOTS],
    /// Objects created during the call, released when it ends.
    pub arena: Vec<*mut ffi::PyObject>,
    /// Frames an exception passed through: (function metadata, source span).
    pub frames: Vec<(Arc<FuncMeta>, pyston_compiler::hir::Span)>,
    /// A call result handed to the interpreter by a deopt point's `pending`.
    pub pending: Option<Py<PyAny>>,
}

thread_local! {
    /// Compiled-frame depth of the calls in progress on this thread, carried
    /// across re-entries through the interpreter tier so that deep recursion
    /// ends in `RecursionError` (as in CPython) and never overflows the stack.
    pub static NATIVE_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `f` (the interpreter finishing a deoptimized frame) with the native
/// depth of the frames below it recorded.
pub fn with_depth<R>(depth: u32, f: impl FnOnce() -> R) -> R {
    let saved = NATIVE_DEPTH.with(|d| d.replace(depth));
    let r = f();
    NATIVE_DEPTH.with(|d| d.set(saved));
    r
}

impl Ctx {
    pub fn new() -> Box<Ctx> {
        Box::new(Ctx {
            deopt_point: 0,
            depth: 0,
            depth_limit: 1000,
            _pad: 0,
            slots: [0; DEOPT_SLOTS],
            arena: Vec::new(),
            frames: Vec::new(),
            pending: None,
        })
    }

    /// Releases every object the call created (the result holds its own references).
    pub fn release(&mut self) {
        for o in self.arena.drain(..) {
            // SAFETY: every arena entry is a strong reference taken by the runtime.
            unsafe { ffi::Py_DECREF(o) };
        }
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        if !self.arena.is_empty() {
            Python::attach(|_| self.release());
        }
    }
}

/// The Python side of a function: what the interpreter needs to run it.
pub struct PyEnv {
    pub globals: Py<PyDict>,
    pub builtins: Py<PyDict>,
    /// Closure variables: name -> cell object.
    pub cells: HashMap<String, Py<PyAny>>,
    pub filename: String,
}

/// How compiled code calls into Python/NumPy at one call site.
pub struct PyCallDesc {
    pub kind: PyCallKind,
    /// Types of the boxed arguments, in order (trailing `kw.len()` are keywords).
    pub arg_tys: Vec<Ty>,
    pub kw: Vec<String>,
    pub ret: Ty,
}

pub enum PyCallKind {
    /// Call this object.
    Call(Py<PyAny>),
    /// Call the method of the first argument.
    Method(String),
    /// Read the attribute of the first argument.
    Attr(String),
    /// `operator.getitem(x, key)`; the key is built from the remaining args.
    GetItem(Py<PyAny>),
    /// `operator.setitem(x, key, value)`.
    SetItem(Py<PyAny>),
}

/// Everything the runtime knows about one compiled specialization.
pub struct FuncMeta {
    pub func: Arc<ir::Function>,
    pub typed: Typed,
    pub params: Vec<Ty>,
    pub deopts: Vec<DeoptPoint>,
    /// Spans of direct calls, for tracebacks through compiled frames.
    pub call_sites: Vec<pyston_compiler::hir::Span>,
    pub env: Arc<PyEnv>,
    /// Calls into Python/NumPy (their descriptors are referenced by compiled code).
    pub pycalls: Vec<Box<PyCallDesc>>,
}

// ---------------------------------------------------------------------------
// NumPy handles, looked up once.

pub struct NpTypes {
    /// Scalar type objects, indexed like `Dtype::ALL`.
    pub scalar_types: [usize; 6],
    /// Descriptors, indexed like `Dtype::ALL` (strong references kept forever).
    pub descrs: [usize; 6],
    pub ndarray_type: usize,
}

static NP: OnceLock<NpTypes> = OnceLock::new();

pub fn typenum(d: Dtype) -> i32 {
    (match d {
        Dtype::Bool => NPY_TYPES::NPY_BOOL,
        Dtype::Int32 => NPY_TYPES::NPY_INT,
        Dtype::Int64 => NPY_TYPES::NPY_LONG,
        Dtype::Float32 => NPY_TYPES::NPY_FLOAT,
        Dtype::Float64 => NPY_TYPES::NPY_DOUBLE,
        Dtype::Complex128 => NPY_TYPES::NPY_CDOUBLE,
    }) as i32
}

pub fn np_types(py: Python<'_>) -> PyResult<&'static NpTypes> {
    if let Some(t) = NP.get() {
        return Ok(t);
    }
    let np = py.import("numpy")?;
    let mut scalar_types = [0usize; 6];
    let mut descrs = [0usize; 6];
    for (i, d) in Dtype::ALL.iter().enumerate() {
        let name = if *d == Dtype::Bool { "bool_" } else { d.name() };
        let t = np.getattr(name)?;
        scalar_types[i] = t.as_ptr() as usize;
        std::mem::forget(t);
        // SAFETY: the NumPy C API is initialized by `PY_ARRAY_API` on first use; the
        // descriptor reference is deliberately kept for the life of the process.
        descrs[i] = unsafe { PY_ARRAY_API.PyArray_DescrFromType(py, typenum(*d)) } as usize;
    }
    // SAFETY: reading NumPy's static type object pointer.
    let ndarray_type = unsafe { npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type) } as usize;
    let _ = NP.set(NpTypes {
        scalar_types,
        descrs,
        ndarray_type,
    });
    Ok(NP.get().unwrap())
}

/// The supported dtype of an array descriptor, if any (native byte order only).
///
/// # Safety
/// `descr` must point to a live NumPy array descriptor.
pub unsafe fn descr_dtype(descr: *mut npyffi::PyArray_Descr) -> Option<Dtype> {
    // SAFETY: the caller guarantees `descr` is a live descriptor.
    let f = unsafe { &(*descr).fields };
    if f.byteorder as u8 == b'>' {
        return None;
    }
    Some(match f.type_num {
        0 => Dtype::Bool,
        5 => Dtype::Int32,
        7 | 9 => Dtype::Int64,
        11 => Dtype::Float32,
        12 => Dtype::Float64,
        15 => Dtype::Complex128,
        _ => return None,
    })
}

/// Classifies an ndarray: its array type and slots, or `None` if compiled code cannot take it.
///
/// # Safety
/// `obj` must be a live ndarray (checked by the caller with the type object).
pub unsafe fn array_info(obj: *mut ffi::PyObject, slots: &mut Vec<u64>) -> Option<ArrTy> {
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
    slots.push(f.data as u64);
    slots.push(obj as u64);
    for k in 0..nd {
        // SAFETY: `dimensions` and `strides` have `nd` entries.
        slots.push(unsafe { *f.dimensions.add(k) } as u64);
    }
    for k in 0..nd {
        // SAFETY: as above.
        slots.push(unsafe { *f.strides.add(k) } as u64);
    }
    // Compiled code relies on the unit stride of contiguous layouts; NumPy may
    // flag arrays with a zero-size or length-1 axis as contiguous with any stride.
    let layout = match layout.unit_stride_axis(nd) {
        // SAFETY: axis < nd.
        Some(ax) if unsafe { *f.strides.add(ax) } != dtype.itemsize() as isize => Layout::A,
        _ => layout,
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
        // Compile-time values passed to NumPy calls (`dtype=np.float32`, `"C"`).
        Ty::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
        Ty::Descr(d) => py.import("numpy")?.getattr("dtype")?.call1((d.name(),))?.unbind(),
        Ty::Builtin(b) => py
            .import("builtins")?
            .getattr(crate::pipeline::builtin_type_name(*b))?
            .unbind(),
        Ty::DtypeObj(d) => py
            .import("numpy")?
            .getattr(if *d == Dtype::Bool { "bool_" } else { d.name() })?
            .unbind(),
        Ty::Ellipsis => py.Ellipsis(),
        Ty::Slice(parts) => {
            let mut p = Vec::new();
            for t in parts {
                p.push(box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None()));
            }
            py.get_type::<pyo3::types::PySlice>()
                .call1((&p[0], &p[1], &p[2]))?
                .unbind()
        }
        Ty::Bool => pyo3::types::PyBool::new(py, take(SlotTy::I8) != 0)
            .to_owned()
            .into_any()
            .unbind(),
        Ty::Int => (take(SlotTy::I64) as i64).into_pyobject(py)?.into_any().unbind(),
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
        Ty::Np(d) => {
            let mut buf = [0u64; 2];
            for (i, st) in dtype_slots(*d).into_iter().enumerate() {
                buf[i] = take(st);
            }
            np_scalar(py, *d, &buf)?
        }
        Ty::Array(a) => {
            let n = 2 + 2 * a.ndim as usize;
            let s = &slots[*pos..*pos + n];
            *pos += n;
            box_array(py, a, s)?
        }
        Ty::Tuple(ts) => {
            let mut items = Vec::new();
            for t in ts {
                items.push(box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None()));
            }
            pyo3::types::PyTuple::new(py, items)?.into_any().unbind()
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

fn np_scalar(py: Python<'_>, d: Dtype, buf: &[u64; 2]) -> PyResult<Py<PyAny>> {
    let np = np_types(py)?;
    let mut bytes = [0u8; 16];
    match d {
        Dtype::Bool => bytes[0] = (buf[0] != 0) as u8,
        Dtype::Int32 | Dtype::Float32 => bytes[..4].copy_from_slice(&(buf[0] as u32).to_ne_bytes()),
        Dtype::Int64 | Dtype::Float64 => bytes[..8].copy_from_slice(&buf[0].to_ne_bytes()),
        Dtype::Complex128 => {
            bytes[..8].copy_from_slice(&buf[0].to_ne_bytes());
            bytes[8..].copy_from_slice(&buf[1].to_ne_bytes());
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
    let obj = s[1] as *mut ffi::PyObject;
    let arr = obj as *mut npyffi::PyArrayObject;
    // SAFETY: array slots always carry a live ndarray in slot 1 (an argument, a
    // captured global or an arena object, all alive for the whole call).
    let f = unsafe { &(*arr).fields };
    let same = f.data as u64 == s[0]
        && f.nd as usize == nd
        // SAFETY: both shape arrays have `nd` entries.
        // SAFETY: both shape arrays have `nd` entries.
        && (0..nd).all(|k| unsafe { *f.dimensions.add(k) as u64 == s[2 + k] && *f.strides.add(k) as u64 == s[2 + nd + k] });
    if same {
        // SAFETY: `obj` is live; we return a new strong reference.
        return Ok(unsafe { Bound::from_borrowed_ptr(py, obj) }.unbind());
    }
    let np = np_types(py)?;
    let mut dims: Vec<isize> = s[2..2 + nd].iter().map(|x| *x as isize).collect();
    let mut strides: Vec<isize> = s[2 + nd..2 + 2 * nd].iter().map(|x| *x as isize).collect();
    let descr = np.descrs[dtype_index(a.dtype)] as *mut npyffi::PyArray_Descr;
    // SAFETY: PyArray_NewFromDescr steals a descriptor reference, so take one;
    // the view points into `obj`'s memory and keeps `obj` alive as its base.
    unsafe {
        ffi::Py_INCREF(descr as *mut ffi::PyObject);
        let view = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            np.ndarray_type as *mut _,
            descr,
            nd as i32,
            dims.as_mut_ptr(),
            strides.as_mut_ptr(),
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

/// Appends the slots of `obj` as a value of type `t`; `false` if it does not fit.
pub fn unbox_value(py: Python<'_>, t: &Ty, obj: &Bound<'_, PyAny>, out: &mut Vec<u64>) -> PyResult<bool> {
    let np = np_types(py)?;
    let tp = obj.get_type().as_ptr() as usize;
    Ok(match t {
        Ty::NoneT => obj.is_none(),
        Ty::Bool if tp == std::ptr::addr_of!(ffi::PyBool_Type) as usize => {
            out.push(obj.is_truthy()? as u64);
            true
        }
        Ty::Int if tp == std::ptr::addr_of!(ffi::PyLong_Type) as usize => match obj.extract::<i64>() {
            Ok(i) => {
                out.push(i as u64);
                true
            }
            Err(_) => false,
        },
        Ty::PyInt if tp == std::ptr::addr_of!(ffi::PyLong_Type) as usize => {
            out.push(obj.as_ptr() as u64);
            true
        }
        Ty::Float if tp == std::ptr::addr_of!(ffi::PyFloat_Type) as usize => {
            out.push(obj.extract::<f64>()?.to_bits());
            true
        }
        Ty::Complex if tp == std::ptr::addr_of!(ffi::PyComplex_Type) as usize => {
            let c = obj.cast::<pyo3::types::PyComplex>().map_err(PyErr::from)?;
            out.push(c.real().to_bits());
            out.push(c.imag().to_bits());
            true
        }
        Ty::Np(d) => {
            if tp != np.scalar_types[dtype_index(*d)] {
                return Ok(false);
            }
            let mut buf = [0u64; 2];
            // SAFETY: `obj` is a NumPy scalar of dtype `d`; the buffer holds 16 bytes.
            unsafe { PY_ARRAY_API.PyArray_ScalarAsCtype(py, obj.as_ptr(), buf.as_mut_ptr() as *mut _) };
            match d {
                Dtype::Bool => out.push(buf[0] & 0xff),
                Dtype::Int32 | Dtype::Float32 => out.push(buf[0] & 0xffff_ffff),
                Dtype::Complex128 => out.extend(buf),
                _ => out.push(buf[0]),
            }
            true
        }
        Ty::Array(want) => {
            if tp != np.ndarray_type {
                return Ok(false);
            }
            let mark = out.len();
            // SAFETY: `obj` is exactly an ndarray.
            match unsafe { array_info(obj.as_ptr(), out) } {
                Some(a)
                    if a.dtype == want.dtype
                        && a.ndim == want.ndim
                        && (want.layout == Layout::A || want.layout == a.layout)
                        && (want.readonly || !a.readonly) =>
                {
                    true
                }
                _ => {
                    out.truncate(mark);
                    false
                }
            }
        }
        Ty::Tuple(ts) => {
            let Ok(tup) = obj.cast::<pyo3::types::PyTuple>() else {
                return Ok(false);
            };
            if tup.len() != ts.len() {
                return Ok(false);
            }
            for (t, item) in ts.iter().zip(tup.iter()) {
                if !unbox_value(py, t, &item, out)? {
                    return Ok(false);
                }
            }
            true
        }
        Ty::Union(ms) => {
            let (offsets, payload) = union_layout(ms);
            for (i, m) in ms.iter().enumerate() {
                let mut member = Vec::new();
                if unbox_value(py, m, obj, &mut member)? {
                    let mut slots = vec![0u64; 1 + payload.len()];
                    slots[0] = i as u64;
                    slots[1 + offsets[i]..1 + offsets[i] + member.len()].copy_from_slice(&member);
                    out.extend(slots);
                    return Ok(true);
                }
            }
            false
        }
        _ => false,
    })
}

// ---------------------------------------------------------------------------
// Helpers called from compiled code. Each returns a status or a plain value;
// none of them unwinds (a panic here would abort the process).

/// Python `int ** int` for a non-negative exponent; DEOPT on a negative
/// exponent (the result is a float) or on overflow (the result is a big int).
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_ipow(a: i64, b: i64, out: *mut i64) -> i32 {
    if b < 0 {
        return DEOPT;
    }
    let mut result: i64 = 1;
    let mut base = a;
    let mut e = b as u64;
    while e > 0 {
        if e & 1 == 1 {
            match result.checked_mul(base) {
                Some(r) => result = r,
                None => return DEOPT,
            }
        }
        e >>= 1;
        if e > 0 {
            match base.checked_mul(base) {
                Some(r) => base = r,
                None => return DEOPT,
            }
        }
    }
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = result };
    OK
}

/// `int ** int` wrapping at 64 bits (`unchecked_int`, Numba); DEOPT on a
/// negative exponent.
///
/// # Safety
/// Called by compiled code; `out` points to a writable i64 slot.
pub unsafe extern "C" fn pyston_ipow_wrap(a: i64, b: i64, out: *mut i64) -> i32 {
    if b < 0 {
        return DEOPT;
    }
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = a.wrapping_pow(b.min(u32::MAX as i64) as u32) };
    OK
}

/// Python `float ** float`; DEOPT where CPython raises or returns a complex.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_fpow(x: f64, y: f64, out: *mut f64) -> i32 {
    // CPython's float_pow special cases, in its order (they decide which NaN
    // comes back, among other things).
    let odd = |v: f64| v.is_finite() && v % 2.0 == 1.0 || v % 2.0 == -1.0;
    let r = if y == 0.0 {
        1.0
    } else if x.is_nan() {
        x
    } else if y.is_nan() {
        if x == 1.0 {
            1.0
        } else {
            y
        }
    } else if y.is_infinite() {
        let ax = x.abs();
        if ax == 1.0 {
            1.0
        } else if (y > 0.0) == (ax > 1.0) {
            y.abs()
        } else {
            0.0
        }
    } else if x.is_infinite() {
        if y > 0.0 {
            if odd(y) {
                x
            } else {
                x.abs()
            }
        } else if odd(y) {
            0.0f64.copysign(x)
        } else {
            0.0
        }
    } else if x == 0.0 {
        if y < 0.0 {
            return DEOPT; // ZeroDivisionError
        }
        if odd(y) {
            x
        } else {
            0.0
        }
    } else {
        if x < 0.0 && y != y.floor() {
            return DEOPT; // complex result
        }
        let r = x.powf(y);
        if r.is_infinite() {
            return DEOPT; // OverflowError
        }
        r
    };
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = r };
    OK
}

/// `math.pow(x, y)` with CPython's special cases; DEOPT where it raises
/// (domain and range errors).
///
/// # Safety
/// Called by compiled code; `out` points to a writable f64 slot.
pub unsafe extern "C" fn pyston_math_pow(x: f64, y: f64, out: *mut f64) -> i32 {
    let odd = |v: f64| v.is_finite() && (v % 2.0).abs() == 1.0;
    let r = if !x.is_finite() || !y.is_finite() {
        if x.is_nan() {
            if y == 0.0 {
                1.0
            } else {
                x
            }
        } else if y.is_nan() {
            if x == 1.0 {
                1.0
            } else {
                y
            }
        } else if x.is_infinite() {
            if y > 0.0 {
                if odd(y) {
                    x
                } else {
                    x.abs()
                }
            } else if y == 0.0 {
                1.0
            } else if odd(y) {
                0.0f64.copysign(x)
            } else {
                0.0
            }
        } else if x.abs() == 1.0 {
            1.0
        } else if (y > 0.0) == (x.abs() > 1.0) {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        let r = x.powf(y);
        if !r.is_finite() {
            return DEOPT; // ValueError / OverflowError
        }
        r
    };
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = r };
    OK
}

/// Float floor division and modulo, `b != 0`: CPython's `float_divmod` and NumPy's
/// `npy_divmod`/`npy_divmodf` are the same algorithm, written once for both widths.
macro_rules! float_divmod {
    ($name:ident, $t:ty) => {
        fn $name(a: $t, b: $t) -> ($t, $t) {
            if b == 0.0 {
                // Only under error_model="numpy" (strict mode deoptimizes first): NumPy's result.
                return (a / b, a % b);
            }
            let mut m = a % b;
            let mut div = (a - m) / b;
            if m != 0.0 {
                if (b < 0.0) != (m < 0.0) {
                    m += b;
                    div -= 1.0;
                }
            } else {
                m = (0.0 as $t).copysign(b);
            }
            let floordiv = if div != 0.0 {
                let mut fd = div.floor();
                if div - fd > 0.5 {
                    fd += 1.0;
                }
                fd
            } else {
                (0.0 as $t).copysign(a / b)
            };
            (floordiv, m)
        }
    };
}
float_divmod!(divmod_f32, f32);
float_divmod!(divmod_f64, f64);

/// `x ** n` for an int exponent under Numba semantics: binary exponentiation
/// (multiply by `x` for each set bit, squaring `x` as the bits are consumed),
/// inverted for negative `n`; exponents past 2**16 use `pow`, as Numba does.
/// Stores the result; returns 1 where the inversion divides by zero (Numba
/// raises `ZeroDivisionError` there under `error_model="python"`).
///
/// # Safety
/// Called by compiled code; `out` is valid for one write.
pub unsafe extern "C" fn pyston_powi_numba(x: f64, n: i64, out: *mut f64) -> i32 {
    let mut k = n.unsigned_abs();
    let (r, zero_div) = if k > 0x10000 {
        (x.powf(n as f64), false)
    } else {
        let (mut r, mut a) = (1.0f64, x);
        while k != 0 {
            if k & 1 == 1 {
                r *= a;
            }
            k >>= 1;
            a *= a;
        }
        if n < 0 {
            (1.0 / r, r == 0.0)
        } else {
            (r, false)
        }
    };
    // SAFETY: the caller passes a stack slot for the result.
    unsafe { *out = r };
    zero_div as i32
}

/// Sets Numba's `ZeroDivisionError("division by zero")` (compiled code then
/// returns the error).
pub extern "C" fn pyston_raise_zerodiv() {
    Python::attach(|py| pyo3::exceptions::PyZeroDivisionError::new_err("division by zero").restore(py));
}

/// NumPy's float32 divmod (`npy_divmodf`): returns the floor quotient, stores the modulo.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_fdivmod32(a: f32, b: f32, out_mod: *mut f32) -> f32 {
    let (q, m) = divmod_f32(a, b);
    // SAFETY: `out_mod` points to a stack slot in the calling compiled function.
    unsafe { *out_mod = m };
    q
}

/// Float64 divmod (CPython's `float_divmod`): returns the floor quotient, stores the modulo.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_fdivmod(a: f64, b: f64, out_mod: *mut f64) -> f64 {
    let (q, m) = divmod_f64(a, b);
    // SAFETY: `out_mod` points to a stack slot in the calling compiled function.
    unsafe { *out_mod = m };
    q
}

/// CPython's complex division (`_Py_c_quot`); DEOPT when dividing by zero.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_cdiv(ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) -> i32 {
    let abs_br = br.abs();
    let abs_bi = bi.abs();
    let (re, im);
    if abs_br >= abs_bi {
        if abs_br == 0.0 {
            return DEOPT;
        }
        let ratio = bi / br;
        let denom = br + bi * ratio;
        re = (ar + ai * ratio) / denom;
        im = (ai - ar * ratio) / denom;
    } else if abs_bi >= abs_br {
        let ratio = br / bi;
        let denom = br * ratio + bi;
        re = (ar * ratio + ai) / denom;
        im = (ai * ratio - ar) / denom;
    } else {
        re = f64::NAN;
        im = f64::NAN;
    }
    // SAFETY: `out` points to two f64 stack slots in the calling compiled function.
    unsafe {
        *out = re;
        *out.add(1) = im;
    }
    OK
}

/// Allocates an array for `np.empty/zeros/ones` (`kind` 0/1/2) in C order,
/// or matching the layout of `like` (`like_order`: 0 C, 1 F). Writes the
/// array's slots to `out`; the array is owned by the call's arena.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_alloc(
    ctx: *mut Ctx,
    kind: i32,
    dtype: i32,
    ndim: i64,
    shape: *const i64,
    fortran: i32,
    out: *mut u64,
) -> i32 {
    Python::attach(|py| {
        let nd = ndim as usize;
        // SAFETY: `shape` points to `ndim` i64 stack slots written by compiled code.
        let dims: Vec<isize> = (0..nd).map(|k| unsafe { *shape.add(k) } as isize).collect();
        if dims.iter().any(|d| *d < 0) {
            return DEOPT; // ValueError: negative dimensions are not allowed
        }
        let d = Dtype::ALL[dtype as usize];
        let Ok(np) = np_types(py) else { return ERROR };
        let descr = np.descrs[dtype as usize] as *mut npyffi::PyArray_Descr;
        let mut dims_m = dims.clone();
        // SAFETY: PyArray_Zeros/PyArray_Empty steal a descriptor reference.
        let arr = unsafe {
            ffi::Py_INCREF(descr as *mut ffi::PyObject);
            if kind == 0 {
                PY_ARRAY_API.PyArray_Empty(py, nd as i32, dims_m.as_mut_ptr(), descr, fortran)
            } else {
                PY_ARRAY_API.PyArray_Zeros(py, nd as i32, dims_m.as_mut_ptr(), descr, fortran)
            }
        };
        if arr.is_null() {
            return ERROR;
        }
        // SAFETY: `ctx` is the live context of this call.
        unsafe { (*ctx).arena.push(arr) };
        let mut slots = Vec::with_capacity(2 + 2 * nd);
        // SAFETY: `arr` is a fresh ndarray.
        unsafe { array_info(arr, &mut slots) };
        if kind == 2 {
            let count: isize = dims.iter().product();
            // SAFETY: the fresh array holds `count` contiguous elements of `d`.
            unsafe { fill_ones(slots[0] as *mut u8, d, count as usize) };
        }
        for (i, s) in slots.iter().enumerate() {
            // SAFETY: `out` has room for the array's slots (2 + 2*ndim).
            unsafe { *out.add(i) = *s };
        }
        OK
    })
}

/// NumPy's complex division (Smith's method with a reciprocal); DEOPT when
/// dividing by zero (NumPy returns inf/nan with a warning).
///
/// # Safety
/// Called by compiled code; `out` points to two writable f64 slots.
pub unsafe extern "C" fn pyston_npy_cdiv(ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) -> i32 {
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    let (re, im) = if abs_br >= abs_bi {
        if abs_br == 0.0 && abs_bi == 0.0 {
            return DEOPT;
        }
        let rat = bi / br;
        let scl = 1.0 / (br + bi * rat);
        ((ar + ai * rat) * scl, (ai - ar * rat) * scl)
    } else {
        let rat = br / bi;
        let scl = 1.0 / (bi + br * rat);
        ((ar * rat + ai) * scl, (ai * rat - ar) * scl)
    };
    // SAFETY: `out` points to two f64 stack slots in the calling compiled function.
    unsafe {
        *out = re;
        *out.add(1) = im;
    }
    OK
}

/// Complex `**`, computed by CPython (`numpy` 0) or NumPy (`numpy` 1) itself.
/// DEOPT when it raises (e.g. `0j ** -1`).
///
/// # Safety
/// Called by compiled code; `out` points to two writable f64 slots.
pub unsafe extern "C" fn pyston_cpow(numpy: i32, ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let r = (|| -> PyResult<(f64, f64)> {
            let (a, b) = if numpy != 0 {
                let c = py.import("numpy")?.getattr("complex128")?;
                (
                    c.call1((pyo3::types::PyComplex::from_doubles(py, ar, ai),))?,
                    c.call1((pyo3::types::PyComplex::from_doubles(py, br, bi),))?,
                )
            } else {
                (
                    pyo3::types::PyComplex::from_doubles(py, ar, ai).into_any(),
                    pyo3::types::PyComplex::from_doubles(py, br, bi).into_any(),
                )
            };
            let r = a.pow(b, py.None())?;
            Ok((r.getattr("real")?.extract()?, r.getattr("imag")?.extract()?))
        })();
        match r {
            Ok((re, im)) => {
                // SAFETY: `out` points to two f64 stack slots in the calling compiled function.
                unsafe {
                    *out = re;
                    *out.add(1) = im;
                }
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// `np.power` on two values of dtype `Dtype::ALL[dtype]` (float32/float64). DEOPT on error.
///
/// # Safety
/// Called by compiled code; `out` points to a writable f64 slot.
pub unsafe extern "C" fn pyston_np_power(dtype: i32, x: f64, y: f64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let r = (|| -> PyResult<f64> {
            let np = py.import("numpy")?;
            let t = np.getattr(Dtype::ALL[dtype as usize].name())?;
            np.getattr("power")?
                .call1((t.call1((x,))?, t.call1((y,))?))?
                .extract::<f64>()
        })();
        match r {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// A call from compiled code into Python/NumPy (a NumPy function, an array
/// method or operator, slicing). Arguments arrive as slots typed by the
/// descriptor; the result is unboxed into `out` and kept alive in the arena.
/// DEOPT when the call raises (the interpreter re-executes it and raises
/// exactly); DEOPT_AFTER when the result does not have the expected type.
///
/// # Safety
/// Called by compiled code; `desc` is owned by the function's metadata, `args`
/// holds the slots of `desc.arg_tys`, `out` has room for the result's slots.
pub unsafe extern "C" fn pyston_pycall(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, out: *mut u64) -> i32 {
    Python::attach(|py| {
        // SAFETY: see the function's contract.
        let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
        let nslots: usize = desc.arg_tys.iter().map(slot_count).sum();
        // SAFETY: `args` holds `nslots` slots.
        let slots = unsafe { std::slice::from_raw_parts(args, nslots) };
        let r = (|| -> PyResult<Py<PyAny>> {
            let mut pos = 0;
            let mut vals = Vec::with_capacity(desc.arg_tys.len());
            for t in &desc.arg_tys {
                vals.push(box_value(py, t, slots, &mut pos)?.unwrap_or_else(|| py.None()));
            }
            let key = |items: &[Py<PyAny>]| -> PyResult<Py<PyAny>> {
                Ok(if items.len() == 1 {
                    items[0].clone_ref(py)
                } else {
                    pyo3::types::PyTuple::new(py, items)?.into_any().unbind()
                })
            };
            Ok(match &desc.kind {
                PyCallKind::Call(_) | PyCallKind::Method(_) => {
                    let (callee, first) = match &desc.kind {
                        PyCallKind::Call(f) => (f.bind(py).clone(), 0),
                        PyCallKind::Method(m) => (vals[0].bind(py).getattr(m.as_str())?, 1),
                        _ => unreachable!(),
                    };
                    let rest = &vals[first..];
                    let npos = rest.len() - desc.kw.len();
                    let pos_args = pyo3::types::PyTuple::new(py, &rest[..npos])?;
                    let kwargs = if desc.kw.is_empty() {
                        None
                    } else {
                        let d = PyDict::new(py);
                        for (k, v) in desc.kw.iter().zip(&rest[npos..]) {
                            d.set_item(k, v)?;
                        }
                        Some(d)
                    };
                    callee.call(pos_args, kwargs.as_ref())?.unbind()
                }
                PyCallKind::Attr(a) => vals[0].bind(py).getattr(a.as_str())?.unbind(),
                PyCallKind::GetItem(f) => f.bind(py).call1((&vals[0], key(&vals[1..])?))?.unbind(),
                PyCallKind::SetItem(f) => {
                    let n = vals.len();
                    f.bind(py)
                        .call1((&vals[0], key(&vals[1..n - 1])?, &vals[n - 1]))?
                        .unbind()
                }
            })
        })();
        let obj = match r {
            Ok(o) => o,
            Err(e) => {
                // Raised where it happened (an in-place operation may have written
                // part of its result already; running it again would differ).
                e.restore(py);
                return ERROR;
            }
        };
        let mut res = Vec::new();
        match unbox_value(py, &desc.ret, obj.bind(py), &mut res) {
            Ok(true) => {
                for (i, s) in res.iter().enumerate() {
                    // SAFETY: `out` has room for the result's slots.
                    unsafe { *out.add(i) = *s };
                }
                // The arena keeps every array the result holds (arrays inside a
                // tuple too), each by its own reference: compiled code refers to
                // arrays, never to the tuple.
                keep_arrays(&desc.ret, &res, &mut 0, &mut ctx.arena);
                drop(obj);
                OK
            }
            Ok(false) => {
                ctx.pending = Some(obj);
                DEOPT_AFTER
            }
            Err(e) => {
                e.restore(py);
                ERROR
            }
        }
    })
}

/// Takes a reference, into the arena, to each array in a value's slots.
fn keep_arrays(t: &Ty, slots: &[u64], pos: &mut usize, arena: &mut Vec<*mut ffi::PyObject>) {
    match t {
        Ty::Array(a) => {
            let o = slots[*pos + 1] as *mut ffi::PyObject;
            // SAFETY: the slot holds a live ndarray (owned by the call's result).
            unsafe { ffi::Py_INCREF(o) };
            arena.push(o);
            *pos += 2 + 2 * a.ndim as usize;
        }
        Ty::Tuple(ts) => ts.iter().for_each(|t| keep_arrays(t, slots, pos, arena)),
        t => *pos += slot_count(t),
    }
}

/// Boxes an i64 as a Python int (kept alive by the arena).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_box_int(ctx: *mut Ctx, v: i64) -> u64 {
    Python::attach(|_| {
        // SAFETY: plain C API call with the GIL held; a new reference or NULL.
        let o = unsafe { ffi::PyLong_FromLongLong(v) };
        if !o.is_null() {
            // SAFETY: `ctx` is the live context of this call.
            unsafe { (*ctx).arena.push(o) };
        }
        o as u64
    })
}

/// `a OP b` on Python ints (CPython's own arithmetic). `op` indexes
/// `INT_OPS`, or is 100 + 0/1/2 for unary -, +, ~ (`b` ignored). Returns the
/// new object (arena-owned) or 0 when it raised (compiled code then
/// deoptimizes and the interpreter raises exactly).
///
/// # Safety
/// Called by compiled code; `a` and `b` are live int objects.
pub unsafe extern "C" fn pyston_int_op(ctx: *mut Ctx, op: i32, a: u64, b: u64) -> u64 {
    Python::attach(|py| {
        // SAFETY: both slots hold live objects for the duration of the call.
        let x = unsafe { Bound::from_borrowed_ptr(py, a as *mut ffi::PyObject) };
        let r = match op {
            100 => x.neg().map(|o| o.unbind()),
            101 => x.pos().map(|o| o.unbind()),
            102 => x.bitnot().map(|o| o.unbind()),
            _ => {
                // SAFETY: as above.
                let y = unsafe { Bound::from_borrowed_ptr(py, b as *mut ffi::PyObject) };
                crate::interp::binop(py, INT_OPS[op as usize], false, &x, &y)
            }
        };
        match r {
            Ok(o) => {
                let p = o.into_ptr();
                // SAFETY: `ctx` is the live context of this call.
                unsafe { (*ctx).arena.push(p) };
                p as u64
            }
            Err(_) => 0,
        }
    })
}

/// Rich comparison of two Python ints (`op`: CPython's Py_LT..Py_GE): 0/1, or -1 when it raised.
///
/// # Safety
/// Called by compiled code; `a` and `b` are live objects.
pub unsafe extern "C" fn pyston_int_cmp(op: i32, a: u64, b: u64) -> i32 {
    Python::attach(|_| {
        // SAFETY: live objects, GIL held.
        unsafe { ffi::PyObject_RichCompareBool(a as *mut ffi::PyObject, b as *mut ffi::PyObject, op) }
    })
}

/// `a / b` for Python ints (CPython's correctly rounded true division); DEOPT when it raises.
///
/// # Safety
/// Called by compiled code; `a`, `b` are live objects and `out` a writable slot.
pub unsafe extern "C" fn pyston_int_truediv(a: u64, b: u64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        // SAFETY: live objects, GIL held.
        let (x, y) = unsafe {
            (
                Bound::from_borrowed_ptr(py, a as *mut ffi::PyObject),
                Bound::from_borrowed_ptr(py, b as *mut ffi::PyObject),
            )
        };
        match crate::interp::binop(py, pyston_compiler::hir::BinOp::Div, false, &x, &y)
            .and_then(|r| r.extract::<f64>(py))
        {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// Boxes a float (kept alive by the arena).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_box_float(ctx: *mut Ctx, v: f64) -> u64 {
    Python::attach(|_| {
        // SAFETY: plain C API call with the GIL held; a new reference or NULL.
        let o = unsafe { ffi::PyFloat_FromDouble(v) };
        if !o.is_null() {
            // SAFETY: `ctx` is the live context of this call.
            unsafe { (*ctx).arena.push(o) };
        }
        o as u64
    })
}

/// The value of an exact Python float object; DEOPT if it is not one.
///
/// # Safety
/// Called by compiled code; `o` is a live object and `out` a writable slot.
pub unsafe extern "C" fn pyston_obj_f64(o: u64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        // SAFETY: a live object, GIL held.
        let b = unsafe { Bound::from_borrowed_ptr(py, o as *mut ffi::PyObject) };
        if !b.is_exact_instance_of::<pyo3::types::PyFloat>() {
            return DEOPT;
        }
        // SAFETY: `out` points to a stack slot in the calling compiled function.
        unsafe { *out = b.extract::<f64>().unwrap_or(f64::NAN) };
        OK
    })
}

/// Truth of a Python int (0/1).
///
/// # Safety
/// Called by compiled code; `a` is a live object.
pub unsafe extern "C" fn pyston_int_truth(a: u64) -> i32 {
    Python::attach(|_| {
        // SAFETY: a live object, GIL held.
        unsafe { ffi::PyObject_IsTrue(a as *mut ffi::PyObject) }
    })
}

/// The arena's size at a loop's entry (see `pyston_arena_collect`).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_arena_mark(ctx: *mut Ctx) -> i64 {
    // SAFETY: `ctx` is the live context of this call.
    unsafe { (*ctx).arena.len() as i64 }
}

/// At a loop's back edge: releases the objects created since `mark` that no
/// value carried into the next iteration refers to (`live`, `n` pointers), so
/// temporaries made in a loop do not pile up.
///
/// # Safety
/// Called by compiled code; `live` points to `n` object pointers.
pub unsafe extern "C" fn pyston_arena_collect(ctx: *mut Ctx, mark: i64, live: *const u64, n: i64) {
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    let mark = mark as usize;
    if ctx.arena.len() <= mark {
        return;
    }
    // SAFETY: `live` points to `n` slots.
    let live = unsafe { std::slice::from_raw_parts(live, n as usize) };
    Python::attach(|_| {
        let mut keep = mark;
        for i in mark..ctx.arena.len() {
            let o = ctx.arena[i];
            if live.contains(&(o as u64)) {
                ctx.arena[keep] = o;
                keep += 1;
            } else {
                // SAFETY: the arena holds one strong reference to each entry.
                unsafe { ffi::Py_DECREF(o) };
            }
        }
        ctx.arena.truncate(keep);
    })
}

/// `round(x, ndigits)` for a Python float, through CPython's correctly rounded algorithm.
///
/// # Safety
/// Called by compiled code; `out` points to a writable f64 slot.
pub unsafe extern "C" fn pyston_pyround(x: f64, ndigits: i64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let r = py
            .import("builtins")
            .and_then(|b| b.getattr("round")?.call1((x, ndigits))?.extract::<f64>());
        match r {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// `np.empty_like/zeros_like/ones_like(a)` with NumPy's default order='K':
/// `order` 0 (the source is C-contiguous), 1 (Fortran) or 2 (any view: the
/// new array's axes are laid out in the order of the source's |strides|).
///
/// # Safety
/// Called by compiled code; `src` holds the slots of a live array, `out` has
/// room for the new array's slots.
pub unsafe extern "C" fn pyston_alloc_like(
    ctx: *mut Ctx,
    kind: i32,
    dtype: i32,
    ndim: i64,
    src: *const u64,
    order: i32,
    out: *mut u64,
) -> i32 {
    let nd = ndim as usize;
    // SAFETY: `src` points to the 2 + 2*ndim slots of a live array value.
    let s: Vec<u64> = (0..2 + 2 * nd).map(|k| unsafe { *src.add(k) }).collect();
    let shape: Vec<i64> = s[2..2 + nd].iter().map(|x| *x as i64).collect();
    if order != 2 || nd < 2 {
        // SAFETY: forwarding valid pointers.
        return unsafe { pyston_alloc(ctx, kind, dtype, ndim, shape.as_ptr(), (order == 1) as i32, out) };
    }
    let strides: Vec<i64> = s[2 + nd..].iter().map(|x| (*x as i64).abs()).collect();
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.sort_by(|a, b| strides[*b].cmp(&strides[*a]));
    let d = Dtype::ALL[dtype as usize];
    let pshape: Vec<i64> = perm.iter().map(|k| shape[*k]).collect();
    let pstr = c_strides(&pshape, d.itemsize());
    let mut new_strides = vec![0isize; nd];
    for (i, k) in perm.iter().enumerate() {
        new_strides[*k] = pstr[i] as isize;
    }
    Python::attach(|py| {
        let Ok(np) = np_types(py) else { return ERROR };
        let descr = np.descrs[dtype as usize] as *mut npyffi::PyArray_Descr;
        let mut dims: Vec<isize> = shape.iter().map(|x| *x as isize).collect();
        // SAFETY: NewFromDescr steals a descriptor reference; with NULL data NumPy
        // allocates the (permuted-contiguous) buffer the strides describe.
        let arr = unsafe {
            ffi::Py_INCREF(descr as *mut ffi::PyObject);
            PY_ARRAY_API.PyArray_NewFromDescr(
                py,
                np.ndarray_type as *mut _,
                descr,
                nd as i32,
                dims.as_mut_ptr(),
                new_strides.as_mut_ptr(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
            )
        };
        if arr.is_null() {
            return ERROR;
        }
        // SAFETY: `ctx` is the live context of this call.
        unsafe { (*ctx).arena.push(arr) };
        let mut slots = Vec::with_capacity(2 + 2 * nd);
        // SAFETY: `arr` is a fresh ndarray.
        unsafe { array_info(arr, &mut slots) };
        let count: i64 = shape.iter().product();
        // SAFETY: the buffer holds `count` elements contiguously (in permuted order).
        unsafe {
            match kind {
                1 => std::ptr::write_bytes(slots[0] as *mut u8, 0, (count * d.itemsize()) as usize),
                2 => fill_ones(slots[0] as *mut u8, d, count as usize),
                _ => {}
            }
        }
        for (i, v) in slots.iter().enumerate() {
            // SAFETY: `out` has room for the array's slots.
            unsafe { *out.add(i) = *v };
        }
        OK
    })
}

/// # Safety
/// `data` must point to `n` writable contiguous elements of dtype `d`.
unsafe fn fill_ones(data: *mut u8, d: Dtype, n: usize) {
    // SAFETY: guaranteed by the caller for each element written.
    unsafe {
        match d {
            Dtype::Bool => std::ptr::write_bytes(data, 1, n),
            Dtype::Int32 => std::slice::from_raw_parts_mut(data as *mut i32, n).fill(1),
            Dtype::Int64 => std::slice::from_raw_parts_mut(data as *mut i64, n).fill(1),
            Dtype::Float32 => std::slice::from_raw_parts_mut(data as *mut f32, n).fill(1.0),
            Dtype::Float64 => std::slice::from_raw_parts_mut(data as *mut f64, n).fill(1.0),
            Dtype::Complex128 => {
                let s = std::slice::from_raw_parts_mut(data as *mut f64, 2 * n);
                for k in 0..n {
                    s[2 * k] = 1.0;
                    s[2 * k + 1] = 0.0;
                }
            }
        }
    }
}

/// `a.copy()`: a new C-ordered array with the elements of the array whose
/// slots are at `src`. Writes the new array's slots to `out`.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_copy(ctx: *mut Ctx, dtype: i32, ndim: i64, src: *const u64, out: *mut u64) -> i32 {
    let nd = ndim as usize;
    // SAFETY: `src` points to the 2 + 2*ndim slots of a live array value.
    let s: Vec<u64> = (0..2 + 2 * nd).map(|k| unsafe { *src.add(k) }).collect();
    let shape: Vec<i64> = s[2..2 + nd].iter().map(|x| *x as i64).collect();
    let status = pyston_alloc(ctx, 0, dtype, ndim, shape.as_ptr(), 0, out);
    if status != OK {
        return status;
    }
    let d = Dtype::ALL[dtype as usize];
    let item = d.itemsize() as usize;
    // SAFETY: `out` now holds the slots of the new array.
    let dst = unsafe { *out } as *mut u8;
    let dst_strides = c_strides(&shape, item as i64);
    let src_strides: Vec<i64> = s[2 + nd..].iter().map(|x| *x as i64).collect();
    let total: i64 = shape.iter().product();
    let mut idx = vec![0i64; nd];
    for _ in 0..total {
        let so: i64 = (0..nd).map(|k| idx[k] * src_strides[k]).sum();
        let doff: i64 = (0..nd).map(|k| idx[k] * dst_strides[k]).sum();
        // SAFETY: both offsets address element `idx` inside their arrays.
        unsafe {
            std::ptr::copy_nonoverlapping((s[0] as *const u8).offset(so as isize), dst.offset(doff as isize), item)
        };
        for k in (0..nd).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    OK
}

/// Finishes a callee that deoptimized: runs the interpreter from its deopt
/// point and writes the result's slots to `out` (as the callee's return type).
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_resume(ctx: *mut Ctx, meta: *const FuncMeta, out: *mut u64) -> i32 {
    Python::attach(|py| {
        // SAFETY: `meta` is kept alive by the specialization that owns the
        // compiled code calling us; `ctx` is the live context of this call.
        let (meta, ctx) = unsafe { (&*meta, &mut *ctx) };
        let meta_arc = crate::dispatch::meta_arc(meta);
        let depth = ctx.depth + 1;
        match with_depth(depth, || crate::interp::resume(py, &meta_arc, ctx)) {
            Ok(obj) => {
                let mut slots = Vec::new();
                match unbox_value(py, &meta.typed.ret, obj.bind(py), &mut slots) {
                    Ok(true) => {
                        for (i, s) in slots.iter().enumerate() {
                            // SAFETY: `out` has room for the callee's return slots.
                            unsafe { *out.add(i) = *s };
                        }
                        // Keep the arrays it holds alive for the rest of the call.
                        keep_arrays(&meta.typed.ret, &slots, &mut 0, &mut ctx.arena);
                        drop(obj);
                        OK
                    }
                    Ok(false) => {
                        // e.g. a big int: the caller continues on the interpreter tier.
                        ctx.pending = Some(obj);
                        DEOPT
                    }
                    Err(e) => {
                        e.restore(py);
                        ERROR
                    }
                }
            }
            Err(e) => {
                e.restore(py);
                ERROR
            }
        }
    })
}

/// Records that an exception passed through a call site (for the traceback).
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_push_frame(ctx: *mut Ctx, meta: *const FuncMeta, span_index: i64) {
    // SAFETY: as in `pyston_resume`.
    let (meta, ctx) = unsafe { (&*meta, &mut *ctx) };
    let arc = crate::dispatch::meta_arc(meta);
    let span = crate::dispatch::call_site_span(meta, span_index as usize);
    ctx.frames.push((arc, span));
}

/// Math functions CPython implements itself (not a libm call): called through
/// CPython's `math` module so the result is bit-identical. DEOPT on error.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_pymath(code: i64, x: f64, y: f64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let f = pyston_compiler::types::MathFn::ALL[code as usize];
        let r = py.import("math").and_then(|m| {
            let func = m.getattr(f.name())?;
            if f.arity() == 2 {
                func.call1((x, y))
            } else {
                func.call1((x,))
            }
            .and_then(|r| r.extract::<f64>())
        });
        match r {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

// libm, the same functions CPython's math module calls.
unsafe extern "C" {
    pub fn exp(x: f64) -> f64;
    pub fn log(x: f64) -> f64;
    pub fn log2(x: f64) -> f64;
    pub fn log10(x: f64) -> f64;
    pub fn log1p(x: f64) -> f64;
    pub fn expm1(x: f64) -> f64;
    pub fn sin(x: f64) -> f64;
    pub fn cos(x: f64) -> f64;
    pub fn tan(x: f64) -> f64;
    pub fn asin(x: f64) -> f64;
    pub fn acos(x: f64) -> f64;
    pub fn atan(x: f64) -> f64;
    pub fn sinh(x: f64) -> f64;
    pub fn cosh(x: f64) -> f64;
    pub fn tanh(x: f64) -> f64;
    pub fn asinh(x: f64) -> f64;
    pub fn acosh(x: f64) -> f64;
    pub fn atanh(x: f64) -> f64;
    pub fn atan2(y: f64, x: f64) -> f64;
    pub fn pow(x: f64, y: f64) -> f64;
    pub fn powf(x: f32, y: f32) -> f32;
    pub fn fmod(x: f64, y: f64) -> f64;
    pub fn hypot(x: f64, y: f64) -> f64;
}

/// The symbols compiled code may call, by name.
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    vec![
        ("exp", exp as *const u8),
        ("log", log as *const u8),
        ("log2", log2 as *const u8),
        ("log10", log10 as *const u8),
        ("log1p", log1p as *const u8),
        ("expm1", expm1 as *const u8),
        ("sin", sin as *const u8),
        ("cos", cos as *const u8),
        ("tan", tan as *const u8),
        ("asin", asin as *const u8),
        ("acos", acos as *const u8),
        ("atan", atan as *const u8),
        ("sinh", sinh as *const u8),
        ("cosh", cosh as *const u8),
        ("tanh", tanh as *const u8),
        ("asinh", asinh as *const u8),
        ("acosh", acosh as *const u8),
        ("atanh", atanh as *const u8),
        ("atan2", atan2 as *const u8),
        ("pow", pow as *const u8),
        ("powf", powf as *const u8),
        ("fmod", fmod as *const u8),
        ("hypot", hypot as *const u8),
        ("pyston_alloc_like", pyston_alloc_like as *const u8),
        ("pyston_ipow", pyston_ipow as *const u8),
        ("pyston_ipow_wrap", pyston_ipow_wrap as *const u8),
        ("pyston_fpow", pyston_fpow as *const u8),
        ("pyston_math_pow", pyston_math_pow as *const u8),
        ("pyston_fdivmod", pyston_fdivmod as *const u8),
        ("pyston_fdivmod32", pyston_fdivmod32 as *const u8),
        ("pyston_powi_numba", pyston_powi_numba as *const u8),
        ("pyston_raise_zerodiv", pyston_raise_zerodiv as *const u8),
        ("pyston_cdiv", pyston_cdiv as *const u8),
        ("pyston_npy_cdiv", pyston_npy_cdiv as *const u8),
        ("pyston_pyround", pyston_pyround as *const u8),
        ("pyston_cpow", pyston_cpow as *const u8),
        ("pyston_pycall", pyston_pycall as *const u8),
        ("pyston_arena_mark", pyston_arena_mark as *const u8),
        ("pyston_box_int", pyston_box_int as *const u8),
        ("pyston_box_float", pyston_box_float as *const u8),
        ("pyston_obj_f64", pyston_obj_f64 as *const u8),
        ("pyston_int_op", pyston_int_op as *const u8),
        ("pyston_int_cmp", pyston_int_cmp as *const u8),
        ("pyston_int_truth", pyston_int_truth as *const u8),
        ("pyston_int_truediv", pyston_int_truediv as *const u8),
        ("pyston_arena_collect", pyston_arena_collect as *const u8),
        ("pyston_np_power", pyston_np_power as *const u8),
        ("pyston_alloc", pyston_alloc as *const u8),
        ("pyston_copy", pyston_copy as *const u8),
        ("pyston_resume", pyston_resume as *const u8),
        ("pyston_push_frame", pyston_push_frame as *const u8),
        ("pyston_pymath", pyston_pymath as *const u8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipow() {
        let mut out = 0i64;
        // SAFETY: `out` is a valid i64.
        unsafe {
            assert_eq!(pyston_ipow(3, 4, &mut out), OK);
            assert_eq!(out, 81);
            assert_eq!(pyston_ipow(2, 63, &mut out), DEOPT);
            assert_eq!(pyston_ipow(-2, 63, &mut out), OK);
            assert_eq!(out, i64::MIN);
            assert_eq!(pyston_ipow(2, -1, &mut out), DEOPT);
        }
    }

    #[test]
    fn fdivmod_matches_python() {
        let mut m = 0.0;
        // SAFETY: `m` is a valid f64.
        assert_eq!(unsafe { pyston_fdivmod(7.0, -2.0, &mut m) }, -4.0);
        assert_eq!(m, -1.0);
        // SAFETY: as above.
        assert_eq!(unsafe { pyston_fdivmod(-7.5, 2.0, &mut m) }, -4.0);
        assert_eq!(m, 0.5);
        // SAFETY: as above.
        let q = unsafe { pyston_fdivmod(0.0, -3.0, &mut m) };
        assert!(q == 0.0 && q.is_sign_negative() && m.is_sign_negative());
    }

    #[test]
    fn every_helper_has_an_address() {
        let syms = symbols();
        for h in HELPERS {
            assert!(syms.iter().any(|(n, _)| *n == h.name), "{} has no address", h.name);
        }
        for (n, _) in &syms {
            assert!(helper(n).is_some(), "{n} is not in abi::HELPERS");
        }
        assert_eq!(syms.len(), HELPERS.len());
    }
}
