"""`pyston.numba.typed.List` / `typed.Dict`, `literal_unroll` and `objmode`
(issue #14 item 10), with Numba's semantics.

Differential three ways where it can be: each case runs on pyston's typed
containers (in the interpreter and under `pyston.njit`), on plain Python with
the values Numba's documented conversions give (written out below), and,
where Numba is installed, on real Numba: value, type and exception class
must agree."""

import pickle
import random
import warnings

import numpy as np
import pyston
import pyston.numba as pnb
import pytest
from pyston.numba import literal_unroll, objmode, typed, types

try:  # real Numba, to compare with where it is installed
    import numba as real_numba
    from numba import typed as real_typed
    from numba import types as real_types
except ImportError:  # pragma: no cover - Numba is optional
    real_numba = None

needs_numba = pytest.mark.skipif(real_numba is None, reason="Numba is not installed")

TypingError = pnb.errors.TypingError


def outcome(f, *args):
    """What calling ``f`` gives: ("ok", value, type names) or ("exc", class name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = f(*args)
        except Exception as e:  # noqa: BLE001 - comparing exceptions is the point
            return ("exc", type(e).__name__)
    return ("ok", plain(r), types_of(r))


def plain(x):
    """A typed container as the plain list/dict of its items (for comparing across implementations)."""
    if isinstance(x, tuple):
        return tuple(plain(v) for v in x)
    if type(x).__name__ == "List":
        return [plain(v) for v in x]
    if type(x).__name__ == "Dict":
        return {plain(k): plain(v) for k, v in x.items()}
    return x


def types_of(x):
    if isinstance(x, tuple):
        return tuple(types_of(v) for v in x)
    if type(x).__name__ in ("List", "Dict"):
        return type(x).__name__ + str([types_of(v) for v in (x.items() if hasattr(x, "items") else x)])
    return type(x).__name__


def quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def perf_warnings(fn, *args):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = fn(*args)
    return r, [str(w.message) for w in rec if issubclass(w.category, pyston.PerformanceWarning)]


# --------------------------------------------------------------------------
# Conversions: what a typed container of each item type makes of each value
# --------------------------------------------------------------------------

VALUES = {
    "int": 3,
    "negint": -1,
    "bigint": 2**63,
    "float": 2.5,
    "bool": True,
    "np.float32": np.float32(1.1),
    "np.int32": np.int32(-7),
    "np.uint8": np.uint8(200),
    "complex": 1 + 2j,
    "str": "s",
}

F32_11 = float(np.float32(1.1))
# Numba 0.68's results (checked against it): the value read back, or the exception.
EXPECTED = {
    "float64": {"int": 3.0, "negint": -1.0, "bigint": OverflowError, "float": 2.5, "bool": 1.0,
                "np.float32": F32_11, "np.int32": -7.0, "np.uint8": 200.0, "complex": TypingError,
                "str": TypingError},
    "float32": {"int": 3.0, "negint": -1.0, "bigint": OverflowError, "float": 2.5, "bool": 1.0,
                "np.float32": F32_11, "np.int32": -7.0, "np.uint8": 200.0, "complex": TypingError,
                "str": TypingError},
    "int64": {"int": 3, "negint": -1, "bigint": OverflowError, "float": TypingError, "bool": 1,
              "np.float32": TypingError, "np.int32": -7, "np.uint8": 200, "complex": TypingError,
              "str": TypingError},
    "int32": {"int": 3, "negint": -1, "bigint": OverflowError, "float": TypingError, "bool": 1,
              "np.float32": TypingError, "np.int32": -7, "np.uint8": 200, "complex": TypingError,
              "str": TypingError},
    "uint64": {"int": 3, "negint": 2**64 - 1, "bigint": OverflowError, "float": TypingError, "bool": 1,
               "np.float32": TypingError, "np.int32": 2**64 - 7, "np.uint8": 200, "complex": TypingError,
               "str": TypingError},
    "boolean": {"int": True, "negint": True, "bigint": OverflowError, "float": True, "bool": True,
                "np.float32": True, "np.int32": True, "np.uint8": True, "complex": True, "str": True},
    "complex128": {"int": 3 + 0j, "negint": -1 + 0j, "bigint": OverflowError, "float": 2.5 + 0j, "bool": 1 + 0j,
                   "np.float32": complex(F32_11), "np.int32": -7 + 0j, "np.uint8": 200 + 0j,
                   "complex": 1 + 2j, "str": TypingError},
    "unicode_type": {k: ("s" if k == "str" else TypingError) for k in VALUES},
}

CASES = [(t, v) for t in EXPECTED for v in VALUES]


def append_one(mod_typed, mod_types, tname, value):
    lst = mod_typed.List.empty_list(getattr(mod_types, tname))
    lst.append(value)
    return lst[0]


@pytest.mark.parametrize("tname,vname", CASES)
def test_list_append_converts_as_numba(tname, vname):
    want = EXPECTED[tname][vname]
    got = outcome(append_one, typed, types, tname, VALUES[vname])
    if isinstance(want, type):
        assert got == ("exc", want.__name__)
    else:
        assert got == ("ok", want, type(want).__name__)


@pytest.mark.parametrize("tname,vname", CASES)
def test_dict_value_converts_as_numba(tname, vname):
    def put(v):
        d = typed.Dict.empty(types.int64, getattr(types, tname))
        d[1] = v
        return d[1]

    want = EXPECTED[tname][vname]
    got = outcome(put, VALUES[vname])
    if isinstance(want, type):
        assert got == ("exc", want.__name__)
    else:
        assert got == ("ok", want, type(want).__name__)


@needs_numba
@pytest.mark.parametrize("tname", list(EXPECTED))
def test_conversions_agree_with_real_numba(tname):
    for vname, v in VALUES.items():
        ours = outcome(append_one, typed, types, tname, v)
        theirs = outcome(append_one, real_typed, real_types, tname, v)
        assert ours == theirs, (tname, vname, ours, theirs)


# --------------------------------------------------------------------------
# typed.List in the interpreter
# --------------------------------------------------------------------------


def test_list_construction_forms():
    a = typed.List()
    assert type(a) is typed.List and len(a) == 0 and a._dtype is None
    assert repr(a) == "ListType[Undefined]([])"
    b = typed.List([1, 2])
    assert repr(b) == "ListType[int64]([1, 2])" and str(b) == "[1, 2]"
    c = typed.List((1.5, 2))  # the first item types it: the int becomes a float
    assert list(c) == [1.5, 2.0] and type(c[1]) is float
    d = typed.List.empty_list(types.float64)
    assert repr(d) == "ListType[float64]([])" and d._dtype is types.float64
    e = typed.List(["a", "b"])
    assert repr(e) == "ListType[unicode_type]([a, b])"
    f = typed.List([(1, 2.0)])
    assert repr(f) == "ListType[Tuple(int64, float64)]([(1, 2.0)])"
    g = typed.List(range(5))
    assert list(g) == [0, 1, 2, 3, 4]
    assert typed.List.empty_list("float64")._dtype is types.float64


@pytest.mark.parametrize(
    "make,exc,msg",
    [
        (lambda: typed.List(1), TypeError, "List() argument must be iterable"),
        (lambda: typed.List([1], [2]), TypeError, "List() expected at most 1 argument, got 2"),
        (lambda: typed.List([1, 2.5]), TypingError, "cannot convert 2.5 (float64) to int64"),
        (lambda: typed.List()[0], IndexError, ""),
        (lambda: typed.List().pop(), TypeError, "invalid operation on untyped list"),
        (lambda: typed.List([1, 2])[5], IndexError, "list index out of range"),
        (lambda: typed.List.empty_list(types.int64).pop(), IndexError, "pop from empty list"),
        (lambda: typed.List([None]), TypingError, "cannot determine Numba type"),
        (lambda: typed.List.empty_list(42), TypingError, "item_type must be a Numba type"),
    ],
)
def test_list_errors(make, exc, msg):
    with pytest.raises(exc) as ei:
        make()
    assert msg in str(ei.value)


def list_ops(mod_typed):
    lst = mod_typed.List([3, 1, 2])
    lst.sort()
    lst.reverse()
    lst.extend([4, 5])
    lst.insert(0, 9)
    lst[1] = True
    sl = lst[1:3]
    popped = lst.pop()
    lst.remove(9)
    return (list(lst), list(sl), type(sl).__name__, popped, lst.index(2), lst.count(1), 2 in lst, len(lst),
            str(lst))


def test_list_methods():
    assert list_ops(typed) == ([1, 2, 1, 4], [1, 2], "List", 5, 1, 2, True, 4, "[1, 2, 1, 4]")


@needs_numba
def test_list_methods_agree_with_real_numba():
    assert quiet(list_ops, typed) == quiet(list_ops, real_typed)


def test_list_failed_extend_changes_nothing():
    lst = typed.List()
    with pytest.raises(TypingError):
        lst.extend([1, 2, "x"])
    assert len(lst) == 0 and lst._dtype is None
    lst = typed.List.empty_list(types.float64)
    lst += [1, 2]
    assert list(lst) == [1.0, 2.0] and all(type(x) is float for x in lst)
    lst[0:1] = [7, 8]
    assert list(lst) == [7.0, 8.0, 2.0] and type(lst[0]) is float
    with pytest.raises(TypingError):
        lst[0:1] = ["x"]


def test_list_equality_copy_pickle():
    a = typed.List([1.0, 2.0])
    assert a == typed.List([1.0, 2.0]) and a != typed.List([1.0])
    assert (a == [1.0, 2.0]) is False  # Numba compares typed lists only with typed lists
    b = a.copy()
    assert type(b) is typed.List and b == a and b is not a
    b.append(3)
    assert type(b[2]) is float and len(a) == 2
    c = pickle.loads(pickle.dumps(a))
    assert type(c) is typed.List and c == a and c._dtype == types.float64


def random_ops(mod_typed, mod_types, seed):
    """A random sequence of list operations on a float64 list and on a model."""
    rng = random.Random(seed)
    lst = mod_typed.List.empty_list(mod_types.float64)
    model = []
    log = []
    for _ in range(60):
        op = rng.randrange(6)
        v = rng.choice([rng.randint(-5, 5), rng.uniform(-5, 5), True, np.int32(rng.randint(-9, 9))])
        if op == 0:
            lst.append(v)
            model.append(float(v))
        elif op == 1 and model:
            i = rng.randrange(-len(model), len(model))
            lst[i] = v
            model[i] = float(v)
        elif op == 2 and model:
            i = rng.randrange(-len(model), len(model))
            log.append((lst.pop(i), model.pop(i)))
        elif op == 3:
            i = rng.randint(-3, len(model) + 3)
            lst.insert(i, v)
            model.insert(i, float(v))
        elif op == 4:
            ext = [rng.randint(0, 3) for _ in range(rng.randrange(3))]
            lst.extend(ext)
            model.extend(float(x) for x in ext)
        else:
            i = rng.randint(-len(model) - 2, len(model) + 2)
            try:
                got = ("ok", lst[i])
            except IndexError as e:
                got = ("IndexError", str(e))
            try:
                want = ("ok", model[i])
            except IndexError as e:
                want = ("IndexError", str(e))
            log.append((got, want))
    return list(lst), model, log


@pytest.mark.parametrize("seed", range(20))
def test_list_random_operations_match_a_float_list(seed):
    got, model, log = random_ops(typed, types, seed)
    assert got == model and all(type(x) is float for x in got)
    for a, b in log:
        assert a == b


@needs_numba
@pytest.mark.parametrize("seed", range(3))
def test_list_random_operations_agree_with_real_numba(seed):
    assert quiet(random_ops, typed, types, seed) == quiet(random_ops, real_typed, real_types, seed)


# --------------------------------------------------------------------------
# typed.Dict in the interpreter
# --------------------------------------------------------------------------


def dict_ops(mod_typed, mod_types):
    d = mod_typed.Dict.empty(key_type=mod_types.unicode_type, value_type=mod_types.float64)
    d["a"] = 1
    d["b"] = 2.5
    d.setdefault("c", 4)
    out = [type(d["a"]).__name__, d.get("zz"), d.get("a"), d.pop("b"), d.pop("nope", -1.0), len(d), "a" in d,
           sorted(d.keys()), sorted(d.values()), str(d)]
    try:
        d["missing"]
    except KeyError as e:
        out.append(("KeyError", str(e)))
    try:
        d.pop("missing")
    except KeyError as e:
        out.append(("KeyError", str(e)))
    return out


def test_dict_methods():
    assert dict_ops(typed, types) == [
        "float", None, 1.0, 2.5, -1.0, 2, True, ["a", "c"], [1.0, 4.0], "{a: 1.0, c: 4.0}",
        ("KeyError", "'missing'"), ("KeyError", "'missing'"),
    ]


@needs_numba
def test_dict_methods_agree_with_real_numba():
    assert quiet(dict_ops, typed, types) == quiet(dict_ops, real_typed, real_types)


def test_dict_typing_and_errors():
    d = typed.Dict()
    assert repr(d) == "None({})"
    d[1] = 1.5
    assert repr(d) == "DictType[int64,float64]<iv=None>({1: 1.5})"
    d[2] = 3  # converted to the value type
    assert d[2] == 3.0 and type(d[2]) is float
    with pytest.raises(TypingError, match="cannot convert 2.5"):
        d[2.5] = 1.0
    with pytest.raises(TypingError, match="cannot convert 'x'"):
        d["x"] = 1.0
    with pytest.raises(TypingError, match="cannot convert 'x'"):
        d[3] = "x"
    with pytest.raises(KeyError) as ei:
        typed.Dict.empty(types.int64, types.int64).pop(3)
    assert ei.value.args == (3,)
    with pytest.raises(TypingError, match="dict\\(mapping\\) is not supported"):
        typed.Dict({1: 2})
    with pytest.raises(TypeError, match="unexpected keyword argument 'a'"):
        typed.Dict(a=1)
    e = d.copy()
    assert type(e) is typed.Dict and e == d and e._numba_type_ == d._numba_type_
    f = pickle.loads(pickle.dumps(d))
    assert type(f) is typed.Dict and f == d
    assert d == {1: 1.5, 2: 3.0}  # a typed.Dict compares with any mapping, as in Numba


# --------------------------------------------------------------------------
# Under njit: passed in, mutated, returned, made inside
# --------------------------------------------------------------------------


def push(lst, x):
    lst.append(x)
    lst[0] = x
    return lst


def total(lst):
    s = 0.0
    for x in lst:
        s += x
    return s


def count_words(d, words):
    for w in words:
        d[w] = d.get(w, 0) + 1
    return d


def make_list(n):
    lst = typed.List()
    for i in range(n):
        lst.append(i * 0.5)
    return lst


def make_empty_list(n):
    lst = typed.List.empty_list(types.float64)
    for i in range(n):
        lst.append(i)  # ints become floats
    return lst


def make_dict(n):
    d = typed.Dict.empty(key_type=types.unicode_type, value_type=types.float64)
    for i in range(n):
        d[str(i)] = i
    return d


def make_float_dict(n):
    d = typed.Dict.empty(key_type=types.unicode_type, value_type=types.float64)
    for i in range(n):
        d[str(i)] = i * 0.5
    return d


def make_untyped_dict(n):
    d = typed.Dict()
    for i in range(n):
        d[i] = i > 1
    return d


def stores_converted(n):
    lst = typed.List.empty_list(types.float64)
    lst.append(True)
    lst.append(n)
    lst[0] = 7
    lst.append(False)
    return lst


def bools_into_ints(n):
    lst = typed.List.empty_list(types.int64)
    lst.append(True)
    lst.append(n)
    lst.append(n < 0)
    return lst


def dict_values_converted(n):
    d = typed.Dict.empty(types.int64, types.float64)
    for i in range(n):
        d[i] = i
    d[0] = True
    return d


def str_keyed_counts(n):
    d = typed.Dict.empty(types.unicode_type, types.float64)
    for i in range(n):
        k = str(i)
        d[k] = d.get(k, 0) + 1  # the default converts to float64, as in Numba
    return d


def int_keyed_counts(n):
    d = typed.Dict.empty(types.int64, types.float64)
    for i in range(n):
        d[i] = d.get(i, 0) + 1
    d.setdefault(0, 5)
    d[0] += d.setdefault(7, 1) - d.pop(7)
    d[0] = d.get(0, 0) + 1
    return d


def first_append_types(n):
    lst = typed.List()
    lst.append(0.5)
    for i in range(n):
        lst.append(i + 1)
    return lst


def get_defaults(k):
    d = typed.Dict.empty(types.int64, types.float64)
    d[1] = 2.5
    return d.get(k, 0), d.get(k), d.get(k, True), d.setdefault(k, 3)


def from_iterable(n):
    return typed.List(range(n))


def bad_store(n):
    lst = typed.List.empty_list(types.int64)
    lst.append(n)
    lst.append(2.5)
    return lst


def missing_key(d):
    return d["nope"]


def test_list_argument_compiles_natively_and_is_mutated_in_place():
    f = pnb.njit(push)
    lst = typed.List([1.0, 2.0])
    r, warns = perf_warnings(f, lst, 3.5)
    assert warns == []
    assert r is lst and type(r) is typed.List and list(lst) == [3.5, 2.0, 3.5]
    assert f.signatures  # compiled, not run as Python
    g = pnb.njit(total)
    assert perf_warnings(g, typed.List([1.0, 2.5]))[0] == 3.5
    ints = typed.List([1, 2, 3])
    assert g(ints) == 6.0


def test_list_argument_store_that_converts_runs_as_python_and_converts():
    f = pnb.njit(push)
    lst = typed.List([1.0, 2.0])
    r, warns = perf_warnings(f, lst, 3)  # an int into a float64 list: converted, as in Numba
    assert r is lst and list(lst) == [3.0, 2.0, 3.0] and all(type(x) is float for x in lst)
    assert any("plain Python" in w for w in warns), warns
    f32 = typed.List.empty_list(types.float32)
    f32.append(1)
    quiet(f, f32, 0.1)  # float32 items: not held natively, converted by the list
    assert f32[0] == float(np.float32(0.1))


def test_dict_argument_compiles_natively():
    f = pnb.njit(count_words)
    d = typed.Dict.empty(types.int64, types.int64)
    r, warns = perf_warnings(f, d, [1, 2, 1, 5])
    assert warns == [] and r is d and dict(d) == {1: 2, 2: 1, 5: 1}


MADE_INSIDE = [
    # (function, argument, Numba's result (checked with Numba 0.68), compiled natively by pyston)
    (make_list, 5, "ListType[float64]([0.0, 0.5, 1.0, 1.5, 2.0])", True),
    # typed from what the code stores, even when nothing is stored at run time
    (make_list, 0, "ListType[float64]([])", True),
    # ints stored into declared float64 items: converted natively
    (make_empty_list, 4, "ListType[float64]([0.0, 1.0, 2.0, 3.0])", True),
    (make_dict, 3, "DictType[unicode_type,float64]<iv=None>({0: 0.0, 1: 1.0, 2: 2.0})", True),
    (stores_converted, 3, "ListType[float64]([7.0, 3.0, 0.0])", True),
    (bools_into_ints, 3, "ListType[int64]([1, 3, 0])", True),
    (dict_values_converted, 3, "DictType[int64,float64]<iv=None>({0: 1.0, 1: 1.0, 2: 2.0})", True),
    # the counting idiom: `d.get(k, 0)` converts the default to the value type, as in Numba
    (str_keyed_counts, 3, "DictType[unicode_type,float64]<iv=None>({0: 1.0, 1: 1.0, 2: 1.0})", True),
    (int_keyed_counts, 3, "DictType[int64,float64]<iv=None>({0: 2.0, 1: 1.0, 2: 1.0})", True),
    # a store whose conversion compiled code does not make natively (an int into a list typed
    # from its first append): as plain Python, converting
    (first_append_types, 3, "ListType[float64]([0.5, 1.0, 2.0, 3.0])", False),
    (make_float_dict, 3, "DictType[unicode_type,float64]<iv=None>({0: 0.0, 1: 0.5, 2: 1.0})", True),
    (make_untyped_dict, 3, "DictType[int64,bool]<iv=None>({0: False, 1: False, 2: True})", True),
    (make_untyped_dict, 0, "DictType[int64,bool]<iv=None>({})", True),
]


@pytest.mark.parametrize("fn,arg,want,native", MADE_INSIDE)
def test_made_inside_njit_comes_back_typed(fn, arg, want, native):
    f = pnb.njit(fn)
    got, warns = perf_warnings(f, arg)
    assert repr(got) == want and type(got).__name__ in ("List", "Dict")
    assert (warns == []) == native, warns
    if native:
        assert f.signatures
    if arg:
        assert repr(fn(arg)) == want  # plain Python makes the same container
    # the container goes on converting what Python stores into it
    if isinstance(got, typed.List):
        got.append(True)
        assert got[-1] == 1 and type(got[-1]) is (float if got._dtype == types.float64 else int)
    else:
        key = 99 if got._key_type == types.int64 else "k"
        got[key] = 1
        assert type(got[key]) is (bool if got._value_type == types.boolean else float)


@pytest.mark.parametrize("k", [1, 5])
def test_dict_get_default_converts(k):
    want = (2.5, 2.5, 2.5, 2.5) if k == 1 else (0.0, None, 1.0, 3.0)
    assert get_defaults(k) == want and [type(x) for x in get_defaults(k)] == [type(x) for x in want]
    got, warns = perf_warnings(pnb.njit(get_defaults), k)
    assert warns == [] and got == want and [type(x) for x in got] == [type(x) for x in want]


def test_made_inside_strict_mode_compiles_natively():
    f = pyston.fast(make_list, fallback=False)
    r = f(3)
    assert type(r) is typed.List and repr(r) == "ListType[float64]([0.0, 0.5, 1.0])"
    g = pyston.fast(make_float_dict, fallback=False)
    assert g(2) == make_float_dict(2) and type(g(2)) is typed.Dict


def list_of_tuple(x):
    lst = typed.List((x, 2, True))  # typed by the first item: the others converted
    lst.append(1)
    return lst


def list_of_list(items):
    lst = typed.List(items)
    lst.append(1)
    return lst


def list_of_mixed(x):
    return typed.List((1, x))  # typed int64 by the first item: a float cannot join


@pytest.mark.parametrize(
    "fn,arg,native",
    [(list_of_tuple, 1.5, True), (list_of_tuple, 3, True), (list_of_list, [1.0, 2.0], True),
     (list_of_list, [], True), (list_of_list, ["a"], False), (list_of_mixed, 2.5, False),
     (list_of_mixed, 4, True)],
)
def test_typed_list_of_an_iterable_inside(fn, arg, native):
    def fresh():
        return list(arg) if isinstance(arg, list) else arg

    f = pnb.njit(fn)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            f(fresh())
        except TypingError:
            pass
    warns = [w for w in rec if issubclass(w.category, pyston.PerformanceWarning)]
    assert (warns == []) == native, warns
    got = outcome(f, fresh())
    assert got == outcome(fn, fresh())
    if got[0] == "ok":
        assert repr(quiet(f, fresh())) == repr(fn(fresh()))


def test_typed_list_from_iterable_inside_runs_as_python():
    r, warns = perf_warnings(pnb.njit(from_iterable), 3)
    assert repr(r) == "ListType[int64]([0, 1, 2])" and any("plain Python" in w for w in warns), warns


def test_typing_errors_under_njit():
    assert outcome(pnb.njit(bad_store), 1) == ("exc", "TypingError")
    d = typed.Dict.empty(types.unicode_type, types.int64)
    with pytest.raises(KeyError) as ei:
        quiet(pnb.njit(missing_key), d)
    assert str(ei.value) == "'nope'"


@needs_numba
@pytest.mark.parametrize("fn,arg", [(make_list, 5), (make_list, 0), (make_empty_list, 4), (make_dict, 3),
                                    (make_float_dict, 3), (make_untyped_dict, 0), (make_untyped_dict, 3),
                                    (stores_converted, 3), (bools_into_ints, 3), (dict_values_converted, 3),
                                    (str_keyed_counts, 3), (int_keyed_counts, 3), (first_append_types, 3),
                                    (get_defaults, 1), (get_defaults, 5),
                                    (bad_store, 1)])
def test_njit_agrees_with_real_numba(fn, arg):
    theirs_fn = real_numba.njit(_with_real(fn))
    assert outcome(pnb.njit(fn), arg) == outcome(theirs_fn, arg)


def _with_real(fn):
    """``fn`` re-bound to real Numba's ``typed`` and ``types``."""
    import types as pytypes

    g = dict(fn.__globals__, typed=real_typed, types=real_types)
    return pytypes.FunctionType(fn.__code__, g, fn.__name__)


