"""Regression tests for defects a differential fuzzer found: crashes, wrong
results and internal errors leaking out of strict (fallback) mode. Each case
is run plain and compiled and must agree with CPython, or (where pyston
cannot be exact) raise the exception CPython raises for the same reason,
never crash."""

from __future__ import annotations

import math
import random
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_equal_exact


def quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        return fn(*args)


def run_script(src, tmp_path):
    # From a file: functions need their source to compile.
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(src))
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)


def test_deep_recursion_with_a_raised_limit_does_not_crash(tmp_path):
    r = run_script(
        """
        import sys, pyston

        @pyston.fast
        def rec(n):
            return 0 if n <= 0 else rec(n - 1) + 1

        sys.setrecursionlimit(100_000)
        for n in (5_000, 10_500, 20_000, 60_000):
            try:
                print(rec(n))
            except RecursionError:
                print("RecursionError")
        print("plain Python" not in rec.inspect_types())
        """,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.split()
    assert lines[:2] == ["5000", "10500"] and lines[-1] == "True"  # compiled, not plain Python
    assert all(x in ("20000", "60000", "RecursionError") for x in lines[2:-1])


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_running_out_of_memory_raises_memory_error(tmp_path):
    # A list growing forever under a memory limit: CPython raises MemoryError;
    # pyston's own allocations on the way out must not abort the process.
    r = run_script(
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
        import pyston

        @pyston.fast
        def grow(x):
            count = 0
            for i in x:
                if count > 1:
                    x.append(2.0)
                count += 1
            return count

        for attempt in range(2):
            try:
                grow([1.0, 1.0, 1.0])
            except MemoryError:
                print("MemoryError")
        print("plain Python" not in grow.inspect_types())
        """,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["MemoryError", "MemoryError", "True"]


def test_mutual_recursion_past_the_limit_raises_recursion_error(tmp_path):
    r = run_script(
        """
        import pyston

        @pyston.fast
        def even(n):
            return True if n == 0 else odd(n - 1)

        @pyston.fast
        def odd(n):
            return False if n == 0 else even(n - 1)

        try:
            even(10**7)
        except RecursionError:
            print("RecursionError")
        print(even(100))
        """,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["RecursionError", "True"]


@pytest.mark.parametrize("size", [64 * 1024, 128 * 1024, 256 * 1024])
def test_first_call_on_a_thread_with_a_small_stack(size, tmp_path):
    r = run_script(
        f"""
        import threading, pyston

        @pyston.fast
        def add(x):
            return x + 1

        @pyston.fast
        def rec(n):
            return 0 if n <= 0 else rec(n - 1) + 1

        def work():
            out.append((add(1), add(2.5)))
            try:
                out.append(rec(3000))
            except RecursionError:
                out.append("RecursionError")

        out = []
        try:
            threading.stack_size({size})
        except ValueError:  # below the platform's minimum (aarch64 Linux: 128 KiB)
            print("below-minimum")
            raise SystemExit(0)
        t = threading.Thread(target=work)
        t.start()
        t.join()
        print(out)
        """,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    if r.stdout.startswith("below-minimum"):
        pytest.skip(f"a {size}-byte thread stack is below this platform's minimum")
    assert r.stdout.startswith("[(2, 3.5), ")


def test_math_degrees_and_radians_bit_for_bit():
    def conv(x):
        return math.degrees(x), math.radians(x)

    fast = pyston.fast(conv)
    rng = random.Random(17)
    xs = [9.0, 1.0, -0.0, 1e308, 5e-324, math.pi] + [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    for x in xs:
        assert fast(x) == conv(x), x


def test_internal_error_runs_as_python_in_fallback_mode():
    def f(n):
        if n > 5:
            n = 3
        for i in range(n, 9):  # noqa: B007 (the fuzzer's reproducer)
            pass
        return n

    for n in (np.int64(3), np.int64(7)):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            assert pyston.fast(f)(n) == f(n)
        assert all(issubclass(w.category, pyston.PerformanceWarning) for w in rec)


def test_cranelift_rejection_runs_as_python_in_fallback_mode():
    def g(a, n):
        for i in range(n):
            n *= a[i]
        return n

    a = np.arange(1, 4, dtype=np.int32)
    want = g(a, np.int32(-3))
    got = quiet(pyston.fast(g), a, np.int32(-3))
    assert got == want and type(got) is type(want)


def test_iterating_a_0d_array_raises_numpys_error():
    def it(a):
        s = 0.0
        for x in a:
            s += x
        return s

    with pytest.raises(TypeError, match="iteration over a 0-d array"):
        quiet(pyston.fast(it), np.array(1.0))


def test_exception_from_compiled_code_each_call():
    def pick(a, i):
        return a[i]

    f = pyston.fast(pick)
    a = np.arange(3.0)
    for _ in range(200):
        with pytest.raises(IndexError, match="index 10 is out of bounds"):
            f(a, 10)
    assert f(a, 1) == 1.0


def test_threads_compile_and_run_concurrently():
    @pyston.fast
    def total(a):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i]
        return s

    a = np.arange(1000.0)
    out = []

    def work():
        out.append(total(a))

    ts = [threading.Thread(target=work) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == [a.sum()] * 8 or out == [sum(a.tolist())] * 8


def test_bool_array_bytes_other_than_0_1_read_as_numpy_reads_them():
    def m(b):
        return (not b[0], b[0] == True, int(b[0]), bool(b[1]), b[2] and 5, b[0] + b[2])  # noqa: E712

    b = np.array([2, 0, 255], np.uint8).view(np.bool_)
    want = m(b)
    got = pyston.fast(m)(b)
    assert got == want and [type(x) for x in got] == [type(x) for x in want]


@pytest.mark.parametrize("ndim", [20, 26, 32])
def test_compile_time_does_not_grow_exponentially_with_ndim(ndim):
    import time

    def s(a):
        return a.sum()

    a = np.ones((1,) * ndim)
    f = pyston.fast(s)
    t0 = time.perf_counter()
    assert f(a) == s(a)
    # A hang guard, not a speed test: a few ms here (it was 1.9 s at ndim 26, exponential).
    assert time.perf_counter() - t0 < 5.0


def test_int_union_as_range_bound_compiles():
    # Found by the fuzzer: `int | np.int64` (or np.int32 from an array) as a range
    # bound was an internal compiler error.
    def f1(n):
        v = 11
        v = 3 - np.int64(v)
        s = 0
        for i in range(max(v, -4), 5):
            s += i
        return s

    def f2(a, n):
        v = n
        if n > 2:
            v = a[0]
        t = 0
        for i in range(v, 6):
            t += i
        return t

    a = np.array([3, 4], np.int32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)  # compiled, no fallback
        assert pyston.fast(f1)(1) == f1(1)
        for n in (1, 5):
            assert pyston.fast(f2)(a, n) == f2(a, n)


def test_handler_edge_converting_a_value_from_a_deopt_point_compiles():
    # Found by the fuzzer (seed 909002915, nested try/finally around a line
    # compiled code cannot run): a deopt point inside the inner `finally` whose
    # instruction raised jumped to the outer compiled handler, converting `m`
    # (int | unbound there, int | np.uint8 | unbound in the handler); the
    # conversion's own deopt reused another instruction's deopt block (Cranelift:
    # "uses value from non-dominating inst"). Such an edge now leaves the
    # exception to the interpreter tier.
    def f(n, m):
        m = np.uint8(m)
        try:
            try:
                v1 = -n if m > 3 else 6.665
                return m
            except KeyError:
                m = min((1 for g2 in range(m)), default=v1)
            finally:
                if m > 3:
                    pass
        except IndexError:
            if m < 2.0:
                return 1.0

    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)  # compiled, no fallback
        for n, m in [(3.5, 13), (-0.5, 1), (-0.5, 7), (-2.0, 0)]:
            assert_equal_exact(f(n, m), pyston.fast(f)(n, m))


@pytest.mark.parametrize("n", [np.int32(-3), np.int32(3), np.int32(2), 3, np.int64(2)], ids=repr)
def test_np_int32_range_bound_with_hoisted_index_guard(n):
    # Issue #17 item 9 (and the fuzzer): the guard hoisted before the loop used
    # the int32 bound as a 64-bit value (Cranelift's verifier rejected it).
    def g(a, n):
        for i in range(n):
            n *= a[i]
        return n

    a = np.arange(1, 4, dtype=np.int32)
    want = g(a, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = pyston.fast(g)(a, n)
    assert got == want and type(got) is type(want)


RECURSION_KERNELS = """
import sys, numpy as np, pyston

def rec(n):
    return 0 if n <= 0 else rec(n - 1) + 1

def rec_float(x):
    return 0.0 if x <= 0.0 else rec_float(x - 1.0) * 0.5 + 1.0

def even(n):
    return True if n == 0 else odd(n - 1)

def odd(n):
    return False if n == 0 else even(n - 1)

def even_mixed(n):  # compiled, calling a plain Python function
    return True if n == 0 else odd_plain(n - 1)

def odd_plain(n):
    return False if n == 0 else even_mixed(n - 1)

def rec_array(a, i):
    return a[0] if i == 0 else rec_array(a, i - 1) + a[i % a.shape[0]]

def rec_plain(n, seen):
    seen.append(n)  # a list argument: runs as plain Python through the dispatcher
    return 0 if n <= 0 else rec_plain(n - 1, seen) + 1

CASES = [("rec_plain", (10**6, [])), ("rec", (10**6,)), ("rec_float", (1e6,)), ("even", (10**7,)), ("odd", (10**7,)), ("even_mixed", (10**7,)), ("rec_array", (np.ones(3), 10**6))]

def message(name, args):
    try:
        globals()[name](*args)
    except RecursionError as e:
        return str(e)
    return "no error"

for compiled in (False, True):
    if compiled:
        for name, _ in CASES:
            globals()[name] = pyston.fast(globals()[name])
    for name, args in CASES:
        print(name, repr(message(name, args)))
        # From inside another Python function and again (the message must not
        # depend on the caller's stack or on what ran before).
        print(name, repr((lambda: message(name, args))()))
"""


def test_recursion_error_message_is_cpythons(tmp_path):
    r = run_script(RECURSION_KERNELS, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    half = len(lines) // 2
    assert lines[:half] == lines[half:]
    assert all("maximum recursion depth exceeded" in line for line in lines)


def test_compile_time_probing_does_not_warn():
    def kernel(x, flag, a):
        if flag:
            y = np.sqrt(-0.5) + np.log(x) + np.arcsin(2.0) + np.log(np.zeros(2))[0]
            a[0] = np.float64(1e308) * 10.0 / a[1] + np.divide(1.0, 0.0)
            return y + np.sqrt(a).sum()
        return x + 1.0

    with warnings.catch_warnings(record=True) as w, np.errstate(all="warn"):
        warnings.simplefilter("always")
        r = pyston.fast(kernel)(np.float64(-0.5), False, np.array([-1.0, 0.0]))
    assert r == 0.5
    assert [str(x.message) for x in w] == []


def warnings_of(fn, *args):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = fn(*args)
    return r, [(x.category, str(x.message), x.filename, x.lineno) for x in w]


def warn_sqrt(x):
    y = x * 2.0
    return np.sqrt(y)


def warn_divide(a):
    t = a[0]
    return t / 0.0


def warn_array_call(a):
    b = a - 1.0
    return np.log(b)


def warn_compare(a, s):
    # float comparisons are called without a frame at this line only when
    # nothing narrows: a Python float against float32 casts (NumPy 2: overflow)
    return a < s


def warn_complex_compare(a, b):
    return a < b  # complex ordering: "invalid value" for NaN parts


@pytest.mark.parametrize(
    "fn,args",
    [
        (warn_sqrt, (np.float64(-0.5),)),
        (warn_divide, (np.array([1.0]),)),
        (warn_array_call, (np.zeros(3),)),
        pytest.param(
            warn_compare,
            (np.zeros(3, np.float32), 1e300),
            marks=pytest.mark.skipif(np.__version__ < "2", reason="NumPy 1.x promotes to float64: no warning"),
        ),
        (warn_complex_compare, (np.array([complex("nan"), 1j]), np.array([1.0, 2.0]))),
    ],
)
def test_warnings_from_compiled_code_carry_the_kernels_line(fn, args):
    want_r, want = warnings_of(fn, *args)
    got_r, got = warnings_of(pyston.fast(fn), *args)
    np.testing.assert_array_equal(got_r, want_r)
    assert want and got == want


@pytest.mark.xfail(
    sys.version_info[:2] == (3, 12),
    reason="gap: CPython 3.12 counts a call of a C type (the dispatcher, called through tp_call) and the "
    "eval loop it enters against its C recursion limit (1,500): 2 per level, so RecursionError comes "
    "at about 750 levels; vectorcall would halve it but needs the limited API of 3.12",
    strict=False,
)
def test_recursion_through_a_function_running_as_plain_python_reaches_the_same_depth(tmp_path):
    # Each call of the dispatcher (a C type) took a level of Python's recursion
    # count besides the frame's: RecursionError came at half the plain depth.
    r = run_script(
        """
        import sys, warnings, pyston
        warnings.simplefilter("ignore")

        def rec(n, seen):
            seen.add(n * 0.5)  # (a set of floats: runs as plain Python)
            return 0 if n <= 0 else rec(n - 1, seen) + 1

        def deepest(f):
            lo, hi = 1, 10_000
            while lo < hi:
                mid = (lo + hi + 1) // 2
                try:
                    f(mid, set())
                    lo = mid
                except RecursionError:
                    hi = mid - 1
            return lo

        sys.setrecursionlimit(1000)
        plain = deepest(rec)
        rec = pyston.fast(rec)
        print(plain, deepest(rec))
        """,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    plain, fast = map(int, r.stdout.split())
    assert plain > 900 and abs(plain - fast) <= 2, (plain, fast)


@pytest.mark.parametrize(
    "fn,args",
    [(warn_sqrt, (np.float64(-0.5),)), (warn_divide, (np.array([1.0]),)), (warn_array_call, (np.zeros(3),))],
)
def test_warnings_as_errors_raise_from_the_kernels_line(fn, args):
    def raised(f):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                f(*args)
            except RuntimeWarning as e:
                tb = e.__traceback__
                while tb.tb_next is not None:
                    tb = tb.tb_next
                return type(e), str(e), tb.tb_frame.f_code.co_filename, tb.tb_lineno
        return None

    want = raised(fn)
    assert want is not None
    assert raised(pyston.fast(fn)) == want


def _lambda_in_dead_branch(n, xs):
    if n > 0 or True:  # CPython's compiler drops the else branch (and its lambda's code)
        return 1
    else:
        v = min(xs, key=lambda t: abs(t - n))
    return v


def test_unsupported_found_while_typing_falls_back():
    f = pyston.fast(_lambda_in_dead_branch)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert f(3, [1.0, 2.0]) == 1
    assert any(issubclass(x.category, pyston.PerformanceWarning) for x in w)
    with pytest.raises(pyston.CompileError, match="lambda"):
        pyston.fast(fallback=False)(_lambda_in_dead_branch)(3, [1.0, 2.0])
