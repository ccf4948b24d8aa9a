"""float16 and complex64 in compiled code: arrays and NumPy scalars, compared
with plain NumPy value for value (bit for bit, signed zeros included), type for
type, warning for warning, exception for exception.

float16 is computed as NumPy computes it (each operation in float32, rounded
back to float16 to nearest-even); complex64 with NumPy's scalar formulas in
float32. Wherever NumPy warns (an overflow, an invalid operation, a division
by zero, a cast that overflows) compiled code deoptimizes and the interpreter
tier does exactly what NumPy does, so every edge value is compared, not only
the fast path. Each kernel must also compile natively: a ``PerformanceWarning``
fails the test (except where plain NumPy itself raises a TypeError).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pyston
import pytest

NEW = [np.float16, np.complex64]
OTHERS = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
          np.float16, np.float32, np.float64, np.complex64, np.complex128]

F16_EDGES = [0.0, -0.0, 1.0, -1.5, 0.1, 3.0, 300.0, 60000.0, 65504.0, -65504.0, 6e-8, 6.1e-5, 2.5e-4,
             math.inf, -math.inf, math.nan]
C64_EDGES = [0j, complex(-0.0, 0.0), 1 + 2j, -1.5 - 0.5j, 0.1 + 0.3j, 3e38 + 1j, 1e-40 + 1j, 2j,
             complex(math.inf, 0), complex(math.nan, 1), complex(2, math.inf), 1e20 - 1e20j]


def edge_values(t):
    if t is np.float16:
        return F16_EDGES
    if t is np.complex64:
        return C64_EDGES
    if t is np.bool_:
        return [False, True]
    if t in (np.float32, np.float64):
        return [0.0, -0.0, 0.5, -2.0, 7.25, 1e30, 1e-30, math.inf, math.nan]
    if t is np.complex128:
        return [0j, 1 - 1j, 0.5 + 2j, 1e300 + 1j, complex(math.nan, 0)]
    info = np.iinfo(t)
    vals = {0, 1, 3, 7, int(info.max)}
    if info.min < 0:
        vals |= {-1, -3, int(info.min)}
    return sorted(vals)


def outcome(f, *args):
    """(result or exception, warnings other than pyston's)."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = ("ok", f(*args))
        except Exception as e:  # noqa: BLE001 -- compared
            r = ("exc", type(e), str(e))
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in ws
                   if not issubclass(w.category, (pyston.PerformanceWarning, ResourceWarning))})
    return r, msgs


def same_float(x, y):
    if math.isnan(x):
        return math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def same(x, y):
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if isinstance(x, np.ndarray):
        if not (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape):
            return False
        if x.dtype.kind in "fc":
            return _bits_equal(x, y)  # bit for bit, except NaN payloads
        return bool(np.array_equal(x, y))
    if type(x) is not type(y):
        return False
    if isinstance(x, (complex, np.complexfloating)):
        return same_float(float(x.real), float(y.real)) and same_float(float(x.imag), float(y.imag))
    if isinstance(x, (float, np.floating)):
        return same_float(float(x), float(y))
    return x == y


def check(fn, *args, allow_type_error=True):
    """fn plain and compiled on fresh copies of args: same outcome, same argument mutation;
    compiled natively unless plain NumPy raises a TypeError (such code is not typed)."""
    a1 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    a2 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    plain = outcome(fn, *a1)
    fast = pyston.fast(fn)
    native = not (allow_type_error and plain[0][0] == "exc" and plain[0][1] is TypeError)
    with warnings.catch_warnings():
        if native:
            warnings.simplefilter("error", pyston.PerformanceWarning)
        compiled = outcome(fast, *a2)
    warns = plain[1] == compiled[1]
    if not warns and fn in (add, sub, mul) and plain[0][0] == "ok" and isinstance(plain[0][1], UNCHECKED):
        # docs/semantics.md: `+ - *` overflow/invalid warnings of float32, float64 and
        # complex128 results are not emitted (the value is identical).
        warns = True
    assert same(plain[0], compiled[0]) and warns, (fn.__name__, args, plain, compiled)
    assert same(tuple(a1), tuple(a2)), (fn.__name__, args, a1, a2)
    return compiled


UNCHECKED = (np.float32, np.float64, np.complex128)


def add(a, b): return a + b
def sub(a, b): return a - b
def mul(a, b): return a * b
def floordiv(a, b): return a // b
def mod(a, b): return a % b
def truediv(a, b): return a / b
def power(a, b): return a ** b
def lt(a, b): return a < b
def le(a, b): return a <= b
def eq(a, b): return a == b
def ne(a, b): return a != b
def gt(a, b): return a > b


