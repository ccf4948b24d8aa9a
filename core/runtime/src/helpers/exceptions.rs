//! Exception handling on the interpreter tier: `except` clause matching and
//! `raise ... from ...`, as CPython's `CHECK_EXC_MATCH` and `RAISE_VARARGS` do them.

use pyo3::exceptions::{PyBaseException, PyTypeError};
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
