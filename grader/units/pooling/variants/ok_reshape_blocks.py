"""ok: reshape into blocks when windows tile the map exactly, a loop over windows otherwise."""
import numpy as np


def _as_pair(value, name):
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair")
    return int(value[0]), int(value[1])


def _pool(x, kernel_size, stride, padding, fill, reduce):
    kh, kw = _as_pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _as_pair(stride, "stride")
    ph, pw = _as_pair(padding, "padding")
    if kh <= 0 or kw <= 0 or sh <= 0 or sw <= 0:
        raise ValueError("kernel_size and stride must be positive")
    if ph < 0 or pw < 0 or ph > kh // 2 or pw > kw // 2:
        raise ValueError("padding must be between 0 and half the kernel size")
    n, c, h, w = x.shape
    h, w = h + 2 * ph, w + 2 * pw
    if kh > h or kw > w:
        raise ValueError("kernel is larger than the padded input")
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    if (ph, pw) != (0, 0):
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    if (sh, sw) == (kh, kw):
        # Non-overlapping windows: drop the rows/columns floor mode ignores,
        # then split each spatial axis into (window index, offset in window).
        blocks = x[:, :, :ho * kh, :wo * kw].reshape(n, c, ho, kh, wo, kw)
        return reduce(blocks, axis=(3, 5))
    out = np.empty((n, c, ho, wo), dtype=np.result_type(x.dtype, np.float32))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = reduce(window, axis=(2, 3))
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, -np.inf, np.max)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, 0.0, np.mean)


def global_avg_pool2d(x):
    return x.mean(axis=3).mean(axis=2)
