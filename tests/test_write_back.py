"""`base[idx] op= x` of an array view: CPython runs `t = base[idx]; t op= x;
base[idx] = t`, and the last step writes the view back onto its own memory.
Compiled code skips that copy when the updated value is exactly the view's
memory (a basic index: ints, slices, None), and makes NumPy's call otherwise.
Differential against plain Python on random and edge inputs: values, dtypes,
effects on the arguments, exceptions and warnings."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, check, rng_for


@pyston.fast
def add_rows(a, x):
    for i in range(a.shape[0]):
        a[i] += x
    return a


@pyston.fast
def scale_tails(a, k):
    for i in range(a.shape[0]):
        a[i, 1:] *= k
        a[i, ::2] -= 1
    return a


@pyston.fast
def overlapping(a):
    for j in range(1, a.shape[1]):
        a[:, j] += a[:, j - 1]
    return a


@pyston.fast
def cma_like(w, x, mu):
    # (numpy-benchmarks' cma_pt: `wxy[k] += mu * np.conj(err) * X` of complex rows)
    for k in range(w.shape[0]):
        for _ in range(3):
            err = np.sum(x * np.conj(w[k]))
            w[k] += mu * np.conj(err) * x
    return w


@pyston.fast
def fancy(a, idx):
    for _ in range(2):
        a[idx] += 1
    return a


@pyston.fast
def int_wrap(a, x):
    for i in range(a.shape[0]):
        a[i] += x
    return a


def rng():
    return rng_for("write_back")


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
def test_views_updated_in_place(dtype):
    r = rng()
    a = (r.standard_normal((4, 3, 5)) * 10).astype(dtype)
    check(add_rows, [(a, a[0].copy()), (a, 2), (a, np.ones(5, dtype)), (a[:, ::-1], 1), (a.transpose(1, 0, 2), 3)])
    check(scale_tails, [(a, 3), (np.asfortranarray(a), 2)])
    check(overlapping, [(a[0].copy(),), (a[:, 0].copy(),)])


def test_complex_rows():
    r = rng()
    w = r.standard_normal((2, 2, 21)) + 1j * r.standard_normal((2, 2, 21))
    x = r.standard_normal((2, 21)) + 1j * r.standard_normal((2, 21))
    check(cma_like, [(w, x, 1e-3), (w, x, 0.5)])


def test_fancy_index_is_written_back():
    a = np.zeros((5, 3))
    assert_same(fancy, a, np.array([0, 2, 2, 4]))
    assert_same(fancy, a, np.array([[1], [3]]))


def test_edges():
    a = np.zeros((3, 2))
    a.setflags(write=False)
    assert_same(add_rows, a, 1.0, allow_fallback=True)  # ValueError: output array is read-only
    assert_same(add_rows, np.zeros((0, 4)), 1.0)
    assert_same(add_rows, np.zeros((3, 0)), 1.0)
    assert_same(add_rows, np.ones((2, 3)), np.inf)
    assert_same(add_rows, np.ones((2, 3)), np.ones(4))  # broadcast error
    big = np.full((2, 3), np.iinfo(np.int64).max)
    assert_same(int_wrap, big, 1)  # wraps, as NumPy's in-place add
    assert_same(int_wrap, np.ones((2, 3), np.int8), 300)  # NumPy's casting error


def test_write_back_makes_no_call():
    from pyston import _pyston as P

    a = np.zeros((50, 4, 3))
    x = np.ones((4, 3))
    add_rows(a, x)
    n = P.pycall_count()
    add_rows(a, x)
    # (the in-place add of each row is fused, one operation alone: no call
    # at all; the write-back, skipped, would not be counted either:
    # pycall_count counts operations, not stores)
    assert P.pycall_count() - n == 0
