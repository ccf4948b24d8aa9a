"""Accelerating code nobody decorated: ``python -m pyston`` and the notebook extension.

Three parts, each small:

* **Finding hot code** (:class:`Sampler`): a daemon thread wakes every
  ``PYSTON_SAMPLE_MS`` (5 ms by default), reads the main thread's stack with
  ``sys._current_frames()`` and counts the code objects of its top few frames.
  The program itself runs untouched (no ``sys.settrace``/``setprofile``, no
  ``sys.monitoring``): its only cost is the sampler taking the GIL, which
  makes the main thread switch about 100 times a second (1-3% of the CPU
  time measured); after 200 samples without a new hot function the interval
  doubles, up to 80 ms, so a long run pays ~nothing.  A code object seen in ``PYSTON_HOT_SAMPLES`` samples
  (5 by default: about 0.05-0.1 s of run time) is hot, so short scripts never
  compile anything.
* **Accelerating a function in place** (:meth:`Accelerator.accelerate`): every
  live function object running the hot code (``gc.get_referrers``) keeps its
  identity, so module globals, class attributes, bound methods and closures
  holding it all see the change.  A copy of the original function (same code,
  globals, closure, defaults) goes into a strict :class:`pyston.Dispatcher`,
  and the original's ``__code__`` becomes a *trampoline* that forwards its
  arguments to the dispatcher (see :func:`trampoline_code`).
* **Giving up cleanly**: a function that certainly cannot compile (a
  generator, unsupported syntax, a global that is a module other than
  ``math``/NumPy, a Python class or a function compiled code cannot call) or cannot gain (no
  loop: the trampoline and dispatcher add ~0.2 us a call) is never touched.  The
  first call after acceleration goes through a probe (:func:`_probe`): when
  the dispatcher then reports that it compiled nothing (arguments it does
  not take, a ``# runs as plain Python`` specialization, a compile error),
  the original ``__code__`` is put back at once, so nothing stays between
  the caller and CPython; otherwise the trampoline calls the dispatcher
  directly from then on.

Nothing visible changes: results and exceptions are the strict mode's, which
are CPython's; pyston's ``PerformanceWarning``s are silenced; trampoline
frames are removed from the traceback of an uncaught exception
(:func:`strip_traceback`).  ``docs/auto.md`` has the whole design.
"""

from __future__ import annotations

import gc
import linecache
import os
import sys
import threading
import types

from ._pyston import Dispatcher, _iter_guesses

# Code flags of functions whose calls cannot be forwarded to a dispatcher.
_CO_GENERATOR, _CO_COROUTINE, _CO_ITERABLE_COROUTINE, _CO_ASYNC_GENERATOR = 0x20, 0x80, 0x100, 0x200
_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08
_NOT_FORWARDABLE = {
    _CO_GENERATOR: "a generator",
    _CO_COROUTINE: "a coroutine",
    _CO_ITERABLE_COROUTINE: "a coroutine",
    _CO_ASYNC_GENERATOR: "an async generator",
}

# The constant the trampoline's source loads; replaced by the dispatcher.
_PLACEHOLDER = "<pyston dispatcher placeholder>"
_DVAR = "__pyston_dispatcher"


def _env_int(name: str, default: int) -> int:
    try:
        return max(int(os.environ.get(name, "")), 1)
    except ValueError:
        return default


