//! What the `small` pass's code calls (small NumPy arrays natively, see
//! `numeric/src/small.rs`): NumPy's pairwise summation for long sums, the
//! length up to which `np.dot` of float64 vectors is a sequential sum of
//! products in this process's BLAS, and a counter of the calls into
//! Python/NumPy compiled code makes (for tests).

use numpy::npyffi::{self, npy_intp, PyUFuncObject};
use pyo3::prelude::*;
use pyston_compiler::abi::SMALL_UFUNCS;
use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Once, OnceLock};

/// A NumPy inner loop: `(args, dimensions, steps, data)`.
pub(crate) type InnerLoop = unsafe extern "C" fn(*mut *mut c_char, *mut npy_intp, *mut npy_intp, *mut c_void);

/// The inner loops of `SMALL_UFUNCS` (float64 at `2*i`, float32 at `2*i + 1`)
/// with their data pointers; `None` where not found or not verified.
static LOOPS: OnceLock<Vec<Option<(InnerLoop, usize)>>> = OnceLock::new();

/// Calls into Python/NumPy made by compiled code (`pyston_pycall*`).
pub static PYCALLS: AtomicU64 = AtomicU64::new(0);

/// The longest float64 `np.dot` of two 1-D arrays whose result this process's
/// BLAS computes as `0.0 + x0*y0 + x1*y1 + ...` in that order, without fused
/// multiply-adds (measured once, see [`calibrate`]); 0: none. Negative: the
/// longest it computes as `fma(xn, yn, ... fma(x1, y1, fma(x0, y0, 0.0)))`.
static DOT_SEQ_LIMIT: AtomicI64 = AtomicI64::new(0);
/// How the running NumPy sums a long array: 0, pairwise over all of it
/// (NumPy 2.x recent); else in chunks of this many elements (its reduction
/// buffer, 8192 in NumPy 2.0 and 1.x), each summed pairwise and added to
/// the running total in order. Found by `measure_sum_chunk`.
static SUM_CHUNK: AtomicI64 = AtomicI64::new(0);

/// `cblas_ddot` of the BLAS NumPy calls (its ILP64 or LP64 form), when found
/// and checked (see [`find_ddot`]).
#[derive(Clone, Copy)]
enum Ddot {
    Ilp64(DdotIlp64),
    Lp64(DdotLp64),
}
type DdotIlp64 = unsafe extern "C" fn(i64, *const f64, i64, *const f64, i64) -> f64;
type DdotLp64 = unsafe extern "C" fn(i32, *const f64, i32, *const f64, i32) -> f64;
static DDOT: OnceLock<Option<Ddot>> = OnceLock::new();

/// `np.dot(x, y)` of float64 vectors whose strides are nonzero multiples of 8
/// (`sx`, `sy` bytes), as NumPy's `DOUBLE_dot` computes it: `0.0 +` BLAS's
/// `ddot` (in chunks of 2**30), so any length and stride gives NumPy's value.
/// A vector with a negative stride is first copied into a contiguous buffer,
/// in its order, as NumPy's `cblas_matrixproduct` copies it (`_bad_strides`)
/// before its dot. 0, or 1 when that BLAS function is not available
/// (compiled code then calls NumPy).
///
/// # Safety
/// `x + i*sx` and `y + i*sy` for `i < n` are float64 elements.
pub unsafe extern "C" fn pyston_ddot(x: i64, sx: i64, y: i64, sy: i64, n: i64, out: *mut f64) -> i32 {
    let Some(Some(f)) = DDOT.get().copied() else {
        return 1;
    };
    // SAFETY: the caller's contract: `n` elements `s` bytes apart from `p`.
    let contiguous = |p: i64, s: i64| -> Vec<f64> {
        (0..n.max(0))
            .map(|i| unsafe { std::ptr::read_unaligned((p + i * s) as *const f64) })
            .collect()
    };
    let cx = (sx < 0).then(|| contiguous(x, sx));
    let cy = (sy < 0).then(|| contiguous(y, sy));
    let (xp, ix) = cx.as_ref().map_or((x as *const f64, sx / 8), |v| (v.as_ptr(), 1));
    let (yp, iy) = cy.as_ref().map_or((y as *const f64, sy / 8), |v| (v.as_ptr(), 1));
    // SAFETY: the caller's contract (or the copies, `n` elements each);
    // `f` is the BLAS function NumPy calls.
    unsafe {
        *out = ddot_chunks(f, xp, ix, yp, iy, n);
    }
    // (BLAS's kernels may leave the vector registers' upper halves dirty)
    crate::runtime::clean_upper();
    0
}

/// # Safety
/// As `pyston_ddot` (strides in elements).
unsafe fn ddot_chunks(f: Ddot, mut x: *const f64, ix: i64, mut y: *const f64, iy: i64, mut n: i64) -> f64 {
    const CHUNK: i64 = 1 << 30; // NumPy's NPY_CBLAS_CHUNK
    let mut sum = 0.0;
    while n > 0 {
        let c = n.min(CHUNK);
        // SAFETY: the caller's contract.
        sum += unsafe {
            match f {
                Ddot::Ilp64(g) => g(c, x, ix, y, iy),
                Ddot::Lp64(g) => g(c as i32, x, ix as i32, y, iy as i32),
            }
        };
        // SAFETY: within the vectors (the next chunk starts there).
        unsafe {
            x = x.offset((c * ix) as isize);
            y = y.offset((c * iy) as isize);
        }
        n -= c;
    }
    sum
}

/// Finds `cblas_ddot` in the BLAS library NumPy has loaded (NumPy's wheels
/// bundle scipy-openblas: `scipy_cblas_ddot64_`), and keeps it only if it
/// gives `np.dot`'s value bit for bit on vectors of many lengths and strides.
fn find_ddot<'py>(py: Python<'py>) -> PyResult<Option<Ddot>> {
    let np = py.import("numpy")?;
    let Some((sym, ilp64)) = cblas_symbol(py, "ddot")? else {
        return Ok(None);
    };
    // SAFETY: the symbol is CBLAS's `double cblas_ddot(blasint n, const
    // double *x, blasint incx, const double *y, blasint incy)`, with a
    // 64-bit blasint in the `64_` builds.
    let f = unsafe {
        if ilp64 {
            Ddot::Ilp64(std::mem::transmute::<*mut c_void, DdotIlp64>(sym))
        } else {
            Ddot::Lp64(std::mem::transmute::<*mut c_void, DdotLp64>(sym))
        }
    };
    check_ddot(py, &np, f)
}

/// CBLAS's `cblas_<stem>` in the BLAS NumPy has loaded, as NumPy's wheels
/// name it (scipy-openblas: `scipy_cblas_<stem>64_`) or a plain build does,
/// and whether it takes 64-bit ints (the `64_` builds).
pub(crate) fn cblas_symbol(py: Python<'_>, stem: &str) -> PyResult<Option<(*mut c_void, bool)>> {
    for (pre, suf, ilp64) in [
        ("scipy_cblas_", "64_", true),
        ("cblas_", "64_", true),
        ("scipy_cblas_", "", false),
        ("cblas_", "", false),
    ] {
        let Ok(name) = std::ffi::CString::new(format!("{pre}{stem}{suf}")) else {
            continue;
        };
        if let Some(sym) = blas_symbol(py, &name)? {
            return Ok(Some((sym, ilp64)));
        }
    }
    Ok(None)
}

