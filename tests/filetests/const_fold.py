def f(a, n):
    # After unrolling, `di != 0 or ...` is a constant in each copy: only the
    # taken side is emitted, and the constant operands of and/or fold too.
    c = 0
    for di in range(-1, 2):
        if di != 0 or c > n:
            c += a[di + 1]
    y = 0 or n
    z = 1 and (n if 1 else -n)
    if 0:
        w = 1
    else:
        w = 2
    return c, y, z, w, 0.0 or a[0]

# call: np.arange(3), 10
# call: np.array([1.5, -2.0, 4.0]), -1
# call: np.array([7, 8, 9]), 0
