"""``vectorize``, ``guvectorize`` and ``cfunc``: NumPy ufuncs, generalized
ufuncs and C callbacks whose work is done by compiled code.

``pyston.vectorize`` (strict) gives, element by element, exactly what
``np.vectorize(func, otypes=[out])`` gives: each element reaches the function
as the Python scalar NumPy's conversion to objects makes (``float``, ``int``,
``bool``, ``complex``; a float32 element as a ``float``), and the result is
converted to the output dtype as NumPy converts a Python object (a Python int
that outgrew 64 bits raises ``OverflowError``, ``1/0`` raises
``ZeroDivisionError``).  ``pyston.numba.vectorize`` has Numba's semantics:
ints wrap, int32/float32 elements stay NumPy scalars, ``error_model="numpy"``
(``1/0.0`` is ``inf``), results are cast as C casts.

The ufunc objects are real ``np.ufunc`` instances built with NumPy's C API
(``core/runtime/src/ufunc.rs``); docs: ``docs/scale-out.md``.
"""

from __future__ import annotations

import ctypes
import functools
import re
import warnings
from typing import Any, Callable, Optional

import numpy as np

from . import FLAGS
from . import types as _types
from ._pyston import Dispatcher, make_cfunc, make_gufunc, make_ufunc, ufunc_result_dtype

__all__ = ["vectorize", "guvectorize", "cfunc", "DUFunc", "GUFunc", "CFunc"]

#: The dtypes a loop can have (others are cast by NumPy to the first loop that fits).
_LOOP_DTYPES = ("bool", "int32", "int64", "float32", "float64", "complex128")

#: Numba's decorator options that pyston accepts (and mostly ignores: one target, no cache needed).
_NUMBA_OPTIONS = ("identity", "nopython", "target", "cache", "forceobj", "nogil", "writable_args", "locals")


def _convert(obj: Any, dtype: str, numba: bool):
    """A result the inner loop cannot store natively, converted to ``dtype``:
    strict as NumPy converts a Python object (what ``np.vectorize`` does),
    Numba as a C cast.  Returns a Python scalar (``(re, im)`` for complex)."""
    if numba:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = np.asarray(obj).astype(dtype)[()]
    else:
        a = np.empty(1, dtype=object)
        a[0] = obj
        v = a.astype(dtype)[0]
    if dtype == "complex128":
        c = complex(v)
        return (c.real, c.imag)
    return v.item()


def _identity(identity) -> int:
    """Numba's ``identity`` option -> NumPy's ``PyUFunc_*`` identity constant."""
    if identity is None:
        return -1  # PyUFunc_None
    if identity in (0, "zero") and not isinstance(identity, bool):
        return 0
    if identity in (1, "one") and not isinstance(identity, bool):
        return 1
    if identity == "reorderable":
        return -2  # PyUFunc_ReorderableNone
    raise ValueError(f"Invalid identity value {identity!r} (use None, 0, 1, 'zero', 'one' or 'reorderable')")


def _split_options(api: str, options: dict, numba: bool):
    """(Numba options, Dispatcher preset, Dispatcher flags) of a decorator's keyword arguments."""
    flag_names = [f[0] for f in FLAGS]
    numba_opts = {k: v for k, v in options.items() if k in _NUMBA_OPTIONS}
    rest = {k: v for k, v in options.items() if k not in _NUMBA_OPTIONS}
    target = numba_opts.get("target", "cpu")
    if target not in ("cpu", "parallel"):
        raise NotImplementedError(f"pyston.{api}: target={target!r} is not supported (cpu and parallel are)")
    if numba:
        allowed = ("fastmath", "boundscheck", "error_model")
        unknown = sorted(set(rest) - set(allowed))
        if unknown:
            raise TypeError(f"{api}() got unsupported option(s) {', '.join(map(repr, unknown))}")
        flags = {
            # Numba compiles ufunc kernels with error_model="numpy" (1/0.0 is inf).
            "error_model": rest.get("error_model", "numpy"),
            "fastmath": bool(rest.get("fastmath", False)),
            "boundscheck": bool(rest.get("boundscheck", False)),
        }
        return numba_opts, "numba", flags
    unknown = sorted(set(rest) - set(flag_names))
    if unknown:
        raise TypeError(
            f"{api}() got unknown option(s) {', '.join(map(repr, unknown))}; valid: "
            f"{', '.join(_NUMBA_OPTIONS + tuple(flag_names))}"
        )
    return numba_opts, "strict", rest


