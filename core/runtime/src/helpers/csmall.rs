//! What the `small` pass's code calls for small complex128 matrices (see
//! `numeric/src/small.rs`, "complex matrices"): `A @ B`, `A * s` (`s * A`)
//! and `T += X` of 2-D complex128 arrays, computed by the very code NumPy runs
//! for them, without NumPy's call machinery (its ufunc dispatch, array
//! objects for the operands' views).
//!
//! Exactness, bit for bit, by construction:
//! * `A @ B` (both of at least 2x2, `n` at least 2): NumPy's `CDOUBLE_matmul`
//!   calls `cblas_zgemm` of the BLAS it links when both operands are
//!   "blasable" (unit stride along one axis, the other stride a multiple of
//!   16 bytes at least that axis's length) and the output is its fresh
//!   C-contiguous array; `pyston_zmatmul` makes that same call with the same
//!   arguments (order, transposes, sizes, leading dimensions, alpha = 1,
//!   beta = 0), computed from the strides as `CDOUBLE_matmul_matrixmatrix`
//!   computes them. The same function on the same inputs gives the same bits
//!   (OpenBLAS runs one thread on matrices this small, and its kernel choice
//!   depends only on the arguments). Every other case (a dimension of 0 or 1:
//!   NumPy's `gemv`, `dot` or its own loop; a matrix times its own transpose:
//!   `zsyrk`; operands NumPy first copies) is NumPy's call.
//! * `A * s`: NumPy's own inner loop for `multiply` on complex128 (from the
//!   ufunc's loop table: the SIMD loop this CPU was dispatched to, with its
//!   fused multiply-adds where it has them), called on the same element
//!   pointers and strides NumPy's iterator passes it, with the scalar as the
//!   same operand (first for `s * A`: the complex product rounds differently
//!   with its operands swapped when the loop fuses). Each element's product
//!   depends only on its two operands and the loop's branch: every branch
//!   this CPU's loop takes for a fresh output (contiguous, strided, a scalar
//!   operand) computes it with one formula; its scalar fallback is taken only
//!   for outputs overlapping an input or of stride 0, which a fresh array
//!   never is. The loop is kept only if it reproduces `np.multiply`'s bits
//!   on special and random values, both operand orders, contiguous and
//!   strided, in one call and row by row (checked once, [`cmul_fn`]).
//! * `T += X`: NumPy's complex add is two IEEE additions per element, in any
//!   of its loops; done here in place, elements independent (no overlap
//!   between `T` and `X` but identity).
//!
//! NumPy warns on overflow and invalid operations: `zgemm` and the multiply
//! loop run with the floating-point flags cleared and any flag NumPy warns
//! about sends the operation to NumPy's call (which computes it again, and
//! warns or not as it does); `+=` checks every sum is finite before storing
//! any (NumPy's call otherwise). Nothing here writes to an array the caller
//! can see before it knows it will return 0.

use super::small::{cblas_symbol, clear_fp_flags, f64_array, fp_flags_raised, InnerLoop};
use numpy::npyffi::{self, npy_intp};
use pyo3::prelude::*;
use std::ffi::{c_char, c_void};
use std::sync::OnceLock;

/// `cblas_zgemm` (ILP64 or LP64 `blasint`).
#[derive(Clone, Copy)]
enum Zgemm {
    Ilp64(ZgemmIlp64),
    Lp64(ZgemmLp64),
}
type ZgemmIlp64 = unsafe extern "C" fn(
    i32,
    i32,
    i32,
    i64,
    i64,
    i64,
    *const f64,
    *const f64,
    i64,
    *const f64,
    i64,
    *const f64,
    *mut f64,
    i64,
);
type ZgemmLp64 = unsafe extern "C" fn(
    i32,
    i32,
    i32,
    i32,
    i32,
    i32,
    *const f64,
    *const f64,
    i32,
    *const f64,
    i32,
    *const f64,
    *mut f64,
    i32,
);

