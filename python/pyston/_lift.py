"""Loop lifting: the loops of a function pyston cannot compile, compiled alone.

A function that runs as plain Python (untypeable lines, unsupported syntax or
argument types) is rewritten once, from its checked source
(``pyston._source``): each liftable outermost loop becomes a function of its
own, ``def f(<live-ins>): <the loop>; return (<live-outs>)``, compiled by a
pyston dispatcher with the same flags, and the loop's place in ``f`` becomes::

    if <dispatcher>.native:
        (<live-outs>,) = <dispatcher>(<live-ins>)
    else:
        <the original loop>

The rest of ``f`` runs as CPython runs it.  ``native`` turns false for good
when the lifted loop itself cannot be compiled (and has no loop of its own
that can), so a loop that gains nothing costs one attribute read per entry.

Only loops whose effect on ``f`` is exactly the values they leave in ``f``'s
local variables are lifted, so nothing can tell the difference (other than an
extra frame of the same name and file in a traceback).  A loop stays in place
when it contains ``return``/``yield``/``await``, ``global``/``nonlocal``,
``del`` of a name, a nested ``def``/``lambda``/``class``, ``super``,
``locals``/``vars``/``dir``/``eval``/``exec``; when it sits in a ``try`` or
``with`` block (a handler could read the locals it had updated so far); when
it touches a variable an inner function captures; or when a variable it uses
might be unbound when it starts and is also used elsewhere in ``f``.  Inner
loops of a loop left in place are candidates in turn, and a lifted loop that
cannot be compiled is lifted again (its inner loops).
"""

from __future__ import annotations

import ast
import copy
import sys
import types
import weakref

from . import _source

