//! Arrays made in compiled code (allocation, copies) and the arena of temporaries released per loop iteration.

use crate::boxing::*;
use crate::runtime::*;
use numpy::npyffi::{self, PY_ARRAY_API};
use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::types::{c_strides, Dtype};

/// Allocates an array for `np.empty/zeros/ones` (`kind` 0/1/2) in C order,
/// or matching the layout of `like` (`like_order`: 0 C, 1 F). Writes the
/// array's slots to `out`; the array is owned by the call's arena.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_alloc(
    ctx: *mut Ctx,
    kind: i32,
    dtype: i32,
    ndim: i64,
    shape: *const i64,
    fortran: i32,
    out: *mut u64,
) -> i32 {
    let body = |py: Python<'_>| {
        let nd = ndim as usize;
        // (the shape read where compiled code wrote it: this is on every array a loop allocates)
        // SAFETY: `shape` points to `ndim` i64 stack slots written by compiled code (isize is i64 here).
        let dims: &[isize] = unsafe { std::slice::from_raw_parts(shape as *const isize, nd) };
        if dims.iter().any(|d| *d < 0) {
            return DEOPT; // ValueError: negative dimensions are not allowed
        }
        let d = Dtype::ALL[dtype as usize];
        let Ok(np) = np_types(py) else { return ERROR };
        let descr = np.descrs[dtype as usize] as *mut npyffi::PyArray_Descr;
        // SAFETY: `ctx` is the live context of this call; the GIL is held.
        let ctx = unsafe { &mut *ctx };
        // SAFETY: the GIL is held.
        let arr = match unsafe { take_recycled(ctx, descr, d.itemsize() as isize, dims, fortran != 0) } {
            Some(a) => {
                if kind == 1 {
                    let count: isize = dims.iter().product();
                    // SAFETY: a kept array: `count` contiguous elements of `d` (no object dtype).
                    unsafe {
                        std::ptr::write_bytes(
                            (*(a as *mut npyffi::PyArrayObject)).fields.data as *mut u8,
                            0,
                            count as usize * d.itemsize() as usize,
                        )
                    };
                }
                a
            }
            // SAFETY: PyArray_Zeros/PyArray_Empty steal a descriptor reference and
            // only read the `nd` dimensions.
            None => unsafe {
                ffi::Py_INCREF(descr as *mut ffi::PyObject);
                if kind == 0 {
                    PY_ARRAY_API.PyArray_Empty(py, nd as i32, shape as *mut isize, descr, fortran)
                } else {
                    PY_ARRAY_API.PyArray_Zeros(py, nd as i32, shape as *mut isize, descr, fortran)
                }
            },
        };
        if arr.is_null() {
            return ERROR;
        }
        ctx.arena.push(arr);
        // The array's slots (`ArraySlots`: data, object, shape, strides), read from the array.
        // SAFETY: `arr` is a live ndarray of `nd` dimensions; `out` has room for its slots.
        unsafe {
            let f = &(*(arr as *mut npyffi::PyArrayObject)).fields;
            *out = f.data as u64;
            *out.add(1) = arr as u64;
            for k in 0..nd {
                *out.add(2 + k) = *f.dimensions.add(k) as u64;
                *out.add(2 + nd + k) = *f.strides.add(k) as u64;
            }
        }
        if kind == 2 {
            let count: isize = dims.iter().product();
            // SAFETY: the fresh array holds `count` contiguous elements of `d`.
            unsafe { fill_ones(*out as *mut u8, d, count as usize) };
        }
        OK
    };
    // SAFETY: a call whose context is not `no_gil` runs with the GIL held (the
    // dispatcher's call holds it): no need to ask pyo3's thread state.
    if unsafe { (*ctx).no_gil } {
        Python::attach(body)
    } else {
        body(unsafe { Python::assume_attached() })
    }
}

/// How many arrays a call keeps for reuse, and the largest it keeps (bytes).
const RECYCLE_COUNT: usize = 4;
const RECYCLE_BYTES: isize = 1024;

