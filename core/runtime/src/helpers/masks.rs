//! Boolean-mask indexing of arrays, `x[m]` and `x[m] = v`, computed natively
//! when `m` is a bool array of `x`'s shape.
//!
//! NumPy's boolean indexing walks the mask in C order and copies (or
//! assigns) the elements where it is true, one run of true values at a
//! time: on a mask with no long runs (`np.abs(Z) < 2` in a Mandelbrot
//! iteration) that is a mispredicted branch per element, 3-4 ns each (10,000
//! complex elements, half true: `Z[I]` 39 us, `Z[I] = v` 42 us, `N[I] = n`
//! 33 us on this machine). Here each element is copied or selected without a
//! branch on its mask byte, and the call into NumPy is gone too.
//!
//! What makes it exact: the result of `x[m]` is a new 1-d C-ordered array of
//! `x`'s dtype holding the elements where `m` is non-zero (NumPy counts any
//! non-zero byte of a bool array as true), in C order of `x`'s index,
//! whatever `x`'s and `m`'s layouts; `x[m] = v` writes, in that same order,
//! `v` (a scalar of `x`'s dtype, or a value converted to it without rounding
//! or overflow) or `v`'s elements (a 1-d array of `x`'s dtype with one value,
//! repeated, or one per true element). Elements are copied as bytes. Anything
//! else returns `None` and the call goes to NumPy, which then gives its own
//! result, error or warning: masks of another shape (NumPy's `IndexError`,
//! or a mask over leading axes), values to cast, `v` of another length
//! (NumPy's `ValueError`), `v` sharing memory with `x` (NumPy copies it
//! first), subclasses of ndarray, read-only arrays, datetimes and records.

use pyo3::ffi;
use pyo3::prelude::*;
use pyston_compiler::abi::{ArraySlots, OK};
use pyston_compiler::types::{Dtype, Ty};

use super::calls::release;
use crate::boxing::{np_types, NpTypes};
use crate::runtime::{Ctx, PyCallDesc, PyCallKind};

/// An array operand's data, shape and strides in bytes, from its slots.
struct View<'a> {
    data: *mut u8,
    obj: *mut ffi::PyObject,
    shape: &'a [u64],
    strides: &'a [u64],
}

impl<'a> View<'a> {
    fn of(slots: &'a [u64], ndim: usize) -> View<'a> {
        let at = ArraySlots::new(ndim);
        View {
            data: slots[ArraySlots::DATA] as *mut u8,
            obj: slots[ArraySlots::OBJ] as *mut ffi::PyObject,
            shape: &slots[at.shapes()],
            strides: &slots[at.strides()],
        }
    }

    /// Whether the elements (of `item` bytes) lie in C order one after another.
    fn c_contiguous(&self, item: usize) -> bool {
        let mut want = item as i64;
        for (n, s) in self.shape.iter().zip(self.strides).rev() {
            if *n != 1 && *s as i64 != want {
                return false;
            }
            want *= *n as i64;
        }
        true
    }

    /// The lowest and one past the highest byte the elements occupy (empty: `None`).
    fn extent(&self, item: usize) -> Option<(usize, usize)> {
        let (mut lo, mut hi) = (self.data as i64, self.data as i64);
        for (n, s) in self.shape.iter().zip(self.strides) {
            let (n, s) = (*n as i64, *s as i64);
            if n == 0 {
                return None;
            }
            if s < 0 {
                lo += (n - 1) * s;
            } else {
                hi += (n - 1) * s;
            }
        }
        Some((lo as usize, hi as usize + item))
    }
}

/// The byte offsets of the elements of an array of `shape` with strides `a`
/// and `b`, in C order of the index: `f(offset in a, offset in b)` for
/// each, until it returns false.
fn walk2(shape: &[u64], a: &[u64], b: &[u64], mut f: impl FnMut(isize, isize) -> bool) {
    let nd = shape.len();
    if shape.contains(&0) {
        return;
    }
    let (last, sa, sb) = (shape[nd - 1] as usize, a[nd - 1] as isize, b[nd - 1] as isize);
    let mut idx = [0u64; 32];
    let (mut oa, mut ob) = (0isize, 0isize);
    loop {
        let (mut pa, mut pb) = (oa, ob);
        for _ in 0..last {
            if !f(pa, pb) {
                return;
            }
            pa += sa;
            pb += sb;
        }
        // the next row: the odometer over every axis but the last
        let mut k = nd - 1;
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            oa += a[k] as isize;
            ob += b[k] as isize;
            if idx[k] < shape[k] {
                break;
            }
            oa -= (shape[k] * a[k]) as isize;
            ob -= (shape[k] * b[k]) as isize;
            idx[k] = 0;
        }
    }
}

