"""Numba-style signatures: ``pyston.types`` objects, the signature-string
parser, and eager compilation + argument-type restriction in ``pyston.njit``."""

import numpy as np
import pyston
import pytest
from pyston import types as t
from pyston.types import (
    Array,
    Signature,
    Tuple,
    UniTuple,
    b1,
    boolean,
    complex128,
    f4,
    f8,
    float32,
    float64,
    i4,
    i8,
    int32,
    int64,
    intp,
    parse_signature,
)

# --------------------------------------------------------------------------
# type objects
# --------------------------------------------------------------------------


def test_aliases():
    assert f8 is float64 and i8 is int64 and intp is int64 and t.int_ is int64
    assert f4 is float32 and i4 is int32 and b1 is boolean and t.bool_ is boolean
    assert t.c16 is complex128 and t.void is t.none


@pytest.mark.parametrize(
    "typ,text",
    [
        (float64, "float64"),
        (int64, "int64"),
        (boolean, "bool"),
        (float64[:], "array(float64, 1d, A)"),
        (float64[::1], "array(float64, 1d, C)"),
        (float64[:, :], "array(float64, 2d, A)"),
        (float64[:, ::1], "array(float64, 2d, C)"),
        (float64[::1, :], "array(float64, 2d, F)"),
        (int32[:, :, ::1], "array(int32, 3d, C)"),
        (float64[:, ::1, :], "array(float64, 3d, A)"),
        (UniTuple(float64, 2), "UniTuple(float64 x 2)"),
        (Tuple((float64, int64)), "Tuple(float64, int64)"),
        (Array(float32, 2, "F"), "array(float32, 2d, F)"),
    ],
)
def test_type_repr_like_numba(typ, text):
    assert repr(typ) == text == str(typ)


def test_type_reprs_match_real_numba():
    numba = pytest.importorskip("numba")
    for ours, theirs in [
        (float64[:], numba.float64[:]),
        (float64[:, ::1], numba.float64[:, ::1]),
        (float64[::1, :], numba.float64[::1, :]),
        (int64[::1], numba.int64[::1]),
        (boolean, numba.boolean),
        (UniTuple(float64, 2), numba.types.UniTuple(numba.float64, 2)),
    ]:
        assert str(ours) == str(theirs)


def test_array_equality_and_hash():
    assert float64[:, ::1] == Array(float64, 2, "C")
    assert hash(float64[:]) == hash(Array(float64, 1, "A"))
    assert float64[:] != float64[::1]
    assert float64[:] != float32[:]


@pytest.mark.parametrize("bad", [np.s_[1:], np.s_[::2], np.s_[:, 0], np.s_[()]])
def test_bad_array_subscripts(bad):
    with pytest.raises(ValueError):
        float64[bad]


def test_calling_a_type_makes_a_signature():
    sig = float64(float64[:], int64)
    assert isinstance(sig, Signature)
    assert sig.return_type is float64 and sig.args == (float64[:], int64)
    assert repr(sig) == "(array(float64, 1d, A), int64) -> float64"
    assert t.void(float64[::1]).return_type is t.none


def test_calling_a_type_with_a_value_converts_it():
    assert float64(3) == 3.0 and type(float64(3)) is np.float64
    assert type(int32(7)) is np.int32


def test_signature_repr_matches_real_numba():
    numba = pytest.importorskip("numba")
    ours = float64(float64[:], int64)
    theirs = numba.float64(numba.float64[:], numba.int64)
    numba_text = str(theirs).replace("Array(float64, 1, 'A', False, aligned=True)", "array(float64, 1d, A)")
    assert str(ours) == numba_text


# --------------------------------------------------------------------------
# the string parser
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,ret,args",
    [
        ("float64(float64[:], int64)", float64, (float64[:], int64)),
        ("f8(f8[::1], i8)", float64, (float64[::1], int64)),
        ("void(float64[:, ::1], float64[::1, :])", t.none, (float64[:, ::1], float64[::1, :])),
        ("  int64 ( int32, boolean )  ", int64, (int32, boolean)),
        ("b1(c16)", boolean, (complex128,)),
        ("intp()", int64, ()),
        ("(float64, int64)", None, (float64, int64)),
        ("UniTuple(float64, 2)(float64[:])", UniTuple(float64, 2), (float64[:],)),
        ("Tuple((float64, int64))(float64)", Tuple((float64, int64)), (float64,)),
        ("float64(Array(float64, 2, 'C'))", float64, (float64[:, ::1],)),
        ("float64(UniTuple(int64, 3))", float64, (UniTuple(int64, 3),)),
        ("numba.float64(numba.types.float64[:])", float64, (float64[:],)),
        ("double(bool_, int_, intc)", float64, (boolean, int64, int32)),
    ],
)
def test_valid_strings(text, ret, args):
    sig = parse_signature(text)
    assert sig.return_type == ret
    assert sig.args == args


@pytest.mark.parametrize(
    "text,name",
    [("floaty(float64)", "floaty"), ("float64(float64[:], in64)", "in64"), ("f8(string)", "string"),
     ("float64(float16)", "float16"), ("c8(f2)", "f2")],
)
def test_unknown_type_names_raise_type_error_naming_them(text, name):
    with pytest.raises(TypeError, match=repr(name)):
        parse_signature(text)


