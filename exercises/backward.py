"""Exercise 6: backpropagation through convolution and pooling, with numpy alone.

A network learns its filters by gradient descent, and gradient descent needs
to know how the loss changes when each weight (and each input pixel) moves
a little. Here you write the backward passes: given dout, the gradient of
the loss with respect to a layer's output, compute the gradients with
respect to what went in. The rule is always the same: every output value
was built from a few inputs, so its gradient flows back to exactly those
inputs, weighted as they were used, and where several outputs used the same
input their gradients add up.

Tasks
    backward.1  conv2d_backward: gradients of a convolution for x, weight and bias
    backward.2  max_pool2d_backward: the gradient through max pooling
    backward.3  avg_pool2d_backward: the gradient through average pooling

The forward passes are conv2d (conv.py) and max_pool2d / avg_pool2d
(pooling.py), with the same argument forms. Only numpy may be used here.
"""
from __future__ import annotations

import numpy as np


def conv2d_backward(dout, x, weight, stride=1, padding=0):
    """Task backward.1: the gradients of a conv2d layer.

    With out = conv2d(x, weight, bias, stride, padding) and the loss
    L = sum(dout * out), return (dx, dweight, dbias), the gradients of L:

        dbias[o]             = sum over n, i, j of dout[n, o, i, j]
        dweight[o, c, u, v]  = sum over n, i, j of
                               dout[n, o, i, j] * x_pad[n, c, i*sh + u, j*sw + v]
        dx_pad[n, c, i*sh + u, j*sw + v]  +=  dout[n, o, i, j] * weight[o, c, u, v]
                               (for every n, o, i, j, c, u, v), then dx is
                               dx_pad with the padding cut off

    Shapes: dout (N, C_out, H_out, W_out), x (N, C_in, H, W), weight
    (C_out, C_in, KH, KW); dx is shaped like x, dweight like weight, and
    dbias is (C_out,). stride and padding take every form conv2d takes (an
    int, a pair, "valid", or "same" with stride 1). Do not modify the
    inputs; raise ValueError where conv2d would, and when dout's shape is
    not the shape conv2d's output has.

    Example: one 3x3 input, one 2x2 kernel, dout all ones (L is the sum
    of the 4 outputs). Each kernel tap touched one 2x2 block of x, so
    dweight holds the block sums; the centre pixel was under all 4 windows.

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> dx[0, 0]
    array([[ 1.,  3.,  2.],
           [ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    >>> dw[0, 0], db
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    """
    raise NotImplementedError("Task backward.1: implement conv2d_backward")


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    """Task backward.2: the gradient of max pooling with respect to x.

    Max pooling passes on one value per window, so the window's gradient
    goes to that one cell and every other cell of the window gets 0:

        dx[n, c, r, s] += dout[n, c, i, j]   where (r, s) is the cell that
                                             held window (i, j)'s maximum

    - On ties, the first maximum in row-major order within the window wins
      (what np.argmax of the flattened window gives; PyTorch does the same).
    - Where windows overlap (stride < kernel_size), a cell that is the
      maximum of several windows collects all of their gradients.
    - Padding (-inf in the forward pass) is never the maximum and gets
      nothing; dx has the shape of x.

    Shapes: dout (N, C, H_out, W_out), x (N, C, H, W) -> dx (N, C, H, W).
    kernel_size, stride (None: the kernel size) and padding as in
    max_pool2d. Raise ValueError where max_pool2d would, and when dout's
    shape is not max_pool2d's output shape.

    Example: 2x2 windows on a 2x4 map: the 5 and the 7 win.

    >>> x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 7.0, 6.0]]]])
    >>> max_pool2d_backward(np.array([[[[10.0, 20.0]]]]), x, 2)[0, 0]
    array([[ 0., 10.,  0.,  0.],
           [ 0.,  0., 20.,  0.]])
    """
    raise NotImplementedError("Task backward.2: implement max_pool2d_backward")


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    """Task backward.3: the gradient of average pooling with respect to x.

    Each output was the sum of its KH x KW window divided by KH * KW (padded
    zeros counted, as in avg_pool2d), so every cell of the window gets an
    equal share:

        dx_pad[n, c, i*sh + u, j*sw + v]  +=  dout[n, c, i, j] / (KH * KW)

    Overlapping windows add up; the shares that fall on padding are
    dropped when dx_pad is cropped back to x's shape.

    Shapes and arguments as in max_pool2d_backward; raise ValueError in the
    same cases.

    Example: one 2x2 window spreads its 8 over four cells.

    >>> avg_pool2d_backward(np.array([[[[8.0]]]]), np.zeros((1, 1, 2, 2)), 2)[0, 0]
    array([[2., 2.],
           [2., 2.]])
    """
    raise NotImplementedError("Task backward.3: implement avg_pool2d_backward")
