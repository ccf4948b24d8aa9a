"""Integer loops: bit tricks, modular arithmetic, bool/int arrays."""

import numpy as np

from ._registry import register


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def gcd_sum(n):
    s = 0
    for i in range(1, n):
        for j in range(1, n):
            s += gcd(i, j)
    return s


register(
    "gcd_sum", gcd_sum, lambda rng, n: (n,),
    size=500, quick=100, category="integer", calls=("gcd",),
    desc="sum of gcd(i, j) over a grid; calls another compiled function",
)


def prime_sieve(flags):
    n = len(flags)
    for i in range(n):
        flags[i] = True
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i < n:
        if flags[i]:
            for j in range(i * i, n, i):
                flags[j] = False
        i += 1
    count = 0
    for i in range(n):
        if flags[i]:
            count += 1
    return count


register(
    "prime_sieve", prime_sieve, lambda rng, n: (np.empty(n, dtype=np.bool_),),
    size=300_000, quick=30_000, category="integer",
    desc="sieve of Eratosthenes on a bool array, returns the prime count",
)


def popcount_sum(n):
    total = 0
    for i in range(n):
        x = i
        while x:
            x &= x - 1
            total += 1
    return total


register(
    "popcount_sum", popcount_sum, lambda rng, n: (n,),
    size=200_000, quick=20_000, category="integer",
    desc="total set bits of 0..n-1 (x &= x - 1 loop)",
)


def xorshift_hash(n, seed):
    x = seed
    h = 0
    for i in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        h = (h * 31 + x + i) & 0xFFFFFFFFFFFF
    return h


register(
    "xorshift_hash", xorshift_hash, lambda rng, n: (n, 2463534242),
    size=300_000, quick=30_000, category="integer",
    desc="xorshift32 stream folded into a 48-bit hash (shifts, xor, masks)",
)


def histogram(x, counts, lo, hi):
    nbins = len(counts)
    for b in range(nbins):
        counts[b] = 0
    scale = nbins / (hi - lo)
    for i in range(len(x)):
        v = x[i]
        if v >= lo and v < hi:
            k = int((v - lo) * scale)
            if k >= nbins:
                k = nbins - 1
            counts[k] += 1
    return counts


register(
    "histogram", histogram,
    lambda rng, n: (rng.normal(size=n), np.zeros(64, dtype=np.int64), -3.0, 3.0),
    size=200_000, quick=20_000, category="integer",
    desc="64-bin histogram of normal samples into an int64 array (int(), +=)",
)
