"""Optional values (`None` or a number, decided at run time) in compiled code (issue #14):
the `best = None ... if best is None or x > best:` idiom, `d.get(k)` without a default,
comparisons with None. An operation CPython raises TypeError for when the value is None
deoptimizes there (the interpreter tier raises it exactly); `None == x` is False. Differential
against plain Python, each kernel compiling natively."""

import numpy as np
import pyston
from helpers import assert_same, rng_for
from test_lists import check


@pyston.fast
def best_of(a):
    best = None
    for x in a:
        if best is None or x > best:
            best = x
    return best


@pyston.fast
def argmin(a):
    bi = None
    bv = 0.0
    for i in range(len(a)):
        if bi is None or a[i] < bv:
            bi = i
            bv = a[i]
    return bi, bi == None, bi != None, None == bi  # noqa: E711 - the comparison itself is tested


@pyston.fast
def last_positive(a):
    last = None
    for x in a:
        if x > 0:
            last = int(x)
    if last is not None:
        return last * 2
    return -1


def test_best_so_far_idioms():
    rng = rng_for("optional")
    cases = [(np.array([]),), (np.array([3.0]),), (rng.standard_normal(50),), (np.array([np.nan, 1.0, np.nan]),)]
    check(best_of, cases)
    check(argmin, cases)
    check(last_positive, [(np.array([-1, 3, -2, 5]),), (np.array([-1]),), (np.array([], dtype=np.int64),)])


@pyston.fast
def add_optional(x, flag):
    v = None
    if flag:
        v = 1.5
    return v + x, -v, v < x


@pyston.fast
def compare_optionals(flag_a, flag_b):
    a = None
    b = None
    if flag_a:
        a = 2
    if flag_b:
        b = 3
    return a == b, a != b, a < b


def test_none_operand_raises_like_cpython():
    check(add_optional, [(1.0, True), (-2.5, True)])
    e = assert_same(add_optional, 1.0, False)
    assert type(e) is TypeError and "NoneType" in str(e)
    check(compare_optionals, [(True, True)])
    for flags in [(True, False), (False, True), (False, False)]:
        assert type(assert_same(compare_optionals, *flags)) is TypeError


@pyston.fast
def lookups(d, keys):
    hits = 0
    total = 0
    for k in keys:
        v = d.get(int(k))
        if v is None:
            continue
        hits += 1
        total += v
    return hits, total, d.get(-1)


def test_dict_get_without_default():
    rng = rng_for("optional-get")
    d = {int(k): int(v) for k, v in zip(rng.integers(0, 20, 15), rng.integers(-9, 9, 15))}
    check(lookups, [(d, rng.integers(0, 25, 40)), ({}, np.array([1, 2])), ({-1: 5}, np.array([-1]))])
    # a value compiled code does not hold (a float among ints) deoptimizes
    assert_same(lookups, {1: 2, 3: 4.5}, np.array([1, 3]))
