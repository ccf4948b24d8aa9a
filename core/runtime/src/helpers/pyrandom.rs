//! Native draws from CPython's own `random` module (its Mersenne Twister).
//!
//! The module-level functions of `random` (`random.random`, `randint`, ...)
//! are bound methods of one hidden instance, `random._inst`, whose C part
//! (`_random.Random`) is the MT19937 state: 624 32-bit words and an index.
//! Compiled code that calls `random.random()` & co. draws from that state
//! itself, the same numbers CPython's call would give, advancing the same
//! state: after a compiled call, plain Python continues the same sequence,
//! and `random.seed(n)` before a compiled call reproduces it. The methods
//! of a `random.Random` instance compiled code holds (exactly that class,
//! see [`is_plain_random`]) draw the same way from that instance's own state
//! ([`MtSource::Arg0`]).
//!
//! The algorithms, from their definitions (checked value for value against
//! CPython by `tests/test_stdlib_calls.py`):
//! - MT19937 (Matsumoto and Nishimura, 1998): regenerate the 624 words when
//!   the index reaches 624, then temper the next word;
//! - `random()`: 53 bits from two words, `(a >> 5) * 2^26 + (b >> 6)`, times 2^-53;
//! - `getrandbits(k)`, 0 < k <= 63: one word shifted right by `32 - k` when
//!   `k <= 32`; else 32-bit words from least to most significant, the last
//!   shifted right by the bits it does not need;
//! - `randrange(start, stop)` / `randint(a, b)` (`randrange(a, b + 1)`):
//!   `start + r`, `r` drawn by `getrandbits(n.bit_length())` and redrawn
//!   while `r >= n`, for the width `n = stop - start > 0`;
//! - `uniform(a, b)`: `a + (b - a) * random()` with Python's int/float rules
//!   (the difference of two ints is exact, then rounded once).
//! - `gauss(mu, sigma)`: `Random.gauss`'s Box-Muller pair (`x2pi = random() *
//!   2pi`, `g2rad = sqrt(-2 log(1 - random()))`, `cos(x2pi) * g2rad` now,
//!   `sin(x2pi) * g2rad` kept in the instance's `gauss_next` attribute);
//!   `normalvariate`: Kinderman and Monahan's loop (`lognormvariate`: `exp`
//!   of it); `expovariate(l)`:
//!   `-log(1 - random()) / l`; libm's functions, as CPython's `math` calls them;
//! - `choice(xs)` of a list: `xs[_randbelow(len(xs))]`, `_randbelow(n)` as
//!   for `randrange`; `shuffle(xs)`: for `i` from `len(xs) - 1` down to 1,
//!   swap `xs[i]` and `xs[_randbelow(i + 1)]`.
//!
//! Where the draw would raise (an empty range) or its result would leave 64
//! bits, the call runs CPython's function instead. The layout of the C
//! struct (`PyObject_HEAD; int index; uint32_t state[624]`, unchanged from
//! CPython 3.9 to 3.13) is checked against `getstate()` when a function is
//! compiled; if it differs, every call goes through CPython.

use super::math as libm;
use crate::runtime::{Ctx, OK};
use pyo3::ffi;
use pyo3::prelude::*;

const N: usize = 624;
const M: usize = 397;
/// Offset of `index` in `_random.Random` (after the 16-byte object header).
const INDEX_AT: usize = 16;
/// Offset of `state[0]`.
const STATE_AT: usize = 20;

/// Which `random` function a call site draws for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtOp {
    /// `random()`
    Random,
    /// `uniform(a, b)`; which of `a`, `b` are ints.
    Uniform(bool, bool),
    /// `randrange(stop)`
    RandrangeStop,
    /// `randrange(start, stop)`
    Randrange,
    /// `randint(a, b)`
    Randint,
    /// `getrandbits(k)`
    Getrandbits,
    /// `choice(xs)` of a list compiled code reads as elements of this type.
    Choice(Elem),
    /// `shuffle(xs)` of a list.
    Shuffle,
    /// `gauss(mu, sigma)`; which of `mu`, `sigma` are ints.
    Gauss(bool, bool),
    /// `normalvariate(mu, sigma)`; which are ints.
    Normal(bool, bool),
    /// `lognormvariate(mu, sigma)`: `exp(normalvariate(mu, sigma))`; which are ints.
    LogNormal(bool, bool),
    /// `expovariate(lambd)`; whether it is an int.
    Expo(bool),
}