def trampoline_code(code: types.CodeType, target) -> types.CodeType:
    """A code object that calls ``target`` with the arguments it was called with.

    It has ``code``'s parameters (names, kinds, order), name, qualified name,
    file and first line, and the same free variables in the same order (a
    function's ``__closure__`` must match its code's ``co_freevars``), which it
    never reads.  Defaults stay on the function object, so CPython binds the
    call (and raises its own ``TypeError`` for a bad one) exactly as for the
    original code; every argument is then passed on explicitly: positional
    parameters by position, keyword-only ones by keyword, ``*args`` and
    ``**kwargs`` unpacked.  ``target`` reaches the code as a constant (a
    string placeholder in the generated source, swapped for the object), so
    no global name and no extra closure cell is needed.
    """
    names = code.co_varnames
    npos, nposonly, nkw = code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount
    pos = list(names[:npos])
    kwonly = list(names[npos : npos + nkw])
    i = npos + nkw
    star = names[i] if code.co_flags & _CO_VARARGS else None
    i += bool(star)
    dstar = names[i] if code.co_flags & _CO_VARKEYWORDS else None
    params = pos[:nposonly] + (["/"] if nposonly else []) + pos[nposonly:]
    if star:
        params.append("*" + star)
    elif kwonly:
        params.append("*")
    params += kwonly
    if dstar:
        params.append("**" + dstar)
    args = pos + (["*" + star] if star else []) + [f"{k}={k}" for k in kwonly] + (["**" + dstar] if dstar else [])
    free = code.co_freevars
    body = f"{_DVAR} = {_PLACEHOLDER!r}; "
    if free:
        body += f"0 and ({', '.join(free)},); "  # makes them free variables, never read
    body += f"return {_DVAR}({', '.join(args)})"
    src = f"def __pyston_outer({', '.join(free)}):\n def __pyston_t({', '.join(params)}): {body}\n return __pyston_t\n"
    outer = compile(src, code.co_filename, "exec", dont_inherit=True)
    inner = next(c for c in next(c for c in outer.co_consts if isinstance(c, types.CodeType)).co_consts if isinstance(c, types.CodeType))
    if inner.co_freevars != free:
        raise ValueError("free variables could not be reproduced")
    consts = tuple(target if c == _PLACEHOLDER else c for c in inner.co_consts)
    fields = {"co_consts": consts, "co_name": code.co_name, "co_firstlineno": code.co_firstlineno}
    if hasattr(code, "co_qualname"):
        fields["co_qualname"] = code.co_qualname
    return inner.replace(**fields)


class Record:
    """One function accelerated in place (or considered and left alone).

    ``state`` is ``accelerated`` (trampoline in place, nothing compiled yet),
    ``compiled``, ``restored`` (original code back: nothing compiled),
    ``skipped`` (never touched) or ``unloaded``.
    """

    def __init__(self, func, code, where, name, state="accelerated", why=""):
        self.func = func
        self.code = code  # the original code
        self.where = where  # file:line
        self.name = name
        self.dispatcher = None
        self.tcode = None  # the trampoline to the dispatcher
        self.pcode = None  # the trampoline to the probe (until the first call returns)
        self.state = state
        self.why = why
        self.seen = 0  # signatures already looked at
        self.compiled = []  # signatures with machine code


# Trampoline code -> the dispatcher it calls, for every function accelerated in this process.
_DISPATCHERS: dict = {}


def dispatcher_of(func):
    """The dispatcher an accelerated function forwards to, or ``None``."""
    code = getattr(func, "__code__", None)
    return _DISPATCHERS.get(code) if type(func) is types.FunctionType else None


# The accelerators at work: the one of `python -m pyston`, the notebook extension's while loaded.
_ACTIVE: list = []


def callee_dispatcher(func):
    """The dispatcher compiled code calls natively for the plain Python function ``func``, or ``None``.

    Asked by the compiler (``core/runtime/src/env.rs``) for a global that is a
    plain function, only while this module is imported: an accelerated
    function's own dispatcher (so a hot function calling itself compiles as
    recursion), else, while an accelerator is at work, a strict dispatcher
    made for a function of the program (``Accelerator.callee``); the function
    object itself is left as it is.  Calling either is calling ``func``: both
    run a copy sharing its code, globals, defaults and closure, in strict mode.
    """
    if type(func) is not types.FunctionType:
        return None
    d = _DISPATCHERS.get(func.__code__)
    if d is not None:
        return d
    for accel in list(_ACTIVE):
        d = accel.callee(func)
        if d is not None:
            return d
    return None


def _uncompiled(text: str):
    """Why the first specialization in ``inspect_types()`` text that runs as
    plain Python does so (its ``# runs as plain Python...: why`` line), or ``None``."""
    for line in text.splitlines():
        if line.startswith("# runs as plain Python"):
            head, sep, why = line.partition(": ")
            if sep and ":" not in head[len("# runs as plain Python") :]:
                return why
    return None


