"""ok: plain Python loops over every output position, accumulating with +=."""
import numpy as np


def _split(value):
    if isinstance(value, int):
        return [value, value]
    first, second = value
    return [first, second]


def _padding_for(padding, kernel, steps):
    """[top, bottom, left, right] for padding given as an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return [0, 0, 0, 0]
        if padding != "same":
            raise ValueError(f"padding {padding!r} is neither 'valid' nor 'same'")
        if steps != [1, 1]:
            raise ValueError("'same' padding only works with stride 1")
        extra_h, extra_w = kernel[0] - 1, kernel[1] - 1
        return [extra_h // 2, extra_h - extra_h // 2, extra_w // 2, extra_w - extra_w // 2]
    rows, cols = _split(padding)
    if rows < 0 or cols < 0:
        raise ValueError(f"padding {padding} is negative")
    return [rows, rows, cols, cols]


def conv2d_backward(dout, x, weight, stride=1, padding=0):
    steps = _split(stride)
    if min(steps) < 1:
        raise ValueError(f"stride {stride} must be positive")
    n, channels, h, w = x.shape
    c_out, weight_channels, kh, kw = weight.shape
    if weight_channels != channels:
        raise ValueError(f"x has {channels} channels, the weight expects {weight_channels}")
    top, bottom, left, right = _padding_for(padding, [kh, kw], steps)
    xp = np.zeros((n, channels, h + top + bottom, w + left + right), dtype=x.dtype)
    xp[:, :, top:top + h, left:left + w] = x
    sh, sw = steps
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    if ho < 1 or wo < 1:
        raise ValueError("the kernel is larger than the padded input")
    if dout.shape != (n, c_out, ho, wo):
        raise ValueError(f"dout has shape {dout.shape}, conv2d gives {(n, c_out, ho, wo)}")
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
    kernel = _split(kernel_size)
    steps = kernel if stride is None else _split(stride)
    pads = _split(padding)
    for k, step, pad in zip(kernel, steps, pads):
        if k < 1 or step < 1:
            raise ValueError(f"kernel_size {kernel_size} and stride {stride} must be positive")
        if pad < 0 or pad > k // 2:
            raise ValueError(f"padding {padding} must be between 0 and half the window")
    sizes = []
    for d in range(2):
        full = x.shape[2 + d] + 2 * pads[d]
        if kernel[d] > full:
            raise ValueError("the window is larger than the padded input")
        sizes.append((full - kernel[d]) // steps[d] + 1)
    if dout.shape != (x.shape[0], x.shape[1], sizes[0], sizes[1]):
        raise ValueError(f"dout has shape {dout.shape}, the pooling gives {sizes}")
    return kernel[0], kernel[1], steps[0], steps[1], pads[0], pads[1], sizes[0], sizes[1]


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
