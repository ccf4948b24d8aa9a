"""Loops over the dtypes beyond the basic six (int8 to uint64, float16,
complex64, datetime64/timedelta64): CPython vs pyston vs Numba.

Kernels written from textbook descriptions (not from the test suite): a uint8
image histogram, a uint8 threshold/invert pass, a uint8 absolute difference,
an int16 moving sum, a uint64 xorshift generator, a uint32 FNV-1a hash, an int8
saturating add, a float16 image blend, a float16 -> float32 accumulation, a complex64 FIR filter and a
complex64 Mandelbrot iteration, gaps between datetime64 timestamps and a
timedelta64 total skipping NaT, and kinetic energy over a packed structured
array (Numba cannot compile float16: n/a). Each runs
plain (on a slice, scaled up), under ``pyston.fast`` (strict) and under
``numba.njit`` when installed; the compiled results are checked against plain
Python (value, type, dtype). Medians of repeated runs (pyston's and Numba's
interleaved); ratios printed; JSON written.

    python benchmarks/dtypes.py [--repeat 5] [--clock wall|thread] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import pyston  # noqa: E402

try:
    import numba
except ImportError:  # Numba is optional
    numba = None


def histogram_u8(img):
    h = np.zeros(256, np.int64)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            h[img[i, j]] += 1
    return h


def threshold_u8(img, t):
    out = np.empty_like(img)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            v = img[i, j]
            out[i, j] = np.uint8(255) - v if v > t else v
    return out


def absdiff_u8(a, b):
    # |a - b| of two uint8 images, each side's subtraction taken only where it cannot wrap.
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            x = a[i, j]
            y = b[i, j]
            out[i, j] = x - y if x > y else y - x
    return out


def moving_sum_i16(a, w):
    out = np.zeros(a.shape[0] - w + 1, np.int32)
    for i in range(out.shape[0]):
        s = 0
        for k in range(w):
            s += int(a[i + k])
        out[i] = s
    return out


def xorshift_u64(n, seed):
    x = np.uint64(seed)
    acc = np.uint64(0)
    for _ in range(n):
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
        acc ^= x
    return acc


def fnv1a_u32(data):
    h = np.uint32(2166136261)
    for i in range(data.shape[0]):
        h ^= np.uint32(data[i])
        h = np.uint32((int(h) * 16777619) & 0xFFFFFFFF)
    return h


def saturating_add_i8(a, b):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        s = int(a[i]) + int(b[i])
        out[i] = 127 if s > 127 else (-128 if s < -128 else s)
    return out


def blend_f16(a, b, alpha):
    out = np.empty(a.shape, np.float16)
    beta = np.float16(1) - alpha
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * alpha + b[i, j] * beta
    return out


def sum_f16_as_f32(a):
    s = np.float32(0)
    for i in range(a.shape[0]):
        s += a[i]
    return s


def fir_c64(x, h):
    n = x.shape[0] - h.shape[0] + 1
    out = np.zeros(n, np.complex64)
    for i in range(n):
        acc = np.complex64(0)
        for k in range(h.shape[0]):
            acc += x[i + k] * h[k]
        out[i] = acc
    return out


def mandel_c64(c, maxit):
    out = np.zeros(c.shape[0], np.int64)
    for i in range(c.shape[0]):
        z = np.complex64(0)
        k = 0
        while k < maxit and z.real * z.real + z.imag * z.imag <= 4:
            z = z * z + c[i]
            k += 1
        out[i] = k
    return out


def gaps_m8(ts):
    # Gaps between consecutive event timestamps (datetime64[ms]) and the largest one.
    out = np.empty(ts.shape[0] - 1, dtype="m8[ms]")
    big = ts[1] - ts[0]
    for i in range(ts.shape[0] - 1):
        d = ts[i + 1] - ts[i]
        out[i] = d
        if d > big:
            big = d
    return big


def total_m8(durations):
    # Total of timedelta64[s] durations, NaT entries skipped (NaT != NaT).
    s = durations[0] - durations[0]
    for i in range(durations.shape[0]):
        d = durations[i]
        if d == d:
            s = s + d
    return s


def particles_rec(p):
    # Kinetic energy of particles in a structured array (packed record dtype).
    e = 0.0
    for i in range(p.shape[0]):
        r = p[i]
        e += 0.5 * r["m"] * (r["vx"] * r["vx"] + r["vy"] * r["vy"])
    return e


def cases(rng):
    img = rng.integers(0, 256, (1000, 1000), dtype=np.uint8)
    i16 = rng.integers(-3000, 3000, 1_000_000, dtype=np.int16)
    bytes_ = rng.integers(0, 256, 1_000_000, dtype=np.uint8)
    a8, b8 = rng.integers(-128, 128, 1_000_000, dtype=np.int8), rng.integers(-128, 128, 1_000_000, dtype=np.int8)
    f16a, f16b = rng.random((1000, 1000)).astype(np.float16), rng.random((1000, 1000)).astype(np.float16)
    xc = (rng.standard_normal(1_000_015) + 1j * rng.standard_normal(1_000_015)).astype(np.complex64)
    hc = (rng.standard_normal(16) + 1j * rng.standard_normal(16)).astype(np.complex64)
    re, im = np.meshgrid(np.linspace(-2.0, 0.6, 500), np.linspace(-1.2, 1.2, 400))
    grid = (re + 1j * im).astype(np.complex64).ravel()
    ts = (np.datetime64("2024-01-01T00:00:00", "ms")
          + np.cumsum(rng.integers(1, 60_000, 1_000_000)).astype("m8[ms]"))
    durations = rng.integers(0, 86_400, 1_000_000).astype("m8[s]")
    durations[5::97] = np.timedelta64("NaT")
    parts = np.zeros(1_000_000, dtype=[("id", "i4"), ("m", "f8"), ("vx", "f8"), ("vy", "f8")])
    parts["m"], parts["vx"], parts["vy"] = rng.random(1_000_000), rng.standard_normal(1_000_000), rng.standard_normal(1_000_000)
    img2 = rng.integers(0, 256, (1000, 1000), dtype=np.uint8)  # drawn last: the others' data unchanged
    # (kernel, full-size args, plain-Python args, scale of the full size over the plain one)
    return [
        (histogram_u8, (img,), (img[:20],), 50),
        (threshold_u8, (img, np.uint8(128)), (img[:20], np.uint8(128)), 50),
        (absdiff_u8, (img, img2), (img[:20], img2[:20]), 50),
        (moving_sum_i16, (i16, 8), (i16[:20_007], 8), 50),
        (xorshift_u64, (1_000_000, 88172645463325252), (20_000, 88172645463325252), 50),
        (fnv1a_u32, (bytes_,), (bytes_[:20_000],), 50),
        (saturating_add_i8, (a8, b8), (a8[:20_000], b8[:20_000]), 50),
        (blend_f16, (f16a, f16b, np.float16(0.3)), (f16a[:20], f16b[:20], np.float16(0.3)), 50),
        (sum_f16_as_f32, (f16a.ravel(),), (f16a.ravel()[:20_000],), 50),
        (fir_c64, (xc, hc), (xc[:20_015], hc), 50),
        (mandel_c64, (grid, 100), (grid[:4000], 100), 50),
        (gaps_m8, (ts,), (ts[:20_001],), 50),
        (total_m8, (durations,), (durations[:20_000],), 50),
        (particles_rec, (parts,), (parts[:20_000],), 50),
    ]


CLOCK = time.perf_counter


def median_time(f, repeat):
    ts = []
    for _ in range(repeat):
        t0 = CLOCK()
        f()
        ts.append(CLOCK() - t0)
    return statistics.median(ts)


def interleaved_medians(fs, repeat):
    """Median times of the callables in `fs`, run in turn (f0, f1, f0, f1, ...), so
    that a change in the machine's load falls on all of them alike."""
    ts = [[] for _ in fs]
    for _ in range(repeat):
        for f, t in zip(fs, ts):
            t0 = CLOCK()
            f()
            t.append(CLOCK() - t0)
    return [statistics.median(t) for t in ts]


