"""Scalar loops: no arrays, just Python ints/floats/complex in tight loops."""

import math

from ._registry import register


def int_sum_sq_mod(n, m):
    s = 0
    for i in range(n):
        s = (s + i * i) % m
    return s


register(
    "int_sum_sq_mod", int_sum_sq_mod, lambda rng, n: (n, 1_000_000_007),
    size=1_000_000, quick=100_000, category="scalar",
    desc="sum of i*i mod m (Python int arithmetic with overflow checks)",
)


def collatz_steps(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            total += 1
    return total


register(
    "collatz_steps", collatz_steps, lambda rng, n: (n,),
    size=10_000, quick=2_000, category="scalar",
    desc="total Collatz steps for 1..n (data-dependent while loop, // and %)",
)


def leibniz_pi(n):
    s = 0.0
    sign = 1.0
    for k in range(n):
        s += sign / (2 * k + 1)
        sign = -sign
    return 4.0 * s


register(
    "leibniz_pi", leibniz_pi, lambda rng, n: (n,),
    size=1_000_000, quick=100_000, category="scalar",
    desc="Leibniz series for pi (float / int division)",
)


def trig_series(n):
    s = 0.0
    for i in range(n):
        x = i * 0.001
        s += math.sin(x) * math.exp(-x * 0.01) + math.sqrt(x)
    return s


register(
    "trig_series", trig_series, lambda rng, n: (n,),
    size=400_000, quick=50_000, category="scalar",
    desc="sum of sin(x)*exp(-x/100)+sqrt(x) (math module calls)",
)


def mandelbrot_complex(width, height, max_iter):
    count = 0
    for py in range(height):
        y = -1.5 + 3.0 * py / height
        for px in range(width):
            x = -2.0 + 3.0 * px / width
            c = complex(x, y)
            z = 0j
            inside = True
            for _ in range(max_iter):
                z = z * z + c
                if z.real * z.real + z.imag * z.imag > 4.0:
                    inside = False
                    break
            if inside:
                count += 1
    return count


register(
    "mandelbrot_complex", mandelbrot_complex, lambda rng, n: (n, n, 100),
    size=160, quick=40, category="scalar",
    desc="points of an n x n grid inside the Mandelbrot set, complex arithmetic",
)


def mandelbrot_float(width, height, max_iter):
    count = 0
    for py in range(height):
        ci = -1.5 + 3.0 * py / height
        for px in range(width):
            cr = -2.0 + 3.0 * px / width
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter:
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                n += 1
            if n == max_iter:
                count += 1
    return count


register(
    "mandelbrot_float", mandelbrot_float, lambda rng, n: (n, n, 100),
    size=160, quick=40, category="scalar",
    desc="same Mandelbrot count with float math and a while/break loop",
)
