//! Compiled generators: `pyston.fast` on a generator function gives a
//! [`GeneratorFunction`]; calling it binds the arguments (as CPython does)
//! and returns a [`Generator`], which runs the body one step at a time.
//!
//! Step 0 is the function from its arguments; step `k` starts at resume
//! point `k` (`lower::generators::resume_function`) from the value sent in
//! and the live values the previous step left. Each step is an ordinary
//! dispatcher (`Dispatcher::step`): compiled per type key of the values it
//! starts from, its `yield`s leave compiled code as deopt points do, and
//! the interpreter tier, at the `yield` terminator, hands back a
//! [`Suspended`] state (resume point, yielded value, live values). A step
//! that deoptimizes in the middle (an int overflowing 64 bits) is finished
//! by the interpreter tier, and the next step is compiled for what it left
//! (a big int is a boxed int), so the generator stays exact.

use crate::dispatch::Dispatcher;
use crate::interp::Slot;
use crate::pipeline::Source;
use crate::runtime::PyEnv;
use pyo3::exceptions::{PyRuntimeError, PyStopIteration, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Where a step stopped at a `yield` (what the interpreter tier returns there).
#[pyclass(module = "pyston._pyston", name = "_Suspended", frozen)]
pub struct Suspended {
    point: u32,
    value: Py<PyAny>,
    /// (taken by the generator)
    state: Mutex<Vec<Slot>>,
}

/// The interpreter tier's result at `yield point`: the yielded value and the live values.
pub fn suspended(py: Python<'_>, point: u32, value: Py<PyAny>, state: Vec<Slot>) -> PyResult<Py<PyAny>> {
    let state = Mutex::new(state);
    Ok(Py::new(py, Suspended { point, value, state })?.into_any())
}

/// What `pyston.fast` returns for a generator function.
#[pyclass(module = "pyston._pyston", name = "GeneratorFunction", frozen, dict)]
pub struct GeneratorFunction {
    /// The function's dispatcher: its semantics, source and globals (never called).
    parent: Py<Dispatcher>,
    /// The steps' dispatchers, by resume point (0: from the arguments).
    steps: Mutex<HashMap<u32, Py<Dispatcher>>>,
    warned: std::sync::atomic::AtomicBool,
}

impl GeneratorFunction {
    fn step_dispatcher(&self, py: Python<'_>, point: u32) -> PyResult<Py<Dispatcher>> {
        if let Some(d) = self.steps.lock().unwrap().get(&point) {
            return Ok(d.clone_ref(py));
        }
        let parent = self.parent.bind(py).get();
        let (src, env) = parent.front(py)?;
        let ir = if point == 0 {
            let mut f = (*src.ir).clone();
            // The arguments come bound (by CPython, `__call__`).
            f.shape = pyston_compiler::hir::CallShape::default();
            f
        } else {
            pyston_compiler::lower::generators::resume_function(&src.ir, point)
                .ok_or_else(|| crate::internal_error("a generator resumed at an unknown yield"))?
        };
        let step = Source {
            ir: Arc::new(ir),
            filename: src.filename.clone(),
            inlined: src.inlined.iter().map(|(n, o)| (n.clone(), o.clone_ref(py))).collect(),
        };
        let d = Py::new(py, Dispatcher::step(py, parent, Arc::new(step), env))?;
        let mut steps = self.steps.lock().unwrap();
        Ok(steps.entry(point).or_insert(d).clone_ref(py))
    }

    /// Runs the step at `point` from `args` (the value sent in first, except for step 0).
    fn run_step(&self, py: Python<'_>, point: u32, args: Vec<Slot>) -> PyResult<Py<PyAny>> {
        let d = self.step_dispatcher(py, point)?;
        if args.iter().any(Option::is_none) {
            // A variable not assigned yet crosses the yield: the interpreter tier runs the step.
            let (src, env): (Arc<Source>, Arc<PyEnv>) = d.bind(py).get().front(py)?;
            return crate::interp::call_slots(py, &src.ir, &env, args).map_err(|r| {
                crate::dispatch::with_frames(py, r.err, &[(env.filename.clone(), src.ir.name.clone(), r.span)])
            });
        }
        let args = PyTuple::new(py, args.into_iter().map(|a| a.unwrap()))?;
        crate::runtime::THREAD.with(|t| Dispatcher::call(d.bind(py), &args, None, t))
    }
}

#[pymethods]
impl GeneratorFunction {
    #[new]
    #[pyo3(signature = (py_func, preset="strict", **flags))]
    fn new(py_func: &Bound<'_, PyAny>, preset: &str, flags: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let parent = Py::new(py_func.py(), Dispatcher::new(py_func, preset, flags)?)?;
        Ok(GeneratorFunction {
            parent,
            steps: Mutex::new(HashMap::new()),
            warned: std::sync::atomic::AtomicBool::new(false),
        })
    }

    #[getter]
    pub(crate) fn py_func(&self, py: Python<'_>) -> Py<PyAny> {
        self.parent.bind(py).get().py_func.clone_ref(py)
    }

    /// The step dispatchers made so far, by resume point (0: from the arguments).
    fn _steps(&self, py: Python<'_>) -> Vec<(u32, Py<Dispatcher>)> {
        let mut v: Vec<(u32, Py<Dispatcher>)> = self
            .steps
            .lock()
            .unwrap()
            .iter()
            .map(|(k, d)| (*k, d.clone_ref(py)))
            .collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let parent = this.parent.bind(py).get();
        let py_func = parent.py_func.bind(py);
        let src = match parent.front(py) {
            Ok((src, _)) => src,
            Err(e) => {
                if !parent.sem.fallback {
                    return Err(e);
                }
                // Syntax the compiler does not take: CPython's own generator.
                if !this.warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    let msg = format!(
                        "pyston: generator '{}' runs as plain Python: {}",
                        parent.name,
                        e.value(py).str()?
                    );
                    let cat = py.import("pyston._errors")?.getattr("PerformanceWarning")?;
                    PyErr::warn(py, &cat, &std::ffi::CString::new(msg).unwrap(), 1)?;
                }
                return Ok(py_func.call(args, kwargs)?.unbind());
            }
        };
        let ir = &src.ir;
        let plain_call = ir.shape.is_plain() && kwargs.is_none_or(|k| k.is_empty()) && args.len() == ir.params.len();
        let vals: Vec<Slot> = if plain_call {
            args.iter().map(|a| Some(a.unbind())).collect()
        } else {
            // CPython binds the arguments (defaults, keywords, `*args`, its own TypeError):
            // the parameters are read back from its unstarted generator's frame.
            let g = py_func.call(args, kwargs)?;
            let locals = g.getattr("gi_frame")?.getattr("f_locals")?;
            let mut v = Vec::with_capacity(ir.params.len());
            for p in &ir.params {
                v.push(Some(locals.get_item(p)?.unbind()));
            }
            g.call_method0("close")?;
            v
        };
        let qualname: String = py_func
            .getattr("__qualname__")
            .and_then(|q| q.extract())
            .unwrap_or_else(|_| parent.name.clone());
        let gen = Generator {
            func: slf.clone().unbind(),
            qualname,
            st: Mutex::new(GenState {
                point: 0,
                vals,
                running: false,
                finished: false,
            }),
        };
        Ok(Py::new(py, gen)?.into_any())
    }

    fn __get__(slf: &Bound<'_, Self>, obj: &Bound<'_, PyAny>, _ty: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        if obj.is_none() {
            return Ok(slf.clone().into_any().unbind());
        }
        let m = obj.py().import("types")?.getattr("MethodType")?;
        Ok(m.call1((slf, obj))?.unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("<pyston generator function {}>", self.parent.bind(py).get().name)
    }

    /// Pickled by reference (`module.qualname`), as a function is.
    fn __reduce__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(slf.getattr("__qualname__")?.unbind())
    }
}

