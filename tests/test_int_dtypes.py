"""The integer dtypes beyond int32/int64 (int8, int16, uint8, uint16, uint32,
uint64) in compiled code: arrays and NumPy scalars, compared with plain
NumPy value for value, type for type, warning for warning.

Compiled code computes them natively and deoptimizes wherever NumPy would
warn, raise or wrap on overflow (the interpreter tier then does exactly what
NumPy does), so every edge value is compared, not only the fast path. Each
kernel must also compile natively: a ``PerformanceWarning`` fails the test.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pyston
import pytest

NEW = [np.int8, np.int16, np.uint8, np.uint16, np.uint32, np.uint64]
ALL_INTS = NEW + [np.int32, np.int64]


def edge_values(t):
    info = np.iinfo(t)
    vals = {int(info.min), int(info.max), 0, 1, 2, 3, 7, int(info.max) // 2 + 1}
    if info.min < 0:
        vals |= {-1, -3, int(info.min) + 1}
    return sorted(vals)


def outcome(f, *args):
    """(result or exception, warnings other than pyston's)."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = ("ok", f(*args))
        except Exception as e:  # noqa: BLE001 -- compared
            r = ("exc", type(e), str(e))
    # (ResourceWarnings are other tests' garbage collected here, not this call's.)
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in ws
                   if not issubclass(w.category, (pyston.PerformanceWarning, ResourceWarning))})
    return r, msgs


def same(x, y):
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if isinstance(x, np.ndarray):
        return (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape
                and np.array_equal(x, y, equal_nan=True))
    if type(x) is not type(y):
        return False
    if isinstance(x, (float, np.floating)) and math.isnan(x):
        return math.isnan(y)
    return x == y


