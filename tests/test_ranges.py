"""`range` objects as values in compiled code (issue #14 item 4): made from ints (a zero step
raises CPython's ValueError), passed in as arguments, returned; `len`, `r[i]` (CPython's
IndexError), iteration (also under `enumerate`/`reversed` and in comprehensions), truth, `in`,
and the builtins over them. Differential against plain Python, each kernel compiling natively."""

import numpy as np
import pyston
from helpers import assert_same, rng_for
from test_lists import check


@pyston.fast
def made(a, b, step):
    r = range(a, b, step)
    t = 0
    for i in r:
        t += i
    first = r[0] if r else None
    return t, len(r), first, r[-1] if r else None, 3 in r, list(r)[:3], sum(r), bool(r), r


@pyston.fast
def passed(r, i):
    return r[i], len(r), [x * 2 for x in r], min(r), max(r)


@pyston.fast
def composite(n):
    r = range(n)
    t = 0
    for k, i in enumerate(r):
        t += k * i
    for i in reversed(r):
        t = t * 3 - i
    return t, any(r), all(r), sorted(r)[-1:] if r else []


def test_range_values():
    rng = rng_for("ranges")
    cases = [(1, 10, 2), (10, 1, -1), (1, 1, 1), (-5, 20, 3), (0, 2**62, 2**61), (-(2**63), 2**63 - 1, 2**62)]
    cases += [tuple(int(x) for x in rng.integers(-50, 50, 2)) + (int(rng.choice([-3, -1, 1, 2])),) for _ in range(20)]
    check(made, cases)
    check(passed, [(range(5, 0, -2), 1), (range(10), -1), (range(-3, 3), 0), (range(0, 100, 7), 13)])
    check(composite, [(0,), (1,), (6,)])


def test_errors_are_cpythons():
    e = assert_same(made, 1, 10, 0)
    assert type(e) is ValueError and "must not be zero" in str(e)
    for i in (3, -4, 2**62):
        e = assert_same(passed, range(3), i)
        assert type(e) is IndexError and str(e) == "range object index out of range"
    assert type(assert_same(passed, range(0), 0)) is IndexError


def test_numpy_integer_bounds():
    check(made, [(np.int64(2), np.int32(9), np.int8(3))])
