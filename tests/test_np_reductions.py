"""Reductions and the array library inside compiled kernels, differential
against plain NumPy: sum prod min max argmin argmax mean var std (method and
function forms, axis= constant and variable, negative axes, keepdims=, ddof=),
cumsum cumprod, dot/@ for 1-D and 2-D, all any nonzero count_nonzero, sort
argsort (1-D, axis=-1, in place), searchsorted, unique, concatenate stack
vstack hstack, histogram (bins=, range=, weights=), interp diff roll tile outer
trace; every dtype, every layout, 0-d and empty arrays; used the way kernels
use them (a statistic, then an element loop)."""

import warnings

import numpy as np
import pyston
import pytest
from helpers import random_array
from np_common import DTYPE_IDS, DTYPES, L1, L2, check, check_all, cover, layout, split_six

G = "reductions"


def arrays_1d(rng, dt, n=9):
    a = random_array(rng, n, dt)
    return [layout(a, name) for name in L1] + [a[:0]]


def arrays_2d(rng, dt, shape=(4, 3)):
    A = random_array(rng, shape, dt)
    return [layout(A, name) for name in L2] + [A[:0], A[:, :0]]


# --------------------------------------------------------------------------
# sum prod min max argmin argmax mean var std cumsum cumprod
# --------------------------------------------------------------------------


@pyston.fast
def r_sum(a):
    return a.sum(), np.sum(a)


@pyston.fast
def r_sum_axis(a, ax):
    return a.sum(axis=ax), np.sum(a, axis=ax)


@pyston.fast
def r_sum_axis0(a):
    return a.sum(axis=0), np.sum(a, 0)


@pyston.fast
def r_sum_axis_last(a):
    return a.sum(axis=-1)


@pyston.fast
def r_sum_keepdims(a):
    return a.sum(keepdims=True), np.sum(a, axis=-1, keepdims=True)


@pyston.fast
def r_prod(a):
    return a.prod(), np.prod(a)


@pyston.fast
def r_prod_axis(a, ax):
    return a.prod(axis=ax), np.prod(a, axis=ax)


@pyston.fast
def r_prod_axis0(a):
    return a.prod(axis=0), np.prod(a, 0)


@pyston.fast
def r_prod_axis_last(a):
    return a.prod(axis=-1)


@pyston.fast
def r_prod_keepdims(a):
    return a.prod(keepdims=True), np.prod(a, axis=-1, keepdims=True)


@pyston.fast
def r_min(a):
    return a.min(), np.min(a)


@pyston.fast
def r_min_axis(a, ax):
    return a.min(axis=ax), np.min(a, axis=ax)


@pyston.fast
def r_min_axis0(a):
    return a.min(axis=0), np.min(a, 0)


@pyston.fast
def r_min_axis_last(a):
    return a.min(axis=-1)


@pyston.fast
def r_min_keepdims(a):
    return a.min(keepdims=True), np.min(a, axis=-1, keepdims=True)


@pyston.fast
def r_max(a):
    return a.max(), np.max(a)


@pyston.fast
def r_max_axis(a, ax):
    return a.max(axis=ax), np.max(a, axis=ax)


@pyston.fast
def r_max_axis0(a):
    return a.max(axis=0), np.max(a, 0)


@pyston.fast
def r_max_axis_last(a):
    return a.max(axis=-1)


@pyston.fast
def r_max_keepdims(a):
    return a.max(keepdims=True), np.max(a, axis=-1, keepdims=True)


@pyston.fast
def r_argmin(a):
    return a.argmin(), np.argmin(a)


@pyston.fast
def r_argmin_axis(a, ax):
    return a.argmin(axis=ax), np.argmin(a, axis=ax)


@pyston.fast
def r_argmin_axis0(a):
    return a.argmin(axis=0), np.argmin(a, 0)


@pyston.fast
def r_argmin_axis_last(a):
    return a.argmin(axis=-1)


@pyston.fast
def r_argmin_keepdims(a):
    return a.argmin(keepdims=True), np.argmin(a, axis=-1, keepdims=True)


@pyston.fast
def r_argmax(a):
    return a.argmax(), np.argmax(a)


@pyston.fast
def r_argmax_axis(a, ax):
    return a.argmax(axis=ax), np.argmax(a, axis=ax)


