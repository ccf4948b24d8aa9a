"""`sum(iterable, start)` / `sum(iterable, start=...)` of generator expressions
and ranges with int, float, bool and NumPy scalar starts: compiled natively,
the result's value and type exact (`sum([1, 2], 0.5)` is a float,
`sum(..., np.float32(0))` NumPy's type). Differential against plain Python."""

import sys

import numpy as np
import pyston
from helpers import assert_same, rng_for

# On CPython 3.12+ `sum` adds floats with compensation, so a generator's items
# are collected natively and CPython's `sum` adds them; where those items or
# the start are NumPy scalars, or the start is a name, that call is not
# compiled yet and the function runs as plain Python (a known gap: still exact).
NP_START_FALLBACK = sys.version_info >= (3, 12)


@pyston.fast
def gen_float_start(a):
    return sum((x * 2 for x in a), 0.5)


@pyston.fast
def gen_kw_start(a):
    return sum((x for x in a), start=-3)


@pyston.fast
def gen_np_start(a):
    return sum((x for x in a), np.float32(0))


@pyston.fast
def gen_np_int_start(a):
    return sum((x for x in a), start=np.int8(100))


@pyston.fast
def gen_name_start(a, s):
    return sum((x for x in a), s)


@pyston.fast
def range_start(n, m):
    return sum(range(n), 10) + sum(range(1, m, 3), start=0.25)


@pyston.fast
def list_start(xs):
    return sum(xs, 0.5), sum([1, 2], 0.5), sum(x for x in xs if x > 0)


@pyston.fast
def map_start(xs):
    return sum(map(abs, xs), 1.5)


def test_float_and_int_starts():
    rng = rng_for("sum_start")
    for a in [
        [],
        [1, 2, 3],
        [1.5, -2.25],
        np.arange(5.0),
        rng.random(7),
        np.arange(4, dtype=np.int32),
        [True, False],
    ]:
        assert_same(gen_float_start, a, allow_fallback=NP_START_FALLBACK)
        assert_same(gen_kw_start, a, allow_fallback=NP_START_FALLBACK)
        assert_same(gen_np_start, a, allow_fallback=NP_START_FALLBACK)
        assert_same(map_start, list(a), allow_fallback=NP_START_FALLBACK)


def test_numpy_starts():
    assert_same(gen_np_start, [1.5, 2.25], allow_fallback=NP_START_FALLBACK)
    assert_same(gen_np_start, np.arange(3, dtype=np.float32), allow_fallback=NP_START_FALLBACK)
    assert_same(gen_np_int_start, np.arange(3, dtype=np.int8), allow_fallback=NP_START_FALLBACK)
    assert_same(gen_np_int_start, np.arange(100, dtype=np.int8), allow_fallback=NP_START_FALLBACK)  # (wraps, with NumPy's warning)
    assert_same(gen_np_int_start, [1, 2], allow_fallback=NP_START_FALLBACK)


def test_name_start():
    assert_same(gen_name_start, [1, 2], 0.5, allow_fallback=NP_START_FALLBACK)
    assert_same(gen_name_start, [1, 2], 1 << 70, allow_fallback=NP_START_FALLBACK)
    assert_same(gen_name_start, [1.5], np.float32(2), allow_fallback=NP_START_FALLBACK)
    assert_same(gen_name_start, [1.5], 2j, allow_fallback=NP_START_FALLBACK)
    # a string start: CPython's TypeError, from CPython
    assert_same(gen_name_start, ["a", "b"], "", allow_fallback=True)


def test_range_and_list_starts():
    for n, m in [(0, 0), (5, 10), (100, 3), (-2, 40)]:
        assert_same(range_start, n, m)
    for xs in [[], [1, 2], [0.5, -1.5, 3.0]]:
        assert_same(list_start, xs)


def test_interpreter_tier_takes_float_starts():
    # (found by the fuzzer's float_cond_block: the interpreter tier converted
    # the start to an int, as it does `range`'s arguments)
    import math

    def f(n):
        return sum((p * 0.5 for p in (n / 2.5, int(2.5))), 0.25)

    def g(n):
        return sum((p * 0.5 for p in (math.ldexp(-math.inf, -115), 3)), 0.25)

    for fn in (f, g):
        want = fn(18.5)
        got = pyston.fast(fn)._interpret(18.5)
        assert type(got) is type(want) and got == want
