"""Issue #14: `iter()` / `next()` in compiled code, and PEP 479 in the folds of
generator expressions.

An iterator bound to a local (`it = iter(x)`, or a `zip`/`enumerate`/
`reversed` object) and only stepped in the function (`next(it)`,
`next(it, default)`, `for` loops and comprehensions over it, `sum(it)`, ...)
compiles natively: a loop continues where `next` left off, two iterators over
one object are independent, `iter(it) is it`, a list iterator sees items
appended and forgets its list once it ran out, a dict that changes size
raises CPython's RuntimeError, and `next` of an exhausted iterator raises
`StopIteration()` that compiled `except` clauses catch. `next(genexp[,
default])` is the first-match loop. A StopIteration leaving a generator
expression (a fold's item, `next(genexp)`'s) is PEP 479's RuntimeError.
Anything else an iterator is used for runs as plain Python, exactly.

Differential against plain Python on random and edge inputs (values, types,
exceptions with their messages), each kernel checked to compile natively
where that is expected; `pyston.njit` against CPython's values (and Numba's
where Numba compiles the kernel).
"""

import sys
import traceback

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, check, clone, diff, native, rng_for

# CPython 3.12+ adds floats in sum() with compensation, so compiled code lowers
# `sum(genexp)` there as sum() of the items' list, and a list of arrays (rows)
# or of mixed np.float64/float items is not compiled yet: those kernels run as
# plain Python (exactly) on 3.12+, a documented gap.
SUM_OF_LIST = sys.version_info >= (3, 12)


def check_sum_fold(fn, cases):
    """`check`, except where 3.12+'s sum() of a list may run as plain Python."""
    if SUM_OF_LIST:
        assert_same_all(fn, cases, allow_fallback=True)
    else:
        check(fn, cases)

# --------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------


@pyston.fast
def first_then_rest(a):
    it = iter(a)
    first = next(it)
    s = first
    for x in it:
        s += x
    return s


@pyston.fast
def while_next(a):
    it = iter(a)
    s = 0.0
    n = 0
    while True:
        try:
            x = next(it)
        except StopIteration:
            break
        s += x
        n += 1
    return s, n


@pyston.fast
def next_default(a, d):
    it = iter(a)
    x = next(it, d)
    y = next(it, d)
    return x, y


@pyston.fast
def next_none_loop(a):
    it = iter(a)
    x = next(it, None)
    n = 0
    t = 0.0
    while x is not None:
        n += 1
        t += x
        x = next(it, None)
    return n, t


@pyston.fast
def pairs_sum(a):
    # (two items per step: a `for` loop that also calls next() in its body)
    it = iter(a)
    s = 0.0
    for x in it:
        y = next(it, 0.0)
        s += x * y
    return s


@pyston.fast
def break_then_continue(a, t):
    it = iter(a)
    head = 0
    for x in it:
        head += 1
        if x > t:
            break
    tail = 0
    for _x in it:
        tail += 1
    return head, tail, next(it, -1.0)


@pyston.fast
def for_else_exhausts(a, t):
    it = iter(a)
    for x in it:
        if x > t:
            break
    else:
        return -1.0, next(it, -2.0)
    return x, next(it, -2.0)


@pyston.fast
def two_independent(a):
    i1 = iter(a)
    i2 = iter(a)
    x = next(i1)
    y = next(i1)
    z = next(i2)
    return x, y, z


@pyston.fast
def aliases(a):
    it = iter(a)
    same = iter(it)  # iter(it) is it
    also = it
    x = next(it)
    y = next(same)
    z = next(also, -1.0)
    return x, y, z


@pyston.fast
def row_iter(m):
    it = iter(m)
    r = next(it)
    s = 0.0
    for row in it:
        s += row[0] - r[-1]
    return s


@pyston.fast
def list_iter(xs):
    it = iter(xs)
    a = next(it, -1)
    s = 0
    for x in it:
        s += x
    return a, s


@pyston.fast
def tuple_iter(t):
    it = iter(t)
    return next(it), next(it, 0.5), next(it, 0.5)


@pyston.fast
def range_iter(n, step):
    it = iter(range(3, n, step))
    a = next(it, -7)
    t = 0
    for v in it:
        t += v
    return a, t


@pyston.fast
def str_iter(s):
    it = iter(s)
    c = next(it, "")
    n = 0
    for ch in it:
        if ch == c:
            n += 1
    return c, n


