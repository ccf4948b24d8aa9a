//! Lists: the native operations on `list(int)`, `list(float)` and
//! `list(bool)` compiled code performs (see `codegen/lists.rs`). A list is a
//! real CPython `list` object; elements are boxed exactly as CPython would
//! box them when written (an `int`, a `float`, `True`/`False`) and checked
//! when read: an element of another type, or an int beyond 64 bits,
//! returns DEOPT and the interpreter tier re-executes the read exactly.
//!
//! Element kinds (`pyston_compiler::infer::native_kind`): 0 int, 1 float,
//! 2 bool, 16 + dtype index for a NumPy scalar. Everything goes through the
//! C API's list functions (abi3: no macros, no field offsets), except the
//! length, read with `Py_SIZE` (the `ob_size` of `PyVarObject`, part of the
//! stable ABI).
//!
//! The GIL: compiled code that uses lists holds it (inference refuses lists
//! under `nogil`/`parallel`), so the hot helpers (read, write, append) do
//! not take it again (`Python::attach` costs more than the operation) unless
//! the call's context says it runs without it (`Ctx::no_gil`: a parallel
//! ufunc loop's worker thread, for one).

use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::types::Dtype;

/// Runs `f` with the GIL: the caller's, or taken when the call runs without it.
pub(super) fn with_gil<R>(ctx: &Ctx, f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    if ctx.no_gil {
        Python::attach(f)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        f(unsafe { Python::assume_attached() })
    }
}

/// Where a float object's value is: after `PyObject_HEAD` (reference count
/// and type pointer) in CPython's non-debug builds 3.9 to 3.13, the only
/// builds the abi3 wheel loads in (tests/test_lists.py checks np.float64
/// elements made here against NumPy's own, NaN, -0.0 and infinities included).
pub(crate) const FLOAT_VALUE_OFFSET: usize = 16;

/// The NumPy scalar dtype of an element kind >= 16.
fn np_dtype(kind: i32) -> Option<Dtype> {
    Dtype::ALL.get(usize::try_from(kind - 16).ok()?).copied()
}

/// A new reference to the object CPython makes for a native value of kind
/// `kind`, or NULL with an exception set.
///
/// # Safety
/// The GIL is held.
pub(super) unsafe fn box_elem(py: Python<'_>, kind: i32, bits: u64) -> *mut ffi::PyObject {
    // SAFETY: plain C API calls with the GIL held (the caller's contract).
    unsafe {
        match kind {
            0 => ffi::PyLong_FromLongLong(bits as i64),
            1 => ffi::PyFloat_FromDouble(f64::from_bits(bits)),
            2 => {
                let b = if bits & 0xff != 0 {
                    ffi::Py_True()
                } else {
                    ffi::Py_False()
                };
                ffi::Py_INCREF(b);
                b
            }
            3 => {
                // A str: the word is the object (live: held by compiled code).
                let o = bits as *mut ffi::PyObject;
                ffi::Py_INCREF(o);
                o
            }
            k if np_dtype(k) == Some(Dtype::Float64) => {
                // An np.float64: NumPy's scalar object is CPython's float object
                // layout (np.float64 subclasses float: `PyDoubleScalarObject` is
                // `PyObject_HEAD` then the double, as `PyFloatObject`), allocated as
                // NumPy's own `gentype_alloc` does (zeroed memory from the object
                // allocator; the type is static and not garbage-collected).
                let Ok(np) = crate::boxing::np_types(py) else {
                    return std::ptr::null_mut();
                };
                let tp = np.scalar_types[k as usize - 16] as *mut ffi::PyTypeObject;
                let o = ffi::PyType_GenericAlloc(tp, 0);
                if !o.is_null() {
                    *(o as *mut u8).add(FLOAT_VALUE_OFFSET).cast::<f64>() = f64::from_bits(bits);
                }
                o
            }
            k => match np_dtype(k).map(|d| crate::boxing::np_scalar(py, d, &[bits, 0])) {
                Some(Ok(o)) => o.into_ptr(),
                Some(Err(e)) => {
                    e.restore(py);
                    std::ptr::null_mut()
                }
                None => {
                    crate::internal_error("bad list element kind").restore(py);
                    std::ptr::null_mut()
                }
            },
        }
    }
}

