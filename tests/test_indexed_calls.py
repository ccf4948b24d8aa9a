"""`fs[i](x)` in compiled code (issue #14): a function taken from a tuple of
functions (a tuple parameter) by a computed index. Each
item has a type of its own, so the call is a chain of direct calls of the
items chosen by the index, which is taken as `fs[i]` takes it (CPython's
`IndexError`/`TypeError` for a bad index, before the arguments are
evaluated). Differential against plain Python: value, type, exception and
message, arguments' mutation."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, native, rng_for


def inc(x):
    return x + 1.0


def dbl(x):
    return x * 2.0


def neg(x):
    return -x


def inv(x):
    return 1.0 / x


@pyston.fast
def fsq(x):
    return x * x


def as_int(x):
    return int(x)


@pyston.fast
def pick_sum(fs, a):
    s = 0.0
    for i in range(len(a)):
        s += fs[i % len(fs)](a[i])
    return s


@pyston.fast
def pick_one(fs, i, x):
    return fs[i](x)


@pyston.fast
def pick_args_after_index(fs, i, xs):
    # the index is checked before the argument is evaluated (xs.pop() not run)
    return fs[i](xs.pop())


def test_indexed_call_of_a_tuple_of_functions():
    rng = rng_for("indexed_calls")
    a = rng.normal(size=50)
    cases = [((inc, dbl), a), ((inc, dbl, neg), a), ((inc, fsq, dbl, neg), a), ((inc, dbl), a[:0])]
    cases.append(((inc, dbl, neg, fsq, dbl, inc, dbl, neg), a))
    for args in cases:
        native(pick_sum, *args)
    assert_same_all(pick_sum, cases)


def test_indexed_call_indexes_as_cpython():
    fs = (inc, dbl, neg)
    native(pick_one, fs, 1, 2.5)
    cases = [(fs, i, 2.5) for i in range(-3, 3)]
    # out of range, a float, a bool, a NumPy int, a big int: CPython's errors and results
    cases += [(fs, 3, 2.5), (fs, -4, 2.5), (fs, True, 2.5), (fs, np.int64(2), 2.5), (fs, 2**70, 2.5)]
    assert_same_all(pick_one, cases, allow_fallback=True)
    for c in [(fs, 1.0, 2.5), (fs, "a", 2.5)]:
        assert_same(pick_one, *c, allow_fallback=True)
    assert_same_all(pick_one, [(fs, i, 2.5) for i in range(-3, 3)])


def test_indexed_call_errors_and_argument_order():
    fs = (inc, inv)
    native(pick_one, fs, 1, 2.0)
    # an exception raised in the function called: CPython's type, message, frame
    assert_same_all(pick_one, [(fs, 1, 0.0), (fs, 0, 0.0), (fs, -1, 0.0)])
    with pytest.raises(ZeroDivisionError) as e:
        pick_one(fs, 1, 0.0)
    assert e.traceback[-1].name == "inv"
    native(pick_args_after_index, fs, 0, [1.0, 2.0])
    assert_same_all(
        pick_args_after_index,
        [(fs, 0, [1.0, 2.0]), (fs, 5, [1.0, 2.0]), (fs, -3, [1.0]), (fs, 1, [0.0])],
    )


def test_indexed_call_results_of_different_types():
    # an int from one function, a float from another: each call's own type
    fs = (as_int, inc)
    assert_same_all(pick_one, [(fs, 0, 2.5), (fs, 1, 2.5), (fs, -2, -7.25)], allow_fallback=True)
    r = pick_one(fs, 0, 2.5)
    assert type(r) is int and r == 2


# --------------------------------------------------------------------------
# `[g, h][i](x)` and `(g, h)[i](x)`: a display of global functions indexed
# then called (no list or tuple of functions is made)
# --------------------------------------------------------------------------


@pyston.fast
def display_sum(a):
    s = 0.0
    for i in range(len(a)):
        s += [inc, dbl, fsq][i % 3](a[i]) + (neg, abs)[i % 2](a[i])
    return s


@pyston.fast
def list_display_one(i, x):
    return [inc, inv, neg][i](x)


@pyston.fast
def tuple_display_one(i, x):
    return (inc, inv)[i](x)


@pyston.fast
def display_args_after_index(i, xs):
    # the index is checked before the argument is evaluated (xs.pop() not run)
    return [inc, dbl][i](xs.pop())


@pyston.fast
def display_mixed_types(i, x):
    return [as_int, inc, abs][i](x)


def test_display_indexed_call():
    rng = rng_for("display_indexed_calls")
    a = rng.normal(size=40)
    for args in [(a,), (a[:0],), (np.array([np.nan, -0.0, np.inf]),)]:
        native(display_sum, *args)
    assert_same_all(display_sum, [(a,), (a[:0],), (np.array([np.nan, -0.0, np.inf]),)])
    native(list_display_one, 1, 2.0)
    native(tuple_display_one, 1, 2.0)
    # in range, negative, out of range (a list's and a tuple's IndexError),
    # a bool, a NumPy int, a big int; a raising callee (ZeroDivisionError)
    idx = list(range(-4, 4)) + [True, np.int64(1), 2**70, -(2**70)]
    assert_same_all(list_display_one, [(i, x) for i in idx for x in (2.5, 0.0)], allow_fallback=True)
    assert_same_all(tuple_display_one, [(i, x) for i in idx for x in (2.5, 0.0)], allow_fallback=True)
    # a float or str index: CPython's TypeError ("list indices must be integers or slices, not float")
    for i in (1.0, "a"):
        assert_same(list_display_one, i, 2.5, allow_fallback=True)
        assert_same(tuple_display_one, i, 2.5, allow_fallback=True)
    with pytest.raises(IndexError, match="list index out of range"):
        list_display_one(3, 1.0)
    with pytest.raises(IndexError, match="tuple index out of range"):
        tuple_display_one(2, 1.0)
    with pytest.raises(ZeroDivisionError) as e:
        list_display_one(1, 0.0)
    assert e.traceback[-1].name == "inv"
    native(display_args_after_index, 0, [1.0, 2.0])
    assert_same_all(
        display_args_after_index,
        [(0, [1.0, 2.0]), (5, [1.0, 2.0]), (-3, [1.0]), (1, [0.0]), (-1, [])],
    )
    # each function's own result type
    native(display_mixed_types, 0, 2.5)
    assert_same_all(display_mixed_types, [(i, x) for i in range(-3, 3) for x in (2.5, -7.25)])
    assert type(display_mixed_types(0, 2.5)) is int and type(display_mixed_types(1, 2.5)) is float