/// The address of `name` in the BLAS library NumPy has loaded (NumPy's wheels
/// bundle it next to the package: `numpy.libs`, `.dylibs`), if it has one.
pub(crate) fn blas_symbol(py: Python<'_>, name: &std::ffi::CStr) -> PyResult<Option<*mut c_void>> {
    let np = py.import("numpy")?;
    let os = py.import("os")?;
    let dir = os
        .getattr("path")?
        .call_method1("dirname", (np.getattr("__file__")?,))?;
    // NumPy's wheels bundle their BLAS next to the package (`numpy.libs`, `.dylibs`).
    let mut paths: Vec<String> = Vec::new();
    for sub in ["../numpy.libs", ".dylibs"] {
        let d: String = os.getattr("path")?.call_method1("join", (&dir, sub))?.extract()?;
        let Ok(names) = os.call_method1("listdir", (&d,)) else {
            continue;
        };
        for name in names.extract::<Vec<String>>()? {
            if name.contains("blas") {
                paths.push(format!("{d}/{name}"));
            }
        }
    }
    for p in paths {
        let Ok(cp) = std::ffi::CString::new(p) else { continue };
        // SAFETY: dlopen of a library the process has loaded already (RTLD_NOLOAD:
        // nothing new is loaded), dlsym of a NUL-terminated name.
        let h = unsafe { libc::dlopen(cp.as_ptr(), libc::RTLD_LAZY | libc::RTLD_NOLOAD) };
        if h.is_null() {
            continue;
        }
        // SAFETY: as above.
        let sym = unsafe { libc::dlsym(h, name.as_ptr()) };
        if !sym.is_null() {
            return Ok(Some(sym));
        }
    }
    Ok(None)
}

/// `f` if it gives `np.dot`'s value bit for bit on vectors of many lengths and strides.
fn check_ddot<'py>(py: Python<'py>, np: &Bound<'py, PyModule>, f: Ddot) -> PyResult<Option<Ddot>> {
    // The check: np.dot against this call on strided views of random data.
    // (values made here: `numpy.random` is imported lazily, and costs 12 ms)
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut vals = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|_| {
                seed ^= seed >> 12;
                seed ^= seed << 25;
                seed ^= seed >> 27;
                let r = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let m = (r >> 11) as f64 / (1u64 << 53) as f64;
                (m - 0.5) * 2f64.powi(((r & 0xF) as i32) - 8)
            })
            .collect()
    };
    let dot = np.getattr("dot")?;
    let base_x = f64_array(py, &vals(1000 * 3 + 1))?;
    let base_y = f64_array(py, &vals(1000 * 7 + 1))?;
    let addr = |a: &Bound<'py, PyAny>| -> PyResult<usize> {
        a.getattr("__array_interface__")?
            .get_item("data")?
            .get_item(0)?
            .extract()
    };
    let (px, py_) = (addr(&base_x)?, addr(&base_y)?);
    for n in [
        0usize, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 257, 1000,
    ] {
        for (step_x, step_y) in [(1usize, 1usize), (2, 1), (3, 5), (1, 7)] {
            let sl = |b: &Bound<'py, PyAny>, st: usize| -> PyResult<Bound<'py, PyAny>> {
                b.get_item(pyo3::types::PySlice::new(py, 0, (n * st) as isize, st as isize))
            };
            let want: f64 = dot.call1((sl(&base_x, step_x)?, sl(&base_y, step_y)?))?.extract()?;
            // SAFETY: the views start at the bases' data, `n` float64 elements
            // `step` apart inside them.
            let got = unsafe {
                ddot_chunks(
                    f,
                    px as *const f64,
                    step_x as i64,
                    py_ as *const f64,
                    step_y as i64,
                    n as i64,
                )
            };
            if got.to_bits() != want.to_bits() {
                return Ok(None);
            }
        }
    }
    Ok(Some(f))
}

/// Whether a ufunc of a scalar is NumPy's inner loop on one element (NumPy 2;
/// NumPy 1.26's scalar path computes some functions differently, by an ulp).
static SCALAR_LOOPS: AtomicI64 = AtomicI64::new(0);

/// 1 when compiled code may compute `np.exp(x)` of a scalar with the ufunc's inner loop.
pub extern "C" fn pyston_scalar_ufuncs_ok() -> i64 {
    SCALAR_LOOPS.load(Ordering::Relaxed)
}

/// Whether `np.power(x, 2)` of float64 and float32 arrays is `x * x` bit for
/// bit in this NumPy (2.x; 1.26 calls `pow`, which differs by an ulp):
/// measured once ([`measure_power_square`]).
static POWER_SQUARE: AtomicI64 = AtomicI64::new(0);

/// Whether compiled code may compute `np.power(x, 2)` as `x * x` (known when compiling).
pub fn power_square_ok() -> bool {
    POWER_SQUARE.load(Ordering::Relaxed) != 0
}

