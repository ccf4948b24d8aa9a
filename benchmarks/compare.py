#!/usr/bin/env python3
"""Compare two result files written by run.py.

    python benchmarks/compare.py OLD.json NEW.json [--engine pyston]

Prints, per kernel present in both files, the engine's steady-state time in
each run and NEW/OLD (below 1.00x: NEW is faster), then the geometric mean.
Kernels whose size differs between the runs (e.g. --quick vs full) are skipped.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import fmt_time, fmt_x, geomean, render_table  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--engine", default="pyston", help="engine to compare (cpython, pyston, numba, pyston-optin)")
    a = p.parse_args(argv)
    old, new = (json.load(open(f)) for f in (a.old, a.new))
    print(f"old: {a.old}  {old['date']}  pyston {old['versions'].get('pyston')} ({old['versions'].get('pyston_git')})")
    print(f"new: {a.new}  {new['date']}  pyston {new['versions'].get('pyston')} ({new['versions'].get('pyston_git')})")
    old_rows = {r["name"]: r for r in old["kernels"]}
    rows, ratios, skipped = [], [], []
    for r in new["kernels"]:
        o = old_rows.get(r["name"])
        if o is None:
            continue
        if o["size"] != r["size"]:
            skipped.append(r["name"])
            continue
        eo, en = o["engines"].get(a.engine), r["engines"].get(a.engine)
        to = eo and eo["time_s"]
        tn = en and en["time_s"]
        ratio = tn / to if to and tn else None
        if ratio:
            ratios.append(ratio)
        flag = ""
        if ratio and ratio > 1.1:
            flag = "slower"
        elif ratio and ratio < 1 / 1.1:
            flag = "faster"
        rows.append([r["name"], fmt_time(to) if to else ("error" if eo and eo["error"] else "-"),
                     fmt_time(tn) if tn else ("error" if en and en["error"] else "-"),
                     fmt_x(ratio) if ratio else "-", flag])
    for line in render_table(["kernel", "old", "new", "new/old", ""], rows, ["l", "r", "r", "r", "l"]):
        print(line)
    g = geomean(ratios)
    print(f"\ngeomean new/old ({a.engine}): {fmt_x(g) if g else '-'} over {len(ratios)} kernels")
    if skipped:
        print(f"skipped (different sizes): {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