@pyston.fast
def r_argmax_axis0(a):
    return a.argmax(axis=0), np.argmax(a, 0)


@pyston.fast
def r_argmax_axis_last(a):
    return a.argmax(axis=-1)


@pyston.fast
def r_argmax_keepdims(a):
    return a.argmax(keepdims=True), np.argmax(a, axis=-1, keepdims=True)


@pyston.fast
def r_mean(a):
    return a.mean(), np.mean(a)


@pyston.fast
def r_mean_axis(a, ax):
    return a.mean(axis=ax), np.mean(a, axis=ax)


@pyston.fast
def r_mean_axis0(a):
    return a.mean(axis=0), np.mean(a, 0)


@pyston.fast
def r_mean_axis_last(a):
    return a.mean(axis=-1)


@pyston.fast
def r_mean_keepdims(a):
    return a.mean(keepdims=True), np.mean(a, axis=-1, keepdims=True)


@pyston.fast
def r_var(a):
    return a.var(), np.var(a)


@pyston.fast
def r_var_axis(a, ax):
    return a.var(axis=ax), np.var(a, axis=ax)


@pyston.fast
def r_var_axis0(a):
    return a.var(axis=0), np.var(a, 0)


@pyston.fast
def r_var_axis_last(a):
    return a.var(axis=-1)


@pyston.fast
def r_var_keepdims(a):
    return a.var(keepdims=True), np.var(a, axis=-1, keepdims=True)


@pyston.fast
def r_std(a):
    return a.std(), np.std(a)


@pyston.fast
def r_std_axis(a, ax):
    return a.std(axis=ax), np.std(a, axis=ax)


@pyston.fast
def r_std_axis0(a):
    return a.std(axis=0), np.std(a, 0)


@pyston.fast
def r_std_axis_last(a):
    return a.std(axis=-1)


@pyston.fast
def r_std_keepdims(a):
    return a.std(keepdims=True), np.std(a, axis=-1, keepdims=True)


@pyston.fast
def r_cumsum(a):
    return a.cumsum(), np.cumsum(a)


@pyston.fast
def r_cumsum_axis(a, ax):
    return a.cumsum(axis=ax), np.cumsum(a, axis=ax)


@pyston.fast
def r_cumsum_axis0(a):
    return a.cumsum(axis=0), np.cumsum(a, 0)


@pyston.fast
def r_cumsum_axis_last(a):
    return a.cumsum(axis=-1)


@pyston.fast
def r_cumprod(a):
    return a.cumprod(), np.cumprod(a)


@pyston.fast
def r_cumprod_axis(a, ax):
    return a.cumprod(axis=ax), np.cumprod(a, axis=ax)


@pyston.fast
def r_cumprod_axis0(a):
    return a.cumprod(axis=0), np.cumprod(a, 0)


@pyston.fast
def r_cumprod_axis_last(a):
    return a.cumprod(axis=-1)


REDUCTIONS = {
    "sum": (r_sum, r_sum_axis, r_sum_axis0, r_sum_axis_last, r_sum_keepdims),
    "prod": (r_prod, r_prod_axis, r_prod_axis0, r_prod_axis_last, r_prod_keepdims),
    "min": (r_min, r_min_axis, r_min_axis0, r_min_axis_last, r_min_keepdims),
    "max": (r_max, r_max_axis, r_max_axis0, r_max_axis_last, r_max_keepdims),
    "argmin": (r_argmin, r_argmin_axis, r_argmin_axis0, r_argmin_axis_last, r_argmin_keepdims),
    "argmax": (r_argmax, r_argmax_axis, r_argmax_axis0, r_argmax_axis_last, r_argmax_keepdims),
    "mean": (r_mean, r_mean_axis, r_mean_axis0, r_mean_axis_last, r_mean_keepdims),
    "var": (r_var, r_var_axis, r_var_axis0, r_var_axis_last, r_var_keepdims),
    "std": (r_std, r_std_axis, r_std_axis0, r_std_axis_last, r_std_keepdims),
    "cumsum": (r_cumsum, r_cumsum_axis, r_cumsum_axis0, r_cumsum_axis_last, None),
    "cumprod": (r_cumprod, r_cumprod_axis, r_cumprod_axis0, r_cumprod_axis_last, None),
}


