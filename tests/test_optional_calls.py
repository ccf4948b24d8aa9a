"""Builtin and `math` functions called on an optional value (issue #14,
`None` checks with `Optional` types): `best = None` before a loop that
assigns it, then `math.sqrt(best)`, `abs(best)`, `round(best, 2)` under
`if best is not None:` or in `best if best is not None else d`. The call is
compiled for the value; where the argument is `None` after all, compiled
code leaves for the interpreter tier, which makes CPython's call (its
TypeError and message). Differential against plain Python: value, type,
exception and message."""

import math

import numpy as np
import pyston
from helpers import assert_same_all, native, rng_for


@pyston.fast
def smallest_root(a):
    best = None
    for x in a:
        if best is None or x < best:
            best = x
    if best is not None:
        return math.sqrt(abs(best))
    return -1.0


@pyston.fast
def default_when_none(n, x):
    o = None
    for i in range(n):
        o = x * i - 3.0
    return math.isinf(o if o is not None else -7.0), math.floor(o) if o is not None else 0


@pyston.fast
def builtins_on_optional(n, x):
    o = None
    for i in range(n):
        o = x / (i + 1)
    if o is None:
        return 0.0, 0, 0.0, 0.0
    return round(o, 2), int(o), min(o, 3.0), abs(o)


@pyston.fast
def optional_int(n):
    k = None
    for i in range(n):
        k = i * 7 - 20
    if k is not None:
        return abs(k), max(k, 0), float(k)
    return 0, 0, 0.0


@pyston.fast
def none_reaches_the_call(n, fn):
    # `o` is None when n == 0: CPython's TypeError from the call (each function's message)
    o = None
    for i in range(n):
        o = i * 0.5
    if fn == 0:
        return math.floor(o)
    if fn == 1:
        return abs(o)
    if fn == 2:
        return round(o, 1)
    return math.isnan(o)


@pyston.fast
def optional_in_loop(a):
    last = None
    s = 0.0
    for x in a:
        if last is not None:
            s += math.hypot(x, last) + math.fabs(last)
        last = x
    return s


def test_optional_arguments_compile_and_match():
    rng = rng_for("optional_calls")
    a = rng.normal(size=30)
    native(smallest_root, a)
    native(default_when_none, 3, 2.0)
    native(builtins_on_optional, 3, 2.0)
    native(optional_int, 3)
    native(optional_in_loop, a)
    assert_same_all(smallest_root, [(a,), (a[:0],), (np.abs(a),), (np.array([np.nan, 1.0]),), (np.array([-0.0]),)])
    cases = [(n, x) for n in (0, 1, 3) for x in (2.0, -1.5, float("inf"), float("nan"), 1e308)]
    assert_same_all(default_when_none, [c for c in cases if not (c[0] and math.isnan(c[1]) or math.isinf(c[1]))])
    # (floor of inf / nan: CPython's OverflowError / ValueError, from compiled code too)
    assert_same_all(default_when_none, [(3, float("inf")), (3, float("nan")), (1, float("inf"))])
    assert_same_all(builtins_on_optional, [(n, x) for n in (0, 1, 4) for x in (2.0, -7.25, 1e300, -0.0)])
    assert_same_all(builtins_on_optional, [(2, float("nan")), (2, float("inf"))])
    assert_same_all(optional_int, [(0,), (1,), (3,), (10,)])
    assert_same_all(optional_in_loop, [(a,), (a[:1],), (a[:0],), (np.array([3.0, -4.0, np.inf]),)])


def test_none_at_the_call_raises_cpythons_error():
    native(none_reaches_the_call, 2, 0)
    assert_same_all(none_reaches_the_call, [(n, fn) for n in (0, 1, 3) for fn in range(4)])


@pyston.fast
def gcd_of_largest(a, k):
    best = None
    for x in a:
        if best is None or x > best:
            best = x
    return math.gcd(best, k)


@pyston.fast
def numpy_of_optional(a, which):
    best = None
    for x in a:
        if best is None or x > best:
            best = x
    if which == 0:
        return float(np.sqrt(best))
    if which == 1:
        return float(np.maximum(best, 0.5))
    return float(np.exp(best) + np.log1p(np.abs(best)))


def test_optional_arguments_of_numpy_and_probed_calls():
    # NumPy functions and the `math` functions compiled code calls through
    # CPython (`math.gcd`): typed for the value, `None` leaves compiled code.
    ints = np.array([12, 18, 30, 7])
    native(gcd_of_largest, ints, 12)
    assert_same_all(gcd_of_largest, [(ints, 12), (ints[:1], 4), (ints[:0], 12), (np.array([-8, -4]), 6)])
    a = np.array([0.25, 4.0, -1.5, 9.0])
    for which in range(3):
        native(numpy_of_optional, a, which)
        assert_same_all(numpy_of_optional, [(a, which), (a[:1], which), (a[:0], which), (-a, which)])
