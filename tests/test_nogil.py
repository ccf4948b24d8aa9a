"""``nogil=True`` (``pyston.fast(nogil=True)``, ``njit(nogil=True)``):
compiled code runs with the GIL released. Results, exceptions and deopts are
those of the plain function; other Python threads run while compiled code
does."""

from __future__ import annotations

import threading
import time

import numpy as np
import pyston
import pytest


def weighted(a, reps):
    s = 0.0
    for r in range(reps):
        for i in range(a.shape[0]):
            s += a[i] * (r + 1)
    return s


def int_growth(x, n):
    for _ in range(n):
        x = x * 3 + 1  # past 64 bits: deoptimizes, exact
    return x


def index_at(a, k):
    s = 0
    for i in range(k):
        s += a[i]  # IndexError when k > len(a)
    return s


def divide(x, y):
    return x // y  # ZeroDivisionError from compiled code


def progress_of_a_python_thread(f, *args):
    """Iterations a pure-Python thread makes while ``f(*args)`` runs."""
    n, stop = [0], [False]

    def count():
        while not stop[0]:
            n[0] += 1

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.02)
    before = n[0]
    f(*args)
    during = n[0] - before
    stop[0] = True
    t.join()
    return during


def test_other_threads_run_while_compiled_code_runs():
    a = np.random.default_rng(0).random(50_000)
    held = pyston.fast(weighted)
    free = pyston.fast(nogil=True)(weighted)
    held(a, 1), free(a, 1)
    assert free.options == "nogil"
    with_gil, without = progress_of_a_python_thread(held, a, 4000), progress_of_a_python_thread(free, a, 4000)
    assert without > 1000 and with_gil * 5 < without, (with_gil, without)  # (a loaded machine: about 10x)


@pytest.mark.parametrize("api", ["fast", "njit"])
def test_results_and_exceptions_as_plain_python(api):
    deco = pyston.fast(nogil=True) if api == "fast" else pyston.njit(nogil=True)
    a = np.random.default_rng(1).random(1000)
    assert deco(weighted)(a, 3) == weighted(a, 3)
    if api == "fast":
        assert deco(int_growth)(7, 70) == int_growth(7, 70)  # a deopt, finished with the GIL
        with pytest.raises(IndexError) as e:
            deco(index_at)(np.arange(3), 5)
        with pytest.raises(IndexError) as p:
            index_at(np.arange(3), 5)
        assert str(e.value) == str(p.value)
    with pytest.raises(ZeroDivisionError):
        deco(divide)(1, 0)


def test_eight_threads_compile_and_run_at_once():
    f = pyston.fast(nogil=True)(weighted)
    arrays = [np.random.default_rng(k).random(2000 + k) for k in range(8)]
    out = [None] * 8
    barrier = threading.Barrier(8)

    def run(k):
        barrier.wait()
        out[k] = f(arrays[k], 5)

    ts = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == [weighted(x, 5) for x in arrays]