# Names whose meaning depends on the frame they run in.
_FRAME_NAMES = frozenset({"super", "locals", "vars", "dir", "eval", "exec", "__class__"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_FORBIDDEN = (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Global, ast.Nonlocal) + _SCOPES
_LOOPS = (ast.For, ast.While)

# Code objects of rewritten functions -> the lines where they call a lifted loop.
_CALL_LINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def lift(func, derive, parallel=False):
    """``(func rewritten, [(line, dispatcher)], any prange loop parallel)``:
    ``func`` with its liftable loops compiled and, with ``parallel``, its
    ``prange`` loops run on threads; or ``None`` when no loop can be lifted.
    ``derive(function, serial=False)`` makes a dispatcher with ``func``'s flags."""
    found = _source.function_ast(func)
    if isinstance(found, str) or not isinstance(func, types.FunctionType):
        return None
    node, filename, line_offset, col_offset, _ = found
    # A lifted loop's own function: only loops inside its loop are candidates.
    inner_only = func.__code__ in _source.GENERATED
    if not isinstance(node, ast.FunctionDef) or node.name == "<lambda>":
        return None
    node = copy.deepcopy(node)
    ast.increment_lineno(node, line_offset)
    if col_offset:
        for n in ast.walk(node):
            if hasattr(n, "col_offset"):
                n.col_offset += col_offset
                if getattr(n, "end_col_offset", None) is not None:
                    n.end_col_offset += col_offset
    return _Lifter(func, node, filename, derive, node.body[0] if inner_only else None, parallel).run()


class _Lifter:
    def __init__(self, func, node, filename, derive, keep, parallel=False):
        code = func.__code__
        self.func, self.node, self.filename, self.derive = func, node, filename, derive
        self.locals = set(code.co_varnames) | set(code.co_cellvars)
        self.cells = set(code.co_cellvars)
        self.free = set(code.co_freevars)
        self.deleted = {
            t.id for n in ast.walk(node) if isinstance(n, ast.Delete) for t in n.targets if isinstance(t, ast.Name)
        }
        self.declared_global = {name for n in ast.walk(node) if isinstance(n, ast.Global) for name in n.names}
        self.lifted = []  # (line, dispatcher, free-variable name)
        self.keep = keep  # a loop not to lift (itself)
        self.parallel = parallel and _builtin(func, "range")
        self.n_parallel = 0

    def run(self):
        self.node.body = self._block(self.node.body, _params(self.node.args) - self.deleted)
        if not self.lifted:
            return None
        new = self._rebuild()
        # (A parallel loop is reported by its body's dispatcher.)
        loops = [(line, getattr(d, "body", d)) for line, d, _ in self.lifted]
        return new, loops, self.n_parallel > 0

    # -- finding loops ---------------------------------------------------

    def _block(self, stmts, assigned):
        """``stmts`` with liftable loops replaced; ``assigned``: the names
        certainly bound before the block runs."""
        out = []
        assigned = set(assigned)
        for s in stmts:
            if isinstance(s, _LOOPS):
                lifted = None
                if self.parallel and s is not self.keep and self._is_prange(s):
                    lifted = self._try_parallel(s, assigned)
                if lifted is None and s is not self.keep:
                    lifted = self._try_lift(s, assigned)
                if lifted is not None:
                    out.append(lifted)
                    continue
                bound = _targets(s.target) - self.deleted if isinstance(s, ast.For) else set()
                s.body = self._block(s.body, assigned | bound)
                s.orelse = self._block(s.orelse, assigned)
            elif isinstance(s, ast.If):
                s.body = self._block(s.body, assigned)
                s.orelse = self._block(s.orelse, assigned)
            out.append(s)
            assigned = (assigned | _certainly_binds(s)) - self.deleted
        return out

    def _try_lift(self, loop, assigned):
        nodes = list(ast.walk(loop))
        if not _movable(nodes):
            return None
        inside = {id(n) for n in nodes}
        used = {n.id for n in nodes if isinstance(n, ast.Name)}
        stored = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        stored |= {
            a.asname or a.name.split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names
        }
        # `except E as e` unbinds `e` when the handler ends.
        unbound = {n.name for n in nodes if isinstance(n, ast.ExceptHandler) and n.name}
        outside = {n.id for n in ast.walk(self.node) if isinstance(n, ast.Name) and id(n) not in inside}
        outside |= _params(self.node.args)
        if (stored & (self.free | self.declared_global)) or (used & self.cells) or (unbound & outside):
            return None
        params, results = [], []
        for name in sorted(used & self.locals):
            if name in assigned:
                params.append(name)
                if name in stored and name in outside:
                    results.append(name)
            elif name in outside:
                return None  # maybe unbound here, and seen elsewhere: keep CPython's order of events
        return self._replace(loop, params, results)

    # -- prange loops (parallel=True) -------------------------------------

    def _is_prange(self, loop):
        it = loop.iter if isinstance(loop, ast.For) else None
        if not (isinstance(it, ast.Call) and not it.keywords and 1 <= len(it.args) <= 3):
            return False
        if any(isinstance(a, ast.Starred) for a in it.args):
            return False
        f = it.func
        if isinstance(f, ast.Name):
            return f.id == "prange" and f.id not in self.locals and _is_prange_object(self._lookup(f.id))
        if isinstance(f, ast.Attribute) and f.attr == "prange" and isinstance(f.value, ast.Name):
            mod = self._lookup(f.value.id) if f.value.id not in self.locals else None
            return _is_prange_object(getattr(mod, "prange", None))
        return False

    def _lookup(self, name):
        cells = dict(zip(self.func.__code__.co_freevars, self.func.__closure__ or ()))
        if name in cells:
            try:
                return cells[name].cell_contents
            except ValueError:
                return None
        return self.func.__globals__.get(name)

    def _try_parallel(self, loop, assigned):
        """The prange loop's replacement: its body compiled alone, run in
        chunks on threads (``run_parallel``); None when its iterations are not
        independent in a way pyston can see (the loop then runs serially)."""
        if loop.orelse or not isinstance(loop.target, ast.Name) or _breaks(loop.body):
            return None
        nodes = [n for s in loop.body for n in ast.walk(s)]
        if not _movable(nodes):
            return None
        target = loop.target.id
        inside = {id(n) for n in ast.walk(loop)}
        used = {n.id for n in nodes if isinstance(n, ast.Name)}
        stored = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        outside = {n.id for n in ast.walk(self.node) if isinstance(n, ast.Name) and id(n) not in inside}
        outside |= _params(self.node.args)
        if (stored & (self.free | self.declared_global)) or (used & self.cells) or target in outside:
            return None
        reductions = {}
        for name in sorted((stored & self.locals) - {target}):
            op = _reduction(loop.body, name, self)
            if op is not None and name in assigned:
                reductions[name] = op
            elif name in outside:
                return None  # its value after the loop would depend on the order of iterations
        shared = sorted((used & self.locals) - stored - {target})
        if any(n not in assigned for n in shared):
            return None
        reds = list(reductions)
        key = f"__pyston_loop_{len(self.lifted)}"
        start, stop, step = "__pyston_start", "__pyston_stop", "__pyston_step"
        rng = ast.Call(
            func=ast.Name(id="range", ctx=ast.Load()),
            args=[ast.Name(id=v, ctx=ast.Load()) for v in (start, stop, step)],
            keywords=[],
        )
        inner = ast.For(target=loop.target, iter=rng, body=loop.body, orelse=[])
        body = [inner, ast.Return(value=_names(reds, ast.Load))] if reds else [inner]
        fdef = _def(self.node.name, [start, stop, step] + shared + reds, body)
        for n in [fdef, *body, rng, *rng.args, rng.func]:
            ast.copy_location(n, loop)
        ast.fix_missing_locations(fdef)
        free = sorted(self.free & used)
        body_func = self._function(fdef, free)
        _source.GENERATED[body_func.__code__] = (fdef, self.filename)
        dispatcher = self.derive(body_func, True)
        from ._pyston import ParallelLoop

        self.lifted.append((loop.lineno, ParallelLoop(dispatcher), key))
        self.n_parallel += 1
        # if <key>.native: (reds,) = run_parallel(<key>, ops, range(<args>), (shared,), (reds,))
        call = ast.Call(
            func=ast.Name(id="__pyston_run_parallel", ctx=ast.Load()),
            args=[
                ast.Name(id=key, ctx=ast.Load()),
                ast.Constant(value=tuple(reductions[r] for r in reds)),
                ast.Call(func=ast.Name(id="range", ctx=ast.Load()), args=copy.deepcopy(loop.iter.args), keywords=[]),
                _names(shared, ast.Load),
                _names(reds, ast.Load),
            ],
            keywords=[],
        )
        run = ast.Assign(targets=[_names(reds, ast.Store)], value=call) if reds else ast.Expr(value=call)
        test = ast.Attribute(value=ast.Name(id=key, ctx=ast.Load()), attr="native", ctx=ast.Load())
        new = ast.If(test=test, body=[run], orelse=[copy.deepcopy(loop)])
        for n in [new, test, test.value, *ast.walk(run)]:
            ast.copy_location(n, loop)
        return new

    # -- building --------------------------------------------------------

    def _replace(self, loop, params, results):
        key = f"__pyston_loop_{len(self.lifted)}"
        body = [loop, ast.Return(value=_names(results, ast.Load))] if results else [loop]
        fdef = _def(self.node.name, params, body)
        for n in body:
            ast.copy_location(n, loop)
        fdef = ast.copy_location(fdef, loop)
        ast.fix_missing_locations(fdef)
        free = sorted(self.free & {n.id for n in ast.walk(loop) if isinstance(n, ast.Name)})
        loop_func = self._function(fdef, free)
        _source.GENERATED[loop_func.__code__] = (fdef, self.filename)
        dispatcher = self.derive(loop_func)
        self.lifted.append((loop.lineno, dispatcher, key))
        args = [ast.Name(id=p, ctx=ast.Load()) for p in params]
        call = ast.Call(func=ast.Name(id=key, ctx=ast.Load()), args=args, keywords=[])
        run = ast.Assign(targets=[_names(results, ast.Store)], value=call) if results else ast.Expr(value=call)
        test = ast.Attribute(value=ast.Name(id=key, ctx=ast.Load()), attr="native", ctx=ast.Load())
        new = ast.If(test=test, body=[run], orelse=[copy.deepcopy(loop)])
        for n in (new, run, call, test, call.func, test.value, *call.args):
            ast.copy_location(n, loop)
        if results:
            for n in ast.walk(run.targets[0]):
                ast.copy_location(n, loop)
        return new

    def _function(self, fdef, free):
        """Compiles ``fdef`` as a function of ``self.func``'s globals whose
        closure variables ``free`` are ``self.func``'s own cells."""
        cells = dict(zip(self.func.__code__.co_freevars, self.func.__closure__ or ()))
        return _make(fdef, self.filename, self.func, {v: cells[v] for v in free})

    def _rebuild(self):
        f = self.func
        cells = dict(zip(f.__code__.co_freevars, f.__closure__ or ()))
        for _, d, key in self.lifted:
            cells[key] = types.CellType(d)
        if self.n_parallel:
            cells["__pyston_run_parallel"] = types.CellType(run_parallel)
        self.node.decorator_list = []
        new = _make(self.node, self.filename, f, cells)
        _CALL_LINES[new.__code__] = {line for line, _, _ in self.lifted}

        new.__defaults__ = f.__defaults__
        new.__kwdefaults__ = f.__kwdefaults__
        for attr in ("__qualname__", "__module__", "__doc__", "__annotations__"):
            setattr(new, attr, getattr(f, attr))
        new.__dict__.update(f.__dict__)
        return new


def _make(fdef, filename, func, cells):
    """The function ``fdef`` compiled in ``filename`` with ``func``'s globals
    and ``__future__`` flags, its free variables bound to ``cells`` (name -> cell)."""
    fdef = copy.copy(fdef)
    body = [fdef]
    if cells:
        binds = [ast.Assign(targets=[ast.Name(id=v, ctx=ast.Store())], value=ast.Constant(value=None)) for v in cells]
        # The def would bind its own name in the maker: keep the function's
        # references to its name (recursion) global, as they are in the module.
        own = [] if fdef.name in cells else [ast.Global(names=[fdef.name])]
        outer = _def("__pyston_outer__", [], own + binds + [fdef])
        body = [outer]
    mod = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    flags = func.__code__.co_flags & _source.FUTURE_FLAGS
    top = compile(mod, filename, "exec", flags=flags, dont_inherit=True)
    code = next(c for c in _source._code_objects(top) if c.co_name == fdef.name and c.co_firstlineno == fdef.lineno)
    closure = tuple(cells[v] for v in code.co_freevars) or None
    return types.FunctionType(code, func.__globals__, fdef.name, None, closure)


def _movable(nodes):
    """Whether code made of ``nodes`` means the same in a function of its own:
    no ``return``/``yield``/``await``/``global``/``nonlocal``, nested scope,
    ``match``, ``del`` of a name, or name that depends on the frame."""
    for n in nodes:
        if isinstance(n, _FORBIDDEN) or type(n).__name__ == "Match":
            return False
        if isinstance(n, ast.Delete) and any(isinstance(t, ast.Name) for t in n.targets):
            return False
        if isinstance(n, ast.Name) and n.id in _FRAME_NAMES:
            return False
    return True


def _def(name, params, body):
    args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], kwonlyargs=[], kw_defaults=[], defaults=[])
    d = ast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None)
    if sys.version_info >= (3, 12):
        d.type_params = []
    return d


