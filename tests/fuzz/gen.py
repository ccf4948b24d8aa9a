"""Random, well-typed numeric Python functions for differential fuzzing.

``generate(seed)`` returns a ``Program``: the source text of a module that
defines ``f`` (5-25 lines) and a few argument tuples to call it with, each
written as Python source (so a reproducer is plain text).

How it works: the function's parameters get a *kind* first (``int``,
``float`` or a 1-D / 2-D NumPy array of float64/int64/int32/float32/bool, the
narrow ints or float16).
The body is then built top-down by ``Gen``; it keeps a table of the names in
scope and the kind of value each holds ("i" integer-like, "f" float-like,
"b" bool-like), and only ever writes an expression of the kind a context
needs (``range`` bounds are integer, array stores get their element kind,
conditions are bool), so most programs type-check and compile. Loops are
always bounded (``range`` bounds are clamped to small values, ``while`` loops
count a fresh counter up to a small limit) and ``*``/``**`` are restricted
inside loops so big ints stay small enough to compute quickly.

Edge values are deliberate: int literals and arguments near 2**63, nan, inf,
-0.0, empty arrays, raw (possibly out-of-range) indexes, divisors that can be
zero, math-domain errors, NaN stored into int arrays. Exceptions are part of
what the runner compares. One function in seven gets a line compiled code
cannot run (``_u = object()``), so it runs as plain Python with its loops
lifted out and compiled alone. One function in five seeds ``np.random`` at its
start and then draws from it (compiled code calls NumPy's own generator, so
the plain and compiled calls must see the same stream).

Constructs that hit a known pyston defect (see KNOWN.md) are avoided here,
each with a comment naming the defect; ``AVOID`` lists them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import List, Tuple

HEADER = "import math\n\nimport numpy as np\n\n\n"

# Known defects the generator steers around (see KNOWN.md); empty when none.
AVOID: Tuple[str, ...] = ()

DTYPES = ("float64", "int64", "int32", "float32", "bool", "float64", "int64",
          "int8", "int16", "uint8", "uint16", "uint32", "uint64", "float16")
ELEM_KIND = {"float64": "f", "float32": "f", "float16": "f", "int64": "i", "int32": "i", "bool": "b",
             "int8": "i", "int16": "i", "uint8": "i", "uint16": "i", "uint32": "i", "uint64": "i"}
INT_RANGE = {"int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1), "int32": (-2**31, 2**31 - 1),
             "int64": (-2**63, 2**63 - 1), "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1),
             "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1)}

EDGE_INTS = (0, -1, 1, 2, 3, 7, -13, 255, 2**31 - 1, -(2**31), 2**62, 2**63 - 1, -(2**63), 2**63, 2**64 + 5, 10**20)
EDGE_INT_SRC = {2**63 - 1: "2**63 - 1", -(2**63): "-2**63", 2**63: "2**63", 2**62: "2**62", 2**64 + 5: "2**64 + 5",
                10**20: "10**20", 2**31 - 1: "2**31 - 1", -(2**31): "-2**31"}
EDGE_FLOATS = ("0.0", "-0.0", "1.5", "-2.25", "0.1", "nan", "inf", "-inf", "1e308", "-1e300", "5e-324", "3.0", "1e16")
MATH_F1 = ("sqrt", "exp", "log", "sin", "cos", "tan", "atan", "tanh", "fabs", "log1p", "expm1", "asin", "acos",
           "cosh", "log10", "log2", "erf", "gamma", "trunc")
MATH_F2 = ("atan2", "hypot", "copysign", "fmod", "pow")
MATH_I1 = ("floor", "ceil")


STR_NEEDLES = ("'1'", "','", "'-'", "':'", "'e'", "''")


@dataclass
class Program:
    seed: int
    source: str
    args: List[str] = field(default_factory=list)  # each: source of a tuple expression

    def reproducer(self) -> str:
        calls = "\n".join(f"#   f(*{a})" for a in self.args)
        return f"# fuzz program seed={self.seed}\n{self.source}\n# called as:\n{calls}\n"


def int_src(v: int) -> str:
    return EDGE_INT_SRC.get(v, repr(v))


class Gen:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.lines: List[str] = []
        self.scalars: dict = {}  # name -> "i" / "f"
        self.readonly: set = set()  # loop variables and while counters
        self.arrays: dict = {}  # name -> (ndim, dtype)
        self.loop_depth = 0
        self.n_names = 0
        self.budget = 0
        self.ret_kinds = None
        self.random = False  # the function seeds np.random and draws from it
        self.lists: dict = {}  # name -> element kind ("i" / "f")
        self.dicts: dict = {}  # name -> value kind (keys are ints)
        self.sets: list = []  # names of sets of ints
        self.ranges: list = []  # names of range objects
        self.pairs: list = []  # names of dicts with (int, int) keys and int values
        self.optionals: list = []  # names of `None`-or-float values (a best-so-far loop)
        self.strs: list = []  # names of strings
        self.iterating: set = set()  # lists a `for` loop walks (not resized inside it)
        self.funcs: dict = {}  # nested function name -> (parameter kind, result kind)
        self.globals_fns: dict = {}  # module-level helper name -> (parameter kinds, result kind)
        self.module_lines: List[str] = []  # their source (before `def f`)
        self.nested = False  # inside a list/dict/closure read, a small-array reduction or a genexp

    # --- helpers ---------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def fresh(self, prefix: str) -> str:
        self.n_names += 1
        return f"{prefix}{self.n_names}"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)
        self.budget -= 1

    def vars_of(self, kind: str) -> List[str]:
        return [n for n, k in self.scalars.items() if k == kind]

    def arrays_of(self, kind: str) -> List[str]:
        return [n for n, (_, dt) in self.arrays.items() if ELEM_KIND[dt] == kind]

    # --- literals ----------------------------------------------------------
    def int_lit(self) -> str:
        if self.chance(0.15):
            v = self.r.choice(EDGE_INTS)
        else:
            v = self.r.randint(-5, 12)
        s = int_src(v)
        return f"({s})" if v < 0 or " " in s or "*" in s else s

    def float_lit(self) -> str:
        if self.chance(0.25):
            s = self.r.choice(EDGE_FLOATS)
            if s in ("nan", "inf", "-inf"):
                return {"nan": "math.nan", "inf": "math.inf", "-inf": "(-math.inf)"}[s]
        else:
            s = repr(round(self.r.uniform(-10, 10), self.r.choice((0, 1, 3))))
        return f"({s})" if s.startswith("-") else s

    # --- indexes -------------------------------------------------------------
    def index1(self, a: str) -> str:
        c = self.r.random()
        if c < 0.55:
            return f"{self.expr('i', 1)} % len({a})"
        if c < 0.8:
            return self.r.choice(("0", "-1", "1", f"len({a}) - 1", "2", "-2"))
        return self.expr("i", 1)  # raw: may be out of range

    def index2(self, a: str) -> str:
        out = []
        for k in (0, 1):
            c = self.r.random()
            if c < 0.6:
                out.append(f"{self.expr('i', 1)} % {a}.shape[{k}]")
            elif c < 0.9:
                out.append(self.r.choice(("0", "-1", "1", f"{a}.shape[{k}] - 1")))
            else:
                out.append(self.expr("i", 1))
        return ", ".join(out)

    def array_read(self, kind: str) -> str:
        names = self.arrays_of(kind)
        a = self.r.choice(names)
        ndim = self.arrays[a][0]
        if ndim == 1:
            return f"{a}[{self.index1(a)}]"
        return f"{a}[{self.index2(a)}]"

    # --- expressions -------------------------------------------------------
    def leaf(self, kind: str) -> str:
        opts = []
        if kind == "i":
            opts += ["lit"] * 3 + ["var"] * 4 * bool(self.vars_of("i"))
            if self.arrays:
                opts += ["len"] * 2
            opts += ["arr"] * 2 * bool(self.arrays_of("i"))
        elif kind == "f":
            opts += ["lit"] * 3 + ["var"] * 4 * bool(self.vars_of("f"))
            opts += ["arr"] * 3 * bool(self.arrays_of("f"))
        else:
            opts += ["cmp"] * 4 + ["arr"] * 2 * bool(self.arrays_of("b")) + ["lit"]
        if self.random and kind in "if":
            opts += ["rand"] * 2
        if not self.nested:  # (one level: their operands are plain expressions)
            opts += ["coll"] * 2 * bool(self.collection_reads(kind))
            if kind in "if" and not self.loop_depth and self.chance(0.1):
                opts.append("gen")
            if kind in "if" and self.small_rows(kind):
                opts += ["small"] * 2
        pick = self.r.choice(opts)
        if pick == "rand":
            return self.draw(kind)
        if pick in ("coll", "small", "gen"):
            self.nested = True
            try:
                if pick == "coll":
                    return self.r.choice(self.collection_reads(kind))()
                if pick == "small":
                    return self.small_reduce(kind)
                return self.genexp(kind)
            finally:
                self.nested = False
        if pick == "var":
            return self.r.choice(self.vars_of(kind))
        if pick == "arr":
            return self.array_read(kind)
        if pick == "len":
            a = self.r.choice(list(self.arrays))
            if self.arrays[a][0] == 2 or self.chance(0.3):
                return f"{a}.shape[{self.r.randint(0, self.arrays[a][0] - 1)}]"
            return f"len({a})"
        if pick == "cmp":
            return self.compare(1)
        if kind == "i":
            return self.int_lit()
        if kind == "f":
            return self.float_lit()
        return self.r.choice(("True", "False"))

    # --- lists, dicts, closures, small arrays ------------------------------
    def collection_reads(self, kind: str) -> list:
        """Ways to read a `kind` value from the lists, dicts and nested
        functions in scope (thunks, so only the one picked draws numbers)."""
        out = []
        for name, k in self.lists.items():
            if k == kind:
                out.append(lambda n=name: f"({n}[{self.expr('i', 1)} % len({n})] if {n} else {self.leaf(kind)})")
                out.append(lambda n=name: f"{n}[{self.r.choice(('0', '-1', '2'))}]")  # may raise IndexError
                out.append(lambda n=name: f"sum({n})")
                out.append(lambda n=name: f"({self.r.choice(('max', 'min'))}({n}) if {n} else {self.leaf(kind)})")
            if kind == "i":
                out.append(lambda n=name: f"len({n})")
                out.append(lambda n=name: f"{n}.count({self.expr(k, 1)})")
            if kind == "b":
                out.append(lambda n=name: f"({self.expr(k, 1)} {self.r.choice(('in', 'not in'))} {n})")
                out.append(lambda n=name: f"{self.r.choice(('any', 'all'))}(t > {self.leaf(k)} for t in {n})")
        for name, k in self.dicts.items():
            if k == kind:
                out.append(lambda n=name: f"{n}.get({self.expr('i', 1)} % 7, {self.leaf(kind)})")
                out.append(lambda n=name: f"{n}[{self.expr('i', 1)} % 5]")  # may raise KeyError
            if kind == "i":
                out.append(lambda n=name: f"len({n})")
            if kind == "b":
                out.append(lambda n=name: f"({self.expr('i', 1)} % 7 {self.r.choice(('in', 'not in'))} {n})")
        for name in self.ranges:
            if kind == "i":
                out.append(lambda n=name: f"len({n})")
                out.append(lambda n=name: f"({n}[{self.expr('i', 1)} % len({n})] if {n} else {self.int_lit()})")
                out.append(lambda n=name: f"{n}[{self.r.choice(('0', '-1', '2'))}]")  # may raise IndexError
                out.append(lambda n=name: f"{self.r.choice(('sum', 'len'))}({n})")
            if kind == "b":
                out.append(lambda n=name: f"({self.expr('i', 1)} {self.r.choice(('in', 'not in'))} {n})")
                out.append(lambda n=name: f"bool({n})")
        for name in self.pairs:
            if kind == "i":
                out.append(lambda n=name: f"{n}.get(({self.expr('i', 1)} % 3, {self.expr('i', 1)} % 4), {self.int_lit()})")
                out.append(lambda n=name: f"len({n})")
                out.append(lambda n=name: f"{n}[{self.expr('i', 1)} % 3, 0]")  # may raise KeyError
            if kind == "b":
                out.append(lambda n=name: f"(({self.expr('i', 1)} % 3, 1) in {n})")
        for name in self.optionals:
            if kind == "f":
                out.append(lambda n=name: f"({n} if {n} is not None else {self.float_lit()})")
            if kind == "b":
                out.append(lambda n=name: f"({n} is None)")
        for name in self.sets:
            if kind == "i":
                out.append(lambda n=name: f"len({n})")
                out.append(lambda n=name: f"({self.r.choice(('max', 'min', 'sum'))}({n}) if {n} else {self.int_lit()})")
                out.append(lambda n=name: f"len({n} {self.r.choice(('|', '&', '-', '^'))} {self.set_expr()})")
            if kind == "b":
                out.append(lambda n=name: f"({self.expr('i', 1)} {self.r.choice(('in', 'not in'))} {n})")
                out.append(lambda n=name: f"({n} {self.r.choice(('<=', '==', '!=', '>'))} {self.set_expr()})")
                out.append(lambda n=name: f"{n}.isdisjoint({self.set_expr()})")
        for name in self.strs:
            if kind == "i":
                out.append(lambda n=name: f"len({n})")
                out.append(lambda n=name: f"{n}.count({self.r.choice(STR_NEEDLES)})")
                out.append(lambda n=name: f"{n}.find({self.r.choice(STR_NEEDLES)})")
                out.append(lambda n=name: f"(ord({n}[{self.expr('i', 1)} % len({n})]) if {n} else {self.int_lit()})")
                out.append(lambda n=name: f"len({n}.split({self.r.choice(STR_NEEDLES)}))")
                out.append(lambda n=name: f"({n}[{self.r.choice(('0', '-1', '3'))}] == '1')")  # may raise IndexError
                out.append(lambda n=name: f"len({n} + {self.str_expr()})")
            if kind == "b":
                out.append(lambda n=name: f"({self.r.choice(STR_NEEDLES)} {self.r.choice(('in', 'not in'))} {n})")
                out.append(lambda n=name: f"{n}.startswith({self.r.choice(STR_NEEDLES)})")
                out.append(lambda n=name: f"({n} {self.r.choice(('<', '==', '!=', '>='))} {self.str_expr()})")
                out.append(lambda n=name: f"{n}.strip({self.r.choice(STR_NEEDLES)}).isdigit()")
        for name, (pk, rk) in self.funcs.items():
            if rk == kind:
                out.append(lambda n=name, pk=pk: f"{n}({self.expr(pk, 1)})")
        return out

    def str_expr(self) -> str:
        """A string: a string in scope, an f-string, str() of numbers, %-formatting or a slice."""
        c = self.r.random()
        if self.strs and c < 0.3:
            n = self.r.choice(self.strs)
            return self.r.choice((n, f"{n}[1:{self.int_lit()}]", f"{n}.upper()", f"{n}.replace('1', 'x')"))
        if c < 0.55:
            spec = self.r.choice(("", ":.3g", ":>6", ":e", ":+", "!r"))
            return f"f\"{{{self.expr('i', 1)}}}:{{{self.expr('f', 1)}{spec}}}|{{{self.expr('b', 1)}}}\""
        if c < 0.75:
            return f"str({self.expr('i', 1)}) + ',' + str({self.expr('f', 1)})"
        if c < 0.9:
            return f"'%d/%s' % ({self.expr('i', 1)}, {self.expr('f', 1)})"
        return f"'ab,1' * ({self.expr('i', 1)} % 3)"

    def set_expr(self) -> str:
        """A set of ints: a set in scope, a display or a comprehension."""
        c = self.r.random()
        if self.sets and c < 0.5:
            return self.r.choice(self.sets)
        if c < 0.75:
            return "{" + ", ".join(f"{self.expr('i', 0)} % 9" for _ in range(self.r.randint(1, 3))) + "}"
        g = self.fresh("c")
        return f"{{{g} % 7 for {g} in range({self.bound()})}}"

    def genexp(self, kind: str) -> str:
        """A generator expression reduced by a builtin (a native loop)."""
        i = self.fresh("g")
        self.scalars[i] = "i"
        body = self.expr(kind, 1)
        self.scalars.pop(i, None)
        if self.chance(0.3):
            return f"{self.r.choice(('max', 'min'))}(({body} for {i} in range({self.bound()})), default=0)"
        return f"sum({body} for {i} in range({self.bound()}))"

    def small_rows(self, kind: str) -> List[str]:
        """Arrays whose rows (2-D) or slices (1-D) the small-array pass computes on."""
        dts = ("float64", "float32") if kind == "f" else ("int64",)
        return [a for a, (_, dt) in self.arrays.items() if dt in dts]

    def small_vec(self, a: str, depth: int) -> str:
        """A 1-D array expression over rows or slices of `a`."""
        ndim, dt = self.arrays[a]
        ek = ELEM_KIND[dt]
        if depth <= 0 or self.chance(0.35):
            if ndim == 2:
                r = self.r.random()
                if r < 0.6:
                    return f"{a}[{self.expr('i', 1)} % {a}.shape[0]]"
                if r < 0.75:
                    return f"{a}[{self.r.choice(('0', '-1', '1'))}]"
                if r < 0.85:
                    # a column's slice (a strided view; lengths may differ from rows': ValueError)
                    lo, hi = self.r.randint(-2, 1), self.r.randint(-1, 4)
                    return f"{a}[{lo}:{hi}, {self.expr('i', 1)} % {a}.shape[1]]"
                lo, hi = self.r.randint(-2, 2), self.r.randint(-1, 4)
                return f"{a}[{self.expr('i', 1)} % {a}.shape[0], {lo}:{hi}]"
            lo = self.r.choice(("", "1", "-3", str(self.r.randint(0, 3))))
            hi = self.r.choice(("", "-1", str(self.r.randint(1, 6))))
            step = self.r.choice(("", "", ":2"))
            return f"{a}[{lo}:{hi}{step}]" if self.chance(0.7) else a
        r = self.r.random()
        x = self.small_vec(a, depth - 1)
        if r < 0.5:
            op = self.r.choice(("+", "-", "*", "+")) if ek == "i" else self.r.choice(("+", "-", "*", "/"))
            y = self.small_vec(a, depth - 1) if self.chance(0.5) else self.leaf(ek)
            if self.chance(0.5):
                x, y = y, x
            return f"({x} {op} {y})"
        if r < 0.6:
            return f"(-{x})"
        if r < 0.7 and ek == "f":
            return f"np.{self.r.choice(('sqrt', 'abs', 'square', 'exp', 'log'))}({x})"
        if r < 0.8:
            return f"np.{self.r.choice(('maximum', 'minimum'))}({x}, {self.leaf(ek)})"
        if r < 0.9:
            return f"({x} ** 2)"
        return f"np.where({x} > {self.leaf(ek)}, {x}, {self.leaf(ek)})"

    def whole_expr(self, a: str, groups: Tuple[str, str], depth: int) -> str:
        """A float64 expression over same-shaped slices of 2-D `a` (a stencil):
        what the fusion pass computes in one pass over strided views. Each axis
        keeps one group of slices, so every leaf has the same shape."""
        pick = {"short": ("1:", ":-1"), "full": (":", "::-1")}
        if depth <= 0 or self.chance(0.3):
            if self.chance(0.2):
                # scalar arithmetic between the array operations (a zero divisor or an
                # overflow there: the operations before it run first, then CPython raises)
                v = self.r.choice(self.vars_of("f") or [self.float_lit()])
                return self.r.choice((f"({v} * {self.float_lit()})", f"({v} ** 2)", f"(1.0 / {v})"))
            if self.chance(0.15):
                return self.float_lit()
            s0, s1 = (self.r.choice(pick[g]) for g in groups)
            return f"{a}[{s0}, {s1}]"
        x = self.whole_expr(a, groups, depth - 1)
        r = self.r.random()
        if r < 0.55:
            y = self.whole_expr(a, groups, depth - 1)
            return f"({x} {self.r.choice(('+', '-', '*', '/', '+'))} {y})"
        if r < 0.65:
            return f"(-{x})"
        if r < 0.85:
            return f"np.{self.r.choice(('sqrt', 'abs', 'square', 'negative', 'absolute'))}({x})"
        return f"np.where({x} > {self.float_lit()}, {x}, {self.whole_expr(a, groups, 0)})"

    def whole_stmt(self, indent: int) -> None:
        """A stencil statement on a 2-D float64 array: stored into a slice of an
        array (possibly the one it reads), added in place, or summed."""
        cands = [a for a, (nd, dt) in self.arrays.items() if nd == 2 and dt == "float64"]
        a = self.r.choice(cands)
        r = self.r.random()
        if r < 0.3:
            groups = ("full", "full")
            self.emit(indent, f"{a} += {self.whole_expr(a, groups, 2)}")
            return
        groups = (self.r.choice(("short", "full")), self.r.choice(("short", "full")))
        e = self.whole_expr(a, groups, 3)
        if r < 0.7:
            b = self.r.choice(cands)
            dst = {"short": ("1:", ":-1"), "full": (":",)}
            s0, s1 = (self.r.choice(dst[g]) for g in groups)
            self.emit(indent, f"{b}[{s0}, {s1}] = {e}")
        else:
            v = self.r.choice(self.vars_of("f") or [None])
            if v is None or v not in self.assignable():
                v = self.fresh("w")
                self.emit(indent, f"{v} = float(np.sum({e}))")
                if indent == 1:
                    self.scalars[v] = "f"
            else:
                self.emit(indent, f"{v} += float(({e}).sum())")

    def small_reduce(self, kind: str) -> str:
        a = self.r.choice(self.small_rows(kind))
        x = self.small_vec(a, 2)
        r = self.r.random()
        if r < 0.35:
            return f"np.sum({x})" if self.chance(0.5) else f"{x}.sum()"
        if r < 0.5:
            y = self.small_vec(a, 1)
            return f"np.dot({x}, {y})" if self.chance(0.6) else f"({x} @ {y})"
        if r < 0.65:
            return f"{x}.{self.r.choice(('max', 'min'))}()"  # ValueError when empty
        if r < 0.75 and kind == "f":
            return f"{x}.mean()"
        if r < 0.85:
            return f"({x} > {self.leaf(ELEM_KIND[self.arrays[a][1]])}).sum()" if kind == "i" else f"{x}.prod()"
        return f"np.sqrt(np.sum({x} ** 2))" if kind == "f" else f"int(np.sum({x}))"

    def container_stmt(self, indent: int) -> None:
        """A mutation of a list or dict in scope, or a row/slice store of the small-array kind."""
        r = self.r.random()
        growable = [n for n in self.lists if n not in self.iterating]
        if r < 0.45 and self.lists:
            n = self.r.choice(list(self.lists))
            k = self.lists[n]
            c = self.r.random()
            if c < 0.35 and n in growable:
                self.emit(indent, f"{n}.append({self.expr(k, 2)})")
            elif c < 0.6:
                self.emit(indent, f"if {n}:")
                op = self.r.choice(("=", "+=", "-="))
                self.emit(indent + 1, f"{n}[{self.expr('i', 1)} % len({n})] {op} {self.expr(k, 2)}")
            elif c < 0.65 and n in growable:
                self.emit(indent, f"if {n}:")
                self.emit(indent + 1, f"{n}.pop()")
            elif c < 0.7 and n in growable:
                self.emit(indent, f"if {n}:")
                self.emit(indent + 1, f"del {n}[{self.expr('i', 1)} % len({n})]")
            elif c < 0.8:
                self.emit(indent, f"{n}[{self.expr('i', 1)}] = {self.expr(k, 1)}")  # may raise IndexError
            elif c < 0.9 and n in growable:
                self.emit(indent, f"{n}.{self.r.choice(('sort', 'reverse'))}()")
            elif n in growable:
                self.emit(indent, f"{n}.insert({self.expr('i', 1)}, {self.expr(k, 1)})")
            else:
                self.emit(indent, f"{n}[0] = {self.expr(k, 1)}")
        elif r < 0.6 and self.sets:
            n = self.r.choice(self.sets)
            c = self.r.random()
            if c < 0.45:
                self.emit(indent, f"{n}.add({self.expr('i', 1)} % 11)")
            elif c < 0.65:
                self.emit(indent, f"{n}.discard({self.expr('i', 1)} % 11)")
            elif c < 0.75:
                self.emit(indent, f"{n}.remove({self.expr('i', 1)} % 11)")  # may raise KeyError
            elif c < 0.9:
                self.emit(indent, f"{n} {self.r.choice(('|=', '&=', '-=', '^='))} {self.set_expr()}")
            else:
                self.emit(indent, f"if {n}:")
                self.emit(indent + 1, f"{n}.pop()")
        elif r < 0.75 and self.dicts:
            n = self.r.choice(list(self.dicts))
            k = self.dicts[n]
            c = self.r.random()
            key = f"{self.expr('i', 1)} % 7"
            if c < 0.5:
                self.emit(indent, f"{n}[{key}] = {self.expr(k, 2)}")
            elif c < 0.75:
                self.emit(indent, f"{n}[{key}] {self.r.choice(('+=', '-='))} {self.expr(k, 1)}")  # may raise KeyError
            elif c < 0.85:
                self.emit(indent, f"{n}.setdefault({key}, {self.expr(k, 1)})")
            elif c < 0.93:
                self.emit(indent, f"{n}.pop({key}, None)")
            else:
                self.emit(indent, f"del {n}[{key}]")  # may raise KeyError
        else:
            rows = [a for a, (nd, dt) in self.arrays.items() if dt in ("float64", "float32", "int64")]
            if not rows:
                self.emit(indent, "pass")
                return
            a = self.r.choice(rows)
            ndim, dt = self.arrays[a]
            if ndim == 2:
                dst = f"{a}[{self.expr('i', 1)} % {a}.shape[0]]"
            else:
                dst = f"{a}[{self.r.randint(0, 2)}:{self.r.choice(('', '-1', '3'))}]"
            op = self.r.choice(("=", "+=", "-=", "*="))
            self.emit(indent, f"{dst} {op} {self.small_vec(a, 2) if self.chance(0.7) else self.leaf(ELEM_KIND[dt])}")

    def try_stmt(self, indent: int, depth: int) -> None:
        """try/except/else/finally around generated code (which raises
        ZeroDivisionError, IndexError, KeyError, OverflowError, ValueError...)."""
        self.emit(indent, "try:")
        self.block(indent + 1, depth, self.r.randint(1, 3))
        if self.chance(0.15):
            self.emit(indent + 1, f"if {self.expr('b', 1)}:")
            self.emit(indent + 2, f"raise {self.r.choice(('ValueError', 'KeyError', 'IndexError'))}({self.int_lit()})")
        handlers = self.r.choice((1, 1, 2, 0)) if self.budget > 2 else 1
        for _ in range(handlers):
            exc = self.r.choice(("ZeroDivisionError", "IndexError", "KeyError", "(IndexError, KeyError)",
                                 "ArithmeticError", "LookupError", "ValueError", "Exception", "OverflowError"))
            if self.chance(0.2):
                self.emit(indent, f"except {exc} as e{self.n_names}:")
                self.emit(indent + 1, f"{self.r.choice(self.assignable() or ['_e'])} = "
                          f"{'len(str(e' + str(self.n_names) + '))' if self.chance(0.5) else self.int_lit()}")
            else:
                self.emit(indent, f"except {exc}:")
                if self.chance(0.15):
                    self.emit(indent + 1, "raise")
                else:
                    self.block(indent + 1, depth, 1)
        if handlers and self.chance(0.25):
            self.emit(indent, "else:")
            self.block(indent + 1, depth, 1)
        if not handlers or self.chance(0.3):
            self.emit(indent, "finally:")
            self.block(indent + 1, depth, 1)

    def prelude(self) -> None:
        """Lists, dicts and nested functions made at the function's start."""
        if self.chance(0.25):
            n, k = self.fresh("L"), self.r.choice("iif")
            c = self.r.random()
            if c < 0.4:
                items = ", ".join(self.expr(k, 1) for _ in range(self.r.randint(0, 4)))
                self.emit(1, f"{n} = [{items}]")
            elif c < 0.8:
                i = self.fresh("c")
                self.scalars[i] = "i"
                body = self.expr(k, 2)
                cond = f" if {self.expr('b', 1)}" if self.chance(0.3) else ""
                self.scalars.pop(i, None)
                self.emit(1, f"{n} = [{body} for {i} in range({self.bound()}){cond}]")
            else:
                ones = [a for a, (nd, dt) in self.arrays.items() if nd == 1 and ELEM_KIND[dt] == k]
                if ones:
                    self.emit(1, f"{n} = [t * 2 for t in {self.r.choice(ones)}]")
                else:
                    self.emit(1, f"{n} = []")
            self.lists[n] = k
        if self.chance(0.15):
            n, k = self.fresh("D"), self.r.choice("iif")
            if self.chance(0.5):
                i = self.fresh("c")
                self.scalars[i] = "i"
                body = self.expr(k, 1)
                self.scalars.pop(i, None)
                self.emit(1, f"{n} = {{{i} % 7: {body} for {i} in range({self.bound()})}}")
            else:
                items = ", ".join(f"{self.r.randint(0, 6)}: {self.expr(k, 1)}" for _ in range(self.r.randint(0, 3)))
                self.emit(1, f"{n} = {{{items}}}")
            self.dicts[n] = k
        if self.chance(0.15):
            n = self.fresh("T")
            self.emit(1, f"{n} = {self.str_expr()}")
            self.strs.append(n)
        if self.chance(0.12):
            n = self.fresh("S")
            self.emit(1, f"{n} = {self.set_expr()}" if self.chance(0.7) else f"{n} = set()")
            self.sets.append(n)
        if self.chance(0.1):
            n = self.fresh("R")
            step = self.r.choice(("1", "2", "-1", "3", f"({self.expr('i', 0)} % 3 - 1 or 2)"))
            self.emit(1, f"{n} = range({self.expr('i', 0)} % 7 - 3, {self.expr('i', 0)} % 11, {step})")
            self.ranges.append(n)
        if self.chance(0.08):
            n, c = self.fresh("P"), self.fresh("c")
            self.scalars[c] = "i"
            val = self.expr("i", 1)
            self.scalars.pop(c, None)
            self.emit(1, f"{n} = {{}}")
            self.emit(1, f"for {c} in range({self.bound()}):")
            self.emit(2, f"{n}[{c} % 3, ({c} * 7) % 4] = {val}")
            self.pairs.append(n)
        if self.chance(0.08):
            n, c = self.fresh("O"), self.fresh("c")
            self.scalars[c] = "i"
            val = self.expr("f", 1)
            self.scalars.pop(c, None)
            self.emit(1, f"{n} = None")
            self.emit(1, f"for {c} in range({self.bound()}):")
            self.emit(2, f"if {n} is None or {val} {self.r.choice(('>', '<'))} {n}:")
            self.emit(3, f"{n} = {val}")
            self.optionals.append(n)
        if self.chance(0.15):
            n, pk, rk = self.fresh("h"), self.r.choice("if"), self.r.choice("iif")
            t = self.fresh("t")
            self.scalars[t] = pk
            body = self.expr(rk, 2)
            self.scalars.pop(t, None)
            if self.chance(0.5):
                self.emit(1, f"{n} = lambda {t}: {body}")
            else:
                self.emit(1, f"def {n}({t}):")
                self.emit(2, f"return {body}")
            self.funcs[n] = (pk, rk)

    def draw(self, kind: str) -> str:
        """A draw from NumPy's global generator (seeded at the function's
        start, so the plain and the compiled call see the same stream)."""
        if kind == "i":
            return self.r.choice(
                (f"np.random.randint(0, {self.r.randint(1, 50)})", "np.random.poisson(2.5)",
                 "np.random.binomial(6, 0.4)", "np.random.geometric(0.3)", f"np.random.randint({self.r.randint(1, 9)})")
            )
        return self.r.choice(
            ("np.random.random()", "np.random.rand()", "np.random.standard_normal()", "np.random.randn()",
             f"np.random.normal({self.float_lit()}, 2.0)", "np.random.uniform(-1.0, 3.0)",
             "np.random.exponential(1.5)", "np.random.standard_exponential()")
        )

    def num(self, depth: int) -> str:
        return self.expr(self.r.choice("iif"), depth)

    def compare(self, depth: int) -> str:
        ops = ("<", "<=", ">", ">=", "==", "!=")
        if self.chance(0.06):
            # membership: an int in a tuple of int literals or in a range
            x = self.expr("i", depth - 1)
            neg = self.r.choice(("in", "not in"))
            if self.chance(0.5):
                lits = ", ".join(self.int_lit() for _ in range(self.r.randint(1, 4)))
                return f"({x} {neg} ({lits},))"
            step = self.r.choice(("", ", 2", ", -1", ", -3"))
            return f"({x} {neg} range({self.bound()}, {self.bound()}{step}))"
        if self.chance(0.2):
            return f"{self.num(depth - 1)} {self.r.choice(ops[:4])} {self.num(depth - 1)} {self.r.choice(ops[:4])} {self.num(depth - 1)}"
        return f"{self.num(depth - 1)} {self.r.choice(ops)} {self.num(depth - 1)}"

    def stdlib(self, kind: str, d: int) -> str:
        """The standard library functions compiled natively for int/float arguments
        (helpers/pure.rs), with CPython's call where they raise or leave 64 bits."""
        i, f = (lambda: self.expr("i", d)), (lambda: self.expr("f", d))
        if kind == "i":
            return self.r.choice((
                lambda: f"math.gcd({i()}, {i()})",
                lambda: f"math.lcm({i()}, {i()})",
                lambda: f"math.isqrt(abs({i()}))",
                lambda: f"divmod({i()}, {i()})[{self.r.randint(0, 1)}]",
                # hash(nan) is the object's identity in CPython 3.10+: not comparable
                lambda: f"hash({self.r.choice((i, lambda: f'float({i()})'))()})",
                lambda: f"math.comb(abs({i()}) % 70, abs({i()}) % 12)",
                lambda: f"math.perm(abs({i()}) % 25, abs({i()}) % 8)",
                lambda: f"math.factorial(abs({i()}) % 25)",
                lambda: f"math.frexp({f()})[1]",
            ))()
        return self.r.choice((
            lambda: f"math.frexp({f()})[0]",
            lambda: f"math.ldexp({f()}, {self.r.randint(-1100, 1100)})",
            lambda: f"math.modf({f()})[{self.r.randint(0, 1)}]",
            lambda: f"divmod({f()}, {f()})[{self.r.randint(0, 1)}]",
            lambda: f"float(math.isclose({f()}, {f()}))",
        ))()

    def expr(self, kind: str, depth: int = 2) -> str:
        if depth <= 0 or self.chance(0.3):
            return self.leaf(kind)
        d = depth - 1
        helpers = [n for n, v in self.globals_fns.items() if v and v[1] == kind]
        if helpers and self.chance(0.08):
            # A call of an undecorated module-level helper (compiled through a
            # strict dispatcher of its own, or inlined at the call).
            name = self.r.choice(helpers)
            args = ", ".join(self.expr(pk, d) for pk in self.globals_fns[name][0])
            return f"{name}({args})"

        if kind in "if" and self.chance(0.04):
            return self.stdlib(kind, d)
        r = self.r.random()
        if kind == "b":
            if r < 0.5:
                return self.compare(depth)
            if r < 0.75:
                return f"({self.expr('b', d)} {self.r.choice(('and', 'or'))} {self.expr('b', d)})"
            if r < 0.82:
                return f"(not {self.expr('b', d)})"
            if r < 0.87:
                return f"math.{self.r.choice(('isnan', 'isinf', 'isfinite'))}({self.expr('f', d)})"
            return self.leaf("b")
        if kind == "i":
            if r < 0.45:
                op = self.r.choice(("+", "-", "*", "//", "%", "+", "-"))
                if op == "*" and self.loop_depth:
                    return f"({self.expr('i', d)} * {self.int_lit()})"
                return f"({self.expr('i', d)} {op} {self.expr('i', d)})"
            if r < 0.52:
                return f"(-{self.expr('i', d)})"
            if r < 0.58:
                return f"abs({self.expr('i', d)})"
            if r < 0.66:
                return f"{self.r.choice(('min', 'max'))}({self.expr('i', d)}, {self.expr('i', d)})"
            if r < 0.72 and not self.loop_depth:
                return f"({self.leaf('i')} ** {self.r.randint(0, 3)})"
            if r < 0.8:
                return f"math.{self.r.choice(MATH_I1)}({self.expr('f', d)})"
            if r < 0.85:
                return f"int({self.expr('f', d)})"
            if r < 0.9:
                if self.chance(0.5):
                    t = self.r.choice(("int8", "int16", "uint8", "uint16", "uint32", "uint64"))
                    return f"np.{t}({self.expr('i', d)})"
                return f"np.int64({self.expr('i', d)})"
            if r < 0.93:
                return f"({self.expr('i', d)} if {self.expr('b', d)} else {self.expr('i', d)})"
            if r < 0.95:
                return f"({self.expr('i', d)} {self.r.choice(('and', 'or'))} {self.expr('i', d)})"
            if r < 0.97:
                op = self.r.choice(("&", "|", "^", "<<", ">>"))
                rhs = str(self.r.randint(0, 70)) if op in ("<<", ">>") else self.expr("i", d)
                return f"({self.expr('i', d)} {op} {rhs})"
            if r < 0.985:
                return f"round({self.expr('f', d)})"
            return f"int({self.expr('b', d)})"
        # float
        if r < 0.4:
            op = self.r.choice(("+", "-", "*", "/", "//", "%", "+", "/"))
            a, b = self.expr("f", d), self.expr(self.r.choice("fi"), d)
            if self.chance(0.5):
                a, b = b, a
            if op == "*" and self.loop_depth:
                return f"({a} * {self.float_lit()})"
            return f"({a} {op} {b})"
        if r < 0.47:
            return f"(-{self.expr('f', d)})"
        if r < 0.52:
            return f"abs({self.expr('f', d)})"
        if r < 0.58:
            return f"{self.r.choice(('min', 'max'))}({self.expr('f', d)}, {self.expr(self.r.choice('fi'), d)})"
        if r < 0.7:
            return f"math.{self.r.choice(MATH_F1)}({self.expr(self.r.choice('ffi'), d)})"
        if r < 0.75:
            return f"math.{self.r.choice(MATH_F2)}({self.expr('f', d)}, {self.expr(self.r.choice('fi'), d)})"
        if r < 0.8 and not self.loop_depth:
            base = self.leaf(self.r.choice("fi"))
            return f"({base} ** {self.r.choice(('2', '3', '0', '(-1)', '0.5'))})"
        if r < 0.83:
            # An int power whose exponent may be negative: an int or a float
            # (compiled as int | float once a negative exponent was seen).
            return f"({self.r.choice(('2', '3', '(-2)'))} ** (1 - abs({self.leaf('i')}) % 4))"
        if r < 0.86:
            return f"np.{self.r.choice(('float32', 'float64'))}({self.expr(self.r.choice('fi'), d)})"
        if r < 0.88:
            return f"float({self.expr('i', d)})"
        if r < 0.9:
            return f"round({self.expr('f', d)}, {self.r.randint(-1, 3)})"
        if r < 0.96:
            return f"({self.expr('f', d)} if {self.expr('b', d)} else {self.expr('f', d)})"
        return f"({self.expr('f', d)} {self.r.choice(('and', 'or'))} {self.expr('f', d)})"

    def bound(self) -> str:
        """A small integer expression: range bounds and while limits."""
        c = self.r.random()
        ints = self.vars_of("i")
        if c < 0.35:
            return str(self.r.randint(-3, 9))
        if c < 0.6 and self.arrays:
            a = self.r.choice(list(self.arrays))
            return f"len({a})" if self.arrays[a][0] == 1 else f"{a}.shape[{self.r.randint(0, 1)}]"
        if ints:
            v = self.r.choice(ints)
            if self.chance(0.5):
                return f"{v} % {self.r.randint(2, 9)}"
            return f"max(min({v}, {self.r.randint(0, 9)}), {self.r.randint(-4, 0)})"
        return str(self.r.randint(0, 9))

    # --- statements --------------------------------------------------------
    def assignable(self) -> List[str]:
        return [n for n in self.scalars if n not in self.readonly]

    def stmt(self, indent: int, depth: int) -> None:
        r = self.r.random()
        names = self.assignable()
        if r < 0.28 and names:
            v = self.r.choice(names)
            kind = self.scalars[v]
            if self.chance(0.4):
                op = self.r.choice(("+=", "-=", "*=", "+=")) if kind == "i" else self.r.choice(("+=", "-=", "*=", "/="))
                rhs = self.int_lit() if op == "*=" and self.loop_depth else self.expr(kind, 2)
                self.emit(indent, f"{v} {op} {rhs}")
            else:
                self.emit(indent, f"{v} = {self.expr(kind, 2)}")
        elif r < 0.42 and self.arrays:
            a = self.r.choice(list(self.arrays))
            ndim, dt = self.arrays[a]
            idx = self.index1(a) if ndim == 1 else self.index2(a)
            ek = ELEM_KIND[dt]
            if ek != "b" and self.chance(0.4):
                rhs = self.int_lit() if self.loop_depth and self.chance(0.5) else self.expr(ek, 1)
                self.emit(indent, f"{a}[{idx}] {self.r.choice(('+=', '-=', '*='))} {rhs}")
            else:
                rk = ek if self.chance(0.8) else self.r.choice("if")
                self.emit(indent, f"{a}[{idx}] = {self.expr(rk, 2)}")
        elif r < 0.55 and depth > 0 and self.budget > 4:
            self.if_stmt(indent, depth)
        elif r < 0.68 and depth > 0 and self.budget > 4:
            self.for_stmt(indent, depth)
        elif r < 0.74 and depth > 0 and self.budget > 5:
            self.while_stmt(indent, depth)
        elif r < 0.82 and self.loop_depth:
            self.emit(indent, f"if {self.expr('b', 2)}:")
            self.emit(indent + 1, self.r.choice(("break", "continue")))
        elif r < 0.87:
            self.emit(indent, f"if {self.expr('b', 2)}:")
            self.emit(indent + 1, f"return {self.ret_expr()}")
        elif r < 0.91 and (self.lists or self.dicts or self.chance(0.3)):
            self.container_stmt(indent)
        elif r < 0.93 and depth > 0 and self.budget > 4:
            self.try_stmt(indent, depth)
        elif r < 0.965 and depth > 0 and self.budget > 4 and (self.lists or self.dicts or self.sets or self.ranges or self.pairs):
            self.container_loop(indent, depth)
        elif r < 0.995 and any(nd == 2 and dt == "float64" for nd, dt in self.arrays.values()):
            self.whole_stmt(indent)
        else:
            kind = self.r.choice("iif")
            v = self.fresh("v")
            if kind == "i" and self.chance(0.15):
                # hex/bin through CPython's builtins, and `del` of a name
                t = self.fresh("t")
                self.emit(indent, f"{t} = len(bin({self.expr('i', 1)})) - len(hex({self.expr('i', 1)}))")
                self.emit(indent, f"{v} = {t}")
                self.emit(indent, f"del {t}")
            elif self.chance(0.35):
                kind = self.language_expr(indent, v, kind)
            else:
                self.emit(indent, f"{v} = {self.expr(kind, 2)}")
            if indent == 1:  # only top-level names stay in scope for sure
                self.scalars[v] = kind

    def language_expr(self, indent: int, v: str, kind: str) -> str:
        """Assigns `v` one of the idioms compiled as CPython runs them: map/filter
        consumed by a builtin, a `key=` lambda, a nested conditional (a clamp),
        `getattr` with a constant name, `dict(zip(...))`, a 1-D array unpacked,
        `np.array` of a list display. Returns `v`'s kind."""
        lists = [n for n, k in self.lists.items() if k in "if"]
        ints = [n for n, k in self.lists.items() if k == "i"]
        arrays = [a for a, (nd, dt) in self.arrays.items() if nd == 1 and dt in ("float64", "int64", "int32")]
        s = self.r.choice([x for x in self.scalars if self.scalars[x] in "if"] or ["1"])
        c = self.r.randrange(7)
        if c == 0 and lists:
            n = self.r.choice(lists)
            if self.chance(0.5):
                self.emit(indent, f"{v} = sum(map(lambda t: t * {s}, {n}))")
                return "f" if "f" in (self.lists[n], self.scalars.get(s, "i")) else "i"
            self.emit(indent, f"{v} = len(list(filter(lambda t: t > {s}, {n})))")
            return "i"
        if c == 1 and lists:
            n = self.r.choice(lists)
            f = self.r.choice(("max", "min", "sorted"))
            pick = "[0]" if f == "sorted" else ""
            self.emit(indent, f"{v} = {f}({n}, key=lambda t: abs(t - {s})){pick} if {n} else {self.leaf(self.lists[n])}")
            return self.lists[n]
        if c == 2:
            e, lo, hi = self.fresh("t"), self.int_lit(), self.int_lit()
            if kind == "f":
                lo, hi = f"float({lo})", f"float({hi})"
            self.emit(indent, f"{e} = {self.expr(kind, 2)}")
            self.emit(indent, f"{v} = {lo} if {e} < {lo} else ({hi} if {e} > {hi} else {e})")
            return kind if kind == "f" else "i"
        if c == 3:
            self.emit(indent, f"{v} = getattr({self.expr('f', 1)}, \"real\")")
            return "f"
        if c == 4 and ints:
            n, m = self.r.choice(ints), self.r.choice(lists or ints)
            self.emit(indent, f"{v} = len(dict(zip({n}, {m})))")
            return "i"
        if c == 5 and arrays:
            a = self.r.choice(arrays)
            w = self.fresh("t")
            self.emit(indent, f"{v}, {w} = {a}[:2]")  # ValueError when shorter
            return ELEM_KIND[self.arrays[a][1]]
        x, y = self.expr("f", 1), self.expr("f", 1)
        self.emit(indent, f"{v} = float(np.array([{x}, {y}]).sum())")
        return "f"

    def container_loop(self, indent: int, depth: int) -> None:
        """`for` over a list (not resized inside), a dict (its keys, `values()`
        or `items()`) or a set; a dict or set changed inside raises CPython's
        RuntimeError (its keys stay in 0..6 and its elements in 0..10, so a loop
        that keeps the size while changing the keys still ends)."""
        names = [("L", n) for n in self.lists] + [("D", n) for n in self.dicts] + [("S", n) for n in self.sets]
        names += [("R", n) for n in self.ranges] + [("P", n) for n in self.pairs]
        what, n = self.r.choice(names)
        x = self.fresh("x")
        bound = [x]
        also = []  # lists a zip() iterates besides n
        if what == "L":
            c = self.r.random()
            if c < 0.2:
                # reversed(): stops where a shrinking list has no next index
                self.emit(indent, f"for {x} in reversed({n}):")
            elif c < 0.4:
                # zip() over lists: each list's length re-read every step
                m = self.r.choice(list(self.lists))
                y = self.fresh("x")
                bound.append(y)
                also.append(m)
                self.emit(indent, f"for {x}, {y} in zip({n}, {m}):")
                self.scalars[y] = self.lists[m]
            else:
                self.emit(indent, f"for {x} in {n}:")
            self.scalars[x] = self.lists[n]
        elif what in ("S", "R"):
            self.emit(indent, f"for {x} in {n}:")
            self.scalars[x] = "i"
        elif what == "P":
            v = self.fresh("x")
            bound.append(v)
            self.emit(indent, f"for ({x}, {v}) in {n}:")
            self.scalars[x], self.scalars[v] = "i", "i"
        else:
            view = self.r.choice(("", ".keys()", ".values()", ".items()"))
            if view == ".items()":
                v = self.fresh("x")
                bound.append(v)
                self.emit(indent, f"for {x}, {v} in {n}.items():")
                self.scalars[x], self.scalars[v] = "i", self.dicts[n]
            else:
                self.emit(indent, f"for {x} in {n}{view}:")
                self.scalars[x] = self.dicts[n] if view == ".values()" else "i"
        self.readonly.update(bound)
        fresh = [c for c in {n, *also} if c not in self.iterating]
        self.iterating.update(fresh)
        self.loop_depth += 1
        self.block(indent + 1, depth, self.r.randint(1, 2))
        self.loop_depth -= 1
        self.iterating.difference_update(fresh)
        for b in bound:
            self.scalars.pop(b, None)

    def block(self, indent: int, depth: int, n: int) -> None:
        saved = dict(self.scalars)
        for _ in range(max(1, n)):
            self.stmt(indent, depth - 1)
            if self.budget <= 0:
                break
        self.scalars = saved

    def if_stmt(self, indent: int, depth: int) -> None:
        self.emit(indent, f"if {self.expr('b', 2)}:")
        self.block(indent + 1, depth, self.r.randint(1, 3))
        while self.chance(0.3) and self.budget > 2:
            self.emit(indent, f"elif {self.expr('b', 2)}:")
            self.block(indent + 1, depth, self.r.randint(1, 2))
        if self.chance(0.5) and self.budget > 1:
            self.emit(indent, "else:")
            self.block(indent + 1, depth, self.r.randint(1, 2))

    def for_stmt(self, indent: int, depth: int) -> None:
        if self.chance(0.25) and self.iter_stmt(indent, depth):
            return
        i = self.fresh("i")
        step = self.r.choice(("", "", ", 2", ", 3", ", -1", ", -1", ", -2"))
        lo, hi = self.bound(), self.bound()
        if step.startswith(", -") and self.chance(0.7):
            lo, hi = hi, lo
        if step == "" and self.chance(0.4):
            self.emit(indent, f"for {i} in range({hi}):")
        else:
            self.emit(indent, f"for {i} in range({lo}, {hi}{step}):")
        self.scalars[i] = "i"
        self.readonly.add(i)
        self.loop_depth += 1
        self.block(indent + 1, depth, self.r.randint(1, 3))
        self.loop_depth -= 1
        self.scalars.pop(i, None)

    def iter_stmt(self, indent: int, depth: int) -> bool:
        """`enumerate`/`zip`/`reversed` over ranges and 1-D arrays (False: none fits)."""
        ones = [a for a, (nd, _) in self.arrays.items() if nd == 1]
        names = []
        kinds = []
        r = self.r.random()
        if r < 0.4 and ones:
            a = self.r.choice(ones)
            i, x = self.fresh("i"), self.fresh("x")
            start = self.r.choice(("", "", f", {self.int_lit()}", f", start={self.int_lit()}"))
            src = f"reversed({a})" if self.chance(0.2) else a
            self.emit(indent, f"for {i}, {x} in enumerate({src}{start}):")
            names, kinds = [i, x], ["i", ELEM_KIND[self.arrays[a][1]]]
        elif r < 0.75:
            i, j = self.fresh("i"), self.fresh("j")
            other = self.r.choice(ones) if ones and self.chance(0.6) else f"range({self.bound()})"
            kind = ELEM_KIND[self.arrays[other][1]] if other in self.arrays else "i"
            self.emit(indent, f"for {i}, {j} in zip(range({self.bound()}, {self.bound()}), {other}):")
            names, kinds = [i, j], ["i", kind]
        else:
            i = self.fresh("i")
            step = self.r.choice(("", ", 2", ", -1", ", -3"))
            self.emit(indent, f"for {i} in reversed(range({self.bound()}, {self.bound()}{step})):")
            names, kinds = [i], ["i"]
        for n, k in zip(names, kinds):
            self.scalars[n] = k
            self.readonly.add(n)
        self.loop_depth += 1
        self.block(indent + 1, depth, self.r.randint(1, 3))
        self.loop_depth -= 1
        for n in names:
            self.scalars.pop(n, None)
        return True

    def while_stmt(self, indent: int, depth: int) -> None:
        k = self.fresh("k")
        self.emit(indent, f"{k} = 0")
        cond = f"{k} < {self.bound()}"
        if self.chance(0.3):
            cond += f" and {self.expr('b', 1)}"
        self.emit(indent, f"while {cond}:")
        self.emit(indent + 1, f"{k} += 1")
        self.scalars[k] = "i"
        self.readonly.add(k)
        self.loop_depth += 1
        self.block(indent + 1, depth, self.r.randint(1, 3))
        self.loop_depth -= 1

    def local_list_block(self, lr: random.Random) -> None:
        """A list only appended to, popped, indexed and reduced (compiled as a
        local list, its elements unboxed), then read into a new scalar. Drawn
        from `lr` (the main stream, and so the CI batch, is unchanged)."""
        saved, self.r = self.r, lr
        try:
            k = self.r.choice("iif")
            n, c, v = self.fresh("Lq"), self.fresh("c"), self.fresh("vq")
            init = self.r.choice(
                ("[]", f"[{self.expr(k, 1)}]", f"[{self.expr(k, 1)}, {self.expr(k, 1)}]", f"[{self.expr(k, 1)}] * {self.r.randint(-1, 3)}")
            )
            self.emit(1, f"{n} = {init}")
            self.emit(1, f"for {c} in range({self.bound()}):")
            self.scalars[c] = "i"
            self.emit(2, f"{n}.append({self.expr(k, 2)})")
            if self.chance(0.3):
                t = self.fresh("t")
                self.emit(2, f"if {self.expr('b', 1)} and {n}:")
                self.emit(3, f"{t} = {n}.pop()")
                self.emit(3, f"{n}.append({t} + {self.leaf(k)})")
            if self.chance(0.3):
                self.emit(2, f"{n}[{c} % len({n})] = {self.expr(k, 1)}")
            self.scalars.pop(c, None)
            reads = [
                f"sum({n})",
                f"len({n})" if k == "i" else f"float(len({n}))",
                f"(max({n}) if {n} else {self.leaf(k)})",
                f"(min({n}) if {n} else {self.leaf(k)})",
                f"({n}[-1] if {n} else {self.leaf(k)})",
                f"{n}[{self.r.choice(('0', '-2', '3'))}]",  # may raise IndexError
            ]
            self.emit(1, f"{v} = {self.r.choice(reads)}")
            self.scalars[v] = k
            if self.chance(0.5):
                # A dict with int keys used only by d[k], d.get(k, v), `in` and len (a local dict).
                d, c2, w = self.fresh("Dq"), self.fresh("c"), self.fresh("vq")
                self.emit(1, f"{d} = {{}}")
                self.emit(1, f"for {c2} in range({self.bound()}):")
                self.scalars[c2] = "i"
                key = f"{self.expr('i', 1)} % 5"
                self.emit(2, f"{d}[{key}] = {d}.get({key}, {self.leaf(k)}) + {self.expr(k, 1)}")
                self.scalars.pop(c2, None)
                dreads = [
                    ("i", f"len({d})"),
                    (k, f"({d}[1] if 1 in {d} else {self.leaf(k)})"),
                    (k, f"{d}[{self.r.choice(('0', '3', '7'))}]"),  # may raise KeyError
                ]
                wk, read = self.r.choice(dreads)
                self.emit(1, f"{w} = {read}")
                self.scalars[w] = wk
            if self.chance(0.4):
                # A list display of mixed ints and floats iterated and searched
                # (a tuple, as CPython's compiler makes it).
                c3, acc = self.fresh("c"), self.fresh("vq")
                items = ", ".join(self.expr(self.r.choice("if"), 1) for _ in range(self.r.randint(1, 4)))
                self.emit(1, f"{acc} = 0.0")
                self.emit(1, f"for {c3} in [{items}]:")
                self.scalars[c3] = "f"
                self.readonly.add(c3)
                self.emit(2, f"{acc} = {acc} * 0.5 + {c3}")
                needle = self.expr("i", 1)
                self.emit(2, f"if {needle} in [{self.int_lit()}, {self.float_lit()}, {self.int_lit()}]:")
                self.emit(3, f"{acc} += 1")
                self.scalars.pop(c3, None)
                self.scalars[acc] = "f"
        finally:
            self.r = saved

    def ret_expr(self) -> str:
        kinds = self.ret_kinds or [self.r.choice("if")]
        parts = [self.expr(k, 2) for k in kinds]
        return parts[0] if len(parts) == 1 else f"({', '.join(parts)})"

    def dict_loops_block(self, dr: random.Random) -> None:
        """A dict with int keys made in the function (a local dict) iterated by
        `for` loops over itself, `keys()`, `values()` or `items()` (alone, under
        `enumerate`, or as an `enumerate` object bound to a name first), the
        body sometimes storing into an existing key or a new one (CPython's
        `RuntimeError: dictionary changed size during iteration`), then read
        into a new float. Drawn from `dr` (the main stream is unchanged)."""
        saved, self.r = self.r, dr
        try:
            k = self.r.choice("iif")
            d, c, acc = self.fresh("Dl"), self.fresh("c"), self.fresh("vl")
            self.emit(1, f"{d} = {{}}")
            self.emit(1, f"for {c} in range({self.bound()}):")
            self.scalars[c] = "i"
            self.emit(2, f"{d}[{self.expr('i', 1)} % 7] = {self.expr(k, 1)}")
            self.scalars.pop(c, None)
            self.emit(1, f"{acc} = 0.0")
            kk, vv, j = self.fresh("kl"), self.fresh("wl"), self.fresh("jl")
            form = self.r.randint(0, 3)
            src = (d, f"{d}.keys()", f"{d}.values()", f"{d}.items()")[form]
            target = (kk, kk, vv, f"{kk}, {vv}")[form]
            item = (kk, kk, vv, f"{kk} - {vv}")[form]
            wrap = self.r.randint(0, 2)
            if wrap == 2:
                e = self.fresh("el")
                self.emit(1, f"{e} = enumerate({src})")
                self.emit(1, f"{self.fresh('vl')} = 0")
                self.emit(1, f"for {j}, {'(' + target + ')' if form == 3 else target} in {e}:")
            elif wrap == 1:
                self.emit(1, f"for {j}, {'(' + target + ')' if form == 3 else target} in enumerate({src}):")
            else:
                self.emit(1, f"for {target} in {src}:")
            self.emit(2, f"{acc} = {acc} * 0.5 + {item}" + (f" + {j}" if wrap else ""))
            if self.chance(0.4):
                key = kk if form in (0, 1, 3) else f"{self.int_lit()} % 7"
                new = self.r.choice(("", " + 7"))
                self.emit(2, f"if {acc} > {self.float_lit()}:")
                self.emit(3, f"{d}[{key}{new}] = {self.leaf(k)}")
            self.scalars[acc] = "f"
        finally:
            self.r = saved

    def imports_sums_block(self, cr: random.Random) -> None:
        """An `import` statement inside the function (`import math as m`,
        `from math import fabs as m`, `import numpy as m`, `from numpy import
        float64 as m`: fresh names, never the module-level `math`/`np`) whose
        module is then used, and conditional sums over a 1-D int array: the
        element read again inside the branch (`if a[i] > t: s += a[i]`, or
        `int(a[i])`), the sum starting as `s = 0` (a Python int until its first
        term), on either side of the branch. Drawn from `cr` (the main stream
        is unchanged)."""
        saved, self.r = self.r, cr
        try:
            m = self.fresh("md")
            imp, use = self.r.choice((
                (f"import math as {m}", f"{m}.fabs"),
                (f"from math import fabs as {m}", m),
                (f"import numpy as {m}", f"{m}.float64"),
                (f"from numpy import float64 as {m}", m),
            ))
            self.emit(1, imp)
            v = self.fresh("vm")
            self.emit(1, f"{v} = {use}({self.expr('f', 1)})")
            self.scalars[v] = "f"
            ints = [a for a, (nd, dt) in self.arrays.items() if nd == 1 and dt == "int64"]
            if not ints:
                return
            a, s, i = self.r.choice(ints), self.fresh("sm"), self.fresh("im")
            op = self.r.choice(("<", "<=", ">", ">=", "==", "!="))
            term = self.r.choice((f"{a}[{i}]", f"int({a}[{i}])"))
            add = self.r.choice((f"{s} += {term}", f"{s} = {s} + {term}"))
            self.emit(1, f"{s} = 0")
            self.emit(1, f"for {i} in range({a}.shape[0]):")
            self.emit(2, f"if {a}[{i}] {op} {self.int_lit()}:")
            if self.chance(0.5):
                self.emit(3, add)
            else:
                self.emit(3, "pass")
                self.emit(2, "else:")
                self.emit(3, add)
            t = self.fresh("vm")
            self.emit(1, f"{t} = {s}")  # an int or an np.int64, as the loop left it
            self.scalars[t] = "i"
        finally:
            self.r = saved

    def float_cond_block(self, qr: random.Random) -> None:
        """Session 18's forms: a counter, a clamp with a counter or a
        conditional float sum over a 1-D float64 array under a float
        comparison (SIMD lanes, or a branch-free select), and `tuple(genexp)`
        over tuple displays, `sum(genexp, start)` and `hasattr` with a constant
        name. Drawn from `qr` (the main stream is unchanged)."""
        saved, self.r = self.r, qr
        try:
            floats = [a for a, (nd, dt) in self.arrays.items() if nd == 1 and dt == "float64"]
            v = self.fresh("vq")
            x, y = self.expr("f", 1), self.expr("i", 1)
            form = self.r.choice(("tuple", "sum", "hasattr"))
            if form == "tuple":
                self.emit(1, f"{v} = sum(tuple(p * 2 for p in ({x}, {y}, 1.5)))")
            elif form == "sum":
                self.emit(1, f"{v} = sum((p * 0.5 for p in ({x}, {y})), {self.r.choice(('0.25', '-3', 'True'))})")
            else:
                name = self.r.choice(("real", "shape", "mro"))
                self.emit(1, f"{v} = float(hasattr({x}, {name!r}))")
            self.scalars[v] = "f"
            self.mask_block()
            if not floats:
                return
            a, n, i = self.r.choice(floats), self.fresh("nq"), self.fresh("iq")
            op = self.r.choice(("<", "<=", ">", ">=", "==", "!="))
            t = self.float_lit()
            kind = self.r.choice(("count", "clamp", "sum"))
            self.emit(1, f"{n} = {'0.0' if kind == 'sum' else '0'}")
            self.emit(1, f"for {i} in range({a}.shape[0]):")
            if kind == "count":
                self.emit(2, f"if {a}[{i}] {op} {t}:")
                self.emit(3, f"{n} += {self.r.choice(('1', '2'))}")
            elif kind == "sum":
                self.emit(2, f"if {a}[{i}] {op} {t}:")
                self.emit(3, f"{n} += {a}[{i}]")
            else:
                lo, hi = sorted((self.r.uniform(-10, 0), self.r.uniform(0, 10)))
                self.emit(2, f"if {a}[{i}] < {lo!r}:")
                self.emit(3, f"{a}[{i}] = {lo!r}")
                self.emit(3, f"{n} += 1")
                self.emit(2, f"elif {a}[{i}] > {hi!r}:")
                self.emit(3, f"{a}[{i}] = {hi!r}")
                self.emit(3, f"{n} += 1")
            w = self.fresh("vq")
            self.emit(1, f"{w} = float({n})")
            self.scalars[w] = "f"
            self.carried_block(floats)
        finally:
            self.r = saved

    def mask_block(self) -> None:
        """Session 22's forms: boolean-mask indexing `x[m]` and `x[m] = v`
        of arrays of any dtype and layout (computed natively when `m` is a
        bool array of `x`'s shape), with masks from comparisons, and single
        whole-array operations and ufuncs (fused alone on small arrays)."""
        cands = list(self.arrays.items())
        if not cands:
            return
        a, (nd, dt) = self.r.choice(cands)
        view = self.r.choice(("", "", "[::-1]" if nd == 1 else "[::-1, :]", "[::2]" if nd == 1 else ".T"))
        x = f"{a}{view}"
        m = self.fresh("mq")
        cmp = self.r.choice(("<", ">", ">=", "!="))
        lit = "True" if dt == "bool" else self.r.choice((self.int_lit(), self.float_lit()))
        self.emit(1, f"{m} = {x} {cmp} {lit}")
        v = self.fresh("vq")
        self.emit(1, f"{v} = {x}[{m}]")
        s = self.fresh("vq")
        self.emit(1, f"{s} = float(len({v}))")
        self.scalars[s] = "f"
        val = self.r.choice((
            lit,
            self.int_lit(),
            self.float_lit(),
            f"{v}",
            f"{v}[::-1]",
            f"{v}[:1]",
            f"{v} * 2" if dt != "bool" else f"~{v}",
        ))
        self.emit(1, f"{x}[{m}] = {val}")
        if dt in ("float64", "float32"):
            u = self.fresh("vq")
            fn = self.r.choice(("np.exp", "np.sqrt", "np.sin", "np.log", "np.abs", "-"))
            self.emit(1, f"{u} = float(np.sum({fn}({x})))")
            self.scalars[u] = "f"

    def carried_block(self, floats: List[str]) -> None:
        """Session 21's forms: an array element a loop updates (held in a
        register between its store and its next load), reading other elements
        of the same array; and a checksum whose branch tests a carried int's
        low bit (if-converted to a select)."""
        a, i, e = self.r.choice(floats), self.fresh("iq"), self.r.choice(("0", "-1"))
        t = self.float_lit()
        self.emit(1, f"for {i} in range({a}.shape[0]):")
        self.emit(2, f"{a}[{e}] {self.r.choice(('+=', '-=', '*='))} {a}[{i}] * {t}")
        twod = [b for b, (nd, dt) in self.arrays.items() if nd == 2 and dt in ("float64", "float32")]
        if twod:
            b, k = self.r.choice(twod), self.fresh("kq")
            self.emit(1, f"for {i} in range({b}.shape[0]):")
            self.emit(2, f"for {k} in range({b}.shape[1]):")
            self.emit(3, f"{b}[{i}, 0] = {b}[{i}, 0] * 0.5 + {b}[{i}, {k}]")
        h, j = self.fresh("hq"), self.fresh("iq")
        self.emit(1, f"{h} = {self.r.choice(('0xFFFF', '1', str(self.r.randint(0, 2**40))))}")
        self.emit(1, f"for {j} in range({self.r.randint(0, 40)}):")
        self.emit(2, f"if ({h} & 1) ^ ({j} & {self.r.choice(('1', '3'))}):")
        self.emit(3, f"{h} = ({h} >> 1) ^ {self.r.choice(('0x8408', '0xA001', str(2**62 + 1)))}")
        self.emit(2, "else:")
        self.emit(3, f"{h} >>= 1")
        self.scalars[h] = "i"

    def int_whole_block(self, ir: random.Random) -> None:
        """Whole-array integer and bool expressions (the fusion pass's integer
        lanes and bool roots): `+ - * & | ^ ~ << >>` and `np.abs` of an int
        array parameter, its reversal and int literals at the dtype's edges
        (wrap-around; out of range: NumPy 1.x promotes, 2.x raises), comparisons
        combined by `& | ^ ~`, `np.where`; and int64 arrays in float64
        expressions. Reduced to a Python int. Drawn from `ir` (the main stream
        is unchanged)."""
        cands = [a for a, (nd, dt) in self.arrays.items() if dt in INT_RANGE]
        if not cands:
            return
        a = ir.choice(cands)
        nd, dt = self.arrays[a]
        lo, hi = INT_RANGE[dt]

        def lit() -> str:
            return int_src(ir.choice((0, 1, 3, 7, -1, lo, hi, hi - 1, 100, 2**31 - 1)))

        def e(d: int) -> str:
            if d == 0:
                c = ir.random()
                return a if c < 0.5 else f"{a}[::-1]" if c < 0.75 else lit()
            x = e(d - 1)
            c = ir.random()
            if c < 0.55:
                return f"({x} {ir.choice(('+', '-', '*', '&', '|', '^', '+'))} {e(d - 1)})"
            if c < 0.65:
                return f"(-{x})"
            if c < 0.75:
                return f"(~{x})"
            if c < 0.88:
                return f"({x} {ir.choice(('>>', '<<'))} {ir.choice((0, 1, 3, 7, 8, 31, 63, 64, -1))})"
            return f"np.abs({x})"

        def m() -> str:
            cmp = f"({e(1)} {ir.choice(('>', '<', '==', '!=', '>=', '<='))} {e(1)})"
            c = ir.random()
            if c < 0.4:
                return cmp
            if c < 0.75:
                return f"({cmp} {ir.choice(('&', '|', '^'))} ({e(1)} > {lit()}))"
            return f"(~{cmp})"

        v = self.fresh("w")
        c = ir.random()
        if c < 0.35:
            self.emit(1, f"{v} = int(np.sum({e(2)}))")
        elif c < 0.65:
            self.emit(1, f"{v} = int(np.count_nonzero({m()}))")
        elif c < 0.85:
            self.emit(1, f"{v} = int(np.sum(np.where({m()}, {e(1)}, {e(1)})))")
        else:
            # (an int64/uint64 array in a float64 expression: converted as NumPy casts)
            self.emit(1, f"{v} = int(np.count_nonzero(({e(1)}) * 0.5 + {a}[::-1] > 2.0))")
        self.scalars[v] = "i"

    def iter_views_block(self, vr: random.Random) -> None:
        """Session 19's forms: `iter`/`next` of a local iterator (with a
        default, then a `for` over the rest), `a[i] op= e` of a row view of a
        2-D float64 array (its write-back skipped), and whole-array float64
        expressions with ufuncs inside them and sums over several axes. Drawn
        from `vr` (the main stream is unchanged)."""
        saved, self.r = self.r, vr
        try:
            ones = [a for a, (nd, dt) in self.arrays.items() if nd == 1 and dt in ("float64", "int64")]
            v = self.fresh("vv")
            src = self.r.choice(ones) if ones and self.r.random() < 0.7 else f"({self.expr('f', 1)}, 2.5, -1.0)"
            it, x = self.fresh("it"), self.fresh("xv")
            self.emit(1, f"{it} = iter({src})")
            self.emit(1, f"{v} = float(next({it}, {self.float_lit()}))")
            if self.r.random() < 0.6:
                self.emit(1, f"for {x} in {it}:")
                self.emit(2, f"{v} += {x} * 0.5")
            self.scalars[v] = "f"
            twos = [a for a, (nd, dt) in self.arrays.items() if nd == 2 and dt == "float64"]
            if not twos:
                return
            a, i = self.r.choice(twos), self.fresh("iv")
            w = self.fresh("vv")
            form = self.r.choice(("update", "ufunc", "axes"))
            if form == "update":
                op = self.r.choice(("+=", "-=", "*="))
                idx = self.r.choice((f"{i}", f"{i}, 1:", f"{i}, ::-1"))
                self.emit(1, f"for {i} in range({a}.shape[0]):")
                self.emit(2, f"{a}[{idx}] {op} {self.r.choice(('0.5', f'{a}[0]', 'np.sqrt(np.abs(' + a + '[0]))'))}")
                self.emit(1, f"{w} = float({a}.sum())")
            elif form == "ufunc":
                u = self.r.choice(("np.sin", "np.exp", "np.tanh", "np.log", "np.cos"))
                self.emit(1, f"{w} = float(np.sum(1.0 - {u}({a} * 0.5) ** 2 + {a}))")
            else:
                self.emit(1, f"{w} = float(np.sum({a}[:, None, :] * {a}[None, :, :], axis=(0, 1)).sum())")
            self.scalars[w] = "f"
        finally:
            self.r = saved

    def passed_functions_block(self, fr: random.Random) -> None:
        """Functions passed as arguments (a module-level helper, a nested
        function or a lambda given to a module-level applier, which compiled
        code inlines per function) and the `operator` module's functions,
        in-place ones included. Drawn from its own generator `fr`: programs
        without the block are the ones the seed gave before it existed."""
        k = fr.choice("if")
        name = f"ap{len(self.globals_fns)}"
        form = fr.randint(0, 2)
        if form == 0:
            body = ["    return g(p0) + g(p1)"]
        elif form == 1:
            body = ["    t = p0", "    for _k in range(3):", "        t = g(t) if t == t else t", "    return t"]
        else:
            body = ["    if p1 > p0:", "        return g(p1)", "    return g(p0) - g(p1)"]
        self.module_lines += [f"def {name}(g, p0, p1):"] + body + ["", ""]
        self.globals_fns[name] = None  # (not called directly by `expr`)
        # The function passed: a helper of one parameter, a nested function, or a lambda.
        cands = [n for n, v in self.globals_fns.items() if v and len(v[0]) == 1 and v[0][0] == k and v[1] == k]
        cands += [n for n, (pk, rk) in self.funcs.items() if pk == k and rk == k]
        v = self.fresh("v")
        c = fr.random()
        if cands and c < 0.4:
            g = fr.choice(cands)
        elif c < 0.8:
            # A module-level function of one parameter, made for this call.
            g = f"q{len(self.globals_fns)}"
            sub = Gen(fr)
            sub.scalars["p0"] = k
            self.module_lines += [f"def {g}(p0):", f"    return {sub.expr(k, 2)}", "", ""]
            self.globals_fns[g] = ([k], k)
        else:
            # A lambda written in the call (inlined with the applier).
            z = self.fresh("z")
            self.scalars[z] = k
            self.nested = True
            g = f"lambda {z}: {self.expr(k, 1)}"
            self.nested = False
            self.scalars.pop(z, None)
        self.emit(1, f"{v} = {name}({g}, {self.expr(k, 1)}, {self.expr(k, 1)})")
        self.scalars[v] = k
        if fr.random() < 0.6:
            if "import operator" not in self.module_lines:
                self.module_lines = ["import operator", "", ""] + self.module_lines
            w = self.fresh("w")
            op = fr.choice(("iadd", "isub", "imul", "add", "sub", "mul", "ifloordiv", "imod", "itruediv", "neg",
                            "contains"))
            if op == "neg":
                self.emit(1, f"{w} = operator.neg({self.expr(k, 1)})")
            elif op == "contains":
                self.emit(1, f"{w} = int(operator.contains(({self.leaf(k)}, {self.leaf(k)}), {self.expr(k, 1)}))")
            else:
                self.emit(1, f"{w} = operator.{op}({v}, {self.expr(k, 1)})")
            self.scalars[w] = "f" if op == "itruediv" else (k if op != "contains" else "i")

    def tuple_forms_block(self, tr: random.Random) -> None:
        """Namedtuples (a module-level `collections.namedtuple` class: made,
        read by field, index and unpacking, compared), `*args` (a module-level
        function with a `*args` parameter, and `f(*t)` of a tuple display) and
        `x in (c1, c2, ...)` of constant ints (a bit test where they lie within
        64 of each other). Drawn from its own generator `tr`, as the blocks above."""
        k = tr.choice("if")
        n = len(self.globals_fns)
        cls, star = f"Nt{n}", f"st{n}"
        if "import collections" not in self.module_lines:
            self.module_lines = ["import collections", "", ""] + self.module_lines
        self.module_lines += [f'{cls} = collections.namedtuple("{cls}", "x y")', "", "",
                              f"def {star}(*args):", "    return args[0] - args[-1] * len(args)", "", ""]
        self.globals_fns[star] = None  # (not called by `expr`)
        p, v, w = self.fresh("p"), self.fresh("v"), self.fresh("w")
        self.emit(1, f"{p} = {cls}({self.expr(k, 1)}, y={self.expr(k, 1)})")
        form = tr.randint(0, 2)
        if form == 0:
            self.emit(1, f"{v} = {p}.x - {p}[1]")
        elif form == 1:
            a, b = self.fresh("u"), self.fresh("u")
            self.emit(1, f"{a}, {b} = {p}")
            self.emit(1, f"{v} = {a} * 2 + {b}")
        else:
            self.emit(1, f"{v} = {p}.y if {p} {tr.choice(('==', '<', '!='))} {cls}({self.leaf(k)}, {self.leaf(k)}) "
                         f"else {p}.x")
        self.scalars[v] = k
        self.emit(1, f"{w} = {star}(*({self.expr(k, 1)}, {self.expr(k, 1)}, {v})) + {star}({v}, {self.leaf(k)})")
        self.scalars[w] = k
        lo = tr.choice((-3, 0, 5, 60, -70))
        consts = sorted({lo + tr.randint(0, tr.choice((20, 63, 90))) for _ in range(tr.randint(3, 6))})
        c = self.fresh("c")
        self.emit(1, f"{c} = int({self.expr('i', 1)} {tr.choice(('in', 'not in'))} ({', '.join(map(str, consts))}))")
        self.scalars[c] = "i"

    def session22_block(self, sr: random.Random) -> None:
        """Session 22's helpers' forms: `f(*t)` of a tuple variable into an
        inlined callee, `for g in (g0, g1)` over a tuple of functions (unrolled),
        saturating stores into narrow int arrays (`a[i] = hi if v > hi else
        ...`, SIMD-narrowed), small arrays made per iteration (`np.full`,
        `np.zeros`, `size=` draws: reused between iterations unless one
        escapes into a list), and whole-array stores into strided, reversed
        or overlapping views. Drawn from its own generator `sr`."""
        saved, self.r = self.r, sr
        try:
            k = sr.choice("if")
            n = len(self.globals_fns)
            # f(*t) of a tuple variable, and f(a, *t).
            fn, g0, g1 = f"sp{n}", f"g{n}a", f"g{n}b"
            self.module_lines += [f"def {fn}(p0, p1, p2):", "    return p0 * 2 - p1 + p2", "", "",
                                  f"def {g0}(p0):", "    return p0 * 3 - 1", "", "",
                                  f"def {g1}(p0):", "    return -p0 if p0 > 2 else p0 + 5", "", ""]
            self.globals_fns[fn] = None
            self.globals_fns[g0] = None
            self.globals_fns[g1] = None
            t, v, w = self.fresh("tz"), self.fresh("vz"), self.fresh("vz")
            self.emit(1, f"{t} = ({self.expr(k, 1)}, {self.expr(k, 1)})")
            self.emit(1, f"{v} = {fn}(*{t}, {self.leaf(k)}) + {fn}({self.leaf(k)}, *{t})")
            self.scalars[v] = k
            gg = sr.choice((f"({g0}, {g1})", f"({g1}, {g0}, {g1})", f"({g0},)"))
            x = self.fresh("gz")
            self.emit(1, f"{w} = {self.leaf(k)}")
            self.emit(1, f"for {x} in {gg}:")
            self.emit(2, f"{w} = {x}({w}) {sr.choice(('+', '-'))} {self.leaf(k)}")
            self.scalars[w] = k
            narrow = [a for a, (nd, dt) in self.arrays.items()
                      if nd == 1 and dt in ("int8", "uint8", "int16", "uint16", "int32")]
            if narrow:
                a = sr.choice(narrow)
                lo, hi = INT_RANGE[self.arrays[a][1]]
                i, s = self.fresh("iz"), self.fresh("sz")
                b = sr.choice([c for c in narrow if self.arrays[c][1] == self.arrays[a][1]])
                self.emit(1, f"for {i} in range({a}.shape[0]):")
                self.emit(2, f"{s} = int({a}[{i}]) {sr.choice(('+', '-', '*'))} "
                             f"{sr.choice((f'int({b}[{i} % {b}.shape[0]])' if b != a else '3', str(sr.randint(1, 200))))}")
                form = sr.randint(0, 2)
                if form == 0:
                    self.emit(2, f"{a}[{i}] = {hi} if {s} > {hi} else ({lo} if {s} < {lo} else {s})")
                elif form == 1:
                    self.emit(2, f"{a}[{i}] = min(max({s}, {lo}), {hi})")
                else:
                    self.emit(2, f"{a}[{i}] = {s} & {hi if lo == 0 else 127}")
            floats = [a for a, (nd, dt) in self.arrays.items() if dt in ("float64", "float32")]
            acc, i, m = self.fresh("az"), self.fresh("iz"), self.fresh("mz")
            size = sr.choice(("3", "2", f"{i} % 4", "1"))
            self.emit(1, f"{acc} = 0.0")
            kept = sr.random() < 0.3
            if kept:
                self.emit(1, f"{m} = []")
            self.emit(1, f"for {i} in range({sr.randint(0, 6)}):")
            form = sr.randint(0, 2)
            tmp = self.fresh("tz")
            if form == 0:
                # (np.empty's contents are filled in the same statement: a
                # generator made of this program yields after each line)
                self.emit(2, f"{tmp} = np.full({size}, {i} * 0.5)")
            elif form == 1:
                self.emit(2, f"{tmp} = np.zeros({size}) + {self.float_lit()}")
            else:
                seed = sr.randint(0, 2**31 - 1)
                self.emit(2, f"np.random.seed({seed} + {i})")
                self.emit(2, f"{tmp} = np.random.{sr.choice(('rand', 'randn'))}({size})")
            self.emit(2, f"{acc} += float({tmp}.sum()) + {tmp}.shape[0]")
            if kept:
                self.emit(2, f"{m}.append({tmp})")
            if kept:
                self.emit(1, f"{acc} += float(sum(float(q.sum()) for q in {m}))")
            self.scalars[acc] = "f"
            if floats:
                a = sr.choice(floats)
                nd = self.arrays[a][0]
                if nd == 1:
                    dst, src = sr.choice(((f"{a}[::2]", f"{a}[1::2]"), (f"{a}[::-1]", f"{a}"), (f"{a}[1:]", f"{a}[:-1]"),
                                          (f"{a}[::-2]", f"{a}[::2]"), (f"{a}[:]", f"{a}[::-1]")))
                    if dst == f"{a}[::2]":
                        src = f"{a}[:({a}.shape[0] + 1) // 2]"
                    if dst == f"{a}[::-2]":
                        src = f"{a}[({a}.shape[0] - 1) % 2::2]"
                else:
                    dst, src = sr.choice(((f"{a}[:, ::-1]", f"{a}"), (f"{a}[::-1, :]", f"{a}"), (f"{a}[1:, :]", f"{a}[:-1, :]"),
                                          (f"{a}[:, ::2]", f"{a}[:, :({a}.shape[1] + 1) // 2]")))
                op = sr.choice(("* 0.5 + 1.0", "- 2.0", "* {0}", "+ np.sqrt(np.abs({0}))"))
                self.emit(1, f"{dst} = {src} {op.format(src)}")
        finally:
            self.r = saved

    def session23_block(self, ur: random.Random) -> None:
        """Session 23's forms: clamped indexes `a[min(max(0, i + o), M)]`
        (proven non-negative; M the last index, another array's length, an
        argument or a constant: guarded once before the loop) read and
        stored, through a tuple display too; and whole-array expressions with
        `a.min()`/`a.max()`, `a.shape[0]` and complex scalar arithmetic between
        their operations (fused across them). Drawn from its own generator `ur`."""
        saved, self.r = self.r, ur
        try:
            ones = [a for a, (nd, dt) in self.arrays.items() if nd == 1 and dt in ("float64", "int64", "float32")]
            twos = [a for a, (nd, dt) in self.arrays.items() if nd == 2 and dt in ("float64", "int64", "float32")]
            if ones:
                a = ur.choice(ones)
                other = ur.choice(list(self.arrays))
                cap = ur.choice((f"{a}.shape[0] - 1", f"{other}.shape[0]", f"{other}.shape[0] - 1",
                                 str(ur.randint(0, 6)), f"len({a})", f"{self.expr('i', 0)}"))
                i, s = self.fresh("iu"), self.fresh("su")
                o = ur.choice(("-1", "1", "-3", "0", "2"))
                lower = ur.choice((f"max(0, {i} + {o})", f"max({i} + {o}, 0)", f"{i} + {o}"))
                self.emit(1, f"{s} = 0.0")
                self.emit(1, f"for {i} in range({a}.shape[0] + {ur.randint(0, 2)}):")
                self.emit(2, f"{s} += float({a}[min({lower}, {cap})]) * 0.5")
                if ur.random() < 0.4:
                    self.emit(2, f"{a}[min(max(0, {i} - 1), {a}.shape[0] - 1)] = {a}[{i} % {a}.shape[0]]")
                self.scalars[s] = "f"
            if twos:
                b = ur.choice(twos)
                i, j, s, t = self.fresh("iu"), self.fresh("ju"), self.fresh("su"), self.fresh("tu")
                self.emit(1, f"{s} = 0.0")
                self.emit(1, f"for {i} in range({b}.shape[0]):")
                self.emit(2, f"for {j} in range({b}.shape[1]):")
                self.emit(3, f"{t} = min(max(0, {i} - 1), {b}.shape[0] - 1), min(max(0, {j} + 1), "
                             f"{ur.choice((f'{b}.shape[1] - 1', f'{b}.shape[0]', '1'))})")
                self.emit(3, f"{s} += float({b}[{t}])")
                self.scalars[s] = "f"
            floats = [a for a, (nd, dt) in self.arrays.items() if dt in ("float64", "float32")]
            if floats:
                a = ur.choice(floats)
                b = ur.choice([c for c in floats if self.arrays[c] == self.arrays[a]])
                t, m, r = self.fresh("tu"), self.fresh("mu"), self.fresh("ru")
                self.emit(1, f"{t} = {a} * 2.0 - {b}")
                self.emit(1, f"{m} = {ur.choice((f'{b}.min()', f'{b}.max()', f'{a}.shape[0]', '(1j * 2.0).imag'))}")
                self.emit(1, f"{r} = float(np.sum({t} + {m} * {ur.choice(('0.5', f'{a}.shape[0]', '1'))}))")
                self.scalars[r] = "f"
        finally:
            self.r = saved

    def session24_block(self, xr: random.Random) -> None:
        """Session 23's forms not drawn before: a complex array's `.real` and
        `.imag` (views compiled code makes itself: read, reduced, indexed and
        written through), NumPy-scalar methods (`q.item()`, `q.conjugate()`,
        `q.is_integer()`, `q.as_integer_ratio()`), `h(*lst)` and `h(e, *lst)`
        of a list (of the callee's arity or not), and `fs[i](x)` of a tuple
        of functions indexed by a computed (possibly out-of-range) index.
        Drawn from its own generator `xr`."""
        saved, self.r = self.r, xr
        try:
            floats = [a for a, (nd, dt) in self.arrays.items() if dt in ("float64", "float32")]
            if floats:
                a = xr.choice(floats)
                z, s = self.fresh("zx"), self.fresh("sx")
                c = xr.choice(("(1.5 - 0.5j)", "1j", "(-2 + 0j)", "(0.25 + 3j)"))
                self.emit(1, f"{z} = {a} * {c} - {xr.choice(('1j', '2.0', '(1 + 1j)'))}")
                self.emit(1, f"{s} = float({z}.real.sum()) - float({z}.imag.sum()) * 0.5")
                form = xr.randint(0, 3)
                if form == 0:
                    self.emit(1, f"{z}.imag[...] = {z}.real * {xr.choice(('2.0', '-1.0', '0.5'))}")
                elif form == 1 and self.arrays[a][0] == 1:
                    i = self.fresh("ix")
                    self.emit(1, f"for {i} in range({z}.shape[0]):")
                    self.emit(2, f"{s} += float({z}.real[{i}]) * 0.5 - float({z}.imag[{i}])")
                    self.emit(2, f"{z}.real[{i}] = {z}.imag[{i}] + {i}")
                elif form == 2:
                    self.emit(1, f"{s} += float({xr.choice((f'{z}.imag.max()', f'{z}.real.min()'))})")
                self.emit(1, f"{s} += float(np.abs({z}).sum()) + float({z}.real.sum())")
                self.scalars[s] = "f"
            q, r = self.fresh("qx"), self.fresh("rx")
            cls = xr.choice(("np.float64", "np.float32", "np.float64"))
            self.emit(1, f"{q} = {cls}(float({self.expr('f', 1)}))")
            meth = xr.choice((f"{q}.item()", f"float({q}.conjugate())", f"float({q}.is_integer())",
                              f"float({q}.as_integer_ratio()[1] % 7)", f"{q}.item() * 2.0"))
            self.emit(1, f"{r} = {meth}")
            self.scalars[r] = "f"
            k = xr.choice("if")
            n = len(self.globals_fns)
            sl, xa, xb, xc = f"sl{n}", f"xa{n}", f"xb{n}", f"xc{n}"
            self.module_lines += [f"def {sl}(p0, p1):", "    return p0 * 3 - p1", "", "",
                                  f"def {xa}(p0):", "    return p0 + 7", "", "",
                                  f"def {xb}(p0):", "    return p0 * 2 if p0 < 5 else p0 - 1", "", "",
                                  f"def {xc}(p0):", "    return -p0", "", ""]
            for g in (sl, xa, xb, xc):
                self.globals_fns[g] = None  # (not called by `expr`)
            lst, v = self.fresh("lx"), self.fresh("vx")
            # (items of one type: `float(...)`/`int(...)` of the kind's expressions)
            conv = "float" if k == "f" else "int"
            items = [f"{conv}({self.expr(k, 1)})" for _ in range(xr.choice((2, 2, 2, 2, 1, 3)))]
            self.emit(1, f"{lst} = [{', '.join(items)}]")
            if xr.random() < 0.5:
                self.emit(1, f"{v} = {sl}(*{lst})")
            else:
                self.emit(1, f"{lst} = [{items[-1]}]")
                self.emit(1, f"{v} = {sl}({self.leaf(k)}, *{lst})")
            self.scalars[v] = k
            fs, w, i = self.fresh("fx"), self.fresh("wx"), self.fresh("ix")
            self.emit(1, f"{fs} = {xr.choice((f'({xa}, {xb}, {xc})', f'({xb}, {xa})', f'({xc}, {xb}, {xa}, {xb})'))}")
            self.emit(1, f"{w} = {self.leaf(k)}")
            self.emit(1, f"for {i} in range({xr.randint(0, 6)}):")
            idx = xr.choice((f"{i} % len({fs})", f"{i} % 3", f"-1 - {i} % 2", f"{i} % len({fs})"))
            self.emit(2, f"{w} = {fs}[{idx}]({w}) {xr.choice(('+', '-'))} {self.leaf(k)}")
            self.emit(1, f"{w} = {w} + ({xa}, {xc})[{self.expr('i', 0)} % 2]({self.leaf(k)})")
            self.scalars[w] = k
            # Session 24's: a builtin/math call of an optional value, and ufunc methods.
            o, u = self.fresh("ox"), self.fresh("ux")
            self.emit(1, f"{o} = None")
            self.emit(1, f"for {self.fresh('ix')} in range({xr.randint(0, 3)}):")
            self.emit(2, f"{o} = {self.expr('f', 1)}")
            call = xr.choice((f"abs({o})", f"math.fabs({o})", f"round({o}, 2)", f"min({o}, 3.0)"))
            self.emit(1, f"{u} = float({call}) if {o} is not None else -1.0")
            self.scalars[u] = "f"
            if floats:
                a = xr.choice(floats)
                m = self.fresh("mx")
                meth = xr.choice((f"np.add.outer({a}, {a}).sum()", f"np.maximum.accumulate({a}.ravel()).sum()",
                                  f"np.multiply.reduce({a}, axis=None)", f"np.add.reduce({a}, axis=0).sum()"))
                self.emit(1, f"{m} = float({meth})")
                self.scalars[m] = "f"
        finally:
            self.r = saved

    def session25_block(self, yr: random.Random) -> None:
        """Session 25's forms: a local bound to one of several functions
        (`f = fa if c else fb`, per-branch bindings) then called. (Iterator arguments are not drawn: an iterator
        made in the function and passed on runs it as plain Python.) Drawn
        from its own generator `yr`."""
        saved, self.r = self.r, yr
        try:
            n = len(self.globals_fns)
            fa, fb, fc = f"fa{n}", f"fb{n}", f"fc{n}"
            self.module_lines += [f"def {fa}(p0):", "    return p0 * 0.5 + 1.0", "", "",
                                  f"def {fb}(p0):", "    return p0 - 2.0 if p0 > 0.0 else -p0", "", "",
                                  f"def {fc}(p0):", "    return p0 * p0", "", ""]
            for g in (fa, fb, fc):
                self.globals_fns[g] = None  # (not called by `expr`)
            f, w, i = self.fresh("fx"), self.fresh("wx"), self.fresh("ix")
            pool = (fa, fb, fc, fa, "math.fabs", "math.sqrt")
            # (a plain comparison: `expr('b')` may draw forms that are not compiled)
            cond = f"{self.leaf(yr.choice('if'))} {yr.choice(('>', '<=', '=='))} {yr.choice(('0', '1.5', '-2'))}"
            form = yr.randint(0, 2)
            if form == 0:
                self.emit(1, f"{f} = {yr.choice(pool)} if {cond} else {yr.choice(pool)}")
            else:
                self.emit(1, f"if {cond}:")
                self.emit(2, f"{f} = {yr.choice(pool)}")
                self.emit(1, "else:")
                self.emit(2, f"{f} = {yr.choice(pool)}")
            self.emit(1, f"{w} = float({self.leaf('f')})")
            self.emit(1, f"for {i} in range({yr.randint(0, 5)}):")
            self.emit(2, f"{w} = {f}(abs({w}) + {i}) {yr.choice(('+', '-'))} 0.25")
            if yr.random() < 0.4:
                self.emit(2, f"{f} = {yr.choice(pool)} if {i} % 2 == 0 else {yr.choice(pool)}")
            if self.ret_kinds is not None:
                # (not in the tuple of locals a `ret_kinds is None` program returns:
                # which locals that is stays what the seed gave before this block)
                self.scalars[w] = "f"
            # A NumPy call or `math.gcd` of an optional value (None before a
            # loop that may assign it).
            o, u = self.fresh("ox"), self.fresh("ux")
            kind = yr.choice("if")
            self.emit(1, f"{o} = None")
            self.emit(1, f"for {self.fresh('ix')} in range({yr.randint(0, 3)}):")
            self.emit(2, f"{o} = {'int' if kind == 'i' else 'float'}({self.leaf(kind)})")
            call = (f"math.gcd({o}, 12)" if kind == "i"
                    else yr.choice((f"np.maximum({o}, 0.5)", f"np.sqrt(abs({o}))", f"np.float64({o}) * 2")))
            self.emit(1, f"{u} = float({call}) if {o} is not None else -1.0")
            if self.ret_kinds is not None:
                self.scalars[u] = "f"
            if yr.random() < 0.5:
                # An iterator argument (`it`, the last parameter: a list
                # iterator, a map or an enumerate object, see `iter_arg`),
                # stepped by `next` and a loop that may stop part-way.
                self.iter_param = True
                v, x = self.fresh("vx"), self.fresh("xv")
                self.emit(1, f"{v} = float(next(it, -1.5))")
                self.emit(1, f"for {x} in it:")
                self.emit(2, f"{v} = {v} * 0.5 + {x}")
                self.emit(2, f"if {v} > {yr.choice(('3.0', '10.0', '1e9'))}:")
                self.emit(3, "break")
                if self.ret_kinds is not None:
                    self.scalars[v] = "f"
        finally:
            self.r = saved

    # --- whole function ------------------------------------------------------
    def helper(self, hr: random.Random) -> None:
        """A module-level function of scalars (`h0(p0, p1)`): a local, an early
        return under a condition, a loop, or a call of an earlier helper. Drawn
        from its own generator `hr`: a program without helpers is the one the
        seed gave before helpers existed (the CI batch stays the same)."""
        name = f"h{len(self.globals_fns)}"
        sub = Gen(hr)
        sub.globals_fns = dict(self.globals_fns)
        kinds = [hr.choice("iif") for _ in range(hr.randint(1, 3))]
        params = [f"p{k}" for k in range(len(kinds))]
        for p_, k in zip(params, kinds):
            sub.scalars[p_] = k
        ret = hr.choice("iif")
        lines = [f"def {name}({', '.join(params)}):"]
        if hr.random() < 0.6:
            t, tk = sub.fresh("t"), hr.choice("if")
            lines.append(f"    {t} = {sub.expr(tk, 2)}")
            sub.scalars[t] = tk
        if hr.random() < 0.3:
            acc = sub.fresh("s")
            lines.append(f"    {acc} = 0")
            lines.append(f"    for k in range({hr.randint(0, 5)}):")
            sub.loop_depth += 1
            lines.append(f"        {acc} += {sub.expr('i', 1)}")
            sub.loop_depth -= 1
            sub.scalars[acc] = "i"
        if hr.random() < 0.5:
            lines.append(f"    if {sub.expr('b', 2)}:")
            lines.append(f"        return {sub.expr(ret, 2)}")
        lines.append(f"    return {sub.expr(ret, 2)}")
        self.module_lines += lines + ["", ""]
        self.globals_fns[name] = (kinds, ret)

    def function(self, hr: random.Random = None, lr: random.Random = None,
                 fr: random.Random = None, tr: random.Random = None,
                 dr: random.Random = None, cr: random.Random = None,
                 qr: random.Random = None, vr: random.Random = None,
                 sr: random.Random = None, ur: random.Random = None,
                 ir: random.Random = None, xr: random.Random = None,
                 yr: random.Random = None) -> Tuple[str, List[str]]:
        if hr is not None and hr.random() < 0.3:
            for _ in range(hr.randint(1, 2)):
                self.helper(hr)
        n_params = self.r.randint(1, 4)
        params, kinds = [], []
        for p in range(n_params):
            c = self.r.random()
            if c < 0.3:
                kind = "int"
            elif c < 0.55:
                kind = "float"
            else:
                kind = f"arr{self.r.choice((1, 1, 2))}:{self.r.choice(DTYPES)}"
            name = ("a", "b", "c", "d")[p] if kind.startswith("arr") else ("n", "m", "x", "y")[p]
            params.append(name)
            kinds.append(kind)
            if kind == "int":
                self.scalars[name] = "i"
            elif kind == "float":
                self.scalars[name] = "f"
            else:
                self.arrays[name] = (int(kind[3]), kind.split(":")[1])
        self.budget = self.r.randint(4, 20)
        # Every return statement returns the same shape (one value or a tuple of
        # fixed kinds) so the function has one return type and compiles; with
        # ret_kinds None the final return is a tuple of locals (early returns
        # then differ in type: those programs exercise the fallback path).
        c = self.r.random()
        if c < 0.15:
            self.ret_kinds = None
        elif c < 0.7:
            self.ret_kinds = [self.r.choice("iifb")]
        else:
            self.ret_kinds = [self.r.choice("iif") for _ in range(self.r.randint(2, 3))]
        body_start = len(self.lines)
        if self.chance(0.2):
            self.random = True
            self.emit(1, f"np.random.seed({self.r.randint(0, 2**31 - 1)})")
        for _ in range(self.r.randint(1, 2)):
            v = self.fresh("v")
            kind = self.r.choice("if")
            self.emit(1, f"{v} = {self.expr(kind, 2)}")
            self.scalars[v] = kind
        self.prelude()
        while self.budget > 0:
            self.stmt(1, 3)
        if lr is not None and lr.random() < 0.3:
            self.local_list_block(lr)
        if fr is not None and fr.random() < 0.25:
            self.passed_functions_block(fr)
        if tr is not None and tr.random() < 0.25:
            self.tuple_forms_block(tr)
        if dr is not None and dr.random() < 0.25:
            self.dict_loops_block(dr)
        if cr is not None and cr.random() < 0.25:
            self.imports_sums_block(cr)
        if qr is not None and qr.random() < 0.3:
            self.float_cond_block(qr)
        if vr is not None and vr.random() < 0.3:
            self.iter_views_block(vr)
        if sr is not None and sr.random() < 0.3:
            self.session22_block(sr)
        if ur is not None and ur.random() < 0.3:
            self.session23_block(ur)
        if ir is not None and ir.random() < 0.35:
            self.int_whole_block(ir)
        if xr is not None and xr.random() < 0.3:
            self.session24_block(xr)
        if yr is not None and yr.random() < 0.3:
            self.session25_block(yr)
        names = list(self.scalars)
        self.r.shuffle(names)
        if self.ret_kinds is None:
            self.emit(1, f"return ({', '.join(names[:4])},)")
        else:
            self.emit(1, f"return {self.ret_expr()}")
        body = self.lines[body_start:]
        if self.chance(0.15):
            # A line compiled code cannot run: the function runs as plain
            # Python and its loops are compiled alone (loop lifting).
            spots = [k for k, line in enumerate(body) if line.startswith("    ") and not line.startswith("     ")
                     and not line.lstrip().startswith(("else", "elif", "except", "finally"))]
            body.insert(self.r.choice(spots), "    _u = object()")
        if getattr(self, "iter_param", False):
            params.append("it")
            kinds.append("iter")
        src = f"def f({', '.join(params)}):\n" + "\n".join(body) + "\n"
        return "\n".join(self.module_lines) + "\n" + src if self.module_lines else src, kinds


