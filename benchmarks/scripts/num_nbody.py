"""Planets of the outer solar system, integrated with a simple leapfrog step."""

import math

import numpy as np

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24

# sun, jupiter, saturn, uranus, neptune: x y z vx vy vz mass
BODIES = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS],
    [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS],
    [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS],
    [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS],
    [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS],
])


def offset_momentum(b):
    px = py = pz = 0.0
    for i in range(b.shape[0]):
        px += b[i, 3] * b[i, 6]
        py += b[i, 4] * b[i, 6]
        pz += b[i, 5] * b[i, 6]
    b[0, 3] = -px / SOLAR_MASS
    b[0, 4] = -py / SOLAR_MASS
    b[0, 5] = -pz / SOLAR_MASS


def energy(b):
    e = 0.0
    n = b.shape[0]
    for i in range(n):
        e += 0.5 * b[i, 6] * (b[i, 3] ** 2 + b[i, 4] ** 2 + b[i, 5] ** 2)
        for j in range(i + 1, n):
            dx = b[i, 0] - b[j, 0]
            dy = b[i, 1] - b[j, 1]
            dz = b[i, 2] - b[j, 2]
            e -= b[i, 6] * b[j, 6] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(b, dt, steps):
    n = b.shape[0]
    for _ in range(steps):
        for i in range(n):
            for j in range(i + 1, n):
                dx = b[i, 0] - b[j, 0]
                dy = b[i, 1] - b[j, 1]
                dz = b[i, 2] - b[j, 2]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                bm = b[j, 6] * mag
                b[i, 3] -= dx * bm
                b[i, 4] -= dy * bm
                b[i, 5] -= dz * bm
                bm = b[i, 6] * mag
                b[j, 3] += dx * bm
                b[j, 4] += dy * bm
                b[j, 5] += dz * bm
        for i in range(n):
            b[i, 0] += dt * b[i, 3]
            b[i, 1] += dt * b[i, 4]
            b[i, 2] += dt * b[i, 5]


bodies = BODIES.copy()
offset_momentum(bodies)
print(f"energy before: {energy(bodies):.9f}")
for report in range(20):
    advance(bodies, 0.01, 2000)
    print(f"after {(report + 1) * 2000} steps: {energy(bodies):.9f}")
