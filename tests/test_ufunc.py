"""vectorize / guvectorize / cfunc, compared with np.vectorize, NumPy and the plain function.

``pyston.vectorize`` promises, element by element, what
``np.vectorize(func, otypes=[out])`` gives (values bit for bit, dtype, shape,
exceptions); ``pyston.numba.vectorize`` what Numba's ufuncs give.
"""

import ctypes
import math
import pickle
import warnings

import numpy as np
import pyston
import pyston.numba as nb
import pytest
from helpers import rng_for


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind in "fc":
        assert np.array_equal(a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8)) or np.array_equal(a, b, equal_nan=True), (a, b)
    else:
        assert np.array_equal(a, b), (a, b)


def outcome(f, *args, **kw):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return ("ok", f(*args, **kw))
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        # NumPy names np.vectorize's ufunc "<name> (vectorized)" in its float warnings
        return ("raise", type(e), str(e).replace(" (vectorized)", ""))


def same_outcome(a, b):
    assert a[0] == b[0], (a, b)
    if a[0] == "ok":
        same(a[1], b[1])
    else:
        assert a[1:] == b[1:]


# ---- kernels -----------------------------------------------------------------


def hypot_plus(x, y):
    return math.sqrt(x * x + y * y) + 0.5


def int_mix(x, y):
    return (x * 31 + y) % 1000 - x // 3


def fifth(x):
    return x * x * x * x * x


def safe_div(x, y):
    return x / y


def clip01(x):
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1
    return x


EDGE_F = np.array([0.0, -0.0, 1.0, -1.5, 1e308, -1e-308, np.inf, -np.inf, np.nan, 3.25])
EDGE_I = np.array([0, 1, -1, 7, -7, 2**31, -(2**31), 2**40, 999, -1000], dtype=np.int64)


def test_is_a_real_ufunc_with_numpy_attributes():
    u = pyston.vectorize(["float64(float64, float64)", "int64(int64, int64)"], identity=0)(hypot_plus)
    assert isinstance(u, np.ufunc)
    assert (u.nin, u.nout, u.ntypes, u.types) == (2, 1, 2, ["dd->d", "ll->l"])
    assert u.__name__ == "hypot_plus" and u.identity == 0
    assert pyston.vectorize(["f8(f8)"])(fifth).identity is None


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "bool"])
def test_elementwise_matches_np_vectorize(dtype):
    rng = rng_for("elementwise" + dtype)
    sig = {"float64": "f8(f8, f8)", "float32": "f4(f4, f4)", "int64": "i8(i8, i8)", "int32": "i4(i4, i4)",
           "bool": "b1(b1, b1)"}[dtype]
    f = hypot_plus if dtype.startswith("float") else int_mix if dtype.startswith("int") else (lambda x, y: x and not y)
    u = pyston.vectorize([sig])(f)
    ref = np.vectorize(f, otypes=[dtype])
    if dtype.startswith("float"):
        a = np.concatenate([EDGE_F, rng.normal(size=200) * 1e3]).astype(dtype)
    elif dtype == "bool":
        a = rng.integers(0, 2, 210).astype(bool)
    else:
        a = np.concatenate([EDGE_I.astype(dtype), rng.integers(-(10**6), 10**6, 200).astype(dtype)])
    b = a[::-1].copy()
    same_outcome(outcome(u, a, b), outcome(ref, a, b))


def test_broadcasting_views_and_scalars():
    u = pyston.vectorize(["float64(float64, float64)"])(hypot_plus)
    ref = np.vectorize(hypot_plus, otypes=["float64"])
    rng = rng_for("bcast")
    a = rng.normal(size=(6, 8))
    b = rng.normal(size=8)
    for x, y in [(a, b), (a.T, b[:, None]), (a[::-1, ::2], 2.0), (3.0, b), (a[:0], b), (np.float64(1.5), 2)]:
        same(u(x, y), ref(x, y))
    f_order = np.asfortranarray(a)
    same(u(f_order, f_order), ref(f_order, f_order))


def test_out_where_and_dtype_selection():
    u = pyston.vectorize(["float64(float64, float64)"])(hypot_plus)
    a = np.arange(10.0)
    out = np.full(10, -1.0)
    r = u(a, a, out=out, where=a > 4)
    assert r is out
    expect = np.where(a > 4, np.vectorize(hypot_plus)(a, a), -1.0)
    same(out, expect)
    # int inputs cast to the float64 loop (the first one they cast to safely)
    same(u(np.arange(5), np.arange(5)), np.vectorize(hypot_plus, otypes=["f8"])(np.arange(5.0), np.arange(5.0)))
    with pytest.raises(TypeError):
        u(np.arange(3, dtype=np.complex128), 1.0)


