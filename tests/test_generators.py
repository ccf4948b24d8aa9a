"""Compiled generators (`core/runtime/src/generators.rs`, `lower/generators.rs`).

(No `assert` inside the generators here: pytest rewrites asserts in test
modules, so their source would no longer match their code and they would
run as plain Python.)

Every generator runs plain and under ``pyston.fast``, driven the same way
(``list``, ``next``, ``send``, ``throw``, ``close``); the transcripts (each
value with its type, ``StopIteration.value``, each exception's type and
message) must agree exactly, and the compiled one must not fall back
(``pyston.PerformanceWarning`` is an error here).
"""

import collections.abc
import gc
import math
import sys
import warnings

import numpy as np
import pyston
import pytest
from helpers import rss_bytes

# ---------------------------------------------------------------------------
# generators under test (module level: their globals are this module's)
# ---------------------------------------------------------------------------


def running_sum(n):
    s = 0
    for i in range(n):
        s += i
        yield s
    return s * 2


def float_steps(a):
    t = 0.0
    for i in range(a.shape[0]):
        t += a[i] * 0.5
        yield t
    return t


def nested(n, m):
    for i in range(n):
        for j in range(m):
            if (i + j) % 3 == 0:
                yield i * m + j
        yield -i


def two_yields(x):
    yield x
    y = x * 2.5
    yield y
    z = y - 1
    yield z
    return x + z


def accumulate():
    total = 0
    while True:
        x = yield total
        if x is None:
            return total
        total += x


def counter(limit):
    k = 0
    while k < limit:
        got = yield k
        if got is not None:
            k = got
        else:
            k += 1


def powers(base, n):
    x = 1
    for _ in range(n):
        x *= base
        yield x


def divides(a, b):
    for i in range(a.shape[0]):
        yield a[i] // b[i]


def indexes(a, n):
    for i in range(n):
        yield a[i]


def rows(a):
    for i in range(a.shape[0]):
        yield a[i].sum()


def arrays(n):
    for i in range(n):
        yield np.zeros(i) + i


def empty_return(n):
    if n > 0:
        return n
    yield 1


def never(n):
    if n < 0:
        yield n


def defaults(a, b=3, c=1.5):
    for i in range(a, b):
        yield i * c


def raises_stop(n):
    for i in range(n):
        if i == 2:
            raise StopIteration(i)
        yield i


def np_scalars(a):
    acc = a[0]
    for i in range(1, a.shape[0]):
        acc = acc * a[i]
        yield acc


def bools(n):
    flag = False
    for _ in range(n):
        flag = not flag
        yield flag


def maybe_unbound(n):
    for i in range(n):
        if i == 1:
            last = i * 10
        yield i
        if i > 1:
            yield last


def collatz(x):
    while x != 1:
        yield x
        if x % 2 == 0:
            x = x // 2
        else:
            x = 3 * x + 1
    yield x


GENS = [running_sum, float_steps, nested, two_yields, accumulate, counter, powers, divides]

# ---------------------------------------------------------------------------
# the differential driver
# ---------------------------------------------------------------------------


def _exc(e):
    return ("raise", type(e).__name__, str(e))


def _val(v):
    if isinstance(v, np.ndarray):
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, float):
        return (type(v).__name__, v.hex() if v == v else "nan")
    return (type(v).__name__, repr(v))


def transcript(gen, actions):
    """Drives `gen` with `actions` ("next", ("send", v), ("throw", exc), "close"),
    recording what each gives; stops recording after 200 events."""
    out = []
    for a in actions:
        try:
            if a == "next":
                out.append(("yield", _val(next(gen))))
            elif a == "close":
                out.append(("close", repr(gen.close())))
            elif a[0] == "send":
                out.append(("yield", _val(gen.send(a[1]))))
            elif a[0] == "throw":
                out.append(("yield", _val(gen.throw(*a[1:]))))
        except StopIteration as e:
            out.append(("stop", _val(e.value), len(e.args)))
        except Exception as e:  # noqa: BLE001 - compared
            out.append(_exc(e))
            if isinstance(e, RuntimeError):
                out.append(("cause", _exc(e.__cause__) if e.__cause__ else None))
    return out


def compare(fn, args, actions=("next",) * 30, **flags):
    """`fn` plain and compiled, driven by `actions`: the same transcript, compiled natively."""
    fast = pyston.fast(**flags)(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = transcript(fast(*_copy(args)), actions)
    want = transcript(fn(*_copy(args)), actions)
    assert got == want, f"{fn.__name__}{args}: compiled {got} != plain {want}"
    return fast


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def same_list(fn, *args):
    fast = pyston.fast(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = [_val(v) for v in fast(*_copy(args))]
    assert got == [_val(v) for v in fn(*_copy(args))]


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100])
def test_running_sum_list_and_return_value(n):
    same_list(running_sum, n)
    compare(running_sum, (n,), ["next"] * (n + 3))


def test_random_inputs(rng):
    for _ in range(20):
        n, m = (int(x) for x in rng.integers(0, 9, size=2))
        same_list(nested, n, m)
        a = rng.standard_normal(int(rng.integers(0, 12)))
        same_list(float_steps, a)
        compare(float_steps, (a,), ["next"] * (a.shape[0] + 2))
        x = float(rng.standard_normal())
        compare(two_yields, (x,), ["next"] * 5)
        compare(two_yields, (int(rng.integers(-(2**40), 2**40)),), ["next"] * 5)
        same_list(collatz, int(rng.integers(1, 10**6)))


def test_edge_floats():
    for x in [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e308]:
        compare(two_yields, (x,), ["next"] * 5)
    a = np.array([1e308, 1e308, float("nan"), -0.0, float("inf")])
    compare(float_steps, (a,), ["next"] * 7)


def test_manual_next_after_exhaustion():
    compare(running_sum, (3,), ["next"] * 10)
    compare(never, (1,), ["next"] * 3)
    compare(empty_return, (5,), ["next"] * 3)
    compare(empty_return, (0,), ["next"] * 3)


def test_send():
    compare(accumulate, (), ["next", ("send", 5), ("send", 7), ("send", -2), "next", "next"])
    compare(accumulate, (), [("send", None), ("send", 1), ("send", 2.5), ("send", None), "next"])
    compare(counter, (10,), ["next", "next", ("send", 5), "next", ("send", 9), "next", "next", "next"])


def test_first_send_must_be_none():
    compare(accumulate, (), [("send", 3), "next", ("send", 4), ("send", None)])
    compare(running_sum, (4,), [("send", 1), ("send", None), ("send", 3), "next"])


