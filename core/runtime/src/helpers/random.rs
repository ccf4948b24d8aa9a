//! Native draws from NumPy's own bit generators (`numpy.random`).
//!
//! NumPy's `RandomState` (the legacy global functions) and `Generator` hold a
//! BitGenerator whose `capsule` ("BitGenerator") points at a C `bitgen_t`:
//! the generator's state and its `next_uint64/next_uint32/next_double`
//! functions. Where the distribution on top is simple (uniform doubles,
//! bounded integers, normal and exponential floats), compiled code's NumPy
//! call site draws from those functions itself: the same numbers from the
//! same stream, NumPy's state advanced exactly as NumPy's own call would.
//! Everything else (and every argument a native draw does not take) stays
//! NumPy's call.
//!
//! The algorithms, from their definitions (checked value for value against
//! NumPy by `tests/test_np_random.py`):
//! - uniform doubles: `next_double` itself; `uniform(low, high)` is
//!   `low + (high - low) * next_double` (NumPy raises when `high - low` is not
//!   finite, and `Generator.uniform` when it is negative: those run NumPy's call);
//! - legacy `randint(low, high)`: masked rejection on `r = high - 1 - low`:
//!   a 32-bit draw when `r` fits 32 bits (64-bit otherwise) masked to the
//!   smallest `2^k - 1 >= r`, redrawn while above `r`; no draw when `r == 0`;
//! - `Generator.integers(low, high)`: Lemire's multiply-shift rejection
//!   ("Fast random integer generation in an interval", 2019) on `r + 1`,
//!   32-bit draws when `r` fits 32 bits;
//! - normal and exponential floats (`helpers::ziggurat`): the Generator's
//!   ziggurats, `loc + scale * z` and `scale * e`; the legacy polar method,
//!   whose second value NumPy keeps in the RandomState (`aug_bitgen_t`, found
//!   and checked by `aug_state_of`: read and written there, so plain NumPy
//!   calls before and after see it), and `-log(1 - U)`. A negative, `-0.0`
//!   or NaN `scale` runs NumPy's call (which raises, or not, as that NumPy does).
//!
//! Thread safety: NumPy guards each generator with an `RLock` (its fills run
//! with the GIL released while holding it). The first native draw of a call
//! takes that lock (blocking, the GIL released while waiting, as NumPy's own
//! `acquire` does) and keeps it until the call returns (`Ctx::release`) or
//! calls into Python (NumPy 2.0's lock is not reentrant: a NumPy draw made
//! meanwhile would deadlock); the next native draw takes it again. Other
//! threads wait meanwhile; the legacy kept gaussian is read and written under
//! the same lock, as NumPy's own draws do.

use super::bitgen::{BitKind, Mt, Pcg, Raw};
use crate::runtime::{Ctx, OK};
use pyo3::ffi;
use pyo3::prelude::*;
use std::os::raw::c_void;

/// NumPy's `bitgen_t` (numpy/random/bitgen.h): the layout NumPy documents
/// for using its bit generators from C.
#[repr(C)]
pub struct BitGen {
    pub state: *mut c_void,
    pub next_uint64: unsafe extern "C" fn(*mut c_void) -> u64,
    pub next_uint32: unsafe extern "C" fn(*mut c_void) -> u32,
    pub next_double: unsafe extern "C" fn(*mut c_void) -> f64,
    #[allow(dead_code)] // not used: part of the layout
    pub next_raw: unsafe extern "C" fn(*mut c_void) -> u64,
}

impl super::ziggurat::Bits for &BitGen {
    fn next_u64(&mut self) -> u64 {
        // SAFETY: a `&BitGen` is only made for a live `bitgen_t` whose lock
        // this thread holds (see `native_draw`).
        unsafe { (self.next_uint64)(self.state) }
    }
    fn next_f64(&mut self) -> f64 {
        // SAFETY: as above.
        unsafe { (self.next_double)(self.state) }
    }
}

/// NumPy's `aug_bitgen_t` (numpy/random/include/legacy-distributions.h): a
/// RandomState's pointer to its own copy of the `bitgen_t`, and the gaussian
/// the polar method kept for the next call. It lives inside the RandomState
/// object, which does not expose it: `aug_state_of` finds it and checks it.
#[repr(C)]
pub struct AugBitGen {
    pub bit_generator: *const BitGen,
    pub has_gauss: std::os::raw::c_int,
    pub gauss: f64,
}

/// The `aug_bitgen_t` inside the RandomState `state`, whose bit generator
/// `bg` has the `bitgen_t` at `bitgen`, or `None`.
///
/// NumPy's RandomState (a Cython class) holds a copy of the bit generator's
/// `bitgen_t` and an `aug_bitgen_t` whose first field points at that copy,
/// both inside the object. The field is found by scanning the object's own
/// memory (`__basicsize__` bytes) for a pointer into the object at a copy of
/// the `bitgen_t` (its state pointer and functions equal to the capsule's),
/// and accepted only when exactly one such place exists and the two values
/// after it are the `has_gauss` and `gauss` that `get_state()` reports. A
/// NumPy laid out otherwise finds nothing: its gaussians stay NumPy's calls.
pub fn aug_state_of(state: &Bound<'_, PyAny>, bg: &Bound<'_, PyAny>, bitgen: *const BitGen) -> Option<*mut AugBitGen> {
    const WORDS: usize = std::mem::size_of::<BitGen>() / 8;
    let size: usize = state.get_type().getattr("__basicsize__").ok()?.extract().ok()?;
    let base = state.as_ptr() as *const u8;
    if !(base as usize).is_multiple_of(8) {
        return None; // (objects are 16-aligned; the fields found are read in place)
    }
    // SAFETY: `bitgen` points at the capsule's live `bitgen_t`, `WORDS` words.
    let want: [u64; WORDS] = unsafe { std::ptr::read_unaligned(bitgen as *const [u64; WORDS]) };
    // SAFETY: reads stay inside the object's `__basicsize__` bytes, which the
    // live object (held by `state`) owns; plain integer reads of them.
    let word = |off: usize| -> u64 { unsafe { std::ptr::read_unaligned(base.add(off) as *const u64) } };
    let mut found = None;
    let mut off = 16; // past the object header
    while off + std::mem::size_of::<AugBitGen>() <= size {
        let p = word(off) as usize;
        let start = base as usize;
        if p >= start + 16 && p.is_multiple_of(8) && p + 8 * WORDS <= start + size && p != start + off {
            let at = p - start;
            if (0..WORDS).all(|k| word(at + 8 * k) == want[k]) {
                if found.is_some() {
                    return None; // two candidates: not the layout expected
                }
                found = Some(off);
            }
        }
        off += 8;
    }
    let off = found?;
    // Check `has_gauss` and `gauss` against what NumPy reports. `get_state` takes
    // the generator's lock (NumPy 2.0's is not reentrant): only when nobody holds it.
    let lock = bg.getattr("lock").ok()?;
    if !lock.call_method1("acquire", (false,)).ok()?.extract::<bool>().ok()? {
        return None;
    }
    lock.call_method0("release").ok()?;
    let st = state.call_method1("get_state", (false,)).ok()?;
    let has: i64 = st.get_item("has_gauss").ok()?.extract().ok()?;
    let gauss: f64 = st.get_item("gauss").ok()?.extract().ok()?;
    let aug = base.wrapping_add(off) as *mut AugBitGen;
    // SAFETY: `off + size_of::<AugBitGen>() <= size`, inside the live object; 8-aligned.
    let (h, g) = unsafe { ((*aug).has_gauss, (*aug).gauss) };
    (h as i64 == has && g.to_bits() == gauss.to_bits()).then_some(aug)
}

/// What a native draw computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RngOp {
    /// A double in [0, 1): `next_double`.
    Double,
    /// Legacy `uniform(low, high)`: any finite `high - low`.
    UniformLegacy,
    /// `Generator.uniform(low, high)`: a finite, non-negative `high - low`.
    UniformGen,
    /// Legacy `randint(low, high)`: masked rejection.
    MaskedInt,
    /// `Generator.integers(low, high)`: Lemire's method.
    LemireInt,
    /// `Generator.standard_normal()`: the ziggurat.
    StdNormalGen,
    /// `Generator.normal(loc, scale)`: `loc + scale * z` (a non-negative `scale`).
    NormalGen,
    /// `Generator.standard_exponential()`: the ziggurat.
    StdExpGen,
    /// `Generator.exponential(scale)`: `scale * e` (a non-negative `scale`).
    ExpGen,
    /// Legacy `standard_normal()` / `randn()`: the polar method, its second value
    /// kept in the RandomState.
    GaussLegacy,
    /// Legacy `normal(loc, scale)`: `loc + scale * gauss`.
    NormalLegacy,
    /// Legacy `standard_exponential()`: `-log(1 - U)`.
    StdExpLegacy,
    /// Legacy `exponential(scale)`: `scale * -log(1 - U)`.
    ExpLegacy,
    /// A distribution of `helpers::distributions` (or `choice(n)`), in one family.
    Dist(Dist, Family),
    /// `shuffle(a)` of a writable 1-d array of elements this many bytes wide:
    /// Fisher-Yates from the end, `j` in [0, i] by masked rejection (NumPy's
    /// `random_interval`, in both families).
    Shuffle(usize),
    /// `shuffle(a)` of a writable array of this many dimensions (>= 2) and
    /// element width: its rows (along the first axis) permuted as `Shuffle`.
    ShuffleRows(usize, usize),
    /// `permutation(n)`: `arange(n)` shuffled so.
    Permutation,
    /// `permutation(a)` of a 1-d array of this dtype: a C-contiguous copy shuffled so.
    PermuteCopy(pyston_compiler::types::Dtype),
    /// `choice(a)` of a 1-d array whose elements are this many bytes wide:
    /// `a[i]`, `i` drawn as `choice(len(a))` in the family; the element's bytes
    /// are its slots (one slot of up to 8 bytes, or two of 8 for complex128).
    ChoiceArray(Family, pyston_compiler::types::Dtype),
    /// `dirichlet(alpha[, size])` of a 1-d float64 array (its first slot in
    /// `lo`): normalised gammas, a float64 array of shape `size + (k,)`.
    Dirichlet(Family),
    /// `multinomial(n, pvals[, size])`, `n` an int (`lo`), `pvals` a 1-d
    /// float64 array (its first slot in `hi`): sequential binomials, an int64
    /// array of shape `size + (k,)`.
    Multinomial,
}

