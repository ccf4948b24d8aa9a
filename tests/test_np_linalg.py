"""`numpy.linalg` from compiled kernels (calls into NumPy, typed by probing),
differential against plain NumPy: random well-conditioned and edge matrices
(singular, 1x1, empty, NaN, Fortran-ordered, float32, complex), results used
the way loops use them, errors (`LinAlgError`) raised exactly. Named-tuple
results (NumPy 2's `EighResult`, ...) compile where they are unpacked or
indexed; returning one whole keeps plain Python (its type would differ)."""

import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, native, rng_for
from np_common import check, check_all, cover

G = "reductions"
LA = np.linalg


def spd(rng, n, dtype=np.float64):
    a = rng.normal(size=(n, n))
    return (a @ a.T + n * np.eye(n)).astype(dtype)


def mats(name, n=4):
    rng = rng_for(name)
    a = rng.normal(size=(n, n))
    return [
        (a,),
        (np.asfortranarray(a),),
        (a.astype(np.float32),),
        (spd(rng, n),),
        (np.eye(1) * 3.0,),
        (a + 1j * rng.normal(size=(n, n)),),
    ]


@pyston.fast
def f_norm(a):
    return LA.norm(a), LA.norm(a, 1), LA.norm(a, np.inf), LA.norm(a[0]), LA.norm(a, axis=1)


@pyston.fast
def f_solve_inv_det(a):
    b = np.arange(a.shape[0], dtype=np.float64)
    x = LA.solve(a, b)
    return x, LA.inv(a), LA.det(a), x[0] * 2.0


@pyston.fast
def f_unpacked(a):
    s = a + a.T
    w, v = LA.eigh(s)
    sign, logdet = LA.slogdet(s)
    q, r = LA.qr(a)
    u, sv, vt = LA.svd(a)
    total = 0.0
    for i in range(w.shape[0]):
        total += w[i] * sv[i]
    return w, v, sign, logdet, q, r, u, sv, vt, total


@pyston.fast
def f_indexed(a):
    return LA.eigh(a + a.T)[0], LA.svd(a)[1]


@pyston.fast
def f_returned_whole(a):
    return LA.eigh(a)


@pyston.fast
def f_more(a):
    return (
        LA.eigvals(a),
        LA.eigvalsh(a + a.T),
        LA.pinv(a),
        LA.matrix_power(a, 3),
        LA.matrix_power(a, 0),
        LA.matrix_rank(a),
        LA.cond(a),
    )


@pyston.fast
def f_cholesky(a):
    return LA.cholesky(a)


@pyston.fast
def f_lstsq(a, b):
    x, res, rank, sv = LA.lstsq(a, b, rcond=None)
    return x, res, rank, sv


@pyston.fast
def f_multi_dot(a, b, c):
    return LA.multi_dot([a, b, c])


@pyston.fast
def f_loop_of_solves(a, bs):
    out = np.empty_like(bs)
    for i in range(bs.shape[0]):
        out[i] = LA.solve(a, bs[i])
    return out


cover(G, "np.linalg.norm", "np.linalg.norm(x, ord=, axis=)", dtypes=["float64", "float32", "complex128"], layouts=["C", "F"], test="test_norm")
cover(G, "np.linalg.solve/inv/det", "np.linalg.solve(a, b)", "np.linalg.inv(a)", "np.linalg.det(a)",
      dtypes=["float64", "float32", "complex128"], layouts=["C", "F"], test="test_solve_inv_det")
cover(G, "np.linalg.eigh/slogdet/qr/svd", "w, v = np.linalg.eigh(a)", "np.linalg.svd(a)[1]",
      dtypes=["float64", "float32", "complex128"], layouts=["C", "F"], test="test_named_tuple_results")
cover(G, "np.linalg.eigvals/eigvalsh/pinv/matrix_power/matrix_rank/cond", dtypes=["float64", "float32", "complex128"],
      layouts=["C", "F"], test="test_more")
cover(G, "np.linalg.cholesky/lstsq/multi_dot", dtypes=["float64"], layouts=["C"], test="test_cholesky_lstsq_multi_dot")


def test_norm():
    check_all(f_norm, mats("norm"))


def test_solve_inv_det():
    cases = mats("solve")
    cases.append((np.zeros((3, 3)),))  # singular: LinAlgError, exactly
    check_all(f_solve_inv_det, cases)


