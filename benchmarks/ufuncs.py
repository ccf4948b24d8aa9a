"""Ufuncs from scalar functions: np.vectorize vs pyston.vectorize vs numba.vectorize vs NumPy.

Each kernel is a scalar function of two float64 (or int64) arguments applied
to arrays of 10**6 elements: through ``np.vectorize`` (a Python call per
element), ``pyston.vectorize`` (strict; a real ufunc whose loop runs compiled
code), ``numba.vectorize`` (if Numba is installed) and, as the yardstick, the
same computation written as a NumPy whole-array expression.  Reports median
times and ratios, checks that pyston's result equals ``np.vectorize``'s bit for
bit, and writes JSON.

    python benchmarks/ufuncs.py [--n 1000000] [--repeat 7] [--json PATH]
"""

from __future__ import annotations

import argparse
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


# ---- kernels: (scalar function, signature, NumPy expression, input kind) ----


def rel_diff(x, y):
    return abs(x - y) / (abs(x) + abs(y) + 1.0)


def hypot_shift(x, y):
    return math.sqrt(x * x + y * y) - 0.5


def clip_scale(x, y):
    if x < 0.0:
        return 0.0
    if x > y:
        return y
    return 2.0 * x


def poly(x, y):
    return ((x * 3.0 - 2.0) * x + y) * x - 4.0


def int_mix(x, y):
    return (x * 31 + y) % 1009


KERNELS = [
    (rel_diff, "float64(float64, float64)", lambda a, b: np.abs(a - b) / (np.abs(a) + np.abs(b) + 1.0), "f"),
    (hypot_shift, "float64(float64, float64)", lambda a, b: np.sqrt(a * a + b * b) - 0.5, "f"),
    (clip_scale, "float64(float64, float64)", lambda a, b: np.where(a < 0.0, 0.0, np.where(a > b, b, 2.0 * a)), "f"),
    (poly, "float64(float64, float64)", lambda a, b: ((a * 3.0 - 2.0) * a + b) * a - 4.0, "f"),
    (int_mix, "int64(int64, int64)", lambda a, b: (a * 31 + b) % 1009, "i"),
]


def median_time(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "ufuncs.json"))
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    fa, fb = rng.normal(size=args.n), rng.normal(size=args.n) + 0.5
    ia, ib = rng.integers(-(10**6), 10**6, args.n), rng.integers(0, 10**6, args.n)
    rows = []
    header = f"{'kernel':<12} {'np.vectorize':>13} {'pyston':>10} {'numba':>10} {'NumPy expr':>11}" \
             f"  {'npvec/pyston':>12} {'pyston/numba':>12} {'pyston/NumPy':>12}  same"
    print(f"ufuncs on {args.n} elements, median of {args.repeat} (seconds)")
    print(header)
    for func, sig, expr, kind in KERNELS:
        a, b = (fa, fb) if kind == "f" else (ia, ib)
        otype = "float64" if kind == "f" else "int64"
        npv = np.vectorize(func, otypes=[otype])
        pv = pyston.vectorize([sig])(func)
        nv = numba.vectorize([sig])(func) if numba is not None else None
        # warm up (Numba and pyston compiled at decoration) and check
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = npv(a[:1000], b[:1000]) if args.n > 1000 else npv(a, b)
            got = pv(a[:1000], b[:1000]) if args.n > 1000 else pv(a, b)
        same = bool(np.array_equal(want.view(np.uint8), got.view(np.uint8)))
        t_npv = median_time(lambda: npv(a, b), max(1, args.repeat // 3))
        t_pv = median_time(lambda: pv(a, b), args.repeat)
        t_nv = median_time(lambda: nv(a, b), args.repeat) if nv is not None else float("nan")
        t_np = median_time(lambda: expr(a, b), args.repeat)
        row = dict(kernel=func.__name__, np_vectorize=t_npv, pyston=t_pv, numba=t_nv, numpy=t_np, same=same)
        rows.append(row)
        print(
            f"{func.__name__:<12} {t_npv:13.4f} {t_pv:10.5f} {t_nv:10.5f} {t_np:11.5f}"
            f"  {t_npv / t_pv:11.1f}x {t_pv / t_nv:11.2f}x {t_pv / t_np:11.2f}x  {same}"
        )

    def gmean(xs):
        xs = [x for x in xs if x == x]
        return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")

    summary = dict(
        speedup_over_np_vectorize=gmean([r["np_vectorize"] / r["pyston"] for r in rows]),
        time_vs_numba=gmean([r["pyston"] / r["numba"] for r in rows]),
        time_vs_numpy_expression=gmean([r["pyston"] / r["numpy"] for r in rows]),
    )
    print(
        f"geometric means: {summary['speedup_over_np_vectorize']:.0f}x faster than np.vectorize, "
        f"{summary['time_vs_numba']:.2f}x Numba's time, {summary['time_vs_numpy_expression']:.2f}x the NumPy expression's"
    )
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(dict(n=args.n, machine=platform.machine(), python=platform.python_version(),
                       numpy=np.__version__, numba=getattr(numba, "__version__", None),
                       rows=rows, summary=summary), f, indent=1)


if __name__ == "__main__":
    main()
