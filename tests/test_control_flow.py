"""Control flow: branches, loops, ranges, tuples, recursion, calls between fast functions,
globals and closures, functions whose result type depends on the path taken."""

import itertools
import math
import platform
import re
import sys

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, I64_MIN, assert_same, assert_same_all, rng_for

INF = math.inf
NAN = math.nan

# --------------------------------------------------------------------------
# if / elif / else
# --------------------------------------------------------------------------


@pyston.fast
def classify(x):
    if x < 0:
        return -1
    elif x == 0:
        return 0
    elif x < 10:
        return 1
    else:
        return 2


@pyston.fast
def clamp(x, lo, hi):
    if x < lo:
        x = lo
    if x > hi:
        x = hi
    return x


@pyston.fast
def sign_name_code(x):
    r = 0
    if x > 0:
        if x > 100:
            r = 3
        else:
            r = 2
    elif x < 0:
        r = -1
    else:
        pass
    return r


def test_if_elif_else():
    assert_same_all(
        classify, [-5, -0.0, 0, 0.0, 3, 9.99, 10, 11.5, NAN, INF, -INF, True, False, I64_MIN, 2**70]
    )


def test_clamp_mixed_types():
    cases = list(itertools.product([-3, 0.5, 7, NAN, 2**64], [0, -1.5], [5, 6.5]))
    assert_same_all(clamp, cases)


def test_nested_if_and_pass():
    assert_same_all(sign_name_code, [-1, 0, 1, 100, 101, 100.5, NAN, -0.0])


# --------------------------------------------------------------------------
# while, break, continue, else
# --------------------------------------------------------------------------


@pyston.fast
def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@pyston.fast
def first_multiple(start, k, limit):
    i = start
    while i < limit:
        if i % k == 0:
            break
        i += 1
    else:
        return -1
    return i


@pyston.fast
def sum_skip(n):
    s = 0
    i = 0
    while i < n:
        i += 1
        if i % 3 == 0:
            continue
        if i > 50:
            break
        s += i
    return s


@pyston.fast
def while_else_no_break(n):
    i = 0
    total = 0.0
    while i < n:
        total += i * 0.5
        i += 1
    else:
        total = -total
    return total, i


@pyston.fast
def while_true_break(x):
    count = 0
    while True:
        x = x / 2.0
        count += 1
        if x < 1.0:
            break
    return count, x


def test_while_loop():
    assert_same_all(collatz_steps, [1, 2, 3, 7, 27, 97, 871, 2**62 + 1, 2**70 + 3])


def test_while_break_else():
    assert_same_all(
        first_multiple,
        [(10, 7, 100), (10, 7, 12), (0, 5, 0), (5, 5, 6), (-10, 3, -5), (1.5, 2, 10), (3, 2.5, 20)],
    )


def test_while_continue():
    assert_same_all(sum_skip, [0, 1, 2, 3, 10, 50, 51, 1000])


def test_while_else_runs_without_break():
    assert_same_all(while_else_no_break, [0, 1, 5, 100])


def test_while_true_break():
    assert_same_all(while_true_break, [0.5, 1.0, 3.0, 1e300, 5e-324, 1, 2**70])


# --------------------------------------------------------------------------
# for over range()
# --------------------------------------------------------------------------


@pyston.fast
def range1(n):
    s = 0
    for i in range(n):
        s += i
    return s


@pyston.fast
def range2(a, b):
    s = 0
    c = 0
    for i in range(a, b):
        s += i * i
        c += 1
    return s, c


@pyston.fast
def range3(a, b, step):
    s = 0
    last = -12345
    for i in range(a, b, step):
        s = s * 3 + i
        last = i
    return s, last


@pyston.fast
def loop_var_after_loop(n):
    for i in range(n):  # noqa: B007
        pass
    return i  # noqa: F821 - UnboundLocalError when the loop did not run


@pyston.fast
def loop_var_after_break(n, stop):
    for i in range(n):
        if i == stop:
            break
    return i  # noqa: F821


@pyston.fast
def for_else(n, target):
    for i in range(n):
        if i * i == target:
            found = i
            break
    else:
        found = -1
    return found