@needs_numba
def test_list_argument_agrees_with_real_numba():
    ours = typed.List([1.0, 2.0])
    theirs = real_typed.List([1.0, 2.0])
    assert outcome(pnb.njit(push), ours, 3) == outcome(real_numba.njit(push), theirs, 3)
    assert list(ours) == list(theirs)


def test_from_import_and_install():
    ns = {}
    exec("from pyston.numba.typed import List, Dict", ns)
    assert ns["List"] is typed.List and ns["Dict"] is typed.Dict
    assert pnb.types.ListType(types.int64) == pnb.types.ListType(types.int64)
    assert typed.List([1])._numba_type_ == types.ListType(types.int64)


# --------------------------------------------------------------------------
# literal_unroll
# --------------------------------------------------------------------------


def unrolled(t):
    s = 0.0
    n = 0
    for x in literal_unroll(t):
        s += x
        n += 1
    return s, n


def unrolled_kinds(t):
    out = 0
    for x in literal_unroll(t):
        out += len(x)
    return out


def test_literal_unroll_is_identity_in_python():
    t = (1, 2.5)
    assert literal_unroll(t) is t


@pytest.mark.parametrize("t", [(1, 2.5, True), (np.float32(1.5), 2, 3.0), (), (7,)])
def test_literal_unroll_compiles_over_heterogeneous_tuples(t):
    f = pnb.njit(unrolled)
    r, warns = perf_warnings(f, t)
    assert warns == [] and r == unrolled(t) and type(r[0]) is float  # njit returns Python scalars
    g = pyston.fast(unrolled, fallback=False)
    assert g(t) == unrolled(t)


