"""complex64 loops whose non-finite tests wait for the loop's exit
(``numeric/src/ranges.rs``: ``c64_exit_checks``), compared with plain NumPy:
value, dtype, warnings (overflow / invalid in scalar multiply or add), on
random inputs and on inputs that go non-finite at the first,
a middle or the last step, start non-finite, or are empty. When the exit test
fires the interpreter runs the loop again from its start, so the results of
the earlier outer iterations and the warnings must come out as NumPy's.

Each kernel must compile natively (a ``PerformanceWarning`` fails the test).
"""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest
from helpers import rng_for
from test_int_dtypes import outcome

BIG = np.float32(3e38)


def same(x, y):
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if type(x) is not type(y):
        return False
    if isinstance(x, (np.ndarray, np.generic)):
        # complex components bit for bit (NaN payloads aside), dtype and shape
        return x.dtype == y.dtype and np.shape(x) == np.shape(y) and np.array_equal(x, y, equal_nan=True)
    return x == y


def check(fn, *args):
    """fn plain and compiled on fresh copies of args: same outcome, warnings and argument mutation."""
    a1 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    a2 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    plain = outcome(fn, *a1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        compiled = outcome(pyston.fast(fn), *a2)
    assert plain[0][0] == compiled[0][0] and same(plain[0][1:], compiled[0][1:]), (fn.__name__, plain, compiled)
    assert plain[1] == compiled[1], (fn.__name__, plain, compiled)
    assert same(tuple(a1), tuple(a2)), (fn.__name__, a1, a2)


def fir(x, h):
    n = x.shape[0] - h.shape[0] + 1
    out = np.zeros(n, np.complex64)
    for i in range(n):
        acc = np.complex64(0)
        for k in range(h.shape[0]):
            acc += x[i + k] * h[k]
        out[i] = acc
    return out


def dot_start(x, y, start):
    acc = start
    for k in range(x.shape[0]):
        acc = acc + x[k] * y[k]
    return acc


def two_sums(x, y):
    s = np.complex64(0)
    d = np.complex64(1)
    for k in range(x.shape[0]):
        p = x[k] * y[k]
        s = s + p
        d = d - p * x[k]
    return s, d


def horner(c, z):
    # acc = acc * z + c[k]: the carried value multiplied, then added to.
    acc = np.complex64(0)
    for k in range(c.shape[0]):
        acc = acc * z + c[k]
    return acc


def not_carried(x, y):
    # The product's last value only: a non-finite early step would be lost,
    # so every step keeps its own test.
    p = np.complex64(0)
    for k in range(x.shape[0]):
        p = x[k] * y[k]
    return p


def with_store(x, y, out):
    acc = np.complex64(0)
    for k in range(x.shape[0]):
        acc = acc + x[k] * y[k]
        out[k] = acc
    return acc


def c64(re, im):
    out = np.empty(np.shape(re), np.complex64)
    out.real, out.imag = re, im
    return out


def data(name, n):
    r = rng_for(name)
    return c64(r.standard_normal(n), r.standard_normal(n))


@pytest.mark.parametrize("n,m", [(0, 0), (5, 0), (1, 1), (20, 4), (300, 16)])
def test_fir_random(n, m):
    x, h = data(f"x{n}", n + m), data(f"h{m}", m)
    check(fir, x, h)


@pytest.mark.parametrize("where", [0, 7, 19])
@pytest.mark.parametrize("bad", ["overflow", "inf", "nan", "neg_overflow", "imag_inf"])
def test_fir_non_finite(where, bad):
    x, h = data("xb", 20), data("hb", 4)
    if bad == "overflow":
        x[where] = c64(BIG, BIG)
        h[:] = c64(BIG, 1)
    elif bad == "neg_overflow":
        x[where] = c64(-BIG, 0)
        h[1] = c64(BIG, 0)
    elif bad == "inf":
        x[where] = c64(np.inf, 0)
    elif bad == "nan":
        x[where] = c64(np.nan, 1)
    else:
        x[where] = c64(0, np.inf)
    check(fir, x, h)


@pytest.mark.parametrize("start", [np.complex64(0), np.complex64(1 - 2j),
                                   np.complex64(complex(np.inf, 0)), np.complex64(complex(0, np.nan))])
def test_start_values(start):
    x, y = data("sx", 50), data("sy", 50)
    check(dot_start, x, y, start)
    check(dot_start, x[:0], y[:0], start)


def test_sum_overflows_without_a_non_finite_product():
    # Every product finite, the running sum overflows at one step.
    x = c64(np.full(8, 2e38), np.zeros(8))
    y = c64(np.ones(8), np.zeros(8))
    check(dot_start, x, y, np.complex64(0))
    check(two_sums, x, y)


@pytest.mark.parametrize("where", [None, 0, 11, 29])
def test_two_carried_values(where):
    x, y = data("tx", 30), data("ty", 30)
    if where is not None:
        x[where] = c64(1e30, 1e30)
        y[where] = c64(1e30, -1e30)
    check(two_sums, x, y)


@pytest.mark.parametrize("z", [np.complex64(0.5 + 0.5j), np.complex64(0), np.complex64(1e20), np.complex64(complex(np.inf, 1))])
def test_horner(z):
    c = data("hc", 12)
    check(horner, c, z)
    check(horner, c[:0], z)


@pytest.mark.parametrize("where", [None, 0, 5])
def test_loops_that_keep_their_tests(where):
    x, y = data("kx", 10), data("ky", 10)
    if where is not None:
        x[where] = c64(BIG, BIG)
        y[where] = c64(BIG, BIG)
    check(not_carried, x, y)
    check(with_store, x, y, np.zeros(10, np.complex64))


def dot_n(x, y, n):
    # range(n): the back edge keeps its Ctrl-C test, which leaves from the loop's start.
    acc = np.complex64(0)
    for k in range(n):
        acc += x[k] * y[k]
    return acc


@pytest.mark.parametrize("n", [0, 3, 40, 41])
def test_symbolic_stop(n):
    x, y = data("nx", 40), data("ny", 40)
    x[30] = c64(BIG, BIG)
    check(dot_n, x, y, n)
