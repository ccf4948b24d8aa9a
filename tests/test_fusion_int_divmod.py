"""Fused integer `//` and `%` and int8/uint8 products are NumPy's, exactly.

`(a * 3 + b) // 7`, `(a - b) % (b + 1)`, `np.floor_divide`, `np.remainder`
of integer arrays of one dtype run in the fused loop (numeric/src/fuse.rs,
`int_divmod`): the quotient rounded down, the remainder of the divisor's
sign. A zero divisor or the most negative value divided by -1 (NumPy warns
"divide by zero" / "overflow" and gives 0 or the value) sends the
expression to NumPy's calls, which warn once each as plain NumPy does; an
in-place `a += e` whose `e` divides is written only after a dry pass. An
int8/uint8 product wraps as NumPy's (`mul_bytes`). Every case runs plain and
compiled: value, dtype, shape, warnings (category, message) and exceptions;
call counts show the fused loop makes no call into NumPy.
"""

from __future__ import annotations

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, rss_bytes, variants

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
pycalls = pyston._pyston.pycall_count


@pyston.fast
def lin_div(a, b):
    return (a * 3 + b) // 7


@pyston.fast
def div_mod(a, b):
    return (a - b) % (b + 1) + a // (b - 2)


@pyston.fast
def np_names(a, b):
    return np.floor_divide(a + 1, b) * np.remainder(a, 5) - np.mod(b, 3)