def test_literal_unroll_of_items_needing_their_own_types_runs_as_python():
    t = ("ab", np.ones(3), (1, 2, 3, 4))
    r, warns = perf_warnings(pnb.njit(unrolled_kinds), t)
    assert r == 9 and any("plain Python" in w for w in warns), warns


@needs_numba
def test_literal_unroll_agrees_with_real_numba():
    t = (1, 2.5, True)
    g = dict(unrolled.__globals__, literal_unroll=real_numba.literal_unroll)
    import types as pytypes

    theirs = real_numba.njit(pytypes.FunctionType(unrolled.__code__, g, "unrolled"))
    assert outcome(pnb.njit(unrolled), t) == outcome(theirs, t)


# --------------------------------------------------------------------------
# objmode
# --------------------------------------------------------------------------


def with_objmode(x):
    y = x * 2
    with objmode(z="float64"):
        z = float(np.sum(np.arange(x)))
    with objmode():
        pass
    return y + z


def test_objmode_runs_its_block():
    f = pnb.njit(with_objmode)
    r, warns = perf_warnings(f, 4)
    assert r == with_objmode(4) == 14.0
    assert any("`with` statements" in w for w in warns), warns
    assert repr(objmode) == "pyston.numba.objmode"
    with pytest.raises(TypeError):
        objmode("float64")


