"""Binary operations between two values that are each `float | np.float64`
(or `int | np.int64`) at run time: a Python float accumulator that becomes
`np.float64` once an array element is added, combined with `max(x, lo)` of an
element and a Python float. The value is computed once and the result's type
chosen from both operands' types without branches; differential against
CPython: value, type (float or np.float64, int or np.int64), exceptions,
warnings."""

import numpy as np
import pyston
import pytest
from helpers import assert_same_all, rng_for


def _kernel(op):
    src = f"""
def kernel(a, lo, hi):
    s = 0.0
    acc = []
    for x in a:
        m = max(x, lo) if x == x else hi
        s = s {op} m
        acc.append(s)
    return s, acc
"""
    path = f"<union pair {op}>"
    import linecache

    linecache.cache[path] = (len(src), None, src.splitlines(True), path)
    ns = {}
    exec(compile(src, path, "exec"), ns)
    return pyston.fast(ns["kernel"])


def _int_kernel(op):
    src = f"""
def kernel(a, lo, hi):
    s = 0
    acc = []
    for x in a:
        m = max(x, lo) if x != 3 else hi
        s = (s {op} m) % 1000003 if s < 10**9 else 7
        acc.append(s)
    return s, acc
"""
    path = f"<int union pair {op}>"
    import linecache

    linecache.cache[path] = (len(src), None, src.splitlines(True), path)
    ns = {}
    exec(compile(src, path, "exec"), ns)
    return pyston.fast(ns["kernel"])


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "//", "%", "<", ">=", "=="])
def test_float_unions_combined(op):
    fn = _kernel(op)
    rng = rng_for("unionpair" + op)
    cases = []
    for n in (0, 1, 5, 40):
        a = rng.normal(size=n)
        cases.append((a, 0.0, 0.5))
        cases.append((a, -0.25, 2.0))
        b = a.copy()
        if n:
            b[rng.integers(0, n, max(1, n // 5))] = rng.choice([0.0, -0.0, np.inf, np.nan, 1e308])
        cases.append((b, 0.0, 0.5))
        cases.append((b, 1e308, -0.0))
    assert_same_all(fn, cases)


@pytest.mark.parametrize("op", ["+", "-", "*", "//", "%"])
def test_int_unions_combined(op):
    fn = _int_kernel(op)
    rng = rng_for("intunionpair" + op)
    cases = []
    for n in (0, 1, 5, 40):
        a = rng.integers(-5, 6, n)
        cases.append((a, 0, 2))
        cases.append((a, -2, 0))
    assert_same_all(fn, cases)


@pyston.fast
def star_extremes(a, *floor):
    s = 0.0
    t = 0.0
    types = []
    for x in a:
        s += max(x, *floor)
        t -= min(*floor, x)
        types.append(s)
        types.append(t)
    return s, t, types


@pyston.fast
def star_products(a, *floor):
    s = 1.0
    for x in a:
        s = s * max(x, *floor) if s == s else s + max(*floor, x)
    return s


def test_star_extremes_of_mixed_floats():
    # `max(x, *floor)` of an np.float64 element and Python floats is either
    # type per element; the accumulator's type follows both (the result's tag
    # as the join of the operands' tags, no select chain): value and type
    # after every step as CPython's, NaN / -0.0 / inf / overflow included.
    rng = rng_for("starextremes")
    cases = []
    for n in (0, 1, 2, 7, 64):
        a = rng.normal(size=n)
        cases.append((a, 0.0, -0.5))
        cases.append((a, -0.0))
        cases.append((a, np.inf, 0.0, -1.0))
        b = a.copy()
        if n:
            b[rng.integers(0, n, max(1, n // 4))] = rng.choice([0.0, -0.0, np.inf, -np.inf, np.nan, 1e308])
        cases.append((b, 0.0, -0.5))
        cases.append((b, np.nan, 0.25))
        cases.append((b, 1e308, -0.0))
    assert_same_all(star_extremes, cases)
    assert_same_all(star_products, cases)
