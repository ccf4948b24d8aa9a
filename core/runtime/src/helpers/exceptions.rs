//! Exception handling on the interpreter tier: `except` clause matching and
//! `raise ... from ...`, as CPython's `CHECK_EXC_MATCH` and `RAISE_VARARGS` do them.

use pyo3::exceptions::{PyBaseException, PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyTuple, PyType};

/// Whether `cls` is a class deriving from `BaseException`.
fn is_exc_class(cls: &Bound<'_, PyAny>) -> bool {
    cls.cast::<PyType>()
        .is_ok_and(|t| t.is_subclass_of::<PyBaseException>().unwrap_or(false))
}

/// `except classes:` for the exception instance `exc`: `classes` is a class
/// or a tuple of classes deriving from `BaseException` (else `TypeError`).
pub fn exc_match(py: Python<'_>, exc: &Bound<'_, PyAny>, classes: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let ok = match classes.cast::<PyTuple>() {
        Ok(t) => t.iter().all(|c| is_exc_class(&c)),
        Err(_) => is_exc_class(classes),
    };
    if !ok {
        return Err(PyTypeError::new_err(
            "catching classes that do not inherit from BaseException is not allowed",
        ));
    }
    // SAFETY: both pointers are valid objects held by the caller; the call neither steals nor raises.
    let m = unsafe { pyo3::ffi::PyErr_GivenExceptionMatches(exc.as_ptr(), classes.as_ptr()) } != 0;
    Ok(PyBool::new(py, m).to_owned().into_any().unbind())
}

/// An exception instance from what `raise` was given: instances as they are,
/// classes called without arguments.
fn instance<'py>(x: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyAny>> {
    if is_exc_class(x) {
        let v = x.call0()?;
        if !v.is_instance_of::<PyBaseException>() {
            return Err(PyTypeError::new_err(format!(
                "calling {} should have returned an instance of BaseException, not {}",
                x.repr()?,
                v.get_type().name()?
            )));
        }
        return Ok(v);
    }
    if x.is_instance_of::<PyBaseException>() {
        return Ok(x.clone());
    }
    Err(PyTypeError::new_err(format!("{what} must derive from BaseException")))
}

/// `raise exc from cause`: the instance to raise, its `__cause__` set (which
/// also sets `__suppress_context__`).
pub fn raise_from(_py: Python<'_>, exc: &Bound<'_, PyAny>, cause: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let value = instance(exc, "exceptions")?;
    let cause = if cause.is_none() {
        cause.clone()
    } else {
        instance(cause, "exception causes")?
    };
    value.setattr("__cause__", cause)?;
    Ok(value.unbind())
}

// ---------------------------------------------------------------------------
// Helpers compiled code calls to handle exceptions natively

use crate::interp::{eval, may_warn};
use crate::runtime::{meta_arc, Ctx, FuncMeta, DEOPT, ERROR};
use pyo3::ffi;
use pyston_compiler::abi::LazyExc;
use pyston_compiler::ir::Op;

/// The class of the exception a tagged word stands for (`abi::LazyExc`).
fn lazy_class(k: LazyExc) -> *mut ffi::PyObject {
    match k {
        // SAFETY: static exception classes of the interpreter.
        LazyExc::ZeroDiv { .. } => unsafe { ffi::PyExc_ZeroDivisionError },
        // SAFETY: as above (NumPy raises the builtin `IndexError`).
        LazyExc::IndexOob { .. } => unsafe { ffi::PyExc_IndexError },
        // SAFETY: as above.
        LazyExc::StopIteration => unsafe { ffi::PyExc_StopIteration },
    }
}

/// Makes the exception a tagged word stands for, exactly as the operation
/// makes it on this CPython (its message differs between versions): runs the
/// operation on the canonical operands that raise it.
fn make_lazy(py: Python<'_>, k: LazyExc) -> PyErr {
    let r = match k {
        LazyExc::ZeroDiv { op, float } => {
            let (a, b) = if float {
                (
                    1.0f64.into_pyobject(py).unwrap().into_any(),
                    0.0f64.into_pyobject(py).unwrap().into_any(),
                )
            } else {
                (
                    1i64.into_pyobject(py).unwrap().into_any(),
                    0i64.into_pyobject(py).unwrap().into_any(),
                )
            };
            crate::interp::binop(py, op, false, &a, &b)
        }
        LazyExc::IndexOob { index, axis, size } if numpy_index_message_is_known(py) => {
            return PyIndexError::new_err(format!(
                "index {index} is out of bounds for axis {axis} with size {size}"
            ));
        }
        LazyExc::IndexOob { index, axis, size } => numpy_index_error(py, index, axis, size),
        LazyExc::StopIteration => return pyo3::exceptions::PyStopIteration::new_err(()),
    };
    match r {
        Err(e) => e,
        Ok(_) => crate::internal_error("a lazily made exception's operation did not raise"),
    }
}

