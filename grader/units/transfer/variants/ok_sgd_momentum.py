"""Correct: SGD with momentum on the head; BatchNorm kept by eval() on the body's modules."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def prepare_for_transfer(model: nn.Module, num_classes: int) -> nn.Module:
    """Freeze every pretrained parameter, then put a fresh trainable head in place."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    model.head = nn.Linear(model.head.in_features, num_classes)
    return model


def _frozen_batchnorms_to_eval(model: nn.Module) -> None:
    """A BatchNorm whose parameters are frozen keeps its running statistics too."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and not any(
                p.requires_grad for p in module.parameters()):
            module.eval()


def fine_tune(model: nn.Module, x, y, *, epochs=30, seed=0) -> list[float]:
    """Adam on what is trainable, mini-batches of 10; frozen BatchNorms stay in eval mode."""
    torch.manual_seed(seed)
    order = torch.Generator().manual_seed(seed)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32))
    yt = torch.as_tensor(np.asarray(y)).long()
    optimiser = torch.optim.SGD(model.head.parameters(), lr=0.03, momentum=0.9)
    losses = []
    for _ in range(epochs):
        model.train()
        _frozen_batchnorms_to_eval(model)
        total = 0.0
        for batch in torch.randperm(len(yt), generator=order).split(10):
            optimiser.zero_grad()
            loss = F.cross_entropy(model(xt[batch]), yt[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        losses.append(total / len(yt))
    model.eval()
    return losses
