"""Nested functions and lambdas that do not escape: inlined at their calls,
differential against plain Python (value, type, exceptions, argument mutation),
and compiled natively (no fallback warning)."""

import math

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, native, rng_for


@pyston.fast
def lambda_scale(a, k):
    f = lambda x: x * k + 1.0  # noqa: E731
    s = 0.0
    for i in range(len(a)):
        s += f(a[i])
    return s


@pyston.fast
def nested_def(a, lo, hi):
    def clip(x):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x

    out = np.empty_like(a)
    for i in range(len(a)):
        out[i] = clip(a[i])
    return out


@pyston.fast
def helper_with_loop(n):
    def tri(m):
        t = 0
        for j in range(m):
            t += j
        return t

    s = 0
    for i in range(n):
        s += tri(i)
    return s


@pyston.fast
def helpers_calling_helpers(x, y):
    def sq(v):
        return v * v

    def norm(a, b):
        return math.sqrt(sq(a) + sq(b))

    return norm(x, y), sq(x)


@pyston.fast
def capture_read_at_call_time(n):
    k = 1
    f = lambda x: x + k  # noqa: E731
    a = f(10)
    k = 100
    b = f(10)
    return a, b, n


@pyston.fast
def same_local_names(x):
    t = 5

    def g(x):
        t = x * 2  # its own `t`
        return t

    return g(x) + t


@pyston.fast
def no_return_value(a):
    def bump(i):
        a[i] += 1

    for i in range(len(a)):
        bump(i)
    r = bump(0)
    return r


@pyston.fast
def raising_helper(x):
    def check(v):
        if v < 0:
            raise ValueError("negative")
        return v * 2

    try:
        return check(x)
    except ValueError:
        return -1


@pyston.fast
def raises_through(x):
    f = lambda v: 10 // v  # noqa: E731
    return f(x)


def test_lambdas_and_defs():
    rng = rng_for("closures")
    for n in [0, 1, 7, 50]:
        a = rng.normal(size=n)
        assert_same(lambda_scale, a, 2.5)
        assert_same(lambda_scale, a, 3)
        assert_same(nested_def, a, -0.5, 0.5)
    assert_same_all(helper_with_loop, [(0,), (1,), (10,)])
    assert_same_all(helpers_calling_helpers, [(3.0, 4.0), (1, 2), (-2, 0.5)])
    assert_same_all(capture_read_at_call_time, [(0,)])
    assert_same_all(same_local_names, [(1,), (4.5,)])
    assert_same(no_return_value, np.arange(5))
    assert_same_all(raising_helper, [(3,), (-3,)])
    assert_same_all(raises_through, [(3,), (0,)])


@pyston.fast
def uses_as_value(a):
    f = lambda x: x + 1  # noqa: E731
    g = f
    return g(a)


@pyston.fast
def recursive_inner(n):
    def fact(m):
        if m <= 1:
            return 1
        return m * fact(m - 1)

    return fact(n)


@pyston.fast
def conditional_def(c, x):
    if c:

        def g(v):
            return v + 1

        return g(x)
    return x


@pytest.mark.parametrize(
    "fn, args, why",
    [
        (recursive_inner, (5,), "not supported yet"),
        (conditional_def, (True, 2), "not supported yet"),
    ],
)
def test_unsupported_fall_back_with_a_reason(fn, args, why):
    with pytest.warns(pyston.PerformanceWarning, match=why):
        r = fn(*args)
    assert r == fn.py_func(*args)


# --------------------------------------------------------------------------
# functions as values: compiled and plain functions passed as arguments
# --------------------------------------------------------------------------


@pyston.fast
def fsq(x):
    return x * x


@pyston.fast
def fcube(x):
    return x * x * x


def fplain(x):
    return x + 0.5


def fplain_raises(x):
    if x > 3:
        raise ValueError("too big: " + str(x))
    return x


@pyston.fast
def apply_sum(f, a):
    s = 0.0
    for i in range(len(a)):
        s += f(a[i])
    return s


@pyston.fast
def apply_pair(fs, x):
    return fs[0](x) + fs[1](x)


@pyston.fast
def apply_local(f, x):
    g = f
    return g(x) * 10


@pyston.fast
def apply_catch(f, n):
    bad = 0
    s = 0
    for i in range(n):
        try:
            s += f(i)
        except ValueError:
            bad += 1
    return s, bad


