"""pyston: exact-by-default JIT compilation of numeric Python.

Put ``@pyston.fast`` on a function full of loops over NumPy arrays and scalar
math; it is compiled to native code (Cranelift) on its first call for each
combination of argument types, and gives the results CPython would give.

Opt-in relaxations (``@pyston.fast(unchecked_int=True, ...)``) trade exactness
for speed, one named flag at a time (see ``docs/optin.md``).  Code written for
Numba runs through ``pyston.njit`` / ``pyston.jit`` (Numba's semantics) or
``import pyston.numba as numba``.
"""

from __future__ import annotations

import os

from ._errors import CompileError, PerformanceWarning
from ._pyston import FLAGS, Dispatcher, __version__, check_flag, parse_flag

# `typing`, `re`, `functools` and `textwrap` are not imported at run time: `import pyston`
# (and so `python -m pyston`) stays cheap; annotations are strings (`from __future__`).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Mapping, TypeVar, Union, overload

    from . import types
    from ._numba_api import NumbaCompatibilityWarning, jit, njit, prange
    from ._ufunc import CFunc, DUFunc, GUFunc, cfunc, guvectorize, vectorize
else:

    def overload(func):  # typing.overload's run-time effect, without importing typing
        return func


__all__ = [
    "fast",
    "jit",
    "njit",
    "prange",
    "vectorize",
    "guvectorize",
    "cfunc",
    "DUFunc",
    "GUFunc",
    "CFunc",
    "types",
    "CompileError",
    "PerformanceWarning",
    "NumbaCompatibilityWarning",
    "Dispatcher",
    "FLAGS",
    "__version__",
]

if TYPE_CHECKING:
    F = TypeVar("F", bound=Callable[..., Any])
    OptIn = Union[str, Iterable[str], Mapping[str, Any]]

# The Numba-compatible API loads on first use, so `import pyston` stays cheap.
_LAZY = {
    "jit": "._numba_api",
    "njit": "._numba_api",
    "prange": "._numba_api",
    "NumbaCompatibilityWarning": "._numba_api",
    "types": ".types",
    "vectorize": "._ufunc",
    "guvectorize": "._ufunc",
    "cfunc": "._ufunc",
    "DUFunc": "._ufunc",
    "GUFunc": "._ufunc",
    "CFunc": "._ufunc",
}


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    m = importlib.import_module(mod, __name__)
    value = m if name == "types" else getattr(m, name)
    globals()[name] = value
    return value


def load_ipython_extension(ip) -> None:
    """``%load_ext pyston``: hot functions of later cells are compiled in place (strict mode).

    Adds ``%%pyston`` (accelerate the functions a cell defines, at once) and
    ``%pyston_report`` (an HTML table of what compiled and why not); see
    ``docs/auto.md``.
    """
    from . import _notebook

    _notebook.load(ip)


def unload_ipython_extension(ip) -> None:
    """``%unload_ext pyston``: stop, and give every accelerated function its own code back."""
    from . import _notebook

    _notebook.unload(ip)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def _jit_disabled() -> bool:
    """``PYSTON_DISABLE_JIT`` set to anything but ``""``/``"0"`` (read at decoration time)."""
    return os.environ.get("PYSTON_DISABLE_JIT", "").strip() not in ("", "0")


@overload
def fast(func: F) -> F: ...
@overload
def fast(  # noqa: F811 - overloads (ruff does not see `overload` as typing's here)
    *,
    frozen_globals: bool = ...,
    unchecked_int: bool = ...,
    boundscheck: bool = ...,
    wraparound: bool = ...,
    error_model: str = ...,
    fastmath: bool = ...,
    nogil: bool = ...,
    parallel: bool = ...,
    fallback: bool = ...,
    optin: OptIn = ...,
) -> Callable[[F], F]: ...


def fast(func=None, *, optin=None, **flags):  # noqa: F811
    """Compile ``func`` with exact CPython semantics (strict mode).

    Used bare (``@pyston.fast``) or with flags (``@pyston.fast(fallback=False)``).
    Every flag left at its default keeps CPython's exact behaviour; each one
    you set trades one guarantee for speed (details: ``docs/optin.md``):

    {flags}

    ``optin`` is another spelling of the same flags, handy in configuration:
    a comma/space separated string or an iterable of items, each a flag name
    (``"unchecked_int"`` means ``unchecked_int=True``, ``"no_fallback"`` means
    ``fallback=False``) or ``name=value`` (``"error_model=numpy"``,
    ``"boundscheck=False"``)::

        @pyston.fast(optin="unchecked_int, frozen_globals, boundscheck=False")

    Unknown names raise ``TypeError`` listing the valid ones.  With the
    environment variable ``PYSTON_DISABLE_JIT=1`` (read when the decorator is
    applied) the function is returned unchanged.

    The compiled object has ``recompile()`` (drop compiled code; frozen globals
    are read again), ``signatures``, ``py_func`` and ``inspect_ir()`` /
    ``inspect_types()`` / ``inspect_asm()``.
    """
    names = [f[0] for f in FLAGS]
    unknown = sorted(set(flags) - set(names))
    if unknown:
        raise TypeError(
            f"fast() got unknown flag(s) {', '.join(map(repr, unknown))}; valid flags: {', '.join(names)}, optin"
        )
    for name, value in flags.items():
        check_flag(name, value)
    if optin is not None:
        for name, value in _parse_optin(optin).items():
            if name in flags and flags[name] != value:
                raise TypeError(f"fast() got flag {name!r} twice with different values ({flags[name]!r} and {value!r})")
            flags[name] = value
    if func is None:
        return lambda f: _make(f, flags)
    return _make(func, flags)


