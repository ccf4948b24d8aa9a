//! Compiled generators: `pyston.fast` on a generator function gives a
//! [`GeneratorFunction`]; calling it binds the arguments (as CPython does)
//! and returns a [`Generator`], which runs the body one step at a time.
//!
//! Step 0 is the function from its arguments; step `k` starts at resume
//! point `k` (`lower::generators::resume_function`) from the value sent in
//! and the live values the previous step left. Each step is an ordinary
//! dispatcher (`Dispatcher::step`): compiled per type key of the values it
//! starts from, its `yield`s leave compiled code as deopt points do.
//!
//! Where compiled code stops at a `yield`, the dispatcher hands the context
//! to the generator's `capture` first: the live values stay as the slots
//! compiled code left (`Native`, laid out per `yield` by a
//! [`YieldLayout`]), and the next step is a direct call of its compiled
//! entry with those slots (`Dispatcher::run_step`): no object per step, no
//! type key, no boxing of anything but the yielded value. Otherwise (the
//! interpreter tier ran the step) the state comes back boxed, as a
//! [`Suspended`] object, and the next step goes through the step's
//! dispatcher. A step that deoptimizes in the middle (an int overflowing 64
//! bits) is finished by the interpreter tier, and the next step is compiled
//! for what it left (a big int is a boxed int), so the generator stays exact.

use crate::dispatch::{Dispatcher, StepOut};
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
            box_python_scalars: parent.sem.box_python_scalars,
            qualname,
            running: std::sync::atomic::AtomicBool::new(false),
            st: GilCell(std::cell::UnsafeCell::new(GenState {
                point: 0,
                boxed: Some(vals),
                native: Native::default(),
                finished: false,
                steps: Vec::new(),
            })),
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
    /// the dispatcher would classify them again).
    checks: Vec<Check>,
    /// Objects a state no longer holds, let go once the step is over.
    dead: Vec<Py<PyAny>>,
    /// The scalar last yielded from a yield whose value is one slot of an
    /// immutable number (`YieldLayout::reuse`): its yield's layout, its
    /// slot and its object, yielded again while the slot stays the same (as
    /// CPython yields the same object again while a variable keeps it: a
    /// running maximum's value), without a new object per step.
    last: Option<(Arc<YieldLayout>, u64, Py<PyAny>)>,
}

/// A live value held as an object, classified again before each step.
struct Check {
    /// Its position in `Native::slots` and in the layout's arguments, and its number of slots.
    at: usize,
    arg: usize,
    n: usize,
    obj: Py<PyAny>,
    /// An array's descriptor and flags when its slots were taken (0: not an array).
    descr: usize,
    flags: i32,
}

impl Native {
    #[inline]
    fn clear(&mut self) {
        self.layout = None;
        self.slots.clear();
        if !self.refs.is_empty() {
            self.refs.clear();
        }
        if !self.checks.is_empty() {
            self.checks.clear();
        }
        if !self.dead.is_empty() {
            self.dead.clear();
        }
    }

    /// Empties the state, keeping its objects alive in `dead`.
    fn retire(&mut self) {
        self.layout = None;
        self.slots.clear();
        self.dead.append(&mut self.refs);
        self.dead.extend(self.checks.drain(..).map(|c| c.obj));
    }

    /// The live values as Python objects (the interpreter tier's and the dispatcher's form).
    fn boxed(&self, py: Python<'_>) -> PyResult<Vec<Slot>> {
        let Some(l) = &self.layout else {
            return Err(crate::internal_error("a generator's native state without a layout"));
        };
        let mut out = Vec::with_capacity(l.args.len());
        let mut pos = 0;
        for (i, a) in l.args.iter().enumerate() {
            if let Some(c) = self.checks.iter().find(|c| c.arg == i) {
                out.push(Some(c.obj.clone_ref(py)));
                pos += a.n;
                continue;
            }
            out.push(crate::boxing::box_value(py, &a.ty, &self.slots, &mut pos)?);
        }
        Ok(out)
    }