/// Whether this NumPy's out-of-bounds message is the one `make_lazy` writes
/// (checked once, on NumPy itself; else NumPy makes each one).
fn numpy_index_message_is_known(py: Python<'_>) -> bool {
    static KNOWN: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *KNOWN.get_or_init(|| {
        numpy_index_error(py, -7, 1, 3).err().is_some_and(|e| {
            e.is_instance_of::<PyIndexError>(py)
                && e.value(py).to_string() == "index -7 is out of bounds for axis 1 with size 3"
        })
    })
}

/// Indexes an array of `size` items along axis `axis` by `index` (out of
/// bounds): NumPy's own `IndexError`.
fn numpy_index_error(py: Python<'_>, index: i64, axis: u32, size: i64) -> PyResult<Py<PyAny>> {
    // `a[0, ..., index]` of an array of that shape (a broadcast view of one
    // element: no memory).
    let mut shape = vec![1i64; axis as usize];
    shape.push(size);
    let mut key = vec![0i64; axis as usize];
    key.push(index);
    let a = py
        .import("numpy")?
        .call_method1("broadcast_to", (0u8, PyTuple::new(py, shape)?))?;
    Ok(a.get_item(PyTuple::new(py, key)?)?.unbind())
}

/// The exception instance compiled code caught as `exc`: made now when `exc`
/// is a tagged word (kept in the call's arena), else `exc` itself.
///
/// # Safety
/// Called by compiled code with the live context of this call; `exc` is a
/// tagged word or a live exception instance.
pub unsafe extern "C" fn pyston_lazy_exc(ctx: *mut Ctx, exc: i64) -> i64 {
    let Some(k) = LazyExc::from_tag(exc) else {
        return exc;
    };
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    Python::attach(|py| {
        let p = make_lazy(py, k).into_value(py).into_any().into_ptr();
        ctx.arena.push(p);
        p as i64
    })
}

/// Takes the exception an instruction inside a `try` body raised: returns the
/// exception instance (a strong reference kept in the call's arena), its
/// traceback extended with the compiled frames it passed through.
///
/// # Safety
/// Called by compiled code with the live context of this call.
pub unsafe extern "C" fn pyston_catch(ctx: *mut Ctx) -> i64 {
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    Python::attach(|py| {
        let err = PyErr::take(py).unwrap_or_else(|| crate::internal_error("caught no exception"));
        let drained: Vec<_> = ctx.frames.drain(..).collect();
        let frames = crate::runtime::frame_entries(drained.iter().map(|(m, s)| (&**m, *s)));
        let err = crate::dispatch::with_frames(py, err, &frames);
        let exc = err.into_value(py).into_any();
        let p = exc.into_ptr();
        ctx.arena.push(p);
        p as i64
    })
}

/// NumPy's `IndexError` of `index` out of bounds for axis `axis` of size
/// `size`: a tagged word when its operands fit one, else made now (kept in
/// the call's arena).
///
/// # Safety
/// Called by compiled code with the live context of this call.
pub unsafe extern "C" fn pyston_index_oob(ctx: *mut Ctx, index: i64, axis: i64, size: i64) -> i64 {
    let k = LazyExc::IndexOob {
        index,
        axis: axis as u32,
        size,
    };
    if let Some(t) = k.tag() {
        return t;
    }
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    Python::attach(|py| {
        let p = make_lazy(py, k).into_value(py).into_any().into_ptr();
        ctx.arena.push(p);
        p as i64
    })
}

/// A compiled handler that sees its exception (`except ... as e:`) is entered
/// with `exc`: makes it when `exc` is a tagged word, and gives it this
/// frame's traceback entry at the raising line (`call_sites[*site]`), as
/// CPython's handler sees it; `*site` becomes -1 (the entry is there: a
/// re-raise leaving the function does not add it again).
///
/// # Safety
/// Called by compiled code with the live context and metadata of this call;
/// `exc` is a tagged word or a live exception instance; `site` points to the
/// call's site slot.
pub unsafe extern "C" fn pyston_exc_seen(ctx: *mut Ctx, meta: *const FuncMeta, exc: i64, site: *mut i64) -> i64 {
    // SAFETY: as documented.
    let exc = unsafe { pyston_lazy_exc(ctx, exc) };
    // SAFETY: `site` is the call's site slot.
    let s = unsafe { *site };
    if s < 0 {
        return exc;
    }
    // SAFETY: `meta` is this call's metadata.
    let meta = unsafe { &*meta };
    let frames = crate::runtime::frame_entries([(meta, crate::runtime::call_site_span(meta, s as usize))]);
    Python::attach(|py| {
        // SAFETY: `exc` is a live exception instance kept by the call's arena.
        let e = unsafe { Bound::from_borrowed_ptr(py, exc as *mut ffi::PyObject) };
        // (`with_traceback` sets it on the same instance.)
        let _ = crate::dispatch::with_frames(py, PyErr::from_value(e), &frames);
    });
    // SAFETY: as above.
    unsafe { *site = -1 };
    exc
}