def _names(names, ctx):
    return ast.Tuple(elts=[ast.Name(id=n, ctx=ctx()) for n in names], ctx=ctx())


def _params(args):
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return {a.arg for a in every}


def _targets(t):
    if isinstance(t, ast.Name):
        return {t.id}
    if isinstance(t, (ast.Tuple, ast.List)):
        return set().union(*(_targets(e) for e in t.elts)) if t.elts else set()
    if isinstance(t, ast.Starred):
        return _targets(t.value)
    return set()


def _certainly_binds(s):
    """Names a statement leaves bound whenever control passes beyond it."""
    if isinstance(s, ast.Assign):
        return set().union(*(_targets(t) for t in s.targets))
    if isinstance(s, (ast.AugAssign, ast.AnnAssign)):
        return _targets(s.target) if getattr(s, "value", None) is not None else set()
    if isinstance(s, (ast.Import, ast.ImportFrom)):
        return {a.asname or a.name.split(".")[0] for a in s.names if a.name != "*"}
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {s.name}
    if isinstance(s, ast.If):
        a = set()
        for x in s.body:
            a |= _certainly_binds(x)
        b = set()
        for x in s.orelse:
            b |= _certainly_binds(x)
        return a & b
    return set()


def tidy(exc):
    """Drops from ``exc``'s traceback the entries of a rewritten function's
    frame at the call of a lifted loop when the loop's own entry follows (it
    names the same function and the line that raised), so the traceback is
    the one CPython gives for the function as written."""
    tb = exc.__traceback__
    head, prev = tb, None
    while tb is not None:
        nxt = tb.tb_next
        lines = _CALL_LINES.get(tb.tb_frame.f_code)
        if nxt is not None and lines and tb.tb_lineno in lines and nxt.tb_frame.f_code.co_name == tb.tb_frame.f_code.co_name:
            if prev is None:
                head = nxt
            else:
                prev.tb_next = nxt
        else:
            prev = tb
        tb = nxt
    return exc.with_traceback(head)


