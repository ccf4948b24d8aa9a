//! NumPy ufuncs and generalized ufuncs whose inner loops run compiled code
//! (`pyston.vectorize`, `pyston.guvectorize`).
//!
//! A ufunc is built with NumPy's own C API (`PyUFunc_FromFuncAndData` /
//! `PyUFunc_FromFuncAndDataAndSignature`), so it is a real `np.ufunc`:
//! broadcasting, `out=`, `where=`, casting, `reduce`/`accumulate`/`outer`
//! and dtype selection by loop order are NumPy's.
//!
//! **The inner loop and the GIL.** These are legacy loops registered with no
//! object dtype, so NumPy may call them with the GIL released. Each call of
//! the inner loop (one call per buffer of up to ~8192 elements) takes the GIL
//! once (`Python::attach`) and keeps it for the whole buffer: compiled code
//! may call into Python/NumPy, and a deoptimization or an exception needs it.
//!
//! **Exactness.** An element whose compiled code deoptimizes is finished on
//! the interpreter tier from the faulting instruction (`deopt::resume`), and
//! its result is converted to the output dtype as NumPy converts a Python
//! object (what `np.vectorize` does); results the loop cannot store natively
//! (a float into an int output, a big int, ...) take the same conversion.
//!
//! **Errors.** A legacy loop cannot return an error code. The loop sets the
//! Python exception (with the user's traceback lines), stops, and marks this
//! thread as having an error pending: NumPy checks `PyErr_Occurred()` after
//! the single-call fast path and when it deallocates its iterator, so the
//! ufunc call raises that exception. Further buffers of the same call (the
//! iterator calls the loop once per buffer) see the pending exception and
//! return at once.

use crate::boxing;
use crate::dispatch::{with_frames, Dispatcher};
use crate::runtime::{self, Ctx};
use numpy::npyffi::{self, npy_intp, PyUFuncGenericFunction, PY_ARRAY_API, PY_UFUNC_API};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyston_compiler::abi::union_layout;
use pyston_compiler::types::{Dtype, Ty};
use std::cell::Cell;
use std::ffi::{c_char, c_void, CString};

thread_local! {
    /// Set when an inner loop on this thread raised: later buffers of the
    /// same ufunc call skip their work while the exception is pending.
    static ERR_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// One element-wise loop: the compiled function, how each input element is
/// passed to it and how its result is stored.
struct ElemLoop {
    disp: Py<Dispatcher>,
    params: Vec<Ty>,
    ins: Vec<Dtype>,
    out: Dtype,
    /// Numba's semantics (C casts of the result) instead of NumPy's object conversion.
    numba: bool,
    /// `target="parallel"`: a long run of elements is split across threads.
    parallel: bool,
    /// `convert(obj, dtype_name, numba)`: the result as a Python scalar of the
    /// output dtype's kind (`(re, im)` for complex), raising as NumPy would.
    convert: Py<PyAny>,
}

/// One loop of a generalized ufunc: the function is called once per outer
/// iteration with array views of the core dimensions.
struct GuLoop {
    func: Py<PyAny>,
    dtypes: Vec<Dtype>,
    nin: usize,
    /// Per argument, the indexes (into `dimensions[1..]`) of its core dimensions.
    core: Vec<Vec<usize>>,
    numba: bool,
}

/// A value read from compiled code's result slots.
#[derive(Clone, Copy)]
enum Sc {
    B(bool),
    I(i64),
    F(f64),
    C(f64, f64),
}

fn dtype_of(name: &str) -> PyResult<Dtype> {
    Dtype::from_name(name).filter(|d| d.is_basic()).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "ufunc loops support the dtypes bool, int32, int64, float32, float64 and complex128, not {name}"
        ))
    })
}

/// The type compiled code receives for an element of dtype `d`: the Python
/// scalar NumPy's conversion to objects gives (what `np.vectorize` passes),
/// or with Numba's semantics the NumPy scalar for int32/float32.
pub fn param_ty(d: Dtype, numba: bool) -> Ty {
    match d {
        Dtype::Bool => Ty::Bool,
        Dtype::Int64 => Ty::Int,
        Dtype::Float64 => Ty::Float,
        Dtype::Complex128 => Ty::Complex,
        Dtype::Int32 if numba => Ty::Np(Dtype::Int32),
        Dtype::Float32 if numba => Ty::Np(Dtype::Float32),
        Dtype::Int32 => Ty::Int,
        Dtype::Float32 => Ty::Float,
        d => Ty::Np(d), // not reached: `dtype_of` admits only the basic dtypes
    }
}

/// Appends the slots of one element of dtype `d` at `p`, passed as `t`.
///
/// # Safety
/// `p` points to a readable element of dtype `d`.
unsafe fn read_elem(p: *const u8, d: Dtype, t: &Ty, slots: &mut Vec<u64>) {
    // SAFETY (all reads): the caller guarantees `p` holds an element of `d`.
    unsafe {
        match (d, t) {
            (Dtype::Bool, _) => slots.push((p.read() != 0) as u64),
            (Dtype::Int64, _) => slots.push((p as *const i64).read_unaligned() as u64),
            (Dtype::Int32, Ty::Np(_)) => slots.push((p as *const u32).read_unaligned() as u64),
            (Dtype::Int32, _) => slots.push((p as *const i32).read_unaligned() as i64 as u64),
            (Dtype::Float64, _) => slots.push((p as *const u64).read_unaligned()),
            (Dtype::Float32, Ty::Np(_)) => slots.push((p as *const u32).read_unaligned() as u64),
            (Dtype::Float32, _) => slots.push(((p as *const f32).read_unaligned() as f64).to_bits()),
            (Dtype::Complex128, _) => {
                slots.push((p as *const u64).read_unaligned());
                slots.push((p as *const u64).add(1).read_unaligned());
            }
            _ => unreachable!("`dtype_of` admits only the basic dtypes"),
        }
    }
}

