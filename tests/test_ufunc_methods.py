"""Ufunc methods from compiled code (issue #15): `np.add.outer(x, y)`,
`np.maximum.accumulate(a)`, `np.add.reduce(a, axis=0)`, `np.add.at(b, i, v)`,
`np.add.reduceat(a, idx)`. Compiled code calls the ufunc's method through
NumPy (typed by probing, as the ufunc itself). Differential against plain
Python: value, dtype, shape, in-place effects, warnings and exceptions."""

import numpy as np
import pyston
from helpers import assert_same_all, native, rng_for


@pyston.fast
def outer_sum(x, y):
    return np.add.outer(x, y)


@pyston.fast
def outer_min_loop(path):
    # npbench floyd_warshall
    for k in range(path.shape[0]):
        path[:] = np.minimum(path[:], np.add.outer(path[:, k], path[k, :]))
    return path


@pyston.fast
def running(a):
    return np.maximum.accumulate(a), np.add.accumulate(a), np.multiply.reduce(a)


@pyston.fast
def reduce_axis(a):
    return np.add.reduce(a, axis=0), np.add.reduce(a, axis=1), np.minimum.reduce(a, axis=None)


@pyston.fast
def scatter_add(idx, vals, n):
    b = np.zeros(n)
    np.add.at(b, idx, vals)
    return b


@pyston.fast
def segment_sums(a, starts):
    return np.add.reduceat(a, starts)


@pyston.fast
def outer_in_loop(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.multiply.outer(a, a)[i, i]
    return s


def test_ufunc_methods_compile_and_match():
    rng = rng_for("ufunc_methods")
    x, y = rng.normal(size=7), rng.normal(size=4)
    native(outer_sum, x, y)
    native(running, x)
    native(scatter_add, np.array([0, 1, 1]), np.ones(3), 4)
    native(outer_in_loop, x)
    native(reduce_axis, rng.normal(size=(3, 5)))
    native(segment_sums, np.arange(8.0), np.array([0, 4]))
    ints = rng.integers(-50, 50, size=9)
    assert_same_all(outer_sum, [(x, y), (y, x), (x[:0], y), (ints, y), (ints, ints), (x[::-2], y[1:]),
                                (x.astype(np.float32), y.astype(np.float32)), (np.array([True, False]), np.array([True]))])
    assert_same_all(running, [(x,), (ints,), (x[::-1],), (np.array([np.nan, 1.0, 3.0]),), (x.astype(np.float32),)])
    # (an empty array: multiply.reduce gives its identity; maximum.accumulate of nothing is empty)
    assert_same_all(running, [(x[:0],), (ints[:0],)])
    a2 = rng.normal(size=(3, 5))
    assert_same_all(reduce_axis, [(a2,), (a2.T,), (rng.integers(0, 9, size=(2, 2)),), (a2[:, ::2],)])
    # the minimum of an empty array has no identity: NumPy's ValueError
    assert_same_all(reduce_axis, [(np.zeros((0, 3)),)])
    assert_same_all(scatter_add, [(np.array([0, 1, 1, 3]), np.arange(4.0), 4), (np.array([2, 2, 2]), 1.5, 3),
                                  (np.array([], dtype=np.int64), 1.0, 2), (np.array([-1, 0]), 2.0, 2),
                                  (np.array([5]), 1.0, 3)])
    assert_same_all(segment_sums, [(np.arange(8.0), np.array([0, 4, 5])), (ints, np.array([0, 3])),
                                   (np.arange(8.0), np.array([0, 9]))])
    assert_same_all(outer_in_loop, [(x,), (x[:1],), (np.array([1e200, 1e200]),)])


def test_floyd_warshall():
    rng = rng_for("floyd_warshall")
    for n in (1, 5, 12):
        path = rng.integers(1, 100, size=(n, n)).astype(np.int32)
        native(outer_min_loop, path.copy())
        assert_same_all(outer_min_loop, [(path.copy(),)])
        got = outer_min_loop(path.copy())
        want = outer_min_loop.py_func(path.copy())
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_ufunc_method_overflow_warning():
    # float overflow inside the ufunc's method: NumPy's RuntimeWarning, as in plain Python
    assert_same_all(outer_sum, [(np.array([1e308, -1e308]), np.array([1e308]))])
