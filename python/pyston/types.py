"""Numba-style type objects and signatures, for ``pyston.njit`` / ``pyston.jit``.

Write signatures the way Numba does::

    from pyston.types import float64, int64
    float64(float64[:], int64)          # a Signature
    float64[:, ::1]                     # a 2-d C-contiguous float64 array type
    parse_signature("f8(f8[:], i8)")    # the same from a string

Only the types pyston compiles exist here: bool, int8, int16, int32, int64,
uint8, uint16, uint32, uint64, float32, float64, complex64, complex128 scalars,
``unicode_type`` (a Python ``str``), arrays of those, tuples of those and
``void``/``none`` (a return type).  Other Numba type names (``float16``,
which Numba itself cannot compile, ``List``, ...) are recognised in strings
and rejected with a ``TypeError`` naming them.

A signature's return type is parsed and validated but **not enforced**: the
function returns whatever its code computes (pyston does not insert Numba's
implicit cast of the result).
"""

from __future__ import annotations

import ast
import itertools
from typing import Iterator, Optional, Sequence

__all__ = [
    "Type",
    "Scalar",
    "NoneType",
    "Array",
    "Tuple",
    "UniTuple",
    "ListType",
    "DictType",
    "unicode_type",
    "Signature",
    "parse_signature",
    "normalize_signature",
    "int64",
    "int32",
    "int16",
    "int8",
    "i2",
    "i1",
    "uintp",
    "uintc",
    "u8",
    "u4",
    "u2",
    "u1",
    "byte",
    "uint64",
    "uint32",
    "uint16",
    "uint8",
    "float64",
    "float32",
    "boolean",
    "bool_",
    "complex128",
    "complex64",
    "intp",
    "int_",
    "intc",
    "double",
    "f8",
    "i8",
    "f4",
    "i4",
    "b1",
    "c16",
    "c8",
    "void",
    "none",
]


class Type:
    """Base of every pyston type object (the counterpart of ``numba.types.Type``)."""

    name: str = "?"

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def _key(self):
        return self.name

    def __call__(self, *args):
        """``float64(float64[:], int64)``: a signature returning this type.

        Called with one value that is not a type (``float64(3)``), a scalar
        type converts it, as Numba's types do: ``np.float64(3.0)``.
        """
        if len(args) == 1 and not isinstance(args[0], (Type, str)) and isinstance(self, Scalar):
            import numpy as np

            return np.dtype(self.dtype).type(args[0])
        return Signature(self, tuple(_as_type(a, "argument") for a in args))

    def dispatch_types(self) -> list[tuple]:
        """The pyston argument-type tuples (``Dispatcher.compile_types``) a value
        of this Numba type can arrive as."""
        raise TypeError(f"{self!r} cannot be the type of an argument")


class Scalar(Type):
    """A scalar type: ``int64``, ``float64``, ...

    ``dtype`` is the NumPy dtype name; ``python`` the Python type name whose
    values Numba also accepts for it (``None`` for int32/float32, which only
    NumPy scalars of that dtype match).
    """

    def __init__(self, name: str, dtype: str, python: Optional[str]):
        self.name = name
        self.dtype = dtype
        self.python = python

    def _key(self):
        return self.dtype

    def __getitem__(self, spec) -> Array:
        """``float64[:]``, ``float64[:, :]``, ``float64[::1]``, ``float64[:, ::1]``, ``float64[::1, :]``."""
        ndim, layout = _array_spec(spec)
        return Array(self, ndim, layout)

    def dispatch_types(self) -> list[tuple]:
        out = []
        if self.python is not None:
            out.append((self.python,))
        out.append(("np", self.dtype))
        return out


class NoneType(Type):
    """``none`` / ``void``: only meaningful as a return type."""

    def __init__(self, name: str = "none"):
        self.name = name

    def _key(self):
        return "none"

    def dispatch_types(self) -> list[tuple]:
        return [("none",)]


