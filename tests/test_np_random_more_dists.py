"""``numpy.random``'s remaining scalar distributions, natively in compiled code.

`hypergeometric`, `vonmises`, `zipf`, `logseries`, `noncentral_chisquare` and
`noncentral_f`, as legacy global functions and as `Generator` methods: each
kernel runs plain and compiled from the same seed; the values (bit for bit),
types, dtypes and shapes must agree, NumPy's bit generator state (and the
legacy kept gaussian) afterwards too, and the compiled kernel must make no
call into NumPy for them (`pycall_count`). Parameters NumPy rejects raise
NumPy's own exception with its message. The expected values are always the
running NumPy's (never hard-coded streams): pyston follows the algorithm of
the NumPy it runs with (1.26's and 2.x's Generator zipf and binomial differ).
"""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest
from pyston import _pyston as P

NP_VERSION = tuple(int(x) for x in np.__version__.split(".")[:2])
# dirichlet/multinomial drawn natively on the NumPy versions whose vector
# algorithms pyston follows (`helpers::random::op_verified`)
VECTORS_BY_NUMPY = NP_VERSION >= (2, 5)


def same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    assert type(a) is type(b), (a, b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    else:
        assert a == b or (a != a and b != b), (a, b)
        if isinstance(a, float):
            assert np.float64(a).tobytes() == np.float64(b).tobytes()


def pycalls_of(f, *args):
    n = P.pycall_count()
    r = f(*args)
    return r, P.pycall_count() - n


def legacy_state():
    st = np.random.get_state(legacy=False)
    return st["state"]["key"].tolist(), st["state"]["pos"], st["has_gauss"], st["gauss"]


def same_state(r1, r2):
    assert r1.bit_generator.state == r2.bit_generator.state


def must_compile(fn):
    f = pyston.fast(fn)

    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)  # not plain Python
            return f(*args)

    return run


def legacy_dist(which, n, a, b, c):
    out = np.empty(n)
    for i in range(n):
        if which == 0:
            out[i] = np.random.hypergeometric(int(a), int(b), int(c))
        elif which == 1:
            out[i] = np.random.vonmises(a, b)
        elif which == 2:
            out[i] = np.random.zipf(a)
        elif which == 3:
            out[i] = np.random.logseries(a)
        elif which == 4:
            out[i] = np.random.noncentral_chisquare(a, b)
        else:
            out[i] = np.random.noncentral_f(a, b, c)
    return out


def gen_dist(rng, which, n, a, b, c):
    out = np.empty(n)
    for i in range(n):
        if which == 0:
            out[i] = rng.hypergeometric(int(a), int(b), int(c))
        elif which == 1:
            out[i] = rng.vonmises(a, b)
        elif which == 2:
            out[i] = rng.zipf(a)
        elif which == 3:
            out[i] = rng.logseries(a)
        elif which == 4:
            out[i] = rng.noncentral_chisquare(a, b)
        else:
            out[i] = rng.noncentral_f(a, b, c)
    return out


