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

import functools
import os
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar, Union, overload

from ._errors import CompileError, PerformanceWarning
from ._pyston import Dispatcher, __version__

if TYPE_CHECKING:
    from . import types
    from ._numba_api import NumbaCompatibilityWarning, jit, njit, prange

__all__ = [
    "fast",
    "jit",
    "njit",
    "prange",
    "types",
    "CompileError",
    "PerformanceWarning",
    "NumbaCompatibilityWarning",
    "Dispatcher",
    "__version__",
]

F = TypeVar("F", bound=Callable[..., Any])

_FLAGS = ("frozen_globals", "unchecked_int", "boundscheck", "wraparound", "error_model", "fastmath", "fallback")
_BOOL_FLAGS = ("frozen_globals", "unchecked_int", "boundscheck", "wraparound", "fastmath", "fallback")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")

OptIn = Union[str, Iterable[str], Mapping[str, Any]]

# The Numba-compatible API loads on first use, so `import pyston` stays cheap.
_LAZY = {
    "jit": "._numba_api",
    "njit": "._numba_api",
    "prange": "._numba_api",
    "NumbaCompatibilityWarning": "._numba_api",
    "types": ".types",
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


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def _jit_disabled() -> bool:
    """``PYSTON_DISABLE_JIT`` set to anything but ``""``/``"0"`` (read at decoration time)."""
    return os.environ.get("PYSTON_DISABLE_JIT", "").strip() not in ("", "0")


@overload
def fast(func: F) -> F: ...
@overload
def fast(
    *,
    frozen_globals: bool = ...,
    unchecked_int: bool = ...,
    boundscheck: bool = ...,
    wraparound: bool = ...,
    error_model: str = ...,
    fastmath: bool = ...,
    fallback: bool = ...,
    optin: OptIn = ...,
) -> Callable[[F], F]: ...


def fast(func=None, *, optin=None, **flags):
    """Compile ``func`` with exact CPython semantics (strict mode).

    Used bare (``@pyston.fast``) or with flags (``@pyston.fast(fallback=False)``).
    Every flag left at its default keeps CPython's exact behaviour; each one
    you set trades one guarantee for speed (details: ``docs/optin.md``):

    ``frozen_globals=True``
        module globals and closure cells are read once, at compile time; a
        rebinding is not seen until ``f.recompile()``.
    ``unchecked_int=True``
        ``int`` (and NumPy int) ``+ - *``, negation and ``abs`` wrap at 64 bits
        instead of growing into big ints (NumPy ints: without the overflow
        warning).
    ``boundscheck=False``
        array indexes are not checked: an out-of-range index is **undefined
        behaviour** (garbage or a crash), never an ``IndexError``.
    ``wraparound=False``
        negative indexes are assumed not to happen (undefined behaviour if
        they do).
    ``error_model="numpy"``
        ``x / 0.0`` gives inf/nan, ``int // 0`` and ``int % 0`` give 0,
        ``float // 0`` inf and ``float % 0`` nan, instead of ``ZeroDivisionError``.
    ``fastmath=True``
        accepted; changes nothing yet (reductions stay in source order).
    ``fallback=False``
        code the compiler cannot type raises :class:`CompileError` instead of
        running (exactly, slowly) on the interpreter tier.

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
    unknown = sorted(set(flags) - set(_FLAGS))
    if unknown:
        raise TypeError(
            f"fast() got unknown flag(s) {', '.join(map(repr, unknown))}; valid flags: {', '.join(_FLAGS)}, optin"
        )
    if optin is not None:
        for name, value in _parse_optin(optin).items():
            if name in flags and flags[name] != value:
                raise TypeError(f"fast() got flag {name!r} twice with different values ({flags[name]!r} and {value!r})")
            flags[name] = value
    if func is None:
        return lambda f: _make(f, flags)
    return _make(func, flags)


def _parse_optin(optin: OptIn) -> dict:
    """``"unchecked_int, error_model=numpy"`` -> ``{"unchecked_int": True, "error_model": "numpy"}``."""
    valid = ", ".join(_FLAGS)
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
                items.append((name.strip(), _parse_value(name.strip(), text.strip().strip("'\""))))
            else:
                items.append((part, None))
    out: dict = {}
    for name, value in items:
        if value is None:
            if name in _BOOL_FLAGS:
                value = True
            elif name.startswith("no_") and name[3:] in _BOOL_FLAGS:
                name, value = name[3:], False
            elif name == "error_model":
                raise TypeError("optin item 'error_model' needs a value: 'error_model=numpy' or 'error_model=python'")
            else:
                raise TypeError(f"unknown optin flag {name!r}; valid flags: {valid} (or no_<flag> for a boolean flag)")
        elif name not in _FLAGS:
            raise TypeError(f"unknown optin flag {name!r}; valid flags: {valid}")
        if name in out and out[name] != value:
            raise TypeError(f"optin sets {name!r} twice with different values ({out[name]!r} and {value!r})")
        out[name] = value
    return out


def _parse_value(name: str, text: str):
    if name in _BOOL_FLAGS:
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"optin flag {name!r} takes True or False, not {text!r}")
    if name == "error_model":
        if text not in ("python", "numpy"):
            raise ValueError(f"error_model must be 'python' or 'numpy', not {text!r}")
        return text
    raise TypeError(f"unknown optin flag {name!r}; valid flags: {', '.join(_FLAGS)}")


def _make(func, flags):
    if not callable(func):
        raise TypeError(f"fast() expects a function, got {type(func).__name__}")
    if _jit_disabled():
        return func
    if isinstance(func, Dispatcher):
        func = func.py_func
    d = Dispatcher(func, **flags)
    functools.update_wrapper(d, func)  # __name__, __doc__, __module__, __qualname__, __wrapped__
    return d
