"""Numba's typed containers (`numba.typed.List` / `Dict`): CPython vs `pyston.njit` vs Numba.

Each kernel is written once against a `typed` module and a `types` module:
CPython runs it with pyston's `pyston.numba.typed` classes (Python classes that
convert every stored item as Numba does), `pyston.njit` compiles the same
function (checked to run natively: no PerformanceWarning), and Numba compiles it
against its own `numba.typed` / `numba.types`. Times are medians of `--repeat`
runs after a warm-up call; ratios are CPython time / the other's time.

    python benchmarks/typed_containers.py [--repeat 7] [--n 200000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types as pytypes
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402
import pyston.numba as pnb  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None

typed = pnb.typed
types = pnb.types


def build_list(n):
    lst = typed.List.empty_list(types.float64)
    for i in range(n):
        lst.append(i * 0.5)
    return lst


def sum_list(lst):
    s = 0.0
    for x in lst:
        s += x
    return s


def count_dict(n):
    d = typed.Dict.empty(key_type=types.int64, value_type=types.int64)
    for i in range(n):
        k = (i * 7919) % 1000
        d[k] = d.get(k, 0) + 1
    return d


def rebind(fn, mod_typed, mod_types):
    g = dict(fn.__globals__, typed=mod_typed, types=mod_types)
    return pytypes.FunctionType(fn.__code__, g, fn.__name__)


def median_time(fn, args, repeat):
    fn(*args)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--n", type=int, default=200_000)
    o = ap.parse_args()
    n = o.n
    cases = [
        ("build typed.List(float64) by append", build_list, lambda m: (n,)),
        ("sum a typed.List(float64) argument", sum_list, lambda m: (m.List([i * 0.5 for i in range(n)]),)),
        ("count into typed.Dict(int64, int64)", count_dict, lambda m: (n,)),
    ]
    print(f"n = {n}, medians of {o.repeat} runs (CPython / x: higher is faster)")
    print(f"{'kernel':40s} {'CPython':>10s} {'pyston.njit':>12s} {'Numba':>10s} {'pyston x':>9s} {'Numba x':>8s}")
    for name, fn, make in cases:
        args = make(typed)
        t_py = median_time(fn, args, o.repeat)
        f = pnb.njit(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)
            want = fn(*args)
            got = f(*args)
        assert type(got) is type(want) and got == want, (name, got, want)
        t_ps = median_time(f, args, o.repeat)
        t_nb = float("nan")
        if numba is not None:
            g = numba.njit(rebind(fn, numba.typed, numba.types))
            nargs = make(numba.typed)
            t_nb = median_time(g, nargs, o.repeat)
        print(
            f"{name:40s} {t_py * 1e3:9.2f}ms {t_ps * 1e3:11.2f}ms {t_nb * 1e3:9.2f}ms "
            f"{t_py / t_ps:8.1f}x {t_py / t_nb:7.1f}x"
        )


if __name__ == "__main__":
    main()
