"""Generate docs/numpy-support.md from the NumPy differential suites.

Every ``tests/test_np_*.py`` module records what it exercises with
``np_common.cover(group, name, *forms, dtypes=, layouts=, test=, known_issue=)``
at import time; this script imports the modules, reads the registry and writes
the table of supported NumPy functions, methods and operators with the argument
forms each one is tested with.  It also lists the NumPy library of compiled
code (the table ``NUMPY`` in ``numeric/src/numpy_lib.rs``, read through
``pyston._pyston.numpy_library()``) and what in it these suites do not cover.

    .venv/bin/python tests/gen_numpy_support.py          # rewrite the doc
    .venv/bin/python tests/gen_numpy_support.py --check  # exit 1 if it is stale

``tests/test_numpy_support_doc.py`` runs the check as part of the suite.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOC = os.path.join(ROOT, "docs", "numpy-support.md")
MODULES = [
    "test_np_creation",
    "test_np_views",
    "test_np_arith",
    "test_np_ufuncs",
    "test_np_reductions",
    "test_np_memory",
    "test_np_library_more",
    "test_np_linalg",
    "test_np_extended_dtypes",
]
DTYPE_ORDER = ["bool", "int32", "int64", "float32", "float64", "complex128"]
DTYPE_SHORT = {
    "bool": "b",
    "int32": "i32",
    "int64": "i64",
    "float32": "f32",
    "float64": "f64",
    "complex128": "c128",
}
LAYOUT_ORDER = ["C", "F", "strided", "reversed", "all_reversed", "transposed", "0-d", "empty", "read-only"]


def registry():
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    for m in MODULES:
        importlib.import_module(m)
    import np_common

    return np_common.GROUPS, np_common.REGISTRY


def _dtypes(ds):
    if not ds:
        return ""
    if set(ds) >= set(DTYPE_ORDER):
        return "all six"
    known = [DTYPE_SHORT[d] for d in DTYPE_ORDER if d in ds]
    return " ".join(known + sorted(d for d in ds if d not in DTYPE_SHORT))


def _layouts(ls):
    return " ".join([x for x in LAYOUT_ORDER if x in ls] + sorted(x for x in ls if x not in LAYOUT_ORDER))


def _cell(s):
    return s.replace("|", "\\|").replace("\n", " ")


def library():
    """The NumPy library of compiled code: one dict per row (name, kind, how,
    signature, result, doc), from ``numeric/src/numpy_lib.rs``."""
    from pyston import _pyston

    return _pyston.numpy_library()


# The functions of the `numpy` module Numba 0.68 compiles in nopython mode
# (those its typing context resolves: a fact about Numba, for the "Numba" column).
NUMBA_FUNCTIONS = set(
    """
    all allclose amax amin angle any append arange argmax argmin argpartition argsort argwhere
    around array array_equal array_split asarray asarray_chkfinite ascontiguousarray asfortranarray
    atleast_1d atleast_2d atleast_3d average bartlett bincount blackman broadcast_arrays
    broadcast_shapes broadcast_to clip column_stack concat concatenate convolve copy corrcoef
    correlate count_nonzero cov cross cumprod cumsum delete diag diagflat diff digitize dot dsplit
    dstack ediff1d empty empty_like expand_dims extract eye fill_diagonal flatnonzero flip fliplr
    flipud frombuffer full full_like geomspace hamming hanning histogram hsplit hstack identity imag
    indices insert interp intersect1d isclose iscomplex iscomplexobj isin isneginf isposinf isreal
    isrealobj isscalar kaiser kron linspace logspace max mean median min moveaxis nan_to_num
    nanargmax nanargmin nancumprod nancumsum nanmax nanmean nanmedian nanmin nanpercentile nanprod
    nanquantile nanstd nansum nanvar nonzero ones ones_like outer partition percentile permute_dims
    prod ptp quantile ravel real repeat reshape resize roll roots rot90 round row_stack searchsorted
    select setdiff1d setxor1d shape sinc size sort split stack std sum swapaxes take take_along_axis
    trace transpose trapezoid tri tril tril_indices tril_indices_from trim_zeros triu triu_indices
    triu_indices_from union1d unique unwrap vander var vdot vsplit vstack where zeros zeros_like
    """.split()
)


KIND_TITLES = [
    ("function", "Functions"),
    ("ufunc", "Ufuncs"),
    ("method", "Array methods"),
    ("attribute", "Array attributes"),
    ("scalar type", "Scalar types"),
    ("constant", "Constants"),
    ("random function", "Random numbers (`numpy.random`, NumPy's own stream)"),
    ("Generator method", "`numpy.random.Generator` methods (`rng = np.random.default_rng(seed)`)"),
    ("linalg function", "Linear algebra (`numpy.linalg`)"),
]

# The `numpy.linalg` functions Numba 0.68 compiles (its documented list).
NUMBA_LINALG = set(
    """
    cholesky cond det eig eigh eigvals eigvalsh inv lstsq matrix_power matrix_rank norm pinv qr slogdet
    solve svd
    """.split()
)


def _qualified(row):
    if row["kind"] in ("method", "attribute"):
        return f"a.{row['name']}"
    if row["kind"] == "ufunc":
        return "np.<ufunc>"
    if row["kind"] == "random function":
        return f"np.random.{row['name']}"
    if row["kind"] == "Generator method":
        return f"rng.{row['name']}"
    if row["kind"] == "linalg function":
        return f"np.linalg.{row['name']}"
    return f"np.{row['name']}"


def _library_section(lib):
    out = [
        "",
        "## The NumPy library of compiled code",
        "",
        "Generated from the table `NUMPY` in `numeric/src/numpy_lib.rs`, which type inference and the",
        "runtime read. *how*: `native` is compiled code's own implementation, `numpy` a call into NumPy",
        "from compiled code. *result*: `probe` means the result type is found at compile time by",
        "calling the operation on sample values of the argument types; otherwise the fixed rule.",
    ]
    for kind, title in KIND_TITLES:
        rows = [r for r in lib if r["kind"] == kind]
        if not rows:
            continue
        numba_col = kind in ("function", "linalg function")
        numba_set = NUMBA_FUNCTIONS if kind == "function" else NUMBA_LINALG
        head = "| name | signature | how | result |" + (" Numba |" if numba_col else "") + " doc |"
        out += ["", f"### {title}", "", head, "|---" * head.count(" |") + "|"]
        for r in rows:
            sig = f"`{_cell(r['signature'])}`" if r["signature"] else ""
            nb = (" yes |" if r["name"] in numba_set else " no |") if numba_col else ""
            out.append(
                f"| `{_cell(_qualified(r))}` | {sig} | {r['how']} | {_cell(r['result'])} |{nb} {_cell(r['doc'])} |"
            )
        if kind == "function":
            extra = sorted(NUMBA_FUNCTIONS - {r["name"] for r in lib if r["kind"] == kind})
            out += ["", "Numba functions not in this table: " + (", ".join(f"`np.{n}`" for n in extra) or "none")
                    + " (`frombuffer` takes a buffer object (`bytes`), which compiled code does not hold; "
                    "`row_stack` is deprecated, a plain Python function in NumPy 2, called as other Python functions are)."]
    return out


def render() -> str:
    groups, reg = registry()
    out = [
        "# NumPy support in compiled code",
        "",
        "<!-- Generated by tests/gen_numpy_support.py from the coverage registry of tests/test_np_*.py;",
        "     do not edit by hand. tests/test_numpy_support_doc.py fails when this file is stale. -->",
        "",
        "Inside `@pyston.fast` code, array-level operations (the NumPy functions below, every",
        "ufunc, array methods, operators with an array operand, slicing, boolean masks and",
        "integer-array indexing, `.real`/`.imag`) are performed by NumPy itself, called from",
        "compiled code; the result type is found at compile time by calling the operation on",
        "small sample arrays, and a result of another type at run time deoptimizes (still exact).",
        "Element access with integer indexes (`a[i]`, `A[i, j]`) and `np.empty/zeros/ones(_like)`",
        "are native.",
        "",
        "Everything listed here is checked differentially (plain CPython + NumPy against the",
        "compiled kernel: same value bit for bit, dtype, shape, type, exception and message, and",
        "the same effects on the arguments) and must run compiled, without falling back to the",
        "interpreter tier, unless NumPy itself raises. Kernels mix the operations with element",
        "loops the way scientific code does. **Known issues** name the cases that failed when",
        "this table was generated; the named tests fail until they are fixed (then drop the note",
        "from the `cover(...)` call and regenerate).",
        "",
        "Dtypes: b = bool, i32/i64 = int32/int64, f32/f64 = float32/float64, c128 = complex128.",
        "The other dtypes (int8 ... uint64, float16, complex64, datetime64/timedelta64 with what is",
        "native, what goes through NumPy and what runs as plain Python, structured dtypes, byte",
        "order and alignment) are described in `docs/semantics.md`.",
        "Layouts (see `tests/helpers.py: variants`): C, F (Fortran), strided (every other element),",
        "reversed (negative strides), all_reversed (every axis reversed), transposed, 0-d, empty",
        "(a zero-length axis), read-only.",
        "",
        "Regenerate: `.venv/bin/python tests/gen_numpy_support.py`.",
    ]
    covered = set()
    for g, title in groups.items():
        entries = sorted((name, e) for (grp, name), e in reg.items() if grp == g)
        if not entries:
            continue
        mods = sorted({m for _, e in entries for m in e["modules"]})
        out += ["", f"## {title}", "", "Tests: " + ", ".join(f"`tests/{m}.py`" for m in mods), ""]
        out += ["| operation | forms tested | dtypes | layouts | tests |", "|---|---|---|---|---|"]
        issues = []
        for name, e in entries:
            forms = "<br>".join(
                f"`{_cell(f)}`" if "(" in f or "[" in f or "=" in f else _cell(f) for f in e["forms"]
            )
            tests = ", ".join(f"`{t}`" for t in sorted(e["tests"])) or "(module)"
            out.append(
                f"| `{_cell(name)}` | {forms} | {_dtypes(e['dtypes'])} | {_layouts(e['layouts'])} | {tests} |"
            )
            issues += [(name, i) for i in e["issues"]]
            for text in [name] + e["forms"]:
                covered |= set(re.findall(r"np\.(\w+)", text))
                covered |= set(re.findall(r"(?:ndarray|\ba|\bA|\bs)\.(\w+)", text))
        if issues:
            out += ["", "Known issues:", ""]
            out += [f"- `{_cell(n)}`: {i}" for n, i in issues]
    lib = library()
    funcs = [r["name"] for r in lib if r["kind"] == "function"]
    methods = [r["name"] for r in lib if r["kind"] == "method"]
    out += ["", "## Callable from compiled code but not covered by these tests", ""]
    out += [
        "The NumPy library below lists these as well (plus every ufunc), but the suites above",
        "do not test them yet:",
        "",
        "- functions: " + (", ".join(f"`np.{f}`" for f in sorted(set(funcs) - covered)) or "none"),
        "- array methods: " + (", ".join(f"`.{m}()`" for m in sorted(set(methods) - covered)) or "none"),
    ]
    out += _library_section(lib)
    return "\n".join(out) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        try:
            with open(DOC) as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            print(f"{os.path.relpath(DOC, ROOT)} is out of date; run: python tests/gen_numpy_support.py")
            return 1
        return 0
    with open(DOC, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(DOC, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
