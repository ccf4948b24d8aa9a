"""Index checks of array accesses that only some loop iterations make.

The bounds pass replaces per-access index checks in counted loops by one
guard before the loop. An access under a condition (`if 0 < x + 1 < n:
old[x + 1, y]`, the usual way stencils stay inside the grid) is not made on
every iteration, so a guard for it would fail on inputs where only the
skipped iterations are out of range, and every call would finish on the
interpreter tier (the numpy-benchmarks `fdtd` kernel ran ~50x slower than
CPython). Such accesses keep their own checks; accesses made on every
iteration keep the guard. Differential: plain and compiled agree on values,
side effects and exceptions (an out-of-range conditional access still
raises IndexError at the right iteration)."""

import time

import numpy as np
import pyston
from helpers import assert_same, rng_for


@pyston.fast
def neighbours(grid, old):
    n, m = grid.shape
    for x in range(n):
        for y in range(m):
            grid[x, y] = 0.0
            if 0 < x + 1 < n:
                grid[x, y] += old[x + 1, y]
            if 0 < x - 1 < n:
                grid[x, y] += old[x - 1, y]
            if 0 < y + 1 < m:
                grid[x, y] += old[x, y + 1]
            if 0 < y - 1 < m:
                grid[x, y] += old[x, y - 1]
    return grid


@pyston.fast
def conditional_1d(a, out, lim):
    for i in range(a.shape[0]):
        if i + 2 < lim:
            out[i] = a[i + 2] - a[i]
    return out


@pyston.fast
def unconditional_1d(a, out, n):
    for i in range(n):
        out[i] = a[i + 1] - a[i]
    return out


def test_conditional_stencil_matches():
    rng = rng_for("stencil")
    for shape in [(1, 1), (2, 3), (17, 9), (40, 40)]:
        old = rng.random(shape)
        assert_same(neighbours, np.zeros(shape), old)
        assert_same(neighbours, np.zeros(shape), old.T.copy().T)  # Fortran order


def test_conditional_accesses_and_index_errors():
    a = np.arange(10.0)
    assert_same(conditional_1d, a, np.zeros(10), 10)  # i + 2 < 10: always in range
    assert_same(conditional_1d, a, np.zeros(10), 12)  # i = 8: a[10] raises IndexError
    assert_same(conditional_1d, a, np.zeros(10), -5)  # never taken
    assert_same(unconditional_1d, a, np.zeros(10), 9)
    assert_same(unconditional_1d, a, np.zeros(10), 10)  # a[10] at the last iteration: IndexError


def test_conditional_stencil_stays_compiled():
    """Not a timing test: the compiled loop must not hand every call to the
    interpreter tier, which is orders of magnitude slower than compiled code."""
    old = rng_for("fast").random((60, 60))
    grid = np.zeros((60, 60))
    neighbours(grid, old)

    def best(f):
        # (the least of five thread times: one wall-clock sample on a loaded
        # machine measured 4.1 ms compiled against 18 ms plain)
        ts = []
        for _ in range(5):
            t0 = time.thread_time()
            f(grid, old)
            ts.append(time.thread_time() - t0)
        return min(ts)

    plain, compiled = best(neighbours.py_func), best(neighbours)
    assert compiled < plain / 5, (compiled, plain)