for _r, _ks in REDUCTIONS.items():
    _forms = [
        f"a.{_r}()",
        f"np.{_r}(a)",
        f"a.{_r}(axis=ax)",
        f"np.{_r}(a, axis=ax)",
        f"a.{_r}(axis=0)",
        f"np.{_r}(a, 0)",
        f"a.{_r}(axis=-1)",
    ]
    if _ks[4] is not None:
        _forms += [f"a.{_r}(keepdims=True)", f"np.{_r}(a, axis=-1, keepdims=True)"]
    cover(
        G,
        f"np.{_r} / ndarray.{_r}",
        *_forms,
        dtypes=DTYPES,
        layouts=L1 + L2 + ["0-d", "empty"],
        test="test_reduce_whole / test_reduce_axis_variable_2d / test_reduce_axis_1d / test_reduce_keepdims",
    )


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduce_whole(name, dt, rng):
    fn = REDUCTIONS[name][0]
    cases = arrays_1d(rng, dt) + arrays_2d(rng, dt) + [np.array(random_array(rng, (), dt))]
    check_all(fn, [(c,) for c in cases])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduce_axis_variable_2d(name, dt, rng):
    fn = REDUCTIONS[name][1]
    check_all(fn, [(A, ax) for A in arrays_2d(rng, dt) for ax in (0, 1, -1)] + [(arrays_2d(rng, dt)[0], 2)])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduce_axis_1d(name, dt, rng):
    """axis=0 / axis=-1 (as a variable and as a constant) on 1-D arrays."""
    _, var, zero, last, _ = REDUCTIONS[name]
    failures = []
    for a in arrays_1d(rng, dt)[:2]:
        for fn, args in [(var, (a, 0)), (var, (a, -1)), (zero, (a,)), (last, (a,))]:
            try:
                check(fn, *args)
            except AssertionError as e:
                failures.append(str(e).splitlines()[0] + "\n    " + str(e).splitlines()[-1].strip())
    assert not failures, f"{len(failures)} of 8 cases differ:\n" + "\n".join(failures)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduce_axis_2d_constants(name, dt, rng):
    _, _, zero, last, _ = REDUCTIONS[name]
    cases = arrays_2d(rng, dt)
    check_all(zero, [(c,) for c in cases])
    check_all(last, [(c,) for c in cases])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", [r for r in REDUCTIONS if REDUCTIONS[r][4] is not None])
def test_reduce_keepdims(name, dt, rng):
    fn = REDUCTIONS[name][4]
    check_all(fn, [(c,) for c in arrays_2d(rng, dt)])


@pyston.fast
def var_std_ddof(a, ddof):
    return a.var(ddof=ddof), np.std(a, ddof=ddof), np.var(a, axis=0, ddof=ddof), a.std(axis=-1, ddof=1)


cover(G, "np.var / ndarray.var", "a.var(ddof=)", "np.var(a, axis=0, ddof=)", dtypes=DTYPES, layouts=L2)
cover(G, "np.std / ndarray.std", "np.std(a, ddof=)", "a.std(axis=-1, ddof=1)", dtypes=DTYPES, layouts=L2)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_var_std_ddof(dt, rng):
    check_all(var_std_ddof, [(A, d) for A in arrays_2d(rng, dt) for d in (0, 1, 2)])


# --------------------------------------------------------------------------
# statistics feeding element loops
# --------------------------------------------------------------------------


@pyston.fast
def zscore(a):
    m = a.mean()
    s = a.std()
    out = np.empty(len(a))
    for i in range(len(a)):
        out[i] = (a[i] - m) / s
    return out


@pyston.fast
def center_columns(A):
    mu = A.mean(axis=0)
    n, m = A.shape
    out = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            out[i, j] = A[i, j] - mu[j]
    return out


@pyston.fast
def argmax_walk(a, steps):
    # repeatedly take the largest element and damp it
    b = a.astype(np.float64)
    picked = 0
    for _ in range(steps):
        k = b.argmax()
        picked += k
        b[k] = b[k] * 0.5 - 1.0
    return b, picked, b.min(), b.max()


@pyston.fast
def running_total(a):
    c = np.cumsum(a)
    p = a.cumprod()
    s = 0.0
    for i in range(len(c)):
        s += c[i] - p[i] * 0.0
    return c, p, s


