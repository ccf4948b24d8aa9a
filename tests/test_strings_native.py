"""Strings at native speed (issue #14 item 5): a one-character string `s[i]` (and
the loop variable of `for ch in s`) whose every use reads only its character
(`ch in "lit"`, `ch == "a"`, `"a" <= ch <= "z"`, `ord(ch)`, `ch.isdigit()`, ...)
is held as its code point, read in place from the string; strings built by `+`
and f-string fields are made in one step; `int(s)` of an ASCII string is parsed
natively. Differential against plain Python (value, type, exceptions and
messages) on random and edge inputs: empty strings, Latin-1, BMP and astral
code points, lone surrogates, out-of-range indexes, deoptimization with a
character or a half-built string live, and CPython's `int()` rules."""

import os
import subprocess
import sys

import pyston
import pytest
from helpers import assert_same, assert_same_all, rng_for

ALPHABET = list("abcxyzAEIOU ,.-_019\t\n") + ["é", "ß", "ÿ", "Σ", "中", "٣", "😀", "🐍", "\u0301", "\x00", "\ud800", "\x85", "\u3000", "ǅ", "²", "½"]


def random_strings(name, count=20):
    rng = rng_for(name)
    out = []
    for _ in range(count):
        k = int(rng.integers(0, 60))
        out.append("".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), k)))
    return out


EDGE = ["", "a", "z", "é", "ÿ", "Ā", "\ud800", "\udfff", "😀", "\U0010ffff", "aeiou", "hello, wörld", "x" * 1000 + "😀"]
STRINGS = EDGE + random_strings("native-strings")


@pyston.fast(fallback=False)
def char_stats(s):
    vowels = 0
    lower = 0
    wide = 0
    o = 0
    gt = 0
    for ch in s:
        if ch in "aeiouAEIOU":
            vowels += 1
        if "a" <= ch <= "z":
            lower += 1
        if ch in "é😀中\ud7ff" or ch == "\U0010ffff":
            wide += 1
        if ch > "ab" or ch == "" or ch >= "\ue000" or ch < "" or ch != "x":
            gt += 1
        o += ord(ch)
    return vowels, lower, wide, gt, o


@pytest.mark.parametrize("s", STRINGS, ids=range(len(STRINGS)))
def test_char_loop(s):
    assert_same(char_stats, s)


@pyston.fast(fallback=False)
def char_methods(s):
    r = []
    for ch in s:
        r.append(
            (
                ch.isdigit(),
                ch.isdecimal(),
                ch.isnumeric(),
                ch.isalpha(),
                ch.isalnum(),
                ch.isspace(),
                ch.isupper(),
                ch.islower(),
                ch.isprintable(),
                ch.istitle(),
                ch.isidentifier(),
                ch.isascii(),
            )
        )
    return r


def test_char_methods_every_ascii_and_some_unicode():
    s = "".join(chr(c) for c in range(128)) + "éßÿΣσǅ²½٣\x85\xa0\u3000\u2028中😀🐍\ud800\U0001d7ce"
    assert_same(char_methods, s)
    assert_same_all(char_methods, STRINGS)


@pyston.fast(fallback=False)
def char_at(s, i):
    c = s[i]
    return ord(c), c == "a", c in "xyz"


def test_char_index_negative_and_out_of_range():
    cases = []
    for s in ["", "a", "abc", "é😀x", "\ud800z"]:
        for i in range(-5, 6):
            cases.append((s, i))
    cases += [("abc", True), ("abc", False), ("abc", 2**62), ("abc", -(2**62))]
    assert_same_all(char_at, cases)


@pyston.fast(fallback=False)
def char_escapes(s):
    out = []
    for ch in s:
        if ch in "ab":
            out.append(ch)  # used as an object: made as `s[i]` makes it
    return out


def test_char_escaping_keeps_objects():
    assert_same_all(char_escapes, STRINGS)


@pyston.fast(fallback=False)
def char_live_at_deopt(s, step):
    n = 0
    for ch in s:
        n += step  # overflows (deoptimizes) with `ch` still needed
        if ch == "a" or ch in "😀é":
            n += 1
    return n


def test_char_live_when_deoptimizing():
    for s in ["", "abc", "xa😀é", "😀" * 5, "a\ud800a"]:
        for step in [1, 2**61, 2**62, -(2**62)]:
            assert_same(char_live_at_deopt, s, step)


