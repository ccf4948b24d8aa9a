"""Nested-loop matrix kernels."""

import math

import numpy as np

from ._registry import register


def matmul(A, B):
    n, k = A.shape
    m = B.shape[1]
    C = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            s = 0.0
            for p in range(k):
                s += A[i, p] * B[p, j]
            C[i, j] = s
    return C


register(
    "matmul", matmul, lambda rng, n: (rng.random((n, n)), rng.random((n, n))),
    size=64, quick=24, category="matrix",
    desc="naive triple-loop matrix product, np.zeros output",
)


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


register(
    "pairwise", pairwise, lambda rng, n: (rng.random((n, 3)),),
    size=200, quick=60, category="matrix",
    desc="pairwise Euclidean distances (the DESIGN.md example)",
)


def nbody_energy(pos, vel, mass, steps, dt):
    p = pos.copy()
    v = vel.copy()
    n = p.shape[0]
    for _ in range(steps):
        for i in range(n):
            for j in range(i + 1, n):
                dx = p[i, 0] - p[j, 0]
                dy = p[i, 1] - p[j, 1]
                dz = p[i, 2] - p[j, 2]
                d2 = dx * dx + dy * dy + dz * dz + 0.01
                mag = dt / (d2 * math.sqrt(d2))
                mj = mass[j] * mag
                mi = mass[i] * mag
                v[i, 0] -= dx * mj
                v[i, 1] -= dy * mj
                v[i, 2] -= dz * mj
                v[j, 0] += dx * mi
                v[j, 1] += dy * mi
                v[j, 2] += dz * mi
        for i in range(n):
            p[i, 0] += dt * v[i, 0]
            p[i, 1] += dt * v[i, 1]
            p[i, 2] += dt * v[i, 2]
    e = 0.0
    for i in range(n):
        e += 0.5 * mass[i] * (v[i, 0] * v[i, 0] + v[i, 1] * v[i, 1] + v[i, 2] * v[i, 2])
    return e


register(
    "nbody", nbody_energy,
    lambda rng, n: (rng.normal(size=(n, 3)), rng.normal(size=(n, 3)) * 0.1,
                    rng.random(n) + 0.5, 10, 0.001),
    size=64, quick=20, category="matrix", rtol=1e-7,
    desc="n-body leapfrog on copies of the inputs (.copy(), 2-D +=, math.sqrt)",
)
