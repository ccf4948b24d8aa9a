"""What compiled code becomes on aarch64, checked from any machine.

Cranelift compiles the same Cranelift IR for every architecture, so
`inspect_asm(target="aarch64")` lowers each specialization with the aarch64
backend (NEON for 128-bit vectors) without running it. These tests check that
every benchmark kernel lowers there and that the SIMD versions use NEON vector
instructions, and that the hot loops are about as tight as on x86-64.

On an aarch64 host, `inspect_asm()` without a target is the host's own
(aarch64) code: `make smoke-aarch64` / `make test-aarch64` run this file and
the whole suite under qemu-user (scripts/aarch64/).
"""

from __future__ import annotations

import pathlib
import platform
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


def test_host_listing_is_host_code():
    """`inspect_asm()` without a target lists the machine code that runs here."""
    f = pyston.fast(axpy)
    f(2.0, np.ones(4), np.ones(4))
    asm = f.inspect_asm()
    if platform.machine() in ("aarch64", "arm64"):
        assert re.search(r"\bfm(ul|add) [dv]\d+", asm) and "xmm" not in asm, asm
        assert asm == f.inspect_asm(target="aarch64") or "%r" not in asm
    else:
        assert "xmm" in asm and not re.search(r"\bfmul v\d+", asm), asm


_BLOCK = re.compile(r"^block(\d+):")
_LABEL = re.compile(r"\blabel(\d+)\b")
_NOT_AN_INSTRUCTION = re.compile(r"^(unwind|uninit|;)|^(b|jmp)\s+label\d+$")


def innermost_loops(listing):
    """The innermost loops of every function in an `inspect_asm` listing, each as
    its list of instructions (unconditional jumps between blocks and unwind
    annotations left out). A loop is a branch back to a block laid out earlier:
    its body is the blocks from that target to the branch."""
    out = []
    for fn in re.split(r"^# .*$", listing, flags=re.M):
        blocks, order, cur = {}, [], None
        for line in fn.splitlines():
            line = line.strip()
            m = _BLOCK.match(line)
            if m:
                cur = int(m.group(1))
                blocks[cur] = []
                order.append(cur)
            elif cur is not None and line:
                blocks[cur].append(line)
        pos = {b: i for i, b in enumerate(order)}
        spans = {
            (pos[int(t)], pos[b])
            for b in order
            for ins in blocks[b]
            for t in _LABEL.findall(ins)
            if int(t) in pos and pos[int(t)] <= pos[b]
        }
        inner = [s for s in spans if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]
        for a, b in sorted(inner):
            body = [i for blk in order[a : b + 1] for i in blocks[blk]]
            out.append([i for i in body if not _NOT_AN_INSTRUCTION.match(i)])
    return out


def _reg_moves(loops, arch):
    if arch == "x86_64":
        pat = re.compile(r"^mov[lq]? %\w+, %\w+$")
    else:
        pat = re.compile(r"^(f?mov [xwdsq]\d+, [xwdsq]\d+|mov v\d+\.16b, v\d+\.16b)$")
    return sum(1 for loop in loops for i in loop if pat.match(i))


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_hot_loops_as_tight_as_x86(kernel):
    """Emulation cannot time aarch64 code, so compare the code itself: the
    innermost loops of every benchmark kernel take about as many aarch64
    instructions as x86-64 ones (aarch64 cannot fold a load into an arithmetic
    instruction, so a few more are fine; a lowering that went wrong, e.g. a
    scalar fallback or spills, shows up as many more), and no more register to
    register moves."""
    f = bind(kernel, pyston.fast)
    args = kernel.args(quick=True)
    f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    x86 = innermost_loops(f.inspect_asm(target="x86_64"))
    a64 = innermost_loops(f.inspect_asm(target="aarch64"))
    assert x86 and a64, "no loop found in the listings"
    nx, na = sum(map(len, x86)), sum(map(len, a64))
    # measured (2026-12): aarch64 / x86-64 from 0.35 (popcount: NEON cnt) to 1.21 (blur3x3)
    assert na <= 1.3 * nx + 4, f"{kernel.name}: aarch64 hot loops {na} instructions, x86-64 {nx}\n{a64}"
    mx, ma = _reg_moves(x86, "x86_64"), _reg_moves(a64, "aarch64")
    # (aarch64's `bsl` overwrites its mask operand: a mask still needed later, by
    # the next select or a counter, is copied first; x86-64's blend keeps it.)
    bsl = sum(1 for loop in a64 for i in loop if i.startswith("bsl "))
    assert ma <= 1.1 * mx + 3 + bsl, f"{kernel.name}: {ma} register moves in aarch64 hot loops, {mx} on x86-64\n{a64}"


def test_innermost_loops_finds_the_loop(monkeypatch):
    def count(a):
        c = 0
        for i in range(len(a)):
            if a[i] > 0:
                c += 1
        return c

    # (The SIMD pass off: its vector version would be a second innermost loop.)
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "simd")
    f = pyston.fast(count)
    f(np.arange(5))
    for target in ("x86_64", "aarch64"):
        loops = innermost_loops(f.inspect_asm(target=target))
        assert len(loops) == 1 and 5 <= len(loops[0]) <= 30, (target, loops)