# --------------------------------------------------------------------------
# strings built at once: `+` chains and f-strings
# --------------------------------------------------------------------------


@pyston.fast(fallback=False)
def fstrings(x, y, f, b, s):
    return f"{x}-{y}", f"{x % 10}-{x // 10}", f"<{b}|{s}|{f}>", "[" + s + "]" + str(x) + s, f"{s}", f"{x}"


FSTRING_CASES = [
    (0, 0, 0.0, True, ""),
    (-1, 2**63 - 1, -0.0, False, "é"),
    (-(2**63), 7, float("nan"), True, "😀"),
    (123456789, -42, float("inf"), False, "abc"),
    (5, 6, 1e16, True, "\ud800"),
    (5, 6, 1e-5, True, "x,y"),
    (10, 20, 0.1, False, "中文"),
]


def test_fstrings_and_concatenation():
    assert_same_all(fstrings, FSTRING_CASES)
    assert_same_all(fstrings, [(3, 4, 2.5, True, s) for s in STRINGS])


@pyston.fast(fallback=False)
def concat_identity(s):
    t = "" + s + ""
    u = s + "" + ""
    return t is s, u is s, t == s


def test_concat_of_one_string_is_that_string():
    assert_same_all(concat_identity, ["", "a", "abc", "é", "😀x"])


@pyston.fast(fallback=False)
def fstring_deopt(a, b, c):
    return f"{a}-{b // c}-{a * b}"


@pyston.fast(fallback=False)
def fstring_deopt_caught(a, b, c):
    try:
        return f"{a}-{b // c}"
    except ZeroDivisionError:
        return "div"


def test_fstring_with_a_failing_field():
    cases = [(1, 2, 3), (1, 2, 0), (2**62, 4, 1), (7, 2**62, 1), (-5, 3, -1)]
    assert_same_all(fstring_deopt, cases)
    assert_same_all(fstring_deopt_caught, cases)


@pyston.fast(fallback=False)
def key_counts(xs):
    counts = {}
    for x in xs:
        key = f"{x % 10}-{x // 10}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_fstring_dict_keys():
    rng = rng_for("fstring-keys")
    xs = [int(v) for v in rng.integers(-1000, 1000, 500)]
    assert_same(key_counts, xs)


# --------------------------------------------------------------------------
# int() of a string
# --------------------------------------------------------------------------


@pyston.fast(fallback=False)
def to_int(s):
    return int(s)


INTS = [
    "0", "-0", "+0", "+5", "-5", " 12 ", "\t7\n", "\x0b\x0c8\r", "1_000", "1__000", "_1", "1_", "1_0_0",
    "007", "", " ", "+", "-", "--1", "+-1", "1 2", "abc", "12a", "0x10", "1.5", "1e3", "\x1c7", "7\x00",
    "١٢٣", "１２", "\u20007", "7\u3000", "\xa05", "٣_٣", "😀", "\ud800",
    "999999999999999999", "-999999999999999999", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1" * 100,
    "1_000_000_000_000_000_000", " -1_2 ",
]


def test_int_of_strings():
    assert_same_all(to_int, INTS)


@pyston.fast(fallback=False)
def split_sum(s):
    total = 0
    for p in s.split(","):
        total += int(p)
    return total


def test_split_and_int():
    rng = rng_for("split-int")
    csv = ",".join(str(int(v)) for v in rng.integers(-(10**6), 10**6, 300))
    cases = [csv, "1", "", "1,,2", " 3 , 4", "1,x", "10000000000000000000000,1", "١,٢"]
    assert_same_all(split_sum, cases)


# --------------------------------------------------------------------------
# without reading characters in place (PYSTON_STR_LAYOUT=0): the same results
# --------------------------------------------------------------------------


