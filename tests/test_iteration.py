"""Iteration builtins (`enumerate`, `zip`, `reversed`), iteration over tuples and arrays,
`in`/`not in` and `is`/`is not`: differential against plain Python, and each kernel must
compile natively (checked with a `fallback=False` twin, which raises instead of falling back)."""

import gc

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, I64_MIN, assert_same, check, rng_for, rss_bytes

# --------------------------------------------------------------------------
# enumerate
# --------------------------------------------------------------------------


@pyston.fast
def enum_sum(a):
    s = 0.0
    last = -1
    for i, x in enumerate(a):
        s += i * x
        last = i
    return s, last


@pyston.fast
def enum_start(a, start):
    t = 0
    j = 0
    for i, _x in enumerate(a, start):
        t += i
        j = i
    return t, j


@pyston.fast
def enum_start_kw(a, start):
    t = 0
    for i, x in enumerate(a, start=start):
        t = t * 3 + i + int(x)
    return t


@pyston.fast
def enum_pair_target(a):
    s = 0.0
    for p in enumerate(a):
        s += p[0] + p[1]
    return s


@pyston.fast
def enum_range(n):
    t = 0
    for i, v in enumerate(range(3, n, 2)):
        t += i * v
    return t


@pyston.fast
def enum_break_else(a, stop):
    found = -1
    for i, x in enumerate(a):
        if x == stop:
            found = i
            break
    else:
        found = -2
    return found


def test_enumerate():
    rng = rng_for("enumerate")
    cases = [(rng.standard_normal(n),) for n in (0, 1, 2, 17)]
    check(enum_sum, cases)
    check(enum_pair_target, cases)
    a = np.arange(5.0)
    check(enum_start, [(a, 0), (a, -3), (a, 10**9), (a[:0], 4), (a, True), (a, np.int64(7)), (a, I64_MAX - 2)])
    check(enum_start_kw, [(np.arange(4), 2), (np.arange(4), -100)])
    check(enum_range, [(0,), (3,), (4,), (20,), (-5,)])
    ints = np.array([4, 7, 7, 1])
    check(enum_break_else, [(ints, 7), (ints, 4), (ints, 99), (ints[:0], 1)])


def test_enumerate_start_past_64_bits():
    # the counter overflows into a big int in the middle of the loop
    assert_same(enum_start, np.arange(5.0), I64_MAX - 2)
    assert_same(enum_start, np.arange(5.0), I64_MIN)


def test_enumerate_bad_start():
    # a float start: TypeError, as CPython raises it (the function runs as plain Python)
    assert_same(enum_start, np.arange(3.0), 1.5, allow_fallback=True)


# --------------------------------------------------------------------------
# zip
# --------------------------------------------------------------------------


