"""Loop lifting: a function that runs as plain Python gets its loops compiled
alone (``pyston._lift``). Every case runs the function plain and under
``pyston.fast`` and compares results, exceptions, tracebacks and argument
mutation exactly; most also check whether the loop was lifted and compiled.
"""

from __future__ import annotations

import functools
import re
import traceback
import warnings

import numpy as np
import pyston
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pyston.PerformanceWarning")


def same(f, *args):
    """Plain and compiled calls agree (value, type, exception, mutation);
    returns the dispatcher."""
    g = pyston.fast(f)
    for _ in range(2):  # first call compiles, second runs the cached code
        a1, a2 = _copy(args), _copy(args)
        r1 = r2 = e1 = e2 = None
        try:
            r1 = f(*a1)
        except Exception as e:  # noqa: BLE001
            e1 = e
        try:
            r2 = g(*a2)
        except Exception as e:  # noqa: BLE001
            e2 = e
        assert type(e1) is type(e2) and str(e1) == str(e2), (e1, e2)
        assert _eq(r1, r2), (r1, r2)
        assert all(_eq(x, y) for x, y in zip(a1, a2))
    return g


def _copy(args):
    return tuple(a.copy() if isinstance(a, (np.ndarray, list, dict)) else a for a in args)


def _eq(x, y):
    if type(x) is not type(y):
        return False
    if isinstance(x, np.ndarray):
        return x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
    if isinstance(x, (tuple, list)):
        return len(x) == len(y) and all(_eq(p, q) for p, q in zip(x, y))
    if isinstance(x, float) and x != x:
        return y != y
    return x == y


def compiled_loops(g):
    return [line for line, d in g.lifted_loops if d.native and d.signatures]


def words_then_sum(text, a):
    words = re.findall(r"\w+", text)
    scale = len(words) / 10.0
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * scale
    return s, words[:2]


def test_untypeable_prologue_then_float_loop():
    a = np.random.default_rng(1).random(1000)
    g = same(words_then_sum, "a bc d", a)
    assert compiled_loops(g) == [words_then_sum.__code__.co_firstlineno + 4]
    assert g.lifted_loops[0][1].signatures == ["(array(float64, 1d, C), float, float)"]


def loop_var_used_after(a, n):
    tag = object()
    s = 0
    i = -1
    for i in range(n):
        s += a[i]
    return s, i, tag is not None


@pytest.mark.parametrize("n", [0, 1, 4])
def test_live_outs_and_zero_iterations(n):
    g = same(loop_var_used_after, np.arange(5), n)
    assert compiled_loops(g)


def maybe_unbound_after(a, n):
    _ = object()
    for i in range(n):  # noqa: B007 - `i` is read after the loop
        pass
    return i


@pytest.mark.parametrize("n", [0, 3])
def test_maybe_unbound_loop_var_stays_in_place(n):
    # `i` is unbound after a loop that never ran: the loop is not lifted.
    g = same(maybe_unbound_after, np.arange(3), n)
    assert g.lifted_loops == []


def loop_in_try(a, n):
    _ = object()
    s = 0
    try:
        for i in range(n):
            s += a[i]
    except IndexError:
        return "caught", s
    return s


@pytest.mark.parametrize("n", [3, 9])
def test_loop_in_try_stays_in_place(n):
    # The handler reads `s` as the loop left it when it raised.
    g = same(loop_in_try, np.arange(5), n)
    assert g.lifted_loops == []


def raising_loop(a, n):
    _ = object()
    s = 0
    for i in range(n):
        s += a[i]
    return s


def test_exception_and_traceback_as_cpython():
    a = np.arange(5)
    g = same(raising_loop, a, 9)
    assert compiled_loops(g)

    def frames(fn):
        try:
            fn(a, 9)
        except IndexError as e:
            return [(fr.name, fr.lineno) for fr in traceback.extract_tb(e.__traceback__)][1:]

    assert frames(raising_loop) == frames(g) == [("raising_loop", raising_loop.__code__.co_firstlineno + 4)]


def while_break_else(x, limit):
    label = str(x).encode()  # bytes: not compiled, the function runs as plain Python
    steps = 0
    while x != 1:
        x = x // 2 if x % 2 == 0 else 3 * x + 1
        steps += 1
        if steps > limit:
            break
    else:
        steps = -steps
    return label, steps, x


@pytest.mark.parametrize("x,limit", [(27, 1000), (27, 10), (1, 5), (2**62 + 1, 400)])
def test_while_with_break_and_else(x, limit):
    g = same(while_break_else, x, limit)
    assert g.lifted_loops  # (an overflowing x deoptimizes; the values stay exact)


def for_else_search(a, target):
    _ = object()
    found = -1
    for i in range(len(a)):
        if a[i] == target:
            found = i
            break
    else:
        found = -2
    return found


@pytest.mark.parametrize("target", [3, 99])
def test_for_else(target):
    assert compiled_loops(same(for_else_search, np.arange(10), target))


def nested_untypeable_outer(a):
    out = 0.0
    for row in range(a.shape[0]):
        _ = object()  # the outer loop cannot compile; the inner one can
        t = 0.0
        for j in range(a.shape[1]):
            t += a[row, j] * a[row, j]
        out += t
    return out


def test_inner_loop_of_untypeable_loop():
    g = same(nested_untypeable_outer, np.random.default_rng(2).random((4, 6)))
    (line, outer), = g.lifted_loops
    assert outer.native  # it has a lifted loop of its own
    assert compiled_loops(outer)


