"""Errors: CompileError for unsupported code under fallback=False, PerformanceWarning and
correct results on the interpreter tier otherwise, and Python exceptions raised from
compiled code with tracebacks that point at the user's file and line.

PYTEST_DONT_REWRITE: kernels here use ``assert``; pytest's assertion rewriting would
change the messages of the plain-Python run but not of pyston's (which compiles the
original source), so this module is left unrewritten.
"""

import math
import os
import re
import traceback
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, line_of, source_line

THIS_FILE = os.path.realpath(__file__)
BASENAME = os.path.basename(__file__)


def _same_file(a, b):
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


# --------------------------------------------------------------------------
# the classes
# --------------------------------------------------------------------------


def test_exception_and_warning_classes():
    assert issubclass(pyston.CompileError, Exception)
    assert issubclass(pyston.PerformanceWarning, Warning)
    err = pyston.CompileError("boom")
    assert hasattr(err, "filename") and hasattr(err, "lineno")


# --------------------------------------------------------------------------
# CompileError with fallback=False
# --------------------------------------------------------------------------


@pyston.fast(fallback=False)
def uses_with(x):
    y = 0
    with np.errstate(all="ignore"):  # @E_WITH
        y = x + 1
    return y


@pyston.fast(fallback=False)
def uses_walrus(x):
    total = 0
    if (y := x + 1) > 0:  # @E_WALRUS
        total += y
    return total


@pyston.fast(fallback=False)
def uses_lambda(x):
    return (lambda y: y + x)(1)  # @E_LAMBDA


@pyston.fast(fallback=False)
def uses_del(x):
    r = 1 / x
    t = u = r
    del (t, u)  # @E_DEL
    return r


def _find_caret_block(msg, src, token):
    """Locate the rendered source line (with or without its trailing comment) and the
    caret line right under it."""
    wanted = {src.strip(), src.split("  #")[0].strip()}
    lines = msg.splitlines()
    for k, line in enumerate(lines[:-1]):
        if line.strip() in wanted and token in line:
            caret = lines[k + 1]
            if re.fullmatch(r"\s*[\^~]*\^[\^~]*\s*", caret):
                return line, caret
    return None, None


@pytest.mark.parametrize(
    "fn, marker, token",
    [
        (uses_with, "E_WITH", "with"),
        (uses_walrus, "E_WALRUS", "y :="),
        (uses_lambda, "E_LAMBDA", "lambda"),
        (uses_del, "E_DEL", "del"),
    ],
    ids=["with", "walrus", "lambda", "del"],
)
def test_compile_error_points_at_the_line(fn, marker, token):
    lineno = line_of(__file__, marker)
    src = source_line(__file__, lineno)
    with pytest.raises(pyston.CompileError) as excinfo:
        fn(2)
    err = excinfo.value
    msg = str(err)
    assert err.lineno == lineno, f"lineno {err.lineno!r}, expected {lineno}\n{msg}"
    assert err.filename is not None and _same_file(err.filename, __file__), err.filename
    assert BASENAME in msg, msg
    assert str(lineno) in msg, msg
    assert "internal" not in msg.lower(), "unsupported syntax reported as an internal error:\n" + msg
    line, caret = _find_caret_block(msg, src, token)
    assert line is not None, "no source line followed by a caret line in:\n" + msg
    start = len(caret) - len(caret.lstrip())
    end = len(caret.rstrip())
    col = line.index(token)
    assert start <= col < end, f"caret {caret!r} does not underline {token!r} in {line!r}"
    # still raises on the next call (the failure is not cached as a success)
    with pytest.raises(pyston.CompileError):
        fn(3)


