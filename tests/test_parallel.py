"""``parallel=True``: ``prange`` loops run in chunks on threads (issue 16
item 1). Maps give exactly the serial results; int reductions are exact;
float sums are deterministic for a thread count and within rounding of the
serial sum; exceptions are CPython's; loops pyston cannot prove independent
run serially, exactly. Thread counts 1 to 4 are tried on any machine."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pyston
import pytest
from pyston import _pyston, prange

pytestmark = pytest.mark.filterwarnings("ignore::pyston.PerformanceWarning")


@pytest.fixture(params=[1, 2, 3, 4])
def threads(request):
    old = _pyston.get_num_threads()
    _pyston.set_num_threads(request.param)
    yield request.param
    _pyston.set_num_threads(old)


def par(f):
    return pyston.fast(parallel=True)(f)


def map_kernel(a, out):
    for i in prange(a.shape[0]):
        x = a[i] * 1.5
        out[i] = math.sqrt(abs(x)) + x * x
    return out


def int_reductions(a):
    s = 0
    p = 1
    lo = a[0]
    hi = a[0]
    b_and = -1
    b_or = 0
    b_xor = 0
    for i in prange(a.shape[0]):
        s += a[i] * 3
        s -= 1
        p *= int(a[i] % 3) + 1  # a Python int: exact past 64 bits
        lo = min(lo, a[i])
        hi = max(a[i], hi)
        b_and &= a[i] | 1
        b_or |= a[i]
        b_xor ^= a[i]
    return s, p, lo, hi, b_and, b_or, b_xor


def big_sum(a):
    t = 0
    for i in prange(a.shape[0]):
        t += int(a[i]) * 2**40  # past 64 bits: exact (boxed) in each chunk
    return t


def float_sum(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i] * a[i]
    return s


def out_of_range(a, n):
    s = 0
    for i in prange(n):
        s += a[i]
    return s


def loop_carried(a):
    prev = 0.0
    for i in prange(a.shape[0]):
        a[i] = a[i] + prev  # reads what the previous iteration wrote: not independent
        prev = a[i]
    return prev


def nested(a, out):
    for i in prange(a.shape[0]):
        t = 0.0
        for j in prange(a.shape[1]):
            t += a[i, j]
        out[i] = t
    return out


def uncompilable_body(n):
    s = 0
    for i in prange(n):
        s += len(str(i).encode())  # bytes: not compiled
    return s


def string_body(n):
    s = 0
    for i in prange(n):
        t = str(i) + ":" + f"{i * 0.5}"
        s += len(t) + (t[-1] == "5") + ("1" in t)
    return s


def column_sums(a):
    y = np.zeros(a.shape[1], a.dtype)
    keep = y
    for i in prange(a.shape[0]):
        y += a[i]  # an array reduction: each chunk has its own y
    return y, y is keep


def histogram(x, nbins, nchunks):
    hist = np.zeros(nbins, np.int64)
    n = x.shape[0]
    for c in prange(nchunks):
        local = np.zeros(nbins, np.int64)
        for i in range(c * n // nchunks, (c + 1) * n // nchunks):
            local[min(int(x[i] * nbins), nbins - 1)] += 1
        hist += local
    return hist


def test_array_reductions(threads):
    ints = np.random.default_rng(9).integers(-100, 100, size=(501, 6))
    got, same_object = par(column_sums)(ints)
    assert same_object and np.array_equal(got, column_sums(ints)[0])
    floats = np.random.default_rng(10).random((777, 5))
    np.testing.assert_allclose(par(column_sums)(floats)[0], column_sums(floats)[0], rtol=1e-12)
    x = np.random.default_rng(11).random(20_000)
    assert np.array_equal(par(histogram)(x, 32, 8), histogram(x, 32, 8))


def test_map_matches_serial(threads):
    a = np.random.default_rng(threads).normal(size=10_001)
    out1, out2 = np.empty_like(a), np.empty_like(a)
    par(map_kernel)(a, out1)
    map_kernel(a, out2)
    assert np.array_equal(out1, out2)


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_int_reductions_are_exact(threads, n):
    a = np.random.default_rng(n).integers(-50, 50, size=n)
    assert par(int_reductions)(a) == int_reductions(a)


def test_int_reduction_past_64_bits_is_exact(threads):
    a = np.random.default_rng(3).integers(0, 2**31, size=5000)
    g = par(big_sum)
    assert g(a) == big_sum(a) > 2**63
    assert type(g(a)) is int


def test_float_sum_deterministic_and_close(threads):
    a = np.random.default_rng(4).random(100_003)
    g = par(float_sum)
    r = g(a)
    assert r == g(a)  # the same chunks, combined in the same order
    assert math.isclose(r, float_sum(a), rel_tol=1e-12)
    if threads == 1:
        assert r == float_sum(a)  # one thread: the serial loop


def test_exception_as_cpython(threads):
    a = np.arange(10)
    with pytest.raises(IndexError) as p:
        out_of_range(a, 15)
    with pytest.raises(IndexError) as e:
        par(out_of_range)(a, 15)
    assert str(e.value) == str(p.value)


def test_loop_with_a_carried_value_runs_serially(threads):
    a = np.random.default_rng(5).random(1000)
    b = a.copy()
    assert par(loop_carried)(a) == loop_carried(b)
    assert np.array_equal(a, b)


def test_nested_prange(threads):
    a = np.random.default_rng(6).random((37, 11))
    o1, o2 = np.empty(37), np.empty(37)
    par(nested)(a, o1)
    nested(a, o2)
    assert np.array_equal(o1, o2)


def test_body_that_cannot_compile_runs_serially(threads):
    assert par(uncompilable_body)(1234) == uncompilable_body(1234)


def test_string_body_takes_the_gil_on_worker_threads(threads):
    # strings are CPython objects: a chunk's helpers take the GIL (ctx.no_gil)
    assert par(string_body)(5000) == string_body(5000)


def test_loop_is_really_parallel():
    g = par(float_sum)
    g(np.arange(10.0))
    (line, body), = g.lifted_loops
    assert body.signatures  # the body was compiled (and run in chunks)
    assert line == float_sum.__code__.co_firstlineno + 2


def test_without_parallel_prange_is_range():
    g = pyston.fast(float_sum)
    a = np.random.default_rng(7).random(999)
    assert g(a) == float_sum(a)
    assert g.lifted_loops == []


def test_njit_parallel():
    a = np.random.default_rng(8).random(5000)
    out1, out2 = np.empty_like(a), np.empty_like(a)
    pyston.njit(parallel=True)(map_kernel)(a, out1)
    map_kernel(a, out2)
    assert np.array_equal(out1, out2)


def test_thread_count_api():
    import pyston.numba as nb

    old = nb.get_num_threads()
    try:
        nb.set_num_threads(3)
        assert nb.get_num_threads() == 3 and nb.get_thread_id() == 0
        with pytest.raises(ValueError):
            nb.set_num_threads(0)
    finally:
        nb.set_num_threads(old)


def test_num_threads_from_environment():
    code = "from pyston import _pyston; print(_pyston.get_num_threads())"
    for var in ("PYSTON_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env = {k: v for k, v in os.environ.items() if k not in ("PYSTON_NUM_THREADS", "NUMBA_NUM_THREADS")}
        env[var] = "3"
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
        assert r.stdout.strip() == "3", r.stderr


PAR_FLOAT_SUM = pyston.fast(parallel=True)(float_sum)


def _sum_in_child(a):
    return PAR_FLOAT_SUM(a)


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_parallel_loop_in_a_forked_child():
    import multiprocessing
    import warnings

    a = np.random.default_rng(12).random(50_000)
    old = _pyston.get_num_threads()
    _pyston.set_num_threads(2)
    try:
        want = PAR_FLOAT_SUM(a)  # the parent's pool is running
    finally:
        _pyston.set_num_threads(old)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork of a threaded process
        with multiprocessing.get_context("fork").Pool(1) as p:
            got = p.apply(_sum_in_child, (a,))  # the child starts a pool of its own
    assert got == want
