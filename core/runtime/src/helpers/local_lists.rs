//! Local lists (`Ty::LocalList`, see `pyston_compiler::infer::local_lists`):
//! lists that never leave the compiled function, their elements held
//! unboxed, one 64-bit word each (as `codegen/lists.rs` `list_word` makes
//! them: a float's bits, an int, a bool's byte, a NumPy scalar's bytes).
//!
//! A local list is a small object of a private type, so that the call's
//! arena (and the per-iteration release of loop temporaries) owns it like
//! any other object compiled code makes. Compiled code reads and writes its
//! fields itself, at the offsets in `pyston_compiler::abi` (`LLIST_*`):
//! after `PyObject_HEAD` (16 bytes in the non-debug builds of CPython 3.9 to
//! 3.13 the abi3 wheel loads in), the element buffer, the length, the
//! capacity, and the `list` it was made into (see [`box_local_list`]).

use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::abi::{LLIST_BOXED, LLIST_CAP, LLIST_DATA, LLIST_LEN, LLIST_SIZE};
use std::sync::OnceLock;

/// The fields after the object header, as compiled code sees them.
#[repr(C)]
struct Fields {
    data: *mut u64,
    len: i64,
    cap: i64,
    boxed: *mut ffi::PyObject,
}

const _: () = {
    assert!(std::mem::offset_of!(Fields, data) + 16 == LLIST_DATA as usize);
    assert!(std::mem::offset_of!(Fields, len) + 16 == LLIST_LEN as usize);
    assert!(std::mem::offset_of!(Fields, cap) + 16 == LLIST_CAP as usize);
    assert!(std::mem::offset_of!(Fields, boxed) + 16 == LLIST_BOXED as usize);
    assert!(std::mem::size_of::<Fields>() + 16 == LLIST_SIZE as usize);
};

/// The fields of local list `o`.
///
/// # Safety
/// `o` is a live object of the local list type.
unsafe fn fields<'a>(o: *mut ffi::PyObject) -> &'a mut Fields {
    // SAFETY: the caller's contract; the fields follow the 16-byte header.
    unsafe { &mut *(o as *mut u8).add(16).cast::<Fields>() }
}

unsafe extern "C" fn dealloc(o: *mut ffi::PyObject) {
    // SAFETY: CPython calls this once, for a local list whose count reached zero.
    unsafe {
        let f = fields(o);
        libc::free(f.data.cast());
        free_object(o, f.boxed);
    }
}

/// Releases what every local container holds besides its buffers (the
/// object it was made into) and the object itself.
///
/// # Safety
/// `o` is a local list or dict whose count reached zero (its `tp_dealloc`).
unsafe fn free_object(o: *mut ffi::PyObject, boxed: *mut ffi::PyObject) {
    // SAFETY: the caller's contract.
    unsafe {
        if !boxed.is_null() {
            ffi::Py_DECREF(boxed);
        }
        let tp = ffi::Py_TYPE(o);
        let free = ffi::PyType_GetSlot(tp, ffi::Py_tp_free);
        if !free.is_null() {
            let free: unsafe extern "C" fn(*mut std::ffi::c_void) = std::mem::transmute(free);
            free(o.cast());
        }
        // (instances of a heap type hold a reference to it)
        ffi::Py_DECREF(tp.cast());
    }
}

