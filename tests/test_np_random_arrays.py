"""Small arrays of ``numpy.random`` draws made per loop iteration, and the
arrays compiled code makes and drops in loops (reused for the next array of
the same dtype and shape, ``helpers::arrays::drop_temp``).

Differential: each kernel runs plain and compiled from the same seed; the
values (bit for bit), types, dtypes and shapes must agree, and NumPy's state
afterwards too (legacy ``np.random`` and ``default_rng`` Generators). Arrays
that something still refers to (a list, a view, a variable of a later
iteration) must never be reused: their values are checked after the loop.
"""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest


def same(a, b):
    if isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    assert type(a) is type(b), (a, b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides
        assert a.flags.c_contiguous == b.flags.c_contiguous and a.flags.writeable == b.flags.writeable
        np.testing.assert_array_equal(a, b)
        assert a.tobytes() == b.tobytes()
    else:
        assert a == b or (a != a and b != b), (a, b)


def compiled(fn):
    f = pyston.fast(fn)
    return f


def run_legacy(fn, *args, seed=1234):
    np.random.seed(seed)
    want = fn(*args)
    after_plain = np.random.get_state(legacy=False)
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)  # must compile
        got = compiled(fn)(*args)
    after = np.random.get_state(legacy=False)
    same(got, want)
    assert after_plain["state"]["pos"] == after["state"]["pos"]
    assert np.array_equal(after_plain["state"]["key"], after["state"]["key"])
    assert (after_plain["has_gauss"], after_plain["gauss"]) == (after["has_gauss"], after["gauss"])
    assert np.random.random() == (np.random.seed(seed), fn(*args), np.random.random())[2]
    return got


def same_state(a, b):
    if isinstance(a, dict):
        assert type(b) is dict and a.keys() == b.keys()
        for k in a:
            same_state(a[k], b[k])
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    else:
        assert a == b


def run_gen(fn, *args, seed=2024, bitgen=np.random.PCG64):
    r1 = np.random.Generator(bitgen(seed))
    want = fn(r1, *args)
    r2 = np.random.Generator(bitgen(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = compiled(fn)(r2, *args)
    same(got, want)
    same_state(r1.bit_generator.state, r2.bit_generator.state)
    assert r1.random() == r2.random()
    return got


# -- legacy np.random: small arrays per iteration ---------------------------


def rand_points(n):
    inside = 0
    acc = 0.0
    for _ in range(n):
        p = np.random.rand(3)
        acc += p[0] - p[2]
        if p[0] * p[0] + p[1] * p[1] + p[2] * p[2] < 1.0:
            inside += 1
    return inside, acc


def mixed_sized_draws(n):
    acc = 0.0
    k = 0
    for i in range(n):
        a = np.random.random(2)
        b = np.random.randn(3)
        c = np.random.randint(0, 7, 4)
        d = np.random.normal(1.0, 2.0, size=(2, 2))
        e = np.random.uniform(-1.0, 1.0, size=i % 4 + 1)
        acc += a[1] + b[2] + d[1, 0] + e[e.shape[0] - 1]
        k += c[3]
    return acc, k


def scalar_and_array_draws(n):
    # Scalars between the arrays, from the same stream (and the kept gaussian).
    acc = 0.0
    for _ in range(n):
        acc += np.random.standard_normal()
        z = np.random.standard_normal(3)
        acc += z[0] * z[1] - z[2] + np.random.random()
    return acc


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**31 - 1])
def test_rand3_per_iteration(seed):
    run_legacy(rand_points, 5000, seed=seed)


@pytest.mark.parametrize("n", [0, 1, 7, 700])
def test_sized_draws_per_iteration(n):
    run_legacy(mixed_sized_draws, n)


def test_scalars_and_arrays_share_the_stream():
    # Past MT19937's regeneration (624 words) several times.
    run_legacy(scalar_and_array_draws, 3000)


def draws_kept(n):
    kept = []
    views = []
    for i in range(n):
        p = np.random.rand(3)
        if i % 3 == 0:
            kept.append(p)  # referenced by the list: never reused
        elif i % 3 == 1:
            views.append(p[1:])  # its view holds it
    return kept, views


