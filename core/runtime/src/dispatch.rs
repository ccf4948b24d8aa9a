//! The dispatcher: the object `@pyston.fast` returns.
//!
//! A call computes the argument type key (scalar kinds; array dtype, ndim
//! and layout) while unboxing the arguments into slots, finds the cached
//! specialization (compiling it on a miss), checks the guards on the globals
//! it was compiled against (a rebinding recompiles), and runs the native
//! entry. A deoptimization hands the call to the interpreter tier.

use crate::boxing;
use crate::pipeline::{self, Source, Spec};
use crate::runtime::{self, Ctx, FuncMeta, PyEnv};
use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyston_compiler::error::{CompileError, ErrorKind};
use pyston_compiler::hir::Span;
use pyston_compiler::types::Dtype;
use pyston_compiler::types::Ty;
use pyston_compiler::Semantics;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// What `pyston._lift.lift` gives: the rewritten function, its lifted loops
/// (first line, dispatcher) and whether any `prange` loop runs in parallel.
type Lifted<'py> = (Bound<'py, PyAny>, Vec<(u32, Py<PyAny>)>, bool);

#[pyclass(module = "pyston._pyston", name = "Dispatcher", frozen, dict)]
pub struct Dispatcher {
    pub id: u32,
    pub name: String,
    pub(crate) py_func: Py<PyAny>,
    pub(crate) sem: Semantics,
    /// The constructor's preset and flags (for pickling by value).
    preset: String,
    flags: Py<PyDict>,
    inner: Mutex<Inner>,
    /// Made by loop lifting for one loop of another function (`pyston._lift`): never warns.
    lifted_loop: bool,
    /// False once a call of a lifted loop ran as plain Python with nothing
    /// lifted inside it: the function it came from runs its loop in place again.
    native: std::sync::atomic::AtomicBool,
    /// With `parallel`: 0 not known yet, 1 no `prange` loop runs in
    /// parallel, 2 some do (calls then run the rewritten function).
    parallel_loops: std::sync::atomic::AtomicU8,
    /// One step of a compiled generator (`crate::generators`): its IR is given, and
    /// what cannot be compiled runs on the interpreter tier (there is no Python function for it).
    pub(crate) step: bool,
}

#[derive(Default)]
struct Inner {
    source: Option<Result<Arc<Source>, (CompileError, String)>>,
    env: Option<Arc<PyEnv>>,
    specs: HashMap<Vec<Ty>, Arc<Spec>>,
    order: Vec<Vec<Ty>>,
    warned: bool,
    last: Option<Arc<Spec>>,
    /// Explicit signatures only: other argument types raise TypeError.
    restricted: bool,
    /// With explicit signatures: converts arguments of other types to the
    /// best signature (Numba's rules, `pyston._numba_api`), or gives None.
    converter: Option<Py<PyAny>>,
    /// Int operations that overflowed 64 bits, by IR position, and how often.
    overflow_hits: HashMap<(pyston_compiler::ir::Block, usize), u32>,
    /// Those compiled with a boxed (arbitrary-precision) result from now on,
    /// and int powers compiled with a float result for negative exponents.
    adapt: pyston_compiler::infer::Adapt,
    /// What runs when compiled code cannot: the Python function with its
    /// liftable loops compiled (`pyston._lift`), or the function itself.
    plain: Option<Py<PyAny>>,
    /// The lifted loops: (first line, dispatcher).
    loops: Vec<(u32, Py<PyAny>)>,
}

impl Spec {
    pub fn meta_slot_ptr(&self) -> *const *const FuncMeta {
        &*self._meta_slot as *const *const FuncMeta
    }
}

