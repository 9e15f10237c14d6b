"""Exercise 3: counting trainable parameters.

Parameter sharing is why convolutions are cheap: a filter's weights are
reused at every position, so the image size does not matter. A 3x3 filter
on a 3-channel input has 3*3*3 = 27 weights and one bias, wherever it
slides. A fully connected layer has a weight for every input-output pair.

Tasks
    params.1  conv2d_params
    params.2  linear_params
    params.3  count_params, for a whole network described with layers.py

Layer descriptions come from layers.py (provided), e.g.:

    from layers import Conv2d, ReLU, MaxPool2d, Linear
"""
from __future__ import annotations


def conv2d_params(in_channels, out_channels, kernel_size, bias=True) -> int:
    """Task params.1: trainable parameters of one Conv2d layer.

    Each of the out_channels filters has in_channels * KH * KW weights,
    plus one bias when bias=True. kernel_size is an int (square) or a pair
    (KH, KW). Stride and padding do not matter:

        out_channels * (in_channels * KH * KW + 1)     (drop the + 1 without bias)

    Example: 64 filters of 3x3 on an RGB image: 64 * (3*3*3 + 1) = 1,792.

    >>> conv2d_params(3, 64, 3)
    1792
    >>> conv2d_params(3, 64, (3, 1), bias=False)   # 64 * 3 * 3 * 1
    576
    """
    raise NotImplementedError("Task params.1: implement conv2d_params")


def linear_params(in_features, out_features, bias=True) -> int:
    """Task params.2: trainable parameters of one fully connected layer.

    One weight per (input, output) pair, plus one bias per output:
    out_features * (in_features + 1). Compare a convolution: a dense layer
    from a 32x32x3 image to 100 units needs 3072 * 100 + 100 weights.

    >>> linear_params(400, 120)
    48120
    >>> linear_params(3072, 100)
    307300
    """
    raise NotImplementedError("Task params.2: implement linear_params")


def count_params(layers) -> int:
    """Task params.3: total trainable parameters of a sequence of layers.

    layers is a list of objects from layers.py. Conv2d and Linear as above;
    BatchNorm2d(C) learns a scale and a shift per channel, 2 * C (its running
    mean and variance are statistics, not trainable parameters); ReLU,
    MaxPool2d, AvgPool2d, Flatten, Dropout and GlobalAvgPool2d learn nothing.

    >>> from layers import Conv2d, BatchNorm2d, ReLU, MaxPool2d
    >>> count_params([Conv2d(3, 8, 3, bias=False), BatchNorm2d(8), ReLU(), MaxPool2d(2)])
    232
    """
    raise NotImplementedError("Task params.3: implement count_params")
