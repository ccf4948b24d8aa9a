"""Differential fuzzer: run generated programs plain and under ``pyston.fast``.

    python tests/fuzz/run.py --seed S --count N [--jobs J] [--timeout T] [--out DIR]

Program ``k`` of a run is ``gen.generate(S * 1_000_003 + k)``. Worker
subprocesses (``--jobs``, default 2) each take a share of the programs; for
every program a worker writes the source to a real ``.py`` file (pyston reads
function source from files), imports it with importlib, and calls the plain
``f`` and ``pyston.fast(f)`` with deep copies of each argument tuple. It
compares, per call: the return value (type included; floats bit for bit with
all NaNs equal and -0.0 != 0.0; NumPy scalars by type and value; arrays by
dtype, shape and elements), the arguments after the call (mutation), the
exception raised (type and message) and any warnings other than
``pyston.PerformanceWarning``. A call that raises ``PerformanceWarning`` ran
as plain Python: it is counted as "fell back", not compiled.

A third executor is compared too: the interpreter tier
(``Dispatcher._interpret``), which runs the same SSA IR the JIT compiles, on
boxed values; it is where strict mode finishes a call after a deoptimization.
Every call whose function lowers to IR runs there as well and must agree with
CPython exactly (and so with the JIT). A function whose source does not lower
(``pyston.CompileError`` from the front end: "not supported yet") is counted
as "interpreter skipped". ``--no-interp`` turns the third executor off.

The parent watches the workers: if one dies while running a program, that
program is a crash; if one is silent for ``--timeout`` seconds, it is killed
and the program is a hang (a hang in the *plain* call is the generator's
fault and counted apart). Either way the program is saved under ``--out`` and
the worker restarts after it. Exit status 1 if there was any mismatch, crash
or hang.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import math
import os
import queue
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
# Cranelift's IR verifier on for every program (see core/runtime/src/jit.rs).
os.environ.setdefault("PYSTON_VERIFY", "1")
sys.path.insert(0, HERE)

import gen  # noqa: E402


def program_seed(seed: int, k: int) -> int:
    return seed * 1_000_003 + k


# --------------------------------------------------------------------------
# Canonical, comparable description of a value.


def canon_float(x: float):
    if math.isnan(x):
        return "nan"
    return struct.unpack("<q", struct.pack("<d", x))[0]


def canon(v, depth=0):
    import numpy as np

    if depth > 20:
        return ("deep",)
    t = type(v)
    name = f"{t.__module__}.{t.__qualname__}"
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "fc":
            elems = [canon_float(float(e)) for e in v.ravel()]
        else:
            elems = v.ravel().tolist()
        return (name, v.dtype.str, list(v.shape), elems)
    if isinstance(v, np.generic):
        if v.dtype.kind == "f":
            return (name, canon_float(float(v)))
        return (name, v.item())
    if isinstance(v, bool) or isinstance(v, int):
        return (name, int(v))
    if isinstance(v, float):
        return (name, canon_float(v))
    if isinstance(v, (tuple, list)):
        return (name, [canon(e, depth + 1) for e in v])
    if type(v).__name__ in ("list_iterator", "tuple_iterator", "map"):
        # (an iterator argument: the items left in it, read from a copy)
        return (name, [canon(e, depth + 1) for e in copy.deepcopy(v)])
    return (name, repr(v))


def call(fn, args):
    """Run fn(*args); return (outcome, fell_back). Never raises."""
    import pyston

    fell_back = None
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            res = fn(*args)
            out = {"ok": canon(res), "repr": safe_repr(res)}
        except Exception as e:  # noqa: BLE001 -- exceptions are compared
            out = {"exc": f"{type(e).__module__}.{type(e).__qualname__}", "msg": str(e)}
    other = []
    for w in ws:
        if issubclass(w.category, pyston.PerformanceWarning):
            fell_back = str(w.message)
        else:
            other.append(f"{w.category.__name__}: {w.message}")
    out["warnings"] = sorted(set(other))
    out["args_after"] = canon(args)
    return out, fell_back


def safe_repr(v):
    try:
        s = repr(v)
    except Exception as e:  # noqa: BLE001
        s = f"<repr failed: {e}>"
    return s if len(s) < 300 else s[:300] + "..."


# Documented gap (docs/semantics.md, "NumPy float + - * overflow/invalid
# warnings"): compiled code does not emit these; the values still must match.
WARNING_GAP = re.compile(r"RuntimeWarning: (overflow|invalid value) encountered in (scalar )?(add|subtract|multiply)$")


def drop_gap(o):
    o = dict(o)
    o["warnings"] = [w for w in o["warnings"] if not WARNING_GAP.match(w)]
    o.pop("repr", None)
    return o


def same(a, b) -> bool:
    a, b = drop_gap(a), drop_gap(b)
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def classify(p, q) -> str:
    """Short description of how two differing outcomes differ."""
    if ("exc" in p) != ("exc" in q):
        return "exception vs value"
    if "exc" in p:
        if p["exc"] != q["exc"]:
            return "exception type"
        if p["msg"] != q["msg"]:
            return "exception message"
    elif p["ok"] != q["ok"]:
        return "value/type"
    if p["args_after"] != q["args_after"]:
        return "argument mutation"
    return "warnings"


# --------------------------------------------------------------------------
# Worker: runs a list of program indexes, one JSON line per event on stdout.


def emit(out, **kw):
    out.write(json.dumps(kw, default=str) + "\n")
    out.flush()


INTERP = os.environ.get("PYSTON_FUZZ_INTERP", "1") != "0"


def interpret(fn, args):
    """The interpreter tier on fn's IR: (outcome, skipped)."""
    import pyston

    disp = pyston.fast(fn)
    out, _ = call(disp._interpret, args)
    if os.environ.get("PYSTON_FUZZ_SELFTEST_INTERP") == getattr(fn, "__module__", ""):
        out = dict(out, warnings=out["warnings"] + ["self-test: a difference only the interpreter shows"])
    if out.get("exc") == "pyston._errors.CompileError":
        return None, out["msg"].splitlines()[0]
    return out, None