static ZGEMM: OnceLock<Option<Zgemm>> = OnceLock::new();
/// NumPy's `multiply` inner loop for complex128 (function, data).
static CMUL: OnceLock<Option<(InnerLoop, usize)>> = OnceLock::new();

const ROW_MAJOR: i32 = 101;
const NO_TRANS: i32 = 111;
const TRANS: i32 = 112;
const SZ: i64 = 16;
/// The largest dimension computed here (larger ones are NumPy's call).
const MAX_DIM: i64 = 1 << 20;

/// NumPy's `is_blasable2d` for complex128 (strides in bytes).
fn blasable(s1: i64, s2: i64, _d1: i64, d2: i64) -> bool {
    s2 == SZ && s1 % SZ == 0 && s1 / SZ >= d2 && s1 / SZ < i64::from(i32::MAX)
}

/// `np.matmul(a, b)` of an `m x n` and an `n x p` complex128 matrix (byte
/// strides `a0, a1`, `b0, b1`) into `out`, a fresh C-contiguous `m x p`
/// array, by the `cblas_zgemm` call NumPy makes for them: 0; nonzero when
/// NumPy computes it otherwise (`out` then holds garbage; compiled code
/// calls NumPy).
///
/// # Safety
/// `a`, `b` are matrices of those shapes and strides, `out` one of `m*p` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pyston_zmatmul(
    a: i64,
    a0: i64,
    a1: i64,
    b: i64,
    b0: i64,
    b1: i64,
    out: i64,
    dims: i64,
) -> i32 {
    let Some(f) = zgemm_fn() else {
        return 1;
    };
    // SAFETY: compiled code passes three i64 stack slots (m, n, p).
    let (m, n, p) = unsafe {
        let d = dims as *const i64;
        (*d, *d.add(1), *d.add(2))
    };
    // SAFETY: the caller's contract.
    unsafe { zmatmul(f, a, a0, a1, b, b0, b1, out, m, n, p) }
}

/// # Safety
/// As [`pyston_zmatmul`].
#[allow(clippy::too_many_arguments)]
unsafe fn zmatmul(
    f: Zgemm,
    a: i64,
    a0: i64,
    a1: i64,
    b: i64,
    b0: i64,
    b1: i64,
    out: i64,
    m: i64,
    n: i64,
    p: i64,
) -> i32 {
    // NumPy's special cases (a 1 or 0 among the dimensions) and its huge ones.
    if m < 2 || n < 2 || p < 2 || m > MAX_DIM || n > MAX_DIM || p > MAX_DIM {
        return 1;
    }
    // An operand not aligned for its dtype (8 bytes): NumPy's iterator copies it
    // into an aligned buffer first, whose strides may differ (its call then).
    if a % 8 != 0 || b % 8 != 0 {
        return 1;
    }
    // (`CDOUBLE_matmul`: both operands blasable, C or Fortran way; the output,
    // C-contiguous with p >= 2, is (`o_transpose` false, no copy).)
    let (a_c, a_f) = (blasable(a0, a1, m, n), blasable(a1, a0, n, m));
    let (b_c, b_f) = (blasable(b0, b1, n, p), blasable(b1, b0, p, n));
    if !(a_c || a_f) || !(b_c || b_f) {
        return 1;
    }
    // (`CDOUBLE_matmul_matrixmatrix`)
    let (t1, lda) = if a_c { (NO_TRANS, a0 / SZ) } else { (TRANS, a1 / SZ) };
    let (t2, ldb) = if b_c { (NO_TRANS, b0 / SZ) } else { (TRANS, b1 / SZ) };
    // A matrix times its own transpose: NumPy's `zsyrk`.
    if a == b && m == p && a0 == b1 && a1 == b0 && t1 != t2 {
        return 1;
    }
    let one = [1.0f64, 0.0];
    let zero = [0.0f64, 0.0];
    clear_fp_flags();
    // SAFETY: the caller's contract; `f` is the `cblas_zgemm` NumPy calls, with
    // NumPy's arguments for these operands (all sizes checked above to fit).
    unsafe {
        match f {
            Zgemm::Ilp64(g) => g(
                ROW_MAJOR,
                t1,
                t2,
                m,
                p,
                n,
                one.as_ptr(),
                a as *const f64,
                lda,
                b as *const f64,
                ldb,
                zero.as_ptr(),
                out as *mut f64,
                p,
            ),
            Zgemm::Lp64(g) => g(
                ROW_MAJOR,
                t1,
                t2,
                m as i32,
                p as i32,
                n as i32,
                one.as_ptr(),
                a as *const f64,
                lda as i32,
                b as *const f64,
                ldb as i32,
                zero.as_ptr(),
                out as *mut f64,
                p as i32,
            ),
        }
    }
    crate::runtime::clean_upper();
    if fp_flags_raised() {
        return 2;
    }
    0
}