/// Whether compiled code holds arrays of `d` as this module copies them.
fn plain_dtype(d: Dtype) -> bool {
    !d.is_record() && !d.is_time()
}

/// The mask's true elements (non-zero bytes).
fn count_true(m: &View<'_>, shape_of_x: &View<'_>) -> usize {
    let mut n = 0usize;
    if m.c_contiguous(1) {
        let total: u64 = m.shape.iter().product();
        // SAFETY: a C-contiguous bool array of `total` one-byte elements.
        let bytes = unsafe { std::slice::from_raw_parts(m.data, total as usize) };
        // (in byte counters, 255 bytes at a time: sixteen bytes per vector
        // instruction, where counting into words took two)
        return bytes
            .chunks(255)
            .map(|c| c.iter().fold(0u8, |n, b| n + u8::from(*b != 0)) as usize)
            .sum();
    }
    walk2(shape_of_x.shape, m.strides, m.strides, |o, _| {
        // SAFETY: `o` is the offset of an element of the live mask.
        n += usize::from(unsafe { *m.data.offset(o) } != 0);
        true
    });
    n
}

/// Eight true mask bytes, as one word.
const ALL_TRUE: u64 = 0x0101_0101_0101_0101;

/// The mask's bytes `i..i + 8` as one word.
///
/// # Safety
/// The mask is contiguous with at least `i + 8` bytes.
#[inline(always)]
unsafe fn word(m: *const u8, i: usize) -> u64 {
    // SAFETY: as the function's contract.
    unsafe { (m.add(i) as *const u64).read_unaligned() }
}

/// `x[m]`'s elements into `dst` (room for `count`, the mask's true count):
/// each element is written to the next free place, which moves on only
/// where the mask is true (no branch on a mask byte), and only while a free
/// place is left, so nothing lands past the end. Contiguous operands go
/// eight mask bytes at a time: a run of false ones is skipped, a run of true
/// ones copied at once.
///
/// # Safety
/// `x` and `m` are live arrays of one shape, `T` is `x`'s element size.
unsafe fn gather<T: Copy>(x: &View<'_>, m: &View<'_>, dst: *mut T, count: usize, both_c: bool) {
    let mut k = 0usize;
    // SAFETY (the whole body): offsets and indexes of elements of the live
    // arrays; `k < count` where `dst` is written.
    unsafe {
        if both_c {
            let (xp, mp) = (x.data as *const T, m.data as *const u8);
            let total = x.shape.iter().product::<u64>() as usize;
            let mut i = 0usize;
            while i < total && k < count {
                if i + 8 <= total && count - k >= 8 {
                    let w = word(mp, i);
                    if w == ALL_TRUE {
                        // (as bytes: `T`'s alignment may exceed the dtype's)
                        std::ptr::copy_nonoverlapping(
                            xp.add(i) as *const u8,
                            dst.add(k) as *mut u8,
                            8 * size_of::<T>(),
                        );
                        k += 8;
                    } else if w != 0 {
                        for j in i..i + 8 {
                            dst.add(k).write_unaligned(xp.add(j).read_unaligned());
                            k += usize::from(*mp.add(j) != 0);
                        }
                    }
                    i += 8;
                    continue;
                }
                dst.add(k).write_unaligned(xp.add(i).read_unaligned());
                k += usize::from(*mp.add(i) != 0);
                i += 1;
            }
        } else {
            walk2(x.shape, x.strides, m.strides, |ox, om| {
                dst.add(k)
                    .write_unaligned((x.data.offset(ox) as *const T).read_unaligned());
                k += usize::from(*m.data.offset(om) != 0);
                k < count
            });
        }
    }
}