def test_throw():
    for actions in [
        [("throw", ValueError("boom")), "next"],
        ["next", ("throw", ValueError("boom")), "next", "next"],
        ["next", "next", ("throw", KeyError), "next"],
        ["next", ("throw", StopIteration), "next"],
        ["next", ("throw", StopIteration(7)), "next"],
        [("throw", StopIteration), "next"],
        ["next"] * 10 + [("throw", ValueError("late")), "next"],
        ["next", ("throw", 3), "next"],
        ["next", ("throw", TypeError, TypeError("inst")), "next"],
    ]:
        compare(running_sum, (5,), actions)


def test_close():
    compare(running_sum, (5,), ["close", "next", "close"])
    compare(running_sum, (5,), ["next", "next", "close", "next", ("send", 1), "close"])
    compare(running_sum, (2,), ["next"] * 5 + ["close", "next"])


def test_exception_midway_finishes_the_generator():
    a = np.array([6, 8, 9, 10], dtype=np.int64)
    b = np.array([3, 2, 0, 1], dtype=np.int64)
    compare(divides, (a, b), ["next"] * 6)
    compare(indexes, (np.arange(4.0), 7), ["next"] * 9)
    compare(indexes, (np.arange(4.0), 3), ["next"] * 5)


def test_stop_iteration_inside_is_runtime_error():
    compare(raises_stop, (5,), ["next"] * 5)


def test_int_overflow_continues_with_big_ints():
    for base in [2, 3, -7, 10**6, 2**62]:
        same_list(powers, base, 40)
        compare(powers, (base, 30), ["next"] * 32)
    # a deopt in the middle, then more steps: again compiled (with a boxed int) and exact
    fast = pyston.fast(powers)
    for _ in range(3):
        assert list(fast(1000, 25)) == list(powers(1000, 25))


def test_numpy_scalars_bools_arrays():
    for dt in [np.int64, np.int32, np.float32, np.float64, np.uint8]:
        a = (np.arange(1, 8) * 3).astype(dt)
        same_list(np_scalars, a)
    same_list(bools, 5)
    same_list(rows, np.arange(12.0).reshape(3, 4))
    same_list(rows, np.arange(12).reshape(4, 3)[::-1])
    same_list(arrays, 4)


def test_arguments_bound_as_cpython():
    compare(defaults, (1,), ["next"] * 4)
    fast = pyston.fast(defaults)
    assert list(fast(0, c=2.0)) == list(defaults(0, c=2.0))
    assert list(fast(b=2, a=-1)) == list(defaults(b=2, a=-1))
    for bad in [(), (1, 2, 3, 4)]:
        with pytest.raises(TypeError) as got:
            fast(*bad)
        with pytest.raises(TypeError) as want:
            defaults(*bad)
        assert str(got.value) == str(want.value)


def test_variable_assigned_on_some_paths():
    same_list(maybe_unbound, 4)


def test_generator_protocol():
    fast = pyston.fast(running_sum)
    g = fast(3)
    assert iter(g) is g
    assert isinstance(g, collections.abc.Generator)
    assert isinstance(g, collections.abc.Iterator)
    assert g.__name__ == "running_sum"
    assert "running_sum" in repr(g)
    assert not g.gi_running
    assert fast.py_func is running_sum
    assert fast.__name__ == "running_sum"


G = []


def _reenter():
    return next(G[0])


def reentrant():
    yield 1
    yield _reenter()


def test_reentrance_raises_already_executing():
    fast = pyston.fast(reentrant)
    for f in (reentrant, fast):
        G.clear()
        g = f()
        G.append(g)
        assert next(g) == 1
        with pytest.raises(ValueError, match="^generator already executing$"):
            next(g)
        assert list(g) == []
    G.clear()


def try_yield(n):
    for i in range(n):
        try:
            yield i
        except ValueError:
            yield -1


def test_yield_inside_try_runs_as_plain_python():
    fast = pyston.fast(try_yield)
    with pytest.warns(pyston.PerformanceWarning, match="try"):
        g = fast(3)
    assert next(g) == 0
    assert g.throw(ValueError) == -1
    assert list(g) == [1, 2]