@pyston.fast
def loop_var_reassigned(n):
    # rebinding the loop variable does not change the iteration
    s = 0
    for i in range(n):
        s += i
        i = 100
    return s, i if n > 0 else -1


def test_range_one_arg():
    assert_same_all(range1, [0, 1, 2, 10, 1000, -1, -100, True, False])


def test_range_two_args():
    assert_same_all(
        range2,
        [
            (0, 10),
            (5, 5),
            (5, 3),
            (-10, 10),
            (-3, -1),
            (I64_MAX - 3, I64_MAX),
            (I64_MIN, I64_MIN + 3),
            (3037000495, 3037000505),
        ],
    )


@pytest.mark.parametrize("step", [1, 2, 3, 7, -1, -2, -5, I64_MAX, I64_MIN])
def test_range_three_args(step):
    cases = [(a, b, step) for a in (-7, 0, 3, 10) for b in (-7, 0, 3, 10)]
    assert_same_all(range3, cases)


def test_range_zero_step_raises_value_error():
    e = assert_same(range3, 0, 10, 0)
    assert isinstance(e, ValueError)


def test_range_past_int64():
    # the loop variable itself leaves the i64 range
    r = assert_same(range2, I64_MAX - 2, I64_MAX + 3)
    assert r[1] == 5
    assert_same(range3, I64_MIN + 2, I64_MIN - 3, -1)
    assert_same(range3, I64_MAX - 1, I64_MAX + 5, 2)


def test_range_with_float_raises_type_error():
    e = assert_same(range1, 2.5, allow_fallback=True)
    assert isinstance(e, TypeError)


def test_loop_variable_after_loop():
    assert_same_all(loop_var_after_loop, [1, 5, 100])
    e = assert_same(loop_var_after_loop, 0)
    assert isinstance(e, UnboundLocalError)
    assert_same_all(loop_var_after_break, [(10, 3), (10, 20), (1, 0)])
    e = assert_same(loop_var_after_break, 0, 0)
    assert isinstance(e, UnboundLocalError)


def test_for_else():
    assert_same_all(for_else, [(10, 49), (10, 50), (0, 0), (1, 0)])


def test_loop_variable_rebinding():
    assert_same_all(loop_var_reassigned, [0, 1, 10])


# --------------------------------------------------------------------------
# nested loops and early returns
# --------------------------------------------------------------------------


@pyston.fast
def count_pairs(n):
    c = 0
    for i in range(n):
        for j in range(i + 1, n):
            if (i + j) % 3 == 0:
                c += 1
    return c


@pyston.fast
def triangle_sum(n):
    s = 0.0
    for i in range(n):
        for j in range(i):
            for k in range(j, i):
                s += (i - k) * 0.25 + j
    return s


@pyston.fast
def find_pair(n, target):
    for i in range(n):
        for j in range(n):
            if i * j == target:
                return i, j
    return -1, -1


@pyston.fast
def nested_break_continue(n):
    total = 0
    for i in range(n):
        if i % 2:
            continue
        for j in range(n):
            if j > i:
                break
            total += j
    return total


@pyston.fast
def is_prime(n):
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


def test_nested_loops():
    assert_same_all(count_pairs, [0, 1, 2, 10, 57])
    assert_same_all(triangle_sum, [0, 1, 2, 5, 13])
    assert_same_all(nested_break_continue, [0, 1, 7, 20])


def test_early_return_in_loops():
    assert_same_all(find_pair, [(10, 12), (10, 0), (5, 17), (0, 0), (10, 81)])
    assert_same_all(is_prime, [0, 1, 2, 3, 4, 17, 91, 97, 7919, 2**31 - 1, -7])


# --------------------------------------------------------------------------
# tuples
# --------------------------------------------------------------------------


@pyston.fast
def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@pyston.fast
def swap(x, y):
    x, y = y, x
    return x, y


@pyston.fast
def stats(a, b, c):
    lo = min(a, b, c)
    hi = max(a, b, c)
    return lo, hi, hi - lo, (a + b + c) / 3


@pyston.fast
def unpack_stats(a, b, c):
    lo, hi, rng_, mean = stats(a, b, c)
    return rng_ * 2, mean


