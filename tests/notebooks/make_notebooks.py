"""Writes the notebooks test_notebook.py executes (run it after editing the cells here).

Cells tagged ``pyston`` use the extension; test_notebook.py runs each
notebook once as written and once with those cells left out (a plain
kernel), and compares the other cells' outputs.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

HOT = """\
import numpy as np


def kernel(a, n):
    s = 0.0
    for r in range(n):
        for i in range(a.shape[0]):
            s += a[i] * (r % 3)
    return s

a = np.linspace(0.0, 1.0, 1000)
total = 0.0
for _ in range(300):
    total += kernel(a, 20)
print(repr(total))
"""

REDEFINE = """\
def kernel(a, n):
    s = 0.0
    for r in range(n):
        for i in range(a.shape[0]):
            s -= a[i] * (r % 5)
    return s

total = 0.0
for _ in range(300):
    total += kernel(a, 20)
print(repr(total))
"""

GLOBALS = """\
SCALE = 2

def scaled(n):
    s = 0
    for i in range(n):
        s += (i * SCALE) % 11
    return s

print(sum(scaled(3000) for _ in range(300)))
"""

REBIND = """\
SCALE = 7
print(scaled(3000), kernel(a, 2))
"""

TEXT = """\
from collections import Counter


def words(n):
    return Counter(f"w{i % 17}" for i in range(n))

c = Counter()
for _ in range(200):
    c.update(words(500))
print(c.most_common(3))
"""

ERROR = """\
def divide(x, d):
    t = 0
    for i in range(x):
        t += i * 3 // d
    return t

for _ in range(400):
    divide(2000, 1)
"""

ERROR_CALL = """\
try:
    divide(10, 0)
except ZeroDivisionError as e:
    print("caught", e)
divide(10, 0)
"""


def cell(src, pyston=False):
    c = new_code_cell(src)
    if pyston:
        c.metadata["tags"] = ["pyston"]
    return c


def main():
    here = Path(__file__).parent
    auto = new_notebook(cells=[
        cell("%load_ext pyston", pyston=True),
        cell(HOT), cell(REDEFINE), cell(GLOBALS), cell(REBIND), cell(TEXT), cell(ERROR),
        cell("%pyston_report", pyston=True),
    ])
    errors = new_notebook(cells=[cell("%load_ext pyston", pyston=True), cell(ERROR), cell(ERROR_CALL)])
    magic = new_notebook(cells=[
        cell("%load_ext pyston", pyston=True),
        cell("%%pyston\n" + GLOBALS, pyston=True),
        cell(GLOBALS),  # the same cell without the magic, for the plain run
        cell(REBIND.replace(", kernel(a, 2)", "")),
        cell("%pyston_report", pyston=True),
        cell("%unload_ext pyston", pyston=True),
        cell("print(scaled(10), scaled.__code__.co_name, len(scaled.__code__.co_varnames))"),
    ])
    for name, nb in (("auto", auto), ("cell_magic", magic), ("errors", errors)):
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, here / f"{name}.ipynb")


if __name__ == "__main__":
    main()
