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
use crate::pipeline::{Source, Spec};
use crate::runtime::{Ctx, FuncMeta, PyEnv};
use pyo3::exceptions::{PyRuntimeError, PyStopIteration, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyston_compiler::ir::{Term, Value};
use pyston_compiler::types::Ty;
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
    fn run_step(&self, py: Python<'_>, point: u32, args: Vec<Slot>, capture: Capture<'_>) -> PyResult<Py<PyAny>> {
        let d = self.step_dispatcher(py, point)?;
        if args.iter().any(Option::is_none) {
            // A variable not assigned yet crosses the yield: the interpreter tier runs the step.
            let (src, env): (Arc<Source>, Arc<PyEnv>) = d.bind(py).get().front(py)?;
            return crate::interp::call_slots(py, &src.ir, &env, args).map_err(|r| {
                crate::dispatch::with_frames(py, r.err, &[(env.filename.clone(), src.ir.name.clone(), r.span)])
            });
        }
        let args = PyTuple::new(py, args.into_iter().map(|a| a.unwrap()))?;
        crate::runtime::THREAD.with(|t| Dispatcher::call_with(d.bind(py), &args, None, t, Some(capture)))
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
                frame: Frame::Boxed(vals),
                running: false,
                finished: false,
                steps: Vec::new(),
                spare: Native::default(),
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

/// What a suspended generator resumes from.
enum Frame {
    /// Python objects (the arguments before step 0, or what the interpreter
    /// tier left); `None`: a variable not assigned yet.
    Boxed(Vec<Slot>),
    /// The live values as compiled code left them at a `yield`.
    Native(Native),
}

/// A suspended generator's live values kept as slots: the next step's
/// argument slots as they are (`next()` sends None, which has none), run by
/// a direct call of the step's compiled entry.
#[derive(Default)]
struct Native {
    layout: Option<Arc<YieldLayout>>,
    slots: Vec<u64>,
    /// Strong references to the immutable objects `slots` point at (big
    /// ints, strings, objects of known classes).
    refs: Vec<Py<PyAny>>,
    /// Values read again from their object before each step (arrays, lists,
    /// dicts, sets: the caller may reshape or mutate them between steps, and
    /// the dispatcher would classify them again): (offset in `slots`, type,
    /// object).
    checks: Vec<(usize, Ty, Py<PyAny>)>,
}

impl Native {
    fn clear(&mut self) {
        self.layout = None;
        self.slots.clear();
        self.refs.clear();
        self.checks.clear();
    }

    /// The live values as Python objects (the interpreter tier's and the dispatcher's form).
    fn boxed(&self, py: Python<'_>) -> PyResult<Vec<Slot>> {
        let Some(l) = &self.layout else {
            return Err(crate::internal_error("a generator's native state without a layout"));
        };
        let mut out = Vec::with_capacity(l.args.len());
        let mut pos = 0;
        for (_, t) in &l.args {
            if let Some((_, _, o)) = self.checks.iter().find(|(at, _, _)| *at == pos) {
                out.push(Some(o.clone_ref(py)));
                pos += crate::runtime::slot_count(t);
                continue;
            }
            out.push(crate::boxing::box_value(py, t, &self.slots, &mut pos)?);
        }
        Ok(out)
    }

    /// Reads the checked values again from their objects into `slots`: false
    /// when one no longer has the type the step was compiled for.
    fn refresh(&mut self, py: Python<'_>, tmp: &mut Vec<u64>) -> PyResult<bool> {
        for (at, want, obj) in &self.checks {
            tmp.clear();
            let Some(got) = crate::boxing::classify(py, obj.bind(py), tmp)? else {
                return Ok(false);
            };
            let fits = match (want, &got) {
                (Ty::Array(w), Ty::Array(g)) => {
                    w.dtype == g.dtype
                        && w.ndim == g.ndim
                        && w.readonly == g.readonly
                        && (w.layout == pyston_compiler::types::Layout::A || w.layout == g.layout)
                }
                (w, g) => w == g,
            };
            if !fits || tmp.len() != crate::runtime::slot_count(want) {
                return Ok(false);
            }
            self.slots[*at..*at + tmp.len()].copy_from_slice(tmp);
        }
        Ok(true)
    }
}

/// A generator step's hook at a deoptimization (`Dispatcher::run`): given the
/// step's metadata and its context where compiled code stopped, the yielded
/// value when it stopped at a `yield` whose live values it kept as slots.
pub(crate) type Capture<'a> = &'a mut dyn for<'py> FnMut(Python<'py>, &FuncMeta, &Ctx) -> PyResult<Option<Py<PyAny>>>;

/// Where compiled code leaves the values of one `yield` in `ctx.slots`.
pub struct YieldLayout {
    /// The resume point the next step starts at.
    point: u32,
    /// The yielded value: (offset, type).
    value: (usize, Ty),
    /// The live values the next step starts from: (offset, type).
    args: Vec<(usize, Ty)>,
    /// The next step's argument types when the value sent in is None.
    key: Vec<Ty>,
}

/// Whether a value of type `t` can be kept as slots across a `yield`
/// (`top`: a live value itself, not part of one).
fn keepable(t: &Ty, top: bool) -> bool {
    match t {
        Ty::NoneT | Ty::Ellipsis | Ty::Bool | Ty::Int | Ty::Float | Ty::Complex | Ty::Range => true,
        Ty::PyInt | Ty::PyStr | Ty::Obj(_) => true,
        Ty::Np(d) => !d.is_record(),
        Ty::Array(_) | Ty::List(_) | Ty::Dict(..) | Ty::Set(_) => top,
        Ty::Tuple(ts) | Ty::Slice(ts) => ts.iter().all(|t| keepable(t, false)),
        _ => false,
    }
}

/// The layouts of `meta`'s yields, by deopt point (None: not a `yield`, or
/// one whose values go back boxed).
fn layouts(meta: &FuncMeta) -> Vec<Option<Arc<YieldLayout>>> {
    meta.deopts.iter().map(|p| layout(meta, p).map(Arc::new)).collect()
}

fn layout(meta: &FuncMeta, p: &pyston_compiler::abi::DeoptPoint) -> Option<YieldLayout> {
    if p.raised || p.pending.is_some() {
        return None;
    }
    let blk = meta.func.block(p.block);
    if p.inst != blk.insts.len() {
        return None;
    }
    let Term::Yield { point, value, resume } = &blk.term else {
        return None;
    };
    let mut at: HashMap<Value, (usize, Ty)> = HashMap::new();
    let mut pos = 0;
    for v in &p.values {
        let t = meta.typed.ty(*v);
        at.insert(*v, (pos, t.clone()));
        pos += crate::runtime::slot_count(t);
    }
    // (a compile-time value is not stored: the interpreter tier recomputes it)
    let value = at.get(value)?.clone();
    if !value.1.is_value() || value.1 == Ty::Undef {
        return None;
    }
    let mut args = Vec::with_capacity(resume.args.len());
    let mut key = vec![Ty::NoneT];
    for a in &resume.args[1..] {
        let (off, t) = at.get(a)?.clone();
        if !keepable(&t, true) {
            return None;
        }
        key.push(t.clone());
        args.push((off, t));
    }
    Some(YieldLayout {
        point: *point,
        value,
        args,
        key,
    })
}

/// Keeps the value of type `t` at `slots[*pos..]` (copied to `out.slots`
/// already, at `dst`): strong references to the objects it points at.
/// False where it cannot be kept (an array that is not exactly an ndarray).
fn keep(py: Python<'_>, t: &Ty, slots: &[u64], pos: &mut usize, dst: usize, out: &mut Native) -> PyResult<bool> {
    let ptr = |i: usize| slots[i] as *mut pyo3::ffi::PyObject;
    match t {
        Ty::PyInt | Ty::PyStr | Ty::Obj(_) => {
            // SAFETY: an object slot holds a live object (an argument, or arena-owned
            // with the arena released only after this); we take our own reference.
            out.refs
                .push(unsafe { Bound::from_borrowed_ptr(py, ptr(*pos)) }.unbind());
            *pos += 1;
        }
        Ty::List(_) | Ty::Dict(..) | Ty::Set(_) => {
            // SAFETY: as above.
            let o = unsafe { Bound::from_borrowed_ptr(py, ptr(*pos)) }.unbind();
            out.checks.push((dst, t.clone(), o));
            *pos += 1;
        }
        Ty::Array(_) => {
            let Some(o) = crate::boxing::box_value(py, t, slots, pos)? else {
                return Ok(false);
            };
            let exact = crate::boxing::np_types(py)?.ndarray_type == o.bind(py).get_type_ptr() as usize;
            if !exact {
                return Ok(false);
            }
            out.checks.push((dst, t.clone(), o));
        }
        Ty::Tuple(ts) | Ty::Slice(ts) => {
            let start = *pos;
            for m in ts {
                let d = dst + (*pos - start);
                if !keep(py, m, slots, pos, d, out)? {
                    return Ok(false);
                }
            }
        }
        t => *pos += crate::runtime::slot_count(t),
    }
    Ok(true)
}

struct GenState {
    /// The resume point the next step starts at (0: not started).
    point: u32,
    /// The values it starts from (the arguments for step 0).
    frame: Frame,
    running: bool,
    finished: bool,
    /// The compiled steps native states resume with: (layout, the step's
    /// dispatcher, its specialization for the layout's types).
    steps: Vec<(Arc<YieldLayout>, Py<Dispatcher>, Arc<Spec>)>,
    /// Buffers for the next native state.
    spare: Native,
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
        let sends_none = sent.as_ref().is_none_or(|s| s.is_none(py));
        let (point, frame, cached, mut next) = {
            let mut st = self.st.lock().unwrap();
            if st.running {
                return Err(PyValueError::new_err("generator already executing"));
            }
            if st.finished {
                return Err(PyStopIteration::new_err(()));
            }
            if st.point == 0 && !sends_none {
                return Err(PyTypeError::new_err(
                    "can't send non-None value to a just-started generator",
                ));
            }
            st.running = true;
            let frame = std::mem::replace(&mut st.frame, Frame::Boxed(Vec::new()));
            let cached = match &frame {
                Frame::Native(ns) => ns.layout.as_ref().and_then(|l| {
                    st.steps
                        .iter()
                        .find(|(k, _, _)| Arc::ptr_eq(k, l))
                        .map(|(_, d, s)| (d.clone_ref(py), s.clone()))
                }),
                Frame::Boxed(_) => None,
            };
            (st.point, frame, cached, std::mem::take(&mut st.spare))
        };
        next.clear();
        let mut capture = |py: Python<'_>, meta: &FuncMeta, ctx: &Ctx| -> PyResult<Option<Py<PyAny>>> {
            let all = meta.yields.get_or_init(|| layouts(meta));
            let Some(Some(l)) = all.get(ctx.deopt_point as usize) else {
                return Ok(None);
            };
            next.clear();
            for (off, t) in &l.args {
                let n = crate::runtime::slot_count(t);
                let dst = next.slots.len();
                next.slots.extend_from_slice(&ctx.slots[*off..*off + n]);
                let mut pos = *off;
                if !keep(py, t, &ctx.slots, &mut pos, dst, &mut next)? {
                    next.clear();
                    return Ok(None);
                }
            }
            let mut pos = l.value.0;
            let Some(value) = crate::boxing::box_value(py, &l.value.1, &ctx.slots, &mut pos)? else {
                next.clear();
                return Ok(None);
            };
            next.layout = Some(l.clone());
            Ok(Some(value))
        };
        let func = self.func.get();
        let mut old = None;
        let r = match frame {
            Frame::Native(mut ns) if sends_none => {
                let run = match ns.layout.clone() {
                    Some(l) => self.native_step(py, &mut ns, &l, cached, &mut capture),
                    None => Ok(None),
                };
                match run {
                    Ok(Some(r)) => {
                        old = Some(ns);
                        r
                    }
                    // (the step runs from the values boxed)
                    Ok(None) => ns
                        .boxed(py)
                        .and_then(|vals| func.run_step(py, point, with_sent(py, point, sent, vals), &mut capture)),
                    Err(e) => Err(e),
                }
            }
            Frame::Native(ns) => ns
                .boxed(py)
                .and_then(|vals| func.run_step(py, point, with_sent(py, point, sent, vals), &mut capture)),
            Frame::Boxed(vals) => func.run_step(py, point, with_sent(py, point, sent, vals), &mut capture),
        };
        let mut st = self.st.lock().unwrap();
        st.running = false;
        if let Some(mut o) = old {
            o.clear();
            st.spare = o;
        }
        match r {
            Ok(value) if next.layout.is_some() => {
                st.point = next.layout.as_ref().map_or(0, |l| l.point);
                st.frame = Frame::Native(next);
                Ok(value)
            }
            Ok(obj) => match obj.bind(py).cast::<Suspended>() {
                Ok(s) => {
                    let s = s.get();
                    st.point = s.point;
                    st.frame = Frame::Boxed(std::mem::take(&mut *s.state.lock().unwrap()));
                    Ok(s.value.clone_ref(py))
                }
                Err(_) => {
                    st.finished = true;
                    st.steps.clear();
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
                st.steps.clear();
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

    /// Runs the step that resumes native state `ns` (laid out as `l`) by a
    /// direct call of its compiled entry: None where it cannot (the step's
    /// specialization runs on the interpreter tier, a value changed type).
    fn native_step(
        &self,
        py: Python<'_>,
        ns: &mut Native,
        l: &Arc<YieldLayout>,
        cached: Option<(Py<Dispatcher>, Arc<Spec>)>,
        capture: Capture<'_>,
    ) -> PyResult<Option<PyResult<Py<PyAny>>>> {
        let (d, spec) = match cached {
            Some((d, s)) if d.bind(py).get().spec_current(py, &s) => (d, s),
            _ => {
                let d = self.func.get().step_dispatcher(py, l.point)?;
                let Some(s) = Dispatcher::step_spec(d.bind(py), &l.key)? else {
                    return Ok(None);
                };
                let mut st = self.st.lock().unwrap();
                st.steps.retain(|(k, _, _)| !Arc::ptr_eq(k, l));
                st.steps.push((l.clone(), d.clone_ref(py), s.clone()));
                (d, s)
            }
        };
        if !ns.checks.is_empty() {
            let mut tmp = Vec::new();
            if !ns.refresh(py, &mut tmp)? {
                return Ok(None);
            }
        }
        let r = crate::runtime::THREAD.with(|t| Dispatcher::run_step(d.bind(py), &spec, &ns.slots, t, capture));
        Ok(Some(r))
    }
}

/// A step's arguments: the value sent in, then the live values (step 0: the arguments).
fn with_sent(py: Python<'_>, point: u32, sent: Option<Py<PyAny>>, vals: Vec<Slot>) -> Vec<Slot> {
    if point == 0 {
        return vals;
    }
    let mut a = Vec::with_capacity(vals.len() + 1);
    a.push(Some(sent.unwrap_or_else(|| py.None())));
    a.extend(vals);
    a
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
            st.frame = Frame::Boxed(Vec::new());
            st.steps.clear();
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
        st.frame = Frame::Boxed(Vec::new());
        st.steps.clear();
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
