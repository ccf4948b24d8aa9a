"""Unmodified scripts: plain CPython vs ``python -m pyston``, end to end.

Each script in ``benchmarks/scripts/`` runs as ``python script.py`` and as
``python -m pyston script.py``, alternately, ``--repeat`` times each.  The
outputs (stdout, stderr, exit code) must be byte-identical; the table shows
the median wall time of each, the median CPU time (user + system of the
child: less sensitive to a busy machine), and CPython / pyston (above 1:
pyston is faster).  Scripts named ``num_*`` are numeric (target: >= 5x);
the others are text processing and object code (target: within 5% of
CPython, i.e. a ratio >= 0.95).

    python benchmarks/run_scripts.py [--repeat N] [name-filter ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
PYTHON_DIR = HERE.parent / "python"


def run_once(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=SCRIPTS, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (p.returncode, p.stdout, p.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    env = dict(os.environ)
    # The pyston being measured: this checkout's python/ folder when its native module is built there.
    if list((PYTHON_DIR / "pyston").glob("_pyston*.so")) or list((PYTHON_DIR / "pyston").glob("_pyston*.pyd")):
        env["PYTHONPATH"] = str(PYTHON_DIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # An installed package has its bytecode compiled (pip does it); so has this checkout's, here,
    # even where PYTHONDONTWRITEBYTECODE is set, so start-up is measured as users get it.
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("pyston") if "PYTHONPATH" not in env else None
    package = Path(spec.origin).parent if spec and spec.origin else PYTHON_DIR / "pyston"
    compileall.compile_dir(str(package), quiet=1)
    for k in ("PYSTON_REPORT", "PYSTON_HOT_SAMPLES", "PYSTON_SAMPLE_MS", "PYSTON_DISABLE_JIT"):
        env.pop(k, None)
    scripts = sorted(SCRIPTS.glob("*.py"), key=lambda p: (not p.name.startswith("num_"), p.name))
    if args.filters:
        scripts = [s for s in scripts if any(f in s.name for f in args.filters)]
    print(f"CPython {sys.version.split()[0]}, {args.repeat} runs each, medians; ratio = CPython / pyston")
    print(f"{'script':<22} {'CPython s':>9} {'pyston s':>9} {'ratio':>6}   {'CPU: CPython':>12} {'pyston':>7} {'ratio':>6}  identical")
    ok = True
    for script in scripts:
        plain, fast = [], []
        same = True
        ref = None
        for _ in range(args.repeat):
            for cmd, out in (([sys.executable, script.name], plain), ([sys.executable, "-m", "pyston", script.name], fast)):
                wall, cpu, result = run_once(cmd, env)
                out.append((wall, cpu))
                if ref is None:
                    ref = result
                elif result != ref:
                    same = False
        ok &= same
        pw, pc = (statistics.median(x[i] for x in plain) for i in (0, 1))
        fw, fc = (statistics.median(x[i] for x in fast) for i in (0, 1))
        print(
            f"{script.stem:<22} {pw:9.2f} {fw:9.2f} {pw / fw:6.2f}   {pc:12.2f} {fc:7.2f} {pc / fc:6.2f}  {'yes' if same else 'NO'}",
            flush=True,
        )
    if not ok:
        print("outputs differ: run the script with and without -m pyston to see how", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
