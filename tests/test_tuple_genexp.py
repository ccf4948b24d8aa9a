"""`tuple(genexp)` over tuples whose lengths are known at compile time (an
array's `.shape`, `np.ndindex`'s indexes, tuple parameters, tuple displays):
unrolled into a tuple display. Differential against plain Python (value, type,
exceptions) and compiled natively (no fallback warning)."""

import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, rng_for


def wrap(pos, offset, bound):
    return (pos + offset) % bound


def clip(pos, offset, bound):
    return min(max(pos + offset, 0), bound - 1)


@pyston.fast
def local_maxima(data, mode=wrap):
    wsize = data.shape
    result = np.ones(data.shape, bool)
    for pos in np.ndindex(data.shape):
        myval = data[pos]
        for offset in np.ndindex(wsize):
            neighbor_idx = tuple(mode(p, o - w // 2, w) for (p, o, w) in zip(pos, offset, wsize))
            result[pos] &= data[neighbor_idx] <= myval
    return result


@pyston.fast
def shifted(a, t):
    return tuple(x * 2 + 1 for x in t), tuple(s - x for s, x in zip(a.shape, t))


@pyston.fast
def corner(a):
    idx = tuple(s - 1 for s in a.shape)
    return a[idx], idx


@pyston.fast
def divided(t, u):
    return tuple(x // y for x, y in zip(t, u))


@pyston.fast
def display(a):
    return tuple(float(x) / 2 for x in (1, 2, a.ndim))


@pyston.fast
def zero_d(a):
    out = []
    for pos in np.ndindex(a.shape):
        out.append(tuple(p + 1 for p in pos))
    return out


@pyston.fast
def ndindex_args(n, m):
    s = 0
    for pos in np.ndindex(n, m):
        t = tuple(p * 10 for p in pos)
        s += t[0] + t[1]
    return s


@pytest.mark.parametrize("shape", [(7,), (4, 5), (3, 4, 2), (1, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.int32])
def test_local_maxima(shape, dtype):
    rng = rng_for(f"local_maxima{shape}{dtype}")
    data = (rng.random(shape) * 10).astype(dtype)
    assert_same(local_maxima, data)
    assert_same(local_maxima, data, kwargs={"mode": clip})


def test_local_maxima_compiles():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = pyston.fast(fallback=False)(local_maxima.py_func)
        data = rng_for("lm").random((3, 4))
        assert (f(data) == local_maxima.py_func(data)).all()


def test_shapes_and_tuples():
    rng = rng_for("shifted")
    for shape in [(3,), (2, 3), (4, 1, 2)]:
        a = rng.random(shape)
        for t in [(1,), (1, 2), (0, 1, 2), (5, -3, 7, 9)]:
            assert_same(shifted, a, t)
        assert_same(corner, a)
        assert_same(display, a)


def test_exceptions():
    assert_same(divided, (7, -8, 9), (2, 3, 4))
    assert_same(divided, (7, -8, 9), (2, 0, 4))
    assert_same(divided, (7, 8), (2, 3, 4))
    assert_same(divided, (1 << 70, 3), (3, 2))


def test_zero_d_and_ndindex_args():
    assert_same(zero_d, np.ones(()), allow_fallback=True)  # (np.ndindex(()) is not compiled)
    assert_same(zero_d, np.ones((2, 3)))
    assert_same(ndindex_args, 3, 4)
    assert_same(ndindex_args, 0, 4)


def test_unknown_length_falls_back():
    @pyston.fast
    def over_list(xs):
        return tuple(x + 1 for x in xs)

    assert_same(over_list, [1, 2, 3], allow_fallback=True)

    @pyston.fast
    def rebound(a, flag):
        s = a.shape
        if flag:
            s = (1, 2, 3, 4)
        return tuple(x + 1 for x in s)

    assert_same(rebound, np.ones((2, 3)), False, allow_fallback=True)
    assert_same(rebound, np.ones((2, 3)), True, allow_fallback=True)


def stop_past_one(x):
    if x > 1:
        raise StopIteration
    return x


@pyston.fast
def stops(t):
    return tuple(stop_past_one(x) for x in t)


def test_stop_iteration_is_pep479_runtime_error():
    # (a StopIteration leaving the generator's frame: RuntimeError, as CPython)
    assert_same(stops, (0, 1))
    assert_same(stops, (0, 5, 1))
