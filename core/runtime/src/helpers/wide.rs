//! Whole-array kernels for wider vectors than Cranelift's 128 bits: NumPy's
//! pairwise summation of float64 and float32 arrays (`np.sum`, `np.mean`, and
//! the fusion pass's row sums all end in [`pairwise_f64`] / [`pairwise_f32`])
//! compiled for AVX2 and AVX-512, the level picked once per process from the
//! CPU's features ([`level`]).
//!
//! # Levels
//! * `base` (`sse2` on x86-64): the reference, the plain Rust loop the
//!   compiler vectorizes for the target's baseline (SSE2 on x86-64, NEON on
//!   aarch64). It is the only level off x86-64.
//! * `avx2`: 256-bit vectors (the CPU must have AVX2).
//! * `avx512`: 512-bit vectors (AVX-512F).
//!
//! `PYSTON_ISA=sse2|base|avx2|avx512` (read once, when the first kernel runs)
//! caps the level; the CPU's features always cap it too, so naming a level
//! the CPU lacks runs the best one it has. `_pyston.set_isa(name)` sets the
//! cap at run time (for tests and benchmarks), `_pyston.isa()` says which
//! level runs.
//!
//! # Exactness
//! Every level computes the same additions, on the same values, in the same
//! order, so the results are bit-identical by construction (and tested so at
//! every level). NumPy's `pairwise_sum` splits `n` elements into halves (the
//! first a multiple of 8 long) down to runs of at most 128 elements, its
//! *leaves*. A leaf of 8 or more elements is summed in eight partial sums,
//! `r[j] = a[j] + a[8 + j] + a[16 + j] + ...` (each its own sequence of
//! additions), combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 +
//! r7))`, then its last `len % 8` elements are added in order; a shorter one
//! is a sequential sum from `0.0`. The eight partial sums are eight lanes of
//! one AVX-512 register (float64), two AVX2 registers (float64) or one AVX2
//! register (float32): lane `j` performs `r[j]`'s additions exactly, since an
//! IEEE addition in a vector lane is the scalar one. The combination and the
//! tail stay scalar, in NumPy's order.
//!
//! What makes the wide levels faster is not only the width: one leaf's eight
//! sums are eight chains of dependent additions, so a leaf alone runs at the
//! adder's latency whatever the width. The leaves of the tree are independent
//! of each other, though, so the wide kernels sum the 2 to 4 leaves of a node
//! of at most 512 elements at once (that many independent chains of vector
//! additions), then add the leaves' sums as the tree adds them. No addition
//! is reassociated; only independent additions are interleaved. (The
//! interleaving alone would help the 128-bit path too; `base` is kept as the
//! unchanged reference.)
//!
//! Measured on this project's Xeon (Ice Lake, 2.8 GHz; thread CPU time, the
//! kernel alone): float64 1k elements 0.18 us at `sse2`, 0.09 us at
//! `avx2`/`avx512`; 4k 0.69 / 0.36 / 0.37 us; 100k (in L2) 22 / 16 / 14 us;
//! 1M (8 MB, memory-bound) the same at every level. float32 about 2x from 1k
//! to 100k, 1.2x at 1M. `benchmarks/wide.py` times it through `np.sum`.
//!
//! No fused multiply-add is used: NumPy's sums have none.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// A level of vector width for the kernels of this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// The target's baseline (SSE2 on x86-64): the reference loops.
    Base = 0,
    /// 256-bit AVX2 vectors.
    Avx2 = 1,
    /// 512-bit AVX-512F vectors.
    Avx512 = 2,
}

impl Isa {
    /// The level's name, as `PYSTON_ISA` and `_pyston.set_isa` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Base if cfg!(target_arch = "x86_64") => "sse2",
            Isa::Base => "base",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// The level named `s` (case-insensitive; `sse2` and `base` are one).
    pub fn parse(s: &str) -> Option<Isa> {
        match s.trim().to_ascii_lowercase().as_str() {
            "base" | "sse2" | "128" => Some(Isa::Base),
            "avx2" | "256" => Some(Isa::Avx2),
            "avx512" | "avx-512" | "512" => Some(Isa::Avx512),
            _ => None,
        }
    }

    fn from_u8(v: u8) -> Isa {
        match v {
            2 => Isa::Avx512,
            1 => Isa::Avx2,
            _ => Isa::Base,
        }
    }
}

