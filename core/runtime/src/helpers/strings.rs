//! Strings: the native operations on `str` objects (see `codegen/strings.rs`).
//! A string is a real CPython `str`; every operation here is CPython's own
//! (`PyUnicode_GetLength`, `PySequence_GetItem`, `PyObject_RichCompareBool`),
//! so results, exceptions and messages are CPython's.

use crate::runtime::*;
use pyo3::ffi;

/// Runs `f` with the GIL: held already, or taken for a call running without
/// it (`ctx.no_gil`: a `prange` body's chunk on a worker thread).
fn gil<R>(ctx: &mut Ctx, f: impl FnOnce(&mut Ctx) -> R) -> R {
    if ctx.no_gil {
        pyo3::Python::attach(|_| f(ctx))
    } else {
        f(ctx)
    }
}

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
    gil(ctx, |ctx| {
        // SAFETY: the GIL is held; `s` is a live str. PySequence_GetItem adds the
        // length to a negative index once, as `s[i]` does, and raises CPython's
        // "string index out of range" beyond it.
        let o = unsafe { ffi::PySequence_GetItem(s as *mut ffi::PyObject, i as ffi::Py_ssize_t) };
        if o.is_null() {
            return 0;
        }
        // SAFETY: `o` is a live one-character str.
        if unsafe { latin1_singleton(o) } {
            // CPython's cached one-character string: the cache keeps it for the process.
            // SAFETY: our reference is released; the cache's stays.
            unsafe { ffi::Py_DECREF(o) };
        } else {
            ctx.arena.push(o);
        }
        o as u64
    })
}

/// Whether `o`, a one-character string `s[i]` returned, is one of CPython's
/// cached Latin-1 characters (code point below 256: `unicode_getitem` returns
/// the cache's object, which lives as long as the interpreter, in every
/// CPython 3.9+), so compiled code need not keep a reference to it.
///
/// # Safety
/// The GIL is held; `o` is a live str of length 1.
unsafe fn latin1_singleton(o: *mut ffi::PyObject) -> bool {
    // SAFETY: reading the one character of a live str.
    let c = unsafe { ffi::PyUnicode_ReadChar(o, 0) };
    c < 256
}

/// `a OP b` for two strings (`op`: CPython's rich-comparison code): 1, 0, or
/// -1 when it raised.
///
/// # Safety
/// Called by compiled code; `a` and `b` are live `str` objects.
pub unsafe extern "C" fn pyston_str_cmp(ctx: *mut Ctx, a: u64, b: u64, op: i32) -> i32 {
    // SAFETY: `ctx` is the call's live context; two live objects; comparing two
    // exact strs never runs Python code.
    unsafe {
        gil(&mut *ctx, |_| {
            ffi::PyObject_RichCompareBool(a as *mut ffi::PyObject, b as *mut ffi::PyObject, op)
        })
    }
}

/// Keeps a new reference `o` (if not NULL) in the arena; returns it.
fn kept(ctx: &mut Ctx, o: *mut ffi::PyObject) -> u64 {
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// `needle in s` for two strings: 1, 0, or -1 when it raised.
///
/// # Safety
/// Called by compiled code; `s` and `needle` are live `str` objects.
pub unsafe extern "C" fn pyston_str_contains(ctx: *mut Ctx, s: u64, needle: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context; two live strs; PyUnicode_Contains
    // is `operator.contains` for them.
    unsafe {
        gil(&mut *ctx, |_| {
            ffi::PyUnicode_Contains(s as *mut ffi::PyObject, needle as *mut ffi::PyObject)
        })
    }
}

/// `a + b` for two strings: a new string kept by the arena, or NULL with the
/// exception set (MemoryError, OverflowError).
///
/// # Safety
/// Called by compiled code with its live context; `a` and `b` are live `str` objects.
pub unsafe extern "C" fn pyston_str_concat(ctx: *mut Ctx, a: u64, b: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context; with the GIL, PyUnicode_Concat
    // returns a new reference or NULL.
    unsafe {
        gil(&mut *ctx, |ctx| {
            let o = ffi::PyUnicode_Concat(a as *mut ffi::PyObject, b as *mut ffi::PyObject);
            kept(ctx, o)
        })
    }
}

/// `str(x)` of a native int (`kind` 0), float (1) or bool (2): a new string
/// kept by the arena (CPython's own `str`, so a float is its shortest repr),
/// or NULL with the exception set.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_str_from(ctx: *mut Ctx, kind: i32, bits: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context; the GIL is held inside `gil`.
    unsafe {
        gil(&mut *ctx, |ctx| {
            let py = pyo3::Python::assume_attached();
            let x = super::lists::box_elem(py, kind, bits);
            if x.is_null() {
                return 0;
            }
            let o = ffi::PyObject_Str(x);
            ffi::Py_DECREF(x);
            kept(ctx, o)
        })
    }
}

