"""Monte Carlo loops with ``np.random``: CPython vs pyston vs Numba, one run.

Each kernel draws scalars in a loop: NumPy's legacy global functions
(``np.random.random()``, ``randint``, ``uniform``, ``normal``,
``exponential``) and a ``np.random.Generator`` made inside the kernel
(``np.random.default_rng``) or passed in. pyston draws uniform doubles,
bounded ints, normal and exponential floats natively from NumPy's own bit
generator (the same stream: its results are checked equal to CPython's,
value for value, and NumPy's state afterwards too); Numba has a generator of
its own (its legacy stream matches NumPy's for ``random()``, not for
``normal``; it has no ``Generator`` argument support before 0.59, where its
stream is its own).
Reports median times and ratios, writes JSON.

    python benchmarks/np_random.py [--n 200000] [--repeat 5] [--json PATH]
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
sys.path.insert(0, HERE)

import pyston  # noqa: E402
from never_slower import monte_carlo_pi  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


def random_walk_int(n, seed):
    np.random.seed(seed)
    pos = 0
    far = 0
    for _ in range(n):
        pos += np.random.randint(0, 3) - 1
        if abs(pos) > far:
            far = abs(pos)
    return far


def uniform_area(n, seed):
    np.random.seed(seed)
    hits = 0
    for _ in range(n):
        x = np.random.uniform(-1.0, 1.0)
        y = np.random.uniform(-1.0, 1.0)
        if x * x + y * y < 1.0:
            hits += 1
    return 4.0 * hits / n


def gaussian_walk(n, seed):
    # The legacy polar method, its second value kept in NumPy's RandomState.
    np.random.seed(seed)
    x = 0.0
    for _ in range(n):
        x += np.random.normal(0.0, 0.1)
    return x


def gaussian_walk_call(n, seed):
    # The same draws through NumPy's call (``size=None`` given: not drawn natively),
    # as every normal draw was before they were native.
    np.random.seed(seed)
    x = 0.0
    for _ in range(n):
        x += np.random.normal(0.0, 0.1, None)
    return x


def exponential_queue(n, seed):
    # A single-server queue: exponential arrival and service times (-log(1 - U)).
    np.random.seed(seed)
    t = 0.0
    free = 0.0
    wait = 0.0
    for _ in range(n):
        t += np.random.exponential(1.0)
        start = max(t, free)
        wait += start - t
        free = start + np.random.standard_exponential() * 0.9
    return wait / n


def generator_gaussian_walk(n, seed):
    # NumPy's ziggurat on the Generator's bit generator.
    rng = np.random.default_rng(seed)
    x = 0.0
    hi = 0.0
    for _ in range(n):
        x += rng.normal(0.0, 0.1)
        if x > hi:
            hi = x
    return x, hi


def generator_gaussian_walk_call(n, seed):
    rng = np.random.default_rng(seed)
    x = 0.0
    hi = 0.0
    for _ in range(n):
        x += rng.normal(0.0, 0.1, None)
        if x > hi:
            hi = x
    return x, hi


def generator_brownian(rng, n):
    # Geometric Brownian motion with exponential jumps.
    s = 100.0
    for _ in range(n):
        s *= 1.0 + 0.0001 + 0.01 * rng.standard_normal()
        s += 0.001 * rng.exponential(2.0) - 0.001 * rng.standard_exponential()
    return s


def generator_pi(n, seed):
    rng = np.random.default_rng(seed)
    inside = 0
    for _ in range(n):
        x = rng.random()
        y = rng.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n


def generator_dice(rng, n):
    total = 0
    for _ in range(n):
        total += rng.integers(1, 7) + rng.integers(1, 7)
    return total


KERNELS = [
    ("monte_carlo_pi (np.random.random)", monte_carlo_pi, "seed"),
    ("random_walk_int (np.random.randint)", random_walk_int, "seed"),
    ("uniform_area (np.random.uniform)", uniform_area, "seed"),
    ("gaussian_walk (np.random.normal)", gaussian_walk, "seed"),
    ("gaussian_walk_call (np.random.normal: a call)", gaussian_walk_call, "seed"),
    ("exponential_queue (np.random.exponential)", exponential_queue, "seed"),
    ("generator_pi (default_rng, rng.random)", generator_pi, "seed"),
    ("generator_dice (rng argument, rng.integers)", generator_dice, "rng"),
    ("generator_gaussian_walk (rng.normal)", generator_gaussian_walk, "seed"),
    ("generator_gaussian_walk_call (rng.normal: a call)", generator_gaussian_walk_call, "seed"),
    ("generator_brownian (rng argument, normal+exp)", generator_brownian, "rng"),
]


def median_time(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_kernel(fn, how, n, seed):
    """(result, state after) of `fn` from `seed`, the stream state compared after."""
    if how == "seed":
        np.random.seed(seed)  # the global stream's state is compared after (generator_pi leaves it alone)
        r = fn(n, seed)
        return r, np.random.random()
    rng = np.random.default_rng(seed)
    r = fn(rng, n)
    return r, rng.random()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "np_random.json"))
    args = ap.parse_args()
    n, seed = args.n, 12345
    rows = []
    print(f"numpy {np.__version__}, numba {getattr(numba, '__version__', 'absent')}, {platform.python_version()}")
    print(f"{'kernel':52s} {'CPython':>10s} {'pyston':>10s} {'numba':>10s} {'vs CPython':>11s} {'vs numba':>9s}")
    for name, fn, how in KERNELS:
        fast = pyston.fast(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)  # must compile
            run_kernel(fast, how, 10, seed)
        want = run_kernel(fn, how, n, seed)
        got = run_kernel(fast, how, n, seed)
        assert got == want, (name, got, want)  # same values, NumPy's state advanced alike
        t_py = median_time(lambda: run_kernel(fn, how, n, seed), max(1, args.repeat // 2))
        t_ps = median_time(lambda: run_kernel(fast, how, n, seed), args.repeat)
        t_nb = None
        if numba is not None:
            try:
                nb = numba.njit(fn)
                run_kernel(nb, how, 10, seed)
                t_nb = median_time(lambda: run_kernel(nb, how, n, seed), args.repeat)
            except Exception as e:  # noqa: BLE001 - Numba does not compile every kernel
                print(f"  (numba: {type(e).__name__})")
        nb_s = f"{t_nb * 1e3:8.2f}ms" if t_nb else "       n/a"
        vs_nb = f"{t_nb / t_ps:8.2f}x" if t_nb else "      n/a"
        print(f"{name:52s} {t_py * 1e3:8.2f}ms {t_ps * 1e3:8.2f}ms {nb_s} {t_py / t_ps:10.1f}x {vs_nb}")
        rows.append({"kernel": name, "n": n, "cpython_s": t_py, "pyston_s": t_ps, "numba_s": t_nb})
    native = [r for r in rows if "a call" not in r["kernel"]]
    geo = statistics.geometric_mean([r["cpython_s"] / r["pyston_s"] for r in native])
    print(f"geometric mean speedup over CPython, native draws: {geo:.1f}x")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"numpy": np.__version__, "rows": rows, "geomean_vs_cpython": geo}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
