"""A differential fuzzer for whole-array NumPy expressions (the `fusion` and
`small` passes): random trees of `+ - * /`, `**2`, `np.sqrt`, `np.abs`,
`np.square`, `np.negative`, `np.where` of a comparison and the ufuncs NumPy
computes with its own loops (`np.exp`, `np.log`, `np.sin`, `np.tanh`),
`np.conj`, over views of two float64, float32 or complex128 arguments of many
shapes and layouts
(transposes, reversals, `[:, None, :]`, rows, F-ordered copies) and scalars,
under roots that fuse differently: the expression itself, a ufunc of it,
sums and means over the last axis, axis 0 or several axes (`keepdims` too), and of all of it;
or an in-place operator (`X += e`, `X[1:] -= e`, ...) or an assignment
(`A[:] = e`, `B[1:, :-1] = e`, ...) into a view of an argument, after which
both arguments are compared too.

Each program runs plain and under ``pyston.fast``; the two must agree on the
result's type, dtype, shape, strides and bytes, on the warnings, and on the
exception raised (broadcasting errors included).

    python tests/fuzz/arrays.py --seed S --count N [--show K]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import sys
import tempfile
import warnings

# Cranelift's IR verifier on for every program (see core/runtime/src/jit.rs).
os.environ.setdefault("PYSTON_VERIFY", "1")

SHAPES = [(3, 4), (4, 3), (1, 4), (3, 1), (4,), (2, 3, 4), (0, 4), (5, 9), (1, 1), (7, 16), (3, 17)]
VIEWS = [
    "{a}",
    "{a}",
    "{a}.T",
    "{a}[::-1]",
    "{a}[..., ::-1]",
    "{a}[:, None, :]",
    "{a}[None]",
    "{a}[0]",
    "{a}[1:, :-1]",
    "np.asfortranarray({a})",
    "{a}[..., ::2]",
    "{a}[..., None]",
    "np.max({a}, axis=-1, keepdims=True)",
    "{a}.sum(-1, keepdims=True)",
]
CONSTS = ["0.5", "2", "-1.25", "3.0", "1e-3", "7"]
UNARY = ["-({e})", "np.sqrt({e})", "np.abs({e})", "np.square({e})", "({e}) ** 2", "np.negative({e})", "np.conj({e})"]
UFUNCS = ["np.exp({e})", "np.log({e})", "np.sin({e})", "np.tanh({e})"]
ROOTS = [
    "{e}",
    "{e}",
    "{u}",
    "np.sum({e}, axis=-1)",
    "np.mean({e}, axis=-1)",
    "({e}).sum(axis=-1, keepdims=True)",
    "np.sum({e}, 0)",
    "np.mean({e}, axis=0)",
    "np.sum({e}, axis=-1) * 0.5",
    "np.sum({e}, axis=(0, -2))",
    "np.mean({e}, axis=(0, 1), keepdims=True)",
    "np.sum({e})",
    "({e}).mean()",
]
# In-place targets: the views X and Y themselves, parts of them (overlapping
# the expression's reads of X), and A or B whole.
TARGETS = ["X", "X", "Y", "A", "X[1:]", "X[..., ::-1]", "X[..., :1]", "B[::-1]"]
# Assignment targets: whole arrays, slices (overlapping X and Y's reads or
# not), int-indexed rows, and shapes that need broadcasting or do not fit.
STORE_TARGETS = ["A[:]", "B[...]", "A[1:]", "B[:, 1:]", "A[0]", "B[-1, :]", "A[:, ::2]", "B[1:-1, 1:-1]", "A[::-1]"]


def expr(r: random.Random, depth: int) -> str:
    if depth == 0 or r.random() < 0.25:
        return r.choice(["X", "Y", "X", "Y", "s", "t", r.choice(CONSTS)])
    c = r.random()
    if c < 0.5:
        op = r.choice("+-*/")
        return f"({expr(r, depth - 1)} {op} {expr(r, depth - 1)})"
    if c < 0.8:
        return r.choice(UNARY).format(e=expr(r, depth - 1))
    if c < 0.9:
        cmp = r.choice(["<", "<=", ">", ">=", "==", "!="])
        return f"np.where({expr(r, 1)} {cmp} {expr(r, 1)}, {expr(r, depth - 1)}, {expr(r, depth - 1)})"
    return r.choice(UFUNCS).format(e=expr(r, depth - 1))


def element(r: random.Random) -> str:
    c = r.random()
    if c < 0.04:
        return r.choice(["np.nan", "np.inf", "-np.inf", "-0.0", "1e300"])
    if c < 0.3:
        return repr(round(r.uniform(0.05, 4), 3))
    return repr(r.uniform(-3, 3) * 10.0 ** r.randint(-6, 6))


def array_src(r: random.Random, dtype: str) -> str:
    shape = r.choice(SHAPES)
    n = 1
    for d in shape:
        n *= d
    if dtype == "complex128":
        vals = [f"complex({element(r)}, {element(r)})" for _ in range(n)]
    else:
        vals = [element(r) for _ in range(n)]
    return f"np.array([{', '.join(vals)}], dtype=np.{dtype}).reshape({shape})"


def scalar_src(r: random.Random) -> str:
    c = r.random()
    if c < 0.1:
        return r.choice(["1e300", "-0.0", "float('nan')", "70000", "np.float64(1.5)", "np.float32(0.25)"])
    if c < 0.4:
        return str(r.randint(-5, 9))
    if c < 0.5:
        return r.choice(["(0.5-2j)", "np.complex128(1.5+0.25j)", "1j"])
    return repr(round(r.uniform(-4, 4), 4))


def generate(seed: int) -> tuple[str, list[str]]:
    r = random.Random(seed)
    vx = r.choice(VIEWS).format(a="A")
    vy = r.choice(VIEWS).format(a="B")
    c = r.random()
    if c < 0.2:
        target, op = r.choice(TARGETS), r.choice("+-*/")
        body = f"    {target} {op}= {expr(r, r.randint(1, 3))}\n    return A, B\n"
    elif c < 0.35:
        body = f"    {r.choice(STORE_TARGETS)} = {expr(r, r.randint(1, 3))}\n    return A, B\n"
    else:
        root = r.choice(ROOTS).format(e=expr(r, r.randint(1, 3)), u=r.choice(UFUNCS).format(e=expr(r, 2)))
        body = f"    return {root}\n"
    src = "import numpy as np\n\n\ndef f(A, B, s, t):\n" f"    X = {vx}\n" f"    Y = {vy}\n" + body
    d1, d2 = r.choice(
        [("float64", "float64")] * 3
        + [("float32", "float32")] * 2
        + [("float32", "float64")]
        + [("complex128", "complex128")] * 2
        + [("complex128", "float64")]
    )
    calls = [
        f"({array_src(r, d1)}, {array_src(r, d2)}, {scalar_src(r)}, {scalar_src(r)})" for _ in range(r.randint(2, 3))
    ]
    return src, calls


def outcome(fn, args):
    import numpy as np

    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            res = fn(*args)
        except Exception as e:  # noqa: BLE001 (compared)
            res = None
            exc = (type(e).__name__, str(e))
        else:
            exc = None
    import pyston

    msgs = [f"{w.category.__name__}: {w.message}" for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
    if exc is not None:
        return {"exc": exc, "warnings": msgs}

    def value(res):
        if isinstance(res, tuple):
            return tuple(value(x) for x in res)
        if isinstance(res, np.ndarray):
            return ("ndarray", str(res.dtype), res.shape, res.strides, res.tobytes())
        return (type(res).__name__, repr(res), np.asarray(res).tobytes())

    # (the arguments too: an in-place operator writes into them)
    return {"value": value(res), "args": value(tuple(args)), "warnings": msgs}


NATIVE = [0, 0]  # calls run, calls that made no call into NumPy (fully fused)

# Documented gap (docs/semantics.md, "NumPy float `+ - *` overflow/invalid
# warnings"): compiled code's native arithmetic on NumPy float *scalars*
# (`t * np.log(t)`) does not emit these; the values must still match. Array
# operations' warnings ("... encountered in multiply") are compared in full.
SCALAR_WARNING_GAP = re.compile(r"RuntimeWarning: (overflow|invalid value) encountered in scalar (add|subtract|multiply)$")


def drop_gap(o: dict) -> dict:
    return dict(o, warnings=[w for w in o["warnings"] if not SCALAR_WARNING_GAP.match(w)])


def check(seed: int, tmpdir: str) -> str | None:
    """None when plain and compiled agree; else a report."""
    import numpy as np  # noqa: F401 (the calls' source uses it)
    import pyston

    src, calls = generate(seed)
    path = os.path.join(tmpdir, f"fa_{seed}.py")
    with open(path, "w") as fh:
        fh.write(src)
    spec = importlib.util.spec_from_file_location(f"fa_{seed}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fast = pyston.fast(mod.f)
    for c in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (1e300 into a float32 array)
            args = eval(c, {"np": np})  # noqa: S307 (generated here)
        want = outcome(mod.f, [a.copy() if isinstance(a, np.ndarray) else a for a in args])
        n = pyston._pyston.pycall_count()
        got = outcome(fast, [a.copy() if isinstance(a, np.ndarray) else a for a in args])
        NATIVE[0] += 1
        NATIVE[1] += pyston._pyston.pycall_count() == n
        if drop_gap(want) != drop_gap(got):
            return f"seed {seed}: call f{c}\n{src}\nplain:    {want}\ncompiled: {got}"
    return None


def run(seed: int, count: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, tmp)
        fails = []
        for k in range(count):
            rep = check(seed * 100_003 + k, tmp)
            if rep:
                fails.append(rep)
        return fails


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--show", type=int, default=3)
    a = ap.parse_args()
    fails = run(a.seed, a.count)
    for f in fails[: a.show]:
        print(f, end="\n\n")
    print(f"{a.count} programs, {len(fails)} mismatches; {NATIVE[1]} of {NATIVE[0]} compiled calls made no call into NumPy")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