    /// Reads the checked values again from their objects into `slots`: false
    /// when one no longer has the type the step was compiled for.
    fn refresh(&mut self, py: Python<'_>, l: &YieldLayout) -> PyResult<bool> {
        for c in &mut self.checks {
            let here = &mut self.slots[c.at..c.at + c.n];
            // SAFETY: `descr` is set for exact ndarrays only.
            if c.descr != 0 && unsafe { crate::boxing::array_unchanged(c.obj.as_ptr(), here, c.descr, c.flags) } {
                continue;
            }
            let a = &l.args[c.arg];
            let Some(d) = classified(py, &a.ty, c.obj.bind(py))? else {
                return Ok(false);
            };
            here.copy_from_slice(&d.0);
            (c.descr, c.flags) = (d.1, d.2);
        }
        Ok(true)
    }
}

/// `obj`'s slots when it classifies as a value compiled code of type `want`
/// takes (an array: of the same dtype, dimensions and writability, the
/// layout or any), with an array's descriptor and flags.
fn classified(py: Python<'_>, want: &Ty, obj: &Bound<'_, PyAny>) -> PyResult<Option<(Vec<u64>, usize, i32)>> {
    let mut tmp = Vec::new();
    let Some(got) = crate::boxing::classify(py, obj, &mut tmp)? else {
        return Ok(None);
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
        return Ok(None);
    }
    let exact_array =
        matches!(got, Ty::Array(_)) && crate::boxing::np_types(py)?.ndarray_type == obj.get_type_ptr() as usize;
    let (descr, flags) = if exact_array {
        // SAFETY: an exact ndarray.
        unsafe { crate::boxing::array_descr_flags(obj.as_ptr()) }
    } else {
        (0, 0)
    };
    Ok(Some((tmp, descr, flags)))
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
    /// The live values the next step starts from.
    args: Vec<Arg>,
    /// The next step's argument types when the value sent in is None.
    key: Vec<Ty>,
    /// No tuple holds objects: a state at this `yield` is updated in place.
    simple: bool,
    /// Where a union's members lie after its tag, when the yielded value is one
    /// (computed once: `abi::union_layout` allocates).
    value_union: Option<Vec<usize>>,
    /// The yielded value is an immutable number held in one slot (an int, a
    /// float, a NumPy scalar of one slot): the object made for it last may
    /// be yielded again for the same slot (`Native::last`).
    reuse: bool,
    /// How a state already at this `yield` is updated in place, per live
    /// value (None where it is not `simple`): see [`capture_in_place`].
    in_place: Option<Vec<Update>>,
}

/// One live value's update of a state at its own `yield` again.
#[derive(Clone, Copy)]
enum Update {
    /// Plain data: `n` slots copied from `ctx.slots[src..]` to `slots[dst..]`.
    Copy { src: u32, dst: u32, n: u32 },
    /// An object held by reference `refs[k]` (`slots[dst]` its pointer).
    Ref { src: u32, dst: u32, k: u32 },
    /// A value classified again before each step: unchanged when its `n`
    /// slots are the same as the state's (else the general path takes it).
    Same { src: u32, dst: u32, n: u32 },
}

/// A live value crossing a `yield`.
struct Arg {
    /// Its offset in `ctx.slots` and its number of slots.
    off: usize,
    n: usize,
    ty: Ty,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Plain data (numbers, ranges, None).
    Data,
    /// An object compiled code reads and does not change the type of: kept by reference.
    Ref,
    /// An array or a container: classified again before each step.
    Check,
    /// A tuple or a slice: its parts, in turn.
    Parts,
}

