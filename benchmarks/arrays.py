"""Whole-array expressions and reductions: NumPy itself vs pyston vs Numba.

Each kernel is a small function written with NumPy calls (no loops), run on
arrays of 10**6 float64 elements. "NumPy" is the plain function, i.e. calling
NumPy directly; pyston compiles it with `pyston.fast` (strict mode; fused
expressions run as one pass, single NumPy calls stay NumPy calls); Numba with
`numba.njit`. Reports the median time of each and the ratios to NumPy, checks
that pyston's result is bit-identical to NumPy's (Numba's only close), and
writes JSON.

    python benchmarks/arrays.py [--n 1000000] [--json PATH] [--filter NAME]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
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


# ---- kernels --------------------------------------------------------------


def add(a, b, c):
    return a + b


def scale_shift(a, b, c):
    return 2.5 * a + b


def hypot_minus(a, b, c):
    return np.sqrt(a * a + b * b) - 0.5 * c


def horner(a, b, c):
    return ((a * 3.0 - 2.0) * a + 1.0) * a - 4.0


def rel_diff(a, b, c):
    return np.abs(a - b) / (np.abs(a) + np.abs(b) + 1.0)


def lerp3(a, b, c):
    return a * (1.0 - c) + b * c - np.square(a - b) / 8.0


def sqrt_only(a, b, c):
    return np.sqrt(a)


def gauss(a, b, c):
    return np.exp(-a * a)


def where_relu(a, b, c):
    return np.where(a > 0.5, a, 0.0)


def total(a, b, c):
    return np.sum(a)


# 2-D views of the same data (1000 rows of 1000, no copy): reductions over an
# expression, which NumPy computes through a temporary array.


def row_l1(a, b, c):
    return np.sum(np.abs(a.reshape(-1, 1000) - b.reshape(-1, 1000)), axis=-1)


def col_mean(a, b, c):
    return np.mean(a.reshape(-1, 1000) * c.reshape(-1, 1000), axis=0)


def total_sq(a, b, c):
    return np.sum((a.reshape(-1, 1000) - b.reshape(-1, 1000)) ** 2)


def gauss_2d(a, b, c):
    return np.exp(-((a.reshape(-1, 1000) - b.reshape(-1, 1000)) ** 2) / 2.0)


def mean_std(a, b, c):
    return a.mean() + a.std()


def dot(a, b, c):
    return np.dot(a, b)


def running(a, b, c):
    return np.cumsum(a)


def arg_max(a, b, c):
    return np.argmax(a)


# (name, function, kind): "fused" expressions have two or more fusable operations.
KERNELS = [
    ("add", add, "single op"),
    ("sqrt", sqrt_only, "single op"),
    ("scale_shift", scale_shift, "fused"),
    ("hypot_minus", hypot_minus, "fused"),
    ("horner", horner, "fused"),
    ("rel_diff", rel_diff, "fused"),
    ("lerp3", lerp3, "fused"),
    ("gauss", gauss, "ufunc (exp)"),
    ("where_relu", where_relu, "where"),
    ("sum", total, "reduction"),
    ("row_l1", row_l1, "fused row sum"),
    ("col_mean", col_mean, "fused column mean"),
    ("total_sq", total_sq, "fused total"),
    ("gauss_2d", gauss_2d, "fused + exp"),
    ("mean_std", mean_std, "reduction"),
    ("dot", dot, "reduction"),
    ("cumsum", running, "scan"),
    ("argmax", arg_max, "reduction"),
]


# ---- timing ---------------------------------------------------------------


def median_time(call, budget):
    """Median seconds per call: batches of >= 5 ms, repeated for `budget` seconds (>= 7 samples)."""
    call()
    t0 = time.perf_counter()
    call()
    one = max(time.perf_counter() - t0, 1e-7)
    batch = max(1, int(0.005 / one))
    samples = []
    gc.disable()
    try:
        start = time.perf_counter()
        while len(samples) < 7 or (time.perf_counter() - start < budget and len(samples) < 200):
            t0 = time.perf_counter()
            for _ in range(batch):
                call()
            samples.append((time.perf_counter() - t0) / batch)
    finally:
        gc.enable()
    return statistics.median(samples)


def same_bits(x, y):
    x, y = np.asarray(x), np.asarray(y)
    return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def close(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x.shape == y.shape and np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--budget", type=float, default=0.3)
    p.add_argument("--json", default=os.path.join(HERE, "results", "arrays-latest.json"))
    p.add_argument("--filter", action="append", default=[])
    p.add_argument("--no-numba", action="store_true")
    args = p.parse_args(argv)
    rng = np.random.default_rng(12345)
    a, b, c = rng.random(args.n), rng.random(args.n), rng.random(args.n)
    use_numba = numba is not None and not args.no_numba
    rows, failed = [], False
    print(f"n = {args.n:,} float64 elements; median time per call\n")
    head = f"{'kernel':<12} {'kind':<12} {'NumPy':>9} {'pyston':>9} {'Numba':>9} {'pyston/NumPy':>13} {'Numba/NumPy':>12}  check"
    print(head)
    print("-" * len(head))
    for name, fn, kind in KERNELS:
        if args.filter and not any(f in name or f in kind for f in args.filter):
            continue
        fast = pyston.fast(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)
            want = fn(a, b, c)
            got = fast(a, b, c)
        ok = same_bits(got, want)
        failed |= not ok
        t_np = median_time(lambda: fn(a, b, c), args.budget)
        t_py = median_time(lambda: fast(a, b, c), args.budget)
        t_nb = None
        nb_ok = None
        nb_error = None
        if use_numba:
            jit = numba.njit(fn)
            try:
                nb_ok = close(jit(a, b, c), want)
                t_nb = median_time(lambda: jit(a, b, c), args.budget)
            except Exception as e:  # noqa: BLE001 (e.g. np.dot needs SciPy under Numba)
                nb_error = f"{type(e).__name__}: {str(e).splitlines()[-1][:60]}"
        row = dict(
            name=name,
            kind=kind,
            numpy_s=t_np,
            pyston_s=t_py,
            numba_s=t_nb,
            pyston_vs_numpy=t_py / t_np,
            numba_vs_numpy=None if t_nb is None else t_nb / t_np,
            pyston_bit_identical=ok,
            numba_close=nb_ok,
            numba_error=nb_error,
        )
        rows.append(row)
        nb = "-" if t_nb is None else f"{t_nb * 1e3:7.3f}ms"
        nbr = "-" if t_nb is None else f"{t_nb / t_np:11.2f}x"
        mark = "=" if ok else "✗"
        if nb_ok is False:
            mark += " (Numba differs)"
        if nb_error:
            mark += f" (Numba: {nb_error})"
        print(
            f"{name:<12} {kind:<12} {t_np * 1e3:7.3f}ms {t_py * 1e3:7.3f}ms {nb:>9} {t_py / t_np:12.2f}x {nbr:>12}  {mark}"
        )
    gm = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")  # noqa: E731
    fused = [r["pyston_vs_numpy"] for r in rows if r["kind"] == "fused"]
    other = [r["pyston_vs_numpy"] for r in rows if r["kind"] != "fused"]
    print()
    print(f"geomean pyston/NumPy, fused expressions : {gm(fused):.2f}x  (<1x: pyston faster)")
    print(f"geomean pyston/NumPy, everything else   : {gm(other):.2f}x")
    if use_numba:
        nbs = [r["numba_vs_numpy"] for r in rows if r["numba_vs_numpy"]]
        print(f"geomean Numba/NumPy, all kernels         : {gm(nbs):.2f}x")
    worst = max(rows, key=lambda r: r["pyston_vs_numpy"]) if rows else None
    if worst:
        print(f"slowest relative to NumPy               : {worst['name']} {worst['pyston_vs_numpy']:.2f}x")
    doc = dict(
        schema=1,
        n=args.n,
        machine=platform.machine(),
        python=platform.python_version(),
        numpy=np.__version__,
        numba=getattr(numba, "__version__", None),
        kernels=rows,
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(doc, fh, indent=1)
    print(f"\nwrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