def test_compile_error_inside_nested_function():
    @pyston.fast(fallback=False)
    def nested(n):
        acc = 0
        squares = {i * 0.5 for i in range(n)}  # @E_DICTCOMP
        for k in range(n):
            acc += k * len(squares)
        return acc

    lineno = line_of(__file__, "E_DICTCOMP")
    with pytest.raises(pyston.CompileError) as excinfo:
        nested(4)
    assert excinfo.value.lineno == lineno
    assert BASENAME in str(excinfo.value)
    assert "{i * 0.5 for i in range(n)}" in str(excinfo.value)


@pyston.fast(fallback=False)
def strict_supported(a, n):
    s = 0.0
    for i in range(n):
        s += a[i] * i
    return s


def test_fallback_false_on_supported_code_compiles_and_runs():
    a = np.linspace(0.0, 1.0, 11)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        assert_same(strict_supported, a, 11)
        e = assert_same(strict_supported, a, 12)
    assert isinstance(e, IndexError)


# --------------------------------------------------------------------------
# fallback to the interpreter tier (default)
# --------------------------------------------------------------------------


def _perf_warnings(record):
    return [w for w in record if issubclass(w.category, pyston.PerformanceWarning)]


def test_untypeable_arguments_run_and_warn_once():
    # bytes: compiled code holds no bytes objects
    @pyston.fast
    def concat(a, b):
        return a + b

    with pytest.warns(pyston.PerformanceWarning):
        r = concat(b"ab", b"cd")
    assert r == b"abcd"
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        assert concat(b"x", b"y") == b"xy"
        assert concat(b"x", b"yz") == b"xyz"
    assert not _perf_warnings(rec), "PerformanceWarning must be emitted only once"
    # same exception as plain Python on the interpreter tier
    e = assert_same(concat, b"ab", 1, allow_fallback=True)
    assert isinstance(e, TypeError)
    # and the numeric specialisation still works
    assert_same(concat, 2, 3.5, allow_fallback=True)


@pytest.mark.parametrize("marker", ["W_WALRUS", "W_WITH", "W_DEL"])
def test_unsupported_syntax_falls_back_with_warning_naming_the_line(marker):
    @pyston.fast
    def with_walrus(n):
        s = 0
        if (m := n * n) > 3:  # @W_WALRUS
            s += m
        return s

    @pyston.fast
    def with_with(n):
        with np.errstate(all="ignore"):  # @W_WITH
            r = n * 2.5
        return r

    @pyston.fast
    def with_del(n):
        r = 10 // (n + 1)
        t = u = r
        del (t, u)  # @W_DEL
        return r

    fn = {"W_WALRUS": with_walrus, "W_WITH": with_with, "W_DEL": with_del}[marker]
    lineno = line_of(__file__, marker)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = fn(5)
    assert r == fn.py_func(5) and type(r) is type(fn.py_func(5))
    perf = _perf_warnings(rec)
    assert len(perf) == 1, "expected exactly one PerformanceWarning, got %r" % [str(w.message) for w in rec]
    w = perf[0]
    text = str(w.message)
    names_line = (BASENAME in text and str(lineno) in text) or (
        _same_file(w.filename, __file__) and w.lineno == lineno
    )
    assert names_line, f"warning does not name {BASENAME}:{lineno}: {text!r} ({w.filename}:{w.lineno})"
    for n in (0, 1, 7):
        assert_same(fn, n, allow_fallback=True)


def test_fallback_gives_same_exceptions_as_python():
    @pyston.fast
    def str_index(s, i):
        return s[i]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        assert_same(str_index, "abc", 1, allow_fallback=True)
        e = assert_same(str_index, "abc", 5, allow_fallback=True)
    assert isinstance(e, IndexError)


# --------------------------------------------------------------------------
# exceptions from compiled code: type, message and traceback lines
# --------------------------------------------------------------------------


@pyston.fast
def tb_index(a, i):
    y = 1.0
    x = a[i] * 2.0  # @T_INDEX
    return x + y


@pyston.fast
def tb_index2d(A, i, j):
    A[i, j] = 1.0  # @T_INDEX2D


