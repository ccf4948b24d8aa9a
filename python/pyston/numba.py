"""A drop-in for the parts of Numba that pyston implements.

    import pyston.numba as numba        # instead of `import numba`

    @numba.njit(cache=True)
    def kernel(a): ...

``njit``, ``jit``, ``prange``, ``vectorize``, ``guvectorize``, ``cfunc``, ``types`` (also the type names at top level:
``numba.float64``, ``numba.int64[:]``, ...), ``config`` (``DISABLE_JIT`` from
``NUMBA_DISABLE_JIT``, ``BOUNDSCHECK`` from ``NUMBA_BOUNDSCHECK``, read at
import), ``get_num_threads``/``set_num_threads``/``get_thread_id`` (the
thread), ``typed.List`` / ``typed.Dict`` (``List.empty_list(item_type)``,
``Dict.empty(key_type, value_type)``: items converted to their declared
types as Numba converts them, ``errors.TypingError`` otherwise),
``literal_unroll`` and ``objmode`` (see ``docs/language.md``, "Numba's typed
containers").  Everything else Numba has (``stencil``, ``generated_jit``, ``typeof``, ...) raises
``NotImplementedError`` naming it when you touch it, so a missing feature
is reported at the line that uses it.

To make an unmodified ``import numba`` (and ``from numba import njit``)
resolve here, run this before anything imports Numba::

    import pyston.numba; pyston.numba.install()
"""

from __future__ import annotations

import os
import sys
import types as _pytypes
from typing import Any

from . import types
from ._numba_api import NumbaCompatibilityWarning, _decorator, _jit_disabled, prange
from .types import (  # noqa: F401 - Numba exposes its type objects at top level
    b1,
    bool_,
    boolean,
    c8,
    c16,
    complex64,
    complex128,
    double,
    f4,
    f8,
    float32,
    float64,
    i1,
    i2,
    i4,
    i8,
    int8,
    int16,
    int32,
    int64,
    int_,
    intc,
    intp,
    none,
    u1,
    u2,
    u4,
    u8,
    uint8,
    uint16,
    uint32,
    uint64,
    uintc,
    uintp,
    void,
)

__all__ = [
    "njit",
    "jit",
    "prange",
    "vectorize",
    "guvectorize",
    "cfunc",
    "types",
    "config",
    "typed",
    "literal_unroll",
    "objmode",
    "errors",
    "install",
    "get_num_threads",
    "set_num_threads",
    "get_thread_id",
    "NumbaCompatibilityWarning",
]


def _env_bool(name: str):
    """None when unset; else Numba's reading of an int-valued variable."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return bool(int(raw))
    except ValueError:
        return raw.strip().lower() in ("true", "yes", "on")


class _Config:
    """``numba.config``: the settings the shim honours.

    ``DISABLE_JIT`` (``NUMBA_DISABLE_JIT``): ``njit``/``jit`` return the
    function unchanged.  ``BOUNDSCHECK`` (``NUMBA_BOUNDSCHECK``): ``None``
    leaves each decorator's ``boundscheck`` option in charge, ``True``/``False``
    overrides it.  Both are read from the environment when ``pyston.numba``
    is imported and can be assigned afterwards.
    """

    def __init__(self) -> None:
        self.DISABLE_JIT = bool(_env_bool("NUMBA_DISABLE_JIT"))
        self.BOUNDSCHECK = _env_bool("NUMBA_BOUNDSCHECK")
        from ._pyston import get_num_threads as native

        self.NUMBA_NUM_THREADS = native()
        self.NUMBA_DEFAULT_NUM_THREADS = native()

    def __repr__(self) -> str:
        return f"pyston.numba.config(DISABLE_JIT={self.DISABLE_JIT}, BOUNDSCHECK={self.BOUNDSCHECK})"


config = _Config()


def _disabled() -> bool:
    return bool(config.DISABLE_JIT) or _jit_disabled()


def njit(signature_or_function: Any = None, **options: Any):
    """``numba.njit`` (see :func:`pyston.njit`); honours ``config.DISABLE_JIT``
    and ``config.BOUNDSCHECK``."""
    return _decorator("njit", signature_or_function, options, disabled=_disabled, boundscheck_env=config.BOUNDSCHECK)


def jit(signature_or_function: Any = None, **options: Any):
    """``numba.jit``: the same as :func:`njit` (nopython mode; no object mode)."""
    return _decorator("jit", signature_or_function, options, disabled=_disabled, boundscheck_env=config.BOUNDSCHECK)


def vectorize(ftylist_or_function: Any = (), **options: Any):
    """``numba.vectorize``: a NumPy ufunc with Numba's semantics (see
    :func:`pyston.vectorize`; ``target="parallel"`` splits long runs across threads)."""
    from ._ufunc import numba_vectorize

    return numba_vectorize(ftylist_or_function, **options)


def guvectorize(ftylist: Any, signature: Any = None, **options: Any):
    """``numba.guvectorize``: a generalized ufunc with Numba's semantics."""
    from ._ufunc import numba_guvectorize

    return numba_guvectorize(ftylist, signature, **options)


