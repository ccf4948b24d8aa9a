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
import inspect
import types as _pytypes
import warnings
from typing import Any, Callable, Optional

import numpy as np

from . import _jit_disabled
from . import types as _types
from ._pyston import Dispatcher

__all__ = ["jit", "njit", "prange", "NumbaCompatibilityWarning"]

#: ``numba.prange``: ``range`` everywhere, except that under ``parallel=True``
#: pyston runs the loop's iterations on a thread pool.
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
    # Numba's switch for its reference-counting runtime (its tests pass
    # `_nrt=False`): pyston's compiled code holds objects through CPython's own
    # reference counts, so there is nothing to switch.
    "_nrt",
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
        out = []
        for s in spec:
            sig = _types.normalize_signature(s)
            if not any(repr(sig) == repr(o) for o in out):  # a repeated signature is one signature
                out.append(sig)
        return out
    return [_types.normalize_signature(spec)]


def _check_arity(func: Callable, sigs: list) -> None:
    """Numba's error for a signature whose argument count the function cannot take."""
    code = func.__code__
    takes = code.co_argcount
    for sig in sigs:
        n = len(sig.args)
        if n != takes and not code.co_flags & 0x04:  # (no *args; defaults count too, as in Numba)
            raise TypeError(f"Signature mismatch: {n} argument types given, but function takes {takes} arguments")


def _dispatch_combos_with_returns(sigs: list) -> list:
    """Each pyston argument-type combination of the signatures, with the
    converter of its signature's declared return type (None: no conversion)."""
    out, seen = [], set()
    for sig in sigs:
        conv = _return_converter(sig.return_type)
        for combo in sig.dispatch_signatures(MAX_COMBINATIONS):
            key = repr(combo)
            if key not in seen:
                seen.add(key)
                out.append((combo, conv))
    return out


def _return_converter(t):
    """Numba converts a function's result to its signature's declared return
    type (an int returned as ``float64`` becomes a float, ``int32`` keeps the
    low 32 bits, ...); NumPy scalars come back as Python scalars."""
    if not isinstance(t, _types.Scalar):
        # Arrays and tuples are returned as they are; so is a value returned
        # under ``void`` (Numba refuses to compile that: pyston does not check).
        return None

    def convert(r):
        if t.dtype in _BITS and isinstance(r, (int, np.integer)) and not isinstance(r, bool):
            r = int(r)
            if t.dtype == "int64" and 2**63 <= r < 2**64:
                r -= 2**64  # a uint64 result declared int64: Numba's C cast keeps the bits
        v = _convert_value(r, t)
        return v.item() if isinstance(v, np.generic) else v

    return convert


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
    from ._typed import uses_python_only_features

    extra = {"fallback": True} if uses_python_only_features(func) else {}
    flags = dict(
        boundscheck=bool(boundscheck),
        error_model=options.get("error_model", "python"),
        fastmath=bool(fastmath),
        nogil=bool(options.get("nogil", False)),
        parallel=bool(options.get("parallel", False)),
    )
    if inspect.isgeneratorfunction(func):
        # A compiled generator, as `pyston.fast` makes one, with Numba's semantics
        # (its yielded NumPy scalars come out as Python scalars). Types come from
        # the arguments of each call: signatures are accepted and not enforced.
        from . import _generators  # noqa: F401  (registers it as a collections.abc.Generator)
        from ._pyston import GeneratorFunction

        g = GeneratorFunction(func, "numba", **extra, **flags)
        functools.update_wrapper(g, func)
        return g
    d = Dispatcher(func, preset="numba", **extra, **flags)
    functools.update_wrapper(d, func)
    if sigs and options.get("forceobj"):
        # Numba's object mode takes any arguments whatever the signature says
        # (`jit((), forceobj=True)` of a one-argument function compiles for a
        # `pyobject`): the signatures are not enforced, each call's types decide.
        sigs = None
    if sigs:
        _check_arity(func, sigs)
        # Pickling by value rebuilds the function through this function (`pyston._pickle`).
        d._pyston_njit = (sigs, {**options, "boundscheck": bool(boundscheck)})
        pairs = _dispatch_combos_with_returns(sigs)
        combos = [c for c, _ in pairs]
        returns = [r for _, r in pairs]
        d.compile_types(combos, returns)
        d.restrict(True)
        d.set_converter(functools.partial(_convert_args, sigs, getattr(func, "__qualname__", "?")))
        native_recompile = d.recompile

        def recompile() -> None:
            """Recompile every signature afresh (frozen globals are read again)."""
            native_recompile()
            d.compile_types(combos, returns)

        d.recompile = recompile
    return d