/// `np.power(x, 2)` against `x * x` on values of every magnitude (both signs,
/// subnormal to overflowing, zeros, infinities and NaN), in float64 and
/// float32, at several lengths (NumPy's SIMD loops and their tails).
fn measure_power_square(py: Python<'_>) -> PyResult<bool> {
    let np = py.import("numpy")?;
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut vals: Vec<f64> = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e-310,
        1e200,
        3.0,
    ];
    while vals.len() < 4099 {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let r = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let m = 1.0 + (r >> 12) as f64 / (1u64 << 52) as f64;
        let e = ((r & 0x3FF) as i32) - 512;
        vals.push(if r & 0x400 != 0 { -m } else { m } * 2f64.powi(e));
    }
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("all", "ignore")?;
    let es = np.getattr("errstate")?.call((), Some(&kw))?;
    es.call_method0("__enter__")?;
    let check = || -> PyResult<bool> {
        let a = f64_array(py, &vals)?;
        for dt in ["float64", "float32"] {
            let x = a.call_method1("astype", (dt,))?;
            for n in [1usize, 2, 3, 5, 8, 15, 17, 4099] {
                let v = x.get_item(pyo3::types::PySlice::new(py, 0, n as isize, 1))?;
                let p = np.getattr("power")?.call1((&v, 2))?;
                let q = np.getattr("multiply")?.call1((&v, &v))?;
                let same: bool = p.call_method0("tobytes")?.eq(q.call_method0("tobytes")?)?;
                if !same {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    };
    let r = check();
    es.call_method1("__exit__", (py.None(), py.None(), py.None()))?;
    r
}

/// How NumPy multiplies complex128 arrays, measured once
/// ([`measure_complex_mul`]): 0 unknown (compiled code calls NumPy), 1 the
/// plain formula `(ar*br - ai*bi, ar*bi + ai*br)`, 2 with fused multiply-adds
/// `(fma(ar, br, -(ai*bi)), fma(ar, bi, ai*br))` (its AVX2/AVX-512 and NEON
/// loops, at every length and stride and with a broadcast operand).
static COMPLEX_MUL: AtomicI64 = AtomicI64::new(0);

/// [`COMPLEX_MUL`] (known when compiling).
pub fn complex_mul_kind() -> u8 {
    COMPLEX_MUL.load(Ordering::Relaxed) as u8
}

/// NumPy's complex128 products against both formulas: pseudo-random values
/// over several binades (where the two differ in most products), at lengths
/// covering its vector loops and their tails, strided, and with a broadcast
/// first or second operand. Returns the one formula every product matches, or 0.
fn measure_complex_mul<'py>(py: Python<'py>) -> PyResult<i64> {
    let np = py.import("numpy")?;
    let mut seed: u64 = 0x5851_F42D_4C95_7F2D;
    let mut next = move || {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let m = 1.0 + (r >> 12) as f64 / (1u64 << 52) as f64;
        let e = ((r & 0x1F) as i32) - 16;
        (if r & 0x20 != 0 { -m } else { m }) * 2f64.powi(e)
    };
    let n = 300usize;
    let a: Vec<f64> = (0..2 * n).map(|_| next()).collect();
    let b: Vec<f64> = (0..2 * n).map(|_| next()).collect();
    let c128 = np.getattr("complex128")?;
    let arr = |v: &[f64]| -> PyResult<Bound<'py, PyAny>> { f64_array(py, v)?.call_method1("view", (&c128,)) };
    let (xa, xb) = (arr(&a)?, arr(&b)?);
    let plain = |x: (f64, f64), y: (f64, f64)| (x.0 * y.0 - x.1 * y.1, x.0 * y.1 + x.1 * y.0);
    let fused = |x: (f64, f64), y: (f64, f64)| (x.0.mul_add(y.0, -(x.1 * y.1)), x.0.mul_add(y.1, x.1 * y.0));
    let el = |v: &[f64], i: usize| (v[2 * i], v[2 * i + 1]);
    let mut fits = [true, true];
    let slice = |x: &Bound<'py, PyAny>, len: usize, step: usize| -> PyResult<Bound<'py, PyAny>> {
        x.get_item(pyo3::types::PySlice::new(py, 0, (len * step) as isize, step as isize))
    };
    let mut compare =
        |got: Bound<'_, PyAny>, want: &dyn Fn(usize) -> ((f64, f64), (f64, f64)), len: usize| -> PyResult<()> {
            let bytes: Vec<u8> = got.call_method0("tobytes")?.extract()?;
            for i in 0..len {
                let re = f64::from_ne_bytes(bytes[16 * i..16 * i + 8].try_into().unwrap_or([0; 8]));
                let im = f64::from_ne_bytes(bytes[16 * i + 8..16 * i + 16].try_into().unwrap_or([0; 8]));
                let (x, y) = want(i);
                for (k, f) in [plain, fused].iter().enumerate() {
                    let (r, j) = f(x, y);
                    if r.to_bits() != re.to_bits() || j.to_bits() != im.to_bits() {
                        fits[k] = false;
                    }
                }
            }
            Ok(())
        };
    let mul = np.getattr("multiply")?;
    for len in [1usize, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 100] {
        for (sa, sb) in [(1usize, 1usize), (2, 1), (1, 3)] {
            let p = mul.call1((slice(&xa, len, sa)?, slice(&xb, len, sb)?))?;
            compare(p, &|i| (el(&a, i * sa), el(&b, i * sb)), len)?;
        }
        // (a broadcast operand: one element, first or second)
        let p = mul.call1((slice(&xa, 1, 1)?, slice(&xb, len, 1)?))?;
        compare(p, &|i| (el(&a, 0), el(&b, i)), len)?;
        let p = mul.call1((slice(&xb, len, 1)?, slice(&xa, 1, 1)?))?;
        compare(p, &|i| (el(&b, i), el(&a, 0)), len)?;
    }
    Ok(match fits {
        [true, false] => 1,
        [false, true] => 2,
        _ => 0,
    })
}

/// NumPy's pairwise summation of `m` complex128 elements (`pairwise_sum` of
/// its complex loops, which counts the `2m` doubles): below 4 elements in
/// order, up to 64 four partial sums per part combined as
/// `(r0 + r1) + (r2 + r3)` and the rest added in order, above that two halves
/// (the first `(m - m % 8) / 2` long) summed alike. Real and imaginary parts
/// never mix.
///
/// # Safety
/// `a + i*stride` for `i < m` must be readable complex128 values.
unsafe fn cpairwise(a: *const u8, m: usize, stride: isize) -> (f64, f64) {
    // SAFETY: the caller's contract.
    let at = |i: usize| unsafe {
        let p = a.offset(i as isize * stride);
        (
            std::ptr::read_unaligned(p as *const f64),
            std::ptr::read_unaligned(p.add(8) as *const f64),
        )
    };
    if m < 4 {
        let (mut re, mut im) = (-0.0, -0.0);
        for i in 0..m {
            let (x, y) = at(i);
            re += x;
            im += y;
        }
        (re, im)
    } else if m <= 64 {
        let mut r = [at(0), at(1), at(2), at(3)];
        let mut i = 4;
        while i < m - m % 4 {
            for (j, x) in r.iter_mut().enumerate() {
                let (p, q) = at(i + j);
                x.0 += p;
                x.1 += q;
            }
            i += 4;
        }
        let mut re = (r[0].0 + r[1].0) + (r[2].0 + r[3].0);
        let mut im = (r[0].1 + r[1].1) + (r[2].1 + r[3].1);
        while i < m {
            let (x, y) = at(i);
            re += x;
            im += y;
            i += 1;
        }
        (re, im)
    } else {
        let m2 = (m - m % 8) / 2;
        // SAFETY: both halves lie within the caller's range.
        let (x, y) = unsafe {
            (
                cpairwise(a, m2, stride),
                cpairwise(a.offset(m2 as isize * stride), m - m2, stride),
            )
        };
        (x.0 + y.0, x.1 + y.1)
    }
}

/// `np.sum` of `n` complex128 elements at `data`, `stride` bytes apart, as
/// NumPy sums them: `0 + pairwise`, or in [`SUM_CHUNK`]-element chunks
/// added in order where this NumPy sums in chunks (checked against NumPy
/// 1.26 and 2.x with a Python model of this function, up to 50000
/// elements). The real and imaginary sums go to `out` and `out + 8`.
///
/// # Safety
/// `data + i*stride` for `i < n` must be readable complex128 values; `out`
/// must be writable for 16 bytes.
pub unsafe extern "C" fn pyston_pairwise_csum(data: i64, n: i64, stride: i64, out: i64) {
    let n = n.max(0);
    let chunk = SUM_CHUNK.load(Ordering::Relaxed);
    let step = if chunk > 0 { chunk } else { n.max(1) };
    let (mut re, mut im) = (0.0f64, 0.0f64);
    let mut i = 0;
    while i < n {
        let m = step.min(n - i);
        // SAFETY: the caller's contract, for the elements `i..i + m`.
        let (x, y) = unsafe { cpairwise((data + i * stride) as usize as *const u8, m as usize, stride as isize) };
        re += x;
        im += y;
        i += m;
    }
    // SAFETY: the caller's contract.
    unsafe {
        std::ptr::write_unaligned(out as usize as *mut f64, re);
        std::ptr::write_unaligned((out + 8) as usize as *mut f64, im);
    }
}

/// The length up to which compiled code may compute a float64 `np.dot` itself.
pub extern "C" fn pyston_dot_seq_limit() -> i64 {
    DOT_SEQ_LIMIT.load(Ordering::Relaxed)
}

/// How many calls into Python/NumPy compiled code has made (`_pyston.pycall_count()`).
#[pyfunction]
pub fn pycall_count() -> u64 {
    PYCALLS.load(Ordering::Relaxed)
}