def test_plain_dispatcher_of_a_generator_function_makes_cpythons_generator():
    # A generator function reached as a plain dispatcher (python -m pyston, an argument)
    d = pyston.Dispatcher(running_sum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        g = d(4)
    assert list(g) == [0, 1, 3, 6]


def test_compiled_steps_are_native():
    fast = pyston.fast(running_sum)
    assert list(fast(5)) == list(running_sum(5))
    steps = fast._steps()
    assert [k for k, _ in steps] == [0, 1]
    for _, d in steps:
        assert d.signatures, "step compiled"


def test_many_generators_release_everything():
    fast = pyston.fast(float_steps)
    a = np.arange(10.0)
    before = sys.getrefcount(a)
    for _ in range(1000):
        g = fast(a)
        next(g)
        next(g)
        del g
    gc.collect()
    assert sys.getrefcount(a) == before
    gs = [fast(a) for _ in range(100)]
    for g in gs:
        next(g)
    del gs, g
    gc.collect()
    assert sys.getrefcount(a) == before


def test_memory_flat_over_many_generators():
    fast = pyston.fast(powers)
    for _ in range(20000):
        g = fast(3, 50)
        next(g)
    gc.collect()
    r0 = rss_bytes()
    for _ in range(500000):  # a million generators made and dropped
        g = fast(3, 50)
        next(g)
        next(g)
        g = fast(10**10, 5)
        for _ in g:
            pass
    gc.collect()
    assert rss_bytes() - r0 < 8 * 2**20


def pairs(n):
    p = (0, 0.0)
    for i in range(n):
        p = (p[0] + i, p[1] + 0.5)
        yield p


def grow(n):
    acc = []
    for i in range(n):
        acc.append(i * i)
        yield acc
    return len(acc)


def breaks(n):
    i = 0
    while True:
        i += 1
        if i % 2 == 0:
            continue
        if i > n:
            break
        yield i
    for j in range(n):
        if j == 3:
            return j * 100
        yield -j


SCALE = 3.0


def scaled(a):
    for x in a:
        yield x * SCALE


def spiral(n):
    z = 1 + 1j
    for _ in range(n):
        z = z * (0.5 + 0.5j)
        yield z


def positives(a):
    for i, x in enumerate(a):
        if x > 0:
            yield i, x


def test_tuples_lists_complex_enumerate_break_continue():
    for n in [0, 1, 5]:
        same_list(pairs, n)
        same_list(spiral, n)
        compare(breaks, (n + 6,), ["next"] * 12)
    same_list(positives, np.array([1.0, -1.0, 2.0, 0.0, 3.5]))
    same_list(scaled, np.arange(5.0))
    compare(grow, (3,), ["next"] * 5)


def test_consumer_sees_and_changes_shared_objects():
    global SCALE
    fast = pyston.fast(grow)
    g, h = fast(4), grow(4)
    for _ in range(3):
        got, want = next(g), next(h)
        assert got == want
        got.append(-1)
        want.append(-1)
    assert list(g) == list(h)
    # an array written by the consumer between steps, a global rebound between steps
    a, b = np.arange(6.0), np.arange(6.0)
    g, h = pyston.fast(scaled)(a), scaled(b)
    out = []
    try:
        for k in range(6):
            out.append((next(g), next(h)))
            a[k + 1 :] += 1.0
            b[k + 1 :] += 1.0
            if k == 2:
                SCALE = -0.5
    finally:
        SCALE = 3.0
    assert all(x == y and type(x) is type(y) for x, y in out)


def test_random_action_sequences(rng):
    """Random interleavings of next/send/throw/close on several generators."""
    choices = [
        "next",
        "next",
        "next",
        ("send", None),
        ("send", 2),
        ("send", -1.5),
        ("throw", ValueError("x")),
        ("throw", StopIteration),
        "close",
    ]
    cases = [
        (running_sum, (6,)),
        (accumulate, ()),
        (counter, (8,)),
        (two_yields, (1.25,)),
        (nested, (3, 4)),
        (powers, (2**40, 6)),
        (collatz, (27,)),
    ]
    for _ in range(60):
        fn, args = cases[int(rng.integers(len(cases)))]
        k = int(rng.integers(1, 12))
        actions = [choices[int(i)] for i in rng.integers(0, len(choices), k)]
        compare(fn, args, actions)


# ---------------------------------------------------------------------------
# compiled code iterating over a compiled generator: inlined into the loop
# ---------------------------------------------------------------------------


@pyston.fast
def g_windows(a, w):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += a[j]
        yield s / w


@pyston.fast
def g_upto(n):
    i = 0
    while True:
        if i >= n:
            return i
        x = yield i * i
        if x is not None:
            i = -x
        i += 1


@pyston.fast
def g_checked(a):
    for i in range(a.shape[0]):
        yield math.sqrt(a[i]) * 2  # ValueError for a negative element


def c_windows(a, w):
    total = 0.0
    for m in g_windows(a, w):
        total += m
    return total


def c_control(n, stop):
    t = 0
    k = 0
    for v in g_upto(n):
        k += 1
        if v % 3 == 0:
            continue
        if v > stop:
            break
        t += v
    else:
        t = -t
    return t, k


def c_nested(n):
    t = 0
    for a in g_upto(n):
        for b in g_upto(a % 5):
            t += a * b
    return t


def c_return_inside(a, limit):
    for v in g_checked(a):
        if v > limit:
            return v
    return -1.0


def test_compiled_consumer_inlines_the_generator(rng):
    from helpers import check

    a = rng.standard_normal(200)
    check(pyston.fast(c_windows), [(a, 1), (a, 7), (a, 200), (a[:3], 5), (np.empty(0), 1)])
    check(pyston.fast(c_control), [(n, s) for n in (0, 1, 5, 40) for s in (2, 50, 10**6)])
    check(pyston.fast(c_nested), [(n,) for n in (0, 1, 6, 20)])
    b = np.abs(rng.standard_normal(20))
    bad = b.copy()
    bad[7] = -1.0
    check(pyston.fast(c_return_inside), [(b, 1.0), (b, 100.0), (bad, 100.0), (bad, 0.5)])
    # inlined: no call into the generator object (pyston.fast consumers compile natively)
    f = pyston.fast(fallback=False)(c_windows)
    assert f(a, 4) == c_windows(a, 4)
    assert "g_windows" not in f.inspect_ir()


def _make_consumer(gen):
    def consumer(a, w):
        total = 0.0
        for m in gen(a, w):
            total += m
        return total

    return consumer


def test_compiled_consumer_inlines_a_generator_from_its_closure(rng):
    # the generator function is a closure variable of the consumer (made by a factory)
    a = rng.standard_normal(50)
    plain = _make_consumer(window_sums)
    for jit in (pyston.fast(fallback=False), pyston.njit):
        f = jit(_make_consumer(jit(window_sums)))
        for w in (1, 3, 50, 60):
            assert f(a, w) == plain(a, w)
        assert "window_sums" not in f.inspect_ir()
    # the cell rebound: the next call sees the new generator function (strict)
    cell_gen = pyston.fast(window_sums)
    def outer():
        def consumer(a, w):
            total = 0.0
            for m in cell_gen(a, w):
                total += m
            return total
        return consumer
    f = pyston.fast(fallback=False)(outer())
    assert f(a, 3) == plain(a, 3)
    cell_gen = pyston.fast(running_max_w)
    assert f(a, 3) == _make_consumer(running_max_w)(a, 3)


def running_max_w(a, w):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
        yield m * w


def test_inlined_generator_rebound_is_seen():
    global g_upto
    f = pyston.fast(c_nested)
    want = c_nested(7)
    assert f(7) == want
    saved = g_upto
    try:

        @pyston.fast
        def g_upto(n):  # noqa: F811 - rebinding the global on purpose
            for _ in range(n):
                yield 1

        assert f(7) == c_nested(7) != want
    finally:
        g_upto = saved
    assert f(7) == want


def safe_ratios(a, b):
    for i in range(a.shape[0]):
        try:
            r = a[i] / b[i]
        except ZeroDivisionError:
            r = -1.0
        yield r


def test_try_between_yields():
    a = np.array([1.0, 2.0, 3.0])
    b = [2.0, 0.0, 4.0]
    fast = pyston.fast(safe_ratios)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)  # (a list of floats argument)
        assert list(fast(a, b)) == list(safe_ratios(a, b))
    same_list(safe_ratios, a, np.array([2.0, 0.0, 4.0]))


@pyston.fast
def g_scaled(a, k):
    for x in a:
        yield x * k


def c_folds(n, a):
    return (
        sum(g_upto(n)),
        sum(g_scaled(a, 0.1)),
        max(g_upto(n + 1)),
        min(g_scaled(a, -1.0)),
        list(g_upto(n)),
        any(g_upto(n)),
        all(g_scaled(a, 2.0)),
    )


def c_max_empty(n):
    return max(g_upto(n))


