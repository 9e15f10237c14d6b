"""Reference solution: receptive field and effective stride of a layer stack.

Walking from the input to the output, keep two numbers: the receptive field
r (input pixels one unit sees along an axis) and the jump j (input pixels
between neighbouring units). A layer with kernel k, dilation d and stride s
widens r by (d(k - 1)) * j, then multiplies j by s.
Layers are matched by class name (see params.py for why).
"""
from __future__ import annotations

_PASS_THROUGH = {"ReLU", "BatchNorm2d", "Dropout"}
_WHOLE_INPUT = {"Linear", "Flatten", "GlobalAvgPool2d"}


def _square(value, name: str, kind: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or int(value[0]) != int(value[1]):
            raise ValueError(f"{kind} has a non-square {name} {value!r}")
        return int(value[0])
    return int(value)


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
        d = _square(getattr(layer, "dilation", 1), "dilation", kind)
        r += d * (k - 1) * j
        j *= s
    return r, j


def receptive_field(layers) -> int:
    """Side of the input square one output unit of the stack depends on."""
    return _walk(layers)[0]


def effective_stride(layers) -> int:
    """Input pixels between two neighbouring output units (product of strides)."""
    return _walk(layers)[1]
