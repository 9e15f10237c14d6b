"""Exercise 9: transfer learning, in torch.

A network trained on one task has already learned features (edges,
strokes, their combinations) that serve a related task. Transfer learning
keeps them: freeze the pretrained body, replace the last layer with a
fresh one for the new classes, and train only that. With 50 labelled
images, this beats training the whole network from scratch.

``pretrained.py`` (provided, like ``layers.py``) holds DigitsNet, trained
on the digits 0-4; ``load_pretrained()`` returns it with its weights. Your
task is to make it recognise 5-9 (relabelled 0-4) from 50 examples.

Tasks
    transfer.1  prepare_for_transfer
    transfer.2  fine_tune
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


def prepare_for_transfer(model: nn.Module, num_classes: int) -> nn.Module:
    """Task transfer.1: freeze the pretrained network, give it a new head.

    Set requires_grad to False on every parameter the model has now, then
    replace ``model.head`` with a new, trainable
    ``nn.Linear(model.head.in_features, num_classes)``. Return the model.

    Afterwards exactly two parameters need gradients: head.weight, of shape
    (num_classes, in_features), and head.bias. (Freeze first, then replace:
    the other order freezes the new head too.)

    Example:
    >>> from pretrained import load_pretrained
    >>> model = prepare_for_transfer(load_pretrained(), 5)
    >>> [n for n, p in model.named_parameters() if p.requires_grad]
    ['head.weight', 'head.bias']
    """
    raise NotImplementedError("Task transfer.1: freeze the body and replace the head")


def fine_tune(model: nn.Module, x, y, *, epochs=30, seed=0) -> list[float]:
    """Task transfer.2: train only what is trainable; return the loss per epoch.

    x: float32 (N, 1, 8, 8), y: int64 (N,) labels 0..num_classes-1 (here 50
    images of 5-9, relabelled 0-4). Optimise only the parameters with
    requires_grad (Adam at 1e-2 on mini-batches of 10 works well) with
    cross-entropy, for ``epochs`` epochs; return the mean loss of each.
    Seed what is random (torch.manual_seed(seed), the shuffling).

    requires_grad=False stops gradients; it does not stop BatchNorm. In
    train mode a BatchNorm layer normalises with the batch's statistics and
    updates its running_mean and running_var buffers at every forward, so a
    "frozen" body would drift towards 50 images' statistics. Call
    model.train(), then put every BatchNorm whose parameters are frozen back
    in eval mode, so it keeps the statistics it was pretrained with. The
    grading checks that every frozen weight and buffer is bit-identical
    after fine_tune. Leave the model in eval mode at the end.

    Example:
    >>> from pretrained import load_pretrained
    >>> model = prepare_for_transfer(load_pretrained(), 5)
    >>> x = torch.rand(20, 1, 8, 8).numpy(); y = np.arange(20) % 5
    >>> losses = fine_tune(model, x, y, epochs=4)
    >>> len(losses), bool(losses[-1] < losses[0])
    (4, True)
    """
    raise NotImplementedError("Task transfer.2: fine-tune the head")