/// How the hot loop reads one input element into slots (decided once per buffer).
#[derive(Clone, Copy)]
enum Rd {
    F64,
    F32Wide,
    F32,
    I64,
    I32Wide,
    I32,
    B,
    C,
}

impl Rd {
    fn new(d: Dtype, t: &Ty) -> Rd {
        match (d, t) {
            (Dtype::Bool, _) => Rd::B,
            (Dtype::Int64, _) => Rd::I64,
            (Dtype::Int32, Ty::Np(_)) => Rd::I32,
            (Dtype::Int32, _) => Rd::I32Wide,
            (Dtype::Float64, _) => Rd::F64,
            (Dtype::Float32, Ty::Np(_)) => Rd::F32,
            (Dtype::Float32, _) => Rd::F32Wide,
            (Dtype::Complex128, _) => Rd::C,
            _ => unreachable!("`dtype_of` admits only the basic dtypes"),
        }
    }

    /// Writes the element's slots at `slots[*j..]`.
    ///
    /// # Safety
    /// `p` points to a readable element of the reader's dtype; `slots` has room.
    #[inline(always)]
    unsafe fn read(self, p: *const u8, slots: &mut [u64], j: &mut usize) {
        // SAFETY (all reads): the caller guarantees `p` holds an element of this dtype.
        let v = unsafe {
            match self {
                Rd::F64 | Rd::I64 => (p as *const u64).read_unaligned(),
                Rd::F32Wide => ((p as *const f32).read_unaligned() as f64).to_bits(),
                Rd::F32 | Rd::I32 => (p as *const u32).read_unaligned() as u64,
                Rd::I32Wide => (p as *const i32).read_unaligned() as i64 as u64,
                Rd::B => (p.read() != 0) as u64,
                Rd::C => {
                    slots[*j] = (p as *const u64).read_unaligned();
                    *j += 1;
                    (p as *const u64).add(1).read_unaligned()
                }
            }
        };
        slots[*j] = v;
        *j += 1;
    }
}

/// How to read a scalar result from compiled code's slots (decided once per buffer).
enum Rk {
    B,
    I,
    I32,
    F,
    F32,
    C,
    /// Per union tag: the member's kind and its slot offset (after the tag).
    Union(Vec<(Rk, usize)>),
    Other,
}

impl Rk {
    fn new(t: &Ty) -> Rk {
        match t {
            Ty::Bool | Ty::Np(Dtype::Bool) => Rk::B,
            Ty::Int | Ty::Np(Dtype::Int64) => Rk::I,
            Ty::Np(Dtype::Int32) => Rk::I32,
            Ty::Float | Ty::Np(Dtype::Float64) => Rk::F,
            Ty::Np(Dtype::Float32) => Rk::F32,
            Ty::Complex | Ty::Np(Dtype::Complex128) => Rk::C,
            Ty::Union(ms) => {
                let (offsets, _) = union_layout(ms);
                Rk::Union(ms.iter().zip(offsets).map(|(m, o)| (Rk::new(m), o)).collect())
            }
            _ => Rk::Other,
        }
    }

    #[inline(always)]
    fn read(&self, s: &[u64]) -> Option<Sc> {
        Some(match self {
            Rk::B => Sc::B(s[0] & 0xff != 0),
            Rk::I => Sc::I(s[0] as i64),
            Rk::I32 => Sc::I(s[0] as u32 as i32 as i64),
            Rk::F => Sc::F(f64::from_bits(s[0])),
            Rk::F32 => Sc::F(f32::from_bits(s[0] as u32) as f64),
            Rk::C => Sc::C(f64::from_bits(s[0]), f64::from_bits(s[1])),
            Rk::Union(ms) => {
                let (m, o) = ms.get((s[0] & 0xff) as usize)?;
                return m.read(s.get(1 + o..)?);
            }
            Rk::Other => return None,
        })
    }
}

/// A float cast to int64 as compiled C/LLVM code does on this machine
/// (Numba's casts): x86-64's `cvttsd2si` gives `i64::MIN` for NaN and out
/// of range values; elsewhere the conversion saturates.
pub fn c_f64_to_i64(x: f64) -> i64 {
    if cfg!(target_arch = "x86_64") && !(x > -9.223372036854778e18 && x < 9.223372036854776e18) {
        return i64::MIN;
    }
    x as i64
}

/// As [`c_f64_to_i64`], to int32.
pub fn c_f64_to_i32(x: f64) -> i32 {
    if cfg!(target_arch = "x86_64") && !(x > -2147483649.0 && x < 2147483648.0) {
        return i32::MIN;
    }
    x as i32
}