/// The widest level this CPU runs (detected once).
pub fn detected() -> Isa {
    static DETECTED: OnceLock<Isa> = OnceLock::new();
    *DETECTED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Base
    })
}

/// The level `PYSTON_ISA` asks for (read once); `None` when unset or unknown.
fn env_cap() -> Option<Isa> {
    static ENV: OnceLock<Option<Isa>> = OnceLock::new();
    *ENV.get_or_init(|| std::env::var("PYSTON_ISA").ok().and_then(|s| Isa::parse(&s)))
}

/// The level in use; `UNSET` until the first kernel (or `set_level`) decides it.
static LEVEL: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = u8::MAX;

/// The level the kernels run at: the CPU's, capped by `PYSTON_ISA` and by
/// [`set_level`].
#[inline]
pub fn level() -> Isa {
    let v = LEVEL.load(Ordering::Relaxed);
    if v != UNSET {
        return Isa::from_u8(v);
    }
    let l = env_cap().map_or(detected(), |c| c.min(detected()));
    LEVEL.store(l as u8, Ordering::Relaxed);
    l
}

/// Caps the level at `cap` (never above the CPU's), or back to the default
/// (`PYSTON_ISA`, else the CPU's) for `None`; returns the level now in use.
pub fn set_level(cap: Option<Isa>) -> Isa {
    let l = match cap.or_else(env_cap) {
        Some(c) => c.min(detected()),
        None => detected(),
    };
    LEVEL.store(l as u8, Ordering::Relaxed);
    l
}

/// The level the whole-array kernels run at (`_pyston.isa()`): `"sse2"` (or
/// `"base"` off x86-64), `"avx2"` or `"avx512"`.
#[pyo3::pyfunction]
pub fn isa() -> &'static str {
    level().name()
}

/// Caps the level of the whole-array kernels at `name` (`"sse2"`/`"base"`,
/// `"avx2"`, `"avx512"`; never above the CPU's), or restores the default
/// (`PYSTON_ISA`, else the CPU's) for `None`; returns the level now in use.
/// For tests and benchmarks: every level gives the same results.
#[pyo3::pyfunction]
#[pyo3(signature = (name=None))]
pub fn set_isa(name: Option<&str>) -> pyo3::PyResult<&'static str> {
    let cap = match name {
        None => None,
        Some(s) => Some(Isa::parse(s).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "unknown ISA level '{s}': expected 'sse2' (or 'base'), 'avx2' or 'avx512'"
            ))
        })?),
    };
    Ok(set_level(cap).name())
}

/// A float type the pairwise sum runs on.
pub trait Float: Copy + std::ops::Add<Output = Self> + PartialEq {
    const ZERO: Self;
}
impl Float for f64 {
    const ZERO: f64 = 0.0;
}
impl Float for f32 {
    const ZERO: f32 = 0.0;
}

/// NumPy's leaf: sequential below 8 elements, else eight partial sums
/// combined as a tree and the tail added in order (the reference).
#[inline]
fn leaf_ref<T: Float>(a: &[T]) -> T {
    let n = a.len();
    if n < 8 {
        let mut r = T::ZERO;
        for x in a {
            r = r + *x;
        }
        return r;
    }
    let mut r = [T::ZERO; 8];
    r.copy_from_slice(&a[..8]);
    let body = n - n % 8;
    for c in a[8..body].chunks_exact(8) {
        for j in 0..8 {
            r[j] = r[j] + c[j];
        }
    }
    finish(&r, &a[body..])
}

/// A leaf's eight partial sums combined in NumPy's order, then its tail.
#[inline(always)]
fn finish<T: Float>(r: &[T; 8], tail: &[T]) -> T {
    let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for x in tail {
        res = res + *x;
    }
    res
}

/// NumPy's pairwise sum of `a` at the base level: the reference.
pub fn pairwise_ref<T: Float>(a: &[T]) -> T {
    let n = a.len();
    if n <= 128 {
        leaf_ref(a)
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_ref(&a[..n2]) + pairwise_ref(&a[n2..])
    }
}

/// Sums 1 to 4 leaves, each `(offset, length)` into `a` with `length >= 8`,
/// writing each leaf's sum into `out` (in order).
#[cfg(target_arch = "x86_64")]
type Group<T> = fn(&[T], &[(usize, usize)], &mut [T]);

