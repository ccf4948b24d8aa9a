"""docs/numpy-support.md is generated from the NumPy suites' coverage registry
(tests/gen_numpy_support.py); it must match the generator's output, so that it
cannot drift from what the tests actually cover."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_numpy_support  # noqa: E402


def test_numpy_support_doc_is_up_to_date():
    want = gen_numpy_support.render()
    try:
        with open(gen_numpy_support.DOC) as f:
            have = f.read()
    except OSError:
        have = ""
    assert have == want, "docs/numpy-support.md is stale: run `.venv/bin/python tests/gen_numpy_support.py`"


def test_registry_names_real_tests():
    """Every test named in the registry exists in the module that registered it."""
    _, reg = gen_numpy_support.registry()
    missing = []
    for (group, name), e in reg.items():
        mods = [sys.modules[m] for m in e["modules"]]
        for t in e["tests"]:
            for part in t.split(" / "):
                if not any(hasattr(m, part.strip()) for m in mods):
                    missing.append(f"{group}/{name}: {part}")
    assert not missing, missing
