"""Monte Carlo loops with ``np.random``: CPython vs pyston vs Numba, one run.

Each kernel draws scalars (or small arrays) in a loop: NumPy's legacy global
functions (``np.random.random()``, ``randint``, ``uniform``, ``normal``,
``exponential``, ``poisson``, ``binomial``, ``beta``, ``gamma``, ``rand(3)``,
``hypergeometric``, ``vonmises``, ``zipf``, ``logseries``, ``noncentral_*``)
and a ``np.random.Generator`` made inside the kernel (``np.random.default_rng``)
or passed in. pyston draws these natively from NumPy's own bit generator (the
same stream: its results are checked equal to CPython's, value for value, and
NumPy's state afterwards too); the "a call" rows make the same draws through
NumPy's call (a NumPy float64 argument), as before they were native. Numba has a generator of
its own (its legacy stream matches NumPy's for ``random()``, not for
``normal``; it has no ``Generator`` argument support before 0.59, where its
stream is its own).
Reports median times and ratios, writes JSON.

    python benchmarks/np_random.py [--n 200000] [--repeat 5] [--clock wall|thread] [--json PATH] [--only TEXT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)

import pyston  # noqa: E402
from never_slower import monte_carlo_pi  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


def random_walk_int(n, seed):
    np.random.seed(seed)
    pos = 0
    far = 0
    for _ in range(n):
        pos += np.random.randint(0, 3) - 1
        if abs(pos) > far:
            far = abs(pos)
    return far


def uniform_area(n, seed):
    np.random.seed(seed)
    hits = 0
    for _ in range(n):
        x = np.random.uniform(-1.0, 1.0)
        y = np.random.uniform(-1.0, 1.0)
        if x * x + y * y < 1.0:
            hits += 1
    return 4.0 * hits / n


def gaussian_walk(n, seed):
    # The legacy polar method, its second value kept in NumPy's RandomState.
    np.random.seed(seed)
    x = 0.0
    for _ in range(n):
        x += np.random.normal(0.0, 0.1)
    return x


def gaussian_walk_call(n, seed):
    # The same draws through NumPy's call, as every normal draw was before they were native.
    # (a NumPy float64 argument is not drawn natively: NumPy's call)
    np.random.seed(seed)
    zero = np.float64(0.0)
    x = 0.0
    for _ in range(n):
        x += np.random.normal(zero, 0.1)
    return x


def exponential_queue(n, seed):
    # A single-server queue: exponential arrival and service times (-log(1 - U)).
    np.random.seed(seed)
    t = 0.0
    free = 0.0
    wait = 0.0
    for _ in range(n):
        t += np.random.exponential(1.0)
        start = max(t, free)
        wait += start - t
        free = start + np.random.standard_exponential() * 0.9
    return wait / n


def generator_gaussian_walk(n, seed):
    # NumPy's ziggurat on the Generator's bit generator.
    rng = np.random.default_rng(seed)
    x = 0.0
    hi = 0.0
    for _ in range(n):
        x += rng.normal(0.0, 0.1)
        if x > hi:
            hi = x
    return x, hi


def generator_gaussian_walk_call(n, seed):
    rng = np.random.default_rng(seed)
    zero = np.float64(0.0)
    x = 0.0
    hi = 0.0
    for _ in range(n):
        x += rng.normal(zero, 0.1)
        if x > hi:
            hi = x
    return x, hi


def generator_brownian(rng, n):
    # Geometric Brownian motion with exponential jumps.
    s = 100.0
    for _ in range(n):
        s *= 1.0 + 0.0001 + 0.01 * rng.standard_normal()
        s += 0.001 * rng.exponential(2.0) - 0.001 * rng.standard_exponential()
    return s


def generator_pi(n, seed):
    rng = np.random.default_rng(seed)
    inside = 0
    for _ in range(n):
        x = rng.random()
        y = rng.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n


def generator_dice(rng, n):
    total = 0
    for _ in range(n):
        total += rng.integers(1, 7) + rng.integers(1, 7)
    return total


def poisson_arrivals(n, seed):
    # A queue fed by Poisson arrivals per tick (lam 3.5: multiplication of uniforms;
    # every 8th tick a burst, lam 40: Hoermann's PTRS), serving 5 a tick.
    np.random.seed(seed)
    q = 0
    served = 0
    for i in range(n):
        if i % 8 == 0:
            q += np.random.poisson(40.0)
        else:
            q += np.random.poisson(3.5)
        s = min(q, 5)
        q -= s
        served += s
    return served, q


def poisson_arrivals_call(n, seed):
    np.random.seed(seed)
    zero = np.float64(0.0)
    q = 0
    served = 0
    for i in range(n):
        if i % 8 == 0:
            q += np.random.poisson(zero + 40.0)
        else:
            q += np.random.poisson(zero + 3.5)
        s = min(q, 5)
        q -= s
        served += s
    return served, q


def generator_poisson_arrivals(rng, n):
    q = 0
    served = 0
    for i in range(n):
        if i % 8 == 0:
            q += rng.poisson(40.0)
        else:
            q += rng.poisson(3.5)
        s = min(q, 5)
        q -= s
        served += s
    return served, q


def binomial_branching(n, seed):
    # A Galton-Watson process: each of `pop` individuals has two children with
    # probability 1/2 each (inversion below a mean of 30, BTPE above); restarted
    # at 10 on extinction or past 10^5.
    np.random.seed(seed)
    pop = 10
    extinct = 0
    total = 0
    for _ in range(n):
        pop = np.random.binomial(2 * pop, 0.5)
        if pop == 0 or pop > 100_000:
            extinct += pop == 0
            pop = 10
        total += pop
    return extinct, total


def generator_branching(rng, n):
    pop = 10
    extinct = 0
    total = 0
    for _ in range(n):
        pop = rng.binomial(2 * pop, 0.5)
        if pop == 0 or pop > 100_000:
            extinct += pop == 0
            pop = 10
        total += pop
    return extinct, total


def gamma_beta_gibbs(n, seed):
    # A Gibbs sampler of a beta-binomial with a gamma-distributed prior strength:
    # beta (Johnk and gammas), binomial, gamma (Marsaglia-Tsang on the polar
    # method's gaussians) draws, each depending on the last.
    np.random.seed(seed)
    theta = 0.5
    k = 2.0
    acc = 0.0
    for _ in range(n):
        x = np.random.binomial(20, theta)
        theta = np.random.beta(k + x, k + 20 - x)
        k = np.random.gamma(2.0 + 0.1 * x, 0.5) + 0.1
        acc += theta
    return acc / n


def generator_gamma_beta_gibbs(rng, n):
    theta = 0.5
    k = 2.0
    acc = 0.0
    for _ in range(n):
        x = rng.binomial(20, theta)
        theta = rng.beta(k + x, k + 20 - x)
        k = rng.gamma(2.0 + 0.1 * x, 0.5) + 0.1
        acc += theta
    return acc / n


def generator_risk_mix(rng, n):
    # Loss events: geometric waiting times, lognormal and Pareto severities,
    # triangular recoveries, Gumbel and Laplace shocks.
    t = 0
    loss = 0.0
    for _ in range(n):
        t += rng.geometric(0.2)
        sev = rng.lognormal(0.0, 0.5) + 0.1 * rng.pareto(3.0)
        loss += sev * (1.0 - rng.triangular(0.0, 0.2, 0.6)) + 0.01 * (rng.gumbel() + rng.laplace())
    return t, loss


def claims_model(n, seed):
    # Insurance claims: negative binomial counts (a Poisson of a gamma), Wald
    # severities, Student's t noise (the legacy polar-method gaussians under all).
    np.random.seed(seed)
    total = 0.0
    count = 0
    for _ in range(n):
        k = np.random.negative_binomial(3.0, 0.4)
        count += k
        total += k * np.random.wald(2.0, 5.0) + 0.01 * np.random.standard_t(4.0)
    return count, total


def generator_walk3d(rng, n):
    # A 3-d Gaussian walk drawing a small array per step (``size=3``).
    x = 0.0
    y = 0.0
    z = 0.0
    far = 0.0
    for _ in range(n):
        step = rng.normal(0.0, 1.0, size=3)
        x += step[0]
        y += step[1]
        z += step[2]
        d = x * x + y * y + z * z
        if d > far:
            far = d
    return far


def urn_sampling(n, seed):
    # Quality control: defective items among small and large lots drawn without
    # replacement (legacy HYP for samples up to 10, HRUA above).
    np.random.seed(seed)
    bad = 0
    for _ in range(n):
        bad += np.random.hypergeometric(12, 488, 8) + np.random.hypergeometric(300, 700, 150)
    return bad


def generator_urn_sampling(rng, n):
    # The Generator's: counting draws for small samples, HRUA for large ones.
    bad = 0
    for _ in range(n):
        bad += rng.hypergeometric(12, 488, 8) + rng.hypergeometric(300, 700, 150)
    return bad


def wind_directions(n, seed):
    # Von Mises angles (Best-Fisher rejection), the mean resultant direction.
    np.random.seed(seed)
    c = 0.0
    s = 0.0
    for _ in range(n):
        a = np.random.vonmises(0.5, 3.0)
        c += np.cos(a)
        s += np.sin(a)
    return c, s


def generator_wind_directions(rng, n):
    c = 0.0
    s = 0.0
    for _ in range(n):
        a = rng.vonmises(0.5, 3.0)
        c += np.cos(a)
        s += np.sin(a)
    return c, s


def word_ranks(n, seed):
    # Zipf word ranks and log-series species abundances.
    np.random.seed(seed)
    top = 0
    total = 0
    for _ in range(n):
        r = np.random.zipf(2.0)
        if r == 1:
            top += 1
        total += np.random.logseries(0.9)
    return top, total


def generator_word_ranks(rng, n):
    top = 0
    total = 0
    for _ in range(n):
        r = rng.zipf(2.0)
        if r == 1:
            top += 1
        total += rng.logseries(0.9)
    return top, total


def noncentral_power(n, seed):
    # Power of chi-square and F tests: noncentral chi-square (both regimes:
    # df > 1, a normal; df <= 1, a Poisson mixture) and noncentral F statistics.
    np.random.seed(seed)
    hits = 0
    for _ in range(n):
        if np.random.noncentral_chisquare(3.0, 2.0) > 7.81:
            hits += 1
        if np.random.noncentral_chisquare(0.8, 1.5) > 3.84:
            hits += 1
        if np.random.noncentral_f(3.0, 20.0, 2.0) > 3.1:
            hits += 1
    return hits


def generator_noncentral_power(rng, n):
    hits = 0
    for _ in range(n):
        if rng.noncentral_chisquare(3.0, 2.0) > 7.81:
            hits += 1
        if rng.noncentral_chisquare(0.8, 1.5) > 3.84:
            hits += 1
        if rng.noncentral_f(3.0, 20.0, 2.0) > 3.1:
            hits += 1
    return hits


def dirichlet_multinomial(n, seed):
    # Dirichlet-multinomial counts (a float64 alpha: native vectors).
    np.random.seed(seed)
    alpha = np.array([1.0, 2.0, 3.0])
    first = 0
    for _ in range(n // 10):
        p = np.random.dirichlet(alpha)
        first += np.random.multinomial(20, p)[0]
    return first


def rand_vectors(n, seed):
    # ``np.random.rand(3)`` per step: uniform points in the unit cube.
    np.random.seed(seed)
    inside = 0
    for _ in range(n):
        p = np.random.rand(3)
        if p[0] * p[0] + p[1] * p[1] + p[2] * p[2] < 1.0:
            inside += 1
    return inside


KERNELS = [
    ("monte_carlo_pi (np.random.random)", monte_carlo_pi, "seed"),
    ("random_walk_int (np.random.randint)", random_walk_int, "seed"),
    ("uniform_area (np.random.uniform)", uniform_area, "seed"),
    ("gaussian_walk (np.random.normal)", gaussian_walk, "seed"),
    ("gaussian_walk_call (np.random.normal: a call)", gaussian_walk_call, "seed"),
    ("exponential_queue (np.random.exponential)", exponential_queue, "seed"),
    ("generator_pi (default_rng, rng.random)", generator_pi, "seed"),
    ("generator_dice (rng argument, rng.integers)", generator_dice, "rng"),
    ("generator_gaussian_walk (rng.normal)", generator_gaussian_walk, "seed"),
    ("generator_gaussian_walk_call (rng.normal: a call)", generator_gaussian_walk_call, "seed"),
    ("generator_brownian (rng argument, normal+exp)", generator_brownian, "rng"),
    ("poisson_arrivals (np.random.poisson)", poisson_arrivals, "seed"),
    ("poisson_arrivals_call (np.random.poisson: a call)", poisson_arrivals_call, "seed"),
    ("generator_poisson_arrivals (rng.poisson)", generator_poisson_arrivals, "rng"),
    ("binomial_branching (np.random.binomial)", binomial_branching, "seed"),
    ("generator_branching (rng.binomial)", generator_branching, "rng"),
    ("gamma_beta_gibbs (np.random beta/binomial/gamma)", gamma_beta_gibbs, "seed"),
    ("generator_gamma_beta_gibbs (rng beta/binomial/gamma)", generator_gamma_beta_gibbs, "rng"),
    ("generator_risk_mix (geometric, lognormal, pareto, ...)", generator_risk_mix, "rng"),
    ("claims_model (negative_binomial, wald, standard_t)", claims_model, "seed"),
    ("generator_walk3d (rng.normal(size=3))", generator_walk3d, "rng"),
    ("rand_vectors (np.random.rand(3))", rand_vectors, "seed"),
    ("urn_sampling (np.random.hypergeometric)", urn_sampling, "seed"),
    ("generator_urn_sampling (rng.hypergeometric)", generator_urn_sampling, "rng"),
    ("wind_directions (np.random.vonmises)", wind_directions, "seed"),
    ("generator_wind_directions (rng.vonmises)", generator_wind_directions, "rng"),
    ("word_ranks (np.random.zipf, logseries)", word_ranks, "seed"),
    ("generator_word_ranks (rng.zipf, logseries)", generator_word_ranks, "rng"),
    ("noncentral_power (np.random.noncentral_*)", noncentral_power, "seed"),
    ("generator_noncentral_power (rng.noncentral_*)", generator_noncentral_power, "rng"),
    ("dirichlet_multinomial (n/10 steps)", dirichlet_multinomial, "seed"),
]


CLOCK = time.perf_counter


def median_time(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = CLOCK()
        f()
        times.append(CLOCK() - t0)
    return statistics.median(times)


def run_kernel(fn, how, n, seed):
    """(result, state after) of `fn` from `seed`, the stream state compared after."""
    if how == "seed":
        np.random.seed(seed)  # the global stream's state is compared after (generator_pi leaves it alone)
        r = fn(n, seed)
        return r, np.random.random()
    rng = np.random.default_rng(seed)
    r = fn(rng, n)
    return r, rng.random()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "np_random.json"))
    ap.add_argument("--clock", choices=("wall", "thread"), default="wall",
                    help="thread: this thread's CPU time (steadier on a loaded machine)")
    ap.add_argument("--only", default="", help="run the kernels whose name contains this (alternatives separated by |)")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.thread_time if args.clock == "thread" else time.perf_counter
    n, seed = args.n, 12345
    rows = []
    print(f"numpy {np.__version__}, numba {getattr(numba, '__version__', 'absent')}, {platform.python_version()}")
    print(f"{'kernel':52s} {'CPython':>10s} {'pyston':>10s} {'numba':>10s} {'vs CPython':>11s} {'vs numba':>9s}")
    for name, fn, how in KERNELS:
        if not any(o in name for o in args.only.split("|")):
            continue
        fast = pyston.fast(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)  # must compile
            run_kernel(fast, how, 10, seed)
        want = run_kernel(fn, how, n, seed)
        got = run_kernel(fast, how, n, seed)
        assert got == want, (name, got, want)  # same values, NumPy's state advanced alike
        t_py = median_time(lambda: run_kernel(fn, how, n, seed), max(1, args.repeat // 2))
        t_ps = median_time(lambda: run_kernel(fast, how, n, seed), args.repeat)
        t_nb = None
        if numba is not None:
            try:
                nb = numba.njit(fn)
                run_kernel(nb, how, 10, seed)
                t_nb = median_time(lambda: run_kernel(nb, how, n, seed), args.repeat)
            except Exception as e:  # noqa: BLE001 - Numba does not compile every kernel
                print(f"  (numba: {type(e).__name__})")
        nb_s = f"{t_nb * 1e3:8.2f}ms" if t_nb else "       n/a"
        vs_nb = f"{t_nb / t_ps:8.2f}x" if t_nb else "      n/a"
        print(f"{name:52s} {t_py * 1e3:8.2f}ms {t_ps * 1e3:8.2f}ms {nb_s} {t_py / t_ps:10.1f}x {vs_nb}")
        rows.append({"kernel": name, "n": n, "cpython_s": t_py, "pyston_s": t_ps, "numba_s": t_nb})
    native = [r for r in rows if "a call" not in r["kernel"]]
    geo = statistics.geometric_mean([r["cpython_s"] / r["pyston_s"] for r in native])
    print(f"geometric mean speedup over CPython, native draws: {geo:.1f}x")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"numpy": np.__version__, "rows": rows, "geomean_vs_cpython": geo}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