def test_loop_order_picks_the_first_matching_signature():
    u = pyston.vectorize(["int64(int64, int64)", "float64(float64, float64)"])(int_mix)
    assert u(np.arange(4), 3).dtype == np.int64
    assert u(np.arange(4.0), 3.0).dtype == np.float64


def test_reduce_accumulate_outer_at():
    # no identity: reduce starts from the first element, as the object ufunc does
    u = pyston.vectorize(["int64(int64, int64)", "float64(float64, float64)"])(lambda x, y: x + 2 * y)
    ref = np.frompyfunc(lambda x, y: x + 2 * y, 2, 1)
    a = np.arange(1, 9)
    assert u.reduce(a) == ref.reduce(a.astype(object))
    same(u.accumulate(a), ref.accumulate(a.astype(object)).astype(np.int64))
    m = np.arange(12.0).reshape(3, 4)
    same(u.reduce(m, axis=1), ref.reduce(m.astype(object), axis=1).astype(np.float64))
    same(u.outer(a[:3], a[:4]), ref.outer(a[:3], a[:4]).astype(np.int64))
    with pytest.raises(ValueError):
        u.reduce(np.arange(0))  # no identity
    with_identity = pyston.vectorize(["int64(int64, int64)"], identity=0)(lambda x, y: x + 2 * y)
    assert with_identity.reduce(np.arange(0)) == 0
    assert with_identity.reduce(a) == 2 * a.sum()  # NumPy starts from the identity
    b = np.zeros(4, dtype=np.int64)
    u.at(b, [0, 0, 2], 5)
    same(b, np.array([20, 0, 10, 0]))


def test_int_overflow_is_exact_in_strict_mode_and_wraps_in_numba_mode():
    a = np.array([2, 10**3, 7 * 10**3, 10**4], dtype=np.int64)
    strict = pyston.vectorize(["int64(int64)"])(fifth)
    same_outcome(outcome(strict, a[:3]), outcome(np.vectorize(fifth, otypes=["int64"]), a[:3]))
    big = np.array([2, 10**5])
    same_outcome(outcome(strict, big), outcome(np.vectorize(fifth, otypes=["int64"]), big))
    assert outcome(strict, big)[1] is OverflowError
    # float output: the exact big int, converted as NumPy converts it
    to_float = pyston.vectorize(["float64(int64)"])(fifth)
    same(to_float(big), np.vectorize(fifth, otypes=["float64"])(big))
    wrapped = nb.vectorize(["int64(int64)"])(fifth)
    same(wrapped(big), big * big * big * big * big)  # NumPy int64 arithmetic wraps


def test_exceptions_inside_the_kernel_are_raised_exactly():
    u = pyston.vectorize(["float64(float64, float64)", "int64(int64, int64)"])(safe_div)
    ref = np.vectorize(safe_div, otypes=["float64"])
    a = np.arange(5.0)
    same_outcome(outcome(u, a, a), outcome(ref, a, a))  # 0.0 / 0.0 at element 0
    assert outcome(u, a, a)[1] is ZeroDivisionError
    same_outcome(outcome(u, a, a + 1), outcome(ref, a, a + 1))
    # large, buffered, non-trivial iteration: the error stops the call
    big = np.ones((300, 200))[:, ::2]
    den = np.ones((300, 100))
    den[250, 7] = 0.0
    with pytest.raises(ZeroDivisionError):
        u(big, den)
    same(u(big, den + 1), big / (den + 1))  # and the next call is unaffected

    def checked(x):
        if x > 3:
            raise ValueError("too big")
        return x

    c = pyston.vectorize(["int64(int64)"])(checked)
    with pytest.raises(ValueError, match="too big"):
        c(np.arange(10))
    same(c(np.arange(3)), np.arange(3))


def test_numba_vectorize_error_model_numpy():
    u = nb.vectorize(["float64(float64, float64)"])(safe_div)
    with np.errstate(all="ignore"):
        same(u(np.array([1.0, 0.0, -1.0]), 0.0), np.array([np.inf, np.nan, -np.inf]))


