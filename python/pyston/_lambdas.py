"""Lambdas compiled code passes to what calls them (``sorted(xs, key=lambda t: t[1])``).

Compiled code does not run the lambda itself: it makes the Python function
CPython would make, from the lambda's own code object (found in the compiled
function's ``__code__``), with a closure of cells holding the values the
lambda reads. The call that receives it runs it before any of those values
can change, so the function behaves exactly as CPython's; its frames in a
traceback are the lambda's own lines.
"""

from __future__ import annotations

import types

# The value of a variable that is unbound where the lambda is made: its cell is left empty.
UNBOUND = object()


def _lambda_codes(code: types.CodeType, line: int, out: list) -> None:
    # Compile order (the source order of expressions), through the code
    # objects of comprehensions (separate functions before CPython 3.12).
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            if c.co_name == "<lambda>":
                if c.co_firstlineno == line:
                    out.append(c)
            elif c.co_name.startswith("<") and c.co_name.endswith(">"):
                _lambda_codes(c, line, out)


def maker(func, line: int, index: int, names: list):
    """A function ``make(*values)`` giving the ``index``-th lambda starting on
    ``line`` of ``func`` as a function whose free variables named in ``names``
    hold ``values`` (others, ``func``'s own closure cells); None if the lambda
    or one of its free variables is not found."""
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    found: list = []
    _lambda_codes(code, line, found)
    if index >= len(found):
        return None
    lam = found[index]
    outer = dict(zip(code.co_freevars, func.__closure__ or ()))
    slots = []
    for n in lam.co_freevars:
        if n in names:
            slots.append(names.index(n))
        elif n in outer:
            slots.append(outer[n])  # a cell the compiled function itself reads from
        else:
            return None
    glob = func.__globals__
    qualname = getattr(lam, "co_qualname", None) or f"{func.__qualname__}.<locals>.<lambda>"
    cell = types.CellType

    def make(*values):
        cells = tuple(
            (cell() if values[s] is UNBOUND else cell(values[s])) if type(s) is int else s for s in slots
        )
        f = types.FunctionType(lam, glob, "<lambda>", None, cells)
        f.__qualname__ = qualname
        return f

    return make
