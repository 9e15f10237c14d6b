"""Known mistakes in im2col.py, each recomputed from the same arguments."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.suites.reference import reference

_im = reference("im2col")

_ORDER = ("rows c*KH*KW + u*KW + v (channel, then kernel row, then kernel column), columns "
          "i*W_out + j (output positions row by row), as torch.nn.functional.unfold")


def _windows(x, kernel_size, stride, padding):
    """(N, C, H_out, W_out, KH, KW) windows, or None where the reference refuses."""
    _im.im2col(x, kernel_size, stride, padding)  # raises where the reference does
    (kh, kw), (sh, sw), (ph, pw) = (_im._pair(v, n) for v, n in (
        (kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding")))
    padded = np.pad(np.asarray(x), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def _laid_out(axes):
    def produce(x, kernel_size, stride, padding):
        win = _windows(x, kernel_size, stride, padding)
        n, c, h, w, kh, kw = win.shape
        return win.transpose(axes).reshape(n, c * kh * kw, h * w)
    return produce


def _cols_with(**changed):
    def produce(x, kernel_size, stride, padding):
        given = {"kernel_size": kernel_size, "stride": stride, "padding": padding}
        if all(_im._pair(given[k], k) == _im._pair(v, k) for k, v in changed.items()):
            return NOT_APPLICABLE
        return _im.im2col(x, **{**given, **changed})
    return produce


IM2COL = (
    Mistake("im2col.channel-last",
            "Your columns list each patch channel-last (kernel row, kernel column, then "
            f"channel). The layout to match is {_ORDER}: the order weight.reshape(C_out, -1) "
            "lists a filter's taps in.", _laid_out((0, 4, 5, 1, 2, 3))),
    Mistake("im2col.positions-column-major",
            "Your columns run over the output positions column by column. Column "
            "i*W_out + j belongs to output (i, j), row by row, so that reshaping the "
            "product to (H_out, W_out) puts each value where it belongs.",
            _laid_out((0, 1, 4, 5, 3, 2))),
    Mistake("im2col.stride-ignored",
            "Your im2col takes a patch at every position, as with stride 1: the stride "
            "was not applied. With stride (sh, sw), output (i, j) starts at input "
            "(i*sh, j*sw), so there are only H_out * W_out patches.", _cols_with(stride=1)),
    Mistake("im2col.padding-ignored",
            "Your im2col reads the patches from x without its zero border: the padding "
            "argument was not applied. Pad x first (np.pad), then cut out the patches.",
            _cols_with(padding=0)),
)


def _matmul_weight_order(x, weight, bias, stride, padding):
    weight = np.asarray(weight)
    if weight.shape[1] == 1 or weight.shape[2] * weight.shape[3] == 1:
        return NOT_APPLICABLE
    c_out, c_in, kh, kw = weight.shape
    # Taps listed (row, column, channel) against columns listed (channel, row, column).
    scrambled = weight.transpose(0, 2, 3, 1).reshape(c_out, c_in, kh, kw)
    return _im.conv2d_matmul(x, scrambled, bias, stride, padding)


def _matmul_no_bias(x, weight, bias, stride, padding):
    return NOT_APPLICABLE if bias is None else _im.conv2d_matmul(x, weight, None, stride, padding)


CONV2D_MATMUL = (
    Mistake("im2col.weight-wrong-order",
            "Your product pairs weights with the wrong pixels: the weight was flattened "
            "in another order than im2col's rows (e.g. transposed to (C_out, KH, KW, C_in) "
            "first). weight.reshape(C_out, -1) lists the taps channel, row, column: the "
            "order of the rows im2col makes.", _matmul_weight_order),
    Mistake("im2col.matmul-missing-bias",
            "Your conv2d_matmul never adds the bias. After the product, add bias[o] to "
            "every position of output channel o.", _matmul_no_bias),
)


def _pool_weight(fill_of):
    def produce(channels, kernel_size):
        c, k = int(channels), int(kernel_size)
        if c < 1 or k < 1:
            return NOT_APPLICABLE
        return fill_of(c, k)
    return produce


def _diagonal(c, k, value):
    weight = np.zeros((c, c, k, k))
    weight[np.arange(c), np.arange(c)] = value
    return weight


AVG_POOL_AS_CONV = (
    Mistake("im2col.pool-mixes-channels",
            "Your weight is 1/k^2 everywhere, so every output channel adds up the "
            "windows of all input channels. Pooling keeps channels apart: filter o reads "
            "only channel o (weight[o, o] = 1/k^2, zero elsewhere).",
            _pool_weight(lambda c, k: np.full((c, c, k, k), 1.0 / (k * k)))),
    Mistake("im2col.pool-weight-sums",
            "Your weight is 1 inside each filter's own channel, so the convolution sums "
            "each window instead of averaging it. Divide by the k*k cells: 1/k^2.",
            _pool_weight(lambda c, k: _diagonal(c, k, 1.0))),
)


CATALOGUE = {
    "im2col.im2col": Checked(_im.im2col, IM2COL),
    "im2col.conv2d_matmul": Checked(_im.conv2d_matmul, CONV2D_MATMUL),
    "im2col.avg_pool_as_conv": Checked(_im.avg_pool_as_conv, AVG_POOL_AS_CONV),
}
