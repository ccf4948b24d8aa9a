//! Local lists (`Ty::LocalList`, see `pyston_compiler::infer::local_lists`):
//! lists that never leave the compiled function, their elements held
//! unboxed, one 64-bit word each (as `codegen/lists.rs` `list_word` makes
//! them: a float's bits, an int, a bool's byte, a NumPy scalar's bytes).
//!
//! A local list is a small object of a private type, so that the call's
//! arena (and the per-iteration release of loop temporaries) owns it like
//! any other object compiled code makes. Compiled code reads and writes its
//! fields itself, at the offsets in `pyston_compiler::abi` (`LLIST_*`):
//! after `PyObject_HEAD` (16 bytes in the non-debug builds of CPython 3.9 to
//! 3.13 the abi3 wheel loads in), the element buffer, the length, the
//! capacity, and the `list` it was made into (see [`box_local_list`]).

use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::abi::{LLIST_BOXED, LLIST_CAP, LLIST_DATA, LLIST_LEN, LLIST_SIZE};
use std::sync::OnceLock;

/// The fields after the object header, as compiled code sees them.
#[repr(C)]
struct Fields {
    data: *mut u64,
    len: i64,
    cap: i64,
    boxed: *mut ffi::PyObject,
}

const _: () = {
    assert!(std::mem::offset_of!(Fields, data) + 16 == LLIST_DATA as usize);
    assert!(std::mem::offset_of!(Fields, len) + 16 == LLIST_LEN as usize);
    assert!(std::mem::offset_of!(Fields, cap) + 16 == LLIST_CAP as usize);
    assert!(std::mem::offset_of!(Fields, boxed) + 16 == LLIST_BOXED as usize);
    assert!(std::mem::size_of::<Fields>() + 16 == LLIST_SIZE as usize);
};

/// The fields of local list `o`.
///
/// # Safety
/// `o` is a live object of the local list type.
unsafe fn fields<'a>(o: *mut ffi::PyObject) -> &'a mut Fields {
    // SAFETY: the caller's contract; the fields follow the 16-byte header.
    unsafe { &mut *(o as *mut u8).add(16).cast::<Fields>() }
}

unsafe extern "C" fn dealloc(o: *mut ffi::PyObject) {
    // SAFETY: CPython calls this once, for a local list whose count reached zero.
    unsafe {
        let f = fields(o);
        libc::free(f.data.cast());
        if !f.boxed.is_null() {
            ffi::Py_DECREF(f.boxed);
        }
        let tp = ffi::Py_TYPE(o);
        let free = ffi::PyType_GetSlot(tp, ffi::Py_tp_free);
        if !free.is_null() {
            let free: unsafe extern "C" fn(*mut std::ffi::c_void) = std::mem::transmute(free);
            free(o.cast());
        }
        // (instances of a heap type hold a reference to it)
        ffi::Py_DECREF(tp.cast());
    }
}

/// The local list type, made once (a heap type: `PyType_FromSpec`).
fn local_list_type() -> *mut ffi::PyTypeObject {
    static TYPE: OnceLock<usize> = OnceLock::new();
    *TYPE.get_or_init(|| {
        let mut slots = [
            ffi::PyType_Slot {
                slot: ffi::Py_tp_dealloc,
                pfunc: dealloc as *mut std::ffi::c_void,
            },
            ffi::PyType_Slot {
                slot: 0,
                pfunc: std::ptr::null_mut(),
            },
        ];
        let mut spec = ffi::PyType_Spec {
            name: c"pyston._local_list".as_ptr(),
            basicsize: LLIST_SIZE as std::ffi::c_int,
            itemsize: 0,
            flags: ffi::Py_TPFLAGS_DEFAULT as std::ffi::c_uint,
            slots: slots.as_mut_ptr(),
        };
        // SAFETY: called with the GIL held (by every caller); the spec is
        // complete, and CPython copies what it needs from it. The type lives
        // for the rest of the process (this reference is never released).
        unsafe { ffi::PyType_FromSpec(&mut spec) as usize }
    }) as *mut ffi::PyTypeObject
}

/// Grows the buffer to hold at least `want` elements: false when out of memory.
fn reserve(f: &mut Fields, want: i64) -> bool {
    if want <= f.cap {
        return true;
    }
    let cap = want.max(f.cap.saturating_mul(2)).max(8);
    let Some(bytes) = usize::try_from(cap).ok().and_then(|c| c.checked_mul(8)) else {
        return false;
    };
    // SAFETY: `data` is NULL or a buffer from this allocator.
    let p = unsafe { libc::realloc(f.data.cast(), bytes) } as *mut u64;
    if p.is_null() {
        return false;
    }
    f.data = p;
    f.cap = cap;
    true
}