fn new_err(py: Python<'_>, e: &CompileError, filename: &str, funcname: &str) -> PyErr {
    let kind = match e.kind {
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::Typing => "typing",
        ErrorKind::Internal => "internal",
    };
    let span = e.span.unwrap_or_default();
    let r = py.import("pyston._errors").and_then(|m| {
        m.getattr("compile_error")?.call1((
            kind,
            e.message.as_str(),
            filename,
            funcname,
            span.line,
            span.col,
            span.end_line,
            span.end_col,
        ))
    });
    match r {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// Calls a dispatcher from the interpreter tier (a call compiled code left
/// for the interpreter, e.g. one direction of mutual recursion) as CPython
/// calls a Python function: one level of the recursion count, and at the
/// limit CPython's message for a recursive Python function (calling the
/// object would check the limit with "while calling a Python object").
pub(crate) fn call_direct(
    slf: &Bound<'_, Dispatcher>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    // SAFETY: GIL held; balanced by the Py_LeaveRecursiveCall below.
    if unsafe { ffi::Py_EnterRecursiveCall(c"".as_ptr()) } != 0 {
        return Err(PyErr::fetch(py));
    }
    let r = runtime::THREAD.with(|t| Dispatcher::call(slf, args, kwargs, t));
    // SAFETY: GIL held; leaves the level entered above.
    unsafe { ffi::Py_LeaveRecursiveCall() };
    r
}

/// Gives a `RecursionError` raised when a frame of `plain`'s module called a
/// pyston function CPython's message for a recursive Python function: CPython checks
/// the limit when it calls the dispatcher (a C type) and says "while calling a
/// Python object"; the plain function meets the limit entering its own frame,
/// with no suffix. Runs no Python code (at the limit anything would raise).
fn plain_recursion_message(py: Python<'_>, err: &PyErr, plain: &Bound<'_, PyAny>) {
    const CALLING: &str = "maximum recursion depth exceeded while calling a Python object";
    let value = err.value(py);
    let Ok(args) = value.getattr("args") else {
        return;
    };
    let Ok(args) = args.cast::<PyTuple>() else {
        return;
    };
    let first = args.get_item(0).ok();
    let msg = first.as_ref().and_then(|m| {
        m.cast::<pyo3::types::PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok().map(|c| c.into_owned()))
    });
    if args.len() != 1 || msg.as_deref() != Some(CALLING) {
        return;
    }
    let (Some(mut tb), Ok(globals)) = (err.traceback(py).map(|t| t.into_any()), plain.getattr("__globals__")) else {
        return;
    };
    while let Ok(next) = tb.getattr("tb_next") {
        if next.is_none() {
            break;
        }
        tb = next;
    }
    // Raised calling from a function of the same module (this one, or the
    // other half of a mutual recursion): CPython would have met the limit
    // entering that frame.
    let innermost = tb.getattr("tb_frame").and_then(|f| f.getattr("f_globals"));
    if innermost.is_ok_and(|g| g.is(&globals)) {
        if let Ok(t) = PyTuple::new(py, ["maximum recursion depth exceeded"]) {
            let _ = value.setattr("args", t);
        }
    }
}

/// Re-raises `err` with traceback entries for the frames it passed through
/// in compiled or interpreted code (innermost first).
pub(crate) fn with_frames(py: Python<'_>, err: PyErr, frames: &[(String, String, Span)]) -> PyErr {
    if frames.is_empty() {
        return err;
    }
    let list: Vec<(String, String, u32, u32, u32, u32)> = frames
        .iter()
        .map(|(file, name, s)| (file.clone(), name.clone(), s.line, s.col, s.end_line, s.end_col))
        .collect();
    let exc = err.value(py).clone();
    // (Before CPython 3.12 a fetched exception keeps its traceback apart from
    // the value: the frames it was raised through, a callee's, go with it.)
    if let Some(tb) = err.traceback(py) {
        if exc.getattr("__traceback__").is_ok_and(|t| t.is_none()) {
            let _ = exc.setattr("__traceback__", tb);
        }
    }
    match py
        .import("pyston._errors")
        .and_then(|m| m.getattr("with_frames")?.call1((exc, list)))
    {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// How a generator's step resumed from native state ended (`Dispatcher::run_step`).
pub(crate) enum StepOut {
    /// At a `yield` whose state the capture hook took: the yielded value.
    Yielded(Py<PyAny>),
    /// Any other way: the step's result or exception.
    Done(Box<PyResult<Py<PyAny>>>),
    /// Not run (the generator runs the step from its values as objects).
    NotRun,
}

/// One more level of calls through dispatchers on this thread, undone on drop.
struct Nesting<'a>(&'a std::cell::Cell<u32>);

impl Drop for Nesting<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl<'a> Nesting<'a> {
    /// Enters a call: the level (left on drop), the stack left (asked once per
    /// call: the callers' checks and `run` read it), and whether the call must
    /// raise `RecursionError` (Python's recursion limit, counting compiled
    /// frames below, or too little stack for a nested call).
    fn enter(t: &'a runtime::ThreadState) -> (Self, Option<usize>, bool) {
        let depth = t.call_depth.get() + 1;
        t.call_depth.set(depth);
        let nested = depth + t.native_depth.get();
        // SAFETY: plain C API query, GIL held (asked only past the smallest limit we use).
        let too_deep = nested > 50 && nested > unsafe { ffi::Py_GetRecursionLimit() }.max(50) as u32;
        let stack = crate::stack::remaining_in(&t.stack_low);
        let low_stack = stack.is_some_and(|r| r < crate::stack::CALL_RESERVE);
        (Nesting(&t.call_depth), stack, too_deep || (low_stack && depth > 1))
    }
}

thread_local! {
    /// Set while a call runs with arguments converted to an explicit signature.
    static CONVERTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl Dispatcher {
    /// `__call__`, with this thread's state.
    pub(crate) fn call(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        t: &runtime::ThreadState,
    ) -> PyResult<Py<PyAny>> {
        Dispatcher::call_with(slf, args, kwargs, t, None)
    }

    /// `call`, with a generator step's hook for compiled code stopping at a
    /// `yield` (`crate::generators::Capture`).
    pub(crate) fn call_with(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        t: &runtime::ThreadState,
        capture: Option<crate::generators::Capture<'_>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        // Recursion through the dispatcher holds compiled and interpreter frames
        // on the native stack: bound the nesting (with the compiled frames below
        // it) by Python's recursion limit and by the stack actually left. A
        // function running as plain Python meets CPython's own limit first (it
        // counts every Python frame), so its RecursionError is CPython's.
        // (Py_EnterRecursiveCall is not used: on 3.11 it would count each level
        // twice, and from 3.12 it counts C frames against a far higher limit.)
        let (_leave, stack, refused) = Nesting::enter(t);
        let low_stack = stack.is_some_and(|r| r < crate::stack::CALL_RESERVE);
        if refused {
            return Err(pyo3::exceptions::PyRecursionError::new_err(
                "maximum recursion depth exceeded",
            ));
        }
        if low_stack && !this.step {
            // A thread with a tiny stack: CPython runs the call itself.
            return Ok(this.py_func.bind(py).call(args, kwargs)?.unbind());
        }
        if this.sem.parallel {
            // `prange` loops run on threads from the function rewritten around them.
            if this.parallel_loops.load(Ordering::Relaxed) == 0 {
                Dispatcher::plain(slf)?;
            }
            if this.parallel_loops.load(Ordering::Relaxed) == 2 {
                return Dispatcher::call_plain(slf, args, kwargs);
            }
        }
        // One lock per call on the fast path: the last specialization used and the arity.
        let (last, nparams, plain_shape) = {
            let inner = this.inner.lock().unwrap();
            let (n, plain) = match inner.source.as_ref() {
                Some(Ok(s)) => (Some(s.ir.params.len()), s.ir.shape.is_plain()),
                _ => (None, true),
            };
            (inner.last.clone(), n, plain)
        };
        if last.is_none() && this.runs_as_python(py)? {
            return Dispatcher::call_plain(slf, args, kwargs);
        }
        // (the first call parsed the source just now: the lock is taken again only then)
        let (nparams, plain_shape) = match nparams {
            Some(_) => (nparams, plain_shape),
            None => match this.inner.lock().unwrap().source.as_ref() {
                Some(Ok(s)) => (Some(s.ir.params.len()), s.ir.shape.is_plain()),
                _ => (None, plain_shape),
            },
        };
        // (what a call that runs as plain Python gets)
        let (orig_args, orig_kwargs) = (args, kwargs);
        let args = if plain_shape {
            args.clone()
        } else {
            // `*args` or keyword-only parameters: bound here as CPython binds them.
            match this.bind_shaped(py, args, kwargs)? {
                Some(a) => a,
                None => return Dispatcher::call_plain(slf, args, kwargs),
            }
        };
        let args = &args;
        let kwargs = if plain_shape { kwargs } else { None };
        let args = match kwargs {
            Some(kw) if !kw.is_empty() => match this.bind_kwargs(py, args, kw)? {
                Some(a) => a,
                None => return Dispatcher::call_plain(slf, args, Some(kw)),
            },
            _ => args.clone(),
        };
        let args = if nparams.is_none_or(|n| args.len() < n) {
            this.with_defaults(py, args)?
        } else {
            args
        };
        let mut slots: Vec<u64> = Vec::with_capacity(16);
        let mut tys: Vec<Ty> = Vec::with_capacity(args.len());
        boxing::clear_typed_seen();
        for i in 0..args.len() {
            // By index with the C API: pyo3's tuple iterator is returned through
            // memory and stalls the call path on store forwarding.
            // SAFETY: `i` is in range and the tuple outlives this borrow.
            let a = unsafe { pyo3::Borrowed::from_ptr(py, ffi::PyTuple_GetItem(args.as_ptr(), i as ffi::Py_ssize_t)) };
            if boxing::classify_common(py, &a, &mut slots, &mut tys)? {
                continue;
            }
            match boxing::classify_other(py, &a, &mut slots)? {
                Some(t) => tys.push(t),
                None => return Dispatcher::run_uncompiled(slf, &args, orig_args, orig_kwargs),
            }
        }
        // Fast path: the last specialization used.
        let spec = match last {
            Some(s) if s.params == tys => s,
            _ => {
                let (src, env) = this.source(py)?;
                if this.sem.numba_scalar_typing && !this.inner.lock().unwrap().restricted {
                    // Numba types an int argument as int64 or uint64, and refuses a wider one
                    // (explicit signatures convert arguments instead: `convert_and_call`).
                    if let Some(i) = tys.iter().position(|t| *t == Ty::PyInt) {
                        let a = args.get_item(i)?;
                        let fits_u64 = a.extract::<u64>().is_ok();
                        if !fits_u64 {
                            let msg = format!(
                                "argument '{}': Int value is too large: {}",
                                src.ir.params.get(i).map(String::as_str).unwrap_or("?"),
                                a.str()?
                            );
                            let e = CompileError::typing(src.ir.span, msg);
                            return Err(new_err(py, &e, &env.filename, &this.name));
                        }
                    }
                }
                if src.ir.params.len() != tys.len() {
                    // CPython's own TypeError for the wrong number of arguments.
                    return Ok(this.py_func.bind(py).call(orig_args, orig_kwargs)?.unbind());
                }
                let compiled = this.inner.lock().unwrap().specs.contains_key(&tys);
                if !compiled && !this.step && stack.is_some_and(|r| r < crate::stack::COMPILE_RESERVE) {
                    // Too little stack to compile here: this call runs as plain Python.
                    return Ok(this.py_func.bind(py).call(orig_args, orig_kwargs)?.unbind());
                }
                let s = match Dispatcher::get_spec(slf, &tys) {
                    Ok(s) => s,
                    Err(e) => return this.convert_and_call(slf, &args, e),
                };
                this.inner.lock().unwrap().last = Some(s.clone());
                s
            }
        };
        if !this.guards_hold(py, &spec) {
            // A global the code was compiled against was rebound: recompile.
            {
                let mut inner = this.inner.lock().unwrap();
                inner.specs.clear();
                inner.last = None;
                // (a generator function inlined into a loop: the source is lowered again)
                if !this.step && matches!(&inner.source, Some(Ok(s)) if !s.inlined.is_empty()) {
                    inner.source = None;
                }
            }
            let s = Dispatcher::get_spec(slf, &tys)?;
            this.inner.lock().unwrap().last = Some(s.clone());
            return Dispatcher::run(slf, &s, (orig_args, orig_kwargs), &slots, t, stack, capture);
        }
        Dispatcher::run(slf, &spec, (orig_args, orig_kwargs), &slots, t, stack, capture)
    }

    fn source(&self, py: Python<'_>) -> PyResult<(Arc<Source>, Arc<PyEnv>)> {
        let mut inner = self.inner.lock().unwrap();
        if inner.source.is_none() {
            drop(inner);
            let src = pipeline::front(py, self.py_func.bind(py), Some(&self.sem))?.map(Arc::new);
            // A generator function called as a function (`python -m pyston`, a function
            // passed to compiled code): CPython makes its generator (`pyston.fast` on a
            // generator function compiles it as a generator, `crate::generators`).
            let src = match src {
                Ok(s) if pyston_compiler::lower::generators::is_generator(&s.ir) => Err((
                    CompileError::unsupported(s.ir.span, "generator functions compile through `pyston.fast` only"),
                    s.filename.clone(),
                )),
                r => r,
            };
            let env = self.make_env(py, src.as_ref().map(|s| s.filename.clone()).unwrap_or_default())?;
            inner = self.inner.lock().unwrap();
            inner.source = Some(src);
            inner.env = Some(Arc::new(env));
        }
        match inner.source.as_ref().unwrap() {
            Ok(s) => Ok((s.clone(), inner.env.clone().unwrap())),
            Err((e, file)) => Err(new_err(py, e, file, &self.name)),
        }
    }

    /// The source to compile for `params`: with a parameter bound to a known
    /// function (`Ty::Func`, by identity in the key), lowered again so that the
    /// function may be inlined at the parameter's calls.
    fn source_for_args(&self, py: Python<'_>, src: Arc<Source>, params: &[Ty]) -> PyResult<Arc<Source>> {
        let (src, lens) = self.source_for_stars(py, src, params)?;
        if self.step || !params.iter().any(|t| matches!(t, Ty::Func(_))) {
            return Ok(src);
        }
        let mut args = Vec::new();
        for (name, t) in src.ir.params.iter().zip(params) {
            if let Ty::Func(id) = t {
                if let Some(d) = crate::env::func_arg(py, *id) {
                    args.push((name.clone(), d.into_bound(py).into_any()));
                }
            }
        }
        Ok(
            match pipeline::front_with_args(py, self.py_func.bind(py), Some(&self.sem), &args, &lens)? {
                Ok(s) if s.ir.params == src.ir.params => Arc::new(s),
                _ => src,
            },
        )
    }

    /// The source to compile for `params` of a function with `*p` of a tuple
    /// parameter (`Op::StarItems`, which compiled code does not take): lowered
    /// again with the lengths of its tuple parameters (`lower_with`'s
    /// `star_lens`), so that `*p` becomes `p`'s items. With the lengths used
    /// (none where the source stays as it was), for lowering it again.
    fn source_for_stars(
        &self,
        py: Python<'_>,
        src: Arc<Source>,
        params: &[Ty],
    ) -> PyResult<(Arc<Source>, HashMap<String, usize>)> {
        let has_star = src
            .ir
            .blocks
            .iter()
            .any(|b| b.insts.iter().any(|i| i.op == pyston_compiler::ir::Op::StarItems))
            || indexes_a_param_to_call(&src.ir)
            || (params.iter().any(|t| matches!(t, Ty::PyIter(_))) && calls_next(&src.ir));
        let known = |t: &Ty| t.tuple_items().is_some() || matches!(t, Ty::Array(_) | Ty::PyIter(_));
        if self.step || !has_star || !params.iter().any(known) {
            return Ok((src, HashMap::new()));
        }
        // (an array parameter `p`: `"p.shape"`, its `ndim`, for `tuple(genexp)`)
        let lens: HashMap<String, usize> = src
            .ir
            .params
            .iter()
            .zip(params)
            .filter_map(|(n, t)| match t {
                Ty::Array(a) => Some((format!("{n}.shape"), a.ndim as usize)),
                // (an iterator parameter: `next(p)` steps it as an iterator local)
                Ty::PyIter(_) => Some((format!("{n}.iter"), 1)),
                _ => Some((n.clone(), t.tuple_items()?.len())),
            })
            .collect();
        Ok(
            match pipeline::front_with_args(py, self.py_func.bind(py), Some(&self.sem), &[], &lens)? {
                Ok(s) if s.ir.params == src.ir.params => (Arc::new(s), lens),
                _ => (src, HashMap::new()),
            },
        )
    }

    fn make_env(&self, py: Python<'_>, filename: String) -> PyResult<PyEnv> {
        let f = self.py_func.bind(py);
        // Objects that are not Python functions (builtins, partials, ...) run as
        // plain Python and only need an empty environment.
        let globals = match f.getattr("__globals__").map(|g| g.cast_into::<PyDict>()) {
            Ok(Ok(g)) => g.unbind(),
            _ => PyDict::new(py).unbind(),
        };
        let builtins = match globals.bind(py).get_item("__builtins__")? {
            Some(b) if b.cast::<PyDict>().is_ok() => b.cast_into::<PyDict>()?.unbind(),
            Some(b) => b.getattr("__dict__")?.cast_into::<PyDict>()?.unbind(),
            None => py
                .import("builtins")?
                .getattr("__dict__")?
                .cast_into::<PyDict>()?
                .unbind(),
        };
        let mut cells = HashMap::new();
        let closure = f.getattr("__closure__").unwrap_or_else(|_| py.None().into_bound(py));
        if !closure.is_none() {
            let names: Vec<String> = f.getattr("__code__")?.getattr("co_freevars")?.extract()?;
            for (n, c) in names.into_iter().zip(closure.try_iter()?) {
                cells.insert(n, c?.unbind());
            }
        }
        Ok(PyEnv {
            globals,
            builtins,
            cells,
            filename,
            func: Some(f.clone().unbind()),
        })
    }

    /// The specialization for `params`, compiling it on a miss.
    fn get_spec(slf: &Bound<'_, Self>, params: &[Ty]) -> PyResult<Arc<Spec>> {
        let py = slf.py();
        let this = slf.get();
        {
            let inner = this.inner.lock().unwrap();
            if let Some(s) = inner.specs.get(params) {
                return Ok(s.clone());
            }
            if inner.restricted {
                // An explicit signature accepts arguments it can take as they are
                // (any layout for an "A" array, a writeable array for a read-only one).
                let fits = |want: &Ty, got: &Ty| match (want, got) {
                    (Ty::Array(w), Ty::Array(g)) => {
                        w.dtype == g.dtype
                            && w.ndim == g.ndim
                            && (w.layout == pyston_compiler::types::Layout::A || w.layout == g.layout)
                            && (w.readonly || !g.readonly)
                    }
                    (w, g) => w == g,
                };
                for p in &inner.order {
                    if p.len() == params.len() && p.iter().zip(params).all(|(w, g)| fits(w, g)) {
                        return Ok(inner.specs[p].clone());
                    }
                }
                let sigs: Vec<String> = inner.order.iter().map(|p| Spec::describe(p)).collect();
                return Err(PyTypeError::new_err(format!(
                    "No matching definition for argument type(s) {} of '{}'; compiled signatures: {}",
                    Spec::describe(params),
                    this.name,
                    sigs.join(", ")
                )));
            }
        }
        let (src, env) = this.source(py)?;
        let src = this.source_for_args(py, src, params)?;
        let adapt = this.inner.lock().unwrap().adapt.clone();
        let mut compiled = crate::env::compiling(slf, || {
            pipeline::compile(py, this.id, &src, &env, params.to_vec(), &this.sem, &adapt)
        });
        // An iterator whose items could not be read before the call is
        // guessed to give floats (`iter_args`); where the body does not type
        // for floats (`s.strip()`), the other scalar items are tried. (The
        // object is one slot whatever its items: the specialization serves
        // the key; every item is checked as it is read.)
        let guessed = Ty::PyIter(Box::new(Ty::Float));
        if matches!(&compiled, Err(e) if e.kind == ErrorKind::Typing) && params.contains(&guessed) {
            for alt in [Ty::Int, Ty::PyStr, Ty::Bool] {
                let alt = Ty::PyIter(Box::new(alt));
                let tried: Vec<Ty> = params
                    .iter()
                    .map(|t| if *t == guessed { alt.clone() } else { t.clone() })
                    .collect();
                let c = crate::env::compiling(slf, || {
                    pipeline::compile(py, this.id, &src, &env, tried, &this.sem, &adapt)
                });
                if c.is_ok() {
                    compiled = c;
                    break;
                }
            }
        }
        let spec = match compiled {
            Ok(s) => s,
            // Untypeable, or a bug in pyston: CPython runs it, exactly (never an
            // internal error out of fallback mode).
            // A typed container argument (`pyston.numba.typed`) whose use does not
            // compile (a store it would convert): CPython runs it, and the
            // container converts as Numba does.
            // (a construct found unsupported only while typing, such as a lambda
            // CPython's compiler dropped as dead code, falls back the same way)
            Err(e)
                if matches!(e.kind, ErrorKind::Typing | ErrorKind::Internal | ErrorKind::Unsupported)
                    && (this.sem.fallback || boxing::take_typed_seen()) =>
            {
                let mut inner = this.inner.lock().unwrap();
                if !inner.warned {
                    inner.warned = true;
                    drop(inner);
                    let at = match e.span {
                        Some(sp) => format!(" (line {} of {})", sp.line, env.filename),
                        None => format!(" ({})", env.filename),
                    };
                    let why = match e.kind {
                        ErrorKind::Internal => format!(
                            "internal compiler error (a bug in pyston, please report it): {}",
                            e.message
                        ),
                        _ => e.message.clone(),
                    };
                    let msg = if this.step {
                        format!(
                            "pyston: generator '{}' runs a step on the interpreter tier for values of types {}: {why}{at}",
                            this.name,
                            Spec::describe(params),
                        )
                    } else {
                        format!(
                            "pyston: '{}' runs as plain Python for argument types {}: {why}{at}",
                            this.name,
                            Spec::describe(params),
                        )
                    };
                    let cat = py.import("pyston._errors")?.getattr("PerformanceWarning")?;
                    PyErr::warn(py, &cat, &std::ffi::CString::new(msg).unwrap(), 2)?;
                }
                Spec::uncompiled(params.to_vec(), e)
            }
            Err(e) => return Err(new_err(py, &e, &env.filename, &this.name)),
        };
        let spec = Arc::new(spec);
        let mut inner = this.inner.lock().unwrap();
        if !inner.specs.contains_key(params) {
            inner.order.push(params.to_vec());
        }
        inner.specs.insert(params.to_vec(), spec.clone());
        Ok(spec)
    }

    fn guards_hold(&self, py: Python<'_>, spec: &Spec) -> bool {
        if self.sem.frozen_globals || spec.guards.is_empty() {
            return true;
        }
        spec.guards.iter().all(|g| g.holds(py))
    }

    /// `orig`: the arguments as called (for plain Python).
    fn run(
        slf: &Bound<'_, Self>,
        spec: &Spec,
        orig: (&Bound<'_, PyTuple>, Option<&Bound<'_, PyDict>>),
        slots: &[u64],
        t: &runtime::ThreadState,
        // The stack left at the dispatcher's frame (`crate::stack::remaining_in`).
        stack: Option<usize>,
        // A generator step's hook, given the first say at a deoptimization
        // (`crate::generators::Capture`).
        capture: Option<crate::generators::Capture<'_>>,
    ) -> PyResult<Py<PyAny>> {
        Dispatcher::run_body(
            slf,
            spec,
            || Dispatcher::call_plain(slf, orig.0, orig.1),
            slots.as_ptr(),
            t,
            stack,
            capture,
            Ok,
            |r| r,
        )
    }

    /// `run` for a generator's step resumed from native state: the value
    /// `capture` took at a `yield` comes back in registers (a `PyResult`
    /// is returned through memory, and copying it from frame to frame
    /// stalls on store forwarding).
    #[allow(clippy::too_many_arguments)]
    fn run_gen(
        slf: &Bound<'_, Self>,
        spec: &Spec,
        args: *const u64,
        t: &runtime::ThreadState,
        stack: Option<usize>,
        capture: crate::generators::Capture<'_>,
    ) -> StepOut {
        Dispatcher::run_body(
            slf,
            spec,
            || Err(crate::internal_error("a generator step resumed without compiled code")),
            args,
            t,
            stack,
            Some(capture),
            StepOut::Yielded,
            |r| StepOut::Done(Box::new(r)),
        )
    }

    /// `run`'s body: `yielded` gives the outcome where `capture` took the
    /// step's state at a `yield`, `done` any other.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn run_body<R>(
        slf: &Bound<'_, Self>,
        spec: &Spec,
        // What runs when `spec` was not compiled.
        plain: impl FnOnce() -> PyResult<Py<PyAny>>,
        // The arguments' slots, laid out for `spec.params` (read by compiled
        // code only: `capture` may change them once it returned).
        args: *const u64,
        t: &runtime::ThreadState,
        stack: Option<usize>,
        capture: Option<crate::generators::Capture<'_>>,
        yielded: impl FnOnce(Py<PyAny>) -> R,
        done: impl FnOnce(PyResult<Py<PyAny>>) -> R,
    ) -> R {
        let (py, this) = (slf.py(), slf.get());
        let (Some(entry), Some(meta)) = (spec.entry, spec.meta.as_ref()) else {
            // Not compiled for these types: CPython's own code (never slower than plain Python).
            return done(plain());
        };
        let mut ctx = t.ctx_pool.borrow_mut().pop().unwrap_or_else(Ctx::new);
        ctx.frames.clear();
        ctx.rng_native = true;
        ctx.nogil = this.sem.nogil;
        ctx.depth = t.native_depth.get();
        // Compiled recursion stops (and deoptimizes) at Python's recursion limit,
        // or earlier where the native stack would run out.
        // SAFETY: plain C API query, GIL held.
        let by_python = unsafe { ffi::Py_GetRecursionLimit() }.clamp(50, 10_000) as u32;
        ctx.depth_limit = match stack {
            Some(r) => {
                let frames = r.saturating_sub(crate::stack::CALL_RESERVE) / crate::stack::FRAME_BYTES;
                by_python.min(ctx.depth.saturating_add(frames as u32))
            }
            None => by_python,
        };
        let nret = meta.nret;
        // (not zeroed: compiled code writes the `nret` slots read back)
        let mut out = std::mem::MaybeUninit::<[u64; 32]>::uninit();
        let mut big = Vec::new();
        let outp = if nret <= 32 {
            out.as_mut_ptr().cast::<u64>()
        } else {
            big.resize(nret, 0u64);
            big.as_mut_ptr()
        };
        // SAFETY: `entry` was compiled for exactly these argument types (the key
        // matched), `args` points at their slots, `outp` has room for the result's
        // slots and `ctx` is a valid, exclusively borrowed context.
        let depth = ctx.depth + 1;
        let status = if this.sem.nogil {
            // `nogil=True`: other Python threads run meanwhile; every helper
            // that touches Python objects takes the GIL back (`Python::attach`).
            ctx.no_gil = true;
            let call = crate::runtime::EntryCall {
                entry,
                args,
                out: outp,
                ctx: &mut *ctx,
                depth,
            };
            let st = py.detach(move || call.run());
            ctx.no_gil = false;
            st
        } else {
            // (the caller may have left the vector registers' upper halves
            // dirty: see `clean_upper`)
            crate::runtime::clean_upper();
            unsafe { entry(args, outp, &mut *ctx, depth) }
        };
        // SAFETY: `outp` has room for `nret` slots, written where `status` is OK.
        unsafe { Dispatcher::after_entry(slf, spec, meta, ctx, status, outp, t, capture, yielded, done) }
    }

    /// What follows a call of `spec`'s compiled entry that returned `status`
    /// in `ctx` (taken from `t`'s pool, given back here): the result boxed
    /// from `outp`, a `yield`'s state handed to `capture`, a deoptimized call
    /// finished by the interpreter tier, or the exception with its frames.
    ///
    /// # Safety
    /// Where `status` is OK, `outp` holds the slots of a value of `meta`'s return type.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    unsafe fn after_entry<R>(
        slf: &Bound<'_, Self>,
        spec: &Spec,
        meta: &Arc<FuncMeta>,
        mut ctx: Box<Ctx>,
        status: i32,
        outp: *const u64,
        t: &runtime::ThreadState,
        capture: Option<crate::generators::Capture<'_>>,
        yielded: impl FnOnce(Py<PyAny>) -> R,
        done: impl FnOnce(PyResult<Py<PyAny>>) -> R,
    ) -> R {
        let (py, this) = (slf.py(), slf.get());
        let depth = ctx.depth + 1;
        let result =
            match status {
                runtime::OK => {
                    // SAFETY: compiled code wrote `nret` slots (the caller's promise).
                    let outs = unsafe { std::slice::from_raw_parts(outp, meta.nret) };
                    let mut pos = 0;
                    boxing::box_value(py, &meta.typed.ret, outs, &mut pos).map(|o| o.unwrap_or_else(|| py.None()))
                }
                runtime::DEOPT => {
                    // A generator's step stopped at a `yield`: its state stays native.
                    let captured = match capture {
                        Some(cap) => cap(py, meta, &ctx),
                        None => Ok(None),
                    };
                    match captured {
                        Ok(Some(value)) => {
                            ctx.release();
                            ctx.frames.clear();
                            t.ctx_pool.borrow_mut().push(ctx);
                            return yielded(value);
                        }
                        Ok(None) => {
                            this.note_overflow(meta, ctx.deopt_point, &ctx.slots);
                            runtime::with_depth(depth, || crate::deopt::resume(py, meta, &mut ctx))
                        }
                        Err(e) => Err(e),
                    }
                }
                _ => Err(PyErr::take(py)
                    .unwrap_or_else(|| crate::internal_error("compiled code failed without an exception"))),
            };
        let result = if this.sem.box_python_scalars {
            result.and_then(|o| numba_box(py, o))
        } else {
            result
        };
        // An explicit signature's declared return type (Numba converts the result).
        let result = match spec.ret_convert.get() {
            Some(conv) => result.and_then(|o| conv.bind(py).call1((o,)).map(Bound::unbind)),
            None => result,
        };
        let result = result.map_err(|e| {
            let frames = crate::runtime::frame_entries(ctx.frames.iter().map(|(m, s)| (&**m, *s)));
            with_frames(py, e, &frames)
        });
        ctx.release();
        ctx.frames.clear();
        t.ctx_pool.borrow_mut().push(ctx);
        done(result)
    }

    /// Runs the call as plain Python (with lifted loops compiled).
    fn call_plain(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if slf.get().step {
            // A generator's step has no Python function: the interpreter tier runs it.
            return slf.get().interpret(py, args);
        }
        let plain = Dispatcher::plain(slf)?;
        // Calling this dispatcher (a type without vectorcall) took one level of
        // Python's recursion count (`_PyObject_MakeTpCall`, "while calling a
        // Python object") on top of the level the Python frame below takes: give
        // it back for the call, so that recursion through a function running as
        // plain Python reaches the depth, and the RecursionError, of the plain
        // function.
        // SAFETY: GIL held; the level is taken again right after the call.
        unsafe { ffi::Py_LeaveRecursiveCall() };
        let r = plain.call(args, kwargs);
        // SAFETY: GIL held; this depth was entered successfully before, so this
        // cannot fail on depth (any error it reports is dropped; the count is
        // balanced either way).
        if unsafe { ffi::Py_EnterRecursiveCall(c" while calling a Python object".as_ptr()) } != 0 {
            let _ = PyErr::take(py);
        }
        let r = match r {
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyRecursionError>(py) => {
                // The limit met at the call of this dispatcher from the function's own
                // frame: the plain function would meet it entering its frame, whose
                // message has no "while calling a Python object".
                // (Done without running Python code: at the limit, any frame,
                // comparison or str() would raise again.)
                plain_recursion_message(py, &e, &plain);
                Err(e)
            }
            r => r,
        };
        match r {
            // njit(parallel=True) runs the code around its prange loops as Python: box as Numba does.
            Ok(r) if slf.get().sem.box_python_scalars => numba_box(py, r.unbind()),
            Ok(r) => Ok(r.unbind()),
            Err(e) if plain.is(slf.get().py_func.bind(py)) => Err(e),
            Err(e) => {
                // The traceback CPython gives: no entry for the call of a lifted loop.
                let tidy = py.import("pyston._lift")?.getattr("tidy")?;
                Err(PyErr::from_value(tidy.call1((e.into_value(py),))?))
            }
        }
    }

    /// What runs when compiled code cannot: the function with its liftable
    /// loops compiled (worked out on first use), or the function itself.
    fn plain<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let (py, this) = (slf.py(), slf.get());
        if let Some(p) = this.inner.lock().unwrap().plain.as_ref() {
            return Ok(p.bind(py).clone());
        }
        let wanted = this.sem.fallback || this.sem.parallel;
        let lifted = if wanted && !this.py_func.bind(py).is_instance_of::<Dispatcher>() {
            py.import("pyston._lift")
                .and_then(|m| m.getattr("lift"))
                .and_then(|lift| lift.call1((this.py_func.bind(py), slf.getattr("_derive")?, this.sem.parallel)))
        } else {
            Ok(py.None().into_bound(py))
        };
        let (plain, loops) = match lifted {
            Ok(r) if !r.is_none() => {
                let (f, loops, parallel): Lifted<'_> = r.extract()?;
                if parallel {
                    this.parallel_loops.store(2, Ordering::Relaxed);
                }
                (f, loops)
            }
            Ok(_) => (this.py_func.bind(py).clone(), Vec::new()),
            Err(e) => {
                // A bug in loop lifting must not change what runs: the function itself.
                let msg = format!(
                    "pyston: loop lifting failed for '{}' (internal error, a bug in pyston, please report it): {e}",
                    this.name
                );
                let cat = py.import("pyston._errors")?.getattr("PerformanceWarning")?;
                PyErr::warn(py, &cat, &std::ffi::CString::new(msg).unwrap(), 1)?;
                (this.py_func.bind(py).clone(), Vec::new())
            }
        };
        let _ = this
            .parallel_loops
            .compare_exchange(0, 1, Ordering::Relaxed, Ordering::Relaxed);
        if this.lifted_loop && loops.is_empty() {
            this.native.store(false, Ordering::Relaxed);
        }
        let mut inner = this.inner.lock().unwrap();
        inner.loops = loops;
        Ok(inner.plain.get_or_insert_with(|| plain.unbind()).bind(py).clone())
    }

    /// Runs the whole call on the interpreter tier.
    fn interpret(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let (src, env) = self.source(py)?;
        let argv: Vec<Py<PyAny>> = args.iter().map(|a| a.unbind()).collect();
        crate::interp::call(py, &src.ir, &env, argv)
            .map_err(|r| with_frames(py, r.err, &[(env.filename.clone(), src.ir.name.clone(), r.span)]))
    }
}

