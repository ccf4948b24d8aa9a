//! `prange` under `parallel=True`: a loop's chunks run on threads at once.
//!
//! `pyston._lift` rewrites a function with `prange` loops: each loop body
//! becomes a function of its own, `body(start, stop, step, <shared>,
//! <reductions>)`, compiled by a dispatcher, and the loop's place calls
//! `pyston._lift.run_parallel`, which splits the range into chunks (four per
//! thread) and calls [`ParallelLoop::run`]. That runs the compiled body for
//! the chunks on the threads of [`crate::pool`], each taking the next chunk
//! not yet taken, with the GIL released (a thread takes the GIL back only to
//! deoptimize, allocate or raise), and returns the chunks' results in chunk
//! order; the Python side combines the reductions.
//!
//! A chunk that deoptimizes finishes on the interpreter tier on its thread
//! (exact). An exception stops its chunk; the first one in chunk order is
//! raised once every chunk has stopped. A chunk stopped by Ctrl-C (a deopt
//! with SIGINT pending) is finished on the calling thread after Python's
//! handlers ran there, so `KeyboardInterrupt` comes from the main thread, as
//! in CPython, and a handler that returns changes no result.

use crate::dispatch::{with_frames, Dispatcher};
use crate::runtime::{self, Ctx, EntryCall, FuncMeta};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyston_compiler::types::Ty;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Threads a parallel loop uses (0: not set yet).
static THREADS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The chunk this thread runs (0 outside parallel loops).
    static THREAD_ID: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// `PYSTON_NUM_THREADS`, else `NUMBA_NUM_THREADS`, else the number of cores.
fn default_threads() -> usize {
    ["PYSTON_NUM_THREADS", "NUMBA_NUM_THREADS"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.trim().parse::<usize>().ok().filter(|n| *n > 0))
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// The number of threads `prange` loops run on.
#[pyfunction]
pub fn get_num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = default_threads();
            THREADS.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

/// Sets the number of threads `prange` loops run on (at least 1).
#[pyfunction]
pub fn set_num_threads(n: i64) -> PyResult<()> {
    if n < 1 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "The number of threads must be between 1 and {}, got {n}",
            default_threads().max(n.max(1) as usize)
        )));
    }
    THREADS.store(n as usize, Ordering::Relaxed);
    Ok(())
}

/// The index of the chunk the calling thread runs in a parallel loop (0 outside one).
#[pyfunction]
pub fn get_thread_id() -> usize {
    THREAD_ID.with(|t| t.get())
}

/// The compiled body of one `prange` loop.
#[pyclass(module = "pyston._pyston", name = "ParallelLoop", frozen)]
pub struct ParallelLoop {
    body: Py<Dispatcher>,
}

/// A context left at a deopt point by Ctrl-C, to finish on the calling thread.
struct Paused(Box<Ctx>);
// SAFETY: a paused context is handed from its worker (which has stopped using
// it) to the calling thread, which alone resumes it with the GIL held.
unsafe impl Send for Paused {}

enum Chunk {
    /// Returned plain scalars: their slots, boxed by the calling thread.
    Slots(Vec<u64>),
    Done(PyResult<Py<PyAny>>),
    Paused(Paused),
}

#[pymethods]
impl ParallelLoop {
    #[new]
    fn new(body: Py<Dispatcher>) -> Self {
        ParallelLoop { body }
    }

    /// The loop body's dispatcher (the serial path calls it directly).
    #[getter]
    fn body(&self, py: Python<'_>) -> Py<Dispatcher> {
        self.body.clone_ref(py)
    }

    /// Always true: the function calls its parallel loop (which falls back to
    /// a serial call of the body when the body does not compile).
    #[getter]
    fn native(&self) -> bool {
        true
    }

