"""Whole-array arithmetic inside compiled kernels, differential against plain
NumPy: + - * / // % ** comparisons & | ^ ~ and unary minus, array-array
(every pair of the six dtypes: NumPy's promotion), array-scalar with Python
and NumPy scalars on either side (NEP 50 weak scalars), broadcasting, 0-d
arrays, in-place operators (argument mutation compared) and the errors NumPy
raises (casting, negative integer powers, bool negation)."""

import numpy as np
import pyston
import pytest
from helpers import random_array
from np_common import DTYPE_IDS, DTYPES, L1, L2, check, check_all, cover, layout, split_six

G = "arith"


# --------------------------------------------------------------------------
# one kernel per operator
# --------------------------------------------------------------------------


@pyston.fast
def op_add(a, b):
    return a + b


@pyston.fast
def op_sub(a, b):
    return a - b


@pyston.fast
def op_mul(a, b):
    return a * b


@pyston.fast
def op_truediv(a, b):
    return a / b


@pyston.fast
def op_floordiv(a, b):
    return a // b


@pyston.fast
def op_mod(a, b):
    return a % b


@pyston.fast
def op_pow(a, b):
    return a**b


@pyston.fast
def op_and(a, b):
    return a & b


@pyston.fast
def op_or(a, b):
    return a | b


@pyston.fast
def op_xor(a, b):
    return a ^ b


@pyston.fast
def op_compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


@pyston.fast
def op_matmul(a, b):
    return a @ b


BINARY = {
    "+": op_add,
    "-": op_sub,
    "*": op_mul,
    "/": op_truediv,
    "//": op_floordiv,
    "%": op_mod,
    "**": op_pow,
    "&": op_and,
    "|": op_or,
    "^": op_xor,
    "< <= == != > >=": op_compare,
}

# Python and NumPy scalars as the other operand
SCALARS = [
    2,
    -3,
    2.5,
    True,
    1 - 2j,
    np.float32(1.5),
    np.int32(3),
    np.float64(-0.0),
    np.int64(7),
    np.bool_(False),
]

for _sym in BINARY:
    cover(
        G,
        f"a {_sym} b",
        "array op array (all dtype pairs)",
        "array op scalar",
        "scalar op array",
        "broadcasting (n,1) op (m,)",
        "0-d array operands",
        dtypes=DTYPES,
        layouts=L1 + L2 + ["0-d", "empty"],
        test="test_binary_array_array / test_binary_array_scalar / test_binary_broadcast / test_binary_layouts",
    )


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("sym", list(BINARY))
def test_binary_array_array(sym, dt, rng):
    fn = BINARY[sym]
    a = random_array(rng, 7, dt)
    cases = []
    for dt2 in DTYPES:
        b = random_array(rng, 7, dt2)
        if sym == "**" and np.dtype(dt2).kind in "iu":
            b = np.abs(b) % 4  # keep integer powers small (negative ones: test_errors)
        cases.append((a, b))
    check_all(fn, split_six(fn, cases)[0])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("sym", list(BINARY))
def test_binary_array_scalar(sym, dt, rng):
    fn = BINARY[sym]
    a = random_array(rng, 6, dt)
    if sym == "**" and np.dtype(dt).kind in "iu":
        a = a % 5
    cases = []
    for s in SCALARS:
        cases.append((a, s))
        cases.append((s, a))
    check_all(fn, split_six(fn, cases)[0])


@pytest.mark.parametrize("sym", list(BINARY))
def test_binary_broadcast(sym, rng):
    fn = BINARY[sym]
    cases = []
    for dt in (np.int64, np.float64, np.bool_, np.float32):
        col = random_array(rng, (4, 1), dt)
        row = random_array(rng, 5, dt)
        M = random_array(rng, (4, 5), dt)
        z = np.array(random_array(rng, (), dt))
        cases += [
            (col, row),
            (M, row),
            (row, M),
            (M, col),
            (z, M),
            (M, z),
            (z, z),
            (M, M[:, :0]),
            (row, row[:0]),
        ]
    cases.append(
        (random_array(rng, 3, np.float64), random_array(rng, 4, np.float64))
    )  # ValueError, same message
    check_all(fn, split_six(fn, cases)[0])


