//! NumPy's scalar distributions on top of a bit generator, value for value.
//!
//! Each function draws what NumPy's C function of that distribution draws, in
//! the same order, and rounds the same way (the same libm calls, the same
//! sequence of double operations), so that a compiled draw gives NumPy's
//! number and leaves NumPy's bit generator where NumPy's call would.
//! `tests/test_np_random.py` checks each one against the installed NumPy over
//! long sequences and in every regime of its algorithm, and `helpers::random`
//! checks them again, once per process, before drawing natively at all.
//!
//! Two families: the `Generator`'s (its normal and exponential draws are the
//! ziggurats of `helpers::ziggurat`) and the legacy `RandomState`'s (the polar
//! method for normals, `-log(1 - U)` for exponentials, and the algorithms
//! NumPy keeps unchanged from NumPy 1.16 for it). Where the two differ, a
//! `legacy` flag picks one. The algorithms, from their publications:
//! - gamma: Marsaglia and Tsang, "A simple method for generating gamma
//!   variables" (2000) for shape > 1; for shape < 1 the rejection of Ahrens
//!   and Dieter's GS (as NumPy arranges it: one uniform, one exponential);
//! - beta: Jöhnk's method when both parameters are at most 1, otherwise the
//!   ratio of two gammas;
//! - Poisson: multiplication of uniforms below a mean of 10, Hörmann's PTRS
//!   ("The transformed rejection method for generating Poisson random
//!   variables", 1993) above;
//! - binomial: inversion (sequential search) below a mean of 30, BTPE
//!   (Kachitvichyanukul and Schmeiser, "Binomial random variate generation",
//!   1988) above;
//! - geometric: sequential search for p >= 1/3, inversion below;
//! - the rest by inversion of their distribution functions.
//!
//! The constants are the publications' (Hörmann's 0.931, 2.53, ...; BTPE's
//! 2.195, 4.6, 0.134, 20.5, 15.3 and its Stirling terms); the order of the
//! double operations, which decides the last bits, and the Stirling series'
//! literals in `loggam` are NumPy's, as its C distributions write them
//! (numpy/random/src/distributions and src/legacy, BSD-3-Clause, Copyright (c)
//! 2005-2025 NumPy Developers): facts needed for a bit-exact match, the code
//! here is this crate's own.

use super::ziggurat::{self, Bits};

/// The draws a distribution is built from.
pub trait Stream {
    /// A uniform double in [0, 1) (`next_double`).
    fn double(&mut self) -> f64;
    /// A standard exponential (the Generator's ziggurat, or the legacy `-log(1 - U)`).
    fn std_exp(&mut self) -> f64;
    /// A standard normal (the Generator's ziggurat, or the legacy polar method).
    fn std_normal(&mut self) -> f64;
}

/// The Generator's draws from a bit generator.
pub struct GenStream<B: Bits>(pub B);

impl<B: Bits> Stream for GenStream<B> {
    fn double(&mut self) -> f64 {
        self.0.next_f64()
    }
    fn std_exp(&mut self) -> f64 {
        ziggurat::standard_exponential(&mut self.0)
    }
    fn std_normal(&mut self) -> f64 {
        ziggurat::standard_normal(&mut self.0)
    }
}

/// The legacy RandomState's draws: a bit generator and the gaussian the polar
/// method keeps between calls (`has_gauss`, `gauss`, where NumPy keeps them).
pub struct LegacyStream<'a, B: Bits> {
    pub bits: B,
    pub has_gauss: &'a mut std::os::raw::c_int,
    pub gauss: &'a mut f64,
}

impl<B: Bits> Stream for LegacyStream<'_, B> {
    fn double(&mut self) -> f64 {
        self.bits.next_f64()
    }
    fn std_exp(&mut self) -> f64 {
        ziggurat::legacy_standard_exponential(&mut self.bits)
    }
    fn std_normal(&mut self) -> f64 {
        if *self.has_gauss != 0 {
            let t = *self.gauss;
            *self.has_gauss = 0;
            *self.gauss = 0.0;
            t
        } else {
            let (z, kept) = ziggurat::legacy_gauss_pair(&mut self.bits);
            *self.gauss = kept;
            *self.has_gauss = 1;
            z
        }
    }
}