/// Before a compiled handler that saw `exc` raises it again to a handler on
/// the interpreter tier: drops the traceback entry `pyston_exc_seen` gave it
/// (`*site` is -1), which the interpreter tier adds again.
///
/// # Safety
/// Called by compiled code; `exc` is a tagged word or a live exception
/// instance; `site` points to the call's site slot.
pub unsafe extern "C" fn pyston_exc_unseen(exc: i64, site: *const i64) {
    // SAFETY: `site` is the call's site slot.
    if LazyExc::from_tag(exc).is_some() || unsafe { *site } >= 0 {
        return;
    }
    Python::attach(|py| {
        // SAFETY: `exc` is a live exception instance kept by the call's arena.
        let e = unsafe { Bound::from_borrowed_ptr(py, exc as *mut ffi::PyObject) };
        if let Ok(tb) = e.getattr("__traceback__") {
            if !tb.is_none() {
                if let Ok(next) = tb.getattr("tb_next") {
                    let _ = e.setattr("__traceback__", next);
                }
            }
        }
    });
}

/// `except classes:` for the caught exception `exc`: `classes` points to `n`
/// class objects (one class, or a tuple's items). 1: it matches, 0: it does
/// not, -1: a `TypeError` is set (not exception classes).
///
/// # Safety
/// Called by compiled code; `exc` and the `n` pointers are live objects.
pub unsafe extern "C" fn pyston_exc_match(exc: i64, classes: *const u64, n: i64) -> i32 {
    // (no allocation: a handler in a loop may run once per iteration)
    // SAFETY: `classes` points to `n` slots.
    let classes = unsafe { std::slice::from_raw_parts(classes, n.max(0) as usize) };
    Python::attach(|py| {
        // A tagged word matches as its class does (`PyErr_GivenExceptionMatches`
        // takes a class as well as an instance).
        let exc = LazyExc::from_tag(exc).map_or(exc as *mut ffi::PyObject, lazy_class);
        let mut matched = false;
        for &c in classes {
            // SAFETY: each slot holds a live object.
            let cls = unsafe { Bound::from_borrowed_ptr(py, c as *mut ffi::PyObject) };
            if !is_exc_class(&cls) {
                PyTypeError::new_err("catching classes that do not inherit from BaseException is not allowed")
                    .restore(py);
                return -1;
            }
            // SAFETY: live objects; the call neither steals nor raises.
            matched = matched || unsafe { ffi::PyErr_GivenExceptionMatches(exc, cls.as_ptr()) } != 0;
        }
        i32::from(matched)
    })
}

/// Raises the caught exception `exc` again (`raise` in a handler, or no
/// clause matched); a tagged word's exception is made now.
///
/// # Safety
/// Called by compiled code; `exc` is a live exception instance or a tagged word.
pub unsafe extern "C" fn pyston_reraise(exc: i64) {
    Python::attach(|py| {
        if let Some(k) = LazyExc::from_tag(exc) {
            make_lazy(py, k).restore(py);
            return;
        }
        // SAFETY: `exc` is a live object held by the call's arena.
        let exc = unsafe { Bound::from_borrowed_ptr(py, exc as *mut ffi::PyObject) };
        PyErr::from_value(exc).restore(py);
    })
}

/// A check failed at a deopt point inside a `try` body whose handler is
/// compiled: runs the instruction on the boxed live values. ERROR: it raised
/// (the exception is set; compiled code catches it). DEOPT: it did not (an
/// int overflow, a NumPy warning, ...), the interpreter finishes the call
/// from the deopt point as usual. Only operations without side effects are run.
///
/// # Safety
/// Called by compiled code with the live context of this call, whose deopt
/// point and slots are set.
pub unsafe extern "C" fn pyston_try_raise(ctx: *mut Ctx, meta: *const FuncMeta) -> i32 {
    // SAFETY: as in `pyston_resume`.
    let (meta, ctx) = unsafe { (&*meta, &mut *ctx) };
    let meta = meta_arc(meta);
    Python::attach(|py| {
        let Some(point) = meta.deopts.get(ctx.deopt_point as usize) else {
            return DEOPT;
        };
        let Some(inst) = meta.func.block(point.block).insts.get(point.inst) else {
            return DEOPT;
        };
        let pure = matches!(
            &inst.op,
            Op::Bin { .. }
                | Op::Unary(_)
                | Op::Cmp(_)
                | Op::Truth
                | Op::GetItem
                | Op::TupleGet(_)
                | Op::Unpack(_)
                | Op::Len
        );
        if !pure {
            return DEOPT;
        }
        let Ok(vals) = crate::deopt::boxed_values_for(py, &meta, point, ctx, &inst.args) else {
            return DEOPT;
        };
        if may_warn(py, &vals, &inst.op, &inst.args) {
            return DEOPT;
        }
        match eval(py, &meta.func, &meta.env, &vals, &inst.op, &inst.args) {
            Ok(_) => DEOPT,
            Err(e) => {
                e.restore(py);
                ERROR
            }
        }
    })
}
