#!/usr/bin/env python3
"""pyston benchmark suite: CPython vs pyston (strict, opt-in, njit) vs Numba, in one run.

    python benchmarks/run.py [--quick] [--json PATH] [--filter SUBSTR] [--no-numba]
                             [--no-optin] [--no-njit] [--list] [--no-extras] [--budget S]

For every kernel in ``benchmarks/kernels`` it times the plain function
(CPython), a fresh ``pyston.fast(fn)`` (strict), a fresh
``pyston.fast(frozen_globals=True, unchecked_int=True, boundscheck=False)(fn)``
(opt-in), a fresh ``pyston.njit(fn)`` and a fresh ``numba.njit(fn)``; checks
that they return equal results; prints one table plus geometric means,
compile latencies, ``import pyston`` time, call overhead and peak RSS; and
writes every number to a JSON file (default ``benchmarks/results/latest.json``).
See ``benchmarks/README.md`` for what each column means.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import timeit
import traceback
import types
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from kernels import CATEGORIES, KERNELS, Kernel  # noqa: E402

perf_counter = time.perf_counter
DEFAULT_JSON = HERE / "results" / "latest.json"

# Flags of the opt-in engine ("pyston-optin"): the relaxations that matter for speed
# and that a careful user turns on for a tested kernel.
OPTIN_FLAGS = dict(
    frozen_globals=True,
    unchecked_int=True,
    boundscheck=False,
)


# --------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------


@dataclass
class Settings:
    budget: float  # seconds of timed calls wanted per engine and kernel
    min_runs: int  # at least this many samples ...
    slow_min_runs: int  # ... or this many when min_runs calls would take > 4 budgets
    max_time: float  # hard cap on timed seconds per engine and kernel
    min_sample: float  # fast calls are batched so one sample lasts this long
    max_samples: int = 2000
    import_reps: int = 5
    overhead_calls: int = 200_000


FULL = Settings(budget=0.2, min_runs=5, slow_min_runs=3, max_time=5.0, min_sample=1e-3)
QUICK = Settings(
    budget=0.03, min_runs=3, slow_min_runs=1, max_time=1.0, min_sample=2e-4,
    import_reps=3, overhead_calls=50_000,
)


# --------------------------------------------------------------------------
# engines
# --------------------------------------------------------------------------


@dataclass
class Engine:
    name: str  # key in the JSON: cpython, pyston, numba, pyston-optin, pyston-njit
    label: str  # column header
    wrap: Callable[[Callable], Callable]
    compiles: bool
    check_type: bool  # strict pyston promises the same result *type* as CPython
    module: Any = None


def make_engines(args) -> list[Engine]:
    engines = [Engine("cpython", "CPython", lambda fn: fn, compiles=False, check_type=True)]
    try:
        import pyston
    except Exception as exc:  # noqa: BLE001
        sys.exit(
            f"error: cannot import pyston ({type(exc).__name__}: {exc}).\n"
            "Build and install it first (see benchmarks/README.md)."
        )
    engines.append(Engine("pyston", "pyston", lambda fn: pyston.fast(fn), True, True, pyston))
    if not args.no_optin:
        # The opt-in flags keep result types; only values past the relaxed edge cases differ.
        engines.append(
            Engine("pyston-optin", "optin", lambda fn: pyston.fast(**OPTIN_FLAGS)(fn), True, True, pyston)
        )
    if not args.no_njit:
        # Numba semantics: NumPy scalar results come back as Python scalars, like numba.njit.
        engines.append(Engine("pyston-njit", "njit", lambda fn: pyston.njit(fn), True, False, pyston))
    if not args.no_numba:
        try:
            import numba
        except Exception as exc:  # noqa: BLE001
            print(f"note: numba not importable ({type(exc).__name__}: {exc}); "
                  "its columns stay empty", file=sys.stderr)
        else:
            engines.append(Engine("numba", "numba", lambda fn: numba.njit(fn), True, False, numba))
    return engines


def bind(kernel: Kernel, wrap: Callable) -> Callable:
    """Wrap ``kernel.fn`` for one engine.

    Kernels that call other module-level functions (``kernel.calls``, which
    includes the kernel's own name for recursion) get private clones of those
    functions sharing one copy of the module globals, each name bound to the
    engine's wrapper: compiled code then calls compiled code of the same
    engine, and no two engines (or kernels) share a wrapper object.
    """
    fn = kernel.fn
    if not kernel.calls:
        return wrap(fn)
    g = dict(fn.__globals__)
    for name in dict.fromkeys((*kernel.calls, fn.__name__)):
        src = fn.__globals__[name]
        clone = types.FunctionType(src.__code__, g, src.__name__, src.__defaults__, src.__closure__)
        clone.__qualname__ = src.__qualname__
        clone.__module__ = src.__module__
        clone.__doc__ = src.__doc__
        clone.__kwdefaults__ = src.__kwdefaults__
        g[name] = wrap(clone)
    return g[fn.__name__]


# --------------------------------------------------------------------------
# result comparison
# --------------------------------------------------------------------------

EXACT, CLOSE, TYPE, MISMATCH = "exact", "close", "type", "mismatch"
_RANK = {EXACT: 0, CLOSE: 1, TYPE: 2, MISMATCH: 3}
SYMBOL = {EXACT: "=", CLOSE: "≈", TYPE: "T", MISMATCH: "✗", "error": "E", None: "-"}


def snapshot(x):
    """Copy a result so later calls (which may reuse an output array) can't change it."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, tuple):
        return tuple(snapshot(v) for v in x)
    return x


def _worst(*levels):
    return max(levels, key=_RANK.__getitem__)


def _float_same(a, b) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def compare(ref, got, rtol: float, atol: float, check_type: bool) -> str:
    """exact (bit-identical), close (allclose), type (equal values, other type) or mismatch."""
    if isinstance(ref, tuple):
        if not isinstance(got, tuple) or len(got) != len(ref):
            return MISMATCH
        return _worst(EXACT, *(compare(r, g, rtol, atol, check_type) for r, g in zip(ref, got)))
    if isinstance(ref, np.ndarray):
        if not isinstance(got, np.ndarray) or got.shape != ref.shape:
            return MISMATCH
        if ref.dtype.kind in "fc" or got.dtype.kind in "fc":
            if np.array_equal(ref, got, equal_nan=True):
                level = EXACT
            elif np.allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True):
                level = CLOSE
            else:
                return MISMATCH
        else:
            level = EXACT if np.array_equal(ref, got) else MISMATCH
        if level != MISMATCH and check_type and got.dtype != ref.dtype:
            level = TYPE
        return level
    try:
        if isinstance(ref, (bool, np.bool_, int, np.integer)) and isinstance(got, (bool, np.bool_, int, np.integer)):
            level = EXACT if int(ref) == int(got) else MISMATCH
        elif isinstance(ref, (complex, np.complexfloating)) or isinstance(got, (complex, np.complexfloating)):
            r, g = complex(ref), complex(got)
            if _float_same(r.real, g.real) and _float_same(r.imag, g.imag):
                level = EXACT
            elif abs(r - g) <= atol + rtol * abs(r):
                level = CLOSE
            else:
                return MISMATCH
        elif isinstance(ref, (float, np.floating, int, np.integer)):
            if _float_same(ref, got):
                level = EXACT
            elif math.isclose(float(ref), float(got), rel_tol=rtol, abs_tol=atol):
                level = CLOSE
            else:
                return MISMATCH
        else:
            level = EXACT if ref == got else MISMATCH
    except (TypeError, ValueError):
        return MISMATCH
    if level != MISMATCH and check_type and type(ref) is not type(got):
        level = TYPE
    return level


