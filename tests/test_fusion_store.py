"""`x[idx] = e` of a fused expression `e` writes `e` straight into the view.

Where `x[idx]` is a basic index (ints and slices) whose view has `e`'s shape,
adjacent elements along its rows and no memory in common with `e`'s operands,
the fused pass stores into it, with no array for `e` and no copy. Everything
else (overlap, broadcasting, an index out of range, another layout, a
non-finite value where NumPy warns) runs NumPy's calls and its assignment.
Every result, every array written and every warning or exception is compared
with plain CPython's.
"""

from __future__ import annotations

import math

import numpy as np
import pyston
import pytest
from pyston import _pyston as P
from test_fusion_complex import RaisedError, run

NAN, INF = math.nan, math.inf


def check(f, *args):
    """Plain and compiled on copies of the arrays: results, warnings, and the arrays after."""
    fresh = lambda: [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]  # noqa: E731
    ga, wa = fresh(), fresh()
    got, gw = run(f, *ga)
    want, ww = run(f.py_func, *wa)
    assert gw == ww
    assert type(got) is type(want)
    if isinstance(want, RaisedError):
        assert got == want
    for g, w in zip(ga, wa):
        if isinstance(w, np.ndarray):
            assert g.tobytes() == w.tobytes()


@pyston.fast
def jacobi(A, B, steps):
    for _ in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])
    return A


@pyston.fast
def column(C, a, b, k):
    C[:, k] = a * 2.0 - b
    C[k] = a / (b + 3.0)
    return C


@pyston.fast
def planes(X, a, b, k):
    X[:, :, k] = a * b + 1.0  # vadv's `ccol[:, :, k] = ...`
    X[1:, :, k - 1] = a[1:] - b[:-1] * 0.5
    return X


