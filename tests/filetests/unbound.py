def f(n):
    for i in range(n):
        pass
    return i

# call: 3
# call: 0
