"""Guards on globals and builtins checked by the dictionaries' versions
(`env::Guard::holds`): a name whose dictionaries have not changed since its
guard last held is not looked up again. Every way of changing the globals or
the builtins between calls, and between a generator's steps, is seen on the
next call or step exactly as CPython sees it: differential against the plain
function, values and types."""

import builtins
import linecache
import sys
import sysconfig

import numpy as np
import pyston

SRC = """
SCALE = 2.0

def kernel(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * SCALE
    return s, abs(s)

def neg(x):
    return -x - 1.0

def steps(a):
    for i in range(len(a)):
        t = 0.0
        for j in range(i + 1):
            t += a[j] * SCALE
        yield abs(t)
"""


def _module():
    path = "<guard versions>"
    linecache.cache[path] = (len(SRC), None, SRC.splitlines(True), path)
    ns = {"__name__": "guard_versions", "__builtins__": builtins}
    exec(compile(SRC, path, "exec"), ns)
    return ns


def _plain_module():
    ns = {"__name__": "guard_versions_plain", "__builtins__": builtins}
    exec(compile(SRC, "<guard versions plain>", "exec"), ns)
    return ns


def _changes():
    """(description, change of a module's namespace) pairs, applied in turn."""

    def set_scale(ns):
        ns["SCALE"] = 3.0

    def set_scale_same(ns):
        ns["SCALE"] = ns["SCALE"]  # the same object: nothing changes

    def update(ns):
        ns.update(SCALE=-1.5, other=1)

    def shadow_abs(ns):
        ns["abs"] = ns["neg"]  # a global now shadows the builtin

    def unshadow_abs(ns):
        del ns["abs"]

    def unrelated(ns):
        ns["unrelated"] = object()  # a change, but not of a name read

    def setdefault(ns):
        ns.pop("SCALE")
        ns.setdefault("SCALE", 0.5)

    def int_scale(ns):
        ns["SCALE"] = 4  # another type

    return [
        ("set", set_scale),
        ("same", set_scale_same),
        ("update", update),
        ("shadow abs", shadow_abs),
        ("unrelated", unrelated),
        ("unshadow abs", unshadow_abs),
        ("setdefault", setdefault),
        ("int", int_scale),
    ]


def test_calls_see_every_change_of_globals():
    ns, plain = _module(), _plain_module()
    fast = pyston.fast(fallback=False)(ns["kernel"])
    a = np.random.default_rng(5).normal(size=17)
    assert fast(a) == plain["kernel"](a)
    for _ in range(3):  # the same dictionaries: the versions' fast path
        assert fast(a) == plain["kernel"](a)
    for what, change in _changes():
        change(ns)
        change(plain)
        got, want = fast(a), plain["kernel"](a)
        assert got == want and [type(x) for x in got] == [type(x) for x in want], what


def test_generator_steps_see_changes_of_globals_and_builtins():
    ns, plain = _module(), _plain_module()
    fast = pyston.fast(fallback=False)(ns["steps"])
    a = np.random.default_rng(6).normal(size=12)
    g, h = fast(a), plain["steps"](a)
    changes = _changes()
    saved_abs = builtins.abs
    try:
        for k in range(12):
            x, y = next(g), next(h)
            assert x == y and type(x) is type(y), k
            if k < len(changes):
                changes[k][1](ns)
                changes[k][1](plain)
            elif k == len(changes):
                builtins.abs = ns["neg"] if g is not None else None  # the builtin itself rebound
            else:
                builtins.abs = saved_abs
    finally:
        builtins.abs = saved_abs


def test_versions_read_where_cpython_keeps_them():
    # CPython 3.9-3.13 (not free-threaded): the guards' fast path is on
    on = (3, 9) <= sys.version_info[:2] <= (3, 13) and not sysconfig.get_config_var("Py_GIL_DISABLED")
    assert pyston._pyston._dict_versions() == on
