//! Scalar arithmetic helpers with Python's or NumPy's exact semantics (powers, divmod, complex division, rounding) and the libm functions CPython calls.

use crate::runtime::*;
use pyo3::prelude::*;
use pyston_compiler::types::Dtype;

/// Python `int ** int` for a non-negative exponent; DEOPT on a negative
/// exponent (the result is a float) or on overflow (the result is a big int).
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_ipow(a: i64, b: i64, out: *mut i64) -> i32 {
    if b < 0 {
        return DEOPT;
    }
    let mut result: i64 = 1;
    let mut base = a;
    let mut e = b as u64;
    while e > 0 {
        if e & 1 == 1 {
            match result.checked_mul(base) {
                Some(r) => result = r,
                None => return DEOPT,
            }
        }
        e >>= 1;
        if e > 0 {
            match base.checked_mul(base) {
                Some(r) => base = r,
                None => return DEOPT,
            }
        }
    }
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = result };
    OK
}

/// `int ** int` wrapping at 64 bits (`unchecked_int`, Numba); DEOPT on a
/// negative exponent.
///
/// # Safety
/// Called by compiled code; `out` points to a writable i64 slot.
pub unsafe extern "C" fn pyston_ipow_wrap(a: i64, b: i64, out: *mut i64) -> i32 {
    if b < 0 {
        return DEOPT;
    }
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = a.wrapping_pow(b.min(u32::MAX as i64) as u32) };
    OK
}

/// Python `int ** int` for a negative exponent `e`: a float, which CPython
/// computes as `float(b) ** float(e)` (libm `pow` and `float_pow`'s special
/// cases: `pyston_fpow`). When `|b|^-e` is an exact integer `m` of at most 53
/// bits, `r = 1.0 / m` is the correctly rounded result; glibc's `pow` is within
/// 0.5099 ULP of the exact value for these arguments (see `sqrt_as_pow` in the
/// compiler's codegen for its error bound, with `|e * log(b)| < 37`), so
/// whenever the exact `1/m` lies within 0.48 ULP of `r`, `pow` returns `r` too
/// (its other neighbour is over 0.52 ULP away). The distance is
/// `|r*m - 1| / |m|`, computed exactly in integers from `r`'s significand (a
/// result that is a power of two takes this path only when exact: the ULP
/// below it is half the one above). Otherwise, and where the platform's `pow`
/// is not glibc's, `pow` itself.
///
/// # Safety
/// Called by compiled code; `out` is valid for one f64 write.
pub unsafe extern "C" fn pyston_ipow_neg(b: i64, e: i64, out: *mut f64) -> i32 {
    if cfg!(all(target_os = "linux", target_env = "gnu")) && b != 0 && (-64..0).contains(&e) {
        if let Some(m) = b
            .checked_pow(e.unsigned_abs() as u32)
            .filter(|m| m.unsigned_abs() <= 1 << 53)
        {
            let r = 1.0 / m as f64;
            // |r| = mant * 2^-sh, with |r| in [2^-53, 1]: a normal number, sh in 52..=105.
            let bits = r.abs().to_bits();
            let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
            let sh = 1075 - (bits >> 52) as u32;
            // |r*m - 1| = d * 2^-sh (exact: a 106-bit product), and one ULP of r is 2^-sh.
            let d = (mant as u128 * m.unsigned_abs() as u128).abs_diff(1u128 << sh);
            if d == 0 || (mant != 1 << 52 && 100 * d < 48 * m.unsigned_abs() as u128) {
                // SAFETY: see the function's contract.
                unsafe { *out = r };
                return OK;
            }
        }
    }
    // SAFETY: the function's contract is `pyston_fpow`'s.
    unsafe { pyston_fpow(b as f64, e as f64, out) }
}