def test_result_conversion_like_numpy():
    # a Python int and a float returned into one float64 loop; bool output from floats
    u = pyston.vectorize(["float64(float64)"])(clip01)
    a = np.array([-1.0, 0.5, 2.0, np.nan])
    same(u(a), np.vectorize(clip01, otypes=["float64"])(a))
    truth = pyston.vectorize(["b1(f8)"])(lambda x: x * 2.0)
    same(truth(a), np.vectorize(lambda x: x * 2.0, otypes=["bool"])(a))
    to_int = pyston.vectorize(["i8(f8)"])(lambda x: x * 2.0)
    same(to_int(np.array([1.5, -2.7])), np.array([3, -5]))
    same_outcome(outcome(to_int, np.array([np.nan])), outcome(np.vectorize(lambda x: x * 2.0, otypes=["i8"]),
                                                                np.array([np.nan])))
    cplx = pyston.vectorize(["c16(c16, f8)"])(lambda z, s: z * s)
    z = np.array([1 + 2j, -3j])
    same(cplx(z, 2.0), z * 2.0)


def test_lazy_vectorize_adds_loops_per_dtype():
    @pyston.vectorize
    def scale(x):
        return x * 2.5

    assert isinstance(scale, pyston.DUFunc) and scale.ufunc is None
    same(scale(np.arange(4)), np.arange(4) * 2.5)
    same(scale(np.arange(4.0)), np.arange(4.0) * 2.5)
    assert scale.types == ["l->d", "d->d"] and isinstance(scale.ufunc, np.ufunc)
    same(scale(3), np.float64(7.5))

    @pyston.vectorize(identity=0)
    def add(x, y):
        return x + y

    assert add.reduce(np.arange(10)) == 45
    same(add.accumulate(np.arange(4)), np.array([0, 1, 3, 6]))
    same(add.outer(np.arange(2), np.arange(3)), np.add.outer(np.arange(2), np.arange(3)))
    try:
        import cloudpickle  # noqa: F401 - a local function pickles by value through it
    except ImportError:
        return
    d = pickle.loads(pickle.dumps(add))
    assert isinstance(d, pyston.DUFunc) and d.reduce(np.arange(4)) == 6


def test_strict_fallback_function_still_exact():
    def with_try(x):
        try:
            return 1.0 / x
        except ZeroDivisionError:
            return -1.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        u = pyston.vectorize(["f8(f8)"])(with_try)
        same(u(np.array([0.0, 2.0])), np.array([-1.0, 0.5]))


def test_options_and_errors():
    with pytest.raises(NotImplementedError, match="cuda"):
        pyston.vectorize(["f8(f8)"], target="cuda")(fifth)
    with pytest.raises(TypeError, match="return type"):
        pyston.vectorize([(pyston.types.float64,)])(fifth)
    with pytest.raises(TypeError, match="unknown option"):
        pyston.vectorize(["f8(f8)"], bogus=1)(fifth)
    u = pyston.vectorize(["f8(f8)"], target="parallel", cache=True, fastmath=True)(fifth)
    same(u(np.array([2.0])), np.array([32.0]))
    with pytest.raises(ValueError, match="identity"):
        pyston.vectorize(["f8(f8)"], identity="two")(fifth)


def test_ufunc_pickles_by_reference():
    assert pickle.loads(pickle.dumps(module_ufunc)) is module_ufunc


@pyston.vectorize(["float64(float64, float64)"])
def module_ufunc(x, y):
    return x - y


# ---- guvectorize -------------------------------------------------------------


def test_guvectorize_dot_and_matvec():
    @pyston.guvectorize(["void(float64[:], float64[:], float64[:])", "void(int64[:], int64[:], int64[:])"],
                        "(n),(n)->()")
    def dot(a, b, out):
        s = a[0] * 0
        for i in range(a.shape[0]):
            s += a[i] * b[i]
        out[0] = s

    rng = rng_for("gu")
    A = rng.normal(size=(4, 7))
    B = rng.normal(size=7)
    assert isinstance(dot, np.ufunc) and dot.signature == "(n),(n)->()"
    expect = np.array([sum(A[k, i] * B[i] for i in range(7)) for k in range(4)])
    same(dot(A, B), expect)
    same(dot(np.arange(6).reshape(2, 3), np.arange(3)), np.array([5, 14]))

    @pyston.guvectorize(["void(float64[:,:], float64[:], float64[:])"], "(m,n),(n)->(m)")
    def matvec(M, v, out):
        for i in range(M.shape[0]):
            s = 0.0
            for j in range(M.shape[1]):
                s += M[i, j] * v[j]
            out[i] = s

    M = rng.normal(size=(3, 5, 7))
    r = matvec(M, B)
    assert r.shape == (3, 5)
    for k in range(3):
        for i in range(5):
            assert r[k, i] == sum(M[k, i, j] * B[j] for j in range(7))
    out = np.zeros((3, 5))
    matvec(np.asfortranarray(M), B, out=out)
    same(out, r)