/// Stores `v` as an element of dtype `d` at `p` when that needs no Python
/// (false: the value takes NumPy's object conversion instead).
///
/// # Safety
/// `p` points to a writable element of dtype `d`.
#[inline(always)]
unsafe fn store_fast(p: *mut u8, d: Dtype, v: Sc, numba: bool) -> bool {
    // SAFETY (all writes): the caller guarantees `p` is a writable element of `d`.
    unsafe {
        match (d, v) {
            (Dtype::Float64, Sc::F(x)) => (p as *mut f64).write_unaligned(x),
            (Dtype::Float64, Sc::I(i)) => (p as *mut f64).write_unaligned(i as f64),
            (Dtype::Float64, Sc::B(b)) => (p as *mut f64).write_unaligned(b as u8 as f64),
            (Dtype::Float32, Sc::F(x)) => {
                let r = x as f32;
                if r.is_infinite() && x.is_finite() && !numba {
                    return false; // NumPy's overflow warning
                }
                (p as *mut f32).write_unaligned(r)
            }
            (Dtype::Float32, Sc::I(i)) => (p as *mut f32).write_unaligned(i as f64 as f32),
            (Dtype::Float32, Sc::B(b)) => (p as *mut f32).write_unaligned(b as u8 as f32),
            (Dtype::Int64, Sc::I(i)) => (p as *mut i64).write_unaligned(i),
            (Dtype::Int64, Sc::B(b)) => (p as *mut i64).write_unaligned(b as i64),
            (Dtype::Int64, Sc::F(x)) if numba => (p as *mut i64).write_unaligned(c_f64_to_i64(x)),
            (Dtype::Int32, Sc::I(i)) if numba || i32::try_from(i).is_ok() => (p as *mut i32).write_unaligned(i as i32),
            (Dtype::Int32, Sc::B(b)) => (p as *mut i32).write_unaligned(b as i32),
            (Dtype::Int32, Sc::F(x)) if numba => (p as *mut i32).write_unaligned(c_f64_to_i32(x)),
            (Dtype::Bool, Sc::B(b)) => p.write(b as u8),
            (Dtype::Bool, Sc::I(i)) => p.write((i != 0) as u8),
            (Dtype::Bool, Sc::F(x)) => p.write((x != 0.0) as u8),
            (Dtype::Bool, Sc::C(re, im)) => p.write((re != 0.0 || im != 0.0) as u8),
            (Dtype::Complex128, v) => {
                let (re, im) = match v {
                    Sc::C(re, im) => (re, im),
                    Sc::F(x) => (x, 0.0),
                    Sc::I(i) => (i as f64, 0.0),
                    Sc::B(b) => (b as u8 as f64, 0.0),
                };
                (p as *mut f64).write_unaligned(re);
                (p as *mut f64).add(1).write_unaligned(im);
            }
            _ => return false,
        }
    }
    true
}

/// Stores the Python object `obj` at `p` as NumPy's conversion (strict) or
/// Numba's cast would.
///
/// # Safety
/// `p` points to a writable element of dtype `d`.
unsafe fn store_obj(
    py: Python<'_>,
    conv: &Py<PyAny>,
    obj: &Bound<'_, PyAny>,
    p: *mut u8,
    d: Dtype,
    numba: bool,
) -> PyResult<()> {
    let v = conv.bind(py).call1((obj, d.name(), numba))?;
    let sc = match d {
        Dtype::Bool => Sc::B(v.extract()?),
        Dtype::Int32 | Dtype::Int64 => Sc::I(v.extract()?),
        Dtype::Float32 | Dtype::Float64 => Sc::F(v.extract()?),
        Dtype::Complex128 => {
            let (re, im): (f64, f64) = v.extract()?;
            Sc::C(re, im)
        }
        _ => return Err(crate::internal_error("ufunc loop of a non-basic dtype")),
    };
    // The converted value fits (`numba` makes float32 overflow a plain store).
    // SAFETY: forwarded from the caller.
    if unsafe { store_fast(p, d, sc, true) } {
        Ok(())
    } else {
        Err(crate::internal_error("ufunc result conversion"))
    }
}

/// False when an exception from an earlier buffer of this call is pending
/// (the loop must not run); clears a stale mark otherwise.
fn may_run() -> bool {
    if !ERR_PENDING.with(|e| e.get()) {
        return true;
    }
    // SAFETY: the GIL is held by the caller.
    if unsafe { !ffi::PyErr_Occurred().is_null() } {
        return false;
    }
    ERR_PENDING.with(|e| e.set(false));
    true
}

fn raise_in_loop(py: Python<'_>, e: PyErr) {
    e.restore(py);
    ERR_PENDING.with(|p| p.set(true));
}

/// Runs `f` with the GIL, catching panics (they must not unwind into NumPy).
fn guarded(f: impl FnOnce(Python<'_>) -> PyResult<()>) {
    Python::attach(|py| {
        if !may_run() {
            return;
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(py)))
            .unwrap_or_else(|_| Err(crate::internal_error("panic in a ufunc inner loop")));
        if let Err(e) = r {
            raise_in_loop(py, e);
        }
    })
}

/// The element-wise inner loop (`PyUFuncGenericFunction`).
///
/// # Safety
/// Called by NumPy with `nin + 1` operand pointers and steps, `dims[0]`
/// elements, and `data` the `ElemLoop` registered with the loop.
unsafe extern "C" fn elem_loop(args: *mut *mut c_char, dims: *mut npy_intp, steps: *mut npy_intp, data: *mut c_void) {
    // SAFETY: `data` is the leaked `ElemLoop` given with this loop; NumPy
    // passes one pointer and one step per operand and the count in dims[0].
    let (ld, n) = unsafe { (&*(data as *const ElemLoop), *dims) };
    let nargs = ld.ins.len() + 1;
    // SAFETY: as above.
    let ops: Vec<(*mut u8, isize)> = (0..nargs)
        .map(|i| unsafe { (*args.add(i) as *mut u8, *steps.add(i)) })
        .collect();
    if n <= 0 {
        return;
    }
    guarded(|py| run_elem_loop(py, ld, n as usize, &ops));
}