/// How a value of type `t` crosses a `yield` as slots (`top`: a live value
/// itself, not part of one); None: it cannot.
fn kind(t: &Ty, top: bool) -> Option<Kind> {
    Some(match t {
        Ty::NoneT | Ty::Ellipsis | Ty::Bool | Ty::Int | Ty::Float | Ty::Complex | Ty::Range => Kind::Data,
        Ty::Np(d) if !d.is_record() => Kind::Data,
        Ty::PyInt | Ty::PyStr | Ty::Obj(_) | Ty::PyIter(_) => Kind::Ref,
        Ty::Array(_) | Ty::List(_) | Ty::Dict(..) | Ty::Set(_) if top => Kind::Check,
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Slice(ts) => {
            let mut k = Kind::Data;
            for m in ts {
                match kind(m, false)? {
                    Kind::Data => {}
                    _ => k = Kind::Parts,
                }
            }
            k
        }
        _ => return None,
    })
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
        let (off, ty) = at.get(a)?.clone();
        let kind = kind(&ty, true)?;
        key.push(ty.clone());
        args.push(Arg {
            off,
            n: crate::runtime::slot_count(&ty),
            ty,
            kind,
        });
    }
    let simple = args.iter().all(|a| a.kind != Kind::Parts);
    let value_union = match &value.1 {
        Ty::Union(ms) => Some(pyston_compiler::abi::union_layout(ms).0),
        _ => None,
    };
    let reuse = match &value.1 {
        Ty::Int | Ty::Float => true,
        Ty::Np(d) => !d.is_record() && crate::runtime::slot_count(&value.1) == 1,
        _ => false,
    };
    let in_place = simple.then(|| {
        let (mut dst, mut refs) = (0u32, 0u32);
        let mut plan = Vec::with_capacity(args.len());
        for a in &args {
            let (src, n) = (a.off as u32, a.n as u32);
            plan.push(match a.kind {
                Kind::Ref => {
                    refs += 1;
                    Update::Ref { src, dst, k: refs - 1 }
                }
                Kind::Check => Update::Same { src, dst, n },
                _ => Update::Copy { src, dst, n },
            });
            dst += n;
        }
        plan
    });
    Some(YieldLayout {
        point: *point,
        value,
        args,
        key,
        simple,
        value_union,
        reuse,
        in_place,
    })
}

/// `capture` where the step stopped at the `yield` the state `ns` is at
/// already, and the layout is simple: its data copied in place, an object
/// whose pointer changed held instead of the old one (let go at once: the
/// step is over, and compiled code holds the new one), and every classified
/// value (array, container) the same object with the same slots. False,
/// with nothing changed that `capture`'s general path would not change the
/// same way, where a classified value differs (the general path then
/// classifies it).
fn capture_in_place(py: Python<'_>, plan: &[Update], ctx: &Ctx, ns: &mut Native) -> bool {
    for u in plan {
        if let Update::Same { src, dst, n } = *u {
            let (src, dst, n) = (src as usize, dst as usize, n as usize);
            // (a few words: compared in place, not by a call of memcmp)
            for i in 0..n {
                if ns.slots[dst + i] != ctx.slots[src + i] {
                    return false;
                }
            }
        }
    }
    for u in plan {
        match *u {
            Update::Copy { src, dst, n } => {
                let (src, dst, n) = (src as usize, dst as usize, n as usize);
                // (as above: not a call of memmove)
                for i in 0..n {
                    ns.slots[dst + i] = ctx.slots[src + i];
                }
            }
            Update::Ref { src, dst, k } => {
                let p = ctx.slots[src as usize];
                if ns.slots[dst as usize] != p {
                    // SAFETY: an object slot holds a live object (an argument, or arena-owned
                    // with the arena released only after this); we take our own reference.
                    let o = unsafe { Bound::from_borrowed_ptr(py, p as *mut pyo3::ffi::PyObject) }.unbind();
                    ns.slots[dst as usize] = p;
                    ns.dead.push(std::mem::replace(&mut ns.refs[k as usize], o));
                }
            }
            Update::Same { .. } => {}
        }
    }
    true
}

/// Takes strong references to the objects the value of type `t` at
/// `slots[*pos..]` points at (the parts of a tuple).
fn keep_parts(py: Python<'_>, t: &Ty, slots: &[u64], pos: &mut usize, refs: &mut Vec<Py<PyAny>>) {
    match t {
        Ty::PyInt | Ty::PyStr | Ty::Obj(_) | Ty::PyIter(_) => {
            // SAFETY: an object slot holds a live object (an argument, or arena-owned
            // with the arena released only after this); we take our own reference.
            refs.push(unsafe { Bound::from_borrowed_ptr(py, slots[*pos] as *mut pyo3::ffi::PyObject) }.unbind());
            *pos += 1;
        }
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) | Ty::Slice(ts) => {
            for m in ts {
                keep_parts(py, m, slots, pos, refs);
            }
        }
        t => *pos += crate::runtime::slot_count(t),
    }
}

