"""Counter arrays (`h[x[i, j]] += 1` on an int64/uint64 array made by np.zeros
inside counted loops over one array's axes): the bounds pass proves the adds
cannot overflow (ranges.rs `counter_arrays`) and codegen leaves out their
overflow check. Plain and compiled must agree exactly, including NumPy's
overflow warning and wrap-around wherever the proof does not apply (a counter
array that comes in as an argument, a non-counting store, a `while` loop,
several sites); the dumped facts show where the check was dropped."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, assert_same, native, rng_for, variants


@pyston.fast
def hist_2d(img):
    h = np.zeros(256, np.int64)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            h[img[i, j]] += 1
    return h


@pyston.fast
def hist_spelled_out(img):
    h = np.zeros(256, dtype=np.int64)
    n, m = img.shape
    for i in range(n):
        for j in range(m):
            v = img[i, j]
            h[v] = h[v] + 1
    return h


@pyston.fast
def hist_labels(labels, k):
    counts = np.zeros(k, np.int64)
    for i in range(len(labels)):
        counts[labels[i]] += 1
    return counts


@pyston.fast
def hist_u64(a):
    h = np.zeros(16, np.uint64)
    for i in range(1, a.shape[0]):
        h[a[i] & 15] += 1
    return h


@pyston.fast
def joint_hist(a, b):
    h = np.zeros((8, 8), np.int64)
    for i in range(a.shape[0]):
        h[a[i], b[i]] += 1
    return h, h.shape, h[0, 0]


@pyston.fast
def hist_like(labels, proto):
    h = np.zeros_like(proto)
    for i in range(labels.shape[0]):
        h[labels[i]] += 1
    return h


@pyston.fast
def hist_into(h, labels):
    # The counters come in as an argument: they may start anywhere (no proof).
    for i in range(labels.shape[0]):
        h[labels[i]] += 1
    return h


@pyston.fast
def hist_seeded(labels, start):
    # A store of another value: the counters may start near the top (no proof).
    h = np.zeros(4, np.int64)
    h[0] = start
    for i in range(labels.shape[0]):
        h[labels[i]] += 1
    return h


@pyston.fast
def hist_tuple_used(labels):
    # The tuple holding the counters is used before it is returned: no proof.
    h = np.zeros(4, np.int64)
    t = (h, 1)
    for i in range(labels.shape[0]):
        h[labels[i]] += 1
    return t[0]


@pyston.fast
def hist_repeated(labels, reps):
    # The loop around runs `reps` times (not an axis of labels): no proof.
    h = np.zeros(4, np.int64)
    for _ in range(reps):
        for i in range(labels.shape[0]):
            h[labels[i]] += 1
    return h


@pyston.fast
def hist_big_step(labels):
    # += 3 per element of a 1-byte array: 3 * size may pass 2**63 (no proof).
    h = np.zeros(4, np.int64)
    for i in range(labels.shape[0]):
        h[labels[i]] += 3
    return h


def test_histograms_exact():
    rng = rng_for("counter_hist")
    for shape in [(0, 0), (0, 5), (1, 1), (3, 7), (64, 33)]:
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        for _, v in variants(img):
            assert_same(hist_2d, v)
            assert_same(hist_spelled_out, v)
    native(hist_2d, img)
    native(hist_spelled_out, img)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.int64, np.uint16])
def test_label_dtypes(dtype):
    rng = rng_for(f"counter_labels_{np.dtype(dtype).name}")
    labels = rng.integers(0, 10, 1000).astype(dtype)
    for _, v in variants(labels):
        assert_same(hist_labels, v, 10)
    # Negative labels count from the end, as in NumPy; out of range: IndexError.
    if np.dtype(dtype).kind == "i":
        assert_same(hist_labels, np.array([-1, -10, 3], dtype), 10)
        assert_same(hist_labels, np.array([0, -11], dtype), 10)
    assert_same(hist_labels, np.array([0, 10], dtype), 10)
    native(hist_labels, labels, 10)


def test_uint64_joint_and_like():
    rng = rng_for("counter_u64")
    a = rng.integers(0, 2**63, 500, dtype=np.uint64)
    assert_same(hist_u64, a)
    native(hist_u64, a)
    x, y = rng.integers(0, 8, 300), rng.integers(0, 8, 300)
    assert_same(joint_hist, x, y)
    assert_same(joint_hist, x[::-1], y[::2][:150].repeat(2))
    assert_same(hist_like, rng.integers(0, 5, 200, dtype=np.uint8), np.ones(5, np.int64))
    assert_same(hist_like, rng.integers(0, 5, 200, dtype=np.uint8), np.ones(5, np.uint64))


def test_overflow_where_not_proven():
    labels = np.array([0, 1, 0, 2, 0], np.uint8)
    # NumPy warns ("overflow encountered in scalar add") and wraps: the same here.
    near = np.array([I64_MAX - 1, 5, I64_MAX, 0], np.int64)
    assert_same(hist_into, near, labels)
    assert_same(hist_into, np.array([2**64 - 2, 0, 0, 0], np.uint64), labels)
    assert_same(hist_seeded, labels, I64_MAX - 2)
    assert_same(hist_seeded, labels, 7)
    assert_same(hist_repeated, labels, 3)
    assert_same(hist_big_step, labels)
    assert_same(hist_tuple_used, labels)


def dumped_facts(tmp_path, src, call):
    """The bounds facts of the function `f` in `src`, after calling it as `call`."""
    script = tmp_path / "k.py"
    script.write_text("import numpy as np, pyston\n" + textwrap.dedent(src) + f"\nf = pyston.fast(f)\n{call}\n")
    env = dict(os.environ, PYSTON_DUMP_IR="bounds")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    assert "--- f: after bounds" in text, text
    return text


def _source_as_f(fn):
    import inspect

    lines = inspect.getsource(fn.py_func).splitlines()
    lines = [ln for ln in lines if not ln.startswith("@")]
    return "\n".join(lines).replace(f"def {fn.__name__}(", "def f(")


def _add_proven(text):
    return any(ln.startswith("no_overflow") and "add" in ln for ln in text.splitlines())


@pytest.mark.parametrize(
    "src, call",
    [
        (hist_2d, "f(np.zeros((3, 4), np.uint8))"),
        (hist_spelled_out, "f(np.zeros((3, 4), np.uint8))"),
        (hist_labels, "f(np.zeros(5, np.int32), 3)"),
        (hist_u64, "f(np.zeros(5, np.uint64))"),
        (joint_hist, "f(np.zeros(5, np.int64), np.zeros(5, np.int64))"),
    ],
)
def test_check_dropped(tmp_path, src, call):
    body = _source_as_f(src)
    assert _add_proven(dumped_facts(tmp_path, body, call))


@pytest.mark.parametrize(
    "src, call",
    [
        (hist_into, "f(np.zeros(4, np.int64), np.zeros(5, np.uint8))"),
        (hist_seeded, "f(np.zeros(5, np.uint8), 3)"),
        (hist_repeated, "f(np.zeros(5, np.uint8), 2)"),
        (hist_tuple_used, "f(np.zeros(5, np.uint8))"),
        (hist_big_step, "f(np.zeros(5, np.uint8))"),
    ],
)
def test_check_kept(tmp_path, src, call):
    body = _source_as_f(src)
    assert not _add_proven(dumped_facts(tmp_path, body, call))
