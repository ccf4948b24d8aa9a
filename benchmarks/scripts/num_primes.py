"""Twin primes and prime gaps by trial division."""


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


count = 0
twins = 0
largest_gap = 0
prev = 2
for n in range(3, 1_200_000, 2):
    if is_prime(n):
        count += 1
        if n - prev == 2:
            twins += 1
        largest_gap = max(largest_gap, n - prev)
        prev = n
print("odd primes:", count)
print("twin pairs:", twins)
print("largest gap:", largest_gap, "ending at", prev)
