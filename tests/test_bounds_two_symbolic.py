"""Index checks of `a[i + k]` where both loops have symbolic stops.

`for i in range(out.shape[0]): for k in range(w): a[i + k]` (a moving sum)
needs two symbolic bounds to prove `i + k < a.shape[0]`. The bounds pass
guards it once before the inner loop, with `i` at its current value
(`i + w <= a.shape[0]`), or before the outer loop with `i` at its last value
where the outer loop runs the inner one on every iteration and has no other
exit, and drops the per-element overflow, wraparound and bounds checks of
`a[i + k]`. A failing guard deoptimizes before the loop it guards, so the
interpreter raises the IndexError (or wraps a negative index) at exactly the
right element. Differential: plain and compiled agree on
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


# ---------------------------------------------------------------------------
# The inner loop's guards are checked once, before the outer loop, with the
# outer variable at its largest value (they are monotone in it), where the
# inner loop runs on every outer iteration and the outer loop has no exit but
# its header. A guard that fails there deoptimizes before the outer loop: the
# interpreter then raises the IndexError at its iteration, after the writes of
# the windows before it, exactly as plain Python.


@pyston.fast
def window_sum_into(a, out, w):
    n = out.shape[0]
    for i in range(n):
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


@pyston.fast
def window_sum_until(a, n, w, stop_at):
    # An exit from the outer loop (`break`): the guard stays before the inner loop.
    out = np.zeros(n, np.int64)
    for i in range(n):
        if i == stop_at:
            break
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


@pyston.fast
def window_sum_some(a, n, w, flags):
    # The inner loop only on some outer iterations: its guard stays there too.
    out = np.zeros(n, np.int64)
    for i in range(n):
        if flags[i]:
            s = 0
            for k in range(w):
                s += int(a[i + k])
            out[i] = s
    return out


def test_hoisted_guards_fail_at_the_right_window():
    rng = rng_for("hoisted_guards")
    a = rng.integers(-1000, 1000, 40).astype(np.int16)
    for n, w in [(33, 8), (34, 8), (40, 1), (41, 1), (0, 50), (0, 0), (5, 0), (3, -4), (1, 40), (1, 41), (2, 2**62)]:
        assert_same(window_sum_into, a, np.full(n, 7, np.int64), w)
        assert_same(window_sum, a, n, w)
    # A view and a reversed view: the same windows.
    assert_same(window_sum_into, a[::2], np.zeros(13, np.int64), 8)
    assert_same(window_sum_into, a[::-1], np.zeros(34, np.int64), 8)


def test_guards_stay_inside_loops_that_exit_early_or_skip():
    a = np.arange(20, dtype=np.int16)
    # Windows past the end only after the break / only where skipped: no IndexError.
    assert_same(window_sum_until, a, 30, 8, 13)
    assert_same(window_sum_until, a, 30, 8, 14)  # window 13 reads a[20]: IndexError
    flags = np.zeros(30, np.bool_)
    flags[:13] = True
    assert_same(window_sum_some, a, 30, 8, flags)
    flags[20] = True
    assert_same(window_sum_some, a, 30, 8, flags)
    # Compiled without falling back (the per-window guard passes each time):
    fast = pyston.fast(window_sum_until.py_func)
    out = fast(a, 30, 8, 13)
    assert out[:13].tolist() == [sum(range(i, i + 8)) for i in range(13)]


def _guards(tmp_path, exit_line):
    import os
    import subprocess
    import sys

    script = tmp_path / "hoist.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def f(a, out, w):\n"
        "    for i in range(out.shape[0]):\n"
        f"        {exit_line}\n"
        "        s = 0\n"
        "        for k in range(w):\n"
        "            s += int(a[i + k])\n"
        "        out[i] = s\n"
        "    return out\n"
        "f(np.arange(20, dtype=np.int16), np.zeros(13, np.int64), 8)\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="bounds")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    return [line for line in text.splitlines() if line.startswith("guard before")], text


def test_guard_is_hoisted_before_the_outer_loop(tmp_path):
    guards, text = _guards(tmp_path, "pass")
    assert guards and all(g.startswith("guard before block0:") for g in guards), text
    assert any("- 1 <= v0.shape[0]" in g for g in guards), text
    guards, text = _guards(tmp_path, "if i == w: break")
    assert guards and not any(g.startswith("guard before block0:") for g in guards), text
