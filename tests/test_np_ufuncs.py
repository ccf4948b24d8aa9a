"""Ufuncs inside compiled kernels, differential against plain NumPy: every
math ufunc of the issue on arrays (six dtypes, every layout, 0-d, empty,
NaN/inf/-0.0), on Python and NumPy scalars, and element by element inside
loops; binary ufuncs (arctan2 hypot power minimum maximum fmin fmax) over
dtype pairs, scalars and broadcasting; np.where and np.clip; out=; ufuncs
bound to other names (``from numpy import sqrt``)."""

import math

import numpy as np
import pyston
import pytest
from helpers import random_array
from np_common import DTYPE_IDS, DTYPES, L1, L2, check, check_all, cover, layout, split_six
from numpy import exp as np_exp
from numpy import sqrt

G = "ufuncs"

# --------------------------------------------------------------------------
# one kernel per ufunc: the whole-array call and the element-by-element loop
# --------------------------------------------------------------------------


@pyston.fast
def u_sqrt(a):
    return np.sqrt(a)


@pyston.fast
def e_sqrt(a):
    acc = np.sqrt(a[0])
    for i in range(1, len(a)):
        acc = acc + np.sqrt(a[i])
    return acc


@pyston.fast
def u_exp(a):
    return np.exp(a)


@pyston.fast
def e_exp(a):
    acc = np.exp(a[0])
    for i in range(1, len(a)):
        acc = acc + np.exp(a[i])
    return acc


@pyston.fast
def u_log(a):
    return np.log(a)


@pyston.fast
def e_log(a):
    acc = np.log(a[0])
    for i in range(1, len(a)):
        acc = acc + np.log(a[i])
    return acc


@pyston.fast
def u_log2(a):
    return np.log2(a)


@pyston.fast
def e_log2(a):
    acc = np.log2(a[0])
    for i in range(1, len(a)):
        acc = acc + np.log2(a[i])
    return acc


@pyston.fast
def u_log10(a):
    return np.log10(a)


@pyston.fast
def e_log10(a):
    acc = np.log10(a[0])
    for i in range(1, len(a)):
        acc = acc + np.log10(a[i])
    return acc


@pyston.fast
def u_log1p(a):
    return np.log1p(a)


@pyston.fast
def e_log1p(a):
    acc = np.log1p(a[0])
    for i in range(1, len(a)):
        acc = acc + np.log1p(a[i])
    return acc


@pyston.fast
def u_expm1(a):
    return np.expm1(a)


@pyston.fast
def e_expm1(a):
    acc = np.expm1(a[0])
    for i in range(1, len(a)):
        acc = acc + np.expm1(a[i])
    return acc


@pyston.fast
def u_sin(a):
    return np.sin(a)


@pyston.fast
def e_sin(a):
    acc = np.sin(a[0])
    for i in range(1, len(a)):
        acc = acc + np.sin(a[i])
    return acc


@pyston.fast
def u_cos(a):
    return np.cos(a)


@pyston.fast
def e_cos(a):
    acc = np.cos(a[0])
    for i in range(1, len(a)):
        acc = acc + np.cos(a[i])
    return acc


@pyston.fast
def u_tan(a):
    return np.tan(a)


@pyston.fast
def e_tan(a):
    acc = np.tan(a[0])
    for i in range(1, len(a)):
        acc = acc + np.tan(a[i])
    return acc


@pyston.fast
def u_arcsin(a):
    return np.arcsin(a)


@pyston.fast
def e_arcsin(a):
    acc = np.arcsin(a[0])
    for i in range(1, len(a)):
        acc = acc + np.arcsin(a[i])
    return acc


@pyston.fast
def u_arccos(a):
    return np.arccos(a)


@pyston.fast
def e_arccos(a):
    acc = np.arccos(a[0])
    for i in range(1, len(a)):
        acc = acc + np.arccos(a[i])
    return acc


@pyston.fast
def u_arctan(a):
    return np.arctan(a)


@pyston.fast
def e_arctan(a):
    acc = np.arctan(a[0])
    for i in range(1, len(a)):
        acc = acc + np.arctan(a[i])
    return acc


@pyston.fast
def u_sinh(a):
    return np.sinh(a)


