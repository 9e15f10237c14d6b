"""Exercise 8: networks that learn their own filters, in torch.

Nobody tells a CNN's first layer to look for edges: its kernels start as
random numbers and gradient descent shapes them. Here you watch it happen
twice. First on a single kernel: given images and what an unknown kernel
made of them, recover the kernel by gradient descent. Then on real data:
a small CNN trained on scikit-learn's 8x8 handwritten digits, whose first
layer's filters the report draws before and after training.

A training loop, every time:
    optimiser.zero_grad()        # gradients add up in .grad unless cleared
    loss = loss_fn(model(x), y)  # forward
    loss.backward()              # autograd fills .grad
    optimiser.step()             # move the weights against the gradient

Tasks
    training.1  learn_kernel
    training.2  build_digits_cnn
    training.3  train_classifier
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


def learn_kernel(x, y, kernel_size, *, steps=300, lr=0.05, seed=0) -> np.ndarray:
    """Task training.1: recover an unknown kernel by gradient descent.

    x: float64 (N, 1, H, W) images; y: float64 (N, 1, H - kh + 1, W - kw + 1),
    made from x by one bias-free kernel of ``kernel_size`` (an int, or a pair
    (kh, kw)), as torch's conv2d computes it: a cross-correlation with no
    padding and stride 1, ``y = torch.nn.functional.conv2d(x, w_true)``.

    Start from a random kernel w of shape (1, 1, kh, kw) drawn from ``seed``
    (e.g. torch.Generator().manual_seed(seed)), with requires_grad, and take
    ``steps`` steps of gradient descent (torch.optim.SGD with ``lr``, or
    another optimiser) on the mean squared error

        loss = mean((conv2d(x, w) - y) ** 2).

    On random images this loss has a single minimum, at the true kernel.
    Return w as a float64 numpy array of shape (1, 1, kh, kw).

    Example (a vertical-edge kernel, recovered):
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((8, 1, 10, 10))
    >>> w_true = np.array([[[[1.0, 0.0, -1.0]] * 3]])
    >>> y = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w_true)).numpy()
    >>> w = learn_kernel(x, y, 3)
    >>> w.shape, bool(np.abs(w - w_true).max() < 1e-2)
    ((1, 1, 3, 3), True)
    """
    raise NotImplementedError("Task training.1: fit the kernel with torch autograd")


def build_digits_cnn() -> nn.Module:
    """Task training.2: a small CNN for 8x8 digits.

    Maps (N, 1, 8, 8) float32 images (values in [0, 1]) to (N, 10) logits:
    raw scores, one per digit, with no softmax at the end (cross-entropy
    applies log-softmax itself).

    Rules: at least two nn.Conv2d layers; at most 20,000 parameters; the
    first convolution is the attribute ``conv1`` (the report draws its
    filters). One design that works: conv1 = Conv2d(1, 16, 3, padding=1),
    ReLU, 2x2 max-pool, Conv2d(16, 32, 3, padding=1), ReLU, 2x2 max-pool,
    flatten (32 * 2 * 2 = 128), Linear(128, 10): about 6,000 parameters.

    Example:
    >>> model = build_digits_cnn()
    >>> model(torch.zeros(4, 1, 8, 8)).shape
    torch.Size([4, 10])
    >>> isinstance(model.conv1, nn.Conv2d)
    True
    """
    raise NotImplementedError("Task training.2: build the digits CNN")


def train_classifier(model, x, y, *, epochs=15, batch_size=64, seed=0) -> list[float]:
    """Task training.3: train ``model`` in place with cross-entropy.

    x: float32 (N, 1, 8, 8); y: int64 (N,) class indices 0..9. Each epoch
    goes once over the data in shuffled mini-batches of ``batch_size``;
    choose the optimiser and learning rate yourself (Adam at a few 1e-3, or
    SGD with momentum, both work). Return the mean training loss of each
    epoch, a list of ``epochs`` floats.

    Things the grading checks:
      * use nn.functional.cross_entropy (or nn.CrossEntropyLoss) on the
        model's logits and the int64 labels as they are;
      * clear the gradients before each backward pass;
      * call model.train() while training (dropout, BatchNorm) and leave
        the model in model.eval() at the end;
      * the same seed gives the same losses: seed the shuffling
        (torch.Generator().manual_seed(seed)) and torch.manual_seed(seed).

    Example:
    >>> x = torch.rand(32, 1, 8, 8).numpy(); y = np.arange(32) % 10
    >>> losses = train_classifier(build_digits_cnn(), x, y, epochs=3, batch_size=8)
    >>> len(losses), all(isinstance(v, float) for v in losses)
    (3, True)
    """
    raise NotImplementedError("Task training.3: write the training loop")