def _compiled_signatures(d) -> list:
    """The signatures of ``d`` that have machine code (not those running as plain Python)."""
    if not d.signatures:
        return []
    try:
        text = d.inspect_types()
    except Exception:  # noqa: BLE001 - a CompileError: nothing compiled
        return []
    return [s.split("\n", 1)[0] for s in text.split("# signature ")[1:] if _uncompiled(s) is None]


def _first_line(e: BaseException) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0]


class Accelerator:
    """Turns hot code objects into accelerated functions and keeps the report."""

    def __init__(self, is_user):
        # (an iterator argument whose items nothing tells runs as plain Python:
        # a wrong guess would finish the call slower than CPython)
        _iter_guesses(False)
        self.is_user = is_user
        self.lock = threading.RLock()
        self.records: list[Record] = []
        self.by_code: dict[types.CodeType, str] = {}  # decision per original code object
        self.tcodes: set[types.CodeType] = set()  # every trampoline made (for tracebacks)
        self.copies: set[types.FunctionType] = set()  # the functions dispatchers run (never accelerated)
        self.loops: dict[str, str] = {}  # file:line -> why not compiled (hot module-level code)
        self.callees: dict = {}  # plain function -> the dispatcher compiled callers call (or None)
        self.restored: set = set()  # original code of functions given their code back

    @staticmethod
    def _where(code, line=None) -> str:
        return f"{code.co_filename}:{line or code.co_firstlineno}"

    def hot(self, code: types.CodeType, line: int | None = None) -> None:
        """``code`` was seen hot; ``line`` is where its frame was."""
        with self.lock:
            if code in self.by_code or code in self.tcodes or not self.is_user(code.co_filename):
                return
            self.by_code[code] = "seen"
            name = code.co_name
            if name == "<module>":
                self.loops[self._where(code, line)] = (
                    "hot module-level code cannot be compiled in place (put the loop in a function)"
                )
                return
            if name.startswith("<") or getattr(code, "co_qualname", "").endswith(">"):
                self.loops[self._where(code, line)] = (
                    f"{name} is not compiled (comprehensions and lambdas are left alone)"
                )
                return
            funcs = [
                r
                for r in gc.get_referrers(code)
                if type(r) is types.FunctionType and r.__code__ is code and r not in self.copies
            ]
            if not funcs:
                self.records.append(
                    Record(None, code, self._where(code), name, state="skipped", why="no live function object runs it")
                )
            for f in funcs:
                self.accelerate(f)

    def accelerate(self, func: types.FunctionType, precheck: bool = True) -> Record:
        """Make ``func`` run through a strict dispatcher, in place (or say why not).

        With ``precheck`` (the default) a function that cannot gain is left
        alone at once: no loop, a global compiled code cannot use, or source
        pyston cannot lower (unsupported syntax, no source).  Without it
        (tests), only what cannot be forwarded at all is refused.
        """
        with self.lock:
            code = func.__code__
            self.by_code.setdefault(code, "seen")
            rec = Record(func, code, self._where(code), getattr(func, "__qualname__", code.co_name))
            self.records.append(rec)
            why = self._refuse(func) or (precheck and self._not_worth_it(func))
            if why:
                rec.state, rec.why = "skipped", why
                return rec
            d = Dispatcher(self._copy(func))
            try:
                if precheck:
                    d.inspect_ir()  # parses and lowers: unsupported syntax is known before any call
                tcode = trampoline_code(code, d)
                pcode = trampoline_code(code, _probe(self, rec, d))
            except Exception as e:  # noqa: BLE001 - any failure leaves the function as it is
                rec.state, rec.why = "skipped", _first_line(e)
                return rec
            rec.dispatcher, rec.tcode, rec.pcode = d, tcode, pcode
            self.tcodes.update((tcode, pcode))
            _DISPATCHERS[tcode] = _DISPATCHERS[pcode] = d
            func.__code__ = pcode  # the first call decides (see _probe)
            return rec

    def _copy(self, func: types.FunctionType) -> types.FunctionType:
        """A function running ``func``'s code with its globals, closure cells and defaults."""
        copy = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
        copy.__kwdefaults__ = func.__kwdefaults__
        copy.__dict__.update(func.__dict__)
        copy.__qualname__, copy.__module__, copy.__doc__ = func.__qualname__, func.__module__, func.__doc__
        self.copies.add(copy)
        return copy

    def callee(self, func: types.FunctionType):
        """A strict dispatcher standing for the program's plain function ``func``
        when compiled code calls it (see :func:`callee_dispatcher`), or ``None``
        (not the program's, cannot be forwarded, or certainly cannot compile).
        Made once per function; ``func`` keeps its own code.  No lock: this
        runs inside a compile, which the sampler thread may be waiting for
        while it holds ``self.lock`` (two threads making one dispatcher each
        is harmless)."""
        if func in self.callees:
            return self.callees[func]
        d = Dispatcher(self._copy(func)) if self._callable_natively(func, set()) else None
        return self.callees.setdefault(func, d)

    def _callable_natively(self, func: types.FunctionType, seen: set) -> bool:
        """Whether compiled code may call ``func`` as a dispatcher (cheap looks, no compile)."""
        code = func.__code__
        if code in self.tcodes:
            return True
        return (
            code not in self.restored
            and self.is_user(code.co_filename)
            and not self._refuse(func)
            and not self._uses_untypeable_global(func, seen)
        )

    def hidden(self, frame) -> bool:
        """Whether ``frame`` is pyston's (a trampoline or a probe), not the program's."""
        return frame.f_code in self.tcodes or frame.f_code is _PROBE_CODE

    def decide(self, rec: Record) -> None:
        """After the first call through ``rec``'s probe: keep the dispatcher only if it compiled."""
        with self.lock:
            if rec.state == "accelerated" and rec.func.__code__ is rec.pcode:
                self._judge(rec, first=True)

    def _refuse(self, func) -> str:
        code = func.__code__
        for flag, what in _NOT_FORWARDABLE.items():
            if code.co_flags & flag:
                return f"it is {what}"
        if "__class__" in code.co_freevars:
            return "it uses super() or __class__ (methods with them are not compiled yet)"
        if func.__module__ and str(func.__module__).startswith("pyston"):
            return "it is part of pyston"
        return ""

    def _not_worth_it(self, func) -> str:
        """Why compiling ``func`` cannot pay off, or ``""`` (cheap looks before asking the compiler)."""
        if not _has_loop(func.__code__) and not self._recursive(func):
            # A call through the trampoline and the dispatcher costs ~0.2 us more than a plain
            # call: a function without a loop does too little for compiling it to win that back.
            return "it has no loop (a compiled call would cost more than it saves)"
        return self._uses_untypeable_global(func)

    @staticmethod
    def _recursive(func) -> bool:
        """Whether ``func`` calls itself through a global (recursion is its loop:
        compiled, the inner calls are native)."""
        import dis

        g = func.__globals__
        return any(
            ins.opname == "LOAD_GLOBAL" and g.get(ins.argval) is func for ins in dis.get_instructions(func.__code__)
        )

    # Modules compiled code reads functions from; any other module is untypeable.
    _MODULES = ("math", "cmath", "numpy", "numpy.random")

    def _uses_untypeable_global(self, func, seen: set | None = None) -> str:
        """Why ``func`` certainly cannot compile, judged from the globals it reads, or ``""``.

        A cheap look before asking the compiler: a global that is a module
        other than ``math``/NumPy, a class defined in Python, or a plain
        Python function compiled code cannot call (not the program's, or
        itself using such globals; the program's other functions are called
        through dispatchers, see :func:`callee_dispatcher`) makes the
        compiler give up, after paying for parsing and typing.
        """
        import builtins
        import dis

        seen = set() if seen is None else seen
        if func.__code__ in seen:
            return ""
        seen.add(func.__code__)
        g = func.__globals__
        for ins in dis.get_instructions(func.__code__):
            if ins.opname != "LOAD_GLOBAL":
                continue
            name = ins.argval
            obj = g[name] if name in g else getattr(builtins, name, None)
            if isinstance(obj, types.ModuleType) and obj.__name__ not in self._MODULES:
                return f"it uses the module {obj.__name__!r} (line {ins.positions.lineno if hasattr(ins, 'positions') else '?'})"
            if isinstance(obj, type) and obj.__module__ != "builtins" and not obj.__module__.startswith("numpy"):
                return f"it uses the class {obj.__qualname__!r}"
            if type(obj) is types.FunctionType and not self._callable_natively(obj, seen):
                return f"it calls the plain Python function {name!r} (which cannot be compiled)"
        return ""

    def poll(self) -> None:
        """Look again at dispatchers that compiled something (new signatures go in the report)."""
        with self.lock:
            for rec in self.records:
                if rec.state == "compiled" and len(rec.dispatcher.signatures) != rec.seen:
                    self._judge(rec, first=False)

    def _judge(self, rec: Record, first: bool) -> None:
        d = rec.dispatcher
        # A function that runs as plain Python with loops compiled alone (loop lifting) gains too.
        lifted = [line for line, loop in d.lifted_loops if loop.native and loop.signatures]
        if lifted:
            rec.seen = len(d.signatures)
            rec.compiled = [f"loop at line {line} (lifted)" for line in lifted]
            rec.state = "compiled"
            if rec.func.__code__ is rec.pcode:
                rec.func.__code__ = rec.tcode
            return
        n = len(d.signatures)
        try:
            text = d.inspect_types()
        except Exception as e:  # noqa: BLE001 - a CompileError: nothing compiles
            self._restore(rec, _first_line(e))
            return
        if n == 0:
            if first:
                self._restore(rec, "its arguments are of types compiled code does not take")
            return
        rec.seen = n
        sections = text.split("# signature ")[1:]
        rec.compiled = list(dict.fromkeys(s.split("\n", 1)[0] for s in sections if _uncompiled(s) is None))
        if rec.compiled:
            rec.state = "compiled"
            if rec.func.__code__ is rec.pcode:
                rec.func.__code__ = rec.tcode
        elif first:
            why = _uncompiled(text)
            self._restore(rec, why if why is not None else "no specialization compiled")

    def _restore(self, rec: Record, why: str) -> None:
        if rec.func.__code__ in (rec.tcode, rec.pcode):
            rec.func.__code__ = rec.code
        self.restored.add(rec.code)
        rec.state, rec.why = "restored", why

    def restore_all(self) -> None:
        _iter_guesses(True)
        with self.lock:
            for rec in self.records:
                if rec.tcode is not None and rec.state in ("accelerated", "compiled"):
                    if rec.func.__code__ in (rec.tcode, rec.pcode):
                        rec.func.__code__ = rec.code
                    rec.state = "unloaded"

    # -- the report ------------------------------------------------------

    def rows(self):
        """``(status, where, name, detail)`` for everything hot, compiled first."""
        self.poll()
        out = []
        called = {}  # functions compiled code calls through a dispatcher of their own
        for func, d in list(self.callees.items()):
            sigs = _compiled_signatures(d) if d is not None else []
            if sigs:
                called[func] = ", ".join(sigs) + " (called from compiled code)"
        for rec in self.records:
            if rec.state == "compiled":
                out.append(("compiled", rec.where, rec.name, ", ".join(rec.compiled)))
            elif rec.state == "accelerated":
                out.append(("waiting", rec.where, rec.name, "hot, not called again yet"))
            elif rec.func in called:
                out.append(("compiled", rec.where, rec.name, called.pop(rec.func)))
            elif rec.state in ("restored", "skipped"):
                out.append(("not compiled", rec.where, rec.name, rec.why))
        for func, detail in called.items():
            out.append(("compiled", self._where(func.__code__), func.__qualname__, detail))
        for where, why in self.loops.items():
            out.append(("not compiled", where, "<loop>", why))
        order = {"compiled": 0, "waiting": 1, "not compiled": 2}
        return sorted(out, key=lambda r: order[r[0]])

    def report_text(self) -> str:
        rows = self.rows()
        if not rows:
            return "pyston: nothing was hot enough to compile\n"
        lines = ["pyston report:"]
        for status, where, name, detail in rows:
            lines.append(f"  {status:<12} {where}  {name}: {detail}")
        return "\n".join(lines) + "\n"


