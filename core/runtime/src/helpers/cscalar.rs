//! What the `small` pass's code calls for ufuncs of complex NumPy scalars
//! (`np.multiply(z, w)`, `np.square(z)`, `np.abs(z)`, `np.exp(z)`, ... of
//! `np.complex128` / `np.complex64` values; see `numeric/src/small_complex.rs`):
//! NumPy's own inner loop for the ufunc and dtype, run on one element.
//!
//! Exactness, bit for bit, by construction: NumPy computes a ufunc of
//! scalars by the same inner loop on one element; `pyston_cscalar_ufunc`
//! calls that loop (from the ufunc's own loop table, the first entry for the
//! signature, which NumPy's type resolution picks) on one element, with
//! strides that reproduce NumPy's scalar results (a SIMD loop may branch on
//! them), on operands already cast to the loop's dtype as NumPy casts them. Each
//! loop is kept only if it reproduces NumPy's own scalar call bit for bit on
//! special and random values (zeros of both signs, infinities, NaN,
//! subnormals, huge values, and every pair of them for `multiply`), checked
//! once per process ([`Fact::CScalar`](super::small::Fact)); the
//! transcendental functions also only on NumPy 2 (whose scalar ufuncs are
//! the array loop; `pyston_scalar_ufuncs_ok`).
//!
//! Warnings: the loop runs with the floating-point flags NumPy warns about
//! cleared; when it sets one, the status is 2 and compiled code makes
//! NumPy's call instead, which computes the value again and warns (or
//! raises, under `np.errstate`) as it does.

use super::small::InnerLoop;
use numpy::npyffi::{self, npy_intp};
use pyo3::prelude::*;
use pyston_compiler::abi::CSCALAR_UFUNCS;
use std::ffi::{c_char, c_void};
use std::sync::OnceLock;

/// The loops of `CSCALAR_UFUNCS` (complex128 at `2*i`, complex64 at
/// `2*i + 1`), `None` where not found, not checked equal or not allowed.
static LOOPS: OnceLock<Vec<Option<Found>>> = OnceLock::new();

/// A loop: its function, its data and the strides it is called with (inputs, then output).
type Found = (InnerLoop, usize, [npy_intp; 3]);

/// Finds and checks the loops (once; [`super::small::ensure`]).
pub(crate) fn init(py: Python<'_>) {
    LOOPS.get_or_init(|| find_all(py).unwrap_or_default());
}

/// `CSCALAR_UFUNCS[id / 2]` of the complex scalar(s) at `a` (and `b`, for a
/// binary ufunc), each two floats of the dtype (complex128 for an even `id`,
/// complex64 for an odd one), into `out` (two floats, or one for
/// `absolute`): 0; 1 when the loop is not available (compiled code calls
/// NumPy); 2 when it raised a floating-point flag NumPy warns about
/// (compiled code calls NumPy, which warns).
///
/// # Safety
/// `a`, `b` (when used) and `out` point to elements of those types.
pub unsafe extern "C" fn pyston_cscalar_ufunc(id: i64, a: i64, b: i64, out: i64) -> i32 {
    let Some(Some((func, data, strides))) = LOOPS.get().and_then(|l| l.get(id as usize)) else {
        return 1;
    };
    let nin = CSCALAR_UFUNCS[id as usize / 2].1;
    let mut args = if nin == 2 {
        [a as *mut c_char, b as *mut c_char, out as *mut c_char]
    } else {
        [a as *mut c_char, out as *mut c_char, std::ptr::null_mut()]
    };
    let mut dims = [1 as npy_intp];
    let mut steps = *strides;
    // SAFETY: the caller's contract (one element each: the strides are never
    // followed); the loop is NumPy's own for this signature.
    unsafe { super::small::run_loop(*func, *data, &mut args, &mut dims, &mut steps) }
}

/// Which loops compiled code may call (`_pyston.cscalar_ufuncs()`, for tests):
/// the names of `CSCALAR_UFUNCS` with a checked complex128 loop, then those
/// with a checked complex64 one.
#[pyfunction]
pub fn cscalar_ufuncs(py: Python<'_>) -> (Vec<&'static str>, Vec<&'static str>) {
    let _ = py.import("numpy");
    super::small::ensure(py, super::small::Fact::CScalar);
    let loops = LOOPS.get().cloned().unwrap_or_default();
    let pick = |k: usize| {
        CSCALAR_UFUNCS
            .iter()
            .enumerate()
            .filter(|(i, _)| loops.get(2 * i + k).is_some_and(|l| l.is_some()))
            .map(|(_, u)| u.0)
            .collect()
    };
    (pick(0), pick(1))
}

fn find_all(py: Python<'_>) -> PyResult<Vec<Option<Found>>> {
    let np = py.import("numpy")?;
    super::small::ensure(py, super::small::Fact::Base);
    let numpy2 = super::small::pyston_scalar_ufuncs_ok() != 0;
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("all", "ignore")?;
    let es = np.getattr("errstate")?.call((), Some(&kw))?;
    es.call_method0("__enter__")?;
    let mut loops = Vec::with_capacity(2 * CSCALAR_UFUNCS.len());
    for &(name, nin, real_out, transcendental) in CSCALAR_UFUNCS {
        for single in [false, true] {
            let found = if transcendental && !numpy2 {
                None
            } else {
                find_loop(py, name, nin, real_out, single).ok().flatten()
            };
            loops.push(found);
        }
    }
    es.call_method1("__exit__", (py.None(), py.None(), py.None()))?;
    Ok(loops)
}

