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


def reload_total_above(a, t):
    # the element read again inside the branch
    s = a[0] - a[0]
    for i in range(a.shape[0]):
        if a[i] > t:
            s += a[i]
    return s


def int_reload_total_above(a, t):
    # `s = 0` and Python ints: `int(a[i])` read again inside the branch
    s = 0
    for i in range(a.shape[0]):
        if a[i] > t:
            s += int(a[i])
    return s


def union_total_above(a, t):
    # `s = 0` (an int) becomes an np.int64 at the first element added: its type
    # at the end says whether any was
    s = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x > t:
            s = s + x
    return s


def union_total_not_above(a, t):
    s = 0
    for x in a:
        if x > t:
            pass
        else:
            s += x
    return s


def reload_after_store(a, out, t):
    # a store in the body before the reload: the reload is not taken as the same value
    s = 0
    for i in range(a.shape[0]):
        out[i] = a[i] + 1
        if a[i] > t:
            s += out[i]
    return s


def _run(fn, args):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = fn(*args)
        except Exception as e:  # noqa: BLE001 -- compared like a value
            r = (type(e).__name__, str(e))
    perf = [w for w in ws if issubclass(w.category, pyston.PerformanceWarning)]
    assert not perf, f"{getattr(fn, '__name__', fn)} fell back to plain Python: {perf[0].message}"
    ws = [(w.category.__name__, str(w.message)) for w in ws]
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


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 64, 1000])
def test_reloads_and_union_sums(n, rng):
    for a in (rng.integers(-1000, 1000, n), rng.integers(-(2**62), 2**62, n)):
        for t in (0, -(2**63) + 1, 2**63 - 1, int(a[n // 2]) if n else 0):
            for fn in (int_reload_total_above, union_total_above, union_total_not_above):
                _same(fn, a, t)
            if n:
                _same(reload_total_above, a, t)
        for k in range(min(n, 9)):
            # exactly one element added, at each position of the first lanes and copies
            b = np.full(n, -5, np.int64)
            b[k] = 7
            for fn in (union_total_above, int_reload_total_above, reload_total_above):
                _same(fn, b, 0)
            _same(union_total_not_above, -b, 0)
        _same(union_total_above, a[::-2], 3)
        _same(union_total_above, a[1::3], -3)
    if n:
        b = rng.integers(-1000, 1000, n)
        _same(reload_after_store, b, np.zeros(n, np.int64), 0)


def test_union_and_reload_sums_at_the_overflow_edge():
    a = np.array([2**62, 2**62, -(2**62), 5, -7] * 5, dtype=np.int64)
    for fn in (union_total_above, int_reload_total_above, reload_total_above, union_total_not_above):
        _same(fn, a, 0)
        _same(fn, a, -10)
        _same(fn, -a, 10)
    _same(union_total_above, np.array([-(2**63), -1] + [0] * 20, dtype=np.int64), -(2**63))
    _same(int_reload_total_above, np.array([2**63 - 1] * 9, dtype=np.int64), 0)


def test_reloads_and_union_sums_are_vectorized():
    for fn in (reload_total_above, int_reload_total_above, union_total_above, union_total_not_above):
        g = pyston.fast(fn)
        g(np.arange(40), 3)
        if X86:
            asm = g.inspect_asm()
            assert "paddq" in asm and "pcmp" in asm, (fn.__name__, asm)
        assert g.inspect_asm(target="aarch64")  # (Cranelift's aarch64 backend lowers it too)


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


# ---------------------------------------------------------------------------
# Select reductions (`if e > s: s = e`) and time arithmetic lanes.


def gaps(ts, out):
    big = ts[1] - ts[0]
    for i in range(ts.shape[0] - 1):
        d = ts[i + 1] - ts[i]
        out[i] = d
        if d > big:
            big = d
    return big


def smallest_gap(ts):
    small = ts[1] - ts[0]
    for i in range(ts.shape[0] - 1):
        d = ts[i + 1] - ts[i]
        if small > d:
            small = d
    return small


def shifted(ts, d, out):
    # datetime + timedelta stored, datetime compared: the latest shifted time.
    last = ts[0] + d[0]
    for i in range(ts.shape[0]):
        t = ts[i] + d[i]
        out[i] = t
        if t >= last:
            last = t
    return last


def int_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        x = a[i]
        if x > m:
            m = x
    return m


def int_min_le(a):
    m = a[0]
    for i in range(a.shape[0]):
        x = a[i]
        if x <= m:
            m = x
    return m


def int_max_not(a):
    # The element taken where the comparison fails: not a select reduction.
    m = a[0]
    for i in range(a.shape[0]):
        x = a[i]
        if x <= m:
            pass
        else:
            m = x
    return m


def _same_gaps(fn, ts):
    # `gaps` fills an array of the timestamps' unit: both runs get their own.
    unit = np.datetime_data(ts.dtype)[0]
    args = [ts] if fn is smallest_gap else [ts, np.full(ts.shape[0] - 1, 1, f"m8[{unit}]")]
    jargs = [a.copy() for a in args]
    (e, ew), (g, gw) = _run(fn, args), _run(pyston.fast(fn), jargs)
    assert ew == gw, (fn.__name__, ew, gw)
    assert type(e) is type(g), (e, g)
    if isinstance(e, tuple):
        assert e == g
    else:
        assert e.dtype == g.dtype and ((e == g) or (np.isnat(e) and np.isnat(g))), (e, g)
    if fn is gaps:
        assert np.array_equal(args[1], jargs[1], equal_nan=True), (args[1], jargs[1])


def _stamps(rng, n, unit="ms", nat=None):
    ts = np.datetime64("2024-01-01T00:00:00", unit) + np.cumsum(rng.integers(-5, 60_000, n)).astype(f"m8[{unit}]")
    if nat == "some" and n > 4:
        ts[3::5] = np.datetime64("NaT")
    elif nat == "first" and n:
        ts[0] = np.datetime64("NaT")
    elif nat == "second" and n > 1:
        ts[1] = np.datetime64("NaT")
    return ts


@pytest.mark.parametrize("n", range(2, 40))
@pytest.mark.parametrize("nat", [None, "some", "first", "second"])
def test_time_gaps_and_their_extremes_at_every_length(n, nat, rng):
    ts = _stamps(rng, n, nat=nat)
    _same_gaps(gaps, ts)
    _same_gaps(smallest_gap, ts)


@pytest.mark.parametrize("unit", ["s", "us", "D"])
def test_time_gaps_units_long_arrays_and_views(unit, rng):
    ts = _stamps(rng, 2001, unit=unit, nat="some")
    _same_gaps(gaps, ts)
    _same_gaps(gaps, ts[::2])
    _same_gaps(gaps, ts[::-1])
    _same_gaps(smallest_gap, ts[5:])


def test_time_arithmetic_at_the_overflow_and_nat_edge():
    big = 2**62
    lo = -(2**63) + 1
    for vals in (
        [0, big, -big, big],  # a difference overflows
        [big, -big + 1, 0, 5],  # lands on NaT (i64::MIN)
        [lo, 2**63 - 1, 0, 1, 2],  # the largest difference
        [lo + 5, lo, 7, 8, 9, 10],
    ):
        ts = np.array(vals, dtype="M8[s]")
        _same_gaps(gaps, ts)
        _same_gaps(smallest_gap, ts)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 17, 200])
def test_datetime_plus_timedelta_stores_and_latest(n, rng):
    ts = _stamps(rng, n, unit="s", nat="some")
    d = _durations(rng, n, unit="s", nat="third" if n > 2 else None)
    for f, args in ((shifted, (ts, d, np.empty(n, "M8[s]"))),):
        e_out, g_out = args[2].copy(), args[2].copy()
        (e, ew) = _run(f, (ts, d, e_out))
        (g, gw) = _run(pyston.fast(f), (ts, d, g_out))
        assert ew == gw and type(e) is type(g) and e.dtype == g.dtype
        assert (e == g) or (np.isnat(e) and np.isnat(g)), (e, g)
        assert np.array_equal(e_out, g_out, equal_nan=True)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 17, 64, 1001])
def test_int64_select_reductions(n, rng):
    for a in (
        rng.integers(-1000, 1000, n),
        rng.integers(-(2**63), 2**63 - 1, n, endpoint=True),
        np.full(n, 7, np.int64),
        np.arange(n, dtype=np.int64)[::-1].copy(),
    ):
        for f in (int_max, int_min_le, int_max_not):
            _same(f, a)
            if n > 2:
                _same(f, a[::2])


def test_select_reductions_and_time_lanes_are_vectorized():
    f = pyston.fast(gaps)
    f(_stamps(np.random.default_rng(0), 40), np.empty(39, "m8[ms]"))
    g = pyston.fast(int_max)
    g(np.arange(40))
    if X86:
        for h in (f, g):
            asm = h.inspect_asm()
            assert "pcmpgtq" in asm and ("pblendvb" in asm or "pand" in asm), asm
    assert f.inspect_asm(target="aarch64")
    assert g.inspect_asm(target="aarch64")
