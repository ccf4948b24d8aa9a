"""``%load_ext pyston``: hot functions defined in notebook cells are compiled in place.

The machinery is ``python -m pyston``'s (``pyston._auto``): a sampler thread
finds the hot functions among those defined in cells, and each is
accelerated in place in strict mode (results, exceptions and output stay
CPython's).  Magics:

* ``%%pyston`` runs its cell, then accelerates the functions the cell
  defined right away (without waiting for them to be hot);
* ``%pyston_report`` shows what was compiled, and what was hot but was not
  compiled and why, as an HTML table.

A cell run again makes new function objects with new code: they are found
and accelerated anew, while the old objects keep their own dispatchers.
Globals rebound by a later cell are read live by compiled code.
``%unload_ext pyston`` stops the sampler and gives every accelerated
function its original code back.
"""

from __future__ import annotations

import ast
import html
import types
import warnings

from . import _auto
from ._errors import PerformanceWarning

_STATE: dict = {}


def _cell_label(ip):
    names = getattr(ip.compile, "_filename_map", {})

    def label(filename: str, line: int) -> str:
        n = names.get(filename)
        return f"Cell In[{n}], line {line}" if n is not None else f"{filename}:{line}"

    return label


def load(ip) -> None:
    if _STATE:
        return
    names = getattr(ip.compile, "_filename_map", None)

    def is_user(filename: str) -> bool:
        if names is not None:
            return filename in names
        return filename.startswith("<ipython-input-")

    accel = _auto.Accelerator(is_user)
    _auto._ACTIVE.append(accel)  # compiled cells call the cells' other functions natively
    sampler = _auto.Sampler(accel, interval=0.005)
    flt = ("ignore", None, PerformanceWarning, None, 0)
    warnings.filterwarnings("ignore", category=PerformanceWarning)

    def post_run_cell(result=None):
        accel.poll()

    shown = ip.showtraceback

    def showtraceback(exc_tuple=None, *args, **kwargs):
        # Tracebacks as CPython's: without the frames of trampolines.
        try:
            etype, value, tb = ip._get_exc_info(exc_tuple)
            if value is not None:
                _auto.strip_traceback(value, accel.hidden)
                exc_tuple = (etype, value, value.__traceback__)
        except Exception:  # noqa: BLE001, S110 - show it as IPython would
            pass
        return shown(exc_tuple, *args, **kwargs)

    ip.showtraceback = showtraceback
    ip.events.register("post_run_cell", post_run_cell)
    ip.register_magic_function(_cell_magic(ip, accel), "cell", "pyston")
    ip.register_magic_function(_report_magic(ip, accel), "line", "pyston_report")
    sampler.start()
    import atexit

    atexit.register(sampler.stop)  # no compile may run into interpreter shutdown
    _STATE.update(ip=ip, accel=accel, sampler=sampler, hook=post_run_cell, filter=flt)


def unload(ip) -> None:
    if not _STATE:
        return
    _STATE["sampler"].stop()
    _STATE["accel"].restore_all()
    if _STATE["accel"] in _auto._ACTIVE:
        _auto._ACTIVE.remove(_STATE["accel"])
    try:
        ip.events.unregister("post_run_cell", _STATE["hook"])
    except ValueError:
        pass
    if "showtraceback" in vars(ip):
        del ip.showtraceback
    for kind, name in (("cell", "pyston"), ("line", "pyston_report")):
        ip.magics_manager.magics[kind].pop(name, None)
    try:
        warnings.filters.remove(_STATE["filter"])
    except ValueError:
        pass
    _STATE.clear()


def accelerator():
    """The running extension's :class:`pyston._auto.Accelerator` (``None`` when not loaded)."""
    return _STATE.get("accel")


class _AccelerateDefs(ast.NodeTransformer):
    """After each top-level ``def name`` of the cell, ``pyston._notebook._now(name)``:
    the function is accelerated before the cell's own code calls it."""

    def visit_Module(self, node):
        body = []
        for stmt in node.body:
            body.append(stmt)
            if isinstance(stmt, ast.FunctionDef):
                call = ast.parse(f"__import__('pyston')._notebook._now({stmt.name})").body[0]
                for n in ast.walk(call):
                    ast.copy_location(n, stmt)
                    n.lineno = n.end_lineno = stmt.end_lineno
                body.append(call)
        node.body = body
        return node


def _now(func) -> None:
    accel = _STATE.get("accel")
    if accel is not None and type(func) is types.FunctionType and func.__code__ not in accel.tcodes:
        if accel.is_user(func.__code__.co_filename):
            accel.accelerate(func)


def _cell_magic(ip, accel):
    def pyston(line, cell):
        """Run the cell with every function it defines accelerated at once (strict mode)."""
        t = _AccelerateDefs()
        ip.ast_transformers.append(t)
        try:
            ip.run_cell(cell)
        finally:
            ip.ast_transformers.remove(t)

    return pyston


def _report_magic(ip, accel):
    def pyston_report(line=""):
        """Show what pyston compiled in this notebook, and why the rest was not."""
        from IPython.display import HTML

        label = _cell_label(ip)
        rows = []
        for status, where, name, detail in accel.rows():
            filename, _, ln = where.rpartition(":")
            place = label(filename, int(ln)) if ln.isdigit() else where
            rows.append(
                f"<tr><td>{html.escape(status)}</td><td>{html.escape(place)}</td>"
                f"<td><code>{html.escape(name)}</code></td><td>{html.escape(detail)}</td></tr>"
            )
        if not rows:
            return HTML("<p>pyston: nothing was hot enough to compile yet.</p>")
        head = "<tr><th>status</th><th>where</th><th>function</th><th>signatures / why not</th></tr>"
        return HTML(f"<table class='pyston-report'>{head}{''.join(rows)}</table>")

    return pyston_report
