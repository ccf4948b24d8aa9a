"""Finding and parsing a function's source (called by the native module)."""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap


def function_ast(func):
    """Return ``(FunctionDef node, filename, line_offset, col_offset)``.

    Line numbers in the node are relative to the snippet; adding
    ``line_offset`` gives lines of the file. ``col_offset`` is the
    indentation removed by dedenting.
    """
    func = inspect.unwrap(func)
    try:
        lines, first = inspect.getsourcelines(func)
    except (OSError, TypeError) as e:
        raise OSError(
            f"pyston cannot compile {func.__qualname__}: its source code is not available ({e}); "
            "functions defined with exec() or in the interactive prompt need their source in linecache"
        ) from None
    raw = "".join(lines)
    src = textwrap.dedent(raw)
    col = 0
    for a, b in zip(raw.splitlines(), src.splitlines()):
        if b.strip():
            col = len(a) - len(b)
            break
    filename = inspect.getsourcefile(func) or inspect.getfile(func)
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func.__name__:
            return _alias_range(node, func), filename, first - 1, col
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return _alias_range(node, func), filename, first - 1, col
    raise OSError(f"pyston cannot find the definition of {func.__qualname__} in its source")


class _RangeAliases(ast.NodeTransformer):
    """Rewrites calls of names bound to the builtin ``range`` (``prange``,
    ``numba.prange``, ``pyston.prange``) into calls of ``range``, which the
    front end compiles as a counted loop."""

    def __init__(self, resolve):
        self.resolve = resolve

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if not (isinstance(f, ast.Name) and f.id == "range") and _is_range(self.resolve(f)):
            node.func = ast.copy_location(ast.Name(id="range", ctx=ast.Load()), f)
            ast.fix_missing_locations(node.func)
            node.func.end_lineno, node.func.end_col_offset = f.end_lineno, f.end_col_offset
        return node


def _is_range(obj) -> bool:
    """The builtin ``range`` (``pyston.prange``) or Numba's own ``prange`` class."""
    if obj is range:
        return True
    return isinstance(obj, type) and obj.__name__ == "prange" and obj.__module__.split(".")[0] == "numba"


def _alias_range(node, func):
    """``for i in prange(n)`` compiles like ``for i in range(n)`` when
    ``prange`` (a global, a closure variable, or ``module.prange``) *is* the
    builtin ``range`` at compile time, as ``pyston.prange`` is (or Numba's
    ``numba.prange``, which behaves as ``range`` outside Numba)."""
    g = getattr(func, "__globals__", None)
    if g is None or g.get("range", builtins.range) is not builtins.range:
        return node
    local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    local |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    cells = {}
    code = getattr(func, "__code__", None)
    if code is not None and getattr(func, "__closure__", None):
        for name, cell in zip(code.co_freevars, func.__closure__):
            try:
                cells[name] = cell.cell_contents
            except ValueError:  # empty cell
                pass
    missing = object()

    def resolve(e):
        if isinstance(e, ast.Name):
            if e.id in local:
                return missing
            if e.id in cells:
                return cells[e.id]
            return g.get(e.id, getattr(builtins, e.id, missing))
        if isinstance(e, ast.Attribute):
            base = resolve(e.value)
            if not inspect.ismodule(base):
                return missing
            try:
                return getattr(base, e.attr, missing)
            except Exception:  # noqa: BLE001 - e.g. pyston.numba's NotImplementedError
                return missing
        return missing

    if not any(
        isinstance(n, ast.Call)
        and not (isinstance(n.func, ast.Name) and n.func.id == "range")
        and _is_range(resolve(n.func))
        for n in ast.walk(node)
    ):
        return node
    return _RangeAliases(resolve).visit(node)
