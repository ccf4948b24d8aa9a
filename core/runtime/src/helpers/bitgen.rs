//! NumPy's two common bit generators computed natively, on NumPy's own state.
//!
//! A native draw (`helpers::random`) takes its raw outputs from a `bitgen_t`.
//! Through the `bitgen_t`'s functions each one is an indirect call into
//! NumPy; for the two bit generators nearly every program uses, the legacy
//! `RandomState`'s MT19937 and `default_rng`'s PCG64, compiled code computes
//! the outputs itself, reading and writing NumPy's state struct in place, so
//! that NumPy's own calls before and after continue the same stream:
//!
//! - MT19937 (Matsumoto and Nishimura, 1998), NumPy's `mt19937_state`
//!   (`uint32_t key[624]; int pos`): the next word is `key[pos++]`, tempered;
//!   64-bit outputs are two words (high first), doubles `(a >> 5) * 2^26 +
//!   (b >> 6)` over 2^53. When `pos` is 624 the words are regenerated (the
//!   "twist"): that one output, every 624th, is NumPy's own `next_uint32`.
//! - PCG64 (O'Neill, 2014; XSL-RR output), NumPy's `pcg64_state` (a pointer
//!   to the 128-bit state and increment, then `has_uint32` and `uinteger`):
//!   `state = state * M + inc`, output `rotr(hi ^ lo, hi >> 58)`; a 32-bit
//!   draw returns the kept upper half of the last output when there is one,
//!   else the lower half of a new output, keeping its upper half; doubles are
//!   `(next64 >> 11)` over 2^53.
//!
//! These structs are NumPy internals, not its documented API. So each kind is
//! checked once per process, before its first native use ([`kind_of`]): two
//! bit generators seeded alike, one drawn through NumPy's functions and one
//! natively over a mix of 64-bit, 32-bit and double outputs crossing
//! MT19937's regeneration several times, must give the same values and leave
//! equal `state`s. A bit generator is then drawn natively only when its
//! `bitgen_t`'s three functions are the checked ones (so it has the checked
//! struct); any other (`Philox`, `SFC64`, a subclass's, a NumPy laid out
//! otherwise) keeps the indirect calls: the same values, only slower.

use super::random::{bitgen_of, BitGen};
use super::ziggurat::Bits;
use pyo3::prelude::*;
use std::os::raw::c_int;

/// The raw outputs a draw is built from: `Bits` and 32-bit outputs
/// (`next_uint32`). Implemented for the `bitgen_t` itself (NumPy's indirect
/// calls) and for the native generators.
pub trait Raw: Bits + Copy {
    fn next_u32(&mut self) -> u32;
}

impl Raw for &BitGen {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        // SAFETY: a `&BitGen` is only made for a live `bitgen_t` whose lock
        // this thread holds (see `helpers::random::native_draw`).
        unsafe { (self.next_uint32)(self.state) }
    }
}

/// How a bit generator's raw outputs are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitKind {
    /// Through the `bitgen_t`'s functions (any bit generator).
    Foreign,
    /// NumPy's MT19937, natively.
    Mt19937,
    /// NumPy's PCG64, natively.
    Pcg64,
}

/// NumPy's `mt19937_state`.
#[repr(C)]
struct MtState {
    key: [u32; 624],
    pos: c_int,
}

/// NumPy's `pcg64_state`: `pcg` points at the state and the increment, two
/// 128-bit integers, each as its low then its high 64 bits.
#[repr(C)]
struct PcgState {
    pcg: *mut [u64; 4],
    has_uint32: c_int,
    uinteger: u32,
}

/// MT19937 drawn natively from a `bitgen_t` whose state is a `mt19937_state`.
#[derive(Clone, Copy)]
pub struct Mt<'a>(pub &'a BitGen);

/// PCG64 drawn natively from a `bitgen_t` whose state is a `pcg64_state`.
#[derive(Clone, Copy)]
pub struct Pcg<'a>(pub &'a BitGen);

