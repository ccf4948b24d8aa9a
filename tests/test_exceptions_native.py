"""try/except/else/finally, raise ... from ..., bare raise: compiled functions
with exception handlers, differential against plain Python.

Compiled code runs the `try` body natively; an exception raised inside it
(a runtime check, a NumPy call, a compiled callee, `raise`) hands the call to
the interpreter tier at that instruction, which runs the handler exactly as
CPython would. The tests check value, type, exception type and message,
argument mutation and traceback lines, and that nothing fell back to Python.

PYTEST_DONT_REWRITE: a kernel here uses ``assert`` (pytest's rewriting would make the
plain-Python run differ from the source pyston compiles).
"""

import math
import traceback

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, assert_same, assert_same_all, line_of, rng_for, rss_bytes


def _native(fn, *args):
    """The call compiled (a specialization exists for it, no fallback warning)."""
    assert_same(fn, *args)
    assert fn.signatures, f"{fn.py_func.__name__} has no compiled specialization"


# --------------------------------------------------------------------------
# basic shapes
# --------------------------------------------------------------------------


@pyston.fast
def safe_div_count(a, b):
    s = 0
    fails = 0
    for i in range(len(a)):
        try:
            s += int(a[i]) // int(b[i])
        except ZeroDivisionError:
            fails += 1
    return s, fails


def test_safe_div_random():
    rng = rng_for("safe_div")
    cases = []
    for n in [0, 1, 2, 7, 50]:
        for p in [0.0, 0.3, 1.0]:
            a = rng.integers(-100, 100, n)
            b = rng.integers(-3, 4, n)
            b[rng.random(n) < p] = 0
            cases.append((a, b))
    # zero on the first / last / no iteration
    cases.append((np.arange(5), np.array([0, 1, 1, 1, 1])))
    cases.append((np.arange(5), np.array([1, 1, 1, 1, 0])))
    cases.append((np.arange(5), np.array([1, 2, 3, 4, 5])))
    assert_same_all(safe_div_count, cases)
    _native(safe_div_count, np.arange(4), np.array([1, 0, 2, 0]))


@pyston.fast
def try_else_finally(x, log):
    y = 0
    try:
        log[0] += 1
        y = 100 // x
    except ZeroDivisionError as e:
        log[1] += 1
        y = len(str(e))
    else:
        log[2] += 1
        y += 1
    finally:
        log[3] += 1
        y = y * 2
    return y


@pytest.mark.parametrize("x", [0, 1, 3, -7, 1000])
def test_try_else_finally(x):
    _native(try_else_finally, x, np.zeros(4, dtype=np.int64))


@pyston.fast
def classes(x, k):
    try:
        if k == 0:
            return 1 // x
        if k == 1:
            return (1, 2)[int(x)]
        if k == 2:
            raise ValueError("bad value " + str(x))
        if k == 3:
            return int(x * math.inf)
        if k == 4:
            raise KeyError(x)
        if k == 5:
            raise OverflowError
        return math.sqrt(x)
    except (IndexError, KeyError):
        return -1
    except ArithmeticError:
        return -2
    except LookupError:
        return -3
    except Exception as e:
        if isinstance(e, ValueError):
            return -4
        return -5


def test_class_matching():
    cases = [(x, k) for x in [0, 1, 2, 5, -1, 0.0, -1.0] for k in range(7)]
    assert_same_all(classes, cases)


@pyston.fast
def bare_except(a, i):
    try:
        return a[i]
    except:  # noqa: E722
        return -1.0


def test_bare_except_and_index_error():
    a = np.arange(5.0)
    assert_same_all(bare_except, [(a, i) for i in range(-7, 7)])


@pyston.fast
def unmatched(x):
    try:
        y = 10 // x  # @UNMATCHED
    except ValueError:
        y = -1
    return y


def test_unmatched_escapes_with_traceback():
    e = assert_same(unmatched, 0)
    assert type(e) is ZeroDivisionError
    with pytest.raises(ZeroDivisionError) as info:
        unmatched(0)
    lines = [f.lineno for f in traceback.extract_tb(info.tb)]
    assert line_of(__file__, "UNMATCHED") in lines


@pyston.fast
def reraise(x):
    try:
        y = 10 // x  # @RERAISE
    except ZeroDivisionError:
        y = 0
        raise
    return y


def test_bare_reraise_keeps_the_original_line():
    e = assert_same(reraise, 0)
    assert type(e) is ZeroDivisionError
    assert_same(reraise, 5)
    with pytest.raises(ZeroDivisionError) as info:
        reraise(0)
    lines = [f.lineno for f in traceback.extract_tb(info.tb)]
    assert line_of(__file__, "RERAISE") in lines


@pyston.fast
def raise_from(x):
    try:
        return 10 // x
    except ZeroDivisionError as e:
        raise ValueError("x must not be zero") from e


@pyston.fast
def raise_from_none(x):
    try:
        return 10 // x
    except ZeroDivisionError:
        raise ValueError("no context") from None


