"""Bad-input battery (issue 17): a few compiled kernels (a summing loop,
indexing, a store, NumPy calls) run plain and under ``pyston.fast`` on arrays
real code passes by accident: every NumPy dtype, byte-swapped, unaligned,
read-only, zero-size and 0-d arrays, subclasses (matrix, masked, memmap), an
argument mutated during the call by a callback, very high ndim. Each case
must give what plain Python gives: the same value and type (floats bit for
bit), the same exception type and message, the same effect on the
arguments, and never crash."""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest


def k_sum(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def k_index(a, i):
    return a[i]


def k_store(a, v):
    a[0] = v
    a[a.shape[0] - 1] = a[0]
    return a[0]


def k_numpy(a):
    return np.sum(a), a.sum(), np.abs(a)


def k_scale(a):
    for i in range(a.shape[0]):
        a[i] = a[i] * 2
    return a


KERNELS = [k_sum, k_index, k_store, k_numpy, k_scale]
ARGS = {k_sum: (), k_index: (1,), k_store: (3,), k_numpy: (), k_scale: ()}


def outcome(fn, a, *rest):
    with warnings.catch_warnings(record=True) as w, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            r = ("ok", fn(a, *rest))
        except Exception as e:  # noqa: BLE001 - compared with plain Python's
            r = ("raised", type(e), str(e))
    warns = sorted(
        (x.category.__name__, str(x.message)) for x in w if not issubclass(x.category, pyston.PerformanceWarning)
    )
    return r, warns


def same(x, y):
    """Equal values of equal types, arrays by dtype, shape, class and bytes."""
    if type(x) is not type(y):
        return False
    if isinstance(x, tuple):
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if isinstance(x, np.ndarray):
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if isinstance(x, np.ma.MaskedArray) and not np.array_equal(np.ma.getmaskarray(x), np.ma.getmaskarray(y)):
            return False
        if x.dtype.hasobject:
            return x.tolist() == y.tolist()
        if x.dtype in (np.longdouble, np.clongdouble):
            # Their padding bytes are undefined: compare the values.
            return np.array_equal(x, y, equal_nan=True) and np.array_equal(np.signbit(x.real), np.signbit(y.real))
        return np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes()
    if isinstance(x, np.generic):
        if x.dtype in (np.longdouble, np.clongdouble):
            return same(np.array([x]), np.array([y]))
        return x.dtype == y.dtype and np.asarray(x).tobytes() == np.asarray(y).tobytes()
    if isinstance(x, float):
        return x.hex() == y.hex() if x == x else y != y
    if isinstance(x, complex):
        return same(x.real, y.real) and same(x.imag, y.imag)
    return x == y


def check(kernel, make):
    """Runs ``kernel`` on a fresh ``make()`` plain and compiled; both must
    agree on the outcome and on what happened to the argument."""
    a0, a1 = make(), make()
    rest = ARGS[kernel]
    want, want_w = outcome(kernel, a0, *rest)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        fast = pyston.fast(kernel)
    got, got_w = outcome(fast, a1, *rest)
    assert want[0] == got[0], (want, got)
    if want[0] == "ok":
        assert same(want[1], got[1]), (want, got)
    else:
        assert want[1:] == got[1:]
    assert same(np.asarray(a0), np.asarray(a1)), "argument mutated differently"
    assert want_w == got_w


DTYPES = [
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "longdouble",
    "complex64",
    "complex128",
    "clongdouble",
    "object",
    "U3",
    "S3",
    "datetime64[s]",
    "timedelta64[s]",
    "V8",
]


def of_dtype(dt):
    def make():
        if dt == "object":
            return np.array([1, 2.5, 3, "x"][:3] + [4], dtype=object)
        if dt in ("U3", "S3"):
            return np.array(["ab", "c", "def", "g"], dtype=dt)
        if dt == "V8":
            return np.zeros(4, dtype=dt)
        return np.arange(4).astype(dt)

    return make


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
@pytest.mark.parametrize("dt", DTYPES)
def test_every_dtype(kernel, dt):
    check(kernel, of_dtype(dt))


def byteswapped():
    return np.arange(5.0).astype(">f8")


def byteswapped_int():
    return np.arange(5).astype(">i4")


def unaligned():
    buf = np.zeros(5 * 8 + 1, np.uint8)
    a = buf[1:].view(np.float64)
    a[:] = [1.5, -2.0, 3.25, 0.0, 7.0]
    return a


def unaligned_int():
    buf = np.zeros(5 * 8 + 1, np.uint8)
    a = buf[1:].view(np.int64)
    a[:] = [1, -2, 3, 4, 2**62]
    return a


def readonly():
    a = np.arange(5.0)
    a.flags.writeable = False
    return a


def zero_size():
    return np.zeros(0)


def zero_size_2d():
    return np.zeros((0, 3))


def zero_d():
    return np.array(2.5)


def zero_d_int():
    return np.array(7)


def matrix():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix([[1.0, 2.0], [3.0, 4.0]])


def masked():
    return np.ma.masked_array([1.0, 2.0, 3.0, 4.0], mask=[False, True, False, False])


MEMMAP_DIR = []


def memmap():
    import tempfile

    d = tempfile.mkdtemp()
    MEMMAP_DIR.append(d)
    m = np.memmap(f"{d}/m.dat", dtype=np.float64, mode="w+", shape=(4,))
    m[:] = [1.0, 2.0, 3.0, 4.0]
    return m


def fortran_3d():
    return np.asfortranarray(np.arange(24.0).reshape(2, 3, 4))


def negative_stride():
    return np.arange(6.0)[::-2]


def high_ndim():
    return np.ones((2,) + (1,) * 31)


def nan_inf():
    return np.array([np.nan, np.inf, -np.inf, -0.0])


LAYOUTS = [
    byteswapped,
    byteswapped_int,
    unaligned,
    unaligned_int,
    readonly,
    zero_size,
    zero_size_2d,
    zero_d,
    zero_d_int,
    matrix,
    masked,
    memmap,
    fortran_3d,
    negative_stride,
    high_ndim,
    nan_inf,
]


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
@pytest.mark.parametrize("make", LAYOUTS, ids=lambda m: m.__name__)
def test_layouts_and_subclasses(kernel, make):
    check(kernel, make)


def mutating_sum(a, cb):
    s = 0.0
    for i in range(a.shape[0]):
        cb(a, i)
        s += a[i]
    return s


def zero_the_rest(a, i):
    a[i + 1 :] = -1.0


def shrink_view(a, i):
    if i == 1:
        a.shape = (a.size,)


@pytest.mark.parametrize("cb", [zero_the_rest, shrink_view])
def test_argument_mutated_during_the_call(cb):
    a0, a1 = np.arange(5.0), np.arange(5.0)
    want = mutating_sum(a0, cb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        got = pyston.fast(mutating_sum)(a1, cb)
    assert same(want, got)
    assert same(a0, a1)


def test_high_ndim_indexing():
    a = np.arange(2.0).reshape((2,) + (1,) * 31)

    def f(a):
        return a[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + a.sum()

    assert same(pyston.fast(f)(a), f(a))
