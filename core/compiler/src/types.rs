//! Types of IR values, and the result-type rules of Python and NumPy
//! (NEP 50) for the operations compiled code handles.

pub use crate::dtype::{c_strides, Dtype, Kind, Layout, TimeUnit};
use crate::hir::{BinOp, UnaryOp};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// A user's namedtuple class, as compiled code knows it: its name and its
/// fields in order (the runtime keeps the class object, under the same index,
/// and checked that it is a plain namedtuple: see `boxing::namedtuple_class`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedTupleDesc {
    /// The class object's address (kept alive by the runtime's registry).
    pub key: usize,
    pub name: String,
    pub fields: Vec<String>,
}

fn named_tuples() -> &'static Mutex<Vec<NamedTupleDesc>> {
    static R: OnceLock<Mutex<Vec<NamedTupleDesc>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// The index of a namedtuple class in the registry (added if new).
pub fn intern_named_tuple(desc: NamedTupleDesc) -> u32 {
    let mut r = named_tuples().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = r.iter().position(|d| *d == desc) {
        return i as u32;
    }
    r.push(desc);
    (r.len() - 1) as u32
}

/// The namedtuple class of index `id`.
pub fn named_tuple(id: u32) -> Option<NamedTupleDesc> {
    named_tuples()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(id as usize)
        .cloned()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArrTy {
    pub dtype: Dtype,
    pub ndim: u8,
    pub layout: Layout,
    /// The array is not writeable (stores raise NumPy's ValueError).
    pub readonly: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Module {
    Math,
    Numpy,
    /// `numpy.random` (its legacy functions draw from NumPy's global generator).
    NumpyRandom,
    /// `numpy.linalg` (its functions are calls into NumPy).
    NumpyLinalg,
    /// The standard library's `operator`, `cmath` and `random` (its functions
    /// draw from CPython's own Mersenne Twister, `random._inst`).
    Operator,
    Cmath,
    Random,
    /// `pyston.numba.typed` (its `List` and `Dict`).
    Typed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MathFn {
    Sqrt,
    Exp,
    Log,
    Log2,
    Log10,
    Log1p,
    Expm1,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Atan2,
    Pow,
    Fmod,
    Copysign,
    Floor,
    Ceil,
    Trunc,
    Fabs,
    Isnan,
    Isinf,
    Isfinite,
    Degrees,
    Radians,
    /// Functions CPython implements itself (not a libm call): called through CPython.
    Hypot,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
}

impl MathFn {
    pub const ALL: [MathFn; 37] = [
        MathFn::Sqrt,
        MathFn::Exp,
        MathFn::Log,
        MathFn::Log2,
        MathFn::Log10,
        MathFn::Log1p,
        MathFn::Expm1,
        MathFn::Sin,
        MathFn::Cos,
        MathFn::Tan,
        MathFn::Asin,
        MathFn::Acos,
        MathFn::Atan,
        MathFn::Sinh,
        MathFn::Cosh,
        MathFn::Tanh,
        MathFn::Asinh,
        MathFn::Acosh,
        MathFn::Atanh,
        MathFn::Atan2,
        MathFn::Pow,
        MathFn::Fmod,
        MathFn::Copysign,
        MathFn::Floor,
        MathFn::Ceil,
        MathFn::Trunc,
        MathFn::Fabs,
        MathFn::Isnan,
        MathFn::Isinf,
        MathFn::Isfinite,
        MathFn::Degrees,
        MathFn::Radians,
        MathFn::Hypot,
        MathFn::Erf,
        MathFn::Erfc,
        MathFn::Gamma,
        MathFn::Lgamma,
    ];

    /// The name in the `math` module.
    pub fn name(self) -> &'static str {
        use MathFn::*;
        match self {
            Sqrt => "sqrt",
            Exp => "exp",
            Log => "log",
            Log2 => "log2",
            Log10 => "log10",
            Log1p => "log1p",
            Expm1 => "expm1",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Atan2 => "atan2",
            Pow => "pow",
            Fmod => "fmod",
            Copysign => "copysign",
            Floor => "floor",
            Ceil => "ceil",
            Trunc => "trunc",
            Fabs => "fabs",
            Isnan => "isnan",
            Isinf => "isinf",
            Isfinite => "isfinite",
            Degrees => "degrees",
            Radians => "radians",
            Hypot => "hypot",
            Erf => "erf",
            Erfc => "erfc",
            Gamma => "gamma",
            Lgamma => "lgamma",
        }
    }

    pub fn arity(self) -> usize {
        use MathFn::*;
        match self {
            Atan2 | Pow | Fmod | Copysign | Hypot => 2,
            _ => 1,
        }
    }

    /// The C library function compiled code calls (the one CPython calls).
    pub fn libm(self) -> Option<&'static str> {
        use MathFn::*;
        Some(match self {
            Exp => "exp",
            Log => "log",
            Log2 => "log2",
            Log10 => "log10",
            Log1p => "log1p",
            Expm1 => "expm1",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Atan2 => "atan2",
            Pow => "pow",
            Fmod => "fmod",
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AllocKind {
    Empty,
    Zeros,
    Ones,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    Abs,
    Min,
    Max,
    Len,
    Int,
    Float,
    Bool,
    Round,
    Complex,
    Range,
    Math(MathFn),
    /// `np.empty/zeros/ones(shape, dtype=...)`
    NpAlloc(AllocKind),
    /// `np.empty_like/zeros_like/ones_like(a, dtype=...)`
    NpAllocLike(AllocKind),
    // Builtins a `for` loop expands inline (lower.rs); not callable otherwise.
    Enumerate,
    Zip,
    Reversed,
    NdIndex,
    NdEnumerate,
    // Builtins on lists (and, for `sum`/`min`/`max`/`any`/`all`/`list`, on a
    // generator expression, which lower.rs expands into a loop).
    Sum,
    Sorted,
    Any,
    All,
    List,
    Dict,
    Set,
    /// `isinstance(x, cls)`: decided at compile time from `x`'s type.
    Isinstance,
    /// `getattr(x, "name")` with a constant name: lowered as `x.name` (lower.rs);
    /// not callable otherwise.
    Getattr,
    /// `map(f, xs)` and `filter(f, xs)` consumed by `list`, `sum`, `min`,
    /// `max`, `any` or `all`: lowered as the generator expression they are
    /// (`lower/comp.rs`); not callable otherwise.
    Map,
    Filter,
    /// `tuple(genexp)` over tuples of known lengths: unrolled into a tuple
    /// display (`lower/comp.rs`); not callable otherwise.
    Tuple,
    /// `iter(x)` / `next(it)` of a local iterator the lowering steps itself
    /// (`lower/iters.rs`); not callable otherwise.
    Iter,
    Next,
    /// `hasattr(x, "name")` with a constant name on a value of known type:
    /// decided at compile time ([`crate::infer::Env::has_attribute`]).
    Hasattr,
    // Builtins on strings (called through CPython: `infer/strings.rs`).
    Str,
    Repr,
    Format,
    Ord,
    Chr,
    Hex,
    Oct,
    Bin,
    /// `print(...)`: CPython's own, called from compiled code (writes when it runs).
    Print,
    /// `numba.typed.List` (pyston's `pyston.numba.typed.List`, a `list`
    /// subclass): called, it makes a list site like `list()`, created by the
    /// class itself (through Python) so that it comes back typed.
    TypedList,
    /// `numba.typed.Dict` (a `dict` subclass): as [`Builtin::TypedList`].
    TypedDict,
}

/// `isinstance(x, cls)` for a value of type `x` (not a union) and a class
/// `cls` (`int`, `float`, `bool`, `complex`, a NumPy scalar type, or a tuple
/// of them), by CPython's and NumPy's class hierarchy: `bool` is an `int`,
/// `np.float64` a `float` and `np.complex128` a `complex`; no other NumPy
/// scalar is a Python number's subclass. `None` when `cls` is none of these.
pub fn isinstance_static(x: &Ty, cls: &Ty) -> Option<bool> {
    Some(match cls {
        Ty::Tuple(cs) => {
            let mut any = false;
            for c in cs {
                any |= isinstance_static(x, c)?;
            }
            any
        }
        Ty::Builtin(Builtin::Int) => matches!(x, Ty::Int | Ty::Bool | Ty::PyInt),
        Ty::Builtin(Builtin::Bool) => matches!(x, Ty::Bool),
        Ty::Builtin(Builtin::Float) => matches!(x, Ty::Float | Ty::Np(Dtype::Float64)),
        Ty::Builtin(Builtin::Complex) => matches!(x, Ty::Complex | Ty::Np(Dtype::Complex128)),
        Ty::Builtin(Builtin::Str) => matches!(x, Ty::Str(_) | Ty::PyStr),
        Ty::DtypeObj(d) => *x == Ty::Np(*d),
        _ => return None,
    })
}

/// Whether `t` is a class `isinstance` decides statically (see `isinstance_static`).
pub fn is_class(t: &Ty) -> bool {
    matches!(
        t,
        Ty::Builtin(Builtin::Int | Builtin::Bool | Builtin::Float | Builtin::Complex | Builtin::Str) | Ty::DtypeObj(_)
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    /// Not known yet (inference has not reached a definition).
    Bottom,
    NoneT,
    Bool,
    Int,
    Float,
    Complex,
    /// A NumPy scalar (`np.float64`, `np.int32`, ...).
    Np(Dtype),
    /// A Python int held as an object (beyond 64 bits, or "boxed" after
    /// overflowing on earlier calls); arithmetic goes through CPython.
    PyInt,
    Array(ArrTy),
    Tuple(Vec<Ty>),
    /// An instance of a user's `collections.namedtuple` / `typing.NamedTuple`
    /// class (an index into [`named_tuple`]'s registry) with these item types:
    /// the slots of the tuple of its items; made as an instance of that very
    /// class where it leaves compiled code.
    NamedTuple(u32, Vec<Ty>),
    /// The namedtuple class itself (compile-time only): calling it makes a
    /// [`Ty::NamedTuple`].
    NamedTupleClass(u32),
    /// One of several scalar types, decided at run time (a tag travels with the value).
    Union(Vec<Ty>),
    /// A local read before assignment (only inside unions).
    Undef,
    // Compile-time-only values (no run-time representation):
    Module(Module),
    Builtin(Builtin),
    /// Another compiled function (an index into the dispatcher registry).
    Func(u32),
    Str(String),
    /// A NumPy dtype / scalar type object, e.g. `np.float64`.
    DtypeObj(Dtype),
    /// A NumPy dtype instance (`a.dtype`): usable as a `dtype=` argument.
    Descr(Dtype),
    /// `slice(lo, hi, step)`; each part an int or None.
    Slice(Vec<Ty>),
    /// `...`
    Ellipsis,
    /// A NumPy function or ufunc that compiled code calls through NumPy itself
    /// (an index into the objects captured at compile time).
    PyFunc(u32),
    /// A Python object of a class compiled code knows (`numpy.random.Generator`):
    /// one slot, the object pointer, kept alive by the caller or the call's
    /// arena; its methods are calls into Python (some native in the runtime).
    Obj(ObjClass),
    /// A Python `list` whose elements compiled code reads as the element type
    /// (`list(float)`): one slot, the list object (kept alive by the caller or
    /// the call's arena). Elements are checked when read (a mismatch
    /// deoptimizes); `Bottom` is a list no element was seen for (empty).
    List(Box<Ty>),
    /// A list made in the function that never leaves it (see
    /// `infer::local_lists`): one slot, a runtime object holding the elements
    /// unboxed (`helpers/local_lists.rs`). Made into a real `list` (once, so
    /// aliases stay one object) where compiled code hands its values to the
    /// interpreter tier.
    LocalList(Box<Ty>),
    /// A dict made in the function that never leaves it, with int keys and
    /// native values (see `infer::local_lists`): one slot, a runtime object
    /// holding the entries unboxed in insertion order (`helpers/local_lists.rs`);
    /// made into a real `dict` as [`Ty::LocalList`] is made into a `list`.
    LocalDict(Box<Ty>, Box<Ty>),
    /// A view (`keys()`, `values()`, `items()`) of a [`Ty::LocalDict`] with its
    /// key and value types, that only a `for` loop reads: one slot, the local
    /// dict; made into the real dict's view where compiled code hands its
    /// values to the interpreter tier.
    LocalView(ViewKind, Box<Ty>, Box<Ty>),
    /// A `for` loop's iteration over a [`Ty::LocalDict`] (`Keys` for the dict
    /// itself) or a [`Ty::LocalView`]: one slot, a runtime object holding the
    /// local dict, its length when the loop started and the number of items
    /// fetched (`helpers/local_lists.rs`); compiled code steps it itself (a
    /// dict whose size changed raises CPython's `RuntimeError`), and it is made
    /// into the `[iterator, current item]` of [`Ty::Iter`] where compiled code
    /// hands its values to the interpreter tier.
    LocalIter(ViewKind, Box<Ty>, Box<Ty>),
    /// A Python `dict` with keys and values compiled code reads as these
    /// types (`dict(int, float)`): one slot, the dict object, as [`Ty::List`].
    Dict(Box<Ty>, Box<Ty>),
    /// A Python `set` whose elements compiled code reads as this type
    /// (`set(int)`): one slot, the set object, as [`Ty::List`].
    Set(Box<Ty>),
    /// A view of a dict (`d.keys()`, `d.values()`, `d.items()`) with the
    /// dict's key and value types: one slot, the view object.
    View(ViewKind, Box<Ty>, Box<Ty>),
    /// A `for` loop's iteration over a dict, a set or a dict view, whose
    /// items are read as this type: one slot, a list `[iterator, current
    /// item]` (CPython's own iterator, so the order and the `RuntimeError`s
    /// of a container changed while the loop runs are CPython's). See
    /// [`crate::ir::Function::loop_items`].
    Iter(Box<Ty>),
    /// A Python `str` object made or received at run time: one slot, the
    /// object (kept alive by the caller, the call's arena or the compiled
    /// function, for constants). [`Ty::Str`] is a string known at compile
    /// time (no slot), made into a `PyStr` where it meets one.
    PyStr,
    /// A `range` object: three int slots (start, stop, step; the step is
    /// never zero). Made as CPython's `range` where it leaves compiled code.
    Range,
    /// An iterator passed in (a generator, `map`/`zip`/`enumerate` object, a
    /// list iterator, ...) whose items compiled code reads as this type: one
    /// slot, the object, kept alive by the caller. A `for` loop steps it with
    /// its own `tp_iternext` ([`Ty::Iter`]); an item of another type
    /// deoptimizes there, and the runtime remembers what it was for the next
    /// call (`boxing::iter_hint`).
    PyIter(Box<Ty>),
}

/// Which view of a dict a [`Ty::View`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKind {
    Keys,
    Values,
    Items,
}

impl ViewKind {
    pub fn from_method(name: &str) -> Option<ViewKind> {
        match name {
            "keys" => Some(ViewKind::Keys),
            "values" => Some(ViewKind::Values),
            "items" => Some(ViewKind::Items),
            _ => None,
        }
    }
    pub fn method(self) -> &'static str {
        match self {
            ViewKind::Keys => "keys",
            ViewKind::Values => "values",
            ViewKind::Items => "items",
        }
    }
}

/// The type of the items a `for` loop over a value of type `t` reads: a
/// dict's keys, a set's elements, a view's keys, values or `(key, value)`
/// tuples. `None` for other types.
pub fn iter_item(t: &Ty) -> Option<Ty> {
    Some(match t {
        Ty::Dict(k, _) | Ty::View(ViewKind::Keys, k, _) => (**k).clone(),
        Ty::Set(e) | Ty::PyIter(e) => (**e).clone(),
        Ty::View(ViewKind::Values, _, v) => (**v).clone(),
        Ty::View(ViewKind::Items, k, v) => {
            if **k == Ty::Bottom || **v == Ty::Bottom {
                Ty::Bottom
            } else {
                Ty::Tuple(vec![(**k).clone(), (**v).clone()])
            }
        }
        _ => return None,
    })
}

/// The Python scalar categories, for promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    Py(Kind),
    Np(Dtype),
}

impl Ty {
    pub fn scalar(&self) -> Option<Scalar> {
        Some(match self {
            Ty::Bool => Scalar::Py(Kind::Bool),
            Ty::Int => Scalar::Py(Kind::Int),
            Ty::Float => Scalar::Py(Kind::Float),
            Ty::Complex => Scalar::Py(Kind::Complex),
            Ty::Np(d) => Scalar::Np(*d),
            _ => return None,
        })
    }
    pub fn from_scalar(s: Scalar) -> Ty {
        match s {
            Scalar::Py(Kind::Bool) => Ty::Bool,
            Scalar::Py(Kind::Int) => Ty::Int,
            Scalar::Py(Kind::Float) => Ty::Float,
            Scalar::Py(Kind::Complex | Kind::Datetime | Kind::Timedelta | Kind::Record) => Ty::Complex,
            Scalar::Np(d) => Ty::Np(d),
        }
    }
    pub fn is_value(&self) -> bool {
        matches!(
            self,
            Ty::NoneT
                | Ty::Bool
                | Ty::Int
                | Ty::Float
                | Ty::Complex
                | Ty::Np(_)
                | Ty::PyInt
                | Ty::Array(_)
                | Ty::Tuple(_)
                | Ty::NamedTuple(..)
                | Ty::Union(_)
                | Ty::Undef
                | Ty::Slice(_)
                | Ty::Ellipsis
                | Ty::Obj(_)
                | Ty::List(_)
                | Ty::LocalList(_)
                | Ty::LocalDict(..)
                | Ty::LocalView(..)
                | Ty::LocalIter(..)
                | Ty::Dict(..)
                | Ty::Set(_)
                | Ty::View(..)
                | Ty::Iter(_)
                | Ty::PyIter(_)
                | Ty::PyStr
                | Ty::Range
        )
    }
    /// Whether a value of this type is one slot holding a Python object that
    /// compiled code keeps alive (a list, dict, set, view, loop iterator, str
    /// or other known object; a boxed int is [`Ty::PyInt`], apart).
    pub fn is_object(&self) -> bool {
        matches!(
            self,
            Ty::Obj(_)
                | Ty::List(_)
                | Ty::LocalList(_)
                | Ty::LocalDict(..)
                | Ty::LocalView(..)
                | Ty::LocalIter(..)
                | Ty::Dict(..)
                | Ty::Set(_)
                | Ty::View(..)
                | Ty::Iter(_)
                | Ty::PyIter(_)
                | Ty::PyStr
        )
    }
    /// The union members, or the type itself.
    /// The item types of a tuple or a namedtuple.
    pub fn tuple_items(&self) -> Option<&[Ty]> {
        match self {
            Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => Some(ts),
            _ => None,
        }
    }
    pub fn members(&self) -> Vec<Ty> {
        match self {
            Ty::Union(m) => m.clone(),
            t => vec![t.clone()],
        }
    }
}

/// Least upper bound of two types, or `None` when no single type covers both.
pub fn join(a: &Ty, b: &Ty) -> Option<Ty> {
    if a == b || *b == Ty::Bottom {
        return Some(a.clone());
    }
    if *a == Ty::Bottom {
        return Some(b.clone());
    }
    match (a, b) {
        // An int that may outgrow 64 bits is held boxed on every path.
        (Ty::Int | Ty::PyInt, Ty::Int | Ty::PyInt) => Some(Ty::PyInt),
        (Ty::Array(x), Ty::Array(y)) if x.dtype == y.dtype && x.ndim == y.ndim => Some(Ty::Array(ArrTy {
            layout: if x.layout == y.layout { x.layout } else { Layout::A },
            readonly: x.readonly || y.readonly,
            ..*x
        })),
        (Ty::Tuple(x), Ty::Tuple(y)) if x.len() == y.len() => {
            let mut v = Vec::new();
            for (p, q) in x.iter().zip(y) {
                v.push(join(p, q)?);
            }
            Some(Ty::Tuple(v))
        }
        (Ty::NamedTuple(c, x), Ty::NamedTuple(d, y)) if c == d && x.len() == y.len() => {
            let mut v = Vec::new();
            for (p, q) in x.iter().zip(y) {
                v.push(join(p, q)?);
            }
            Some(Ty::NamedTuple(*c, v))
        }
        (Ty::List(x), Ty::List(y)) => Some(Ty::List(Box::new(elem_join(x, y)?))),
        (Ty::Dict(k1, v1), Ty::Dict(k2, v2)) => {
            Some(Ty::Dict(Box::new(elem_join(k1, k2)?), Box::new(elem_join(v1, v2)?)))
        }
        (Ty::Set(x), Ty::Set(y)) => Some(Ty::Set(Box::new(elem_join(x, y)?))),
        (Ty::View(a, k1, v1), Ty::View(b, k2, v2)) if a == b => {
            Some(Ty::View(*a, Box::new(elem_join(k1, k2)?), Box::new(elem_join(v1, v2)?)))
        }
        (Ty::Iter(x), Ty::Iter(y)) => Some(Ty::Iter(Box::new(join(x, y)?))),
        (Ty::PyIter(x), Ty::PyIter(y)) if x == y => Some(a.clone()),
        // Two constant strings, or a constant and a run-time one: a run-time string.
        (Ty::Str(_) | Ty::PyStr, Ty::Str(_) | Ty::PyStr) => Some(Ty::PyStr),
        _ => {
            let mut m = a.members();
            for t in b.members() {
                // Two lists in "unbound or a list": one list of the joined element type.
                if let (Ty::List(y), Some(k)) = (&t, m.iter().position(|x| matches!(x, Ty::List(_)))) {
                    let Ty::List(x) = &m[k] else { unreachable!() };
                    m[k] = Ty::List(Box::new(elem_join(x, y)?));
                    continue;
                }
                if !m.contains(&t) {
                    m.push(t);
                }
            }
            let scalar = |t: &Ty| {
                matches!(
                    t,
                    Ty::NoneT | Ty::Bool | Ty::Int | Ty::Float | Ty::Complex | Ty::Np(_) | Ty::Undef
                )
            };
            // Unions of scalars, or "unbound or one value" (an array first
            // assigned inside a loop).
            let undef_pair =
                m.len() == 2 && m.contains(&Ty::Undef) && m.iter().all(|t| *t == Ty::Undef || t.is_value());
            // One of several compiled functions (`f = g if c else h`): the tag
            // says which; a call of it calls that one (`infer`'s `call`).
            let funcs = m.iter().all(is_callable_member);
            if funcs {
                if m.len() > 8 {
                    return None;
                }
            } else if !(m.iter().all(scalar) || undef_pair) || m.len() > 4 {
                return None;
            }
            m.sort();
            Some(Ty::Union(m))
        }
    }
}

/// Whether a value of type `t` may be one of several functions a variable
/// holds (a union, its tag saying which): a compiled function or a `math`
/// function.
pub fn is_callable_member(t: &Ty) -> bool {
    matches!(t, Ty::Func(_) | Ty::Builtin(Builtin::Math(_)))
}

/// The element type of a list holding elements of types `a` and `b`: one
/// type (lists of mixed element types are not compiled), `Bottom` joining
/// anything (no element seen yet).
pub fn elem_join(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        _ if a == b => Some(a.clone()),
        (Ty::Bottom, t) | (t, Ty::Bottom) => Some(t.clone()),
        (Ty::List(x), Ty::List(y)) => Some(Ty::List(Box::new(elem_join(x, y)?))),
        (Ty::Tuple(x), Ty::Tuple(y)) if x.len() == y.len() => {
            let v: Option<Vec<Ty>> = x.iter().zip(y).map(|(p, q)| elem_join(p, q)).collect();
            Some(Ty::Tuple(v?))
        }
        (Ty::NamedTuple(c, x), Ty::NamedTuple(d, y)) if c == d && x.len() == y.len() => {
            let v: Option<Vec<Ty>> = x.iter().zip(y).map(|(p, q)| elem_join(p, q)).collect();
            Some(Ty::NamedTuple(*c, v?))
        }
        (Ty::Array(_), Ty::Array(_)) => join(a, b),
        (Ty::Str(_) | Ty::PyStr, Ty::Str(_) | Ty::PyStr) => Some(Ty::PyStr),
        // Numbers of several types (`[0] * n` later holding floats): a union,
        // each element keeping its own type (a real `list`, read through CPython).
        (x, y) if union_elem(x) && union_elem(y) => join(x, y),
        _ => None,
    }
}

/// Whether a list element of type `t` may join others of other number types
/// into a union element type: None, bools, ints, floats, complex numbers and
/// one-slot NumPy scalars.
fn union_elem(t: &Ty) -> bool {
    t.members().iter().all(|m| match m {
        Ty::NoneT | Ty::Bool | Ty::Int | Ty::Float | Ty::Complex => true,
        Ty::Np(d) => !d.is_special(),
        _ => false,
    })
}

/// Whether compiled code holds list elements of type `t`: scalars, tuples of
/// them, arrays and lists (not boxed ints, unions, strings).
pub fn list_elem_ok(t: &Ty) -> bool {
    match t {
        // Time and record values in containers stay plain Python (`infer::has_special`).
        Ty::Np(d) => !d.is_special(),
        Ty::Array(a) => !a.dtype.is_special(),
        Ty::Bottom | Ty::Bool | Ty::Int | Ty::Float | Ty::Complex | Ty::NoneT => true,
        Ty::PyStr => true,
        // (a Python function made by compiled code, held as the object)
        Ty::Obj(ObjClass::Function) => true,
        Ty::Tuple(ts) | Ty::NamedTuple(_, ts) => ts.iter().all(list_elem_ok),
        Ty::List(e) => list_elem_ok(e),
        Ty::Union(_) => union_elem(t),
        _ => false,
    }
}

/// The Python name of a type, as CPython's error messages spell it.
pub fn py_name(t: &Ty) -> String {
    match t {
        Ty::NoneT => "NoneType".into(),
        Ty::Bool => "bool".into(),
        Ty::Int | Ty::PyInt => "int".into(),
        Ty::Float => "float".into(),
        Ty::Complex => "complex".into(),
        Ty::Np(d) => format!("numpy.{}", if *d == Dtype::Bool { "bool" } else { d.name() }),
        Ty::Array(_) => "numpy.ndarray".into(),
        Ty::Tuple(_) => "tuple".into(),
        Ty::NamedTuple(c, _) => named_tuple(*c).map_or_else(|| "tuple".into(), |d| d.name),
        Ty::NamedTupleClass(_) => "type".into(),
        Ty::Str(_) | Ty::PyStr => "str".into(),
        Ty::Module(_) => "module".into(),
        Ty::Builtin(_) | Ty::Func(_) => "function".into(),
        Ty::DtypeObj(_) => "type".into(),
        Ty::Obj(c) => c.py_name().into(),
        Ty::List(_) | Ty::LocalList(_) => "list".into(),
        Ty::LocalDict(..) => "dict".into(),
        Ty::LocalView(k, ..) => format!("dict_{}", k.method()),
        Ty::LocalIter(..) => "iterator".into(),
        Ty::Dict(..) => "dict".into(),
        Ty::Set(_) => "set".into(),
        Ty::View(k, ..) => format!("dict_{}", k.method()),
        Ty::Iter(_) | Ty::PyIter(_) => "iterator".into(),
        Ty::Range => "range".into(),
        t => format!("{t}"),
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bottom => write!(f, "?"),
            Ty::NoneT => write!(f, "none"),
            Ty::Bool => write!(f, "bool"),
            Ty::Int => write!(f, "int"),
            Ty::Float => write!(f, "float"),
            Ty::Complex => write!(f, "complex"),
            Ty::Np(d) => write!(f, "np.{d}"),
            Ty::PyInt => write!(f, "int (boxed)"),
            Ty::Array(a) => write!(
                f,
                "array({}, {}d, {}{})",
                a.dtype,
                a.ndim,
                a.layout.code(),
                if a.readonly { ", readonly" } else { "" }
            ),
            Ty::Tuple(ts) => {
                let s: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                write!(f, "tuple({})", s.join(", "))
            }
            Ty::NamedTuple(c, ts) => {
                let s: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                let name = named_tuple(*c).map_or_else(|| format!("namedtuple #{c}"), |d| d.name);
                write!(f, "{name}({})", s.join(", "))
            }
            Ty::NamedTupleClass(c) => {
                write!(
                    f,
                    "class {}",
                    named_tuple(*c).map_or_else(|| format!("namedtuple #{c}"), |d| d.name)
                )
            }
            Ty::Union(ts) => {
                let s: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                write!(f, "{}", s.join(" | "))
            }
            Ty::Undef => write!(f, "unbound"),
            Ty::Module(m) => write!(f, "module {m:?}"),
            Ty::Builtin(b) => write!(f, "builtin {b:?}"),
            Ty::Func(i) => write!(f, "function #{i}"),
            Ty::Str(s) => write!(f, "str {s:?}"),
            Ty::DtypeObj(d) => write!(f, "dtype {d}"),
            Ty::Slice(p) => write!(f, "slice({}, {}, {})", p[0], p[1], p[2]),
            Ty::Descr(d) => write!(f, "dtype('{d}')"),
            Ty::Ellipsis => write!(f, "ellipsis"),
            Ty::PyFunc(i) => write!(f, "numpy function #{i}"),
            Ty::Obj(c) => write!(f, "{}", c.py_name()),
            Ty::List(e) => write!(f, "list({e})"),
            Ty::LocalList(e) => write!(f, "local_list({e})"),
            Ty::LocalDict(k, v) => write!(f, "local_dict({k}, {v})"),
            Ty::LocalView(kind, k, v) => write!(f, "local_dict_{}({k}, {v})", kind.method()),
            Ty::LocalIter(kind, k, v) => write!(f, "local_iterator_{}({k}, {v})", kind.method()),
            Ty::Dict(k, v) => write!(f, "dict({k}, {v})"),
            Ty::Set(e) => write!(f, "set({e})"),
            Ty::View(kind, k, v) => write!(f, "dict_{}({k}, {v})", kind.method()),
            Ty::Iter(e) => write!(f, "iterator({e})"),
            Ty::PyIter(e) => write!(f, "pyiter({e})"),
            Ty::Range => write!(f, "range"),
            Ty::PyStr => write!(f, "str"),
        }
    }
}

/// Result of `a OP b` for scalars: `None` when compiled code does not handle
/// the combination (it then runs on the interpreter tier, or is a TypeError there).
pub fn binop_result(op: BinOp, a: Scalar, b: Scalar) -> Option<Scalar> {
    use Scalar::*;
    let arith = matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow
    );
    let bitwise = matches!(
        op,
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::LShift | BinOp::RShift
    );
    if op == BinOp::MatMul {
        return None;
    }
    let is_time = |s: Scalar| matches!(s, Np(d) if d.is_time());
    if is_time(a) || is_time(b) {
        return time_binop_result(op, a, b);
    }
    if matches!(a, Np(d) if d.is_record()) || matches!(b, Np(d) if d.is_record()) {
        return None;
    }
    match (a, b) {
        (Py(x), Py(y)) => {
            let k = x.max(y);
            if bitwise {
                return match (x, y) {
                    (Kind::Bool, Kind::Bool) if !matches!(op, BinOp::LShift | BinOp::RShift) => Some(Py(Kind::Bool)),
                    (Kind::Bool | Kind::Int, Kind::Bool | Kind::Int) => Some(Py(Kind::Int)),
                    _ => None,
                };
            }
            debug_assert!(arith);
            match op {
                BinOp::Div => Some(Py(if k == Kind::Complex { Kind::Complex } else { Kind::Float })),
                BinOp::FloorDiv | BinOp::Mod if k == Kind::Complex => None,
                BinOp::Pow if k == Kind::Complex => Some(Py(Kind::Complex)),
                _ => Some(Py(if k == Kind::Bool { Kind::Int } else { k })),
            }
        }
        // `complex OP np.float64`: complex.__op__ accepts float subclasses, so
        // CPython computes it as Python complex arithmetic.
        (Py(Kind::Complex), Np(Dtype::Float64)) if arith => match op {
            BinOp::FloorDiv | BinOp::Mod => None,
            _ => Some(Py(Kind::Complex)),
        },
        (Np(d), Py(k)) | (Py(k), Np(d)) => {
            let r = Dtype::promote_weak(d, k)?;
            np_result(op, r, bitwise)
        }
        (Np(x), Np(y)) => {
            let r = Dtype::promote(x, y)?;
            np_result(op, r, bitwise)
        }
    }
}

