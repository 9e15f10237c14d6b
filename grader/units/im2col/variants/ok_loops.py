"""ok: im2col with a loop over output positions; conv2d_matmul on top of it."""
import numpy as np


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def im2col(x, kernel_size, stride=1, padding=0):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
    if x.ndim != 4 or min(kh, kw, sh, sw) < 1 or ph < 0 or pw < 0:
        raise ValueError("bad arguments")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError("kernel too large")
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    cols = np.zeros((x.shape[0], x.shape[1] * kh * kw, ho * wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            cols[:, :, i * wo + j] = patch.reshape(x.shape[0], -1)
    return cols


def conv2d_matmul(x, weight, bias=None, stride=1, padding=0):
    c_out, c_in, kh, kw = weight.shape
    if x.shape[1] != c_in:
        raise ValueError("channel mismatch")
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    cols = im2col(x, (kh, kw), stride, padding)
    out = np.matmul(weight.reshape(c_out, -1), cols)
    if bias is not None:
        out = out + bias[:, None]
    ho, wo = (x.shape[2] + 2 * ph - kh) // sh + 1, (x.shape[3] + 2 * pw - kw) // sw + 1
    return out.reshape(x.shape[0], c_out, ho, wo).astype(np.result_type(x, weight))


def avg_pool_as_conv(channels, kernel_size):
    if channels < 1 or kernel_size < 1:
        raise ValueError("channels and kernel_size must be at least 1")
    weight = np.zeros((channels, channels, kernel_size, kernel_size))
    for c in range(channels):
        weight[c, c] = 1.0 / kernel_size ** 2
    return weight