/// Whether compiled code calls the BLAS `ddot` NumPy calls for float64 vector
/// dots (`_pyston.native_ddot()`, for tests and docs).
#[pyfunction]
pub fn native_ddot(py: Python<'_>) -> bool {
    calibrate(py);
    matches!(DDOT.get(), Some(Some(_)))
}

/// How this NumPy multiplies complex128 arrays as compiled code reproduces it
/// (`_pyston.complex_mul_kind()`, for tests and docs): 0 not reproduced
/// (compiled code calls NumPy), 1 the plain formula, 2 with fused multiply-adds.
#[pyfunction(name = "complex_mul_kind")]
pub fn complex_mul(py: Python<'_>) -> i64 {
    calibrate(py);
    i64::from(complex_mul_kind())
}

/// The dot-product limit found (`_pyston.dot_seq_limit()`, for tests and docs).
#[pyfunction]
pub fn dot_seq_limit(py: Python<'_>) -> i64 {
    calibrate(py);
    pyston_dot_seq_limit()
}

/// Every [`Fact`] measured now (for `_pyston`'s queries and tests).
pub fn calibrate(py: Python<'_>) {
    for fact in [
        Fact::Base,
        Fact::Dot,
        Fact::Sums,
        Fact::Loops,
        Fact::Power,
        Fact::Complex,
    ] {
        ensure(py, fact);
    }
}

/// What the runtime measures about the running NumPy, each once per process
/// and only when a compiled function first needs it ([`ensure`]): a tiny
/// kernel's first compilation measured everything, about 2.5 ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// NumPy's version facts (scalar ufunc loops, time-value deprecations).
    Base,
    /// How BLAS orders short dot products, and its `ddot` ([`DOT_SEQ_LIMIT`], `DDOT`).
    Dot,
    /// How `np.sum` splits long arrays ([`SUM_CHUNK`]).
    Sums,
    /// NumPy's inner loops of `SMALL_UFUNCS` (`LOOPS`).
    Loops,
    /// Whether `np.power(x, 2)` is `x * x` ([`POWER_SQUARE`]).
    Power,
    /// How complex arrays multiply ([`COMPLEX_MUL`]).
    Complex,
    /// NumPy's inner loops of the complex scalar ufuncs (`super::cscalar`).
    CScalar,
}

static FACTS: [Once; 7] = [const { Once::new() }; 7];

/// Measures `fact` if it has not been (see [`Fact`]). Until NumPy is
/// imported nothing is measured (compiling scalar code never imports it) and
/// every fact keeps its default, under which compiled code calls NumPy; a
/// later compilation measures then.
pub fn ensure(py: Python<'_>, fact: Fact) {
    let once = &FACTS[fact as usize];
    if once.is_completed() {
        return;
    }
    let imported = py
        .import("sys")
        .and_then(|sys| sys.getattr("modules"))
        .and_then(|m| m.contains("numpy"))
        .unwrap_or(false);
    if !imported {
        return;
    }
    once.call_once(|| {
        // (`PYSTON_TIME_COMPILE=1`: each measurement's time)
        let t = std::time::Instant::now();
        match fact {
            Fact::Base => {
                let (major, minor) = numpy_version(py);
                SCALAR_LOOPS.store(i64::from(major >= 2), Ordering::Relaxed);
                // NumPy 2.5 deprecates adding a Python int to a time value.
                pyston_compiler::types::set_int_counts_warn((major, minor) >= (2, 5));
            }
            Fact::Dot => {
                DOT_SEQ_LIMIT.store(measure(py).unwrap_or(0), Ordering::Relaxed);
                let _ = DDOT.set(find_ddot(py).ok().flatten());
            }
            Fact::Sums => SUM_CHUNK.store(measure_sum_chunk(py).unwrap_or(0), Ordering::Relaxed),
            Fact::Loops => {
                let _ = LOOPS.set(find_loops(py).unwrap_or_default());
            }
            Fact::Power => POWER_SQUARE.store(i64::from(measure_power_square(py).unwrap_or(false)), Ordering::Relaxed),
            Fact::Complex => COMPLEX_MUL.store(measure_complex_mul(py).unwrap_or(0), Ordering::Relaxed),
            Fact::CScalar => super::cscalar::init(py),
        }
        if std::env::var_os("PYSTON_TIME_COMPILE").is_some_and(|v| v == "1") {
            eprintln!("pyston calibrate {fact:?}: {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
        }
    });
}

/// The facts a compiled function's code needs before it runs, by the runtime
/// helpers it calls (the others it decides when it is compiled, by
/// [`ensure`]ing them itself).
pub fn ensure_for_helpers<'a>(py: Python<'_>, helpers: impl IntoIterator<Item = &'a str>) {
    for h in helpers {
        match h {
            "pyston_ddot" | "pyston_dot_seq_limit" => ensure(py, Fact::Dot),
            "pyston_pairwise_sum" | "pyston_pairwise_csum" | "pyston_pw_leaves" | "pyston_pw_combine" => {
                ensure(py, Fact::Sums)
            }
            "pyston_ufunc_loop" => ensure(py, Fact::Loops),
            "pyston_cscalar_ufunc" => ensure(py, Fact::CScalar),
            _ => {}
        }
    }
}

/// The running NumPy's (major, minor) version ((0, 0) when unknown).
pub fn numpy_version(py: Python<'_>) -> (i64, i64) {
    let v: Vec<i64> = py
        .import("numpy")
        .and_then(|np| np.getattr("__version__"))
        .and_then(|v| v.extract::<String>())
        .map(|v| v.split('.').take(2).map(|p| p.parse().unwrap_or(0)).collect())
        .unwrap_or_default();
    (v.first().copied().unwrap_or(0), v.get(1).copied().unwrap_or(0))
}

/// The loops of `SMALL_UFUNCS`, checked with NumPy's floating-point errors
/// ignored (the checks' values leave some functions' domains).
fn find_loops(py: Python<'_>) -> PyResult<Vec<Option<(InnerLoop, usize)>>> {
    let np = py.import("numpy")?;
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("all", "ignore")?;
    let es = np.getattr("errstate")?.call((), Some(&kw))?;
    es.call_method0("__enter__")?;
    let loops = SMALL_UFUNCS
        .iter()
        .flat_map(|name| {
            [
                (name, npyffi::NPY_TYPES::NPY_DOUBLE),
                (name, npyffi::NPY_TYPES::NPY_FLOAT),
            ]
        })
        .map(|(name, t)| find_loop(py, name, t as i32).ok().flatten())
        .collect();
    es.call_method1("__exit__", (py.None(), py.None(), py.None()))?;
    Ok(loops)
}

