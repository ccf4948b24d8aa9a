"""``pyston.jit`` / ``pyston.njit``: Numba's decorators on pyston's compiler.

A function decorated with ``njit`` gets Numba's semantics, not strict
pyston's (see the jit/njit column of ``docs/optin.md``): ints wrap at 64 bits,
globals are frozen at compile time, array indexes are unchecked unless
``boundscheck=True``, NumPy scalar results come back as Python scalars, and
code pyston cannot compile raises :class:`pyston.CompileError` instead of
running on the interpreter tier (Numba's nopython mode).
"""

from __future__ import annotations

import functools
import types as _pytypes
import warnings
from typing import Any, Callable, Optional

from . import _jit_disabled
from . import types as _types
from ._pyston import Dispatcher

__all__ = ["jit", "njit", "prange", "NumbaCompatibilityWarning"]

#: ``numba.prange``: pyston runs it as ``range`` (``parallel=True`` is accepted
#: but loops run on one thread).
prange = range

#: The most argument-type combinations one explicit signature is compiled for
#: (an ``int64`` parameter matches both ``int`` and ``np.int64``, so a
#: signature with k such parameters has 2**k combinations).
MAX_COMBINATIONS = 64

_OPTIONS = (
    "nopython",
    "forceobj",
    "looplift",
    "cache",
    "fastmath",
    "parallel",
    "nogil",
    "boundscheck",
    "error_model",
    "inline",
    "locals",
    "debug",
)


class NumbaCompatibilityWarning(UserWarning):
    """A Numba option pyston accepts but does not honour (object mode)."""


_warned_objmode = False


def _check_options(api: str, options: dict) -> None:
    global _warned_objmode
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(
            f"{api}() got unsupported option(s) {', '.join(map(repr, unknown))}; "
            f"pyston accepts: {', '.join(_OPTIONS)}"
        )
    em = options.get("error_model", "python")
    if em not in ("python", "numpy"):
        raise ValueError(f"error_model must be 'python' or 'numpy', not {em!r}")
    objmode = options.get("nopython", True) is False or bool(options.get("forceobj", False))
    if objmode and not _warned_objmode:
        _warned_objmode = True
        warnings.warn(
            f"pyston.{api}: object mode (nopython=False / forceobj=True) is not supported; "
            "compiling with nopython semantics (code pyston cannot compile raises CompileError)",
            NumbaCompatibilityWarning,
            stacklevel=4,
        )


def _signatures(spec) -> list:
    """Numba's accepted signature forms -> a list of :class:`pyston.types.Signature`."""
    if isinstance(spec, list):
        if not spec:
            raise TypeError("an empty list of signatures compiles nothing; leave the signature out instead")
        return [_types.normalize_signature(s) for s in spec]
    return [_types.normalize_signature(spec)]


def _dispatch_combos(sigs: list) -> list:
    out, seen = [], set()
    for sig in sigs:
        for combo in sig.dispatch_signatures(MAX_COMBINATIONS):
            key = repr(combo)
            if key not in seen:
                seen.add(key)
                out.append(combo)
    return out


def _build(func: Callable, sigs: Optional[list], options: dict, disabled: bool, boundscheck_env=None):
    if not callable(func):
        raise TypeError(f"njit() expects a function, got {type(func).__name__}")
    if disabled:
        return func
    if isinstance(func, Dispatcher):
        func = func.py_func
    if not isinstance(func, _pytypes.FunctionType):
        raise TypeError(f"njit() can compile Python functions only, not {type(func).__name__}")
    boundscheck = options.get("boundscheck")
    if boundscheck_env is not None:
        boundscheck = boundscheck_env  # NUMBA_BOUNDSCHECK overrides the option, as in Numba
    fastmath = options.get("fastmath", False)
    d = Dispatcher(
        func,
        preset="numba",
        boundscheck=bool(boundscheck),
        error_model=options.get("error_model", "python"),
        fastmath=bool(fastmath),
    )
    functools.update_wrapper(d, func)
    if sigs:
        combos = _dispatch_combos(sigs)
        d.compile_types(combos)
        d.restrict(True)
        native_recompile = d.recompile

        def recompile() -> None:
            """Recompile every signature afresh (frozen globals are read again)."""
            native_recompile()
            d.compile_types(combos)

        d.recompile = recompile
    return d