@pyston.fast
def dict_key_iter(d):
    it = iter(d)
    k0 = next(it, -1)
    s = 0
    for k in it:
        s += k * d[k]
    return k0, s


@pyston.fast
def dict_items_iter(d):
    it = iter(d.items())
    k, v = next(it)
    t = 0.0
    for kk, vv in it:
        t += kk * vv
    return k, v, t


@pyston.fast
def set_iter(s):
    it = iter(s)
    t = 0
    for x in it:
        t += x
    return t, next(it, -1)


@pyston.fast
def zip_iter(a, b):
    z = zip(a, b)
    x0, y0 = next(z)
    s = 0.0
    for x, y in z:
        s += x * y
    return x0 + y0, s


@pyston.fast
def enumerate_iter(a, start):
    e = enumerate(a, start)
    i, x = next(e)
    t = 0
    for j, _y in e:
        t += j
    return i, x, t


@pyston.fast
def reversed_iter(xs):
    r = reversed(xs)
    last = next(r, None)
    return last, sum(r)


@pyston.fast
def reversed_range_iter(n):
    r = iter(reversed(range(n)))
    return next(r, -1), next(r, -1)


@pyston.fast
def ndindex_iter(m):
    it = np.ndindex(m.shape)
    i, j = next(it)
    n = 0
    for _ij in it:
        n += 1
    return i, j, n


@pyston.fast
def first_of(a):
    return next(iter(a), -1.0)


@pyston.fast
def loop_over_iter_call(a):
    s = 0.0
    for x in iter(a):
        s += x
    return s


@pyston.fast
def folds_of_iterators(a):
    it = iter(a)
    next(it, None)
    s = sum(it)
    i2 = iter(a)
    m = max(i2)  # (the whole array)
    i3 = iter(a)
    big = any(i3)
    i4 = iter(a)
    rest = list(i4)
    return s, m, big, len(rest)


@pyston.fast
def comprehension_over_iter(a):
    it = iter(a)
    skipped = next(it, 0.0)
    return skipped, [x * 2.0 for x in it]


@pyston.fast
def genexp_over_iter(a):
    it = iter(a)
    next(it, 0.0)
    return sum(x * x for x in it)


@pyston.fast
def exhausted_escapes(a):
    it = iter(a)
    next(it)
    return next(it)


@pyston.fast
def exhausted_twice(xs):
    it = iter(xs)
    try:
        next(it)
    except StopIteration as e:
        return "first", str(e), repr(e)
    try:
        next(it)
        next(it)
    except StopIteration as e:
        return "later", str(e), repr(e)
    return "none", "", ""


@pyston.fast
def nested_handlers(a):
    it = iter(a)
    n = 0
    try:
        try:
            while True:
                next(it)
                n += 1
        except ValueError:
            n = -100
    except StopIteration:
        n += 1000
    return n


@pyston.fast
def caught_as_exception(a):
    it = iter(a)
    try:
        next(it)
        next(it)
        return 0
    except Exception as e:
        return len(type(e).__name__) + len(str(e))


@pyston.fast
def try_finally_next(a):
    it = iter(a)
    out = 0.0
    try:
        out = next(it)
    finally:
        out += 1.0
    return out


@pyston.fast
def per_row_first(m):
    s = 0.0
    for r in m:
        it = iter(r)
        s += next(it)
    return s


@pyston.fast
def overflow_mid_iteration(xs):
    # (the product leaves 64 bits: the call goes on on the interpreter tier mid-iteration)
    it = iter(xs)
    p = next(it)
    for x in it:
        p = p * x
    return p, next(it, 0)


@pyston.fast
def inside_try_bodies(xs, d, t):
    out = 0
    try:
        it = iter(xs)
        a = next(it, -1)
        for x in it:
            if x > t:
                break
            out += x
        else:
            out += 1000
        b = next(it, -2)
        k = next((k for k in d if k > t), -3)
        c = next(it)
        out = out * 7 + c
    except StopIteration:
        return a, b, k, out, "stop"
    except ZeroDivisionError:
        return -1, -1, -1, out, "zde"
    return a, b, k, out, "ok"


@pyston.fast
def handler_sees_stepped(xs):
    it = iter(xs)
    seen = 0
    try:
        while True:
            seen += 1 // (next(it) - 3)  # ZeroDivisionError at the item 3
    except ZeroDivisionError:
        return seen, next(it, -1)
    except StopIteration:
        return seen, -100
    return seen, -5


