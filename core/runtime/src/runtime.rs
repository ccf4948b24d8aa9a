//! The per-call state shared by compiled code and the runtime ([`Ctx`]), and
//! what the runtime keeps about each compiled function ([`FuncMeta`],
//! [`PyEnv`], [`PyCallDesc`]). The ABI (statuses, slot layouts, context
//! offsets, the helper table) is defined in `pyston_compiler::abi` and
//! re-exported here.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyston_compiler::hir::Span;
use pyston_compiler::infer::Typed;
use pyston_compiler::ir;
use pyston_compiler::types::Ty;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use pyston_compiler::abi::*;

// The context's layout is part of the ABI: compiled code reads these fields at fixed offsets.
const _: () = {
    assert!(std::mem::offset_of!(Ctx, deopt_point) == CTX_DEOPT_POINT_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, depth) == CTX_DEPTH_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, depth_limit) == CTX_DEPTH_LIMIT_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, slots) == CTX_SLOTS_OFFSET as usize);
    assert!(std::mem::offset_of!(Ctx, rng_armed) == CTX_RNG_ARMED_OFFSET as usize);
};

/// Per-call state shared by compiled code and the runtime.
#[repr(C)]
pub struct Ctx {
    /// Set by compiled code before it returns [`DEOPT`].
    pub deopt_point: u32,
    /// Nesting depth of compiled frames (direct calls between compiled
    /// functions do not pass through CPython's recursion check). Compiled code
    /// passes depths in a register, not here: this holds the depth the call
    /// started from, or, just before compiled code calls `pyston_resume`, the
    /// caller's own depth.
    pub depth: u32,
    /// Deeper than this, compiled code deoptimizes and CPython's own
    /// recursion limit takes over (`RecursionError` instead of a crash).
    pub depth_limit: u32,
    pub _pad: u32,
    /// Live values at the deopt point, as slots.
    pub slots: [u64; DEOPT_SLOTS],
    /// The generator whose lock the call holds for its inline draws, read by
    /// compiled code (`abi::CTX_RNG_ARMED_OFFSET`: identity, state, `bitgen_t`,
    /// kind; zeros for none); set by `helpers::random`, cleared with the locks.
    pub rng_armed: [u64; 4],
    /// Objects created during the call, released when it ends.
    pub arena: Vec<*mut ffi::PyObject>,
    /// Arrays a loop's back edge found dead in a variable, released when the
    /// next iteration rebinds the variable or at the next back edge: (the
    /// loop's arena mark, the variable's name id, the object). See
    /// `pyston_arena_collect`.
    pub deferred: Vec<(usize, u32, *mut ffi::PyObject)>,
    /// Per loop (by its arena mark): where the objects its last back edge kept end.
    pub loop_keep: Vec<(usize, usize)>,
    /// Frames an exception passed through: (function metadata, source span).
    pub frames: Vec<(Arc<FuncMeta>, pyston_compiler::hir::Span)>,
    /// A call result handed to the interpreter by a deopt point's `pending`.
    pub pending: Option<Py<PyAny>>,
    /// Whether NumPy random call sites may draw natively in this call (a
    /// dispatcher's call: the locks they take are released on this thread).
    pub rng_native: bool,
    /// Whether the call runs with the GIL released (`nogil=True`).
    pub nogil: bool,
    /// The generator locks native draws took, released when the call ends
    /// (`helpers::random`).
    pub rng_locks: Vec<Py<PyAny>>,
    /// The call runs without the GIL (`nogil=True`, a `prange` chunk or a
    /// parallel ufunc loop on a worker thread): helpers that would otherwise
    /// assume it take it (`helpers::lists`).
    pub no_gil: bool,
    /// An empty buffer `pyston_arena_collect` collects dead objects in (no
    /// allocation per loop iteration).
    pub spare: Vec<*mut ffi::PyObject>,
    /// Small arrays the call made that nothing refers to any more, kept (a
    /// strong reference each) for the next fresh array of the same dtype and
    /// shape (`helpers::arrays::recycle`), released when the call ends.
    pub recycled: Vec<*mut ffi::PyObject>,
}

/// What this thread's calls into compiled code keep between them, in one
/// thread-local (in a shared library every thread-local access is a call).
pub struct ThreadState {
    /// Compiled-frame depth of the calls in progress, carried across
    /// re-entries through the interpreter tier so that deep recursion ends in
    /// `RecursionError` (as in CPython) and never overflows the stack.
    pub native_depth: std::cell::Cell<u32>,
    /// Nesting of dispatcher calls (re-entries through Python).
    pub call_depth: std::cell::Cell<u32>,
    /// The lowest usable address of the thread's stack (see `crate::stack`).
    pub stack_low: std::cell::Cell<usize>,
    /// Contexts ready for the next call.
    pub ctx_pool: std::cell::RefCell<Vec<Box<Ctx>>>,
}