def _dispatcher(func: Callable, preset: str, flags: dict) -> Dispatcher:
    if isinstance(func, Dispatcher):
        func = func.py_func
    if not callable(func):
        raise TypeError(f"expected a function, got {type(func).__name__}")
    d = Dispatcher(func, preset, **flags)
    functools.update_wrapper(d, func)
    return d


def _scalar_dtype(t, what: str) -> str:
    if isinstance(t, _types.Array):
        t = t.dtype
    if not isinstance(t, _types.Scalar) or t.dtype not in _LOOP_DTYPES:
        raise TypeError(f"{what} type must be one of {', '.join(_LOOP_DTYPES)}, not {t!r}")
    return t.dtype


def _signature_list(sigs) -> list:
    if isinstance(sigs, (str, _types.Signature, tuple)):
        sigs = [sigs]
    return [_types.normalize_signature(s) for s in sigs]


def _ufunc_loops(sigs) -> list:
    loops = []
    for sig in _signature_list(sigs):
        if sig.return_type is None or isinstance(sig.return_type, _types.NoneType):
            raise TypeError(f"a vectorize signature needs a return type: {sig!r}")
        ins = [_scalar_dtype(a, "argument") for a in sig.args]
        loops.append((ins, _scalar_dtype(sig.return_type, "return")))
    return loops


def _doc(func) -> str:
    return getattr(func, "__doc__", None) or ""


def _name(func) -> str:
    return getattr(func, "__name__", None) or "ufunc"


def _build_ufunc(func, sigs, options: dict, numba: bool, api: str):
    numba_opts, preset, flags = _split_options(api, options, numba)
    loops = _ufunc_loops(sigs)
    if not loops:
        raise TypeError(f"{api}() got an empty list of signatures")
    d = _dispatcher(func, preset, flags)
    parallel = numba_opts.get("target", "cpu") == "parallel"
    return make_ufunc(
        d, _name(func), _doc(func), loops, _identity(numba_opts.get("identity")), numba, _convert, parallel
    )


# ---- lazy vectorize: a ufunc that grows a loop per new input dtypes ---------


