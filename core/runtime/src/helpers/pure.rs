//! Native versions of pure standard-library functions compiled code calls
//! (`math.gcd`, `math.isqrt`, `divmod`, `math.frexp`, ...).
//!
//! These are CPython functions typed by probing (`env.rs`: `stdlib_callable`);
//! a call through Python costs more than CPython's own call (the arguments
//! boxed into a tuple: abi3 has no vectorcall before 3.12). For int and float
//! arguments the ones below are computed here instead, each from CPython's
//! definition (`Modules/mathmodule.c`, `Objects/longobject.c`), and any case
//! where CPython raises or leaves 64 bits returns `None`: CPython's function
//! then runs, exactly (its error, its big int).

/// A function computed natively, for one argument signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pure {
    /// `math.gcd(int, int)` -> int
    Gcd,
    /// `math.lcm(int, int)` -> int
    Lcm,
    /// `math.isqrt(int)` -> int
    Isqrt,
    /// `divmod(int, int)` -> (int, int)
    DivmodInt,
    /// `divmod(float, float)` -> (float, float)
    DivmodFloat,
    /// `math.frexp(float)` -> (float, int)
    Frexp,
    /// `math.ldexp(float, int)` -> float
    Ldexp,
    /// `math.modf(float)` -> (float, float)
    Modf,
    /// `math.isclose(float, float)` -> bool (default tolerances)
    Isclose,
    /// `hash(int)` -> int
    HashInt,
    /// `hash(float)` -> int (a NaN's hash is its object's: CPython's call)
    HashFloat,
    /// `math.factorial(int)` -> int
    Factorial,
    /// `math.comb(int, int)` -> int
    Comb,
    /// `math.perm(int, int)` -> int
    Perm,
}

impl Pure {
    /// The native version of `module.name` for arguments of these kinds (`'i'`
    /// an int, `'f'` a float), no keywords.
    pub fn of(module: &str, name: &str, kinds: &str) -> Option<Pure> {
        Some(match (module, name, kinds) {
            ("math", "gcd", "ii") => Pure::Gcd,
            ("math", "lcm", "ii") => Pure::Lcm,
            ("math", "isqrt", "i") => Pure::Isqrt,
            ("builtins", "divmod", "ii") => Pure::DivmodInt,
            ("builtins", "divmod", "ff") => Pure::DivmodFloat,
            ("math", "frexp", "f") => Pure::Frexp,
            ("math", "ldexp", "fi") => Pure::Ldexp,
            ("math", "modf", "f") => Pure::Modf,
            ("math", "isclose", "ff") => Pure::Isclose,
            ("builtins", "hash", "i") => Pure::HashInt,
            ("builtins", "hash", "f") => Pure::HashFloat,
            ("math", "factorial", "i") => Pure::Factorial,
            ("math", "comb", "ii") => Pure::Comb,
            ("math", "perm", "ii") => Pure::Perm,
            _ => return None,
        })
    }

    /// Computes it on the argument slots, writing the result's slots to
    /// `out`; `None` where CPython's own function must run.
    pub fn eval(self, a: &[u64], out: &mut [u64]) -> Option<()> {
        let i = |k: usize| a[k] as i64;
        let f = |k: usize| f64::from_bits(a[k]);
        match self {
            Pure::Gcd => out[0] = gcd(i(0), i(1))? as u64,
            Pure::Lcm => {
                let (x, y) = (i(0), i(1));
                out[0] = if x == 0 || y == 0 {
                    0
                } else {
                    let g = gcd(x, y)?;
                    (x / g).checked_mul(y)?.checked_abs()? as u64
                };
            }
            Pure::Isqrt => out[0] = isqrt(i(0))? as u64,
            Pure::DivmodInt => {
                let (x, y) = (i(0), i(1));
                if y == 0 || (x == i64::MIN && y == -1) {
                    return None; // ZeroDivisionError; a quotient past 64 bits
                }
                let (mut q, mut r) = (x / y, x % y);
                if r != 0 && ((r < 0) != (y < 0)) {
                    q -= 1;
                    r += y;
                }
                out[0] = q as u64;
                out[1] = r as u64;
            }
            Pure::DivmodFloat => {
                let (q, r) = float_divmod(f(0), f(1))?;
                out[0] = q.to_bits();
                out[1] = r.to_bits();
            }
            Pure::Frexp => {
                let (m, e) = frexp(f(0));
                out[0] = m.to_bits();
                out[1] = e as u64;
            }
            Pure::Ldexp => out[0] = ldexp(f(0), i(1))?.to_bits(),
            Pure::Modf => {
                let x = f(0);
                let (frac, whole) = if x.is_infinite() {
                    (0.0f64.copysign(x), x)
                } else {
                    let w = x.trunc();
                    ((x - w).copysign(x), w)
                };
                out[0] = frac.to_bits();
                out[1] = whole.to_bits();
            }
            Pure::Isclose => out[0] = isclose(f(0), f(1)) as u64,
            Pure::HashInt => out[0] = hash_int(i(0)) as u64,
            Pure::HashFloat => out[0] = hash_float(f(0))? as u64,
            Pure::Factorial => out[0] = perm(i(0), i(0))? as u64,
            Pure::Comb => out[0] = comb(i(0), i(1))? as u64,
            Pure::Perm => out[0] = perm(i(0), i(1))? as u64,
        }
        Some(())
    }
}

