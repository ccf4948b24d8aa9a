"""Differential fuzzing of whole-array expressions (tests/fuzz/arrays.py):
fused, partly fused and unfused NumPy expressions over views of many shapes
and layouts must give NumPy's result bit for bit, with its strides, warnings
and errors. A fixed-seed batch plus a batch from a seed drawn from the
checked-out commit; each runs in a subprocess, so a crash fails the test
with the seed instead of killing the run.

Reproduce with ``python tests/fuzz/arrays.py --seed S --count N``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from test_fuzz import RANDOM_SEED, SCALE

HERE = os.path.dirname(os.path.abspath(__file__))
COUNT = int(os.environ.get("PYSTON_FUZZ_ARRAYS_COUNT", "400"))


def run_batch(seed: int, count: int) -> None:
    p = subprocess.run(
        [sys.executable, os.path.join(HERE, "fuzz", "arrays.py"), "--seed", str(seed), "--count", str(count)],
        capture_output=True, text=True, timeout=600 * SCALE,
    )
    assert p.returncode == 0, f"seed {seed}:\n{p.stdout[-6000:]}\n{p.stderr[-3000:]}"
    assert f"{count} programs, 0 mismatches" in p.stdout, p.stdout[-3000:]


def test_fixed_seed_batch():
    run_batch(20261207, COUNT)


def test_commit_seed_batch():
    run_batch(RANDOM_SEED, max(1, COUNT // 4))
