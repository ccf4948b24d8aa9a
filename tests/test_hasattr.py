"""`hasattr(x, "name")` with a constant name on values whose type decides the
answer (ints, floats, bools, complex, None, strings, NumPy scalars and
arrays): decided at compile time, compiled natively; the same answer as
CPython's. Other values leave the function to CPython."""

import numpy as np
import pyston
from helpers import assert_same


@pyston.fast
def attrs(x):
    return (
        hasattr(x, "shape"),
        hasattr(x, "real"),
        hasattr(x, "dtype"),
        hasattr(x, "is_integer"),
        hasattr(x, "bit_length"),
        hasattr(x, "__len__"),
        hasattr(x, "mro"),
        hasattr(x, "__name__"),
        hasattr(x, "nope"),
        hasattr(x, "T"),
        hasattr(x, "__class__"),
    )


@pyston.fast
def branch(a, x):
    s = 0.0
    for i in range(len(a)):
        if hasattr(x, "dtype"):
            s += a[i] * 2
        else:
            s += a[i]
    return s + hasattr(a, "ndim")


def test_types_decide():
    for x in [
        1,
        1 << 80,
        2.5,
        True,
        1j,
        None,
        "abc",
        np.float64(1),
        np.float32(2),
        np.int8(3),
        np.bool_(True),
        np.complex64(1j),
        np.ones(3),
        np.arange(6).reshape(2, 3),
        np.ones((2, 2), np.float32),
    ]:
        assert_same(attrs, x)


def test_in_branch():
    a = np.arange(5.0)
    assert_same(branch, a, 1.5)
    assert_same(branch, a, np.float64(1.5))


def test_other_values_fall_back():
    class C:
        shape = 1

    assert_same(attrs, C(), allow_fallback=True)
    assert_same(attrs, [1, 2], allow_fallback=True)