/// `math.gcd` of two i64: non-negative; `None` when it is 2^63.
fn gcd(a: i64, b: i64) -> Option<i64> {
    let (mut x, mut y) = (a.unsigned_abs(), b.unsigned_abs());
    while y != 0 {
        (x, y) = (y, x % y);
    }
    i64::try_from(x).ok()
}

/// `math.isqrt`: the floor of the square root; `None` for a negative (ValueError).
fn isqrt(n: i64) -> Option<i64> {
    if n < 0 {
        return None;
    }
    let n = n as u64;
    let mut r = (n as f64).sqrt() as u64;
    // The float estimate is within one of the answer: correct it exactly.
    while r.checked_mul(r).is_none_or(|s| s > n) {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|s| s <= n) {
        r += 1;
    }
    Some(r as i64)
}

/// CPython's `float_divmod` (`Objects/floatobject.c`); `None` for a zero divisor.
fn float_divmod(vx: f64, wx: f64) -> Option<(f64, f64)> {
    if wx == 0.0 {
        return None; // ZeroDivisionError
    }
    let mut m = vx % wx; // C fmod
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let fd = div.floor();
        if div - fd > 0.5 {
            fd + 1.0
        } else {
            fd
        }
    } else {
        0.0f64.copysign(vx / wx)
    };
    Some((floordiv, m))
}

/// C `frexp`: `x = m * 2^e`, `0.5 <= |m| < 1`; zeros, infinities and NaN
/// give `(x, 0)`, as CPython's `math.frexp` returns them.
fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE {
        (x * 2f64.powi(64), -64) // a subnormal: made normal first (exact)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, e + bias)
}

/// `x * 2^n` rounded once (C `scalbn`).
fn scalbn(mut x: f64, mut n: i64) -> f64 {
    let p1023 = f64::from_bits(0x7fe << 52); // 2^1023
    let m969 = f64::from_bits(54 << 52); // 2^-969 = 2^-1022 * 2^53
    if n > 1023 {
        x *= p1023;
        n -= 1023;
        if n > 1023 {
            x *= p1023;
            n -= 1023;
            n = n.min(1023);
        }
    } else if n < -1022 {
        // Steps that keep the value normal (no rounding) until the last multiply.
        x *= m969;
        n += 969;
        if n < -1022 {
            x *= m969;
            n += 969;
            n = n.max(-1022);
        }
    }
    x * f64::from_bits(((0x3ff + n) as u64) << 52)
}

/// CPython's `math.ldexp`; `None` where it raises OverflowError.
fn ldexp(x: f64, e: i64) -> Option<f64> {
    if x == 0.0 || !x.is_finite() {
        return Some(x);
    }
    if e > i32::MAX as i64 {
        return None;
    }
    if e < i32::MIN as i64 {
        return Some(0.0f64.copysign(x));
    }
    let r = scalbn(x, e);
    (!r.is_infinite()).then_some(r)
}

/// CPython's `math.isclose` with `rel_tol=1e-09, abs_tol=0.0`.
fn isclose(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    let rel = 1e-9;
    let diff = (b - a).abs();
    diff <= (rel * b).abs() || diff <= (rel * a).abs()
}

