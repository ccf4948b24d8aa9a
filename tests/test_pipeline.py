"""The pipeline's stages, seen through PYSTON_DUMP_IR and PYSTON_DISABLE_PASSES."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pyston
import pytest

KERNEL = textwrap.dedent(
    """
    import numpy as np, pyston

    @pyston.fast
    def axpy(a, x, y, out):
        for i in range(x.shape[0]):
            out[i] = a * x[i] + y[i]
        return out

    x = np.arange(10.0)
    print(axpy(2.0, x, x, np.empty(10))[3])
    """
)


def run(tmp_path, **env):
    path = tmp_path / "kernel.py"
    path.write_text(KERNEL)
    e = dict(os.environ, **env)
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=e, check=True)


@pytest.mark.parametrize(
    "stage, expect",
    [
        ("lower", "range_len"),
        ("infer", "array(float64, 1d, C)"),
        ("bounds", "unchecked block"),
        ("simd", "2 x f64"),
        ("clif", "function u0:"),
    ],
)
def test_dump_ir_prints_the_stage(tmp_path, stage, expect):
    r = run(tmp_path, PYSTON_DUMP_IR=stage)
    assert r.stdout.strip() == "9.0"
    assert f"--- axpy: after {stage}" in r.stderr
    assert expect in r.stderr
    others = [s for s in ("lower", "infer", "bounds", "simd", "clif") if s != stage]
    assert not any(f"after {s}\n" in r.stderr for s in others)


def test_dump_ir_all_stages_in_pipeline_order(tmp_path):
    err = run(tmp_path, PYSTON_DUMP_IR="1").stderr
    at = [err.index(f"--- axpy: after {s}\n") for s in ("lower", "infer", "bounds", "simd", "clif")]
    assert at == sorted(at)


def test_disabled_pass_plans_nothing(tmp_path):
    err = run(tmp_path, PYSTON_DUMP_IR="simd,bounds", PYSTON_DISABLE_PASSES="simd").stderr
    assert "after bounds" in err and "after simd" not in err


def test_disabled_passes_keep_results(monkeypatch):
    def kernel(a, b):
        s = 0
        for i in range(a.shape[0]):
            b[i] = a[i] * 2.0 + 1.0
            s += i * i
        return s

    a = np.random.default_rng(5).random(37)
    want_b = np.empty_like(a)
    want = kernel(a, want_b)
    for off in ("", "bounds", "simd", "small", "bounds,idioms,simd,small,fusion"):
        monkeypatch.setenv("PYSTON_DISABLE_PASSES", off)
        b = np.empty_like(a)
        got = pyston.fast(kernel)(a, b)
        assert got == want and type(got) is type(want)
        np.testing.assert_array_equal(b, want_b)
