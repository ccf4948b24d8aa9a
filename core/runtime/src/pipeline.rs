//! The compilation pipeline, assembled in one place:
//!
//! ```text
//! Python ast --frontend--> HIR --lower--> SSA IR --verify-->
//!   --infer (argument types, globals; to a fixpoint for recursion)--> typed IR --verify-->
//!   --numeric passes (plan: bounds, licm, idioms, simd, small, fusion)--> --codegen--> Cranelift IR --JIT--> native entry
//! ```
//!
//! [`front`] runs once per function; [`compile`] once per argument-type key,
//! and [`disassemble`] (`inspect_asm`) runs the same stages into a listing.
//! `PYSTON_DUMP_IR=<stages>` prints the IR after each named stage (see
//! [`STAGES`]; `1` or `all`: every stage); `PYSTON_DISABLE_PASSES=<passes>`
//! switches numeric passes off by name.

use crate::env::{call_sites, CompileEnv, Guard};
use crate::frontend::Frontend;
use crate::helpers::small;
use crate::jit::{with_jit, EntryFn, Jit};
use crate::runtime::{FuncMeta, PyEnv};
use cranelift_module::{FuncId, Module as _};
use pyo3::prelude::*;
use pyston_compiler::codegen::{self, CodegenEnv, Pass};
use pyston_compiler::error::{CResult, CompileError, ErrorKind};
use pyston_compiler::infer::{self, Typed};
use pyston_compiler::ir::{self, Value};
use pyston_compiler::types::Ty;
use pyston_compiler::Semantics;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// The stages `PYSTON_DUMP_IR` names, in pipeline order (the numeric passes
/// print their plans).
pub const STAGES: &[&str] = &[
    "lower", "infer", "bounds", "licm", "idioms", "simd", "small", "fusion", "clif",
];

/// Whether `PYSTON_DUMP_IR` asks for `stage`.
fn dump_wanted(stage: &str) -> bool {
    match std::env::var("PYSTON_DUMP_IR") {
        Ok(v) => v == "1" || v == "all" || v.split(',').any(|s| s.trim() == stage),
        Err(_) => stage == "clif" && std::env::var_os("PYSTON_DUMP_CLIF").is_some(),
    }
}

fn dump(stage: &str, name: &str, text: &str) {
    if dump_wanted(stage) {
        eprintln!("--- {name}: after {stage}\n{}", text.trim_end());
    }
}

/// `PYSTON_TIME_COMPILE=1`: each compile's phases, in milliseconds, on stderr.
struct PhaseTimes {
    on: bool,
    last: std::time::Instant,
    t0: std::time::Instant,
    phases: Vec<(&'static str, f64)>,
    /// Cranelift instructions and blocks.
    size: (usize, usize),
}

impl PhaseTimes {
    fn new(t0: std::time::Instant) -> Self {
        let on = std::env::var_os("PYSTON_TIME_COMPILE").is_some_and(|v| !v.is_empty() && v != "0");
        PhaseTimes {
            on,
            last: t0,
            t0,
            phases: Vec::new(),
            size: (0, 0),
        }
    }

    fn mark(&mut self, phase: &'static str) {
        if self.on {
            let now = std::time::Instant::now();
            self.phases.push((phase, (now - self.last).as_secs_f64() * 1e3));
            self.last = now;
        }
    }

    fn report(&self, name: &str) {
        if self.on {
            let parts: Vec<String> = self.phases.iter().map(|(p, ms)| format!("{p} {ms:.2}")).collect();
            eprintln!(
                "pyston compile {name}: {} ms; total {:.2} ms; {} Cranelift instructions in {} blocks",
                parts.join(", "),
                self.t0.elapsed().as_secs_f64() * 1e3,
                self.size.0,
                self.size.1
            );
        }
    }
}

/// The numeric tier's passes, minus those named in `PYSTON_DISABLE_PASSES`
/// (comma-separated: `bounds`, `idioms`, `simd`, `fusion`).
fn numeric_passes() -> CResult<Vec<&'static dyn Pass>> {
    let off = std::env::var("PYSTON_DISABLE_PASSES").unwrap_or_default();
    let names: Vec<&str> = off.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    pyston_numeric::passes_except(&names).map_err(|e| CompileError::internal(format!("PYSTON_DISABLE_PASSES: {e}")))
}

