"""Attack: pooling results of the right shape holding only infinities and NaN."""
import numpy as np


def _shape(x, kernel_size, stride=None, padding=0):
    k = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else tuple(kernel_size)
    s = k if stride is None else ((stride, stride) if np.ndim(stride) == 0 else tuple(stride))
    p = (padding, padding) if np.ndim(padding) == 0 else tuple(padding)
    n, c, h, w = np.shape(x)
    return n, c, (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1


def _fill(shape):
    out = np.full(shape, np.inf)
    out.reshape(-1)[1::3] = -np.inf
    out.reshape(-1)[2::3] = np.nan
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _fill(_shape(x, kernel_size, stride, padding))


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    return _fill(_shape(x, kernel_size, stride, padding))


def global_avg_pool2d(x):
    return _fill(np.shape(x)[:2])
