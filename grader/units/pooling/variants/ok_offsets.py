"""ok: one strided slice per kernel offset, combined with np.maximum or a running sum."""
import numpy as np


def _two(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _slices(x, kernel_size, stride, padding, fill):
    kh, kw = _two(kernel_size)
    sh, sw = (kh, kw) if stride is None else _two(stride)
    ph, pw = _two(padding)
    if kh < 1 or kw < 1 or sh < 1 or sw < 1 or ph < 0 or pw < 0:
        raise ValueError("bad kernel_size, stride or padding")
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError("pad should be at most half of the kernel size")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    if xp.shape[2] < kh or xp.shape[3] < kw:
        raise ValueError("kernel does not fit in the padded input")
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    # Output (i, j) looks at xp[i*sh + u, j*sw + v]; for a fixed offset (u, v)
    # those cells form one strided slice of shape (N, C, ho, wo).
    return [xp[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw]
            for u in range(kh) for v in range(kw)]


def max_pool2d(x, kernel_size, stride=None, padding=0):
    slices = _slices(x, kernel_size, stride, padding, -np.inf)
    out = slices[0].copy()
    for s in slices[1:]:
        np.maximum(out, s, out=out)
    return out


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    slices = _slices(x, kernel_size, stride, padding, 0.0)
    total = np.zeros_like(slices[0])
    for s in slices:
        total += s
    return total / len(slices)


def global_avg_pool2d(x):
    return np.mean(x, axis=(-2, -1))