def run_program(prog, tmpdir, out=None):
    import numpy as np
    import pyston

    path = os.path.join(tmpdir, f"fz_{prog.seed}.py")
    with open(path, "w") as fh:
        fh.write(prog.source)
    name = f"fz_{prog.seed}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
        fn = mod.f
        env = {"np": np, "math": math, "nan": math.nan, "inf": math.inf}
        calls = []
        for a_src in prog.args:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. 1e300 cast to float32
                args = eval(a_src, env)
            if out is not None:
                emit(out, ev="stage", stage="plain")
            plain, _ = call(fn, copy.deepcopy(args))
            if out is not None:
                emit(out, ev="stage", stage="fast")
            # A fresh dispatcher per call: PerformanceWarning comes once per
            # dispatcher and signature, and calls should not share state.
            jit, fell_back = call(pyston.fast(fn), copy.deepcopy(args))
            rec = {"args": a_src, "plain": plain, "fast": jit, "fell_back": fell_back, "same": same(plain, jit)}
            if INTERP:
                if out is not None:
                    emit(out, ev="stage", stage="interp")
                interp, skipped = interpret(fn, copy.deepcopy(args))
                rec["interp_skipped"] = skipped
                rec["interp"] = interp
                rec["interp_same"] = interp is None or same(plain, interp)
            calls.append(rec)
        return calls
    finally:
        sys.modules.pop(name, None)
        try:
            os.remove(path)
        except OSError:
            pass


def worker(seed, indexes):
    out = sys.stdout
    sys.stdout = sys.stderr  # keep the protocol stream clean
    # Self-test hooks for the crash/hang detection (tests/test_fuzz.py).
    crash_at = int(os.environ.get("PYSTON_FUZZ_SELFTEST_CRASH", "-1"))
    hang_at = int(os.environ.get("PYSTON_FUZZ_SELFTEST_HANG", "-1"))
    with tempfile.TemporaryDirectory(prefix="pyston_fuzz_") as tmpdir:
        sys.path.insert(0, tmpdir)
        for k in indexes:
            try:
                prog = gen.generate(program_seed(seed, k))
            except Exception:  # noqa: BLE001 -- the generator's own bug, reported as a runner error
                emit(out, ev="error", k=k, tb=traceback.format_exc())
                continue
            emit(out, ev="start", k=k)
            if k == crash_at:
                emit(out, ev="stage", stage="fast")
                os.abort()
            if k == hang_at:
                emit(out, ev="stage", stage="fast")
                time.sleep(3600)
            try:
                calls = run_program(prog, tmpdir, out)
                emit(out, ev="done", k=k, calls=calls)
            except Exception:  # noqa: BLE001 -- a runner problem, reported as such
                emit(out, ev="error", k=k, tb=traceback.format_exc())
    emit(out, ev="finished")


# --------------------------------------------------------------------------
# Parent: fan out to workers, detect crashes and hangs, summarize.


class Stats:
    def __init__(self):
        self.programs = 0
        self.calls = 0
        self.compiled_calls = 0
        self.fell_back_calls = 0
        self.prog_compiled = 0  # every call compiled
        self.prog_fell_back = 0  # at least one call ran as plain Python
        self.mismatches = []  # dicts
        self.crashes = []
        self.hangs = []
        self.slow_plain = []
        self.errors = []
        self.ice = []  # fallbacks whose reason is "internal compiler error"
        self.interp_calls = 0  # calls also run on the interpreter tier
        self.interp_skipped = 0  # calls whose function does not lower to IR

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items()}


