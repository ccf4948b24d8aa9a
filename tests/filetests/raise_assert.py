def f(x):
    if x > 10:
        raise ValueError("too big: " + str(x))
    assert x >= 0, "negative"
    return x // 3, x % 3, x / 3

# call: 7
# call: 11
# call: -1
