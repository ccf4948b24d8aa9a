"""datetime64 / timedelta64 in compiled code: arrays and NumPy scalars of the
linear units (W, D, h, m, s, ms, us, ns, ps, fs, as), compared with plain
NumPy value for value (NaT included), type, dtype (unit), exception and warning.

Compiled code holds a time value as its int64 count (NaT = INT64_MIN) and
runs NumPy's datetime loops natively: mixed units convert to the finer one,
NaT propagates, comparisons with NaT are false (``!=`` true). ``//``, ``%``
and ``/`` with a NaT operand or a zero divisor deoptimize (NumPy warns
there; the interpreter tier lets NumPy do it). Each supported kernel must
compile natively: it runs with ``fallback=False`` (which raises instead of
running plain Python), and a ``PerformanceWarning`` fails the test too. Unsupported
combinations (calendar units, float factors, ``timedelta // int``, NumPy's
TypeErrors) run as plain Python and must still agree.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pyston
import pytest

UNITS = ["W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]
I64_MIN = -(2**63)
I64_MAX = 2**63 - 1
# Counts, NaT (I64_MIN) first: edge values and a few random ones.
_rng = np.random.default_rng(15)
COUNTS = [I64_MIN, I64_MIN + 1, I64_MAX, -1, 0, 1, 7, -7, 86400, 10**12, -(10**15)] + [
    int(x) for x in _rng.integers(-(10**9), 10**9, 5)
]


def dt(v, u):
    return np.datetime64(v, u) if v != I64_MIN else np.datetime64("NaT", u)


def td(v, u):
    return np.timedelta64(v, u) if v != I64_MIN else np.timedelta64("NaT", u)


def outcome(f, *args, native=False):
    """(result or exception, warnings other than pyston's); with ``native``,
    a ``PerformanceWarning`` (the call did not run compiled) is the result."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = ("ok", f(*args))
        except Exception as e:  # noqa: BLE001 -- compared
            r = ("exc", type(e), str(e))
    perf = [str(w.message) for w in ws if issubclass(w.category, pyston.PerformanceWarning)]
    if native and perf:
        return ("not compiled", perf), []
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in ws
                   if not issubclass(w.category, (pyston.PerformanceWarning, ResourceWarning))})
    return r, msgs


def same(x, y):
    if isinstance(x, (tuple, list)):
        return type(x) is type(y) and len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if isinstance(x, np.ndarray):
        if not (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape):
            return False
        if x.dtype.kind in "mM":
            return np.array_equal(x.view("i8"), y.view("i8"))
        return np.array_equal(x, y, equal_nan=True)
    if type(x) is not type(y):
        return False
    if isinstance(x, (np.datetime64, np.timedelta64)):
        return x.dtype == y.dtype and x.view("i8") == y.view("i8")
    if isinstance(x, (float, np.floating)) and np.isnan(x):
        return bool(np.isnan(y))
    return bool(x == y)


def run_both(fn, args, native=True):
    a1 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    a2 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    plain = outcome(fn, *a1)
    compiled = outcome(pyston.fast(fn, fallback=not native), *a2, native=native)
    assert same(plain[0], compiled[0]) and plain[1] == compiled[1], (fn.__name__, args, plain, compiled)
    assert same(tuple(a1), tuple(a2)), (fn.__name__, args, a1, a2)
    return compiled


def check_many(fn, arg_lists, native=True):
    """One compiled function over many argument tuples (one dispatcher)."""
    fast = pyston.fast(fn, fallback=not native)
    for args in arg_lists:
        plain = outcome(fn, *args)
        compiled = outcome(fast, *args, native=native)
        assert same(plain[0], compiled[0]) and plain[1] == compiled[1], (fn.__name__, args, plain, compiled)


def add(a, b): return a + b
def sub(a, b): return a - b
def mul(a, b): return a * b
def floordiv(a, b): return a // b
def mod(a, b): return a % b
def truediv(a, b): return a / b
def eq(a, b): return a == b
def ne(a, b): return a != b
def lt(a, b): return a < b
def le(a, b): return a <= b
def gt(a, b): return a > b
def ge(a, b): return a >= b


