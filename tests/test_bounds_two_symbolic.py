"""Index checks of `a[i + k]` where both loops have symbolic stops.

`for i in range(out.shape[0]): for k in range(w): a[i + k]` (a moving sum)
needs two symbolic bounds to prove `i + k < a.shape[0]`. The bounds pass
guards it once before the inner loop, with `i` at its current value
(`i + w <= a.shape[0]`), and drops the per-element overflow, wraparound and
bounds checks of `a[i + k]`. A failing guard deoptimizes before the inner
loop, so the interpreter raises the IndexError (or wraps a negative index)
at exactly the right element. Differential: plain and compiled agree on
values, dtypes and exceptions."""

import numpy as np
import pyston
from helpers import assert_same, rng_for


@pyston.fast
def moving_sum_i16(a, w):
    out = np.zeros(a.shape[0] - w + 1, np.int32)
    for i in range(out.shape[0]):
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


@pyston.fast
def window_sum(a, n, w):
    # The outer stop is an argument: some windows run past the end.
    out = np.zeros(n, np.int64)
    for i in range(n):
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


@pyston.fast
def window_sum_offset(a, lo, n, w):
    t = 0
    for i in range(lo, n):
        for k in range(w):
            t += a[i + k] * (k + 1)
    return t


@pyston.fast
def window_2d(x, w):
    # k + i on axis 1, in the other order.
    out = np.zeros((x.shape[0], x.shape[1] - w + 1))
    for r in range(x.shape[0]):
        for i in range(out.shape[1]):
            for k in range(w):
                out[r, i] += x[r, k + i]
    return out


def test_moving_sum_values():
    rng = rng_for("moving_sum")
    a = rng.integers(-32768, 32768, 1000, dtype=np.int16)
    for w in [0, 1, 2, 7, 8, 9, 100, 999, 1000, 1001, 1500, -1, -5]:
        assert_same(moving_sum_i16, a, w)
    ext = np.array([32767] * 50 + [-32768] * 50, np.int16)
    for w in [1, 8, 64]:
        assert_same(moving_sum_i16, ext, w)
    assert_same(moving_sum_i16, np.zeros(0, np.int16), 0)
    assert_same(moving_sum_i16, np.zeros(0, np.int16), 1)
    assert_same(moving_sum_i16, np.zeros(0, np.int16), -3)


def test_moving_sum_views():
    rng = rng_for("moving_sum_views")
    base = rng.integers(-32768, 32768, 600, dtype=np.int16)
    for a in [base[::2], base[::-1], base[::-3], base[5:17]]:
        for w in [0, 1, 3, 8, len(a), len(a) + 1]:
            assert_same(moving_sum_i16, a, w)


def test_windows_past_the_end():
    a = np.arange(20, dtype=np.int64)
    assert_same(window_sum, a, 13, 8)  # 12 + 7 = 19: in range
    assert_same(window_sum, a, 14, 8)  # 13 + 7 = 20: IndexError at the last window
    assert_same(window_sum, a, 5, 0)
    assert_same(window_sum, a, 3, -2)
    assert_same(window_sum, a, 0, 30)
    assert_same(window_sum, a, 2, 2**63 - 1)  # the guard's i + w overflows: IndexError


def test_negative_indexes_wrap():
    a = np.arange(30, dtype=np.int64)
    assert_same(window_sum_offset, a, -10, 5, 4)  # i + k < 0: wraps around
    assert_same(window_sum_offset, a, 0, 27, 4)  # 26 + 3 = 29: in range
    assert_same(window_sum_offset, a, 0, 28, 4)  # IndexError
    assert_same(window_sum_offset, a, -40, 3, 2)  # IndexError (too negative)
    assert_same(window_sum_offset, a, 2**62, 2**62 + 3, 2**62)  # i + k overflows int64


def test_window_2d():
    rng = rng_for("window_2d")
    x = rng.random((5, 40))
    for w in [0, 1, 4, 40, 41]:
        assert_same(window_2d, x, w)
    assert_same(window_2d, x[:, ::-2], 3)


@pyston.fast
def int64_sum(a, w):
    # Terms up to 2**63: the carried sum may overflow int64 (a big int).
    s = 0
    for k in range(w):
        s += int(a[k])
    return s


@pyston.fast
def early_exit_sum(a, w):
    # A huge range left by `return`: no trip-count guard, the sum keeps its check.
    s = 0
    for k in range(w):
        s += int(a[k % a.shape[0]])
        if k == 5:
            return s
    return s


@pyston.fast
def int8_sum_offset(a, s0, w):
    s = s0
    for k in range(w):
        s += int(a[k])
    return s


def test_carried_sums():
    big = np.array([2**62, 2**62, 2**62, -(2**63), 2**63 - 1], np.int64)
    for w in range(6):
        assert_same(int64_sum, big, w)
    assert_same(early_exit_sum, np.arange(7, dtype=np.int16), 2**62)
    a8 = np.array([-128, 127, 5, -3], np.int8)
    for s0 in [0, 2**62, -(2**62), 2**63 - 1, -(2**63), 2**70]:
        for w in [0, 2, 4]:
            assert_same(int8_sum_offset, a8, s0, w)