/// CPython's hash of an int: its value modulo the prime 2^61 - 1, with the
/// sign; -1 (the C API's error value) becomes -2.
fn hash_int(x: i64) -> i64 {
    const P: u64 = (1 << 61) - 1;
    let h = (x.unsigned_abs() % P) as i64;
    let h = if x < 0 { -h } else { h };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `math.perm(n, k)`: `n! / (n - k)!` (`factorial(n)` is `perm(n, n)`); 0 when
/// `k > n`; `None` for a negative argument (ValueError) or a result past 64 bits.
fn perm(n: i64, k: i64) -> Option<i64> {
    if n < 0 || k < 0 {
        return None;
    }
    if k > n {
        return Some(0);
    }
    let mut r: i64 = 1;
    for f in (n - k + 1)..=n {
        r = r.checked_mul(f)?;
    }
    Some(r)
}

/// `math.comb(n, k)`: the binomial coefficient, 0 when `k > n`; `None` for a
/// negative argument (ValueError) or a result past 64 bits.
fn comb(n: i64, k: i64) -> Option<i64> {
    if n < 0 || k < 0 {
        return None;
    }
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    // r * (n - k + j) / j stays an integer at every step (it is comb(n - k + j, j)).
    let mut r: u128 = 1;
    for j in 1..=k as u128 {
        r = r.checked_mul((n as u128) - (k as u128) + j)? / j;
        if r > i64::MAX as u128 {
            return None;
        }
    }
    Some(r as i64)
}

/// CPython's hash of a float (`_Py_HashDouble`): the rational value modulo
/// 2^61 - 1 (so `hash(2.0) == hash(2)`), infinities ±314159; `None` for a NaN,
/// whose hash is its object's identity.
fn hash_float(v: f64) -> Option<i64> {
    const BITS: u32 = 61;
    const P: u64 = (1 << BITS) - 1;
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { 314159 } else { -314159 });
    }
    let (mut m, mut e) = frexp(v);
    let sign: i64 = if m < 0.0 { -1 } else { 1 };
    m = m.abs();
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & P) | (x >> (BITS - 28));
        m *= 268_435_456.0; // 2**28
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= P {
            x -= P;
        }
    }
    let e = if e >= 0 {
        (e % BITS as i64) as u32
    } else {
        BITS - 1 - ((-1 - e) % BITS as i64) as u32
    };
    x = ((x << e) & P) | (x >> (BITS - e));
    let h = x as i64 * sign;
    Some(if h == -1 { -2 } else { h })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_and_scalbn() {
        for x in [1.0, 0.75, -3.5, 5e-324, 1e308, f64::MIN_POSITIVE, 123456.789] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m.abs()), "{x}");
            assert_eq!(scalbn(m, e), x, "{x}");
        }
        assert_eq!(scalbn(1.0, -1074), 5e-324);
        assert_eq!(scalbn(1.0, -1075), 0.0); // half the smallest subnormal: to even
        assert_eq!(scalbn(3.0, -1075), 5e-324 * 2.0); // 1.5 ulp: rounds up to 2
        assert!(scalbn(1.0, 1024).is_infinite());
    }

    #[test]
    fn ints() {
        assert_eq!(gcd(12, -18), Some(6));
        assert_eq!(gcd(i64::MIN, 0), None);
        assert_eq!(isqrt(i64::MAX), Some(3037000499));
        assert_eq!(isqrt(15), Some(3));
        assert_eq!(isqrt(16), Some(4));
        assert_eq!(hash_int(-1), -2);
        assert_eq!(hash_int((1 << 61) - 1), 0);
        assert_eq!(hash_float(2.0), Some(2));
        assert_eq!(hash_float(-1.0), Some(-2));
        assert_eq!(hash_float(3.5), Some(1152921504606846979));
        assert_eq!(comb(5, 2), Some(10));
        assert_eq!(perm(20, 20), Some(2432902008176640000));
        assert_eq!(perm(21, 21), None);
        assert_eq!(hash_int(i64::MIN), -4); // 2^63 = 4 * 2^61, and 2^61 is 1 modulo 2^61 - 1
    }
}
