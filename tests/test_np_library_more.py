"""The rest of Numba's supported NumPy functions, called from compiled kernels
(calls into NumPy itself, typed by probing), differential against plain NumPy:
each kernel runs on a few layouts and dtypes, including empty arrays and NaNs,
and must compile (``check`` fails on a fall-back unless plain NumPy raises).
Each kernel uses the result the way a loop would (an element, a sum) as well
as returning it."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, random_array
from np_common import L1, check, cover, layout

G = "reductions"
NP2 = int(np.__version__.split(".")[0]) >= 2


def f_angle(z):
    return np.angle(z), np.angle(z, True)


def f_append(a, b):
    return np.append(a, b), np.append(a, 1.5)


def f_argpartition(a):
    idx = np.argpartition(a, 1)
    return a[idx[1]]


def f_partition(a):
    return np.partition(a, 1)[1]


def f_argwhere(a):
    return np.argwhere(a > 0.5)


def f_chkfinite(a):
    return np.asarray_chkfinite(a).sum()


def f_atleast_3d(a):
    return np.atleast_3d(a).shape


def f_windows(n):
    return np.bartlett(n), np.blackman(n), np.hamming(n), np.hanning(n), np.kaiser(n, 3.5)


def f_broadcast_shapes(a, b):
    return np.broadcast_shapes(a.shape, b.shape)


def f_corrcoef_cov(a):
    return np.corrcoef(a), np.cov(a), np.cov(a, bias=True)


def f_delete_insert(a):
    return np.delete(a, 1), np.insert(a, 1, 7.0), np.delete(a, [0, 1])


def f_diagflat(a):
    return np.diagflat(a), np.diagflat(a, 1)


def f_dstack(a, b):
    return np.dstack((a, b))


def f_ediff1d(a):
    return np.ediff1d(a), np.ediff1d(a, to_begin=0.0, to_end=9.0)


def f_extract(a):
    return np.extract(a > 0.5, a), np.flatnonzero(a > 0.5)


def f_fill_diagonal(m):
    np.fill_diagonal(m, 5.0)
    return m.sum()


def f_geomspace(a, b):
    return np.geomspace(a, b, 5), np.geomspace(a, b, num=4, endpoint=False)


def f_real_imag(z):
    return np.real(z), np.imag(z), np.iscomplex(z), np.isreal(z), np.iscomplexobj(z), np.isrealobj(z)


def f_indices(n, m):
    return np.indices((n, m))


def f_sets(a, b):
    return np.intersect1d(a, b), np.union1d(a, b), np.setdiff1d(a, b), np.setxor1d(a, b), np.isin(a, b)


def f_posneg_inf(a):
    return np.isposinf(a), np.isneginf(a)


def f_isscalar(x, a):
    return np.isscalar(x), np.isscalar(a), np.shape(a), np.size(a), np.size(a, 0)


def f_nan_reductions(a):
    return (np.nanargmax(a), np.nanargmin(a), np.nanprod(a), np.nanstd(a), np.nanvar(a), np.nanmedian(a),
            np.nanpercentile(a, 30.0), np.nanquantile(a, 0.7), np.nancumsum(a), np.nancumprod(a))


def f_resize(a, n):
    return np.resize(a, (n, 2))


def f_roots(p):
    return np.roots(p)


def f_rot90(m):
    return np.rot90(m), np.rot90(m, 2), np.rot90(m, -1)


def f_select(a):
    return np.select([a < 0.3, a > 0.7], [a, a * 2.0], -1.0)


def f_sinc(a):
    return np.sinc(a)


def f_take(a, idx):
    s = 0.0
    t = np.take(a, idx)
    for i in range(t.shape[0]):
        s += t[i]
    return s, np.take(a, idx, mode="wrap"), np.take(a, idx, mode="clip")


def f_take_along_axis(m):
    idx = np.argsort(m, axis=1)
    return np.take_along_axis(m, idx, axis=1)


def f_tri(n, k):
    return np.tri(n), np.tri(n, n + 1, k), np.tril_indices(n), np.triu_indices(n, k), np.tri(n, dtype=np.int64)


def f_tri_from(m):
    return np.tril_indices_from(m), np.triu_indices_from(m, 1)


def f_trim_zeros(a):
    return np.trim_zeros(a), np.trim_zeros(a, "f")


def f_unwrap(a):
    return np.unwrap(a)


def f_vander(a):
    return np.vander(a), np.vander(a, 3, True)


def f_concat(a, b):
    return np.concat((a, b)), np.permute_dims(np.stack((a, b))), np.trapezoid(a), np.trapezoid(a, dx=0.5)


def f_split(a):
    # A list of views, used as a loop uses it: indexed, iterated, its length.
    parts = np.split(a, 2)
    s = 0.0
    for p in parts:
        s += p.sum()
    return parts, len(parts), parts[1][0], s


def f_array_split(a, k):
    parts = np.array_split(a, k)
    n = 0
    for p in parts:
        n += p.shape[0]
    return parts, n, parts[-1]


def f_split_at(a):
    return np.split(a, [1, 3]), np.split(a, [2], axis=0)[0]


def f_hvd_split(m, c):
    return np.hsplit(m, 2), np.vsplit(m, 2)[1], np.dsplit(c, [1])[0]


def f_broadcast_arrays(a, b):
    x, y = np.broadcast_arrays(a, b)
    return x, y, x[1, 0] + y[0, 1]


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def one_d(rng, dt=np.float64, n=7):
    a = random_array(rng, n, dt)
    return [layout(a, name) for name in L1]


def test_angle_real_imag(rng):
    for z in one_d(rng, np.complex128) + one_d(rng, np.float64):
        check(pyston.fast(f_angle), z)
        check(pyston.fast(f_real_imag), z)


def test_append_delete_insert(rng):
    for a in one_d(rng):
        check(pyston.fast(f_append), a, a[:2])
        check(pyston.fast(f_delete_insert), a)
        check(pyston.fast(f_ediff1d), a)
        check(pyston.fast(f_diagflat), a[:3])


def test_partitions(rng):
    for a in one_d(rng) + one_d(rng, np.int64):
        check(pyston.fast(f_argpartition), a)
        check(pyston.fast(f_partition), a)


def test_conditions_and_where(rng):
    for a in one_d(rng):
        check(pyston.fast(f_argwhere), a)
        check(pyston.fast(f_extract), a)
        check(pyston.fast(f_select), a)
        check(pyston.fast(f_sinc), a)
    inf = np.array([1.0, np.inf, -np.inf, np.nan, 0.0])
    check(pyston.fast(f_posneg_inf), inf)
    check(pyston.fast(f_chkfinite), np.arange(4.0))
    check(pyston.fast(f_chkfinite), inf)  # ValueError, same message


def test_shapes(rng):
    a = random_array(rng, (3, 4), np.float64)
    check(pyston.fast(f_atleast_3d), a)
    check(pyston.fast(f_atleast_3d), a[0])
    check(pyston.fast(f_broadcast_shapes), a, a[:1])
    check(pyston.fast(f_broadcast_shapes), a, a[:2])  # ValueError
    check(pyston.fast(f_isscalar), 3.0, a)
    check(pyston.fast(f_dstack), a, a)
    check(pyston.fast(f_resize), a[0], 3)
    check(pyston.fast(f_rot90), a)
    check(pyston.fast(f_take_along_axis), a)
    check(pyston.fast(f_tri_from), a[:3, :3])
    check(pyston.fast(f_indices), 2, 3)


def test_windows_and_ranges():
    for n in (0, 1, 5):
        check(pyston.fast(f_windows), n)
    check(pyston.fast(f_geomspace), 1.0, 1000.0)
    check(pyston.fast(f_geomspace), 0.0, 1.0)  # ValueError
    for n, k in ((3, 0), (4, 1), (0, -1)):
        check(pyston.fast(f_tri), n, k)


def test_statistics(rng):
    m = random_array(rng, (3, 6), np.float64)
    check(pyston.fast(f_corrcoef_cov), m)
    check(pyston.fast(f_corrcoef_cov), np.asfortranarray(m))
    sq = random_array(rng, (4, 4), np.float64)
    check(pyston.fast(f_fill_diagonal), sq)
    a = random_array(rng, 9, np.float64)
    a[[2, 5]] = np.nan
    check(pyston.fast(f_nan_reductions), a)
    check(pyston.fast(f_nan_reductions), np.full(3, np.nan))  # ValueError (All-NaN slice) and warnings


def test_sets(rng):
    a = rng.integers(0, 8, 10)
    b = rng.integers(0, 8, 6)
    check(pyston.fast(f_sets), a, b)
    check(pyston.fast(f_sets), a[::-2], b[:0])


def test_take_trim_unwrap_vander_roots(rng):
    a = random_array(rng, 8, np.float64)
    check(pyston.fast(f_take), a, np.array([0, 3, -1, 7]))
    check(pyston.fast(f_take), a, np.array([0, 9]))  # IndexError for mode="raise"
    check(pyston.fast(f_trim_zeros), np.array([0.0, 0.0, 1.5, 0.0, 2.0, 0.0]))
    check(pyston.fast(f_unwrap), np.linspace(0.0, 20.0, 9))
    check(pyston.fast(f_vander), np.array([1.0, 2.0, 3.0]))
    check(pyston.fast(f_roots), np.array([1.0, -3.0, 2.0]))


def test_split_family(rng):
    for dt in (np.float64, np.int64, np.complex128):
        for a in one_d(rng, dt, n=8):
            check(pyston.fast(f_split), a)
            check(pyston.fast(f_array_split), a, 3)
            check(pyston.fast(f_split_at), a)
        check(pyston.fast(f_split), random_array(rng, 7, dt))  # ValueError: not an equal division
        check(pyston.fast(f_array_split), random_array(rng, 5, dt), 0)  # ValueError: sections must be > 0
        check(pyston.fast(f_array_split), random_array(rng, 2, dt), 4)  # empty sections
        m = random_array(rng, (4, 6), dt)
        c = random_array(rng, (2, 2, 3), dt)
        for name in ("C", "F", "strided", "reversed"):
            check(pyston.fast(f_hvd_split), layout(m, name), layout(c, name))
        pairs = [((3, 1), 4), ((3, 2), 4)]  # (the second: NumPy's ValueError)
        for sa, sb in pairs:
            a, b = random_array(rng, sa, dt), random_array(rng, sb, dt)
            if NP2:
                check(pyston.fast(f_broadcast_arrays), a, b)
            else:
                # NumPy 1.x returns a list, whose unpacking is not compiled: plain
                # Python, with the same values
                assert_same(pyston.fast(f_broadcast_arrays), a, b, allow_fallback=True)


@pytest.mark.skipif(not NP2, reason="np.concat, np.permute_dims and np.trapezoid are NumPy 2 names")
def test_numpy2_names(rng):
    a = random_array(rng, 5, np.float64)
    check(pyston.fast(f_concat), a, a[::-1])


cover(
    G,
    "the rest of Numba's supported list",
    "np.angle np.append np.argpartition np.argwhere np.asarray_chkfinite np.atleast_3d np.bartlett "
    "np.blackman np.broadcast_shapes np.concat np.corrcoef np.cov np.delete np.diagflat np.dstack "
    "np.ediff1d np.extract np.fill_diagonal np.flatnonzero np.geomspace np.hamming np.hanning np.imag "
    "np.indices np.insert np.intersect1d np.iscomplex np.iscomplexobj np.isin np.isneginf np.isposinf "
    "np.isreal np.isrealobj np.isscalar np.kaiser np.nanargmax np.nanargmin np.nancumprod np.nancumsum "
    "np.nanmedian np.nanpercentile np.nanprod np.nanquantile np.nanstd np.nanvar np.partition "
    "np.permute_dims np.real np.resize np.roots np.rot90 np.select np.setdiff1d np.setxor1d np.shape "
    "np.sinc np.size np.take np.take_along_axis np.trapezoid np.tri np.tril_indices "
    "np.tril_indices_from np.trim_zeros np.triu_indices np.triu_indices_from np.union1d np.unwrap "
    "np.vander np.split np.array_split np.hsplit np.vsplit np.dsplit np.broadcast_arrays",
    dtypes=[np.float64, np.int64, np.complex128],
    layouts=L1,
    test=["test_angle_real_imag", "test_append_delete_insert", "test_partitions", "test_conditions_and_where", "test_shapes", "test_windows_and_ranges", "test_statistics", "test_sets", "test_take_trim_unwrap_vander_roots", "test_numpy2_names", "test_split_family"],
)