/// Drops the call's reference to `o`, an object of its arena that compiled
/// code no longer uses. A small array that nothing else refers to is kept
/// instead (`Ctx::recycled`), for the next array of its dtype and shape the
/// call makes (`take_recycled`): a loop drawing `np.random.rand(3)` or
/// making `np.empty(3)` per iteration then allocates and frees no array at
/// all. Only an exact ndarray the reference is the last one to, owning its
/// aligned, writeable, C-contiguous buffer, with no base and no weak
/// reference, is kept: nothing can see it again (no variable, container,
/// view or weakref holds it), so handing it out as a fresh array is what
/// NumPy's allocator could have done too.
///
/// # Safety
/// `o` is a strong reference owned by the caller (the arena's); the GIL is held.
pub unsafe fn drop_temp(ctx: &mut Ctx, o: *mut ffi::PyObject) {
    // SAFETY: see the function's contract.
    if ctx.recycled.len() < RECYCLE_COUNT && unsafe { recyclable(o) } {
        ctx.recycled.push(o);
        return;
    }
    // SAFETY: the caller's reference.
    unsafe { ffi::Py_DECREF(o) };
}

/// See `drop_temp`.
///
/// # Safety
/// `o` is a live object; the GIL is held.
unsafe fn recyclable(o: *mut ffi::PyObject) -> bool {
    // SAFETY: `o` is live (the caller's contract).
    if unsafe { ffi::Py_REFCNT(o) } != 1 {
        return false;
    }
    // SAFETY: the GIL is held (the caller's contract).
    let Ok(np) = np_types(unsafe { Python::assume_attached() }) else {
        return false;
    };
    // SAFETY: as above.
    if unsafe { ffi::Py_TYPE(o) } as usize != np.ndarray_type {
        return false;
    }
    // SAFETY: an exact ndarray has `PyArrayObject`'s layout.
    let f = unsafe { &(*(o as *mut npyffi::PyArrayObject)).fields };
    let want = npyffi::NPY_ARRAY_OWNDATA
        | npyffi::NPY_ARRAY_WRITEABLE
        | npyffi::NPY_ARRAY_ALIGNED
        | npyffi::NPY_ARRAY_C_CONTIGUOUS;
    if f.flags & want != want
        || f.flags & npyffi::NPY_ARRAY_WRITEBACKIFCOPY != 0
        || !f.base.is_null()
        || !f.weakreflist.is_null()
        || f.nd < 1
        || f.nd > 4
        || f.data.is_null()
    {
        return false;
    }
    // Only NumPy's own descriptors of the dtypes compiled code makes (no object arrays).
    let Some(i) = np.descrs.iter().position(|&p| p == f.descr as usize) else {
        return false;
    };
    let d = Dtype::ALL[i];
    if matches!(d, Dtype::Record(_)) {
        return false;
    }
    let mut bytes = d.itemsize() as isize;
    for k in 0..f.nd as usize {
        // SAFETY: `dimensions` has `nd` entries.
        let d = unsafe { *f.dimensions.add(k) };
        if d <= 0 {
            return false;
        }
        bytes = bytes.saturating_mul(d);
    }
    bytes > 0 && bytes <= RECYCLE_BYTES
}

/// A kept array (see `drop_temp`) of descriptor `descr` (elements of
/// `itemsize` bytes) and shape `dims`,
/// contiguous in C order (Fortran order when `fortran`), removed from the
/// call's keep: the caller owns the reference. Its elements hold old values.
///
/// # Safety
/// The GIL is held.
pub unsafe fn take_recycled(
    ctx: &mut Ctx,
    descr: *mut npyffi::PyArray_Descr,
    itemsize: isize,
    dims: &[isize],
    fortran: bool,
) -> Option<*mut ffi::PyObject> {
    if ctx.recycled.is_empty() {
        return None;
    }
    let k = ctx.recycled.iter().rposition(|&o| {
        // SAFETY: each kept entry is a live exact ndarray (`recyclable`).
        let f = unsafe { &(*(o as *mut npyffi::PyArrayObject)).fields };
        if f.descr != descr || f.nd as usize != dims.len() {
            return false;
        }
        let mut step = itemsize;
        let mut same = |a: usize| {
            // SAFETY: `dimensions` and `strides` have `nd` entries.
            let (d, s) = unsafe { (*f.dimensions.add(a), *f.strides.add(a)) };
            let ok = d == dims[a] && s == step;
            step *= d;
            ok
        };
        if fortran {
            (0..dims.len()).all(&mut same)
        } else {
            (0..dims.len()).rev().all(&mut same)
        }
    })?;
    Some(ctx.recycled.swap_remove(k))
}