BINOPS = [add, sub, mul, floordiv, mod, truediv, power, lt, le, eq, ne, gt]


def sampled_pairs(t1, t2, n, seed):
    pairs = list(itertools.product(edge_values(t1), edge_values(t2)))
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(pairs), size=min(len(pairs), n), replace=False)
    return [pairs[i] for i in sorted(idx)]


@pytest.mark.parametrize("t1", NEW, ids=lambda t: t.__name__)
@pytest.mark.parametrize("t2", OTHERS, ids=lambda t: t.__name__)
def test_scalar_binops_every_pair(t1, t2):
    seed = sum(map(ord, t1.__name__ + t2.__name__))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (building the operands: overflowing casts)
        pairs = [(t1(x), t2(y)) for x, y in sampled_pairs(t1, t2, 16, seed)]
    for op in BINOPS:
        for x, y in pairs:
            check(op, x, y)
            check(op, y, x)


PY_NUMBERS = [0, 1, -1, 3, 300, 2049, 32785, 65519, 70000, 2**40, -(2**70), 2.5, -0.5, 0.1, 1e6, 1e-8, 1e300,
              math.inf, math.nan, True, 1j, 2 - 3j, complex(1e40, 0)]


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_scalar_with_python_numbers(t):
    # NEP 50: a Python int, float or complex takes the NumPy type's precision
    # (float16 + 1j is complex64); a cast that overflows warns.
    for x in edge_values(t)[::2]:
        for y in PY_NUMBERS:
            for op in (add, sub, mul, truediv, floordiv, power, lt, eq, ne):
                check(op, t(x), y)
                check(op, y, t(x))


def neg(a): return -a
def pos(a): return +a
def absolute(a): return abs(a)
def truth(a): return 1 if a else 0
def not_(a): return not a
def to_float(a): return float(a)
def to_int(a): return int(a)
def to_complex(a): return complex(a)
def real(a): return a.real
def imag(a): return a.imag
def round0(a): return round(a)


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_scalar_unary_and_conversions(t):
    ops = [neg, pos, absolute, truth, not_, to_complex, real, imag]
    if t is np.float16:
        ops += [to_float, to_int, round0]
    for x in edge_values(t):
        for op in ops:
            check(op, t(x))


def make_f16(x): return np.float16(x)
def make_c64(x): return np.complex64(x)
def f16_to(x, which):
    return (np.float32(x), np.float64(x), np.complex64(x), np.complex128(x), np.int16(x) if which else np.uint8(x))
def c64_to(x): return np.complex128(x)


def test_scalar_constructors():
    values = [0, 5, -1, 65504, 65519, 65520, 70000, 2**40, 2**63 - 1, 3.7, -0.5, 1e-8, 5.96e-8, 2.98e-8,
              1e6, 0.1, math.inf, math.nan, np.float32(0.1), np.float32(3e38), np.float64(1e-5),
              np.int64(300), np.int8(-100), np.uint64(2**64 - 1), np.float16(2.5), np.complex64(1 + 1j), True]
    for x in values:
        check(make_f16, x)
        check(make_c64, x)
    for x in values + [1 + 2j, complex(1e40, 1), np.complex128(3e38 + 4e38j), np.complex128(1e300)]:
        check(make_c64, x)
    for x in F16_EDGES:
        check(f16_to, np.float16(x), 0)
        check(f16_to, np.float16(x), 1)
    for x in C64_EDGES:
        check(c64_to, np.complex64(x))