@pyston.fast
def e_sinh(a):
    acc = np.sinh(a[0])
    for i in range(1, len(a)):
        acc = acc + np.sinh(a[i])
    return acc


@pyston.fast
def u_cosh(a):
    return np.cosh(a)


@pyston.fast
def e_cosh(a):
    acc = np.cosh(a[0])
    for i in range(1, len(a)):
        acc = acc + np.cosh(a[i])
    return acc


@pyston.fast
def u_tanh(a):
    return np.tanh(a)


@pyston.fast
def e_tanh(a):
    acc = np.tanh(a[0])
    for i in range(1, len(a)):
        acc = acc + np.tanh(a[i])
    return acc


@pyston.fast
def u_floor(a):
    return np.floor(a)


@pyston.fast
def e_floor(a):
    acc = np.floor(a[0])
    for i in range(1, len(a)):
        acc = acc + np.floor(a[i])
    return acc


@pyston.fast
def u_ceil(a):
    return np.ceil(a)


@pyston.fast
def e_ceil(a):
    acc = np.ceil(a[0])
    for i in range(1, len(a)):
        acc = acc + np.ceil(a[i])
    return acc


@pyston.fast
def u_trunc(a):
    return np.trunc(a)


@pyston.fast
def e_trunc(a):
    acc = np.trunc(a[0])
    for i in range(1, len(a)):
        acc = acc + np.trunc(a[i])
    return acc


@pyston.fast
def u_rint(a):
    return np.rint(a)


@pyston.fast
def e_rint(a):
    acc = np.rint(a[0])
    for i in range(1, len(a)):
        acc = acc + np.rint(a[i])
    return acc


@pyston.fast
def u_abs(a):
    return np.abs(a)


@pyston.fast
def e_abs(a):
    acc = np.abs(a[0])
    for i in range(1, len(a)):
        acc = acc + np.abs(a[i])
    return acc


@pyston.fast
def u_absolute(a):
    return np.absolute(a)


@pyston.fast
def e_absolute(a):
    acc = np.absolute(a[0])
    for i in range(1, len(a)):
        acc = acc + np.absolute(a[i])
    return acc


@pyston.fast
def u_sign(a):
    return np.sign(a)


@pyston.fast
def e_sign(a):
    acc = np.sign(a[0])
    for i in range(1, len(a)):
        acc = acc + np.sign(a[i])
    return acc


@pyston.fast
def u_fabs(a):
    return np.fabs(a)


@pyston.fast
def e_fabs(a):
    acc = np.fabs(a[0])
    for i in range(1, len(a)):
        acc = acc + np.fabs(a[i])
    return acc


@pyston.fast
def u_isnan(a):
    return np.isnan(a)


@pyston.fast
def e_isnan(a):
    acc = np.isnan(a[0])
    for i in range(1, len(a)):
        acc = acc + np.isnan(a[i])
    return acc


@pyston.fast
def u_isinf(a):
    return np.isinf(a)


@pyston.fast
def e_isinf(a):
    acc = np.isinf(a[0])
    for i in range(1, len(a)):
        acc = acc + np.isinf(a[i])
    return acc


@pyston.fast
def u_isfinite(a):
    return np.isfinite(a)


@pyston.fast
def e_isfinite(a):
    acc = np.isfinite(a[0])
    for i in range(1, len(a)):
        acc = acc + np.isfinite(a[i])
    return acc


@pyston.fast
def b_arctan2(a, b):
    return np.arctan2(a, b)


@pyston.fast
def b_hypot(a, b):
    return np.hypot(a, b)


@pyston.fast
def b_power(a, b):
    return np.power(a, b)


@pyston.fast
def b_minimum(a, b):
    return np.minimum(a, b)


@pyston.fast
def b_maximum(a, b):
    return np.maximum(a, b)


@pyston.fast
def b_fmin(a, b):
    return np.fmin(a, b)


@pyston.fast
def b_fmax(a, b):
    return np.fmax(a, b)


