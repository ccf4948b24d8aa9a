"""Bounded int draws in loops (`np.random.randint`, `rng.integers`): the range
analysis knows a draw of known bounds lies in [low, high - 1], so `draw - 1`,
a running sum of such steps and `abs()` of that sum need no overflow checks;
the inline draws check the generator they hold with one tagged word
(identity and kind). Differential: each kernel runs plain and compiled from
the same seed; values, types, exceptions and NumPy's state afterwards must
agree, over long streams, with plain NumPy draws interleaved, the generator
swapped or reseeded between calls, and an exception in the middle of a loop.
"""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest


def same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b, (a, b)


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as e:  # noqa: BLE001 -- compared exactly
        return ("raised", type(e), str(e))


def compiled(fn):
    f = pyston.fast(fn)
    return f


def check_legacy(fn, *args, seed=1):
    np.random.seed(seed)
    want = outcome(fn, *args)
    after_plain = np.random.random()
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = outcome(compiled(fn), *args)
    after = np.random.random()
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        same(got[1], want[1])
    else:
        assert got[1:] == want[1:]
    assert after == after_plain  # NumPy's state advanced alike
    return got


def same_state(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same_state(a[k], b[k])
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def check_gen(fn, *args, seed=1, bitgen=np.random.PCG64):
    r1 = np.random.Generator(bitgen(seed))
    want = outcome(fn, r1, *args)
    r2 = np.random.Generator(bitgen(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = outcome(compiled(fn), r2, *args)
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        same(got[1], want[1])
    else:
        assert got[1:] == want[1:]
    same_state(r1.bit_generator.state, r2.bit_generator.state)
    return got


def walk(n, lo, hi):
    pos = 0
    far = 0
    for _ in range(n):
        pos += np.random.randint(lo, hi) - 1
        if abs(pos) > far:
            far = abs(pos)
    return pos, far


def walk_const(n):
    pos = 0
    far = 0
    for _ in range(n):
        pos += np.random.randint(0, 3) - 1
        if abs(pos) > far:
            far = abs(pos)
    return pos, far


def walk_one_arg(n, hi):
    pos = -(2**62)
    lo = 2**62
    for _ in range(n):
        d = np.random.randint(hi) - hi // 2
        pos += d
        lo = min(lo, abs(pos))
    return pos, lo


def walk_start(n, start):
    # The start is a parameter: beyond 2**61 the sum is not proven and keeps its checks
    # (2**63 - 1 overflows into a big int exactly as Python does).
    pos = start
    for _ in range(n):
        pos += np.random.randint(0, 3)
    return pos, abs(pos - 1)


def walk_interleaved(n):
    # Plain NumPy calls (array draws, reseeding) between the native draws.
    pos = 0
    s = 0.0
    for i in range(n):
        pos += np.random.randint(-2, 3) * 3 - 1
        if i % 7 == 3:
            s += float(np.random.random(3).sum())
        if i == 500:
            np.random.seed(99)
    return pos, abs(pos), s


def walk_raises(n, k):
    # `high` drops to `low` at iteration k: NumPy's ValueError mid-loop.
    pos = 0
    for i in range(n):
        pos += np.random.randint(0, k - i + 1) - 1
    return pos


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**32 - 1])
def test_legacy_walk_long_stream(seed):
    check_legacy(walk_const, 100_000, seed=seed)
    check_legacy(walk, 20_000, 0, 3, seed=seed)


@pytest.mark.parametrize(
    "lo,hi",
    [(0, 1), (0, 2), (-5, 5), (1, 7), (-(2**31), 2**31), (0, 2**32 - 1), (0, 2**32), (-(2**62), 2**62),
     (-(2**63), 2**63 - 1), (2**63 - 10, 2**63 - 1), (-(2**63), -(2**63) + 3)],
)
def test_legacy_walk_bounds(lo, hi):
    check_legacy(walk, 3000, lo, hi, seed=lo & 0xFFFF)


def test_legacy_walk_edge_trip_counts():
    for n in (0, 1, 2, 3, 17, 624, 625, 1249):
        check_legacy(walk_const, n, seed=n)
        check_legacy(walk_one_arg, n, 5, seed=n)


def test_legacy_start_beyond_the_proof():
    for start in (0, 2**61 - 5, 2**61 + 5, 2**63 - 2, -(2**63), -(2**63) + 1):
        check_legacy(walk_start, 50, start, seed=3)


def test_legacy_interleaved_with_numpy_calls():
    for seed in (0, 5):
        check_legacy(walk_interleaved, 3000, seed=seed)


def test_legacy_error_mid_loop():
    for k in (0, 3, 40):
        got = check_legacy(walk_raises, 100, k, seed=k)
        assert got[0] == "raised" and got[1] is ValueError


def test_legacy_bounds_not_ints():
    check_legacy(walk, 10, 0.5, 3)  # (NumPy takes a float bound)
    check_legacy(walk, 10, True, 3)
    check_legacy(walk, 10, np.int8(-3), np.int16(300))


def test_legacy_other_bit_generator():
    # set_bit_generator: the RandomState object is the same, its kind is not (the
    # inline draws check identity and kind in one word).
    fast = pyston.fast(walk_const)
    old = np.random.get_bit_generator()
    try:
        for bg in (np.random.PCG64(5), np.random.MT19937(5), np.random.Philox(5)):
            np.random.set_bit_generator(type(bg)(5))
            want = walk_const(2000)
            after = np.random.random()
            np.random.set_bit_generator(type(bg)(5))
            assert fast(2000) == want and np.random.random() == after
    finally:
        np.random.set_bit_generator(old)
    check_legacy(walk_const, 2000, seed=4)


def gen_walk(rng, n, lo, hi):
    pos = 0
    far = 0
    for _ in range(n):
        pos += rng.integers(lo, hi) - 1
        if abs(pos) > far:
            far = abs(pos)
    return pos, far


def gen_walk_py(rng, n):
    pos = 0
    for _ in range(n):
        pos += int(rng.integers(0, 3)) - 1
    return pos, abs(pos)


def gen_dice_one_arg(rng, n):
    total = 0
    for _ in range(n):
        total += rng.integers(6) + rng.integers(1, 7)
    return total


def gen_interleaved(rng, n):
    pos = 0
    s = 0.0
    for i in range(n):
        pos += int(rng.integers(-3, 4)) * 2
        s += rng.standard_normal()
        if i % 11 == 5:
            s += float(rng.random(2).sum())
    return pos, abs(pos), s


def gen_raises(rng, n, k):
    pos = 0
    for i in range(n):
        pos += int(rng.integers(0, k - i)) - 1
    return pos


@pytest.mark.parametrize("seed", [0, 1, 2**63 + 5])
def test_generator_walk_long_stream(seed):
    check_gen(gen_walk, 50_000, 0, 3, seed=seed)
    check_gen(gen_walk_py, 50_000, seed=seed)
    check_gen(gen_dice_one_arg, 20_000, seed=seed)


@pytest.mark.parametrize("lo,hi", [(0, 1), (-5, 5), (0, 2**32 - 1), (0, 2**32), (-(2**63), 2**63 - 1)])
def test_generator_walk_bounds(lo, hi):
    check_gen(gen_walk, 3000, lo, hi, seed=hi & 0xFFFF)


def test_generator_edge_trip_counts_and_interleaving():
    for n in (0, 1, 2, 3, 19, 1000):
        check_gen(gen_walk, n, 0, 3, seed=n)
        check_gen(gen_interleaved, n, seed=n)


def test_generator_error_mid_loop():
    for k in (0, 1, 30):
        got = check_gen(gen_raises, 100, k, seed=k)
        assert got[0] == "raised" and got[1] is ValueError


@pytest.mark.parametrize("bitgen", [np.random.PCG64, np.random.MT19937, np.random.PCG64DXSM, np.random.Philox])
def test_generator_kinds(bitgen):
    check_gen(gen_walk, 3000, -2, 3, seed=7, bitgen=bitgen)
    check_gen(gen_interleaved, 500, seed=7, bitgen=bitgen)


def test_generator_swapped_and_reseeded_between_calls():
    fast = pyston.fast(gen_walk)
    kinds = [np.random.PCG64, np.random.MT19937, np.random.PCG64, np.random.Philox, np.random.PCG64]
    plain_gens = [np.random.Generator(k(i)) for i, k in enumerate(kinds)]
    fast_gens = [np.random.Generator(k(i)) for i, k in enumerate(kinds)]
    for rnd in range(3):
        for a, b in zip(plain_gens, fast_gens):
            assert fast(b, 700, -1, 2) == gen_walk(a, 700, -1, 2)
            same_state(a.bit_generator.state, b.bit_generator.state)
        # reseeded: a new state in the same objects
        for i, (a, b) in enumerate(zip(plain_gens, fast_gens)):
            a.bit_generator.state = type(a.bit_generator)(100 + rnd + i).state
            b.bit_generator.state = type(b.bit_generator)(100 + rnd + i).state


def test_abs_of_int_min_stays_exact():
    # abs() of a Python int that can be -2**63 keeps its check: a big int, as CPython.
    def f(x, n):
        t = 0
        for _ in range(n):
            t = abs(x)
        return t, abs(x - 1), abs(x + 1)

    fast = pyston.fast(f)
    for x in (-(2**63), -(2**63) + 1, 2**63 - 1, 0, -1, 5):
        assert fast(x, 3) == f(x, 3)


def gen_gibbs(rng, n):
    # Gammas (Marsaglia-Tsang on the runtime's ziggurat normals), betas and binomials,
    # each depending on the last; array draws (the runtime's fill) in between.
    theta = 0.5
    k = 2.0
    acc = 0.0
    for i in range(n):
        x = rng.binomial(20 + i % 50, theta)
        theta = rng.beta(k + x, k + 20 - x)
        k = rng.gamma(2.0 + 0.1 * x, 0.5) + 0.1
        acc += theta
        if i % 97 == 0:
            acc += float(rng.standard_normal(5).sum() + rng.standard_exponential(3).sum())
    return acc, k, theta


def gen_big_binomials(rng, n):
    # BTPE (n p > 30) and inversion, the floors of BTPE's candidates included.
    t = 0
    for i in range(n):
        t += rng.binomial(1000 + i, 0.3) + rng.binomial(10 + i % 7, 0.45) + rng.poisson(40.0 + i % 13)
    return t


@pytest.mark.parametrize("seed", [0, 3, 2**40 + 1])
def test_generator_gibbs_and_binomials_long_stream(seed):
    check_gen(gen_gibbs, 20_000, seed=seed)
    check_gen(gen_big_binomials, 20_000, seed=seed)
