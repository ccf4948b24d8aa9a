"""Counters, clamps and conditional sums under float conditions give the sequential loop's results.

`if a[i] > t: n += 1` over float64 arrays runs in 2 x f64 lanes with I64X2
counter lanes (the fcmp mask ANDed with the increment); Python's float
comparisons are IEEE's ordered ones (false with a NaN, `!=` true). A strict
int counter is proven not to overflow by `ranges` (it starts at a known
int) or checked (a start near 2**63 makes the scalar loop redo the loop and
overflow into a big int as Python does). Every form is compared with plain
Python on random data, NaN, -0.0 and inf, every short length (tails), views,
float32 arrays and the overflow edge: value, type, exception and warnings.
"""

from __future__ import annotations

import os
import struct
import warnings

import numpy as np
import pyston
import pytest

X86 = os.uname().machine in ("x86_64", "AMD64")


def count_above(a, t):
    n = 0
    for i in range(a.shape[0]):
        if a[i] > t:
            n += 1
    return n


def count_ge_two(a, t):
    n = 0
    for i in range(a.shape[0]):
        if a[i] >= t:
            n += 2
    return n


def count_ne(a, t):
    n = 0
    for i in range(a.shape[0]):
        if a[i] != t:
            n += 1
    return n


def count_eq(a, t):
    n = 0
    for i in range(a.shape[0]):
        if a[i] == t:
            n += 1
    return n


def count_reversed(a, t):
    n = 0
    for i in range(a.shape[0]):
        if t < a[i]:
            n += 1
    return n


def count_else(a, t):
    n = 0
    for i in range(a.shape[0]):
        if a[i] <= t:
            pass
        else:
            n += 1
    return n


def count_for(a, t):
    n = 0
    for x in a:
        if x > t:
            n += 1
    return n


def count_int_const(a):
    n = 0
    for i in range(a.shape[0]):
        if a[i] < 1:
            n += 1
    return n


def count_from(a, t, n):
    for i in range(a.shape[0]):
        if a[i] > t:
            n += 1
    return n


def count_np_int(a, t):
    n = np.int64(0)
    for i in range(a.shape[0]):
        if a[i] > t:
            n += 1
    return n


def count_pairs(a, b):
    n = 0
    for i in range(a.shape[0]):
        if a[i] < b[i]:
            n += 1
    return n


def count_by(a, t, k):
    n = 0
    for i in range(a.shape[0]):
        if a[i] > t:
            n += k
    return n


def count_two(a, lo, hi):
    n = 0
    m = 0
    for i in range(a.shape[0]):
        if a[i] < lo:
            n += 1
        if a[i] > hi:
            m += 1
    return n, m


COUNTERS = [count_above, count_ge_two, count_ne, count_eq, count_reversed, count_else, count_for]


def _run(fn, args):
    args = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = fn(*args)
        except Exception as e:  # noqa: BLE001 -- compared like a value
            r = (type(e).__name__, str(e))
    perf = [w for w in ws if issubclass(w.category, pyston.PerformanceWarning)]
    assert not perf, f"{getattr(fn, '__name__', fn)} fell back to plain Python: {perf[0].message}"
    ws = [(w.category.__name__, str(w.message)) for w in ws]
    return r, ws, [x for x in args if isinstance(x, np.ndarray)]


def _bits(x):
    if isinstance(x, np.ndarray):
        return (type(x), x.dtype, x.shape, x.tobytes())
    if isinstance(x, (float, np.floating)):
        return (type(x), np.float64(x).tobytes() if isinstance(x, float) else x.tobytes())
    if isinstance(x, tuple):
        return tuple(_bits(y) for y in x)
    return (type(x), x)


def _same(fn, *args):
    (e, ew, ea), (g, gw, ga) = _run(fn, args), _run(pyston.fast(fn), args)
    assert _bits(e) == _bits(g), (fn.__name__, args, e, g)
    assert ew == gw, (fn.__name__, ew, gw)
    for x, y in zip(ea, ga):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), (fn.__name__, x, y)


