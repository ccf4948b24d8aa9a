"""Snapshots of rendered CompileError messages (file, line, source line, caret).

Regenerate after an intended change: PYSTON_BLESS=1 python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import importlib.util
import os
import pathlib

import numpy as np
import pyston
import pytest

HERE = pathlib.Path(__file__).parent / "snapshots"
_spec = importlib.util.spec_from_file_location("snapshot_kernels", HERE / "kernels.py")
kernels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kernels)

BLESS = os.environ.get("PYSTON_BLESS") == "1"

CASES = {
    "uses_genexp": (np.ones(3),),
    "uses_with": ("/dev/null",),
    "uses_string": (np.ones(3),),
    "uses_del": (np.ones(3),),
}


def render(name):
    f = pyston.fast(getattr(kernels, name), fallback=False)
    with pytest.raises(pyston.CompileError) as info:
        f(*CASES[name])
    # The path of this checkout varies: keep the file's name only.
    return str(info.value).replace(str(HERE) + os.sep, "")


@pytest.mark.parametrize("name", sorted(CASES))
def test_compile_error_snapshot(name):
    text = render(name) + "\n"
    golden = HERE / f"{name}.txt"
    if BLESS or not golden.exists():
        golden.write_text(text)
        if not BLESS:
            pytest.fail(f"{golden.name} did not exist; it was written, review and commit it")
    assert text == golden.read_text()