/// The arena's size at a loop's entry (see `pyston_arena_collect`).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_arena_mark(ctx: *mut Ctx) -> i64 {
    // SAFETY: `ctx` is the live context of this call.
    unsafe { (*ctx).arena.len() as i64 }
}

/// At a loop's back edge: releases the objects created since `mark` that no
/// value carried into the next iteration refers to (`live`, `n` pointers), so
/// temporaries made in a loop do not pile up.
///
/// When, as in CPython: a temporary (and what the previous back edge kept
/// and is dead now) goes now; an array a variable holds (`named`, `m`
/// pairs of object pointer and name id) waits until the next iteration
/// rebinds that variable (`pyston_arena_release_name`, after the new value
/// is computed, as CPython drops a variable's old array), or until the next
/// back edge of this loop when no rebinding came. Releasing them all before
/// the next iteration allocates left the freed arrays at the top of the
/// heap, which glibc then trims, so every iteration faulted its memory in
/// again (numpy-benchmarks' grayscott: 54,800 page faults and 2.3x
/// CPython's time for 200 iterations, against 400 faults); holding them a
/// whole iteration longer than CPython doubled the memory of loops that
/// rebuild their arrays each iteration (npbench's stockham_fft: 3x
/// CPython's page faults).
///
/// # Safety
/// Called by compiled code; `live` points to `n` object pointers and
/// `named` to `m` (pointer, name id) pairs.
pub unsafe extern "C" fn pyston_arena_collect(
    ctx: *mut Ctx,
    mark: i64,
    live: *const u64,
    n: i64,
    named: *const u64,
    m: i64,
) {
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    let mark = mark as usize;
    if ctx.arena.len() <= mark && ctx.deferred.is_empty() {
        return;
    }
    // SAFETY: `live` points to `n` slots.
    let live = unsafe { std::slice::from_raw_parts(live, n as usize) };
    // SAFETY: `named` points to `m` pairs.
    let named = unsafe { std::slice::from_raw_parts(named, 2 * m as usize) };
    let run = |ctx: &mut Ctx| {
        let mut dead = std::mem::take(&mut ctx.spare);
        // What this loop's previous iteration (or a loop inside it) held for a
        // variable that was not rebound.
        let mut k = 0;
        while k < ctx.deferred.len() {
            if ctx.deferred[k].0 >= mark {
                dead.push(ctx.deferred.swap_remove(k).2);
            } else {
                k += 1;
            }
        }
        if ctx.arena.len() > mark {
            let mut keep = mark;
            let carried = ctx.loop_keep.iter().find(|(m, _)| *m == mark).map_or(mark, |(_, k)| *k);
            for i in mark..ctx.arena.len() {
                let o = ctx.arena[i];
                let name = || named.chunks(2).find(|p| p[0] == o as u64).map(|p| p[1] as u32);
                if live.contains(&(o as u64)) {
                    ctx.arena[keep] = o;
                    keep += 1;
                } else if let Some(id) = (i >= carried).then(name).flatten() {
                    ctx.deferred.push((mark, id, o)); // (the arena's reference moves there)
                } else {
                    dead.push(o);
                }
            }
            ctx.arena.truncate(keep);
            match ctx.loop_keep.iter_mut().find(|(m, _)| *m == mark) {
                Some(e) => e.1 = keep,
                None => ctx.loop_keep.push((mark, keep)),
            }
        }
        for o in dead.drain(..) {
            // SAFETY: each entry is a strong reference the arena held; the GIL is held.
            unsafe { drop_temp(ctx, o) };
        }
        ctx.spare = dead;
    };
    if ctx.no_gil {
        Python::attach(|_| run(ctx))
    } else {
        // A call whose context is not `no_gil` runs with the GIL held.
        run(ctx)
    }
}