/// Whether a scalar is an integer (or bool) NumPy combines with a time value
/// as a count of its unit.
fn time_count(s: Scalar) -> bool {
    match s {
        Scalar::Py(k) => matches!(k, Kind::Bool | Kind::Int),
        Scalar::Np(d) => matches!(d.kind(), Kind::Bool | Kind::Int),
    }
}

/// Whether NumPy warns (`DeprecationWarning`, the 'generic' timedelta unit)
/// when a Python `int` is added to or subtracted from a time value, as
/// NumPy 2.5 does; set by the runtime once NumPy is imported.
static INT_COUNTS_WARN: AtomicBool = AtomicBool::new(false);

/// Records whether the running NumPy warns on `time +- int` (NumPy >= 2.5).
pub fn set_int_counts_warn(warns: bool) {
    INT_COUNTS_WARN.store(warns, Ordering::Relaxed);
}

/// `n` is an integer count compiled code may add to a time value itself: a
/// Python `int` only where NumPy does not warn about it.
fn time_addend(n: Scalar) -> bool {
    time_count(n) && !(n == Scalar::Py(Kind::Int) && INT_COUNTS_WARN.load(Ordering::Relaxed))
}

/// Result of `a OP b` when one operand is a `datetime64` / `timedelta64`
/// (NumPy's datetime loops); `None` for what compiled code leaves to NumPy
/// (float factors, `timedelta // int`, `timedelta // timedelta`, calendar
/// units) or NumPy rejects.
/// Mixed units convert to the finer one, as NumPy does.
pub fn time_binop_result(op: BinOp, a: Scalar, b: Scalar) -> Option<Scalar> {
    use Dtype::{Datetime as M, Timedelta as Td};
    use Scalar::Np;
    let common = |x: TimeUnit, y: TimeUnit| TimeUnit::common(x, y).map(|c| c.0);
    Some(match (op, a, b) {
        (BinOp::Sub, Np(M(x)), Np(M(y))) => Np(Td(common(x, y)?)),
        (BinOp::Add | BinOp::Sub, Np(M(x)), Np(Td(y))) | (BinOp::Add, Np(Td(y)), Np(M(x))) => Np(M(common(x, y)?)),
        (BinOp::Add | BinOp::Sub | BinOp::Mod, Np(Td(x)), Np(Td(y))) => Np(Td(common(x, y)?)),
        // `timedelta // timedelta` is a `np.longlong` (not `np.int64`, a
        // distinct scalar type on LP64 platforms), which compiled code does
        // not hold: plain Python.
        (BinOp::Div, Np(Td(x)), Np(Td(y))) => {
            common(x, y)?;
            Np(Dtype::Float64)
        }
        (BinOp::Add | BinOp::Sub, Np(d @ (M(_) | Td(_))), n) if time_addend(n) => Np(d),
        (BinOp::Add, n, Np(d @ (M(_) | Td(_)))) if time_addend(n) => Np(d),
        (BinOp::Sub, n, Np(d @ Td(_))) if time_addend(n) => Np(d),
        (BinOp::Mul, Np(d @ Td(_)), n) | (BinOp::Mul, n, Np(d @ Td(_))) if time_count(n) => Np(d),
        _ => return None,
    })
}

