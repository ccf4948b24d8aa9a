"""Whole-array expressions of integer and bool arrays: NumPy vs pyston vs Numba.

Each kernel is a small function of NumPy operations (no loops) on integer
arrays, or comparisons making bool masks, at several sizes. "NumPy" is the
plain function (CPython calling NumPy); pyston compiles it with `pyston.fast`
(a fused expression is one pass with no temporaries); Numba with
`numba.njit`. Times are medians of the calling thread's CPU time
(`time.thread_time`, steady on a loaded machine) over batches; pyston's
result must be NumPy's bit for bit (dtype and shape included).

    python benchmarks/int_arrays.py [--sizes 1000,100000,1000000] [--filter NAME] [--json PATH]
    python benchmarks/int_arrays.py --single    # one operation alone: int64 a + b, a > b at 64..65536
"""

from __future__ import annotations

import argparse
import gc
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


# ---- kernels (a, b: int arrays; x, y: float64 arrays) ----------------------


def img_scale(a, b, x, y):
    return ((a * 3) >> 2) & 0xFF


def blend(a, b, x, y):
    return ((a * 3 + b * 5) >> 3) & 0xFF


def int_poly(a, b, x, y):
    return (a - b) * (a + b) + 7


def bits(a, b, x, y):
    return (a ^ b) & ~(a | 15)


def where_max(a, b, x, y):
    return np.where(a > b, a, b) - 1


def bucket(a, b, x, y):
    return (a * 7 + b) // 16 % 10 + a % (b + 1)


def byte_mul(a, b, x, y):
    return a * b + (a ^ b) * 3


def mask_float(a, b, x, y):
    return (x > 0.25) & (y < 0.75)


def mask_int(a, b, x, y):
    return (a > b) & (a < 200) | (b == 7)


def add(a, b, x, y):
    return a + b


def gt(a, b, x, y):
    return a > b


KERNELS = [
    ("img_scale", img_scale, "int32"),
    ("blend", blend, "int32"),
    ("int_poly", int_poly, "int64"),
    ("bits", bits, "int64"),
    ("where_max", where_max, "int64"),
    ("bucket", bucket, "int64"),
    ("byte_mul", byte_mul, "int8"),
    ("mask_float", mask_float, "float64 -> bool"),
    ("mask_int", mask_int, "int64 -> bool"),
]

SINGLE = [("add", add, "int64"), ("gt", gt, "int64 -> bool")]


def median_time(call, budget):
    """Median thread CPU seconds per call: batches of >= 2 ms, for `budget` seconds (>= 7 samples)."""
    call()
    t0 = time.thread_time()
    for _ in range(3):
        call()
    one = max((time.thread_time() - t0) / 3, 1e-7)
    batch = max(1, int(0.002 / one))
    samples = []
    gc.disable()
    try:
        start = time.perf_counter()
        while len(samples) < 7 or (time.perf_counter() - start < budget and len(samples) < 300):
            t0 = time.thread_time()
            for _ in range(batch):
                call()
            samples.append((time.thread_time() - t0) / batch)
    finally:
        gc.enable()
    return statistics.median(samples)


def same_bits(x, y):
    x, y = np.asarray(x), np.asarray(y)
    return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def inputs(n, dt, rng):
    a = rng.integers(0, 256, n).astype(dt)
    b = rng.integers(0, 256, n).astype(dt)
    return a, b, rng.random(n), rng.random(n)


def fmt(t):
    return "-" if t is None else (f"{t * 1e6:8.2f}us" if t < 1e-3 else f"{t * 1e3:8.3f}ms")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default=None)
    p.add_argument("--budget", type=float, default=0.3)
    p.add_argument("--single", action="store_true", help="one operation alone (the single_op rule)")
    p.add_argument("--json", default=os.path.join(HERE, "results", "int-arrays-latest.json"))
    p.add_argument("--filter", action="append", default=[])
    p.add_argument("--no-numba", action="store_true")
    args = p.parse_args(argv)
    default = "64,256,4096,16384,65536" if args.single else "1000,100000,1000000"
    sizes = [int(s) for s in (args.sizes or default).split(",")]
    kernels = SINGLE if args.single else KERNELS
    use_numba = numba is not None and not args.no_numba
    rng = np.random.default_rng(12345)
    rows, failed = [], False
    head = f"{'kernel':<11} {'dtype':<16} {'n':>8} {'NumPy':>10} {'pyston':>10} {'Numba':>10} {'pyston/NumPy':>13} {'Numba/NumPy':>12}"
    print(head)
    print("-" * len(head))
    for name, fn, kind in kernels:
        if args.filter and not any(f in name for f in args.filter):
            continue
        dt = np.int32 if kind.startswith("int32") else np.int64
        fast = pyston.fast(fn)
        jit = numba.njit(fn) if use_numba else None
        for n in sizes:
            a, b, x, y = inputs(n, dt, rng)
            with warnings.catch_warnings():
                warnings.simplefilter("error", pyston.PerformanceWarning)
                want = fn(a, b, x, y)
                got = fast(a, b, x, y)
            ok = same_bits(got, want)
            failed |= not ok
            t_np = median_time(lambda: fn(a, b, x, y), args.budget)
            t_py = median_time(lambda: fast(a, b, x, y), args.budget)
            t_nb = nb_same = None
            if jit is not None:
                try:
                    # (Numba computes `int32 * 3` in int64: timed, marked as differing)
                    nb_same = same_bits(jit(a, b, x, y), want)
                    t_nb = median_time(lambda: jit(a, b, x, y), args.budget)
                except Exception:  # noqa: BLE001 (Numba's typing)
                    t_nb = None
            rows.append(
                dict(name=name, dtype=kind, n=n, numpy_s=t_np, pyston_s=t_py, numba_s=t_nb, same=ok, numba_same=nb_same)
            )
            nbr = "-" if t_nb is None else f"{t_nb / t_np:11.2f}x"
            print(
                f"{name:<11} {kind:<16} {n:>8} {fmt(t_np):>10} {fmt(t_py):>10} {fmt(t_nb):>10} {t_py / t_np:12.2f}x {nbr:>12}"
                + ("" if ok else "  ✗ differs")
                + ("  (Numba's result differs: dtype)" if nb_same is False else "")
            )
    doc = dict(
        schema=1,
        machine=platform.machine(),
        python=platform.python_version(),
        numpy=np.__version__,
        numba=getattr(numba, "__version__", None),
        rows=rows,
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(doc, fh, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