/// `int(s)` of a string into `out`: OK; ERROR with CPython's `ValueError`;
/// DEOPT when the value does not fit 64 bits (the interpreter tier calls `int`).
///
/// # Safety
/// Called by compiled code; `s` is a live `str`, `out` a writable word.
pub unsafe extern "C" fn pyston_str_to_int(ctx: *mut Ctx, s: u64, out: *mut i64) -> i32 {
    // SAFETY: `ctx` is the call's live context; with the GIL, for an exact str
    // PyNumber_Long is `int(s)` (PyLong_FromUnicodeObject, base 10).
    unsafe {
        gil(&mut *ctx, |_| {
            let o = ffi::PyNumber_Long(s as *mut ffi::PyObject);
            if o.is_null() {
                return ERROR;
            }
            let mut overflow = 0;
            let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
            ffi::Py_DECREF(o);
            if overflow != 0 {
                return DEOPT;
            }
            *out = v;
            OK
        })
    }
}

/// `s[lo:hi]` (step 1; `has_lo`/`has_hi` 0 for an omitted bound): a string
/// kept by the arena, or NULL with the exception set. Bounds are adjusted as
/// CPython's `PySlice_AdjustIndices` does (negative from the end, clamped).
///
/// # Safety
/// Called by compiled code with its live context; `s` is a live `str`.
pub unsafe extern "C" fn pyston_str_slice(ctx: *mut Ctx, s: u64, lo: i64, has_lo: i32, hi: i64, has_hi: i32) -> u64 {
    // SAFETY: `ctx` is the call's live context; `s` is a live str; with the GIL,
    // PyUnicode_Substring returns a new reference (the string itself when the
    // slice is all of it, as `s[:]` does) or NULL.
    unsafe {
        gil(&mut *ctx, |ctx| {
            let o = s as *mut ffi::PyObject;
            let n = ffi::PyUnicode_GetLength(o) as i64;
            let adjust = |x: i64, has: i32, dflt: i64| -> i64 {
                if has == 0 {
                    return dflt;
                }
                if x < 0 {
                    (x + n).max(0)
                } else {
                    x.min(n)
                }
            };
            let (a, b) = (adjust(lo, has_lo, 0), adjust(hi, has_hi, n));
            let b = b.max(a);
            let r = ffi::PyUnicode_Substring(o, a as ffi::Py_ssize_t, b as ffi::Py_ssize_t);
            kept(ctx, r)
        })
    }
}

/// The value for a raised exception from [`pyston_str_search`].
pub const SEARCH_ERROR: i64 = i64::MIN;

/// `s.startswith(sub)` (`op` 0), `s.endswith(sub)` (1), `s.find(sub)` (2),
/// `s.rfind(sub)` (3) or `s.count(sub)` (4) for two strings, by CPython's own
/// functions (`PyUnicode_Tailmatch`, `PyUnicode_Find`, `PyUnicode_Count` over
/// the whole string, as the methods without bounds): the result (a bool as
/// 0/1), or [`SEARCH_ERROR`] when it raised.
///
/// # Safety
/// Called by compiled code with its live context; `s` and `sub` are live `str` objects.
pub unsafe extern "C" fn pyston_str_search(ctx: *mut Ctx, op: i32, s: u64, sub: u64) -> i64 {
    // SAFETY: `ctx` is the call's live context; two live strs; the GIL is held inside `gil`.
    unsafe {
        gil(&mut *ctx, |_| {
            let (s, sub) = (s as *mut ffi::PyObject, sub as *mut ffi::PyObject);
            let end = ffi::PY_SSIZE_T_MAX;
            let r = match op {
                0 | 1 => ffi::PyUnicode_Tailmatch(s, sub, 0, end, if op == 0 { -1 } else { 1 }),
                2 | 3 => ffi::PyUnicode_Find(s, sub, 0, end, if op == 2 { 1 } else { -1 }),
                _ => ffi::PyUnicode_Count(s, sub, 0, end),
            };
            // Errors: -1 from Tailmatch/Count, -2 from Find (-1 is "not found").
            if (r == -1 && op != 2 && op != 3) || r == -2 {
                SEARCH_ERROR
            } else {
                r as i64
            }
        })
    }
}
