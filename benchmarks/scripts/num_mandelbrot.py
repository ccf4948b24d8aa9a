"""ASCII Mandelbrot set, with an escape-time count per pixel."""

import numpy as np


def render_row(out, y, height, max_iter):
    width = out.shape[0]
    ci = 2.4 * y / height - 1.2
    for x in range(width):
        cr = 3.2 * x / width - 2.2
        zr = zi = 0.0
        k = 0
        while k < max_iter and zr * zr + zi * zi <= 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
            k += 1
        out[x] = k


WIDTH, HEIGHT, MAX_ITER = 480, 360, 255
image = np.zeros((HEIGHT, WIDTH), dtype=np.int64)
for y in range(HEIGHT):
    render_row(image[y], y, HEIGHT, MAX_ITER)

chars = " .:-=+*#%@"
for y in range(0, HEIGHT, 12):
    print("".join(chars[min(int(v) * len(chars) // (MAX_ITER + 1), 9)] for v in image[y, ::5]))
print("points inside:", int((image == MAX_ITER).sum()))