/// The element type of a list `choice` draws from natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    Int,
    Float,
    Bool,
}

impl Elem {
    pub fn of(t: &pyston_compiler::types::Ty) -> Option<Elem> {
        use pyston_compiler::types::Ty;
        match t {
            Ty::Int => Some(Elem::Int),
            Ty::Float => Some(Elem::Float),
            Ty::Bool => Some(Elem::Bool),
            _ => None,
        }
    }

    fn ty(self) -> pyston_compiler::types::Ty {
        use pyston_compiler::types::Ty;
        match self {
            Elem::Int => Ty::Int,
            Elem::Float => Ty::Float,
            Elem::Bool => Ty::Bool,
        }
    }
}

impl MtOp {
    /// The op for function `name` with arguments of types `args` (each an
    /// int when `true`, a float when `false`), if drawn natively.
    pub fn of(name: &str, ints: &[bool]) -> Option<MtOp> {
        Some(match (name, ints) {
            ("random", []) => MtOp::Random,
            ("uniform", [a, b]) => MtOp::Uniform(*a, *b),
            ("randrange", [true]) => MtOp::RandrangeStop,
            ("randrange", [true, true]) => MtOp::Randrange,
            ("randint", [true, true]) => MtOp::Randint,
            ("getrandbits", [true]) => MtOp::Getrandbits,
            ("gauss", [a, b]) => MtOp::Gauss(*a, *b),
            ("normalvariate", [a, b]) => MtOp::Normal(*a, *b),
            ("lognormvariate", [a, b]) => MtOp::LogNormal(*a, *b),
            ("expovariate", [a]) => MtOp::Expo(*a),
            _ => return None,
        })
    }
}

/// Whose Mersenne Twister a native draw advances.
pub enum MtSource {
    /// A module-level function's: `random._inst` (kept alive here).
    Fixed(Py<PyAny>),
    /// A method's: the `random.Random` in the call's first argument slot,
    /// checked at each draw to be exactly the class (the pointer held
    /// here, see [`random_type`]) whose layout [`instance_layout_ok`] accepted.
    Arg0(usize),
}

/// A `random` call site compiled code draws for natively.
pub struct MtDraw {
    pub op: MtOp,
    pub source: MtSource,
}

/// The class `random.Random` (the type of `random._inst`, checked by its
/// module and name), once the program has imported `random`; this never
/// imports it. The class object stays alive for the process.
pub fn random_type(py: Python<'_>) -> Option<usize> {
    static TYPE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if let Some(t) = TYPE.get() {
        return Some(*t);
    }
    // SAFETY: the GIL is held (`py`); the module dictionary and its item are
    // borrowed references owned by the interpreter (NULL when absent, never raising).
    let m = unsafe {
        let modules = ffi::PyImport_GetModuleDict();
        let m = if modules.is_null() {
            std::ptr::null_mut()
        } else {
            ffi::PyDict_GetItemString(modules, c"random".as_ptr())
        };
        if m.is_null() {
            return None; // the program has not imported `random`
        }
        Bound::from_borrowed_ptr(py, m)
    };
    let t = m.getattr("_inst").ok()?.get_type();
    let named = |attr: &str, want: &str| {
        t.getattr(attr)
            .and_then(|v| v.extract::<String>())
            .is_ok_and(|v| v == want)
    };
    if !named("__module__", "random") || !named("__qualname__", "Random") || !t.is(&m.getattr("Random").ok()?) {
        return None;
    }
    let p = t.as_ptr() as usize;
    std::mem::forget(t); // the identity stays valid for the process
    Some(*TYPE.get_or_init(|| p))
}

/// Whether `obj` is the class `random.Random` itself.
pub fn is_random_class(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    random_type(py).is_some_and(|t| t == obj.as_ptr() as usize)
}

