"""Comparisons and sums of time values with NaT, every pair of edge values.

Compiled code tests only one operand for NaT (i64::MIN, the least count)
where the comparison itself settles the other, and takes the overflow of a
time sum from the add's flag. Differential: plain and compiled agree on
every result (NaT compares unequal and unordered), and a sum that overflows
leaves compiled code for the interpreter's exact result."""

import itertools
import warnings

import numpy as np
import pyston

NAT = np.timedelta64("NaT", "s")


def outcome(f, *args):
    try:
        r = f(*args)
    except Exception as e:  # noqa: BLE001 -- compared with the plain run's
        return ("raised", type(e), str(e))
    return ("returned", repr(r), [type(x) for x in (r if isinstance(r, tuple) else (r,))])


def assert_same(fast, *args):
    assert outcome(fast, *args) == outcome(fast.py_func, *args), args


EDGES = [NAT, np.timedelta64(-(2**63) + 1, "s"), np.timedelta64(-1, "s"), np.timedelta64(0, "s"),
         np.timedelta64(1, "s"), np.timedelta64(2**63 - 1, "s")]


@pyston.fast
def compare_all(x, y):
    return (x == y, x != y, x < y, x <= y, x > y, x >= y)


@pyston.fast
def compare_arrays(a, b):
    n = 0
    for i in range(a.shape[0]):
        if a[i] < b[i]:
            n += 1
        if a[i] <= b[i]:
            n += 10
        if a[i] > b[i]:
            n += 100
        if a[i] >= b[i]:
            n += 1000
        if a[i] == b[i]:
            n += 10000
        if a[i] != b[i]:
            n += 100000
    return n


@pyston.fast
def add_sub(x, y):
    return x + y, x - y


def test_nat_comparisons():
    for x, y in itertools.product(EDGES, EDGES):
        assert_same(compare_all, x, y)
    a = np.array([e for e, _ in itertools.product(EDGES, EDGES)], "m8[s]")
    b = np.array([e for _, e in itertools.product(EDGES, EDGES)], "m8[s]")
    assert_same(compare_arrays, a, b)
    da = np.array(["NaT", "2024-01-01", "1970-01-01"], "M8[ms]")
    for x, y in itertools.product(da, da):
        assert_same(compare_all, x, y)


def test_nat_sums():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x, y in itertools.product(EDGES, EDGES):
            assert_same(add_sub, x, y)
