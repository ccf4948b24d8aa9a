"""The dispatcher object: specialisations per argument-type key, introspection,
argument-count errors, and no leaks over many calls."""

import gc
import sys

import numpy as np
import pyston
import pytest
from helpers import I64_MAX, assert_same, rss_bytes

MB = 1024 * 1024


def _fresh_kernel():
    @pyston.fast
    def axpb(a, x, b):
        return a * x + b

    return axpb


@pyston.fast
def first_plus_one(a):
    return a[0] + 1


# --------------------------------------------------------------------------
# signatures
# --------------------------------------------------------------------------


def test_signatures_start_empty_and_are_strings():
    f = _fresh_kernel()
    assert list(f.signatures) == []
    f(2, 3, 4)
    sigs = f.signatures
    assert isinstance(sigs, list) and len(sigs) == 1
    assert all(isinstance(s, str) and s for s in sigs)


def test_signatures_grow_per_distinct_scalar_types():
    f = _fresh_kernel()
    seen = []
    for args in [(2, 3, 4), (2.0, 3, 4), (2, 3.0, 4), (True, 3, 4), (1j, 3, 4), (2.0, 3.0, 4.0)]:
        f(*args)
        seen.append(len(f.signatures))
    assert seen == [1, 2, 3, 4, 5, 6], seen
    assert len(set(f.signatures)) == 6


def test_signatures_do_not_grow_for_repeated_types():
    f = _fresh_kernel()
    for k in range(50):
        f(k, 2, -k)
        f(k * 0.5, 1.5, 2.5)
    assert len(f.signatures) == 2, f.signatures
    # values that fit in 64 bits do not create new specialisations
    f(I64_MAX, 1, 0)
    f(-5, 0, 7)
    assert len(f.signatures) == 2, f.signatures


def test_signatures_for_array_dtypes_and_layouts():
    @pyston.fast
    def first(a):
        return a[0]

    counts = []
    for dt in (np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128):
        first(np.ones(4, dtype=dt))
        counts.append(len(first.signatures))
    assert counts == [1, 2, 3, 4, 5, 6], counts
    first(np.ones((3, 3)))  # 2-D is a new key
    assert len(first.signatures) == 7
    n = len(first.signatures)
    first(np.ones(8)[::2])  # non-contiguous layout is a new key
    assert len(first.signatures) > n, first.signatures
    n = len(first.signatures)
    for _ in range(20):  # repeated calls with seen keys: no growth
        first(np.ones(5))
        first(np.ones(9)[::2])
        first(np.ones((2, 2)))
    first(np.zeros(100))  # size is not part of the key
    assert len(first.signatures) == n, first.signatures


def test_py_func_is_the_original_function():
    def original(x):
        return x + 1

    f = pyston.fast(original)
    assert f.py_func is original
    g = pyston.fast(fallback=False)(original)
    assert g.py_func is original
    assert f(1) == 2 and g(1) == 2


def test_dispatcher_keeps_name_and_doc():
    @pyston.fast
    def documented(x):
        """Adds one."""
        return x + 1

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Adds one."


# --------------------------------------------------------------------------
# introspection
# --------------------------------------------------------------------------


@pyston.fast
def introspected(a, b):
    s = 0.0
    for i in range(b):
        s += a[i] * 2.0
    return s


@pytest.mark.parametrize("method", ["inspect_ir", "inspect_types", "inspect_asm"])
def test_inspect_methods_return_text(method):
    introspected(np.arange(5.0), 5)
    text = getattr(introspected, method)()
    assert isinstance(text, str) and text.strip()
    assert "introspected" in text


def test_inspect_ir_shape():
    introspected(np.arange(5.0), 5)
    ir = introspected.inspect_ir()
    assert "function introspected(a, b) {" in ir, ir[:500]
    assert "block0(" in ir, ir[:500]


def test_inspect_types_mentions_argument_types():
    introspected(np.arange(5.0), 5)
    text = introspected.inspect_types().lower()
    assert "float64" in text or "f64" in text, text[:500]


# --------------------------------------------------------------------------
# calling conventions
# --------------------------------------------------------------------------


@pyston.fast
def two_args(a, b):
    return a - b


def test_wrong_number_of_arguments_raises_type_error():
    for args in [(), (1,), (1, 2, 3)]:
        e = assert_same(two_args, *args, allow_fallback=True)
        assert isinstance(e, TypeError), e


def test_keyword_arguments():
    assert_same(two_args, 5, kwargs={"b": 2})
    assert_same(two_args, kwargs={"a": 5, "b": 2.5})
    e = assert_same(two_args, 5, kwargs={"a": 2}, allow_fallback=True)
    assert isinstance(e, TypeError)
    e = assert_same(two_args, 5, kwargs={"c": 2}, allow_fallback=True)
    assert isinstance(e, TypeError)


# --------------------------------------------------------------------------
# leaks
# --------------------------------------------------------------------------


@pyston.fast
def small(x, y):
    return x * y + 1.5


@pyston.fast
def raising(a, i):
    return a[i]


@pyston.fast
def overflowing(x):
    return x * x * x


@pyston.fast
def make_array(n):
    out = np.zeros(n)
    out[0] = 1.0
    return out


@pyston.fast
def row_of(A, i):
    return A[i]