/// A 64-byte aligned block of the scratch buffer.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Block64([f64; 8]);

thread_local! {
    /// Where `pyston_zmatmul_add` puts `a @ b` before adding it (NumPy's temporary).
    static SCRATCH: std::cell::RefCell<Vec<Block64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest `a @ b` (elements) `pyston_zmatmul_add` computes in its scratch buffer.
const SCRATCH_MAX: i64 = 1 << 16;

/// Runs `f` with a scratch buffer of at least `elems` complex128 elements
/// (64-byte aligned, like the fresh arrays NumPy's allocator returns at least to 16).
fn with_scratch<R>(elems: i64, f: impl FnOnce(i64) -> R) -> R {
    SCRATCH.with(|s| {
        let mut v = s.borrow_mut();
        let blocks = (elems as usize * 2).div_ceil(8).max(1);
        if v.len() < blocks {
            v.resize(blocks, Block64([0.0; 8]));
        }
        f(v.as_mut_ptr() as i64)
    })
}

/// `t += a @ b` of complex128 matrices (`a` `m x n`, `b` `n x p`, `t` `m x p`
/// at byte strides `t0, t1`) as NumPy computes it: `a @ b` into a temporary
/// (here a scratch buffer, C-contiguous like NumPy's: the same `zgemm` call,
/// `ldc = p`) by [`pyston_zmatmul`]'s rules, then [`pyston_cadd_inplace`]: 0;
/// nonzero (nothing written to `t`) when either would call NumPy.
/// `dims` holds `m, n, p, t0, t1`.
///
/// # Safety
/// As those two functions.
pub unsafe extern "C" fn pyston_zmatmul_add(
    a: i64,
    a0: i64,
    a1: i64,
    b: i64,
    b0: i64,
    b1: i64,
    t: i64,
    dims: i64,
) -> i32 {
    let Some(f) = zgemm_fn() else {
        return 1;
    };
    // SAFETY: compiled code passes five i64 stack slots.
    let (m, n, p, t0, t1) = unsafe {
        let d = dims as *const i64;
        (*d, *d.add(1), *d.add(2), *d.add(3), *d.add(4))
    };
    if m.saturating_mul(p) > SCRATCH_MAX || m > MAX_DIM || p > MAX_DIM {
        return 1;
    }
    with_scratch(m * p, |tmp| {
        // SAFETY: the caller's contract; `tmp` holds `m * p` elements.
        let st = unsafe { zmatmul(f, a, a0, a1, b, b0, b1, tmp, m, n, p) };
        if st != 0 {
            return st;
        }
        // SAFETY: `tmp` is C-contiguous `m x p`, `t` the caller's matrix.
        unsafe { pyston_cadd_inplace(t, t0, t1, tmp, p * SZ, SZ, m, p) }
    })
}

/// `x * s` (`first` 0) or `s * x` (`first` 1) of an `rows x cols` complex128
/// matrix `x` (byte strides `x0, x1`) and the complex scalar `re + im*j`,
/// into `out`, a fresh C-contiguous array, by NumPy's own inner loop: 0;
/// nonzero when that loop is not available or raised a floating-point flag
/// NumPy warns about (compiled code calls NumPy).
///
/// # Safety
/// `x` is a matrix of that shape and strides, `out` one of `rows*cols` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pyston_cmul_scalar(
    x: i64,
    x0: i64,
    x1: i64,
    rows: i64,
    cols: i64,
    re: f64,
    im: f64,
    first: i64,
    out: i64,
) -> i32 {
    let Some((func, data)) = cmul_fn() else {
        return 1;
    };
    if rows <= 0 || cols <= 0 {
        return 1;
    }
    // NumPy's result is C-contiguous for these layouts (its iterator's "K"
    // order follows the smaller stride); others are its call.
    if !(rows == 1 || cols == 1 || x1.abs() < x0.abs()) {
        return 1;
    }
    clear_fp_flags();
    // SAFETY: the caller's contract; the loop is NumPy's own.
    unsafe { one_cmul(func, data, x, x0, x1, rows, cols, re, im, first, out) };
    crate::runtime::clean_upper();
    if fp_flags_raised() {
        return 2;
    }
    0
}

