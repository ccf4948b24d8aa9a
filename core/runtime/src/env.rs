//! The compile-time environment (the `Env` of type inference): what module
//! globals, closure variables and builtins are, the guards that keep them
//! valid, calls into NumPy probed on sample values, and calls to other
//! compiled functions (which compiles them).

use crate::dispatch::Dispatcher;
use crate::pipeline::{Spec, IN_PROGRESS};
use crate::runtime::{PyCallDesc, PyCallKind, PyCallSite, PyEnv};
use pyo3::prelude::*;
use pyo3::types::{PyAnyMethods, PyDict, PyTuple};
use pyston_compiler::codegen::CalleeInfo;
use pyston_compiler::error::{CResult, CompileError};
use pyston_compiler::hir::Span;
use pyston_compiler::infer::{Env, GlobalKind, ProbeTarget};
use pyston_compiler::ir::{self, Value};
use pyston_compiler::types::Dtype;
use pyston_compiler::types::{Builtin, MathFn, Module, Ty};
use pyston_numeric::numpy_lib;
use std::collections::HashMap;
use std::sync::Arc;

/// A global name compiled code was specialized on, and where it is looked up
/// (CPython's order: closure cell, module globals, builtins).
pub struct Guard {
    pub name: String,
    key: Py<pyo3::types::PyString>,
    kind: GuardKind,
    expected: Py<PyAny>,
    /// The object is a `random.Random` compiled code draws from natively:
    /// it must stay one (no instance attribute shadowing a method since).
    random: bool,
    /// The versions of the dictionaries a `Global` or `Builtin` guard reads
    /// (the globals, then the builtins) when it last held, read before its
    /// lookups (0: none yet): see [`dict_version`].
    seen: [std::sync::atomic::AtomicU64; 2],
}

/// Where CPython keeps a dictionary's version (PEP 509: `ma_version_tag`,
/// changed by every change of the dictionary, 3.6 to 3.13; the low 8 bits
/// are watcher bits from 3.12, and the version still changes with every
/// change), found by a probe once: None on another version or layout (3.14
/// removed it; a free-threaded build's object header is another size).
fn dict_version_offset(py: Python<'_>) -> Option<usize> {
    // (a `PyOnceLock`: the probe imports `sysconfig`, which lets other threads
    // run; a `std` lock would leave them waiting for it with the GIL held, a
    // deadlock when the first calls of a process come from several threads)
    static OFF: pyo3::sync::PyOnceLock<Option<usize>> = pyo3::sync::PyOnceLock::new();
    *OFF.get_or_init(py, || probe_dict_version(py).unwrap_or(None))
}

fn probe_dict_version(py: Python<'_>) -> PyResult<Option<usize>> {
    if py.version_info() < (3, 9) || py.version_info() >= (3, 14) {
        return Ok(None);
    }
    let gil_disabled = py
        .import("sysconfig")?
        .call_method1("get_config_var", ("Py_GIL_DISABLED",))?
        .is_truthy()?;
    if gil_disabled {
        return Ok(None);
    }
    // `PyObject_HEAD`, then `Py_ssize_t ma_used`, then `uint64_t ma_version_tag`.
    const USED: usize = 16;
    const OFF: usize = 24;
    let d = PyDict::new(py);
    // SAFETY: a live exact dict object of at least `OFF + 8` bytes (its C struct
    // on these versions; the reads are checked against what they should show).
    let read = |d: &Bound<'_, PyDict>| unsafe {
        let p = d.as_ptr() as *const u8;
        (*(p.add(USED) as *const isize), *(p.add(OFF) as *const u64))
    };
    let (n0, v0) = read(&d);
    d.set_item("a", 1)?;
    let (n1, v1) = read(&d);
    let (n1b, v1b) = read(&d);
    d.set_item("a", 2)?;
    let (n2, v2) = read(&d);
    d.set_item("b", 3)?;
    d.del_item("b")?;
    let (n3, v3) = read(&d);
    let ok = (n0, n1, n1b, n2, n3) == (0, 1, 1, 1, 1)
        && v1 == v1b
        && [v0, v1, v2, v3].iter().all(|&v| v != 0)
        && v0 != v1
        && v1 != v2
        && v2 != v3;
    Ok(ok.then_some(OFF))
}

/// Whether guards read dictionaries' versions on this interpreter (for tests).
#[pyfunction]
pub fn _dict_versions(py: Python<'_>) -> bool {
    dict_version_offset(py).is_some()
}

/// The version of dictionary `d` (see [`dict_version_offset`]), or 0 where it
/// cannot be read (not an exact dict, or no known layout).
fn dict_version(py: Python<'_>, d: &Py<PyDict>) -> u64 {
    let Some(off) = dict_version_offset(py) else {
        return 0;
    };
    let p = d.as_ptr();
    // SAFETY: `p` is a live object (held by the guard); `PyDict_CheckExact` reads its type only.
    if unsafe { pyo3::ffi::PyDict_CheckExact(p) } == 0 {
        return 0;
    }
    // SAFETY: an exact dict, whose version lies at `off` (probed on this interpreter).
    unsafe { *((p as *const u8).add(off) as *const u64) }
}

enum GuardKind {
    Cell(Py<PyAny>),
    Global(Py<PyDict>),
    /// Absent from the globals, found in the builtins.
    Builtin(Py<PyDict>, Py<PyDict>),
    /// The `__defaults__` of this function (compiled code binds a call's
    /// default values itself: `Env::func_defaults`).
    Defaults(Py<PyAny>),
}

/// What stands for a list of guards all holding (a generator's step checks
/// its guards before every step): the versions of the one globals dict and
/// the one builtins dict they all read, as they were when the guards last
/// held (read before the check, as [`Guard::holds`] reads them). While both
/// are unchanged, every name is bound as then. None where a guard reads
/// something else (a cell, defaults, a `random.Random`) or the versions
/// cannot be read.
pub(crate) struct GuardStamp {
    globals: Py<PyDict>,
    builtins: Option<Py<PyDict>>,
    seen: Option<[u64; 2]>,
}

impl GuardStamp {
    pub(crate) fn new(py: Python<'_>, guards: &[Guard]) -> Option<GuardStamp> {
        let mut globals: Option<&Py<PyDict>> = None;
        let mut builtins: Option<&Py<PyDict>> = None;
        for g in guards {
            let (gd, bd) = match (&g.kind, g.random) {
                (GuardKind::Global(gd), false) => (gd, None),
                (GuardKind::Builtin(gd, bd), false) => (gd, Some(bd)),
                _ => return None,
            };
            if globals.is_some_and(|x| !x.is(gd)) {
                return None;
            }
            globals = Some(gd);
            if let Some(bd) = bd {
                if builtins.is_some_and(|x| !x.is(bd)) {
                    return None;
                }
                builtins = Some(bd);
            }
        }
        let stamp = GuardStamp {
            globals: globals?.clone_ref(py),
            builtins: builtins.map(|b| b.clone_ref(py)),
            seen: None,
        };
        stamp.now(py).map(|_| stamp)
    }

    /// The dictionaries' versions now (None: one cannot be read).
    pub(crate) fn now(&self, py: Python<'_>) -> Option<[u64; 2]> {
        let g = dict_version(py, &self.globals);
        let b = match &self.builtins {
            Some(b) => dict_version(py, b),
            None => u64::MAX,
        };
        (g != 0 && b != 0).then_some([g, b])
    }

    /// Whether neither dictionary changed since the guards last held.
    #[inline]
    pub(crate) fn unchanged(&self, py: Python<'_>) -> bool {
        self.seen.is_some() && self.now(py) == self.seen
    }

    /// The guards held with the dictionaries at `versions` (read before the check).
    pub(crate) fn held_at(&mut self, versions: Option<[u64; 2]>) {
        self.seen = versions;
    }
}

impl Guard {
    pub fn new(py: Python<'_>, env: &PyEnv, name: &str, obj: &Bound<'_, PyAny>) -> Guard {
        let kind = if let Some(cell) = env.cells.get(name) {
            GuardKind::Cell(cell.clone_ref(py))
        } else if env.globals.bind(py).contains(name).unwrap_or(false) {
            GuardKind::Global(env.globals.clone_ref(py))
        } else {
            GuardKind::Builtin(env.globals.clone_ref(py), env.builtins.clone_ref(py))
        };
        Guard::with_kind(py, name, kind, obj)
    }

    /// A guard that `dict[key]` is still `obj`, labelled `label` (imports:
    /// `sys.modules[name]`, and the builtin `__import__`).
    pub fn entry(py: Python<'_>, label: &str, dict: &Bound<'_, PyDict>, key: &str, obj: &Bound<'_, PyAny>) -> Guard {
        Guard {
            name: label.to_string(),
            key: pyo3::types::PyString::intern(py, key).unbind(),
            kind: GuardKind::Global(dict.clone().unbind()),
            expected: obj.clone().unbind(),
            random: false,
            seen: Default::default(),
        }
    }

    /// A guard that `name` is the module global `obj` (not bound yet when compiled).
    pub fn global(py: Python<'_>, env: &PyEnv, name: &str, obj: &Bound<'_, PyAny>) -> Guard {
        Guard::with_kind(py, name, GuardKind::Global(env.globals.clone_ref(py)), obj)
    }

    fn with_kind(py: Python<'_>, name: &str, kind: GuardKind, obj: &Bound<'_, PyAny>) -> Guard {
        Guard {
            name: name.to_string(),
            key: pyo3::types::PyString::intern(py, name).unbind(),
            kind,
            expected: obj.clone().unbind(),
            random: crate::helpers::pyrandom::is_plain_random(py, obj),
            seen: Default::default(),
        }
    }

    /// Whether the name is still bound to the same object: where the
    /// dictionaries it is looked up in have not changed since it last held
    /// (their versions as then), without looking it up again. Exact: an
    /// unchanged dictionary maps the name to the same object (or to none).
    pub fn holds(&self, py: Python<'_>) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let dicts: [Option<&Py<PyDict>>; 2] = match (&self.kind, self.random) {
            (GuardKind::Global(g), false) => [Some(g), None],
            (GuardKind::Builtin(g, b), false) => [Some(g), Some(b)],
            _ => return self.looked_up(py),
        };
        let mut now = [0u64; 2];
        for (v, d) in now.iter_mut().zip(dicts) {
            if let Some(d) = d {
                *v = dict_version(py, d);
                if *v == 0 {
                    return self.looked_up(py);
                }
            }
        }
        if now[0] == self.seen[0].load(Relaxed) && now[1] == self.seen[1].load(Relaxed) {
            return true;
        }
        // (the versions read before the lookups: a change made meanwhile, by a
        // key's `__eq__`, leaves versions that differ next time)
        let ok = self.looked_up(py);
        if ok {
            self.seen[0].store(now[0], Relaxed);
            self.seen[1].store(now[1], Relaxed);
        }
        ok
    }

    /// Whether the name is still bound to the same object, looked up.
    fn looked_up(&self, py: Python<'_>) -> bool {
        if self.random && !crate::helpers::pyrandom::is_plain_random(py, self.expected.bind(py)) {
            return false;
        }
        let key = self.key.as_ptr();
        let want = self.expected.as_ptr();
        // The value bound in `d` (null: none), or None where the lookup raised
        // (a key's `__eq__`): then the guard fails, and the call recompiles.
        // (`PyDict_GetItem` would save and restore the error state around the
        // lookup, which costs as much as the lookup itself.)
        let get = |d: &Py<PyDict>| -> Option<*mut pyo3::ffi::PyObject> {
            // SAFETY: the dictionary and the key are live (held by this guard); no
            // exception is set when a guard is checked (a dispatcher's call, a
            // generator's step); a NULL result with an exception set is cleared.
            unsafe {
                let r = pyo3::ffi::PyDict_GetItemWithError(d.as_ptr(), key);
                if r.is_null() && !pyo3::ffi::PyErr_Occurred().is_null() {
                    pyo3::ffi::PyErr_Clear();
                    return None;
                }
                Some(r)
            }
        };
        match &self.kind {
            GuardKind::Global(g) => get(g) == Some(want),
            GuardKind::Builtin(g, b) => get(g) == Some(std::ptr::null_mut()) && get(b) == Some(want),
            GuardKind::Cell(c) => c.bind(py).getattr("cell_contents").is_ok_and(|v| v.as_ptr() == want),
            GuardKind::Defaults(f) => {
                // SAFETY: the function and the name are live (held by this guard); as
                // above, no exception is set when a guard is checked, and one the
                // lookup raises is cleared (the guard fails).
                unsafe {
                    let r = pyo3::ffi::PyObject_GetAttr(f.as_ptr(), key);
                    if r.is_null() {
                        pyo3::ffi::PyErr_Clear();
                        return false;
                    }
                    pyo3::ffi::Py_DecRef(r);
                    r == want
                }
            }
        }
    }
}

pub struct CompileEnv<'py> {
    pub py: Python<'py>,
    pub env: Arc<PyEnv>,
    pub guards: Vec<Guard>,
    pub arrays: HashMap<u32, Vec<u64>>,
    /// For each exception class compiled code names (by object address): which
    /// of the classes compiled code raises as tagged words it matches (see
    /// `CodegenEnv::exc_lazy_matches`).
    pub exc_lazy_matches: HashMap<u64, u8>,
    pub keep: Vec<Py<PyAny>>,
    /// The `str` object of each string literal compiled code uses (kept in `keep`).
    pub strs: HashMap<String, u64>,
    pub funcs: HashMap<u32, Py<Dispatcher>>,
    pub callees: HashMap<Value, CalleeInfo>,
    /// The direct calls of a call of one of several functions, by the call's
    /// value and the function (see `infer::Env::member_callee`).
    pub member_callees: HashMap<(Value, u32), CalleeInfo>,
    /// NumPy functions compiled code calls through NumPy (by `Ty::PyFunc` index).
    pub pyfuncs: Vec<Py<PyAny>>,
    /// The ufunc methods among them (`np.add.outer`), by `"{ufunc index}.{name}"`.
    pub pyfunc_methods: HashMap<String, u32>,
    /// Calls into Python/NumPy, by instruction position.
    pub pycalls: HashMap<(ir::Block, usize), Box<PyCallDesc>>,
    /// Calls whose result is a named tuple (held as a plain tuple: see `infer::Env::named_tuple_result`).
    pub named: std::collections::HashSet<(ir::Block, usize)>,
    /// Specializations of other functions this code calls directly.
    pub callee_specs: Vec<Arc<Spec>>,
}

/// What a global is, keyed by object identity.
type KindTable = HashMap<usize, GlobalKind>;

