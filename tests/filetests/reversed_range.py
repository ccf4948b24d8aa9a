def f(a, b, c):
    t = 0
    for i in reversed(range(a, b, c)):
        t = t * 31 + i
    return t

# call: 0, 10, 3
# call: 10, -7, -4
# call: 5, 5, 1
# call: 0, 5, 0