fn run_elem_loop(py: Python<'_>, ld: &ElemLoop, n: usize, ops: &[(*mut u8, isize)]) -> PyResult<()> {
    let nin = ld.ins.len();
    let (outp, outs) = ops[nin];
    let disp = ld.disp.bind(py);
    let spec = Dispatcher::loop_spec(disp, &ld.params)?;
    let mut slots: Vec<u64> = Vec::with_capacity(2 * nin);
    let elem = |i: usize, k: usize| ops[i].0.wrapping_offset(ops[i].1 * k as isize);
    let (Some(entry), Some(meta)) = (spec.entry, spec.meta.clone()) else {
        // Runs as plain Python (not compiled for these types): the function per element.
        let f = disp.get().func().bind(py);
        for k in 0..n {
            slots.clear();
            let mut items = Vec::with_capacity(nin);
            for i in 0..nin {
                // SAFETY: element k of input i is inside the operand NumPy gave.
                unsafe { read_elem(elem(i, k), ld.ins[i], &ld.params[i], &mut slots) };
            }
            let mut pos = 0;
            for t in &ld.params {
                items.push(boxing::box_value(py, t, &slots, &mut pos)?.unwrap_or_else(|| py.None()));
            }
            let r = f.call1(PyTuple::new(py, items)?)?;
            // SAFETY: element k of the output.
            unsafe {
                store_obj(
                    py,
                    &ld.convert,
                    &r,
                    outp.wrapping_offset(outs * k as isize),
                    ld.out,
                    ld.numba,
                )?
            };
        }
        return Ok(());
    };
    let nret = runtime::slot_count(&meta.typed.ret).max(1);
    let mut out = vec![0u64; nret];
    let readers: Vec<(Rd, *mut u8, isize)> = (0..nin)
        .map(|i| (Rd::new(ld.ins[i], &ld.params[i]), ops[i].0, ops[i].1))
        .collect();
    let rk = Rk::new(&meta.typed.ret);
    let mut fast_slots = vec![0u64; 2 * nin];
    // 8-byte inputs passed as they are and a result of the output's own
    // type (`float64(float64, ...)`, `int64(int64, ...)`): a tight loop
    // that stops at the first element needing more (the general loop).
    let plain = nin <= 4
        && readers.iter().all(|r| matches!(r.0, Rd::F64 | Rd::I64))
        && matches!((&rk, ld.out), (Rk::F, Dtype::Float64) | (Rk::I, Dtype::Int64));
    let ins: Vec<(*mut u8, isize)> = readers.iter().map(|r| (r.1, r.2)).collect();
    let lp = Loop {
        ld,
        meta: &meta,
        entry,
        readers: &readers,
        rk: &rk,
        outp,
        outs,
    };
    let threads = crate::parallel::get_num_threads();
    if ld.parallel && plain && threads > 1 && n >= 2 * PARALLEL_MIN {
        return lp.parallel(py, &ins, n, threads);
    }
    with_ctx(|ctx| {
        let depth = ctx.depth + 1;
        // SAFETY: the operands NumPy gave hold `n` elements at their steps;
        // `entry` takes one 8-byte slot per input.
        let (start, st) = if plain {
            unsafe { plain_any(entry, &ins, (outp, outs), ctx, depth, n, &mut out) }
        } else {
            (0, runtime::OK)
        };
        let replay = (plain && start < n).then_some((st, None));
        lp.finish(py, ctx, depth, start..n, replay, &mut fast_slots, &mut out)
    })
}

/// Elements per chunk below which `target="parallel"` stays on one thread.
const PARALLEL_MIN: usize = 4096;

/// [`plain_run`] for 1 to 4 inputs.
///
/// # Safety
/// As [`plain_run`].
unsafe fn plain_any(
    entry: crate::jit::EntryFn,
    ins: &[(*mut u8, isize)],
    out: (*mut u8, isize),
    ctx: &mut Ctx,
    depth: u32,
    n: usize,
    buf: &mut [u64],
) -> (usize, i32) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match ins.len() {
            1 => plain_run::<1>(entry, ins, out, ctx, depth, n, buf),
            2 => plain_run::<2>(entry, ins, out, ctx, depth, n, buf),
            3 => plain_run::<3>(entry, ins, out, ctx, depth, n, buf),
            _ => plain_run::<4>(entry, ins, out, ctx, depth, n, buf),
        }
    }
}

/// One chunk of a parallel ufunc loop, handed to a worker thread.
struct Job {
    ins: Vec<(*mut u8, isize)>,
    out: (*mut u8, isize),
    lo: usize,
    hi: usize,
}
// SAFETY: each job's pointers address its own elements of NumPy's operands
// (disjoint output elements), valid until the loop returns, which waits for
// every worker.
unsafe impl Send for Job {}
unsafe impl Sync for Job {}

/// A job run by the pool thread that took it (the GIL released).
struct JobRun<'a>(&'a Job, &'a mut Ctx, &'a mut [u64; 2], crate::jit::EntryFn);