/// The native state compiled code left at a `yield` (a deopt point of `meta`
/// that `ctx` stopped at), put in `ns`, and the yielded value; None when the
/// values go back boxed. `ns` holds the state the step started from, or
/// nothing: where the step stopped at the same `yield` it is updated in place
/// (a value still the same keeps its object). Nothing `ns` held is let go
/// before the step is over: where this gives None or fails, the
/// interpreter tier may still read objects only `ns` keeps alive (the caller
/// clears `ns` once the step returned).
fn capture(py: Python<'_>, meta: &FuncMeta, ctx: &Ctx, ns: &mut Native) -> PyResult<Option<Py<PyAny>>> {
    let all = meta.yields.get_or_init(|| layouts(meta));
    let Some(Some(l)) = all.get(ctx.deopt_point as usize) else {
        return Ok(None);
    };
    // The yielded value first: its own reference before any object is let go.
    let boxed = match (&l.value.1, &l.value_union) {
        (Ty::Union(ms), Some(offsets)) => {
            // (the member the tag names, as `box_value` reads a union)
            let tag = (ctx.slots[l.value.0] & 0xff) as usize;
            let (Some(m), Some(off)) = (ms.get(tag), offsets.get(tag)) else {
                return Err(crate::internal_error("bad union tag"));
            };
            let mut pos = l.value.0 + 1 + off;
            crate::boxing::box_value(py, m, &ctx.slots, &mut pos)?
        }
        (t, _) if l.reuse => {
            let bits = ctx.slots[l.value.0];
            match &ns.last {
                Some((k, b, o)) if *b == bits && Arc::ptr_eq(k, l) => Some(o.clone_ref(py)),
                _ => {
                    let o = crate::boxing::box_value(py, t, &ctx.slots, &mut { l.value.0 })?;
                    if let Some(o) = &o {
                        // (the old object let go once the step is over, with the others)
                        if let Some((_, _, old)) = ns.last.replace((l.clone(), bits, o.clone_ref(py))) {
                            ns.dead.push(old);
                        }
                    }
                    o
                }
            }
        }
        (t, _) => crate::boxing::box_value(py, t, &ctx.slots, &mut { l.value.0 })?,
    };
    let Some(value) = boxed else {
        return Ok(None);
    };
    let in_place = l.simple && ns.layout.as_ref().is_some_and(|p| Arc::ptr_eq(p, l));
    if in_place {
        if let Some(plan) = &l.in_place {
            if capture_in_place(py, plan, ctx, ns) {
                if !ns.dead.is_empty() {
                    ns.dead.clear();
                }
                return Ok(Some(value));
            }
        }
    }
    if !in_place {
        ns.retire();
    }
    let (mut refs, mut checks) = (0, 0);
    let mut dst = 0;
    for (i, a) in l.args.iter().enumerate() {
        let src = &ctx.slots[a.off..a.off + a.n];
        if !in_place {
            // (a few slots each: pushed, not a call of memmove)
            for &x in src {
                ns.slots.push(x);
            }
        }
        match a.kind {
            Kind::Data => {
                if in_place {
                    for (d, &x) in ns.slots[dst..dst + a.n].iter_mut().zip(src) {
                        *d = x;
                    }
                }
            }
            Kind::Ref => {
                let p = src[0] as *mut pyo3::ffi::PyObject;
                if !in_place || ns.refs[refs].as_ptr() != p {
                    // SAFETY: an object slot holds a live object (an argument, or arena-owned
                    // with the arena released only after this); we take our own reference.
                    let o = unsafe { Bound::from_borrowed_ptr(py, p) }.unbind();
                    if in_place {
                        ns.slots[dst] = src[0];
                        let old = std::mem::replace(&mut ns.refs[refs], o);
                        ns.dead.push(old);
                    } else {
                        ns.refs.push(o);
                    }
                }
                refs += 1;
            }
            Kind::Parts => keep_parts(py, &a.ty, &ctx.slots, &mut { a.off }, &mut ns.refs),
            Kind::Check => {
                // The same array (or container) as the step started from: nothing changes.
                if in_place && ns.slots[dst..dst + a.n].iter().zip(src).all(|(x, y)| x == y) {
                    checks += 1;
                    dst += a.n;
                    continue;
                }
                let obj = if matches!(a.ty, Ty::Array(_)) {
                    match crate::boxing::box_value(py, &a.ty, &ctx.slots, &mut { a.off })? {
                        Some(o) => o,
                        None => {
                            ns.layout = None;
                            return Ok(None);
                        }
                    }
                } else {
                    // SAFETY: as above.
                    unsafe { Bound::from_borrowed_ptr(py, src[0] as *mut pyo3::ffi::PyObject) }.unbind()
                };
                // As the dispatcher would classify it for the next step.
                let Some((s, descr, flags)) = classified(py, &a.ty, obj.bind(py))? else {
                    ns.layout = None;
                    return Ok(None);
                };
                ns.slots[dst..dst + a.n].copy_from_slice(&s);
                let c = Check {
                    at: dst,
                    arg: i,
                    n: a.n,
                    obj,
                    descr,
                    flags,
                };
                if in_place {
                    let old = std::mem::replace(&mut ns.checks[checks], c);
                    ns.dead.push(old.obj);
                } else {
                    ns.checks.push(c);
                }
                checks += 1;
            }
        }
        dst += a.n;
    }
    if !in_place {
        ns.layout = Some(l.clone());
    }
    // (nothing reads the step's values any more)
    ns.dead.clear();
    Ok(Some(value))
}

