//! Calls from compiled code into Python and NumPy.

use crate::boxing::*;
use crate::runtime::*;
use numpy::npyffi;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyston_compiler::types::{Dtype, ObjClass, Ty};

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
    // A scalar `numpy.random` draw from a generator this call already holds:
    // drawn here, without `pycall`'s frame (see `random::fast_draw`).
    // SAFETY: the caller's contract is this function's.
    if let Some(n) = unsafe { &(*desc).native } {
        // SAFETY: as above: `args` holds the call's `nslots` slots.
        let slots = unsafe { std::slice::from_raw_parts(args, (*desc).nslots) };
        // SAFETY: as above; `ctx` is the call's live context.
        if let Some(st) = unsafe { super::random::fast_draw(&mut *ctx, n, slots, out) } {
            return st;
        }
    }
    // SAFETY: the caller's contract is this function's.
    let st = unsafe { pycall(ctx, desc, args, out, 0) };
    crate::runtime::clean_upper();
    st
}

/// A `numpy.random` array draw of `count` elements (a constant `size`, one
/// dimension) whose array compiled code proved never escapes (its codegen's
/// `plan_stack_arrays`): the draws are written to `buf`, compiled code's own
/// buffer, and no array is left to the call. Natively when the call holds
/// the generator (`random::fast_fill`, no array made); otherwise the call as
/// `pyston_pycall` makes it (taking the lock, drawing natively into an
/// array, or NumPy's call), its elements copied to `buf` and the array
/// released from the arena at once (kept for reuse: `arrays::drop_temp`).
/// An array of another length than `count` (not what NumPy makes) goes to
/// the interpreter as the call's result (DEOPT_AFTER, `ctx.pending`).
///
/// # Safety
/// As `pyston_pycall`; `desc` is a draw's (its result a 1-D array of 8-byte
/// elements); `buf` has room for `count` 8-byte elements.
pub unsafe extern "C" fn pyston_rng_fill(
    ctx: *mut Ctx,
    desc: *const PyCallDesc,
    args: *const u64,
    buf: *mut u64,
    count: i64,
) -> i32 {
    let count = count.max(0) as usize;
    // SAFETY: the caller's contract is this function's.
    if let Some(n) = unsafe { &(*desc).native } {
        // SAFETY: as above: `args` holds the call's `nslots` slots.
        let slots = unsafe { std::slice::from_raw_parts(args, (*desc).nslots) };
        // SAFETY: as above; `ctx` is the call's live context.
        if let Some(st) = unsafe { super::random::fast_fill(&mut *ctx, n, slots, buf, count) } {
            return st;
        }
    }
    // The array's slots: data, object, length, stride.
    let mut out = [0u64; 4];
    // SAFETY: the caller's contract; `out` has room for a 1-D array's slots.
    let st = unsafe { pyston_pycall(ctx, desc, args, out.as_mut_ptr()) };
    if st != OK {
        return st;
    }
    let (data, obj, len, stride) = (
        out[0] as *const u8,
        out[1] as *mut ffi::PyObject,
        out[2],
        out[3] as isize,
    );
    let run = |py: Python<'_>| {
        // SAFETY: `ctx` is the call's live context; the GIL is held (`py`).
        let ctx = unsafe { &mut *ctx };
        // The arena's reference to the result (the last the call left there).
        let held = ctx.arena.iter().rposition(|&o| o == obj).map(|k| ctx.arena.remove(k));
        if len as usize != count {
            // SAFETY: `obj` is the live result (the arena's reference, or borrowed).
            ctx.pending = Some(unsafe { Bound::from_borrowed_ptr(py, obj) }.unbind());
            if let Some(o) = held {
                // SAFETY: the arena's strong reference, given up (`pending` has its own).
                unsafe { ffi::Py_DECREF(o) };
            }
            return DEOPT_AFTER;
        }
        for k in 0..count {
            // SAFETY: `k < len`: an element of the live result (8 bytes at its
            // stride); `buf` has room for `count` elements.
            unsafe { *buf.add(k) = std::ptr::read_unaligned(data.offset(k as isize * stride) as *const u64) };
        }
        if let Some(o) = held {
            // SAFETY: the arena's strong reference; nothing in compiled code refers to it.
            unsafe { super::arrays::drop_temp(ctx, o) };
        }
        OK
    };
    // SAFETY: as in `pyston_pycall`.
    let st = if unsafe { (*ctx).no_gil } {
        Python::attach(run)
    } else {
        run(unsafe { Python::assume_attached() })
    };
    crate::runtime::clean_upper();
    st
}

/// `pyston_pycall` where the arguments whose bits are set in `dying` are
/// arrays made by an earlier call into NumPy (held by the arena) that no
/// instruction uses after this one (compiled code's analysis: one use, in
/// the same block). Two things then match what CPython does with a
/// temporary in an expression:
///
/// * elision: a binary operator whose dying operand could take the result
///   in place (NumPy's own conditions for eliding a temporary: an exact,
///   writeable ndarray owning its data of at least 256 KiB that nothing
///   else refers to; the other operand a scalar or an array of the same
///   shape and strides; the result of the result's dtype) runs as the
///   in-place operator (`t + x` as `t += x`: the same ufunc loop on the same
///   values, so the same result), with no new array;
/// * release: after the call, a dying array nothing else refers to is freed
///   (not kept until the function returns), so memory is reused as in CPython.
///
/// # Safety
/// As `pyston_pycall`.
pub unsafe extern "C" fn pyston_pycall_dying(
    ctx: *mut Ctx,
    desc: *const PyCallDesc,
    args: *const u64,
    out: *mut u64,
    dying: u64,
) -> i32 {
    // SAFETY: the caller's contract is this function's.
    let st = unsafe { pycall(ctx, desc, args, out, dying) };
    crate::runtime::clean_upper();
    st
}