/// The native value of `o` if it is exactly of kind `kind` (an int within 64 bits).
///
/// # Safety
/// The GIL is held and `o` is a live object.
pub(super) unsafe fn unbox_elem(py: Python<'_>, kind: i32, o: *mut ffi::PyObject) -> Option<u64> {
    // SAFETY: type checks by identity with CPython's and NumPy's type objects,
    // then reads of an object of exactly that type (the caller's contract).
    unsafe {
        let tp = ffi::Py_TYPE(o);
        match kind {
            0 if tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) => {
                let mut overflow = 0;
                let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
                (overflow == 0).then_some(v as u64)
            }
            1 if tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type) => Some(ffi::PyFloat_AsDouble(o).to_bits()),
            2 if o == ffi::Py_True() => Some(1),
            2 if o == ffi::Py_False() => Some(0),
            // Borrowed: the caller keeps a reference (see `pyston_list_get`).
            3 if tp == std::ptr::addr_of_mut!(ffi::PyUnicode_Type) => Some(o as u64),
            k if k >= 16 => {
                let d = np_dtype(k)?;
                let np = crate::boxing::np_types(py).ok()?;
                if tp as usize != np.scalar_types[k as usize - 16] {
                    return None;
                }
                // The value's bytes, masked to the dtype's width (as `np_scalar_slots`).
                if d == Dtype::Float64 {
                    // np.float64 is a float subclass: its value is the float's.
                    return Some(ffi::PyFloat_AsDouble(o).to_bits());
                }
                let mut buf = [0u64; 2];
                numpy::npyffi::PY_ARRAY_API.PyArray_ScalarAsCtype(py, o, buf.as_mut_ptr() as *mut _);
                Some(match d.itemsize() {
                    1 => buf[0] & 0xff,
                    2 => buf[0] & 0xffff,
                    4 => buf[0] & 0xffff_ffff,
                    _ => buf[0],
                })
            }
            _ => None,
        }
    }
}

/// `idx` counted from the end when negative; `None` when out of range.
fn normalize(idx: i64, n: isize) -> Option<isize> {
    let i = if idx < 0 { idx.checked_add(n as i64)? } else { idx };
    (0..n as i64).contains(&i).then_some(i as isize)
}

/// A new list of `n` native values of kind `kind` (`items` holds them as
/// words), kept alive by the arena; NULL when allocation failed (the
/// exception is set).
///
/// # Safety
/// Called by compiled code with its live context; `items` holds `n` words.
pub unsafe extern "C" fn pyston_list_new(ctx: *mut Ctx, kind: i32, items: *const u64, n: i64) -> u64 {
    Python::attach(|py| {
        // SAFETY: the GIL is held; `items` holds `n` words (the contract); each
        // PyList_SetItem steals the new element reference, into a fresh list.
        unsafe {
            let l = ffi::PyList_New(n as ffi::Py_ssize_t);
            if l.is_null() {
                return 0;
            }
            for i in 0..n as usize {
                let o = box_elem(py, kind, *items.add(i));
                if o.is_null() || ffi::PyList_SetItem(l, i as ffi::Py_ssize_t, o) < 0 {
                    ffi::Py_DECREF(l);
                    return 0;
                }
            }
            (*ctx).arena.push(l);
            l as u64
        }
    })
}

