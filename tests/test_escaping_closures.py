"""Nested functions and lambdas used as values ("escaping"): returned, stored
in containers, passed to functions that are not inlined.

Compiled code makes the Python function CPython makes (its own code object,
the caller's globals, a closure of cells), where the variables it reads are
bound for the last time before it is made; elsewhere the function runs as
plain Python, with the reason. Differential: each kernel runs plain and
compiled; the functions returned are compared by what a user can see of them
(`__name__`, `__qualname__`, `__module__`, `__doc__`, `__defaults__`, their
closure's contents, which of them are the same object) and by calling them on
inputs (value and type, or exception type and message and the traceback's
frames).
"""

import math
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_equal_exact, clone, native, rng_for

# --------------------------------------------------------------------------
# comparing results that hold functions
# --------------------------------------------------------------------------


def _call(f, args):
    try:
        return ("value", f(*args))
    except Exception as e:  # noqa: BLE001 - compared by type, message and frames
        frames = []
        tb = e.__traceback__.tb_next  # (this helper's frame left out)
        while tb is not None:
            frames.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
            tb = tb.tb_next
        return ("raised", type(e).__name__, str(e), frames)


def _describe(x, calls, seen, depth=0):
    """What a user can see of `x`, with each function replaced by its
    attributes, its closure's contents and its results on `calls`."""
    if callable(x) and type(x).__name__ == "function":
        if id(x) in seen:
            return ("function #", seen[id(x)])
        seen[id(x)] = len(seen)
        cells = []
        for c in x.__closure__ or ():
            # (which cells are the same object: CPython's functions made in
            # one call share one cell per variable)
            seen.setdefault(("cell", id(c)), len(seen))
            cells.append(("cell #", seen[("cell", id(c))]))
            try:
                v = c.cell_contents
            except ValueError:
                cells.append("<empty>")
                continue
            cells.append(_describe(v, (), seen, depth + 1) if depth < 3 else repr(type(v)))
        n = x.__code__.co_argcount
        results = [_call(x, a) for a in calls if len(a) == n]
        return (
            "function",
            x.__name__,
            x.__qualname__,
            x.__module__,
            x.__doc__,
            x.__defaults__,
            x.__code__.co_freevars,
            tuple(cells),
            tuple(results),
        )
    if isinstance(x, tuple):
        return tuple(_describe(v, calls, seen, depth) for v in x)
    if isinstance(x, list):
        return [_describe(v, calls, seen, depth) for v in x]
    if isinstance(x, dict):
        return {k: _describe(v, calls, seen, depth) for k, v in x.items()}
    return x


def same(fn, *args, calls=((),), compiled=True):
    """`fn(*args)` plain and compiled agree, functions in the result included;
    `compiled`: it compiles natively (no fallback)."""
    if compiled:
        native(fn, *clone(args))
    with warnings.catch_warnings():
        if compiled:  # (checked above)
            warnings.simplefilter("ignore", pyston.PerformanceWarning)
        e = _call(fn.py_func, clone(args))
        a = _call(fn, clone(args))
    if e[0] == "raised":
        assert a[0] == "raised", a
        assert_equal_exact(e[1:3], a[1:3], "exception")
        return
    ed = _describe(e[1], calls, {})
    ad = _describe(a[1], calls, {})
    assert_equal_exact(ed, ad, "result")
    return e[1], a[1]


def falls_back(fn, *args, match):
    """`fn` runs as plain Python (the reason matching `match`), with CPython's result."""
    with pytest.warns(pyston.PerformanceWarning, match=match):
        same(fn, *args, compiled=False)


# --------------------------------------------------------------------------
# factories
# --------------------------------------------------------------------------


@pyston.fast
def make_scaler(k):
    def scale(x):
        "Multiplies by k."
        return x * k

    return scale


@pyston.fast
def make_adder(k):
    return lambda x: x + k


@pyston.fast
def make_ops(a, b):
    s = a + b
    d = a - b

    def add(x):
        return x + s

    def sub(x):
        return x - d

    return add, sub, (lambda x: x * s, lambda x: x / d)


@pyston.fast
def make_from_loop(a):
    # the captured variables are bound (by a loop) before the function is made
    total = 0.0
    for i in range(len(a)):
        total += a[i]
    mean = total / len(a) if len(a) else 0.0

    def centre(x):
        return x - mean

    return centre


@pyston.fast
def make_reads_array(a, k):
    def at(i):
        return a[i] * k

    return at


@pyston.fast
def make_no_closure():
    def two():
        return 2

    return two, lambda: math.pi