@needs_numba
def test_objmode_agrees_with_real_numba():
    g = dict(with_objmode.__globals__, objmode=real_numba.objmode)
    import types as pytypes

    theirs = real_numba.njit(pytypes.FunctionType(with_objmode.__code__, g, "with_objmode"))
    assert outcome(pnb.njit(with_objmode), 4) == outcome(theirs, 4)


# --------------------------------------------------------------------------
# Random operation sequences in compiled code, against plain Python
# --------------------------------------------------------------------------


def apply_ops(lst, d, ops, vals):
    for i in range(len(ops)):
        op = ops[i]
        v = float(vals[i])
        if op == 0:
            lst.append(v)
        elif op == 1 and len(lst) > 0:
            lst[int(v * 7) % len(lst)] = v
        elif op == 2 and len(lst) > 0:
            lst.pop()
        elif op == 3:
            lst.insert(0, v)
        else:
            k = int(v * 5)
            d[k] = d.get(k, 0.0) + v
    return lst, d


@pytest.mark.parametrize("seed", range(8))
def test_random_operations_in_compiled_code(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 80))
    ops = rng.integers(0, 5, n)
    vals = rng.uniform(-3, 3, n)
    start = [float(x) for x in rng.uniform(-1, 1, int(rng.integers(1, 4)))]

    def fresh():
        lst = typed.List.empty_list(types.float64)
        lst.extend(start)
        d = typed.Dict.empty(types.int64, types.float64)
        d[0] = 0.5
        return lst, d

    f = pnb.njit(apply_ops)
    got, warns = perf_warnings(f, *fresh(), ops, vals)
    want = apply_ops(*fresh(), ops, vals)
    assert warns == []
    assert list(got[0]) == list(want[0]) and dict(got[1]) == dict(want[1])
    assert repr(got[0]) == repr(want[0]) and repr(got[1]) == repr(want[1])


