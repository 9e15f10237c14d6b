"""Reference solution: receptive field and effective stride of a layer stack.

Walking from the input to the output, keep two numbers: the receptive field
r (input pixels one unit sees along an axis) and the jump j (input pixels
between neighbouring units). A layer with kernel k, dilation d and stride s
spans k_eff = d(k - 1) + 1 of its inputs, so r grows by (k_eff - 1) * j, and
then j is multiplied by s. Padding moves the field but does not widen it.

Layers are matched by class name, not isinstance (see params.py for why).
"""
from __future__ import annotations

import operator

# Pointwise layers: one output value depends on one input value.
_PASS_THROUGH = {"ReLU", "BatchNorm2d", "Dropout"}
_WHOLE_INPUT = {"Linear", "Flatten", "GlobalAvgPool2d"}


def _square(value, name: str, kind: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or operator.index(value[0]) != operator.index(value[1]):
            raise ValueError(f"{kind} has a non-square {name} {value!r}")
        value = value[0]
    v = operator.index(value)
    if v < 1:
        raise ValueError(f"{kind} has {name} {v}; it must be at least 1")
    return v


def _walk(layers) -> tuple[int, int]:
    r, j = 1, 1
    for layer in layers:
        kind = type(layer).__name__
        if kind in _PASS_THROUGH:
            continue
        if kind in _WHOLE_INPUT:
            raise ValueError(f"{kind} connects every input to every output: a unit after "
                             "it sees the whole input, so it has no finite receptive field")
        if kind not in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            raise ValueError(f"unknown layer type {kind!r}")
        k = _square(layer.kernel_size, "kernel_size", kind)
        stride = layer.stride if layer.stride is not None else layer.kernel_size
        s = _square(stride, "stride", kind)
        d = _square(getattr(layer, "dilation", 1), "dilation", kind)  # AvgPool2d has none
        r += d * (k - 1) * j
        j *= s
    return r, j


def receptive_field(layers) -> int:
    """Side, in input pixels, of the square one output unit of the stack sees.

    layers: Conv2d / MaxPool2d / AvgPool2d specs (square kernel, stride and
    dilation), with ReLU, BatchNorm2d and Dropout passing through. From r = 1,
    j = 1, each layer does r += (k_eff - 1) * j with k_eff = d(k - 1) + 1,
    then j *= s (a pool without a stride strides by its kernel). An empty
    stack gives 1; Linear, Flatten or GlobalAvgPool2d is a ValueError.
    """
    return _walk(layers)[0]


def effective_stride(layers) -> int:
    """Input pixels between two neighbouring output units: the product of the strides.

    Same layers and errors as receptive_field; an empty stack gives 1.
    """
    return _walk(layers)[1]
