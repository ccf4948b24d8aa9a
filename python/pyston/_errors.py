"""Exceptions and warnings, and how errors from compiled code get tracebacks."""

from __future__ import annotations

import warnings
from types import CodeType as _Code
from types import FunctionType as _Function
from types import TracebackType as _Traceback

# `linecache` (which imports `tokenize`, `re`, ...) is imported where a message
# needs a source line, not here: `import pyston` stays cheap.


class PerformanceWarning(UserWarning):
    """A function (or one specialization) runs on the slow interpreter tier."""


class CompileError(Exception):
    """pyston cannot compile this function.

    ``kind`` is ``"unsupported"`` (the code uses something pyston does not
    compile yet), ``"typing"`` (values compiled code cannot handle) or
    ``"internal"`` (a bug in pyston).
    """

    def __init__(
        self, message="", filename=None, lineno=None, *, kind="unsupported", funcname="?", col=0, end_lineno=None, end_col=0
    ):
        self.kind = kind
        self.msg = message
        self.filename = filename
        self.funcname = funcname
        self.lineno = lineno
        self.col = col
        self.end_lineno = end_lineno
        self.end_col = end_col
        super().__init__(self._render())

    def _render(self) -> str:
        if self.kind == "internal":
            head = f"internal compiler error in '{self.funcname}': {self.msg} (this is a bug in pyston, please report it)"
        else:
            head = f"cannot compile '{self.funcname}': {self.msg}"
        if not self.lineno or not self.filename:
            return head if self.funcname != "?" else self.msg
        import linecache

        out = [head, f'  File "{self.filename}", line {self.lineno}, in {self.funcname}']
        line = linecache.getline(self.filename, self.lineno).rstrip("\n")
        if line.strip():
            indent = len(line) - len(line.lstrip())
            out.append("    " + line.strip())
            width = len(line)
            end = self.end_col if self.end_lineno == self.lineno and self.end_col > self.col else width
            end = min(max(end, self.col + 1), max(width, self.col + 1))
            start = max(self.col, indent)
            out.append("    " + " " * (start - indent) + "^" * max(end - start, 1))
        return "\n".join(out)


class Quiet:
    """Silences warnings and NumPy floating-point reports while compile time
    probes NumPy on sample values (``np.sqrt(-0.5)`` in a branch never taken
    must not warn when the function compiles)."""

    def __enter__(self):
        import numpy as np

        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")
        self._errstate = np.errstate(all="ignore")
        self._errstate.__enter__()
        return self

    def __exit__(self, *exc):
        self._errstate.__exit__(*exc)
        self._warnings.__exit__(*exc)
        return False


_LOCATED: dict = {}


def located(filename, funcname, line, module_globals, nargs=None, kwnames=(), method=None):
    """A function ``f(fn, *args, **kwargs)`` that calls ``fn`` from a frame at
    ``filename:line`` in the user's module: a warning NumPy raises inside
    (``invalid value encountered in sqrt``) then carries the kernel's file,
    line, module and warning registry, as it does when the function runs as
    plain Python. Made once per place.

    With ``nargs``, the function takes exactly ``fn`` and ``nargs`` positional
    arguments and passes them on as they are: no ``*args`` tuple or
    ``**kwargs`` dict is built per call (compiled code's calls into NumPy go
    through it, so its cost is part of every such call). ``kwnames`` (with
    ``nargs``): the function takes the values of these keywords positionally
    after the ``nargs`` arguments and passes them on as keywords. ``method``
    (with ``nargs``): the function takes the object instead of ``fn`` and calls
    its method of that name (no bound method made outside the frame); a name
    ending in ``=`` (``"shape="``, with ``nargs=1``): the function assigns its
    argument to that attribute of the object and returns the object (compiled
    code's ``x.shape = s``)."""
    key = (filename, funcname, line, id(module_globals), nargs, kwnames, method)
    hit = _LOCATED.get(key)
    if hit is not None and hit[0] is module_globals:
        return hit[1]
    name = funcname if funcname.isidentifier() else "_"
    if nargs is None:
        params, body = "__f, /, *__a, **__k", "__f(*__a, **__k)"
    else:
        names = [f"__a{i}" for i in range(nargs)]
        kws = [f"__k{i}" for i in range(len(kwnames))]
        params = ", ".join(["__f", *names, *kws, "/"])
        callee = "__f" if method is None else f"__f.{method}"
        body = callee + "(" + ", ".join(names + [f"{k}={v}" for k, v in zip(kwnames, kws)]) + ")"
    stmt = f"return {body}"
    if method is not None and method.endswith("=") and nargs == 1 and not kwnames:
        stmt = f"__f.{method[:-1]} = __a0; return __f"
    if line >= 2:
        src = "\n" * (line - 2) + f"def {name}({params}):\n    {stmt}\n"
    else:
        src = f"def {name}({params}): {stmt}\n"
    code = next(c for c in compile(src, filename, "exec").co_consts if isinstance(c, _Code))
    fn = _Function(code, module_globals, name)
    if len(_LOCATED) > 4096:
        _LOCATED.clear()
    _LOCATED[key] = (module_globals, fn)
    return fn