# --------------------------------------------------------------------------
# Edge arguments
# --------------------------------------------------------------------------


def append_half(lst):
    lst.append(0.5)
    return len(lst)


def test_empty_typed_list_argument_takes_its_declared_type():
    f = pnb.njit(append_half)
    lst = typed.List.empty_list(types.float64)
    r, warns = perf_warnings(f, lst)
    assert (r, warns, list(lst)) == (1, [], [0.5])
    ints = typed.List.empty_list(types.int64)  # a float into int64 items: Numba's TypingError
    assert outcome(f, ints) == ("exc", "TypingError") and len(ints) == 0


def count_items(lst):
    n = 0
    for _ in lst:
        n += 1
    return n + len(lst)


@pytest.mark.parametrize(
    "make",
    [
        lambda: typed.List(),  # untyped: nothing to hold it as
        lambda: typed.List.empty_list(types.float32),  # float32 items: converted by the class
        lambda: typed.List([(1.0, 2.0)]),  # tuple items
        lambda: typed.List([typed.List([1.0])]),  # nested typed lists
    ],
)
def test_other_typed_list_arguments_run_as_python(make):
    lst = make()
    r, warns = perf_warnings(pnb.njit(count_items), lst)
    assert r == count_items(make()) and any("plain Python" in w for w in warns), warns