def cfunc(sig: Any, **options: Any):
    """``numba.cfunc``: a C callback (``.address``, ``.ctypes``) with Numba's semantics."""
    from ._ufunc import numba_cfunc

    return numba_cfunc(sig, **options)


def get_num_threads() -> int:
    """The number of threads ``prange`` loops run on under ``parallel=True``
    (``PYSTON_NUM_THREADS`` or ``NUMBA_NUM_THREADS``, else one per core)."""
    from ._pyston import get_num_threads as native

    return native()


def set_num_threads(n: int) -> None:
    """Sets the number of threads ``prange`` loops run on (a positive int)."""
    from ._pyston import set_num_threads as native

    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"The number of threads must be a positive int, got {n!r}")
    native(n)


def get_thread_id() -> int:
    """The index of the chunk the calling thread runs in a parallel loop (0 outside one)."""
    from ._pyston import get_thread_id as native

    return native()


class UnsupportedFeatureError(NotImplementedError, AttributeError):
    """A Numba feature pyston does not implement.  Also an ``AttributeError``,
    so code that probes modules for attributes (``pickle.whichmodule``,
    ``hasattr``) sees a missing attribute instead of failing."""


_IMPORT_FROM = __import__("dis").opmap["IMPORT_FROM"]


def _from_import() -> bool:
    """Whether the missing attribute is being looked up by ``from ... import``
    (the frame that called __getattr__ executes IMPORT_FROM): there a plain
    ``NotImplementedError`` reaches the user (an ``AttributeError`` would
    become ``ImportError: cannot import name``)."""
    try:
        f = sys._getframe(3)
        return f.f_code.co_code[f.f_lasti] == _IMPORT_FROM
    except (AttributeError, IndexError, ValueError):
        return False


def _unsupported(qualname: str) -> NotImplementedError:
    cls = NotImplementedError if _from_import() else UnsupportedFeatureError
    return cls(
        f"pyston.numba does not support {qualname} yet (supported: njit, jit, prange, vectorize, "
        "guvectorize, cfunc, types, config, typed.List, typed.Dict, literal_unroll, objmode, errors, "
        "the scalar type names such as float64)"
    )


from ._typed import Dict as _Dict  # noqa: E402
from ._typed import List as _List  # noqa: E402
from ._typed import TypingError as _TypingError  # noqa: E402
from ._typed import literal_unroll, objmode  # noqa: E402,F401 - Numba's names

typed = _pytypes.ModuleType(__name__ + ".typed", "numba.typed: the typed containers List and Dict.")
typed.List = _List
typed.Dict = _Dict
typed.__all__ = ["List", "Dict"]
errors = _pytypes.ModuleType(__name__ + ".errors", "numba.core.errors: the errors pyston.numba raises.")
errors.TypingError = _TypingError
errors.__all__ = ["TypingError"]
sys.modules[typed.__name__] = typed
sys.modules[errors.__name__] = errors
sys.modules[__name__ + ".types"] = types


def __getattr__(name: str):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    raise _unsupported(f"numba.{name}")


def install() -> None:
    """Make ``import numba`` (and ``numba.types``, ``numba.typed``, ``numba.errors``) resolve to
    this shim for the rest of the process.  Call it before anything imports
    Numba; modules that already imported the real Numba keep it."""
    mod = sys.modules[__name__]
    sys.modules["numba"] = mod
    sys.modules["numba.types"] = types
    sys.modules["numba.typed"] = typed
    sys.modules["numba.errors"] = errors
