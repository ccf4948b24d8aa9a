def f(d, k):
    s = 0
    for key, v in d.items():
        s += key * v
    del d[k]
    for key in d:
        s -= key
    return s, d

# call: {1: 2, 3: 4, 5: 6}, 3
# call: {0: 1}, 0
# call: {1: 2}, 7
