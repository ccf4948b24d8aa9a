"""Local lists (issue #14 item 1): a list made in a compiled function that never
leaves it holds its elements unboxed (`local_list(...)` in `inspect_types()`).
Differential against plain Python on random and edge inputs: values, types,
IndexError messages, deoptimization with local lists live (aliases stay one list),
exceptions into handlers, mutation while iterating, and memory over many lists."""

import gc

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, check, rng_for, rss_bytes


def local_types(fn, *args):
    """The `inspect_types()` text of `fn` compiled for `args` (after a call)."""
    fn(*args)
    return fn.inspect_types()


@pyston.fast
def build_sum_float(n):
    out = []
    for i in range(n):
        out.append(i * 0.5)
    s = 0.0
    for v in out:
        s += v
    return s, len(out)


@pyston.fast
def build_sum_np(a):
    out = []
    for x in a:
        out.append(x * 2.0)
    s = a[:0].sum()
    for v in out:
        s += v
    return s, len(out)


@pyston.fast
def build_ints(n):
    out = [1, 2]
    for i in range(n):
        if i % 3 != 0:
            out.append(i * i)
    t = 0
    for v in out:
        t += v
    return t, len(out), out[-1] if out else None


@pyston.fast
def build_bools(a):
    flags = []
    for x in a:
        flags.append(x > 0)
    k = 0
    for f in flags:
        if f:
            k += 1
    return k, len(flags)


@pyston.fast
def comprehension_len(a, t):
    ys = [x * x for x in a if x > t]
    s = 0.0
    for y in ys:
        s += y
    return len(ys), s


def test_kernels_are_local_and_exact():
    rng = rng_for("local_lists_kernels")
    for n in (0, 1, 7, 8, 9, 16, 17, 1000):
        check(build_sum_float, [(n,)])
        check(build_ints, [(n,)])
    for dt in (np.float64, np.float32, np.int32, np.int64, np.uint8, np.int16):
        for n in (0, 1, 9, 300):
            a = (rng.standard_normal(n) * 5).astype(dt)
            check(build_sum_np, [(a,)])
            check(build_bools, [(a,)])
            check(comprehension_len, [(a, dt(3))])
    assert "local_list(float)" in local_types(build_sum_float, 3)
    assert "local_list(int)" in local_types(build_ints, 3)
    assert "local_list(np.bool)" in local_types(build_bools, np.ones(3))
    assert "local_list(np.float64)" in local_types(comprehension_len, np.ones(3), 0.5)


@pyston.fast
def index_read(n, i):
    xs = []
    for k in range(n):
        xs.append(k * 1.5)
    return xs[i]


@pyston.fast
def index_write(n, i, v):
    xs = [0.0] * 0
    for k in range(n):
        xs.append(float(k))
    xs[i] = v
    s = 0.0
    for x in xs:
        s = s * 2.0 + x
    return s


@pyston.fast
def pops(n, k):
    st = []
    for i in range(n):
        st.append(i)
    t = 0
    for _ in range(k):
        t = t * 3 + st.pop()
    return t, len(st)


def test_indexes_and_index_errors():
    for n in (0, 1, 5):
        for i in (-6, -5, -1, 0, 1, 4, 5, True, False):
            check(index_read, [(n, i)])
            check(index_write, [(n, i, 9.5)])
    for n, k in ((0, 0), (0, 1), (3, 3), (3, 4), (10, 2)):
        check(pops, [(n, k)])


@pyston.fast
def while_stack(a):
    # a stack algorithm: push indexes, pop them, `while st:` and `not st`
    st = [0]
    seen = 0
    while st:
        i = st.pop()
        seen += 1
        if 2 * i + 1 < len(a) and a[2 * i + 1] > 0:
            st.append(2 * i + 1)
        if 2 * i + 2 < len(a) and a[2 * i + 2] > 0:
            st.append(2 * i + 2)
    return seen, not st


@pyston.fast
def grow_while_iterating(n):
    xs = [1]
    for x in xs:
        if len(xs) < n:
            xs.append(x + len(xs))
    t = 0
    for x in xs:
        t += x
    return t, len(xs)


def test_control_flow_over_local_lists():
    rng = rng_for("local_lists_stack")
    for n in (1, 2, 15, 200):
        check(while_stack, [(rng.standard_normal(n),)])
    for n in (0, 1, 2, 50):
        check(grow_while_iterating, [(n,)])