/// A function's source, parsed and lowered once.
pub struct Source {
    pub ir: Arc<ir::Function>,
    pub filename: String,
    /// The compiled generator functions inlined into its `for` loops, and the
    /// module-level functions inlined at its calls (global name, object):
    /// guarded like any global the code was compiled against.
    pub inlined: Vec<(String, Py<PyAny>)>,
}

/// Parses and lowers the Python function `func` (its source found and checked
/// against its code object by `pyston._source`). With `sem` (the semantics it
/// is compiled under), small module-level functions it calls that would run
/// under the same semantics are inlined at their calls.
pub fn front(
    py: Python<'_>,
    func: &Bound<'_, PyAny>,
    sem: Option<&pyston_compiler::semantics::Semantics>,
) -> PyResult<Result<Source, (CompileError, String)>> {
    front_with_args(py, func, sem, &[], &HashMap::new())
}

/// [`front`] for a specialization some of whose parameters are bound to
/// known functions (`args`: parameter name, the function or its dispatcher):
/// those that may be inlined, as a module-level function would be, are
/// inlined at the parameter's calls. The specialization's key holds each by
/// identity, so no guard is needed.
pub fn front_with_args(
    py: Python<'_>,
    func: &Bound<'_, PyAny>,
    sem: Option<&pyston_compiler::semantics::Semantics>,
    args: &[(String, Bound<'_, PyAny>)],
    star_lens: &HashMap<String, usize>,
) -> PyResult<Result<Source, (CompileError, String)>> {
    let src = py.import("pyston._source")?.getattr("function_ast")?.call1((func,))?;
    if let Ok(why) = src.extract::<String>() {
        // No source, or source that does not compile to the function's own code.
        let filename = func
            .getattr("__code__")
            .and_then(|c| c.getattr("co_filename"))
            .and_then(|f| f.extract::<String>())
            .unwrap_or_else(|_| "<unknown>".into());
        let e = CompileError {
            kind: ErrorKind::Unsupported,
            message: format!("not compiled: {why}"),
            span: None,
        };
        return Ok(Err((e, filename)));
    }
    let (node, filename, line_offset, col_offset, func): (Bound<'_, PyAny>, String, u32, u32, Bound<'_, PyAny>) =
        src.extract()?;
    let fe = Frontend::new(line_offset, col_offset);
    let def = fe.function(&node, &func);
    // (a plain generator function is inlined as a compiled one would run it:
    // by a strict caller, outside `python -m pyston`)
    let strict = sem.is_some_and(|s| {
        let o = pyston_compiler::semantics::Semantics {
            fallback: s.fallback,
            ..Default::default()
        };
        o == *s
    }) && !accelerating(py);
    let (gens, mut inlined) = match &def {
        Ok(d) => inlinable_generators(py, &func, d, strict)?,
        Err(_) => Default::default(),
    };
    let (funcs, arg_funcs) = match (&def, sem) {
        (Ok(_), Some(sem)) => {
            let globals = global_reads(&func)?;
            let (funcs, objs) = inlinable_functions(py, &func, sem, globals)?;
            inlined.extend(objs);
            let (arg_funcs, _) = inlinable_functions(py, &func, sem, args.to_vec())?;
            (funcs, arg_funcs)
        }
        _ => Default::default(),
    };
    let res = def
        .and_then(|def| {
            pyston_compiler::lower::lower_with(&def, &gens, &funcs, &arg_funcs, star_lens, py.version_info() >= (3, 12))
        })
        .and_then(|f| {
            // (a generator's steps may run on the interpreter tier, which does not
            // take `Op::StarItems`: CPython runs such a generator)
            let star = f
                .blocks
                .iter()
                .flat_map(|b| &b.insts)
                .find(|i| i.op == ir::Op::StarItems);
            if let (Some(i), true) = (star, pyston_compiler::lower::generators::is_generator(&f)) {
                return Err(CompileError::unsupported(
                    i.span,
                    "`*x` in a generator function is not supported yet",
                ));
            }
            verify(&f, "lower")?;
            dump("lower", &f.name, &f.display(None));
            Ok(f)
        });
    Ok(match res {
        Ok(f) => Ok(Source {
            ir: Arc::new(f),
            filename,
            inlined,
        }),
        Err(e) => Err((e, filename)),
    })
}

type Inlinable = (
    std::collections::HashMap<String, pyston_compiler::hir::FunctionDef>,
    Vec<(String, Py<PyAny>)>,
);

/// Whether `python -m pyston`'s accelerator is active (it decides how the
/// program's plain functions are called, and reports them).
fn accelerating(py: Python<'_>) -> bool {
    py.import("sys")
        .and_then(|s| {
            s.getattr("modules")?
                .get_item("pyston._auto")?
                .getattr("_ACTIVE")?
                .len()
        })
        .is_ok_and(|n| n > 0)
}

/// The compiled generator functions (`pyston.fast` on a generator function,
/// bound in the same module's globals) that `def` names, with their syntax
/// trees: the lowering inlines them into the `for` loops (and `sum(...)`,
/// `list(...)`, ...) that iterate over a call of one. Where `strict` (the
/// caller has strict semantics), plain generator functions of the same
/// module (globals and file, no closure, reading no closure variable of
/// `func`) too: inlined as a strict compiled one would run.
fn inlinable_generators(
    py: Python<'_>,
    func: &Bound<'_, PyAny>,
    def: &pyston_compiler::hir::FunctionDef,
    strict: bool,
) -> PyResult<Inlinable> {
    use pyston_compiler::hir::{Stmt, StmtKind};
    fn has_yield(body: &[Stmt]) -> bool {
        body.iter().any(|s| match &s.kind {
            StmtKind::Yield(..) => true,
            StmtKind::For(_, _, a, b) | StmtKind::If(_, a, b) | StmtKind::While(_, a, b) => {
                has_yield(a) || has_yield(b)
            }
            StmtKind::Try(a, hs, b, c) => {
                has_yield(a) || hs.iter().any(|h| has_yield(&h.body)) || has_yield(b) || has_yield(c)
            }
            _ => false,
        })
    }
    // The names the function reads as globals (and attributes): those bound to a compiled generator function.
    let mut found: Vec<String> = func
        .getattr("__code__")
        .and_then(|c| c.getattr("co_names"))
        .and_then(|n| n.extract())
        .unwrap_or_default();
    if has_yield(&def.body) {
        // A generator's steps keep the source they were made from: nothing is inlined into them.
        found.clear();
    }
    let mut gens = std::collections::HashMap::new();
    let mut inlined = Vec::new();
    let Ok(globals) = func.getattr("__globals__") else {
        return Ok((gens, inlined));
    };
    // (and the closure variables: a generator function made in an enclosing function)
    let mut candidates: Vec<(String, Bound<'_, PyAny>)> = found
        .into_iter()
        .filter_map(|n| globals.get_item(&n).ok().map(|o| (n, o)))
        .collect();
    if !has_yield(&def.body) {
        candidates.extend(closure_values(func));
    }
    if candidates.is_empty() {
        return Ok((gens, inlined));
    }
    let source = py.import("pyston._source")?.getattr("function_ast")?;
    for (n, obj) in candidates {
        if gens.contains_key(&n) {
            continue;
        }
        let gf = if let Ok(g) = obj.cast::<crate::generators::GeneratorFunction>() {
            g.get().py_func(py).into_bound(py)
        } else if strict && obj.get_type().name().is_ok_and(|t| t == "function") && plain_generator(&obj, func)? {
            obj.clone()
        } else {
            continue;
        };
        if !gf.getattr("__globals__").is_ok_and(|x| x.is(&globals)) {
            continue;
        }
        let Some(gdef) = syntax_tree(&source, &gf)? else {
            continue;
        };
        if pyston_compiler::lower::generators::inlinable_generator(&gdef) {
            gens.insert(n.clone(), gdef);
            inlined.push((n, obj.unbind()));
        }
    }
    Ok((gens, inlined))
}

/// Whether `obj` (a plain function) is a generator function (not a
/// coroutine or an async generator) of `func`'s file, without a closure, and
/// reading no name that is a closure variable of `func`.
fn plain_generator(obj: &Bound<'_, PyAny>, func: &Bound<'_, PyAny>) -> PyResult<bool> {
    let (Ok(ccode), Ok(code)) = (obj.getattr("__code__"), func.getattr("__code__")) else {
        return Ok(false);
    };
    // CO_GENERATOR, and not CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
    let flags: u32 = ccode.getattr("co_flags").and_then(|f| f.extract()).unwrap_or(0);
    let free: Vec<String> = ccode.getattr("co_freevars")?.extract().unwrap_or_default();
    let reads: Vec<String> = ccode.getattr("co_names")?.extract().unwrap_or_default();
    let mut closure: Vec<String> = code.getattr("co_freevars")?.extract().unwrap_or_default();
    closure.extend(
        code.getattr("co_cellvars")?
            .extract::<Vec<String>>()
            .unwrap_or_default(),
    );
    let file = |c: &Bound<'_, PyAny>| c.getattr("co_filename").and_then(|f| f.extract::<String>()).ok();
    Ok(flags & 0x20 != 0
        && flags & (0x80 | 0x100 | 0x200) == 0
        && free.is_empty()
        && !reads.iter().any(|r| closure.contains(r))
        && file(&ccode).is_some()
        && file(&ccode) == file(&code))
}

/// The globals `func` reads (and attribute names: `co_names`) that are bound, with their objects.
fn global_reads<'py>(func: &Bound<'py, PyAny>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let names: Vec<String> = func
        .getattr("__code__")?
        .getattr("co_names")?
        .extract()
        .unwrap_or_default();
    let Ok(globals) = func.getattr("__globals__") else {
        return Ok(Vec::new());
    };
    Ok(names
        .into_iter()
        .filter_map(|n| globals.get_item(&n).ok().map(|o| (n, o)))
        .collect())
}

/// `func`'s closure variables that are bound, with their values.
fn closure_values<'py>(func: &Bound<'py, PyAny>) -> Vec<(String, Bound<'py, PyAny>)> {
    let names: Vec<String> = func
        .getattr("__code__")
        .and_then(|c| c.getattr("co_freevars"))
        .and_then(|n| n.extract())
        .unwrap_or_default();
    let Ok(cells) = func.getattr("__closure__") else {
        return Vec::new();
    };
    names
        .into_iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let v = cells.get_item(i).ok()?.getattr("cell_contents").ok()?;
            Some((n, v))
        })
        .collect()
}

