"""DigitsNet: a small CNN pretrained on the digits 0-4, for the transfer exercise.

This file is provided, not an exercise: at grading time the grader uses
its own copy, so edits here have no effect on your score.

The body (three 3x3 convolutions, each followed by BatchNorm and ReLU, one
2x2 max-pool after the second) turns an (N, 1, 8, 8) image into
32 x 4 x 4 = 512 features; ``head``, a single ``nn.Linear(512, 5)``, turns
those into the logits of the
digits 0-4. Its weights were learned on the 0-4 images of the 1,437-image
training split (``scripts/pretrain_digitsnet.py`` makes them again, bit for
bit) and sit beside this file in ``digitsnet.npz``.

Example::

    from pretrained import load_pretrained
    model = load_pretrained()          # eval mode, pretrained weights
    model(x).argmax(1)                 # x: (N, 1, 8, 8) float32 in [0, 1]
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

WEIGHTS = Path(__file__).resolve().parent / "digitsnet.npz"


class DigitsNet(nn.Module):
    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.head = nn.Linear(512, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 8, 8) -> (N, 512): everything but the head."""
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.max_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
        x = torch.relu(self.bn3(self.conv3(x)))
        return x.flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def load_pretrained(path: str | Path = WEIGHTS) -> DigitsNet:
    """A DigitsNet holding the shipped weights, in eval mode."""
    model = DigitsNet()
    with np.load(path, allow_pickle=False) as saved:
        model.load_state_dict({k: torch.from_numpy(saved[k].copy()) for k in saved.files})
    return model.eval()