class Sampler(threading.Thread):
    """Counts the code objects on top of the main thread's stack, every ``interval`` seconds."""

    MAX_INTERVAL = 0.08
    SWITCH = 0.0005  # the GIL switch interval while the sampler accelerates a function

    def __init__(self, accel: Accelerator, interval: float | None = None, threshold: int | None = None, depth: int = 3):
        super().__init__(name="pyston-sampler", daemon=True)
        self.accel = accel
        self.interval = interval if interval is not None else _env_int("PYSTON_SAMPLE_MS", 5) / 1000
        self.threshold = threshold if threshold is not None else _env_int("PYSTON_HOT_SAMPLES", 5)
        self.depth = depth
        self.counts: dict[types.CodeType, int] = {}
        self.stopped = threading.Event()
        self.target = threading.main_thread().ident

    def run(self) -> None:
        counts, accel, tick = self.counts, self.accel, 0
        interval, quiet = self.interval, 0
        while not self.stopped.wait(interval):
            frame = sys._current_frames().get(self.target)
            depth = 0
            while frame is not None and depth < self.depth:
                code = frame.f_code
                if depth and code.co_name == "<module>":
                    break  # module-level code is hot only where it runs itself, not where it calls
                n = counts.get(code, 0) + 1
                counts[code] = n
                if n == self.threshold:
                    if accel.is_user(code.co_filename):
                        # Something new of the program's is hot: sample often again. (Library code
                        # turning hot, say `random.choice`, changes nothing: it is never compiled.)
                        interval, quiet = self.interval, 0
                    # While the sampler accelerates (imports, file reads, parsing), the main thread
                    # hands the GIL back after 0.5 ms instead of 5: each file read releases the GIL, and
                    # the sampler would wait a whole switch interval to get it back (measured: the first
                    # accelerate of a process, ~20 ms of CPU time, took ~250 ms of wall time). Put back at
                    # once, unless the program changed it meanwhile.
                    switch = sys.getswitchinterval()
                    sys.setswitchinterval(self.SWITCH)
                    try:
                        accel.hot(code, frame.f_lineno)
                    except Exception:  # noqa: BLE001, S110 - never disturb the program
                        pass
                    finally:
                        if sys.getswitchinterval() == self.SWITCH:
                            sys.setswitchinterval(switch)
                frame = frame.f_back
                depth += 1
            del frame
            tick += 1
            quiet += 1
            if quiet >= 200 and interval < self.MAX_INTERVAL:
                # Nothing new for a while: sample less often (a long run then costs ~nothing).
                interval, quiet = min(interval * 2, self.MAX_INTERVAL), 0
            if tick % 20 == 0:
                try:
                    accel.poll()
                except Exception:  # noqa: BLE001, S110
                    pass

    def stop(self) -> None:
        """Stop sampling and wait for the thread (a compile must not run into interpreter shutdown)."""
        self.stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join()


