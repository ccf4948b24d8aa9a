def f(a, b, c):
    x = a < b <= c
    y = a and b or c
    return x, y, not a, (a if b else c)

# call: 1, 2, 3
# call: 0, 2.5, 1
# call: 3, 0, 0.0
