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
from helpers import assert_same, assert_same_all, native, rng_for

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
    # a rebound parameter's length is not in the specialization's key
    with pytest.warns(pyston.PerformanceWarning):
        assert star_rebound((1, 2)) == star_rebound.py_func((1, 2))
    # `f(*xs)` of a list (tests/test_star_lists.py): native, its length checked
    # at the call (a list leaving `c` to its default: that call on the interpreter tier)
    native(star_list, [1, 2, 3])
    assert_same_all(star_list, [([1, 2, 3],), ([1, 2],), ([1],)])


@pyston.fast
def gen_star(t):
    for x in (*t, 0):
        yield target(*t) + x


def test_generator_with_star_runs_as_python():
    assert list(gen_star((1, 2))) == list(gen_star.py_func((1, 2)))


@pyston.fast
def local_tuple_extremes(a, lo, hi, c):
    s = 0.0
    t = 0.0
    for x in a:
        if c or x > 0:
            lim = (lo, hi)
        s += max(x, *lim)
        t -= min(*lim, x)
    pair = (s, t)
    return (*pair, min(*pair), max(*(pair)))


@pyston.fast
def local_tuple_two_lengths(x):
    t = (x, 1.0)
    if x > 0:
        t = (x, 2.0, 3.0)
    return max(*t)


@pyston.fast
def local_tuple_rebound_by_inner(x):
    t = (x, 1.0)

    def bump():
        nonlocal t
        t = (x, 2.0, 3.0)

    bump()
    return max(*t)


@pyston.fast
def local_tuple_name_in_comprehension(x):
    t = (x, 1.0)
    ys = [t for t in range(3)]
    return max(*t), ys


def test_star_of_a_local_tuple():
    # `*t` of a local bound only to tuple displays of one length: its items,
    # compiled natively; unbound (UnboundLocalError), NaN, -0.0, inf, mixed
    # float and np.float64 items as CPython's
    rng = rng_for("star_local")
    cases = []
    for n in (0, 1, 6, 30):
        a = rng.normal(size=n)
        if n > 2:
            a[rng.integers(0, n, 2)] = rng.choice([np.nan, -0.0, np.inf])
        for c in (True, False):
            cases.append((a, 0.0, -0.5, c))
            cases.append((a, np.float64(0.25), -np.inf, c))
            cases.append((a, np.nan, 0.0, c))
    assert_same_all(local_tuple_extremes, cases)


def test_star_of_a_local_bound_otherwise_runs_as_python():
    # two lengths, a nested function's `nonlocal` binding, a comprehension's
    # own variable of the same name: not expanded, CPython's results
    for f, args in [
        (local_tuple_two_lengths, (1.5,)),
        (local_tuple_two_lengths, (-1.5,)),
        (local_tuple_rebound_by_inner, (0.5,)),
        (local_tuple_name_in_comprehension, (0.5,)),
    ]:
        assert_same(f, *args, allow_fallback=True)


def star_local_gen(a, lo):
    lim = (lo, -lo)
    for x in a:
        yield max(x, *lim), (*lim, x)


def test_star_of_a_local_tuple_in_a_generator():
    from helpers import assert_equal_exact

    fast = pyston.fast(fallback=False)(star_local_gen)
    a = np.array([0.5, -2.0, np.nan, 3.0, -0.0])
    for lo in (1.0, -0.0, np.float64(2.5), np.nan):
        g = fast(a, lo)
        got = [next(g)]
        assert g._state == "native"
        got += list(g)
        assert_equal_exact(list(star_local_gen(a, lo)), got)


@pyston.fast
def star_list_display(a, b, t):
    # `*x` of a list (or a tuple) in a list display: a new list the items
    # are appended to, `x` added by `extend`, in order
    return [*a, 1, *b], [*t, *a], [0, *a, *a], [*b]


@pyston.fast
def star_list_other(arr, n):
    # (`extend` of an array or a range is not compiled: plain Python, exactly)
    return [*arr], [*range(n)], [*"ab"]


@pyston.fast
def star_list_local(n):
    xs = []
    for i in range(n):
        xs.append(i * 0.5)
    ys = [*xs, -1.0, *xs]
    ys.append(2.0)
    return ys, xs


@pyston.fast
def star_list_not_iterable(x):
    return [1, *x]


def test_star_list_displays():
    rng = rng_for("star_list_display")
    cases = []
    for n in (0, 1, 5):
        a = [int(v) for v in rng.integers(-5, 5, n)]
        b = [float(v) for v in rng.normal(size=n)]
        cases.append((a, b, (1, 2.5)))
        cases.append((a, b, ()))
    native(star_list_display, [1, 2], [0.5], (1, 2.5))
    native(star_list_local, 3)
    assert_same_all(star_list_display, cases[2:])
    # (an empty list argument's items have no type yet: `extend` of it runs as plain Python)
    for c in cases[:2]:
        assert_same(star_list_display, *c, allow_fallback=True)
    for arr, n in [(rng.normal(size=3), 2), (np.arange(4, dtype=np.int32)[::2], 0)]:
        assert_same(star_list_other, arr, n, allow_fallback=True)
    assert_same_all(star_list_local, [(0,), (1,), (4,)])
    # CPython's TypeError ("Value after * must be an iterable, not int"), exactly
    assert_same(star_list_not_iterable, 3, allow_fallback=True)


# `f(*t)` of a plain module-level function (inlined into the caller) and of a
# nested function: the tuple's items as the arguments, where its length is known


def plain3(a, b, c):
    return a * 100 + b * 10 + c


def plain1(x):
    return x - 1


@pyston.fast
def star_into_plain(t, rest, x):
    return plain3(*t), plain3(x, *rest), plain3(*(x, x), x), plain1(*(x,)), max(*t), min(*rest)


@pyston.fast
def star_into_nested(t, x):
    def h(a, b):
        return a - b * x

    return h(*t), h(*(x, 2)), h(*(*t,))


@pyston.fast
def star_wrong_count(t):
    return plain1(*t)


@pyston.fast
def star_nested_wrong_count(t):
    def h(a, b):
        return a + b

    return h(*t)


@pyston.fast
def star_unbound(flag, x):
    if flag:
        t = (x, x, x)
    return plain3(*t)


def test_star_into_plain_and_nested_functions():
    rng = rng_for("star_plain")
    cases = []
    for _ in range(10):
        a, b, c = (int(v) for v in rng.integers(-50, 50, size=3))
        cases.append(((a, b, c), (b, c), float(rng.normal())))
    cases += [((2**62, 2**62, 2**62), (1, 2), 3), ((1.5, True, -0.0), (2, 1.0), 2**70)]
    for args in cases:
        native(star_into_plain, *args)
    assert_same_all(star_into_plain, cases)
    nested_cases = [((1, 2), 3), ((1.5, -2.0), 0.5), ((2**62, 2**62), 7), ((True, False), 2)]
    for args in nested_cases:
        native(star_into_nested, *args)
    assert_same_all(star_into_nested, nested_cases)


def test_star_wrong_counts_and_unbound_raise_as_cpython():
    # one item too many or too few: CPython's TypeError and message
    for t in [(1, 2), ()]:
        assert_same(star_wrong_count, t, allow_fallback=True)
    for t in [(1,), (1, 2, 3)]:
        assert_same(star_nested_wrong_count, t, allow_fallback=True)
    assert_same(star_nested_wrong_count, (1, 2))
    assert_same(star_unbound, True, 4)
    assert_same(star_unbound, False, 4, allow_fallback=True)