// The C library's functions, which NumPy's C code calls.
fn log(x: f64) -> f64 {
    // SAFETY: libm's log, a pure function.
    unsafe { super::math::log(x) }
}
fn exp(x: f64) -> f64 {
    // SAFETY: libm's exp, a pure function.
    unsafe { super::math::exp(x) }
}
fn log1p(x: f64) -> f64 {
    // SAFETY: libm's log1p, a pure function.
    unsafe { super::math::log1p(x) }
}
fn expm1(x: f64) -> f64 {
    // SAFETY: libm's expm1, a pure function.
    unsafe { super::math::expm1(x) }
}
fn pow(x: f64, y: f64) -> f64 {
    // SAFETY: libm's pow, a pure function.
    unsafe { super::math::pow(x, y) }
}

/// C's conversion of a double to a 64-bit int as x86-64 performs it
/// (`cvttsd2si`): truncation, and `i64::MIN` for NaN and values out of range.
/// The callers keep their values in range; this keeps the odd case NumPy's too.
fn c_i64(x: f64) -> i64 {
    if x > -9.223_372_036_854_776e18 && x < 9.223_372_036_854_776e18 {
        x as i64
    } else {
        i64::MIN
    }
}

/// `c_i64(x.floor())` without libm's `floor` (a call on baseline x86-64, which
/// has no rounding instruction): truncation, one less where it rounded up (a
/// negative non-integer). In range, `x.floor()` lies strictly inside i64's range
/// exactly when `x` does (doubles there are integers), and `t as f64` is `x`
/// itself wherever it is inexact (|t| > 2**53: `x` is an integer); NaN and the
/// rest give `i64::MIN`, as `c_i64` does.
#[inline]
fn floor_i64(x: f64) -> i64 {
    if x > -9.223_372_036_854_776e18 && x < 9.223_372_036_854_776e18 {
        let t = x as i64;
        t - i64::from((t as f64) > x)
    } else {
        i64::MIN
    }
}

/// A standard gamma of `shape` (>= 0).
pub fn standard_gamma<S: Stream>(s: &mut S, shape: f64) -> f64 {
    if shape == 1.0 {
        return s.std_exp();
    }
    if shape == 0.0 {
        return 0.0;
    }
    if shape < 1.0 {
        loop {
            let u = s.double();
            let v = s.std_exp();
            if u <= 1.0 - shape {
                let x = pow(u, 1.0 / shape);
                if x <= v {
                    return x;
                }
            } else {
                let y = -log((1.0 - u) / shape);
                let x = pow(1.0 - shape + shape * y, 1.0 / shape);
                if x <= v + y {
                    return x;
                }
            }
        }
    }
    // Marsaglia-Tsang: d = shape - 1/3, c = 1/sqrt(9d).
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (x, mut v) = loop {
            let x = s.std_normal();
            let v = 1.0 + c * x;
            if v > 0.0 {
                break (x, v);
            }
        };
        v = v * v * v;
        let u = s.double();
        if u < 1.0 - 0.0331 * (x * x) * (x * x) {
            return d * v;
        }
        if log(u) < 0.5 * x * x + d * (1.0 - v + log(v)) {
            return d * v;
        }
    }
}

/// A beta of `a`, `b` (> 0; both at least 0.05 when both are at most 1: no
/// power underflows, see `random.rs`). `legacy`: the RandomState's acceptance
/// test, which keeps the (probability 2^-106) draw of two zeros.
pub fn beta<S: Stream>(s: &mut S, a: f64, b: f64, legacy: bool) -> f64 {
    if a <= 1.0 && b <= 1.0 {
        // Jöhnk: X = U^(1/a), Y = V^(1/b), accepted when X + Y <= 1.
        loop {
            let u = s.double();
            let v = s.double();
            let x = pow(u, 1.0 / a);
            let y = pow(v, 1.0 / b);
            let xpy = x + y;
            if xpy <= 1.0 && (legacy || u + v > 0.0) {
                if xpy > 0.0 {
                    return x / xpy;
                }
                // Both powers are 0 (legacy only, U = V = 0): the logarithmic form.
                let (mut lx, mut ly) = (log(u) / a, log(v) / b);
                let lm = if lx > ly { lx } else { ly };
                lx -= lm;
                ly -= lm;
                return exp(lx - log(exp(lx) + exp(ly)));
            }
        }
    }
    let ga = standard_gamma(s, a);
    let gb = standard_gamma(s, b);
    ga / (ga + gb)
}