/// The distributions drawn through `helpers::distributions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dist {
    /// `choice(n)`: an int in [0, n) (legacy: masked rejection; Generator: Lemire's).
    ChoiceInt,
    /// `gamma(shape, scale)` and `standard_gamma(shape)` (scale 1).
    Gamma,
    Beta,
    /// `chisquare(df)`: `2 * standard_gamma(df / 2)`.
    Chisquare,
    Lognormal,
    Laplace,
    Gumbel,
    Logistic,
    Triangular,
    Rayleigh,
    Weibull,
    Pareto,
    Poisson,
    Binomial,
    Geometric,
    StandardCauchy,
    StandardT,
    Power,
    /// `f(dfnum, dfden)`.
    F,
    NegativeBinomial,
    Wald,
    /// `hypergeometric(ngood, nbad, nsample)` (three ints).
    Hypergeometric,
    /// `vonmises(mu, kappa)`.
    Vonmises,
    Zipf,
    Logseries,
    /// `noncentral_chisquare(df, nonc)`.
    NoncentralChisquare,
    /// `noncentral_f(dfnum, dfden, nonc)`.
    NoncentralF,
}

impl Dist {
    /// Whether the draw is an int (a Python int), not a float.
    pub fn is_int(self) -> bool {
        matches!(
            self,
            Dist::ChoiceInt
                | Dist::Poisson
                | Dist::Binomial
                | Dist::Geometric
                | Dist::NegativeBinomial
                | Dist::Hypergeometric
                | Dist::Zipf
                | Dist::Logseries
        )
    }
}

/// Which family of NumPy's algorithms a draw follows: the legacy
/// `RandomState`'s or the `Generator`'s (`helpers::distributions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Legacy,
    Gen,
}

impl RngOp {
    /// Whether the draw uses the RandomState's kept gaussian (`AugBitGen`).
    pub fn needs_gauss_cache(self) -> bool {
        matches!(
            self,
            RngOp::GaussLegacy
                | RngOp::NormalLegacy
                | RngOp::Dirichlet(Family::Legacy)
                | RngOp::Dist(
                    Dist::Gamma
                        | Dist::Beta
                        | Dist::Chisquare
                        | Dist::Lognormal
                        | Dist::StandardCauchy
                        | Dist::StandardT
                        | Dist::F
                        | Dist::NegativeBinomial
                        | Dist::Wald
                        | Dist::NoncentralChisquare
                        | Dist::NoncentralF,
                    Family::Legacy
                )
        )
    }
}

/// Where a draw's argument comes from: a default, or an argument slot.
#[derive(Clone, Copy, Debug)]
pub enum RngArg {
    Default(f64, i64),
    /// The slot at this index, an int (`true`) or a float/bool.
    Slot(usize, ArgKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    Int,
    Float,
    Bool,
}

/// Whose bit generator a native draw uses.
pub enum RngSource {
    /// A generator known at compile time (NumPy's global `RandomState`):
    /// its bit generator object (kept alive here), `bitgen_t` and lock.
    Fixed {
        /// The `RandomState`, whose `_bit_generator` must still be `owner`
        /// (`np.random.set_bit_generator` replaces it).
        state: Py<PyAny>,
        owner: Py<PyAny>,
        bitgen: *const BitGen,
        lock: Py<PyAny>,
        /// The RandomState's `aug_bitgen_t` (found by `aug_state_of`), for the
        /// gaussian draws; null for the others.
        aug: *mut AugBitGen,
        /// How its raw outputs are made (`bitgen::kind_of`).
        kind: BitKind,
    },
    /// The `Generator` in the first argument slot; the last one seen is
    /// cached (its bit generator held, so the pointers stay valid).
    Arg0(GenCache),
}

/// A call site's last Generator. Written only with the GIL held *and* the
/// mutex taken; so a reader holding either one sees no write in progress: a
/// call holding the GIL (every call but `nogil=True`'s) reads it without the
/// mutex, whose locked instructions cost more than the rest of a draw.
#[derive(Default)]
pub struct GenCache {
    mutex: std::sync::Mutex<()>,
    cell: std::cell::UnsafeCell<Option<Cached>>,
}

impl GenCache {
    /// The cached generator's `bitgen_t`, lock and kind when it is `obj`.
    ///
    /// # Safety
    /// With `gil`, this thread holds the GIL.
    #[inline(always)]
    unsafe fn lookup(
        &self,
        obj: *mut ffi::PyObject,
        gil: bool,
    ) -> Option<(*const BitGen, *mut ffi::PyObject, BitKind)> {
        let _guard = if gil { None } else { Some(self.mutex.lock().ok()?) };
        // SAFETY: writers hold the GIL and the mutex (`replace`); this thread holds one of them.
        let c = unsafe { &*self.cell.get() };
        c.as_ref()
            .filter(|c| c.generator.as_ptr() == obj)
            .map(|c| (c.bitgen, c.lock.as_ptr(), c.kind))
    }