/// Python `float ** float`; DEOPT where CPython raises or returns a complex.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_fpow(x: f64, y: f64, out: *mut f64) -> i32 {
    // CPython's float_pow special cases, in its order (they decide which NaN
    // comes back, among other things).
    let odd = |v: f64| v.is_finite() && v % 2.0 == 1.0 || v % 2.0 == -1.0;
    let r = if y == 0.0 {
        1.0
    } else if x.is_nan() {
        x
    } else if y.is_nan() {
        if x == 1.0 {
            1.0
        } else {
            y
        }
    } else if y.is_infinite() {
        let ax = x.abs();
        if ax == 1.0 {
            1.0
        } else if (y > 0.0) == (ax > 1.0) {
            y.abs()
        } else {
            0.0
        }
    } else if x.is_infinite() {
        if y > 0.0 {
            if odd(y) {
                x
            } else {
                x.abs()
            }
        } else if odd(y) {
            0.0f64.copysign(x)
        } else {
            0.0
        }
    } else if x == 0.0 {
        if y < 0.0 {
            return DEOPT; // ZeroDivisionError
        }
        if odd(y) {
            x
        } else {
            0.0
        }
    } else {
        if x < 0.0 && y != y.floor() {
            return DEOPT; // complex result
        }
        let r = x.powf(y);
        if r.is_infinite() {
            return DEOPT; // OverflowError
        }
        r
    };
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = r };
    OK
}

/// Whether the running CPython is older than 3.11 (whose `math` functions
/// differ in a few special cases).
fn python_before_3_11() -> bool {
    static OLD: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OLD.get_or_init(|| Python::attach(|py| py.version_info() < (3, 11)))
}

