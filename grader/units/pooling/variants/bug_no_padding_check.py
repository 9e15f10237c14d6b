"""bug: accepts padding larger than half the kernel."""
import numpy as np


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _pool(x, kernel_size, stride, padding, fill, reduce):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    if min(kh, kw, sh, sw) < 1 or min(ph, pw) < 0:
        raise ValueError("kernel and stride must be positive, padding non-negative")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError("the window is larger than the padded input")
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    out = np.empty(x.shape[:2] + (ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = reduce(xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(2, 3))
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, -np.inf, np.max)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, 0.0, np.mean)


def global_avg_pool2d(x):
    return x.mean(axis=(2, 3))
