//! Dicts: the native operations on dicts with int/bool keys and int, float,
//! bool or NumPy-scalar values (see `codegen/lists.rs`, `dict_inst`). A dict
//! is a real CPython `dict`; keys and values are boxed as CPython boxes them
//! and values are checked when read (DEOPT on another type), as list elements
//! (`helpers/lists.rs`, whose element kinds these are). Hashing, equality and
//! insertion order are CPython's own: every operation is `PyDict_*`.

use super::lists::{box_elem, unbox_elem, with_gil};
use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;

/// A new empty dict, kept alive by the arena; NULL when allocation failed.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_dict_new(ctx: *mut Ctx) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let no_gil = ctx.no_gil;
    let mut run = |_py: Python<'_>| {
        // SAFETY: the GIL is held.
        let d = unsafe { ffi::PyDict_New() };
        if !d.is_null() {
            ctx.arena.push(d);
        }
        d as u64
    };
    if no_gil {
        Python::attach(run)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        run(unsafe { Python::assume_attached() })
    }
}

/// Writes dict value `v` (borrowed) as a native value of kind `vkind` to
/// `out`: OK, or DEOPT when it is not of that kind.
///
/// # Safety
/// The GIL is held; `v` is live; `out` is a writable word.
unsafe fn read_value(py: Python<'_>, vkind: i32, v: *mut ffi::PyObject, out: *mut u64) -> i32 {
    // SAFETY: the caller's contract.
    match unsafe { unbox_elem(py, vkind, v) } {
        Some(x) => {
            // SAFETY: as above.
            unsafe { *out = x };
            OK
        }
        None => DEOPT,
    }
}

/// `d[key]` as a native value of kind `vkind` into `out`: OK; ERROR with
/// CPython's `KeyError: key`; DEOPT when the value is not of that kind.
///
/// # Safety
/// Called by compiled code; `d` is a live dict, `out` a writable word.
pub unsafe extern "C" fn pyston_dict_get(
    ctx: *mut Ctx,
    d: u64,
    kkind: i32,
    kbits: u64,
    vkind: i32,
    out: *mut u64,
) -> i32 {
    // SAFETY: `d` is a live dict and the GIL is held while `with_key` runs the
    // closure; PyDict_GetItemWithError returns a borrowed reference.
    unsafe {
        with_key(ctx, kkind, kbits, ERROR, |py, k| {
            let v = ffi::PyDict_GetItemWithError(d as *mut ffi::PyObject, k);
            if v.is_null() {
                if ffi::PyErr_Occurred().is_null() {
                    ffi::PyErr_SetObject(ffi::PyExc_KeyError, k);
                }
                return ERROR;
            }
            read_value(py, vkind, v, out)
        })
    }
}

/// `d.get(key, default)` as a native value of kind `vkind` into `out`.
///
/// # Safety
/// As `pyston_dict_get`.
pub unsafe extern "C" fn pyston_dict_get_default(
    ctx: *mut Ctx,
    d: u64,
    kkind: i32,
    kbits: u64,
    vkind: i32,
    default: u64,
    out: *mut u64,
) -> i32 {
    // SAFETY: as `pyston_dict_get`.
    unsafe {
        with_key(ctx, kkind, kbits, ERROR, |py, k| {
            let v = ffi::PyDict_GetItemWithError(d as *mut ffi::PyObject, k);
            if v.is_null() {
                if !ffi::PyErr_Occurred().is_null() {
                    return ERROR;
                }
                *out = default;
                return OK;
            }
            read_value(py, vkind, v, out)
        })
    }
}

/// `d[key] = value`: OK or ERROR.
///
/// # Safety
/// Called by compiled code; `d` is a live dict.
pub unsafe extern "C" fn pyston_dict_set(ctx: *mut Ctx, d: u64, kkind: i32, kbits: u64, vkind: i32, vbits: u64) -> i32 {
    // SAFETY: `d` is a live dict and the GIL is held while `with_key` runs the
    // closure; PyDict_SetItem takes its own references, the value's is released here.
    unsafe {
        with_key(ctx, kkind, kbits, ERROR, |py, k| {
            let v = box_elem(py, vkind, vbits);
            if v.is_null() {
                return ERROR;
            }
            let r = ffi::PyDict_SetItem(d as *mut ffi::PyObject, k, v);
            ffi::Py_DECREF(v);
            if r < 0 {
                ERROR
            } else {
                OK
            }
        })
    }
}

/// `op(key)` with the key (element kind `kkind`, bits `kbits`) boxed for the
/// call and released after it; `failed` when boxing it failed.
///
/// # Safety
/// `ctx` is the call's live context; `op` may use the key only during the call.
pub(super) unsafe fn with_key(
    ctx: *mut Ctx,
    kkind: i32,
    kbits: u64,
    failed: i32,
    op: impl FnOnce(Python<'_>, *mut ffi::PyObject) -> i32,
) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &*ctx };
    with_gil(ctx, |py| {
        // SAFETY: the GIL is held; the key is a new reference released here.
        unsafe {
            let k = box_elem(py, kkind, kbits);
            if k.is_null() {
                return failed;
            }
            let r = op(py, k);
            ffi::Py_DECREF(k);
            r
        }
    })
}

/// `key in d`: 1, 0, or -1 when it raised.
///
/// # Safety
/// Called by compiled code; `d` is a live dict.
pub unsafe extern "C" fn pyston_dict_contains(ctx: *mut Ctx, d: u64, kkind: i32, kbits: u64) -> i32 {
    // SAFETY: `d` is a live dict and the GIL is held while `with_key` runs the closure.
    unsafe {
        with_key(ctx, kkind, kbits, -1, |_, k| {
            ffi::PyDict_Contains(d as *mut ffi::PyObject, k)
        })
    }
}

/// `del d[key]`: OK, or ERROR with CPython's `KeyError(key)`.
///
/// # Safety
/// Called by compiled code; `d` is a live dict.
pub unsafe extern "C" fn pyston_dict_del(ctx: *mut Ctx, d: u64, kkind: i32, kbits: u64) -> i32 {
    // SAFETY: `d` is a live dict and the GIL is held while `with_key` runs the closure.
    unsafe {
        with_key(ctx, kkind, kbits, ERROR, |_, k| {
            if ffi::PyDict_DelItem(d as *mut ffi::PyObject, k) < 0 {
                ERROR
            } else {
                OK
            }
        })
    }
}

/// `len(d)`.
///
/// # Safety
/// Called by compiled code; `d` is a live dict.
pub unsafe extern "C" fn pyston_dict_len(d: u64) -> i64 {
    // SAFETY: a live dict; PyDict_Size does not raise for a dict.
    unsafe { ffi::PyDict_Size(d as *mut ffi::PyObject) as i64 }
}