def check(fn, *args):
    """fn plain and compiled on fresh copies of args: same outcome, same argument mutation."""
    a1 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    a2 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    plain = outcome(fn, *a1)
    fast = pyston.fast(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        compiled = outcome(fast, *a2)
    assert same(plain[0], compiled[0]) and plain[1] == compiled[1], (fn.__name__, args, plain, compiled)
    assert same(tuple(a1), tuple(a2)), (fn.__name__, args, a1, a2)
    return compiled


def add(a, b): return a + b
def sub(a, b): return a - b
def mul(a, b): return a * b
def floordiv(a, b): return a // b
def mod(a, b): return a % b
def truediv(a, b): return a / b
def power(a, b): return a ** b
def and_(a, b): return a & b
def or_(a, b): return a | b
def xor(a, b): return a ^ b
def lshift(a, b): return a << b
def rshift(a, b): return a >> b
def lt(a, b): return a < b
def le(a, b): return a <= b
def eq(a, b): return a == b
def ne(a, b): return a != b
def gt(a, b): return a > b


BINOPS = [add, sub, mul, floordiv, mod, truediv, power, and_, or_, xor, lshift, rshift, lt, le, eq, ne, gt]


@pytest.mark.parametrize("t1", ALL_INTS, ids=lambda t: t.__name__)
@pytest.mark.parametrize("t2", ALL_INTS, ids=lambda t: t.__name__)
def test_scalar_binops_every_pair(t1, t2):
    if t1 not in NEW and t2 not in NEW:
        pytest.skip("int32/int64 pairs are covered elsewhere")
    rng = np.random.default_rng(hash((t1.__name__, t2.__name__)) % 2**32)
    xs, ys = edge_values(t1), edge_values(t2)
    pairs = list(itertools.product(xs, ys))
    pairs = [pairs[i] for i in rng.choice(len(pairs), size=min(len(pairs), 14), replace=False)]
    for op in BINOPS:
        for x, y in pairs:
            if op is power and (y < 0 or y > 70):
                continue  # NumPy: ValueError for negative powers; huge powers are slow in plain NumPy
            check(op, t1(x), t2(y))


# (On NumPy 1.x under NPY_PROMOTION_STATE=weak, which the matrix uses, comparing with an
# out-of-range Python int raises OverflowError, where NumPy 2 compares exactly: compiled
# code deoptimizes there and the installed NumPy decides.)
LEGACY_PROMOTION = int(np.__version__.split(".")[0]) < 2 and getattr(np, "_get_promotion_state", lambda: "legacy")() != "weak"


@pytest.mark.skipif(
    LEGACY_PROMOTION,
    reason="NumPy 1.x's legacy (value-based) promotion: pyston follows NEP 50 (NumPy 2, or 1.x with NPY_PROMOTION_STATE=weak)",
)
@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_scalar_with_python_numbers(t):
    # NEP 50: a Python int takes the NumPy type (OverflowError when it does not fit),
    # a Python float makes float64, a bool keeps the type.
    for x in edge_values(t):
        for y in [0, 1, 3, -1, 200, 300, 70000, 2**40, -(2**40), 2.5, -0.5, True]:
            for op in (add, sub, mul, floordiv, mod, truediv, and_, lshift, rshift, lt, eq):
                if isinstance(y, float) and op in (and_, lshift, rshift):
                    continue
                check(op, t(x), y)
                check(op, y, t(x))


def neg(a): return -a
def pos(a): return +a
def inv(a): return ~a
def absolute(a): return abs(a)
def truth(a): return 1 if a else 0
def to_float(a): return float(a)
def to_int(a): return int(a)
def as_index(a): return (10, 20, 30, 40)[a % 4]


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_scalar_unary_and_conversions(t):
    for x in edge_values(t):
        for op in (neg, pos, inv, absolute, truth, to_float, to_int, as_index):
            check(op, t(x))


def construct(x, which):
    if which == 0:
        return np.int8(x)
    if which == 1:
        return np.int16(x)
    if which == 2:
        return np.uint8(x)
    if which == 3:
        return np.uint16(x)
    if which == 4:
        return np.uint32(x)
    return np.uint64(x)


def test_scalar_constructors():
    # In range: the value; Python ints out of range: OverflowError; NumPy ints: C casts;
    # floats truncate (out of range: NumPy's own behaviour, by deoptimization).
    values = [0, 5, -1, 127, 128, 255, 256, -129, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, -(2**63),
              3.7, -0.5, -1.0, 1e10, np.int64(300), np.int64(-1), np.uint8(200), np.int8(-100), True]
    for x in values:
        for which in range(6):
            check(construct, x, which)


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
def test_array_loads_stores_and_results(t, layout):
    rng = np.random.default_rng(5)
    info = np.iinfo(t)
    base = rng.integers(int(info.min), int(info.max), size=(6, 5), dtype=t, endpoint=True)
    a = {"C": base, "F": np.asfortranarray(base), "strided": base[::2, ::2], "reversed": base[::-1, ::-1]}[layout]

    def total(a):
        s = 0
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                s += int(a[i, j])
        return s

    def scaled(a, k):
        out = np.zeros(a.shape, dtype=a.dtype)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = a[i, j] * k  # NumPy overflow: warn and wrap
        return out

    def max_elem(a):
        m = a[0, 0]
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                if a[i, j] > m:
                    m = a[i, j]
        return m

    def clamp_store(a, lo, hi):
        b = a.copy()
        n = 0
        for i in range(b.shape[0]):
            for j in range(b.shape[1]):
                if b[i, j] < lo:
                    b[i, j] = lo
                    n += 1
                elif b[i, j] > hi:
                    b[i, j] = hi
                    n += 1
        return b, n

    check(total, a)
    check(max_elem, a)
    for k in (np.int8(1), t(1), t(2), 1):
        check(scaled, a, k)
    check(clamp_store, a, 3, 100)


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_array_store_conversions(t):
    def store(a, v):
        a[0] = v
        return a[0]

    for v in [0, 1, -1, 100, 200, 300, 70000, 2**40, -(2**40), 2**64, 3.7, -0.5, -1.0, 1e10, float("nan"),
              np.int64(300), np.int64(-1), np.uint64(2**64 - 1), np.int8(-5), True, np.float32(2.5)]:
        check(store, np.zeros(3, dtype=t), v)


def histogram(img, nbins):
    h = np.zeros(nbins, np.int64)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            h[img[i, j]] += 1
    return h


def xorshift64(n, seed):
    x = np.uint64(seed)
    acc = np.uint64(0)
    for _ in range(n):
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
        acc ^= x
    return acc, x


def fnv1a(data):
    h = np.uint32(2166136261)
    for b in data:
        h ^= np.uint32(b)
        h = np.uint32((int(h) * 16777619) & 0xFFFFFFFF)
    return h


def int16_moving_sum(a, w):
    out = np.zeros(a.shape[0] - w + 1, np.int16)
    for i in range(out.shape[0]):
        s = np.int16(0)
        for k in range(w):
            s += a[i + k]
        out[i] = s
    return out


def test_kernels():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (37, 23), dtype=np.uint8)
    check(histogram, img, 256)
    check(xorshift64, 1000, 88172645463325252)
    check(xorshift64, 3, 0)
    check(fnv1a, rng.integers(0, 256, 100, dtype=np.uint8))
    check(int16_moving_sum, rng.integers(-300, 300, 50, dtype=np.int16), 5)
    check(int16_moving_sum, np.full(20, 20000, dtype=np.int16), 3)  # overflows: NumPy warns and wraps