def test_builtins_over_a_compiled_generator_inline_it(rng):
    from helpers import check

    a = rng.standard_normal(50)
    check(pyston.fast(c_folds), [(n, a[:m]) for n in (1, 4, 30) for m in (1, 2, 50)])
    check(pyston.fast(c_max_empty), [(0,), (3,)])
    f = pyston.fast(fallback=False)(c_folds)
    assert f(5, a) == c_folds(5, a)
    assert "g_upto" not in f.inspect_ir()


# ---------------------------------------------------------------------------
# compiled code iterating over a plain (undecorated) generator function of its
# module: inlined as a strict compiled generator would run
# ---------------------------------------------------------------------------


def p_windows(a, w):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += a[j]
        yield s / w


def p_upto(n):
    i = 0
    while True:
        if i >= n:
            return i
        x = yield i * i
        if x is not None:
            i = -x
        i += 1


def p_checked(a):
    for i in range(a.shape[0]):
        yield math.sqrt(a[i]) * 2  # ValueError for a negative element


def p_big(n):
    for i in range(n):
        yield (2**62 - 1) * i  # (the sum passes 64 bits: Python's int)


def p_items(a):
    for i in range(a.shape[0]):
        yield a[i]  # (np.float64 from a float64 array)


def pc_folds(n, a):
    return (
        sum(p_upto(n)),
        sum(p_windows(a, 2)),
        sum(p_items(a)),
        max(p_upto(n + 1)),
        min(p_windows(a, 1)),
        list(p_upto(n)),
        any(p_upto(n)),
        all(p_items(a)),
    )


def pc_loop(n, stop):
    t = 0
    k = 0
    for v in p_upto(n):
        k += 1
        if v % 3 == 0:
            continue
        if v > stop:
            break
        t += v
    else:
        t = -t
    return t, k


def pc_checked(a, limit):
    t = 0.0
    for v in p_checked(a):
        if v > limit:
            return v
        t += v
    return t


def pc_sum_checked(a):
    return sum(p_checked(a))


def pc_big(n):
    return sum(p_big(n)), max(p_big(n))


def pc_max_empty(n):
    return max(p_upto(n))


def test_compiled_consumer_inlines_a_plain_generator(rng):
    from helpers import check

    a = rng.standard_normal(60)
    check(pyston.fast(pc_folds), [(n, a[:m]) for n in (1, 4, 30) for m in (2, 3, 60)])
    check(pyston.fast(pc_folds), [(3, np.array([0.0, np.nan, -0.0]))])
    check(pyston.fast(pc_loop), [(n, s) for n in (0, 1, 5, 40) for s in (2, 50, 10**6)])
    b = np.abs(rng.standard_normal(20))
    bad = b.copy()
    bad[7] = -1.0
    check(pyston.fast(pc_checked), [(b, 1.0), (b, 100.0), (bad, 100.0), (bad, 0.5), (b[:0], 1.0)])
    check(pyston.fast(pc_sum_checked), [(b,), (bad,)])
    check(pyston.fast(pc_big), [(0,), (1,), (3,), (10,)])
    check(pyston.fast(pc_max_empty), [(0,), (3,)])  # (ValueError: max() arg is an empty sequence)
    # the sum of NumPy scalars stays CPython's: np.float64, added in order from int 0
    f = pyston.fast(fallback=False)(pc_folds)
    got, want = f(5, a), pc_folds(5, a)
    assert [type(x) for x in got] == [type(x) for x in want]
    assert type(got[2]) is np.float64 and got[2] == want[2]
    # inlined: no generator object, no call into Python per item
    assert "p_upto" not in f.inspect_ir() and "p_windows" not in f.inspect_ir()
    g = pyston.fast(fallback=False)(pc_loop)
    g(40, 10**6)
    c0 = pyston._pyston.pycall_count()
    g(40, 10**6)
    g(400, 10**6)
    assert pyston._pyston.pycall_count() == c0


def _frames(f, *args):
    try:
        f(*args)
    except Exception as e:  # noqa: BLE001 - compared
        out = []
        tb = e.__traceback__.tb_next
        while tb is not None:
            out.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
            tb = tb.tb_next
        return type(e).__name__, str(e), out
    return None


def test_plain_generator_inlined_raises_with_cpythons_frames():
    bad = np.array([1.0, 4.0, -1.0, 9.0])
    f = pyston.fast(fallback=False)(pc_sum_checked)
    want = _frames(pc_sum_checked, bad)
    assert want is not None and want[0] == "ValueError"
    assert _frames(f, bad) == want
    g = pyston.fast(fallback=False)(pc_checked)
    assert _frames(g, bad, 100.0) == _frames(pc_checked, bad, 100.0)
    # (a compiled generator inlined: its frame too)
    h = pyston.fast(fallback=False)(c_return_inside)
    want = _frames(c_return_inside, bad, 100.0)
    assert [n for n, _ in want[2]] == ["c_return_inside", "g_checked"]
    assert _frames(h, bad, 100.0) == want


def test_plain_generator_rebound_or_not_inlinable():
    global p_items
    f = pyston.fast(fallback=False)(pc_folds)
    a = np.arange(1.0, 5.0)
    want = pc_folds(3, a)
    assert f(3, a) == want
    saved = p_items
    try:

        def p_items(a):  # noqa: F811 - rebinding the global on purpose
            for i in range(a.shape[0]):
                yield -a[i]

        assert f(3, a) == pc_folds(3, a) != want
    finally:
        p_items = saved
    assert f(3, a) == want
    # Numba semantics (njit): a plain generator is not inlined (Numba wants it `njit` too)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        with pytest.raises(pyston.CompileError, match="p_upto"):
            pyston.njit(pc_loop)(5, 100)
    # a generator function made by a factory (a closure): runs as plain Python
    h = pyston.fast(_sum_of_made)
    with pytest.warns(pyston.PerformanceWarning):
        assert h(4) == _sum_of_made(4)


def _make_gen(k):
    def gen(n):
        for i in range(n):
            yield i * k

    return gen


made_gen = _make_gen(3)


def _sum_of_made(n):
    return sum(made_gen(n))


# ---------------------------------------------------------------------------
# fuzzed generators: the fuzzer's random functions with a `yield` after each assignment
# ---------------------------------------------------------------------------


