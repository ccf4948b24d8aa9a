"""``numpy.random`` inside compiled code: NumPy's own stream.

Compiled code calls NumPy's global generator itself (typed by a fixed rule,
never probed: a probe would draw numbers), so for the same seed it produces
the same values as plain Python, and after a compiled call plain NumPy
continues the same sequence. Every test runs the kernel plain and compiled
from the same seed and compares values (bit for bit), types, dtypes and shapes.
"""

from __future__ import annotations

import pathlib
import sys
import warnings

import numpy as np
import pyston

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))
import pytest

from benchmarks.never_slower import monte_carlo_pi  # noqa: E402 (seeds, then draws)


def same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    assert type(a) is type(b), (a, b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b or (a != a and b != b), (a, b)


def compiled(fn):
    f = pyston.fast(fn)
    return f


def run_both(fn, *args, seed=1234):
    np.random.seed(seed)
    want = fn(*args)
    after_plain = np.random.random()
    f = compiled(fn)
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)  # must compile
        got = f(*args)
    after_compiled = np.random.random()
    same(got, want)
    assert after_plain == after_compiled  # NumPy's state advanced exactly alike
    return got


def random_walk(n, step):
    x = 0.0
    path = np.empty(n)
    for i in range(n):
        x += np.random.normal(0.0, step)
        path[i] = x
    return path


def every_scalar_draw():
    return (
        np.random.random(),
        np.random.random_sample(),
        np.random.rand(),
        np.random.randn(),
        np.random.standard_normal(),
        np.random.normal(1.5, 0.5),
        np.random.uniform(-2.0, 3.0),
        np.random.exponential(2.0),
        np.random.standard_exponential(),
        np.random.gamma(2.0, 1.5),
        np.random.beta(0.5, 0.5),
        np.random.lognormal(0.0, 0.25),
        np.random.laplace(0.0, 1.0),
        np.random.logistic(1.0, 2.0),
        np.random.standard_cauchy(),
        np.random.randint(0, 100),
        np.random.randint(5),
        np.random.poisson(3.5),
        np.random.binomial(20, 0.3),
        np.random.geometric(0.25),
    )


def sized_draws(n):
    return (
        np.random.random(n),
        np.random.rand(2, 3),
        np.random.randn(4),
        np.random.normal(0.0, 1.0, (2, n)),
        np.random.uniform(0.0, 1.0, size=n),
        np.random.randint(0, 10, (3, 3)),
        np.random.poisson(2.0, n),
        np.random.standard_normal(size=(n,)),
    )


def reseeds(seed):
    a = np.random.random()
    np.random.seed(seed)
    b = np.random.random()
    return a, b


@pytest.mark.parametrize("seed", [0, 1, 2**31 - 1])
def test_monte_carlo_stream_matches(seed):
    run_both(monte_carlo_pi, 2000, seed, seed=seed)


def test_random_walk_stream_matches():
    run_both(random_walk, 500, 0.1)


def test_every_scalar_draw_matches_value_and_type():
    got = run_both(every_scalar_draw)
    assert [type(x) for x in got] == [float] * 15 + [int] * 5


def test_sized_draws_match_shape_dtype_and_values():
    got = run_both(sized_draws, 5)
    assert [g.shape for g in got] == [(5,), (2, 3), (4,), (2, 5), (5,), (3, 3), (5,), (5,)]


def test_seed_inside_compiled_code():
    a, b = run_both(reseeds, 99)
    np.random.seed(99)
    assert b == np.random.random()


def test_long_interleaved_sequence():
    # Compiled and plain calls alternate on one stream: the values are NumPy's.
    f = pyston.fast(random_walk)
    np.random.seed(5)
    plain = [random_walk(50, 1.0) if k % 2 else np.random.random(3) for k in range(20)]
    np.random.seed(5)
    mixed = [f(50, 1.0) if k % 2 else np.random.random(3) for k in range(20)]
    for a, b in zip(plain, mixed):
        np.testing.assert_array_equal(a, b)


def test_array_arguments_fall_back_exactly():
    # loc as an array broadcasts: not compiled yet, so the call runs as plain Python.
    def f(loc):
        return np.random.normal(loc, 1.0)

    loc = np.arange(3.0)
    np.random.seed(3)
    want = f(loc)
    np.random.seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        got = pyston.fast(f)(loc)
    np.testing.assert_array_equal(got, want)
