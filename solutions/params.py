"""Reference solution: counting trainable parameters.

Layers are matched by class name, not isinstance. The grader passes layer
specs from its own copy of layers.py and a learner's process builds them from
an identical copy: the classes are different objects, so isinstance against
either would reject the other, while the names agree. Not importing layers
also keeps this module free of any path assumptions.
"""
from __future__ import annotations

import operator


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        kh, kw = value
        return operator.index(kh), operator.index(kw)
    return operator.index(value), operator.index(value)


def conv2d_params(in_channels, out_channels, kernel_size, bias=True) -> int:
    """Weights and biases of a Conv2d: out_channels * (in_channels * KH * KW + bias).

    Each filter holds one KH x KW slice per input channel, plus one bias when
    bias is true. kernel_size is an int or a (KH, KW) pair.
    """
    kh, kw = _pair(kernel_size)
    c_in, c_out = operator.index(in_channels), operator.index(out_channels)
    return c_out * (c_in * kh * kw + (1 if bias else 0))


def linear_params(in_features, out_features, bias=True) -> int:
    """Weights and biases of a Linear layer: out_features * (in_features + bias)."""
    return operator.index(out_features) * (operator.index(in_features) + (1 if bias else 0))


# Layers whose output is a fixed function of their input: nothing to learn.
_PARAMETER_FREE = {"ReLU", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "GlobalAvgPool2d"}


def count_params(layers) -> int:
    """Trainable parameters of a sequence of layer specs (a plain int).

    Conv2d and Linear as above; BatchNorm2d(C) learns a scale and a shift per
    channel, 2 * C (its running mean and variance are buffers, not
    parameters); activations, pooling, Flatten and Dropout learn nothing.
    An unknown layer type is a ValueError.
    """
    total = 0
    for layer in layers:
        kind = type(layer).__name__
        if kind == "Conv2d":
            total += conv2d_params(layer.in_channels, layer.out_channels, layer.kernel_size,
                                   layer.bias)
        elif kind == "Linear":
            total += linear_params(layer.in_features, layer.out_features, layer.bias)
        elif kind == "BatchNorm2d":
            total += 2 * operator.index(layer.num_features)
        elif kind not in _PARAMETER_FREE:
            raise ValueError(f"unknown layer type {kind!r}")
    return total