/// Whether compiled code may hold `obj` as a `random.Random`: exactly that
/// class (a subclass may override its draws), with no instance attribute
/// that shadows one of the class's (`r.random = f`: CPython's calls would
/// call it). Its own `gauss_next` (the cached second gaussian) is fine.
pub fn is_plain_random(py: Python<'_>, obj: &Bound<'_, PyAny>) -> bool {
    // `random.Random` is a class defined in Python (a heap type); every type a
    // dispatcher otherwise meets here (complex, None, tuples, NumPy scalars) is
    // static: those are answered without looking for the `random` module,
    // which before `random` is imported was a dictionary lookup by C string on
    // every call (17% of a call taking a complex argument).
    // SAFETY: `obj`'s type is a live type object.
    let flags = unsafe { ffi::PyType_GetFlags(obj.get_type_ptr()) };
    if flags & ffi::Py_TPFLAGS_HEAPTYPE == 0 {
        return false;
    }
    let Some(tp) = random_type(py) else {
        return false;
    };
    if obj.get_type_ptr() as usize != tp {
        return false;
    }
    let Ok(d) = obj.getattr(pyo3::intern!(py, "__dict__")) else {
        return false;
    };
    let Ok(d) = d.cast_into::<pyo3::types::PyDict>() else {
        return false;
    };
    let gauss_next = pyo3::intern!(py, "gauss_next");
    if d.len() == 1 && d.contains(gauss_next).unwrap_or(false) {
        return true; // (what `Random.__init__` leaves: the common case, quickly)
    }
    let cls = obj.get_type();
    d.iter().all(|(k, _)| {
        k.cast::<pyo3::types::PyString>()
            .is_ok_and(|k| k.as_any().eq(gauss_next).unwrap_or(false) || !cls.hasattr(k).unwrap_or(true))
    })
}

/// Whether the instances of `random.Random` have the layout this module
/// reads (checked once, on `random._inst`, an instance of exactly that class).
pub fn instance_layout_ok(py: Python<'_>) -> bool {
    static OK_: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK_.get_or_init(|| {
        random_type(py).is_some()
            && py
                .import("random")
                .and_then(|m| m.getattr("_inst"))
                .is_ok_and(|inst| layout_ok(py, &inst))
    })
}

/// Whether `inst`'s memory holds the state `getstate()` reports at the
/// offsets this module reads.
pub fn layout_ok(py: Python<'_>, inst: &Bound<'_, PyAny>) -> bool {
    let check = || -> PyResult<bool> {
        let st = inst.call_method0("getstate")?;
        let words: Vec<u64> = st.get_item(1)?.extract()?;
        if words.len() != N + 1 {
            return Ok(false);
        }
        let p = inst.as_ptr() as *const u8;
        // SAFETY: reads 4 + 4 * 624 bytes after the object header of a live
        // `_random.Random` instance (the C struct is at least that large: its
        // `__sizeof__` is checked first).
        let size: usize = inst.call_method0("__sizeof__")?.extract()?;
        if size < STATE_AT + 4 * N {
            return Ok(false);
        }
        let index = unsafe { (p.add(INDEX_AT) as *const i32).read_unaligned() };
        let mut same = index as i64 as u64 == words[N];
        for (k, w) in words[..N].iter().enumerate() {
            // SAFETY: as above.
            let v = unsafe { (p.add(STATE_AT + 4 * k) as *const u32).read_unaligned() };
            same &= v as u64 == *w;
        }
        Ok(same)
    };
    let _ = py;
    check().unwrap_or(false)
}

/// The MT state of a live `_random.Random`, borrowed for one draw.
struct Mt {
    index: *mut i32,
    state: *mut u32,
}

impl Mt {
    /// # Safety
    /// `inst` is a live `_random.Random` whose layout `layout_ok` accepted,
    /// used by this thread alone (the GIL is held) for the borrow's life.
    unsafe fn of(inst: *mut ffi::PyObject) -> Mt {
        let p = inst as *mut u8;
        // SAFETY: see the function's contract.
        unsafe {
            Mt {
                index: p.add(INDEX_AT) as *mut i32,
                state: p.add(STATE_AT) as *mut u32,
            }
        }
    }

