"""What the suites of the exercises that train networks share: the losses a
learner's training returns, held-out accuracy measured here, and the loss
floor that gives away a softmax before the cross-entropy.

Held-out labels never leave the grader: a suite sends the images to the
learner's model in the child and scores its logits with these functions.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from grader import policy
from grader.suites.support import fail


def softmax_floor(classes: int) -> float:
    """The lowest cross-entropy of softmax probabilities read as logits.

    Values in [0, 1] give at best one 1 and the rest 0, so the loss never
    falls below ln((e + k - 1) / e) for k classes: a training whose loss
    stalls there has a softmax too many.
    """
    return math.log((math.e + classes - 1) / math.e)


def check_losses(losses: Any, epochs: int, *, call: str) -> list[float]:
    """The per-epoch losses a training returned, or a failure that says what came back."""
    if not isinstance(losses, list) or len(losses) != epochs or not all(
            isinstance(v, float) and math.isfinite(v) for v in losses):
        fail(f"{call} returned {losses!r:.200}; expected a list of {epochs} finite floats, "
             "the mean loss of each epoch")
    return losses


def logits_of(model, x: np.ndarray, classes: int, *, call: str) -> np.ndarray:
    """The model's eval-mode output on ``x``, checked to be one row of ``classes`` per image."""
    out = model.forward(x, train=False)
    if not isinstance(out, np.ndarray) or out.shape != (len(x), classes):
        fail(f"{call} gave {getattr(out, 'shape', type(out).__name__)}, expected "
             f"({len(x)}, {classes})")
    return out.astype(np.float64)


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float((logits.argmax(1) == y).mean())


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    return float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(y)))


def is_probabilities(out: Any) -> bool:
    """Is every row >= 0 and summing to 1 (a model that ends with a softmax)?"""
    return bool(isinstance(out, np.ndarray) and out.ndim == 2 and (out >= 0).all()
                and np.allclose(out.sum(1), 1, atol=1e-4))


def seed_int(rng: np.random.Generator) -> int:
    """A seed to hand to the learner's function (torch takes up to 2**63, numpy any)."""
    return int(rng.integers(0, 2**31))


def drawn_filters(weight: np.ndarray) -> list:
    """conv1's filters as the report draws them: the first input channel of at most
    policy.MAX_FILTERS_DRAWN filters, each cropped to MAX_FILTER_SIDE (a learner's
    conv1 is not bounded before this test sees it)."""
    side = policy.MAX_FILTER_SIDE
    return weight[:policy.MAX_FILTERS_DRAWN, 0, :side, :side].tolist()