def _decorator(api: str, signature_or_function, options: dict, *, disabled: Callable[[], bool], boundscheck_env=None):
    _check_options(api, options)
    spec = signature_or_function
    if spec is None:
        sigs = None
    elif isinstance(spec, (str, list, tuple, _types.Signature, _types.Type)):
        sigs = _signatures(spec)
    elif callable(spec):
        return _build(spec, None, options, disabled(), boundscheck_env)
    else:
        raise TypeError(
            f"{api}() expects a function, a signature or a list of signatures, not {type(spec).__name__}"
        )

    def wrap(func):
        return _build(func, sigs, options, disabled(), boundscheck_env)

    return wrap


def njit(signature_or_function: Any = None, **options: Any):
    """Compile a function the way ``numba.njit`` does, with Numba's semantics.

    Forms: ``@njit``, ``@njit(cache=True, fastmath=True)``,
    ``@njit("float64(float64[:], int64)")``, ``@njit(["f8(f8)", "i8(i8)"])``,
    ``@njit(float64(float64[:], int64))`` with types from :mod:`pyston.types`.

    Semantics (Numba's, not strict pyston's): Python ints wrap at 64 bits;
    globals and closure variables are frozen at compile time (``f.recompile()``
    reads them again); array indexes are not checked (``boundscheck=True``
    turns the checks on; an out-of-range index without them is undefined
    behaviour, as in Numba); negative indexes count from the end; NumPy scalar
    results are returned as Python ``int``/``float``/``bool``/``complex``;
    code pyston cannot compile raises :class:`pyston.CompileError` (nopython
    mode), there is no object mode.

    Explicit signatures compile eagerly, at decoration, and the function then
    accepts only matching arguments (``TypeError: No matching definition``
    otherwise).  A Numba ``int64``/``float64``/``boolean``/``complex128``
    parameter accepts a Python scalar or a NumPy scalar of that dtype;
    ``int32``/``float32`` only the NumPy scalar; ``float64[:]`` any layout,
    ``float64[::1]`` a C-contiguous, ``float64[::1, :]`` a Fortran-ordered array.
    Unlike Numba, arguments are not converted (an ``int`` passed for a
    ``float64`` parameter is rejected).  Each signature compiles at most
    ``MAX_COMBINATIONS`` (64) Python/NumPy scalar combinations (all-Python and
    all-NumPy first).  The return type is parsed and validated but not
    enforced: the function returns what its code computes.

    Options: ``nopython`` (``False``/``forceobj=True`` warn once; nopython
    semantics anyway), ``cache`` (accepted, no-op: compiling takes
    milliseconds), ``fastmath`` (passed on: float sums in loops are
    reassociated into SIMD partial sums), ``parallel`` (accepted;
    ``prange`` is ``range``, one thread), ``nogil``,
    ``inline``, ``locals``, ``looplift``, ``debug`` (accepted, ignored),
    ``boundscheck`` (default ``False``), ``error_model`` (``"python"``, the
    default, raises ``ZeroDivisionError``; ``"numpy"`` gives inf/nan/0).
    Any other option raises ``TypeError``.

    ``PYSTON_DISABLE_JIT=1`` in the environment (read at decoration time)
    returns the function unchanged.
    """
    return _decorator("njit", signature_or_function, options, disabled=_jit_disabled)


def jit(signature_or_function: Any = None, **options: Any):
    """``numba.jit``: the same as :func:`njit` (Numba >= 0.59 defaults to
    nopython mode, and pyston has no object mode)."""
    return _decorator("jit", signature_or_function, options, disabled=_jit_disabled)