@pyston.fast
def make_calls_helper(k):
    def sq(x):
        return x * x

    def f(x):
        return sq(x) + k

    return f


@pyston.fast
def make_fact():
    def fact(n):
        return 1 if n < 2 else n * fact(n - 1)

    return fact


@pyston.fast
def make_raising(k):
    def f(x):
        return x // k

    return f


@pyston.fast
def make_conditional(c, v):
    # unbound on one path: the cell is empty, and a call raises CPython's NameError
    if c:
        k = v
    return lambda: k


@pyston.fast
def make_reads_compiled_global(x):
    return lambda: x + SCALE


SCALE = 10


def test_factories():
    rng = rng_for("escaping factories")
    same(make_scaler, 3, calls=[(4,), (2.5,), (-7,)])
    same(make_scaler, 0.5, calls=[(4,), (2.5,), (np.float64(3.0),)])
    same(make_adder, 2.5, calls=[(4,), (-1.5,)])
    same(make_adder, 2**40, calls=[(2**40,), (1,)])
    same(make_ops, 7, 2, calls=[(1,), (10,), (0.5,)])
    same(make_ops, 3.0, 3.0, calls=[(1,), (10,)])  # the lambda divides by zero when called
    same(make_from_loop, rng.normal(size=10), calls=[(0.0,), (1.5,)])
    same(make_from_loop, np.zeros(0), calls=[(2.0,)])
    same(make_reads_array, np.arange(5.0), 3, calls=[(0,), (4,), (-1,), (5,)])
    same(make_no_closure, calls=[()])
    same(make_calls_helper, 3, calls=[(2,), (0.5,)])
    same(make_fact, calls=[(0,), (5,), (25,)])
    same(make_raising, 3, calls=[(10,), (-10,)])
    same(make_raising, 0, calls=[(10,)])  # ZeroDivisionError from the function's frame
    same(make_conditional, True, 4)
    same(make_conditional, False, 4)  # NameError: free variable 'k' not associated with a value
    same(make_reads_compiled_global, 5)


def test_global_read_at_call_time():
    global SCALE
    f = make_reads_compiled_global(1)
    g = make_reads_compiled_global.py_func(1)
    SCALE = 100
    try:
        assert f() == g() == 101
    finally:
        SCALE = 10


def test_identity_and_attributes():
    f = make_scaler(3)
    g = make_scaler.py_func(3)
    assert type(f) is type(g)
    assert f.__code__ is g.__code__  # the nested function's own code object
    assert f.__globals__ is g.__globals__
    assert f.__name__ == "scale" and f.__qualname__ == "make_scaler.<locals>.scale"
    assert f.__doc__ == "Multiplies by k."
    assert f.__closure__[0].cell_contents == 3
    assert make_scaler(3) is not make_scaler(3)  # a new function per call, as CPython's
    fact = make_fact()
    assert fact.__closure__[0].cell_contents is fact


# --------------------------------------------------------------------------
# passed on, stored, and called locally too
# --------------------------------------------------------------------------


def apply_plain(f, xs):
    return [f(x) for x in xs]


def apply_loop(f, xs):
    out = []
    for x in xs:
        out.append(f(x))
    return out


def keep(f, store):
    store.append(f)
    return len(store)


@pyston.fast
def pass_to_plain(xs, k):
    def f(x):
        return x * k + 1

    # a small plain function is inlined (f's calls too); the other one is
    # compiled on its own, and calls f: the caller runs as plain Python
    return apply_loop(f, xs), apply_plain(f, xs)


@pyston.fast
def pass_to_inlined(xs, k):
    def f(x):
        return x * k + 1

    return apply_loop(f, xs), apply_loop(lambda x: x - k, xs)


@pyston.fast
def pass_to_storing(k, store):
    return keep(lambda x: x + k, store)


@pyston.fast
def pass_to_builtins(xs, k):
    evens = list(filter(lambda x: x % 2 == 0, xs))
    shifted = list(map(lambda x: x + k, xs))
    return evens, shifted, sorted(xs, key=lambda x: -x)


@pyston.fast
def store_in_dict(k):
    d = {}
    d["add"] = lambda x: x + k
    d["mul"] = lambda x: x * k
    return d


@pyston.fast
def store_in_list(k):
    fs = []

    def f(x):
        return x - k

    fs.append(f)
    fs.append(f)
    return fs


@pyston.fast
def called_and_escaping(a, k):
    def f(x):
        return x * k

    s = 0.0
    for i in range(len(a)):
        s += f(a[i])  # inlined
    return s, f