def test_guvectorize_scalar_input_and_errors():
    @pyston.guvectorize(["void(float64[:], float64, float64[:])"], "(n),()->(n)")
    def shift(a, s, out):
        if s == 0.0:
            raise ValueError("zero scale")
        for i in range(a.shape[0]):
            out[i] = a[i] / s

    same(shift(np.arange(6.0).reshape(2, 3), 2.0), np.arange(6.0).reshape(2, 3) / 2.0)
    with pytest.raises(ValueError, match="zero scale"):
        shift(np.arange(6.0).reshape(2, 3), np.array([1.0, 0.0]))
    with pytest.raises(ValueError):
        pyston.guvectorize(["void(f8[:], f8[:])"], "(n)->(n")(lambda a, o: None)
    with pytest.raises(TypeError, match="layout"):
        pyston.guvectorize(["void(f8[:], f8[:], f8[:])"], "(n)->(n)")(lambda a, o: None)


def test_numba_guvectorize():
    @nb.guvectorize(["void(int64[:], int64[:])"], "(n)->(n)")
    def cumsum_wrap(a, out):
        s = 0
        for i in range(a.shape[0]):
            s += a[i] * a[i]
            out[i] = s

    a = np.array([2**31, 2**31, 3])
    same(cumsum_wrap(a), np.cumsum(a * a))  # wraps like NumPy int64


# ---- cfunc ---------------------------------------------------------------------


def test_cfunc_via_ctypes():
    @pyston.cfunc("float64(float64, float64)")
    def mix(x, y):
        return x * y + 1.0

    assert isinstance(mix.address, int) and mix.address != 0
    assert "mix" in mix.native_name
    assert mix.ctypes(2.0, 3.0) == 7.0 and mix(2.0, 3.0) == 7.0
    proto = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)
    assert proto(mix.address)(1.5, 2.0) == 4.0

    @pyston.cfunc("int32(int64, int32)")
    def isum(a, b):
        return a + b

    assert isum.ctypes(2**40 + 5, 7) == ((2**40 + 12 + 2**31) % 2**32) - 2**31

    @nb.cfunc("float32(float32)")
    def half(x):
        return x / 2

    assert half.ctypes(3.0) == 1.5


def test_cfunc_with_scipy_quad():
    scipy = pytest.importorskip("scipy")
    from scipy import integrate

    @pyston.cfunc("float64(float64)")
    def integrand(x):
        return math.exp(-x * x)

    got = integrate.quad(scipy.LowLevelCallable(integrand.ctypes), 0.0, 2.0)
    want = integrate.quad(lambda x: math.exp(-x * x), 0.0, 2.0)
    assert got == want


def test_cfunc_deopt_is_exact_and_exceptions_are_unraisable(monkeypatch):
    import sys

    @pyston.cfunc("float64(int64)")
    def cube(x):
        return x * x * x  # strict: past 64 bits the exact big int, then the C double

    assert cube.ctypes(10**7) == float(10**21) and cube.ctypes(3) == 27.0

    @pyston.cfunc("float64(float64)")
    def inv(x):
        return 1.0 / x

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_type))
    assert inv.ctypes(0.0) == 0.0
    assert seen == [ZeroDivisionError]
    assert inv(4.0) == 0.25

    @pyston.cfunc("boolean(float32, int32)")
    def flag(x, n):
        return x * n > 1.0

    assert flag.ctypes(0.75, 2) is True and flag.ctypes(0.25, 2) is False

    @pyston.cfunc("void(float64)")
    def nothing(x):
        return None

    assert nothing.ctypes(1.0) is None


def _mul_add(x, y):
    return x * y + x


def _div(x, y):
    return x / y


def _floordiv3(x, y):
    return (x + y) // 3


@pytest.mark.parametrize(
    "sig, func, args",
    [
        ("int32(int32, int32)", _mul_add, ([2**30, -5, 7], [3, 2**30, -2])),
        ("float32(float32, float32)", _mul_add, ([1.1, 2.5e38, -3], [3.3, 2, 1e-3])),
        ("float64(float64, float64)", _div, ([1.0, 0.0, -1.0, 3.0], [0.0, 0.0, 0.0, 7.0])),
        ("int64(int64, int64)", _div, ([1, 0, -1, 7], [0, 0, 0, 2])),
        ("int64(int64, int64)", _floordiv3, ([-7, 7, 2**62], [0, -1, 2**62])),
    ],
)
def test_numba_vectorize_matches_numba(sig, func, args):
    numba = pytest.importorskip("numba")
    dtype = sig.split("(")[1].split(",")[0]
    arrays = [np.array(a, dtype=dtype) for a in args]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = numba.vectorize([sig])(func)(*arrays)
        got = nb.vectorize([sig])(func)(*arrays)
    same(got, want)