def test_typed_dict_argument_missing_key_and_wrong_key_type():
    d = typed.Dict.empty(types.int64, types.float64)
    d[1] = 1.5
    assert outcome(missing_key, d) == ("exc", "TypingError")  # a str key for int64 keys
    # (compiled code looks the key up as a dict does: KeyError, where Numba refuses to compile)
    assert outcome(pnb.njit(missing_key), d) == ("exc", "KeyError")
    g = pnb.njit(lookup_key)
    with pytest.raises(KeyError) as ei:
        quiet(g, d, 7)
    assert ei.value.args == (7,)
    assert quiet(g, d, 1) == 1.5


def lookup_key(d, k):
    return d[k]


@needs_numba
def test_real_numba_type_objects_as_item_types():
    # `pyston.numba.install()` users pass Numba's own type objects.
    d = typed.Dict.empty(real_types.int64, real_types.float64)
    lst = typed.List.empty_list(real_types.int32)
    s = typed.Dict.empty(real_types.unicode_type, real_types.int64)
    rd = real_typed.Dict.empty(real_types.int64, real_types.float64)
    rl = real_typed.List.empty_list(real_types.int32)

    def fill(d, lst, n):
        for i in range(n):
            d[i] = i * 0.5
            lst.append(i)
        return len(d), len(lst)

    assert pnb.njit(fill)(d, lst, 5) == real_numba.njit(fill)(rd, rl, 5)
    assert dict(d) == dict(rd) and list(lst) == list(rl)
    s["a"] = 1
    assert dict(s) == {"a": 1}
    with pytest.raises(TypingError):
        typed.Dict.empty(real_types.pyobject, real_types.int64)  # (no such item type in pyston)