    /// Caches `new`, returning the entry it replaces (to be dropped by the
    /// caller once the mutex is released).
    fn replace(&self, _py: Python<'_>, new: Cached) -> Option<Option<Cached>> {
        let _guard = self.mutex.lock().ok()?;
        // SAFETY: this thread holds the GIL (`_py`) and the mutex: no reader or
        // writer is in `lookup` or here (see the type's doc).
        Some(unsafe { &mut *self.cell.get() }.replace(new))
    }
}

pub struct Cached {
    generator: Py<PyAny>,
    _owner: Py<PyAny>,
    bitgen: *const BitGen,
    lock: Py<PyAny>,
    kind: BitKind,
}

// SAFETY: the raw pointers point into bit generator objects this value keeps
// alive; they are only dereferenced with the GIL held (see `native_draw`).
unsafe impl Send for RngSource {}
// SAFETY: as above; the cache is read and written as `GenCache` documents.
unsafe impl Sync for RngSource {}
// SAFETY: as above (a `Cached` lives inside the mutex of an `RngSource`).
unsafe impl Send for Cached {}

/// A NumPy random call site that compiled code draws for natively.
pub struct NativeRng {
    pub op: RngOp,
    pub lo: RngArg,
    pub hi: RngArg,
    /// A third argument (`triangular`'s `right`, `integers`' `endpoint`).
    pub third: RngArg,
    /// For an array of draws (`size=`, `rand(d0, ...)`): the slots of its dimensions.
    pub size: Option<Vec<usize>>,
    pub source: RngSource,
}

/// The bit generator object `bg`'s `bitgen_t` and lock.
pub fn bitgen_of(py: Python<'_>, bg: &Bound<'_, PyAny>) -> PyResult<(*const BitGen, Py<PyAny>)> {
    let cap = bg.getattr("capsule")?;
    let lock = bg.getattr("lock")?;
    // SAFETY: PyCapsule_GetPointer checks the capsule's type and name, returning
    // NULL with an exception set when they do not match.
    let p = unsafe { ffi::PyCapsule_GetPointer(cap.as_ptr(), c"BitGenerator".as_ptr()) };
    if p.is_null() {
        return Err(PyErr::take(py).unwrap_or_else(|| crate::internal_error("bit generator capsule")));
    }
    Ok((p as *const BitGen, lock.unbind()))
}

/// The smallest `2^k - 1` at least `r`.
fn mask_of(r: u64) -> u64 {
    if r == 0 {
        0
    } else {
        u64::MAX >> r.leading_zeros()
    }
}

/// Legacy `randint`'s offset draw in [0, r] (masked rejection).
#[inline(always)]
fn masked<B: Raw>(mut bg: B, r: u64) -> u64 {
    {
        if r == 0 {
            0
        } else if r <= u32::MAX as u64 {
            if r == u32::MAX as u64 {
                return bg.next_u32() as u64;
            }
            let m = mask_of(r) as u32;
            loop {
                let v = bg.next_u32() & m;
                if v as u64 <= r {
                    return v as u64;
                }
            }
        } else if r == u64::MAX {
            bg.next_u64()
        } else {
            let m = mask_of(r);
            loop {
                let v = bg.next_u64() & m;
                if v <= r {
                    return v;
                }
            }
        }
    }
}

/// `Generator.integers`' offset draw in [0, r] (Lemire's method).
#[inline(always)]
fn lemire<B: Raw>(mut bg: B, r: u64) -> u64 {
    {
        if r == 0 {
            0
        } else if r <= u32::MAX as u64 {
            if r == u32::MAX as u64 {
                return bg.next_u32() as u64;
            }
            let n = r + 1; // the interval's size, <= 2^32 - 1
            let mut m = bg.next_u32() as u64 * n;
            let mut low = m & 0xffff_ffff;
            if low < n {
                let threshold = (u32::MAX as u64 - r) % n;
                while low < threshold {
                    m = bg.next_u32() as u64 * n;
                    low = m & 0xffff_ffff;
                }
            }
            m >> 32
        } else if r == u64::MAX {
            bg.next_u64()
        } else {
            let n = r + 1;
            let mut m = bg.next_u64() as u128 * n as u128;
            let mut low = m as u64;
            if low < n {
                let threshold = (u64::MAX - r) % n;
                while low < threshold {
                    m = bg.next_u64() as u128 * n as u128;
                    low = m as u64;
                }
            }
            (m >> 64) as u64
        }
    }
}

#[inline(always)]
fn arg_f64(a: RngArg, slots: &[u64]) -> f64 {
    match a {
        RngArg::Default(x, _) => x,
        RngArg::Slot(i, ArgKind::Float) => f64::from_bits(slots[i]),
        RngArg::Slot(i, ArgKind::Int) => slots[i] as i64 as f64,
        RngArg::Slot(i, ArgKind::Bool) => (slots[i] & 0xff != 0) as i64 as f64,
    }
}

#[inline(always)]
fn arg_i64(a: RngArg, slots: &[u64]) -> i64 {
    match a {
        RngArg::Default(_, i) => i,
        RngArg::Slot(i, ArgKind::Bool) => (slots[i] & 0xff != 0) as i64,
        RngArg::Slot(i, _) => slots[i] as i64,
    }
}

/// The `bitgen_t` and lock of the draw's generator when known without
/// Python: a fixed generator, or the cached one (`gil`: this thread holds the GIL).
#[inline(always)]
fn cached_source(n: &NativeRng, slots: &[u64], gil: bool) -> Option<(*const BitGen, *mut ffi::PyObject, BitKind)> {
    match &n.source {
        RngSource::Fixed { bitgen, lock, kind, .. } => Some((*bitgen, lock.as_ptr(), *kind)),
        // SAFETY: `gil` as the caller says.
        RngSource::Arg0(cache) => unsafe { cache.lookup(slots[0] as *mut ffi::PyObject, gil) },
    }
}

/// The first draw from a Generator at this call site: its bit generator's
/// `bitgen_t` and lock, cached; `None` leaves the draw to NumPy's call.
fn fill_source(py: Python<'_>, n: &NativeRng, slots: &[u64]) -> Option<(*const BitGen, *mut ffi::PyObject, BitKind)> {
    let RngSource::Arg0(cache) = &n.source else {
        return None;
    };
    // SAFETY: the slot holds a live Generator (an argument or arena-owned).
    let g = unsafe { Bound::from_borrowed_ptr(py, slots[0] as *mut ffi::PyObject) };
    let bg = g.getattr("bit_generator").ok()?;
    let (bitgen, lock) = bitgen_of(py, &bg).ok()?;
    // SAFETY: `bitgen` points into the live bit generator `bg`.
    let kind = super::bitgen::kind_of(py, unsafe { &*bitgen });
    let lp = lock.as_ptr();
    let new = Cached {
        generator: g.unbind(),
        _owner: bg.unbind(),
        bitgen,
        lock,
        kind,
    };
    let old = cache.replace(py, new)?;
    drop(old); // with the GIL, the mutex released
    Some((bitgen, lp, kind))
}

/// Records in the context the generator of a native draw whose lock the
/// call holds (`abi::CTX_RNG_ARMED_OFFSET`): compiled code's inline draws
/// from it run without a call until the lock is released (`release_locks`
/// clears it). A generator drawn through its `bitgen_t`'s functions is not
/// recorded (the inline draws are MT19937's and PCG64's).
#[inline(always)]
fn arm(ctx: &mut Ctx, n: &NativeRng, slots: &[u64], bitgen: *const BitGen, kind: BitKind) {
    let k = match kind {
        BitKind::Mt19937 => pyston_compiler::abi::RNG_MT19937,
        BitKind::Pcg64 => pyston_compiler::abi::RNG_PCG64,
        BitKind::Foreign => return,
    };
    let obj = match &n.source {
        RngSource::Fixed { state, .. } => state.as_ptr() as u64,
        RngSource::Arg0(_) => slots[0],
    };
    // SAFETY: `bitgen` points into a live bit generator (held by the source).
    let st = unsafe { (*bitgen).state } as u64;
    ctx.rng_armed = [pyston_compiler::abi::rng_armed_tag(obj, k), st, bitgen as u64, k as u64];
}

/// The plan for drawing `n` inline in compiled code (`abi::InlineRng`):
/// scalar uniform doubles, bounded ints and exponentials from the legacy
/// global RandomState's MT19937, and doubles and bounded ints plus the ziggurats' normals and
/// exponentials from a Generator (expected to be PCG64's: any other runs the
/// call, which draws natively all the same).
pub fn inline_plan(n: &NativeRng) -> Option<pyston_compiler::abi::InlineRng> {
    use pyston_compiler::abi::{InlineRng, InlineRngOp as Op, RngParam, RNG_MT19937, RNG_PCG64};
    // An array draw: each element's draw inline (for an array compiled code
    // keeps in its own buffer: `size_slot`), where no element's draw can
    // leave for the call after another consumed outputs (no rejection loop).
    if n.size.is_some() && (size_slot(n).is_none() || matches!(n.op, RngOp::MaskedInt | RngOp::LemireInt)) {
        return None;
    }
    let (kind, obj, skip) = match &n.source {
        RngSource::Fixed { state, kind, .. } => match kind {
            BitKind::Mt19937 => (RNG_MT19937, Some(state.as_ptr() as u64), 0),
            BitKind::Pcg64 => (RNG_PCG64, Some(state.as_ptr() as u64), 0),
            BitKind::Foreign => return None,
        },
        RngSource::Arg0(_) => (RNG_PCG64, None, 1),
    };
    let param = |a: RngArg| match a {
        RngArg::Default(x, i) => Some(RngParam::Const(x, i)),
        RngArg::Slot(i, ArgKind::Int) => Some(RngParam::Slot(i + skip, true)),
        RngArg::Slot(i, ArgKind::Float) => Some(RngParam::Slot(i + skip, false)),
        RngArg::Slot(_, ArgKind::Bool) => None,
    };
    let gen = matches!(n.source, RngSource::Arg0(_));
    let op = match n.op {
        RngOp::Double => Op::Double,
        RngOp::UniformLegacy if !gen => Op::Uniform,
        RngOp::UniformGen if gen => Op::Uniform,
        RngOp::MaskedInt if !gen => Op::Masked,
        // (`endpoint=True`: the call)
        RngOp::LemireInt if gen && matches!(n.third, RngArg::Default(_, 0)) => Op::Lemire,
        RngOp::StdNormalGen if gen => Op::StdNormal,
        RngOp::NormalGen if gen => Op::Normal,
        RngOp::StdExpGen | RngOp::ExpGen if gen => Op::Exponential,
        RngOp::StdExpLegacy | RngOp::ExpLegacy if !gen => Op::LegacyExponential,
        _ => return None,
    };
    let (lo, hi) = match n.op {
        RngOp::StdNormalGen => (RngArg::Default(0.0, 0), RngArg::Default(1.0, 1)),
        RngOp::StdExpGen | RngOp::StdExpLegacy => (RngArg::Default(0.0, 0), RngArg::Default(1.0, 1)),
        _ => (n.lo, n.hi),
    };
    Some(InlineRng {
        op,
        kind,
        obj,
        args: [param(lo)?, param(hi)?],
        tables: [
            super::ziggurat::WI.as_ptr() as u64,
            super::ziggurat::KI.as_ptr() as u64,
            super::ziggurat::WE.as_ptr() as u64,
            super::ziggurat::KE.as_ptr() as u64,
        ],
    })
}

impl RngOp {
    /// A plain draw: not a shuffle, a permutation or a choice from an array.
    fn is_plain(&self) -> bool {
        !matches!(
            self,
            RngOp::Shuffle(_)
                | RngOp::ShuffleRows(..)
                | RngOp::Permutation
                | RngOp::PermuteCopy(_)
                | RngOp::ChoiceArray(..)
                | RngOp::Dirichlet(_)
                | RngOp::Multinomial
        )
    }
}

/// The argument slot (the Generator's own slot counted) of the length of a
/// plain array draw of one dimension (`abi::PyCallSite::rng_size_slot`).
pub fn size_slot(n: &NativeRng) -> Option<usize> {
    let plain = n.op.is_plain();
    let skip = usize::from(matches!(n.source, RngSource::Arg0(_)));
    match n.size.as_deref() {
        Some([s]) if plain => Some(s + skip),
        _ => None,
    }
}

/// The rare case of a ziggurat draw compiled code makes inline (a draw
/// outside the ziggurat's rectangles): the rest of NumPy's algorithm from
/// the 64-bit draw `r` already made, from the context's armed PCG64.
///
/// # Safety
/// `ctx` is the call's live context, armed with a PCG64 (`arm`) whose lock
/// the call holds.
pub unsafe extern "C" fn pyston_rng_zig_tail(ctx: *mut Ctx, r: u64, exponential: i64) -> f64 {
    // SAFETY: see the function's contract: the armed `bitgen_t` is live, of
    // the checked PCG64 kind, locked by this call.
    let bg = unsafe { &*((*ctx).rng_armed[2] as *const BitGen) };
    let mut b = Pcg(bg);
    if exponential != 0 {
        super::ziggurat::exponential_from(&mut b, r)
    } else {
        super::ziggurat::normal_from(&mut b, r)
    }
}

/// For `fast_draw` and `fast_fill`: a plain site's (no shuffle, permutation
/// or choice from an array) bit generator, its kind and the draw's
/// arguments, armed for inline draws, when this call already holds its lock;
/// `None` otherwise, before any draw.
#[inline(always)]
fn locked_plain_source<'s>(
    ctx: &mut Ctx,
    n: &NativeRng,
    slots: &'s [u64],
) -> Option<(*const BitGen, BitKind, &'s [u64])> {
    let plain = n.op.is_plain();
    if !plain || !ctx.rng_native || ctx.rng_locks.is_empty() {
        return None;
    }
    let (bitgen, lock, kind) = cached_source(n, slots, !ctx.nogil)?;
    if !ctx.rng_locks.iter().any(|l| l.as_ptr() == lock) {
        return None;
    }
    let skip = usize::from(matches!(n.source, RngSource::Arg0(_)));
    arm(ctx, n, slots, bitgen, kind);
    Some((bitgen, kind, &slots[skip.min(slots.len())..]))
}

/// `native_draw` for the common case, kept small (it runs on every draw,
/// before `pycall`'s general path): a scalar draw or an array of them (no
/// shuffle, permutation or choice from an array) from a generator whose
/// lock this call already holds. `None`
/// for everything else, before any draw: `native_draw` then does the rest
/// (takes the lock on the call's first draw, makes arrays, refuses).
///
/// # Safety
/// As `native_draw`.
#[inline(always)]
pub unsafe fn fast_draw(ctx: &mut Ctx, n: &NativeRng, slots: &[u64], out: *mut u64) -> Option<i32> {
    let (bitgen, kind, args) = locked_plain_source(ctx, n, slots)?;
    // SAFETY: `bitgen` points into a bit generator the source keeps alive, and
    // this thread holds its lock (this call took it), as NumPy's own draws do.
    let bg = unsafe { &*bitgen };
    if let Some(dims) = &n.size {
        // An array of draws (`size=`, `rand(d0, ...)`): filled here, into a fresh
        // array or one the call made and dropped (`arrays::take_recycled`).
        // SAFETY: as the function's contract says; `bg` is locked by this thread.
        return unsafe {
            match kind {
                BitKind::Mt19937 => draw_array(ctx, n, Mt(bg), args, dims, out),
                BitKind::Pcg64 => draw_array(ctx, n, Pcg(bg), args, dims, out),
                BitKind::Foreign => draw_array(ctx, n, bg, args, dims, out),
            }
        };
    }
    let bits = match kind {
        BitKind::Mt19937 => draw_one(n, Mt(bg), args),
        BitKind::Pcg64 => draw_one(n, Pcg(bg), args),
        BitKind::Foreign => draw_one(n, bg, args),
    }?;
    // SAFETY: `out` has room for the result's one slot.
    unsafe { *out = bits };
    Some(OK)
}