/// The inner loop of ufunc `u` (a `numpy.ufunc`, else None) for the type
/// signature `sig` (its inputs' type numbers, then its one output's): the
/// first entry of its loop table with exactly those types, the one NumPy's
/// type resolution picks, and its data; None where the entry has no function.
pub(crate) fn table_loop(u: &Bound<'_, PyAny>, sig: &[i32]) -> PyResult<Option<(InnerLoop, usize)>> {
    let np = u.py().import("numpy")?;
    if !u.is_instance(&np.getattr("ufunc")?)? {
        return Ok(None);
    }
    let nargs = sig.len();
    // SAFETY: `u` is a live numpy.ufunc (checked above), whose object is a
    // PyUFuncObject; its tables hold `ntypes` entries (`nargs` type codes each).
    Ok(unsafe {
        let f = &(*(u.as_ptr() as *const PyUFuncObject)).fields;
        if f.nin as usize + 1 != nargs || f.nout != 1 || f.functions.is_null() || f.types.is_null() {
            return Ok(None);
        }
        let entry =
            (0..f.ntypes.max(0) as usize).find(|&i| (0..nargs).all(|j| *f.types.add(nargs * i + j) as i32 == sig[j]));
        entry.and_then(|i| {
            let func = (*f.functions.add(i))?;
            let data = if f.data.is_null() { 0 } else { *f.data.add(i) as usize };
            Some((func as InnerLoop, data))
        })
    })
}

/// Runs inner loop `func` (with its `data`) on `args`, `dims` and `steps` as
/// NumPy does, the floating-point flags cleared first: 0, or 2 when it raised
/// one NumPy warns about (compiled code then calls NumPy, which warns).
///
/// # Safety
/// `args`, `dims` and `steps` are what `func`'s signature takes: the
/// elements they reach are of its dtypes.
pub(crate) unsafe fn run_loop(
    func: InnerLoop,
    data: usize,
    args: &mut [*mut c_char],
    dims: &mut [npy_intp],
    steps: &mut [npy_intp],
) -> i32 {
    clear_fp_flags();
    // SAFETY: the caller's contract; the loop is NumPy's own for this signature.
    unsafe {
        func(
            args.as_mut_ptr(),
            dims.as_mut_ptr(),
            steps.as_mut_ptr(),
            data as *mut c_void,
        )
    };
    crate::runtime::clean_upper();
    if fp_flags_raised() {
        return 2;
    }
    0
}

/// `numpy.<name>`'s inner loop for `t -> t` (the first in its table, the one
/// NumPy's type resolution picks), kept only if it gives `numpy.<name>`'s own
/// bits on a spread of values (called on 64 elements, then on 1 and 3, as
/// compiled code calls it on rows of any length).
fn find_loop(py: Python<'_>, name: &str, t: i32) -> PyResult<Option<(InnerLoop, usize)>> {
    let np = py.import("numpy")?;
    let u = np.getattr(name)?;
    let Some((func, data)) = table_loop(&u, &[t, t])? else {
        return Ok(None);
    };
    let dtype = if t == npyffi::NPY_TYPES::NPY_DOUBLE as i32 {
        "float64"
    } else {
        "float32"
    };
    let x = np.getattr("linspace")?.call1((-30.0, 30.0, 64))?;
    let x = x.call_method1("__add__", (0.013,))?.call_method1("astype", (dtype,))?;
    let want = u.call1((x.clone(),))?;
    let out = np.getattr("empty_like")?.call1((x.clone(),))?;
    let isz: i64 = x.getattr("itemsize")?.extract()?;
    let ptr = |a: &Bound<'_, PyAny>| -> PyResult<i64> {
        let iface = a.getattr("__array_interface__")?;
        let d = iface.get_item("data")?;
        d.get_item(0)?.extract()
    };
    let (xp, op) = (ptr(&x)?, ptr(&out)?);
    let wb: Vec<u8> = want.call_method0("tobytes")?.extract()?;
    for (start, n) in [(0i64, 64i64), (5, 1), (60, 3)] {
        out.call_method1("fill", (0,))?;
        let mut args = [(xp + start * isz) as *mut c_char, (op + start * isz) as *mut c_char];
        let mut dims = [n as npy_intp];
        let mut steps = [isz as npy_intp, isz as npy_intp];
        // SAFETY: both buffers hold 64 elements of the loop's dtype and stay alive.
        unsafe {
            func(
                args.as_mut_ptr(),
                dims.as_mut_ptr(),
                steps.as_mut_ptr(),
                data as *mut c_void,
            )
        };
        let got: Vec<u8> = out.call_method0("tobytes")?.extract()?;
        let r = (start * isz) as usize..((start + n) * isz) as usize;
        if got[r.clone()] != wb[r] {
            return Ok(None);
        }
    }
    Ok(Some((func, data)))
}

// The C library's floating-point exception flags (`<fenv.h>`), which NumPy reads
// after a loop to decide its warnings.
#[cfg(not(target_arch = "x86_64"))]
extern "C" {
    fn feclearexcept(excepts: c_int) -> c_int;
    fn fetestexcept(excepts: c_int) -> c_int;
}
#[cfg(target_arch = "x86_64")]
const FE_WARNED: c_int = 0x01 | 0x04 | 0x08; // FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW
#[cfg(target_arch = "aarch64")]
const FE_WARNED: c_int = 0x01 | 0x02 | 0x04; // FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW

/// Runs ufunc `id`'s NumPy inner loop (see `SMALL_UFUNCS`) on `n` elements:
/// 0; 1 when that loop is not available, or 2 when it raised a floating-point
/// exception NumPy warns about by default (invalid, division by zero,
/// overflow): compiled code then calls NumPy, which warns as it does.
///
/// # Safety
/// `inp + i*is` and `out + i*os` for `i < n` must be elements of the loop's dtype.
pub unsafe extern "C" fn pyston_ufunc_loop(id: i64, inp: i64, is: i64, out: i64, os: i64, n: i64) -> i32 {
    let Some(Some((func, data))) = LOOPS.get().and_then(|l| l.get(id as usize)) else {
        return 1;
    };
    let mut args = [inp as *mut c_char, out as *mut c_char];
    let mut dims = [n as npy_intp];
    let mut steps = [is as npy_intp, os as npy_intp];
    // SAFETY: the caller's contract; the loop is NumPy's own for this signature.
    unsafe { run_loop(*func, *data, &mut args, &mut dims, &mut steps) }
}

/// Clears the floating-point exception flags NumPy warns about (invalid,
/// division by zero, overflow). On x86-64 directly in MXCSR (SSE) and the
/// x87 status word: glibc's `feclearexcept` saves and reloads the whole x87
/// environment (`fnstenv`/`fldenv`), which cost three times the `cos` it
/// guarded in a loop of scalar `np.cos` calls. MXCSR is written only when
/// one of those flags is set (rarely: the last loop found none set, or
/// NumPy's warning path cleared them): `ldmxcsr` stalls the pipeline, and
/// cost a quarter of a loop of scalar `np.cos`/`np.sin`/`np.arccos` calls.
#[cfg(target_arch = "x86_64")]
pub(crate) fn clear_fp_flags() {
    let mut csr: u32 = 0;
    let mut sw: u16;
    // SAFETY: reads and (when one of the flags is set) writes this thread's SSE
    // control/status register, and reads (then, when one of its exception
    // flags is set, clears) the x87 status word; nothing else is touched.
    unsafe {
        std::arch::asm!("stmxcsr [{p}]", p = in(reg) &mut csr, options(nostack, preserves_flags));
        if csr & FE_WARNED as u32 != 0 {
            csr &= !(FE_WARNED as u32);
            std::arch::asm!("ldmxcsr [{p}]", p = in(reg) &csr, options(nostack, preserves_flags));
        }
        std::arch::asm!("fnstsw ax", out("ax") sw, options(nomem, nostack, preserves_flags));
        if sw & FE_WARNED as u16 != 0 {
            std::arch::asm!("fnclex", options(nomem, nostack, preserves_flags));
        }
    }
}

