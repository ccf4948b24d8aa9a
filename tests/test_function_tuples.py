"""`for f in (g, h, ...): ... f(x) ...` in compiled code (issue #14): a loop
over a tuple (or list) display of global functions is unrolled, the loop
variable bound to each function in turn (the names read once, before the
loop, as CPython builds the tuple) and each call `f(...)` inlined where the
function is a plain module-level one (else an ordinary call of it: a
compiled function, a builtin). Differential against plain Python (value,
type, exception type and message, the caller's containers after the call),
each kernel compiling natively; a loop the unrolling does not take (a
`break`, the variable used otherwise) runs as before."""

import numpy as np
import pyston
from helpers import assert_same, assert_same_all, native, rng_for


def inc(x):
    return x + 1


def dbl(x):
    return x * 2


def inv(x):
    return 1 / x  # ZeroDivisionError at 0


def push(lst, x):
    lst.append(x)
    return len(lst)


fast_inc = pyston.fast(inc)


@pyston.fast
def sum_over_functions(x):
    s = 0
    for f in (inc, dbl):
        s += f(x)
    return s


@pyston.fast
def list_display_nested_loops_else(a):
    s = 0.0
    for f in [inc, dbl, inv]:
        for v in a:
            s += f(v)
    else:
        s -= 1
    return s


@pyston.fast
def chained_and_read_after(x):
    for f in (inc, dbl, inc):
        x = f(x)
    return x, f(x)


@pyston.fast
def compiled_and_builtins(x):
    s = 0.0
    for f in (fast_inc, abs, round, dbl):
        s += f(x)
    return s


@pyston.fast
def mutates_argument(lst, x):
    n = 0
    for f in (push,):
        n += f(lst, x)
        n += f(lst, -x)
    return n


@pyston.fast
def with_break(x):
    s = 0
    for f in (inc, dbl):
        s += f(x)
        if s > 10:
            break
    return s


def test_loops_over_functions_compile_and_agree():
    rng = rng_for("function tuples")
    ints = [int(v) for v in rng.integers(-1000, 1000, size=8)] + [0, -1, 2**62, -(2**63), 2**70]
    for x in ints[:8]:
        native(sum_over_functions, x)
    assert_same_all(sum_over_functions, [(x,) for x in ints])
    assert_same_all(chained_and_read_after, [(x,) for x in ints] + [(1.5,), (-0.0,)])
    floats = [float(v) for v in rng.normal(size=6)] + [0.0, -0.0, 1e308, float("inf"), float("nan")]
    native(compiled_and_builtins, 2.5)
    assert_same_all(compiled_and_builtins, [(x,) for x in floats if x == x and abs(x) != float("inf")])
    # (round() of inf/nan raises, in compiled code too)
    assert_same(compiled_and_builtins, float("inf"), allow_fallback=True)
    assert_same(compiled_and_builtins, float("nan"), allow_fallback=True)


def test_loops_over_functions_arrays_exceptions_and_mutation():
    a = np.array([1.0, 2.0, -4.0])
    native(list_display_nested_loops_else, a)
    assert_same(list_display_nested_loops_else, a)
    assert_same(list_display_nested_loops_else, np.zeros(0))
    # ZeroDivisionError inside inv: CPython's message
    assert_same(list_display_nested_loops_else, np.array([1.0, 0.0]), allow_fallback=True)
    native(mutates_argument, [1], 3)
    for lst, x in [([], 3), ([1, 2], -7), ([0], 0)]:
        assert_same(mutates_argument, lst, x)
    mine, plain = [5], [5]
    assert mutates_argument(mine, 2) == mutates_argument.py_func(plain, 2)
    assert mine == plain == [5, 2, -2]


def test_loops_the_unrolling_does_not_take():
    for x in (1, 4, 20):
        assert_same(with_break, x, allow_fallback=True)
