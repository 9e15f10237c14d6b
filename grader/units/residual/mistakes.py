"""Known mistakes in residual.py: blocks built the wrong way, rebuilt here in torch.

Each mistake is a block with one idea changed. Its structure (submodule
types, parameter names and shapes, parameter count) and its forward pass on
the test's own weights and input are what a learner's block with that
mistake reports.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from grader.suites.diagnosis import Checked, Mistake

_HINT = "the lesson's 'ResNet and skip connections' (output = F(x) + x)"
_PARTS = ("conv1", "bn1", "conv2", "bn2", "shortcut")


class ResidualBlock(nn.Module):
    """The basic block with knobs, one per known mistake; all knobs off is the right block."""

    def __init__(self, in_channels, out_channels, stride=1, *, conv_bias=False,
                 always_projection=False, shortcut_bn=True, stride_on_conv2=False,
                 relu="after-add"):
        super().__init__()
        s1, s2 = (1, stride) if stride_on_conv2 else (stride, 1)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, s1, 1, bias=conv_bias)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, s2, 1, bias=conv_bias)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels and not always_projection:
            self.shortcut = nn.Identity()
        else:
            parts = [nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)]
            if shortcut_bn:
                parts.append(nn.BatchNorm2d(out_channels))
            self.shortcut = nn.Sequential(*parts)
        self.relu = relu

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.relu == "before-add":
            return torch.relu(out) + self.shortcut(x)
        if self.relu == "none":
            return out + self.shortcut(x)
        return torch.relu(out + self.shortcut(x))


def _types(block: nn.Module) -> dict:
    return {n: type(m).__name__ for n, m in block.named_modules()}


def _structure(what: str, **knobs):
    def produce(in_channels, out_channels, stride):
        block = ResidualBlock(in_channels, out_channels, stride, **knobs)
        if what == "named_module_types":
            return _types(block)
        if what == "named_parameter_shapes":
            return {n: tuple(p.shape) for n, p in block.named_parameters()}
        if what == "state_dict_shapes":
            return {n: tuple(t.shape) for n, t in block.state_dict().items()}
        return sum(p.numel() for p in block.parameters())
    return produce


def _forward(**knobs):
    def produce(in_channels, out_channels, stride, state, x, train):
        block = ResidualBlock(in_channels, out_channels, stride, **knobs)
        block.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
        block.train(bool(train))
        with torch.no_grad():
            return block(torch.from_numpy(np.asarray(x))).numpy()
    return produce


def _main_parts(value: Any) -> Any:
    """Only the block's own parts: extra modules (an nn.ReLU, say) are a style, not a mistake."""
    if not isinstance(value, dict):
        return value
    return {n: tuple(v) if isinstance(v, (list, tuple)) else v for n, v in value.items()
            if n.split(".")[0] in _PARTS}


_STRUCTURE = (
    ("residual.always-projection",
     "Your block uses a 1x1 projection shortcut even when the input already has the output's "
     "shape (stride 1, same channels). Then the shortcut should be the identity, so the "
     f"block can pass x through unchanged; see {_HINT}.", {"always_projection": True}),
    ("residual.conv-bias",
     "Your conv1 and conv2 have biases. A convolution followed by BatchNorm needs none: "
     "BatchNorm subtracts the mean (cancelling any bias) and adds its own shift; build them "
     "with bias=False.", {"conv_bias": True}),
    ("residual.shortcut-without-batchnorm",
     "Your projection shortcut is a 1x1 convolution without a BatchNorm2d after it. Like "
     "the main branch, the projection is normalised: Sequential(Conv2d 1x1, BatchNorm2d).",
     {"shortcut_bn": False}),
)

_FORWARD = (
    ("residual.no-final-relu",
     "Your block returns F(x) + shortcut(x) without the final ReLU. The basic block applies "
     f"ReLU after the addition; see {_HINT}.", {"relu": "none"}),
    ("residual.relu-before-add",
     "Your block applies the ReLU to the residual branch before adding the shortcut, and not "
     f"after. The ReLU comes after the addition: relu(F(x) + shortcut(x)); see {_HINT}.",
     {"relu": "before-add"}),
    ("residual.stride-on-conv2",
     "Your block strides in conv2 instead of conv1. In the basic block the first 3x3 "
     "convolution (and the shortcut) downsample, and conv2 keeps stride 1.",
     {"stride_on_conv2": True}),
)


def _checked(what: str) -> Checked:
    return Checked(_structure(what), tuple(Mistake(i, m, _structure(what, **k))
                                           for i, m, k in _STRUCTURE), normalise=_main_parts)


CATALOGUE = {
    **{f"residual.{what}": _checked(what)
       for what in ("named_module_types", "named_parameter_shapes", "state_dict_shapes",
                    "parameter_count")},
    "residual.forward": Checked(_forward(), tuple(Mistake(i, m, _forward(**k))
                                                  for i, m, k in _FORWARD)),
}