thread_local! {
    pub static THREAD: ThreadState = const {
        ThreadState {
            native_depth: std::cell::Cell::new(0),
            call_depth: std::cell::Cell::new(0),
            stack_low: std::cell::Cell::new(0),
            ctx_pool: std::cell::RefCell::new(Vec::new()),
        }
    };
}

/// Runs `f` (the interpreter finishing a deoptimized frame) with the native
/// depth of the frames below it recorded.
pub fn with_depth<R>(depth: u32, f: impl FnOnce() -> R) -> R {
    let saved = THREAD.with(|t| t.native_depth.replace(depth));
    let r = f();
    THREAD.with(|t| t.native_depth.set(saved));
    r
}

impl Ctx {
    pub fn new() -> Box<Ctx> {
        Box::new(Ctx {
            deopt_point: 0,
            depth: 0,
            depth_limit: 1000,
            _pad: 0,
            slots: [0; DEOPT_SLOTS],
            rng_armed: [0; 4],
            arena: Vec::new(),
            deferred: Vec::new(),
            loop_keep: Vec::new(),
            frames: Vec::new(),
            pending: None,
            rng_native: false,
            nogil: false,
            rng_locks: Vec::new(),
            no_gil: false,
            spare: Vec::new(),
            recycled: Vec::new(),
        })
    }

    /// Whether the call still holds objects it created.
    pub fn holds_objects(&self) -> bool {
        !self.arena.is_empty() || !self.deferred.is_empty() || !self.recycled.is_empty()
    }

    /// Releases every object the call created (the result holds its own references).
    #[inline]
    pub fn release(&mut self) {
        // (most calls hold nothing: checked inline)
        if !self.rng_locks.is_empty() {
            crate::helpers::random::release_locks(self);
        }
        if !self.arena.is_empty() || !self.deferred.is_empty() || !self.recycled.is_empty() {
            for o in self
                .arena
                .drain(..)
                .chain(self.deferred.drain(..).map(|d| d.2))
                .chain(self.recycled.drain(..))
            {
                // SAFETY: every arena (and deferred) entry is a strong reference taken by the runtime.
                unsafe { ffi::Py_DECREF(o) };
            }
        }
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        if !self.arena.is_empty()
            || !self.deferred.is_empty()
            || !self.rng_locks.is_empty()
            || !self.recycled.is_empty()
        {
            Python::attach(|_| self.release());
        }
    }
}

/// The Python side of a function: what the interpreter needs to run it.
pub struct PyEnv {
    pub globals: Py<PyDict>,
    pub builtins: Py<PyDict>,
    /// Closure variables: name -> cell object.
    pub cells: HashMap<String, Py<PyAny>>,
    pub filename: String,
    /// The Python function itself (its lambdas' code objects: `Op::Lambda`).
    pub func: Option<Py<PyAny>>,
}

/// How compiled code calls into Python/NumPy at one call site.
pub struct PyCallDesc {
    pub kind: PyCallKind,
    /// Types of the boxed arguments, in order (trailing `kw.len()` are keywords).
    pub arg_tys: Vec<Ty>,
    /// How many slots the arguments take, and the result.
    pub nslots: usize,
    pub nout: usize,
    pub kw: Vec<String>,
    pub ret: Ty,
    /// Where the call is (its function's module and line): a warning the
    /// call raises carries that line (`pyston._errors.located`).
    pub env: Arc<PyEnv>,
    pub line: u32,
    /// The `located` helper for that line, made on first use.
    pub located: std::sync::OnceLock<Py<PyAny>>,
    /// For a binary operator on arrays (`operator.add`, ...): its in-place form
    /// (`operator.iadd`, ...), whether the operands may be swapped and whether it
    /// is a power, used when an operand is a temporary that dies at the call (see
    /// `pyston_pycall_dying`).
    pub inplace: Option<(Py<PyAny>, bool, bool)>,
    /// A `numpy.random` draw compiled code makes itself (`helpers::random`).
    pub native: Option<crate::helpers::random::NativeRng>,
    /// A `random` (standard library) draw compiled code makes itself (`helpers::pyrandom`).
    pub mt: Option<crate::helpers::pyrandom::MtDraw>,
    /// A pure standard-library function computed natively (`helpers::pure`).
    pub pure: Option<crate::helpers::pure::Pure>,
    /// Called directly, not from a frame at the call's line (`numpy.random`
    /// calls: they do not warn, and the frame costs more than the draw).
    pub direct: bool,
    /// A method's name as a `str`, made on first use (a direct method call).
    pub method_name: std::sync::OnceLock<Py<PyAny>>,
    /// The tuples of scalars this call last passed, by argument (see
    /// `helpers::calls::box_arg`): reused while nothing else holds them.
    pub tuples: TupleCache,
}