def test_raise_from():
    e = assert_same(raise_from, 0)
    assert type(e) is ValueError
    with pytest.raises(ValueError) as info:
        raise_from(0)
    assert type(info.value.__cause__) is ZeroDivisionError
    assert_same(raise_from, 3)
    with pytest.raises(ValueError) as info:
        raise_from_none(0)
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pyston.fast
def raise_caught_locally(a):
    total = 0.0
    for i in range(len(a)):
        try:
            if a[i] < 0:
                raise ValueError("negative")
            total += a[i]
        except ValueError as e:
            total -= len(e.args[0])
    return total


def test_raise_caught_locally():
    rng = rng_for("raise_local")
    assert_same_all(raise_caught_locally, [(rng.normal(size=n),) for n in [0, 1, 5, 40]])


@pyston.fast
def nested(x, y):
    r = 0
    try:
        try:
            r = 100 // x
        except ZeroDivisionError:
            r = 100 // y
        r += 1
    except ZeroDivisionError:
        r = -1
    return r


def test_nested():
    assert_same_all(nested, [(x, y) for x in [0, 3] for y in [0, 7]])


@pyston.fast
def assert_in_try(x):
    try:
        assert x > 0, "must be positive"
        return x
    except AssertionError as e:
        return -len(str(e))


def test_assert_in_try():
    assert_same_all(assert_in_try, [(1,), (0,), (-2.5,)])


# --------------------------------------------------------------------------
# finally and jumps
# --------------------------------------------------------------------------


@pyston.fast
def finally_return_overrides(x):
    try:
        return 1 // x
    finally:
        if x > 5:
            return -100  # noqa: B012


@pyston.fast
def loop_jumps(n, stop, skip, log):
    s = 0
    for i in range(n):
        try:
            if i == skip:
                continue
            if i == stop:
                break
            s += 10 // (i - 3)
        except ZeroDivisionError:
            s += 1000
        finally:
            log[i] += 1
    else:
        s -= 1
    return s


@pyston.fast
def return_in_try_in_loop(a):
    for i in range(len(a)):
        try:
            if a[i] == 0:
                return i
            r = 1 // a[i]  # noqa: F841
        finally:
            a[i] = -1
    return -1


def test_finally():
    assert_same_all(finally_return_overrides, [(0,), (1,), (7,), (-3,)])
    cases = [
        (n, stop, skip, np.zeros(max(n, 1), dtype=np.int64))
        for n in [0, 3, 8]
        for stop in [2, 5, 20]
        for skip in [1, 4, 20]
    ]
    assert_same_all(loop_jumps, cases)
    assert_same_all(
        return_in_try_in_loop, [(np.array([3, 2, 0, 1]),), (np.array([1, 1]),), (np.array([1, 0]),)]
    )


@pyston.fast
def break_in_finally_is_the_try_statements(a, b, log):
    # The `finally` copy made at the inner loop's `return`/`break`/`continue`
    # must break the outer loop (the try statement's), not the inner one.
    for i in range(len(a), -3, -2):
        try:
            for j in range(len(b)):
                if b[j] > a[0]:
                    return -1
                if b[j] == a[0]:
                    break
                if b[j] < 0:
                    continue
            log[0] += 1
        finally:
            log[1] += 1
            if i != len(b):
                break  # noqa: B012 -- the point of the test
    for k in range(3):
        try:
            for j in range(len(b)):
                if b[j] > a[0]:
                    continue
        finally:
            log[2] += 1
            if k == 1:
                continue  # noqa: B012 -- the point of the test
        log[3] += 1
    return 7


def test_break_in_finally_copied_into_an_inner_loop():
    cases = []
    for a in ([3, 1, 1], [0, 5], [9]):
        for b in ([20, 1, 1, 1], [3, -1, 2], [], [1, 1, 1, 1]):
            cases.append((np.array(a), np.array(b), np.zeros(4, dtype=np.int64)))
    for c in cases:
        _native(break_in_finally_is_the_try_statements, *c)


@pyston.fast
def finally_exception_escapes(x, log):
    try:
        return 1 // x
    finally:
        log[0] += 1


def test_finally_runs_on_the_way_out():
    log = np.zeros(1, dtype=np.int64)
    e = assert_same(finally_exception_escapes, 0, log)
    assert type(e) is ZeroDivisionError


@pyston.fast
def finally_raises_after_return(a, v):
    try:
        return v
    except LookupError:
        v = 5
    finally:
        a[v % 9] *= 2


@pyston.fast
def finally_raises_after_break(a, n):
    for i in range(n):
        try:
            if i == 2:
                break
        except IndexError:
            a[0] += 100
        finally:
            a[i * 2] += 1
    return a


def test_what_a_finally_copy_raises_skips_the_statements_own_except():
    # (found by the fuzzer: the copy of `finally` run by `return`/`break` in the
    # body was still inside the body's handler)
    for v in (1, 4, 8):
        assert_same(finally_raises_after_return, np.zeros(3), v)
    for n in (1, 3, 5):
        assert_same(finally_raises_after_break, np.zeros(4), n)


# --------------------------------------------------------------------------
# exceptions from callees, NumPy, deopt inside try
# --------------------------------------------------------------------------


