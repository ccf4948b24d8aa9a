"""Whole-array expressions over arrays of several dtypes: NumPy vs pyston vs Numba.

Each kernel is a small function of NumPy operations (no loops) on two arrays
of different dtypes (`int32 + int64`, `uint8 * int16`, `int32 * 0.5`,
`float32 + float64`) or integer powers. "NumPy" is the plain function
(CPython calling NumPy, which casts the narrower operand in buffered chunks
for each operation); pyston compiles it with `pyston.fast` (one fused pass,
each array read in its own element size and converted as it is read);
Numba with `numba.njit`. Times are medians of the calling thread's CPU time
(`time.thread_time`) over batches; pyston's result must be NumPy's bit for
bit (dtype and shape included).

    python benchmarks/mixed_dtypes.py [--sizes 1000,1000000] [--filter NAME] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)

import pyston  # noqa: E402
from int_arrays import fmt, median_time, same_bits  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


# ---- kernels (a, b: arrays of the kernel's two dtypes) ---------------------


def i32_i64(a, b):
    return (a + b) * b - a


def u8_i16(a, b):
    return a * b + b


def i8_i64(a, b):
    return a + b * 3


def i32_half(a, b):
    return a * 0.5 + 1.5


def i16_f64(a, b):
    return (a + b) * b


def f32_f64(a, b):
    return (a + b) * b - a


def u8_f32(a, b):
    return a * b + b


def int_square(a, b):
    return a**2 + a


def int_pow(a, b):
    return a**b + a


def add(a, b):
    return a + b


def cmp_mixed(a, b):
    return (a < b) | (a == b + 1)


KERNELS = [
    ("i32_i64", i32_i64, "int32", "int64"),
    ("u8_i16", u8_i16, "uint8", "int16"),
    ("i8_i64", i8_i64, "int8", "int64"),
    ("i32_half", i32_half, "int32", "int32"),
    ("i16_f64", i16_f64, "int16", "float64"),
    ("f32_f64", f32_f64, "float32", "float64"),
    ("u8_f32", u8_f32, "uint8", "float32"),
    ("int_square", int_square, "int64", "int64"),
    ("int_pow", int_pow, "int32", "int64"),
    ("cmp_mixed", cmp_mixed, "int16", "int32"),
    # (one operation alone: NumPy's one call, its cast in buffered chunks)
    ("add_i32", add, "int32", "int64"),
    ("add_f32", add, "float32", "float64"),
    ("add_u8f", add, "uint8", "float64"),
]


def inputs(n, da, db, rng):
    def one(dt):
        dt = np.dtype(dt)
        if dt.kind == "f":
            return (rng.random(n) * 100).astype(dt)
        return rng.integers(0, 100, n).astype(dt)

    a, b = one(da), one(db)
    if np.dtype(db).kind in "iu":
        b = b % 5  # (small exponents for `a ** b`)
    return a, b


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,1000000")
    p.add_argument("--budget", type=float, default=0.3)
    p.add_argument("--json", default=os.path.join(HERE, "results", "mixed-dtypes-latest.json"))
    p.add_argument("--filter", action="append", default=[])
    p.add_argument("--no-numba", action="store_true")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    use_numba = numba is not None and not args.no_numba
    rng = np.random.default_rng(12345)
    rows, failed = [], False
    head = f"{'kernel':<11} {'dtypes':<16} {'n':>8} {'NumPy':>10} {'pyston':>10} {'Numba':>10} {'pyston/NumPy':>13} {'Numba/NumPy':>12}"
    print(head)
    print("-" * len(head))
    for name, fn, da, db in KERNELS:
        if args.filter and not any(f in name for f in args.filter):
            continue
        kind = f"{da}, {db}"
        fast = pyston.fast(fn)
        jit = numba.njit(fn) if use_numba else None
        for n in sizes:
            a, b = inputs(n, da, db, rng)
            with warnings.catch_warnings():
                warnings.simplefilter("error", pyston.PerformanceWarning)
                want = fn(a, b)
                got = fast(a, b)
            ok = same_bits(got, want)
            failed |= not ok
            t_np = median_time(lambda: fn(a, b), args.budget)
            t_py = median_time(lambda: fast(a, b), args.budget)
            t_nb = nb_same = None
            if jit is not None:
                try:
                    nb_same = same_bits(jit(a, b), want)
                    t_nb = median_time(lambda: jit(a, b), args.budget)
                except Exception:  # noqa: BLE001 (Numba's typing)
                    t_nb = None
            rows.append(
                dict(
                    name=name,
                    dtype=kind,
                    n=n,
                    numpy_s=t_np,
                    pyston_s=t_py,
                    numba_s=t_nb,
                    same=ok,
                    numba_same=nb_same,
                )
            )
            nbr = "-" if t_nb is None else f"{t_nb / t_np:11.2f}x"
            print(
                f"{name:<11} {kind:<16} {n:>8} {fmt(t_np):>10} {fmt(t_py):>10} {fmt(t_nb):>10} {t_py / t_np:12.2f}x {nbr:>12}"
                + ("" if ok else "  ✗ differs")
                + ("  (Numba's result differs)" if nb_same is False else "")
            )
    doc = dict(
        schema=1,
        machine=platform.machine(),
        python=platform.python_version(),
        numpy=np.__version__,
        numba=getattr(numba, "__version__", None),
        rows=rows,
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(doc, fh, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