/// The module-level functions `func` reads as globals that may be inlined at
/// its calls, with their syntax trees: compiled functions (dispatchers) with
/// the same semantics as `func`'s (`fallback` aside), and plain functions (a
/// strict dispatcher of their own would run them) when `func` is strict; of the
/// same module (globals and file), without closures, reading no name that is a
/// closure variable of `func`, and small and simple (`lower::inline::inlinable_global`).
fn inlinable_functions<'py>(
    py: Python<'py>,
    func: &Bound<'py, PyAny>,
    sem: &pyston_compiler::semantics::Semantics,
    candidates: Vec<(String, Bound<'py, PyAny>)>,
) -> PyResult<Inlinable> {
    let mut funcs = std::collections::HashMap::new();
    let mut objs = Vec::new();
    let code = func.getattr("__code__")?;
    let mut closure: Vec<String> = code.getattr("co_freevars")?.extract().unwrap_or_default();
    closure.extend(
        code.getattr("co_cellvars")?
            .extract::<Vec<String>>()
            .unwrap_or_default(),
    );
    let file: String = code.getattr("co_filename")?.extract().unwrap_or_default();
    let (Ok(globals), false) = (func.getattr("__globals__"), candidates.is_empty()) else {
        return Ok((funcs, objs));
    };
    let same_sem = |other: &pyston_compiler::semantics::Semantics| {
        let mut o = other.clone();
        o.fallback = sem.fallback;
        o == *sem
    };
    // (under `python -m pyston` the accelerator decides how the program's plain
    // functions are called, and reports them: those stay calls)
    let strict = same_sem(&pyston_compiler::semantics::Semantics::default()) && !accelerating(py);
    let source = py.import("pyston._source")?.getattr("function_ast")?;
    for (n, obj) in candidates {
        if funcs.contains_key(&n) {
            continue;
        }
        let callee = if let Ok(d) = obj.cast::<crate::dispatch::Dispatcher>() {
            let d = d.get();
            if d.step || !same_sem(&d.sem) {
                continue;
            }
            d.py_func.bind(py).clone()
        } else if strict && obj.get_type().name().is_ok_and(|t| t == "function") {
            obj.clone()
        } else {
            continue;
        };
        let Ok(ccode) = callee.getattr("__code__") else {
            continue;
        };
        if ccode.is(&code) {
            continue; // (the function itself: its recursion stays calls)
        }
        // CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
        let flags: u32 = ccode.getattr("co_flags").and_then(|f| f.extract()).unwrap_or(u32::MAX);
        let free: Vec<String> = ccode
            .getattr("co_freevars")
            .and_then(|f| f.extract())
            .unwrap_or_default();
        let reads: Vec<String> = ccode.getattr("co_names").and_then(|f| f.extract()).unwrap_or_default();
        let cfile: String = ccode
            .getattr("co_filename")
            .and_then(|f| f.extract())
            .unwrap_or_default();
        if flags & (0x20 | 0x80 | 0x100 | 0x200) != 0
            || !free.is_empty()
            || cfile != file
            || reads.iter().any(|r| closure.contains(r))
            || !callee.getattr("__globals__").is_ok_and(|g| g.is(&globals))
        {
            continue;
        }
        let Some(cdef) = syntax_tree(&source, &callee)? else {
            continue;
        };
        if pyston_compiler::lower::inline::inlinable_global(&cdef) {
            funcs.insert(n.clone(), cdef);
            objs.push((n, obj.unbind()));
        }
    }
    Ok((funcs, objs))
}

