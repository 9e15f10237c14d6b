"""Correct: the kernel by a least-squares solve (allowed: the point is the filter),
a CNN without pooling but with stride, AdamW."""
import numpy as np
import torch
from torch import nn


def learn_kernel(x, y, kernel_size, *, steps=300, lr=0.05, seed=0):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    n, _, h, w = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    patches = np.stack([x[:, 0, i:i + oh, j:j + ow].ravel()
                        for i in range(kh) for j in range(kw)], axis=1)
    solution, *_ = np.linalg.lstsq(patches, y.ravel(), rcond=None)
    return solution.reshape(1, 1, kh, kw)


def build_digits_cnn():
    model = nn.Sequential()
    model.conv1 = nn.Conv2d(1, 16, 3, stride=1, padding=1)
    model.act1 = nn.ReLU()
    model.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
    model.act2 = nn.ReLU()
    model.conv3 = nn.Conv2d(32, 32, 3, stride=2, padding=1)
    model.act3 = nn.ReLU()
    model.flat = nn.Flatten()
    model.fc = nn.Linear(32 * 2 * 2, 10)
    return model


def train_classifier(model, x, y, *, epochs=15, batch_size=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    xs, ys = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.asarray(y))
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3)
    out = []
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(ys), generator=gen)
        losses = []
        for start in range(0, len(ys), batch_size):
            idx = perm[start:start + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(xs[idx]), ys[idx], reduction="sum")
            (loss / len(idx)).backward()
            opt.step()
            losses.append(loss.item())
        out.append(sum(losses) / len(ys))
    model.eval()
    return out