def _reader(proc, q):
    for line in proc.stdout:
        try:
            q.put(json.loads(line))
        except ValueError:
            pass
    q.put({"ev": "eof"})


def save(outdir, kind, k, seed, extra=""):
    prog = gen.generate(program_seed(seed, k))
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, f"{kind}_seed{prog.seed}.py")
    with open(path, "w") as fh:
        fh.write(prog.reproducer())
        if extra:
            fh.write("\n" + "".join("# " + line + "\n" for line in extra.splitlines()))
    return path


def drive(seed, indexes, timeout, outdir, stats, lock):
    pending = indexes  # a range; what is left after a crash or hang is one too
    while pending:
        proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", "--seed", str(seed),
             "--indexes", f"{pending.start},{pending.stop},{pending.step}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        q = queue.Queue()
        threading.Thread(target=_reader, args=(proc, q), daemon=True).start()
        err_chunks = []
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True).start()
        current, stage = None, None
        while True:
            try:
                ev = q.get(timeout=timeout)
            except queue.Empty:
                proc.kill()
                proc.wait()
                with lock:
                    rec = {"k": current, "stage": stage, "path": save(outdir, "hang", current, seed)}
                    (stats.slow_plain if stage == "plain" else stats.hangs).append(rec)
                    stats.programs += 1
                pending = pending[pending.index(current) + 1:]
                break
            kind = ev["ev"]
            if kind == "start":
                current, stage = ev["k"], None
            elif kind == "stage":
                stage = ev["stage"]
            elif kind == "done":
                record(stats, lock, seed, outdir, ev)
                pending = pending[pending.index(ev["k"]) + 1:]
                current = None
            elif kind == "error":
                with lock:
                    stats.programs += 1
                    stats.errors.append({"k": ev["k"], "tb": ev["tb"]})
                pending = pending[pending.index(ev["k"]) + 1:]
                current = None
            elif kind in ("finished", "eof"):
                proc.wait()
                if current is not None:  # died mid-program: a crash
                    time.sleep(0.1)
                    tail = "".join(err_chunks)[-1500:]
                    with lock:
                        stats.programs += 1
                        stats.crashes.append({
                            "k": current, "stage": stage, "rc": proc.returncode, "stderr": tail,
                            "path": save(outdir, "crash", current, seed, f"rc={proc.returncode} stage={stage}\n{tail}"),
                        })
                    pending = pending[pending.index(current) + 1:]
                else:  # finished, or stopped outside a program: do not loop
                    if kind == "eof" and pending:
                        with lock:
                            stats.errors.append({"k": pending[0], "tb": "worker exited between programs:\n"
                                                 + "".join(err_chunks)[-1500:]})
                    pending = range(0)
                break


def record(stats, lock, seed, outdir, ev):
    calls = ev["calls"]
    with lock:
        stats.programs += 1
        stats.calls += len(calls)
        fb = sum(bool(c["fell_back"]) for c in calls)
        stats.fell_back_calls += fb
        stats.compiled_calls += len(calls) - fb
        if fb:
            stats.prog_fell_back += 1
        else:
            stats.prog_compiled += 1
        for c in calls:
            if c["fell_back"] and "internal compiler error" in c["fell_back"]:
                stats.ice.append({"k": ev["k"], "seed": program_seed(seed, ev["k"]), "args": c["args"],
                                  "msg": c["fell_back"]})
        for c in calls:
            if "interp" in c:
                if c["interp_skipped"]:
                    stats.interp_skipped += 1
                else:
                    stats.interp_calls += 1
        bad = [(c, "fast") for c in calls if not c["same"]]
        bad += [(c, "interp") for c in calls if not c.get("interp_same", True)]
        if bad:
            c, tier = bad[0]
            prog = gen.generate(program_seed(seed, ev["k"]))
            label = "pyston" if tier == "fast" else "interp"
            detail = (f"args: {c['args']}\nfell back: {c['fell_back']}\n"
                      f"CPython: {summ(c['plain'])}\n{label}:  {summ(c[tier])}")
            stats.mismatches.append({
                "k": ev["k"], "seed": prog.seed, "why": classify(c["plain"], c[tier]), "tier": tier,
                "fell_back": c["fell_back"], "source": prog.source, "args": c["args"],
                "plain": summ(c["plain"]), "fast": summ(c[tier]),
                "path": save(outdir, "mismatch", ev["k"], seed, detail),
            })


