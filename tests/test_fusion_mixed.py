"""Fused expressions over arrays of several dtypes are NumPy's, exactly.

`a_int32 + b_int64`, `u8 * i16`, `a_int32 * 0.5`, `a_i16 + b_f64`,
`f32 + f64`, `a ** b` of int arrays: one pass, no temporaries, each leaf
read in its own element size and converted as NumPy's cast converts it to
the expression's dtype (a narrower int extended, an int made a float, int64
rounded to nearest, float32 widened, a bool 0 or 1), then the operations in
that dtype, so the result is NumPy's value, dtype and shape. Every case runs
plain and compiled and compares value (bit for bit), dtype, shape, strides,
warnings and exceptions, over every pair of dtypes, the operators, layouts
(C, strided, reversed, 0-d, empty, broadcast) and edge values; then the
expressions that fuse are checked to make no call into NumPy.
"""

from __future__ import annotations

import numpy as np
import pyston
import pytest
from helpers import assert_same_all

pycalls = pyston._pyston.pycall_count

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOATS = [np.float32, np.float64]
ALL = [np.bool_] + INTS + FLOATS


def name(d):
    return np.dtype(d).name


@pyston.fast
def chain(a, b):
    return (a + b) * b - a


@pyston.fast
def arith(a, b):
    return a + b, a * b, a - b


@pyston.fast
def cmps(a, b):
    return a < b, a == b, (a >= b) & (b != a)


@pyston.fast
def div(a, b):
    return a / b + a


@pyston.fast
def floordiv_mod(a, b):
    return a // b + a % b


@pyston.fast
def power(a, b):
    return a**b + a


@pyston.fast
def unary(a, b):
    return -(a * b) + np.abs(a - b)


@pyston.fast
def where(a, b):
    return np.where(a > b, a, b) * a


@pyston.fast
def half(a):
    return a * 0.5 + 1.5


@pyston.fast
def const_powers(a):
    return a**2 - a**3 + a**0


@pyston.fast
def three(a, b, c):
    return (a + b) * c - b


def values(rng, dt, n, small=False, finite=False):
    """`n` values of `dt`: its extremes and neighbours, zeros, and random ones
    (`finite`: no NaN, infinity or float maximum, where the fused loop runs
    to the end instead of taking NumPy's path for the warnings)."""
    dt = np.dtype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(dt)
    if small:
        lo = 0 if dt.kind == "u" else -3
        return rng.integers(lo, 6, n).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        edge = [0, 1, 2, info.max, info.max - 1, info.min, info.min + 1]
        edge += [-1, -2] if info.min < 0 else [3]
        x = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt)
    else:
        info = np.finfo(dt)
        edge = [0.0, -0.0, 1.5, info.tiny, -1.0, 2.0**-20, 3.0]
        edge += [] if finite else [np.nan, np.inf, -np.inf, info.max]
        x = (rng.standard_normal(n) * 100).astype(dt)
    k = min(n, len(edge))
    x[rng.permutation(n)[:k]] = np.array(edge[:k], dtype=dt)
    return x


def layouts(rng, da, db, n=37, small=False):
    """Argument pairs of dtypes `da` and `db` in several layouts."""
    a, b = values(rng, da, n, small), values(rng, db, n, small)
    a2, b2 = values(rng, da, 2 * n, small), values(rng, db, 2 * n, small)
    af, bf = values(rng, da, n, finite=True), values(rng, db, n, finite=True)
    # (2-d: F-ordered operands, where NumPy's result is F-ordered too or not)
    m2, n2 = values(rng, da, 35, finite=True).reshape(5, 7), values(rng, db, 35, finite=True).reshape(5, 7)
    return [
        (m2.T, n2.T),
        (m2.T, np.ascontiguousarray(n2.T)),
        (m2, n2[::-1, ::2][:, :1]),
        (af, bf),
        (af[::-1], bf[:1]),
        (af[:6].reshape(6, 1), bf[:5]),
        (a, b),
        (a2[::2], b2[1::2]),
        (a[::-1], b),
        (np.array(a[0]), np.array(b[1])),
        (a[:0], b[:0]),
        (a[:5].reshape(5, 1), b[:7].reshape(1, 7)),
        (a[:1], b),
        (a.reshape(1, n), b2[:n].reshape(1, n)),
    ]


PAIRS = [(x, y) for x in ALL for y in ALL]
IPAIRS = [(x, y) for x in [np.bool_] + INTS for y in [np.bool_] + INTS]


@pytest.mark.parametrize("da", ALL, ids=name)
def test_arith_every_pair(da, rng):
    for db in ALL:
        cases = layouts(rng, da, db)
        # (bool - bool is NumPy's TypeError at compile time: plain Python)
        both = da is np.bool_ and db is np.bool_
        for f in (chain, arith, cmps, div, unary, where):
            assert_same_all(f, cases, allow_fallback=both)