def _has_loop(code: types.CodeType) -> bool:
    """Whether ``code`` jumps backwards (a ``for`` or ``while`` loop of its own)."""
    import dis

    for ins in dis.get_instructions(code):
        if "BACKWARD" in ins.opname:
            return True
        if ins.opcode in dis.hasjabs and isinstance(ins.argval, int) and ins.argval <= ins.offset:
            return True  # Python 3.9/3.10: JUMP_ABSOLUTE back to the loop head
    return False


def _probe(accel: Accelerator, rec: Record, d):
    """The target of a fresh trampoline: the first call runs through the
    dispatcher, then ``accel.decide`` keeps the dispatcher (something
    compiled: the trampoline now calls it directly) or gives the function its
    own code back (nothing compiled: no cost stays)."""

    def probe(*args, **kwargs):
        try:
            return d(*args, **kwargs)
        finally:
            accel.decide(rec)

    return probe


_PROBE_CODE = next(c for c in _probe.__code__.co_consts if isinstance(c, types.CodeType))


# -- which files are the user's --------------------------------------------

def _library_dirs() -> list[str]:
    dirs = {os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.abspath(os.__file__))}
    for p in sys.path:
        if p and ("site-packages" in p or "dist-packages" in p):
            dirs.add(os.path.abspath(p))
    dirs.add(os.path.abspath(sys.prefix))
    dirs.add(os.path.abspath(sys.base_prefix))
    return sorted(dirs)


