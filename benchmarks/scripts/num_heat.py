"""1-D heat equation, explicit finite differences, with a little statistics at the end."""

import math

import numpy as np


def step(u, new, alpha):
    n = u.shape[0]
    new[0] = 0.0
    new[n - 1] = 0.0
    for i in range(1, n - 1):
        new[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])


def total_heat(u, dx):
    s = 0.0
    for i in range(u.shape[0]):
        s += u[i] * dx
    return s


N = 2000
dx = 1.0 / (N - 1)
u = np.array([math.sin(math.pi * i * dx) + 0.3 * math.sin(7 * math.pi * i * dx) for i in range(N)])
new = np.empty_like(u)
print(f"initial heat {total_heat(u, dx):.12f}")
for t in range(1, 3001):
    step(u, new, 0.4)
    u, new = new, u
    if t % 500 == 0:
        print(f"t={t}: heat {total_heat(u, dx):.12f} peak {u.max():.12f}")