/// Builtin functions and modules compiled code knows, keyed by object identity:
/// Python's builtins and `math` always, NumPy's functions, scalar types and
/// modules once the program has imported NumPy (compiling a function of a
/// program that never did must not import it: about 0.1 s).
fn builtin_table(py: Python<'_>) -> PyResult<(&'static KindTable, Option<&'static KindTable>)> {
    static BASE: std::sync::OnceLock<KindTable> = std::sync::OnceLock::new();
    static NUMPY: std::sync::OnceLock<KindTable> = std::sync::OnceLock::new();
    fn add(t: &mut KindTable, obj: Bound<'_, PyAny>, g: GlobalKind) {
        t.insert(obj.as_ptr() as usize, g);
        std::mem::forget(obj); // keep the identity valid for the process
    }
    if BASE.get().is_none() {
        let mut t = HashMap::new();
        let bi = py.import("builtins")?;
        for (name, b) in [
            ("abs", Builtin::Abs),
            ("min", Builtin::Min),
            ("max", Builtin::Max),
            ("len", Builtin::Len),
            ("int", Builtin::Int),
            ("float", Builtin::Float),
            ("bool", Builtin::Bool),
            ("round", Builtin::Round),
            ("complex", Builtin::Complex),
            ("range", Builtin::Range),
            ("enumerate", Builtin::Enumerate),
            ("zip", Builtin::Zip),
            ("reversed", Builtin::Reversed),
            ("sum", Builtin::Sum),
            ("sorted", Builtin::Sorted),
            ("any", Builtin::Any),
            ("all", Builtin::All),
            ("list", Builtin::List),
            ("dict", Builtin::Dict),
            ("set", Builtin::Set),
            ("tuple", Builtin::Tuple),
            ("hasattr", Builtin::Hasattr),
            ("iter", Builtin::Iter),
            ("next", Builtin::Next),
            ("isinstance", Builtin::Isinstance),
            ("getattr", Builtin::Getattr),
            ("map", Builtin::Map),
            ("filter", Builtin::Filter),
            ("str", Builtin::Str),
            ("repr", Builtin::Repr),
            ("format", Builtin::Format),
            ("ord", Builtin::Ord),
            ("chr", Builtin::Chr),
            ("hex", Builtin::Hex),
            ("oct", Builtin::Oct),
            ("bin", Builtin::Bin),
            ("print", Builtin::Print),
        ] {
            add(&mut t, bi.getattr(name)?, GlobalKind::Builtin(b));
        }
        let math = py.import("math")?;
        for m in MathFn::ALL {
            add(&mut t, math.getattr(m.name())?, GlobalKind::Builtin(Builtin::Math(m)));
        }
        add(&mut t, math.into_any(), GlobalKind::Module(Module::Math));
        let _ = BASE.set(t);
    }
    if NUMPY.get().is_none() && crate::boxing::numpy_loaded(py) {
        let mut t = HashMap::new();
        let np = py.import("numpy")?;
        add(
            &mut t,
            py.import("numpy.linalg")?.into_any(),
            GlobalKind::Module(Module::NumpyLinalg),
        );
        // The NumPy library's natively compiled functions and its scalar types.
        for (name, b) in numpy_lib::native_builtins() {
            add(&mut t, np.getattr(name)?, GlobalKind::Builtin(b));
        }
        add(&mut t, np.getattr("ndindex")?, GlobalKind::Builtin(Builtin::NdIndex));
        // `np.ndarray(shape, dtype)` (no buffer): an uninitialized array, as `np.empty`.
        add(
            &mut t,
            np.getattr("ndarray")?,
            GlobalKind::Builtin(Builtin::NpAlloc(pyston_compiler::types::AllocKind::Empty)),
        );
        add(
            &mut t,
            np.getattr("ndenumerate")?,
            GlobalKind::Builtin(Builtin::NdEnumerate),
        );
        for (name, d) in numpy_lib::scalar_types() {
            add(&mut t, np.getattr(name)?, GlobalKind::DtypeObj(d));
        }
        // `numpy.random` only if something imported it already: importing it
        // costs about 10 ms (NumPy 2 loads it lazily), more than a whole compile.
        // Imported later, it is recognized by name (`GlobalKind` of modules).
        if let Some(random) = loaded_module(py, "numpy.random") {
            add(&mut t, random, GlobalKind::Module(Module::NumpyRandom));
        }
        add(&mut t, np.into_any(), GlobalKind::Module(Module::Numpy));
        let _ = NUMPY.set(t);
    }
    Ok((BASE.get().unwrap(), NUMPY.get()))
}

/// Under `python -m pyston` and the notebook extension: the dispatcher that
/// stands for a plain Python function of the program (the one an accelerated
/// function's trampoline calls, or one made for a callee), so compiled code
/// calls it natively (`pyston._auto.callee_dispatcher`). `None` elsewhere:
/// `_auto` is only imported by those modes.
/// Compiled functions passed as arguments, by dispatcher id (kept alive: the
/// specializations keyed on them refer to them).
static FUNC_ARGS: std::sync::Mutex<Option<HashMap<u32, Py<Dispatcher>>>> = std::sync::Mutex::new(None);