/// `fast_draw` for an array of draws compiled code keeps in a buffer of its
/// own (`pyston_rng_fill`): the `count` draws of a plain site written to
/// `buf`, no array made. `None` for everything else, before any draw.
///
/// # Safety
/// As `fast_draw`; `buf` has room for `count` 8-byte elements.
#[inline(always)]
pub unsafe fn fast_fill(ctx: &mut Ctx, n: &NativeRng, slots: &[u64], buf: *mut u64, count: usize) -> Option<i32> {
    if count == 0 {
        return None;
    }
    let (bitgen, kind, args) = locked_plain_source(ctx, n, slots)?;
    // SAFETY: `bitgen` points into a bit generator the source keeps alive, and
    // this thread holds its lock (this call took it), as NumPy's own draws do;
    // `buf` has room for `count` elements (the caller's contract).
    let bg = unsafe { &*bitgen };
    let done = unsafe {
        match kind {
            BitKind::Mt19937 => fill_plain(n, Mt(bg), args, buf, count),
            BitKind::Pcg64 => fill_plain(n, Pcg(bg), args, buf, count),
            BitKind::Foreign => fill_plain(n, bg, args, buf, count),
        }
    };
    done.then_some(OK)
}

/// Draws natively for a NumPy random call site (see the module's doc):
/// `Some` status with the result in `out`, or `None` when NumPy's call must
/// run (an argument NumPy rejects, a parallel chunk's or ufunc loop's context).
///
/// # Safety
/// `ctx` is the call's live context; `slots` the call's argument slots as
/// the call site's `arg_tys` lay them out; `out` has room for one slot.
pub unsafe fn native_draw(ctx: &mut Ctx, n: &NativeRng, slots: &[u64], out: *mut u64) -> Option<i32> {
    if !ctx.rng_native {
        return None; // a parallel chunk's or a ufunc loop's context: NumPy's call
    }
    // The argument slots of the draw (a method's first slot is its Generator).
    let skip = usize::from(matches!(n.source, RngSource::Arg0(_)));
    let args = &slots[skip.min(slots.len())..];
    // A dispatcher's call holds the GIL unless it is `nogil=True`'s (as the
    // standard library's native draws rely on too: `helpers::pyrandom`).
    let (bitgen, lock, kind) = match cached_source(n, slots, !ctx.nogil) {
        Some(s) => s,
        None => Python::attach(|py| fill_source(py, n, slots))?,
    };
    if !ctx.rng_locks.iter().any(|l| l.as_ptr() == lock) {
        // The call's first draw from this generator: take its lock (kept until the call ends).
        let taken = Python::attach(|py| {
            if let RngSource::Fixed { state, owner, .. } = &n.source {
                // The global RandomState still draws from the bit generator compiled against.
                let current = state.bind(py).getattr("_bit_generator").ok()?;
                if !current.is(owner.bind(py)) {
                    return None; // NumPy's call, which uses the new one
                }
            }
            // SAFETY: `lock` is a live object (held by the source).
            let l = unsafe { Bound::from_borrowed_ptr(py, lock) };
            Some(match l.call_method0("acquire") {
                Ok(_) => {
                    ctx.rng_locks.push(l.unbind());
                    OK
                }
                Err(e) => {
                    e.restore(py);
                    crate::runtime::ERROR
                }
            })
        })?;
        if taken != OK {
            return Some(taken);
        }
    }
    arm(ctx, n, slots, bitgen, kind);
    // SAFETY: `bitgen` points into a bit generator the source keeps alive, and
    // this thread holds its lock (taken above), as NumPy's own draws do.
    let bg = unsafe { &*bitgen };
    // SAFETY: as the function's contract says; `bg` is locked by this thread,
    // of the kind the source found for it (`bitgen::kind_of`).
    unsafe {
        match kind {
            BitKind::Mt19937 => draw_with(ctx, n, Mt(bg), args, out),
            BitKind::Pcg64 => draw_with(ctx, n, Pcg(bg), args, out),
            BitKind::Foreign => draw_with(ctx, n, bg, args, out),
        }
    }
}

/// `native_draw`'s draws, from the raw outputs of `bg`.
///
/// # Safety
/// As `native_draw`; `bg` draws from a `bitgen_t` this thread has locked.
unsafe fn draw_with<B: Raw>(ctx: &mut Ctx, n: &NativeRng, bg: B, args: &[u64], out: *mut u64) -> Option<i32> {
    match n.op {
        // SAFETY: as the function's contract says.
        RngOp::Dirichlet(_) | RngOp::Multinomial => return unsafe { draw_vectors(ctx, n, bg, args, out) },
        RngOp::Shuffle(itemsize) => {
            use pyston_compiler::abi::ArraySlots;
            let s = ArraySlots::new(1);
            let (data, len, stride) = (
                args[ArraySlots::DATA] as *mut u8,
                args[s.shape(0)] as usize,
                args[s.stride(0)] as isize,
            );
            if !non_overlapping(&[len], &[stride], itemsize) {
                return None; // (a view whose elements share memory: NumPy's call)
            }
            // SAFETY: the slots are a live writable 1-d array's (data, shape,
            // byte stride) whose elements are `itemsize` bytes: every `k < len`
            // addresses one; distinct elements do not overlap (checked).
            unsafe { shuffle(bg, data, len, stride, itemsize) };
            return Some(OK);
        }
        RngOp::ShuffleRows(itemsize, ndim) => {
            use pyston_compiler::abi::ArraySlots;
            let s = ArraySlots::new(ndim);
            let data = args[ArraySlots::DATA] as *mut u8;
            let shape: Vec<usize> = (0..ndim).map(|k| args[s.shape(k)] as usize).collect();
            let strides: Vec<isize> = (0..ndim).map(|k| args[s.stride(k)] as isize).collect();
            if shape.contains(&0) || !non_overlapping(&shape, &strides, itemsize) {
                return None; // (NumPy's own paths for empty arrays; views sharing memory)
            }
            // The byte offsets of one row's elements (axes 1..), in C order.
            let mut offs = vec![0isize];
            for k in 1..ndim {
                let (n, st) = (shape[k], strides[k]);
                offs = offs
                    .iter()
                    .flat_map(|&o| (0..n).map(move |t| o + t as isize * st))
                    .collect();
            }
            for i in (1..shape[0]).rev() {
                // SAFETY: `bg` is locked by this thread.
                let j = masked(bg, i as u64) as usize;
                if i != j {
                    for &o in &offs {
                        // SAFETY: rows `i, j < shape[0]` and offsets inside a row address
                        // elements of the live writable array; distinct elements do not
                        // overlap (checked).
                        unsafe {
                            std::ptr::swap_nonoverlapping(
                                data.offset(i as isize * strides[0] + o),
                                data.offset(j as isize * strides[0] + o),
                                itemsize,
                            )
                        };
                    }
                }
            }
            return Some(OK);
        }
        RngOp::ChoiceArray(..) if n.size.is_some() => {
            let dims = n.size.as_deref().unwrap_or(&[]);
            // SAFETY: as the function's contract says.
            return unsafe { draw_array(ctx, n, bg, args, dims, out) };
        }
        RngOp::ChoiceArray(fam, dtype) => {
            use pyston_compiler::abi::ArraySlots;
            let itemsize = dtype.itemsize() as usize;
            let s = ArraySlots::new(1);
            let (data, len, stride) = (
                args[ArraySlots::DATA] as *const u8,
                args[s.shape(0)],
                args[s.stride(0)] as isize,
            );
            if len == 0 {
                return None; // NumPy raises ValueError
            }
            let i = if fam == Family::Legacy {
                masked(bg, len - 1)
            } else {
                lemire(bg, len - 1)
            };
            let mut slots = [0u64; 2];
            // SAFETY: `i < len`: the element's `itemsize` (<= 16) bytes inside the
            // live array; `slots` has room for 16.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    data.offset(i as isize * stride),
                    slots.as_mut_ptr() as *mut u8,
                    itemsize,
                )
            };
            for (k, v) in slots.iter().take(itemsize.div_ceil(8)).enumerate() {
                // SAFETY: `out` has room for the element's slots (one per 8 bytes).
                unsafe { *out.add(k) = *v };
            }
            return Some(OK);
        }
        RngOp::Permutation => {
            let k = args[0] as i64;
            if k <= 0 {
                return None; // NumPy's call: an empty array, or its ValueError
            }
            // SAFETY: as the function's contract says; one dimension, slot 0.
            return unsafe { draw_array(ctx, n, bg, args, &[0], out) };
        }
        RngOp::PermuteCopy(_) => {
            // SAFETY: as the function's contract says; one dimension, the array's length.
            return unsafe {
                draw_array(
                    ctx,
                    n,
                    bg,
                    args,
                    &[pyston_compiler::abi::ArraySlots::new(1).shape(0)],
                    out,
                )
            };
        }
        _ => {}
    }
    match &n.size {
        None => {
            let bits = draw_one(n, bg, args)?;
            // SAFETY: `out` has room for the result's one slot.
            unsafe { *out = bits };
            Some(OK)
        }
        // SAFETY: as the function's contract says.
        Some(dims) => unsafe { draw_array(ctx, n, bg, args, dims, out) },
    }
}