def same(x, y):
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)
    return type(x) is type(y) and x == y


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "dtypes.json"))
    ap.add_argument("--clock", choices=("wall", "thread"), default="wall",
                    help="wall: time.perf_counter; thread: time.thread_time (this thread's CPU time, "
                         "steadier on a loaded machine)")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.thread_time if args.clock == "thread" else time.perf_counter
    rng = np.random.default_rng(7)
    rows = []
    print(f"{'kernel':<18} {'CPython':>10} {'pyston':>10} {'numba':>10} {'vs CPython':>11} {'vs numba':>9}  same")
    for fn, full, small, scale in cases(rng):
        fast = pyston.fast(fn)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pyston.PerformanceWarning)
            got = fast(*small)
        ok = bool(same(fn(*small), got))
        nb = numba.njit(fn) if numba is not None else None
        if nb is not None:
            try:
                nb(*small)
            except Exception:  # noqa: BLE001 -- Numba cannot compile float16
                nb = None
        t_py = median_time(lambda: fn(*small), max(1, args.repeat // 2)) * scale
        if nb is not None:
            t_ps, t_nb = interleaved_medians([lambda: fast(*full), lambda: nb(*full)], args.repeat)
        else:
            t_ps, t_nb = median_time(lambda: fast(*full), args.repeat), float("nan")
        rows.append(dict(kernel=fn.__name__, cpython=t_py, pyston=t_ps, numba=t_nb, same=ok))
        vs_nb = f"{t_ps / t_nb:8.2f}x" if t_nb == t_nb else f"{'n/a':>9}"
        print(f"{fn.__name__:<18} {t_py:10.4f} {t_ps:10.5f} {t_nb:10.5f} {t_py / t_ps:10.0f}x {vs_nb}  {ok}")

    def gmean(xs):
        xs = [x for x in xs if x == x]
        return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")

    summary = dict(speedup_over_cpython=gmean([r["cpython"] / r["pyston"] for r in rows]),
                   time_vs_numba=gmean([r["pyston"] / r["numba"] for r in rows]))
    print(f"geometric means: {summary['speedup_over_cpython']:.0f}x faster than CPython, "
          f"{summary['time_vs_numba']:.2f}x Numba's time")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(dict(machine=platform.machine(), python=platform.python_version(), numpy=np.__version__,
                       numba=getattr(numba, "__version__", None), rows=rows, summary=summary), f, indent=1)


if __name__ == "__main__":
    main()
