"""Namedtuples in compiled code (issue #14): instances of module-level
`collections.namedtuple` and `typing.NamedTuple` classes passed in, made
(`Point(x, y)`, keywords too), read by field name, index, unpacking,
iteration, `len`, `in` and truth, and returned as real instances of the
user's class. Differential against plain Python (value, type, exception and
message), each kernel compiling natively; classes that are not plain
namedtuples (a subclass, an `__eq__` of their own) run as plain Python."""

import collections
import typing

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, rng_for

Point = collections.namedtuple("Point", "x y")
Point3 = collections.namedtuple("Point3", ["x", "y", "z"])
WithDefault = collections.namedtuple("WithDefault", "a b", defaults=[7])


class Rect(typing.NamedTuple):
    w: float
    h: float

    def area(self):
        return self.w * self.h


class Sub(Point):
    pass


class OwnEq(typing.NamedTuple):
    a: int
    b: int

    def __eq__(self, other):
        return True

    def __len__(self):
        return 99


@pyston.fast
def make(a, b):
    return Point(a, b)


@pyston.fast
def make_kw(a, b):
    return Point(y=a, x=b)


@pyston.fast
def make3(a, b, c):
    return Point3(a, z=c, y=b)


@pyston.fast
def reads(p):
    x, y = p
    s = 0
    for v in p:
        s += v
    return p.x * 10 + p.y + p[0] - p[-1] + len(p) + s + (3 in p) + x - y


@pyston.fast
def rect(r, k):
    q = Rect(r.w * k, r.h)
    return q, q.w + q.h, bool(q), not q, q[1]


@pyston.fast
def with_array(a):
    p = Point(a, a.sum())
    return p, p.x[0]


@pyston.fast
def pass_through(p):
    return p


@pyston.fast
def in_loop(n):
    p = Point(0, 0.0)
    for i in range(n):
        p = Point(p.x + i, p.y + 0.5 * i)
    return p


@pyston.fast
def callee(p):
    return p.x - p.y


@pyston.fast
def caller(a, b):
    return callee(Point(a, b)) + callee(Point(b, a))


@pyston.fast
def bad_index(p, i):
    return p[i]


@pyston.fast
def unpack3(p):
    a, b, c = p
    return a


@pyston.fast
def nested(a, b):
    return Point(Point(a, b), (a, b))


def test_construct_positional_and_keywords():
    rng = rng_for("nt_construct")
    cases = [(int(rng.integers(-10**6, 10**6)), float(rng.normal())) for _ in range(20)]
    cases += [(0, 0.0), (-1, float("nan")), (2**62, float("inf")), (True, -0.0)]
    assert_same_all(make, cases)
    assert_same_all(make_kw, cases)
    assert_same_all(make3, [(a, b, 1j) for a, b in cases])
    r = make(1, 2.5)
    assert type(r) is Point and r.x == 1 and r.y == 2.5


def test_reads():
    rng = rng_for("nt_reads")
    cases = [(Point(int(rng.integers(-100, 100)), int(rng.integers(-100, 100))),) for _ in range(20)]
    cases += [(Point(3, 4),), (Point(3.5, 4),), (Point(-2**40, 2**40),), (Point(True, False),)]
    assert_same_all(reads, cases)


def test_typing_namedtuple():
    rng = rng_for("nt_typing")
    cases = [(Rect(float(rng.normal()), float(rng.normal())), int(rng.integers(-5, 5))) for _ in range(20)]
    cases += [(Rect(0.0, -0.0), 0), (Rect(float("nan"), 1.0), 2)]
    assert_same_all(rect, cases)
    assert type(rect(Rect(1.0, 2.0), 2)[0]) is Rect


def test_arrays_inside():
    r = assert_same(with_array, np.arange(5.0))
    assert type(r[0]) is Point
    assert_same(with_array, np.arange(4, dtype=np.int32)[::-1])


def test_pass_through_and_nested():
    for p in (Point(1, 2), Point(1.5, np.float32(2)), Point3(1, 2, 3), Rect(1.0, 2.0), WithDefault(1)):
        r = assert_same(pass_through, p)
        assert type(r) is type(p)
    r = assert_same(nested, 3, 4)
    assert type(r) is Point and type(r.x) is Point


def test_loop_and_calls():
    for n in (0, 1, 5, 100):
        assert_same(in_loop, n)
    assert_same(caller, 3, 4.5)


def test_errors():
    # IndexError of a run-time index, ValueError of unpacking the wrong length
    for i in (0, 1, -1, -2, 2, -3):
        assert_same(bad_index, Point(1, 2), i)
    assert_same(unpack3, Point(1, 2), allow_fallback=True)
    assert_same(make, 1, 2)


@pyston.fast
def len_sub(p):
    return len(p), p[0]


@pyston.fast
def len_own(p):
    return len(p), p[0]


