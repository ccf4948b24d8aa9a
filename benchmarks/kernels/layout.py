"""Non-contiguous and non-C layouts: strided, reversed, Fortran-ordered views.

The factories build the views; the kernels themselves only index elements.
"""

import numpy as np

from ._registry import register
from .reduction import sum_loop
from .stream import dot


def sum2d(a):
    n, m = a.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += a[i, j]
    return s


register(
    "sum2d_c", sum2d, lambda rng, n: (rng.random((n, n)),),
    size=600, quick=150, category="layout",
    desc="row-major sum of a C-contiguous 2-D array (baseline for the next two)",
)

register(
    "sum2d_fortran_T", sum2d, lambda rng, n: (rng.random((n, n)).T,),
    size=600, quick=150, category="layout",
    desc="same sum over a transposed C array (Fortran layout, strided inner loop)",
)

register(
    "sum2d_strided", sum2d, lambda rng, n: (rng.random((2 * n, 3 * n))[::2, ::3],),
    size=600, quick=150, category="layout",
    desc="same sum over a[::2, ::3] (non-contiguous in both dimensions)",
)

register(
    "sum_strided", sum_loop, lambda rng, n: (rng.random(2 * n)[::2],),
    size=300_000, quick=30_000, category="layout",
    desc="sum_loop over a[::2] (1-D, stride 2)",
)

register(
    "dot_reversed", dot, lambda rng, n: (rng.random(n)[::-1], rng.random(n)[::-1]),
    size=200_000, quick=20_000, category="layout",
    desc="dot over a[::-1], b[::-1] (negative strides)",
)

register(
    "sum2d_f32_fortran", sum2d,
    lambda rng, n: (np.asfortranarray(rng.random((n, n), dtype=np.float32)),),
    size=600, quick=150, category="layout", rtol=1e-3,
    desc="row-major sum of a Fortran-ordered float32 array (NumPy 2 accumulates in float32)",
)


def thomas_planes(ccol, dcol, acol, divided):
    # vadv's forward sweep: whole-array expressions stored into x[:, :, k],
    # views whose rows are strided, the first reading the plane it writes
    for k in range(1, ccol.shape[2]):
        ccol[:, :, k] = ccol[:, :, k] * divided
        dcol[:, :, k] = (dcol[:, :, k] - dcol[:, :, k - 1] * acol) * divided
    return dcol


register(
    "thomas_planes", thomas_planes,
    lambda rng, n: (rng.random((n, n, 40)), rng.random((n, n, 40)), rng.random((n, n)), rng.random((n, n)) + 0.5),
    size=60, quick=20, category="layout",
    desc="x[:, :, k] = e over 40 planes (strided views, e reading the view it writes; npbench vadv)",
)
