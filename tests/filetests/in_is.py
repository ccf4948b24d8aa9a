def f(x, lo, hi, flag):
    y = None
    if flag:
        y = 1.5
    return x in (1, 3, 5), x not in range(lo, hi, 2), y is None, x is not True

# call: 3, 0, 10, True
# call: 4, 0, 10, False
# call: 4, 10, 0, False
# call: 7, 7, 8, True