struct GenState {
    /// The resume point the next step starts at (0: not started).
    point: u32,
    /// The values it starts from (the arguments for step 0).
    vals: Vec<Slot>,
    running: bool,
    finished: bool,
}

/// A compiled generator (what calling a [`GeneratorFunction`] returns).
#[pyclass(module = "pyston._pyston", name = "generator", frozen)]
pub struct Generator {
    func: Py<GeneratorFunction>,
    qualname: String,
    st: Mutex<GenState>,
}

impl Generator {
    /// Runs the next step with `sent` (None for `next`): the yielded value,
    /// or `StopIteration` with the returned value.
    fn resume(&self, py: Python<'_>, sent: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        let (point, vals) = {
            let mut st = self.st.lock().unwrap();
            if st.running {
                return Err(PyValueError::new_err("generator already executing"));
            }
            if st.finished {
                return Err(PyStopIteration::new_err(()));
            }
            if st.point == 0 && sent.as_ref().is_some_and(|s| !s.is_none(py)) {
                return Err(PyTypeError::new_err(
                    "can't send non-None value to a just-started generator",
                ));
            }
            st.running = true;
            (st.point, std::mem::take(&mut st.vals))
        };
        let args = if point == 0 {
            vals
        } else {
            let mut a = Vec::with_capacity(vals.len() + 1);
            a.push(Some(sent.unwrap_or_else(|| py.None())));
            a.extend(vals);
            a
        };
        let r = self.func.get().run_step(py, point, args);
        let mut st = self.st.lock().unwrap();
        st.running = false;
        match r {
            Ok(obj) => match obj.bind(py).cast::<Suspended>() {
                Ok(s) => {
                    let s = s.get();
                    st.point = s.point;
                    st.vals = std::mem::take(&mut *s.state.lock().unwrap());
                    Ok(s.value.clone_ref(py))
                }
                Err(_) => {
                    st.finished = true;
                    drop(st);
                    if obj.is_none(py) {
                        Err(PyStopIteration::new_err(()))
                    } else {
                        Err(PyStopIteration::new_err((obj,)))
                    }
                }
            },
            Err(e) => {
                st.finished = true;
                drop(st);
                if e.is_instance_of::<PyStopIteration>(py) {
                    // PEP 479: a StopIteration raised inside the generator.
                    let re = PyRuntimeError::new_err("generator raised StopIteration");
                    let v = e.value(py).clone();
                    re.set_cause(py, Some(e));
                    re.value(py).setattr("__context__", v)?;
                    return Err(re);
                }
                Err(e)
            }
        }
    }
}

