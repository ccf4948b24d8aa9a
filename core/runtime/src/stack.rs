//! How much native stack the current thread has left.
//!
//! Compiled frames, the interpreter tier and re-entries through the
//! dispatcher all run on the native stack, which can be much smaller than
//! Python's recursion limit assumes (a raised `sys.setrecursionlimit`, a
//! thread made with a small `threading.stack_size`). The dispatcher checks
//! what is left before it compiles or calls compiled code, and bounds the
//! depth of compiled recursion by it.

use std::cell::Cell;

/// Bytes of stack left below the caller's frame, when the platform says,
/// given this thread's cached lowest stack address (`ThreadState::stack_low`:
/// 0 until asked, `usize::MAX` when unknown).
#[inline]
pub fn remaining_in(stack_low: &Cell<usize>) -> Option<usize> {
    if stack_low.get() == 0 {
        stack_low.set(lowest_address());
    }
    let low = stack_low.get();
    if low == usize::MAX {
        return None;
    }
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    Some(here.saturating_sub(low))
}

#[cfg(target_os = "linux")]
fn lowest_address() -> usize {
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread; it is
    // destroyed once read. Stacks grow down: the lowest address is the limit.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return usize::MAX;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let r = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if r != 0 || addr.is_null() {
            usize::MAX
        } else {
            // Keep clear of the guard page below the stack.
            addr as usize + 16 * 1024
        }
    }
}

#[cfg(target_os = "macos")]
fn lowest_address() -> usize {
    // SAFETY: plain queries of the calling thread's stack (top address and size).
    unsafe {
        let t = libc::pthread_self();
        let top = libc::pthread_get_stackaddr_np(t) as usize;
        let size = libc::pthread_get_stacksize_np(t);
        top.saturating_sub(size) + 16 * 1024
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn lowest_address() -> usize {
    usize::MAX
}

/// Below this, the dispatcher raises `RecursionError` instead of going deeper
/// (or, for the outermost call on a thread with a tiny stack, lets CPython run it).
pub const CALL_RESERVE: usize = 64 * 1024;
/// Below this, a first call runs as plain Python instead of compiling
/// (Cranelift and inference need room).
pub const COMPILE_RESERVE: usize = 1024 * 1024;
/// Stack a compiled frame may use, for bounding compiled recursion.
pub const FRAME_BYTES: usize = 1024;

#[cfg(test)]
mod tests {
    #[test]
    fn this_thread_has_stack_left() {
        let low = std::cell::Cell::new(0);
        if let Some(r) = super::remaining_in(&low) {
            assert!(r > 16 * 1024 && r < 1 << 40, "{r}");
            let deeper = {
                let pad = [0u8; 4096];
                std::hint::black_box(&pad);
                super::remaining_in(&low).unwrap()
            };
            assert!(deeper <= r);
        }
    }
}
