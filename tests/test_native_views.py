"""Basic indexing of arrays computed by compiled code itself (ints, slices with
int or None bounds and steps, None for a new axis): the view's data pointer,
shape and strides as NumPy's own indexing makes them, without a call into
NumPy. Differential against plain Python: values, dtypes, shapes, strides,
flags and the view's base, on C, Fortran, strided and reversed inputs, with
indexes in range, out of range, negative, empty and zero steps (NumPy's
IndexError / ValueError)."""

import numpy as np
import pyston
import pytest
from helpers import rng_for
from np_common import L2, check, layout


def describe(v, a):
    return (
        v.copy(),
        v.shape,
        v.strides,
        v.flags.c_contiguous,
        v.flags.f_contiguous,
        v.flags.writeable,
        v.flags.owndata,
        v.base is a or (a.base is not None and v.base is a.base),
    )


def views_3d(a, i, lo, hi, st):
    return (
        a[:, :, i],
        a[i, lo:hi],
        a[lo:hi:st, None, i],
        a[::-1, i, ::st],
        a[None, lo:, :hi, i],
        a[-1, -2:, ::-2],
        a[hi:lo],
        a[:, lo:hi:st, None, :],
    )


FAST_VIEWS = pyston.fast(fallback=False)(views_3d)


def same_views(a, *idx):
    """The views compiled code makes are NumPy's: values, shape, strides, flags, base."""
    b = a
    if a.base is None:
        b = a.copy(order="K")
        b.flags.writeable = a.flags.writeable
    try:
        want = [describe(v, a) for v in views_3d(a, *idx)]
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)) as got:
            FAST_VIEWS(b, *idx)
        assert str(got.value) == str(e)
        return
    got = [describe(v, b) for v in FAST_VIEWS(b, *idx)]
    for w, g in zip(want, got):
        np.testing.assert_array_equal(w[0], g[0])
        assert w[0].dtype == g[0].dtype and w[1:] == g[1:], (idx, w[1:], g[1:])


@pyston.fast
def view_arith(a, i, lo, hi):
    s = 0.0
    for k in range(a.shape[0]):
        s += (a[k, lo:hi, i] * 2.0).sum() + a[k, :, None][0, 0, i]
    return s


@pyston.fast
def view_write(a, lo, hi):
    v = a[1:, lo:hi]
    w = v[:, ::-1]
    w *= 3
    a[0, lo:hi] = v[0]
    return a


@pyston.fast
def view_element(a, i):
    v = a[i, 1:, None]
    return v[0, 0, 0] + v[-1, 0, 1]


@pyston.fast
def temporary_view(a, i):
    t = a * 2.0
    v = t[i, ::2]
    u = t[i] + 1.0  # t's last use: the view still holds t's memory
    return v + u[: v.shape[0]]


CASES = [(0, 0, 3, 1), (1, 1, -1, 2), (-1, -3, 5, -1), (2, 5, 1, 3), (0, -100, 100, -2), (1, 2, 2, 1)]


@pytest.mark.parametrize("lay", L2)
@pytest.mark.parametrize("dt", [np.float64, np.int32, np.complex128, np.bool_])
def test_basic_views(dt, lay):
    rng = rng_for(f"views-{dt}-{lay}")
    base = (rng.standard_normal((4, 5, 3)) * 10).astype(dt)
    for i, lo, hi, st in CASES:
        same_views(layout(base, lay), i, lo, hi, st)


def test_views_in_loops_and_writes():
    rng = rng_for("views-loops")
    a = rng.standard_normal((6, 7, 3))
    for i, lo, hi in [(0, 0, 7), (2, 1, -1), (-1, -4, 6), (1, 5, 2)]:
        check(view_arith, a, i, lo, hi)
        check(view_write, rng.standard_normal((4, 6)), lo % 6, hi)
    check(view_element, rng.standard_normal((3, 4, 2)), 1)
    check(temporary_view, rng.standard_normal((3, 8)), -1)


def test_bad_indexes_raise_as_numpy():
    a = np.arange(60.0).reshape(4, 5, 3)
    for i, lo, hi, st in [(4, 0, 1, 1), (-5, 0, 1, 1), (0, 0, 1, 0)]:
        same_views(a, i, lo, hi, st)
    ro = a.copy()
    ro.flags.writeable = False
    same_views(ro, 1, 0, 3, 1)


