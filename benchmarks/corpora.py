#!/usr/bin/env python3
"""Public corpora of numeric kernels: CPython vs pyston strict vs pyston.njit vs Numba.

    python benchmarks/corpora.py populate --from MIRROR [--from MIRROR ...]
    python benchmarks/corpora.py run [--corpus NAME] [--filter SUBSTR] [--preset S|M]
                                     [--engines plain,fast,njit,numba] [--reuse plain,numba]
                                     [--timeout S] [--budget S] [--json PATH]
    python benchmarks/corpora.py list

The kernels live in ``benchmarks/corpora/`` (git-ignored: their code is never
committed). ``populate`` extracts them from git mirrors of

* serge-sans-paille/numpy-benchmarks: every benchmark file at HEAD plus the
  ones deleted in its history (the loop kernels: growcut, julia, mandel, ...),
  each at its last version; a file's ``#setup:`` / ``#run:`` lines say how to call it;
* spcl/npbench: each benchmark's NumPy version (``<module>_numpy.py``), its
  ``initialize`` (``<module>.py``) and its ``bench_info`` JSON (presets S, M, L).

``run`` runs every kernel under each engine in a subprocess of its own with a
timeout, so a hang or a crash costs one cell, not the run. Each engine gets
identical, fresh inputs for every call (arrays copied outside the timed
region, since many kernels write into their arguments). The parent compares
each compiled engine's first result (return value plus the arrays the kernel
writes) with plain CPython's and prints counts, geometric means, a histogram
of the ratios and the worst kernels. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as _dt
import importlib.util
import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "corpora"
ENGINES = ("plain", "fast", "njit", "numba")
LABEL = {"plain": "CPython", "fast": "pyston.fast", "njit": "pyston.njit", "numba": "Numba"}


# --------------------------------------------------------------------------
# populate
# --------------------------------------------------------------------------


def _git(gitdir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True, capture_output=True,
                          text=True).stdout


def _gitdir(path: str) -> str:
    p = Path(path)
    for cand in (p, p / ".git", p / "repo", p / "repo" / ".git"):
        if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
            return str(cand)
    sys.exit(f"error: {path} is not a git directory (expected HEAD and objects/ in it)")


def populate_numpy_benchmarks(gitdir: str) -> int:
    out = ROOT / "numpy-benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    head = _git(gitdir, "rev-parse", "HEAD").strip()
    # every benchmark file that ever existed, newest version first
    names: dict[str, tuple[str, str]] = {}
    at_head = [p for p in _git(gitdir, "ls-tree", "-r", "--name-only", "HEAD").split()
               if p.endswith(".py") and "benchmarks/" in p]
    for p in at_head:
        names[Path(p).name] = (head, p)
    log = _git(gitdir, "log", "--all", "--diff-filter=D", "--format=@%H", "--name-only")
    commit = None
    for line in log.splitlines():
        if line.startswith("@"):
            commit = line[1:]
        elif line.endswith(".py") and "benchmarks/" in line and Path(line).name not in names:
            names[Path(line).name] = (commit + "^", line)  # last version: the deleting commit's parent
    n = 0
    manifest = {}
    for name, (rev, path) in sorted(names.items()):
        text = _git(gitdir, "show", f"{rev}:{path}")
        if "#run:" not in text or "#setup:" not in text:
            continue
        (out / name).write_text(text)
        manifest[name] = {"commit": _git(gitdir, "rev-parse", rev).strip(), "path": path,
                          "deleted": rev != head}
        n += 1
    (out / "MANIFEST.json").write_text(json.dumps({"source": "serge-sans-paille/numpy-benchmarks",
                                                   "head": head, "files": manifest}, indent=1))
    return n


def populate_npbench(gitdir: str) -> int:
    out = ROOT / "npbench"
    out.mkdir(parents=True, exist_ok=True)
    head = _git(gitdir, "rev-parse", "HEAD").strip()
    files = set(_git(gitdir, "ls-tree", "-r", "--name-only", "HEAD").split())
    n = 0
    for info_path in sorted(f for f in files if f.startswith("bench_info/") and f.endswith(".json")):
        info = json.loads(_git(gitdir, "show", f"HEAD:{info_path}"))["benchmark"]
        base = f"npbench/benchmarks/{info['relative_path']}/{info['module_name']}"
        if f"{base}_numpy.py" not in files or f"{base}.py" not in files:
            continue
        d = out / Path(info_path).stem
        d.mkdir(exist_ok=True)
        (d / "info.json").write_text(json.dumps(info, indent=1))
        (d / "init.py").write_text(_git(gitdir, "show", f"HEAD:{base}.py"))
        (d / "kernel.py").write_text(_git(gitdir, "show", f"HEAD:{base}_numpy.py"))
        n += 1
    (out / "MANIFEST.json").write_text(json.dumps({"source": "spcl/npbench", "head": head}, indent=1))
    return n


def cmd_populate(args) -> int:
    if not args.sources:
        print(HOW_TO)
        return 2
    for src in args.sources:
        gitdir = _gitdir(src)
        files = _git(gitdir, "ls-tree", "-r", "--name-only", "HEAD")
        if "bench_info/" in files and "npbench/" in files:
            print(f"npbench: {populate_npbench(gitdir)} kernels -> {ROOT / 'npbench'}")
        elif "numpy_benchmarks" in files or "np-bench" in files:
            print(f"numpy-benchmarks: {populate_numpy_benchmarks(gitdir)} kernels -> {ROOT / 'numpy-benchmarks'}")
        else:
            print(f"error: {src}: neither numpy-benchmarks nor npbench", file=sys.stderr)
            return 2
    return 0


HOW_TO = f"""\
benchmarks/corpora/ is empty: nothing to run.
The corpora are public repositories, fetched locally and never committed. To populate:

  git clone --bare https://github.com/serge-sans-paille/numpy-benchmarks /tmp/npb.git
  git clone --bare https://github.com/spcl/npbench /tmp/npbench.git
  python benchmarks/corpora.py populate --from /tmp/npb.git --from /tmp/npbench.git