def test_passed_stored_called():
    rng = rng_for("escaping passed")
    xs = [int(v) for v in rng.integers(-20, 20, size=12)]
    same(pass_to_inlined, xs, 3)
    same(pass_to_inlined, [], 3)
    falls_back(pass_to_plain, xs, 3, match="calling a 'function' is not supported")
    native(pass_to_storing, 2, [])
    store, pstore = [], []
    assert pass_to_storing(2, store) == pass_to_storing.py_func(2, pstore) == 1
    assert store[0](5) == pstore[0](5) == 7
    same(pass_to_builtins, xs, 5)
    falls_back(store_in_dict, 4, match="dicts with 'function' values")
    same(store_in_list, 4, calls=[(3,)])  # the same function twice: `is` kept
    r, c = same(store_in_list, 1, calls=[(3,)])
    assert r[0] is r[1] and c[0] is c[1]
    same(called_and_escaping, rng.normal(size=9), 1.5, calls=[(2.0,)])


# --------------------------------------------------------------------------
# late binding and `nonlocal`: the compiled form only where nothing changes
# after the function is made; the rest runs as plain Python
# --------------------------------------------------------------------------


@pyston.fast
def rebound_after(k):
    def f():
        return k

    k = k + 1  # a call of f sees this value (late binding)
    return f


@pyston.fast
def rebound_before(k):
    k = k * 2

    def f():
        return k

    return f


@pyston.fast
def loop_lambdas(n):
    fs = []
    for i in range(n):
        fs.append(lambda: i)  # every lambda reads the last i
    return fs


@pyston.fast
def comprehension_lambdas(n):
    return [lambda: i for i in range(n)]


@pyston.fast
def loop_over_bound_before(n, k):
    fs = []
    for _ in range(n):
        fs.append(lambda x: x + k)  # k is bound before the loop: fine
    return fs


@pyston.fast
def counter(start):
    n = start

    def inc():
        nonlocal n
        n += 1
        return n

    return inc


@pyston.fast
def accumulator(a):
    # fitted in a loop, then a running total only the returned function updates
    total = 0.0
    for i in range(len(a)):
        total += a[i]

    def add(x):
        nonlocal total
        total += x
        return total

    return add


@pyston.fast
def counter_pair(start):
    n = start

    def inc():
        nonlocal n
        n += 1

    def get():
        return n

    return inc, get


@pyston.fast
def counter_read_after(start):
    n = start

    def inc():
        nonlocal n
        n += 1
        return n

    return inc, n


@pyston.fast
def counter_called_too(start):
    n = start

    def inc():
        nonlocal n
        n += 1
        return n

    inc()
    return inc


@pyston.fast
def nonlocal_seen_by_compiled(start):
    n = start

    def inc():
        nonlocal n
        n += 1

    apply_plain(lambda _: inc(), [0, 0, 0])
    return n


@pyston.fast
def bound_in_branch_after(c, k):
    f = lambda: k  # noqa: E731
    if c:
        k = -k
    return f


@pyston.fast
def deleted_after(k):
    f = lambda: k  # noqa: E731, F821 (ruff misreads the `del` below)
    del k
    return f


@pyston.fast
def mutual(n):
    def even(m):
        return True if m == 0 else odd(m - 1)

    def odd(m):
        return False if m == 0 else even(m - 1)

    return even


@pyston.fast
def reads_local_list(n):
    acc = []
    f = lambda: len(acc)  # noqa: E731
    for i in range(n):
        acc.append(i)
    return f