/// Where a loop rebinds variable `name` (after computing its new value):
/// releases the array its previous iteration left there (see
/// `pyston_arena_collect`).
///
/// # Safety
/// Called by compiled code with its live context.
pub unsafe extern "C" fn pyston_arena_release_name(ctx: *mut Ctx, mark: i64, name: i64) {
    // SAFETY: `ctx` is the live context of this call.
    let ctx = unsafe { &mut *ctx };
    if ctx.deferred.is_empty() {
        return;
    }
    let (mark, name) = (mark as usize, name as u32);
    let run = |ctx: &mut Ctx| {
        let mut k = 0;
        while k < ctx.deferred.len() {
            let (m, id, _) = ctx.deferred[k];
            if m == mark && id == name {
                let o = ctx.deferred.swap_remove(k).2;
                // SAFETY: each deferred entry is a strong reference the arena held; the GIL is held.
                unsafe { drop_temp(ctx, o) };
            } else {
                k += 1;
            }
        }
    };
    if ctx.no_gil {
        Python::attach(|_| run(ctx))
    } else {
        run(ctx)
    }
}

/// `np.empty_like/zeros_like/ones_like(a)` with NumPy's default order='K':
/// `order` 0 (the source is C-contiguous), 1 (Fortran) or 2 (any view: the
/// new array's axes are laid out in the order of the source's |strides|).
///
/// # Safety
/// Called by compiled code; `src` holds the slots of a live array, `out` has
/// room for the new array's slots.
pub unsafe extern "C" fn pyston_alloc_like(
    ctx: *mut Ctx,
    kind: i32,
    dtype: i32,
    ndim: i64,
    src: *const u64,
    order: i32,
    out: *mut u64,
) -> i32 {
    let nd = ndim as usize;
    let at = ArraySlots::new(nd);
    // SAFETY: `src` points to the slots of a live `nd`-dimensional array value.
    let s: Vec<u64> = (0..at.count()).map(|k| unsafe { *src.add(k) }).collect();
    let shape: Vec<i64> = s[at.shapes()].iter().map(|x| *x as i64).collect();
    if order != 2 || nd < 2 {
        // SAFETY: forwarding valid pointers.
        return unsafe { pyston_alloc(ctx, kind, dtype, ndim, shape.as_ptr(), (order == 1) as i32, out) };
    }
    let strides: Vec<i64> = s[at.strides()].iter().map(|x| (*x as i64).abs()).collect();
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.sort_by(|a, b| strides[*b].cmp(&strides[*a]));
    let d = Dtype::ALL[dtype as usize];
    let pshape: Vec<i64> = perm.iter().map(|k| shape[*k]).collect();
    let pstr = c_strides(&pshape, d.itemsize());
    let mut new_strides = vec![0isize; nd];
    for (i, k) in perm.iter().enumerate() {
        new_strides[*k] = pstr[i] as isize;
    }
    Python::attach(|py| {
        let Ok(np) = np_types(py) else { return ERROR };
        let descr = np.descrs[dtype as usize] as *mut npyffi::PyArray_Descr;
        let mut dims: Vec<isize> = shape.iter().map(|x| *x as isize).collect();
        // SAFETY: NewFromDescr steals a descriptor reference; with NULL data NumPy
        // allocates the (permuted-contiguous) buffer the strides describe.
        let arr = unsafe {
            ffi::Py_INCREF(descr as *mut ffi::PyObject);
            PY_ARRAY_API.PyArray_NewFromDescr(
                py,
                np.ndarray_type as *mut _,
                descr,
                nd as i32,
                dims.as_mut_ptr(),
                new_strides.as_mut_ptr(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
            )
        };
        if arr.is_null() {
            return ERROR;
        }
        // SAFETY: `ctx` is the live context of this call.
        unsafe { (*ctx).arena.push(arr) };
        let mut slots: smallvec::SmallVec<[u64; 20]> = smallvec::SmallVec::new();
        // SAFETY: `arr` is a fresh ndarray.
        unsafe { array_info(arr, &mut slots) };
        let count: i64 = shape.iter().product();
        // SAFETY: the buffer holds `count` elements contiguously (in permuted order).
        unsafe {
            match kind {
                1 => std::ptr::write_bytes(slots[0] as *mut u8, 0, (count * d.itemsize()) as usize),
                2 => fill_ones(slots[0] as *mut u8, d, count as usize),
                _ => {}
            }
        }
        for (i, v) in slots.iter().enumerate() {
            // SAFETY: `out` has room for the array's slots.
            unsafe { *out.add(i) = *v };
        }
        OK
    })
}

/// # Safety
/// `data` must point to `n` writable contiguous elements of dtype `d`.
unsafe fn fill_ones(data: *mut u8, d: Dtype, n: usize) {
    // SAFETY: guaranteed by the caller for each element written.
    unsafe {
        match d {
            Dtype::Bool | Dtype::Int8 | Dtype::UInt8 => std::ptr::write_bytes(data, 1, n),
            Dtype::Int16 | Dtype::UInt16 => std::slice::from_raw_parts_mut(data as *mut u16, n).fill(1),
            Dtype::UInt32 => std::slice::from_raw_parts_mut(data as *mut u32, n).fill(1),
            Dtype::UInt64 => std::slice::from_raw_parts_mut(data as *mut u64, n).fill(1),
            // np.ones of a time dtype: a count of one unit.
            Dtype::Datetime(_) | Dtype::Timedelta(_) => std::slice::from_raw_parts_mut(data as *mut i64, n).fill(1),
            // (Never allocated by compiled code.)
            Dtype::Record(_) => {}
            Dtype::Int32 => std::slice::from_raw_parts_mut(data as *mut i32, n).fill(1),
            Dtype::Int64 => std::slice::from_raw_parts_mut(data as *mut i64, n).fill(1),
            Dtype::Float32 => std::slice::from_raw_parts_mut(data as *mut f32, n).fill(1.0),
            Dtype::Float64 => std::slice::from_raw_parts_mut(data as *mut f64, n).fill(1.0),
            // float16 1.0 is 0x3c00.
            Dtype::Float16 => std::slice::from_raw_parts_mut(data as *mut u16, n).fill(0x3c00),
            Dtype::Complex64 => {
                let s = std::slice::from_raw_parts_mut(data as *mut f32, 2 * n);
                for k in 0..n {
                    s[2 * k] = 1.0;
                    s[2 * k + 1] = 0.0;
                }
            }
            Dtype::Complex128 => {
                let s = std::slice::from_raw_parts_mut(data as *mut f64, 2 * n);
                for k in 0..n {
                    s[2 * k] = 1.0;
                    s[2 * k + 1] = 0.0;
                }
            }
        }
    }
}

/// `a.copy()`: a new C-ordered array with the elements of the array whose
/// slots are at `src`. Writes the new array's slots to `out`.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_copy(ctx: *mut Ctx, dtype: i32, ndim: i64, src: *const u64, out: *mut u64) -> i32 {
    let nd = ndim as usize;
    let at = ArraySlots::new(nd);
    // SAFETY: `src` points to the slots of a live `nd`-dimensional array value.
    let s: Vec<u64> = (0..at.count()).map(|k| unsafe { *src.add(k) }).collect();
    let shape: Vec<i64> = s[at.shapes()].iter().map(|x| *x as i64).collect();
    let status = pyston_alloc(ctx, 0, dtype, ndim, shape.as_ptr(), 0, out);
    if status != OK {
        return status;
    }
    let d = Dtype::ALL[dtype as usize];
    let item = d.itemsize() as usize;
    // SAFETY: `out` now holds the slots of the new array.
    let dst = unsafe { *out } as *mut u8;
    let src_strides: Vec<i64> = s[at.strides()].iter().map(|x| *x as i64).collect();
    let total: i64 = shape.iter().product();
    if total == 0 {
        return OK;
    }
    let src0 = s[0] as *const u8;
    // SAFETY (all copies below): the source offsets address elements inside the
    // source array, the destination is the new C-ordered array of `total` elements.
    if nd == 0 || src_strides == c_strides(&shape, item as i64) {
        unsafe { std::ptr::copy_nonoverlapping(src0, dst, total as usize * item) };
        return OK;
    }
    // Row by row along the last axis: one copy when its elements are adjacent.
    let (len, step) = (shape[nd - 1], src_strides[nd - 1]);
    let row_bytes = len as usize * item;
    let mut idx = vec![0i64; nd - 1];
    let mut d = dst;
    for _ in 0..total / len.max(1) {
        let so: i64 = (0..nd - 1).map(|k| idx[k] * src_strides[k]).sum();
        let row = unsafe { src0.offset(so as isize) };
        if step == item as i64 {
            unsafe { std::ptr::copy_nonoverlapping(row, d, row_bytes) };
        } else {
            for j in 0..len {
                unsafe {
                    std::ptr::copy_nonoverlapping(row.offset((j * step) as isize), d.add(j as usize * item), item)
                };
            }
        }
        d = unsafe { d.add(row_bytes) };
        for k in (0..nd - 1).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    OK
}
