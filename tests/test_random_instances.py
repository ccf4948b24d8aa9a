"""`random.Random` instances in compiled code: made inside (`random.Random(seed)`,
CPython's constructor and seeding), passed in, or module globals; their
methods typed as the module's functions and drawn natively from the
instance's own Mersenne Twister where those are (`random`, `uniform`,
`randint`, `randrange`, `getrandbits`), CPython's own methods otherwise.
Differential against plain Python: the same numbers for the same seed, and
the same state afterwards (the state is the object's). Subclasses of Random
stay plain Python."""

import random
import threading
import warnings

import pyston
import pytest
from helpers import I64_MAX, I64_MIN, assert_equal_exact, assert_same, native, rss_bytes
from pyston import _pyston as P

# --------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------


@pyston.fast
def draws_inside(seed, n):
    r = random.Random(seed)
    out = []
    for _ in range(n):
        out.append(r.random())
    return out


@pyston.fast
def mc_pi(r, n):
    inside = 0
    for _ in range(n):
        x = r.random()
        y = r.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n


@pyston.fast
def int_draws(r, n, a, b):
    out = []
    for _ in range(n):
        out.append(r.randint(a, b))
        out.append(r.randrange(b - a + 1))
        out.append(r.randrange(a, b + 1))
    return out


@pyston.fast
def bits_draws(r, n, k):
    out = []
    for _ in range(n):
        out.append(r.getrandbits(k))
    return out


@pyston.fast
def uniform_draws(r, n, a, b):
    out = []
    for _ in range(n):
        out.append(r.uniform(a, b))
    return out


@pyston.fast
def other_draws(r, n):
    t = 0.0
    for _ in range(n):
        t += r.gauss(0.0, 1.0) + r.normalvariate(1.0, 2.0) + r.expovariate(2.0)
        t += r.lognormvariate(0.0, 0.5) + r.vonmisesvariate(1.0, 2.0) + r.gammavariate(2.0, 1.5)
        t += r.betavariate(2.0, 3.0) + r.paretovariate(3.0) + r.weibullvariate(1.0, 1.5)
        t += r.triangular(0.0, 1.0, 0.3)
    return t


@pyston.fast
def odd_gauss(r, n):
    # an odd number of gaussians leaves the second of a pair in r.gauss_next
    t = 0.0
    for _ in range(n):
        t += r.gauss(0.0, 1.0)
    return t


@pyston.fast
def two_instances(r, seed, n):
    s = random.Random(seed)
    t = 0.0
    k = 0
    for _ in range(n):
        t += r.random() - s.random()
        k += r.randint(1, 6) * s.randint(1, 6)
    return t, k, s


@pyston.fast
def reseeded(r, seed, n):
    r.seed(seed)
    t = 0.0
    for _ in range(n):
        t += r.random()
    return t


@pyston.fast
def returns_it(r, n):
    for _ in range(n):
        r.random()
    return r


@pyston.fast
def made_and_returned(seed):
    r = random.Random(seed)
    x = r.random()
    return x, r


@pyston.fast
def unseeded():
    return random.Random()


@pyston.fast
def choose(r, xs, n):
    t = 0
    for _ in range(n):
        t += r.choice(xs)
    r.shuffle(xs)
    return t, r.choice([2.5, 3.5])


@pyston.fast
def module_choose(xs, n):
    t = 0
    for _ in range(n):
        t += random.choice(xs)
    random.shuffle(xs)
    return t


R = random.Random(2024)


@pyston.fast
def global_draws(n):
    t = 0.0
    for _ in range(n):
        t += R.random()
    return t


# --------------------------------------------------------------------------
# the same stream as CPython
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 311, 312, 313, 10_000])
@pytest.mark.parametrize("seed", [0, 1, 12345, -7, 2**100])
def test_created_inside_same_stream(seed, n):
    # 312 draws = 624 words: the state's regeneration at the boundary
    got = assert_same(draws_inside, seed, n)
    ref = random.Random(seed)
    assert got == [ref.random() for _ in range(n)]


