"""ok: im2col from an as_strided view of the padded input; the weight as an identity times 1/k^2."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _both(v):
    if isinstance(v, (tuple, list)):
        a, b = v
        return a, b
    return v, v


def _geometry(x, kernel_size, stride, padding):
    """kernel, stride and padding as pairs, checked, with the output size."""
    if x.ndim != 4:
        raise ValueError("im2col wants a 4-d (N, C, H, W) array")
    k, s, p = _both(kernel_size), _both(stride), _both(padding)
    if min(k + s) < 1 or min(p) < 0:
        raise ValueError(f"bad kernel_size {kernel_size}, stride {stride} or padding {padding}")
    out = tuple((x.shape[2 + d] + 2 * p[d] - k[d]) // s[d] + 1 for d in (0, 1))
    if min(out) < 1:
        raise ValueError("kernel bigger than the padded image")
    return k, s, p, out


def im2col(x, kernel_size, stride=1, padding=0):
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = _geometry(x, kernel_size, stride, padding)
    big = np.ascontiguousarray(np.pad(x, [(0, 0)] * 2 + [(ph, ph), (pw, pw)]))
    st = big.strides
    view = as_strided(big, shape=big.shape[:2] + (kh, kw, ho, wo),
                      strides=st + (st[2] * sh, st[3] * sw), writeable=False)
    return view.reshape(len(big), -1, ho * wo)


def conv2d_matmul(x, weight, bias=None, stride=1, padding=0):
    if weight.shape[1] != x.shape[1]:
        raise ValueError("x and weight disagree on the number of channels")
    _, _, _, (ho, wo) = _geometry(x, weight.shape[2:], stride, padding)
    out = weight.reshape(len(weight), -1) @ im2col(x, weight.shape[2:], stride, padding)
    if bias is not None:
        out += np.reshape(bias, (-1, 1))
    return out.reshape(len(x), len(weight), ho, wo).astype(np.result_type(x, weight))


def avg_pool_as_conv(channels, kernel_size):
    if channels < 1 or kernel_size < 1:
        raise ValueError("channels and kernel_size must be at least 1")
    eye = np.eye(channels)[:, :, None, None]
    return eye * np.full((kernel_size, kernel_size), 1.0 / kernel_size ** 2)
