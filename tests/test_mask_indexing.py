"""Boolean-mask indexing `x[m]` and `x[m] = v`, computed natively when `m` is
a bool array of `x`'s shape, must be NumPy's exactly: the elements (in C order
of the index, whatever the layouts), the result's dtype, shape and layout, the
array written, and every error NumPy raises (which then comes from NumPy's own
call: wrong mask shapes, values of the wrong length, casts)."""

from __future__ import annotations

import numpy as np
import pyston
import pytest
from helpers import assert_same, rng_for, variants

ALL_DTYPES = [
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
    np.float16, np.float32, np.float64, np.complex64, np.complex128,
]
SHAPES = [(0,), (1,), (7,), (8,), (9,), (37,), (3, 5), (4, 16), (0, 3), (2, 3, 11)]


@pyston.fast
def get(x, m):
    return x[m]


@pyston.fast
def put(x, m, v):
    x[m] = v
    return x


@pyston.fast
def get_loop(x, m, n):
    s = x[m]
    for _ in range(n):
        s = x[m]
    return s


@pyston.fast
def put_loop(x, m, v, n):
    for _ in range(n):
        x[m] = v
    return x


@pyston.fast
def mandelbrot(Z, C, N, horizon, maxiter):
    # (numpy-benchmarks' and npbench's kernel: a shrinking mask each iteration)
    for n in range(maxiter):
        I = np.less(np.abs(Z), horizon)  # noqa: E741 (the corpus kernel's name)
        N[I] = n
        Z[I] = Z[I] ** 2 + C[I]
    N[N == maxiter - 1] = 0
    return Z, N


@pyston.fast
def clip_in_place(dx, L):
    # (numpy-benchmarks' periodic_dist: masks from comparisons, values from the masked elements)
    dx[dx > L / 2] = dx[dx > L / 2] - L
    dx[dx < -L / 2] = dx[dx < -L / 2] + L
    return dx


def data(rng, shape, dtype):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(dt)
    if dt.kind in "iu":
        return rng.integers(0, 100, size=shape).astype(dt)
    x = rng.standard_normal(shape) * 10
    if dt.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dt)


def masks(rng, shape):
    """Random, all-true, all-false, runs (as a Mandelbrot mask has) and sparse masks."""
    n = int(np.prod(shape))
    runs = (np.arange(n) // 5 % 3 == 0).reshape(shape)
    return [
        rng.random(shape) < 0.5,
        np.ones(shape, bool),
        np.zeros(shape, bool),
        runs,
        rng.random(shape) < 0.05,
    ]


def same_get(x, m):
    want = assert_same(get, x, m)
    got = get(x, m)
    assert got.flags.c_contiguous and got.flags.owndata and got.flags.writeable
    assert type(got) is type(want) is np.ndarray


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_getitem(dtype, shape):
    rng = rng_for(f"get{np.dtype(dtype)}{shape}")
    x = data(rng, shape, dtype)
    for m in masks(rng, shape):
        same_get(x, m)


@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.complex128, np.complex64, np.float16])
def test_layouts(dtype):
    rng = rng_for(f"layouts{np.dtype(dtype)}")
    for shape in [(5,), (4, 9), (3, 4, 5)]:
        x = data(rng, shape, dtype)
        for m in masks(rng, shape):
            for _, xv in variants(x):
                for _, mv in variants(m):
                    same_get(xv, mv)
                    assert_same(put, xv, mv, data(rng, (), dtype)[()])
                    assert_same(put, xv, mv, data(rng, (int(m.sum()),), dtype))


def test_mask_bytes_other_than_one_are_true():
    # (a bool view of uint8 data: NumPy counts any non-zero byte as true)
    raw = np.array([0, 1, 2, 255, 0, 7, 0, 0, 9, 1, 0], np.uint8)
    m = raw.view(np.bool_)
    x = np.arange(11.0)
    same_get(x, m)
    assert_same(put, x, m, -1.0)
    assert_same(put, x, m, np.arange(int(np.count_nonzero(raw)), dtype=float))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(9,), (4, 16), (2, 3, 11), (0, 4)])
