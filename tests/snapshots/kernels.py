"""Kernels whose compile errors are snapshot-tested (line numbers matter: append only)."""

import numpy as np


def uses_genexp(a):
    s = 0.0
    squares = (x * x for x in a)
    return s + len(squares)


def uses_with(path):
    with open(path) as fh:
        return fh.read()


def uses_string(a):
    total = 0
    for i in range(len(a)):
        total += a[i]
    return total + "!"


def uses_del(a):
    t = u = a
    del (t, u)
    return np.sum(a)
