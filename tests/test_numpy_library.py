"""The NumPy library of compiled code (``numeric/src/numpy_lib.rs``, read through
``pyston._pyston.numpy_library()``): every row names something the installed
NumPy has, and docs/numpy-support.md lists every row."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_numpy_support  # noqa: E402
from pyston import _pyston  # noqa: E402

LIB = _pyston.numpy_library()
KINDS = {
    "function",
    "method",
    "attribute",
    "ufunc",
    "scalar type",
    "constant",
    "random function",
    "Generator method",
    "linalg function",
}
# Rows for functions newer than the oldest NumPy pyston supports (the runtime
# skips a function the installed NumPy lacks).
NEW_IN = {
    "cumulative_sum": (2, 1),
    "concat": (2, 0),
    "permute_dims": (2, 0),
    "trapezoid": (2, 0),
    "svdvals": (2, 0),
    "vector_norm": (2, 0),
    "matrix_norm": (2, 0),
}


def _numpy_version():
    return tuple(int(p) for p in np.__version__.split(".")[:2])


def test_rows_are_well_formed():
    assert len(LIB) > 100
    for r in LIB:
        assert set(r) == {"name", "kind", "how", "signature", "result", "doc"}, r
        assert r["kind"] in KINDS, r
        assert r["how"] in ("native", "numpy"), r
        assert r["doc"], r
        if r["how"] == "numpy" and r["kind"] not in ("random function", "Generator method"):
            assert r["result"] == "probe", r  # random draws are typed by rule: a probe would draw
    names = [(r["kind"], r["name"]) for r in LIB]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("row", LIB, ids=[f"{r['kind']}:{r['name']}" for r in LIB])
def test_row_exists_in_numpy(row):
    if _numpy_version() < NEW_IN.get(row["name"], (0, 0)):
        pytest.skip(f"np.{row['name']} is newer than NumPy {np.__version__}")
    owner = {
        "method": np.ndarray,
        "attribute": np.ndarray,
        "random function": np.random,
        "Generator method": np.random.Generator,
        "linalg function": np.linalg,
    }.get(row["kind"], np)
    assert hasattr(owner, row["name"]), row
    if row["kind"] == "method":
        assert callable(getattr(owner, row["name"])), row
    if row["kind"] == "ufunc":
        assert isinstance(np.sin, getattr(np, row["name"]))


def test_doc_lists_every_row():
    with open(gen_numpy_support.DOC) as f:
        doc = f.read()
    section = doc[doc.index("## The NumPy library of compiled code") :]
    for r in LIB:
        assert f"| `{gen_numpy_support._qualified(r)}` |" in section, r


def test_library_agrees_with_compiled_code():
    """Array methods in the library compile (typed by probing); a method outside it does not."""
    import pyston

    @pyston.fast
    def f(a):
        return a.conj(), a.real, a.shape

    a = np.arange(3.0)
    c, re_, shape = f(a)
    assert np.array_equal(c, a) and np.array_equal(re_, a) and shape == (3,)

    @pyston.fast
    def g(a):
        return a.tolist()

    with pytest.warns(pyston.PerformanceWarning, match="the array method 'tolist' is not supported"):
        assert g(a) == [0.0, 1.0, 2.0]