/// An array of draws with the shape in the slots `dims` (`size`): NumPy's
/// fill, element by element in C order, into a fresh C-contiguous float64
/// (int64) array owned by the call's arena. `None` (no draw made) leaves
/// the call to NumPy: a negative or empty shape, an overflowing size, or
/// parameters the draw leaves to NumPy.
///
/// # Safety
/// As `native_draw`, `out` with room for the array's slots; `bg` is locked by this thread.
unsafe fn draw_array<B: Raw>(
    ctx: &mut Ctx,
    n: &NativeRng,
    bg: B,
    args: &[u64],
    dims: &[usize],
    out: *mut u64,
) -> Option<i32> {
    use numpy::npyffi::{self, PY_ARRAY_API};
    use pyston_compiler::types::Dtype;
    let mut shape: smallvec::SmallVec<[isize; 4]> = smallvec::SmallVec::new();
    let mut count: usize = 1;
    for &s in dims {
        let d = *args.get(s)? as i64;
        if d < 0 {
            return None; // ValueError: negative dimensions are not allowed
        }
        count = count.checked_mul(d as usize)?;
        shape.push(d as isize);
    }
    // (an empty array: NumPy still checks the parameters, which no draw here does)
    if count == 0 || count > isize::MAX as usize / 8 {
        return None;
    }
    let int = matches!(n.op, RngOp::MaskedInt | RngOp::LemireInt | RngOp::Permutation)
        || matches!(n.op, RngOp::Dist(d, _) if d.is_int());
    let dtype = match n.op {
        RngOp::ChoiceArray(_, d) | RngOp::PermuteCopy(d) => d,
        _ if int => Dtype::Int64,
        _ => Dtype::Float64,
    };
    // `choice(a, size)`: the source array (1-d: data, shape, stride), not empty.
    let source = match n.op {
        RngOp::ChoiceArray(fam, _) => {
            use pyston_compiler::abi::ArraySlots;
            let s = ArraySlots::new(1);
            let len = args[s.shape(0)];
            if len == 0 {
                return None; // NumPy raises ValueError
            }
            Some((
                fam,
                args[ArraySlots::DATA] as *const u8,
                len,
                args[s.stride(0)] as isize,
            ))
        }
        _ => None,
    };
    let no_gil = ctx.no_gil;
    let mut body = |py: Python<'_>| {
        let np = crate::boxing::np_types(py).ok()?;
        let descr = np.descrs[pyston_compiler::abi::dtype_index(dtype)] as *mut npyffi::PyArray_Descr;
        // (an array the call made and dropped, of this dtype and shape, is reused)
        // SAFETY: the GIL is held (`py`).
        let kept = unsafe { super::arrays::take_recycled(ctx, descr, dtype.itemsize() as isize, &shape, false) };
        // SAFETY: PyArray_Empty steals the descriptor reference taken here; the
        // shape has `shape.len()` non-negative dimensions.
        let arr = kept.unwrap_or_else(|| unsafe {
            ffi::Py_INCREF(descr as *mut ffi::PyObject);
            PY_ARRAY_API.PyArray_Empty(py, shape.len() as i32, shape.as_mut_ptr(), descr, 0)
        });
        if arr.is_null() {
            return Some(crate::runtime::ERROR);
        }
        // SAFETY: a fresh C-contiguous array of `count` 8-byte elements.
        let data = unsafe { (*(arr as *mut npyffi::PyArrayObject)).fields.data } as *mut u64;
        if let Some((fam, src, len, stride)) = source {
            let w = dtype.itemsize() as usize;
            for k in 0..count {
                let i = if fam == Family::Legacy {
                    masked(bg, len - 1)
                } else {
                    lemire(bg, len - 1)
                };
                // SAFETY: `i < len`: an element of the live source array; `k < count`:
                // an element of the fresh array of `count` elements of `w` bytes.
                unsafe {
                    std::ptr::copy_nonoverlapping(src.offset(i as isize * stride), (data as *mut u8).add(k * w), w)
                };
            }
        } else if let RngOp::PermuteCopy(d) = n.op {
            use pyston_compiler::abi::ArraySlots;
            let (src, stride) = (
                args[ArraySlots::DATA] as *const u8,
                args[ArraySlots::new(1).stride(0)] as isize,
            );
            let w = d.itemsize() as usize;
            for k in 0..count {
                // SAFETY: `k < count`, the source's length: an element of the live
                // source array and one of the fresh array (`count` elements of `w` bytes).
                unsafe {
                    std::ptr::copy_nonoverlapping(src.offset(k as isize * stride), (data as *mut u8).add(k * w), w)
                };
            }
            // SAFETY: the fresh array's `count` contiguous elements of `w` bytes.
            unsafe { shuffle(bg, data as *mut u8, count, w as isize, w) };
        } else if n.op == RngOp::Permutation {
            for i in 0..count {
                // SAFETY: `i < count`, inside the array's buffer.
                unsafe { *data.add(i) = i as u64 };
            }
            // SAFETY: the fresh array's `count` contiguous 8-byte elements.
            unsafe { shuffle(bg, data as *mut u8, count, 8, 8) };
        }
        let filled = matches!(n.op, RngOp::Permutation | RngOp::PermuteCopy(_)) || source.is_some();
        // SAFETY: `data` holds `count` 8-byte elements (a fresh array of them).
        if !filled && !unsafe { fill_plain(n, bg, args, data, count) } {
            // (only the first draw can refuse: the parameters are the same for all)
            // SAFETY: our reference to the fresh array.
            unsafe { ffi::Py_DECREF(arr) };
            return None;
        }
        ctx.arena.push(arr);
        // The array's slots (as `boxing::array_info` lays them out): data,
        // object, shape, strides (C order, contiguous).
        let nd = shape.len();
        let mut step = dtype.itemsize() as u64;
        // SAFETY: `out` has room for the array's `2 + 2 * nd` slots.
        unsafe {
            *out = data as u64;
            *out.add(1) = arr as u64;
            for k in (0..nd).rev() {
                *out.add(2 + k) = shape[k] as u64;
                *out.add(2 + nd + k) = step;
                step *= shape[k] as u64;
            }
        }
        Some(OK)
    };
    if no_gil {
        Python::attach(body)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        body(unsafe { Python::assume_attached() })
    }
}

/// The values of a 1-d float64 array whose slots start at `base`.
fn vector_arg(args: &[u64], base: usize) -> Option<Vec<f64>> {
    use pyston_compiler::abi::ArraySlots;
    let s = ArraySlots::new(1);
    let data = *args.get(base + ArraySlots::DATA)? as *const u8;
    let len = *args.get(base + s.shape(0))? as usize;
    let stride = *args.get(base + s.stride(0))? as isize;
    Some(
        (0..len)
            // SAFETY: the slots are a live 1-d float64 array's (data, shape,
            // byte stride): each `k < len` addresses one element (read unaligned:
            // NumPy allows unaligned views).
            .map(|k| unsafe { std::ptr::read_unaligned(data.offset(k as isize * stride) as *const f64) })
            .collect(),
    )
}

/// NumPy's compensated sum of `v` (`kahan_sum`, which `multinomial` checks
/// `pvals[:-1]` with).
fn kahan_sum(v: &[f64]) -> f64 {
    let Some((&first, rest)) = v.split_first() else {
        return 0.0;
    };
    let (mut sum, mut c) = (first, 0.0);
    for &x in rest {
        let y = x - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    sum
}

/// `dirichlet` and `multinomial` (`RngOp::Dirichlet`, `RngOp::Multinomial`):
/// a fresh C-contiguous array of shape `size + (k,)` filled vector by vector
/// as NumPy fills it. `None` (no draw made) leaves the call to NumPy: any
/// parameter NumPy rejects or treats in a way not drawn here (an empty
/// vector or shape, a Dirichlet `alpha` not all positive and finite, the
/// Generator's small-`alpha` stick-breaking, `pvals` outside [0, 1] or
/// summing past 1, a binomial probability of the sequence outside [0, 1]).
///
/// # Safety
/// As `native_draw`, `out` with room for the array's slots; `bg` is locked by this thread.
unsafe fn draw_vectors<B: Raw>(ctx: &mut Ctx, n: &NativeRng, bg: B, args: &[u64], out: *mut u64) -> Option<i32> {
    use numpy::npyffi::{self, PY_ARRAY_API};
    use pyston_compiler::types::Dtype;
    let multinomial = n.op == RngOp::Multinomial;
    let RngArg::Slot(base, _) = (if multinomial { n.hi } else { n.lo }) else {
        return None;
    };
    let v = vector_arg(args, base)?;
    let k = v.len();
    let mut shape: smallvec::SmallVec<[isize; 4]> = smallvec::SmallVec::new();
    let mut count: usize = 1;
    for &s in n.size.as_deref().unwrap_or(&[]) {
        let d = *args.get(s)? as i64;
        if d < 0 {
            return None; // NumPy's ValueError
        }
        count = count.checked_mul(d as usize)?;
        shape.push(d as isize);
    }
    let vectors = count;
    count = count.checked_mul(k)?;
    shape.push(k as isize);
    if count == 0 || count > isize::MAX as usize / 8 {
        return None; // (NumPy's own paths for empty results)
    }
    // The parameters, checked before any draw.
    let trials = arg_i64(n.lo, args);
    let mut probs = Vec::new();
    if multinomial {
        if !(0..=1 << 50).contains(&trials) || v.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return None;
        }
        if kahan_sum(&v[..k - 1]) > 1.0 + 1e-12 {
            return None; // NumPy's ValueError
        }
        // The binomials' probabilities (they depend on `pvals` only).
        let mut rest = 1.0;
        for &p in &v[..k - 1] {
            let q = p / rest;
            if !(0.0..=1.0).contains(&q) {
                return None;
            }
            probs.push(q);
            rest -= p;
        }
    } else {
        if v.iter().any(|a| !(a.is_finite() && *a > 0.0)) {
            return None;
        }
        if n.op == RngOp::Dirichlet(Family::Gen) && v.iter().all(|a| *a < 0.1) {
            return None; // (the Generator's stick-breaking with betas: NumPy's call)
        }
    }
    let dtype = if multinomial { Dtype::Int64 } else { Dtype::Float64 };
    let aug = match (&n.source, n.op) {
        (RngSource::Fixed { aug, .. }, RngOp::Dirichlet(Family::Legacy)) => {
            if aug.is_null() {
                return None;
            }
            *aug
        }
        _ => std::ptr::null_mut(),
    };
    let no_gil = ctx.no_gil;
    let mut body = |py: Python<'_>| {
        let np = crate::boxing::np_types(py).ok()?;
        let descr = np.descrs[pyston_compiler::abi::dtype_index(dtype)] as *mut npyffi::PyArray_Descr;
        // SAFETY: PyArray_Empty steals the descriptor reference taken here; the
        // shape has `shape.len()` non-negative dimensions.
        let arr = unsafe {
            ffi::Py_INCREF(descr as *mut ffi::PyObject);
            PY_ARRAY_API.PyArray_Empty(py, shape.len() as i32, shape.as_mut_ptr(), descr, 0)
        };
        if arr.is_null() {
            return Some(crate::runtime::ERROR);
        }
        // SAFETY: a fresh C-contiguous array of `count` 8-byte elements.
        let data = unsafe { (*(arr as *mut npyffi::PyArrayObject)).fields.data } as *mut u64;
        // SAFETY: `data` holds `count = vectors * k` elements.
        let out_vec = |i: usize| unsafe { std::slice::from_raw_parts_mut(data.add(i * k), k) };
        if multinomial {
            let mut s = super::distributions::GenStream(bg);
            for i in 0..vectors {
                let row = out_vec(i);
                row.fill(0);
                let mut left = trials;
                for (j, &p) in probs.iter().enumerate() {
                    // (NumPy's multinomial draws the Generator's binomial in both families)
                    let m = super::distributions::binomial(&mut s, left, p, false);
                    row[j] = m as u64;
                    left -= m;
                    if left <= 0 {
                        break;
                    }
                }
                if left > 0 {
                    row[k - 1] = left as u64;
                }
            }
        } else {
            let dirichlet = |s: &mut dyn FnMut(f64) -> f64| {
                for i in 0..vectors {
                    let row = out_vec(i);
                    let mut acc = 0.0;
                    for (x, &a) in row.iter_mut().zip(&v) {
                        let g = s(a);
                        *x = g.to_bits();
                        acc += g;
                    }
                    let inv = 1.0 / acc;
                    for x in row.iter_mut() {
                        *x = (f64::from_bits(*x) * inv).to_bits();
                    }
                }
            };
            if aug.is_null() {
                let mut s = super::distributions::GenStream(bg);
                dirichlet(&mut |a| super::distributions::standard_gamma(&mut s, a));
            } else {
                // SAFETY: `aug` was found inside the RandomState this source keeps
                // alive, checked against NumPy (`aug_state_of`), and this thread
                // holds the RandomState's lock, as NumPy's draws do.
                let a = unsafe { &mut *aug };
                let mut s = super::distributions::LegacyStream {
                    bits: bg,
                    has_gauss: &mut a.has_gauss,
                    gauss: &mut a.gauss,
                };
                dirichlet(&mut |a| super::distributions::standard_gamma(&mut s, a));
            }
        }
        ctx.arena.push(arr);
        // The array's slots (as `boxing::array_info` lays them out): data,
        // object, shape, strides (C order, contiguous).
        let nd = shape.len();
        let mut step = 8u64;
        // SAFETY: `out` has room for the array's `2 + 2 * nd` slots.
        unsafe {
            *out = data as u64;
            *out.add(1) = arr as u64;
            for d in (0..nd).rev() {
                *out.add(2 + d) = shape[d] as u64;
                *out.add(2 + nd + d) = step;
                step *= shape[d] as u64;
            }
        }
        Some(OK)
    };
    if no_gil {
        Python::attach(body)
    } else {
        // SAFETY: a call whose context is not `no_gil` runs with the GIL held.
        body(unsafe { Python::assume_attached() })
    }
}

