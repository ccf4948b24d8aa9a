"""Support for compiled generators (``core/runtime/src/generators.rs``).

``check`` raises the ``TypeError`` of bad ``throw`` arguments, which leave
the generator as it was; ``throw`` raises what ``generator.throw(*args)`` raises out of a generator
suspended in the given state (0: not started, 1: at a ``yield`` outside any
``try``, 2: finished), by throwing into a CPython generator in that state:
the arguments are normalized, and PEP 479 applied, by CPython itself.
"""

import collections.abc

from ._pyston import generator as Generator


def _one():
    yield


def _catch(armed):
    try:
        yield
    except BaseException as e:  # noqa: BLE001 - only normalizes
        if armed[0]:
            yield e


def check(*args):
    """Raises what ``throw(*args)`` raises for bad arguments (before any generator is touched)."""
    armed = [True]
    g = _catch(armed)
    next(g)
    try:
        g.throw(*args)
    finally:
        armed[0] = False
        g.close()


def throw(state, *args):
    g = _one()
    if state >= 1:
        next(g)
    if state == 2:
        next(g, None)
    g.throw(*args)


collections.abc.Generator.register(Generator)