impl Spec {
    fn describe(params: &[Ty]) -> String {
        let ps: Vec<String> = params.iter().map(|t| t.to_string()).collect();
        format!("({})", ps.join(", "))
    }

    /// A specialization that runs as plain Python (`why`: the compile error).
    fn uncompiled(params: Vec<Ty>, why: CompileError) -> Spec {
        Spec {
            params,
            ret_convert: std::sync::OnceLock::new(),
            entry: None,
            meta: None,
            func_id: None,
            guards: Vec::new(),
            fallback: Some(why),
            typed_ir: String::new(),
            _keep: Vec::new(),
            _callees: Vec::new(),
            _meta_slot: Box::new(std::ptr::null()),
            compile_ns: 0,
        }
    }
}

/// Numba boxes NumPy scalar results as Python scalars (in tuples too).
pub(crate) fn numba_box(py: Python<'_>, obj: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let b = obj.bind(py);
    if let Ok(t) = b.cast::<PyTuple>() {
        let items: Vec<Py<PyAny>> = t.iter().map(|x| numba_box(py, x.unbind())).collect::<PyResult<_>>()?;
        let items = PyTuple::new(py, items)?;
        if !t.is_exact_instance_of::<PyTuple>() && boxing::named_tuple_class(py, &t.get_type().into_any())?.is_some() {
            // A namedtuple stays an instance of its class.
            return Ok(py
                .get_type::<PyTuple>()
                .call_method1("__new__", (t.get_type(), items))?
                .unbind());
        }
        return Ok(items.into_any().unbind());
    }
    if let Some(np) = boxing::np_types_if_loaded(py)? {
        let tp = b.get_type().as_ptr() as usize;
        let of = |d: Dtype| np.scalar_types[pyston_compiler::abi::dtype_index(d)];
        // (the common scalars without a call of `.item()`, which gives the same value)
        if tp == of(Dtype::Float64) {
            // np.float64 is a float subclass: its value is the float's.
            let x = b.cast::<pyo3::types::PyFloat>()?.value();
            return Ok(pyo3::types::PyFloat::new(py, x).into_any().unbind());
        }
        if tp == of(Dtype::Int64) || tp == of(Dtype::Bool) {
            let d = if tp == of(Dtype::Bool) {
                Dtype::Bool
            } else {
                Dtype::Int64
            };
            let mut v: Vec<u64> = Vec::with_capacity(1);
            boxing::np_scalar_slots(py, d, b, &mut v);
            return Ok(if d == Dtype::Bool {
                pyo3::types::PyBool::new(py, v[0] != 0).to_owned().into_any().unbind()
            } else {
                (v[0] as i64).into_pyobject(py)?.into_any().unbind()
            });
        }
        if np.scalar_types.contains(&tp) {
            return Ok(b.call_method0("item")?.unbind());
        }
    }
    Ok(obj)
}