impl JobRun<'_> {
    fn run(self) -> (usize, i32) {
        let JobRun(job, ctx, buf, entry) = self;
        // SAFETY: the job's operands hold `hi - lo` elements; `entry` takes one
        // 8-byte slot per input and returns one.
        unsafe { plain_any(entry, &job.ins, job.out, ctx, 1, job.hi - job.lo, buf) }
    }
}

/// A chunk that stopped early: where, the status, the exception taken on
/// its thread, and its context (a deopt's values live there).
struct Stopped(usize, usize, i32, Option<PyErr>, Box<Ctx>);
// SAFETY: the context is handed over by a worker that no longer uses it.
unsafe impl Send for Stopped {}

impl Loop<'_> {
    /// `target="parallel"`: the tight loop over `n` elements on `threads`
    /// threads (four chunks each, taken in turn, the GIL released); chunks
    /// that stopped early (a deopt, an exception, a result needing
    /// conversion) are finished in chunk order on this thread by the
    /// general loop, from the element that stopped (not run again).
    fn parallel(&self, py: Python<'_>, ins: &[(*mut u8, isize)], n: usize, threads: usize) -> PyResult<()> {
        let nchunks = (4 * threads).min(n / PARALLEL_MIN).max(1);
        let jobs: Vec<Job> = (0..nchunks)
            .map(|c| {
                let (lo, hi) = (c * n / nchunks, (c + 1) * n / nchunks);
                Job {
                    ins: ins
                        .iter()
                        .map(|&(p, st)| (p.wrapping_offset(st * lo as isize), st))
                        .collect(),
                    out: (self.outp.wrapping_offset(self.outs * lo as isize), self.outs),
                    lo,
                    hi,
                }
            })
            .collect();
        let entry = self.entry;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let workers = threads.min(nchunks);
        let found: std::sync::Mutex<Vec<Stopped>> = std::sync::Mutex::new(Vec::new());
        let finished = std::sync::atomic::AtomicUsize::new(0);
        crate::pool::run(py, workers, &|_| {
            // Every thread of the pool keeps its Python thread state: a helper
            // taking the GIL in compiled code (and its exception) stays on it.
            // Run with the GIL released (`pool::run`); taken only to fetch an exception.
            let mut mine = Vec::new();
            let mut ctx = Ctx::new();
            ctx.no_gil = true;
            let mut buf = [0u64; 2];
            loop {
                let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(job) = jobs.get(c) else {
                    break;
                };
                ctx.depth = 0;
                ctx.depth_limit = 1000;
                let (stop, st) = JobRun(job, &mut ctx, &mut buf, entry).run();
                if stop < job.hi - job.lo {
                    let err = if st == runtime::ERROR {
                        Python::attach(PyErr::take)
                    } else {
                        None
                    };
                    mine.push(Stopped(
                        c,
                        job.lo + stop,
                        st,
                        err,
                        std::mem::replace(&mut ctx, Ctx::new()),
                    ));
                }
                finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            found.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
        });
        let mut stopped = found.into_inner().unwrap_or_else(|e| e.into_inner());
        if finished.into_inner() != jobs.len() {
            return Err(crate::internal_error("a chunk of a parallel ufunc loop did not finish"));
        }
        stopped.sort_by_key(|s| s.0);
        let mut fast_slots = vec![0u64; 2 * ins.len()];
        let mut out = vec![0u64; runtime::slot_count(&self.meta.typed.ret).max(1)];
        for Stopped(c, at, st, err, mut ctx) in stopped {
            let r = self.finish(
                py,
                &mut ctx,
                1,
                at..jobs[c].hi,
                Some((st, err)),
                &mut fast_slots,
                &mut out,
            );
            ctx.release();
            r?;
        }
        Ok(())
    }
}

/// What the general element loop needs (see [`Loop::finish`]).
struct Loop<'a> {
    ld: &'a ElemLoop,
    meta: &'a std::sync::Arc<runtime::FuncMeta>,
    entry: crate::jit::EntryFn,
    readers: &'a [(Rd, *mut u8, isize)],
    rk: &'a Rk,
    outp: *mut u8,
    outs: isize,
}