/// `math.pow(x, y)` with CPython's special cases; DEOPT where it raises
/// (domain and range errors).
///
/// # Safety
/// Called by compiled code; `out` points to a writable f64 slot.
pub unsafe extern "C" fn pyston_math_pow(x: f64, y: f64, out: *mut f64) -> i32 {
    let odd = |v: f64| v.is_finite() && (v % 2.0).abs() == 1.0;
    let r = if !x.is_finite() || !y.is_finite() {
        if x.is_nan() {
            if y == 0.0 {
                1.0
            } else {
                x
            }
        } else if y.is_nan() {
            if x == 1.0 {
                1.0
            } else {
                y
            }
        } else if x.is_infinite() {
            if y > 0.0 {
                if odd(y) {
                    x
                } else {
                    x.abs()
                }
            } else if y == 0.0 {
                1.0
            } else if odd(y) {
                0.0f64.copysign(x)
            } else {
                0.0
            }
        } else if x.abs() == 1.0 {
            1.0
        } else if x == 0.0 && y < 0.0 && python_before_3_11() {
            return DEOPT; // math.pow(0.0, -inf) raised ValueError until Python 3.11
        } else if (y > 0.0) == (x.abs() > 1.0) {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        let r = x.powf(y);
        if !r.is_finite() {
            return DEOPT; // ValueError / OverflowError
        }
        r
    };
    // SAFETY: `out` points to a stack slot in the calling compiled function.
    unsafe { *out = r };
    OK
}

/// Float floor division and modulo, `b != 0`: CPython's `float_divmod` and NumPy's
/// `npy_divmod`/`npy_divmodf` are the same algorithm, written once for both widths.
macro_rules! float_divmod {
    ($name:ident, $t:ty) => {
        fn $name(a: $t, b: $t) -> ($t, $t) {
            if b == 0.0 {
                // Only under error_model="numpy" (strict mode deoptimizes first): NumPy's result.
                return (a / b, a % b);
            }
            let mut m = a % b;
            let mut div = (a - m) / b;
            if m != 0.0 {
                if (b < 0.0) != (m < 0.0) {
                    m += b;
                    div -= 1.0;
                }
            } else {
                m = (0.0 as $t).copysign(b);
            }
            let floordiv = if div != 0.0 {
                let mut fd = div.floor();
                if div - fd > 0.5 {
                    fd += 1.0;
                }
                fd
            } else {
                (0.0 as $t).copysign(a / b)
            };
            (floordiv, m)
        }
    };
}
float_divmod!(divmod_f32, f32);
float_divmod!(divmod_f64, f64);

/// `x ** n` for an int exponent under Numba semantics: binary exponentiation
/// (multiply by `x` for each set bit, squaring `x` as the bits are consumed),
/// inverted for negative `n`; exponents past 2**16 use `pow`, as Numba does.
/// Stores the result; returns 1 where the inversion divides by zero (Numba
/// raises `ZeroDivisionError` there under `error_model="python"`).
///
/// # Safety
/// Called by compiled code; `out` is valid for one write.
pub unsafe extern "C" fn pyston_powi_numba(x: f64, n: i64, out: *mut f64) -> i32 {
    let mut k = n.unsigned_abs();
    let (r, zero_div) = if k > 0x10000 {
        (x.powf(n as f64), false)
    } else {
        let (mut r, mut a) = (1.0f64, x);
        while k != 0 {
            if k & 1 == 1 {
                r *= a;
            }
            k >>= 1;
            a *= a;
        }
        if n < 0 {
            (1.0 / r, r == 0.0)
        } else {
            (r, false)
        }
    };
    // SAFETY: the caller passes a stack slot for the result.
    unsafe { *out = r };
    zero_div as i32
}

/// `~` on a Python bool: CPython 3.12+ warns `DeprecationWarning` (its own
/// text, by computing `~True` once through CPython). Returns 1 when that
/// warning was turned into an error (then set), else 0; older CPythons: 0.
pub extern "C" fn pyston_warn_bool_invert() -> i32 {
    static WARNS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*WARNS.get_or_init(|| Python::attach(|py| py.version_info() >= (3, 12))) {
        return 0;
    }
    Python::attach(|py| {
        let t = pyo3::types::PyBool::new(py, true);
        match t.as_any().call_method0("__invert__") {
            Ok(_) => 0,
            Err(e) => {
                e.restore(py);
                1
            }
        }
    })
}

/// Sets Numba's `ZeroDivisionError("division by zero")` (compiled code then
/// returns the error).
pub extern "C" fn pyston_raise_zerodiv() {
    Python::attach(|py| pyo3::exceptions::PyZeroDivisionError::new_err("division by zero").restore(py));
}

/// Numba's `ZeroDivisionError` for a division of NumPy scalars under its
/// Python error model: `kind` 0 "division by zero", 1 "integer division by
/// zero", 2 "integer modulo by zero", 3 "modulo by zero".
pub extern "C" fn pyston_raise_zerodiv_numba(kind: i32) {
    let msg = match kind {
        1 => "integer division by zero",
        2 => "integer modulo by zero",
        3 => "modulo by zero",
        _ => "division by zero",
    };
    Python::attach(|py| pyo3::exceptions::PyZeroDivisionError::new_err(msg).restore(py));
}

/// NumPy's float32 divmod (`npy_divmodf`): returns the floor quotient, stores the modulo.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_fdivmod32(a: f32, b: f32, out_mod: *mut f32) -> f32 {
    let (q, m) = divmod_f32(a, b);
    // SAFETY: `out_mod` points to a stack slot in the calling compiled function.
    unsafe { *out_mod = m };
    q
}

/// Float64 divmod (CPython's `float_divmod`): returns the floor quotient, stores the modulo.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_fdivmod(a: f64, b: f64, out_mod: *mut f64) -> f64 {
    let (q, m) = divmod_f64(a, b);
    // SAFETY: `out_mod` points to a stack slot in the calling compiled function.
    unsafe { *out_mod = m };
    q
}