# -- parallel loops ---------------------------------------------------------

_AUG_OPS = {ast.Add: "+", ast.Sub: "+", ast.Mult: "*", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}


def _reduction(body, name, lifter):
    """The reduction operator of ``name`` in a prange loop's body (``"+"`` for
    ``name += e`` / ``name -= e``, ``"*"``, ``"&"``, ``"|"``, ``"^"``,
    ``"min"``/``"max"`` for ``name = min(name, e)``), or None when the body
    uses ``name`` any other way."""
    ops, seen = set(), set()

    def mentions(e):
        return any(isinstance(x, ast.Name) and x.id == name for x in ast.walk(e))

    for n in (x for s in body for x in ast.walk(s)):
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and n.target.id == name:
            if type(n.op) not in _AUG_OPS or mentions(n.value):
                return None
            ops.add(_AUG_OPS[type(n.op)])
            seen.add(id(n.target))
        elif isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets):
            v = n.value
            if not (len(n.targets) == 1 and isinstance(v, ast.Call) and isinstance(v.func, ast.Name)):
                return None
            if v.func.id not in ("min", "max") or v.keywords or len(v.args) != 2 or not _builtin(lifter.func, v.func.id):
                return None
            mine = [a for a in v.args if isinstance(a, ast.Name) and a.id == name]
            other = [a for a in v.args if a not in mine]
            if len(mine) != 1 or len(other) != 1 or mentions(other[0]):
                return None
            ops.add(v.func.id)
            seen |= {id(n.targets[0]), id(mine[0])}
    uses = [x for s in body for x in ast.walk(s) if isinstance(x, ast.Name) and x.id == name]
    if len(ops) != 1 or any(id(x) not in seen for x in uses):
        return None
    return ops.pop()


