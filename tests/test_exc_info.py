"""`sys.exc_info()` / `sys.exception()` inside an `except` clause (issue #14):
neither compiled handlers nor the interpreter tier set the exception being
handled, so a function that calls them runs as plain Python (one
`PerformanceWarning`) and gives CPython's answer, not `(None, None, None)`."""

import sys
from sys import exc_info

import pyston
import pytest
from helpers import assert_same


@pyston.fast
def handled_type(x):
    try:
        return 1.0 / x
    except ZeroDivisionError:
        t, v, tb = sys.exc_info()
        return t is ZeroDivisionError and isinstance(v, ZeroDivisionError) and tb is not None


@pyston.fast
def aliased(x):
    try:
        return 10 // x
    except ZeroDivisionError:
        return exc_info()[1].args[0]


@pyston.fast
def outside(x):
    try:
        y = 1.0 / x
    except ZeroDivisionError:
        y = 0.0
    return y, exc_info()[0] is None


def test_exc_info_runs_as_python():
    for f in (handled_type, aliased, outside):
        with pytest.warns(pyston.PerformanceWarning, match="exc_info"):
            f(1)
        for x in (0, 2, 0.0, -3):
            assert_same(f, x, allow_fallback=True)
    assert handled_type(0.0) is True
    assert aliased(0) == "integer division or modulo by zero"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="sys.exception() is new in 3.11")
def test_sys_exception_runs_as_python():
    @pyston.fast
    def f(x):
        try:
            return 1.0 / x
        except ZeroDivisionError:
            return type(sys.exception()).__name__

    with pytest.warns(pyston.PerformanceWarning):
        assert f(0.0) == "ZeroDivisionError"