@pyston.fast
def slices(B, a, lo, hi):
    B[lo:hi, ::2] = a[lo:hi, : (B.shape[1] + 1) // 2] * 3.0 + 1.0  # a step: rows not adjacent
    B[-3:, :-1] = a[-3:, 1:] - 0.5 * a[-3:, :-1]
    B[1:100, 0:2] = a[1:, :2] + a[1:, :2]  # bounds past the end
    return B


@pyston.fast
def overlapping(A):
    A[1:] = A[:-1] * 2.0 + 1.0  # NumPy computes e before writing A
    A[:, :] = A * 0.5 - A  # e reads exactly the memory written
    return A


@pyston.fast
def into_scalar_index(B, a, d, k):
    B[k // d] = a * a + 1.0  # k // 0 raises after e's warnings, as in CPython
    return B


@pyston.fast
def broadcast_value(B, r):
    B[1:-1] = r * 2.0 + 1.0  # a row broadcast over the view: NumPy's assignment
    return B


@pytest.mark.parametrize("shape", [(3, 3), (5, 9), (12, 17), (40, 33), (2, 50)])
def test_stencil(shape, rng):
    A, B = rng.standard_normal(shape), rng.standard_normal(shape)
    check(jacobi, A, B, 4)
    check(jacobi, A.astype(np.float32), B.astype(np.float32), 3)
    check(jacobi, A + 1j * B, B - 1j * A, 2)
    check(jacobi, np.asfortranarray(A), np.asfortranarray(B), 2)  # rows not adjacent: NumPy's


def test_stencil_makes_no_call_into_numpy(rng):
    A, B = rng.standard_normal((20, 20)), rng.standard_normal((20, 20))
    jacobi(A, B, 1)
    n = P.pycall_count()
    jacobi(A, B, 3)
    assert P.pycall_count() - n == 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_int_indexes(dtype, rng):
    C = rng.standard_normal((6, 6)).astype(dtype)
    a, b = rng.standard_normal(6).astype(dtype), rng.standard_normal(6).astype(dtype)
    for k in (0, 3, -1, -6):
        check(column, C, a, b, k)
    check(column, C, a, b, 6)  # IndexError from NumPy
    check(column, C, a, b, -7)
    X = rng.standard_normal((4, 5, 3)).astype(dtype)
    p, q = rng.standard_normal((4, 5)).astype(dtype), rng.standard_normal((4, 5)).astype(dtype)
    for k in (1, 2, -1):
        check(planes, X, p, q, k)
    check(planes, X, p, q, 3)


def test_slices_and_bounds(rng):
    for shape in [(5, 7), (8, 8), (3, 2)]:
        B, a = rng.standard_normal(shape), rng.standard_normal(shape)
        for lo, hi in [(0, 2), (1, -1), (-2, None), (None, 100), (3, 1)]:
            check(slices, B, a, lo, hi)


def test_overlap_and_broadcast_take_numpys_path(rng):
    A = rng.standard_normal((6, 7))
    check(overlapping, A)
    check(broadcast_value, rng.standard_normal((5, 4)), rng.standard_normal(4))
    check(broadcast_value, rng.standard_normal((5, 4)), rng.standard_normal(3))  # ValueError


@pytest.mark.parametrize(
    "vals",
    [
        [1e200, 1.0, 2.0],  # overflow in a * a: NumPy warns
        [NAN, 1.0, -INF],
        [-0.0, 0.0, 5e-324],
    ],
)
def test_special_values(vals):
    a = np.array(vals)
    check(into_scalar_index, np.zeros((4, 3)), a, 1, 2)
    check(into_scalar_index, np.zeros((4, 3)), a, 0, 2)  # ZeroDivisionError after the warning
    C = np.zeros((3, 3))
    check(column, C, a, a[::-1].copy(), 1)
    check(column, C, a, -np.array([3.0, 3.0, 3.0]), 1)  # a division by zero in the second store


def test_readonly_target_raises_as_numpy(rng):
    B = rng.standard_normal((4, 4))
    B.setflags(write=False)
    check(broadcast_value, B, rng.standard_normal(4))
    C = rng.standard_normal((6, 6))
    C.setflags(write=False)
    check(column, C, rng.standard_normal(6), rng.standard_normal(6), 2)


# --- strided views and overlapping operands: the staged store ---------------
#
# A view whose rows are not adjacent (`x[:, :, k]`, `B[:, ::2]`, reversed or
# F-ordered rows) or that may share memory with an operand (`c[:, k] = c[:, k] *
# d`, interleaved planes of one array) is filled through a scratch buffer: all
# of `e` first, then the copy, as Python evaluates `e` whole before
# `__setitem__`. These compare every array written, bit for bit, and the
# warnings with plain CPython's.


@pyston.fast
def thomas_step(ccol, dcol, acol, divided, k):
    # vadv's forward sweep: each plane reads itself and the plane before it
    ccol[:, :, k] = ccol[:, :, k] * divided
    dcol[:, :, k] = (dcol[:, :, k] - dcol[:, :, k - 1] * acol) * divided
    return ccol


@pyston.fast
def shifted(A, s):
    A[1:, :] = A[:-1, :] * s + A[1:, :]  # shifted overlap: e's old values first
    A[:, 1:] = A[:, :-1] - A[:, 1:] * s
    A[::-1] = A * s + 1.0  # the view reversed onto itself
    return A


@pyston.fast
def into_strided(X, a, b, k):
    X[:, :, k] = np.sqrt(a * a + b * b) - a
    return X


@pyston.fast
def into_views(B, F, a, b):
    # (the views are made here: `check` hands each argument over as a dense copy)
    B[::2, ::3] = a * b - 1.0  # both axes stepped
    R = B[::-2, ::-3]
    R[:, :] = a - b * 0.25  # reversed rows and columns
    F[:, :] = a / (b + 4.0)  # F order: rows not adjacent
    T = B.T
    T[::3, ::2] = a.T * 2.0 + b.T  # a transposed view
    return B


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (7, 1), (1, 9), (16, 17), (0, 4), (4, 0)])
def test_strided_destinations(dtype, shape, rng):
    def arr(*sh):
        x = rng.standard_normal(sh)
        if dtype == np.complex128:
            x = x + 1j * rng.standard_normal(sh)
        return x.astype(dtype)

    a, b = arr(*shape), arr(*shape)
    B, F = arr(shape[0] * 2, shape[1] * 3), np.asfortranarray(arr(*shape))
    check(into_views, B, F, a, b)
    # a view with strided rows inside a larger array, by the kernel's own indexing
    X = arr(*shape, 4)
    for k in (0, 2, -1):
        check(into_strided, X, a, b, k)
    # broadcast operands (a row, a column) into a strided view
    if shape[0] and shape[1]:
        check(into_strided, X, a[:1], b, 1)
        check(into_strided, X, a, b[:, :1], 3)


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (9, 8), (60, 61), (0, 3)])
def test_self_overlap_is_numpys(shape, rng):
    ni, nj = shape
    K = 5
    ccol, dcol = rng.standard_normal((ni, nj, K)), rng.standard_normal((ni, nj, K))
    acol, divided = rng.standard_normal((ni, nj)), rng.standard_normal((ni, nj))
    for k in range(1, K):
        check(thomas_step, ccol, dcol, acol, divided, k)
    check(thomas_step, ccol.astype(np.float32), dcol.astype(np.float32), acol.astype(np.float32),
          divided.astype(np.float32), 2)
    check(thomas_step, ccol, dcol, acol, divided, K)  # IndexError from NumPy
    for s in (0.5, -2.0):
        check(shifted, rng.standard_normal(shape), s)
        check(shifted, np.asfortranarray(rng.standard_normal(shape)), s)
        check(shifted, rng.standard_normal((ni, 2 * nj))[:, ::2], s)


