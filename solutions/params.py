"""Reference solution: counting trainable parameters.

Layers are matched by class name, not isinstance: the grader passes layer
specs from its own copy of layers.py, a learner's process from an identical
copy, and a name works for both.
"""
from __future__ import annotations


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def conv2d_params(in_channels, out_channels, kernel_size, bias=True) -> int:
    """Each of the out_channels filters has in_channels * KH * KW weights, plus one bias."""
    kh, kw = _pair(kernel_size)
    return int(out_channels) * (int(in_channels) * kh * kw + (1 if bias else 0))


def linear_params(in_features, out_features, bias=True) -> int:
    """A weight per (input, output) pair, plus one bias per output."""
    return int(out_features) * (int(in_features) + (1 if bias else 0))


# Layers whose output is a fixed function of their input: nothing to learn.
_PARAMETER_FREE = {"ReLU", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "GlobalAvgPool2d"}


def count_params(layers) -> int:
    """Trainable parameters of a sequence of layer specs.

    BatchNorm2d learns a scale and a shift per channel (2 * C); its running
    mean and variance are buffers, not parameters.
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
            total += 2 * int(layer.num_features)
        elif kind not in _PARAMETER_FREE:
            raise ValueError(f"unknown layer type {kind!r}")
    return total
