def f(a, b):
    s = 0
    try:
        s = a // b
        s += 1
    except (ZeroDivisionError, TypeError) as e:  # noqa: F841
        s = -1
    else:
        s *= 2
    finally:
        s += 100
    return s

# call: 7, 2
# call: 7, 0
# call: 7.5, 0.0
# call: 1, 2**70