def describe_result(x) -> str:
    if isinstance(x, np.ndarray):
        return f"ndarray {x.dtype}{list(x.shape)}"
    if isinstance(x, tuple):
        return "(" + ", ".join(describe_result(v) for v in x) + ")"
    return f"{type(x).__name__} {x!r}"[:80]


def describe_arg(a) -> str:
    if isinstance(a, np.ndarray):
        short = {"float64": "f64", "float32": "f32", "int64": "i64", "int32": "i32",
                 "bool": "bool", "complex128": "c128"}.get(str(a.dtype), str(a.dtype))
        shape = "x".join(str(s) for s in a.shape)
        if a.flags.c_contiguous:
            layout = "" if a.ndim <= 1 else " C"
        elif a.flags.f_contiguous:
            layout = " F"
        else:
            layout = " strides=" + ",".join(str(s // a.itemsize) for s in a.strides)
        return f"{short}[{shape}{layout}]"
    return repr(a)


# --------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------


def time_calls(call: Callable[[], Any], t_est: float, st: Settings, pre=()) -> tuple[list[float], int]:
    """Per-call times (seconds), one per sample; calls faster than ``min_sample`` are batched."""
    batch = 1
    if t_est < st.min_sample:
        batch = min(100_000, max(1, math.ceil(st.min_sample / max(t_est, 1e-8))))
    need = st.min_runs if t_est * st.min_runs <= 4 * st.budget else st.slow_min_runs
    samples = list(pre)
    total = sum(samples)
    gc_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        while True:
            if len(samples) >= need and total >= st.budget:
                break
            if samples and (total >= st.max_time or len(samples) >= st.max_samples):
                break
            t0 = perf_counter()
            for _ in range(batch):
                call()
            dt = perf_counter() - t0
            samples.append(dt / batch)
            total += dt
    finally:
        if gc_on:
            gc.enable()
    return samples, batch


@dataclass
class EngineRun:
    time_s: Optional[float] = None  # median steady-state time per call
    min_s: Optional[float] = None
    iqr_s: Optional[float] = None  # interquartile range of the samples (noise)
    runs: int = 0  # number of samples
    batch: int = 1  # calls per sample
    first_call_s: Optional[float] = None  # includes compilation for compiling engines
    compile_s: Optional[float] = None  # first_call_s - time_s (>= 0)
    check: Optional[str] = None  # vs CPython: exact / close / type / mismatch
    result: Optional[str] = None  # short description of the returned value
    error: Optional[str] = None
    error_trace: Optional[str] = None
    warnings: list = field(default_factory=list)
    fallback: bool = False  # pyston emitted a PerformanceWarning (interpreter tier)
    signatures: Optional[int] = None


def _exc_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def run_engine(kernel: Kernel, engine: Engine, st: Settings, quick: bool):
    """Returns (EngineRun, snapshot of the first call's result or None)."""
    er = EngineRun()
    args = kernel.args(quick)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn = bind(kernel, engine.wrap)
            gc.collect()
            t0 = perf_counter()
            out = fn(*args)
            er.first_call_s = perf_counter() - t0
        except Exception as exc:  # noqa: BLE001
            er.error = _exc_text(exc)
            er.error_trace = traceback.format_exc(limit=-6)
            out = None
        er.warnings = [f"{w.category.__name__}: {str(w.message).splitlines()[0][:200]}" for w in caught]
    er.fallback = any("PerformanceWarning" in w for w in er.warnings)
    if er.error:
        return er, None
    ref = snapshot(out)
    er.result = describe_result(ref)
    del out

    def call():
        fn(*args)

    try:
        pre = ()
        if not engine.compiles and er.first_call_s >= 0.05:
            t_est, pre = er.first_call_s, (er.first_call_s,)  # slow CPython call: count it
        else:
            t0 = perf_counter()
            call()
            t_est = perf_counter() - t0
        samples, er.batch = time_calls(call, t_est, st, pre)
    except Exception as exc:  # noqa: BLE001
        er.error = "steady-state call failed: " + _exc_text(exc)
        er.error_trace = traceback.format_exc(limit=-6)
        return er, ref
    er.runs = len(samples)
    er.time_s = statistics.median(samples)
    er.min_s = min(samples)
    if len(samples) >= 4:
        q = statistics.quantiles(samples, n=4)
        er.iqr_s = q[2] - q[0]
    if engine.compiles:
        er.compile_s = max(0.0, er.first_call_s - er.time_s)
    sigs = getattr(fn, "signatures", None)
    if sigs is not None:
        try:
            er.signatures = len(sigs)
        except TypeError:
            pass
    return er, ref


def run_kernel(kernel: Kernel, engines: list[Engine], st: Settings, quick: bool) -> dict:
    runs: dict[str, EngineRun] = {}
    results = {}
    for eng in engines:
        runs[eng.name], results[eng.name] = run_engine(kernel, eng, st, quick)
    ref = results.get("cpython")
    for eng in engines:
        er = runs[eng.name]
        if eng.name == "cpython" or er.error or ref is None:
            if er.error:
                er.check = "error"
            continue
        er.check = compare(ref, results[eng.name], kernel.rtol, kernel.atol, eng.check_type)
    row = {
        "name": kernel.name,
        "category": kernel.category,
        "description": kernel.description,
        "size": kernel.n(quick),
        "inputs": ", ".join(describe_arg(a) for a in kernel.args(quick)),
        "rtol": kernel.rtol,
        "engines": {k: asdict(v) for k, v in runs.items()},
    }
    row.update(derived(runs))
    return row


def _t(runs, name):
    er = runs.get(name)
    if er is None:
        return None
    t = er["time_s"] if isinstance(er, dict) else er.time_s
    return t if t and t > 0 else None


def derived(runs) -> dict:
    cp, ps, nb, po, pj = (_t(runs, n) for n in ("cpython", "pyston", "numba", "pyston-optin", "pyston-njit"))
    d = {
        "speedup_vs_cpython": cp / ps if cp and ps else None,
        "ratio_vs_numba": ps / nb if ps and nb else None,
        "numba_speedup_vs_cpython": cp / nb if cp and nb else None,
    }
    if "pyston-optin" in runs:
        d["optin_speedup_vs_cpython"] = cp / po if cp and po else None
        d["optin_ratio_vs_numba"] = po / nb if po and nb else None
        # what exactness costs: strict time / opt-in time (1.00x = free)
        d["strict_overhead_vs_optin"] = ps / po if ps and po else None
    if "pyston-njit" in runs:
        d["njit_speedup_vs_cpython"] = cp / pj if cp and pj else None
        d["njit_ratio_vs_numba"] = pj / nb if pj and nb else None
    return d


# --------------------------------------------------------------------------
# extras: import time, call overhead, memory
# --------------------------------------------------------------------------


_RSS_PROBE = '''
try:
    print(int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]) / 1024.0)
except Exception:
    import resource, sys
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(r / 1048576.0 if sys.platform == "darwin" else r / 1024.0)
'''


def measure_import(engines, reps: int) -> dict:
    """Wall time of fresh interpreters importing numpy (+ pyston / numba); median of reps."""
    snippets = {"numpy": "import numpy", "numpy+pyston": "import numpy, pyston"}
    if any(e.name == "numba" for e in engines):
        snippets["numpy+numba"] = "import numpy, numba"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
    times = {k: [] for k in snippets}

    def once(code):
        t0 = perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return perf_counter() - t0

    try:
        for code in snippets.values():  # warm the file cache
            once(code)
        for _ in range(reps):  # interleaved, so drift hits all equally
            for k, code in snippets.items():
                times[k].append(once(code))
        rss = {}
        for k, code in snippets.items():
            probe = code + "\n" + _RSS_PROBE
            outp = subprocess.run([sys.executable, "-c", probe], env=env, check=True,
                                  capture_output=True, text=True).stdout
            rss[k] = float(outp.split()[-1])
    except (subprocess.CalledProcessError, OSError, ValueError, IndexError) as exc:
        return {"error": _exc_text(exc)}
    med = {k: statistics.median(v) for k, v in times.items()}
    res = {"median_s": med, "samples_s": times, "peak_rss_mib": rss,
           "pyston_import_s": med["numpy+pyston"] - med["numpy"]}
    if "numpy+numba" in med:
        res["numba_import_s"] = med["numpy+numba"] - med["numpy"]
    return res


def _ovh_scalar(x):
    return x + 1


def _ovh_array(a):
    return len(a)


def measure_overhead(engines, calls: int) -> dict:
    """ns per call of a trivial function (scalar arg / array arg), best of 5."""
    cases = {"scalar": (_ovh_scalar, 1), "array": (_ovh_array, np.zeros(10))}
    out: dict = {}
    for case, (fn, arg) in cases.items():
        out[case] = {}
        for eng in engines:
            label = "python" if eng.name == "cpython" else eng.name
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f = eng.wrap(fn)
                    f(arg)
                    f(arg)
                timer = timeit.Timer("f(x)", globals={"f": f, "x": arg})
                best = min(timer.repeat(repeat=5, number=calls)) / calls
                out[case][label] = best * 1e9
            except Exception as exc:  # noqa: BLE001
                out[case][label] = None
                out.setdefault("errors", {})[f"{case}/{label}"] = _exc_text(exc)
    return out


def _warm(x):
    return x * 2 + 1


def warm_up_engines(engines) -> dict:
    """Compile one trivial function per engine, so one-time JIT initialisation
    (Cranelift ISA setup, LLVM target init) is not billed to the first kernel."""
    res = {}
    for eng in engines:
        if not eng.compiles:
            continue

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = perf_counter()
                eng.wrap(_warm)(3)
                res[eng.name] = perf_counter() - t0
        except Exception as exc:  # noqa: BLE001
            res[eng.name] = None
            res[eng.name + "_error"] = _exc_text(exc)
    return res


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB.

    Linux: VmHWM from /proc/self/status (ru_maxrss would report the parent's
    high-water mark in a freshly exec'd child); elsewhere ru_maxrss.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1024.0 * 1024.0) if sys.platform == "darwin" else r / 1024.0


# --------------------------------------------------------------------------
# environment
# --------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_rev() -> Optional[str]:
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def environment(engines) -> dict:
    mods = {e.name: e.module for e in engines}
    pyston = mods.get("pyston")
    numba = mods.get("numba")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "versions": {
            "python": platform.python_version(),
            "python_implementation": platform.python_implementation(),
            "numpy": np.__version__,
            "numba": getattr(numba, "__version__", None),
            "llvmlite": _llvmlite_version() if numba else None,
            "pyston": getattr(pyston, "__version__", "unknown") if pyston else None,
            "pyston_path": getattr(pyston, "__file__", None) if pyston else None,
            "pyston_git": git_rev(),
        },
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpu": cpu_model(),
            "cpu_count": os.cpu_count(),
            "loadavg_start": list(load) if load else None,
        },
    }


def _llvmlite_version():
    try:
        import llvmlite

        return llvmlite.__version__
    except Exception:  # noqa: BLE001
        return None


# --------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------


def fmt_time(s: Optional[float]) -> str:
    if s is None:
        return "-"
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if s >= scale or unit == "ns":
            v = s / scale
            return f"{v:.0f} {unit}" if v >= 100 else f"{v:.3g} {unit}"
    return "-"


def fmt_ms(s: Optional[float]) -> str:
    if s is None:
        return "-"
    ms = s * 1e3
    a = abs(ms)
    return f"{ms:.0f}" if a >= 100 else f"{ms:.1f}" if a >= 1 else f"{ms:.2f}"


def fmt_x(r: Optional[float]) -> str:
    if r is None:
        return "-"
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def render_table(headers, rows, align) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows if r is not None)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(cells, widths, align)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("" if r is None else line(r))
    return out


