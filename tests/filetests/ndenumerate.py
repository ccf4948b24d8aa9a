import numpy as np


def f(a, m):
    s = 0.0
    for (i, j), v in np.ndenumerate(a):
        s += (i + 1) * (j + 2) * v
    for i, j in np.ndindex(m, 2):
        s += i - j
    return s

# call: np.arange(12.0).reshape(3, 4), 3
# call: np.arange(6.0).reshape(3, 2)[::-1], 0
# call: np.zeros((0, 4)), -1