@pyston.fast
def overflow_midway(n, m):
    # `acc` overflows 64 bits after some iterations: compiled code hands the
    # local list to the interpreter tier as a list, which finishes the call.
    out = []
    alias = out
    acc = m
    for i in range(n):
        alias.append(i)
        acc = acc * 7
    out.append(-1)
    t = 0
    for v in alias:
        t += v
    return t, len(out), acc % 1000


@pyston.fast
def overflow_phi(n, m, flag):
    a = []
    b = a
    if flag:
        c = a
    else:
        c = b
    acc = m
    for i in range(n):
        c.append(float(i))
        acc = acc * 1000
    a.append(0.5)
    return len(b), c[-1], b[0] if n else None, acc % 97


def test_deopt_with_local_lists_live():
    for n in (0, 5, 30, 100):
        for m in (1, 3, 2**40):
            assert_same(overflow_midway, n, m, allow_fallback=True)
            for flag in (True, False):
                assert_same(overflow_phi, n, m, flag, allow_fallback=True)
    # (no overflow: compiled natively)
    check(overflow_midway, [(5, 1)])
    assert "local_list(int)" in local_types(overflow_midway, 5, 1)


@pyston.fast
def into_handler(a):
    out = []
    try:
        for x in a:
            out.append(1.0 / x)
    except ZeroDivisionError:
        out.append(-1.0)
    s = 0.0
    for v in out:
        s += v
    return s, len(out)


@pyston.fast
def index_error_caught(n, i):
    xs = [0.5] * 0
    for k in range(n):
        xs.append(k + 0.25)
    try:
        v = xs[i]
    except IndexError as e:
        return str(e), len(xs)
    return v, len(xs)


def test_exceptions_with_local_lists():
    check(into_handler, [(np.array([1.0, 2.0, 4.0]),)])
    for a in ([1.0, 0.0, 2.0], [0.0], [], [2.0, 4.0, 0.0]):
        assert_same(into_handler, np.array(a), allow_fallback=True)
    for n, i in ((3, 1), (3, 3), (0, 0), (2, -3)):
        assert_same(index_error_caught, n, i, allow_fallback=True)


@pyston.fast
def escapes_by_tuple(n):
    out = []
    for i in range(n):
        out.append(i * 0.5)
    t = (out, n)
    k = t[1]
    return t, k


@pyston.fast
def escapes_by_call(n):
    out = []
    for i in range(n):
        out.append(i)
    return sum(out), sorted(out, reverse=True)[:2]


@pyston.fast
def escapes_by_slice(n, x):
    out = []
    for i in range(n):
        out.append(i * x)
    return len(out[1:]), out[-1] if out else x


def test_escaping_lists_stay_real_lists():
    check(escapes_by_tuple, [(0,), (5,)])
    check(escapes_by_call, [(0,), (5,)])
    check(escapes_by_slice, [(5, 4.0), (0, 3.0)])
    for fn, args in ((escapes_by_tuple, (3,)), (escapes_by_call, (3,)), (escapes_by_slice, (3, 2.0))):
        assert "local_list" not in local_types(fn, *args)


@pyston.fast
def many_lists(n, w):
    t = 0.0
    for i in range(n):
        row = []
        for j in range(w):
            row.append(i + j * 0.5)
        t += row[-1]
    return t


def test_memory_flat_over_many_lists():
    check(many_lists, [(10, 4)])
    many_lists(1000, 64)
    gc.collect()
    before = rss_bytes()
    for _ in range(20):
        many_lists(50_000, 64)  # 1M lists of 64 floats (512 MB if kept)
    gc.collect()
    assert rss_bytes() - before < 50 * 2**20


@pyston.njit
def njit_build(n):
    out = []
    for i in range(n):
        out.append(i * 0.25)
    s = 0.0
    for v in out:
        s += v
    return s


def test_njit_local_lists():
    for n in (0, 3, 100):
        assert njit_build(n) == njit_build.py_func(n)


@pyston.fast
def returned(n):
    out = []
    for i in range(n):
        out.append(i * 0.5)
    return out


@pyston.fast
def returned_with(a, t):
    ys = [x for x in a if x > t]
    k = len(ys)
    return ys, k


@pyston.fast
def returned_ints(n):
    out = [0]
    for i in range(n):
        out.append(out[-1] + i)
    return out