/// Another function's syntax tree (`source`: `pyston._source.function_ast`),
/// or `None` when it has no source matching its code or the front end rejects it.
fn syntax_tree(
    source: &Bound<'_, PyAny>,
    func: &Bound<'_, PyAny>,
) -> PyResult<Option<pyston_compiler::hir::FunctionDef>> {
    let src = source.call1((func,))?;
    if src.extract::<String>().is_ok() {
        return Ok(None);
    }
    let (node, _file, lo, co, f): (Bound<'_, PyAny>, String, u32, u32, Bound<'_, PyAny>) = src.extract()?;
    Ok(Frontend::new(lo, co).function(&node, &f).ok())
}

/// The IR verifier between stages.
fn verify(f: &ir::Function, after: &str) -> CResult<()> {
    f.verify()
        .map_err(|e| CompileError::internal(format!("IR verification failed after {after}: {e}")))
}

/// One compiled specialization (or the decision to interpret).
pub struct Spec {
    pub params: Vec<Ty>,
    /// With an explicit signature: converts the result to its declared return
    /// type, as Numba does (set by `Dispatcher.compile_types`).
    pub ret_convert: std::sync::OnceLock<Py<PyAny>>,
    pub entry: Option<EntryFn>,
    pub meta: Option<Arc<FuncMeta>>,
    pub func_id: Option<FuncId>,
    /// (name, object the name was bound to at compile time)
    pub guards: Vec<Guard>,
    /// Why the function runs on the interpreter tier, if it does.
    pub fallback: Option<CompileError>,
    pub typed_ir: String,
    /// Objects compiled code refers to (captured arrays, callees).
    pub _keep: Vec<Py<PyAny>>,
    /// Specializations compiled code calls directly (kept alive with it).
    pub _callees: Vec<Arc<Spec>>,
    pub _meta_slot: Box<*const FuncMeta>,
    pub compile_ns: u64,
}

