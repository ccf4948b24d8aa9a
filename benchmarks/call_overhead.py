"""What one call into NumPy costs from compiled code: CPython vs pyston.fast.

Issue #19: a NumPy call made by `@pyston.fast` code must cost no more than
the same call made by CPython. Each kernel below is a loop whose body is one
call into NumPy of a common shape (a ufunc on a row view, a method such as
`.all()` / `.sum()`, an array compared with a tuple parameter or a scalar,
`np.dot` of two rows, `np.zeros(k)`, a binary operator on two views, and
the body of numpy-benchmarks' `check_mask`) on small arrays, so that the
time is the call's overhead rather than NumPy's work. Both engines run the
same function on the same inputs; the time is this thread's CPU time
(`time.thread_time`, so waiting for a loaded machine's CPU is not counted),
the minimum over `--repeat` runs, divided by the iterations: nanoseconds per
call. The ratio is pyston / CPython (target: <= 1.00); the last column is
what pyston adds per call (negative: it saves).

    python benchmarks/call_overhead.py [--repeat 30] [--n 4000] [--filter SUBSTR] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402


def ufunc_view(a):
    r = a[0]
    for i in range(a.shape[0]):
        r = np.negative(a[i, 1:])
    return r


def ufunc_scalar_view(a):
    r = a[0]
    for i in range(a.shape[0]):
        r = np.multiply(a[i, 1:], 2.0)
    return r


def method_all(m):
    c = 0
    for i in range(m.shape[0]):
        if m[i].all():
            c += 1
    return c


def method_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i].sum()
    return s


def cmp_tuple(b, mask=(1, 0, 1)):
    r = b[0]
    for i in range(b.shape[0]):
        r = mask == b[i, 1:]
    return r


def cmp_scalar(a):
    r = a[0] > 0.0
    for i in range(a.shape[0]):
        r = a[i] > 0.5
    return r


def dot_rows(a, c):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.dot(a[i], c[i])
    return s


def zeros_k(a):
    z = np.zeros(1)
    for _ in range(a.shape[0]):
        z = np.zeros(4)
    return z


def binop_views(a, c):
    r = a[0]
    for i in range(a.shape[0]):
        r = a[i] + c[i]
    return r


def check_mask_body(db, mask=(1, 0, 1)):
    out = np.zeros(db.shape[0], dtype=bool)
    for idx, line in enumerate(db):
        target, vector = line[0], line[1:]
        if (mask == np.bitwise_and(mask, vector)).all():
            if target == 1:
                out[idx] = 1
    return out


def inputs(n):
    rng = np.random.default_rng(0)
    a = rng.random((n, 4))
    c = rng.random((n, 4))
    m = rng.random((n, 4)) < 0.9
    b = np.array(rng.integers(0, 2, size=(n, 4)), dtype=bool)
    return a, c, m, b


def kernels(n):
    a, c, m, b = inputs(n)
    return [
        ("np.negative(a[i, 1:])  ufunc on a view", ufunc_view, (a,), 1),
        ("np.multiply(a[i, 1:], 2.0)", ufunc_scalar_view, (a,), 1),
        ("m[i].all()  method", method_all, (m,), 1),
        ("a[i].sum()  method", method_sum, (a,), 1),
        ("mask == b[i, 1:]  tuple parameter", cmp_tuple, (b,), 1),
        ("a[i] > 0.5  scalar", cmp_scalar, (a,), 1),
        ("np.dot(a[i], c[i])", dot_rows, (a, c), 1),
        ("np.zeros(4)", zeros_k, (a,), 1),
        ("a[i] + c[i]  two views", binop_views, (a, c), 1),
        ("check_mask body (3 calls)", check_mask_body, (b,), 3),
    ]


def best(fn, args, repeat):
    fn(*args)
    ts = []
    for _ in range(repeat):
        t0 = time.thread_time()
        fn(*args)
        ts.append(time.thread_time() - t0)
    return min(ts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--n", type=int, default=4000, help="loop iterations (rows)")
    ap.add_argument("--filter", default="")
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", pyston.PerformanceWarning)
    rows = []
    print(f"{'kernel':42s} {'CPython':>9s} {'pyston':>9s} {'ratio':>6s} {'added':>9s}   (ns per iteration)")
    for name, fn, a, calls in kernels(args.n):
        if args.filter not in name:
            continue
        fast = pyston.fast(fn)
        ref, got = fn(*a), fast(*a)
        assert type(ref) is type(got) and np.array_equal(ref, got), name
        # Alternate the two engines so that drift affects both alike.
        tp, tf = [], []
        for _ in range(3):
            tp.append(best(fn, a, args.repeat))
            tf.append(best(fast, a, args.repeat))
        p, f = min(tp) / args.n * 1e9, min(tf) / args.n * 1e9
        rows.append({"kernel": name, "calls": calls, "cpython_ns": p, "pyston_ns": f, "ratio": f / p})
        print(f"{name:42s} {p:9.0f} {f:9.0f} {f / p:6.2f} {f - p:+9.0f}")
    if rows:
        geo = float(np.exp(np.mean(np.log([r["ratio"] for r in rows]))))
        print(f"\ngeomean pyston/CPython {geo:.3f}, worst {max(r['ratio'] for r in rows):.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "numpy": np.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
