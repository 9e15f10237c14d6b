"""ok: windows as an as_strided view for dweight and the max-pool argmax; dx one kernel tap at a time."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _twice(v):
    return (v, v) if isinstance(v, int) else tuple(v)


_NAMED = {"valid": lambda kh, kw: (0, 0, 0, 0),
          "same": lambda kh, kw: ((kh - 1) // 2, kh // 2, (kw - 1) // 2, kw // 2)}


def _conv_padding(padding, kh, kw, stride):
    if isinstance(padding, str):
        if padding not in _NAMED:
            raise ValueError(f"unknown padding {padding!r}")
        if padding == "same" and stride != (1, 1):
            raise ValueError("padding='same' needs stride 1")
        return _NAMED[padding](kh, kw)
    ph, pw = _twice(padding)
    if min(ph, pw) < 0:
        raise ValueError("padding must be >= 0")
    return ph, ph, pw, pw


def _windows(xp, kh, kw, sh, sw):
    n, c, hp, wp = xp.shape
    s = xp.strides
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    return as_strided(xp, shape=(n, c, ho, wo, kh, kw),
                      strides=(s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]), writeable=False)


def _add_taps(dxp, shares, sh, sw):
    """shares (N, C, Ho, Wo, KH, KW) added onto dxp, one strided slice per tap."""
    ho, wo, kh, kw = shares.shape[2:]
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw] += shares[..., u, v]
    return dxp


def conv2d_backward(dout, x, weight, stride=1, padding=0):
    stride = _twice(stride)
    if min(stride) < 1:
        raise ValueError(f"stride {stride} must be >= 1")
    if x.ndim != 4 or weight.ndim != 4 or x.shape[1] != weight.shape[1]:
        raise ValueError("x is (N, C, H, W) and weight (C_out, C, KH, KW), with the same C")
    (h, w), (kh, kw), (sh, sw) = x.shape[2:], weight.shape[2:], stride
    top, bottom, left, right = _conv_padding(padding, kh, kw, stride)
    xp = np.ascontiguousarray(np.pad(x, [(0, 0), (0, 0), (top, bottom), (left, right)]))
    if xp.shape[2] < kh or xp.shape[3] < kw:
        raise ValueError(f"a {kh}x{kw} kernel does not fit in {xp.shape[2:]}")
    win = _windows(xp, kh, kw, sh, sw)
    expected = (len(x), len(weight)) + win.shape[2:4]
    if dout.shape != expected:
        raise ValueError(f"dout should have shape {expected}, not {dout.shape}")
    dtype = np.result_type(dout, x, weight)
    dw = np.einsum("nchwuv,nohw->ocuv", win, dout).astype(dtype)
    shares = np.einsum("nohw,ocuv->nchwuv", dout, weight)
    dxp = _add_taps(np.zeros(xp.shape, dtype=dtype), shares, sh, sw)
    return dxp[:, :, top:top + h, left:left + w], dw, dout.sum(axis=(0, 2, 3)).astype(dtype)


def _pool_args(dout, x, kernel_size, stride, padding):
    kernel = _twice(kernel_size)
    step = kernel if stride is None else _twice(stride)
    (kh, kw), (sh, sw), (ph, pw) = kernel, step, _twice(padding)
    if min(kernel + step) < 1 or any(p < 0 or 2 * p > k for p, k in ((ph, kh), (pw, kw))):
        raise ValueError(f"kernel_size {kernel_size}, stride {stride} or padding {padding} is out of range")
    out = [(x.shape[2 + d] + 2 * p - k) // s + 1 for d, p, k, s in ((0, ph, kh, sh), (1, pw, kw, sw))]
    if min(out) < 1:
        raise ValueError("the window is larger than the padded input")
    if dout.shape != x.shape[:2] + tuple(out):
        raise ValueError(f"dout should have shape {x.shape[:2] + tuple(out)}, not {dout.shape}")
    return kh, kw, sh, sw, ph, pw, out[0], out[1]


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw, ho, wo = _pool_args(dout, x, kernel_size, stride, padding)
    xp = np.pad(x.astype(float), ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    win = _windows(xp, kh, kw, sh, sw)
    best = win.reshape(*win.shape[:4], kh * kw).argmax(axis=-1)
    onehot = (np.arange(kh * kw) == best[..., None]).reshape(win.shape)
    shares = onehot * dout[..., None, None]
    dxp = _add_taps(np.zeros(xp.shape, dtype=np.result_type(dout, x, np.float32)), shares, sh, sw)
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw, ho, wo = _pool_args(dout, x, kernel_size, stride, padding)
    dtype = np.result_type(dout, x, np.float32)
    shares = np.broadcast_to((dout / (kh * kw))[..., None, None], (*dout.shape, kh, kw))
    dxp = np.zeros((*x.shape[:2], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw), dtype=dtype)
    dxp = _add_taps(dxp, shares, sh, sw)
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