def user_code_filter(roots):
    """A predicate on filenames: under one of ``roots`` and not in a library directory.

    ``"<string>"``-like names (``-c``, stdin, ``exec``) and notebook cells count as the user's.
    """
    roots = [os.path.join(os.path.abspath(r), "") for r in roots if r is not None]
    libs = [os.path.join(d, "") for d in _library_dirs()]
    cache: dict[str, bool] = {}

    def is_user(filename: str) -> bool:
        ok = cache.get(filename)
        if ok is None:
            if filename.startswith("<"):
                ok = not filename.startswith("<frozen")
            else:
                path = os.path.abspath(filename)
                ok = any(path.startswith(r) for r in roots) and not any(
                    path.startswith(lib) and not any(r.startswith(lib) and path.startswith(r) and len(r) > len(lib) for r in roots)
                    for lib in libs
                )
            cache[filename] = ok
        return ok

    return is_user


# -- tracebacks without trampoline frames ------------------------------------

def strip_traceback(exc: BaseException, drop) -> None:
    """Remove the traceback entries whose frame satisfies ``drop`` from ``exc``
    and from the exceptions chained to it (cause, context, groups)."""
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        tb = e.__traceback__
        while tb is not None and drop(tb.tb_frame):
            tb = tb.tb_next
        head = tb
        while tb is not None:
            nxt = tb.tb_next
            while nxt is not None and drop(nxt.tb_frame):
                nxt = nxt.tb_next
            tb.tb_next = nxt
            tb = nxt
        e.__traceback__ = head
        todo += [e.__cause__, e.__context__, *getattr(e, "exceptions", ())]


