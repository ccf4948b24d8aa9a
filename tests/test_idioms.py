"""Loop idioms done in one step: the bit-count loop (`x &= x - 1`).

Codegen adds `c * popcount(x)` to the total on entry when `x >= 0` and the
sum fits in 64 bits, and hands the loop `x == 0`; otherwise the loop runs as
written. The results (values, int vs big int) must be CPython's.

When that loop is the whole body of `for i in range(start, stop)` over `x = i`,
the counted loop also has a SIMD version (int32 lanes, byte bit counts) for
`0 <= start`, `stop < 2**31` and a total that fits in 64 bits; the scalar loop
does the rest, or everything when one of those does not hold.
"""

from __future__ import annotations

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, assert_same


@pyston.fast
def bit_total(n, start):
    total = start
    for i in range(n):
        x = i * 7919
        while x:
            x &= x - 1
            total += 1
    return total


@pyston.fast
def weighted_bits(x, total, c):
    while x:
        x &= x - 1
        total += 3
    return total + c, x


@pyston.fast
def bits_of_array(a):
    total = 0
    for v in a:
        x = int(v)
        while x:
            x = x & (x - 1)
            total = total + 1
    return total


@pyston.fast
def not_the_idiom(x):
    # Also counts something else: left as a loop.
    total = 0
    other = 0
    while x:
        x &= x - 1
        total += 1
        other += x
    return total, other


@pyston.fast
def range_bits(start, stop, total):
    for i in range(start, stop):
        x = i
        while x:
            x &= x - 1
            total += 1
    return total


@pyston.fast
def range_bits_weighted(start, stop, total):
    for i in range(start, stop):
        x = i
        while x:
            x &= x - 1
            total -= 3
    return total


@pyston.fast
def range_bits_heavy(stop, total):
    for j in range(stop):
        x = j
        while x:
            x &= x - 1
            total += 2**40
    return total


def _range_cases(rng):
    # Every length from 0 to 67 (all tails after 16-counter steps), block
    # boundaries (31 steps of 16 counters), the int32 edge, and random spans.
    cases = [(0, n) for n in range(68)] + [(s, s + n) for s in (1, 5, 255) for n in range(0, 40, 3)]
    cases += [(0, 16 * 31 * k + d) for k in (1, 2, 3) for d in (-1, 0, 1, 17)]
    cases += [(2**31 - 100, 2**31 - 1), (2**31 - 100, 2**31), (2**31 - 40, 2**31 + 40)]
    # High bytes with many bits set for whole blocks (the byte sums' limit).
    cases += [(2**31 - 2**20, 2**31 - 2**20 + 5000), (2**31 - 6000, 2**31 - 1)]
    cases += [(2**40, 2**40 + 50), (2**62, 2**62 + 20), (10, 3), (70000, 70000)]
    for _ in range(8):
        s = int(rng.integers(0, 10**6))
        cases.append((s, s + int(rng.integers(0, 5000))))
    return cases


@pytest.mark.parametrize("total", [0, -17, I64_MAX - 1000, -(2**63) + 10, 2**70])
def test_bit_count_over_a_range(rng, total):
    # Fresh compiled functions per total: a total that overflows on two calls
    # gets the function recompiled with it boxed (no SIMD version), which must
    # not hide the cases after it.
    for fn in (range_bits, range_bits_weighted):
        fast = pyston.fast(fn.py_func)
        for start, stop in _range_cases(rng):
            assert_same(fast, start, stop, total)


@pytest.mark.parametrize("stop", [0, 16, 1000, 100000])
@pytest.mark.parametrize("total", [0, 2**62, -(2**62), I64_MAX - 2**41])
def test_bit_count_over_a_range_overflows_exactly(stop, total):
    # 2**40 per bit: the total leaves int64 for big stops (the scalar loop redoes it).
    assert_same(range_bits_heavy, stop, total)


def test_bit_count_over_a_range_is_vectorized():
    range_bits(0, 100, 0)
    asm = range_bits.inspect_asm()
    assert "popcnt" in asm or "cnt" in asm
    assert "xmm" in asm or "v0." in asm