/// `pycall` for `lst.append(x)` where `lst` is exactly a list and `x` an
/// object (a list of functions, of objects of a class): `PyList_Append`,
/// what `list.append` itself does, without looking the method up or boxing
/// the arguments again. `None`: not such a call (the general path runs it).
///
/// # Safety
/// As `pycall`.
unsafe fn list_append(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64) -> Option<i32> {
    // SAFETY: see the function's contract.
    let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
    let PyCallKind::Method(m) = &desc.kind else { return None };
    if ctx.no_gil
        || m != "append"
        || !desc.kw.is_empty()
        || desc.ret != Ty::NoneT
        || desc.arg_tys.len() != 2
        || !matches!(desc.arg_tys[0], Ty::List(_))
        || !matches!(desc.arg_tys[1], Ty::Obj(_) | Ty::PyStr | Ty::PyInt)
    {
        return None;
    }
    // SAFETY: `args` holds the call's slots: a list's and an object's pointer
    // (one slot each), live objects; the GIL is held (`!ctx.no_gil`).
    unsafe {
        let (lst, x) = (*args as *mut ffi::PyObject, *args.add(1) as *mut ffi::PyObject);
        if lst.is_null() || x.is_null() || ffi::Py_TYPE(lst) != std::ptr::addr_of_mut!(ffi::PyList_Type) {
            return None;
        }
        // (PyList_Append takes its own reference; it fails only for want of memory)
        Some(if ffi::PyList_Append(lst, x) == 0 { OK } else { ERROR })
    }
}

/// `pycall` for the common call of a function (a builtin, a `str` method as
/// `str.m`, an `operator` function) on objects and plain scalars, with a
/// scalar, `None` or string result and the GIL held: the arguments are passed
/// as borrowed pointers (scalars boxed), the result unboxed directly. `None`:
/// not such a call (the general path runs it).
///
/// # Safety
/// As `pycall`.
unsafe fn simple_call(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, out: *mut u64) -> Option<i32> {
    // SAFETY: see the function's contract.
    let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
    let PyCallKind::Call(f) = &desc.kind else { return None };
    if ctx.no_gil || !desc.direct || !desc.kw.is_empty() || desc.inplace.is_some() || desc.arg_tys.len() > 6 {
        return None;
    }
    // (a made function, `Op::Lambda`, and a variable's cell, `Op::Cell`: objects)
    let made = matches!(desc.ret, Ty::Obj(ObjClass::Function | ObjClass::Cell));
    if !matches!(desc.ret, Ty::Float | Ty::Int | Ty::Bool | Ty::NoneT | Ty::PyStr) && !made {
        return None;
    }
    let plain = |t: &Ty| {
        matches!(
            t,
            Ty::PyStr
                | Ty::PyInt
                | Ty::List(_)
                | Ty::Dict(..)
                | Ty::Set(_)
                | Ty::PyIter(_)
                | Ty::Int
                | Ty::Float
                | Ty::Bool
                | Ty::NoneT
                | Ty::Obj(_)
        )
    };
    if !desc.arg_tys.iter().all(plain) {
        return None;
    }
    // SAFETY: `args` holds the call's `nslots` slots.
    let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
    let mut ptrs = [std::ptr::null_mut::<ffi::PyObject>(); 6];
    let mut owned = [false; 6];
    let mut pos = 0;
    // SAFETY: the GIL is held (`!ctx.no_gil`); object slots hold live objects.
    unsafe {
        let py = Python::assume_attached();
        let mut ok = true;
        for (k, t) in desc.arg_tys.iter().enumerate() {
            let (p, own) = match t {
                Ty::Int => (ffi::PyLong_FromLongLong(slots[pos] as i64), true),
                Ty::Float => (ffi::PyFloat_FromDouble(f64::from_bits(slots[pos])), true),
                Ty::Bool => (
                    if slots[pos] & 0xff != 0 {
                        ffi::Py_True()
                    } else {
                        ffi::Py_False()
                    },
                    false,
                ),
                Ty::NoneT => (ffi::Py_None(), false),
                _ => (slots[pos] as *mut ffi::PyObject, false),
            };
            pos += usize::from(*t != Ty::NoneT);
            ptrs[k] = p;
            owned[k] = own;
            ok &= !p.is_null();
        }
        let n = desc.arg_tys.len();
        // A nested function or lambda made (`Op::Lambda`): the maker called
        // natively, without an argument tuple or its `__call__`.
        // (exactly the maker's class, compared by pointer: `cast` would call
        // `PyType_IsSubtype` through the stable ABI on every function made)
        let maker = if made
            && ok
            && ffi::Py_TYPE(f.as_ptr()) == <crate::env::FunctionMaker as pyo3::PyTypeInfo>::type_object_raw(py)
        {
            // SAFETY: `f` is exactly a FunctionMaker (its type compared above).
            Some(f.bind(py).cast_unchecked::<crate::env::FunctionMaker>())
        } else {
            None
        };
        let r = if let Some(m) = &maker {
            m.get().make_from_ptrs(py, &ptrs[..n]).map(|o| o.into_bound(py))
        } else if ok {
            // (kept as a `Bound`: its drop is a plain `Py_DECREF`, the GIL being held)
            crate::runtime::vectorcall(py, f.bind(py), &ptrs[..n])
        } else {
            Err(PyErr::fetch(py))
        };
        for k in 0..n {
            if owned[k] && !ptrs[k].is_null() {
                ffi::Py_DECREF(ptrs[k]);
            }
        }
        let obj = match r {
            Ok(o) => o,
            Err(e) => {
                e.restore(py);
                return Some(ERROR);
            }
        };
        let o = obj.as_ptr();
        let tp = ffi::Py_TYPE(o);
        match desc.ret {
            Ty::Float if tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type) => {
                *out = ffi::PyFloat_AsDouble(o).to_bits();
                return Some(OK);
            }
            Ty::Int if tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) => {
                let mut overflow = 0;
                let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
                if overflow == 0 {
                    *out = v as u64;
                    return Some(OK);
                }
            }
            Ty::Bool if tp == std::ptr::addr_of_mut!(ffi::PyBool_Type) => {
                *out = u64::from(o == ffi::Py_True());
                return Some(OK);
            }
            Ty::NoneT if o == ffi::Py_None() => return Some(OK),
            Ty::PyStr if tp == std::ptr::addr_of_mut!(ffi::PyUnicode_Type) => {
                ctx.arena.push(obj.into_ptr());
                *out = o as u64;
                return Some(OK);
            }
            // A function the maker made (`PyFunction_NewWithQualName` or
            // `types.FunctionType`: exactly a function).
            Ty::Obj(ObjClass::Function) if maker.is_some() => {
                ctx.arena.push(obj.into_ptr());
                *out = o as u64;
                return Some(OK);
            }
            // (exactly the class: `to_slots` checks it)
            Ty::Obj(_) if made => {
                let mut slot = Vec::with_capacity(1);
                if let Ok(Some(_)) = crate::boxing::to_slots(py, &obj, Some(&desc.ret), &mut slot) {
                    ctx.arena.push(obj.into_ptr());
                    *out = slot[0];
                    return Some(OK);
                }
            }
            _ => {}
        }
        // Another type: compiled code continues on the interpreter tier with it.
        ctx.pending = Some(obj.unbind());
        Some(DEOPT_AFTER)
    }
}