def test_named_tuple_results():
    for args in mats("named"):
        check(f_unpacked, *args)
        check(f_indexed, *args)


def test_named_tuple_returned_whole_stays_plain_python():
    a = spd(rng_for("whole"), 3)
    strict = pyston.fast(fallback=False)(f_returned_whole.py_func)
    major = int(np.__version__.split(".")[0])
    if major >= 2:
        with pytest.raises(pyston.CompileError, match="named tuple"):
            strict(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        got = f_returned_whole(a)
    want = f_returned_whole.py_func(a)
    assert type(got) is type(want)
    assert all(np.array_equal(x, y) for x, y in zip(got, want))


def test_more():
    cases = mats("more")
    # float32 eigenvalues may be complex64 (NumPy 2.5 gives them for any float32
    # input): a dtype compiled code does not hold yet, so plain Python, exactly
    check_all(f_more, [c for c in cases if c[0].dtype != np.float32])
    for c in cases:
        if c[0].dtype == np.float32:
            assert_same(f_more, *c, allow_fallback=True)


def test_cholesky_lstsq_multi_dot():
    rng = rng_for("chol")
    check(f_cholesky, spd(rng, 5))
    check(f_cholesky, -np.eye(3))  # not positive definite: LinAlgError
    a = rng.normal(size=(8, 3))
    check(f_lstsq, a, rng.normal(size=8))
    check(f_lstsq, a, rng.normal(size=(8, 2)))
    check(f_multi_dot, rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(5, 2)))


def test_loop_of_solves_compiles_natively():
    rng = rng_for("loop")
    a = spd(rng, 3)
    bs = rng.normal(size=(50, 3))
    strict = pyston.fast(fallback=False)(f_loop_of_solves.py_func)
    assert np.array_equal(strict(a, bs), f_loop_of_solves.py_func(a, bs))
    check(f_loop_of_solves, a, bs)


def test_linalg_error_is_numpys():
    strict = pyston.fast(fallback=False)(f_solve_inv_det.py_func)
    with pytest.raises(np.linalg.LinAlgError) as e:
        strict(np.zeros((2, 2)))
    with pytest.raises(np.linalg.LinAlgError) as plain:
        f_solve_inv_det.py_func(np.zeros((2, 2)))
    assert str(e.value) == str(plain.value)


@pyston.fast
def f_caught(a):
    try:
        return LA.inv(a)[0, 0]
    except LA.LinAlgError:
        return -1.0


def test_linalg_error_caught_in_compiled_code():
    strict = pyston.fast(fallback=False)(f_caught.py_func)
    for a in (np.eye(2) * 2.0, np.zeros((2, 2)), np.array([[1.0, 2.0], [2.0, 4.0]])):
        assert strict(a) == f_caught.py_func(a)
    check(f_caught, np.zeros((3, 3)))


@pyston.fast
def f_small_products(a, b, n):
    # Small products through NumPy (OpenBLAS) in a loop, each read at once,
    # with scalars live across the calls: compiled code runs on after BLAS
    # kernels that leave the vector registers' upper halves dirty
    # (`runtime::clean_upper` clears them; the values must not change).
    s = a[0, 0, 0] * 0.0
    t = 1.0
    for i in range(n):
        r = a[i % a.shape[0]] @ b
        s += r[0, 0] * t
        t = t * 0.5 + 1.0
        s += np.dot(a[i % a.shape[0], 1], b[:, 2]) - r[2, 1]
    return s, t, r


def test_small_products_in_a_loop():
    rng = rng_for("small_products")
    cases = []
    for dt in (np.float64, np.complex128, np.float32, np.complex64):
        a = rng.normal(size=(4, 3, 3)).astype(dt)
        b = rng.normal(size=(3, 3)).astype(dt)
        if np.issubdtype(dt, np.complexfloating):
            a = a + 1j * rng.normal(size=a.shape).astype(dt)
        cases += [(a, b, 9), (a, b, 0), (np.asfortranarray(a), b.T, 5)]
        # (overflow and NaN: NumPy's warnings at the kernel's line)
        big = a.copy()
        big[1, 0, 0] = 1e308 if dt in (np.float64, np.complex128) else 3e38
        nan = a.copy()
        nan[2, 1, 1] = np.nan
        with np.errstate(over="ignore"):
            cases += [(big * 10, b * 10, 6), (nan, b, 7)]
    for args in cases:
        native(f_small_products, *args)
    check_all(f_small_products, cases)
