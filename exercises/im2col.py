"""Exercise 7: convolution as one matrix product (im2col), with numpy alone.

A convolution multiplies every patch of the input by the same filter.
Lay each patch out as one column of a big matrix ("image to columns") and
the whole convolution becomes a single matrix product, which is how many
libraries run it on fast matrix hardware. The price is memory: each pixel
is copied into up to KH*KW columns.

The same view shows what pooling is and is not. Average pooling is a
convolution with a fixed weight, and a strided convolution can learn a
downsampling of its own; max pooling takes a maximum, which no weighted sum
can do.

Tasks
    im2col.1  im2col: every patch of x as a column, in torch's unfold order
    im2col.2  conv2d_matmul: conv2d computed as one matrix product
    im2col.3  avg_pool_as_conv: the weight that makes a convolution average-pool

Only numpy may be used here.
"""
from __future__ import annotations

import numpy as np


def im2col(x, kernel_size, stride=1, padding=0) -> np.ndarray:
    """Task im2col.1: cut x into patches, one patch per column.

    Pad x with zeros, then take the patch under the kernel at every output
    position (i, j), in the same places as conv2d reads them, and write it
    out as a column:

        cols[n, c*KH*KW + u*KW + v, i*W_out + j] = x_pad[n, c, i*sh + u, j*sw + v]

    Rows go channel first, then kernel row u, then kernel column v; columns
    go over the output positions row by row. This is exactly the layout of
    torch.nn.functional.unfold.

    Shapes: x (N, C, H, W) -> (N, C*KH*KW, L) with L = H_out * W_out, the
    output sizes of conv2d. kernel_size, stride and padding are each an int
    or a (rows, columns) pair. Raise ValueError for a non-4-D x, a kernel or
    stride below 1, negative padding, or a kernel larger than the padded x.

    Example: a 3x3 input, 2x2 patches: four patches of four pixels.

    >>> im2col(np.arange(9.0).reshape(1, 1, 3, 3), 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    raise NotImplementedError("Task im2col.1: implement im2col")


def conv2d_matmul(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """Task im2col.2: conv2d as a single matrix product.

    Flatten each filter into a row, (C_out, C_in*KH*KW), in the same order
    as im2col's rows, multiply by im2col's columns, add the bias, and fold
    the L positions back into (H_out, W_out):

        out = (weight.reshape(C_out, -1) @ im2col(x, ...)) + bias[:, None]

    Shapes: x (N, C_in, H, W), weight (C_out, C_in, KH, KW), bias (C_out,)
    or None -> (N, C_out, H_out, W_out), the same values as conv2d.
    stride and padding are an int or a pair. Raise ValueError when x's
    channels differ from weight's C_in, and where im2col does.

    Example: the 2x2 kernel of ones sums each 2x2 block, as in conv.py.

    >>> conv2d_matmul(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    raise NotImplementedError("Task im2col.2: implement conv2d_matmul")


def avg_pool_as_conv(channels, kernel_size) -> np.ndarray:
    """Task im2col.3: a convolution weight that does average pooling.

    Return the weight of shape (channels, channels, k, k) for which
    conv2d(x, weight, stride=k) equals avg_pool2d(x, k) for every x with
    that many channels. Pooling treats each channel on its own: output
    channel o may look at input channel o only. Raise ValueError for
    channels or kernel_size below 1.

    Example: one channel, 2x2 windows.

    >>> avg_pool_as_conv(1, 2)
    array([[[[0.25, 0.25],
             [0.25, 0.25]]]])
    """
    raise NotImplementedError("Task im2col.3: implement avg_pool_as_conv")
