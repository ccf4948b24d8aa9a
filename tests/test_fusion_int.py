"""Fused expressions of integer and bool arrays are NumPy's, exactly.

`(a * 3 + b) & 0xff` of int arrays, `(x > 0) & (y < 5)` of float or int
arrays (a bool array), `np.where(a > b, a, b)` of ints, `m & ~n` of bool
arrays: one pass, no temporaries, when every array has the expression's
dtype and every Python int scalar lies within that dtype's range (where
NumPy 1.26's value-based casting and NumPy 2's weak Python ints agree on the
array's dtype); else NumPy's own calls (a promotion, NumPy 2's OverflowError).
Integer `+ - * << >>` wrap around as NumPy's loops do, with no warning.
Every case runs plain and compiled and compares value, dtype, shape, strides,
warnings and exceptions.
"""

from __future__ import annotations

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, variants

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


@pyston.fast
def lin_mask(a, b):
    return (a * 3 + b) & 0x7F


@pyston.fast
def bit_mix(a, b):
    return np.abs(a - b) ^ ~a | -b


@pyston.fast
def with_scalar(a, k):
    return (a + k) - (a & k)


@pyston.fast
def shifts(a, s):
    return ((a + a) >> 2) & 0x7F, (a << s) | (a >> s)


@pyston.fast
def negs(a, b):
    return np.negative(a) + np.absolute(b) - np.invert(a)


@pyston.fast
def cmp_mask(x, y, lo, hi):
    return (x > lo) & (y < hi)


@pyston.fast
def cmp_all(a, b):
    return (a == b) | ~(a <= b) ^ (a != 3), (a >= b) & (a < 7)


@pyston.fast
def cmp_expr(a, b):
    return (a - b) > (b + 1)


@pyston.fast
def bool_ops(m, n):
    return m & ~n | (m ^ n)


@pyston.fast
def where_int(a, b):
    return np.where(a > b, a, b) + 1


@pyston.fast
def where_mask(x, y, a, b):
    return np.where((x > 0) & (y < 5), a, b - 1)


@pyston.fast
def add(a, b):
    return a + b


@pyston.fast
def gt(a, b):
    return a > b


