def f(xs, d):
    it = iter(xs)
    first = next(it, -1)
    s = 0
    for x in it:
        if x < 0:
            break
        s += x
    while True:
        try:
            s += 10 * next(it)
        except StopIteration:
            break
    k = next((k for k in d if k > first), None)
    return first, s, k, sum(next(it, 1) for _ in range(2))

# call: [1, 2, 3, -1, 5, 6], {0: 1, 4: 2}
# call: [], {}
# call: [7], {9: 0}
# call: [1, -2], {1: 1}
