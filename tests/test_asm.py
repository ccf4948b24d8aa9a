"""Machine-code goldens: bounds checks in counted loops are hoisted out.

`for i in range(a.shape[0])` indexes `a` without any check (proven); other
arrays and `range(n)` with an arbitrary `n` get one guard before the loop.
The golden files pin the whole listing (regenerate with PYSTON_BLESS=1 after
an intended change); the structural test below checks the inner loop itself.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re

import numpy as np
import pyston
import pytest

HERE = pathlib.Path(__file__).parent / "filetests" / "asm"
_spec = importlib.util.spec_from_file_location("asm_kernels", HERE / "kernels.py")
kernels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kernels)

BLESS = os.environ.get("PYSTON_BLESS") == "1"
x86 = pytest.mark.skipif(os.uname().machine not in ("x86_64", "AMD64"), reason="x86-64 listings")

CASES = {
    "dot": (np.ones(8), np.ones(8)),
    "scale_into": (np.zeros(8), np.ones(8), 2.0, 8),
    "sum_iter": (np.ones(8),),
    "axpy": (1.5, np.ones(8), np.ones(8), np.zeros(8)),
    "clip_f32": (np.ones(8, dtype=np.float32), np.zeros(8, dtype=np.float32), np.float32(0.5), np.float32(2.0)),
}
PACKED = r"\bv(mov(u|a)p[sd]|(add|sub|mul|div|min|max|and)p[sd])\b"


def listing(name):
    f = pyston.fast(getattr(kernels, name))
    f(*CASES[name])
    # Absolute addresses (the Ctrl-C flag each loop back edge reads) vary per process.
    return re.sub(r"movabsq \$0x[0-9a-f]{9,}", "movabsq $<address>", f.inspect_asm())


def loop_blocks(asm, access=r"\(%\w+, %\w+, [1248]\)"):
    """The blocks of the first loop cycle through a block with element accesses
    (matching `access`; the default is any scaled-index memory operand)."""
    blocks = {}
    for chunk in re.split(r"\n(?=block\d+:)", asm):
        m = re.match(r"block(\d+):", chunk)
        if m:
            blocks[int(m.group(1))] = chunk
    succ = {b: [int(x) for x in re.findall(r"\blabel(\d+)", text)] for b, text in blocks.items()}
    hot = [b for b, text in blocks.items() if re.search(access, text)]
    assert hot, "no indexed memory access found"

    def reach(src):
        seen, todo = set(), [src]
        while todo:
            b = todo.pop()
            for n in succ.get(b, []):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    for start in hot:
        cycle = [b for b in reach(start) if start in reach(b)]
        if start in cycle:
            return [blocks[b] for b in sorted(cycle)]
    raise AssertionError("the element accesses are not in a loop")


def checks_in_loop(asm):
    """Integer compares in the loop cycle: index checks compare an index with a
    dimension; the loop's own exit test is one. (Float checks for NumPy's
    overflow warnings use `ucomisd` and are not counted.)"""
    return sum(len(re.findall(r"^\s+cmp\w*\b", b, re.M)) for b in loop_blocks(asm))


@x86
@pytest.mark.parametrize("name", sorted(CASES))
def test_asm_golden(name):
    asm = listing(name)
    golden = HERE / f"{name}.asm"
    if BLESS or not golden.exists():
        golden.write_text(asm)
        if not BLESS:
            pytest.fail(f"{golden.name} did not exist; it was written, review and commit it")
    assert asm == golden.read_text()


@x86
@pytest.mark.parametrize("name", sorted(CASES))
def test_no_bounds_check_in_inner_loop(name):
    # Every index check is a compare and a jump to a deopt block; the loop may
    # only contain its own exit test.
    asm = listing(name)
    assert checks_in_loop(asm) == 1, "\n".join(loop_blocks(asm))


@x86
@pytest.mark.parametrize(
    "name, ops",
    [
        ("scale_into", ["vmulpd", "vmovupd"]),
        ("axpy", ["vmulpd", "vaddpd", "vmovupd"]),
        ("clip_f32", ["vandps", "vmaxps", "vminps", "vmovups"]),
    ],
)
def test_elementwise_loops_are_vectorized(name, ops):
    # The SIMD loop: packed loads, arithmetic and stores on 2 x f64 / 4 x f32
    # lanes, its exit test as the only compare, nothing spilled; the scalar loop
    # after it runs the tail.
    asm = listing(name)
    loop = "\n".join(loop_blocks(asm, access=PACKED))
    for op in ops:
        assert op in loop, loop
    assert len(re.findall(r"^\s+cmp\w*\b", loop, re.M)) == 1, loop
    assert "%rsp" not in loop and "offset:" not in loop, loop
    assert "label" in "\n".join(loop_blocks(asm))  # and a scalar loop still exists


def test_hoisted_guard_still_raises_at_the_right_iteration():
    out = np.zeros(4)
    a = np.arange(10.0)
    f = pyston.fast(kernels.scale_into)
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 0 with size 4"):
        f(out, a, 2.0, 6)
    # Elements 0..3 were written before the error, exactly as in CPython.
    assert list(out) == [0.0, 2.0, 4.0, 6.0]


@x86
def test_detector_sees_a_check_that_must_stay():
    # a[i - 1] with i from 0 reads a[-1] first (wraparound): the check stays.
    f = pyston.fast(kernels.prev_sum)
    a = np.arange(5.0)
    assert f(a) == kernels.prev_sum(a)
    assert checks_in_loop(f.inspect_asm()) > 1


@x86
@pytest.mark.parametrize(
    "flags", [{}, {"frozen_globals": True, "unchecked_int": True, "boundscheck": False}], ids=["strict", "optin"]
)
def test_arguments_are_not_spilled_in_the_loop(flags):
    # Exits (return, deopt) reload the arguments from the argument array, so the
    # loop does not keep every slot of `out` live and spill/reload it each trip.
    n = 64
    args = (1.5, np.arange(n, dtype=float), np.ones(n), np.empty(n))
    f = pyston.fast(**flags)(kernels.axpy)
    out = f(*args)
    assert out is args[3]
    np.testing.assert_array_equal(out, kernels.axpy(1.5, args[1], args[2], np.empty(n)))
    loop = "\n".join(loop_blocks(f.inspect_asm()))
    assert "%rsp" not in loop and "offset:" not in loop, loop


@x86
def test_scalar_builtins_do_not_make_the_loop_call_the_runtime():
    # int(x) and abs(x) on scalars allocate nothing, so the loop takes no arena
    # mark/collect call per trip; an overflow still deoptimizes exactly.
    f = pyston.fast(kernels.int_sum_as_int)
    a = np.arange(-50, 50, dtype=np.int32)
    assert f(a) == kernels.int_sum_as_int(a)
    loop = "\n".join(loop_blocks(f.inspect_asm()))
    assert "call" not in loop, loop
    big = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    r = f(big)
    assert r == kernels.int_sum_as_int(big) and type(r) is int


@pyston.fast
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@x86
def test_recursive_listing_shows_the_native_self_call():
    # The listing recompiles; it must infer the recursive return type as the real
    # compile does, not show the self-call deoptimizing.
    assert fib(15) == 610
    asm = fib.inspect_asm()
    assert asm.count("call    User(") >= 2, asm