/// A private heap type (`PyType_FromSpec`) of `size` bytes freed by `dealloc`;
/// NULL (as an address) when CPython could not make it.
fn heap_type(name: &'static std::ffi::CStr, size: i32, dealloc: unsafe extern "C" fn(*mut ffi::PyObject)) -> usize {
    let mut slots = [
        ffi::PyType_Slot {
            slot: ffi::Py_tp_dealloc,
            pfunc: dealloc as *mut std::ffi::c_void,
        },
        ffi::PyType_Slot {
            slot: 0,
            pfunc: std::ptr::null_mut(),
        },
    ];
    let mut spec = ffi::PyType_Spec {
        name: name.as_ptr(),
        basicsize: size as std::ffi::c_int,
        itemsize: 0,
        flags: ffi::Py_TPFLAGS_DEFAULT as std::ffi::c_uint,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: called with the GIL held (by every caller); the spec is
    // complete, and CPython copies what it needs from it. The type lives
    // for the rest of the process (this reference is never released).
    unsafe { ffi::PyType_FromSpec(&mut spec) as usize }
}

/// A new zeroed instance of heap type `tp` (NULL with an exception set).
///
/// # Safety
/// The GIL is held.
unsafe fn new_object(tp: usize) -> *mut ffi::PyObject {
    if tp == 0 {
        return std::ptr::null_mut();
    }
    // SAFETY: the caller's contract; the generic allocator zeroes the instance.
    unsafe { ffi::PyType_GenericAlloc(tp as *mut ffi::PyTypeObject, 0) }
}

/// The local list type, made once.
fn local_list_type() -> usize {
    static TYPE: OnceLock<usize> = OnceLock::new();
    *TYPE.get_or_init(|| heap_type(c"pyston._local_list", LLIST_SIZE, dealloc))
}

/// Sets MemoryError for a failed allocation of the call with context `ctx`
/// (taking the GIL where the call runs without it).
fn no_memory(ctx: *mut Ctx) {
    // SAFETY: `ctx` is the live context of the calling helper's call; the GIL
    // is held in the closure.
    super::lists::with_gil(unsafe { &*ctx }, |_py| unsafe { ffi::PyErr_NoMemory() });
}

/// Grows the buffer to hold at least `want` elements: false when out of memory.
fn reserve(f: &mut Fields, want: i64) -> bool {
    if want <= f.cap {
        return true;
    }
    let cap = want.max(f.cap.saturating_mul(2)).max(8);
    let Some(bytes) = usize::try_from(cap).ok().and_then(|c| c.checked_mul(8)) else {
        return false;
    };
    // SAFETY: `data` is NULL or a buffer from this allocator.
    let p = unsafe { libc::realloc(f.data.cast(), bytes) } as *mut u64;
    if p.is_null() {
        return false;
    }
    f.data = p;
    f.cap = cap;
    true
}

/// A new local list of the `n` words at `items`, kept alive by the arena;
/// 0 when allocation failed (MemoryError set).
///
/// # Safety
/// Called by compiled code with its live context, holding the GIL; `items` holds `n` words.
pub unsafe extern "C" fn pyston_llist_new(ctx: *mut Ctx, items: *const u64, n: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let o = super::lists::with_gil(ctx, |_py| {
        // SAFETY: the GIL is held; the type's instances are zeroed by the
        // generic allocator, then filled here from `items` (`n` words).
        unsafe {
            let o = new_object(local_list_type());
            if o.is_null() {
                return o;
            }
            let f = fields(o);
            if !reserve(f, n.max(8)) {
                ffi::Py_DECREF(o);
                ffi::PyErr_NoMemory();
                return std::ptr::null_mut();
            }
            std::ptr::copy_nonoverlapping(items, f.data, n as usize);
            f.len = n;
            o
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// `l * n`: a new local list of `l`'s elements `n` times over (none for
/// `n < 1`), kept alive by the arena; 0 when allocation failed (MemoryError
/// set, as CPython's for a size it cannot hold).
///
/// # Safety
/// Called by compiled code with its live context; `l` is a live local list.
pub unsafe extern "C" fn pyston_llist_repeat(ctx: *mut Ctx, l: u64, n: i64) -> u64 {
    // SAFETY: the caller's contract.
    let src = unsafe { words(l) };
    let reps = n.max(0) as usize;
    let Some(total) = src.len().checked_mul(reps).filter(|t| *t <= (isize::MAX as usize) / 8) else {
        no_memory(ctx);
        return 0;
    };
    let items: Vec<u64> = src.to_vec();
    // SAFETY: `ctx` is live; an empty list to fill (no words read from the dangling pointer).
    let o = unsafe { pyston_llist_new(ctx, std::ptr::NonNull::<u64>::dangling().as_ptr(), 0) };
    if o == 0 {
        return 0;
    }
    // SAFETY: `o` is the live local list just made.
    let f = unsafe { fields(o as *mut ffi::PyObject) };
    if !reserve(f, total as i64) {
        no_memory(ctx);
        return 0;
    }
    for r in 0..reps {
        // SAFETY: the buffer holds `total` words; each copy fills `items.len()` of them.
        unsafe { std::ptr::copy_nonoverlapping(items.as_ptr(), f.data.add(r * items.len()), items.len()) };
    }
    f.len = total as i64;
    o
}

/// Room for one more element of local list `l`: OK, or ERROR (MemoryError set).
///
/// # Safety
/// Called by compiled code with its live context; `l` is a live local list.
pub unsafe extern "C" fn pyston_llist_grow(ctx: *mut Ctx, l: u64) -> i32 {
    // SAFETY: the caller's contract.
    let f = unsafe { fields(l as *mut ffi::PyObject) };
    if reserve(f, f.len + 1) {
        return OK;
    }
    no_memory(ctx);
    ERROR
}

/// Sets CPython's IndexError for a list operation out of range: `what` 0 a
/// read, 1 a write, 2 `pop()` of an empty list. Returns ERROR.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_llist_index_error(ctx: *mut Ctx, what: i32) -> i32 {
    let msg = match what {
        0 => c"list index out of range",
        1 => c"list assignment index out of range",
        _ => c"pop from empty list",
    };
    // SAFETY: `ctx` is the call's live context; the GIL is held in the closure.
    super::lists::with_gil(unsafe { &*ctx }, |_py| unsafe {
        ffi::PyErr_SetString(ffi::PyExc_IndexError, msg.as_ptr())
    });
    ERROR
}

/// A new `list` of local list `l`'s elements (of kind `kind`), kept alive by
/// the arena: where compiled code returns the local list (nothing uses it
/// after). 0 when an allocation failed (the exception is set).
///
/// # Safety
/// Called by compiled code with its live context, holding the GIL; `l` is a live local list.
pub unsafe extern "C" fn pyston_llist_to_list(ctx: *mut Ctx, l: u64, kind: i32) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `l` is a live local list (the contract); the GIL is held in the closure.
    let o = super::lists::with_gil(ctx, |py| match unsafe { new_list(py, l as *mut ffi::PyObject, kind) } {
        Ok(o) => o,
        Err(e) => {
            e.restore(py);
            std::ptr::null_mut()
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// A new reference to a new `list` of the elements of local list `l`.
///
/// # Safety
/// `l` is a live local list; the GIL is held.
unsafe fn new_list(py: Python<'_>, l: *mut ffi::PyObject, kind: i32) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: the caller's contract; PyList_SetItem steals each new element.
    unsafe {
        let f = fields(l);
        let list = ffi::PyList_New(f.len as ffi::Py_ssize_t);
        if list.is_null() {
            return Err(PyErr::fetch(py));
        }
        for i in 0..f.len as usize {
            let o = super::lists::box_elem(py, kind, *f.data.add(i));
            if o.is_null() || ffi::PyList_SetItem(list, i as ffi::Py_ssize_t, o) < 0 {
                ffi::Py_DECREF(list);
                return Err(PyErr::fetch(py));
            }
        }
        Ok(list)
    }
}

/// The `list` local list `l` (of element kind `kind`) stands for: made on the
/// first call and the same object after, so that every value holding the
/// local list (aliases, block parameters) is handed to the interpreter tier
/// as one list. Compiled code does not use `l` after that.
///
/// # Safety
/// `l` is a live local list.
pub unsafe fn box_local_list(py: Python<'_>, l: *mut ffi::PyObject, kind: i32) -> PyResult<Py<PyAny>> {
    // SAFETY: the caller's contract; the GIL is held (`py`).
    unsafe {
        let f = fields(l);
        if f.boxed.is_null() {
            f.boxed = new_list(py, l, kind)?;
        }
        Ok(Bound::from_borrowed_ptr(py, f.boxed).unbind())
    }
}

/// The elements of local list `l`.
///
/// # Safety
/// `l` is a live local list.
unsafe fn words<'a>(l: u64) -> &'a [u64] {
    // SAFETY: the caller's contract; `data` holds `len` words (or is NULL when empty).
    unsafe {
        let f = fields(l as *mut ffi::PyObject);
        if f.len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(f.data, f.len as usize)
        }
    }
}

/// `sum()` of Python floats as this CPython adds them: the int 0 plus the
/// first item, then the others one by one (3.11 and before) or with
/// Neumaier's compensation, the compensation added at the end unless it is
/// zero or not finite (3.12 and after).
fn float_sum(mut xs: impl Iterator<Item = f64>, compensated: bool) -> f64 {
    let Some(first) = xs.next() else {
        return 0.0;
    };
    let mut s = 0.0 + first;
    if !compensated {
        for x in xs {
            s += x;
        }
        return s;
    }
    let mut c = 0.0f64;
    for x in xs {
        let t = s + x;
        if s.abs() >= x.abs() {
            c += (s - t) + x;
        } else {
            c += (x - t) + s;
        }
        s = t;
    }
    if c != 0.0 && c.is_finite() {
        s += c;
    }
    s
}

/// Whether [`float_sum`] gives this CPython's `sum()` (once per process, on
/// lists that tell the algorithms apart): `Some(compensated)` when it does,
/// `None` when compiled code must leave `sum()` of floats to CPython.
fn float_sum_mode(py: Python<'_>) -> Option<bool> {
    static MODE: OnceLock<Option<bool>> = OnceLock::new();
    *MODE.get_or_init(|| {
        let compensated = py.version_info() >= (3, 12);
        let mut cases: Vec<Vec<f64>> = vec![
            vec![0.1; 10],
            vec![1e100, 1.0, -1e100],
            vec![1.0, 1e100, 1.0, -1e100],
            vec![-0.0],
            vec![-0.0, -0.0],
            vec![f64::INFINITY, 1.0],
            vec![f64::INFINITY, f64::NEG_INFINITY],
            vec![1e308, 1e308],
            vec![1e308, 1e308, -1e308],
            vec![f64::NAN, 1.0],
            vec![9007199254740992.0, 1.0, 1.0],
            vec![1.0, 2f64.powi(-60), -1.0],
            vec![-1.0, 2f64.powi(-60), 1.0, -2f64.powi(-60)],
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut v = Vec::new();
        for _ in 0..200 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            v.push(m * 10f64.powi((x % 40) as i32 - 20));
        }
        cases.push(v);
        let sum = py.import("builtins").and_then(|b| b.getattr("sum")).ok()?;
        for c in &cases {
            let got: f64 = sum.call1((c.clone(),)).ok()?.extract().ok()?;
            let mine = float_sum(c.iter().copied(), compensated);
            if !(got.to_bits() == mine.to_bits() || (got.is_nan() && mine.is_nan())) {
                return None;
            }
        }
        Some(compensated)
    })
}

/// `sum(l)` of a local list of element kind `kind` into `out` (an int, or a
/// float's bits; an empty list of floats gives 0 and compiled code makes the
/// int 0): OK, or DEOPT where CPython's own `sum` must run (an int sum
/// beyond 64 bits, NumPy floats that would warn, a float algorithm this
/// CPython does not use).
///
/// # Safety
/// Called by compiled code with its live context; `l` is a live local list, `out` a writable word.
pub unsafe extern "C" fn pyston_llist_sum(ctx: *mut Ctx, l: u64, kind: i32, out: *mut u64) -> i32 {
    // SAFETY: the caller's contract.
    let xs = unsafe { words(l) };
    let r = match kind {
        0 => {
            let mut s = 0i64;
            for &x in xs {
                match s.checked_add(x as i64) {
                    Some(t) => s = t,
                    None => return DEOPT,
                }
            }
            s as u64
        }
        2 => xs.iter().filter(|x| **x & 0xff != 0).count() as u64,
        1 => {
            // SAFETY: `ctx` is the call's live context.
            let Some(mode) = super::lists::with_gil(unsafe { &*ctx }, float_sum_mode) else {
                return DEOPT;
            };
            float_sum(xs.iter().map(|x| f64::from_bits(*x)), mode).to_bits()
        }
        // NumPy floats add one by one (the int 0 first); a result that is not
        // finite may warn: NumPy's own addition decides.
        k if np_float(k) == Some(64) => {
            let mut s = 0.0f64;
            for &x in xs {
                s += f64::from_bits(x);
                if !s.is_finite() {
                    return DEOPT;
                }
            }
            s.to_bits()
        }
        k if np_float(k) == Some(32) => {
            let mut s = 0.0f32;
            for &x in xs {
                s += f32::from_bits(x as u32);
                if !s.is_finite() {
                    return DEOPT;
                }
            }
            s.to_bits() as u64
        }
        _ => return DEOPT,
    };
    // SAFETY: `out` is writable (the contract).
    unsafe { *out = r };
    OK
}

/// The width of a NumPy float element kind (16 + dtype index), if it is one.
fn np_float(kind: i32) -> Option<u32> {
    use pyston_compiler::types::Dtype;
    match Dtype::ALL.get(usize::try_from(kind - 16).ok()?)? {
        Dtype::Float64 => Some(64),
        Dtype::Float32 => Some(32),
        _ => None,
    }
}

/// `min(l)` (`is_max` 0) or `max(l)` of a local list of element kind `kind`
/// into `out`, as CPython picks it (the first item, replaced by each later
/// one that compares less, or greater): OK, or DEOPT for an empty list
/// (CPython's ValueError), NumPy floats with a NaN (comparisons that may
/// warn) and element kinds without a native order here.
///
/// # Safety
/// `l` is a live local list, `out` a writable word.
pub unsafe extern "C" fn pyston_llist_minmax(l: u64, kind: i32, is_max: i32, out: *mut u64) -> i32 {
    use pyston_compiler::types::Dtype;
    // SAFETY: the caller's contract.
    let xs = unsafe { words(l) };
    if xs.is_empty() {
        return DEOPT;
    }
    // The word CPython's loop keeps, comparing the words' values `f(w)`.
    fn pick<T: PartialOrd + Copy>(xs: &[u64], f: impl Fn(u64) -> T, is_max: bool) -> u64 {
        let mut best = xs[0];
        let mut bv = f(best);
        for &w in &xs[1..] {
            let v = f(w);
            if (is_max && v > bv) || (!is_max && v < bv) {
                best = w;
                bv = v;
            }
        }
        best
    }
    let m = is_max != 0;
    let dtype = usize::try_from(kind - 16).ok().and_then(|i| Dtype::ALL.get(i)).copied();
    let r = match (kind, dtype) {
        (0, _) => pick(xs, |w| w as i64, m),
        (1, _) => pick(xs, f64::from_bits, m),
        (2, _) => pick(xs, |w| w & 0xff != 0, m),
        (_, Some(Dtype::Float64)) if xs.iter().all(|w| !f64::from_bits(*w).is_nan()) => pick(xs, f64::from_bits, m),
        (_, Some(Dtype::Float32)) if xs.iter().all(|w| !f32::from_bits(*w as u32).is_nan()) => {
            pick(xs, |w| f32::from_bits(w as u32), m)
        }
        (_, Some(Dtype::Int8)) => pick(xs, |w| w as u8 as i8, m),
        (_, Some(Dtype::Int16)) => pick(xs, |w| w as u16 as i16, m),
        (_, Some(Dtype::Int32)) => pick(xs, |w| w as u32 as i32, m),
        (_, Some(Dtype::Int64)) => pick(xs, |w| w as i64, m),
        (_, Some(Dtype::UInt8)) => pick(xs, |w| w as u8, m),
        (_, Some(Dtype::UInt16)) => pick(xs, |w| w as u16, m),
        (_, Some(Dtype::UInt32)) => pick(xs, |w| w as u32, m),
        (_, Some(Dtype::UInt64)) => pick(xs, |w| w, m),
        (_, Some(Dtype::Bool)) => pick(xs, |w| w & 0xff != 0, m),
        _ => return DEOPT,
    };
    // SAFETY: `out` is writable (the contract).
    unsafe { *out = r };
    OK
}

/// A word of element kind `kind` as an integer that orders as the value does
/// (ints, bools and NumPy ints), or None for other kinds.
fn int_key(kind: i32) -> Option<fn(u64) -> i128> {
    use pyston_compiler::types::Dtype;
    Some(match kind {
        0 => |w| w as i64 as i128,
        2 => |w| (w & 0xff != 0) as i128,
        k => match Dtype::ALL.get(usize::try_from(k - 16).ok()?)? {
            Dtype::Bool => |w| (w & 0xff != 0) as i128,
            Dtype::Int8 => |w| w as u8 as i8 as i128,
            Dtype::Int16 => |w| w as u16 as i16 as i128,
            Dtype::Int32 => |w| w as u32 as i32 as i128,
            Dtype::Int64 => |w| w as i64 as i128,
            Dtype::UInt8 => |w| w as u8 as i128,
            Dtype::UInt16 => |w| w as u16 as i128,
            Dtype::UInt32 => |w| w as u32 as i128,
            Dtype::UInt64 => |w| w as i128,
            _ => return None,
        },
    })
}

/// A word of a float element kind as its value (Python floats, np.float64, np.float32).
fn float_key(kind: i32) -> Option<fn(u64) -> f64> {
    match (kind, np_float(kind)) {
        (1, _) | (_, Some(64)) => Some(f64::from_bits),
        (_, Some(32)) => Some(|w| f32::from_bits(w as u32) as f64),
        _ => None,
    }
}

/// The other methods compiled code runs on local lists (`infer::local_lists`
/// allows them for element kinds where they are exact by value): `op` 0
/// `x in l` (`a` the word; `out` 0 or 1), 1 `l.index(a)` (DEOPT when absent:
/// CPython's ValueError), 2 `l.count(a)`, 3 `l.sort(reverse=a)` (stable, as
/// CPython's; DEOPT for a float NaN), 4 `l.reverse()`, 5 `l.clear()`, 6
/// `l.insert(a, b)` (CPython's clamping of the index). OK, ERROR (MemoryError)
/// or DEOPT.
///
/// # Safety
/// Called by compiled code with its live context; `l` is a live local list, `out` a writable word.
pub unsafe extern "C" fn pyston_llist_op(
    ctx: *mut Ctx,
    l: u64,
    op: i32,
    kind: i32,
    a: u64,
    b: u64,
    out: *mut u64,
) -> i32 {
    // SAFETY: the caller's contract.
    let f = unsafe { fields(l as *mut ffi::PyObject) };
    // SAFETY: as above (`data` holds `len` words).
    let xs = unsafe { words(l) };
    let r = match op {
        0 => xs.contains(&a) as u64,
        1 => match xs.iter().position(|w| *w == a) {
            Some(i) => i as u64,
            None => return DEOPT,
        },
        2 => xs.iter().filter(|w| **w == a).count() as u64,
        3 => {
            let rev = a & 0xff != 0;
            // SAFETY: the buffer holds `len` words; nothing else uses it during the call.
            let ws = unsafe { std::slice::from_raw_parts_mut(f.data, xs.len()) };
            if let Some(key) = int_key(kind) {
                if rev {
                    ws.sort_by_key(|w| std::cmp::Reverse(key(*w)));
                } else {
                    ws.sort_by_key(|w| key(*w));
                }
            } else if let Some(key) = float_key(kind) {
                if ws.iter().any(|w| key(*w).is_nan()) {
                    return DEOPT;
                }
                let cmp = |x: &u64, y: &u64| key(*x).partial_cmp(&key(*y)).unwrap_or(std::cmp::Ordering::Equal);
                if rev {
                    ws.sort_by(|x, y| cmp(y, x));
                } else {
                    ws.sort_by(cmp);
                }
            } else {
                return DEOPT;
            }
            0
        }
        4 => {
            // SAFETY: as for the sort.
            unsafe { std::slice::from_raw_parts_mut(f.data, xs.len()) }.reverse();
            0
        }
        5 => {
            f.len = 0;
            0
        }
        6 => {
            let n = f.len;
            let mut i = a as i64;
            if i < 0 {
                i = (i + n).max(0);
            }
            let i = i.min(n) as usize;
            if !reserve(f, n + 1) {
                no_memory(ctx);
                return ERROR;
            }
            // SAFETY: the buffer holds at least `n + 1` words after `reserve`.
            unsafe {
                std::ptr::copy(f.data.add(i), f.data.add(i + 1), n as usize - i);
                *f.data.add(i) = b;
            }
            f.len = n + 1;
            0
        }
        _ => return DEOPT,
    };
    // SAFETY: `out` is writable (the contract).
    unsafe { *out = r };
    OK
}

// ---------------------------------------------------------------------------
// Local dicts: int keys, native values, insertion order (`Ty::LocalDict`).

/// A local dict's fields after the object header (offsets `LDICT_*`): the
/// entries (key word, value word) in insertion order, their count and
/// capacity, the hash index (entry numbers, -1 for empty; a power of two
/// long), its mask, and the `dict` it was made into.
#[repr(C)]
struct DictFields {
    entries: *mut [u64; 2],
    len: i64,
    cap: i64,
    index: *mut i32,
    mask: i64,
    boxed: *mut ffi::PyObject,
}

const _: () = {
    assert!(std::mem::offset_of!(DictFields, len) + 16 == pyston_compiler::abi::LDICT_LEN as usize);
    assert!(std::mem::size_of::<DictFields>() + 16 == pyston_compiler::abi::LDICT_SIZE as usize);
};

/// # Safety
/// `o` is a live local dict.
unsafe fn dict_fields<'a>(o: *mut ffi::PyObject) -> &'a mut DictFields {
    // SAFETY: the caller's contract; the fields follow the 16-byte header.
    unsafe { &mut *(o as *mut u8).add(16).cast::<DictFields>() }
}

unsafe extern "C" fn dict_dealloc(o: *mut ffi::PyObject) {
    // SAFETY: CPython calls this once, for a local dict whose count reached zero.
    unsafe {
        let f = dict_fields(o);
        libc::free(f.entries.cast());
        libc::free(f.index.cast());
        free_object(o, f.boxed);
    }
}

/// The local dict type, made once.
fn local_dict_type() -> usize {
    static TYPE: OnceLock<usize> = OnceLock::new();
    *TYPE.get_or_init(|| heap_type(c"pyston._local_dict", pyston_compiler::abi::LDICT_SIZE, dict_dealloc))
}

/// The slot of the index where `key` is, or the empty slot where it would go.
fn probe(f: &DictFields, key: u64) -> usize {
    // (a 64-bit mix: keys that differ in high bits spread too)
    let mut h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^= h >> 29;
    let mut i = h as usize & f.mask as usize;
    loop {
        // SAFETY: the index holds `mask + 1` slots and is never full.
        let e = unsafe { *f.index.add(i) };
        // SAFETY: every slot that is not -1 names a live entry.
        if e < 0 || unsafe { (*f.entries.add(e as usize))[0] } == key {
            return i;
        }
        i = (i + 1) & f.mask as usize;
    }
}

/// Room for one more entry (the index at most half full): false when out of memory.
fn dict_reserve(f: &mut DictFields) -> bool {
    if f.len == f.cap {
        let cap = (f.cap * 2).max(8);
        // SAFETY: `entries` is NULL or a buffer from this allocator.
        let p = unsafe { libc::realloc(f.entries.cast(), cap as usize * 16) } as *mut [u64; 2];
        if p.is_null() {
            return false;
        }
        f.entries = p;
        f.cap = cap;
    }
    if (f.len + 1) * 2 > f.mask + 1 {
        let size = ((f.mask + 1) * 2).max(16) as usize;
        // SAFETY: a new buffer of `size` slots, filled with -1 (all bits set).
        let idx = unsafe { libc::malloc(size * 4) } as *mut i32;
        if idx.is_null() {
            return false;
        }
        // SAFETY: as above.
        unsafe { std::ptr::write_bytes(idx, 0xff, size) };
        // SAFETY: the old index is NULL or from this allocator.
        unsafe { libc::free(f.index.cast()) };
        f.index = idx;
        f.mask = size as i64 - 1;
        for e in 0..f.len as usize {
            // SAFETY: entries below `len` are live.
            let key = unsafe { (*f.entries.add(e))[0] };
            let i = probe(f, key);
            // SAFETY: `i` is a slot of the new index.
            unsafe { *f.index.add(i) = e as i32 };
        }
    }
    true
}

/// A new empty local dict, kept alive by the arena; 0 when allocation failed.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_ldict_new(ctx: *mut Ctx) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let o = super::lists::with_gil(ctx, |_py| {
        // SAFETY: the GIL is held; the instance is zeroed by the generic allocator.
        unsafe {
            let o = new_object(local_dict_type());
            if o.is_null() {
                return o;
            }
            let f = dict_fields(o);
            f.mask = -1;
            if !dict_reserve(f) {
                ffi::Py_DECREF(o);
                ffi::PyErr_NoMemory();
                return std::ptr::null_mut();
            }
            o
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// `d.get(key)`: 1 and the value word in `out`, or 0 when absent.
///
/// # Safety
/// `d` is a live local dict, `out` a writable word.
pub unsafe extern "C" fn pyston_ldict_get(d: u64, key: u64, out: *mut u64) -> i32 {
    // SAFETY: the caller's contract.
    let f = unsafe { dict_fields(d as *mut ffi::PyObject) };
    let i = probe(f, key);
    // SAFETY: `i` is a slot of the index; a live entry when not -1.
    unsafe {
        let e = *f.index.add(i);
        if e < 0 {
            return 0;
        }
        *out = (*f.entries.add(e as usize))[1];
    }
    1
}

/// `d[key] = value`: OK, or ERROR (MemoryError set).
///
/// # Safety
/// Called by compiled code with its live context; `d` is a live local dict.
pub unsafe extern "C" fn pyston_ldict_set(ctx: *mut Ctx, d: u64, key: u64, value: u64) -> i32 {
    // SAFETY: the caller's contract.
    let f = unsafe { dict_fields(d as *mut ffi::PyObject) };
    let i = probe(f, key);
    // SAFETY: `i` is a slot of the index; a live entry when not -1.
    let e = unsafe { *f.index.add(i) };
    if e >= 0 {
        // SAFETY: as above.
        unsafe { (*f.entries.add(e as usize))[1] = value };
        return OK;
    }
    if !dict_reserve(f) {
        no_memory(ctx);
        return ERROR;
    }
    // (the index may have grown: probe again)
    let i = probe(f, key);
    // SAFETY: room for one more entry and a free slot at `i`.
    unsafe {
        *f.entries.add(f.len as usize) = [key, value];
        *f.index.add(i) = f.len as i32;
    }
    f.len += 1;
    OK
}

/// A new reference to a new `dict` of local dict `d`'s entries, in order.
///
/// # Safety
/// `d` is a live local dict; the GIL is held.
unsafe fn new_dict(py: Python<'_>, d: *mut ffi::PyObject, vkind: i32) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: the caller's contract.
    unsafe {
        let f = dict_fields(d);
        let out = ffi::PyDict_New();
        if out.is_null() {
            return Err(PyErr::fetch(py));
        }
        for e in 0..f.len as usize {
            let [k, v] = *f.entries.add(e);
            let ko = ffi::PyLong_FromLongLong(k as i64);
            let vo = super::lists::box_elem(py, vkind, v);
            let bad = ko.is_null() || vo.is_null() || ffi::PyDict_SetItem(out, ko, vo) < 0;
            for o in [ko, vo] {
                if !o.is_null() {
                    ffi::Py_DECREF(o);
                }
            }
            if bad {
                ffi::Py_DECREF(out);
                return Err(PyErr::fetch(py));
            }
        }
        Ok(out)
    }
}

/// A new `dict` of local dict `d`, kept alive by the arena (where it is returned); 0 on error.
///
/// # Safety
/// Called by compiled code with its live context; `d` is a live local dict.
pub unsafe extern "C" fn pyston_ldict_to_dict(ctx: *mut Ctx, d: u64, vkind: i32) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `d` is a live local dict (the contract); the GIL is held in the closure.
    let o = super::lists::with_gil(ctx, |py| {
        match unsafe { new_dict(py, d as *mut ffi::PyObject, vkind) } {
            Ok(o) => o,
            Err(e) => {
                e.restore(py);
                std::ptr::null_mut()
            }
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// The `dict` local dict `d` stands for where compiled code hands its values
/// to the interpreter tier (one object for every value holding it, as [`box_local_list`]).
///
/// # Safety
/// `d` is a live local dict.
pub unsafe fn box_local_dict(py: Python<'_>, d: *mut ffi::PyObject, vkind: i32) -> PyResult<Py<PyAny>> {
    // SAFETY: the caller's contract; the GIL is held (`py`).
    unsafe {
        let f = dict_fields(d);
        if f.boxed.is_null() {
            f.boxed = new_dict(py, d, vkind)?;
        }
        Ok(Bound::from_borrowed_ptr(py, f.boxed).unbind())
    }
}

// ---------------------------------------------------------------------------
// Loops over local dicts (`Ty::LocalIter`): compiled code steps the iterator
// itself (`codegen/local_lists.rs`); the runtime makes it, raises the error of
// a dict that changed size and makes it into CPython's iterator for the
// interpreter tier.

/// A local dict iterator's fields after the object header (offsets `LITER_*`).
#[repr(C)]
struct IterFields {
    dict: *mut ffi::PyObject,
    len0: i64,
    pos: i64,
    boxed: *mut ffi::PyObject,
}

const _: () = {
    use pyston_compiler::abi::{LDICT_ENTRIES, LITER_BOXED, LITER_DICT, LITER_LEN0, LITER_POS, LITER_SIZE};
    assert!(std::mem::offset_of!(DictFields, entries) + 16 == LDICT_ENTRIES as usize);
    assert!(std::mem::offset_of!(IterFields, dict) + 16 == LITER_DICT as usize);
    assert!(std::mem::offset_of!(IterFields, len0) + 16 == LITER_LEN0 as usize);
    assert!(std::mem::offset_of!(IterFields, pos) + 16 == LITER_POS as usize);
    assert!(std::mem::offset_of!(IterFields, boxed) + 16 == LITER_BOXED as usize);
    assert!(std::mem::size_of::<IterFields>() + 16 == LITER_SIZE as usize);
};

/// # Safety
/// `o` is a live local dict iterator.
unsafe fn iter_fields<'a>(o: *mut ffi::PyObject) -> &'a mut IterFields {
    // SAFETY: the caller's contract; the fields follow the 16-byte header.
    unsafe { &mut *(o as *mut u8).add(16).cast::<IterFields>() }
}

unsafe extern "C" fn iter_dealloc(o: *mut ffi::PyObject) {
    // SAFETY: CPython calls this once, for an iterator whose count reached zero;
    // it owns a reference to its dict.
    unsafe {
        let f = iter_fields(o);
        if !f.dict.is_null() {
            ffi::Py_DECREF(f.dict);
        }
        free_object(o, f.boxed);
    }
}

/// The local dict iterator type, made once.
fn local_iter_type() -> usize {
    static TYPE: OnceLock<usize> = OnceLock::new();
    *TYPE.get_or_init(|| {
        heap_type(
            c"pyston._local_dict_iterator",
            pyston_compiler::abi::LITER_SIZE,
            iter_dealloc,
        )
    })
}

/// A new iterator over local dict `d` (its length now, no item fetched), kept
/// alive by the arena; 0 when allocation failed (MemoryError set).
///
/// # Safety
/// Called by compiled code with its live context; `d` is a live local dict.
pub unsafe extern "C" fn pyston_liter_new(ctx: *mut Ctx, d: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let o = super::lists::with_gil(ctx, |_py| {
        // SAFETY: the GIL is held; the instance is zeroed by the generic allocator;
        // `d` is a live local dict (the contract), of which the iterator keeps a reference.
        unsafe {
            let o = new_object(local_iter_type());
            if o.is_null() {
                return o;
            }
            let f = iter_fields(o);
            let d = d as *mut ffi::PyObject;
            ffi::Py_INCREF(d);
            f.dict = d;
            f.len0 = dict_fields(d).len;
            o
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// Sets CPython's error for a dict whose size changed while a loop iterated
/// over it; ERROR.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_liter_changed(ctx: *mut Ctx) -> i32 {
    // SAFETY: `ctx` is the live context (the contract); the GIL is held in the closure.
    super::lists::with_gil(unsafe { &*ctx }, |py| {
        pyo3::exceptions::PyRuntimeError::new_err("dictionary changed size during iteration").restore(py)
    });
    ERROR
}

/// The `[iterator, current item]` list (see `helpers/iters.rs`) local dict
/// iterator `it` stands for where compiled code hands its values to the
/// interpreter tier: CPython's iterator over the dict `box_local_dict` makes
/// (the dict itself for `kind` 0, its `values()` for 1, `items()` for 2)
/// after the items compiled code fetched, so that the interpreter continues
/// the same iteration. A dict that grew since the loop started has the
/// entries added since taken out while the iterator is made and put back
/// after, in order (the same dict; the iterator's count is the length the
/// loop started with, so its next step raises CPython's `RuntimeError`).
/// Made once, as [`box_local_dict`].
///
/// # Safety
/// `it` is a live local dict iterator.
pub unsafe fn box_local_iter(py: Python<'_>, it: *mut ffi::PyObject, kind: i32, vkind: i32) -> PyResult<Py<PyAny>> {
    use pyo3::types::{PyDict, PyDictMethods, PyList};
    // SAFETY: the caller's contract; the GIL is held (`py`).
    let f = unsafe { iter_fields(it) };
    if !f.boxed.is_null() {
        // SAFETY: a live list the iterator owns.
        return Ok(unsafe { Bound::from_borrowed_ptr(py, f.boxed) }.unbind());
    }
    // SAFETY: the iterator's dict is a live local dict.
    let dict = unsafe { box_local_dict(py, f.dict, vkind) }?;
    // SAFETY: as above.
    let len = unsafe { dict_fields(f.dict) }.len;
    let d = dict.bind(py).cast::<PyDict>()?.clone();
    let mut added = Vec::new();
    for e in f.len0..len {
        // SAFETY: entries below `len` are live.
        let key = unsafe { (*dict_fields(f.dict).entries.add(e as usize))[0] } as i64;
        let k = key.into_pyobject(py)?.into_any();
        let v = d
            .get_item(&k)?
            .ok_or_else(|| crate::internal_error("a local dict entry"))?;
        d.del_item(&k)?;
        added.push((k, v));
    }
    let src = match kind {
        0 => d.clone().into_any(),
        1 => d.call_method0(pyo3::intern!(py, "values"))?,
        _ => d.call_method0(pyo3::intern!(py, "items"))?,
    };
    let iter = src.try_iter()?;
    let mut cur = py.None().into_bound(py);
    for _ in 0..f.pos {
        cur = iter
            .clone()
            .next()
            .ok_or_else(|| crate::internal_error("a local dict iterator past its end"))??;
    }
    for (k, v) in added {
        d.set_item(k, v)?;
    }
    let w = PyList::new(py, [iter.into_any(), cur])?;
    f.boxed = w.clone().into_any().into_ptr();
    Ok(w.into_any().unbind())
}

/// The view (`kind` 0: `keys()`, 1: `values()`, 2: `items()`) of the dict
/// local dict `d` stands for ([`box_local_dict`]).
///
/// # Safety
/// `d` is a live local dict.
pub unsafe fn box_local_view(py: Python<'_>, d: *mut ffi::PyObject, kind: i32, vkind: i32) -> PyResult<Py<PyAny>> {
    // SAFETY: the caller's contract.
    let dict = unsafe { box_local_dict(py, d, vkind) }?;
    let name = match kind {
        0 => pyo3::intern!(py, "keys"),
        1 => pyo3::intern!(py, "values"),
        _ => pyo3::intern!(py, "items"),
    };
    Ok(dict.bind(py).call_method0(name)?.unbind())
}
