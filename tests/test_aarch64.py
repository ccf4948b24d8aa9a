"""What compiled code becomes on aarch64, checked from any machine.

Cranelift compiles the same Cranelift IR for every architecture, so
`inspect_asm(target="aarch64")` lowers each specialization with the aarch64
backend (NEON for 128-bit vectors) without running it. These tests check that
every benchmark kernel lowers there and that the SIMD versions use NEON vector
instructions. (Running on aarch64 hardware is not covered here: this machine
is x86-64.)
"""

from __future__ import annotations

import pathlib
import re
import sys

import numpy as np
import pyston
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))
from benchmarks.kernels import KERNELS  # noqa: E402
from benchmarks.kernels.integer import popcount_sum  # noqa: E402
from benchmarks.run import bind  # noqa: E402


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_every_benchmark_kernel_lowers_on_aarch64(kernel):
    f = bind(kernel, pyston.fast)  # callees (and recursion) compiled too
    args = kernel.args(quick=True)
    f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    asm = f.inspect_asm(target="aarch64")
    assert "interpreter tier" not in asm, asm[:2000]  # every specialization compiled
    assert "ret" in asm  # a complete function
    assert "%r" not in asm and "xmm" not in asm  # not x86-64 code


def axpy(a, x, y):
    for i in range(len(x)):
        y[i] = a * x[i] + y[i]
    return y


def int32_add(a, b, out):
    for i in range(len(a)):
        out[i] = a[i] + b[i]
    return out


def int64_sum(a):
    s = 0
    for i in range(len(a)):
        s += a[i]
    return s


def f32_scale(x, c, out):
    for i in range(len(x)):
        out[i] = x[i] * c
    return out


def bool_fill(flags):
    for i in range(len(flags)):
        flags[i] = True
    return flags


def count_true(flags):
    c = 0
    for i in range(len(flags)):
        if flags[i]:
            c += 1
    return c


CASES = [
    (axpy, (2.0, np.ones(8), np.ones(8)), [r"fmul v\d+\.2d", r"ldr q\d+"]),
    (f32_scale, (np.ones(8, np.float32), np.float32(0.5), np.ones(8, np.float32)), [r"fmul v\d+\.4s"]),
    (int32_add, (np.ones(8, np.int32), np.ones(8, np.int32), np.ones(8, np.int32)), [r"add v\d+\.4s"]),
    (int64_sum, (np.ones(8, np.int64),), [r"add v\d+\.2d"]),
    (bool_fill, (np.zeros(40, bool),), [r"str q\d+"]),
    (count_true, (np.zeros(40, bool),), [r"cmeq v\d+\.16b", r"addlp v\d+\.8h"]),
    (popcount_sum, (100,), [r"cnt v\d+\.16b", r"add v\d+\.16b"]),
]


@pytest.mark.parametrize("fn, args, patterns", CASES, ids=[c[0].__name__ for c in CASES])
def test_simd_versions_use_neon(fn, args, patterns):
    f = pyston.fast(fn)
    f(*args)
    asm = f.inspect_asm(target="aarch64")
    for p in patterns:
        assert re.search(p, asm), f"{fn.__name__}: no {p!r} in the aarch64 listing:\n{asm}"


def test_fastmath_sum_uses_neon():
    def dot(x, y):
        s = 0.0
        for i in range(len(x)):
            s += x[i] * y[i]
        return s

    f = pyston.fast(fastmath=True)(dot)
    f(np.ones(8), np.ones(8))
    assert re.search(r"fadd v\d+\.2d", f.inspect_asm(target="aarch64"))


def test_unknown_target_is_a_value_error():
    f = pyston.fast(axpy)
    f(2.0, np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="aarch64"):
        f.inspect_asm(target="riscv64")
    assert f.inspect_asm(target="x86_64") == f.inspect_asm() or "xmm" in f.inspect_asm(target="x86_64")
