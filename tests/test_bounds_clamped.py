"""Index checks of clamped indexes: `x[min(max(0, i + o), M)]`.

The bounds pass proves such an index non-negative (`max(0, ...)`), so its
wraparound check goes, and in bounds when `M < x.shape[axis]`: proven where
`M` is `n - 1` with `n` that axis's length, else guarded once before the
innermost loop around the access (`M` another array's length, or a value
computed before the loop), and moved outward like the other guards. A
failing guard deoptimizes before the loop, so the interpreter raises the
IndexError (or wraps a negative index) at exactly the element CPython does.
Also: a tuple display used as the index (`x[idx]` with `idx = (r, c)`)
counts its items as the axes' indexes. Differential: plain and compiled
agree on values, dtypes and exceptions."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, rng_for


def clamp(i, offset, maxval):
    j = max(0, i + offset)
    return min(j, maxval)


@pyston.fast
def conv(x, weights):
    # numpy-benchmarks' conv (its clamp bound is the kernel's length)
    sx = x.shape
    sw = weights.shape
    result = np.zeros_like(x)
    for i in range(sx[0]):
        for j in range(sx[1]):
            for ii in range(sw[0]):
                for jj in range(sw[1]):
                    idx = clamp(i, ii - sw[0] // 2, sw[0]), clamp(j, jj - sw[0] // 2, sw[0])
                    result[i, j] += x[idx] * weights[ii, jj]
    return result


@pyston.fast
def clamp_to_last(a, o):
    # min(..., n - 1): proven in bounds, no guard
    n = a.shape[0]
    s = 0.0
    for i in range(n):
        s += a[min(max(i + o, 0), n - 1)] * (i + 1)
    return s


@pyston.fast
def clamp_to_value(a, o, m):
    # M an argument: guarded before the loop
    s = 0.0
    for i in range(a.shape[0] + 3):
        s += a[min(max(0, i - o), m)]
    return s


@pyston.fast
def clamp_without_lower(a, o, m):
    # no max(0, ...): the index may be negative (Python's wraparound), not proven
    s = 0.0
    for i in range(a.shape[0]):
        s += a[min(i - o, m)]
    return s


@pyston.fast
def clamp_conditional(a, m, t):
    # the access runs on some iterations only: no guard, its own checks
    s = 0.0
    for i in range(a.shape[0] + 2):
        if i % 3 == t:
            s += a[min(max(0, i), m)]
    return s


@pyston.fast
def clamp_store(out, a, w):
    for i in range(out.shape[0]):
        for k in range(w.shape[0]):
            out[min(max(i + k - 1, 0), w.shape[0])] += a[i] * w[k]
    return out


@pytest.mark.parametrize("shape", [(1, 1), (5, 5), (6, 6), (7, 9), (9, 7), (12, 12)])
@pytest.mark.parametrize("wshape", [(1, 1), (3, 3), (5, 5), (5, 3), (6, 6)])
def test_conv(shape, wshape):
    rng = rng_for(f"conv{shape}{wshape}")
    x = rng.standard_normal(shape)
    w = rng.standard_normal(wshape)
    # weights as long as x (or longer): the guard fails, the interpreter raises
    # the IndexError CPython raises, at the same element
    assert_same(conv, x, w)


def test_conv_corpus_size():
    x = np.tri(60, 60) * 0.5
    w = np.tri(5, 5) * 0.25
    assert_same(conv, x, w)


@pytest.mark.parametrize("n", [1, 2, 5, 17])
@pytest.mark.parametrize("o", [-20, -3, -1, 0, 1, 4, 30])
def test_clamp_to_last(n, o):
    a = rng_for(f"last{n}{o}").standard_normal(n)
    assert_same(clamp_to_last, a, o)


@pytest.mark.parametrize("n", [1, 4, 9])
@pytest.mark.parametrize("o", [-5, 0, 2])
@pytest.mark.parametrize("m", [-3, -1, 0, 2, 3, 8, 9, 10, 2**62, 2**63 - 1])
def test_clamp_to_value(n, o, m):
    a = rng_for(f"val{n}{o}{m}").standard_normal(n)
    assert_same(clamp_to_value, a, o, m)
    assert_same(clamp_without_lower, a, o, m)
    for t in range(3):
        assert_same(clamp_conditional, a, m, t)


@pytest.mark.parametrize("n", [1, 3, 8])
@pytest.mark.parametrize("wn", [1, 2, 3, 7, 8, 9])
def test_clamp_store(n, wn):
    rng = rng_for(f"store{n}{wn}")
    out, a, w = np.zeros(n), rng.standard_normal(n), rng.standard_normal(wn)
    assert_same(clamp_store, out, a, w)


def test_no_index_checks_left():
    # the clamped access compiles without its checks (the bounds plan says so)
    import os
    import subprocess
    import sys

    src = (
        "import numpy as np, sys\n"
        f"sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "import test_bounds_clamped as t\n"
        "t.conv(np.ones((8, 8)), np.ones((3, 3)))\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="bounds")
    out = subprocess.run([sys.executable, "-c", src], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    assert "guard before" in text and ".shape[0] + 1 <=" in text, text
    # x[idx]: both axes of the tuple index unchecked
    unchecked = [line for line in text.splitlines() if line.startswith("unchecked") and "v0" in line]
    assert len(unchecked) >= 2, text