/// A value only touched with the GIL held (pyo3's `frozen` classes must be
/// `Sync`): what a [`Generator`] keeps between steps.
struct GilCell<T>(std::cell::UnsafeCell<T>);

// SAFETY: the contents are reached only through `GilCell::get`, whose callers
// hold the GIL (a `Python` token) and, for a generator, have set its
// `running` flag, which keeps every other caller out until they clear it.
unsafe impl<T: Send> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    /// # Safety
    /// The GIL is held and no other reference to the contents is live (the
    /// generator's `running` flag was false and was set by this caller).
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self, _py: Python<'_>) -> &mut T {
        // SAFETY: exclusive by the caller's promise.
        unsafe { &mut *self.0.get() }
    }
}

/// A compiled step a native state resumes with: the layout of the `yield`
/// it resumes from, the step's dispatcher, its specialization for the
/// layout's types, and what stands for that specialization's guards holding
/// (checked before each step: see `GuardStamp`).
struct Step(
    Arc<YieldLayout>,
    Py<Dispatcher>,
    Arc<Spec>,
    Option<crate::env::GuardStamp>,
);

struct GenState {
    /// The resume point the next step starts at (0: not started).
    point: u32,
    /// The values the next step starts from as objects (the arguments for
    /// step 0); None: `native` holds them.
    boxed: Option<Vec<Slot>>,
    native: Native,
    finished: bool,
    /// The compiled steps native states resume with.
    steps: Vec<Step>,
}

/// A compiled generator (what calling a [`GeneratorFunction`] returns).
#[pyclass(module = "pyston._pyston", name = "generator", frozen)]
pub struct Generator {
    func: Py<GeneratorFunction>,
    /// The function's semantics box NumPy scalars as Python's (Numba's).
    box_python_scalars: bool,
    qualname: String,
    /// Set while a step runs, or while a method reads or changes `st`.
    running: std::sync::atomic::AtomicBool,
    st: GilCell<GenState>,
}

/// Clears a generator's `running` flag when dropped.
struct Running<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Generator {
    /// The function that made it (an address; see `iter_args::origin`).
    pub fn origin(&self) -> usize {
        self.func.as_ptr() as usize
    }

