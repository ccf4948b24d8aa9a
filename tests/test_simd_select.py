"""SIMD loops with comparisons, if-converted conditionals and narrow int lanes.

`numeric/src/simd_select.rs` runs loops over int arrays of every width (16 x
int8/uint8, 8 x int16/uint16, 4 x int32/uint32, 2 x int64) whose bodies hold
comparisons and `x if c else y` diamonds, Python-int arithmetic on narrow
elements in the narrowest exact lanes, and stores that truncate to the array's
dtype. Every kernel here runs plain and compiled on copies of the same data:
results, dtypes, the arrays written, exceptions (OverflowError for a Python int
outside the dtype) and warnings (NumPy's overflow warnings) must be identical.
Lengths around each lane count, boundary values, strided and overlapping views
are all tried; `test_the_vector_loops_are_planned` checks (through
`PYSTON_DUMP_IR=simd`) that the vector loops are really used, at the expected
lane width.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pyston
import pytest

INT_DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64]
LANES = {1: 16, 2: 8, 4: 4, 8: 2}


def lengths(dtype):
    n = LANES[np.dtype(dtype).itemsize]
    return sorted({0, 1, n - 1, n, n + 1, 2 * n - 1, 2 * n, 2 * n + 1, 4 * n + 3, 1003})


# Kernels with the dtype's bounds written as constants (so that the value
# ranges are proven), one module per run, written out so that pyston can read
# their source.
TEMPLATE = """
import numpy as np


def sat_add_{name}(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) + int(b[i])
        out[i] = {hi} if s > {hi} else ({lo} if s < {lo} else s)
    return out


def sat_sub_{name}(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) - int(b[i])
        out[i] = {lo} if s < {lo} else ({hi} if s > {hi} else s)
    return out
"""

GENERIC = """
import numpy as np


def threshold(img, t, hi):
    out = np.empty_like(img)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            v = img[i, j]
            out[i, j] = hi - v if v > t else v
    return out


def add_store(a, b, out):
    for i in range(a.shape[0]):
        out[i] = int(a[i]) + int(b[i])
    return out


def np_sub(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] - b[i]
    return out


def np_add_const(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i] + 1
    return out


def select_max(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] if a[i] >= b[i] else b[i]
    return out


def abs_diff(a, b, out):
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[i] = x - y if x > y else y - x
    return out


def widen_mix(a, out):
    for i in range(a.shape[0]):
        v = int(a[i])
        out[i] = v * 3 if v < 0 else v - 7
    return out


def count_to(a, t, out):
    for i in range(a.shape[0]):
        out[i] = 1 if a[i] == t else (2 if a[i] != 0 else 0)
    return out


