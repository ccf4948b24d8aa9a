"""Python strings in compiled code (issue #14 item 5): real CPython `str` objects
(type `str`, one slot); `len`, `s[i]`, iteration, comparisons of two strings, truth
and `is` natively, everything else (slicing, `in`, `+`, `*`, `%`, the methods,
`str()`/`repr()`/`format()`, f-strings) through CPython's own operations, so values,
types, exceptions and messages are CPython's. Differential against plain Python on
random and edge inputs (empty, non-ASCII, emoji, long, negative and out-of-range
indexes), and each kernel must compile natively (a `fallback=False` twin)."""

import gc
import math
import warnings

import numpy as np
import pyston
import pytest
from helpers import assert_same, rng_for, rss_bytes
from test_lists import check, falls_back

ALPHABET = list("abcxyzAEIOU ,.-019") + ["é", "ß", "ł", "中", "文", "😀", "🐍", "\u0301", "\x00", "\n"]


def random_strings(name, count=12):
    rng = rng_for(name)
    out = []
    for _ in range(count):
        k = int(rng.integers(0, 40))
        out.append("".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), k)))
    return out


EDGE = ["", "a", "abc", "abd", "ab", "héllo wörld", "😀🐍x", "  spaced out  ", "a,b,,c", "123", "-12", "12a", "ABC def"]
LONG = "xyz" * 5000 + "é"
STRINGS = EDGE + [LONG] + random_strings("strings")


# --------------------------------------------------------------------------
# values, length, indexing, slicing, comparisons
# --------------------------------------------------------------------------


@pyston.fast
def basics(s):
    t = "abc"
    return (
        len(s),
        bool(s),
        not s,
        s[1:3],
        s[::-1],
        s[::2],
        s[-3:],
        s == t,
        s != t,
        s < t,
        s <= t,
        s > t,
        s >= t,
        s + "!",
        s * 3,
        2 * s,
        "a" in s,
        "" in s,
        s in "xxabcxx",
        s is s,
    )


def test_basics():
    check(basics, [(s,) for s in STRINGS])


@pyston.fast
def index(s, i):
    return s[i]


def test_index_negative_and_out_of_range():
    cases = []
    for s in ["", "a", "héllo", "😀🐍x", LONG]:
        n = len(s)
        for i in {0, 1, n - 1, n, n + 1, -1, -n, -n - 1, -(2**62), 2**62}:
            cases.append((s, i))
    check(index, cases)
    e = assert_same(index, "abc", 3)
    assert type(e) is IndexError and str(e) == "string index out of range"
    e = assert_same(index, "abc", -4)
    assert type(e) is IndexError and str(e) == "string index out of range"


@pyston.fast
def slices(s, a, b, c):
    return s[a:b], s[a:], s[:b], s[a:b:c]


def test_slicing():
    rng = rng_for("slices")
    cases = []
    for s in ["", "héllo wörld", "😀🐍x", LONG[:50]]:
        for _ in range(6):
            a, b = (int(x) for x in rng.integers(-8, 12, 2))
            c = int(rng.choice([-3, -1, 1, 2]))
            cases.append((s, a, b, c))
    check(slices, cases)
    e = assert_same(slices, "abc", 0, 1, 0)
    assert type(e) is ValueError and str(e) == "slice step cannot be zero"
    big = [-(2**63), -(2**62), -100, -1, 0, 1, 100, 2**62, 2**63 - 1]
    check(slices, [(s, a, b, 1) for s in ("", "héllo😀") for a in big for b in big])
    check(slices, [(s, a, b, 1) for s in ("", "héllo😀") for a in (True, False) for b in (True, False)])


@pyston.fast
def compare(a, b):
    return a == b, a != b, a < b, a <= b, a > b, a >= b, a in b, a + b


def test_comparisons_random():
    rng = rng_for("compare")
    cases = [(a, b) for a in EDGE[:6] for b in EDGE[:6]]
    strs = random_strings("compare2", 10)
    cases += [(strs[int(rng.integers(0, 10))], strs[int(rng.integers(0, 10))]) for _ in range(20)]
    check(compare, cases)


@pyston.fast
def mixed_compare(s, x):
    return s == x, s != x


def test_compare_with_other_types():
    check(mixed_compare, [("1", 1), ("a", 1.5), ("", None), ("a", True)])


