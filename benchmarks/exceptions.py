"""The cost of an exception raised from compiled code: CPython vs pyston.

Each kernel compiles natively and raises on every call (an out-of-range
index, an integer division by zero, a float division by zero, an exception
passing through a compiled callee). Compiled code leaves for the interpreter
tier at the faulting instruction, which raises CPython's/NumPy's exception
with the user's line in the traceback. Prints the median cost of one
call-and-catch in microseconds, plain and decorated, and the ratio (target:
under 10 us per raise).

    python benchmarks/exceptions.py [--repeat 15] [--calls 2000] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402


def index(a, i):
    return a[i]


def floordiv(x, y):
    return x // y


def truediv(x, y):
    return x / y


def inner(a, i):
    return a[i] + 1.0


def outer(a, i):
    return inner(a, i) * 2.0


CASES = [
    ("a[i], i out of range", index, (np.arange(10.0), 99), IndexError),
    ("x // 0 (int)", floordiv, (7, 0), ZeroDivisionError),
    ("x / 0.0 (float)", truediv, (7.0, 0.0), ZeroDivisionError),
    ("through a compiled callee", outer, (np.arange(10.0), 99), IndexError),
]


def per_raise(f, args, exc, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        try:
            f(*args)
        except exc:
            pass
    return (time.perf_counter() - t0) / calls * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--json")
    a = ap.parse_args()
    global inner
    rows = []
    print(f"{'kernel':32s} {'CPython us':>11s} {'pyston us':>10s} {'ratio':>7s}")
    for name, f, args, exc in CASES:
        plain_inner = inner
        fast_f = pyston.fast(f)
        if f is outer:
            # The callee is compiled too (called directly from compiled code).
            inner = pyston.fast(plain_inner)
        per_raise(fast_f, args, exc, 10)  # compile and warm up
        fast = statistics.median(per_raise(fast_f, args, exc, a.calls) for _ in range(a.repeat))
        inner = plain_inner
        plain = statistics.median(per_raise(f, args, exc, a.calls) for _ in range(a.repeat))
        rows.append({"kernel": name, "cpython_us": plain, "pyston_us": fast, "ratio": fast / plain})
        print(f"{name:32s} {plain:11.2f} {fast:10.2f} {fast / plain:7.2f}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
