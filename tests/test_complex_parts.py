"""`a.real` / `a.imag` of complex64 and complex128 arrays: views compiled code
computes itself (the data pointer moved to the part, the complex array's
shape and strides), with no call into NumPy. Differential against plain
Python on every layout: the values, dtype, shape, strides, flags and base of
a returned view; reductions and element reads over the parts; writes through
them (element stores, slices, `+=`) landing in the complex array; read-only
arrays raising NumPy's ValueError; and the corpus kernel that uses them."""

import numpy as np
import pyston
import pytest
from helpers import assert_same, random_array, rng_for, variants

SHAPES = [(0,), (1,), (7,), (3, 4), (2, 3, 2)]
DT = [np.complex128, np.complex64]


def parts(a):
    r, i = a.real, a.imag
    return r, i


def describe(v, a):
    return (
        v.copy(),
        v.dtype,
        v.shape,
        v.strides,
        v.flags.c_contiguous,
        v.flags.f_contiguous,
        v.flags.writeable,
        v.flags.owndata,
        v.base is a,
    )


def part_sums(a):
    return a.real.sum(), a.imag.sum(), a.real.min() if a.size else 0.0, a.imag.max() if a.size else 0.0


def part_elements(a):
    s = 0.0
    flat_r = a.real.ravel()
    flat_i = a.imag.ravel()
    for k in range(flat_r.shape[0]):
        s += flat_r[k] * 2.0 - flat_i[k]
    return s


def part_arith(a):
    return a.real * 2.0 + a.imag, np.hypot(a.real, a.imag), a.real[..., ::-1] - a.imag


def write_parts(a, x):
    a.real[...] = x
    a.imag[...] += 1.5
    return a


def write_element(a, x):
    r = a.real
    r[0] = x
    a.imag[-1] = -x
    return a


def inplace_part(a):
    re = a.real
    re *= 3.0
    a.imag[::2] = a.real[::2]
    return a


def normalize_complex_arr(a):
    a_oo = a - a.real.min() - 1j * a.imag.min()
    return a_oo / np.abs(a_oo).max()


FAST = {f.__name__: pyston.fast(fallback=False)(f) for f in (part_sums, part_elements, part_arith, write_parts,
                                                             write_element, inplace_part, normalize_complex_arr)}


@pytest.mark.parametrize("dt", DT, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_returned_views_are_numpys(shape, dt):
    rng = rng_for(f"parts{shape}{dt}")
    base = random_array(rng, shape, dt)
    f = pyston.fast(fallback=False)(parts)
    for name, a in variants(base):
        want = [describe(v, a) for v in parts(a)]
        got = [describe(v, a) for v in f(a)]
        for w, g in zip(want, got):
            np.testing.assert_array_equal(w[0], g[0])
            assert w[1:] == g[1:], (name, w[1:], g[1:])


@pytest.mark.parametrize("dt", DT, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("fn", ["part_sums", "part_elements", "part_arith"])
def test_reads(fn, shape, dt):
    rng = rng_for(f"{fn}{shape}{dt}")
    base = random_array(rng, shape, dt)
    if base.size:
        base.flat[0] = complex(np.nan, -0.0)
        base.flat[-1] = complex(-np.inf, 3.5)
    for _, a in variants(base):
        assert_same(FAST[fn], a)


@pytest.mark.parametrize("dt", DT, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(1,), (7,), (3, 4)], ids=str)
def test_writes_land_in_the_complex_array(shape, dt):
    rng = rng_for(f"w{shape}{dt}")
    base = random_array(rng, shape, dt)
    for _, a in variants(base):
        for fn, args in (("write_parts", (2.25,)), ("write_element", (-7.0,)), ("inplace_part", ())):
            assert_same(FAST[fn], a, *args)


@pytest.mark.parametrize("fn", ["write_parts", "write_element", "inplace_part"])
def test_read_only_array_raises_numpys_error(fn):
    w = np.arange(6, dtype=np.complex128) * (1 + 2j)
    a = w.copy()
    a.flags.writeable = False
    args = (1.0,) if fn != "inplace_part" else ()
    # compiled for a writable array first, then called with a read-only one
    f = pyston.fast(FAST[fn].py_func)
    assert_same(f, w, *args)
    assert_same(f, a, *args, allow_fallback=True)
    # and compiled for the read-only one
    assert_same(pyston.fast(FAST[fn].py_func), a, *args, allow_fallback=True)
    np.testing.assert_array_equal(a, np.arange(6, dtype=np.complex128) * (1 + 2j))


def test_byte_swapped_and_unaligned_arrays():
    a = (np.arange(5) + 1j * np.arange(5, 10)).astype(">c16")
    assert_same(pyston.fast(part_sums), a, allow_fallback=True)
    buf = np.zeros(5 * 16 + 1, dtype=np.uint8)[1:].view(np.complex128)
    buf[:] = np.arange(5) - 2j
    assert_same(pyston.fast(part_sums), buf, allow_fallback=True)


@pytest.mark.parametrize("dt", DT, ids=lambda d: np.dtype(d).name)
def test_corpus_kernel(dt):
    rng = rng_for(f"nca{dt}")
    for n in (0, 1, 5, 1000):
        a = random_array(rng, (n,), dt)
        assert_same(FAST["normalize_complex_arr"], a)


def test_no_call_into_numpy():
    for a in ((np.arange(12) + 1.5) * (1 - 1j), (np.arange(12, dtype=np.complex64) + 1j)[::-2]):
        f = FAST["part_sums"]
        f(a)
        c0 = pyston._pyston.pycall_count()
        f(a)
        assert pyston._pyston.pycall_count() - c0 == 0


def test_memory_flat():
    from helpers import rss_bytes

    a = np.arange(64, dtype=np.complex128)
    f = FAST["part_sums"]
    for _ in range(2000):
        f(a)
    r0 = rss_bytes()
    for _ in range(100_000):
        f(a)
    assert rss_bytes() - r0 < 4 << 20
