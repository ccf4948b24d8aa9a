"""Exceptions compiled code catches without making them: a Python
``ZeroDivisionError`` of ``/``, ``//`` or ``%`` inside a ``try`` whose compiled
handler only tests its class goes straight to the handler (a tagged word in
place of the instance, ``abi::LazyExc``); the instance is made, with the
running CPython's own message, when anything can see it (``as e``, a
re-raise, a clause that does not match, a handler calling Python code, a
deopt inside the handler). Differential against plain Python: value, type,
exception type and message, traceback lines.
"""

import traceback

import numpy as np
import pyston
import pytest
from helpers import assert_same, assert_same_all, line_of, rng_for

# --------------------------------------------------------------------------
# handlers selected by class alone
# --------------------------------------------------------------------------


def _cases(name, ints):
    rng = rng_for(name)
    out = []
    for n in [0, 1, 5, 40]:
        for p in [0.0, 0.2, 1.0]:
            if ints:
                a = [int(v) for v in rng.integers(-50, 50, n)]
                b = [int(v) for v in rng.integers(-3, 4, n)]
            else:
                a = [float(v) for v in rng.normal(size=n)]
                b = [float(v) for v in rng.normal(size=n)]
            for i in range(n):
                if rng.random() < p:
                    b[i] = 0 if ints else rng.choice([0.0, -0.0])
            out.append((np.array(a), np.array(b)))
    return out