# (distribution, a, b, c): every regime of each algorithm, in each family.
# hypergeometric: legacy HYP (samples up to 10) and HRUA (good > bad, a sample
# above half the population); the Generator's counting (small samples, within 10
# of the population, above half of it, empty sides) and HRUA.
# vonmises: the uniform (kappa < 1e-8), the Taylor constant (< 1e-5), the
# rejection, the Generator's wrapped normal (kappa > 1e6), mu outside [-pi, pi].
# zipf: a near 1 (many rejections; the Generator's (Umin, 1]), moderate, large.
# logseries: p = 0, tiny, moderate, near 1 (the log(V)/log(q) branch).
# noncentral chi-square / F: nonc = 0, df > 1 (a normal), df <= 1 (a Poisson mixture).
CASES = [
    (0, 5, 7, 3), (0, 12, 4, 10), (0, 1, 1, 1), (0, 0, 5, 3), (0, 5, 0, 5), (0, 7, 9, 16), (0, 30, 40, 65),
    (0, 20, 30, 8), (0, 100, 200, 50), (0, 300, 100, 150), (0, 50, 60, 100), (0, 3000, 100000, 20000),
    (0, 10**8, 3 * 10**8, 10**6), (0, 999999999, 999999999, 50),
    (1, 0.5, 0.0, 0), (1, 0.5, 1e-9, 0), (1, 1.0, 1e-6, 0), (1, -2.0, 0.5, 0), (1, 3.0, 4.0, 0), (1, 0.0, 300.0, 0),
    (1, 2.5, 1e7, 0), (1, -3.1, 2e6, 0), (1, 10.0, 2.0, 0), (1, -7.5, 1e-5, 0),
    (2, 2.0, 0, 0), (2, 1.05, 0, 0), (2, 1.5, 0, 0), (2, 4.5, 0, 0), (2, 30.0, 0, 0), (2, 1000.0, 0, 0),
    (3, 0.0, 0, 0), (3, 1e-9, 0, 0), (3, 0.3, 0, 0), (3, 0.9, 0, 0), (3, 0.999999, 0, 0),
    (4, 3.0, 0.0, 0), (4, 3.0, 2.0, 0), (4, 0.5, 1.5, 0), (4, 1.0, 40.0, 0), (4, 1e-3, 1e-3, 0), (4, 50.0, 1e4, 0),
    (5, 3.0, 5.0, 1.0), (5, 0.7, 2.0, 3.0), (5, 5.0, 8.0, 0.0), (5, 1.0, 1.0, 100.0),
]
IDS = ["-".join(map(str, c)) for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_legacy_stream(case):
    which, a, b, c = case
    f = pyston.fast(legacy_dist)
    np.random.seed(4242)
    np.random.standard_normal()  # a kept gaussian, shared with the compiled draws
    want = legacy_dist(which, 3000, a, b, c)
    want_state = legacy_state()
    np.random.seed(4242)
    np.random.standard_normal()
    got, calls = pycalls_of(f, which, 3000, a, b, c)
    assert calls == 0  # drawn natively
    assert got.tobytes() == want.tobytes()
    assert legacy_state() == want_state


@pytest.mark.parametrize("case", CASES + [(2, 2000.0, 0, 0), (2, 1e300, 0, 0)], ids=IDS + ["2-2000", "2-1e300"])
def test_generator_stream(case):
    which, a, b, c = case
    if which == 2 and a >= 1025 and NP_VERSION < (2, 1):
        pytest.skip("NumPy < 2.1's Generator.zipf never ends for a >= 1025")
    f = pyston.fast(gen_dist)
    want = gen_dist(np.random.default_rng(777), which, 3000, a, b, c)
    rng = np.random.default_rng(777)
    got, calls = pycalls_of(f, rng, which, 3000, a, b, c)
    assert calls == 0
    assert got.tobytes() == want.tobytes()
    ref = np.random.default_rng(777)
    gen_dist(ref, which, 3000, a, b, c)
    same_state(rng, ref)


def legacy_mixed(n):
    # the new draws interleaved with the other native ones: each one's stream
    # position (and the kept gaussian) depends on all before
    t = 0.0
    k = 0
    for _ in range(n):
        t += np.random.vonmises(0.5, 2.0) + np.random.noncentral_chisquare(3.0, 1.5) + np.random.randn()
        t += np.random.noncentral_f(2.0, 5.0, 0.5) + np.random.vonmises(mu=-1.0, kappa=1e-9) + np.random.gamma(0.7)
        k += np.random.hypergeometric(10, 20, 5) + np.random.hypergeometric(ngood=200, nbad=100, nsample=40)
        k += np.random.zipf(2.5) + np.random.logseries(0.7) + np.random.logseries(p=0.1) + np.random.poisson(3.0)
        t += np.random.noncentral_chisquare(df=0.8, nonc=3.0) + np.random.standard_normal()
    return t, k


def gen_mixed(rng, n):
    t = 0.0
    k = 0
    for _ in range(n):
        t += rng.vonmises(0.5, 2.0) + rng.noncentral_chisquare(3.0, 1.5) + rng.standard_normal()
        t += rng.noncentral_f(2.0, 5.0, 0.5) + rng.vonmises(mu=-1.0, kappa=2e6) + rng.gamma(0.7)
        k += rng.hypergeometric(10, 20, 5) + rng.hypergeometric(ngood=200, nbad=100, nsample=40)
        k += rng.zipf(2.5) + rng.logseries(0.7) + rng.logseries(p=0.1) + rng.poisson(3.0)
        k += rng.integers(0, 10)
        t += rng.noncentral_chisquare(df=0.8, nonc=3.0) + rng.random()
    return t, k


def plain_between(n):
    # compiled draws, then NumPy's own calls (arrays: NumPy's fill) on the same state
    s = 0.0
    for _ in range(n):
        s += np.random.vonmises(1.0, 3.0)
    return s


@pytest.mark.parametrize("seed", [0, 99, 2**32 - 1])
def test_legacy_interleaved_with_numpy(seed):
    f = must_compile(legacy_mixed)
    g = must_compile(plain_between)
    np.random.seed(seed)
    want = (legacy_mixed(300), np.random.vonmises(0.0, 1.0, 7), plain_between(5), np.random.zipf(2.0, 3),
            legacy_mixed(10), np.random.standard_normal())
    np.random.seed(seed)
    got = (f(300), np.random.vonmises(0.0, 1.0, 7), g(5), np.random.zipf(2.0, 3), f(10), np.random.standard_normal())
    same(got, want)
    assert type(got[0][0]) is float and type(got[0][1]) is int
    np.random.seed(seed)
    _, calls = pycalls_of(f, 50)
    assert calls == 0


@pytest.mark.parametrize("seed", [0, 99, 2**63 + 5])
def test_generator_interleaved_with_numpy(seed):
    f = must_compile(gen_mixed)
    r1 = np.random.default_rng(seed)
    want = (gen_mixed(r1, 300), r1.vonmises(0.0, 1.0, 7), r1.hypergeometric(50, 50, 20, 4), gen_mixed(r1, 10))
    r2 = np.random.default_rng(seed)
    got = (f(r2, 300), r2.vonmises(0.0, 1.0, 7), r2.hypergeometric(50, 50, 20, 4), f(r2, 10))
    same(got, want)
    same_state(r1, r2)
    _, calls = pycalls_of(f, np.random.default_rng(1), 50)
    assert calls == 0


def legacy_types():
    return (np.random.hypergeometric(5, 5, 3), np.random.vonmises(0.0, 1.0), np.random.zipf(3.0),
            np.random.logseries(0.5), np.random.noncentral_chisquare(2.0, 1.0), np.random.noncentral_f(2.0, 3.0, 1.0),
            np.random.hypergeometric(5, 5, 3, size=None), np.random.zipf(a=2, size=None))


def gen_types(rng):
    return (rng.hypergeometric(5, 5, 3), rng.vonmises(0.0, 1.0), rng.zipf(3.0), rng.logseries(0.5),
            rng.noncentral_chisquare(2.0, 1.0), rng.noncentral_f(2.0, 3.0, 1.0), rng.hypergeometric(5, 5, 0),
            rng.zipf(a=2, size=None))


def test_scalar_types():
    f = must_compile(legacy_types)
    np.random.seed(3)
    want = legacy_types()
    np.random.seed(3)
    got = f()
    same(got, want)
    assert [type(v) for v in got] == [int, float, int, int, float, float, int, int]
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    got, want = must_compile(gen_types)(r2), gen_types(r1)
    same(got, want)
    same_state(r1, r2)
    assert [type(v) for v in got] == [int, float, int, int, float, float, int, int]


# ---- arrays of draws (`size=`): NumPy's fill, element by element ----


def legacy_sized(n, m):
    return (
        np.random.hypergeometric(10, 20, 5, n),
        np.random.hypergeometric(100, 50, 60, size=(n, m)),
        np.random.vonmises(0.5, 4.0, n),
        np.random.vonmises(0.0, 1e-9, size=(m, n)),
        np.random.zipf(2.0, n),
        np.random.logseries(0.6, size=(n, 1)),
        np.random.noncentral_chisquare(3.0, 2.0, n),
        np.random.noncentral_chisquare(0.5, 2.0, size=(2, m)),
        np.random.noncentral_f(3.0, 4.0, 1.0, n),
        np.random.noncentral_f(3.0, 4.0, 1.0, size=None),
    )


def gen_sized(rng, n, m):
    return (
        rng.hypergeometric(10, 20, 5, n),
        rng.hypergeometric(100, 50, 60, size=(n, m)),
        rng.vonmises(0.5, 4.0, n),
        rng.vonmises(0.0, 1e7, size=(m, n)),
        rng.zipf(1.2, n),
        rng.logseries(0.6, size=(n, 1)),
        rng.noncentral_chisquare(3.0, 2.0, n),
        rng.noncentral_chisquare(0.5, 2.0, size=(2, m)),
        rng.noncentral_f(3.0, 4.0, 1.0, n),
        rng.noncentral_f(3.0, 4.0, 1.0, size=None),
    )


@pytest.mark.parametrize("n,m", [(1, 1), (3, 2), (50, 7)])
def test_legacy_sized_draws(n, m):
    f = must_compile(legacy_sized)
    np.random.seed(8)
    want = legacy_sized(n, m)
    after = np.random.random()
    np.random.seed(8)
    got = f(n, m)
    same(got, want)
    assert np.random.random() == after
    assert got[1].shape == (n, m) and got[1].dtype == np.int64 and got[2].dtype == np.float64
    np.random.seed(8)
    _, calls = pycalls_of(f, n, m)
    assert calls == 0


@pytest.mark.parametrize("n,m", [(1, 1), (3, 2), (50, 7)])
def test_generator_sized_draws(n, m):
    f = must_compile(gen_sized)
    r1, r2 = np.random.default_rng(8), np.random.default_rng(8)
    same(f(r2, n, m), gen_sized(r1, n, m))
    same_state(r1, r2)
    _, calls = pycalls_of(f, np.random.default_rng(2), n, m)
    assert calls == 0


# ---- parameters NumPy rejects, or takes in ways not drawn natively ----


def legacy_one(which, a, b, c):
    if which == 0:
        return np.random.hypergeometric(a, b, c)
    if which == 1:
        return np.random.vonmises(a, b)
    if which == 2:
        return np.random.zipf(a)
    if which == 3:
        return np.random.logseries(a)
    if which == 4:
        return np.random.noncentral_chisquare(a, b)
    return np.random.noncentral_f(a, b, c)


def gen_one(rng, which, a, b, c):
    if which == 0:
        return rng.hypergeometric(a, b, c)
    if which == 1:
        return rng.vonmises(a, b)
    if which == 2:
        return rng.zipf(a)
    if which == 3:
        return rng.logseries(a)
    if which == 4:
        return rng.noncentral_chisquare(a, b)
    return rng.noncentral_f(a, b, c)


NAN, INF = float("nan"), float("inf")
BIG = 10**9
EDGES_INT = [
    (0, 5, 6, 12), (0, 5, 6, 0), (0, -1, 6, 2), (0, 5, -1, 2), (0, 5, 6, -1), (0, BIG, 1, 1), (0, 1, BIG, 1),
    (0, BIG - 1, BIG - 1, 10), (0, 0, 0, 0), (0, 2**40, 3, 2), (0, 2**62, 2**62, 1),
]
EDGES_FLOAT = [
    (1, 0.0, -1.0, 0.0), (1, 0.0, -0.0, 0.0), (1, 0.0, NAN, 0.0), (1, NAN, 1.0, 0.0), (1, INF, 1.0, 0.0),
    (1, 1.0, 0.0, 0.0),
    (2, 1.0, 0.0, 0.0), (2, 0.5, 0.0, 0.0), (2, NAN, 0.0, 0.0), (2, -INF, 0.0, 0.0),
    (3, 1.0, 0.0, 0.0), (3, -0.1, 0.0, 0.0), (3, NAN, 0.0, 0.0), (3, -0.0, 0.0, 0.0), (3, 1.5, 0.0, 0.0),
    (4, 0.0, 1.0, 0.0), (4, -1.0, 1.0, 0.0), (4, 1.0, -1.0, 0.0), (4, 1.0, -0.0, 0.0), (4, NAN, 1.0, 0.0),
    (4, 2.0, NAN, 0.0), (4, 2.0, INF, 0.0), (4, 2.0, 1e16, 0.0),
    (5, 0.0, 1.0, 1.0), (5, 1.0, 0.0, 1.0), (5, 1.0, 1.0, -1.0), (5, 1.0, 1.0, NAN), (5, INF, 1.0, 1.0),
]
# float counts to hypergeometric (NumPy casts them), and int parameters to the float draws
EDGES_MIXED = [(0, 5.0, 6, 2), (0, 5.5, 6.0, 2.0), (1, 0, 1, 0), (2, 2, 0, 0), (4, 3, 1, 0), (5, 2, 3, 1)]


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as e:  # noqa: BLE001 (the exception is the result compared)
        return (type(e), str(e))


def _same_outcome(got, want):
    assert got[0] == want[0], (got, want)
    if got[0] == "ok":
        same(got[1], want[1])
    else:
        assert got[1] == want[1]


@pytest.mark.parametrize("case", EDGES_INT + EDGES_FLOAT + EDGES_MIXED, ids=lambda c: "-".join(map(str, c)))
def test_legacy_edges_are_numpys(case):
    f = must_compile(legacy_one)
    np.random.seed(3)
    np.random.standard_normal()
    want = _outcome(legacy_one, *case)
    after = legacy_state()
    np.random.seed(3)
    np.random.standard_normal()
    got = _outcome(f, *case)
    _same_outcome(got, want)
    assert legacy_state() == after


# (legacy vonmises never ends for an infinite kappa; the Generator's is a wrapped normal)
@pytest.mark.parametrize("case", EDGES_INT + EDGES_FLOAT + EDGES_MIXED + [(1, 0.0, INF, 0.0)],
                         ids=lambda c: "-".join(map(str, c)))
def test_generator_edges_are_numpys(case):
    f = must_compile(gen_one)
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    want = _outcome(gen_one, r1, *case)
    got = _outcome(f, r2, *case)
    _same_outcome(got, want)
    same_state(r1, r2)


def test_bad_parameters_raise_valueerror_with_numpys_message():
    # (the messages, spelled out: a NumPy without them fails here, not silently)
    f = must_compile(gen_one)
    rng = np.random.default_rng(0)
    for case, msg in [((0, 5, 6, 12), "ngood + nbad < nsample"), ((2, 1.0, 0, 0), "a <= 1 or a is NaN"),
                      ((1, 0.0, -1.0, 0), "kappa < 0"), ((5, 1.0, 0.0, 1.0), "dfden <= 0")]:
        with pytest.raises(ValueError) as e:
            f(rng, *case)
        want = _outcome(gen_one, np.random.default_rng(0), *case)
        assert want[0] is ValueError and str(e.value) == want[1]
        assert msg in str(e.value)


def test_legacy_errors_leave_the_kept_gaussian():
    f = must_compile(legacy_one)
    np.random.seed(11)
    np.random.standard_normal()
    st = legacy_state()
    with pytest.raises(ValueError):
        f(4, -1.0, 1.0, 0.0)
    assert legacy_state() == st


# ---- the vector-valued draws: dirichlet and multinomial ----
#
# Typed by rule (a float64 / int64 array of shape size + (k,), never a sample
# call, which would draw), drawn by NumPy's own method from compiled code.


def legacy_vectors(n, alpha, pvals):
    s = 0.0
    k = 0
    for _ in range(n):
        s += np.random.dirichlet(alpha)[0] + np.random.dirichlet([0.5, 1.0, 2.0], 3).sum() + np.random.normal()
        k += np.random.multinomial(10, pvals)[1] + np.random.multinomial(5, [0.2, 0.3, 0.5], size=(2, 2)).sum()
        k += np.random.hypergeometric(7, 8, 4)
    return (s, k, np.random.dirichlet(alpha=alpha, size=2), np.random.multinomial(n=3, pvals=pvals),
            np.random.dirichlet((1, 2)), np.random.multinomial(4, (0.5, 0.5), None),
            np.random.dirichlet(alpha, (2, 1, 3)), np.random.multinomial(0, pvals, 2))


def gen_vectors(rng, n, alpha, pvals):
    s = 0.0
    k = 0
    for _ in range(n):
        s += rng.dirichlet(alpha)[0] + rng.dirichlet([0.05, 0.01], 3).sum() + rng.normal()
        k += rng.multinomial(10, pvals)[1] + rng.multinomial(5, (0.2, 0.3, 0.5), size=(2, 2)).sum()
        k += rng.hypergeometric(7, 8, 4)
    return (s, k, rng.dirichlet(alpha=alpha, size=2), rng.multinomial(n=3, pvals=pvals),
            rng.dirichlet((1, 2)), rng.multinomial(4, (0.5, 0.5), None),
            rng.dirichlet(alpha, (2, 1, 3)), rng.multinomial(0, pvals, 2))


VECTOR_ARGS = [
    (np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.6, 0.3])),
    (np.array([0.3, 7.0]), np.array([0.0, 1.0])),
    (np.array([4, 5, 6, 7]), np.array([0.25, 0.25, 0.25, 0.25])[::-1]),
    (np.array([1e-3, 1e3]), np.array([0.999, 0.001, 0.0])),
]