/// `x[m] = v` for one value `v` (its bytes): every element where the mask is true. Each
/// element takes `v` or its own value again (a select, no branch on a mask
/// byte); contiguous operands go eight mask bytes at a time (a false run
/// skipped, a true run filled).
///
/// # Safety
/// `x` (writeable) and `m` are live arrays of one shape, `T` is `x`'s element size.
unsafe fn fill<T: Copy>(x: &View<'_>, m: &View<'_>, v: *const u8, both_c: bool) {
    // SAFETY (the whole body): offsets and indexes of elements of the live
    // arrays; `v` holds an element.
    unsafe {
        let v = (v as *const T).read_unaligned();
        let put = |p: *mut T, take: bool| {
            let old = p.read_unaligned();
            p.write_unaligned(if take { v } else { old });
        };
        if both_c {
            let (xp, mp) = (x.data as *mut T, m.data as *const u8);
            let total = x.shape.iter().product::<u64>() as usize;
            let mut i = 0usize;
            while i + 8 <= total {
                let w = word(mp, i);
                if w == ALL_TRUE {
                    for j in i..i + 8 {
                        xp.add(j).write_unaligned(v);
                    }
                } else if w != 0 {
                    for j in i..i + 8 {
                        put(xp.add(j), *mp.add(j) != 0);
                    }
                }
                i += 8;
            }
            for j in i..total {
                put(xp.add(j), *mp.add(j) != 0);
            }
        } else {
            walk2(x.shape, x.strides, m.strides, |ox, om| {
                put(x.data.offset(ox) as *mut T, *m.data.offset(om) != 0);
                true
            });
        }
    }
}

/// `x[m] = v` for a 1-d `v` of `count` values (`step` bytes apart, or 0 for
/// one value repeated): the true elements in C order take them in order,
/// each element its value or its own again (a select), the next value read
/// only while one is left.
///
/// # Safety
/// `x` (writeable) and `m` are live arrays of one shape, `v` has `count`
/// values (`step` 0: one) of `T`, `x`'s element size.
unsafe fn scatter<T: Copy>(x: &View<'_>, m: &View<'_>, v: *const u8, step: isize, count: usize, both_c: bool) {
    let mut k = 0usize;
    // SAFETY (the whole body): offsets and indexes of elements of the live
    // arrays; `k < count` where `v` is read.
    unsafe {
        let put = |k: &mut usize, p: *mut T, take: bool| {
            let new = (v.offset(*k as isize * step) as *const T).read_unaligned();
            let old = p.read_unaligned();
            p.write_unaligned(if take { new } else { old });
            *k += usize::from(take);
        };
        if both_c {
            let (xp, mp) = (x.data as *mut T, m.data as *const u8);
            let total = x.shape.iter().product::<u64>() as usize;
            let mut i = 0usize;
            while i < total && k < count {
                if i + 8 <= total && count - k >= 8 {
                    let w = word(mp, i);
                    if w == ALL_TRUE && step == size_of::<T>() as isize {
                        // (as bytes: `T`'s alignment may exceed the dtype's)
                        let src = v.offset(k as isize * step);
                        std::ptr::copy_nonoverlapping(src, xp.add(i) as *mut u8, 8 * size_of::<T>());
                        k += 8;
                    } else if w != 0 {
                        for j in i..i + 8 {
                            put(&mut k, xp.add(j), *mp.add(j) != 0);
                        }
                    }
                    i += 8;
                    continue;
                }
                put(&mut k, xp.add(i), *mp.add(i) != 0);
                i += 1;
            }
        } else {
            walk2(x.shape, x.strides, m.strides, |ox, om| {
                put(&mut k, x.data.offset(ox) as *mut T, *m.data.offset(om) != 0);
                k < count
            });
        }
    }
}

/// Sixteen bytes copied as one element (complex128).
#[derive(Clone, Copy)]
#[repr(C)]
struct Bytes16([u64; 2]);

/// Calls `$f::<T>($args)` with `T` the unsigned type (or [`Bytes16`]) of
/// `$item` bytes; any other size evaluates `$other`.
macro_rules! by_size {
    ($item:expr, $other:expr, $f:ident($($a:expr),*)) => {
        match $item {
            1 => $f::<u8>($($a),*),
            2 => $f::<u16>($($a),*),
            4 => $f::<u32>($($a),*),
            8 => $f::<u64>($($a),*),
            16 => $f::<Bytes16>($($a),*),
            _ => $other,
        }
    };
}