UNARY = {
    "sqrt": (u_sqrt, e_sqrt),
    "exp": (u_exp, e_exp),
    "log": (u_log, e_log),
    "log2": (u_log2, e_log2),
    "log10": (u_log10, e_log10),
    "log1p": (u_log1p, e_log1p),
    "expm1": (u_expm1, e_expm1),
    "sin": (u_sin, e_sin),
    "cos": (u_cos, e_cos),
    "tan": (u_tan, e_tan),
    "arcsin": (u_arcsin, e_arcsin),
    "arccos": (u_arccos, e_arccos),
    "arctan": (u_arctan, e_arctan),
    "sinh": (u_sinh, e_sinh),
    "cosh": (u_cosh, e_cosh),
    "tanh": (u_tanh, e_tanh),
    "floor": (u_floor, e_floor),
    "ceil": (u_ceil, e_ceil),
    "trunc": (u_trunc, e_trunc),
    "rint": (u_rint, e_rint),
    "abs": (u_abs, e_abs),
    "absolute": (u_absolute, e_absolute),
    "sign": (u_sign, e_sign),
    "fabs": (u_fabs, e_fabs),
    "isnan": (u_isnan, e_isnan),
    "isinf": (u_isinf, e_isinf),
    "isfinite": (u_isfinite, e_isfinite),
}
BINARY = {
    "arctan2": b_arctan2,
    "hypot": b_hypot,
    "power": b_power,
    "minimum": b_minimum,
    "maximum": b_maximum,
    "fmin": b_fmin,
    "fmax": b_fmax,
}


SCALARS = [
    2.0,
    -0.5,
    0.0,
    -0.0,
    math.inf,
    math.nan,
    3,
    -2,
    0,
    True,
    1 + 1j,
    np.float32(0.3),
    np.float64(-1.5),
    np.int32(4),
    np.int64(-7),
    np.bool_(False),
]
SPECIAL = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.5,
    -2.5,
    math.inf,
    -math.inf,
    math.nan,
    1e300,
    -1e-300,
    710.0,
    89.0,
]


def data(rng, dt, n=12):
    """Random values of ``dt`` plus, for float/complex, the special values."""
    a = random_array(rng, n, dt)
    if np.dtype(dt).kind == "f":
        with np.errstate(over="ignore"):  # 1e300 as float32 is inf
            a = np.concatenate([a, np.array(SPECIAL, dt)])
    elif np.dtype(dt).kind == "c":
        sp = np.array(SPECIAL, np.float64)
        with np.errstate(invalid="ignore"):  # 1j * inf has a nan real part
            a = np.concatenate([a, sp + 0j, 1j * sp, sp + 1j * sp[::-1]]).astype(dt)
    elif np.dtype(dt).kind == "i":
        a = np.concatenate([a, np.array([0, 1, -1], dt)])
    return a


for _u in UNARY:
    cover(
        G,
        f"np.{_u}",
        f"np.{_u}(a)",
        f"np.{_u}(x) on Python/NumPy scalars",
        f"np.{_u}(a[i]) in a loop",
        dtypes=DTYPES,
        layouts=L1 + L2 + ["0-d", "empty"],
        test="test_unary_arrays / test_unary_scalars / test_unary_elements",
    )


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_arrays(name, dt, rng):
    fn = UNARY[name][0]
    a = data(rng, dt)
    cases = [layout(a, n) for n in L1]
    M = random_array(rng, (3, 4), dt)
    cases += [layout(M, n) for n in L2]
    cases += [np.array(a[0]), a[:0], M[:0]]
    check_all(fn, split_six(fn, [(c,) for c in cases])[0] or [(np.zeros(0),)])


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_scalars(name):
    fn = UNARY[name][0]
    check_all(fn, split_six(fn, [(s,) for s in SCALARS])[0])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_elements(name, dt, rng):
    fn = UNARY[name][1]
    a = data(rng, dt, 6)
    check_all(fn, split_six(fn, [(layout(a, n),) for n in ("C", "reversed")])[0] or [(np.zeros(3),)])


def test_results_outside_six_dtypes():
    """Float ufuncs of bool arrays and of Python/NumPy bools give float16 in NumPy
    (np.sqrt(True) is np.float16(1.0)); the cases the tests above leave out."""
    failures = []
    n = 0
    for name, (whole, elem) in UNARY.items():
        for fn, args in [
            (whole, (np.array([True, False]),)),
            (whole, (True,)),
            (elem, (np.array([True, False]),)),
        ]:
            if split_six(fn, [args])[1]:
                n += 1
                try:
                    check(fn, *args)
                except AssertionError as e:
                    failures.append(f"np.{name}: " + str(e).splitlines()[-1].strip())
    assert n, "no case leaves the six dtypes"
    assert not failures, f"{len(failures)} of {n} cases differ:\n" + "\n".join(failures)


