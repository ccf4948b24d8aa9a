"""Small complex128 matrices natively (numeric/src/small_complex.rs,
core/runtime/src/helpers/csmall.rs): ``A @ B`` by the ``zgemm`` call NumPy
makes, ``A * s`` / ``s * A`` by NumPy's own multiply loop, ``T += X`` in place.

Each kernel runs plain and under ``pyston.fast``: results must agree bit for
bit (``tobytes``), with the same dtype, shape, strides, exception and warnings,
and the argument arrays must end up the same. Inputs: random values over many
binades, NaN / inf / -0.0 components, shapes 0x0 .. 8x8 (and mismatched ones),
transposed, strided, negative-stride and overlapping views.
"""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest
from pyston import _pyston as P


def _bits(x):
    if isinstance(x, np.ndarray):
        return ("arr", x.dtype.str, x.shape, x.strides, x.tobytes())
    if isinstance(x, np.generic):
        return ("np", type(x).__name__, np.asarray(x).tobytes())
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
    return r, e, ws, perf


def _copy(a):
    """A copy with the same strides and the same offset from its base's start
    (so views keep their layout, and unaligned data stays unaligned)."""
    if not isinstance(a, np.ndarray):
        return a
    base = a
    while isinstance(base.base, np.ndarray):
        base = base.base
    if base is a or not base.flags.c_contiguous:
        return a.copy()
    nb = base.copy()
    off = a.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=nb, offset=off, strides=a.strides)


def same(fast, *args):
    """Plain vs compiled: bit-identical results (and strides) and arguments, same exceptions and warnings."""
    pa = [_copy(a) for a in args]
    ja = [_copy(a) for a in args]
    r1, e1, w1, _ = _run(fast.py_func, pa)
    r2, e2, w2, perf = _run(fast, ja)
    assert not perf, f"fell back: {perf[0].message}"
    if e1 or e2:
        assert type(e1) is type(e2) and str(e1) == str(e2), (e1, e2)
    else:
        assert _bits(r1) == _bits(r2), (r1, r2)
    assert w1 == w2, (w1, w2)
    for x, y in zip(pa, ja):
        if isinstance(x, np.ndarray):
            assert _bits(x) == _bits(y)
    return r1


def pycalls(fast, *args):
    """How many calls into Python/NumPy one call of ``fast`` makes (after a warm-up call)."""
    fast(*[_copy(a) for a in args])
    n = P.pycall_count()
    fast(*[_copy(a) for a in args])
    return P.pycall_count() - n


