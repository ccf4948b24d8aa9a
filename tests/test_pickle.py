"""Pickling compiled functions: pickle, cloudpickle, multiprocessing, concurrent.futures, Dask.

A Dispatcher pickles by reference when ``module.qualname`` names it, else by
value (function, preset, flags; compiled again where it is loaded).
"""

import concurrent.futures
import multiprocessing
import os
import pickle
import sys
import warnings

import numpy as np
import pickle_kernels as pk
import pyston
import pytest

cloudpickle = pytest.importorskip("cloudpickle")


def test_by_reference_when_the_name_resolves():
    for f in (pk.total, pk.wrapping_square, pk.nj_add):
        data = pickle.dumps(f)
        assert b"pickle_kernels" in data and len(data) < 200
        assert pickle.loads(data) is f
        assert cloudpickle.loads(cloudpickle.dumps(f)) is f


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_by_value_keeps_flags_and_compiles_again(dumps):
    clo = pk.make_closure(2.5)
    a = np.arange(5.0)
    expect = clo(a)
    g = pickle.loads(dumps(clo))
    assert g is not clo and isinstance(g, pyston.Dispatcher)
    assert g.__name__ == "shifted" and g.__qualname__ == clo.__qualname__ and g.py_func is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error", pyston.PerformanceWarning)  # compiled, not plain Python
        np.testing.assert_array_equal(g(a), expect)
    assert g.signatures == ["(array(float64, 1d, C))"]

    wrap = pyston.fast(unchecked_int=True)(pk.wrapping_square.py_func)
    w2 = pickle.loads(dumps(wrap))  # name resolves to another object: by value
    assert w2.options == wrap.options == "unchecked_int"
    assert w2(2**40) == wrap(2**40) == 0
    strict = pickle.loads(dumps(pyston.fast(pk.wrapping_square.py_func)))
    assert strict(2**40) == 2**80  # strict stays strict


def test_njit_signatures_survive_by_value():
    f = pyston.njit("int64(int64, int64)")(lambda a, b: a * b)
    g = pickle.loads(pickle.dumps(f))
    assert g(2**62, 4) == f(2**62, 4) == 0
    with pytest.raises(TypeError, match="No matching definition"):
        g(np.arange(3), 1)


def test_update_wrapper_attributes_survive():
    clo = pk.make_closure(1)
    clo.__doc__ = "shift by one"
    g = pickle.loads(pickle.dumps(clo))
    assert g.__module__ == "pickle_kernels" and g.__wrapped__ is g.py_func


def test_dufunc_and_cfunc_pickle_by_value():
    @pyston.vectorize
    def twice(x):
        return 2 * x

    twice(np.arange(3))
    t2 = pickle.loads(pickle.dumps(twice))
    assert t2.types == ["l->l"]
    np.testing.assert_array_equal(t2(np.arange(3)), [0, 2, 4])

    @pyston.cfunc("float64(float64)")
    def sq(x):
        return x * x

    s2 = pickle.loads(pickle.dumps(sq))
    assert s2.ctypes(3.0) == 9.0 and s2.address != sq.address


def _spawn():
    return multiprocessing.get_context("spawn")


def test_multiprocessing_pool_spawn():
    a = np.arange(10.0)
    clo = pk.make_closure(1.0)
    with _spawn().Pool(2) as pool:
        by_ref = pool.starmap(pk.compiled_in_worker, [(pk.total, a), (pk.wrapping_square, 2**40)])
        by_val = pool.apply(pk.compiled_in_worker, (clo, a))
    assert by_ref[0] == (pk.total(a), ["(array(float64, 1d, C))"], "strict")
    assert by_ref[1][0] == 0 and by_ref[1][2] == "unchecked_int"
    np.testing.assert_array_equal(by_val[0], a + 1.0)
    assert by_val[1] == ["(array(float64, 1d, C))"]


def test_process_pool_executor():
    a = np.arange(6.0)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=_spawn()) as ex:
        futs = [ex.submit(pk.total, a), ex.submit(pk.make_closure(3.0), a), ex.submit(pk.nj_add, 1.0, 2.0)]
        results = [f.result(timeout=60) for f in futs]
    assert results[0] == pk.total(a)
    np.testing.assert_array_equal(results[1], a + 3.0)
    assert results[2] == 3.0


def test_dask_distributed_local_cluster(monkeypatch):
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([here] + sys.path))
    clo = pk.make_closure(0.5)
    x = np.arange(40.0).reshape(4, 10)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as cluster, distributed.Client(cluster) as client:
        arr = da.from_array(x, chunks=(1, 10))
        rows = arr.map_blocks(lambda b: pk.compiled_in_worker(clo, b[0])[0][None, :], dtype=np.float64).compute()
        np.testing.assert_array_equal(rows, x + 0.5)
        # map_blocks with the compiled function itself (chunks made in the worker)
        np.testing.assert_array_equal(da.from_array(x[0], chunks=5).map_blocks(clo).compute(), x[0] + 0.5)
        sums = client.gather([client.submit(pk.compiled_in_worker, pk.total, x[i]) for i in range(4)])
        assert [s[0] for s in sums] == [pk.total(x[i]) for i in range(4)]
        assert all(s[1] == ["(array(float64, 1d, C))"] for s in sums)
        fut = client.submit(pk.compiled_in_worker, clo, x[0])
        r, sigs, opts = fut.result(timeout=60)
        np.testing.assert_array_equal(r, x[0] + 0.5)
        assert sigs == ["(array(float64, 1d, C))"] and opts == "strict"
