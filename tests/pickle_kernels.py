"""Module-level compiled functions for tests/test_pickle.py (importable in
worker processes, so they pickle by reference)."""

import numpy as np
import pyston


@pyston.fast
def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return s


@pyston.fast(unchecked_int=True)
def wrapping_square(x):
    return x * x


@pyston.njit("float64(float64, float64)")
def nj_add(x, y):
    return x + y


def scaled_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s * 0.5


def make_closure(k):
    @pyston.fast
    def shifted(a):
        out = np.empty_like(a)
        for i in range(a.shape[0]):
            out[i] = a[i] + k
        return out

    return shifted


def compiled_in_worker(f, *args):
    """Runs ``f`` and reports whether it ran compiled code in this process.

    Arrays Dask ships between processes can arrive unaligned, which compiled
    code does not take (the call would run as plain Python): realign them."""
    args = [np.require(a, requirements="A") if isinstance(a, np.ndarray) else a for a in args]
    r = f(*args)
    return r, list(f.signatures), f.options