def _with_yields(source):
    """`source` with `yield name` after every assignment to a name in `f`
    (outside `try` statements and nested functions), or None if none."""
    import ast

    tree = ast.parse(source)
    count = 0

    def walk(body):
        nonlocal count
        out = []
        for s in body:
            for field in ("body", "orelse"):
                if isinstance(s, (ast.For, ast.While, ast.If)):
                    setattr(s, field, walk(getattr(s, field)) or [ast.Pass()])
            out.append(s)
            target = None
            simple = isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
            # (not a lambda, nor an iterator object such as `enumerate(...)`,
            # whose value is compared by its repr, an address)
            iterator = (
                simple
                and isinstance(s.value, ast.Call)
                and isinstance(s.value.func, ast.Name)
                and s.value.func.id in ("zip", "enumerate", "reversed", "iter")
            )
            if simple and not isinstance(s.value, ast.Lambda) and not iterator:
                target = s.targets[0].id
            elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
                target = s.target.id
            if target is not None:
                count += 1
                out.append(ast.Expr(ast.Yield(ast.Name(target, ast.Load()))))
        return out

    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "f":
            node.body = walk(node.body)
    if count == 0:
        return None
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _drive(gen_fn, args, cap=400):
    sys.path.insert(0, _FUZZ_DIR)
    try:
        from run import canon
    finally:
        sys.path.remove(_FUZZ_DIR)
    out = []

    def canon_(v):
        c = canon(v)
        return c[:1] if c[0] == "builtins.object" else c  # (object(): compared by type)

    try:
        g = gen_fn(*args)
        for _ in range(cap):
            out.append(canon_(next(g)))
    except StopIteration as e:
        out.append(("stop", canon_(e.value)))
    except Exception as e:  # noqa: BLE001 - compared
        out.append(("raise", type(e).__name__, str(e)))
    return out


_FUZZ_DIR = __import__("os").path.join(__import__("os").path.dirname(__file__), "fuzz")


# The fuzzer's programs use NumPy 2 names (np.bool), as test_fuzz.py does.
_NUMPY2 = pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0", reason="the fuzzer writes NumPy 2 names")


@_NUMPY2
def test_fuzzed_generators(tmp_path):
    import copy
    import importlib.util

    sys.path.insert(0, _FUZZ_DIR)
    try:
        import gen as fuzz_gen
    finally:
        sys.path.remove(_FUZZ_DIR)
    env = {"np": np, "math": math, "nan": math.nan, "inf": math.inf}
    checked = 0
    for seed in range(1, 401):
        prog = fuzz_gen.generate(seed)
        src = _with_yields(prog.source)
        if src is None or "try:" in src:
            continue
        path = tmp_path / f"fzg_{seed}.py"
        path.write_text(src)
        spec = importlib.util.spec_from_file_location(f"fzg_{seed}", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        try:
            spec.loader.exec_module(mod)
            fast = pyston.fast(mod.f)
            for a_src in prog.args:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    args = eval(a_src, env)  # noqa: S307 - the fuzzer's own argument source
                    want = _drive(mod.f, copy.deepcopy(args))
                    got = _drive(fast, copy.deepcopy(args))
                assert got == want, f"seed {seed}, args {a_src}:\n{src}"
                checked += 1
        finally:
            sys.modules.pop(spec.name, None)
    assert checked > 200


def with_object(n):
    o = object()
    yield n
    yield o is not None
    yield n + 1


def test_live_values_compiled_code_cannot_take_run_steps_on_the_interpreter():
    # (a second generator used to deadlock on the dispatcher's lock)
    fast = pyston.fast(with_object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        for n in range(3):
            assert list(fast(n)) == list(with_object(n))


@_NUMPY2
def test_fuzzed_generators_inlined_into_compiled_loops(tmp_path):
    """The fuzzed generators driven by a `for` loop in a compiled function (inlined where possible)."""
    import ast
    import copy
    import importlib.util

    sys.path.insert(0, _FUZZ_DIR)
    try:
        import gen as fuzz_gen
        from run import canon
    finally:
        sys.path.remove(_FUZZ_DIR)
    env = {"np": np, "math": math, "nan": math.nan, "inf": math.inf}
    checked = 0
    for seed in range(1, 201):
        prog = fuzz_gen.generate(seed)
        src = _with_yields(prog.source)
        if src is None or "try:" in src:
            continue
        params = [a.arg for a in ast.parse(src).body[-1].args.args]
        ps = ", ".join(params)
        src += (
            "\n\nimport pyston\n\nfg = pyston.fast(f)\n\n\n"
            f"def consume({ps}):\n    out = []\n    for v in fg({ps}):\n        out.append(v)\n    return out\n"
        )
        path = tmp_path / f"fzc_{seed}.py"
        path.write_text(src)
        spec = importlib.util.spec_from_file_location(f"fzc_{seed}", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        try:
            spec.loader.exec_module(mod)
            fast = pyston.fast(mod.consume)
            for a_src in prog.args:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    args = eval(a_src, env)  # noqa: S307 - the fuzzer's own argument source
                    results = []
                    for fn in (lambda *a: list(mod.f(*a)), fast):
                        try:
                            r = ("ok", [c[:1] if c[0] == "builtins.object" else c for c in map(canon, fn(*copy.deepcopy(args)))])
                        except Exception as e:  # noqa: BLE001 - compared
                            r = ("raise", type(e).__name__, str(e))
                        results.append(r)
                assert results[0] == results[1], f"seed {seed}, args {a_src}:\n{src}"
                checked += 1
        finally:
            sys.modules.pop(spec.name, None)
    assert checked > 100


# A variable bound on both sides of an `if` to functions (`math` functions,
# compiled functions, plain functions) and live across yields. Where the two
# are of different kinds the step that joins them runs on the interpreter
# tier; where the same compile-time value joins, a step that leaves compiled
# code (a yield whose state goes back boxed, an int leaving 64 bits) boxes
# it from the join. (The fuzzer found `math.fabs` lost there: the next step
# raised UnboundLocalError.)
_JOINED_FUNCS = """
import math

import pyston


def fc5(p0):
    return p0 * p0


@pyston.fast
def fcomp(p0):
    return p0 * 0.5 + 1.0


def plain(p0):
    return p0 - 2.0


def h1(v4):
    if v4 > 0:
        fx = {a}
        yield 1.0
    else:
        fx = {b}
        yield 2.0
    w = 5.0
    for i in range(3):
        w = fx(w) + 0.25
        yield w


def h2(v4):
    if v4 > 0:
        fx = {a}
    else:
        fx = {b}
    yield 2.0
    w = 5.0
    for i in range(3):
        w = fx(w) + 0.25
        yield w


def h3(v4):
    if v4 > 0:
        fx = {a}
        yield 1.0
    else:
        fx = {b}
        yield 2.0
    yield fx(3.0)
    yield fx(4.0)


def h4(v4, n):
    if v4 > 0:
        fx = {a}
    else:
        fx = {b}
    k = 1
    for i in range(n):
        k = k * 1000
        yield fx(float(i) + 0.5), k
    yield fx


def h5(v4):
    if v4 > 0:
        fx = {a}
        yield fx
    else:
        fx = {b}
        yield fx
    w = 5.266
    for i in range(3):
        w = fx(abs(w) + i) + 0.25
        yield w


def f6(v4, n):
    if v4 > 0:
        fx = {a}
    else:
        fx = {b}
    k = 1
    for i in range(n):
        k = k * 1000
    return fx(3.0), k
"""


def _fn_val(v):
    # (a function yielded: the plain one, whatever tier ran the step)
    if callable(v) and not isinstance(v, (np.ndarray, np.generic)):
        return ("function", getattr(v, "__name__", repr(v)))
    if isinstance(v, tuple):
        return tuple(_fn_val(x) for x in v)
    return _val(v)


def _fn_transcript(gen, n=10):
    out = []
    try:
        for _ in range(n):
            out.append(("yield", _fn_val(next(gen))))
    except StopIteration as e:
        out.append(("stop", _fn_val(e.value)))
    except Exception as e:  # noqa: BLE001 - compared
        out.append(_exc(e))
    return out


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("math.fabs", "fc5"),
        ("math.sqrt", "plain"),
        ("fcomp", "math.fabs"),
        ("math.fabs", "math.sqrt"),
        ("math.fabs", "math.fabs"),
        ("fc5", "plain"),
        ("fcomp", "fc5"),
        ("plain", "math.sqrt"),
    ],
)
def test_function_variables_joined_across_yields(tmp_path, a, b):
    import importlib.util

    name = "joined_{}_{}".format(a.replace(".", "_"), b.replace(".", "_"))
    path = tmp_path / f"{name}.py"
    path.write_text(_JOINED_FUNCS.format(a=a, b=b))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pyston.PerformanceWarning)
            for gname, args in [("h1", ()), ("h2", ()), ("h3", ()), ("h4", (9,)), ("h5", ())]:
                plain, fast = getattr(mod, gname), pyston.fast(getattr(mod, gname))
                for v in (1.0, -1.0):
                    want = _fn_transcript(plain(v, *args))
                    got = _fn_transcript(fast(v, *args))
                    assert got == want, f"{gname}({v}) with {a} / {b}"
                    assert list(fast(v, *args)) == list(plain(v, *args))
            fast6 = pyston.fast(mod.f6)
            for v in (1.0, -1.0):
                for n in (2, 9):
                    assert fast6(v, n) == mod.f6(v, n), f"f6({v}, {n}) with {a} / {b}"
    finally:
        sys.modules.pop(name, None)


