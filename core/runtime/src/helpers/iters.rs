//! `for` loops over dicts, sets and dict views (see `codegen/lists.rs`,
//! `iter_inst`). The loop holds CPython's own iterator over the container
//! in a two-item list `[iterator, current item]` (the same object the
//! interpreter tier uses, so a loop that deoptimizes continues there), and
//! every step is the iterator's own `tp_iternext`: the order, and the
//! `RuntimeError` of a dict or set that changed size while the loop runs,
//! are CPython's. A loop whose items have native leaves steps and reads them
//! in one call (`pyston_iter_step`); others step (`pyston_iter_next`), then
//! read the current item (`pyston_iter_item`).

use super::lists::{unbox_elem, with_gil, FLOAT_VALUE_OFFSET};

/// Where a tuple's length and its items are: after `PyObject_HEAD`, the
/// length (`ob_size`), then the item pointers, in CPython's non-debug builds
/// 3.9 to 3.13 (the builds the abi3 wheel loads in; as `FLOAT_VALUE_OFFSET`).
const TUPLE_SIZE_OFFSET: usize = 16;
const TUPLE_ITEMS_OFFSET: usize = 24;

/// The length of the tuple `t`.
///
/// # Safety
/// `t` is a live object of exactly `tuple`'s type.
unsafe fn tuple_len(t: *mut ffi::PyObject) -> isize {
    // SAFETY: a tuple's length is at `TUPLE_SIZE_OFFSET` (see above).
    unsafe { *(t as *const u8).add(TUPLE_SIZE_OFFSET).cast::<isize>() }
}

/// Item `i` of the tuple `t` (borrowed).
///
/// # Safety
/// `t` is a live object of exactly `tuple`'s type; `0 <= i < len(t)`.
unsafe fn tuple_item(t: *mut ffi::PyObject, i: isize) -> *mut ffi::PyObject {
    // SAFETY: a tuple's items follow its length (see above); `i` is in range.
    unsafe {
        *(t as *const u8)
            .add(TUPLE_ITEMS_OFFSET)
            .cast::<*mut ffi::PyObject>()
            .offset(i)
    }
}
use crate::runtime::*;
use pyo3::ffi;

/// A new loop iterator over `obj` (a dict, set or dict view), kept alive by
/// the arena; NULL with an exception set when it could not be made.
///
/// # Safety
/// Called by compiled code with its live context; `obj` is a live object.
pub unsafe extern "C" fn pyston_iter_new(ctx: *mut Ctx, obj: u64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let no_gil = ctx.no_gil;
    let arena = &mut ctx.arena;
    let mut run = |_py: pyo3::Python<'_>| {
        // SAFETY: the GIL is held and `obj` is live; PyList_SetItem steals the
        // references it is given (the iterator's and None's).
        unsafe {
            let it = ffi::PyObject_GetIter(obj as *mut ffi::PyObject);
            if it.is_null() {
                return 0;
            }
            let w = ffi::PyList_New(2);
            if w.is_null() {
                ffi::Py_DECREF(it);
                return 0;
            }
            ffi::PyList_SetItem(w, 0, it);
            ffi::Py_INCREF(ffi::Py_None());
            ffi::PyList_SetItem(w, 1, ffi::Py_None());
            arena.push(w);
            w as u64
        }
    };
    if no_gil {
        pyo3::Python::attach(run)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        run(unsafe { pyo3::Python::assume_attached() })
    }
}

/// The loop test: fetches the iterator's next item into the loop iterator
/// `w`. 1: an item; 0: the iteration is over; -1: it raised (CPython's
/// `RuntimeError: dictionary changed size during iteration`, ...).
///
/// # Safety
/// Called by compiled code; `w` is a loop iterator made by `pyston_iter_new`.
pub unsafe extern "C" fn pyston_iter_next(ctx: *mut Ctx, w: u64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &*ctx };
    with_gil(ctx, |_py| {
        let w = w as *mut ffi::PyObject;
        // SAFETY: the GIL is held; `w` is a live two-item list whose item 0 is an
        // iterator; PyIter_Next gives a new reference, which PyList_SetItem steals
        // (releasing the previous item).
        unsafe {
            let it = ffi::PyList_GetItem(w, 0);
            if it.is_null() {
                return -1;
            }
            let x = ffi::PyIter_Next(it);
            if x.is_null() {
                if !ffi::PyErr_Occurred().is_null() {
                    return -1;
                }
                ffi::Py_INCREF(ffi::Py_None());
                ffi::PyList_SetItem(w, 1, ffi::Py_None());
                return 0;
            }
            ffi::PyList_SetItem(w, 1, x);
            1
        }
    })
}