/// CPython's complex division (`_Py_c_quot`); DEOPT when dividing by zero.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_cdiv(ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) -> i32 {
    let abs_br = br.abs();
    let abs_bi = bi.abs();
    let (re, im);
    if abs_br >= abs_bi {
        if abs_br == 0.0 {
            return DEOPT;
        }
        let ratio = bi / br;
        let denom = br + bi * ratio;
        re = (ar + ai * ratio) / denom;
        im = (ai - ar * ratio) / denom;
    } else if abs_bi >= abs_br {
        let ratio = br / bi;
        let denom = br * ratio + bi;
        re = (ar * ratio + ai) / denom;
        im = (ai * ratio - ar) / denom;
    } else {
        re = f64::NAN;
        im = f64::NAN;
    }
    // SAFETY: `out` points to two f64 stack slots in the calling compiled function.
    unsafe {
        *out = re;
        *out.add(1) = im;
    }
    OK
}

/// NumPy's complex division (Smith's method with a reciprocal); DEOPT when
/// dividing by zero (NumPy returns inf/nan with a warning), for a NaN divisor
/// (NumPy's ordered comparison of its parts raises "invalid value") and for a
/// result with a non-finite part (NumPy decides whether it warns).
///
/// # Safety
/// Called by compiled code; `out` points to two writable f64 slots.
pub unsafe extern "C" fn pyston_npy_cdiv(ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) -> i32 {
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    if br.is_nan() || bi.is_nan() {
        return DEOPT;
    }
    let (re, im) = if abs_br >= abs_bi {
        if abs_br == 0.0 && abs_bi == 0.0 {
            return DEOPT;
        }
        let rat = bi / br;
        let den = br + bi * rat;
        if !den.is_finite() {
            return DEOPT; // (it overflowed, or a part is inf: NumPy decides whether it warns)
        }
        let scl = 1.0 / den;
        ((ar + ai * rat) * scl, (ai - ar * rat) * scl)
    } else {
        let rat = br / bi;
        let den = bi + br * rat;
        if !den.is_finite() {
            return DEOPT;
        }
        let scl = 1.0 / den;
        ((ar * rat + ai) * scl, (ai * rat - ar) * scl)
    };
    if !(re.is_finite() && im.is_finite()) {
        return DEOPT;
    }
    // SAFETY: `out` points to two f64 stack slots in the calling compiled function.
    unsafe {
        *out = re;
        *out.add(1) = im;
    }
    OK
}

/// CPython's complex division algorithm (`_Py_c_quot`) in float32: Numba's
/// complex64 division. DEOPT when dividing by zero.
///
/// # Safety
/// Called by compiled code; `out` points to two writable f32 slots.
pub unsafe extern "C" fn pyston_cdiv32(ar: f32, ai: f32, br: f32, bi: f32, out: *mut f32) -> i32 {
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    let (re, im);
    if abs_br >= abs_bi {
        if abs_br == 0.0 {
            return DEOPT;
        }
        let ratio = bi / br;
        let denom = br + bi * ratio;
        re = (ar + ai * ratio) / denom;
        im = (ai - ar * ratio) / denom;
    } else if abs_bi >= abs_br {
        let ratio = br / bi;
        let denom = br * ratio + bi;
        re = (ar * ratio + ai) / denom;
        im = (ai * ratio - ar) / denom;
    } else {
        re = f32::NAN;
        im = f32::NAN;
    }
    // SAFETY: `out` points to two f32 stack slots in the calling compiled function.
    unsafe {
        *out = re;
        *out.add(1) = im;
    }
    OK
}