/// `t += x` of two `rows x cols` complex128 matrices (byte strides `t0, t1`
/// and `x0, x1`), as NumPy's `add` computes it: 0 when done; 1 (nothing
/// written) when a sum is not finite (NumPy may warn), when `x` overlaps `t`
/// other than as the same elements, or when `t`'s own elements overlap.
///
/// # Safety
/// Both are matrices of that shape and strides; `t` is writable.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pyston_cadd_inplace(
    t: i64,
    t0: i64,
    t1: i64,
    x: i64,
    x0: i64,
    x1: i64,
    rows: i64,
    cols: i64,
) -> i32 {
    if rows <= 0 || cols <= 0 {
        return 0;
    }
    let span = |p: i64, s0: i64, s1: i64| -> (i64, i64) {
        let mut lo = p;
        let mut hi = p;
        for (s, n) in [(s0, rows), (s1, cols)] {
            let e = s * (n - 1);
            if e < 0 {
                lo += e;
            } else {
                hi += e;
            }
        }
        (lo, hi + SZ)
    };
    // `t`'s elements distinct (a row-major or column-major walk never meets itself).
    let distinct = |s0: i64, s1: i64| -> bool {
        let (a0, a1) = (s0.abs(), s1.abs());
        (rows == 1 || a0 >= SZ) && (cols == 1 || a1 >= SZ) && {
            (rows == 1 || cols == 1) || a1 * cols <= a0 || a0 * rows <= a1
        }
    };
    if !distinct(t0, t1) {
        return 1;
    }
    let (tl, th) = span(t, t0, t1);
    let (xl, xh) = span(x, x0, x1);
    let same = t == x && (rows == 1 || t0 == x0) && (cols == 1 || t1 == x1);
    if tl < xh && xl < th && !same {
        return 1;
    }
    let at = |p: i64, s0: i64, s1: i64, r: i64, c: i64| (p + r * s0 + c * s1) as *mut f64;
    // Check every sum first, then store (the caller's slow path finds `t` untouched).
    for r in 0..rows {
        for c in 0..cols {
            // SAFETY: elements of the caller's matrices.
            let (a, b) = unsafe {
                let a = at(t, t0, t1, r, c);
                let b = at(x, x0, x1, r, c);
                (
                    (a.read_unaligned(), a.add(1).read_unaligned()),
                    (b.read_unaligned(), b.add(1).read_unaligned()),
                )
            };
            if !(a.0 + b.0).is_finite() || !(a.1 + b.1).is_finite() {
                return 1;
            }
        }
    }
    for r in 0..rows {
        for c in 0..cols {
            // SAFETY: as above; `t` is writable.
            unsafe {
                let a = at(t, t0, t1, r, c);
                let b = at(x, x0, x1, r, c);
                let (br, bi) = (b.read_unaligned(), b.add(1).read_unaligned());
                a.write_unaligned(a.read_unaligned() + br);
                a.add(1).write_unaligned(a.add(1).read_unaligned() + bi);
            }
        }
    }
    0
}

