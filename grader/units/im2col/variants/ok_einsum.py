"""ok: im2col gathered with index arrays; conv2d_matmul as one einsum over the columns."""
import numpy as np


def _as_hw(value):
    try:
        height, width = value
    except TypeError:  # a single int stands for both sides
        height = width = value
    return height, width


def _out_len(size, pad, kernel, step):
    return (size + 2 * pad - kernel) // step + 1


def im2col(x, kernel_size, stride=1, padding=0):
    k_rows, k_cols = _as_hw(kernel_size)
    step_r, step_c = _as_hw(stride)
    pad_r, pad_c = _as_hw(padding)
    if len(x.shape) != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    if k_rows <= 0 or k_cols <= 0 or step_r <= 0 or step_c <= 0:
        raise ValueError("kernel_size and stride must be positive")
    if pad_r < 0 or pad_c < 0:
        raise ValueError("padding cannot be negative")
    batch, chans, rows, width = x.shape
    out_r = _out_len(rows, pad_r, k_rows, step_r)
    out_c = _out_len(width, pad_c, k_cols, step_c)
    if out_r < 1 or out_c < 1:
        raise ValueError("the kernel does not fit in the padded input")
    padded = np.zeros((batch, chans, rows + 2 * pad_r, width + 2 * pad_c), dtype=x.dtype)
    padded[:, :, pad_r:pad_r + rows, pad_c:pad_c + width] = x
    r = np.arange(k_rows)[:, None] + step_r * np.arange(out_r)[None, :]  # (KH, Ho)
    c = np.arange(k_cols)[:, None] + step_c * np.arange(out_c)[None, :]  # (KW, Wo)
    patches = padded[:, :, r[:, None, :, None], c[None, :, None, :]]  # (N, C, KH, KW, Ho, Wo)
    return patches.reshape(batch, chans * k_rows * k_cols, out_r * out_c)


def conv2d_matmul(x, weight, bias=None, stride=1, padding=0):
    filters, depth, k_rows, k_cols = weight.shape
    if depth != x.shape[1]:
        raise ValueError(f"weight expects {depth} input channels, x has {x.shape[1]}")
    columns = im2col(x, (k_rows, k_cols), stride, padding)
    (step_r, step_c), (pad_r, pad_c) = _as_hw(stride), _as_hw(padding)
    out_r = _out_len(x.shape[2], pad_r, k_rows, step_r)
    out_c = _out_len(x.shape[3], pad_c, k_cols, step_c)
    result = np.einsum("fk,bkp->bfp", weight.reshape(filters, -1), columns)
    if bias is not None:
        result = result + np.asarray(bias).reshape(1, filters, 1)
    return result.reshape(len(x), filters, out_r, out_c).astype(np.result_type(x, weight))


def avg_pool_as_conv(channels, kernel_size):
    if channels < 1 or kernel_size < 1:
        raise ValueError("channels and kernel_size must be at least 1")
    weight = np.zeros((channels, channels, kernel_size, kernel_size))
    weight[range(channels), range(channels)] = 1.0 / kernel_size ** 2
    return weight