fn np_result(op: BinOp, r: Dtype, bitwise: bool) -> Option<Scalar> {
    use Dtype::*;
    match r.kind() {
        Kind::Bool => {
            // NumPy bool arithmetic is logical: + is or, * is and; / gives float64.
            match op {
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Add | BinOp::Mul => Some(Scalar::Np(Bool)),
                BinOp::Div => Some(Scalar::Np(Float64)),
                _ => None,
            }
        }
        Kind::Int => match op {
            BinOp::Div => Some(Scalar::Np(Float64)),
            _ => Some(Scalar::Np(r)),
        },
        Kind::Datetime | Kind::Timedelta | Kind::Record => None,
        Kind::Float | Kind::Complex => {
            if bitwise || (r.kind() == Kind::Complex && matches!(op, BinOp::FloorDiv | BinOp::Mod)) {
                None
            } else {
                Some(Scalar::Np(r))
            }
        }
    }
}

/// The NumPy dtype two scalars promote to, when one of them is a NumPy scalar.
pub fn promote_any(a: Scalar, b: Scalar) -> Option<Dtype> {
    match (a, b) {
        (Scalar::Np(x), Scalar::Np(y)) => Dtype::promote(x, y),
        (Scalar::Np(x), Scalar::Py(k)) | (Scalar::Py(k), Scalar::Np(x)) => Dtype::promote_weak(x, k),
        _ => None,
    }
}