/// Whether one of those flags is set (SSE or x87).
#[cfg(target_arch = "x86_64")]
pub(crate) fn fp_flags_raised() -> bool {
    let mut csr: u32 = 0;
    let sw: u16;
    // SAFETY: reads this thread's SSE control/status register and x87 status word.
    unsafe {
        std::arch::asm!("stmxcsr [{p}]", p = in(reg) &mut csr, options(nostack, preserves_flags));
        std::arch::asm!("fnstsw ax", out("ax") sw, options(nomem, nostack, preserves_flags));
    }
    (csr | u32::from(sw)) & FE_WARNED as u32 != 0
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn clear_fp_flags() {
    // SAFETY: a `<fenv.h>` call on this thread's floating-point environment.
    unsafe { feclearexcept(FE_WARNED) };
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn fp_flags_raised() -> bool {
    // SAFETY: as above.
    unsafe { fetestexcept(FE_WARNED) != 0 }
}

/// A float64 array of `v`'s values (made from their bytes: `np.array` of a
/// list would box every element, which for the 24k of [`measure_sum_chunk`]
/// took most of a compilation's time).
pub(crate) fn f64_array<'py>(py: Python<'py>, v: &[f64]) -> PyResult<Bound<'py, PyAny>> {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_ne_bytes()).collect();
    let np = py.import("numpy")?;
    np.getattr("frombuffer")?
        .call1((pyo3::types::PyBytes::new(py, &bytes), np.getattr("float64")?))
}

/// [`SUM_CHUNK`] for the running NumPy: its `np.sum` of a vector whose
/// total depends on how it is grouped, against the two orders it may use.
fn measure_sum_chunk(py: Python<'_>) -> PyResult<i64> {
    const CHUNK: usize = 8192;
    let n = 3 * CHUNK + 7;
    let v: Vec<f64> = (0..n as u64)
        .map(|i| ((i.wrapping_mul(2654435761) % 1000) as f64 - 500.0) * 1e-3 + 1e10 * ((i % 7) as f64 - 3.0))
        .collect();
    let np = py.import("numpy")?;
    let arr = f64_array(py, &v)?;
    let want: f64 = np.getattr("sum")?.call1((arr,))?.extract()?;
    let whole = 0.0 + pairwise_f64(&v);
    let chunked = v.chunks(CHUNK).fold(0.0, |acc, c| acc + pairwise_f64(c));
    Ok(
        if want.to_bits() != whole.to_bits() && want.to_bits() == chunked.to_bits() {
            CHUNK as i64
        } else {
            0
        },
    )
}

/// Up to which length `np.dot` of float64 vectors equals the sequential sum
/// of products (OpenBLAS's x86-64 kernels finish short vectors, and the tail
/// of long ones, that way; their main loops use other orders). Lengths are
/// tried from 1 up to 15; the first length where any of 32 pseudo-random
/// pairs differs ends the range. Errors leave it at 0.
fn measure(py: Python<'_>) -> PyResult<i64> {
    let np = py.import("numpy")?;
    let dot = np.getattr("dot")?;
    let array = np.getattr("array")?;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: values with full mantissas over several binades, both signs.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let m = (r >> 11) as f64 / (1u64 << 53) as f64;
        let e = ((r & 0xF) as i32) - 8;
        let s = if r & 0x10 != 0 { -1.0 } else { 1.0 };
        s * (0.5 + m) * 2f64.powi(e)
    };
    // The longest run of lengths 1, 2, ... whose dots `order` reproduces.
    let mut limit_of = |fused: bool| -> PyResult<i64> {
        let mut limit = 0;
        for n in 1..16usize {
            for _ in 0..(if fused { 16 } else { 32 }) {
                let x: Vec<f64> = (0..n).map(|_| next()).collect();
                let y: Vec<f64> = (0..n).map(|_| next()).collect();
                let r: f64 = dot
                    .call1((array.call1((x.clone(),))?, array.call1((y.clone(),))?))?
                    .extract()?;
                let mut s = 0.0f64;
                for i in 0..n {
                    // Rust never contracts `s + x * y` into a fused multiply-add.
                    s = if fused { x[i].mul_add(y[i], s) } else { s + x[i] * y[i] };
                }
                if r.to_bits() != s.to_bits() {
                    return Ok(limit);
                }
            }
            limit = n as i64;
        }
        Ok(limit)
    };
    let seq = limit_of(false)?;
    if seq > 1 {
        return Ok(seq);
    }
    // OpenBLAS's AVX-512 kernels: short dots are a chain of fused multiply-adds.
    let fused = limit_of(true)?;
    Ok(if fused > seq { -fused } else { seq })
}

