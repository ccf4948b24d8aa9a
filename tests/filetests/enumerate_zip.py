# enumerate over zip, with a start, break and for-else


def f(a, b, start):
    s = 0.0
    for i, (x, y) in enumerate(zip(a, b), start):
        if x > 100.0:
            break
        s += i * x * y
    else:
        s = -s
    return s

# call: np.arange(5.0), np.arange(7.0), 3
# call: np.arange(4.0), np.arange(2.0), 9223372036854775806
# call: np.array([1.0, 200.0, 3.0]), np.ones(3), 0
