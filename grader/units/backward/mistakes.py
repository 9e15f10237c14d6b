"""Known mistakes in backward.py, each recomputed from the same arguments.

Each mistake is the reference's backward pass with one idea changed, so
its output is what a learner who made that one mistake returns. A
conv2d_backward mistake gives the whole (dx, dweight, dbias) triple, with
the parts it does not touch computed correctly.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.suites.reference import reference

_bw = reference("backward")

_HINT = ("the chain rule: each output value was a sum of products, so its gradient "
         "flows back to exactly the inputs and weights that made it")


def _geometry(x, weight, stride, padding):
    kh, kw = np.shape(weight)[2:]
    s = _bw._pair(stride, "stride")
    return s, _bw._conv_padding(padding, kh, kw, s)


def _padded(x, pads):
    return np.pad(np.asarray(x), ((0, 0), (0, 0), pads[0], pads[1]))


def _crop(grad, x, pads):
    (top, _), (left, _) = pads
    h, w = np.shape(x)[2:]
    return grad[:, :, top:top + h, left:left + w]


def _dtype(*arrays):
    return np.result_type(*(np.asarray(a) for a in arrays))


def _not_cropped(dout, x, weight, stride, padding):
    s, pads = _geometry(x, weight, stride, padding)
    if pads == ((0, 0), (0, 0)):
        return NOT_APPLICABLE
    # The gradient of the padded input is the unpadded answer for a padded x.
    return _bw.conv2d_backward(dout, _padded(x, pads), weight, stride=s, padding=0)


def _overwritten(dout, x, weight, stride, padding):
    (sh, sw), pads = _geometry(x, weight, stride, padding)
    _, dweight, dbias = _bw.conv2d_backward(dout, x, weight, stride, padding)
    dout, weight = np.asarray(dout), np.asarray(weight)
    kh, kw = weight.shape[2:]
    grad = np.zeros(_padded(x, pads).shape, dtype=_dtype(dout, x, weight))
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            # '=' where '+=' belongs: the later window wipes out the earlier one's share.
            grad[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = np.einsum(
                "no,ocuv->ncuv", dout[:, :, i, j], weight)
    return _crop(grad, x, pads), dweight, dbias


def _dbias_keeps_batch(dout, x, weight, stride, padding):
    dx, dweight, _ = _bw.conv2d_backward(dout, x, weight, stride, padding)
    return dx, dweight, np.asarray(dout).sum(axis=(2, 3))


def _dx_unflipped(dout, x, weight, stride, padding):
    if np.shape(weight)[2] == np.shape(weight)[3] == 1:
        return NOT_APPLICABLE
    _, dweight, dbias = _bw.conv2d_backward(dout, x, weight, stride, padding)
    # A "full" correlation with the kernel as it is, not flipped, sends each
    # share to the mirror-image tap: the same as scattering with a flipped kernel.
    dx, _, _ = _bw.conv2d_backward(dout, x, np.asarray(weight)[:, :, ::-1, ::-1], stride, padding)
    return dx, dweight, dbias


def _dweight_flipped(dout, x, weight, stride, padding):
    dx, dweight, dbias = _bw.conv2d_backward(dout, x, weight, stride, padding)
    return dx, dweight[:, :, ::-1, ::-1], dbias


CONV2D_BACKWARD = (
    Mistake("backward.dx-not-cropped",
            "Your dx has the shape of the padded input: the gradient was computed for "
            "x_padded and handed back as it was. The padded zeros are not part of x, so "
            "crop them off (dx = dx_padded[:, :, top:top + H, left:left + W]).",
            _not_cropped),
    Mistake("backward.overlaps-overwritten",
            "Your dx keeps only the last window's share where windows overlap: the window "
            "gradient was assigned (=) into dx instead of added (+=). A pixel under several "
            f"windows helped make each of their outputs, so its gradient is their sum; see {_HINT}.",
            _overwritten),
    Mistake("backward.dbias-wrong-axes",
            "Your dbias was summed over the positions only and still has the batch axis, "
            "shape (N, C_out). Every sample and every position adds bias[o], so "
            "dbias[o] = dout[:, o].sum(): sum over axes (0, 2, 3).", _dbias_keeps_batch),
    Mistake("backward.dx-kernel-not-flipped",
            "Your dx is what a 'full' correlation with the kernel as it is gives; it needs "
            "the kernel flipped (weight[:, :, ::-1, ::-1]), with in and out channels "
            "swapped. Output (i, j) used x[i + u, j + v] * w[u, v], so that pixel's share "
            "comes back through the same w[u, v]: from the pixel's point of view the "
            "kernel runs backwards.", _dx_unflipped),
    Mistake("backward.dweight-flipped",
            "Your dweight is flipped (rows and columns reversed): x and dout were combined "
            "as a true convolution. dweight[o, c, u, v] sums dout[n, o, i, j] * "
            "x_pad[n, c, i*sh + u, j*sw + v]: a cross-correlation of x with dout, no flip.",
            _dweight_flipped),
)


# --------------------------------------------------------------------------- pooling

def _pool_geometry(dout, x, kernel_size, stride, padding):
    x, dout, k, s, p = _bw._pool_setup(dout, x, kernel_size, stride, padding)
    return x, dout, k, s, ((p[0], p[0]), (p[1], p[1]))


def _windows(x, k, s, pads, fill):
    padded = np.pad(x, ((0, 0), (0, 0), *pads), constant_values=fill)
    return sliding_window_view(padded, k, axis=(2, 3))[:, :, ::s[0], ::s[1]], padded.shape


def _all_ties(dout, x, kernel_size, stride=None, padding=0):
    x, dout, k, s, pads = _pool_geometry(dout, x, kernel_size, stride, padding)
    windows, shape = _windows(x.astype(np.float64), k, s, pads, -np.inf)
    winners = windows == windows.max(axis=(-2, -1), keepdims=True)
    shares = winners * dout[..., None, None]
    return _crop(_bw._scatter(shares.astype(_bw._float(dout, x)), shape, k, s), x, pads)


def _max_overwritten(dout, x, kernel_size, stride=None, padding=0):
    x, dout, (kh, kw), (sh, sw), pads = _pool_geometry(dout, x, kernel_size, stride, padding)
    windows, shape = _windows(x.astype(np.float64), (kh, kw), (sh, sw), pads, -np.inf)
    first = windows.reshape(*windows.shape[:4], kh * kw).argmax(axis=-1)
    n, c, i, j = np.indices(first.shape, sparse=True)
    grad = np.zeros(shape, dtype=_bw._float(dout, x))
    # Fancy-index assignment: a cell that wins several windows keeps one share.
    grad[n, c, i * sh + first // kw, j * sw + first % kw] = dout
    return _crop(grad, x, pads)


def _avg_real_cells(dout, x, kernel_size, stride=None, padding=0):
    x, dout, k, s, pads = _pool_geometry(dout, x, kernel_size, stride, padding)
    if pads == ((0, 0), (0, 0)):
        return NOT_APPLICABLE
    real, shape = _windows(np.ones_like(x, dtype=np.float64), k, s, pads, 0.0)
    shares = np.broadcast_to((dout / real.sum(axis=(-2, -1)))[..., None, None],
                             (*dout.shape, *k))
    return _crop(_bw._scatter(shares.astype(_bw._float(dout, x)), shape, k, s), x, pads)


MAX_POOL_BACKWARD = (
    Mistake("backward.maxpool-all-ties",
            "Your max-pool gradient goes to every cell that ties for a window's maximum. "
            "The forward pass passed on one value, so one cell gets the gradient: the "
            "first maximum in row-major order (what np.argmax returns), as PyTorch does.",
            _all_ties),
    Mistake("backward.maxpool-overlaps-overwritten",
            "Where overlapping windows share their maximum, your dx holds one window's "
            "gradient instead of the sum. dx[idx] += dout with repeated indices adds only "
            "once in numpy; use np.add.at(dx, idx, dout), or a loop with +=.",
            _max_overwritten),
)

def _avg_not_divided(dout, x, kernel_size, stride=None, padding=0):
    x, dout, k, s, pads = _pool_geometry(dout, x, kernel_size, stride, padding)
    if k == (1, 1):
        return NOT_APPLICABLE
    shares = np.broadcast_to(dout[..., None, None], (*dout.shape, *k))
    shape = (*x.shape[:2], x.shape[2] + sum(pads[0]), x.shape[3] + sum(pads[1]))
    return _crop(_bw._scatter(shares.astype(_bw._float(dout, x)), shape, k, s), x, pads)


AVG_POOL_BACKWARD = (
    Mistake("backward.avgpool-not-divided",
            "Your average-pool gradient hands each cell the window's whole dout. The "
            "forward pass took the mean, (1 / (KH * KW)) times the sum, so each cell's "
            "share is dout / (KH * KW).", _avg_not_divided),
    Mistake("backward.avgpool-excludes-padding",
            "Your average-pool gradient divides by the number of real cells in each "
            "window. The forward pass divided by KH x KW with the padded zeros counted "
            "(count_include_pad=True), so every cell's share is dout / (KH * KW), and the "
            "shares that fall on padding are dropped.", _avg_real_cells),
)


CATALOGUE = {
    "backward.conv2d_backward": Checked(_bw.conv2d_backward, CONV2D_BACKWARD),
    "backward.max_pool2d_backward": Checked(_bw.max_pool2d_backward, MAX_POOL_BACKWARD),
    "backward.avg_pool2d_backward": Checked(_bw.avg_pool2d_backward, AVG_POOL_BACKWARD),
}

# Mistakes the suite sees directly rather than by recomputing an output.
OBSERVED = (
    Mistake("backward.modifies-input",
            "conv2d_backward changed an array it was given (padding or flipping it in "
            "place), so the caller's data is different after the call. Hint: np.pad and "
            "np.zeros give new arrays; accumulate the gradients there.",
            lambda **_: NOT_APPLICABLE),
)
