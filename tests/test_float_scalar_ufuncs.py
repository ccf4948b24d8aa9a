"""Ufuncs of float NumPy scalars computed natively (numeric/src/small_complex.rs,
`float_scalar_root`): `np.conj`/`np.conjugate`/`np.positive`/`np.real` (the
value), `np.negative` (its sign flipped), `np.add`/`np.subtract`/
`np.multiply` (one IEEE operation in the result's dtype; a result NumPy
may flag, not finite or a tiny product, is NumPy's call).

Differential against plain NumPy on float64 and float32 scalars (and Python
floats) over zeros of both signs, infinities, NaN, subnormals and values
that overflow or underflow: the result's type and bits, and the warnings
(category, message and count, with `simplefilter("always")`), and
`np.errstate(all="raise")` raising NumPy's FloatingPointError. Call counts
show the native cases make no call into NumPy."""

import warnings

import numpy as np
import pyston
import pytest
from helpers import rng_for

pycalls = pyston._pyston.pycall_count

VALS = [
    0.0,
    -0.0,
    1.5,
    -2.25,
    0.1,
    1e-310,
    -3e-320,
    1e-200,
    1e300,
    -1e300,
    3e38,
    1e-30,
    np.inf,
    -np.inf,
    np.nan,
]


def k_conj(x):
    return np.conj(x)


def k_conjugate(x):
    return np.conjugate(x)


def k_positive(x):
    return np.positive(x)


def k_negative(x):
    return np.negative(x)


def k_real(x):
    return np.real(x)


def k_add(x, y):
    return np.add(x, y)


def k_subtract(x, y):
    return np.subtract(x, y)


def k_multiply(x, y):
    return np.multiply(x, y)


UNARY = [k_conj, k_conjugate, k_positive, k_negative, k_real]
BINARY = [k_add, k_subtract, k_multiply]
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


def quiet(name, args, want):
    """Whether the native path computes the call: no floating-point
    arithmetic, or a finite result without a warning from finite operands
    that is not a tiny product."""
    if name not in ("k_add", "k_subtract", "k_multiply"):
        return True
    # (float operands only; a float32 result of float32 scalars only)
    if not all(type(a) in (float, np.float64, np.float32) for a in args):
        return False
    if any(type(a) is np.float32 for a in args) and not any(type(a) is np.float64 for a in args):
        if not all(type(a) is np.float32 for a in args):
            return False
    r = np.asarray(FAST[name].py_func(*args)) if not want[1] else None
    if r is None or not all(np.isfinite(a) for a in args) or not np.isfinite(r):
        return False
    return not (name == "k_multiply" and abs(float(r)) < np.finfo(r.dtype).tiny)


def same(name, *args, errstate=None):
    f = FAST[name]
    want = outcome(f.py_func, *args, errstate=errstate)
    c0 = pycalls()
    got = outcome(f, *args, errstate=errstate)
    calls = pycalls() - c0
    assert got == want, f"{name}{args!r}: expected {want}, got {got}"
    if errstate is None and quiet(name, args, want):
        assert calls == 0, f"{name}{args!r}: {calls} calls into NumPy"


def values(dt):
    with np.errstate(over="ignore", under="ignore"):
        return [dt(v) for v in VALS]


@pytest.mark.parametrize("dt", [np.float64, np.float32, float], ids=lambda d: d.__name__)
@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__name__)
def test_unary_edges(fn, dt):
    for x in values(dt):
        same(fn.__name__, x)


@pytest.mark.parametrize("dt", [np.float64, np.float32], ids=lambda d: d.__name__)
@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_edges(fn, dt):
    vs = values(dt)
    for x in vs:
        for y in vs:
            same(fn.__name__, x, y)


# Mixed operands: a float32 with a float64 (float64), a Python float with a
# float64 (float64); float32 with a Python float differs between NumPy 1.26
# (float64) and 2 (float32) and stays NumPy's call; ints are NumPy's calls.
MIXED = [
    (np.float32(1.1), np.float64(0.1)),
    (np.float64(2.5), 0.1),
    (np.float32(3e38), np.float64(3e38)),
    (np.float32(1.1), 0.1),
    (np.float32(1.1), 1e300),
    (np.float64(1.5), 3),
    (np.float64(1.5), np.int32(7)),
    (np.float32(-0.0), np.float64(0.0)),
    (2.5, 1.5),
]


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_mixed(fn):
    for a, b in MIXED:
        same(fn.__name__, a, b)
        same(fn.__name__, b, a)


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_errstate_raise(fn):
    cases = [
        (np.float64(1e308), np.float64(1e308)),
        (np.float64(1e-200), np.float64(1e-200)),
        (np.float32(3e38), np.float32(3e38)),
        (np.float32(1e-30), np.float32(1e-30)),
        (np.float64(np.inf), np.float64(-np.inf)),
        (np.float64(1.5), np.float64(2.0)),
    ]
    for x, y in cases:
        same(fn.__name__, x, y, errstate="raise")
        same(fn.__name__, x, y, errstate="ignore")


def loop(a, b):
    s = np.float64(0.0)
    t = np.float32(0.0)
    for i in range(a.shape[0]):
        x = a[i]
        s = np.add(s, np.multiply(x, np.conj(b[i])))
        s = np.subtract(s, np.negative(np.positive(np.real(x))))
        t = np.add(t, np.multiply(np.float32(x), np.float32(0.5)))
    return s, t


FAST_LOOP = pyston.fast(fallback=False)(loop)


def test_loop_makes_no_calls():
    rng = rng_for("float-scalar-loop")
    a, b = rng.uniform(-2, 2, 60), rng.uniform(-2, 2, 60)
    assert outcome(FAST_LOOP, a, b) == outcome(loop, a, b)
    c0 = pycalls()
    FAST_LOOP(a, b)
    assert pycalls() - c0 == 0
    a[7] = np.inf
    b[9] = np.nan
    assert outcome(FAST_LOOP, a, b) == outcome(loop, a, b)
