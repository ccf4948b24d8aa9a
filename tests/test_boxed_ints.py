"""Ints beyond 64 bits in compiled code.

An int operation that overflows deoptimizes to the interpreter tier; when the
same operation overflows on a second call, the function is recompiled with
that result held as a boxed Python int (CPython's own arithmetic), so the
slow path does not repeat on every call. Big-int arguments are compiled too.
"""

from __future__ import annotations

import gc
import math

import numpy as np
import pyston
import pytest
from helpers import assert_same, rss_bytes


@pyston.fast
def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


@pyston.fast
def power_sum(n):
    s = 0
    for i in range(n):
        s += i * i * i * i * i
    return s


@pyston.fast
def mixed(a, b):
    c = a * b
    return c + 1, c - 0.5, c // 7, c % 7, c > b, -c


def test_repeated_overflow_recompiles_boxed():
    for _ in range(3):
        assert assert_same(factorial, 40) == math.factorial(40)
    assert "int (boxed)" in factorial.inspect_types()
    # Results stay exact for small and big inputs alike.
    for n in (0, 1, 5, 20, 21, 100):
        assert assert_same(factorial, n) == math.factorial(n)
    assert type(factorial(5)) is int


def test_boxing_converges_on_the_overflowing_operations():
    for _ in range(10):
        assert_same(power_sum, 20000)
    types = power_sum.inspect_types()
    assert "int (boxed)" in types
    # The loop counter itself stays a machine int.
    assert "range_next" in types and "v" in types


def test_big_int_arguments_are_compiled():
    for args in [(2**70, 3), (-(2**80), 2**70), (2**64, -1), (5, 2**65)]:
        assert_same(mixed, *args, allow_fallback=True)
    assert any("int (boxed)" in s for s in mixed.signatures)


def test_boxed_loop_keeps_memory_flat():
    for _ in range(10):
        power_sum(3000)
    gc.collect()
    before = rss_bytes()
    for _ in range(300):
        power_sum(3000)
    gc.collect()
    assert rss_bytes() - before < 20e6


def neg_pow_sum(n):
    s = 0.0
    for k in range(n):
        s += 2 ** -(k % 5)  # an int power with a negative exponent is a float
    return s


def pow_both_signs(lo, hi):
    t = 0
    r = 0
    for k in range(lo, hi):
        r = 3 ** k
        if k >= 0:
            t = t + r
    return t, r


def test_int_power_with_negative_exponent_recompiles_as_int_or_float():
    g = pyston.fast(neg_pow_sum)
    for n in (10, 1000, 1):
        assert g(n) == neg_pow_sum(n)
    # After the first negative exponent the power is compiled as int | float:
    # no deoptimization per iteration (it was slower than CPython).
    assert "int | float" in g.inspect_types()


@pytest.mark.parametrize("lo,hi", [(-3, 0), (-3, 5), (0, 4), (-2, 45), (5, 6)])
def test_int_power_of_either_sign_is_exact(lo, hi):
    g = pyston.fast(pow_both_signs)
    for _ in range(3):
        got, want = g(lo, hi), pow_both_signs(lo, hi)
        assert got == want and [type(x) for x in got] == [type(x) for x in want]


def test_zero_to_a_negative_power_raises_as_cpython():
    def zero_pow(k):
        return 0 ** k

    g = pyston.fast(zero_pow)
    assert g(3) == 0
    for _ in range(3):
        with pytest.raises(ZeroDivisionError, match="0.0 cannot be raised to a negative power"):
            g(-1)


def neg_pow_one(b, e):
    return b**e


def test_negative_int_powers_are_pows_bit_for_bit():
    # 1 / b**n (exact when the power fits 53 bits and the rounding is clear) must be
    # what libm pow gives CPython, bit for bit; the rest is pow itself.
    g = pyston.fast(neg_pow_one)
    g(2, -1)  # adapt: int | float
    g(2, -1)
    rng = np.random.default_rng(7)
    bases = [int(b) for b in rng.integers(-(2**20), 2**20, size=400)]
    bases += [1, -1, 2, -2, 3, 7, 10, 1000003, 2**26 + 1, 3**33, -(5**22), 2**62, -(2**63)]
    for b in bases:
        if b == 0:
            continue
        for e in (-1, -2, -3, -4, -5, -7, -13, -40, -64, -65, -1000):
            want = neg_pow_one(b, e)
            got = g(b, e)
            assert type(got) is float and got.hex() == want.hex(), (b, e, got, want)
    with pytest.raises(ZeroDivisionError):
        g(0, -1)