thread_local! {
    /// The dispatchers whose compilation is running on this thread (innermost last).
    static COMPILING: std::cell::RefCell<Vec<Py<Dispatcher>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` (a compilation of `d`) with `d` recorded as being compiled.
pub fn compiling<R>(d: &Bound<'_, Dispatcher>, f: impl FnOnce() -> R) -> R {
    COMPILING.with(|c| c.borrow_mut().push(d.clone().unbind()));
    let r = f();
    COMPILING.with(|c| c.borrow_mut().pop());
    r
}

/// Registers a dispatcher passed as an argument; returns its id (its `Ty::Func`).
pub fn register_func_arg(d: &Bound<'_, Dispatcher>) -> u32 {
    let id = d.get().id;
    let mut reg = FUNC_ARGS.lock().unwrap_or_else(|e| e.into_inner());
    reg.get_or_insert_with(HashMap::new)
        .entry(id)
        .or_insert_with(|| d.clone().unbind());
    id
}

/// The dispatcher of `Ty::Func(id)` for a function that came as an argument.
pub fn func_arg(py: Python<'_>, id: u32) -> Option<Py<Dispatcher>> {
    let reg = FUNC_ARGS.lock().unwrap_or_else(|e| e.into_inner());
    reg.as_ref()?.get(&id).map(|d| d.clone_ref(py))
}

/// The object each `Ty::Func` stands for, by dispatcher id: the plain function
/// compiled code calls through a strict dispatcher of its own (an argument, a
/// global), or the dispatcher itself when that is what the program holds.
static FUNC_ORIGINALS: std::sync::Mutex<Option<HashMap<u32, Py<PyAny>>>> = std::sync::Mutex::new(None);

/// Records that `Ty::Func(id)` is the program's object `obj` (see [`func_original`]).
pub fn register_func_original(id: u32, obj: &Bound<'_, PyAny>) {
    let mut reg = FUNC_ORIGINALS.lock().unwrap_or_else(|e| e.into_inner());
    reg.get_or_insert_with(HashMap::new)
        .entry(id)
        .or_insert_with(|| obj.clone().unbind());
}

/// The object a `Ty::Func(id)` value is when boxed (returned, passed to
/// Python, live at a deoptimization): the function the program holds, as
/// CPython would have it (a plain function stays itself, not the dispatcher
/// compiled code calls it through); the registered dispatcher otherwise.
pub fn func_original(py: Python<'_>, id: u32) -> Option<Py<PyAny>> {
    let reg = FUNC_ORIGINALS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(o) = reg.as_ref().and_then(|r| r.get(&id)) {
        return Some(o.clone_ref(py));
    }
    drop(reg);
    func_arg(py, id).map(|d| d.into_any())
}

/// The dispatcher compiled code calls for a global that is a plain Python
/// function: under `python -m pyston`, the accelerator's (`pyston._auto`);
/// otherwise a strict dispatcher of the function itself (`pyston._arg_dispatcher`,
/// the one a function passed as an argument gets). Strict mode gives the
/// function's own results, so a decorated kernel may call an undecorated
/// helper natively. Generator functions and those using `super()` stay plain
/// objects (not callable from compiled code).
fn auto_dispatcher<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> Option<Bound<'py, Dispatcher>> {
    if obj.get_type().name().ok()? != "function" {
        return None;
    }
    let modules = py.import("sys").ok()?.getattr("modules").ok()?;
    if let Ok(auto) = modules.get_item("pyston._auto") {
        if let Ok(d) = auto.call_method1("callee_dispatcher", (obj,)) {
            if let Ok(d) = d.cast_into::<Dispatcher>() {
                return Some(d);
            }
        }
        // (the accelerator refused it: a library function, or one it cannot forward)
        if auto.getattr("_ACTIVE").and_then(|a| a.len()).is_ok_and(|n| n > 0) {
            return None;
        }
    }
    let code = obj.getattr("__code__").ok()?;
    // CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
    let flags: u32 = code.getattr("co_flags").ok()?.extract().ok()?;
    let free: Vec<String> = code.getattr("co_freevars").ok()?.extract().ok()?;
    if flags & (0x20 | 0x80 | 0x100 | 0x200) != 0 || free.iter().any(|n| n == "__class__") {
        return None;
    }
    let d = modules
        .get_item("pyston")
        .ok()?
        .call_method1("_arg_dispatcher", (obj,))
        .ok()?;
    d.cast_into::<Dispatcher>().ok()
}

impl CompileEnv<'_> {
    /// The dispatcher of compiled function `fid` (a global this code reads, or
    /// one that came as an argument).
    fn callee(&self, fid: u32) -> Option<Py<Dispatcher>> {
        self.funcs
            .get(&fid)
            .map(|d| d.clone_ref(self.py))
            .or_else(|| func_arg(self.py, fid))
    }

    /// The dispatcher being compiled, when `name` is its function's own name: a
    /// module-level function's global, or an inner function's closure cell.
    fn own_dispatcher(&self, name: &str) -> Option<Py<Dispatcher>> {
        let py = self.py;
        let d = COMPILING.with(|c| c.borrow().last().map(|d| d.clone_ref(py)))?;
        let f = self.env.func.as_ref()?.bind(py);
        let own = |attr: &str| {
            f.getattr(attr)
                .and_then(|v| v.extract::<String>())
                .is_ok_and(|v| v == name)
        };
        let same_env = d.bind(py).get().py_func.bind(py).is(f);
        let scope = own("__qualname__") || self.env.cells.contains_key(name);
        (same_env && own("__name__") && scope).then_some(d)
    }

    fn classify(&mut self, obj: &Bound<'_, PyAny>) -> GlobalKind {
        let py = self.py;
        if let Ok((base, numpy)) = builtin_table(py) {
            let key = obj.as_ptr() as usize;
            if let Some(g) = base.get(&key).or_else(|| numpy.and_then(|t| t.get(&key))) {
                return g.clone();
            }
        }
        if let Some(b) = crate::boxing::typed_class(obj) {
            return GlobalKind::Builtin(b);
        }
        if obj
            .cast::<pyo3::types::PyType>()
            .is_ok_and(|t| t.is_subclass_of::<pyo3::exceptions::PyBaseException>().unwrap_or(false))
        {
            // An exception class (for `except`): captured, guarded by identity like every global.
            let id = self.arrays.len() as u32;
            self.arrays.insert(id, vec![obj.as_ptr() as u64]);
            // Which tagged-word classes it matches (by MRO, fixed for those builtin ones).
            let sub = |c: Bound<'_, pyo3::types::PyType>| c.is_subclass(obj).unwrap_or(false);
            let zde = sub(py.get_type::<pyo3::exceptions::PyZeroDivisionError>());
            let idx = sub(py.get_type::<pyo3::exceptions::PyIndexError>());
            let stop = sub(py.get_type::<pyo3::exceptions::PyStopIteration>());
            self.exc_lazy_matches.insert(
                obj.as_ptr() as u64,
                u8::from(zde) | (u8::from(idx) << 1) | (u8::from(stop) << 2),
            );
            self.keep.push(obj.clone().unbind());
            return GlobalKind::Obj(pyston_compiler::types::ObjClass::ExcClass, id);
        }
        let tn = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        let tp = obj.get_type().as_ptr();
        let (t_bool, t_int, t_float, t_complex) = (
            std::ptr::addr_of_mut!(pyo3::ffi::PyBool_Type) as *mut pyo3::ffi::PyObject,
            std::ptr::addr_of_mut!(pyo3::ffi::PyLong_Type) as *mut pyo3::ffi::PyObject,
            std::ptr::addr_of_mut!(pyo3::ffi::PyFloat_Type) as *mut pyo3::ffi::PyObject,
            std::ptr::addr_of_mut!(pyo3::ffi::PyComplex_Type) as *mut pyo3::ffi::PyObject,
        );
        use pyston_compiler::ir::Const;
        if obj.is_none() {
            return GlobalKind::Const(Const::None);
        }
        if tp == t_bool {
            return GlobalKind::Const(Const::Bool(obj.is_truthy().unwrap_or(false)));
        }
        if tp == t_int {
            return match obj.extract::<i64>() {
                Ok(i) => GlobalKind::Const(Const::Int(i)),
                Err(_) => GlobalKind::Other("int beyond 64 bits".into()),
            };
        }
        if tp == t_float {
            return GlobalKind::Const(Const::Float(obj.extract().unwrap_or(f64::NAN)));
        }
        if tp == t_complex {
            if let Ok(c) = obj.cast::<pyo3::types::PyComplex>() {
                return GlobalKind::Const(Const::Complex(c.real(), c.imag()));
            }
        }
        if let Ok(s) = obj.extract::<String>() {
            return GlobalKind::Const(Const::Str(s));
        }
        if tn == "module" {
            let name = obj.getattr("__name__").and_then(|n| n.extract::<String>());
            match name.as_deref() {
                Ok("operator") => return GlobalKind::Module(Module::Operator),
                Ok("cmath") => return GlobalKind::Module(Module::Cmath),
                Ok("random") => return GlobalKind::Module(Module::Random),
                Ok("numpy.random") if loaded_module(py, "numpy.random").is_some_and(|m| m.is(obj)) => {
                    return GlobalKind::Module(Module::NumpyRandom)
                }
                Ok("pyston.numba.typed") => return GlobalKind::Module(Module::Typed),
                _ => {}
            }
        }
        if is_numpy_callable(py, obj) || is_index_grid(py, obj) {
            let id = match self.pyfuncs.iter().position(|f| f.as_ptr() == obj.as_ptr()) {
                Some(i) => i,
                None => {
                    self.pyfuncs.push(obj.clone().unbind());
                    self.pyfuncs.len() - 1
                }
            } as u32;
            return GlobalKind::PyFunc(id);
        }
        if let Ok(d) = obj.cast::<Dispatcher>() {
            let id = d.get().id;
            self.funcs.insert(id, d.clone().unbind());
            // (known by id to other compilations too: a generator's later step
            // starts from a variable holding one of several functions, a tag)
            register_func_arg(d);
            register_func_original(id, obj);
            return GlobalKind::Func(id);
        }
        if let Ok(Some(c)) = crate::boxing::named_tuple_class(py, obj) {
            return GlobalKind::NamedTupleClass(c);
        }
        if let Some(d) = auto_dispatcher(py, obj) {
            let id = d.get().id;
            register_func_arg(&d);
            self.funcs.insert(id, d.unbind());
            register_func_original(id, obj);
            return GlobalKind::Func(id);
        }
        if crate::boxing::is_generator(py, obj) {
            // A module-level Generator: captured (guarded by identity like every global).
            let id = self.arrays.len() as u32;
            self.arrays.insert(id, vec![obj.as_ptr() as u64]);
            self.keep.push(obj.clone().unbind());
            return GlobalKind::Obj(pyston_compiler::types::ObjClass::Generator, id);
        }
        if crate::helpers::pyrandom::is_plain_random(py, obj) {
            // A module-level random.Random: captured (guarded by identity like every global).
            let id = self.arrays.len() as u32;
            self.arrays.insert(id, vec![obj.as_ptr() as u64]);
            self.keep.push(obj.clone().unbind());
            return GlobalKind::Obj(pyston_compiler::types::ObjClass::PyRandom, id);
        }
        if let Ok(Some(np)) = crate::boxing::np_types_if_loaded(py) {
            if obj.get_type().as_ptr() as usize == np.ndarray_type {
                let mut slots = Vec::new();
                // SAFETY: `obj` is exactly an ndarray.
                if let Some(at) = unsafe { crate::boxing::array_info(obj.as_ptr(), &mut slots) } {
                    let id = self.arrays.len() as u32;
                    self.arrays.insert(id, slots);
                    self.keep.push(obj.clone().unbind());
                    return GlobalKind::Array(at, id);
                }
            }
        }
        GlobalKind::Other(tn)
    }
}

/// `np.mgrid` and `np.ogrid`: compiled code indexes them through NumPy
/// (`ProbeTarget::Index`).
fn is_index_grid(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    crate::boxing::numpy_loaded(py)
        && py.import("numpy").is_ok_and(|np| {
            ["mgrid", "ogrid"]
                .iter()
                .any(|n| np.getattr(*n).is_ok_and(|g| g.as_ptr() == obj.as_ptr()))
        })
}

/// The call compiled code makes for `grid[i, j]`: the items as arguments
/// (`grid[k]` and `grid[k,]`: one argument, the key itself, which is the
/// tuple `(k,)` in the second; see `lower`).
fn grid_indexer<'py>(py: Python<'py>, grid: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    static MAKE: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let make = MAKE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .eval(
                c"lambda g: lambda *key: g[key[0] if len(key) == 1 else key]",
                None,
                None,
            )?
            .unbind())
    })?;
    make.bind(py).call1((grid,))
}

/// Whether compiled code may call `obj` through NumPy: the NumPy library's
/// functions called through NumPy (their result types are found by probing)
/// and every ufunc.
fn is_numpy_callable(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    if stdlib_callable(py, obj)
        || stdlib_random(py, obj).is_some()
        || crate::helpers::pyrandom::is_random_class(py, obj)
    {
        return true;
    }
    if !crate::boxing::numpy_loaded(py) {
        return false; // no NumPy function exists yet (and the tables below must not be filled empty)
    }
    static IDS: std::sync::OnceLock<std::collections::HashSet<usize>> = std::sync::OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let mut set = std::collections::HashSet::new();
        if let Ok(np) = py.import("numpy") {
            for name in numpy_lib::numpy_functions() {
                if let Ok(f) = np.getattr(name) {
                    set.insert(f.as_ptr() as usize);
                    std::mem::forget(f); // identities stay valid for the process
                }
            }
        }
        if let Ok(linalg) = py.import("numpy.linalg") {
            for name in numpy_lib::linalg_functions() {
                if let Ok(f) = linalg.getattr(name) {
                    set.insert(f.as_ptr() as usize);
                    std::mem::forget(f); // identities stay valid for the process
                }
            }
        }
        set
    });
    if ids.contains(&(obj.as_ptr() as usize)) || random_rule_of(py, obj).is_some() {
        return true;
    }
    obj.get_type().name().is_ok_and(|n| n == "ufunc")
}

/// Pure functions of the standard library that compiled code calls through
/// CPython, typed by probing like NumPy's (`divmod`, `pow`, `hash`, `math.gcd`,
/// `math.comb`, `math.frexp`, `operator.add`, `cmath.exp`, ...): the loop
/// around them compiles, the call is CPython's own.
fn stdlib_callable(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    stdlib_name(py, obj).is_some()
}

/// The module and name of a function `stdlib_callable` accepts.
fn stdlib_name(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<(&'static str, &'static str)> {
    static IDS: std::sync::OnceLock<HashMap<usize, (&'static str, &'static str)>> = std::sync::OnceLock::new();
    const TABLE: [(&str, &[&str]); 4] = [
        ("builtins", &["divmod", "pow", "hash"]),
        (
            "math",
            &[
                "gcd",
                "lcm",
                "isqrt",
                "comb",
                "perm",
                "factorial",
                "frexp",
                "ldexp",
                "isclose",
                "prod",
                "dist",
                "fsum",
                "modf",
                "nextafter",
                "ulp",
                "remainder",
                "cbrt",
                "exp2",
                "sumprod",
            ],
        ),
        (
            "operator",
            &[
                "add",
                "sub",
                "mul",
                "truediv",
                "floordiv",
                "mod",
                "pow",
                "neg",
                "pos",
                "abs",
                "invert",
                "lshift",
                "rshift",
                "and_",
                "or_",
                "xor",
                "not_",
                "truth",
                "eq",
                "ne",
                "lt",
                "le",
                "gt",
                "ge",
                "is_",
                "is_not",
                "index",
                "matmul",
                "getitem",
                "contains",
                "iadd",
                "isub",
                "imul",
                "itruediv",
                "ifloordiv",
                "imod",
                "ipow",
                "ilshift",
                "irshift",
                "iand",
                "ior",
                "ixor",
                "imatmul",
            ],
        ),
        (
            "cmath",
            &[
                "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                "asinh", "acosh", "atanh", "phase", "polar", "rect", "isfinite", "isinf", "isnan", "isclose",
            ],
        ),
    ];
    let ids = IDS.get_or_init(|| {
        let mut map = HashMap::new();
        for (module, names) in TABLE {
            if let Ok(m) = py.import(module) {
                for name in names {
                    if let Ok(f) = m.getattr(*name) {
                        map.insert(f.as_ptr() as usize, (module, *name));
                        std::mem::forget(f); // identities stay valid for the process
                    }
                }
            }
        }
        map
    });
    ids.get(&(obj.as_ptr() as usize)).copied()
}

/// The NumPy functions that never warn whatever their arguments (they make,
/// reshape or select arrays without arithmetic, casts or conversions of
/// Python ints), matched by identity: compiled code calls them without a
/// frame at the call's line (that frame exists only to place warnings).
fn numpy_never_warns(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    static IDS: std::sync::OnceLock<std::collections::HashSet<usize>> = std::sync::OnceLock::new();
    const NAMES: &[&str] = &[
        "zeros",
        "ones",
        "empty",
        "zeros_like",
        "ones_like",
        "empty_like",
        "copy",
        "reshape",
        "ravel",
        "transpose",
        "concatenate",
        "stack",
        "hstack",
        "vstack",
        "ascontiguousarray",
        "asfortranarray",
        "atleast_1d",
        "atleast_2d",
        "atleast_3d",
        "expand_dims",
        "squeeze",
        "swapaxes",
        "moveaxis",
        "flip",
        "fliplr",
        "flipud",
        "roll",
        "tile",
        "repeat",
        "diag",
        "diagonal",
        "eye",
        "identity",
        "tri",
        "triu",
        "tril",
        "argmax",
        "argmin",
        "argsort",
        "nonzero",
        "flatnonzero",
        "shape",
        "ndim",
        "size",
        "broadcast_to",
        "where",
        // (the complex conjugate flips a sign: no floating-point operation)
        "conj",
        "conjugate",
        "real",
        "imag",
    ];
    numpy_ids(py, &IDS, NAMES).contains(&(obj.as_ptr() as usize))
}

/// The identities of NumPy's functions named `names`, found once.
fn numpy_ids<'a>(
    py: Python<'_>,
    ids: &'a std::sync::OnceLock<std::collections::HashSet<usize>>,
    names: &[&str],
) -> &'a std::collections::HashSet<usize> {
    ids.get_or_init(|| {
        let mut set = std::collections::HashSet::new();
        if let Ok(m) = py.import("numpy") {
            for name in names {
                if let Ok(f) = m.getattr(*name) {
                    set.insert(f.as_ptr() as usize);
                    std::mem::forget(f); // identities stay valid for the process
                }
            }
        }
        set
    })
}

/// NumPy's ufuncs whose integer and bool loops never set a floating-point
/// error flag (no division, no power, no conversion to float): called on
/// integer or bool operands only, they never warn.
fn int_ufunc_never_warns(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    static IDS: std::sync::OnceLock<std::collections::HashSet<usize>> = std::sync::OnceLock::new();
    const NAMES: &[&str] = &[
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "invert",
        "bitwise_not",
        "left_shift",
        "right_shift",
        "logical_and",
        "logical_or",
        "logical_xor",
        "logical_not",
        "equal",
        "not_equal",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
        "add",
        "subtract",
        "multiply",
        "maximum",
        "minimum",
    ];
    numpy_ids(py, &IDS, NAMES).contains(&(obj.as_ptr() as usize))
}

/// Whether `obj` is one of NumPy's comparison ufuncs (`np.less`, ...).
fn comparison_ufunc(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    static IDS: std::sync::OnceLock<std::collections::HashSet<usize>> = std::sync::OnceLock::new();
    const NAMES: &[&str] = &["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"];
    numpy_ids(py, &IDS, NAMES).contains(&(obj.as_ptr() as usize))
}

/// Whether a call into NumPy can never warn, so needs no frame at its line:
/// the functions of [`numpy_never_warns`]; array methods of the same kind;
/// and `+ - * & | ^ << >>` and comparisons whose operands are all integer or
/// bool arrays or NumPy scalars (integer array arithmetic wraps silently; a
/// Python int operand may be out of its dtype's range, which NumPy 1.x warns
/// about), the same ufuncs called by name ([`int_ufunc_never_warns`]) and
/// `.all()` / `.any()` of such arrays or of float arrays (a tuple of ints or
/// a bool counts as such an operand too); comparisons of float64/float32
/// arrays with each other, NumPy floats of those dtypes and (float64 arrays
/// only) Python floats, as operators or ufuncs.
fn never_warns(py: Python<'_>, target: &ProbeTarget, args: &[Ty], f: Option<&Bound<'_, PyAny>>) -> bool {
    let int_like = |t: &Ty| match t {
        Ty::Array(a) => a.dtype.is_int() || a.dtype == Dtype::Bool,
        Ty::Np(d) => d.is_int() || *d == Dtype::Bool,
        // (a tuple of ints becomes an int64 array first: never out of its range)
        Ty::Tuple(ts) => !ts.is_empty() && ts.iter().all(|t| matches!(t, Ty::Int | Ty::Bool)),
        Ty::Bool => true,
        _ => false,
    };
    // Comparisons of float64/float32 operands with no cast that narrows (NumPy
    // 1.24 to 2.5 give no warning for any of them, NaN and infinities
    // included; what does warn, and is left out: complex ordering, a Python
    // float cast to float32/float16 (`1e300` overflows), a Python int beyond
    // 2**64 against NaN on NumPy 1.x, float16).
    let real_cmp = |args: &[Ty]| {
        let float = |d: &Dtype| matches!(d, Dtype::Float64 | Dtype::Float32);
        let narrow = args.contains(&Ty::Float)
            && args
                .iter()
                .any(|t| matches!(t, Ty::Array(a) if a.dtype != Dtype::Float64));
        args.iter().any(|t| matches!(t, Ty::Array(a) if float(&a.dtype)))
            && args.iter().all(|t| match t {
                Ty::Array(a) => float(&a.dtype),
                Ty::Np(d) => float(d),
                Ty::Float => true,
                _ => false,
            })
            && !narrow
    };
    match target {
        // Logical reductions of integer, bool or float arrays (a truth test per element).
        ProbeTarget::Method(m) if matches!(m.as_str(), "all" | "any") => {
            args.len() == 1
                && (int_like(&args[0])
                    || matches!(&args[0], Ty::Array(a) if matches!(a.dtype, Dtype::Float64 | Dtype::Float32)))
        }
        ProbeTarget::Func(_) => f.is_some_and(|f| {
            numpy_never_warns(py, f)
                || (int_ufunc_never_warns(py, f)
                    && args.iter().any(|t| matches!(t, Ty::Array(_)))
                    && args.iter().all(int_like))
                || (args.len() == 2 && comparison_ufunc(py, f) && real_cmp(args))
        }),
        ProbeTarget::Method(m) => {
            matches!(args.first(), Some(Ty::Array(_)))
                && matches!(
                    m.as_str(),
                    "copy"
                        | "reshape"
                        | "ravel"
                        | "flatten"
                        | "transpose"
                        | "swapaxes"
                        | "squeeze"
                        | "nonzero"
                        | "argmax"
                        | "argmin"
                        | "argsort"
                        | "view"
                        | "item"
                        | "tolist"
                        | "conj"
                        | "conjugate"
                )
        }
        ProbeTarget::Operator(o) => {
            matches!(
                *o,
                "add"
                    | "sub"
                    | "mul"
                    | "and_"
                    | "or_"
                    | "xor"
                    | "lshift"
                    | "rshift"
                    | "lt"
                    | "le"
                    | "gt"
                    | "ge"
                    | "eq"
                    | "ne"
            ) && args.len() == 2
                && (args.iter().all(int_like)
                    || (matches!(*o, "lt" | "le" | "gt" | "ge" | "eq" | "ne") && real_cmp(args)))
        }
        _ => false,
    }
}

/// The functions of the standard library's `random` compiled code calls
/// (bound methods of `random._inst`, matched by identity), by name; `None`
/// before the program has imported `random`. Never probed: a probe would draw.
fn stdlib_random(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<&'static str> {
    let ids = stdlib_random_ids(py)?;
    ids.get(&(obj.as_ptr() as usize)).copied()
}

/// The names of `random`'s functions compiled code calls (the module's
/// functions, `random.Random`'s methods): `stdlib_random_call` types them.
const RANDOM_NAMES: [&str; 18] = [
    "random",
    "uniform",
    "randint",
    "randrange",
    "getrandbits",
    "gauss",
    "normalvariate",
    "expovariate",
    "lognormvariate",
    "vonmisesvariate",
    "gammavariate",
    "betavariate",
    "paretovariate",
    "weibullvariate",
    "triangular",
    "seed",
    "choice",
    "shuffle",
];

/// `sys.modules[name]`, without importing it.
fn loaded_module<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyAny>> {
    py.import("sys").ok()?.getattr("modules").ok()?.get_item(name).ok()
}

/// `stdlib_random`'s table: the functions by identity.
fn stdlib_random_ids(py: Python<'_>) -> Option<&'static HashMap<usize, &'static str>> {
    static IDS: std::sync::OnceLock<HashMap<usize, &'static str>> = std::sync::OnceLock::new();
    if IDS.get().is_none() {
        let loaded = py
            .import("sys")
            .and_then(|s| s.getattr("modules"))
            .and_then(|m| m.contains("random"))
            .unwrap_or(false);
        if !loaded {
            return None;
        }
    }
    Some(IDS.get_or_init(|| {
        let mut map = HashMap::new();
        if let Ok(random) = py.import("random") {
            for name in RANDOM_NAMES {
                if let Ok(f) = random.getattr(name) {
                    map.insert(f.as_ptr() as usize, name);
                    std::mem::forget(f); // identities stay valid for the process
                }
            }
        }
        map
    }))
}

/// The result type of a call of `random`'s function `name` (a module-level
/// function when `fixed` holds it, else the method of a `random.Random` in
/// the call's first argument, `args` after it), and whether it is drawn
/// natively (`helpers::pyrandom`).
fn stdlib_random_call(
    py: Python<'_>,
    fixed: Option<&Bound<'_, PyAny>>,
    name: &str,
    args: &[Ty],
    kw: &[String],
) -> Result<(Ty, Option<crate::helpers::pyrandom::MtDraw>), String> {
    use crate::helpers::pyrandom::{Elem, MtDraw, MtOp, MtSource};
    // Whose state a native draw advances: the module function's instance, or the method's receiver.
    let source = || match fixed {
        Some(f) => {
            let inst = f.getattr("__self__").ok()?;
            crate::helpers::pyrandom::layout_ok(py, &inst).then(|| MtSource::Fixed(inst.unbind()))
        }
        None => {
            let tp = crate::helpers::pyrandom::random_type(py)?;
            crate::helpers::pyrandom::instance_layout_ok(py).then_some(MtSource::Arg0(tp))
        }
    };
    let native = |op: Option<MtOp>| op.and_then(|op| Some(MtDraw { op, source: source()? }));
    // `choice` and `shuffle` of a list (the list object itself): natively, or
    // (`choice` of a list of other elements) CPython's own function.
    match (name, args, kw.is_empty()) {
        ("choice", [Ty::List(e)], true) if **e != Ty::Bottom => {
            return Ok(((**e).clone(), native(Elem::of(e).map(MtOp::Choice))))
        }
        ("shuffle", [Ty::List(_)], true) => return Ok((Ty::NoneT, native(Some(MtOp::Shuffle)))),
        ("choice" | "shuffle", ..) => return Err("it takes one list argument in compiled code".into()),
        _ => {}
    }
    let seed_str = |t: &Ty| name == "seed" && matches!(t, Ty::PyStr | Ty::Str(_));
    if !args
        .iter()
        .all(|t| matches!(t, Ty::Int | Ty::PyInt | Ty::Float | Ty::Bool | Ty::NoneT) || seed_str(t))
    {
        return Err("its arguments must be ints or floats".into());
    }
    let ret = match name {
        "seed" => Ty::NoneT,
        "randint" | "randrange" | "getrandbits" => Ty::Int,
        _ => Ty::Float,
    };
    let ints: Option<Vec<bool>> = args
        .iter()
        .map(|t| match t {
            Ty::Int => Some(true),
            Ty::Float => Some(false),
            _ => None,
        })
        .collect();
    let op = match (ints, kw.is_empty()) {
        (Some(ints), true) => MtOp::of(name, &ints),
        _ => None,
    };
    Ok((ret, native(op)))
}

/// The typing rule of `obj` if it is one of the library's `numpy.random`
/// functions (bound methods of NumPy's global generator: matched by identity,
/// which is stable while `np.random.seed` only reseeds that generator).
fn random_rule_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<(numpy_lib::RandomRule, &'static str)> {
    // (none of its functions exists before something imports `numpy.random`;
    // the table is built once, so not before that)
    if !crate::boxing::numpy_loaded(py) || loaded_module(py, "numpy.random").is_none() {
        return None;
    }
    type Rules = HashMap<usize, (numpy_lib::RandomRule, &'static str)>;
    static IDS: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let mut map = HashMap::new();
        if let Ok(random) = py.import("numpy.random") {
            for name in numpy_lib::random_functions() {
                if let (Ok(f), Some(rule)) = (random.getattr(name), numpy_lib::random_rule(name)) {
                    map.insert(f.as_ptr() as usize, (rule, name));
                    std::mem::forget(f); // identities stay valid for the process
                }
            }
        }
        map
    });
    ids.get(&(obj.as_ptr() as usize)).copied()
}

/// The result type of a `numpy.random` call by its rule (see `numpy_lib::RandomRule`):
/// a Python scalar without `size`, a C-contiguous array of the size's shape with it.
fn random_result(rule: numpy_lib::RandomRule, args: &[Ty], kw: &[String]) -> Result<Ty, String> {
    use pyston_compiler::types::{ArrTy, Layout, ObjClass};
    let npos = args.len() - kw.len();
    let arr = |dtype: Dtype, ndim: usize, layout: Layout| {
        Ty::Array(ArrTy {
            dtype,
            ndim: ndim as u8,
            layout,
            readonly: false,
        })
    };
    // The draws whose result depends on their first argument, and `default_rng`.
    match rule.draw {
        numpy_lib::Draw::Generator => {
            return match args {
                [] | [Ty::Int | Ty::NoneT] => Ok(Ty::Obj(ObjClass::Generator)),
                _ => Err("its seed must be an int or None".into()),
            }
        }
        numpy_lib::Draw::Shuffle | numpy_lib::Draw::Permutation => {
            let rest_ok = args.iter().skip(1).all(|t| *t == Ty::Int);
            return match (args.first(), npos, rest_ok, rule.draw) {
                (Some(Ty::Array(a)), 1, true, numpy_lib::Draw::Shuffle) if a.ndim >= 1 && !a.readonly => Ok(Ty::NoneT),
                (Some(Ty::Int), 1, true, numpy_lib::Draw::Permutation) => Ok(arr(Dtype::Int64, 1, Layout::C)),
                (Some(Ty::Array(a)), 1, true, numpy_lib::Draw::Permutation) if a.ndim >= 1 => {
                    Ok(arr(a.dtype, a.ndim as usize, Layout::A))
                }
                (Some(t), ..) => Err(format!(
                    "its argument of type {t} (an int or a writable array of ndim >= 1 is compiled)"
                )),
                (None, ..) => Err("it needs an argument".into()),
            };
        }
        numpy_lib::Draw::Dirichlet | numpy_lib::Draw::Multinomial => {
            // The parameters by name (positional first); `size` last.
            let dirichlet = rule.draw == numpy_lib::Draw::Dirichlet;
            let names: &[&str] = if dirichlet {
                &["alpha", "size"]
            } else {
                &["n", "pvals", "size"]
            };
            if npos > names.len() || kw.iter().any(|k| !names.contains(&k.as_str())) {
                return Err(format!("its arguments (it takes {})", names.join(", ")));
            }
            let at = |p: usize| -> Option<&Ty> {
                if p < npos {
                    args.get(p)
                } else {
                    kw.iter().position(|k| k == names[p]).map(|k| &args[npos + k])
                }
            };
            let real = |t: &Ty| matches!(t, Ty::Int | Ty::Float);
            let vector = at(names.len() - 2).ok_or_else(|| format!("its `{}` argument", names[names.len() - 2]))?;
            let vector_ok = match vector {
                Ty::Array(a) => {
                    a.ndim == 1
                        && matches!(
                            a.dtype.kind(),
                            pyston_compiler::dtype::Kind::Int | pyston_compiler::dtype::Kind::Float
                        )
                }
                Ty::List(e) => real(e),
                Ty::Tuple(ts) => !ts.is_empty() && ts.iter().all(real),
                _ => false,
            };
            if !vector_ok {
                return Err(format!(
                    "a `{}` of type {vector} (a 1-d int or float array, or a list/tuple of numbers, is compiled)",
                    names[names.len() - 2]
                ));
            }
            if !dirichlet && !matches!(at(0), Some(Ty::Int)) {
                return Err("its `n` must be an int".into());
            }
            let extra = match at(names.len() - 1) {
                None | Some(Ty::NoneT) => 0,
                Some(Ty::Int) => 1,
                Some(Ty::Tuple(ts)) if ts.iter().all(|t| *t == Ty::Int) => ts.len(),
                Some(t) => return Err(format!("a `size` of type {t}")),
            };
            let dtype = if dirichlet { Dtype::Float64 } else { Dtype::Int64 };
            return Ok(arr(dtype, extra + 1, Layout::C));
        }
        numpy_lib::Draw::Choice => {
            let (elem, dtype) = match args.first() {
                Some(Ty::Int) if npos >= 1 => (Ty::Int, Dtype::Int64),
                Some(Ty::Array(a)) if npos >= 1 && a.ndim == 1 => (Ty::Np(a.dtype), a.dtype),
                Some(t) => return Err(format!("choosing from a {t} (an int or a 1-d array is compiled)")),
                None => return Err("it needs an argument".into()),
            };
            let size = args.iter().enumerate().find(|(i, _)| {
                let kw_name = i.checked_sub(npos).map(|k| kw[k].as_str());
                kw_name == Some("size") || (kw_name.is_none() && *i == 1)
            });
            if kw.iter().any(|k| k == "axis" || k == "shuffle") {
                return Err("its `axis` and `shuffle` arguments are not compiled yet".into());
            }
            return Ok(match size.map(|(_, t)| t) {
                None | Some(Ty::NoneT) => elem,
                Some(Ty::Int) => arr(dtype, 1, Layout::C),
                Some(Ty::Tuple(ts)) if ts.iter().all(|t| *t == Ty::Int) => arr(dtype, ts.len(), Layout::C),
                Some(t) => return Err(format!("a `size` of type {t}")),
            });
        }
        _ => {}
    }
    let scalar = |t: &Ty| {
        matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Np(_))
            && !matches!(t, Ty::Np(d) if d.kind() == pyston_compiler::dtype::Kind::Complex)
    };
    let mut size: Option<&Ty> = None;
    for (i, t) in args.iter().enumerate() {
        let kw_name = i.checked_sub(npos).map(|k| kw[k].as_str());
        let is_size = kw_name == Some("size") || (kw_name.is_none() && rule.size_at == Some(i));
        if is_size {
            size = Some(t);
        } else if kw_name == Some("dtype") {
            return Err("the `dtype` argument is not supported in compiled code yet".into());
        } else if !scalar(t) {
            return Err(format!(
                "its argument of type {t} (arrays broadcast, which is not compiled yet)"
            ));
        }
    }
    let ndim = if rule.dims {
        if !args[..npos].iter().all(|t| *t == Ty::Int) {
            return Err("its dimensions must be ints".into());
        }
        npos
    } else {
        match size {
            None | Some(Ty::NoneT) => 0,
            Some(Ty::Int) => 1,
            Some(Ty::Tuple(ts)) if ts.iter().all(|t| *t == Ty::Int) => ts.len(),
            Some(t) => return Err(format!("a `size` of type {t}")),
        }
    };
    let (scalar_ty, dtype) = match rule.draw {
        numpy_lib::Draw::Nothing => return Ok(Ty::NoneT),
        numpy_lib::Draw::Float => (Ty::Float, Dtype::Float64),
        numpy_lib::Draw::Int => (Ty::Int, Dtype::Int64),
        numpy_lib::Draw::NpInt => (Ty::Np(Dtype::Int64), Dtype::Int64),
        _ => return Err("internal: a draw typed above".into()),
    };
    Ok(if ndim == 0 {
        scalar_ty
    } else {
        Ty::Array(pyston_compiler::types::ArrTy {
            dtype,
            ndim: ndim as u8,
            layout: pyston_compiler::types::Layout::C,
            readonly: false,
        })
    })
}

/// Whether the `numpy.random` call `name` (a `Generator` method when
/// `generator`) with arguments `args` is drawn natively, and how: the draw,
/// where its (up to three) parameters come from and, for an array of draws,
/// the slots of its dimensions (see `helpers::random`). Int/float/bool
/// parameters, and a `size` that is an int or a tuple of ints (`rand` and
/// `randn`: int dimensions); no `dtype`, `p`, ... The values NumPy would
/// refuse are left to NumPy at run time.
type NativeRngPlan = (
    crate::helpers::random::RngOp,
    [crate::helpers::random::RngArg; 3],
    Option<Vec<usize>>,
);

fn native_rng(name: &str, generator: bool, args: &[Ty], kw: &[String]) -> Option<NativeRngPlan> {
    use crate::helpers::random::{ArgKind, Dist, Family, RngArg, RngOp};
    let npos = args.len() - kw.len();
    let none = RngArg::Default(0.0, 0);
    // `shuffle(a)` of a writable 1-d array, `permutation(n)` of an int.
    match (name, args, kw.is_empty()) {
        ("shuffle", [Ty::Array(a)], true) if a.ndim == 1 && !a.readonly && !matches!(a.dtype, Dtype::Record(_)) => {
            return Some((RngOp::Shuffle(a.dtype.itemsize() as usize), [none, none, none], None));
        }
        ("shuffle", [Ty::Array(a)], true) if a.ndim >= 2 && !a.readonly && !matches!(a.dtype, Dtype::Record(_)) => {
            let op = RngOp::ShuffleRows(a.dtype.itemsize() as usize, a.ndim as usize);
            return Some((op, [none, none, none], None));
        }
        ("permutation", [Ty::Int], true) => {
            return Some((RngOp::Permutation, [none, none, none], None));
        }
        ("permutation", [Ty::Array(a)], true)
            if a.ndim == 1 && !a.dtype.is_time() && !matches!(a.dtype, Dtype::Record(_)) =>
        {
            return Some((RngOp::PermuteCopy(a.dtype), [none, none, none], None));
        }
        // `choice(a)` of a 1-d array: an element, its bytes as its slots (one slot
        // of up to 8 bytes, or complex128's two); with an int or tuple `size`, an
        // array of them (not of datetimes or records).
        ("choice", [Ty::Array(a), rest @ ..], _) if a.ndim == 1 && rest.len() <= 1 => {
            let fam = if generator { Family::Gen } else { Family::Legacy };
            let op = RngOp::ChoiceArray(fam, a.dtype);
            let size_ok = match kw {
                [] => true,
                [k] => k == "size",
                _ => false,
            };
            if !size_ok {
                return None;
            }
            let first = pyston_compiler::abi::slot_count(&args[0]);
            return match rest.first() {
                None | Some(Ty::NoneT) => (a.dtype == Dtype::Complex128
                    || (pyston_compiler::abi::dtype_slots(a.dtype).len() == 1 && a.dtype.itemsize() <= 8))
                    .then_some((op, [none, none, none], None)),
                Some(_) if a.dtype.is_time() || matches!(a.dtype, Dtype::Record(_)) => None,
                Some(Ty::Int) => Some((op, [none, none, none], Some(vec![first]))),
                Some(Ty::Tuple(ts)) if ts.iter().all(|t| *t == Ty::Int) => {
                    Some((op, [none, none, none], Some((first..first + ts.len()).collect())))
                }
                Some(_) => None,
            };
        }
        ("shuffle" | "permutation", ..) => return None,
        _ => {}
    }
    // `dirichlet(alpha, size)` and `multinomial(n, pvals, size)` of a 1-d float64
    // array (and an int `n`): the array's first slot in `lo` (`hi` for pvals).
    if matches!(name, "dirichlet" | "multinomial") {
        let multinomial = name == "multinomial";
        let names: &[&str] = if multinomial {
            &["n", "pvals", "size"]
        } else {
            &["alpha", "size"]
        };
        let npos = args.len() - kw.len();
        if npos > names.len() || kw.iter().any(|k| !names.contains(&k.as_str())) {
            return None;
        }
        let at = |p: usize| -> Option<usize> {
            if p < npos {
                Some(p)
            } else {
                kw.iter().position(|k| k == names[p]).map(|k| npos + k)
            }
        };
        let mut slot_of = Vec::with_capacity(args.len());
        let mut next = 0;
        for t in args {
            slot_of.push(next);
            next += pyston_compiler::abi::slot_count(t);
        }
        let vj = at(names.len() - 2)?;
        if !matches!(&args[vj], Ty::Array(a) if a.ndim == 1 && a.dtype == Dtype::Float64) {
            return None;
        }
        let size = match at(names.len() - 1).map(|j| (j, &args[j])) {
            None | Some((_, Ty::NoneT)) => vec![],
            Some((j, Ty::Int)) => vec![slot_of[j]],
            Some((j, Ty::Tuple(ts))) if ts.iter().all(|t| *t == Ty::Int) => {
                (0..ts.len()).map(|k| slot_of[j] + k).collect()
            }
            Some(_) => return None,
        };
        let fam = if generator { Family::Gen } else { Family::Legacy };
        let vector = RngArg::Slot(slot_of[vj], ArgKind::Int);
        return Some(if multinomial {
            let nj = at(0)?;
            if args[nj] != Ty::Int {
                return None;
            }
            (
                RngOp::Multinomial,
                [RngArg::Slot(slot_of[nj], ArgKind::Int), vector, none],
                Some(size),
            )
        } else {
            (RngOp::Dirichlet(fam), [vector, none, none], Some(size))
        });
    }
    // Argument j's first slot (a tuple takes one slot per element).
    let mut slot_of = Vec::with_capacity(args.len());
    let mut next = 0;
    for t in args {
        slot_of.push(next);
        next += pyston_compiler::abi::slot_count(t);
    }
    let kind = |j: usize| match args[j] {
        Ty::Int => Some(ArgKind::Int),
        Ty::Float => Some(ArgKind::Float),
        Ty::Bool => Some(ArgKind::Bool),
        _ => None,
    };
    let fam = if generator { Family::Gen } else { Family::Legacy };
    // Each row: the parameters in NumPy's order (`size` where it is positional),
    // their defaults (`None`: required, or not a parameter of the draw), and the draw.
    const R: Option<f64> = None;
    const S: &str = "size";
    let d = |x: f64| Some(x);
    let (params, defaults, op): (&[&str], &[Option<f64>], RngOp) = match (generator, name) {
        (false, "random" | "random_sample" | "sample" | "ranf") | (true, "random") => (&[S], &[R], RngOp::Double),
        (false, "rand") => (&[], &[], RngOp::Double),
        (false, "uniform") => (&["low", "high", S], &[d(0.0), d(1.0), R], RngOp::UniformLegacy),
        (true, "uniform") => (&["low", "high", S], &[d(0.0), d(1.0), R], RngOp::UniformGen),
        (false, "randint") => (&["low", "high", S], &[R, R, R], RngOp::MaskedInt),
        (true, "integers") => (
            &["low", "high", S, "dtype", "endpoint"],
            &[R, R, R, R, d(0.0)],
            RngOp::LemireInt,
        ),
        (false, "standard_normal") => (&[S], &[R], RngOp::GaussLegacy),
        (false, "randn") => (&[], &[], RngOp::GaussLegacy),
        (false, "normal") => (&["loc", "scale", S], &[d(0.0), d(1.0), R], RngOp::NormalLegacy),
        (false, "standard_exponential") => (&[S], &[R], RngOp::StdExpLegacy),
        (false, "exponential") => (&["scale", S], &[d(1.0), R], RngOp::ExpLegacy),
        (true, "standard_normal") => (&[S], &[R], RngOp::StdNormalGen),
        (true, "normal") => (&["loc", "scale", S], &[d(0.0), d(1.0), R], RngOp::NormalGen),
        (true, "standard_exponential") => (&[S], &[R], RngOp::StdExpGen),
        (true, "exponential") => (&["scale", S], &[d(1.0), R], RngOp::ExpGen),
        (_, "choice") => (&["a", S], &[R, R], RngOp::Dist(Dist::ChoiceInt, fam)),
        (_, "gamma") => (&["shape", "scale", S], &[R, d(1.0), R], RngOp::Dist(Dist::Gamma, fam)),
        (_, "standard_gamma") => (&["shape", S], &[R, R], RngOp::Dist(Dist::Gamma, fam)),
        (_, "beta") => (&["a", "b", S], &[R, R, R], RngOp::Dist(Dist::Beta, fam)),
        (_, "chisquare") => (&["df", S], &[R, R], RngOp::Dist(Dist::Chisquare, fam)),
        (_, "lognormal") => (
            &["mean", "sigma", S],
            &[d(0.0), d(1.0), R],
            RngOp::Dist(Dist::Lognormal, fam),
        ),
        (_, "laplace") => (
            &["loc", "scale", S],
            &[d(0.0), d(1.0), R],
            RngOp::Dist(Dist::Laplace, fam),
        ),
        (_, "gumbel") => (
            &["loc", "scale", S],
            &[d(0.0), d(1.0), R],
            RngOp::Dist(Dist::Gumbel, fam),
        ),
        (_, "logistic") => (
            &["loc", "scale", S],
            &[d(0.0), d(1.0), R],
            RngOp::Dist(Dist::Logistic, fam),
        ),
        (_, "triangular") => (
            &["left", "mode", "right", S],
            &[R, R, R, R],
            RngOp::Dist(Dist::Triangular, fam),
        ),
        (_, "rayleigh") => (&["scale", S], &[d(1.0), R], RngOp::Dist(Dist::Rayleigh, fam)),
        (_, "weibull") => (&["a", S], &[R, R], RngOp::Dist(Dist::Weibull, fam)),
        (_, "pareto") => (&["a", S], &[R, R], RngOp::Dist(Dist::Pareto, fam)),
        (_, "poisson") => (&["lam", S], &[d(1.0), R], RngOp::Dist(Dist::Poisson, fam)),
        (_, "binomial") => (&["n", "p", S], &[R, R, R], RngOp::Dist(Dist::Binomial, fam)),
        (_, "geometric") => (&["p", S], &[R, R], RngOp::Dist(Dist::Geometric, fam)),
        (_, "standard_cauchy") => (&[S], &[R], RngOp::Dist(Dist::StandardCauchy, fam)),
        (_, "standard_t") => (&["df", S], &[R, R], RngOp::Dist(Dist::StandardT, fam)),
        (_, "power") => (&["a", S], &[R, R], RngOp::Dist(Dist::Power, fam)),
        (_, "f") => (&["dfnum", "dfden", S], &[R, R, R], RngOp::Dist(Dist::F, fam)),
        (_, "negative_binomial") => (&["n", "p", S], &[R, R, R], RngOp::Dist(Dist::NegativeBinomial, fam)),
        (_, "wald") => (&["mean", "scale", S], &[R, R, R], RngOp::Dist(Dist::Wald, fam)),
        (_, "hypergeometric") => (
            &["ngood", "nbad", "nsample", S],
            &[R, R, R, R],
            RngOp::Dist(Dist::Hypergeometric, fam),
        ),
        (_, "vonmises") => (&["mu", "kappa", S], &[R, R, R], RngOp::Dist(Dist::Vonmises, fam)),
        (_, "zipf") => (&["a", S], &[R, R], RngOp::Dist(Dist::Zipf, fam)),
        (_, "logseries") => (&["p", S], &[R, R], RngOp::Dist(Dist::Logseries, fam)),
        (_, "noncentral_chisquare") => (
            &["df", "nonc", S],
            &[R, R, R],
            RngOp::Dist(Dist::NoncentralChisquare, fam),
        ),
        (_, "noncentral_f") => (
            &["dfnum", "dfden", "nonc", S],
            &[R, R, R, R],
            RngOp::Dist(Dist::NoncentralF, fam),
        ),
        _ => return None,
    };
    // `rand(d0, d1, ...)`, `randn(...)`: every argument is a dimension.
    if matches!(name, "rand" | "randn") && !generator {
        if !kw.is_empty() || !args.iter().all(|t| *t == Ty::Int) {
            return None;
        }
        let size = (!args.is_empty()).then(|| slot_of.clone());
        let none = RngArg::Default(0.0, 0);
        return Some((op, [none, none, none], size));
    }
    if npos > params.len() || kw.iter().any(|k| !params.contains(&k.as_str())) {
        return None;
    }
    // The argument at parameter `p`, if given.
    let at = |p: usize| -> Option<usize> {
        if p < npos {
            Some(p)
        } else {
            let name = params.get(p)?;
            kw.iter().position(|k| k == name).map(|k| npos + k)
        }
    };
    // The draw's array shape: the slots of `size`'s ints.
    let size_at = params.iter().position(|p| *p == S);
    let size = match size_at.and_then(at) {
        None => None,
        Some(j) => match &args[j] {
            Ty::NoneT => None,
            Ty::Int => Some(vec![slot_of[j]]),
            Ty::Tuple(ts) if ts.iter().all(|t| *t == Ty::Int) => Some((0..ts.len()).map(|k| slot_of[j] + k).collect()),
            _ => return None,
        },
    };
    let mut kinds = Vec::with_capacity(args.len());
    for j in 0..args.len() {
        kinds.push(if Some(j) == size_at.and_then(at) {
            Some(ArgKind::Int)
        } else {
            kind(j)
        });
    }
    if kinds.iter().any(|k| k.is_none()) {
        return None;
    }
    let kinds: Vec<ArgKind> = kinds.into_iter().flatten().collect();
    let arg = |p: usize| -> Option<RngArg> {
        match (params.get(p), at(p)) {
            (None, _) => Some(RngArg::Default(0.0, 0)),
            (Some(&S), _) => Some(RngArg::Default(0.0, 0)),
            (Some(_), Some(j)) => Some(RngArg::Slot(slot_of[j], kinds[j])),
            (Some(_), None) => defaults[p].map(|v| RngArg::Default(v, v as i64)),
        }
    };
    let ints_only = |ps: &[usize]| ps.iter().all(|&p| at(p).is_none_or(|j| kinds[j] == ArgKind::Int));
    let plan = match op {
        RngOp::MaskedInt | RngOp::LemireInt => {
            if !ints_only(&[0, 1]) || (op == RngOp::LemireInt && at(3).is_some()) {
                return None; // (`dtype`: NumPy's call)
            }
            let third = if op == RngOp::LemireInt { arg(4)? } else { none };
            match (at(0), at(1)) {
                (Some(_), Some(_)) => (op, [arg(0)?, arg(1)?, third]),
                (Some(_), None) => (op, [none, arg(0)?, third]),
                _ => return None, // NumPy raises
            }
        }
        // `choice(n)`'s and `binomial`'s n: an int (NumPy's own conversions of others).
        RngOp::Dist(Dist::ChoiceInt | Dist::Binomial, _) if !ints_only(&[0]) => return None,
        // `hypergeometric`'s three counts: ints (NumPy's own conversions of others).
        RngOp::Dist(Dist::Hypergeometric, _) if !ints_only(&[0, 1, 2]) || (0..3).any(|p| at(p).is_none()) => {
            return None
        }
        // (`exponential`'s scale is read as a normal's: the second parameter)
        RngOp::ExpGen | RngOp::ExpLegacy => (op, [none, arg(0)?, none]),
        // `standard_gamma(shape)` is `gamma(shape, 1.0)`.
        _ if name == "standard_gamma" => (op, [arg(0)?, RngArg::Default(1.0, 1), none]),
        _ => (op, [arg(0)?, arg(1)?, arg(2)?]),
    };
    Some((plan.0, plan.1, size))
}

/// A sample value of a type, for probing result types: arrays have extent 2
/// on every axis, slices take whole axes.
fn sample<'py>(py: Python<'py>, t: &Ty, extent: usize, int: i64) -> PyResult<Bound<'py, PyAny>> {
    let np = py.import("numpy")?;
    Ok(match t {
        Ty::Int => int.into_pyobject(py)?.into_any(),
        Ty::Builtin(b @ (Builtin::Bool | Builtin::Int | Builtin::Float | Builtin::Complex)) => {
            py.import("builtins")?.getattr(crate::boxing::builtin_type_name(*b))?
        }
        Ty::Float => 1.0f64.into_pyobject(py)?.into_any(),
        Ty::Bool => pyo3::types::PyBool::new(py, true).to_owned().into_any(),
        Ty::Complex => pyo3::types::PyComplex::from_doubles(py, 1.0, 0.0).into_any(),
        Ty::NoneT => py.None().into_bound(py),
        Ty::Ellipsis => py.Ellipsis().into_bound(py),
        Ty::Str(s) => s.into_pyobject(py)?.into_any(),
        Ty::PyStr => "ab".into_pyobject(py)?.into_any(),
        Ty::Np(d @ (Dtype::Datetime(u) | Dtype::Timedelta(u))) => np
            .getattr(if matches!(d, Dtype::Datetime(_)) {
                "datetime64"
            } else {
                "timedelta64"
            })?
            .call1((1, u.code()))?,
        Ty::Np(d) => np
            .getattr(if *d == Dtype::Bool { "bool_" } else { d.name() })?
            .call1((1,))?,
        Ty::DtypeObj(d) => np.getattr(if *d == Dtype::Bool { "bool_" } else { d.name() })?,
        Ty::Descr(d) => np.getattr("dtype")?.call1((d.name(),))?,
        Ty::Array(a) => {
            // `extent` along the first four axes and along the next ones while
            // the sample stays within 4096 elements (twelve axes of 2), 1
            // beyond (extent ** ndim elements would grow exponentially with
            // ndim). A trailing 1 where it is avoidable makes a probe fail that
            // the user's arrays pass: `S[k, E, a] += X` with a 5-D `S` and a 2-D
            // `X` (`S[1, 1, 1]` of shape (2, 1) cannot take a (2, 2) value).
            let nd = a.ndim as usize;
            let mut size = 1usize;
            let dims: Vec<usize> = (0..nd)
                .map(|k| {
                    if k < 4 || size.saturating_mul(extent) <= 4096 {
                        size = size.saturating_mul(extent);
                        extent
                    } else {
                        1
                    }
                })
                .collect();
            let shape = pyo3::types::PyTuple::new(py, dims)?;
            let kw = PyDict::new(py);
            kw.set_item("dtype", a.dtype.name())?;
            let arr = np.getattr("ones")?.call((shape,), Some(&kw))?;
            if a.readonly {
                arr.getattr("flags")?.setattr("writeable", false)?;
            }
            arr
        }
        Ty::Tuple(ts) => {
            let items: Vec<Bound<'py, PyAny>> =
                ts.iter().map(|t| sample(py, t, extent, int)).collect::<PyResult<_>>()?;
            pyo3::types::PyTuple::new(py, items)?.into_any()
        }
        Ty::Slice(_) => py
            .get_type::<pyo3::types::PySlice>()
            .call1((py.None(), py.None(), py.None()))?,
        Ty::Union(ms) => sample(py, &ms[ms.len() - 1], extent, int)?,
        Ty::List(e) => {
            let items: Vec<Bound<'py, PyAny>> = match **e {
                Ty::Bottom => vec![],
                _ => (0..extent)
                    .map(|_| sample(py, e, extent, int))
                    .collect::<PyResult<_>>()?,
            };
            pyo3::types::PyList::new(py, items)?.into_any()
        }
        t => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "no sample value for {t}"
            )))
        }
    })
}

/// A sample item of a key of `np.mgrid[...]`: a slice made of samples of its
/// parts (the result's dtype is theirs), inside a tuple too (`g[s,]`).
fn key_sample<'py>(py: Python<'py>, t: &Ty, extent: usize, int: i64) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Ty::Slice(parts) => {
            let p: Vec<Bound<'py, PyAny>> = parts
                .iter()
                .map(|t| sample(py, t, extent, int))
                .collect::<PyResult<_>>()?;
            py.get_type::<pyo3::types::PySlice>().call1((&p[0], &p[1], &p[2]))
        }
        Ty::Tuple(ts) => {
            let items: Vec<Bound<'py, PyAny>> = ts
                .iter()
                .map(|t| key_sample(py, t, extent, int))
                .collect::<PyResult<_>>()?;
            Ok(pyo3::types::PyTuple::new(py, items)?.into_any())
        }
        t => sample(py, t, extent, int),
    }
}

/// The Python value of a constant, for probing (ints, floats, tuples of them).
fn const_object<'py>(py: Python<'py>, c: &ir::Const) -> Option<Bound<'py, PyAny>> {
    match c {
        ir::Const::Int(v) => v.into_pyobject(py).ok().map(|o| o.into_any()),
        ir::Const::Float(v) => v.into_pyobject(py).ok().map(|o| o.into_any()),
        ir::Const::Tuple(items) => {
            let objs: Option<Vec<Bound<'py, PyAny>>> = items.iter().map(|c| const_object(py, c)).collect();
            pyo3::types::PyTuple::new(py, objs?).ok().map(|t| t.into_any())
        }
        _ => None,
    }
}

/// The type compiled code gives a result value.
fn result_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Ty> {
    let mut slots = Vec::new();
    for t in [Ty::Bool, Ty::Int, Ty::Float, Ty::Complex, Ty::NoneT] {
        if crate::boxing::unbox_value(py, &t, obj, &mut slots).ok()? {
            return Some(t);
        }
    }
    if obj.is_exact_instance_of::<pyo3::types::PyInt>() {
        return Some(Ty::Int); // a big int sample: still an int
    }
    if obj.is_exact_instance_of::<pyo3::types::PyString>() {
        return Some(Ty::PyStr); // (`x.hex()`, `np.binary_repr(n)`)
    }
    for d in Dtype::ALL {
        if crate::boxing::unbox_value(py, &Ty::Np(d), obj, &mut slots).ok()? {
            return Some(Ty::Np(d));
        }
    }
    let np = crate::boxing::np_types(py).ok()?;
    if obj.get_type().as_ptr() as usize == np.ndarray_type {
        // SAFETY: `obj` is exactly an ndarray.
        let a = unsafe { crate::boxing::array_info(obj.as_ptr(), &mut slots) }?;
        return Some(Ty::Array(pyston_compiler::types::ArrTy {
            layout: pyston_compiler::types::Layout::A,
            ..a
        }));
    }
    // A list (`np.split`'s list of arrays): compiled code holds the list object,
    // typed as a list argument is (by its first item; arrays of any layout).
    if obj.is_exact_instance_of::<pyo3::types::PyList>() {
        return crate::boxing::list_type(py, obj).ok()?;
    }
    // Named tuples too (NumPy's `EighResult`, ...): compiled code holds them as
    // plain tuples where they are only unpacked or indexed (`named_tuple_result`).
    if let Ok(t) = obj.cast::<pyo3::types::PyTuple>() {
        return t
            .iter()
            .map(|x| result_type(py, &x))
            .collect::<Option<Vec<_>>>()
            .map(Ty::Tuple);
    }
    None
}

impl<'py> CompileEnv<'py> {
    /// The callable globals that are `numpy.<name>` itself, by id (see
    /// `CodegenEnv::np_names`).
    pub fn np_names(&self) -> HashMap<u32, String> {
        let py = self.py;
        let Some(np) = loaded_module(py, "numpy") else {
            return HashMap::new();
        };
        self.pyfuncs
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let f = f.bind(py);
                let name: String = f.getattr("__name__").ok()?.extract().ok()?;
                np.getattr(name.as_str()).ok()?.is(f).then_some((i as u32, name))
            })
            .collect()
    }

    /// An empty environment for compiling a function of `env`.
    pub fn new(py: Python<'py>, env: Arc<PyEnv>) -> Self {
        CompileEnv {
            py,
            env,
            guards: Vec::new(),
            arrays: HashMap::new(),
            exc_lazy_matches: HashMap::new(),
            keep: Vec::new(),
            strs: HashMap::new(),
            funcs: HashMap::new(),
            callees: HashMap::new(),
            member_callees: HashMap::new(),
            pyfuncs: Vec::new(),
            pyfunc_methods: HashMap::new(),
            pycalls: HashMap::new(),
            named: Default::default(),
            callee_specs: Vec::new(),
        }
    }

    /// One probe call with the given sample arguments.
    fn probe_once(
        &self,
        target: &ProbeTarget,
        samples: &[Bound<'py, PyAny>],
        kw: &[String],
    ) -> PyResult<(PyCallKind, Bound<'py, PyAny>)> {
        let py = self.py;
        let operator = py.import("operator")?;
        let key = |items: &[Bound<'py, PyAny>]| -> PyResult<Bound<'py, PyAny>> {
            Ok(if items.len() == 1 {
                items[0].clone()
            } else {
                pyo3::types::PyTuple::new(py, items)?.into_any()
            })
        };
        (|| -> PyResult<(PyCallKind, Bound<'py, PyAny>)> {
            let call = |f: &Bound<'py, PyAny>, xs: &[Bound<'py, PyAny>]| -> PyResult<Bound<'py, PyAny>> {
                let npos = xs.len() - kw.len();
                let kwargs = PyDict::new(py);
                for (k, v) in kw.iter().zip(&xs[npos..]) {
                    kwargs.set_item(k, v)?;
                }
                f.call(pyo3::types::PyTuple::new(py, &xs[..npos])?, Some(&kwargs))
            };
            Ok(match target {
                ProbeTarget::Func(i) => {
                    let f = self.pyfuncs[*i as usize].bind(py).clone();
                    let r = call(&f, samples)?;
                    (PyCallKind::Call(f.unbind()), r)
                }
                ProbeTarget::Index(i) => {
                    let f = grid_indexer(py, self.pyfuncs[*i as usize].bind(py))?;
                    let r = call(&f, samples)?;
                    (PyCallKind::Call(f.unbind()), r)
                }
                ProbeTarget::Builtin(b) => {
                    let f = py.import("builtins")?.getattr(*b)?;
                    let r = call(&f, samples)?;
                    (PyCallKind::Call(f.unbind()), r)
                }
                ProbeTarget::Method(m) => {
                    let f = samples[0].getattr(m.as_str())?;
                    (PyCallKind::Method(m.clone()), call(&f, &samples[1..])?)
                }
                ProbeTarget::Operator(o) => {
                    let f = operator.getattr(*o)?;
                    let r = call(&f, samples)?;
                    (PyCallKind::Call(f.unbind()), r)
                }
                ProbeTarget::Attr(a) => (PyCallKind::Attr(a.clone()), samples[0].getattr(a.as_str())?),
                ProbeTarget::GetItem => {
                    let f = operator.getattr("getitem")?;
                    let r = f.call1((&samples[0], key(&samples[1..])?))?;
                    (PyCallKind::GetItem(f.unbind()), r)
                }
                ProbeTarget::SetItem => {
                    let f = operator.getattr("setitem")?;
                    let n = samples.len();
                    let r = f.call1((&samples[0], key(&samples[1..n - 1])?, &samples[n - 1]))?;
                    (PyCallKind::SetItem(f.unbind()), r)
                }
                ProbeTarget::Lambda { .. } => {
                    return Err(pyo3::exceptions::PyTypeError::new_err("a lambda is not probed"))
                }
            })
        })()
    }
}

impl CompileEnv<'_> {
    /// The descriptor of a call into Python at a compiled call site: through
    /// the frame at the call's line, nothing in place, no native draw.
    fn call_desc(&self, kind: PyCallKind, args: &[Ty], kw: &[String], ret: &Ty, line: u32) -> PyCallDesc {
        PyCallDesc {
            kind,
            arg_tys: args.to_vec(),
            nslots: args.iter().map(pyston_compiler::abi::slot_count).sum(),
            nout: pyston_compiler::abi::slot_count(ret),
            kw: kw.to_vec(),
            ret: ret.clone(),
            env: self.env.clone(),
            line,
            located: Default::default(),
            method_name: Default::default(),
            tuples: crate::runtime::TupleCache::for_args(args),
            inplace: None,
            native: None,
            mt: None,
            pure: None,
            direct: false,
        }
    }
}

impl<'py> Env for CompileEnv<'py> {
    fn probe(
        &mut self,
        target: &ProbeTarget,
        args: &[Ty],
        consts: &[Option<ir::Const>],
        kw: &[String],
        at: (ir::Block, usize),
        span: Span,
    ) -> CResult<Ty> {
        let py = self.py;
        let what = match target {
            ProbeTarget::Func(_) => "this call".to_string(),
            ProbeTarget::Method(m) => match args.first() {
                Some(Ty::Array(_)) => format!("the array method '{m}'"),
                Some(t) => format!("the method '{m}' of '{}'", pyston_compiler::types::py_name(t)),
                None => format!("the method '{m}'"),
            },
            ProbeTarget::Builtin(b) => format!("{b}() on an array"),
            ProbeTarget::Operator(o) => format!("the array operation '{}'", o.trim_end_matches('_')),
            ProbeTarget::Attr(a) => format!("the array attribute '{a}'"),
            ProbeTarget::GetItem | ProbeTarget::Index(_) => "this indexing".to_string(),
            ProbeTarget::SetItem => "this assignment".to_string(),
            ProbeTarget::Lambda { .. } => "this lambda".to_string(),
        };
        let fail = |e: String| CompileError::typing(span, format!("compiled code cannot use {what}: {e}"));
        // numpy.random: typed by rule, never called at compile time (a draw would
        // advance NumPy's generator); compiled code calls NumPy itself.
        if let ProbeTarget::Func(i) = target {
            let f = self.pyfuncs[*i as usize].bind(py).clone();
            // The standard library's `random`: typed by name, drawn natively where simple.
            if let Some(name) = stdlib_random(py, &f) {
                let what = format!("random.{name}()");
                let (ret, mt) = stdlib_random_call(py, Some(&f), name, args, kw)
                    .map_err(|e| CompileError::typing(span, format!("compiled code cannot use {what}: {e}")))?;
                self.pycalls.insert(
                    at,
                    Box::new(PyCallDesc {
                        mt,
                        direct: true,
                        ..self.call_desc(PyCallKind::Call(f.unbind()), args, kw, &ret, span.line)
                    }),
                );
                return Ok(ret);
            }
            // `random.Random(seed)`: CPython's constructor (and seeding), held as the object.
            if crate::helpers::pyrandom::is_random_class(py, &f) {
                let seed_ok = |t: &Ty| {
                    matches!(
                        t,
                        Ty::Int | Ty::PyInt | Ty::Float | Ty::Bool | Ty::NoneT | Ty::PyStr | Ty::Str(_)
                    )
                };
                if !kw.is_empty() || args.len() > 1 || !args.iter().all(seed_ok) {
                    return Err(fail(
                        "random.Random takes one int, float, str or None seed in compiled code".into(),
                    ));
                }
                let ret = Ty::Obj(pyston_compiler::types::ObjClass::PyRandom);
                self.pycalls.insert(
                    at,
                    Box::new(PyCallDesc {
                        direct: true,
                        ..self.call_desc(PyCallKind::Call(f.unbind()), args, kw, &ret, span.line)
                    }),
                );
                return Ok(ret);
            }
            if let Some((rule, name)) = random_rule_of(py, &f) {
                let ret = random_result(rule, args, kw).map_err(fail)?;
                // A draw compiled code makes itself from the global RandomState's bit generator.
                let native = native_rng(name, false, args, kw).and_then(|(op, [lo, hi, third], size)| {
                    if !crate::helpers::random::op_verified(py, op) {
                        return None;
                    }
                    // (`sample` and `ranf` are module functions calling the global RandomState's `random_sample`)
                    let state = match name {
                        "sample" | "ranf" => py.import("numpy.random.mtrand").ok()?.getattr("_rand").ok()?,
                        _ => f.getattr("__self__").ok()?,
                    };
                    let bg = state.getattr("_bit_generator").ok()?;
                    let (bitgen, lock) = crate::helpers::random::bitgen_of(py, &bg).ok()?;
                    // The legacy gaussians keep a value in the RandomState: native
                    // only where that field is found and checked.
                    let aug = if op.needs_gauss_cache() {
                        crate::helpers::random::aug_state_of(&state, &bg, bitgen)?
                    } else {
                        std::ptr::null_mut()
                    };
                    // SAFETY: `bitgen` points into the live bit generator `bg`.
                    let kind = crate::helpers::bitgen::kind_of(py, unsafe { &*bitgen });
                    Some(crate::helpers::random::NativeRng {
                        op,
                        lo,
                        hi,
                        third,
                        size,
                        source: crate::helpers::random::RngSource::Fixed {
                            state: state.unbind(),
                            owner: bg.unbind(),
                            bitgen,
                            lock,
                            aug,
                            kind,
                        },
                    })
                });
                self.pycalls.insert(
                    at,
                    Box::new(PyCallDesc {
                        native,
                        direct: true,
                        ..self.call_desc(PyCallKind::Call(f.unbind()), args, kw, &ret, span.line)
                    }),
                );
                return Ok(ret);
            }
        }
        // A method of a random.Random: typed as the module's function of that
        // name, drawn natively from the instance's own state where that is.
        if let Some(Ty::Obj(pyston_compiler::types::ObjClass::PyRandom)) = args.first() {
            let ProbeTarget::Method(m) = target else {
                return Err(fail(
                    "a random.Random is only used through its methods in compiled code".into(),
                ));
            };
            if !RANDOM_NAMES.contains(&m.as_str()) {
                return Err(fail(format!(
                    "the random.Random method '{m}' is not supported in compiled code yet"
                )));
            }
            let (ret, mt) = stdlib_random_call(py, None, m, &args[1..], kw).map_err(|e| {
                CompileError::typing(span, format!("compiled code cannot use random.Random.{m}(): {e}"))
            })?;
            self.pycalls.insert(
                at,
                Box::new(PyCallDesc {
                    mt,
                    direct: true,
                    ..self.call_desc(PyCallKind::Method(m.clone()), args, kw, &ret, span.line)
                }),
            );
            return Ok(ret);
        }
        // A method of a numpy.random.Generator: typed by rule too.
        if let (ProbeTarget::Method(m), Some(Ty::Obj(pyston_compiler::types::ObjClass::Generator))) =
            (target, args.first())
        {
            let rule = numpy_lib::generator_rule(m)
                .ok_or_else(|| fail("this Generator method is not supported in compiled code yet".into()))?;
            let ret = random_result(rule, &args[1..], kw).map_err(fail)?;
            let native = native_rng(m, true, &args[1..], kw)
                .filter(|(op, _, _)| crate::helpers::random::op_verified(py, *op))
                .map(|(op, [lo, hi, third], size)| crate::helpers::random::NativeRng {
                    op,
                    lo,
                    hi,
                    third,
                    size,
                    source: crate::helpers::random::RngSource::Arg0(Default::default()),
                });
            self.pycalls.insert(
                at,
                Box::new(PyCallDesc {
                    native,
                    direct: true,
                    ..self.call_desc(PyCallKind::Method(m.clone()), args, kw, &ret, span.line)
                }),
            );
            return Ok(ret);
        }
        // Sample sets to try: functions whose validity depends on values
        // (`reshape(n, m)`) usually accept one of them.
        let mut last_err = String::new();
        let mut found = None;
        // Probing must not warn: the sample values are ours, not the user's.
        let quiet = py
            .import("pyston._errors")
            .and_then(|m| m.getattr("Quiet")?.call0())
            .and_then(|q| q.call_method0("__enter__").map(|_| q))
            .ok();
        // Constant indexes (`A[1:, 2]`, `x[-3]`) need arrays that long.
        let big = consts
            .iter()
            .filter_map(|c| match c {
                Some(ir::Const::Int(v)) => Some(v.unsigned_abs().saturating_add(1).min(33) as usize),
                _ => None,
            })
            .max()
            .filter(|n| *n > 2);
        let extents = [(2usize, 1i64), (2, 0), (1, 1), (2, -1), (0, 0), (2, 2)];
        for (extent, int) in big.map(|n| (n, 1)).into_iter().chain(extents) {
            // Constant arguments are probed with their values (`transpose(1, 0, 2)`).
            let one = |(t, c): (&Ty, &Option<ir::Const>)| -> PyResult<Bound<'py, PyAny>> {
                match c.as_ref().and_then(|c| const_object(py, c)) {
                    Some(o) => Ok(o),
                    None if matches!(target, ProbeTarget::Index(_)) => key_sample(py, t, extent, int),
                    None => sample(py, t, extent, int),
                }
            };
            let samples: Vec<Bound<'py, PyAny>> = match args.iter().zip(consts).map(one).collect::<PyResult<_>>() {
                Ok(s) => s,
                Err(e) => {
                    last_err = e.to_string();
                    continue;
                }
            };
            match self.probe_once(target, &samples, kw) {
                Ok(r) => {
                    found = Some(r);
                    break;
                }
                Err(e) => last_err = e.to_string(),
            }
        }
        if let Some(q) = quiet {
            let _ = q.call_method1("__exit__", (py.None(), py.None(), py.None()));
        }
        let (kind, result) = found.ok_or_else(|| fail(last_err))?;
        // Binary operators get their in-place form, for temporaries dying at the call.
        let inplace = match target {
            ProbeTarget::Operator(o) if args.len() == 2 && kw.is_empty() => {
                let (name, commutative) = match *o {
                    "add" => ("iadd", true),
                    "mul" => ("imul", true),
                    "and_" => ("iand", true),
                    "or_" => ("ior", true),
                    "xor" => ("ixor", true),
                    "sub" => ("isub", false),
                    "truediv" => ("itruediv", false),
                    "floordiv" => ("ifloordiv", false),
                    "mod" => ("imod", false),
                    "pow" => ("ipow", false),
                    "lshift" => ("ilshift", false),
                    "rshift" => ("irshift", false),
                    _ => ("", false),
                };
                match name {
                    "" => None,
                    n => py
                        .import("operator")
                        .and_then(|m| m.getattr(n))
                        .ok()
                        .map(|f| (f.unbind(), commutative, n == "ipow")),
                }
            }
            _ => None,
        };
        if result.cast::<pyo3::types::PyTuple>().is_ok() && result.cast_exact::<pyo3::types::PyTuple>().is_err() {
            self.named.insert(at);
        }
        let ret = result_type(py, &result).ok_or_else(|| {
            fail(format!(
                "its result (a '{}') has no compiled representation",
                result.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        // The standard library's pure functions do not warn: no frame at the
        // call's line; some are computed natively for int/float arguments.
        let stdlib = match target {
            ProbeTarget::Func(i) => stdlib_name(py, self.pyfuncs[*i as usize].bind(py)),
            _ => None,
        };
        let pure = stdlib.filter(|_| kw.is_empty()).and_then(|(module, name)| {
            let kinds: Option<String> = args
                .iter()
                .map(|t| match t {
                    Ty::Int => Some('i'),
                    Ty::Float => Some('f'),
                    _ => None,
                })
                .collect();
            crate::helpers::pure::Pure::of(module, name, &kinds?)
        });
        let callee = match target {
            ProbeTarget::Func(i) => Some(self.pyfuncs[*i as usize].bind(py).clone()),
            _ => None,
        };
        // (an operator function on arrays runs NumPy's ufunc, which may warn: it gets the frame)
        let on_arrays = args.iter().any(|t| matches!(t, Ty::Array(_)));
        let quiet = (stdlib.is_some() && !on_arrays) || never_warns(py, target, args, callee.as_ref());
        self.pycalls.insert(
            at,
            Box::new(PyCallDesc {
                inplace,
                pure,
                direct: quiet,
                ..self.call_desc(kind, args, kw, &ret, span.line)
            }),
        );
        Ok(ret)
    }

    fn global(&mut self, name: &str) -> GlobalKind {
        let py = self.py;
        match crate::interp::lookup_global(py, &self.env, name) {
            Ok(obj) => {
                if !self.guards.iter().any(|g| g.name == name) {
                    self.guards.push(Guard::new(py, &self.env, name, &obj));
                }
                self.classify(&obj)
            }
            Err(_) => {
                // `@njit("i8(i8)") def fib(n): ... fib(n - 1)` compiles when the
                // decorator runs, before `fib` is bound: a module-level function's
                // own name stands for its dispatcher, guarded to be that global.
                if let Some(d) = self.own_dispatcher(name) {
                    if !self.guards.iter().any(|g| g.name == name) {
                        // (an inner function's name is a closure cell, empty until bound)
                        let g = if self.env.cells.contains_key(name) {
                            Guard::new(py, &self.env, name, d.bind(py).as_any())
                        } else {
                            Guard::global(py, &self.env, name, d.bind(py).as_any())
                        };
                        self.guards.push(g);
                    }
                    return self.classify(d.bind(py).as_any());
                }
                GlobalKind::Other("undefined name".into())
            }
        }
    }

    fn import(&mut self, name: &str) -> GlobalKind {
        let py = self.py;
        // Only a module imported already: compiling does not import (the first
        // call of a function that imports one runs as Python and imports it).
        // SAFETY: the interpreter's module dict, a borrowed reference kept alive
        // by the interpreter; the GIL is held.
        let modules = unsafe { Bound::from_borrowed_ptr(py, pyo3::ffi::PyImport_GetModuleDict()) };
        let Ok(modules) = modules.cast_into::<PyDict>() else {
            return GlobalKind::Other("no sys.modules".into());
        };
        let builtins = self.env.builtins.bind(py).clone();
        let (Ok(Some(m)), Ok(Some(import))) = (modules.get_item(name), builtins.get_item("__import__")) else {
            return GlobalKind::Other("not imported yet (the first call runs as Python and imports it)".into());
        };
        // An import hook (a replaced `builtins.__import__`) runs at each import: not compiled.
        let is_builtin = import.is_instance_of::<pyo3::types::PyCFunction>()
            && import
                .getattr("__self__")
                .is_ok_and(|m| m.getattr("__name__").is_ok_and(|n| n.to_string() == "builtins"));
        if !is_builtin {
            return GlobalKind::Other("`builtins.__import__` is replaced (the hook runs at each import)".into());
        }
        // the innermost module is an attribute of its parent, as `import a.b as c` finds it
        let mut found = modules.get_item(name.split('.').next().unwrap_or(name)).ok().flatten();
        for part in name.split('.').skip(1) {
            found = found.and_then(|p| p.getattr(part).ok());
        }
        if !found.is_some_and(|f| f.is(&m)) {
            return GlobalKind::Other("the module is not its parent package's attribute".into());
        }
        for (label, dict, key, obj) in [
            (format!("import {name}"), &modules, name, &m),
            ("import: __import__".to_string(), &builtins, "__import__", &import),
        ] {
            if !self.guards.iter().any(|g| g.name == label) {
                self.guards.push(Guard::entry(py, &label, dict, key, obj));
            }
        }
        match self.classify(&m) {
            GlobalKind::Other(_) => GlobalKind::Other("not a module compiled code can use".into()),
            g => g,
        }
    }

    fn module_attr(&mut self, m: Module, name: &str) -> GlobalKind {
        let py = self.py;
        let module = match m {
            Module::Math => py.import("math"),
            Module::Numpy => py.import("numpy"),
            Module::NumpyRandom => py.import("numpy.random"),
            Module::NumpyLinalg => py.import("numpy.linalg"),
            Module::Operator => py.import("operator"),
            Module::Cmath => py.import("cmath"),
            Module::Random => py.import("random"),
            Module::Typed => py.import("pyston._typed"),
        };
        match module.and_then(|md| md.getattr(name)) {
            Ok(obj) => self.classify(&obj),
            Err(_) => GlobalKind::Other("missing module attribute".into()),
        }
    }

    fn pyfunc_method(&mut self, f: u32, name: &str) -> GlobalKind {
        let py = self.py;
        if !matches!(name, "reduce" | "accumulate" | "reduceat" | "outer" | "at") {
            return GlobalKind::Other("method of a NumPy function".into());
        }
        let Some(obj) = self.pyfuncs.get(f as usize).map(|o| o.bind(py).clone()) else {
            return GlobalKind::Other("method of a NumPy function".into());
        };
        let is_ufunc = py
            .import("numpy")
            .and_then(|np| np.getattr("ufunc"))
            .is_ok_and(|u| obj.is_instance(&u).unwrap_or(false));
        let Some(m) = is_ufunc.then(|| obj.getattr(name).ok()).flatten() else {
            return GlobalKind::Other("method of a NumPy function".into());
        };
        // (a bound method is a new object per attribute read: one per ufunc
        // and name, kept with the function's other NumPy callables)
        let key = format!("{f}.{name}");
        let id = match self.pyfunc_methods.get(&key) {
            Some(&i) => i,
            None => {
                self.pyfuncs.push(m.unbind());
                let i = (self.pyfuncs.len() - 1) as u32;
                self.pyfunc_methods.insert(key, i);
                i
            }
        };
        GlobalKind::PyFunc(id)
    }

    fn array_method(&self, name: &str) -> bool {
        numpy_lib::is_array_method(name)
    }

    fn named_tuple_result(&self, at: (ir::Block, usize)) -> bool {
        self.named.contains(&at)
    }

    fn array_attribute(&self, name: &str) -> bool {
        numpy_lib::is_array_attribute(name)
    }

    fn has_attribute(&mut self, t: &Ty, name: &str) -> Option<bool> {
        // Values of these types are exactly their class (no instance dict, no
        // `__getattr__`): an attribute is one of the class's MRO, as CPython's
        // lookup finds it. (Record dtypes: fields read as attributes.)
        let known = match t {
            Ty::Int | Ty::PyInt | Ty::Float | Ty::Bool | Ty::Complex | Ty::NoneT | Ty::Str(_) | Ty::PyStr => true,
            Ty::Np(d) => !matches!(d, Dtype::Record(_)),
            Ty::Array(a) => !matches!(a.dtype, Dtype::Record(_)),
            _ => false,
        };
        if !known {
            return None;
        }
        let py = self.py;
        let v = sample(py, t, 1, 1).ok()?;
        let mro = v.get_type().getattr("__mro__").ok()?;
        for k in mro.try_iter().ok()? {
            let d = k.ok()?.getattr("__dict__").ok()?;
            if d.contains(name).ok()? {
                return Some(true);
            }
        }
        Some(false)
    }

    fn py_op(
        &mut self,
        target: &ProbeTarget,
        args: &[Ty],
        kw: &[String],
        ret: &Ty,
        at: (ir::Block, usize),
        span: Span,
    ) -> CResult<()> {
        let py = self.py;
        let kind = (|| -> PyResult<PyCallKind> {
            let operator = py.import("operator")?;
            Ok(match target {
                ProbeTarget::Builtin("@list") => {
                    // A list of the arguments (a list display of non-native elements).
                    static MAKE: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
                    let f = MAKE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
                        Ok(py.eval(c"lambda *items: list(items)", None, None)?.unbind())
                    })?;
                    PyCallKind::Call(f.clone_ref(py))
                }
                ProbeTarget::Builtin(t @ ("@typed_list" | "@typed_dict")) => {
                    // The class called with the final item types (`pyston._typed._new`).
                    let names = crate::boxing::typed_names(ret)
                        .ok_or_else(|| pyo3::exceptions::PyTypeError::new_err(format!("typed container of {ret}")))?;
                    let f = py.import("pyston._typed")?.getattr(if *t == "@typed_list" {
                        "_new_list"
                    } else {
                        "_new_dict"
                    })?;
                    let partial = py.import("functools")?.getattr("partial")?;
                    let mut pargs = vec![f];
                    for n in names {
                        pargs.push(match n {
                            Some(n) => pyo3::types::PyString::new(py, n).into_any(),
                            None => py.None().into_bound(py),
                        });
                    }
                    PyCallKind::Call(partial.call1(pyo3::types::PyTuple::new(py, pargs)?)?.unbind())
                }
                // `x.shape = s`: NumPy's setter run from the frame at the assignment's
                // line (`pyston._errors.located`'s "shape=", which returns `x`), so its
                // warnings and errors carry that line.
                ProbeTarget::Builtin("@set_shape") => PyCallKind::Method("shape=".into()),
                // A variable's cell (`Op::Cell`): `types.CellType()` / `types.CellType(v)`,
                // and `_cell_set(cell, v)` / `_cell_set(cell)` setting or emptying it.
                ProbeTarget::Builtin("@cell") => PyCallKind::Call(py.import("types")?.getattr("CellType")?.unbind()),
                ProbeTarget::Builtin("@cell_set" | "@cell_clear") => {
                    PyCallKind::Call(py.import("pyston._pyston")?.getattr("_cell_set")?.unbind())
                }
                ProbeTarget::Builtin(b) => PyCallKind::Call(py.import("builtins")?.getattr(*b)?.unbind()),
                ProbeTarget::Operator(o) => PyCallKind::Call(operator.getattr(*o)?.unbind()),
                // A method of a str: `str.m` called with the string first (the receiver
                // is exactly a str), without making a bound method per call.
                ProbeTarget::Method(m) if matches!(args.first(), Some(Ty::PyStr | Ty::Str(_))) => {
                    PyCallKind::Call(py.get_type::<pyo3::types::PyString>().getattr(m.as_str())?.unbind())
                }
                ProbeTarget::Method(m) => PyCallKind::Method(m.clone()),
                ProbeTarget::GetItem => PyCallKind::GetItem(operator.getattr("getitem")?.unbind()),
                ProbeTarget::SetItem => PyCallKind::SetItem(operator.getattr("setitem")?.unbind()),
                ProbeTarget::Func(i) => PyCallKind::Call(self.pyfuncs[*i as usize].clone_ref(py)),
                ProbeTarget::Index(i) => {
                    PyCallKind::Call(grid_indexer(py, self.pyfuncs[*i as usize].bind(py))?.unbind())
                }
                ProbeTarget::Attr(a) => PyCallKind::Attr(a.clone()),
                ProbeTarget::Lambda {
                    name,
                    line,
                    index,
                    names,
                } => match lambda_maker(py, &self.env, name, *line, *index, names)? {
                    Some(make) => PyCallKind::Call(make.unbind()),
                    None => return Ok(PyCallKind::Attr(String::new())),
                },
            })
        })()
        .map_err(|e| CompileError::internal(format!("list operation: {e}")))?;
        if matches!((target, &kind), (ProbeTarget::Lambda { .. }, PyCallKind::Attr(_))) {
            return Err(CompileError::unsupported(
                span,
                "this lambda's or nested function's code object, or one of its free variables, was not found \
                 (not supported yet)",
            ));
        }
        self.pycalls.insert(
            at,
            Box::new(PyCallDesc {
                direct: !matches!(target, ProbeTarget::Builtin("@set_shape")),
                ..self.call_desc(kind, args, kw, ret, span.line)
            }),
        );
        Ok(())
    }

    fn func_param_names(&mut self, fid: u32) -> Option<Vec<String>> {
        let py = self.py;
        let disp = COMPILING
            .with(|c| c.borrow().iter().find(|d| d.get().id == fid).map(|d| d.clone_ref(py)))
            .or_else(|| self.callee(fid))?;
        let code = disp.get().py_func.bind(py).getattr("__code__").ok()?;
        let argc: usize = code.getattr("co_argcount").ok()?.extract().ok()?;
        let kwonly: usize = code.getattr("co_kwonlyargcount").ok()?.extract().ok()?;
        let posonly: usize = code.getattr("co_posonlyargcount").ok()?.extract().ok()?;
        // CO_VARARGS 0x04, CO_VARKEYWORDS 0x08
        let flags: u32 = code.getattr("co_flags").ok()?.extract().ok()?;
        if kwonly != 0 || posonly != 0 || flags & 0x0c != 0 {
            return None;
        }
        let names: Vec<String> = code.getattr("co_varnames").ok()?.extract().ok()?;
        Some(names.into_iter().take(argc).collect())
    }

    fn func_defaults(&mut self, fid: u32) -> Option<Vec<Option<pyston_compiler::ir::Const>>> {
        use pyston_compiler::ir::Const;
        let py = self.py;
        let n = self.func_param_names(fid)?.len();
        let disp = COMPILING
            .with(|c| c.borrow().iter().find(|d| d.get().id == fid).map(|d| d.clone_ref(py)))
            .or_else(|| self.callee(fid))?;
        let defaults = disp.get().py_func.bind(py).getattr("__defaults__").ok()?;
        let defaults = defaults.cast_into::<pyo3::types::PyTuple>().ok()?;
        if defaults.len() > n {
            return None;
        }
        let mut out = vec![None; n - defaults.len()];
        for d in defaults.iter() {
            // Exactly these types (a subclass's value could differ in behaviour).
            let c = if d.is_none() {
                Some(Const::None)
            } else if d.is_exact_instance_of::<pyo3::types::PyBool>() {
                Some(Const::Bool(d.is_truthy().ok()?))
            } else if d.is_exact_instance_of::<pyo3::types::PyFloat>() {
                Some(Const::Float(d.extract().ok()?))
            } else if d.is_exact_instance_of::<pyo3::types::PyInt>() {
                d.extract::<i64>().ok().map(Const::Int)
            } else {
                None
            };
            out.push(c);
        }
        Some(out)
    }

    fn guard_defaults(&mut self, fid: u32) {
        let py = self.py;
        let Some(disp) = COMPILING
            .with(|c| c.borrow().iter().find(|d| d.get().id == fid).map(|d| d.clone_ref(py)))
            .or_else(|| self.callee(fid))
        else {
            return;
        };
        let func = disp.get().py_func.bind(py).clone();
        let name = format!("<defaults of function #{fid}>");
        if self.guards.iter().any(|g| g.name == name) {
            return;
        }
        let Ok(defaults) = func.getattr("__defaults__") else {
            return;
        };
        let mut g = Guard::with_kind(py, &name, GuardKind::Defaults(func.unbind()), &defaults);
        g.key = pyo3::types::PyString::intern(py, "__defaults__").unbind();
        self.guards.push(g);
    }

    fn member_callee(&mut self, at: Value, fid: u32) {
        if let Some(info) = self.callees.remove(&at) {
            self.member_callees.insert((at, fid), info);
        }
    }

    fn call_func(&mut self, fid: u32, args: &[Ty], at: Option<Value>, span: Span) -> CResult<Ty> {
        // A call to a function being compiled right now (recursion).
        let hit = IN_PROGRESS.with(|s| {
            s.borrow()
                .iter()
                .find(|p| p.disp == fid && p.params == args)
                .map(|p| (p.func_id, p.meta_slot, p.assumed_ret.clone()))
        });
        if let Some((func_id, meta_slot, ret)) = hit {
            if let Some(v) = at {
                self.callees.insert(
                    v,
                    CalleeInfo {
                        func_id,
                        meta_slot: meta_slot as u64,
                        params: args.to_vec(),
                        ret: ret.clone(),
                    },
                );
            }
            return Ok(ret);
        }
        let disp = self
            .callee(fid)
            .ok_or_else(|| CompileError::internal("unknown callee"))?;
        // A call with the wrong number of arguments raises TypeError: compiled
        // code leaves to the interpreter tier at that call (no result type).
        if disp.get().arity(self.py) != Some(args.len()) {
            return Ok(Ty::Bottom);
        }
        let spec = crate::dispatch::spec_for(self.py, disp.bind(self.py), args)
            .map_err(|e| CompileError::typing(span, format!("compiling the called function failed: {e}")))?;
        let (Some(func_id), Some(meta)) = (spec.func_id, spec.meta.as_ref()) else {
            let why = spec.fallback.as_ref().map(|e| e.message.clone()).unwrap_or_default();
            return Err(CompileError::typing(
                span,
                format!(
                    "the called function '{}' runs on the interpreter tier ({why})",
                    disp.get().name
                ),
            ));
        };
        self.keep.push(disp.clone_ref(self.py).into_any());
        let ret = meta.typed.ret.clone();
        if let Some(v) = at {
            self.callees.insert(
                v,
                CalleeInfo {
                    func_id,
                    meta_slot: spec.meta_slot_ptr() as u64,
                    params: args.to_vec(),
                    ret: ret.clone(),
                },
            );
        }
        self.keep_spec(spec);
        Ok(ret)
    }
}

impl CompileEnv<'_> {
    /// Compiled code calling `spec` refers to its code and metadata: keep the
    /// spec alive as long as the caller's (the callee may be recompiled and
    /// dropped from its own cache).
    fn keep_spec(&mut self, spec: Arc<Spec>) {
        if !self.callee_specs.iter().any(|s| Arc::ptr_eq(s, &spec)) {
            self.callee_specs.push(spec);
        }
    }
}

/// The codegen view of the call descriptors: their addresses (stable: boxed,
/// then owned by the function's metadata) and slot types.
pub fn call_sites(pycalls: &HashMap<(ir::Block, usize), Box<PyCallDesc>>) -> HashMap<(ir::Block, usize), PyCallSite> {
    pycalls
        .iter()
        .map(|(k, d)| {
            let site = PyCallSite {
                desc: &**d as *const PyCallDesc as u64,
                arg_tys: d.arg_tys.clone(),
                ret: d.ret.clone(),
                inline_rng: d.native.as_ref().and_then(crate::helpers::random::inline_plan),
                rng_size_slot: d.native.as_ref().and_then(crate::helpers::random::size_slot),
            };
            (*k, site)
        })
        .collect()
}

/// `pyston._lambdas.maker(func, line, index, names, name)`: the function
/// making the `index`-th lambda (or nested function `name`) on `line` of the
/// compiled function from the values of `names` (`Op::Lambda`); `None` when
/// it cannot be found.
pub(crate) fn lambda_maker<'py>(
    py: Python<'py>,
    env: &crate::runtime::PyEnv,
    name: &str,
    line: u32,
    index: u32,
    names: &[String],
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(func) = &env.func else { return Ok(None) };
    let m =
        py.import("pyston._lambdas")?
            .getattr("maker")?
            .call1((func.bind(py), line, index, names.to_vec(), name))?;
    Ok((!m.is_none()).then_some(m))
}

/// `cell.cell_contents = value` (`Op::CellSet`: a binding written through
/// to its variable's cell), or `del cell.cell_contents` with no value (an
/// emptied cell stays empty). A fastcall function: called from compiled
/// code without the argument tuple the descriptor's `__set__` wrapper makes.
#[pyfunction]
#[pyo3(signature = (cell, value=None))]
pub fn _cell_set(cell: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let py = cell.py();
    let name = pyo3::intern!(py, "cell_contents");
    match value {
        Some(v) => cell.setattr(name, v),
        None if cell.hasattr(name)? => cell.delattr(name),
        None => Ok(()),
    }
}

/// One slot of a made function's closure ([`FunctionMaker`]).
enum ClosureSlot {
    /// A new cell holding the maker's `i`-th argument (empty for `UNBOUND`).
    Arg(usize),
    /// The maker's `i`-th argument, a variable's cell (`Op::Cell`), shared.
    ArgCell(usize),
    /// A new cell holding the function itself (its recursive calls read it).
    Own,
    /// A cell of the compiled function's own closure, shared.
    Cell(Py<PyAny>),
}

/// CPython's functions for cells and functions (`PyCell_New`, `PyCell_Set`,
/// `PyFunction_NewWithQualName`, `PyFunction_SetClosure`): exported by every
/// CPython this module supports, but outside the stable ABI it is built for,
/// so looked up at run time (as `runtime::vectorcall_fn` is); `None` where
/// one is missing (the maker then calls `types.CellType`/`FunctionType`).
#[derive(Clone, Copy)]
struct FunctionApi {
    cell_new: CellNewFn,
    cell_set: ObjObjIntFn,
    fn_new: FunctionNewFn,
    set_closure: ObjObjIntFn,
}

type Obj = *mut pyo3::ffi::PyObject;
/// `PyCell_New(value)`.
type CellNewFn = unsafe extern "C" fn(Obj) -> Obj;
/// `PyCell_Set(cell, value)`, `PyFunction_SetClosure(function, closure)`.
pub(crate) type ObjObjIntFn = unsafe extern "C" fn(Obj, Obj) -> std::os::raw::c_int;
/// `PyFunction_NewWithQualName(code, globals, qualname)`.
type FunctionNewFn = unsafe extern "C" fn(Obj, Obj, Obj) -> Obj;

/// CPython's `PyCell_Set`, where exported (see `FunctionApi`).
pub(crate) fn cell_set_fn() -> Option<ObjObjIntFn> {
    FunctionApi::get().map(|a| a.cell_set)
}

impl FunctionApi {
    fn get() -> Option<FunctionApi> {
        static API: std::sync::OnceLock<Option<FunctionApi>> = std::sync::OnceLock::new();
        *API.get_or_init(|| {
            let sym = |name: &std::ffi::CStr| {
                // SAFETY: dlsym with a NUL-terminated name.
                let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
                (!p.is_null()).then_some(p)
            };
            let (a, b, c, d) = (
                sym(c"PyCell_New")?,
                sym(c"PyCell_Set")?,
                sym(c"PyFunction_NewWithQualName")?,
                sym(c"PyFunction_SetClosure")?,
            );
            // SAFETY: each symbol is CPython's function of that name, whose C
            // signature is the field's (cellobject.h, funcobject.h, 3.9-3.13).
            unsafe {
                Some(FunctionApi {
                    cell_new: std::mem::transmute::<*mut libc::c_void, CellNewFn>(a),
                    cell_set: std::mem::transmute::<*mut libc::c_void, ObjObjIntFn>(b),
                    fn_new: std::mem::transmute::<*mut libc::c_void, FunctionNewFn>(c),
                    set_closure: std::mem::transmute::<*mut libc::c_void, ObjObjIntFn>(d),
                })
            }
        })
    }
}

impl FunctionMaker {
    /// The function made from `values` (compiled code's call, its arguments
    /// boxed: no tuple of them and no argument parsing, as `__call__` has).
    pub(crate) fn make(&self, py: Python<'_>, values: &[Py<PyAny>]) -> PyResult<Py<PyAny>> {
        let get = |i: usize| {
            values
                .get(i)
                .map(|v| v.bind(py).clone())
                .ok_or_else(|| crate::internal_error("a function maker's argument"))
        };
        match FunctionApi::get() {
            // SAFETY: the GIL is held (`py`); `api` is CPython's own.
            Some(api) => unsafe { self.make_native(py, get, api) },
            None => self.__call__(&PyTuple::new(py, values)?),
        }
    }

    /// `make` from borrowed pointers to the values (compiled code's call,
    /// `helpers::calls::simple_call`): no tuple of arguments.
    pub(crate) fn make_from_ptrs(&self, py: Python<'_>, ptrs: &[*mut pyo3::ffi::PyObject]) -> PyResult<Py<PyAny>> {
        let get = |i: usize| {
            ptrs.get(i)
                .filter(|p| !p.is_null())
                // SAFETY: the caller's pointers are live objects it holds for the call.
                .map(|p| unsafe { Bound::from_borrowed_ptr(py, *p) })
                .ok_or_else(|| crate::internal_error("a function maker's argument"))
        };
        match FunctionApi::get() {
            // SAFETY: the GIL is held (`py`); `api` is CPython's own.
            Some(api) => unsafe { self.make_native(py, get, api) },
            None => {
                let items = (0..ptrs.len()).map(get).collect::<PyResult<Vec<_>>>()?;
                self.__call__(&PyTuple::new(py, items)?)
            }
        }
    }

    /// `__call__` through CPython's C functions: what `MAKE_FUNCTION` does
    /// (about 0.15 us, against 0.6 us through `types.FunctionType`).
    ///
    /// # Safety
    /// The GIL is held; `api` holds CPython's functions.
    unsafe fn make_native<'py>(
        &self,
        py: Python<'py>,
        values: impl Fn(usize) -> PyResult<Bound<'py, PyAny>>,
        api: FunctionApi,
    ) -> PyResult<Py<PyAny>> {
        use pyo3::ffi;
        // Owned references, released on every exit (the tuple steals them).
        let mut cells: smallvec::SmallVec<[*mut ffi::PyObject; 4]> = smallvec::SmallVec::new();
        let fail = |cells: &[*mut ffi::PyObject]| {
            for c in cells {
                // SAFETY: each is an owned reference made here.
                unsafe { ffi::Py_DECREF(*c) };
            }
            PyErr::fetch(py)
        };
        for s in &self.slots {
            let c = match s {
                ClosureSlot::Arg(i) => {
                    let v = values(*i)?;
                    let v = if v.is(self.unbound.bind(py)) {
                        std::ptr::null_mut()
                    } else {
                        v.as_ptr()
                    };
                    // SAFETY: a new cell holding `v` (a borrowed live object, or none).
                    unsafe { (api.cell_new)(v) }
                }
                ClosureSlot::ArgCell(i) => values(*i)?.into_ptr(),
                // SAFETY: a new empty cell.
                ClosureSlot::Own => unsafe { (api.cell_new)(std::ptr::null_mut()) },
                ClosureSlot::Cell(c) => c.clone_ref(py).into_ptr(),
            };
            if c.is_null() {
                return Err(fail(&cells));
            }
            cells.push(c);
        }
        let q = self.qualname.as_ref().map_or(std::ptr::null_mut(), |q| q.as_ptr());
        // SAFETY: a code object and a globals dict (the maker's own), a str or NULL.
        let f = unsafe { (api.fn_new)(self.code.as_ptr(), self.globals.as_ptr(), q) };
        if f.is_null() {
            return Err(fail(&cells));
        }
        // SAFETY: `f` is the new function (owned): bound to be released on error.
        let f = unsafe { Bound::from_owned_ptr(py, f) };
        if !cells.is_empty() {
            // SAFETY: a tuple of `cells.len()` slots, each given one owned cell.
            let closure = unsafe { ffi::PyTuple_New(cells.len() as ffi::Py_ssize_t) };
            if closure.is_null() {
                return Err(fail(&cells));
            }
            for (k, c) in cells.iter().enumerate() {
                // SAFETY: `closure` is a new tuple; `PyTuple_SetItem` steals `c`.
                unsafe { ffi::PyTuple_SetItem(closure, k as ffi::Py_ssize_t, *c) };
            }
            // SAFETY: `closure` is owned here; `PyFunction_SetClosure` takes its own reference.
            let closure = unsafe { Bound::from_owned_ptr(py, closure) };
            // SAFETY: a function and a tuple of cells, as many as its code's free variables.
            if unsafe { (api.set_closure)(f.as_ptr(), closure.as_ptr()) } != 0 {
                return Err(PyErr::fetch(py));
            }
            for (s, k) in self.slots.iter().zip(0..) {
                if matches!(s, ClosureSlot::Own) {
                    // SAFETY: item `k` of `closure` is an empty cell made above.
                    let cell = unsafe { ffi::PyTuple_GetItem(closure.as_ptr(), k) };
                    // SAFETY: a cell and a live function (`PyCell_Set` takes its own reference).
                    if unsafe { (api.cell_set)(cell, f.as_ptr()) } != 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
            }
        }
        Ok(f.unbind())
    }
}

/// Makes a nested function's or lambda's Python function (`Op::Lambda`,
/// found by `pyston._lambdas.maker`) in one native call, as CPython's
/// `MAKE_FUNCTION` does: `types.FunctionType(code, globals, None, None,
/// closure)` with a closure of new cells holding the arguments. (A Python
/// maker cost four times CPython's whole factory call.)
#[pyclass(module = "pyston._pyston", name = "FunctionMaker", frozen)]
pub struct FunctionMaker {
    code: Py<PyAny>,
    globals: Py<PyAny>,
    /// Set where the code object has no `co_qualname` (before CPython 3.11).
    qualname: Option<Py<PyAny>>,
    slots: Vec<ClosureSlot>,
    unbound: Py<PyAny>,
    new_fn: Py<PyAny>,
    new_cell: Py<PyAny>,
}

#[pymethods]
impl FunctionMaker {
    /// `slots`: for each free variable of `code`, the index of the argument
    /// its cell holds, `(i,)` (the argument `i` is the cell), `own` (the
    /// function itself) or a cell to share.
    #[new]
    fn new(
        code: Py<PyAny>,
        globals: Py<PyAny>,
        qualname: Option<Py<PyAny>>,
        slots: Vec<Bound<'_, PyAny>>,
        unbound: Py<PyAny>,
        own: Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let py = own.py();
        let types = py.import("types")?;
        let slots = slots
            .into_iter()
            .map(|s| {
                Ok(if s.is(&own) {
                    ClosureSlot::Own
                } else if let Ok(i) = s.extract::<usize>() {
                    ClosureSlot::Arg(i)
                } else if let Ok((i,)) = s.extract::<(usize,)>() {
                    ClosureSlot::ArgCell(i)
                } else {
                    ClosureSlot::Cell(s.unbind())
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(FunctionMaker {
            code,
            globals,
            qualname,
            slots,
            unbound,
            new_fn: types.getattr("FunctionType")?.unbind(),
            new_cell: types.getattr("CellType")?.unbind(),
        })
    }

    #[pyo3(signature = (*values))]
    fn __call__(&self, values: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        if let Some(api) = FunctionApi::get() {
            // SAFETY: the GIL is held (`values` is bound); `api` is CPython's own.
            return unsafe { self.make_native(values.py(), |i| values.get_item(i), api) };
        }
        let py = values.py();
        let new_cell = self.new_cell.bind(py);
        let mut cells: smallvec::SmallVec<[Bound<'_, PyAny>; 4]> = smallvec::SmallVec::new();
        for s in &self.slots {
            cells.push(match s {
                ClosureSlot::Arg(i) => {
                    let v = values.get_item(*i)?;
                    if v.is(self.unbound.bind(py)) {
                        new_cell.call0()?
                    } else {
                        crate::runtime::vectorcall(py, new_cell, &[v.as_ptr()])?
                    }
                }
                ClosureSlot::ArgCell(i) => values.get_item(*i)?,
                ClosureSlot::Own => new_cell.call0()?,
                ClosureSlot::Cell(c) => c.bind(py).clone(),
            });
        }
        let (code, globals) = (self.code.bind(py), self.globals.bind(py));
        let f = if self.slots.is_empty() {
            crate::runtime::vectorcall(py, self.new_fn.bind(py), &[code.as_ptr(), globals.as_ptr()])?
        } else {
            let closure = PyTuple::new(py, &cells)?;
            let none = py.None().into_bound(py);
            crate::runtime::vectorcall(
                py,
                self.new_fn.bind(py),
                &[
                    code.as_ptr(),
                    globals.as_ptr(),
                    none.as_ptr(),
                    none.as_ptr(),
                    closure.as_ptr(),
                ],
            )?
        };
        if let Some(q) = &self.qualname {
            f.setattr("__qualname__", q.bind(py))?;
        }
        for (s, c) in self.slots.iter().zip(&cells) {
            if matches!(s, ClosureSlot::Own) {
                c.setattr("cell_contents", &f)?;
            }
        }
        Ok(f.unbind())
    }
}
