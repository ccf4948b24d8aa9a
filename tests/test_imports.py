"""`import` statements inside compiled functions.

`import numpy as np`, `from math import sqrt`, `import numpy.linalg as la` and
`import a.b` inside a function compile to the module already in
`sys.modules`, guarded on it (and on the builtin `__import__`); the
interpreter tier runs the import itself. Each kernel runs plain and compiled.
"""
# ruff: noqa: I001  (the kernels' import statements are the forms under test)

import builtins
import linecache
import sys
import types
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, native, rng_for


@pyston.fast
def sqrt_sum(a):
    import numpy as np
    from math import sqrt

    s = 0.0
    for x in a:
        s += sqrt(x) + np.float64(0.5)
    return s


@pyston.fast
def dotted(a):
    import math
    import numpy.linalg as la
    import numpy.random

    return la.norm(a) + math.pi + numpy.float64(2.0)


@pyston.fast
def renamed(a, k):
    from math import floor as fl, log as ln
    import numpy as npy

    out = npy.empty(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = fl(a[i] * k) + ln(a[i] + 1.0)
    return out


@pyston.fast
def import_in_loop(a):
    t = 0.0
    for x in a:
        import math

        t += math.exp(-x)
    return t


@pyston.fast
def raises_inside(a, i):
    import numpy as np

    return np.float64(a[i])


def test_imports_compile_and_match():
    rng = rng_for("imports")
    for n in (0, 1, 7, 100):
        a = rng.random(n) * 10
        native(sqrt_sum, a)
        assert_same(sqrt_sum, a)
        assert_same(dotted, a)
        assert_same(renamed, a, 3)
        assert_same(import_in_loop, a)
    a = rng.random(5)
    native(dotted, a)
    native(renamed, a, 2.5)
    for i in (0, 4, 5, -6):
        assert_same(raises_inside, a, i)


def _fresh(src_name):
    """A new compiled twin of a kernel (its own guards)."""
    return pyston.fast(globals()[src_name].py_func)


def test_a_replaced_module_is_seen():
    # sys.modules["math"] replaced after the first compiled call: the guard fails
    # and the next call uses the new module, as CPython's import would.
    f = _fresh("import_in_loop")
    a = np.array([0.0, 1.0, 2.0])
    assert f(a) == f.py_func(a)
    real = sys.modules["math"]
    fake = types.ModuleType("math")
    fake.exp = lambda x: 1.0
    sys.modules["math"] = fake
    try:
        assert f(a) == f.py_func(a) == 3.0
    finally:
        sys.modules["math"] = real
    assert f(a) == f.py_func(a) != 3.0


def test_an_overridden_import_hook_runs():
    # A hook in builtins.__import__ runs at each import statement: compiled code
    # must not skip it (here it hands out a different `math`).
    f = _fresh("sqrt_sum")
    a = np.array([1.0, 4.0])
    assert f(a) == f.py_func(a) == 4.0
    real = builtins.__import__
    fake = types.ModuleType("math")
    fake.sqrt = lambda x: -1.0

    def hook(name, *args, **kw):
        return fake if name == "math" else real(name, *args, **kw)

    builtins.__import__ = hook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pyston.PerformanceWarning)
            assert f(a) == f.py_func(a) == -1.0
    finally:
        builtins.__import__ = real
    assert f(a) == 4.0


def _compiled(src, filename):
    """`src` compiled with its lines in linecache (pyston reads a function's source)."""
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    return compile(src, filename, "exec")


def test_a_module_not_imported_yet_is_imported_by_the_first_call():
    name = "pyston_test_imports_fresh_module"
    src = f"def k(x):\n    import {name}\n    return {name}.VALUE + x\n"
    mod = types.ModuleType(name)
    mod.VALUE = 41
    ns = {}
    exec(_compiled(src, "<imports-test-1>"), ns)
    f = pyston.fast(ns["k"])
    with pytest.raises(ModuleNotFoundError):
        f(1)
    sys.modules[name] = mod
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pyston.PerformanceWarning)
            assert f(1) == 42
    finally:
        del sys.modules[name]


def test_relative_imports_are_not_compiled():
    src = "def k(x):\n    from . import thing\n    return x\n"
    ns = {"__name__": "pkg.mod", "__package__": "pkg"}
    exec(_compiled(src, "<imports-test-2>"), ns)
    f = pyston.fast(fallback=False)(ns["k"])
    with pytest.raises(pyston.CompileError, match="relative imports"):
        f(1)