/// Whether a fused expression may write its result into its operand `x`, an
/// array made by a call into NumPy that nothing else uses (see `fuse`), whose
/// elements compiled code sees at `data` (`n` of them): 1 when the arena's
/// reference is its only one and it is a C-contiguous, writable array owning
/// its data, starting there and `n` long (NumPy's own temporary elision, at
/// any size).
///
/// # Safety
/// Called by compiled code with its live context; `x` is a live object.
pub unsafe extern "C" fn pyston_fuse_elidable(ctx: *mut Ctx, x: *mut ffi::PyObject, data: i64, n: i64) -> i32 {
    // SAFETY: `ctx` is the live context of this call; `x` is live (the arena
    // holds it, checked first), so its refcount and array fields can be read.
    unsafe {
        let ctx = &*ctx;
        if ffi::Py_REFCNT(x) != 1 || !ctx.arena.contains(&x) {
            return 0;
        }
        let xa = &(*(x as *mut npyffi::PyArrayObject)).fields;
        let need = npyffi::NPY_ARRAY_OWNDATA | npyffi::NPY_ARRAY_WRITEABLE | npyffi::NPY_ARRAY_C_CONTIGUOUS;
        let dims = std::slice::from_raw_parts(xa.dimensions, xa.nd as usize);
        let same = xa.data as i64 == data && dims.iter().product::<isize>() as i64 == n;
        (same && xa.flags & need == need && xa.flags & npyffi::NPY_ARRAY_WRITEBACKIFCOPY == 0) as i32
    }
}

/// Drops the exception a call into NumPy just raised. Compiled code calls it
/// for a call between the nodes of a fused expression (`a[:, k]` with `k` out
/// of range): it then deoptimizes to the expression's first node, and the
/// interpreter runs the nodes (their NumPy calls and warnings) and the call
/// again, which raises the same exception there, after them, as in CPython.
///
/// # Safety
/// Called by compiled code, on the thread that ran the call.
pub unsafe extern "C" fn pyston_clear_error() {
    Python::attach(|py| drop(PyErr::take(py)));
}

/// Frees `x`, a temporary made by a call into NumPy that a fused expression
/// just read for the last time, if nothing else refers to it (as
/// `pyston_pycall_dying` frees a dying operand): CPython drops it there too.
///
/// # Safety
/// Called by compiled code with its live context; `x` was made by a call
/// this context's arena holds (it is looked at only once found there).
pub unsafe extern "C" fn pyston_release_temp(ctx: *mut Ctx, x: *mut ffi::PyObject) {
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    if !ctx.no_gil {
        // (with the GIL held: not `no_gil`)
        release(&mut ctx.arena, x, 0);
    }
}

/// NumPy's smallest temporary worth eliding (`NPY_MIN_ELIDE_BYTES`).
const MIN_ELIDE_BYTES: isize = 256 * 1024;

/// Whether `x op= y` may stand for `x op y` (see `pyston_pycall_dying`): `x`
/// is held only by the arena and by the call's own reference.
fn elidable(py: Python<'_>, arena: &[*mut ffi::PyObject], x: &Py<PyAny>, y: &Py<PyAny>, ret: &Ty, pow: bool) -> bool {
    let Ty::Array(rt) = ret else { return false };
    let Ok(np) = np_types(py) else { return false };
    let xp = x.as_ptr();
    // SAFETY: `xp` is a live object (the call holds a reference); the fields are
    // read only after checking that it is exactly an ndarray.
    unsafe {
        if ffi::Py_REFCNT(xp) != 2 || ffi::Py_TYPE(xp) as usize != np.ndarray_type || !arena.contains(&xp) {
            return false;
        }
        let xa = &(*(xp as *mut npyffi::PyArrayObject)).fields;
        let flags = xa.flags;
        let need = npyffi::NPY_ARRAY_OWNDATA | npyffi::NPY_ARRAY_WRITEABLE;
        if flags & need != need || flags & npyffi::NPY_ARRAY_WRITEBACKIFCOPY != 0 {
            return false;
        }
        if np.descrs.get(dtype_index(rt.dtype)) != Some(&(xa.descr as usize)) || xa.nd != rt.ndim as i32 {
            return false;
        }
        let nd = xa.nd as usize;
        let dims = std::slice::from_raw_parts(xa.dimensions, nd);
        let strides = std::slice::from_raw_parts(xa.strides, nd);
        let n: isize = dims.iter().product();
        if n * (rt.dtype.itemsize() as isize) < MIN_ELIDE_BYTES {
            return false;
        }
        let float = matches!(rt.dtype, Dtype::Float64 | Dtype::Float32 | Dtype::Complex128);
        if pow && !float {
            return false; // integer powers: negative exponents raise; leave them to NumPy
        }
        let yp = y.as_ptr();
        if ffi::Py_TYPE(yp) as usize == np.ndarray_type {
            let ya = &(*(yp as *mut npyffi::PyArrayObject)).fields;
            ya.nd == 0
                || (ya.nd == xa.nd
                    && std::slice::from_raw_parts(ya.dimensions, nd) == dims
                    && std::slice::from_raw_parts(ya.strides, nd) == strides)
        } else if ffi::PyFloat_CheckExact(yp) != 0 || ffi::PyComplex_CheckExact(yp) != 0 || ffi::PyBool_Check(yp) != 0 {
            true
        } else if ffi::PyLong_CheckExact(yp) != 0 {
            // an int converts to the float dtype without raising when it fits 64 bits
            let mut overflow = 0;
            let _ = ffi::PyLong_AsLongLongAndOverflow(yp, &mut overflow);
            float && overflow == 0
        } else {
            np.scalar_types.contains(&(ffi::Py_TYPE(yp) as usize))
        }
    }
}

