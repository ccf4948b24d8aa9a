#!/usr/bin/env python3
"""pyston in 30 seconds: four loop-heavy kernels, plain CPython vs @pyston.fast.

    python examples/demo.py

Each kernel is an ordinary Python function with the @pyston.fast decorator.
`f.py_func` is the undecorated original, so the demo can time both and check
that strict mode returns exactly what CPython returns.
"""

import platform
import sys
import time

import numpy as np
import pyston


# Euclidean distance between every pair of rows of X.
@pyston.fast
def pairwise(X):
    n, d = X.shape
    D = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(d):
                t = X[i, k] - X[j, k]
                s += t * t
            D[i, j] = s ** 0.5
    return D


# How many points of a width x height grid stay bounded.
@pyston.fast
def mandelbrot(width, height, max_iter):
    count = 0
    for py in range(height):
        ci = -1.5 + 3.0 * py / height
        for px in range(width):
            cr = -2.0 + 3.0 * px / width
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter:
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                n += 1
            if n == max_iter:
                count += 1
    return count


# Running total of a 1-D array.
@pyston.fast
def prefix_sum(a):
    out = np.empty_like(a)
    s = 0.0
    for i in range(len(a)):
        s += a[i]
        out[i] = s
    return out


# Total number of Collatz steps for every start value below n.
@pyston.fast
def collatz_total(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            total += 1
    return total


def timed(fn, args, budget=0.25, min_runs=3, max_runs=200):
    """Best time of repeated calls (at least min_runs, about `budget` seconds)."""
    best, spent, runs = float("inf"), 0.0, 0
    while runs < min_runs or (spent < budget and runs < max_runs):
        t0 = time.perf_counter()
        fn(*args)
        dt = time.perf_counter() - t0
        best, spent, runs = min(best, dt), spent + dt, runs + 1
    return best


def fmt_time(s):
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"


def fmt_x(r):
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"


def same(a, b):
    """(identical?, how it was checked)"""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b), "np.array_equal"
    return type(a) is type(b) and a == b, "=="


def main():
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    rng = np.random.default_rng(0)
    cases = [
        ("pairwise distances", "300 points in 3-D", pairwise, (rng.random((300, 3)),)),
        ("mandelbrot count", "200x200 grid, 100 its", mandelbrot, (200, 200, 100)),
        ("prefix sum", "1,000,000 float64", prefix_sum, (rng.random(1_000_000),)),
        ("collatz steps", "start values < 20,000", collatz_total, (20_000,)),
    ]

    print("pyston demo: plain CPython vs @pyston.fast (strict mode)")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"pyston {getattr(pyston, '__version__', '?')}, {platform.machine()}")
    print()
    head = f"  {'kernel':<20} {'input':<22} {'CPython':>10} {'pyston':>10} {'speedup':>9} {'1st call':>10}   identical"
    print(head)
    print("  " + "─" * (len(head) - 2))

    all_same = True
    speedups = []
    for name, what, fast_fn, args in cases:
        plain_fn = fast_fn.py_func
        expected = plain_fn(*args)
        t_py = timed(plain_fn, args)
        try:
            t0 = time.perf_counter()
            got = fast_fn(*args)  # first call: compiles for these argument types
            t_first = time.perf_counter() - t0
            t_fast = timed(fast_fn, args)
        except Exception as exc:  # keep going; show what failed
            print(f"  {name:<20} {what:<22} {fmt_time(t_py):>10}   pyston failed: {type(exc).__name__}: {exc}")
            all_same = False
            continue
        ok, how = same(expected, got)
        all_same &= ok
        speedups.append(t_py / t_fast)
        verdict = f"yes ({how})" if ok else f"NO ({how})"
        print(f"  {name:<20} {what:<22} {fmt_time(t_py):>10} {fmt_time(t_fast):>10} "
              f"{fmt_x(t_py / t_fast):>9} {fmt_time(t_first):>10}   {verdict}")

    print()
    if speedups:
        gm = float(np.exp(np.mean(np.log(speedups))))
        print(f"  geometric-mean speedup: {fmt_x(gm)}   (times are the best of several calls; "
              "'1st call' includes compilation)")
    print("  results identical to CPython: " + ("yes, for every kernel" if all_same else "NO - see above"))
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
