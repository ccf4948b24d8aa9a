"""Differential-testing helpers for the pyston test suite.

Every kernel runs twice: once as plain Python (``fast_fn.py_func``) and once
through pyston, on independent copies of the arguments.  The two runs must
agree exactly: same exception type and message, or same result type and value
(bit for bit for floats, dtype and shape for arrays), and the same side effects
on array arguments.

Environment variables:

``PYSTON_TEST_SEED``
    Seed for all random data (default: a fresh random seed per run; it is
    printed in the pytest header and in every differential failure message).
``PYSTON_TEST_ALLOW_FALLBACK=1``
    Do not fail when a kernel that uses only supported features emits
    ``pyston.PerformanceWarning`` (i.e. fell back to the interpreter tier).
"""

import copy
import math
import os
import random
import re
import warnings
import zlib

import numpy as np
import pyston

SEED = int(os.environ.get("PYSTON_TEST_SEED", random.randrange(2**32)))
ALLOW_FALLBACK = os.environ.get("PYSTON_TEST_ALLOW_FALLBACK", "") == "1"

# 64-bit signed integer limits, handy in parametrisations.
I64_MAX = 2**63 - 1
I64_MIN = -(2**63)


def rng_for(name):
    """A NumPy Generator seeded from the run seed and ``name`` (stable per test)."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


# --------------------------------------------------------------------------
# copying arguments while keeping their exact memory layout
# --------------------------------------------------------------------------


def clone_array(a):
    """Copy ``a`` into fresh memory with *identical* shape, dtype and strides.

    ``copy.deepcopy``/``a.copy()`` would turn a strided or negative-stride view
    into a contiguous array, which would change the layout pyston sees.
    """
    itemsize = a.itemsize
    if a.size == 0:
        lo, hi = 0, 0
    else:
        lo = sum(s * (n - 1) for s, n in zip(a.strides, a.shape) if s < 0)
        hi = sum(s * (n - 1) for s, n in zip(a.strides, a.shape) if s > 0) + itemsize
    # allocate with 16-byte alignment (complex128 items), then view as bytes
    nbytes = hi - lo
    raw = np.empty((nbytes + 15) // 16 + 1, dtype=np.complex128).view(np.uint8)[:nbytes]
    out = np.ndarray(a.shape, dtype=a.dtype, buffer=raw, offset=-lo, strides=a.strides)
    if a.size:
        out[...] = a
    if not a.flags.writeable:
        out.flags.writeable = False
    return out


def clone(x):
    if isinstance(x, np.ndarray):
        return clone_array(x)
    if isinstance(x, tuple):
        items = tuple(clone(v) for v in x)
        # (a namedtuple stays an instance of its class)
        return items if type(x) is tuple else tuple.__new__(type(x), items)
    if isinstance(x, list):
        return [clone(v) for v in x]
    if isinstance(x, dict):
        return {k: clone(v) for k, v in x.items()}
    if isinstance(x, set):
        return set(x)  # (its elements are immutable)
    if isinstance(x, random.Random):
        return copy.copy(x)  # the same class and state (its own Mersenne Twister, gauss_next)
    return x  # Python and NumPy scalars are immutable


# --------------------------------------------------------------------------
# exact comparison
# --------------------------------------------------------------------------


def _short(x, limit=300):
    r = repr(x)
    if len(r) > limit:
        r = r[:limit] + f"...<{len(r)} chars>"
    return r


def _float_same(e, a):
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    return e == a and math.copysign(1.0, e) == math.copysign(1.0, a)


def _array_same(e, a):
    """Return None if equal, else a string describing the difference."""
    if e.dtype != a.dtype:
        return f"dtype {e.dtype} != {a.dtype}"
    if e.shape != a.shape:
        return f"shape {e.shape} != {a.shape}"
    kind = e.dtype.kind
    if kind == "c":
        for part in ("real", "imag"):
            d = _array_same(np.ascontiguousarray(getattr(e, part)), np.ascontiguousarray(getattr(a, part)))
            if d:
                return part + ": " + d
        return None
    if kind == "f":
        en, an = np.isnan(e), np.isnan(a)
        if not np.array_equal(en, an):
            return "NaN positions differ"
        ok = ~en
        if not np.array_equal(e[ok], a[ok]):
            return "values differ"
        if not np.array_equal(np.signbit(e[ok]), np.signbit(a[ok])):
            return "signs of zeros differ"
        return None
    if not np.array_equal(e, a):
        return "values differ"
    return None


def diff(e, a, path="result"):
    """Return None when ``e`` and ``a`` are exactly the same, else a description."""
    if type(e) is not type(a):
        return f"{path}: type {type(e).__name__} != {type(a).__name__} ({_short(e)} vs {_short(a)})"
    if isinstance(e, np.ndarray):
        d = _array_same(e, a)
        if d:
            return f"{path}: {d}\n  expected {_short(e)}\n  got      {_short(a)}"
        return None
    if isinstance(e, np.generic):
        d = _array_same(np.asarray(e), np.asarray(a))
        if d:
            return f"{path}: {d} ({_short(e)} vs {_short(a)})"
        return None
    if isinstance(e, float):
        if not _float_same(e, a):
            return f"{path}: {e!r} != {a!r}"
        return None
    if isinstance(e, complex):
        if not (_float_same(e.real, a.real) and _float_same(e.imag, a.imag)):
            return f"{path}: {e!r} != {a!r}"
        return None
    if isinstance(e, (tuple, list)):
        if len(e) != len(a):
            return f"{path}: length {len(e)} != {len(a)} ({_short(e)} vs {_short(a)})"
        for i, (x, y) in enumerate(zip(e, a)):
            d = diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(e, random.Random):
        if e.getstate() != a.getstate():
            return f"{path}: a {type(e).__name__} in another state"
        return None
    if isinstance(e, BaseException):
        if str(e) != str(a):
            return f"{path}: message {str(e)!r} != {str(a)!r}"
        return None
    if e != a:
        return f"{path}: {_short(e)} != {_short(a)}"
    return None


def assert_equal_exact(expected, actual, what="value"):
    d = diff(expected, actual, what)
    assert d is None, f"{d} [PYSTON_TEST_SEED={SEED}]"


# --------------------------------------------------------------------------
# the differential runner
# --------------------------------------------------------------------------


def _run(fn, args, kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fn(*args, **kwargs)
            exc = None
        except Exception as ex:  # noqa: BLE001 - we compare any exception
            res = None
            exc = ex
    return res, exc, caught


def _needs_bigint(x):
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return not (I64_MIN <= x <= I64_MAX)
    if isinstance(x, (tuple, list)):
        return any(_needs_bigint(v) for v in x)
    return False


# Documented gap (docs/semantics.md, "NumPy float + - * overflow/invalid
# warnings"): compiled code does not emit these; the values still must match.
WARNING_GAP = re.compile(r"RuntimeWarning: (overflow|invalid value) encountered in (scalar )?(add|subtract|multiply)$")


def _warning_set(caught):
    """The warnings a call gave, as a sorted set of 'Category: message' strings.

    pyston's own warnings (falling back, Numba compatibility notes) and the
    documented gap are left out: they are compared elsewhere or not at all.
    """
    own = (pyston.PerformanceWarning, pyston.NumbaCompatibilityWarning)
    out = set()
    for w in caught:
        if issubclass(w.category, own):
            continue
        s = f"{w.category.__name__}: {w.message}"
        if not WARNING_GAP.match(s):
            out.add(s)
    return sorted(out)


def differential(fast_fn, *args, allow_fallback=False, kwargs=None, warnings_too=True):
    """Run plain and compiled; return (description-or-None, expected_result)."""
    kwargs = kwargs or {}
    py_args, py_kwargs = clone(args), clone(kwargs)
    jit_args, jit_kwargs = clone(args), clone(kwargs)
    name = getattr(fast_fn.py_func, "__qualname__", repr(fast_fn))
    head = f"{name}{_short(args, 400)} [PYSTON_TEST_SEED={SEED}]"

    e_res, e_exc, e_warn = _run(fast_fn.py_func, py_args, py_kwargs)
    a_res, a_exc, a_warn = _run(fast_fn, jit_args, jit_kwargs)

    problems = []
    if not (allow_fallback or ALLOW_FALLBACK or _needs_bigint(args)):
        perf = [w for w in a_warn if issubclass(w.category, pyston.PerformanceWarning)]
        if perf:
            problems.append(f"fell back to the interpreter tier (PerformanceWarning: {perf[0].message})")
    if e_exc is not None or a_exc is not None:
        if e_exc is None:
            problems.append(
                f"plain Python returned {_short(e_res)} but pyston raised {type(a_exc).__name__}: {a_exc}"
            )
        elif a_exc is None:
            problems.append(
                f"plain Python raised {type(e_exc).__name__}: {e_exc} but pyston returned {_short(a_res)}"
            )
        elif type(e_exc) is not type(a_exc) or str(e_exc) != str(a_exc):
            problems.append(
                f"exception differs: expected {type(e_exc).__name__}({str(e_exc)!r}), got {type(a_exc).__name__}({str(a_exc)!r})"
            )
    else:
        d = diff(e_res, a_res, "result")
        if d:
            problems.append(d)
    if warnings_too:
        ew, aw = _warning_set(e_warn), _warning_set(a_warn)
        if ew != aw:
            problems.append(f"warnings differ: expected {ew}, got {aw}")
    # side effects on (array) arguments
    for i, (pa, ja) in enumerate(zip(py_args, jit_args)):
        d = diff(pa, ja, f"argument {i} after the call")
        if d:
            problems.append(d)
    for k in py_kwargs:
        d = diff(py_kwargs[k], jit_kwargs[k], f"argument {k} after the call")
        if d:
            problems.append(d)
    if problems:
        return head + ":\n  " + "\n  ".join(problems), (e_res, e_exc)
    return None, (e_res, e_exc)


def assert_same(fast_fn, *args, allow_fallback=False, kwargs=None):
    """Assert that ``fast_fn(*args)`` behaves exactly like ``fast_fn.py_func(*args)``.

    Returns the plain-Python result (or raised exception) for further checks.
    """
    msg, (res, exc) = differential(fast_fn, *args, allow_fallback=allow_fallback, kwargs=kwargs)
    assert msg is None, msg
    return exc if exc is not None else res


def assert_same_all(fast_fn, cases, allow_fallback=False, max_report=15):
    """Run ``assert_same`` on every argument tuple in ``cases``; report all failures together."""
    failures = []
    n = 0
    for args in cases:
        if not isinstance(args, tuple):
            args = (args,)
        n += 1
        msg, _ = differential(fast_fn, *args, allow_fallback=allow_fallback)
        if msg:
            failures.append(msg)
    assert n > 0, "no cases were generated"
    if failures:
        shown = "\n".join(failures[:max_report])
        more = "" if len(failures) <= max_report else f"\n... and {len(failures) - max_report} more"
        raise AssertionError(f"{len(failures)} of {n} cases differ:\n{shown}{more}")


# --------------------------------------------------------------------------
# array layout variants
# --------------------------------------------------------------------------


def _strided_copy(base, offset=0):
    """A view with every other element along each axis (plus ``offset``), same content as base."""
    shape = tuple(2 * n + offset for n in base.shape)
    buf = np.zeros(shape, dtype=base.dtype)
    view = buf[tuple(slice(offset, None, 2) for _ in base.shape)]
    view[...] = base
    return view


def variants(base):
    """Return [(name, array)]: the same logical content in different memory layouts.

    Every variant compares equal to ``base`` element by element, so hand-written
    expectations hold for all of them; only the strides differ.
    """
    base = np.asarray(base)
    out = [("C", np.ascontiguousarray(base).copy())]
    if base.ndim == 0:
        return out
    if base.ndim >= 2:
        out.append(("F", np.asfortranarray(base).copy(order="F")))
    out.append(("strided", _strided_copy(base)))
    out.append(("strided_offset", _strided_copy(base, offset=1)))
    rev_all = tuple(slice(None, None, -1) for _ in range(base.ndim))
    out.append(("reversed", base[::-1].copy()[::-1]))
    if base.ndim >= 2:
        out.append(("all_reversed", base[rev_all].copy()[rev_all]))
    if base.ndim == 2:
        out.append(("transposed", np.ascontiguousarray(base.T).T))
        tbuf = np.zeros((base.shape[1], 2 * base.shape[0]), dtype=base.dtype)
        tbuf[:, ::2] = base.T
        out.append(("transposed_strided", tbuf[:, ::2].T))
        out.append(("cols_reversed", base[:, ::-1].copy()[:, ::-1]))
    if base.ndim == 3:
        out.append(("transposed", np.ascontiguousarray(base.transpose(2, 0, 1)).transpose(1, 2, 0)))
    for name, v in out:
        assert np.array_equal(v, base, equal_nan=base.dtype.kind in "fc"), name
        assert v.dtype == base.dtype and v.shape == base.shape, name
    return out


def variant_ids(base):
    return [name for name, _ in variants(base)]


DTYPES = [np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128]


def random_array(rng, shape, dtype):
    """Random data of ``dtype``: small integers for int types, mixed signs for floats."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(dtype)
    if dtype.kind in "iu":
        return rng.integers(-50, 50, size=shape).astype(dtype)
    if dtype.kind == "f":
        return (rng.standard_normal(size=shape) * 10).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(size=shape) + 1j * rng.standard_normal(size=shape)).astype(dtype)
    raise ValueError(dtype)


