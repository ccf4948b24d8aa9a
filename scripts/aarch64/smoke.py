"""Smoke test under aarch64 emulation: pyston compiles for the host (aarch64
code in `inspect_asm()`, not the interpreter tier), gives CPython's result, and
the host listing is what `inspect_asm(target="aarch64")` shows from x86-64."""

import platform

import numpy as np
import pyston


def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s


fast = pyston.fast(dot)
rng = np.random.default_rng(0)
a, b = rng.standard_normal(10_000), rng.standard_normal(10_000)
want, got = dot(a, b), fast(a, b)
asm = fast.inspect_asm()
print(f"machine={platform.machine()} numpy={np.__version__} plain={want!r} pyston={got!r}")
assert platform.machine() == "aarch64", platform.machine()
assert want == got and type(want) is type(got), (want, got)
assert "interpreter tier" not in asm, asm[:800]
assert "fmul d" in asm or "fmadd d" in asm, asm[:800]  # aarch64 host code
assert "xmm" not in asm and "%r" not in asm, asm[:800]
assert "xmm" in fast.inspect_asm(target="x86_64")  # the cross listing still works
print("smoke: ok")
