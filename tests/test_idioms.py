"""Loop idioms done in one step: the bit-count loop (`x &= x - 1`).

Codegen adds `c * popcount(x)` to the total on entry when `x >= 0` and the
sum fits in 64 bits, and hands the loop `x == 0`; otherwise the loop runs as
written. The results (values, int vs big int) must be CPython's.
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