/// A native leaf of the current item of the loop iterator `w`: the item
/// itself (an empty `path`), or the item at `path` in nested tuples (`(key,
/// value)` pairs of `items()`, tuple keys; `n` pairs of an index and the
/// length the tuple must have), read as a native value of kind
/// `kind` into `out`: OK, or DEOPT when it is not one (the interpreter tier
/// reads it).
///
/// # Safety
/// Called by compiled code; `w` is a loop iterator, `path` points to `2 n`
/// words, `out` is a writable word.
pub unsafe extern "C" fn pyston_iter_item(
    ctx: *mut Ctx,
    w: u64,
    path: *const i64,
    n: i64,
    kind: i32,
    out: *mut u64,
) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let mut keep = std::ptr::null_mut();
    let st = with_gil(ctx, |py| {
        let st = item(py, w as *mut ffi::PyObject, path, n, kind, out, &mut keep);
        if st == DEOPT {
            // SAFETY: `w` is a live loop iterator (the caller's contract).
            unsafe { record_mismatch(py, w as *mut ffi::PyObject) };
        }
        st
    });
    if !keep.is_null() {
        ctx.arena.push(keep);
    }
    st
}

/// Tells `iter_args` the type of the current item of the loop iterator
/// `w`, which compiled code did not expect (the next call's guess).
///
/// # Safety
/// The GIL is held; `w` is a live loop iterator.
unsafe fn record_mismatch(py: pyo3::Python<'_>, w: *mut ffi::PyObject) {
    // SAFETY: the caller's contract; the items are borrowed from `w`.
    unsafe {
        let (it, x) = (ffi::PyList_GetItem(w, 0), ffi::PyList_GetItem(w, 1));
        if it.is_null() || x.is_null() {
            ffi::PyErr_Clear();
            return;
        }
        let (it, x) = (
            pyo3::Bound::from_borrowed_ptr(py, it),
            pyo3::Bound::from_borrowed_ptr(py, x),
        );
        crate::iter_args::record(py, &it, &x);
    }
}

/// `pyston_iter_item` with the GIL held.
///
/// # Safety
/// As `pyston_iter_item`'s; `keep` receives a str leaf's new reference.
unsafe fn item(
    py: pyo3::Python<'_>,
    w: *mut ffi::PyObject,
    path: *const i64,
    n: i64,
    kind: i32,
    out: *mut u64,
    keep: &mut *mut ffi::PyObject,
) -> i32 {
    {
        // SAFETY: the GIL is held; `w` is a live two-item list; the items read are
        // borrowed references the list (or the tuple it holds) keeps alive.
        unsafe {
            let mut x = ffi::PyList_GetItem(w, 1);
            if x.is_null() {
                return ERROR;
            }
            for k in 0..n as usize {
                let (part, len) = (
                    *path.add(2 * k) as ffi::Py_ssize_t,
                    *path.add(2 * k + 1) as ffi::Py_ssize_t,
                );
                if ffi::PyTuple_CheckExact(x) == 0 || ffi::PyTuple_Size(x) != len {
                    return DEOPT;
                }
                x = ffi::PyTuple_GetItem(x, part);
                if x.is_null() {
                    return ERROR;
                }
            }
            match unbox_elem(py, kind, x) {
                Some(v) => {
                    if kind == 3 {
                        // A str: compiled code holds its own reference (the next
                        // step replaces the iterator's current item).
                        ffi::Py_INCREF(x);
                        *keep = x;
                    }
                    *out = v;
                    OK
                }
                None => DEOPT,
            }
        }
    }
}