def _identity(op, v):
    """A chunk's starting value for reduction ``op`` whose value before the
    loop is ``v``: the operator's identity in ``v``'s type (for an array, a
    new array of it), or ``v`` itself for the idempotent ones (``min``,
    ``max``, ``&``, ``|``)."""
    if type(v).__module__ == "numpy" and getattr(v, "ndim", 0) > 0:
        import numpy as np

        fill = {"*": 1, "+": -0.0 if v.dtype.kind in "fc" else 0, "^": 0}.get(op)
        if fill is None:  # &, |: the identity is all ones / all zeros bits
            fill = {"&": -1 if v.dtype.kind == "i" else True, "|": 0}[op]
        return np.full_like(v, fill)
    if op in ("min", "max", "&", "|"):
        return v
    t = type(v)
    if op == "*":
        return t(1)
    if op == "+" and isinstance(v, (float, complex)) or type(v).__module__ == "numpy" and v.dtype.kind in "fc":
        return t(-0.0)  # -0.0 + x is x, for every x
    return t(0)


def _iadd(a, b):
    a += b  # in place for an array (the array the loop updates), a new value otherwise
    return a


def _imul(a, b):
    a *= b
    return a


def _iand(a, b):
    a &= b
    return a


def _ior(a, b):
    a |= b
    return a


def _ixor(a, b):
    a ^= b
    return a


_COMBINE = {"+": _iadd, "*": _imul, "&": _iand, "|": _ior, "^": _ixor, "min": min, "max": max}


def run_parallel(loop, ops, rng, shared, values):
    """Runs a prange loop: its range in one chunk per thread (each chunk's
    reductions start from ``_identity``), the chunks' results combined in
    chunk order with the values before the loop; serially (one call of the
    body, exactly the loop) when there is one thread or one iteration, or the
    body does not compile."""
    from ._pyston import get_num_threads

    n = len(rng)
    threads = min(get_num_threads(), n)
    if threads > 1:
        # Four chunks per thread, taken in turn by the threads (a busy core
        # delays one chunk, not half the loop); their results are combined in
        # chunk order, so a float sum depends only on the thread count.
        k = min(n, 4 * threads)
        step = rng.step
        bounds = [(rng.start + (j * n // k) * step, rng.start + ((j + 1) * n // k) * step) for j in range(k)]
        try:
            inits = [tuple(_identity(op, v) for op, v in zip(ops, values)) for _ in bounds]
            parts = loop.run(bounds, step, shared, inits, threads)
        except OverflowError:  # bounds beyond 64 bits
            parts = None
        if parts is not None:
            if not ops:
                return None
            out = list(values)
            for part in parts:
                for j, op in enumerate(ops):
                    out[j] = _COMBINE[op](out[j], part[j])
            return tuple(out)
    return loop.body(rng.start, rng.stop, rng.step, *shared, *values)


def _builtin(func, name):
    """Whether ``name`` means the builtin of that name in ``func``."""
    import builtins

    return name not in func.__code__.co_varnames and func.__globals__.get(name, getattr(builtins, name)) is getattr(
        builtins, name
    )


def _is_prange_object(obj):
    """``pyston.prange`` (the builtin ``range``) or Numba's ``prange``."""
    if obj is range:
        return True
    return getattr(obj, "__name__", None) == "prange" and "numba" in (getattr(obj, "__module__", "") or "")


def _breaks(body):
    """Whether a ``break`` in ``body`` leaves the loop ``body`` belongs to."""
    todo = list(body)
    while todo:
        s = todo.pop()
        if isinstance(s, ast.Break):
            return True
        if isinstance(s, (ast.For, ast.While, ast.AsyncFor) + _SCOPES):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            todo.extend(x for x in getattr(s, field, []) if isinstance(x, ast.AST))
    return False