@pyston.fast
def nested_tuple(a, b):
    return (a, (b, a * b)), a - b


@pyston.fast
def unpack_nested(a, b):
    (x, (y, z)), w = nested_tuple(a, b)
    return x + y + z + w


@pyston.fast
def tuple_index(a, b):
    t = (a, b, a + b)
    return t[0] * t[2] - t[-1]


@pyston.fast
def divmod_like(a, b):
    q = a // b
    return q, a - q * b


def test_tuple_unpacking_fibonacci():
    assert_same_all(fib_iter, [0, 1, 2, 10, 50, 92, 93, 100, 300])


def test_tuple_packing_and_returns():
    assert_same_all(swap, [(1, 2.5), (True, -0.0), (2**70, 1j)])
    assert_same_all(stats, [(1, 2, 3), (3.5, -1, 2), (NAN, 1, 2), (True, False, 2)])
    assert_same_all(unpack_stats, [(1, 2, 3), (3.5, -1, 2), (I64_MAX, I64_MIN, 0)])
    assert_same_all(nested_tuple, [(1, 2), (2.5, -1), (I64_MAX, 2)])
    assert_same_all(unpack_nested, [(1, 2), (2.5, -1), (I64_MAX, 2)])
    assert_same_all(tuple_index, [(1, 2), (0.5, 3), (I64_MAX, 1)])
    assert_same_all(divmod_like, [(7, 2), (-7, 2), (7.5, -2), (1, 0), (I64_MIN, -1)])


# --------------------------------------------------------------------------
# augmented assignment
# --------------------------------------------------------------------------


@pyston.fast
def augmented(x, y):
    a = x
    a += y
    b = x
    b -= y
    c = x
    c *= y
    d = x
    d /= y
    e = x
    e //= y
    f = x
    f %= y
    g = x
    g **= 2
    return a, b, c, d, e, f, g


def test_augmented_assignment():
    vals = [7, -3, 2.5, -0.0, True, I64_MAX, 0]
    assert_same_all(augmented, list(itertools.product(vals, repeat=2)))


# --------------------------------------------------------------------------
# recursion and calls between fast functions
# --------------------------------------------------------------------------


@pyston.fast
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@pyston.fast
def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


@pyston.fast
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


@pyston.fast
def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


@pyston.fast
def square(x):
    return x * x


@pyston.fast
def sum_of_squares(n):
    s = 0
    for i in range(n):
        s += square(i)
    return s


@pyston.fast
def hypot_via_calls(x, y):
    return math.sqrt(square(x) + square(y))


def test_recursion_fib():
    assert_same_all(fib, [0, 1, 2, 10, 20])


def test_recursion_factorial_big_results():
    r = assert_same(factorial, 30)
    assert r == math.factorial(30) and type(r) is int
    assert_same_all(factorial, [0, 1, 5, 20, 21, 25, 50])


def test_mutual_recursion():
    assert_same_all(is_even, [0, 1, 10, 31])