def test_dtype_objects_and_allocation():
    def alloc(n):
        a = np.zeros(n, dtype=np.uint16)
        b = np.ones((n, 2), np.int8)
        c = np.empty(n, dtype="u4")
        c[:] = 7
        return a, b, c, a.dtype == np.uint16, b.itemsize

    check(alloc, 4)


def test_type_key_distinguishes_dtypes():
    def ident(x):
        return x

    f = pyston.fast(ident)
    for t in ALL_INTS:
        assert type(f(t(5))) is t
        a = np.arange(3, dtype=t)
        assert f(a).dtype == t
    assert len(f.signatures) == 2 * len(ALL_INTS)


def shift_below(a, t):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        v = a[i]
        out[i] = v + 100 if v < t else v  # the arm overflows uint8 exactly when it is not taken
    return out


def test_if_converted_arms_with_numpy_int_arithmetic():
    # `x if c else y` over NumPy ints becomes a select (no data-dependent branch);
    # the arm's overflow check deoptimizes only when that arm is the one taken.
    import platform

    a = np.array([0, 99, 100, 154, 155, 156, 200, 255], dtype=np.uint8)
    for t in (np.uint8(100), np.uint8(156), np.uint8(0), np.uint8(255)):
        check(shift_below, a, t)
    f = pyston.fast(shift_below)
    f(a, np.uint8(100))
    asm = f.inspect_asm()
    select = {"x86_64": "cmov", "AMD64": "cmov", "aarch64": "csel", "arm64": "csel"}.get(platform.machine())
    if select:
        assert select in asm


def threshold_invert(a, t):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        v = a[i]
        out[i] = np.uint8(255) - v if v > t else v  # a NumPy int made from a constant in the arm
    return out


def constant_out_of_range(a, t):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        v = a[i]
        out[i] = np.uint8(300) if v > t else v  # NumPy's error, only when the arm is taken
    return out


def test_if_converted_arms_making_numpy_ints():
    import platform

    a = np.array([0, 1, 99, 100, 101, 200, 255], dtype=np.uint8)
    for t in (np.uint8(100), np.uint8(0), np.uint8(255)):
        check(threshold_invert, a, t)
        check(constant_out_of_range, a, t)
    f = pyston.fast(threshold_invert)
    f(a, np.uint8(100))
    select = {"x86_64": "cmov", "AMD64": "cmov", "aarch64": "csel", "arm64": "csel"}.get(platform.machine())
    if select:
        assert select in f.inspect_asm()


def saturating_add(a, b):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        s = int(a[i]) + int(b[i])
        out[i] = 127 if s > 127 else (-128 if s < -128 else s)  # a diamond inside an arm
    return out


def nested_overflow(a, t):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        v = a[i]
        out[i] = v if v < t else (v + np.uint8(100) if v < 200 else v - np.uint8(1))
    return out


def test_nested_conditional_expressions_are_if_converted():
    import platform

    rng = np.random.default_rng(5)
    a, b = rng.integers(-128, 128, 64, dtype=np.int8), rng.integers(-128, 128, 64, dtype=np.int8)
    check(saturating_add, a, b)
    check(saturating_add, np.array([127, -128, 0], np.int8), np.array([127, -128, -1], np.int8))
    u = np.array([0, 49, 50, 155, 156, 199, 200, 255], dtype=np.uint8)
    for t in (np.uint8(50), np.uint8(156), np.uint8(0), np.uint8(255)):
        check(nested_overflow, u, t)  # the inner arms' overflow warns only when taken
    f = pyston.fast(saturating_add)
    f(a, b)
    select = {"x86_64": "cmov", "AMD64": "cmov", "aarch64": "csel", "arm64": "csel"}.get(platform.machine())
    if select:
        assert select in f.inspect_asm()


def floor_ceil(x):
    return math.floor(x), math.ceil(x)


def trunc(x):
    return math.trunc(x)


def test_math_floor_ceil_of_numpy_scalars():
    # NumPy scalars' __floor__/__ceil__ give Python ints (big ones too); only
    # np.float64 has __trunc__ (the others raise TypeError, compiled or not).
    values = [np.float64(2.5), np.float64(-2.5), np.float64(1e300), np.float64("nan"), np.float64("inf"),
              np.float32(-7.25), np.float32(3e38), np.bool_(True)]
    values += [t(v) for t in ALL_INTS for v in (0, 5, int(np.iinfo(t).max))]
    for x in values:
        check(floor_ceil, x)
    for x in (np.float64(2.5), np.float64(-1e20), np.float64(-0.5)):
        check(trunc, x)
    with pytest.raises(TypeError), pytest.warns(pyston.PerformanceWarning, match="math.trunc"):
        pyston.fast(trunc)(np.float32(2.5))
