"""Correct: SGD with momentum everywhere; the kernel by plain tensor updates."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def learn_kernel(x, y, kernel_size, *, steps=300, lr=0.05, seed=0) -> np.ndarray:
    """Gradient descent on the mean squared error between conv2d(x, w) and y."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    generator = torch.Generator().manual_seed(seed)
    w = (0.1 * torch.randn(1, 1, kh, kw, generator=generator, dtype=torch.float64))
    w.requires_grad_(True)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64))
    for _ in range(steps):
        loss = ((F.conv2d(xt, w) - yt) ** 2).mean()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * grad
    return w.detach().numpy().copy()


class _DigitsCNN(nn.Module):
    """(N, 1, 8, 8) -> conv 3x3 (16) -> pool -> conv 3x3 (32) -> pool -> linear (10)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def build_digits_cnn() -> nn.Module:
    return _DigitsCNN()


def train_classifier(model, x, y, *, epochs=15, batch_size=64, seed=0) -> list[float]:
    """Adam, shuffled mini-batches from a seeded generator; the model ends in eval mode."""
    torch.manual_seed(seed)  # dropout or any other randomness inside the model
    order = torch.Generator().manual_seed(seed)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32))
    yt = torch.as_tensor(np.asarray(y)).long()
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(yt), generator=order).split(batch_size):
            optimiser.zero_grad()
            loss = F.cross_entropy(model(xt[batch]), yt[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        losses.append(total / len(yt))
    model.eval()
    return losses