def test_without_layout_same_results():
    here = os.path.dirname(os.path.abspath(__file__))
    script = (
        f"import sys; sys.path.insert(0, {here!r})\n"
        "import test_strings_native as t\n"
        "for s in t.STRINGS:\n"
        "    t.test_char_loop(s)\n"
        "t.test_char_methods_every_ascii_and_some_unicode()\n"
        "t.test_char_index_negative_and_out_of_range()\n"
        "t.test_char_live_when_deoptimizing()\n"
        "t.test_fstrings_and_concatenation()\n"
        "t.test_int_of_strings()\n"
        "t.test_split_and_int()\n"
        "t.test_split_shapes()\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYSTON_STR_LAYOUT="0")
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout + r.stderr


@pyston.fast(fallback=False)
def split_variants(s):
    a = 0
    for p in s.split(", "):
        a = a * 3 + int(p)
    b = 0
    for line in s.split(";"):
        for q in line.split(","):
            if b > 100:
                break
            b += int(q)
    c = []
    for r in s.split(","):
        c.append(r)  # the item escapes: a real list of strings
    n = 0
    for t in "7,8,9".split(","):
        n += int(t)
    return a, b, c, n


@pyston.fast(fallback=False)
def split_caught(s):
    total = 0
    bad = 0
    for p in s.split("|"):
        try:
            total += int(p)
        except ValueError:
            bad += 1
    return total, bad


def test_split_shapes():
    cases = ["1", "1, 2, 3", "1,2;3,4", "50;60;-7,8", "1, ٣, 4", "5,6,", ",", "", "1;;2", "99999999999999999999, 1"]
    assert_same_all(split_variants, cases)
    assert_same_all(split_caught, ["1|2|x|3", "", "|", "1_0|0x1| 7 |é|" + "9" * 30, "1" * 19 + "|2"])


@pyston.fast(fallback=False)
def str_of(x, b, f):
    return str(x), str(b), str(f), str(x) + str(b), str(-x) + "|" + str(x // 7)


def test_str_of_ints_bools_floats():
    cases = [(0, True, 0.0), (-1, False, -0.0), (2**63 - 1, True, 1e300), (-(2**63) + 1, False, float("nan")), (10**18, True, 5e-324)]
    cases += [(int(v), bool(v & 1), float(v) / 3) for v in rng_for("str-of").integers(-(10**9), 10**9, 30)]
    assert_same_all(str_of, cases)


@pyston.fast(fallback=False)
def char_pairs(s, vowels, t):
    n = len(s)
    pal = 0
    inv = 0
    rel = 0
    for i in range(n // 2):
        if s[i] == s[n - 1 - i]:
            pal += 1
        if s[i] < s[-1 - i]:
            rel += 1
    for ch in s:
        if ch in vowels:
            inv += 1
        if ch == t or ch < t or t >= ch or ch != t:
            rel += 1
    return pal, inv, rel


def test_char_pairs_and_run_time_strings():
    others = ["", "a", "ab", "é", "😀", "z" * 3, "\ud800"]
    cases = [(s, v, t) for s in STRINGS[:12] for v, t in zip(["aeiou", "", "😀é", "xyz\ud800"], others)]
    cases += [(s, "ab", t) for s in ["abcba", "é😀é", "ab\ud800ba"] for t in others]
    assert_same_all(char_pairs, cases)


def test_no_reference_leaks():
    s = "12,-3,4,é"[:-2] + "5"  # a run-time string of its own
    t = "xé😀" * 3
    before = (sys.getrefcount(s), sys.getrefcount(t))
    for _ in range(2000):
        split_sum(s)
        char_stats(t)
        char_live_at_deopt(t, 2**62)
        fstrings(1, 2, 0.5, True, t)
    assert (sys.getrefcount(s), sys.getrefcount(t)) == before


@pyston.fast(fallback=False)
def digit_sum(s):
    total = 0
    for ch in s:
        total = total * 3 + int(ch)
    return total


def test_int_of_a_character():
    cases = ["", "0", "0123456789", "٣", "١٢٣", "9" * 50, "1a", " ", "x", "😀", "\ud800", "١x", "²"]
    assert_same_all(digit_sum, cases)


@pyston.fast(fallback=False)
def char_caught(s, i):
    try:
        return "abc"[i] == "b", s[i] == "a", s[i] in "xyz😀"
    except IndexError:
        return False, False, False


@pyston.fast(fallback=False)
def split_seps(s):
    a = 0
    for p in s.split("é"):
        a += int(p)
    b = 0
    for p in s.split("<sep>"):
        b = b * 7 + int(p)
    return a, b


def test_char_in_try_and_split_separators():
    assert_same_all(char_caught, [(s, i) for s in ["", "a", "xyz", "😀a"] for i in [-4, -1, 0, 1, 2, 3]])
    cases = ["1", "1é2é3", "1<sep>2", "é", "1é", "<sep>", "12<sep>3é4", "١é٢", "x"]
    assert_same_all(split_seps, cases)
