"""Ordinary kernels written with the language features of issue #14: CPython vs pyston vs Numba.

`enumerate`/`zip`/`reversed` loops, iteration over array rows, `in` on tuples and
ranges, `is None`; `try`/`except` in a loop (5% of the iterations raise), a
lambda and a nested `def` capturing variables, `iter()`/`next()` (a first item then a
`for` over the rest, a `while` loop ended by `except StopIteration`, and the first-match
idiom `next(genexp, default)`; Numba compiles only the first: `-` where it does not),
closures over variables bound again after the function is made (late
binding: the variables live in cells shared with the functions made, in a factory,
a loop and a comprehension; Numba cannot return a closure: `-`), a nested function
called through another name (`h = clip; h(x)`),
a function passed as an argument
(Numba gets an `njit` function; it has no `except ZeroDivisionError`); lists built,
appended to and iterated, list comprehensions, `sum` of a generator expression and
dict counting, loops over `d.items()` (of an argument and of a dict the kernel builds) and over a set (lists, dicts and sets are real
CPython objects in pyston: building one allocates its element objects as CPython does;
Numba uses its own containers); strings (real CPython `str` objects in pyston; characters read in place as
code points, `split` items found and `int()` parsed in place, f-string keys written
in one step and counted in a CPython dict); generator consumption
(`sum` over a compiled generator from Python: each step runs natively, the generator
object and each value crossing into Python as CPython's would; a `for` loop over a
compiled generator inside compiled code, which inlines it); namedtuples made and read by
field in a loop and one returned (a real instance of the class); `f(*t)` of a `*args`
tuple and of a tuple argument passed to a plain module-level function, `f(x, *lst)` of a list; a loop over a
tuple of functions (`for f in (g, h, abs)`; Numba does not compile it: `-`) and a
call of a function taken from a tuple argument or a local tuple display by a computed index (`fs[i % 3](x)`). Each kernel is checked to compile natively under pyston
(`fallback=False`) and to give CPython's result; times are medians of `--repeat`
runs, ratios are CPython time / pyston (Numba) time (higher is faster).

    python benchmarks/language.py [--repeat 7] [--n 200000] [--json PATH] [--only TEXT] [--no-gc]
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


def weighted_dot(a, b):
    s = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        s += (i & 7) * x * y
    return s


def zip3_residual(x, y, z):
    r = 0.0
    for a, b, c in zip(x, y, z):
        d = a * b - c
        r += d * d
    return r


def reversed_horner(coef, x):
    acc = 0.0
    for c in reversed(coef):
        acc = acc * x + c
    return acc


def row_norms(m, out):
    for i, row in enumerate(m):
        s = 0.0
        for v in row:
            s += v * v
        out[i] = math.sqrt(s)
    return out


def count_small_primes(a):
    n = 0
    for x in a:
        if x in (2, 3, 5, 7, 11, 13):
            n += 1
    return n


def count_in_window(a, lo, hi):
    n = 0
    for x in a:
        if x in range(lo, hi, 3):
            n += 1
    return n


def first_above(a, t):
    found = None
    for i, x in enumerate(a):
        if x > t:
            found = i
            break
    if found is None:
        return -1
    return found


def next_then_rest(a):
    it = iter(a)
    prev = next(it)
    s = 0.0
    for x in it:
        d = x - prev
        s += d * d
        prev = x
    return s


def next_until_stop(a):
    it = iter(a)
    s = 0.0
    while True:
        try:
            x = next(it)
        except StopIteration:
            break
        s += x * x
    return s


def first_match_index(a, t):
    return next((i for i, x in enumerate(a) if x > t), -1)


def list_build_sum(a):
    out = []
    for x in a:
        out.append(x * 2.0)
    s = 0.0
    for v in out:
        s += v
    return s


def list_float_build_sum(n):
    out = []
    for i in range(n):
        out.append(i * 0.5)
    s = 0.0
    for v in out:
        s += v
    return s


def comprehension_filter(a, t):
    ys = [x * x for x in a if x > t]
    return len(ys)


def sum_genexp(a):
    return sum(x * x for x in a)


def dict_count(a):
    counts = {}
    for x in a:
        k = int(x)
        counts[k] = counts.get(k, 0) + 1
    return len(counts)
def local_dict_moments(a):
    counts = {}
    for x in a:
        k = int(x) >> 20
        counts[k] = counts.get(k, 0) + 1
    n = s = q = 0
    for value, c in counts.items():
        n += c
        s += value * c
        q += value * value * c
    for c in counts.values():
        n -= c
    return s / n if n else s / len(counts), q / len(counts)


def dict_items_moments(counts):
    n = s = q = 0
    for value, c in counts.items():
        n += c
        s += value * c
        q += value * value * c
    return s / n, q / n


def set_loop_filter(s, m):
    t = 0
    for x in s:
        if x % m == 1:
            t += x
    return t


def safe_div_specific(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        try:
            s += x / y
        except ZeroDivisionError:
            fails += 1
    return s, fails


def safe_div_any(a, b):
    s = 0.0
    fails = 0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        try:
            s += x / y
        except Exception:
            fails += 1
    return s, fails


def lambda_captured(a, k):
    f = lambda x: x * k + 1.0  # noqa: E731
    s = 0.0
    for i in range(len(a)):
        s += f(a[i])
    return s


def inner_def(a, lo, hi):
    def clip(x):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x

    s = 0.0
    for i in range(len(a)):
        s += clip(a[i])
    return s


def fit_scaler(a):
    # a factory: fits in a loop, returns a nested function reading the fit
    s = 0.0
    ss = 0.0
    for i in range(len(a)):
        s += a[i]
        ss += a[i] * a[i]
    mu = s / len(a)
    sd = math.sqrt(ss / len(a) - mu * mu)

    def scale(x):
        return (x - mu) / sd

    return scale


def late_bound_clip(a):
    # a factory whose function reads variables bound again after it is made
    # (late binding: lo and hi live in cells the function shares)
    lo = a[0]
    hi = a[0]

    def clip(x):
        return min(max(x, lo), hi)

    for i in range(len(a)):
        if a[i] < lo:
            lo = a[i]
        if a[i] > hi:
            hi = a[i]
    return clip


def loop_closures(a):
    # a function made per item, every one reading the loop variable's cell
    fs = []
    for x in a:
        fs.append(lambda d: x * d)
    return fs[0]


def param_closures(a, k):
    # a function made per item, all reading the parameter's one cell (shared, as CPython's)
    fs = []
    for _x in a:
        fs.append(lambda d: k * d)
    return fs[-1]


def comprehension_closures(a):
    fs = [lambda d: x + d for x in a]
    return fs[-1]


def alias_call(a, lo, hi):
    def clip(x):
        return min(max(x, lo), hi)

    h = clip  # called through another name
    s = 0.0
    for i in range(len(a)):
        s += h(a[i])
    return s


def poly(x):
    return (x * 0.5 + 1.0) * x - 2.0


def apply_arg(f, a):
    s = 0.0
    for i in range(len(a)):
        s += f(a[i])
    return s


def count_vowels(s):
    n = 0
    for ch in s:
        if ch in "aeiouAEIOU":
            n += 1
    return n


def split_sum(s):
    total = 0
    for p in s.split(","):
        total += int(p)
    return total


def key_counts(a):
    counts = {}
    for i in range(len(a)):
        x = int(a[i])
        key = f"{x % 10}-{x // 10}"
        counts[key] = counts.get(key, 0) + 1
    return len(counts), counts.get("3-2", 0)


def window_means(a, w):
    for i in range(a.shape[0] - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += a[j]
        yield s / w


def running_max(a):
    m = a[0]
    for i in range(a.shape[0]):
        if a[i] > m:
            m = a[i]
        yield m


windows_gen = window_means  # rebound per implementation by `generator_rows`


def consume_windows(a, w):
    total = 0.0
    for m in windows_gen(a, w):
        total += m
    return total


running_gen = running_max  # (as `windows_gen`)


def sum_windows(a, w):
    return sum(windows_gen(a, w))


def max_running(a, w):
    return max(running_gen(a))


def consume_iter(it):
    total = 0.0
    for m in it:
        total += m
    return total


def generator_rows(n, repeat):
    """Generator consumption: `sum(gen(...))` from Python, the generator plain,
    compiled by pyston, compiled by Numba (njit generators iterate from Python too)."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal(n)
    rows = []
    for name, gen, args in [
        ("generator: window means w=32", window_means, (a, 32)),
        ("generator: running max", running_max, (a,)),
    ]:
        fast = pyston.fast(fallback=False)(gen)
        want, got = sum(gen(*args)), sum(fast(*args))
        if want != got:
            raise SystemExit(f"{name}: pyston gave {got!r}, CPython {want!r}")
        t_py = best(lambda *x: sum(gen(*x)), args, max(1, repeat // 2))
        t_ps = best(lambda *x: sum(fast(*x)), args, repeat)
        t_nb = None
        if numba is not None:
            try:
                nb = numba.njit(gen)
                sum(nb(*args))
                t_nb = best(lambda *x: sum(nb(*x)), args, repeat)
            except Exception:  # noqa: BLE001 - Numba may not compile a kernel
                t_nb = None
        rows.append((name, t_py, t_ps, t_nb))
    # Compiled code iterating over a compiled generator: pyston inlines it into the loop.
    global windows_gen, running_gen
    args = (a, 32)
    windows_gen = window_means
    want = consume_windows(*args)
    t_py = best(consume_windows, args, max(1, repeat // 2))
    windows_gen = pyston.fast(window_means)
    fast = pyston.fast(fallback=False)(consume_windows)
    if fast(*args) != want:
        raise SystemExit("generator inlined: pyston differs from CPython")
    t_ps = best(fast, args, repeat)
    t_nb = None
    if numba is not None:
        try:
            windows_gen = numba.njit(window_means)
            nb = numba.njit(consume_windows)
            nb(*args)
            t_nb = best(nb, args, repeat)
        except Exception:  # noqa: BLE001 - Numba may not compile a kernel
            t_nb = None
    windows_gen = window_means
    rows.append(("for m in gen(a) (compiled)", t_py, t_ps, t_nb))
    # `sum(gen(a))` inside compiled code, the generator a plain (undecorated)
    # module-level function: pyston inlines it too (Numba needs it `njit`).
    for name, consume in [("sum(gen(a)) (compiled, plain)", sum_windows), ("max(gen(a)) (compiled, plain)", max_running)]:
        want = consume(*args)
        t_py = best(consume, args, max(1, repeat // 2))
        fast = pyston.fast(fallback=False)(consume)
        got = fast(*args)
        if type(got) is not type(want) or got != want:
            raise SystemExit(f"{name}: pyston gave {got!r}, CPython {want!r}")
        t_ps = best(fast, args, repeat)
        t_nb = None
        if numba is not None:
            try:
                windows_gen, running_gen = numba.njit(window_means), numba.njit(running_max)
                nb = numba.njit(consume)
                nb(*args)
                t_nb = best(nb, args, repeat)
            except Exception:  # noqa: BLE001 - Numba may not compile a kernel
                t_nb = None
            windows_gen, running_gen = window_means, running_max
        rows.append((name, t_py, t_ps, t_nb))
    # A generator object passed to a compiled function (the consumer steps
    # it): made by the plain generator function, and by a compiled one
    # (Numba: both njit; it cannot take a plain Python generator).
    fast_consume = pyston.fast(fallback=False)(consume_iter)
    fast_gen = pyston.fast(window_means)
    want = consume_iter(window_means(*args))
    t_py = best(lambda *x: consume_iter(window_means(*x)), args, max(1, repeat // 2))
    nb_consume = nb_gen = None
    if numba is not None:
        try:
            nb_consume, nb_gen = numba.njit(consume_iter), numba.njit(window_means)
            nb_consume(nb_gen(*args))
        except Exception:  # noqa: BLE001 - Numba may not compile a kernel
            nb_consume = None
    for name, gen in [("consume(gen) arg, plain gen", window_means), ("consume(gen) arg, compiled gen", fast_gen)]:
        got = fast_consume(gen(*args))
        if type(got) is not type(want) or got != want:
            raise SystemExit(f"{name}: pyston gave {got!r}, CPython {want!r}")
        t_ps = best(lambda *x, g=gen: fast_consume(g(*x)), args, repeat)
        t_nb = best(lambda *x: nb_consume(nb_gen(*x)), args, repeat) if nb_consume else None
        rows.append((name, t_py, t_ps, t_nb))
    return rows


Vec = collections.namedtuple("Vec", "x y")


def nt_path_length(xs, ys):
    prev = Vec(xs[0], ys[0])
    total = 0.0
    for i in range(1, len(xs)):
        p = Vec(xs[i], ys[i])
        dx = p.x - prev.x
        dy = p.y - prev.y
        total += math.sqrt(dx * dx + dy * dy)
        prev = p
    return Vec(total, prev.y)


def star_max(a, *floor):
    s = 0.0
    for x in a:
        s += max(x, *floor)
    return s


def soft_clip(x):
    return x / (1.0 + abs(x))


def cube(x):
    return x * x * x


def function_tuple_sum(a):
    # a loop over a tuple of module-level functions (unrolled and inlined by pyston)
    s = 0.0
    for x in a:
        for f in (soft_clip, cube, abs):
            s += f(x)
    return s


def affine(x, k, c):
    return x * k + c


def star_into_plain(a, kc):
    # `f(x, *t)` of a plain module-level function (inlined with the tuple's items)
    s = 0.0
    for x in a:
        s += affine(x, *kc)
    return s


def star_list_into_plain(a, kc):
    # `f(x, *lst)` of a list (its length checked at the call, the items read natively)
    s = 0.0
    for x in a:
        s += affine(x, *kc)
    return s


def indexed_funcs(fs, a):
    # `fs[i](x)`: a function from a tuple argument by a computed index
    s = 0.0
    for i in range(len(a)):
        s += fs[i % 3](a[i])
    return s


def indexed_local_funcs(a):
    # `fs = (g, h, k); fs[i](x)`: a local tuple display of module-level functions
    fs = (soft_clip, cube, poly)
    s = 0.0
    for i in range(len(a)):
        s += fs[i % 3](a[i])
    return s


def display_funcs(a):
    # `[g, h, k][i % 3](x)`: a list display of functions indexed then called
    s = 0.0
    for i in range(len(a)):
        s += [soft_clip, cube, poly][i % 3](a[i])
    return s


def choice_call(a, k):
    if k == 0:
        f = soft_clip
    elif k == 1:
        f = cube
    else:
        f = poly
    s = 0.0
    for x in a:
        s += f(x)
    return s


def optional_gcd(ints):
    best = None
    for x in ints:
        if best is None or x > best:
            best = x
    return math.gcd(best, 360)


def make_cases(n):
    rng = np.random.default_rng(1)
    a, b, c = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(n)
    ints = rng.integers(0, 50, n)
    big = rng.integers(0, 2**40, n)
    m = rng.standard_normal((n // 50, 50))
    coef = rng.standard_normal(n) * 1e-3
    ramp = np.linspace(0.0, 1.0, n)  # (the first item above 0.95 is 95% of the way in)
    den = rng.standard_normal(n)
    den[rng.random(n) < 0.05] = 0.0  # 5% of the divisions raise
    nb_poly = numba.njit(poly) if numba is not None else None
    text = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz     AEIOU"), n))
    csv = ",".join(str(int(x)) for x in rng.integers(-1000, 1000, n // 5))
    return [
        ("enumerate(zip(a, b)) dot", weighted_dot, (a, b)),
        ("zip(x, y, z) residual", zip3_residual, (a, b, c)),
        ("reversed(coef) Horner", reversed_horner, (coef, 0.999)),
        ("for row in m (norms)", row_norms, (m, np.empty(m.shape[0]))),
        ("x in (2, 3, 5, ...)", count_small_primes, (ints,)),
        ("x in range(lo, hi, 3)", count_in_window, (ints, 5, 40)),
        ("enumerate + is None", first_above, (a, 4.5)),
        ("next(it), then for x in it", next_then_rest, (a,)),
        ("while: next(it) / StopIteration", next_until_stop, (a,)),
        ("next((i for i, x in ...), -1)", first_match_index, (ramp, 0.95)),
        ("list append + sum (np)", list_build_sum, (a,)),
        ("list append + sum (float)", list_float_build_sum, (n,)),
        ("[x*x for x in a if x > t]", comprehension_filter, (a, 0.5)),
        ("sum(x * x for x in a)", sum_genexp, (a,)),
        ("dict counting of ints", dict_count, (ints,)),
        ("for k, c in d.items()", dict_items_moments, ({int(k) >> 24: int(v) for k, v in zip(big, ints)},)),
        ("local dict: count + items()", local_dict_moments, (big,)),
        ("for x in set", set_loop_filter, ({int(k) for k in big}, 7)),
        ("try/except ZeroDivisionError", safe_div_specific, (a, den)),
        ("try/except Exception", safe_div_any, (a, den)),
        ("lambda capturing k", lambda_captured, (a, 2.5)),
        ("nested def (clip)", inner_def, (a, -0.5, 0.5)),
        ("factory: fit, return def", fit_scaler, (a,)),
        ("late binding: cells lo/hi", late_bound_clip, (a,)),
        ("closures made in a loop", loop_closures, (a,)),
        ("[lambda d: x + d for x in a]", comprehension_closures, (a,)),
        ("closures over a parameter", param_closures, (a, 2.5)),
        ("h = clip; h(x) alias call", alias_call, (a, -0.5, 0.5)),
        ("f passed as argument", apply_arg, (poly, a), (nb_poly, a)),
        ("str: count vowels", count_vowels, (text,)),
        ("str: split + int() sum", split_sum, (csv,)),
        ("str: f-string dict keys", key_counts, (ints,)),
        ("namedtuple: path length", nt_path_length, (a, b)),
        ("star: max(x, *floor)", star_max, (a, 0.0, -0.5)),
        ("star: affine(x, *kc) (plain f)", star_into_plain, (a, (0.5, -1.0))),
        ("star: affine(x, *lst) (list)", star_list_into_plain, (a, [0.5, -1.0])),
        ("for f in (g, h, abs): f(x)", function_tuple_sum, (a,)),
        ("fs[i % 3](x) (tuple arg)", indexed_funcs, ((soft_clip, cube, poly), a)),
        ("fs[i % 3](x) (local tuple)", indexed_local_funcs, (a,)),
        ("[g, h, k][i % 3](x) (display)", display_funcs, (a,)),
        ("f = g if c else h; f(x)", choice_call, (a, 1)),
        ("math.gcd(best or None, k)", optional_gcd, (ints,)),
    ]


def best(f, args, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def show(name, t_py, t_ps, t_nb):
    nb_txt = f"{t_nb * 1e3:9.3f} {t_py / t_nb:7.1f}" if t_nb else f"{'-':>9s} {'-':>7s}"
    print(f"{name:28s} {t_py * 1e3:10.2f} {t_ps * 1e3:10.3f} {t_py / t_ps:7.1f} {nb_txt}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--json")
    ap.add_argument("--only", help="run the kernels whose name contains this text")
    ap.add_argument(
        "--no-gc",
        action="store_true",
        help="time with the garbage collector disabled (gc.disable(): the closure rows without CPython's collections)",
    )
    opts = ap.parse_args()
    if opts.no_gc:
        import gc

        gc.disable()
    rows = []
    print(f"{'kernel':28s} {'CPython ms':>10s} {'pyston ms':>10s} {'x CPy':>7s} {'numba ms':>9s} {'x CPy':>7s}")
    timed = []
    for name, f, args, *nb_args in make_cases(opts.n):
        nb_args = nb_args[0] if nb_args else args
        if opts.only and opts.only not in name:
            continue
        fast = pyston.fast(fallback=False)(f)
        want, got = f(*args), fast(*args)
        if callable(want):  # (a factory: the functions made are compared by a call)
            want, got = want(0.25), got(0.25)
        if not (type(want) is type(got) and np.array_equal(np.asarray(want), np.asarray(got))):
            raise SystemExit(f"{name}: pyston gave {got!r}, CPython {want!r}")
        t_py = best(f, args, max(1, opts.repeat // 2))
        t_ps = best(fast, args, opts.repeat)
        t_nb = None
        if numba is not None:
            try:
                nb = numba.njit(f)
                nb(*nb_args)
                t_nb = best(nb, nb_args, opts.repeat)
            except Exception:  # noqa: BLE001 - Numba may not compile a kernel
                t_nb = None
        timed.append((name, t_py, t_ps, t_nb))
        show(*timed[-1])
    if not opts.only or "generator" in opts.only:
        for r in generator_rows(opts.n, opts.repeat):
            timed.append(r)
            show(*r)
    for name, t_py, t_ps, t_nb in timed:
        rows.append({"kernel": name, "cpython_s": t_py, "pyston_s": t_ps, "numba_s": t_nb})
    g = math.exp(statistics.mean(math.log(r["cpython_s"] / r["pyston_s"]) for r in rows))
    print(f"geometric mean speedup over CPython: {g:.1f}x")
    nbr = [r for r in rows if r["numba_s"]]
    if nbr:
        gn = math.exp(statistics.mean(math.log(r["numba_s"] / r["pyston_s"]) for r in nbr))
        print(f"pyston vs Numba (geometric mean of numba time / pyston time, >1: pyston faster): {gn:.2f}")
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