# mutation while iterating


@pyston.fast
def list_appended(xs):
    it = iter(xs)
    out = 0
    for x in it:
        out += x
        if x > 2 and len(xs) < 12:
            xs.append(x - 1)
    return out, len(xs)


@pyston.fast
def list_forgets_after_end(xs):
    it = iter(xs)
    a = next(it, -1)
    b = next(it, -1)
    xs.append(7)  # (after the end was seen: never seen)
    c = next(it, -1)
    return a, b, c


@pyston.fast
def list_appended_before_end(xs):
    it = iter(xs)
    a = next(it, -1)
    xs.append(7)  # (before the end: seen)
    b = next(it, -1)
    c = next(it, -1)
    return a, b, c


@pyston.fast
def list_shrinks(xs):
    it = iter(xs)
    a = next(it, -1)
    if xs:
        xs.pop()
    t = 0
    for x in it:
        t += x
    return a, t


@pyston.fast
def dict_resized(d):
    it = iter(d)
    k = next(it)
    d[1000] = 1
    return k, next(it)


@pyston.fast
def dict_resized_in_loop(d):
    it = iter(d)
    t = 0
    for k in it:
        t += k
        if k == 3:
            d[k + 1000] = 0
    return t


@pyston.fast
def set_resized(s):
    it = iter(s)
    x = next(it)
    s.add(x + 1000)
    return next(it, -1)


# generator expressions


@pyston.fast
def first_match(xs, t):
    return next((x for x in xs if x > t), -1.0)


@pyston.fast
def first_match_index(a, t):
    return next((i for i, x in enumerate(a) if x > t), None)


@pyston.fast
def first_match_no_default(xs, t):
    return next(x for x in xs if x > t)


@pyston.fast
def first_match_nested(m, t):
    return next(((i, j) for i in range(m.shape[0]) for j in range(m.shape[1]) if m[i, j] > t), (-1, -1))


@pyston.fast
def first_match_default_call(a, t):
    return next((i for i in range(len(a)) if a[i] > t), len(a))


@pyston.fast
def first_match_default_order(xs):
    # (CPython evaluates the default after iter(xs), before the generator runs)
    return next((x for x in xs if x > 3), xs.pop() if xs else -1)


@pyston.fast
def first_match_of_iterator(a, t):
    it = iter(a)
    skipped = next(it, 0.0)
    return skipped, next((x for x in it if x > t), -1.0), next(it, -1.0)


@pyston.fast
def pep479_sum(a, n):
    it = iter(a)
    return sum(next(it) for _ in range(n))


@pyston.fast
def pep479_min(a, n):
    it = iter(a)
    return min(next(it) for _ in range(n))


@pyston.fast
def pep479_any(a, n):
    it = iter(a)
    return any(next(it) > 1e9 for _ in range(n))


@pyston.fast
def pep479_all(a, n):
    it = iter(a)
    return all(next(it) < 1e9 for _ in range(n))


@pyston.fast
def pep479_list(a, n):
    it = iter(a)
    return list(next(it) for _ in range(n))


@pyston.fast
def pep479_next_genexp(a, n):
    it = iter(a)
    return next((next(it) for _ in range(n) if n > len(a)), -1.0)


@pyston.fast
def pep479_not_in_list_comprehension(a, n):
    # (a list comprehension is no generator: the StopIteration leaves as it is)
    it = iter(a)
    return [next(it) for _ in range(n)]


@pyston.fast
def pep479_list_comprehension_in_genexp(a, n):
    it = iter(a)
    return sum(len([next(it) for _ in range(n)]) for _ in range(2))


@pyston.fast
def next_default_in_fold(a, n):
    it = iter(a)
    return sum(next(it, 0.0) for _ in range(n))


def stopper(x):
    if x > 2.0:
        raise StopIteration
    return x


@pyston.fast
def pep479_unknown_callable(a):
    return sum(stopper(x) for x in a)


@pyston.fast
def pep479_unknown_callable_tuple(a):
    return tuple(stopper(x) for x in (a[0], a[1]))


@pyston.fast
def fold_with_builtin_calls(a):
    return sum(abs(x) + min(x, 0.5) for x in a), max(int(x * 10.0) for x in a)


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------

KINDS = [np.float64, np.int64, np.float32]