def _cell_time(er: Optional[dict]) -> str:
    if er is None:
        return "-"
    if er["error"] and er["time_s"] is None:
        return "error"
    return fmt_time(er["time_s"]) + ("†" if er.get("fallback") else "")


def _usable(row, eng) -> bool:
    er = row["engines"].get(eng)
    return bool(er and er["time_s"] and er["check"] not in ("mismatch", "error"))


def summarize(rows, engine_names) -> dict:
    def gm(key, a, b, subset=None):
        vals = [r[key] for r in (subset or rows) if r.get(key) and _usable(r, a) and _usable(r, b)]
        return {"geomean": geomean(vals), "n": len(vals)}

    s = {"pyston_speedup_vs_cpython": gm("speedup_vs_cpython", "cpython", "pyston")}
    if "numba" in engine_names:
        s["pyston_ratio_vs_numba"] = gm("ratio_vs_numba", "pyston", "numba")
        s["numba_speedup_vs_cpython"] = gm("numba_speedup_vs_cpython", "cpython", "numba")
    if "pyston-optin" in engine_names:
        s["optin_speedup_vs_cpython"] = gm("optin_speedup_vs_cpython", "cpython", "pyston-optin")
        if "numba" in engine_names:
            s["optin_ratio_vs_numba"] = gm("optin_ratio_vs_numba", "pyston-optin", "numba")
        s["strict_overhead_vs_optin"] = gm("strict_overhead_vs_optin", "pyston", "pyston-optin")
    if "pyston-njit" in engine_names:
        s["njit_speedup_vs_cpython"] = gm("njit_speedup_vs_cpython", "cpython", "pyston-njit")
        if "numba" in engine_names:
            s["njit_ratio_vs_numba"] = gm("njit_ratio_vs_numba", "pyston-njit", "numba")
    for eng in engine_names:
        if eng == "cpython":
            continue
        comp = [r["engines"][eng]["compile_s"] for r in rows if r["engines"][eng]["compile_s"] is not None]
        first = [r["engines"][eng]["first_call_s"] for r in rows if r["engines"][eng]["first_call_s"] is not None]
        s[f"{eng}_compile_s"] = {
            "median": statistics.median(comp) if comp else None,
            "max": max(comp) if comp else None,
            "total": sum(comp) if comp else None,
            "median_first_call": statistics.median(first) if first else None,
            "n": len(comp),
        }
        s[f"{eng}_errors"] = [r["name"] for r in rows if r["engines"][eng]["error"]]
        s[f"{eng}_mismatches"] = [r["name"] for r in rows if r["engines"][eng]["check"] == "mismatch"]
        s[f"{eng}_type_differences"] = [r["name"] for r in rows if r["engines"][eng]["check"] == "type"]
        s[f"{eng}_fallbacks"] = [r["name"] for r in rows if r["engines"][eng]["fallback"]]
    by_cat = {}
    for cat in CATEGORIES:
        sub = [r for r in rows if r["category"] == cat]
        if not sub:
            continue
        by_cat[cat] = {"pyston_speedup_vs_cpython": gm("speedup_vs_cpython", "cpython", "pyston", sub)["geomean"]}
        if "numba" in engine_names:
            by_cat[cat]["pyston_ratio_vs_numba"] = gm("ratio_vs_numba", "pyston", "numba", sub)["geomean"]
        if "pyston-optin" in engine_names:
            by_cat[cat]["optin_speedup_vs_cpython"] = gm(
                "optin_speedup_vs_cpython", "cpython", "pyston-optin", sub)["geomean"]
        if "pyston-njit" in engine_names:
            by_cat[cat]["njit_speedup_vs_cpython"] = gm(
                "njit_speedup_vs_cpython", "cpython", "pyston-njit", sub)["geomean"]
    s["by_category"] = by_cat
    return s