/// The loop test and the item at once: advances the loop iterator `w` and
/// reads the native leaves of its item into `out`, as described by `spec`
/// (`nleaves` groups of words: the leaf's kind, its depth `d`, then `d` pairs
/// of a tuple index and the length the tuple must have; see
/// `pyston_iter_item`). 1: an item, its leaves in `out`; 2: an item some
/// leaf of which is not native (it is left in `w` as the current item: the
/// item read deoptimizes and the interpreter tier reads it there); 0: the
/// iteration is over; -1: it raised (CPython's `RuntimeError: dictionary
/// changed size during iteration`, ...). The item is released at once
/// otherwise (the iterator of `items()` then reuses its pair).
///
/// # Safety
/// Called by compiled code; `w` is a loop iterator made by `pyston_iter_new`,
/// `spec` describes `nleaves` leaves, `out` has `nleaves` writable words.
pub unsafe extern "C" fn pyston_iter_step(ctx: *mut Ctx, w: u64, spec: *const i64, nleaves: i64, out: *mut u64) -> i32 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let no_gil = ctx.no_gil;
    let arena = &mut ctx.arena;
    // SAFETY: the caller's contract (above); the GIL is held in `step`.
    let mut run =
        |py: pyo3::Python<'_>| unsafe { step(py, w as *mut ffi::PyObject, spec, nleaves as usize, out, arena) };
    if no_gil {
        pyo3::Python::attach(run)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        run(unsafe { pyo3::Python::assume_attached() })
    }
}

/// `pyston_iter_step` with the GIL held; str leaves get a reference the arena keeps.
///
/// # Safety
/// As `pyston_iter_step`'s.
unsafe fn step(
    py: pyo3::Python<'_>,
    w: *mut ffi::PyObject,
    spec: *const i64,
    nleaves: usize,
    out: *mut u64,
    arena: &mut Vec<*mut ffi::PyObject>,
) -> i32 {
    // SAFETY: the GIL is held; `w` is a live two-item list whose item 0 is an
    // iterator; PyIter_Next gives a new reference `x`, released here or stolen
    // by PyList_SetItem; the leaves read are borrowed from `x` (a str leaf gets
    // its own reference, which the arena keeps, before `x` is released).
    unsafe {
        let it = ffi::PyList_GetItem(w, 0);
        if it.is_null() {
            return -1;
        }
        let x = ffi::PyIter_Next(it);
        if x.is_null() {
            return if ffi::PyErr_Occurred().is_null() { 0 } else { -1 };
        }
        if nleaves == 0 {
            ffi::Py_DECREF(x);
            return 1;
        }
        let kept = arena.len();
        let mut p = spec;
        'leaves: for leaf in 0..nleaves {
            let kind = *p as i32;
            let depth = *p.add(1) as usize;
            let path = p.add(2);
            p = p.add(2 + 2 * depth);
            let mut y = x;
            for k in 0..depth {
                let (part, len) = (*path.add(2 * k) as isize, *path.add(2 * k + 1) as isize);
                if ffi::Py_TYPE(y) != std::ptr::addr_of_mut!(ffi::PyTuple_Type) || tuple_len(y) != len {
                    break 'leaves;
                }
                // (0 <= part < len: the compiler's path into a tuple of that length)
                y = tuple_item(y, part);
            }
            let tp = ffi::Py_TYPE(y);
            let v = if kind == 0 {
                if tp != std::ptr::addr_of_mut!(ffi::PyLong_Type) {
                    break 'leaves;
                }
                let mut overflow = 0;
                let v = ffi::PyLong_AsLongLongAndOverflow(y, &mut overflow);
                if overflow != 0 {
                    break 'leaves;
                }
                v as u64
            } else if kind == 1 && tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type) {
                *(y as *const u8).add(FLOAT_VALUE_OFFSET).cast::<u64>()
            } else {
                let Some(v) = unbox_elem(py, kind, y) else {
                    break 'leaves;
                };
                if kind == 3 {
                    ffi::Py_INCREF(y);
                    arena.push(y);
                }
                v
            };
            *out.add(leaf) = v;
            if leaf + 1 == nleaves {
                ffi::Py_DECREF(x);
                return 1;
            }
        }
        // A leaf that is not native: the references taken on str leaves are not
        // needed (the interpreter tier reads the item, left in `w`).
        for o in arena.drain(kept..) {
            ffi::Py_DECREF(o);
        }
        ffi::PyList_SetItem(w, 1, x);
        record_mismatch(py, w);
        2
    }
}