(any git directory of those repositories works, e.g. a mirror under /work/.mirror/).
Then `make bench-corpora` (or `python benchmarks/corpora.py run --help`).
Kernels go to {ROOT}."""


# --------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------


def discover() -> list[str]:
    ids = []
    d = ROOT / "numpy-benchmarks"
    if d.is_dir():
        ids += [f"numpy-benchmarks/{p.stem}" for p in sorted(d.glob("*.py"))]
    d = ROOT / "npbench"
    if d.is_dir():
        ids += [f"npbench/{p.name}" for p in sorted(d.iterdir()) if (p / "kernel.py").is_file()]
    return ids


def _import_file(path: Path, modname: str):
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod


def _wrap_module(mod, wrap) -> None:
    """Decorate every function the module defines, as a user porting it to a JIT would."""
    import types
    for name, obj in list(vars(mod).items()):
        if isinstance(obj, types.FunctionType) and obj.__module__ == mod.__name__:
            setattr(mod, name, wrap(obj))


def load_kernel(kid: str, wrap, preset: str):
    """-> (callable, args list, names of args written by the kernel (indexes))."""
    import numpy as np
    corpus, name = kid.split("/", 1)
    if corpus == "numpy-benchmarks":
        path = ROOT / corpus / f"{name}.py"
        text = path.read_text()
        setup = run = None
        for line in text.splitlines():
            if line.startswith("#setup:"):
                setup = line[len("#setup:"):].strip()
            elif line.startswith("#run:"):
                run = line[len("#run:"):].strip()
        mod = _import_file(path, f"corpus_npb_{name}")
        if wrap is not None:
            _wrap_module(mod, wrap)
        ns: dict = {}
        np.random.seed(0)
        exec(setup, ns)
        call = ast.parse(run, mode="eval").body
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and not call.keywords, run
        args = []
        for a in call.args:  # `f(y, *args)` spreads, as the #run: line says
            star = isinstance(a, ast.Starred)
            v = eval(compile(ast.Expression(a.value if star else a), "<run>", "eval"), ns)
            args.extend(v) if star else args.append(v)
        return getattr(mod, call.func.id), args, list(range(len(args)))
    d = ROOT / corpus / name
    info = json.loads((d / "info.json").read_text())
    params = dict(info["parameters"][preset])
    init = _import_file(d / "init.py", f"corpus_npbench_{name}_init") if info.get("init") else None
    mod = _import_file(d / "kernel.py", f"corpus_npbench_{name}")
    if wrap is not None:
        _wrap_module(mod, wrap)
    np.random.seed(42)
    ns = dict(params)
    ini = info.get("init")  # kernels of scalars only have none
    if ini:
        outs = getattr(init, ini["func_name"])(*[params[a] for a in ini["input_args"]])
        if len(ini["output_args"]) == 1:
            outs = (outs,)
        ns.update(zip(ini["output_args"], outs))
    names = info["input_args"]
    args = [ns[a] for a in names]
    written = [i for i, a in enumerate(names) if a in info.get("output_args", [])]
    return getattr(mod, info["func_name"]), args, written


def fresh(args):
    return copy.deepcopy(args)


# --------------------------------------------------------------------------
# one engine on one kernel (child process)
# --------------------------------------------------------------------------


def make_wrap(engine: str):
    if engine == "plain":
        return None
    if engine == "fast":
        import pyston
        return pyston.fast
    if engine == "njit":
        import pyston
        return pyston.njit
    if engine == "numba":
        import numba
        return numba.njit
    raise ValueError(engine)


def _status(fn, caught) -> str:
    """pyston: native (compiled), lifted (ran as Python with compiled loops) or python."""
    perf = [w for w in caught if type(w.message).__name__ == "PerformanceWarning"]
    if not perf:
        return "native"
    lifted = False
    for f in _dispatchers(fn):
        try:
            if f.lifted_loops:
                lifted = True
        except Exception:  # noqa: BLE001
            pass
    return "lifted" if lifted else "python"


def _dispatchers(fn):
    mod = sys.modules.get(getattr(getattr(fn, "py_func", fn), "__module__", ""), None)
    out = [fn]
    if mod is not None:
        out += [v for v in vars(mod).values() if hasattr(v, "lifted_loops") and v is not fn]
    return out


def child(kid: str, engine: str, preset: str, budget: float, max_runs: int, out_path: str) -> None:
    import gc

    import numpy as np
    rec: dict = {"kernel": kid, "engine": engine}
    try:
        wrap = make_wrap(engine)
        fn, args, written = load_kernel(kid, wrap, preset)
        a = fresh(args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            res = fn(*a)
            rec["first_s"] = time.perf_counter() - t0
        rec["warnings"] = [f"{type(w.message).__name__}: {str(w.message).splitlines()[0][:300]}"
                           for w in caught]
        if engine in ("fast", "njit"):
            rec["status"] = _status(fn, caught)
            ct = []
            for f in _dispatchers(fn):
                try:
                    ct += list(f.compile_times)
                except Exception:  # noqa: BLE001
                    pass
            rec["compile_times_s"] = ct
        rec["result"] = copy.deepcopy(res)
        rec["written"] = [copy.deepcopy(a[i]) for i in written]
        # `--paired`: CPython's own run of the kernel in this process, timed
        # alternately with this engine's on fresh copies of the same inputs, so
        # that the machine's drift and the process's layout affect both alike.
        paired = None
        if os.environ.get("PYSTON_BENCH_PAIRED") == "1" and engine in ("fast", "njit"):
            pfn, pargs, _ = load_kernel(kid, None, preset)
            pfn(*fresh(pargs))
            paired = []
        times = []
        spent = 0.0
        # `--clock cpu`: this thread's CPU time (user + system), which waiting for a
        # core on a loaded machine does not inflate; the default is wall time.
        clock = time.thread_time if os.environ.get("PYSTON_BENCH_CLOCK") == "cpu" else time.perf_counter
        gc.collect()
        gc.disable()
        need = 3 if rec["first_s"] < 0.3 else 1  # slow kernels (seconds per call): one timed call
        if engine == "plain" and rec["first_s"] >= 0.3:
            times.append(rec["first_s"])  # nothing to compile: a slow first call is a sample
            spent = rec["first_s"]
        while len(times) < max_runs and (len(times) < need or spent < budget):
            # (paired: CPython runs first every other time, since which of the two
            # runs first matters: the first after a pair's frees faults its
            # memory in again where glibc trimmed the heap, 992 page faults
            # against 512 on numpy-benchmarks' evolve)
            if paired is not None and len(times) % 2:
                a = fresh(pargs)
                t0 = clock()
                pfn(*a)
                paired.append(clock() - t0)
            a = fresh(args)
            t0 = clock()
            fn(*a)
            dt = clock() - t0
            times.append(dt)
            spent += dt
            if paired is not None and len(paired) < len(times):
                a = fresh(pargs)
                t0 = clock()
                pfn(*a)
                paired.append(clock() - t0)
            if spent > 10 * budget and len(times) >= 1:
                break
        gc.enable()
        rec["times_s"] = times
        rec["median_s"] = statistics.median(times)
        if paired:
            # The median of the per-pair ratios (each pair ran back to back), for
            # each order, and their geometric mean, in which the order's
            # effect cancels.
            rec["paired_plain_s"] = statistics.median(paired)
            by_order = [[t / p for k, (t, p) in enumerate(zip(times, paired)) if p > 0 and k % 2 == o]
                        for o in (0, 1)]
            meds = [statistics.median(r) for r in by_order if r]
            rec["paired_ratio"] = math.prod(meds) ** (1 / len(meds))
        rec["ok"] = True
    except BaseException as exc:  # noqa: BLE001
        rec["ok"] = False
        rec["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ''}"
        rec["trace"] = traceback.format_exc(limit=-8)
        rec.pop("result", None)
        rec.pop("written", None)
    try:
        data = pickle.dumps(rec)
    except Exception as exc:  # noqa: BLE001 - unpicklable result (numba typed objects ...)
        rec.pop("result", None)
        rec.pop("written", None)
        rec["ok"] = False
        rec["error"] = f"result not picklable: {exc}"
        data = pickle.dumps(rec)
    Path(out_path).write_bytes(data)
    _ = np


# --------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------


def same(ref, got, strict_type: bool, rtol=1e-6, atol=1e-9) -> str:
    """'exact', 'close', 'type' (equal values, other type/dtype) or 'mismatch'."""
    import numpy as np
    rank = {"exact": 0, "close": 1, "type": 2, "mismatch": 3}

    def worst(*xs):
        return max(xs, key=rank.__getitem__) if xs else "exact"

    if isinstance(ref, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(ref):
            return "mismatch"
        lv = worst(*(same(r, g, strict_type, rtol, atol) for r, g in zip(ref, got)))
        if lv != "mismatch" and strict_type and type(ref) is not type(got):
            lv = worst(lv, "type")
        return lv
    if isinstance(ref, np.ndarray):
        if not isinstance(got, np.ndarray) or got.shape != ref.shape:
            return "mismatch"
        try:
            if ref.dtype.kind in "fc" or got.dtype.kind in "fc":
                if np.array_equal(ref, got, equal_nan=True):
                    lv = "exact"
                elif np.allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True):
                    lv = "close"
                else:
                    return "mismatch"
            else:
                lv = "exact" if np.array_equal(ref, got) else "mismatch"
        except TypeError:
            return "mismatch"
        if lv != "mismatch" and strict_type and got.dtype != ref.dtype:
            lv = "type"
        return lv
    if ref is None or got is None:
        return "exact" if ref is got else "mismatch"
    try:
        r, g = complex(ref), complex(got)
    except (TypeError, ValueError):
        try:
            return "exact" if ref == got else "mismatch"
        except Exception:  # noqa: BLE001
            return "mismatch"

    def fsame(x, y):
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return x == y

    if fsame(r.real, g.real) and fsame(r.imag, g.imag):
        lv = "exact"
    elif abs(r - g) <= atol + rtol * abs(r):
        lv = "close"
    else:
        return "mismatch"
    if strict_type and type(ref) is not type(got):
        lv = "type"
    return lv


# --------------------------------------------------------------------------
# run (parent)
# --------------------------------------------------------------------------


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fx(x):
    return "-" if x is None else (f"{x:.2f}x" if x < 100 else f"{x:.0f}x")


def ft(t):
    if t is None:
        return "-"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.0f} us"


BINS = [0.0, 0.25, 0.5, 0.8, 0.95, 1.05, 1.25, 2.0, 4.0, 10.0, math.inf]


def histogram(values, title, lower_is_better=True):
    lines = [title]
    counts = [0] * (len(BINS) - 1)
    for v in values:
        for i in range(len(BINS) - 1):
            if BINS[i] <= v < BINS[i + 1]:
                counts[i] += 1
                break
    for i, c in enumerate(counts):
        lo, hi = BINS[i], BINS[i + 1]
        lab = f"[{lo:g}, {hi:g})" if hi != math.inf else f">= {lo:g}"
        lines.append(f"  {lab:>14} {c:>4} {'#' * c}")
    return lines


def cmd_run(args) -> int:
    kids = discover()
    if not kids:
        print(HOW_TO)
        return 0
    if args.corpus:
        kids = [k for k in kids if k.split("/")[0] in args.corpus]
    subs = [s for f in args.filter for s in f.split(",") if s]
    if subs:
        kids = [k for k in kids if any(s in k for s in subs)]
    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in ENGINES:
            sys.exit(f"unknown engine {e}; choose from {ENGINES}")
    if "plain" not in engines:
        engines.insert(0, "plain")
    reuse = set(x for x in args.reuse.split(",") if x)
    if args.report_only:
        reuse = set(engines)
    cache = Path(args.cache) if args.cache else ROOT / ".results" / args.preset
    cache.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    env["PYSTON_BENCH_CLOCK"] = args.clock
    env["PYSTON_BENCH_PAIRED"] = "1" if args.paired else "0"
    env.setdefault("NUMBA_NUM_THREADS", "1")
    started = time.perf_counter()
    rows = []
    for i, kid in enumerate(kids, 1):
        print(f"[{i:>3}/{len(kids)}] {kid:<42}", end="", file=sys.stderr, flush=True)
        recs = {}
        for eng in engines:
            pk = cache / f"{kid.replace('/', '__')}.{eng}.pkl"
            if eng in reuse and pk.is_file():
                recs[eng] = pickle.loads(pk.read_bytes())
            elif args.report_only:
                recs[eng] = {"ok": False, "error": "not run"}
            else:
                with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as tf:
                    tmp = tf.name
                cmd = [sys.executable, __file__, "_child", kid, eng, args.preset, str(args.budget),
                       str(args.max_runs), tmp]
                t0 = time.perf_counter()
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
                    if Path(tmp).stat().st_size:
                        rec = pickle.loads(Path(tmp).read_bytes())
                    else:
                        tail = (p.stderr or "").strip().splitlines()[-1:] or [""]
                        rec = {"ok": False, "error": f"child died (rc {p.returncode}): {tail[0][:200]}"}
                except subprocess.TimeoutExpired:
                    rec = {"ok": False, "error": f"timeout after {args.timeout:.0f} s", "timeout": True}
                finally:
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
                rec["wall_s"] = time.perf_counter() - t0
                pk.write_bytes(pickle.dumps(rec))
                recs[eng] = rec
            r = recs[eng]
            print(f" {eng}={ft(r.get('median_s')) if r.get('ok') else 'E'}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        rows.append(summarize_kernel(kid, recs, engines))
    doc = report(rows, engines, args)
    doc["wall_s"] = time.perf_counter() - started
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, default=repr))
    print(f"\nwrote {path} ({doc['wall_s']:.0f} s)")
    return 0


def summarize_kernel(kid, recs, engines) -> dict:
    ref = recs.get("plain", {})
    row = {"kernel": kid, "corpus": kid.split("/")[0], "engines": {}}
    for eng in engines:
        r = recs[eng]
        e = {k: r.get(k) for k in ("ok", "error", "median_s", "first_s", "status", "warnings", "wall_s",
                                   "paired_ratio")}
        e["runs"] = len(r.get("times_s") or [])
        if eng in ("fast", "njit") and r.get("ok"):
            ct = r.get("compile_times_s") or []
            e["compile_s"] = sum(ct) if ct else None
        elif eng == "numba" and r.get("ok"):
            e["compile_s"] = max(0.0, r["first_s"] - r["median_s"])
        if eng == "plain":
            e["check"] = "exact" if r.get("ok") else "error"
        elif not r.get("ok"):
            e["check"] = "error"
        elif not ref.get("ok"):
            e["check"] = None
        else:
            strict = eng == "fast"
            lv = same(ref.get("result"), r.get("result"), strict)
            lw = same(ref.get("written"), r.get("written"), strict)
            e["check"] = max((lv, lw), key=["exact", "close", "type", "mismatch"].index)
        row["engines"][eng] = e
    return row


def _good(e) -> bool:
    return bool(e and e.get("ok") and e.get("check") in ("exact", "close", "type") and e.get("median_s"))


def report(rows, engines, args) -> dict:
    corpora = sorted({r["corpus"] for r in rows})
    comp = [e for e in engines if e != "plain"]
    summary: dict = {}
    print()
    print(f"corpora: {', '.join(corpora)}; preset {args.preset}; engines: "
          + ", ".join(LABEL[e] for e in engines))
    print()
    # counts
    hdr = f"{'corpus':<18}{'kernels':>8}" + "".join(f"{LABEL[e] + ' ran/compiled/matched':>34}" for e in engines)
    print(hdr)
    for corpus in corpora + ["all"]:
        sub = [r for r in rows if corpus in ("all", r["corpus"])]
        cells = []
        for e in engines:
            ran = sum(1 for r in sub if r["engines"][e].get("ok"))
            if e in ("fast", "njit"):
                compiled = sum(1 for r in sub if r["engines"][e].get("ok") and r["engines"][e].get("status") == "native")
            elif e == "numba":
                compiled = ran
            else:
                compiled = 0
            matched = sum(1 for r in sub if _good(r["engines"][e]))
            cells.append(f"{ran}/{compiled}/{matched}" if e != "plain" else f"{ran}/-/-")
            summary.setdefault(corpus, {})[e] = {"ran": ran, "compiled": compiled, "matched": matched}
        print(f"{corpus:<18}{len(sub):>8}" + "".join(f"{c:>34}" for c in cells))
    print("  compiled: pyston ran natively with no PerformanceWarning (lifted loops or plain Python otherwise);"
          " matched: value/shape equal to CPython (pyston.fast: dtype and type too)")
    # geomeans
    print()
    print(f"{'geomean':<18}" + "".join(f"{LABEL[e] + ' vs CPython':>26}" for e in comp)
          + "".join(f"{LABEL[e] + ' / Numba':>26}" for e in comp if e != "numba"))
    for corpus in corpora + ["all"]:
        sub = [r for r in rows if corpus in ("all", r["corpus"])]
        cells = []
        for e in comp:
            xs = [r["engines"]["plain"]["median_s"] / r["engines"][e]["median_s"]
                  for r in sub if _good(r["engines"][e]) and r["engines"]["plain"].get("ok")]
            g = geomean(xs)
            summary[corpus][e]["speedup_vs_cpython"] = g
            cells.append(f"{fx(g)} ({len(xs)})")
        if "numba" in comp:
            for e in comp:
                if e == "numba":
                    continue
                xs = [r["engines"][e]["median_s"] / r["engines"]["numba"]["median_s"]
                      for r in sub if _good(r["engines"][e]) and _good(r["engines"]["numba"])]
                g = geomean(xs)
                summary[corpus][e]["ratio_vs_numba"] = g
                cells.append(f"{fx(g)} ({len(xs)})")
        print(f"{corpus:<18}" + "".join(f"{c:>26}" for c in cells))
    print("  (n) = kernels where both ran and matched; vs CPython: higher is faster; / Numba: time ratio, lower is faster")
    # compile times
    print()
    for e in comp:
        cs = [r["engines"][e].get("compile_s") for r in rows if r["engines"][e].get("ok")]
        cs = [c for c in cs if c is not None]
        if cs:
            print(f"compile time {LABEL[e]:<12}: median {ft(statistics.median(cs))}, max {ft(max(cs))} "
                  f"({len(cs)} kernels)")
            summary.setdefault("compile_s", {})[e] = {"median": statistics.median(cs), "max": max(cs)}
    print("  (pyston: sum of its compile_times; Numba: first call - median call)")
    # histograms
    for e in ("fast", "njit"):
        if e not in comp:
            continue
        xs = [r["engines"][e]["median_s"] / r["engines"]["plain"]["median_s"]
              for r in rows if _good(r["engines"][e]) and r["engines"]["plain"].get("ok")]
        print()
        for line in histogram(xs, f"{LABEL[e]} time / CPython time ({len(xs)} kernels; < 1 is faster):"):
            print(line)
        xs = [r["engines"][e]["paired_ratio"] for r in rows
              if _good(r["engines"][e]) and r["engines"][e].get("paired_ratio")]
        if xs:
            print()
            for line in histogram(xs, f"{LABEL[e]} time / CPython time, paired in one process ({len(xs)} kernels;"
                                      " < 1 is faster):"):
                print(line)
            slow = sorted(((r["engines"][e]["paired_ratio"], r["kernel"]) for r in rows
                           if _good(r["engines"][e]) and (r["engines"][e].get("paired_ratio") or 0) > 1.0),
                          reverse=True)
            summary.setdefault("paired", {})[e] = {"kernels": len(xs), "geomean": geomean(xs),
                                                   "slower": {k: x for x, k in slow}}
            print(f"  paired geomean {fx(geomean(xs))}; slower than CPython: "
                  + (", ".join(f"{k.split('/')[-1]} {x:.3f}" for x, k in slow) or "none"))
        if "numba" in comp:
            xs = [r["engines"][e]["median_s"] / r["engines"]["numba"]["median_s"]
                  for r in rows if _good(r["engines"][e]) and _good(r["engines"]["numba"])]
            print()
            for line in histogram(xs, f"{LABEL[e]} time / Numba time ({len(xs)} kernels; < 1 is faster):"):
                print(line)
    # per kernel table
    print()
    cols = ["kernel"] + [LABEL[e] for e in engines] + ["CPy/fast", "fast/Numba", "status", "check"]
    table = []
    for r in sorted(rows, key=lambda r: r["kernel"]):
        en = r["engines"]
        cells = [r["kernel"]]
        for e in engines:
            cells.append(ft(en[e].get("median_s")) if en[e].get("ok") else
                         ("timeout" if "timeout" in (en[e].get("error") or "") else "E"))
        f = en.get("fast", {})
        cp = en["plain"].get("median_s") if en["plain"].get("ok") else None
        cells.append(fx(cp / f["median_s"]) if _good(f) and cp else "-")
        nb = en.get("numba", {})
        cells.append(fx(f["median_s"] / nb["median_s"]) if _good(f) and _good(nb) else "-")
        cells.append(f.get("status") or "-")
        sym = {"exact": "=", "close": "~", "type": "T", "mismatch": "X", "error": "E", None: "-"}
        cells.append(" ".join(sym[en[e].get("check")] for e in comp))
        table.append(cells)
    widths = [max(len(str(c[i])) for c in table + [cols]) for i in range(len(cols))]
    print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths))))
    for cells in table:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(cells, widths))))
    print("  check per compiled engine (" + "/".join(LABEL[e] for e in comp)
          + "): = bit-identical, ~ close, T equal values other type/dtype, X mismatch, E error")
    # worst
    if "fast" in comp:
        bad = [r for r in rows if _good(r["engines"]["fast"]) and r["engines"]["plain"].get("ok")]
        bad.sort(key=lambda r: r["engines"]["plain"]["median_s"] / r["engines"]["fast"]["median_s"])
        print()
        print("worst 10 pyston.fast vs CPython:")
        for r in bad[:10]:
            f = r["engines"]["fast"]
            w = "; ".join(w for w in (f.get("warnings") or []))[:150]
            print(f"  {r['kernel']:<40} {fx(r['engines']['plain']['median_s'] / f['median_s']):>8}  "
                  f"{f.get('status')}  {w}")
        errs = [(r["kernel"], e, r["engines"][e]) for r in rows for e in comp
                if r["engines"][e].get("check") in ("error", "mismatch", "type")]
        if errs:
            print()
            print("errors and mismatches:")
            for k, e, x in errs:
                print(f"  {k:<40} {LABEL[e]:<12} {x.get('check')}: {(x.get('error') or '')[:160]}")
    return {"schema": 1, "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "preset": args.preset, "engines": engines, "summary": summary, "kernels": rows}


def cmd_list(args) -> int:
    kids = discover()
    if not kids:
        if not args.quiet:
            print(HOW_TO)
        return 0
    for k in kids:
        print(k)
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        kid, eng, preset, budget, max_runs, out = argv[1:7]
        child(kid, eng, preset, float(budget), int(max_runs), out)
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd")
    pp = sub.add_parser("populate", help="extract the corpora from git mirrors into benchmarks/corpora/")
    pp.add_argument("--from", dest="sources", action="append", default=[], metavar="GITDIR")
    pr = sub.add_parser("run", help="run every kernel under each engine")
    pr.add_argument("--corpus", action="append", default=[], help="numpy-benchmarks or npbench (repeatable)")
    pr.add_argument("--filter", action="append", default=[], metavar="SUBSTR")
    pr.add_argument("--preset", default="S", choices=("S", "M", "L", "paper"), help="npbench input size (default S)")
    pr.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    pr.add_argument("--reuse", default="", metavar="ENGINES",
                    help="reuse cached results of these engines (e.g. plain,numba) from an earlier run")
    pr.add_argument("--report-only", action="store_true",
                    help="run nothing: report the cached results (missing ones count as not run)")
    pr.add_argument("--cache", default=None, help="where per-kernel results are kept (default corpora/.results/PRESET)")
    pr.add_argument("--timeout", type=float, default=180.0, help="seconds per kernel and engine (default 180)")
    pr.add_argument("--budget", type=float, default=0.3, help="seconds of timed calls per kernel and engine")
    pr.add_argument("--clock", default="wall", choices=("wall", "cpu"),
                    help="time calls by wall clock (default) or by the calling thread's CPU time "
                         "(steadier on a loaded machine; single-threaded kernels only)")
    pr.add_argument("--paired", action="store_true",
                    help="also time CPython in each pyston child, alternating with pyston on the same inputs, "
                         "and report the per-pair ratio (robust on a loaded machine)")
    pr.add_argument("--max-runs", type=int, default=50, help="most timed calls per kernel and engine")
    pr.add_argument("--json", default=str(HERE / "results" / "corpora.json"))
    pl = sub.add_parser("list", help="list the kernels found")
    pl.add_argument("--quiet", action="store_true", help="print nothing when there are none")
    args = p.parse_args(argv)
    if args.cmd == "populate":
        return cmd_populate(args)
    if args.cmd == "run":
        return cmd_run(args)
    if args.cmd == "list":
        return cmd_list(args)
    p.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
