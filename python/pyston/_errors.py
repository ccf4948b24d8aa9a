"""Exceptions and warnings, and how errors from compiled code get tracebacks."""

from __future__ import annotations

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


def compile_error(kind, message, filename, funcname, lineno, col, end_lineno, end_col):
    return CompileError(
        message, filename, lineno, kind=kind, funcname=funcname, col=col, end_lineno=end_lineno, end_col=end_col
    )


def _frame(filename, funcname, line, col, end_line, end_col, exc):
    """A traceback entry at ``filename:line`` in a function named ``funcname``."""
    import linecache

    real = linecache.getline(filename, line)
    key = (filename, funcname, line, col, end_line, end_col, real)
    raiser = _RAISERS.get(key)
    if raiser is None:
        if len(_RAISERS) >= 1024:
            _RAISERS.clear()
        raiser = _RAISERS[key] = _raiser(filename, funcname, line, col, end_line, end_col, real)
    try:
        raiser(exc)
    except BaseException as e:  # noqa: BLE001 - we only want its traceback
        tb = e.__traceback__
        return tb.tb_next if tb is not None else None
    return None


# One raiser per place (a call that deoptimizes and raises every time stays cheap).
_RAISERS: dict = {}


def _raiser(filename, funcname, line, col, end_line, end_col, real):
    """A function raising its argument from ``filename:line`` (compiled once
    per place: a call that deoptimizes and raises every time stays cheap)."""
    if not funcname.isidentifier():
        funcname = "_"
    width = len(real.rstrip("\n"))
    if end_line == line and end_col - col >= 11:
        stmt = " " * col + "raise (__e" + " " * (end_col - col - 11) + ")"
    else:
        indent = len(real) - len(real.lstrip())
        pad = max(width - indent - 11, 0)
        stmt = " " * indent + "raise (__e" + " " * pad + ")"
    if line >= 2:
        src = "\n" * (line - 2) + f"def {funcname}(__e):\n" + stmt + "\n"
    else:
        src = f"def {funcname}(__e): raise __e\n"
    ns = {}
    exec(compile(src, filename, "exec"), ns)
    return ns[funcname]


def with_frames(exc, frames):
    """Give ``exc`` traceback entries for the compiled frames it passed through.

    ``frames`` lists ``(filename, funcname, line, col, end_line, end_col)``,
    innermost first.
    """
    inner = exc.__traceback__
    entries = []
    for filename, funcname, line, col, end_line, end_col in frames:
        tb = _frame(filename, funcname, line, col, end_line, end_col, exc)
        if tb is not None:
            entries.append(tb)
    # Chain outermost -> innermost, then whatever traceback the exception had.
    chain = inner
    for tb in entries:
        # Rebuild each single-entry traceback so it points to the rest of the chain.
        chain = type(tb)(chain, tb.tb_frame, tb.tb_lasti, tb.tb_lineno)
    return exc.with_traceback(chain)
