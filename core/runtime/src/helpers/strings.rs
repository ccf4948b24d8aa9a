//! Strings: the native operations on `str` objects (see `codegen/strings.rs`).
//! A string is a real CPython `str`; every operation here is CPython's own
//! (`PyUnicode_GetLength`, `PySequence_GetItem`, `PyObject_RichCompareBool`),
//! so results, exceptions and messages are CPython's.

use crate::runtime::*;
use pyo3::ffi;

/// `len(s)`.
///
/// # Safety
/// Called by compiled code; `s` is a live `str`.
pub unsafe extern "C" fn pyston_str_len(s: u64) -> i64 {
    // SAFETY: a live exact str: PyUnicode_GetLength does not fail for one.
    unsafe { ffi::PyUnicode_GetLength(s as *mut ffi::PyObject) as i64 }
}

/// `s[i]` (negative `i` counts from the end): a new one-character string kept
/// by the arena, or NULL with CPython's `IndexError` set.
///
/// # Safety
/// Called by compiled code with its live context; `s` is a live `str`.
pub unsafe extern "C" fn pyston_str_getitem(ctx: *mut Ctx, s: u64, i: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let no_gil = ctx.no_gil;
    let run = |ctx: &mut Ctx| {
        // SAFETY: the GIL is held; `s` is a live str. PySequence_GetItem adds the
        // length to a negative index once, as `s[i]` does, and raises CPython's
        // "string index out of range" beyond it.
        let o = unsafe { ffi::PySequence_GetItem(s as *mut ffi::PyObject, i as ffi::Py_ssize_t) };
        if !o.is_null() {
            ctx.arena.push(o);
        }
        o as u64
    };
    if no_gil {
        pyo3::Python::attach(|_| run(ctx))
    } else {
        run(ctx)
    }
}

/// `a OP b` for two strings (`op`: CPython's rich-comparison code): 1, 0, or
/// -1 when it raised.
///
/// # Safety
/// Called by compiled code; `a` and `b` are live `str` objects.
pub unsafe extern "C" fn pyston_str_cmp(a: u64, b: u64, op: i32) -> i32 {
    // SAFETY: two live objects; comparing two exact strs never runs Python code.
    unsafe { ffi::PyObject_RichCompareBool(a as *mut ffi::PyObject, b as *mut ffi::PyObject, op) }
}