def _arrays(rng):
    out = [np.empty(0), np.array([1.5]), np.array([2.0, -1.0])]
    for n in (3, 7, 64, 1001):
        for dt in KINDS:
            out.append((rng.standard_normal(n) * 10).astype(dt))
    out.append(np.arange(10.0)[::3])  # strided
    return out


def test_iter_over_arrays():
    rng = rng_for("iter_arrays")
    arrays = _arrays(rng)
    nonempty = [a for a in arrays if a.size]
    for fn in (first_then_rest, pairs_sum, two_independent, aliases):
        check(fn, [(a,) for a in nonempty if a.size >= 2 or fn is first_then_rest or fn is pairs_sum])
    for fn in (while_next, next_none_loop, first_of, loop_over_iter_call, comprehension_over_iter):
        check(fn, [(a,) for a in arrays])
    check_sum_fold(genexp_over_iter, [(a,) for a in arrays])
    check_sum_fold(folds_of_iterators, [(a,) for a in nonempty])
    check(next_default, [(a, d) for a in arrays[:4] for d in (-1.0, 0)])
    for a in nonempty:
        t = float(np.median(a))
        check(break_then_continue, [(a, t), (a, 1e9), (a, -1e9)])
        check(for_else_exhausts, [(a, t), (a, 1e9)])


def test_iter_over_each_iterable_kind():
    rng = rng_for("iter_kinds")
    m = rng.standard_normal((5, 3))
    check(row_iter, [(m,), (m[:1],), (m[::2],)])
    for xs in ([], [4], [3, 1, 4, 1, 5], list(rng.integers(-50, 50, 40))):
        xs = [int(x) for x in xs]
        check(list_iter, [(xs,)])
        check(reversed_iter, [(xs,)])
    check(tuple_iter, [((1.0, 2.0, 3.0),), ((1.0, 2.0),)])
    check(range_iter, [(n, s) for n in (0, 3, 4, 20, 21) for s in (1, 2, 5)])
    check(str_iter, [("",), ("a",), ("abcabca",), ("xyz" * 10,)])
    d = {int(k): float(v) for k, v in zip(rng.integers(0, 100, 20), rng.standard_normal(20))}
    check(dict_items_iter, [(d,), ({1: 2.5},)])
    check(dict_key_iter, [({1: 2, 3: 4, 5: 6},), ({},)])
    check(set_iter, [({1, 2, 3},), (set(),), ({int(x) for x in rng.integers(0, 1000, 50)},)])
    a, b = rng.standard_normal(8), rng.standard_normal(5)
    check(zip_iter, [(a, b), (list(a), b), (a[:1], b)])
    check(enumerate_iter, [(a, 0), (a, -3), (a, 2**40), (list(a), 5)])
    check(reversed_range_iter, [(0,), (1,), (5,)])
    check(ndindex_iter, [(np.ones((2, 3)),), (np.ones((1, 1)),)])


def test_exhausted_iterators():
    rng = rng_for("iter_exhausted")
    a = rng.standard_normal(4)
    check(exhausted_escapes, [(a,), (a[:1],), (a[:2],)])
    check(exhausted_twice, [([],), ([1],), ([1, 2],), ([1, 2, 3],)])
    check(nested_handlers, [(a,), (a[:0],)])
    check(caught_as_exception, [(a,), (a[:1],)])
    check(try_finally_next, [(a,), (a[:0],)])
    check(per_row_first, [(rng.standard_normal((4, 3)),)])
    assert_same(per_row_first, [[1.0], []], allow_fallback=True)
    check(overflow_mid_iteration, [([2, 3, 2**40, 2**30, 5],), ([1],), ([3, 4],)])


def test_stop_iteration_leaves_like_cpython():
    fast = pyston.fast(fallback=False)(exhausted_escapes.py_func)
    a = np.array([1.0])
    for fn in (exhausted_escapes.py_func, fast):
        with pytest.raises(StopIteration) as ei:
            fn(a)
        assert str(ei.value) == "" and ei.value.args == ()
        tb = traceback.extract_tb(ei.value.__traceback__)[-1]
        assert tb.name == "exhausted_escapes"
        assert tb.line == "return next(it)"


def test_inside_try_bodies():
    for xs in ([], [1], [1, 2, 3], [5, 1, 2], [1, 2, 9, 4, 5, 6]):
        for t in (0, 2, 8):
            check(inside_try_bodies, [(list(xs), {1: 0, 7: 0}, t), (list(xs), {}, t)])
    check(handler_sees_stepped, [([1, 2, 3, 4, 5],), ([1, 2],), ([3],), ([],)])


