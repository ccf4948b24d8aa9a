"""Conditional sums and time lanes in SIMD loops give the sequential loop's results.

`if c: s = s + e` in a counted loop, `c` a comparison of 64-bit int or
datetime64/timedelta64 elements, runs as a vector loop that adds `e` in the
lanes where `c` holds and 0 in the others, its sum checked: it is kept only
when no partial sum in any order can overflow (or land on NaT), otherwise the
scalar loop redoes the loop and does what NumPy does (a warning, a wrap, NaT).
Time comparisons follow NumPy: with a NaT operand `!=` is true and every other
comparison false. Every length 0..40 (each tail, loops that never enter the
vector part), NaT anywhere (first element, all, every third), sums at the
overflow edge, strided and reversed views, and both polarities of the branch
are compared with plain Python: value, type, dtype (unit), exception, warnings.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pyston
import pytest

NAT = np.timedelta64("NaT")
X86 = os.uname().machine in ("x86_64", "AMD64")


def total_valid(d):
    s = d[0] - d[0]
    for i in range(d.shape[0]):
        x = d[i]
        if x == x:
            s = s + x
    return s


def total_valid_else(d):
    s = d[0] - d[0]
    for i in range(d.shape[0]):
        x = d[i]
        if x != x:
            pass
        else:
            s = x + s
    return s


def total_at_least(d, t):
    s = d[0] - d[0]
    for i in range(d.shape[0]):
        x = d[i]
        if x >= t:
            s = s + x
    return s


def total_below(d, t):
    s = d[0] - d[0]
    for i in range(d.shape[0]):
        x = d[i]
        if x < t:
            s = s + x
    return s


def total_unequal(d, t):
    s = d[0] - d[0]
    for i in range(d.shape[0]):
        x = d[i]
        if x != t:
            s = s + x
    return s


def durations_after(ts, d, t0):
    # Two arrays: datetime64 timestamps tested, timedelta64 durations summed.
    s = d[0] - d[0]
    for i in range(ts.shape[0]):
        x = d[i]
        if ts[i] > t0:
            s = s + x
    return s


def int_total_above(a, t):
    s = a[0] - a[0]
    for i in range(a.shape[0]):
        x = a[i]
        if x > t:
            s = s + x
    return s


def int_total_between(a, lo, hi):
    s = a[0] - a[0]
    for i in range(a.shape[0]):
        x = a[i]
        if x <= hi:
            if x > lo:
                s = s + x
    return s


def _run(fn, args):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = fn(*args)
        except Exception as e:  # noqa: BLE001 -- compared like a value
            r = (type(e).__name__, str(e))
    ws = [(w.category.__name__, str(w.message)) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
    return r, ws


def _same(fn, *args):
    # A fresh compiled function each time: an overflowing call may get it recompiled.
    exp, got = _run(fn, args), _run(pyston.fast(fn), args)
    (e, ew), (g, gw) = exp, got
    assert type(e) is type(g), (fn.__name__, args, exp, got)
    assert getattr(e, "dtype", None) == getattr(g, "dtype", None), (fn.__name__, exp, got)
    same = (e == g) or (isinstance(e, np.generic) and np.isnat(e) and np.isnat(g)) if not isinstance(e, tuple) else e == g
    assert same, (fn.__name__, args, exp, got)
    assert ew == gw, (fn.__name__, exp, got)


def _durations(rng, n, unit="s", nat=None):
    d = rng.integers(-10**6, 10**6, n).astype(f"m8[{unit}]")
    if nat == "third":
        d[::3] = NAT
    elif nat == "first" and n:
        d[0] = NAT
    elif nat == "all":
        d[:] = NAT
    elif nat == "last" and n:
        d[-1] = NAT
    return d


@pytest.mark.parametrize("n", range(0, 41))
@pytest.mark.parametrize("nat", [None, "third", "first", "last", "all"])
def test_timedelta_sums_skipping_nat_at_every_length(n, nat, rng):
    d = _durations(rng, n, nat=nat)
    for f in (total_valid, total_valid_else):
        _same(f, d)
    t = np.timedelta64(int(rng.integers(-10**6, 10**6)), "s")
    for f in (total_at_least, total_below, total_unequal):
        for tt in (t, np.timedelta64("NaT", "s")):
            _same(f, d, tt)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "D"])
def test_units_and_long_arrays(unit, rng):
    for n in (999, 1000, 1001):
        d = _durations(rng, n, unit=unit, nat="third")
        _same(total_valid, d)
        _same(total_at_least, d, np.timedelta64(0, unit))


def test_mixed_units_stay_exact(rng):
    # A threshold of another unit: the comparison converts (not a time lane of
    # one dtype), so the plain loop runs; results as NumPy's.
    d = _durations(rng, 100, unit="ms", nat="third")
    _same(total_at_least, d, np.timedelta64(1, "s"))


@pytest.mark.parametrize("view", ["strided", "reversed"])
def test_non_contiguous_views(view, rng):
    base = _durations(rng, 201, nat="third")
    d = base[::2] if view == "strided" else base[::-1]
    _same(total_valid, d)
    _same(total_at_least, d, np.timedelta64(5, "s"))


def test_sums_at_the_overflow_and_nat_edge():
    # Partial sums that overflow or land exactly on NaT (i64::MIN): the vector
    # result is dropped and the scalar loop does what the running NumPy does.
    big = 2**62
    cases = [
        [big, big, NAT, -5],  # overflows at the second add
        [-big, -big, 3],  # lands on NaT (i64::MIN)
        [-big, -big + 1, NAT],  # just above NaT
        [big - 1, big, -1],  # i64::MAX - 1 + ...
        [2**57] * 64,  # too large for the bound, no overflow
        [-(2**57)] * 64 + [NAT] * 3,
    ]
    for c in cases:
        d = np.array([np.timedelta64(x, "s") if not isinstance(x, np.timedelta64) else x for x in c], dtype="m8[s]")
        for f in (total_valid, total_valid_else):
            _same(f, d)
        _same(total_at_least, d, np.timedelta64(-(2**63) + 1, "s"))


def test_datetime_condition_with_timedelta_sum(rng):
    t0 = np.datetime64("2024-01-01T00:00:00", "s")
    for n in (0, 1, 7, 64, 333):
        ts = t0 + rng.integers(-1000, 1000, n).astype("m8[s]")
        if n > 3:
            ts[::4] = np.datetime64("NaT")
        d = _durations(rng, n, nat="third" if n % 2 else None)
        if n:
            _same(durations_after, ts, d, t0)
            _same(durations_after, ts, d, np.datetime64("NaT", "s"))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 17, 64, 1000])
def test_int64_conditional_sums(n, rng):
    if n == 0:
        a = np.zeros(0, np.int64)
        _same(int_total_above, a, 0)
        return
    for a in (rng.integers(-1000, 1000, n), rng.integers(-(2**62), 2**62, n)):
        for t in (0, -(2**63) + 1, 2**63 - 1, int(a[n // 2])):
            _same(int_total_above, a, t)
            _same(int_total_above, a, np.int64(t))
        _same(int_total_between, a, -100, 500)


def test_int64_conditional_sum_overflow_warns_as_numpy():
    a = np.array([2**62, 2**62, -(2**62), 5, -7] * 5, dtype=np.int64)
    _same(int_total_above, a, 0)
    _same(int_total_above, a, -10)
    _same(int_total_above, np.array([-(2**63), -1] + [0] * 20, dtype=np.int64), -(2**63))


def test_conditional_sums_are_vectorized():
    f = pyston.fast(total_valid)
    f(np.arange(40).astype("m8[s]"))
    g = pyston.fast(int_total_above)
    g(np.arange(40), 3)
    if X86:
        for h in (f, g):
            asm = h.inspect_asm()
            assert "paddq" in asm and "pcmp" in asm, asm
    # The same code lowers for aarch64 (Cranelift's backend, not run here).
    assert f.inspect_asm(target="aarch64")
    assert g.inspect_asm(target="aarch64")


def test_disabling_simd_gives_the_same_results(rng, monkeypatch):
    d = _durations(rng, 257)
    d[1::3] = NAT
    on = pyston.fast(total_valid)(d)
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "simd")
    off = pyston.fast(total_valid)(d)
    assert type(on) is type(off) and on == off and on.dtype == off.dtype and on == total_valid(d)