def test_long_sequences_value_for_value():
    r = random.Random(77)
    ref = random.Random(77)
    got = draws_inside(77, 10_000)
    assert got == [ref.random() for _ in range(10_000)]
    ref = random.Random(77)
    got = int_draws(r, 10_000 // 3, -3, 1000)
    want = []
    for _ in range(10_000 // 3):
        want += [ref.randint(-3, 1000), ref.randrange(1004), ref.randrange(-3, 1001)]
    assert got == want
    assert r.getstate() == ref.getstate()


@pytest.mark.parametrize("n", [1, 2, 312, 5000])
def test_instance_argument(n):
    assert_same(mc_pi, random.Random(5), n)  # (the argument's state afterwards is compared too)


@pytest.mark.parametrize(
    "a,b",
    [(0, 0), (1, 6), (-5, 5), (-(2**40), 2**40), (0, 2**31), (0, 2**32), (0, 2**32 + 1), (5, 2**61)],
)
def test_int_draws(a, b):
    assert_same(int_draws, random.Random(a ^ b), 200, a, b)


def test_draws_beyond_the_native_range_run_cpythons_method():
    assert_same(int_draws, random.Random(3), 50, -(2**62), 2**62)
    assert_same(int_draws, random.Random(3), 20, I64_MIN, I64_MAX - 1)
    assert_same(bits_draws, random.Random(3), 50, 64)


@pytest.mark.parametrize("k", [1, 5, 31, 32, 33, 40, 63])
def test_getrandbits(k):
    assert_same(bits_draws, random.Random(k), 300, k)


@pytest.mark.parametrize(
    "a,b", [(1, 7), (1.5, 7), (3, -2.25), (-1e300, 1e300), (2**53 + 1, 2**60), (0.0, 0.0)]
)
def test_uniform(a, b):
    assert_same(uniform_draws, random.Random(11), 100, a, b)


def test_other_distributions_through_cpythons_methods():
    assert_same(other_draws, random.Random(8), 300)


@pytest.mark.parametrize("n", [1, 2, 7])
def test_gauss_next_is_the_instances(n):
    r, ref = random.Random(4), random.Random(4)
    assert odd_gauss(r, n) == odd_gauss.py_func(ref, n)
    assert r.gauss_next == ref.gauss_next
    # plain Python continues with the cached second value
    assert [r.gauss(0.0, 1.0) for _ in range(3)] == [ref.gauss(0.0, 1.0) for _ in range(3)]


def test_interleaved_with_plain_calls_on_the_same_instance():
    r, ref = random.Random(99), random.Random(99)
    got = [r.random(), r.randint(1, 9), mc_pi(r, 100), r.random(), bits_draws(r, 5, 20), r.gauss(0.0, 1.0)]
    got += [other_draws(r, 3), r.random(), int_draws(r, 4, 0, 9), r.getrandbits(33)]
    want = [
        ref.random(),
        ref.randint(1, 9),
        mc_pi.py_func(ref, 100),
        ref.random(),
        bits_draws.py_func(ref, 5, 20),
    ]
    want += [ref.gauss(0.0, 1.0), other_draws.py_func(ref, 3), ref.random(), int_draws.py_func(ref, 4, 0, 9)]
    want += [ref.getrandbits(33)]
    assert got == want
    assert r.getstate() == ref.getstate()


def test_two_instances_in_one_function():
    res = assert_same(two_instances, random.Random(1), 2, 1000)
    assert type(res[2]) is random.Random


def test_seed_inside_compiled_code():
    r = random.Random(1)
    assert_same(reseeded, r, 7, 100)
    assert_same(reseeded, r, "a str seed", 10)
    assert_same(reseeded, r, 2**80 + 1, 10)
    reseeded(r, 7, 100)
    assert r.random() == (lambda q: ([q.random() for _ in range(100)], q.random())[1])(random.Random(7))


def test_the_instance_goes_back_out_as_itself():
    r = random.Random(3)
    assert returns_it(r, 10) is r
    ref = random.Random(3)
    [ref.random() for _ in range(10)]
    assert r.getstate() == ref.getstate()
    x, s = made_and_returned(42)
    ref = random.Random(42)
    assert type(s) is random.Random and x == ref.random() and s.getstate() == ref.getstate()
    native(made_and_returned, 1)
    assert type(unseeded()) is random.Random
    native(unseeded)


def test_choice_and_shuffle_of_lists():
    assert_same(choose, random.Random(6), [3, 1, 4, 1, 5, 9, 2, 6], 50)
    random.seed(6)
    xs = [1, 2, 3, 4, 5]
    plain = module_choose.py_func(xs, 20), xs, random.getstate()
    random.seed(6)
    ys = [1, 2, 3, 4, 5]
    got = module_choose(ys, 20), ys, random.getstate()
    assert got == plain
    native(module_choose, [1, 2], 1)


@pyston.fast
def choose_many(r, xs, n):
    out = []
    for _ in range(n):
        out.append(r.choice(xs))
    return out


@pyston.fast
def shuffle_many(r, xs, n):
    for _ in range(n):
        r.shuffle(xs)
    return xs


@pyston.fast
def module_shuffle_choose(xs, n):
    t = 0
    for _ in range(n):
        random.shuffle(xs)
        t += random.choice(xs)
    return t


@pytest.mark.parametrize(
    "xs",
    [[7], [1, 2], [3, 1, 4, 1, 5, 9, 2, 6, 5], [0.5, -1.25, 3.0], [True, False, False], list(range(1000))],
)
def test_native_choice_and_shuffle(xs):
    assert_same(choose_many, random.Random(12), xs, 500)
    assert_same(shuffle_many, random.Random(13), xs, 20)
    r = random.Random(1)
    choose_many(r, xs, 1)
    shuffle_many(r, xs, 1)
    n0 = P.pycall_count()
    choose_many(r, xs, 1000)
    shuffle_many(r, xs, 10)
    assert P.pycall_count() - n0 == 0  # drawn natively: no call into Python


def test_choice_of_elements_compiled_code_does_not_read_natively():
    # a big int among ints, a str list: CPython's value handed to the interpreter / CPython's method
    assert_same(choose_many, random.Random(3), [1, 2**70, 3, -(2**65)], 50)
    assert_same(choose_many, random.Random(3), ["a", "bc", "d"], 50)
    assert_same(shuffle_many, random.Random(3), ["a", "bc", "d", 2**70], 5)
    assert_same(shuffle_many, random.Random(3), [], 5)


def test_choice_of_an_empty_list_raises_like_cpython():
    @pyston.fast
    def first_then_empty(r, xs):
        t = r.choice(xs)
        xs.clear()
        return t + r.choice(xs)

    assert_same(first_then_empty, random.Random(1), [1, 2, 3])


def test_module_level_shuffle_and_choice_native():
    random.seed(8)
    xs = list(range(50))
    plain = module_shuffle_choose.py_func(xs, 30), xs, random.getstate()
    random.seed(8)
    ys = list(range(50))
    got = module_shuffle_choose(ys, 30), ys, random.getstate()
    assert got == plain
    n0 = P.pycall_count()
    module_shuffle_choose(ys, 30)
    assert P.pycall_count() - n0 == 0


@pyston.fast
def normal_draws(r, n, mu, sigma, lambd):
    out = []
    for _ in range(n):
        out.append(r.gauss(mu, sigma))
        out.append(r.normalvariate(mu, sigma))
        out.append(r.expovariate(lambd))
    return out


@pyston.fast
def module_normal_draws(n, mu, sigma, lambd):
    t = 0.0
    for _ in range(n):
        t += random.gauss(mu, sigma) * random.normalvariate(mu, sigma) + random.expovariate(lambd)
    return t


@pytest.mark.parametrize(
    "mu,sigma,lambd",
    [
        (0.0, 1.0, 1.0),
        (2, 3, 2),
        (-1.5, 0.25, 0.5),
        (1e300, 1e10, -3.0),
        (float("nan"), float("inf"), float("inf")),
        (0.0, -2.0, float("nan")),
        (I64_MAX, I64_MIN, I64_MAX),
    ],
)
def test_gaussian_and_exponential_draws_native(mu, sigma, lambd):
    assert_same(normal_draws, random.Random(21), 3334, mu, sigma, lambd)  # 10^4 draws
    r = random.Random(1)
    normal_draws(r, 1, mu, sigma, lambd)
    n0 = P.pycall_count()
    normal_draws(r, 1000, mu, sigma, lambd)
    assert P.pycall_count() - n0 == 0
    # the module's functions: random._inst's state and its gauss_next afterwards
    random.seed(21)
    plain = module_normal_draws.py_func(333, mu, sigma, lambd), random.getstate()
    random.seed(21)
    got = module_normal_draws(333, mu, sigma, lambd), random.getstate()
    assert_equal_exact(plain, got)  # (NaN compared as NaN)
    native(module_normal_draws, 1, mu, sigma, lambd)


@pyston.fast
def lognormal_draws(r, n, mu, sigma):
    out = []
    for _ in range(n):
        out.append(r.lognormvariate(mu, sigma))
    return out


@pytest.mark.parametrize("mu,sigma", [(0.0, 1.0), (1, 2), (-3.5, 0.1), (700.0, 10.0), (float("-inf"), 1.0)])
def test_lognormvariate_native(mu, sigma):
    # (700, 10): exp overflows after some draws: CPython's OverflowError, the state as CPython leaves it
    assert_same(lognormal_draws, random.Random(5), 2000, mu, sigma)
    r = random.Random(1)
    lognormal_draws(r, 1, 0.0, 1.0)
    n0 = P.pycall_count()
    lognormal_draws(r, 500, 0.0, 1.0)
    assert P.pycall_count() - n0 == 0


def test_gauss_next_of_another_type_runs_cpythons_method():
    r, ref = random.Random(2), random.Random(2)
    r.gauss_next = ref.gauss_next = 5  # an int: CPython's method returns mu + 5 * sigma
    assert odd_gauss(r, 3) == odd_gauss.py_func(ref, 3)
    assert r.getstate() == ref.getstate()


def test_expovariate_of_zero_raises_like_cpython():
    assert_same(normal_draws, random.Random(3), 2, 0.0, 1.0, 0.0)
    assert_same(normal_draws, random.Random(3), 2, 0.0, 1.0, 0)
    assert_same(normal_draws, random.Random(3), 2, 0.0, 1.0, -0.0)


def test_module_level_instance():
    R.seed(5)
    got = global_draws(1000), R.random()
    R.seed(5)
    assert got == (global_draws.py_func(1000), R.random())
    native(global_draws, 1)
    # shadowing a method after compiling: the guard sees it, plain Python runs
    R.random = lambda: 0.5
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pyston.PerformanceWarning)
            assert global_draws(4) == 2.0
    finally:
        del R.random
    R.seed(5)
    got = global_draws(10)
    R.seed(5)
    assert got == global_draws.py_func(10)


# --------------------------------------------------------------------------
# errors, subclasses, changed instances
# --------------------------------------------------------------------------


def test_bad_arguments_raise_like_cpython():
    for fn, args in [
        (int_draws, (5, 1)),  # randint(5, 1)
        (bits_draws, (2, -1)),
        (uniform_draws, (1, 0.0, float("nan"))),
    ]:
        r = random.Random(1)
        assert_same(fn, r, *args)
    with pytest.raises(ValueError, match=r"empty range in randrange\(5, 2\)|empty range for randrange"):
        int_draws(random.Random(1), 1, 5, 1)


class MyRandom(random.Random):
    def random(self):
        return 0.25


class PlainSub(random.Random):
    pass


@pytest.mark.parametrize("cls", [MyRandom, PlainSub])
def test_subclasses_run_as_plain_python(cls):
    assert_same(mc_pi, cls(5), 200, allow_fallback=True)
    assert_same(int_draws, cls(5), 20, 1, 6, allow_fallback=True)
    with pytest.raises(TypeError, match=f"has type '{cls.__name__}', which compiled code does not support"):
        pyston.fast(fallback=False)(mc_pi.py_func)(cls(5), 10)


def test_instance_attribute_shadowing_a_method():
    r = random.Random(5)
    r.random = lambda: 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        assert mc_pi(r, 10) == 4.0
    s = random.Random(5)
    s.note = "an attribute of its own"  # not a method's name: still compiled
    assert_same(mc_pi, s, 50)


def morph(r):
    r.__class__ = MyRandom
    return 0


@pyston.fast
def morphs_midway(r, n):
    t = 0.0
    for i in range(n):
        if i == n // 2:
            morph(r)
        t += r.random()
    return t


def test_class_changed_during_the_call():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        got = morphs_midway(random.Random(2), 10)
    assert got == morphs_midway.py_func(random.Random(2), 10)


# --------------------------------------------------------------------------
# native, threads, memory
# --------------------------------------------------------------------------


@pyston.fast
def native_mix(r, n):
    t = 0.0
    k = 0
    for _ in range(n):
        t += r.random() + r.uniform(-1.0, 1.0) + r.uniform(0, 3)
        k += r.randint(1, 6) + r.randrange(10) + r.randrange(-5, 5) + r.getrandbits(12)
    return t, k


def test_draws_are_native():
    r = random.Random(1)
    native(native_mix, random.Random(1), 1)
    native_mix(r, 1)
    n0 = P.pycall_count()
    native_mix(r, 20_000)
    assert P.pycall_count() - n0 == 0
    assert_same(native_mix, random.Random(10), 2000)
    # the constructor is the one call into Python
    draws_inside(1, 1)
    n0 = P.pycall_count()
    draws_inside(1, 20_000)
    assert P.pycall_count() - n0 <= 1


@pyston.fast(nogil=True)
def nogil_draws(r, n):
    t = 0.0
    for _ in range(n):
        t += r.random()
    return t


def test_nogil_draws_take_the_gil():
    assert nogil_draws(random.Random(4), 2000) == nogil_draws.py_func(random.Random(4), 2000)
    rs = [random.Random(s) for s in range(4)]
    results = [None] * 4

    def work(i):
        results[i] = nogil_draws(rs[i], 3000)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert results == [nogil_draws.py_func(random.Random(s), 3000) for s in range(4)]


def test_instances_made_in_a_loop_are_freed():
    made_and_returned(1)
    for _ in range(20_000):
        made_and_returned(1)
    before = rss_bytes()
    for _ in range(100_000):  # ~2.5 KB each: a leak would be ~250 MB
        made_and_returned(1)
        draws_inside(2, 1)
    assert rss_bytes() - before < 30 * 2**20
