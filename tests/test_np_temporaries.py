"""Temporaries of whole-array expressions in compiled code.

An array made by a call into NumPy and used once, by the next operation in
the same block, is a temporary: compiled code hands it to the runtime as
dying (``pyston_pycall_dying``), which computes a binary operator into it in
place when NumPy's own conditions for eliding a temporary hold (``t + x`` as
``t += x``: exact ndarray owning its data, >= 256 KiB, same dtype as the
result, the other operand a scalar or an array of the same shape and strides)
and frees it after the call otherwise. Either way nothing observable may
change: every kernel here runs plain and compiled and must agree on values,
dtypes, shapes, strides, exceptions and side effects, on arrays above and
below the 256 KiB threshold."""

import gc
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, rng_for

BIG = 50_000  # 400 KB of float64: above NumPy's elision threshold
SMALL = 1_000


@pyston.fast
def chain(a, b):
    return ((a + 1.0) * 2.0 - b) / 3.0


@pyston.fast
def chain_left_scalar(a):
    return 2.0 - (1.5 * (a + 1.0))


@pyston.fast
def power_chain(a):
    return (a - 0.5) ** 2 + (a + 0.25) ** 3


@pyston.fast
def ufunc_chain(a, b):
    return np.sqrt(np.sin(a) ** 2 + np.cos(b) ** 2) * 2.0


@pyston.fast
def arc_distance(theta_1, phi_1, theta_2, phi_2):
    temp = np.sin((theta_2 - theta_1) / 2) ** 2 + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2) ** 2
    return 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))


@pyston.fast
def temp_used_twice(a):
    t = np.sin(a)
    u = t * 2.0
    return t, u


@pyston.fast
def temp_plus_itself(a):
    t = np.cos(a)
    return t + t


@pyston.fast
def view_of_temp(a):
    t = np.exp(a)
    v = t[::2]
    w = t * 3.0
    return v, w


@pyston.fast
def temp_in_loop(a, n):
    t = np.sin(a)
    out = np.zeros(a.shape[0])
    for _ in range(n):
        out = out + t * 2.0
    return out, t


@pyston.fast
def int_chain(a, k):
    return ((a * 3) + k) // 2 - (a % 7)


@pyston.fast
def int_pow_negative(a):
    return (a + 1) ** -1


@pyston.fast
def float32_chain(a):
    return (a * np.float32(2.0) + 1.0) * 3


@pyston.fast
def mixed_dtype_chain(a, b):
    return (a + 1) * b  # int32 temporary, float64 result: no in-place


@pyston.fast
def broadcast_chain(m, row):
    return (m * 2.0) + row  # other operand broadcast: same result, new array


@pyston.fast
def complex_chain(z):
    return (z * 1j + 2.0) * (z - 1.0)


@pyston.fast
def bool_chain(a, b):
    return (a > 0.5) & (b < 0.5) | (a < 0.1)


@pyston.fast
def divide_by_zero(a):
    return (a - a) / 0.0 + 1.0


@pyston.fast
def subtract_from(a, b):
    return b - np.abs(a)  # the dying operand on the right of a non-commutative operator


@pyston.fast
def out_arg_untouched(a):
    t = a * 1.0
    return a, t + 1.0


def _args(name, n, dtype=np.float64):
    rng = rng_for(name)
    return rng.standard_normal(n).astype(dtype)


@pytest.mark.parametrize("n", [SMALL, BIG])
def test_float_chains(n):
    a, b = _args("a", n), _args("b", n)
    assert_same(chain, a, b)
    assert_same(chain_left_scalar, a)
    assert_same(power_chain, a)
    assert_same(ufunc_chain, a, b)
    assert_same(arc_distance, a, b, _args("c", n), _args("d", n))
    assert_same(subtract_from, a, b)
    assert_same(divide_by_zero, a)


@pytest.mark.parametrize("n", [SMALL, BIG])
def test_layouts(n):
    a = _args("a", 2 * n)
    assert_same(chain, a[::2], a[1::2])  # strided views
    assert_same(chain, a[::-1], a)  # negative strides
    m = _args("m", 2 * n).reshape(2, n)
    assert_same(chain, np.asfortranarray(m), m)  # F against C: no in-place (strides differ)
    assert_same(chain, np.asfortranarray(m), np.asfortranarray(m))
    assert_same(broadcast_chain, m, _args("row", n))


@pytest.mark.parametrize("n", [SMALL, BIG])
def test_temporaries_still_needed(n):
    a = _args("a", n)
    assert_same(temp_used_twice, a)
    assert_same(temp_plus_itself, a)
    assert_same(view_of_temp, a)
    assert_same(temp_in_loop, a, 3)
    assert_same(out_arg_untouched, a)