# ---- Numba's argument conversion under explicit signatures ----------------
#
# Numba converts an argument to a parameter type when it can (a Python int to
# int32, a float to int64, an np.int32 to int64, ...) and picks the signature
# whose conversions rate best: fewest unsafe conversions, then fewest safe
# ones, then fewest promotions; two best signatures are ambiguous (TypeError).
# The kinds below are Numba's, for the scalar types pyston compiles.

_KIND_RANK = {"exact": 0, "promote": 1, "safe": 2, "unsafe": 3}
_FLOATS = ("float32", "float64")
_SIGNED = ("int8", "int16", "int32", "int64")
_UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}

# Numba's conversion kinds between the int types and to float32, read from its
# typing context (``can_convert``) for Numba 0.6x: a wider int of the same
# signedness is a promotion, an unsigned int to a wider signed one is safe,
# anything narrower (or signed to unsigned) unsafe; int8/int16/uint8 to float32
# are safe, wider ints unsafe; every int to float64 and complex128 is safe.


def _int_conversion(src: str, dst: str) -> str:
    if dst in _FLOATS:
        if dst == "float64":
            return "safe"
        return "safe" if src in ("int8", "int16", "uint8") else "unsafe"
    if (src in _SIGNED) == (dst in _SIGNED):
        return "promote" if _BITS[dst] > _BITS[src] else "unsafe"
    if src in _UNSIGNED and _BITS[dst] > _BITS[src]:
        return "safe"
    return "unsafe"


def _scalar_conversion(src: str, dst: str) -> Optional[str]:
    """How Numba converts a scalar of type ``src`` to ``dst`` (None: it does not)."""
    if src == dst:
        return "exact"
    if src in ("complex64", "complex128"):
        # Complex converts to nothing real; complex64 -> complex128 is a promotion.
        if dst == "complex128":
            return "promote"
        return "unsafe" if dst == "complex64" else None
    if dst == "complex64":
        # Numba: exactly the types float32 takes safely (and float32 itself) are safe.
        return "safe" if src in ("bool", "float32", "int8", "int16", "uint8") else "unsafe"
    if dst == "complex128" or src == "bool":
        return "safe"
    if dst == "bool":
        return "unsafe"
    if src in _BITS:
        return _int_conversion(src, dst)
    if src in _FLOATS and dst in _FLOATS:
        return "promote" if (src, dst) == ("float32", "float64") else "unsafe"
    return "unsafe"  # a float to an int