class Array(Type):
    """``Array(float64, 2, "C")``: the type of a NumPy array argument."""

    def __init__(self, dtype: Scalar, ndim: int, layout: str = "A", readonly: bool = False, aligned: bool = True):
        if not isinstance(dtype, Scalar):
            raise TypeError(f"array element type must be a scalar type (float64, int64, ...), not {dtype!r}")
        if not isinstance(ndim, int) or isinstance(ndim, bool) or ndim < 0:
            raise ValueError(f"array ndim must be a non-negative int, not {ndim!r}")
        if layout not in ("C", "F", "A"):
            raise ValueError(f"array layout must be 'C', 'F' or 'A', not {layout!r}")
        self.dtype = dtype
        self.ndim = ndim
        self.layout = layout
        self.readonly = bool(readonly)
        self.name = f"{'readonly ' if readonly else ''}array({dtype.name}, {ndim}d, {layout})"

    def _key(self):
        return (self.dtype.dtype, self.ndim, self.layout, self.readonly)

    def dispatch_types(self) -> list[tuple]:
        return [("array", self.dtype.dtype, self.ndim, self.layout)]


class Tuple(Type):
    """``Tuple((float64, int64))``: a heterogeneous tuple."""

    def __init__(self, types: Sequence[Type]):
        self.types = tuple(_as_type(t, "tuple item") for t in types)
        self.name = f"Tuple({', '.join(t.name for t in self.types)})"

    def _key(self):
        return tuple(t._key() for t in self.types)

    def __len__(self) -> int:
        return len(self.types)

    def __iter__(self) -> Iterator[Type]:
        return iter(self.types)

    def dispatch_types(self) -> list[tuple]:
        return [("tuple", list(items)) for items in _product([t.dispatch_types() for t in self.types])]


class _Unicode(Type):
    """``unicode_type``: Python ``str`` (the item type of typed containers of strings)."""

    name = "unicode_type"

    def dispatch_types(self) -> list[tuple]:
        return [("str",)]


unicode_type = _Unicode()


class ListType(Type):
    """``ListType(item_type)``: the type of a ``numba.typed.List``."""

    def __init__(self, item_type: Type):
        self.item_type = _as_type(item_type, "list item")
        self.dtype = self.item_type
        self.name = f"ListType[{self.item_type!r}]"

    def _key(self):
        return ("list", self.item_type._key())


class DictType(Type):
    """``DictType(key_type, value_type)``: the type of a ``numba.typed.Dict``."""

    def __init__(self, key_type: Type, value_type: Type):
        self.key_type = _as_type(key_type, "dict key")
        self.value_type = _as_type(value_type, "dict value")
        self.name = f"DictType[{self.key_type!r},{self.value_type!r}]<iv=None>"

    def _key(self):
        return ("dict", self.key_type._key(), self.value_type._key())


def UniTuple(dtype: Type, count: int) -> Tuple:  # noqa: N802 - Numba's name
    """``UniTuple(float64, 3)``: a tuple of ``count`` items of one type."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"UniTuple count must be a non-negative int, not {count!r}")
    t = Tuple([dtype] * count)
    t.name = f"UniTuple({t.types[0].name} x {count})" if count else "Tuple()"
    return t


class Signature:
    """A function signature: ``return_type(arg types...)``.

    ``return_type`` may be ``None`` (a signature given as just the argument
    types).  It is validated but not enforced at run time.
    """

    def __init__(self, return_type: Optional[Type], args: Sequence[Type]):
        self.return_type = return_type
        self.args = tuple(args)

    def __repr__(self) -> str:
        args = "(" + ", ".join(map(repr, self.args)) + ("," if len(self.args) == 1 else "") + ")"
        return f"{args} -> {self.return_type!r}"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return isinstance(other, Signature) and (self.return_type, self.args) == (other.return_type, other.args)

    def __hash__(self) -> int:
        return hash((self.return_type, self.args))

    def dispatch_signatures(self, cap: int = 64) -> list[list[tuple]]:
        """Every combination of pyston argument types this signature accepts
        (a Python int and an ``np.int64`` both match ``int64``, ...), at most
        ``cap`` of them: all-Python scalars first, then all-NumPy scalars, then
        the mixed ones."""
        choices = [a.dispatch_types() for a in self.args]
        first = [c[0] for c in choices]
        last = [c[-1] for c in choices]
        out = [first]
        if last != first:
            out.append(last)
        for combo in itertools.product(*choices):
            if len(out) >= cap:
                break
            combo = list(combo)
            if combo != first and combo != last:
                out.append(combo)
        return out


def _product(choices):
    return itertools.product(*choices)


def _as_type(t, what: str) -> Type:
    if isinstance(t, Type):
        return t
    if isinstance(t, str):
        return _Parser(t).type_only()
    if _is_numba(t):
        return _from_numba(t)
    raise TypeError(f"expected a pyston/Numba type as {what}, got {t!r}")


def _is_numba(obj) -> bool:
    """Whether ``obj`` is one of real Numba's own objects (``numba.types.int32``)."""
    return type(obj).__module__.split(".")[0] == "numba"


