"""`f(*xs)` of a list in compiled code (issue #14): the last positional
argument of a call of a compiled or module-level function, natively (the
list's length checked against the callee's parameters left, each item read
with its element type checked); any other length, or an item of another
type, runs that call on the interpreter tier with CPython's binding
(defaults, `TypeError` and its message). Differential against plain Python:
value, type, exception and message, the list left as it was."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, native, rng_for


def plain3(a, b, c):
    return a * 100 + b * 10 + c


def plain0():
    return 7


def with_default(a, b, c=1):
    return a * 100 + b * 10 + c


def divides(a, b):
    return a / b


@pyston.fast
def fast2(a, b):
    return a - b


@pyston.fast
def star_plain(xs):
    return plain3(*xs)


@pyston.fast
def star_after_fixed(x, xs):
    return plain3(x, *xs), fast2(x, *xs[:1])


@pyston.fast
def star_fast_callee(xs):
    return fast2(*xs)


@pyston.fast
def star_in_loop(xs, n):
    s = 0
    for i in range(n):
        s += plain3(*xs) + i
    return s


@pyston.fast
def star_default(xs):
    return with_default(*xs)


@pyston.fast
def star_zero(xs):
    return plain0(*xs)


@pyston.fast
def star_raises(xs):
    return divides(*xs)


@pyston.fast
def star_local(a, b):
    xs = [a, b]
    return fast2(*xs), plain3(a, *xs)


@pyston.fast
def star_passed(f, xs):
    s = 0.0
    for _ in range(3):
        s += f(*xs)
    return s


@pyston.fast
def star_appended(xs, n):
    # the list changes between the calls: each call reads its items again
    out = []
    for i in range(n):
        out.append(plain3(*xs) + i)
        xs.append(xs.pop(0))
    return out


@pyston.fast
def star_shrinks(xs):
    # a list shorter at each call: the default, then CPython's TypeError
    # (compiled code leaves at the call whose length differs, mid-loop)
    out = []
    for _ in range(4):
        out.append(with_default(*xs))
        xs.pop()
    return out


def test_star_list_of_ints_floats_bools_numpy_scalars():
    rng = rng_for("star_lists")
    cases = []
    for _ in range(8):
        cases.append(([int(v) for v in rng.integers(-99, 99, size=3)],))
        cases.append(([float(v) for v in rng.normal(size=3)],))
    cases += [([True, False, True],), ([np.float64(1.5), np.float64(-2.0), np.float64(0.25)],)]
    cases += [([np.int32(7), np.int32(-3), np.int32(2)],), ([2**62, 2**62, 2**62],), ([-0.0, np.inf, np.nan],)]
    for args in cases:
        native(star_plain, *args)
    assert_same_all(star_plain, cases)
    fixed = [(1, [2, 3]), (0.5, [1.5, -2.0]), (2**40, [3, 4]), (True, [False, True])]
    for args in fixed:
        native(star_after_fixed, *args)
    assert_same_all(star_after_fixed, fixed)
    fc = [([1, 2],), ([1.5, 0.25],), ([2**62, -(2**62)],)]
    for args in fc:
        native(star_fast_callee, *args)
    assert_same_all(star_fast_callee, fc)
    native(star_in_loop, [1, 2, 3], 5)
    assert_same_all(star_in_loop, [([1, 2, 3], 5), ([0.5, 1.5, 2.5], 3), ([1, 2, 3], 0)])
    native(star_local, 3, 4)
    assert_same_all(star_local, [(3, 4), (1.5, -2.5), (2**62, 2**62)])


def test_star_list_other_lengths_bind_as_cpython():
    # one item too many or too few, an empty list: CPython's TypeError and message
    for xs in [[1, 2], [1, 2, 3, 4], []]:
        assert_same(star_plain, xs)
    for xs in [[1], [1, 2, 3]]:
        assert_same(star_fast_callee, xs)
    # a parameter left to its default value by a shorter list
    native(star_default, [1, 2, 3])
    assert_same_all(star_default, [([1, 2, 3],), ([1, 2],), ([1],), ([1, 2, 3, 4],), ([],)])
    # no parameter: an empty list calls it, any item is CPython's TypeError
    assert_same_all(star_zero, [([],), ([1],), ([1.5, 2.5],)])


def test_star_list_items_of_other_types_and_big_ints():
    # an item past 64 bits, a float in a list seen holding ints, a str: the
    # call runs on the interpreter tier, exactly
    star_plain([1, 2, 3])
    for xs in [[2**70, 1, 2], [1, 2.5, 3], [1, "a", 3], [1.5, 2, 3.5]]:
        assert_same(star_plain, xs, allow_fallback=True)
    assert star_plain([2**64, 0, 0]) == 2**64 * 100
    assert type(star_plain([1, 2, 3])) is int


def test_star_list_exceptions_and_arguments_unchanged():
    native(star_raises, [1.0, 2.0])
    assert_same_all(star_raises, [([1.0, 2.0],), ([1.0, 0.0],), ([3, 0],), ([0.0, 0.0],)])
    with pytest.raises(ZeroDivisionError) as e:
        star_raises([1.0, 0.0])
    # the traceback goes through the callee's line, as CPython's
    assert e.traceback[-1].name == "divides"
    xs = [1, 2, 3]
    star_plain(xs)
    assert xs == [1, 2, 3]
    assert_same_all(star_appended, [([1, 2, 3], 4), ([0.5, 1.5, 2.5], 2)])
    native(star_shrinks, [1, 2, 3, 4, 5, 6])
    assert_same_all(star_shrinks, [([1, 2, 3, 4, 5, 6],), ([1, 2, 3],), ([1.5, 2.5, 3.5, 4.5],)])


def test_star_list_of_a_function_passed():
    native(star_passed, plain3, [1, 2, 3])
    assert_same_all(star_passed, [(plain3, [1, 2, 3]), (plain3, [0.5, 1.0, 2.0]), (fast2, [4, 1]), (fast2, [1])])


def test_star_list_on_the_interpreter_tier():
    for f, args in [(star_plain, ([1, 2, 3],)), (star_default, ([1, 2],)), (star_local, (3, 4))]:
        assert f._interpret(*args) == f.py_func(*args)


@pyston.fast
def star_into_builtins(xs):
    # `len(*xs)` is not `len(xs)`: a builtin's call of a list's items
    return len(*xs)


@pyston.fast
def star_into_sum(xs):
    return sum(*xs)


@pyston.fast
def star_into_max(x, xs):
    return max(x, *xs)


def test_star_list_into_builtins_is_cpython():
    for f, cases in [
        (star_into_builtins, [([1],), ([1, 2],), ([],)]),
        (star_into_sum, [([1],), ([1.5, 2.5],), ([],)]),
        (star_into_max, [(0.5, [1.0, 2.0]), (3, [1, 2]), (1, [])]),
    ]:
        assert_same_all(f, cases, allow_fallback=True)


def test_star_list_into_a_nested_function_runs_as_python():
    @pyston.fast
    def star_nested(xs):
        def h(a, b):
            return a + b

        return h(*xs)

    with pytest.warns(pyston.PerformanceWarning):
        assert star_nested([1, 2]) == star_nested.py_func([1, 2])
