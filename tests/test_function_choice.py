"""A local bound to one of several functions (issue #14): `f = g if c else
h`, `f = g` in one branch and `f = h` in another, rebound in a loop; then
`f(x)` calls the one it holds (compiled code keeps which as a tag and makes
the direct, type-specialized call of that one). The function the variable
holds is the one read where it was bound, even if the global is rebound
before the call, as in CPython. Differential against plain Python: value,
type, exception and message, identity of a function that leaves compiled
code."""

import math
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, native


def inc(x):
    return x + 1.0


def dbl(x):
    return x * 2.0


def neg(x):
    return -x


def floor_div(x):
    return x // 2  # an int for an int, a float for a float


def boom(x):
    if x > 3.0:
        raise ValueError(f"too big: {x}")
    return x


def two(x, y):
    return x - y


@pyston.fast
def sq(x):
    return x * x


@pyston.fast
def pick_ternary(a, flag):
    f = inc if flag else dbl
    s = 0.0
    for x in a:
        s += f(x)
    return s


@pyston.fast
def pick_branches(a, k):
    if k == 0:
        f = inc
    elif k == 1:
        f = dbl
    elif k == 2:
        f = neg
    else:
        f = sq
    s = 0.0
    for x in a:
        s += f(x)
    return s


@pyston.fast
def rebound_in_loop(a):
    s = 0.0
    f = inc
    for i in range(a.shape[0]):
        s += f(a[i])
        f = dbl if f is inc else inc
    return s


@pyston.fast
def alternate(a):
    s = 0.0
    for i in range(a.shape[0]):
        f = neg if i % 3 == 0 else (inc if i % 3 == 1 else sq)
        s += f(a[i])
    return s


@pyston.fast
def mixed_results(n, flag):
    f = floor_div if flag else inc
    out = 0.0
    for i in range(n):
        out += f(i)
    return out


@pyston.fast
def raising(a, flag):
    f = boom if flag else inc
    s = 0.0
    for x in a:
        s += f(x)
    return s


@pyston.fast
def returned(flag):
    f = inc if flag else dbl
    return f


@pyston.fast
def wrong_arity(a, flag):
    f = two if flag else inc
    return f(a[0])


A = np.array([0.5, -1.25, 2.0, 3.5, 7.0, -0.0])


def test_ternary_and_branches():
    assert_same_all(pick_ternary, [(A, True), (A, False), (A[:0], True)])
    assert_same_all(pick_branches, [(A, k) for k in range(5)])
    native(pick_branches, A, 2)


def test_rebound_in_loops():
    assert_same_all(alternate, [(A,), (np.arange(10.0),)])
    native(alternate, A)


def test_rebound_by_identity_test_runs_as_python():
    # `f is inc` of such a variable is not compiled: plain Python, exactly.
    assert_same(rebound_in_loop, A, allow_fallback=True)


def test_results_of_different_types():
    assert_same_all(mixed_results, [(7, True), (7, False), (0, True)])


def test_exceptions_from_the_one_called():
    assert_same_all(raising, [(A, True), (A, False), (A[:3], True)])


def test_the_function_comes_back():
    assert returned(True) is inc
    assert returned(False) is dbl


def test_wrong_number_of_arguments():
    assert_same_all(wrong_arity, [(A, True), (A, False)], allow_fallback=True)


_INC = inc


def swap_inc(x):
    global inc
    inc = dbl
    return x


@pyston.fast
def bind_then_swap(a):
    f = inc if a[0] > -1.0 else dbl
    swap_inc(0)
    return f(a[0])


def test_global_rebound_after_the_binding():
    # CPython calls the function read where `f` was bound.
    global inc
    try:
        for _ in range(2):
            inc = _INC
            want = bind_then_swap.py_func(A)
            inc = _INC
            with warnings.catch_warnings():
                warnings.simplefilter("error", pyston.PerformanceWarning)
                got = bind_then_swap(A)
            assert got == want == 1.5
    finally:
        inc = _INC


@pytest.mark.parametrize("flag", [True, False])
def test_numba_entry_point(flag):
    f = pyston.njit(pick_ternary.py_func)
    assert f(A, flag) == pick_ternary.py_func(A, flag)


@pyston.fast
def deopt_while_held(n, flag):
    f = inc if flag else dbl
    k = n
    for _ in range(3):
        k = k * n  # leaves 64 bits for a large n: the interpreter tier goes on
    return f(1.0), k


def test_held_across_a_deoptimization():
    assert_same_all(deopt_while_held, [(3, True), (3, False), (2**40, True), (2**40, False)])


@pyston.fast
def pick_math(a, k):
    f = math.sin if k == 0 else (math.sqrt if k == 1 else (math.log if k == 2 else sq))
    s = 0.0
    for x in a:
        s += f(x)
    return s


@pyston.fast
def math_returned(k):
    f = math.cos if k else math.exp
    y = f(0.5)
    return f, y


def test_math_functions():
    pos = np.array([0.25, 1.0, 2.5, 9.0])
    # (math.sqrt and math.log of a negative: ValueError: math domain error)
    assert_same_all(pick_math, [(pos, k) for k in range(4)] + [(A, k) for k in range(4)])
    native(pick_math, pos, 1)
    for k in (True, False):
        f, y = math_returned(k)
        assert (f, y) == math_returned.py_func(k)
        assert f is (math.cos if k else math.exp)


def gen_choice(flag, n):
    f = inc if flag else dbl
    yield 0.5
    w = 1.0
    for _ in range(n):
        w = f(w) + 0.25
        yield w


def gen_choice_math(flag, n):
    if flag:
        f = math.fabs
        yield 1.0
    else:
        f = sq
        yield 2.0
    w = -1.5
    for _ in range(n):
        w = f(w) - 2.0
        yield w


def test_in_a_generator():
    # Compiled functions: every step compiled (the tag crosses the yields as a
    # function the next step's key holds).
    fg = pyston.fast(gen_choice)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        for flag in (True, False):
            assert list(fg(flag, 4)) == list(gen_choice(flag, 4))
    # A `math` function carried across a yield: the later steps run on the
    # interpreter tier (exactly).
    fm = pyston.fast(gen_choice_math)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        for flag in (True, False):
            assert list(fm(flag, 4)) == list(gen_choice_math(flag, 4))
