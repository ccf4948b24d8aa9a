"""Shrink a fuzz program while a property still holds (line-level delta).

    python tests/fuzz/minimize.py SEED ARGS_INDEX {mismatch|ice|fallback:TEXT}

Removes lines (or replaces them with ``pass``) from the generated function
while the chosen call still shows the property: ``mismatch`` (plain and
compiled outcomes differ), ``ice`` (an internal compiler error in the
PerformanceWarning) or ``fallback:TEXT`` (the warning contains TEXT). Prints
the smallest source found; finish by hand.
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import run  # noqa: E402


def holds(source, args_src, prop, tmpdir, n=[0]):  # noqa: B006 -- a counter
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    n[0] += 1
    prog = gen.Program(10**12 + n[0], source, [args_src])
    try:
        (c,) = run.run_program(prog, tmpdir)
    except Exception:  # noqa: BLE001
        return False
    if prop == "mismatch":
        return not c["same"]
    msg = c["fell_back"] or ""
    if prop == "ice":
        return "internal compiler error" in msg
    return prop.split(":", 1)[1] in msg


def minimize(source, args_src, prop):
    with tempfile.TemporaryDirectory() as tmpdir:
        sys.path.insert(0, tmpdir)
        assert holds(source, args_src, prop, tmpdir), "property does not hold to begin with"
        lines = source.splitlines()
        changed = True
        while changed:
            changed = False
            for i in range(len(lines) - 1, -1, -1):
                if not lines[i].startswith("    ") or lines[i].strip() == "pass":
                    continue
                indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
                # the line plus any deeper-indented block under it
                j = i + 1
                while j < len(lines) and lines[j].startswith(indent + " "):
                    j += 1
                for repl in ([], [indent + "pass"]):
                    cand = lines[:i] + repl + lines[j:]
                    if holds("\n".join(cand) + "\n", args_src, prop, tmpdir):
                        lines, changed = cand, True
                        break
        return "\n".join(lines) + "\n"


def main():
    seed, k, prop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    prog = gen.generate(seed)
    print(minimize(prog.source, prog.args[k], prop))
    print("# args:", prog.args[k])


if __name__ == "__main__":
    main()
