"""Reference solution: max, average and global average pooling, numpy only."""
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


def _windows(x, kernel_size, stride, padding, fill) -> np.ndarray:
    """All pooling windows, (N, C, H_out, W_out, KH, KW), over x padded with ``fill``.

    H_out = floor((H + 2 * ph - KH) / sh) + 1 (floor mode: a window that would
    hang over the bottom/right edge is dropped), and likewise W_out.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got shape {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    if min(kh, kw, sh, sw) < 1:
        raise ValueError("kernel_size and stride must be at least 1")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {padding!r}")
    # As in PyTorch: a window that could lie entirely in the padding is an error.
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding {padding!r} is more than half the kernel {kernel_size!r}")
    h, w = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > h or kw > w:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input {h}x{w}")
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    return sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Largest value of each window: (N, C, H, W) -> (N, C, H_out, W_out).

    kernel_size, stride and padding are ints or (h, w) pairs; stride None
    means stride = kernel_size. Padding uses -inf, so a padded cell can never
    be the maximum. Padding above half the kernel is a ValueError, as in torch.
    """
    x = np.asarray(x)
    # Integers have no -inf; their smallest value loses every comparison too.
    fill = np.iinfo(x.dtype).min if np.issubdtype(x.dtype, np.integer) else -np.inf
    return _windows(x, kernel_size, stride, padding, fill).max(axis=(-2, -1))


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Mean of each window: (N, C, H, W) -> (N, C, H_out, W_out).

    Arguments as for max_pool2d. Padded zeros count in the divisor
    (PyTorch's count_include_pad=True), so every window divides by KH * KW.
    """
    return _windows(x, kernel_size, stride, padding, 0.0).mean(axis=(-2, -1))


def global_avg_pool2d(x) -> np.ndarray:
    """Mean of each whole feature map: (N, C, H, W) -> (N, C)."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got shape {x.shape}")
    return x.mean(axis=(2, 3))