/// Parses a type tuple of `Dispatcher.compile_types`.
fn parse_type(t: &Bound<'_, PyAny>) -> PyResult<Ty> {
    let bad = || pyo3::exceptions::PyValueError::new_err(format!("not a pyston type description: {t}"));
    let kind: String = t.get_item(0)?.extract()?;
    let dtype = |i: usize| -> PyResult<Dtype> {
        let n: String = t.get_item(i)?.extract()?;
        Dtype::from_name(&n).ok_or_else(bad)
    };
    Ok(match kind.as_str() {
        "int" => Ty::Int,
        "float" => Ty::Float,
        "bool" => Ty::Bool,
        "complex" => Ty::Complex,
        "none" => Ty::NoneT,
        "str" => Ty::PyStr,
        "np" => Ty::Np(dtype(1)?),
        "array" => {
            let ndim: u8 = t.get_item(2)?.extract()?;
            let layout: String = t.get_item(3)?.extract()?;
            Ty::Array(pyston_compiler::types::ArrTy {
                dtype: dtype(1)?,
                ndim,
                layout: match layout.as_str() {
                    "C" => pyston_compiler::types::Layout::C,
                    "F" => pyston_compiler::types::Layout::F,
                    "A" => pyston_compiler::types::Layout::A,
                    _ => return Err(bad()),
                },
                readonly: false,
            })
        }
        "tuple" => {
            let items: Vec<Bound<'_, PyAny>> = t.get_item(1)?.extract()?;
            Ty::Tuple(items.iter().map(parse_type).collect::<PyResult<_>>()?)
        }
        _ => return Err(bad()),
    })
}

