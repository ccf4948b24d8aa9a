"""Benchmark kernels for pyston, grouped by category (one module per category).

Every kernel is a plain function restricted to the subset pyston compiles:
int/float/bool/complex scalars, arithmetic and comparisons, if/while/for over
``range`` and over arrays, break/continue, tuples, ``math`` functions,
abs/min/max/len/int/float/round, element indexing of arrays, ``.shape``,
``np.empty/zeros/ones(_like)``, ``.copy()`` and calls to other compiled
functions.  No slicing, no whole-array NumPy operations, no lists or dicts
inside kernels (factories may use anything).

To add a kernel: write the function in the module of its category and call
``register(...)`` right after it (see ``_registry.py``).
"""

from . import integer, layout, matrix, recursion, reduction, scalar, stencil, stream  # noqa: F401,E402
from ._registry import CATEGORIES, KERNELS, Kernel, register  # noqa: F401

__all__ = ["CATEGORIES", "KERNELS", "Kernel", "register"]
