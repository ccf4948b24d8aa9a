"""Whole-array kernels at each vector level: NumPy vs pyston (sse2, avx2, avx512) vs Numba.

Sums (``np.sum``/``mean`` of float64 and float32, row sums) run in the
runtime's pairwise-sum kernels (``core/runtime/src/helpers/wide.rs``), which
pick AVX2 or AVX-512 at run time; ``max``/``min``/``astype``/``any`` of large
arrays are calls into NumPy (its own AVX-512 loops), and the fused
expression ``a * b + c`` is the fusion pass's 128-bit Cranelift loop. Each is
timed at 1k, 100k and 10M elements with ``time.thread_time`` (the median of
``--repeat`` runs, each a loop of calls of about 20 ms), pyston at every level
the CPU has (``_pyston.set_isa``), and Numba's ``njit`` of the same function
if Numba is installed. pyston's results are checked bit for bit against
NumPy's at every level (Numba's sums are its own, not NumPy's pairwise sum:
the ``numba==`` column says whether they agreed).

    python benchmarks/wide.py [--sizes 1000,100000,10000000] [--repeat 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
except ImportError:  # Numba is optional
    numba = None


def sum_(a):
    return np.sum(a)


def mean_(a):
    return a.mean()


def row_sums(x):
    return np.sum(x, axis=-1)


def max_(a):
    return a.max()


def min_(a):
    return np.min(a)


def cast(a):
    return a.astype(np.float32)


def any_gt(a):
    return (a > 0.999).any()


def fma_like(a, b, c):
    return a * b + c


# (name, function, dtype, arguments from an array of n elements)
KERNELS = [
    ("sum f64", sum_, np.float64, lambda a: (a,)),
    ("sum f32", sum_, np.float32, lambda a: (a,)),
    ("mean f64", mean_, np.float64, lambda a: (a,)),
    ("rows f64 (n/1000 x 1000)", row_sums, np.float64, lambda a: (a.reshape(-1, 1000),)),
    ("rows f32 (n/1000 x 1000)", row_sums, np.float32, lambda a: (a.reshape(-1, 1000),)),
    ("max f64", max_, np.float64, lambda a: (a,)),
    ("min f32", min_, np.float32, lambda a: (a,)),
    ("astype f64->f32", cast, np.float64, lambda a: (a,)),
    ("(a > t).any() f64", any_gt, np.float64, lambda a: (a,)),
    ("a*b+c f64", fma_like, np.float64, lambda a: (a, a[::-1].copy(), a * 0.5)),
]

LEVELS = ["sse2", "avx2", "avx512"]  # "sse2" is "base" off x86-64, the only level there


def timeit(f, args, repeat):
    f(*args)
    t0 = time.thread_time()
    f(*args)
    one = max(time.thread_time() - t0, 1e-7)
    inner = max(1, int(0.02 / one))
    runs = []
    for _ in range(repeat):
        t0 = time.thread_time()
        for _ in range(inner):
            f(*args)
        runs.append((time.thread_time() - t0) / inner)
    return statistics.median(runs)


def bits(x):
    x = np.asarray(x)
    return x.view(
        np.uint32 if x.dtype == np.float32 else np.uint64 if x.dtype == np.float64 else x.dtype
    ).tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,100000,10000000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--filter", default="")
    ap.add_argument("--json")
    opts = ap.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    best = _pyston.set_isa(None)
    levels = [best] if best == "base" else LEVELS[: LEVELS.index(best) + 1]
    print(
        f"# {platform.processor() or platform.machine()}, NumPy {np.__version__}, pyston's best level: {best}"
    )
    print(f"# Numba {numba.__version__}" if numba else "# Numba not installed")
    rows = []
    head = f"{'kernel':26} {'n':>9} {'numpy':>10}" + "".join(f" {lv:>10}" for lv in levels)
    head += f" {'numba':>10}  numpy/pyston ({'/'.join(levels)})  numpy/numba  numba=="
    print(head)
    for name, fn, dtype, make in KERNELS:
        if opts.filter and opts.filter not in name:
            continue
        fast = pyston.fast(fn)
        nb = numba.njit(fn) if numba else None
        for n in sizes:
            a = np.random.default_rng(n).standard_normal(n).astype(dtype) * 10
            args = make(a)
            want = fn(*args)
            t_np = timeit(fn, args, opts.repeat)
            t_lv = {}
            try:
                for lv in levels:
                    _pyston.set_isa(lv)
                    got = fast(*args)
                    if type(got) is not type(want) or bits(got) != bits(want):
                        raise AssertionError(f"{name} n={n} at {lv}: {got!r} != NumPy's {want!r}")
                    t_lv[lv] = timeit(fast, args, opts.repeat)
            finally:
                _pyston.set_isa(None)
            t_nb, nb_same = None, None
            if nb is not None:
                got = nb(*args)
                nb_same = bits(got) == bits(want)
                t_nb = timeit(nb, args, opts.repeat)
            ratios = "/".join(f"{t_np / t_lv[lv]:.2f}" for lv in levels)
            line = f"{name:26} {n:>9} {t_np * 1e6:>9.1f}u" + "".join(
                f" {t_lv[lv] * 1e6:>9.1f}u" for lv in levels
            )
            line += f" {t_nb * 1e6:>9.1f}u" if t_nb is not None else f" {'-':>10}"
            line += f"  {ratios:>24}"
            line += f"  {t_np / t_nb:>11.2f}  {nb_same!s:>7}" if t_nb is not None else ""
            print(line, flush=True)
            rows.append(
                {
                    "kernel": name,
                    "n": n,
                    "numpy_s": t_np,
                    "pyston_s": t_lv,
                    "numba_s": t_nb,
                    "numba_same_bits": nb_same,
                }
            )
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump({"best_level": best, "numpy": np.__version__, "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
