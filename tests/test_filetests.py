"""IR golden tests: printed IR matches the golden file; every call agrees on
plain CPython, compiled code and the interpreter tier."""

from __future__ import annotations

import importlib.util
import os
import pathlib

import numpy as np
import pyston
import pytest
from helpers import _run, clone, diff

HERE = pathlib.Path(__file__).parent / "filetests"
CASES = sorted(HERE.glob("*.py"))
BLESS = os.environ.get("PYSTON_BLESS") == "1"


def load(path):
    spec = importlib.util.spec_from_file_location(f"filetest_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    calls = [line.split(":", 1)[1].strip() for line in path.read_text().splitlines() if line.startswith("# call:")]
    return mod, calls


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_ir(path):
    mod, _ = load(path)
    ir = pyston.fast(mod.f).inspect_ir()
    golden = path.with_suffix(".ir")
    if BLESS or not golden.exists():
        golden.write_text(ir)
        if not BLESS:
            pytest.fail(f"{golden.name} did not exist; it was written, review and commit it")
    assert ir == golden.read_text(), f"IR of {path.name} changed; rerun with PYSTON_BLESS=1 if intended"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_both_executors_agree(path):
    mod, calls = load(path)
    assert calls, "a filetest needs at least one '# call:' line"
    fast = pyston.fast(mod.f)
    for call in calls:
        args = eval(f"({call},)", {"np": np})
        e_res, e_exc, _ = _run(mod.f, clone(args), {})
        for name, fn in [("compiled", fast), ("interpreter", fast._interpret)]:
            res, exc, _ = _run(fn, clone(args), {})
            where = f"{path.name} {name}, call f({call})"
            if e_exc is not None or exc is not None:
                assert type(exc) is type(e_exc) and str(exc) == str(e_exc), f"{where}: {exc!r} != {e_exc!r}"
            else:
                d = diff(e_res, res)
                assert d is None, f"{where}: {d}"
