"""Exercise 5: a ResNet residual block, in torch.

Very deep plain networks train worse than shallower ones, even on their
training data: the signal and its gradient fade through many layers. A
residual block adds its input back to what its layers compute,

    out = relu(F(x) + shortcut(x)),

so its layers only learn the change F(x) (the residual). A block that
should do nothing just learns F(x) = 0, and gradients flow straight
through the addition.

Task
    residual.1  ResidualBlock (__init__ and forward)
"""
from __future__ import annotations

import torch
from torch import nn


class ResidualBlock(nn.Module):
    """Task residual.1: ResNet's basic block.

    Shapes: (N, C_in, H, W) -> (N, C_out, H_out, W_out), where
    H_out = floor((H - 1) / stride) + 1 (3x3 kernels, padding 1).

    Build these submodules, with exactly these names (the grader loads
    weights into them by name):
        conv1     Conv2d(C_in, C_out, 3, stride=stride, padding=1, bias=False)
        bn1       BatchNorm2d(C_out)
        conv2     Conv2d(C_out, C_out, 3, stride=1, padding=1, bias=False)
        bn2       BatchNorm2d(C_out)
        shortcut  nn.Identity() when stride == 1 and C_in == C_out; otherwise
                  nn.Sequential(Conv2d(C_in, C_out, 1, stride=stride, bias=False),
                                BatchNorm2d(C_out)), so that x can be added.
    The convolutions have no bias: the BatchNorm right after them has one.

    forward: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    Example:
    >>> block = ResidualBlock(64, 128, stride=2)
    >>> block(torch.zeros(1, 64, 32, 32)).shape
    torch.Size([1, 128, 16, 16])
    """

    def __init__(self, in_channels, out_channels, stride=1):
        """Create conv1, bn1, conv2, bn2 and shortcut as described above."""
        super().__init__()
        raise NotImplementedError("Task residual.1: build the block's layers in __init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """relu(residual branch + shortcut(x)); see the class docstring."""
        raise NotImplementedError("Task residual.1: implement ResidualBlock.forward")