/// NumPy's complex64 division (its `CFLOAT_divide` loop, which its scalars
/// call too): Smith's method with a reciprocal, in float32. DEOPT when
/// dividing by zero (NumPy returns inf/nan with a warning).
///
/// # Safety
/// Called by compiled code; `out` points to two writable f32 slots.
pub unsafe extern "C" fn pyston_npy_cdiv32(ar: f32, ai: f32, br: f32, bi: f32, out: *mut f32) -> i32 {
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    if br.is_nan() || bi.is_nan() {
        return DEOPT; // (NumPy's ordered comparison of a NaN part warns)
    }
    let (re, im) = if abs_br >= abs_bi {
        if abs_br == 0.0 && abs_bi == 0.0 {
            return DEOPT;
        }
        let rat = bi / br;
        let den = br + bi * rat;
        if !den.is_finite() {
            return DEOPT; // (it overflowed, or a part is inf: NumPy decides whether it warns)
        }
        let scl = 1.0f32 / den;
        ((ar + ai * rat) * scl, (ai - ar * rat) * scl)
    } else {
        let rat = br / bi;
        let den = bi + br * rat;
        if !den.is_finite() {
            return DEOPT;
        }
        let scl = 1.0f32 / den;
        ((ar * rat + ai) * scl, (ai * rat - ar) * scl)
    };
    if !(re.is_finite() && im.is_finite()) {
        return DEOPT; // (a non-finite part: NumPy decides whether it warns)
    }
    // SAFETY: `out` points to two f32 stack slots in the calling compiled function.
    unsafe {
        *out = re;
        *out.add(1) = im;
    }
    OK
}

