"""Iterators passed to compiled functions (issue #14): generators (CPython's
and pyston's own), `map`/`zip`/`enumerate`/`filter`/`reversed` objects,
list, tuple, range and string iterators, itertools, text files. Compiled
code steps the caller's iterator itself, so what it leaves in the iterator
(a `break` part-way, an exception in the generator) is what CPython leaves.

The items' type is read where that consumes nothing, else remembered from an
earlier call, else guessed (`float`); an item of another type deoptimizes
where the loop reads it. Each test runs the plain function and the compiled
one on fresh, equal iterators and compares the result (value and type) or
the exception (type and message), and the items left in the iterator."""

import io
import itertools
import warnings

import numpy as np
import pyston
import pytest
from helpers import diff, rss_bytes


@pytest.fixture(autouse=True)
def _guessing():
    # (an Accelerator made by another test, as `python -m pyston` makes one,
    # turns guessing off for the process)
    from pyston import _pyston

    _pyston._iter_guesses(True)


def _run(fn, make, rest):
    it = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res, exc = fn(it, *rest), None
        except Exception as e:  # noqa: BLE001 - compared
            res, exc = None, e
    perf = [w for w in caught if issubclass(w.category, pyston.PerformanceWarning)]
    try:
        left = list(it)
    except Exception as e:  # noqa: BLE001 - compared
        left = (type(e), str(e))
    return res, exc, left, perf


def same(fn, make, *rest, compiled=True):
    """`fn(make(), *rest)` compiled and plain: the same result or exception, and
    the same items left in the iterator; `compiled`: no PerformanceWarning."""
    e_res, e_exc, e_left, _ = _run(fn.py_func, make, rest)
    a_res, a_exc, a_left, perf = _run(fn, make, rest)
    if compiled:
        assert not perf, perf[0].message
    if e_exc is not None or a_exc is not None:
        assert type(e_exc) is type(a_exc) and str(e_exc) == str(a_exc), (e_exc, a_exc)
    else:
        d = diff(e_res, a_res)
        assert d is None, d
    d = diff(e_left, a_left, "items left")
    assert d is None, d
    return e_res


def gen_ints(n):
    for i in range(n):
        yield i * 3 - 7


def gen_floats(n):
    for i in range(n):
        yield i * 0.25 - 1.0


def gen_mixed():
    yield 1
    yield 2
    yield 2.5  # an item of another type part-way
    yield 4


def gen_raises(n):
    for i in range(n):
        yield float(i)
    raise KeyError("boom")


def gen_big():
    yield 5
    yield 2**70  # beyond 64 bits
    yield 6


@pyston.fast
def gen_fast(n):
    for i in range(n):
        yield i * 1.5


@pyston.fast
def total(it):
    s = 0
    for x in it:
        s += x
    return s


@pyston.fast
def first_over(it, lim):
    for x in it:
        if x > lim:
            return x
    return None


@pyston.fast
def pairs(it):
    s = 0.0
    for i, (a, b) in it:
        s += i * a - b
    return s


@pyston.fast
def stats(it):
    n = 0
    lo = np.inf
    hi = -np.inf
    for x in it:
        n += 1
        lo = min(lo, x)
        hi = max(hi, x)
    return n, lo, hi


@pyston.fast
def two_loops(it, k):
    a = 0
    for x in it:
        a += x
        if a > k:
            break
    b = 0
    for y in it:
        b += y
    return a, b


@pyston.fast
def count_chars(it):
    n = 0
    for s in it:
        n += len(s.strip())
    return n


@pyston.fast
def ret(it, k):
    for x in it:
        if x > k:
            break
    return it


