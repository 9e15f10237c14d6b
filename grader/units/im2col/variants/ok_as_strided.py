"""ok: im2col from an as_strided view of the padded input; the weight as an identity times 1/k^2."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def im2col(x, kernel_size, stride=1, padding=0):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
    if x.ndim != 4 or min(kh, kw, sh, sw) < 1 or ph < 0 or pw < 0:
        raise ValueError("bad arguments")
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))))
    n, c, hp, wp = xp.shape
    if kh > hp or kw > wp:
        raise ValueError("kernel too large")
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    s = xp.strides
    view = as_strided(xp, shape=(n, c, kh, kw, ho, wo),
                      strides=(s[0], s[1], s[2], s[3], s[2] * sh, s[3] * sw), writeable=False)
    return view.reshape(n, c * kh * kw, ho * wo)


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
    eye = np.eye(channels)[:, :, None, None]
    return eye * np.full((kernel_size, kernel_size), 1.0 / kernel_size ** 2)