/// The specialization of `disp` for `params` (used for calls between compiled functions).
pub fn spec_for(py: Python<'_>, disp: &Bound<'_, Dispatcher>, params: &[Ty]) -> PyResult<Arc<Spec>> {
    let _ = py;
    Dispatcher::get_spec(disp, params)
}

#[pymethods]
impl Dispatcher {
    /// `Dispatcher(py_func, preset="strict", **flags)`: the semantics are the
    /// preset (`strict` or `numba`) with the opt-in flags of `pyston_optin::FLAGS` applied.
    #[new]
    #[pyo3(signature = (py_func, preset="strict", **flags))]
    pub(crate) fn new(py_func: &Bound<'_, PyAny>, preset: &str, flags: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let name: String = match py_func.getattr("__name__").and_then(|n| n.extract()) {
            Ok(n) => n,
            Err(_) => py_func.get_type().name()?.to_string(),
        };
        let mut given = Vec::new();
        for (k, v) in flags.into_iter().flat_map(|d| d.iter()) {
            let k: String = k.extract()?;
            let v = crate::flag_value(&k, &v)?;
            given.push((k, v));
        }
        let sem = pyston_optin::semantics(preset, &given).map_err(crate::flag_error)?;
        let py = py_func.py();
        let flags = match flags {
            Some(d) => d.copy()?.unbind(),
            None => PyDict::new(py).unbind(),
        };
        Ok(Dispatcher {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name,
            py_func: py_func.clone().unbind(),
            sem,
            preset: preset.to_string(),
            flags,
            inner: Mutex::new(Inner::default()),
            lifted_loop: false,
            native: std::sync::atomic::AtomicBool::new(true),
            parallel_loops: std::sync::atomic::AtomicU8::new(0),
            step: false,
        })
    }

    /// A dispatcher for `func` (a loop lifted out of this function) with
    /// this one's semantics; it never warns. `serial`: a parallel loop's
    /// body, whose own `prange` loops run serially.
    #[pyo3(signature = (func, serial=false))]
    fn _derive(&self, func: &Bound<'_, PyAny>, serial: bool) -> PyResult<Self> {
        let inner = Inner {
            warned: true,
            ..Inner::default()
        };
        let mut sem = self.sem.clone();
        sem.parallel &= !serial;
        Ok(Dispatcher {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: self.name.clone(),
            py_func: func.clone().unbind(),
            sem,
            preset: self.preset.clone(),
            flags: self.flags.clone_ref(func.py()),
            inner: Mutex::new(inner),
            lifted_loop: true,
            native: std::sync::atomic::AtomicBool::new(true),
            parallel_loops: std::sync::atomic::AtomicU8::new(0),
            step: false,
        })
    }

    /// For a lifted loop: whether the function it came from should call it
    /// (false once it ran as plain Python with nothing lifted inside).
    #[getter]
    fn native(&self) -> bool {
        self.native.load(Ordering::Relaxed)
    }

    /// The loops compiled on their own because the function runs as plain
    /// Python (loop lifting): `[(first line, dispatcher)]`, known after the
    /// first call that ran as plain Python.
    #[getter]
    fn lifted_loops(&self, py: Python<'_>) -> Vec<(u32, Py<PyAny>)> {
        let inner = self.inner.lock().unwrap();
        inner.loops.iter().map(|(l, d)| (*l, d.clone_ref(py))).collect()
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        // (a `MemoryError` of an earlier call may have used the allocator's reserve)
        crate::reserve::rearm();
        runtime::THREAD.with(|t| Dispatcher::call(slf, args, kwargs, t))
    }

    /// Compiles eagerly for each list of argument types. A type is a tuple:
    /// `("int",)`, `("float",)`, `("bool",)`, `("complex",)`, `("none",)`,
    /// `("np", dtype)`, `("array", dtype, ndim, layout)` with layout "C", "F"
    /// or "A", `("tuple", [types...])`.
    ///
    /// `returns`, when given, has one callable per signature converting the
    /// result to the declared return type (Numba's explicit signatures).
    #[pyo3(signature = (signatures, returns=None))]
    fn compile_types(
        slf: &Bound<'_, Self>,
        signatures: Vec<Vec<Bound<'_, PyAny>>>,
        returns: Option<Vec<Option<Py<PyAny>>>>,
    ) -> PyResult<()> {
        for (k, sig) in signatures.iter().enumerate() {
            let tys: Vec<Ty> = sig.iter().map(parse_type).collect::<PyResult<_>>()?;
            let was = std::mem::replace(&mut slf.get().inner.lock().unwrap().restricted, false);
            let r = Dispatcher::get_spec(slf, &tys);
            slf.get().inner.lock().unwrap().restricted = was;
            let spec = r?;
            if let Some(Some(conv)) = returns.as_ref().and_then(|rs| rs.get(k)) {
                let _ = spec.ret_convert.set(conv.clone_ref(slf.py()));
            }
        }
        Ok(())
    }

    /// With `True`, calls whose argument types have no compiled signature raise TypeError.
    fn restrict(&self, on: bool) {
        self.inner.lock().unwrap().restricted = on;
    }

    /// With explicit signatures: `converter(args)` gives the arguments
    /// converted to one of the signatures (Numba's conversion rules), or None
    /// when none accepts them.
    fn set_converter(&self, converter: Py<PyAny>) {
        self.inner.lock().unwrap().converter = Some(converter);
    }

    /// Drops every compiled specialization (they recompile on the next call,
    /// seeing the current values of frozen globals).
    fn recompile(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.specs.clear();
        inner.order.clear();
        inner.last = None;
    }

    /// Runs the call on the interpreter tier only (the executor IR tests compare against).
    #[pyo3(signature = (*args))]
    fn _interpret(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        self.interpret(py, args)
    }

    /// The original Python function.
    #[getter]
    fn py_func(&self, py: Python<'_>) -> Py<PyAny> {
        self.py_func.clone_ref(py)
    }

    /// The argument types of every specialization compiled so far.
    #[getter]
    fn signatures(&self) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        inner.order.iter().map(|p| Spec::describe(p)).collect()
    }

    /// Compile time of each specialization, in seconds.
    #[getter]
    fn compile_times(&self) -> Vec<f64> {
        let inner = self.inner.lock().unwrap();
        inner
            .order
            .iter()
            .filter_map(|p| inner.specs.get(p))
            .map(|s| s.compile_ns as f64 * 1e-9)
            .collect()
    }

    /// The options this function is compiled with.
    #[getter]
    fn options(&self) -> String {
        self.sem.describe()
    }

    /// The SSA IR (untyped), as text.
    fn inspect_ir(&self, py: Python<'_>) -> PyResult<String> {
        let (src, _) = self.source(py)?;
        Ok(src.ir.display(None))
    }

    /// The typed IR of every specialization.
    fn inspect_types(&self, py: Python<'_>) -> PyResult<String> {
        let (src, _) = self.source(py)?;
        let inner = self.inner.lock().unwrap();
        if inner.order.is_empty() {
            return Ok(format!(
                "# {} has not been called yet; untyped IR:\n{}",
                self.name,
                src.ir.display(None)
            ));
        }
        let mut s = String::new();
        for p in &inner.order {
            let spec = &inner.specs[p];
            s.push_str(&format!("# signature {}\n", Spec::describe(p)));
            match &spec.fallback {
                Some(e) => s.push_str(&format!(
                    "# runs as plain Python (CPython's own code): {}\n{}",
                    e.message,
                    src.ir.display(None)
                )),
                None => s.push_str(&spec.typed_ir),
            }
        }
        Ok(s)
    }

    /// Machine code of every compiled specialization; with `target="aarch64"`
    /// (or `"x86_64"`), what the same compiled code becomes on that architecture.
    #[pyo3(signature = (target=None))]
    fn inspect_asm(slf: &Bound<'_, Self>, target: Option<&str>) -> PyResult<String> {
        let cross = target
            .map(crate::jit::cross_isa)
            .transpose()
            .map_err(pyo3::exceptions::PyValueError::new_err)?;
        let py = slf.py();
        let this = slf.get();
        let (src, env) = this.source(py)?;
        let sigs: Vec<(Vec<Ty>, bool)> = {
            let inner = this.inner.lock().unwrap();
            inner
                .order
                .iter()
                .map(|p| (p.clone(), inner.specs[p].entry.is_some()))
                .collect()
        };
        let mut s = String::new();
        for (p, compiled) in sigs {
            s.push_str(&format!("# {} {}\n", this.name, Spec::describe(&p)));
            if !compiled {
                s.push_str("# (runs as plain Python: no machine code)\n");
                continue;
            }
            match pipeline::disassemble(py, this.id, &src, &env, &p, &this.sem, cross.as_deref()) {
                Ok(a) => s.push_str(&a),
                Err(e) => return Err(new_err(py, &e, &env.filename, &this.name)),
            }
        }
        Ok(s)
    }

    /// `(preset, flags)` as given to the constructor (pickling rebuilds from them).
    #[getter]
    fn _init_args<'py>(&self, py: Python<'py>) -> PyResult<(String, Bound<'py, PyDict>)> {
        Ok((self.preset.clone(), self.flags.bind(py).copy()?))
    }

    /// Pickles by reference when `module.qualname` names this object, else by
    /// value (the Python function, preset and flags; compiled again on load):
    /// `pyston._pickle.reduce`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyston._pickle")?.getattr("reduce")?.call1((slf,))
    }

    fn __repr__(&self) -> String {
        format!("<pyston.fast function {} ({})>", self.name, self.sem.describe())
    }

    fn __get__(slf: &Bound<'_, Self>, obj: &Bound<'_, PyAny>, _ty: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if obj.is_none() {
            return Ok(slf.clone().into_any().unbind());
        }
        let method = py.import("types")?.getattr("MethodType")?;
        Ok(method.call1((slf, obj))?.unbind())
    }
}