/// The operands `x` and `m` (each `nd` axes) at the start of a call's
/// slots, and the slots after them; `None` unless both are exactly ndarrays
/// (a subclass may index in its own way) of one shape.
#[allow(clippy::type_complexity)]
fn operands(slots: &[u64], nd: usize) -> Option<(Python<'_>, &'static NpTypes, View<'_>, View<'_>, &[u64])> {
    let n1 = ArraySlots::new(nd).count();
    let (x, m) = (View::of(&slots[..n1], nd), View::of(&slots[n1..2 * n1], nd));
    // SAFETY: compiled code holds the GIL (its callers check `no_gil`).
    let py = unsafe { Python::assume_attached() };
    let np = np_types(py).ok()?;
    // SAFETY: the object slot of an array holds a live object.
    let exact =
        unsafe { ffi::Py_TYPE(x.obj) as usize == np.ndarray_type && ffi::Py_TYPE(m.obj) as usize == np.ndarray_type };
    (x.shape == m.shape && exact).then_some((py, np, x, m, &slots[2 * n1..]))
}

/// `x[m]` (see the module docs): the result's slots in `out`, the array in
/// the arena; `None` for NumPy's call.
///
/// # Safety
/// As `pycall`.
pub(super) unsafe fn mask_getitem(
    ctx: *mut Ctx,
    desc: *const PyCallDesc,
    args: *const u64,
    out: *mut u64,
    dying: u64,
) -> Option<i32> {
    // SAFETY: see the function's contract.
    let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
    let PyCallKind::GetItem(_) = &desc.kind else {
        return None;
    };
    let [Ty::Array(xt), Ty::Array(mt)] = &desc.arg_tys[..] else {
        return None;
    };
    let Ty::Array(want) = &desc.ret else { return None };
    if ctx.no_gil
        || mt.dtype != Dtype::Bool
        || mt.ndim != xt.ndim
        || xt.ndim == 0
        || want.ndim != 1
        || want.dtype != xt.dtype
        || !plain_dtype(xt.dtype)
        || dying & !3 != 0
    {
        return None;
    }
    // SAFETY: `args` holds the call's `nslots` slots.
    let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
    let (py, _, x, m, _) = operands(slots, xt.ndim as usize)?;
    let item = xt.dtype.itemsize() as usize;
    let count = count_true(&m, &x);
    // (a new 1-d C-ordered array, as `np.empty(count)` makes it: its slots in
    // `out`, the array in the arena)
    let c_layout = matches!(
        want.layout,
        pyston_compiler::types::Layout::A | pyston_compiler::types::Layout::C
    );
    let shape = [count as i64];
    let dtype = pyston_compiler::abi::dtype_index(xt.dtype) as i32;
    // SAFETY: `ctx` is the call's live context (the GIL held); `out` has room
    // for a 1-d array's slots.
    if !c_layout || unsafe { super::pyston_alloc(ctx, 0, dtype, 1, shape.as_ptr(), 0, out) } != OK {
        // (NumPy's MemoryError, raised again by its own call)
        drop(PyErr::take(py));
        return None;
    }
    // SAFETY: the slots just written: the new array's data, `count` elements of `item` bytes.
    let dst = unsafe { *out.add(ArraySlots::DATA) } as *mut u8;
    if count > 0 {
        let both_c = x.c_contiguous(item) && m.c_contiguous(1);
        // SAFETY: `x` and `m` are live arrays of one shape; `dst` has room for
        // `count` elements of `x`'s size.
        unsafe { by_size!(item, unreachable!(), gather(&x, &m, dst as *mut _, count, both_c)) };
    }
    for (i, v) in [&x, &m].iter().enumerate() {
        if dying & (1 << i) != 0 {
            release(&mut ctx.arena, v.obj, 0);
        }
    }
    Some(OK)
}

