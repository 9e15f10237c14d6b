"""ok: plain Python loops over every output position, accumulating with +=."""
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
    dtype = np.result_type(dout, x, weight)
    dxp = np.zeros(xp.shape, dtype=dtype)
    dw = np.zeros(weight.shape, dtype=dtype)
    for b in range(n):
        for o in range(c_out):
            for i in range(ho):
                for j in range(wo):
                    g = dout[b, o, i, j]
                    rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                    dw[o] += g * xp[b, :, rows, cols]
                    dxp[b, :, rows, cols] += g * weight[o]
    db = dout.sum(axis=(0, 2, 3)).astype(dtype)
    return dxp[:, :, top:top + h, left:left + w], dw, db


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
    dxp = np.zeros(xp.shape, dtype=np.result_type(dout, x, np.float32))
    for b in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(ho):
                for j in range(wo):
                    window = xp[b, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    u, v = divmod(int(np.argmax(window)), kw)
                    dxp[b, c, i * sh + u, j * sw + v] += dout[b, c, i, j]
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw, ho, wo = _pool_args(dout, x, kernel_size, stride, padding)
    dxp = np.zeros((*x.shape[:2], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw),
                   dtype=np.result_type(dout, x, np.float32))
    for i in range(ho):
        for j in range(wo):
            dxp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += \
                dout[:, :, i:i + 1, j:j + 1] / (kh * kw)
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
