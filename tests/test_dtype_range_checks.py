"""Range checks the compiler leaves out because they cannot fail, compared
with plain NumPy on random and edge inputs (value, type, dtype, warnings and
exceptions):

* ``np.<int dtype>(x)`` of a Python int that ``ranges`` proves inside the
  dtype (``(int(h) * 16777619) & 0xFFFFFFFF``, ``x & 0xFF``) needs no
  OverflowError check; unproven ones (``int(a[i]) + 200`` into uint8) keep it;
* ``np.uint32(v)`` of a NumPy int whose dtype fits (``uint8`` into ``uint32``)
  is the value itself; one that may not fit (``int8`` into ``uint16``) still
  goes NumPy's way;
* ``& | ^`` of two NumPy ints of a narrow dtype (or one and a Python int that
  fits it) cannot leave the dtype; a Python int that does not fit still
  raises as NumPy does.

Each kernel must compile natively (a ``PerformanceWarning`` fails the test).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import rng_for
from test_int_dtypes import check

NARROW = [np.int8, np.int16, np.uint8, np.uint16, np.uint32, np.int32]


def fnv1a_u32(data):
    h = np.uint32(2166136261)
    for i in range(data.shape[0]):
        h ^= np.uint32(data[i])
        h = np.uint32((int(h) * 16777619) & 0xFFFFFFFF)
    return h


def masked_u8(a, k):
    out = np.empty(a.shape[0], np.uint8)
    for i in range(a.shape[0]):
        out[i] = np.uint8((int(a[i]) * k - 7) & 0xFF)
    return out


def masked_i8(a):
    # [0, 255] does not fit int8: the check stays (OverflowError past 127).
    s = 0
    for i in range(a.shape[0]):
        s += int(np.int8(int(a[i]) & 0xFF))
    return s


def plus_200_u8(a):
    # int(a[i]) + 200 is in [200, 455]: unproven, checked.
    s = 0
    for i in range(a.shape[0]):
        s += int(np.uint8(int(a[i]) + 200))
    return s


def in_range_u16(a):
    # int(a[i]) of uint8 plus 1000 is in [1000, 1255]: fits uint16 and int16.
    s = np.uint16(0)
    t = np.int16(0)
    for i in range(a.shape[0]):
        s ^= np.uint16(int(a[i]) + 1000)
        t ^= np.int16(int(a[i]) + 1000)
    return s, t


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_fnv1a(n):
    data = rng_for(f"fnv{n}").integers(0, 256, n, dtype=np.uint8)
    check(fnv1a_u32, data)
    check(fnv1a_u32, np.full(n, 255, np.uint8))


@pytest.mark.parametrize("k", [0, 1, 3, -5, 2**40, -(2**40)])
def test_masked_conversion(k):
    a = rng_for(f"mask{k}").integers(-(2**31), 2**31, 300, dtype=np.int64)
    a[:4] = [0, -1, 2**31 - 1, -(2**31)]
    check(masked_u8, a, k)
    check(masked_u8, a[:0], k)


def test_unproven_conversions_still_raise():
    for dt in [np.uint8, np.int16, np.int64]:
        a = np.arange(0, 256, 17).astype(dt)
        check(masked_i8, a)
        check(masked_i8, a[a < 128])
    u8 = np.arange(0, 256, 5).astype(np.uint8)
    check(plus_200_u8, u8)
    check(plus_200_u8, u8[u8 < 56])
    check(plus_200_u8, u8[:0])
    check(in_range_u16, u8)
    check(in_range_u16, u8[:0])


def widen(a, out):
    for i in range(a.shape[0]):
        out[i] = np.uint32(a[i]) + np.uint32(np.int32(np.int16(a[i])) > 0)
    return out


def to_u16(a):
    s = 0
    for i in range(a.shape[0]):
        s += int(np.uint16(a[i]))
    return s


def to_i16(a):
    s = 0
    for i in range(a.shape[0]):
        s += int(np.int16(a[i]))
    return s


@pytest.mark.parametrize("dt", [np.uint8, np.uint16, np.int8, np.int16, np.int32, np.uint32])
def test_numpy_int_conversions(dt):
    info = np.iinfo(dt)
    a = rng_for(f"conv{dt.__name__}").integers(info.min, int(info.max) + 1, 200).astype(dt)
    a[:3] = [info.min, info.max, 0]
    if np.dtype(dt).itemsize <= 2:
        check(widen, a, np.zeros(a.shape[0], np.uint32))
    check(to_u16, a)   # fits for uint8/uint16; int8 wraps; wider ones: NumPy's way
    check(to_i16, a)
    check(to_u16, a[:0])


def bitops(a, b):
    x = a[0] & b[0]
    y = a[0] | b[0]
    z = a[0] ^ b[0]
    for i in range(1, a.shape[0]):
        x = x ^ (a[i] & b[i])
        y = y & (a[i] | b[i])
        z = z | (a[i] ^ b[i])
    return x, y, z


def bitops_py(a, k):
    x = a[0] ^ k
    for i in range(1, a.shape[0]):
        x = (x & a[i]) | k
        x ^= a[i]
    return x


@pytest.mark.parametrize("da", NARROW)
@pytest.mark.parametrize("db", NARROW)
def test_bitwise_ops(da, db):
    ia, ib = np.iinfo(da), np.iinfo(db)
    rng = rng_for(f"bit{da.__name__}{db.__name__}")
    a = rng.integers(ia.min, int(ia.max) + 1, 64).astype(da)
    b = rng.integers(ib.min, int(ib.max) + 1, 64).astype(db)
    a[:2] = [ia.min, ia.max]
    b[:2] = [ib.max, ib.min]
    check(bitops, a, b)


@pytest.mark.parametrize("da", NARROW)
@pytest.mark.parametrize("k", [0, 1, 5, -1, 127, 128, 255, 256, -129, 65535, 2**31, -(2**31) - 1])
def test_bitwise_with_python_ints(da, k):
    info = np.iinfo(da)
    a = rng_for(f"bitpy{da.__name__}{k}").integers(info.min, int(info.max) + 1, 32).astype(da)
    check(bitops_py, a, k)


# ---- checked + and - of a constant (the result compared with the operand) ----

def add_consts(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] + 1
    return out


def sub_consts(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] - 3
    return out


def add_neg_const(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = -2 + a[i]
    return out


def sub_neg_const(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] - (-5)
    return out


def py_counter(start, n):
    c = start
    for _ in range(n):
        c += 7
        c = c - 1
    return c


def py_down(start, n):
    c = start
    for _ in range(n):
        c -= 1000
    return c


@pytest.mark.parametrize("dt", [np.int64, np.int32])
@pytest.mark.parametrize("fn", [add_consts, sub_consts, add_neg_const, sub_neg_const])
def test_const_add_overflow_edges(dt, fn):
    info = np.iinfo(dt)
    edges = [info.max, info.max - 1, info.max - 5, info.min, info.min + 1, info.min + 4, 0, -1, 1]
    a = np.array(edges, dtype=dt)
    check(fn, a)
    for e in edges:
        check(fn, np.array([0, e, 0], dtype=dt))
    check(fn, a[:0])


@pytest.mark.parametrize("start", [0, 2**63 - 100, 2**63 - 7, -(2**63), -(2**63) + 2000, 2**63 - 1])
def test_python_int_counters_overflow_into_big_ints(start):
    check(py_counter, start, 30)
    check(py_down, start, 3)


# ---- narrow elements loaded widened: as indexes and as values ----

def hist_signed(a):
    h = np.zeros(256, np.int64)
    for i in range(a.shape[0]):
        h[a[i]] += 1     # negative int8/int16 values count from the end
    return h


def mixed_uses(a):
    s = 0
    t = a[0]
    for i in range(a.shape[0]):
        v = a[i]
        s += int(v) * 3
        t = t ^ v
    return s, t


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32])
def test_narrow_loads(dt):
    info = np.iinfo(dt)
    rng = rng_for(f"loads{dt.__name__}")
    lo, hi = max(int(info.min), -128), min(int(info.max), 255)
    a = rng.integers(lo, hi + 1, 500).astype(dt)
    check(hist_signed, a)
    check(hist_signed, a[::-3])
    b = rng.integers(info.min, int(info.max) + 1, 200).astype(dt)
    b[:2] = [info.min, info.max]
    check(mixed_uses, b)
    if np.dtype(dt).itemsize <= 2:
        check(hist_signed, np.array([info.max], dt))   # 255/32767: out of range (IndexError)


# ---- the range check of a Python int stored into (or converted to) a narrow dtype ----

def store_plus(out, vals, k):
    for i in range(vals.shape[0]):
        out[i] = int(vals[i]) + k
    return out


def convert_each(vals, t):
    s = 0
    for i in range(vals.shape[0]):
        s += int(t(int(vals[i]) - 1))
    return s


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32])
def test_stores_at_the_dtype_edges(dt):
    info = np.iinfo(dt)
    lo, hi = int(info.min), int(info.max)
    for v in [lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, 0, -1, 2**32, -(2**32), 2**63 - 2, -(2**63)]:
        vals = np.array([0, v], dtype=np.int64)
        check(store_plus, np.zeros(2, dt), vals, 1)
        check(store_plus, np.zeros(2, dt), vals, 0)
        check(convert_each, vals, dt)


def moving_sum(a, w):
    out = np.zeros(a.shape[0] - w + 1, np.int32)
    for i in range(out.shape[0]):
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


@pytest.mark.parametrize("w", [1, 3, 8, 9, 40])
def test_window_sums_into_int32(w):
    rng = rng_for(f"win{w}")
    a = rng.integers(-3000, 3000, 200).astype(np.int16)
    check(moving_sum, a, w)
    big = np.full(100, 2**31 // 50 + 7, np.int64)   # window sums past int32: OverflowError
    check(moving_sum, big, w)
    if w > 1:
        check(moving_sum, a[: w - 1], w)   # no window: an empty result
