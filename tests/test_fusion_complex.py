"""Fused complex128 expressions, complex sums, and `a op= e` written in place.

Complex128 arrays fuse like float64 ones: `+ -`, unary minus and `np.conj`
act on each part; `*` is computed as this NumPy's array loops multiply (with
fused multiply-adds where its SIMD loops use them, measured when pyston
starts); `np.sum` of such an expression is NumPy's complex pairwise sum.
`a op= e` writes into `a` itself when no other operand overlaps it. Every
result is compared with NumPy's bit for bit, with its warnings, and every
array the functions write into is compared afterwards.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pyston
import pytest
from pyston import _pyston as P

NAN, INF = math.nan, math.inf


class RaisedError(tuple):
    def __new__(cls, *parts):
        return super().__new__(cls, parts)


def run(f, *args):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = f(*args)
        except Exception as e:  # noqa: BLE001 (compared below)
            return RaisedError(type(e).__name__, str(e)), []
    msgs = [str(w.message) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
    return r, msgs


def same(g, w):
    assert type(g) is type(w)
    if isinstance(w, np.ndarray):
        assert g.dtype == w.dtype and g.shape == w.shape and g.strides == w.strides
        assert g.tobytes() == w.tobytes()  # bit for bit (signed zeros, NaN payloads)
    elif isinstance(w, np.generic):
        assert g.dtype == w.dtype and g.tobytes() == w.tobytes()
    else:
        assert g == w or (g != g and w != w)


def check(f, *args):
    """Plain and compiled on copies of the arrays: results, warnings, and the arrays after."""
    fresh = lambda: [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]  # noqa: E731
    ga, wa = fresh(), fresh()
    got, gw = run(f, *ga)
    want, ww = run(f.py_func, *wa)
    assert gw == ww
    if isinstance(want, RaisedError) or isinstance(got, RaisedError):
        assert got == want
    else:
        for g, w in zip(got, want) if isinstance(want, tuple) else [(got, want)]:
            same(g, w)
    for g, w in zip(ga, wa):
        if isinstance(w, np.ndarray):
            assert g.tobytes() == w.tobytes()


def crandom(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


@pyston.fast
def cexpr(a, b, c):
    return a * b + np.conj(c) - 2.5


@pyston.fast
def cscalars(a, b, z):
    return -(a * (1 + 2j)) + np.conjugate(b) * z * 3 - np.negative(a) * 0.5


@pyston.fast
def csum(a, b):
    return np.sum(a * np.conj(b))


@pyston.fast
def csum_method(a, b):
    return (a - b * 2.0).sum()


@pyston.fast
def cmean(a, b):
    return np.mean(a * b)  # (a complex mean divides as NumPy's complex division: NumPy's call)


@pyston.fast
def filter_update(E, w, mu, R, os, n):
    # a constant-modulus equalizer's step (cma_pt's shape): a complex sum of
    # products, then an in-place update of the taps by a scalar times a view
    ntaps = w.shape[-1]
    err = np.zeros(n, dtype=np.complex128)
    for i in range(n):
        X = E[:, i * os:i * os + ntaps]
        y = np.sum(X * np.conj(w))
        err[i] = (R - abs(y) ** 2) * y
        w += mu * np.conj(err[i]) * X
    return err, w


@pytest.mark.parametrize("n", list(range(0, 12)) + [16, 17, 63, 64, 65, 257])
def test_complex_lengths(n, rng):
    a, b, c = crandom(rng, n), crandom(rng, n), crandom(rng, n)
    check(cexpr, a, b, c)
    check(cscalars, a, b, np.complex128(0.25 - 1.5j))
    check(cscalars, a, b, 2.0)
    check(cscalars, a, b, 3)


@pytest.mark.parametrize("shape", [(3, 4), (1, 7), (5, 1), (2, 3, 4), (0, 3), (40, 33)])
def test_complex_shapes_and_layouts(shape, rng):
    a, b, c = crandom(rng, shape), crandom(rng, shape), crandom(rng, shape)
    check(cexpr, a, b, c)
    check(cexpr, np.asfortranarray(a), np.asfortranarray(b), np.asfortranarray(c))
    check(cexpr, a, b, c[..., ::-1])
    if len(shape) == 2:
        big = crandom(rng, (shape[0] * 2, shape[1] * 3))
        check(cexpr, big[::2, ::3], b, c)  # strided views
        check(cexpr, a, b[:1], c[:, :1])  # broadcast row and column
        check(cexpr, a, b, c.T)  # shapes that do not broadcast: NumPy's ValueError


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 127, 128, 129, 1000, 8191, 8192, 8193, 20000])
def test_complex_sums(n, rng):
    a = crandom(rng, n) * 10.0 ** rng.integers(-6, 6, n)
    b = crandom(rng, n)
    for shape in [(n, 1), (1, n)] + ([(n // 4, 4)] if n % 4 == 0 else []):
        check(csum, a.reshape(shape), b.reshape(shape))
        check(csum_method, a.reshape(shape), b.reshape(shape))
    check(cmean, a.reshape(1, n), b.reshape(1, n))


@pytest.mark.parametrize(
    "vals",
    [
        [complex(1e200, 1e200), 1j, 2.0],  # overflow in the product: NumPy warns
        [complex(NAN, 0.0), 1.0, 2.0],
        [complex(INF, -INF), 0.0, 1j],
        [complex(-0.0, -0.0), complex(0.0, -0.0), complex(-0.0, 0.0)],
        [complex(1e-320, 5e-324), 0.0, 1e-300],  # subnormals
    ],
)
def test_complex_special_values(vals):
    x = np.array(vals, dtype=np.complex128)
    y = x[::-1].copy()
    check(cexpr, x, y, x)
    check(cscalars, x, y, 1e300)
    check(csum, x.reshape(1, 3), y.reshape(1, 3))
    check(csum, x.reshape(3, 1), x.reshape(3, 1))


def test_complex_expressions_make_no_call_into_numpy(rng):
    a, b, c = crandom(rng, (6, 5)), crandom(rng, (6, 5)), crandom(rng, (6, 5))
    cexpr(a, b, c)
    csum(a, b)
    if P.complex_mul_kind() == 0:
        pytest.skip("this NumPy multiplies complex arrays in a way pyston does not reproduce")
    n = P.pycall_count()
    cexpr(a, b, c)
    csum(a, b)
    assert P.pycall_count() - n == 0


def test_filter_update(rng):
    E = crandom(rng, (2, 400))
    w = np.zeros((2, 21), dtype=np.complex128)
    w[0, 10] = w[1, 10] = 1
    check(filter_update, E, w, 1e-3, 1.0, 2, 150)
    check(filter_update, E, w, 1e-3, 1.0, 1, 300)
    E[1, 37] = complex(NAN, 1.0)  # NaN spreads through the taps with NumPy's values
    check(filter_update, E, w, 1e-3, 1.0, 2, 150)


def test_complex_fusion_off_is_identical(rng, monkeypatch):
    E = crandom(rng, (2, 200))
    w = np.ones((2, 21), dtype=np.complex128) * 0.1
    got = filter_update(E, w.copy(), 1e-3, 1.0, 2, 80)
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "fusion")
    off = pyston.fast(filter_update.py_func)
    want = off(E, w.copy(), 1e-3, 1.0, 2, 80)
    for g, x in zip(got, want):
        assert g.tobytes() == x.tobytes()


# ---- a op= e written in place ---------------------------------------------------


@pyston.fast
def add_into(a, b, c):
    a += b * c
    return a


@pyston.fast
def sub_mul_div(a, b, c):
    a -= b * 2.0
    a *= c + 1.0
    a /= b - c
    return a


@pyston.fast
def into_rows(a, b, k):
    for i in range(a.shape[0]):
        a[i] += b[i] * k + 1.0
    return a


@pyston.fast
def into_a_slice(a, b):
    a[1:-1] += b[1:-1] * 0.5 - b[:-2]
    return a


@pyston.fast
def overlapping(a):
    a[1:] += a[:-1] * 2.0  # NumPy reads a[:-1] as it was before the update
    return a


@pyston.fast
def itself(a):
    a += a * 3.0 - 1.0
    return a


@pyston.fast
def complex_into(a, b, z):
    a -= z * np.conj(b)
    a += b * b
    return a


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize("shape", [(1,), (7,), (64,), (3, 5), (4, 1), (1, 6), (2, 3, 4), (0, 4)])
def test_inplace(dtype, shape, rng):
    def arr(s):
        x = rng.standard_normal(s)
        if dtype == np.complex128:
            x = x + 1j * rng.standard_normal(s)
        return x.astype(dtype)

    a, b, c = arr(shape), arr(shape), arr(shape)
    check(add_into, a, b, c)
    check(itself, a)
    check(overlapping, a)
    if dtype != np.complex128:
        check(sub_mul_div, a, b, c)
    else:
        check(complex_into, a, b, np.complex128(0.5 + 2j))
    if len(shape) >= 2:
        check(into_rows, a, b, 1.5)
        check(add_into, a, b[:1], c)  # a broadcast operand
        check(add_into, a[:1], b, c)  # the target is smaller: NumPy's ValueError
        check(add_into, np.asfortranarray(a), b, c)  # an F-ordered target
        check(add_into, a[..., ::-1], b, c)  # a reversed target
    if len(shape) == 1 and shape[0] >= 2:
        check(into_a_slice, a, b)
        check(add_into, a[::2], b[::2], c[1::2])  # a strided target


def test_inplace_returns_its_target(rng):
    a = rng.standard_normal((4, 5))
    b = rng.standard_normal((4, 5))
    assert add_into(a, b, b) is a
    v = a[1:3]
    assert add_into(v, b[:2], b[:2]) is v


@pyston.fast
def add_transpose(m):
    m += m.T * 2.0  # the transpose overlaps m, element for element differently
    return m


@pyston.fast
def shifted_rows(m, k):
    m[k:] += m[:-k] * 2.0  # rows read after earlier rows were updated, in a forward pass
    return m


@pyston.fast
def same_memory_other_view(m):
    v = m[:, :]
    m += v * 2.0 - 1.0  # another view of exactly m's elements: read before written
    return m


def test_inplace_operand_overlapping_the_target(rng):
    check(overlapping, rng.standard_normal(20))
    for shape in [(6, 6), (3, 3), (40, 40)]:
        m = rng.standard_normal(shape)
        check(add_transpose, m)
        check(shifted_rows, m, 1)
        check(shifted_rows, m, 2)
        check(same_memory_other_view, m)
        check(add_transpose, m.astype(np.complex128) * (1 - 1j))


def test_inplace_overlap_is_fused_only_where_exact(rng):
    m = rng.standard_normal((8, 8))
    same_memory_other_view(m)
    n = P.pycall_count()
    same_memory_other_view(m)
    assert P.pycall_count() - n == 0  # fused (the view is m's memory, element for element)


@pytest.mark.parametrize(
    "vals",
    [
        [1.0, 0.0, -2.0, 3.0],  # a division by zero: NumPy warns, a keeps NumPy's values
        [1e200, 1.0, 2.0, 3.0],  # overflow
        [NAN, 1.0, INF, -INF],
        [-0.0, 0.0, -0.0, 1e-320],
    ],
)
def test_inplace_special_values(vals):
    x = np.array(vals)
    check(sub_mul_div, x, x[::-1].copy(), x * 0.5)
    check(add_into, x, x, x)
    with np.errstate(all="ignore"):
        x32 = x.astype(np.float32)
        z = x + 1j * x[::-1]
    check(sub_mul_div, x32, x32[::-1].copy(), x32)
    check(complex_into, z, z[::-1].copy(), np.complex128(1e300 + 1j))


def test_inplace_into_a_readonly_array_raises_as_numpy(rng):
    a = rng.standard_normal(5)
    a.setflags(write=False)
    check(add_into, a, a.copy(), a.copy())


def test_inplace_makes_no_call_into_numpy(rng):
    a, b = rng.standard_normal((8, 9)), rng.standard_normal((8, 9))
    into_rows(a, b, 2.0)
    add_into(a, b, b)
    n = P.pycall_count()
    into_rows(a, b, 2.0)
    add_into(a, b, b)
    # (the rows a[i] are views compiled code makes; their updates are fused)
    assert P.pycall_count() - n == 0


def test_inplace_in_a_loop_memory_stays_flat(rng):
    import tracemalloc

    E = crandom(rng, (2, 4000))
    w = np.zeros((2, 21), dtype=np.complex128)
    filter_update(E, w.copy(), 1e-3, 1.0, 2, 100)
    tracemalloc.start()
    filter_update(E, w.copy(), 1e-3, 1.0, 2, 1900)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200_000


# ---- NumPy complex128 scalars: their warnings -----------------------------------


@pyston.fast
def scalar_ops(x, y):
    return x * y, x + y, x - y


@pytest.mark.parametrize(
    "x, y",
    [
        (complex(1e200, 1.0), 1e200),  # overflow in the product: NumPy warns
        (complex(INF, 1.0), 0.5),  # inf * 0 in the product: invalid value
        (complex(INF, 1.0), complex(-INF, 1.0)),  # inf - inf in the sum
        (complex(NAN, 0.0), 2.0),  # NaN in: no warning
        (complex(1.5, -2.0), complex(0.25, 3.0)),
    ],
)
def test_complex_scalar_warnings(x, y):
    a = np.array([x, 0.0])
    got, gw = run(lambda: scalar_ops(a[0], np.complex128(y)))
    want, ww = run(lambda: scalar_ops.py_func(a[0], np.complex128(y)))
    assert gw == ww
    for g, w in zip(got, want):
        same(g, w)
