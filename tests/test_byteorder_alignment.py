"""Arrays in a non-native byte order and unaligned arrays: compiled code reads
native-order, aligned memory only, so such arguments (and such arrays made by
NumPy inside a kernel) make the function run as plain Python, one
``PerformanceWarning``, never a wrong value. Native order spelled '<' (on a
little-endian machine), '=' or '|' compiles.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pyston
import pytest

LITTLE = sys.byteorder == "little"
FOREIGN = ">" if LITTLE else "<"
NATIVE = "<" if LITTLE else ">"


def total(a):
    s = a[0] - a[0]
    for i in range(len(a)):
        s += a[i]
    return s


def last(a):
    return a[len(a) - 1]


def store(a, v):
    a[1] = v
    return a


def swapped_inside(a):
    b = a.astype(FOREIGN + "f8")
    return b[0] + b[1]


def dup(x):
    """A copy keeping the byte order and (mis)alignment."""
    if not isinstance(x, np.ndarray):
        return x
    if x.flags.aligned:
        return x.copy()
    y = np.frombuffer(bytearray(x.nbytes + 1), dtype=x.dtype, offset=1, count=x.size)
    y[...] = x
    assert not y.flags.aligned
    y.flags.writeable = x.flags.writeable
    return y


def compiles(fn, *args):
    """Whether fn compiles for these arguments (``fallback=False`` raises
    instead of running plain Python)."""
    args = [dup(x) for x in args]
    try:
        pyston.fast(fn, fallback=False)(*args)
    except Exception as e:  # noqa: BLE001 -- the refusal
        assert "compiled code" in str(e), e
        return False
    return True


def run(fn, *args):
    """fn plain and compiled (fresh copies): same value, type and dtype; returns
    True when the kernel ran as plain Python."""
    a1 = [dup(x) for x in args]
    a2 = [dup(x) for x in args]
    expected = fn(*a1)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        got = pyston.fast(fn)(*a2)
    assert type(got) is type(expected)
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    else:
        assert got == expected or (got != got and expected != expected)
    for x, y in zip(a1, a2):
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y)
    fell_back = not compiles(fn, *args)
    if not fell_back:
        assert not [w for w in ws if issubclass(w.category, pyston.PerformanceWarning)]
    return fell_back


@pytest.mark.parametrize("code", ["i2", "i4", "i8", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"])
def test_foreign_byte_order_falls_back(code):
    a = np.arange(1, 6).astype(FOREIGN + code)
    assert a.dtype.byteorder == FOREIGN
    for fn, args in [(total, (a,)), (last, (a,)), (store, (a, 3))]:
        assert run(fn, *args), f"{fn.__name__} compiled a {a.dtype} array"


@pytest.mark.parametrize("code", ["i2", "i4", "i8", "u4", "f4", "f8", "c16"])
@pytest.mark.parametrize("order", [NATIVE, "="])
def test_native_byte_order_compiles(code, order):
    a = np.arange(1, 6).astype(order + code)
    for fn, args in [(total, (a,)), (last, (a,)), (store, (a, 3))]:
        assert not run(fn, *args), f"{fn.__name__} fell back for {a.dtype}"


@pytest.mark.parametrize("code", ["|i1", "|u1", "|b1", "?"])
def test_one_byte_dtypes_compile(code):
    a = np.array([1, 0, 1, 1], dtype=code)
    assert not run(last, a)
    assert not run(store, a, 1)


def test_foreign_time_arrays_fall_back():
    a = np.arange(5).astype(FOREIGN + "M8[s]")
    assert run(last, a)
    t = np.arange(5).astype(FOREIGN + "m8[ns]")
    assert run(total, t)


@pytest.mark.parametrize("code", ["f8", "i8", "i4", "c16", "M8[s]"])
def test_unaligned_falls_back(code):
    item = np.dtype(code).itemsize
    buf = bytes(range(1, 1 + 5 * item + 1))
    a = np.frombuffer(buf, dtype=NATIVE + code, offset=1, count=5)
    assert not a.flags.aligned
    assert run(last, a)
    b = np.frombuffer(bytearray(buf), dtype=NATIVE + code, offset=1, count=5)
    assert run(store, b, b[0])


def test_aligned_view_of_offset_buffer_compiles():
    buf = np.arange(10, dtype="f8").tobytes()
    a = np.frombuffer(buf, dtype="<f8" if LITTLE else ">f8", offset=8)
    assert a.flags.aligned
    assert not run(last, a)


def test_foreign_order_made_inside_falls_back():
    assert run(swapped_inside, np.arange(3.0))