def test_late_binding():
    same(rebound_before, 5, calls=[()])
    same(loop_over_bound_before, 3, 10, calls=[(1,)])
    # a variable rebound after the function is made lives in a cell (see the
    # cells section below): compiled
    r = same(rebound_after, 5, calls=[()])
    assert r[1]() == 6
    same(loop_lambdas, 3, calls=[()])
    same(loop_lambdas, 0, calls=[()])
    assert [f() for f in loop_lambdas(3)] == [2, 2, 2]
    same(comprehension_lambdas, 3, calls=[()])
    same(comprehension_lambdas, 0, calls=[()])
    assert [f() for f in comprehension_lambdas(3)] == [2, 2, 2]
    # `nonlocal` in the one function made that uses the variable, which
    # compiled code neither calls nor uses after making it: compiled
    same(counter, 5, calls=[(), (), ()])
    inc = counter(5)
    assert (inc(), inc(), inc.__closure__[0].cell_contents) == (6, 7, 7)
    assert counter(5)() == 6  # a new cell per call
    same(counter, 2**62, calls=[(), ()])  # (past 64 bits in the cell: Python's int)
    same(accumulator, np.arange(4.0), calls=[(1.5,), (2,)])
    # shared with another function: one cell (compiled); read after, or
    # called by compiled code: plain Python
    same(counter_pair, 1, calls=[()])
    inc, get = counter_pair(1)
    inc()
    assert get() == 2
    assert inc.__closure__[0] is get.__closure__[0]
    falls_back(counter_read_after, 1, match="nonlocal n")
    falls_back(counter_called_too, 1, match="nonlocal n")
    assert counter_called_too(1)() == 3
    falls_back(nonlocal_seen_by_compiled, 5, match="nonlocal n")
    assert nonlocal_seen_by_compiled(5) == 8
    same(bound_in_branch_after, True, 3, calls=[()])
    same(bound_in_branch_after, False, 3, calls=[()])
    same(deleted_after, 3, calls=[()])  # NameError: cannot access free variable 'k' ...
    falls_back(mutual, 3, match="reads 'odd', which is assigned after")
    assert mutual(3)(4) is True


# --------------------------------------------------------------------------
# cells: a variable a made function reads after it is bound again
# --------------------------------------------------------------------------


@pyston.fast
def made_then_rebound():
    x = 1
    g = lambda: x  # noqa: E731
    x = 2
    return g(), g  # the inlined call and the made function both see 2


@pyston.fast
def running_totals(a):
    fs = []
    s = 0.0
    for v in a:
        s += v
        fs.append(lambda: s)  # every one reads the final total
    return fs, s


@pyston.fast
def while_cells(n):
    fs = []
    i = 0
    while i < n:
        fs.append(lambda d: i * d)
        i += 1
    return fs


@pyston.fast
def make_box(v):
    def get():
        return v

    def put(x):
        nonlocal v
        v = x

    return get, put


@pyston.fast
def box_and_swap(v, w):
    def get():
        return v

    def swap():
        nonlocal v, w
        v, w = w, v

    return get, swap, lambda: w


@pyston.fast
def inlined_writer(n):
    total = 0

    def add(x):
        nonlocal total
        total += x

    get = lambda: total  # noqa: E731
    for i in range(n):
        add(i)  # inlined: compiled code's total and the cell both change
    return get, total


@pyston.fast
def rebound_past_64_bits(k):
    f = lambda: k  # noqa: E731
    for _ in range(3):
        k = k * 1000  # overflows 64 bits: the interpreter tier finishes the call
    return f, k


@pyston.fast
def read_unbound_after(c):
    g = lambda: x  # noqa: E731, F821
    if c:
        x = 1.5
    return g, x  # c false: UnboundLocalError, as CPython


@pyston.fast
def recursion_through_cell(n):
    def walk(m):
        return 0 if m <= 0 else step + walk(m - 1)

    step = n * 2  # bound after walk is made: walk reads it from the cell
    fs = [walk]
    step = step + 1
    return fs


@pyston.fast
def deleted_then_rebound(k):
    f = lambda: k  # noqa: E731
    del k
    first = f
    k = 7.5
    return first, f


@pyston.fast
def except_name_read(a):
    fs = []
    for i in range(len(a)):
        try:
            v = 1.0 / a[i]
        except ZeroDivisionError:
            v = -1.0
        fs.append(lambda: v)
    return fs


@pyston.fast
def cells_and_values(a, k):
    # k never changes (no cell), m does (a cell): both read by one function
    m = 0.0
    f = lambda x: x * k + m  # noqa: E731
    for i in range(len(a)):
        m += a[i]
    return f


@pyston.fast
def comprehension_cells(a):
    # a new cell per run of the comprehension; nested clauses; a filter
    out = []
    for r in range(2):
        out.append([lambda d: (v + r) * d for v in a if v > 0])
    pairs = [lambda: (i, j) for i in range(2) for j in range(i, 3)]
    return out, pairs


@pyston.fast
def comprehension_key(rows):
    return [sorted(rows, key=lambda t: t[k]) for k in range(2)]


@pyston.fast
def scalar_cells(a, t):
    # cells written natively for NumPy scalars of each dtype, bools and floats
    x = a[0]
    flag = False
    big = a[0] > t
    f = lambda: (x, flag, big)  # noqa: E731
    for i in range(len(a)):
        x = a[i]
        flag = i % 2 == 0
        big = a[i] > t
    return f


