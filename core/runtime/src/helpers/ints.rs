//! Python ints beyond 64 bits: boxing, arithmetic and comparisons on int objects.

use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;

/// Boxes an i64 as a Python int (kept alive by the arena).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_box_int(ctx: *mut Ctx, v: i64) -> u64 {
    // SAFETY: `ctx` is the live context of this call.
    super::lists::with_gil(unsafe { &*ctx }, |_| {
        // SAFETY: plain C API call with the GIL held; a new reference or NULL.
        let o = unsafe { ffi::PyLong_FromLongLong(v) };
        if !o.is_null() {
            // SAFETY: `ctx` is the live context of this call.
            unsafe { (*ctx).arena.push(o) };
        }
        o as u64
    })
}

/// `a OP b` on Python ints (CPython's own arithmetic). `op` indexes
/// `INT_OPS`, or is 100 + 0/1/2 for unary -, +, ~ (`b` ignored). Returns the
/// new object (arena-owned) or 0 when it raised (compiled code then
/// deoptimizes and the interpreter raises exactly).
///
/// # Safety
/// Called by compiled code; `a` and `b` are live int objects.
pub unsafe extern "C" fn pyston_int_op(ctx: *mut Ctx, op: i32, a: u64, b: u64) -> u64 {
    // SAFETY: `ctx` is the live context of this call.
    super::lists::with_gil(unsafe { &*ctx }, |py| {
        // SAFETY: both slots hold live objects for the duration of the call.
        let x = unsafe { Bound::from_borrowed_ptr(py, a as *mut ffi::PyObject) };
        let r = match op {
            100 => x.neg().map(|o| o.unbind()),
            101 => x.pos().map(|o| o.unbind()),
            102 => x.bitnot().map(|o| o.unbind()),
            _ => {
                // SAFETY: as above.
                let y = unsafe { Bound::from_borrowed_ptr(py, b as *mut ffi::PyObject) };
                crate::interp::binop(py, INT_OPS[op as usize], false, &x, &y)
            }
        };
        match r {
            Ok(o) => {
                let p = o.into_ptr();
                // SAFETY: `ctx` is the live context of this call.
                unsafe { (*ctx).arena.push(p) };
                p as u64
            }
            Err(_) => 0,
        }
    })
}

/// Rich comparison of two Python ints (`op`: CPython's Py_LT..Py_GE): 0/1, or -1 when it raised.
///
/// # Safety
/// Called by compiled code; `a` and `b` are live objects.
pub unsafe extern "C" fn pyston_int_cmp(op: i32, a: u64, b: u64) -> i32 {
    Python::attach(|_| {
        // SAFETY: live objects, GIL held.
        unsafe { ffi::PyObject_RichCompareBool(a as *mut ffi::PyObject, b as *mut ffi::PyObject, op) }
    })
}