#[pymethods]
impl Generator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.resume(py, None)
    }

    fn send(&self, py: Python<'_>, value: Py<PyAny>) -> PyResult<Py<PyAny>> {
        self.resume(py, Some(value))
    }

    /// `throw(exc)` / `throw(type[, value[, traceback]])`: the generator's
    /// yields are not inside `try` statements, so the exception leaves the
    /// generator where it stands, which is finished afterwards (CPython's own
    /// generator machinery normalizes the arguments and applies PEP 479).
    #[pyo3(signature = (*args))]
    fn throw(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let helpers = py.import("pyston._generators")?;
        if self.st.lock().unwrap().running {
            return Err(PyValueError::new_err("generator already executing"));
        }
        // Bad arguments raise without touching the generator.
        helpers.getattr("check")?.call1(args)?;
        let state = {
            let mut st = self.st.lock().unwrap();
            if st.running {
                return Err(PyValueError::new_err("generator already executing"));
            }
            let state = if st.finished {
                2
            } else if st.point == 0 {
                0
            } else {
                1
            };
            st.finished = true;
            st.vals.clear();
            state
        };
        let throw = helpers.getattr("throw")?;
        let mut all = vec![(state as i64).into_pyobject(py)?.into_any()];
        all.extend(args.iter());
        throw.call1(PyTuple::new(py, all)?)?;
        Err(crate::internal_error("throw() returned"))
    }

    fn close(&self) -> PyResult<()> {
        let mut st = self.st.lock().unwrap();
        if st.running {
            return Err(PyValueError::new_err("generator already executing"));
        }
        st.finished = true;
        st.vals.clear();
        Ok(())
    }

    #[getter]
    fn gi_running(&self) -> bool {
        self.st.lock().unwrap().running
    }

    #[getter]
    fn __name__(&self) -> String {
        self.qualname.rsplit('.').next().unwrap_or_default().to_string()
    }

    #[getter]
    fn __qualname__(&self) -> String {
        self.qualname.clone()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!(
            "<generator object {} at {:#x}>",
            slf.get().qualname,
            slf.as_ptr() as usize
        )
    }
}