impl Loop<'_> {
    /// The general loop over elements `range`: every input reader, every
    /// result kind, deopts and exceptions. `replay`: the status (and the
    /// exception, when it was taken on another thread) compiled code already
    /// returned for the first element, which is not run again.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        py: Python<'_>,
        ctx: &mut Ctx,
        depth: u32,
        range: std::ops::Range<usize>,
        mut replay: Option<(i32, Option<PyErr>)>,
        fast_slots: &mut [u64],
        out: &mut [u64],
    ) -> PyResult<()> {
        let (ld, meta, rk, outp, outs) = (self.ld, self.meta, self.rk, self.outp, self.outs);
        for k in range {
            let mut j = 0;
            for &(rd, base, step) in self.readers {
                // SAFETY: element k of this input is inside the operand NumPy
                // gave; `fast_slots` has two slots per input.
                unsafe { rd.read(base.wrapping_offset(step * k as isize), fast_slots, &mut j) };
            }
            let dst = outp.wrapping_offset(outs * k as isize);
            let (status, taken) = match replay.take() {
                // The tight loop already ran this element (not run twice: side effects).
                Some(st) => st,
                // SAFETY: `entry` was compiled for `ld.params`, whose slots
                // `fast_slots` holds; `out` has room for the result's slots; `ctx` is ours.
                None => (
                    unsafe { (self.entry)(fast_slots.as_ptr(), out.as_mut_ptr(), ctx, depth) },
                    None,
                ),
            };
            if status == runtime::OK {
                if let Some(v) = rk.read(out) {
                    // SAFETY: `dst` is element k of the output.
                    if unsafe { store_fast(dst, ld.out, v, ld.numba) } {
                        if ctx.holds_objects() {
                            ctx.release();
                        }
                        continue;
                    }
                }
            }
            let r = match status {
                // A result the loop cannot store natively: NumPy's (or Numba's) conversion.
                runtime::OK => boxing::box_value(py, &meta.typed.ret, out, &mut 0).and_then(|o| {
                    let o = o.unwrap_or_else(|| py.None());
                    // SAFETY: `dst` is element k of the output.
                    unsafe { store_obj(py, &ld.convert, o.bind(py), dst, ld.out, ld.numba) }
                }),
                runtime::DEOPT => {
                    runtime::with_depth(depth, || crate::deopt::resume(py, meta, ctx)).and_then(|o| {
                        // SAFETY: as above.
                        unsafe { store_obj(py, &ld.convert, o.bind(py), dst, ld.out, ld.numba) }
                    })
                }
                _ => Err(taken
                    .or_else(|| PyErr::take(py))
                    .unwrap_or_else(|| crate::internal_error("compiled code failed without an exception"))),
            };
            if ctx.holds_objects() {
                ctx.release();
            }
            if let Err(e) = r {
                return Err(err_with_frames(py, ctx, e));
            }
        }
        Ok(())
    }
}

/// Runs `f` with a context from this thread's pool, set up as the
/// dispatcher sets it up for a call (compiled-frame depth, recursion limit
/// from Python's and from the stack left), and returns it to the pool.
pub(crate) fn with_ctx<R>(f: impl FnOnce(&mut Ctx) -> R) -> R {
    runtime::THREAD.with(|t| {
        let mut ctx = t.ctx_pool.borrow_mut().pop().unwrap_or_else(Ctx::new);
        ctx.frames.clear();
        ctx.depth = t.native_depth.get();
        // SAFETY: plain C API query, GIL held.
        let by_python = unsafe { ffi::Py_GetRecursionLimit() }.clamp(50, 10_000) as u32;
        ctx.depth_limit = match crate::stack::remaining_in(&t.stack_low) {
            Some(r) => {
                let frames = r.saturating_sub(crate::stack::CALL_RESERVE) / crate::stack::FRAME_BYTES;
                by_python.min(ctx.depth.saturating_add(frames as u32))
            }
            None => by_python,
        };
        let r = f(&mut ctx);
        ctx.release();
        ctx.frames.clear();
        t.ctx_pool.borrow_mut().push(ctx);
        r
    })
}

/// `err` with traceback entries for the compiled frames recorded in `ctx`.
pub(crate) fn err_with_frames(py: Python<'_>, ctx: &Ctx, err: PyErr) -> PyErr {
    let frames = crate::runtime::frame_entries(ctx.frames.iter().map(|(m, s)| (&**m, *s)));
    with_frames(py, err, &frames)
}

/// The tight loop of `run_elem_loop` for `N` 8-byte inputs and an 8-byte
/// result stored as it is; returns the index of the first element it did not
/// finish (`n` when all are done) with the status compiled code returned for
/// it (the element is not run again: it may have had side effects).
///
/// # Safety
/// `ins` and `out` are NumPy's operands (pointer, step) with `n` elements;
/// `entry` takes `N` slots and returns one.
#[allow(clippy::too_many_arguments)]
unsafe fn plain_run<const N: usize>(
    entry: crate::jit::EntryFn,
    ins: &[(*mut u8, isize)],
    out: (*mut u8, isize),
    ctx: &mut Ctx,
    depth: u32,
    n: usize,
    buf: &mut [u64],
) -> (usize, i32) {
    let mut slots = [0u64; N];
    let mut ptrs = [(std::ptr::null_mut::<u8>(), 0isize); N];
    ptrs.copy_from_slice(&ins[..N]);
    let (mut dst, dstep) = out;
    for k in 0..n {
        for i in 0..N {
            // SAFETY: element k of input i (the caller's contract).
            slots[i] = unsafe { (ptrs[i].0 as *const u64).read_unaligned() };
            ptrs[i].0 = ptrs[i].0.wrapping_offset(ptrs[i].1);
        }
        // SAFETY: the caller's contract; `buf` has room for the result.
        let status = unsafe { entry(slots.as_ptr(), buf.as_mut_ptr(), ctx, depth) };
        if status != runtime::OK || ctx.holds_objects() {
            if status == runtime::OK {
                ctx.release();
            } else {
                return (k, status); // the general loop finishes this element
            }
        }
        // SAFETY: element k of the output.
        unsafe { (dst as *mut u64).write_unaligned(buf[0]) };
        dst = dst.wrapping_offset(dstep);
    }
    (n, runtime::OK)
}

/// Boxes one element of dtype `d` at `p` as the function receives it.
///
/// # Safety
/// `p` points to a readable element of dtype `d`.
unsafe fn box_elem(py: Python<'_>, p: *const u8, d: Dtype, numba: bool) -> PyResult<Py<PyAny>> {
    let t = param_ty(d, numba);
    let mut slots = Vec::with_capacity(2);
    // SAFETY: forwarded from the caller.
    unsafe { read_elem(p, d, &t, &mut slots) };
    Ok(boxing::box_value(py, &t, &slots, &mut 0)?.unwrap_or_else(|| py.None()))
}

