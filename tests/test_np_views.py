"""Array attributes, views, indexing and reshaping inside compiled kernels,
differential against plain NumPy: shape/ndim/size/dtype/T/itemsize, basic
slicing (a[1:-1], a[::-2], a[:, j], a[i, :], a[..., k], np.newaxis), slice
assignment, boolean masks, integer-array indexing, reshape/ravel/flatten/
transpose/astype/ascontiguousarray, .real/.imag; every dtype and layout.
Writes through views must reach the caller's array exactly as in NumPy."""

import functools

import numpy as np
import pyston
import pytest
from helpers import random_array
from np_common import DTYPE_IDS, DTYPES, L1, L2, check, cover, layout

G = "views"
LAYOUTS_1D = L1 + ["empty"]
LAYOUTS_2D = L2 + ["empty"]


def arr1(rng, dt, lay, n=9):
    if lay == "empty":
        return np.zeros(0, dt)
    return layout(random_array(rng, n, dt), lay)


def arr2(rng, dt, lay, shape=(4, 5)):
    if lay == "empty":
        return np.zeros((0, shape[1]), dt)
    return layout(random_array(rng, shape, dt), lay)


# --------------------------------------------------------------------------
# attributes
# --------------------------------------------------------------------------


@pyston.fast
def describe(a):
    return a.shape, a.ndim, a.size, a.itemsize, a.T.shape, len(a.shape)


@pyston.fast
def transpose_attr(a):
    return a.T


@pyston.fast
def same_dtype_buffer(a):
    # the common idiom for an output of the input's dtype
    out = np.empty(a.shape, dtype=a.dtype)
    out[...] = a
    return out


@pyston.fast
def count_elements(A):
    # shape/size feeding element loops
    n = A.shape[0]
    m = A.shape[1]
    c = 0
    for _i in range(n):
        for _j in range(m):
            c += 1
    return c == A.size, A.ndim, A.itemsize * A.size


