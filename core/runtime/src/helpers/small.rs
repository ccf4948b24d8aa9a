//! What the `small` pass's code calls (small NumPy arrays natively, see
//! `numeric/src/small.rs`): NumPy's pairwise summation for long sums, the
//! length up to which `np.dot` of float64 vectors is a sequential sum of
//! products in this process's BLAS, and a counter of the calls into
//! Python/NumPy compiled code makes (for tests).

use pyo3::prelude::*;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Once;

/// Calls into Python/NumPy made by compiled code (`pyston_pycall*`).
pub static PYCALLS: AtomicU64 = AtomicU64::new(0);

/// The longest float64 `np.dot` of two 1-D arrays whose result this process's
/// BLAS computes as `0.0 + x0*y0 + x1*y1 + ...` in that order, without fused
/// multiply-adds (measured once, see [`calibrate`]); 0: none.
static DOT_SEQ_LIMIT: AtomicI64 = AtomicI64::new(0);
static CALIBRATED: Once = Once::new();

/// The length up to which compiled code may compute a float64 `np.dot` itself.
pub extern "C" fn pyston_dot_seq_limit() -> i64 {
    DOT_SEQ_LIMIT.load(Ordering::Relaxed)
}

/// How many calls into Python/NumPy compiled code has made (`_pyston.pycall_count()`).
#[pyfunction]
pub fn pycall_count() -> u64 {
    PYCALLS.load(Ordering::Relaxed)
}

/// The dot-product limit found (`_pyston.dot_seq_limit()`, for tests and docs).
#[pyfunction]
pub fn dot_seq_limit(py: Python<'_>) -> i64 {
    calibrate(py);
    pyston_dot_seq_limit()
}

/// Measures, once per process, up to which length `np.dot` of float64 vectors
/// equals the sequential sum of products (OpenBLAS's x86-64 kernels finish
/// short vectors, and the tail of long ones, that way; their main loops use
/// other orders). Lengths are tried from 1 up to 15; the first length where
/// any of 32 pseudo-random pairs differs ends the range. Errors leave it at 0.
pub fn calibrate(py: Python<'_>) {
    CALIBRATED.call_once(|| {
        let limit = measure(py).unwrap_or(0);
        DOT_SEQ_LIMIT.store(limit, Ordering::Relaxed);
    });
}

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
    let mut limit = 0;
    for n in 1..16usize {
        for _ in 0..32 {
            let x: Vec<f64> = (0..n).map(|_| next()).collect();
            let y: Vec<f64> = (0..n).map(|_| next()).collect();
            let r: f64 = dot
                .call1((array.call1((x.clone(),))?, array.call1((y.clone(),))?))?
                .extract()?;
            let mut s = 0.0f64;
            for i in 0..n {
                s += x[i] * y[i]; // Rust never contracts this into a fused multiply-add
            }
            if r.to_bits() != s.to_bits() {
                return Ok(limit);
            }
        }
        limit = n as i64;
    }
    Ok(limit)
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
    let n = n.max(0) as usize;
    let p = data as usize as *const u8;
    if f32 != 0 {
        // SAFETY: the caller's contract.
        let s = unsafe { pairwise::<f32>(p, n, stride as isize, 0.0, |x, y| x + y) };
        (0.0f32 + s) as f64
    } else {
        // SAFETY: the caller's contract.
        let s = unsafe { pairwise::<f64>(p, n, stride as isize, 0.0, |x, y| x + y) };
        0.0 + s
    }
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
}
