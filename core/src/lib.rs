//! pyston-core: the compiler and runtime behind `@pyston.fast`.
//!
//! Pipeline stages, one module each (assembled in [`pipeline`]):
//! [`frontend`] (Python `ast` -> [`hir`]), [`lower`] (HIR -> SSA [`ir`]),
//! [`infer`] (types, see [`types`]), [`codegen`] (Cranelift), and the
//! [`interp`]reter tier; [`runtime`] is the boundary with Python and
//! [`dispatch`] the object users call.

pub mod codegen;
pub mod dispatch;
pub mod error;
pub mod frontend;
pub mod hir;
pub mod infer;
pub mod interp;
pub mod ir;
pub mod lower;
pub mod pipeline;
pub mod ranges;
pub mod runtime;
pub mod types;

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
