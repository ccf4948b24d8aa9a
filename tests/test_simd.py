"""SIMD versions of element-wise loops give exactly the sequential loop's results.

Codegen runs a 2 x f64 / 4 x f32 version of an element-wise counted loop first
and the scalar loop for the tail, so every length 0..67 is tried (each tail
length, and loops that never enter the vector part). Strided and reversed
views are not unit-stride and run the scalar loop; they must agree too. Arrays
that overlap (the same array passed twice, shifted views of one buffer) must
give the sequential result: the run-time overlap check sends them to the
scalar loop. `tests/test_asm.py` shows the packed instructions themselves.
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same

NAN, INF = math.nan, math.inf


@pyston.fast
def scale(a, out, k):
    for i in range(len(a)):
        out[i] = a[i] * k
    return out


@pyston.fast
def axpy(alpha, x, y, out):
    for i in range(len(x)):
        out[i] = alpha * x[i] + y[i]
    return out


@pyston.fast
def axpy_inplace(alpha, x, y):
    for i in range(len(x)):
        y[i] += alpha * x[i]
    return y


@pyston.fast
def clip_abs(a, out, lo, hi):
    for i in range(len(a)):
        out[i] = min(max(abs(a[i]), lo), hi)
    return out


@pyston.fast
def smooth3(a, out):
    for i in range(1, len(a) - 1):
        out[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
    return out


@pyston.fast
def neg_sub_div(a, b, out):
    for i in range(len(a)):
        out[i] = -(a[i] - b[i]) / 4.0 + 1.0
    return out


@pyston.fast
def row_stencil(img, out):
    n, m = img.shape
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            s = 0.0
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    s += img[i + di, j + dj]
            out[i, j] = s / 9.0
    return out


@pyston.fast
def fill(out, v):
    for i in range(len(out)):
        out[i] = v
    return out


LENGTHS = list(range(0, 68))


def _data(n, dtype, rng):
    a = rng.standard_normal(n).astype(dtype)
    if n > 3:
        a[rng.integers(0, n, 3)] = [NAN, -0.0, INF]
    return a


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", LENGTHS)
def test_every_length_and_tail(n, dtype, rng):
    a, b = _data(n, dtype, rng), _data(n, dtype, rng)
    out = np.full(n, 7.0, dtype=dtype)
    k = dtype(1.5)
    assert_same(scale, a, out, k)
    assert_same(scale, a, out, 1.5)  # a Python float scalar, converted as the scalar code does
    assert_same(axpy, k, a, b, out)
    assert_same(axpy_inplace, k, a, b)
    assert_same(clip_abs, a, out, dtype(0.1), dtype(1.5))
    assert_same(smooth3, a, out)
    assert_same(neg_sub_div, a, b, out)
    assert_same(fill, out, k)


def test_float64_mixes_and_specials(rng):
    # min/max of np.float64 elements and Python float bounds return either type:
    # the stored bits are the same; NaN and -0.0 keep Python's first-wins rule.
    a = np.array([NAN, -0.0, 0.0, 0.05, -3.0, 2.0, INF, -INF, 1.5, 0.1, NAN, 1e-320])
    out = np.empty_like(a)
    assert_same(clip_abs, a, out, 0.1, 1.5)
    assert_same(clip_abs, a, out, NAN, 1.5)
    assert_same(clip_abs, a, out, 0.1, NAN)
    assert_same(clip_abs, rng.standard_normal(1001), np.empty(1001), -0.0, 0.0)


def test_float32_overflowing_scalar_deoptimizes_exactly():
    # 1e300 does not fit a float32: NumPy warns while converting it; the vector
    # loop's conversion happens before the loop and deoptimizes there.
    a = np.ones(10, dtype=np.float32)
    assert_same(scale, a, np.empty_like(a), 1e300)


@pytest.mark.parametrize(
    "view",
    [
        lambda x: x[::2],
        lambda x: x[::-1],
        lambda x: x[1::3],
    ],
    ids=["strided", "reversed", "offset-strided"],
)
def test_non_unit_stride_views_run_the_scalar_loop(view, rng):
    base = rng.standard_normal(90)
    a, b = view(base), view(base[::-1].copy())
    assert_same(axpy, 2.0, a, b, np.empty(len(a)))
    assert_same(axpy, 2.0, np.ascontiguousarray(a), b, view(np.zeros(90)))


@pytest.mark.parametrize("shape", [(3, 3), (4, 5), (7, 12), (17, 9), (2, 40)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_2d_row_stencil(shape, order, rng):
    img = np.asarray(rng.standard_normal(shape), order=order)
    assert_same(row_stencil, img, np.zeros(shape, order=order))
    assert_same(row_stencil, img.astype(np.float32), np.zeros(shape, dtype=np.float32, order=order))


@pytest.mark.parametrize("n", [1, 2, 5, 16, 33])
def test_same_array_read_and_written_at_the_same_index(n, rng):
    a = rng.standard_normal(n)
    b = a.copy()
    got = axpy_inplace(2.0, a, a)  # y[i] += 2 * x[i] with x is y: lane-wise safe
    want = axpy_inplace.py_func(2.0, b, b)
    np.testing.assert_array_equal(got, want)
    assert got is a


@pytest.mark.parametrize("n", [3, 8, 33])
@pytest.mark.parametrize("shift", [1, -1, 2])
def test_overlapping_arrays_keep_sequential_semantics(n, shift, rng):
    # out and a are shifted views of one buffer: iteration i reads what
    # iteration i - shift wrote. Both are C-contiguous, so the vector loop is
    # compiled; the overlap check must send the call to the scalar loop.
    buf = rng.standard_normal(n + 2)
    ref = buf.copy()
    s = abs(shift)
    if shift > 0:
        out, a, rout, ra = buf[s:], buf[:-s], ref[s:], ref[:-s]
    else:
        out, a, rout, ra = buf[:-s], buf[s:], ref[:-s], ref[s:]
    scale(a, out, 3.0)
    scale.py_func(ra, rout, 3.0)
    np.testing.assert_array_equal(buf, ref)
    # and the same array as both input and output (same index: vectorized)
    c, d = buf.copy(), buf.copy()
    scale(c, c, 0.5)
    scale.py_func(d, d, 0.5)
    np.testing.assert_array_equal(c, d)


def test_index_errors_still_raise_at_the_right_iteration():
    # range(n) with n beyond the array: the hoisted guard deoptimizes before the
    # loop, so nothing runs vectorized and the error comes at element 5.
    a = np.arange(5.0)
    out = np.zeros(5)

    @pyston.fast
    def scale_n(a, out, k, n):
        for i in range(n):
            out[i] = a[i] * k
        return out

    assert_same(scale_n, a, out, 2.0, 9)
    assert_same(scale_n, a, out, 2.0, 5)


def test_disabling_simd_gives_the_same_results(rng, monkeypatch):
    a = rng.standard_normal(37)
    want = axpy(1.25, a, a[::-1].copy(), np.empty(37))
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "simd")
    f = pyston.fast(axpy.py_func)
    np.testing.assert_array_equal(f(1.25, a, a[::-1].copy(), np.empty(37)), want)
    assert "vmulpd" not in f.inspect_asm()


# --------------------------------------------------------------------------
# reductions: vectorized only where their order cannot be observed
# --------------------------------------------------------------------------


def int_total(a):
    s = 0
    for i in range(len(a)):
        s += a[i]
    return s


def int_dot(a, b):
    s = 0
    for i in range(len(a)):
        s += a[i] * b[i] - 1
    return s


def float_total_sq(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * a[i]
    return s


@pytest.mark.parametrize("n", LENGTHS)
def test_wrapping_int_sums_are_exact_at_every_length(n, rng):
    # unchecked_int (and njit) ints wrap, and wrapping addition is associative:
    # the vector partial sums give the sequential result bit for bit.
    a = rng.integers(-(2**62), 2**62, n)
    b = rng.integers(-1000, 1000, n)
    want = int(np.sum(a, dtype=np.int64))  # NumPy's int64 sum wraps too
    f = pyston.fast(unchecked_int=True)(int_total)
    with np.errstate(over="ignore"):
        got = f(a)
        assert got == want and type(got) is type(int_total(a[:0]) if n == 0 else np.int64(0))
        assert pyston.njit(int_total)(a) == want
        assert pyston.njit(int_dot)(b, b) == int_dot(b, b)


def int_total_from(a, s):
    for i in range(len(a)):
        s += a[i]
    return s


def _same_with_warnings(f, *args):
    def run(fn):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                r = fn(*args)
            except OverflowError as e:  # NumPy: a Python int past int64 meets np.int64
                r = repr(e)
        return r, type(r), [str(w.message) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]

    assert run(f) == run(f.py_func)


def test_strict_int_sums_are_vectorized_and_exact():
    # Strict mode must see each overflow at its element (NumPy warns there). The
    # vector loop bounds the terms' magnitudes; where a partial sum could reach
    # 2**63 its result is dropped and the scalar loop redoes the loop exactly.
    # (A fresh function per case: two overflowing calls would box the total.)
    f = pyston.fast(int_total)
    g = pyston.fast(int_total_from)
    f(np.arange(40))
    g(np.arange(40), 0)
    assert "vpaddq" in f.inspect_asm() or os.uname().machine not in ("x86_64", "AMD64")
    big = np.array([2**62, 2**62, -(2**62), 5] * 5, dtype=np.int64)
    _same_with_warnings(pyston.fast(int_total), big)  # overflows (two warnings)
    _same_with_warnings(pyston.fast(int_total), np.full(64, 2**57, dtype=np.int64))  # bound too large, no overflow
    _same_with_warnings(pyston.fast(int_total), np.full(64, -(2**57), dtype=np.int64))
    _same_with_warnings(pyston.fast(int_total), np.array([-(2**63)] + [0] * 20, dtype=np.int64))
    _same_with_warnings(pyston.fast(int_total), np.array([-(2**63), -1] + [0] * 20, dtype=np.int64))
    for s0 in (0, 2**63 - 100, -(2**63) + 50, 2**62, 2**70):
        _same_with_warnings(pyston.fast(int_total_from), np.arange(60, dtype=np.int64), s0)  # a Python int start: big ints, exactly
        _same_with_warnings(pyston.fast(int_total_from), np.arange(60, dtype=np.int64), np.int64(min(max(s0, -(2**63)), 2**63 - 1)))


@pytest.mark.parametrize("n", LENGTHS)
def test_strict_int_sums_at_every_length(n, rng):
    f = pyston.fast(int_total)
    for a in (rng.integers(-1000, 1000, n), rng.integers(-(2**62), 2**62, n)):
        _same_with_warnings(f, a)


@pytest.mark.parametrize("n", LENGTHS)
def test_fastmath_float_sums_at_every_length(n, rng):
    a = rng.standard_normal(n)
    got = pyston.fast(fastmath=True)(float_total_sq)(a)
    want = float_total_sq(a)
    assert type(got) is type(want) and got == pytest.approx(want, rel=1e-12, abs=1e-300)
    assert pyston.fast(float_total_sq)(a) == want  # strict: bit-identical, sequential


def int32_as_int_total(a, s):
    for x in a:
        s += int(x)
    return s


@pytest.mark.parametrize("n", LENGTHS)
def test_int32_elements_summed_as_python_ints(n, rng):
    # int(x) of int32 elements: loaded sign-extended into 64-bit lanes, summed
    # with the overflow bound (a Python int start near 2**63 must go big).
    f = pyston.fast(int32_as_int_total)
    a = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    for s0 in (0, -7, 2**63 - 2**33, -(2**63) + 5):
        _same_with_warnings(f, a, s0)
    _same_with_warnings(f, np.full(n, -(2**31), dtype=np.int32), 0)


def test_int32_sum_is_vectorized():
    f = pyston.fast(int32_as_int_total)
    f(np.arange(10, dtype=np.int32), 0)
    if os.uname().machine in ("x86_64", "AMD64"):
        assert "vpmovsxdq" in f.inspect_asm() or "pmovsxdq" in f.inspect_asm()


NARROW_INTS = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]


def window_sums(a, w):
    out = np.zeros(max(a.shape[0] - w + 1, 0), np.int64)
    for i in range(out.shape[0]):
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


def window_sums_from(a, w, s0):
    # Each window's sum starts at s0 (a Python int: may go past 64 bits).
    out = []
    for i in range(a.shape[0] - w + 1):
        s = s0
        for k in range(w):
            s += int(a[i + k])
        out.append(s)
    return out


@pytest.mark.parametrize("dtype", NARROW_INTS)
def test_window_sums_of_narrow_ints_at_every_offset(dtype, rng):
    # `s += int(a[i + k])`: the window `i + k` (i fixed in the inner loop) is a
    # vector access, narrow elements are loaded widened to 64-bit lanes, and the
    # sum ranges proved cannot overflow runs unchecked. Every window width
    # (vector part, tail, both, neither), extreme values, empty arrays, and
    # strided / reversed views (scalar loop) must give the sequential sums.
    info = np.iinfo(dtype)
    f = pyston.fast(window_sums)
    wide = info.bits == 64  # sums past 64 bits: stored, NumPy raises (the function goes plain)
    for n in (0, 1, 7, 40):
        for a in (rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True),
                  np.full(n, info.min, dtype), np.full(n, info.max, dtype)):
            for w in (1, 2, 3, 4, 5, 8, 9, 17):
                assert_same(f, a, w, allow_fallback=wide)
    big = rng.integers(info.min, info.max, 90, dtype=dtype, endpoint=True)
    assert_same(f, big[::3], 5, allow_fallback=wide)
    assert_same(f, big[::-1], 6, allow_fallback=wide)


@pytest.mark.parametrize("dtype", NARROW_INTS)
def test_window_sums_from_big_starts(dtype, rng):
    # A start near 2**63: the sum cannot be proven in range, so the vector loop
    # checks its terms' bound and hands an overflowing window to the scalar loop,
    # which goes on with Python's big ints.
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, 30, dtype=dtype, endpoint=True)
    for s0 in (0, 2**63 - 2**33, -(2**63) + 2**33, 2**63 - 1, -(2**63), 2**64):
        _same_with_warnings(pyston.fast(window_sums_from), a, 7, s0)


def narrow_total(a, s):
    for x in a:
        s += int(x)
    return s


@pytest.mark.parametrize("dtype", NARROW_INTS)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 15, 16, 17, 33])
def test_narrow_elements_summed_as_python_ints(dtype, n, rng):
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    for s0 in (0, -7, 2**63 - 2**34, -(2**63) + 3):
        _same_with_warnings(pyston.fast(narrow_total), a, s0)
    _same_with_warnings(pyston.fast(narrow_total), np.full(n, info.max, dtype), 2**63 - 1 - n * int(info.max))
    _same_with_warnings(pyston.fast(narrow_total), np.full(n, info.min, dtype), -(2**63) - n * int(info.min))


def test_window_sum_of_int16_is_vectorized():
    f = pyston.fast(window_sums)
    f(np.arange(40, dtype=np.int16), 8)
    if os.uname().machine in ("x86_64", "AMD64"):
        asm = f.inspect_asm()
        assert "pmovsxwd" in asm and "pmovsxdq" in asm and "paddq" in asm
    g = pyston.fast(window_sums)
    g(np.arange(40, dtype=np.uint8), 8)
    if os.uname().machine in ("x86_64", "AMD64"):
        assert "pmovzxbw" in g.inspect_asm()


@pytest.mark.parametrize("n", [5, 64, 1000])
def test_strict_int_sum_bound_edges(n):
    # The vector loop keeps its sum when every term lies in [-2**k, 2**k), with
    # k = 62 - n.bit_length(), and |start| + n * 2**k < 2**63; terms and starts
    # on both sides of those edges, where the sum just fits or just overflows.
    k = 62 - n.bit_length()
    for v in (2**k - 1, -(2**k), 2**k, -(2**k) - 1, 2 ** (k + 1) - 1, -(2 ** (k + 1))):
        a = np.full(n, v, dtype=np.int64)
        room = 2**63 - 1 - n * abs(v)
        room_k = 2**63 - 1 - n * 2**k  # what the bound allows
        for s0 in (0, room, room + 1, -room - 1, -room - 2, room_k, -room_k):
            for start in (s0, np.int64(min(max(s0, -(2**63)), 2**63 - 1))):
                # A fresh function each time: two overflowing calls would get it
                # recompiled with the total boxed (no vector loop) for the rest.
                _same_with_warnings(pyston.fast(int_total_from), a, start)


def bool_fill(flags, value, start):
    for i in range(start, len(flags)):
        flags[i] = value
    return flags


@pytest.mark.parametrize("n", LENGTHS + [1000])
def test_bool_fill_at_every_length(n, rng):
    f = pyston.fast(bool_fill)
    for value in (True, False, np.True_, np.False_):
        a = rng.random(n) < 0.5
        assert_same(f, a, value, 0)
        assert_same(f, a, value, min(n, 3))
        assert_same(f, a[::-1], value, 0)  # reversed view: scalar loop
    assert_same(f, np.zeros(n, dtype=bool), 1, 0)  # an int stored into bools: scalar loop


def test_bool_fill_is_vectorized_and_checks_writeable():
    f = pyston.fast(bool_fill)
    f(np.zeros(40, dtype=bool), True, 0)
    if os.uname().machine in ("x86_64", "AMD64"):
        assert "movdqu" in f.inspect_asm()
    ro = np.zeros(40, dtype=bool)
    ro.flags.writeable = False
    assert_same(f, ro, True, 0)  # ValueError: read-only


# ---------------------------------------------------------------------------
# Int element-wise lanes: int64 (2 lanes) and int32 (4 lanes)
# ---------------------------------------------------------------------------


def _same_arrays_with_warnings(f, *args):
    """Plain and compiled runs on copies: same result, exception, arrays and warnings."""

    def run(fn):
        cargs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        exc = None
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                r = fn(*cargs)
            except Exception as e:  # noqa: BLE001 - compared below
                r, exc = None, (type(e), str(e))
        res = (r.dtype, r.tolist()) if isinstance(r, np.ndarray) else r
        arrays = [(a.dtype, a.tolist()) for a in cargs if isinstance(a, np.ndarray)]
        msgs = [str(w.message) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
        return res, exc, arrays, msgs

    assert run(f) == run(f.py_func)


def int_axpb(a, b, out):
    for i in range(len(a)):
        out[i] = a[i] + b[i] - 3
    return out


def int_inplace(a, b):
    for i in range(len(a)):
        a[i] = a[i] - b[i]
    return a


def int_add_scalar(a, c, out):
    for i in range(len(a)):
        out[i] = a[i] + c
    return out


def int_times(a, b, out):
    for i in range(len(a)):
        out[i] = a[i] * b[i] + a[i]
    return out


def py_int_lanes(a, out):
    for i in range(len(a)):
        out[i] = int(a[i]) + 7  # a Python int: a big int on overflow (then OverflowError on the store)
    return out


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n", LENGTHS + [1000])
def test_int_lanes_at_every_length_and_overflow(n, dtype, rng):
    # Strict: each step checks its lanes for overflow before storing; on one, the
    # scalar loop takes over at that step, overflows exactly (NumPy's warning) and
    # goes on. Overflows are placed at every lane position of a step.
    f = pyston.fast(int_axpb)
    g = pyston.fast(int_inplace)
    info = np.iinfo(dtype)
    a = rng.integers(-1000, 1000, n).astype(dtype)
    b = rng.integers(-1000, 1000, n).astype(dtype)
    _same_arrays_with_warnings(f, a, b, np.zeros(n, dtype))
    _same_arrays_with_warnings(g, a, b)
    for pos in sorted({0, 1, 2, 3, n // 2, n - 1} & set(range(n))):
        big = a.copy()
        big[pos] = info.max - 1  # + 100 overflows
        bb = b.copy()
        bb[pos] = 100
        _same_arrays_with_warnings(f, big, bb, np.zeros(n, dtype))
        low = a.copy()
        low[pos] = info.min + 2
        _same_arrays_with_warnings(g, low, bb)  # min + 2 - 100 overflows, in place
    if n:
        # Wrapping back into range: the two overflows cancel, both warn.
        _same_arrays_with_warnings(f, np.full(n, info.max, dtype), np.full(n, 5, dtype), np.zeros(n, dtype))


@pytest.mark.parametrize("n", [0, 1, 5, 17, 64, 1000])
def test_python_int_lanes_and_mixed_types(n, rng):
    f = pyston.fast(py_int_lanes)
    a = rng.integers(-(2**40), 2**40, n)
    _same_arrays_with_warnings(f, a, np.zeros(n, np.int64))
    if n:
        a[n // 2] = 2**63 - 3  # + 7 is a big int: OverflowError on the store, nothing after it stored
        _same_arrays_with_warnings(f, a, np.zeros(n, np.int64))
    h = pyston.fast(int_add_scalar)
    a32 = rng.integers(-9, 9, n).astype(np.int32)
    _same_arrays_with_warnings(h, a32, np.int32(4), np.zeros(n, np.int32))
    _same_arrays_with_warnings(h, a32, np.int32(2**31 - 5), np.zeros(n, np.int32))  # overflows
    _same_arrays_with_warnings(h, a32, np.int32(4), np.zeros(n, np.int64))  # int32 into int64: scalar


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_wrapping_int_lanes_multiply(dtype, rng):
    # unchecked_int and njit wrap, so * is vectorized too (and + - without checks).
    info = np.iinfo(dtype)
    for deco in (pyston.fast(unchecked_int=True), pyston.njit):
        f = deco(int_times)
        for n in (0, 3, 33, 500):
            a = rng.integers(info.min, info.max, n, dtype=dtype)
            b = rng.integers(-5, 5, n).astype(dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                want = int_times(a, b, np.zeros(n, dtype))
            got = f(a, b, np.zeros(n, dtype))
            assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_int_lanes_are_vectorized():
    f = pyston.fast(int_axpb)
    f(np.arange(40, dtype=np.int32), np.arange(40, dtype=np.int32), np.zeros(40, np.int32))
    g = pyston.fast(int_axpb)
    g(np.arange(40), np.arange(40), np.zeros(40, np.int64))
    if os.uname().machine in ("x86_64", "AMD64"):
        assert "paddd" in f.inspect_asm()
        assert "paddq" in g.inspect_asm()
        assert "movmsk" in f.inspect_asm()  # the per-step overflow test


# ---- the iterations left after the vector loop: vector copies overlapping the last ones ----


def threshold_from(img, t, out, start):
    for j in range(start, img.shape[0]):
        v = img[j]
        out[j] = np.uint8(255) - v if v > t else v
    return out


def sub_both_ways(a, b, out):
    for j in range(a.shape[0]):
        x = a[j]
        y = b[j]
        out[j] = x - y if x > y else y - x
    return out


def add_narrow(a, b, out):
    for j in range(1, a.shape[0]):
        out[j] = a[j] + b[j]  # int8 + int8 wraps with NumPy's warning: checked lanes
    return out


def scale_into(a, out, k):
    for j in range(2, a.shape[0] - 1):
        out[j] = a[j + 1] * k
    return out


@pytest.mark.parametrize("n", list(range(0, 50)))
def test_tail_iterations_in_overlapping_vector_copies(n, rng):
    # Every length (tails of every size, loops too short for any vector step),
    # loops that start after 0 (the elements before the start stay untouched),
    # overflows placed in the tail (the copy stores nothing, the scalar loop
    # warns there), and arrays read and written in place (no overlap copies).
    img = rng.integers(0, 256, n, dtype=np.uint8)
    for start in (0, 1, 5):
        assert_same(pyston.fast(threshold_from), img, np.uint8(128), np.full(n, 7, np.uint8), start)
    assert_same(pyston.fast(threshold_from), img, np.uint8(128), img, 0)  # written where read
    b = rng.integers(0, 256, n, dtype=np.uint8)
    assert_same(pyston.fast(sub_both_ways), img, b, np.full(n, 9, np.uint8))
    a8 = rng.integers(-60, 60, n, dtype=np.int8)
    b8 = rng.integers(-60, 60, n, dtype=np.int8)
    _same_arrays_with_warnings(pyston.fast(add_narrow), a8, b8, np.full(n, 3, np.int8))
    for pos in sorted({n - 1, n - 2, n - 7, n // 2} & set(range(1, n))):
        big = a8.copy()
        big[pos] = 127
        bb = b8.copy()
        bb[pos] = 100
        _same_arrays_with_warnings(pyston.fast(add_narrow), big, bb, np.full(n, 3, np.int8))
    x = rng.standard_normal(n)
    assert_same(pyston.fast(scale_into), x, np.full(n, -1.0), 0.5)
    assert_same(pyston.fast(scale_into), x, x, 0.5)  # read one ahead of the write: scalar
    assert_same(pyston.fast(scale_into), x.astype(np.float32), np.full(n, -1.0, np.float32), np.float32(3))


def window_total(a, lo, w):
    # One window `a[lo:lo + w]`, summed as Python ints (trip count w).
    s = 0
    for k in range(w):
        s += int(a[lo + k])
    return s


@pytest.mark.parametrize("dtype", [np.int16, np.uint16])
def test_narrow_sums_in_32_bit_lanes_at_the_trip_limit(dtype):
    # Sums of int8..uint16 elements run in 4 x i32 lanes when the trip count is
    # at most (2**31 - 1) // max|element| (every partial sum then fits in 32
    # bits), else in 2 x i64 lanes: windows just under, at and over that limit,
    # of the extreme values (the sums closest to 2**31), at every tail length.
    info = np.iinfo(dtype)
    m = max(abs(int(info.min)), int(info.max))
    limit = (2**31 - 1) // m
    f = pyston.fast(window_total)
    n = limit + 40
    for fill in (info.min, info.max):
        a = np.full(n, fill, dtype)
        for w in (limit - 9, limit - 1, limit, limit + 1, limit + 7):
            for lo in (0, 3):
                assert_same(f, a, lo, w)
    rng = np.random.default_rng(5)
    a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    for w in (0, 1, 7, 8, 9, 15, 16, 17, limit, limit + 1):
        assert_same(f, a, 2, w)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_8_bit_sums_in_32_bit_lanes(dtype, rng):
    # (Their trip limit, 2**31 // 255 or // 128, is too long to run plainly: every
    # window of these runs in 32-bit lanes, at each tail length.)
    info = np.iinfo(dtype)
    f = pyston.fast(window_total)
    for a in (np.full(300, info.min, dtype), np.full(300, info.max, dtype),
              rng.integers(info.min, info.max, 300, dtype=dtype, endpoint=True)):
        for w in range(0, 40):
            assert_same(f, a, 5, w)
        assert_same(f, a, 0, 300)


def test_window_sum_of_int16_uses_32_bit_lanes():
    f = pyston.fast(window_sums)
    f(np.arange(40, dtype=np.int16), 8)
    if os.uname().machine in ("x86_64", "AMD64"):
        asm = f.inspect_asm()
        assert "paddd" in asm and "pmovsxwd" in asm, asm
    assert f.inspect_asm(target="aarch64")