@pyston.fast
def order_other(s, x):
    return s < x


def test_ordering_with_other_types_raises_as_cpython():
    e = assert_same(order_other, "a", 1)
    assert type(e) is TypeError and "'<' not supported" in str(e)


# --------------------------------------------------------------------------
# iteration
# --------------------------------------------------------------------------


@pyston.fast
def count_vowels(s):
    n = 0
    for ch in s:
        if ch in "aeiouAEIOU":
            n += 1
    return n


@pyston.fast
def code_points(s):
    total = 0
    last = ""
    for ch in s:
        total += ord(ch)
        last = ch
    return total, last


@pyston.fast
def reverse_by_hand(s):
    out = ""
    for i in range(len(s) - 1, -1, -1):
        out += s[i]
    return out


def test_iteration():
    check(count_vowels, [(s,) for s in STRINGS])
    check(code_points, [(s,) for s in STRINGS])
    check(reverse_by_hand, [(s,) for s in EDGE + random_strings("rev")])


# --------------------------------------------------------------------------
# methods
# --------------------------------------------------------------------------


@pyston.fast
def methods(s):
    return (
        s.startswith("a"),
        s.endswith("c"),
        s.startswith(("x", "A")),
        s.find("b"),
        s.rfind("b"),
        s.find("b", 2),
        s.count("a"),
        s.count(""),
        s.split(),
        s.split(","),
        s.split(",", 1),
        s.rsplit(" ", 1),
        "-".join(s.split(",")),
        s.strip(),
        s.lstrip(" a"),
        s.rstrip(),
        s.upper(),
        s.lower(),
        s.replace("a", "XY"),
        s.replace("", "."),
        s.isdigit(),
        s.isalpha(),
        s.isspace(),
        s.partition(","),
        s.zfill(6),
        s.center(9, "*"),
        s.title(),
    )


def test_methods():
    check(methods, [(s,) for s in STRINGS])


@pyston.fast
def index_method(s, sub):
    return s.index(sub)


def test_method_errors_as_cpython():
    check(index_method, [("abc", "b"), ("héllo", "l")])
    e = assert_same(index_method, "abc", "z")
    assert type(e) is ValueError and str(e) == "substring not found"


@pyston.fast
def join_list(parts):
    return ",".join(parts), len(parts)


@pyston.fast
def upper_words(s):
    out = []
    for w in s.split():
        out.append(w.upper())
    return out


def test_lists_of_strings():
    check(join_list, [(["a", "b", "c"],), ([],), (["😀", "", "é"],)])
    check(upper_words, [(s,) for s in EDGE])
    e = assert_same(join_list, ["a", 1])
    assert type(e) is TypeError


# --------------------------------------------------------------------------
# str(), repr(), format(), f-strings and %-formatting
# --------------------------------------------------------------------------


@pyston.fast
def to_str(i, x):
    return str(i), str(x), repr(x), repr(i), format(x, ".3g"), format(i, "x"), str(), str(True), str(None)  # noqa: UP018


FLOATS = [0.0, -0.0, 0.1, 1.0 / 3.0, 1e16, 1e-7, 1.5e300, -2.5, math.inf, -math.inf, math.nan, 123456789.125]
INTS = [0, 1, -1, 7, 2**53 + 1, 2**63 - 1, -(2**63)]


def test_str_of_numbers():
    check(to_str, [(i, x) for i, x in zip(INTS * 2, FLOATS)])


@pyston.fast
def fstrings(i, x, s, w):
    return (
        f"{i}",
        f"{x}",
        f"{s}",
        f"i={i:05d} x={x:.3f} s={s!r}",
        f"{x:e}|{x:>12.4g}|{i:,}|{i:+}|{i:#x}",
        f"{s:>10}|{s:^9}|{s!s:<4}|",
        f"{i:{w}}|{x:{w}.{w}f}",
        f"{{literal}} {i}",
        f"{i=} {s=}",
        f"{i + 1}{s * 2}",
    )


def test_fstrings():
    cases = [(i, x, s, w) for i, x, s, w in zip(INTS, FLOATS, EDGE, [1, 3, 5, 8, 10, 2, 4])]
    check(fstrings, cases)