/// The length of the first half of a node of `n > 128` elements.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn half(n: usize) -> usize {
    let n2 = n / 2;
    n2 - n2 % 8
}

/// Whether a node of `len` elements is a leaf or two leaves.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn shallow(len: usize) -> bool {
    len <= 128 || len - half(len) <= 128
}

/// The pairwise sum of `a` with the leaves summed by `group`: the tree's
/// shape and its additions of leaves' sums exactly as [`pairwise_ref`].
/// A node of at most 512 elements whose halves are each a leaf or two leaves
/// (nearly all) has its 2 to 4 leaves summed by one call of `group`, the
/// leaves' sums then added as the tree adds them.
#[cfg(target_arch = "x86_64")]
fn pairwise_with<T: Float>(a: &[T], group: Group<T>) -> T {
    let n = a.len();
    if n < 8 {
        leaf_ref(a)
    } else if n <= 128 {
        let mut s = [T::ZERO];
        group(a, &[(0, n)], &mut s);
        s[0]
    } else {
        let n2 = half(n);
        if n > 512 || !shallow(n2) || !shallow(n - n2) {
            return pairwise_with(&a[..n2], group) + pairwise_with(&a[n2..], group);
        }
        let mut leaves = [(0usize, 0usize); 4];
        let mut k = 0;
        let mut split = [false; 2];
        for (side, (off, len)) in [(0, n2), (n2, n - n2)].into_iter().enumerate() {
            if len <= 128 {
                leaves[k] = (off, len);
                k += 1;
            } else {
                let m = half(len);
                leaves[k] = (off, m);
                leaves[k + 1] = (off + m, len - m);
                k += 2;
                split[side] = true;
            }
        }
        let mut s = [T::ZERO; 4];
        group(a, &leaves[..k], &mut s[..k]);
        let (x, j) = if split[0] { (s[0] + s[1], 2) } else { (s[0], 1) };
        let y = if split[1] { s[j] + s[j + 1] } else { s[j] };
        x + y
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The AVX2 and AVX-512 leaf groups. Each takes 1 to 4 leaves of at
    //! least 8 elements within the slice; lane `j` of a leaf's accumulator
    //! is NumPy's partial sum `r[j]`.
    use super::finish;
    use std::arch::x86_64::*;

    /// Runs `body` for `N` leaves: `first(k)` loads leaf `k`'s first block,
    /// `step(k, b)` adds its block `b`; blocks common to all leaves run
    /// interleaved (independent chains), the rest leaf by leaf.
    macro_rules! leaves {
        ($leaves:expr, $n:expr, $acc:ident, $init:expr, $step:expr) => {{
            let mut nb = [0usize; 4];
            let mut common = usize::MAX;
            for k in 0..$n {
                nb[k] = $leaves[k].1 / 8;
                common = common.min(nb[k]);
            }
            for k in 0..$n {
                $acc[k] = $init(k);
            }
            for b in 1..common {
                for k in 0..$n {
                    $acc[k] = $step($acc[k], k, b);
                }
            }
            for k in 0..$n {
                for b in common..nb[k] {
                    $acc[k] = $step($acc[k], k, b);
                }
            }
            nb
        }};
    }

    /// float64 leaves, one 8-lane AVX-512 register each.
    ///
    /// # Safety
    /// The CPU has AVX-512F; every leaf lies within `a` and is at least 8 long.
    #[target_feature(enable = "avx512f")]
    unsafe fn group_f64_avx512<const N: usize>(a: &[f64], leaves: &[(usize, usize)], out: &mut [f64]) {
        let p = a.as_ptr();
        // SAFETY: the loads read blocks `b < len / 8` of leaves within `a`.
        let ld = |k: usize, b: usize| unsafe { _mm512_loadu_pd(p.add(leaves[k].0 + 8 * b)) };
        let mut acc = [_mm512_setzero_pd(); N];
        let nb = leaves!(leaves, N, acc, |k| ld(k, 0), |x, k, b| _mm512_add_pd(x, ld(k, b)));
        for k in 0..N {
            let mut r = [0.0f64; 8];
            // SAFETY: `r` holds 8 f64.
            unsafe { _mm512_storeu_pd(r.as_mut_ptr(), acc[k]) };
            let (o, l) = leaves[k];
            out[k] = finish(&r, &a[o + 8 * nb[k]..o + l]);
        }
    }

    /// float64 leaves, two 4-lane AVX2 registers each (lanes 0-3 and 4-7).
    ///
    /// # Safety
    /// The CPU has AVX2; every leaf lies within `a` and is at least 8 long.
    #[target_feature(enable = "avx2")]
    unsafe fn group_f64_avx2<const N: usize>(a: &[f64], leaves: &[(usize, usize)], out: &mut [f64]) {
        let p = a.as_ptr();
        // SAFETY: the loads read blocks `b < len / 8` of leaves within `a`.
        let ld = |k: usize, b: usize| unsafe {
            let q = p.add(leaves[k].0 + 8 * b);
            (_mm256_loadu_pd(q), _mm256_loadu_pd(q.add(4)))
        };
        let mut acc = [(_mm256_setzero_pd(), _mm256_setzero_pd()); N];
        let nb = leaves!(leaves, N, acc, |k| ld(k, 0), |x: (__m256d, __m256d), k, b| {
            let y = ld(k, b);
            (_mm256_add_pd(x.0, y.0), _mm256_add_pd(x.1, y.1))
        });
        for k in 0..N {
            let mut r = [0.0f64; 8];
            // SAFETY: `r` holds 8 f64.
            unsafe {
                _mm256_storeu_pd(r.as_mut_ptr(), acc[k].0);
                _mm256_storeu_pd(r.as_mut_ptr().add(4), acc[k].1);
            }
            let (o, l) = leaves[k];
            out[k] = finish(&r, &a[o + 8 * nb[k]..o + l]);
        }
    }

    /// float32 leaves, one 8-lane AVX2 register each (AVX-512 would hold two
    /// leaves per register and needs lane shuffles; the AVX-512 level uses this).
    ///
    /// # Safety
    /// The CPU has AVX2; every leaf lies within `a` and is at least 8 long.
    #[target_feature(enable = "avx2")]
    unsafe fn group_f32_avx2<const N: usize>(a: &[f32], leaves: &[(usize, usize)], out: &mut [f32]) {
        let p = a.as_ptr();
        // SAFETY: the loads read blocks `b < len / 8` of leaves within `a`.
        let ld = |k: usize, b: usize| unsafe { _mm256_loadu_ps(p.add(leaves[k].0 + 8 * b)) };
        let mut acc = [_mm256_setzero_ps(); N];
        let nb = leaves!(leaves, N, acc, |k| ld(k, 0), |x, k, b| _mm256_add_ps(x, ld(k, b)));
        for k in 0..N {
            let mut r = [0.0f32; 8];
            // SAFETY: `r` holds 8 f32.
            unsafe { _mm256_storeu_ps(r.as_mut_ptr(), acc[k]) };
            let (o, l) = leaves[k];
            out[k] = finish(&r, &a[o + 8 * nb[k]..o + l]);
        }
    }

    /// Checks a group's contract; true when it may run.
    fn fits<T>(a: &[T], leaves: &[(usize, usize)]) -> bool {
        (1..=4).contains(&leaves.len())
            && leaves
                .iter()
                .all(|&(o, l)| l >= 8 && o.checked_add(l).is_some_and(|e| e <= a.len()))
    }

    macro_rules! dispatch {
        ($name:ident, $t:ty, $kernel:ident, $feature:tt) => {
            pub(super) fn $name(a: &[$t], leaves: &[(usize, usize)], out: &mut [$t]) {
                assert!(fits(a, leaves) && out.len() >= leaves.len());
                assert!(std::arch::is_x86_feature_detected!($feature));
                // SAFETY: the feature and the leaves checked just above.
                unsafe {
                    match leaves.len() {
                        1 => $kernel::<1>(a, leaves, out),
                        2 => $kernel::<2>(a, leaves, out),
                        3 => $kernel::<3>(a, leaves, out),
                        _ => $kernel::<4>(a, leaves, out),
                    }
                }
            }
        };
    }
    dispatch!(f64_avx512, f64, group_f64_avx512, "avx512f");
    dispatch!(f64_avx2, f64, group_f64_avx2, "avx2");
    dispatch!(f32_avx2, f32, group_f32_avx2, "avx2");
}

/// NumPy's pairwise sum of adjacent float64 elements (without its identity
/// `0.0`), at `isa` (or the best level below it this build has).
pub fn pairwise_f64_at(a: &[f64], isa: Isa) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        match isa.min(detected()) {
            Isa::Avx512 => return pairwise_with(a, x86::f64_avx512),
            Isa::Avx2 => return pairwise_with(a, x86::f64_avx2),
            Isa::Base => {}
        }
    }
    let _ = isa;
    pairwise_ref(a)
}