def _flags_doc() -> str:
    """The flag list of ``fast.__doc__``, from the native flag table."""
    lines = []
    for name, _kind, default, choices, doc in FLAGS:
        value = next(c for c in choices if c != default)
        lines.append(f"``{name}={value!r}``".replace("'", '"'))
        lines += _wrap(doc.replace("`", "``") + ".", 74, "    ")
    return "\n    ".join(lines)


def _wrap(text: str, width: int, indent: str) -> list:
    """``text`` in lines of at most ``width`` characters (words kept whole), each
    starting with ``indent`` (what ``textwrap.wrap`` does here, without importing it)."""
    lines: list = []
    line = ""
    for word in text.split():
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return lines


if fast.__doc__:  # None under python -OO
    fast.__doc__ = fast.__doc__.replace("{flags}", _flags_doc())


def _parse_optin(optin: OptIn) -> dict:
    """``"unchecked_int, error_model=numpy"`` -> ``{"unchecked_int": True, "error_model": "numpy"}``.

    Names and values are checked against the native flag table (``FLAGS``):
    an unknown name is a ``TypeError``, a bad value a ``ValueError``.
    """
    import re
    from collections.abc import Mapping

    kinds = {f[0]: f for f in FLAGS}
    if isinstance(optin, Mapping):
        items = [(str(k), v) for k, v in optin.items()]
    else:
        if isinstance(optin, str):
            parts = re.split(r"[,\s]+", re.sub(r"\s*=\s*", "=", optin.strip()))
        else:
            try:
                parts = list(optin)
            except TypeError:
                raise TypeError(
                    f"optin must be a string or an iterable of flag names, not {type(optin).__name__}"
                ) from None
        items = []
        for part in parts:
            if not isinstance(part, str):
                raise TypeError(f"optin items must be strings such as 'unchecked_int' or 'error_model=numpy', not {part!r}")
            part = part.strip()
            if not part:
                continue
            if "=" in part:
                name, _, text = part.partition("=")
                items.append((name.strip(), parse_flag(name.strip(), text.strip().strip("'\""))))
            else:
                items.append((part, None))
    out: dict = {}
    for name, value in items:
        if value is not None:
            value = check_flag(name, value)
        elif name in kinds and kinds[name][1] == "bool":
            value = True
        elif name.startswith("no_") and name[3:] in kinds and kinds[name[3:]][1] == "bool":
            name, value = name[3:], False
        elif name in kinds:
            _, _, default, choices, _ = kinds[name]
            spelled = " or ".join(repr(f"{name}={c}") for c in sorted(choices, key=lambda c: c == default))
            raise TypeError(f"optin item {name!r} needs a value: {spelled}")
        else:
            raise TypeError(
                f"unknown optin flag {name!r}; valid flags: {', '.join(kinds)} (or no_<flag> for a boolean flag)"
            )
        if name in out and out[name] != value:
            raise TypeError(f"optin sets {name!r} twice with different values ({out[name]!r} and {value!r})")
        out[name] = value
    return out


_ARG_DISPATCHERS: dict = {}


def _arg_dispatcher(func):
    """The strict dispatcher compiled code calls for the plain function ``func``
    passed as an argument (``apply(f, a)``), made once per function, or ``None``.

    Asked by the dispatcher (``core/runtime/src/boxing.rs``) while classifying
    arguments. Only module-level functions are wrapped: a lambda or closure made
    anew on each call would compile anew each time (the call then runs on the
    interpreter tier, as before). Calling the dispatcher is calling ``func``
    (strict mode: the same results).
    """
    d = _ARG_DISPATCHERS.get(func)
    if d is None:
        qn = getattr(func, "__qualname__", "")
        if "<locals>" in qn or "<lambda>" in qn or _jit_disabled():
            return None
        d = Dispatcher(func)
        _ARG_DISPATCHERS[func] = d
    return d


def _make(func, flags):
    if not callable(func):
        raise TypeError(f"fast() expects a function, got {type(func).__name__}")
    if _jit_disabled():
        return func
    if isinstance(func, Dispatcher):
        func = func.py_func
    import functools
    import inspect

    if inspect.isgeneratorfunction(func):
        # Calls return a compiled generator (`core/runtime/src/generators.rs`).
        from . import _generators  # noqa: F401  (registers it as a collections.abc.Generator)
        from ._pyston import GeneratorFunction

        g = GeneratorFunction(func, **flags)
        functools.update_wrapper(g, func)
        return g
    d = Dispatcher(func, **flags)
    functools.update_wrapper(d, func)  # __name__, __doc__, __module__, __qualname__, __wrapped__
    return d
