"""``pyston.njit`` / ``pyston.jit`` / ``pyston.numba`` against real Numba.

Every kernel is written the way Numba users write them (loops over arrays,
scalar math, ``prange``, explicit signatures) and runs through both
``pyston.njit`` and ``numba.njit``: the results must be equal (floats with
``assert_allclose``, ints and bools exactly) and of the same type (Numba
returns Python ``float``/``int``/``bool`` for scalars, arrays keep their
dtype).  The file is skipped where Numba is not installed.
"""

import importlib
import itertools
import math
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pyston
import pytest

numba = pytest.importorskip("numba")


# ==========================================================================
# kernels, written for Numba
# ==========================================================================


def sum_array(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s


def pairwise(X):
    n, d = X.shape
    D = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(d):
                t = X[i, k] - X[j, k]
                s += t * t
            D[i, j] = math.sqrt(s)
    return D


def matmul(A, B):
    n, m = A.shape
    p = B.shape[1]
    C = np.zeros((n, p))
    for i in range(n):
        for k in range(m):
            aik = A[i, k]
            for j in range(p):
                C[i, j] += aik * B[k, j]
    return C


def lcg_hash(n, seed):
    # Numba's ints are 64-bit: the multiply wraps.
    h = seed
    for i in range(n):
        h = h * 6364136223846793005 + 1442695040888963407
        h ^= i
    return h


def fnv1a(a):
    h = -3750763034362895579  # the FNV-1a offset basis as a signed 64-bit int
    for i in range(a.shape[0]):
        h ^= a[i]
        h *= 1099511628211
    return h


def collatz_total(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            total += 1
    return total


def mandel_count(w, h, max_iter):
    count = 0
    for iy in range(h):
        for ix in range(w):
            cr = -2.0 + 3.0 * ix / w
            ci = -1.5 + 3.0 * iy / h
            zr = 0.0
            zi = 0.0
            it = 0
            while it < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                it += 1
            count += it
    return count


def prange_sum_sq(a):
    s = 0.0
    for i in pyston.prange(a.shape[0]):
        s += a[i] * a[i]
    return s


def prange_scale(a, out, k):
    for i in pyston.prange(a.shape[0]):
        out[i] = a[i] * k
    return out


def smooth(a, out):
    n = a.shape[0]
    out[0] = a[0]
    out[n - 1] = a[n - 1]
    for i in range(1, n - 1):
        out[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0


def cumsum(a):
    out = np.empty_like(a)
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
        out[i] = s
    return out


def int_sum(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def is_sorted(a):
    for i in range(1, a.shape[0]):
        if a[i - 1] > a[i]:
            return False
    return True


def min_max_argmax(a):
    lo = a[0]
    hi = a[0]
    arg = 0
    for i in range(1, a.shape[0]):
        if a[i] < lo:
            lo = a[i]
        if a[i] > hi:
            hi = a[i]
            arg = i
    return lo, hi, arg


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def newton_sqrt(x, iters):
    g = x if x > 1.0 else 1.0
    for _ in range(iters):
        g = 0.5 * (g + x / g)
    return g


def trig_sum(n):
    s = 0.0
    for i in range(n):
        x = i * 0.001
        s += math.sin(x) * math.cos(x) + math.exp(-x) + math.log1p(x)
    return s


def row_sums_2d(M):
    n, m = M.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(m):
            out[i] += M[i, j]
    return out


def negative_index_last(a):
    return a[-1] + a[-2]


def complex_poly(z, n):
    acc = 0j
    p = 1 + 0j
    for _ in range(n):
        acc += p
        p *= z
    return acc


def count_true(mask):
    c = 0
    for i in range(mask.shape[0]):
        if mask[i]:
            c += 1
    return c


def int32_times_store(a):
    # Numba types int32 * int as int64 and stores its low 32 bits back.
    out = np.zeros_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] * 3 + 1
    return out


def int_div_mod(a, b):
    return a // b, a % b, a / b


def float32_sum(a):
    s = np.float32(0.0)
    for i in range(a.shape[0]):
        s += a[i]
    return s


# ==========================================================================
# comparison helpers
# ==========================================================================


def check_same(got, want, rtol=1e-12):
    """Equal values and equal types, recursively (Numba's result is ``want``)."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), (got, want)
        for g, w in zip(got, want):
            check_same(g, w, rtol)
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), type(got)
        assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
        if want.dtype.kind in "fc":
            np.testing.assert_allclose(got, want, rtol=rtol, atol=0)
        else:
            np.testing.assert_array_equal(got, want)
        return
    assert type(got) is type(want), f"pyston returned {type(got).__name__} {got!r}, Numba {type(want).__name__} {want!r}"
    if isinstance(want, (float, complex)):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0)
    else:
        assert got == want, (got, want)


def copy_args(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def run_both(fn, args, rtol=1e-12, **options):
    """``fn`` through pyston.njit and numba.njit on separate copies of ``args``;
    returns (pyston result, numba result, pyston args, numba args)."""
    p_args, n_args = copy_args(args), copy_args(args)
    p = pyston.njit(**options)(fn)
    n = numba.njit(**options)(fn)
    got = p(*p_args)
    want = n(*n_args)
    check_same(got, want, rtol)
    for pa, na in zip(p_args, n_args):
        if isinstance(na, np.ndarray):
            check_same(pa, na, rtol)  # the same side effects on array arguments
    return got, want


RNG = np.random.default_rng(20240607)
F1 = RNG.standard_normal(257)
F1b = RNG.standard_normal(257)
F2 = RNG.standard_normal((23, 7))
SQ = RNG.standard_normal((17, 17))
I1 = RNG.integers(-(2**40), 2**40, 300)
SORTED = np.sort(F1)

CASES = [
    ("sum_array", sum_array, (F1,), {}),
    ("sum_array_strided", sum_array, (F1[::-3],), {}),
    ("dot", dot, (F1, F1b), {}),
    ("pairwise", pairwise, (F2,), {}),
    ("pairwise_fortran", pairwise, (np.asfortranarray(F2),), {}),
    ("matmul", matmul, (SQ, SQ.T), {}),
    ("lcg_hash", lcg_hash, (1000, 12345), {}),
    ("fnv1a", fnv1a, (I1,), {}),
    ("collatz_total", collatz_total, (300,), {}),
    ("mandel_count", mandel_count, (30, 20, 50), {}),
    ("prange_sum_sq", prange_sum_sq, (F1,), {"parallel": True}),
    ("prange_scale", prange_scale, (F1, np.zeros_like(F1), 2.5), {"parallel": True}),
    ("smooth", smooth, (F1, np.zeros_like(F1)), {}),
    ("cumsum", cumsum, (F1,), {}),
    ("int_sum", int_sum, (I1,), {}),
    ("int_sum_int32", int_sum, (np.arange(-50, 50, dtype=np.int32),), {}),
    ("is_sorted_yes", is_sorted, (SORTED,), {}),
    ("is_sorted_no", is_sorted, (F1,), {}),
    ("min_max_argmax", min_max_argmax, (F1,), {}),
    ("min_max_argmax_int", min_max_argmax, (I1,), {}),
    ("newton_sqrt", newton_sqrt, (2.0, 30), {}),
    ("trig_sum", trig_sum, (500,), {"fastmath": True}),
    ("row_sums_2d", row_sums_2d, (F2,), {}),
    ("row_sums_2d_view", row_sums_2d, (F2[::2, ::-1],), {}),
    ("negative_index_last", negative_index_last, (F1,), {}),
    ("complex_poly", complex_poly, (0.5 + 0.25j, 20), {}),
    ("count_true", count_true, (F1 > 0,), {}),
    ("int32_store_truncates", int32_times_store, (np.array([2**31 - 1, 5, -(2**31)], np.int32),), {}),
    ("int_div_mod_neg", int_div_mod, (-7, 2), {}),
    ("int_div_mod_pos", int_div_mod, (17, 5), {}),
    ("float_div_mod", int_div_mod, (-7.5, 2.0), {}),
    ("boundscheck_on", sum_array, (F1,), {"boundscheck": True}),
    ("cache_nogil", dot, (F1, F1b), {"cache": True, "nogil": True}),
    ("error_model_numpy", newton_sqrt, (3.0, 10), {"error_model": "numpy"}),
]


@pytest.mark.parametrize("fn,args,options", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kernel_matches_numba(fn, args, options):
    run_both(fn, args, **options)


def test_float32_accumulation_is_close_to_numba():
    # Numba keeps s a float32 here too; both return a Python float.
    a = RNG.standard_normal(100).astype(np.float32)
    got, want = run_both(float32_sum, (a,), rtol=1e-5)
    assert type(got) is float


def test_recursion_matches_numba():
    results = []
    for i, engine in enumerate(("pyston", "numba")):
        src = textwrap.dedent(
            f"""
            from {engine} import njit

            @njit
            def fib(n):
                if n < 2:
                    return n
                return fib(n - 1) + fib(n - 2)
            """
        )
        results.append(_load_module(src, f"fibmod_{i}").fib(20))
    check_same(results[0], results[1])
    assert results[0] == 6765


def _load_module(src, name):
    """Import ``src`` as a real module file (pyston and Numba read the source)."""
    import importlib.util
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="pyston_njit_")) / f"{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # Numba resolves recursive calls through the module
    spec.loader.exec_module(mod)
    return mod


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def _make_gcd_sum(jit):
    gcd = jit(_gcd)

    def gcd_sum(n):
        s = 0
        for i in range(1, n):
            for j in range(1, n):
                s += gcd(i, j)
        return s

    return jit(gcd_sum)


def test_calls_between_jitted_functions_match_numba():
    check_same(_make_gcd_sum(pyston.njit)(40), _make_gcd_sum(numba.njit)(40))


# ==========================================================================
# Numba's semantics where they differ from strict pyston
# ==========================================================================


def square(x):
    return x * x


def add(x, y):
    return x + y


@pytest.mark.parametrize("x", [2**32, 2**40 + 3, -(2**62), 3_037_000_500])
def test_int_overflow_wraps_like_numba(x):
    got, want = run_both(square, (x,))
    assert type(got) is int
    assert pyston.fast(square)(x) == x * x  # strict mode stays exact


@pytest.mark.parametrize("x,y", [(2**63 - 1, 1), (-(2**63), -1), (2**62, 2**62)])
def test_int_add_wraps_like_numba(x, y):
    run_both(add, (x, y))


def test_numpy_scalar_results_are_python_scalars():
    p = pyston.njit(add)
    for args, typ in [((np.float64(1.5), 2.0), float), ((np.int64(3), np.int64(4)), int),
                      ((np.float32(1.5), np.float32(2.0)), float), ((True, False), int),
                      ((np.complex128(1j), 1.0), complex)]:
        got = p(*args)
        want = numba.njit(add)(*args)
        assert type(got) is typ and type(want) is typ, (args, got, want)
        np.testing.assert_allclose(got, want)


# Numba types small ints (int32, bool) as int64 and mixes float32 with a Python
# float in float64; pyston.njit follows the same rules (types.numba_binop_result).
NUMBA_PROMOTION = [
    ("np_bool_add", add, (np.bool_(True), np.bool_(True))),
    ("int32_plus_int", add, (np.int32(2**31 - 1), 1)),
    ("int32_times_int32", add, (np.int32(2**31 - 1), np.int32(1))),
    ("int32_array_sum", int_sum, (np.full(4, 2**30, dtype=np.int32),)),
    ("float32_plus_float", add, (np.float32(0.1), 0.2)),
]


@pytest.mark.parametrize("fn,args", [c[1:] for c in NUMBA_PROMOTION], ids=[c[0] for c in NUMBA_PROMOTION])
def test_numba_promotion_rules(fn, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's overflow warning in the plain-Python reference
        run_both(fn, args)


def shift_left(x):
    return x << 40


def cube(x):
    return x**3


@pytest.mark.parametrize("fn", [shift_left, cube])
def test_shift_and_power_wrap_like_numba(fn):
    run_both(fn, (2**30,))


def float_powers(x, y, n):
    return (x**0.5, x**2, x**3, x**-2, x**13, x**0, x**-1.0, x**2.0, x**1.0, x**y, x**n, math.pow(x, 0.5))


POW_X = [
    float.fromhex("0x1.5928e6e8447d4p+361"),  # libm pow(x, 0.5) != sqrt(x) here; Numba gives the sqrt
    -1.6533539966859667, -1.0, -0.0, 0.0, 1.0, 2.5, 1e300, 1e-300, math.inf, -math.inf, math.nan,
]  # fmt: skip


@pytest.mark.parametrize("x", POW_X + list(RNG.uniform(-10, 10, 12)))
@pytest.mark.parametrize("y, n", [(1 / 3, 7), (-0.5, -3), (2.0, 0), (1e6, 70000)])
def test_float_powers_match_numba_bit_for_bit(x, y, n):
    # Numba's x ** int multiplies (binary exponentiation) and its x ** 0.5 is a
    # square root (LLVM's rewrite), where CPython calls pow: njit follows Numba.
    def outcome(f):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return [float(r).hex() for r in f(x, y, n)]
        except ZeroDivisionError as e:  # x ** -k with x ** k == 0
            return repr(e)

    assert outcome(pyston.njit(float_powers)) == outcome(numba.njit(float_powers))


def test_frozen_globals_like_numba():
    src = textwrap.dedent(
        """
        K = 2.0

        def scale(x):
            return x * K
        """
    )
    mod = _load_module(src, "frozen_globals_mod")
    p = pyston.njit(mod.scale)
    n = numba.njit(mod.scale)
    assert p(3.0) == n(3.0) == 6.0
    mod.K = 10.0
    assert p(3.0) == n(3.0) == 6.0  # both froze K at compile time
    p.recompile()
    n.recompile()
    assert p(3.0) == n(3.0) == 30.0


def test_zero_division_raises_like_numba():
    p = pyston.njit(int_div_mod)
    n = numba.njit(int_div_mod)
    for args in [(1, 0), (1.0, 0.0)]:
        with pytest.raises(ZeroDivisionError):
            n(*args)
        with pytest.raises(ZeroDivisionError):
            p(*args)


def fdiv(a, b):
    return a / b


def test_error_model_numpy_gives_inf_like_numba():
    got, want = run_both(fdiv, (1.0, 0.0), error_model="numpy")
    assert got == math.inf
    got, want = run_both(fdiv, (-1.0, 0.0), error_model="numpy")
    assert got == -math.inf


def test_untypeable_code_raises_compile_error():
    def uses_set(n):
        xs = {i * 0.5 for i in range(n)}  # (sets of floats are not compiled)
        return len(xs)

    f = pyston.njit(uses_set)
    with pytest.raises(pyston.CompileError):
        f(3)


def test_boundscheck_true_raises_index_error_like_numba():
    p = pyston.njit(boundscheck=True)(negative_index_last)
    n = numba.njit(boundscheck=True)(negative_index_last)
    a = np.zeros(1)
    with pytest.raises(IndexError):
        n(a)
    with pytest.raises(IndexError):
        p(a)


# ==========================================================================
# explicit signatures
# ==========================================================================


def sum_first(a, n):
    s = 0.0
    for i in range(n):
        s += a[i]
    return s


@pytest.mark.parametrize(
    "sig",
    [
        "float64(float64[:], int64)",
        "f8(f8[::1], i8)",
        "(float64[:], intp)",
        ["float64(float64[:], int64)", "float64(float64[:], int32)"],
    ],
    ids=["string", "short-names", "args-only", "list"],
)
def test_explicit_signatures_match_numba(sig):
    p = pyston.njit(sig)(sum_first)
    n = numba.njit(sig)(sum_first)
    assert p.signatures, "explicit signatures compile at decoration time"
    for args in [(F1, 10), (F1, np.int64(7))]:
        check_same(p(*args), n(*args))


def test_signature_type_objects_match_numba():
    from pyston.types import float64, int64

    p = pyston.njit(float64(float64[:], int64))(sum_first)
    n = numba.njit(numba.float64(numba.float64[:], numba.int64))(sum_first)
    check_same(p(F1, 5), n(F1, 5))


def test_signature_rejects_other_types_like_numba():
    p = pyston.njit("float64(float64[:], int64)")(sum_first)
    n = numba.njit("float64(float64[:], int64)")(sum_first)
    for args in [(F1.astype(np.float32), 3), (F2, 3), (F1, 1j)]:
        with pytest.raises(TypeError):
            n(*args)
        with pytest.raises(TypeError, match="No matching definition"):
            p(*args)


def test_jit_is_njit():
    p = pyston.jit(dot)
    check_same(p(F1, F1b), numba.jit(dot)(F1, F1b))
    q = pyston.jit("float64(float64[:], float64[:])", nopython=True)(dot)
    check_same(q(F1, F1b), numba.njit(dot)(F1, F1b))


# ==========================================================================
# options
# ==========================================================================


def test_nopython_false_warns_once_and_still_compiles(monkeypatch):
    import pyston._numba_api as api

    monkeypatch.setattr(api, "_warned_objmode", False)
    with pytest.warns(pyston.NumbaCompatibilityWarning, match="object mode"):
        f = pyston.jit(nopython=False)(dot)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = pyston.jit(forceobj=True)(dot)  # only once per process
    check_same(f(F1, F1b), numba.njit(dot)(F1, F1b))
    check_same(g(F1, F1b), numba.njit(dot)(F1, F1b))


def test_accepted_options():
    f = pyston.njit(cache=True, fastmath=True, parallel=True, nogil=True, boundscheck=False,
                    error_model="python", inline="never", locals={"s": numba.float64}, looplift=True,
                    debug=False)(prange_sum_sq)
    check_same(f(F1), numba.njit(parallel=True)(prange_sum_sq)(F1))


def test_unknown_option_raises_type_error():
    with pytest.raises(TypeError, match="pipeline_class|bogus"):
        pyston.njit(bogus=True)
    with pytest.raises(TypeError, match="nopython"):  # the message lists what is accepted
        pyston.jit(target="cuda")


def test_bad_error_model_raises():
    with pytest.raises(ValueError, match="error_model"):
        pyston.njit(error_model="fortran")


def test_decorating_non_function_raises():
    with pytest.raises(TypeError):
        pyston.njit(3)


def test_dispatcher_attributes():
    f = pyston.njit(dot)
    assert f.py_func is dot
    assert f.__name__ == "dot" and f.__wrapped__ is dot
    f(F1, F1b)
    assert len(f.signatures) == 1
    assert "frozen_globals" in f.options and "unchecked_int" in f.options


# ==========================================================================
# disabling the JIT
# ==========================================================================


def test_pyston_disable_jit(monkeypatch):
    monkeypatch.setenv("PYSTON_DISABLE_JIT", "1")
    assert pyston.njit(dot) is dot
    assert pyston.jit(cache=True)(dot) is dot
    assert pyston.njit("float64(float64[:], float64[:])")(dot) is dot
    assert pyston.fast(dot) is dot
    assert pyston.fast(unchecked_int=True)(dot) is dot
    monkeypatch.setenv("PYSTON_DISABLE_JIT", "0")
    assert pyston.njit(dot) is not dot


def test_numba_disable_jit_via_shim_reload(monkeypatch):
    import pyston.numba as shim

    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    try:
        shim = importlib.reload(shim)
        assert shim.config.DISABLE_JIT is True
        assert shim.njit(dot) is dot
        assert shim.jit("float64(float64[:], float64[:])")(dot) is dot
        assert shim.njit(parallel=True)(dot) is dot
    finally:
        monkeypatch.delenv("NUMBA_DISABLE_JIT")
        shim = importlib.reload(shim)
    assert shim.config.DISABLE_JIT is False
    assert shim.njit(dot) is not dot


def test_numba_disable_jit_in_subprocess():
    code = textwrap.dedent(
        """
        import pyston.numba as numba

        def f(x):
            return x * x

        g = numba.njit(f)
        print(g is f, numba.config.DISABLE_JIT, g(2**40))
        """
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    env.pop("PYSTON_DISABLE_JIT", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", str(2**80)]  # plain Python: no wrapping


def test_config_assignment_is_honoured(monkeypatch):
    import pyston.numba as shim

    monkeypatch.setattr(shim.config, "DISABLE_JIT", True)
    assert shim.njit(dot) is dot
    monkeypatch.setattr(shim.config, "DISABLE_JIT", False)
    assert shim.njit(dot) is not dot


# ==========================================================================
# the pyston.numba shim
# ==========================================================================


def test_shim_runs_numba_style_module():
    import pyston.numba as nb

    @nb.njit("float64(float64[:])")
    def total(a):
        s = 0.0
        for i in nb.prange(a.shape[0]):
            s += a[i]
        return s

    check_same(total(F1), numba.njit(sum_array)(F1))
    assert nb.types.float64 is nb.float64
    assert repr(nb.float64[:, ::1]) == "array(float64, 2d, C)"
    assert nb.get_num_threads() == pyston._pyston.get_num_threads() >= 1


@pytest.mark.parametrize(
    "name", ["stencil", "generated_jit", "typeof", "float16"]
)
def test_shim_unsupported_features_raise_not_implemented(name):
    import pyston.numba as nb

    with pytest.raises(NotImplementedError, match=f"numba.{name}"):
        getattr(nb, name)


def test_shim_typed_containers_exist():
    import pyston.numba as nb

    # tests/test_numba_typed.py has their semantics
    assert nb.typed.List.__name__ == "List" and nb.typed.Dict.__name__ == "Dict"
    assert not hasattr(nb.typed, "Set")


def test_shim_from_import_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="stencil"):
        exec("from pyston.numba import stencil", {})


def test_shim_does_not_break_pickling_by_name():
    import pyston.numba  # noqa: F401 - the shim is in sys.modules while pickle searches modules

    u = np.frompyfunc(lambda x: x, 1, 1)
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(u)  # not found anywhere: pickle's own error, not NotImplementedError


def test_shim_dunders_are_attribute_errors():
    import pyston.numba as nb

    assert not hasattr(nb, "__version__")
    assert not hasattr(nb.typed, "__wrapped__")


def test_shim_install_makes_import_numba_resolve(tmp_path):
    code = textwrap.dedent(
        """
        import pyston.numba
        pyston.numba.install()
        import numba
        from numba import njit, prange, float64
        from numba.typed import List
        from numba import stencil  # noqa
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "NotImplementedError: pyston.numba does not support numba.stencil yet" in out.stderr, out.stderr
    code2 = textwrap.dedent(
        """
        import pyston.numba
        pyston.numba.install()
        import numba
        from numba import njit, prange

        @njit(parallel=True)
        def f(n):
            s = 0
            for i in prange(n):
                s += i
            return s

        print(numba is pyston.numba, f(10), type(f).__name__)
        """
    )
    script = tmp_path / "uses_numba.py"
    script.write_text(code2)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "45", "Dispatcher"]


# ==========================================================================
# prange spellings
# ==========================================================================


def prange_numba_module(a):
    s = 0.0
    for i in numba.prange(a.shape[0]):
        s += a[i]
    return s


def prange_shim_module(a):
    import_free = 0.0
    for i in _shim.prange(1, a.shape[0], 2):
        import_free += a[i]
    return import_free


import pyston.numba as _shim  # noqa: E402


@pytest.mark.parametrize("fn", [prange_sum_sq, prange_numba_module, prange_shim_module])
def test_prange_spellings_compile_as_counted_loops(fn):
    a = F1.copy()
    want = fn(a)  # plain Python: prange behaves as range
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no interpreter-tier fallback in strict mode either
        assert pyston.fast(fn)(a) == want
    got = pyston.njit(parallel=True)(fn)(a)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    if fn is not prange_shim_module:  # real Numba cannot read globals that are the shim module
        check_same(got, numba.njit(parallel=True)(fn)(a))


def _prange_in_closure():
    pr = pyston.prange

    def f(a):
        s = 0.0
        for i in pr(a.shape[0]):
            s += a[i]
        return s

    return f


def _numba_prange_in_closure():
    pr = numba.prange

    def f(a):
        s = 0.0
        for i in pr(1, a.shape[0]):
            s += a[i]
        return s

    return f


@pytest.mark.parametrize("make", [_prange_in_closure, _numba_prange_in_closure])
def test_prange_closure_variables_compile_as_range(make):
    fn = make()
    a = F1.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = pyston.fast(fn)
        assert f(a) == fn(a)
    assert "range_len" in f.inspect_ir()


def prange_local_alias(n):
    r = pyston.prange  # a local variable: read at run time, never aliased
    s = 0
    for i in r(n):
        s += i
    return s


def test_prange_local_variable_is_not_aliased():
    f = pyston.fast(prange_local_alias)
    assert "range_len" not in f.inspect_ir()
    with pytest.warns(pyston.PerformanceWarning):
        assert f(10) == 45


def _rebound_range_module(tmp_path):
    path = tmp_path / "prange_rebound_mod.py"
    path.write_text(
        textwrap.dedent(
            """
            import builtins
            from pyston import prange

            def range(n):
                return builtins.range(n - 1)

            def total(n):
                s = 0
                for i in prange(n):
                    s += i
                return s

            def total_range(n):
                s = 0
                for i in range(n):
                    s += i
                return s
            """
        )
    )
    import importlib.util

    spec = importlib.util.spec_from_file_location("prange_rebound_mod", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_prange_not_aliased_when_the_module_rebinds_range(tmp_path):
    mod = _rebound_range_module(tmp_path)
    # (compiled or not: `range` values compile now, so the module's range may too)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        assert pyston.fast(mod.total)(10) == mod.total(10) == 45


def test_rebound_range_is_called_with_the_arguments_written(tmp_path):
    # Untypeable here, so CPython runs the function itself (the interpreter
    # tier called the rebound range as range(start, stop, step)).
    mod = _rebound_range_module(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        assert pyston.fast(mod.total_range)(10) == mod.total_range(10) == 36


def test_prange_alias_keeps_the_callee_span():
    f = pyston.fast(prange_sum_sq)
    ir = f.inspect_ir()
    line = prange_sum_sq.__code__.co_firstlineno + 2  # the `for ... in pyston.prange(...)` line
    assert f'global "range"  ; line {line}' in ir


# ==========================================================================
# explicit signatures: arguments converted as Numba converts them
# ==========================================================================

_CONVERSIONS = [
    ("int32(int32)", 5),
    ("int32(int32)", 2**40),  # the low 32 bits
    ("int32(int32)", -(2**35) - 7),
    ("int32(int32)", 2.5),  # truncated
    ("int32(int32)", -2.5),
    ("int32(int32)", True),
    ("int32(int32)", np.int64(2**40 + 3)),
    ("int64(int64)", 2.5),
    ("int64(int64)", np.int32(4)),
    ("int64(int64)", np.float64(-4.5)),
    ("int64(int64)", np.float32(7.75)),
    ("int64(int64)", 2**70),  # OverflowError
    ("float32(float32)", 1.1),
    ("float32(float32)", 3),
    ("float32(float32)", np.float64(1e300)),  # inf
    ("float64(float64)", 3),
    ("float64(float64)", True),
    ("float64(float64)", np.int32(-9)),
    ("float64(float64)", 1 + 2j),  # TypeError: complex converts to nothing real
    ("complex128(complex128)", 2.0),
    ("complex128(complex128)", 3),
    ("complex128(complex128)", np.float32(0.5)),
    ("boolean(boolean)", 3),
    ("boolean(boolean)", 0.0),
    (["int32(int32)", "float64(float64)"], 3),  # int64 -> float64 is safe, -> int32 unsafe
    (["int32(int32)", "float64(float64)"], 3.5),
    (["int32(int32)", "float32(float32)"], 3.5),  # ambiguous: both unsafe
    (["float32(float32)", "float64(float64)"], 3),
    (["int64(int64)", "float64(float64)"], True),  # ambiguous: both safe
    (["int32(int32)", "int64(int64)"], np.int32(2)),  # exact beats promote
    (["float32(float32)", "int64(int64)"], np.float64(2.5)),  # ambiguous
]


def _outcome(f, x):
    try:
        r = f(x)
    except (TypeError, OverflowError) as e:
        return type(e).__name__
    if isinstance(r, float) and math.isnan(r):
        return ("nan", type(r).__name__)
    return (repr(r), type(r).__name__)


@pytest.mark.parametrize("sig, x", _CONVERSIONS, ids=[f"{s}-{x!r}" for s, x in _CONVERSIONS])
def test_signature_argument_conversion_matches_numba(sig, x):
    def ident(v):
        return v

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _outcome(numba.njit(sig)(ident), x)
    got = _outcome(pyston.njit(sig)(ident), x)
    assert got == want


def test_converted_arrays_and_scalars_together():
    def scale(a, k):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * k
        return s

    a = np.arange(6.0)
    f = pyston.njit("float64(float64[:], float32)")(scale)
    g = numba.njit("float64(float64[:], float32)")(scale)
    assert f(a, 1.1) == g(a, 1.1)  # 1.1 rounded to float32 first
    assert f(a[::2], 3) == g(a[::2], 3)  # a strided view and an int


_RETURNS = [
    ("float64(int64)", 3),
    ("int32(float64)", 2.7),
    ("int32(int64)", 2**40 + 5),
    ("float32(float64)", 1.1),
    ("complex128(float64)", 2.0),
    ("int64(int64)", 3),
    ("boolean(int64)", 3),
    ("int64(boolean)", True),
]


@pytest.mark.parametrize("sig, x", _RETURNS, ids=[f"{s}-{x!r}" for s, x in _RETURNS])
def test_signature_return_type_conversion_matches_numba(sig, x):
    def ident(v):
        return v

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _outcome(numba.njit(sig)(ident), x)
    assert _outcome(pyston.njit(sig)(ident), x) == want


# ==========================================================================
# programs Numba compiles that pyston.njit refused (issue 17, differential fuzzing)
# ==========================================================================


def round_n(x, n):
    return round(x, n)


def round_elements(a, n):
    s = 0.0
    for i in range(a.shape[0]):
        s += round(a[i], n)
    return s


def floor_ceil_trunc(x):
    return math.floor(x), math.ceil(x), math.trunc(x)


def floor_ceil_trunc_elements(a):
    t = 0
    for i in range(a.shape[0]):
        t += math.floor(a[i]) * 100 + math.ceil(a[i]) * 10 + math.trunc(a[i])
    return t


def array_expression(a, b):
    return a * 2.0 + b / 3.0 - 1.0


def array_expression_int(a):
    return (a + 1) * a


def zero_d_ops(a):
    return a + 1.0, a.sum(), a[()]


def zero_d_identity(a):
    return a


def add_one(x):
    return x + 1


NUMBA_COMPAT = [
    ("round_float", round_n, (1.23456, 2)),
    ("round_float_neg_n", round_n, (12345.678, -2)),
    ("round_np_float64", round_n, (np.float64(2.675), 2)),
    ("round_np_float32", round_n, (np.float32(1.25), 1)),
    ("round_float_half_way", round_n, (2.675, 2)),
    ("round_float_huge_n", round_n, (1e300, 30)),
    ("round_float_inf", round_n, (float("inf"), 2)),
    ("round_float_minus_zero", round_n, (-0.0, 1)),
    ("round_float_half_even", round_n, (2.5, 0)),
    ("round_np_float32_small", round_n, (np.float32(0.3456), 2)),
    ("round_int_wide", round_n, (2**62 + 1, -3)),
    ("round_int", round_n, (12345, 2)),
    ("round_int_neg_n", round_n, (12345, -2)),
    ("round_elements_f8", round_elements, (F1, 3)),
    ("round_elements_f4", round_elements, (F1.astype(np.float32), 2)),
    ("floor_np_float64", floor_ceil_trunc, (np.float64(-1.5),)),
    ("floor_np_float32", floor_ceil_trunc, (np.float32(2.5),)),
    ("floor_np_int64", floor_ceil_trunc, (np.int64(2**62 + 1),)),
    ("floor_np_int32", floor_ceil_trunc, (np.int32(-7),)),
    ("floor_elements_f8", floor_ceil_trunc_elements, (F1 * 10,)),
    ("floor_elements_f4", floor_ceil_trunc_elements, ((F1 * 10).astype(np.float32),)),
    ("floor_elements_i4", floor_ceil_trunc_elements, (np.arange(-5, 5, dtype=np.int32),)),
    ("array_expression", array_expression, (F1, F1b)),
    ("array_expression_2d", array_expression, (F2, F2[::-1])),
    ("array_expression_int", array_expression_int, (I1,)),
    ("zero_d_float", zero_d_ops, (np.array(2.5),)),
    ("zero_d_identity", zero_d_identity, (np.array(7),)),
    ("int_64_bits", add_one, (2**62,)),
]


@pytest.mark.parametrize("fn,args", [c[1:] for c in NUMBA_COMPAT], ids=[c[0] for c in NUMBA_COMPAT])
def test_numba_compiles_it_and_so_does_njit(fn, args):
    run_both(fn, args, rtol=0)


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 10**30])
def test_int_argument_wider_than_64_bits_is_a_typing_error(value):
    with pytest.raises(numba.core.errors.TypingError, match="Int value is too large"):
        numba.njit(add_one)(value)
    with pytest.raises(pyston.CompileError, match="Int value is too large") as e:
        pyston.njit(add_one)(value)
    assert e.value.kind == "typing"


@pytest.mark.xfail(
    strict=True,
    reason="gap: Numba subtracts bool arrays into int8 (NumPy raises TypeError); "
    "pyston.njit has no int8 arrays in compiled code",
)
def test_bool_array_subtraction_matches_numba():
    run_both(lambda a, b: a - b, (np.array([True, False]), np.array([False, True])))


# The integer types beyond int32/int64 under explicit signatures: argument
# conversion (Python ints and floats truncated to the low bits; negative
# values to unsigned types raise OverflowError), signature rating between
# them, and the declared return type, each against real Numba.
_NARROW = ("int8", "int16", "uint8", "uint16", "uint32", "uint64")
_NARROW_VALUES = (3, 300, -1, -200, 2.7, -2.7, True, 2**63, 2**64 - 1, np.uint8(250), np.int8(-5),
                  np.int64(300), np.uint64(2**64 - 1), np.float32(1.5), np.int16(-300))
_NARROW_SIGS = []
for _t in _NARROW:
    _NARROW_SIGS += [f"{_t}({_t})", f"int64({_t})", f"float64({_t})", [f"{_t}({_t})", "int64(int64)"],
                     [f"{_t}({_t})", "float64(float64)"], [f"{_t}({_t})", "int32(int32)"]]


@pytest.mark.parametrize("sig", _NARROW_SIGS, ids=[str(s) for s in _NARROW_SIGS])
def test_narrow_int_signatures_match_numba(sig):
    def ident(v):
        return v

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = numba.njit(sig)(ident)
        ps = pyston.njit(sig)(ident)
        for x in _NARROW_VALUES:
            try:
                want = _outcome(nb, x)
            except RuntimeError:  # Numba's own failure to explain an ambiguity
                continue
            assert _outcome(ps, x) == want, (sig, x)


def test_narrow_int_arithmetic_matches_numba():
    # Numba computes int arithmetic in at least int64 and returns Python ints.
    def mix(a, b):
        return a + b, a * b, a - b, a // (b | 1), a & b, a < b

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb, ps = numba.njit(mix), pyston.njit(mix)
        ts = (np.int8, np.int16, np.uint8, np.uint16, np.uint32, np.uint64, np.int64)
        for t, u in itertools.product(ts, ts):
            for x, y in [(np.iinfo(t).max, np.iinfo(u).max), (np.iinfo(t).min, 1), (3, 5)]:
                got, want = ps(t(x), u(y)), nb(t(x), u(y))
                assert got == want and list(map(type, got)) == list(map(type, want)), (t, u, x, y)


# complex64 under signatures and in arithmetic, against real Numba (Numba has
# no float16: its types exist, compiling one raises NotImplementedError; the
# shim keeps rejecting the name).
_C64_VALUES = (1 + 2j, 3, 2.5, True, np.complex64(1 - 1j), np.complex128(2 + 3j), np.float32(1.5),
               np.int16(-4), np.int64(7), np.uint8(9))
_C64_SIGS = ["c8(c8)", "complex64(complex64)", "c16(c8)", "c8(f4)", ["c8(c8)", "c16(c16)"],
             ["c8(c8)", "f8(f8)"], "c8(c8[:])"]


@pytest.mark.parametrize("sig", _C64_SIGS, ids=[str(s) for s in _C64_SIGS])
def test_complex64_signatures_match_numba(sig):
    if sig == "c8(c8[:])":
        def first(a):
            return a[0] * a[1]

        a = np.array([1 + 2j, 3 - 1j], np.complex64)
        assert _outcome(pyston.njit(sig)(first), a) == _outcome(numba.njit(sig)(first), a)
        return

    def ident(v):
        return v

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = numba.njit(sig)(ident)
        ps = pyston.njit(sig)(ident)
        for x in _C64_VALUES:
            try:
                want = _outcome(nb, x)
            except RuntimeError:
                continue
            assert _outcome(ps, x) == want, (sig, x)


def test_complex64_arithmetic_matches_numba():
    def mix(a, b):
        return a + b, a * b, a - b, a / b, a == b, abs(a), a.real, a.imag

    def loop(z):
        acc = z[0] * 0
        for i in range(z.shape[0]):
            acc += z[i] * z[i]
        return acc

    nb, ps = numba.njit(mix), pyston.njit(mix)
    for x, y in [(np.complex64(1 + 2j), np.complex64(3 - 1j)), (np.complex64(0.1 + 0.2j), np.float32(0.3)),
                 (np.complex64(1 + 2j), 2.5), (np.complex64(5 - 2j), np.int16(3))]:
        got, want = ps(x, y), nb(x, y)
        assert got == want and list(map(type, got)) == list(map(type, want)), (x, y, got, want)
    z = (np.arange(10) * (0.1 + 0.3j)).astype(np.complex64)
    got, want = pyston.njit(loop)(z), numba.njit(loop)(z)
    assert got == want and type(got) is type(want)


def test_complex_scalar_division_matches_numba():
    # Numba divides NumPy complex scalars with CPython's algorithm (NumPy's own
    # differs in the last bit for about a third of the operands).
    def div(a, b):
        return a / b

    rng = np.random.default_rng(4)
    nb, ps = numba.njit(div), pyston.njit(div)
    for t in (np.complex128, np.complex64):
        for _ in range(300):
            a, b = t(complex(*rng.standard_normal(2))), t(complex(*rng.standard_normal(2)))
            got, want = ps(a, b), nb(a, b)
            assert got == want and type(got) is type(want), (a, b, got, want)


# ---- generator functions under njit: compiled generators with Numba's semantics ----


def njit_gen_scaled(a, k):
    for i in range(a.shape[0]):
        yield a[i] * k


def njit_gen_pairs(n):
    t = 0
    for i in range(n):
        t += i
        yield i, t


def njit_gen_defaults(x=1, y=2, b=False):
    yield x
    if b:
        yield y
    yield x + y


@pytest.mark.parametrize(
    "fn, args",
    [
        (njit_gen_scaled, (np.arange(6.0), 1.5)),
        (njit_gen_scaled, (np.arange(5), 3)),
        (njit_gen_scaled, (np.zeros(0), 2.0)),
        (njit_gen_pairs, (7,)),
        (njit_gen_pairs, (0,)),
        (njit_gen_defaults, ()),
        (njit_gen_defaults, (5, 6, True)),
    ],
)
def test_generator_functions_match_numba(fn, args):
    import inspect

    g = pyston.njit(fn)
    assert not isinstance(g, type(fn)) and not inspect.isgeneratorfunction(g)
    got = list(g(*args))
    want = list(numba.njit(fn)(*args))
    assert [(type(x), x) for x in got] == [(type(x), x) for x in want]
    # (NumPy scalars come out as Python scalars, as from Numba's generators)
    assert all(not isinstance(x, np.generic) for x in got)


def _neg(x):
    return -x


def _add_default(x, y=2):
    return x + y


@pytest.mark.parametrize("fn, sig", [(_neg, ()), (_neg, "int64(int64, int64)"), (_add_default, "int64(int64)")])
def test_signature_arity_mismatch_is_numbas_type_error(fn, sig):
    msgs = []
    for jit in (pyston.njit, numba.njit):
        with pytest.raises(TypeError) as info:
            jit(sig)(fn)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def _max_of(t):
    return max(t)


def _min_of(t):
    return min(t)


@pytest.mark.parametrize("fn", [_max_of, _min_of])
@pytest.mark.parametrize(
    "sig",
    [
        "float64(UniTuple(float64, 3))",
        "float64(Tuple((float32, float64, float32)))",
    ],
)
def test_min_max_of_tuples_with_signatures_match_numba(fn, sig):
    # (Numba converts the Python floats to the tuple's float32 items)
    from numba import types as nt

    t = nt.UniTuple(nt.float64, 3) if "UniTuple" in sig else nt.Tuple((nt.float32, nt.float64, nt.float32))
    p, n = pyston.njit((t,))(fn), numba.njit((t,))(fn)
    for val in [(1.5, float("nan"), 2.5), (2.5, float("nan"), 1.5), (-1.0, 3.25, 0.5)]:
        got, want = p(val), n(val)
        assert type(got) is type(want)
        assert got == want or (got != got and want != want)


def test_min_max_of_numpy_scalar_tuples_strict():
    from helpers import assert_same_all

    cases = [
        ((np.float32(1.5), 2.0, np.float32(0.5)),),
        ((np.int16(3), np.int16(-7), 2),),
        ((np.float64("nan"), np.float64(1.0)),),
        ((True, np.uint8(0)),),
    ]
    assert_same_all(pyston.fast(fallback=False)(_max_of), cases)
    assert_same_all(pyston.fast(fallback=False)(_min_of), cases)


def _floordiv(x, y):
    return x // y


def _mod(x, y):
    return x % y


def _truediv(x, y):
    return x / y


@pytest.mark.parametrize("fn", [_floordiv, _mod, _truediv])
@pytest.mark.parametrize("ty", ["int32", "uint32", "int64", "uint8", "float32", "float64"])
def test_division_by_zero_raises_numbas_error(fn, ty):
    # Numba's Python error model: ZeroDivisionError with its message, for NumPy
    # scalar types too (NumPy would give 0/inf/nan and a warning)
    t = getattr(numba.types, ty)
    out = []
    for jit in (pyston.njit, numba.njit):
        f = jit((t, t))(fn)
        with pytest.raises(ZeroDivisionError) as info:
            f(1, 0)
        out.append((str(info.value), f(7, 2)))
    assert out[0][0] == out[1][0]
    assert out[0][1] == out[1][1] and type(out[0][1]) is type(out[1][1])


def _yield_elements(a):
    for i in range(a.shape[0]):
        yield a[i]


def test_numpy_scalars_yielded_and_returned_come_out_as_numbas_python_scalars():
    # (float64, int64 and bool elements are converted without `.item()`: same value and type)
    for a in (np.array([1.5, -0.0, np.inf, np.nan, 5e-324]), np.array([0, -1, 2**63 - 1, -(2**63)]),
              np.array([True, False]), np.array([1.5, 2.0], dtype=np.float32), np.array([7], dtype=np.int32)):
        got = list(pyston.njit(_yield_elements)(a))
        want = list(numba.njit(_yield_elements)(a))
        assert [type(x) for x in got] == [type(x) for x in want], (a.dtype, got, want)
        assert repr(got) == repr(want)
        for i in range(len(a)):
            g, w = pyston.njit(first)(a[i:]), numba.njit(first)(a[i:])
            assert type(g) is type(w) and repr(g) == repr(w)


def first(a):
    return a[0]
