"""Numba's own test modules run with pyston as the JIT, as a new user would try it.

Each module of ``numba.tests`` named on the command line (default: the ones
issue #14 measured) is imported after ``numba.jit``/``numba.njit`` are replaced
by ``pyston.numba.jit``/``njit`` (Numba's types, errors and test support stay
Numba's own), and its unittest cases run. A module runs in its own process
(a crash or a hang is counted, not fatal). Per module: tests, passed, passed
without any ``pyston.PerformanceWarning`` (every call compiled natively),
failed, errors, skipped.

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


def child(name: str) -> None:
    import unittest
    import warnings

    import numba
    import pyston
    import pyston.numba as pn

    numba.jit, numba.njit = pn.jit, pn.njit
    counts = {"tests": 0, "passed": 0, "native": 0, "failed": 0, "errors": 0, "skipped": 0}

    class Result(unittest.TestResult):
        def startTest(self, test):
            super().startTest(test)
            self._cw = warnings.catch_warnings(record=True)
            self._caught = self._cw.__enter__()
            warnings.simplefilter("always")
            self._bad = False
            counts["tests"] += 1

        def stopTest(self, test):
            self._cw.__exit__(None, None, None)
            if not self._bad:
                counts["passed"] += 1
                if not any(issubclass(w.category, pyston.PerformanceWarning) for w in self._caught):
                    counts["native"] += 1
            super().stopTest(test)

        def addFailure(self, test, err):
            self._bad = True
            counts["failed"] += 1

        def addError(self, test, err):
            self._bad = True
            counts["errors"] += 1

        def addSkip(self, test, reason):
            self._bad = True
            counts["skipped"] += 1

        def addExpectedFailure(self, test, err):
            pass

        def addUnexpectedSuccess(self, test):
            pass

    try:
        mod = __import__(f"numba.tests.{name}", fromlist=["_"])
        suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
        suite.run(Result())
    except Exception as e:  # noqa: BLE001 - an import failure is reported
        counts["import_error"] = f"{type(e).__name__}: {e}"[:200]
    print("RESULT " + json.dumps(counts), flush=True)


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
        try:
            p = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True,
                               timeout=args.timeout)
            line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
            r = json.loads(line[-1][7:]) if line else {"crash": f"exit {p.returncode}: {p.stderr[-300:]}"}
        except subprocess.TimeoutExpired:
            r = {"timeout": args.timeout}
        r["seconds"] = round(time.perf_counter() - t0, 1)
        rows[name] = r
        if "tests" in r:
            print(f"{name:22s} {r['passed']:4d}/{r['tests']:<4d} passed, {r['native']:4d} of them natively"
                  f" (failed {r['failed']}, errors {r['errors']}, skipped {r['skipped']}) {r['seconds']} s", flush=True)
        else:
            print(f"{name:22s} {r}", flush=True)
    tot = {k: sum(r.get(k, 0) for r in rows.values()) for k in ("tests", "passed", "native")}
    print(f"total: {tot['passed']}/{tot['tests']} passed, {tot['native']} natively "
          f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"modules": rows, "total": tot}, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
