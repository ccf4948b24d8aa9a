"""Support for compiled generators (``core/runtime/src/generators.rs``).

``throw`` raises what ``generator.throw(*args)`` raises out of a generator
suspended in the given state (0: not started, 1: at a ``yield`` outside any
``try``, 2: finished), by throwing into a CPython generator in that state:
the arguments are normalized, and PEP 479 applied, by CPython itself.
"""

import collections.abc

from ._pyston import generator as Generator


def _one():
    yield


def throw(state, *args):
    g = _one()
    if state >= 1:
        next(g)
    if state == 2:
        next(g, None)
    g.throw(*args)


collections.abc.Generator.register(Generator)
