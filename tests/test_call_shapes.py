"""`*args` and keyword-only parameters of compiled functions (issue #14): the dispatcher binds
a call's arguments as CPython does (positional, keywords, `__defaults__`, the extra positional
arguments as one tuple, keyword-only ones from keywords or `__kwdefaults__`); a call CPython
rejects gets CPython's TypeError. Differential against plain Python, each kernel compiling."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, rng_for
from test_lists import check


@pyston.fast
def scaled(a, n=10, *, scale=2.0, off):
    s = 0.0
    for i in range(min(n, len(a))):
        s += a[i] * scale + off
    return s


@pyston.fast
def total(first, *xs):
    t = first
    for x in xs:
        t += x
    return t, len(xs), xs


@pyston.fast
def both(x, *rest, sign=1):
    return sign * (x + sum(rest))


def test_keyword_only_parameters():
    a = rng_for("call-shapes").standard_normal(20)
    calls = [((a,), {"off": 1.0}), ((a, 3), {"off": 0.5, "scale": -1.0}), ((a,), {"n": 4, "off": 2})]
    for args, kw in calls:
        assert_same(scaled, *args, kwargs=kw)
    check(total, [(1,), (1, 2, 3), (1.5, 2.0, 3.5), (True, np.int64(2))])
    for args, kw in [((1, 2, 3), {}), ((1,), {"sign": -1}), ((1, 2), {"sign": 3})]:
        assert_same(both, *args, kwargs=kw)
    # (sorting ints and floats together runs as plain Python: with the arguments as given, not as bound)
    assert_same(sorts, 1, 2.5, kwargs={"sign": -1}, allow_fallback=True)


@pyston.fast
def sorts(*xs, sign=1):
    return sorted(xs), sign


@pyston.fast
def reductions(*xs):
    return sum(xs), any(xs), all(xs), sorted(xs), len(xs)


@pyston.fast
def extremes(*xs):
    return min(xs), max(xs)


def test_builtins_of_star_args():
    check(reductions, [(), (1, 2, 3), (0.1, 0.2, 0.3), (2**62, 2**62), (True, False)])
    check(extremes, [(1, 2, 3), (1.5, 2, True), (-0.0, 0.0)])
    assert type(assert_same(extremes)) is ValueError


@pytest.mark.parametrize(
    "call",
    [
        lambda f, a: f(a),  # missing keyword-only
        lambda f, a: f(a, 1, 2),  # too many positional
        lambda f, a: f(a, off=1, zz=2),  # unknown keyword
        lambda f, a: f(a, n=1, off=2, a=3),  # given twice
    ],
    ids=["missing", "too-many", "unknown", "twice"],
)
def test_calls_cpython_rejects(call):
    a = np.arange(3.0)
    with pytest.raises(TypeError) as plain:
        call(scaled.py_func, a)
    with pytest.raises(TypeError) as fast:
        call(scaled, a)
    assert str(fast.value) == str(plain.value)


def test_varargs_keyword_and_defaults_are_read_at_each_call():
    @pyston.fast
    def g(x, *, k=1):
        return x * k

    assert g(3) == 3
    g.py_func.__kwdefaults__["k"] = 5  # CPython reads __kwdefaults__ at each call
    assert g(3) == 15 and g.py_func(3) == 15


def test_nested_functions_with_star_args_fall_back():
    @pyston.fast
    def outer(x):
        def inner(*ys):
            return len(ys)

        return inner(x, x)

    with pytest.warns(pyston.PerformanceWarning, match="nested functions"):
        assert outer(1) == 2


# --------------------------------------------------------------------------
# keyword arguments in calls between compiled functions: bound by name
# --------------------------------------------------------------------------


@pyston.fast
def clip(x, lo, hi):
    return lo if x < lo else (hi if x > hi else x)


@pyston.fast
def calls_by_keyword(xs):
    s = 0.0
    for x in xs:
        s += clip(x, hi=1.0, lo=-1.0) + clip(lo=0.0, hi=0.5, x=x) + clip(x, -2.0, hi=2.0)
    return s


@pyston.fast
def fib_kw(n):
    if n < 2:
        return n
    return fib_kw(n - 1) + fib_kw(n=n - 2)


@pyston.fast
def missing_keyword(x):
    return clip(x, lo=1.0)


@pyston.fast
def unknown_keyword(x):
    return clip(x, 0.0, 1.0, width=3)


@pyston.fast
def repeated_keyword(x):
    return clip(x, 0.0, lo=1.0)


def test_keyword_arguments_to_compiled_functions():
    rng = rng_for("kwcalls")
    for n in (0, 1, 9):
        check(calls_by_keyword, [([float(v) for v in rng.normal(scale=2.0, size=n)],)])
    check(fib_kw, [(0,), (1,), (15,)])
    # What CPython rejects: its TypeError (the call runs on the interpreter tier).
    for fn in (missing_keyword, unknown_keyword, repeated_keyword):
        assert_same(fn, 0.5, allow_fallback=True)


# --------------------------------------------------------------------------
# default values in calls between compiled functions: bound by compiled code
# (plain constants), the callee's `__defaults__` guarded
# --------------------------------------------------------------------------


@pyston.fast
def norm_eps(x, eps=1e-5, k=2, neg=False, off=0.0):
    y = (x - x.mean()) / np.sqrt(x.std() + eps) * k
    if neg:
        y = -y
    return y + off


@pyston.fast
def uses_defaults(x):
    return norm_eps(x), norm_eps(x, 0.5), norm_eps(x, k=3), norm_eps(x, neg=True, eps=0.1), norm_eps(x, off=1.5)


@pyston.fast
def scalar_defaults(a, b=2, c=0.5, flag=True, d=None):
    r = (a * b + c) if flag else (a - b)
    return r if d is None else r + 1.0


@pyston.fast
def uses_scalar_defaults(n):
    s = 0.0
    for i in range(n):
        s += scalar_defaults(i) + scalar_defaults(i, 3) + scalar_defaults(i, flag=False) + scalar_defaults(a=i, c=1.0)
    return s


@pyston.fast
def str_default(x, how="a"):
    return x + len(how)


@pyston.fast
def big_default(x, b=2**70):
    return x + b


@pyston.fast
def uses_str_default(x):
    return str_default(x), big_default(x)


def test_defaults_bound_in_compiled_calls():
    rng = rng_for("defaults")
    for shape in [(0,), (5,), (3, 4)]:
        x = rng.standard_normal(shape)
        for call in (uses_defaults,):
            assert_same(call, x)
    check(uses_scalar_defaults, [(0,), (1,), (10,)])
    assert_same(uses_str_default, 3)
    # The calls are typed (compiled code binds the plain defaults; a call left to
    # the interpreter tier would have no result type).
    for call in (uses_defaults, uses_scalar_defaults):
        assert "= call" in call.inspect_types() and " ? = call" not in call.inspect_types()


def test_defaults_bound_in_compiled_calls_follow_the_defaults():
    @pyston.fast
    def callee(x, k=2):
        return x * k

    @pyston.fast
    def caller(x):
        return callee(x) + callee(x, k=10)

    assert caller(3) == caller.py_func(3) == 36
    callee.py_func.__defaults__ = (5,)  # CPython reads __defaults__ at each call
    assert caller(3) == caller.py_func(3) == 45
    callee.py_func.__defaults__ = (0.5,)
    assert_same(caller, 3)
    callee.py_func.__defaults__ = None  # a call that omits k: CPython's TypeError
    assert_same(caller, 3, allow_fallback=True)
