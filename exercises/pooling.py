"""Exercise 2: pooling, written with numpy alone.

Pooling shrinks a feature map by summarising each small window with one
number. Max pooling keeps the strongest response (did the filter fire
anywhere here?), average pooling keeps the mean. Pooling learns nothing:
it has no parameters. Global average pooling summarises a whole map, one
number per channel, and often replaces the big fully connected layer at
the end of a network.

Tasks
    pooling.1  max_pool2d
    pooling.2  avg_pool2d
    pooling.3  global_avg_pool2d

Only numpy may be used here: torch, scipy and friends score 0 for this file.
"""
from __future__ import annotations

import numpy as np


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Task pooling.1: the largest value of each window.

    Shapes: (N, C, H, W) -> (N, C, H_out, W_out), each channel on its own,
    with H_out = floor((H + 2 * ph - kh) / sh) + 1 (and likewise for W):
    a window that would hang over the edge is dropped ("floor mode").

    - kernel_size, stride, padding: each an int or a (rows, columns) pair.
    - stride=None means stride = kernel_size (windows side by side).
    - Padding adds cells that must never be the maximum: pad with -inf.
    - Raise ValueError when padding is more than half the kernel
      (ph > kh // 2), since a window could then hold only padding.

    Example: 2x2 windows with stride 2 over a 4x4 map keep one value per block.

    >>> x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 6]], float)
    >>> max_pool2d(x[None, None], 2)[0, 0]
    array([[4., 5.],
           [3., 7.]])
    """
    raise NotImplementedError("Task pooling.1: implement max_pool2d")


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Task pooling.2: the mean of each window.

    Same shapes, arguments and errors as max_pool2d, but pad with zeros and
    count them: every window divides by kh * kw, even at the border
    (PyTorch's default, count_include_pad=True).

    Example: the 4x4 map from max_pool2d, averaged block by block.

    >>> x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 6]], float)
    >>> avg_pool2d(x[None, None], 2)[0, 0]
    array([[2.5, 2. ],
           [1.5, 4. ]])
    >>> avg_pool2d(np.ones((1, 1, 2, 2)), 3, stride=1, padding=1)[0, 0]  # 4 ones / 9 cells
    array([[0.44444444, 0.44444444],
           [0.44444444, 0.44444444]])
    """
    raise NotImplementedError("Task pooling.2: implement avg_pool2d")


def global_avg_pool2d(x) -> np.ndarray:
    """Task pooling.3: the mean of each whole feature map.

    Shapes: (N, C, H, W) -> (N, C). Note the result has no spatial axes left.

    >>> global_avg_pool2d(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    """
    raise NotImplementedError("Task pooling.3: implement global_avg_pool2d")
