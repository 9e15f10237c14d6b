"""Visible tests for transfer.py. The grader's hidden tests also fine-tune on 50 images
drawn for you and compare with training the same network from scratch."""
import numpy as np
import torch
from sklearn.datasets import load_digits

from pretrained import load_pretrained
from transfer import fine_tune, prepare_for_transfer


def new_digits(count=50):
    data = load_digits()
    keep = data.target >= 5
    x = (data.images[keep] / 16.0).astype(np.float32)[:, None]
    return x[:count], (data.target[keep] - 5).astype(np.int64)[:count]


def test_exactly_the_new_head_is_trainable():
    model = prepare_for_transfer(load_pretrained(), 3)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ["head.weight", "head.bias"], trainable
    assert tuple(model.head.weight.shape) == (3, 512)
    assert not torch.equal(model.head.weight[:3], load_pretrained().head.weight[:3]), \
        "the head should be a fresh nn.Linear"


def test_fine_tune_leaves_every_frozen_tensor_as_it_was():
    model = prepare_for_transfer(load_pretrained(), 5)
    before = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith("head.")}
    x, y = new_digits()
    losses = fine_tune(model, x, y, epochs=5)
    assert len(losses) == 5 and losses[-1] < losses[0]
    after = model.state_dict()
    moved = [k for k, v in before.items() if not torch.equal(v, after[k])]
    assert not moved, f"fine_tune changed {moved}: BatchNorm's running statistics too?"
