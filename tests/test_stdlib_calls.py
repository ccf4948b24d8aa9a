"""The standard library inside compiled code: `random` (CPython's own Mersenne
Twister, drawn natively: the same numbers and the same state afterwards),
`divmod`/`pow`/`hash`/`isinstance`, `math`'s integer and float functions
beyond the natively compiled ones, `operator.*` and `cmath.*` (called through
CPython: the loop around them compiles). Differential against plain Python;
each kernel must compile natively (a `fallback=False` twin raises otherwise)."""

import cmath
import math
import operator
import random
import threading
import warnings

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, I64_MIN, assert_same_all, check, native, rng_for

# --------------------------------------------------------------------------
# random: the same stream as CPython, and the state advanced the same way
# --------------------------------------------------------------------------


@pyston.fast
def mc_pi(n):
    inside = 0
    for _ in range(n):
        x = random.random()
        y = random.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n


@pyston.fast
def int_draws(n, a, b):
    out = 0
    for _ in range(n):
        out = out * 31 % 1000000007 + random.randint(a, b)
        out += random.randrange(b - a + 1) + random.randrange(a, b + 1)
    return out


@pyston.fast
def bits_draws(n, k):
    t = 0
    for _ in range(n):
        t ^= random.getrandbits(k)
    return t


@pyston.fast
def uniform_draws(n, a, b):
    t = 0.0
    for _ in range(n):
        t += random.uniform(a, b)
    return t


@pyston.fast
def other_draws(n):
    t = 0.0
    for _ in range(n):
        t += random.gauss(0.0, 1.0) + random.expovariate(2.0) + random.triangular(0.0, 1.0, 0.3)
    return t


@pyston.fast
def seeded(seed, n):
    random.seed(seed)
    t = 0.0
    for _ in range(n):
        t += random.random()
    return t


def same_stream(fn, *args):
    """`fn` compiled and plain, from the same seed: the same result, and the
    same state afterwards (plain Python continues the same sequence)."""
    native(fn, *args)
    random.seed(12345)
    expected = fn.py_func(*args)
    after_plain = random.getstate()
    random.seed(12345)
    got = fn(*args)
    assert type(got) is type(expected) and got == expected, (got, expected)
    assert random.getstate() == after_plain
    return got


@pytest.mark.parametrize("n", [0, 1, 2, 311, 312, 313, 5000])
def test_random_stream(n):
    # 312 calls = 624 words: the state's regeneration at the boundary
    same_stream(mc_pi, max(n, 1))


@pytest.mark.parametrize(
    "a,b",
    [(0, 0), (0, 1), (1, 6), (-5, 5), (-(2**40), 2**40), (0, 2**31), (0, 2**32), (0, 2**32 + 1), (5, 2**61)],
)
def test_int_draws(a, b):
    same_stream(int_draws, 200, a, b)


@pytest.mark.parametrize("k", [1, 5, 31, 32, 33, 40, 63])
def test_getrandbits(k):
    same_stream(bits_draws, 300, k)


def test_draws_beyond_the_native_range_run_cpythons_function():
    # widths of 2**62 and more, 64-bit draws, big results: CPython's own call, still the same stream
    same_stream(int_draws, 50, -(2**62), 2**62)
    same_stream(bits_draws, 50, 64)
    same_stream(int_draws, 20, I64_MIN, I64_MAX - 1)


@pytest.mark.parametrize("a,b", [(1, 7), (1.5, 7), (3, -2.25), (-1e300, 1e300), (2**53 + 1, 2**60), (0.0, 0.0)])
def test_uniform(a, b):
    same_stream(uniform_draws, 100, a, b)


def test_other_distributions_through_cpython():
    same_stream(other_draws, 200)


def test_seed_inside_compiled_code():
    native(seeded, 1, 1)
    assert seeded(7, 100) == seeded.py_func(7, 100)
    assert random.random() == (random.seed(7), [random.random() for _ in range(100)], random.random())[2]


