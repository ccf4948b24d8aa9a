"""Kernels whose machine code is pinned (Cranelift is pinned to one version)."""


def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


def scale_into(out, a, k, n):
    for i in range(n):
        out[i] = a[i] * k


def prev_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i - 1]
    return s


def sum_iter(a):
    s = 0.0
    for x in a:
        s += x
    return s


def axpy(alpha, x, y, out):
    for i in range(len(x)):
        out[i] = alpha * x[i] + y[i]
    return out


def int_sum_as_int(a):
    s = 0
    for x in a:
        s += int(x) + int(abs(x))
    return s


def clip_f32(a, out, lo, hi):
    for i in range(len(a)):
        out[i] = min(max(abs(a[i]), lo), hi)