impl Dispatcher {
    /// The specialization a ufunc inner loop runs for `params` (compiled on
    /// a miss; recompiled when a global it was compiled against was rebound).
    pub(crate) fn loop_spec(slf: &Bound<'_, Self>, params: &[Ty]) -> PyResult<Arc<Spec>> {
        let this = slf.get();
        if this.runs_as_python(slf.py())? {
            // Syntax pyston does not compile (strict mode, fallback): the plain function runs.
            let e = match this.inner.lock().unwrap().source.as_ref() {
                Some(Err((e, _))) => e.clone(),
                _ => CompileError::internal("no source"),
            };
            return Ok(Arc::new(Spec::uncompiled(params.to_vec(), e)));
        }
        let s = Dispatcher::get_spec(slf, params)?;
        if slf.get().guards_hold(slf.py(), &s) {
            return Ok(s);
        }
        {
            let mut inner = slf.get().inner.lock().unwrap();
            inner.specs.clear();
            inner.last = None;
        }
        Dispatcher::get_spec(slf, params)
    }

    /// The original Python function.
    pub(crate) fn func(&self) -> &Py<PyAny> {
        &self.py_func
    }
}

impl Dispatcher {
    /// The dispatcher of one step of a compiled generator: `src` is the step's
    /// IR (`lower::generators::resume_function`), called with the values the
    /// step starts from; `parent` gives the semantics and the function's globals.
    pub(crate) fn step(py: Python<'_>, parent: &Dispatcher, src: Arc<Source>, env: Arc<PyEnv>) -> Dispatcher {
        let inner = Inner {
            source: Some(Ok(src)),
            env: Some(env),
            ..Inner::default()
        };
        let mut sem = parent.sem.clone();
        sem.parallel = false;
        Dispatcher {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: parent.name.clone(),
            py_func: parent.py_func.clone_ref(py),
            sem,
            preset: parent.preset.clone(),
            flags: parent.flags.clone_ref(py),
            inner: Mutex::new(inner),
            lifted_loop: false,
            native: std::sync::atomic::AtomicBool::new(true),
            parallel_loops: std::sync::atomic::AtomicU8::new(1),
            step: true,
        }
    }