# --------------------------------------------------------------------------
# A typed List changed while a loop iterates over it (Numba: RuntimeError)
# --------------------------------------------------------------------------


def append_at(lst, at):
    s = 0
    for x in lst:
        s += x
        if x == at:
            lst.append(at * 10)
    return s, len(lst)


def pop_at(lst, at):
    s = 0
    for x in lst:
        s += x
        if x == at:
            lst.pop()
    return s


def pop_and_append(lst, at):
    s = 0
    for x in lst:
        s += x
        if x == at:
            lst.pop()
            lst.append(9)  # (the same length: Numba's iterator goes on)
    return s


def store_while_iterating(lst, at):
    s = 0
    for x in lst:
        lst[0] = at
        s += x
    return s


def made_and_grown(n):
    lst = typed.List()
    for i in range(n):
        lst.append(i)
    s = 0
    for x in lst:
        s += x
        if x == 1:
            lst.append(10)
    return s


def reflected_grown(n):
    lst = [i for i in range(n)]
    s = 0
    for x in lst:
        s += x
        if x == 1:
            lst.append(10)  # (a reflected list: iterated as CPython does)
    return s


MUTATION_CASES = [(fn, at) for fn in (append_at, pop_at, pop_and_append, store_while_iterating) for at in (1, 3, 7)]


