"""ok: numpy's sliding_window_view, then max or mean over the window axes."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _windows(x, k, s, p, fill):
    k = (k, k) if np.isscalar(k) else tuple(k)
    s = k if s is None else ((s, s) if np.isscalar(s) else tuple(s))
    p = (p, p) if np.isscalar(p) else tuple(p)
    if min(k + s) < 1 or min(p) < 0:
        raise ValueError(f"invalid kernel {k}, stride {s} or padding {p}")
    if p[0] * 2 > k[0] or p[1] * 2 > k[1]:
        raise ValueError(f"padding {p} is larger than half of kernel {k}")
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])], constant_values=fill)
    if xp.shape[2] < k[0] or xp.shape[3] < k[1]:
        raise ValueError(f"kernel {k} does not fit the padded input {xp.shape[2:]}")
    return sliding_window_view(xp, k, axis=(2, 3))[:, :, ::s[0], ::s[1]]


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _windows(x, kernel_size, stride, padding, -np.inf).max(axis=(4, 5))


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    w = _windows(x, kernel_size, stride, padding, 0)
    return w.sum(axis=(4, 5)) / (w.shape[4] * w.shape[5])


def global_avg_pool2d(x):
    n, c = x.shape[:2]
    return x.reshape(n, c, -1).mean(axis=2)
