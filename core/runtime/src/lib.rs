//! pyston-runtime: the Python extension `pyston._pyston`, on top of the
//! compiler (`pyston-compiler`), the numeric tier (`pyston-numeric`) and the
//! opt-in relaxations (`pyston-optin`).
//!
//! [`frontend`] walks Python's `ast` into the compiler's HIR, [`pipeline`]
//! assembles the stages, [`dispatch`] is the object users call,
//! [`runtime`] the boundary with compiled code and [`interp`] the
//! interpreter tier. All of pyston's `unsafe` code lives in this crate.

pub mod boxing;
pub mod deopt;
pub mod dispatch;
pub mod frontend;
pub mod helpers;
pub mod interp;
pub mod pipeline;
pub mod runtime;

use pyo3::prelude::*;

/// A `RuntimeError` that says it is a bug in pyston, not in the user's code.
pub fn internal_error(msg: &str) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!(
        "pyston internal error: {msg} (this is a bug in pyston, not in your code; please report it)"
    ))
}

#[pymodule]
fn _pyston(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<dispatch::Dispatcher>()?;
    m.add_function(wrap_pyfunction!(dispatch::_dump, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