/// Complex `**`, computed by CPython (`kinds` 0) or NumPy itself. For NumPy,
/// `kinds` is 1 plus the operands' kinds (the right one times 64): a dtype
/// index, or 40-43 for a Python bool, int, float or complex. The operands are
/// rebuilt with their own types, since NumPy's path (and warning text:
/// "scalar power" or "power") depends on them. DEOPT when it raises (e.g.
/// `0j ** -1`).
///
/// # Safety
/// Called by compiled code; `out` points to two writable f64 slots.
pub unsafe extern "C" fn pyston_cpow(kinds: i32, ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) -> i32 {
    fn operand<'py>(py: Python<'py>, kind: i32, re: f64, im: f64) -> PyResult<Bound<'py, PyAny>> {
        Ok(match kind {
            40 => pyo3::types::PyBool::new(py, re != 0.0).to_owned().into_any(),
            41 => (re as i64).into_pyobject(py)?.into_any(),
            42 => pyo3::types::PyFloat::new(py, re).into_any(),
            43 => pyo3::types::PyComplex::from_doubles(py, re, im).into_any(),
            d => {
                let dt = Dtype::ALL[d as usize];
                let t = py.import("numpy")?.getattr(dt.name())?;
                if dt == Dtype::Bool {
                    t.call1((re != 0.0,))?
                } else if matches!(dt, Dtype::Complex64 | Dtype::Complex128) {
                    t.call1((pyo3::types::PyComplex::from_doubles(py, re, im),))?
                } else if dt.is_unsigned() {
                    t.call1((re as u64,))?
                } else if dt.is_int() {
                    t.call1((re as i64,))?
                } else {
                    t.call1((re,))?
                }
            }
        })
    }
    Python::attach(|py| {
        let r = (|| -> PyResult<(f64, f64)> {
            let (a, b) = if kinds != 0 {
                let k = kinds - 1;
                (operand(py, k % 64, ar, ai)?, operand(py, k / 64, br, bi)?)
            } else {
                (
                    pyo3::types::PyComplex::from_doubles(py, ar, ai).into_any(),
                    pyo3::types::PyComplex::from_doubles(py, br, bi).into_any(),
                )
            };
            let r = a.pow(b, py.None())?;
            Ok((r.getattr("real")?.extract()?, r.getattr("imag")?.extract()?))
        })();
        match r {
            Ok((re, im)) => {
                // SAFETY: `out` points to two f64 stack slots in the calling compiled function.
                unsafe {
                    *out = re;
                    *out.add(1) = im;
                }
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// `np.power` on two values of dtype `Dtype::ALL[dtype]` (float32/float64). DEOPT on error.
///
/// # Safety
/// Called by compiled code; `out` points to a writable f64 slot.
pub unsafe extern "C" fn pyston_np_power(dtype: i32, x: f64, y: f64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let r = (|| -> PyResult<f64> {
            let np = py.import("numpy")?;
            let t = np.getattr(Dtype::ALL[dtype as usize].name())?;
            np.getattr("power")?
                .call1((t.call1((x,))?, t.call1((y,))?))?
                .extract::<f64>()
        })();
        match r {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// `round(x, n)` as Numba computes it (NumPy's `np.round` scheme): scale by
/// `10**n`, round half to even, scale back; a scaling that overflows, and
/// inf/NaN, leave `x` as it is. (CPython's `round` is correctly rounded
/// instead: `round(2.675, 2)` is 2.67 there, 2.68 here.)
pub extern "C" fn pyston_numba_round(x: f64, n: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let n = n.clamp(-400, 400) as f64;
    if n >= 0.0 {
        // Two factors, so that 10**n itself cannot overflow for large n.
        let (big, small) = if n > 22.0 {
            (10f64.powf(n - 22.0), 1e22)
        } else {
            (10f64.powf(n), 1.0)
        };
        let y = x * big * small;
        if y.is_infinite() {
            return x;
        }
        y.round_ties_even() / small / big
    } else {
        let scale = 10f64.powf(-n);
        (x / scale).round_ties_even() * scale
    }
}

/// `round(x, ndigits)` for a Python float, through CPython's correctly rounded algorithm.
///
/// # Safety
/// Called by compiled code; `out` points to a writable f64 slot.
pub unsafe extern "C" fn pyston_pyround(x: f64, ndigits: i64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let r = py
            .import("builtins")
            .and_then(|b| b.getattr("round")?.call1((x, ndigits))?.extract::<f64>());
        match r {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

/// Math functions CPython implements itself (not a libm call): called through
/// CPython's `math` module so the result is bit-identical. DEOPT on error.
///
/// # Safety
/// Called by compiled code; every pointer argument is valid for the accesses described above.
pub unsafe extern "C" fn pyston_pymath(code: i64, x: f64, y: f64, out: *mut f64) -> i32 {
    Python::attach(|py| {
        let f = pyston_compiler::types::MathFn::ALL[code as usize];
        let r = py.import("math").and_then(|m| {
            let func = m.getattr(f.name())?;
            if f.arity() == 2 {
                func.call1((x, y))
            } else {
                func.call1((x,))
            }
            .and_then(|r| r.extract::<f64>())
        });
        match r {
            Ok(v) => {
                // SAFETY: `out` points to a stack slot in the calling compiled function.
                unsafe { *out = v };
                OK
            }
            Err(_) => DEOPT,
        }
    })
}

// libm, the same functions CPython's math module calls.
unsafe extern "C" {
    pub fn exp(x: f64) -> f64;
    pub fn log(x: f64) -> f64;
    pub fn log2(x: f64) -> f64;
    pub fn log10(x: f64) -> f64;
    pub fn log1p(x: f64) -> f64;
    pub fn expm1(x: f64) -> f64;
    pub fn sin(x: f64) -> f64;
    pub fn cos(x: f64) -> f64;
    pub fn tan(x: f64) -> f64;
    pub fn asin(x: f64) -> f64;
    pub fn acos(x: f64) -> f64;
    pub fn atan(x: f64) -> f64;
    pub fn sinh(x: f64) -> f64;
    pub fn cosh(x: f64) -> f64;
    pub fn tanh(x: f64) -> f64;
    pub fn asinh(x: f64) -> f64;
    pub fn acosh(x: f64) -> f64;
    pub fn atanh(x: f64) -> f64;
    pub fn atan2(y: f64, x: f64) -> f64;
    pub fn pow(x: f64, y: f64) -> f64;
    pub fn powf(x: f32, y: f32) -> f32;
    pub fn fmod(x: f64, y: f64) -> f64;
    pub fn hypot(x: f64, y: f64) -> f64;
    pub fn hypotf(x: f32, y: f32) -> f32;
}