/// One entry per argument of a call into Python: the tuple of ints, floats
/// and bools last boxed for it (with the slots it was made from), or `None`. Read and written only with the
/// GIL held (by `helpers::calls::box_arg`, inside `pycall`'s body).
#[derive(Default)]
pub struct TupleCache(pub Box<[std::cell::UnsafeCell<Option<CachedTuple>>]>);

/// A tuple a call boxed and the slots it was made from.
pub type CachedTuple = (Py<PyAny>, smallvec::SmallVec<[u64; 4]>);

// SAFETY: every access to an entry happens with the GIL held (see the type's
// doc), which serialises them; dropping an entry's `Py` without the GIL is
// pyo3's deferred decref.
unsafe impl Sync for TupleCache {}

impl TupleCache {
    /// Room for the arguments of types `args` that are tuples of scalars.
    pub fn for_args(args: &[Ty]) -> Self {
        if args.iter().any(crate::helpers::calls::cacheable_tuple) {
            TupleCache(args.iter().map(|_| std::cell::UnsafeCell::new(None)).collect())
        } else {
            TupleCache::default()
        }
    }
}

impl PyCallDesc {
    /// Calls `callee` from a Python frame at the call's line in the user's
    /// module (see `pyston._errors.located`), so that NumPy's warnings carry
    /// the kernel's file and line; an exception loses that frame's entry. For
    /// a method call, `callee` is the object whose method the frame calls.
    pub fn call_located<'py>(
        &self,
        py: Python<'py>,
        callee: Bound<'py, PyAny>,
        args: &[Py<PyAny>],
        kwvals: &[Py<PyAny>],
    ) -> PyResult<Bound<'py, PyAny>> {
        // A descriptor's calls all have the same arity and keywords: the helper
        // takes exactly its positional arguments and the keywords' values, and
        // passes those on as keywords (no `*args` tuple or `**kwargs` dict made
        // per call).
        let at = match self.located.get() {
            Some(f) => f.bind(py).clone(),
            None => {
                let names = pyo3::types::PyTuple::new(py, &self.kw[self.kw.len() - kwvals.len()..])?;
                let method = match &self.kind {
                    PyCallKind::Method(m) => Some(m.as_str()),
                    _ => None,
                };
                let f = py.import("pyston._errors")?.getattr("located")?.call1((
                    self.env.filename.as_str(),
                    "_",
                    self.line,
                    self.env.globals.bind(py),
                    args.len(),
                    names,
                    method,
                ))?;
                let _ = self.located.set(f.clone().unbind());
                f
            }
        };
        let n = 1 + args.len() + kwvals.len();
        let r = if n <= 8 {
            // (a plain array: this is on every call into NumPy)
            let mut all = [std::ptr::null_mut::<pyo3::ffi::PyObject>(); 8];
            all[0] = callee.as_ptr();
            for (slot, a) in all[1..].iter_mut().zip(args.iter().chain(kwvals)) {
                *slot = a.as_ptr();
            }
            vectorcall(py, &at, &all[..n])
        } else {
            let mut all: Vec<*mut pyo3::ffi::PyObject> = Vec::with_capacity(n);
            all.push(callee.as_ptr());
            all.extend(args.iter().chain(kwvals).map(|a| a.as_ptr()));
            vectorcall(py, &at, &all)
        };
        r.map_err(|e| crate::interp::drop_first_entry(py, e))
    }
}