/// Result of `a OP b` under Numba's typing (`pyston.njit`): Python scalars
/// are strong (`int` is int64, `float` float64, `bool` a bool), integer
/// arithmetic is done in at least int64, and results are NumPy scalars
/// (returned to Python as Python scalars). Python-with-Python stays Python.
pub fn numba_binop_result(op: BinOp, a: Scalar, b: Scalar) -> Option<Scalar> {
    use Scalar::*;
    if let (Py(_), Py(_)) = (a, b) {
        return binop_result(op, a, b);
    }
    let strong = |s: Scalar| match s {
        Py(Kind::Bool) => Dtype::Bool,
        Py(Kind::Int) => Dtype::Int64,
        Py(Kind::Float) => Dtype::Float64,
        Py(Kind::Complex | Kind::Datetime | Kind::Timedelta | Kind::Record) => Dtype::Complex128,
        Np(d) => d,
    };
    let (x, y) = (strong(a), strong(b));
    let ints = |d: Dtype| matches!(d.kind(), Kind::Bool | Kind::Int);
    if ints(x) && ints(y) {
        return match op {
            BinOp::Div => Some(Np(Dtype::Float64)),
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor if x == Dtype::Bool && y == Dtype::Bool => {
                Some(Np(Dtype::Bool))
            }
            BinOp::MatMul => None,
            // Numba: unsigned with unsigned is uint64, anything else int64.
            _ if x.is_unsigned() && y.is_unsigned() => Some(Np(Dtype::UInt64)),
            _ => Some(Np(Dtype::Int64)),
        };
    }
    binop_result(op, Np(x), Np(y))
}