def _floats(rng, n, special=True):
    a = rng.random(n)
    if special and n:
        k = rng.integers(0, 6, n)
        a[k == 0] = np.nan
        a[k == 1] = -0.0
        a[k == 2] = 0.0
        a[k == 3] = 0.5
        if n > 3:
            a[rng.integers(0, n)] = np.inf
            a[rng.integers(0, n)] = -np.inf
    return a


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 40, 1001])
@pytest.mark.parametrize("fn", COUNTERS)
def test_counters_at_every_length(fn, n):
    rng = np.random.default_rng(n)
    for special in (False, True):
        a = _floats(rng, n, special)
        for t in (0.5, 0.0, -0.0, np.nan, np.inf, np.float64(0.25)):
            _same(fn, a, t)


@pytest.mark.parametrize("view", [lambda a: a[::2], lambda a: a[::-1], lambda a: a[1:]])
def test_counters_on_views(view):
    a = _floats(np.random.default_rng(3), 301)
    for fn in COUNTERS:
        _same(fn, view(a), 0.5)


def test_counters_other_forms():
    rng = np.random.default_rng(7)
    for n in (0, 1, 3, 8, 33, 500):
        a = _floats(rng, n)
        b = _floats(rng, n)
        _same(count_int_const, a * 3)
        _same(count_np_int, a, 0.5)
        _same(count_pairs, a, b)
        _same(count_by, a, 0.5, 3)
        _same(count_by, a, 0.5, -(2**40))
        _same(count_two, a, 0.2, 0.8)
        _same(count_from, a, 0.5, 10)
        _same(count_above, a.astype(np.float32), 0.5)
        _same(count_above, a.astype(np.float32), np.float32(0.5))
        _same(count_above, (np.nan_to_num(a, posinf=9, neginf=-9) * 100).astype(np.int64), 50)


def test_counters_at_the_overflow_edge():
    a = np.ones(50)
    for start in (2**63 - 60, 2**63 - 50, 2**63 - 49, 2**63 - 1, -(2**63), 2**64):
        _same(count_from, a, 0.5, start)
    _same(count_by, a, 0.5, 2**62)
    _same(count_by, a, 0.5, 2**58)
    _same(count_np_int, a, 0.5)
    _same(count_from, a, 0.5, np.int64(2**63 - 10))
    _same(count_from, a, 0.5, np.int64(2**63 - 60))


def test_counters_are_vectorized():
    for fn in (count_above, count_for, count_ne):
        g = pyston.fast(fn)
        g(np.arange(40.0), 3.0)
        if X86:
            asm = g.inspect_asm()
            assert "cmp" in asm and "pd" in asm and "paddq" in asm, (fn.__name__, asm)
        assert g.inspect_asm(target="aarch64")


def test_counter_plan(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "k.py"
    src.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def count_above(a, t):\n"
        "    n = 0\n"
        "    for i in range(a.shape[0]):\n"
        "        if a[i] > t:\n"
        "            n += 1\n"
        "    return n\n"
        "print(count_above(np.arange(10.0), 4.5))\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="simd")
    r = subprocess.run([sys.executable, str(src)], capture_output=True, text=True, env=env, check=True)
    assert r.stdout.strip() == "5"
    assert "2 x f64" in r.stderr and "proven in range" in r.stderr, r.stderr


# ---------------------------------------------------------------------------
# Conditional float sums (strict: sequential order) run branch-free: the arm's
# add and its reload of `a[i]` run on every iteration, the merge picks the
# sum's bits with a mask.


def sum_above(a, t):
    s = 0.0
    for i in range(a.shape[0]):
        if a[i] > t:
            s += a[i]
    return s


def sum_above_neg_zero(a, t):
    s = -0.0
    for i in range(a.shape[0]):
        if a[i] > t:
            s += a[i]
    return s


def sum_not_above(a, t):
    s = 0.0
    for i in range(a.shape[0]):
        x = a[i]
        if x > t:
            pass
        else:
            s = s + x
    return s


def sum_from(a, t, s):
    for i in range(a.shape[0]):
        if a[i] != t:
            s += a[i] * 2.0
    return s


def running_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
    return m


SUMS = [sum_above, sum_above_neg_zero, sum_not_above]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 17, 300])
@pytest.mark.parametrize("fn", SUMS)
def test_conditional_float_sums(fn, n):
    # (No -inf with inf: NumPy's "invalid value" warning of inf + -inf in its
    # float scalar adds is a documented gap of compiled code, branch or not.)
    rng = np.random.default_rng(n + 11)
    for special in (False, True):
        a = _floats(rng, n, special)
        a[a == -np.inf] = np.inf
        for t in (0.0, -0.0, 0.25, np.nan, np.inf, -np.inf, 10.0):
            _same(fn, a, t)
            _same(fn, a.astype(np.float32), t)
        _same(fn, a[::-2], 0.1)
    b = _floats(rng, n)
    b[b == -np.inf] = np.inf
    _same(sum_from, b, 0.5, -0.0)
    _same(sum_from, b, 0.5, np.float64(-0.0))
    _same(sum_from, b, np.nan, float("nan"))
    # A signaling NaN start, never added to (t is inf): its bits come back as they were.
    snan = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000001))[0]
    _same(sum_from, np.ones(n), 1.0, snan)
    if n:
        _same(running_max, _floats(rng, n, False))
        _same(running_max, _floats(rng, n, True))