def summ(o) -> str:
    s = f"raise {o['exc']}({o['msg']!r})" if "exc" in o else f"return {o['repr']}  [{o['ok'][0]}]"
    if o["warnings"]:
        s += f"  warnings={o['warnings']}"
    s += f"  args_after={json.dumps(o['args_after'])[:300]}"
    return s


def run(seed, count, jobs=2, timeout=30.0, outdir=None, start=0):
    outdir = outdir or os.path.join(tempfile.gettempdir(), f"pyston_fuzz_{seed}")
    stats = Stats()
    lock = threading.Lock()
    shares = [range(start + j, start + count, jobs) for j in range(jobs)]
    threads = [threading.Thread(target=drive, args=(seed, s, timeout, outdir, stats, lock)) for s in shares if s]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.outdir = outdir
    return stats


def report(stats, show=3) -> str:
    n = max(stats.programs, 1)
    nc = max(stats.calls, 1)
    lines = [
        f"programs:    {stats.programs}",
        f"compiled:    {stats.prog_compiled} ({100 * stats.prog_compiled / n:.1f}%) programs with every call compiled; "
        f"{stats.compiled_calls}/{stats.calls} calls ({100 * stats.compiled_calls / nc:.1f}%)",
        f"fell back:   {stats.prog_fell_back} ({100 * stats.prog_fell_back / n:.1f}%) programs with a call run as plain "
        f"Python; {stats.fell_back_calls} calls ({100 * stats.fell_back_calls / nc:.1f}%)",
        f"mismatches:  {len(stats.mismatches)}",
        f"crashes:     {len(stats.crashes)}",
        f"hangs:       {len(stats.hangs)} (plus {len(stats.slow_plain)} slow in plain CPython: generator's fault)",
        f"runner errors: {len(stats.errors)}",
        f"interpreter: {stats.interp_calls} calls compared on the interpreter tier; "
        f"{stats.interp_skipped} skipped (source does not lower)",
        f"internal compiler errors (fell back, results still compared): {len(stats.ice)} calls in "
        f"{len({i['k'] for i in stats.ice})} programs",
        f"reproducers in {stats.outdir}",
    ]
    why = {}
    for m in stats.mismatches:
        why[m["why"]] = why.get(m["why"], 0) + 1
    if why:
        lines.append("mismatch kinds: " + ", ".join(f"{k}: {v}" for k, v in sorted(why.items())))
    ices = {}
    for i in stats.ice:
        msg = re.sub(r".*internal compiler error[^:]*: ", "", i["msg"])
        ices.setdefault(re.sub(r" \(line \d+ of .*\)$", "", msg), i)
    for msg, i in ices.items():
        lines.append(f"  ICE: {msg[:200]}  (e.g. program seed {i['seed']})")
    for m in stats.mismatches[:show]:
        tier = "pyston" if m.get("tier", "fast") == "fast" else "interp"
        lines += ["", f"--- mismatch (program {m['k']}, seed {m['seed']}, {tier}: {m['why']}) ---",
                  m["source"].rstrip(), f"args: {m['args']}", f"CPython: {m['plain']}", f"{tier}:  {m['fast']}"]
    for c in stats.crashes[:show]:
        lines += ["", f"--- crash (program {c['k']}, stage {c['stage']}, rc {c['rc']}) --- {c['path']}", c["stderr"][-800:]]
    for h in stats.hangs[:show]:
        lines += ["", f"--- hang (program {h['k']}, stage {h['stage']}) --- {h['path']}"]
    for e in stats.errors[:show]:
        lines += ["", f"--- runner error (program {e['k']}) ---", e["tb"][-800:]]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--start", type=int, default=0, help="first program index")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds of silence before a hang is declared")
    ap.add_argument("--out", default=None, help="directory for reproducers")
    ap.add_argument("--show", type=int, default=3, help="reproducers to print")
    ap.add_argument("--json", default=None, help="write full statistics as JSON here")
    ap.add_argument("--no-interp", action="store_true", help="do not also compare the interpreter tier")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--indexes", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        worker(a.seed, range(*map(int, a.indexes.split(","))))
        return 0
    if a.no_interp:
        os.environ["PYSTON_FUZZ_INTERP"] = "0"  # inherited by the workers
    t0 = time.time()
    stats = run(a.seed, a.count, a.jobs, a.timeout, a.out, a.start)
    print(report(stats, a.show))
    print(f"time: {time.time() - t0:.1f}s")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(stats.as_dict(), fh, indent=1, default=str)
    return 1 if (stats.mismatches or stats.crashes or stats.hangs or stats.errors) else 0


if __name__ == "__main__":
    sys.exit(main())