/// NumPy's pairwise sum of adjacent float32 elements (in float32, without
/// its identity `0.0`), at `isa` (AVX-512 runs the AVX2 kernel).
pub fn pairwise_f32_at(a: &[f32], isa: Isa) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if isa.min(detected()) >= Isa::Avx2 {
            return pairwise_with(a, x86::f32_avx2);
        }
    }
    let _ = isa;
    pairwise_ref(a)
}

/// [`pairwise_f64_at`] at this process's [`level`].
pub fn pairwise_f64(a: &[f64]) -> f64 {
    pairwise_f64_at(a, level())
}

/// [`pairwise_f32_at`] at this process's [`level`].
pub fn pairwise_f32(a: &[f32]) -> f32 {
    pairwise_f32_at(a, level())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        // Values over several binades and both signs: roundings differ when the order does.
        let m = ((*seed >> 11) as f64) / (1u64 << 53) as f64;
        let e = ((*seed >> 3) % 40) as i32 - 20;
        if *seed & 1 == 0 {
            m * 2f64.powi(e)
        } else {
            -m * 2f64.powi(e)
        }
    }

    fn lengths() -> Vec<usize> {
        let mut v: Vec<usize> = (0..2100).collect();
        v.extend([
            383, 384, 385, 511, 512, 513, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 5000, 8191, 8192, 8193,
        ]);
        v.extend([12345, 65536, 100_001, 262_147]);
        v
    }

    #[test]
    fn every_level_is_the_reference_f64() {
        let mut seed = 1;
        let all: Vec<f64> = (0..262_200).map(|_| lcg(&mut seed)).collect();
        for n in lengths() {
            for off in [0, 1, 3] {
                let a = &all[off..off + n];
                let want = pairwise_ref(a);
                for isa in [Isa::Base, Isa::Avx2, Isa::Avx512] {
                    let got = pairwise_f64_at(a, isa);
                    assert_eq!(got.to_bits(), want.to_bits(), "n={n} off={off} {isa:?}");
                }
            }
        }
    }

    #[test]
    fn every_level_is_the_reference_f32() {
        let mut seed = 7;
        let all: Vec<f32> = (0..262_200).map(|_| lcg(&mut seed) as f32).collect();
        for n in lengths() {
            for off in [0, 1, 5] {
                let a = &all[off..off + n];
                let want = pairwise_ref(a);
                for isa in [Isa::Base, Isa::Avx2, Isa::Avx512] {
                    let got = pairwise_f32_at(a, isa);
                    assert_eq!(got.to_bits(), want.to_bits(), "n={n} off={off} {isa:?}");
                }
            }
        }
    }

    #[test]
    fn specials_propagate_alike() {
        for n in [1usize, 7, 8, 9, 128, 129, 600, 5000] {
            for pos in [0, n / 2, n - 1] {
                for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0] {
                    let mut a = vec![-0.0f64; n];
                    a[pos] = v;
                    if v.is_infinite() {
                        a[0] = -v; // inf - inf: NaN, at the same addition at every level
                    }
                    let want = pairwise_ref(&a);
                    for isa in [Isa::Avx2, Isa::Avx512] {
                        let got = pairwise_f64_at(&a, isa);
                        assert_eq!(got.to_bits(), want.to_bits(), "n={n} pos={pos} v={v} {isa:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for isa in [Isa::Base, Isa::Avx2, Isa::Avx512] {
            assert_eq!(Isa::parse(isa.name()), Some(isa));
        }
        assert_eq!(Isa::parse("AVX512"), Some(Isa::Avx512));
        assert_eq!(Isa::parse("base"), Some(Isa::Base));
        assert_eq!(Isa::parse("avx9"), None);
    }
}