@pyston.fast
def to_array(a, t):
    ys = []
    for x in a:
        if x > t:
            ys.append(x)
    arr = np.array(ys)
    ys.append(t)  # (np.array copied: this does not change `arr`)
    return arr, len(ys)


@pyston.fast
def to_array_py(n):
    f = []
    k = []
    b = []
    for i in range(n):
        f.append(i / 3)
        k.append(i * i)
        b.append(i % 2 == 0)
    return np.array(f), np.array(k), np.array(b)


def test_returned_and_converted_local_lists():
    rng = rng_for("local_lists_returned")
    for n in (0, 1, 9, 100):
        check(returned, [(n,)])
        check(returned_ints, [(n,)])
        check(to_array_py, [(n,)])
    for dt in (np.float64, np.int32, np.uint8, np.float32, np.bool_):
        for n in (0, 1, 50):
            a = (rng.standard_normal(n) * 5).astype(dt)
            check(returned_with, [(a, dt(1))])
            check(to_array, [(a, dt(1))])
    for fn, args in ((returned, (3,)), (returned_with, (np.ones(3), 0.5)), (to_array, (np.ones(3), np.float64(0.5)))):
        assert "local_list" in local_types(fn, *args)
    # each call returns a new list of exactly CPython's element types
    r = returned(3)
    assert r is not returned(3) and [type(x) for x in r] == [float] * 3
    ys, _ = returned_with(np.arange(4.0), 0.5)
    assert [type(x) for x in ys] == [np.float64] * 3


@pyston.fast
def reduce_float(a, t):
    ys = []
    for x in a:
        if x > t:
            ys.append(float(x))
    return sum(ys), len(ys), min(ys) if ys else None, max(ys) if ys else None


@pyston.fast
def reduce_np(a, t):
    ys = [x for x in a if x > t]
    return sum(ys), len(ys)


@pyston.fast
def minmax_np(a):
    ys = [x for x in a]
    return min(ys), max(ys)


@pyston.fast
def reduce_int(n, m):
    ks = []
    for i in range(n):
        ks.append(i * m - 7)
    return sum(ks), min(ks), max(ks)


@pyston.fast
def reduce_bool(a):
    fs = [x > 0 for x in a]
    bs = [bool(x > 0.5) for x in a]
    return sum(bs), max(bs), min(bs), len(fs)


def test_sum_min_max_of_local_lists():
    rng = rng_for("local_lists_reduce")
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, -1e308, 1e-310, 1e100, -1e100, 1.0]
    for n in (0, 1, 2, 10, 200):
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-20, 20, n)
        check(reduce_float, [(a, -1e300), (a, 0.0)])
        b = rng.choice(specials, n)
        assert_same(reduce_float, b, -np.inf)
        assert_same(reduce_float, np.concatenate([b, a]), -1e300)
        for dt in (np.float64, np.float32):
            assert_same(reduce_np, a.astype(dt), dt(-np.inf))
            assert_same(reduce_np, b.astype(dt), dt(-np.inf))
        if n:
            for dt in (np.float64, np.float32, np.int8, np.uint16, np.int64, np.uint64, np.bool_):
                assert_same(minmax_np, (a * 3).astype(dt))
            assert_same(minmax_np, b)
        check(reduce_bool, [(a,)])
    check(reduce_int, [(0, 1), (1, 3), (50, -5), (5, 3)])
    for fn, args in ((reduce_float, (np.ones(3), 0.0)), (reduce_int, (3, 1)), (minmax_np, (np.ones(3),))):
        assert "local_list" in local_types(fn, *args)
    big = pyston.fast(reduce_int.py_func)
    for n, m in ((3, 2**62 - 1), (10, 2**60), (3, 2**62), (4, 2**61)):
        assert_same(big, n, m, allow_fallback=True)  # (beyond 64 bits: CPython finishes)


@pyston.fast
def and_in_conditions(a, n):
    xs = []
    k = 0
    for x in a:
        if x > 0 and xs:
            k += 1
        if not xs or x > xs[-1]:
            xs.append(x)
        while xs and len(xs) > n:
            xs.pop()
        k += 1 if (x < 0 or not xs) and n else 0
    return k, len(xs)


class Truthy:
    """Counts its truth tests (CPython tests each operand of `and`/`or` once in a condition)."""

    def __init__(self, v):
        self.v, self.calls = v, 0

    def __bool__(self):
        self.calls += 1
        return self.v


