"""Issue #14 item 2: `zip`/`enumerate`/`reversed` objects bound to a name that
only the next `for` loop iterates (`z = zip(a, b); s = 0.0; for x, y in z:`)
compile natively; `list(zip(...))` and the like stay CPython's. Differential against plain Python: values, types, exceptions (with
the line of the call), on random and edge inputs."""

import numpy as np
import pyston
from helpers import assert_same, assert_same_all, check, rng_for


@pyston.fast
def zip_bound(a, b):
    z = zip(a, b)
    s = 0.0
    n = -1
    for x, y in z:
        s += x * y
        n += 1
    return s, n


@pyston.fast
def enumerate_bound(a, k):
    e = enumerate(a, k)
    best = -1
    for i, x in e:
        if x > 0.5:
            best = i
    return best


@pyston.fast
def reversed_bound(xs):
    r = reversed(xs)
    out = 0
    for x in r:
        out = out * 10 + x
    return out


@pyston.fast
def zip_of_range_and_list(n, xs):
    pairs = zip(range(n), xs)
    t = 0
    for i, x in pairs:
        t += i * x
    return t


@pyston.fast
def nested_bound(a, b):
    total = 0.0
    for i in range(3):
        z = zip(a, b)
        for x, y in z:
            total += (x - y) * i
    return total


def test_iterators_bound_to_a_name():
    rng = rng_for("iterator_values")
    for n, m in ((0, 0), (1, 1), (5, 3), (3, 5), (100, 100)):
        a, b = rng.standard_normal(n), rng.standard_normal(m)
        check(zip_bound, [(a, b)])
        check(nested_bound, [(a, b)])
        for k in (0, -3, 2**40):
            check(enumerate_bound, [(a, k)])
        check(zip_bound, [(list(a), b.astype(np.float32))])
    for xs in ([], [1], [3, 1, 4, 1, 5]):
        check(reversed_bound, [(xs,)])
        check(zip_of_range_and_list, [(2, xs), (10, xs)])
    # errors of the call itself: CPython's TypeError
    assert_same_all(zip_bound, [(np.ones(2), 3), (None, [1.0])], allow_fallback=True)
    assert_same(enumerate_bound, np.ones(3), 1.5, allow_fallback=True)


def zip_bound_read_twice(a, b):
    z = zip(a, b)
    for x, _y in z:
        if x > 0:
            break
    t = 0.0
    for x, y in z:  # (the same iterator, continued: not rewritten)
        t += x + y
    return t


def zip_bound_then_call(a, b):
    z = zip(a, b)
    n = len(a)  # (a call between: not rewritten)
    t = 0.0
    for x, y in z:
        t += x * y * n
    return t


def zip_bound_then_rebind(a, b):
    z = zip(a, b)
    a = 0.5  # (rebinds a name the call read: not rewritten)
    t = 0.0
    for x, y in z:
        t += x * y
    return t + a


def test_other_uses_stay_plain_and_exact():
    rng = rng_for("iterator_values_plain")
    for n in (0, 3, 8):
        a, b = rng.standard_normal(n), rng.standard_normal(n)
        for fn in (zip_bound_read_twice, zip_bound_then_call, zip_bound_then_rebind):
            assert_same(pyston.fast(fn), a, b, allow_fallback=True)


@pyston.fast
def list_zip(a, b):
    return list(zip(a, b))


@pyston.fast
def list_enumerate(xs, k):
    return list(enumerate(xs, k))


@pyston.fast
def list_reversed(xs):
    return list(reversed(xs))


@pyston.fast
def list_zip3(n, a):
    return list(zip(range(n), a, a))


def test_list_of_composite_iterables_runs_as_python():
    # (CPython's list(zip(...)) only moves references: a compiled loop boxing
    # every item again was 1.4x to 15x slower, so these stay CPython's)
    rng = rng_for("list_of_zip")
    for n in (0, 1, 4):
        a = rng.standard_normal(n)
        b = rng.integers(-5, 5, n + 1)
        for fn, args in ((list_zip, (a, b)), (list_zip, (list(a), list(b))), (list_enumerate, (list(b), -7)),
                         (list_reversed, (list(b),)), (list_zip3, (n + 2, a))):
            assert_same(fn, *args, allow_fallback=True)
