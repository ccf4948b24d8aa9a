"""Memory over many calls: deoptimizing calls, raising calls, temporaries in loops.

Run: python benchmarks/memory.py   (prints RSS and CPython allocated-block growth)
"""

from __future__ import annotations

import gc
import sys

import numpy as np
import pyston


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pyston.fast
def overflows(n):
    r = 1
    for i in range(2, n):
        r *= i
    return r % 1000


@pyston.fast
def complex_root(x):
    y = x ** 0.5  # a negative x gives a complex: deoptimizes on every call
    return y * 2


@pyston.fast
def out_of_range(a, i):
    return a[i]


@pyston.fast
def divides(a, b):
    return a // b


@pyston.fast
def temporaries(a, n):
    # (fused into one pass since the numeric tier fuses array expressions)
    s = 0.0
    for _ in range(n):
        t = a * 2.0 + 1.0
        s += t[0]
    return s


@pyston.fast
def running_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
        yield m


@pyston.fast
def powers(base, n):
    x = 1
    for _ in range(n):
        x *= base  # past 64 bits mid-generator: a deopt, then boxed ints kept in the state
        yield x


def measure(name, fn, calls, warmup=1000):
    for _ in range(warmup):  # warm up: compile, fill caches
        fn()
    gc.collect()
    rss0, blocks0 = rss_mib(), sys.getallocatedblocks()
    for _ in range(calls):
        fn()
    gc.collect()
    rss1, blocks1 = rss_mib(), sys.getallocatedblocks()
    print(f"{name:<44} {calls:>9,} calls   RSS {rss1 - rss0:+7.2f} MiB   blocks {blocks1 - blocks0:+7d}")


def main():
    a = np.arange(10.0)

    def raising_index():
        try:
            out_of_range(a, 99)
        except IndexError:
            pass

    def raising_zero():
        try:
            divides(1, 0)
        except ZeroDivisionError:
            pass

    print(f"pyston {pyston.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    measure("deoptimizing (float ** 0.5 -> complex)", lambda: complex_root(-2.0), 100_000)
    measure("int overflow (boxed after the 2nd call)", lambda: overflows(25), 100_000)
    measure("raising IndexError", raising_index, 100_000)
    measure("raising ZeroDivisionError", raising_zero, 100_000)
    measure("1,000 loop temporaries per call", lambda: temporaries(a, 1000), 1_000, warmup=10)

    def half_consumed():
        g = running_max(a)
        next(g)
        next(g)
        next(g)

    def big_int_generator():
        g = powers(3, 50)
        for _ in range(45):
            next(g)

    measure("compiled generator abandoned half-way", half_consumed, 1_000_000)
    measure("generator deopting mid-step, big ints held", big_int_generator, 100_000)
    big = np.ones(1000)
    measure("temporary of 8 KB x 1,000,000 iterations", lambda: temporaries(big, 1_000_000), 1, warmup=1)
    # a * 2.0 + 1.0 is a fused expression; with an inf in `a` every evaluation
    # drops the fused result and runs the NumPy calls instead.
    with np.errstate(all="ignore"):
        inf = np.full(1000, np.inf)
        measure("fused expression falling back x 100,000", lambda: temporaries(inf, 100_000), 1, warmup=1)


if __name__ == "__main__":
    main()