def compile_error(kind, message, filename, funcname, lineno, col, end_lineno, end_col):
    return CompileError(
        message, filename, lineno, kind=kind, funcname=funcname, col=col, end_lineno=end_lineno, end_col=end_col
    )


class _Probe(Exception):
    """Raised once per place to obtain a traceback entry for it."""


# Traceback entries by place (see `_entry`).
_ENTRIES: dict = {}


def _entry(filename, funcname, line, col, end_line, end_col):
    """``(frame, lasti, lineno)`` of a traceback entry at ``filename:line`` in a
    function named ``funcname``, made once per place: a call that raises from
    compiled code every time only links a new entry to it (about 0.3 us)."""
    key = (filename, funcname, line, col, end_line, end_col)
    if key not in _ENTRIES:
        if len(_ENTRIES) >= 1024:
            _ENTRIES.clear()
        _ENTRIES[key] = _make_entry(*key)
    return _ENTRIES[key]


def _make_entry(filename, funcname, line, col, end_line, end_col):
    import linecache

    real = linecache.getline(filename, line)
    key = (filename, funcname, line, col, end_line, end_col, real)
    raiser = _RAISERS.get(key)
    if raiser is None:
        if len(_RAISERS) >= 1024:
            _RAISERS.clear()
        raiser = _RAISERS[key] = _raiser(filename, funcname, line, col, end_line, end_col, real)
    try:
        raiser(_Probe())
    except _Probe as e:
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        if tb is None:
            return None
        frame = tb.tb_frame
        frame.clear()  # drop the probe exception it holds; the code and line stay
        return frame, tb.tb_lasti, tb.tb_lineno
    return None


# One raiser per place (a call that deoptimizes and raises every time stays cheap).
_RAISERS: dict = {}


def _raiser(filename, funcname, line, col, end_line, end_col, real):
    """A function raising its argument from ``filename:line`` (compiled once
    per place: a call that deoptimizes and raises every time stays cheap).
    A name that is not an identifier (``<lambda>``) is its code's name."""
    if not funcname.isidentifier():
        fn = _raiser(filename, "_", line, col, end_line, end_col, real)
        fn.__code__ = fn.__code__.replace(co_name=funcname)
        return fn
    width = len(real.rstrip("\n"))
    if end_line == line and end_col - col >= 11 and col > 0:
        stmt = " " * col + "raise (__e" + " " * (end_col - col - 11) + ")"
    else:
        # At least one space: the line may be a one-line `def f(x): return ...`
        # (or a continuation line) that starts in column 0.
        indent = max(len(real) - len(real.lstrip()), 1)
        pad = max(width - indent - 11, 0)
        stmt = " " * indent + "raise (__e" + " " * pad + ")"
    if line >= 2:
        src = "\n" * (line - 2) + f"def {funcname}(__e):\n" + stmt + "\n"
    else:
        src = f"def {funcname}(__e): raise __e\n"
    ns = {}
    try:
        exec(compile(src, filename, "exec"), ns)
    except SyntaxError:  # never expected; the entry then points at the line only
        exec(compile("\n" * max(line - 1, 0) + f"def {funcname}(__e): raise __e\n", filename, "exec"), ns)
    return ns[funcname]


def with_frames(exc, frames):
    """Give ``exc`` traceback entries for the compiled frames it passed through.

    ``frames`` lists ``(filename, funcname, line, col, end_line, end_col)``,
    innermost first.
    """
    # Chain outermost -> innermost, then whatever traceback the exception had.
    chain = exc.__traceback__
    for filename, funcname, line, col, end_line, end_col in frames:
        entry = _entry(filename, funcname, line, col, end_line, end_col)
        if entry is not None:
            chain = _Traceback(chain, *entry)
    return exc.with_traceback(chain)