@pytest.mark.xfail(strict=True, reason="documented gap: NumPy's floating-point-flag warnings after the loop "
                   "('invalid value' from comparing NaN) can differ from np.vectorize's: compiled "
                   "comparisons do not raise the invalid flag that CPython's do")
def test_fp_flag_warnings_like_np_vectorize():
    a = np.array([0.5, np.nan])
    same_outcome(outcome(pyston.vectorize(["f8(f8)"])(clip01), a), outcome(np.vectorize(clip01, otypes=["f8"]), a))


def test_lazy_vectorize_needs_one_result_dtype():
    @pyston.vectorize
    def mixed(x):
        if x > 0:
            return 1
        return 0.5

    with pytest.raises(TypeError, match="cannot infer the output dtype"):
        mixed(np.arange(3.0))
    assert pyston.vectorize(["f8(f8)"])(mixed.py_func)(np.array([1.0, -1.0])).tolist() == [1.0, 0.5]


# -- target="parallel": long runs of elements split across threads ----------


def _reciprocal(x):
    return 1.0 / x


def _grow(x):
    return x * 3 + 1


def _wave(x, y):
    s = 0.0
    for k in range(5):
        s += math.sin(x * k + y)
    return s


@pytest.fixture(params=[2, 3])
def par_threads(request):
    from pyston import _pyston

    old = _pyston.get_num_threads()
    _pyston.set_num_threads(request.param)
    yield request.param
    _pyston.set_num_threads(old)


def test_parallel_target_matches_serial(par_threads):
    a, b = np.random.default_rng(1).random((2, 50_001))
    serial = pyston.vectorize(["float64(float64, float64)"])(_wave)
    par = pyston.vectorize(["float64(float64, float64)"], target="parallel")(_wave)
    assert isinstance(par, np.ufunc)
    assert np.array_equal(par(a, b), serial(a, b))
    assert np.array_equal(par(a[::3], b[::3]), serial(a[::3], b[::3]))  # strided


def test_parallel_target_exception_from_a_chunk(par_threads):
    x = np.random.default_rng(2).random(60_000) + 1.0
    x[41_234] = 0.0
    par = pyston.vectorize(["float64(float64)"], target="parallel")(_reciprocal)
    with pytest.raises(ZeroDivisionError) as e:
        par(x)
    with pytest.raises(ZeroDivisionError) as p:
        np.vectorize(_reciprocal, otypes=[np.float64])(x)
    assert str(e.value) == str(p.value)


def test_parallel_target_deopt_in_a_chunk(par_threads):
    x = np.arange(60_000, dtype=np.int64)
    par = pyston.vectorize(["int64(int64)"], target="parallel")(_grow)
    assert np.array_equal(par(x), x * 3 + 1)
    x[33_333] = 2**62  # 3 * 2**62 + 1 does not fit: the element deoptimizes, then NumPy's conversion raises
    with pytest.raises(OverflowError):
        par(x)
    with pytest.raises(OverflowError):
        np.vectorize(_grow, otypes=[np.int64])(x)


def _dot_into(a, b, out):
    s = a[0] - a[0]
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    out[0] = s


def test_lazy_guvectorize_compiles_per_dtype():
    g = pyston.guvectorize("(n),(n)->()")(_dot_into)
    x = np.random.default_rng(3).random((4, 5))
    out = np.empty(4)
    g(x, x, out)
    np.testing.assert_allclose(out, (x * x).sum(axis=1), rtol=1e-12)
    xi = np.arange(20).reshape(4, 5)
    outi = np.empty(4, np.int64)
    g(xi, xi, outi)
    assert np.array_equal(outi, (xi * xi).sum(axis=1))
    assert g.types == ["dd->d", "ll->l"]
    assert pickle.loads(pickle.dumps(g, protocol=5)).signature == "(n),(n)->()"
    with pytest.raises(TypeError, match="output"):
        g(x, x)  # the output cannot be inferred: it must be passed, as in Numba


def test_lazy_guvectorize_matches_numba():
    numba = pytest.importorskip("numba")
    x = np.random.default_rng(4).random((3, 6))
    o1, o2 = np.empty(3), np.empty(3)
    pyston.numba.guvectorize("(n),(n)->()")(_dot_into)(x, x, o1)
    numba.guvectorize("(n),(n)->()")(_dot_into)(x, x, o2)
    np.testing.assert_allclose(o1, o2, rtol=1e-12)
