"""ok: plain Python loops over every output position."""
import numpy as np


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    if input_size < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("bad arguments")
    span = dilation * (kernel_size - 1) + 1
    if span > input_size + 2 * padding:
        raise ValueError("kernel does not fit")
    return (input_size + 2 * padding - span) // stride + 1


def conv2d(x, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    kh, kw = weight.shape[2:]
    if padding == "valid":
        pads = (0, 0, 0, 0)
    elif padding == "same":
        if (sh, sw) != (1, 1):
            raise ValueError("same needs stride 1")
        pads = ((kh - 1) // 2, kh // 2, (kw - 1) // 2, kw // 2)
    elif isinstance(padding, str):
        raise ValueError("unknown padding")
    else:
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        pads = (ph, ph, pw, pw)
    if x.shape[1] != weight.shape[1]:
        raise ValueError("channel mismatch")
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[1]), (pads[2], pads[3])))
    if kh > xp.shape[2] or kw > xp.shape[3]:
        raise ValueError("kernel too large")
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], weight.shape[0], ho, wo), dtype=np.result_type(x, weight))
    for n in range(x.shape[0]):
        for o in range(weight.shape[0]):
            for i in range(ho):
                for j in range(wo):
                    patch = xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, o, i, j] = np.sum(patch * weight[o])
                    if bias is not None:
                        out[n, o, i, j] += bias[o]
    return out