@pytest.mark.parametrize("f, p", [(len_sub, Sub(1, 2)), (len_own, OwnEq(1, 2))])
def test_other_classes_run_as_python(f, p):
    # A subclass, or a class with dunders of its own: not taken as a namedtuple.
    with pytest.warns(pyston.PerformanceWarning):
        r = f(p)
    assert r == f.py_func(p)


@pyston.fast
def compare_all(a, b):
    return a == b, a != b, a < b, a <= b, a > b, a >= b


@pyston.fast
def compare_eq(a, b):
    return a == b, a != b


@pyston.fast
def compare_floats(a, b):
    return a == b


def test_tuple_comparisons():
    # CPython's tuple_richcompare: the first differing item decides, else the lengths.
    rng = rng_for("nt_compare")
    vals = [(), (4,), (4, 5), (4, 6), (5, 4), (4, 5, 6), (4, 4, 6), (True, 5), (-2**63, 2**63 - 1),
            Point(4, 5), Point(4, 6), Point3(4, 5, 6)]
    vals += [tuple(int(x) for x in rng.integers(-3, 3, size=int(rng.integers(0, 4)))) for _ in range(12)]
    assert_same_all(compare_all, [(a, b) for a in vals for b in vals])
    # NumPy ints compared for equality (exactly, across signedness)
    cases = [((np.int32(4), 5), (4, 5)), ((np.uint64(2**64 - 1), 1), (-1, 1)), ((np.int8(-1),), (np.uint8(255),)),
             ((np.bool_(True), 2), (1, 2))]
    assert_same_all(compare_eq, cases + [(b, a) for a, b in cases])


def test_tuple_of_floats_comparison_runs_as_python():
    # (a float NaN item is equal to itself only when it is the same object: compiled code cannot tell)
    nan = float("nan")
    t = (nan, 1.0)
    with pytest.warns(pyston.PerformanceWarning):
        assert compare_floats(t, t) is True


@pyston.fast
def concat(a, b):
    t = a + b
    return t, len(t), bool(t)


def test_tuple_concatenation():
    # a namedtuple's `+` is tuple's: a plain tuple
    cases = [((1, 2.5), (np.arange(2),)), (Point(1, 2), (3,)), ((), ()), ((), Point(1, 2)), (Rect(1.0, 2.0), Point(3, 4))]
    for a, b in cases:
        r = assert_same(concat, a, b)
        assert type(r[0]) is tuple


def test_njit_compares_float_tuples_by_value():
    from pyston import njit

    @njit
    def lt(a, b):
        return a < b, a == b

    for a, b in [((1.0, 2.5), (1.0, 3.0)), ((4, 5.5), (4, 5.5)), ((2.0,), (1.0, 0.0))]:
        assert lt(a, b) == (a < b, a == b)
    nan = float("nan")
    assert lt((nan,), (nan,)) == (False, False)  # Numba's rule: items compared by value


@pyston.fast
def with_label(x):
    p = Point("label", x)
    return p, p.x, len(p)


def test_string_field():
    for x in (1, 2.5):
        r = assert_same(with_label, x)
        assert type(r[0]) is Point


def make_global_point(a, b):
    return Point(a, b)


def test_rebound_class_is_seen():
    # the class is a global like any other: guarded, a rebinding is seen on the next call
    global Point
    f = pyston.fast(make_global_point)
    old = Point
    try:
        assert type(f(1, 2)) is Point
        Point = collections.namedtuple("Point", "x y")
        r = f(1, 2)
        assert type(r) is Point and type(r) is not old
    finally:
        Point = old


@pyston.fast
def index_array(a, p):
    return a[p]


def test_array_indexed_by_namedtuple():
    # NumPy reads a namedtuple index as a tuple of indexes
    a = np.arange(12.0).reshape(3, 4)
    for p in (Point(1, 2), Point(-1, 3), Point(0, -4), Point(3, 0), Point(0, 4)):
        assert_same(index_array, a, p)
    assert_same(index_array, a[:, ::-1], Point(2, 1))


@pyston.fast
def search(t, x):
    return t.count(x), t.index(x)


def test_index_and_count():
    rng = rng_for("nt_search")
    cases = [(tuple(int(v) for v in rng.integers(0, 4, size=int(rng.integers(0, 6)))), int(rng.integers(0, 4)))
             for _ in range(30)]
    cases += [((1, True, 1), True), ((0, 1), False), (Point(3, 3), 3), (Point(2, 5), 7), ((), 1),
              ((np.int8(-1), 2), -1), ((np.uint8(255), 1), -1)]
    # (absent: CPython's ValueError "tuple.index(x): x not in tuple")
    assert_same_all(search, cases)


@pyston.fast
def keep_in_list(p):
    xs = [p]
    xs.append(p)
    return xs


def test_namedtuples_in_lists_stay_instances():
    r = assert_same(keep_in_list, Point(1, 2.5))
    assert [type(x) for x in r] == [Point, Point]