/// Frees a dying array the arena holds if nothing else refers to it (its
/// arena entry becomes `None`, so the arena's marks stay where they were).
/// The arena may hold one object more than once (`x.shape = s` returns `x`,
/// which compiled code holds as a new value): where its entries are all its
/// references, the dying value's entry goes, and the object with the last.
/// `keep`: how many of its entries must stay (1 for an argument that is also
/// the call's result, which compiled code goes on using).
pub(super) fn release(arena: &mut [*mut ffi::PyObject], p: *mut ffi::PyObject, keep: isize) {
    // SAFETY: arena entries are live objects the arena holds a reference to;
    // `p` is looked at only once found there (an object the call made and
    // dropped, such as a view of a native slice, may be gone already).
    unsafe {
        let held = arena.iter().filter(|e| **e == p).count() as isize;
        if let Some(e) = arena.iter_mut().rev().find(|e| **e == p) {
            if ffi::Py_REFCNT(p) != held || held <= keep {
                return;
            }
            let none = ffi::Py_None();
            ffi::Py_INCREF(none);
            *e = none;
            ffi::Py_DECREF(p);
        }
    }
}

/// Drops the call's references to its arguments by a plain `Py_DECREF`:
/// the GIL is held (`_py`), which pyo3's drop of a `Py` would otherwise ask
/// its thread-local state about, once per argument of every call into NumPy.
fn decref_all(_py: Python<'_>, vals: &mut smallvec::SmallVec<[Py<PyAny>; 4]>) {
    for v in vals.drain(..) {
        // SAFETY: the GIL is held (`_py`); `v` is a strong reference, given up here.
        unsafe { ffi::Py_DECREF(v.into_ptr()) };
    }
}

/// Whether arguments of type `t` are boxed through the call's [`TupleCache`]:
/// tuples of ints, floats and bools (a shape, a default `mask=(1, 0, 1)`).
pub(crate) fn cacheable_tuple(t: &Ty) -> bool {
    matches!(t, Ty::Tuple(ts) if !ts.is_empty() && ts.len() <= 16 && ts.iter().all(|t| matches!(t, Ty::Int | Ty::Float | Ty::Bool)))
}

/// Argument `k` (of type `t`, its slots at `*pos`) of a call, boxed.
///
/// A tuple of scalars is the one the same call boxed last time when that
/// tuple is unchanged and nothing but the cache refers to it (or to a
/// float or big int in it): no tuple and no items made per iteration (a
/// tuple parameter `mask=(1, 0, 1)` passed to NumPy in a loop was a new
/// tuple and three ints per call). Exact: tuples, ints, floats and bools
/// are immutable, so an equal one holds the same values; and since no
/// Python object holds the old tuple (or such an item), nothing can compare
/// its identity with the one passed now, so the callee cannot tell it from
/// a new one (CPython reuses a freed tuple's memory, and so its `id()`, as
/// well). Ints from -5 to 256 are CPython's shared small ints, which a new
/// tuple would hold too. A callee that kept the tuple (`self.t = t`) raises
/// its reference count, and the next call then boxes a new one.
fn box_arg(py: Python<'_>, desc: &PyCallDesc, k: usize, t: &Ty, slots: &[u64], pos: &mut usize) -> PyResult<Py<PyAny>> {
    let cell = match (t, desc.tuples.0.get(k)) {
        (Ty::Tuple(ts), Some(cell)) if cacheable_tuple(t) => Some((ts, cell)),
        _ => None,
    };
    let Some((ts, cell)) = cell else {
        return Ok(box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None()));
    };
    let n = ts.len();
    let now = &slots[*pos..*pos + n];
    // SAFETY: the GIL is held (`py`), which serialises every access to the
    // cache (see `TupleCache`); nothing else borrows the entry meanwhile.
    let entry = unsafe { &mut *cell.get() };
    if let Some((o, was)) = entry {
        let same = was.iter().zip(now).zip(ts).all(|((a, b), t)| same_slot(t, *a, *b));
        // SAFETY: `o` is a live tuple of `n` items made from the slots `was`
        // (below), the GIL held.
        if same && unsafe { unshared(o.as_ptr(), ts, was) } {
            *pos += n;
            return Ok(o.clone_ref(py));
        }
    }
    let o = box_value(py, t, slots, pos)?.unwrap_or_else(|| py.None());
    *entry = Some((o.clone_ref(py), now.iter().copied().collect()));
    Ok(o)
}

/// Whether slots `a` and `b` of a value of type `t` (an int, float or bool)
/// box to equal objects: the same bits (0.0 and -0.0 differ, as do NaNs of
/// different payloads; a bool is its low byte).
fn same_slot(t: &Ty, a: u64, b: u64) -> bool {
    match t {
        Ty::Bool => (a & 0xff != 0) == (b & 0xff != 0),
        _ => a == b,
    }
}

/// Whether tuple `o`, made from the slots `was` of the types `ts`, is held
/// only by its cache, and each of its ints and floats only by it too (small
/// ints, -5 to 256, are CPython's shared objects, which a new tuple would
/// hold as well; bools are singletons).
///
/// # Safety
/// `o` is a live tuple of `ts.len()` items; the GIL is held.
unsafe fn unshared(o: *mut ffi::PyObject, ts: &[Ty], was: &[u64]) -> bool {
    // SAFETY: see the function's contract; each item is a live object the tuple holds.
    unsafe {
        ffi::Py_REFCNT(o) == 1
            && ts.iter().zip(was).enumerate().all(|(i, (t, v))| match t {
                Ty::Int if (-5..=256).contains(&(*v as i64)) => true,
                Ty::Int | Ty::Float => ffi::Py_REFCNT(ffi::PyTuple_GetItem(o, i as ffi::Py_ssize_t)) == 1,
                _ => true,
            })
    }
}

/// The object pointers of `objs`, without copying them out (this is on the
/// path of every call into NumPy, where collecting them into a vector cost
/// more than the rest of passing the arguments).
fn as_ptrs(objs: &[Py<PyAny>]) -> &[*mut ffi::PyObject] {
    const _: () = assert!(std::mem::size_of::<Py<PyAny>>() == std::mem::size_of::<*mut ffi::PyObject>());
    // SAFETY: `Py<T>` is `#[repr(transparent)]` over `NonNull<ffi::PyObject>`
    // (pyo3's own layout guarantee), which has the layout of `*mut PyObject`;
    // the slice borrows `objs`, so every pointer stays a live object for it.
    unsafe { std::slice::from_raw_parts(objs.as_ptr() as *const *mut ffi::PyObject, objs.len()) }
}