@pyston.fast
def fdiv_specific(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        try:
            s += x / y
        except ZeroDivisionError:
            fails += 1
    return s, fails


@pyston.fast
def ffloordiv_tuple(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        try:
            s += x // y
        except (ValueError, ArithmeticError):
            fails += 1
    return s, fails


@pyston.fast
def fmod_exception(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        try:
            s += x % y
        except Exception:
            fails += 3
    return s, fails


@pyston.fast
def ifloordiv_bare(a, b):
    s = 0
    fails = 0
    for i in range(len(a)):
        x = int(a[i])
        y = int(b[i])
        try:
            s += x // y
        except:  # noqa: E722 - a bare except is one of the cases
            fails += 1
    return s, fails


@pyston.fast
def imod_two_clauses(a, b):
    s = 0
    fails = 0
    others = 0
    for i in range(len(a)):
        x = int(a[i])
        y = int(b[i])
        try:
            s += x % y
        except IndexError:
            others += 1
        except ZeroDivisionError:
            fails += 1
    return s, fails, others


@pyston.fast
def itruediv_lookup(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = int(a[i])
        y = int(b[i])
        try:
            s += x / y
        except LookupError:
            fails += 100
        except ArithmeticError:
            fails += 1
    return s, fails


@pyston.fast
def mixed_int_float(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = int(a[i])
        y = float(b[i])
        try:
            s += x / y + x // y
        except ZeroDivisionError:
            fails += 1
        else:
            fails -= 1
    return s, fails


@pytest.mark.parametrize("fn", [fdiv_specific, ffloordiv_tuple, fmod_exception])
def test_float_handlers(fn):
    assert_same_all(fn, _cases(fn.py_func.__name__, ints=False))


@pytest.mark.parametrize("fn", [ifloordiv_bare, imod_two_clauses, itruediv_lookup, mixed_int_float])
def test_int_handlers(fn):
    assert_same_all(fn, _cases(fn.py_func.__name__, ints=True))


# --------------------------------------------------------------------------
# clauses that do not match: the exception escapes, made exactly
# --------------------------------------------------------------------------


@pyston.fast
def unmatched(x, y, op):
    r = 0.0
    try:
        if op == 0:
            r = x / y  #@LAZY_UNMATCHED
        elif op == 1:
            r = x // y
        else:
            r = x % y
    except (IndexError, KeyError):
        r = -1.0
    return r


@pyston.fast
def unmatched_in_loop(a, b):
    s = 0
    for i in range(len(a)):
        try:
            s += int(a[i]) // int(b[i])
        except ValueError:
            s -= 1
    return s


def test_unmatched_messages():
    cases = []
    for op in range(3):
        for x, y in [(7, 0), (7.0, 0.0), (7, 0.0), (7.0, 0), (-3.5, -0.0), (True, False), (5, 2), (5.0, 2.0)]:
            cases.append((x, y, op))
    assert_same_all(unmatched, cases)


def test_unmatched_traceback():
    with pytest.raises(ZeroDivisionError) as info:
        unmatched(1.0, 0.0, 0)
    lines = [f.lineno for f in traceback.extract_tb(info.tb)]
    assert line_of(__file__, "LAZY_UNMATCHED") in lines
    assert_same_all(unmatched_in_loop, [(np.arange(5), np.array([1, 2, 0, 1, 1])), (np.arange(3), np.ones(3, int))])


# --------------------------------------------------------------------------
# handlers that see the exception: it is made (as e, calls, re-raise, finally)
# --------------------------------------------------------------------------


@pyston.fast
def as_e(a, b):
    out = 0
    for i in range(len(a)):
        try:
            out += int(a[i]) % int(b[i])
        except ZeroDivisionError as e:
            out += len(str(e)) * 1000
    return out


@pyston.fast
def as_e_float(x, y):
    try:
        return x / y
    except ArithmeticError as e:
        return str(e) + "|" + type(e).__name__


def note(k):
    return k * 10


@pyston.fast
def handler_calls_python(a, b):
    s = 0
    for i in range(len(a)):
        try:
            s += int(a[i]) // int(b[i])
        except ZeroDivisionError:
            s += note(i)
    return s


@pyston.fast
def reraise_after(x, y, log):
    try:
        return x // y  #@LAZY_RERAISE
    except ZeroDivisionError:
        log[0] += 1
        raise


@pyston.fast
def nested(x, y, z):
    r = 0
    try:
        try:
            r = x // y
        except IndexError:
            r = -1
        r += 10 // z
    except ArithmeticError:
        r = r - 100
    return r


@pyston.fast
def nested_reraise_to_as(x, y):
    try:
        try:
            return str(x / y)
        except ZeroDivisionError:
            raise
    except Exception as e:
        return str(e)


@pyston.fast
def nested_in_handler(x, y, z):
    try:
        return x // y
    except ZeroDivisionError:
        try:
            return z % y
        except ZeroDivisionError:
            return -7


@pyston.fast
def with_finally(x, y, log):
    try:
        return x % y
    finally:
        log[0] += 1


@pyston.fast
def except_else_finally(x, y, log):
    r = 0.0
    try:
        r = x / y
    except ZeroDivisionError:
        log[0] += 1
    else:
        log[1] += 1
    finally:
        log[2] += 1
    return r


def test_seen_exceptions():
    assert_same_all(as_e, [(np.arange(6), np.array([1, 0, 2, 0, 3, 0])), (np.arange(3), np.ones(3, int))])
    cases = [(x, y) for x in [1, 1.5, True, -2] for y in [0, 0.0, -0.0, False, 4]]
    assert_same_all(as_e_float, cases)
    assert_same_all(handler_calls_python, [(np.arange(6), np.array([1, 0, 2, 0, 3, 0]))])
    assert_same_all(reraise_after, [(5, 0, [0]), (5.0, 0.0, [0]), (5, 2, [0]), (5.5, -0.0, [0])])
    zs = [0, 1, 3]
    assert_same_all(nested, [(x, y, z) for x in [7, 7.5] for y in [0, 2, 0.0] for z in zs])
    assert_same_all(nested_reraise_to_as, [(1, 0), (1.0, 0.0), (3, 2), (True, False)])
    assert_same_all(nested_in_handler, [(1, 0, 3), (1, 2, 3), (1.0, 0.0, 2.5), (4, 0.0, 0)])
    assert_same_all(with_finally, [(1, 0, [0]), (1.0, 0.0, [0]), (5, 3, [0])])
    assert_same_all(except_else_finally, [(1, 0, [0, 0, 0]), (1.0, 0.0, [0, 0, 0]), (5, 3, [0, 0, 0])])


def test_reraise_traceback():
    got = []
    for fn in [reraise_after.py_func, reraise_after]:
        log = [0]
        with pytest.raises(ZeroDivisionError) as info:
            fn(3, 0, log)
        assert log == [1]
        got.append([(f.lineno, f.name) for f in traceback.extract_tb(info.tb)])
    assert got[0] == got[1]
    assert (line_of(__file__, "LAZY_RERAISE"), "reraise_after") in got[1]


# --------------------------------------------------------------------------
# clauses read from a global that changes: the handler deoptimizes with the
# caught exception live
# --------------------------------------------------------------------------

ERRS = ZeroDivisionError


@pyston.fast
def by_global(a, b):
    s = 0
    for i in range(len(a)):
        try:
            s += int(a[i]) // int(b[i])
        except ERRS:
            s -= 1
    return s


def test_clauses_from_a_changing_global():
    global ERRS
    args = (np.arange(6), np.array([1, 0, 2, 0, 3, 0]))
    try:
        for errs in [ZeroDivisionError, (ValueError, ArithmeticError), ValueError, 5, (KeyError,), Exception]:
            ERRS = errs
            assert_same(by_global, *args, allow_fallback=True)
    finally:
        ERRS = ZeroDivisionError


# --------------------------------------------------------------------------
# BaseException subclasses are not caught by `except Exception`
# --------------------------------------------------------------------------


class Stop(BaseException):
    pass


@pyston.fast
def base_exception(x, y):
    r = 0
    try:
        r = x // y
        if r > 100:
            raise Stop()
    except Exception:
        r = -1
    return r


def test_base_exception_passes():
    assert_same_all(base_exception, [(1, 0), (5, 2)])
    with pytest.raises(Stop):
        base_exception(1000, 1)
    with pytest.raises(Stop):
        base_exception.py_func(1000, 1)


NOT_AN_EXCEPTION = (ValueError, int)


@pyston.fast
def catch_not_exception(a, b):
    # (CPython checks the clause's classes only when an exception is matched)
    s = 0.0
    n = 0
    for i in range(len(a)):
        try:
            s += float(a[i]) / float(b[i])
        except NOT_AN_EXCEPTION:
            n += 1
    return s, n


@pyston.fast
def loop_counting_failures(a, b):
    # each iteration may raise: caught as tagged words, nothing kept per iteration
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        try:
            s += x / y
            s -= x // y
        except ArithmeticError:
            fails += 1
    return s, fails


def test_clause_classes_checked_when_matching():
    assert_same_all(
        catch_not_exception,
        [([1.0, 2.0], [1.0, 4.0]), ([1.0, 2.0], [0.0, 4.0]), ([], [])],
    )


def test_loop_counting_failures():
    rng = rng_for("lazy-loop")
    for n in (0, 1, 50, 2000):
        a = rng.normal(size=n)
        b = rng.normal(size=n)
        b[rng.random(n) < 0.3] = 0.0
        assert_same(loop_counting_failures, a, b)
    assert_same(loop_counting_failures, np.ones(3), np.zeros(3))


# --------------------------------------------------------------------------
# outside any try: made and raised from the compiled frame at its line
# --------------------------------------------------------------------------


@pyston.fast
def no_try(x, y, op):
    z = x + 1
    if op == 0:
        return z / y  #@LAZY_NO_TRY
    if op == 1:
        return z // y
    return z % y


@pyston.fast
def gen_div(a, b):
    for i in range(len(a)):
        r = -1
        try:
            r = a[i] // b[i]
        except ZeroDivisionError:
            r = -2
        yield r
    yield int(a[0]) // int(b[-1])


def test_no_try():
    cases = [(x, y, op) for op in range(3) for x, y in [(7, 0), (7.5, 0.0), (7, -0.0), (True, False), (7, 2)]]
    assert_same_all(no_try, cases)
    got = []
    for fn in [no_try.py_func, no_try]:
        with pytest.raises(ZeroDivisionError) as info:
            fn(1.0, 0.0, 0)
        got.append([(f.lineno, f.name) for f in traceback.extract_tb(info.tb)][1:])
    assert got[0] == got[1] == [(line_of(__file__, "LAZY_NO_TRY"), "no_try")]


def test_generator():
    for a, b in [([1, 2, 3], [1, 0, 2]), ([4, 5], [0, 0]), ([4], [1])]:
        want = got = None
        try:
            want = list(gen_div.py_func(a, b))
        except ZeroDivisionError as e:
            want = str(e)
        try:
            got = list(gen_div(a, b))
        except ZeroDivisionError as e:
            got = str(e)
        assert want == got


# --------------------------------------------------------------------------
# `except ... as e:` sees CPython's traceback: this frame at the raising line
# (then the callees' frames)
# --------------------------------------------------------------------------


@pyston.fast
def tb_here(x, y):
    try:
        return float(x // y)
    except ZeroDivisionError as e:
        tb = e.__traceback__
        here = 1000.0 if tb.tb_frame.f_code.co_name == "tb_here" else 0.0
        return tb.tb_lineno + (0.5 if tb.tb_next is None else 0.25) + here


def tb_inner(a, i):
    return a[i] + 1.0


@pyston.fast
def tb_callee(a, i):
    try:
        return float(tb_inner(a, i))
    except IndexError as e:
        tb = e.__traceback__
        return tb.tb_lineno * 1000.0 + tb.tb_next.tb_lineno


@pyston.fast
def tb_reraised(x, y, bare):
    try:
        try:
            return x / y
        except ZeroDivisionError as e:
            if bare:
                raise
            raise e
    except ArithmeticError as e2:
        tb = e2.__traceback__
        return tb.tb_lineno + (0.5 if tb.tb_next is None else 0.25)


@pyston.fast
def tb_cold_outer(x, y):
    try:
        try:
            return x / y
        except ZeroDivisionError as e:  # noqa: F841 - bound: the handler sees it
            raise
    except ArithmeticError as e2:
        print(end="")  # (the interpreter tier runs this handler)
        tb = e2.__traceback__
        return tb.tb_lineno + (0.5 if tb.tb_next is None else 0.25)


@pyston.fast
def tb_escape(x, y):
    try:
        return x % y  #@LAZY_TB_ESCAPE
    except ZeroDivisionError as e:  # noqa: F841 - bound: the handler sees it
        raise


def test_tracebacks_seen_by_handlers():
    assert_same_all(tb_here, [(1, 0), (1.0, 0.0), (1, 0.0), (7, 2)])
    assert_same_all(tb_callee, [([1.0, 2.0], 5), (np.arange(3.0), 5), (np.arange(3.0), -7), ([1.0], 0)])
    assert_same_all(tb_reraised, [(1.0, 0.0, True), (1, 0, True), (2.0, 4.0, True)])
    assert_same_all(tb_cold_outer, [(1.0, 0.0), (1, 0), (2.0, 4.0)])
    got = []
    for fn in [tb_escape.py_func, tb_escape]:
        with pytest.raises(ZeroDivisionError) as info:
            fn(3, 0)
        got.append([(f.lineno, f.name) for f in traceback.extract_tb(info.tb)][1:])
    assert got[0] == got[1] == [(line_of(__file__, "LAZY_TB_ESCAPE"), "tb_escape")]


# --------------------------------------------------------------------------
# NumPy's IndexError of an integer index out of bounds
# --------------------------------------------------------------------------


@pyston.fast
def arr_sum_skip(a, idx):
    s = 0.0
    fails = 0
    for i in range(len(idx)):
        try:
            s += a[idx[i]]
        except IndexError:
            fails += 1
    return s, fails


@pyston.fast
def arr2_msg(a, i, j):
    try:
        return str(a[i, j])
    except IndexError as e:
        return "E:" + str(e)


@pyston.fast
def arr3_store(a, i, j, k, v):
    try:
        a[i, j, k] = v
        return 0
    except LookupError:
        return 1


@pyston.fast
def arr_unmatched(a, i):
    try:
        return a[i]  #@LAZY_INDEX
    except ZeroDivisionError:
        return -1.0


def test_array_index_errors():
    rng = rng_for("arr_sum_skip")
    cases = []
    for n in [1, 5, 100]:
        a = rng.random(n)
        for idt in [np.int64, np.int32, np.int8, np.uint8, np.uint16]:
            lo = 0 if np.dtype(idt).kind == "u" else -2 * n
            hi = min(2 * n, np.iinfo(idt).max)
            cases.append((a, rng.integers(lo, hi, 50).astype(idt)))
    cases.append((np.arange(3.0), np.array([2**40, -(2**40), 2**62, 1])))
    cases.append((np.arange(3.0)[::-1], np.array([0, 3, -3, -4])))
    assert_same_all(arr_sum_skip, cases)
    a = np.zeros((3, 4))
    big = np.broadcast_to(np.float64(1.0), (2**28, 2))
    args = [(a, i, j) for i in [-4, -3, 0, 2, 3, 2**30] for j in [-5, 0, 3, 4, 2**27]]
    args += [(a, np.int32(7), np.uint8(200)), (a, np.int16(-1), np.int64(9))]
    assert_same_all(arr2_msg, args)
    # An axis too long for the tagged word (compared by hand: the differential
    # helper would copy and compare the 2**29 elements).
    for i, j in [(2**28 - 1, 1), (2**28, 0), (-(2**28) - 1, 1), (5, 2)]:
        assert arr2_msg(big, i, j) == arr2_msg.py_func(big, i, j)
    b = np.zeros((2, 3, 4))
    assert_same_all(arr3_store, [(b, i, j, k, 1.5) for i in [0, 2, -3] for j in [1, 3] for k in [-5, 3]])
    assert_same_all(arr_unmatched, [(np.arange(4.0), i) for i in [-5, -4, 3, 4, 10**12]])
    got = []
    for fn in [arr_unmatched.py_func, arr_unmatched]:
        with pytest.raises(IndexError) as info:
            fn(np.arange(4.0), 9)
        got.append([(f.lineno, f.name) for f in traceback.extract_tb(info.tb)][1:])
    assert got[0] == got[1] == [(line_of(__file__, "LAZY_INDEX"), "arr_unmatched")]


# --------------------------------------------------------------------------
# clauses matched by a table when compiling (a tagged word's class against
# classes known when compiling), for every kind of clause
# --------------------------------------------------------------------------


class MyError(Exception):
    pass


class MyLookup(LookupError):
    pass


def _clause_kernel(clause):
    src = f"""
def kernel(a, b, idx):
    s = 0.0
    caught = 0
    for i in range(len(a)):
        try:
            s += float(a[i]) / float(b[i])
            s += a[idx[i]]
        except {clause}:
            caught += 1
    return s, caught
"""
    ns = {"MyError": MyError, "MyLookup": MyLookup}
    path = f"<clause {clause}>"
    import linecache

    linecache.cache[path] = (len(src), None, src.splitlines(True), path)
    exec(compile(src, path, "exec"), ns)
    return pyston.fast(ns["kernel"])


@pytest.mark.parametrize(
    "clause",
    ["Exception", "BaseException", "ArithmeticError", "LookupError", "ZeroDivisionError", "IndexError",
     "(ValueError, IndexError)", "(MyError, ZeroDivisionError)", "MyError", "MyLookup", "(KeyError, MyError)"],
)
def test_clause_classes_matched_without_a_call(clause):
    fn = _clause_kernel(clause)
    rng = rng_for(clause)
    cases = []
    for n in [0, 3, 30]:
        a = rng.normal(size=n)
        b = rng.normal(size=n)
        b[rng.random(n) < 0.3] = 0.0
        idx = rng.integers(-n - 2, n + 2, n) if n else np.zeros(0, np.int64)
        cases.append((a, b, idx))
        cases.append((a, np.ones(n), np.zeros(n, np.int64)))
    assert_same_all(fn, cases)
