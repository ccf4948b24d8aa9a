"""The standard library in loops: CPython vs pyston vs Numba, one run.

Pure-Python Monte Carlo with ``random`` (CPython's own Mersenne Twister:
pyston draws from it natively, the same numbers and the same state after;
the same for a ``random.Random(seed)`` instance made in the loop's function;
Numba has a generator of its own, seeded separately, so its numbers differ)
and integer/float functions of ``math`` and builtins (``math.gcd``,
``math.isqrt``, ``divmod``, ``math.frexp``: computed natively for int/float
arguments, CPython's own function where it would raise or leave 64 bits).
Reports median times and ratios, writes JSON.

    python benchmarks/stdlib.py [--n 200000] [--repeat 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


def random_pi(n):
    inside = 0
    for _ in range(n):
        x = random.random()
        y = random.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n


def dice_histogram(n):
    sixes = 0
    total = 0
    for _ in range(n):
        a = random.randint(1, 6)
        b = random.randint(1, 6)
        total += a + b
        if a == 6 and b == 6:
            sixes += 1
    return total, sixes


def uniform_walk(n):
    x = 0.0
    far = 0.0
    for _ in range(n):
        x += random.uniform(-1.0, 1.0)
        if abs(x) > far:
            far = abs(x)
    return far


def instance_pi(n):
    # a generator of its own: random.Random(seed), drawn natively from its own state
    r = random.Random(2024)
    inside = 0
    for _ in range(n):
        x = r.random()
        y = r.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n, r.random()


def instance_dice(n):
    r = random.Random(7)
    sixes = 0
    total = 0
    for _ in range(n):
        a = r.randint(1, 6)
        b = r.randint(1, 6)
        total += a + b
        if a == 6 and b == 6:
            sixes += 1
    return total, sixes, r.getrandbits(32)


def instance_walk(n):
    r = random.Random(11)
    steps = [-1, 1, -2, 2]
    x = 0
    far = 0
    for _ in range(n):
        x += r.choice(steps)
        if abs(x) > far:
            far = abs(x)
    return x, far, r.random()


def instance_gauss(n):
    r = random.Random(5)
    t = 0.0
    for _ in range(n):
        t += abs(r.gauss(0.0, 1.0)) + r.expovariate(2.0)
    return t, r.random()


def gcd_sum(n):
    t = 0
    for i in range(1, n):
        t += math.gcd(i, 360360)
    return t


def isqrt_divmod(n):
    t = 0
    for i in range(1, n):
        q, r = divmod(i * 7919, 1000)
        t += math.isqrt(i) + q - r
    return t


def frexp_exponents(n):
    t = 0
    x = 1.0
    for _ in range(n):
        m, e = math.frexp(x)
        t += e
        x = x * 1.0001 + m
    return t


KERNELS = [
    ("random_pi (random.random)", random_pi, True),
    ("dice_histogram (random.randint)", dice_histogram, True),
    ("uniform_walk (random.uniform)", uniform_walk, True),
    ("instance_pi (random.Random(seed).random)", instance_pi, True),
    ("instance_dice (random.Random(seed).randint)", instance_dice, True),
    ("instance_walk (random.Random(seed).choice)", instance_walk, True),
    ("instance_gauss (r.gauss, r.expovariate)", instance_gauss, True),
    ("gcd_sum (math.gcd)", gcd_sum, True),
    ("isqrt_divmod (math.isqrt, divmod)", isqrt_divmod, True),
    ("frexp_exponents (math.frexp)", frexp_exponents, True),
]


def median_time(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(fn, n):
    random.seed(12345)
    r = fn(n)
    return r, random.random()  # the stream's state after, compared too


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "stdlib.json"))
    args = ap.parse_args()
    n = args.n
    rows = []
    print(f"numba {getattr(numba, '__version__', 'absent')}, {platform.python_version()}")
    print(f"{'kernel':46s} {'CPython':>10s} {'pyston':>10s} {'numba':>10s} {'vs CPython':>11s} {'vs numba':>9s}")
    for name, fn, _native in KERNELS:
        fast = pyston.fast(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)  # must compile
            run(fast, 10)
        assert run(fast, n) == run(fn, n), name  # same values, the same state after
        t_py = median_time(lambda: run(fn, n), max(1, args.repeat // 2))
        t_ps = median_time(lambda: run(fast, n), args.repeat)
        t_nb = None
        if numba is not None:
            try:
                nb = numba.njit(fn)
                nb(10)
                t_nb = median_time(lambda: nb(n), args.repeat)
            except Exception as e:  # noqa: BLE001 - Numba does not compile every kernel
                print(f"  (numba: {type(e).__name__})")
        nb_s = f"{t_nb * 1e3:8.2f}ms" if t_nb else "       n/a"
        vs_nb = f"{t_nb / t_ps:8.2f}x" if t_nb else "      n/a"
        print(f"{name:46s} {t_py * 1e3:8.2f}ms {t_ps * 1e3:8.2f}ms {nb_s} {t_py / t_ps:10.1f}x {vs_nb}")
        rows.append({"kernel": name, "n": n, "cpython_s": t_py, "pyston_s": t_ps, "numba_s": t_nb})
    geo = statistics.geometric_mean([r["cpython_s"] / r["pyston_s"] for r in rows])
    print(f"geometric mean speedup over CPython: {geo:.1f}x")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"rows": rows, "geomean_vs_cpython": geo}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
