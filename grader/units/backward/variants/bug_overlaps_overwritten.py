"""bug: the window gradients are assigned (=) into dx, so overlaps keep only the last one."""
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


def _conv_padding(padding, kh: int, kw: int, stride: tuple[int, int]):
    """((top, bottom), (left, right)), as conv2d pads for each spelling of padding."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError("padding='same' needs stride 1 (as in PyTorch)")
            return ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {padding!r}")
    return (ph, ph), (pw, pw)


def _check_dout(dout: np.ndarray, expected: tuple[int, ...]) -> None:
    if dout.shape != expected:
        raise ValueError(f"dout has shape {dout.shape}, but the forward pass gives "
                         f"{expected}: dout must have the output's shape")


def _scatter(dout_part: np.ndarray, padded_shape, kernel, stride) -> np.ndarray:
    """Add window-shaped gradients (N, C, H_out, W_out, KH, KW) back onto the padded input.

    Output (i, j) read cell (i*sh + u, j*sw + v); one strided slice per
    kernel offset (u, v) adds every window's share at once, and the += makes
    overlapping windows accumulate.
    """
    kh, kw = kernel
    sh, sw = stride
    h_out, w_out = dout_part.shape[2:4]
    grad = np.zeros(padded_shape, dtype=dout_part.dtype)
    for u in range(kh):
        for v in range(kw):
            grad[:, :, u:u + sh * (h_out - 1) + 1:sh, v:v + sw * (w_out - 1) + 1:sw] += \
                dout_part[:, :, :, :, u, v]
    return grad


def conv2d_backward(dout, x, weight, stride=1, padding=0):
    """Gradients of sum(dout * conv2d(x, weight, bias, stride, padding)).

    Returns (dx, dweight, dbias), shaped like x, weight and (C_out,):
    dbias[o] = sum of dout[:, o]; dweight[o, c, u, v] = sum over n, i, j of
    dout[n, o, i, j] * x_pad[n, c, i*sh + u, j*sw + v]; dx sends each
    dout[n, o, i, j] * weight[o, c, u, v] back to the cell it came from,
    then crops the padding away.
    """
    x, weight, dout = np.asarray(x), np.asarray(weight), np.asarray(dout)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"x and weight must be 4-D, got shapes {x.shape} and {weight.shape}")
    n, c_in, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_in != c_w:
        raise ValueError(f"x has {c_in} channels but weight expects {c_w}")
    sh, sw = _pair(stride, "stride")
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    (top, bottom), (left, right) = _conv_padding(padding, kh, kw, (sh, sw))
    if kh > h + top + bottom or kw > w + left + right:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input "
                         f"{h + top + bottom}x{w + left + right}")
    h_out = (h + top + bottom - kh) // sh + 1
    w_out = (w + left + right - kw) // sw + 1
    _check_dout(dout, (n, c_out, h_out, w_out))
    dtype = np.result_type(x, weight, dout)
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    dweight = np.einsum("nchwuv,nohw->ocuv", windows, dout, optimize=True)
    dbias = dout.sum(axis=(0, 2, 3))
    shares = np.einsum("nohw,ocuv->nchwuv", dout, weight, optimize=True)
    dpadded = np.zeros(padded.shape, dtype=shares.dtype)
    for i in range(h_out):
        for j in range(w_out):
            dpadded[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = shares[:, :, i, j]
    dx = dpadded[:, :, top:top + h, left:left + w]
    return dx.astype(dtype), dweight.astype(dtype), dbias.astype(dtype)


def _pool_setup(dout, x, kernel_size, stride, padding):
    """Checks as max_pool2d does; returns the arrays and (kh, kw), (sh, sw), (ph, pw)."""
    x, dout = np.asarray(x), np.asarray(dout)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got shape {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    if min(kh, kw, sh, sw) < 1:
        raise ValueError("kernel_size and stride must be at least 1")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {padding!r}")
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding {padding!r} is more than half the kernel {kernel_size!r}")
    h, w = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > h or kw > w:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input {h}x{w}")
    _check_dout(dout, (*x.shape[:2], (h - kh) // sh + 1, (w - kw) // sw + 1))
    return x, dout, (kh, kw), (sh, sw), (ph, pw)


def _float(*arrays) -> np.dtype:
    # Gradients are real numbers even when x holds integers.
    return np.result_type(*arrays, np.float32)


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    """Gradient of sum(dout * max_pool2d(x, ...)) with respect to x.

    Each window's dout goes to the cell that held its maximum (the first
    one in row-major order on ties, as PyTorch does); a cell that is the
    maximum of several overlapping windows collects all of their shares;
    padding (-inf) never wins, so it gets nothing.
    """
    x, dout, (kh, kw), (sh, sw), (ph, pw) = _pool_setup(dout, x, kernel_size, stride, padding)
    fill = np.iinfo(x.dtype).min if np.issubdtype(x.dtype, np.integer) else -np.inf
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    first = windows.reshape(*windows.shape[:4], kh * kw).argmax(axis=-1)  # first maximum
    n, c, i, j = np.indices(first.shape, sparse=True)
    rows, cols = i * sh + first // kw, j * sw + first % kw
    grad = np.zeros(padded.shape, dtype=_float(dout, x))
    np.add.at(grad, (n, c, rows, cols), dout)  # add.at: repeated cells accumulate
    return grad[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    """Gradient of sum(dout * avg_pool2d(x, ...)) with respect to x.

    Every window divided by KH * KW (padding counted, as in the forward
    pass), so each of its cells gets dout / (KH * KW); overlapping windows
    add up, and the shares that land on padding are cropped away.
    """
    x, dout, (kh, kw), (sh, sw), (ph, pw) = _pool_setup(dout, x, kernel_size, stride, padding)
    dtype = _float(dout, x)
    share = (dout / (kh * kw)).astype(dtype)
    shares = np.broadcast_to(share[..., None, None], (*share.shape, kh, kw))
    padded_shape = (*x.shape[:2], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw)
    grad = _scatter(shares, padded_shape, (kh, kw), (sh, sw))
    return grad[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