    fn next_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        let mag = |y: u32| if y & 1 != 0 { 0x9908_b0df } else { 0 };
        // SAFETY: `index`/`state` point into the live object (see `Mt::of`);
        // the state is 624 words, the index is kept in 0..=624 below.
        unsafe {
            let mt = std::slice::from_raw_parts_mut(self.state, N);
            let mut i = (*self.index).clamp(0, N as i32) as usize;
            if i >= N {
                for k in 0..N {
                    let y = (mt[k] & UPPER) | (mt[(k + 1) % N] & LOWER);
                    mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag(y);
                }
                i = 0;
            }
            let mut y = mt[i];
            *self.index = (i + 1) as i32;
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c_5680;
            y ^= (y << 15) & 0xefc6_0000;
            y ^ (y >> 18)
        }
    }

    fn random(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for 0 < k <= 63.
    fn bits(&mut self, k: u32) -> u64 {
        if k <= 32 {
            return (self.next_u32() >> (32 - k)) as u64;
        }
        let lo = self.next_u32() as u64;
        (((self.next_u32() >> (64 - k)) as u64) << 32) | lo
    }

    /// `_randbelow(n)` for 0 < n < 2^62.
    fn below(&mut self, n: u64) -> u64 {
        let k = 64 - n.leading_zeros();
        loop {
            let r = self.bits(k);
            if r < n {
                return r;
            }
        }
    }
}

/// Draws natively for a `random` call site: `Some` status with the result
/// in `out`, or `None` when CPython's function must run (an argument it
/// rejects, a result beyond 64 bits, a parallel chunk's or ufunc loop's context).
///
/// # Safety
/// `ctx` is the call's live context; `slots` the call's
/// argument slots (one per int/float argument); `out` has room for one slot.
pub unsafe fn native_draw(ctx: &mut Ctx, d: &MtDraw, slots: &[u64], out: *mut u64) -> Option<i32> {
    if !ctx.rng_native {
        return None;
    }
    // The GIL guards the state, as for CPython's own draws: held by a
    // dispatcher's call, taken here under `nogil=True`.
    if ctx.nogil {
        Python::attach(|_| {
            // SAFETY: the function's contract; the GIL is held.
            unsafe { draw(ctx, d, slots, out) }
        })
    } else {
        // SAFETY: the function's contract; the dispatcher's call holds the GIL.
        unsafe { draw(ctx, d, slots, out) }
    }
}