def test_cells_hold_numpy_scalars_bools_and_floats():
    rng = rng_for("scalar_cells")
    for dt in (np.float64, np.float32, np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64, np.bool_):
        a = (rng.normal(size=6) * 50).astype(dt)
        r = same(scalar_cells, a, a[2], calls=[()])
        got = r[1]()
        assert type(got[0]) is type(r[0]()[0]) and type(got[2]) is type(r[0]()[2]), (dt, got)
    same(scalar_cells, np.array([np.nan, -0.0, np.inf]), 0.0, calls=[()])
    # the writes into the cells are native: no call into Python per iteration
    for dt in (np.float64, np.uint8, np.bool_, np.float32):
        counts = []
        for n in (10, 100):
            a = np.arange(n).astype(dt)
            scalar_cells(a, a[2])
            c0 = pyston._pyston.pycall_count()
            scalar_cells(a, a[2])
            counts.append(pyston._pyston.pycall_count() - c0)
        assert counts[0] == counts[1], (dt, counts)


def test_cells_late_binding():
    r = same(made_then_rebound, calls=[()])
    assert r[0][0] == r[1][0] == 2
    rng = rng_for("cells")
    for a in (rng.normal(size=5), np.zeros(0), np.array([np.nan, 1.0])):
        fs, s = same(running_totals, a, calls=[()])[1]
        assert all(f() == s or (math.isnan(f()) and math.isnan(s)) for f in fs)
    same(while_cells, 4, calls=[(3,), (0.5,)])
    same(while_cells, 0, calls=[(3,)])
    # one cell shared by a getter and a setter
    same(make_box, 1.5, calls=[(), (2,)])
    get, put = make_box(1.5)
    assert get.__closure__[0] is put.__closure__[0]
    put("s")
    assert get() == "s" and get.__closure__[0].cell_contents == "s"
    same(box_and_swap, 1, 2.5, calls=[()])
    get, swap, w = box_and_swap(1, 2.5)
    swap()
    assert (get(), w()) == (2.5, 1)
    same(inlined_writer, 5, calls=[()])
    g, t = inlined_writer(5)
    assert g() == t == 10
    same(rebound_past_64_bits, 3, calls=[()])
    same(rebound_past_64_bits, 2**40, calls=[()])
    same(read_unbound_after, True, calls=[()])
    same(read_unbound_after, False, calls=[()])
    same(recursion_through_cell, 4, calls=[(2,), (0,)])
    same(deleted_then_rebound, 3, calls=[()])
    same(except_name_read, (2.0, 0.0, 4.0), calls=[()])
    same(except_name_read, (0.0,), calls=[()])
    same(cells_and_values, np.arange(4.0), 2.0, calls=[(1.0,)])
    r = same(comprehension_cells, np.array([1.0, -2.0, 3.0]), calls=[(2.0,), ()])[1]
    assert r[0][0][0].__closure__ is not r[0][1][0].__closure__  # one cell per run
    same(comprehension_cells, np.zeros(0), calls=[()])
    same(comprehension_key, [(1, 9), (2, 3), (0, 5)])


def test_cells_errors_and_frames():
    # an emptied cell: NameError with CPython's message (3.11+: "cannot access
    # free variable 'k' where it is not associated with a value in enclosing
    # scope"), raised from the lambda's frame
    f = deleted_after(3)
    g = deleted_after.py_func(3)
    a, e = _call(f, ()), _call(g, ())
    assert a == e and a[1] == "NameError"
    first, f = deleted_then_rebound(3)
    assert first is f and f() == 7.5


@pyston.fast
def pair_read_after(start):
    n = start

    def inc():
        nonlocal n
        n += 1

    get = lambda: n  # noqa: E731
    fs = (inc, get)
    return fs, n + 1  # read after inc is made: inc may have run by then


@pyston.fast
def pair_in_loop(k):
    n = 0
    fs = []
    for _ in range(k):
        n += 1  # read again once inc is made (the loop repeats)

        def inc():
            nonlocal n
            n += 1

        fs.append(inc)
    return fs


def test_cells_fall_back_with_reason():
    # compiled code reading the variable after a function that assigns it is
    # made (its copy in registers could be stale): plain Python, exact
    falls_back(pair_read_after, 1, match="nonlocal n")
    falls_back(pair_in_loop, 2, match="nested functions defined inside a block")


@pyston.fast
def rebound_in_loop(n, x0):
    x = x0
    f = lambda d: x * d  # noqa: E731
    for i in range(n):
        x = i * x0  # each binding written to the cell: nothing else kept alive
    return f