def relu(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        out[i] = x if x > 0.0 else 0.0
    return out


def float_clamp(a, out, lo, hi):
    for i in range(a.shape[0]):
        x = a[i] * 2.0
        out[i] = hi if x > hi else (lo if x < lo else x)
    return out


def float_pick(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] - b[i] if a[i] != b[i] else -abs(a[i])
    return out


def flag_gt(a, t, out):
    for i in range(a.shape[0]):
        out[i] = a[i] > t
    return out


def flag_float(a, t, out):
    for i in range(a.shape[0]):
        out[i] = a[i] >= t
    return out


def pick_by_mask(m, a, b, out):
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[i] = x if m[i] else y
    return out


def differ(a, b, out):
    for i in range(a.shape[0]):
        out[i] = int(a[i]) != int(b[i])
    return out


def in_place_clip(a):
    for i in range(a.shape[0]):
        v = int(a[i])
        a[i] = 100 if v > 100 else (-100 if v < -100 else v)
    return a


# Clamps next to saturation: a pair of unrolled copies is stored by one
# saturating narrow, which replaces the clamp only when it is exactly the
# dtype's range on the value stored.
def clamp_127(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) + int(b[i])
        out[i] = 127 if s >= 127 else (-127 if s <= -127 else s)
    return out


def clamp_low_first(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) - int(b[i])
        out[i] = -128 if s <= -128 else (127 if s >= 127 else s)
    return out


def clamp_u8(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) - int(b[i])
        out[i] = 0 if s < 0 else (255 if s > 255 else s)
    return out


def clamp_other(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) + int(b[i])
        t = s - 1
        out[i] = 126 if s > 127 else (-128 if s < -127 else t)
    return out


def clamp_i16(a, b, out):
    for i in range(a.shape[0]):
        s = int(a[i]) * 3 - int(b[i])
        out[i] = 32767 if s > 32767 else (-32768 if s < -32768 else s)
    return out
"""


def _write_module(path, name, text):
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    d = tmp_path_factory.mktemp("simd_select")
    text = GENERIC
    for dt in INT_DTYPES:
        info = np.iinfo(dt)
        # (int64's minimum is not a literal: -(2**63) is a negated big int.)
        lo = info.min + (dt == np.int64)
        text += TEMPLATE.format(name=np.dtype(dt).name, lo=lo, hi=info.max)
    return _write_module(d / "simd_select_kernels.py", "simd_select_kernels", text)


def _run(fn, args):
    cargs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    exc = None
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = fn(*cargs)
        except Exception as e:  # noqa: BLE001 - compared below
            r, exc = None, (type(e), str(e))
    # Arrays as bytes: bit for bit (NaN payloads, signed zeros).
    res = (r.dtype, r.shape, r.tobytes()) if isinstance(r, np.ndarray) else r
    arrays = [(a.dtype, a.shape, a.tobytes()) for a in cargs if isinstance(a, np.ndarray)]
    msgs = [(w.category, str(w.message)) for w in ws if not issubclass(w.category, pyston.PerformanceWarning)]
    return res, exc, arrays, msgs


_COMPILED = {}


def same(py, *args):
    """Plain and compiled runs on copies agree exactly. (Each kernel compiles
    natively, `fallback=False`: `test_the_vector_loops_are_planned`. Here the
    default is kept: after a Python int overflowed 64 bits, the re-specialized
    int64 clamps may run on the interpreter tier.)"""
    f = _COMPILED.get(py)
    if f is None:
        f = _COMPILED[py] = pyston.fast(py)
    assert _run(f, args) == _run(py, args)


def _values(dtype, n, rng):
    """Random elements with the dtype's boundary values mixed in."""
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    edges = np.array(sorted({info.min, info.min + 1, -1 if info.min < 0 else 1, 0, 1, info.max - 1, info.max}), dtype)
    if n:
        k = rng.integers(0, n, min(n, 2 * len(edges)))
        a[k] = np.resize(edges, len(k))
    return a


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_saturating_clamps_every_length_and_boundary(kernels, dtype, rng):
    name = np.dtype(dtype).name
    for fn in (getattr(kernels, f"sat_add_{name}"), getattr(kernels, f"sat_sub_{name}")):
        for n in lengths(dtype):
            a, b = _values(dtype, n, rng), _values(dtype, n, rng)
            same(fn, a, b, np.zeros(n, dtype))
            info = np.iinfo(dtype)
            for x, y in ((info.max, info.max), (info.min, info.min), (info.max, info.min), (0, 0)):
                same(fn, np.full(n, x, dtype), np.full(n, y, dtype), np.zeros(n, dtype))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_threshold_numpy_scalars(kernels, dtype, rng):
    # hi - v: exact (and proven) for unsigned dtypes; for signed ones it overflows
    # (NumPy warns) for negative v: the step's lanes are checked and the scalar loop
    # takes over, warning exactly as Python does.
    info = np.iinfo(dtype)
    for n in lengths(dtype):
        img = np.stack([_values(dtype, n, rng), _values(dtype, n, rng)])
        for t in (info.min, 0, info.max // 2, info.max):
            same(kernels.threshold, img, dtype(t), dtype(info.max))
        if info.min < 0:
            pos = np.abs(img.astype(np.int64)).clip(0, info.max).astype(dtype)
            same(kernels.threshold, pos, dtype(0), dtype(info.max))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_python_int_stores_outside_the_dtype_raise_exactly(kernels, dtype, rng):
    info = np.iinfo(dtype)
    for n in lengths(dtype):
        half = rng.integers(info.min // 2, info.max // 2, n, dtype=dtype, endpoint=True)
        same(kernels.add_store, half, half // 2, np.zeros(n, dtype))
        if n:
            for pos in sorted({0, n // 2, n - 1}):
                a = half.copy()
                a[pos] = info.max  # max + (>0) or min + (<0): OverflowError at that element
                b = np.ones(n, dtype)
                same(kernels.add_store, a, b, np.zeros(n, dtype))
                a[pos] = info.min
                if info.min < 0:
                    same(kernels.add_store, a, -b, np.zeros(n, dtype))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_numpy_int_arithmetic_wraps_and_warns_exactly(kernels, dtype, rng):
    info = np.iinfo(dtype)
    for n in lengths(dtype):
        a, b = _values(dtype, n, rng), _values(dtype, n, rng)
        same(kernels.np_sub, a, b, np.zeros(n, dtype))
        same(kernels.np_add_const, a, np.zeros(n, dtype))
        small = rng.integers(0, max(1, info.max // 4), n).astype(dtype)
        same(kernels.np_sub, small + small, small, np.zeros(n, dtype))  # never wraps
        same(kernels.np_add_const, small, np.zeros(n, dtype))
        same(kernels.select_max, a, b, np.zeros(n, dtype))
        same(kernels.abs_diff, a, b, np.zeros(n, dtype))
        same(kernels.abs_diff, small, small[::-1].copy(), np.zeros(n, dtype))
        same(kernels.count_to, a, dtype(info.max), np.zeros(n, np.int8))


@pytest.mark.parametrize("src", [np.int8, np.uint8, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("dst", [np.int16, np.int32, np.int64], ids=lambda d: np.dtype(d).name)
def test_widening_loads_and_narrowing_stores(kernels, src, dst, rng):
    for n in lengths(src) + lengths(dst):
        a = _values(src, n, rng)
        same(kernels.widen_mix, a, np.zeros(n, dst))
    same(kernels.widen_mix, np.full(33, np.iinfo(src).min, src), np.zeros(33, np.int8))  # may not fit int8


def test_in_place_and_overlapping_views(kernels, rng):
    for dt in (np.int8, np.int16, np.int32, np.int64):
        for n in (0, 1, 17, 64, 1003):
            a = _values(dt, n, rng)
            same(kernels.in_place_clip, a)
            # Shifted views of one buffer: the overlap check sends them to the scalar loop.
            buf = _values(dt, n + 5, rng)
            for s in (1, 2, 5):
                same(kernels.widen_mix, buf[s : s + n], buf[:n])
                same(kernels.widen_mix, buf[:n], buf[s : s + n])
            name = np.dtype(dt).name
            sat = getattr(kernels, f"sat_add_{name}")
            buf = _values(dt, 2 * n + 8, rng)
            same(sat, buf[: n], buf[3 : n + 3], buf[1 : n + 1])


def test_strided_and_reversed_views_run_the_scalar_loop(kernels, rng):
    for dt in (np.uint8, np.int16, np.uint32):
        a, b = _values(dt, 200, rng), _values(dt, 200, rng)
        same(kernels.select_max, a[::2], b[::2], np.zeros(100, dt))
        same(kernels.select_max, a[::-1], b[1::2], np.zeros(100, dt)[::-1])
        img = np.stack([a, b]).T  # Fortran order: the inner loop is not unit-stride
        same(kernels.threshold, img, dt(7), dt(np.iinfo(dt).max))
        same(kernels.threshold, np.asfortranarray(img), dt(7), dt(np.iinfo(dt).max))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_bool_arrays_stored_from_comparisons_and_used_as_conditions(kernels, dtype, rng):
    info = np.iinfo(dtype)
    for n in lengths(dtype) + lengths(np.int8):
        a, b = _values(dtype, n, rng), _values(dtype, n, rng)
        m = rng.integers(0, 2, n).astype(bool)
        for t in (info.min, 0, info.max):
            same(kernels.flag_gt, a, dtype(t), np.zeros(n, bool))
        same(kernels.pick_by_mask, m, a, b, np.zeros(n, dtype))
        same(kernels.pick_by_mask, m[::-1], a, b, np.zeros(n, dtype))  # reversed mask: scalar
        same(kernels.differ, a, a if n % 2 else b, np.ones(n, bool))
        same(kernels.differ, a, b, np.zeros(n, np.int8))  # True into int8: the scalar loop


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_float_conditionals_with_nan_inf_and_signed_zeros(kernels, dtype, rng):
    specials = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1.5, -2.5], dtype)
    for n in sorted({0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 1003}):
        a = rng.standard_normal(n).astype(dtype)
        b = rng.standard_normal(n).astype(dtype)
        if n:
            k = rng.integers(0, n, min(n, 12))
            a[k] = np.resize(specials, len(k))
            b[k[::2]] = a[k[::2]]  # equal pairs, NaN pairs included
        same(kernels.relu, a, np.zeros(n, dtype))
        same(kernels.float_clamp, a, np.zeros(n, dtype), -0.5, 0.5)
        same(kernels.float_clamp, a, np.zeros(n, dtype), np.nan, 0.0)
        same(kernels.float_pick, a, b, np.zeros(n, dtype))
        buf = np.concatenate([a, b])
        same(kernels.float_pick, buf[:n], buf[1 : n + 1], buf[2 : n + 2])  # overlapping: scalar
        flags = np.zeros(n, bool)
        same(kernels.flag_float, a, dtype(0.5), flags)
        same(kernels.flag_float, a, dtype(np.nan), flags)
        same(kernels.flag_float, a, dtype(-np.inf), flags)


PLANNED = """
import sys
import numpy as np
sys.path.insert(0, {dir!r})
import simd_select_kernels as k
import pyston

def call(fn, *args):
    pyston.fast(fallback=False)(fn)(*args)

n = 40
for dt in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64):
    name = np.dtype(dt).name
    z = np.zeros(n, dt)
    call(getattr(k, "sat_add_" + name), z, z, z.copy())
call(k.threshold, np.zeros((3, n), np.uint8), np.uint8(128), np.uint8(255))
call(k.threshold, np.zeros((3, n), np.int16), np.int16(128), np.int16(255))
call(k.select_max, np.zeros(n, np.uint16), np.zeros(n, np.uint16), np.zeros(n, np.uint16))
call(k.widen_mix, np.zeros(n, np.int8), np.zeros(n, np.int32))
call(k.add_store, np.zeros(n, np.uint8), np.zeros(n, np.uint8), np.zeros(n, np.uint8))
for dt in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64):
    z = np.zeros(n, dt)
    call(getattr(k, "sat_sub_" + np.dtype(dt).name), z, z, z.copy())
    call(k.np_sub, z, z, z.copy())
    call(k.np_add_const, z, z.copy())
    call(k.abs_diff, z, z, z.copy())
    call(k.count_to, z, dt(3), np.zeros(n, np.int8))
    call(k.in_place_clip, z.copy())
for dt in (np.uint8, np.int16, np.int64):
    z = np.zeros(n, dt)
    call(k.flag_gt, z, dt(3), np.zeros(n, bool))
    call(k.pick_by_mask, np.zeros(n, bool), z, z, z.copy())
    call(k.differ, z, z, np.zeros(n, bool))
x = np.zeros(n)
call(k.relu, x, x.copy())
call(k.float_clamp, x, x.copy(), -0.5, 0.5)
call(k.float_pick, x, x, x.copy())
x32 = np.zeros(n, np.float32)
call(k.float_pick, x32, x32, x32.copy())
call(k.flag_float, x, 0.5, np.zeros(n, bool))
call(k.flag_float, x32, np.float32(0.5), np.zeros(n, bool))
"""


@pytest.mark.parametrize(
    "name,dtype",
    [
        ("clamp_127", np.int8),
        ("clamp_low_first", np.int8),
        ("clamp_u8", np.uint8),
        ("clamp_other", np.int8),
        ("clamp_i16", np.int16),
        ("sat_add_int8", np.int8),
        ("sat_sub_uint8", np.uint8),
    ],
)
def test_clamped_stores_of_unrolled_pairs(kernels, name, dtype, rng):
    fn = getattr(kernels, name)
    info = np.iinfo(dtype)
    for n in lengths(dtype) + [64, 65, 255]:
        a, b = _values(dtype, n, rng), _values(dtype, n, rng)
        same(fn, a, b, np.zeros(n, dtype))
        for x, y in ((info.max, info.max), (info.min, info.min), (info.max, info.min), (info.min, info.max)):
            same(fn, np.full(n, x, dtype), np.full(n, y, dtype), np.zeros(n, dtype))
    # Every pair of elements (int8/uint8), and views: offset (unaligned) and into a wider buffer.
    if info.bits == 8:
        a = np.repeat(np.arange(info.min, info.max + 1), 256).astype(dtype)
        b = np.tile(np.arange(info.min, info.max + 1), 256).astype(dtype)
        same(fn, a, b, np.zeros(a.shape[0], dtype))
        same(fn, a[3:], b[3:], np.zeros(a.shape[0] + 5, dtype)[5:-3])


def test_clamps_to_the_dtype_range_pack_without_selects(kernels):
    """`sat_add_int8`'s clamp is the narrowing's own saturation: the loop's body
    stores both unrolled copies with one `snarrow` of the sums (no `bitselect`
    feeds it); `clamp_127` keeps its selects (not int8's range)."""
    d = os.path.dirname(kernels.__file__)
    script = os.path.join(d, "packed.py")
    with open(script, "w") as f:
        f.write(
            textwrap.dedent(
                f"""
                import sys
                import numpy as np
                import pyston
                sys.path.insert(0, {d!r})
                import simd_select_kernels as k
                z = np.zeros(40, np.int8)
                for name in ("sat_add_int8", "clamp_127"):
                    pyston.fast(fallback=False)(getattr(k, name))(z, z, z.copy())
                u = np.zeros(40, np.uint8)
                pyston.fast(fallback=False)(k.clamp_u8)(u, u, u.copy())
                """
            )
        )
    env = dict(os.environ, PYSTON_DUMP_IR="clif")
    err = subprocess.run([sys.executable, script], capture_output=True, text=True, env=env, check=True).stderr
    clif = {}
    for part in err.split("--- ")[1:]:
        head, _, body = part.partition("\n")
        clif[head.split(":")[0]] = body
    lines = clif["sat_add_int8"].splitlines()
    packs = [ln for ln in lines if " snarrow " in ln]
    assert len(packs) == 1
    for v in packs[0].split("snarrow ")[1].split(", "):
        (defn,) = [ln for ln in lines if ln.strip().startswith(v.strip() + " = ")]
        assert "bitselect" not in defn and " iadd " in defn  # the sums themselves
    assert " unarrow " in clif["clamp_u8"]
    lines = clif["clamp_127"].splitlines()
    (pack,) = [ln for ln in lines if " snarrow " in ln]
    for v in pack.split("snarrow ")[1].split(", "):
        (defn,) = [ln for ln in lines if ln.strip().startswith(v.strip() + " = ")]
        assert "bitselect" in defn


def test_the_vector_loops_are_planned(kernels):
    d = os.path.dirname(kernels.__file__)
    script = os.path.join(d, "planned.py")
    with open(script, "w") as f:
        f.write(textwrap.dedent(PLANNED.format(dir=d)))
    env = dict(os.environ, PYSTON_DUMP_IR="simd")
    err = subprocess.run([sys.executable, script], capture_output=True, text=True, env=env, check=True).stderr
    sections = {}
    for part in err.split("--- ")[1:]:
        head, _, body = part.partition("\n")
        sections.setdefault(head.split(":")[0], []).append(body)

    def plan(name, i=0):
        return sections[name][i]

    # Python ints of int8/uint8 elements added: 9 bits, in 8 x i16 lanes; int16/uint16: 4 x i32;
    # int32/uint32: 2 x i64; int64 elements: int64 lanes with a checked add.
    assert "8 x i16" in plan("sat_add_int8") and "8 x i16" in plan("sat_add_uint8")
    assert "4 x i32" in plan("sat_add_int16") and "4 x i32" in plan("sat_add_uint16")
    assert "2 x i64" in plan("sat_add_int32") and "2 x i64" in plan("sat_add_uint32")
    assert "2 x i64" in plan("sat_add_int64") and "check Add" in plan("sat_add_int64")
    for name in ("sat_add_int8", "sat_add_uint16", "sat_add_uint32"):
        assert "select at" in plan(name) and "check" not in plan(name)  # the clamp proves the store
    # hi - v with hi an argument: checked (unsigned, or signed), in lanes of the dtype.
    assert "16 x i8" in plan("threshold", 0) and "check USub" in plan("threshold", 0)
    assert "8 x i16" in plan("threshold", 1) and "check Sub" in plan("threshold", 1)
    assert "8 x i16" in plan("select_max")
    assert "4 x i32" in plan("widen_mix")
    assert "8 x i16" in plan("add_store") and "check Range(0, 255)" in plan("add_store")
    # NumPy uint8 arithmetic as wide as the lane: checked unsigned; int8 clip in place: 8 x i8.
    assert "16 x i8" in plan("np_sub", 1) and "check USub" in plan("np_sub", 1)
    assert "16 x i8" in plan("in_place_clip", 0) and "check" not in plan("in_place_clip", 0)
    assert "16 x i8" in plan("count_to", 1)
    assert "16 x i8" in plan("abs_diff", 1) and "check USub" in plan("abs_diff", 1)
    # Bool arrays: comparisons stored as 0/1 bytes, elements tested as masks.
    assert "16 x i8" in plan("flag_gt", 0) and "8 x i16" in plan("flag_gt", 1) and "2 x i64" in plan("flag_gt", 2)
    assert "16 x i8" in plan("pick_by_mask", 0) and "select at" in plan("pick_by_mask", 0)
    assert "2 x i64" in plan("pick_by_mask", 2)
    assert "8 x i16" in plan("differ", 0) and "8 x i16" in plan("differ", 1)  # int(uint8): 9 bits
    assert "2 x i64" in plan("differ", 2)
    # Float lanes: selects by ordered comparisons.
    assert "2 x f64" in plan("relu") and "select at" in plan("relu")
    assert "2 x f64" in plan("float_clamp") and plan("float_clamp").count("select at") == 2
    assert "2 x f64" in plan("float_pick", 0) and "4 x f32" in plan("float_pick", 1)
    assert "2 x f64" in plan("flag_float", 0) and "4 x f32" in plan("flag_float", 1)


def test_checks_count_only_in_the_lanes_that_take_their_side(kernels):
    # |x - y| of uint8 images: each side's subtraction would wrap in the lanes
    # that take the other side; the vector loop runs to the end (a step that
    # handed over to the scalar loop would leave the rest to it: same result).
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, 4099, dtype=np.uint8)
    b = rng.integers(0, 256, 4099, dtype=np.uint8)
    same(kernels.abs_diff, a, b, np.zeros(4099, np.uint8))
    f = pyston.fast(fallback=False)(kernels.abs_diff)
    out = np.zeros(4099, np.uint8)
    f(a, b, out)
    assert out.tolist() == np.abs(a.astype(int) - b.astype(int)).tolist()