def test_conditional_float_sum_is_branch_free():
    g = pyston.fast(sum_above)
    g(np.arange(40.0), 3.0)
    if X86:
        asm = g.inspect_asm()
        assert "andnpd" in asm and "orpd" in asm, asm
    assert g.inspect_asm(target="aarch64")


# ---------------------------------------------------------------------------
# Clamps with counters: stores inside the diamond's sides (lanes that do not
# run a side store the element they loaded, bit for bit) and counter lanes.


def clamp(a, lo, hi):
    n = 0
    for i in range(a.shape[0]):
        if a[i] < lo:
            a[i] = lo
            n += 1
        elif a[i] > hi:
            a[i] = hi
            n += 1
    return n


def clamp_counts(a, lo, hi):
    below = 0
    above = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x < lo:
            a[i] = lo
            below += 1
        elif x > hi:
            a[i] = hi
            above += 2
    return below, above


def clamp_only(a, lo, hi):
    for i in range(a.shape[0]):
        if a[i] < lo:
            a[i] = lo
        elif a[i] > hi:
            a[i] = hi
    return a


def zero_nans(a):
    n = 0
    for i in range(a.shape[0]):
        if a[i] != a[i]:
            a[i] = -0.0
            n += 1
    return n


def clamp_copy(a, out, lo):
    n = 0
    for i in range(a.shape[0]):
        out[i] = a[i]
        if a[i] < lo:
            out[i] = lo
            n += 1
    return n


CLAMPS = [clamp, clamp_counts, clamp_only, zero_nans]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 9, 17, 301])
@pytest.mark.parametrize("fn", CLAMPS)
def test_clamps_at_every_length(fn, n):
    rng = np.random.default_rng(n + 5)
    for special in (False, True):
        a = _floats(rng, n, special)
        if fn is zero_nans:
            _same(fn, a)
            _same(fn, a.astype(np.float32))
            _same(fn, a[::-1])
            continue
        for lo, hi in ((0.2, 0.8), (-0.0, 0.0), (0.0, -0.0), (0.8, 0.2), (np.nan, 0.5), (0.5, np.nan), (-np.inf, np.inf)):
            _same(fn, a, lo, hi)
        _same(fn, a, np.float64(0.25), 1)
        _same(fn, a[::2], 0.2, 0.8)
        _same(fn, a[::-1], 0.2, 0.8)
        _same(fn, a.astype(np.float32), 0.2, 0.8)


def test_clamp_with_a_second_array():
    rng = np.random.default_rng(9)
    for n in (0, 1, 5, 64, 301):
        a = _floats(rng, n)
        _same(clamp_copy, a, np.zeros(n), 0.5)
        _same(clamp_copy, a, np.zeros(2 * n)[::2], 0.5)


def test_clamp_is_vectorized():
    g = pyston.fast(clamp)
    g(np.arange(40.0) / 40, 0.2, 0.8)
    if X86:
        asm = g.inspect_asm()
        assert "cmpltpd" in asm or "cmppd" in asm or "vcmp" in asm, asm
        assert "paddq" in asm, asm
    assert g.inspect_asm(target="aarch64")