/// Log-normal: `exp(mean + sigma * z)`.
pub fn lognormal<S: Stream>(s: &mut S, mean: f64, sigma: f64) -> f64 {
    exp(mean + sigma * s.std_normal())
}

/// Laplace: inversion of one uniform, a zero redrawn.
pub fn laplace<S: Stream>(s: &mut S, loc: f64, scale: f64) -> f64 {
    loop {
        let u = s.double();
        if u >= 0.5 {
            return loc - scale * log(2.0 - u - u);
        }
        if u > 0.0 {
            return loc + scale * log(u + u);
        }
    }
}

/// Gumbel: `loc - scale * log(-log(1 - U))`, `U = 0` redrawn.
pub fn gumbel<S: Stream>(s: &mut S, loc: f64, scale: f64) -> f64 {
    loop {
        let u = 1.0 - s.double();
        if u < 1.0 {
            return loc - scale * log(-log(u));
        }
    }
}

/// Logistic: `loc + scale * log(U / (1 - U))`, `U = 0` redrawn.
pub fn logistic<S: Stream>(s: &mut S, loc: f64, scale: f64) -> f64 {
    loop {
        let u = s.double();
        if u > 0.0 {
            return loc + scale * log(u / (1.0 - u));
        }
    }
}

/// Triangular on [left, right] with its peak at `mode`: inversion.
pub fn triangular<S: Stream>(s: &mut S, left: f64, mode: f64, right: f64) -> f64 {
    let base = right - left;
    let leftbase = mode - left;
    let ratio = leftbase / base;
    let leftprod = leftbase * base;
    let rightprod = (right - mode) * base;
    let u = s.double();
    if u <= ratio {
        left + (u * leftprod).sqrt()
    } else {
        right - ((1.0 - u) * rightprod).sqrt()
    }
}

/// Rayleigh: the Generator's `scale * sqrt(2 E)`; the legacy `scale * sqrt(-2 log1p(-U))`.
pub fn rayleigh<S: Stream>(s: &mut S, scale: f64, legacy: bool) -> f64 {
    if legacy {
        scale * (-2.0 * log1p(-s.double())).sqrt()
    } else {
        scale * (2.0 * s.std_exp()).sqrt()
    }
}

/// Weibull: `E^(1/a)`, 0 for `a == 0` (no draw).
pub fn weibull<S: Stream>(s: &mut S, a: f64) -> f64 {
    if a == 0.0 {
        return 0.0;
    }
    pow(s.std_exp(), 1.0 / a)
}

/// Pareto (Lomax): the Generator's `expm1(E / a)`; the legacy `exp(E / a) - 1`.
pub fn pareto<S: Stream>(s: &mut S, a: f64, legacy: bool) -> f64 {
    let e = s.std_exp();
    if legacy {
        exp(e / a) - 1.0
    } else {
        expm1(e / a)
    }
}

/// The coefficients of the Stirling series of log Γ(x) (B_2k / (2k (2k - 1)),
/// k = 1..10), written as NumPy's `random_loggam` writes them: its literals
/// decide the last bits (NumPy, BSD-3-Clause; the algorithm is from Zhang and
/// Jin, "Computation of Special Functions", 1996).
#[allow(clippy::excessive_precision)] // (NumPy's literals, as written)
const LOGGAM_COEF: [f64; 10] = [
    8.333333333333333e-02,
    -2.777777777777778e-03,
    7.936507936507937e-04,
    -5.952380952380952e-04,
    8.417508417508418e-04,
    -1.917526917526918e-03,
    6.410256410256410e-03,
    -2.955065359477124e-02,
    1.796443723688307e-01,
    -1.39243221690590e+00,
];

/// log Γ(x) for x >= 1: the Stirling series at x shifted to at least 7, and
/// the shift undone by the recurrence (NumPy's `random_loggam`).
fn loggam(x: f64) -> f64 {
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    let n: i64 = if x < 7.0 { (7.0 - x) as i64 } else { 0 };
    let mut x0 = x + n as f64;
    let x2 = (1.0 / x0) * (1.0 / x0);
    let lg2pi = 1.837_877_066_409_345_3; // log(2 pi), NumPy's literal
    let mut gl0 = LOGGAM_COEF[9];
    for k in (0..9).rev() {
        gl0 *= x2;
        gl0 += LOGGAM_COEF[k];
    }
    let mut gl = gl0 / x0 + 0.5 * lg2pi + (x0 - 0.5) * log(x0) - x0;
    if x < 7.0 {
        for _ in 0..n {
            gl -= log(x0 - 1.0);
            x0 -= 1.0;
        }
    }
    gl
}