cover(
    G,
    "results outside the six dtypes",
    "np.sqrt(bool array), np.sin(True), ... (float16)",
    test="test_results_outside_six_dtypes",
)


# --------------------------------------------------------------------------
# binary ufuncs
# --------------------------------------------------------------------------

for _b in BINARY:
    cover(
        G,
        f"np.{_b}",
        f"np.{_b}(a, b) (all dtype pairs)",
        f"np.{_b}(a, scalar)",
        f"np.{_b}(scalar, a)",
        f"np.{_b}(col, row) broadcasting",
        dtypes=DTYPES,
        layouts=L1 + L2 + ["0-d", "empty"],
        test="test_binary_arrays / test_binary_scalars / test_binary_broadcast",
    )


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_arrays(name, dt, rng):
    fn = BINARY[name]
    a = data(rng, dt, 6)
    cases = []
    for dt2 in DTYPES:
        b = data(rng, dt2, 6)
        n = min(len(a), len(b))
        x, y = a[:n], b[:n]
        if name == "power" and np.dtype(dt2).kind == "i":
            y = np.abs(y) % 4
        cases.append((x, y))
        cases.append((x[::-1], y[::-1]))
    check_all(fn, split_six(fn, cases)[0])


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_scalars(name, rng):
    fn = BINARY[name]
    cases = []
    for dt in DTYPES:
        a = random_array(rng, 5, dt)
        if name == "power" and np.dtype(dt).kind == "i":
            a = np.abs(a) % 4
        for s in [2, 0.5, -1.5, True, 1j, np.float32(2.0), np.int32(3), math.nan]:
            cases += [(a, s), (s, a)]
    cases += [(2.0, 3.0), (np.float32(1.5), np.float32(2.5)), (3, 4), (np.int64(2), np.int32(5))]
    check_all(fn, split_six(fn, cases)[0])


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_broadcast(name, rng):
    fn = BINARY[name]
    cases = []
    for dt in (np.float64, np.float32, np.int64):
        col, row = random_array(rng, (4, 1), dt), random_array(rng, 3, dt)
        if name == "power" and dt is np.int64:
            col, row = np.abs(col) % 4, np.abs(row) % 4
        M = random_array(rng, (4, 3), dt)
        cases += [
            (col, row),
            (layout(M, "F"), row),
            (layout(M, "all_reversed"), col),
            (np.array(dt(2)), M),
            (M[:0], row),
        ]
    cases.append((np.ones(3), np.ones(2)))  # ValueError, same message
    check_all(fn, cases)


# --------------------------------------------------------------------------
# np.where, np.clip
# --------------------------------------------------------------------------


@pyston.fast
def relu(a):
    return np.where(a > 0, a, 0)


@pyston.fast
def where3(c, a, b):
    return np.where(c, a, b)


@pyston.fast
def where_indices(a):
    idx = np.where(a > 0)[0]
    s = 0
    for k in range(len(idx)):
        s += idx[k]
    return idx, s, np.where(a > 0)


@pyston.fast
def clip_forms(a, lo, hi):
    return np.clip(a, lo, hi), a.clip(lo, hi), np.clip(a, None, hi), np.clip(a, lo, None)


