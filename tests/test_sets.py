"""Python sets in compiled code (issue #14): real CPython sets of ints, bools and strs;
`set()`, set displays and comprehensions, `add`, `discard`, `in`, `len` and truth
natively, every other method, operator and builtin through the set's own (so results,
`KeyError`s and messages are CPython's). Differential against plain Python (value,
type, exception, the mutation of set arguments), and each kernel must compile natively."""

import gc

import numpy as np
import pyston
from helpers import assert_same, rng_for, rss_bytes
from test_lists import check, falls_back


@pyston.fast
def duplicates(a):
    seen = set()
    dup = 0
    for x in a:
        v = int(x)
        if v in seen:
            dup += 1
        seen.add(v)
    return dup, len(seen), sorted(seen)


def test_membership_loop_random():
    rng = rng_for("sets")
    cases = [(rng.integers(-5, 5, k),) for k in (0, 1, 7, 200)]
    cases += [(rng.integers(-(2**62), 2**62, 50),), (np.array([True, False, True]),)]
    check(duplicates, cases)


@pyston.fast
def displays(n, b):
    s = {3, 1, 2, 1}  # noqa: B033 - a repeated element: one is kept
    t = {i % 5 for i in range(n) if i != 2}
    u = {True, False, True}  # noqa: B033
    v = {b, not b}
    return s, t, u, v, len(t), 4 in t, True in u


def test_displays_and_comprehensions():
    check(displays, [(0, True), (1, False), (9, True)])
    # ints and bools in one set: a union element type, the set CPython's own
    # ({1, True} is {1}: the first one added stays)
    check(mixed, [(1,), (0,), (5,), (True,)])


@pyston.fast
def mixed(x):
    return {x, True, 0, False}  # noqa: B033 - 0 and False are one element


@pyston.fast
def mutate(s, x, y):
    s.add(x)
    s.discard(y)
    s.discard(y)
    return len(s), x in s, y in s, not s


@pyston.fast
def remove(s, x):
    s.remove(x)
    return s


def test_mutating_arguments():
    check(mutate, [({1, 2, 3}, 4, 2), (set(), 1, 1), ({5}, 5, 6), ({True}, False, True)])
    check(remove, [({1, 2}, 1), ({7}, 7)])
    e = assert_same(remove, {1, 2}, 3)
    assert type(e) is KeyError and e.args == (3,)
    s = {1}
    mutate(s, 9, 1)
    assert s == {9}  # the caller's set is the one changed


@pyston.fast
def operators(s, t):
    a = s | t
    b = s & t
    c = s - t
    d = s ^ t
    return a, b, c, d, s == t, s != t, s < t, s <= t, s > t, s >= t


@pyston.fast
def inplace(s, t):
    s |= t
    u = set(s)
    u &= {1, 2, 3}
    u -= {2}
    u ^= {7}
    return s, u


@pyston.fast
def methods(s, t):
    a = s.union(t)
    b = s.intersection(t)
    c = s.difference(t)
    d = s.symmetric_difference(t)
    e = (s.issubset(t), s.issuperset(t), s.isdisjoint(t))
    f = s.copy()
    f.update(t)
    g = s.copy()
    g.intersection_update(t)
    g.difference_update({0})
    h = s.copy()
    h.clear()
    return a, b, c, d, e, f, g, h


def test_operators_and_methods():
    pairs = [({1, 2, 3}, {2, 3, 4}), (set(), {1}), ({1, 2}, {1, 2}), ({0, 5}, set()), ({-(2**63)}, {2**63 - 1})]
    check(operators, pairs)
    check(inplace, pairs)
    check(methods, pairs)


@pyston.fast
def builtins_of(s):
    return len(s), bool(s), sorted(s), sorted(s, reverse=True), list(set(sorted(s))), sum(s), any(s), all(s)


@pyston.fast
def extremes(s):
    return min(s), max(s)


@pyston.fast
def pop_one(s):
    x = s.pop()
    return x, s


def test_builtins_over_sets():
    check(builtins_of, [({3, 1, 2},), (set(),), ({0},), ({-(2**63), 2**63 - 1},)])
    check(extremes, [({3, 1, 2},), ({5},)])
    assert type(assert_same(extremes, set(), allow_fallback=True)) is ValueError
    check(pop_one, [({4, 5},), ({1},)])


@pyston.fast
def numpy_needles(s, a):
    return a[0] in s, a[1] not in s


def test_numpy_integer_needles():
    check(numpy_needles, [({1, 2}, np.array([1, 3], dtype=np.int8)), ({255}, np.array([255, 0], dtype=np.uint8))])


@pyston.fast
def iterate(s):
    t = 0
    for x in s:
        t += x
    return t


@pyston.fast
def float_set(x):
    s = {x}
    return len(s)


def test_what_runs_as_plain_python():
    check(iterate, [({1, 2, 3},)])  # (iterating compiles now: tests/test_dict_iteration.py)
    falls_back(float_set, 1.5, reason="sets of 'float' elements")


def test_memory_flat():
    a = np.arange(50)
    duplicates(a)
    gc.collect()
    before = rss_bytes()
    for _ in range(100_000):
        duplicates(a)
    gc.collect()
    assert (rss_bytes() - before) / 2**20 < 20


@pyston.fast
def word_sets(ws, extra):
    s = {w for w in ws}
    t = set()
    for w in ws:
        if w not in t:
            t.add(w.upper())
    s.add(extra)
    s.discard("zz")
    n = 0
    for w in s:
        n += len(w)
    return len(s), n, "a" in s, extra in t, sorted(s), t, s - t, s | {"new"}


@pyston.fast
def add_word(s, w):
    s.add(w)
    s.discard("x")
    return w in s, len(s)


def test_sets_of_strings():
    rng = rng_for("strsets")
    alphabet = ["a", "bb", "c", "A", "BB", "zz", "", "é", "a b"]
    for n in (0, 1, 5, 30):
        ws = [alphabet[i] for i in rng.integers(0, len(alphabet), n)]
        for extra in ("q", "a", "A", ""):
            assert_same(word_sets, ws, extra)
    for s in (set(), {"x", "y"}, {"x"}):
        assert_same(add_word, s, "z")
        assert_same(add_word, s, "x")