/// `a / b` for Python ints (CPython's correctly rounded true division); DEOPT when it raises.
///
/// # Safety
/// Called by compiled code; `a`, `b` are live objects and `out` a writable slot.
pub unsafe extern "C" fn pyston_int_truediv(a: u64, b: u64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        // SAFETY: live objects, GIL held.
        let (x, y) = unsafe {
            (
                Bound::from_borrowed_ptr(py, a as *mut ffi::PyObject),
                Bound::from_borrowed_ptr(py, b as *mut ffi::PyObject),
            )
        };
        match crate::interp::binop(py, pyston_compiler::hir::BinOp::Div, false, &x, &y)
            .and_then(|r| r.extract::<f64>(py))
        {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// Boxes a float (kept alive by the arena).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_box_float(ctx: *mut Ctx, v: f64) -> u64 {
    Python::attach(|_| {
        // SAFETY: plain C API call with the GIL held; a new reference or NULL.
        let o = unsafe { ffi::PyFloat_FromDouble(v) };
        if !o.is_null() {
            // SAFETY: `ctx` is the live context of this call.
            unsafe { (*ctx).arena.push(o) };
        }
        o as u64
    })
}

/// `Op::CellSet`: sets a variable's cell to the value `bits` holds, of
/// `kind` (`abi::CELL_*`: an object's pointer, a live object; an i64 or an
/// f64, boxed here, the cell taking the only reference, so a loop rebinding
/// the variable keeps nothing alive), or empties it. ERROR when boxing or
/// the set fails (its exception set).
///
/// # Safety
/// Called by compiled code with its live context; `cell` is a live cell
/// object, and `bits` a live object for `CELL_OBJ`.
pub unsafe extern "C" fn pyston_cell_set(ctx: *mut Ctx, cell: *mut ffi::PyObject, bits: i64, kind: i32) -> i32 {
    use pyston_compiler::abi::{CELL_BOOL, CELL_CLEAR, CELL_FLOAT, CELL_INT, CELL_NP, CELL_OBJ};
    if kind == CELL_OBJ && bits == 0 {
        return ERROR; // (an object compiled code could not make: its exception is set)
    }
    // SAFETY: `ctx` is the live context of this call.
    super::lists::with_gil(unsafe { &*ctx }, |py| {
        let name = pyo3::intern!(py, "cell_contents");
        // SAFETY: the GIL is held; `cell` is live (the caller's contract).
        let cell = unsafe { Bound::from_borrowed_ptr(py, cell) };
        // SAFETY: plain C API calls with the GIL held (a new reference or NULL,
        // owned by the `Bound`), or a live object (the caller's contract).
        let value = unsafe {
            match kind {
                CELL_CLEAR => None,
                CELL_INT => Some(Bound::from_owned_ptr_or_err(py, ffi::PyLong_FromLongLong(bits))),
                CELL_FLOAT => Some(Bound::from_owned_ptr_or_err(
                    py,
                    ffi::PyFloat_FromDouble(f64::from_bits(bits as u64)),
                )),
                CELL_BOOL => Some(Ok(pyo3::types::PyBool::new(py, bits & 1 != 0).to_owned().into_any())),
                k if k >= CELL_NP => {
                    let d = pyston_compiler::dtype::Dtype::ALL.get((k - CELL_NP) as usize).copied();
                    let slots = [bits as u64];
                    let mut pos = 0;
                    Some(
                        d.ok_or_else(|| crate::internal_error("a cell's NumPy scalar kind"))
                            .and_then(|d| {
                                crate::boxing::box_value(py, &pyston_compiler::types::Ty::Np(d), &slots, &mut pos)
                            })
                            .and_then(|o| o.ok_or_else(|| crate::internal_error("a NumPy scalar for a cell")))
                            .map(|o| o.into_bound(py)),
                    )
                }
                _ => Some(Ok(Bound::from_borrowed_ptr(py, bits as *mut ffi::PyObject))),
            }
        };
        // `PyCell_Set` itself where CPython exports it (a generic `setattr`
        // of `cell_contents` looks the descriptor up: about 60 ns more).
        if let Some(set) = crate::env::cell_set_fn() {
            let v = match value {
                None => Ok(std::ptr::null_mut()),
                Some(Ok(ref v)) => Ok(v.as_ptr()),
                Some(Err(e)) => Err(e),
            };
            return match v {
                // SAFETY: a live cell and a live object or NULL (the cell takes
                // its own reference; NULL empties it).
                Ok(p) if unsafe { set(cell.as_ptr(), p) } == 0 => OK,
                Ok(_) => ERROR,
                Err(e) => {
                    e.restore(py);
                    ERROR
                }
            };
        }
        let r = match value {
            None => match cell.hasattr(name) {
                Ok(true) => cell.delattr(name),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            },
            Some(v) => v.and_then(|v| cell.setattr(name, v)),
        };
        match r {
            Ok(()) => OK,
            Err(e) => {
                e.restore(py);
                ERROR
            }
        }
    })
}

/// The value of an exact Python float object; DEOPT if it is not one.
///
/// # Safety
/// Called by compiled code; `o` is a live object and `out` a writable slot.
pub unsafe extern "C" fn pyston_obj_f64(o: u64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        // SAFETY: a live object, GIL held.
        let b = unsafe { Bound::from_borrowed_ptr(py, o as *mut ffi::PyObject) };
        if !b.is_exact_instance_of::<pyo3::types::PyFloat>() {
            return DEOPT;
        }
        // SAFETY: `out` points to a stack slot in the calling compiled function.
        unsafe { *out = b.extract::<f64>().unwrap_or(f64::NAN) };
        OK
    })
}

/// Truth of a Python int (0/1).
///
/// # Safety
/// Called by compiled code; `a` is a live object.
pub unsafe extern "C" fn pyston_int_truth(a: u64) -> i32 {
    Python::attach(|_| {
        // SAFETY: a live object, GIL held.
        unsafe { ffi::PyObject_IsTrue(a as *mut ffi::PyObject) }
    })
}