ITERATORS = {
    "gen_ints": lambda: gen_ints(50),
    "gen_floats": lambda: gen_floats(50),
    "gen_empty": lambda: gen_floats(0),
    "genexp": lambda: (x * 0.5 for x in range(30)),
    "list_iter": lambda: iter([3.5, -1.0, 2.25, float("nan"), 7.0]),
    "list_iter_ints": lambda: iter([1, 2, 3, -(2**63), 2**63 - 1]),
    "tuple_iter": lambda: iter((1.0, 2.0, 3.0)),
    "reversed": lambda: reversed([1, 5, 9]),
    "range_iter": lambda: iter(range(-5, 40, 3)),
    "map_float": lambda: map(float, range(10)),
    "map_lambda": lambda: map(lambda v: v * 2, range(10)),
    "filter": lambda: filter(None, [0, 1, 0, 2, 3]),
    "islice": lambda: itertools.islice(itertools.count(1.5, 0.5), 12),
    "accumulate": lambda: itertools.accumulate(range(10)),
    "chain": lambda: itertools.chain([1, 2], (3, 4)),
    "np_scalars": lambda: iter([np.float32(1.5), np.float32(2.25)]),
    "np_flat": lambda: np.arange(6.0).reshape(2, 3).flat,
    "fast_gen": lambda: gen_fast(20),
    "bools": lambda: iter([True, False, True]),
}


@pytest.mark.parametrize("name", sorted(ITERATORS))
def test_total(name):
    make = ITERATORS[name]
    # (twice: the second call runs with what the first learned of the items)
    same(total, make)
    same(total, make)
    same(stats, make)


@pytest.mark.parametrize(
    "name", ["gen_ints", "gen_floats", "list_iter", "range_iter", "fast_gen", "map_float"]
)
def test_break_leaves_the_rest(name):
    for lim in (-100, 0, 3, 1e9):
        same(first_over, ITERATORS[name], lim)
        same(two_loops, ITERATORS[name], lim)


def test_items_of_another_type_deoptimize():
    # An int generator, then floats part-way: exact, and the next call is
    # compiled for what the first one met.
    for _ in range(3):
        same(total, gen_mixed, compiled=False)
        same(first_over, gen_mixed, 2)
    same(total, gen_big, compiled=False)
    same(total, lambda: iter([1, 2, 2**64]), compiled=False)
    same(total, lambda: iter(["a", "b"]), compiled=False)
    same(total, lambda: iter([1.0, "b"]), compiled=False)


def test_learns_the_item_type():
    def gen_i(n):
        for i in range(n):
            yield i + 0

    @pyston.fast
    def tot(it):
        s = 0
        for x in it:
            s += x
        return s

    # No item can be read from a generator before the call: guessed float,
    # an int met, recompiled for ints.
    assert tot(gen_i(10)) == 45
    assert tot(gen_i(10)) == 45
    sigs = tot.signatures
    assert "(pyiter(float))" in sigs and "(pyiter(int))" in sigs, sigs
    # A list iterator's next item is read without taking it.
    tot(iter([1, 2]))
    tot(iter([]))
    assert len(tot.signatures) == 2


def test_exceptions_from_the_generator():
    same(total, lambda: gen_raises(5))
    same(first_over, lambda: gen_raises(5), 100.0)
    same(first_over, lambda: gen_raises(5), 2.0)

    def stops():
        yield 1.0
        raise StopIteration  # PEP 479: a RuntimeError out of the generator

    same(total, stops)

    def bad_next():
        yield 1.0
        yield 1.0 / 0.0

    same(total, bad_next)


def test_zip_and_enumerate():
    cases = [
        lambda: enumerate(zip([1.0, 2.0], [3.0, 4.0])),
        lambda: enumerate(zip(gen_ints(4), (x * 1.5 for x in range(4)))),
        lambda: enumerate(zip(gen_floats(5), gen_floats(3)), 7),
        lambda: enumerate(zip([], [])),
        lambda: enumerate(zip(range(3), map(float, range(3)))),
    ]
    for make in cases:
        same(pairs, make)
        same(pairs, make)


