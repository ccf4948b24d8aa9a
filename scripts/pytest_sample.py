"""A pytest plugin that runs a deterministic sample of the suite.

    python -m pytest -p pytest_sample --sample=0.15 --sample-all=test_simd.py tests

(with this folder on ``PYTHONPATH``) keeps, from every test module, the cases
whose node id hashes (CRC-32) below the fraction, and at least one case per
module, so every module is imported and exercised; modules named in
``--sample-all`` (comma-separated file names) run in full, and entries with
``::`` (node ids, or their prefixes) always run. The same ids are
picked on every machine and every run, so a failure in the sample reproduces
with the same command. ``make smoke-aarch64`` and ``make test-matrix`` use it.
"""

from __future__ import annotations

import os
import zlib


def pytest_addoption(parser):
    g = parser.getgroup("sample")
    g.addoption("--sample", type=float, default=None, help="fraction of each module's cases to run (0-1]")
    g.addoption(
        "--sample-all",
        default="",
        help="comma-separated test files (test_x.py) that run in full, and node ids (path::test) that always run",
    )


def pytest_collection_modifyitems(config, items):
    frac = config.getoption("sample")
    if frac is None or frac >= 1:
        return
    full = [s.strip() for s in config.getoption("sample_all").split(",") if s.strip()]
    limit = int(frac * 2**32)
    keep, drop, seen = [], [], set()
    for item in items:
        module = os.path.basename(item.nodeid.split("::", 1)[0])
        if module in full or item.nodeid.startswith(tuple(f for f in full if "::" in f)) or zlib.crc32(item.nodeid.encode()) < limit:
            keep.append(item)
            seen.add(module)
        else:
            drop.append(item)
    # every module is represented: its first case when the hash picked none
    for item in drop[:]:
        module = os.path.basename(item.nodeid.split("::", 1)[0])
        if module not in seen:
            seen.add(module)
            keep.append(item)
            drop.remove(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = _keep_order(items, keep)


def _keep_order(items, keep):
    ids = {id(i) for i in keep}
    return [i for i in items if id(i) in ids]


def pytest_report_header(config):
    frac = config.getoption("sample")
    if frac is not None and frac < 1:
        return f"sample: {frac:g} of each module's cases (plus all of: {config.getoption('sample_all') or '-'})"
    return None