# -- python -m pyston ---------------------------------------------------------

USAGE = """\
usage: python -m pyston [--report] (script.py | -m module | -c code | -) [args ...]

Runs a Python program as `python` would, compiling its hot functions with
pyston in strict mode (results, exceptions and output stay CPython's).

  --report   print what was compiled, and what was hot but not compiled and
             why, to stderr at exit (also: PYSTON_REPORT=1)
"""

_HERE = (os.path.abspath(__file__), os.path.join(os.path.dirname(os.path.abspath(__file__)), "__main__.py"))


def _fresh_main(**attrs) -> dict:
    """A new ``__main__`` module, filled like the one CPython makes, installed in ``sys.modules``."""
    import builtins

    mod = types.ModuleType("__main__")
    g = mod.__dict__
    g["__annotations__"] = {}
    g["__builtins__"] = builtins
    g.update(attrs)
    sys.modules["__main__"] = mod
    return g


def _run(mode: str, target: str) -> None:
    """Run the program the way the ``python`` command line would."""
    import importlib.machinery
    import runpy

    safe_path = getattr(sys.flags, "safe_path", False)
    if mode == "-m":
        _fresh_main()
        runpy._run_module_as_main(target, alter_argv=True)  # what `python -m` runs
        return
    if mode in ("-c", "-"):
        if not safe_path:
            sys.path[0] = ""
        if mode == "-c":
            source, filename = target, "<string>"
            g = _fresh_main(__loader__=importlib.machinery.BuiltinImporter)
        else:
            source, filename = sys.stdin.read(), "<stdin>"
            g = _fresh_main(__loader__=importlib.machinery.BuiltinImporter, __file__="<stdin>", __cached__=None)
        if mode == "-c" and sys.version_info >= (3, 13):
            # CPython 3.13+ shows the lines of `-c` code in tracebacks.
            linecache.cache[filename] = (len(source), None, [ln + "\n" for ln in source.splitlines()], filename)
        exec(compile(source, filename, "exec", dont_inherit=True), g)
        return
    path = os.path.abspath(target)
    if not safe_path:
        sys.path[0] = os.path.dirname(os.path.realpath(target))
    if os.path.isdir(target) or not target.endswith((".py", ".pyw")) and _is_zip(target):
        sys.path[0] = target
        _fresh_main()
        runpy._run_module_as_main("__main__", alter_argv=False)
        return
    with open(path, "rb") as fh:
        source = fh.read()
    loader = importlib.machinery.SourceFileLoader("__main__", path)
    g = _fresh_main(__loader__=loader, __file__=path, __cached__=None)
    exec(compile(source, path, "exec", dont_inherit=True), g)


