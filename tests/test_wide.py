"""The wide (AVX2 / AVX-512) whole-array kernels, at every vector level.

``np.sum``/``np.mean`` of float64 and float32 arrays, the fusion pass's row
sums and its sums of whole expressions all end in the runtime's pairwise sum
(``core/runtime/src/helpers/wide.rs``), which runs at the widest level the CPU
has. Each level must give NumPy's value bit for bit: every test here runs
plain and compiled at each level (``_pyston.set_isa``) on lengths around the
pairwise sum's blocks (8 partial sums, leaves of 128, windows of 4096), large
arrays, strided, reversed and misaligned views, and NaN/inf/-0.0 placements.
"""

import os
import platform
import subprocess
import sys

import numpy as np
import pyston
import pytest
from helpers import assert_same, native
from pyston import _pyston

# The baseline level is named "sse2" on x86-64 and "base" elsewhere (where it is the only one).
BASE = "sse2" if platform.machine().lower() in ("x86_64", "amd64") else "base"
LEVELS = [BASE, "avx2", "avx512"]

LENGTHS = list(range(0, 300)) + [
    383,
    384,
    385,
    511,
    512,
    513,
    1023,
    1024,
    1025,
    4095,
    4096,
    4097,
    8191,
    8192,
    8193,
]


@pytest.fixture(params=LEVELS)
def level(request):
    got = _pyston.set_isa(request.param)
    if LEVELS.index(got) < LEVELS.index(request.param):
        _pyston.set_isa(None)
        pytest.skip(f"this CPU runs {got}, not {request.param}")
    yield got
    _pyston.set_isa(None)


@pyston.fast
def total(a):
    return np.sum(a)


@pyston.fast
def average(a):
    return a.mean()


@pyston.fast
def row_sums(x):
    return np.sum(x, axis=-1)


@pyston.fast
def product_sum(a, b):
    return np.sum(a * b)


def bits(x):
    """The bits of a float result (scalar or array), for exact comparison."""
    x = np.asarray(x)
    return x.view(np.uint32 if x.dtype == np.float32 else np.uint64).tolist()


def same_bits(fn, *args):
    want = fn.py_func(*args)
    got = fn(*args)
    assert type(got) is type(want)
    assert bits(got) == bits(want), (fn.py_func.__name__, [np.shape(a) for a in args])


def values(rng, n, dtype):
    # Magnitudes over many binades and both signs: any change of the order of
    # additions changes the rounding of such a sum.
    v = rng.standard_normal(n) * np.exp2(rng.integers(-20, 20, n))
    return v.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_every_length_near_the_blocks(level, rng, dtype):
    native(total, np.ones(3, dtype))
    for n in LENGTHS:
        a = values(rng, n + 1, dtype)
        same_bits(total, a[:n])
        same_bits(total, a[1:])  # starts 4 or 8 bytes into the allocation
        if n:
            same_bits(average, a[1:])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_large(level, rng, dtype):
    for n in (100_000, 1_000_003):
        a = values(rng, n, dtype)
        same_bits(total, a)
        same_bits(average, a)
        same_bits(total, a[3:])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_calls_no_numpy(level, rng, dtype):
    a = values(rng, 10_000, dtype)
    total(a)
    before = _pyston.pycall_count()
    total(a)
    assert _pyston.pycall_count() == before


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_strided_reversed_misaligned(level, rng, dtype):
    for n in (7, 9, 128, 129, 1000, 5000):
        a = values(rng, 2 * n + 1, dtype)
        same_bits(total, a[::2])
        same_bits(total, a[::-1])
        same_bits(total, a[n::-1])
        raw = np.zeros(n * a.itemsize + 1, np.uint8)
        view = np.ndarray(n, dtype, buffer=raw, offset=1)  # not aligned to its itemsize
        view[:] = a[:n]
        assert not view.flags.aligned
        assert_same(total, view)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_specials(level, rng, dtype):
    for n in (1, 7, 8, 9, 127, 128, 129, 600, 4097, 20_000):
        for pos in sorted({0, n // 2, n - 1}):
            for v in (np.nan, np.inf, -np.inf, -0.0):
                a = np.full(n, -0.0, dtype)
                a[pos] = v
                assert_same(total, a)
                b = values(rng, n, dtype)
                b[pos] = v
                assert_same(total, b)
        a = np.full(n, -0.0, dtype)
        same_bits(total, a)  # 0.0 + (-0.0 + ...): NumPy's identity makes it +0.0
        a[0], a[-1] = np.inf, -np.inf
        assert_same(total, a)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_sums_and_expression_sums(level, rng, dtype):
    for rows, cols in ((3, 7), (4, 129), (2, 1000), (5, 4097), (1, 100_000)):
        x = values(rng, rows * cols, dtype).reshape(rows, cols)
        assert_same(row_sums, x)
        same_bits(row_sums, x)
    for n in (9, 300, 5000, 100_000):
        a, b = values(rng, n, np.float64), values(rng, n, np.float64)
        assert_same(product_sum, a, b)
        same_bits(product_sum, a, b)
        m = a.reshape(10, -1) if n % 10 == 0 else a.reshape(1, -1)
        same_bits(total, m)


def test_set_isa_names_and_caps():
    try:
        best = _pyston.set_isa(None)
        assert best in LEVELS
        assert _pyston.isa() == best
        for name in LEVELS:
            got = _pyston.set_isa(name)
            assert LEVELS.index(got) == min(LEVELS.index(name), LEVELS.index(best))
            assert _pyston.isa() == got
        assert _pyston.set_isa("BASE") == BASE
        assert _pyston.set_isa("sse2") == BASE
        with pytest.raises(ValueError, match="unknown ISA level 'avx9'"):
            _pyston.set_isa("avx9")
    finally:
        _pyston.set_isa(None)


@pytest.mark.parametrize("name", LEVELS + ["bogus"])
def test_pyston_isa_environment_variable(name):
    best = _pyston.set_isa(None)
    code = (
        "import numpy as np, pyston\n"
        "from pyston import _pyston\n"
        "f = pyston.fast(lambda a: np.sum(a))\n"
        "a = np.random.default_rng(5).standard_normal(100_003) * 1e3\n"
        "assert f(a) == np.sum(a)\n"
        "print(_pyston.isa())\n"
    )
    env = dict(os.environ, PYSTON_ISA=name)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    want = best if name == "bogus" else LEVELS[min(LEVELS.index(name), LEVELS.index(best))]
    assert out.stdout.strip() == want