/// `list.append(x)` of a native value: OK, or ERROR (MemoryError set).
///
/// # Safety
/// Called by compiled code; `list` is a live list.
pub unsafe extern "C" fn pyston_list_append(ctx: *mut Ctx, list: u64, kind: i32, bits: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &*ctx };
    {
        with_gil(ctx, |py| {
            // SAFETY: the GIL is held; `list` is a live list (the contract).
            unsafe {
                let o = box_elem(py, kind, bits);
                if o.is_null() {
                    return ERROR;
                }
                let r = ffi::PyList_Append(list as *mut ffi::PyObject, o);
                ffi::Py_DECREF(o);
                if r < 0 {
                    ERROR
                } else {
                    OK
                }
            }
        })
    }
}

/// `list[idx]` as a native value of kind `kind` into `out`: OK; ERROR with
/// CPython's `IndexError: list index out of range`; DEOPT when the element
/// is not of that kind (the interpreter reads it).
///
/// # Safety
/// Called by compiled code; `list` is a live list, `out` a writable word.
pub unsafe extern "C" fn pyston_list_get(ctx: *mut Ctx, list: u64, idx: i64, kind: i32, out: *mut u64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let mut keep: *mut ffi::PyObject = std::ptr::null_mut();
    let st = {
        with_gil(ctx, |py| {
            let l = list as *mut ffi::PyObject;
            // SAFETY: the GIL is held; `list` is a live list, so `Py_SIZE` reads its
            // length and PyList_GetItem a borrowed reference to an element in range.
            unsafe {
                let Some(i) = normalize(idx, ffi::Py_SIZE(l)) else {
                    ffi::PyErr_SetString(ffi::PyExc_IndexError, c"list index out of range".as_ptr());
                    return ERROR;
                };
                let o = ffi::PyList_GetItem(l, i);
                if o.is_null() {
                    return ERROR;
                }
                match unbox_elem(py, kind, o) {
                    Some(v) => {
                        if kind == 3 {
                            // A str element: compiled code holds its own reference
                            // (the list may drop the element while it is used).
                            ffi::Py_INCREF(o);
                            keep = o;
                        }
                        *out = v;
                        OK
                    }
                    None => DEOPT,
                }
            }
        })
    };
    if !keep.is_null() {
        ctx.arena.push(keep);
    }
    st
}

/// The `n` items of `list` as native values of kind `kind` into `out[..n]`
/// (`f(..., *xs)` of a list, `codegen::calls`): OK; DEOPT where the list's
/// length is not `n` or an item is not of that kind (the interpreter tier
/// makes the call as CPython does). Not for str elements (kind 3: their
/// references are not kept).
///
/// # Safety
/// Called by compiled code; `list` is a live list, `out` holds `n` words.
pub unsafe extern "C" fn pyston_list_items(ctx: *mut Ctx, list: u64, n: i64, kind: i32, out: *mut u64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &*ctx };
    with_gil(ctx, |py| {
        let l = list as *mut ffi::PyObject;
        // SAFETY: the GIL is held; `list` is a live list, so `Py_SIZE` reads its
        // length and `PyList_GetItem` borrowed references to its elements in
        // range; `out` has room for `n` words (the caller's contract).
        unsafe {
            if kind == 3 || ffi::Py_SIZE(l) as i64 != n {
                return DEOPT;
            }
            for i in 0..n {
                let o = ffi::PyList_GetItem(l, i as ffi::Py_ssize_t);
                if o.is_null() {
                    return ERROR;
                }
                // (an exact float read in place, as `helpers::iters` reads one)
                let v = if kind == 1 && ffi::Py_TYPE(o) == std::ptr::addr_of_mut!(ffi::PyFloat_Type) {
                    Some(*(o as *const u8).add(FLOAT_VALUE_OFFSET).cast::<u64>())
                } else {
                    unbox_elem(py, kind, o)
                };
                match v {
                    Some(v) => *out.add(i as usize) = v,
                    None => return DEOPT,
                }
            }
            OK
        }
    })
}