@pytest.mark.parametrize("k", range(len(VECTOR_ARGS)))
def test_legacy_dirichlet_multinomial(k):
    alpha, pvals = VECTOR_ARGS[k]
    f = must_compile(legacy_vectors)
    np.random.seed(21)
    want = legacy_vectors(40, alpha, pvals)
    after = legacy_state()
    np.random.seed(21)
    got = f(40, alpha, pvals)
    same(got, want)
    assert legacy_state() == after
    assert got[2].dtype == np.float64 and got[2].shape == (2, len(alpha))
    assert got[3].dtype == np.int64 and got[3].shape == (len(pvals),) and got[7].shape == (2, len(pvals))
    assert got[6].shape == (2, 1, 3, len(alpha)) and got[6].flags.c_contiguous


@pytest.mark.parametrize("k", range(len(VECTOR_ARGS)))
def test_generator_dirichlet_multinomial(k):
    alpha, pvals = VECTOR_ARGS[k]
    f = must_compile(gen_vectors)
    r1, r2 = np.random.default_rng(21), np.random.default_rng(21)
    same(f(r2, 40, alpha, pvals), gen_vectors(r1, 40, alpha, pvals))
    same_state(r1, r2)


def legacy_vectors_native(n, alpha, pvals, m):
    # 1-d float64 arrays: drawn natively (no call into NumPy)
    s = 0.0
    k = 0
    for _ in range(n):
        d = np.random.dirichlet(alpha)
        s += d[0] + np.random.dirichlet(alpha, 2)[1, 0] + np.random.dirichlet(alpha=alpha, size=(2, 1))[1, 0, 0]
        c = np.random.multinomial(m, pvals)
        k += c[0] + np.random.multinomial(m, pvals, 3)[2, 0] + np.random.multinomial(n=m, pvals=pvals, size=(1, 2))[0, 1, 0]
        s += np.random.normal() + np.random.gamma(2.0)
    return s, k, np.random.dirichlet(alpha, (2, 3)), np.random.multinomial(m, pvals, size=None)