/// `cblas_zgemm`, found and checked against NumPy the first time it is asked
/// for (once per process, when compiled code first multiplies complex
/// matrices: not at compile time, which every process pays).
fn zgemm_fn() -> Option<Zgemm> {
    *ZGEMM.get_or_init(|| Python::attach(|py| find_zgemm(py).ok().flatten()))
}

/// NumPy's complex128 multiply loop, found and checked the same way.
fn cmul_fn() -> Option<(InnerLoop, usize)> {
    *CMUL.get_or_init(|| Python::attach(|py| find_cmul(py).ok().flatten()))
}

/// Whether compiled code calls `cblas_zgemm` itself for complex128 matrix
/// products and NumPy's multiply loop for complex128 `array * scalar`
/// (`_pyston.native_complex_matrices()`, for tests and docs).
#[pyfunction]
pub fn native_complex_matrices(py: Python<'_>) -> (bool, bool) {
    let _ = py.import("numpy");
    (zgemm_fn().is_some(), cmul_fn().is_some())
}

/// Complex128 test values: random over many binades, both signs, `n` of them.
fn cvals<'py>(py: Python<'py>, n: usize, seed0: u64, special: bool) -> PyResult<Bound<'py, PyAny>> {
    let mut seed = seed0;
    let mut v: Vec<f64> = Vec::with_capacity(2 * n);
    let specials = [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e-310,
        1e300,
        -1e300,
    ];
    for i in 0..2 * n {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let m = 1.0 + (r >> 12) as f64 / (1u64 << 52) as f64;
        let e = ((r & 0x3F) as i32) - 32;
        let x = if r & 0x40 != 0 { -m } else { m } * 2f64.powi(e);
        v.push(if special && i % 5 == 3 {
            specials[(r >> 8) as usize % specials.len()]
        } else {
            x
        });
    }
    f64_array(py, &v)?.call_method1("view", ("complex128",))
}

fn data_addr(a: &Bound<'_, PyAny>) -> PyResult<i64> {
    a.getattr("__array_interface__")?
        .get_item("data")?
        .get_item(0)?
        .extract()
}

fn strides2(a: &Bound<'_, PyAny>) -> PyResult<(i64, i64)> {
    a.getattr("strides")?.extract()
}