def test_function_arguments():
    rng = rng_for("funcargs")
    for n in [0, 1, 9]:
        a = rng.normal(size=n)
        for f in (fsq, fcube, fplain):
            assert_same(apply_sum, f, a)
    assert_same_all(apply_pair, [((fsq, fcube), 3), ((fcube, fplain), 2.5), ((fsq, fsq), 2**40)])
    assert_same_all(apply_local, [(fsq, 7), (fplain, 1.5), (fcube, 2**30)])
    assert_same_all(apply_catch, [(fplain_raises, 0), (fplain_raises, 8), (fsq, 5)])
    # one specialization per function passed: the type key includes its identity
    assert len(apply_sum.signatures) >= 3


# ---- functions passed as arguments, inlined at the parameter's calls ---------
# (the specialization's key holds the function by identity; a function that may
# be inlined as a module-level one would be is inlined at `f(...)`)

SCALE = 3


def g_poly(x):
    return (x * 0.5 + 1.0) * x - 2.0


def g_global(x):
    return x * SCALE + 1  # a global of this module, read when the call runs


def g_branchy(x):
    if x < 0:
        return -x
    return x // 2


def g_raises(x):
    return 10 // x


def g_loop(n):
    t = 0
    for k in range(n):
        t += k * k
    return t


@pyston.fast
def apply_each(f, a):
    s = 0
    for i in range(len(a)):
        s += f(a[i])
    return s


@pyston.fast
def apply_ints(f, xs):
    out = []
    for x in xs:
        out.append(f(x))
    return out


@pyston.fast
def apply_twice(f, x):
    return f(f(x))


@pyston.fast
def apply_rebound(f, x):
    y = f(x)
    f = g_branchy  # the parameter is rebound: its calls stay calls
    return y + f(x)


def _apply_tb(f, xs):
    s = 0
    for x in xs:
        s += f(x)
    return s


def test_function_arguments_inlined():
    rng = rng_for("funcargs-inlined")
    for n in (0, 1, 7):
        a = rng.normal(size=n)
        assert_same(apply_each, g_poly, a)
        assert_same(apply_each, fsq, a)
        ints = rng.integers(-50, 50, n)
        assert_same(apply_each, g_branchy, ints)
        assert_same(apply_each, g_global, ints)
    xs = [0, 1, -3, 2**62, -(2**63), 7]
    for f in (g_branchy, g_global, g_poly):
        assert_same(apply_ints, f, xs)
    assert_same_all(apply_ints, [(g_loop, [0, 3, 100]), (g_raises, [5, 3, 0, 1]), (g_raises, [2**70, -7])])
    assert_same_all(apply_twice, [(g_branchy, 9), (g_poly, 0.25), (g_global, 2**61), (fcube, 3)])
    assert_same_all(apply_rebound, [(g_poly, 4.0), (fsq, -3), (g_global, 5)])
    # the same compiled function with another function: another specialization, another result
    a = np.arange(6.0)
    assert apply_each(g_poly, a) == apply_each.py_func(g_poly, a)
    assert apply_each(fsq, a) == apply_each.py_func(fsq, a)


def test_function_argument_is_inlined():
    # the call of the parameter is gone from the typed IR when it is inlined,
    # and stays when the parameter is rebound
    d = pyston.fast(apply_each.py_func, fallback=False)
    d(g_poly, np.arange(3.0))
    assert "= call v0" not in d.inspect_types()
    d = pyston.fast(apply_rebound.py_func, fallback=False)
    d(g_poly, 2.0)
    assert "= call v0" in d.inspect_types()


def test_function_argument_reads_globals_when_called():
    global SCALE
    xs = np.arange(5)
    try:
        assert apply_each(g_global, xs) == apply_each.py_func(g_global, xs)
        SCALE = -11
        assert apply_each(g_global, xs) == apply_each.py_func(g_global, xs) == -11 * 10 + 5
    finally:
        SCALE = 3


def test_function_argument_inlined_traceback():
    fast = pyston.fast(_apply_tb, fallback=False)
    for xs in ([3, 2, 1], [4, 0, 2], [-7, 0]):
        assert _frames(fast, g_raises, xs) == _frames(_apply_tb, g_raises, xs)


def test_lambda_argument_runs_exactly():
    a = np.arange(4.0)
    with pytest.warns(pyston.PerformanceWarning, match="function"):
        r = apply_sum(lambda x: x - 1, a)
    assert r == apply_sum.py_func(lambda x: x - 1, a)


# --------------------------------------------------------------------------
# lambdas as the key= of sorted, min, max and list.sort: CPython's own
# function, made with the values the lambda reads
# --------------------------------------------------------------------------