def test_basic_views_make_no_call_into_numpy():
    a = np.arange(24.0).reshape(2, 4, 3)
    f = pyston.fast(view_element.py_func)
    f(a, 1)
    n = pyston._pyston.pycall_count()
    assert f(a, 1) == view_element.py_func(a, 1)
    assert pyston._pyston.pycall_count() == n


@pyston.fast
def int_mask_rows(db, mask):
    out = np.zeros(db.shape[0], dtype=np.bool_)
    for idx in range(db.shape[0]):
        line = db[idx]
        v = line[1:]
        if (mask == np.bitwise_and(mask, v)).all() and np.less(v, 5).any():
            out[idx] = np.logical_or(line[0], False)
    return out


def test_int_calls_that_never_warn():
    # Integer and bool ufuncs, comparisons and logical reductions: called without
    # a frame at their line (they never warn); the results are NumPy's.
    rng = rng_for("int-calls")
    for dt in (np.int64, np.int8, np.uint16, np.bool_):
        db = rng.integers(0, 2, size=(40, 4)).astype(dt)
        check(int_mask_rows, db, (1, 0, 1))
        check(int_mask_rows, db, (True, False, True))


@pyston.fast
def assign_views(a, b, i, lo, hi):
    a[:, i] = b[:, 0]
    a[lo:hi, None, :] = b[lo:hi, None, :]
    a[i, ::-1] = a[i]  # overlapping: NumPy copies the source first
    a[-1] = b[0, :1]  # broadcast
    return a


@pyston.fast
def assign_loop(out, x):
    for k in range(x.shape[0]):
        out[:, k, :] = x[k] * 2.0
    return out


def test_assignments_to_views():
    rng = rng_for("assign-views")
    for lay in L2:
        for i, lo, hi in [(0, 0, 3), (2, 1, -1), (-1, -4, 6), (1, 3, 1), (4, 0, 1), (0, 0, 9)]:
            a = layout(rng.standard_normal((5, 6)), lay)
            b = layout(rng.standard_normal((5, 6)), lay)
            check(assign_views, a, b, i, lo, hi)
    # shapes that do not broadcast, a read-only target: NumPy's ValueError, nothing written
    check(assign_views, rng.standard_normal((5, 6)), rng.standard_normal((5, 4)), 0, 0, 2)
    ro = rng.standard_normal((5, 6))
    ro.flags.writeable = False
    check(assign_views, ro, rng.standard_normal((5, 6)), 0, 0, 2)
    check(assign_loop, np.zeros((3, 4, 2)), rng.standard_normal((4, 3, 2)))
    check(assign_loop, np.zeros((3, 4, 2), dtype=np.float32), rng.standard_normal((4, 3, 2)))  # a cast: through NumPy


def test_assignments_to_views_make_no_call_into_numpy():
    f = pyston.fast(assign_loop.py_func)
    out, x = np.zeros((3, 4, 2)), np.ones((4, 3, 2))
    f(out, x)
    n = pyston._pyston.pycall_count()
    f(out, x)
    # no getitem or setitem, and no `x[k] * 2.0` either: one operation stored
    # into a view is fused (its values go straight into `out[:, k, :]`)
    assert pyston._pyston.pycall_count() - n == 0
    want = assign_loop.py_func(np.zeros((3, 4, 2)), x)
    assert out.tobytes() == want.tobytes()


@pyston.fast
def conj_filter(E, w, mu):
    for i in range(E.shape[1] - 2):
        X = E[:, i : i + 2]
        y = np.sum(X * np.conj(w))
        w += mu * np.conj(y) * X.conjugate()
    return w, np.real(w), np.imag(w)


def test_conjugates_called_without_a_frame():
    # np.conj / .conjugate() / np.real / np.imag never warn (a sign flip, a field read)
    rng = rng_for("conj")
    E = rng.standard_normal((2, 9)) + 1j * rng.standard_normal((2, 9))
    E[1, 3] = complex(np.nan, np.inf)
    w = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))
    check(conj_filter, E, w, 0.01)
    check(conj_filter, E.real.copy(), w.real.copy(), 0.5)
