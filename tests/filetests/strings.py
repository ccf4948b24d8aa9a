def f(s, i, x):
    n = 0
    for ch in s:
        if ch in "aeiou":
            n += 1
    parts = s.split(",")
    key = f"{i}:{x:.2f}:{s[-1]!r}"
    return n, len(parts), key, s[i], s[1:3] + "!", s < "m", str(i) + str(x)

# call: "hello,world", 1, 2.5
# call: "a", 0, -0.0
# call: "héllo,😀", -1, 1e300
# call: "abc", 5, 1.0