/// An ndarray over memory NumPy handed to the loop (valid while the loop runs).
fn view(py: Python<'_>, d: Dtype, data: *mut u8, shape: &[npy_intp], strides: &[npy_intp]) -> PyResult<Py<PyAny>> {
    let np = boxing::np_types(py)?;
    let descr = np.descrs[pyston_compiler::abi::dtype_index(d)] as *mut npyffi::PyArray_Descr;
    let mut shape = shape.to_vec();
    let mut strides = strides.to_vec();
    // SAFETY: `descr` is a live descriptor (a reference is taken for the one
    // NewFromDescr steals); `data` is valid for `shape`/`strides` for the
    // duration of the inner loop, which is as long as the function may use it.
    let o = unsafe {
        ffi::Py_INCREF(descr as *mut ffi::PyObject);
        PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            np.ndarray_type as *mut ffi::PyTypeObject,
            descr,
            shape.len() as i32,
            shape.as_mut_ptr(),
            strides.as_mut_ptr(),
            data as *mut c_void,
            npyffi::NPY_ARRAY_WRITEABLE | npyffi::NPY_ARRAY_ALIGNED,
            std::ptr::null_mut(),
        )
    };
    // SAFETY: a new reference or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, o) }.map(Bound::unbind)
}

/// The generalized-ufunc inner loop.
///
/// # Safety
/// Called by NumPy: `dims[0]` outer iterations, then the core dimension
/// sizes; one pointer and one outer step per operand, then the core strides
/// of each operand in order; `data` the `GuLoop` registered with the loop.
unsafe extern "C" fn gu_loop(args: *mut *mut c_char, dims: *mut npy_intp, steps: *mut npy_intp, data: *mut c_void) {
    // SAFETY: `data` is the leaked `GuLoop` given with this loop.
    let gl = unsafe { &*(data as *const GuLoop) };
    let nargs = gl.dtypes.len();
    let ncore: usize = gl.core.iter().map(|c| c.len()).sum();
    let ndims = gl.core.iter().flatten().map(|&i| i + 1).max().unwrap_or(0);
    // SAFETY: NumPy passes `nargs` pointers, `nargs + ncore` steps and
    // `1 + ndims` dimensions for this signature.
    let (n, ops, core_sizes, core_steps) = unsafe {
        (
            *dims,
            (0..nargs)
                .map(|i| (*args.add(i) as *mut u8, *steps.add(i)))
                .collect::<Vec<_>>(),
            (0..ndims).map(|i| *dims.add(1 + i)).collect::<Vec<_>>(),
            (0..ncore).map(|i| *steps.add(nargs + i)).collect::<Vec<_>>(),
        )
    };
    if n <= 0 {
        return;
    }
    guarded(|py| {
        let f = gl.func.bind(py);
        for k in 0..n {
            let mut items = Vec::with_capacity(nargs);
            let mut off = 0;
            for (i, core) in gl.core.iter().enumerate() {
                let p = ops[i].0.wrapping_offset(ops[i].1 * k);
                let d = gl.dtypes[i];
                if core.is_empty() && i < gl.nin {
                    // SAFETY: element k of input i.
                    items.push(unsafe { box_elem(py, p, d, gl.numba)? });
                } else if core.is_empty() {
                    // A scalar output is passed as a 1-element array, as in Numba.
                    items.push(view(py, d, p, &[1], &[d.itemsize() as npy_intp])?);
                } else {
                    let shape: Vec<npy_intp> = core.iter().map(|&c| core_sizes[c]).collect();
                    let strides = &core_steps[off..off + core.len()];
                    items.push(view(py, d, p, &shape, strides)?);
                }
                off += core.len();
            }
            f.call1(PyTuple::new(py, items)?)?;
        }
        Ok(())
    })
}

/// Leaks `v` (NumPy keeps pointers to a ufunc's loop tables for its lifetime).
fn leak<T>(v: Vec<T>) -> *mut T {
    Box::leak(v.into_boxed_slice()).as_mut_ptr()
}

fn leak_cstr(s: &str) -> PyResult<*const c_char> {
    let c = CString::new(s).map_err(|_| PyValueError::new_err("name and doc must not contain NUL characters"))?;
    Ok(c.into_raw())
}

