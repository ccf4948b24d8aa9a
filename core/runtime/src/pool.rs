//! The threads parallel loops run on (`prange`, `vectorize(target="parallel")`).
//!
//! Started once (and again after `fork`, whose child has none of them), they
//! wait on a condition variable between jobs, each holding a Python thread
//! state with the GIL released, so compiled code on them takes the GIL back
//! (`Python::attach`) only when it touches Python objects. [`run`] hands
//! every thread the same job (a closure that takes chunks from a shared
//! counter), works on it from the calling thread too, and returns once all
//! of them are done. A call from inside a job, or while another Python
//! thread's loop holds the pool, runs the job on the calling thread alone
//! (same results: chunks are combined in chunk order either way).

use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long a thread spins for the next job, or the caller for the workers
/// to finish, before sleeping: waking a sleeping thread costs tens of
/// microseconds (more on a virtual machine), which a loop of a few
/// microseconds would pay every call.
const SPIN: Duration = Duration::from_micros(200);

/// A job: `f(worker)` with its lifetime erased (see the SAFETY note in [`run`]).
#[derive(Clone, Copy)]
struct Job(*const (dyn Fn(usize) + Sync));
// SAFETY: the closure is `Sync` and outlives every use (`run` waits for all).
unsafe impl Send for Job {}

#[derive(Default)]
struct State {
    generation: u64,
    job: Option<Job>,
    /// Workers taking part in the current job, and how many have finished it.
    taking_part: usize,
    finished: usize,
}

struct Pool {
    pid: u32,
    threads: usize,
    /// `state.generation` and `state.finished`, readable without the lock (for spinning).
    generation: AtomicU64,
    finished: AtomicUsize,
    state: Mutex<State>,
    work: Condvar,
    done: Condvar,
    /// Held by the one loop using the pool.
    busy: Mutex<()>,
}

static POOL: Mutex<Option<Arc<Pool>>> = Mutex::new(None);

thread_local! {
    /// Set on the pool's threads and on a thread running a job.
    static IN_JOB: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The pool with at least `threads` workers, started (again) when needed.
fn pool(threads: usize) -> Arc<Pool> {
    let mut slot = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = slot.as_ref() {
        if p.pid == std::process::id() && p.threads >= threads {
            return p.clone();
        }
    }
    let p = Arc::new(Pool {
        pid: std::process::id(),
        threads,
        generation: AtomicU64::new(0),
        finished: AtomicUsize::new(0),
        state: Mutex::new(State::default()),
        work: Condvar::new(),
        done: Condvar::new(),
        busy: Mutex::new(()),
    });
    for w in 0..threads {
        let p = p.clone();
        std::thread::Builder::new()
            .name(format!("pyston-pool-{}", w + 1))
            .spawn(move || worker(&p, w + 1))
            .expect("starting a thread of pyston's pool");
    }
    // A smaller pool left behind (after set_num_threads) keeps its threads
    // parked; nothing wakes them again.
    *slot = Some(p.clone());
    p
}

fn worker(p: &Pool, w: usize) {
    IN_JOB.with(|j| j.set(true));
    Python::attach(|py| {
        py.detach(|| {
            let mut seen = 0;
            loop {
                let t0 = Instant::now();
                while p.generation.load(Ordering::Acquire) == seen && t0.elapsed() < SPIN {
                    std::hint::spin_loop();
                }
                let job = {
                    let mut st = p.state.lock().unwrap_or_else(|e| e.into_inner());
                    while st.generation == seen {
                        st = p.work.wait(st).unwrap_or_else(|e| e.into_inner());
                    }
                    seen = st.generation;
                    (w <= st.taking_part).then_some(st.job).flatten()
                };
                let Some(job) = job else { continue };
                // SAFETY: `run` keeps the closure alive until every worker
                // taking part has counted itself finished below.
                let f = unsafe { &*job.0 };
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(w)));
                let mut st = p.state.lock().unwrap_or_else(|e| e.into_inner());
                st.finished += 1;
                p.finished.store(st.finished, Ordering::Release);
                if st.finished == st.taking_part {
                    p.done.notify_all();
                }
            }
        })
    })
}

/// Runs `f(worker)` on `threads` threads at once (the calling thread is
/// worker 0), with the GIL released by the caller; returns when all are done.
pub fn run(py: Python<'_>, threads: usize, f: &(dyn Fn(usize) + Sync)) {
    if threads <= 1 || IN_JOB.with(|j| j.get()) {
        return py.detach(|| f(0));
    }
    let p = pool(threads - 1);
    let Ok(_busy) = p.busy.try_lock() else {
        // Another thread's loop has the pool: this one runs on its own thread.
        return py.detach(|| f(0));
    };
    // SAFETY: only the lifetime is erased; `f` outlives the job (see below).
    let job = Job(unsafe {
        std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), *const (dyn Fn(usize) + Sync + 'static)>(f)
    });
    {
        let mut st = p.state.lock().unwrap_or_else(|e| e.into_inner());
        st.job = Some(job);
        st.taking_part = threads - 1;
        st.finished = 0;
        p.finished.store(0, Ordering::Release);
        st.generation += 1;
        p.generation.store(st.generation, Ordering::Release);
        p.work.notify_all();
    }
    py.detach(|| {
        IN_JOB.with(|j| j.set(true));
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(0)));
        IN_JOB.with(|j| j.set(false));
        // SAFETY (of the lifetime erased in `Job`): no worker touches `f`
        // after counting itself finished, and we wait for all of them here.
        let t0 = Instant::now();
        while p.finished.load(Ordering::Acquire) < threads - 1 && t0.elapsed() < SPIN {
            std::hint::spin_loop();
        }
        let mut st = p.state.lock().unwrap_or_else(|e| e.into_inner());
        while st.finished < st.taking_part {
            st = p.done.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.job = None;
    });
}