/// Clears the upper halves of the vector registers (`vzeroupper`, where the
/// CPU has AVX) before a helper returns to compiled code from foreign code
/// that may have used 256- or 512-bit registers: OpenBLAS's kernels (NumPy's
/// `matmul` and `dot` on small arrays, BLAS's `ddot`) return with those
/// halves dirty, and then every legacy-SSE instruction Cranelift emits (its
/// spills and reloads, `movdqu`/`movsd`) runs in the CPU's slow mixed state:
/// `A[i % 4] @ B` on 3x3 complex arrays, its element summed, took 1.9 us per
/// iteration compiled (1.5 us in CPython), ~400 ns of it in those few
/// instructions. Values are unchanged (the SysV and Windows ABIs keep no
/// vector register's upper half across a call, and the low 128 bits,
/// all compiled code reads, are kept), so it is exact; it costs a cycle.
#[inline]
pub fn clean_upper() {
    #[cfg(target_arch = "x86_64")]
    {
        static AVX: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if *AVX.get_or_init(|| std::arch::is_x86_feature_detected!("avx")) {
            // SAFETY: `vzeroupper` (AVX, checked above) touches nothing but the
            // upper halves of the vector registers, which no caller keeps (and
            // `clobber_abi` tells the compiler that no value of its own is
            // kept in any of them across it).
            unsafe { std::arch::asm!("vzeroupper", clobber_abi("C"), options(nomem, nostack, preserves_flags)) };
        }
    }
}

type VectorcallFn = unsafe extern "C" fn(
    *mut pyo3::ffi::PyObject,
    *const *mut pyo3::ffi::PyObject,
    usize,
    *mut pyo3::ffi::PyObject,
) -> *mut pyo3::ffi::PyObject;

/// `PyObject_Vectorcall`, where the running CPython exports it (3.11 and
/// later; the stable ABI this module is built for starts at 3.9, so it is
/// looked up rather than linked).
fn vectorcall_fn() -> Option<VectorcallFn> {
    static F: std::sync::OnceLock<Option<VectorcallFn>> = std::sync::OnceLock::new();
    *F.get_or_init(|| {
        // SAFETY: dlsym with a NUL-terminated name; the symbol, when present, is
        // CPython's `PyObject *PyObject_Vectorcall(PyObject *, PyObject *const *, size_t, PyObject *)`.
        unsafe {
            let p = libc::dlsym(libc::RTLD_DEFAULT, c"PyObject_Vectorcall".as_ptr());
            (!p.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, VectorcallFn>(p))
        }
    })
}

/// `PyObject_VectorcallMethod` (exported by CPython 3.9 and later; looked up
/// as `vectorcall_fn` is).
fn vectorcall_method_fn() -> Option<VectorcallFn> {
    static F: std::sync::OnceLock<Option<VectorcallFn>> = std::sync::OnceLock::new();
    *F.get_or_init(|| {
        // SAFETY: dlsym with a NUL-terminated name; the symbol, when present, is
        // CPython's `PyObject *PyObject_VectorcallMethod(PyObject *name, PyObject *const *args,
        // size_t nargsf, PyObject *kwnames)` (the same machine signature as `VectorcallFn`).
        unsafe {
            let p = libc::dlsym(libc::RTLD_DEFAULT, c"PyObject_VectorcallMethod".as_ptr());
            (!p.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, VectorcallFn>(p))
        }
    })
}

/// `args[0].name(*args[1:])` with positional arguments only, the method
/// looked up as CPython's own method calls do (no bound method made); `None`
/// where CPython does not export `PyObject_VectorcallMethod`.
pub fn vectorcall_method<'py>(
    py: Python<'py>,
    name: &Bound<'py, PyAny>,
    args: &[*mut pyo3::ffi::PyObject],
) -> Option<PyResult<Bound<'py, PyAny>>> {
    let f = vectorcall_method_fn()?;
    // SAFETY: `name` is a str; `args` (the object first) are live objects the
    // caller holds for the call; the result is a new reference or NULL with an
    // exception set.
    Some(unsafe {
        let r = f(name.as_ptr(), args.as_ptr(), args.len(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, r)
    })
}

/// `callee(*args)` with positional arguments only: a vectorcall (no argument
/// tuple) where CPython exports it, else a tuple call.
pub fn vectorcall<'py>(
    py: Python<'py>,
    callee: &Bound<'py, PyAny>,
    args: &[*mut pyo3::ffi::PyObject],
) -> PyResult<Bound<'py, PyAny>> {
    match vectorcall_fn() {
        Some(f) => {
            // SAFETY: `args` are live objects the caller holds for the call; the
            // result is a new reference or NULL with an exception set.
            unsafe {
                let r = f(callee.as_ptr(), args.as_ptr(), args.len(), std::ptr::null_mut());
                Bound::from_owned_ptr_or_err(py, r)
            }
        }
        None => {
            // SAFETY: as above; PyTuple_Pack-style construction from borrowed pointers.
            let items: smallvec::SmallVec<[Bound<'py, PyAny>; 6]> = args
                .iter()
                .map(|p| unsafe { Bound::from_borrowed_ptr(py, *p) })
                .collect();
            callee.call1(pyo3::types::PyTuple::new(py, items)?)
        }
    }
}

