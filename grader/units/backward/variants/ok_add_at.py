"""ok: index arrays for every (window, tap) pair and np.add.at to scatter the gradients."""
import numpy as np


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


def _taps(ho, wo, kh, kw, sh, sw):
    """Row and column of the padded input for every (i, j, u, v)."""
    i, j, u, v = np.ogrid[:ho, :wo, :kh, :kw]
    return i * sh + u, j * sw + v


def conv2d_backward(dout, x, weight, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    n, c_in, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_in != c_w:
        raise ValueError("channel mismatch")
    top, bottom, left, right = _pads(padding, kh, kw, (sh, sw))
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError("kernel too large")
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    if dout.shape != (n, c_out, ho, wo):
        raise ValueError("dout has the wrong shape")
    rows, cols = _taps(ho, wo, kh, kw, sh, sw)
    patches = xp[:, :, rows, cols]  # (N, C, Ho, Wo, KH, KW), a copy
    dw = np.tensordot(dout, patches, axes=([0, 2, 3], [0, 2, 3]))  # (C_out, C, KH, KW)
    shares = np.tensordot(dout, weight, axes=([1], [0]))  # (N, Ho, Wo, C, KH, KW)
    dxp = np.zeros(xp.shape, dtype=np.result_type(dout, x, weight))
    np.add.at(dxp, (slice(None), slice(None), rows, cols), shares.transpose(0, 3, 1, 2, 4, 5))
    dtype = dxp.dtype
    return (dxp[:, :, top:top + h, left:left + w], dw.astype(dtype),
            dout.sum(axis=(0, 2, 3)).astype(dtype))


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
    rows, cols = _taps(ho, wo, kh, kw, sh, sw)
    flat = xp[:, :, rows, cols].reshape(*x.shape[:2], ho, wo, kh * kw)
    best = flat.argmax(axis=-1)
    n, c, i, j = np.ogrid[:x.shape[0], :x.shape[1], :ho, :wo]
    dxp = np.zeros(xp.shape, dtype=np.result_type(dout, x, np.float32))
    np.add.at(dxp, (n, c, i * sh + best // kw, j * sw + best % kw), dout)
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw, ho, wo = _pool_args(dout, x, kernel_size, stride, padding)
    rows, cols = _taps(ho, wo, kh, kw, sh, sw)
    dxp = np.zeros((*x.shape[:2], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw),
                   dtype=np.result_type(dout, x, np.float32))
    shares = np.broadcast_to((dout / (kh * kw))[..., None, None], (*dout.shape, kh, kw))
    np.add.at(dxp, (slice(None), slice(None), rows, cols), shares)
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