def test_setitem_scalars(dtype, shape):
    rng = rng_for(f"set{np.dtype(dtype)}{shape}")
    x = data(rng, shape, dtype)
    scalars = [True, 0, 7, -3, 2**40, 2**53 + 1, 2**63, 2.5, -0.0, float("nan"), float("inf"), 1e300, 1 + 2j]
    scalars += [np.dtype(dtype).type(1), np.float32(1.5), np.int8(-4)]
    for m in masks(rng, shape)[:2]:
        for v in scalars:
            assert_same(put, x, m, v)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8, np.complex128, np.complex64, np.bool_])
@pytest.mark.parametrize("shape", [(9,), (4, 16), (2, 3, 11)])
def test_setitem_arrays(dtype, shape):
    rng = rng_for(f"seta{np.dtype(dtype)}{shape}")
    x = data(rng, shape, dtype)
    for m in masks(rng, shape):
        k = int(m.sum())
        for v in [
            data(rng, (k,), dtype),  # one value per true element
            data(rng, (1,), dtype),  # one value repeated
            data(rng, (2 * k + 1,), dtype)[::2],  # a strided one
            data(rng, (k,), dtype)[::-1],  # a reversed one
            data(rng, (k + 1,), dtype),  # NumPy's ValueError (or a repeat when k == 0)
            data(rng, (k,), np.float64),  # another dtype: NumPy casts
            data(rng, (1, k), dtype),  # 2-d: NumPy's rules
            data(rng, (), dtype),
        ]:
            assert_same(put, x, m, v)


def test_values_sharing_memory_with_the_array():
    # (NumPy copies the values first when they overlap what is written)
    x = np.arange(20.0)
    m = np.zeros(20, bool)
    m[5:15] = True

    @pyston.fast
    def shifted(x, m):
        x[m] = x[4:14]
        return x

    @pyston.fast
    def from_itself(x, m):
        x[m] = x[m][::-1]
        return x

    assert_same(shifted, x, m)
    assert_same(from_itself, x, m)


def test_errors_are_numpys():
    x = np.arange(12.0).reshape(3, 4)
    assert_same(get, x, np.ones((4, 3), bool))  # IndexError: shape mismatch
    assert_same(get, x, np.ones(3, bool))  # a mask over the first axis: rows
    assert_same(get, x, np.array([True, False, True]))
    assert_same(put, x, np.ones((3, 4), bool), np.arange(5.0))  # ValueError: 5 values for 12
    assert_same(put, x, np.ones(3, bool), np.arange(4.0))  # rows
    ro = np.arange(6.0)
    ro.flags.writeable = False
    assert_same(put, ro, ro > 2, 0.0)  # ValueError: read-only
    assert_same(put, np.arange(6), np.arange(6) > 2, 2.5)  # float into int: truncated
    assert_same(put, np.arange(6, dtype=np.int8), np.arange(6) > 2, 300)  # OverflowError (NumPy 2)
    assert_same(put, np.arange(6.0, dtype=np.float32), np.arange(6) > 2, 1e300)  # overflow to inf


def test_kernels_from_the_corpora():
    rng = rng_for("corpora")
    X = np.linspace(-2.0, 0.5, 37)
    Y = np.linspace(-1.0, 1.0, 29)
    C = X + Y[:, None] * 1j
    for maxiter in (1, 5, 20):
        assert_same(mandelbrot, np.zeros(C.shape, complex), C, np.zeros(C.shape, np.int64), 2.0, maxiter)
    for _ in range(3):
        assert_same(clip_in_place, rng.random((50, 3)) * 4 - 2, 2.0)


def test_masks_make_no_call_into_numpy():
    from pyston import _pyston as P

    rng = rng_for("nocall")
    x, m = rng.standard_normal((20, 30)), rng.random((20, 30)) < 0.4
    k = int(m.sum())
    for f, args in ((get_loop, (x, m, 5)), (put_loop, (x.copy(), m, 1.5, 5)), (put_loop, (x.copy(), m, x[m], 5))):
        f(*args)
        n = P.pycall_count()
        f(*args)
        assert P.pycall_count() - n == 0, f.__name__
    assert get_loop(x, m, 3).shape == (k,)


def test_memory_stays_flat():
    from helpers import rss_bytes

    rng = rng_for("memory")
    x, m = rng.standard_normal(1000), rng.random(1000) < 0.5
    v = x[m]
    get_loop(x, m, 2000)
    put_loop(x.copy(), m, v, 2000)
    before = rss_bytes()
    for _ in range(20):
        get_loop(x, m, 2000)
        put_loop(x.copy(), m, v, 2000)
    assert rss_bytes() - before < 8 * 2**20