@pyston.fast
def tb_zerodiv(a, b):
    t = a + b
    q = a // b  # @T_ZDIV
    return q + t


@pyston.fast
def tb_truediv(a, b):
    return a / b  # @T_TRUEDIV


@pyston.fast
def tb_raise(x):
    if x < 0:
        raise ValueError("x must be non-negative")  # @T_RAISE
    return math.sqrt(x)


@pyston.fast
def tb_assert(x):
    assert x != 3, "three is not allowed"  # @T_ASSERT
    return x * 2


@pyston.fast
def tb_assert_nomsg(x):
    assert x > 0  # @T_ASSERT_NOMSG
    return x


@pyston.fast
def tb_math(x):
    return math.log(x) + 1.0  # @T_MATH


@pyston.fast
def tb_inner(a, i):
    v = a[i]  # @T_INNER
    return v


@pyston.fast
def tb_outer(a, n):
    s = 0.0
    for i in range(n):
        s += tb_inner(a, i)  # @T_OUTER
    return s


@pyston.fast
def tb_fill(a, n):
    for i in range(n):
        a[i] = i * 1.5  # @T_FILL
    return a


def _frames(excinfo):
    return [(f.filename, f.lineno) for f in traceback.extract_tb(excinfo.tb)]


def _assert_frame(excinfo, lineno):
    frames = _frames(excinfo)
    hits = [k for k, (fname, ln) in enumerate(frames) if _same_file(fname, __file__) and ln == lineno]
    assert hits, f"no traceback frame at {BASENAME}:{lineno}; frames: {frames}"
    return hits[-1]


@pytest.mark.parametrize(
    "fn, args, exc, marker",
    [
        (tb_index, (np.zeros(4), 4), IndexError, "T_INDEX"),
        (tb_index, (np.zeros(4), -5), IndexError, "T_INDEX"),
        (tb_index2d, (np.zeros((2, 3)), 1, 3), IndexError, "T_INDEX2D"),
        (tb_zerodiv, (7, 0), ZeroDivisionError, "T_ZDIV"),
        (tb_zerodiv, (7.5, 0.0), ZeroDivisionError, "T_ZDIV"),
        (tb_truediv, (1, 0), ZeroDivisionError, "T_TRUEDIV"),
        (tb_truediv, (1.0, -0.0), ZeroDivisionError, "T_TRUEDIV"),
        (tb_raise, (-1,), ValueError, "T_RAISE"),
        (tb_raise, (-0.5,), ValueError, "T_RAISE"),
        (tb_assert, (3,), AssertionError, "T_ASSERT"),
        (tb_assert_nomsg, (0,), AssertionError, "T_ASSERT_NOMSG"),
        (tb_math, (0.0,), ValueError, "T_MATH"),
        (tb_math, (-1,), ValueError, "T_MATH"),
        (tb_fill, (np.zeros(3), 5), IndexError, "T_FILL"),
    ],
    ids=[
        "index",
        "index-neg",
        "index2d",
        "zerodiv-int",
        "zerodiv-float",
        "truediv-int",
        "truediv-float",
        "raise-int",
        "raise-float",
        "assert",
        "assert-nomsg",
        "math-float",
        "math-int",
        "fill",
    ],
)
def test_exception_type_message_and_traceback(fn, args, exc, marker):
    e = assert_same(fn, *args)  # same type, same message, same side effects
    assert type(e) is exc
    lineno = line_of(__file__, marker)
    with pytest.raises(exc) as excinfo:
        fn(*args)
    _assert_frame(excinfo, lineno)


def test_assert_messages():
    e = assert_same(tb_assert, 3)
    assert str(e) == "three is not allowed"
    e = assert_same(tb_assert_nomsg, -1)
    assert str(e) == ""