def test_cells_rebound_in_a_loop():
    import tracemalloc

    for x0 in (3, 2.5):
        same(rebound_in_loop, 5, x0, calls=[(2,)])
        same(rebound_in_loop, 0, x0, calls=[(2,)])
        rebound_in_loop(10, x0)
        tracemalloc.start()
        rebound_in_loop(1000, x0)
        small = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        rebound_in_loop(300_000, x0)
        big = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert big - small < 100_000, (small, big)
    same(rebound_in_loop, 3, 2**62, calls=[(2,)])  # (past 64 bits: the interpreter tier)
    same(rebound_in_loop, 3, True, calls=[(2,)])  # (bools: through Python)


def test_cells_memory_flat():
    import tracemalloc

    a = np.arange(8.0)
    running_totals(a)
    tracemalloc.start()
    for _ in range(2000):
        running_totals(a)
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(20000):
        running_totals(a)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 200_000


def test_captured_list_is_shared():
    # a list a made function reads is the list object itself: the appends
    # after the function is made are seen by its calls
    same(reads_local_list, 4, calls=[()])
    same(reads_local_list, 0, calls=[()])


@pyston.fast
def recursion_through_escaped(n):
    def fib(m):
        return m if m < 2 else fib(m - 1) + fib(m - 2)

    xs = [n, 3, 8, 1]
    return fib, sorted(xs, key=fib)


@pyston.fast
def recursion_inlined(n):
    def fib(m):
        return m if m < 2 else fib(m - 1) + fib(m - 2)

    return fib, list(map(fib, [n, 2, 3]))


def test_recursion_through_escaped_function():
    # made, and called from outside: its recursive calls run as Python
    same(make_fact, calls=[(12,)])
    # passed to sorted(): its calls, recursive ones too, run as Python
    same(recursion_through_escaped, 12, calls=[(10,)])
    # called in compiled code too (inlined, as map()'s function): not supported yet
    falls_back(recursion_inlined, 8, match="recursion through a nested function")
    # a recursive function deep enough raises RecursionError from its own frames
    fact = make_fact()
    with pytest.raises(RecursionError):
        fact(10**6)


def test_traceback_frames():
    f = make_raising(0)
    g = make_raising.py_func(0)
    a, e = _call(f, (1,)), _call(g, (1,))
    assert a == e and a[3][-1][0] == "f"


# --------------------------------------------------------------------------
# shared objects, an enclosing Python function's cells, references
# --------------------------------------------------------------------------


@pyston.fast
def sees_later_writes(a):
    g = lambda: a[0]  # noqa: E731
    a[0] = 99.0  # (not a binding: the array itself, shared with the cell)
    return g


@pyston.fast
def reads_tuple(p):
    q = (p[0] * 2, p[1])
    return lambda: q


def closure_maker(m):
    @pyston.fast
    def inner(k):
        return lambda x: x * k + m  # `m` from inner's own closure: that cell, shared

    return inner


def test_shared_objects_and_outer_cells():
    r = same(sees_later_writes, np.arange(3.0), calls=[()])
    assert r[0]() == r[1]() == 99.0
    same(reads_tuple, (1, 2.5), calls=[()])
    inner = closure_maker(10)
    native(inner, 3)
    f = inner(3)
    assert f(2) == 16
    # the cell of `m` is inner's own: a later rebinding of m is seen (late binding)
    assert f.__closure__[[c for c in f.__code__.co_freevars].index("m")] is inner.py_func.__closure__[0]


def test_no_references_kept():
    import gc
    import sys
    import weakref

    a = np.arange(4.0)
    base = sys.getrefcount(a)
    for _ in range(1000):
        make_reads_array(a, 2)
    f = make_reads_array(a, 2)
    r = weakref.ref(f)
    assert sys.getrefcount(a) == base + 1  # (f's cell)
    del f
    gc.collect()
    assert r() is None
    assert sys.getrefcount(a) == base
    fact = make_fact()  # (a cycle: fact's cell holds fact; the collector frees it)
    r = weakref.ref(fact)
    del fact
    gc.collect()
    assert r() is None


# --------------------------------------------------------------------------
# functions made in a loop and appended (the maker and `list.append` called
# natively from compiled code)
# --------------------------------------------------------------------------


@pyston.fast
def appended_in_loop(a):
    fs = []
    for x in a:
        fs.append(lambda d: x * d)
    return fs


@pyston.fast
def appended_to_argument(fs, a, k):
    for x in a:
        fs.append(lambda d: d + k)
        fs.append(lambda d: d / x)  # ZeroDivisionError where x == 0, when called
    return len(fs)