def test_and_or_of_mixed_types_in_conditions():
    rng = rng_for("local_lists_and_or")
    for n in (0, 1, 3):
        check(and_in_conditions, [(rng.standard_normal(20), n), (np.zeros(0), n)])

    def f(a, b):
        return 1 if a and b else 2

    for x, y in ((True, True), (True, False), (False, True)):
        a, b = Truthy(x), Truthy(y)
        a2, b2 = Truthy(x), Truthy(y)
        assert pyston.fast(f)(a, b) == f(a2, b2)
        assert (a.calls, b.calls) == (a2.calls, b2.calls)


@pyston.fast
def dedup_sorted(a, rev):
    seen = []
    for x in a:
        k = int(x) % 17
        if k not in seen:
            seen.append(k)
    seen.sort(reverse=rev)
    first = seen.index(seen[0]) if seen else -1
    c = seen.count(3)
    seen.insert(1, -5)
    seen.insert(-100, 99)
    seen.insert(100, 7)
    seen.reverse()
    t = 0
    for v in seen:
        t = t * 31 + v
    found = 4 in seen
    seen.clear()
    return t, first, c, found, len(seen)


@pyston.fast
def sort_floats(a, rev):
    ys = [x * 1.0 for x in a]
    ys.sort(reverse=rev)
    zs = [float(x) for x in a]
    zs.sort()
    return ys, zs[0] if zs else None


@pyston.fast
def index_missing(n, x):
    ks = [i * 2 for i in range(n)]
    return ks.index(x)