@pytest.mark.parametrize(
    "vals",
    [
        [1e200, 1.0, 2.0],  # overflow: NumPy warns, nothing written before it
        [NAN, 1.0, -INF],
        [0.0, 1.0, 2.0],  # 1 / 0 in divided
    ],
)
def test_special_values_in_overlapping_stores(vals):
    a = np.array(vals)
    ccol = np.stack([a, a[::-1], a * 2.0], axis=-1)[None].repeat(2, axis=0)
    dcol = ccol[..., ::-1].copy()
    acol = np.ones((2, 3))
    divided = np.broadcast_to(a, (2, 3)).copy()
    check(thomas_step, ccol, dcol, acol, divided, 1)
    with np.errstate(all="ignore"):
        inverse = 1.0 / divided
    check(thomas_step, ccol, dcol, divided, inverse, 2)


def test_large_strided_store_takes_numpys_path(rng):
    # beyond the scratch buffer's bound (1 MiB): NumPy's temporary, same values
    X = rng.standard_normal((400, 400, 2))
    a, b = rng.standard_normal((400, 400)), rng.standard_normal((400, 400))
    check(into_strided, X, a, b, 1)
    ccol, dcol = rng.standard_normal((400, 400, 3)), rng.standard_normal((400, 400, 3))
    check(thomas_step, ccol, dcol, a, b, 2)


def test_strided_stores_make_no_call_into_numpy(rng):
    X = rng.standard_normal((6, 7, 4))
    p, q = rng.standard_normal((6, 7)), rng.standard_normal((6, 7))
    planes(X, p, q, 1)
    n = P.pycall_count()
    planes(X, p, q, 2)  # `X[:, :, k] = a * b + 1.0`: strided rows
    assert P.pycall_count() - n == 0
    A = rng.standard_normal((5, 6))
    overlapping(A)
    n = P.pycall_count()
    overlapping(A)  # `A[1:] = A[:-1] * 2.0 + 1.0`: overlap, through the scratch buffer
    assert P.pycall_count() - n == 0


@pyston.fast
def into_whole(V, a, b):
    V[:, :] = a * b + 1.0
    return V


@pytest.mark.parametrize("strides", [(8, 8), (-8, 8), (8, -8), (0, 8), (24, 8), (8, 24), (-24, 16), (16, 0)])
def test_self_overlapping_views_are_numpys(strides, rng):
    # `as_strided` views whose elements share memory: NumPy's assignment decides
    # which value each element keeps (its own order), so NumPy's path runs
    from numpy.lib.stride_tricks import as_strided

    base = rng.standard_normal(64)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    bases = [base.copy(), base.copy()]
    views = [as_strided(x[24:], shape=(3, 4), strides=strides, writeable=True) for x in bases]
    into_whole.py_func(views[0], a, b)
    into_whole(views[1], a, b)
    assert bases[1].tobytes() == bases[0].tobytes()