def _arg_dtype(x) -> str:
    """The loop dtype an argument needs (a wider exact one for small ints and float16)."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int64"
    if isinstance(x, float):
        return "float64"
    if isinstance(x, complex):
        return "complex128"
    dt = x.dtype if isinstance(x, (np.ndarray, np.generic)) else np.asarray(x).dtype
    name = dt.name
    if name in _LOOP_DTYPES:
        return name
    if dt.kind == "b":
        return "bool"
    if dt.kind in "iu" and dt.itemsize < 8 and np.can_cast(dt, np.int64):
        return "int32" if np.can_cast(dt, np.int32) else "int64"
    if dt.kind == "f" and dt.itemsize < 4:
        return "float32"
    raise TypeError(f"pyston.vectorize: no loop for arguments of dtype {name} (supported: {', '.join(_LOOP_DTYPES)})")


class DUFunc:
    """The object ``vectorize`` without signatures returns (Numba's ``DUFunc``):
    called with new input dtypes it compiles a loop for them, with the output
    dtype of the compiled result, and rebuilds its ``np.ufunc`` (``.ufunc``).
    Pickles by value (the function and options; loops compile again on use)."""

    def __init__(self, func: Callable, options: Optional[dict] = None, numba: bool = False):
        self._options = dict(options or {})
        self._numba = numba
        numba_opts, preset, flags = _split_options("vectorize", self._options, numba)
        self._identity = _identity(numba_opts.get("identity"))
        self._parallel = numba_opts.get("target", "cpu") == "parallel"
        self._dispatcher = _dispatcher(func, preset, flags)
        self.py_func = self._dispatcher.py_func
        code = getattr(self.py_func, "__code__", None)
        self.nin = code.co_argcount if code is not None else 1
        self.nout = 1
        self._loops: list = []
        self._keys: dict = {}
        self._ufunc = None
        functools.update_wrapper(self, self.py_func)

    def __reduce__(self):
        from ._pickle import dump_function, rebuild_dufunc

        return (rebuild_dufunc, (dump_function(self.py_func), self._options, self._numba, [k for k in self._keys]))

    @property
    def ufunc(self):
        """The current ``np.ufunc`` (None before the first call)."""
        return self._ufunc

    @property
    def types(self) -> list:
        return [] if self._ufunc is None else self._ufunc.types

    @property
    def ntypes(self) -> int:
        return len(self._loops)

    @property
    def identity(self):
        return {-1: None, 0: 0, 1: 1, -2: None}[self._identity]

    def add(self, ins) -> None:
        """Compiles a loop for the input dtypes ``ins`` (names or dtypes)."""
        key = tuple(np.dtype(d).name for d in ins)
        if key in self._keys:
            return
        if len(key) != self.nin:
            raise TypeError(f"{self.__name__} takes {self.nin} argument(s), got dtypes for {len(key)}")
        out = ufunc_result_dtype(self._dispatcher, list(key), self._numba)
        if out is None:
            raise TypeError(
                f"pyston.vectorize: cannot infer the output dtype of {self.__name__} for {', '.join(key)} "
                "(its result has several types, or it runs as plain Python); give explicit signatures "
                "such as 'float64(float64)'"
            )
        self._keys[key] = out
        self._loops.append((list(key), out))
        self._ufunc = make_ufunc(
            self._dispatcher, _name(self.py_func), _doc(self.py_func), self._loops, self._identity,
            self._numba, _convert, self._parallel,
        )

    def _ensure(self, args) -> None:
        if len(args) < self.nin:
            return  # NumPy raises its TypeError
        key = tuple(_arg_dtype(a) for a in args[: self.nin])
        if key not in self._keys:
            self.add(key)

    def __call__(self, *args, **kwargs):
        self._ensure(args)
        if self._ufunc is None:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional argument(s)")
        return self._ufunc(*args, **kwargs)


    def reduce(self, a, *args, **kwargs):
        a = np.asanyarray(a)
        self._ensure((a, a))
        return self._ufunc.reduce(a, *args, **kwargs)

    def accumulate(self, a, *args, **kwargs):
        a = np.asanyarray(a)
        self._ensure((a, a))
        return self._ufunc.accumulate(a, *args, **kwargs)

    def reduceat(self, a, indices, *args, **kwargs):
        a = np.asanyarray(a)
        self._ensure((a, a))
        return self._ufunc.reduceat(a, indices, *args, **kwargs)

    def outer(self, a, b, **kwargs):
        self._ensure((a, b))
        return self._ufunc.outer(a, b, **kwargs)

    def at(self, a, indices, b=None):
        self._ensure((a,) if b is None else (a, b))
        return self._ufunc.at(a, indices) if b is None else self._ufunc.at(a, indices, b)

    def __repr__(self) -> str:
        return f"<pyston.DUFunc '{self.__name__}' ({len(self._loops)} loop(s))>"


def _vectorize(api: str, numba: bool, ftylist_or_function, options: dict):
    if callable(ftylist_or_function) and not isinstance(ftylist_or_function, (str, list, tuple)):
        return DUFunc(ftylist_or_function, options, numba)
    sigs = ftylist_or_function
    if sigs is None or (isinstance(sigs, (list, tuple)) and not isinstance(sigs, str) and len(sigs) == 0):
        return lambda func: DUFunc(func, options, numba)

    def wrap(func):
        return _build_ufunc(func, sigs, options, numba, api)

    return wrap


def vectorize(ftylist_or_function: Any = (), **options: Any):
    """Turn a scalar function into a NumPy ufunc whose loops run compiled code.

    ``@vectorize(["float64(float64, float64)", "int64(int64, int64)"])``
    compiles one loop per signature now and returns a real ``np.ufunc``
    (broadcasting, ``out=``, ``where=``, ``reduce``/``accumulate``/``outer``;
    NumPy picks the first loop the inputs cast to safely).  ``@vectorize``
    without signatures returns a :class:`DUFunc` that compiles a loop for each
    new combination of input dtypes.

    Strict semantics (``pyston.vectorize``): every element gives exactly what
    ``np.vectorize(func, otypes=[out dtype])`` gives, exceptions included.
    Options: Numba's ``identity`` (None, 0, 1, ``"reorderable"``),
    ``target`` (``"cpu"``; ``"parallel"`` splits long runs of 8-byte elements
    across the threads ``prange`` uses), ``nopython``,
    ``cache`` (accepted), and the opt-in flags of :func:`pyston.fast`.
    """
    return _vectorize("vectorize", False, ftylist_or_function, options)


def numba_vectorize(ftylist_or_function: Any = (), **options: Any):
    """``numba.vectorize`` with Numba's semantics (wrapping ints, int32/float32
    arithmetic, ``error_model="numpy"`` unless given, C casts of results)."""
    return _vectorize("vectorize", True, ftylist_or_function, options)


# ---- guvectorize -------------------------------------------------------------

_DIMS = re.compile(r"\(([^()]*)\)")


def _parse_layout(layout: str):
    """``"(m,n),(n)->(m)"`` -> (per-argument core dim names, number of inputs)."""
    if not isinstance(layout, str) or "->" not in layout:
        raise ValueError(f"a guvectorize layout looks like '(n),(n)->()', not {layout!r}")
    lhs, rhs = layout.replace(" ", "").split("->", 1)
    parts = []
    for side in (lhs, rhs):
        groups = _DIMS.findall(side)
        if _DIMS.sub("", side).replace(",", "") or not groups:
            raise ValueError(f"malformed guvectorize layout {layout!r}")
        parts.append([tuple(x for x in g.split(",") if x) for g in groups])
    ins, outs = parts
    for dims in ins + outs:
        for d in dims:
            if not re.fullmatch(r"[A-Za-z_]\w*|\d+", d):
                raise ValueError(f"bad core dimension {d!r} in layout {layout!r}")
            if d.isdigit():
                raise NotImplementedError(f"fixed-size core dimensions ({d}) are not supported: {layout!r}")
    return ins + outs, len(ins)


def _core(layout: str):
    """(per-argument core dim names, core dim indexes, number of inputs, NumPy's signature text)."""
    dims, nin = _parse_layout(layout)
    names: dict = {}
    core = [[names.setdefault(d, len(names)) for d in arg] for arg in dims]
    sig_text = ",".join("(" + ",".join(x) + ")" for x in dims[:nin]) + "->" + ",".join(
        "(" + ",".join(x) + ")" for x in dims[nin:]
    )
    return dims, core, nin, sig_text


def _build_gufunc(func, sigs, layout: str, options: dict, numba: bool):
    numba_opts, preset, flags = _split_options("guvectorize", options, numba)
    dims, core, nin, sig_text = _core(layout)
    loops = []
    for sig in _signature_list(sigs):
        if len(sig.args) != len(dims):
            raise TypeError(f"signature {sig!r} has {len(sig.args)} arguments; layout {layout!r} has {len(dims)}")
        for a, dd in zip(sig.args, dims):
            if isinstance(a, _types.Array) and a.ndim != max(len(dd), 1):
                raise TypeError(f"argument type {a!r} does not match core dimensions {dd!r} of {layout!r}")
        loops.append([_scalar_dtype(a, "argument") for a in sig.args])
    if not loops:
        raise TypeError("guvectorize() needs at least one signature")
    d = _dispatcher(func, preset, flags)
    return make_gufunc(d, _name(func), _doc(func), loops, nin, core, sig_text, numba)


class GUFunc:
    """What ``guvectorize`` with a layout and no signatures returns (Numba's
    dynamic gufunc): each call with new argument dtypes compiles a loop for
    them and rebuilds the generalized ufunc (``.ufunc``). As in Numba, the
    output arrays must be passed (their dtypes cannot be inferred)."""

    def __init__(self, func: Callable, layout: str, options: dict, numba: bool):
        numba_opts, preset, flags = _split_options("guvectorize", options, numba)
        self._dims, self._core, self.nin, self._sig_text = _core(layout)
        self.nout = len(self._dims) - self.nin
        self.signature = self._sig_text
        self._numba, self._layout, self._options = numba, layout, dict(options)
        self._dispatcher = _dispatcher(func, preset, flags)
        self.py_func = self._dispatcher.py_func
        self._loops: list = []
        self.ufunc = None
        functools.update_wrapper(self, self.py_func)

    def __call__(self, *args, **kwargs):
        nargs = self.nin + self.nout
        given = list(args) + [kwargs["out"]] if "out" in kwargs and len(args) == self.nin else list(args)
        if len(given) != nargs:
            raise TypeError(
                f"{self.__name__}: a guvectorize function without signatures needs its {self.nout} output "
                f"array(s) passed too ({nargs} arguments, got {len(given)})"
            )
        key = [_arg_dtype(a) for a in given]
        if key not in self._loops:
            loops = self._loops + [key]
            self.ufunc = make_gufunc(
                self._dispatcher, _name(self.py_func), _doc(self.py_func), loops, self.nin, self._core,
                self._sig_text, self._numba,
            )
            self._loops = loops
        return self.ufunc(*args, **kwargs)

    @property
    def types(self):
        return [] if self.ufunc is None else self.ufunc.types

    def __reduce__(self):
        from ._pickle import dump_function, rebuild_gufunc

        return (rebuild_gufunc, (dump_function(self.py_func), self._layout, self._options, self._numba))

    def __repr__(self) -> str:
        return f"<pyston.GUFunc '{self.__name__}' {self._sig_text} ({len(self._loops)} loop(s))>"


def _guvectorize(numba: bool, ftylist, signature, options):
    if callable(ftylist) and not isinstance(ftylist, (str, list, tuple)):
        raise TypeError("guvectorize() needs a layout such as '(n),(n)->()' (and optionally signatures first)")
    if signature is None and isinstance(ftylist, str) and "->" in ftylist:
        # guvectorize("(n),(n)->()"): no signatures, a loop per argument dtypes on first use.
        layout = ftylist
        _parse_layout(layout)
        return lambda func: GUFunc(func, layout, options, numba)
    if signature is None:
        raise TypeError("guvectorize() needs a layout such as '(n),(n)->()'")

    def wrap(func):
        return _build_gufunc(func, ftylist, signature, options, numba)

    return wrap


def guvectorize(ftylist: Any, signature: Optional[str] = None, **options: Any):
    """A generalized ufunc: ``@guvectorize(["void(float64[:], float64[:], float64[:])"], "(n),(n)->()")``.

    As in Numba, the function receives array views of each argument's core
    dimensions (a scalar input ``()`` as a scalar) and writes its outputs
    into the last arguments (a scalar output ``()`` is a 1-element array);
    its return value is ignored.  NumPy loops over the outer dimensions
    (broadcasting, ``out=``, ``axes=``).  The function runs as a pyston
    compiled function (strict semantics here, Numba's from ``pyston.numba``),
    called once per outer element.
    """
    return _guvectorize(False, ftylist, signature, options)


def numba_guvectorize(ftylist: Any, signature: Optional[str] = None, **options: Any):
    """``numba.guvectorize`` with Numba's semantics."""
    return _guvectorize(True, ftylist, signature, options)


# ---- cfunc ----------------------------------------------------------------------

_CTYPES = {
    "float64": ctypes.c_double,
    "float32": ctypes.c_float,
    "int64": ctypes.c_int64,
    "int32": ctypes.c_int32,
    "bool": ctypes.c_bool,
}


def _ctype(t, what: str):
    if isinstance(t, _types.NoneType) and what == "return":
        return None
    if isinstance(t, _types.Scalar) and t.dtype in _CTYPES:
        return _CTYPES[t.dtype]
    raise TypeError(f"cfunc {what} type must be one of {', '.join(_CTYPES)}, not {t!r}")


class CFunc:
    """A C callback (Numba's ``CFunc``): ``.address`` (the C function
    pointer: native code that stores its C arguments for the compiled
    function and calls it), ``.ctypes`` (a ctypes function object for it),
    ``.native_name``; calling it from Python goes through ctypes, as in Numba."""

    def __init__(self, func: Callable, sig, options: dict, numba: bool):
        self._sig_spec = sig
        sig = _types.normalize_signature(sig)
        if sig.return_type is None:
            raise TypeError(f"a cfunc signature needs a return type: {sig!r}")
        self._sig = sig
        self._options = dict(options)
        self._numba = numba
        _, preset, flags = _split_options("cfunc", options, numba)
        self._dispatcher = _dispatcher(func, preset, flags)
        self.py_func = self._dispatcher.py_func
        restype = _ctype(sig.return_type, "return")
        argtypes = [_ctype(a, "argument") for a in sig.args]
        ret = None if restype is None else sig.return_type.dtype
        self.address = make_cfunc(self._dispatcher, [a.dtype for a in sig.args], ret, numba)
        self.ctypes = ctypes.CFUNCTYPE(restype, *argtypes)(self.address)
        qual = getattr(self.py_func, "__qualname__", "cfunc")
        self.native_name = f"cfunc.{self.py_func.__module__}.{qual}".replace("<", "_").replace(">", "_")
        functools.update_wrapper(self, self.py_func)

    def __call__(self, *args):
        return self.ctypes(*args)

    def __reduce__(self):
        from ._pickle import dump_function, rebuild_cfunc

        return (rebuild_cfunc, (dump_function(self.py_func), self._sig_spec, self._options, self._numba))

    def __repr__(self) -> str:
        return f"<pyston.CFunc {self.native_name} {self._sig}>"


def cfunc(sig, **options: Any):
    """``@cfunc("float64(float64, float64)")``: a C callback for the function
    (``.address``, ``.ctypes``; usable with ``ctypes`` and
    ``scipy.LowLevelCallable``).  Arguments and result: float64, float32,
    int64, int32, bool (``void`` result too), converted as C converts them.
    An exception inside the callback cannot cross C: it is reported as
    unraisable (``sys.unraisablehook``) and the callback returns 0.
    """
    return lambda func: CFunc(func, sig, options, False)


def numba_cfunc(sig, **options: Any):
    """``numba.cfunc`` with Numba's semantics."""
    return lambda func: CFunc(func, sig, options, True)

