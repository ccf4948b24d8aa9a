"""Row reductions of fused expressions, and the layout of fused results.

`np.sum(np.abs(x[:, None, :] - y), axis=-1)` (numpy-benchmarks' l1norm) is a
broadcast expression of three dimensions summed over its last axis. The
fusion pass computes it row by row with no temporary array: each row's values
into a scratch row, summed as NumPy sums a row of a C-ordered array along its
last axis (`0.0 + pairwise`). Rows longer than 8192 elements, operands whose
layout would make NumPy's result anything but C-ordered, and non-finite values
take the slow path (NumPy's own calls). Every case is compared with plain
NumPy: value bits, dtype, shape, strides and warnings.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pyston
import pytest

NAN, INF = math.nan, math.inf


@pyston.fast
def l1norm(x, y):
    return np.sum(np.abs(x[:, None, :] - y), axis=-1)


@pyston.fast
def pairwise_dist(pts):
    return np.sum((pts[None, :] - pts[:, None]) ** 2, -1)


@pyston.fast
def row_sums(a):
    return np.sum(a, axis=-1)


@pyston.fast
def row_sums_method(a, b):
    return (a * b).sum(axis=1)


@pyston.fast
def row_means(a, b):
    return np.mean(a - b, axis=-1)


@pyston.fast
def row_means_method(a):
    return a.mean(-1)


@pyston.fast
def keepdims_sum(a, m):
    return np.sum(a - m, axis=-1, keepdims=True)


@pyston.fast
def sqrt_of_row_sums(x):
    return np.sqrt(np.sum(np.square(x), 1))


@pyston.fast
def col_sums(a, b):
    return np.sum(a - b, 0)


@pyston.fast
def col_means(a):
    return np.mean(a, axis=0)


@pyston.fast
def col_sums_keepdims(a, k):
    return (a * k).sum(axis=-2, keepdims=True)


@pyston.fast
def multiple_sum(array):
    # numpy-benchmarks' multiple_sum: a sum over axis 0 per row, stored into a row
    rows = array.shape[0]
    out = np.empty_like(array)
    for row in range(rows):
        out[row, :] = np.sum(array - array[row, :], 0)
    return out


@pyston.fast
def f_order_elementwise(a, b):
    return np.sqrt(a * a + b) - 0.5 * a


@pyston.fast
def lower_rank_leaf(a, v):
    return a * v - np.sqrt(np.abs(v))


def run(f, *args):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = f(*args)
        except Exception as e:  # noqa: BLE001 (compared below)
            return ("raised", type(e).__name__, str(e)), []
    msgs = [(w.category.__name__, str(w.message)) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
    return r, msgs


def check(f, *args):
    got, gw = run(f, *args)
    want, ww = run(f.py_func, *args)
    assert gw == ww
    if isinstance(want, tuple) and want[:1] == ("raised",):
        assert got == want
        return
    assert type(got) is type(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.strides == want.strides
    assert got.tobytes() == want.tobytes()  # bit for bit


def calls_into_numpy(f, *args):
    from pyston import _pyston as P

    f(*args)
    n = P.pycall_count()
    f(*args)
    return P.pycall_count() - n


def scaled(rng, shape):
    """Values of many magnitudes: sums whose rounding depends on the order."""
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, size=shape)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 16, 17, 80, 127, 128, 129, 300, 1000, 8192])
def test_row_lengths(n, rng):
    x, y = scaled(rng, (4, n)), scaled(rng, (3, n))
    check(l1norm, x, y)
    check(row_sums, scaled(rng, (5, n)))
    check(row_sums_method, scaled(rng, (3, n)), scaled(rng, (3, n)))
    check(row_means, scaled(rng, (2, 3, n)), scaled(rng, (n,)))
    check(keepdims_sum, scaled(rng, (3, n)), scaled(rng, (3, 1)))


@pytest.mark.parametrize("shape", [(1, 2), (2, 2), (3, 5), (100, 7), (1000, 3), (9000, 2), (0, 4), (4, 0), (200, 1), (5, 1)])
def test_first_axis(shape, rng):
    # (one column: NumPy sums it pairwise, which the slow path gives)
    a = scaled(rng, shape)
    check(col_sums, a, scaled(rng, shape[1:]))
    check(col_means, a)  # no rows: NumPy's "Mean of empty slice" warning
    check(col_sums_keepdims, a, 3)
    check(col_sums, np.asfortranarray(a), 0.5)
    check(col_means, a[::-1])


def test_multiple_sum(rng):
    a = rng.random((40, 40))
    check(multiple_sum, a)
    assert calls_into_numpy(col_sums, a, a[0]) == 0


def test_first_axis_special_values(rng):
    for bad in (NAN, INF, 1e308):
        a = rng.standard_normal((6, 4))
        a[2, 1] = bad
        a[3, 1] = bad
        check(col_sums, a, 0.0)
        check(col_means, a)
    z = np.array([[-0.0, -0.0, 0.0], [-0.0, 0.0, -0.0]])
    check(col_sums, z, 0.0)
    check(col_means, z)


def test_long_rows_take_numpys_path(rng):
    # (some NumPy versions sum rows longer than their 8192-element buffer in chunks)
    for n in (8193, 20000):
        check(row_sums, scaled(rng, (2, n)))
        check(row_means, scaled(rng, (2, n)), scaled(rng, (2, n)))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (1, 1), (1, 5), (5, 1), (2, 0, 4), (2, 3, 4, 5)])
def test_shapes(shape, rng):
    a = scaled(rng, shape)
    check(row_sums, a)
    check(row_means_method, a)  # an empty row: NumPy's "Mean of empty slice" warning
    check(keepdims_sum, a, 1.5)


def test_l1norm_and_pairwise_distances(rng):
    x, y = rng.random((80, 80)), rng.random((80, 80))
    check(l1norm, x, y)
    assert calls_into_numpy(l1norm, x, y) == 0
    pts = rng.random((50, 3))
    check(pairwise_dist, pts)
    assert calls_into_numpy(pairwise_dist, pts) == 0
    check(sqrt_of_row_sums, rng.standard_normal((30, 7)))


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a,
        lambda a: np.asfortranarray(a),
        lambda a: a[::-1],
        lambda a: a[:, ::-1],
        lambda a: np.repeat(a, 2, axis=1)[:, ::2],
        lambda a: np.repeat(a, 2, axis=0)[::2],
        lambda a: a.T.copy().T,
    ],
)
def test_layouts(make, rng):
    a, b = scaled(rng, (6, 9)), scaled(rng, (6, 9))
    check(row_sums, make(a))
    check(row_sums_method, make(a), b)
    check(row_means, a, make(b))
    check(f_order_elementwise, make(a), b)
    check(f_order_elementwise, make(a), make(b))


def test_f_ordered_operands_give_numpys_f_ordered_result(rng):
    a, b = np.asfortranarray(rng.random((5, 4))), np.asfortranarray(rng.random((5, 4)))
    check(f_order_elementwise, a, b)
    assert f_order_elementwise(a, b).flags["F_CONTIGUOUS"]


def test_lower_rank_leaves_are_broadcast(rng):
    check(lower_rank_leaf, rng.standard_normal((4, 5)), rng.standard_normal(5))
    check(lower_rank_leaf, rng.standard_normal((2, 4, 5)), rng.standard_normal(5))
    check(lower_rank_leaf, rng.standard_normal((2, 4, 5)), rng.standard_normal((4, 1)))
    check(lower_rank_leaf, rng.standard_normal((2, 4, 5)), rng.standard_normal(3))  # ValueError
    a, v = rng.standard_normal((40, 30)), rng.standard_normal(30)
    assert calls_into_numpy(lower_rank_leaf, a, v) == 0


@pytest.mark.parametrize("bad", [NAN, INF, -INF, 1e308])
def test_special_values_warn_as_numpy(bad, rng):
    x, y = rng.standard_normal((5, 6)), rng.standard_normal((4, 6))
    x[2, 3] = bad
    check(l1norm, x, y)
    a = rng.standard_normal((3, 10))
    a[1, 4] = bad
    a[1, 5] = bad
    check(row_sums, a)
    check(row_means, a, -a)
    check(row_sums_method, a, a)


def test_signed_zeros():
    a = np.array([[-0.0, -0.0], [-0.0, 0.0], [0.0, -0.0]])
    check(row_sums, a)
    check(row_means_method, a)
    check(row_sums_method, a, a)


@pyston.fast
def rows_in_a_loop(x, k):
    s = 0.0
    for i in range(k):
        r = np.sum(np.abs(x - float(i)), axis=-1)
        s += r[0]
    return s


def test_in_a_loop_memory_stays_flat(rng):
    import tracemalloc

    x = rng.random((20, 30))
    assert rows_in_a_loop(x, 50) == rows_in_a_loop.py_func(x, 50)
    tracemalloc.start()
    rows_in_a_loop(x, 2000)
    a = tracemalloc.get_traced_memory()[0]
    rows_in_a_loop(x, 2000)
    b = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert b - a < 100_000


def test_fusion_off_gives_the_same_results(rng, monkeypatch):
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "fusion")

    @pyston.fast
    def l1(x, y):
        return np.sum(np.abs(x[:, None, :] - y), axis=-1)

    x, y = rng.random((7, 9)), rng.random((6, 9))
    assert l1(x, y).tobytes() == l1norm(x, y).tobytes()


@pyston.fast
def scaled_plus(x, y):
    return (x * 2.0) + y


@pyston.fast
def diff_row_sums(x, y):
    return np.sum(x - y, axis=-1)


LAYOUT_PAIRS = [
    # (x, y, whether NumPy's result is C-ordered, so the fused path runs)
    ("reversed rows", lambda a: (a[::-1], a), True),
    ("reversed columns", lambda a: (a[:, ::-1], a), True),
    ("both reversed", lambda a: (a[::-1, ::-1], a[::-1, ::-1]), True),
    ("transpose + C", lambda a: (np.ones((a.shape[1], a.shape[0])).T, a), True),
    ("C + transpose", lambda a: (a, np.ones((a.shape[1], a.shape[0])).T), True),
    ("F + F", lambda a: (np.asfortranarray(a), np.asfortranarray(a)), False),
    ("F + row", lambda a: (np.asfortranarray(a), a[0]), False),
    ("F + column", lambda a: (np.asfortranarray(a), a[:, :1].copy()), False),
    ("3-d reversed", lambda a: (np.ones((2,) + a.shape)[::-1, :, ::-1], a), True),
]


@pytest.mark.parametrize("name,make,fused", LAYOUT_PAIRS, ids=[p[0] for p in LAYOUT_PAIRS])
def test_numpys_layout_rule(name, make, fused, rng):
    # NumPy's result is C-ordered unless every operand that orders a pair of
    # axes asks for F order; the fused path gives C order, so it runs only then
    x, y = make(np.abs(scaled(rng, (3, 4))))  # (no sqrt of a negative: NaN takes the slow path)
    for f in (f_order_elementwise, scaled_plus, diff_row_sums):
        check(f, x, y)
        assert (calls_into_numpy(f, x, y) == 0) == fused


# ---- sums and means of a whole expression (a float64 scalar) ----


@pyston.fast
def kinetic_energy(mass, vel):
    # npbench's nbody: mass (N, 1), vel (N, 3)
    return 0.5 * np.sum(mass * vel**2)


@pyston.fast
def mean_square(a, b):
    return np.mean((a - b) ** 2)


@pyston.fast
def method_total(a, b):
    return (a * b).sum()


@pytest.mark.parametrize("shape", [(3, 4), (100, 3), (1, 5), (5, 1), (0, 3), (2, 3, 4), (7, 3000), (3, 9000)])
def test_totals(shape, rng):
    # (more than 8192 elements: NumPy 1.x and 2.0 sum in 8192-element chunks,
    # which the runtime's sum follows)
    a, b = scaled(rng, shape), scaled(rng, shape)
    check_scalar(mean_square, a, b)  # empty: NumPy's "Mean of empty slice" warning
    check_scalar(method_total, a, b)
    check_scalar(method_total, np.asfortranarray(a), b)
    check_scalar(method_total, a[::-1], b)
    check_scalar(kinetic_energy, a[..., :1], b)


def test_totals_special_values_and_calls(rng):
    a, b = rng.random((10, 4)), rng.random((10, 4))
    assert calls_into_numpy(method_total, a, b) == 0
    assert calls_into_numpy(kinetic_energy, a[:, :1], b) == 0
    for bad in (NAN, INF, 1e308):
        a2 = a.copy()
        a2[3, 1] = bad
        check_scalar(mean_square, a2, b)
        check_scalar(method_total, a2, a2)


def check_scalar(f, *args):
    got, gw = run(f, *args)
    want, ww = run(f.py_func, *args)
    assert gw == ww
    assert type(got) is type(want)
    assert np.asarray(got).tobytes() == np.asarray(want).tobytes()


# ---- float32 reductions: every addition in float32, as NumPy's float32 loops ----


@pyston.fast
def f32_row_sums(a, b):
    return np.sum(a * b, axis=-1)


@pyston.fast
def f32_row_means(a):
    return a.mean(axis=-1, keepdims=True)


@pyston.fast
def f32_col_sums(a, b):
    return np.sum(a - b, 0)


@pyston.fast
def f32_col_means(a):
    return np.mean(a, axis=0)


@pyston.fast
def f32_total(a, b):
    return np.sum(a * b - 0.5)


@pyston.fast
def f32_total_mean(a, b):
    return (a - b).mean()


@pytest.mark.parametrize("shape", [(3, 4), (5, 1), (1, 9), (80, 80), (6, 129), (3, 8192), (2, 9000), (0, 3), (300, 7), (2, 3, 5)])
def test_float32_reductions(shape, rng):
    a = scaled(rng, shape).astype(np.float32)
    b = scaled(rng, shape).astype(np.float32)
    check(f32_row_sums, a, b)
    check(f32_row_means, a)
    check(f32_row_means, a[..., ::-1])
    if len(shape) == 2:
        check(f32_col_sums, a, b)
        check(f32_col_means, a)
    check_scalar(f32_total, a, b)
    check_scalar(f32_total_mean, a, b)


def test_float32_reductions_are_fused(rng):
    a = rng.random((20, 30)).astype(np.float32)
    b = rng.random((20, 30)).astype(np.float32)
    for f, args in [(f32_row_sums, (a, b)), (f32_row_means, (a,)), (f32_col_sums, (a, b)), (f32_total, (a, b))]:
        assert calls_into_numpy(f, *args) == 0, f.__name__


def test_float32_reductions_special_values(rng):
    a = rng.standard_normal((6, 5)).astype(np.float32)
    for bad in (np.nan, np.inf, 3e38):
        a2 = a.copy()
        a2[2, 3] = bad
        a2[2, 4] = bad
        check(f32_row_sums, a2, a2)
        check(f32_col_sums, a2, -a2)
        check_scalar(f32_total, a2, a2)


@pyston.fast
def f32_scaled_row_sums(a, t):
    return np.sum(a * t, axis=-1), np.sum(a - t)


def test_float32_reductions_with_a_float_beyond_float32(rng):
    # (found by tests/fuzz/arrays.py: NumPy warns "overflow encountered in
    # cast" converting 1e300 to float32, even for an empty array)
    for shape in [(3, 4), (0, 4), (4, 0)]:
        a = rng.random(shape).astype(np.float32)
        for t in (0.5, 1e300, -1e39, 3e38):
            got, gw = run(f32_scaled_row_sums, a, t)
            want, ww = run(f32_scaled_row_sums.py_func, a, t)
            assert gw == ww
            assert got[0].tobytes() == want[0].tobytes() and type(got[1]) is type(want[1])
            assert np.asarray(got[1]).tobytes() == np.asarray(want[1]).tobytes()


# Sums over several axes that leave the last one (npbench conv2d's
# `np.sum(x[..., None] * w[None], axis=(1, 2, 3))`): NumPy's iterator keeps
# the last axis inner, so each result element adds its values in C order of
# the summed axes, from zero.


@pyston.fast
def conv_window(x, w, i, j, k):
    return np.sum(x[:, i:i + k, j:j + k, :, np.newaxis] * w[np.newaxis, :, :, :], axis=(1, 2, 3))


@pyston.fast
def axes_sum(a, b):
    return np.sum(a * b, axis=(0, 2))


@pyston.fast
def axes_sum_12(a, b):
    return (a - b).sum(axis=(1, 2))


@pyston.fast
def axes_mean_neg(a, b):
    return np.mean(a + b, axis=(-3, -2), keepdims=True)


@pyston.fast
def axis_middle(a, s):
    return np.sum(a * s, axis=1)


@pyston.fast
def conv2d(inp, w):
    k = w.shape[0]
    out = np.empty((inp.shape[0], inp.shape[1] - k + 1, inp.shape[2] - k + 1, w.shape[3]), dtype=inp.dtype)
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            out[:, i, j, :] = np.sum(inp[:, i:i + k, j:j + k, :, np.newaxis] * w[np.newaxis, :, :, :], axis=(1, 2, 3))
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 2, 1, 2), (3, 1, 5, 1), (4, 30, 2, 7), (2, 0, 3, 4), (0, 2, 3, 4), (3, 2, 4, 0)])
def test_several_axes(shape, dtype, rng):
    a = scaled(rng, shape).astype(dtype)
    b = scaled(rng, shape).astype(dtype)
    check(axes_sum, a, b)
    check(axes_sum, a, b[0] if shape[0] else b)  # a lower-rank operand
    check(axes_sum_12, a, b)
    check(axes_mean_neg, a, b)  # an empty sum: NumPy's "Mean of empty slice" warning
    check(axes_sum_12, a[:, ::-1], b)
    check(axis_middle, a, 0.25)
    check(axes_sum, np.asfortranarray(a), b)
    if shape in ((2, 3, 4, 5), (4, 30, 2, 7)):  # (the fused path, with no call into NumPy)
        for f, args in ((axes_sum, (a, b)), (axes_sum_12, (a, b)), (axes_mean_neg, (a, b)), (axis_middle, (a, 0.25))):
            assert calls_into_numpy(f, *args) == 0, f.__name__


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_window(dtype, rng):
    x = scaled(rng, (8, 6, 6, 3)).astype(dtype)
    w = scaled(rng, (2, 2, 3, 16)).astype(dtype)
    for i, j, k in ((0, 0, 2), (3, 1, 2), (1, 2, 3), (0, 0, 1)):
        check(conv_window, x, w[:k, :k], i, j, k)
    check(conv_window, x, w[:, :, :, :1], 0, 0, 2)  # one output channel: NumPy sums pairwise
    inp = rng.random((4, 9, 9, 3), dtype=np.float32)
    ker = rng.random((3, 3, 3, 8), dtype=np.float32)
    check(conv2d, inp, ker)
    assert calls_into_numpy(conv2d, inp, ker) == 0


def test_several_axes_special_values(rng):
    for bad in (NAN, INF, -INF, 1e308):
        a = rng.standard_normal((3, 4, 5))
        a[1, 2, 3] = bad
        a[2, 2, 3] = bad
        check(axes_sum, a, 2.0)
        check(axes_mean_neg, a, a)
    z = np.zeros((2, 3, 4))
    z[0] = -0.0
    check(axes_sum, z, 1.0)
    check(axes_sum_12, -z, z)


def test_several_axes_bad_axes(rng):
    a = rng.random((2, 3, 4))

    @pyston.fast
    def repeated(a):
        return np.sum(a * 2.0, axis=(0, 0))

    @pyston.fast
    def out_of_range(a):
        return np.sum(a * 2.0, axis=(0, 3))

    check(repeated, a)
    check(out_of_range, a)