@pytest.mark.parametrize(
    "text,part",
    [
        ("float64(float64", "'(' was never closed"),
        ("float64(float64[1:], int64)", "'1:'"),
        ("float64(float64[::2])", "'::2'"),
        ("float64(float64[0])", "'0'"),
        ("float64", "'float64'"),
        ("float64(x=int64)", "'x=int64'"),
        ("float64(float64)(int64)", "'float64(float64)'"),
        ("UniTuple(float64)(int64)", "'UniTuple(float64)'"),
        ("float64(3)", "'3'"),
        ("", "empty"),
        ("float64(float64[:] int64)", "float64[:] int64"),
    ],
)
def test_malformed_strings_raise_value_error_showing_the_part(text, part):
    with pytest.raises(ValueError) as info:
        parse_signature(text)
    assert part in str(info.value)


def test_parser_does_not_eval():
    with pytest.raises((TypeError, ValueError)):
        parse_signature("__import__('os').system('true')")


def test_parse_signature_rejects_non_strings():
    with pytest.raises(TypeError):
        parse_signature(3)


# --------------------------------------------------------------------------
# njit with signatures: eager compilation and restriction
# --------------------------------------------------------------------------


def sum_first(a, n):
    s = 0.0
    for i in range(n):
        s += a[i]
    return s


def twice(x):
    return x + x


def scale_inplace(a, k):
    for i in range(a.shape[0]):
        a[i] *= k


A = np.arange(10.0)


@pytest.mark.parametrize(
    "sig",
    [
        "float64(float64[:], int64)",
        float64(float64[:], int64),
        (float64[:], int64),
        ["float64(float64[:], int64)"],
        [float64(float64[:], int64), "float64(float64[:], int32)"],
    ],
    ids=["string", "object", "tuple", "list-of-one", "mixed-list"],
)
def test_signature_forms_compile_eagerly(sig):
    f = pyston.njit(sig)(sum_first)
    sigs = f.signatures
    assert len(sigs) >= 2, sigs  # int64 -> Python int and np.int64
    assert "(array(float64, 1d, A), int)" in sigs
    assert "(array(float64, 1d, A), np.int64)" in sigs
    assert f(A, 4) == 6.0 and type(f(A, 4)) is float
    assert f(A, np.int64(4)) == 6.0
    assert f.signatures == sigs  # no lazy compilation after that


def test_scalar_mapping():
    f = pyston.njit(["f8(f8)", "i8(i8)", "b1(b1)", "c16(c16)", "f4(f4)", "i4(i4)"])(twice)
    sigs = set(f.signatures)
    for s in ["(float)", "(np.float64)", "(int)", "(np.int64)", "(bool)", "(np.bool)", "(complex)",
              "(np.complex128)", "(np.float32)", "(np.int32)"]:
        assert s in sigs, (s, sigs)
    assert "(float32)" not in sigs  # no Python type for float32 / int32
    assert f(1.5) == 3.0 and f(2) == 4 and f(1j) == 2j and f(np.float32(1.5)) == 3.0


def test_cartesian_product_over_arguments():
    f = pyston.njit("f8(f8, f8, i8)")(lambda_free_sum3)
    assert len(f.signatures) == 8
    assert f(1.0, np.float64(2.0), np.int64(3)) == 6.0


def lambda_free_sum3(a, b, c):
    return a + b + c


def many(a, b, c, d, e, f, g):
    return a + b + c + d + e + f + g


def test_combinations_are_capped():
    f = pyston.njit("i8(i8, i8, i8, i8, i8, i8, i8)")(many)  # 2**7 = 128 combinations
    assert len(f.signatures) == pyston._numba_api.MAX_COMBINATIONS == 64
    assert f(1, 1, 1, 1, 1, 1, 1) == 7  # all Python ints: always compiled
    n = np.int64(1)
    assert f(n, n, n, n, n, n, n) == 7  # all NumPy ints: always compiled


@pytest.mark.parametrize(
    "sig,arr,ok",
    [
        ("void(float64[:], float64)", A, True),
        ("void(float64[:], float64)", A[::2], True),
        ("void(float64[::1], float64)", A, True),
        ("void(float64[::1], float64)", A[::2], False),
        ("void(float64[:, ::1], float64)", np.ones((3, 4)), True),
        ("void(float64[:, ::1], float64)", np.ones((3, 4), order="F"), False),
        ("void(float64[::1, :], float64)", np.ones((3, 4), order="F"), True),
        ("void(float64[::1, :], float64)", np.ones((3, 4)), False),
        ("void(float64[:, :], float64)", np.ones((3, 4))[:, ::2], True),
    ],
)
def test_layouts(sig, arr, ok):
    def touch(a, k):
        return k

    f = pyston.njit(sig)(touch)
    if ok:
        assert f(arr, 2.0) == 2.0
    else:
        with pytest.raises(TypeError, match="No matching definition"):
            f(arr, 2.0)


