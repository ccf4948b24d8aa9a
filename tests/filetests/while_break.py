def f(n):
    i = 0
    total = 0
    while True:
        i += 1
        if i % 3 == 0:
            continue
        if i > n:
            break
        total += i
    else:
        total = -1
    return total, i

# call: 0
# call: 10
