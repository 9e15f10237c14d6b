"""ok: im2col, then one matrix product."""
import numpy as np


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    if min(input_size, kernel_size, stride, dilation) < 1 or padding < 0:
        raise ValueError("sizes, stride and dilation must be >= 1, padding >= 0")
    out = (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError("kernel does not fit")
    return out


def _pads(padding, kh, kw, stride):
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same" and stride == (1, 1):
            return (kh - 1) // 2, kh // 2, (kw - 1) // 2, kw // 2
        raise ValueError(f"bad padding {padding!r}")
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    return ph, ph, pw, pw


def conv2d(x, weight, bias=None, stride=1, padding=0):
    stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
    if min(stride) < 1:
        raise ValueError("stride must be positive")
    n, c, h, w = x.shape
    o, c2, kh, kw = weight.shape
    if c != c2:
        raise ValueError("channel mismatch")
    t, b, l, r = _pads(padding, kh, kw, stride)
    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError("kernel larger than the padded input")
    ho = (xp.shape[2] - kh) // stride[0] + 1
    wo = (xp.shape[3] - kw) // stride[1] + 1
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=xp.dtype)
    for u in range(kh):
        for v in range(kw):
            cols[:, :, u, v] = xp[:, :, u:u + stride[0] * ho:stride[0], v:v + stride[1] * wo:stride[1]]
    cols = cols.reshape(n, c * kh * kw, ho * wo)
    out = (weight.reshape(o, -1) @ cols).reshape(n, o, ho, wo)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out.astype(np.result_type(x, weight))