pub enum PyCallKind {
    /// Call this object.
    Call(Py<PyAny>),
    /// Call the method of the first argument.
    Method(String),
    /// Read the attribute of the first argument.
    Attr(String),
    /// `operator.getitem(x, key)`; the key is built from the remaining args.
    GetItem(Py<PyAny>),
    /// `operator.setitem(x, key, value)`.
    SetItem(Py<PyAny>),
}

/// Everything the runtime knows about one compiled specialization.
/// Traceback entries (file, function, span), innermost first, for compiled
/// frames recorded as (function, span): a span in inlined code stands for the
/// inlined functions' frames and then the function's own (`Function::frames_of`).
pub fn frame_entries<'a>(
    frames: impl IntoIterator<Item = (&'a FuncMeta, pyston_compiler::hir::Span)>,
) -> Vec<(String, String, pyston_compiler::hir::Span)> {
    let mut out = Vec::new();
    for (m, s) in frames {
        for (name, span) in m.func.frames_of(s) {
            out.push((m.env.filename.clone(), name.unwrap_or(&m.func.name).to_string(), span));
        }
    }
    out
}

pub struct FuncMeta {
    pub func: Arc<ir::Function>,
    pub typed: Typed,
    /// The number of slots of the return value (`slot_count(&typed.ret)`).
    pub nret: usize,
    pub params: Vec<Ty>,
    pub deopts: Vec<DeoptPoint>,
    /// Spans of direct calls, for tracebacks through compiled frames.
    pub call_sites: Vec<pyston_compiler::hir::Span>,
    pub env: Arc<PyEnv>,
    /// Calls into Python/NumPy (their descriptors are referenced by compiled code).
    pub pycalls: Vec<Box<PyCallDesc>>,
    /// Liveness and definitions of `func`, computed on the first deoptimization.
    pub resume_info: OnceLock<ResumeInfo>,
    /// Where a generator step's `yield`s leave its live values, by deopt
    /// point, made on the first `yield` (`crate::generators`).
    pub yields: OnceLock<Vec<Option<Arc<crate::generators::YieldLayout>>>>,
}

/// What resuming at any deopt point of a function needs about its IR.
pub struct ResumeInfo {
    pub live_in: Vec<std::collections::HashSet<ir::Value>>,
    pub defs: HashMap<ir::Value, (ir::Block, usize)>,
}

impl FuncMeta {
    pub fn resume_info(&self) -> &ResumeInfo {
        self.resume_info.get_or_init(|| ResumeInfo {
            live_in: self.func.live_in(),
            defs: self.func.definitions(),
        })
    }
}

// ---------------------------------------------------------------------------
// NumPy handles, looked up once.

/// An `Arc` for metadata known by pointer (from compiled code).
pub fn meta_arc(meta: &FuncMeta) -> Arc<FuncMeta> {
    let p = meta as *const FuncMeta;
    // SAFETY: every `FuncMeta` compiled code refers to lives in an `Arc` owned by
    // its `Spec`; we add one strong count before materializing a new `Arc`.
    unsafe {
        Arc::increment_strong_count(p);
        Arc::from_raw(p)
    }
}

/// The span of direct call site `i` (for tracebacks through compiled frames).
pub fn call_site_span(meta: &FuncMeta, i: usize) -> Span {
    meta.call_sites.get(i).copied().unwrap_or(meta.func.span)
}

/// A call of compiled code handed to another thread or run with the GIL
/// released (`nogil`, `prange` chunks).
pub struct EntryCall {
    pub entry: crate::jit::EntryFn,
    pub args: *const u64,
    pub out: *mut u64,
    pub ctx: *mut Ctx,
    pub depth: u32,
}

// SAFETY: the pointers are used by exactly one thread at a time (the one that
// runs the call), and they outlive the call (the caller waits for it).
unsafe impl Send for EntryCall {}

impl EntryCall {
    pub fn run(self) -> i32 {
        // (as on the dispatcher's other path: the caller may have left the
        // vector registers' upper halves dirty)
        clean_upper();
        // SAFETY: built by the dispatcher from a specialization's entry and the
        // argument slots, out buffer and context it was compiled for.
        unsafe { (self.entry)(self.args, self.out, self.ctx, self.depth) }
    }
}