def gen_vectors_native(rng, n, alpha, pvals, m):
    s = 0.0
    k = 0
    for _ in range(n):
        d = rng.dirichlet(alpha)
        s += d[0] + rng.dirichlet(alpha, 2)[1, 0] + rng.dirichlet(alpha=alpha, size=(2, 1))[1, 0, 0]
        c = rng.multinomial(m, pvals)
        k += c[0] + rng.multinomial(m, pvals, 3)[2, 0] + rng.multinomial(n=m, pvals=pvals, size=(1, 2))[0, 1, 0]
        s += rng.normal() + rng.gamma(2.0)
    return s, k, rng.dirichlet(alpha, (2, 3)), rng.multinomial(m, pvals, size=None)


# (n of the multinomial: 0, inversion-sized and BTPE-sized binomials)
@pytest.mark.parametrize("k", range(len(VECTOR_ARGS)))
@pytest.mark.parametrize("m", [0, 10, 5000])
def test_native_dirichlet_multinomial(k, m):
    alpha, pvals = VECTOR_ARGS[k]
    alpha = alpha.astype(np.float64)  # (an int array is NumPy's call)
    f = must_compile(legacy_vectors_native)
    np.random.seed(33)
    np.random.standard_normal()
    want = legacy_vectors_native(200, alpha, pvals, m)
    after = legacy_state()
    np.random.seed(33)
    np.random.standard_normal()
    got, calls = pycalls_of(f, 200, alpha, pvals, m)
    same(got, want)
    assert legacy_state() == after
    # (NumPy 2.5 draws the vectors otherwise: its own calls there)
    assert calls == 0 or VECTORS_BY_NUMPY
    g = must_compile(gen_vectors_native)
    r1, r2 = np.random.default_rng(33), np.random.default_rng(33)
    want = gen_vectors_native(r1, 200, alpha, pvals, m)
    got, calls = pycalls_of(g, r2, 200, alpha, pvals, m)
    same(got, want)
    same_state(r1, r2)
    assert calls == 0 or VECTORS_BY_NUMPY


