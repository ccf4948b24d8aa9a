"""Which start below a limit gives the longest Collatz chain?"""

import sys


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


limit = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
best_n, best_steps = 1, 0
histogram = {}
for n in range(1, limit):
    s = collatz_steps(n)
    histogram[s // 50] = histogram.get(s // 50, 0) + 1
    if s > best_steps:
        best_n, best_steps = n, s
print(f"longest chain below {limit}: {best_n} ({best_steps} steps)")
for bucket in sorted(histogram):
    print(f"{bucket * 50:4d}-{bucket * 50 + 49:4d} steps: {histogram[bucket]}")