/// NumPy's pairwise summation (`pairwise_sum` in its loops): below 8 elements
/// a sequential sum, up to 128 eight partial sums combined as
/// `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` and the rest added in order, above
/// that the two halves (the first a multiple of 8 long) summed alike.
/// `add` is the element type's addition.
///
/// # Safety
/// `a + i*stride` for `i < n` must be readable values of type `T`.
unsafe fn pairwise<T: Copy>(a: *const u8, n: usize, stride: isize, zero: T, add: fn(T, T) -> T) -> T {
    // SAFETY: the caller's contract.
    let at = |i: usize| unsafe { std::ptr::read_unaligned(a.offset(i as isize * stride) as *const T) };
    if n < 8 {
        let mut r = zero;
        for i in 0..n {
            r = add(r, at(i));
        }
        r
    } else if n <= 128 {
        let mut r = [zero; 8];
        for (j, x) in r.iter_mut().enumerate() {
            *x = at(j);
        }
        let mut i = 8;
        while i < n - n % 8 {
            for (j, x) in r.iter_mut().enumerate() {
                *x = add(*x, at(i + j));
            }
            i += 8;
        }
        let mut res = add(
            add(add(r[0], r[1]), add(r[2], r[3])),
            add(add(r[4], r[5]), add(r[6], r[7])),
        );
        while i < n {
            res = add(res, at(i));
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        // SAFETY: both halves lie within the caller's range.
        unsafe {
            add(
                pairwise(a, n2, stride, zero, add),
                pairwise(a.offset(n2 as isize * stride), n - n2, stride, zero, add),
            )
        }
    }
}

/// `np.sum` of a 1-D float64 (`f32 == 0`) or float32 array of `n` elements
/// at `data` with byte stride `stride`, as NumPy sums it: `0.0 + pairwise`
/// (a float32 sum is returned widened, exactly).
///
/// # Safety
/// `data + i*stride` for `i < n` must be readable elements of that dtype.
pub unsafe extern "C" fn pyston_pairwise_sum(data: i64, n: i64, stride: i64, f32: i32) -> f64 {
    let chunk = SUM_CHUNK.load(Ordering::Relaxed);
    if chunk > 0 && n > chunk {
        // NumPy's buffered reduction: each chunk summed pairwise, added in order.
        let mut acc64 = 0.0f64;
        let mut acc32 = 0.0f32;
        let mut i = 0;
        while i < n {
            let m = chunk.min(n - i);
            // SAFETY: the caller's contract, for the elements `i..i + m`.
            let s = unsafe { pyston_pairwise_sum_whole(data + i * stride, m, stride, f32) };
            if f32 != 0 {
                acc32 += s as f32; // (exact: a float32 sum returned widened)
            } else {
                acc64 += s;
            }
            i += m;
        }
        return if f32 != 0 { acc32 as f64 } else { acc64 };
    }
    // SAFETY: the caller's contract.
    unsafe { pyston_pairwise_sum_whole(data, n, stride, f32) }
}

/// The leaves of NumPy's pairwise summation of `n` elements, in order, as
/// `np.sum` splits them (its chunks first where it sums in chunks, see
/// [`SUM_CHUNK`]): a leaf is a run of at most 128 elements summed alone
/// (`pairwise`'s first two cases), the rest is additions of leaves' sums.
fn pw_leaves(n: i64, out: &mut Vec<i64>) {
    fn rec(n: i64, out: &mut Vec<i64>) {
        if n <= 128 {
            out.push(n);
        } else {
            let mut n2 = n / 2;
            n2 -= n2 % 8;
            rec(n2, out);
            rec(n - n2, out);
        }
    }
    let chunk = SUM_CHUNK.load(Ordering::Relaxed);
    if chunk > 0 && n > chunk {
        let mut i = 0;
        while i < n {
            let m = chunk.min(n - i);
            rec(m, out);
            i += m;
        }
    } else {
        rec(n.max(0), out);
    }
}

/// `np.sum`'s additions of its leaves' sums (`sums`, in order, as
/// [`pw_leaves`] lists the leaves of `n` elements), in `T`'s arithmetic:
/// the pairwise tree, and in chunks the running total from `0.0` as
/// [`pyston_pairwise_sum`] adds them.
fn pw_combine<T: Copy>(n: i64, sums: &[T], zero: T, add: fn(T, T) -> T) -> T {
    fn rec<T: Copy>(n: i64, sums: &[T], k: &mut usize, add: fn(T, T) -> T) -> T {
        if n <= 128 {
            *k += 1;
            sums[*k - 1]
        } else {
            let mut n2 = n / 2;
            n2 -= n2 % 8;
            let a = rec(n2, sums, k, add);
            let b = rec(n - n2, sums, k, add);
            add(a, b)
        }
    }
    let mut k = 0;
    let chunk = SUM_CHUNK.load(Ordering::Relaxed);
    if chunk > 0 && n > chunk {
        let mut acc = zero;
        let mut i = 0;
        while i < n {
            let m = chunk.min(n - i);
            acc = add(acc, rec(m, sums, &mut k, add));
            i += m;
        }
        acc
    } else {
        rec(n.max(0), sums, &mut k, add)
    }
}

thread_local! {
    /// [`pyston_pw_leaves`]'s list, which compiled code overwrites with the leaves' sums.
    static PW_BUF: std::cell::RefCell<Vec<i64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The leaves of `np.sum` of `n` float elements (see [`pw_leaves`]) for
/// compiled code that sums an expression's values without a temporary
/// array (the `small` pass): a pointer to this thread's list, its count
/// first, then each leaf's length; compiled code sums each leaf as
/// `pairwise` does, writes the sum (as a float64: a float32 one widened,
/// exactly) over the leaf's length and calls [`pyston_pw_combine`]. Nothing
/// between the two calls runs other code on this thread.
pub extern "C" fn pyston_pw_leaves(n: i64) -> i64 {
    PW_BUF.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        b.push(0);
        let mut v = std::mem::take(&mut *b);
        pw_leaves(n, &mut v);
        v[0] = v.len() as i64 - 1;
        *b = v;
        b.as_mut_ptr() as i64
    })
}

/// The sum of `n` float elements from the leaves' sums compiled code wrote
/// into [`pyston_pw_leaves`]'s list: what `pairwise` (and, in chunks,
/// [`pyston_pairwise_sum`]) computes from them, in float32 when `f32 != 0`
/// (returned widened, exactly), before NumPy's identity `0.0` (the caller's).
pub extern "C" fn pyston_pw_combine(n: i64, f32: i32) -> f64 {
    PW_BUF.with(|b| {
        let b = b.borrow();
        let sums: Vec<f64> = b[1..].iter().map(|x| f64::from_bits(*x as u64)).collect();
        if f32 != 0 {
            let s32: Vec<f32> = sums.iter().map(|x| *x as f32).collect();
            pw_combine::<f32>(n, &s32, 0.0, |x, y| x + y) as f64
        } else {
            pw_combine::<f64>(n, &sums, 0.0, |x, y| x + y)
        }
    })
}