def test_empty_range_raises_like_cpython():
    for fn, args in [(int_draws, (3, 5, 1)), (bits_draws, (2, -1))]:
        random.seed(1)
        with pytest.raises(ValueError) as plain:
            fn.py_func(*args)
        random.seed(1)
        with pytest.raises(ValueError) as compiled:
            fn(*args)
        assert str(compiled.value) == str(plain.value)


def test_interleaved_with_plain_python():
    random.seed(99)
    plain = [random.random(), mc_pi.py_func(50), random.randint(1, 9), int_draws.py_func(20, 0, 9)]
    random.seed(99)
    mixed = [random.random(), mc_pi(50), random.randint(1, 9), int_draws(20, 0, 9)]
    assert plain == mixed


def test_random_instance_methods_are_not_the_module_stream():
    # a separate Random instance draws from its own state, not random._inst's
    # (tests/test_random_instances.py tests instances in compiled code)
    r = random.Random(3)

    def draw():
        return r.random()

    f = pyston.fast(draw)
    random.seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        assert f() == random.Random(3).random()


@pyston.fast(nogil=True)
def mc_nogil(n):
    t = 0.0
    for _ in range(n):
        t += random.random()
    return t


def test_nogil_draws_take_the_gil():
    random.seed(4)
    expected = mc_nogil.py_func(2000)
    random.seed(4)
    assert mc_nogil(2000) == expected
    # threads drawing at once: every draw is one of CPython's, none lost or repeated
    random.seed(5)
    ref = [random.random() for _ in range(4 * 3000)]
    random.seed(5)
    results = []
    ts = [threading.Thread(target=lambda: results.append(mc_nogil(3000))) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert math.isclose(sum(results), math.fsum(ref), rel_tol=1e-9)


# --------------------------------------------------------------------------
# builtins, math, operator, cmath through CPython
# --------------------------------------------------------------------------


@pyston.fast
def int_funcs(a, b):
    q, r = divmod(a, b)
    return q, r, math.gcd(a, b), math.lcm(a, b), pow(a, 3, abs(b) + 1), hash(a) ^ hash(b)


@pyston.fast
def int_loop(n):
    t = 0
    for i in range(1, n):
        t += math.gcd(i, n) + math.isqrt(i) + math.comb(i % 20, 3) + math.perm(i % 10, 2) + math.factorial(i % 12)
    return t


@pyston.fast
def float_funcs(x, y):
    m, e = math.frexp(x)
    f, w = math.modf(x)
    # (hash(x) of a NaN is its object's identity since CPython 3.10: not compared)
    return m, e, math.ldexp(m, e), f, w, math.isclose(x, y), math.dist((x, y), (y, x)), hash(x) if x == x else 0


@pyston.fast
def ops(a, b):
    return (
        operator.add(a, b),
        operator.sub(a, b),
        operator.mul(a, b),
        operator.truediv(a, b),
        operator.floordiv(a, b),
        operator.mod(a, b),
        operator.neg(a),
        operator.lt(a, b),
        operator.eq(a, b),
    )


@pyston.fast
def complex_funcs(z):
    return cmath.exp(z), cmath.sqrt(z), cmath.phase(z), abs(cmath.log(z + 2))


@pyston.fast
def kinds(x):
    return isinstance(x, int), isinstance(x, float), isinstance(x, (int, float))


@pyston.fast
def big_pow(a, b):
    # results beyond 64 bits and float results of int powers: exact (deoptimized after the call)
    return pow(a, b), math.factorial(b)


def test_int_functions():
    rng = rng_for("stdlib-int")
    cases = [(int(a), int(b)) for a, b in rng.integers(-(10**6), 10**6, size=(40, 2))]
    cases += [(7, 3), (-7, 3), (7, -3), (0, 5), (I64_MAX, 7), (I64_MIN + 1, -1)]
    check(int_funcs, [c for c in cases if c[1] != 0])
    assert_same_all(int_funcs, [(1, 0), (0, 0)])  # ZeroDivisionError, exactly


def test_int_function_loop():
    check(int_loop, [(1,), (2,), (50,), (300,)])


def test_float_functions():
    rng = rng_for("stdlib-float")
    cases = [(float(a), float(b)) for a, b in rng.normal(0, 1e3, size=(40, 2))]
    cases += [(0.0, -0.0), (1.0, 1.0 + 1e-12), (math.inf, 1.0), (math.nan, 0.0), (5e-324, 1e308)]
    check(float_funcs, cases)


def test_operator_module():
    check(ops, [(7, 3), (-7, 2), (2.5, -0.5), (I64_MAX, 1), (True, 3)])
    assert_same_all(ops, [(1, 0), (1.0, 0.0)])


def test_cmath_module():
    check(complex_funcs, [(1 + 2j,), (-3.5 + 0j,), (complex(0, -1),), (complex(1e10, 1e-10),)])


def test_isinstance():
    check(kinds, [(1,), (2.5,), (True,), (np.float64(1.5),), (np.int64(3),), (np.float32(1.0),)])


def test_results_beyond_64_bits_and_float_powers():
    check(big_pow, [(2, 10), (3, 40), (2, 62), (7, 25)])
    assert_same_all(big_pow, [(2, -3), (-2, 63), (10, 30)])


def test_arrays_through_operator():
    a = np.arange(6.0)

    @pyston.fast
    def f(a):
        return operator.add(a, 1.0), operator.mul(a, a)

    native(f, a)
    assert_same_all(f, [(a,), (np.arange(4, dtype=np.int32),)])


@pyston.fast
def inplace_ops(a, b):
    # (on numbers the in-place functions make new values, as `a += b` does)
    x = operator.iadd(a, b)
    x = operator.isub(x, b)
    y = operator.imul(a, b)
    z = operator.itruediv(a, b)
    w = operator.ifloordiv(a, b), operator.imod(a, b)
    return x, y, z, w, operator.ipow(a, 2), operator.contains((1, 2, 3), b)


@pyston.fast
def inplace_bits(a, b):
    return operator.iand(a, b), operator.ior(a, b), operator.ixor(a, b), operator.ilshift(a, 2), operator.irshift(a, 1)


def test_inplace_operator_functions():
    check(inplace_ops, [(7, 3), (-7, 2), (2.5, -0.5), (I64_MAX, 1), (True, 3), (3, True)])
    assert_same_all(inplace_ops, [(1, 0), (1.0, 0.0), (I64_MAX, -1)])
    check(inplace_bits, [(12, 10), (-5, 3), (True, False), (I64_MAX, -1)])


def test_inplace_operator_functions_on_arrays():
    # the array is changed in place and is the result, as CPython's call gives it
    @pyston.fast
    def f(a, b):
        r = operator.iadd(a, b)
        operator.imul(a, 2)
        return r, a.sum(), operator.contains(a, 4.0)

    native(f, np.arange(3.0), 1.0)
    assert_same_all(f, [(np.arange(4.0), 1.0), (np.arange(4), 2), (np.arange(3.0), np.ones(3))])
    # NumPy's warning from the in-place division, at the call's line
    @pyston.fast
    def g(a):
        return operator.itruediv(a, 0.0)

    for fn in (g, g.py_func):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn(np.ones(2))
        assert [(x.category, str(x.message)) for x in w] == [(RuntimeWarning, "divide by zero encountered in divide")]


def test_isinstance_of_a_union_value_runs_as_plain_python():
    def f(flag, x):
        y = 1 if flag else 2.5
        return isinstance(y, int), x

    g = pyston.fast(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        assert g(True, 1) == f(True, 1) and g(False, 1) == f(False, 1)


# --------------------------------------------------------------------------
# the functions computed natively (helpers/pure.rs): edges against CPython
# --------------------------------------------------------------------------


@pyston.fast
def native_ints(a, b):
    return math.gcd(a, b), math.lcm(a, b), divmod(a, b), hash(a), math.isqrt(abs(a) // 2)


@pyston.fast
def native_small(n, k, x):
    return math.factorial(n), math.comb(n, k), math.perm(n, k), hash(x)


@pyston.fast
def native_floats(x, y, e):
    return divmod(x, y), math.frexp(x), math.ldexp(x, e), math.modf(x), math.isclose(x, y)


INT_EDGES = [0, 1, -1, 2, -2, 7, -7, 12, -18, 2**31, -(2**31), 2**61 - 1, 2**61, -(2**61) + 1, I64_MAX, I64_MIN, I64_MIN + 1]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, 1e308, -1e308, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310,
               math.inf, -math.inf, math.nan, 3.0, -3.0, 0.1, 7.25, 1e16 + 1]


def test_native_int_functions_at_the_edges():
    cases = [(a, b) for a in INT_EDGES for b in INT_EDGES]
    native(native_ints, 3, 5)
    assert_same_all(native_ints, cases)  # ZeroDivisionError, 2**63 results, big lcm: CPython's call, exactly


def test_native_factorial_comb_perm_and_float_hash():
    native(native_small, 5, 2, 1.5)
    xs = [x for x in FLOAT_EDGES if x == x] + [1e-300, 123.456, -2.0, 2.0**70, 1.0 / 3.0]
    cases = [(n, k, x) for n in [0, 1, 2, 5, 20, 21, 30, 66, 67, 68, 100, -1] for k in [0, 1, 2, 5, 33, 34, 70, -1] for x in xs[:6]]
    cases += [(5, 2, x) for x in xs]
    assert_same_all(native_small, cases)


def test_native_float_functions_at_the_edges():
    rng = rng_for("pure-floats")
    xs = FLOAT_EDGES + [float(v) for v in rng.normal(0, 100, size=10)]
    es = [0, 1, -1, 10, -1074, -1075, -1100, 1023, 1024, 2000, -2000, 2**31, -(2**31) - 1, I64_MAX, I64_MIN]
    cases = [(x, y, e) for x in xs for y in xs[:12] for e in es[:4]]
    cases += [(x, 1.5, e) for x in xs for e in es]
    native(native_floats, 1.5, 2.0, 3)
    assert_same_all(native_floats, cases)


# --------------------------------------------------------------------------
# hex/oct/bin and the methods of numbers (through CPython: the loop compiles)
# --------------------------------------------------------------------------


@pyston.fast
def int_text(n, k):
    out = []
    for i in range(k):
        m = n * i - 7
        out.append(hex(m) + oct(m) + bin(m))
        out.append(str(m.bit_length()))
    return out


@pyston.fast
def number_methods(x, z):
    s = 0
    if x.is_integer():
        s += 1
    c = z.conjugate()
    return s, c, x.hex(), (x * 3.0).as_integer_ratio()[1]


def test_hex_oct_bin_and_bit_length():
    check(int_text, [(n, 6) for n in (0, 1, -1, 255, I64_MAX // 8, I64_MIN // 8, 12345)])


def test_number_methods():
    cases = [(x, z) for x in (0.0, -0.0, 1.5, 3.0, -7.0, 1e300, math.inf, math.nan, 5e-324) for z in (1 + 2j, -0.0 - 1j)]
    assert_same_all(number_methods, cases)


@pyston.fast
def attrs_by_name(x, a, z, n):  # (getattr with constant names is what is tested)
    return (
        getattr(x, "real"),  # noqa: B009
        getattr(a, "shape"),  # noqa: B009
        getattr(a, "ndim"),  # noqa: B009
        getattr(z, "imag"),  # noqa: B009
        getattr(a, "T").shape,  # noqa: B009
        getattr(n, "real"),  # noqa: B009
        getattr(getattr(a, "T"), "size"),  # noqa: B009
    )


def getattr_missing(a):
    return getattr(a, "no_such_attribute")  # noqa: B009


def test_getattr_with_a_constant_name():
    rng = rng_for("getattr")
    cases = [(x, rng.normal(size=s), z, n) for x in (2.5, -0.0) for s in ((3,), (2, 4)) for z in (1 + 2j, -1j) for n in (7, -2)]
    check(attrs_by_name, cases)
    # A missing attribute: CPython's AttributeError (the function runs as plain Python).
    with pytest.warns(pyston.PerformanceWarning, match="no_such_attribute"):
        with pytest.raises(AttributeError, match="no_such_attribute"):
            pyston.fast(getattr_missing)(np.ones(2))
