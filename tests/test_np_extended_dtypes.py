"""NumPy library calls from compiled code on the dtypes beyond the basic six
(int8/int16/uint8/uint16/uint32/uint64, float16, complex64): reductions,
sorting and searching, cumulative and element-wise functions, ufuncs, `where`,
`clip`, `concatenate`, `take`, `unique`, `dot`, called the way a loop uses
them (an element read back, a sum), in C, strided and reversed layouts,
differential against plain NumPy (value, dtype, shape, type, warnings and
exceptions), and compiled (``check`` fails on a fall-back unless NumPy raises)."""

import numpy as np
import pyston
import pytest
from helpers import random_array
from np_common import L1, check, cover, layout

EXTENDED = [np.int8, np.int16, np.uint8, np.uint16, np.uint32, np.uint64, np.float16, np.complex64]


def f_reduce(a):
    return np.sum(a), a.sum(), np.prod(a[:3]), a.max(), np.min(a), np.argmax(a), a.argmin(), np.mean(a)


def f_cumulative(a):
    c = np.cumsum(a)
    return c, c[-1], np.cumprod(a[:4]), np.diff(a)


def f_sort_search(a):
    s = np.sort(a)
    return s, np.argsort(a, kind="stable"), np.searchsorted(s, a[0]), np.unique(a)


def f_elementwise(a, b):
    return a + b, a * b, np.add(a, b), np.maximum(a, b), np.where(a > b, a, b), np.abs(a)


def f_ufuncs(a):
    return np.sqrt(a), np.negative(a), np.square(a), np.isfinite(a)


def f_combine(a, b):
    t = np.concatenate((a, b))
    return t, np.take(a, [0, 1, -1]), np.clip(a, a[1], a[2]) if a[1] <= a[2] else a.copy(), np.dot(a, b)


def f_loop(a):
    # A reduction result used by an element loop.
    m = a.max()
    n = 0
    for i in range(a.shape[0]):
        if a[i] == m:
            n += 1
    return m, n


@pytest.fixture
def rng():
    return np.random.default_rng(15)


@pytest.mark.parametrize("dt", EXTENDED, ids=lambda d: np.dtype(d).name)
def test_library_on_extended_dtypes(rng, dt):
    a0 = random_array(rng, 9, dt)
    b0 = random_array(rng, 9, dt)
    for name in L1:
        a, b = layout(a0, name), layout(b0, name)
        check(pyston.fast(f_reduce), a)
        check(pyston.fast(f_cumulative), a)
        check(pyston.fast(f_sort_search), a)
        check(pyston.fast(f_elementwise), a, b)
        check(pyston.fast(f_ufuncs), a)
        check(pyston.fast(f_combine), a, b)
        check(pyston.fast(f_loop), a)


cover(
    "reductions",
    "calls on the extended dtypes",
    "np.sum a.sum np.prod a.max np.min np.argmax a.argmin np.mean np.cumsum np.cumprod np.diff np.sort "
    "np.argsort np.searchsorted np.unique a + b a * b np.add np.maximum np.where np.abs np.sqrt np.negative "
    "np.square np.isfinite np.concatenate np.take np.clip np.dot",
    dtypes=EXTENDED,
    layouts=L1,
    test="test_library_on_extended_dtypes",
)
