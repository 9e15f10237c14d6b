"""Exercise 1: convolution, written with numpy alone.

A convolutional layer slides a small grid of weights (a kernel, or filter)
over the image. At each position it multiplies the pixels under the kernel
by the weights and adds everything up: one number saying how much that
patch looks like the pattern the kernel encodes. Deep-learning libraries
compute exactly this "cross-correlation" (the kernel is not flipped) and
call it convolution; so do we.

Tasks
    conv.1  conv_output_size: how many positions the kernel takes on one axis
    conv.2  conv2d: the layer itself, for batches with several channels

Only numpy may be used here: torch, scipy and friends score 0 for this file.
"""
from __future__ import annotations

import numpy as np


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Task conv.1: the length of one output axis of a convolution.

    The kernel covers ``dilation * (kernel_size - 1) + 1`` input cells (a
    dilated kernel has gaps between its taps). After adding ``padding``
    zeros on each side, count how many times it fits when moving
    ``stride`` cells at a time:

        out = floor((n + 2p - d(k - 1) - 1) / s) + 1

    Raise ValueError when input_size, kernel_size, stride or dilation is
    below 1, when padding is negative, or when the kernel does not fit
    even once.

    Example: 32 inputs, a 3-wide kernel, stride 1, padding 1:
    (32 + 2 - 2 - 1) / 1 + 1 = 32, the size is kept.

    >>> conv_output_size(32, 3, stride=1, padding=1)
    32
    >>> conv_output_size(8, 3, stride=2)   # floor((8 - 3) / 2) + 1
    3
    """
    raise NotImplementedError("Task conv.1: implement conv_output_size")


def conv2d(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """Task conv.2: a 2-D convolution layer (cross-correlation, as in PyTorch).

    Shapes: x (N, C_in, H, W), weight (C_out, C_in, KH, KW), bias (C_out,)
    or None; the result is (N, C_out, H_out, W_out) with H_out and W_out
    from conv_output_size. Each output value is

        out[n, o, i, j] = bias[o] + sum over c, u, v of
                          x_padded[n, c, i*sh + u, j*sw + v] * weight[o, c, u, v]

    - stride: an int, or a pair (sh, sw) for rows and columns.
    - padding: an int, a pair (ph, pw), "valid" (no padding) or "same"
      (the output keeps H and W; only with stride 1). With an even kernel,
      "same" cannot be centred: put the extra zero row at the bottom and
      the extra zero column on the right, as PyTorch does.
    - Never modify x, weight or bias.
    - Raise ValueError when x's channels differ from weight's C_in, when
      the kernel is larger than the padded input, and for "same" with a
      stride other than 1.

    Example: one 3x3 input, one 2x2 kernel of ones, no padding: each
    output is the sum of a 2x2 block.

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> conv2d(x, np.ones((1, 1, 2, 2)))[0, 0]
    array([[ 8., 12.],
           [20., 24.]])

    Hint: a loop over output positions is fine to start with; numpy's
    sliding_window_view (or im2col and a matrix product) makes it fast.
    """
    raise NotImplementedError("Task conv.2: implement conv2d")