cover(G, "ndarray.shape", "a.shape", "n, m = A.shape", dtypes=DTYPES, layouts=LAYOUTS_2D + ["0-d"])
cover(G, "ndarray.ndim", "a.ndim", dtypes=DTYPES, layouts=LAYOUTS_2D + ["0-d"])
cover(G, "ndarray.size", "a.size", dtypes=DTYPES, layouts=LAYOUTS_2D + ["0-d"])
cover(G, "ndarray.itemsize", "a.itemsize", dtypes=DTYPES, layouts=LAYOUTS_2D + ["0-d"])
cover(G, "ndarray.T", "a.T", "a.T.shape", dtypes=DTYPES, layouts=LAYOUTS_2D + ["0-d"])
cover(
    G,
    "ndarray.dtype",
    "np.empty(a.shape, dtype=a.dtype)",
    dtypes=DTYPES,
    layouts=LAYOUTS_2D,
    test="test_dtype_attribute",
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_attributes(dt, rng):
    for lay in LAYOUTS_2D:
        A = arr2(rng, dt, lay)
        check(describe, A)
        check(transpose_attr, A)
        check(count_elements, A)
    for lay in LAYOUTS_1D:
        check(describe, arr1(rng, dt, lay))
        check(transpose_attr, arr1(rng, dt, lay))
    z = np.array(random_array(rng, (), dt))
    check(describe, z)
    check(transpose_attr, z)
    check(describe, random_array(rng, (2, 3, 4), dt))


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_dtype_attribute(dt, rng):
    for lay in LAYOUTS_2D:
        check(same_dtype_buffer, arr2(rng, dt, lay))


# --------------------------------------------------------------------------
# basic slicing, read side
# --------------------------------------------------------------------------


@pyston.fast
def smooth3(a):
    # 3-point moving average through three shifted views
    out = a.copy()
    left = a[:-2]
    mid = a[1:-1]
    right = a[2:]
    for i in range(len(mid)):
        out[i + 1] = (left[i] + mid[i] + right[i]) / 3
    return out


@pyston.fast
def every_other_backwards(a):
    r = a[::-2]
    s = a[1::3]
    t = a[-3:]
    acc = 0.0
    for i in range(len(r)):
        acc = acc * 0.5 + r[i]
    return r, s, t, acc


@pyston.fast
def slice_with_vars(a, lo, hi, step):
    return a[lo:hi:step], a[lo:], a[:hi], a[::step]


cover(
    G,
    "a[lo:hi:step]",
    "a[1:-1]",
    "a[:-2]",
    "a[2:]",
    "a[::-2]",
    "a[1::3]",
    "a[-3:]",
    "a[lo:hi:step] (variables)",
    dtypes=DTYPES,
    layouts=LAYOUTS_1D,
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lay", LAYOUTS_1D)
def test_slices_1d(dt, lay, rng):
    a = arr1(rng, dt, lay)
    check(smooth3, a)
    check(every_other_backwards, a)
    for lo, hi, step in [(1, -1, 2), (-2, 2, -1), (0, 100, 3), (5, 1, 1)]:
        check(slice_with_vars, a, lo, hi, step)


@pyston.fast
def column_sums(A):
    n, m = A.shape
    out = np.zeros(m)
    for j in range(m):
        col = A[:, j]
        s = 0.0
        for i in range(n):
            s += col[i]
        out[j] = s
    return out


@pyston.fast
def row_view_and_ellipsis(A, i, k):
    row = A[i, :]
    last = A[..., k]
    sub = A[1:, ::2]
    flipped = A[::-1, ::-1]
    return row, last, sub, flipped, row[0] + last[0]


@pyston.fast
def newaxis_forms(a):
    col = a[:, np.newaxis]
    row = a[np.newaxis, :]
    outer = col * row
    return col, row, outer, a[None]


@pyston.fast
def ellipsis_on_1d(a):
    return a[..., 0], a[...]


cover(G, "A[:, j]", "A[:, j] in a column loop", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "A[i, :]", "A[i, :]", "A[1:, ::2]", "A[::-1, ::-1]", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "A[..., k]", "A[..., k]", "a[..., 0] (0-d result)", "a[...]", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "np.newaxis", "a[:, np.newaxis]", "a[np.newaxis, :]", "a[None]", dtypes=DTYPES, layouts=L1)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lay", LAYOUTS_2D)
def test_slices_2d(dt, lay, rng):
    A = arr2(rng, dt, lay)
    check(column_sums, A)
    if A.size:
        check(row_view_and_ellipsis, A, 2, -1)
        check(row_view_and_ellipsis, A, -1, 0)
    check(row_view_and_ellipsis, A, 7, 0)  # IndexError (or empty rows), same message


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_newaxis_and_ellipsis(dt, rng):
    for lay in L1:
        a = arr1(rng, dt, lay, 5)
        check(newaxis_forms, a)
        check(ellipsis_on_1d, a)


# --------------------------------------------------------------------------
# slice assignment and writes through views (argument mutation compared)
# --------------------------------------------------------------------------


@pyston.fast
def zero_middle(a):
    a[1:5] = 0
    return a


@pyston.fast
def set_first_column(A, b):
    A[:, 0] = b
    A[0, :] = 1
    return A.sum()


@pyston.fast
def copy_rows(A):
    n = A.shape[0]
    for i in range(1, n):
        A[i] = A[i - 1] * 0.5
    return A


@pyston.fast
def write_through_view(a):
    v = a[::2]
    for i in range(len(v)):
        v[i] = v[i] * 2
    a[1::2] = a[::2][: len(a[1::2])]
    return v


@pyston.fast
def inplace_on_slice(a):
    a[1:-1] += 1
    a[::3] *= 2
    return a


@pyston.fast
def write_through_transpose(A):
    T = A.T
    T[0] = 5
    A.T[:, 1] = 7
    for j in range(T.shape[1]):
        T[T.shape[0] - 1, j] = j
    return T


cover(
    G,
    "a[lo:hi] = x",
    "a[1:5] = 0",
    "a[1::2] = view",
    "A[:, 0] = b",
    "A[0, :] = 1",
    "A[i] = row",
    "A.T[:, 1] = x",
    "T = A.T; T[i, j] = x",
    dtypes=DTYPES,
    layouts=LAYOUTS_1D + L2,
)
cover(
    G,
    "writes through views",
    "v = a[::2]; v[i] = ...",
    "a[1:-1] += 1",
    "a[::3] *= 2",
    dtypes=DTYPES,
    layouts=LAYOUTS_1D,
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_slice_assignment(dt, rng):
    for lay in LAYOUTS_1D:
        a = arr1(rng, dt, lay)
        check(zero_middle, a)
        check(write_through_view, a)
        check(inplace_on_slice, a)
    for lay in L2:
        A = arr2(rng, dt, lay)
        check(set_first_column, A, random_array(rng, A.shape[0], dt))
        check(set_first_column, A, 3)
        check(copy_rows, A)
        check(write_through_transpose, A)
    check(set_first_column, arr2(rng, dt, "C"), random_array(rng, 2, dt))  # broadcast error


# --------------------------------------------------------------------------
# boolean masks
# --------------------------------------------------------------------------


@pyston.fast
def positive_part(a):
    p = a[a > 0]
    s = 0.0
    for i in range(len(p)):
        s += p[i]
    return p, s


@pyston.fast
def clamp_negative(a, x):
    a[a < 0] = x
    return a


@pyston.fast
def mask_from_other(a, mask, x):
    a[mask] = x
    return a[mask], a[~mask]


@pyston.fast
def mask_2d(A):
    big = A[A > A.mean()]
    A[A == 0] = 1
    return big


cover(
    G, "a[mask]", "a[a > 0]", "a[mask]", "a[~mask]", "A[A > A.mean()]", dtypes=DTYPES, layouts=LAYOUTS_1D + L2
)
cover(
    G, "a[mask] = x", "a[a < 0] = x", "a[mask] = x", "A[A == 0] = 1", dtypes=DTYPES, layouts=LAYOUTS_1D + L2
)


@pytest.mark.parametrize("dt", [d for d in DTYPES if d is not np.complex128], ids=DTYPE_IDS[:-1])
def test_masks_real(dt, rng):
    for lay in LAYOUTS_1D:
        a = arr1(rng, dt, lay)
        check(positive_part, a)
        check(clamp_negative, a, 0)
        check(clamp_negative, a, 2.5)  # float into int array: NumPy casts
        check(mask_from_other, a, rng.integers(0, 2, len(a)).astype(bool), 7)
    for lay in L2:
        check(mask_2d, arr2(rng, dt, lay))


def test_masks_complex(rng):
    dt = np.complex128
    for lay in LAYOUTS_1D:
        a = arr1(rng, dt, lay)
        check(positive_part, a)  # complex ordering: TypeError in both
        check(mask_from_other, a, rng.integers(0, 2, len(a)).astype(bool), 1j)
    for lay in L2:
        check(mask_2d, arr2(rng, dt, lay))


def test_mask_wrong_length(rng):
    a = random_array(rng, 5, np.float64)
    check(mask_from_other, a, np.ones(4, bool), 1.0)  # IndexError, same message


# --------------------------------------------------------------------------
# integer-array (fancy) indexing
# --------------------------------------------------------------------------


@pyston.fast
def gather(a, idx):
    g = a[idx]
    s = 0.0
    for i in range(len(g)):
        s += g[i]
    return g, s


@pyston.fast
def scatter(a, idx, v):
    a[idx] = v
    return a


@pyston.fast
def gather_rows(A, idx, j):
    return A[idx], A[idx, j], A[:, idx]


@pyston.fast
def sorted_by_argsort(a):
    order = np.argsort(a)
    return a[order]


cover(
    G,
    "a[idx]",
    "a[idx]",
    "A[idx]",
    "A[idx, j]",
    "A[:, idx]",
    "a[np.argsort(a)]",
    dtypes=DTYPES,
    layouts=LAYOUTS_1D + L2,
)
cover(G, "a[idx] = v", "a[idx] = scalar", "a[idx] = array", dtypes=DTYPES, layouts=LAYOUTS_1D)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_fancy_indexing(dt, rng):
    for lay in L1:
        a = arr1(rng, dt, lay)
        for idt in (np.int64, np.int32):
            idx = rng.integers(-len(a), len(a), 6).astype(idt)
            check(gather, a, idx)
            check(scatter, a, idx, 5)
            check(scatter, a, idx, random_array(rng, 6, dt))
        check(gather, a, np.array([0, 99]))  # IndexError, same message
        check(gather, a, np.zeros(0, np.int64))
        if dt is not np.complex128:
            check(sorted_by_argsort, a)
    for lay in L2:
        A = arr2(rng, dt, lay)
        check(gather_rows, A, np.array([3, 0, -1, 0]), 1)


# --------------------------------------------------------------------------
# reshape / ravel / flatten / transpose / astype / ascontiguousarray
# --------------------------------------------------------------------------


@pyston.fast
def reshape_minus_one(a):
    return a.reshape(-1)


@pyston.fast
def reshape_to(a, n, m):
    b = a.reshape(n, m)
    c = a.reshape((n, m))
    d = np.reshape(a, (m, n))
    return b, c, d


@pyston.fast
def reshape_rows(a, m):
    # -1 in a 2-D shape
    return a.reshape(-1, m)


@pyston.fast
def ravel_flatten(A):
    r = A.ravel()
    f = A.flatten()
    r2 = np.ravel(A)
    f[0] = 0  # flatten is always a copy: the argument must not change
    s = 0.0
    for i in range(len(r)):
        s += r[i] * 1.0
    return r, f, r2, s


@pyston.fast
def transposes(A):
    t = A.transpose()
    t2 = np.transpose(A)
    acc = 0.0
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            acc = acc * 0.5 + t[i, j]
    return t, t2, acc


@pyston.fast
def transpose_axes(X):
    return X.transpose(1, 0, 2), np.transpose(X, (2, 0, 1))


@pyston.fast
def contiguous_then_loop(A):
    C = np.ascontiguousarray(A)
    n, m = C.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += C[i, j]
    return C, s


@pyston.fast
def contiguous(A):
    return np.ascontiguousarray(A)


@functools.cache
def astype_kernel(DT):
    @pyston.fast
    def k(a):
        b = a.astype(DT)
        out = 0
        for i in range(len(b)):
            if b[i]:
                out += 1
        return b, out

    return k


@pyston.fast
def real_imag(a):
    return a.real, a.imag


@pyston.fast
def write_real(a):
    r = a.real
    r[0] = 5
    return a


cover(
    G,
    "ndarray.reshape",
    "a.reshape(-1)",
    "a.reshape(n, m)",
    "a.reshape((n, m))",
    "a.reshape(-1, m)",
    dtypes=DTYPES,
    layouts=L1 + L2,
)
cover(G, "np.reshape", "np.reshape(a, (m, n))", dtypes=DTYPES, layouts=L1)
cover(G, "ndarray.ravel", "A.ravel()", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "np.ravel", "np.ravel(A)", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "ndarray.flatten", "A.flatten()", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(
    G,
    "ndarray.transpose",
    "A.transpose()",
    "X.transpose(1, 0, 2)",
    dtypes=DTYPES,
    layouts=LAYOUTS_2D,
    test="test_ravel_flatten_transpose / test_transpose_axes",
)
cover(G, "np.transpose", "np.transpose(A)", "np.transpose(X, (2, 0, 1))", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "np.ascontiguousarray", "np.ascontiguousarray(A)", dtypes=DTYPES, layouts=LAYOUTS_2D)
cover(G, "ndarray.astype", "a.astype(DT)", dtypes=DTYPES, layouts=LAYOUTS_1D)
cover(
    G, "ndarray.real / .imag", "a.real", "a.imag", "a.real[0] = x (write-through)", dtypes=DTYPES, layouts=L1
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_reshape_minus_one(dt, rng):
    for lay in L2:
        A = arr2(rng, dt, lay, (3, 4))
        check(reshape_minus_one, A)
        check(reshape_rows, A, 2)
    for lay in L1:
        check(reshape_minus_one, arr1(rng, dt, lay, 12))


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_reshape_to(dt, rng):
    for lay in L2:
        check(reshape_to, arr2(rng, dt, lay, (3, 4)), 2, 6)
    for lay in L1:
        a = arr1(rng, dt, lay, 12)
        check(reshape_to, a, 3, 4)
        check(reshape_to, a, 5, 2)  # ValueError, same message
    check(reshape_to, np.zeros(0, dt), 0, 3)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lay", LAYOUTS_2D)
def test_ravel_flatten_transpose(dt, lay, rng):
    A = arr2(rng, dt, lay)
    check(ravel_flatten, A)
    check(transposes, A)
    check(contiguous, A)


def test_transpose_axes(rng):
    X = random_array(rng, (2, 3, 4), np.float64)
    check(transpose_axes, X)
    check(transpose_axes, np.asfortranarray(X))


@pytest.mark.parametrize("lay", LAYOUTS_2D)
def test_contiguous(lay, rng):
    check(contiguous_then_loop, arr2(rng, np.float64, lay))


@pytest.mark.parametrize("to", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_astype(dt, to, rng):
    k = astype_kernel(to)
    for lay in LAYOUTS_1D:
        check(k, arr1(rng, dt, lay))


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_real_imag(dt, rng):
    for lay in L1:
        a = arr1(rng, dt, lay)
        check(real_imag, a)
        check(write_real, a)  # complex: writes into a; real dtypes: .imag is read-only, .real is a


# --------------------------------------------------------------------------
# read-only arrays, rebinding a name to its own view, value-dependent shapes
# --------------------------------------------------------------------------


@pyston.fast
def sort_in_place(a):
    a.sort()
    return a


def readonly(a):
    a = a.copy()
    a.flags.writeable = False
    return a


cover(
    G,
    "read-only arrays",
    "a[1:5] = 0",
    "a[1:-1] += 1",
    "a[mask] = x",
    "a[idx] = v",
    "a.sort()",
    "(ValueError, same message)",
    dtypes=DTYPES,
    layouts=["read-only"],
    test="test_read_only",
)


@pytest.mark.parametrize("dt", DTYPES, ids=DTYPE_IDS)
def test_read_only(dt, rng):
    a = readonly(random_array(rng, 9, dt))
    check(zero_middle, a)
    check(inplace_on_slice, a)
    check(clamp_negative, a, 0) if dt is not np.complex128 else check(mask_from_other, a, a != 0, 1)
    check(scatter, a, np.array([1, 2]), 3)
    check(sort_in_place, a)
    check(smooth3, a)  # reading is fine; the copy is writeable


@pyston.fast
def consume_front(a):
    # the name is rebound to a shorter view on every iteration
    s = 0.0
    while len(a) > 0:
        s = s * 0.5 + a[0]
        a = a[1:]
    return s, a


@pyston.fast
def halve_rows(A):
    n = 0
    while A.shape[0] > 1:
        A = A[::2, :]
        n += 1
    return A, n


cover(
    G,
    "a = a[1:] in a loop",
    "while len(a) > 0: ...; a = a[1:]",
    "A = A[::2, :]",
    dtypes=DTYPES,
    layouts=L1 + L2,
    test="test_rebinding_to_own_view",
)


@pytest.mark.parametrize("dt", [np.float64, np.int32, np.complex128], ids=["float64", "int32", "complex128"])
def test_rebinding_to_own_view(dt, rng):
    for lay in L1:
        check(consume_front, arr1(rng, dt, lay, 7))
    for lay in L2:
        check(halve_rows, arr2(rng, dt, lay, (9, 2)))


@pyston.fast
def squeeze_then_loop(A):
    # np.squeeze's result rank depends on the shape's values, not its type
    s = np.squeeze(A)
    t = 0.0
    for x in A.ravel():
        t += x
    return s, t, A.squeeze()


cover(
    G,
    "np.squeeze / ndarray.squeeze",
    "np.squeeze(A) (result rank depends on the shape)",
    "A.squeeze()",
    dtypes=["float64"],
    layouts=L2,
    test="test_value_dependent_rank",
)


def test_value_dependent_rank(rng):
    for shape in [(1, 4), (4, 1), (1, 1), (3, 4), (0, 1)]:
        for lay in ("C", "F"):
            check(squeeze_then_loop, layout(random_array(rng, shape, np.float64), lay))


@pyston.fast
def add_into_block(S, X, k, E, a):
    # a 2-D block of a 5-D array, updated in place: the probe's sample arrays
    # must have every axis long enough for the value to broadcast
    S[k, E, a] += X @ X
    S[k, -1, a, 1:] -= X[1:] * 2.0
    return S[k, E, a].sum()


@pyston.fast
def store_into_block6(T, Y, i, j, k):
    T[i, j, k] = Y
    T[i, j, -1, 0] += Y[0]
    return T


cover(
    G,
    "high-rank blocks",
    "S[k, E, a] += X (5-D S, 2-D X)",
    "T[i, j, k] = Y (6-D T, 3-D Y)",
    dtypes=["float64", "complex128"],
    layouts=["C"],
    test="test_blocks_of_high_rank_arrays",
)


def test_blocks_of_high_rank_arrays(rng):
    for dt in (np.float64, np.complex128):
        for norb in (3, 1, 4):
            S = random_array(rng, (2, 3, 4, norb, norb), dt)
            X = random_array(rng, (norb, norb), dt)
            for k, E, a in [(1, 2, 3), (0, 0, 0), (-1, -2, 1), (2, 0, 0), (0, 0, 4)]:
                check(add_into_block, S, X, k, E, a)
            T = random_array(rng, (2, 2, 3, 2, 3, norb), dt)
            Y = random_array(rng, (2, 3, norb), dt)
            for i, j, k in [(1, 1, 2), (0, -1, 0), (0, 0, 3)]:
                check(store_into_block6, T, Y, i, j, k)


@pyston.fast
def one_item_tuple_index(a, A, i):
    # on an ndarray `a[i,]` is `a[i]` (a tuple of one index)
    a[i,] = a[i,] * 2.0
    a[1:3,] += 1.0
    s = 0.0
    for k in range(a.shape[0]):
        s += a[k,]
    return s, A[i,], A[i,].sum(), a[-1:,]


cover(
    G,
    "one-item tuple indexes",
    "a[i,]",
    "a[1:3,] += x",
    "A[i,]",
    dtypes=["float64", "int32"],
    layouts=["C", "strided"],
    test="test_one_item_tuple_index",
)


def test_one_item_tuple_index(rng):
    for dt in (np.float64, np.int32):
        for lay in ("C", "strided"):
            a = layout(random_array(rng, 6, dt), lay)
            A = layout(random_array(rng, (3, 4), dt), lay if lay == "C" else "F")
            for i in (0, 2, -1, 5, 9):
                check(one_item_tuple_index, a, A, i)