def _mutated_in_numba(fn, at, items):
    """What Numba's typed List iterator does (its length checked at every step,
    the one past the last item included), written out in plain Python."""
    lst = list(items)
    n0, k, s = len(lst), 0, 0
    while True:
        if len(lst) != n0:
            return ("exc", "RuntimeError")
        if k >= n0:
            break
        x = lst[k]
        k += 1
        if fn is store_while_iterating:
            lst[0] = at
            s += x
            continue
        s += x
        if x == at:
            if fn is append_at:
                lst.append(at * 10)
            elif fn is pop_at:
                lst.pop()
            else:
                lst.pop()
                lst.append(9)
    r = (s, len(lst)) if fn is append_at else s
    return ("ok", r, types_of(r))


@pytest.mark.parametrize("fn,at", MUTATION_CASES)
def test_typed_list_mutated_while_iterated_under_njit(fn, at):
    items = [1, 2, 3]
    assert outcome(pnb.njit(fn), typed.List(items), at) == _mutated_in_numba(fn, at, items)
    # strict mode iterates a typed List as the list it is, as CPython does
    assert outcome(pyston.fast(fn), typed.List(items), at) == outcome(fn, typed.List(items), at)


def test_typed_list_made_inside_and_reflected_lists():
    assert outcome(pnb.njit(made_and_grown), 3) == ("exc", "RuntimeError")
    assert outcome(pnb.njit(made_and_grown), 1) == ("ok", 0, "int")
    assert outcome(pnb.njit(reflected_grown), 3) == ("ok", 13, "int")


@needs_numba
@pytest.mark.parametrize("fn,at", MUTATION_CASES)
def test_typed_list_mutation_agrees_with_real_numba(fn, at):
    ours = outcome(pnb.njit(fn), typed.List([1, 2, 3]), at)
    theirs = outcome(real_numba.njit(fn), real_typed.List([1, 2, 3]), at)
    assert ours == theirs