/// `count` draws of a plain site (no shuffle, permutation or choice from an
/// array) written to `data` in order, each as `draw_one` computes it: `false`
/// (nothing drawn) when `draw_one` refuses the parameters, which are the
/// same for every element, so only the first draw can refuse.
///
/// # Safety
/// `data` has room for `count` 8-byte elements; `bg` is locked by this thread.
#[inline(always)]
unsafe fn fill_plain<B: Raw>(n: &NativeRng, bg: B, args: &[u64], data: *mut u64, count: usize) -> bool {
    // The commonest draws without per-element dispatch (`rand(3)`,
    // `normal(size=3)`): each element computed as `draw_one` computes it.
    let mut b = bg;
    let (x, y) = (arg_f64(n.lo, args), arg_f64(n.hi, args));
    // SAFETY (each `fill_f64`): `data` holds `count` 8-byte elements.
    let filled = match n.op {
        RngOp::Double => unsafe { fill_f64(data, count, &mut b, |b| b.next_f64()) },
        RngOp::StdNormalGen => unsafe { fill_f64(data, count, &mut b, |b| super::ziggurat::standard_normal(b)) },
        // (a scale NumPy's call must judge, or a range it raises for: `draw_one` refuses)
        RngOp::NormalGen if y >= 0.0 && y.is_sign_positive() => unsafe {
            fill_f64(data, count, &mut b, |b| x + y * super::ziggurat::standard_normal(b))
        },
        RngOp::UniformLegacy | RngOp::UniformGen
            if (y - x).is_finite() && (n.op == RngOp::UniformLegacy || y - x >= 0.0) =>
        unsafe { fill_f64(data, count, &mut b, |b| x + (y - x) * b.next_f64()) },
        _ => false,
    };
    if filled {
        return true;
    }
    for i in 0..count {
        match draw_one(n, bg, args) {
            // SAFETY: `i < count`, inside the buffer.
            Some(v) => unsafe { *data.add(i) = v },
            None => return false,
        }
    }
    true
}

/// Writes `count` doubles `f(bg)` to `data` (an array draw's elements in
/// order, as `draw_one` computes them); `true`.
///
/// # Safety
/// `data` has room for `count` 8-byte elements.
#[inline(always)]
unsafe fn fill_f64<B>(data: *mut u64, count: usize, bg: &mut B, mut f: impl FnMut(&mut B) -> f64) -> bool {
    for i in 0..count {
        // SAFETY: `i < count` (the caller's contract).
        unsafe { *data.add(i) = f(bg).to_bits() };
    }
    true
}

/// Whether an array's elements (`itemsize` bytes, byte `strides` over
/// `shape`) are all distinct in memory: the axes of more than one element,
/// by increasing stride, each step over the whole extent of the ones before.
fn non_overlapping(shape: &[usize], strides: &[isize], itemsize: usize) -> bool {
    let mut axes: Vec<(usize, usize)> = shape
        .iter()
        .zip(strides)
        .filter(|(n, _)| **n > 1)
        .map(|(n, s)| (s.unsigned_abs(), *n))
        .collect();
    axes.sort_unstable();
    let mut extent = itemsize;
    for (stride, n) in axes {
        if stride < extent {
            return false;
        }
        extent = match stride.checked_mul(n - 1).and_then(|e| e.checked_add(extent)) {
            Some(e) => e,
            None => return false,
        };
    }
    true
}

/// Shuffles `len` elements of `itemsize` bytes at `data` (`stride` bytes
/// apart) as NumPy's `shuffle` does: for `i` from `len - 1` down to 1, swap
/// element `i` with element `j`, `j` drawn in [0, i] by masked rejection.
///
/// # Safety
/// `data + k * stride` addresses `itemsize` writable bytes for each `k < len`,
/// distinct elements not overlapping; `bg` is locked by this thread.
unsafe fn shuffle<B: Raw>(bg: B, data: *mut u8, len: usize, stride: isize, itemsize: usize) {
    for i in (1..len).rev() {
        // SAFETY: `bg` as the contract says.
        let j = masked(bg, i as u64) as usize;
        if i != j {
            // SAFETY: `i, j < len`, two distinct elements.
            unsafe {
                std::ptr::swap_nonoverlapping(
                    data.offset(i as isize * stride),
                    data.offset(j as isize * stride),
                    itemsize,
                )
            };
        }
    }
}

/// One draw (a float's or an int's bits), or `None` before any draw when
/// the arguments are left to NumPy's call.
#[inline(always)]
fn draw_one<B: Raw>(n: &NativeRng, mut bg: B, args: &[u64]) -> Option<u64> {
    {
        let bits: u64 = match n.op {
            RngOp::Shuffle(_)
            | RngOp::ShuffleRows(..)
            | RngOp::Permutation
            | RngOp::PermuteCopy(_)
            | RngOp::ChoiceArray(..)
            | RngOp::Dirichlet(_)
            | RngOp::Multinomial => return None, // (drawn by `native_draw`)
            // SAFETY: as above.
            RngOp::Double => bg.next_f64().to_bits(),
            RngOp::UniformLegacy | RngOp::UniformGen => {
                let (lo, hi) = (arg_f64(n.lo, args), arg_f64(n.hi, args));
                let range = hi - lo;
                if !range.is_finite() || (matches!(n.op, RngOp::UniformGen) && range < 0.0) {
                    return None; // NumPy raises
                }
                // SAFETY: as above.
                (lo + range * bg.next_f64()).to_bits()
            }
            RngOp::StdNormalGen => super::ziggurat::standard_normal(&mut bg).to_bits(),
            RngOp::StdExpGen => super::ziggurat::standard_exponential(&mut bg).to_bits(),
            RngOp::StdExpLegacy => super::ziggurat::legacy_standard_exponential(&mut bg).to_bits(),
            RngOp::NormalGen | RngOp::ExpGen | RngOp::ExpLegacy | RngOp::NormalLegacy | RngOp::GaussLegacy => {
                let (loc, scale) = (arg_f64(n.lo, args), arg_f64(n.hi, args));
                // NumPy raises for a negative scale (and -0.0 where it tests the
                // sign bit); NaN is version-dependent: NumPy's call decides both.
                if !(scale >= 0.0 && scale.is_sign_positive()) {
                    return None;
                }
                let mut b = bg;
                match n.op {
                    RngOp::NormalGen => loc + scale * super::ziggurat::standard_normal(&mut b),
                    RngOp::ExpGen => scale * super::ziggurat::standard_exponential(&mut b),
                    RngOp::ExpLegacy => scale * super::ziggurat::legacy_standard_exponential(&mut b),
                    _ => {
                        let RngSource::Fixed { aug, .. } = &n.source else {
                            return None;
                        };
                        if aug.is_null() {
                            return None;
                        }
                        // SAFETY: `aug` was found inside the RandomState this source
                        // keeps alive, checked against NumPy (`aug_state_of`), and this
                        // thread holds the RandomState's lock, as NumPy's draws do.
                        let a = unsafe { &mut **aug };
                        let z = if a.has_gauss != 0 {
                            let t = a.gauss;
                            a.has_gauss = 0;
                            a.gauss = 0.0;
                            t
                        } else {
                            let (z, kept) = super::ziggurat::legacy_gauss_pair(&mut b);
                            a.gauss = kept;
                            a.has_gauss = 1;
                            z
                        };
                        if matches!(n.op, RngOp::GaussLegacy) {
                            z
                        } else {
                            loc + scale * z
                        }
                    }
                }
                .to_bits()
            }
            RngOp::Dist(Dist::ChoiceInt, fam) => {
                let k = arg_i64(n.lo, args);
                if k <= 0 {
                    return None; // NumPy raises ValueError
                }
                if fam == Family::Legacy {
                    masked(bg, k as u64 - 1)
                } else {
                    lemire(bg, k as u64 - 1)
                }
            }
            RngOp::Dist(d, fam) => draw_dist(n, bg, args, d, fam)?,
            RngOp::MaskedInt | RngOp::LemireInt => {
                let (lo, hi) = (arg_i64(n.lo, args), arg_i64(n.hi, args));
                // `integers(..., endpoint=True)` draws from [low, high].
                let closed = matches!(n.op, RngOp::LemireInt) && arg_i64(n.third, args) != 0;
                if lo > hi || (lo == hi && !closed) {
                    return None; // NumPy raises ValueError
                }
                let r = (hi as u64).wrapping_sub(u64::from(!closed)).wrapping_sub(lo as u64);
                let v = if matches!(n.op, RngOp::MaskedInt) {
                    masked(bg, r)
                } else {
                    lemire(bg, r)
                };
                (lo as u64).wrapping_add(v)
            }
        };
        Some(bits)
    }
}

