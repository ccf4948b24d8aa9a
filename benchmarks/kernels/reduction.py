"""Reductions over 1-D arrays (sequential order: strict mode keeps it)."""

import numpy as np

from ._registry import register


def sum_loop(a):
    s = 0.0
    for x in a:
        s += x
    return s


register(
    "sum_loop", sum_loop, lambda rng, n: (rng.random(n),),
    size=300_000, quick=30_000, category="reduction",
    desc="float64 sum, iterating over the array",
)


def int_sum(a):
    s = 0
    for i in range(len(a)):
        s += a[i]
    return s


register(
    "int_sum_i64", int_sum,
    lambda rng, n: (rng.integers(-1000, 1000, size=n, dtype=np.int64),),
    size=300_000, quick=30_000, category="reduction",
    desc="int64 array sum (NumPy int64 scalar result)",
)


def int32_sum_as_int(a):
    s = 0
    for x in a:
        s += int(x)
    return s


register(
    "int32_sum", int32_sum_as_int,
    lambda rng, n: (rng.integers(-(2**31), 2**31 - 1, size=n, dtype=np.int32),),
    size=300_000, quick=30_000, category="reduction",
    desc="int32 array summed as Python ints (would overflow int32)",
)


def variance(a):
    n = len(a)
    s = 0.0
    for i in range(n):
        s += a[i]
    mean = s / n
    ss = 0.0
    for i in range(n):
        d = a[i] - mean
        ss += d * d
    return ss / n


register(
    "variance", variance, lambda rng, n: (rng.normal(3.0, 2.0, size=n),),
    size=200_000, quick=20_000, category="reduction",
    desc="two-pass variance",
)


def complex_poly_abs(z, c):
    total = 0.0
    m = len(c)
    for i in range(len(z)):
        acc = 0j
        zi = z[i]
        for k in range(m):
            acc = acc * zi + c[k]
        total += abs(acc)
    return total


register(
    "complex_poly", complex_poly_abs,
    lambda rng, n: (
        rng.normal(size=n) + 1j * rng.normal(size=n),
        rng.normal(size=8) + 1j * rng.normal(size=8),
    ),
    size=40_000, quick=4_000, category="reduction",
    desc="sum of |p(z)| for a degree-7 polynomial (Horner) on complex128",
)


def count_above(a, t):
    n = 0
    for i in range(a.shape[0]):
        if a[i] > t:
            n += 1
    return n


register(
    "count_above", count_above, lambda rng, n: (rng.random(n), 0.5),
    size=300_000, quick=30_000, category="reduction",
    desc="count of float64 elements above a threshold (unpredictable branch)",
)


def sum_above(a, t):
    s = 0.0
    for i in range(a.shape[0]):
        if a[i] > t:
            s += a[i]
    return s


register(
    "sum_above", sum_above, lambda rng, n: (rng.random(n), 0.5),
    size=300_000, quick=30_000, category="reduction",
    desc="conditional float64 sum in source order (unpredictable branch)",
)


def clamp_count(a, lo, hi):
    n = 0
    for i in range(a.shape[0]):
        if a[i] < lo:
            a[i] = lo
            n += 1
        elif a[i] > hi:
            a[i] = hi
            n += 1
    return n


register(
    "clamp_count", clamp_count, lambda rng, n: (rng.random(n), 0.2, 0.8),
    size=300_000, quick=30_000, category="reduction",
    desc="clamp a float64 array in place, counting clamped elements (in place: later calls find nothing to clamp)",
)