def test_interpreter_tier_agrees():
    # (the same IR run on the interpreter tier, as a deoptimized call finishes)
    rng = rng_for("iter_interp")
    a = rng.standard_normal(6)
    m = rng.standard_normal((3, 4))
    cases = [
        (first_then_rest, (a,)),
        (while_next, (a,)),
        (pairs_sum, (a,)),
        (break_then_continue, (a, 0.0)),
        (aliases, (a,)),
        (row_iter, (m,)),
        (list_iter, ([3, 1, 4],)),
        (range_iter, (20, 3)),
        (str_iter, ("abcab",)),
        (dict_key_iter, ({1: 2, 3: 4},)),
        (dict_items_iter, ({1: 2.5, 3: 4.5},)),
        (set_iter, ({1, 2, 3},)),
        (zip_iter, (a, list(a[:4]))),
        (enumerate_iter, (a, 5)),
        (reversed_iter, ([1, 2, 3],)),
        (ndindex_iter, (m,)),
        (exhausted_escapes, (a[:1],)),
        (nested_handlers, (a,)),
        (list_appended, ([1, 2, 3, 4],)),
        (list_forgets_after_end, ([1],)),
        (dict_resized, ({1: 2, 3: 4},)),
        (first_match, (a, 0.5)),
        (first_match_nested, (m, 0.5)),
        (first_match_default_order, ([1, 5, 2],)),
        (pep479_sum, (a, 9)),
        (pep479_not_in_list_comprehension, (a, 9)),
        (inside_try_bodies, ([1, 2, 9, 4], {1: 0, 7: 0}, 2)),
        (handler_sees_stepped, ([1, 2, 3, 4],)),
    ]
    for fn, args in cases:
        want = assert_same(fn, *args)
        try:
            got = fn._interpret(*clone(args))
        except Exception as e:  # noqa: BLE001 - compared with CPython's
            got = e
        if isinstance(want, BaseException):
            assert type(got) is type(want) and str(got) == str(want), (fn.__name__, got, want)
        else:
            assert diff(want, got) is None, (fn.__name__, diff(want, got))


def test_mutation_while_iterating():
    for xs in ([], [1], [1, 2, 3, 4], [5, 1]):
        check(list_appended, [(list(xs),)])
        check(list_forgets_after_end, [(list(xs),)])
        check(list_appended_before_end, [(list(xs),)])
        check(list_shrinks, [(list(xs),)])
    check(dict_resized, [({1: 2, 3: 4},), ({1: 2},)])
    check(dict_resized_in_loop, [({1: 0, 2: 0, 3: 0, 4: 0},), ({1: 0},)])
    check(set_resized, [({1, 2, 3},), ({5},)])


def test_first_match():
    rng = rng_for("first_match")
    for n in (0, 1, 5, 100):
        a = rng.standard_normal(n)
        xs = [float(x) for x in a]
        for t in (-10.0, 0.0, 0.5, 10.0):
            check(first_match, [(a, t), (xs, t)])
            check(first_match_index, [(a, t)])
            check(first_match_default_call, [(a, t)])
            check(first_match_of_iterator, [(a, t)])
            if n:
                check(first_match_no_default, [(a, t)])
    m = rng.standard_normal((4, 5))
    check(first_match_nested, [(m, 0.0), (m, 10.0), (m[:0], 0.0)])
    check(first_match_default_order, [([1, 5, 2],), ([1, 2, 9],), ([9],), ([],), ([1, 2],)])


def test_pep479_in_generator_expressions():
    rng = rng_for("pep479")
    a = rng.standard_normal(5)
    for n in (0, 3, 5, 6, 9):
        for fn in (pep479_sum, pep479_min, pep479_any, pep479_all, pep479_list, pep479_next_genexp):
            if fn is pep479_min and n == 0:
                continue
            check(fn, [(a, n)])
        check(pep479_not_in_list_comprehension, [(a, n)])
        check(pep479_list_comprehension_in_genexp, [(a, n)])
        check_sum_fold(next_default_in_fold, [(a, n)])
    fast = pyston.fast(fallback=False)(pep479_sum.py_func)
    for fn in (pep479_sum.py_func, fast):
        with pytest.raises(RuntimeError, match="generator raised StopIteration") as ei:
            fn(a, 9)
        assert type(ei.value.__cause__) is StopIteration
    # a callable compiled code does not know may raise one: the fold's handler
    b = np.array([1.0, 2.0, 3.0, 0.5])
    assert_same(pep479_unknown_callable, b, allow_fallback=True)
    assert_same(pep479_unknown_callable, b[:2], allow_fallback=True)
    assert_same(pep479_unknown_callable_tuple, b[2:], allow_fallback=True)
    check(fold_with_builtin_calls, [(rng.standard_normal(9),)])