/// # Safety
/// As `native_draw`, with the GIL held.
unsafe fn draw(ctx: &mut Ctx, d: &MtDraw, slots: &[u64], out: *mut u64) -> Option<i32> {
    // `gauss` and `normalvariate` are Python methods: they call `self.random`
    // (and `gauss` keeps `self.gauss_next`), so `random._inst` must not have
    // an instance attribute shadowing one (an instance compiled code holds
    // was checked when it came in).
    let python_level = matches!(d.op, MtOp::Gauss(..) | MtOp::Normal(..) | MtOp::LogNormal(..));
    let (inst, slots) = match &d.source {
        MtSource::Fixed(inst) => {
            if python_level {
                // SAFETY: the GIL is held (the function's contract).
                let py = unsafe { Python::assume_attached() };
                if !is_plain_random(py, inst.bind(py)) {
                    return None;
                }
            }
            (inst.as_ptr(), slots)
        }
        MtSource::Arg0(tp) => {
            let p = slots[0] as *mut ffi::PyObject;
            // SAFETY: the first slot holds a live object (the method's receiver).
            if unsafe { ffi::Py_TYPE(p) } as usize != *tp {
                return None; // no longer exactly a random.Random (`r.__class__ = ...`)
            }
            (p, &slots[1..])
        }
    };
    // SAFETY: `inst` is kept alive by the draw or the caller, and is an
    // instance of the class whose layout was checked when the call site was
    // compiled; this thread holds the GIL.
    let mut mt = unsafe { Mt::of(inst) };
    let int = |k: usize| slots[k] as i64;
    let flt = |k: usize, is_int: bool| {
        if is_int {
            slots[k] as i64 as f64
        } else {
            f64::from_bits(slots[k])
        }
    };
    // randrange's width check: CPython raises for an empty range; a width
    // of 2^62 or more runs CPython's function (it draws more than 63 bits).
    let range = |lo: i64, hi: i128| -> Option<(i64, u64)> {
        let n = hi - lo as i128;
        (n > 0 && n < 1 << 62).then_some((lo, n as u64))
    };
    let bits: u64 = match d.op {
        MtOp::Random => mt.random().to_bits(),
        MtOp::Uniform(ai, bi) => {
            // `b - a` is exact for two ints (then rounded once), else a float difference.
            let diff = if ai && bi {
                (int(1) as i128 - int(0) as i128) as f64
            } else {
                flt(1, bi) - flt(0, ai)
            };
            (flt(0, ai) + diff * mt.random()).to_bits()
        }
        MtOp::RandrangeStop | MtOp::Randrange | MtOp::Randint => {
            let (lo, n) = match d.op {
                MtOp::RandrangeStop => range(0, int(0) as i128)?,
                MtOp::Randrange => range(int(0), int(1) as i128)?,
                _ => range(int(0), int(1) as i128 + 1)?,
            };
            (lo as i128 + mt.below(n) as i128) as i64 as u64
        }
        MtOp::Getrandbits => {
            let k = int(0);
            if !(1..=63).contains(&k) {
                return None;
            }
            mt.bits(k as u32)
        }
        // `-_log(1.0 - self.random()) / lambd` (a zero `lambd` raises in CPython's call, after its draw).
        MtOp::Expo(li) => {
            let l = flt(0, li);
            if l == 0.0 {
                return None;
            }
            // SAFETY: libm's `log`, as CPython's `math.log` calls it for a positive finite float.
            (-unsafe { libm::log(1.0 - mt.random()) } / l).to_bits()
        }
        // Kinderman and Monahan, as `Random.normalvariate`.
        MtOp::Normal(mi, si) | MtOp::LogNormal(mi, si) => {
            // `NV_MAGICCONST = 4 * _exp(-0.5) / _sqrt(2.0)`
            // SAFETY: libm's `exp` and `log` (as above).
            let magic = 4.0 * unsafe { libm::exp(-0.5) } / 2.0f64.sqrt();
            let z = loop {
                let u1 = mt.random();
                let u2 = 1.0 - mt.random();
                let z = magic * (u1 - 0.5) / u2;
                let zz = z * z / 4.0;
                // SAFETY: as above.
                if zz <= -unsafe { libm::log(u2) } {
                    break z;
                }
            };
            let x = flt(0, mi) + z * flt(1, si);
            if !matches!(d.op, MtOp::LogNormal(..)) {
                x.to_bits()
            } else {
                // `math.exp(x)`: libm's `exp`; where it overflows, CPython's own
                // `math.exp` raises its error (the draws are made, as in CPython).
                // SAFETY: libm's `exp`.
                let r = unsafe { libm::exp(x) };
                if r.is_infinite() && x.is_finite() {
                    // SAFETY: the GIL is held (the function's contract).
                    let py = unsafe { Python::assume_attached() };
                    let err = py
                        .import("math")
                        .and_then(|m| m.getattr("exp"))
                        .and_then(|f| f.call1((x,)))
                        .err()
                        .unwrap_or_else(|| pyo3::exceptions::PyOverflowError::new_err("math range error"));
                    err.restore(py);
                    return Some(crate::runtime::ERROR);
                }
                r.to_bits()
            }
        }
        // `Random.gauss`: a pair drawn at a time, the second kept in the
        // instance's own `gauss_next` (a Python attribute, read and written as
        // the method does).
        MtOp::Gauss(mi, si) => {
            // SAFETY: the GIL is held; `inst` is live.
            let (py, obj) = unsafe {
                let py = Python::assume_attached();
                (py, Bound::from_borrowed_ptr(py, inst))
            };
            let name = pyo3::intern!(py, "gauss_next");
            let cached = obj.getattr(name).ok()?;
            let cached = if cached.is_none() {
                None
            } else if cached.get_type_ptr() == std::ptr::addr_of_mut!(ffi::PyFloat_Type) {
                // SAFETY: exactly a float.
                Some(unsafe { ffi::PyFloat_AsDouble(cached.as_ptr()) })
            } else {
                return None; // something else stored there: CPython's method
            };
            obj.setattr(name, py.None()).ok()?;
            let z = match cached {
                Some(z) => z,
                None => {
                    let x2pi = mt.random() * std::f64::consts::TAU;
                    // SAFETY: libm's functions, as CPython's `math` calls them for finite floats.
                    let (g2rad, c, s) = unsafe {
                        (
                            (-2.0 * libm::log(1.0 - mt.random())).sqrt(),
                            libm::cos(x2pi),
                            libm::sin(x2pi),
                        )
                    };
                    let second = pyo3::types::PyFloat::new(py, s * g2rad);
                    if let Err(e) = obj.setattr(name, second) {
                        e.restore(py);
                        return Some(crate::runtime::ERROR);
                    }
                    c * g2rad
                }
            };
            (flt(0, mi) + z * flt(1, si)).to_bits()
        }
        // `seq[self._randbelow(len(seq))]`; an empty list raises in CPython's call.
        MtOp::Choice(e) => {
            let list = slots[0] as *mut ffi::PyObject;
            // SAFETY: the slot holds a live list (an argument or arena-owned); the GIL is held.
            let n = unsafe { ffi::Py_SIZE(list) } as u64;
            if n == 0 || n >= 1 << 62 {
                return None;
            }
            let j = mt.below(n);
            // SAFETY: as above; `j < n`, so the item is a borrowed reference to a live object.
            let o = unsafe { ffi::PyList_GetItem(list, j as ffi::Py_ssize_t) };
            // SAFETY: `o` is live; the GIL is held; `ctx` and `out` per the contract.
            return Some(unsafe { choice_result(ctx, e, o, out) });
        }
        // `for i in reversed(range(1, len(x))): j = _randbelow(i + 1); x[i], x[j] = x[j], x[i]`
        MtOp::Shuffle => {
            let list = slots[0] as *mut ffi::PyObject;
            // SAFETY: the slot holds a live list; the GIL is held, and nothing
            // below runs Python code (the swapped items keep a reference each).
            unsafe {
                let n = ffi::Py_SIZE(list) as u64;
                if n >= 1 << 62 {
                    return None;
                }
                for i in (1..n).rev() {
                    let j = mt.below(i + 1);
                    let a = ffi::PyList_GetItem(list, i as ffi::Py_ssize_t);
                    let b = ffi::PyList_GetItem(list, j as ffi::Py_ssize_t);
                    ffi::Py_INCREF(a);
                    ffi::Py_INCREF(b);
                    // (each steals the reference taken; the one it replaces is still held by the list)
                    ffi::PyList_SetItem(list, i as ffi::Py_ssize_t, b);
                    ffi::PyList_SetItem(list, j as ffi::Py_ssize_t, a);
                }
            }
            return Some(OK); // (None: no result slot)
        }
    };
    // SAFETY: `out` has room for the result's one slot.
    unsafe { *out = bits };
    Some(OK)
}