@pytest.mark.parametrize(
    "args",
    [
        (A.astype(np.float32), 3),  # other dtype
        (np.ones((2, 2)), 3),  # other ndim
        (A, 1j),  # complex converts to nothing real
        (A, "3"),
    ],
)
def test_other_argument_types_rejected(args):
    f = pyston.njit("float64(float64[:], int64)")(sum_first)
    with pytest.raises(TypeError):
        f(*args)


@pytest.mark.parametrize("n", [3.0, 3.9, np.int32(3), np.float32(3.5), True], ids=repr)
def test_scalar_arguments_converted_as_numba_does(n):
    # Numba converts a float to an int64 parameter (truncating), widens int32, ...
    f = pyston.njit("float64(float64[:], int64)")(sum_first)
    assert f(A, n) == sum_first(A, int(n))


def test_rejection_message_names_types_and_signatures():
    f = pyston.njit("float64(float64[:], int64)")(sum_first)
    with pytest.raises(TypeError) as info:
        f(A, 3j)  # complex converts to no int64
    msg = str(info.value)
    assert "No matching definition for argument type(s)" in msg
    assert "complex" in msg and "array(float64, 1d, A)" in msg


def test_recompile_keeps_explicit_signatures():
    f = pyston.njit("float64(float64[:], int64)")(sum_first)
    before = list(f.signatures)
    f.recompile()
    assert f.signatures == before
    assert f(A, 3) == 3.0


def test_tuple_arguments():
    def first(t):
        return t[0]

    f = pyston.njit("float64(UniTuple(float64, 2))")(first)
    assert f((1.5, 2.5)) == 1.5
    # ints convert item by item, as Numba converts them
    r = f((1, 2))
    assert r == 1.0 and type(r) is float
    for bad in [(1.5,), (1.5, 2.5, 3.5), ("a", "b"), [1.5, 2.5]]:
        with pytest.raises(TypeError):
            f(bad)


def test_in_place_signature():
    f = pyston.njit("void(float64[::1], float64)")(scale_inplace)
    a = np.arange(4.0)
    assert f(a, 2.0) is None
    np.testing.assert_array_equal(a, [0.0, 2.0, 4.0, 6.0])


def test_bad_signature_forms():
    with pytest.raises(TypeError, match="is a type, not a signature"):
        pyston.njit(float64)
    with pytest.raises(TypeError):
        pyston.njit([])
    with pytest.raises(TypeError):
        pyston.njit(["f8(f8)", 3])
    with pytest.raises(TypeError, match="'floaty'"):
        pyston.njit("floaty(f8)")
    with pytest.raises(ValueError):
        pyston.njit("f8(f8")


def test_compile_error_at_decoration():
    def uses_set(n):
        xs = {0.0, float(n)}
        return min(xs)

    with pytest.raises(pyston.CompileError):
        pyston.njit("f8(i8)")(uses_set)


def test_real_numba_type_objects_are_taken():
    nt = pytest.importorskip("numba.core.types")
    from pyston.types import normalize_signature

    sig = normalize_signature((nt.int32, nt.float64[:, ::1], nt.UniTuple(nt.int64, 2), nt.boolean, nt.complex64))
    assert sig == normalize_signature("(int32, float64[:, ::1], UniTuple(int64, 2), boolean, complex64)")
    assert normalize_signature(nt.int32(nt.int32, nt.float32)) == normalize_signature("int32(int32, float32)")
    assert normalize_signature((nt.unicode_type,)) == normalize_signature("(unicode_type,)")
    with pytest.raises(TypeError, match="not supported by pyston"):
        normalize_signature((nt.List(nt.int64),))


def test_eager_signature_recursion_by_own_name(tmp_path, monkeypatch):
    # `@njit("i8(i8)")` compiles when the decorator runs, before the name is bound.
    (tmp_path / "eager_rec.py").write_text(
        "import pyston.numba as numba\n"
        "\n"
        "@numba.njit('i8(i8)')\n"
        "def fib(n):\n"
        "    if n < 2:\n"
        "        return n\n"
        "    return fib(n - 1) + fib(n - 2)\n"
        "\n"
        "def make():\n"
        "    @numba.njit('i8(i8)')\n"
        "    def inner(n):\n"
        "        return n if n < 2 else inner(n - 1) + inner(n - 2)\n"
        "    return inner\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import eager_rec

    assert eager_rec.fib(20) == 6765
    assert eager_rec.fib.signatures and eager_rec.make()(10) == 55
    # njit freezes globals (Numba's semantics): rebinding the name later changes nothing.
    old = eager_rec.fib
    eager_rec.fib = lambda n: -1
    assert old(5) == 5


def _str_first(s, i):
    return s[i] + s


def test_unicode_type_parameters():
    f = pyston.njit("unicode_type(unicode_type, int64)")(_str_first)
    assert f("héllo", 1) == "éhéllo"
    with pytest.raises(TypeError):
        f(3, 1)
    try:
        from numba import types as nt
    except ImportError:
        return
    g = pyston.njit((nt.unicode_type, nt.int64))(_str_first)
    assert g("ab", -1) == "bab"
