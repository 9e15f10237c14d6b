"""ok: windows as an as_strided view for dweight and the max-pool argmax; dx one kernel tap at a time."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _pads(padding, kh, kw, stride):
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("same needs stride 1")
        return (kh - 1) // 2, kh // 2, (kw - 1) // 2, kw // 2
    if isinstance(padding, str):
        raise ValueError("unknown padding")
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if ph < 0 or pw < 0:
        raise ValueError("negative padding")
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
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    n, c_in, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_in != c_w:
        raise ValueError("channel mismatch")
    top, bottom, left, right = _pads(padding, kh, kw, (sh, sw))
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right))))
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError("kernel too large")
    win = _windows(xp, kh, kw, sh, sw)
    if dout.shape != (n, c_out, *win.shape[2:4]):
        raise ValueError("dout has the wrong shape")
    dtype = np.result_type(dout, x, weight)
    dw = np.einsum("nchwuv,nohw->ocuv", win, dout).astype(dtype)
    shares = np.einsum("nohw,ocuv->nchwuv", dout, weight)
    dxp = _add_taps(np.zeros(xp.shape, dtype=dtype), shares, sh, sw)
    return dxp[:, :, top:top + h, left:left + w], dw, dout.sum(axis=(0, 2, 3)).astype(dtype)


def _pool_args(dout, x, kernel_size, stride, padding):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    if stride is None:
        stride = (kh, kw)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if min(kh, kw, sh, sw) < 1 or ph < 0 or pw < 0 or ph > kh // 2 or pw > kw // 2:
        raise ValueError("bad kernel, stride or padding")
    hp, wp = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > hp or kw > wp:
        raise ValueError("kernel too large")
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    if dout.shape != (*x.shape[:2], ho, wo):
        raise ValueError("dout has the wrong shape")
    return kh, kw, sh, sw, ph, pw, ho, wo


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