@pytest.mark.parametrize("da", [np.bool_] + INTS, ids=name)
def test_int_floordiv_mod_power_every_pair(da, rng):
    for db in [np.bool_] + INTS:
        cases = layouts(rng, da, db)
        both = da is np.bool_ and db is np.bool_
        # (zero divisors, the most negative value by -1: NumPy's warnings)
        assert_same_all(floordiv_mod, cases, allow_fallback=both)
        small = layouts(rng, da, db, small=True)
        # (negative exponents: NumPy's ValueError)
        small += [(a, abs(b) if b.dtype.kind == "i" else b) for a, b in small]
        assert_same_all(power, small, allow_fallback=both)
        assert_same_all(power, cases[:5], allow_fallback=both)


def test_float_floordiv_and_power_pairs(rng):
    for da, db in [
        (np.float32, np.float64),
        (np.int16, np.float32),
        (np.int32, np.float64),
        (np.uint8, np.float32),
    ]:
        cases = layouts(rng, da, db, small=True)
        assert_same_all(floordiv_mod, cases)
        assert_same_all(power, cases)


@pytest.mark.parametrize("dt", [np.bool_] + INTS + FLOATS, ids=name)
def test_python_float_and_int_powers(dt, rng):
    cases = [(x,) for x, _ in layouts(rng, dt, dt)]
    assert_same_all(half, cases)
    # (bool ** int is NumPy's int8 power... of bools: plain Python where it cannot compile)
    assert_same_all(const_powers, cases, allow_fallback=dt is np.bool_)


def test_three_dtypes(rng):
    trios = [
        (np.int8, np.int32, np.int64),
        (np.uint8, np.int16, np.float32),
        (np.float32, np.int32, np.float64),
        (np.bool_, np.uint16, np.int32),
        (np.uint32, np.int8, np.float64),
        (np.int64, np.uint64, np.float64),
    ]
    for da, db, dc in trios:
        a, b, c = values(rng, da, 40), values(rng, db, 40), values(rng, dc, 40)
        cases = [(a, b, c), (a[::-1], b[::2], c[:20]), (a[:8].reshape(8, 1), b[:5], c[:5].reshape(1, 5))]
        assert_same_all(three, cases)


def test_intermediates_keep_their_dtype(rng):
    # (`a_i8 * b_i8` wraps around in int8 before the int64 addition; float32
    # products are rounded to float32 before the float64 addition)
    a = np.array([100, -100, 127, -128] * 5, dtype=np.int8)
    c = np.arange(20, dtype=np.int64)
    assert_same_all(three, [(a, a, c)])
    x = np.float32([1.1, 3.3, 1e30, 7.7] * 5)
    assert_same_all(three, [(x, x, np.arange(20, dtype=np.float64) / 7)])


FUSED = [
    (chain, np.int32, np.int64),
    (chain, np.uint8, np.int16),
    (chain, np.int8, np.int64),
    (chain, np.float32, np.float64),
    (chain, np.int16, np.float64),
    (chain, np.int32, np.float64),
    (chain, np.bool_, np.int32),
    (chain, np.int16, np.float32),
    (chain, np.uint32, np.int32),
    (chain, np.uint16, np.float64),
    (arith, np.int8, np.uint8),
    (cmps, np.int16, np.int64),
    (cmps, np.uint8, np.float32),
    (cmps, np.float32, np.float64),
    (div, np.int32, np.float64),
    (div, np.int16, np.int32),
    (unary, np.uint8, np.int32),
    (where, np.int32, np.int64),
    (where, np.float32, np.float64),
    (floordiv_mod, np.int32, np.int64),
    (floordiv_mod, np.uint8, np.uint16),
    (power, np.int32, np.int32),
    (power, np.int16, np.int64),
    (power, np.uint8, np.uint8),
    (power, np.int8, np.int8),
]


@pytest.mark.parametrize("f,da,db", FUSED, ids=[f"{f.__name__}-{name(x)}-{name(y)}" for f, x, y in FUSED])
def test_fused_makes_no_call_into_numpy(f, da, db, rng):
    for shape_a, shape_b in [((40,), (40,)), ((6, 1), (1, 9)), ((5, 8), (8,))]:
        a = rng.integers(1, 6, shape_a).astype(da)
        b = rng.integers(1, 6, shape_b).astype(db)
        for x, y in [(a, b), (a[..., ::-1], b)]:
            assert_same_all(f, [(x, y)])
            f(x, y)
            n = pycalls()
            f(x, y)
            assert pycalls() - n == 0, (f.__name__, x.dtype, y.dtype, x.shape, y.shape)


@pytest.mark.parametrize("dt", [np.int32, np.int64, np.uint32, np.int16], ids=name)
def test_scalar_forms_fused(dt, rng):
    a = rng.integers(1, 6, 50).astype(dt)
    for f in (half, const_powers) if np.dtype(dt).itemsize >= 4 else (const_powers,):
        f(a)
        n = pycalls()
        f(a)
        assert pycalls() - n == 0, (f.__name__, dt)


def test_negative_exponent_takes_numpys_path(rng):
    a = rng.integers(1, 6, 30).astype(np.int32)
    b = rng.integers(0, 6, 30).astype(np.int64)
    b[17] = -1
    with pytest.raises(ValueError, match="Integers to negative integer powers are not allowed"):
        power(a, b)
    n = pycalls()
    with pytest.raises(ValueError):
        power(a, b)
    assert pycalls() - n >= 1
