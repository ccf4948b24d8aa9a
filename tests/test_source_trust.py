"""Source that cannot be trusted is never compiled, and nothing raises for it.

pyston compiles a function from its source text only if that text, compiled
by CPython, gives the function's own code object. Every case here runs the
same callable plain and through ``pyston.fast`` and compares results (and
exceptions); the cases where the source is missing or lies run as plain
Python with one ``PerformanceWarning``.
"""

from __future__ import annotations

import functools
import importlib
import linecache
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pyston
import pytest


def perf_warnings(fn, *args):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = fn(*args)
    return r, [w for w in rec if issubclass(w.category, pyston.PerformanceWarning)]


def compiled(d):
    return bool(d.signatures) and "plain Python" not in d.inspect_types()


def test_lambda_compiles_and_matches():
    f = lambda x: x * 2 + 1  # noqa: E731
    g = pyston.fast(f)
    r, perf = perf_warnings(g, 20)
    assert r == f(20) == 41 and not perf
    assert compiled(g)
    big = 2**62
    assert g(big) == f(big)  # past 64 bits: still exact


def test_two_lambdas_on_one_line_each_compiles_as_itself():
    fs = [lambda x: x + 1, lambda x: x * 3]  # noqa: E731
    for f in fs:
        g = pyston.fast(f)
        r, perf = perf_warnings(g, 5)
        assert r == f(5) and not perf
        assert compiled(g)


def test_exec_without_source_runs_as_python():
    ns = {}
    exec("def f(x):\n    return x * 3 + 1\n", ns)
    g = pyston.fast(ns["f"])
    r, perf = perf_warnings(g, 4)
    assert r == 13 and len(perf) == 1
    assert "source code is not available" in str(perf[0].message)
    assert perf_warnings(g, 5)[1] == []  # warned once


def test_stdin_like_filename_runs_as_python():
    ns = {}
    exec(compile("def f(a):\n    return a + 1\n", "<stdin>", "exec"), ns)
    assert pyston.fast(ns["f"])(1) == 2


def test_exec_under_a_filename_holding_other_text(tmp_path):
    path = tmp_path / "other.py"
    path.write_text("def f(x):\n    return x + 1000\n")
    ns = {}
    exec(compile("def f(x):\n    return x + 1\n", str(path), "exec"), ns)
    r, perf = perf_warnings(pyston.fast(ns["f"]), 1)
    assert r == ns["f"](1) == 2
    assert perf and "does not compile to its code" in str(perf[0].message)


def test_file_edited_after_import(tmp_path, monkeypatch):
    path = tmp_path / "edited_mod.py"
    path.write_text("def f(x):\n    return x + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("edited_mod")
    path.write_text("def f(x):\n    return x + 2000\n")
    linecache.checkcache(str(path))
    r, perf = perf_warnings(pyston.fast(mod.f), 1)
    assert r == mod.f(1) == 2 and perf


def test_file_deleted_after_import(tmp_path, monkeypatch):
    path = tmp_path / "deleted_mod.py"
    path.write_text("def f(x):\n    return x * 5\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("deleted_mod")
    os.remove(path)
    linecache.checkcache(str(path))
    assert pyston.fast(mod.f)(3) == mod.f(3) == 15


def _decorate(f):
    @functools.wraps(f)
    def wrapper(x):
        return f(x) + 1

    return wrapper


@_decorate
def _plus_fifteen(x):
    return x + 14


def test_wraps_decorator_runs_the_wrapper_not_the_wrapped():
    g = pyston.fast(_plus_fifteen)
    assert g(1) == _plus_fifteen(1) == 16


def _times(n):
    def deco(f):
        @functools.wraps(f)
        def wrapper(x):
            return f(x) * n

        return wrapper

    return deco


@_times(101)
def _three(x):
    return x + 2


def test_closure_wrapper_compiles_as_itself():
    g = pyston.fast(_three)
    assert g(1) == _three(1) == 303


@pytest.mark.parametrize(
    "make",
    [
        lambda: functools.lru_cache(maxsize=None)(lambda x: x + 1),
        lambda: functools.partial(lambda x, y: x * y, 7),
        lambda: abs,
        lambda: np.sqrt,
        lambda: (lambda k: k * 2).__call__,
    ],
    ids=["lru_cache", "partial", "builtin", "ufunc", "method-wrapper"],
)
def test_callables_that_are_not_functions_run_as_python(make):
    c = make()
    g = pyston.fast(c)
    r, perf = perf_warnings(g, 3.0)
    assert r == c(3.0) and type(r) is type(c(3.0))
    assert len(perf) == 1 and "not a Python function" in str(perf[0].message)


def test_staticmethod_object():
    class K:
        @staticmethod
        def twice(x):
            return 2 * x

    assert pyston.fast(K.twice)(4) == 8  # the function itself: compiled
    if sys.version_info >= (3, 10):  # staticmethod objects are callable from 3.10
        sm = K.__dict__["twice"]
        assert pyston.fast(sm)(4) == 8


def test_fallback_false_raises_compile_error_not_oserror():
    ns = {}
    exec("def f(x):\n    return x\n", ns)
    with pytest.raises(pyston.CompileError, match="source code is not available"):
        pyston.fast(ns["f"], fallback=False)(1)


def test_methods_nested_functions_and_closures_compile():
    class A:
        def m(self, x):
            return x + 1

    k = 10

    def closure(x):
        return x * k

    def nested_no_capture(x):
        return x - 1

    for fn, arg, want in [(A.m, (A(), 1), 2), (closure, (3,), 30), (nested_no_capture, (3,), 2)]:
        g = pyston.fast(fn)
        if fn is A.m:
            assert g(*arg) == want  # `self` is an object: runs as plain Python
            continue
        r, perf = perf_warnings(g, *arg)
        assert r == want and not perf
        assert compiled(g)


def test_future_annotations_module_compiles():
    # This file has `from __future__ import annotations`: the check compiles with the same flags.
    def f(x: int) -> int:
        return x + 1

    g = pyston.fast(f)
    r, perf = perf_warnings(g, 1)
    assert r == 2 and not perf and compiled(g)


def test_piped_script_runs(tmp_path):
    script = textwrap.dedent(
        """
        import pyston

        @pyston.fast
        def f(x):
            return x * x + 1

        print(f(7))
        """
    )
    r = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "50"
    assert "Traceback" not in r.stderr


def test_module_attribute_calls_compile():
    # np.f(...) compiles differently when np is imported in the same file (CPython 3.11+).
    def f(a):
        return np.sqrt(a[0]) + np.float64(1.0)

    g = pyston.fast(f)
    a = np.array([4.0])
    r, perf = perf_warnings(g, a)
    assert r == f(a) and not perf and compiled(g)