@pyston.fast
def by_arrays(a, b):
    return (a // b) + (a % b)


@pyston.fast
def by_scalar(a, k):
    return (a + 1) // k - (a % k)


@pyston.fast
def const_divisors(a, b):
    # (constant divisors: by multiplication; beyond a dtype's range: NumPy's calls)
    return a // -3 + a % 10 - (b // 16) * (b % 100) + a // 127 - a % -7


@pyston.fast
def const_big(a, b):
    return a // 1000003 + b % 65537 - a // -(2**40)


@pyston.fast
def mul_wrap(a, b):
    return a * b + a * 3


@pyston.fast
def inplace_div(a, b):
    a += b // 3 + 1
    return a


@pyston.fast
def inplace_mul(a, b):
    a *= b + 1
    return a


@pyston.fast
def cmp_of_div(a, b):
    return (a // 4) > (b % 3)


def full_range(rng, shape, dtype):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def nonzero(rng, shape, dtype):
    x = full_range(rng, shape, dtype)
    x[x == 0] = 1
    return x


def edges(dtype, n):
    info = np.iinfo(dtype)
    vals = [0, 1, 2, 3, 7, info.max, info.max - 1, info.min, info.min + 1]
    if info.min < 0:
        vals += [-1, -2, -7]
    return np.array([vals[i % len(vals)] for i in range(n)], dtype=dtype)


@pytest.mark.parametrize("dt", INTS, ids=lambda d: np.dtype(d).name)
def test_every_int_dtype(dt, rng):
    cases = []
    for n in [0, 1, 7, 16, 17, 33, 100]:
        cases.append((full_range(rng, n, dt), full_range(rng, n, dt)))
        cases.append((full_range(rng, n, dt), nonzero(rng, n, dt)))
        e = edges(dt, n)
        cases.append((e, e[::-1].copy()))
        cases.append((e, np.roll(e, 3)))
    fs = [lin_div, div_mod, np_names, by_arrays, mul_wrap, cmp_of_div]
    # (constants out of a dtype's range make NumPy raise when typing: plain Python then)
    fs += [const_divisors] if np.iinfo(dt).min < 0 else []
    fs += [const_big] if dt is np.int64 else []
    for f in fs:
        assert_same_all(f, cases)


@pytest.mark.parametrize("dt", INTS, ids=lambda d: np.dtype(d).name)
def test_min_by_minus_one_and_zero(dt):
    info = np.iinfo(dt)
    a = np.array([info.min, info.max, 5, 0, info.min, 3] * 3, dtype=dt)
    b = np.array([-1 if info.min < 0 else 0, 0, 2, 0, 1, info.max] * 3, dtype=dt)
    assert_same(by_arrays, a, b)
    assert_same(by_arrays, a, np.ones_like(a))
    # (warned once each, as NumPy warns)
    assert_same(div_mod, a, b)


@pytest.mark.parametrize("dt", [np.int8, np.int32, np.int64, np.uint16, np.uint64], ids=lambda d: np.dtype(d).name)
def test_scalar_divisors(dt, rng):
    a = full_range(rng, 50, dt)
    ks = [1, 2, 3, 7, 100, 127, -1, -3, -128, 0, 255, 256, 2**31, -(2**63), 2**64 - 1, True]
    assert_same_all(by_scalar, [(a, k) for k in ks])


@pytest.mark.parametrize("dt", [np.int16, np.int64, np.uint8], ids=lambda d: np.dtype(d).name)
def test_layouts_and_broadcasting(dt, rng):
    base_a = full_range(rng, (6, 5), dt)
    base_b = nonzero(rng, (6, 5), dt)
    for (_, a), (_, b) in zip(variants(base_a), variants(base_b)):
        assert_same(by_arrays, a, b)
        assert_same(lin_div, a, b)
    assert_same(by_arrays, base_a, nonzero(rng, (5,), dt))
    assert_same(by_arrays, base_a, nonzero(rng, (6, 1), dt))
    assert_same(by_arrays, base_a[:0], base_b[:0])
    assert_same(by_arrays, np.array(7, dtype=dt), np.array(3, dtype=dt))
    assert_same(by_arrays, base_a, nonzero(rng, (4,), dt))  # (shapes that do not broadcast)


@pytest.mark.parametrize("dt", INTS, ids=lambda d: np.dtype(d).name)
def test_inplace(dt, rng):
    for n in [0, 5, 40]:
        a, b = full_range(rng, n, dt), full_range(rng, n, dt)
        assert_same(inplace_div, a, b)
        assert_same(inplace_mul, a, b)
    # (a division by zero in the middle: nothing written before NumPy's calls)
    a = full_range(rng, 40, dt)
    assert_same(inplace_div, a, a.copy())


def test_mixed_dtypes_are_numpys(rng):
    a = full_range(rng, 30, np.int32)
    b = nonzero(rng, 30, np.int64)
    c = nonzero(rng, 30, np.uint8)
    assert_same(by_arrays, a, b)
    assert_same(by_arrays, c, a)
    assert_same(by_arrays, a, nonzero(rng, 30, np.uint64))


FUSED = [
    (lin_div, np.int64),
    (const_divisors, np.int64),
    (const_divisors, np.int16),
    (const_big, np.int64),
    (lin_div, np.int8),
    (lin_div, np.uint32),
    (div_mod, np.int16),
    (np_names, np.int64),
    (by_arrays, np.uint8),
    (mul_wrap, np.int8),
    (mul_wrap, np.uint8),
    (cmp_of_div, np.int32),
]


@pytest.mark.parametrize("f,dt", FUSED, ids=lambda x: getattr(x, "__name__", None) or np.dtype(x).name)
def test_fused_makes_no_call_into_numpy(f, dt, rng):
    a = rng.integers(0, 100, (8, 9)).astype(dt)
    b = rng.integers(4, 100, (8, 9)).astype(dt)
    assert_same(f, a, b)
    f(a, b)
    n = pycalls()
    f(a, b)
    assert pycalls() - n == 0


def test_zero_divisor_takes_numpys_path(rng):
    a = rng.integers(0, 100, 20).astype(np.int64)
    b = rng.integers(1, 100, 20).astype(np.int64)
    b[7] = 0
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        by_arrays(a, b)
    n = pycalls()
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        by_arrays(a, b)
    assert pycalls() - n >= 1


def test_memory_flat(rng):
    a = rng.integers(-1000, 1000, 5000).astype(np.int64)
    b = rng.integers(3, 100, 5000).astype(np.int64)
    div_mod(a, b)
    before = rss_bytes()
    for _ in range(3000):
        div_mod(a, b)
    assert rss_bytes() - before < 4 << 20