# uses that leave compiled code: plain Python, exactly


def returned(a):
    it = iter(a)
    next(it)
    return it


def passed_on(a):
    it = iter(a)
    return sum(list(it)[1:]) + len(list(it))


def stored(a):
    it = iter(a)
    box = [it]
    return next(box[0])


def in_lambda(a):
    it = iter(a)
    f = lambda: next(it)  # noqa: E731
    return f() + f()


def bound_twice(a, b):
    it = iter(a)
    x = next(it)
    it = iter(b)
    return x + next(it)


def next_of_no_iterator(xs):
    return next(xs)


def iter_of_no_iterable(x):
    it = iter(x)
    return next(it)


def callable_sentinel(xs):
    it = iter(xs.pop, 3)
    return next(it)


def test_other_uses_run_as_python():
    a = np.arange(5.0)
    with pytest.warns(pyston.PerformanceWarning):
        r = pyston.fast(returned)(a)
    assert next(r) == 1.0
    for fn, args in (
        (passed_on, (a,)),
        (stored, (a,)),
        (in_lambda, (a,)),
        (bound_twice, (a, a[::-1])),
        (next_of_no_iterator, ([1, 2],)),
        (iter_of_no_iterable, (5,)),
        (callable_sentinel, ([1, 3, 2],)),
    ):
        assert_same(pyston.fast(fn), *args, allow_fallback=True)


# compiled generators and inlined helpers


@pyston.fast
def gen_pairs(a):
    it = iter(a)
    for x in it:
        yield x + next(it, 0.0)


@pyston.fast
def consume_gen_pairs(a):
    s = 0.0
    for v in gen_pairs(a):
        s += v
    return s


def first_two(a):
    it = iter(a)
    return next(it) + next(it, 0.0)


@pyston.fast
def uses_helper(a):
    return first_two(a) * 2.0


def test_generators_and_helpers():
    for n in (0, 1, 4, 5):
        a = np.arange(float(n))
        assert list(gen_pairs(a)) == list(gen_pairs.py_func(a))
        check(consume_gen_pairs, [(a,)])
        if n:
            check(uses_helper, [(a,)])
    assert_same(uses_helper, np.empty(0), allow_fallback=True)


# njit: the same code


NJIT_KERNELS = [
    (first_then_rest, (np.arange(6.0),)),
    (while_next, (np.arange(6.0),)),
    (pairs_sum, (np.arange(7.0),)),
    (list_iter, ([3, 1, 4],)),
    (zip_iter, (np.arange(4.0), np.arange(3.0))),
    (first_match, (np.arange(6.0), 2.5)),
    (first_match_index, (np.arange(6.0), 2.5)),
    (next_default_in_fold, (np.arange(3.0), 5)),
]


def _py_scalars(x):
    if isinstance(x, tuple):
        return tuple(_py_scalars(v) for v in x)
    return x.item() if isinstance(x, np.generic) else x


@pytest.mark.parametrize("fn,args", NJIT_KERNELS, ids=[f.__name__ for f, _ in NJIT_KERNELS])
def test_njit_accepts_the_same_code(fn, args):
    if SUM_OF_LIST and fn is next_default_in_fold:
        pytest.skip("sum() of a list of mixed np.float64/float items is not compiled on CPython 3.12+")
    fn = fn.py_func
    got = pyston.njit(fn)(*args)
    want = fn(*args)
    assert _py_scalars(got) == _py_scalars(want)
    numba = pytest.importorskip("numba")
    try:
        nb = numba.njit(fn)(*args)
    except Exception:  # noqa: BLE001 - Numba does not compile every kernel here
        return
    assert _py_scalars(got) == _py_scalars(nb)


def test_native_everywhere_expected():
    # (a few of the kernels above, with fallback=False explicitly)
    a = np.arange(4.0)
    for fn, args in ((first_then_rest, (a,)), (while_next, (a,)), (first_match, (a, 1.5)), (pep479_sum, (a, 2))):
        native(fn, *args)
        assert_same_all(fn, [args])