/// `draw_one` of a distribution of `helpers::distributions` (kept out of
/// `draw_one`, which the common draws inline).
#[inline(never)]
fn draw_dist<B: Raw>(n: &NativeRng, bg: B, args: &[u64], d: Dist, fam: Family) -> Option<u64> {
    let x = [arg_f64(n.lo, args), arg_f64(n.hi, args), arg_f64(n.third, args)];
    let k = arg_i64(n.lo, args);
    if !dist_ok(d, fam, x, k) {
        return None; // NumPy's call: it raises, or takes what is not native
    }
    Some(if fam == Family::Gen {
        dist_draw(&mut super::distributions::GenStream(bg), d, fam, x, k)
    } else {
        let mut a: *mut AugBitGen = std::ptr::null_mut();
        if n.op.needs_gauss_cache() {
            let RngSource::Fixed { aug, .. } = &n.source else {
                return None;
            };
            if aug.is_null() {
                return None;
            }
            a = *aug;
        }
        let (mut h, mut g) = (0, 0.0);
        // SAFETY: a non-null `aug` was found inside the RandomState this source
        // keeps alive, checked against NumPy (`aug_state_of`), and this thread
        // holds the RandomState's lock, as NumPy's draws do.
        let (has_gauss, gauss) = match unsafe { a.as_mut() } {
            Some(a) => (&mut a.has_gauss, &mut a.gauss),
            None => (&mut h, &mut g), // (a draw that takes no gaussian)
        };
        let mut st = super::distributions::LegacyStream {
            bits: bg,
            has_gauss,
            gauss,
        };
        dist_draw(&mut st, d, fam, x, k)
    })
}

/// Whether a draw of `d` with float arguments `x` (and int first argument
/// `k`) is made natively: only parameters NumPy accepts, inside the range the
/// native algorithms were checked on. Everything else (bad values, NaN, the
/// extremes) is NumPy's call, which raises NumPy's own errors.
#[inline]
fn dist_ok(d: Dist, fam: Family, x: [f64; 3], k: i64) -> bool {
    // NumPy's "non-negative": `-0.0` is refused (it tests the sign bit), NaN too here.
    let nonneg = |v: f64| v >= 0.0 && v.is_sign_positive() && v.is_finite();
    let pos = |v: f64| v > 0.0 && v.is_finite();
    match d {
        Dist::ChoiceInt => k > 0,
        Dist::Gamma => nonneg(x[0]) && nonneg(x[1]),
        // Jöhnk's powers do not underflow for parameters >= 0.05 (U >= 2^-53
        // unless 0): NumPy versions differ in how they treat an underflow.
        Dist::Beta => pos(x[0]) && pos(x[1]) && (x[0] > 1.0 || x[1] > 1.0 || x[0].min(x[1]) >= 0.05),
        Dist::Chisquare | Dist::Pareto => pos(x[0]),
        Dist::Lognormal | Dist::Laplace | Dist::Gumbel | Dist::Logistic => !x[0].is_nan() && nonneg(x[1]),
        Dist::Rayleigh | Dist::Weibull => nonneg(x[0]),
        Dist::Triangular => x.iter().all(|v| v.is_finite()) && x[0] <= x[1] && x[1] <= x[2] && x[0] < x[2],
        // (results far inside the int64 range)
        Dist::Poisson => x[0] >= 0.0 && x[0] <= 1e15,
        Dist::Binomial => (0..=1 << 50).contains(&k) && x[1] >= 0.0 && x[1] <= 1.0,
        // (legacy: `log(1 - p)` not 0 and the quotient far inside the int64 range)
        Dist::Geometric => {
            x[0] <= 1.0
                && x[0]
                    >= if fam == Family::Legacy {
                        1e-12
                    } else {
                        f64::MIN_POSITIVE
                    }
        }
        Dist::StandardCauchy => true,
        Dist::StandardT | Dist::Power => pos(x[0]),
        Dist::F | Dist::Wald => pos(x[0]) && pos(x[1]),
        // The gamma mean of the Poisson stays below ~2.4e12 for shape >= 0.1
        // (the gamma's largest draw is bounded: the uniform's and the normal's
        // largest values are), far inside the Poisson's checked range.
        Dist::NegativeBinomial => {
            let scale = (1.0 - x[1]) / x[1];
            (0.1..=1e9).contains(&x[0]) && x[1] > 0.0 && x[1] <= 1.0 && scale <= 1e6 && x[0] * scale <= 1e9
        }
        // Ints (the call site takes int arguments only), below NumPy's
        // Generator's bound of 10^9 (for both: no sum overflows).
        Dist::Hypergeometric => {
            let (g, b, n) = (x[0], x[1], x[2]);
            let least = if fam == Family::Legacy { 1.0 } else { 0.0 };
            (0.0..1e9).contains(&g) && (0.0..1e9).contains(&b) && n >= least && n <= g + b
        }
        Dist::Vonmises => x[0].is_finite() && nonneg(x[1]),
        // (legacy zipf, and the Generator's before NumPy 2.1, never end for a >= 1025)
        Dist::Zipf => {
            x[0] > 1.0
                && x[0].is_finite()
                && (x[0] < 1025.0
                    || (fam == Family::Gen
                        && super::distributions::ZIPF_UMIN.load(std::sync::atomic::Ordering::Relaxed)))
        }
        Dist::Logseries => nonneg(x[0]) && x[0] < 1.0,
        // (the Poisson of mean nonc / 2 inside its checked range)
        Dist::NoncentralChisquare => pos(x[0]) && nonneg(x[1]) && x[1] <= 2e15,
        Dist::NoncentralF => pos(x[0]) && pos(x[1]) && nonneg(x[2]) && x[2] <= 2e15,
    }
}

/// One draw of `d` (parameters as `dist_ok` accepts them) from `s`: the
/// result's slot (an int's or a float's bits).
fn dist_draw<S: super::distributions::Stream>(s: &mut S, d: Dist, fam: Family, x: [f64; 3], k: i64) -> u64 {
    use super::distributions as dd;
    let legacy = fam == Family::Legacy;
    match d {
        Dist::ChoiceInt => unreachable!("drawn by `draw_choice`"),
        Dist::Gamma => (x[1] * dd::standard_gamma(s, x[0])).to_bits(),
        Dist::Beta => dd::beta(s, x[0], x[1], legacy).to_bits(),
        Dist::Chisquare => (2.0 * dd::standard_gamma(s, x[0] / 2.0)).to_bits(),
        Dist::Lognormal => dd::lognormal(s, x[0], x[1]).to_bits(),
        Dist::Laplace => dd::laplace(s, x[0], x[1]).to_bits(),
        Dist::Gumbel => dd::gumbel(s, x[0], x[1]).to_bits(),
        Dist::Logistic => dd::logistic(s, x[0], x[1]).to_bits(),
        Dist::Triangular => dd::triangular(s, x[0], x[1], x[2]).to_bits(),
        Dist::Rayleigh => dd::rayleigh(s, x[0], legacy).to_bits(),
        Dist::Weibull => dd::weibull(s, x[0]).to_bits(),
        Dist::Pareto => dd::pareto(s, x[0], legacy).to_bits(),
        Dist::Poisson => dd::poisson(s, x[0]) as u64,
        Dist::Binomial => dd::binomial(s, k, x[1], legacy) as u64,
        Dist::Geometric => dd::geometric(s, x[0], legacy) as u64,
        Dist::StandardCauchy => dd::standard_cauchy(s).to_bits(),
        Dist::StandardT => dd::standard_t(s, x[0]).to_bits(),
        Dist::Power => dd::power(s, x[0], legacy).to_bits(),
        Dist::F => dd::f_dist(s, x[0], x[1]).to_bits(),
        Dist::NegativeBinomial => dd::negative_binomial(s, x[0], x[1]) as u64,
        Dist::Wald => dd::wald(s, x[0], x[1], legacy).to_bits(),
        Dist::Hypergeometric => dd::hypergeometric(s, x[0] as i64, x[1] as i64, x[2] as i64, legacy) as u64,
        Dist::Vonmises => dd::vonmises(s, x[0], x[1], legacy).to_bits(),
        Dist::Zipf => {
            let umin = !legacy && dd::ZIPF_UMIN.load(std::sync::atomic::Ordering::Relaxed);
            dd::zipf(s, x[0], umin) as u64
        }
        Dist::Logseries => dd::logseries(s, x[0], legacy) as u64,
        Dist::NoncentralChisquare => dd::noncentral_chisquare(s, x[0], x[1]).to_bits(),
        Dist::NoncentralF => dd::noncentral_f(s, x[0], x[1], x[2]).to_bits(),
    }
}

/// Releases the generator locks a call took for its native draws.
pub fn release_locks(ctx: &mut Ctx) {
    if ctx.rng_locks.is_empty() {
        return;
    }
    ctx.rng_armed = [0; 4]; // (compiled code's inline draws hold nothing now)
    Python::attach(|py| {
        for l in ctx.rng_locks.drain(..) {
            if let Err(e) = l.bind(py).call_method0("release") {
                e.write_unraisable(py, None);
            }
        }
    })
}