cover(
    G,
    "statistics in kernels",
    "m = a.mean(); s = a.std(); loop",
    "A.mean(axis=0) then loop",
    "k = b.argmax(); b[k] = ...",
    "np.cumsum(a) then loop",
    dtypes=DTYPES,
    layouts=L1 + L2,
    test="test_kernels",
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_kernels(dt, rng):
    for a in arrays_1d(rng, dt)[:3]:
        check(zscore, a)
        check(running_total, a)
        if dt is not np.complex128:
            check(argmax_walk, a, 5)
    for A in arrays_2d(rng, dt)[:5]:
        check(center_columns, A)


# --------------------------------------------------------------------------
# dot / @
# --------------------------------------------------------------------------


@pyston.fast
def dots(a, b):
    return np.dot(a, b), a.dot(b), a @ b


@pyston.fast
def matvec_loop(A, x, iters):
    # power iteration: matrix-vector products with a normalisation per step
    v = x
    for _ in range(iters):
        w = A @ v
        v = w / np.sqrt(np.dot(w, w))
    return v


cover(
    G,
    "np.dot / ndarray.dot / @",
    "np.dot(a, b)",
    "a.dot(b)",
    "a @ b",
    "1-D·1-D",
    "2-D·1-D",
    "1-D·2-D",
    "2-D·2-D",
    "A @ v in a loop",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)


@pytest.mark.parametrize("dt2", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_dot(dt, dt2, rng):
    a, b = random_array(rng, 4, dt), random_array(rng, 4, dt2)
    A, B = random_array(rng, (3, 4), dt), random_array(rng, (4, 5), dt2)
    cases = [(layout(a, n), layout(b, m)) for n in L1 for m in L1[:2]]
    cases += [(layout(A, n), layout(b, "C")) for n in L2]
    cases += [(layout(b, "reversed"), layout(B, n)) for n in L2]
    cases += [(layout(A, n), layout(B, m)) for n in L2 for m in ("C", "F")]
    cases += [(a[:0], b[:0]), (A[:, :0], B[:0]), (A, a[:3])]  # the last: ValueError, same message
    check_all(dots, split_six(dots, cases)[0])


def test_power_iteration(rng):
    A = random_array(rng, (5, 5), np.float64)
    A = A + A.T
    for n in L2:
        check(matvec_loop, layout(A, n), np.ones(5), 10)


# --------------------------------------------------------------------------
# all any nonzero count_nonzero
# --------------------------------------------------------------------------


@pyston.fast
def logic(a):
    return a.all(), a.any(), np.all(a), np.any(a), np.count_nonzero(a)


@pyston.fast
def logic_axis(A):
    return A.all(axis=0), np.any(A, axis=1), np.count_nonzero(A, axis=0)


@pyston.fast
def nonzeros(a):
    (idx,) = np.nonzero(a)
    idx2 = a.nonzero()[0]
    s = 0
    for k in range(len(idx)):
        s += idx[k] - idx2[k]
    return idx, s


@pyston.fast
def nonzeros_2d(A):
    return np.nonzero(A), A.nonzero()


cover(
    G,
    "np.all / ndarray.all",
    "a.all()",
    "np.all(a)",
    "A.all(axis=0)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(
    G,
    "np.any / ndarray.any",
    "a.any()",
    "np.any(a)",
    "np.any(A, axis=1)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(
    G,
    "np.count_nonzero",
    "np.count_nonzero(a)",
    "np.count_nonzero(A, axis=0)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(
    G,
    "np.nonzero / ndarray.nonzero",
    "(idx,) = np.nonzero(a)",
    "a.nonzero()[0]",
    "np.nonzero(A)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_logic(dt, rng):
    sparse = lambda x: x * (random_array(rng, x.shape, np.bool_))  # noqa: E731
    ones = [sparse(a) for a in arrays_1d(rng, dt)]
    twos = [sparse(A) for A in arrays_2d(rng, dt)]
    check_all(logic, [(a,) for a in ones + twos])
    check_all(logic_axis, [(A,) for A in twos])
    check_all(nonzeros, [(a,) for a in ones])
    check_all(nonzeros_2d, [(A,) for A in twos])


# --------------------------------------------------------------------------
# sort argsort searchsorted unique
# --------------------------------------------------------------------------


@pyston.fast
def sorts(a):
    s = np.sort(a)
    i = np.argsort(a)
    j = a.argsort()
    k = np.argsort(a, kind="stable")
    return s, i, j, k


@pyston.fast
def sort_last_axis(A):
    return np.sort(A, axis=-1), np.argsort(A, axis=-1), np.sort(A, axis=0)


@pyston.fast
def sort_in_place(a):
    a.sort()
    med = a[len(a) // 2]
    return med


@pyston.fast
def searches(s, v):
    return np.searchsorted(s, v), s.searchsorted(v, side="right"), np.searchsorted(s, v, side="left")


@pyston.fast
def bin_counts(edges, x):
    # searchsorted per element inside a loop
    counts = np.zeros(len(edges) + 1, dtype=np.int64)
    for i in range(len(x)):
        k = np.searchsorted(edges, x[i])
        counts[k] += 1
    return counts


@pyston.fast
def uniques(a):
    u = np.unique(a)
    u2, cnt = np.unique(a, return_counts=True)
    u3, first, inv = np.unique(a, return_index=True, return_inverse=True)
    return u, u2, cnt, u3, first, inv


cover(
    G,
    "np.sort",
    "np.sort(a)",
    "np.sort(A, axis=-1)",
    "np.sort(A, axis=0)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(G, "ndarray.sort", "a.sort() (in place)", dtypes=DTYPES, layouts=L1)
cover(
    G,
    "np.argsort / ndarray.argsort",
    "np.argsort(a)",
    "a.argsort()",
    "np.argsort(a, kind='stable')",
    "np.argsort(A, axis=-1)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(
    G,
    "np.searchsorted / ndarray.searchsorted",
    "np.searchsorted(s, v)",
    "s.searchsorted(v, side='right')",
    "np.searchsorted(s, x[i]) in a loop",
    dtypes=DTYPES,
    layouts=L1 + ["empty"],
)
cover(
    G,
    "np.unique",
    "np.unique(a)",
    "return_counts=True",
    "return_index=True, return_inverse=True",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_sort(dt, rng):
    ones = arrays_1d(rng, dt)
    if np.dtype(dt).kind == "f":
        ones.append(np.array([np.nan, 1.0, -0.0, 0.0, -np.inf, np.nan], dt))
    check_all(sorts, [(a,) for a in ones])
    check_all(sort_in_place, [(a,) for a in ones])
    check_all(sort_last_axis, [(A,) for A in arrays_2d(rng, dt)])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_searchsorted(dt, rng):
    s = np.sort(random_array(rng, 10, dt))
    v = random_array(rng, 5, dt)
    cases = [(layout(s, n), v) for n in L1] + [(s, v[0]), (s, 3), (s, 2.5), (s[:0], v), (s, v[:0])]
    check_all(searches, cases)
    if dt is not np.complex128:
        check_all(bin_counts, [(layout(s, n), random_array(rng, 20, dt)) for n in L1])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_unique(dt, rng):
    cases = [(a,) for a in arrays_1d(rng, dt)] + [(A,) for A in arrays_2d(rng, dt)[:3]]
    cases.append((np.array(random_array(rng, (), dt)),))
    check_all(uniques, cases)


# --------------------------------------------------------------------------
# concatenate stack vstack hstack
# --------------------------------------------------------------------------


@pyston.fast
def joins(a, b):
    return np.concatenate((a, b)), np.stack((a, b)), np.vstack((a, b)), np.hstack((a, b))


@pyston.fast
def joins_axis(A, B):
    return np.concatenate((A, B), axis=1), np.stack((A, B), axis=-1), np.concatenate((A, B, A), axis=0)


@pyston.fast
def joins_list(a, b):
    return np.concatenate([a, b]), np.stack([a, b]), np.vstack([a, b]), np.hstack([a, b])


@pyston.fast
def grow(a, n):
    # appending in a loop (quadratic, but common)
    out = a[:0]
    for _ in range(n):
        out = np.concatenate((out, a))
    return out


cover(
    G,
    "np.concatenate",
    "np.concatenate((a, b))",
    "np.concatenate((A, B), axis=1)",
    "np.concatenate((A, B, A), axis=0)",
    "out = np.concatenate((out, a)) in a loop",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(
    G, "np.stack", "np.stack((a, b))", "np.stack((A, B), axis=-1)", dtypes=DTYPES, layouts=L1 + L2 + ["empty"]
)
cover(G, "np.vstack", "np.vstack((a, b))", dtypes=DTYPES, layouts=L1 + ["empty"])
cover(G, "np.hstack", "np.hstack((a, b))", dtypes=DTYPES, layouts=L1 + ["empty"])
cover(
    G,
    "lists as arguments",
    "np.concatenate([a, b])",
    "np.stack([a, b])",
    "np.vstack([a, b])",
    "np.hstack([a, b])",
    "np.array([x, 2 * x, a[0]])",
    "np.array([[1.0, 2.0], [3.0, x]])",
    "np.asarray([a[1], b[0]])",
    "np.concatenate([a, b, a])",
    "np.stack([a, b], axis=-1)",
    dtypes=DTYPES,
    layouts=L1,
    test="test_join_lists",
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_joins(dt, rng):
    cases = []
    for dt2 in DTYPES:
        a, b = random_array(rng, 5, dt), random_array(rng, 5, dt2)
        cases += [(layout(a, n), layout(b, n)) for n in L1]
        cases.append((a[:0], b[:0]))
    cases.append((random_array(rng, 5, dt), random_array(rng, 4, dt)))  # stack: ValueError, same message
    check_all(joins, split_six(joins, cases)[0])
    A, B = random_array(rng, (3, 4), dt), random_array(rng, (3, 4), dt)
    check_all(joins_axis, [(layout(A, n), layout(B, m)) for n in L2 for m in ("C", "F")])
    check_all(grow, [(layout(random_array(rng, 3, dt), n), 4) for n in L1])


@pyston.fast
def arrays_from_lists(a, b, x):
    return (
        np.array([x, 2 * x, a[0]]),
        np.array([[1.0, 2.0], [3.0, x]]),
        np.asarray([a[1], b[0]]),
        np.concatenate([a, b, a]),
        np.stack([a, b], axis=-1),
    )


@pytest.mark.parametrize("dt", DTYPES)
def test_join_lists(rng, dt):
    # A list passed to a NumPy function is compiled (as a tuple: NumPy treats them alike).
    for n in L1:
        a, b = layout(random_array(rng, 5, dt), n), layout(random_array(rng, 5, dt), n)
        check(joins_list, a, b)
        check(arrays_from_lists, a, b, 1.5)
        check(arrays_from_lists, a, b, 3)
    check(joins_list, random_array(rng, 5, dt), random_array(rng, 4, dt))  # stack: ValueError


@pyston.fast
def list_used_otherwise(a):
    xs = [a[0], a[1]]
    s = 0.0
    for x in xs:
        s += x
    return s, xs


def test_other_list_uses_compile_as_real_lists(rng):
    # Iterated and returned: a real list in compiled code (tests/test_lists.py).
    a = random_array(rng, 5, np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)
        got = list_used_otherwise(a)
    assert got == list_used_otherwise.py_func(a) and type(got[1]) is list


# --------------------------------------------------------------------------
# histogram interp diff roll tile outer trace
# --------------------------------------------------------------------------


@pyston.fast
def histograms(a, w):
    h1, e1 = np.histogram(a, bins=7)
    h2, e2 = np.histogram(a, bins=4, range=(-10.0, 10.0))
    h3, e3 = np.histogram(a, bins=5, weights=w)
    h4, e4 = np.histogram(a, 6, (0, 3), weights=w)
    total = 0
    for i in range(len(h1)):
        total += h1[i]
    return h1, e1, h2, e2, h3, e3, h4, e4, total


@pyston.fast
def interps(x, xp, fp):
    return np.interp(x, xp, fp), np.interp(x, xp, fp, left=-1.0, right=1.0), np.interp(2.5, xp, fp)


@pyston.fast
def diffs(a):
    return np.diff(a), np.diff(a, n=2), np.diff(a, 1)


@pyston.fast
def diffs_2d(A):
    return np.diff(A), np.diff(A, axis=0)


@pyston.fast
def rolls(a, k):
    return np.roll(a, k), np.roll(a, -1)


@pyston.fast
def rolls_2d(A):
    return np.roll(A, 2, axis=1), np.roll(A, -1, axis=0), np.roll(A, 3)


@pyston.fast
def tiles(a):
    return np.tile(a, 3), np.tile(a, (2, 1)), np.tile(a, (2, 2))


@pyston.fast
def outers(a, b):
    return np.outer(a, b)


@pyston.fast
def traces(A):
    return np.trace(A), A.trace(), np.trace(A, offset=1), np.trace(A, 1)


cover(
    G,
    "np.histogram",
    "np.histogram(a, bins=n)",
    "range=(lo, hi)",
    "weights=w",
    "np.histogram(a, n, (lo, hi))",
    dtypes=DTYPES,
    layouts=L1 + ["empty"],
)
cover(
    G,
    "np.interp",
    "np.interp(x, xp, fp)",
    "left=, right=",
    "np.interp(scalar, xp, fp)",
    dtypes=["float64", "float32", "int64", "int32", "complex128"],
    layouts=L1,
)
cover(
    G,
    "np.diff",
    "np.diff(a)",
    "np.diff(a, n=2)",
    "np.diff(a, 1)",
    "np.diff(A, axis=0)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(
    G,
    "np.roll",
    "np.roll(a, k)",
    "np.roll(A, 2, axis=1)",
    "np.roll(A, 3)",
    dtypes=DTYPES,
    layouts=L1 + L2 + ["empty"],
)
cover(G, "np.tile", "np.tile(a, 3)", "np.tile(a, (2, 1))", dtypes=DTYPES, layouts=L1 + ["empty"])
cover(G, "np.outer", "np.outer(a, b)", dtypes=DTYPES, layouts=L1 + ["empty"])
cover(
    G,
    "np.trace / ndarray.trace",
    "np.trace(A)",
    "A.trace()",
    "np.trace(A, offset=1)",
    dtypes=DTYPES,
    layouts=L2 + ["empty"],
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_histogram(dt, rng):
    cases = []
    for a in arrays_1d(rng, dt, 30):
        cases.append((a, np.abs(random_array(rng, len(a), np.float64))))
    cases.append((arrays_1d(rng, dt)[0], np.ones(3)))  # weights of the wrong length: ValueError
    check_all(histograms, cases)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_interp(dt, rng):
    xp = np.sort(random_array(rng, 8, np.float64))
    fp = random_array(rng, 8, dt)
    x = random_array(rng, 10, np.float64)
    cases = [(layout(x, n), layout(xp, m), fp) for n in L1 for m in L1]
    cases += [(x[:0], xp, fp), (x, xp, fp[:3])]  # the last: ValueError, same message
    check_all(interps, cases)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_diff_roll_tile(dt, rng):
    ones = arrays_1d(rng, dt)
    twos = arrays_2d(rng, dt)
    check_all(diffs, [(a,) for a in ones])
    check_all(diffs_2d, [(A,) for A in twos])
    check_all(rolls, [(a, k) for a in ones for k in (0, 3, -11)])
    check_all(rolls_2d, [(A,) for A in twos])
    check_all(tiles, [(a,) for a in ones])


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_outer_trace(dt, rng):
    cases = []
    for dt2 in DTYPES:
        cases += [(a, b) for a, b in zip(arrays_1d(rng, dt, 4), arrays_1d(rng, dt2, 3))]
    check_all(outers, split_six(outers, cases)[0])
    check_all(traces, [(A,) for A in arrays_2d(rng, dt, (4, 4)) + arrays_2d(rng, dt, (2, 5))[:2]])


@pyston.fast
def f_scalar_results_in_a_loop(a, n):
    # NumPy scalar results of calls into NumPy (a reduction's value, `all`),
    # read back by compiled code on every iteration, of each dtype.
    s = a.sum() * 0
    ok = 0
    for i in range(n):
        t = np.sum(a[i % a.shape[0]])
        s = s + t
        if a[i % a.shape[0]].all():
            ok += 1
        s = s - np.max(a[i % a.shape[0]]) * 0
    return s, ok


@pytest.mark.parametrize(
    "dtype",
    [np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8, np.complex128, np.complex64, np.bool_],
)
def test_scalar_results_in_a_loop(dtype):
    rng = np.random.default_rng(7)
    a = random_array(rng, (4, 5), dtype)
    b = a.copy()
    b[1] = 0
    check_all(f_scalar_results_in_a_loop, [(a, 7), (b, 9), (a, 0), (a[:, ::-1], 5)])
