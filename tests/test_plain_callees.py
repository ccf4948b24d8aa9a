"""A compiled function calling a plain (undecorated) module-level function.

The helper is compiled through a strict dispatcher of its own (the one a
function passed as an argument gets): strict mode gives the helper's own
results, so the kernel stays native. Differential: the same kernel plain and
compiled, on random and edge inputs; rebinding the helper's global after the
kernel compiled; a helper that cannot compile; exceptions raised in the helper
(type, message, and the helper's frame in the traceback); recursion; defaults
and keywords.
"""

from __future__ import annotations

import traceback

import numpy as np
import pyston
import pytest


def clamp(i, offset, maxval):
    j = max(0, i + offset)
    return min(j, maxval)


def conv(x, w):
    # numpy-benchmarks' conv: two helper calls per element.
    result = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for ii in range(w.shape[0]):
                for jj in range(w.shape[1]):
                    idx = clamp(i, ii - w.shape[0] // 2, w.shape[0]), clamp(j, jj - w.shape[0] // 2, w.shape[0])
                    result[i, j] += x[idx] * w[ii, jj]
    return result


def scale(v, k=2.0, shift=0.5):
    return v * k + shift


def scaled_sum(a):
    s = 0.0
    for v in a:
        s += scale(v) + scale(v, 3.0) + scale(v, k=0.25, shift=-1.0)
    return s


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fibs(n):
    return [fib(k) for k in range(n)]


def inv(x):
    return 10 // x


def inv_sum(xs):
    s = 0
    for x in xs:
        s += inv(x)
    return s


class Box:
    def __init__(self, v):
        self.v = v


def boxed(x):
    return Box(x).v + 1  # a class instance: not compiled


def boxed_sum(a):
    s = 0
    for v in a:
        s += boxed(v)
    return s


def gen_helper(n):
    yield from range(n)


def uses_gen(n):
    return sum(gen_helper(n))


def test_conv_native(rng):
    x, w = rng.standard_normal((23, 17)), rng.standard_normal((5, 5))
    fast = pyston.fast(conv, fallback=False)
    assert np.array_equal(fast(x, w), conv(x, w))
    x = np.tri(9, 9) * 0.5
    assert np.array_equal(fast(x, np.tri(3, 3)), conv(x, np.tri(3, 3)))


def test_defaults_and_keywords(rng):
    a = rng.standard_normal(50)
    assert pyston.fast(scaled_sum, fallback=False)(a) == scaled_sum(a)
    assert pyston.fast(scaled_sum, fallback=False)(a.tolist()) == scaled_sum(a.tolist())


def test_recursive_helper():
    assert pyston.fast(fibs, fallback=False)(15) == fibs(15)


def test_rebinding_the_helper_is_seen():
    global scale
    fast = pyston.fast(scaled_sum)
    a = np.arange(5.0)
    before = fast(a)
    assert before == scaled_sum(a)
    old = scale
    try:
        scale = lambda v, k=2.0, shift=0.5: v - k - shift  # noqa: E731
        assert fast(a) == scaled_sum(a) != before
    finally:
        scale = old
    assert fast(a) == before


def test_exception_in_helper():
    fast = pyston.fast(inv_sum, fallback=False)
    assert fast([1, 2, 5]) == inv_sum([1, 2, 5])

    def outcome(f):
        try:
            f([1, 2, 0, 4])
        except ZeroDivisionError as e:
            tb = traceback.extract_tb(e.__traceback__)
            return str(e), [(fr.name, fr.lineno) for fr in tb][-2:]
        return None

    assert outcome(fast) == outcome(inv_sum)
    assert outcome(fast)[1][-1][0] == "inv"


def test_helper_that_cannot_compile(rng):
    a = rng.integers(-5, 5, 20)
    with pytest.warns(pyston.PerformanceWarning):
        got = pyston.fast(boxed_sum)(a)
    assert got == boxed_sum(a)


def test_generator_helper_is_left_to_python():
    assert pyston.fast(uses_gen)(10) == uses_gen(10)


# ---- inlining of small module-level functions at their calls -----------------

K = 3.0


def add_k(v):
    return v + K  # reads the global K


def shadowing(a):
    K = 100.0  # noqa: N806 - a local named like the helper's global
    s = 0.0
    for v in a:
        s += add_k(v) + K
    return s


def first_at_least(a, t):
    for i in range(len(a)):
        if a[i] >= t:
            return i
    return -1


def count_hits(a, ts):
    n = 0
    for t in ts:
        n += first_at_least(a, t)
    return n


flagged = pyston.fast(add_k, unchecked_int=True)


def uses_flagged(a):
    s = 0.0
    for v in a:
        s += flagged(v)
    return s


def test_inlined_at_the_call(rng):
    x, w = rng.standard_normal((6, 5)), rng.standard_normal((3, 3))
    fast = pyston.fast(conv, fallback=False)
    fast(x, w)
    assert 'global "clamp"' not in fast.inspect_types()  # inlined
    a = rng.integers(0, 50, 40).astype(float)
    fast = pyston.fast(count_hits, fallback=False)
    ts = [0.0, 10.0, 49.0, 60.0]
    assert fast(a, ts) == count_hits(a, ts)  # a return inside the helper's loop
    assert 'global "first_at_least"' not in fast.inspect_types()


def test_not_inlined_where_names_differ(rng):
    a = rng.standard_normal(10)
    fast = pyston.fast(shadowing, fallback=False)
    assert fast(a) == shadowing(a)
    assert 'global "add_k"' in fast.inspect_types()  # called, not inlined


def test_not_inlined_across_semantics(rng):
    # A helper compiled with other flags keeps them: called, not inlined.
    a = rng.standard_normal(10)
    fast = pyston.fast(uses_flagged, fallback=False)
    assert fast(a) == uses_flagged(a)
    assert 'global "flagged"' in fast.inspect_types()


def test_rebinding_a_global_the_inlined_helper_reads(rng):
    global K
    a = rng.standard_normal(10)
    fast = pyston.fast(scaled_with_k, fallback=False)
    assert fast(a) == scaled_with_k(a)
    old = K
    try:
        K = -7.5
        assert fast(a) == scaled_with_k(a)
    finally:
        K = old


def scaled_with_k(a):
    s = 0.0
    for v in a:
        s += add_k(v)
    return s