thread_local! {
    /// [`pyston_row_scratch`]'s row.
    static ROW: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    /// [`pyston_ufunc_scratch`]'s chunks.
    static UFUNC_CHUNKS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    /// [`pyston_store_scratch`]'s values.
    static STORE_VALUES: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A scratch row of at least `n` float64s for compiled code on this thread
/// (the fusion pass's row sums, `fuse::emit_row_sum`): valid until the next
/// call on this thread, which nothing between its uses makes. 0 when it
/// cannot be allocated (compiled code then takes the slow path).
pub extern "C" fn pyston_row_scratch(n: i64) -> i64 {
    scratch_of(&ROW, n)
}

/// Scratch chunks of at least `n` float64s in all for compiled code on this
/// thread (the fusion pass's ufuncs inside expressions, `fuse::fused_staged`,
/// which may run inside a row of [`pyston_row_scratch`]): as that row, 0
/// when it cannot be allocated.
pub extern "C" fn pyston_ufunc_scratch(n: i64) -> i64 {
    scratch_of(&UFUNC_CHUNKS, n)
}

/// Scratch memory of at least `n` float64s for compiled code on this thread:
/// the values of a fused expression stored into a view it may overlap
/// (`fuse::emit_fused_store`), all computed before the first is stored. As
/// [`pyston_row_scratch`]'s row (the fused loop may use that row and the
/// ufunc chunks while filling this one), 0 when it cannot be allocated. The
/// pass asks for at most `fuse::STORE_SCRATCH_MAX_BYTES`, so what a thread
/// keeps is bounded.
pub extern "C" fn pyston_store_scratch(n: i64) -> i64 {
    scratch_of(&STORE_VALUES, n)
}

fn scratch_of(key: &'static std::thread::LocalKey<std::cell::RefCell<Vec<f64>>>, n: i64) -> i64 {
    key.with(|r| {
        let mut r = r.borrow_mut();
        let n = n.max(1) as usize;
        let have = r.len();
        if have < n {
            if r.try_reserve(n - have).is_err() {
                return 0;
            }
            r.resize(n, 0.0);
        }
        r.as_mut_ptr() as i64
    })
}

/// `out[j] += row[j]` for `j < n`: one row added into column sums (the
/// fusion pass's sums over axis 0, which NumPy adds row after row), in
/// float32 when `f32 != 0`.
///
/// # Safety
/// `out` and `row` each hold `n` aligned elements of that type; they do not overlap.
pub unsafe extern "C" fn pyston_col_add(out: i64, row: i64, n: i64, f32: i32) {
    fn add<T: Copy + std::ops::AddAssign>(out: i64, row: i64, n: usize) {
        // SAFETY: the caller's contract (see `pyston_col_add`).
        let (o, r) = unsafe {
            (
                std::slice::from_raw_parts_mut(out as usize as *mut T, n),
                std::slice::from_raw_parts(row as usize as *const T, n),
            )
        };
        for (x, y) in o.iter_mut().zip(r) {
            *x += *y;
        }
    }
    let n = n.max(0) as usize;
    if f32 != 0 {
        add::<f32>(out, row, n);
    } else {
        add::<f64>(out, row, n);
    }
}

/// Column sums finished: each divided by `by` when it is positive (a mean,
/// as NumPy's `_mean` divides: in the sums' type), then 1 if any is not
/// finite (NumPy may have warned: compiled code takes the slow path), else 0.
/// float32 sums when `f32 != 0`.
///
/// # Safety
/// `out` holds `n` aligned elements of that type.
pub unsafe extern "C" fn pyston_col_finish(out: i64, n: i64, by: i64, f32: i32) -> i32 {
    let n = n.max(0) as usize;
    if f32 != 0 {
        // SAFETY: the caller's contract.
        let o = unsafe { std::slice::from_raw_parts_mut(out as usize as *mut f32, n) };
        if by > 0 {
            let d = by as f32;
            o.iter_mut().for_each(|x| *x /= d);
        }
        return i32::from(o.iter().any(|x| !x.is_finite()));
    }
    // SAFETY: the caller's contract.
    let o = unsafe { std::slice::from_raw_parts_mut(out as usize as *mut f64, n) };
    if by > 0 {
        let d = by as f64;
        o.iter_mut().for_each(|x| *x /= d);
    }
    i32::from(o.iter().any(|x| !x.is_finite()))
}

/// [`pyston_pairwise_sum`] over all `n` elements at once.
///
/// # Safety
/// As [`pyston_pairwise_sum`].
unsafe fn pyston_pairwise_sum_whole(data: i64, n: i64, stride: i64, f32: i32) -> f64 {
    let n = n.max(0) as usize;
    let p = data as usize as *const u8;
    if f32 != 0 && stride == 4 && (p as usize).is_multiple_of(4) {
        // SAFETY: the caller's contract: `n` aligned, adjacent f32 elements.
        let a = unsafe { std::slice::from_raw_parts(p as *const f32, n) };
        (0.0f32 + super::wide::pairwise_f32(a)) as f64
    } else if f32 != 0 {
        // SAFETY: the caller's contract.
        let s = unsafe { pairwise::<f32>(p, n, stride as isize, 0.0, |x, y| x + y) };
        (0.0f32 + s) as f64
    } else if stride == 8 && (p as usize).is_multiple_of(8) {
        // SAFETY: the caller's contract: `n` aligned, adjacent f64 elements.
        let a = unsafe { std::slice::from_raw_parts(p as *const f64, n) };
        0.0 + pairwise_f64(a)
    } else {
        // SAFETY: the caller's contract.
        let s = unsafe { pairwise::<f64>(p, n, stride as isize, 0.0, |x, y| x + y) };
        0.0 + s
    }
}

/// `pairwise` for adjacent float64 elements: the same additions in the same
/// order, at the widest vector level this CPU runs (`super::wide`).
fn pairwise_f64(a: &[f64]) -> f64 {
    super::wide::pairwise_f64(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_orders() {
        // 0.1 summed 200 times: the pairwise tree's rounding, not the sequential one.
        let v = vec![0.1f64; 200];
        // SAFETY: `v` holds 200 f64.
        let s = unsafe { pyston_pairwise_sum(v.as_ptr() as i64, 200, 8, 0) };
        let mut seq = 0.0;
        for x in &v {
            seq += x;
        }
        assert!((s - 20.0).abs() < 1e-12);
        assert!((seq - 20.0).abs() < 1e-12);
        // SAFETY: as above; -0.0 sums to +0.0 (NumPy's identity comes first).
        let z = unsafe { pyston_pairwise_sum([-0.0f64].as_ptr() as i64, 1, 8, 0) };
        assert!(z == 0.0 && z.is_sign_positive());
    }

    #[test]
    fn leaves_then_combine_is_pairwise() {
        // Each leaf summed as `pairwise` sums it, then combined: the same bits
        // as the whole sum, for every length around the splits (and chunks).
        let v: Vec<f64> = (0..40000u64)
            .map(|i| ((i.wrapping_mul(2654435761) % 1000) as f64 - 500.0) * 1e-3 + 1e10 * ((i % 7) as f64 - 3.0))
            .collect();
        for chunk in [0, 8192] {
            SUM_CHUNK.store(chunk, Ordering::Relaxed);
            for n in (0..700).chain([1023, 1024, 1025, 4096, 8191, 8192, 8193, 20000, 39999]) {
                let mut leaves = Vec::new();
                pw_leaves(n as i64, &mut leaves);
                assert_eq!(leaves.iter().sum::<i64>(), n as i64);
                let mut off = 0usize;
                let mut sums = Vec::new();
                let mut sums32 = Vec::new();
                for &l in &leaves {
                    let l = l as usize;
                    // SAFETY: `v[off..off + l]` is in range.
                    sums.push(unsafe { pairwise::<f64>(v[off..].as_ptr() as *const u8, l, 8, 0.0, |x, y| x + y) });
                    let w: Vec<f32> = v[off..off + l].iter().map(|x| *x as f32).collect();
                    // SAFETY: `w` holds `l` f32.
                    sums32.push(unsafe { pairwise::<f32>(w.as_ptr() as *const u8, l, 4, 0.0, |x, y| x + y) });
                    off += l;
                }
                let got = 0.0 + pw_combine::<f64>(n as i64, &sums, 0.0, |x, y| x + y);
                // SAFETY: `v` holds at least `n` f64.
                let want = unsafe { pyston_pairwise_sum(v.as_ptr() as i64, n as i64, 8, 0) };
                assert_eq!(got.to_bits(), want.to_bits(), "n = {n}, chunk = {chunk}");
                let w: Vec<f32> = v[..n].iter().map(|x| *x as f32).collect();
                let got = 0.0f32 + pw_combine::<f32>(n as i64, &sums32, 0.0, |x, y| x + y);
                // SAFETY: `w` holds `n` f32.
                let want = unsafe { pyston_pairwise_sum(w.as_ptr() as i64, n as i64, 4, 1) };
                assert_eq!((got as f64).to_bits(), want.to_bits(), "f32 n = {n}, chunk = {chunk}");
            }
        }
        SUM_CHUNK.store(0, Ordering::Relaxed);
    }

    #[test]
    fn contiguous_pairwise_is_the_strided_one() {
        // The slice version against the general one, on every length up to
        // 600 and a few long ones, with values whose sums round differently
        // in every order.
        let v: Vec<f64> = (0..5000u64)
            .map(|i| ((i.wrapping_mul(2654435761) % 1000) as f64 - 500.0) * 1e-3 + 1e10 * ((i % 7) as f64 - 3.0))
            .collect();
        for n in (0..600).chain([1023, 1024, 1025, 4096, 4999]) {
            // SAFETY: `v` holds at least `n` f64.
            let slow = unsafe { pairwise::<f64>(v.as_ptr() as *const u8, n, 8, 0.0, |x, y| x + y) };
            assert_eq!(
                (0.0 + slow).to_bits(),
                (0.0 + pairwise_f64(&v[..n])).to_bits(),
                "n = {n}"
            );
            // SAFETY: as above.
            let via = unsafe { pyston_pairwise_sum(v.as_ptr() as i64, n as i64, 8, 0) };
            assert_eq!(via.to_bits(), (0.0 + slow).to_bits(), "n = {n}");
        }
    }
}