def _measure(fn, n):
    fn(n // 10)  # warm up: compile, caches, allocator pools
    gc.collect()
    rss0 = rss_bytes()
    blocks0 = sys.getallocatedblocks()
    fn(n)
    gc.collect()
    return rss_bytes() - rss0, sys.getallocatedblocks() - blocks0


def test_many_calls_keep_memory_flat():
    def loop(n):
        x = 0.0
        for i in range(n):
            x = small(i, 0.5)
        return x

    rss, blocks = _measure(loop, 200_000)
    assert rss < 50 * MB, "RSS grew by %.1f MB over 200k calls" % (rss / MB)
    assert blocks < 1000, f"{blocks} Python objects leaked over 200k calls"


def test_many_raising_calls_keep_memory_flat():
    a = np.zeros(3)

    def loop(n):
        for i in range(n):
            try:
                raising(a, 3 + (i & 7))
            except IndexError:
                pass

    rss, blocks = _measure(loop, 50_000)
    assert rss < 50 * MB, "RSS grew by %.1f MB over 50k raising calls" % (rss / MB)
    assert blocks < 1000, f"{blocks} Python objects leaked over 50k raising calls"


def test_many_big_int_calls_keep_memory_flat():
    def loop(n):
        r = 0
        for i in range(n):
            r = overflowing(2**40 + i)  # x**3 overflows 64 bits -> big int
        return r

    assert overflowing(2**40) == 2**120
    rss, blocks = _measure(loop, 50_000)
    assert rss < 50 * MB, "RSS grew by %.1f MB over 50k overflowing calls" % (rss / MB)
    assert blocks < 1000, f"{blocks} Python objects leaked over 50k overflowing calls"


def test_returned_arrays_are_freed():
    def loop(n):
        for _ in range(n):
            make_array(2000)  # 16 KB each: 320 MB if leaked

    rss, blocks = _measure(loop, 20_000)
    assert rss < 50 * MB, "RSS grew by %.1f MB over 20k returned arrays" % (rss / MB)
    assert blocks < 1000, f"{blocks} Python objects leaked"


def test_argument_refcounts_unchanged():
    a = np.arange(10.0)
    x = 10**30
    y = 1.2345
    A = np.ones((4, 4))
    raising(a, 0)
    small(y, y)
    overflowing(x)
    row_of(A, 1)
    ra, rx, ry, rA = sys.getrefcount(a), sys.getrefcount(x), sys.getrefcount(y), sys.getrefcount(A)
    for _ in range(1000):
        raising(a, 1)
        try:
            raising(a, 100)
        except IndexError:
            pass
        small(y, y)
        overflowing(x)
        r = row_of(A, 2)
        del r
    gc.collect()
    assert sys.getrefcount(a) == ra
    assert sys.getrefcount(x) == rx
    assert sys.getrefcount(y) == ry
    assert sys.getrefcount(A) == rA


def test_row_view_keeps_base_alive():
    def make():
        A = np.arange(12.0).reshape(3, 4)
        return row_of(A, 1)

    r = make()
    gc.collect()
    junk = [np.full((3, 4), -1.0) for _ in range(50)]  # reuse freed memory if A was freed
    assert r.tolist() == [4.0, 5.0, 6.0, 7.0]
    del junk


# --------------------------------------------------------------------------
# the type stub (python/pyston/_pyston.pyi) matches the native module
# --------------------------------------------------------------------------


def _stub():
    import ast
    import pathlib

    path = pathlib.Path(pyston.__file__).with_name("_pyston.pyi")
    return ast.parse(path.read_text())


def _public(names):
    return {n for n in names if not n.startswith("_") or n in ("__call__", "__get__")}


def test_stub_lists_every_public_dispatcher_attribute():
    import ast

    (cls,) = [n for n in _stub().body if isinstance(n, ast.ClassDef) and n.name == "Dispatcher"]
    stub = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    assert _public(stub) == _public(dir(pyston.Dispatcher))
    for name, fn in stub.items():
        assert ast.get_docstring(fn), f"Dispatcher.{name} has no docstring in the stub"
    assert ast.get_docstring(cls)
    assert any(ast.unparse(d) in ("final", "typing.final") for d in cls.decorator_list)
    init = stub["__init__"]
    assert [a.arg for a in init.args.args] == ["self", "py_func", "preset"]
    assert ast.literal_eval(init.args.defaults[0]) == "strict"
    assert init.args.kwarg is not None and init.args.kwarg.arg == "flags"
    # the properties are properties
    props = {n for n, fn in stub.items() if n in _public(stub) and any(ast.unparse(d) == "property" for d in fn.decorator_list)}
    real = {n for n in _public(dir(pyston.Dispatcher)) if type(getattr(pyston.Dispatcher, n)).__name__ == "getset_descriptor"}
    assert props == real


def test_stub_lists_every_public_module_attribute():
    import ast

    names = set()
    for node in _stub().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    real = {n for n in dir(pyston._pyston) if not n.startswith("__") or n == "__version__"}
    assert names == real


def test_inspect_asm_targets_are_the_stubs():
    f = pyston.fast(lambda_free_add)
    f(1, 2)
    for target in ("x86_64", "x86-64", "aarch64", "arm64"):
        assert "lambda_free_add" in f.inspect_asm(target=target)
    with pytest.raises(ValueError, match="aarch64"):
        f.inspect_asm(target="riscv64")


def lambda_free_add(a, b):
    return a + b
