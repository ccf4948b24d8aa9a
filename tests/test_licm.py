"""Loop-invariant code motion (numeric/src/licm.rs): pure scalar instructions whose
operands are defined outside a loop are computed once, in the loop's preheader.
Differential against plain Python on random and edge inputs: the same values and
types (big ints included), arrays written the same, whether the loop runs or not,
and an overflowing invariant leaving compiled code before the loop starts."""

import os
import subprocess
import sys

import numpy as np
import pyston
from helpers import I64_MAX, I64_MIN, assert_same, rng_for
from test_small_arrays import same as same_warned  # also compares NumPy's warnings, one by one


def clamp(i, offset, maxval):
    j = max(0, i + offset)
    return min(j, maxval)


@pyston.fast
def clamped_conv(x, weights):
    sx = x.shape
    sw = weights.shape
    result = np.zeros_like(x)
    for i in range(sx[0]):
        for j in range(sx[1]):
            for ii in range(sw[0]):
                for jj in range(sw[1]):
                    idx = clamp(i, ii - sw[0] // 2, sw[0]), clamp(j, jj - sw[0] // 2, sw[0])
                    result[i, j] += x[idx] * weights[ii, jj]
    return result


@pyston.fast
def invariants(n, a, b, x, y):
    t = 0
    s = 0.0
    for j in range(n):
        t += a * b + j  # a * b: invariant, may need a big int
        t -= (a - 7) // 3 + (b % 5)
        s += x * 2.5 + y - (-x)
        if j > n:  # never taken: its invariant product still must not matter
            t += a * a * a
        if max(a, b) > min(a, j):
            t += 1
        if x < y:
            t += 2
    return t, s


@pyston.fast
def zero_trip(a, b):
    t = 0
    for _ in range(0):
        t += a * b
    return t


@pyston.fast
def writes_then_overflow(out, big, m):
    t = 0
    for i in range(out.shape[0]):
        out[i] = i
        for j in range(m):
            t += i * big + j  # overflows from some i on: after rows before it were written
    return t, out


def test_clamped_conv():
    rng = rng_for("licm_conv")
    for n, k in ((0, 3), (1, 1), (5, 3), (9, 5), (12, 4), (3, 7)):
        x = rng.standard_normal((n, n + 1))
        w = rng.standard_normal((k, k))
        if n > 0 and k < n:
            assert_same(clamped_conv, x, w)
    # a weights array larger than x: clamp's bound past x's rows is NumPy's IndexError
    assert_same(clamped_conv, rng.standard_normal((3, 3)), rng.standard_normal((6, 6)))
    x = np.tri(20, 20) * 0.5
    assert_same(clamped_conv, x, np.tri(5, 5) * 0.25)


def test_invariants_exact():
    rng = rng_for("licm_invariants")
    edge = [0, 1, -1, 3, -7, 2**31, -(2**31), 2**32 + 1, I64_MAX, I64_MIN, I64_MAX // 3]
    for n in (0, 1, 4):
        for a in edge:
            for b in (0, -3, 2**33, I64_MIN):
                assert_same(invariants, n, a, b, 1.5, -0.25, allow_fallback=True)
    for _ in range(40):
        a, b = (int(v) for v in rng.integers(-(2**40), 2**40, 2))
        x, y = (float(v) for v in rng.standard_normal(2) * 1e3)
        assert_same(invariants, int(rng.integers(0, 9)), a, b, x, y)
    for x, y in ((np.inf, 1.0), (np.nan, 0.0), (-0.0, 0.0), (1e308, 1e308)):
        assert_same(invariants, 3, 2, 5, x, y)
    for a, b in ((I64_MAX, 2), (3, 4), (I64_MIN, -1)):
        assert_same(zero_trip, a, b)


def test_overflow_leaves_before_the_loop():
    for big in (2**61, 2**62, I64_MAX, -(2**62), 12345):
        for m in (0, 1, 3):
            assert_same(writes_then_overflow, np.zeros(5, dtype=np.int64), big, m, allow_fallback=True)


@pyston.fast
def invariant_ufuncs(xmin, step, t, n):
    pt = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for k in range(t.shape[0]):
                c = np.cos(xmin + step * i) * np.cos(t[k, 0]) + np.sin(xmin + step * i) * np.sin(t[k, 1])
                pt[i, j] += np.arccos(np.cos(step * j) * c) + np.arccos(xmin + step * i)
    return pt


def test_invariant_ufuncs_exact():
    rng = rng_for("licm_ufuncs")
    t = rng.uniform(-1.0, 1.0, (7, 2))
    for xmin, step, n in ((0.0, 0.1, 4), (0.25, -0.05, 3), (-0.5, 0.3, 5), (0.0, 0.1, 0)):
        same_warned(invariant_ufuncs, xmin, step, t, n)
    # arccos of an invariant out of [-1, 1] (from some i on): NumPy's warning on every iteration
    same_warned(invariant_ufuncs, 0.5, 0.3, t, 4)
    for bad in (np.nan, 2.0):
        same_warned(invariant_ufuncs, bad, 0.1, t, 3)
        same_warned(invariant_ufuncs, 0.1, bad, t, 2)
    # (infinities: the NaNs' sign bits are not NumPy's, with or without this
    # pass, from the arithmetic after cos(inf); values and types compared)
    assert_same(invariant_ufuncs, np.inf, 0.1, t, 3)
    assert_same(invariant_ufuncs, 0.1, np.inf, t, 2)
    same_warned(invariant_ufuncs, 0.1, 0.1, np.zeros((0, 2)), 3)


def test_hoisted_plan(tmp_path):
    """np.cos of a value invariant in the inner loop, and the arithmetic under it, are computed before it."""
    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def f(x, w, a):\n"
        "    s = 0.0\n"
        "    for i in range(x.shape[0]):\n"
        "        for jj in range(w.shape[0]):\n"
        "            s += np.cos(a * i + 0.5) * w[jj] + x[w.shape[0] // 2]\n"
        "    return s\n"
        "f(np.ones(5), np.ones(3), 0.25)\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="licm")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    assert "hoisted to" in text, text
    # (a scalar ufunc runs through NumPy's own inner loop on NumPy 2 only: on
    # 1.x it stays NumPy's call, which is not hoisted)
    ops = ["bin floordiv", "bin mul"] + (['method "cos"'] if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else [])
    for op in ops:
        assert op in text, (op, text)


@pyston.fast
def mixed_flags(x, a, b, n):
    s = 0.0
    t = 0
    for j in range(n):
        i0 = a + b  # may need a big int: the loop leaves compiled code here, as written
        t += min(i0, j) + max(i0 * 2, 3)
        s += np.cos(x * i0) + np.sin(x + 1.0) * j  # NumPy's call where its loop raised a flag
    return s, t


def _warnings_of(fn, args):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - compared by assert_same
            pass
    return [(w.category.__name__, str(w.message)) for w in caught if w.category is not pyston.PerformanceWarning]


def test_flags_of_overflows_and_ufuncs():
    cases = [(0.5, 3, 4, 5), (0.5, I64_MAX, 1, 3), (0.5, I64_MAX // 2, I64_MAX // 2, 4), (np.inf, 1, 2, 3)]
    cases += [(np.nan, 1, 2, 2), (0.25, I64_MIN, -1, 2), (0.5, 2, 3, 0), (1e300, 2**40, 2**40, 3)]
    for args in cases:
        assert_same(mixed_flags, *args, allow_fallback=True)
        assert _warnings_of(mixed_flags.py_func, args) == _warnings_of(mixed_flags, args), args


# ---------------------------------------------------------------------------
# Carried array elements: an element a loop updates is held in a register
# between its store and its next load (the store itself stays).
# ---------------------------------------------------------------------------


@pyston.fast
def carried_matmul(A, B, C):
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            for k in range(A.shape[1]):
                C[i, j] += A[i, k] * B[k, j]
    return C


@pyston.fast
def carried_self(M):
    # the same array is read at other elements (and at this one when k == j)
    n = M.shape[0]
    for i in range(n):
        for j in range(n):
            for k in range(n):
                M[i, j] = M[i, j] * 0.5 + M[i, k] * M[k, j]
    return M


@pyston.fast
def carried_conditional(a, out, t):
    for i in range(out.shape[0]):
        for k in range(a.shape[0]):
            v = a[k]
            if v > t:
                out[i] += v  # stored only on some iterations
            out[-1 - i] -= 0.0  # another element: the loop makes two stores, nothing is carried
    return out


@pyston.fast
def carried_cond_only(a, out, t):
    for i in range(out.shape[0]):
        for k in range(a.shape[0]):
            v = a[k]
            if v > t:
                out[i] = out[i] + v * out[i]  # two loads of the element before its store
    return out


@pyston.fast
def carried_negative_index(a, out):
    for k in range(a.shape[0]):
        out[-1] += a[k]
        out[-1] *= 0.999
    return out


def test_carried_elements_exact():
    rng = rng_for("licm_carried")
    for dt in (np.float64, np.float32):
        for n, m, p in ((0, 3, 2), (1, 1, 1), (3, 4, 5), (17, 9, 33)):
            A = rng.normal(size=(n, p)).astype(dt)
            B = rng.normal(size=(p, m)).astype(dt)
            assert_same(carried_matmul, A, B, np.zeros((n, m), dt))
            assert_same(carried_matmul, A, B, rng.normal(size=(n, m)).astype(dt))
        specials = np.array([[np.nan, 1.0, -0.0], [np.inf, -np.inf, 2.0], [0.0, -0.0, 1e308]], dt)
        assert_same(carried_matmul, specials, specials.T.copy(), np.zeros((3, 3), dt))
        assert_same(carried_self, rng.normal(size=(6, 6)).astype(dt))
        assert_same(carried_self, specials.copy())
        a = rng.normal(size=40).astype(dt)
        for t in (-10.0, 0.0, 10.0):
            assert_same(carried_conditional, a, np.zeros(5, dt), t)
            assert_same(carried_cond_only, a, rng.normal(size=5).astype(dt), t)
        assert_same(carried_negative_index, a, np.ones(3, dt))
        assert_same(carried_negative_index, a, np.ones(0, dt))  # IndexError at the first store


def test_carried_element_leaves_memory_written_at_an_exception():
    """An index out of range midway (B has too few rows): the stores made before
    it are in C, as in CPython."""
    rng = rng_for("licm_carried_exc")
    A = rng.normal(size=(3, 6))
    B = rng.normal(size=(4, 3))
    assert_same(carried_matmul, A, B, np.zeros((3, 3)))


def test_carried_element_with_views_of_one_buffer():
    """C is a view of A's memory (reads of A see each store at once)."""
    rng = rng_for("licm_carried_views")
    for make in (lambda X: (X, X.T, X), lambda X: (X, X, X[::-1]), lambda X: (X[:, ::-1], X, X)):
        base = rng.normal(size=(5, 5))
        want, got = base.copy(), base.copy()
        carried_matmul.py_func(*make(want))
        carried_matmul(*make(got))
        np.testing.assert_array_equal(got, want)


def test_carried_plan(tmp_path):
    script = tmp_path / "k.py"
    script.write_text(
        "import numpy as np, pyston\n"
        "@pyston.fast\n"
        "def f(A, x, y):\n"
        "    for i in range(A.shape[0]):\n"
        "        for k in range(A.shape[1]):\n"
        "            y[i] += A[i, k] * x[k]\n"
        "@pyston.fast\n"
        "def g(A, x, y):\n"
        "    for i in range(A.shape[0]):\n"
        "        for k in range(A.shape[1]):\n"
        "            y[i] += A[i, k] * x[k]\n"
        "            x[k] = 1.0\n"
        "f(np.ones((2, 2)), np.ones(2), np.zeros(2))\n"
        "g(np.ones((2, 2)), np.ones(2), np.zeros(2))\n"
    )
    env = dict(os.environ, PYSTON_DUMP_IR="licm")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    f_text, g_text = (out.stdout + out.stderr).split("--- g: after licm")
    assert "carried in a register" in f_text, f_text
    assert "carried in a register" not in g_text, g_text  # a second store: nothing carried