/// Whether the draws of `op` that `helpers::distributions` makes are the
/// installed NumPy's (`verified`): a distribution's; `dirichlet`'s gammas and
/// `multinomial`'s (Generator) binomials, on the NumPy versions whose vector
/// algorithms these follow (NumPy 2.5 draws `dirichlet` and `multinomial`
/// otherwise: its own calls there, correct, only slower).
pub fn op_verified(py: Python<'_>, op: RngOp) -> bool {
    let vectors_known = || super::small::numpy_version(py) < (2, 5);
    match op {
        RngOp::Dist(d, fam) => verified(py, d, fam),
        RngOp::Dirichlet(fam) => vectors_known() && verified(py, Dist::Gamma, fam),
        RngOp::Multinomial => vectors_known() && verified(py, Dist::Binomial, Family::Gen),
        _ => true,
    }
}

/// Whether `helpers::distributions`' draws of `d` in family `fam` are the
/// installed NumPy's, value for value: checked once per process, before the
/// first compiled call site that would draw them natively (a NumPy whose
/// algorithms changed keeps its own calls: correct, only slower).
pub fn verified(py: Python<'_>, d: Dist, fam: Family) -> bool {
    static DONE: std::sync::Mutex<Vec<((Dist, Family), bool)>> = std::sync::Mutex::new(Vec::new());
    if let Some(&(_, ok)) = DONE
        .lock()
        .ok()
        .and_then(|v| v.iter().find(|(k, _)| *k == (d, fam)).copied())
        .as_ref()
    {
        return ok;
    }
    // (before any draw: the Generator's BTPE follows the running NumPy's)
    let version = super::small::numpy_version(py);
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    super::distributions::BTPE_SIGN_FIXED.store(version >= (2, 5), relaxed);
    super::distributions::ZIPF_UMIN.store(version >= (2, 1), relaxed);
    super::distributions::BINOMIAL_LOG1P.store(version >= (2, 4), relaxed);
    let ok = d == Dist::ChoiceInt || matches!(check_against_numpy(py, d, fam), Ok(true));
    if let Ok(mut v) = DONE.lock() {
        v.push(((d, fam), ok));
    }
    ok
}

/// Draws of `d` by NumPy (an array fill, which runs the scalar algorithm per
/// element) and by `dist_draw` from two bit generators seeded alike, over
/// parameters in each regime of the algorithm: the same values, and the bit
/// generators left in the same state.
fn check_against_numpy(py: Python<'_>, d: Dist, fam: Family) -> PyResult<bool> {
    const N: usize = 300;
    let (name, sets): (&str, &[[f64; 3]]) = match d {
        Dist::ChoiceInt => return Ok(true),
        Dist::Gamma => (
            "gamma",
            &[[0.3, 2.0, 0.0], [1.0, 1.5, 0.0], [2.5, 1.0, 0.0], [40.0, 0.5, 0.0]],
        ),
        Dist::Beta => (
            "beta",
            &[[0.5, 0.5, 0.0], [0.2, 0.9, 0.0], [2.0, 0.5, 0.0], [3.0, 4.0, 0.0]],
        ),
        Dist::Chisquare => ("chisquare", &[[0.7, 0.0, 0.0], [3.0, 0.0, 0.0], [25.0, 0.0, 0.0]]),
        Dist::Lognormal => ("lognormal", &[[0.5, 1.5, 0.0]]),
        Dist::Laplace => ("laplace", &[[1.0, 2.0, 0.0]]),
        Dist::Gumbel => ("gumbel", &[[1.0, 2.0, 0.0]]),
        Dist::Logistic => ("logistic", &[[1.0, 2.0, 0.0]]),
        Dist::Triangular => ("triangular", &[[-1.0, 0.5, 3.0]]),
        Dist::Rayleigh => ("rayleigh", &[[2.0, 0.0, 0.0]]),
        Dist::Weibull => ("weibull", &[[0.7, 0.0, 0.0], [3.0, 0.0, 0.0]]),
        Dist::Pareto => ("pareto", &[[2.5, 0.0, 0.0]]),
        Dist::Poisson => (
            "poisson",
            &[[0.5, 0.0, 0.0], [4.0, 0.0, 0.0], [12.0, 0.0, 0.0], [1e4, 0.0, 0.0]],
        ),
        Dist::Binomial => (
            "binomial",
            &[
                [10.0, 0.3, 0.0],
                [25.0, 0.9, 0.0],
                [200.0, 0.4, 0.0],
                [1000.0, 0.5, 0.0],
                [1e5, 0.7, 0.0],
            ],
        ),
        Dist::Geometric => ("geometric", &[[0.6, 0.0, 0.0], [0.3, 0.0, 0.0], [0.001, 0.0, 0.0]]),
        Dist::StandardCauchy => ("standard_cauchy", &[[0.0, 0.0, 0.0]]),
        Dist::StandardT => ("standard_t", &[[0.5, 0.0, 0.0], [3.0, 0.0, 0.0], [40.0, 0.0, 0.0]]),
        Dist::Power => ("power", &[[0.3, 0.0, 0.0], [2.0, 0.0, 0.0]]),
        Dist::F => ("f", &[[3.0, 5.0, 0.0], [0.7, 12.0, 0.0]]),
        Dist::NegativeBinomial => (
            "negative_binomial",
            &[
                [5.0, 0.3, 0.0],
                [1.5, 0.9, 0.0],
                [50.0, 0.01, 0.0],
                [0.2, 0.5, 0.0],
                [3.0, 1.0, 0.0],
            ],
        ),
        Dist::Wald => ("wald", &[[1.0, 2.0, 0.0], [3.0, 0.5, 0.0], [1e6, 1e-3, 0.0]]),
        // Legacy: HYP (samples up to 10), HRUA (above; good > bad; a sample above
        // half the population). Generator: counting (small samples, a sample
        // within 10 of the population, above half of it), HRUA (both sides).
        Dist::Hypergeometric => (
            "hypergeometric",
            &[
                [5.0, 7.0, 3.0],
                [12.0, 4.0, 10.0],
                [30.0, 40.0, 65.0],
                [20.0, 30.0, 8.0],
                [100.0, 200.0, 50.0],
                [300.0, 100.0, 150.0],
                [50.0, 60.0, 100.0],
                [3000.0, 100000.0, 20000.0],
            ],
        ),
        // The uniform (kappa < 1e-8), the Taylor constant, the rejection, the
        // Generator's wrapped normal (kappa > 1e6).
        Dist::Vonmises => (
            "vonmises",
            &[
                [0.5, 1e-9, 0.0],
                [1.0, 1e-6, 0.0],
                [-2.0, 0.5, 0.0],
                [3.0, 4.0, 0.0],
                [0.0, 300.0, 0.0],
                [2.5, 1e7, 0.0],
                [-3.1, 2e6, 0.0],
            ],
        ),
        // (a near 1: the Generator's (Umin, 1] differs from 1 - U; 2000: its early 1)
        Dist::Zipf => (
            "zipf",
            &[
                [2.0, 0.0, 0.0],
                [1.05, 0.0, 0.0],
                [1.5, 0.0, 0.0],
                [4.5, 0.0, 0.0],
                [2000.0, 0.0, 0.0],
            ],
        ),
        Dist::Logseries => (
            "logseries",
            &[[0.0, 0.0, 0.0], [0.3, 0.0, 0.0], [0.9, 0.0, 0.0], [0.999999, 0.0, 0.0]],
        ),
        // nonc 0 (a chi-square), df > 1 (a normal), df <= 1 (a Poisson mixture)
        Dist::NoncentralChisquare => (
            "noncentral_chisquare",
            &[[3.0, 0.0, 0.0], [3.0, 2.0, 0.0], [0.5, 1.5, 0.0], [1.0, 40.0, 0.0]],
        ),
        Dist::NoncentralF => ("noncentral_f", &[[3.0, 5.0, 1.0], [0.7, 2.0, 3.0], [5.0, 8.0, 0.0]]),
    };
    let arity = match d {
        Dist::Triangular | Dist::Hypergeometric | Dist::NoncentralF => 3,
        Dist::Gamma
        | Dist::Beta
        | Dist::Lognormal
        | Dist::Laplace
        | Dist::Gumbel
        | Dist::Logistic
        | Dist::Binomial
        | Dist::F
        | Dist::NegativeBinomial
        | Dist::Wald
        | Dist::Vonmises
        | Dist::NoncentralChisquare => 2,
        Dist::StandardCauchy => 0,
        _ => 1,
    };
    let random = py.import("numpy.random")?;
    let class = random.getattr(if fam == Family::Legacy {
        "RandomState"
    } else {
        "Generator"
    })?;
    for (i, x) in sets.iter().enumerate() {
        if !dist_ok(d, fam, *x, x[0] as i64) {
            continue; // (not drawn natively: legacy zipf(2000) would never end)
        }
        let seed = 20260 + i as u64;
        let bg1 = random.getattr("PCG64")?.call1((seed,))?;
        let gen1 = class.call1((&bg1,))?;
        let args: Vec<Bound<'_, PyAny>> = (0..arity)
            .map(|j| {
                if (d == Dist::Binomial && j == 0) || d == Dist::Hypergeometric {
                    pyo3::types::PyInt::new(py, x[j] as i64).into_any()
                } else {
                    pyo3::types::PyFloat::new(py, x[j]).into_any()
                }
            })
            .collect();
        let kw = pyo3::types::PyDict::new(py);
        kw.set_item("size", N)?;
        let want = gen1.call_method(name, pyo3::types::PyTuple::new(py, args)?, Some(&kw))?;
        let want = want.call_method1("astype", (if d.is_int() { "<i8" } else { "<f8" },))?;
        let bytes: Vec<u8> = want.call_method0("tobytes")?.extract()?;
        let bg2 = random.getattr("PCG64")?.call1((seed,))?;
        let (bitgen, _lock) = bitgen_of(py, &bg2)?;
        // SAFETY: `bg2` (alive to the end of this iteration) is this function's
        // own bit generator: no other thread knows it.
        let bits = unsafe { &*bitgen };
        let (mut h, mut g) = (0, 0.0);
        let mut got = Vec::with_capacity(8 * N);
        for _ in 0..N {
            let v = if fam == Family::Gen {
                dist_draw(&mut super::distributions::GenStream(bits), d, fam, *x, x[0] as i64)
            } else {
                let mut st = super::distributions::LegacyStream {
                    bits,
                    has_gauss: &mut h,
                    gauss: &mut g,
                };
                dist_draw(&mut st, d, fam, *x, x[0] as i64)
            };
            got.extend_from_slice(&v.to_le_bytes());
        }
        if got != bytes || !bg1.getattr("state")?.eq(bg2.getattr("state")?)? {
            return Ok(false);
        }
    }
    Ok(true)
}
