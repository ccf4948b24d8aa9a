"""The opt-in flags of ``pyston.fast``: one test per flag showing what it
changes against strict mode, the ``optin=`` spelling, flag validation, and
isolation (a flag on one function never leaks into another).

Out-of-range indexes under ``boundscheck=False`` / negative indexes under
``wraparound=False`` are undefined behaviour and deliberately never tested:
only that valid indexes still give the right answers.
"""

import math
import os
import textwrap
import warnings

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, I64_MIN

# --------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------


def square(x):
    return x * x


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def neg(x):
    return -x


def absolute(x):
    return abs(x)


def lcg(seed, n):
    h = seed
    for _ in range(n):
        h = h * 6364136223846793005 + 1442695040888963407
    return h


def true_div(a, b):
    return a / b


def floor_div(a, b):
    return a // b


def modulo(a, b):
    return a % b


def index(a, i):
    return a[i]


def index2(a, i, j):
    return a[i, j]


def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def total2(a):
    s = 0.0
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            s += a[i, j]
    return s


def store_loop(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * 2.0
    return out


def uses_set(n):
    xs = {0.0, float(n)}
    return min(xs)


def wrap64(v):
    """``v`` reduced to a signed 64-bit integer (what a wrapping machine int holds)."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def _module(tmp_path, name, src):
    """A real module file (pyston reads function source through ``inspect``)."""
    import importlib.util
    import sys

    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(src))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------
# unchecked_int
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn,args",
    [
        (square, (2**32,)),
        (square, (3_037_000_500,)),
        (add, (I64_MAX, 1)),
        (sub, (I64_MIN, 1)),
        (neg, (I64_MIN,)),
        (absolute, (I64_MIN,)),
        (lcg, (12345, 50)),
    ],
    ids=["square", "square-just-over", "add", "sub", "neg", "abs", "lcg-loop"],
)
def test_unchecked_int_wraps_where_strict_gives_a_big_int(fn, args):
    exact = fn(*args)
    strict = pyston.fast(fn)
    wrapping = pyston.fast(unchecked_int=True)(fn)
    assert strict(*args) == exact and type(strict(*args)) is int
    got = wrapping(*args)
    assert type(got) is int
    assert got == wrap64(exact)
    assert got != exact  # the cases are chosen to overflow


def test_unchecked_int_agrees_when_nothing_overflows():
    wrapping = pyston.fast(unchecked_int=True)(lcg)
    f = pyston.fast(unchecked_int=True)(square)
    assert f(3_037_000_499) == 3_037_000_499**2
    assert wrapping(0, 0) == 0


def test_unchecked_int_numpy_ints_wrap_without_warning():
    strict = pyston.fast(neg)
    wrapping = pyston.fast(unchecked_int=True)(neg)
    x = np.int64(I64_MIN)
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert strict(x) == x  # NumPy wraps and warns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = wrapping(x)
    assert r == x and type(r) is np.int64


# --------------------------------------------------------------------------
# frozen_globals
# --------------------------------------------------------------------------


def test_frozen_globals_does_not_see_rebinding_until_recompile(tmp_path):
    mod = _module(
        tmp_path,
        "optin_frozen_mod",
        """
        K = 2

        def scale(x):
            return x * K
        """,
    )
    strict = pyston.fast(mod.scale)
    frozen = pyston.fast(frozen_globals=True)(mod.scale)
    assert strict(3) == frozen(3) == 6
    mod.K = 5
    assert strict(3) == 15  # strict reads globals live
    assert frozen(3) == 6  # frozen: the value captured at compile time
    frozen.recompile()
    assert frozen(3) == 15


def test_frozen_globals_closure_cells():
    def make():
        c = 1

        def f(x):
            return x + c

        def set_c(v):
            nonlocal c
            c = v

        return f, set_c

    f, set_c = make()
    strict = pyston.fast(f)
    frozen = pyston.fast(frozen_globals=True)(f)
    assert strict(1) == frozen(1) == 2
    set_c(10)
    assert strict(1) == 11
    assert frozen(1) == 2
    frozen.recompile()
    assert frozen(1) == 11


# --------------------------------------------------------------------------
# error_model="numpy"
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn,args,expected",
    [
        (true_div, (1.0, 0.0), math.inf),
        (true_div, (-1.0, 0.0), -math.inf),
        (true_div, (0.0, 0.0), math.nan),
        (true_div, (7, 0), math.inf),
        (floor_div, (7, 0), 0),
        (floor_div, (1.0, 0.0), math.inf),
        (modulo, (7, 0), 0),
        (modulo, (1.0, 0.0), math.nan),
    ],
    ids=["x/0.0", "-x/0.0", "0/0", "int/0", "int//0", "float//0", "int%0", "float%0"],
)
def test_error_model_numpy_gives_inf_nan_zero(fn, args, expected):
    strict = pyston.fast(fn)
    relaxed = pyston.fast(error_model="numpy")(fn)
    with pytest.raises(ZeroDivisionError):
        strict(*args)
    got = relaxed(*args)
    assert type(got) is type(expected)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected


@pytest.mark.parametrize("fn", [true_div, floor_div, modulo])
@pytest.mark.parametrize("args", [(7, 2), (-7, 2), (7.5, -2.0), (-7.5, 2.0)])
def test_error_model_numpy_unchanged_away_from_zero(fn, args):
    relaxed = pyston.fast(error_model="numpy")(fn)
    want = fn(*args)
    got = relaxed(*args)
    assert got == want and type(got) is type(want)


def test_error_model_bad_value():
    with pytest.raises(ValueError, match="error_model"):
        pyston.fast(error_model="fortran")(true_div)


# --------------------------------------------------------------------------
# boundscheck=False / wraparound=False: valid indexes only (anything else is UB)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [dict(boundscheck=False), dict(wraparound=False), dict(boundscheck=False, wraparound=False)],
    ids=["boundscheck", "wraparound", "both"],
)
def test_unchecked_indexing_still_correct_on_valid_indexes(flags, rng):
    a = rng.standard_normal(37)
    m = rng.standard_normal((5, 6))
    f = pyston.fast(**flags)
    idx, idx2, tot, tot2, st = f(index), f(index2), f(total), f(total2), f(store_loop)
    for i in range(a.shape[0]):
        assert idx(a, i) == a[i] and type(idx(a, i)) is np.float64
    for i in range(5):
        for j in range(6):
            assert idx2(m, i, j) == m[i, j]
    for arr in (a, a[::-2], a[3:]):
        assert tot(arr) == total(arr)
    for arr in (m, np.asfortranarray(m), m[::-1, ::2]):
        assert tot2(arr) == total2(arr)
    out = np.zeros_like(a)
    st(a, out)
    np.testing.assert_array_equal(out, a * 2.0)


def test_boundscheck_false_keeps_negative_indexes():
    a = np.arange(10.0)
    f = pyston.fast(boundscheck=False)(index)
    assert f(a, -1) == 9.0 and f(a, -10) == 0.0


def test_strict_mode_still_raises_index_error():
    a = np.arange(3.0)
    with pytest.raises(IndexError):
        pyston.fast(index)(a, 3)


# --------------------------------------------------------------------------
# fastmath: float sums are reassociated (vector lanes, several partial sums)
# --------------------------------------------------------------------------


def total_sq(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * a[i]
    return s


@pytest.mark.parametrize("n", list(range(0, 40)) + [1001])
def test_fastmath_reorders_float_sums_within_rounding(rng, n):
    a = rng.standard_normal(n)
    f = pyston.fast(fastmath=True)(total_sq)
    got, want = f(a), total_sq(a)
    assert type(got) is type(want)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert "fastmath" in f.options
    if n >= 16:
        assert "vaddpd" in f.inspect_asm() or os.uname().machine not in ("x86_64", "AMD64")


def test_fastmath_changes_the_last_bits_strict_does_not():
    # 1 + 1e-16 + ... : sequential order loses every 1e-16; reassociated sums keep some.
    a = np.array([1.0] + [1e-16] * 64)
    assert pyston.fast(total)(a) == total(a) == 1.0
    assert pyston.fast(fastmath=True)(total)(a) > 1.0


def test_fastmath_does_not_change_a_neighbouring_strict_function(rng):
    a = rng.standard_normal(1001)
    relaxed, strict = pyston.fast(fastmath=True)(total_sq), pyston.fast(total_sq)
    relaxed(a)
    assert strict(a) == total_sq(a)


# --------------------------------------------------------------------------
# fallback=False
# --------------------------------------------------------------------------


def test_fallback_false_raises_compile_error():
    with pytest.warns(pyston.PerformanceWarning):
        assert pyston.fast(uses_set)(3) == 0.0  # strict: runs on the interpreter tier
    f = pyston.fast(fallback=False)(uses_set)
    with pytest.raises(pyston.CompileError, match="uses_set"):
        f(3)


# --------------------------------------------------------------------------
# the optin= spelling
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "optin,expected",
    [
        ("unchecked_int,frozen_globals", dict(unchecked_int=True, frozen_globals=True)),
        ("unchecked_int frozen_globals", dict(unchecked_int=True, frozen_globals=True)),
        (" unchecked_int ,  fastmath ", dict(unchecked_int=True, fastmath=True)),
        ("error_model=numpy", dict(error_model="numpy")),
        ("error_model = 'numpy'", dict(error_model="numpy")),
        ("boundscheck=False, wraparound=false", dict(boundscheck=False, wraparound=False)),
        ("no_fallback", dict(fallback=False)),
        ("fallback=0", dict(fallback=False)),
        (["unchecked_int", "error_model=numpy"], dict(unchecked_int=True, error_model="numpy")),
        (("frozen_globals",), dict(frozen_globals=True)),
        ({"unchecked_int": True, "boundscheck": False}, dict(unchecked_int=True, boundscheck=False)),
        ("", {}),
    ],
)
def test_optin_parsing(optin, expected):
    assert pyston._parse_optin(optin) == expected


def test_optin_spelling_equals_keyword_flags():
    a = pyston.fast(optin="unchecked_int, frozen_globals, boundscheck=False, error_model=numpy")(square)
    b = pyston.fast(unchecked_int=True, frozen_globals=True, boundscheck=False, error_model="numpy")(square)
    assert a.options == b.options
    assert a(2**32) == b(2**32) == 0
    c = pyston.fast(optin=["unchecked_int"])(floor_div)
    assert c(7, 2) == 3


def test_optin_combines_with_keywords():
    f = pyston.fast(optin="unchecked_int", error_model="numpy")(floor_div)
    assert f(7, 0) == 0
    g = pyston.fast(optin="unchecked_int", unchecked_int=True)(square)  # same value twice: fine
    assert g(2**32) == 0
    with pytest.raises(TypeError, match="twice"):
        pyston.fast(optin="unchecked_int", unchecked_int=False)


@pytest.mark.parametrize("bad", ["unchecked_ints", "frozen_globals, turbo", "no_gil", ["speed=11"]])
def test_optin_unknown_name_raises_type_error_listing_valid(bad):
    with pytest.raises(TypeError) as info:
        pyston.fast(optin=bad)
    msg = str(info.value)
    assert "unknown optin flag" in msg
    for name in ("frozen_globals", "unchecked_int", "boundscheck", "wraparound", "error_model", "fastmath"):
        assert name in msg


def test_optin_bad_values():
    with pytest.raises(ValueError, match="True or False"):
        pyston.fast(optin="boundscheck=maybe")
    with pytest.raises(ValueError, match="error_model"):
        pyston.fast(optin="error_model=fortran")
    with pytest.raises(TypeError, match="needs a value"):
        pyston.fast(optin="error_model")
    with pytest.raises(TypeError, match="twice"):
        pyston.fast(optin="boundscheck=False, boundscheck=True")
    with pytest.raises(TypeError):
        pyston.fast(optin=3)
    with pytest.raises(TypeError):
        pyston.fast(optin=[1])


# --------------------------------------------------------------------------
# flag validation, recompile, isolation
# --------------------------------------------------------------------------


def test_unknown_flag_raises_type_error_listing_valid_flags():
    with pytest.raises(TypeError) as info:
        pyston.fast(unchecked_ints=True)
    msg = str(info.value)
    assert "unchecked_ints" in msg
    for name in ("frozen_globals", "unchecked_int", "boundscheck", "wraparound", "error_model", "fastmath", "fallback"):
        assert name in msg


def test_recompile_is_exposed():
    f = pyston.fast(square)
    f(3)
    assert len(f.signatures) == 1
    f.recompile()
    assert f.signatures == []
    assert f(4) == 16


def test_strict_function_unaffected_by_neighbours_flags():
    strict = pyston.fast(square)
    relaxed = pyston.fast(unchecked_int=True)(square)
    x = 2**40
    # interleave the calls, both orders, several times (shared caches must not leak)
    for _ in range(3):
        assert relaxed(x) == 0
        assert strict(x) == 2**80
        assert strict(x) == 2**80
        assert relaxed(x) == 0
    assert strict.options != relaxed.options
    again = pyston.fast(square)
    assert again(x) == 2**80


def test_callers_keep_their_callees_semantics():
    sq_strict = pyston.fast(square)
    sq_wrap = pyston.fast(unchecked_int=True)(square)

    def via_strict(x):
        return sq_strict(x)

    def via_wrap(x):
        return sq_wrap(x)

    relaxed_caller = pyston.fast(unchecked_int=True)(via_strict)
    strict_caller = pyston.fast(via_wrap)
    assert relaxed_caller(2**40) == 2**80  # the strict callee stays exact
    assert strict_caller(2**40) == 0  # the relaxed callee keeps wrapping


def test_disable_jit_env_returns_function(monkeypatch):
    monkeypatch.setenv("PYSTON_DISABLE_JIT", "1")
    assert pyston.fast(square) is square
    assert pyston.fast(optin="unchecked_int")(square) is square
    with pytest.raises(TypeError):
        pyston.fast(turbo=True)  # flags are still checked


# --------------------------------------------------------------------------
# the flag table (pyston._pyston.FLAGS) is the one source of flag names,
# values and documentation
# --------------------------------------------------------------------------


def test_flag_table_shape():
    names = [f[0] for f in pyston.FLAGS]
    assert len(names) == len(set(names)) >= 7
    for name, kind, default, choices, doc in pyston.FLAGS:
        assert kind in ("bool", "choice")
        assert default in choices
        if kind == "bool":
            assert set(choices) == {True, False}
        else:
            assert all(isinstance(c, str) for c in choices) and len(choices) >= 2
        assert len(doc) > 20
        assert pyston._pyston.check_flag(name, default) == default


def test_every_flag_is_documented_in_fast_docstring_and_optin_md():
    import pathlib

    doc = " ".join(pyston.fast.__doc__.split())
    md = (pathlib.Path(__file__).parent.parent / "docs" / "optin.md").read_text()
    for name, _kind, default, choices, text in pyston.FLAGS:
        value = next(c for c in choices if c != default)
        assert f"``{name}={value!r}``".replace("'", '"') in doc
        assert " ".join(text.replace("`", "``").split()) in doc
        assert f"| `{name}=" in md, f"docs/optin.md's flag table lacks {name}"
    assert "changes nothing" not in doc


def test_fast_overload_names_every_flag():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(pyston))
    kw = [
        [a.arg for a in node.args.kwonlyargs]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "fast" and node.args.kwonlyargs
    ]
    assert [f[0] for f in pyston.FLAGS] + ["optin"] in kw


def test_check_and_parse_flag():
    assert pyston._pyston.check_flag("boundscheck", False) is False
    assert pyston._pyston.parse_flag("boundscheck", "Off") is False
    assert pyston._pyston.parse_flag("fastmath", "yes") is True
    assert pyston._pyston.parse_flag("error_model", "numpy") == "numpy"
    with pytest.raises(TypeError, match="unknown optin flag 'turbo'; valid flags: frozen_globals"):
        pyston._pyston.check_flag("turbo", True)
    with pytest.raises(ValueError, match="^optin flag 'wraparound' takes True or False, not 'maybe'$"):
        pyston._pyston.parse_flag("wraparound", "maybe")
    with pytest.raises(ValueError, match="^error_model must be 'python' or 'numpy', not 'c'$"):
        pyston._pyston.check_flag("error_model", "c")
    with pytest.raises(ValueError, match="error_model must be 'python' or 'numpy', not True"):
        pyston._pyston.check_flag("error_model", True)
    with pytest.raises(TypeError, match="takes a bool or a string, not int"):
        pyston._pyston.check_flag("unchecked_int", 1)


def test_keyword_flag_values_are_checked_when_fast_is_called():
    with pytest.raises(ValueError, match="error_model"):
        pyston.fast(error_model="fortran")
    with pytest.raises(ValueError, match="True or False"):
        pyston.fast(boundscheck="no")


def test_optin_mapping_values_are_checked():
    with pytest.raises(ValueError, match="True or False"):
        pyston._parse_optin({"boundscheck": "False"})
    with pytest.raises(TypeError, match="unknown optin flag"):
        pyston._parse_optin({"turbo": True})