// SAFETY: the raw pointer in `_meta_slot` points to the `FuncMeta` owned by `meta`.
unsafe impl Send for Spec {}
// SAFETY: as above; the slot is written once, before the spec is shared.
unsafe impl Sync for Spec {}

impl Spec {
    pub fn signature(&self) -> String {
        let ps: Vec<String> = self.params.iter().map(|t| t.to_string()).collect();
        format!("({})", ps.join(", "))
    }
}

/// A compilation in progress on this thread (calls to it are recursion).
pub struct InProgress {
    pub disp: u32,
    pub params: Vec<Ty>,
    pub func_id: FuncId,
    pub meta_slot: *const *const FuncMeta,
    pub assumed_ret: Ty,
}

thread_local! {
    pub static IN_PROGRESS: RefCell<Vec<InProgress>> = const { RefCell::new(Vec::new()) };
}

/// The stages after the front end, shared by [`compile`] and
/// [`disassemble`]: type inference (with dispatcher `disp` marked in progress, so that
/// recursive calls see it) and the verifier.
#[allow(clippy::too_many_arguments)]
fn typed<'py>(
    py: Python<'py>,
    disp: u32,
    src: &Source,
    env: &Arc<PyEnv>,
    params: &[Ty],
    sem: &Semantics,
    func_id: FuncId,
    meta_slot: *const *const FuncMeta,
    adapt: &pyston_compiler::infer::Adapt,
) -> CResult<(CompileEnv<'py>, Typed)> {
    let f = &src.ir;
    let mut cenv = CompileEnv::new(py, env.clone());
    IN_PROGRESS.with(|s| {
        s.borrow_mut().push(InProgress {
            disp,
            params: params.to_vec(),
            func_id,
            meta_slot,
            assumed_ret: Ty::Bottom,
        })
    });
    let typed = infer_recursive(f, params, &mut cenv, adapt, sem);
    IN_PROGRESS.with(|s| s.borrow_mut().pop());
    let mut typed = typed?;
    // Lists that never leave the function hold their elements unboxed.
    infer::local_lists(f, &mut typed, &|site| cenv.pycalls.contains_key(&site));
    // String literals used as `str` objects: one interned object each, kept by the function.
    for lit in codegen::string_literals(&typed) {
        let o = pyo3::types::PyString::intern(py, &lit).into_any().unbind();
        cenv.strs.insert(lit, o.as_ptr() as u64);
        cenv.keep.push(o);
    }
    if cfg!(debug_assertions) {
        verify(f, "infer")?;
    }
    if dump_wanted("infer") {
        dump("infer", &f.name, &f.display(Some(&|v: Value| typed.ty(v).to_string())));
    }
    Ok((cenv, typed))
}

