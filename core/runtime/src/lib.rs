//! pyston-runtime: the Python extension `pyston._pyston`, on top of the
//! compiler (`pyston-compiler`), the numeric tier (`pyston-numeric`) and the
//! opt-in relaxations (`pyston-optin`).
//!
//! [`frontend`] walks Python's `ast` into the compiler's HIR, [`pipeline`]
//! assembles the stages, [`dispatch`] is the object users call,
//! [`runtime`] the boundary with compiled code and [`interp`] the
//! interpreter tier. All of pyston's `unsafe` code lives in this crate.

pub mod boxing;
pub mod cfunc;
pub mod deopt;
pub mod dispatch;
pub mod env;
pub mod frontend;
pub mod generators;
pub mod helpers;
pub mod interp;
pub mod iter_args;
pub mod jit;
pub mod parallel;
pub mod pipeline;
pub mod pool;
pub mod reserve;
pub mod runtime;
pub mod signals;
pub mod stack;
pub mod ufunc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyston_optin::{FlagError, FlagKind, FlagValue};

/// A `RuntimeError` that says it is a bug in pyston, not in the user's code.
pub fn internal_error(msg: &str) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!(
        "pyston internal error: {msg} (this is a bug in pyston, not in your code; please report it)"
    ))
}

/// A flag value given in Python (`flag=value`): a `bool` or a `str`.
pub fn flag_value(name: &str, v: &Bound<'_, PyAny>) -> PyResult<FlagValue> {
    if let Ok(b) = v.extract::<bool>() {
        Ok(FlagValue::Bool(b))
    } else if let Ok(t) = v.extract::<String>() {
        Ok(FlagValue::Choice(t))
    } else {
        Err(PyTypeError::new_err(format!(
            "flag {} takes a bool or a string, not {}",
            pyston_optin::repr(name),
            v.get_type().name()?
        )))
    }
}

/// An unknown flag is a `TypeError` (like an unknown keyword argument), a bad value a `ValueError`.
pub fn flag_error(e: FlagError) -> PyErr {
    match e {
        FlagError::Unknown(m) => PyTypeError::new_err(m),
        FlagError::BadValue(m) => PyValueError::new_err(m),
    }
}

fn py_value<'py>(py: Python<'py>, v: &FlagValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        FlagValue::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        FlagValue::Choice(c) => pyo3::types::PyString::new(py, c).into_any(),
    })
}

/// `check_flag(name, value)`: `value` (a `bool` or a `str`, as given to
/// `fast(name=value)`) checked against the flag table and returned;
/// `TypeError` for an unknown flag, `ValueError` for a bad value.
#[pyfunction]
fn check_flag<'py>(name: &str, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let f = pyston_optin::flag(name).map_err(flag_error)?;
    let v = flag_value(name, value)?;
    f.check(&v).map_err(flag_error)?;
    py_value(value.py(), &v)
}

/// `parse_flag(name, text)`: the value of `name=text` in an `optin="..."`
/// string (booleans: `true/false/1/0/yes/no/on/off`, any case).
#[pyfunction]
fn parse_flag<'py>(py: Python<'py>, name: &str, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let f = pyston_optin::flag(name).map_err(flag_error)?;
    py_value(py, &f.parse(text).map_err(flag_error)?)
}

/// `FLAGS`: one `(name, kind, default, choices, doc)` per opt-in flag of
/// `pyston_optin::FLAGS`, in documentation order; `kind` is `"bool"`
/// (choices `(True, False)`) or `"choice"` (choices: the accepted strings).
fn flags_table<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
    let mut rows = Vec::new();
    for f in pyston_optin::FLAGS {
        let (kind, choices) = match f.kind {
            FlagKind::Bool { .. } => ("bool", vec![FlagValue::Bool(true), FlagValue::Bool(false)]),
            FlagKind::Choice { choices, .. } => (
                "choice",
                choices.iter().map(|c| FlagValue::Choice(c.to_string())).collect(),
            ),
        };
        let choices = choices.iter().map(|v| py_value(py, v)).collect::<PyResult<Vec<_>>>()?;
        let row = (
            f.name,
            kind,
            py_value(py, &f.default_value())?,
            PyTuple::new(py, choices)?,
            f.doc,
        );
        rows.push(row.into_pyobject(py)?);
    }
    PyTuple::new(py, rows)
}

/// The NumPy library of compiled code (`pyston_numeric::numpy_lib::NUMPY`),
/// one dict per row: `name`, `kind` (function, method, attribute, ufunc,
/// scalar type, constant), `how` (native, numpy), `signature`, `result`
/// ("probe" or the rule) and `doc`.
#[pyfunction]
fn numpy_library(py: Python<'_>) -> PyResult<Vec<Bound<'_, pyo3::types::PyDict>>> {
    pyston_numeric::numpy_lib::NUMPY
        .iter()
        .map(|e| {
            let d = pyo3::types::PyDict::new(py);
            d.set_item("name", e.name)?;
            d.set_item("kind", e.kind.name())?;
            d.set_item("how", e.how.name())?;
            d.set_item("signature", e.signature)?;
            d.set_item("result", e.result.describe())?;
            d.set_item("doc", e.doc)?;
            Ok(d)
        })
        .collect()
}

// `gil_used = true`: the runtime relies on the GIL (docs/free-threading.md), so
// a free-threaded CPython that imports a from-source build of this module turns
// the GIL back on (with a RuntimeWarning) instead of running it without one.
// pyo3 0.30 assumes `false` when it is not written. abi3 wheels are unaffected.
#[pymodule(gil_used = true)]
fn _pyston(m: &Bound<'_, PyModule>) -> PyResult<()> {
    reserve::rearm();
    m.add_class::<dispatch::Dispatcher>()?;
    m.add_class::<env::FunctionMaker>()?;
    m.add_function(wrap_pyfunction!(env::_cell_set, m)?)?;
    m.add_class::<generators::GeneratorFunction>()?;
    m.add_class::<generators::Generator>()?;
    m.add_class::<parallel::ParallelLoop>()?;
    m.add_function(wrap_pyfunction!(parallel::get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(parallel::set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(parallel::get_thread_id, m)?)?;
    m.add_function(wrap_pyfunction!(dispatch::_dump, m)?)?;
    m.add_function(wrap_pyfunction!(iter_args::_iter_guesses, m)?)?;
    m.add_function(wrap_pyfunction!(boxing::_register_typed_containers, m)?)?;
    m.add_function(wrap_pyfunction!(env::_dict_versions, m)?)?;
    m.add_function(wrap_pyfunction!(check_flag, m)?)?;
    m.add_function(wrap_pyfunction!(parse_flag, m)?)?;
    m.add_function(wrap_pyfunction!(numpy_library, m)?)?;
    m.add_function(wrap_pyfunction!(ufunc::make_ufunc, m)?)?;
    m.add_function(wrap_pyfunction!(ufunc::make_gufunc, m)?)?;
    m.add_function(wrap_pyfunction!(ufunc::ufunc_result_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(cfunc::make_cfunc, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::small::pycall_count, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::bitgen::bitgen_kind, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::small::dot_seq_limit, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::small::native_ddot, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::small::complex_mul, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::csmall::native_complex_matrices, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::cscalar::cscalar_ufuncs, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::wide::isa, m)?)?;
    m.add_function(wrap_pyfunction!(helpers::wide::set_isa, m)?)?;
    m.add("FLAGS", flags_table(m.py())?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