def test_traceback_through_nested_fast_calls():
    a = np.arange(3.0)
    e = assert_same(tb_outer, a, 5)
    assert isinstance(e, IndexError)
    with pytest.raises(IndexError) as excinfo:
        tb_outer(a, 5)
    outer_k = _assert_frame(excinfo, line_of(__file__, "T_OUTER"))
    inner_k = _assert_frame(excinfo, line_of(__file__, "T_INNER"))
    assert outer_k < inner_k, f"caller frame must come before callee frame: {_frames(excinfo)}"


def test_side_effects_before_exception_are_kept():
    a = np.zeros(3)
    with pytest.raises(IndexError):
        tb_fill(a, 5)
    assert a.tolist() == [0.0, 1.5, 3.0]


def test_function_still_works_after_exceptions():
    a = np.arange(4.0)
    for _ in range(3):
        assert isinstance(assert_same(tb_index, a, 10), IndexError)
        assert assert_same(tb_index, a, 1) == 3.0
        assert isinstance(assert_same(tb_zerodiv, 1, 0), ZeroDivisionError)
        assert assert_same(tb_zerodiv, 7, 2) == 12
        assert isinstance(assert_same(tb_raise, -2.0), ValueError)
        assert assert_same(tb_raise, 4.0) == 2.0
        assert isinstance(assert_same(tb_assert, 3), AssertionError)
        assert assert_same(tb_assert, 4) == 8


def test_exception_is_a_fresh_python_exception():
    """The raised object is a normal exception: chaining and attributes behave."""
    with pytest.raises(ZeroDivisionError) as excinfo:
        tb_zerodiv(1, 0)
    err = excinfo.value
    assert err.__cause__ is None
    assert err.args == ("integer division or modulo by zero",) or err.args == (str(err),)
    try:
        try:
            tb_raise(-1)
        except ValueError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert isinstance(outer.__cause__, ValueError)
        assert str(outer.__cause__) == "x must be non-negative"


def _rendered_tail(fn, args, exc, n):
    """The last ``n`` rendered traceback entries (file, line, source, caret)."""
    try:
        fn(*args)
    except exc as e:
        return traceback.format_exception(e)[-1 - n : -1], str(e)
    raise AssertionError("no exception")


@pytest.mark.parametrize("repeat", [1, 2, 5])
def test_repeated_raises_render_the_same_traceback_as_python(repeat):
    """A place that raises again and again reuses its traceback entry (raising
    is cheap); every exception must still render CPython's lines and carets,
    and each carries its own traceback."""
    a = np.arange(3.0)
    plain_inner, plain_outer = tb_inner.py_func, tb_outer.py_func
    want = _rendered_tail(plain_outer, (a, 5), IndexError, 2)
    seen = []
    for _ in range(repeat):
        with pytest.raises(IndexError) as excinfo:
            tb_outer(a, 5)
        seen.append(excinfo.value)
        got = traceback.format_exception(excinfo.value)[-3:-1], str(excinfo.value)
        assert got[1] == want[1]
        assert [s.replace(plain_inner.__name__, "?") for s in got[0]] == [
            s.replace(plain_inner.__name__, "?") for s in want[0]
        ]
    assert len({id(e.__traceback__) for e in seen}) == len(seen)


def one_line_div(a): return 1 // a  # noqa: E704 -- the one-line form is the point


def test_error_raised_in_a_one_line_def_points_at_its_line():
    # The traceback entry for a compiled frame is synthesized from the source
    # line; a `def f(x): return ...` in column 0 made that synthesis fail with
    # an IndentationError instead of the user's exception.
    with pytest.raises(ZeroDivisionError) as plain:
        one_line_div(0)
    with pytest.raises(ZeroDivisionError) as compiled:
        pyston.fast(one_line_div)(0)
    assert str(plain.value) == str(compiled.value)
    last = traceback.extract_tb(compiled.value.__traceback__)[-1]
    assert _same_file(last.filename, THIS_FILE)
    assert last.lineno == one_line_div.__code__.co_firstlineno and last.name == "one_line_div"