/// `list[idx] = x` of a native value: OK, or ERROR with CPython's
/// `IndexError: list assignment index out of range`.
///
/// # Safety
/// Called by compiled code; `list` is a live list.
pub unsafe extern "C" fn pyston_list_set(ctx: *mut Ctx, list: u64, idx: i64, kind: i32, bits: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &*ctx };
    {
        with_gil(ctx, |py| {
            let l = list as *mut ffi::PyObject;
            // SAFETY: the GIL is held; `list` is a live list; PyList_SetItem steals the
            // new element's reference (and releases the old element's).
            unsafe {
                let Some(i) = normalize(idx, ffi::Py_SIZE(l)) else {
                    ffi::PyErr_SetString(ffi::PyExc_IndexError, c"list assignment index out of range".as_ptr());
                    return ERROR;
                };
                let o = box_elem(py, kind, bits);
                if o.is_null() || ffi::PyList_SetItem(l, i, o) < 0 {
                    return ERROR;
                }
                OK
            }
        })
    }
}

/// `len(list)`.
///
/// # Safety
/// Called by compiled code; `list` is a live list.
pub unsafe extern "C" fn pyston_list_len(list: u64) -> i64 {
    // SAFETY: a live list is a PyVarObject; its `ob_size` is its length.
    unsafe { ffi::Py_SIZE(list as *mut ffi::PyObject) as i64 }
}

/// The loop test of a `for` loop over `list` under Numba's semantics, when
/// the list's length is not the one the loop started with: a typed `List`
/// (`pyston.numba.typed.List`) raises Numba's `RuntimeError` (ERROR, the
/// error set); another list is iterated as CPython iterates it (OK).
///
/// # Safety
/// Called by compiled code with its live context; `list` is a live object.
pub unsafe extern "C" fn pyston_list_mutated(ctx: *mut Ctx, list: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context (the contract); the GIL is held in the closure.
    with_gil(unsafe { &*ctx }, |py| {
        // SAFETY: the GIL is held and `list` is live (the contract).
        let obj = unsafe { Bound::from_borrowed_ptr(py, list as *mut ffi::PyObject) };
        if !crate::boxing::is_typed_list(&obj) {
            return OK;
        }
        pyo3::exceptions::PyRuntimeError::new_err("list was mutated during iteration").restore(py);
        ERROR
    })
}

/// `np.array(list)` of a list of kind `kind` (0 int, 1 float, 2 bool) into
/// the new array's buffer `dst` of `len(list)` elements (int64, float64 or
/// bool, the dtype NumPy gives such a list): OK, or DEOPT when an element is
/// not exactly of the kind (the interpreter lets NumPy convert the list).
///
/// # Safety
/// Called by compiled code; `list` is a live list and `dst` holds `len(list)`
/// elements of the kind's dtype.
pub unsafe extern "C" fn pyston_list_fill(ctx: *mut Ctx, list: u64, kind: i32, dst: *mut u8) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &*ctx };
    with_gil(ctx, |py| {
        let l = list as *mut ffi::PyObject;
        // SAFETY: the GIL is held; `list` is a live list, read within its length
        // (borrowed items); `dst` holds that many elements (the contract).
        unsafe {
            for i in 0..ffi::Py_SIZE(l) {
                let o = ffi::PyList_GetItem(l, i);
                if o.is_null() {
                    ffi::PyErr_Clear();
                    return DEOPT;
                }
                let Some(v) = unbox_elem(py, kind, o) else {
                    return DEOPT;
                };
                if kind == 2 {
                    *dst.add(i as usize) = v as u8;
                } else {
                    (dst as *mut u64).add(i as usize).write_unaligned(v);
                }
            }
            OK
        }
    })
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn negative_indexes_count_from_the_end() {
        assert_eq!(normalize(-1, 3), Some(2));
        assert_eq!(normalize(-3, 3), Some(0));
        assert_eq!(normalize(-4, 3), None);
        assert_eq!(normalize(3, 3), None);
        assert_eq!(normalize(i64::MIN, 3), None);
        assert_eq!(normalize(0, 0), None);
    }
}
