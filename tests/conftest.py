"""pytest configuration for the pyston differential suite.

The random seed for all generated data is printed in the header and attached to
every failing test; re-run with ``PYSTON_TEST_SEED=<seed>`` to reproduce.
"""

import os
import sys

import pytest

# Cranelift's IR verifier checks every compiled function under test (and in
# the subprocesses tests start); releases skip it for compile speed.
os.environ.setdefault("PYSTON_VERIFY", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402


def pytest_report_header(config):
    return f"pyston differential tests: PYSTON_TEST_SEED={helpers.SEED}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.sections.append(("pyston", f"reproduce with PYSTON_TEST_SEED={helpers.SEED}"))


@pytest.fixture(scope="session")
def seed():
    return helpers.SEED


@pytest.fixture
def rng(request):
    """A Generator seeded from the run seed and the test id."""
    return helpers.rng_for(request.node.nodeid)