# ---------------------------------------------------------------------------
# native suspended state: the live values stay as slots between steps, the
# next step is a direct call of its compiled entry
# ---------------------------------------------------------------------------


def running_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
        yield m


def window_means(a, w):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += a[j]
        yield s / w


def walk_view(a, k):
    b = a[k:]
    for i in range(b.shape[0]):
        yield b[i] * 2.0
    return b.shape[0]


def walk_rows(a):
    for i in range(a.shape[0]):
        yield a[i]


def fill(a):
    for i in range(a.shape[0]):
        a[i] = i * 1.5
        yield i


def list_sum(xs):
    for i in range(len(xs)):
        yield xs[i] + 1.0


def big_pairs(n):
    p = (2**70, 1)
    for i in range(n):
        p = (p[0] * 3, p[1] + i)
        yield p


def big_and_small(base, n):
    x = 1
    y = 0.5
    for _ in range(n):
        x *= base
        y += 1.0
        yield x
        yield y


def rebinds_big(n):
    x = 2**70
    for _ in range(n):
        y = x
        x = x * 3
        yield y


def native(g):
    return g._state == "native"


def test_native_state_many_steps(rng):
    for n in [1, 2, 3, 50, 3000]:
        a = rng.standard_normal(n)
        fast = pyston.fast(fallback=False)(running_max)
        g = fast(a)
        first = next(g)
        assert native(g)
        got = [first] + list(g)
        want = list(running_max(a))
        assert [_val(x) for x in got] == [_val(x) for x in want]
        assert g._state == "finished"
        if n >= 40:
            w = 1 + n // 10
            same_list(window_means, a, w)
            compare(window_means, (a, w), ["next"] * (n - w + 3))
    # edge values: NaN, infinities, signed zeros
    a = np.array([-0.0, 0.0, np.nan, 1.0, np.inf, -np.inf, 5e-324, np.nan])
    same_list(running_max, a)
    same_list(window_means, a, 3)


def test_native_state_every_driver_action(rng):
    # next/send(None) stay native; send(value), throw and close as CPython
    for acts in [
        ["next", ("send", None), "next", "close", "next", ("send", None)],
        ["next", "next", ("throw", ValueError("stop here")), "next"],
        ["next", ("throw", StopIteration), "next"],
        ["next", ("send", 3.5), "next"],
        [("send", None), "next", "close", "close"],
    ]:
        compare(running_max, (rng.standard_normal(8),), acts)
        compare(accumulate, (), ["next", ("send", 2), "next", ("send", None), "next"])
        compare(counter, (6,), ["next", ("send", 3), ("send", None), "next", ("send", 1), "next"])


def test_native_state_arrays_changed_between_steps():
    fast = pyston.fast(fallback=False)(running_max)
    # reshaped in place: the next step sees the new shape (as CPython's generator does)
    for change in [
        lambda a: a.shape.__class__,  # nothing
        lambda a: setattr(a, "shape", (a.size,)),
        lambda a: a.__setitem__(slice(None), a[::-1].copy()),
    ]:
        a, b = np.arange(12.0), np.arange(12.0)
        g, h = fast(a), running_max(b)
        out = []
        for _ in range(12):
            out.append((_val(next(g)), _val(next(h))))
            change(a)
            change(b)
        assert all(x == y for x, y in out)
    # a 2-D array reshaped to other dimensions between steps: rows of the new shape
    a, b = np.arange(12.0).reshape(3, 4), np.arange(12.0).reshape(3, 4)
    g, h = pyston.fast(walk_rows)(a), walk_rows(b)
    assert _val(next(g)) == _val(next(h))
    a.shape = (4, 3)
    b.shape = (4, 3)
    assert [_val(x) for x in g] == [_val(x) for x in h]
    # made read-only between steps: the write raises CPython's ValueError
    a, b = np.zeros(4), np.zeros(4)
    compare_two = []
    for arr, gen in [(a, pyston.fast(fill)(a)), (b, fill(b))]:
        rec = [next(gen)]
        arr.flags.writeable = False
        try:
            rec.append(next(gen))
        except ValueError as e:
            rec.append(_exc(e))
        compare_two.append((rec, arr.tobytes()))
    assert compare_two[0] == compare_two[1]