@pytest.mark.parametrize("n", [SMALL, BIG])
def test_other_dtypes(n):
    ints = (_args("i", n) * 1000).astype(np.int64)
    assert_same(int_chain, ints, 5)
    assert_same(int_chain, ints.astype(np.int32), 2**40)  # OverflowError: Python int out of int32's range
    assert_same(int_chain, ints, 2**62)  # wraps as NumPy wraps
    assert_same(int_pow_negative, ints)  # ValueError: integers to negative integer powers
    assert_same(float32_chain, _args("f", n, np.float32))
    assert_same(mixed_dtype_chain, ints.astype(np.int32), _args("b", n))
    z = _args("re", n) + 1j * _args("im", n)
    assert_same(complex_chain, z)
    assert_same(bool_chain, _args("a", n), _args("b", n))


def test_warnings_point_at_the_kernel_line():
    a = _args("a", BIG)
    f = pyston.fast(divide_by_zero.py_func)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f(a)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert runtime, [str(w.message) for w in caught]
    assert runtime[0].filename == __file__
    assert runtime[0].lineno == divide_by_zero.py_func.__code__.co_firstlineno + 2


def test_memory_stays_flat_in_a_loop():
    from helpers import rss_bytes

    a = _args("a", 200_000)  # 1.6 MB per temporary
    chain(a, a)
    before = rss_bytes()
    for _ in range(200):
        chain(a, a)
        arc_distance(a, a, a, a)
    assert (rss_bytes() - before) / 2**20 < 40


@pyston.fast
def two_uses(a, b):
    t = np.sin(a) + np.cos(b)
    return np.sqrt(np.abs(t)) + np.sqrt(np.abs(1 - t))


@pyston.fast
def fused_temporaries(a, b, c):
    # a fused expression whose leaves are three temporaries: it computes into
    # one and frees the other two as CPython frees them
    return np.sin(a) + np.cos(b) * np.cos(c)


@pyston.fast
def fused_after_a_call(a, b, c):
    # a node before np.tanh is cut from the expression after it (its own leaf)
    t = np.sin(a) * np.cos(b) + np.tanh(c) * np.exp(c)
    return t


@pyston.fast
def shrink_allocated(x0):
    # a loop-carried array the function allocated natively (np.zeros): its
    # first value is freed where `Z = Z[I]` rebinds it, as CPython frees it
    W = np.zeros(x0.shape[0], np.complex128)
    for _ in range(x0.ndim + 2):
        mask = abs(W) < 2.0
        W = W[mask]
    return W.sum()


@pyston.fast
def shrink_allocated_unrolled(x0):
    # the same with a constant trip count (the lowering unrolls the loop): the
    # allocated array is freed where the straight-line code rebinds `W`
    W = np.zeros(x0.shape[0], np.complex128)
    for _ in range(3):
        mask = abs(W) < 2.0
        W = W[mask]
    return W.sum()


@pyston.fast
def shrink_reshaped(x0):
    # `C.shape = n` (the arena holds the object for both values) then a
    # shrinking loop: the old array is freed where `C = C[I]` rebinds it
    C = x0 + 1.0
    C.shape = x0.size
    for _ in range(x0.ndim + 2):
        mask = np.abs(C) > -1.0
        C = C[mask]
    return C.sum()


@pytest.mark.parametrize("kernel", [arc_distance, ufunc_chain, two_uses, power_chain, fused_temporaries,
                                    fused_after_a_call, shrink_allocated, shrink_allocated_unrolled,
                                    shrink_reshaped])
def test_peak_memory_as_cpython(kernel):
    """Temporaries are computed into in place or freed when they die, as CPython
    does: the peak of NumPy's traced allocations is the plain function's."""
    import tracemalloc

    n = kernel.py_func.__code__.co_argcount
    args = [_args(f"x{i}", 100_000) for i in range(n)]
    kernel(*args)  # compile
    peaks = []
    for f in (kernel.py_func, kernel):
        tracemalloc.start()
        try:
            f(*args)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] <= peaks[0] + 4096, peaks


@pyston.fast
def rebinding_loop(ru, rv, count):
    # a reaction-diffusion loop (grayscott's shape): each iteration binds new
    # big arrays to the same names
    n = ru.shape[0]
    U = np.zeros((n + 2, n + 2), dtype=np.float32)
    V = np.zeros((n + 2, n + 2), dtype=np.float32)
    u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]
    u[:] = 1.0
    u += 0.15 * ru
    v += 0.15 * rv
    for _ in range(count):
        Lu = U[0:-2, 1:-1] + U[1:-1, 0:-2] - 4 * U[1:-1, 1:-1] + U[1:-1, 2:] + U[2:, 1:-1]
        Lv = V[0:-2, 1:-1] + V[1:-1, 0:-2] - 4 * V[1:-1, 1:-1] + V[1:-1, 2:] + V[2:, 1:-1]
        uvv = u * v * v
        u += 0.16 * Lu - uvv + 0.04 * (1 - u)
        v += 0.08 * Lv + uvv - 0.1 * v
    return V