@pyston.fast
def bad_spec(i):
    return f"{i:q}"


def test_fstring_errors_as_cpython():
    e = assert_same(bad_spec, 5)
    assert type(e) is ValueError and "Unknown format code 'q'" in str(e)


@pyston.fast
def percent(i, x, s):
    return "%d items" % i, "%d %5.2f %s %r %x" % (i, x, s, s, i), "%s" % s, "%-6s|" % s, "%.3e" % x  # noqa: UP031


def test_percent_formatting():
    cases = [(i, x, s) for i, x, s in zip(INTS, FLOATS, EDGE)]
    check(percent, cases)


@pyston.fast
def checked(x):
    if x < 0:
        raise ValueError(f"bad {x}")
    return x


def test_raise_with_fstring_message():
    check(checked, [(1,), (-3,), (-2.5,)])
    e = assert_same(checked, -3)
    assert type(e) is ValueError and str(e) == "bad -3"


# --------------------------------------------------------------------------
# strings to numbers, building keys
# --------------------------------------------------------------------------


@pyston.fast
def split_sum(s):
    total = 0
    for p in s.split(","):
        total += int(p)
    return total


@pyston.fast
def parse_floats(s):
    total = 0.0
    for p in s.split():
        total += float(p)
    return total


def test_parsing_numbers():
    check(split_sum, [("1,2,3",), ("-4, 5 ,6",), ("7",), (",".join(str(i) for i in range(1000)),)])
    e = assert_same(split_sum, "1,x")
    assert type(e) is ValueError and str(e) == "invalid literal for int() with base 10: 'x'"
    e = assert_same(split_sum, "")
    assert type(e) is ValueError
    # an int beyond 64 bits: the call finishes exactly on the interpreter tier
    assert_same(split_sum, "1," + "9" * 30)
    check(parse_floats, [("1.5 2.25 -0.0",), ("1e300 1e300",), ("nan",), ("",)])


@pyston.fast
def build_key(a, b, n):
    key = ""
    for i in range(n):
        key = key + str(a[i]) + ":" + str(b[i]) + ";"
    return key


def test_build_key():
    rng = rng_for("key")
    a = rng.integers(-1000, 1000, 50)
    b = rng.random(50)
    check(build_key, [(a, b, 0), (a, b, 7), (a, b, 50)])


@pyston.fast
def conditional_literal(flag, s):
    t = "yes" if flag else "no"
    u = s if flag else "none"
    return t + u, len(t)


def test_literals_joined_with_run_time_strings():
    check(conditional_literal, [(True, "abc"), (False, "abc"), (True, "")])


@pyston.fast
def chars(n):
    out = ""
    for i in range(n):
        out += chr(97 + i % 26)
    return out, ord(out[-1]) if out else -1


def test_chr_ord():
    check(chars, [(0,), (1,), (60,)])


# --------------------------------------------------------------------------
# what falls back, with its reason
# --------------------------------------------------------------------------


@pyston.fast
def assign_item(s):
    s[0] = "x"
    return s


@pyston.fast
def bytes_of(s):
    return s.encode()


def test_unsupported_falls_back():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        with pytest.raises(TypeError, match="'str' object does not support item assignment"):
            assign_item("abc")
    msgs = [str(w.message) for w in rec if issubclass(w.category, pyston.PerformanceWarning)]
    assert any("does not support item assignment" in m for m in msgs), msgs
    e = assert_same(assign_item, "abc", allow_fallback=True)
    assert type(e) is TypeError and str(e) == "'str' object does not support item assignment"
    falls_back(bytes_of, "abc", reason="the str method 'encode'")


# --------------------------------------------------------------------------
# deoptimization with live strings, memory
# --------------------------------------------------------------------------


@pyston.fast
def deopt_with_strings(s, n):
    t = s.upper()
    acc = 1
    for _ in range(n):
        acc *= 1000  # outgrows 64 bits: the interpreter tier finishes the call
    return t + str(acc)[:5], acc


def test_deopt_keeps_strings():
    check(deopt_with_strings, [("abc", 2), ("héllo", 10), ("", 30)])


