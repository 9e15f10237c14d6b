"""solutions/training.py against torch: the kernels it learns, the CNN it builds,
the training it runs (torch's own conv2d and cross-entropy are the oracle)."""
import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from grader import policy
from grader.suites import digits
from grader.suites.reference import reference

training = reference("training")
SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


@pytest.mark.parametrize("w_true", [SOBEL, SOBEL.T, np.eye(3) - np.eye(3)[::-1],
                                    np.arange(6.0).reshape(2, 3) / 6 - 0.4])
def test_learn_kernel_recovers_the_kernel_torch_applied(w_true):
    rng = np.random.default_rng(7)
    w_true = w_true[None, None]
    x = rng.standard_normal((16, 1, 10, 10))
    y = F.conv2d(torch.from_numpy(x), torch.from_numpy(w_true)).numpy()
    size = w_true.shape[-1] if w_true.shape[-1] == w_true.shape[-2] else w_true.shape[-2:]
    w = training.learn_kernel(x, y, size, seed=3)
    assert w.shape == w_true.shape and w.dtype == np.float64
    assert np.abs(w - w_true).max() < policy.KERNEL_ATOL / 100


def test_the_cnn_meets_the_contract():
    model = training.build_digits_cnn()
    assert isinstance(model.conv1, nn.Conv2d)
    assert sum(isinstance(m, nn.Conv2d) for m in model.modules()) >= 2
    assert sum(p.numel() for p in model.parameters()) <= policy.CNN_MAX_PARAMETERS
    assert model(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


def test_untrained_loss_is_chance_and_training_reaches_the_bar():
    split = digits.split()
    torch.manual_seed(0)
    model = training.build_digits_cnn()
    with torch.no_grad():
        loss = F.cross_entropy(model.eval()(torch.from_numpy(split.x_train)),
                               torch.from_numpy(split.y_train)).item()
    assert abs(loss - math.log(10)) < policy.UNTRAINED_LOSS_TOL
    losses = training.train_classifier(model, split.x_train, split.y_train,
                                       epochs=policy.CNN_EPOCHS, seed=1)
    assert len(losses) == policy.CNN_EPOCHS and losses[-1] < 0.5 * losses[0]
    assert not model.training, "the model ends in eval mode"
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(split.x_test)).argmax(1).numpy() == split.y_test).mean()
    assert accuracy >= policy.CNN_MIN_ACCURACY + 0.02


def test_same_seed_same_losses_and_another_seed_other_losses():
    split = digits.split()
    first = training.build_digits_cnn()
    second = training.build_digits_cnn()
    second.load_state_dict(first.state_dict())
    third = training.build_digits_cnn()
    third.load_state_dict(first.state_dict())
    x, y = split.x_train[:200], split.y_train[:200]
    a = training.train_classifier(first, x, y, epochs=2, batch_size=32, seed=5)
    b = training.train_classifier(second, x, y, epochs=2, batch_size=32, seed=5)
    c = training.train_classifier(third, x, y, epochs=2, batch_size=32, seed=6)
    assert a == b and a != c


def test_the_split_is_1437_and_360_and_labels_cover_every_digit():
    split = digits.split()
    assert split.x_train.shape == (1437, 1, 8, 8) and split.x_test.shape == (360, 1, 8, 8)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    assert set(split.y_test) == set(range(10))


def test_shifted_digits_move_by_one_or_two_pixels():
    x = digits.split().x_test[:50]
    moved = digits.shifted(x, np.random.default_rng(0))
    for before, after in zip(x[:, 0], moved[:, 0]):
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if (dy, dx) != (0, 0) and np.array_equal(
                     after, np.roll(np.pad(before, 2), (dy, dx), (0, 1))[2:-2, 2:-2])]
        assert found, "each image is its original moved by 1 or 2 pixels, zeros shifted in"


def test_the_filters_picture_is_capped_whatever_conv1_is():
    from grader.suites.learning import drawn_filters
    huge = np.zeros((5000, 3, 40, 40))
    drawn = np.array(drawn_filters(huge))
    assert drawn.shape == (policy.MAX_FILTERS_DRAWN, policy.MAX_FILTER_SIDE, policy.MAX_FILTER_SIDE)
    assert np.array(drawn_filters(np.ones((16, 1, 3, 3)))).shape == (16, 3, 3)
