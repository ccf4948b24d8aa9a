"""Small NumPy arrays natively (numeric/src/small.rs): element-wise expressions on
rows and 1-D arrays, with the reduction, row store or allocation consuming them.

Each kernel runs plain and under ``pyston.fast``; results must agree bit for bit
(``tobytes``), with the same dtype, shape, exception and warnings, and the
argument arrays must end up the same. ``pyston._pyston.pycall_count()`` counts
the calls into Python/NumPy compiled code makes: the kernels here make none
once their arrays are finite and their shapes agree.
"""

from __future__ import annotations

import gc
import sys
import warnings

import numpy as np
import pyston
import pytest
from pyston import _pyston as P

SIZES = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 63, 64, 100, 127, 128, 129, 130, 200, 255, 256, 257, 300]
FLOATS = [np.float64, np.float32]
DTYPES = [np.float64, np.float32, np.int64]


def _bits(x):
    if isinstance(x, np.ndarray):
        return ("arr", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, np.generic):
        return ("np", type(x).__name__, np.asarray(x).tobytes())
    if isinstance(x, float):
        return ("float", np.float64(x).tobytes())
    if isinstance(x, tuple):
        return tuple(_bits(v) for v in x)
    return (type(x).__name__, x)


def _run(fn, args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r, e = fn(*args), None
        except Exception as ex:  # noqa: BLE001 - any exception is compared
            r, e = None, ex
    ws = sorted((w.category.__name__, str(w.message)) for w in caught if w.category is not pyston.PerformanceWarning)
    perf = [w for w in caught if w.category is pyston.PerformanceWarning]
    return r, e, ws, perf, args


def same(fast, *args):
    """Plain vs compiled: bit-identical results and arguments, same exceptions and warnings."""
    plain = _run(fast.py_func, [a.copy() if isinstance(a, np.ndarray) else a for a in args])
    jit = _run(fast, [a.copy() if isinstance(a, np.ndarray) else a for a in args])
    r1, e1, w1, _, a1 = plain
    r2, e2, w2, perf, a2 = jit
    assert not perf, f"fell back: {perf[0].message}"
    if e1 or e2:
        assert type(e1) is type(e2) and str(e1) == str(e2), (e1, e2)
    else:
        assert _bits(r1) == _bits(r2), (r1, r2)
    assert w1 == w2, (w1, w2)
    for x, y in zip(a1, a2):
        if isinstance(x, np.ndarray):
            assert _bits(x) == _bits(y)
    return r1


def pycalls(fast, *args):
    """How many calls into Python/NumPy one call of ``fast`` makes (after a warm-up call)."""
    fast(*args)
    n = P.pycall_count()
    fast(*args)
    return P.pycall_count() - n


def data(rng, shape, dtype, special=False):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-1000, 1000, shape).astype(dtype)
    a = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)).astype(dtype)
    if special and a.size:
        flat = a.reshape(-1)
        flat[rng.integers(0, a.size)] = rng.choice([np.nan, np.inf, -np.inf, -0.0])
    return a


# ---- kernels -------------------------------------------------------------------


@pyston.fast
def row_dist(X, c):
    s = 0.0
    for i in range(X.shape[0]):
        v = X[i] - c
        s += np.sqrt(np.dot(v, v))
    return s


@pyston.fast
def row_sums(X, c):
    out = np.empty(X.shape[0], dtype=X.dtype)
    for i in range(X.shape[0]):
        out[i] = ((X[i] - c) ** 2).sum()
    return out


@pyston.fast
def row_reductions(X, c):
    out = np.empty((X.shape[0], 4), dtype=np.float64)
    for i in range(X.shape[0]):
        out[i, 0] = X[i].sum()
        out[i, 1] = (X[i] * c).mean()
        out[i, 2] = np.abs(X[i] - c).max()
        out[i, 3] = (-X[i]).min()
    return out


@pyston.fast
def row_dots(X):
    out = np.empty(X.shape[0], dtype=X.dtype)
    for i in range(X.shape[0]):
        out[i] = np.dot(X[i], X[i])
    return out


@pyston.fast
def softmax(X, out):
    for i in range(X.shape[0]):
        row = X[i]
        m = row.max()
        e = np.exp(row - m)
        out[i] = e / e.sum()
    return out


@pyston.fast
def kmeans_step(X, C, lab, newC, counts):
    total = 0.0
    for i in range(X.shape[0]):
        best = 0
        bd = np.inf
        for k in range(C.shape[0]):
            d = ((X[i] - C[k]) ** 2).sum()
            if d < bd:
                bd = d
                best = k
        lab[i] = best
        total += bd
    for i in range(X.shape[0]):
        newC[lab[i]] += X[i]
        counts[lab[i]] += 1
    return total


@pyston.fast
def make_rows(X, c):
    acc = X[0] * 0.0
    for i in range(X.shape[0]):
        acc = acc + (X[i] * 2.0 - c) / 3.0
    return acc


@pyston.fast
def int_kernel(X, c):
    s = 0
    out = np.empty_like(X)
    for i in range(X.shape[0]):
        v = X[i] * c - X[i] ** 2
        s += v.sum() + np.dot(X[i], c) + (-v).max() + abs(v).min()
        out[i] = v * 3 + 7
    return s, out


@pyston.fast
def store_neg(X, Y):
    X[-1] = Y[0] - Y[1]
    X[0] = np.sqrt(np.abs(Y[1]))
    return X


@pyston.fast
def store_at(X, Y, i):
    X[i] = Y[0] + Y[1]
    return X


@pyston.fast
def inplace_rows(A, B):
    for i in range(A.shape[0]):
        A[i] += B[i]
        A[i] -= 0.5 * B[i]
        A[i] *= 2.0
    return A


@pyston.fast
def inplace_alias(A):
    A[0] += A[0]
    A[1] += A[1] * A[1]
    return A


