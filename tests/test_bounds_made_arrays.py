"""Index checks of `h[v]` where `v`'s values fit an array made in the function.

`h = np.zeros(256, np.int64); h[img[i, j]] += 1`: a uint8 index lies in
[0, 256), and `h` was made with 256 elements, so the access needs neither the
negative-index wraparound nor the bounds check. Indexes that may be negative
(int8) or too large (uint8 into fewer than 256 bins) keep their checks: the
IndexError or the wraparound happens exactly as in Python. Differential:
plain and compiled agree on values, dtypes and exceptions."""

import numpy as np
import pyston
from helpers import assert_same, rng_for


@pyston.fast
def histogram_u8(img):
    h = np.zeros(256, np.int64)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            h[img[i, j]] += 1
    return h


@pyston.fast
def histogram_small(a):
    h = np.zeros(200, np.int64)  # uint8 values 200..255 are out of range
    for i in range(a.shape[0]):
        h[a[i]] += 1
    return h


@pyston.fast
def histogram_i8(a):
    h = np.zeros(256, np.int64)  # int8 values may be negative: they wrap around
    for i in range(a.shape[0]):
        h[a[i]] += 1
    return h


@pyston.fast
def histogram_kw(a):
    h = np.ones(65536, dtype=np.int32)
    for i in range(a.shape[0]):
        h[a[i]] += 1
    return h


@pyston.fast
def bins_masked(a):
    h = np.empty(16, np.float64)
    for k in range(16):
        h[k] = 0.0
    for i in range(a.shape[0]):
        h[int(a[i]) & 15] += 1.0
    return h


def test_histograms():
    rng = rng_for("histogram")
    img = rng.integers(0, 256, (40, 30), dtype=np.uint8)
    assert_same(histogram_u8, img)
    assert_same(histogram_u8, img[::-1, ::3])
    assert_same(histogram_u8, np.zeros((0, 5), np.uint8))
    assert_same(histogram_u8, np.full((3, 3), 255, np.uint8))
    assert_same(histogram_small, rng.integers(0, 200, 100, dtype=np.uint8))
    assert_same(histogram_small, np.array([3, 199, 200, 4], np.uint8))  # IndexError
    assert_same(histogram_i8, rng.integers(-128, 128, 100, dtype=np.int8))
    assert_same(histogram_i8, np.array([-128, 127, -1, 0], np.int8))
    assert_same(histogram_kw, rng.integers(0, 65536, 100, dtype=np.uint16))
    assert_same(histogram_kw, np.array([0, 65535], np.uint16))
    assert_same(bins_masked, rng.integers(-1000, 1000, 50))
