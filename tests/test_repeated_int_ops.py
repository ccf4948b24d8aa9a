"""Int `+ - *` repeating one computed before them (the bounds pass's `repeated_ops`):
`N - 1` inside `for j in range(1, N - 1)` is the value the loop's bound already
computed with an overflow check, so it needs no check of its own, and the small
pass fuses array expressions across it. Differential against plain Python: the
repeat must still overflow into a big int wherever the first one did not
dominate it (a branch not taken, another order of operands for `-`)."""

import os
import subprocess
import sys

import numpy as np
import pyston
from helpers import I64_MAX, I64_MIN, assert_same, rng_for


@pyston.fast
def repeats(n, m, flag):
    a = n + m
    b = m + n  # the same sum: dominated by `a`
    c = 0
    if flag:
        c = n * 3
    d = n * 3  # not dominated by the branch's product
    e = n - m
    g = m - n  # not the same difference
    return a, b, c, d, e, g


@pyston.fast
def loop_repeats(n, k):
    t = 0
    for j in range(1, n - 1):
        t += (n - 1) * k + j
        if t > 10**6:
            t -= n - 1
    return t, n - 1


def test_repeated_ops_exact():
    big = [0, 1, -1, 7, 2**31, 2**62, I64_MAX, I64_MAX - 1, I64_MIN, I64_MIN + 1, -(2**62)]
    for n in big:
        for m in big:
            for flag in (False, True):
                assert_same(repeats, n, m, flag)
    rng = rng_for("repeated_ops")
    for _ in range(50):
        n, m = (int(x) for x in rng.integers(I64_MIN, I64_MAX, 2, dtype=np.int64))
        assert_same(repeats, n, m, bool(rng.integers(2)))
    for n in (0, 1, 2, 3, 50, I64_MIN, I64_MIN + 1):
        for k in (0, 1, -5, 2**40, I64_MAX):
            assert_same(loop_repeats, n, k, allow_fallback=n == I64_MIN)


@pyston.fast
def adi_columns(u, p, q, a, d, N):
    for j in range(1, N - 1):
        p[1 : N - 1, j] = -a / (a * p[1 : N - 1, j - 1] + 2.0)
        q[1 : N - 1, j] = (
            -d * u[j, 0 : N - 2] + (1.0 + 2.0 * d) * u[j, 1 : N - 1] - d * u[j, 2:N] - a * q[1 : N - 1, j - 1]
        ) / (a * p[1 : N - 1, j - 1] + 2.0)
    return p, q


def test_column_sweeps_exact():
    rng = rng_for("adi_columns")
    for N in (0, 1, 2, 3, 4, 9, 40):
        u = rng.standard_normal((N, N))
        p = rng.standard_normal((N, N))
        q = rng.standard_normal((N, N))
        assert_same(adi_columns, u, p, q, -0.3, 0.7)
        # N smaller or larger than the arrays: NumPy's broadcasting errors
        assert_same(adi_columns, u, p, q, -0.3, 0.7, N + 2)
    # overflow to inf and NaN: NumPy's warnings from the same statement
    u = np.full((6, 6), 1e308)
    assert_same(adi_columns, u, np.zeros((6, 6)), np.zeros((6, 6)), -0.3, 1e10, 6)


def test_column_sweep_fused_across_repeats(tmp_path):
    """With `N - 1` a repeat, the nine operations of q's right-hand side are one expression."""
    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def f(u, q, a, d, N):\n"
        "    for j in range(1, N - 1):\n"
        "        q[1:N - 1, j] = (-d * u[j, 0:N - 2] + (1.0 + 2.0 * d) * u[j, 1:N - 1] - d * u[j, 2:N]\n"
        "                         - a * q[1:N - 1, j - 1]) / (a * q[1:N - 1, j - 1] + 2.0)\n"
        "f(np.ones((5, 5)), np.ones((5, 5)), 0.5, 0.25, 5)\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="small,bounds,fusion")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    # (the small-array pass or the fusion pass takes the whole right-hand side)
    fused = [ln for ln in text.splitlines() if ln.startswith("fused ") and "10 nodes" in ln]
    assert "make float64: 9 nodes" in text or fused, text