def _from_numba(t) -> Type:
    """A type object of real Numba (``numba.types.float64[:, ::1]``, ``UniTuple``)
    as pyston's: the scalars, arrays and tuples of them pyston takes."""
    kind = type(t).__name__
    if kind == "Boolean":
        return boolean
    if kind in ("Integer", "Float", "Complex"):
        return _lookup(t.name)
    if kind == "Array":
        return Array(_from_numba(t.dtype), t.ndim, t.layout, readonly=not t.mutable)
    if kind in ("Tuple", "UniTuple"):
        return Tuple([_from_numba(x) for x in t.types])
    if kind == "NoneType":
        return none
    if kind == "UnicodeType":
        return unicode_type
    raise TypeError(
        f"Numba type {t} is not supported by pyston (supported: bool, int8 to int64, uint8 to uint64, "
        "float32, float64, complex64, complex128, unicode_type, arrays and tuples of them)"
    )


def _array_spec(spec) -> tuple[int, str]:
    """Numba's rule: ``[::1, ...]`` is Fortran order, ``[..., ::1]`` C order, else any."""
    items = spec if isinstance(spec, tuple) else (spec,)
    for s in items:
        if not isinstance(s, slice) or s.start is not None or s.stop is not None or s.step not in (None, 1):
            raise ValueError(f"array types are written with ':' or '::1' per dimension (float64[:, ::1]), got {s!r}")
    ndim = len(items)
    if ndim == 0:
        raise ValueError("an array type needs at least one dimension")
    if items[0].step == 1 and ndim > 1:
        layout = "F"
    elif items[-1].step == 1:
        layout = "C"
    else:
        layout = "A"
    return ndim, layout


# --------------------------------------------------------------------------
# the type objects
# --------------------------------------------------------------------------

boolean = Scalar("bool", "bool", "bool")
int32 = Scalar("int32", "int32", None)
int64 = Scalar("int64", "int64", "int")
int8 = Scalar("int8", "int8", None)
int16 = Scalar("int16", "int16", None)
uint8 = Scalar("uint8", "uint8", None)
uint16 = Scalar("uint16", "uint16", None)
uint32 = Scalar("uint32", "uint32", None)
uint64 = Scalar("uint64", "uint64", None)
float32 = Scalar("float32", "float32", None)
float64 = Scalar("float64", "float64", "float")
complex128 = Scalar("complex128", "complex128", "complex")
complex64 = Scalar("complex64", "complex64", None)
none = NoneType("none")
void = none

bool_ = b1 = boolean
intp = int_ = i8 = int64
intc = i4 = int32
i2 = int16
i1 = int8
uintp = u8 = uint64
uintc = u4 = uint32
u2 = uint16
byte = u1 = uint8
double = f8 = float64
f4 = float32
c16 = complex128
c8 = complex64

_NAMES = {
    "boolean": boolean, "bool_": boolean, "b1": boolean,
    "int64": int64, "intp": int64, "int_": int64, "i8": int64, "long_": int64, "longlong": int64,
    "int32": int32, "intc": int32, "i4": int32,
    "int16": int16, "i2": int16, "short": int16,
    "int8": int8, "i1": int8, "char": int8,
    "uint64": uint64, "u8": uint64, "uintp": uint64, "uint": uint64, "ulonglong": uint64,
    "uint32": uint32, "u4": uint32, "uintc": uint32,
    "uint16": uint16, "u2": uint16, "ushort": uint16,
    "uint8": uint8, "u1": uint8, "byte": uint8, "uchar": uint8,
    "float64": float64, "double": float64, "f8": float64,
    "float32": float32, "f4": float32,
    "complex128": complex128, "c16": complex128, "cdouble": complex128,
    "complex64": complex64, "c8": complex64, "csingle": complex64,
    "none": none, "void": none,
    "unicode_type": unicode_type,
}