@pytest.mark.parametrize("sym", ["+", "*", "/", "//", "< <= == != > >="])
@pytest.mark.parametrize("dt", [np.int32, np.float64, np.complex128], ids=["int32", "float64", "complex128"])
def test_binary_layouts(sym, dt, rng):
    fn = BINARY[sym]
    A = random_array(rng, (3, 4), dt)
    B = random_array(rng, (3, 4), dt)
    cases = [(layout(A, n), layout(B, m)) for n in L2 for m in L2[:3]]
    a, b = random_array(rng, 8, dt), random_array(rng, 8, dt)
    cases += [(layout(a, n), layout(b, m)) for n in L1 for m in L1]
    check_all(fn, cases)


@pytest.mark.parametrize("sym", ["//", "%", "**"])
def test_bool_arithmetic_giving_int8(sym, rng):
    """bool // bool, bool % bool, bool ** bool give int8 arrays (NumPy's rule)."""
    fn = BINARY[sym]
    b = random_array(rng, 6, np.bool_)
    cases = [(b, b), (b, True), (True, b)]
    check_all(fn, cases)


@pytest.mark.parametrize(
    "sym",
    [
        pytest.param(s, marks=pytest.mark.xfail(
            strict=True, reason="NumPy raises TypeError for complex // and %: such code is not typed (plain Python)"))
        for s in ["//", "%"]
    ] + ["**", "+", "-", "*", "/"],
)
def test_results_outside_supported_dtypes(sym, rng):
    """float32 op complex gives complex64 (compiled since complex64 is a supported dtype)."""
    fn = BINARY[sym]
    f = random_array(rng, 6, np.float32)
    cases = [
        (f, 1 - 2j),
        (1 - 2j, f),
        (f, random_array(rng, 6, np.complex128)[:0]),
    ]
    outside = split_six(fn, cases)[1]
    assert outside, "no case leaves the supported dtypes"
    check_all(fn, outside)


cover(
    G,
    "results of the int dtypes beyond the six",
    "bool // bool, bool % bool, bool ** bool (int8)",
    test="test_bool_arithmetic_giving_int8",
)
cover(
    G,
    "results outside the supported dtypes",
    "float32 op complex (complex64)",
    test="test_results_outside_supported_dtypes",
    known_issue="complex // and % raise TypeError in NumPy: such code runs as plain Python",
)


# --------------------------------------------------------------------------
# unary operators
# --------------------------------------------------------------------------


@pyston.fast
def op_neg(a):
    return -a


@pyston.fast
def op_invert(a):
    return ~a


@pyston.fast
def op_pos(a):
    return +a


@pyston.fast
def op_abs(a):
    return abs(a)


