"""Numba's own test modules run with pyston as the JIT, as a new user would try it.

Each module of ``numba.tests`` named on the command line (default: the ones
issue #14 measured) is imported after ``numba.jit``/``numba.njit``,
``numba.typed.List``/``Dict``, ``numba.literal_unroll`` and ``numba.objmode``
are replaced by pyston's (Numba's types, errors and test support stay Numba's
own: pyston takes Numba's type objects in signatures), and its unittest
cases run. A module runs in child processes: a test that crashes (or runs
out of the child's 6 GiB of address space) or hangs is counted, and the next
child goes on after it. Per module: tests, passed, passed without any
``pyston.PerformanceWarning`` (every call compiled natively), failed,
errors, skipped, crashed.

Many of Numba's tests check Numba's own typing errors, its reflected-list
rules or its internals; those fail here by design. The figures are a
measure of how much of Numba's users' code pyston runs, not a conformance
claim.

    pip install numba
    python benchmarks/numba_suite.py [--json PATH] [--timeout S] [module ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

MODULES = [
    "test_lists", "test_dicts", "test_comprehension", "test_unicode", "test_closure", "test_recursion",
    "test_generators", "test_try_except", "test_exceptions", "test_typedlist", "test_dictobject",
    "test_builtins", "test_operators", "test_tuples",
]


def child(name: str, skip: int) -> None:
    import resource
    import unittest
    import warnings

    import numba
    import pyston
    import pyston.numba as pn

    # A test that loops forever appending (CPython's list semantics where
    # Numba's typed list raises) ends with MemoryError, not the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    numba.jit, numba.njit = pn.jit, pn.njit
    # (what `pyston.numba.install()` gives a user: pyston's typed containers and helpers)
    import numba.typed

    numba.typed.List, numba.typed.Dict = pn.typed.List, pn.typed.Dict
    numba.literal_unroll, numba.objmode = pn.literal_unroll, pn.objmode

    class Result(unittest.TestResult):
        def startTest(self, test):
            super().startTest(test)
            self._cw = warnings.catch_warnings(record=True)
            self._caught = self._cw.__enter__()
            warnings.simplefilter("always")
            self._status = "passed"

        def stopTest(self, test):
            self._cw.__exit__(None, None, None)
            if self._status == "passed" and any(
                issubclass(w.category, pyston.PerformanceWarning) for w in self._caught
            ):
                self._status = "passed_fallback"
            print("TEST " + self._status, flush=True)
            super().stopTest(test)

        def addFailure(self, test, err):
            self._status = "failed"

        def addError(self, test, err):
            self._status = "errors"

        def addSkip(self, test, reason):
            self._status = "skipped"

    try:
        mod = __import__(f"numba.tests.{name}", fromlist=["_"])
        tests = list(_flatten(unittest.defaultTestLoader.loadTestsFromModule(mod)))
        print(f"COUNT {len(tests)}", flush=True)
        result = Result()
        for t in tests[skip:]:
            t(result)
    except Exception as e:  # noqa: BLE001 - an import failure is reported
        print("IMPORT_ERROR " + f"{type(e).__name__}: {e}"[:200], flush=True)


def _flatten(suite):
    import unittest

    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


def run_module(name: str, timeout: float) -> dict:
    """Runs the module's tests in child processes: one that crashes is counted
    as a crash and the next child goes on after it."""
    counts = {"tests": 0, "passed": 0, "native": 0, "failed": 0, "errors": 0, "skipped": 0, "crashed": 0}
    done, total = 0, None
    t0 = time.perf_counter()
    while total is None or done < total:
        left = timeout - (time.perf_counter() - t0)
        if left <= 0:
            counts["timeout"] = timeout
            break
        try:
            p = subprocess.run([sys.executable, __file__, "--child", name, str(done)], capture_output=True,
                               text=True, timeout=left)
            out, rc = p.stdout, p.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), None
        for ln in out.splitlines():
            if ln.startswith("COUNT "):
                total = int(ln.split()[1])
            elif ln.startswith("IMPORT_ERROR "):
                counts["import_error"] = ln[13:]
                return counts
            elif ln.startswith("TEST "):
                st = ln.split()[1]
                done += 1
                if st in ("passed", "passed_fallback"):
                    counts["passed"] += 1
                    counts["native"] += st == "passed"
                else:
                    counts[st] += 1
        if total is None:
            counts["crash"] = f"exit {rc}"
            return counts
        if done < total:
            # The test after the last one reported crashed (or hung): skip it.
            counts["crashed"] += 1
            done += 1
            if rc is None:
                counts["timeout"] = timeout
                break
    counts["tests"] = total or 0
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("modules", nargs="*")
    ap.add_argument("--json")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    rows = {}
    started = time.perf_counter()
    for name in args.modules or MODULES:
        t0 = time.perf_counter()
        r = run_module(name, args.timeout)
        r["seconds"] = round(time.perf_counter() - t0, 1)
        rows[name] = r
        if "tests" in r:
            print(f"{name:22s} {r['passed']:4d}/{r['tests']:<4d} passed, {r['native']:4d} of them natively"
                  f" (failed {r['failed']}, errors {r['errors']}, skipped {r['skipped']}, crashed {r['crashed']})"
                  f" {r['seconds']} s", flush=True)
        else:
            print(f"{name:22s} {r}", flush=True)
    tot = {k: sum(r.get(k, 0) for r in rows.values()) for k in ("tests", "passed", "native")}
    print(f"total: {tot['passed']}/{tot['tests']} passed, {tot['native']} natively "
          f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"modules": rows, "total": tot}, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