/// The bytes of scalar value `t` (slots `s`) as an element of `d`, when NumPy
/// stores it there unchanged (no rounding, no overflow, nothing to warn about).
fn scalar_bytes(t: &Ty, s: &[u64], d: Dtype) -> Option<[u8; 16]> {
    let mut b = [0u8; 16];
    match (t, d) {
        (Ty::Int, Dtype::Int64) | (Ty::Float, Dtype::Float64) => b[..8].copy_from_slice(&s[0].to_ne_bytes()),
        // (an int converts to a float64 exactly up to 2**53)
        (Ty::Int, Dtype::Float64) if (s[0] as i64).unsigned_abs() <= 1 << 53 => {
            b[..8].copy_from_slice(&(s[0] as i64 as f64).to_ne_bytes())
        }
        (Ty::Bool, Dtype::Bool) => b[0] = u8::from(s[0] & 0xff != 0),
        (Ty::Complex, Dtype::Complex128) => {
            b[..8].copy_from_slice(&s[0].to_ne_bytes());
            b[8..].copy_from_slice(&s[1].to_ne_bytes());
        }
        (Ty::Np(e), _) if *e == d && plain_dtype(d) => match d {
            Dtype::Complex128 => {
                b[..8].copy_from_slice(&s[0].to_ne_bytes());
                b[8..].copy_from_slice(&s[1].to_ne_bytes());
            }
            Dtype::Complex64 => {
                b[..4].copy_from_slice(&(s[0] as u32).to_ne_bytes());
                b[4..8].copy_from_slice(&(s[1] as u32).to_ne_bytes());
            }
            _ => b[..8].copy_from_slice(&s[0].to_ne_bytes()),
        },
        _ => return None,
    }
    Some(b)
}

/// `x[m] = v` (see the module docs); `None` for NumPy's call (nothing written).
///
/// # Safety
/// As `pycall`.
pub(super) unsafe fn mask_setitem(ctx: *mut Ctx, desc: *const PyCallDesc, args: *const u64, dying: u64) -> Option<i32> {
    // SAFETY: see the function's contract.
    let (ctx, desc) = unsafe { (&mut *ctx, &*desc) };
    let PyCallKind::SetItem(_) = &desc.kind else {
        return None;
    };
    let [Ty::Array(xt), Ty::Array(mt), vt] = &desc.arg_tys[..] else {
        return None;
    };
    if ctx.no_gil
        || mt.dtype != Dtype::Bool
        || mt.ndim != xt.ndim
        || xt.ndim == 0
        || xt.readonly
        || !plain_dtype(xt.dtype)
        || dying & !7 != 0
    {
        return None;
    }
    // SAFETY: `args` holds the call's `nslots` slots.
    let slots = unsafe { std::slice::from_raw_parts(args, desc.nslots) };
    let (_, np, x, m, vs) = operands(slots, xt.ndim as usize)?;
    let item = xt.dtype.itemsize() as usize;
    // The value: a scalar's bytes, or an array's elements.
    let (scalar, values) = match vt {
        Ty::Array(at) => {
            if at.dtype != xt.dtype || at.ndim > 1 {
                return None;
            }
            let v = View::of(vs, at.ndim as usize);
            // SAFETY: the object slot of an array holds a live object.
            if unsafe { ffi::Py_TYPE(v.obj) as usize != np.ndarray_type } {
                return None;
            }
            // (memory shared with `x`: NumPy copies `v` first)
            if let (Some((a, b)), Some((c, d))) = (x.extent(item), v.extent(item)) {
                if a < d && c < b {
                    return None;
                }
            }
            (None, Some(v))
        }
        t => (Some(scalar_bytes(t, vs, xt.dtype)?), None),
    };
    let both_c = x.c_contiguous(item) && m.c_contiguous(1);
    match (scalar, values) {
        (Some(b), _) => {
            // SAFETY: `x` (writeable) and `m` are live arrays of one shape;
            // `b` holds an element of `x`'s size.
            unsafe { by_size!(item, return None, fill(&x, &m, b.as_ptr(), both_c)) }
        }
        (None, Some(v)) => {
            let len = v.shape.first().copied().unwrap_or(1) as usize;
            let step = v.strides.first().copied().unwrap_or(0) as isize;
            let count = count_true(&m, &x);
            // (one value repeated, or one per true element; else NumPy's ValueError)
            let step = match len {
                _ if len == count => step,
                1 => 0,
                _ => return None,
            };
            if count > 0 {
                // SAFETY: `x` (writeable) and `m` are live arrays of one shape;
                // `v` holds `count` values (`step` 0: one) of `x`'s dtype.
                unsafe { by_size!(item, return None, scatter(&x, &m, v.data, step, count, both_c)) };
            }
        }
        _ => unreachable!(),
    }
    for (i, o) in [x.obj, m.obj].into_iter().enumerate() {
        if dying & (1 << i) != 0 {
            release(&mut ctx.arena, o, 0);
        }
    }
    if dying & 4 != 0 {
        if let Ty::Array(_) = vt {
            release(&mut ctx.arena, vs[ArraySlots::OBJ] as *mut ffi::PyObject, 0);
        }
    }
    Some(OK)
}