def _is_zip(path: str) -> bool:
    import zipfile

    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def main(argv: list[str]) -> None:
    """``python -m pyston [--report] (script | -m module | -c code | -) [args]``."""
    import atexit
    import warnings

    from ._errors import PerformanceWarning

    report = os.environ.get("PYSTON_REPORT", "").strip() not in ("", "0")
    args = list(argv)
    while args and args[0] in ("--report", "-h", "--help"):
        if args[0] == "--report":
            report = True
            args.pop(0)
        else:
            sys.stdout.write(USAGE)
            return
    if not args:
        sys.stderr.write(USAGE)
        sys.exit(2)
    if args[0] in ("-m", "-c"):
        if len(args) < 2:
            sys.stderr.write(f"Argument expected for the {args[0]} option\n{USAGE}")
            sys.exit(2)
        mode, target, rest = args[0], args[1], args[2:]
        sys.argv = [args[0], *rest]
        roots = [os.getcwd()]
    elif args[0] == "-":
        mode, target, rest = "-", "-", args[1:]
        sys.argv = ["-", *rest]
        roots = [os.getcwd()]
    else:
        mode, target, rest = "script", args[0], args[1:]
        sys.argv = [target, *rest]
        if not os.path.exists(target):
            exe = (getattr(sys, "orig_argv", None) or [sys.executable])[0]
            sys.stderr.write(f"{exe}: can't open file {os.path.abspath(target)!r}: [Errno 2] No such file or directory\n")
            sys.exit(2)
        roots = [os.getcwd(), os.path.dirname(os.path.realpath(target))]

    # pyston's own warnings are not the program's output.
    warnings.filterwarnings("ignore", category=PerformanceWarning)
    accel = Accelerator(user_code_filter(roots))
    _ACTIVE.append(accel)
    sampler = Sampler(accel)
    interrupted = []

    def at_exit():  # registered first, so it runs after the program's own atexit functions
        sampler.stop()
        if report:
            sys.stderr.write(accel.report_text())
            sys.stderr.flush()
        if interrupted:  # CPython ends a program killed by Ctrl-C with SIGINT
            import signal

            sys.stdout.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)

    atexit.register(at_exit)
    if os.environ.get("PYSTON_DISABLE_JIT", "").strip() in ("", "0"):
        sampler.start()
    try:
        _run(mode, target)
    except SystemExit:
        sampler.stop()
        raise
    except BaseException as e:  # noqa: BLE001 - printed as CPython prints an uncaught exception
        sampler.stop()
        here = _HERE
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename in here:
            tb = tb.tb_next
        e.__traceback__ = tb
        strip_traceback(e, accel.hidden)
        sys.last_type, sys.last_value, sys.last_traceback = type(e), e, e.__traceback__
        if sys.version_info >= (3, 12):
            sys.last_exc = e
        if isinstance(e, KeyboardInterrupt):
            interrupted.append(True)
        sys.excepthook(type(e), e, e.__traceback__)
        del e, tb
        sys.exit(1)
    sampler.stop()