    /// Runs `body(start, stop, step, *shared, *inits[k])` for every
    /// `(start, stop)` of `chunks` (`inits`: one tuple per chunk, the
    /// chunk's own reduction values) on `threads` threads, each taking the next
    /// chunk not yet taken (so a slow chunk or a busy core delays only its
    /// own thread); returns the results in chunk order, or `None` when the
    /// body does not compile for these arguments (the caller then runs the
    /// loop serially).
    #[pyo3(signature = (chunks, step, shared, inits, threads=None))]
    fn run(
        &self,
        py: Python<'_>,
        chunks: Vec<(i64, i64)>,
        step: i64,
        shared: &Bound<'_, PyTuple>,
        inits: Vec<Bound<'_, PyTuple>>,
        threads: Option<usize>,
    ) -> PyResult<Option<Vec<Py<PyAny>>>> {
        if chunks.is_empty() || inits.len() != chunks.len() {
            return Ok(Some(Vec::new()));
        }
        // One argument vector per chunk, all of the same types (the inits
        // tuples may hold arrays: each chunk has its own).
        let mut per_chunk: Vec<Vec<u64>> = Vec::with_capacity(chunks.len());
        let mut tys0: Option<Vec<Ty>> = None;
        for (&(s, e), init) in chunks.iter().zip(&inits) {
            let mut args: Vec<Bound<'_, PyAny>> = vec![
                s.into_pyobject(py)?.into_any(),
                e.into_pyobject(py)?.into_any(),
                step.into_pyobject(py)?.into_any(),
            ];
            args.extend(shared.iter());
            args.extend(init.iter());
            let mut slots = Vec::new();
            let mut tys = Vec::new();
            for a in &args {
                match crate::boxing::classify(py, a, &mut slots)? {
                    Some(t) => tys.push(t),
                    None => return Ok(None),
                }
            }
            if tys[..3] != [Ty::Int, Ty::Int, Ty::Int] || tys0.as_ref().is_some_and(|t0| *t0 != tys) {
                return Ok(None);
            }
            tys0 = Some(tys);
            per_chunk.push(slots);
        }
        let tys = tys0.unwrap_or_default();
        let spec = Dispatcher::loop_spec(self.body.bind(py), &tys)?;
        let (Some(entry), Some(meta)) = (spec.entry, spec.meta.clone()) else {
            return Ok(None);
        };
        let nret = runtime::slot_count(&meta.typed.ret);
        let workers = threads.unwrap_or(per_chunk.len()).clamp(1, per_chunk.len());
        let next = AtomicUsize::new(0);
        let all: std::sync::Mutex<Vec<(usize, Chunk)>> = std::sync::Mutex::new(Vec::new());
        crate::pool::run(py, workers, &|w| {
            let out = worker(w, &next, &per_chunk, entry, &meta, nret);
            all.lock().unwrap_or_else(|e| e.into_inner()).extend(out);
        });
        let mut done = all.into_inner().unwrap_or_else(|e| e.into_inner());
        if done.len() != per_chunk.len() {
            return Err(crate::internal_error("a chunk of a parallel loop did not finish"));
        }
        done.sort_by_key(|(k, _)| *k);
        let outcomes: Vec<Chunk> = done.into_iter().map(|(_, c)| c).collect();
        // Chunks stopped by Ctrl-C: Python's handlers run here (the main
        // thread); if they return, the chunks finish on the interpreter tier.
        let mut results = Vec::with_capacity(outcomes.len());
        let mut handled = false;
        for c in outcomes {
            results.push(match c {
                Chunk::Slots(slots) => {
                    let mut pos = 0;
                    crate::boxing::box_value(py, &meta.typed.ret, &slots, &mut pos)
                        .map(|o| o.unwrap_or_else(|| py.None()))
                }
                Chunk::Done(r) => r,
                Chunk::Paused(Paused(mut ctx)) => {
                    if !handled {
                        handled = true;
                        crate::signals::handle(py)?;
                    }
                    let r = crate::deopt::resume(py, &meta, &mut ctx);
                    finish(py, r, &mut ctx)
                }
            });
        }
        results.into_iter().collect::<PyResult<Vec<_>>>().map(Some)
    }
}

/// One thread of a parallel loop: runs the chunks not yet taken, in turn,
/// with the GIL released. The thread keeps one Python thread state for its
/// life, so a helper that takes the GIL inside compiled code (and an
/// exception it sets) stays on this thread; the GIL is taken only for a chunk
/// that did not simply return plain scalars.
fn worker(
    w: usize,
    next: &AtomicUsize,
    chunks: &[Vec<u64>],
    entry: crate::jit::EntryFn,
    meta: &Arc<FuncMeta>,
    nret: usize,
) -> Vec<(usize, Chunk)> {
    THREAD_ID.with(|t| t.set(w));
    let plain = plain_scalars(&meta.typed.ret);
    // Called with the GIL released (`pool::run`); taken only for a chunk
    // that needs Python (a deopt, an exception, a result holding objects).
    let mut out = Vec::new();
    let mut ctx = Ctx::new();
    ctx.no_gil = true;
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(args) = chunks.get(k) else {
            return out;
        };
        ctx.depth = 0;
        ctx.depth_limit = 1000;
        let mut slots = vec![0u64; nret.max(1)];
        let call = EntryCall {
            entry,
            args: args.as_ptr(),
            out: slots.as_mut_ptr(),
            ctx: &mut *ctx,
            depth: 1,
        };
        let status = call.run();
        if status == runtime::OK && plain && !ctx.holds_objects() {
            out.push((k, Chunk::Slots(slots)));
            continue;
        }
        if status == runtime::DEOPT && crate::signals::PENDING.load(Ordering::Relaxed) != 0 {
            out.push((k, Chunk::Paused(Paused(std::mem::replace(&mut ctx, Ctx::new())))));
            continue;
        }
        let chunk = Python::attach(|py| {
            let r = match status {
                runtime::OK => {
                    let mut pos = 0;
                    crate::boxing::box_value(py, &meta.typed.ret, &slots, &mut pos)
                        .map(|o| o.unwrap_or_else(|| py.None()))
                }
                runtime::DEOPT => crate::deopt::resume(py, meta, &mut ctx),
                _ => Err(PyErr::take(py)
                    .unwrap_or_else(|| crate::internal_error("compiled code failed without an exception"))),
            };
            Chunk::Done(finish(py, r, &mut ctx))
        });
        ctx.frames.clear();
        out.push((k, chunk));
    }
}

/// Whether values of `t` are plain scalars (boxed later, on any thread with the GIL).
fn plain_scalars(t: &Ty) -> bool {
    match t {
        Ty::NoneT | Ty::Bool | Ty::Int | Ty::Float | Ty::Complex | Ty::Np(_) => true,
        Ty::Tuple(ts) => ts.iter().all(plain_scalars),
        _ => false,
    }
}

/// The chunk's result with its traceback frames; releases its temporaries.
fn finish(py: Python<'_>, r: PyResult<Py<PyAny>>, ctx: &mut Ctx) -> PyResult<Py<PyAny>> {
    let r = r.map_err(|e| {
        let frames = crate::runtime::frame_entries(ctx.frames.iter().map(|(m, s)| (&**m, *s)));
        with_frames(py, e, &frames)
    });
    ctx.release();
    r
}