@pyston.fast
def sort_by_key(pairs, c, rev):
    by_second = sorted(pairs, key=lambda t: t[1])
    near = sorted([p[0] for p in pairs], key=lambda v: abs(v - c), reverse=rev)
    hi, lo = max(pairs, key=lambda t: t[0] * c), min(pairs, key=lambda t: (t[1], -t[0]))
    return by_second, near, hi, lo


@pyston.fast
def sort_in_place(xs, k):
    ys = list(xs)
    ys.sort(key=lambda v: (v * k) % 7)
    zs = list(xs)
    zs.sort(key=lambda v: -v, reverse=True)
    return ys, zs


@pyston.fast
def keys_in_a_loop(xs, n):
    # Each iteration's lambda reads that iteration's k (the call runs it at once).
    firsts = []
    for k in range(n):
        firsts.append(min(xs, key=lambda v: (v * k) % 5))
    return firsts


@pyston.fast
def key_reads_an_array(a):
    idx = list(range(a.shape[0]))
    return sorted(idx, key=lambda i: a[i]), max(idx, key=lambda i: a[i] * a[i])


@pyston.fast
def key_raises(pairs, j):
    return sorted(pairs, key=lambda t: t[j])


def make_outer_key(k):
    @pyston.fast
    def inner(xs):
        return sorted(xs, key=lambda v: v % k)

    return inner


def test_key_lambdas():
    rng = rng_for("keylambdas")
    for n in (0, 1, 2, 7, 30):
        pairs = [(int(a), float(b)) for a, b in zip(rng.integers(-9, 9, n), rng.normal(size=n))]
        for c, rev in ((0.5, False), (-3.0, True)):
            if n:
                assert_same(sort_by_key, pairs, c, rev)
        xs = [int(v) for v in rng.integers(-50, 50, n)]
        assert_same(sort_in_place, xs, 3)
        if n:
            assert_same(keys_in_a_loop, xs, 4)
        assert_same(key_reads_an_array, rng.normal(size=max(n, 1)))
    # The lambda raises inside sorted: CPython's exception, its frame the lambda's line.
    assert_same(key_raises, [(1, 2.0), (3, 1.0)], 1)
    assert_same(key_raises, [(1, 2.0), (3, 1.0)], 5)
    try:
        key_raises([(1, 2.0)], 5)
    except IndexError as e:
        tb = e.__traceback__
        while tb.tb_next:
            tb = tb.tb_next
        assert tb.tb_frame.f_code.co_name == "<lambda>"
        assert tb.tb_lineno == key_raises.py_func.__code__.co_firstlineno + 2
    # A key= lambda runs before what it reads can change: made with the
    # values, no cell for a loop variable it reads (no write per iteration).
    keys_in_a_loop([3, 1], 2)
    assert " = cell" not in keys_in_a_loop.inspect_ir()
    # A lambda reading the compiled function's own closure.
    inner = make_outer_key(4)
    assert_same(inner, [5, 2, 11, 8, 3])


@pyston.fast
def stored_lambda(xs, k):
    f = sorted
    g = lambda v: v * k  # noqa: E731  (stored, then k changes: not a key= lambda)
    k = 0
    return f(xs, key=g)


def test_stored_lambda_reads_its_cell():
    # k is bound again after the lambda is made: it lives in a cell the
    # lambda shares (late binding), so the sort uses k == 0, as CPython
    native(stored_lambda, [3, 1, 2], 2)
    assert_same(stored_lambda, [3, 1, 2], 2)
    assert_same(stored_lambda, [], 2)


# --------------------------------------------------------------------------
# nonlocal in inlined nested functions: assignments write the enclosing variable
# --------------------------------------------------------------------------


@pyston.fast
def count_calls(n):
    c = 0
    total = 0.0

    def inc(x):
        nonlocal c, total
        c += 1
        total = total + x
        return c

    last = 0
    for i in range(n):
        last = inc(i * 0.5)
    return c, total, last


@pyston.fast
def running_best(xs):
    best = None
    count = 0

    def consider(v):
        nonlocal best, count
        if best is None or v > best:
            best = v
            count += 1

    for x in xs:
        consider(x)
    return best, count


@pyston.fast
def nonlocal_then_raise(n):
    k = 0

    def step(i):
        nonlocal k
        k += i
        if k > 10:
            raise ValueError("too far: " + str(k))

    try:
        for i in range(n):
            step(i)
    except ValueError:
        return -k
    return k


