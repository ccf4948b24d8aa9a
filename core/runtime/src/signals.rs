//! Ctrl-C in compiled loops.
//!
//! CPython's SIGINT handler only notes the signal; the interpreter raises
//! `KeyboardInterrupt` when it next checks, which a compiled loop never does.
//! So pyston wraps the C-level SIGINT handler Python installed: the wrapper
//! sets [`PENDING`] and calls Python's. Every loop back edge in compiled code
//! reads `PENDING` (one load and a branch, no call, so nothing is spilled
//! around it) and deoptimizes when it is set; [`handle`] then runs Python's
//! handlers before the interpreter tier goes on, so `KeyboardInterrupt` is
//! raised from the loop (or the loop finishes on the interpreter tier when a
//! user's handler returns). The wrapper is (re)installed when a function is
//! compiled; a handler set later with `signal.signal` replaces it until the
//! next compile, and `SIG_IGN`/`SIG_DFL` are left alone.

use pyo3::prelude::*;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

/// Non-zero once SIGINT arrived and Python's handlers have not run since.
pub static PENDING: AtomicU32 = AtomicU32::new(0);

/// The address compiled code reads (see `CodegenEnv::signal_flag`).
pub fn flag_address() -> u64 {
    PENDING.as_ptr() as u64
}

/// At a deopt: when SIGINT is pending, runs Python's signal handlers (on the
/// main thread, where CPython runs them; elsewhere CPython handles it when
/// the main thread next runs Python code).
pub fn handle(py: Python<'_>) -> PyResult<()> {
    if PENDING.load(Ordering::Relaxed) == 0 {
        return Ok(());
    }
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?.getattr("ident")?;
    if !main.eq(threading.call_method0("get_ident")?)? {
        return Ok(()); // the main thread runs the handlers (and clears the flag)
    }
    PENDING.store(0, Ordering::Relaxed);
    py.check_signals()
}

#[cfg(unix)]
mod wrap {
    use super::*;

    /// The handler we wrap (Python's), as installed when we wrapped it.
    static PREVIOUS: AtomicPtr<libc::sigaction> = AtomicPtr::new(std::ptr::null_mut());

    extern "C" fn on_sigint(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
        PENDING.store(1, Ordering::Relaxed);
        let prev = PREVIOUS.load(Ordering::Acquire);
        if prev.is_null() {
            return;
        }
        // SAFETY: `prev` points to a leaked, never-freed sigaction whose
        // handler was a function when we saved it (not SIG_DFL/SIG_IGN).
        unsafe {
            let p = &*prev;
            if p.sa_flags & libc::SA_SIGINFO != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(p.sa_sigaction);
                f(sig, info, uctx);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(p.sa_sigaction);
                f(sig);
            }
        }
    }

    /// Wraps the current SIGINT handler unless it is ours, the default or ignored.
    pub fn install() {
        // SAFETY: plain sigaction queries and updates of SIGINT with valid,
        // zero-initialised structs; the saved previous action is leaked so
        // the handler can read it at any time.
        unsafe {
            let mut cur: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGINT, std::ptr::null(), &mut cur) != 0 {
                return;
            }
            let ours = on_sigint as *const () as libc::sighandler_t;
            if cur.sa_sigaction == ours || cur.sa_sigaction == libc::SIG_DFL || cur.sa_sigaction == libc::SIG_IGN {
                return;
            }
            let saved = Box::into_raw(Box::new(cur));
            PREVIOUS.store(saved, Ordering::Release);
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = ours;
            act.sa_mask = cur.sa_mask;
            act.sa_flags = (cur.sa_flags | libc::SA_SIGINFO) & !libc::SA_RESETHAND;
            libc::sigaction(libc::SIGINT, &act, std::ptr::null_mut());
        }
    }
}

#[cfg(unix)]
pub use wrap::install;

/// Elsewhere compiled loops are not interruptible yet.
#[cfg(not(unix))]
pub fn install() {}