/// A new local list of the `n` words at `items`, kept alive by the arena;
/// 0 when allocation failed (MemoryError set).
///
/// # Safety
/// Called by compiled code with its live context, holding the GIL; `items` holds `n` words.
pub unsafe extern "C" fn pyston_llist_new(ctx: *mut Ctx, items: *const u64, n: i64) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    let o = super::lists::with_gil(ctx, |_py| {
        // SAFETY: the GIL is held; the type's instances are zeroed by the
        // generic allocator, then filled here from `items` (`n` words).
        unsafe {
            let tp = local_list_type();
            let o = if tp.is_null() {
                std::ptr::null_mut()
            } else {
                ffi::PyType_GenericAlloc(tp, 0)
            };
            if o.is_null() {
                return o;
            }
            let f = fields(o);
            if !reserve(f, n.max(8)) {
                ffi::Py_DECREF(o);
                ffi::PyErr_NoMemory();
                return std::ptr::null_mut();
            }
            std::ptr::copy_nonoverlapping(items, f.data, n as usize);
            f.len = n;
            o
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// Room for one more element of local list `l`: OK, or ERROR (MemoryError set).
///
/// # Safety
/// Called by compiled code with its live context; `l` is a live local list.
pub unsafe extern "C" fn pyston_llist_grow(ctx: *mut Ctx, l: u64) -> i32 {
    // SAFETY: the caller's contract.
    let f = unsafe { fields(l as *mut ffi::PyObject) };
    if reserve(f, f.len + 1) {
        return OK;
    }
    // SAFETY: `ctx` is the call's live context; the GIL is held in the closure.
    super::lists::with_gil(unsafe { &*ctx }, |_py| unsafe { ffi::PyErr_NoMemory() });
    ERROR
}

/// Sets CPython's IndexError for a list operation out of range: `what` 0 a
/// read, 1 a write, 2 `pop()` of an empty list. Returns ERROR.
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_llist_index_error(ctx: *mut Ctx, what: i32) -> i32 {
    let msg = match what {
        0 => c"list index out of range",
        1 => c"list assignment index out of range",
        _ => c"pop from empty list",
    };
    // SAFETY: `ctx` is the call's live context; the GIL is held in the closure.
    super::lists::with_gil(unsafe { &*ctx }, |_py| unsafe {
        ffi::PyErr_SetString(ffi::PyExc_IndexError, msg.as_ptr())
    });
    ERROR
}

/// A new `list` of local list `l`'s elements (of kind `kind`), kept alive by
/// the arena: where compiled code returns the local list (nothing uses it
/// after). 0 when an allocation failed (the exception is set).
///
/// # Safety
/// Called by compiled code with its live context, holding the GIL; `l` is a live local list.
pub unsafe extern "C" fn pyston_llist_to_list(ctx: *mut Ctx, l: u64, kind: i32) -> u64 {
    // SAFETY: `ctx` is the call's live context.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `l` is a live local list (the contract); the GIL is held in the closure.
    let o = super::lists::with_gil(ctx, |py| match unsafe { new_list(py, l as *mut ffi::PyObject, kind) } {
        Ok(o) => o,
        Err(e) => {
            e.restore(py);
            std::ptr::null_mut()
        }
    });
    if !o.is_null() {
        ctx.arena.push(o);
    }
    o as u64
}

/// A new reference to a new `list` of the elements of local list `l`.
///
/// # Safety
/// `l` is a live local list; the GIL is held.
unsafe fn new_list(py: Python<'_>, l: *mut ffi::PyObject, kind: i32) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: the caller's contract; PyList_SetItem steals each new element.
    unsafe {
        let f = fields(l);
        let list = ffi::PyList_New(f.len as ffi::Py_ssize_t);
        if list.is_null() {
            return Err(PyErr::fetch(py));
        }
        for i in 0..f.len as usize {
            let o = super::lists::box_elem(py, kind, *f.data.add(i));
            if o.is_null() || ffi::PyList_SetItem(list, i as ffi::Py_ssize_t, o) < 0 {
                ffi::Py_DECREF(list);
                return Err(PyErr::fetch(py));
            }
        }
        Ok(list)
    }
}

/// The `list` local list `l` (of element kind `kind`) stands for: made on the
/// first call and the same object after, so that every value holding the
/// local list (aliases, block parameters) is handed to the interpreter tier
/// as one list. Compiled code does not use `l` after that.
///
/// # Safety
/// `l` is a live local list.
pub unsafe fn box_local_list(py: Python<'_>, l: *mut ffi::PyObject, kind: i32) -> PyResult<Py<PyAny>> {
    // SAFETY: the caller's contract; the GIL is held (`py`).
    unsafe {
        let f = fields(l);
        if f.boxed.is_null() {
            f.boxed = new_list(py, l, kind)?;
        }
        Ok(Bound::from_borrowed_ptr(py, f.boxed).unbind())
    }
}
