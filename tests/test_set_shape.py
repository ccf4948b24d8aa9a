"""`x.shape = s` in compiled code (Op::SetShape): NumPy's own setter, in place
(a reshape without copying, its ValueError/AttributeError otherwise), and `x`
rebound to the same object with its new rank. Plain and compiled must agree on
the values, shapes, exceptions and warnings, and on the argument arrays after
the call (the caller sees the new shape)."""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, native


@pyston.fast
def grid_sum(n, m):
    A = np.arange(n * m, dtype=np.float64)
    A.shape = (n, m)
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += A[i, j] * (i + 1)
    A.shape = n * m
    return s, A, A.shape, A.ndim


@pyston.fast
def set_arg(A, shape):
    A.shape = shape
    return A.sum(axis=0), A.shape


@pyston.fast
def set_then_index(A, k):
    A.shape = (k, -1)
    return A[0], A[-1, 0], len(A)


@pyston.fast
def mandelbrot(xmin, xmax, ymin, ymax, xn, yn, itermax, horizon=2.0):
    # npbench's mandelbrot2 (Rougier): three `.shape =` in one statement
    Xi, Yi = np.mgrid[0:xn, 0:yn]
    X = np.linspace(xmin, xmax, xn, dtype=np.float64)[Xi]
    Y = np.linspace(ymin, ymax, yn, dtype=np.float64)[Yi]
    C = X + Y * 1j
    N_ = np.zeros(C.shape, dtype=np.int64)
    Z_ = np.zeros(C.shape, dtype=np.complex128)
    Xi.shape = Yi.shape = C.shape = xn * yn
    Z = np.zeros(C.shape, np.complex128)
    for i in range(itermax):
        if not len(Z):
            break
        np.multiply(Z, Z, Z)
        np.add(Z, C, Z)
        I = abs(Z) > horizon  # noqa: E741
        N_[Xi[I], Yi[I]] = i + 1
        Z_[Xi[I], Yi[I]] = Z[I]
        np.logical_not(I, I)
        Z = Z[I]
        Xi, Yi = Xi[I], Yi[I]
        C = C[I]
    return Z_.T, N_.T


@pyston.fast
def aliased(A):
    B = A
    A.shape = -1
    return B.shape, A.shape


@pyston.fast
def in_loop(A, n):
    t = 0.0
    for k in range(n):
        A.shape = (2, -1) if k % 2 else (-1,)
        t += A.sum()
    return t, A.shape


def test_reshape_in_place_native():
    for n, m in ((3, 4), (1, 7), (5, 1), (0, 3)):
        native(grid_sum, n, m)
        assert_same(grid_sum, n, m)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.complex128, np.bool_])
def test_arguments_see_the_new_shape(dtype):
    rng = np.random.default_rng(3)
    A = (rng.random(12) * 10).astype(dtype)
    for shape in ((3, 4), (4, 3), (2, 2, 3), (2, -1), 12, -1, np.int64(12), (np.int32(6), 2)):
        native(set_arg, A.copy(), shape)
        assert_same(set_arg, A.copy(), shape)
        assert_same(set_arg, A.reshape(3, 4), shape)
    assert_same(set_then_index, A.copy(), 3)
    assert_same(set_then_index, A.copy(), 4)


def test_numpy_errors():
    A = np.arange(12.0)
    # wrong size: NumPy's ValueError
    assert_same(set_arg, A.copy(), (5, 3))
    assert_same(set_arg, A.copy(), 13)
    assert_same(set_arg, A.copy(), (-1, -1))
    # not contiguous, or Fortran order into C order: NumPy's AttributeError (no copy made)
    assert_same(set_arg, A.reshape(3, 4)[:, ::2], -1)
    assert_same(set_arg, A.reshape(3, 4)[:, ::2], (2, 3))
    assert_same(set_arg, np.asfortranarray(A.reshape(3, 4)), -1)
    assert_same(set_arg, np.asfortranarray(A.reshape(3, 4)), (4, 3))
    assert_same(set_arg, A[::-1], (3, 4))
    # a view without copy that is not C-contiguous: the strides NumPy chooses
    assert_same(set_arg, A.reshape(3, 4)[:, :1], 3)
    assert_same(set_arg, A.reshape(2, 6)[:, ::3], (2, 2, 1))
    ro = A.copy()
    ro.setflags(write=False)
    assert_same(set_arg, ro, (6, 2))


def test_mandelbrot2_native():
    native(mandelbrot, -2.0, 0.5, -1.25, 1.25, 40, 30, 20)
    assert_same(mandelbrot, -2.0, 0.5, -1.25, 1.25, 40, 30, 20)
    assert_same(mandelbrot, -2.0, 0.5, -1.25, 1.25, 1, 1, 5)
    assert_same(mandelbrot, -2.0, 0.5, -1.25, 1.25, 0, 3, 5)


def test_aliases_are_not_left_stale():
    # `B` is the same object as `A`: compiled code holding it with the old
    # shape would be wrong, so this runs as CPython runs it (a PerformanceWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert aliased(np.ones((2, 3))) == ((6,), (6,))
    assert any(issubclass(w.category, pyston.PerformanceWarning) for w in caught)
    assert_same(aliased, np.ones((2, 3)), allow_fallback=True)
    assert_same(in_loop, np.arange(6.0), 4, allow_fallback=True)


G = np.arange(6.0)


@pyston.fast
def set_global():
    G.shape = (2, 3)
    return G.sum(axis=0)


def test_global_array_shape():
    # a global's object is reshaped in place (not compiled natively: it runs as CPython runs it)
    global G
    G = np.arange(6.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        r = set_global()
    assert G.shape == (2, 3) and r.tolist() == [3.0, 5.0, 7.0]