@pyston.fast
def sums_1d(a, b):
    return a.sum(), np.sum(a - b), (a * b).mean(), np.dot(a, b), a.max(), np.min(a - b)


@pyston.fast
def scalar_ufuncs(x, y):
    return np.sqrt(x), np.abs(y), np.square(x), np.negative(y)


# ---- tests ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_row_dist(rng, dtype):
    for d in (0, 1, 3, 8, 15, 16, 40):
        X = data(rng, (20, d), dtype)
        c = data(rng, d, dtype)
        same(row_dist, X, c)


def test_row_dist_native():
    X = np.random.default_rng(1).random((50, 3))
    c = np.ones(3)
    assert pycalls(row_dist, X, c) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_sums_all_sizes(rng, dtype):
    for n in SIZES:
        X = data(rng, (4, n), dtype)
        c = data(rng, n, dtype)
        same(row_sums, X, c)


@pytest.mark.parametrize("dtype", FLOATS)
def test_row_sums_random_sizes(rng, dtype):
    for n in rng.integers(0, 301, 40):
        X = data(rng, (3, int(n)), dtype)
        c = data(rng, int(n), dtype)
        same(row_sums, X, c)


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_reductions(rng, dtype):
    for n in SIZES:
        X = data(rng, (3, n), dtype)
        c = data(rng, n, dtype)
        same(row_reductions, X, c)