def test_calls_to_other_fast_functions():
    assert_same_all(sum_of_squares, [0, 1, 10, 3037000500 // 10**6])
    assert_same_all(hypot_via_calls, [(3, 4), (3.0, 4), (1e200, 1e200), (2**40, 2**40)])
    # the callee specialises on a type different from the caller's use
    assert_same_all(square, [3, 2.5, 1j, True, 2**40])


def test_deep_recursion_raises_recursion_error():
    # plain Python raises RecursionError; pyston must raise it too, not crash the process
    with pytest.raises(RecursionError):
        factorial.py_func(100_000)
    with pytest.raises(RecursionError):
        factorial(100_000)
    with pytest.raises(RecursionError):
        fib(100_000)
    # and still works afterwards
    assert_same(factorial, 25)


# --------------------------------------------------------------------------
# globals and closures
# --------------------------------------------------------------------------

SCALE = 3
OFFSET = 0.5
LIMIT = 10


@pyston.fast
def use_globals(x):
    if x > LIMIT:
        return x * SCALE
    return x * SCALE + OFFSET


def test_module_globals():
    assert_same_all(use_globals, [0, 5, 11, 2.5, I64_MAX])


def test_global_rebinding_is_seen(monkeypatch):
    mod = sys.modules[__name__]
    assert use_globals(20) == 60
    monkeypatch.setattr(mod, "SCALE", 7)
    assert_same(use_globals, 20)
    assert use_globals(20) == 140
    monkeypatch.setattr(mod, "SCALE", 1.5)  # type of the global changes too
    r = assert_same(use_globals, 20)
    assert r == 30.0 and type(r) is float


def test_closure_variables():
    k = 3
    f = 0.25

    @pyston.fast
    def scaled(x):
        return x * k + f

    assert_same_all(scaled, [0, 1, -7, 2.5, I64_MAX])


def test_closure_rebinding_is_seen():
    k = 2

    @pyston.fast
    def times_k(x):
        return x * k

    assert times_k(5) == 10
    k = 10
    assert_same(times_k, 5)
    assert times_k(5) == 50


def test_closure_calling_fast_function():
    @pyston.fast
    def inner(x):
        return x + 1

    @pyston.fast
    def outer(n):
        s = 0
        for i in range(n):
            s += inner(i)
        return s

    assert_same_all(outer, [0, 3, 100])


# --------------------------------------------------------------------------
# result types that depend on the path taken
# --------------------------------------------------------------------------


@pyston.fast
def int_or_float(x):
    if x > 0:
        return 1
    return 1.5


@pyston.fast
def accumulate(n):
    s = 0
    for _ in range(n):
        s += 0.5
    return s


@pyston.fast
def maybe_complex(x):
    if x < 0:
        return complex(0, x)
    elif x == 0:
        return False
    return x


@pyston.fast
def no_return(x):
    x = x + 1


def test_result_type_depends_on_path():
    r = assert_same(int_or_float, 1)
    assert type(r) is int
    r = assert_same(int_or_float, -1)
    assert type(r) is float
    r = assert_same(accumulate, 0)
    assert type(r) is int
    r = assert_same(accumulate, 3)
    assert type(r) is float
    assert_same_all(maybe_complex, [-2, 0, 3, -2.5, 0.0, 2.5])


def test_function_without_return_gives_none():
    r = assert_same(no_return, 1)
    assert r is None


@pyston.fast
def bad_unpack(x):
    if x > 0:
        a, b = x, x, x  # noqa - ValueError at run time only
        return a + b
    return 0


def test_error_only_on_the_path_taken():
    assert assert_same(bad_unpack, -1, allow_fallback=True) == 0
    e = assert_same(bad_unpack, 1, allow_fallback=True)
    assert isinstance(e, ValueError)


@pyston.fast
def loop_with_array_counter(a, n):
    # mixes control flow with side effects on an argument
    i = 0
    while i < n:
        if i % 2 == 0:
            a[0] += i
        else:
            a[1] -= 1
        i += 1
    return a[0] + a[1]


def test_control_flow_with_side_effects():
    a = np.zeros(2, dtype=np.int64)
    assert_same_all(loop_with_array_counter, [(a, 0), (a, 1), (a, 10), (a, 1001)])


@pyston.fast
def folded_away_assignment(x):
    if 0:
        w = 1
    if x > 0 and 0:
        w = 2
    return w if x else x


@pyston.fast
def constant_operands(x):
    a = 0 or x
    b = 1 and x
    c = False or x
    d = None or 0.0 or x
    e = 2 or undefined_name  # noqa: F821 (never evaluated)
    return a, b, c, d, e, (x if 1 else undefined_name)  # noqa: F821


@pytest.mark.parametrize("x", [0, 1, -2, 0.0, 2.5, True])
def test_constant_tests_fold_like_python(x):
    # The unbound `w` raises UnboundLocalError exactly as in CPython; operands
    # after a deciding constant are never evaluated (no NameError).
    assert_same(folded_away_assignment, x)
    assert_same(constant_operands, x)


@pyston.fast
def wrapped_indexes(n, d):
    # `(i + d) % n` and `// n` with 0 <= i + d < n take a division-free path.
    s = 0
    t = 0
    for i in range(-2, 9):
        s = s * 3 + (i + d) % n
        t = t * 3 + (i + d) // n
    return s, t


@pytest.mark.parametrize("n", [1, 2, 3, 5, -1, -3, I64_MAX, I64_MIN])
@pytest.mark.parametrize("d", [-3, -1, 0, 1, 4])
def test_floor_mod_and_div_fast_path(n, d):
    assert_same(wrapped_indexes, n, d)
    assert_same(wrapped_indexes, 0, d)  # ZeroDivisionError, as CPython


# ---------------------------------------------------------------------------
# if-conversion: small branches become selects; the untaken arm must be invisible
# ---------------------------------------------------------------------------


@pyston.fast
def ic_diamond(x, y):
    if x > 0:
        r = y * 3 + 1  # overflows (big int) only when taken
    else:
        r = y // 2 - y % 7
    return r


@pyston.fast
def ic_triangle_float(x, y):
    z = y
    if x < y:
        z = x * 2.0 - 1.0
    return z


@pyston.fast
def ic_count_loop(a, start):
    count = start
    for i in range(a.shape[0]):
        if a[i] > 0:
            count += 1  # may pass 2**63 (a big int) when start is near it
    return count


@pyston.fast
def ic_two_sums(a):
    pos = 0
    neg = 0.0
    for i in range(a.shape[0]):
        v = a[i]
        if v >= 0:
            pos += v << 1
        else:
            neg -= v * 0.5
    return pos, neg


@pyston.fast
def ic_bool_merge(a, lo, hi):
    n = 0
    for i in range(a.shape[0]):
        v = a[i]
        if v >= lo and v < hi:
            n += 1
    return n


def test_if_conversion_diamond_untaken_arm_cannot_overflow_or_raise():
    cases = [(x, y) for x in (-1, 0, 1) for y in (0, 1, -7, 13, I64_MAX, I64_MIN, I64_MAX // 3, -(2**62))]
    assert_same_all(ic_diamond, cases)


def test_if_conversion_float_triangle_with_nan_and_signed_zero():
    vals = [0.0, -0.0, 1.5, -2.0, math.inf, -math.inf, math.nan, 1e308]
    assert_same_all(ic_triangle_float, [(x, y) for x in vals for y in vals])


def test_if_conversion_in_loops_random_and_edge():
    rng = rng_for("if_conversion_loops")
    for n in (0, 1, 7, 64, 1000):
        a = rng.integers(-5, 5, n)
        assert_same(ic_count_loop, a, 0)
        assert_same(ic_count_loop, a, I64_MAX - 2)  # the count passes 2**63: a big int
        assert_same(ic_two_sums, a)
        assert_same(ic_bool_merge, rng.normal(size=n), -0.5, 0.5)
        assert_same(ic_bool_merge, rng.integers(-3, 3, n).astype(np.int32), -1, 2)  # NumPy int compares
        assert_same(ic_bool_merge, rng.normal(size=n).astype(np.float32), np.float32(-0.5), 0.5)
    assert_same(ic_two_sums, np.array([I64_MAX // 2 + 1, 3, -4]))  # v << 1 overflows when taken
    assert_same(ic_two_sums, np.array([-(2**62) - 1, -9]))  # ... and not when untaken
    assert_same(ic_bool_merge, np.array([math.nan, -0.0, 0.5, -0.5]), -0.5, 0.5)


@pytest.mark.parametrize("target", [None, "x86_64", "aarch64"], ids=["host", "x86_64", "aarch64"])
def test_if_conversion_makes_selects(target, monkeypatch):
    """The counting branch compiles to a conditional move (x86-64 `cmovg`,
    aarch64 `csel ..., gt`), not a jump: no branch on `a[i] > 0` is left in the
    loop (its other branches are the loop exit, the overflow deopt and the
    interrupt poll). `None` is the host's own code: aarch64 under
    `make test-aarch64`. (With the SIMD pass off: it vectorizes the counter,
    and its vector loop's own test is a compare and jump.)"""
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "simd")
    f = pyston.fast(ic_count_loop.py_func)
    a = np.arange(10)
    f(a, 0)
    asm = f.inspect_asm(target=target)
    arch = target or ("aarch64" if platform.machine() in ("aarch64", "arm64") else "x86_64")
    if arch == "aarch64":
        assert re.search(r"\bcsel x\d+, x\d+, x\d+, (gt|le)\b", asm), asm
        assert not re.search(r"\bb\.(gt|le)\b", asm), asm
    else:
        assert re.search(r"\bcmov(g|le|ng|nle)q?\b", asm), asm
        assert not re.search(r"\bj(g|le|ng|nle)\b", asm), asm


@pyston.fast
def ic_crc16(data, poly=0x8408):
    crc = 0xFFFF
    for b in data:
        cur = 0xFF & b
        for _ in range(8):
            if (crc & 1) ^ (cur & 1):  # a carried value's bit: converted to a select
                crc = (crc >> 1) ^ poly
            else:
                crc >>= 1
            cur >>= 1
    return (~crc & 0xFFFF), crc


@pyston.fast
def ic_bit_walk(x, n):
    steps = 0
    for _ in range(n):
        if x & 1:
            x = 3 * x + 1  # overflows 64 bits (a big int) only when taken
        else:
            x >>= 1
        steps += x % 5
    return x, steps


@pyston.fast
def ic_running_max(a):
    best = -math.inf
    for i in range(a.shape[0]):
        if a[i] > best:  # an ordered test of a carried value: stays a branch
            best = a[i]
    return best


def test_if_conversion_of_bit_tests_of_carried_values():
    """`if crc & 1 ...` on a loop-carried value is if-converted (random to the
    branch predictor); the values, the big ints of an arm that overflows only
    when taken and the data types stay CPython's."""
    rng = rng_for("if_conversion_bits")
    for n in (0, 1, 5, 300):
        data = rng.integers(0, 256, n, dtype=np.uint8)
        assert_same(ic_crc16, data)
        assert_same(ic_crc16, data.astype(np.int64), 0x1021)
        assert_same(ic_crc16, [int(v) for v in data])  # a list of Python ints
    for x in (0, 1, 7, 27, 2**40 + 1, I64_MAX // 3 + 1, I64_MAX, 2**61 + 3):
        assert_same(ic_bit_walk, x, 60)
    assert_same(ic_bit_walk, I64_MAX // 3 - 1, 3)  # 3x+1 just fits, then grows past 2**63
    for a in (rng.normal(size=500), np.array([math.nan, 1.0, -0.0, 0.0, math.inf]), np.zeros(0)):
        assert_same(ic_running_max, a)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
def test_if_conversion_bit_test_select_and_ordered_branch(monkeypatch):
    """The crc's bit test becomes a conditional move; the running maximum's
    ordered test of its carried value stays a compare-and-jump (a predicted
    branch breaks the loop's dependency chain: measured faster)."""
    monkeypatch.setenv("PYSTON_DISABLE_PASSES", "simd")
    f = pyston.fast(ic_bit_walk.py_func)
    f(7, 3)
    asm = f.inspect_asm()
    assert re.search(r"test\w* \$0x1, %\w+\n\s*cmov", asm), asm  # `x & 1` picks with a cmov
    g = pyston.fast(ic_running_max.py_func)
    g(np.arange(3.0))
    asm = g.inspect_asm()
    assert not re.search(r"\bcmov|\bblendv|\bv?andn?pd\b", asm), asm
    assert re.search(r"v?u?comisd[^\n]*\n\s*j(nbe|nb|b|be|a|ae|p|np)\b", asm), asm


# --------------------------------------------------------------------------
# del of a name
# --------------------------------------------------------------------------


@pyston.fast
def del_names(n, a, flag):
    x = a * 2.0
    s = x.sum()
    del x
    t = 0
    for i in range(n):
        y = i * 3
        t += y
        del y
        if i > 2:
            w = i
    if flag:
        z = t
    del z  # UnboundLocalError when flag is false
    if n > 4:
        return s, t, w  # w unbound when n <= 3
    return s, t, -1


def test_del_of_a_name():
    a = np.arange(4.0)
    cases = [(n, a, flag) for n in (0, 3, 4, 6) for flag in (True, False)]
    assert_same_all(del_names, cases)


# `if x == x:` (a NaN or NaT test) is laid out with its `then` side inline.


def nan_skipping_sum(a):
    s = 0.0
    n = 0
    for i in range(a.shape[0]):
        x = a[i]
        if x == x:
            s += x
        else:
            n += 1
    return s, n


def test_self_equality_branches_keep_both_sides():
    rng = np.random.default_rng(37)
    f = pyston.fast(nan_skipping_sum)
    for dtype in (np.float64, np.float32, np.float16):
        for n in (0, 1, 5, 33):
            a = rng.standard_normal(n).astype(dtype)
            assert_same(f, a)
            if n:
                for pos in {0, n // 2, n - 1}:
                    b = a.copy()
                    b[pos] = np.nan
                    assert_same(f, b)
                assert_same(f, np.full(n, np.nan, dtype))


# An unbound local raises where CPython loads it: before the rest of the
# expression is evaluated (a receiver before the call's arguments, an operand
# before the next one), so an error or side effect there never comes first.
# (Fuzzer seed 1717005424: a method call on a local bound only on some paths,
# whose argument raised, and a module imported late in the function.)


def receiver_then_failing_arg(flag, z):
    if flag:
        lst = [1]
    lst.append(1 // z)
    return lst


def late_import_receiver(a, z):
    v = 0.0
    if z > 5:
        import math
    v += math.floor(a[0] / z)  # `math` is a local of the function
    return v


def late_import_receiver_call(a, z):
    lst = [1.0]
    lst.append(math.floor(a[0] / z))  # noqa: F823
    import math  # noqa: F401

    return lst


def aug_assign_then_failing_value(flag, z):
    if flag:
        x = 1
    x += 1 // z
    return x


def subscript_base_then_failing_index(flag, z):
    if flag:
        x = [1, 2]
    return x[1 // z]


def aug_subscript_then_failing_index(flag, z):
    if flag:
        x = [1, 2]
    x[1 // z] += 1
    return x


def operand_then_failing_operand(flag, z):
    if flag:
        x = 1
    return x + 1 // z, x < 1 // z


def tuple_item_then_failing_item(flag, z):
    if flag:
        x = 1
    return (x, 1 // z)


def builtin_arg_then_failing_arg(flag, z):
    if flag:
        x = 1
    return max(x, 1 // z)


def attribute_then_failing_operand(flag, z):
    if flag:
        x = 1.5
    return x.is_integer() + 1 // z


def bound_in_later_iteration(n, z):
    for i in range(n):
        if i == 1:
            lst = [1]
        lst.append(i // z)
    return lst


def read_after_del(flag, z):
    x = 1
    if flag:
        x = 2
    del x
    return x + 1 // z  # noqa: F821


def test_unbound_local_raises_before_the_rest_of_the_expression():
    fns = [
        read_after_del,
        receiver_then_failing_arg,
        aug_assign_then_failing_value,
        subscript_base_then_failing_index,
        aug_subscript_then_failing_index,
        operand_then_failing_operand,
        tuple_item_then_failing_item,
        builtin_arg_then_failing_arg,
        attribute_then_failing_operand,
    ]
    for fn in fns:
        fast = pyston.fast(fn)
        for args in [(True, 1), (True, 0), (False, 0), (False, 1)]:
            assert_same(fast, *args)
            _same_on_the_interpreter_tier(fast, args)
    a = np.array([7.5, 2.0])
    # (`math` unbound or a module: not typed yet, runs as plain Python)
    for fn, fallback in ((late_import_receiver, True), (late_import_receiver_call, False)):
        for args in [(a, 0), (a, 2), (a, 6), (a[:0], 2), (a[:0], 6)]:
            assert_same(pyston.fast(fn), *args, allow_fallback=fallback)
            _same_on_the_interpreter_tier(pyston.fast(fn), args)
    for args in [(0, 0), (1, 0), (2, 0), (3, 1)]:
        assert_same(pyston.fast(bound_in_later_iteration), *args)
        _same_on_the_interpreter_tier(pyston.fast(bound_in_later_iteration), args)


def _same_on_the_interpreter_tier(fast, args):
    def outcome(f):
        try:
            return ("ok", f(*args))
        except Exception as e:  # noqa: BLE001
            return (type(e), str(e))

    assert outcome(fast._interpret) == outcome(fast.py_func), (fast.py_func.__name__, args)
