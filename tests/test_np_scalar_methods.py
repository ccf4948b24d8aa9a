"""Methods of NumPy scalars (`z.conj()` of an np.complex128 read from an
array, `x.item()`, `x.round(2)`, ...) in compiled code: called through
Python as CPython calls them, instead of sending the whole function to the
plain-Python path. Differential on every dtype with edge values: value,
type and exceptions (NaN's `as_integer_ratio`, ...); and the message of a
method the scalar lacks names the scalar's type, not "array"."""

import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same

DTYPES = [np.float64, np.float32, np.float16, np.complex128, np.complex64, np.int64, np.int32, np.int8, np.uint8,
          np.uint64, np.bool_]


def conj_sum(a):
    s = a[0] * 0
    for i in range(a.shape[0]):
        s = s + a[i].conj() - a[i].conjugate() * 2
    return s


def items(a):
    out = []
    for i in range(a.shape[0]):
        out.append(a[i].item())
    return out


def rounded(a, k):
    s = 0.0
    for i in range(a.shape[0]):
        s += float(a[i].round(k))
    return s


def ratio(a):
    return a[0].as_integer_ratio()


def tolist_and_int(a):
    x = a[-1]
    return x.tolist(), x.is_integer()


EDGE = {
    "f": [0.0, -0.0, 1.5, -2.5, 1e30, np.nan, np.inf, -np.inf, 3.0],
    "c": [0j, 1 + 2j, -0.5 - 0.0j, complex(np.nan, 1), complex(1, np.inf), 3 - 4j],
    "i": [0, 1, -1, 7, 100, -100],
    "u": [0, 1, 7, 200, 255],
    "b": [True, False, True],
}


def edge_array(dt):
    kind = np.dtype(dt).kind
    vals = EDGE[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind in "iu":
            info = np.iinfo(dt)
            vals = [v for v in vals if info.min <= v <= info.max] + [info.min, info.max]
        return np.array(vals, dtype=dt)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: np.dtype(d).name)
def test_conj_and_item(dt):
    a = edge_array(dt)
    if a.dtype.kind != "b":
        assert_same(pyston.fast(conj_sum), a)
    assert_same(pyston.fast(items), a)


@pytest.mark.parametrize("dt", [np.float64, np.float32, np.int64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("k", [0, 1, 3, -1])
def test_round(dt, k):
    a = edge_array(dt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(pyston.fast(rounded), a[np.isfinite(a)] if a.dtype.kind == "f" else a, k)


@pytest.mark.parametrize("v", [1.5, -0.0, np.nan, np.inf, 2.0**60, 0.1])
@pytest.mark.parametrize("dt", [np.float64, np.float32, np.float16], ids=lambda d: np.dtype(d).name)
def test_ratio_and_tolist(v, dt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = np.array([v, v], dtype=dt)
    assert_same(pyston.fast(ratio), a)  # NaN / inf: CPython's ValueError / OverflowError
    if dt is np.float64:
        assert_same(pyston.fast(tolist_and_int), a)


def test_a_method_the_scalar_lacks():
    def f(a):
        return a[0].bit_length()

    with pytest.raises(pyston.CompileError) as e:
        pyston.fast(fallback=False)(f)(np.arange(3))
    msg = str(e.value)
    assert "the method 'bit_length' of 'numpy.int64'" in msg and "array method" not in msg, msg