def test_loop_rebinding_arrays_reuses_memory_as_cpython():
    """A variable's array is dropped when the next iteration rebinds it, as in
    CPython: dropping it earlier, or all of an iteration's at once, left freed
    memory at the top of the heap for glibc to trim, and each iteration then
    faulted its memory in again (many times CPython's page faults and time)."""
    import resource

    rng = np.random.default_rng(1)
    args = [rng.random((280, 280)), rng.random((280, 280))]  # float32 arrays of 306 KB
    faults = []
    for f in (rebinding_loop.py_func, rebinding_loop):
        f(*args, 2)  # compile, warm the heap
        r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        f(*args, 60)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0)
    assert faults[1] <= 3 * faults[0] + 2000, faults


@pyston.fast
def alias_in_tuple(a):
    # `w`'s old array is still reachable through `pair` (compiled code's tuple
    # holds it without a reference of its own) when the block rebinds `w`
    w = a * 2.0
    pair = (w, 1)
    s = np.median(w)
    w = a + 1.0
    q = pair[0] + w
    return pair[0], s, q


def test_array_held_by_a_compiled_tuple_outlives_its_variable():
    a = np.arange(1000.0)
    for _ in range(200):
        w, s, q = alias_in_tuple(a)
        np.testing.assert_array_equal(w, a * 2.0)
        assert s == np.median(a * 2.0)
        np.testing.assert_array_equal(q, a * 2.0 + (a + 1.0))