@pyston.fast
def comprehension_made(a):
    return [lambda d: x + d for x in a]


class _CountingList(list):
    def append(self, x):
        super().append(("wrapped", x))


def test_made_in_a_loop_and_appended():
    rng = rng_for("escaping loop append")
    for a in (rng.normal(size=7), np.zeros(0), np.array([2.0, 0.0, -0.0]), np.arange(5)):
        same(appended_in_loop, a, calls=[(3,), (0.5,)])
        same(comprehension_made, a, calls=[(3,), (-1.5,)])
        # the caller's list mutated in place, functions with cells of their own
        fs, pfs = [abs], [abs]
        native(appended_to_argument, [], a, 2)
        n = appended_to_argument(fs, a, 2)
        assert n == appended_to_argument.py_func(pfs, a, 2) == len(fs) == len(pfs)
        assert fs[0] is abs
        for f, g in zip(fs[1:], pfs[1:]):
            assert _call(f, (4.0,)) == _call(g, (4.0,))
            assert (f.__name__, f.__qualname__) == (g.__name__, g.__qualname__)
        if len(fs) > 2:
            assert fs[1] is not fs[3]  # a new function each time
    # a list subclass's own `append` runs, as in CPython
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyston.PerformanceWarning)
        sub, psub = _CountingList(), _CountingList()
        assert appended_to_argument(sub, np.arange(2.0), 1) == appended_to_argument.py_func(psub, np.arange(2.0), 1)
    assert [t[0] for t in sub] == [t[0] for t in psub] == ["wrapped"] * 4


# --------------------------------------------------------------------------
# one cell per variable for every function made in a call (CPython's cell
# variables): the functions made share it, also for a variable bound once
# --------------------------------------------------------------------------


@pyston.fast
def param_loop(a, k):
    fs = []
    for _x in a:
        fs.append(lambda d: k * d)
    return fs


@pyston.fast
def param_branches(c, k):
    if c:
        f = lambda: k + 1  # noqa: E731
    else:
        f = lambda: k - 1  # noqa: E731
    g = lambda: k * 2  # noqa: E731
    return f, g


@pyston.fast
def def_and_lambdas(k, m):
    def get():
        return k + m

    return get, lambda: k, (lambda x: x * m, lambda: (k, m))


@pyston.fast
def loop_and_def(a, k):
    def scale(x):
        return x * k

    fs = [scale]
    for x in a:
        fs.append(lambda d: d + k + x)
    fs.append(lambda: k)
    return fs


@pyston.fast
def made_in_one_branch(c, k):
    # the variable bound and every function made inside the branch
    fs = []
    if c:
        m = k * 2
        fs.append(lambda: m)
        fs.append(lambda: m + 1)
    return fs


@pyston.fast
def bound_inside_first_make(c, k):
    # `m` bound inside the statement that holds the first function made, and
    # read by one made after it: a cell from the start, written at the binding
    fs = []
    if c:
        m = k * 2
        fs.append(lambda: m)
    fs.append(lambda: m)
    return fs


@pyston.fast
def unbound_on_a_path(c, v):
    if c:
        k = v
    return lambda: k, lambda: k


@pyston.fast
def counters(start):
    c = start

    def inc():
        nonlocal c
        c += 1
        return c

    def get():
        return c

    return inc, get, lambda: c * 2


@pyston.fast
def recursion_shared(k):
    def fact(n):
        return 1 if n < 2 else n * fact(n - 1)

    fs = [fact]
    for _ in range(2):
        fs.append(lambda x: fact(x) + k)
    return fs


@pyston.fast
def rebound_after_made(k):
    f = lambda: k  # noqa: E731
    g = lambda: k + 1  # noqa: E731
    k = k * 10
    h = lambda: -k  # noqa: E731
    return f, g, h


@pyston.fast
def sorted_key_and_made(xs, k):
    f = lambda: k  # noqa: E731
    return f, sorted(xs, key=lambda t: t * k), lambda: -k


def _cells(fs):
    """The cell objects of `fs`' closures, numbered by first appearance."""
    seen = {}
    return [tuple(seen.setdefault(id(c), len(seen)) for c in f.__closure__ or ()) for f in fs]