def full_range(rng, shape, dtype):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def edges(dtype, n):
    """The dtype's extremes and their neighbours (wrap-around in `+ - *`), cycled to `n` values."""
    info = np.iinfo(dtype)
    vals = [0, 1, 2, 3, info.max, info.max - 1, info.min, info.min + 1, info.max // 2 + 1]
    if info.min < 0:
        vals += [-1, -2]
    return np.array([vals[i % len(vals)] for i in range(n)], dtype=dtype)


@pytest.mark.parametrize("dt", INTS, ids=lambda d: np.dtype(d).name)
def test_elementwise_every_int_dtype(dt, rng):
    cases = []
    for n in [0, 1, 7, 16, 17, 33, 100]:
        a, b = full_range(rng, n, dt), full_range(rng, n, dt)
        cases.append((a, b))
        cases.append((edges(dt, n), edges(dt, n)[::-1].copy()))
    for f in (lin_mask, bit_mix, negs, cmp_all, cmp_expr, where_int, add, gt):
        assert_same_all(f, cases)


SCALARS = [0, 1, -1, 3, 127, 128, -128, -129, 255, 256, 65535, 65536, 2**31 - 1, 2**31, -(2**31), 2**32]
SCALARS += [2**63 - 1, -(2**63), 2**63, 2**64 - 1, -(2**64), True, False]


@pytest.mark.parametrize("dt", INTS, ids=lambda d: np.dtype(d).name)
def test_python_int_scalars_at_the_edges(dt, rng):
    # (within the dtype's range: its dtype in both NumPy versions; beyond it
    # NumPy 1.26 promotes and NumPy 2 raises OverflowError: NumPy's calls)
    a = full_range(rng, 40, dt)
    assert_same_all(with_scalar, [(a, k) for k in SCALARS])
    assert_same_all(cmp_mask, [(a, a[::-1].copy(), k, k) for k in SCALARS])
    assert_same_all(shifts, [(a, s) for s in [0, 1, 3, 7, 8, 15, 16, 31, 32, 63, 64, 65, 100, -1, -64]])


def test_shift_amounts_beyond_the_width():
    # (NumPy: a shift by the lane's width or more, or a negative amount, is 0,
    # or -1 for `>>` of a negative signed value)
    for dt in INTS:
        a = edges(dt, 20)
        for s in [-1, 0, 1, 7, 8, 9, 16, 31, 32, 63, 64]:
            assert_same(shifts, a, s)


@pytest.mark.parametrize("dt", [np.float64, np.float32] + INTS, ids=lambda d: np.dtype(d).name)
def test_comparisons_make_bool_arrays(dt, rng):
    if np.dtype(dt).kind == "f":
        x = rng.standard_normal(50).astype(dt)
        x[::7] = np.nan
        x[3] = np.inf
        x[5] = -np.inf
        y = rng.standard_normal(50).astype(dt)
        y[::5] = np.nan
    else:
        x, y = full_range(rng, 50, dt), full_range(rng, 50, dt)
        y[::3] = x[::3]
    cases = [(x[:n], y[:n]) for n in [0, 1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 31, 32, 33, 50]]
    for f in (gt, cmp_all, cmp_expr):
        assert_same_all(f, cases)
    assert_same_all(cmp_mask, [(x, y, 0, 5), (x, y, 0.5, -0.25), (x, y, -1, 2)])


def test_bool_arrays(rng):
    m = rng.integers(0, 2, 77).astype(bool)
    n = rng.integers(0, 2, 77).astype(bool)
    cases = [(m[:k], n[:k]) for k in [0, 1, 15, 16, 17, 77]]
    # (bytes other than 0 and 1 seen as bool: NumPy's logical operations on them)
    raw = rng.integers(0, 256, 77, dtype=np.uint8).view(bool)
    cases += [(raw, n), (m, raw)]
    assert_same_all(bool_ops, cases)


@pytest.mark.parametrize("dt", [np.int64, np.int32, np.uint8, np.int16, np.uint64], ids=lambda d: np.dtype(d).name)
def test_where_of_ints(dt, rng):
    a, b = full_range(rng, 41, dt), full_range(rng, 41, dt)
    x, y = rng.standard_normal(41), rng.standard_normal(41) * 5
    assert_same_all(where_int, [(a, b), (a[:1], b[:1]), (a[:0], b[:0])])
    assert_same_all(where_mask, [(x, y, a, b), (x, y, a[:1], b), (x.astype(np.float32), y, a, b)])


MIXED = [
    (np.int32, np.int64),
    (np.int64, np.int32),
    (np.uint8, np.int8),
    (np.uint64, np.int64),
    (np.int64, np.float64),
    (np.int32, np.float32),
    (np.int16, np.bool_),
    (np.bool_, np.bool_),
]


@pytest.mark.parametrize("da,db", MIXED, ids=lambda d: np.dtype(d).name)
def test_mixed_dtypes_are_numpys(da, db, rng):
    a = (rng.integers(-100, 100, 30)).astype(da)
    b = (rng.integers(-100, 100, 30)).astype(db)
    # (a TypeError of NumPy's, `uint64 & int64`, `bool - bool`: the interpreter tier raises it)
    for f in (lin_mask, bit_mix, add, gt, cmp_expr, where_int):
        assert_same_all(f, [(a, b), (b, a)], allow_fallback=True)


SHAPES = [
    ((), ()),
    ((5,), ()),
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),
    ((1, 4), (3, 1)),
    ((2, 3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((0, 3), (3,)),
    ((4, 0), (4, 1)),
    ((3, 4), (2, 4)),  # NumPy's broadcast error
]


@pytest.mark.parametrize("sa,sb", SHAPES, ids=str)
def test_shapes(sa, sb, rng):
    a = full_range(rng, sa, np.int64)
    b = full_range(rng, sb, np.int64)
    c = rng.integers(0, 2, sa).astype(bool)
    d = rng.integers(0, 2, sb).astype(bool)
    for f in (lin_mask, bit_mix, gt, cmp_expr, where_int, add):
        assert_same(f, a, b)
    assert_same(bool_ops, c, d)
    assert_same(cmp_mask, a.astype(np.float64), b.astype(np.float64), 0, 1)


@pytest.mark.parametrize("dt", [np.int64, np.int32, np.uint16, np.int8], ids=lambda d: np.dtype(d).name)
def test_layouts(dt, rng):
    base_a = full_range(rng, (6, 10), dt)
    base_b = full_range(rng, (6, 10), dt)
    cases = [(va, vb) for (_, va) in variants(base_a) for (_, vb) in variants(base_b)]
    for f in (bit_mix, gt, cmp_expr, where_int):
        assert_same_all(f, cases)
    m = rng.integers(0, 2, (6, 10)).astype(bool)
    assert_same_all(bool_ops, [(vm, m) for _, vm in variants(m)])


FUSED = [
    (lin_mask, np.int64),
    (lin_mask, np.int32),
    (lin_mask, np.uint16),
    (bit_mix, np.int64),
    (bit_mix, np.int16),
    (bit_mix, np.uint8),
    (bit_mix, np.uint64),
    (negs, np.int32),
    (cmp_expr, np.int64),
    (cmp_expr, np.float64),
    (cmp_expr, np.float32),
    (cmp_expr, np.int16),
    (where_int, np.int64),
    (where_int, np.uint32),
]


@pytest.mark.parametrize("f,dt", FUSED, ids=lambda x: getattr(x, "__name__", None) or np.dtype(x).name)
def test_fused_makes_no_call_into_numpy(f, dt, rng):
    from pyston import _pyston as P

    a = rng.integers(0, 100, (8, 9)).astype(dt)
    b = rng.integers(0, 100, (8, 9)).astype(dt)
    assert_same(f, a, b)
    f(a, b)
    n = P.pycall_count()
    f(a, b)
    assert P.pycall_count() - n == 0


def test_masks_and_scalars_make_no_call_into_numpy(rng):
    from pyston import _pyston as P

    x, y = rng.standard_normal(100), rng.standard_normal(100)
    a, b = rng.integers(0, 9, 100), rng.integers(0, 9, 100)
    m, k = x > 0, y > 0
    for f, args in [
        (cmp_mask, (x, y, 0.0, 1.0)),
        (cmp_mask, (a, b, 3, 5)),
        (bool_ops, (m, k)),
        (where_mask, (a - 4, b, a, b)),  # (a float condition over int branches: not fused)
        (with_scalar, (a, 7)),
        (shifts, (a, 3)),
    ]:
        assert_same(f, *args)
        f(*args)
        n = P.pycall_count()
        f(*args)
        assert P.pycall_count() - n == 0, f.__name__


def test_out_of_range_scalars_take_numpys_path(rng):
    from pyston import _pyston as P

    a = rng.integers(0, 9, 100).astype(np.int32)
    assert_same(with_scalar, a, 2**40)
    with_scalar(a, 5)
    n = P.pycall_count()
    try:
        with_scalar(a, 2**40)  # (NumPy 1.26: int64; NumPy 2: OverflowError)
    except OverflowError:
        pass
    assert P.pycall_count() - n >= 1


def test_disabling_fusion_makes_calls(rng, monkeypatch):
    from pyston import _pyston as P

    a, b = rng.integers(0, 9, 50), rng.integers(0, 9, 50)
    want = lin_mask(a, b)
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "fusion")
    f = pyston.fast(lin_mask.py_func)
    assert f(a, b).tobytes() == want.tobytes()
    n = P.pycall_count()
    f(a, b)
    assert P.pycall_count() - n >= 1


@pyston.fast
def int_in_float(a, x):
    return a * 0.5 + x


@pyston.fast
def int_divide(a, b):
    return a / b - 1.0


@pyston.fast
def int_sqrt_where(a, x):
    return np.where(x > 0, np.sqrt(a), x) + a


ROUNDING = [0, 1, -1, 2**53, 2**53 + 1, 2**53 + 3, -(2**53) - 1, 2**62 + 1, 2**63 - 1, -(2**63), 12345678901234567]


@pytest.mark.parametrize("dt", [np.int64, np.uint64], ids=lambda d: np.dtype(d).name)
def test_int64_leaves_of_float_expressions(dt, rng):
    # (each element converted to float64 as NumPy casts it: rounded to nearest)
    vals = [v for v in ROUNDING if np.iinfo(dt).min <= v <= np.iinfo(dt).max]
    if dt == np.uint64:
        vals += [2**63, 2**63 + 1, 2**64 - 1, 2**64 - 1025, 2**63 + 1025]
    a = np.array(vals * 3, dtype=dt)
    x = rng.standard_normal(a.size)
    b = np.array(list(reversed(vals)) * 3, dtype=dt)
    cases = [(a[:n], x[:n]) for n in [0, 1, 2, 3, 5, 16, 17, a.size]]
    assert_same_all(int_in_float, cases)
    assert_same_all(int_sqrt_where, cases)  # (np.sqrt of a negative: NaN, NumPy's warning)
    assert_same_all(int_divide, [(a, b), (a, a), (b[:4], b[:4] * 0)])  # (x / 0: NumPy's warnings)
    # (layouts and broadcasting)
    a2, x2 = a[:30].reshape(5, 6), x[:30].reshape(5, 6)
    cases = [(va, vx) for (_, va) in variants(a2) for (_, vx) in variants(x2)]
    cases += [(a2[:, :1], x2), (a2[0], x2)]
    assert_same_all(int_in_float, cases)


def test_int64_leaves_make_no_call_into_numpy(rng):
    from pyston import _pyston as P

    a = rng.integers(-(2**62), 2**62, 200)
    b = rng.integers(1, 2**40, 200)
    x = rng.standard_normal(200)
    for f, args in [(int_in_float, (a, x)), (int_divide, (a, b)), (int_sqrt_where, (b, x))]:
        assert_same(f, *args)
        f(*args)
        n = P.pycall_count()
        f(*args)
        assert P.pycall_count() - n == 0, f.__name__


@pyston.fast
def reuse_tmp(a, b):
    return (np.maximum(a, b) * 3 + 1) & 0x3F


def test_written_into_a_temporary(rng):
    # (np.maximum's result, used by nothing else: the expression is written into it)
    for dt in [np.int64, np.int32, np.uint16]:
        a, b = full_range(rng, 300, dt), full_range(rng, 300, dt)
        assert_same(reuse_tmp, a, b)
        assert_same(reuse_tmp, a.reshape(20, 15), b.reshape(20, 15))


@pyston.fast
def add_into(a, b, k):
    a += b * 3 - k
    a -= k
    return a


@pyston.fast
def mul_into_view(a, b):
    a[1:] *= a[:-1]
    a[:-1] += b[1:]
    return a


@pytest.mark.parametrize("dt", INTS, ids=lambda d: np.dtype(d).name)
def test_in_place(dt, rng):
    a, b = full_range(rng, 50, dt), full_range(rng, 50, dt)
    cases = [(a.copy(), b, k) for k in [0, 1, -1, 127, 128, 255, 2**31, -(2**63)]]
    cases += [(a.reshape(5, 10).copy(), b.reshape(5, 10), 3), (a.reshape(5, 10).copy(), b[:10], 3)]
    cases += [(a[::2].copy(), b[::-2], 2), (a[:0].copy(), b[:0], 2)]
    assert_same_all(add_into, cases)
    assert_same_all(mul_into_view, [(a.copy(), b), (a[:7].copy(), b[:7]), (a[::-1].copy(), b)])


def test_in_place_makes_no_call_into_numpy(rng):
    from pyston import _pyston as P

    a, b = rng.integers(-100, 100, 200), rng.integers(-100, 100, 200)
    assert_same(add_into, a.copy(), b, 5)
    add_into(a, b, 5)
    n = P.pycall_count()
    add_into(a, b, 5)
    assert P.pycall_count() - n == 0


@pyston.fast
def logical(x, r1, r2, m, n):
    # (a float comparison with a bool array in one expression: not fused, NumPy's calls)
    return np.logical_and(r1 <= x, x < r2), np.logical_or(np.logical_xor(n, m), np.logical_not(m))


def test_logical_functions_of_masks(rng):
    from pyston import _pyston as P

    x = rng.standard_normal(3000)
    x[::11] = np.nan
    m = rng.integers(0, 2, 3000).astype(bool)
    raw = rng.integers(0, 256, 3000, dtype=np.uint8).view(bool)
    k = m[::-1].copy()
    cases = [(x[:n], -0.5, 0.5, m[:n], k[:n]) for n in [0, 1, 15, 16, 17, 100, 3000]]
    cases += [(x, 0.0, 1.0, raw, m), (x, 0.0, 1.0, m, raw), (x.reshape(30, 100), 0.0, 1.0, m[:100], k[:100])]
    assert_same_all(logical, cases)
    logical(x, 0.0, 1.0, m, k)
    c = P.pycall_count()
    logical(x, 0.0, 1.0, m, k)
    assert P.pycall_count() - c == 0
