"""The kernel registry.

A kernel is a *plain* Python function (never decorated: the harness wraps it
once per engine), an input factory ``make_args(rng, n) -> tuple`` and two sizes
(``size`` for a full run, ``quick`` for ``--quick``).  The factory is called
once per engine with a freshly seeded generator, so every engine gets equal
inputs with the same dtype *and memory layout* (views stay views).

``calls`` names the module-level functions the kernel calls (its own name for
recursion): for each engine the harness clones them into a private globals
dict and binds every name to that engine's wrapper, so pyston code calls
pyston code and Numba code calls Numba code.
"""

import zlib
from dataclasses import dataclass
from typing import Callable, Tuple

import numpy as np

CATEGORIES = (
    "scalar",
    "integer",
    "stream",
    "reduction",
    "stencil",
    "matrix",
    "layout",
    "recursion",
)

KERNELS = []


@dataclass(frozen=True)
class Kernel:
    name: str
    fn: Callable
    make_args: Callable
    size: int
    quick_size: int
    category: str
    description: str
    calls: Tuple[str, ...] = ()
    rtol: float = 1e-9
    atol: float = 1e-12

    @property
    def seed(self):
        return zlib.crc32(self.name.encode())

    def n(self, quick):
        return self.quick_size if quick else self.size

    def args(self, quick):
        """Fresh inputs; identical on every call (fixed per-kernel seed)."""
        rng = np.random.default_rng(self.seed)
        return tuple(self.make_args(rng, self.n(quick)))


def register(name, fn, make_args, *, size, quick, category, desc, calls=(), rtol=1e-9, atol=1e-12):
    """Add a kernel to the registry; returns ``fn`` unchanged."""
    if category not in CATEGORIES:
        raise ValueError(f"{name}: unknown category {category!r}")
    if any(k.name == name for k in KERNELS):
        raise ValueError(f"duplicate kernel name {name!r}")
    KERNELS.append(
        Kernel(
            name=name,
            fn=fn,
            make_args=make_args,
            size=size,
            quick_size=quick,
            category=category,
            description=desc,
            calls=tuple(calls),
            rtol=rtol,
            atol=atol,
        )
    )
    return fn