def test_strings_and_files(tmp_path):
    p = tmp_path / "lines.txt"
    p.write_text("  alpha \nbeta\n\n gamma\n")

    def from_file():
        return open(p)  # noqa: SIM115 - closed by the collector once consumed

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        same(count_chars, from_file)
    same(count_chars, lambda: io.StringIO("a b\n  c\n"))
    same(count_chars, lambda: iter(["x", " yy ", ""]))
    same(count_chars, lambda: iter("hello"))
    same(count_chars, lambda: (w for w in "a bb ccc".split()))


def test_the_iterator_itself_comes_back():
    g = gen_ints(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        assert ret(g, -3) is g
        assert list(g) == [2, 5]
        m = map(float, [1, 2])
        assert ret(m, 5) is m
        assert list(m) == []


def test_not_an_iterator_is_not_taken():
    # Iterables that are not iterators keep their own types (a list is a list).
    assert total([1, 2, 3]) == 6
    assert "(list(int))" in total.signatures


def test_items_compiled_code_cannot_hold_run_as_python():
    @pyston.fast
    def arr_sum(it):
        s = 0.0
        for a in it:
            s += a.sum()
        return s

    for make in (lambda: iter([np.ones(3), np.ones(2)]), lambda: (np.ones(3) for _ in range(2))):
        for _ in range(2):
            same(arr_sum, make, compiled=False)


def test_memory_flat():
    def ints(n):
        yield from range(n)

    for _ in range(2000):
        total(ints(5))
        total(iter([1.5, 2.5]))
    before = rss_bytes()
    for _ in range(100_000):
        total(ints(5))
        total(iter([1.5, 2.5]))
        pairs(enumerate(zip([1.0], [2.0])))
    grown = rss_bytes() - before
    assert grown < 8 * 2**20, grown


def test_speed_shape_is_compiled():
    # A compiled function keeps stepping a generator natively on later calls
    # (no PerformanceWarning once the item type is known).
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        for _ in range(3):
            assert total(gen_floats(100)) == sum(gen_floats(100))


@pyston.fast
def head_then_rest(it):
    first = next(it)
    s = 0
    for x in it:
        s += x - first
    return first, s


@pyston.fast
def next_default(it, k):
    out = 0.0
    for _ in range(k):
        out = out * 2 + next(it, -1.0)
    return out


@pyston.fast
def until_stop(it):
    n = 0
    s = 0
    while True:
        try:
            x = next(it)
        except StopIteration:
            break
        n += 1
        s += x
    return n, s


@pyston.fast
def next_then_passed_on(it):
    a = next(it)
    return a + total(it)


@pyston.fast
def pairs_by_next(it):
    s = 0.0
    for a in it:
        b = next(it, 0.0)
        s += a * b
    return s


@pytest.mark.parametrize(
    "name",
    ["gen_ints", "gen_floats", "gen_empty", "list_iter", "range_iter", "map_float", "fast_gen", "islice"],
)
def test_next_of_an_iterator_parameter(name):
    make = ITERATORS[name]
    for _ in range(2):
        same(head_then_rest, make, compiled=name != "gen_empty")
        for k in (0, 1, 3, 60):
            same(next_default, make, k)
        same(until_stop, make)
        same(pairs_by_next, make)
    # Passed on after a `next`: the parameter is not only stepped here, so
    # the function runs as Python (exactly).
    same(next_then_passed_on, make, compiled=False)


def test_no_guess_under_the_auto_mode():
    # `python -m pyston` never guesses (a wrong guess finishes the call slower
    # than CPython): a generator nothing is known of runs as plain Python; an
    # iterator whose next item can be read is compiled.
    from pyston import _pyston

    def fresh(n):
        for i in range(n):
            yield i * 0.5

    @pyston.fast
    def tot(it):
        s = 0.0
        for x in it:
            s += x
        return s

    _pyston._iter_guesses(False)
    try:
        same(tot, lambda: fresh(10), compiled=False)
        assert tot.signatures == []
        same(tot, lambda: iter([1.5, 2.5]))
        assert tot.signatures == ["(pyiter(float))"]
    finally:
        _pyston._iter_guesses(True)
    same(tot, lambda: fresh(10))
