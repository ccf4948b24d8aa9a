"""``numba.typed.List``, ``numba.typed.Dict``, ``literal_unroll`` and ``objmode``.

Numba's typed containers hold items of one type, fixed by
``List.empty_list(item_type)`` / ``Dict.empty(key_type, value_type)`` or by the
first item stored; every later item is converted to that type as Numba
converts it (an int stored into a ``float64`` list becomes a float, an
``int32`` list wraps, a ``bool`` list keeps the truth value) or refused with
Numba's ``TypingError`` (a float into an int list, a str into a float list).

Here they are subclasses of ``list`` and ``dict`` holding the converted
Python values (a float32 item is a Python float rounded to float32, as Numba
boxes it), so that compiled code handles them as the lists and dicts it
already compiles (CPython objects, mutated in place), and what a compiled
function returns is the container itself.
"""

from __future__ import annotations

from typing import Any

from . import types as _t
from ._errors import CompileError


class TypingError(CompileError):
    """``numba.core.errors.TypingError``: a value Numba cannot type or convert."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message, kind="typing")


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _np():
    import numpy as np

    return np


def typeof(x: Any) -> _t.Type:
    """The Numba type of a value, as the typed containers see it."""
    np = _np()
    if isinstance(x, (bool, np.bool_)):
        return _t.boolean
    if isinstance(x, int):
        if _INT64_MIN <= x <= _INT64_MAX:
            return _t.int64
        if 0 <= x < 2**64:
            return _t.uint64
        raise OverflowError("int too big to convert")
    if isinstance(x, float):
        return _t.float64
    if isinstance(x, complex):
        return _t.complex128
    if isinstance(x, str):
        return _t.unicode_type
    if isinstance(x, np.generic):
        t = _t._NAMES.get(x.dtype.name)
        if t is not None:
            return t
    elif isinstance(x, np.ndarray):
        t = _t._NAMES.get(x.dtype.name)
        if isinstance(t, _t.Scalar):
            layout = "C" if x.flags.c_contiguous else "F" if x.flags.f_contiguous else "A"
            return _t.Array(t, x.ndim, layout, readonly=not x.flags.writeable)
    elif isinstance(x, tuple):
        items = [typeof(v) for v in x]
        if items and all(i == items[0] for i in items):
            return _t.UniTuple(items[0], len(items))
        return _t.Tuple(items)
    elif isinstance(x, List):
        if x._item_type is None:
            raise TypingError("cannot type an untyped (empty) typed.List: it has no item type yet")
        return _t.ListType(x._item_type)
    elif isinstance(x, Dict):
        if x._key_type is None:
            raise TypingError("cannot type an untyped (empty) typed.Dict: it has no key and value types yet")
        return _t.DictType(x._key_type, x._value_type)
    raise TypingError(f"cannot determine Numba type of {type(x).__name__!r} (value {x!r}) for a typed container")


def _refuse(t: _t.Type, x: Any, where: str) -> TypingError:
    try:
        got = repr(typeof(x))
    except (TypingError, OverflowError):
        got = type(x).__name__
    return TypingError(f"Failed in nopython mode pipeline (step: nopython frontend)\n{where}: cannot convert {x!r} ({got}) to {t!r}")


def convert(t: _t.Type, x: Any, where: str = "typed container") -> Any:
    """``x`` as a typed container of item type ``t`` holds it (Numba's
    implicit conversions), or Numba's error."""
    np = _np()
    if isinstance(t, _t.Scalar):
        if isinstance(x, int) and not isinstance(x, bool) and not _INT64_MIN <= x <= _INT64_MAX:
            # Numba unboxes a Python int stored into a container as an int64.
            raise OverflowError("int too big to convert")
        d = t.dtype
        is_bool = isinstance(x, (bool, np.bool_))
        is_int = is_bool or isinstance(x, (int, np.integer))
        is_float = is_int or isinstance(x, (float, np.floating))
        is_complex = is_float or isinstance(x, (complex, np.complexfloating))
        if d == "bool":
            if x is None:
                raise NotImplementedError("No definition for lowering bool(none): a None cannot be stored as a boolean")
            if is_complex or isinstance(x, str):
                return bool(x)
        elif d.startswith(("int", "uint")):
            if is_int:
                bits = _t._BITS_OF[d]
                v = int(x) & ((1 << bits) - 1)
                if d.startswith("int") and v >= 1 << (bits - 1):
                    v -= 1 << bits
                return v
        elif d.startswith("float"):
            if is_float:
                return float(x) if d == "float64" else float(np.float32(x))
        elif d.startswith("complex"):
            if is_complex:
                return complex(x) if d == "complex128" else complex(np.complex64(x))
        raise _refuse(t, x, where)
    if t is _t.unicode_type:
        if isinstance(x, str):
            return str(x)
        raise _refuse(t, x, where)
    if isinstance(t, _t.Tuple):
        if isinstance(x, tuple) and len(x) == len(t.types):
            return tuple(convert(it, v, where) for it, v in zip(t.types, x))
        raise _refuse(t, x, where)
    if isinstance(t, _t.Array):
        if isinstance(x, np.ndarray):
            got = typeof(x)
            if (
                isinstance(got, _t.Array)
                and got.dtype == t.dtype
                and got.ndim == t.ndim
                and (t.layout == "A" or got.layout == t.layout)
                and (t.readonly or not got.readonly)
            ):
                return x
        raise _refuse(t, x, where)
    if isinstance(t, _t.ListType):
        if isinstance(x, List) and x._item_type == t.item_type:
            return x
        raise _refuse(t, x, where)
    if isinstance(t, _t.DictType):
        if isinstance(x, Dict) and x._key_type == t.key_type and x._value_type == t.value_type:
            return x
        raise _refuse(t, x, where)
    raise TypingError(f"typed containers of {t!r} are not supported")