/// `make_ufunc(disp, name, doc, loops, identity, numba, convert, parallel)`: a NumPy
/// ufunc with one element-wise loop per `(input dtype names, output dtype
/// name)` in `loops` (NumPy picks the first loop the inputs cast to safely),
/// each compiled eagerly (`CompileError` here, as in Numba). With
/// `parallel` (`target="parallel"`), long runs of elements are split across
/// the threads `prange` uses.
#[pyfunction]
#[pyo3(signature = (disp, name, doc, loops, identity, numba, convert, parallel=false))]
#[allow(clippy::too_many_arguments)]
pub fn make_ufunc(
    py: Python<'_>,
    disp: Bound<'_, Dispatcher>,
    name: &str,
    doc: &str,
    loops: Vec<(Vec<String>, String)>,
    identity: i32,
    numba: bool,
    convert: Py<PyAny>,
    parallel: bool,
) -> PyResult<Py<PyAny>> {
    let nin = loops.first().map(|l| l.0.len()).unwrap_or(0);
    if loops.is_empty() || nin == 0 || loops.iter().any(|l| l.0.len() != nin) {
        return Err(PyValueError::new_err(
            "a ufunc needs loops with the same number (>= 1) of inputs",
        ));
    }
    let mut types = Vec::new();
    let mut funcs: Vec<PyUFuncGenericFunction> = Vec::new();
    let mut data: Vec<*mut c_void> = Vec::new();
    for (ins, out) in &loops {
        let ins: Vec<Dtype> = ins.iter().map(|s| dtype_of(s)).collect::<PyResult<_>>()?;
        let out = dtype_of(out)?;
        let params: Vec<Ty> = ins.iter().map(|d| param_ty(*d, numba)).collect();
        Dispatcher::loop_spec(&disp, &params)?; // compiled now: errors surface at decoration
        types.extend(ins.iter().chain([&out]).map(|d| boxing::typenum(*d) as c_char));
        funcs.push(Some(elem_loop));
        let ld = Box::new(ElemLoop {
            disp: disp.clone().unbind(),
            params,
            ins,
            out,
            numba,
            parallel,
            convert: convert.clone_ref(py),
        });
        data.push(Box::into_raw(ld) as *mut c_void);
    }
    let ntypes = funcs.len() as i32;
    // SAFETY: the tables are leaked (NumPy keeps pointers to them for the
    // ufunc's lifetime), with `ntypes` loops of `nin + 1` type numbers each.
    let u = unsafe {
        PY_UFUNC_API.PyUFunc_FromFuncAndData(
            py,
            leak(funcs),
            leak(data),
            leak(types),
            ntypes,
            nin as i32,
            1,
            identity,
            leak_cstr(name)?,
            leak_cstr(doc)?,
            0,
        )
    };
    // SAFETY: a new reference or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, u) }.map(Bound::unbind)
}

/// `make_gufunc(func, name, doc, loops, nin, core, signature, numba)`: a
/// generalized ufunc with layout `signature` (`"(n),(n)->()"`); `loops` are
/// lists of dtype names (inputs then outputs); `core[i]` the core-dimension
/// indexes of argument `i`. `func` is called once per outer iteration.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn make_gufunc(
    py: Python<'_>,
    func: Py<PyAny>,
    name: &str,
    doc: &str,
    loops: Vec<Vec<String>>,
    nin: usize,
    core: Vec<Vec<usize>>,
    signature: &str,
    numba: bool,
) -> PyResult<Py<PyAny>> {
    let nargs = core.len();
    if loops.is_empty() || nin == 0 || nin >= nargs || loops.iter().any(|l| l.len() != nargs) {
        return Err(PyValueError::new_err(
            "gufunc loops must each have one dtype per argument of the layout",
        ));
    }
    let mut types = Vec::new();
    let mut funcs: Vec<PyUFuncGenericFunction> = Vec::new();
    let mut data: Vec<*mut c_void> = Vec::new();
    for l in &loops {
        let dtypes: Vec<Dtype> = l.iter().map(|s| dtype_of(s)).collect::<PyResult<_>>()?;
        types.extend(dtypes.iter().map(|d| boxing::typenum(*d) as c_char));
        funcs.push(Some(gu_loop));
        let gl = Box::new(GuLoop {
            func: func.clone_ref(py),
            dtypes,
            nin,
            core: core.clone(),
            numba,
        });
        data.push(Box::into_raw(gl) as *mut c_void);
    }
    let ntypes = funcs.len() as i32;
    // SAFETY: as in `make_ufunc`; `signature` is leaked too.
    let u = unsafe {
        PY_UFUNC_API.PyUFunc_FromFuncAndDataAndSignature(
            py,
            leak(funcs),
            leak(data),
            leak(types),
            ntypes,
            nin as i32,
            (nargs - nin) as i32,
            -1,
            leak_cstr(name)?,
            leak_cstr(doc)?,
            0,
            leak_cstr(signature)?,
        )
    };
    // SAFETY: a new reference or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, u) }.map(Bound::unbind)
}

/// The dtype a result of type `t` is stored as (None: no single dtype).
fn result_dtype(t: &Ty) -> Option<Dtype> {
    match t {
        Ty::Bool => Some(Dtype::Bool),
        Ty::Int => Some(Dtype::Int64),
        Ty::Float => Some(Dtype::Float64),
        Ty::Complex => Some(Dtype::Complex128),
        Ty::Np(d) => Some(*d),
        Ty::Union(ms) => {
            let ds: Vec<Option<Dtype>> = ms.iter().map(result_dtype).collect();
            let first = *ds.first()?;
            ds.iter().all(|d| *d == first).then_some(first).flatten()
        }
        _ => None,
    }
}

/// `ufunc_result_dtype(disp, ins, numba)`: compiles `disp` for elements of
/// the dtypes `ins` and gives the dtype name its result is stored as (the
/// lazy `vectorize` picks each new loop's output dtype this way), or None
/// when the result has no single dtype or the function is not compiled.
#[pyfunction]
pub fn ufunc_result_dtype(disp: Bound<'_, Dispatcher>, ins: Vec<String>, numba: bool) -> PyResult<Option<String>> {
    let ins: Vec<Dtype> = ins.iter().map(|s| dtype_of(s)).collect::<PyResult<_>>()?;
    let params: Vec<Ty> = ins.iter().map(|d| param_ty(*d, numba)).collect();
    let spec = Dispatcher::loop_spec(&disp, &params)?;
    Ok(spec
        .meta
        .as_ref()
        .and_then(|m| result_dtype(&m.typed.ret))
        .map(|d| d.name().to_string()))
}