@pytest.mark.parametrize("fn,args", [(build_key, None), (fstrings, None), (count_vowels, ("héllo " * 100,))])
def test_memory_flat(fn, args):
    if args is None:
        if fn is build_key:
            args = (np.arange(20), np.arange(20) * 0.5, 20)
        else:
            args = (123, 0.5, "abc", 4)
    fn(*args)
    gc.collect()
    before = rss_bytes()
    for _ in range(30_000):
        fn(*args)
    gc.collect()
    assert (rss_bytes() - before) / 2**20 < 20


def test_no_leaked_references():
    import sys

    s = "héllo wörld" * 3
    count_vowels(s)
    methods(s)
    before = sys.getrefcount(s)
    for _ in range(1000):
        count_vowels(s)
        methods(s)
        index(s, -1)
    assert sys.getrefcount(s) == before


def test_inspect_types_shows_str():
    assert "str" in count_vowels.inspect_types()


# --------------------------------------------------------------------------
# strings in lists and dicts
# --------------------------------------------------------------------------


@pyston.fast
def word_counts(s):
    counts = {}
    for w in s.split():
        counts[w] = counts.get(w, 0) + 1
    return counts, "the" in counts, len(counts)


@pyston.fast
def lookup(d, k):
    return d[k]


@pyston.fast
def list_ops(xs, x):
    ys = xs.copy()
    ys.append(x)
    if ys:
        ys[0] = x + "!"
    return x in xs, xs.count(x), sorted(ys), ys, [w.upper() for w in xs]


def test_strings_in_dicts_and_lists():
    check(word_counts, [("",), ("the cat the dog",), ("é é 😀 x\ny",), (" ".join(random_strings("words", 40)),)])
    check(lookup, [({"a": 1, "b": 2}, "b"), ({"é": 1.5}, "é")])
    e = assert_same(lookup, {"a": 1}, "zz")
    assert type(e) is KeyError and e.args == ("zz",)
    check(list_ops, [(["a", "b", "a"], "a"), ([], "x"), (["😀", "é"], "é")])


# --------------------------------------------------------------------------
# the interpreter tier runs the same IR exactly
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn,args",
    [
        (basics, ("héllo",)),
        (methods, ("a,b,,c",)),
        (fstrings, (7, 2.5, "ab", 4)),
        (percent, (3, 0.5, "x")),
        (split_sum, ("1,2,3",)),
        (word_counts, ("a b a",)),
        (index, ("abc", 9)),
    ],
)
def test_interpreter_tier_agrees(fn, args):
    def run(f):
        try:
            return f(*args), None
        except Exception as e:  # noqa: BLE001 - compared below
            return None, (type(e), str(e))

    assert run(fn._interpret) == run(fn.py_func)


@pyston.fast
def classify(x):
    return isinstance(x, str), isinstance(x, (int, str))


def test_isinstance_str():
    check(classify, [("a",), (1,), (2.5,)])


@pyston.fast
def search(s, t):
    return s.startswith(t), s.endswith(t), s.find(t), s.rfind(t), s.count(t), t in s


def test_search_methods_native():
    needles = ["", "a", "ab", "é", "😀", "xyz", "\x00", LONG[:10]]
    check(search, [(s, t) for s in EDGE + [LONG, "😀a😀"] for t in needles])
    strs = random_strings("search", 16)
    check(search, [(a, b[:2]) for a, b in zip(strs, reversed(strs))])


# ---- print(): CPython's own, called when the compiled code reaches it ----


def printing(a, n):
    s = 0.0
    for i in range(n):
        s += a[i]
        if i % 2 == 0:
            print("step", i, s, a[i], sep=", ", end=";\n")
    print(s, n > 1, None, (1, 2.5), "done", a[:2])
    print()
    return s


def test_print_writes_what_cpython_writes(capsys):
    f = pyston.fast(fallback=False)(printing)
    for args in [(np.arange(5.0), 5), (np.array([0.5, -1.25]), 2), (np.zeros(0), 0)]:
        want = printing(*args)
        out_plain = capsys.readouterr().out
        got = f(*args)
        out_fast = capsys.readouterr().out
        assert got == want and out_fast == out_plain
    g = pyston.njit(printing)
    g(np.arange(3.0), 3)
    assert capsys.readouterr().out == "step, 0, 0.0, 0.0;\nstep, 2, 3.0, 2.0;\n3.0 True None (1, 2.5) done [0. 1.]\n\n"