def random_values(t, shape, rng):
    if t is np.float16:
        a = (rng.standard_normal(shape) * 100).astype(np.float16)
        a.flat[:4] = [np.inf, -0.0, 6e-8, np.nan][: a.size]
        return a
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    a.flat[:2] = [complex(-0.0, 0.0), 1e-40 + 1j][: a.size]
    return a


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
def test_array_loads_stores_and_results(t, layout):
    rng = np.random.default_rng(5)
    base = random_values(t, (6, 5), rng)
    a = {"C": base, "F": np.asfortranarray(base), "strided": base[::2, ::2], "reversed": base[::-1, ::-1]}[layout]

    def total(a):
        s = a[0, 0] * 0
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                if a[i, j] == a[i, j]:
                    s += a[i, j]
        return s

    def scaled(a, k):
        out = np.zeros(a.shape, dtype=a.dtype)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = a[i, j] * k
        return out

    def copy_into(a, out):
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = a[i, j]
        return out

    check(total, a)
    for k in (t(1), t(2), 2, 0.5, np.float32(1.5), 1000.0):
        check(scaled, a, k)
    for d in (np.float16, np.float32, np.float64, np.complex64, np.complex128):
        if t is np.complex64 and d in (np.float16, np.float32, np.float64):
            continue  # NumPy: ComplexWarning on the cast, by deoptimization (covered below)
        check(copy_into, a, np.zeros(a.shape, d))


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_array_store_conversions(t):
    def store(a, v):
        a[0] = v
        return a[0]

    for v in [0, 1, -1, 100, 70000, 2**40, 3.7, -0.5, 1e10, 1e-9, math.nan, math.inf, np.int64(300),
              np.uint64(2**64 - 1), np.int8(-5), True, np.float32(2.5), np.float32(1e30), np.float64(65520.0),
              np.float16(3.5), np.complex64(1 + 2j), 1 + 2j, np.complex128(2 - 1e40j)]:
        check(store, np.zeros(3, dtype=t), v)
    for d in (np.float32, np.float64, np.int16, np.int64, np.uint8, np.complex128, np.bool_):
        for v in (t(3.5), t(-1), t(70000) if t is np.complex64 else t(60000)):
            check(store, np.zeros(3, dtype=d), v)


def blend(a, b, alpha):
    # A float16 image blend: every pixel in float16, as NumPy does it.
    out = np.empty(a.shape, np.float16)
    beta = np.float16(1) - alpha
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * alpha + b[i, j] * beta
    return out


def brightness(img, gain):
    n = 0
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            v = img[i, j] * gain
            if v > np.float16(1):
                v = np.float16(1)
                n += 1
            img[i, j] = v
    return n


def f16_dot(x, y):
    s = np.float16(0)
    for i in range(x.shape[0]):
        s += x[i] * y[i]
    return s


def c64_fir(x, h):
    n = x.shape[0] - h.shape[0] + 1
    out = np.zeros(n, np.complex64)
    for i in range(n):
        acc = np.complex64(0)
        for k in range(h.shape[0]):
            acc += x[i + k] * h[k]
        out[i] = acc
    return out


def c64_mandel(c, maxit):
    out = np.zeros(c.shape, np.int64)
    for i in range(c.shape[0]):
        z = np.complex64(0)
        k = 0
        while k < maxit and z.real * z.real + z.imag * z.imag <= 4:
            z = z * z + c[i]
            k += 1
        out[i] = k
    return out


def c64_normalize(z):
    out = np.empty(z.shape, np.complex64)
    for i in range(z.shape[0]):
        m = abs(z[i])
        out[i] = z[i] / m if m != 0 else z[i]
    return out


def test_kernels():
    rng = np.random.default_rng(3)
    a = rng.random((17, 13)).astype(np.float16)
    b = rng.random((17, 13)).astype(np.float16)
    check(blend, a, b, np.float16(0.3))
    check(blend, a, b, np.float16(0.75))
    check(blend, a * np.float16(60000), b * np.float16(60000), np.float16(1.5))  # overflow: NumPy warns
    check(brightness, a, np.float16(1.7))
    check(f16_dot, rng.random(200).astype(np.float16), rng.random(200).astype(np.float16))
    x = (rng.standard_normal(64) + 1j * rng.standard_normal(64)).astype(np.complex64)
    h = (rng.standard_normal(7) + 1j * rng.standard_normal(7)).astype(np.complex64)
    check(c64_fir, x, h)
    re, im = np.meshgrid(np.linspace(-2, 0.6, 12), np.linspace(-1.2, 1.2, 9))
    check(c64_mandel, (re + 1j * im).astype(np.complex64).ravel(), 50)
    z = x.copy()
    z[3] = 0
    check(c64_normalize, z)


def test_dtype_objects_and_allocation():
    def alloc(n):
        a = np.zeros(n, dtype=np.float16)
        b = np.ones((n, 2), np.complex64)
        c = np.empty(n, dtype="f2")
        c[:] = 7
        d = np.ones(n, "c8")
        e = np.ones(n, np.float16)
        return a, b, c, d, e, a.dtype == np.float16, b.itemsize, a.itemsize

    check(alloc, 4)