def print_report(doc: dict, engine_names: list[str]) -> None:
    rows = doc["kernels"]
    has_nb = "numba" in engine_names
    has_opt = "pyston-optin" in engine_names
    has_nj = "pyston-njit" in engine_names
    headers = ["kernel", "inputs", "CPython", "pyston"]
    align = ["l", "l", "r", "r"]
    if has_opt:
        headers.append("optin")
        align.append("r")
    if has_nj:
        headers.append("njit")
        align.append("r")
    if has_nb:
        headers.append("numba")
        align.append("r")
    headers += ["speedup"]
    align += ["r"]
    if has_opt:
        headers += ["optin spd", "str/opt"]
        align += ["r", "r"]
    if has_nj:
        headers.append("njit spd")
        align.append("r")
    if has_nb:
        headers.append("py/nb")
        align.append("r")
        if has_opt:
            headers.append("opt/nb")
            align.append("r")
        if has_nj:
            headers.append("nj/nb")
            align.append("r")
    headers += ["py 1st ms", "py comp ms"]
    align += ["r", "r"]
    if has_opt:
        headers += ["opt comp ms"]
        align += ["r"]
    if has_nj:
        headers += ["nj comp ms"]
        align += ["r"]
    if has_nb:
        headers += ["nb 1st ms", "nb comp ms"]
        align += ["r", "r"]
    check_engines = [e for e in engine_names if e != "cpython"]
    short = {"pyston": "py", "numba": "nb", "pyston-optin": "opt", "pyston-njit": "nj"}
    headers.append("check " + "/".join(short[e] for e in check_engines))
    align.append("l")

    table = []
    last_cat = None
    for r in rows:
        if r["category"] != last_cat:
            if last_cat is not None:
                table.append(None)
            last_cat = r["category"]
        e = r["engines"]
        inputs = r["inputs"] if len(r["inputs"]) <= 28 else r["inputs"][:27] + "…"
        cells = [r["name"], inputs, _cell_time(e.get("cpython")), _cell_time(e.get("pyston"))]
        if has_opt:
            cells.append(_cell_time(e.get("pyston-optin")))
        if has_nj:
            cells.append(_cell_time(e.get("pyston-njit")))
        if has_nb:
            cells.append(_cell_time(e.get("numba")))
        cells.append(fmt_x(r["speedup_vs_cpython"]))
        if has_opt:
            cells += [fmt_x(r.get("optin_speedup_vs_cpython")), fmt_x(r.get("strict_overhead_vs_optin"))]
        if has_nj:
            cells.append(fmt_x(r.get("njit_speedup_vs_cpython")))
        if has_nb:
            cells.append(fmt_x(r["ratio_vs_numba"]))
            if has_opt:
                cells.append(fmt_x(r.get("optin_ratio_vs_numba")))
            if has_nj:
                cells.append(fmt_x(r.get("njit_ratio_vs_numba")))
        cells += [fmt_ms(e["pyston"]["first_call_s"]), fmt_ms(e["pyston"]["compile_s"])]
        if has_opt:
            cells.append(fmt_ms(e["pyston-optin"]["compile_s"]))
        if has_nj:
            cells.append(fmt_ms(e["pyston-njit"]["compile_s"]))
        if has_nb:
            cells += [fmt_ms(e["numba"]["first_call_s"]), fmt_ms(e["numba"]["compile_s"])]
        cells.append(" ".join(SYMBOL[e[n]["check"]] for n in check_engines))
        table.append(cells)

    print()
    for line in render_table(headers, table, align):
        print(line)
    print()
    print("check vs CPython: = bit-identical   ≈ allclose (rtol per kernel)   T equal values, "
          "different type/dtype   ✗ MISMATCH   E error   † pyston fell back to the interpreter "
          "(PerformanceWarning)")
    print("speedup = CPython time / pyston time;  py/nb = pyston time / numba time (<1: pyston faster);  "
          "comp = first call - steady call")
    if has_opt or has_nj:
        print("optin = pyston.fast(" + ", ".join(f"{k}={v!r}" for k, v in OPTIN_FLAGS.items()) + ");  "
              "njit = pyston.njit (Numba semantics);  str/opt = strict time / optin time (what exactness costs)")

    s = doc["summary"]
    print()
    g = s["pyston_speedup_vs_cpython"]
    print(f"geomean pyston speedup vs CPython : {fmt_x(g['geomean'])}   ({g['n']} kernels)")
    if has_opt:
        g = s["optin_speedup_vs_cpython"]
        print(f"geomean optin  speedup vs CPython : {fmt_x(g['geomean'])}   ({g['n']} kernels)")
    if has_nj:
        g = s["njit_speedup_vs_cpython"]
        print(f"geomean njit   speedup vs CPython : {fmt_x(g['geomean'])}   ({g['n']} kernels)")
    if has_nb:
        g = s["numba_speedup_vs_cpython"]
        print(f"geomean numba  speedup vs CPython : {fmt_x(g['geomean'])}   ({g['n']} kernels)")
        g = s["pyston_ratio_vs_numba"]
        print(f"geomean pyston/numba time ratio   : {fmt_x(g['geomean'])}   ({g['n']} kernels; <1x: pyston faster)")
        if has_opt:
            g = s["optin_ratio_vs_numba"]
            print(f"geomean optin/numba time ratio    : {fmt_x(g['geomean'])}   ({g['n']} kernels)")
        if has_nj:
            g = s["njit_ratio_vs_numba"]
            print(f"geomean njit/numba time ratio     : {fmt_x(g['geomean'])}   ({g['n']} kernels)")
    if has_opt:
        g = s["strict_overhead_vs_optin"]
        print(f"geomean strict/optin time ratio   : {fmt_x(g['geomean'])}   ({g['n']} kernels; "
              "the cost of exactness, 1.00x = free)")
    for eng in check_engines:
        c = s[f"{eng}_compile_s"]
        print(f"{eng + ' compile latency':<34}: median {fmt_ms(c['median'])} ms, max {fmt_ms(c['max'])} ms, "
              f"total {fmt_ms(c['total'])} ms; median first call {fmt_ms(c['median_first_call'])} ms")
    cats = s["by_category"]
    if cats:
        parts = []
        for cat, v in cats.items():
            p = f"{cat} {fmt_x(v['pyston_speedup_vs_cpython'])}"
            if has_opt:
                p += f" (optin {fmt_x(v.get('optin_speedup_vs_cpython'))})"
            if has_nb:
                p += f" (py/nb {fmt_x(v.get('pyston_ratio_vs_numba'))})"
            parts.append(p)
        print("by category (speedup vs CPython)  : " + ", ".join(parts))

    problems = []
    for eng in check_engines:
        for key, what in (("errors", "error"), ("mismatches", "MISMATCH"), ("type_differences", "type differs"),
                          ("fallbacks", "interpreter fallback")):
            if s[f"{eng}_{key}"]:
                problems.append(f"  {eng} {what}: {', '.join(s[f'{eng}_{key}'])}")
    if problems:
        print()
        print("problems:")
        print("\n".join(problems))
        for r in rows:
            for eng in check_engines:
                er = r["engines"][eng]
                if er["error"]:
                    print(f"  [{r['name']} / {eng}] {er['error']}")
                elif er["check"] in ("mismatch", "type"):
                    ref = r["engines"]["cpython"]["result"]
                    print(f"  [{r['name']} / {eng}] {er['check']}: got {er['result']}, CPython {ref}")

    warm = doc.get("warm_up_s") or {}
    if any(v for k, v in warm.items() if not k.endswith("_error")):
        print()
        print("one-time JIT start-up (first compile in the process, not billed to any kernel): "
              + ", ".join(f"{k} {fmt_ms(v)} ms" for k, v in warm.items() if not k.endswith("_error")))

    imp = doc.get("import")
    if imp:
        print()
        if "error" in imp:
            print(f"import time: could not measure ({imp['error']})")
        else:
            med = imp["median_s"]
            reps = len(next(iter(imp["samples_s"].values())))
            line = (f"import time (fresh interpreter, median of {reps}): python -c 'import numpy' "
                    f"{fmt_ms(med['numpy'])} ms; + pyston {fmt_ms(med['numpy+pyston'])} ms "
                    f"(pyston adds {fmt_ms(imp['pyston_import_s'])} ms)")
            if "numba_import_s" in imp:
                line += f"; + numba {fmt_ms(med['numpy+numba'])} ms (numba adds {fmt_ms(imp['numba_import_s'])} ms)"
            print(line)
            rss = imp["peak_rss_mib"]
            print("peak RSS after import: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in rss.items()))

    ovh = doc.get("call_overhead")
    if ovh:
        print()
        print("call overhead of a trivial function (ns/call, best of 5):")
        for case, desc in (("scalar", "f(1)  -> x + 1"), ("array", "f(a)  -> len(a), a = np.zeros(10)")):
            vals = ovh.get(case, {})
            print(f"  {case:<6} {desc:<36} " + "   ".join(
                f"{k} {v:.0f}" if v is not None else f"{k} error" for k, v in vals.items()))
        for k, v in ovh.get("errors", {}).items():
            print(f"  error {k}: {v}")

    print()
    print(f"peak RSS of this benchmark process: {doc['peak_rss_mib']:.0f} MiB "
          f"({' + '.join(engine_names)}, all kernels in one process)")


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small inputs and few repeats (smoke test, ~1 min)")
    p.add_argument("--json", metavar="PATH", default=str(DEFAULT_JSON),
                   help=f"write all numbers here (default: {DEFAULT_JSON.relative_to(REPO)})")
    p.add_argument("--filter", metavar="SUBSTR", action="append", default=[],
                   help="only kernels whose name or category contains SUBSTR (repeatable, comma-separated)")
    p.add_argument("--no-numba", action="store_true", help="skip Numba even if it is installed")
    p.add_argument("--no-optin", action="store_true",
                   help="skip the opt-in engine, pyston.fast("
                   + ", ".join(f"{k}={v!r}" for k, v in OPTIN_FLAGS.items()) + ")")
    p.add_argument("--optin", action="store_true", help=argparse.SUPPRESS)  # old spelling; now the default
    p.add_argument("--no-njit", action="store_true", help="skip the pyston.njit engine")
    p.add_argument("--no-extras", action="store_true", help="skip import-time and call-overhead measurements")
    p.add_argument("--budget", type=float, metavar="S", help="seconds of timed calls per kernel and engine")
    p.add_argument("--list", action="store_true", help="list the kernels and exit")
    return p.parse_args(argv)


def select_kernels(filters) -> list[Kernel]:
    subs = [s.strip().lower() for f in filters for s in f.split(",") if s.strip()]
    if not subs:
        return list(KERNELS)
    return [k for k in KERNELS if any(s in k.name.lower() or s in k.category for s in subs)]


def main(argv=None) -> int:
    args = parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    kernels = select_kernels(args.filter)
    if args.list:
        for k in KERNELS:
            ins = ", ".join(describe_arg(a) for a in k.args(False))
            print(f"{k.category:<10} {k.name:<20} {k.description}\n{'':<32}inputs: {ins}")
        return 0
    if not kernels:
        print(f"no kernel matches {args.filter}; use --list", file=sys.stderr)
        return 2

    st = QUICK if args.quick else FULL
    if args.budget:
        st.budget = args.budget
    engines = make_engines(args)
    engine_names = [e.name for e in engines]
    env = environment(engines)
    v = env["versions"]
    print(f"pyston benchmarks ({'quick' if args.quick else 'full'}): {len(kernels)} kernels; "
          f"python {v['python']}, numpy {v['numpy']}, pyston {v['pyston']}, numba {v['numba'] or 'n/a'}")
    print(f"machine: {env['machine']['cpu']} x{env['machine']['cpu_count']}, {env['machine']['platform']}")
    load = env["machine"]["loadavg_start"]
    if load and env["machine"]["cpu_count"] and load[0] > 0.5 * env["machine"]["cpu_count"]:
        print(f"warning: load average {load[0]:.2f} on {env['machine']['cpu_count']} CPUs; timings will be noisy")

    started = perf_counter()
    warm = warm_up_engines(engines)
    rows = []
    for i, k in enumerate(kernels, 1):
        print(f"[{i:>2}/{len(kernels)}] {k.name:<20}", end="", file=sys.stderr, flush=True)
        t0 = perf_counter()
        row = run_kernel(k, engines, st, args.quick)
        rows.append(row)
        e = row["engines"]
        status = " ".join(f"{n}={_cell_time(e[n])}" + (f"[{SYMBOL[e[n]['check']]}]" if n != "cpython" else "")
                          for n in engine_names)
        print(f" {status}  ({perf_counter() - t0:.1f}s)", file=sys.stderr, flush=True)

    doc: dict = {
        "schema": 1,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else list(argv),
        "mode": "quick" if args.quick else "full",
        "settings": asdict(st),
        "engines": engine_names,
        "optin_flags": OPTIN_FLAGS if not args.no_optin else None,
        **env,
        "warm_up_s": warm,
        "kernels": rows,
    }
    doc["summary"] = summarize(rows, engine_names)
    if not args.no_extras:
        print("measuring import time and call overhead ...", file=sys.stderr, flush=True)
        doc["import"] = measure_import(engines, st.import_reps)
        doc["call_overhead"] = measure_overhead(engines, st.overhead_calls)
    doc["peak_rss_mib"] = peak_rss_mib()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    doc["machine"]["loadavg_end"] = list(load) if load else None
    doc["wall_s"] = perf_counter() - started

    print_report(doc, engine_names)

    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(_finite(doc), fh, indent=1, default=_json_default, allow_nan=False)
        fh.write("\n")
    print(f"\nwrote {path} ({doc['wall_s']:.0f} s)")
    bad = any(r["engines"][n]["check"] == "mismatch" for r in rows for n in engine_names if n.startswith("pyston"))
    return 1 if bad else 0


def _finite(o):
    """NaN/inf -> None so the file stays strict JSON."""
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    return repr(o)


if __name__ == "__main__":
    sys.exit(main())
