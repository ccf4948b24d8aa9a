//! Calls from compiled code into Python and NumPy.

use crate::boxing::*;
use crate::runtime::*;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyston_compiler::types::Ty;

/// A call from compiled code into Python/NumPy (a NumPy function, an array
/// method or operator, slicing). Arguments arrive as slots typed by the
/// descriptor; the result is unboxed into `out` and kept alive in the arena.
/// DEOPT when the call raises (the interpreter re-executes it and raises
/// exactly); DEOPT_AFTER when the result does not have the expected type.
///
/// # Safety
/// Called by compiled code; `desc` is owned by the function's metadata, `args`
/// holds the slots of `desc.arg_tys`, `out` has room for the result's slots.
pub unsafe extern "C" fn pyston_pycall(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, out: *mut u64) -> i32 {
    {
        // SAFETY: see the function's contract.
        let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
        if let Some(n) = &desc.native {
            let nslots: usize = desc.arg_tys.iter().map(slot_count).sum();
            // SAFETY: `args` holds `nslots` slots; `out` has room for the result's slot.
            let slots = unsafe { std::slice::from_raw_parts(args, nslots) };
            // SAFETY: as above; `ctx` is the call's context.
            if let Some(st) = unsafe { super::random::native_draw(ctx, n, slots, out) } {
                return st;
            }
        }
    }
    Python::attach(|py| {
        // SAFETY: see the function's contract.
        let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
        let nslots: usize = desc.arg_tys.iter().map(slot_count).sum();
        // SAFETY: `args` holds `nslots` slots.
        let slots = unsafe { std::slice::from_raw_parts(args, nslots) };
        let r = (|| -> PyResult<Py<PyAny>> {
            // A call of a function without arguments (np.random.random()): vectorcall.
            if let (PyCallKind::Call(f), true) = (&desc.kind, desc.arg_tys.is_empty()) {
                return Ok(f.bind(py).call0()?.unbind());
            }
            let mut pos = 0;
            let mut vals: smallvec::SmallVec<[Py<PyAny>; 4]> = smallvec::SmallVec::new();
            for t in &desc.arg_tys {
                vals.push(box_value(py, t, slots, &mut pos)?.unwrap_or_else(|| py.None()));
            }
            let key = |items: &[Py<PyAny>]| -> PyResult<Py<PyAny>> {
                Ok(if items.len() == 1 {
                    items[0].clone_ref(py)
                } else {
                    pyo3::types::PyTuple::new(py, items)?.into_any().unbind()
                })
            };
            Ok(match &desc.kind {
                PyCallKind::Call(_) | PyCallKind::Method(_) => {
                    let (callee, first) = match &desc.kind {
                        PyCallKind::Call(f) => (f.bind(py).clone(), 0),
                        PyCallKind::Method(m) => (vals[0].bind(py).getattr(m.as_str())?, 1),
                        _ => unreachable!(),
                    };
                    let rest = &vals[first..];
                    let npos = rest.len() - desc.kw.len();
                    let kwargs = if desc.kw.is_empty() {
                        None
                    } else {
                        let d = PyDict::new(py);
                        for (k, v) in desc.kw.iter().zip(&rest[npos..]) {
                            d.set_item(k, v)?;
                        }
                        Some(d)
                    };
                    if desc.direct {
                        let args = pyo3::types::PyTuple::new(py, &rest[..npos])?;
                        return Ok(callee.call(args, kwargs.as_ref())?.unbind());
                    }
                    // From a frame at the call's line: NumPy's warnings carry the kernel's line.
                    desc.call_located(py, callee, &rest[..npos], kwargs.as_ref())?.unbind()
                }
                PyCallKind::Attr(a) => vals[0].bind(py).getattr(a.as_str())?.unbind(),
                PyCallKind::GetItem(f) => f.bind(py).call1((&vals[0], key(&vals[1..])?))?.unbind(),
                PyCallKind::SetItem(f) => {
                    let n = vals.len();
                    f.bind(py)
                        .call1((&vals[0], key(&vals[1..n - 1])?, &vals[n - 1]))?
                        .unbind()
                }
            })
        })();
        let obj = match r {
            Ok(o) => o,
            Err(e) => {
                // Raised where it happened (an in-place operation may have written
                // part of its result already; running it again would differ).
                e.restore(py);
                return ERROR;
            }
        };
        // The common scalar results (a draw's float or int, a `seed`'s None): no
        // general unboxing.
        let tp = obj.bind(py).get_type_ptr();
        match desc.ret {
            Ty::Float if tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type) => {
                // SAFETY: `obj` is exactly a float; `out` has room for the result's slot.
                unsafe { *out = ffi::PyFloat_AsDouble(obj.as_ptr()).to_bits() };
                return OK;
            }
            Ty::Int if tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) => {
                let mut overflow = 0;
                // SAFETY: `obj` is exactly an int.
                let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
                if overflow == 0 {
                    // SAFETY: `out` has room for the result's slot.
                    unsafe { *out = v as u64 };
                    return OK;
                }
            }
            Ty::NoneT if obj.is_none(py) => return OK,
            _ => {}
        }
        let mut res: Vec<u64> = Vec::with_capacity(4);
        match unbox_value(py, &desc.ret, obj.bind(py), &mut res) {
            Ok(true) => {
                for (i, s) in res.iter().enumerate() {
                    // SAFETY: `out` has room for the result's slots.
                    unsafe { *out.add(i) = *s };
                }
                // The arena keeps every array the result holds (arrays inside a
                // tuple too), each by its own reference: compiled code refers to
                // arrays, never to the tuple.
                keep_arrays(&desc.ret, &res, &mut 0, &mut ctx.arena);
                drop(obj);
                OK
            }
            Ok(false) => {
                ctx.pending = Some(obj);
                DEOPT_AFTER
            }
            Err(e) => {
                e.restore(py);
                ERROR
            }
        }
    })
}

/// Takes a reference, into the arena, to each array in a value's slots.
pub(crate) fn keep_arrays(t: &Ty, slots: &[u64], pos: &mut usize, arena: &mut Vec<*mut ffi::PyObject>) {
    match t {
        Ty::Array(a) => {
            let o = slots[*pos + ArraySlots::OBJ] as *mut ffi::PyObject;
            // SAFETY: the slot holds a live ndarray (owned by the call's result).
            unsafe { ffi::Py_INCREF(o) };
            arena.push(o);
            *pos += ArraySlots::new(a.ndim as usize).count();
        }
        Ty::Tuple(ts) => ts.iter().for_each(|t| keep_arrays(t, slots, pos, arena)),
        Ty::Obj(_) => {
            let o = slots[*pos] as *mut ffi::PyObject;
            // SAFETY: the slot holds a live object (owned by the call's result).
            unsafe { ffi::Py_INCREF(o) };
            arena.push(o);
            *pos += 1;
        }
        t => *pos += slot_count(t),
    }
}