cover(G, "-a", "-a", dtypes=DTYPES, layouts=L1 + L2 + ["0-d"])
cover(G, "~a", "~a", dtypes=DTYPES, layouts=L1 + L2 + ["0-d"])
cover(G, "+a", "+a", dtypes=DTYPES, layouts=L1 + L2 + ["0-d"])
cover(
    G,
    "abs(a)",
    "abs(a) (the builtin on an array)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["0-d"],
    test="test_unary",
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("fn", [op_neg, op_invert, op_pos, op_abs], ids=["neg", "invert", "pos", "abs"])
def test_unary(fn, dt, rng):
    cases = [layout(random_array(rng, 6, dt), n) for n in L1]
    cases += [layout(random_array(rng, (3, 4), dt), n) for n in L2]
    cases += [np.array(random_array(rng, (), dt)), np.zeros(0, dt)]
    check_all(fn, [(c,) for c in cases])


# --------------------------------------------------------------------------
# in-place operators: the argument is updated (compared after the call)
# --------------------------------------------------------------------------


@pyston.fast
def iadd(a, b):
    a += b
    return a


@pyston.fast
def isub(a, b):
    a -= b
    return a


@pyston.fast
def imul(a, b):
    a *= b
    return a


@pyston.fast
def itruediv(a, b):
    a /= b
    return a


@pyston.fast
def ifloordiv(a, b):
    a //= b
    return a


@pyston.fast
def imod(a, b):
    a %= b
    return a


@pyston.fast
def ipow(a, b):
    a **= b
    return a


@pyston.fast
def iand_or_xor(a, b):
    a &= b
    a |= b
    a ^= b
    return a


INPLACE = {
    "+=": iadd,
    "-=": isub,
    "*=": imul,
    "/=": itruediv,
    "//=": ifloordiv,
    "%=": imod,
    "**=": ipow,
    "&= |= ^=": iand_or_xor,
}
for _sym in INPLACE:
    cover(
        G,
        f"a {_sym} b",
        "array, array",
        "array, scalar",
        "broadcast row into matrix",
        dtypes=DTYPES,
        layouts=L1 + L2,
        test="test_inplace",
    )


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("sym", list(INPLACE))
def test_inplace(sym, dt, rng):
    fn = INPLACE[sym]
    small = sym == "**="
    cases = []
    for n in L1:
        a = layout(random_array(rng, 6, dt), n)
        for dt2 in DTYPES:  # casting errors (float into int, ...) compared too
            b = random_array(rng, 6, dt2)
            if small and np.dtype(dt2).kind in "iu":
                b = np.abs(b) % 3
            cases.append((a, b))
        cases.append((a, 2))
        cases.append((a, 0.5))
    for n in L2:
        A = layout(random_array(rng, (3, 4), dt), n)
        r = random_array(rng, 4, dt)
        if small and np.dtype(dt).kind in "iu":
            r = np.abs(r) % 3
        cases.append((A, r))
    check_all(fn, cases)


# --------------------------------------------------------------------------
# errors NumPy raises: same type and message
# --------------------------------------------------------------------------


def test_errors(rng):
    i = random_array(rng, 5, np.int64)
    check(op_pow, i, np.array([1, -1, 2, 0, 3]))  # negative integer power
    check(op_pow, i, -2)
    check(op_neg, np.array([True, False]))  # bool negative
    check(op_invert, np.array([1.5]))  # ~float
    check(op_and, np.array([1.5]), np.array([1]))
    check(iadd, i.astype(np.int32), np.array([0.5]))  # same_kind casting
    check(op_add, np.ones(3), np.ones(4))  # broadcast
    check(op_add, np.ones(3, np.int32), 2**40)  # out of bounds Python int (NEP 50)


# --------------------------------------------------------------------------
# kernels the way they are written: array expressions mixed with element loops
# --------------------------------------------------------------------------


@pyston.fast
def leapfrog(x, v, dt, steps):
    # array-expression time stepping with a scalar energy accumulated per step
    e = 0.0
    for _ in range(steps):
        a = -x
        v = v + 0.5 * dt * a
        x = x + dt * v
        v += 0.5 * dt * -x
        k = v * v
        for i in range(len(k)):
            e += k[i]
    return x, v, e


@pyston.fast
def normalize_rows(A):
    n, m = A.shape
    out = np.empty((n, m))
    for i in range(n):
        row = A[i]
        r = row / (row * row).sum() ** 0.5
        for j in range(m):
            out[i, j] = r[j]
    return out


@pyston.fast
def threshold_count(a, lo, hi):
    inside = (a > lo) & (a < hi)
    outside = ~inside | (a == lo)
    c = 0
    for i in range(len(a)):
        if inside[i]:
            c += 1
    return c, inside ^ outside


@pyston.fast
def mixed_scalars(a):
    # Python float, NumPy scalar from an element and an int on both sides
    first = a[0]
    return 2.0 * a - first, first / (a + 1), (a * 3) // 2, 1 - a % 3


cover(
    G,
    "array expressions in loops",
    "x = x + dt * v",
    "v += 0.5 * dt * -x",
    "row / (row * row).sum() ** 0.5",
    "(a > lo) & (a < hi)",
    "~m | (a == lo)",
    "2.0 * a - a[0]",
    dtypes=DTYPES,
    layouts=L1 + L2,
    test="test_kernels",
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_kernels(dt, rng):
    x, v = random_array(rng, 5, dt), random_array(rng, 5, dt)
    for n in L1:
        if dt in (np.float32, np.float64, np.complex128):
            check(leapfrog, layout(x, n), layout(v, n), 0.01, 4)
        check(mixed_scalars, layout(x, n))
        if dt is not np.complex128:
            check(threshold_count, layout(x, n), -1, 5)
    for n in L2:
        check(normalize_rows, layout(random_array(rng, (4, 3), dt), n))


cover(
    G,
    "array variable changing dtype",
    "x = x + dt * v (x starts as an int array)",
    test="test_array_variable_changes_dtype",
    known_issue="falls back: \"variable 'x' holds values of incompatible types (array(int64, 1d, C) and "
    'array(float64, 1d, A))"',
)


@pytest.mark.parametrize("dt", [np.int32, np.int64], ids=["int32", "int64"])
@pytest.mark.xfail(strict=True, reason="known gap: an array variable whose dtype changes in a loop runs on the interpreter tier")
def test_array_variable_changes_dtype(dt, rng):
    """In plain Python `x = x + dt * v` turns an int array into a float one on the
    first step; the compiled kernel must follow (here: leapfrog from int positions)."""
    x, v = random_array(rng, 5, dt), random_array(rng, 5, dt)
    check(leapfrog, x, v, 0.01, 4)


# --------------------------------------------------------------------------
# an operation that raises after it has written (np.errstate(...='raise'))
# --------------------------------------------------------------------------


@pyston.fast
def imul_steps(a, b, steps):
    for _ in range(steps):
        a *= b
    return a


@pyston.fast
def multiply_out(a, b, out):
    np.multiply(a, b, out=out)
    return out


cover(
    G,
    "in-place operators under np.errstate(...='raise')",
    "a *= b raising FloatingPointError after writing",
    "np.multiply(a, b, out=out) likewise",
    dtypes=["float64", "float32"],
    test="test_raise_after_write",
)


@pytest.mark.parametrize("dt", [np.float64, np.float32], ids=["float64", "float32"])
def test_raise_after_write(dt):
    """NumPy writes the results, then raises FloatingPointError: the argument keeps the
    results of exactly one multiplication and the caller sees the exception."""
    big = np.finfo(dt).max
    a = np.array([big, 3.0], dt)
    b = np.array([big, 2.0], dt)
    with np.errstate(over="raise"):
        check(imul, a, b)
        check(imul_steps, a, b, 3)
        check(multiply_out, a, b, np.ones(2, dt))


# --------------------------------------------------------------------------
# an iterative solver: the result array is assigned inside the loop only
# --------------------------------------------------------------------------


@pyston.fast
def jacobi(A, b, tol, maxiter):
    x = np.zeros_like(b)
    D = np.diag(A)
    R = A - np.diag(D)
    for it in range(maxiter):  # noqa: B007 (returned after the loop)
        x_new = (b - R @ x) / D
        if np.abs(x_new - x).max() < tol:
            break
        x = x_new
    return x_new, it


@pyston.fast
def jacobi_bound(A, b, tol, maxiter):
    # the same with the result bound before the loop
    x = np.zeros_like(b)
    x_new = x
    D = np.diag(A)
    R = A - np.diag(D)
    it = 0
    for it in range(maxiter):  # noqa: B007 (returned after the loop)
        x_new = (b - R @ x) / D
        if np.abs(x_new - x).max() < tol:
            break
        x = x_new
    return x_new, it


cover(
    G,
    "array expressions in loops",
    "Jacobi iteration: x_new = (b - R @ x) / D; break on convergence",
    dtypes=["float64"],
    layouts=L2,
    test="test_jacobi",
)
cover(
    G,
    "array assigned only inside a loop",
    "x_new first bound inside the loop, returned after it",
    dtypes=["float64"],
    layouts=L2,
    test="test_jacobi_unbound_before_loop",
)


def jacobi_system(rng, n=5):
    A = random_array(rng, (n, n), np.float64) + 60.0 * np.eye(n)
    return A, random_array(rng, n, np.float64)


def test_jacobi(rng):
    A, b = jacobi_system(rng)
    for lay in L2:
        check(jacobi_bound, layout(A, lay), b, 1e-12, 100)
    check(jacobi_bound, A, b, 1e-12, 0)


def test_jacobi_unbound_before_loop(rng):
    A, b = jacobi_system(rng)
    for lay in L2:
        check(jacobi, layout(A, lay), b, 1e-12, 100)
    check(jacobi, A, b, 1e-12, 0)  # UnboundLocalError in both


# --------------------------------------------------------------------------
# an operand whose type is decided at run time (int before the loop, np.int32 after)
# --------------------------------------------------------------------------


@pyston.fast
def scale_by_total(a, b):
    s = 0
    for i in range(len(a)):
        s += a[i]
    # float32 * int is float32; float32 * np.int32 is float64 (NEP 50)
    return b * s, np.multiply(b, s), b + s, s - b


cover(
    G,
    "operands of run-time-decided type",
    "b * s with s an int or np.int32 depending on the data",
    dtypes=["int32", "float32"],
    test="test_operand_type_decided_at_run_time",
)


def test_operand_type_decided_at_run_time(rng):
    b = random_array(rng, 4, np.float32)
    for a in (random_array(rng, 3, np.int32), np.zeros(0, np.int32)):
        check(scale_by_total, a, b)
