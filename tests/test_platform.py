"""What keeps pyston working on CPython versions it was not built or tested on.

The extension is one abi3 wheel (CPython >= 3.9), and the front end reads
`ast` objects by their class names (core/runtime/src/frontend.rs), not bytecode.
A node class it does not know (a new statement or expression in a later
CPython) makes that function run as plain Python with a PerformanceWarning;
what would break a newer CPython is a name the front end relies on that
CPython removed. `make test-matrix` runs this file on every CPython 3.9-3.13.
"""

from __future__ import annotations

import ast
import pathlib
import re
import sys

import pytest

FRONTEND = pathlib.Path(__file__).parent.parent / "core" / "runtime" / "src" / "frontend.rs"
# names in frontend.rs that are not AST classes on every supported version
NOT_EVERYWHERE = {
    "NoneType": "a Python type, not an AST node",
    "Index": "Python 3.8's subscript wrapper, deprecated since 3.9 (matched, never needed)",
    "Match": "3.10+",
    "TryStar": "3.11+",
}
# deprecated aliases that CPython 3.14 removed: the front end must not rely on them
REMOVED_IN_314 = {"Num", "Str", "Bytes", "NameConstant", "Ellipsis"}


def _frontend_names():
    if not FRONTEND.exists():
        pytest.skip("needs the source checkout (core/runtime/src/frontend.rs)")
    return set(re.findall(r'"([A-Z][A-Za-z]+)"', FRONTEND.read_text()))


def test_frontend_reads_only_current_ast_classes():
    names = _frontend_names()
    assert not names & REMOVED_IN_314, names & REMOVED_IN_314
    missing = sorted(
        n
        for n in names - set(NOT_EVERYWHERE)
        if not (isinstance(getattr(ast, n, None), type) and issubclass(getattr(ast, n), ast.AST))
    )
    assert not missing, f"frontend.rs dispatches on names that are not ast classes on {sys.version}: {missing}"


def test_unknown_syntax_runs_as_plain_python():
    """A construct the front end does not compile (here a class statement in the
    body, standing in for syntax from a newer CPython) gives CPython's result."""
    import warnings

    import pyston

    def f(n):
        class Box:
            v = n

        return Box.v + 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert pyston.fast(f)(41) == 42
