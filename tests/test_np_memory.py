"""Memory behaviour of NumPy operations in compiled code: temporaries made in a
loop are released as the loop goes (a million iterations keep RSS flat), calls
returning new arrays do not leak, and values carried from one iteration to the
next (arrays, views of temporaries, tuples of arrays, elements of such tuples)
survive the per-iteration release with the right values.

The carried-value cases run in a child process: a use-after-free there can
crash the interpreter, which must fail one test, not end the run."""

import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pyston
import pytest
from helpers import rss_bytes
from np_common import check, cover

G = "memory"
MB = 1 << 20


def run_flat(fn, *args, limit_mb=30):
    """RSS growth of ``fn(*args)`` (already called once, so compiled); no fall-back allowed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        before = rss_bytes()
        result = fn(*args)
        grown = (rss_bytes() - before) / MB
    perf = [w for w in caught if issubclass(w.category, pyston.PerformanceWarning)]
    assert not perf, f"fell back to the interpreter tier: {perf[0].message}"
    assert grown < limit_mb, f"RSS grew by {grown:.1f} MB (limit {limit_mb} MB)"
    return result


# --------------------------------------------------------------------------
# temporaries inside a long compiled loop
# --------------------------------------------------------------------------


@pyston.fast
def temporaries(a, n):
    s = 0.0
    for _ in range(n):
        t = a * 2.0
        s += t[0]
    return s


@pyston.fast
def temporaries_of_every_kind(a, n):
    s = 0.0
    for i in range(n):
        v = a[1:]  # slice
        m = a[a > 0]  # boolean mask
        g = a[np.argsort(a)]  # fancy indexing
        z = np.zeros(3)  # allocation
        q = np.sqrt(np.abs(a))  # ufuncs
        r = (a + i) @ a  # operator and matmul
        s += v[0] + m.sum() + g[0] + z[0] + q[0] + r + a.mean()
    return s


@pyston.fast
def temporaries_nested(A, n):
    s = 0.0
    for _ in range(n):
        for j in range(A.shape[0]):
            row = A[j] * 0.5
            s += row.sum()
    return s


@pyston.fast
def temporaries_while(a, n):
    i = 0
    s = 0.0
    while i < n:
        t = np.exp(-a)
        if t[0] > 0.0:
            s += t[0]
        i += 1
    return s


@pyston.fast
def tuples_in_loop(a, n):
    s = 0
    for _ in range(n):
        h, e = np.histogram(a, bins=4)
        u, c = np.unique(a, return_counts=True)
        s += h[0] + c[0]
    return s


@pyston.fast
def carried_update(x, n):
    # the array carried from one iteration to the next is replaced each time
    for _ in range(n):
        x = x * 0.5 + 1.0
    return x


cover(
    G,
    "temporaries in a loop",
    "t = a * 2.0; s += t[0] (1,000,000 iterations)",
    "slices, masks, fancy indexing, np.zeros, ufuncs, @, mean (200,000 iterations)",
    "nested loops",
    "while loops",
    "tuples (np.histogram, np.unique) in a loop",
    "x = x * 0.5 + 1.0 carried",
    test="test_temporaries_flat",
)
cover(
    G,
    "calls returning new arrays",
    "200,000 calls of a kernel returning a * 2.0, a[::-1], np.zeros(n)",
    test="test_calls_returning_arrays_flat",
)


def test_temporaries_million_iterations():
    a = np.array([1.5, -2.0, 3.0])
    check(temporaries, a, 10)  # exact and compiled
    temporaries(a, 10)
    assert run_flat(temporaries, a, 1_000_000) == 3_000_000.0


# (kernel, arguments, iterations, RSS limit): a leak of the temporaries of one
# iteration would exceed the limit several times over
FLAT = [
    (temporaries_of_every_kind, (np.array([1.5, -2.0, 3.0, 0.25]),), 50_000, 20),
    (temporaries_nested, (np.arange(12.0).reshape(4, 3),), 50_000, 8),
    (temporaries_while, (np.array([0.5, 1.0]),), 200_000, 8),
    (tuples_in_loop, (np.array([1.0, 2.0, 2.0, 5.0]),), 20_000, 8),
    (carried_update, (np.ones(50),), 200_000, 20),
]


@pytest.mark.parametrize(
    "fn, args, n, limit", FLAT, ids=["every-kind", "nested", "while", "tuples", "carried"]
)
def test_temporaries_flat(fn, args, n, limit):
    check(fn, *args, 7)  # exact and compiled
    fn(*args, 7)
    run_flat(fn, *args, n, limit_mb=limit)


@pyston.fast
def new_scaled(a):
    return a * 2.0


@pyston.fast
def new_view(a):
    return a[::-1]


@pyston.fast
def new_zeros(n):
    return np.zeros(n)


@pytest.mark.parametrize(
    "fn, arg",
    [(new_scaled, np.ones(100)), (new_view, np.ones(100)), (new_zeros, 100)],
    ids=["a*2", "a[::-1]", "np.zeros"],
)
def test_calls_returning_arrays_flat(fn, arg):
    check(fn, arg)

    def many():
        for _ in range(200_000):
            fn(arg)

    many()  # warm up the allocator's free lists
    run_flat(many, limit_mb=10)


# --------------------------------------------------------------------------
# values carried across iterations survive the per-iteration release
# (each case in a child process: a use-after-free may crash)
# --------------------------------------------------------------------------

CARRIED = {
    "row-of-temporary": """
        def k(A, n):
            row = A[0]
            for i in range(n):
                T = A * (i + 1.0)
                row = T[1]
                junk = A * 7.0
            return row
        args = (np.arange(12.0).reshape(3, 4), 50)
    """,
    "slice-of-temporary": """
        def k(a, n):
            v = a[:2]
            for i in range(n):
                t = a * (i + 1.0)
                v = t[1:]
                junk = a * 9.0
            return v
        args = (np.arange(5.0), 50)
    """,
    "tuple-of-arrays": """
        def k(a, n):
            h = np.histogram(a, bins=3)
            for i in range(n):
                h = np.histogram(a * (i + 1.0), bins=3)
                junk = a * 3.0
            return h
        args = (np.arange(1.0, 6.0), 5)
    """,
    "element-of-tuple": """
        def k(a, n):
            c = a
            for i in range(n):
                c = np.histogram(a * (i + 1.0), bins=3)[1]
                junk = a * 3.0
            return c
        args = (np.arange(1.0, 6.0), 5)
    """,
    "unpacked-tuple": """
        def k(a, n):
            e = a
            for i in range(n):
                h, e = np.histogram(a * (i + 1.0), bins=3)
                junk = a * 3.0
            return e
        args = (np.arange(1.0, 6.0), 5)
    """,
    "nonzero-index": """
        def k(a, n):
            c = np.zeros(1, dtype=np.int64)
            for i in range(n):
                c = np.nonzero(a)[0]
                junk = a * 3.0
            return c
        args = (np.arange(1.0, 6.0), 5)
    """,
    "inner-loop-view": """
        def k(A, n):
            r = A[0]
            for i in range(n):
                T = A * (i + 1.0)
                for j in range(2):
                    r = T[j]
                junk = A * 5.0
            return r
        args = (np.arange(12.0).reshape(3, 4), 30)
    """,
}

cover(G, "values carried across loop iterations", *[f"{k}" for k in CARRIED], test="test_carried_values")

CHILD = """
import sys
sys.path.insert(0, {tests!r})
import numpy as np
import pyston
from helpers import assert_same

@pyston.fast
{body}
assert_same(k, *args)
print("OK")
"""


@pytest.mark.parametrize("case", list(CARRIED))
def test_carried_values(case, tmp_path):
    src = textwrap.dedent(CARRIED[case]).strip()
    body, args = src.rsplit("\n", 1)
    script = CHILD.format(tests=os.path.dirname(os.path.abspath(__file__)), body=body + "\n\n" + args)
    path = tmp_path / f"carried_{case.replace('-', '_')}.py"
    path.write_text(script)
    p = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    out = (p.stdout + p.stderr).strip()
    if p.returncode < 0:
        pytest.fail(f"the child process died with signal {-p.returncode} (crash):\n{script}\n{out[-2000:]}")
    assert p.returncode == 0 and out.endswith("OK"), f"{script}\n{out[-3000:]}"