    /// A generator step's specialization for arguments of types `key`
    /// (compiled on a miss, recompiled when a global it was compiled against
    /// was rebound), or None where it runs on the interpreter tier.
    pub(crate) fn step_spec(slf: &Bound<'_, Self>, key: &[Ty]) -> PyResult<Option<Arc<Spec>>> {
        let (py, this) = (slf.py(), slf.get());
        let mut spec = Dispatcher::get_spec(slf, key)?;
        if !this.guards_hold(py, &spec) {
            {
                let mut inner = this.inner.lock().unwrap();
                inner.specs.clear();
                inner.last = None;
            }
            spec = Dispatcher::get_spec(slf, key)?;
        }
        Ok(spec.entry.is_some().then_some(spec))
    }

    /// Whether the globals `spec` was compiled against are still bound as then.
    pub(crate) fn spec_current(&self, py: Python<'_>, spec: &Spec) -> bool {
        self.guards_hold(py, spec)
    }

    /// Runs a generator step's compiled `spec` from `args` (its arguments'
    /// slots, laid out for `spec.params`, valid until compiled code returns),
    /// with `call`'s bounds on nesting; `capture` takes the state where the
    /// step stops at a `yield`.
    pub(crate) fn run_step(
        slf: &Bound<'_, Self>,
        spec: &Spec,
        args: *const u64,
        t: &runtime::ThreadState,
        capture: crate::generators::Capture<'_>,
    ) -> StepOut {
        let (_leave, stack, refused) = Nesting::enter(t);
        if refused {
            return StepOut::Done(Box::new(Err(pyo3::exceptions::PyRecursionError::new_err(
                "maximum recursion depth exceeded",
            ))));
        }
        Dispatcher::run_gen(slf, spec, args, t, stack, capture)
    }

    /// The function's source and environment (for a generator function's steps).
    pub(crate) fn front(&self, py: Python<'_>) -> PyResult<(Arc<Source>, Arc<PyEnv>)> {
        let mut inner = self.inner.lock().unwrap();
        if inner.source.is_none() {
            drop(inner);
            let src = pipeline::front(py, self.py_func.bind(py), Some(&self.sem))?.map(Arc::new);
            let env = self.make_env(py, src.as_ref().map(|s| s.filename.clone()).unwrap_or_default())?;
            inner = self.inner.lock().unwrap();
            inner.source = Some(src);
            inner.env = Some(Arc::new(env));
        }
        match inner.source.as_ref().unwrap() {
            Ok(s) => Ok((s.clone(), inner.env.clone().unwrap())),
            Err((e, file)) => Err(new_err(py, e, file, &self.name)),
        }
    }

    /// Counts deoptimizations caused by an int overflowing 64 bits; when the
    /// same operation overflows on a second call, the function is recompiled
    /// with that result held as a boxed int, so the slow path does not repeat.
    /// An int power that deoptimized for a negative exponent (its result is a
    /// float) is recompiled as `int | float` at once. `slots`: the deopt's values.
    fn note_overflow(&self, meta: &FuncMeta, point: u32, slots: &[u64]) {
        use pyston_compiler::hir::{BinOp, UnaryOp};
        use pyston_compiler::ir::Op;
        let Some(p) = meta.deopts.get(point as usize) else {
            return;
        };
        let Some(inst) = meta.func.block(p.block).insts.get(p.inst) else {
            return;
        };
        let overflowing = matches!(
            inst.op,
            Op::Bin {
                op: BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Pow | BinOp::LShift,
                ..
            } | Op::Unary(UnaryOp::Neg)
        ) && inst.result.is_some_and(|r| *meta.typed.ty(r) == Ty::Int);
        if !overflowing {
            return;
        }
        // The exponent of an int power, as the deopt left it.
        let negative_exponent = matches!(inst.op, Op::Bin { op: BinOp::Pow, .. }) && {
            let mut off = 0;
            let mut neg = false;
            for v in &p.values {
                let t = meta.typed.ty(*v);
                if Some(v) == inst.args.get(1) {
                    neg = *t == Ty::Int && slots.get(off).is_some_and(|x| (*x as i64) < 0);
                    break;
                }
                off += runtime::slot_count(t);
            }
            neg
        };
        let mut inner = self.inner.lock().unwrap();
        let hits = inner.overflow_hits.entry((p.block, p.inst)).or_insert(0);
        *hits += 1;
        let adapted = if negative_exponent {
            inner.adapt.float_pow.insert((p.block, p.inst))
        } else {
            *hits >= 2 && inner.adapt.boxed.insert((p.block, p.inst))
        };
        if adapted {
            inner.specs.clear();
            inner.order.clear();
            inner.last = None;
        }
    }

    /// The number of parameters, if the function's source compiles.
    pub fn arity(&self, py: Python<'_>) -> Option<usize> {
        // (a function with `*args` or keyword-only parameters is called through Python)
        self.source(py)
            .ok()
            .filter(|(s, _)| s.ir.shape.is_plain())
            .map(|(s, _)| s.ir.params.len())
    }

    /// Whether the function uses syntax pyston cannot compile and runs as
    /// plain Python instead (strict mode with `fallback=True`); warns once.
    fn runs_as_python(&self, py: Python<'_>) -> PyResult<bool> {
        let inner = self.inner.lock().unwrap();
        if inner.last.is_some() {
            return Ok(false);
        }
        let known = inner.source.is_some();
        drop(inner);
        if !known {
            let _ = self.source(py);
        }
        let mut inner = self.inner.lock().unwrap();
        let Some(Err((e, file))) = inner.source.as_ref() else {
            return Ok(false);
        };
        let (e, file) = (e.clone(), file.clone());
        if e.kind == ErrorKind::Typing || !self.sem.fallback {
            return Ok(false);
        }
        if !inner.warned {
            inner.warned = true;
            let at = match e.span {
                Some(s) => format!(" (line {} of {file})", s.line),
                None => String::new(),
            };
            let msg = format!(
                "pyston: '{}' runs as plain Python: {}{at}; use fallback=False to make this an error",
                self.name, e.message
            );
            drop(inner);
            let cat = py.import("pyston._errors")?.getattr("PerformanceWarning")?;
            PyErr::warn(py, &cat, &std::ffi::CString::new(msg).unwrap(), 2)?;
        }
        Ok(true)
    }

    /// Appends the default values of omitted trailing parameters (from
    /// `__defaults__`, read at each call like CPython).
    fn with_defaults<'py>(&self, py: Python<'py>, args: Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyTuple>> {
        let inner = self.inner.lock().unwrap();
        let nparams = match inner.source.as_ref() {
            Some(Ok(s)) => s.ir.params.len(),
            _ => return Ok(args),
        };
        drop(inner);
        if args.len() >= nparams {
            return Ok(args);
        }
        let defaults = self.py_func.bind(py).getattr("__defaults__")?;
        let Ok(defaults) = defaults.cast_into::<PyTuple>() else {
            return Ok(args);
        };
        let first_default = nparams - defaults.len();
        if args.len() < first_default {
            return Ok(args); // CPython's TypeError comes from the arity check
        }
        let mut items: Vec<Bound<'py, PyAny>> = args.iter().collect();
        for k in args.len()..nparams {
            items.push(defaults.get_item(k - first_default)?);
        }
        PyTuple::new(py, items)
    }

