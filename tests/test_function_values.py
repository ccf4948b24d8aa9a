"""Functions as values in compiled code (issue #14): a module-level function
read from a global, put in a tuple display, bound to a local, returned, or
called by a computed index of a tuple or list display (`(g0, g1)[i](x)`,
`[g0, g1][i](x)`, `fs = (g0, g1); fs[i](x)`). Compiled code calls each
through a direct, type-specialized call; a function that leaves compiled
code (returned, live at a deoptimization) is the object the program holds:
a plain function stays itself, not the dispatcher pyston calls it through.
Differential against plain Python: value, type, identity, exception and
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
def ret_global(x):
    return inc


@pyston.fast
def ret_global_compiled(x):
    return fsq


@pyston.fast
def ret_local(x):
    g = dbl if x > 0 else neg
    return g


@pyston.fast
def ret_tuple_display(x):
    return (inc, fsq, x)


@pyston.fast
def ret_param(g, x):
    return g


@pyston.fast
def ret_tuple_param(fs, x):
    return fs


def test_functions_returned_are_the_programs_objects():
    native(ret_global, 1.0)
    native(ret_tuple_display, 1.0)
    native(ret_param, inc, 1.0)
    assert ret_global(1.0) is inc
    assert ret_global_compiled(1.0) is fsq
    assert ret_local(1.0) is dbl and ret_local(-1.0) is neg
    r = ret_tuple_display(2.5)
    assert type(r) is tuple and r[0] is inc and r[1] is fsq and r[2] == 2.5
    assert ret_param(inc, 1.0) is inc
    assert ret_param(fsq, 1.0) is fsq
    fs = (inc, fsq, neg)
    r = ret_tuple_param(fs, 1.0)
    assert r == fs and all(a is b for a, b in zip(r, fs))
    # (a local holding one of two functions is not typed: plain Python, same objects)
    assert_same_all(ret_local, [(1.0,), (-1.0,), (0.0,)], allow_fallback=True)


@pyston.fast
def tuple_display_index(i, x):
    return (inc, dbl, neg)[i](x)


@pyston.fast
def list_display_index(i, x):
    return [inc, dbl, neg, fsq][i](x)


@pyston.fast
def local_tuple_loop(a):
    fs = (inc, fsq, dbl)
    s = 0.0
    for i in range(len(a)):
        s += fs[i % 3](a[i])
    return s


@pyston.fast
def local_tuple_negative(a, n):
    fs = (neg, inc)
    w = 1.0
    for i in range(n):
        w = fs[-1 - i % 2](w) + a[i % len(a)]
    return w


def test_indexed_calls_of_displays_and_locals():
    rng = rng_for("function_values")
    a = rng.normal(size=40)
    native(tuple_display_index, 1, 2.0)
    native(list_display_index, 1, 2.0)
    native(local_tuple_loop, a)
    native(local_tuple_negative, a, 5)
    assert_same_all(tuple_display_index, [(i, x) for i in range(-3, 3) for x in (2.5, -0.0, float("nan"))])
    assert_same_all(list_display_index, [(i, x) for i in range(-4, 4) for x in (2.5, -1.0)])
    assert_same_all(local_tuple_loop, [(a,), (a[:0],), (a[:1],), (a[::-3],)])
    assert_same_all(local_tuple_negative, [(a, n) for n in (0, 1, 2, 7)])


def test_indexed_calls_of_displays_bad_indexes():
    # out of range (tuple's and list's own messages), bool, NumPy int, big int,
    # float and str (TypeError with the display's kind in the message)
    cases = [(3, 2.5), (-4, 2.5), (True, 2.5), (np.int64(2), 2.5), (2**70, 2.5), (-(2**70), 2.5)]
    assert_same_all(tuple_display_index, cases, allow_fallback=True)
    assert_same_all(list_display_index, cases + [(4, 2.5), (-5, 1.0)], allow_fallback=True)
    for i in (1.0, "a", None):
        assert_same(tuple_display_index, i, 2.5, allow_fallback=True)
        assert_same(list_display_index, i, 2.5, allow_fallback=True)
    with pytest.raises(IndexError, match="^list index out of range$"):
        list_display_index(9, 1.0)
    with pytest.raises(IndexError, match="^tuple index out of range$"):
        tuple_display_index(9, 1.0)


@pyston.fast
def display_order(i, log):
    # the display's items, then the index, then the argument: CPython's order
    return (inc, dbl)[note(log, i)](note(log, 3) * 1.0)


def note(log, v):
    log.append(v)
    return v


@pyston.fast
def display_callee_raises(i, x):
    return (inc, inv)[i](x)


def test_indexed_calls_of_displays_order_and_errors():
    native(display_order, 0, [1])
    assert_same_all(display_order, [(0, [7]), (1, []), (5, [1, 2]), (-3, [])])
    native(display_callee_raises, 1, 2.0)
    assert_same_all(display_callee_raises, [(1, 0.0), (0, 0.0), (-1, 0.0), (1, 4.0)])
    with pytest.raises(ZeroDivisionError) as e:
        display_callee_raises(1, 0.0)
    assert e.traceback[-1].name == "inv"


@pyston.fast
def mixed_results(i, x):
    fs = (as_int, inc)
    return fs[i](x)


def test_indexed_calls_results_of_different_types():
    assert_same_all(mixed_results, [(0, 2.5), (1, 2.5), (-2, -7.25), (-1, 1e300)], allow_fallback=True)
    r = mixed_results(0, 2.5)
    assert type(r) is int and r == 2


@pyston.fast
def deopt_with_functions_live(n, fs):
    g = (inc, dbl)
    t = 1
    for _i in range(n):
        t = t * 3  # leaves 64 bits for n > 39: the rest runs on the interpreter tier
    return g, fs, t


def test_functions_live_at_a_deoptimization():
    fs = (neg, fsq)
    native(deopt_with_functions_live, 3, fs)
    for n in (3, 60):
        g, f2, t = deopt_with_functions_live(n, fs)
        assert g[0] is inc and g[1] is dbl
        assert f2[0] is neg and f2[1] is fsq
        assert t == 3**n
    assert_same_all(deopt_with_functions_live, [(0, fs), (45, fs)])


def test_memory_flat_returning_functions():
    import tracemalloc

    a = np.arange(5.0)
    for _ in range(2000):
        local_tuple_loop(a)
        ret_tuple_display(1.0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(100_000):
        local_tuple_loop(a)
        ret_tuple_display(1.0)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 64 * 1024, after - before
