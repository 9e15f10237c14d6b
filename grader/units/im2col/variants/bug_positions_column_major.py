"""bug: im2col's columns run column by column (conv2d_matmul undoes it, so only im2col is off)."""
from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _int(value, name: str) -> int:
    # Python and numpy integers pass; 2.5 is refused rather than truncated.
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return _int(value[0], name), _int(value[1], name)
    v = _int(value, name)
    return v, v


def im2col(x, kernel_size, stride=1, padding=0) -> np.ndarray:
    """Every window of x as a column: (N, C, H, W) -> (N, C*KH*KW, H_out*W_out).

    Row c*KH*KW + u*KW + v of column i*W_out + j holds
    x_pad[n, c, i*sh + u, j*sw + v]: channel first, then kernel row, then
    kernel column, and the columns in row-major order of the output
    positions, exactly as torch.nn.functional.unfold lays them out.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got shape {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    if min(kh, kw, sh, sw) < 1:
        raise ValueError(f"kernel_size and stride must be at least 1, got "
                         f"{kernel_size!r} and {stride!r}")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {padding!r}")
    n, c, h, w = x.shape
    if kh > h + 2 * ph or kw > w + 2 * pw:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input "
                         f"{h + 2 * ph}x{w + 2 * pw}")
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    h_out, w_out = windows.shape[2:4]
    # (N, C, H_out, W_out, KH, KW) -> (N, C, KH, KW, H_out, W_out): one copy, here.
    return windows.transpose(0, 1, 4, 5, 3, 2).reshape(n, c * kh * kw, h_out * w_out)


def conv2d_matmul(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """conv2d as (C_out, C_in*KH*KW) @ (N, C_in*KH*KW, L), reshaped to (N, C_out, H_out, W_out).

    weight.reshape(C_out, -1) lists each filter's taps channel first, then
    row, then column: the order of im2col's rows, so the product pairs
    every weight with the pixel under it.
    """
    x, weight = np.asarray(x), np.asarray(weight)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"x and weight must be 4-D, got shapes {x.shape} and {weight.shape}")
    c_out, c_in, kh, kw = weight.shape
    if x.shape[1] != c_in:
        raise ValueError(f"x has {x.shape[1]} channels but weight expects {c_in}")
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    cols = im2col(x, (kh, kw), (sh, sw), (ph, pw))
    h_out = (x.shape[2] + 2 * ph - kh) // sh + 1
    w_out = (x.shape[3] + 2 * pw - kw) // sw + 1
    out = weight.reshape(c_out, -1) @ cols
    if bias is not None:
        out = out + np.asarray(bias).reshape(1, c_out, 1)
    return out.reshape(x.shape[0], c_out, w_out, h_out).swapaxes(2, 3).astype(np.result_type(x, weight),
                                                                copy=False)


def avg_pool_as_conv(channels, kernel_size) -> np.ndarray:
    """The (C, C, k, k) weight with which conv2d(x, weight, stride=k) is avg_pool2d(x, k).

    Filter o must average its own channel only: weight[o, o] = 1/k^2
    everywhere, and weight[o, c] = 0 for every other channel c.
    """
    c, k = _int(channels, "channels"), _int(kernel_size, "kernel_size")
    if c < 1 or k < 1:
        raise ValueError(f"channels and kernel_size must be at least 1, got {c} and {k}")
    weight = np.zeros((c, c, k, k))
    weight[np.arange(c), np.arange(c)] = 1.0 / (k * k)
    return weight