def legacy_dirichlet(alpha, n):
    return np.random.dirichlet(alpha)


def legacy_multinomial(alpha, n):
    return np.random.multinomial(n, alpha)


def gen_dirichlet(rng, alpha, n):
    return rng.dirichlet(alpha)


def gen_multinomial(rng, alpha, n):
    return rng.multinomial(n, alpha)


VECTOR_EDGES = [
    (0, np.array([1.0, 0.0]), 0), (0, np.array([1.0, -1.0]), 0), (0, np.array([np.nan, 1.0]), 0),
    (0, np.array([0.0, 0.0]), 0), (0, np.zeros(0), 0), (0, np.array([0.01, 0.02]), 0),
    (1, np.array([0.7, 0.7]), 3), (1, np.array([0.5, 0.6, 0.0]), 3), (1, np.array([-0.1, 1.1]), 3),
    (1, np.array([np.nan, 0.5]), 3), (1, np.array([0.5, 0.5]), -1), (1, np.zeros(0), 3), (1, np.array([1.5]), 2),
    (0, np.array([0.05, 0.09]), 0), (0, np.array([np.inf, 1.0]), 0), (0, np.array([1e-300, 1.0]), 0),
    (0, np.array([1, 2]), 0), (1, np.array([1, 0]), 4), (1, np.array([0.3, 0.3, 0.4, 0.0])[::2], 6),
    (1, np.array([0.5, 0.5 + 1e-13, 0.0]), 7), (1, np.array([0.5, 0.5 + 1e-11, 0.0]), 7), (1, np.array([0.0, 0.0, 1.0]), 9),
    (1, np.array([0.2, 0.8]), 2**40), (1, np.array([1.0]), 5), (0, np.array([3.0]), 0),
]


