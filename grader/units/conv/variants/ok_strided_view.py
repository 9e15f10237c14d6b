"""ok: as_strided windows and tensordot."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    if input_size < 1 or kernel_size < 1:
        raise ValueError("sizes must be positive")
    if stride < 1 or dilation < 1:
        raise ValueError("stride and dilation must be positive")
    if padding < 0:
        raise ValueError("padding must not be negative")
    effective = dilation * (kernel_size - 1) + 1
    if effective > input_size + 2 * padding:
        raise ValueError("kernel larger than padded input")
    return (input_size + 2 * padding - effective) // stride + 1


def conv2d(x, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    if sh < 1 or sw < 1:
        raise ValueError("stride must be positive")
    kh, kw = weight.shape[-2:]
    if x.shape[1] != weight.shape[1]:
        raise ValueError("in_channels differ")
    if padding == "same":
        if sh != 1 or sw != 1:
            raise ValueError("'same' requires stride 1")
        pad = ((kh - 1) // 2, kh - 1 - (kh - 1) // 2), ((kw - 1) // 2, kw - 1 - (kw - 1) // 2)
    elif padding == "valid":
        pad = (0, 0), (0, 0)
    elif isinstance(padding, str):
        raise ValueError("unknown padding mode")
    else:
        ph, pw = (padding, padding) if np.isscalar(padding) else padding
        pad = (ph, ph), (pw, pw)
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0)) + pad))
    n, c, h, w = xp.shape
    if kh > h or kw > w:
        raise ValueError("kernel too big")
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    s = xp.strides
    win = as_strided(xp, (n, c, ho, wo, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]),
                     writeable=False)
    out = np.tensordot(win, weight, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + np.reshape(bias, (1, -1, 1, 1))
    return np.ascontiguousarray(out, dtype=np.result_type(x, weight))