@pytest.mark.parametrize("n", [0, 1, 3, 8, 17, 300])
def test_fastmath_conditional_float_sums_vectorize(n):
    # Reassociated (so compared with a tolerance), but -0.0 in the lanes that do
    # not add: a sum of only -0.0 terms, or of none, keeps its sign.
    rng = np.random.default_rng(n)
    a = rng.random(n) - 0.5
    for fn in (sum_above, sum_above_neg_zero, sum_not_above):
        f = pyston.fast(fastmath=True)(fn)
        for t in (0.0, 0.25, 10.0, np.nan):
            want, got = fn(a, t), f(a, t)
            assert type(want) is type(got) and abs(want - got) <= 1e-9 * max(1.0, abs(want)), (fn, t, want, got)
            if want == 0:
                assert np.signbit(want) == np.signbit(got), (fn.__name__, t, want, got)
    z = np.full(n, -0.0)
    assert np.signbit(pyston.fast(fastmath=True)(sum_above_neg_zero)(z, -1.0))
    g = pyston.fast(fastmath=True)(sum_above)
    g(np.arange(40.0), 3.0)
    if X86:
        assert "addpd" in g.inspect_asm()


# ---------------------------------------------------------------------------
# float32 arrays: counters under comparisons of 4 x f32 lanes (against float32
# lanes, np.float32 values or int constants a float32 holds exactly), each
# I64X2 counter lane adding the mask's low and high pairs of lanes.


def count_f32_int(a):
    n = 0
    for i in range(a.shape[0]):
        if a[i] >= 16777216:
            n += 1
    return n


def count_f32_big_int(a):
    # 2**24 + 1 is not a float32: compared as NumPy compares it, on the scalar loop.
    n = 0
    for i in range(a.shape[0]):
        if a[i] < 16777217:
            n += 1
    return n


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 40, 1001])
@pytest.mark.parametrize("fn", COUNTERS)
def test_float32_counters_at_every_length(fn, n):
    rng = np.random.default_rng(n + 100)
    a = _floats(rng, n).astype(np.float32)
    b = _floats(rng, n).astype(np.float32)
    for t in (np.float32(0.5), np.float32(-0.0), np.float32(np.nan), np.float32(np.inf), 0, 1):
        _same(fn, a, t)
    _same(count_pairs, a, b)
    _same(count_by, a, np.float32(0.5), 3)
    _same(count_by, a, np.float32(0.5), -(2**40))
    _same(count_two, a, np.float32(0.2), np.float32(0.8))
    _same(count_from, a, np.float32(0.5), 2**63 - 3)
    _same(fn, a[::-1], np.float32(0.5))
    _same(fn, a[::2], np.float32(0.5))
    big = (a * 2**25).astype(np.float32)
    _same(count_f32_int, big)
    _same(count_f32_big_int, big)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 9, 301])
def test_float32_clamp_counts(n):
    rng = np.random.default_rng(n + 200)
    for special in (False, True):
        a = _floats(rng, n, special).astype(np.float32)
        for lo, hi in ((0.2, 0.8), (-0.0, 0.0), (0.8, 0.2), (np.nan, 0.5), (-np.inf, np.inf)):
            _same(clamp_counts, a, np.float32(lo), np.float32(hi))
        _same(clamp_counts, a[::-1], np.float32(0.2), np.float32(0.8))


def test_float32_counter_plans(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "k.py"
    src.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def count_above(a, t):\n"
        "    n = 0\n"
        "    for i in range(a.shape[0]):\n"
        "        if a[i] > t:\n"
        "            n += 1\n"
        "    return n\n"
        "@pyston.fast\n"
        "def clamp_counts(a, lo, hi):\n"
        "    n = 0\n"
        "    for i in range(a.shape[0]):\n"
        "        if a[i] < lo:\n"
        "            a[i] = lo\n"
        "            n += 1\n"
        "        elif a[i] > hi:\n"
        "            a[i] = hi\n"
        "            n += 1\n"
        "    return n\n"
        "a = np.arange(10, dtype=np.float32)\n"
        "print(count_above(a, np.float32(4.5)), clamp_counts(a, np.float32(2), np.float32(7)))\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="simd")
    r = subprocess.run([sys.executable, str(src)], capture_output=True, text=True, env=env, check=True)
    assert r.stdout.strip() == "5 4"
    assert r.stderr.count("4 x f32") == 2 and "proven in range" in r.stderr, r.stderr
