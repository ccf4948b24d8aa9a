"""Functions pyston cannot compile must not get slower: CPython vs pyston.

Each kernel is written the way real code is: regular expressions, dicts of
lists, object attributes, list building, string formatting, NumPy's random
generator in a loop. None of them compiles natively, so `@pyston.fast` runs
CPython's own code for them, with their loops lifted out and compiled alone
where they can be (loop lifting); the cost is the dispatcher's check of the
arguments and, per loop that could not compile, one attribute read. One
kernel compiles but leaves compiled code on every call (an IndexError at the
end of a summing loop), which the interpreter tier finishes, and one
compiles around calls into NumPy's random generator. Two mix untypeable
lines with a numeric loop, which loop lifting compiles. Prints the median
time of each, plain and decorated, and the ratio (target: within 1.05x for
the untypeable ones and the compiled one, 1.5x for the deoptimizing one,
10x faster for the lifted ones).

    python benchmarks/never_slower.py [--repeat 15] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa " * 40).split()
TEXT = " ".join(f"{w}{i % 97}" for i, w in enumerate(WORDS))


def regex_scan(text):
    total = 0
    for m in re.finditer(r"([a-z]+)(\d+)", text):
        total += int(m.group(2)) * len(m.group(1))
    return total


def group_lengths(words):
    groups = {}
    for w in words:
        groups.setdefault(w[0], []).append(len(w))
    return {k: sum(v) / len(v) for k, v in groups.items()}


class Particle:
    def __init__(self, x, v):
        self.x = x
        self.v = v


PARTICLES = [Particle(float(i), 0.5 * i) for i in range(400)]


def move_all(ps, dt):
    e = 0.0
    for p in ps:
        p.x += p.v * dt
        e += 0.5 * p.v * p.v
    return e


def build_list(n):
    out = []
    for i in range(n):
        if i % 3:
            out.append(i * i)
    return out


def format_rows(n):
    rows = []
    for i in range(n):
        rows.append(f"{i:5d} {i * 0.5:8.3f} {'x' * (i % 7)}")
    return "\n".join(rows)


def random_walk(n, seed):
    rng = np.random.default_rng(seed)
    x = 0.0
    for _ in range(n):
        x += rng.random() - 0.5
    return x


def monte_carlo_pi(n, seed):
    np.random.seed(seed)
    inside = 0
    for _ in range(n):
        x = np.random.random()
        y = np.random.random()
        if x * x + y * y < 1.0:
            inside += 1
    return 4.0 * inside / n


def sum_then_index(a, i):
    s = 0.0
    for k in range(a.shape[0]):
        s += a[k]
    try:
        return s + a[i]
    except IndexError:
        return s


def sum_then_fail(a, i):
    s = 0.0
    for k in range(a.shape[0]):
        s += a[k]
    return s + a[i]  # i out of range: IndexError on every call


def parse_then_sum(line, a):
    fields = [float(x) for x in line.split(",")]  # string processing: untypeable
    w0, w1 = fields[0], fields[1]
    s = 0.0
    for i in range(a.shape[0]):
        s += w0 * a[i] * a[i] + w1 * math.sqrt(abs(a[i]))
    return s


def label_then_smooth(name, a):
    label = name.strip().upper()  # str methods: untypeable
    out = np.empty_like(a)
    prev = a[0]
    for i in range(a.shape[0]):
        prev = 0.9 * prev + 0.1 * a[i]
        out[i] = prev
    return label, out


KERNELS = [
    ("regex_scan", regex_scan, (TEXT,), "untypeable"),
    ("group_lengths", group_lengths, (WORDS,), "untypeable"),
    ("move_all (object attributes)", move_all, (PARTICLES, 0.01), "untypeable"),
    ("build_list", build_list, (2000,), "untypeable"),
    ("format_rows", format_rows, (300,), "untypeable"),
    ("random_walk (np.random in a loop)", random_walk, (2000, 7), "untypeable"),
    ("sum_then_index (try/except)", sum_then_index, (np.arange(200.0), 500), "untypeable"),
    ("sum_then_fail (deopt every call)", sum_then_fail, (np.arange(200.0), 500), "deopt"),
    ("monte_carlo_pi (legacy np.random, compiled)", monte_carlo_pi, (20000, 3), "compiled"),
    ("parse_then_sum (lifted loop)", parse_then_sum, ("0.5, 2.0, 3", np.linspace(-1, 1, 20000)), "lifted"),
    ("label_then_smooth (lifted loop)", label_then_smooth, (" ema ", np.linspace(0, 1, 20000)), "lifted"),
]


def timed(fn, args, repeat):
    def once():
        t0 = time.perf_counter()
        try:
            fn(*args)
        except IndexError:
            pass
        return time.perf_counter() - t0

    once()
    t_one = max(once(), 1e-7)
    inner = max(1, int(0.02 / t_one))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            try:
                fn(*args)
            except IndexError:
                pass
        samples.append((time.perf_counter() - t0) / inner)
    return statistics.median(samples)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", pyston.PerformanceWarning)
    rows = []
    print(f"{'kernel':36s} {'CPython':>10s} {'pyston':>10s} {'ratio':>7s}  target")
    for name, fn, a, kind in KERNELS:
        fast = pyston.fast(fn)
        # Alternate plain and decorated runs so drift affects both alike.
        plain, dec = [], []
        for _ in range(3):
            plain.append(timed(fn, a, args.repeat))
            dec.append(timed(fast, a, args.repeat))
        tp, tf = statistics.median(plain), statistics.median(dec)
        target = {"untypeable": 1.05, "deopt": 1.5, "compiled": 1.05, "lifted": 0.1}[kind]
        rows.append({"kernel": name, "kind": kind, "cpython_s": tp, "pyston_s": tf, "ratio": tf / tp})
        ok = "ok" if tf / tp <= target else "OVER"
        print(f"{name:36s} {tp * 1e6:8.1f}us {tf * 1e6:8.1f}us {tf / tp:6.2f}x  <= {target}x {ok}")
    ratios = [r["ratio"] for r in rows if r["kind"] == "untypeable"]
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(f"\nuntypeable kernels: geomean pyston/CPython {geo:.3f}x, worst {max(ratios):.3f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
