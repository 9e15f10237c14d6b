"""Correct: the frozen body's features computed once in eval mode, then the head
trained on them alone (cheaper, and BatchNorm cannot drift)."""
import torch
from torch import nn


def prepare_for_transfer(model, num_classes):
    for name, p in model.named_parameters():
        p.requires_grad = False
    in_features = model.head.in_features
    model.head = nn.Linear(in_features, num_classes)
    return model


def fine_tune(model, x, y, *, epochs=30, seed=0):
    g = torch.Generator().manual_seed(seed)
    model.eval()
    with torch.no_grad():
        feats = model.features(torch.as_tensor(x))
    ys = torch.as_tensor(y)
    opt = torch.optim.Adam(model.head.parameters(), lr=1e-2)
    history = []
    for _ in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(ys), generator=g).split(10):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model.head(feats[idx]), ys[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        history.append(total / len(ys))
    return history