def cdata(rng, shape, special=False):
    re = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)
    im = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)
    a = re + 1j * im
    if special and a.size:
        flat = a.reshape(-1)
        vals = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e300, -1e-310]
        for k in rng.choice(flat.size, size=max(1, flat.size // 4), replace=False):
            v = vals[rng.integers(len(vals))]
            if rng.integers(2):
                flat[k] = complex(v, flat[k].imag)
            else:
                flat[k] = complex(flat[k].real, v)
    return a


def native():
    np.zeros(1)  # (NumPy imported: the checks have run)
    return P.native_complex_matrices() == (True, True)


# ---- kernels ------------------------------------------------------------------


@pyston.fast
def mm(A, B):
    return A @ B


@pyston.fast
def mm_chain(A, B, C):
    T = A @ B
    return T @ C


@pyston.fast
def scale(A, s):
    return A * s, s * A


@pyston.fast
def iadd_rows(S, X):
    for i in range(S.shape[0]):
        S[i] += X
    return S


@pyston.fast
def iadd_view(S, X, lo):
    S[lo, :, ::2] += X
    return S


@pyston.fast
def blocks(idx, H, G, D, S):
    """Sum over neighbours of G-block @ H-block @ (H-block * D-scalar), into S's blocks."""
    for k in range(G.shape[0]):
        for e in range(G.shape[1]):
            for w in range(D.shape[0]):
                for i in range(D.shape[-2]):
                    for j in range(D.shape[-1]):
                        for a in range(idx.shape[0]):
                            for b in range(idx.shape[1]):
                                if e - w >= 0:
                                    t = G[k, e - w, idx[a, b]] @ H[a, b, i]
                                    u = H[a, b, j] * D[w, a, b, i, j]
                                    S[k, e, a] += t @ u
    return S


def block_args(rng, norb=3, special=False):
    na, nb, n3 = 4, 2, 2
    idx = np.array([[(a + b) % na for b in range(nb)] for a in range(na)], dtype=np.int32)
    H = cdata(rng, (na, nb, n3, norb, norb), special)
    G = cdata(rng, (2, 3, na, norb, norb), special)
    D = cdata(rng, (2, na, nb, n3, n3), special)
    S = np.zeros((2, 3, na, norb, norb), dtype=np.complex128)
    return idx, H, G, D, S


# ---- tests --------------------------------------------------------------------

SHAPES = [(m, n, p) for m in (1, 2, 3, 5, 8) for n in (1, 2, 3, 4, 8) for p in (1, 2, 3, 7, 8)]


@pytest.mark.parametrize("m,n,p", SHAPES)
def test_matmul_shapes(rng, m, n, p):
    A = cdata(rng, (m, n))
    B = cdata(rng, (n, p))
    same(mm, A, B)


@pytest.mark.parametrize("m,n,p", [(0, 3, 3), (3, 0, 3), (3, 3, 0), (0, 0, 0), (3, 4, 3), (2, 3, 2)])
def test_matmul_empty_and_mismatch(rng, m, n, p):
    A = cdata(rng, (m, n))
    B = cdata(rng, (n + (1 if (m, n, p) in ((3, 4, 3), (2, 3, 2)) else 0), p))
    same(mm, A, B)


def _layouts(rng, m, n):
    """The same values as m x n matrices of several layouts."""
    big = cdata(rng, (2 * m + 1, 2 * n + 3))
    yield big[:m, :n]  # rows of a wider array
    yield np.ascontiguousarray(big[:n, :m]).T  # transposed (Fortran order)
    yield big[: 2 * m : 2, 1 : n + 1]  # every other row
    yield big[:m, : 2 * n : 2]  # every other column
    yield big[m - 1 :: -1, :n] if m else big[:0, :n]  # negative row stride
    yield big[:m, n - 1 :: -1] if n else big[:m, :0]  # negative column stride
    yield big[:n, :m].T  # a transposed view


@pytest.mark.parametrize("m,n,p", [(2, 2, 2), (3, 3, 3), (4, 3, 5), (8, 8, 8), (1, 3, 3), (3, 3, 1)])
def test_matmul_views(rng, m, n, p):
    for A in _layouts(rng, m, n):
        for B in _layouts(rng, n, p):
            same(mm, A, B)


@pyston.fast
def mm_self(A):
    return A @ A.T, A.T @ A, A @ A


def test_matmul_self_transpose(rng):
    # NumPy computes A @ A.T with zsyrk: its call, not zgemm's.
    for shape in [(4, 3), (3, 3), (2, 5), (8, 8)]:
        same(mm_self, cdata(rng, shape))


def test_matmul_chain(rng):
    for norb in range(1, 9):
        A, B, C = (cdata(rng, (norb, norb)) for _ in range(3))
        same(mm_chain, A, B, C)


@pytest.mark.parametrize("trial", range(6))
def test_matmul_special_values(rng, trial):
    for m, n, p in [(2, 2, 2), (3, 3, 3), (4, 2, 5), (8, 8, 8)]:
        A = cdata(rng, (m, n), special=True)
        B = cdata(rng, (n, p), special=trial % 2 == 0)
        same(mm, A, B)
    big = np.full((3, 3), 1e200 + 1e200j)
    same(mm, big, big.copy())  # overflow: NumPy's call, and its warnings


SCALARS = [
    1.5 - 2.25j,
    np.complex128(-0.0 + 3j),
    complex(np.inf, 1.0),
    complex(np.nan, -0.0),
    complex(1e300, 1e300),
    -0.0j,
    2.5,
    np.float64(-0.0),
    np.float64(np.inf),
]


@pytest.mark.parametrize("s", SCALARS, ids=range(len(SCALARS)))
def test_scale(rng, s):
    for r in range(0, 9):
        for c in (0, 1, 2, 3, 8):
            same(scale, cdata(rng, (r, c)), s)
    for A in _layouts(rng, 3, 4):
        same(scale, A, s)
    for A in _layouts(rng, 1, 5):
        same(scale, A, s)
    same(scale, cdata(rng, (4, 4), special=True), s)
    same(scale, np.broadcast_to(cdata(rng, (1, 3)), (3, 3)), s)


def test_iadd(rng):
    for norb in range(0, 9):
        S = cdata(rng, (3, norb, norb))
        same(iadd_rows, S, cdata(rng, (norb, norb)))
    S = cdata(rng, (3, 4, 4))
    same(iadd_rows, S, cdata(rng, (4, 1)))  # broadcast: NumPy's call
    same(iadd_rows, S, cdata(rng, (3, 4)))  # mismatch: NumPy's error
    same(iadd_rows, S, cdata(rng, (4, 4), special=True))
    same(iadd_rows, np.full((2, 2, 2), 1e308 + 0j), np.full((2, 2), 1e308 + 0j))  # overflow warns
    for X in _layouts(rng, 4, 4):
        same(iadd_rows, cdata(rng, (2, 4, 4)), X)


def test_iadd_view(rng):
    S = cdata(rng, (3, 5, 6))
    same(iadd_view, S, cdata(rng, (5, 3)))
    same(iadd_view, S, cdata(rng, (5, 3), special=True))
    S = cdata(rng, (3, 5, 6))
    same(iadd_view, S, S[1, :, :3])  # overlapping operand: NumPy's call
    same(iadd_view, S, S[0, :, ::2])  # the same elements


def test_iadd_overlap(rng):
    @pyston.fast
    def shifted(S):
        for i in range(S.shape[0]):
            S[i, 1:] += S[i, :-1]
        return S

    same(shifted, cdata(rng, (2, 5, 5)))


@pytest.mark.parametrize("norb", [1, 2, 3, 4, 8])
def test_blocks(rng, norb):
    same(blocks, *block_args(rng, norb))
    same(blocks, *block_args(rng, norb, special=True))


def test_blocks_call_nothing(rng):
    args = block_args(rng, 3)
    if not native():
        pytest.skip("this NumPy's zgemm or multiply loop was not found or not verified")
    assert pycalls(blocks, *args) == 0


def test_native_found():
    # NumPy's wheels bundle scipy-openblas (its zgemm) and a complex128 multiply loop.
    np.zeros(1)
    z, m = P.native_complex_matrices()
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:  # noqa: BLE001 - older NumPy: nothing to compare with
        blas = ""
    if blas.startswith("scipy-openblas"):
        assert z and m


def test_native_paths_taken(rng):
    # The cases computed natively make no call into NumPy (so the comparisons
    # above test the native code, not NumPy against itself).
    if not native():
        pytest.skip("this NumPy's zgemm or multiply loop was not found or not verified")
    for m, n, p in [(2, 2, 2), (3, 3, 3), (4, 3, 5), (8, 8, 8)]:
        for A in list(_layouts(rng, m, n))[:3]:  # (the 4th: columns NumPy copies first)
            assert pycalls(mm, A, cdata(rng, (n, p))) == 0
    assert pycalls(mm_chain, *(cdata(rng, (3, 3)) for _ in range(3))) == 0
    for shape in [(1, 1), (1, 4), (4, 1), (3, 3), (8, 8)]:
        assert pycalls(scale, cdata(rng, shape), 1.5 - 2j) == 0
        assert pycalls(scale, cdata(rng, shape), 2.5) == 0
    lay = list(_layouts(rng, 3, 4))
    # (not the transposed ones: NumPy's output is Fortran-ordered for them)
    for A in (lay[0], lay[2], lay[3], lay[4], lay[5]):
        assert pycalls(scale, A, np.complex128(1 + 1j)) == 0
    assert pycalls(iadd_rows, cdata(rng, (3, 4, 4)), cdata(rng, (4, 4))) == 0
    assert pycalls(iadd_view, cdata(rng, (3, 5, 6)), cdata(rng, (5, 3)), 1) == 0
    # ... and the others do (NumPy's call): a 1 among matmul's dimensions, A @ A.T.
    assert pycalls(mm, cdata(rng, (1, 3)), cdata(rng, (3, 3))) == 1
    A = cdata(rng, (3, 3))
    mm(A, A.T)
    n = P.pycall_count()
    mm(A, A.T)
    assert P.pycall_count() - n == 1


@pyston.fast
def iadd_mm(S, A, B):
    for i in range(S.shape[0]):
        S[i] += A @ B
    return S


@pyston.fast
def iadd_mm_self(S, B):
    for i in range(S.shape[0]):
        S[i] += S[i] @ B
    return S


@pyston.fast
def iadd_mm_view(S, A, B):
    S[0, ::2, 1:] += A @ B
    return S


def test_iadd_matmul(rng):
    # `S[i] += A @ B`: the product in a scratch buffer, then added in place.
    for m, n, p in SHAPES:
        same(iadd_mm, cdata(rng, (2, m, p)), cdata(rng, (m, n)), cdata(rng, (n, p)))
    for m, n, p in [(2, 2, 2), (3, 3, 3), (4, 3, 5)]:
        for A in _layouts(rng, m, n):
            for B in _layouts(rng, n, p):
                same(iadd_mm, cdata(rng, (2, m, p)), A, B)
        same(iadd_mm, cdata(rng, (2, m, p)), cdata(rng, (m, n), special=True), cdata(rng, (n, p)))
        same(iadd_mm, cdata(rng, (2, m, p), special=True), cdata(rng, (m, n)), cdata(rng, (n, p)))
        same(iadd_mm_self, cdata(rng, (3, m, m)), cdata(rng, (m, m)))  # S[i] read before it is written
    same(iadd_mm, cdata(rng, (2, 3, 3)), cdata(rng, (3, 2)), cdata(rng, (2, 1)))  # broadcast: NumPy's
    same(iadd_mm, cdata(rng, (2, 3, 3)), cdata(rng, (3, 2)), cdata(rng, (3, 3)))  # mismatch: NumPy's error
    same(iadd_mm, cdata(rng, (2, 2, 3)), cdata(rng, (3, 2)), cdata(rng, (2, 3)))  # (3, 3) into (2, 3)
    same(iadd_mm, np.full((2, 2, 2), 1e308 + 0j), np.full((2, 2), 1e200 + 0j), np.full((2, 2), 1e200 + 0j))
    same(iadd_mm_view, cdata(rng, (2, 6, 4)), cdata(rng, (3, 4)), cdata(rng, (4, 3)))
    same(iadd_mm_view, cdata(rng, (2, 6, 4)), cdata(rng, (3, 4), special=True), cdata(rng, (4, 3)))
    if native():
        assert pycalls(iadd_mm, cdata(rng, (4, 3, 3)), cdata(rng, (3, 3)), cdata(rng, (3, 3))) == 0
        assert pycalls(iadd_mm_view, cdata(rng, (2, 6, 4)), cdata(rng, (3, 4)), cdata(rng, (4, 3))) == 0
        # overflow: NumPy's two calls (and its warning)
        big = np.full((2, 2), 1e200 + 0j)
        with np.errstate(all="ignore"):
            assert pycalls(iadd_mm, np.zeros((1, 2, 2), complex), big, big) == 2


def test_unaligned_operands(rng):
    # Complex data 8 bytes off a 16-byte boundary (aligned for NumPy's complex128,
    # whose alignment is 8). (Data not aligned at all is not compiled: the
    # dispatcher runs such calls as Python.)
    for n in (2, 3, 5):
        buf = rng.standard_normal(2 * n * n + 1)
        A = buf[1:].view(np.complex128).reshape(n, n)
        assert A.__array_interface__["data"][0] % 16 == 8
        B = cdata(rng, (n, n))
        same(mm, A, B)
        same(mm, B, A)
        same(scale, A, 1.5 - 0.5j)
        same(iadd_mm, cdata(rng, (2, n, n)), A, B)
        same(iadd_rows, cdata(rng, (2, n, n)), A)
        if native():
            assert pycalls(mm, A, B) == 0


def test_other_dtypes_are_numpys(rng):
    # complex64 and mixed-dtype operands are not this pass's: NumPy's calls, same results.
    A = cdata(rng, (3, 3))
    for X, Y in [
        (A.astype(np.complex64), A.astype(np.complex64)),
        (A, A.real.copy()),
        (A.real.copy(), A),
    ]:
        same(mm, X, Y)
        same(iadd_mm, np.zeros((2, 3, 3), np.result_type(X, Y)), X, Y)
    same(scale, A.astype(np.complex64), 1.5 - 2j)
    same(scale, A.real.copy(), 1.5 - 2j)
    same(scale, A, 3)  # an int scalar: NumPy's call


@pyston.fast
def tensor_blocks(T, U, k):
    # views of 4-D arrays by int indexes, as in block tensors
    acc = T[k, 0] @ U[0, k]
    for i in range(1, T.shape[1]):
        acc = acc + T[k, i] @ U[i, k] * (0.5 + 1j * i)
    return acc


def test_tensor_views(rng):
    T = cdata(rng, (3, 4, 3, 3))
    U = cdata(rng, (4, 3, 3, 3))
    for k in range(3):
        same(tensor_blocks, T, U, k)
    same(tensor_blocks, T, U, 5)  # IndexError, as NumPy raises it
    same(tensor_blocks, T, U, -1)