def untypeable_loop(n):
    _ = object()
    out = []
    for _i in range(n):
        out.append(object())
    return len(out)


def test_loop_that_cannot_compile_goes_back_in_place():
    g = same(untypeable_loop, 5)
    (_, d), = g.lifted_loops
    assert not d.native  # the next calls run the loop where it is
    assert g(7) == 7


def closure_reader(scale):
    def f(a):
        _ = object()
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * scale
        return s

    return f


def test_closure_variable_read():
    g = same(closure_reader(2.5), np.arange(6.0))
    assert compiled_loops(g)


def nonlocal_writer():
    total = 0

    def f(n):
        nonlocal total
        _ = object()
        for i in range(n):
            total += i
        return total

    return f


def test_nonlocal_write_stays_in_place():
    f = nonlocal_writer()
    g = pyston.fast(nonlocal_writer())
    assert [f(4), f(4)] == [g(4), g(4)]
    assert g.lifted_loops == []


def captured_by_inner(n):
    _ = object()
    s = 0
    for i in range(n):
        s += i

    def get():
        return s

    return get()


def test_cell_variable_stays_in_place():
    g = same(captured_by_inner, 5)
    assert g.lifted_loops == []


COUNTER = 0


def global_writer(n):
    global COUNTER
    _ = object()
    for i in range(n):
        COUNTER += i
    return COUNTER


def test_global_written_in_loop():
    global COUNTER
    COUNTER = 0
    r1 = global_writer(5)
    COUNTER = 0
    g = pyston.fast(global_writer)
    assert g(5) == r1 and COUNTER == r1


def overflow_in_loop(x, n):
    _ = object()
    for _i in range(n):
        x = x * 3 + 1
    return x


def test_int_overflow_in_lifted_loop_is_exact():
    g = same(overflow_in_loop, 7, 60)
    assert g(7, 60) == overflow_in_loop(7, 60) > 2**64


def mutates_argument(a, n):
    _ = object()
    for i in range(n):
        a[i % a.shape[0]] += i
    return a.sum()


def test_argument_mutation():
    assert compiled_loops(same(mutates_argument, np.zeros(4, np.int64), 11))


def with_defaults_and_kwargs(a, *, scale=2.0, offset=1):
    _ = object()
    s = 0.0
    for x in a:
        s += x * scale + offset
    return s


def test_defaults_and_keyword_only_arguments():
    a = np.arange(5.0)
    g = pyston.fast(with_defaults_and_kwargs)
    assert g(a) == with_defaults_and_kwargs(a)
    assert g(a, scale=0.5) == with_defaults_and_kwargs(a, scale=0.5)
    assert g(a, offset=-1, scale=3.0) == with_defaults_and_kwargs(a, offset=-1, scale=3.0)


class Model:
    def __init__(self, w):
        self.w = w

    def score(self, a):
        w = self.w
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * w
        return s


def test_method_with_attribute_prologue():
    a = np.arange(4.0)
    m = Model(1.5)
    g = pyston.fast(Model.score)
    assert g(m, a) == m.score(a)
    assert compiled_loops(g)


def generator_with_loop(n):
    _ = object()
    s = 0
    for i in range(n):
        s += i * i
    yield s
    yield s + 1


def test_generator_function():
    g = pyston.fast(generator_with_loop)
    assert list(g(10)) == list(generator_with_loop(10))


def unsupported_argument_type(xs, a):
    n = len(xs)
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * n
    return s


def test_unsupported_argument_type_lifts_too():
    g = same(unsupported_argument_type, {"k": "a", "j": "b"}, np.arange(3.0))  # str values: not compiled
    assert compiled_loops(g)


def test_flags_carry_over_to_lifted_loops():
    g = pyston.fast(unchecked_int=True)(overflow_in_loop)
    g(1, 3)
    (_, d), = g.lifted_loops
    assert d.options == g.options


def test_decorated_wrapper_is_not_lifted():
    @functools.lru_cache(None)
    def cached(n):
        s = 0
        for i in range(n):
            s += i
        return s

    g = pyston.fast(cached)
    assert g(10) == 45 and g.lifted_loops == []


def test_no_fallback_raises_instead():
    g = pyston.fast(fallback=False)(raising_loop)
    with pytest.raises(pyston.CompileError):
        g(np.arange(3.0), 2)
    assert g.lifted_loops == []


def test_warning_once_for_the_outer_function_only():
    g = pyston.fast(words_then_sum)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        g("a", np.arange(3.0))
        g("b", np.arange(3.0))
    assert len([x for x in w if issubclass(x.category, pyston.PerformanceWarning)]) == 1


def comprehension_in_loop(a):
    _ = object()
    s = 0.0
    for i in range(a.shape[0]):
        s += sum([a[k] for k in range(i)])
    return s


def test_comprehension_inside_loop():
    same(comprehension_in_loop, np.arange(6.0))


def except_name_in_loop(a, n):
    e = "before"
    for i in range(n):
        try:
            a[i] += 1
        except IndexError as e:  # noqa: F841 - `e` is unbound after the handler
            pass
    return e


@pytest.mark.parametrize("n", [2, 9])
def test_except_as_name_unbinds(n):
    g = same(except_name_in_loop, np.arange(4), n)
    assert g.lifted_loops == []


def recursive_with_loop(items, depth):
    _ = object()
    total = 0
    for x in items:
        total += x
    if depth > 0:
        total += recursive_with_loop(items, depth - 1)  # its own name: the module global
    return total


def test_recursive_function_keeps_its_global_name():
    g = same(recursive_with_loop, np.arange(5), 3)
    assert compiled_loops(g)