def _as_type(t: Any, what: str) -> _t.Type:
    if _t._is_numba(t):
        # (real Numba's own type objects, as `pyston.numba.install()` users pass them)
        if type(t).__name__ == "UnicodeType":
            t = _t.unicode_type
        else:
            try:
                t = _t._from_numba(t)
            except TypeError:
                pass
    if isinstance(t, str):
        t = {"unicode_type": _t.unicode_type, "string": _t.unicode_type, "bool": _t.boolean}.get(t) or _t._lookup(t)
    if not isinstance(t, _t.Type) or isinstance(t, _t.NoneType):
        raise TypingError(f"{what} must be a Numba type (types.float64, types.unicode_type, ...), not {t!r}")
    return t


def _show(x: Any) -> str:
    return str(x)


class List(list):
    """``numba.typed.List``: a list whose items share one Numba type.

    ``List()`` takes its item type from the first item stored, ``List(iterable)``
    from the iterable's first item, ``List.empty_list(item_type)`` is typed from
    the start. Items stored later are converted to that type as Numba converts
    them, or refused with ``TypingError``.
    """

    __slots__ = ("_item_type",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # (compiled code's `List.empty_list(t)` is `List(_pyston_item_type=name)`)
        item_type = kwargs.pop("_pyston_item_type", None)
        if kwargs:
            raise TypeError(f"List() got an unexpected keyword argument {next(iter(kwargs))!r}")
        if len(args) > 1:
            raise TypeError(f"List() expected at most 1 argument, got {len(args)}")
        super().__init__()
        self._item_type = None if item_type is None else _as_type(item_type, "item_type")
        if args:
            try:
                it = iter(args[0])
            except TypeError:
                raise TypeError("List() argument must be iterable") from None
            self.extend(it)

    @classmethod
    def empty_list(cls, item_type: Any, allocated: int = 0) -> List:
        """An empty list of ``item_type`` (``allocated`` is a capacity hint)."""
        out = cls()
        out._item_type = _as_type(item_type, "item_type")
        return out

    @property
    def _dtype(self):
        """The item type (``None`` until one is known), as Numba's ``List._dtype``."""
        return self._item_type

    @property
    def _numba_type_(self):
        return None if self._item_type is None else _t.ListType(self._item_type)

    def _conv(self, x: Any) -> Any:
        if self._item_type is None:
            t = typeof(x)
            v = convert(t, x, "typed.List")
            self._item_type = t
            return v
        return convert(self._item_type, x, "typed.List")

    def _conv_all(self, items) -> list:
        vals = []
        t0 = self._item_type
        try:
            for x in items:
                vals.append(self._conv(x))
        except BaseException:
            self._item_type = t0
            raise
        return vals

    def _typed(self) -> None:
        if self._item_type is None:
            raise TypeError("invalid operation on untyped list")

    def append(self, item: Any) -> None:
        super().append(self._conv(item))

    def extend(self, iterable: Any) -> None:
        super().extend(self._conv_all(iterable))

    def insert(self, index: Any, item: Any) -> None:
        super().insert(index, self._conv(item))

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            super().__setitem__(index, self._conv_all(value))
        else:
            super().__setitem__(index, self._conv(value))

    def __iadd__(self, other: Any):
        self.extend(other)
        return self

    def __getitem__(self, index: Any):
        if isinstance(index, slice):
            out = type(self)()
            out._item_type = self._item_type
            list.extend(out, super().__getitem__(index))
            return out
        if self._item_type is None and not isinstance(index, slice):
            raise IndexError()
        return super().__getitem__(index)

    def __eq__(self, other: Any):
        # Numba compares a typed.List only with another typed.List.
        return isinstance(other, List) and list.__eq__(self, other)

    def __ne__(self, other: Any):
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def pop(self, *args: Any):
        self._typed()
        return super().pop(*args)

    def copy(self) -> List:
        out = type(self)()
        out._item_type = self._item_type
        list.extend(out, self)
        return out

    def __copy__(self) -> List:
        return self.copy()

    def __reduce__(self):
        return (_rebuild_list, (self._item_type, list(self)))

    def __str__(self) -> str:
        return "[" + ", ".join(_show(x) for x in self) + "]"

    def __repr__(self) -> str:
        t = "Undefined" if self._item_type is None else repr(self._item_type)
        return f"ListType[{t}]({self})"


def _rebuild_list(item_type, items) -> List:
    out = List() if item_type is None else List.empty_list(item_type)
    out.extend(items)
    return out


_MISSING = object()


class Dict(dict):
    """``numba.typed.Dict``: a dict whose keys share one Numba type and whose
    values share another.

    ``Dict.empty(key_type, value_type)`` is typed from the start; ``Dict()``
    takes its types from the first item stored. Keys and values are converted
    as Numba converts them, or refused with ``TypingError``.
    """

    __slots__ = ("_key_type", "_value_type")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # (compiled code's `Dict.empty(k, v)` is `Dict(_pyston_key_type=k, _pyston_value_type=v)`)
        kt, vt = kwargs.pop("_pyston_key_type", None), kwargs.pop("_pyston_value_type", None)
        if kwargs:
            raise TypeError(f"Dict.__new__() got an unexpected keyword argument {next(iter(kwargs))!r}")
        if args:
            raise TypingError("dict(mapping) is not supported")
        super().__init__()
        self._key_type = None if kt is None else _as_type(kt, "key_type")
        self._value_type = None if vt is None else _as_type(vt, "value_type")

    @classmethod
    def empty(cls, key_type: Any, value_type: Any, n_keys: int = 0) -> Dict:
        """An empty dict of ``key_type`` -> ``value_type``."""
        out = cls()
        out._key_type = _as_type(key_type, "key_type")
        out._value_type = _as_type(value_type, "value_type")
        return out

    @property
    def _numba_type_(self):
        return None if self._key_type is None else _t.DictType(self._key_type, self._value_type)

    def _key(self, k: Any) -> Any:
        if self._key_type is None:
            return k
        return convert(self._key_type, k, "typed.Dict key")

    def _item(self, k: Any, v: Any) -> tuple:
        if self._key_type is None:
            kt, vt = typeof(k), typeof(v)
            kv, vv = convert(kt, k, "typed.Dict key"), convert(vt, v, "typed.Dict value")
            self._key_type, self._value_type = kt, vt
            return kv, vv
        return convert(self._key_type, k, "typed.Dict key"), convert(self._value_type, v, "typed.Dict value")

    def __setitem__(self, k: Any, v: Any) -> None:
        k, v = self._item(k, v)
        super().__setitem__(k, v)

    def __getitem__(self, k: Any):
        return super().__getitem__(self._key(k))

    def __delitem__(self, k: Any) -> None:
        super().__delitem__(self._key(k))

    def __contains__(self, k: Any) -> bool:
        return super().__contains__(self._key(k))

    def get(self, k: Any, default: Any = None):
        k = self._key(k)
        if super().__contains__(k):
            return super().__getitem__(k)
        if default is None or self._value_type is None:
            return default
        # Numba types `d.get(k, default)` as the value type: the default is converted.
        return convert(self._value_type, default, "typed.Dict.get default")

    def pop(self, k: Any, default: Any = _MISSING):
        k = self._key(k)
        if default is _MISSING:
            return super().pop(k)
        return super().pop(k, default)

    def setdefault(self, k: Any, default: Any = None):
        k = self._key(k)
        if super().__contains__(k):
            return super().__getitem__(k)
        self[k] = default
        return super().__getitem__(self._key(k))

    def update(self, other: Any = (), **kwargs: Any) -> None:
        items = other.items() if hasattr(other, "items") else other
        for k, v in items:
            self[k] = v
        for k, v in kwargs.items():
            self[k] = v

    def __ior__(self, other: Any):
        self.update(other)
        return self

    def copy(self) -> Dict:
        out = type(self)()
        out._key_type, out._value_type = self._key_type, self._value_type
        dict.update(out, self)
        return out

    def __copy__(self) -> Dict:
        return self.copy()

    def __reduce__(self):
        return (_rebuild_dict, (self._key_type, self._value_type, list(self.items())))

    def __str__(self) -> str:
        return "{" + ", ".join(f"{_show(k)}: {_show(v)}" for k, v in self.items()) + "}"

    def __repr__(self) -> str:
        if self._key_type is None:
            return f"None({self})"
        return f"DictType[{self._key_type!r},{self._value_type!r}]<iv=None>({self})"


def _rebuild_dict(key_type, value_type, items) -> Dict:
    out = Dict() if key_type is None else Dict.empty(key_type, value_type)
    for k, v in items:
        out[k] = v
    return out


def _new_list(item_type: Any, *iterable: Any, **_declared: Any) -> List:
    """A typed list made by compiled code, whose item type inference fixed
    (``None``: nothing is stored into it), holding the items of ``iterable``
    converted to it."""
    out = List() if item_type is None else List.empty_list(item_type)
    if iterable:
        out.extend(iterable[0])
    return out


def _new_dict(key_type: Any, value_type: Any, **_declared: Any) -> Dict:
    """A typed dict made by compiled code (see :func:`_new_list`)."""
    return Dict() if key_type is None else Dict.empty(key_type, value_type)


def literal_unroll(container: Any) -> Any:
    """``numba.literal_unroll``: the container itself. In compiled code a
    ``for x in literal_unroll(tup)`` loop over a tuple runs its body once per
    item, each with that item's own type (as any loop over a tuple does)."""
    return container


class _ObjMode:
    """``numba.objmode``: ``with objmode(y='float64'):`` runs its block in
    CPython. Outside compiled code (and in a function pyston runs as plain
    Python because of it) it does nothing."""

    __slots__ = ("_outputs",)

    def __init__(self, outputs: dict | None = None) -> None:
        self._outputs = outputs or {}

    def __call__(self, *args: Any, **outputs: Any) -> _ObjMode:
        if args:
            raise TypeError("objmode() takes only keyword arguments: name='type'")
        for name, t in outputs.items():
            if not isinstance(t, (str, _t.Type)):
                raise TypeError(f"objmode output {name!r}: the type must be a Numba type or its name, not {t!r}")
        return _ObjMode(outputs)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False

    def __repr__(self) -> str:
        return "pyston.numba.objmode"


objmode = _ObjMode()


def _register() -> None:
    from ._pyston import _register_typed_containers

    _register_typed_containers(List, Dict)


_register()


def uses_python_only_features(func: Any) -> bool:
    """Whether ``func``'s code names ``typed.List``/``typed.Dict`` (or the
    ``typed`` module), ``objmode`` or ``literal_unroll``, as they are bound
    when it is decorated. Compiled code does not run ``with`` blocks, and
    compiles a ``literal_unroll`` loop only where one item type serves every
    item (numbers), so ``njit`` lets such a function run as plain Python
    (with one ``PerformanceWarning``) where it cannot compile it, instead of
    raising ``CompileError``: the containers and ``objmode`` then behave as
    in Numba."""
    import types as pytypes

    targets = {id(List), id(Dict), id(objmode), id(literal_unroll)}
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    names: set = set()
    stack = [code]
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        names.update(c.co_freevars)
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    glb = getattr(func, "__globals__", {})
    cells = {}
    if func.__closure__:
        for n, cell in zip(code.co_freevars, func.__closure__):
            try:
                cells[n] = cell.cell_contents
            except ValueError:
                pass
    for n in names:
        v = cells.get(n, glb.get(n))
        if v is None:
            continue
        if id(v) in targets:
            return True
        if isinstance(v, pytypes.ModuleType):
            # `typed` itself, or a module holding it (`pyston.numba`, perhaps re-imported)
            def attr(m, a):
                try:  # (a module's __getattr__ may raise anything: pyston.types raises NotImplementedError)
                    return getattr(m, a, None)
                except Exception:  # noqa: BLE001
                    return None

            if attr(v, "List") is List:
                return True
            if names & {"typed", "objmode", "literal_unroll"} and (
                attr(attr(v, "typed"), "List") is List
                or attr(v, "objmode") is objmode
                or attr(v, "literal_unroll") is literal_unroll
            ):
                return True
    return False