def test_arrays_still_referenced_are_not_reused():
    kept, views = run_legacy(draws_kept, 600)
    assert len({id(a) for a in kept}) == len(kept)
    assert len({id(v.base) for v in views}) == len(views)


def last_two(n):
    prev = np.random.rand(3)
    cur = prev
    for _ in range(n):
        prev = cur
        cur = np.random.rand(3)
    return prev, cur


def test_previous_iterations_array_kept_in_a_variable():
    prev, cur = run_legacy(last_two, 50)
    assert prev is not cur


def interleaved(n):
    # NumPy's own calls (a NumPy float64 argument is not drawn natively) between.
    acc = 0.0
    lo = np.float64(0.0)
    for _ in range(n):
        p = np.random.rand(2)
        q = np.random.uniform(lo, 1.0)
        r = np.random.normal(lo, 1.0)
        acc += p[0] + q + p[1] * r
    return acc


def test_array_draws_interleave_with_numpys_calls():
    run_legacy(interleaved, 400)


def test_plain_numpy_continues_the_stream():
    f = compiled(rand_points)
    np.random.seed(5)
    a = f(100)
    b = np.random.rand(3)
    np.random.seed(5)
    c = rand_points(100)
    d = np.random.rand(3)
    assert a == c and b.tobytes() == d.tobytes()


# -- Generators --------------------------------------------------------------


def walk3d(rng, n):
    x = y = z = 0.0
    far = 0.0
    for _ in range(n):
        step = rng.normal(0.0, 1.0, size=3)
        x += step[0]
        y += step[1]
        z += step[2]
        far = max(far, x * x + y * y + z * z)
    return far, x


def gen_mixed(rng, n):
    acc = 0.0
    k = 0
    for i in range(n):
        a = rng.random(3)
        b = rng.standard_normal(2)
        c = rng.integers(0, 1000, size=(2, 3))
        d = rng.exponential(2.0, size=2)
        e = rng.uniform(0.0, 5.0, size=i % 3 + 1)
        acc += a[2] + b[0] + d[1] + e[0] + rng.random()
        k += c[1, 2] - c[0, 0]
    return acc, k


@pytest.mark.parametrize("bitgen", [np.random.PCG64, np.random.MT19937, np.random.Philox])
@pytest.mark.parametrize("seed", [0, 2024])
def test_generator_small_arrays(bitgen, seed):
    run_gen(walk3d, 3000, seed=seed, bitgen=bitgen)
    run_gen(gen_mixed, 500, seed=seed, bitgen=bitgen)


def gen_kept(rng, n):
    out = []
    for i in range(n):
        s = rng.standard_normal(4)
        if i % 5 == 0:
            out.append(s)
    return out


def test_generator_arrays_kept_in_a_list():
    out = run_gen(gen_kept, 500)
    assert len({id(a) for a in out}) == len(out)


def gen_errors(rng, n, scale):
    acc = 0.0
    for _ in range(n):
        s = rng.normal(0.0, scale, size=2)
        acc += s[0]
    return acc


@pytest.mark.parametrize("scale", [-1.0, float("nan"), -0.0, 0.0])
def test_generator_array_draw_errors_are_numpys(scale):
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    try:
        want = gen_errors(r1, 5, scale)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)) as got:
            compiled(gen_errors)(r2, 5, scale)
        assert str(got.value) == str(e)
    else:
        same(compiled(gen_errors)(r2, 5, scale), want)
    same_state(r1.bit_generator.state, r2.bit_generator.state)


def reversed_ranges(n, lo, hi):
    acc = 0.0
    for _ in range(n):
        u = np.random.uniform(lo, hi, size=3)
        acc += u[0] + u[2]
    return acc


