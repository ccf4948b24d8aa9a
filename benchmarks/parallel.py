"""prange under parallel=True: pyston vs Numba at 1, 2, ... threads, in one run.

Five kernels written the way Numba's documentation writes parallel loops:
row sums of a matrix, pairwise distances, a Mandelbrot image (one row per
iteration), a sum of squares (a scalar reduction) and a histogram (per-chunk
local histograms added into the result: an array reduction). Each runs under
``pyston.fast(parallel=True)`` and ``numba.njit(parallel=True)`` with the
thread count set through each library's ``set_num_threads``, after a warm-up;
prints medians and the speedup over one thread. Results are checked against
the serial loop (maps exactly, the reduction within 1e-12).

    python benchmarks/parallel.py [--threads 1,2,4] [--repeat 7]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402
from pyston import _pyston  # noqa: E402

try:
    import numba
except ImportError:  # pragma: no cover - the benchmark still runs pyston
    numba = None

# Numba's own prange, so Numba parallelizes; pyston treats it as its prange.
prange = numba.prange if numba is not None else pyston.prange


def row_sums(a, out):
    for i in prange(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j]
        out[i] = s
    return out


def pairwise(x, out):
    n = x.shape[0]
    for i in prange(n):
        for j in range(n):
            d = 0.0
            for k in range(x.shape[1]):
                t = x[i, k] - x[j, k]
                d += t * t
            out[i, j] = math.sqrt(d)
    return out


def mandelbrot(out, width, height, iters):
    for y in prange(height):
        ci = -1.5 + 3.0 * y / height
        for x in range(width):
            cr = -2.0 + 3.0 * x / width
            zr = 0.0
            zi = 0.0
            n = 0
            while n < iters and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[y, x] = n
    return out


def sum_sq(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += math.sqrt(abs(a[i])) * a[i]
    return s


def histogram(x, nbins, nchunks):
    hist = np.zeros(nbins, np.int64)
    n = x.shape[0]
    for c in prange(nchunks):
        local = np.zeros(nbins, np.int64)
        for i in range(c * n // nchunks, (c + 1) * n // nchunks):
            b = int(x[i] * nbins)
            if b >= nbins:
                b = nbins - 1
            local[b] += 1
        hist += local  # an array reduction
    return hist


def cases():
    rng = np.random.default_rng(0)
    a = rng.random((2000, 2000))
    x = rng.random((600, 3))
    v = rng.random(20_000_000)
    return [
        ("row_sums 2000x2000", row_sums, (a, np.empty(2000))),
        ("pairwise 600x3", pairwise, (x, np.empty((600, 600)))),
        ("mandelbrot 400x300", mandelbrot, (np.empty((300, 400), np.int64), 400, 300, 200)),
        ("sum_sq 2e7 (reduction)", sum_sq, (v,)),
        ("histogram 2e7 (array red.)", histogram, (v, 256, 64)),
    ]


def copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def timed(fn, args, repeat):
    fn(*args)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default=None, help="comma-separated counts (default: 1, 2, ..., cores)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-numba", action="store_true", help="pyston only")
    args = ap.parse_args(argv)
    global numba
    if args.no_numba:
        numba = None
    cores = os.cpu_count() or 1
    counts = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, 2, min(4, cores), cores})
    print(f"{cores} cores; threads {counts}; medians of {args.repeat}")
    head = f"{'kernel':26s} {'threads':>7s} {'pyston':>10s} {'speedup':>8s}"
    if numba is not None:
        head += f" {'numba':>10s} {'speedup':>8s} {'pyston/numba':>12s}"
    print(head)
    for name, f, a in cases():
        want = f(*copy(a)) if name.startswith("sum_sq") else None
        serial = pyston.fast(f)
        ref = serial(*copy(a))
        engines = [("pyston", pyston.fast(parallel=True)(f), _pyston.set_num_threads)]
        if numba is not None:
            engines.append(("numba", numba.njit(parallel=True)(f), numba.set_num_threads))
        # Each engine's thread counts in turn: Numba's idle pool threads would
        # otherwise share the cores with pyston's chunks.
        times = {}
        for ename, fn, set_threads in engines:
            for t in counts:
                if ename == "numba" and t > numba.config.NUMBA_NUM_THREADS:
                    continue
                set_threads(t)
                got = fn(*copy(a))
                if want is not None:
                    assert math.isclose(got, want, rel_tol=1e-12), (ename, got, want)
                else:
                    assert np.array_equal(got, ref), ename
                times[ename, t] = timed(fn, copy(a), args.repeat)
        for t in counts:
            row = f"{name:26s} {t:7d}"
            for ename, _, _ in engines:
                if (ename, t) in times:
                    row += f" {times[ename, t] * 1e3:8.2f}ms {times[ename, counts[0]] / times[ename, t]:7.2f}x"
                else:
                    row += f" {'-':>10s} {'-':>8s}"
            if ("numba", t) in times:
                row += f" {times['pyston', t] / times['numba', t]:11.2f}x"
            print(row)
    _pyston.set_num_threads(cores)


if __name__ == "__main__":
    main()