def _numba_type(x):
    """The Numba type name of an argument: a scalar name, or ``(dtype, ndim, layout)``."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int64"
    if isinstance(x, float):
        return "float64"
    if isinstance(x, complex):
        return "complex128"
    if isinstance(x, np.generic):
        return "bool" if x.dtype == np.bool_ else x.dtype.name
    if isinstance(x, np.ndarray):
        layout = "C" if x.flags.c_contiguous else "F" if x.flags.f_contiguous else "A"
        return (x.dtype.name, x.ndim, layout)
    if isinstance(x, str):
        return "unicode_type"
    return None


def _arg_conversion(x, t) -> Optional[str]:
    src = _numba_type(x)
    if isinstance(t, _types.Array):
        if not isinstance(src, tuple) or (src[0], src[1]) != (t.dtype.dtype, t.ndim):
            return None
        if t.layout == src[2]:
            return "exact"
        return "safe" if t.layout == "A" else None
    if t is _types.unicode_type or src == "unicode_type":
        return "exact" if (t is _types.unicode_type and src == "unicode_type") else None
    if isinstance(t, _types.Scalar) and isinstance(src, str):
        return _scalar_conversion(src, t.dtype)
    if isinstance(t, _types.Tuple) and isinstance(x, tuple) and len(x) == len(t.types):
        # A tuple converts item by item; it rates as its worst item.
        kinds = [_arg_conversion(v, u) for v, u in zip(x, t.types)]
        if None in kinds:
            return None
        return max(kinds, key=_KIND_RANK.__getitem__, default="exact")
    return None


def _converted(x, t):
    """``x`` converted to the parameter type ``t`` (arrays as they are)."""
    if isinstance(t, _types.Array) or t is _types.unicode_type:
        return x
    if isinstance(t, _types.Tuple):
        return tuple(_converted(v, u) for v, u in zip(x, t.types))
    return _convert_value(x, t)


def _convert_value(x, t):
    """``x`` as a value of the scalar type ``t`` (how Numba's unboxing converts it)."""
    d = t.dtype
    if d == "bool":
        return bool(x)
    if d == "complex128":
        return complex(x)
    if d == "complex64":
        return np.complex64(complex(x))
    if d in _FLOATS:
        v = float(x)
        return v if d == "float64" else np.float32(v)
    v = int(x)  # floats truncate toward zero
    if d in _UNSIGNED:
        if v < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if v >= 2**64:
            raise OverflowError("int too big to convert")
        return np.dtype(d).type(v % 2 ** _BITS[d])  # the low bits
    if not -(2**63) <= v < 2**63:
        raise OverflowError("int too big to convert")
    if d != "int64":
        b = _BITS[d]
        return np.dtype(d).type((v + 2 ** (b - 1)) % 2**b - 2 ** (b - 1))  # the low bits
    return v


def _convert_args(sigs: list, name: str, args: tuple):
    """``args`` converted to the best of ``sigs`` by Numba's rules, or None
    when no signature accepts them (the dispatcher then raises its TypeError)."""
    rated = []
    for sig in sigs:
        if len(sig.args) != len(args):
            continue
        kinds = [_arg_conversion(x, t) for x, t in zip(args, sig.args)]
        if None in kinds:
            continue
        rating = tuple(sum(k == kind for k in kinds) for kind in ("unsafe", "safe", "promote"))
        rated.append((rating, sig))
    if not rated:
        return None
    best = min(r for r, _ in rated)
    winners = [s for r, s in rated if r == best]
    if len(winners) > 1:
        types = ", ".join(str(_numba_type(x)) for x in args)
        lines = "\n".join(f"({', '.join(map(str, s.args))},) -> {s.return_type}" for s in winners)
        raise TypeError(f"Ambiguous overloading for {name} ({types},):\n{lines}")
    sig = winners[0]
    out = tuple(_converted(x, t) for x, t in zip(args, sig.args))

    def exact(x, t):
        if isinstance(t, _types.Tuple):
            return all(exact(v, u) for v, u in zip(x, t.types))
        return _arg_conversion(x, t) in (("exact", "safe") if isinstance(t, _types.Array) else ("exact",))

    ok = all(exact(x, t) for x, t in zip(out, sig.args))
    return out if ok else None


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
    reassociated into SIMD partial sums), ``parallel`` (``prange`` loops
    run on a thread pool, see ``docs/scale-out.md``), ``nogil`` (compiled
    code runs with the GIL released), ``inline``, ``locals``, ``looplift``,
    ``debug``, ``_nrt`` (accepted, ignored),
    ``boundscheck`` (default ``False``), ``error_model`` (``"python"``, the
    default, raises ``ZeroDivisionError`` with Numba's messages, for NumPy
    scalars too; ``"numpy"`` gives inf/nan/0).
    Any other option raises ``TypeError``.

    ``PYSTON_DISABLE_JIT=1`` in the environment (read at decoration time)
    returns the function unchanged.
    """
    return _decorator("njit", signature_or_function, options, disabled=_jit_disabled)


def jit(signature_or_function: Any = None, **options: Any):
    """``numba.jit``: the same as :func:`njit` (Numba >= 0.59 defaults to
    nopython mode, and pyston has no object mode)."""
    return _decorator("jit", signature_or_function, options, disabled=_jit_disabled)