/// # Safety
/// As `pyston_pycall`.
#[inline(never)]
unsafe fn pycall(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, out: *mut u64, dying: u64) -> i32 {
    // (an array result nothing uses is dropped at once: see `abi::PYCALL_DISCARD`)
    let discard = dying & pyston_compiler::abi::PYCALL_DISCARD != 0;
    let dying = dying & !pyston_compiler::abi::PYCALL_DISCARD;
    {
        // SAFETY: see the function's contract.
        let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
        // SAFETY: `args` holds the call's `nslots` slots; `out` has room for its `nout`.
        let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
        if let Some(p) = desc.pure {
            // SAFETY: as above.
            let res = unsafe { std::slice::from_raw_parts_mut(out, desc.nout) };
            if p.eval(slots, res).is_some() {
                return OK;
            }
        }
        if let Some(d) = &desc.mt {
            // SAFETY: as above; compiled code holds the GIL when `ctx.rng_native`.
            if let Some(st) = unsafe { super::pyrandom::native_draw(ctx, d, slots, out) } {
                return st;
            }
        }
        if let Some(n) = &desc.native {
            // SAFETY: as above; `ctx` is the call's context.
            if let Some(st) = unsafe { super::random::native_draw(ctx, n, slots, out) } {
                return st;
            }
        }
    }
    // `a[i, lo:hi, None]`: a view computed here, as NumPy's basic indexing
    // computes it, without a call into NumPy.
    if dying == 0 {
        // SAFETY: the caller's contract is this function's.
        if let Some(st) = unsafe { basic_view(ctx, desc, args, out) } {
            return st;
        }
    }
    {
        // SAFETY: the caller's contract is this function's.
        if let Some(st) = unsafe { basic_setitem(ctx, desc, args, dying) } {
            return st;
        }
    }
    // `x[m]` and `x[m] = v` with a bool array `m` of `x`'s shape.
    // SAFETY: the caller's contract is this function's.
    if let Some(st) = unsafe { super::masks::mask_getitem(ctx, desc, args, out, dying) } {
        return st;
    }
    // SAFETY: as above.
    if let Some(st) = unsafe { super::masks::mask_setitem(ctx, desc, args, dying) } {
        return st;
    }
    // A call into Python may draw through NumPy's own functions, which take the
    // generator locks this call's native draws hold (not reentrant: a deadlock,
    // seen on NumPy 2.0 / CPython 3.9); the next native draw takes them again.
    // SAFETY: `ctx` is the live context of this call.
    let c = unsafe { &mut *ctx };
    if !c.rng_locks.is_empty() {
        super::random::release_locks(c);
    }
    // (a diagnostic count: a plain load and store, not a locked increment, which
    // drains the store buffer and cost a third of this function's own time;
    // calls on several threads at once may be undercounted)
    let n = &super::small::PYCALLS;
    n.store(
        n.load(std::sync::atomic::Ordering::Relaxed) + 1,
        std::sync::atomic::Ordering::Relaxed,
    );
    if dying == 0 {
        // SAFETY: the caller's contract is this function's.
        if let Some(st) = unsafe { list_append(ctx, desc, args) } {
            return st;
        }
        // SAFETY: the caller's contract is this function's.
        if let Some(st) = unsafe { simple_call(ctx, desc, args, out) } {
            return st;
        }
    }
    let body = |py: Python<'_>| -> i32 {
        // SAFETY: see the function's contract.
        let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
        // SAFETY: `args` holds the call's `nslots` slots.
        let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
        let mut vals: smallvec::SmallVec<[Py<PyAny>; 4]> = smallvec::SmallVec::new();
        // The dying operand computed into in place (it is the result), if any.
        let mut elided: Option<usize> = None;
        let r = (|| -> PyResult<Py<PyAny>> {
            // A call of a function without arguments (np.random.random()): vectorcall.
            if let (PyCallKind::Call(f), true) = (&desc.kind, desc.arg_tys.is_empty()) {
                return Ok(f.bind(py).call0()?.unbind());
            }
            let mut pos = 0;
            for (k, t) in desc.arg_tys.iter().enumerate() {
                vals.push(box_arg(py, desc, k, t, slots, &mut pos)?);
            }
            // A nested function or lambda made (`Op::Lambda`): natively, with the
            // boxed values, as `MAKE_FUNCTION` does.
            if let PyCallKind::Call(f) = &desc.kind {
                if let Ok(m) = f.bind(py).cast::<crate::env::FunctionMaker>() {
                    return m.get().make(py, &vals);
                }
            }
            let key = |items: &[Py<PyAny>]| -> PyResult<Py<PyAny>> {
                Ok(if items.len() == 1 {
                    items[0].clone_ref(py)
                } else {
                    pyo3::types::PyTuple::new(py, items)?.into_any().unbind()
                })
            };
            // A method called directly: looked up and called as CPython's own
            // method calls do, without a bound method.
            if let (PyCallKind::Method(m), true, true) = (&desc.kind, desc.direct, desc.kw.is_empty()) {
                let name = desc
                    .method_name
                    .get_or_init(|| pyo3::types::PyString::intern(py, m).into_any().unbind());
                if let Some(r) = crate::runtime::vectorcall_method(py, name.bind(py), as_ptrs(&vals)) {
                    return Ok(r?.unbind());
                }
            }
            Ok(match &desc.kind {
                PyCallKind::Call(_) | PyCallKind::Method(_) => {
                    // (a method is looked up in the frame, unless called directly)
                    let (callee, first) = match &desc.kind {
                        PyCallKind::Call(f) => (f.bind(py).clone(), 0),
                        PyCallKind::Method(m) if desc.direct => (vals[0].bind(py).getattr(m.as_str())?, 1),
                        PyCallKind::Method(_) => (vals[0].bind(py).clone(), 1),
                        _ => unreachable!(),
                    };
                    let rest = &vals[first..];
                    let npos = rest.len() - desc.kw.len();
                    if let (Some((ip, commutative, pow)), true) =
                        (&desc.inplace, dying != 0 && first == 0 && rest.len() == 2)
                    {
                        let (arena, pow) = (&ctx.arena, *pow);
                        if dying & 1 != 0 && elidable(py, arena, &rest[0], &rest[1], &desc.ret, pow) {
                            elided = Some(0);
                        } else if *commutative
                            && dying & 2 != 0
                            && elidable(py, arena, &rest[1], &rest[0], &desc.ret, pow)
                        {
                            elided = Some(1);
                        }
                        if let Some(k) = elided {
                            let pair = [rest[k].clone_ref(py), rest[1 - k].clone_ref(py)];
                            return Ok(desc.call_located(py, ip.bind(py).clone(), &pair, &[])?.unbind());
                        }
                    }
                    if desc.direct {
                        if desc.kw.is_empty() {
                            return Ok(crate::runtime::vectorcall(py, &callee, as_ptrs(rest))?.unbind());
                        }
                        let kwargs = PyDict::new(py);
                        for (k, v) in desc.kw.iter().zip(&rest[npos..]) {
                            kwargs.set_item(k, v)?;
                        }
                        let args = pyo3::types::PyTuple::new(py, &rest[..npos])?;
                        return Ok(callee.call(args, Some(&kwargs))?.unbind());
                    }
                    // From a frame at the call's line: NumPy's warnings carry the kernel's line.
                    desc.call_located(py, callee, &rest[..npos], &rest[npos..])?.unbind()
                }
                PyCallKind::Attr(a) => vals[0].bind(py).getattr(a.as_str())?.unbind(),
                // `x[key]` and `x[key] = v` as the interpreter performs them.
                PyCallKind::GetItem(_) => vals[0].bind(py).get_item(key(&vals[1..])?)?.unbind(),
                PyCallKind::SetItem(_) => {
                    let n = vals.len();
                    vals[0].bind(py).set_item(key(&vals[1..n - 1])?, &vals[n - 1])?;
                    py.None()
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
        // Frees the dying arguments (`pyston_pycall_dying`) other than the
        // elided one, once the call's own references are gone.
        let release_dying =
            |ctx: &mut Ctx, vals: &mut smallvec::SmallVec<[Py<PyAny>; 4]>, result: *mut ffi::PyObject| {
                if dying != 0 {
                    let ptrs: smallvec::SmallVec<[*mut ffi::PyObject; 4]> = vals.iter().map(|v| v.as_ptr()).collect();
                    decref_all(py, vals);
                    for (i, p) in ptrs.into_iter().enumerate() {
                        // (a dying argument that is the result, `x *= y`'s `x`, `x.shape = s`'s:
                        // only an entry the arena holds besides the result's goes)
                        if i < 64 && dying & (1 << i) != 0 && elided != Some(i) {
                            release(&mut ctx.arena, p, (p == result) as isize);
                        }
                    }
                }
            };
        // The common scalar results (a draw's float or int, a `seed`'s None, a
        // store's None): no general unboxing.
        let tp = obj.bind(py).get_type_ptr();
        let scalar = match desc.ret {
            Ty::Float if tp == std::ptr::addr_of_mut!(ffi::PyFloat_Type) => {
                // SAFETY: `obj` is exactly a float; `out` has room for the result's slot.
                unsafe { *out = ffi::PyFloat_AsDouble(obj.as_ptr()).to_bits() };
                true
            }
            Ty::Int if tp == std::ptr::addr_of_mut!(ffi::PyLong_Type) => {
                let mut overflow = 0;
                // SAFETY: `obj` is exactly an int.
                let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
                // SAFETY: `out` has room for the result's slot.
                unsafe { *out = v as u64 };
                overflow == 0
            }
            Ty::NoneT => obj.is_none(py),
            Ty::Bool if tp == std::ptr::addr_of_mut!(ffi::PyBool_Type) => {
                // SAFETY: `out` has room for the result's slot (one byte used).
                unsafe { *out = u64::from(obj.as_ptr() == ffi::Py_True()) };
                true
            }
            // A string (a str method's or operator's result): the arena keeps our reference.
            Ty::PyStr if tp == std::ptr::addr_of_mut!(ffi::PyUnicode_Type) => {
                let p = obj.clone_ref(py).into_ptr();
                ctx.arena.push(p);
                // SAFETY: `out` has room for the result's slot.
                unsafe { *out = p as u64 };
                true
            }
            // A NumPy scalar of the expected dtype (a reduction's value, `a.all()`):
            // its slots as `unbox_value` writes them, without its general dispatch
            // and vector. (Not the time dtypes: one scalar type for every unit.)
            Ty::Np(d) if !d.is_time() && !d.is_record() && np_scalar_of(py, tp, d) => {
                if d == Dtype::Float64 {
                    // (np.float64 subclasses float: its value is the float's)
                    // SAFETY: `obj` is exactly an np.float64; `out` has room for its slot.
                    unsafe { *out = ffi::PyFloat_AsDouble(obj.as_ptr()).to_bits() };
                } else {
                    // (`out` has room for the result's slots, which `np_scalar_slots` writes)
                    np_scalar_slots(py, d, obj.bind(py), &mut OutSlots { out, n: 0 });
                }
                true
            }
            _ => false,
        };
        if scalar {
            // (a temporary stored by `x[mask] = t`, summed by `float(np.sum(t))`: freed
            // here, as CPython frees it, not when the function returns)
            let result = obj.as_ptr();
            // SAFETY: the GIL is held (`py`); `obj` is the call's strong reference.
            unsafe { ffi::Py_DECREF(obj.into_ptr()) };
            release_dying(ctx, &mut vals, result);
            decref_all(py, &mut vals);
            return OK;
        }
        // The result's slots, written to `out`: an array by a short path (the
        // common result of a call into NumPy), anything else by `unbox_value`.
        let n = desc.nout;
        let unboxed = match &desc.ret {
            // SAFETY: `obj` is live; `out` has room for the result's slots.
            Ty::Array(w) if unsafe { array_result(py, w, obj.as_ptr(), out) } => Ok(true),
            t => {
                let mut res: Vec<u64> = Vec::with_capacity(n);
                let r = unbox_value(py, t, obj.bind(py), &mut res);
                for (i, s) in res.iter().enumerate() {
                    // SAFETY: `out` has room for the result's slots.
                    unsafe { *out.add(i) = *s };
                }
                r
            }
        };
        match unboxed {
            Ok(true) => {
                // SAFETY: the slots were just written.
                let res = unsafe { std::slice::from_raw_parts(out, n) };
                // The arena keeps every array the result holds (arrays inside a
                // tuple too), each by its own reference: compiled code refers to
                // arrays, never to the tuple. An elided operand is the result and
                // is in the arena already.
                if elided.is_none() && !discard {
                    keep_arrays(&desc.ret, res, &mut 0, &mut ctx.arena);
                }
                // (`x *= y` returns `x`: the result's own entry is never released.)
                let result = obj.as_ptr();
                // SAFETY: the GIL is held (`py`); `obj` is the call's strong reference.
                unsafe { ffi::Py_DECREF(obj.into_ptr()) };
                release_dying(ctx, &mut vals, result);
                decref_all(py, &mut vals);
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
    };
    // SAFETY: a call whose context is not `no_gil` runs with the GIL held (the
    // dispatcher's call holds it): no need to ask pyo3's thread state.
    if unsafe { (*ctx).no_gil } {
        Python::attach(body)
    } else {
        body(unsafe { Python::assume_attached() })
    }
}

/// A view's data pointer, shape and strides, and the position after its index's slots.
type View = (i64, smallvec::SmallVec<[i64; 8]>, smallvec::SmallVec<[i64; 8]>, usize);

/// The data pointer, shape and strides of the view `x[idx]` (see
/// `basic_view`) for an array `x` of type `src` whose slots start `slots`,
/// and the position after the index's slots; `None` where NumPy would raise
/// or the index is not a basic one.
fn view_of(src: &pyston_compiler::types::ArrTy, slots: &[u64], idx: &[Ty]) -> Option<View> {
    let nd = src.ndim as usize;
    let at = ArraySlots::new(nd);
    let mut pos = at.count();
    let mut data = slots[ArraySlots::DATA] as i64;
    let mut shape: smallvec::SmallVec<[i64; 8]> = smallvec::SmallVec::new();
    let mut strides: smallvec::SmallVec<[i64; 8]> = smallvec::SmallVec::new();
    let mut ax = 0;
    let int_part = |t: &Ty, pos: &mut usize| -> Option<Option<i64>> {
        match t {
            Ty::NoneT => Some(None),
            Ty::Int => {
                *pos += 1;
                Some(Some(slots[*pos - 1] as i64))
            }
            _ => None,
        }
    };
    for t in idx {
        match t {
            Ty::NoneT => {
                shape.push(1);
                strides.push(0);
            }
            Ty::Int => {
                if ax >= nd {
                    return None;
                }
                let n = slots[at.shape(ax)] as i64;
                let mut i = slots[pos] as i64;
                pos += 1;
                if i < 0 {
                    i += n;
                }
                if i < 0 || i >= n {
                    return None;
                }
                data = data.wrapping_add(i.wrapping_mul(slots[at.stride(ax)] as i64));
                ax += 1;
            }
            Ty::Slice(parts) if parts.len() == 3 => {
                if ax >= nd {
                    return None;
                }
                let lo = int_part(&parts[0], &mut pos)?;
                let hi = int_part(&parts[1], &mut pos)?;
                let step = int_part(&parts[2], &mut pos)?.unwrap_or(1);
                if step == 0 {
                    return None;
                }
                // CPython's PySlice_Unpack and PySlice_AdjustIndices.
                let step = step.max(-i64::MAX);
                let n = slots[at.shape(ax)] as i64;
                let adjust = |v: Option<i64>, none: i64| -> i64 {
                    let Some(mut v) = v else { return none };
                    if v < 0 {
                        v += n;
                        if v < 0 {
                            v = if step < 0 { -1 } else { 0 };
                        }
                    } else if v >= n {
                        v = if step < 0 { n - 1 } else { n };
                    }
                    v
                };
                let (none_lo, none_hi) = if step < 0 { (n - 1, -1) } else { (0, n) };
                let (mut start, stop) = (adjust(lo, none_lo), adjust(hi, none_hi));
                let mut step = step;
                let len = if step < 0 {
                    if stop < start {
                        (start - stop - 1) / (-step) + 1
                    } else {
                        0
                    }
                } else if start < stop {
                    // (the common unit step without a division, which cost a
                    // tenth of this function on every `a[:, i:i + k]` in a loop)
                    if step == 1 {
                        stop - start
                    } else {
                        (stop - start - 1) / step + 1
                    }
                } else {
                    0
                };
                if len <= 0 {
                    (start, step) = (0, 1);
                }
                let st = slots[at.stride(ax)] as i64;
                data = data.wrapping_add(st.wrapping_mul(start));
                shape.push(len.max(0));
                strides.push(st.wrapping_mul(step));
                ax += 1;
            }
            _ => return None,
        }
    }
    for k in ax..nd {
        shape.push(slots[at.shape(k)] as i64);
        strides.push(slots[at.stride(k)] as i64);
    }
    Some((data, shape, strides, pos))
}

/// `x[idx]` for an array `x` and a basic index (ints, slices whose bounds and
/// step are ints or None, `None` for a new axis; as many ints and slices as
/// `x` has axes at most): the view's slots, computed as NumPy's
/// `get_view_from_index` computes its data pointer, shape and strides (an
/// empty slice starts at the axis' start with its stride). The view's object
/// slot is `x`'s object, which the arena keeps by a reference of its own
/// (as it keeps a call's result): a later release of `x` leaves it alive
/// while the view is. `None`: not such an indexing, or one NumPy would
/// reject (an index out of range, a zero step), or a view the result's
/// type does not hold (only views of any layout are made here): the call
/// runs through NumPy.
///
/// # Safety
/// As `pycall`.
unsafe fn basic_view(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, out: *mut u64) -> Option<i32> {
    // SAFETY: see the function's contract.
    let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
    let PyCallKind::GetItem(_) = &desc.kind else {
        return None;
    };
    if ctx.no_gil {
        return None;
    }
    let (Some(Ty::Array(src)), Ty::Array(want)) = (desc.arg_tys.first(), &desc.ret) else {
        return None;
    };
    if want.layout != pyston_compiler::types::Layout::A
        || want.dtype != src.dtype
        || src.dtype.is_record()
        || (src.readonly && !want.readonly)
    {
        return None;
    }
    // SAFETY: `args` holds the call's `nslots` slots.
    let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
    let (data, shape, strides, pos) = view_of(src, slots, &desc.arg_tys[1..])?;
    if shape.len() != want.ndim as usize || pos != desc.nslots {
        return None;
    }
    let obj = slots[ArraySlots::OBJ] as *mut ffi::PyObject;
    // (exactly an ndarray: NumPy's indexing of a subclass makes the subclass)
    // SAFETY: the object slot of an array holds a live object.
    if unsafe { ffi::Py_TYPE(obj) } as usize != np_types(unsafe { Python::assume_attached() }).ok()?.ndarray_type {
        return None;
    }
    let rt = ArraySlots::new(shape.len());
    // SAFETY: `out` has room for the result's slots (an array of `shape.len()`
    // axes); `obj` is a live ndarray (the source's object), of which the
    // arena takes a reference of its own (compiled code holds the GIL: not
    // `no_gil`).
    unsafe {
        *out.add(ArraySlots::DATA) = data as u64;
        *out.add(ArraySlots::OBJ) = obj as u64;
        for (k, (n, st)) in shape.iter().zip(&strides).enumerate() {
            *out.add(rt.shape(k)) = *n as u64;
            *out.add(rt.stride(k)) = *st as u64;
        }
        ffi::Py_INCREF(obj);
    }
    ctx.arena.push(obj);
    Some(OK)
}

/// `x[idx] = y` for arrays `x` and `y` of one dtype and a basic index (see
/// `basic_view`): the view made here, `y` copied into it by NumPy's
/// `PyArray_CopyObject`, as NumPy's own assignment to a view does (the same
/// dtype: no cast, so nothing to warn about). `None`: not such an
/// assignment, or one NumPy rejects (out of range, shapes that do not
/// broadcast, a read-only array: nothing was written), which then runs
/// through NumPy and raises there.
///
/// # Safety
/// As `pycall`.
unsafe fn basic_setitem(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, dying: u64) -> Option<i32> {
    // SAFETY: see the function's contract.
    let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
    let PyCallKind::SetItem(_) = &desc.kind else {
        return None;
    };
    let n = desc.arg_tys.len();
    // (a dying value, a temporary computed for the assignment, is released
    // after it as `pycall` releases it; any other dying argument: through NumPy)
    if ctx.no_gil || !(3..=64).contains(&n) || (dying != 0 && dying != 1 << (n - 1)) {
        return None;
    }
    let (Ty::Array(src), Ty::Array(val)) = (&desc.arg_tys[0], &desc.arg_tys[n - 1]) else {
        return None;
    };
    if src.dtype != val.dtype || src.dtype.is_record() || src.readonly {
        return None;
    }
    // SAFETY: `args` holds the call's `nslots` slots.
    let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
    let (data, shape, strides, mut pos) = view_of(src, slots, &desc.arg_tys[1..n - 1])?;
    // SAFETY: compiled code holds the GIL (not `no_gil`).
    let py = unsafe { Python::assume_attached() };
    let obj = slots[ArraySlots::OBJ] as *mut ffi::PyObject;
    // (exactly an ndarray: a subclass may assign in its own way)
    // SAFETY: the object slot of an array holds a live object.
    if unsafe { ffi::Py_TYPE(obj) } as usize != np_types(py).ok()?.ndarray_type {
        return None;
    }
    if pos + pyston_compiler::abi::slot_count(&desc.arg_tys[n - 1]) != desc.nslots || shape.len() > 32 {
        return None;
    }
    let mut v: smallvec::SmallVec<[u64; 16]> = smallvec::SmallVec::new();
    v.push(data as u64);
    v.push(obj as u64);
    v.extend(shape.iter().map(|x| *x as u64));
    v.extend(strides.iter().map(|x| *x as u64));
    let vt = Ty::Array(pyston_compiler::types::ArrTy {
        ndim: shape.len() as u8,
        layout: pyston_compiler::types::Layout::A,
        ..*src
    });
    let dst = box_value(py, &vt, &v, &mut 0).ok()??;
    let value = box_value(py, &desc.arg_tys[n - 1], slots, &mut pos).ok()??;
    // SAFETY: `dst` is an ndarray (a view of `obj`), `value` a live object.
    let r = unsafe { numpy::npyffi::PY_ARRAY_API.PyArray_CopyObject(py, dst.as_ptr() as *mut _, value.as_ptr()) };
    if r < 0 {
        // (NumPy's own assignment raises it, with nothing written)
        drop(PyErr::take(py));
        return None;
    }
    drop(dst);
    if dying != 0 {
        let p = value.as_ptr();
        drop(value);
        release(&mut ctx.arena, p, 0);
    }
    Some(OK)
}

/// Writes the slots of `o` to `out` when it is exactly an ndarray that
/// compiled code may hold as `want` (its dtype and rank, a layout `want`
/// covers, writeable unless `want` is read-only); false leaves it to
/// `unbox_value`.
///
/// # Safety
/// `o` is a live object; `out` has room for `want`'s slots.
unsafe fn array_result(
    py: Python<'_>,
    want: &pyston_compiler::types::ArrTy,
    o: *mut ffi::PyObject,
    out: *mut u64,
) -> bool {
    let Ok(np) = np_types(py) else { return false };
    // SAFETY: `o` is live; its fields are read only once it is exactly an ndarray.
    unsafe {
        if ffi::Py_TYPE(o) as usize != np.ndarray_type
            || (*(o as *mut npyffi::PyArrayObject)).fields.nd != want.ndim as i32
        {
            return false;
        }
        // Written straight into `out` (room for `want`'s slots, and the array has
        // `want.ndim` axes); read only when the array fits.
        let mut slots = OutSlots { out, n: 0 };
        let Some(a) = array_info(o, &mut slots) else {
            return false;
        };
        a.dtype == want.dtype
            && (want.layout == pyston_compiler::types::Layout::A || want.layout == a.layout)
            && (want.readonly || !a.readonly)
    }
}

/// Whether `tp` is exactly the NumPy scalar type of dtype `d`, the type
/// `unbox_value` finds first for it.
fn np_scalar_of(py: Python<'_>, tp: *mut ffi::PyTypeObject, d: Dtype) -> bool {
    np_types(py).is_ok_and(|np| np.scalar_types.iter().position(|t| *t == tp as usize) == Some(dtype_index(d)))
}

/// Slots written in order to a buffer the caller sized (no growable vector on
/// the path of every call into NumPy that returns an array).
struct OutSlots {
    out: *mut u64,
    n: usize,
}

impl Extend<u64> for OutSlots {
    fn extend<I: IntoIterator<Item = u64>>(&mut self, it: I) {
        for s in it {
            // SAFETY: the caller sized the buffer for the array's slots (`array_result`).
            unsafe { *self.out.add(self.n) = s };
            self.n += 1;
        }
    }
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
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => ts.iter().for_each(|t| keep_arrays(t, slots, pos, arena)),
        t if t.is_object() => {
            let o = slots[*pos] as *mut ffi::PyObject;
            // SAFETY: the slot holds a live object (owned by the call's result).
            unsafe { ffi::Py_INCREF(o) };
            arena.push(o);
            *pos += 1;
        }
        t => *pos += slot_count(t),
    }
}
