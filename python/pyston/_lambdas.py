"""Lambdas and nested functions compiled code makes into Python functions.

``sorted(xs, key=lambda t: t[1])``, ``return lambda x: x * k``, ``def f(x):
...; return f``: compiled code does not run the function itself. It makes the
Python function CPython would make, from the function's own code object
(found in the compiled function's ``__code__``), with a closure of cells
holding the values the function reads. Compiled code makes it only where
none of those values can change afterwards (the key function runs before
anything changes them; an escaping function's variables are bound for the
last time before it is made, see ``lower/closures.rs``), so the function
behaves exactly as CPython's; its frames in a traceback are its own lines.
"""

from __future__ import annotations

import types

# The value of a variable that is unbound where the lambda is made: its cell is left empty.
UNBOUND = object()


def _lambda_codes(code: types.CodeType, name: str, line: int, out: list, path: tuple = ()) -> None:
    # Compile order (the source order of expressions), through the code
    # objects of comprehensions (separate functions before CPython 3.12);
    # `out` gets (code, names of the comprehensions around it).
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            if c.co_name == name:
                if c.co_firstlineno == line:
                    out.append((c, path))
            elif name == "<lambda>" and c.co_name.startswith("<") and c.co_name.endswith(">"):
                _lambda_codes(c, name, line, out, path + (c.co_name,))


# A slot of a nested function's closure that holds the function itself (its
# recursive calls read its name, bound to it right after it is made).
_SELF = object()


def maker(func, line: int, index: int, names: list, name: str = "<lambda>"):
    """A function ``make(*values)`` giving the ``index``-th lambda (or nested
    function ``name``) starting on ``line`` of ``func`` as a function whose
    free variables named in ``names`` hold ``values`` (``&x`` in ``names``:
    that value is ``x``'s cell itself, shared; a nested function's own name,
    itself; others, ``func``'s own closure cells); None if the
    function or one of its free variables is not found."""
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    found: list = []
    _lambda_codes(code, name, line, found)
    if index >= len(found):
        return None
    lam, comps = found[index]
    outer = dict(zip(code.co_freevars, func.__closure__ or ()))
    slots: list = []
    for n in lam.co_freevars:
        if n in names:
            slots.append(names.index(n))
        elif "&" + n in names:
            slots.append((names.index("&" + n),))  # the argument is the variable's cell
        elif n == name and name != "<lambda>":
            slots.append(_SELF)
        elif n in outer:
            slots.append(outer[n])  # a cell the compiled function itself reads from
        else:
            return None
    # (CPython 3.11+ names the function from its code object's co_qualname;
    # before, a comprehension's scope is in the name without "<locals>":
    # f.<locals>.<listcomp>.<lambda>)
    scope = ".".join((f"{func.__qualname__}.<locals>",) + comps)
    qualname = None if hasattr(lam, "co_qualname") else f"{scope}.{name}"
    from pyston._pyston import FunctionMaker

    return FunctionMaker(lam, func.__globals__, qualname, slots, UNBOUND, _SELF)