def array_arg(r: random.Random, ndim: int, dtype: str) -> str:
    if ndim == 1:
        shape = (r.choice((0, 1, 2, 3, 4, 5, 7)),)
    else:
        shape = (r.choice((0, 1, 2, 3)), r.choice((1, 2, 3)))
    n = shape[0] * (shape[1] if ndim == 2 else 1)
    if n == 0 and r.random() < 0.5:
        return f"np.zeros({shape}, dtype=np.{dtype})"
    vals = []
    for _ in range(n):
        if dtype == "bool":
            vals.append(r.choice(("True", "False")))
        elif dtype in INT_RANGE:
            lo, hi = INT_RANGE[dtype]
            if r.random() < 0.1:
                vals.append(str(r.choice((lo, hi, 0, max(lo, -1)))))
            else:
                vals.append(str(r.randint(max(lo, -9), 20)))
        else:
            if r.random() < 0.15:
                vals.append(r.choice(("nan", "inf", "-inf", "-0.0", "0.0", "1e300")))
            else:
                vals.append(repr(round(r.uniform(-20, 20), r.choice((0, 2, 6)))))
    s = f"np.array([{', '.join(vals)}], dtype=np.{dtype})"
    if ndim == 2:
        s += f".reshape{shape}"
    return s


def scalar_arg(r: random.Random, kind: str) -> str:
    if kind == "int":
        if r.random() < 0.35:
            return int_src(r.choice(EDGE_INTS))
        return str(r.randint(-10, 30))
    if r.random() < 0.35:
        return r.choice(EDGE_FLOATS)
    return repr(round(r.uniform(-20, 20), r.choice((0, 1, 4))))