def test_cells_shared_by_functions_made_in_one_call():
    rng = rng_for("shared cells")
    for k in (2.5, 3, -0.0, np.float32(1.5), np.int8(-3), 2**70, "s", None, (1, 2.0), np.arange(3.0)):
        n = len(k) if isinstance(k, tuple) else 2
        for a in (rng.normal(size=4), np.zeros(0), np.arange(1.0)):
            r = same(param_loop, a, k, calls=[(n,)])
            if r is not None and len(r[1]) > 1:
                assert r[1][0].__closure__[0] is r[1][1].__closure__[0]
        for c in (True, False):
            same(param_branches, c, k, calls=[()])
        same(def_and_lambdas, k, k, calls=[(), (2,)])
    for c in (True, False):
        same(made_in_one_branch, c, 4, calls=[()])
        same(bound_inside_first_make, c, 4, calls=[()])
        same(unbound_on_a_path, c, 5, calls=[()])  # (NameError from the empty cell)
    same(loop_and_def, np.arange(3.0), 2.0, calls=[(1.5,), ()])
    same(sorted_key_and_made, [3, -1, 2], 2, calls=[()])
    # identity across functions made in a loop, in branches, by a def and lambdas
    fs = param_loop(np.arange(4.0), 2.0)
    assert _cells(fs) == _cells(param_loop.py_func(np.arange(4.0), 2.0)) == [(0,)] * 4
    assert _cells(param_branches(True, 1)) == _cells(param_branches.py_func(True, 1))
    get, lam, (mul, both) = def_and_lambdas(1, 2)
    pget, plam, (pmul, pboth) = def_and_lambdas.py_func(1, 2)
    assert _cells([get, lam, mul, both]) == _cells([pget, plam, pmul, pboth])
    assert get.__closure__[0] is lam.__closure__[0] is both.__closure__[0]
    # a new cell per call
    assert param_loop(np.arange(1.0), 2.0)[0].__closure__[0] is not fs[0].__closure__[0]
    assert len({id(f.__closure__[0]) for f in loop_and_def(np.arange(3.0), 1.0)}) == 1


def test_cell_contents_written_from_outside_seen_by_siblings():
    for mod in (param_loop, param_loop.py_func):
        fs = mod(np.arange(3.0), 2.0)
        fs[0].__closure__[0].cell_contents = 5.0
        assert [f(1.0) for f in fs] == [5.0, 5.0, 5.0]
        del fs[1].__closure__[0].cell_contents
        with pytest.raises(NameError, match="free variable 'k'"):
            fs[2](1.0)
    got, want = def_and_lambdas(1, 2), def_and_lambdas.py_func(1, 2)
    for _get, lam, (mul, _both) in (got, want):
        lam.__closure__[0].cell_contents = 10
        mul.__closure__[0].cell_contents = 20
    assert [got[0](), got[1](), got[2][0](3), got[2][1]()] == [want[0](), want[1](), want[2][0](3), want[2][1]()]
    assert got[0]() == 30


def test_nonlocal_writers_and_readers_share_cells():
    same(counters, 1, calls=[(), ()])
    for start in (1, 2.5, 2**62):
        inc, get, dbl = counters(start)
        pinc, pget, pdbl = counters.py_func(start)
        seq = [inc(), get(), dbl(), inc(), inc(), get(), dbl()]
        assert seq == [pinc(), pget(), pdbl(), pinc(), pinc(), pget(), pdbl()]
        assert [type(x) for x in seq] == [type(x) for x in (pinc(), pget(), pdbl())] * 2 + [type(pget())]
        assert inc.__closure__[0] is get.__closure__[0] is dbl.__closure__[0]


def test_recursion_and_rebinding_with_shared_cells():
    same(recursion_shared, 3, calls=[(5,), (1,)])
    fs = recursion_shared(3)
    assert fs[0].__closure__[0] is fs[1].__closure__[fs[1].__code__.co_freevars.index("fact")]
    assert [f(6) for f in fs] == [f(6) for f in recursion_shared.py_func(3)] == [720, 723, 723]
    # rebinding after the functions are made: they read the new value (one cell)
    same(rebound_after_made, 2, calls=[()])
    f, g, h = rebound_after_made(2)
    assert (f(), g(), h()) == (20, 21, -20)
    assert f.__closure__[0] is g.__closure__[0] is h.__closure__[0]


def test_shared_cells_memory_flat():
    import gc
    import resource
    import sys

    k = 1.5e300  # (an object of its own: its reference count is checked)
    base = sys.getrefcount(k)
    for _ in range(100_000):
        param_branches(True, k)
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(1_000_000):
        f, g = param_branches(True, k)
    del f, g
    gc.collect()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert sys.getrefcount(k) == base
    assert rss1 - rss0 < 20_000, (rss0, rss1)  # (KiB)