/// The binary-operator typing in force: NumPy's (NEP 50) or Numba's.
pub fn binop_result_in(numba: bool, op: BinOp, a: Scalar, b: Scalar) -> Option<Scalar> {
    if numba {
        numba_binop_result(op, a, b)
    } else {
        binop_result(op, a, b)
    }
}

/// Result of a unary operator on a scalar.
pub fn unary_result(op: UnaryOp, a: Scalar) -> Option<Scalar> {
    use Scalar::*;
    match (op, a) {
        (UnaryOp::Not, _) => Some(Py(Kind::Bool)),
        (UnaryOp::Neg | UnaryOp::Pos, Np(d @ Dtype::Timedelta(_))) => Some(Np(d)),
        (_, Np(d)) if d.is_special() => None,
        (UnaryOp::Neg | UnaryOp::Pos, Py(Kind::Bool)) => Some(Py(Kind::Int)),
        (UnaryOp::Neg | UnaryOp::Pos, Np(Dtype::Bool)) => None,
        (UnaryOp::Neg | UnaryOp::Pos, s) => Some(s),
        (UnaryOp::Invert, Py(Kind::Bool | Kind::Int)) => Some(Py(Kind::Int)),
        (UnaryOp::Invert, Np(d)) if matches!(d.kind(), Kind::Int | Kind::Bool) => Some(Np(d)),
        _ => None,
    }
}