cover(
    G,
    "np.where",
    "np.where(a > 0, a, 0)",
    "np.where(c, a, b)",
    "np.where(cond) (tuple of index arrays)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["0-d", "empty"],
)
cover(
    G,
    "np.clip",
    "np.clip(a, lo, hi)",
    "np.clip(a, None, hi)",
    "np.clip(a, lo, None)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(G, "ndarray.clip", "a.clip(lo, hi)", dtypes=DTYPES, layouts=L1 + L2 + ["empty"])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_where(dt, rng):
    a = random_array(rng, 9, dt)
    cases_relu = [(layout(a, n),) for n in L1] + [(layout(random_array(rng, (3, 4), dt), n),) for n in L2]
    cases_relu += [(a[:0],), (np.array(a[0]),)]
    if dt is not np.complex128:
        check_all(relu, cases_relu)
        check_all(where_indices, [(layout(a, n),) for n in L1] + [(a[:0],)])
    c = rng.integers(0, 2, 9).astype(bool)
    cases = [(c, layout(a, n), random_array(rng, 9, dt2)) for n in L1 for dt2 in DTYPES]
    cases += [(c, a, 0), (c, 1.5, a), (c[:, None], a, a[::-1]), (True, a, 0), (c, a, a[:3])]
    check_all(where3, cases)


@pytest.mark.parametrize("dt", [d for d in DTYPES], ids=DTYPE_IDS)
def test_clip(dt, rng):
    a = data(rng, dt)
    cases = [(layout(a, n), -5, 5) for n in L1]
    cases += [(layout(random_array(rng, (3, 4), dt), n), -2.5, 2.5) for n in L2]
    cases += [(a, np.float32(0), np.float32(1)), (a, 3, -3), (a[:0], 0, 1), (a, np.int32(-1), np.int64(1))]
    check_all(clip_forms, split_six(clip_forms, cases)[0])


# --------------------------------------------------------------------------
# out=, ufuncs in element loops the way they are written
# --------------------------------------------------------------------------


@pyston.fast
def sqrt_into(a, out):
    np.sqrt(a, out=out)
    np.multiply(out, 2.0, out=out)
    return out


@pyston.fast
def softplus(a):
    out = np.empty_like(a)
    for i in range(len(a)):
        x = a[i]
        out[i] = np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)
    return out


@pyston.fast
def polar(x, y):
    r = np.hypot(x, y)
    t = np.arctan2(y, x)
    back = r * np.cos(t)
    n = 0
    for i in range(len(x)):
        if np.isfinite(back[i]) and not np.isnan(t[i]):
            n += 1
    return r, t, back, n


@pyston.fast
def gaussian(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


cover(
    G,
    "ufunc out=",
    "np.sqrt(a, out=out)",
    "np.multiply(out, 2.0, out=out)",
    dtypes=["float64", "float32"],
    layouts=L1,
    test="test_out_argument",
)
cover(
    G,
    "ufunc expressions",
    "np.log1p(np.exp(-np.abs(a[i]))) + np.maximum(a[i], 0)",
    "np.hypot/arctan2/cos",
    "np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))",
    dtypes=["float64", "float32"],
    layouts=L1,
    test="test_kernels",
)


def test_out_argument(rng):
    for dt in (np.float64, np.float32):
        a = np.abs(random_array(rng, 7, dt))
        for n in L1:
            check(sqrt_into, layout(a, n), layout(np.zeros(7, dt), n))
    check(sqrt_into, np.ones(3), np.zeros(3, np.int64))  # casting error, same message


@pytest.mark.parametrize("dt", [np.float64, np.float32], ids=["float64", "float32"])
def test_kernels(dt, rng):
    a = data(rng, dt)
    b = data(rng, dt)[::-1].copy()
    for n in L1:
        check(softplus, layout(a, n))
        check(polar, layout(a, n), layout(b, n))
        check(gaussian, layout(a, n), 0.5, 2.0)
    check(gaussian, a, np.float32(0.5), np.float32(2.0))


# --------------------------------------------------------------------------
# ufuncs reached through another name
# --------------------------------------------------------------------------

SQRT = np.sqrt


def make_applier(f):
    @pyston.fast
    def apply(a):
        return f(a)

    return apply


@pyston.fast
def from_import(a):
    return sqrt(a) + np_exp(a)


@pyston.fast
def global_alias(a):
    return SQRT(a)


cover(
    G,
    "ufunc bound to another name",
    "from numpy import sqrt; sqrt(a)",
    "SQRT = np.sqrt; SQRT(a)",
    "a ufunc in a closure cell",
    test="test_ufunc_other_names",
)


@pytest.mark.parametrize("how", ["from-import", "global-alias", "closure"])
def test_ufunc_other_names(how, rng):
    fn = {"from-import": from_import, "global-alias": global_alias, "closure": make_applier(np.sqrt)}[how]
    a = np.abs(random_array(rng, 5, np.float64))
    check(fn, a)
    check(fn, 2.0)