@pyston.fast
def dot_zip(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


@pyston.fast
def zip3(a, b, c):
    s = 0.0
    n = 0
    for x, y, z in zip(a, b, c):
        s += x * y - z
        n += 1
    return s, n


@pyston.fast
def zip_one(a):
    s = 0.0
    for (x,) in zip(a):
        s += x
    return s


@pyston.fast
def zip_range_rows(m):
    s = 0.0
    for i, row in zip(range(100), m):
        for x in row:
            s += i * x
    return s


@pyston.fast
def enum_zip(a, b):
    s = 0.0
    for i, (x, y) in enumerate(zip(a, b), 1):
        s += i * (x - y)
    return s


@pyston.fast
def zip_last(a, b):
    x = 0.0
    y = 0.0
    for x, y in zip(a, b):  # noqa: B007 - the values after the loop are the point
        pass
    return x, y


@pyston.fast
def zip_mutating(a, b):
    # the body writes ahead into the array being iterated: items are read when reached
    s = 0.0
    for k, (x, y) in enumerate(zip(a, b)):
        if k + 1 < len(a):
            a[k + 1] += x
        s += x * y
    return s


def test_zip():
    rng = rng_for("zip")
    for n, m in [(0, 0), (0, 3), (1, 1), (5, 5), (7, 3), (3, 7)]:
        a, b = rng.standard_normal(n), rng.standard_normal(m)
        check(dot_zip, [(a, b)])
        check(zip_last, [(a, b)])
        check(enum_zip, [(a, b)])
        check(zip_mutating, [(a.copy(), b)])
        check(zip3, [(a, b, rng.standard_normal(4))])
    check(zip_one, [(np.arange(6.0),), (np.arange(0.0),)])
    check(zip_range_rows, [(rng.standard_normal((4, 3)),), (rng.standard_normal((0, 3)),)])
    # ints and bools, tuples
    check(dot_zip, [(np.arange(5), np.arange(5, 0, -1)), ((1, 2, 3), (4.5, 5.5)), (np.array([True, False]), (2, 3))])


def test_zip_same_array():
    a = np.arange(6.0)
    check(dot_zip, [(a, a)])
    assert_same(zip_mutating, a, a)


# --------------------------------------------------------------------------
# reversed
# --------------------------------------------------------------------------


@pyston.fast
def rev_range(a, b, c):
    t = 0
    n = 0
    for i in reversed(range(a, b, c)):
        t = t * 31 + i
        n += 1
    return t, n


@pyston.fast
def rev_range1(n):
    out = 0
    for i in reversed(range(n)):
        out = out * 3 + i
    return out


@pyston.fast
def rev_seq(a):
    t = 0.0
    for x in reversed(a):
        t = t * 0.5 + x
    return t


@pyston.fast
def rev_enum(a):
    t = 0.0
    for i, x in enumerate(reversed(a)):
        t += i * x
    return t


@pyston.fast
def rev_zip(a, b):
    t = 0.0
    for x, y in zip(reversed(a), b):
        t = t * 2 + x - y
    return t


def test_reversed():
    cases = [(0, 10, 1), (0, 10, 3), (10, 0, -1), (10, -7, -4), (5, 5, 1), (3, 20, 7), (-5, 5, 2), (0, 5, 100)]
    check(rev_range, cases)
    check(rev_range, [(I64_MAX - 10, I64_MAX, 3), (I64_MIN + 10, I64_MIN, -3)])
    assert_same(rev_range, 0, 5, 0, allow_fallback=True)  # ValueError: range() arg 3 must not be zero
    check(rev_range1, [(0,), (1,), (9,)])
    rng = rng_for("reversed")
    for n in (0, 1, 6):
        a = rng.standard_normal(n)
        check(rev_seq, [(a,), (a[::-2],)])
        check(rev_enum, [(a,)])
        check(rev_zip, [(a, rng.standard_normal(4))])
    check(rev_seq, [((1.0, 2.0, 3.0),), ((1, 2.5, True),)])


# --------------------------------------------------------------------------
# tuples and arrays
# --------------------------------------------------------------------------


@pyston.fast
def tuple_mixed(t):
    s = 0.0
    k = 0
    for v in t:
        s = s * 2 + v
        k += 1
    return s, k


@pyston.fast
def tuple_mixed_ints(t):
    s = 0
    for v in t:
        s = s * 2 + v
    return s


@pyston.fast
def tuple_index(t, i):
    return t[i]


@pyston.fast
def rows(m):
    s = 0.0
    for row in m:
        for x in row:
            s = s * 0.5 + x
    return s


@pyston.fast
def rows_mutating(m):
    # each row is a view: writes through it reach the caller's array
    for row in m:
        row[0] = row[-1] * 2
    return m.sum()


@pyston.fast
def planes(x):
    s = 0.0
    for p in x:
        for r in p:
            for v in r:
                s += v
    return s


def test_tuples():
    check(tuple_mixed, [((1, 2.5, True),), ((3,),), ((2, False, 0.25),)])
    # NumPy and Python scalars mixed, an empty tuple: plain Python (exact)
    assert_same(tuple_mixed, (np.float32(1.5), 2, False, 0.25), allow_fallback=True)
    assert_same(tuple_mixed, (), allow_fallback=True)
    check(tuple_mixed_ints, [((1, True, 5),), ((I64_MAX, True),)])
    check(tuple_index, [((1, 2.5, True), 0), ((1, 2.5, True), 1), ((1, 2.5, True), -1), ((1, 2.5, True), 3)])


def test_arrays_rows():
    rng = rng_for("rows")
    m = rng.standard_normal((4, 5))
    check(rows, [(m,), (m[:, ::2],), (np.asfortranarray(m),), (m[:0],)])
    check(rows_mutating, [(m.copy(),)])
    check(planes, [(rng.standard_normal((2, 3, 4)),)])


# --------------------------------------------------------------------------
# in / not in
# --------------------------------------------------------------------------


@pyston.fast
def in_tuple(x):
    return x in (1, 3, 5), x not in (2, 4)


@pyston.fast
def in_tuple_arg(x, t):
    return x in t


@pyston.fast
def in_range(x, a, b, c):
    return x in range(a, b, c), x not in range(b)


@pyston.fast
def in_array(a, x):
    return x in a, x not in a


@pyston.fast
def count_in_range(a, lo, hi):
    n = 0
    for x in a:
        if x in range(lo, hi):
            n += 1
    return n


def test_in_tuple():
    check(in_tuple, [(0,), (1,), (5,), (2,), (True,), (False,), (np.int64(3),), (I64_MIN,)])
    check(in_tuple_arg, [(1, (1, 2)), (3, (1, 2)), (1, ()), (True, (0, 1)), (None, (None, 1)), (None, (1, 2)), (2, (None, 2))])
    check(in_tuple, [(np.uint8(5),), (np.int8(-1),), (np.uint64(2**64 - 1),), (np.int16(3),)])
    check(in_tuple_arg, [(np.uint64(2**64 - 1), (-1, 2**63 - 1)), (np.uint32(7), (np.int8(7), 1)), (np.int8(-1), (255, -1))])


@pyston.fast
def in_window_tuples(x):
    # constant int items within 64 of each other: one bit test
    return (x in (2, 3, 5, 7, 11, 13), x not in (-3, 0, 60), x in (-40, -20, 23, 5, 5),
            x in (0, 63, 31), x in (-9223372036854775807, -9223372036854775803, -9223372036854775745), x in (9223372036854775807, 9223372036854775744, 9223372036854775806))


@pyston.fast
def count_window(a):
    n = 0
    for x in a:
        if x in (2, 3, 5, 7, 11, 13):
            n += 1
    return n


def test_in_constant_int_tuples():
    xs = [-41, -40, -21, -20, -3, -1, 0, 1, 2, 4, 5, 13, 14, 23, 24, 31, 59, 60, 61, 63, 64, 65, 127, 128,
          I64_MIN, I64_MIN + 5, I64_MIN + 63, I64_MIN + 64, I64_MAX, I64_MAX - 2, I64_MAX - 63, I64_MAX - 64]
    check(in_window_tuples, [(x,) for x in xs])
    check(in_window_tuples, [(True,), (False,), (np.bool_(True),), (np.int8(5),), (np.int8(-3),), (np.uint8(13),),
                             (np.uint16(60),), (np.int32(-40),), (np.uint32(63),), (np.int64(I64_MIN),),
                             (np.uint64(13),), (np.uint64(2**64 - 1),), (np.int16(-20),)])
    for dt in (np.int64, np.int8, np.uint8, np.int32, np.uint64, np.uint16):
        a = np.arange(-5 if np.dtype(dt).kind == "i" else 0, 70).astype(dt)
        check(count_window, [(a,), (a[::-3],), (a[:0],)])


def test_in_range():
    cases = []
    for x in (-7, -1, 0, 1, 2, 5, 9, 10, 11, 99):
        for a, b, c in [(0, 10, 1), (0, 10, 3), (10, 0, -2), (-5, 5, 5), (3, 3, 1)]:
            cases.append((x, a, b, c))
    check(in_range, cases)
    check(in_range, [(True, 0, 2, 1), (np.int64(4), 0, 9, 2), (I64_MAX, I64_MIN, I64_MAX, 1), (I64_MIN, I64_MIN, 0, 7)])
    assert_same(in_range, 1, 0, 5, 0, allow_fallback=True)  # ValueError
    a = np.array([1, 5, 9, 12, -3, 7])
    check(count_in_range, [(a, 0, 10), (a, 5, 6), (a[:0], 0, 1)])


def test_in_float_probe_falls_back_exactly():
    # a float probe in a range compares with each element: plain Python, same result
    assert_same(in_range, 2.0, 0, 5, 1, allow_fallback=True)
    assert_same(in_range, 2.5, 0, 5, 1, allow_fallback=True)


def test_in_array():
    a = np.array([1.0, 2.5, np.nan])
    check(in_array, [(a, 2.5), (a, 3.0), (a, np.nan), (np.arange(4), 3), (np.arange(4), 7), (np.zeros((2, 2)), 0.0)])


# --------------------------------------------------------------------------
# is / is not
# --------------------------------------------------------------------------


@pyston.fast
def is_none(flag, v):
    x = None
    if flag:
        x = v
    return x is None, x is not None


@pyston.fast
def is_bools(a, b):
    return a is b, a is not b, a is True


@pyston.fast
def is_mixed(x):
    return x is None, x is True, x is not False


def test_is():
    check(is_none, [(True, 2.5), (False, 2.5), (True, 3), (False, 3)])
    check(is_bools, [(True, True), (True, False), (False, False)])
    check(is_mixed, [(1,), (1.5,), (True,), (np.float64(1.5),)])


def test_is_undecidable_stays_plain():
    @pyston.fast(fallback=False)
    def same_int(a, b):
        return a is b

    with pytest.raises(pyston.CompileError, match="`is` between"):
        same_int(1, 2)


def test_in_float_tuple_stays_plain():
    @pyston.fast(fallback=False)
    def f(x):
        return x in (1.0, 2.0)

    with pytest.raises(pyston.CompileError, match="NaN"):
        f(1.0)


# --------------------------------------------------------------------------
# a local named like a builtin: the expansion must not apply
# --------------------------------------------------------------------------


@pyston.fast
def uses_local_zip(a, b):
    zip = enumerate  # noqa: A001 - a local named like the builtin
    s = 0
    for x, y in zip(a, b):
        s += x * 10 + y
    return s


def test_shadowed_builtin():
    # `zip` is a local here: not expanded; the call runs as CPython runs it
    assert_same(uses_local_zip, np.arange(3), 2, allow_fallback=True)


# --------------------------------------------------------------------------
# np.ndindex / np.ndenumerate
# --------------------------------------------------------------------------


@pyston.fast
def nd_shape(a):
    s = 0.0
    for idx in np.ndindex(a.shape):
        s = s * 0.5 + a[idx]
    return s


@pyston.fast
def nd_dims(m, k):
    t = 0
    last = (-1, -1)
    for i, j in np.ndindex(m, k):
        t = t * 7 + i * 3 + j
        last = (i, j)
    return t, last


@pyston.fast
def nd_one(n):
    t = 0
    for (i,) in np.ndindex(n):
        t += i * i
    return t


@pyston.fast
def nd_enum(a):
    s = 0.0
    for (i, j), v in np.ndenumerate(a):
        s += (i + 1) * (j + 2) * v
    return s


@pyston.fast
def nd_enum_first(a, t):
    for idx, v in np.ndenumerate(a):
        if v > t:
            return idx[0] * 1000 + idx[-1]
    return -1


@pyston.fast
def nd_enum_write(a):
    # writes through the same array while enumerating it: values are read when reached
    for (i, j), v in np.ndenumerate(a):
        if j + 1 < a.shape[1]:
            a[i, j + 1] += v
    return a


def test_ndindex():
    rng = rng_for("ndindex")
    m = rng.standard_normal((3, 4))
    check(nd_shape, [(m,), (m[:, ::-2],), (rng.standard_normal((2, 2, 3)),), (m[:0],), (np.arange(5.0),)])
    check(nd_dims, [(3, 4), (0, 4), (4, 0), (1, 1), (6, 2)])
    assert_same(nd_dims, -1, 4)  # ValueError: negative dimensions are not allowed (NumPy's)
    check(nd_one, [(0,), (1,), (10,)])


def test_ndenumerate():
    rng = rng_for("ndenumerate")
    m = rng.standard_normal((4, 3))
    check(nd_enum, [(m,), (np.asfortranarray(m),), (m[::2, ::-1],), (m[:0],)])
    check(nd_enum_first, [(m, 0.5), (m, 99.0), (np.arange(6).reshape(2, 3), 3), (rng.standard_normal((2, 2, 2)), 0.0)])
    check(nd_enum_write, [(m.copy(),), (np.arange(12).reshape(3, 4),)])


# --------------------------------------------------------------------------
# memory, njit
# --------------------------------------------------------------------------


def test_memory_flat():
    # big-int enumerate counters (boxed past 64 bits), deopts, index tuples: nothing kept
    a = np.arange(50.0)
    m = np.arange(12.0).reshape(3, 4)
    t = (1, 2.5, True)

    def calls(n):
        for _ in range(n):
            enum_start(a, I64_MAX - 20)
            nd_enum(m)
            tuple_mixed(t)
            in_range(5, 0, 10, 2)
            dot_zip(a, a[:30])

    calls(2000)
    gc.collect()
    before = rss_bytes()
    calls(100_000)
    gc.collect()
    assert rss_bytes() - before < 20e6


NJIT_KERNELS = [
    (dot_zip, (np.arange(7.0), np.arange(5.0))),
    (zip3, (np.arange(7.0), np.arange(5.0), np.arange(6.0))),
    (enum_zip, (np.arange(7.0), np.arange(5.0) * 2)),
    (enum_sum, (np.linspace(0, 1, 9),)),
    (rows, (np.arange(12.0).reshape(3, 4),)),
    (nd_shape, (np.arange(12.0).reshape(3, 4),)),
    (nd_enum, (np.arange(12.0).reshape(3, 4),)),
    (count_in_range, (np.array([1, 5, 9, 12, -3, 7]), 0, 10)),
]


# (Numba does not compile `reversed`; pyston.njit does.)
@pytest.mark.parametrize("fn,args", NJIT_KERNELS, ids=[k[0].py_func.__name__ for k in NJIT_KERNELS])
def test_njit_agrees_with_numba(fn, args):
    numba = pytest.importorskip("numba")
    got = pyston.njit(fn.py_func)(*args)
    want = numba.njit(fn.py_func)(*args)
    assert np.array_equal(np.asarray(got), np.asarray(want)), (got, want)


@pyston.fast
def zero_d_item(a, t):
    return a[()] + t[1]


def test_empty_index_tuple_still_compiles():
    # `a[()]` has no index operand: the tuple-index paths must leave it alone
    check(zero_d_item, [(np.array(2.5), (1, 2.0)), (np.array(7), (True, 3))])


# ---- list displays iterated or searched: tuples, as CPython's compiler makes them ----


def loop_over_list_display(x, a):
    s = 0.0
    for c in [1, 0.5, a, -x if x > 5 else 2]:
        s = s * x + c
        if x in [1, 2.5, a]:
            s += 1
    return s, x in [1, 2.0], x not in [x, 3], a in [0, None, True]


def horner_list(x):
    acc = 0
    for c in [3, -1, 0.25, 2]:
        acc = acc * x + c
    return acc


def test_list_displays_as_tuples():
    from helpers import assert_same_all

    f = pyston.fast(fallback=False)(loop_over_list_display)
    cases = [(1, 2), (2, 3), (7, 7), (2, 0), (-3, 1), (2**40, True)]
    assert_same_all(f, cases)
    g = pyston.fast(fallback=False)(horner_list)
    assert_same_all(g, [(0,), (1,), (2,), (-1.5,), (float("nan"),), (2**50,)])