ARITH = [add, sub, mul, floordiv, mod, truediv]
# NumPy 2.5 deprecates `time +- int` with a Python int (a DeprecationWarning).
INT_COUNTS_WARN = tuple(int(p) for p in np.__version__.split(".")[:2]) >= (2, 5)
CMPS = [eq, ne, lt, le, gt, ge]


def numpy_accepts(fn, a, b):
    """Whether NumPy computes fn(a, b) without raising a TypeError-like error
    (an OverflowError for units too far apart counts as not accepted)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(a, b)
        return True
    except (TypeError, OverflowError):
        return False


def supported(fn, a, b):
    """The combinations compiled code runs natively (the others fall back)."""
    time = (np.datetime64, np.timedelta64)
    def count(x):  # (np.timedelta64 is an np.integer subclass)
        return isinstance(x, (bool, int, np.integer)) and not isinstance(x, time)

    if fn is mul:
        return (isinstance(a, np.timedelta64) and count(b)) or (isinstance(b, np.timedelta64) and count(a))
    if fn in (add, sub) and INT_COUNTS_WARN and any(type(x) is int for x in (a, b)):
        return False  # NumPy >= 2.5 warns (the 'generic' unit): plain Python
    if fn is floordiv:
        return False  # np.longlong result: plain Python
    if fn is truediv and not all(isinstance(x, np.timedelta64) for x in (a, b)):
        return False
    if fn is mod and not all(isinstance(x, np.timedelta64) for x in (a, b)):
        return False
    if fn in CMPS and not (isinstance(a, time) and type(a) is type(b)):
        return False  # datetime == timedelta, timedelta == int: plain Python
    return numpy_accepts(fn, a, b)


@pytest.mark.parametrize("fn", ARITH + CMPS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("kinds", ["MM", "Mm", "mM", "mm"])
@pytest.mark.parametrize("units", [("s", "s"), ("D", "D"), ("ns", "ns"), ("s", "ms"), ("D", "h"), ("W", "D"),
                                   ("us", "s"), ("as", "as"), ("D", "ps"), ("s", "as")],
                         ids=lambda u: "-".join(u))
def test_scalar_ops(fn, kinds, units):
    make = {"M": dt, "m": td}
    vals = COUNTS[:8]
    pairs = [(make[kinds[0]](x, units[0]), make[kinds[1]](y, units[1]))
             for x, y in itertools.product(vals, vals)]
    native = supported(fn, *pairs[1])
    check_many(fn, pairs, native=native)


@pytest.mark.parametrize("fn", [add, sub, mul], ids=lambda f: f.__name__)
@pytest.mark.parametrize("kind", ["M", "m"])
@pytest.mark.parametrize("other", [3, -5, 0, True, np.int32(4), np.int8(-3), np.int64(I64_MIN), np.uint8(200),
                                   np.uint64(5), I64_MAX, I64_MIN])
def test_with_integer_counts(fn, kind, other):
    make = dt if kind == "M" else td
    for x in COUNTS[:6]:
        for a, b in [(make(x, "s"), other), (other, make(x, "s"))]:
            run_both(fn, (a, b), native=supported(fn, a, b))


def test_float_factor_and_int_divisor_fall_back():
    t = td(7, "s")
    for f, b in [(mul, 2.5), (floordiv, 2), (truediv, 2), (mul, np.float64(1.5))]:
        run_both(f, (t, b), native=False)


def neg(a): return -a
def pos(a): return +a
def absolute(a): return abs(a)
def truth(a): return 1 if a else 0
def isnat(a): return np.isnat(a)


@pytest.mark.parametrize("fn", [neg, pos, absolute, truth, isnat], ids=lambda f: f.__name__)
@pytest.mark.parametrize("unit", UNITS)
def test_unary(fn, unit):
    check_many(fn, [(td(v, unit),) for v in COUNTS])
    # -datetime, abs(datetime) are NumPy TypeErrors: plain Python.
    native = fn in (truth, isnat)
    check_many(fn, [(dt(v, unit),) for v in COUNTS], native=native)


def diffs(a):
    out = np.empty(len(a) - 1, dtype=(a[1] - a[0]).dtype)
    for i in range(len(a) - 1):
        out[i] = a[i + 1] - a[i]
    return out


def diffs_typed(a):
    out = np.empty(len(a) - 1, dtype="m8[s]")
    for i in range(len(a) - 1):
        out[i] = a[i + 1] - a[i]
    return out


def minmax(a):
    lo = a[0]
    hi = a[0]
    for i in range(1, len(a)):
        if a[i] < lo:
            lo = a[i]
        if a[i] > hi:
            hi = a[i]
    return lo, hi


def count_nat(a):
    n = 0
    for i in range(len(a)):
        if a[i] != a[i]:
            n += 1
    return n


def shift_inplace(a, d):
    for i in range(len(a)):
        a[i] = a[i] + d
    return a


def total(t):
    s = t[0] - t[0]
    for i in range(len(t)):
        s = s + t[i]
    return s


def arrays(unit):
    a = (_rng.integers(-(10**6), 10**6, 9)).astype(f"M8[{unit}]")
    a[3] = np.datetime64("NaT")
    return a


@pytest.mark.parametrize("unit", UNITS)
def test_array_loops(unit):
    a = arrays(unit)
    t = _rng.integers(-(10**6), 10**6, 7).astype(f"m8[{unit}]")
    run_both(diffs, (a,))
    run_both(minmax, (a,))
    run_both(minmax, (a[4:],))
    run_both(minmax, (t,))
    run_both(count_nat, (a,))
    run_both(shift_inplace, (a, np.timedelta64(3, unit)))
    run_both(shift_inplace, (a[::-2], np.timedelta64(-1, unit)))
    run_both(total, (t,))
    t[2] = np.timedelta64("NaT")
    run_both(total, (t,))
    if unit == "s":
        run_both(diffs_typed, (a,))


def test_layouts_and_empty():
    a = np.arange(24).astype("M8[s]").reshape(4, 6)

    def first_col_diff(m):
        out = np.zeros(m.shape[0], dtype="m8[s]")
        for i in range(m.shape[0]):
            out[i] = m[i, m.shape[1] - 1] - m[i, 0]
        return out

    run_both(first_col_diff, (a,))
    run_both(first_col_diff, (np.asfortranarray(a),))
    run_both(first_col_diff, (a.T,))
    run_both(first_col_diff, (a[:, ::-1],))
    run_both(count_nat, (np.array([], dtype="M8[ns]"),))
    run_both(minmax, (np.array([], dtype="M8[ns]"),))  # IndexError, same message


def test_creation():
    def make2(n):
        b = np.zeros(n, dtype="m8[ms]")
        c = np.ones(n, dtype="timedelta64[D]")
        d = np.zeros((n, 2), dtype="<M8[ns]")
        for i in range(n):
            b[i] = b[i] + i
        return b, c, d

    # `b[i] + i` adds a Python int: NumPy >= 2.5 warns there, plain Python.
    run_both(make2, (5,), native=not INT_COUNTS_WARN)
    run_both(make2, (0,), native=not INT_COUNTS_WARN)


def test_returns_scalars_and_arrays():
    def pick(a, i):
        return a[i], a, a[i] - a[0]

    a = arrays("ms")
    for i in [0, 3, -1, 9, -10]:
        run_both(pick, (a, i))


def test_numpy_ops_on_time_arrays():
    def whole(a, t):
        d = a - a[0]
        return d, a + t, np.isnat(a), a[1:], a.copy()

    run_both(whole, (arrays("s"), np.timedelta64(5, "s")))


def test_store_other_unit_falls_back():
    def store(a, v):
        a[0] = v
        return a

    a = arrays("s")
    run_both(store, (a, np.datetime64(5, "s")))
    run_both(store, (a, np.datetime64(5, "D")), native=False)
    run_both(store, (a, 7), native=False)


@pytest.mark.parametrize("dtype", ["M8[Y]", "M8[M]", "m8[Y]", "M8", "m8", "M8[2s]"])
def test_calendar_and_generic_units_fall_back(dtype):
    a = np.arange(5).astype(dtype) if dtype not in ("M8", "m8") else np.zeros(5, dtype=dtype)
    run_both(minmax, (a,), native=False)
    run_both(count_nat, (a,), native=False)


def test_mixed_units_match_numpy_common_unit():
    # The unit pairs NumPy refuses (OverflowError) fall back and raise the same error.
    for u, v in itertools.product(UNITS, UNITS):
        a, b = td(5, u), td(3, v)
        run_both(sub, (a, b), native=numpy_accepts(sub, a, b))
        run_both(lt, (dt(5, u), dt(3, v)), native=numpy_accepts(lt, dt(5, u), dt(3, v)))


def test_big_values_wrap_like_numpy():
    for a, b in [(td(2**62, "s"), td(1, "ms")), (dt(2**62, "s"), dt(1, "ms")), (td(I64_MAX, "s"), td(1, "s")),
                 (td(I64_MIN + 1, "s"), td(-1, "s")), (td(I64_MIN + 1, "ns"), td(-1, "ns"))]:
        for f in (add, sub, lt, eq, floordiv, mod, truediv):
            run_both(f, (a, b), native=supported(f, a, b))


def test_numpy_functions_on_time_values():
    def lib(a, t):
        return np.diff(a), np.isnat(a[3]), np.isnat(t), a[1:4], a[::-1].copy()

    run_both(lib, (arrays("ns"), td(I64_MIN, "ns")))
    run_both(lib, (arrays("D"), td(4, "D")))


def test_containers_of_time_values_fall_back():
    def from_list(lst):
        s = lst[0] - lst[0]
        for x in lst:
            s = s + x
        return s

    def to_list(a):
        return [a[0], a[1]]

    run_both(from_list, ([td(1, "s"), td(2, "s")],), native=False)
    run_both(to_list, (arrays("s"),), native=False)


def test_conversions_fall_back():
    def conv(t):
        return int(t), float(t)

    def mm(a, b):
        return min(a, b), max(a, b)

    run_both(conv, (td(5, "s"),), native=False)
    run_both(mm, (td(5, "s"), td(4, "ms")), native=False)  # mixed units: plain Python
    run_both(mm, (td(5, "s"), 3), native=False)


def test_min_max_builtins():
    def mm(a, b):
        return min(a, b), max(a, b), min(b, a), max(b, a)

    def mm3(a, b, c):
        return min(a, b, c), max(a, b, c)

    def running(a):
        lo = a[0]
        hi = a[0]
        for i in range(len(a)):
            lo = min(lo, a[i])
            hi = max(a[i], hi)
        return lo, hi

    for u in ["s", "ns", "D"]:
        vals = [td(v, u) for v in COUNTS[:6]]
        check_many(mm, [(x, y) for x in vals for y in vals])
        check_many(mm3, [(x, y, z) for x in vals[:4] for y in vals[:4] for z in vals[:4]])
        dts = [dt(v, u) for v in COUNTS[:6]]
        check_many(mm, [(x, y) for x in dts for y in dts])
        run_both(running, (arrays(u),))
        a = arrays(u)
        a[0] = np.datetime64("NaT")
        run_both(running, (a,))


# ---- index ranges in loops over time arrays (the `bounds` pass runs there too) ----


def time_gaps_upto(ts, n):
    out = np.empty(n, dtype="m8[ms]")
    for i in range(n):
        out[i] = ts[i + 1] - ts[i]
    return out


def time_total_upto(d, n):
    s = d[0] - d[0]
    for i in range(n):
        x = d[i]
        if x == x:
            s = s + x
    return s


@pytest.mark.parametrize("extra", [-3, -1, 0, 1, 5])
def test_loop_past_the_end_of_a_time_array(extra):
    ts = np.datetime64("2024-01-01", "ms") + np.cumsum(_rng.integers(1, 1000, 20)).astype("m8[ms]")
    d = _rng.integers(0, 100, 20).astype("m8[s]")
    d[3] = np.timedelta64("NaT")
    # In range: the accesses need no checks (guards before the loop); past the
    # end: NumPy's IndexError at the same element, out[] written up to there.
    run_both(time_gaps_upto, (ts, 19 + extra))
    run_both(time_total_upto, (d, 20 + extra))


# ---- NaT facts: branches on time comparisons, and the add's cold NaT path ----
# Inside `if d == d:` (or `<`, `<=`, `>`, `>=`; the false side of `!=`), d is
# not NaT: compiled code skips its NaT tests there. A sum of two proven values
# is proven too. Adds keep NaT and deoptimize on overflow from a cold block.


def skip_nat_total(d):
    s = d[0] - d[0]
    for i in range(len(d)):
        x = d[i]
        if x == x:
            s = s + x
    return s


def skip_nat_total_ne(d):
    s = d[0] - d[0]
    for i in range(len(d)):
        x = d[i]
        if x != x:
            continue
        s = s - x
    return s


def skip_nat_total_ifexp(d):
    s = d[0] - d[0]
    for i in range(len(d)):
        x = d[i]
        s = s + x if x == x else s
    return s


def gaps_and_largest(ts):
    out = np.empty(ts.shape[0] - 1, dtype=(ts[1] - ts[0]).dtype)
    big = ts[1] - ts[0]
    for i in range(ts.shape[0] - 1):
        d = ts[i + 1] - ts[i]
        out[i] = d
        if d > big:
            big = d
    return out, big


def ordered_pairs(a, b, lo):
    # Each comparison true only for non-NaT operands; the sums inside use that.
    n = 0
    t = lo - lo
    for i in range(len(a)):
        x = a[i]
        y = b[i]
        if x < y:
            t = t + (y - x)
            n += 1
        elif x >= y:
            t = t + (x - y) + (x - y)
        if x <= lo:
            t = t - (lo - x)
        if y > lo:
            n += 2
    return n, t


def sides_of_branches(a, b, t0):
    # The side of each branch where the operands may be NaT uses them: a fact
    # taken from the wrong side would drop a NaT (t0 > 0 makes t + NaT no
    # overflow). One total per side, so that no other NaT test hides it.
    t1 = t2 = t3 = t4 = t5 = t0
    for i in range(len(a)):
        x = a[i]
        y = b[i]
        if x != y:
            t1 = t1 + x
        if x == y:
            t2 = t2 + y
        else:
            t3 = t3 + y
        if x < y:
            t4 = t4 + x
        else:
            t5 = t5 + x
    return t1, t2, t3, t4, t5


def self_compares(a):
    out = []
    for i in range(len(a)):
        x = a[i]
        out.append((x == x, x != x, x < x, x <= x, x > x, x >= x))
    return out


@pytest.mark.parametrize("unit", ["s", "ms", "D", "ns"])
def test_nat_facts_from_branches(unit):
    rng = np.random.default_rng(35)
    for n in (1, 2, 5, 40):
        d = rng.integers(-(10**6), 10**6, n).astype(f"m8[{unit}]")
        variants = [d.copy()]
        for pos in (0, n // 2, n - 1):
            v = d.copy()
            v[pos] = np.timedelta64("NaT")
            variants.append(v)
        allnat = d.copy()
        allnat[:] = np.timedelta64("NaT")
        variants += [allnat, d[::-1], d[::2]]
        for v in variants:
            for fn in (skip_nat_total, skip_nat_total_ne, skip_nat_total_ifexp, self_compares):
                run_both(fn, (v,))
            ts = np.datetime64("2024-01-01", unit) + np.cumsum(np.abs(v.view("i8")) % 1000).astype(f"m8[{unit}]")
            ts[v.view("i8") == I64_MIN] = np.datetime64("NaT")
            if n > 1:
                run_both(gaps_and_largest, (ts,))
            w = rng.integers(-(10**6), 10**6, n).astype(f"m8[{unit}]")
            run_both(ordered_pairs, (v, w, np.timedelta64(3, unit)))
            run_both(sides_of_branches, (v, w, np.timedelta64(10**7, unit)))
            run_both(sides_of_branches, (w, v, np.timedelta64(10**7, unit)))
            run_both(sides_of_branches, (v, v, np.timedelta64(10**7, unit)))
            run_both(ordered_pairs, (v, w, np.timedelta64("NaT", unit)))


def test_nat_facts_mixed_units_and_overflow():
    # A proven operand converted to a finer unit stays proven (a conversion that
    # overflows deoptimizes); sums that overflow or land on NaT deoptimize, and
    # the interpreter tier lets the running NumPy decide (wrap or raise).
    big = np.array([I64_MAX - 5, 3, 4, I64_MIN + 1, -9], dtype="m8[ns]")
    run_both(skip_nat_total, (big,))
    run_both(skip_nat_total, (np.array([I64_MIN + 1, -1, 5], dtype="m8[s]"),))
    run_both(skip_nat_total, (np.array([I64_MAX, 1], dtype="m8[s]"),))
    run_both(skip_nat_total_ne, (np.array([I64_MIN + 1, 1, I64_MIN + 1], dtype="m8[s]"),))
    a = np.array([10**17, -(10**17), I64_MIN, 5], dtype="m8[s]")
    b = np.array([1, 2, 3, 4], dtype="m8[ms]")
    run_both(ordered_pairs, (a, b, np.timedelta64(1, "us")))
    run_both(ordered_pairs, (b, a, np.timedelta64(I64_MIN + 1, "ms")))
    ts = np.array([I64_MIN + 1, I64_MAX, 0, I64_MIN, 4], dtype="M8[s]")
    run_both(gaps_and_largest, (ts,))


# ---- loop values whose NaT-ness never changes: tested once, before the loop ----


def track_last_valid(a):
    # `last` becomes valid at the first valid element: its NaT-ness changes in
    # the loop, so each `x > last` must test it.
    last = a[0]
    n = 0
    for i in range(1, len(a)):
        x = a[i]
        if x > last:
            n += 1
        if x == x:
            last = x
    return n, last


def largest_and_total(a):
    # `big` (replaced only by a larger, so valid, value) and `s` (plus valid
    # values only) are NaT in every iteration exactly when they start NaT.
    big = a[0]
    s = a[1] - a[0]
    for i in range(len(a)):
        x = a[i]
        if x > big:
            big = x
        if x == x:
            s = s + x
            s = s - x + x
    return big, s


def running_unfiltered(a):
    # `s + x` with x maybe NaT: s may turn NaT in the loop.
    s = a[0] - a[0]
    k = 0
    for i in range(len(a)):
        s = s + a[i]
        if s > a[0]:
            k += 1
    return s, k


@pytest.mark.parametrize("unit", ["s", "ms"])
def test_nat_invariant_loop_values(unit):
    rng = np.random.default_rng(36)
    for n in (2, 3, 9, 50):
        d = rng.integers(-(10**6), 10**6, n).astype(f"m8[{unit}]")
        for nat_at in ([], [0], [1], [0, 1], [n - 1], [0, n // 2], list(range(n))):
            v = d.copy()
            v[nat_at] = np.timedelta64("NaT")
            for fn in (track_last_valid, largest_and_total, running_unfiltered):
                run_both(fn, (v,))
    ext = np.array([I64_MIN, I64_MAX - 2, 1, 1, I64_MIN, 5], dtype="m8[s]")
    for fn in (track_last_valid, largest_and_total, running_unfiltered):
        run_both(fn, (ext,))
        run_both(fn, (ext[1:],))
