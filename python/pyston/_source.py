"""Finding, parsing and checking a function's source (called by the native module).

The syntax tree pyston compiles comes from source text, and the text can
disagree with the function that actually runs: a file edited after import,
``exec()`` of a string under a filename whose file holds something else, a
decorator's wrapper whose ``inspect.getsource`` is the wrapped function's.
So a function is compiled only when its source, compiled by CPython with the
function's own filename and ``__future__`` flags, gives back the function's
own code object (bytecode, constants and names; line numbers ignored).
Otherwise, or when there is no source at all, the function runs as CPython
runs it.
"""

from __future__ import annotations
import __future__

import ast
import linecache
import sys
import textwrap
import types
import weakref

# The compiler flags a code object's __future__ imports set.
FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag

# CO_NESTED: set on functions defined inside another, whatever they capture.
_CO_NESTED = 0x10


# Functions pyston made from a syntax tree it holds (loop lifting,
# `pyston._lift`): code object -> (FunctionDef with the file's line numbers, filename).
GENERATED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _NoSource(Exception):
    """Why a function's source cannot be compiled in its place."""


def function_ast(func):
    """Return ``(FunctionDef node, filename, line_offset, col_offset, func)``,
    or a string saying why ``func`` must run as plain Python.

    Line numbers in the node are relative to the snippet; adding
    ``line_offset`` gives lines of the file. ``col_offset`` is the
    indentation removed by dedenting. A lambda comes back as an equivalent
    ``FunctionDef`` named ``<lambda>``.
    """
    try:
        return _function_ast(func)
    except _NoSource as e:
        return str(e)


def _function_ast(func):
    if not isinstance(func, types.FunctionType):
        raise _NoSource(f"it is a {type(func).__name__} object, not a Python function")
    code = func.__code__
    made = GENERATED.get(code)
    if made is not None:
        return made[0], made[1], 0, 0, func
    filename = code.co_filename
    lines = linecache.getlines(filename, func.__globals__)
    first = code.co_firstlineno
    if not lines or not 1 <= first <= len(lines):
        raise _NoSource(
            "its source code is not available (functions made by exec() or typed at an "
            "interactive prompt have none unless it is in linecache)"
        )
    try:
        block = _block(filename, lines, first, code.co_name)
    except Exception as e:  # noqa: BLE001  (the tokenizer's errors vary by version)
        raise _NoSource(f"its source text does not parse ({type(e).__name__})") from None
    raw = "".join(block)
    src = textwrap.dedent(raw)
    col = 0
    for a, b in zip(raw.splitlines(), src.splitlines()):
        if b.strip():
            col = len(a) - len(b)
            break
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError):
        raise _NoSource("its source text does not parse (the file changed after import?)") from None
    flags = code.co_flags & FUTURE_FLAGS
    imports = _module_imports(filename, lines)
    for node in _candidates(tree, code.co_name):
        if _compiles_to(node, code, filename, flags, imports):
            if isinstance(node, ast.Lambda):
                node = _lambda_def(node)
            return node, filename, first - 1, col, func
    raise _NoSource(
        "its source text does not compile to its code (the file was edited after import, or "
        "the function comes from exec() or a decorator)"
    )


def _block(filename, lines, first, name):
    """The lines of the definition that starts at line ``first`` (its first
    decorator or its ``def``): found in the syntax tree of the whole file
    (parsed once per file, also for its imports), else by
    ``inspect.getblock``, which tokenizes (its first use compiles the
    tokenizer's regular expressions: ~10 ms, and importing ``inspect``
    costs as much again)."""
    if name != "<lambda>":
        tree = _file_tree(filename, lines)
        for n in ast.walk(tree) if tree is not None else ():
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name and n.end_lineno:
                if min([n.lineno] + [d.lineno for d in n.decorator_list]) == first:
                    return lines[first - 1 : n.end_lineno]
    import inspect

    return inspect.getblock(lines[first - 1 :])


_TREES: dict = {}