    /// Binds a call's arguments to the parameters of a function with `*args`
    /// or keyword-only parameters (see `CallShape`): positional ones (then
    /// their keywords and `__defaults__`), the extra positional arguments as
    /// one tuple, the keyword-only ones from keywords or `__kwdefaults__`.
    /// `None` when CPython would raise TypeError (it then does).
    fn bind_shaped<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let (src, _) = self.source(py)?;
        let (params, shape) = (&src.ir.params, src.ir.shape);
        let npos = shape.npositional(params.len());
        let mut out: Vec<Option<Bound<'py, PyAny>>> = vec![None; params.len()];
        for (i, a) in args.iter().enumerate().take(npos) {
            out[i] = Some(a);
        }
        if shape.vararg {
            let extra: Vec<Bound<'py, PyAny>> = args.iter().skip(npos).collect();
            out[npos] = Some(PyTuple::new(py, extra)?.into_any());
        } else if args.len() > npos {
            return Ok(None);
        }
        let kwonly = npos + shape.vararg as usize;
        for (k, v) in kwargs.into_iter().flat_map(|kw| kw.iter()) {
            let k: String = k.extract()?;
            match params.iter().position(|p| *p == k) {
                Some(i) if (i < npos || i >= kwonly) && out[i].is_none() => out[i] = Some(v),
                _ => return Ok(None),
            }
        }
        let func = self.py_func.bind(py);
        if let Ok(defaults) = func.getattr("__defaults__")?.cast_into::<PyTuple>() {
            let first = npos - defaults.len().min(npos);
            for (k, slot) in out.iter_mut().enumerate().take(npos).skip(first) {
                if slot.is_none() {
                    *slot = Some(defaults.get_item(k - first)?);
                }
            }
        }
        if let Ok(kwdefaults) = func.getattr("__kwdefaults__")?.cast_into::<PyDict>() {
            for (k, slot) in out.iter_mut().enumerate().skip(kwonly) {
                if slot.is_none() {
                    *slot = kwdefaults.get_item(&params[k])?;
                }
            }
        }
        if out.iter().any(|o| o.is_none()) {
            return Ok(None);
        }
        Ok(Some(PyTuple::new(py, out.into_iter().map(|o| o.unwrap()))?))
    }

    /// Maps keyword arguments onto positions; `None` lets CPython raise its TypeError.
    fn bind_kwargs<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kw: &Bound<'py, PyDict>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let (src, _) = self.source(py)?;
        let params = &src.ir.params;
        let mut out: Vec<Option<Bound<'py, PyAny>>> = vec![None; params.len()];
        if args.len() > params.len() {
            return Ok(None);
        }
        for (i, a) in args.iter().enumerate() {
            out[i] = Some(a);
        }
        for (k, v) in kw.iter() {
            let k: String = k.extract()?;
            match params.iter().position(|p| *p == k) {
                Some(i) if out[i].is_none() => out[i] = Some(v),
                _ => return Ok(None),
            }
        }
        // Omitted trailing parameters take their default values.
        if let Ok(defaults) = self.py_func.bind(py).getattr("__defaults__")?.cast_into::<PyTuple>() {
            let first_default = params.len() - defaults.len().min(params.len());
            for (k, slot) in out.iter_mut().enumerate().skip(first_default) {
                if slot.is_none() {
                    *slot = Some(defaults.get_item(k - first_default)?);
                }
            }
        }
        if out.iter().any(|o| o.is_none()) {
            return Ok(None);
        }
        Ok(Some(PyTuple::new(py, out.into_iter().map(|o| o.unwrap()))?))
    }

    /// Explicit signatures and arguments of other types (`err` is the
    /// dispatcher's TypeError): Numba converts the arguments to the best
    /// signature (`set_converter`); without one, or when none accepts them,
    /// `err` is raised.
    fn convert_and_call(&self, slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>, err: PyErr) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let converter = {
            let inner = self.inner.lock().unwrap();
            match &inner.converter {
                Some(c) if inner.restricted && !CONVERTING.with(|c| c.get()) => c.clone_ref(py),
                _ => return Err(err),
            }
        };
        let converted = converter.bind(py).call1((args,))?;
        if converted.is_none() {
            return Err(err);
        }
        let converted = converted.cast_into::<PyTuple>().map_err(PyErr::from)?;
        // Converted arguments match a signature exactly: never converted twice.
        CONVERTING.with(|c| c.set(true));
        let r = slf.call1(converted).map(Bound::unbind);
        CONVERTING.with(|c| c.set(false));
        r
    }

    /// A call whose arguments compiled code cannot take: CPython runs it (or,
    /// with `fallback=False`, a `TypeError` names the argument).
    /// `args`: bound to the parameters; `orig_args`/`orig_kwargs`: as called.
    fn run_uncompiled(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        orig_args: &Bound<'_, PyTuple>,
        orig_kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let (py, this) = (slf.py(), slf.get());
        if this.step {
            // A generator's live values compiled code cannot take: the interpreter tier runs the step.
            let first = !std::mem::replace(&mut this.inner.lock().unwrap().warned, true);
            if first {
                let types: Vec<String> = args
                    .iter()
                    .map(|a| a.get_type().name().map(|n| n.to_string()).unwrap_or_default())
                    .collect();
                let msg = format!(
                    "pyston: generator '{}' resumes on the interpreter tier: live values of types ({}), which compiled code does not support",
                    this.name,
                    types.join(", ")
                );
                let cat = py.import("pyston._errors")?.getattr("PerformanceWarning")?;
                PyErr::warn(py, &cat, &std::ffi::CString::new(msg).unwrap(), 2)?;
            }
            return this.interpret(py, args);
        }
        let (src, env) = this.source(py)?;
        if src.ir.params.len() != args.len() {
            return Ok(this.py_func.bind(py).call(orig_args, orig_kwargs)?.unbind());
        }
        if !this.sem.fallback && !args.iter().any(|a| boxing::is_typed_container(&a)) {
            let types: Vec<String> = args
                .iter()
                .map(|a| a.get_type().name().map(|n| n.to_string()).unwrap_or_default())
                .collect();
            let bad = args
                .iter()
                .position(|a| boxing::classify(py, &a, &mut Vec::new()).ok().flatten().is_none())
                .unwrap_or(0);
            return Err(PyTypeError::new_err(format!(
                "{}() argument '{}' has type '{}', which compiled code does not support (supported: bool, int within 64 bits, float, complex, None, NumPy scalars, ndarrays of bool/int32/int64/float32/float64/complex128, tuples of these, iterators)",
                this.name, src.ir.params[bad], types[bad]
            )));
        }
        let big_int_only = args.iter().all(|a| {
            a.is_exact_instance_of::<pyo3::types::PyInt>()
                || boxing::classify(py, &a, &mut Vec::new()).ok().flatten().is_some()
        });
        if !big_int_only {
            let mut inner = this.inner.lock().unwrap();
            if !inner.warned {
                inner.warned = true;
                drop(inner);
                let bad = args
                    .iter()
                    .position(|a| boxing::classify(py, &a, &mut Vec::new()).ok().flatten().is_none())
                    .unwrap_or(0);
                let tn = args.get_item(bad)?.get_type().name()?.to_string();
                let msg = format!(
                    "pyston: '{}' runs as plain Python: argument '{}' has type '{}', which compiled code does not support (line {} of {})",
                    this.name, src.ir.params[bad], tn, src.ir.span.line, env.filename
                );
                let cat = py.import("pyston._errors")?.getattr("PerformanceWarning")?;
                PyErr::warn(py, &cat, &std::ffi::CString::new(msg).unwrap(), 2)?;
            }
        }
        // CPython's own code: exact, and never slower than the undecorated function.
        Dispatcher::call_plain(slf, orig_args, orig_kwargs)
    }
}

/// All compiled functions' `inspect_*` output for the module (debugging aid).
#[pyfunction]
pub fn _dump(py: Python<'_>, d: &Bound<'_, Dispatcher>) -> PyResult<Py<PyList>> {
    let sigs = d.get().signatures();
    Ok(PyList::new(py, sigs)?.unbind())
}

/// Whether `f` calls the global `next` (an iterator parameter's `next(p)`:
/// lowered again knowing which parameters are iterators).
fn calls_next(f: &pyston_compiler::ir::Function) -> bool {
    use pyston_compiler::ir::Op;
    let nexts: std::collections::HashSet<_> = f
        .blocks
        .iter()
        .flat_map(|b| &b.insts)
        .filter(|i| matches!(&i.op, Op::Global(n) if n == "next"))
        .filter_map(|i| i.result)
        .collect();
    !nexts.is_empty()
        && f.blocks
            .iter()
            .flat_map(|b| &b.insts)
            .any(|i| matches!(i.op, Op::Call { .. }) && i.args.first().is_some_and(|c| nexts.contains(c)))
}

/// Whether `f` calls an item of a parameter taken by a computed index
/// (`fs[i](x)`): lowered again with its tuple parameters' lengths, such a
/// call of a tuple of functions becomes a call of each item, chosen by the
/// index (`lower`'s `indexed_call`).
fn indexes_a_param_to_call(f: &pyston_compiler::ir::Function) -> bool {
    use pyston_compiler::ir::Op;
    let params: std::collections::HashSet<_> = f.block(f.entry()).params.iter().copied().collect();
    let mut items = std::collections::HashSet::new();
    for b in &f.blocks {
        for i in &b.insts {
            match (&i.op, i.result) {
                (Op::GetItem, Some(r)) if i.args.len() == 2 && params.contains(&i.args[0]) => {
                    items.insert(r);
                }
                (Op::Call { .. }, _) if i.args.first().is_some_and(|c| items.contains(c)) => return true,
                _ => {}
            }
        }
    }
    false
}