impl Mt<'_> {
    #[inline(always)]
    fn word(&mut self) -> u32 {
        let st = self.0.state as *mut MtState;
        // SAFETY: an `Mt` is only made for a live `bitgen_t` of the checked
        // MT19937 kind (`kind_of`), whose lock this thread holds: its state is
        // an `mt19937_state` no one else touches meanwhile. `pos < 624` is
        // checked before the read.
        unsafe {
            let pos = (*st).pos;
            if pos as u32 >= 624 {
                // The regeneration (and any other `pos`): NumPy's own output.
                return (self.0.next_uint32)(self.0.state);
            }
            let mut y = (*st).key[pos as usize];
            (*st).pos = pos + 1;
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c_5680;
            y ^= (y << 15) & 0xefc6_0000;
            y ^ (y >> 18)
        }
    }
}

impl Bits for Mt<'_> {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        let hi = self.word() as u64;
        (hi << 32) | self.word() as u64
    }
    #[inline(always)]
    fn next_f64(&mut self) -> f64 {
        let a = (self.word() >> 5) as f64;
        let b = (self.word() >> 6) as f64;
        (a * 67108864.0 + b) / 9007199254740992.0
    }
}

impl Raw for Mt<'_> {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        self.word()
    }
}

/// PCG64's multiplier (`PCG_DEFAULT_MULTIPLIER_128`).
const PCG_MULT: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;

impl Pcg<'_> {
    #[inline(always)]
    fn state(&mut self) -> *mut PcgState {
        self.0.state as *mut PcgState
    }
}

impl Bits for Pcg<'_> {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        let st = self.state();
        // SAFETY: a `Pcg` is only made for a live `bitgen_t` of the checked
        // PCG64 kind (`kind_of`), whose lock this thread holds: its state is a
        // `pcg64_state` pointing at the generator's live state and increment.
        unsafe {
            let p = (*st).pcg;
            let [s0, s1, i0, i1] = std::ptr::read(p);
            let s = (s0 as u128 | (s1 as u128) << 64)
                .wrapping_mul(PCG_MULT)
                .wrapping_add(i0 as u128 | (i1 as u128) << 64);
            let (lo, hi) = (s as u64, (s >> 64) as u64);
            (*p)[0] = lo;
            (*p)[1] = hi;
            (hi ^ lo).rotate_right((hi >> 58) as u32)
        }
    }
    #[inline(always)]
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9007199254740992.0)
    }
}

impl Raw for Pcg<'_> {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        let st = self.state();
        // SAFETY: as in `next_u64`.
        unsafe {
            if (*st).has_uint32 != 0 {
                (*st).has_uint32 = 0;
                return (*st).uinteger;
            }
        }
        let v = self.next_u64();
        // SAFETY: as above.
        unsafe {
            (*st).has_uint32 = 1;
            (*st).uinteger = (v >> 32) as u32;
        }
        v as u32
    }
}

/// The `bitgen_t` functions of a checked kind: (MT19937's, PCG64's).
type Checked = [Option<[usize; 3]>; 2];

fn fns(bg: &BitGen) -> [usize; 3] {
    [
        bg.next_uint64 as usize,
        bg.next_uint32 as usize,
        bg.next_double as usize,
    ]
}

/// How compiled code draws from the live `bitgen_t` `bitgen`: natively
/// when its functions are those of a kind checked against NumPy (once per
/// process, on the first call), else through its functions.
pub fn kind_of(py: Python<'_>, bitgen: &BitGen) -> BitKind {
    static DONE: std::sync::Mutex<Option<Checked>> = std::sync::Mutex::new(None);
    let known = DONE.lock().ok().and_then(|d| *d);
    let checked = match known {
        Some(c) => c,
        None => {
            // (checked without the mutex held: the check calls into Python,
            // which may switch threads; a second check is only repeated work)
            let c = [
                check(py, "MT19937", BitKind::Mt19937).ok().flatten(),
                check(py, "PCG64", BitKind::Pcg64).ok().flatten(),
            ];
            if let Ok(mut d) = DONE.lock() {
                *d = Some(c);
            }
            c
        }
    };
    let f = fns(bitgen);
    if checked[0] == Some(f) {
        BitKind::Mt19937
    } else if checked[1] == Some(f) {
        BitKind::Pcg64
    } else {
        BitKind::Foreign
    }
}