@pytest.mark.parametrize("case", VECTOR_EDGES, ids=lambda c: repr(c))
def test_vector_edges_are_numpys(case):
    which, alpha, n = case
    legacy, gen = (legacy_dirichlet, gen_dirichlet) if which == 0 else (legacy_multinomial, gen_multinomial)
    f = must_compile(legacy)
    np.random.seed(5)
    want = _outcome(legacy, alpha, n)
    after = legacy_state()
    np.random.seed(5)
    got = _outcome(f, alpha, n)
    _same_outcome(got, want)
    assert legacy_state() == after
    g = must_compile(gen)
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    _same_outcome(_outcome(g, r2, alpha, n), _outcome(gen, r1, alpha, n))
    same_state(r1, r2)


def gen_binomials(rng, n, trials, p):
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = rng.binomial(trials, p)
    return out


@pytest.mark.parametrize("trials,p", [(10**13, 1e-12), (10**13, 1 - 1e-12), (3 * 10**12, 7e-12)])
def test_generator_binomial_inversion_follows_numpys_version(trials, p):
    # NumPy 2.4's Generator computes the inversion's q**n as exp(n log1p(-p)),
    # earlier ones (and RandomState) as exp(n log(1 - p)): for a tiny p the two
    # differ by ~1e-4, which shows within thousands of draws (multinomial uses it).
    f = must_compile(gen_binomials)
    want = gen_binomials(np.random.default_rng(12), 30000, trials, p)
    rng = np.random.default_rng(12)
    got, calls = pycalls_of(f, rng, 30000, trials, p)
    assert calls == 0
    assert got.tobytes() == want.tobytes()
    ref = np.random.default_rng(12)
    gen_binomials(ref, 30000, trials, p)
    same_state(rng, ref)
