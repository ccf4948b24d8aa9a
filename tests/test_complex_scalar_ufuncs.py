"""Ufuncs of complex NumPy scalars computed natively (numeric/src/small_complex.rs,
core/runtime/src/helpers/cscalar.rs): `np.conj`, `np.negative`, `np.positive`,
`np.real`/`np.imag`, `np.add`/`np.subtract` inline; `np.multiply`,
`np.square`, `np.abs`, `np.divide`, `np.power`, `np.exp`, `np.log`,
`np.sqrt`, ... by NumPy's own inner loop on one element.

Differential against plain NumPy on complex128 and complex64 scalars whose
parts run over zeros of both signs, infinities, NaN, subnormals and values
that overflow: the result's type and bits, and the warnings (category,
message and count, with `simplefilter("always")`, which the shared helper's
documented float-scalar gap would hide), and `np.errstate(all="raise")`
raising NumPy's FloatingPointError. Call counts show the loop makes no call
into NumPy (they fail if the ufunc goes to NumPy), and a long loop keeps
memory flat."""

import itertools
import warnings

import numpy as np
import pyston
import pytest
from helpers import rng_for, rss_bytes

pycalls = pyston._pyston.pycall_count

PARTS = [0.0, -0.0, 1.5, -2.25, 1e-310, -3e-320, 1e300, -1e300, 3e38, np.inf, -np.inf, np.nan]


def k_conj(z):
    return np.conj(z)


def k_conjugate(z):
    return np.conjugate(z)


def k_meth_conj(z):
    return z.conj()


def k_meth_conjugate(z):
    return z.conjugate()


def k_negative(z):
    return np.negative(z)


def k_positive(z):
    return np.positive(z)


def k_real(z):
    return np.real(z)


def k_imag(z):
    return np.imag(z)


def k_abs(z):
    return np.abs(z)


def k_absolute(z):
    return np.absolute(z)


def k_square(z):
    return np.square(z)


def k_exp(z):
    return np.exp(z)


def k_log(z):
    return np.log(z)


def k_sqrt(z):
    return np.sqrt(z)


def k_sin(z):
    return np.sin(z)


def k_tanh(z):
    return np.tanh(z)


def k_add(z, w):
    return np.add(z, w)


def k_subtract(z, w):
    return np.subtract(z, w)


def k_multiply(z, w):
    return np.multiply(z, w)


def k_divide(z, w):
    return np.divide(z, w)


def k_power(z, w):
    return np.power(z, w)


UNARY = [
    k_conj,
    k_conjugate,
    k_meth_conj,
    k_meth_conjugate,
    k_negative,
    k_positive,
    k_real,
    k_imag,
    k_abs,
    k_absolute,
    k_square,
    k_exp,
    k_log,
    k_sqrt,
    k_sin,
    k_tanh,
]
BINARY = [k_add, k_subtract, k_multiply, k_divide, k_power]
FAST = {f.__name__: pyston.fast(fallback=False)(f) for f in UNARY + BINARY}


def outcome(fn, *args, errstate=None):
    """The result (type and bytes) or exception, and every warning, of one call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if errstate:
                with np.errstate(all=errstate):
                    r = fn(*args)
            else:
                r = fn(*args)
            res = (type(r).__name__, np.asarray(r).tobytes(), repr(r))
        except Exception as e:  # noqa: BLE001 - compared
            res = ("raised", type(e).__name__, str(e))
    ws = [(w.category.__name__, str(w.message)) for w in caught]
    return res, ws


NO_FP = {"k_conj", "k_conjugate", "k_meth_conj", "k_meth_conjugate", "k_negative", "k_positive", "k_real", "k_imag"}


def finite(x):
    return bool(np.all(np.isfinite(np.asarray(x))))


def same(name, *args, errstate=None):
    """Compiled and plain agree; and the compiled call makes no call into
    NumPy where NumPy gives a finite result without a warning from finite
    operands (or for the operations without floating-point arithmetic)."""
    f = FAST[name]
    want = outcome(f.py_func, *args, errstate=errstate)
    c0 = pycalls()
    got = outcome(f, *args, errstate=errstate)
    calls = pycalls() - c0
    assert got == want, f"{name}{args!r}: expected {want}, got {got}"
    if errstate is None and (name in NO_FP or (not want[1] and all(finite(a) for a in args) and finite(f.py_func(*args)))):
        assert calls == 0, f"{name}{args!r}: {calls} calls into NumPy"


def values(dt):
    with np.errstate(over="ignore"):
        return [dt(complex(r, i)) for r, i in itertools.product(PARTS, PARTS)]


@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__name__)
def test_unary_edges(fn, dt):
    for z in values(dt):
        same(fn.__name__, z)


@pytest.mark.parametrize("fn", [k_conj, k_negative, k_real, k_abs, k_square, k_exp, k_sqrt])
def test_unary_python_complex(fn):
    for r, i in itertools.product(PARTS[::2], PARTS[1::2]):
        same(fn.__name__, complex(r, i))


@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_edges(fn, dt):
    vs = values(dt)
    rng = rng_for(f"binary-{fn.__name__}-{dt.__name__}")
    picks = rng.choice(len(vs), size=(160, 2))
    for i, j in picks:
        same(fn.__name__, vs[i], vs[j])


# Mixed operands: NumPy 2's promotion (NEP 50: Python scalars weak).
MIXED = [
    (np.complex64(1.5 - 2j), np.float64(0.1)),  # complex128
    (np.complex64(1.5 - 2j), 0.1),  # complex64, 0.1 rounded to float32
    (np.complex64(1.5 - 2j), 1e300),  # complex64: the cast overflows (NumPy warns)
    (np.complex64(1.5 - 2j), 0.1 + 3j),
    (np.complex64(1.5 - 2j), np.float32(3.25)),
    (np.complex64(1.5 - 2j), np.int16(-7)),
    (np.complex64(1.5 - 2j), np.int32(-7)),  # complex128
    (np.complex64(1.5 - 2j), np.complex128(2 + 1e200j)),
    (np.complex128(1.5 - 2j), 3),
    (np.complex128(1.5 - 2j), 2**60 + 1),
    (np.complex128(1.5 - 2j), np.int64(-(2**63))),
    (np.complex128(1.5 - 2j), np.uint64(2**64 - 1)),
    (np.complex128(1.5 - 2j), True),
    (np.complex128(-0.0 - 0.0j), -0.0),
    (np.complex128(-0.0 - 0.0j), 0.0),
    (np.complex128(1e308 + 1e308j), 1e308),
    (np.complex128(np.inf), np.float32(0.0)),
    (2.5, np.complex128(np.nan + 1j)),
    (1j, np.complex64(3 - 4j)),
    (np.float64(-0.0), np.complex128(0.0 - 0.0j)),
]


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_mixed(fn):
    for a, b in MIXED:
        same(fn.__name__, a, b)
        same(fn.__name__, b, a)


@pytest.mark.parametrize("fn", [k_add, k_multiply, k_square, k_exp, k_abs])
def test_errstate_raise(fn):
    big = [np.complex128(1e308 + 1e308j), np.complex64(3e38 + 3e38j), np.complex128(800 + 1j), np.complex64(0j)]
    for z in big:
        args = (z,) if fn in UNARY else (z, z)
        same(fn.__name__, *args, errstate="raise")
        same(fn.__name__, *args, errstate="ignore")


def test_loops_found():
    """NumPy's loops are found and check equal on this machine (else the
    ufuncs below stay NumPy's calls and the call counts fail too)."""
    c128, c64 = pyston._pyston.cscalar_ufuncs()
    for name in ["multiply", "square", "absolute", "divide"]:
        assert name in c128 and name in c64, (name, c128, c64)
    if int(np.__version__.split(".")[0]) >= 2:
        for name in ["exp", "log", "sqrt", "sin", "tanh", "power"]:
            assert name in c128 and name in c64, (name, c128, c64)