_BITS_OF = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}

# Numba types pyston does not compile (yet): named in the TypeError.
_KNOWN_UNSUPPORTED = {
    "float16", "f2",
    "string", "char_seq", "pyobject", "ffi_forced_object", "NPDatetime", "NPTimedelta",
    "List", "Dict", "Set", "Optional", "Record", "CPointer", "voidptr",
}


def __getattr__(name: str):
    if name in _KNOWN_UNSUPPORTED:
        raise NotImplementedError(f"pyston does not support the Numba type {name!r} yet")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _lookup(name: str) -> Type:
    t = _NAMES.get(name)
    if t is not None:
        return t
    if name in _KNOWN_UNSUPPORTED:
        raise TypeError(
            f"Numba type {name!r} is not supported by pyston (supported: bool, int8 to int64, uint8 to "
            "uint64, float32, float64, complex64, complex128, unicode_type, arrays and tuples of them)"
        )
    raise TypeError(f"unknown type name {name!r} in signature")


# --------------------------------------------------------------------------
# signature strings
# --------------------------------------------------------------------------


class _Parser:
    """Parses Numba signature strings without ``eval``: the string must be a
    Python expression built from type names, ``[...]`` with ``:``/``::1``,
    calls (``ret(args)``, ``UniTuple(t, n)``, ``Tuple((t, u))``,
    ``Array(t, n, "C")``) and tuples."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"a signature string must be a str, got {type(text).__name__}")
        self.text = text

    def _bad(self, node, why: str) -> ValueError:
        part = ast.get_source_segment(self.text, node) if node is not None else None
        where = f" at {part!r}" if part else ""
        return ValueError(f"malformed signature {self.text!r}{where}: {why}")

    def _tree(self):
        src = self.text.strip()
        if not src:
            raise ValueError("malformed signature '': empty string")
        try:
            tree = ast.parse(src, mode="eval")
        except SyntaxError as e:
            col = (e.offset or 1) - 1
            caret = " " * col + "^"
            raise ValueError(f"malformed signature {self.text!r}: {e.msg}\n    {src}\n    {caret}") from None
        self.text = src
        return tree.body

    def signature(self) -> Signature:
        node = self._tree()
        if isinstance(node, ast.Call) and not self._is_constructor(node):
            ret = self._type(node.func)
            if node.keywords:
                raise self._bad(node.keywords[0], "keyword arguments are not allowed in a signature")
            return Signature(ret, tuple(self._type(a) for a in node.args))
        if isinstance(node, ast.Tuple):
            return Signature(None, tuple(self._type(a) for a in node.elts))
        t = self._type(node)
        if isinstance(t, Tuple):
            return Signature(None, t.types)
        raise self._bad(node, "expected 'return_type(argument types...)', e.g. 'float64(float64[:], int64)'")

    def type_only(self) -> Type:
        return self._type(self._tree())

    @staticmethod
    def _is_constructor(node: ast.Call) -> bool:
        return isinstance(node.func, ast.Name) and node.func.id in ("UniTuple", "Tuple", "Array")

    def _type(self, node) -> Type:
        if isinstance(node, ast.Name):
            return _lookup(node.id)
        if isinstance(node, ast.Attribute):
            # numba.float64 / types.float64 / nb.types.int64
            return _lookup(node.attr)
        if isinstance(node, ast.Subscript):
            base = self._type(node.value)
            if not isinstance(base, Scalar):
                raise self._bad(node, f"cannot make an array of {base!r}")
            spec = node.slice
            if isinstance(spec, ast.Index):  # Python 3.8 AST (kept for safety)
                spec = spec.value  # pragma: no cover
            items = spec.elts if isinstance(spec, ast.Tuple) else [spec]
            slices = []
            for it in items:
                if not isinstance(it, ast.Slice) or it.lower is not None or it.upper is not None:
                    raise self._bad(it, "each array dimension must be ':' or '::1'")
                if it.step is None:
                    slices.append(slice(None))
                elif isinstance(it.step, ast.Constant) and it.step.value == 1 and type(it.step.value) is int:
                    slices.append(slice(None, None, 1))
                else:
                    raise self._bad(it, "each array dimension must be ':' or '::1'")
            ndim, layout = _array_spec(tuple(slices))
            return Array(base, ndim, layout)
        if isinstance(node, ast.Call) and self._is_constructor(node):
            name = node.func.id
            kw = {k.arg: k.value for k in node.keywords}
            if name == "UniTuple":
                if len(node.args) != 2 or kw:
                    raise self._bad(node, "UniTuple takes (type, count)")
                count = self._int(node.args[1])
                return UniTuple(self._type(node.args[0]), count)
            if name == "Tuple":
                if len(node.args) != 1 or kw or not isinstance(node.args[0], (ast.Tuple, ast.List)):
                    raise self._bad(node, "Tuple takes one tuple of types: Tuple((float64, int64))")
                return Tuple([self._type(e) for e in node.args[0].elts])
            # Array(dtype, ndim, layout)
            if not 2 <= len(node.args) <= 3 or set(kw) - {"layout", "readonly", "aligned"}:
                raise self._bad(node, "Array takes (dtype, ndim, layout)")
            dtype = self._type(node.args[0])
            if not isinstance(dtype, Scalar):
                raise self._bad(node.args[0], "array element type must be a scalar type")
            ndim = self._int(node.args[1])
            layout_node = node.args[2] if len(node.args) == 3 else kw.get("layout")
            layout = "A"
            if layout_node is not None:
                if not isinstance(layout_node, ast.Constant) or layout_node.value not in ("C", "F", "A"):
                    raise self._bad(layout_node, "layout must be 'C', 'F' or 'A'")
                layout = layout_node.value
            readonly = False
            if "readonly" in kw:
                r = kw["readonly"]
                if not isinstance(r, ast.Constant) or not isinstance(r.value, bool):
                    raise self._bad(r, "readonly must be True or False")
                readonly = r.value
            return Array(dtype, ndim, layout, readonly=readonly)
        if isinstance(node, ast.Tuple):
            return Tuple([self._type(e) for e in node.elts])
        if isinstance(node, ast.Call):
            raise self._bad(node, "a signature cannot be used as a type")
        raise self._bad(node, "expected a type name such as float64, int64[:] or UniTuple(float64, 2)")

    def _int(self, node) -> int:
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 0:
            return node.value
        raise self._bad(node, "expected a non-negative integer")


def parse_signature(text: str) -> Signature:
    """Parse a Numba signature string such as ``"float64(float64[:], int64)"``.

    ``"(float64, int64)"`` (argument types only) gives a signature whose
    ``return_type`` is ``None``.  An unknown type name raises ``TypeError``
    naming it; a malformed string raises ``ValueError`` showing the offending
    part.
    """
    return _Parser(text).signature()


def normalize_signature(sig) -> Signature:
    """A :class:`Signature` from a string, a Signature, or a tuple of types."""
    if isinstance(sig, Signature):
        return sig
    if isinstance(sig, str):
        return parse_signature(sig)
    if isinstance(sig, tuple):
        return Signature(None, tuple(_as_type(t, "argument") for t in sig))
    if _is_numba(sig) and hasattr(sig, "args") and hasattr(sig, "return_type"):
        # Real Numba's `int32(int32, float64)`.
        ret = None if sig.return_type is None else _from_numba(sig.return_type)
        return Signature(ret, tuple(_from_numba(t) for t in sig.args))
    if isinstance(sig, Type):
        raise TypeError(
            f"{sig!r} is a type, not a signature; write {sig!r}(argument types...) or a tuple of argument types"
        )
    raise TypeError(f"a signature must be a string, a Signature or a tuple of types, not {type(sig).__name__}")
