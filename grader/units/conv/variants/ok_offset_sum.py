"""ok: one matrix product per kernel offset (u, v), summed into the output."""
import math

import numpy as np


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    for name, value in (("input_size", input_size), ("kernel_size", kernel_size),
                        ("stride", stride), ("dilation", dilation)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    room = input_size + 2 * padding - dilation * (kernel_size - 1) - 1
    if room < 0:
        raise ValueError("the kernel does not fit in the padded input")
    return math.floor(room / stride) + 1


def _both(v):
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def conv2d(x, weight, bias=None, stride=1, padding=0):
    n, c_in, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_in != c_w:
        raise ValueError(f"input has {c_in} channels, weight expects {c_w}")
    sh, sw = _both(stride)
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    if padding == "valid":
        top = bottom = left = right = 0
    elif padding == "same":
        if (sh, sw) != (1, 1):
            raise ValueError("padding='same' only works with stride 1")
        top, left = (kh - 1) // 2, (kw - 1) // 2
        bottom, right = kh - 1 - top, kw - 1 - left
    elif isinstance(padding, str):
        raise ValueError(f"unknown padding {padding!r}")
    else:
        top, left = _both(padding)
        bottom, right = top, left
        if top < 0 or left < 0:
            raise ValueError("padding must be >= 0")
    hp, wp = h + top + bottom, w + left + right
    if kh > hp or kw > wp:
        raise ValueError("kernel is larger than the padded input")
    xp = np.zeros((n, c_in, hp, wp), dtype=x.dtype)
    xp[:, :, top:top + h, left:left + w] = x
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    out = np.zeros((n, c_out, ho, wo), dtype=np.result_type(x, weight))
    for u in range(kh):
        for v in range(kw):
            # Every output (i, j) meets input (i*sh + u, j*sw + v) through weight[:, :, u, v].
            patch = xp[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, weight[:, :, u, v])
    if bias is not None:
        out += np.asarray(bias).reshape(1, -1, 1, 1)
    return out
