"""1-D streaming kernels: one pass over contiguous arrays."""

import numpy as np

from ._registry import register


def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s


register(
    "dot", dot, lambda rng, n: (rng.random(n), rng.random(n)),
    size=200_000, quick=20_000, category="stream",
    desc="dot product of two float64 vectors",
)


def axpy(alpha, x, y, out):
    for i in range(len(x)):
        out[i] = alpha * x[i] + y[i]
    return out


register(
    "axpy", axpy, lambda rng, n: (1.5, rng.random(n), rng.random(n), np.empty(n)),
    size=200_000, quick=20_000, category="stream",
    desc="out = alpha*x + y written into a preallocated float64 array",
)

register(
    "axpy_f32", axpy,
    lambda rng, n: (
        1.5,
        rng.random(n, dtype=np.float32),
        rng.random(n, dtype=np.float32),
        np.empty(n, dtype=np.float32),
    ),
    size=200_000, quick=20_000, category="stream", rtol=1e-6,
    desc="the same axpy on float32 arrays (NumPy 2 keeps the math in float32)",
)


def prefix_sum(a):
    out = np.empty_like(a)
    s = 0.0
    for i in range(len(a)):
        s += a[i]
        out[i] = s
    return out


register(
    "prefix_sum", prefix_sum, lambda rng, n: (rng.random(n),),
    size=200_000, quick=20_000, category="stream",
    desc="inclusive prefix sum into np.empty_like",
)


def clip_abs(a, lo, hi):
    out = np.empty_like(a)
    for i in range(len(a)):
        out[i] = min(max(abs(a[i]), lo), hi)
    return out


register(
    "clip_abs", clip_abs, lambda rng, n: (rng.normal(size=n), 0.1, 1.5),
    size=200_000, quick=20_000, category="stream",
    desc="out[i] = clip(|a[i]|, lo, hi) with builtin abs/min/max",
)


def argmax(a):
    best = a[0]
    idx = 0
    for i in range(1, len(a)):
        if a[i] > best:
            best = a[i]
            idx = i
    return idx


register(
    "argmax", argmax, lambda rng, n: (rng.random(n),),
    size=300_000, quick=30_000, category="stream",
    desc="index of the maximum (compare-and-branch loop)",
)


def minmax(a):
    lo = a[0]
    hi = a[0]
    for x in a:
        if x < lo:
            lo = x
        elif x > hi:
            hi = x
    return lo, hi


register(
    "minmax", minmax, lambda rng, n: (rng.normal(size=n),),
    size=300_000, quick=30_000, category="stream",
    desc="(min, max) tuple, iterating directly over the array",
)