/// Result of a comparison: Python bool, or `np.bool` when a NumPy scalar is involved.
pub fn cmp_result(a: Scalar, b: Scalar, ordering: bool) -> Option<Ty> {
    // Time values compare with their own kind (mixed units in the finer one).
    match (a, b) {
        (Scalar::Np(Dtype::Datetime(x)), Scalar::Np(Dtype::Datetime(y)))
        | (Scalar::Np(Dtype::Timedelta(x)), Scalar::Np(Dtype::Timedelta(y))) => {
            return TimeUnit::common(x, y).map(|_| Ty::Np(Dtype::Bool));
        }
        (Scalar::Np(d), _) | (_, Scalar::Np(d)) if d.is_special() => return None,
        _ => {}
    }
    let complex = |s: Scalar| match s {
        Scalar::Py(k) => k == Kind::Complex,
        Scalar::Np(d) => d.kind() == Kind::Complex,
    };
    let numpy = matches!(a, Scalar::Np(_)) || matches!(b, Scalar::Np(_));
    if ordering
        && (complex(a) || complex(b))
        && !(numpy && promote_any(a, b).is_some_and(|d| d.kind() == Kind::Complex))
    {
        return None; // Python complex numbers are not ordered; NumPy's are (lexicographically)
    }
    match (a, b) {
        (Scalar::Py(_), Scalar::Py(_)) => Some(Ty::Bool),
        (Scalar::Py(Kind::Complex), Scalar::Np(Dtype::Float64)) => Some(Ty::Bool),
        _ => Some(Ty::Np(Dtype::Bool)),
    }
}