/// Poisson of mean `lam` (0 <= lam, small enough that results fit: `random.rs`).
pub fn poisson<S: Stream>(s: &mut S, lam: f64) -> i64 {
    if lam >= 10.0 {
        // PTRS, with Hörmann's constants.
        let slam = lam.sqrt();
        let loglam = log(lam);
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = s.double() - 0.5;
            let v = s.double();
            let us = 0.5 - u.abs();
            let k = floor_i64((2.0 * a / us + b) * u + lam + 0.43);
            if us >= 0.07 && v <= vr {
                return k;
            }
            if k < 0 || (us < 0.013 && v > us) {
                continue;
            }
            let lhs = log(v) + log(invalpha) - log(a / (us * us) + b);
            if lhs <= -lam + k as f64 * loglam - loggam(k as f64 + 1.0) {
                return k;
            }
        }
    }
    if lam == 0.0 {
        return 0;
    }
    // Multiply uniforms until the product falls to exp(-lam).
    let enlam = exp(-lam);
    let mut x = 0;
    let mut prod = 1.0;
    loop {
        prod *= s.double();
        if prod > enlam {
            x += 1;
        } else {
            return x;
        }
    }
}

/// Standard Cauchy: the ratio of two standard normals.
pub fn standard_cauchy<S: Stream>(s: &mut S) -> f64 {
    let num = s.std_normal();
    num / s.std_normal()
}

/// Student's t of `df` degrees of freedom: `sqrt(df / 2) * z / sqrt(G)`, `G` a
/// standard gamma of shape `df / 2`.
pub fn standard_t<S: Stream>(s: &mut S, df: f64) -> f64 {
    let num = s.std_normal();
    let denom = standard_gamma(s, df / 2.0);
    (df / 2.0).sqrt() * num / denom.sqrt()
}

/// Power: `(1 - exp(-E))^(1/a)`, the Generator's with `-expm1(-E)`.
pub fn power<S: Stream>(s: &mut S, a: f64, legacy: bool) -> f64 {
    let e = s.std_exp();
    if legacy {
        pow(1.0 - exp(-e), 1.0 / a)
    } else {
        pow(-expm1(-e), 1.0 / a)
    }
}

/// Snedecor's F: the ratio of two chi-squares, each over its degrees of freedom.
pub fn f_dist<S: Stream>(s: &mut S, dfnum: f64, dfden: f64) -> f64 {
    let num = 2.0 * standard_gamma(s, dfnum / 2.0) * dfden;
    num / (2.0 * standard_gamma(s, dfden / 2.0) * dfnum)
}

/// Negative binomial: a Poisson whose mean is a gamma of shape `n`, scale
/// `(1 - p) / p` (parameters keeping that mean far inside the Poisson's range).
pub fn negative_binomial<S: Stream>(s: &mut S, n: f64, p: f64) -> i64 {
    let y = (1.0 - p) / p * standard_gamma(s, n);
    poisson(s, y)
}

/// Wald (inverse Gaussian), Michael, Schucany and Haas's transformation: the
/// legacy form `mean + mean / (2 scale) * (Y - sqrt(4 scale Y + Y^2))`, the
/// Generator's `mean * (1 - 2 / (1 + sqrt(1 + 4 scale / Y)))` (no cancellation),
/// `Y = mean z^2`; one uniform picks the root.
pub fn wald<S: Stream>(s: &mut S, mean: f64, scale: f64, legacy: bool) -> f64 {
    let x = if legacy {
        let mu_2l = mean / (2.0 * scale);
        let z = s.std_normal();
        let y = mean * z * z;
        mean + mu_2l * (y - (4.0 * scale * y + y * y).sqrt())
    } else {
        let z = s.std_normal();
        let y = mean * z * z;
        let d = 1.0 + (1.0 + 4.0 * scale / y).sqrt();
        mean * (1.0 - 2.0 / d)
    };
    let u = s.double();
    if u <= mean / (mean + x) {
        x
    } else {
        mean * mean / x
    }
}

