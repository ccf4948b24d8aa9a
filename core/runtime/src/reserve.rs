//! The allocator of pyston's Rust code: the system's, with an emergency
//! reserve. Rust aborts the process when an allocation fails; CPython raises
//! `MemoryError`. When memory runs out (a list growing forever under a
//! memory limit), the allocation that fails first is usually CPython's, which
//! raises `MemoryError`; the small allocations pyston then makes on the way
//! out (an error message, a traceback entry) must not abort. So a block of
//! address space is held from the start, and an allocation that fails frees
//! it and tries again. The block is taken again ([`rearm`]) when a compiled
//! function is called (one load when it is held) or compiles.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicPtr, Ordering};

/// Size of the reserve (address space only: it is never written).
const RESERVE: usize = 16 << 20;
const ALIGN: usize = 4096;

static HELD: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

fn reserve_layout() -> Layout {
    // (a constant, valid layout)
    Layout::from_size_align(RESERVE, ALIGN).unwrap()
}

/// Takes the reserve again if it was used (or never taken).
#[inline]
pub fn rearm() {
    if !HELD.load(Ordering::Relaxed).is_null() {
        return;
    }
    // SAFETY: a valid, non-zero-size layout.
    let p = unsafe { System.alloc(reserve_layout()) };
    if !p.is_null()
        && HELD
            .compare_exchange(std::ptr::null_mut(), p, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
    {
        // SAFETY: `p` was just allocated with this layout and is not shared.
        unsafe { System.dealloc(p, reserve_layout()) };
    }
}

/// Frees the reserve; whether there was one to free.
fn release() -> bool {
    let p = HELD.swap(std::ptr::null_mut(), Ordering::AcqRel);
    if p.is_null() {
        return false;
    }
    // SAFETY: `p` came from `rearm`'s allocation with this layout, and the swap made it ours alone.
    unsafe { System.dealloc(p, reserve_layout()) };
    true
}

pub struct ReserveAlloc;

// SAFETY: every method forwards to `System` with the caller's arguments; the
// retry after `release` is a second, independent request.
unsafe impl GlobalAlloc for ReserveAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's (valid) layout.
        let p = unsafe { System.alloc(l) };
        if p.is_null() && release() {
            // SAFETY: as above.
            return unsafe { System.alloc(l) };
        }
        p
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's (valid) layout.
        let p = unsafe { System.alloc_zeroed(l) };
        if p.is_null() && release() {
            // SAFETY: as above.
            return unsafe { System.alloc_zeroed(l) };
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` was allocated by `System` (through this allocator) with `l`.
        unsafe { System.dealloc(p, l) }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's arguments (`p` allocated with `l`).
        let q = unsafe { System.realloc(p, l, new_size) };
        if q.is_null() && release() {
            // SAFETY: as above (a failed realloc leaves `p` as it was).
            return unsafe { System.realloc(p, l, new_size) };
        }
        q
    }
}

#[global_allocator]
static ALLOC: ReserveAlloc = ReserveAlloc;
