"""Arguments of calls from compiled code into NumPy: tuples of scalars.

A call passing a tuple of ints, floats or bools (a tuple parameter such as
numpy-benchmarks' `check_mask(db, mask=(1, 0, 1))`, a shape, a tuple built in
the loop) reuses the tuple it boxed for the previous call at that place when
the values are the same and nothing else holds it (`helpers::calls::box_arg`).
Differential tests: values that change from one iteration to the next (the
reused tuple must never carry a stale value), values equal under `==` but not
the same (0.0 and -0.0, NaN, ints past the small-int cache, bools), a
parameter passed unchanged, exceptions raised inside such a call (type,
message and the kernel's line), NumPy scalar results of every dtype (read
from the scalar object directly), and reference counts and memory staying
flat over many calls.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, line_of, rng_for, rss_bytes


def check_mask(db, mask=(1, 0, 1)):
    out = np.zeros(db.shape[0], dtype=bool)
    for idx, line in enumerate(db):
        target, vector = line[0], line[1:]
        if (mask == np.bitwise_and(mask, vector)).all():
            if target == 1:
                out[idx] = 1
    return out


def changing_int_tuples(n):
    # a new tuple value every iteration, some repeating (0, 1, 2, 0, ...)
    s = 0
    for i in range(n):
        s += np.zeros((i % 3 + 1, 2)).size
        s += int(np.sum(np.add((i % 3, 1000 + i % 2), 1)))
    return s


def float_tuples(xs):
    # equal under ==, different bits: 0.0 / -0.0; NaN; repeated values
    out = np.zeros((xs.shape[0], 2))
    for i in range(xs.shape[0]):
        out[i] = np.copysign(1.0, (float(xs[i]), 2.5))
    return out


def nan_tuples(xs):
    c = 0
    for i in range(xs.shape[0]):
        c += int(np.isnan((float(xs[i]), 1.0)).sum())
    return c


def big_int_tuples(n, base):
    s = 0
    for i in range(n):
        s += int(np.sum(np.multiply((base + i % 2, 7), 1)))
    return s


def bool_tuples(flags):
    c = 0
    for i in range(flags.shape[0]):
        c += int(np.logical_and((bool(flags[i]), True), True).sum())
    return c


def param_tuple(a, shift=(1, -2, 3)):
    s = 0.0
    for i in range(a.shape[0]):
        s += float(np.sum(np.add(shift, a[i])))
    return s


def bad_tuple(db, mask):
    c = 0
    for line in db:
        if (mask == np.bitwise_and(mask, line[1:])).all():  # @BAD_TUPLE
            c += 1
    return c


def scalar_results(a, b, c, d, e, f, g):
    return (a.sum(), b.sum(), c.max(), d.min(), e.max(), f.any(), g.sum(), a.all(), b.all(), g.max())


@pytest.mark.parametrize("p", [0.5, 0.9, 1.0])
def test_check_mask(p):
    rng = rng_for(f"check_mask{p}")
    db = rng.random((300, 4)) < p
    assert_same(pyston.fast(check_mask), db)
    assert_same(pyston.fast(check_mask), db, (1, 1, 1))
    assert_same(pyston.fast(check_mask), db, (0, 0, 0))


def test_tuples_whose_values_change():
    for n in (0, 1, 2, 7, 50):
        assert_same(pyston.fast(changing_int_tuples), n)


def test_float_tuples_compare_bits():
    xs = np.array([0.0, -0.0, 0.0, -0.0, -0.0, 1.5, 1.5, -1.5, np.inf, -np.inf, 0.0])
    assert_same(pyston.fast(float_tuples), xs)
    assert_same(pyston.fast(float_tuples), rng_for("ft").standard_normal(40))


def test_nan_tuples():
    xs = np.array([np.nan, np.nan, 1.0, np.nan, -np.nan, 0.0])
    assert_same(pyston.fast(nan_tuples), xs)


@pytest.mark.parametrize("base", [0, 250, 255, 256, 257, -6, -5, 10**6, 2**62])
def test_int_tuples_past_the_small_ints(base):
    assert_same(pyston.fast(big_int_tuples), 9, base)


def test_bool_tuples():
    assert_same(pyston.fast(bool_tuples), np.array([1, 0, 0, 1, 1, 1, 0], dtype=bool))


def test_param_tuple_unchanged():
    a = rng_for("param").standard_normal((30, 3))
    assert_same(pyston.fast(param_tuple), a)
    assert_same(pyston.fast(param_tuple), a, (0, 0, 0))
    # the caller's tuple and its (big) ints keep their reference counts
    shift = (10**9, -(10**9), 2**40)
    before = [sys.getrefcount(x) for x in (shift, *shift)]
    f = pyston.fast(param_tuple)
    for _ in range(200):
        f(a, shift)
    assert [sys.getrefcount(x) for x in (shift, *shift)] == before


def test_exception_inside_a_call_with_a_tuple():
    db = np.ones((5, 4), dtype=bool)
    assert_same(pyston.fast(bad_tuple), db, (1, 0))  # broadcast error: same message
    f = pyston.fast(bad_tuple)
    with pytest.raises(ValueError) as exc:
        f(db, (1, 0))
    lines = [fr.lineno for fr in traceback.extract_tb(exc.tb) if fr.filename == __file__]
    assert line_of(__file__, "BAD_TUPLE") in lines


def test_scalar_results_of_every_dtype():
    rng = rng_for("scalars")
    args = (
        rng.integers(-100, 100, 8).astype(np.int8),
        rng.integers(0, 100, 8).astype(np.uint16),
        rng.integers(-(2**31), 2**31 - 1, 8).astype(np.int32),
        rng.standard_normal(8).astype(np.float32),
        rng.integers(0, 2**63, 8, dtype=np.uint64),
        rng.random(8) < 0.5,
        (rng.standard_normal(8) + 1j * rng.standard_normal(8)).astype(np.complex64),
    )
    assert_same(pyston.fast(scalar_results), *args)


def test_memory_and_refcounts_flat_over_many_calls():
    db = np.array(rng_for("mem").random((1000, 4)) < 0.7)
    f = pyston.fast(check_mask)
    g = pyston.fast(big_int_tuples)
    mask = (1, 0, 1)
    f(db, mask)
    g(10, 10**6)
    gc.collect()
    refs = [sys.getrefcount(x) for x in (mask, db)]
    before = rss_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        n = 300 if os.environ.get("PYSTON_QUICK") else 1000
        for _ in range(n):  # 1000 rows each: a million calls into NumPy of each kind
            f(db, mask)
        for _ in range(20):
            g(50_000, 10**6)
    gc.collect()
    grown = (rss_bytes() - before) / (1 << 20)
    assert grown < 20, f"RSS grew by {grown:.1f} MB"
    assert [sys.getrefcount(x) for x in (mask, db)] == refs


def col_sums(a):
    return a.sum(axis=0), np.mean(a, axis=0), np.sum(a, 0, keepdims=True)


@pytest.mark.parametrize("cols", [1, 2, 31, 32, 33, 100, 600])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_column_sums_of_one_array_either_side_of_32_columns(cols, dtype):
    # a lone array summed over axis 0: the fused loop up to 32 columns, NumPy's call past that
    rng = rng_for(f"cols{cols}")
    for rows in (0, 1, 7, 300):
        a = rng.standard_normal((rows, cols)).astype(dtype)
        assert_same(pyston.fast(col_sums), a)
        assert_same(pyston.fast(col_sums), a[:, ::-1])