/// Binomial by inversion (`n p <= 30`, `p <= 1/2` or its complement).
fn binomial_inversion<S: Stream>(s: &mut S, n: i64, p: f64) -> i64 {
    let q = 1.0 - p;
    let qn = exp(n as f64 * log(q));
    let np = n as f64 * p;
    let bound = c_i64((n as f64).min(np + 10.0 * (np * q + 1.0).sqrt()));
    let mut x: i64 = 0;
    let mut px = qn;
    let mut u = s.double();
    while u > px {
        x += 1;
        if x > bound {
            x = 0;
            px = qn;
            u = s.double();
        } else {
            u -= px;
            px = ((n - x + 1) as f64 * p * px) / (x as f64 * q);
        }
    }
    x
}

/// Whether the running NumPy's Generator subtracts the Stirling corrections
/// of `y + 1` and `n - y + 1` in BTPE's final acceptance test (NumPy 2.5
/// fixed the sign the 1988 paper printed: numpy/numpy#31238); `RandomState`
/// keeps adding all four. Set from NumPy's version before any draw.
pub static BTPE_SIGN_FIXED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Binomial by BTPE (`n p > 30`, `p <= 1/2`). The final acceptance test adds
/// all four Stirling corrections (`fixed`: the last two subtracted, NumPy
/// 2.5's Generator).
fn binomial_btpe<S: Stream>(s: &mut S, n: i64, p: f64, fixed: bool) -> i64 {
    let nf = n as f64;
    let r = p.min(1.0 - p);
    let q = 1.0 - r;
    let fm = nf * r + r;
    let m = floor_i64(fm);
    let mf = m as f64;
    let p1 = (2.195 * (nf * r * q).sqrt() - 4.6 * q).floor() + 0.5;
    let xm = mf + 0.5;
    let xl = xm - p1;
    let xr = xm + p1;
    let c = 0.134 + 20.5 / (15.3 + mf);
    let a = (fm - xl) / (fm - xl * r);
    let laml = a * (1.0 + a / 2.0);
    let a = (xr - fm) / (xr * q);
    let lamr = a * (1.0 + a / 2.0);
    let p2 = p1 * (1.0 + 2.0 * c);
    let p3 = p2 + c / laml;
    let p4 = p3 + c / lamr;
    // (13680 - (462 - (132 - (99 - 140/x²)/x²)/x²)/x²)/x/166320: Stirling's correction.
    let corr = |x: f64, x2: f64| (13680. - (462. - (132. - (99. - 140. / x2) / x2) / x2) / x2) / x / 166320.;
    let y = 'draw: loop {
        let nrq = nf * r * q;
        let u = s.double() * p4;
        let mut v = s.double();
        let y;
        if u <= p1 {
            // the triangle: accepted at once
            break 'draw floor_i64(xm - p1 * v + u);
        } else if u <= p2 {
            // the parallelograms
            let x = xl + (u - p1) / c;
            v = v * c + 1.0 - (mf - x + 0.5).abs() / p1;
            if v > 1.0 {
                continue;
            }
            y = floor_i64(x);
        } else if u <= p3 {
            // the left exponential tail
            y = floor_i64(xl + log(v) / laml);
            if y < 0 || v == 0.0 {
                continue;
            }
            v = v * (u - p2) * laml;
        } else {
            // the right exponential tail
            y = floor_i64(xr - log(v) / lamr);
            if y > n || v == 0.0 {
                continue;
            }
            v = v * (u - p3) * lamr;
        }
        let k = (y - m).abs();
        if !(k > 20 && (k as f64) < nrq / 2.0 - 1.0) {
            // explicit evaluation of f(y) / f(m)
            let s_ = r / q;
            let a = s_ * (nf + 1.0);
            let mut f = 1.0;
            if m < y {
                for i in m + 1..=y {
                    f *= a / i as f64 - s_;
                }
            } else if m > y {
                for i in y + 1..=m {
                    f /= a / i as f64 - s_;
                }
            }
            if v > f {
                continue;
            }
            break 'draw y;
        }
        // squeezing with the normal approximation, then the bound of log f(y)/f(m)
        let kf = k as f64;
        let rho = (kf / nrq) * ((kf * (kf / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5);
        let t = (-k * k) as f64 / (2.0 * nrq);
        let big_a = log(v);
        if big_a < t - rho {
            break 'draw y;
        }
        if big_a > t + rho {
            continue;
        }
        let x1 = y as f64 + 1.0;
        let f1 = mf + 1.0;
        let z = nf + 1.0 - mf;
        let w = nf - y as f64 + 1.0;
        let head = xm * log(f1 / x1)
            + (nf - mf + 0.5) * log(z / w)
            + (y - m) as f64 * log(w * r / (x1 * q))
            + corr(f1, f1 * f1)
            + corr(z, z * z);
        let bound = if fixed {
            head - corr(x1, x1 * x1) - corr(w, w * w)
        } else {
            head + corr(x1, x1 * x1) + corr(w, w * w)
        };
        if big_a > bound {
            continue;
        }
        break 'draw y;
    };
    if p > 0.5 {
        n - y
    } else {
        y
    }
}

/// Binomial of `n` (>= 0) trials of probability `p` (in [0, 1]). The
/// Generator returns 0 at once for `n == 0` or `p == 0`; the legacy one draws.
pub fn binomial<S: Stream>(s: &mut S, n: i64, p: f64, legacy: bool) -> i64 {
    if !legacy && (n == 0 || p == 0.0) {
        return 0;
    }
    let fixed = !legacy && BTPE_SIGN_FIXED.load(std::sync::atomic::Ordering::Relaxed);
    if p <= 0.5 {
        if p * n as f64 <= 30.0 {
            binomial_inversion(s, n, p)
        } else {
            binomial_btpe(s, n, p, fixed)
        }
    } else {
        let q = 1.0 - p;
        if q * n as f64 <= 30.0 {
            n - binomial_inversion(s, n, q)
        } else {
            n - binomial_btpe(s, n, q, fixed)
        }
    }
}

/// Geometric of success probability `p` in (0, 1] (the number of trials).
pub fn geometric<S: Stream>(s: &mut S, p: f64, legacy: bool) -> i64 {
    if p >= 1.0 / 3.0 {
        // search: the distribution function summed until it passes U
        let mut x = 1;
        let mut sum = p;
        let mut prod = p;
        let q = 1.0 - p;
        let u = s.double();
        while u > sum {
            prod *= q;
            sum += prod;
            x += 1;
        }
        return x;
    }
    if legacy {
        return c_i64((log1p(-s.double()) / log(1.0 - p)).ceil());
    }
    let z = (-s.std_exp() / log1p(-p)).ceil();
    if z >= 9.223_372_036_854_776e18 {
        return i64::MAX;
    }
    c_i64(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_i64_is_c_conversion_of_floor() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            -1.5,
            2.999_999_999_999_999_6,
            -2.000_000_000_000_000_4,
            1e-300,
            -1e-300,
            4503599627370495.5,
            -4503599627370495.5,
            9007199254740993.0,
            -9007199254740993.0,
            9.223_372_036_854_775e18,
            -9.223_372_036_854_775e18,
            9.223_372_036_854_776e18,
            -9.223_372_036_854_776e18,
            1e19,
            -1e19,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN,
        ];
        // and a sweep of values around integers of every magnitude
        let mut x = 1e-3;
        while x < 1e20 {
            for d in [-1.0, -0.5, 0.0, 0.5, 1.0] {
                xs.push(x + d);
                xs.push(-x + d);
                xs.push(f64::from_bits((x + d).to_bits() + 1));
                xs.push(-f64::from_bits((x + d).to_bits().saturating_sub(1)));
            }
            x *= 1.37;
        }
        for x in xs {
            assert_eq!(floor_i64(x), c_i64(x.floor()), "{x:e}");
        }
    }

    #[test]
    fn loggam_is_log_gamma() {
        // log Γ(k + 1) = log k!
        let mut lf = 0.0f64;
        for k in 1..40u32 {
            lf += (k as f64).ln();
            assert!((loggam(k as f64 + 1.0) - lf).abs() <= 1e-12 * lf.max(1.0), "{k}");
        }
        assert_eq!(loggam(1.0), 0.0);
        assert!((loggam(0.5 + 7.0) - 7.534_364_236_758_733).abs() < 1e-12);
    }

    #[test]
    fn c_cast_is_x86s() {
        assert_eq!(c_i64(3.9), 3);
        assert_eq!(c_i64(-3.9), -3);
        assert_eq!(c_i64(f64::NAN), i64::MIN);
        assert_eq!(c_i64(1e19), i64::MIN);
        assert_eq!(c_i64(-1e19), i64::MIN);
    }
}