/// The chosen element `o` as compiled code's result of type `e`: its slot in
/// `out`, or (not of that type: a big int, a float in a list of ints) the
/// object handed to the interpreter, as a call into Python's result would be.
///
/// # Safety
/// `o` is a live object; the GIL is held; `out` has room for one slot.
unsafe fn choice_result(ctx: &mut Ctx, e: Elem, o: *mut ffi::PyObject, out: *mut u64) -> i32 {
    // SAFETY: see the function's contract.
    unsafe {
        match e {
            Elem::Float if ffi::PyFloat_CheckExact(o) != 0 => {
                *out = ffi::PyFloat_AsDouble(o).to_bits();
                return OK;
            }
            Elem::Int if ffi::PyLong_CheckExact(o) != 0 => {
                let mut overflow = 0;
                let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
                if overflow == 0 {
                    *out = v as u64;
                    return OK;
                }
            }
            Elem::Bool if o == ffi::Py_True() || o == ffi::Py_False() => {
                *out = u64::from(o == ffi::Py_True());
                return OK;
            }
            _ => {}
        }
        let py = Python::assume_attached();
        let obj = Bound::from_borrowed_ptr(py, o);
        let mut v = Vec::new();
        match crate::boxing::unbox_value(py, &e.ty(), &obj, &mut v) {
            Ok(true) => {
                *out = v[0];
                OK
            }
            Ok(false) => {
                ctx.pending = Some(obj.unbind());
                crate::runtime::DEOPT_AFTER
            }
            Err(err) => {
                err.restore(py);
                crate::runtime::ERROR
            }
        }
    }
}