def test_float16_rounding_is_numpys_everywhere():
    # Every float16 value times a few factors, through compiled float16
    # arithmetic (f32 op, then round to nearest-even), against NumPy's loop.
    h = np.arange(0, 65536, 7, dtype=np.uint16).view(np.float16)
    h = h[np.isfinite(h)]

    def kern(h, k, out):
        for i in range(h.shape[0]):
            out[i] = h[i] * k + h[i] / k

    for k in (np.float16(1.001), np.float16(3.0), np.float16(0.3333), np.float16(-7.5e-3)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np.empty(h.shape, np.float16)
            kern(h, k, expected)
        got = np.empty(h.shape, np.float16)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyston.fast(kern)(h, k, got)
        assert same(expected, got)


def test_compiled_natively_with_python_fallback_message_for_unsupported():
    # float16 ufunc calls on scalars are NumPy's (called, not reimplemented).
    def f(x):
        return np.sin(x) + x

    check(f, np.float16(0.5))


def _bits_equal(p, q):
    """Two float or complex arrays of one dtype, bit for bit (any NaN equals any NaN)."""
    p, q = np.ascontiguousarray(p).reshape(-1), np.ascontiguousarray(q).reshape(-1)
    part = p.real.dtype if p.dtype.kind == "c" else p.dtype
    pp, qq = p.view(part), q.view(part)  # (complex: the parts, interleaved)
    pn, qn = np.isnan(pp), np.isnan(qq)
    u = f"u{part.itemsize}"
    return bool(np.array_equal(pn, qn) and np.array_equal(pp.view(u)[~pn], qq.view(u)[~qn]))


def f16_ops(x, y, o1, o2, o3, o4, o5, c):
    for i in range(x.shape[0]):
        a = x[i]
        b = y[i]
        o1[i] = a + b
        o2[i] = a * b
        o3[i] = a / b
        o4[i] = a - b
        o5[i] = a % b
        c[i] = a < b


def c64_ops(x, y, o1, o2, o3, o4, o5):
    for i in range(x.shape[0]):
        a = x[i]
        b = y[i]
        o1[i] = a + b
        o2[i] = a * b
        o3[i] = a / b
        o4[i] = a * 2.5 - b
        o5[i] = abs(a)


def test_native_paths_bit_exact_on_random_values():
    # Random operands that NumPy computes without a warning, so the compiled
    # loop runs start to end natively (no deoptimization): every result bit for bit.
    rng = np.random.default_rng(11)
    x = rng.integers(0, 65536, 12000, dtype=np.uint64).astype(np.uint16).view(np.float16)
    y = rng.integers(0, 65536, 12000, dtype=np.uint64).astype(np.uint16).view(np.float16)
    m = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 200) & (np.abs(y) < 200) & (np.abs(y) > 0.01)
    x, y = x[m], y[m]
    outs = [lambda n: [np.empty(n, np.float16) for _ in range(5)] + [np.empty(n, bool)],
            lambda n: [np.empty(n, np.complex64) for _ in range(4)] + [np.empty(n, np.float32)]]
    n = 3000
    c1 = (rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))
          + 1j * rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))).astype(np.complex64)
    c2 = (rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n)) + 1j * rng.standard_normal(n)).astype(np.complex64)
    for fn, (a, b), make in [(f16_ops, (x, y), outs[0]), (c64_ops, (c1, c2), outs[1])]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (no warning: the whole loop is native)
            expected = make(a.shape[0])
            fn(a, b, *expected)
            got = make(a.shape[0])
            pyston.fast(fn)(a, b, *got)
        for e, g in zip(expected, got):
            assert (_bits_equal(e, g) if e.dtype.kind in "fc" else np.array_equal(e, g)), fn.__name__


def test_ufunc_loops_and_cfuncs_refuse_the_new_dtypes():
    # vectorize loops and cfunc signatures keep to the basic dtypes: a clear TypeError.
    def twice(x):
        return x * 2

    for sig in ("float16(float16)", "complex64(complex64)"):
        with pytest.raises(TypeError, match="float16|complex64|Numba type"):
            pyston.vectorize([sig])(twice)(np.ones(3, np.float16))
    with pytest.raises(TypeError):
        pyston.cfunc("complex64(complex64)")(twice)


def accumulate_2d(a):
    b = np.zeros_like(a)
    c = a.copy()
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            b[i, j] += a[i, j] * c[i, j]
    return b, c


def zero_d(a):
    return a[()] * 2


def count_big(a):
    n = 0
    for i in range(a.shape[0]):
        x = a[i]
        y = x if x.real > 0 else -x
        n += 1 if y != 0 and abs(y) > 1 else 0
    return n


def builtins_of(a):
    return sum(a), a[0] == a[1], abs(a[0])


def rotate_add(a, b):
    out = np.empty(a.shape, np.complex64)
    for i in range(a.shape[0]):
        out[i] = a[i] * 1j + b[i]
    return out


