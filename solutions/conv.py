"""Reference solution: output size and 2-D convolution (cross-correlation), numpy only."""
from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _int(value, name: str) -> int:
    # operator.index takes Python and numpy integers but refuses 2.5, which
    # int() would quietly truncate into a plausible wrong answer.
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


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Length of one output axis: floor((n + 2p - d(k - 1) - 1) / s) + 1.

    A dilated kernel spans d(k - 1) + 1 input cells, so it fits
    floor((n + 2p - span) / s) + 1 times along a padded axis of n + 2p.
    Raises ValueError for a size, stride or dilation below 1, negative
    padding, or a kernel that does not fit even once.
    """
    n, k = _int(input_size, "input_size"), _int(kernel_size, "kernel_size")
    s, p, d = _int(stride, "stride"), _int(padding, "padding"), _int(dilation, "dilation")
    if n < 1 or k < 1:
        raise ValueError(f"input_size and kernel_size must be at least 1, got {n} and {k}")
    if s < 1 or d < 1:
        raise ValueError(f"stride and dilation must be at least 1, got {s} and {d}")
    if p < 0:
        raise ValueError(f"padding must not be negative, got {p}")
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise ValueError(f"a kernel spanning {span} does not fit an input of {n} "
                         f"with padding {p}")
    return (n + 2 * p - span) // s + 1


def _padding(padding, kh: int, kw: int, stride: tuple[int, int]):
    """((top, bottom), (left, right)) zero rows/columns for each padding spelling."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError("padding='same' needs stride 1 (as in PyTorch)")
            # An even kernel cannot be centred: the extra row/column goes
            # bottom/right, which is what PyTorch does.
            return ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {padding!r}")
    return (ph, ph), (pw, pw)


def conv2d(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """2-D cross-correlation, as torch.nn.functional.conv2d computes it.

    Shapes: x (N, C_in, H, W), weight (C_out, C_in, KH, KW), bias (C_out,) or
    None -> (N, C_out, H_out, W_out), where
    out[n, o, i, j] = bias[o] + sum_{c,u,v} x_pad[n, c, i*sh + u, j*sw + v] * weight[o, c, u, v]
    (the kernel is not flipped). stride is an int or (sh, sw); padding is an
    int, (ph, pw), "valid" (none) or "same" (stride 1 only; output as large as
    the input). The result has dtype result_type(x, weight); inputs are left
    untouched.
    """
    x = np.asarray(x)
    weight = np.asarray(weight)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"x and weight must be 4-D, got shapes {x.shape} and {weight.shape}")
    n, c_in, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_in != c_w:
        raise ValueError(f"x has {c_in} channels but weight expects {c_w}")
    sh, sw = _pair(stride, "stride")
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    (top, bottom), (left, right) = _padding(padding, kh, kw, (sh, sw))
    if kh > h + top + bottom or kw > w + left + right:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input "
                         f"{h + top + bottom}x{w + left + right}")
    dtype = np.result_type(x, weight)
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))  # a new array
    # A read-only view of every window, (N, C_in, H_out, W_out, KH, KW): no
    # copies until einsum contracts C_in, KH and KW against the weight.
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    out = np.einsum("nchwuv,ocuv->nohw", windows, weight, optimize=True)
    if bias is not None:
        out = out + np.asarray(bias).reshape(1, c_out, 1, 1)
    return out.astype(dtype, copy=False)