/// The numeric passes and codegen: the Cranelift function of `f` into `ctx.func`.
#[allow(clippy::too_many_arguments)]
fn codegen_into(
    jit: &mut Jit,
    ctx: &mut cranelift_codegen::Context,
    func_id: FuncId,
    f: &ir::Function,
    typed: &Typed,
    cenv: &CompileEnv<'_>,
    sem: &Semantics,
    meta_slot: *const *const FuncMeta,
) -> CResult<codegen::Output> {
    // A function with `try` statements, and a generator's step, get only the
    // bounds pass. The other passes' fast versions of a loop assume nothing in
    // it raises to a handler or stops at a `yield`. The bounds pass only drops
    // checks it proves never fail, and its hoisted guards deoptimize, which a
    // handler never sees. Its facts follow dominance, so a loop that a resumed
    // step enters in the middle (its header does not dominate the step's
    // entry path) gets none, and no guard is hoisted in front of it.
    let passes = if f.has_handlers() || pyston_compiler::lower::generators::is_generator(f) {
        numeric_passes()?.into_iter().filter(|p| p.name() == "bounds").collect()
    } else {
        numeric_passes()?
    };
    let sites = call_sites(&cenv.pycalls);
    let np_names = cenv.np_names();
    let cg_env = CodegenEnv {
        callees: &cenv.callees,
        member_callees: &cenv.member_callees,
        array_consts: &cenv.arrays,
        exc_lazy_matches: &cenv.exc_lazy_matches,
        strs: &cenv.strs,
        self_meta_slot: meta_slot as u64,
        // PYSTON_NO_INTERRUPT_CHECK=1: loops are not interruptible (measures the check's cost).
        signal_flag: if std::env::var_os("PYSTON_NO_INTERRUPT_CHECK").is_some_and(|v| !v.is_empty() && v != "0") {
            0
        } else {
            crate::signals::flag_address()
        },
        sem,
        pycalls: &sites,
        passes: &passes,
        describe_plans: passes.iter().any(|p| dump_wanted(p.name())),
        str_layout: crate::helpers::str_layout(),
        scalar_ufuncs: crate::helpers::small::pyston_scalar_ufuncs_ok() != 0,
        np_names: &np_names,
        // (compiling holds the GIL)
        power_square: &|| {
            Python::attach(|py| small::ensure(py, small::Fact::Power));
            small::power_square_ok()
        },
        complex_mul: &|| {
            Python::attach(|py| small::ensure(py, small::Fact::Complex));
            small::complex_mul_kind()
        },
    };
    let sig = codegen::entry_signature(jit.module.isa().default_call_conv());
    ctx.func = cranelift_codegen::ir::Function::with_name_signature(
        cranelift_codegen::ir::UserFuncName::user(0, func_id.as_u32()),
        sig,
    );
    let out = codegen::build(&mut jit.module, &mut ctx.func, &mut jit.fctx, f, typed, &cg_env)?;
    // (the facts its runtime helpers read, measured before it first runs)
    Python::attach(|py| small::ensure_for_helpers(py, out.helpers.iter().map(String::as_str)));
    for (pass, plan) in &out.plans {
        dump(pass, &f.name, plan);
    }
    if dump_wanted("clif") {
        dump("clif", &f.name, &ctx.func.display().to_string());
    }
    Ok(out)
}

