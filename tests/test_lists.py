"""Python lists in compiled code: list objects built, read, mutated and iterated by
native code (issue #14), list comprehensions, and generator expressions consumed by
sum/min/max/any/all/list. Differential against plain Python (value, type, exceptions
with their messages, and the mutation of list arguments), and each kernel must compile
natively (checked with a `fallback=False` twin)."""

import gc
import math
import sys
import warnings

import numpy as np
import pyston
from helpers import assert_same, assert_same_all, check, native, rng_for, rss_bytes


def falls_back(fn, *args, reason):
    """`fn` runs as plain Python for these arguments, with a PerformanceWarning naming `reason`."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn(*[list(a) if isinstance(a, list) else a for a in args])
    assert_same(fn, *args, allow_fallback=True)
    msgs = [str(w.message) for w in rec if issubclass(w.category, pyston.PerformanceWarning)]
    assert any(reason in m for m in msgs), msgs


# --------------------------------------------------------------------------
# building and reading
# --------------------------------------------------------------------------


@pyston.fast
def build_and_sum(n):
    out = []
    for i in range(n):
        out.append(i * 0.5)
    s = 0.0
    for x in out:
        s += x
    return out, s


@pyston.fast
def build_ints(n):
    out = []
    for i in range(n):
        if i % 3 != 0:
            out.append(i * i)
    return out


@pyston.fast
def build_bools(n):
    flags = [False] * n
    for i in range(0, n, 2):
        flags[i] = True
    k = 0
    for f in flags:
        if f:
            k += 1
    return flags, k


def test_build_and_read():
    check(build_and_sum, [(0,), (1,), (7,), (100,)])
    check(build_ints, [(0,), (1,), (10,)])
    check(build_bools, [(0,), (1,), (9,)])


@pyston.fast
def literals(x, y):
    a = [x, y, x + y]
    b = [x] * 3
    c = [0.0, 1.0] * 2
    return a, b, c, len(a), a[0], a[-1], b[1]


@pyston.fast
def creation(n, a):
    return list(range(n)), list(a), list((1, 2, 3)), list(), [i for i in range(n)]


def test_literals_and_creation():
    check(literals, [(1.5, 2.5), (1, 2)])
    assert_same(literals, True, False, allow_fallback=True)  # [bool, bool, int]: mixed
    check(creation, [(0, np.arange(3.0)), (4, np.arange(4)), (2, np.zeros(0))])


@pyston.fast
def index(lst, i):
    return lst[i]


@pyston.fast
def store(lst, i, v):
    lst[i] = v
    return lst


def test_indexing_and_errors():
    lst = [1.0, 2.0, 3.0]
    check(index, [(lst, 0), (lst, 2), (lst, -1), (lst, -3), (lst, 3), (lst, -4), ([], 0), (lst, True)])
    check(index, [([1, 2, 3], 1), ([True, False], -1), ([(1, 2.0), (3, 4.0)], 1)])
    check(store, [([1.0, 2.0], 0, 5.0), ([1.0, 2.0], -1, 5.0), ([1.0, 2.0], 2, 5.0), ([1.0], -2, 5.0)])
    check(store, [([1, 2], 1, 7), ([False], 0, True), ([], 0, 1.0)])


# --------------------------------------------------------------------------
# methods and operators
# --------------------------------------------------------------------------


@pyston.fast
def methods(lst, x):
    lst.append(x)
    lst.insert(0, x)
    lst.insert(-1, x)
    lst.extend([x, x])
    lst.extend((x,))
    n = lst.count(x)
    i = lst.index(x)
    p = lst.pop()
    q = lst.pop(0)
    lst.reverse()
    c = lst.copy()
    c.sort()
    lst.sort(reverse=True)
    lst.remove(x)
    return n, i, p, q, c, len(lst)


@pyston.fast
def pop_at(lst, i):
    return lst.pop(i), lst


@pyston.fast
def pop_last(lst):
    return lst.pop()


@pyston.fast
def remove(lst, x):
    lst.remove(x)
    return lst


@pyston.fast
def index_of(lst, x):
    return lst.index(x)


@pyston.fast
def clear(lst):
    lst.clear()
    return len(lst), lst


@pyston.fast
def methods_float(lst, x):
    lst.append(x)
    lst.insert(1, x)
    lst.extend([x * 2.0])
    p = lst.pop()
    lst.reverse()
    lst.sort()
    return p, lst.copy(), len(lst), 1 in lst


def test_methods():
    check(methods, [([4, 1, 3], 2), ([1, 2, 2], 2), ([], 1), ([True], False)])
    check(methods_float, [([1.0, 5.0, 2.0], 3.0), ([], 1.0), ([float("nan"), 1.0], 0.5)])
    check(pop_at, [([1.0, 2.0, 3.0], 1), ([1.0, 2.0], -1), ([1.0], 3), ([], 0)])
    check(pop_last, [([1, 2],), ([],)])
    check(remove, [([1, 2, 1], 1), ([1], 2), ([], 0), ([1.0, 2.0], 2)])
    check(index_of, [([1, 2], 2), ([1, 2], 5), ([3.0, 4.0], 4)])
    check(clear, [([1.0, 2.0],), ([],)])


@pyston.fast
def delete(lst, i):
    del lst[i]
    del lst[-1], lst[1:3]
    del lst[::2]
    return lst, len(lst)


def test_del():
    check(delete, [(list(range(10)), 0), ([1.0, 2.0, 3.0, 4.0, 5.0], -2), (list(range(6)), 5)])
    e = assert_same(delete, [1, 2], 5)
    assert type(e) is IndexError and str(e) == "list assignment index out of range"
    assert type(assert_same(delete, [1], 0)) is IndexError  # (the second delete)


@pyston.fast
def operators(a, b, n):
    c = a + b
    d = a * n
    e = n * b
    f = a[1:] + b[:-1] + a[::2]
    a += b
    return c, d, e, f, a, a == c, a != b, 2 in a, 7 not in b


def test_operators():
    check(operators, [([1.0, 2.0], [3.0], 2), ([], [], 0), ([1.0], [2.0, 2.0], -1)])


@pyston.fast
def builtins_of(lst):
    return len(lst), sum(lst), min(lst), max(lst), any(lst), all(lst), sorted(lst), sorted(lst, reverse=True)


def test_builtins_on_lists():
    check(builtins_of, [([3.0, 1.0, 2.0],), ([1],), ([0, 5, -3],), ([True, False],)])
    check(builtins_of, [([],), ([float("nan"), 1.0],), ([1.0, float("nan")],), ([0.1] * 10,)])


@pyston.fast
def nan_search(lst, x):
    return x in lst, lst.count(x), (lst.index(x) if x in lst else -1)


def test_nan_identity():
    nan = float("nan")
    lst = [1.0, nan, 2.0]
    # CPython matches a NaN element by identity (the same object is found, another NaN
    # is not); compiled code holds floats by value, so float needles run as plain Python
    falls_back(nan_search, lst, nan, reason="searching a list for a 'float'")
    assert_same(nan_search, lst, float("nan"), allow_fallback=True)
    check(nan_search, [(lst, 1), ([1, 2], 2), ([], 0)])
    # NumPy integer needles (never NaN) are searched for natively, by value
    check(nan_search, [([1, 200, 3], np.uint8(200)), ([1, -1], np.int16(-1)), ([2**64 - 1], np.uint64(2**64 - 1)),
                       ([255], np.int8(-1)), ([1.0, 2.5], np.uint32(2))])


@pyston.fast
def truth(lst):
    r = 0
    if lst:
        r += 1
    if not lst:
        r += 10
    return r


def test_truth():
    check(truth, [([],), ([0.0],), ([1, 2],)])


# --------------------------------------------------------------------------
# iteration
# --------------------------------------------------------------------------


@pyston.fast
def grow_while_iterating(lst):
    n = 0
    for x in lst:
        if n < 5:
            lst.append(x + 1)
        n += 1
    return n, lst


@pyston.fast
def shrink_while_iterating(lst):
    seen = []
    for x in lst:
        seen.append(x)
        if len(lst) > 2:
            lst.pop()
    return seen, lst


@pyston.fast
def enumerate_list(lst):
    s = 0.0
    for i, x in enumerate(lst):
        s += i * x
    return s


@pyston.fast
def zip_lists(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


def test_iteration_sees_mutation():
    check(grow_while_iterating, [([1, 2],), ([],), ([1.0],)])
    check(shrink_while_iterating, [([1, 2, 3, 4, 5],), ([1],), ([],)])
    check(enumerate_list, [([1.0, 2.0, 3.0],), ([],)])


@pyston.fast
def zip_grow(a, b):
    # zip() over lists re-reads their lengths each step, as their iterators do.
    n = 0
    for x, y in zip(a, b):
        if n < 3:
            a.append(x)
            b.append(y)
        n += 1
    else:
        n += 100
    return n, a, b


@pyston.fast
def zip_shrink(a, b):
    n = 0
    for x, _y in zip(a, b):
        if b:
            b.pop()
        n += x
        if n > 50:
            break
    else:
        n += 1000
    return n, b


@pyston.fast
def zip_mixed(a, t, arr, k):
    out = [(i, x, y, z) for i, (x, y, z) in enumerate(zip(a, t, arr))]
    s = 0.0
    for x, r in zip(a, range(k)):
        s += x * r
    return out, s, list(map(lambda p, q: p * q, a, a))


@pyston.fast
def reversed_list(a):
    return [x for x in reversed(a)]


@pyston.fast
def reversed_shrink(a):
    # reversed() of a list checks its index against the current length each step.
    out = []
    for x in reversed(a):
        out.append(x)
        if a:
            a.pop(0)
            a.pop(0)
    else:
        out.append(-1)
    return out, a


@pyston.fast
def reversed_grow(a):
    # ... and does not see items appended after it started.
    out = []
    for i, x in enumerate(reversed(a)):
        out.append(x)
        if i < 3:
            a.append(100 + i)
    return out, a


def test_zip_over_lists():
    rng = rng_for("ziplists")
    for n, m in [(0, 0), (0, 3), (2, 3), (3, 2), (5, 5)]:
        a = [float(v) for v in rng.normal(size=n)]
        b = [float(v) for v in rng.normal(size=m)]
        check(zip_lists, [(a, b)])
        check(zip_grow, [(list(range(n)), list(range(m)))])
        check(zip_shrink, [(list(range(1, n + 1)), list(range(m)))])
        check(zip_mixed, [(a, tuple(range(m)), rng.normal(size=m), m)])


def test_reversed_over_lists():
    for n in (0, 1, 2, 5, 8):
        check(reversed_list, [(list(range(n)),), ([float(v) for v in range(n)],)])
        check(reversed_shrink, [(list(range(n)),)])
        check(reversed_grow, [(list(range(n)),)])


# --------------------------------------------------------------------------
# deoptimization: elements compiled code does not expect
# --------------------------------------------------------------------------


@pyston.fast
def sum_loop(lst):
    s = 0
    for x in lst:
        s += x
    return s


@pyston.fast
def fsum_loop(lst):
    s = 0.0
    for x in lst:
        s += x * 2.0
    return s


def test_unexpected_elements_deoptimize():
    # a huge int in an int list, an int in a float list, a float in an int list
    cases = [
        ([1, 2, 2**70, 3],),
        ([1, 2, 3, 2**63 - 1, 1],),
        ([1.0] * 7 + [2] + [3.0],),
        ([1, 2, 3.5],),
        ([1, True, 2],),
        ([np.float64(1.5), 2.0],),
    ]
    assert_same_all(sum_loop, cases)
    assert_same_all(fsum_loop, cases[:4])
    native(sum_loop, [1, 2])
    native(fsum_loop, [1.0, 2.0])


# --------------------------------------------------------------------------
# arguments are mutated in place; aliasing
# --------------------------------------------------------------------------


@pyston.fast
def fill(out, n):
    for i in range(n):
        out.append(i * 1.5)
    out[0] = -1.0


@pyston.fast
def aliasing(n):
    a = b = []
    for i in range(n):
        a.append(i)
    c = b
    c.append(100)
    return a, b, len(a), a is b


def test_argument_mutation_and_aliasing():
    out = []
    fill(out, 3)
    assert out == [-1.0, 1.5, 3.0]
    check(fill, [([], 3), ([7.0], 2), ([], 0)])
    check(aliasing, [(0,), (3,)])


# --------------------------------------------------------------------------
# lists of tuples, arrays and lists
# --------------------------------------------------------------------------


@pyston.fast
def pairs(n):
    ps = []
    for i in range(n):
        ps.append((i, i * 0.5))
    s = 0.0
    for i, x in ps:
        s += i + x
    return ps, s


@pyston.fast
def arrays(a, k):
    parts = []
    for i in range(k):
        parts.append(a * i)
    t = 0.0
    for p in parts:
        t += p.sum()
    return len(parts), t, np.array([1.0, 2.0]), np.asarray(parts[0] if k else a)


@pyston.fast
def rows(n, m):
    grid = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            grid[i][j] = i * m + j + 0.5
    s = 0.0
    for r in grid:
        for x in r:
            s += x
    return grid, s


@pyston.fast
def to_numpy(lst):
    a = np.array(lst)
    return a, np.asarray(lst).sum(), np.sum(np.array(lst) * 2.0)


def test_nested_elements():
    check(pairs, [(0,), (4,)])
    check(arrays, [(np.arange(3.0), 0), (np.arange(3.0), 3)])
    check(rows, [(0, 0), (2, 3), (3, 1)])
    check(to_numpy, [([1.0, 2.0, 3.0],), ([1, 2],)])


# --------------------------------------------------------------------------
# comprehensions and generator expressions
# --------------------------------------------------------------------------


@pyston.fast
def comp_filter(a):
    return [x * x for x in a if x > 0.0]


@pyston.fast
def comp_nested(n, m):
    return [i * m + j for i in range(n) for j in range(i, m) if (i + j) % 2 == 0]


@pyston.fast
def comp_of_comp(n):
    return [[i * j for j in range(i)] for i in range(n)]


@pyston.fast
def comp_scope(n):
    x = -1
    ys = [x * 2 for x in range(n)]
    return x, ys


@pyston.fast
def comp_over_list(lst):
    return [(i, v) for i, v in enumerate(lst) if v != 0]


def test_comprehensions():
    rng = rng_for("comp")
    check(comp_filter, [(rng.normal(size=k),) for k in (0, 1, 10)])
    check(comp_nested, [(0, 0), (3, 4), (5, 5)])
    check(comp_of_comp, [(0,), (4,)])
    check(comp_scope, [(0,), (3,)])
    check(comp_over_list, [([1, 0, 2],), ([],)])


@pyston.fast
def gen_sum(a):
    return sum(x * x for x in a)


@pyston.fast
def gen_sum_int(n):
    return sum(i * i for i in range(n) if i % 2)


@pyston.fast
def gen_minmax(a):
    return min(x for x in a), max(abs(x) for x in a)


@pyston.fast
def gen_any_all(a, t):
    return any(x > t for x in a), all(x > t for x in a)


@pyston.fast
def gen_list(n):
    return list(i * 0.5 for i in range(n))


@pyston.fast
def gen_sum_floats(lst):
    return sum(x for x in lst)


def test_generator_expressions():
    rng = rng_for("gen")
    float_sums = [(rng.normal(size=k),) for k in (0, 1, 100)] + [([0.1] * 10,), ([],)]
    if sys.version_info >= (3, 12):
        # CPython 3.12+ sums floats with compensation; a generator expression of
        # floats in sum() is not compiled there yet (a gap: plain Python, exact)
        assert_same_all(gen_sum, float_sums, allow_fallback=True)
    else:
        check(gen_sum, float_sums)
    check(gen_sum_int, [(0,), (10,), (2**20,)])
    check(gen_minmax, [([3.0, -1.0, 2.0],), ([1],), ([float("nan"), 1.0],), ([1.0, float("nan")],)])
    check(gen_minmax, [(np.arange(3.0),), (np.zeros(0),)])
    assert_same(gen_minmax, [], allow_fallback=True)  # an empty list argument: no element type
    check(gen_any_all, [([1.0, 2.0], 1.5), ([], 0.0), ([3, 4], 0)])
    check(gen_list, [(0,), (5,)])
    # CPython 3.12+ adds floats in sum() with compensated summation: pyston gives what it gives
    sums = [([0.1] * 10,), ([1e16, 1.0, -1e16],), ([-0.0],), ([],), ([1, 2],)]
    if sys.version_info >= (3, 12):
        assert_same_all(gen_sum_floats, sums, allow_fallback=True)
    else:
        check(gen_sum_floats, sums)
    assert gen_sum_floats([0.1] * 10) == sum([0.1] * 10)


@pyston.fast
def gen_minmax_default(a, n, d):
    lo = min((x for x in a if x > 0), default=-1.5)
    hi = max((i * i for i in range(n)), default=d)
    return lo, hi, max((x for x in a), default=None) is None


def test_min_max_default():
    cases = [(np.array([3.0, -1.0, 2.0]), 4, 7), (np.zeros(0), 0, 7), (np.array([-1.0]), 0, -2),
             (np.array([np.nan, 2.0]), 1, 0)]
    check(gen_minmax_default, cases)


def test_gen_sum_overflow_is_exact():
    assert_same(gen_sum_int, 3 * 10**6)
    assert_same(gen_sum, [2**40, 2**40, 3])


# --------------------------------------------------------------------------
# what compiled code does not take: plain Python, with a reason
# --------------------------------------------------------------------------


@pyston.fast
def mixed(n):
    out = [1, 2.5]
    out.append(n)
    return out


@pyston.fast
def strings(lst):
    return len(lst) + lst.count("a")


@pyston.fast
def sort_key(lst):
    lst.sort(key=abs)
    return lst


def test_unsupported_falls_back():
    # ints and floats in one list: a union element type (each element keeps its type)
    check(mixed, [(3,), (0.5,), (True,)])
    falls_back(strings, [b"a", b"b"], reason="argument")  # a list of bytes
    check(strings, [(["a", "b", "a"],), ([],)])  # lists of str compile (test_strings.py)
    falls_back(sort_key, [3.0, -4.0], reason="list method 'sort'")


# --------------------------------------------------------------------------
# memory: lists made and dropped by compiled code are released
# --------------------------------------------------------------------------


@pyston.fast
def churn(n):
    total = 0.0
    for i in range(n):
        tmp = [i * 1.0, 2.0, 3.0]
        tmp.append(4.0)
        total += tmp[0] + len(tmp)
    return total


@pyston.fast
def make_list(n):
    return [i * 0.5 for i in range(n)]


def test_memory_flat():
    churn(100)
    make_list(10)
    gc.collect()
    before = rss_bytes()
    for _ in range(200_000):
        make_list(10)
    churn(1_000_000)
    gc.collect()
    grown = rss_bytes() - before
    assert grown < 8 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB"
    lst = make_list(5)
    assert sys.getrefcount(lst) == 2  # the only reference: ours (and getrefcount's)


# --------------------------------------------------------------------------
# pyston.njit: CPython list semantics (Numba's reflected lists agree here)
# --------------------------------------------------------------------------


def test_njit_lists():
    def k(lst, n):
        out = [x * 2.0 for x in lst]
        for i in range(n):
            out.append(i * 1.0)
        lst.append(9.0)
        return sum(out), out, len(lst)

    fn = pyston.njit(k)
    for args in [([1.0, 2.0], 3), ([], 0)]:
        a1, a2 = list(args[0]), list(args[0])
        r1 = k(a1, args[1])
        r2 = fn(a2, args[1])
        assert r1 == r2 and a1 == a2
        assert math.isclose(r1[0], r2[0])


# --------------------------------------------------------------------------
# random programs of list operations, differential
# --------------------------------------------------------------------------


@pyston.fast
def op_program(lst, codes, vals):
    acc = 0.0
    other = [0.5]
    for k in range(len(codes)):
        c = codes[k]
        v = float(vals[k])
        n = len(lst)
        if c == 0:
            lst.append(v)
        elif c == 1 and n > 0:
            acc += lst.pop()
        elif c == 2:
            lst.insert(int(v * 3.0), v)
        elif c == 3 and n > 0:
            lst[int(v * 7.0) % n - n] = v * 2.0
        elif c == 4 and n > 0:
            acc += lst[int(v * 11.0) % n]
        elif c == 5:
            lst.reverse()
        elif c == 6:
            lst.sort()
        elif c == 7:
            other = lst[1:] + other
        elif c == 8:
            lst.extend(other[:2])
        elif c == 9 and n > 0:
            acc += lst.pop(int(v * 5.0) % n)
        elif c == 10:
            acc += sum(x * x for x in lst) + len(lst)
        elif c == 11:
            lst = [x for x in lst if x > v]
        elif c == 12:
            lst = lst * 2
        else:
            for x in lst:
                acc += x
                if len(lst) < 8:
                    lst.append(x * 0.5)
    return acc, lst, other


def test_random_list_programs():
    rng = rng_for("list_programs")
    cases = []
    for _ in range(60):
        m = int(rng.integers(0, 40))
        start = [float(x) for x in rng.normal(size=int(rng.integers(0, 6)))]
        cases.append((start, rng.integers(0, 14, m), rng.random(m)))
    native(op_program, [1.0], np.array([0]), np.array([0.5]))
    assert_same_all(op_program, cases)
    # an int element in the float list: deoptimizes where it is read, exact
    assert_same_all(op_program, [([1.0, 2, 3.0], np.array([4, 13, 6, 10]), np.array([0.1, 0.2, 0.3, 0.4]))])


@pyston.fast
def np_elements(a):
    out = []
    for x in a:
        out.append(x)
    t = out[0] if len(out) else a[:1].sum()
    return out, t, [y * 2 for y in out]


def test_numpy_scalar_elements():
    for dt in (np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_):
        a = np.array([1, 0, 3], dtype=dt)
        check(np_elements, [(a,), (a[:0],)])
    special = np.array([np.nan, -0.0, np.inf, -np.inf, 5e-324, 1.5])
    check(np_elements, [(special,)])
    out, _, _ = np_elements(special)
    assert all(type(x) is np.float64 for x in out)
    assert math.copysign(1.0, out[1]) == -1.0 and math.isnan(out[0]) and out[4] == 5e-324
    gc.collect()
    before = rss_bytes()
    big = np.arange(1000.0)
    for _ in range(2000):
        np_elements(big)
    gc.collect()
    assert rss_bytes() - before < 8 * 2**20


@pyston.fast
def sorted_or_empty(lst, c):
    return sorted(lst) if c else []


def test_empty_literal_joins_a_typed_list():
    # `[]` (no element type where it is made) meeting a list(int) at a join: the same object
    check(sorted_or_empty, [([3, 1], True), ([3, 1], False), ([], True)])


@pyston.fast
def sum_of_numpy_floats(xs):
    # CPython adds NumPy floats one by one from the int 0 (its float fast path
    # takes exact floats only): the NumPy float, or 0 for no items.
    return sum(xs)


def test_sum_of_a_list_of_numpy_floats():
    rng = rng_for("npfloatsum")
    cases = [([],), ([np.float64(-0.0)],), ([np.float32(0.1), np.float32(2.0)],)]
    cases += [([np.float64(v) for v in rng.normal(size=n)],) for n in (1, 5, 40)]
    cases += [([np.float64(1e308), np.float64(1e308)],)]  # overflow: NumPy's warning
    check(sum_of_numpy_floats, cases)


# ---- lists of numbers of several types: a union element type ----------------


def union_dp(n):
    best = [0] * (n + 1)
    for i in range(1, n + 1):
        best[i] = best[i - 1] + (0.5 if i % 3 == 0 else 1)
    return best, sum(best), max(best), min(best)


def union_mixed(n):
    xs = [1, 2.5, None, True]
    t = 0.0
    for x in xs:
        if x is not None:
            t += x
    xs.append(n)
    xs[0] = 0.25
    xs.insert(1, -3)
    return t, xs, len(xs), xs[-1], xs[1:3], xs.pop(), xs


def union_window(a, w):
    out = []
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += a[j]
        out.append(s / w)
    return out, sorted(out) if out else out


def union_acc(n):
    acc = [0] * 4
    for i in range(n):
        acc[i % 4] += 0.5 if i % 2 else 1
    acc.sort()
    return acc


def test_union_element_lists():
    for fn, cases in [
        (union_dp, [(0,), (1,), (7,)]),
        (union_mixed, [(4,), (2.5,), (False,), (None,)]),
        (union_window, [(np.arange(6.0), 3), (np.arange(3.0), 1), (np.zeros(0), 2)]),
        (union_acc, [(0,), (3,), (10,)]),
    ]:
        check(pyston.fast(fn), cases)
    # the zero-width window divides by zero: CPython's ZeroDivisionError
    assert_same(pyston.fast(union_window), np.arange(3.0), 0)


def union_widened_later(x, a):
    # the display's items are floats; the append makes the list's element type a union
    out = [x]
    out.append(a[0] * 2)
    return min(out), out


def test_union_list_widened_after_its_display():
    check(pyston.fast(union_widened_later), [(1e16, np.array([1.5], dtype=np.float16)), (2.5, np.array([3], dtype=np.int8))])