@pytest.mark.parametrize("t", NEW, ids=lambda t: t.__name__)
def test_more_kernels(t):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((4, 3)) * 3).astype(t)
    check(accumulate_2d, np.asfortranarray(a))
    check(accumulate_2d, a[::-1, ::2])
    check(count_big, a[:, 0])
    check(builtins_of, a[:, 1])
    check(zero_d, np.array(2.5, t))
    if t is np.float16:
        check(rotate_add, a[:, 0].copy(), (rng.standard_normal(4) * (1 + 1j)).astype(np.complex64))


# ---- complex64 chains: a result read only by the next + - * is checked there ----


def fir(x, h):
    n = x.shape[0] - h.shape[0] + 1
    out = np.zeros(max(n, 0), np.complex64)
    for i in range(n):
        acc = np.complex64(0)
        for k in range(h.shape[0]):
            acc += x[i + k] * h[k]
        out[i] = acc
    return out


def chains(a, b, c):
    out = np.zeros((a.shape[0], 6), np.complex64)
    for i in range(a.shape[0]):
        x, y, z = a[i], b[i], c[i]
        out[i, 0] = x * y - z
        out[i, 1] = (x + y) * z
        out[i, 2] = x * y * z
        out[i, 3] = x - y + z
        t = x * y
        out[i, 4] = t + t  # read twice: checked where made
        out[i, 5] = x * y + 1j  # a Python complex operand: checked where made
    return out


def escape(c, maxit):
    out = np.zeros(c.shape[0], np.int64)
    for i in range(c.shape[0]):
        z = np.complex64(0)
        k = 0
        while k < maxit and z.real * z.real + z.imag * z.imag <= 4:
            z = z * z + c[i]
            k += 1
        out[i] = k
    return out


def test_complex64_chains_keep_numpys_values_and_warnings():
    rng = np.random.default_rng(35)
    base = (rng.standard_normal(30) + 1j * rng.standard_normal(30)).astype(np.complex64)
    specials = np.array(C64_EDGES + [3e38 + 3e38j, -3e38 + 0j, complex(0, -math.inf), complex(math.nan, math.nan)],
                        dtype=np.complex64)
    h = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(np.complex64)
    check(fir, base, h)
    check(fir, base[:3], h)  # no output
    check(fir, base[::-2], h[::2])
    for s in specials:
        for pos in (0, 7, 29):
            x = base.copy()
            x[pos] = s
            check(fir, x, h)
            check(fir, x * np.complex64(1e19), h * np.complex64(1e19))  # products overflow
            check(chains, x, base[::-1].copy(), np.full(30, s, np.complex64))
    big = np.full(30, 3e38 + 1e38j, np.complex64)
    check(chains, big, big, base)
    check(chains, base, big, big)
    grid = (np.linspace(-2.2, 0.8, 40)[:, None] + 1j * np.linspace(-1.3, 1.3, 9)[None, :]).astype(np.complex64).ravel()
    check(escape, grid, 60)
    # (A huge c would overflow `z.real * z.real`, a float32 product whose warning
    # compiled code does not emit: docs/semantics.md.)
    check(escape, np.array([complex(math.nan, 0), complex(math.inf, 1), 0.25 + 0j, -2 + 0j], np.complex64), 60)


def test_complex_division_overflowing_inside_warns_as_numpy():
    # Smith's method computes `b.real + b.imag * (b.imag / b.real)` first: it can
    # overflow (NumPy warns) while the quotient stays finite.
    for t in (np.complex64, np.complex128):
        big = np.finfo(t(0).real.dtype).max
        dens = [t(complex(big, -big)), t(complex(big, big / 2)), t(complex(big / 3, big)), t(complex(math.inf, 1)),
                t(complex(1, math.inf)), t(1 + 2j)]
        nums = [t(0), t(1.5), np.float32(-2.5), np.float64(0.0), np.int64(3), np.bool_(True), t(complex(big, 0))]
        for x in nums:
            for y in dens:
                check(truediv, x, y)


def test_complex_power_warns_with_numpys_text_for_each_operand_type():
    # NumPy's message is "scalar power" or "power" depending on both operand types.
    exps = [np.complex128(complex(math.inf, 0)), complex(math.inf, 0), np.complex128(1e308 - 1e308j), 2 + 1j]
    bases = [np.float64(1.0), np.bool_(True), np.int64(1), np.int32(2), np.float32(1), np.complex128(1),
             np.uint64(2**64 - 1), np.uint8(3), 1.0, 2, True, 1 + 1j]
    for x in bases:
        for y in exps:
            if isinstance(x, (int, float, complex)) and isinstance(y, complex):
                continue  # (plain Python complex power)
            check(power, x, y)
            check(power, y, x)