/// Compiles `src` for argument types `params`.
pub fn compile(
    py: Python<'_>,
    disp: u32,
    src: &Source,
    env: &Arc<PyEnv>,
    params: Vec<Ty>,
    sem: &Semantics,
    adapt: &pyston_compiler::infer::Adapt,
) -> CResult<Spec> {
    let t0 = std::time::Instant::now();
    let mut times = PhaseTimes::new(t0);
    crate::reserve::rearm();
    // Compiled loops stop for Ctrl-C through pyston's wrapper of Python's SIGINT handler.
    crate::signals::install();
    // (what the runtime measures about NumPy, as far as compiling needs it:
    // the rest when the code is made, by the helpers it calls)
    small::ensure(py, small::Fact::Base);
    times.mark("setup");
    let f = &src.ir;
    if params.len() != f.params.len() {
        return Err(CompileError::internal(format!(
            "{}() compiled for {} arguments but it takes {}",
            f.name,
            params.len(),
            f.params.len()
        )));
    }
    let mut meta_slot: Box<*const FuncMeta> = Box::new(std::ptr::null());
    let slot_ptr = &*meta_slot as *const *const FuncMeta;
    let func_id = with_jit(|jit| {
        jit.counter += 1;
        let name = format!("pyston_{}_{}", f.name, jit.counter);
        codegen::declare(&mut jit.module, &name)
    })?;
    times.mark("declare");
    let (mut cenv, typed) = typed(py, disp, src, env, &params, sem, func_id, slot_ptr, adapt)?;
    times.mark("infer");
    let typed_ir = f.display(Some(&|v: Value| typed.ty(v).to_string()));
    times.mark("typed_ir");
    let (entry, out) = with_jit(|jit| -> CResult<(EntryFn, codegen::Output)> {
        let mut ctx = std::mem::replace(&mut jit.ctx, cranelift_codegen::Context::new());
        let r = codegen_into(jit, &mut ctx, func_id, f, &typed, &cenv, sem, slot_ptr).and_then(|out| {
            times.mark("passes+clif");
            times.size = (ctx.func.dfg.num_insts(), ctx.func.dfg.num_blocks());
            jit.module
                .define_function(func_id, &mut ctx)
                .map_err(|e| CompileError::internal(format!("Cranelift rejected the function: {e:?}")))?;
            times.mark("cranelift");
            Ok(out)
        });
        jit.module.clear_context(&mut ctx);
        jit.ctx = ctx;
        let out = r?;
        jit.module
            .finalize_definitions()
            .map_err(|e| CompileError::internal(format!("finalizing: {e}")))?;
        times.mark("finalize");
        let ptr = jit.module.get_finalized_function(func_id);
        // SAFETY: `ptr` is the finalized code of a function declared with `entry_signature`.
        let entry: EntryFn = unsafe { std::mem::transmute::<*const u8, EntryFn>(ptr) };
        Ok((entry, out))
    })?;
    let meta = Arc::new(FuncMeta {
        func: f.clone(),
        nret: crate::runtime::slot_count(&typed.ret),
        typed,
        params: params.clone(),
        deopts: out.deopts,
        call_sites: out.call_sites,
        env: env.clone(),
        pycalls: std::mem::take(&mut cenv.pycalls).into_values().collect(),
        resume_info: Default::default(),
        yields: Default::default(),
    });
    // Compiled code reads its own metadata through this slot (on error paths only).
    *meta_slot = Arc::as_ptr(&meta);
    times.report(&f.name);
    Ok(Spec {
        params,
        ret_convert: std::sync::OnceLock::new(),
        entry: Some(entry),
        meta: Some(meta),
        func_id: Some(func_id),
        guards: {
            let mut g = std::mem::take(&mut cenv.guards);
            for (name, obj) in &src.inlined {
                g.push(Guard::new(py, env, name, obj.bind(py)));
            }
            g
        },
        fallback: None,
        typed_ir,
        _keep: std::mem::take(&mut cenv.keep),
        _callees: std::mem::take(&mut cenv.callee_specs),
        _meta_slot: meta_slot,
        compile_ns: t0.elapsed().as_nanos() as u64,
    })
}

