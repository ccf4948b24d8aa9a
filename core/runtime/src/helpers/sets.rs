//! Sets: the native operations on sets of ints and bools (see
//! `codegen/lists.rs`, `set_inst`). A set is a real CPython `set`; elements
//! are boxed as CPython boxes them, and hashing, equality and iteration order
//! are CPython's own: every operation is `PySet_*`.

use super::dicts::with_key;
use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;

/// A new empty set, kept alive by the arena; NULL when allocation failed.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_set_new(ctx: *mut Ctx) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let no_gil = ctx.no_gil;
    let mut run = |_py: Python<'_>| {
        // SAFETY: the GIL is held.
        let s = unsafe { ffi::PySet_New(std::ptr::null_mut()) };
        if !s.is_null() {
            ctx.arena.push(s);
        }
        s as u64
    };
    if no_gil {
        Python::attach(run)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        run(unsafe { Python::assume_attached() })
    }
}

/// `s.add(key)` (`discard`: false) or `s.discard(key)` (`discard`: true): OK or ERROR.
///
/// # Safety
/// Called by compiled code; `s` is a live set.
unsafe fn set_update(ctx: *mut Ctx, s: u64, kkind: i32, kbits: u64, discard: bool) -> i32 {
    // SAFETY: `s` is a live set and the GIL is held while `with_key` runs the
    // closure; PySet_Add/PySet_Discard take their own references.
    unsafe {
        with_key(ctx, kkind, kbits, ERROR, |_, k| {
            let r = if discard {
                ffi::PySet_Discard(s as *mut ffi::PyObject, k)
            } else {
                ffi::PySet_Add(s as *mut ffi::PyObject, k)
            };
            if r < 0 {
                ERROR
            } else {
                OK
            }
        })
    }
}

/// `s.add(key)`: OK or ERROR.
///
/// # Safety
/// Called by compiled code; `s` is a live set.
pub unsafe extern "C" fn pyston_set_add(ctx: *mut Ctx, s: u64, kkind: i32, kbits: u64) -> i32 {
    // SAFETY: the caller's contract is this function's.
    unsafe { set_update(ctx, s, kkind, kbits, false) }
}

/// `s.discard(key)`: OK or ERROR.
///
/// # Safety
/// Called by compiled code; `s` is a live set.
pub unsafe extern "C" fn pyston_set_discard(ctx: *mut Ctx, s: u64, kkind: i32, kbits: u64) -> i32 {
    // SAFETY: the caller's contract is this function's.
    unsafe { set_update(ctx, s, kkind, kbits, true) }
}

/// `key in s`: 1, 0, or -1 when it raised.
///
/// # Safety
/// Called by compiled code; `s` is a live set.
pub unsafe extern "C" fn pyston_set_contains(ctx: *mut Ctx, s: u64, kkind: i32, kbits: u64) -> i32 {
    // SAFETY: `s` is a live set and the GIL is held while `with_key` runs the closure.
    unsafe {
        with_key(ctx, kkind, kbits, -1, |_, k| {
            ffi::PySet_Contains(s as *mut ffi::PyObject, k)
        })
    }
}

/// `len(s)`.
///
/// # Safety
/// Called by compiled code; `s` is a live set.
pub unsafe extern "C" fn pyston_set_len(s: u64) -> i64 {
    // SAFETY: a live set; PySet_Size does not raise for a set.
    unsafe { ffi::PySet_Size(s as *mut ffi::PyObject) as i64 }
}