def cma_like(err, k):
    """The npbench cma_pt shape: a conjugate per element in a loop."""
    s = 0.0
    for i in range(err.shape[1]):
        c = np.conj(err[k, i])
        s += np.real(c * err[k, i]) + np.imag(np.negative(c)) + np.abs(np.positive(c))
    return s


def all_ops(z, w):
    t = np.multiply(z, w) + np.add(z, w) - np.subtract(w, z) + np.square(z)
    u = np.divide(t, w) + np.exp(z) + np.log(w) + np.sqrt(z)
    return np.abs(u) + np.real(np.conjugate(u)) + np.imag(u.conj())


def loop_all(a, b):
    acc = a[0] * 0
    m = np.float64(0.0)
    for i in range(a.shape[0]):
        acc = np.add(acc, all_ops(a[i], b[i]))
        m = m + np.abs(a[i])
    return acc, m


FAST_LOOPS = {f.__name__: pyston.fast(fallback=False)(f) for f in (cma_like, loop_all)}


def cvals(rng, n, dt):
    return (rng.uniform(0.5, 2.0, n) + 1j * rng.uniform(-2.0, 2.0, n)).astype(dt)


@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
def test_loops_make_no_calls(dt):
    rng = rng_for(f"loops-{dt.__name__}")
    err = cvals(rng, 40, dt).reshape(4, 10)
    f = FAST_LOOPS["cma_like"]
    assert outcome(f, err, 2) == outcome(f.py_func, err, 2)
    c0 = pycalls()
    f(err, 2)
    assert pycalls() - c0 == 0
    a, b = cvals(rng, 50, dt), cvals(rng, 50, dt)
    g = FAST_LOOPS["loop_all"]
    assert outcome(g, a, b) == outcome(g.py_func, a, b)
    c0 = pycalls()
    g(a, b)
    assert pycalls() - c0 == 0


@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
def test_loops_with_specials(dt):
    """Non-finite elements in the middle of the loop: the element's ufuncs go
    to NumPy (which warns), the others stay native; values and warnings equal."""
    rng = rng_for(f"specials-{dt.__name__}")
    a, b = cvals(rng, 30, dt), cvals(rng, 30, dt)
    a[3] = complex(np.inf, 1.0)
    a[7] = complex(np.nan, -0.0)
    b[11] = 0j
    a[19] = complex(1e30 if dt is np.complex64 else 1e300, 1e30 if dt is np.complex64 else 1e300)
    g = FAST_LOOPS["loop_all"]
    assert outcome(g, a, b) == outcome(g.py_func, a, b)
    err = np.stack([a, b])
    f = FAST_LOOPS["cma_like"]
    assert outcome(f, err, 0) == outcome(f.py_func, err, 0)


def test_memory_flat():
    rng = rng_for("memory")
    a, b = cvals(rng, 200, np.complex128), cvals(rng, 200, np.complex128)
    g = FAST_LOOPS["loop_all"]
    g(a, b)
    before = rss_bytes()
    for _ in range(3000):
        g(a, b)
    assert rss_bytes() - before < 4 << 20
