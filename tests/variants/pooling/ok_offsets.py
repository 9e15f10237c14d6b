"""ok: accumulate over kernel offsets with strided slices."""
import numpy as np


def _prep(x, kernel_size, stride, padding, fill):
    kh, kw = kernel_size if isinstance(kernel_size, tuple) else (kernel_size,) * 2
    if stride is None:
        sh, sw = kh, kw
    else:
        sh, sw = stride if isinstance(stride, tuple) else (stride,) * 2
    ph, pw = padding if isinstance(padding, tuple) else (padding,) * 2
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError("pad should be at most half of effective kernel size")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    slices = [xp[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw]
              for u in range(kh) for v in range(kw)]
    return slices


def max_pool2d(x, kernel_size, stride=None, padding=0):
    slices = _prep(x, kernel_size, stride, padding, -np.inf)
    out = slices[0].copy()
    for s in slices[1:]:
        np.maximum(out, s, out=out)
    return out


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    slices = _prep(x, kernel_size, stride, padding, 0.0)
    return sum(slices) / len(slices)


def global_avg_pool2d(x):
    return np.mean(x, axis=(-2, -1))