def test_nonlocal():
    assert_same_all(count_calls, [(0,), (1,), (7,)])
    rng = rng_for("nonlocal")
    for n in (0, 1, 5, 20):
        assert_same(running_best, [int(v) for v in rng.integers(-9, 9, n)])
    assert_same_all(nonlocal_then_raise, [(0,), (3,), (9,)])


def make_nonlocal_top():
    x = 0

    def top(n):
        nonlocal x
        x += n
        return x

    return pyston.fast(top)


def test_nonlocal_of_the_compiled_function_falls_back():
    f = make_nonlocal_top()
    with pytest.warns(pyston.PerformanceWarning, match="nonlocal"):
        assert f(2) == 2
    assert f(3) == 5


# --------------------------------------------------------------------------
# map and filter consumed by list/sum/min/max/any/all: the generator
# expressions they are
# --------------------------------------------------------------------------


@pyston.fast
def map_filter(xs, k):
    v = 100  # (the lambda's parameter v is its own)
    a = list(map(lambda v: v * k, xs))
    b = sum(map(float, xs))
    c = list(filter(lambda t: t > k, xs))
    d = max(map(abs, xs), default=-1)
    e = any(map(lambda t: t == 3, xs))
    f = all(filter(bool, xs))
    return a, b, c, d, e, f, v


@pyston.fast
def map_arrays(a, b):
    return (
        list(map(lambda x, y: x * y + 1.0, a, b)),
        sum(filter(lambda x: x > 0, a)),
        min(map(lambda x: -x, b)),
    )


