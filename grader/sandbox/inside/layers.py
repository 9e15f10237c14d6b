"""Layer specifications: plain descriptions of network layers.

These frozen dataclasses mirror the constructor arguments of their
``torch.nn`` namesakes, but hold no weights.  They exist so that you can
describe a network (for counting parameters or computing a receptive
field) without building it.

This file is provided, not an exercise: at grading time the grader uses
its own copy, so edits here have no effect on your score.

Example::

    from layers import Conv2d, ReLU, MaxPool2d
    stack = [Conv2d(3, 64, 3, padding=1), ReLU(), MaxPool2d(2)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple, Union

IntOrPair = Union[int, Tuple[int, int]]


@dataclass(frozen=True)
class Conv2d:
    in_channels: int
    out_channels: int
    kernel_size: IntOrPair
    stride: IntOrPair = 1
    padding: IntOrPair = 0
    dilation: IntOrPair = 1
    bias: bool = True


@dataclass(frozen=True)
class Linear:
    in_features: int
    out_features: int
    bias: bool = True


@dataclass(frozen=True)
class MaxPool2d:
    kernel_size: IntOrPair
    stride: IntOrPair | None = None  # None means "same as kernel_size", as in torch
    padding: IntOrPair = 0
    dilation: IntOrPair = 1


@dataclass(frozen=True)
class AvgPool2d:
    kernel_size: IntOrPair
    stride: IntOrPair | None = None
    padding: IntOrPair = 0


@dataclass(frozen=True)
class BatchNorm2d:
    num_features: int


@dataclass(frozen=True)
class ReLU:
    pass


@dataclass(frozen=True)
class Flatten:
    pass


@dataclass(frozen=True)
class Dropout:
    p: float = 0.5


@dataclass(frozen=True)
class GlobalAvgPool2d:
    pass


ALL = (Conv2d, Linear, MaxPool2d, AvgPool2d, BatchNorm2d, ReLU, Flatten, Dropout, GlobalAvgPool2d)
BY_NAME = {cls.__name__: cls for cls in ALL}