def window_sums(a, w):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += a[j]
        yield s


def test_bounds_facts_in_steps_hold_after_arrays_shrink():
    # The steps get the bounds pass: the inner loop's accesses are unchecked
    # behind a guard before that loop. The outer range was taken from the
    # array's first length; shrinking the array in place between steps makes
    # a later step read past its end: CPython's IndexError at the same step.
    fast = pyston.fast(fallback=False)(window_sums)
    for shrink_to, after in [(9, 2), (5, 0), (12, 3), (3, 1)]:
        results = []
        for gen_fn in (fast, window_sums):
            a = np.arange(12.0)
            g = gen_fn(a, 3)
            rec = []
            try:
                for k in range(12):
                    rec.append(_val(next(g)))
                    if k == after:
                        a.resize((shrink_to,), refcheck=False)
            except (IndexError, StopIteration) as e:
                rec.append(_exc(e))
            results.append(rec)
        assert results[0] == results[1], (shrink_to, after)


def test_native_state_views_and_lists():
    a = np.arange(10.0)
    for k in [0, 3, 9, 10]:
        compare(walk_view, (a, k), ["next"] * 12)
    g = pyston.fast(walk_view)(np.arange(6.0), 2)
    next(g)
    assert native(g)
    # a list mutated by the consumer between steps (types change: as CPython)
    xs, ys = [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]
    g, h = pyston.fast(list_sum)(xs), list_sum(ys)
    out = [(_val(next(g)), _val(next(h)))]
    xs[2] = 7
    ys[2] = 7
    out += [(_val(next(g)), _val(next(h)))]
    xs.append("x")
    ys.append("x")
    for _ in range(3):
        out.append((transcript(g, ["next"]), transcript(h, ["next"])))
    assert all(x == y for x, y in out)


def test_native_state_big_ints_and_tuples_kept_alive():
    compare(big_pairs, (6,), ["next"] * 8)
    # the yielded value is the object the state held before the step
    compare(rebinds_big, (6,), ["next"] * 8)
    compare(big_and_small, (10**10, 5), ["next"] * 12)
    compare(big_and_small, (3, 50), ["next"] * 102)
    fast = pyston.fast(big_pairs)
    g = fast(4)
    first = next(g)
    del first
    gc.collect()
    assert [_val(x) for x in g] == [_val(x) for x in list(big_pairs(4))[1:]]


def test_native_state_deopt_mid_step_then_native_again():
    # an int overflowing 64 bits in the middle of a step: the interpreter tier
    # finishes it; the steps after run compiled again
    fast = pyston.fast(powers)
    g, h = fast(3, 60), powers(3, 60)
    states = []
    for _ in range(60):
        assert _val(next(g)) == _val(next(h))
        states.append(g._state)
    assert "native" in states[:39] and states[-1] == "native"
    assert transcript(g, ["next"]) == transcript(h, ["next"])


def test_native_state_running_flag():
    # between native steps the generator is not running; a step entered again
    # from inside itself raises (test_reentrance_raises_already_executing)
    g = pyston.fast(running_sum)(4)
    seen = [(x, g.gi_running, g._state) for x in g]
    assert seen == [(0, False, "native"), (1, False, "native"), (3, False, "native"), (6, False, "native")]
    assert g._state == "finished"


def test_native_state_abandoned_generators_release_everything():
    fast = pyston.fast(fallback=False)(walk_view)
    a = np.arange(50.0)
    big = 2**80
    before_a, before_big = sys.getrefcount(a), sys.getrefcount(big)
    bp = pyston.fast(big_and_small)
    for _ in range(2000):
        g = fast(a, 3)
        next(g)
        next(g)
        h = bp(big, 5)
        next(h)
        next(h)
        del g, h
    gc.collect()
    assert sys.getrefcount(a) == before_a
    assert sys.getrefcount(big) == before_big


def test_native_state_memory_flat():
    fast = pyston.fast(fallback=False)(running_max)
    a = np.arange(64.0)
    for _ in range(20000):
        g = fast(a)
        next(g)
    gc.collect()
    r0 = rss_bytes()
    for i in range(1_000_000):  # a million generators, consumed part of the way
        g = fast(a)
        next(g)
        if i % 3 == 0:
            next(g)
            next(g)
    del g
    gc.collect()
    assert rss_bytes() - r0 < 8 * 2**20


# ---- a yield inside a loop over a dict, a set or a list -----------------------
# (the loop's iterator and trip count reach its header through block
# parameters when the body yields: the loop test must still see them)


def yield_in_dict_loop(d):
    v = 2
    for k in d:
        v += k * 3
        yield v
    for k, x in d.items():
        yield k - x
    yield v


def yield_in_set_and_list_loops(s, xs):
    t = 0
    for x in s:
        t += x
        yield t
    for x in xs:
        yield x * 2
        xs.append(x) if len(xs) < 6 else None
    yield len(xs)


@pytest.mark.parametrize("d", [{}, {0: 0}, {0: 0, 3: 2, 4: 1}, {k: -k for k in range(9)}])
def test_yield_inside_dict_loops(d):
    fast = pyston.fast(yield_in_dict_loop)
    assert _drive(fast, (dict(d),)) == _drive(yield_in_dict_loop, (dict(d),))


def test_yield_inside_set_and_list_loops():
    fast = pyston.fast(yield_in_set_and_list_loops)
    for s, xs in [(set(), []), ({1, 5, 9}, [1, 2]), ({-3}, [4, 5, 6, 7])]:
        assert _drive(fast, (set(s), list(xs))) == _drive(yield_in_set_and_list_loops, (set(s), list(xs)))


def str_and_array_steps(a, s, n):
    t = s
    for i in range(n):
        t = t + s[i % len(s)]
        yield a[i % a.shape[0]] + len(t), t


