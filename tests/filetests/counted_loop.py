def f(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

# call: 0
# call: 10
# call: 4000000