def _file_tree(filename, lines):
    """The syntax tree of a whole file (``None`` if it does not parse), kept while ``linecache`` holds the same lines."""
    hit = _TREES.get(filename)
    if hit is not None and hit[0] is lines:
        return hit[1]
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        tree = None
    _TREES[filename] = (lines, tree)
    return tree


def _candidates(tree, name):
    """The definitions in ``tree`` that may be the function, outermost first."""
    if name == "<lambda>":
        return [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]


_IMPORTS: dict = {}


def _module_imports(filename, lines):
    """The module-level ``import`` statements of the file: CPython compiles
    ``np.f(x)`` differently when ``np`` is a module imported in the same file
    (3.11+), so the check compiles the function after them."""
    hit = _IMPORTS.get(filename)
    if hit is not None and hit[0] is lines:
        return hit[1]
    tree = _file_tree(filename, lines)
    if tree is None:
        found = []
    else:
        found = []
        todo = list(tree.body)
        while todo:
            n = todo.pop(0)
            if isinstance(n, ast.Import) or (isinstance(n, ast.ImportFrom) and n.module != "__future__"):
                found.append(n)
            elif not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    todo.extend(x for x in getattr(n, field, []) if isinstance(x, ast.AST))
    _IMPORTS[filename] = (lines, found)
    return found


def _compiles_to(node, code, filename, flags, imports):
    """Whether ``node``, compiled as CPython would compile it in place (after
    the module's imports), gives ``code``."""
    stmt = ast.Expr(value=node) if isinstance(node, ast.Lambda) else node
    body = [stmt]
    if code.co_freevars:
        # An enclosing function binding the free variables, so they compile as cells.
        binds = [
            ast.Assign(targets=[ast.Name(id=v, ctx=ast.Store())], value=ast.Constant(value=None))
            for v in code.co_freevars
        ]
        outer = ast.FunctionDef(
            name="__pyston_outer__",
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=binds + [stmt],
            decorator_list=[],
            returns=None,
        )
        if sys.version_info >= (3, 12):
            outer.type_params = []
        body = [outer]
    mod = ast.fix_missing_locations(ast.Module(body=list(imports) + body, type_ignores=[]))
    try:
        top = compile(mod, filename, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError, TypeError):
        return False
    return any(_same_code(c, code) for c in _code_objects(top))


def _code_objects(code):
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield c
            yield from _code_objects(c)


def _same_code(a, b):
    """Same bytecode, constants, names and signature (not lines, not qualnames)."""
    if a.co_name != b.co_name or (a.co_flags | _CO_NESTED) != (b.co_flags | _CO_NESTED):
        return False
    for attr in (
        "co_code",
        "co_names",
        "co_varnames",
        "co_freevars",
        "co_cellvars",
        "co_argcount",
        "co_posonlyargcount",
        "co_kwonlyargcount",
    ):
        if getattr(a, attr) != getattr(b, attr):
            return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    return all(_same_const(x, y) for x, y in zip(a.co_consts, b.co_consts))


def _same_const(x, y):
    if isinstance(x, types.CodeType) or isinstance(y, types.CodeType):
        return isinstance(x, types.CodeType) and isinstance(y, types.CodeType) and _same_code(x, y)
    if type(x) is not type(y):
        return False
    if isinstance(x, str) and "<locals>" in x:
        # Qualified names of nested functions (Python < 3.11) name the enclosing function.
        return x.rsplit("<locals>.", 1)[-1] == y.rsplit("<locals>.", 1)[-1]
    if isinstance(x, tuple):
        return len(x) == len(y) and all(_same_const(p, q) for p, q in zip(x, y))
    return repr(x) == repr(y)


def _lambda_def(node):
    """``lambda args: body`` as ``def <lambda>(args): return body``."""
    ret = ast.copy_location(ast.Return(value=node.body), node.body)
    d = ast.FunctionDef(name="<lambda>", args=node.args, body=[ret], decorator_list=[], returns=None)
    if sys.version_info >= (3, 12):
        d.type_params = []
    return ast.copy_location(d, node)
