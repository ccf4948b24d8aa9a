"""2-D stencils: neighbour access on 2-D arrays."""

import numpy as np

from ._registry import register


def laplace5(u, out):
    n, m = u.shape
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i, j] = u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4.0 * u[i, j]
    return out


register(
    "laplace5", laplace5, lambda rng, n: (rng.random((n, n)), np.zeros((n, n))),
    size=300, quick=100, category="stencil",
    desc="5-point Laplacian of an n x n grid into a preallocated array",
)


def blur3x3(img):
    n, m = img.shape
    out = np.zeros_like(img)
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            s = 0.0
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    s += img[i + di, j + dj]
            out[i, j] = s / 9.0
    return out


register(
    "blur3x3", blur3x3, lambda rng, n: (rng.random((n, n)),),
    size=160, quick=60, category="stencil",
    desc="3x3 box blur with inner offset loops, np.zeros_like output",
)


def life_step(grid, out):
    n, m = grid.shape
    for i in range(n):
        for j in range(m):
            c = 0
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    if di != 0 or dj != 0:
                        c += grid[(i + di) % n, (j + dj) % m]
            if c == 3 or (grid[i, j] == 1 and c == 2):
                out[i, j] = 1
            else:
                out[i, j] = 0
    return out


register(
    "life_step", life_step,
    lambda rng, n: (
        (rng.random((n, n)) < 0.3).astype(np.int32),
        np.zeros((n, n), dtype=np.int32),
    ),
    size=160, quick=48, category="stencil",
    desc="one Game of Life step on a torus, int32 grid, Python % wraparound",
)