/// One raw output of `b`: kind `k % 5` picks a 64-bit, 32-bit or double output.
fn output<B: Raw>(mut b: B, k: usize) -> u64 {
    match k % 5 {
        0 => b.next_u64(),
        1 | 3 => b.next_u32() as u64,
        2 => b.next_f64().to_bits(),
        _ => b.next_u32() as u64 ^ b.next_u64(),
    }
}

/// Whether the native generator of `kind` draws as NumPy's bit generator
/// class `name` does: its functions if so.
fn check(py: Python<'_>, name: &str, kind: BitKind) -> PyResult<Option<[usize; 3]>> {
    let random = py.import("numpy.random")?;
    let class = random.getattr(name)?;
    let mut seen: Option<[usize; 3]> = None;
    // Two streams per kind: a fresh seeding (PCG64 with a 32-bit value kept
    // from the start of the second pass), and MT19937's legacy seeding (as
    // `np.random.seed` does), whose first output regenerates.
    for pass in 0..2 {
        let (a, b) = (class.call1((20260 + pass,))?, class.call1((20260 + pass,))?);
        if kind == BitKind::Mt19937 && pass == 1 {
            a.call_method1("_legacy_seeding", (7,))?;
            b.call_method1("_legacy_seeding", (7,))?;
        }
        let (ga, _la) = bitgen_of(py, &a)?;
        let (gb, _lb) = bitgen_of(py, &b)?;
        // SAFETY: `a` and `b` are this function's own bit generators (alive to
        // the end of this iteration): no other thread knows them.
        let (ga, gb) = unsafe { (&*ga, &*gb) };
        if fns(ga) != fns(gb) || seen.is_some_and(|s| s != fns(ga)) {
            return Ok(None);
        }
        seen = Some(fns(ga));
        if kind == BitKind::Pcg64 && pass == 1 {
            // (a kept upper half to start from)
            if output(ga, 1) != output(Pcg(gb), 1) {
                return Ok(None);
            }
        }
        // 5000 outputs: about 6000 MT19937 words, regenerated about ten times.
        for k in 0..5000 {
            let want = output(ga, k);
            let got = match kind {
                BitKind::Mt19937 => output(Mt(gb), k),
                BitKind::Pcg64 => output(Pcg(gb), k),
                BitKind::Foreign => output(gb, k),
            };
            if want != got {
                return Ok(None);
            }
        }
        // (MT19937's state holds an array: compared as pickled bytes)
        let same = py.eval(
            c"lambda a, b: __import__('pickle').dumps(a.state) == __import__('pickle').dumps(b.state)",
            None,
            None,
        )?;
        if !same.call1((&a, &b))?.is_truthy()? {
            return Ok(None);
        }
    }
    Ok(seen)
}

/// How compiled code draws from the NumPy bit generator `bit_generator`
/// (`_pyston.bitgen_kind()`, for tests): `"mt19937"` or `"pcg64"` when
/// natively (its kind checked against NumPy), `"foreign"` through its
/// `bitgen_t`'s functions.
#[pyfunction]
pub fn bitgen_kind(py: Python<'_>, bit_generator: &Bound<'_, PyAny>) -> PyResult<&'static str> {
    let (bitgen, _lock) = bitgen_of(py, bit_generator)?;
    // SAFETY: `bitgen` points into the live `bit_generator`.
    Ok(match kind_of(py, unsafe { &*bitgen }) {
        BitKind::Mt19937 => "mt19937",
        BitKind::Pcg64 => "pcg64",
        BitKind::Foreign => "foreign",
    })
}
