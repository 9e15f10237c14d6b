"""Exercise 4: receptive fields.

The receptive field of a unit is the patch of the input image it depends
on. One 3x3 convolution sees 3x3 pixels; a second 3x3 layer on top sees
3x3 units of the first, which together cover 5x5 pixels; a third, 7x7.
Strides and pooling make every later layer grow the field faster.

Walk the stack from the input, keeping two numbers:
    r  the receptive field so far (start at 1)
    j  the jump: input pixels between neighbouring units (start at 1)
For a layer with kernel k, stride s and dilation d:
    r = r + d * (k - 1) * j
    j = j * s

Tasks
    receptive_field.1  receptive_field
    receptive_field.2  effective_stride
"""
from __future__ import annotations


def receptive_field(layers) -> int:
    """Task receptive_field.1: side length of the input patch one output unit sees.

    layers is a list of objects from layers.py with square kernels (an int,
    or a pair with equal entries). Conv2d, MaxPool2d and AvgPool2d grow the
    field (a pooling stride of None means stride = kernel_size; Conv2d and
    MaxPool2d may have a dilation). ReLU, BatchNorm2d and Dropout change
    nothing. Linear, Flatten and GlobalAvgPool2d connect to everything, so
    raise ValueError for them.

    >>> from layers import Conv2d, MaxPool2d
    >>> receptive_field([Conv2d(3, 8, 3), Conv2d(8, 8, 3), Conv2d(8, 8, 3)])
    7
    >>> receptive_field([Conv2d(3, 8, 3), MaxPool2d(2), Conv2d(8, 8, 3)])
    8
    """
    raise NotImplementedError("Task receptive_field.1: implement receptive_field")


def effective_stride(layers) -> int:
    """Task receptive_field.2: input pixels between two neighbouring output units.

    It is the final jump j of the walk above: the product of all strides.
    Same layer rules and errors as receptive_field.

    >>> from layers import Conv2d, MaxPool2d
    >>> effective_stride([Conv2d(3, 8, 3, stride=2), MaxPool2d(2)])
    4
    """
    raise NotImplementedError("Task receptive_field.2: implement effective_stride")