def iter_arg(r: random.Random) -> str:
    """An iterator of floats or ints for `session25_block`'s `it` (one that
    `copy.deepcopy` copies: not a generator)."""
    items = ", ".join(str(r.choice((r.randint(-4, 6), round(r.uniform(-5, 5), 2)))) for _ in range(r.randint(0, 6)))
    return r.choice((f"iter([{items}])", f"map(float, [{items}])", f"iter(({items}{',' if items else ''}))"))


def generate(seed: int) -> Program:
    r = random.Random(seed)
    g = Gen(r)
    src, kinds = g.function(random.Random(seed * 7919 + 17), random.Random(seed * 104729 + 5),
                            random.Random(seed * 15485863 + 29), random.Random(seed * 32452843 + 41),
                            random.Random(seed * 49979687 + 53), random.Random(seed * 67867967 + 59),
                            random.Random(seed * 86028121 + 61), random.Random(seed * 104395301 + 67),
                            random.Random(seed * 122949829 + 71), random.Random(seed * 141650939 + 73),
                            random.Random(seed * 160481183 + 79), random.Random(seed * 179424673 + 83),
                            random.Random(seed * 198491317 + 89))
    args = []
    for _ in range(r.randint(2, 4)):
        vals = []
        for k in kinds:
            if k == "iter":
                vals.append(iter_arg(r))
            elif k.startswith("arr"):
                vals.append(array_arg(r, int(k[3]), k.split(":")[1]))
            else:
                vals.append(scalar_arg(r, k))
        args.append("(" + "".join(v + ", " for v in vals) + ")")
    return Program(seed, HEADER + src, args)


if __name__ == "__main__":
    import sys

    for s in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        p = generate(s)
        print(p.reproducer())