def test_native_state_updated_in_place_at_the_same_yield():
    # Each step stops at the `yield` the state is at already: its data copied
    # in place, the string (a new object each step) held instead of the old
    # one, the array kept while its slots are the same (the consumer writing
    # its elements between steps), an array rebound in the step (a view of
    # another shape each step) taken by the general path; the values, types
    # and every object's references as CPython's.
    a, b = np.arange(12.0), np.arange(12.0)
    s = "ab" + str(len(a))
    before = sys.getrefcount(s)
    fast = pyston.fast(fallback=False)(str_and_array_steps)
    g, h = fast(a, s, 40), str_and_array_steps(b, s, 40)
    out = []
    for i in range(40):
        x, y = next(g), next(h)
        assert _val(x) == _val(y) and type(x[0]) is type(y[0])
        assert g._state == "native"
        if i == 10:
            for arr in (a, b):
                arr[:] = -arr  # same slots: kept
        out.append(x[1])
    assert out == [y for _, y in str_and_array_steps(np.arange(12.0), s, 40)]
    assert transcript(g, ["next"]) == transcript(h, ["next"])
    del g, h, out, x, y
    gc.collect()
    assert sys.getrefcount(s) == before
    v = np.arange(30.0)
    before = sys.getrefcount(v)
    g, h = pyston.fast(fallback=False)(shrinking)(v, 25), shrinking(v.copy(), 25)
    for _ in range(25):
        assert _val(next(g)) == _val(next(h))
        assert g._state == "native"
    assert transcript(g, ["next"]) == transcript(h, ["next"])
    del g, h
    gc.collect()
    assert sys.getrefcount(v) == before


def shrinking(a, n):
    for i in range(n):
        a = a[1:]
        yield a[0] + i, a.shape[0]


def dividing_steps(a, d):
    s = 0.0
    for i in range(a.shape[0] + 2):
        s += float(a[i]) / float(d[i])
        yield s


def _raised_where(g):
    """The exception a generator raises once run to its end, and the last
    traceback frame's (file, line, function)."""
    import traceback

    try:
        for _ in g:
            pass
    except Exception as e:  # noqa: BLE001 - compared
        f = traceback.extract_tb(e.__traceback__)[-1]
        return type(e).__name__, str(e), (f.filename, f.lineno, f.name)
    return None


def test_native_step_exceptions_point_at_the_users_line():
    # a step resumed from native state that raises (a division by zero, an
    # index past the end): CPython's exception, with the generator's own line
    # last in the traceback; the generator is finished afterwards
    fast = pyston.fast(fallback=False)(dividing_steps)
    for d in (np.array([1.0, 2.0, 0.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0])):
        a = np.arange(4.0)
        g = fast(a, d)
        assert _val(next(g)) == _val(next(dividing_steps(a, d)))
        assert g._state == "native"
        want = _raised_where(dividing_steps(a, d))
        assert want is not None and _raised_where(g) == want
        assert g._state == "finished"
        with pytest.raises(StopIteration):
            next(g)


def _gen_unbound_receiver(n, z):
    for i in range(n):
        if i == 2:
            lst = [0]
        lst.append(i // z)  # `lst` unbound raises before `i // z` runs
        yield len(lst)


def test_generator_unbound_receiver_raises_before_the_argument():
    fast = pyston.fast(_gen_unbound_receiver)

    def outcome(g, *args):
        try:
            return ("ok", list(g(*args)))
        except Exception as e:  # noqa: BLE001
            return (type(e), str(e))

    for args in [(0, 1), (2, 1), (3, 1), (3, 0), (1, 0)]:
        assert outcome(fast, *args) == outcome(_gen_unbound_receiver, *args), args


# ---------------------------------------------------------------------------
# a yielded number's object yielded again while its value stays (running maxima)
# ---------------------------------------------------------------------------


def g_running_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
        yield m


def g_running_max_py(xs):
    m = xs[0]
    for i in range(len(xs)):
        x = xs[i]
        if x > m:
            m = x
        yield m


def g_same_then_other(a):
    # two yields of one type: each has its own last object
    for i in range(a.shape[0]):
        x = a[i]
        yield x
        yield x * 2


def g_int_steps(n, big):
    k = 1
    for i in range(n):
        if i % 3 == 0:
            k = k * big
        yield k


@pytest.mark.parametrize(
    "a",
    [
        np.array([1.0, 0.5, 3.0, 3.0, -1.0, 7.5, 7.5, 2.0]),
        np.array([0.0, -0.0, -0.0, 0.0, -0.0]),
        np.array([-0.0, 0.0, -0.0]),
        np.array([np.nan, 1.0, np.nan, np.inf]),
        np.array([1.0, np.nan, 2.0, -np.inf, np.inf]),
        np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64),
        np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int32),
        np.array([2.5, 1.0, 2.5, 9.0], dtype=np.float32),
        np.array([True, False, True]),
        np.array([5.0]),
    ],
)
def test_repeated_yielded_numbers(a):
    compare(g_running_max, (a,), actions=("next",) * (len(a) + 2))
    compare(g_same_then_other, (a,), actions=("next",) * (2 * len(a) + 2))


def test_repeated_yielded_numbers_python_scalars_and_big_ints(rng):
    for xs in ((1.5, 0.5, 2.0, 2.0, -0.0), (3, 1, 4, 4, 2**62, 5), (0.0, -0.0, -0.0)):
        compare(g_running_max_py, (xs,), actions=("next",) * (len(xs) + 2))
    for big in (2, 3, 10**6, 2**40, -(2**40)):
        compare(g_int_steps, (12, big), actions=("next",) * 14)
    a = rng.standard_normal(200)
    fast = pyston.fast(g_running_max)
    got, want = list(fast(a)), list(g_running_max(a))
    assert [(type(x), x) for x in got] == [(type(x), x) for x in want]
    # send, close and an interleaved second generator midway
    g1, g2 = fast(a), fast(a[::-1].copy())
    p1, p2 = g_running_max(a), g_running_max(a[::-1].copy())
    for k in range(50):
        if k % 7 == 3:
            assert _val(g1.send(None)) == _val(p1.send(None))
        assert _val(next(g1)) == _val(next(p1))
        assert _val(next(g2)) == _val(next(p2))
    g1.close()
    with pytest.raises(StopIteration):
        next(g1)
    assert _val(next(g2)) == _val(next(p2))


def test_repeated_yielded_numbers_stay_what_they_were():
    # a value the consumer kept is not changed by later steps
    a = np.array([1.0, 1.0, 2.0, 2.0, 0.5, 3.0])
    fast = pyston.fast(g_running_max)
    kept = []
    for x in fast(a):
        kept.append(x)
    assert [float(x) for x in kept] == [1.0, 1.0, 2.0, 2.0, 2.0, 3.0]
    assert all(type(x) is np.float64 for x in kept)