    /// Sets the `running` flag (the state is this caller's until the guard
    /// drops), or `ValueError` as CPython's generator raises when it runs.
    /// (The GIL orders the threads that call it: no read-modify-write needed.)
    fn enter(&self, _py: Python<'_>) -> PyResult<Running<'_>> {
        use std::sync::atomic::Ordering;
        if self.running.load(Ordering::Relaxed) {
            return Err(PyValueError::new_err("generator already executing"));
        }
        self.running.store(true, Ordering::Relaxed);
        Ok(Running(&self.running))
    }

    /// Runs the next step with `sent` (None for `next`): the yielded value,
    /// or `StopIteration` with the returned value. Under Numba's semantics a
    /// NumPy scalar yielded comes out as the Python scalar (as Numba's
    /// generators give it, and as its functions return one).
    fn resume(&self, py: Python<'_>, sent: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        let r = self.step(py, sent)?;
        if self.box_python_scalars {
            return crate::dispatch::numba_box(py, r);
        }
        Ok(r)
    }

    fn step(&self, py: Python<'_>, sent: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        let _running = self.enter(py)?;
        // SAFETY: the GIL is held and `enter` made the state ours.
        let st = unsafe { self.st.get(py) };
        let sends_none = sent.as_ref().is_none_or(|s| s.is_none(py));
        if st.finished {
            return Err(PyStopIteration::new_err(()));
        }
        if st.point == 0 && !sends_none {
            return Err(PyTypeError::new_err(
                "can't send non-None value to a just-started generator",
            ));
        }
        let point = st.point;
        let mut r = None;
        if st.boxed.is_none() && sends_none {
            match self.native_step(py, &mut st.steps, &mut st.native) {
                StepOut::Yielded(value) => {
                    // (the common case, first: the next state is native, in place)
                    st.point = st.native.layout.as_ref().map_or(0, |l| l.point);
                    return Ok(value);
                }
                StepOut::Done(x) => {
                    // (not at a `yield` kept natively: the state it started from goes)
                    st.native.clear();
                    r = Some(*x);
                }
                StepOut::NotRun => {}
            }
        }
        let r = match r {
            Some(r) => r,
            None => {
                // The step runs from the values as objects (the dispatcher classifies them).
                let vals = match st.boxed.take() {
                    Some(v) => Ok(v),
                    None => st.native.boxed(py),
                };
                st.native.clear();
                let ns = &mut st.native;
                vals.and_then(|vals| {
                    let mut cap = |py: Python<'_>, meta: &FuncMeta, ctx: &Ctx| capture(py, meta, ctx, ns);
                    self.func
                        .get()
                        .run_step(py, point, with_sent(py, point, sent, vals), &mut cap)
                })
            }
        };
        if let (Ok(value), Some(l)) = (&r, &st.native.layout) {
            st.point = l.point;
            st.boxed = None;
            return Ok(value.clone_ref(py));
        }
        st.native.clear();
        match r {
            Ok(obj) => match obj.bind(py).cast::<Suspended>() {
                Ok(s) => {
                    let s = s.get();
                    st.point = s.point;
                    st.boxed = Some(std::mem::take(&mut *s.state.lock().unwrap()));
                    Ok(s.value.clone_ref(py))
                }
                Err(_) => {
                    st.finish();
                    if obj.is_none(py) {
                        Err(PyStopIteration::new_err(()))
                    } else {
                        Err(PyStopIteration::new_err((obj,)))
                    }
                }
            },
            Err(e) => {
                st.finish();
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

    /// Runs the step that resumes native state `ns` by a direct call of its
    /// compiled entry, the state it stops in put in `ns`; `NotRun` (`ns` as
    /// it was) where it cannot: the step runs on the interpreter tier, or a
    /// value changed type.
    fn native_step(&self, py: Python<'_>, steps: &mut Vec<Step>, ns: &mut Native) -> StepOut {
        // (moved out while `ns` is refreshed; back before the step runs)
        let Some(l) = ns.layout.take() else {
            return StepOut::NotRun;
        };
        // (the step the last one resumed by, first)
        let found = match steps.last() {
            Some(Step(k, ..)) if Arc::ptr_eq(k, &l) => Some(steps.len() - 1),
            _ => steps.iter().position(|Step(k, ..)| Arc::ptr_eq(k, &l)),
        };
        let i = match found {
            // (no global changed since the guards last held: they still hold)
            Some(i) if steps[i].3.as_ref().is_some_and(|s| s.unchanged(py)) => Some(i),
            Some(i) => {
                let st = &mut steps[i];
                let versions = st.3.as_ref().and_then(|s| s.now(py));
                if st.1.bind(py).get().spec_current(py, &st.2) {
                    if let Some(s) = &mut st.3 {
                        s.held_at(versions);
                    }
                    Some(i)
                } else {
                    None
                }
            }
            None => None,
        };
        let i = match i {
            Some(i) => i,
            None => {
                let found = self
                    .func
                    .get()
                    .step_dispatcher(py, l.point)
                    .and_then(|d| Ok(Dispatcher::step_spec(d.bind(py), &l.key)?.map(|s| (d, s))));
                let (d, s) = match found {
                    Ok(Some(x)) => x,
                    Ok(None) => {
                        ns.layout = Some(l);
                        return StepOut::NotRun;
                    }
                    Err(e) => {
                        ns.layout = Some(l);
                        return StepOut::Done(Box::new(Err(e)));
                    }
                };
                steps.retain(|Step(k, ..)| !Arc::ptr_eq(k, &l));
                // (stamped by the next step's full check of the guards)
                let stamp = crate::env::GuardStamp::new(py, &s.guards);
                steps.push(Step(l.clone(), d, s, stamp));
                steps.len() - 1
            }
        };
        let fresh = if ns.checks.is_empty() {
            Ok(true)
        } else {
            ns.refresh(py, &l)
        };
        ns.layout = Some(l);
        match fresh {
            Ok(true) => {}
            Ok(false) => return StepOut::NotRun,
            Err(e) => return StepOut::Done(Box::new(Err(e))),
        }
        let Step(_, d, spec, _) = &steps[i];
        // (compiled code reads the arguments before it returns, `capture` writes them after)
        let args = ns.slots.as_ptr();
        let mut cap = |py: Python<'_>, meta: &FuncMeta, ctx: &Ctx| capture(py, meta, ctx, ns);
        crate::runtime::THREAD.with(|t| Dispatcher::run_step(d.bind(py), spec, args, t, &mut cap))
    }
}

impl GenState {
    /// The generator is done: what it held goes.
    fn finish(&mut self) {
        self.finished = true;
        self.boxed = None;
        self.native = Native::default();
        self.steps.clear();
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
        if self.running.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(PyValueError::new_err("generator already executing"));
        }
        // Bad arguments raise without touching the generator.
        helpers.getattr("check")?.call1(args)?;
        let state = {
            let _running = self.enter(py)?;
            // SAFETY: the GIL is held and `enter` made the state ours.
            let st = unsafe { self.st.get(py) };
            let state = if st.finished {
                2
            } else if st.point == 0 {
                0
            } else {
                1
            };
            st.finish();
            state
        };
        let throw = helpers.getattr("throw")?;
        let mut all = vec![(state as i64).into_pyobject(py)?.into_any()];
        all.extend(args.iter());
        throw.call1(PyTuple::new(py, all)?)?;
        Err(crate::internal_error("throw() returned"))
    }

    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let _running = self.enter(py)?;
        // SAFETY: the GIL is held and `enter` made the state ours.
        unsafe { self.st.get(py) }.finish();
        Ok(())
    }

    /// What the next step starts from (for tests): "native" (slots as compiled
    /// code left them), "boxed" (Python objects), "finished", or "running".
    #[getter]
    fn _state(&self, py: Python<'_>) -> &'static str {
        let Ok(_running) = self.enter(py) else {
            return "running";
        };
        // SAFETY: the GIL is held and `enter` made the state ours.
        let st = unsafe { self.st.get(py) };
        if st.finished {
            "finished"
        } else if st.boxed.is_some() {
            "boxed"
        } else {
            "native"
        }
    }

    #[getter]
    fn gi_running(&self) -> bool {
        self.running.load(std::sync::atomic::Ordering::Relaxed)
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