/// The classes of Python objects compiled code holds as values ([`Ty::Obj`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjClass {
    /// `numpy.random.Generator` (exactly that class).
    Generator,
    /// `random.Random` (exactly that class: a subclass may override its draws).
    PyRandom,
    /// An exception class (`ZeroDivisionError`, a user's `class E(Exception)`),
    /// as named in an `except` clause.
    ExcClass,
    /// A caught exception instance (`except E as e`).
    Exception,
    /// A Python function compiled code made from a `lambda` (`Op::Lambda`),
    /// passed to what calls it (`sorted(xs, key=lambda t: t[1])`).
    Function,
    /// A variable's cell (`types.CellType`, `Op::Cell`), shared with the
    /// closures of the functions made that read it.
    Cell,
}

impl ObjClass {
    /// The class's qualified Python name.
    pub fn py_name(self) -> &'static str {
        match self {
            ObjClass::Generator => "numpy.random.Generator",
            ObjClass::PyRandom => "random.Random",
            ObjClass::ExcClass => "type",
            ObjClass::Exception => "BaseException",
            ObjClass::Function => "function",
            ObjClass::Cell => "cell",
        }
    }
}

/// `float(s)` of a constant string, where CPython and Rust read it alike:
/// `inf`, `infinity`, `nan` (any case, signed) and plain decimals (digits,
/// one point, an exponent), around ASCII whitespace; both round correctly.
/// `None` for anything else (underscores, other spaces: plain Python).
pub fn py_float_str(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let v = match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let (mant, exp) = match body.find(['e', 'E']) {
                Some(i) => (&body[..i], Some(&body[i + 1..])),
                None => (body, None),
            };
            let digits = mant.bytes().filter(u8::is_ascii_digit).count();
            let points = mant.bytes().filter(|b| *b == b'.').count();
            let exp_ok = exp.is_none_or(|e| {
                let e = e.strip_prefix(['+', '-']).unwrap_or(e);
                !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
            });
            if digits == 0 || points > 1 || digits + points != mant.len() || !exp_ok {
                return None;
            }
            body.parse::<f64>().ok()?
        }
    };
    Some(if neg { -v } else { v })
}