@pyston.fast
def map_raises(xs):
    return sum(map(lambda v: 10 // v, xs))


def test_map_and_filter():
    rng = rng_for("mapfilter")
    for n in (0, 1, 6):
        xs = [int(v) for v in rng.integers(-5, 5, n)]
        for k in (0, 2):
            assert_same(map_filter, xs, k)
    for n in (1, 5):
        assert_same(map_arrays, rng.normal(size=n), rng.normal(size=n))
    assert_same(map_arrays, rng.normal(size=3), rng.normal(size=2))  # (zip stops at the shortest)
    assert_same_all(map_raises, [([1, 2, 5],), ([3, 0, 1],), ([],)])


# ---- calls through another name ----------------------------------------------
# `h = helper` bound once at the top level, after the nested function, read
# only after it: every read of h is helper itself, so `h(x)` is helper's
# inlined call.


@pyston.fast
def alias_of_nested(a, k):
    def scale(x):
        return x * k

    h = scale
    s = 0.0
    for v in a:
        s += h(v)
    return s


@pyston.fast
def alias_of_lambda(a, k):
    f = lambda x: x + k  # noqa: E731
    g = f
    k = k * 2  # g reads k when called
    return g(a[0]), g(a[-1])


@pyston.fast
def alias_returned(k):
    def f(x):
        return x - k

    g = f
    return g(1.0), g, f


@pyston.fast
def alias_raises(a):
    def inv(x):
        return 1 // x

    h = inv
    t = 0
    for v in a:
        t += h(v)
    return t


@pyston.fast
def alias_in_branch(c, x):
    def f(y):
        return y + 1

    if c:
        g = f
    return g(x)  # c false: UnboundLocalError (not an alias: runs as Python)


@pyston.fast
def alias_chain(a):
    def f(x):
        return x * 3

    g = f
    h = g  # (an alias of an alias is not resolved: g is no nested function)
    return h(a)


def test_calls_through_another_name():
    rng = rng_for("aliases")
    a = rng.normal(size=7)
    native(uses_as_value, 1)
    assert_same(uses_as_value, 1)
    assert_same(uses_as_value, 2**63)  # (past 64 bits: the interpreter tier)
    native(alias_of_nested, a, 2.0)
    assert_same(alias_of_nested, a, 2.0)
    assert_same(alias_of_nested, np.zeros(0), 2)
    native(alias_of_lambda, a, 1.5)
    assert_same(alias_of_lambda, a, 1.5)
    assert_same(alias_of_lambda, np.zeros(0), 1.5)  # IndexError, NumPy's message
    native(alias_returned, 0.5)
    r = alias_returned(0.5)
    assert r[1] is r[2] and r[0] == 0.5 and r[1](2.0) == 1.5
    native(alias_raises, [1, 2])
    assert_same(alias_raises, [1, 2, -3])
    assert_same(alias_raises, [1, 0])
    fast = pyston.fast(alias_raises.py_func, fallback=False)
    assert _frames(fast, [1, 0]) == _frames(alias_raises.py_func, [1, 0])
    assert_same(alias_in_branch, True, 2, allow_fallback=True)
    assert_same(alias_in_branch, False, 2, allow_fallback=True)
    assert_same(alias_chain, 2.0, allow_fallback=True)


# ---- tracebacks through inlined nested functions ------------------------------


def tb_two_levels(xs):
    def inner(x):
        return 10 // x

    def outer(x):
        return inner(x) + 1

    s = 0
    for x in xs:
        s += outer(x)
    return s


def tb_numpy_index(a, idx):
    def pick(k):
        return a[k] * 2.0

    f = lambda k: pick(k) + 1.0  # noqa: E731
    s = 0.0
    for k in idx:
        s += f(k)
    return s


def _frames(f, *args):
    import traceback

    try:
        return ("ok", f(*args))
    except Exception as e:  # noqa: BLE001 - compared
        frames = [(fr.name, fr.lineno, fr.line) for fr in traceback.extract_tb(e.__traceback__)]
        return (type(e).__name__, str(e), frames[1:])  # (the first entry is _frames itself)


@pytest.mark.parametrize(
    "fn, args",
    [
        (tb_two_levels, ([3, 2, 1, 0],)),
        (tb_two_levels, ([3, 2],)),
        (tb_numpy_index, (np.arange(5.0), [0, 4, -5, 5])),
        (tb_numpy_index, (np.arange(5.0), [1, 2])),
    ],
)
def test_inlined_frames_in_tracebacks(fn, args):
    # CPython's traceback has a frame per nested function; the inlined copy
    # reports the same frames (name and line), innermost last.
    fast = pyston.fast(fn, fallback=False)
    assert _frames(fast, *args) == _frames(fn, *args)


# --------------------------------------------------------------------------
# a lambda written in the call, or a nested function by name, passed to a
# module-level function that is inlined: its calls inlined in the copy
# --------------------------------------------------------------------------


def pass_pair(g, p0, p1):
    return g(p0) + g(p1)


def pass_n(g, x, n):
    t = x
    for _ in range(n):
        t = g(t)
    return t


def pass_rebinding(g, x):
    if x > 0:
        g = abs
    return g(x)


def lambda_in_call(a, k):
    s = 0.0
    for i in range(len(a)):
        s += pass_pair(lambda z: z * k + 1.0, a[i], k)
    return s


def nested_by_name(a, lo, hi):
    def clip(x):
        return min(max(x, lo), hi)

    s = 0.0
    for i in range(len(a)):
        s += pass_n(clip, a[i] * 3.0, 2) + pass_pair(clip, a[i], -a[i])
    return s


def nested_nonlocal(a):
    calls = 0

    def count(x):
        nonlocal calls
        calls += 1
        return x * 2

    s = 0
    for v in a:
        s += pass_n(count, int(v), 3)
    return s, calls


def lambda_passed_on(a, k):
    s = 0.0
    for i in range(len(a)):
        s += pass_n(lambda z: pass_pair(lambda w: w - k, z, 1.0), a[i], 2)
    return s


def lambda_reads_later_value(a):
    k = 1.0
    s = 0.0
    for i in range(len(a)):
        k = k * 0.5 + a[i]
        s += pass_pair(lambda z: z / k, a[i], 2.0)
    return s


def lambda_raises(a, idx):
    s = 0.0
    for j in idx:
        s += pass_pair(lambda i: a[i] * 2.0, j, 0)
    return s


def lambda_to_rebinding(a):
    return [pass_rebinding(lambda z: z * 2, v) for v in (int(a[0]), -3)]


def test_lambdas_and_nested_functions_passed_to_inlined_functions():
    rng = rng_for("passedlambdas")
    for n in (0, 1, 5, 20):
        a = rng.normal(size=n)
        for k in (0.5, -2.0, 0.0):
            assert_same(pyston.fast(lambda_in_call), a, k)
            # (a lambda inside a lambda: not compiled yet, still exact)
            assert_same(pyston.fast(lambda_passed_on), a, k, allow_fallback=True)
        assert_same(pyston.fast(nested_by_name), a, -0.5, 0.75)
        assert_same(pyston.fast(nested_nonlocal), rng.integers(-5, 5, n))
        assert_same(pyston.fast(lambda_reads_later_value), a)
    a = np.array([1.0, np.nan, np.inf, -0.0])
    assert_same(pyston.fast(lambda_reads_later_value), a)
    assert_same(pyston.fast(lambda_in_call), a, np.inf)


def test_lambda_passed_raises_with_cpythons_frames():
    fast = pyston.fast(lambda_raises, fallback=False)
    a = np.arange(5.0)
    for idx in ([0, 4, 2], [1, 9, 0], [-6]):
        assert _frames(fast, a, idx) == _frames(lambda_raises, a, idx)


def test_lambda_to_a_function_rebinding_its_parameter_falls_back():
    # (`g = abs` in the callee: the lambda must be a real function there)
    fast = pyston.fast(lambda_to_rebinding)
    with pytest.warns(pyston.PerformanceWarning, match="lambda"):
        fast(np.array([4.0]))
    assert_same(fast, np.array([4.0]), allow_fallback=True)
    assert_same(fast, np.array([-4.0]), allow_fallback=True)


# A free variable (a cell of the enclosing function) read while unbound:
# CPython's NameError ("cannot access free variable ... in enclosing scope"),
# not the UnboundLocalError of the function's own variables.


def free_in_nested_def(flag):
    if flag:
        y = 1.5

    def inner():
        return y

    return inner()


def free_in_nested_def_with_arg(flag, z):
    if flag:
        y = 2

    def inner(w):
        return w + y

    return inner(z)


def free_in_lambda(flag):
    if flag:
        y = 1
    h = lambda: y + 1  # noqa: E731
    return h()


def free_nonlocal_update(flag):
    if flag:
        y = 1

    def inner():
        nonlocal y
        y += 1
        return y

    return inner()


def free_after_del(flag):
    y = 3

    def inner():
        return y

    if not flag:
        del y
    return inner()


def free_own_local_unbound(flag):
    def inner(k):
        if k > 0:
            t = k
        return t  # the nested function's own variable: UnboundLocalError

    return inner(1 if flag else 0)


def free_in_genexp(flag, n):
    if flag:
        y = 1
    return sum(y + i for i in range(n))


def free_in_listcomp(flag, n):
    if flag:
        y = 1
    return [y * i for i in range(n)]


def free_in_listcomp_first_iterable(flag):
    if flag:
        y = 3
    return [i for i in range(y)]  # the first iterable is the function's own read


def free_in_setcomp_condition(flag, n):
    if flag:
        y = 1
    return {i for i in range(n) if i > y}


def free_before_side_effect(flag, z):
    if flag:
        y = 1

    def inner(w):
        return y + 1 // w  # y is loaded (and fails) before 1 // w runs

    return inner(z)


def free_in_key_lambda(flag, xs):
    if flag:
        y = 1.0
    return sorted(xs, key=lambda v: v * y)  # the cell is empty: raises only if called


def free_deleted_by_nonlocal(flag):
    if flag:
        y = 1

    def inner():
        nonlocal y
        del y
        return 0

    return inner()


def test_unbound_free_variables_raise_cpythons_name_error():
    cases = [
        (free_in_nested_def, [(True,), (False,)]),
        (free_in_nested_def_with_arg, [(True, 3), (False, 3)]),
        (free_in_lambda, [(True,), (False,)]),
        (free_nonlocal_update, [(True,), (False,)]),
        (free_after_del, [(True,), (False,)]),
        (free_own_local_unbound, [(True,), (False,)]),
        (free_in_genexp, [(True, 3), (False, 3), (False, 0)]),
        (free_in_listcomp, [(True, 3), (False, 3), (False, 0)]),
        (free_in_listcomp_first_iterable, [(True,), (False,)]),
        (free_in_setcomp_condition, [(True, 4), (False, 4)]),
        (free_before_side_effect, [(True, 1), (False, 0), (True, 0)]),
        (free_in_key_lambda, [(True, [3.0, 1.0]), (False, [3.0, 1.0]), (False, [])]),
        (free_deleted_by_nonlocal, [(True,), (False,)]),
    ]
    for fn, argss in cases:
        fast = pyston.fast(fn)
        for args in argss:
            assert_same(fast, *args)
            # the interpreter tier (where compiled code finishes the call) agrees too
            try:
                want = ("ok", fn(*args))
            except Exception as e:  # noqa: BLE001
                want = (type(e), str(e))
            try:
                got = ("ok", fast._interpret(*args))
            except Exception as e:  # noqa: BLE001
                got = (type(e), str(e))
            assert got == want, (fn.__name__, args)
    e = assert_same(pyston.fast(free_in_nested_def), False)
    assert isinstance(e, NameError) and not isinstance(e, UnboundLocalError)
