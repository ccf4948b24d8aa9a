"""Structured (record) arrays in compiled code, compared with plain NumPy.

Natively: ``a[i]['x']`` (the field at its byte offset; packed dtypes put
fields at any offset, read without assuming alignment), ``a[i]['x'] = v``,
``a['x']`` as a strided view (when the field is aligned in every element) and
``a['x'][i]``, ``len(a)``, ``a.shape``, multi-dimensional ``A[i, j]['x']``,
returning ``a[i]`` (NumPy's void scalar viewing the array) and field views.
``np.recarray`` fields as attributes (``a.x``, ``a[i].x``, ``a[i].x = v``,
``a[i].x += v``) are native too. The dtype is part of the type key.
Everything else (non-constant field names, whole-record stores,
NumPy functions on record arrays, fields of unsupported dtypes) runs as plain
Python and must agree. Native kernels run with ``fallback=False``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pyston
import pytest

RNG = np.random.default_rng(2)

DTYPES = {
    "packed": np.dtype([("x", "f8"), ("y", "i4"), ("z", "u1")]),
    "aligned": np.dtype([("x", "f8"), ("y", "i4"), ("z", "u1")], align=True),
    "odd_offsets": np.dtype({"names": ["b", "x", "y", "z"], "formats": ["?", "f8", "i4", "u1"],
                             "offsets": [0, 1, 9, 13], "itemsize": 15}),
    "wide": np.dtype([("x", "f4"), ("y", "i8"), ("z", "u2"), ("c", "c16"), ("h", "f2")]),
    "with_time": np.dtype([("x", "f8"), ("y", "i4"), ("z", "u1"), ("t", "M8[s]")], align=True),
}


def make(dt, n=7):
    a = np.zeros(n, dtype=dt)
    a["x"] = RNG.standard_normal(n)
    a["y"] = RNG.integers(-1000, 1000, n)
    a["z"] = RNG.integers(0, 256, n)
    if "t" in dt.names:
        a["t"] = RNG.integers(0, 10**9, n).astype("M8[s]")
    return a


def outcome(f, *args):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = ("ok", f(*args))
        except Exception as e:  # noqa: BLE001 -- compared
            r = ("exc", type(e), str(e))
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in ws
                   if not issubclass(w.category, (pyston.PerformanceWarning, ResourceWarning))})
    return r, msgs


def fields_equal(x, y):
    """Field by field, bit for bit (padding bytes are not data: copies leave them as they are)."""
    if x.dtype.names is None:
        return np.asarray(x).tobytes() == np.asarray(y).tobytes()
    return all(fields_equal(x[n], y[n]) for n in x.dtype.names)


def same(x, y):
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if isinstance(x, np.ndarray):
        return (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape
                and x.strides == y.strides and fields_equal(x, y))
    if type(x) is not type(y):
        return False
    if isinstance(x, np.void):
        return x.dtype == y.dtype and fields_equal(x, y)
    if isinstance(x, (float, np.floating)) and x != x:
        return y != y
    return bool(x == y)


def run_both(fn, *args, native=True):
    a1 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    a2 = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    plain = outcome(fn, *a1)
    compiled = outcome(pyston.fast(fn, fallback=not native), *a2)
    assert same(plain[0], compiled[0]) and plain[1] == compiled[1], (fn.__name__, plain, compiled)
    assert same(tuple(a1), tuple(a2)), (fn.__name__, a1, a2)


def weighted(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]["x"] * a[i]["y"] + a[i]["z"]
    return s


def update(a):
    for i in range(a.shape[0]):
        r = a[i]
        r["y"] = r["y"] * 2 - 1
        r["x"] = r["x"] + r["z"]
        a[i]["z"] = i
    return a


def field_loop(a):
    v = a["y"]
    t = v[0] - v[0]  # (an np.int32: no Python int mixed in, whatever the promotion rules)
    for i in range(len(v)):
        t += v[i]
        v[i] = i
    return t, a


def field_then_index(a, i):
    return a["x"][i], a["y"][i], a[i]["z"]


def element(a, i):
    return a[i]


def field_view(a):
    return a["x"]


@pytest.mark.parametrize("name", list(DTYPES))
def test_element_fields(name):
    a = make(DTYPES[name])
    run_both(weighted, a)
    run_both(update, a)
    run_both(weighted, a[::-2])
    run_both(weighted, make(DTYPES[name], 0))
    for i in [0, 3, -1, 7, -8]:  # out of range: NumPy's IndexError
        run_both(element, a, i)


@pytest.mark.parametrize("name", list(DTYPES))
def test_field_views(name):
    dt = DTYPES[name]
    a = make(dt)
    # Field views are native when the field is aligned in every element.
    native = bool(dt.isalignedstruct)
    run_both(field_loop, a, native=native)
    run_both(field_view, a, native=native)
    for i in [0, 4, -2, 9]:
        run_both(field_then_index, a, i, native=native)


def test_two_dimensional():
    dt = DTYPES["aligned"]
    A = make(dt, 12).reshape(3, 4)

    def total(A):
        s = 0.0
        for i in range(A.shape[0]):
            for j in range(A.shape[1]):
                s += A[i, j]["x"] - A[i, j]["y"]
        return s

    def row(A, i):
        return A[i]

    run_both(total, A)
    run_both(total, A.T)
    run_both(total, np.asfortranarray(A))
    run_both(row, A, 1)


def test_read_only_store_raises_like_numpy():
    a = make(DTYPES["aligned"])
    a.flags.writeable = False

    def store(a):
        a[1]["x"] = 1.0
        return a

    run_both(weighted, a)
    run_both(store, a)


def test_store_casts_like_numpy():
    def store(a, v):
        a[2]["y"] = v
        a[3]["x"] = v
        return a

    a = make(DTYPES["packed"])
    for v in [5, -3, 2.75, np.float32(1.5), True, np.int8(-7)]:
        run_both(store, a, v)
    run_both(store, a, 2**40)  # out of int32: NumPy's OverflowError (deoptimized)


def test_specializations_do_not_mix():
    def get(a):
        return a[1]["x"]

    f = pyston.fast(get, fallback=False)
    p = make(DTYPES["packed"])
    q = make(DTYPES["aligned"])
    w = make(DTYPES["wide"])
    for arr in (p, q, w, p):
        assert same(get(arr), f(arr))


def test_fallbacks_agree():
    a = make(DTYPES["aligned"])

    def attr(a):
        return a[0].x if hasattr(a[0], "x") else a.x[0]

    def by_name(a, name):
        return a[0][name]

    def whole(a):
        a[0] = a[1]
        return a

    def missing(a):
        return a[0]["nope"]

    def numpy_call(a):
        return np.sort(a, order="y")

    run_both(attr, a.view(np.recarray), native=False)  # hasattr: plain Python
    run_both(by_name, a, "y", native=False)
    run_both(whole, a, native=False)
    run_both(missing, a, native=False)
    run_both(numpy_call, a, native=False)
    sub = np.zeros(3, dtype=[("v", "f8", (2,)), ("k", "i4")])
    run_both(weighted, sub, native=False)
    swapped = np.zeros(3, dtype=[("x", ">f8"), ("y", "i4"), ("z", "u1")])
    run_both(weighted, swapped, native=False)


def test_deoptimizing_with_a_live_element():
    def f(a, k):
        r = a[1]
        q = r["y"] // k  # np.int32 // 0 warns in NumPy: deoptimizes
        r["x"] = q
        return r, a

    a = make(DTYPES["packed"])
    run_both(f, a, 3)
    run_both(f, a, 0)
    run_both(f, a, np.int32(0))


@pytest.mark.parametrize("name", ["packed", "aligned", "with_time"])
def test_recarray_attributes(name):
    # np.recarray: a.x is the field (a plain ndarray view), a[i] an np.record, a[i].x
    # its field; names a recarray/np.record attribute hides stay attributes.
    base = DTYPES[name]
    dt = np.dtype([(n, base.fields[n][0]) for n in base.names] + [("shape", "i2")], align=base.isalignedstruct)
    r = make(dt).view(np.recarray)

    def energy(a):
        s = 0.0
        for i in range(len(a)):
            e = a[i]
            s += e.x * e.y + a[i].z
            e["y"] = i
        return s, a[2], a.shape

    def attr_view(a):
        v = a.y
        t = v[0] - v[0]
        for i in range(v.shape[0]):
            t += v[i]
        return t, a.x

    def rows(A):
        return A[1], A[1, 2].x, A[0].z

    run_both(energy, r)
    run_both(attr_view, r, native=bool(dt.isalignedstruct))
    run_both(rows, make(dt, 12).reshape(3, 4).view(np.recarray), native=bool(dt.isalignedstruct))

    def shadowed(a):
        return a[0].shape, a.shape  # np.record's / recarray's own attribute

    run_both(shadowed, r, native=False)

    def attr_store(a):
        a[0].y = 5  # a field of an np.record: native
        for i in range(len(a)):
            e = a[i]
            e.x = e.x * 2.0 + i
            e.z += 3  # uint8 field: NumPy's wrap-around on the store
            a[i].y -= e.z
        return a

    run_both(attr_store, r)
    if "t" in dt.names:

        def time_store(a):
            for i in range(len(a)):
                a[i].t = a[0].t  # a datetime64 field: the same dtype
            return a

        run_both(time_store, r)

        def time_setitem(a):
            for i in range(len(a)):
                a[i]["t"] = a[len(a) - 1]["t"]
            return a

        run_both(time_setitem, make(dt))
    ro = r.copy()
    ro.flags.writeable = False
    run_both(attr_store, ro)  # ValueError: assignment destination is read-only

    def void_store(a):
        a[0].y = 5  # np.void elements have no field attributes: AttributeError
        return a

    run_both(void_store, make(dt), native=False)

    def shadowed_store(a):
        a[0].shape = 1  # np.record's own attribute (AttributeError): plain Python
        return a

    run_both(shadowed_store, r, native=False)


def energy_upto(p, n):
    e = 0.0
    for i in range(n):
        e += 0.5 * p[i]["x"] * p[i]["y"]
        p[i]["z"] = i % 256
    return e


@pytest.mark.parametrize("kind", sorted(DTYPES))
@pytest.mark.parametrize("extra", [-2, 0, 1])
def test_loop_past_the_end_of_a_record_array(kind, extra):
    # Index ranges are proven for record arrays too; past the end, NumPy's
    # IndexError at the same element, with the stores before it made.
    a = make(DTYPES[kind])
    b = a.copy()
    fast = pyston.fast(energy_upto, fallback=False)
    n = len(a) + extra
    try:
        want = ("ok", energy_upto(a, n))
    except IndexError as e:
        want = ("IndexError", str(e))
    try:
        got = ("ok", fast(b, n))
    except IndexError as e:
        got = ("IndexError", str(e))
    assert want == got
    for name in a.dtype.names:  # field by field (padding bytes are not copied)
        assert a[name].tobytes() == b[name].tobytes(), name
