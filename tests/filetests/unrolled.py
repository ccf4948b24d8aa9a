def f(a):
    s = 0.0
    for d in range(-1, 2):
        s += a[d + 1] * d
    else:
        s += 100.0
    for k in range(3, 0, -2):
        s -= k
    return s, d, k

# call: np.arange(3.0)
# call: np.arange(4, dtype=np.int32)
# call: np.ones(2)