@pyston.fast
def rebuild_loop(y, n, k):
    # npbench's stockham_fft's shape: each iteration binds new arrays to the same
    # names (one of them built from the previous one's views) and drops them
    for _ in range(k):
        D = np.empty((2, n // 2))
        D[:] = 1.5
        tmp = np.reshape(y, (2, n // 2)) * D
        twid = np.reshape(tmp, (n,)) + 1.0
        y[:] = twid
    return y


def test_loop_variables_released_when_rebound_as_cpython():
    """An array a loop variable holds goes when the next iteration rebinds the
    variable (after the new value is made), as in CPython, not one iteration
    later: the peak of NumPy's traced allocations is the plain function's."""
    import tracemalloc

    n = 1 << 16
    rebuild_loop(np.ones(n), n, 2)  # compile
    peaks = []
    for f in (rebuild_loop.py_func, rebuild_loop):
        y = np.ones(n)
        tracemalloc.start()
        try:
            f(y, n, 8)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    # (holding one iteration's arrays longer than CPython: about 1.6x)
    assert peaks[1] <= peaks[0] * 1.1 + 4096, peaks
    y1, y2 = np.ones(n), np.ones(n)
    rebuild_loop.py_func(y1, n, 5)
    rebuild_loop(y2, n, 5)
    np.testing.assert_array_equal(y1, y2)


@pyston.fast
def copies(a):
    return a.copy()


@pytest.mark.parametrize("make", [
    lambda: np.arange(60.0).reshape(6, 10)[::2, 1:],
    lambda: np.asfortranarray(np.arange(24).reshape(4, 6)),
    lambda: np.arange(120, dtype=np.int32).reshape(2, 3, 4, 5).transpose(3, 1, 0, 2),
    lambda: np.arange(30.0)[::-3],
    lambda: np.arange(12.0).reshape(3, 4)[:, ::-1],
    lambda: np.ones((0, 5))[:, 1:],
    lambda: np.arange(10, dtype=np.complex128).reshape(2, 5)[:, ::2],
    lambda: np.arange(6.0).reshape(1, 6)[:, 1:],
])
def test_copy_of_any_layout(make):
    a = make()
    r = copies(a)
    assert r.flags.c_contiguous and r.dtype == a.dtype and r.shape == a.shape
    np.testing.assert_array_equal(r, a.copy())


@pyston.fast
def keyword_calls(a, b):
    m = np.mean(a, axis=0)  # "Mean of empty slice": RuntimeWarning from NumPy's Python code
    s = b.std(axis=1, ddof=1)  # a method with keywords: "Degrees of freedom <= 0"
    return m, s


def test_keyword_and_method_calls_warn_at_the_kernel_line():
    """Calls with keywords and method calls go through the frame at the call's
    line with their keywords as written: NumPy's warnings are the plain call's
    (message, file and line)."""
    a, b = np.ones((0, 3)), np.ones((2, 1))
    got = {}
    for f in (keyword_calls.py_func, keyword_calls):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = f(a, b)
        got[f is keyword_calls] = (
            [(str(w.message), w.filename, w.lineno) for w in caught if w.category is not pyston.PerformanceWarning],
            r,
        )
    (wp, rp), (wc, rc) = got[False], got[True]
    assert wc == wp
    assert len(wc) >= 2, wc
    np.testing.assert_array_equal(rc[0], rp[0])
    np.testing.assert_array_equal(rc[1], rp[1])


@pyston.fast
def masked_stores(d, L):
    # periodic_dist's shape: each store's temporaries (the mask, the values)
    # are freed at the store, as CPython frees them, not when the function returns
    d[d > L / 2] = d[d > L / 2] - L
    d[d < -L / 2] = d[d < -L / 2] + L
    d[d == 0] = -1.0
    return d


def test_stores_free_their_temporaries_as_cpython():
    import tracemalloc

    d = _args("d", 200_000) * 4.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        masked_stores(d.copy(), 3)  # compile (natively)
    peaks, results = [], []
    for f in (masked_stores.py_func, masked_stores):
        a = d.copy()
        tracemalloc.start()
        try:
            results.append(f(a, 3))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert results[0].tobytes() == results[1].tobytes()
    assert peaks[1] <= peaks[0] + 4096, peaks


@pyston.fast
def shrinking(C, Z, Xi, Yi, N, horizon, itermax):
    # npbench's mandelbrot2: loop-carried arrays rebound to a selection of
    # themselves; each old array goes at its rebinding, as in CPython
    for i in range(itermax):
        if not len(Z):
            break
        np.multiply(Z, Z, Z)
        np.add(Z, C, Z)
        out = abs(Z) > horizon
        N[Xi[out], Yi[out]] = i + 1
        np.logical_not(out, out)
        Z = Z[out]
        Xi, Yi = Xi[out], Yi[out]
        C = C[out]
    return Z, Xi, C


@pyston.fast
def carried_view(A, n):
    # a row view of the loop-carried array outlives its rebinding: kept
    for _ in range(n):
        r = A[0]
        A = A[1:] * 2.0
        A[0] = r
    return A


def test_loop_carried_arrays_go_at_their_rebinding():
    import tracemalloc

    def args():
        m = 40_000
        r = rng_for("shrinking")
        C = r.standard_normal(m) * 0.8 + 1j * r.standard_normal(m) * 0.8
        Xi, Yi = np.divmod(np.arange(m), 200)
        return [C, np.zeros(m, complex), Xi, Yi, np.zeros((200, 200), np.int64), 2.0, 12]

    shrinking(*args())  # compile
    peaks, results = [], []
    for f in (shrinking.py_func, shrinking):
        a = args()
        tracemalloc.start()
        try:
            results.append((f(*a), a[4]))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    (r0, n0), (r1, n1) = results
    assert all(x.tobytes() == y.tobytes() for x, y in zip(r0, r1)) and n0.tobytes() == n1.tobytes()
    assert peaks[1] <= peaks[0] + 4096, peaks
    A = _args("A", 12 * 5).reshape(12, 5)
    assert carried_view(A.copy(), 6).tobytes() == carried_view.py_func(A.copy(), 6).tobytes()


@pyston.fast
def carried_alias(a, n):
    # `B = A` before the loop: A's first array is B's too, and stays alive
    A = a * 2.0
    B = A
    s = 0.0
    for _ in range(n):
        A = A[A > 0.1]
        s += B.sum()
        B[0] = s
    return A, B


@pyston.fast
def carried_row(a, n):
    # a row view of the array a loop variable starts with, read after the rebinding
    A = a * 2.0
    r = A[0]
    for _ in range(n):
        A = A[1:] * 0.5
        A[0] = r[1]
    return A, r


def test_loop_carried_arrays_shared_are_kept():
    a = _args("alias", 300_000)
    for f, args in ((carried_alias, (a, 5)), (carried_row, (a.reshape(1000, 300), 4))):
        got, want = f(*args), f.py_func(*args)
        assert all(x.tobytes() == y.tobytes() for x, y in zip(got, want))
        got = f(*args)
        gc.collect()
        np.ones(1_000_000)  # reuse freed memory, if any was freed too early
        assert all(x.tobytes() == y.tobytes() for x, y in zip(got, want))


@pyston.fast
def fdtd_steps(TMAX, ex, ey, hz, fict):
    # npbench's fdtd_2d: `view -= expr` returns the view (the call's result is its
    # dying argument): the arena keeps it for the store after it
    for t in range(TMAX):
        ey[0, :] = fict[t]
        ey[1:, :] -= 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] -= 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] -= 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])
    return hz


@pytest.mark.parametrize("n", [SMALL, BIG])
def test_inplace_on_views_in_a_loop(n):
    m = max(4, int(n**0.5))
    a = _args("a", m * (m + 1)).reshape(m, m + 1)
    assert_same(fdtd_steps, 5, a.copy(), a.copy() * 0.5, a.copy() * 0.25, _args("f", 5))