def test_other_methods_of_local_lists():
    rng = rng_for("local_lists_methods")
    for n in (0, 1, 5, 60):
        a = rng.integers(-100, 100, n)
        for rev in (False, True):
            check(dedup_sorted, [(a, rev), (a.astype(np.uint8), rev), (a.astype(np.int16), rev)])
            f = rng.standard_normal(n)
            f[: n // 3] = 0.0
            f[n // 3 : n // 2] = -0.0
            check(sort_floats, [(f, rev), (f.astype(np.float32), rev)])
            g = f.copy()
            if n:
                g[n // 2] = np.nan
            assert_same(sort_floats, g, rev, allow_fallback=True)  # (a NaN: CPython's sort)
    for n, x in ((5, 4), (5, 5), (0, 0)):
        assert_same(index_missing, n, x, allow_fallback=True)
    for fn, args in ((dedup_sorted, (np.arange(5), False)), (sort_floats, (np.ones(3), True))):
        assert "local_list" in local_types(fn, *args)


# --------------------------------------------------------------------------
# local dicts: int keys, native values
# --------------------------------------------------------------------------


@pyston.fast
def count_ints(a):
    counts = {}
    for x in a:
        k = int(x)
        counts[k] = counts.get(k, 0) + 1
    return len(counts)


@pyston.fast
def dict_ops(a, probe):
    d = {}
    for i in range(len(a)):
        k = int(a[i]) % 23 - 11
        if k in d:
            d[k] += float(a[i]) * 0.5
        else:
            d[k] = 1.0
    hit = d[probe] if probe in d else -1.0
    return len(d), hit, d.get(probe + 1, 2.5), not d, 1 if d else 0


@pyston.fast
def dict_returned(n):
    d = {}
    for i in range(n):
        d[(i * 7) % 5] = i * 0.25
    return d


@pyston.fast
def dict_returned_in_tuple(a):
    seen = {}
    for x in a:
        seen[int(x)] = x > 0
    return len(seen), seen


@pyston.fast
def dict_missing_key(n, k):
    d = {}
    for i in range(n):
        d[i] = i * i
    return d[k]


@pyston.fast
def dict_overflow(n, m):
    d = {}
    acc = m
    for i in range(n):
        d[i % 3] = i
        acc = acc * 5
    return len(d), d.get(1, -1), acc % 1000


def test_local_dicts():
    rng = rng_for("local_dicts")
    for n in (0, 1, 7, 8, 9, 100, 3000):
        a = rng.integers(-2**40, 2**40, n) if n > 500 else rng.integers(-30, 30, n)
        check(count_ints, [(a,)])
        f = rng.standard_normal(n) * 20
        for probe in (-11, 0, 3, 11, 50):
            check(dict_ops, [(f, probe)])
        check(dict_returned, [(n,)])
        check(dict_returned_in_tuple, [(a,)])
    # insertion order, exact value types
    d = dict_returned(9)
    assert list(d) == list(dict_returned.py_func(9)) and all(type(v) is float for v in d.values())
    _, s = dict_returned_in_tuple(np.array([3, -1, 3, 2]))
    assert s == {3: True, -1: False, 2: True} and list(s) == [3, -1, 2]
    for n, k in ((5, 4), (5, 5), (0, 0), (3, -1)):
        assert_same(dict_missing_key, n, k, allow_fallback=True)  # KeyError: CPython's
    for n, m in ((5, 1), (40, 3), (100, 2**40)):
        assert_same(dict_overflow, n, m, allow_fallback=True)
    for fn, args in ((count_ints, (np.arange(3),)), (dict_ops, (np.ones(3), 0)), (dict_returned, (3,))):
        assert "local_dict(int," in local_types(fn, *args)


def _keep(xs):
    try:  # (not inlined: a call the container is passed to)
        return len(xs)
    except TypeError:
        return -2


@pyston.fast
def escapes_in_handler(a):
    out = []
    for x in a:
        try:
            out.append(1.0 / x)
        except ZeroDivisionError:
            return _keep(out), sorted(out)
    return -1, out


@pyston.fast
def dict_escapes_in_handler(a):
    d = {}
    for x in a:
        try:
            d[int(x)] = 1.0 / x
        except ZeroDivisionError:
            return _keep(d)
    return -1


def test_uses_in_handlers_are_seen():
    for a in ([1.0, 2.0], [1.0, 0.0, 3.0], [0.0]):
        assert_same(escapes_in_handler, np.array(a), allow_fallback=True)
        assert_same(dict_escapes_in_handler, np.array(a), allow_fallback=True)
    for fn in (escapes_in_handler, dict_escapes_in_handler):
        t = local_types(fn, np.array([1.0, 0.0]))
        assert "local_list" not in t and "local_dict" not in t


@pyston.fast
def small_local(n):
    xs = [0.5] * 0
    d = {}
    for i in range(n):
        xs.append(i * 0.5)
        d[i] = i
    return xs, d, sum(xs)


def test_memory_flat_over_many_calls():
    for _ in range(1000):
        small_local(5)
    gc.collect()
    before = rss_bytes()
    for _ in range(300_000):
        small_local(5)
    gc.collect()
    assert rss_bytes() - before < 8 * 2**20


@pyston.fast
def bool_of_containers(n, xs, d):
    ys = [i for i in range(n)]
    e = {}
    for i in range(n):
        e[i] = i * 0.5
    return bool(ys), bool(e), bool(xs), bool(d)


def test_bool_of_lists_and_dicts():
    for n in (0, 2):
        for xs in ([], [1.5]):
            for d in ({}, {1: 2}):
                check(bool_of_containers, [(n, xs, d)])


@pyston.fast
def preallocated(n, k):
    out = [0.0] * n
    for i in range(n):
        out[i] = i * 0.5
    flags = k * [False, True]
    c = 0
    for f in flags:
        if f:
            c += 1
    base = [1, 2, 3]
    rep = base * k
    base.append(4)  # (rep was copied: unchanged)
    return sum(out), len(flags), c, rep, len(base), [7] * True


def test_repetition_makes_local_lists():
    for n in (0, 1, 9):
        for k in (-2, 0, 1, 3):
            check(preallocated, [(n, k)])
    assert "local_list(float)" in local_types(preallocated, 3, 2)
    with pytest.raises(MemoryError):
        preallocated(1, 2**62)


# ---- for loops over local dicts and their views --------------------------


def dict_iterated(n):
    d = {c % 7: n**3 for c in range(8)}
    s = 0
    for k in d:
        s += k * d[k]
    return s, len(d)


def dict_iterated_and_changed(n):
    d = {c % 7: n for c in range(8)}
    for k in d:
        d[1] = 5  # (same size: allowed)
        if n > 3:
            d[k + 10] = 0  # RuntimeError: dictionary changed size during iteration
    return d


def dict_views(a, t):
    d = {}
    for x in a:
        d[int(x * 3) % 11] = x  # (a key seen again keeps its first place)
    s = 0.0
    order = 0
    for k, v in d.items():
        order = order * 13 + k
        if v > t:
            s += v
    m = 0.0
    for v in d.values():
        m = max(m, v)
    c = 0
    for k in d.keys():
        c += k
    return s, order, m, c, d


def dict_nested_loops(n):
    d = {}
    for i in range(n):
        d[(i * 7) % 5] = i * 0.25
    t = 0.0
    for k in d:
        for v in d.values():
            t = t * 0.5 + v * k
    return t


def dict_loop_break_return(n, stop):
    d = {}
    for i in range(n):
        d[i * i % 13] = i % 2 == 0
    for k, v in d.items():
        if k == stop:
            return k, v, len(d)
        if k > 20:
            break
    return -1, False, len(d)


def dict_grow_at_last_item(n):
    d = {}
    for i in range(n):
        d[i] = i
    for k in d:
        if k == n - 1:
            d[n] = n  # (the next step, past the last item, still raises)
    return len(d)


def dict_changed_caught(n):
    d = {}
    for i in range(n):
        d[i] = i * 1.5
    s = 0.0
    try:
        for v in d.values():
            s += v
            if v > 3.0:
                d[100] = 0.0
    except RuntimeError:
        s = -s
    return s, len(d)


def dict_deopt_in_loop(n, m):
    d = {}
    for i in range(n):
        d[i % 6] = i
    s = m
    for k, v in d.items():
        s = s * 7 + k * v  # (overflows for a huge m: the interpreter continues the loop)
    return s, d


def dict_grow_then_deopt(n, m):
    d = {}
    for i in range(n):
        d[i] = i
    s = 0
    for k in d:
        if k == 1:
            d[50] = 5  # the dict grew: the next step raises, also on the interpreter tier
            s += m * m  # (overflows for a huge m: deoptimizes with the iterator live)
    return s


def test_dict_iterated_natively():
    for fn, cases in (
        (dict_iterated, [(0,), (3,), (-5,), (2**20,), (2**30,)]),
        (dict_iterated_and_changed, [(1,), (3,), (4,)]),
        (dict_nested_loops, [(0,), (1,), (9,), (40,)]),
        (dict_loop_break_return, [(n, s) for n in (0, 3, 9, 30) for s in (-1, 0, 4, 12)]),
        (dict_grow_at_last_item, [(0,), (1,), (4,)]),
        (dict_changed_caught, [(0,), (2,), (3,), (6,)]),
    ):
        g = pyston.fast(fallback=False)(fn)
        assert_same_all(g, cases)
        assert "local_iterator_" in local_types(pyston.fast(fallback=False)(fn), *cases[0])
    rng = rng_for("local_dict_loops")
    g = pyston.fast(fallback=False)(dict_views)
    for n in (0, 1, 5, 50, 400):
        a = rng.standard_normal(n) * 10
        if n == 5:
            a[1], a[3] = np.nan, -0.0
        for t in (-np.inf, 0.0, 1.5):
            assert_same(g, a, t)
    assert "local_dict_items(int, np.float64)" in local_types(g, np.ones(3), 0.0)
    # a deoptimization inside the loop: the interpreter continues the same
    # iteration (and raises CPython's RuntimeError for a dict that grew)
    h = pyston.fast(dict_deopt_in_loop)
    for n, m in ((0, 1), (5, 2), (12, 3), (12, 2**60), (12, -(2**62))):
        assert_same(h, n, m)
    assert "local_iterator_items" in local_types(h, 3, 1)
    h = pyston.fast(dict_grow_then_deopt)
    for n, m in ((0, 1), (1, 3), (2, 3), (4, 3), (4, 2**40), (2, 2**40)):
        assert_same(h, n, m)
    assert "local_iterator_keys" in local_types(h, 1, 1)


def dict_iterated_deleted(n):
    d = {c % 7: n for c in range(8)}
    for k in d:
        if k == 3 and n > 3:
            del d[k]  # (del: a real dict, CPython's own iterator)
            d[k + 20] = n  # (same size, other keys: CPython's RuntimeError)
    return d


def dict_view_escapes(n):
    d = {}
    for i in range(n):
        d[i] = i * 0.5
    v = d.values()
    d[n] = 1.0
    return sorted(v)


def test_dict_iterated_stays_real_where_needed():
    for fn, cases in ((dict_iterated_deleted, [(0,), (4,)]), (dict_view_escapes, [(0,), (5,)])):
        g = pyston.fast(fn)
        assert_same_all(g, cases, allow_fallback=True)
        assert "local_iterator" not in local_types(g, *cases[0])
