"""Fused whole-array expressions are bit-identical to NumPy, warnings included.

`np.sqrt(a*a + b*b) - 0.5*c` on float64 arrays of one shape, C-contiguous,
runs as one pass with no temporaries; anything else (broadcasting, other
dtypes or layouts, a non-finite value anywhere, which is where NumPy may warn)
runs as the separate NumPy calls. Both must give NumPy's values, dtype, shape
and warnings.
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pyston
import pytest

NAN, INF = math.nan, math.inf


@pyston.fast
def hypot_minus(a, b, c):
    return np.sqrt(a * a + b * b) - 0.5 * c


@pyston.fast
def poly(a, k):
    return -(a * a * 3.0 - a / 7.0 + k) / 2


@pyston.fast
def mixed_ufuncs(a, b):
    return np.abs(a - b) + np.square(b) * np.negative(a) - np.absolute(b) / 3


@pyston.fast
def used_twice(a, b):
    t = a * b
    return t + 1.0, t * 2.0


@pyston.fast
def in_a_loop(a, b, n):
    s = 0.0
    for i in range(n):
        k = float(i)
        r = a * b + k
        s += r[0]
    return s


class RaisedError(tuple):
    def __new__(cls, *parts):
        return super().__new__(cls, parts)


def run(f, *args):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = f(*args)
        except Exception as e:  # noqa: BLE001 (compared below)
            return RaisedError(type(e).__name__, str(e)), []
    msgs = [str(w.message) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
    return r, msgs


def check(f, *args):
    got, gw = run(f, *args)
    want, ww = run(f.py_func, *args)
    assert gw == ww
    if isinstance(want, RaisedError) or isinstance(got, RaisedError):
        assert got == want
        return
    for g, w in zip(got, want) if isinstance(want, tuple) else [(got, want)]:
        assert type(g) is type(w)
        assert g.dtype == w.dtype and g.shape == w.shape
        assert g.strides == w.strides  # NumPy's layout (F-ordered operands give F order)
        assert g.tobytes() == w.tobytes()  # bit for bit (NaN payloads included)


@pytest.mark.parametrize("n", list(range(0, 20)) + [63, 64, 65, 1001])
def test_lengths(n, rng):
    a, b, c = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(n)
    check(hypot_minus, a, b, c)
    check(poly, a, 2.5)
    check(poly, a, 3)  # an int scalar
    check(poly, a, np.float64(-1.25))
    check(mixed_ufuncs, a, b)


@pytest.mark.parametrize("shape", [(3, 4), (1, 7), (5, 1), (2, 3, 4), (0, 3)])
def test_multidimensional(shape, rng):
    a, b, c = rng.standard_normal(shape), rng.standard_normal(shape), rng.standard_normal(shape)
    check(hypot_minus, a, b, c)
    check(mixed_ufuncs, a, b)


def test_broadcasting_takes_the_numpy_path(rng):
    # (a leaf of a lower rank: NumPy's calls)
    check(hypot_minus, rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((3, 1)))
    check(hypot_minus, np.ones((2, 3)), np.ones((3, 2)), np.ones((2, 3)))  # ValueError from NumPy


BROADCASTS = [
    ((3, 1), (1, 4), (3, 4)),
    ((1, 4), (3, 1), (1, 1)),
    ((5, 1), (5, 1), (1, 1)),
    ((1, 1), (1, 1), (1, 1)),
    ((2, 1, 3), (1, 4, 1), (2, 4, 3)),
    ((0, 1), (1, 4), (0, 4)),
    ((1, 0), (3, 1), (3, 0)),
    ((3, 1), (1, 2), (4, 2)),  # 3 and 4 do not broadcast: NumPy's ValueError
    ((2, 3), (3, 2), (1, 1)),
]


@pytest.mark.parametrize("shapes", BROADCASTS)
def test_broadcasting_is_fused(shapes, rng):
    # nbody's shape: `x.T - x`, `mass * vel**2`, `-(m * m.T) * r`
    a, b, c = (rng.standard_normal(s) for s in shapes)
    check(hypot_minus, a, b, c)
    check(mixed_ufuncs, a, b)
    check(hypot_minus, a, b.copy(order="F"), c[..., ::-1] if c.ndim else c)
    if c.size:
        for bad in (1e200, np.inf, np.nan):
            c2 = c.copy()
            c2.flat[0] = bad
            check(hypot_minus, c2, b, a)


def test_broadcasting_makes_no_call_into_numpy(rng):
    from pyston import _pyston as P

    a, b, c = rng.standard_normal((40, 1)), rng.standard_normal((1, 30)), rng.standard_normal((40, 30))
    check(hypot_minus, a, b, c)
    hypot_minus(a, b, c)
    n = P.pycall_count()
    hypot_minus(a, b, c)
    assert P.pycall_count() - n == 0


@pyston.fast
def broadcast_temporary(x, m):
    # a temporary leaf of the result's shape is written into; a broadcast one never
    t = x - x.T
    return (t * t + m) * 0.5, (x * 2.0 + m.T) * x.T


def test_other_layouts_and_dtypes(rng):
    a = rng.standard_normal((6, 8))
    check(hypot_minus, a[::2], a[1::2], a[::2, ::-1])
    check(hypot_minus, np.asfortranarray(a), np.asfortranarray(a), np.asfortranarray(a))
    check(hypot_minus, a.astype(np.float32), a.astype(np.float32), a.astype(np.float32))
    check(hypot_minus, a.astype(np.int64), a, a)


@pytest.mark.parametrize(
    "vals",
    [
        [1e200, -1.0, 2.0],  # overflow in a*a (the result is inf, NumPy warns)
        [-4.0, 1.0, 2.0],  # sqrt of a negative: invalid value
        [NAN, 1.0, 2.0],  # NaN in: no warning, NaN out
        [INF, -INF, 0.0],
        [1e-320, 5e-324, 0.0],  # subnormals (underflow is not warned by default)
    ],
)
def test_special_values_and_warnings(vals):
    x = np.array(vals)
    check(hypot_minus, x, x[::-1].copy(), x)
    check(poly, x, 1.0)
    check(mixed_ufuncs, x, x)


def test_division_by_zero_warns_like_numpy():
    a = np.array([1.0, 0.0, -2.0, 3.0])
    z = np.zeros(4)

    @pyston.fast
    def div(a, b):
        return (a + 1.0) / (b * 2.0)

    check(div, a, z)
    check(div, a, a)


def test_intermediate_overflow_with_a_finite_result():
    # (a * a) overflows to inf; inf / inf is NaN: NumPy warns twice.
    @pyston.fast
    def f(a):
        return (a * a) / (a * a) + 1.0

    check(f, np.array([1e200, 2.0, 3.0]))

    # 1 / (a * a) is 0 for a = 1e200: finite, but a * a overflowed (NumPy warns).
    @pyston.fast
    def g(a):
        return 1.0 / (a * a) - 2.0 * a

    check(g, np.array([1e200, 2.0, 3.0]))
    check(g, np.array([1e-200, 2.0, 3.0]))  # 1 / 0: divide by zero
    check(g, np.array([0.5, 2.0, 3.0, 4.0, 5.0]))


def test_a_value_used_twice_is_not_fused_away(rng):
    check(used_twice, rng.standard_normal(9), rng.standard_normal(9))


def test_inside_a_loop_memory_stays_flat(rng):
    a, b = rng.standard_normal(1000), rng.standard_normal(1000)
    check(in_a_loop, a, b, 50)
    in_a_loop(a, b, 10)
    # Every iteration's result array is released (the arena collects at the back edge).
    import tracemalloc

    tracemalloc.start()
    in_a_loop(a, b, 2000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200_000


def test_the_fused_code_is_one_simd_loop(rng):
    a = rng.standard_normal(8)
    hypot_minus(a, a, a)
    asm = hypot_minus.inspect_asm()
    if os.uname().machine in ("x86_64", "AMD64"):
        assert "vsqrtpd" in asm and "vmulpd" in asm


def test_disabling_fusion_gives_the_same_results(rng, monkeypatch):
    a, b, c = rng.standard_normal(33), rng.standard_normal(33), rng.standard_normal(33)
    want = hypot_minus(a, b, c)
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "fusion")
    f = pyston.fast(hypot_minus.py_func)
    assert f(a, b, c).tobytes() == want.tobytes()
    assert "vsqrtpd" not in f.inspect_asm()


@pyston.fast
def relu_where(a, t):
    return np.where(a > t, a, 0.0)


@pyston.fast
def where_ops(a, b):
    return (
        np.where(a != a, 0.0, a * 2.0),  # NaN -> 0
        np.where(a <= b, b - a, (a - b) / 4.0),
        np.where(a == 0.5, -a, np.abs(b)) + 1.0,
        np.where(a >= 0, np.sqrt(a), -1.0),  # sqrt of a negative is computed (NumPy warns) and dropped
        np.where(a < 3, a, b),  # an int constant compared as a float
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 64, 101])
def test_where_and_comparisons(n, rng):
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    check(relu_where, a, 0.5)
    check(relu_where, a, np.float64(-0.25))
    check(where_ops, np.abs(a), b)  # no negative sqrt: the fused path
    check(where_ops, a, b)  # negatives: NumPy's warnings, via the NumPy calls


def test_where_special_values():
    a = np.array([NAN, -0.0, 0.0, INF, -INF, 0.5, 3.0, -2.0])
    b = a[::-1].copy()
    check(relu_where, a, 0.0)
    check(relu_where, a, NAN)
    check(where_ops, a, b)


def test_where_is_fused(rng):
    a = rng.standard_normal(8)
    relu_where(a, 0.5)
    if os.uname().machine in ("x86_64", "AMD64"):
        assert "vcmp" in relu_where.inspect_asm()


@pyston.fast
def stencil2d(A, w):
    # jacobi_2d's expression: slices of one array are the leaves
    return w * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])


@pyston.fast
def stencil2d_store(A, B, w, n):
    for _ in range(n):
        B[1:-1, 1:-1] = w * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = (B[1:-1, 1:-1] - B[::1, 1:-1][1:-1]) / (B[2:, 2:] + 2.0)
    return A, B


@pyston.fast
def stencil1d(a, b):
    return 0.33333 * (a[:-2] + a[1:-1] + a[2:]) - np.sqrt(np.abs(b[::2][1:-1]))


@pyston.fast
def stencil3d(A):
    return 0.125 * (A[2:, 1:-1, 1:-1] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[:-2, 1:-1, 1:-1]) + A[1:-1, 1:-1, 2:]


@pyston.fast
def strided_leaves(a, b):
    return a * 2.0 - b / 3.0


def check_mutating(f, *args):
    """`check` for a function that writes into its array arguments: each run gets copies."""
    fresh = lambda: [a.copy() if isinstance(a, np.ndarray) else a for a in args]  # noqa: E731
    got, gw = run(f, *fresh())
    want, ww = run(f.py_func, *fresh())
    assert gw == ww
    assert type(got) is type(want)
    if isinstance(want, RaisedError):
        assert got == want
        return
    for g, w in zip(got, want):
        assert type(g) is type(w)
        g, w = np.asarray(g), np.asarray(w)
        assert g.dtype == w.dtype and g.shape == w.shape and g.tobytes() == w.tobytes()


@pytest.mark.parametrize("shape", [(3, 3), (3, 4), (4, 3), (5, 9), (12, 17), (40, 33), (2, 50)])
def test_stencils_over_slices(shape, rng):
    A = rng.standard_normal(shape)
    check(stencil2d, A, 0.2)
    check(stencil2d, np.asfortranarray(A), 0.2)
    check(stencil2d, A[::-1, ::2], 0.5)
    check_mutating(stencil2d_store, A, A.copy(), 0.2, 3)
    a = rng.standard_normal(shape[0] * shape[1])
    check(stencil1d, a, np.concatenate([a, a]))
    check(stencil1d, a[::3], a[::-1].copy() * 1e-3)


@pytest.mark.parametrize("shape", [(3, 3, 3), (4, 5, 6), (6, 3, 9)])
def test_stencil_3d(shape, rng):
    A = rng.standard_normal(shape)
    check(stencil3d, A)
    check(stencil3d, A.transpose(2, 0, 1))
    check(stencil3d, A[:, ::-1])


@pytest.mark.parametrize("make", [
    lambda a: (a[::2], a[1::2]),
    lambda a: (a[:, ::2], a[:, 1::2]),
    lambda a: (a.T, a.T.copy()),
    lambda a: (a[:, ::-1], a),
    lambda a: (a[1:, :3], a[:-1, 2:5]),
])
def test_strided_and_mixed_layouts(make, rng):
    a, b = make(rng.standard_normal((8, 6)))
    check(strided_leaves, a, b)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e300])
def test_stencil_special_values_warn_as_numpy(bad, rng):
    A = rng.standard_normal((7, 9))
    A[3, 4] = bad
    check(stencil2d, A, 1e10)
    B = rng.standard_normal((7, 9))
    B[2, 2] = -2.0  # B[2:, 2:] + 2 == 0: division by zero
    check_mutating(stencil2d_store, A, B, 0.2, 1)
    a = rng.standard_normal(20)
    b = -rng.standard_normal(40) ** 2
    b[7] = bad
    check(stencil1d, a, b)


def test_stencil_shape_mismatch_and_too_small(rng):
    check(stencil2d, rng.standard_normal((2, 2)), 0.2)  # empty slices
    check(stencil2d, rng.standard_normal((1, 5)), 0.2)
    check(stencil1d, rng.standard_normal(5), rng.standard_normal(5))  # shapes differ: NumPy's ValueError


def test_stencil_makes_no_call_into_numpy():
    from pyston import _pyston as P

    A = np.random.default_rng(5).standard_normal((30, 30))
    stencil2d(A, 0.2)
    n = P.pycall_count()
    stencil2d(A, 0.2)
    # the five slices are views compiled code makes itself; no arithmetic through NumPy
    assert P.pycall_count() - n == 0


def test_stencils_with_fusion_off_are_identical(rng, monkeypatch):
    A = rng.standard_normal((9, 11))
    want = stencil2d(A, 0.2)
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "fusion")
    f = pyston.fast(stencil2d.py_func)
    assert f(A, 0.2).tobytes() == want.tobytes()


@pyston.fast
def scalars_between(A, dx, dy):
    # pressure_poisson's shape: scalar arithmetic between the array operations
    return (A[1:, :] * 1e308 + A[:-1, :]) * dy**2 / (2 * (dx**2 + dy**2)) - (1.0 / dx) * A[1:, :]


@pytest.mark.parametrize("dx, dy", [(0.1, 0.2), (0.0, 0.2), (1e200, 1.0), (2.0, 1e-200), (-0.0, 0.0)])
def test_scalar_arithmetic_between_the_nodes(dx, dy, rng):
    # a zero divisor or an overflowing power between the nodes: the array operations
    # before it run first (NumPy's overflow warning), then CPython's exception
    A = rng.standard_normal((6, 7)) * 4.0
    check(scalars_between, A, dx, dy)
    check(scalars_between, np.abs(A) * 1e-300, dx, dy)


def test_scalar_arithmetic_between_the_nodes_is_fused():
    from pyston import _pyston as P

    A = np.random.default_rng(2).standard_normal((20, 20)) * 1e-3
    scalars_between(A, 0.1, 0.2)
    n = P.pycall_count()
    scalars_between(A, 0.1, 0.2)
    assert P.pycall_count() - n == 0  # (the slices are views compiled code makes itself)


@pyston.fast
def inplace_root(A, u, v):
    # gemver: `A += ...` writes into A (NumPy's in-place add), never a new array
    A += np.outer(u, v) + np.outer(v, u)
    return A


def test_inplace_operator_writes_into_its_target(rng):
    u, v = rng.standard_normal(5), rng.standard_normal(5)
    check_mutating(inplace_root, rng.standard_normal((5, 5)), u, v)
    A = np.ones((5, 5))
    assert inplace_root(A, u, v) is A


@pyston.fast
def column_recurrence(p, N, a, b, c):
    # npbench's adi: the operand is a column view the small-arrays pass makes
    # natively (it shares p's object): the result must not be written into p
    for j in range(1, N - 1):
        p[1:N - 1, j] = -c / (a * p[1:N - 1, j - 1] + b)
    return p


def test_native_view_operand_is_not_reused(rng):
    for n in (4, 7, 30):
        check_mutating(column_recurrence, rng.standard_normal((n, n)), n, -0.3, 1.2, -0.3)


def _random_stencil(r, depth):
    """A random float64 expression over same-shaped slices of `A`, `B` (2-D)
    and scalars `s`, `t`: leaves keep one slice group per axis."""
    pick = {"short": ("1:", ":-1"), "full": (":", "::-1")}

    def go(d, groups):
        if d <= 0 or r.random() < 0.25:
            k = r.random()
            if k < 0.15:
                return r.choice(("s", "t", "(s * t)", "(1.0 / s)", "(t ** 2)", "2.5", "-0.5"))
            a = r.choice("AB")
            return f"{a}[{r.choice(pick[groups[0]])}, {r.choice(pick[groups[1]])}]"
        x = go(d - 1, groups)
        k = r.random()
        if k < 0.55:
            return f"({x} {r.choice('+-*/')} {go(d - 1, groups)})"
        if k < 0.65:
            return f"(-{x})"
        if k < 0.85:
            return f"np.{r.choice(('sqrt', 'abs', 'square', 'negative'))}({x})"
        return f"np.where({x} > {r.choice(('0.0', 's', '1.5'))}, {x}, {go(0, groups)})"

    groups = (r.choice(("short", "full")), r.choice(("short", "full")))
    return go(depth, groups), groups


@pytest.mark.parametrize("seed", range(12))
def test_random_stencils(seed):
    """Random expressions over slices, stored into a slice (maybe of an operand),
    added in place, or returned: plain vs compiled, values and warnings."""
    import linecache
    import random

    r = random.Random(seed)
    for k in range(12):
        e, groups = _random_stencil(r, 4)
        dst = {"short": "1:", "full": ":"}
        kind = r.random()
        if kind < 0.35:
            body = f"    B[{dst[groups[0]]}, {dst[groups[1]]}] = {e}\n    return A, B\n"
        elif kind < 0.5 and groups == ("full", "full"):
            body = f"    A += {e}\n    return A, B\n"
        else:
            body = f"    return ({e},)\n"
        src = f"def k(A, B, s, t):\n{body}"
        path = f"<stencil_{seed}_{k}>"
        linecache.cache[path] = (len(src), None, src.splitlines(True), path)
        ns = {"np": np}
        exec(compile(src, path, "exec"), ns)
        f = pyston.fast(ns["k"])
        rng = np.random.default_rng(seed * 100 + k)
        for shape in ((4, 5), (1, 3), (6, 2)):
            A, B = rng.standard_normal(shape), rng.standard_normal(shape)
            if r.random() < 0.3:
                A.flat[r.randrange(A.size)] = r.choice((np.nan, np.inf, 0.0, 1e300))
            if r.random() < 0.3:
                B = np.asfortranarray(B)
            s, t = r.choice(((0.5, -2.0), (0.0, 1.0), (1e200, 3.0), (-1.5, 0.25)))
            check_mutating(f, A, B, s, t)


@pyston.fast
def column_steps(w, u, d, out, K):
    # npbench's vadv: int-indexed slices between the nodes, a store cutting an
    # expression (the nodes before it become a leaf of the rest)
    for k in range(1, K):
        g = -0.25 * (w[1:, :, k] + w[:-1, :, k])
        c = g * 0.5
        out[:, :, k] = g * 0.5
        corr = -c * (u[:, :, k - 1] - u[:, :, k])
        out[:, :, k - 1] = d * u[:, :, k] + u[:, :, k - 1] + corr
    return out


@pytest.mark.parametrize("shape", [(4, 3, 5), (7, 6, 3), (2, 1, 4), (1, 5, 2), (9, 8, 2)])
def test_int_indexed_slices_and_cut_expressions(shape, rng):
    n, m, K = shape
    w, u = rng.standard_normal((n + 1, m, K)), rng.standard_normal((n, m, K))
    d = rng.standard_normal((n, m))
    check_mutating(column_steps, w, u, d, np.zeros((n, m, K)), K)
    check_mutating(column_steps, w, u[::-1], d.T.copy().T, np.zeros((n, m, K)), K)
    u2 = u.copy()
    u2[0, 0, 1] = np.inf  # inf - inf: NumPy's invalid-value warning, from the same line
    check_mutating(column_steps, w, u2, d, np.zeros((n, m, K)), K)
    check_mutating(column_steps, w, u, d, np.zeros((n, m, K)), K + 1)  # k out of range: IndexError


@pyston.fast
def overflow_then_bad_index(A, B, k):
    return A[:, 0] * 1e308 * 10.0 + B[:, k]


def test_index_error_between_the_nodes_comes_after_their_warnings(rng):
    # CPython: the multiplications warn (overflow), then B[:, k] raises; the
    # fused code deoptimizes at the index and the interpreter runs them in order
    A, B = rng.standard_normal((4, 3)) + 2.0, rng.standard_normal((4, 2))
    for k in (1, -2, 2, -3, 10):
        out = []
        for f in (overflow_then_bad_index.py_func, overflow_then_bad_index):
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                try:
                    r = f(A, B, k).tobytes()
                except IndexError as e:
                    r = ("IndexError", str(e))
            out.append((r, [(w.category, str(w.message), w.lineno) for w in ws if w.category is RuntimeWarning]))
        assert out[0] == out[1]
        assert out[0][1], "the multiplication overflows"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (overflow_then_bad_index.py_func, overflow_then_bad_index):
            with pytest.raises(RuntimeWarning):
                f(A, B, 10)  # the warning, as an error, before the IndexError


@pyston.fast
def int_slices(A, B, k):
    return (A[:, :, k] + B[:, :, k]) * 2.0 - A[:, :, k + 1] / 3.0


@pyston.fast
def cut_by_a_store(a, b, out):
    c = a * b
    out[0] = c[0]
    return (c + a) * b - 1.0


def test_int_slices_and_cut_expressions_are_fused(rng):
    from pyston import _pyston as P

    A, B = rng.standard_normal((6, 5, 4)), rng.standard_normal((6, 5, 4))
    check(int_slices, A, B, 1)
    int_slices(A, B, 1)
    n = P.pycall_count()
    int_slices(A, B, 2)
    assert P.pycall_count() - n == 0  # the slices are views compiled code makes; one fused pass
    a, b = rng.standard_normal(3000), rng.standard_normal(3000)
    check_mutating(cut_by_a_store, a, b, np.zeros(3))
    cut_by_a_store(a, b, np.zeros(3))
    n = P.pycall_count()
    cut_by_a_store(a, b, np.zeros(3))
    assert P.pycall_count() - n <= 2  # a * b (and the store), not the three operations after it


@pyston.fast
def squares(dx, dy, dz, s):
    # periodic_dist's and nbody's shape: `x ** 2` is NumPy's np.square, x * x
    return np.sqrt(dx**2 + dy**2 + dz**2 + s**2), (dx - dy) ** 2 * 0.5


@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (64, 3), (9, 13), (2, 3, 5)])
def test_squares_fuse(shape, rng):
    a, b, c = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape) for _ in range(3))
    check(squares, a, b, c, 0.1)
    check(squares, a, b, c, 2)
    check(squares, a.T, b.T.copy(), c.T, 0.1)
    if a.size:
        for bad in (1e200, np.inf, np.nan, -1e160):  # overflow in square: NumPy's warning
            a2 = a.copy()
            a2.flat[a.size // 2] = bad
            check(squares, a2, b, c, 0.1)


def test_squares_make_no_call_into_numpy(rng):
    from pyston import _pyston as P

    a, b, c = rng.standard_normal((3, 40, 40))
    squares(a, b, c, 0.1)
    n = P.pycall_count()
    squares(a, b, c, 0.1)
    assert P.pycall_count() - n == 0


@pytest.mark.parametrize("n", [1, 2, 5, 300])
def test_broadcast_temporaries(n, rng):
    check(broadcast_temporary, rng.standard_normal((n, 1)), rng.standard_normal((1, n)))
    check(broadcast_temporary, rng.standard_normal((1, 1)), rng.standard_normal((1, n)))


# ---- a temporary leaf written into only when the fused pass will not fall back ----


def temp_leaf_div(c, n):
    return np.exp(c) / np.where(c > n, c, 8.9)


def temp_leaf_2d(m):
    return np.sin(m) * 2.0 / (m - 1.0)


def _with_warnings(fn, *args):
    import warnings

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = fn(*args)
    return r, [(x.category, str(x.message)) for x in w]


def test_temporary_leaf_kept_for_the_slow_path():
    # The fused pass found a non-finite value: the slow path reruns the NumPy
    # calls on the leaf, which must still hold the temporary (not the results).
    cases = [
        (temp_leaf_div, (np.array([7.0, 0.0, 2.0]), -3.8)),
        (temp_leaf_div, (np.array([7.0, -0.0, 2.0, 1e300]), -3.8)),
        (temp_leaf_div, (np.array([7.0, 1.0, 2.0]), -3.8)),
        (temp_leaf_2d, (np.array([[1.0, 2.0], [3.0, 1.0]]),)),
        (temp_leaf_2d, (np.array([[0.5, 2.0], [3.0, 4.0]]),)),
    ]
    for fn, args in cases:
        want, wwarn = _with_warnings(fn, *args)
        got, gwarn = _with_warnings(pyston.fast(fallback=False)(fn), *args)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype and gwarn == wwarn


# ---- a ufunc NumPy computes with its own inner loop, over a fused expression ----


@pyston.fast
def exp_of_expr(h, a, i):
    # numpy-benchmarks' vibr_energy
    return np.exp(-h * i - a * (i**2))


@pyston.fast
def log_of_expr(a, b):
    return np.log(a * b + 0.5)


@pyston.fast
def trig_of_expr(a, b):
    return np.arccos(a - b), np.tanh(a / 3.0 + b), np.sin(a * b)


@pytest.mark.parametrize("shape", [(3, 4), (50, 70), (2, 3, 5), (1, 9), (0, 4)])
def test_ufunc_of_an_expression(shape, rng):
    a, b = rng.random(shape), rng.random(shape)
    check(exp_of_expr, a, b, 3)
    check(exp_of_expr, a, b, 2.5)
    check(log_of_expr, a, b)
    check(trig_of_expr, a, b)
    check(trig_of_expr, np.asfortranarray(a), np.asfortranarray(b))
    check(log_of_expr, a, rng.random(shape[-1]))  # broadcast


def test_ufunc_of_an_expression_is_fused(rng):
    from pyston import _pyston as P

    a, b = rng.random((40, 30)), rng.random((40, 30))
    exp_of_expr(a, b, 3)
    n = P.pycall_count()
    exp_of_expr(a, b, 3)
    assert P.pycall_count() - n == 0


def test_ufunc_warnings_are_numpys(rng):
    a, b = rng.random((5, 6)), rng.random((5, 6))
    check(exp_of_expr, a * -1000.0, b, 3)  # exp overflows: NumPy warns
    check(log_of_expr, a - 2.0, b)  # log of a negative: invalid
    check(log_of_expr, -np.full((2, 3), 0.5), np.ones((2, 3)))  # log(0): divide by zero
    check(trig_of_expr, a + 3.0, b)  # arccos out of its domain
    a[1, 2] = np.nan
    check(trig_of_expr, a, b)
    check(log_of_expr, a, b)


# ---- float32 expressions: 4 x f32 lanes, each operation NumPy's float32 one ----


@pyston.fast
def gray_scott_step(U, V, Du, F):
    # numpy-benchmarks' grayscott (float32 arrays, Python float parameters)
    Lu = U[0:-2, 1:-1] + U[1:-1, 0:-2] - 4 * U[1:-1, 1:-1] + U[1:-1, 2:] + U[2:, 1:-1]
    u = U[1:-1, 1:-1]
    v = V[1:-1, 1:-1]
    uvv = u * v * v
    return Du * Lu - uvv + F * (1 - u)


@pyston.fast
def f32_where(a, t):
    return np.where(a > t, np.sqrt(a) * 2.5, -a)


@pyston.fast
def f32_exp(a, b):
    return np.exp(a * b - 1.0)


@pyston.fast
def f32_big_int(a):
    return a * 70000 + 1  # NumPy 1.x computes this in float64: not fused


@pyston.fast
def mixed_widths(a32, b64):
    return a32 * 2.0 + b64


@pyston.fast
def f32_np_scalar(a, s):
    return a * s - a


@pytest.mark.parametrize("shape", [(5, 7), (1, 3), (4, 1), (2, 3, 9), (0, 5), (33, 17)])
def test_float32_expressions(shape, rng):
    a = rng.standard_normal(shape).astype(np.float32)
    b = rng.standard_normal(shape).astype(np.float32)
    check(f32_where, a, 0.25)
    check(f32_where, np.abs(a), np.float32(0.5))
    check(f32_exp, a, b)
    check(mixed_widths, a, b.astype(np.float64))
    check(f32_np_scalar, a, np.float32(1.5))
    check(f32_np_scalar, a, np.float64(1.5))
    check(f32_big_int, a)
    check(f32_where, np.asfortranarray(np.abs(a)), 0.3)


@pytest.mark.parametrize("n", [3, 4, 5, 8, 30])
def test_gray_scott_float32(n, rng):
    U = rng.random((n, n)).astype(np.float32)
    V = rng.random((n, n)).astype(np.float32)
    for Du, F in [(0.16, 0.06), (1, 2), (1e30, 0.5), (1e300, 0.5), (np.nan, 0.1), (np.inf, 0.1)]:
        check(gray_scott_step, U, V, Du, F)


def test_float32_is_fused(rng):
    from pyston import _pyston as P

    U = rng.random((40, 40)).astype(np.float32)
    V = rng.random((40, 40)).astype(np.float32)
    gray_scott_step(U, V, 0.16, 0.06)
    n = P.pycall_count()
    gray_scott_step(U, V, 0.16, 0.06)
    assert P.pycall_count() - n == 0


def test_float32_special_values(rng):
    a = rng.standard_normal((6, 5)).astype(np.float32)
    for bad in (np.nan, np.inf, -np.inf, 3e38):
        a2 = a.copy()
        a2[2, 3] = bad
        check(f32_where, a2, 0.0)
        check(f32_exp, a2, a2)
        check(f32_np_scalar, a2, np.float32(3e38))


@pyston.fast
def compared_quotient(x, y):
    # (found by tests/fuzz/arrays.py: x / y feeds only the comparison, and both
    # sides of np.where are x, so a division by zero there leaves no inf in the
    # result; NumPy still warns)
    return np.where((x / y) < x, x, x) * 2.0


def test_a_non_finite_comparison_operand_warns_as_numpy(rng):
    x = rng.random((3, 4))
    y = rng.random((3, 4))
    check(compared_quotient, x, y)
    y[1, 2] = -0.0
    check(compared_quotient, x, y)
    y[1, 2] = np.nan
    check(compared_quotient, x, y)


@pyston.fast
def sqrt_of_row_plus(x, y):
    return np.sqrt(y) * 2.0 + x


@pyston.fast
def row_sum_of_sqrt_row(x, y):
    return np.sum(np.sqrt(y) + x, axis=-1)


def test_empty_broadcast_still_warns_as_numpy(rng):
    # (found by tests/fuzz/arrays.py: NumPy computes np.sqrt(y) on y's own 4
    # elements and warns about the negative one even though x is empty, so
    # the result is too; an empty result runs NumPy's calls)
    y = np.array([1.0, -2.0, 3.0, 4.0])
    for x in (np.zeros((0, 4)), np.zeros((0, 1)), np.zeros((3, 0))[:, :0]):
        if x.shape[-1] in (1, 4):
            check(sqrt_of_row_plus, x, y)
            check(row_sum_of_sqrt_row, x, y)
    check(sqrt_of_row_plus, rng.random((3, 4)), y)


# Leaves with one value per row (`x[..., None]`, a keepdims reduction over the
# last axis) broadcast along the rows: the vector loop loads that value once
# per row and repeats it in every lane. Same values, bit for bit.


@pyston.fast
def outer_affine(a, b, c):
    return a[:, None] * b[None, :] + c


@pyston.fast
def centered_exp(x):
    m = np.max(x, axis=-1, keepdims=True)
    return np.exp(x - m)


@pyston.fast
def scaled_rows(x):
    s = x.sum(-1, keepdims=True)
    return (x * 2.0 - s) / 3.0


@pyston.fast
def window_products(x, w):
    return np.sum(x[:, :, :, None] * w[None, :, :, :], axis=(1, 2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8, 17])
def test_row_broadcast_leaves(n, dtype, rng):
    a = rng.standard_normal(6).astype(dtype)
    b = rng.standard_normal(n).astype(dtype)
    c = rng.standard_normal((6, n)).astype(dtype)
    check(outer_affine, a, b, c)
    check(outer_affine, a[::-1], b, c)  # a reversed leaf
    check(outer_affine, a, b[::-2], c[:, ::-2])  # strided rows: one element at a time
    check(outer_affine, a, b, 0.5)
    x = (rng.standard_normal((5, n)) * 10).astype(dtype)
    check(centered_exp, x)
    check(centered_exp, x[:, ::-1])
    check(scaled_rows, x)
    check(scaled_rows, x.T.copy().T)
    check(window_products, rng.standard_normal((3, 4, 2)).astype(dtype), rng.standard_normal((4, 2, n)).astype(dtype))


def test_row_broadcast_special_values(rng):
    for bad in (np.nan, np.inf, -np.inf):
        a = rng.standard_normal(6)
        a[3] = bad
        check(outer_affine, a, rng.standard_normal(5), 1.0)
        x = rng.standard_normal((4, 6))
        x[2, 2] = bad
        check(centered_exp, x)
        check(scaled_rows, x)


def test_row_broadcast_makes_no_call_into_numpy(rng):
    from pyston import _pyston as P

    a, b, c = rng.standard_normal(40), rng.standard_normal(30), rng.standard_normal((40, 30))
    x = rng.standard_normal((20, 16))
    for f, args in ((outer_affine, (a, b, c)), (centered_exp, (x,)), (scaled_rows, (x,))):
        f(*args)
        n = P.pycall_count()
        f(*args)
        # (the keepdims reduction itself is one call into NumPy, or none)
        assert P.pycall_count() - n <= 1, f.__name__


# Ufuncs inside expressions (`1 - np.tanh(x)**2`, `np.sin(a) * np.cos(b)`):
# computed in chunks, each ufunc's operand into a scratch chunk and NumPy's own
# inner loop over it, the rest of the expression reading those chunks. Also the
# NumPy functions imported by name (`from numpy import tanh, power`) and
# `np.power(x, 2)` where this NumPy computes it as `x * x`.

from numpy import cos as np_cos  # noqa: E402
from numpy import power as np_power  # noqa: E402
from numpy import tanh as np_tanh  # noqa: E402


@pyston.fast
def tanh_prime(x):
    return 1 - np.tanh(x) ** 2


@pyston.fast
def tanh_prime_imported(x, y):
    return (1 - np_power(np_tanh(x), 2)) * (1 - np_power(np_tanh(y), 2)) * 0.5


@pyston.fast
def haversine_part(t1, t2, p1, p2):
    return np.sin((t2 - t1) / 2) ** 2 + np.cos(t1) * np_cos(t2) * np.sin((p2 - p1) / 2) ** 2


@pyston.fast
def nested_ufuncs(x):
    return np.exp(np.sin(x) * 2.0) - np.log(np.abs(x) + 1.0)


@pyston.fast
def gaussian_row_sums(x, s):
    return np.sum(np.exp(-(x * x) / s), axis=-1)


@pyston.fast
def softplus_total(x):
    return np.sum(np.log(np.exp(x) + 1.0) - x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (511,), (512,), (513,), (1500,), (3, 5), (40, 1100), (2, 3, 700), (5, 0)])
def test_ufuncs_inside_expressions(shape, dtype, rng):
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    y = (rng.standard_normal(shape) * 3).astype(dtype)
    check(tanh_prime, x)
    check(tanh_prime_imported, x, y)
    check(haversine_part, x, y, y * 0.5, x * 2)
    check(nested_ufuncs, x)
    check(nested_ufuncs, x.T)
    if len(shape) >= 2:
        check(gaussian_row_sums, x, 2.5)
        check(softplus_total, x)
        check(tanh_prime, x[:, ::-1])
        check(tanh_prime_imported, x[::2], y[::2])


def test_ufuncs_inside_expressions_special_values():
    # (log of a negative, exp overflowing: NumPy's warnings, from its own calls)
    x = np.array([[0.5, -1.0, 800.0, np.nan], [np.inf, -np.inf, 0.0, -0.0]])
    check(nested_ufuncs, x)
    check(softplus_total, x)
    check(tanh_prime, x)
    check(gaussian_row_sums, x, 0.0)


def test_ufuncs_inside_expressions_make_no_call_into_numpy(rng):
    from pyston import _pyston as P

    x, y = rng.standard_normal((30, 40)), rng.standard_normal((30, 40))
    for f, args in ((tanh_prime, (x,)), (haversine_part, (x, y, y, x)), (nested_ufuncs, (x,)), (gaussian_row_sums, (x, 2.0))):
        f(*args)
        n = P.pycall_count()
        f(*args)
        assert P.pycall_count() - n == 0, f.__name__
    f, args = tanh_prime_imported, (x, y)
    f(*args)
    n = P.pycall_count()
    f(*args)
    # (np.power(x, 2) is x * x in NumPy 2; 1.26 calls pow: its two calls, and
    # the tanh calls they read, stay NumPy's)
    calls = P.pycall_count() - n
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        assert calls == 0
    else:
        assert calls >= 2


# One elementwise operation alone is fused too: from compiled code NumPy's one
# call cost more than the loop (`A + A` on 16x16 float64: 0.98 us against
# CPython's 0.58 us), so it runs as a one-node expression, slow path included.
@pyston.fast(fallback=False)
def single_ops(a, b, k):
    return a + b, a - k, k * b, a / b, -a, np.sqrt(a), np.abs(b), np.square(a), a**2


@pyston.fast(fallback=False)
def single_op_loop(a, b, n):
    x, y = a, b
    for i in range(n):
        x = a * b
        y = x + float(i)
    return x, y


@pyston.fast(fallback=False)
def single_ufuncs(a):
    return np.exp(a), np.sin(a), np.log(a), np.tanh(a), np.arccos(a)


@pyston.fast(fallback=False)
def single_ufuncs_wide(a):
    return np.exp(a), np.tan(a), np.sinh(a), np.cosh(a), np.arctan(a)


@pyston.fast(fallback=False)
def single_conj(z):
    return np.conj(z), -z


SINGLE_DTYPES = [np.float64, np.float32, np.complex128]


@pytest.mark.parametrize("dtype", SINGLE_DTYPES)
@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (65,), (3, 4), (0, 3), (2, 3, 5), (40, 33)])
def test_single_operations(dtype, shape, rng):
    a = rng.standard_normal(shape).astype(dtype)
    b = rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
        b = b - 0.5j * rng.standard_normal(shape)
    for k in (2.5, 3, -0.0, np.float64(1.25)):
        check(single_ops, a, b, k)
    check(single_op_loop, a, b, 0)
    check(single_op_loop, a, b, 5)
    if np.dtype(dtype).kind == "c":
        check(single_conj, a)
    else:
        check(single_ufuncs, a)  # (log and arccos of negatives, values beyond 1: NumPy's warnings)
        check(single_ufuncs, np.abs(a) / (1 + np.abs(a)))


@pytest.mark.parametrize("dtype", SINGLE_DTYPES)
def test_single_operations_special_values_warn_as_numpy(dtype):
    # (overflow, 0/0, x/0, sqrt of a negative, NaN and infinities: NumPy's warnings and values)
    big = float(np.finfo(dtype).max) / 2
    a = np.array([big, 0.0, 1.0, -4.0, np.nan, np.inf, -np.inf, -0.0], dtype=dtype)
    b = np.array([big, 0.0, 0.0, 2.0, 1.0, np.inf, 1.0, 3.0], dtype=dtype)
    for k in (1e308, 0.0, -1.5):
        check(single_ops, a, b, k)
        check(single_ops, a.reshape(2, 4), b.reshape(2, 4), k)


def test_single_operations_other_layouts_and_broadcasts(rng):
    a = rng.standard_normal((6, 8))
    check(single_ops, a[::2], a[1::2], 2.0)
    check(single_ops, np.asfortranarray(a), np.asfortranarray(a), 2.0)
    check(single_ops, a[:, ::-1], a, 1.0)
    check(single_ops, a, a[0], 1.0)
    check(single_ops, a[:, :1], a[:1], 1.0)
    check(single_ops, a.astype(np.int64), a, 1.0)
    check(single_ops, a.astype(np.float16), a.astype(np.float16), 1.0)
    check(single_ops, np.ones((2, 3)), np.ones((3, 2)), 1.0)  # ValueError from NumPy
    # (a ufunc of a strided or reversed view: NumPy's loop there may be its
    # scalar fallback, whose values differ by an ulp from its SIMD loop)
    u = np.abs(rng.standard_normal((12, 16))) + 0.5
    x = u / (1 + u)  # (in every ufunc's domain)
    w = rng.standard_normal((12, 16)) * 5
    for v in (x[::2], x[:, ::-1], x[::-1], x[::-1, ::-1], x.T, x[1:, 3:], x.astype(np.float32)[::3]):
        check(single_ufuncs, v)
    # (np.exp of this NumPy over a view reversed on both axes differs from its
    # loop over a contiguous copy in about one element of twelve: a test
    # that fails when a strided ufunc alone is fused through a copy)
    for v in (w[::-1, ::-1], w[::-1], w[:, ::2], w.T, w.astype(np.float32)[::-1, ::-1]):
        check(single_ufuncs_wide, v)


def test_single_operations_make_no_call_into_numpy(rng):
    from pyston import _pyston as P

    a, b = rng.standard_normal((16, 16)), rng.standard_normal((16, 16))
    single_op_loop(a, b, 3)
    n = P.pycall_count()
    single_op_loop(a, b, 50)
    assert P.pycall_count() - n == 0
    x = np.abs(a) / (1 + np.abs(a))  # (in every ufunc's domain)
    single_ufuncs(x)
    n = P.pycall_count()
    single_ufuncs(x)
    assert P.pycall_count() - n == 0


@pyston.fast
def reductions_between(a, b):
    # normalize_complex_arr's shape: `b.min()`, `a.T`'s shape and a complex
    # scalar between the nodes (values, no effect, no warning)
    t = a * 2.0 - b
    m = b.min()
    n = a.T.shape[0]
    c = 1j * b.max()
    return (t + m * n) - c.imag


@pyston.fast
def complex_parts_between(z):
    z_oo = z - z.real.min() - 1j * z.imag.min()
    return z_oo / np.abs(z_oo).max()


@pytest.mark.parametrize("shapes", [((5,), (5,)), ((3, 4), (3, 4)), ((3, 4), (4,)), ((0,), (0,)), ((3,), (0,)),
                                    ((3,), (4,)), ((2, 0), (0,))])
def test_reductions_between_the_nodes(shapes, rng):
    # an empty `b` makes `b.min()` raise between the nodes: the fused code
    # deoptimizes there and the interpreter runs the nodes first (their
    # broadcasting error, when the shapes do not broadcast, comes first)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    check(reductions_between, a, b)
    if a.size and b.size:
        check(reductions_between, a * 1e308, b)  # the node overflows: its warning, then the rest
        b2 = b.copy()
        b2.flat[0] = NAN
        check(reductions_between, a, b2)  # min and max of NaN: NaN, no warning


def test_reductions_between_the_nodes_are_fused(rng):
    from pyston import _pyston as P

    # (arrays over 32 KiB: one operation alone would be NumPy's call, two
    # fused are none; the reductions of this many elements are NumPy's)
    a, b = rng.standard_normal(5000), rng.standard_normal(5000) + 0.5
    z = rng.standard_normal(3000) + 1j * rng.standard_normal(3000) + (1 + 1j)
    for f, args, calls in ((reductions_between, (a, b), 2), (complex_parts_between, (z,), 5)):
        f(*args)
        n = P.pycall_count()
        f(*args)
        assert P.pycall_count() - n == calls, f  # (the reductions; z's abs and /)


@pytest.mark.parametrize("n", [0, 1, 7, 3000])
def test_complex_parts_between_the_nodes(n, rng):
    z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    check(complex_parts_between, z)
    if n:
        z[0] = complex(1e308, -1e308)
        check(complex_parts_between, z)  # the subtraction overflows: NumPy's warning
        z[-1] = complex(NAN, 0.0)
        check(complex_parts_between, z)
