"""`*args` in compiled code (issue #14): `f(*t)` and `(*t, x)` / `[x, *t]` for a
tuple (or namedtuple) parameter of known length, or a tuple display `*(a, b)`,
expanded into the tuple's items; functions with a `*args` parameter, called
from compiled code and as the decorated function. Differential against plain
Python (value, type, exception and message), each kernel compiling natively,
except `*x` of what compiled code cannot see the length of, which runs as
plain Python, exactly."""

import collections

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, rng_for

Pair = collections.namedtuple("Pair", "a b")


@pyston.fast
def target(a, b, c=1):
    return a * 100 + b * 10 + c


@pyston.fast
def forward(*args):
    return target(*args)


@pyston.fast
def middle(t, x):
    return target(x, *t), (*t, x), [x, *t], Pair(*t), (*t, *t)


@pyston.fast
def shape_of(s):
    return np.zeros(s).sum() + len((*s, *s))


@pyston.fast
def varsum(*xs):
    s = 0
    for x in xs:
        s += x
    return s, len(xs), xs


@pyston.fast
def calls_varargs(a, b):
    return varsum(a, b, a), varsum(), varsum(*(a, b)), varsum(a, *(b, 2.5))


@pyston.fast
def star_list(xs):
    return target(*xs)


@pyston.fast
def star_rebound(t):
    t = t + (1,)
    return target(*t)


def test_forward_varargs():
    rng = rng_for("star_forward")
    cases = [tuple(int(x) for x in rng.integers(-9, 9, size=int(rng.integers(2, 4)))) for _ in range(10)]
    cases += [(1, 2), (1, 2, 3), (1.5, True), (2**62, 2**62, 2**62)]
    assert_same_all(forward, cases)
    # a call with the wrong number of arguments: CPython's TypeError
    assert_same(forward, 1, allow_fallback=True)
    assert_same(forward, 1, 2, 3, 4, allow_fallback=True)


def test_star_in_calls_and_displays():
    rng = rng_for("star_middle")
    cases = [((int(rng.integers(-9, 9)), float(rng.normal())), int(rng.integers(-9, 9))) for _ in range(10)]
    cases += [((1, 2), 3), (Pair(1, 2), 3), ((np.float32(1), np.int8(2)), 0)]
    assert_same_all(middle, cases)
    r = middle((1, 2), 3)
    assert type(r[3]) is Pair and type(r[2]) is list
    for s in [(2, 3), (0,), (), (1, 2, 3)]:
        assert_same(shape_of, s)


def test_varargs_called_from_compiled_code():
    assert_same_all(calls_varargs, [(1, 2), (1.5, -2), (True, 0)])
    assert_same_all(varsum, [(), (1,), (1, 2.5), (np.int32(3), 4)])


def test_unknown_lengths_run_as_python():
    # a list's length is not in the specialization's key; a rebound parameter's neither
    for f, arg in [(star_list, [1, 2]), (star_rebound, (1, 2))]:
        with pytest.warns(pyston.PerformanceWarning):
            assert f(arg) == f.py_func(arg)
    assert star_list([1, 2, 3]) == star_list.py_func([1, 2, 3])


@pyston.fast
def gen_star(t):
    for x in (*t, 0):
        yield target(*t) + x


def test_generator_with_star_runs_as_python():
    assert list(gen_star((1, 2))) == list(gen_star.py_func((1, 2)))
