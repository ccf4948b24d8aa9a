"""Recursive calls (the function calls its own compiled version)."""

from ._registry import register


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


register(
    "fib", fib, lambda rng, n: (n,),
    size=27, quick=20, category="recursion", calls=("fib",),
    desc="naive recursive Fibonacci",
)


def tak(x, y, z):
    if y >= x:
        return z
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))


register(
    "tak", tak, lambda rng, n: (n, 12, 6),
    size=22, quick=16, category="recursion", calls=("tak",),
    desc="Takeuchi function (deep recursion, nested calls as arguments)",
)