# --------------------------------------------------------------------------
# misc
# --------------------------------------------------------------------------


def rss_bytes():
    """Resident set size of this process, read from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def line_of(path, marker):
    """1-based number of the single line in ``path`` that contains ``#@<marker>``."""
    pattern = re.compile(r"#\s*@" + re.escape(marker) + r"$")
    with open(path) as f:
        hits = [i for i, line in enumerate(f, 1) if pattern.search(line.rstrip())]
    assert len(hits) == 1, f"marker #@{marker} found {len(hits)} times"
    return hits[0]


def source_line(path, lineno):
    with open(path) as f:
        return f.read().splitlines()[lineno - 1]


__all__ = [
    "SEED",
    "I64_MAX",
    "I64_MIN",
    "DTYPES",
    "rng_for",
    "clone",
    "clone_array",
    "diff",
    "assert_equal_exact",
    "assert_same",
    "assert_same_all",
    "differential",
    "variants",
    "variant_ids",
    "random_array",
    "rss_bytes",
    "line_of",
    "source_line",
]


def native(fn, *args):
    """`fn` compiles for these arguments (a `fallback=False` twin raises CompileError otherwise)."""
    twin = pyston.fast(fallback=False)(fn.py_func)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        try:
            twin(*args)
        except pyston.CompileError:
            raise
        except Exception:  # noqa: BLE001 - the kernel's own exception: it compiled
            pass


def check(fn, cases):
    """Each case compiles natively, and compiled and plain agree on all of them."""
    for args in cases:
        native(fn, *clone(tuple(args)))  # (on copies: the cases' own arguments stay as they are)
    assert_same_all(fn, cases)