@pytest.mark.parametrize("dtype", FLOATS)
def test_nan_inf_zero(rng, dtype):
    for n in (1, 3, 8, 9, 130):
        for _ in range(4):
            X = data(rng, (3, n), dtype, special=True)
            c = data(rng, n, dtype, special=True)
            same(row_reductions, X, c)
            same(row_sums, X, c)
            same(row_dist, X, c)
    # zeros of both signs: max/min leave them to NumPy
    X = np.array([[0.0, -0.0, -1.0], [-0.0, 0.0, -2.0]], dtype=dtype)
    same(row_reductions, X, np.zeros(3, dtype=dtype))
    # overflow warns as NumPy does
    big = np.finfo(dtype).max
    same(row_sums, np.full((2, 3), big, dtype=dtype), np.full(3, -big, dtype=dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_dot_lengths(rng, dtype):
    for n in range(0, 41):
        X = data(rng, (6, n), dtype)
        same(row_dots, X)


def test_dot_limit_is_measured():
    lim = P.dot_seq_limit()
    assert -15 <= lim <= 15  # negative: BLAS's short dots are chains of fused multiply-adds
    x = np.random.default_rng(3).standard_normal((200, max(abs(lim), 1)))
    # the native dot, when used, matches BLAS on many vectors
    same(row_dots, x)


def test_softmax(rng):
    for shape in ((10, 64), (5, 3), (4, 1), (3, 200)):
        X = data(rng, shape, np.float64)
        same(softmax, X, np.empty_like(X))


def test_softmax_calls_nothing():
    X = np.random.default_rng(2).standard_normal((30, 64))
    assert pycalls(softmax, X, np.empty_like(X)) == 0  # np.exp: NumPy's inner loop, called natively


def test_kmeans(rng):
    for dtype in FLOATS:
        X = data(rng, (200, 3), dtype)
        C = X[:8].copy()
        same(kmeans_step, X, C, np.zeros(200, np.int64), np.zeros((8, 3), dtype), np.zeros(8, np.int64))
    X = np.random.default_rng(5).random((100, 3))
    args = (X, X[:8].copy(), np.zeros(100, np.int64), np.zeros((8, 3)), np.zeros(8, np.int64))
    assert pycalls(kmeans_step, *args) == 0


@pytest.mark.parametrize("dtype", FLOATS)
def test_make(rng, dtype):
    for n in (0, 1, 3, 9, 64):
        same(make_rows, data(rng, (5, n), dtype), data(rng, n, dtype))
    X = np.random.default_rng(0).random((10, 3)).astype(dtype)
    assert pycalls(make_rows, X, X[0].copy()) == 0


def test_int64_wraps(rng):
    for n in (0, 1, 3, 9, 129):
        X = data(rng, (4, n), np.int64)
        same(int_kernel, X, data(rng, n, np.int64))
    big = np.full((2, 3), 2**62, dtype=np.int64)
    same(int_kernel, big, np.full(3, 3, dtype=np.int64))
    same(int_kernel, np.full((2, 3), np.iinfo(np.int64).min), np.full(3, -1, dtype=np.int64))


def test_shape_mismatch_raises_numpy_error(rng):
    X = data(rng, (4, 3), np.float64)
    for c in (np.ones(4), np.ones(2), np.ones(0)):
        same(row_dist, X, c)
        same(row_sums, X, c)
        same(row_reductions, X, c)
    # broadcasting a length-1 operand: NumPy's result
    same(row_sums, X, np.ones(1))
    same(row_dots, np.ones((2, 3)))
    same(store_at, np.zeros((3, 4)), np.ones((2, 3)), 0)
    same(store_at, np.zeros((3, 3)), np.ones((2, 1)), 1)


def test_store_indexes(rng):
    X = np.zeros((3, 4))
    Y = data(rng, (2, 4), np.float64)
    same(store_neg, X, Y)
    for i in (-4, -3, -1, 0, 2, 3, 100):
        same(store_at, X, Y, i)


def test_inplace(rng):
    for dtype in FLOATS:
        for n in (0, 1, 3, 17):
            same(inplace_rows, data(rng, (5, n), dtype), data(rng, (5, n), dtype))
        same(inplace_alias, data(rng, (3, 4), dtype))
    same(inplace_rows, np.ones((2, 3)), np.ones((2, 4)))
    same(inplace_rows, np.full((2, 3), np.inf), np.ones((2, 3)))
    ro = np.ones((2, 3))
    ro.setflags(write=False)
    same(inplace_rows, ro, np.ones((2, 3)))
    A = np.random.default_rng(0).random((20, 3))
    assert pycalls(inplace_rows, A, A.copy()) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_1d_args(rng, dtype):
    for n in SIZES:
        same(sums_1d, data(rng, n, dtype), data(rng, n, dtype))
    # long plain sums: the runtime's pairwise sum
    a = data(rng, 5000, dtype)
    same(sums_1d, a, a)


@pytest.mark.parametrize("dtype", FLOATS)
def test_strided_views(rng, dtype):
    base = data(rng, (7, 300), dtype)
    for n in (5, 9, 130, 150):
        a = base[0, : 2 * n : 2]
        b = base[1, -1 : -n - 1 : -1]
        same(sums_1d, a, b)


def test_scalar_ufuncs():
    for x, y in ((2.0, -3.0), (np.float64(0.5), np.float64(-0.0)), (-1.0, np.inf), (np.nan, 1e300), (4, -2)):
        same(scalar_ufuncs, x, y)
    same(scalar_ufuncs, np.float32(2.5), np.float32(-1.5))


def test_plan_is_described(tmp_path):
    import os
    import subprocess
    import sys

    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def f(X, c):\n"
        "    s = 0.0\n"
        "    for i in range(X.shape[0]):\n"
        "        s += ((X[i] - c) ** 2).sum()\n"
        "    return s\n"
        "f(np.ones((2, 3)), np.ones(3))\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="small")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    assert "reduce sum float64: 2 nodes" in text, text


@pyston.fast
def ufunc_rows(X, c):
    out = np.empty_like(X)
    s = 0.0
    for i in range(X.shape[0]):
        e = np.exp(X[i] - c)
        out[i] = e * np.log(np.abs(X[i]) + 1.0) + np.tanh(X[i]) + np.sin(e)
        s += np.cos(X[i]).sum()
    return out, s


@pytest.mark.parametrize("dtype", FLOATS)
def test_numpy_inner_loops(rng, dtype):
    for n in (0, 1, 2, 3, 7, 8, 9, 16, 17, 33, 64, 100, 300):
        X = data(rng, (4, n), dtype) * dtype(0.01)
        same(ufunc_rows, X, data(rng, n, dtype) * dtype(0.01))
    # overflow and NaN: NumPy's warnings
    for bad in (np.inf, np.nan, 1000.0):
        X = np.full((2, 3), bad, dtype=dtype)
        same(ufunc_rows, X, np.zeros(3, dtype=dtype))


def test_numpy_inner_loops_no_calls():
    X = np.random.default_rng(4).standard_normal((20, 8)) * 0.1
    assert pycalls(ufunc_rows, X, np.zeros(8)) == 0
    assert pycalls(softmax, X, np.empty_like(X)) == 0


def test_pass_switched_off_calls_numpy(tmp_path):
    """With the pass off (PYSTON_DISABLE_PASSES=small) the same kernel calls NumPy per row."""
    import os
    import subprocess
    import sys

    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "from pyston import _pyston as P\n"
        "@pyston.fast\n"
        "def f(X, c):\n"
        "    s = 0.0\n"
        "    for i in range(X.shape[0]):\n"
        "        v = X[i] - c\n"
        "        s += np.sqrt(np.dot(v, v))\n"
        "    return s\n"
        "X = np.ones((10, 3)); c = np.zeros(3)\n"
        "f(X, c)\n"
        "n = P.pycall_count(); f(X, c); print('calls', P.pycall_count() - n)\n"
    )
    # (with only this pass off, fusion still computes `X[i] - c`: one call fewer per row)
    for off, want in (("", "calls 0"), ("small", "calls 20"), ("small,fusion", "calls 30")):
        env = dict(os.environ, PYSTON_DISABLE_PASSES=off)
        out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
        assert want in out.stdout, (off, out.stdout, out.stderr)


@pyston.fast
def slice_views(X, a, lo, hi):
    s = 0.0
    for i in range(X.shape[0]):
        s += X[i, :].sum() + a[lo:hi].sum() + X[i, 1:3].max() + X[i][lo:hi].sum() + a[lo::2].sum()
        s += np.dot(X[i, lo:hi], X[i, lo:hi]) + a[:hi].min() + a[-3:].sum()
    return s, a[lo:hi], X[-1, lo:]


def test_slice_views(rng):
    for dtype in DTYPES:
        X = data(rng, (5, 12), dtype)
        a = data(rng, 12, dtype)
        for lo, hi in ((0, 12), (2, 5), (-5, -1), (3, 100), (-100, 4), (1, 3), (4, 4)):
            same(slice_views, X, a, lo, hi)
        for lo, hi in ((6, 2), (11, 12), (0, 0)):
            same(slice_views, X, a, lo, hi)
    # a too-short array: IndexError/ValueError as NumPy raises them
    same(slice_views, np.ones((2, 2)), np.ones(2), 0, 1)
    X = np.random.default_rng(1).random((10, 6))
    assert pycalls(slice_views, X, X[0].copy(), 1, 4) == 0


@pyston.fast
def lu_rows_columns(A):
    # npbench's lu: a row's slice @ a column's slice, both views made natively
    for i in range(A.shape[0]):
        for j in range(i):
            A[i, j] -= A[i, :j] @ A[:j, j]
            A[i, j] /= A[j, j]
        for j in range(i, A.shape[0]):
            A[i, j] -= A[i, :i] @ A[:i, j]


@pyston.fast
def column_views(X, j, lo, hi):
    return X[lo:hi, j].sum(), (X[:, j] * 2.0).max(), X[lo::2, -1].sum(), np.dot(X[:hi, j], X[:hi, 0]), X[lo:, j]


def test_column_views_and_vector_matmul(rng):
    for n in (1, 2, 5, 9, 15, 16, 17, 30):
        A = rng.random((n, n)) + n * np.eye(n)
        same(lu_rows_columns, A)
    for dtype in DTYPES:
        X = data(rng, (7, 4), dtype)
        for j, lo, hi in ((0, 0, 7), (3, 2, 5), (-1, -5, -1), (2, 6, 2), (1, 0, 100), (4, 0, 3), (-5, 0, 3)):
            same(column_views, X, j, lo, hi)
    X = np.random.default_rng(3).random((8, 8))
    # the dot of two column slices: BLAS's strided kernel sums in its own order, so
    # compiled code calls the BLAS function NumPy calls when it found it, else NumPy
    blas = P.native_ddot()
    assert pycalls(column_views, X, 2, 1, 6) == (0 if blas else 1)
    # lu: the `@` of a row slice and a column slice likewise
    A = np.random.default_rng(4).random((8, 8)) + 8 * np.eye(8)
    assert pycalls(lu_rows_columns, A) == (0 if blas else 8 * 8)


@pyston.fast
def strided_dots(X, Y, k):
    s = 0.0
    for i in range(X.shape[1]):
        s += np.dot(X[:, i], Y[k:, i]) + X[:, i] @ Y[k:, i] + X[::2, i].dot(Y[k::2, i])
    return s


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 15, 16, 17, 33, 100, 1000])
def test_dots_of_strided_vectors_are_numpys(n, rng):
    """Dots of views of any positive stride and length: NumPy's value, bit for bit
    (the BLAS call NumPy makes, or NumPy's own call)."""
    for k in (0, 1):
        X = rng.standard_normal((n, 4)) * 10.0 ** rng.uniform(-3, 3, (n, 4))
        Y = rng.standard_normal((n + k, 4))
        same(strided_dots, X, Y, k)
        same(strided_dots, np.asfortranarray(X), Y, k)
    if n:
        X = rng.standard_normal((n, 4))
        X[n // 2, 1] = np.nan
        same(strided_dots, X, X, 0)


@pyston.fast
def dot_views(X, j):
    return np.dot(X[j], X[j + 1]), np.dot(X[:, j], X[:, j + 1]), np.dot(X[j, ::2], X[j, ::-2]), np.dot(X[j] * 2.0, X[j])


def test_dot_strided(rng):
    for n in (1, 2, 3, 4, 5, 8, 9, 15, 16):
        X = data(rng, (n + 2, n), np.float64)
        same(dot_views, X, 0)
        same(dot_views, np.asfortranarray(X), 1)


@pyston.fast
def max_min_rows(X, c):
    out = np.empty_like(X)
    s = 0.0
    for i in range(X.shape[0]):
        out[i] = np.maximum(X[i] - c, 0.0) + np.minimum(c, X[i])
        s += np.maximum(X[i], c).sum() + np.minimum(X[i], -0.5).max() + np.minimum(X[i], -0.0).min()
    return out, s


def test_maximum_minimum(rng):
    for dtype in DTYPES:
        for n in (0, 1, 3, 9, 40):
            same(max_min_rows, data(rng, (4, n), dtype), data(rng, n, dtype))
    for dtype in FLOATS:
        z = np.array([[0.0, -0.0, 1.0, -1.0], [-0.0, 0.0, np.nan, 2.0]], dtype=dtype)
        same(max_min_rows, z, np.array([-0.0, 0.0, 0.0, np.nan], dtype=dtype))
        same(max_min_rows, z, np.array([0.0, -0.0, -0.0, 0.0], dtype=dtype))
    X = np.random.default_rng(2).standard_normal((10, 5)) - 3.0  # (max/min of a zero: NumPy's)
    assert pycalls(max_min_rows, X, X[0].copy()) == 0


@pyston.fast
def inplace_copies(a, idx, m, b):
    a[idx] += b
    a[m] -= 1.0
    a[1:4] *= 2.0
    a[1:4] += b
    return a


def test_inplace_on_copies_and_slices():
    a = np.arange(8.0)
    same(inplace_copies, a, np.array([0, 2, 5]), a > 3.0, np.array([1.0, 2.0, 3.0]))


@pyston.fast
def cmp_rows(X, c, t):
    out = np.empty_like(X)
    n = 0
    for i in range(X.shape[0]):
        out[i] = np.where(X[i] > t, X[i] - c, c * 2)
        n += (X[i] <= c).sum() + np.sum(X[i] - c != t)
    return out, n


def test_comparisons_where_count(rng):
    for dtype in DTYPES:
        for n in (0, 1, 3, 9, 40):
            X = data(rng, (4, n), dtype)
            c = data(rng, n, dtype)
            t = 0 if dtype == np.int64 else 0.5
            same(cmp_rows, X, c, t)
    for dtype in FLOATS:
        X = np.array([[np.nan, 1.0, -np.inf, 0.0], [2.0, np.nan, 3.0, -0.0]], dtype=dtype)
        same(cmp_rows, X, np.array([1.0, np.nan, 0.0, -0.0], dtype=dtype), 0.5)
        big = np.finfo(dtype).max
        # an overflow on the side np.where drops still warns
        same(cmp_rows, np.array([[big, -big, 1.0]], dtype=dtype), np.array([-big, big, 0.0], dtype=dtype), 1e300)
    X = np.random.default_rng(3).standard_normal((10, 6))
    assert pycalls(cmp_rows, X, X[0].copy(), 0.1) == 0


def test_float32_scalar_out_of_range():
    X = np.ones((2, 3), dtype=np.float32)
    same(make_rows, X, np.ones(3, dtype=np.float32))
    same(cmp_rows, X, np.zeros(3, dtype=np.float32), 1e300)
    same(inplace_rows, X, X)


@pyston.fast
def prods(X, c):
    s = 0.0
    for i in range(X.shape[0]):
        s += (X[i] * c).prod() + np.prod(X[i, ::2])
    return s


def test_prod(rng):
    for dtype in DTYPES:
        for n in (0, 1, 2, 7, 8, 9, 100, 300):
            if dtype == np.int64:
                X, c = rng.integers(-3, 4, (3, n)), rng.integers(-3, 4, n)
            else:
                X, c = rng.uniform(0.5, 2.0, (3, n)).astype(dtype), rng.uniform(0.5, 2.0, n).astype(dtype)
            same(prods, X, c)
    same(prods, np.full((2, 3), 1e200), np.full(3, 1e200))  # overflow: NumPy's warning
    X = np.random.default_rng(2).uniform(0.5, 2.0, (10, 6))
    assert pycalls(prods, X, X[0].copy()) == 0


def test_memory_flat_over_many_rows():
    import resource

    X = np.random.default_rng(0).random((200_000, 8))
    c = np.random.default_rng(1).random(8)
    ufunc_rows(X[:10], c)
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(3):
        ufunc_rows(X, c)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - r0
    assert grown_kb < 64 * 1024  # the output array (12.8 MB) once, not the temporaries of 200k rows


@pyston.fast
def syrk_rows(alpha, beta, C, A):
    # npbench's syrk: a native slice handed to NumPy's in-place operator, whose
    # result is that same view (it once freed the view while still in use)
    for i in range(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


def test_native_slice_through_inplace_operator_many_calls(rng):
    for _ in range(60):
        n, m = int(rng.integers(1, 9)), int(rng.integers(1, 7))
        C, A = rng.random((n, n)), rng.random((n, m))
        want = C.copy()
        syrk_rows.py_func(1.5, 1.2, want, A)
        before = (sys.getrefcount(C), sys.getrefcount(A))
        syrk_rows(1.5, 1.2, C, A)
        assert (sys.getrefcount(C), sys.getrefcount(A)) == before
        np.testing.assert_array_equal(C, want)
    gc.collect()


SCALAR_UFUNCS = [
    "exp", "log", "sin", "cos", "tan", "tanh", "exp2", "log2", "log10", "expm1", "log1p", "arctan", "sinh",
    "cosh", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh", "cbrt",
]


def _scalar_ufunc_kernel(name):
    src = (
        "def k(x, n):\n"
        "    s = 0.0\n"
        "    for i in range(n):\n"
        f"        s += np.{name}(x) * 0.5 + np.{name}(x + i * 0.25)\n"
        "    return s, np.{0}(x)\n".format(name)
    )
    ns = {"np": np}
    path = f"<scalar_ufunc_{name}>"
    import linecache

    linecache.cache[path] = (len(src), None, src.splitlines(True), path)
    exec(compile(src, path, "exec"), ns)
    return pyston.fast(ns["k"])


@pytest.mark.parametrize("name", SCALAR_UFUNCS)
def test_scalar_transcendental_ufuncs(name, rng):
    """`np.exp(x)` of a scalar: NumPy's own inner loop on one element, natively;
    bit-identical, warnings (a result out of range or domain) from NumPy's call."""
    k = _scalar_ufunc_kernel(name)
    xs = list(rng.uniform(-3, 3, 12)) + [0.0, -0.0, 0.5, 1.0, -1.0, 2.0, 700.0, -800.0, 1e-310, np.nan, np.inf, -np.inf]
    for x in xs:
        same(k, float(x), 5)
        same(k, np.float64(x), 3)
        same(k, np.float32(x), 3)
    same(k, np.int64(3), 2)
    if int(np.__version__.split(".")[0]) >= 2:  # (NumPy 1.26's scalar path differs: its call)
        assert pycalls(k, 1.5 if name == "arccosh" else 0.1, 2) == 0  # (results in range: no call into NumPy)


@pyston.fast
def inplace_sub_views(C, A, alpha, beta):
    # syrk's and symm's updates: a row segment, a column segment (strided).
    for i in range(C.shape[0]):
        C[i, : i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, : i + 1] += alpha * A[i, k] * A[: i + 1, k]
        C[: i, i] -= A[: i, 0] * alpha
        C[i, : i + 1] /= A[i, 0]  # (zeros: NumPy's warnings)
    return C


@pyston.fast
def inplace_overlap(C):
    for i in range(C.shape[0]):
        C[i, 1:-1] += 0.5 * (C[i, :-2] - C[i, 2:])  # (operands overlap the target: NumPy's calls)
    return C


@pyston.fast
def inplace_3d(T, v):
    for i in range(T.shape[0]):
        for j in range(T.shape[1]):
            T[i, j, ::2] -= v[: (T.shape[2] + 1) // 2] * 2.0
            T[i, :, j] /= 3.0
    return T


def test_inplace_on_multi_index_views(rng):
    for dtype in FLOATS:
        for n in (1, 2, 5, 9):
            C = data(rng, (n, n), dtype)
            same(inplace_sub_views, C, data(rng, (n, 3), dtype), 1.5, dtype(1.2))
            same(inplace_3d, data(rng, (n, n, n + 1), dtype), data(rng, (n + 1,), dtype))
            same(inplace_overlap, data(rng, (n, n + 2), dtype))
    # Non-finite values (warnings), mismatched lengths (NumPy's error), read-only arrays.
    C = data(rng, (4, 4), np.float64)
    C[2, 1] = np.inf
    same(inplace_sub_views, C, data(rng, (4, 3), np.float64), 1.0, 1e308)
    same(inplace_3d, data(rng, (3, 3, 4), np.float64), data(rng, (1,), np.float64))
    ro = data(rng, (3, 3), np.float64)
    ro.setflags(write=False)
    same(inplace_sub_views, ro, data(rng, (3, 3), np.float64), 1.0, 1.0)
    A = data(rng, (30, 4), np.float64)
    assert pycalls(inplace_sub_views, np.zeros((30, 30)), A, 2.0, 0.5) == 0
    # (views of a 3-d array are NumPy calls: two per iteration, the updates none)
    assert pycalls(inplace_3d, np.ones((4, 4, 5)), np.ones(5)) <= 2 * 16
    T = np.ones((2, 2, 3))
    same(inplace_3d, T, np.zeros(3))  # (x / 3.0 of finite x: no division by zero here)


# ---- gathers: `x[idx]` by an index array inside small expressions ----------------


@pyston.fast
def csr_matvec(rows, cols, vals, x):
    # The CSR product of npbench's spmv: slices bounded by NumPy ints, a gather, a dot.
    y = np.empty(rows.size - 1, vals.dtype)
    for i in range(rows.size - 1):
        c = cols[rows[i]:rows[i + 1]]
        v = vals[rows[i]:rows[i + 1]]
        y[i] = v @ x[c]
    return y


@pyston.fast
def gather_sums(x, idx, k):
    s = 0.0
    for _ in range(k):
        s += np.sum(x[idx]) + (x[idx] * 2.0).max()
    return s


@pyston.fast
def gather_store(X, x, idx):
    for i in range(X.shape[0]):
        X[i] = x[idx] * i - X[i]
    return X


@pyston.fast
def gather_inplace(y, x, idx):
    for _ in range(3):
        y[1:4] += x[idx]
    return y


@pyston.fast
def gather_make(x, idx):
    t = x[idx]
    return t, t.sum()


def csr(rng, m, n, nnz, idx_dtype):
    counts = rng.multinomial(nnz, np.ones(m) / m)
    rows = np.concatenate([[0], np.cumsum(counts)]).astype(idx_dtype)
    cols = rng.integers(0, n, nnz).astype(idx_dtype)
    return rows, cols, rng.standard_normal(nnz), rng.standard_normal(n)


@pytest.mark.parametrize("idx_dtype", [np.uint32, np.int64, np.int32, np.uint16, np.int8])
def test_csr_matvec(rng, idx_dtype):
    for m, n, nnz in [(1, 1, 0), (5, 7, 3), (40, 100, 120), (30, 120, 900)]:
        same(csr_matvec, *csr(rng, m, n, nnz, idx_dtype))


def test_csr_matvec_native(rng):
    # Short rows (below BLAS's in-order length): no call into NumPy at all.
    assert pycalls(csr_matvec, *csr(rng, 50, 60, 100, np.uint32)) == 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx_dtype", [np.int64, np.int32, np.uint8, np.uint64, np.int16])
def test_gather_indices(rng, dtype, idx_dtype):
    x = data(rng, 9, dtype, special=False)
    info = np.iinfo(idx_dtype)
    cases = [[], [0], [8, 0, 3, 3], list(range(9))[::-1]]
    if info.min < 0:
        cases += [[-1, -9, 2], [-10], [5, -10]]  # -10: IndexError
    cases += [[9], [0, 9], [min(info.max, 300)]]  # out of range: NumPy's IndexError
    for c in cases:
        idx = np.array(c, dtype=idx_dtype)
        same(gather_sums, x, idx, 2)
        same(gather_make, x, idx)


def test_gather_nan_and_strides(rng):
    x = data(rng, 40, np.float64, special=True)
    idx = rng.integers(-40, 40, 12)
    same(gather_sums, x[::3], idx[::2] % 13, 1)
    same(gather_sums, x, idx, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_store_and_inplace(rng, dtype):
    X = data(rng, (4, 5), dtype)
    x = data(rng, 11, dtype)
    for idx in ([0, 1, 2, 3, 4], [-1, 3, 3, 0, 10], [0, 1, 11, 2, 3], [1, 2]):
        same(gather_store, X, x, np.array(idx))
    y = data(rng, 8, dtype)
    for idx in ([0, 1, 2], [-1, -2, 7], [2, 8, 1]):
        same(gather_inplace, y, x[:8], np.array(idx))
        # the table is the destination's array: NumPy gathers first (slow path here)
        same(gather_inplace, y, y, np.array(idx))


# Element reads, views and index arithmetic between an expression's operations
# (`A[:i + 1, k] * alpha * B[i, k]`: the read of B[i, k] comes after the first
# product) are computed where written when the bounds pass proved them in range:
# they cannot fail, so the expression is still computed in one loop at its root.


@pyston.fast
def rank2_update(C, A, B, alpha, beta):
    for i in range(A.shape[0]):
        C[i, : i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, : i + 1] += A[: i + 1, k] * alpha * B[i, k] + B[: i + 1, k] * alpha * A[i, k]
    return C


@pyston.fast
def reads_between(X, Y, out, j):
    s = 0.0
    for i in range(X.shape[0]):
        out[i] = X[i] * Y[i, 0] - X[i, 1:][0] * X[i] * Y[i, j]
        s += (X[i] * 2.0 * Y[i, 1] + X[i]).sum()
    return out, s


@pyston.fast
def unproven_read(C, A, B, j):
    for i in range(A.shape[0]):
        C[i, : i + 1] += A[: i + 1, 0] * 2.0 * B[i, j]
    return C


@pytest.mark.parametrize("dtype", DTYPES)
def test_reads_between_operations(rng, dtype):
    for n, m in ((0, 3), (1, 1), (3, 2), (9, 4), (40, 7), (130, 3)):
        A = data(rng, (n, m), dtype)
        B = data(rng, (n, m), dtype)
        C = data(rng, (n, n), dtype)
        same(rank2_update, C, A, B, dtype(3), dtype(2))
        # strided and Fortran-ordered operands
        same(rank2_update, np.asfortranarray(C), A[::-1], np.asfortranarray(B), dtype(3), dtype(2))
    for n in (1, 2, 5, 17):
        X = data(rng, (6, n + 1), dtype)[:, :n] if n > 1 else data(rng, (6, 2), dtype)
        Y = data(rng, (6, 3), dtype)
        for j in (0, 2, -1, 3, -4):
            same(reads_between, X, Y, np.zeros_like(X), j)


def test_reads_between_aliases_and_specials(rng):
    A = data(rng, (8, 8), np.float64)
    # C is A: NumPy computes the whole right-hand side before adding
    same(rank2_update, A, A, A.copy(), 1.5, 0.5)
    for bad in (np.inf, np.nan, 1e308):
        A = data(rng, (5, 3), np.float64)
        A[2, 1] = bad
        same(rank2_update, data(rng, (5, 5), np.float64), A, data(rng, (5, 3), np.float64), 1e10, 2.0)
    # an index the bounds pass cannot prove: NumPy's IndexError after the rows before it
    for j in (0, -2, 2, 5, -6):
        same(unproven_read, np.zeros((4, 4)), data(rng, (4, 2), np.float64), data(rng, (4, 2), np.float64), j)
    A = data(rng, (30, 6), np.float64)
    assert pycalls(rank2_update, np.zeros((30, 30)), A, A.copy(), 1.5, 0.5) == 0


def test_reads_between_fused_in_one_loop(tmp_path):
    """The plan: the five element-wise operations are nodes of the in-place update (no array made)."""
    import os
    import subprocess
    import sys

    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def f(C, A, B, alpha):\n"
        "    for i in range(A.shape[0]):\n"
        "        for k in range(A.shape[1]):\n"
        "            C[i, :i + 1] += A[:i + 1, k] * alpha * B[i, k] + B[:i + 1, k] * alpha * A[i, k]\n"
        "f(np.ones((3, 3)), np.ones((3, 2)), np.ones((3, 2)), 2.0)\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="small")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    assert "inplace add float64: 5 nodes" in text, text
    assert "make float64" not in text, text


@pyston.fast
def ufuncs_after_flags(x, y):
    # `x * y` and `x - x` raise the invalid/overflow flags silently (Python floats);
    # the scalar ufuncs after them warn only as NumPy does for their own operand
    s = 0.0
    for k in range(3):
        z = x * y
        w = x - x
        s += np.cos(y + k) + np.arccos(w / 2.0 if w == w else 0.5) + np.sin(z - z if z == z else 1.0)
    return s, np.arccos(y)


def test_scalar_ufuncs_after_raised_flags():
    for x, y in ((np.inf, 2.0), (1e308, 10.0), (1.0, 0.5), (np.inf, 3.0), (np.nan, 0.25)):
        same(ufuncs_after_flags, x, y)


# `np.flip(a)` of a 1-D array is a view made natively (negative stride); a float64
# dot of such a view copies it into a contiguous vector first, as NumPy does, then
# calls the same BLAS function; an update reading a flipped view of its own target
# gets its right-hand side as a temporary, as in NumPy.


@pyston.fast
def flips(a, b):
    fa = np.flip(a)
    s = 0.0
    for k in range(1, a.shape[0] + 1):
        s += np.dot(np.flip(a[:k]), b[:k]) + np.dot(b[:k], np.flip(b[:k])) + np.dot(np.flip(a[:k]), np.flip(b[:k]))
    return fa, s, np.flip(b[::2]), np.dot(np.flip(a[::2]), b[: (a.shape[0] + 1) // 2])


@pyston.fast
def levinson(r):
    y = np.empty_like(r)
    alpha = -r[0]
    beta = 1.0
    y[0] = -r[0]
    for k in range(1, r.shape[0]):
        beta *= 1.0 - alpha * alpha
        alpha = -(r[k] + np.dot(np.flip(r[:k]), y[:k])) / beta
        y[:k] += alpha * np.flip(y[:k])
        y[k] = alpha
    return y


@pyston.fast
def flip_any(a):
    f = np.flip(a)
    return f, f[0] if f.shape[0] else None


def test_flip_views_and_dots(rng):
    for n in (1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 100, 257):
        a = data(rng, n, np.float64)
        b = data(rng, n, np.float64)
        r = same(flips, a, b)
        assert r[0].strides == (-8,)
        same(flips, data(rng, (3, n), np.float64)[1], data(rng, 2 * n, np.float64)[::2])
    for n in (1, 2, 5, 40, 300):
        r = rng.uniform(0.0, 1.0, n) * 0.1
        same(levinson, r)
    for dtype in (np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_, np.complex128):
        for n in (0, 1, 4):
            a = data(rng, n, dtype) if np.dtype(dtype).kind in "fi" else np.ones(n, dtype=dtype)
            same(flip_any, a)
            assert flip_any(a)[0].strides == flip_any.py_func(a)[0].strides
    # non-finite values: NumPy's dot and warnings
    a = np.array([1.0, np.inf, 2.0, np.nan, 3.0])
    same(flips, a, a[::-1].copy())
    # (not an overflow of alpha * alpha: scalar + - * do not warn, docs/semantics.md)
    same(levinson, np.array([0.5, np.nan, 0.25, 0.1]))
    same(levinson, np.array([0.5, np.inf, 0.25, 0.1]))


def test_flip_dot_update_no_calls():
    r = np.random.default_rng(5).uniform(0.0, 1.0, 200) * 0.1
    assert pycalls(levinson, r) == 0


@pyston.fast
def long_reductions(a):
    return a.sum(), np.sum(a), a.mean(), a.max(), a.min(), np.max(a), np.min(a)


@pytest.mark.parametrize("dtype", FLOATS)
def test_long_reductions(rng, dtype):
    # Around the length above which max/min are NumPy's (1024) and long sums
    # (the runtime's pairwise sum: a slice version for aligned contiguous
    # float64): contiguous, strided, reversed and misaligned arrays, with
    # NaN, infinities and signed zeros in some.
    for n in (1000, 1023, 1024, 1025, 1031, 2048, 4095, 8192, 10007, 100003):
        for special in (False, True):
            a = data(rng, n, dtype, special=special)
            same(long_reductions, a)
            same(long_reductions, a[::-1])
            same(long_reductions, data(rng, 2 * n, dtype, special=special)[::2])
            raw = np.zeros(n * a.itemsize + 1, dtype=np.uint8)[1:].view(dtype)
            raw[:] = a
            assert not raw.flags.aligned
            same(long_reductions, raw)


def test_long_max_min_call_numpy():
    @pyston.fast
    def mm(a):
        return a.max() + a.min()

    assert pycalls(mm, np.ones(1024)) == 0
    assert pycalls(mm, np.ones(1025)) == 2


@pyston.fast
def row_argminmax(X, c):
    out = np.empty((X.shape[0], 4), dtype=np.int64)
    for i in range(X.shape[0]):
        out[i, 0] = np.argmin((X[i] - c) ** 2)
        out[i, 1] = X[i].argmax()
        out[i, 2] = np.argmax(X[i] * c)
        out[i, 3] = X[i].argmin()
    return out


@pyston.fast
def argminmax_1d(a):
    return np.argmin(a), np.argmax(a), a.argmin(), np.argmax(a * a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_argminmax(rng, dtype):
    # make_decision's shape: the first index of the extreme, the first NaN's
    for n in SIZES[1:]:
        X = data(rng, (3, n), dtype)
        c = data(rng, n, dtype)
        same(row_argminmax, X, c)
        if np.dtype(dtype).kind == "f":
            same(row_argminmax, data(rng, (3, n), dtype, special=True), data(rng, n, dtype, special=True))
        X = rng.integers(-2, 3, (3, n)).astype(dtype)  # ties: the first of equal elements
        same(row_argminmax, X, rng.integers(-1, 2, n).astype(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_argminmax_special(dtype):
    nan, inf = np.nan, np.inf
    for vals in ([0.0, -0.0, 0.0], [-0.0, 0.0], [1.0, nan, 0.5, nan], [nan], [inf, -inf, inf, -inf],
                 [2.0, 1.0, 1.0, 2.0], [1e30, 1e30, -1e30], [5e-324, -5e-324]):
        same(argminmax_1d, np.array(vals, dtype=dtype))
    same(argminmax_1d, np.array([np.finfo(dtype).max / 2, 2.0, 3.0], dtype=dtype))  # a * a overflows: NumPy warns
    same(argminmax_1d, np.array([], dtype=dtype))  # NumPy's ValueError
    X = np.arange(12.0, dtype=dtype).reshape(3, 4)
    same(row_argminmax, X, np.array([1.0, nan, 1.0, 1.0], dtype=dtype))


def test_argminmax_lengths_and_calls(rng):
    for n in (1, 2, 7, 8, 9, 130, 1024, 1025, 5000):
        a = data(rng, n, np.float64)
        same(argminmax_1d, a)
        same(argminmax_1d, a[::-1])
        same(argminmax_1d, data(rng, 2 * n, np.float64)[::2])
    X = data(rng, (50, 16), np.float64)
    assert pycalls(row_argminmax, X, data(rng, 16, np.float64)) == 0


@pyston.fast
def long_expr_sums(x, y, c):
    t0 = 100 * (x[1:] - x[:-1] ** 2) ** 2
    t1 = (1 - x[:-1]) ** 2
    d = x - c
    return np.sum(t0 + t1), np.sum(d**2), (d * y).sum(), np.mean(x * y + c), (x / y).sum()


@pytest.mark.parametrize("dtype", FLOATS)
def test_long_expression_sums(rng, dtype):
    # Sums of expressions of any length, without their temporary: each run
    # of at most 128 elements NumPy's pairwise sum adds alone is summed here,
    # the runs' sums then added as NumPy adds them (its tree, and its chunks
    # of 8192 where this NumPy sums in chunks). Lengths around the tree's
    # splits and the chunks; strided, reversed and misaligned operands; NaN,
    # infinities, zero divisors and overflow (NumPy's warnings).
    for n in (129, 130, 255, 256, 257, 1000, 1025, 4097, 8191, 8192, 8193, 8194, 16385, 30011, 100003):
        for special in (False, True):
            x, y = data(rng, n, dtype, special=special), data(rng, n, dtype, special=special)
            c = dtype(rng.standard_normal())
            same(long_expr_sums, x, y, c)
            same(long_expr_sums, x[::-1], y, c)
            same(long_expr_sums, data(rng, 2 * n, dtype)[::2], y, c)
            raw = np.zeros(n * x.itemsize + 1, dtype=np.uint8)[1:].view(dtype)
            raw[:] = x
            same(long_expr_sums, raw, y, c)
    big = np.finfo(dtype).max / 4
    same(long_expr_sums, np.full(300, big, dtype), np.ones(300, dtype), dtype(0.5))  # overflow: NumPy warns
    y = np.ones(500, dtype)
    y[321] = 0.0  # a zero divisor: NumPy's warning and inf
    same(long_expr_sums, np.ones(500, dtype), y, dtype(1.0))
    same(long_expr_sums, np.ones(500, dtype), np.ones(501, dtype), dtype(1.0))  # NumPy's broadcast error


def test_long_expression_sums_no_temporary_no_calls(rng):
    @pyston.fast
    def sums(x, y, c):
        return np.sum((x - c) ** 2), (x * y).sum(), np.mean(x * y + c), (x[1:] - x[:-1] ** 2).sum()

    x = rng.random(100003) + 0.5
    y = rng.random(100003) + 0.5
    same(sums, x, y, 0.25)
    assert pycalls(sums, x, y, 0.25) == 0


@pyston.fast
def averages(a, b):
    return np.average(a), np.average(a * b - 1), np.average(a, weights=np.abs(b) + 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_average_is_mean(rng, dtype):
    # `np.average(a)` without weights is NumPy's `a.mean()`: the native mean
    # (pairwise sum over the length), an empty array NumPy's warnings and NaN.
    for n in SIZES + [1000, 5000, 100003]:
        same(averages, data(rng, n, dtype), data(rng, n, dtype))
        if np.dtype(dtype).kind == "f":
            same(averages, data(rng, n, dtype, special=True), data(rng, n, dtype, special=True))
    same(averages, data(rng, 2 * 301, dtype)[::-2], data(rng, 301, dtype))


def test_average_no_calls(rng):
    @pyston.fast
    def avg(x, y):
        return np.average(x) + np.average(x * y)

    x = rng.random(100003)
    assert pycalls(avg, x, x) == 0
    assert pycalls(avg, x[:50], x[:50]) == 0
