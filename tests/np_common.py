"""Shared pieces of the NumPy differential suites (tests/test_np_*.py).

``check(fn, *args)`` is ``helpers.assert_same`` on a dispatcher for
``fn.py_func`` that has never fallen back: pyston warns about a fall-back to
the interpreter tier only once per dispatcher (even across ``recompile()``),
so reusing ``fn`` itself would let a case pass silently on the interpreter
tier because an earlier case (or another test) already used up the warning.
The dispatcher is kept between cases (saving the parse and the compilations
of type keys already seen) until a case fails or is allowed to fall back.
When the plain function raises, falling back is allowed (error paths need
not be fast), but the exception type and message must still match.

``cover(...)`` records which NumPy function / method / operator a test module
exercises, with which arguments, dtypes and layouts.  ``tests/gen_numpy_support.py``
turns that registry into ``docs/numpy-support.md``.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pyston
from helpers import assert_same, clone, variants

# the six dtypes compiled code knows
DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64, np.complex128]
DTYPE_IDS = [np.dtype(d).name for d in DTYPES]
NUMERIC = [np.int32, np.int64, np.float32, np.float64, np.complex128]
REAL = [np.bool_, np.int32, np.int64, np.float32, np.float64]
FLOATS = [np.float32, np.float64]
INTS = [np.int32, np.int64]

# layouts (names from helpers.variants) used by the NumPy suites
L1 = ["C", "strided", "reversed"]
L2 = ["C", "F", "strided", "all_reversed", "transposed"]


def layout(base, name):
    """``base`` re-laid out as the named variant (see helpers.variants)."""
    return dict(variants(base))[name]


def _raises(fn, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn.py_func(*clone(args), **clone(kwargs))
        except Exception:  # noqa: BLE001
            return True
    return False


_CLEAN: dict = {}  # py_func -> a dispatcher that has not warned yet


def check(fn, *args, **kwargs):
    """assert_same on a dispatcher that has not fallen back yet; fall-back allowed only if plain Python raises."""
    d = _CLEAN.pop(fn.py_func, None) or pyston.fast(fn.py_func)
    allow = _raises(d, args, kwargs)
    r = assert_same(d, *args, allow_fallback=allow, kwargs=kwargs or None)
    if not allow:
        _CLEAN[fn.py_func] = d  # it passed without a PerformanceWarning: still clean
    return r


def check_all(fn, cases):
    """``check`` every argument tuple; report all failures together."""
    failures = []
    for args in cases:
        if not isinstance(args, tuple):
            args = (args,)
        try:
            check(fn, *args)
        except AssertionError as e:
            failures.append(str(e))
    assert cases, "no cases"
    if failures:
        shown = "\n".join(failures[:10])
        raise AssertionError(f"{len(failures)} of {len(cases)} cases differ:\n{shown}")


# --------------------------------------------------------------------------
# coverage registry (read by tests/gen_numpy_support.py)
# --------------------------------------------------------------------------

GROUPS = {
    "creation": "Array creation",
    "views": "Attributes, views, indexing and reshaping",
    "arith": "Whole-array arithmetic (operators)",
    "ufuncs": "Ufuncs",
    "reductions": "Reductions, sorting, searching, combining",
    "memory": "Memory",
}

REGISTRY: dict[tuple[str, str], dict] = {}


def _dtype_names(dtypes):
    return {np.dtype(d).name if not isinstance(d, str) else d for d in dtypes}


def cover(group, name, *forms, dtypes=(), layouts=(), test=None, known_issue=None):
    """Record that ``name`` (e.g. ``np.sum``, ``ndarray.reshape``, ``a + b``) is tested.

    ``forms`` are the call forms covered (``"np.sum(a, axis=, keepdims=)"``),
    ``dtypes`` the element types and ``layouts`` the memory layouts of the
    array arguments, ``test`` the test function(s), ``known_issue`` a short
    note when a case of it currently fails (see the report in the docs).
    """
    assert group in GROUPS, group
    module = sys._getframe(1).f_globals.get("__name__", "?").rsplit(".", 1)[-1]
    e = REGISTRY.setdefault(
        (group, name),
        {"forms": [], "dtypes": set(), "layouts": set(), "tests": set(), "issues": [], "modules": set()},
    )
    e["modules"].add(module)
    for f in forms:
        if f not in e["forms"]:
            e["forms"].append(f)
    e["dtypes"] |= _dtype_names(dtypes)
    e["layouts"] |= set(layouts)
    if test:
        e["tests"] |= {test} if isinstance(test, str) else set(test)
    if known_issue and known_issue not in e["issues"]:
        e["issues"].append(known_issue)


# The dtypes the sweeps here cover: the six, and the other integer dtypes
# (tests/test_int_dtypes.py). Results of float16 and complex64 (also compiled:
# tests/test_float_dtypes.py) are tested apart (test_results_outside_supported_dtypes).
SIX = {np.dtype(d) for d in DTYPES} | {np.dtype(d) for d in ("int8", "int16", "uint8", "uint16", "uint32", "uint64")}


def _dtypes_in(x):
    if isinstance(x, (np.ndarray, np.generic)):
        yield x.dtype
    elif isinstance(x, (tuple, list)):
        for v in x:
            yield from _dtypes_in(v)


def outside_six(fn, args):
    """Whether plain ``fn(*args)`` returns an array/scalar of a dtype other than the six
    (``bool // bool`` is int8, ``float32 + 1j`` complex64): a documented gap of pyston,
    tested separately so that it does not hide other failures."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = fn.py_func(*clone(args))
        except Exception:  # noqa: BLE001
            return False
    return any(d not in SIX for d in _dtypes_in(r))


def split_six(fn, cases):
    """(cases whose results stay within the six dtypes, the others)."""
    inside, outside = [], []
    for c in cases:
        (outside if outside_six(fn, c) else inside).append(c)
    return inside, outside