/// The complex test values: specials and a spread of magnitudes.
fn values() -> Vec<(f64, f64)> {
    let specials = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -2.5,
        3.0,
        1e-310,
        -1e-320,
        1e300,
        -1e300,
        1e-30,
        3.4e38,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ];
    let mut v = Vec::new();
    for &r in &specials {
        for &i in &specials {
            v.push((r, i));
        }
    }
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        let mut next = || {
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let m = 1.0 + (r >> 12) as f64 / (1u64 << 52) as f64;
            let e = ((r & 0x7F) as i32) - 64;
            if r & 0x80 != 0 {
                -m * 2f64.powi(e)
            } else {
                m * 2f64.powi(e)
            }
        };
        v.push((next(), next()));
    }
    v
}

/// `numpy.<name>`'s inner loop for complex128 (complex64 when `single`),
/// kept only if it gives NumPy's own scalar call's bits on [`values`] (and
/// pairs of them for a binary ufunc), with the strides that do: all 0
/// first, then each operand's item size or 0 (NumPy 2.4's complex128
/// `multiply` matches with the output's item size only: a SIMD loop's
/// branches for a zero output stride order the operands otherwise, and a
/// NaN from a NaN operand then carries another sign).
fn find_loop(py: Python<'_>, name: &str, nin: usize, real_out: bool, single: bool) -> PyResult<Option<Found>> {
    let np = py.import("numpy")?;
    let u = np.getattr(name)?;
    let (ct, rt) = if single {
        (
            npyffi::NPY_TYPES::NPY_CFLOAT as i32,
            npyffi::NPY_TYPES::NPY_FLOAT as i32,
        )
    } else {
        (
            npyffi::NPY_TYPES::NPY_CDOUBLE as i32,
            npyffi::NPY_TYPES::NPY_DOUBLE as i32,
        )
    };
    let ot = if real_out { rt } else { ct };
    let mut sig = vec![ct; nin];
    sig.push(ot);
    let Some((func, data)) = super::small::table_loop(&u, &sig)? else {
        return Ok(None);
    };
    let scalar_ty = np.getattr(if single { "complex64" } else { "complex128" })?;
    let vals = values();
    let complex = py.import("builtins")?.getattr("complex")?;
    let to_scalar = |(r, i): (f64, f64)| -> PyResult<Bound<'_, PyAny>> {
        let (r, i) = if single {
            (f64::from(r as f32), f64::from(i as f32))
        } else {
            (r, i)
        };
        scalar_ty.call1((complex.call1((r, i))?,))
    };
    // One element in the loop's dtype, as bytes (16 or 8).
    let bytes = |(r, i): (f64, f64)| -> Vec<u8> {
        if single {
            [(r as f32).to_ne_bytes(), (i as f32).to_ne_bytes()].concat()
        } else {
            [r.to_ne_bytes(), i.to_ne_bytes()].concat()
        }
    };
    let width = match (real_out, single) {
        (true, true) => 4,
        (true, false) | (false, true) => 8,
        (false, false) => 16,
    };
    let isz: npy_intp = if single { 8 } else { 16 };
    let run = |xs: &[(f64, f64)], strides: [npy_intp; 3]| -> Vec<u8> {
        let ins: Vec<Vec<u8>> = xs.iter().map(|&x| bytes(x)).collect();
        let mut out = [0u8; 16];
        let mut args: Vec<*mut c_char> = ins.iter().map(|b| b.as_ptr() as *mut c_char).collect();
        args.push(out.as_mut_ptr() as *mut c_char);
        let mut dims = [1 as npy_intp];
        let mut steps = strides;
        // SAFETY: each input holds one element of the loop's input dtype, the
        // output room for one of its output dtype (at most 16 bytes).
        unsafe {
            func(
                args.as_mut_ptr(),
                dims.as_mut_ptr(),
                steps.as_mut_ptr(),
                data as *mut c_void,
            )
        };
        crate::runtime::clean_upper();
        out[..width].to_vec()
    };
    let mut cases: Vec<Vec<(f64, f64)>> = Vec::new();
    if nin == 1 {
        cases.extend(vals.iter().map(|&v| vec![v]));
    } else {
        // Every pair of the specials, and random pairs.
        let sp = &vals[..289];
        for (k, &a) in sp.iter().enumerate().step_by(7) {
            for &b in sp.iter().skip(k % 5).step_by(3) {
                cases.push(vec![a, b]);
            }
        }
        for w in vals[289..].windows(2) {
            cases.push(vec![w[0], w[1]]);
        }
    }
    let mut wants = Vec::with_capacity(cases.len());
    for xs in &cases {
        let args: Vec<Bound<'_, PyAny>> = xs.iter().map(|&x| to_scalar(x)).collect::<PyResult<_>>()?;
        let want = u.call1(pyo3::types::PyTuple::new(py, &args)?)?;
        let wb: Vec<u8> = want.call_method0("tobytes")?.extract()?;
        wants.push(wb);
    }
    let osz = width as npy_intp;
    // (all 0 first; then each operand's item size or 0)
    for mask in 0..(1u32 << (nin + 1)) {
        let mut strides = [0 as npy_intp; 3];
        for (j, s) in strides.iter_mut().enumerate().take(nin + 1) {
            if mask & (1 << j) != 0 {
                *s = if j == nin { osz } else { isz };
            }
        }
        if cases.iter().zip(&wants).all(|(xs, wb)| run(xs, strides) == *wb) {
            return Ok(Some((func, data, strides)));
        }
    }
    Ok(None)
}
