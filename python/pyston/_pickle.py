"""Pickling compiled functions (``pickle``, ``cloudpickle``, ``multiprocessing``,
joblib/loky, Dask).

A :class:`pyston.Dispatcher` pickles **by reference** (``module.qualname``)
when importing that name gives back the very same object, as pickle does for
functions; otherwise (closures, functions defined inside functions, in
``__main__`` when cloudpickle is installed, or rebound names) it pickles
**by value**: the Python function, the preset and the flags (and an
``njit``'s explicit signatures and options), and it is compiled again where it
is loaded.  Plain ``pickle`` can only save a Python function by reference, so
a function pickled by value travels as cloudpickle bytes (cloudpickle must be
installed on both sides; joblib, loky and Dask install it).

``DUFunc`` (lazy ``vectorize``) and ``CFunc`` pickle by value; a ufunc made by
``vectorize`` with signatures is an ``np.ufunc`` and pickles by reference
(NumPy's rule: its ``__name__`` must be a module-level name).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import linecache
import pickle
import sys
import types
from typing import Any, Callable, Optional

__all__ = ["reduce", "rebuild", "dump_function", "load_function"]


def _lookup(module: str, qualname: str) -> Any:
    mod = sys.modules.get(module)
    if mod is None:
        mod = importlib.import_module(module)
    obj: Any = mod
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _has_cloudpickle() -> bool:
    try:
        import cloudpickle  # noqa: F401
    except ImportError:
        return False
    return True


def _by_reference(obj: Any) -> bool:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<locals>" in qualname:
        return False
    if module == "__main__" and _has_cloudpickle():
        return False  # another process's __main__ is another module (Dask workers)
    try:
        return _lookup(module, qualname) is obj
    except Exception:
        return False


def _source_info(func: Callable) -> Optional[tuple]:
    """``(filename, first line, the function's source lines)``, if available."""
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType):
        return None
    lines = linecache.getlines(code.co_filename, getattr(func, "__globals__", None))
    first = code.co_firstlineno
    if not lines or not 1 <= first <= len(lines):
        return None
    try:
        block = inspect.getblock(lines[first - 1 :])
    except Exception:  # noqa: BLE001 - no source, then: it runs as plain Python
        return None
    return (code.co_filename, first, list(block))


def _renamed(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(_renamed(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _restore_source(func: Callable, info: tuple) -> None:
    """cloudpickle drops a function's file name (``<dynamic-code>``), and
    pyston compiles from source: give the loaded function its file name back
    and, where that file does not hold the same lines, its own lines in
    ``linecache`` under ``<pickled FILE#hash>`` (at the same line numbers)."""
    filename, first, block = info
    lines = linecache.getlines(filename)
    if lines[first - 1 : first - 1 + len(block)] != block:
        digest = hashlib.sha1("".join(block).encode()).hexdigest()[:12]
        filename = f"<pickled {filename}#{digest}>"
        if filename not in linecache.cache:
            text = ["\n"] * (first - 1) + block
            linecache.cache[filename] = (sum(map(len, text)), None, text, filename)
    try:
        func.__code__ = _renamed(func.__code__, filename)
    except (AttributeError, TypeError, ValueError):
        pass  # not a plain function: it runs as it is


def dump_function(func: Callable) -> Any:
    """What stands for ``func`` in a pickle: the function itself when pickle
    can save it by reference, else ``("cloudpickle", bytes, source info)``."""
    if _by_reference(func) or not _has_cloudpickle():
        return func  # plain pickle raises its own error if it cannot
    import cloudpickle

    return ("cloudpickle", cloudpickle.dumps(func), _source_info(func))


def load_function(payload: Any) -> Callable:
    if isinstance(payload, tuple) and len(payload) == 3 and payload[0] == "cloudpickle":
        func = pickle.loads(payload[1])
        if payload[2] is not None:
            _restore_source(func, payload[2])
        return func
    return payload


def reduce(d) -> Any:
    """``Dispatcher.__reduce__``."""
    if _by_reference(d):
        return d.__qualname__
    preset, flags = d._init_args
    return (rebuild, (dump_function(d.py_func), preset, flags, d.__dict__.get("_pyston_njit")))


def rebuild(payload: Any, preset: str, flags: dict, njit: Any = None):
    """Makes the Dispatcher again (compiled on its first call, as any)."""
    from ._pyston import Dispatcher

    func = load_function(payload)
    if njit is not None:
        from ._numba_api import _build

        sigs, options = njit
        return _build(func, sigs, options, False)
    d = Dispatcher(func, preset, **flags)
    functools.update_wrapper(d, func)
    return d


def rebuild_dufunc(payload: Any, options: dict, numba: bool, keys: list):
    from ._ufunc import DUFunc

    u = DUFunc(load_function(payload), options, numba)
    for k in keys:
        u.add(k)
    return u


def rebuild_gufunc(payload: Any, layout: str, options: dict, numba: bool):
    from ._ufunc import GUFunc

    return GUFunc(load_function(payload), layout, options, numba)


def rebuild_cfunc(payload: Any, sig: Any, options: dict, numba: bool):
    from ._ufunc import CFunc

    return CFunc(load_function(payload), sig, options, numba)