fn find_zgemm<'py>(py: Python<'py>) -> PyResult<Option<Zgemm>> {
    let Some((sym, ilp64)) = cblas_symbol(py, "zgemm")? else {
        return Ok(None);
    };
    // SAFETY: the symbol is CBLAS's `void cblas_zgemm(order, transa,
    // transb, blasint m, n, k, const void *alpha, const void *a, blasint
    // lda, const void *b, blasint ldb, const void *beta, void *c, blasint
    // ldc)` (enums are C ints), with a 64-bit blasint in the `64_` builds.
    let f = unsafe {
        if ilp64 {
            Zgemm::Ilp64(std::mem::transmute::<*mut c_void, ZgemmIlp64>(sym))
        } else {
            Zgemm::Lp64(std::mem::transmute::<*mut c_void, ZgemmLp64>(sym))
        }
    };
    // The check: `np.matmul` against this call on matrices of several shapes
    // and layouts (C order, transposed, rows of a wider array).
    let np = py.import("numpy")?;
    let matmul = np.getattr("matmul")?;
    let empty = np.getattr("empty")?;
    for (k, &(m, n, p)) in [
        (2usize, 2usize, 2usize),
        (3, 3, 3),
        (3, 4, 5),
        (4, 4, 4),
        (5, 2, 7),
        (8, 8, 8),
        (9, 3, 6),
    ]
    .iter()
    .enumerate()
    {
        let base_a = cvals(py, 3 * m * n + 8, 0x9E37_79B9 + k as u64, false)?;
        let base_b = cvals(py, 3 * n * p + 8, 0x2545_F491 + k as u64, false)?;
        let take = |b: &Bound<'py, PyAny>, r: usize, c: usize, how: usize| -> PyResult<Bound<'py, PyAny>> {
            let flat = b.get_item(pyo3::types::PySlice::new(py, 0, (r * c) as isize, 1))?;
            match how {
                0 => flat.call_method1("reshape", ((r, c),)),
                1 => flat.call_method1("reshape", ((c, r),))?.getattr("T"),
                _ => {
                    let wide = b.get_item(pyo3::types::PySlice::new(py, 0, (r * (c + 1)) as isize, 1))?;
                    wide.call_method1("reshape", ((r, c + 1),))?.get_item((
                        pyo3::types::PySlice::full(py),
                        pyo3::types::PySlice::new(py, 0, c as isize, 1),
                    ))
                }
            }
        };
        for ha in 0..3 {
            for hb in 0..3 {
                let a = take(&base_a, m, n, ha)?;
                let b = take(&base_b, n, p, hb)?;
                let want = matmul.call1((&a, &b))?;
                let out = empty.call1(((m, p), "complex128"))?;
                let (a0, a1) = strides2(&a)?;
                let (b0, b1) = strides2(&b)?;
                // SAFETY: `a`, `b` are live matrices of those shapes and strides,
                // `out` a fresh C-contiguous `m x p` one.
                let st = unsafe {
                    zmatmul(
                        f,
                        data_addr(&a)?,
                        a0,
                        a1,
                        data_addr(&b)?,
                        b0,
                        b1,
                        data_addr(&out)?,
                        m as i64,
                        n as i64,
                        p as i64,
                    )
                };
                let same: bool = want.call_method0("tobytes")?.eq(out.call_method0("tobytes")?)?;
                if st != 0 || !same {
                    return Ok(None);
                }
                // ... and into the scratch buffer `pyston_zmatmul_add` uses.
                let (pa, pb) = (data_addr(&a)?, data_addr(&b)?);
                let bytes: Vec<u8> = want.call_method0("tobytes")?.extract()?;
                let scratch_same = with_scratch((m * p) as i64, |tmp| {
                    // SAFETY: as above; `tmp` holds `m * p` elements.
                    let st = unsafe { zmatmul(f, pa, a0, a1, pb, b0, b1, tmp, m as i64, n as i64, p as i64) };
                    // SAFETY: `tmp` holds `m * p` complex128 elements, just written.
                    let got = unsafe { std::slice::from_raw_parts(tmp as *const u8, m * p * 16) };
                    st == 0 && got == &bytes[..]
                });
                if !scratch_same {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(f))
}

fn find_cmul(py: Python<'_>) -> PyResult<Option<(InnerLoop, usize)>> {
    let np = py.import("numpy")?;
    let u = np.getattr("multiply")?;
    let t = npyffi::NPY_TYPES::NPY_CDOUBLE as i32;
    let Some((func, data)) = super::small::table_loop(&u, &[t, t, t])? else {
        return Ok(None);
    };
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("all", "ignore")?;
    let es = np.getattr("errstate")?.call((), Some(&kw))?;
    es.call_method0("__enter__")?;
    let r = check_cmul(py, &np, func, data);
    es.call_method1("__exit__", (py.None(), py.None(), py.None()))?;
    Ok(if r? { Some((func, data)) } else { None })
}

/// NumPy's `x * s` and `s * x` against the loop called as compiled code
/// calls it: contiguous matrices (one call) and rows of a wider one (a call
/// per row), several shapes, special and random values and scalars.
fn check_cmul(py: Python<'_>, np: &Bound<'_, PyModule>, func: InnerLoop, data: usize) -> PyResult<bool> {
    let multiply = np.getattr("multiply")?;
    let empty = np.getattr("empty")?;
    let scalars = cvals(py, 12, 0x51_7CC1_B727, true)?;
    let n_s: usize = scalars.len()?;
    for (k, &(rows, cols)) in [
        (1usize, 1usize),
        (2, 2),
        (3, 3),
        (1, 9),
        (5, 1),
        (4, 5),
        (8, 8),
        (7, 3),
        (2, 33),
    ]
    .iter()
    .enumerate()
    {
        let base = cvals(py, rows * (cols + 2) + 4, 0xDEAD_BEEF + k as u64, k % 2 == 1)?;
        for wide in [false, true] {
            let w = if wide { cols + 2 } else { cols };
            let x = base
                .get_item(pyo3::types::PySlice::new(py, 0, (rows * w) as isize, 1))?
                .call_method1("reshape", ((rows, w),))?
                .get_item((
                    pyo3::types::PySlice::full(py),
                    pyo3::types::PySlice::new(py, 0, cols as isize, 1),
                ))?;
            let (x0, x1) = strides2(&x)?;
            for si in 0..n_s {
                let s = scalars.get_item(si)?;
                let (re, im): (f64, f64) = (s.getattr("real")?.extract()?, s.getattr("imag")?.extract()?);
                for first in [0i64, 1] {
                    let want = if first == 1 {
                        multiply.call1((&s, &x))?
                    } else {
                        multiply.call1((&x, &s))?
                    };
                    let out = empty.call1(((rows, cols), "complex128"))?;
                    let (xp, op) = (data_addr(&x)?, data_addr(&out)?);
                    // SAFETY: `x` and `out` are live matrices of that shape (`out`
                    // fresh and C-contiguous); the loop is NumPy's own.
                    unsafe { one_cmul(func, data, xp, x0, x1, rows as i64, cols as i64, re, im, first, op) };
                    let same: bool = want.call_method0("tobytes")?.eq(out.call_method0("tobytes")?)?;
                    let layout: bool = want.getattr("strides")?.eq(out.getattr("strides")?)?;
                    if !same || !layout {
                        return Ok(false);
                    }
                }
            }
        }
    }
    Ok(true)
}

/// The loop on one matrix: one call over all elements when the rows are back
/// to back (NumPy's iterator coalesces them the same way), else one per row.
///
/// # Safety
/// `x` is a live `rows x cols` matrix at strides `x0, x1`, `out` a C-contiguous one;
/// `func` is NumPy's complex128 multiply loop with its `data`.
#[allow(clippy::too_many_arguments)]
unsafe fn one_cmul(
    func: InnerLoop,
    data: usize,
    x: i64,
    x0: i64,
    x1: i64,
    rows: i64,
    cols: i64,
    re: f64,
    im: f64,
    first: i64,
    out: i64,
) {
    let (calls, len) = if rows == 1 || x0 == cols * x1 {
        (1, rows * cols)
    } else {
        (rows, cols)
    };
    let s = [re, im];
    for r in 0..calls {
        let xp = (x + r * x0) as *mut c_char;
        let op = (out + r * cols * SZ) as *mut c_char;
        let sp = s.as_ptr() as *mut c_char;
        let (mut args, mut steps) = if first != 0 {
            ([sp, xp, op], [0 as npy_intp, x1 as npy_intp, SZ as npy_intp])
        } else {
            ([xp, sp, op], [x1 as npy_intp, 0 as npy_intp, SZ as npy_intp])
        };
        let mut dims = [len as npy_intp];
        // SAFETY: the caller's contract.
        unsafe {
            func(
                args.as_mut_ptr(),
                dims.as_mut_ptr(),
                steps.as_mut_ptr(),
                data as *mut c_void,
            )
        };
    }
}