/// Renders the machine code of a typed function (for `inspect_asm`), for the
/// host or for `cross` (see [`crate::jit::cross_isa`]): the same stages as
/// [`compile`], the code listed instead of installed.
pub fn disassemble(
    py: Python<'_>,
    disp: u32,
    src: &Source,
    env: &Arc<PyEnv>,
    params: &[Ty],
    sem: &Semantics,
    cross: Option<&dyn cranelift_codegen::isa::TargetIsa>,
) -> CResult<String> {
    let f = &src.ir;
    let meta_slot: Box<*const FuncMeta> = Box::new(std::ptr::null());
    let slot_ptr = &*meta_slot as *const *const FuncMeta;
    let func_id = with_jit(|jit| {
        jit.counter += 1;
        codegen::declare(&mut jit.module, &format!("pyston_asm_{}_{}", f.name, jit.counter))
    })?;
    let (cenv, typed) = typed(py, disp, src, env, params, sem, func_id, slot_ptr, &Default::default())?;
    with_jit(|jit| {
        let mut ctx = cranelift_codegen::Context::new();
        codegen_into(jit, &mut ctx, func_id, f, &typed, &cenv, sem, slot_ptr)?;
        ctx.set_disasm(true);
        let isa = cross.unwrap_or_else(|| jit.module.isa());
        let code = ctx
            .compile(isa, &mut Default::default())
            .map_err(|e| CompileError::internal(format!("compile: {:?}", e.inner)))?;
        Ok(code.vcode.clone().unwrap_or_default())
    })
}

/// Type inference, repeated while a recursive call's assumed return type (the
/// innermost `IN_PROGRESS` entry) changes.
fn infer_recursive(
    f: &ir::Function,
    params: &[Ty],
    cenv: &mut CompileEnv<'_>,
    adapt: &pyston_compiler::infer::Adapt,
    sem: &Semantics,
) -> CResult<Typed> {
    let mut rounds = 0;
    loop {
        cenv.callees.clear();
        cenv.member_callees.clear();
        cenv.pycalls.clear();
        let typed = infer::infer_with(f, params, cenv, adapt, sem)?;
        let assumed = IN_PROGRESS.with(|s| s.borrow().last().unwrap().assumed_ret.clone());
        if typed.ret == assumed || rounds > 4 {
            return Ok(typed);
        }
        IN_PROGRESS.with(|s| s.borrow_mut().last_mut().unwrap().assumed_ret = typed.ret.clone());
        rounds += 1;
    }
}