@pytest.mark.parametrize("lo,hi", [(1.0, -1.0), (0.0, 0.0), (-1e308, 1e308), (0.0, float("inf")), (float("nan"), 1.0)])
def test_legacy_uniform_array_ranges(lo, hi):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.random.seed(9)
        try:
            want = reversed_ranges(20, lo, hi)
        except Exception as e:  # noqa: BLE001
            np.random.seed(9)
            with pytest.raises(type(e)) as got:
                compiled(reversed_ranges)(20, lo, hi)
            assert str(got.value) == str(e)
        else:
            after = np.random.random()
            np.random.seed(9)
            same(compiled(reversed_ranges)(20, lo, hi), want)
            assert np.random.random() == after


def gen_ranges(rng, n, lo, hi):
    acc = 0.0
    for _ in range(n):
        u = rng.uniform(lo, hi, size=2)
        z = rng.normal(lo, 1.0, size=2)
        acc += u[0] + u[1] + z[1]
    return acc


@pytest.mark.parametrize("lo,hi", [(1.0, -1.0), (0.0, 0.0), (-1e308, 1e308), (float("nan"), 1.0), (-2.0, 3.0)])
def test_generator_uniform_and_normal_array_parameters(lo, hi):
    r1, r2 = np.random.default_rng(11), np.random.default_rng(11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            want = gen_ranges(r1, 20, lo, hi)
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)) as got:
                compiled(gen_ranges)(r2, 20, lo, hi)
            assert str(got.value) == str(e)
        else:
            same(compiled(gen_ranges)(r2, 20, lo, hi), want)
    same_state(r1.bit_generator.state, r2.bit_generator.state)


def negative_size(n):
    acc = 0.0
    for i in range(n):
        p = np.random.rand(2 - i)
        acc += p.sum()
    return acc


def test_negative_dimension_raises_as_numpy():
    np.random.seed(1)
    with pytest.raises(ValueError) as want:
        negative_size(5)
    np.random.seed(1)
    with pytest.raises(ValueError) as got:
        compiled(negative_size)(5)
    assert str(got.value) == str(want.value)


# -- arrays made and dropped in loops (np.empty/zeros/ones) -------------------


def fresh_arrays(n):
    acc = 0.0
    for i in range(n):
        a = np.empty(3)
        a[0] = i
        a[1] = 2.0 * i
        a[2] = -1.0
        z = np.zeros(3)  # may reuse the previous iteration's `a`: must be zeros
        o = np.ones(3)
        acc += a[0] + a[1] + z[0] + z[1] + z[2] + o[2]
        w = np.zeros((2, 2), np.int64)
        w[1, 1] = i
        acc += w[0, 0] + w[0, 1] + w[1, 0] + w[1, 1]
    return acc


def test_zeros_and_ones_after_reuse():
    same(compiled(fresh_arrays)(2000), fresh_arrays(2000))


def zeros_kept(n):
    out = []
    for i in range(n):
        z = np.zeros(4, np.int32)
        z[i % 4] = i
        if i % 2:
            out.append(z)
    return out


def test_zeros_kept_are_distinct():
    want = zeros_kept(300)
    got = compiled(zeros_kept)(300)
    same(got, want)
    assert len({id(a) for a in got}) == len(got)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int8, np.uint16, np.bool_, np.complex128])
def test_zeros_of_every_dtype_after_reuse(dtype):
    def kernel(n):
        acc = 0
        for i in range(n):
            a = np.ones(5, dtype)
            b = np.zeros(5, dtype)
            acc += int(a[i % 5] != 0) + int(b[i % 5] != 0)
        return acc

    assert compiled(kernel)(500) == kernel(500) == 500


def held_in_containers(n):
    rows = []
    pairs = []
    for i in range(n):
        a = np.zeros(2)
        a[0] = i
        b = np.random.rand(2)
        if i % 4 == 0:
            rows.append([a, b])
        if i % 4 == 1:
            pairs.append((i, b))
    return rows, pairs


def test_arrays_held_by_lists_and_tuples_are_not_reused():
    np.random.seed(3)
    want = held_in_containers(200)
    np.random.seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = compiled(held_in_containers)(200)
    same(got, want)
    ids = [id(a) for row in got[0] for a in row] + [id(b) for _, b in got[1]]
    assert len(set(ids)) == len(ids)
