"""Loops over small NumPy arrays (rows): CPython vs pyston vs Numba.

Kernels where each iteration makes NumPy calls on a few elements (issue #15
item 4, #19 item 4): the distance of 3-element rows to a point, a softmax
over the rows of a 1000x64 array, a k-means step (n=20k points, d=3, k=8),
``np.dot(X[i], X[i])`` per row, and products of 3x3 complex128 blocks
accumulated into a block tensor (``S[k, a] += G[k, n] @ H[a, b] @ (H[a, b] * d)``,
the pattern of npbench's scattering_self_energies). Each runs plain (CPython calling NumPy
per row), under ``pyston.fast`` (strict: bit-identical results) and under
``numba.njit`` when installed; the softmax is also timed as one vectorized
NumPy expression over the whole array ("NumPy"). Compiled results are
checked against plain Python. Medians of repeated runs, in one process
(NumPy's, pyston's and Numba's interleaved);
ratios printed; JSON written.

    python benchmarks/small_arrays.py [--repeat 5] [--clock wall|thread] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


def rows_dist(X, c):
    s = 0.0
    for i in range(X.shape[0]):
        v = X[i] - c
        s += np.sqrt(np.dot(v, v))
    return s


def softmax_rows(X, out):
    for i in range(X.shape[0]):
        row = X[i]
        m = row.max()
        e = np.exp(row - m)
        out[i] = e / e.sum()
    return out


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


def row_dots(X):
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = np.dot(X[i], X[i])
    return out


def block_products(idx, H, G, D, S):
    for k in range(G.shape[0]):
        for a in range(idx.shape[0]):
            for b in range(idx.shape[1]):
                for i in range(H.shape[2]):
                    for j in range(H.shape[2]):
                        t = G[k, idx[a, b]] @ H[a, b, i]
                        u = H[a, b, j] * D[a, b, i, j]
                        S[k, a] += t @ u
    return S


def softmax_numpy(X, out):
    e = np.exp(X - X.max(axis=1, keepdims=True))
    out[...] = e / e.sum(axis=1, keepdims=True)
    return out


def cases(rng):
    X3 = rng.standard_normal((100_000, 3))
    c3 = rng.standard_normal(3)
    S = rng.standard_normal((1000, 64))
    K = rng.standard_normal((20_000, 3))
    C = K[:8].copy()

    def km_args():
        return (K, C, np.zeros(20_000, np.int64), np.zeros((8, 3)), np.zeros(8, np.int64))

    na, nb, n3, norb = 8, 3, 2, 3
    idx = np.array([[(a + b) % na for b in range(nb)] for a in range(na)], dtype=np.int32)

    def cplx(*shape):
        return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)

    H, G, D = cplx(na, nb, n3, norb, norb), cplx(4, na, norb, norb), cplx(na, nb, n3, n3)

    def block_args():
        return (idx, H, G, D, np.zeros((4, na, norb, norb), np.complex128))

    # (kernel, argument maker, vectorized NumPy equivalent or None)
    return [
        (rows_dist, lambda: (X3, c3), None),
        (softmax_rows, lambda: (S, np.empty_like(S)), softmax_numpy),
        (kmeans_step, km_args, None),
        (row_dots, lambda: (X3,), None),
        (block_products, block_args, None),
    ]


CLOCK = time.perf_counter


def median_time(f, make, repeat):
    ts = []
    for _ in range(repeat):
        args = make()
        t0 = CLOCK()
        f(*args)
        ts.append(CLOCK() - t0)
    return statistics.median(ts)


def interleaved_medians(fs, make, repeat):
    """Median times of the callables in `fs` (None: nan), run in turn on fresh
    arguments, so that a change in the machine's load falls on all of them alike."""
    ts = [[] for _ in fs]
    for _ in range(repeat):
        for f, t in zip(fs, ts):
            if f is None:
                continue
            args = make()
            t0 = CLOCK()
            f(*args)
            t.append(CLOCK() - t0)
    return [statistics.median(t) if t else float("nan") for t in ts]


def same(x, y):
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and x.dtype == y.dtype and x.tobytes() == y.tobytes()
    return type(x) is type(y) and np.asarray(x).tobytes() == np.asarray(y).tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "small_arrays.json"))
    ap.add_argument("--clock", choices=("wall", "thread"), default="wall",
                    help="wall: time.perf_counter; thread: time.thread_time (this thread's CPU time, "
                         "steadier on a loaded machine)")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.thread_time if args.clock == "thread" else time.perf_counter
    rng = np.random.default_rng(7)
    rows = []
    print(
        f"{'kernel':<14} {'CPython':>9} {'NumPy':>9} {'pyston':>9} {'numba':>9} "
        f"{'vs CPython':>10} {'vs NumPy':>9} {'vs numba':>9}  same"
    )
    for fn, make, vec in cases(rng):
        fast = pyston.fast(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)
            got = fast(*make())
        ok = bool(same(fn(*make()), got))
        nb = numba.njit(fn) if numba is not None else None
        if nb is not None:
            nb(*make())
        t_py = median_time(fn, make, max(1, args.repeat // 2))
        t_np, t_ps, t_nb = interleaved_medians([vec, fast, nb], make, args.repeat)
        rows.append(dict(kernel=fn.__name__, cpython=t_py, numpy=t_np, pyston=t_ps, numba=t_nb, same=ok))
        print(
            f"{fn.__name__:<14} {t_py:9.4f} {t_np:9.4f} {t_ps:9.4f} {t_nb:9.4f} "
            f"{t_py / t_ps:9.1f}x {t_np / t_ps:8.2f}x {t_ps / t_nb:8.2f}x  {ok}"
        )
    print("(vs CPython / vs NumPy: times faster; vs numba: pyston's time over Numba's)")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(
            dict(
                machine=platform.machine(),
                python=platform.python_version(),
                numpy=np.__version__,
                numba=getattr(numba, "__version__", None),
                rows=rows,
            ),
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
