"""pyston: exact-by-default JIT compilation of numeric Python.

Put ``@pyston.fast`` on a function full of loops over NumPy arrays and scalar
math; it is compiled to native code (Cranelift) on its first call for each
combination of argument types, and gives the results CPython would give.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar, overload

from ._errors import CompileError, PerformanceWarning
from ._pyston import Dispatcher, __version__

__all__ = ["fast", "CompileError", "PerformanceWarning", "Dispatcher", "__version__"]

F = TypeVar("F", bound=Callable[..., Any])

_FLAGS = ("frozen_globals", "unchecked_int", "boundscheck", "wraparound", "error_model", "fastmath", "fallback")


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
) -> Callable[[F], F]: ...


def fast(func=None, **flags):
    """Compile ``func`` with exact CPython semantics (strict mode).

    Used bare (``@pyston.fast``) or with flags (``@pyston.fast(fallback=False)``).
    ``fallback=False`` raises :class:`CompileError` instead of running code the
    compiler cannot type on the (slow, exact) interpreter tier.
    """
    unknown = sorted(set(flags) - set(_FLAGS))
    if unknown:
        raise TypeError(f"fast() got unknown flag(s) {', '.join(map(repr, unknown))}; valid flags: {', '.join(_FLAGS)}")
    if func is None:
        return lambda f: _make(f, flags)
    return _make(func, flags)


def _make(func, flags):
    if not callable(func):
        raise TypeError(f"fast() expects a function, got {type(func).__name__}")
    d = Dispatcher(func, **flags)
    functools.update_wrapper(d, func)  # __name__, __doc__, __module__, __qualname__, __wrapped__
    return d