@pyston.fast
def checked_sqrt(x):
    if x < 0:
        raise ValueError("negative input")
    return math.sqrt(x)


@pyston.fast
def sum_sqrt(a):
    s = 0.0
    bad = 0
    for i in range(len(a)):
        try:
            s += checked_sqrt(a[i])
        except ValueError:
            bad += 1
    return s, bad


def test_exception_from_compiled_callee():
    rng = rng_for("callee")
    assert_same_all(sum_sqrt, [(rng.normal(size=n),) for n in [0, 1, 6, 30]])


@pyston.fast
def reshape_or_flat(a, k):
    try:
        return a.reshape(k, 2).sum()
    except ValueError:
        return -1.0


@pyston.fast
def alloc_or_none(n):
    try:
        z = np.zeros(n)
        return z.size
    except ValueError as e:  # noqa: F841
        return -1


class MyError(Exception):
    pass


class MySubError(MyError):
    pass


@pyston.fast
def user_exception(x):
    try:
        if x > 2:
            raise MySubError("too big")
        return x
    except MyError:
        return -1


def test_numpy_and_user_exceptions_caught():
    a = np.arange(6.0)
    assert_same_all(reshape_or_flat, [(a, 3), (a, 4), (a, 1)])
    assert_same_all(alloc_or_none, [(3,), (0,), (-1,)])
    assert_same_all(user_exception, [(1,), (3,)])


@pyston.fast
def overflow_in_try(x, n):
    r = x
    try:
        for _ in range(n):
            r = r * x
        q = 1 // (n - 5)
    except ZeroDivisionError:
        return -r
    return r + q


def test_deopt_inside_try_stays_exact():
    assert_same_all(overflow_in_try, [(3, 5), (3, 60), (7, 4), (2**40, 3), (-3, 45)])


@pyston.fast
def error_in_handler(x):
    try:
        return 1 // x
    except ZeroDivisionError:
        return (1, 2)[x + 5]


def test_error_in_handler():
    e = assert_same(error_in_handler, 0)
    assert type(e) is IndexError


@pyston.fast
def not_an_exception_class(x):
    try:
        return 1 // x
    except int:  # TypeError when it is tested
        return 0


def test_bad_except_class():
    assert_same(not_an_exception_class, 1)
    e = assert_same(not_an_exception_class, 0)
    assert type(e) is TypeError


@pyston.fast
def unbound_after_handler(x):
    try:
        y = 1 // x
    except ZeroDivisionError as e:  # noqa: F841
        y = 0
    return y + e  # noqa: F821 - `e` is unbound after the clause


def test_as_name_is_unbound_after_the_clause():
    e = assert_same(unbound_after_handler, 0)
    assert isinstance(e, NameError)


def test_memory_flat_over_many_caught_exceptions():
    a = np.arange(2000)
    b = np.zeros(2000, dtype=np.int64)
    safe_div_count(a, b)
    before = rss_bytes()
    for _ in range(50):
        assert safe_div_count(a, b) == (0, 2000)
    assert rss_bytes() - before < 20 * 2**20


def test_big_values_and_random():
    rng = rng_for("big")
    cases = [(int(x), int(y)) for x, y in rng.integers(-5, 5, size=(20, 2))]
    cases += [(I64_MAX, 0), (I64_MAX, 2)]
    assert_same_all(nested, cases)


@pyston.fast
def else_not_covered(x):
    try:
        y = x + 1
    except ZeroDivisionError:
        return -1
    else:
        y = 10 // x  # not caught by the clauses above
    return y


@pyston.fast
def finally_raises_once(x, log):
    try:
        try:
            y = x
        finally:
            log[0] += 1
            y = 10 // x
    except ZeroDivisionError:
        y = -1
    return y, log[0]


def test_else_and_finally_are_outside_the_handlers():
    assert type(assert_same(else_not_covered, 0)) is ZeroDivisionError
    assert_same(else_not_covered, 5)
    for x in (0, 2):
        assert_same(finally_raises_once, x, np.zeros(1, dtype=np.int64))


# --------------------------------------------------------------------------
# pyston.njit: the forms Numba supports give Numba's results
# --------------------------------------------------------------------------


def _njit_count(a, b):
    s = 0.0
    n = 0
    for i in range(len(a)):
        try:
            s += float(a[i]) / float(b[i])
        except Exception:
            n += 1
    return s, n


def _njit_bare(x):
    try:
        y = 10 // x
    except:  # noqa: E722
        y = -1
    else:
        y += 2
    finally:
        y += 1
    return y


def test_njit_try_except_matches_numba():
    numba = pytest.importorskip("numba")
    a = np.arange(6.0)
    b = np.array([1.0, 0.0, 2.0, 0.0, 3.0, 1.0])
    assert pyston.njit(_njit_count)(a, b) == numba.njit(_njit_count)(a, b) == _njit_count(a, b)
    for x in (0, 3, -4):
        assert pyston.njit(_njit_bare)(x) == numba.njit(_njit_bare)(x) == _njit_bare(x)
