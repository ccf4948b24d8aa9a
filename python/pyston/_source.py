"""Finding and parsing a function's source (called by the native module)."""

from __future__ import annotations

import ast
import inspect
import textwrap


def function_ast(func):
    """Return ``(FunctionDef node, filename, line_offset, col_offset, function)``.

    Line numbers in the node are relative to the snippet; adding
    ``line_offset`` gives lines of the file. ``col_offset`` is the
    indentation removed by dedenting. ``function`` is ``func`` unwrapped
    (``functools.wraps`` chains): its globals and closure resolve names
    such as ``prange``.
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
            return node, filename, first - 1, col, func
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node, filename, first - 1, col, func
    raise OSError(f"pyston cannot find the definition of {func.__qualname__} in its source")