@pytest.mark.parametrize("n", [0, 1, 2, 63, 64, 1000])
@pytest.mark.parametrize("start", [0, -5, I64_MAX - 3, I64_MAX, -(2**63)])
def test_bit_count_loop(n, start):
    # Near I64_MAX the total overflows: the loop runs as written and becomes a big int.
    assert_same(bit_total, n, start)


@pytest.mark.parametrize(
    "x", [0, 1, 2, 3, 255, 2**62, I64_MAX, 2**40 + 12345, 0b1011011]
)  # fmt: skip
@pytest.mark.parametrize("total", [0, 10, I64_MAX - 100, I64_MAX - 2, -(2**63)])
def test_weighted_bit_count(x, total):
    assert_same(weighted_bits, x, total, 1)


def test_over_array_elements(rng):
    a = rng.integers(0, 2**40, 500)
    assert_same(bits_of_array, a)
    assert_same(bits_of_array, np.array([0, 1, 2**62 - 1], dtype=np.int64))


@pytest.mark.parametrize("x", [0, 1, 12, 2**50 - 1])
def test_other_work_in_the_loop_keeps_it(x):
    assert_same(not_the_idiom, x)


def test_the_loop_is_gone_from_the_hot_path():
    bit_total(10, 0)
    assert "popcnt" in bit_total.inspect_asm() or "cnt" in bit_total.inspect_asm()


# ---------------------------------------------------------------------------
# Counting the true elements of a bool array (a SIMD version of the loop)
# ---------------------------------------------------------------------------


@pyston.fast
def count_true(flags, total):
    for i in range(len(flags)):
        if flags[i]:
            total += 1
    return total


@pyston.fast
def count_true_weighted(flags, start, stop, total):
    for i in range(start, stop):
        if flags[i]:
            total += -3
        else:
            pass
    return total


@pyston.fast
def count_true_big_step(flags, total):
    for i in range(len(flags)):
        if flags[i]:
            total += 2**40
    return total


def _bool_arrays(rng):
    out = [rng.random(n) < p for n in range(68) for p in (0.5,)]
    out += [np.ones(n, dtype=bool) for n in (16, 31, 32, 33, 100, 1000)]
    out += [np.zeros(n, dtype=bool) for n in (32, 1000)]
    out += [rng.random(n) < p for n in (5000, 70001) for p in (0.01, 0.5, 0.99)]
    # Bytes other than 0 and 1 (a bool view of raw bytes): NumPy counts any nonzero as true.
    out.append(np.frombuffer(bytes([0, 2, 255, 1, 0, 128] * 20), dtype=np.bool_))
    return out


@pytest.mark.parametrize("total", [0, -5, I64_MAX - 40, -(2**63), 2**70])
def test_count_true_elements(rng, total):
    # Fresh compiled functions per total (a total that overflows twice gets
    # the function recompiled with it boxed, which would hide later cases).
    f = pyston.fast(count_true.py_func)
    g = pyston.fast(count_true_weighted.py_func)
    for a in _bool_arrays(rng):
        assert_same(f, a, total)
        n = len(a)
        for start, stop in ((0, n), (3, n), (0, n - 5), (n // 2, n), (n, n)):
            assert_same(g, a, start, stop, total)


@pytest.mark.parametrize("total", [0, 2**62, I64_MAX - 2**45])
def test_count_true_overflows_exactly(total):
    for n in (16, 100, 9000):
        assert_same(count_true_big_step, np.ones(n, dtype=bool), total)


def test_count_true_strided_and_2d_views_are_counted_too(rng):
    a = rng.random(200) < 0.3
    assert_same(count_true, a[::2], 0)  # not contiguous: the scalar loop
    assert_same(count_true, a[::-1], 7)


def test_count_true_is_vectorized():
    count_true(np.ones(40, dtype=bool), 0)
    asm = count_true.inspect_asm()
    assert "xmm" in asm or "v0." in asm
