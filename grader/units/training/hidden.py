"""Hidden tests for training.py: a kernel learned by gradient descent, a CNN trained on digits.

Everything the learner's code trains runs in its child; the grader sends
images (and training labels), builds nothing of the learner's here, and
measures held-out accuracy itself by calling forward on held-out images,
whose labels never leave this process.
"""
import math
from functools import cache

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from grader import policy
from grader.sandbox.inside import layers
from grader.suites import digits
from grader.suites.diagnosis import by_id
from grader.suites.learning import (accuracy, check_losses, cross_entropy, drawn_filters,
                                    is_probabilities, logits_of, seed_int, softmax_floor)
from grader.suites.reference import reference
from grader.suites.support import fail, points

_params = reference("params")

SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
KERNELS = {
    "vertical": np.array([[1.0, 0.0, -1.0]] * 3),
    "horizontal": np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0]]),
    "diagonal": np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]]),
    "sobel": SOBEL,
}


def conv(x, w) -> np.ndarray:
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()


def kernel_case(learner, rng, w_true, exhibit, name):
    x = rng.standard_normal((16, 1, 10, 10))
    y = conv(x, w_true)
    seed = seed_int(rng)
    kh, kw = w_true.shape[-2:]
    size = kh if kh == kw else (kh, kw)
    got = learner.training.learn_kernel(x, y, size, seed=seed)
    call = f"learn_kernel(x, y, {size!r}, seed={seed}) for the {name} kernel"
    if isinstance(got, np.ndarray) and got.shape == w_true.shape:
        exhibit(kind="kernels", title=f"{name} kernel", learned=got[0, 0].tolist(),
                true=w_true[0, 0].tolist())
    if not isinstance(got, np.ndarray) or got.shape != w_true.shape:
        fail(f"{call} returned {getattr(got, 'shape', type(got).__name__)}, expected an "
             f"array of shape {w_true.shape}")
    error = float(np.nanmax(np.abs(got - w_true)))
    if not error <= policy.KERNEL_ATOL:
        diagnosis = None
        if np.abs(got - w_true[..., ::-1, ::-1]).max() <= policy.KERNEL_ATOL:
            diagnosis = by_id("training.kernel-flipped")
        else:  # the same seed on the opposite target: a trained kernel changes sign
            other = learner.training.learn_kernel(x, -y, size, seed=seed)
            if isinstance(other, np.ndarray) and np.array_equal(other, got):
                diagnosis = by_id("training.kernel-not-trained")
        fail(f"{call}: the learned kernel is off by up to {error:.3g} (allowed "
             f"{policy.KERNEL_ATOL:g}); got {np.round(got[0, 0], 3).tolist()}, true "
             f"{w_true[0, 0].tolist()}", diagnose=lambda _: diagnosis)


# --------------------------------------------------------------------------- learn_kernel

@points(2)
@pytest.mark.parametrize("name", list(KERNELS))
def test_learn_kernel_recovers_edge_kernels(learner, rng, exhibit, name):
    """learn_kernel recovers a known 3x3 kernel from random images, within 1e-2."""
    kernel_case(learner, rng, KERNELS[name][None, None], exhibit, name)


@points(2)
def test_learn_kernel_recovers_this_learners_kernel(learner, rng, exhibit):
    """A random, non-square (2x3) kernel drawn per learner is recovered within 1e-2."""
    kernel_case(learner, rng, rng.uniform(-1, 1, (1, 1, 2, 3)), exhibit, "random 2x3")


# --------------------------------------------------------------------------- the CNN

def cnn_structure(model):
    """(convolutions, parameters counted with the params reference, what it could not describe)."""
    specs, others = [], []
    for name, kind, fields, own in model.leaf_layers():
        if kind == "Conv2d" and fields.get("groups") == 1:
            specs.append(layers.Conv2d(fields["in_channels"], fields["out_channels"],
                                       tuple(fields["kernel_size"]), bias=fields["bias"]))
        elif kind == "Linear":
            specs.append(layers.Linear(fields["in_features"], fields["out_features"],
                                       bias=fields["bias"]))
        elif kind == "BatchNorm2d" and fields.get("affine"):
            specs.append(layers.BatchNorm2d(fields["num_features"]))
        elif own:
            others.append((name, kind, int(own)))
    convolutions = sum(1 for _, kind, _, _ in model.leaf_layers() if kind == "Conv2d")
    return convolutions, _params.count_params(specs) + sum(n for *_, n in others), others


@points(2)
def test_cnn_has_convolutions_and_conv1(learner):
    """build_digits_cnn has at least two nn.Conv2d layers, the first one as attribute conv1."""
    model = learner.training.build_digits_cnn.keeping()
    types = model.named_module_types()
    convolutions = sum(1 for kind in types.values() if kind == "Conv2d")
    if convolutions < 2:
        fail(f"build_digits_cnn() has {convolutions} nn.Conv2d layer(s); it needs at least two",
             diagnose=lambda _: by_id("training.too-few-convolutions"))
    if types.get("conv1") != "Conv2d":
        fail(f"build_digits_cnn().conv1 is {types.get('conv1', 'missing')}, expected an "
             "nn.Conv2d (the first convolution)", diagnose=lambda _: by_id("training.no-conv1"))


@points(2)
def test_cnn_parameter_budget(learner):
    """At most 20,000 parameters, counted with the params reference over its layers."""
    model = learner.training.build_digits_cnn.keeping()
    _, counted, others = cnn_structure(model)
    total = model.parameter_total()
    if counted != total:
        fail(f"the model's layers account for {counted} parameters but it holds {total}: "
             "parameters outside Conv2d, Linear and BatchNorm2d layers are not allowed here")
    if total > policy.CNN_MAX_PARAMETERS:
        fail(f"build_digits_cnn() has {total:,} parameters; the budget is "
             f"{policy.CNN_MAX_PARAMETERS:,}", diagnose=lambda _: by_id(
                 "training.over-parameter-budget"))


@points(2)
def test_untrained_loss_is_chance(learner):
    """Before training, the cross-entropy on the training images is ln 10 +- 0.35 (chance)."""
    split = digits.split()
    model = learner.training.build_digits_cnn.keeping()
    loss = cross_entropy(logits_of(model, split.x_train, 10,
                                   call="forward of the training images"), split.y_train)
    if abs(loss - math.log(10)) > policy.UNTRAINED_LOSS_TOL:
        fail(f"the untrained model's loss is {loss:.3f}; a model that has learned nothing "
             f"yet should be near ln 10 = {math.log(10):.3f} (+- {policy.UNTRAINED_LOSS_TOL}). "
             "Far above it, the initial weights are too large and the model confidently wrong")


@points(3)
def test_overfits_twenty_examples(learner, rng):
    """Trained on 20 examples for 60 epochs, the training loss falls below 0.05 (CS231n)."""
    split = digits.split()
    pick = rng.choice(len(split.y_train), 20, replace=False)
    x, y = split.x_train[pick], split.y_train[pick]
    model = learner.training.build_digits_cnn.keeping()
    call = "train_classifier(model, 20 images, epochs=60, batch_size=10)"
    losses = learner.training.train_classifier(
        model, x, y, epochs=policy.OVERFIT_EPOCHS, batch_size=10, seed=seed_int(rng))
    check_losses(losses, policy.OVERFIT_EPOCHS, call=call)
    if losses[-1] < policy.OVERFIT_LOSS:
        return
    out = model.forward(x, train=False)
    if is_probabilities(out):
        why = by_id("training.softmax-in-model")
    elif min(losses) >= softmax_floor(10) - 0.01:
        why = by_id("training.softmax-before-loss")
    else:
        why = None
    fail(f"{call}: the last epoch's loss is {losses[-1]:.4f}; a working model and training "
         f"loop memorise 20 images to below {policy.OVERFIT_LOSS}", diagnose=lambda _: why)


@pytest.fixture(scope="module")
def trained(learner, module_seed):
    """The learner's CNN trained once on the 1,437 training images: (model, filters, losses)."""
    split = digits.split()
    model = learner.training.build_digits_cnn.keeping()
    before = model.state_dict().get("conv1.weight")
    losses = learner.training.train_classifier(
        model, split.x_train, split.y_train, epochs=policy.CNN_EPOCHS, seed=module_seed)
    check_losses(losses, policy.CNN_EPOCHS, call="train_classifier on the training split")
    return model, before, model.state_dict().get("conv1.weight"), losses


@points(4)
def test_heldout_accuracy(learner, trained, exhibit):
    """Trained on the 1,437 training digits, it classifies the 360 held-out ones >= 93% right."""
    model, before, after, losses = trained
    split = digits.split()
    held_out = accuracy(logits_of(model, split.x_test, 10, call="forward of the held-out images"),
                        split.y_test)
    moved = logits_of(model, shifted_test(), 10, call="forward of the shifted held-out images")
    exhibit(kind="shift", cnn=held_out, cnn_shifted=accuracy(moved, split.y_test),
            **mlp_accuracies())
    if held_out < policy.CNN_MIN_ACCURACY:
        fail(f"held-out accuracy {held_out:.3f} after train_classifier(model, x_train, "
             f"y_train, epochs={policy.CNN_EPOCHS}); at least {policy.CNN_MIN_ACCURACY} needed")


@points(1)
def test_loss_goes_down(trained, exhibit):
    """The mean training loss of the last epoch is well below the first's."""
    model, before, after, losses = trained
    exhibit(kind="loss", losses=losses, title="train_classifier: mean loss per epoch")
    if not losses[-1] < 0.5 * losses[0]:
        fail(f"the loss went from {losses[0]:.3f} to {losses[-1]:.3f} in {len(losses)} epochs; "
             "it should at least halve")


@points(1)
def test_first_layer_filters_changed(trained, exhibit):
    """Training moved conv1's filters away from their random start (the report draws both)."""
    model, before, after, losses = trained
    if not (isinstance(before, np.ndarray) and isinstance(after, np.ndarray)
            and before.shape == after.shape and before.ndim == 4):
        fail("conv1.weight is missing from the model's state_dict",
             diagnose=lambda _: by_id("training.no-conv1"))
    exhibit(kind="filters", before=drawn_filters(before), after=drawn_filters(after))
    if np.array_equal(before, after):
        fail("conv1's filters are exactly as they were before training: its weights never "
             "reached the optimiser")


@points(2)
def test_same_seed_same_losses(learner, rng):
    """Two trainings of the same starting model with the same seed give the same losses."""
    split = digits.split()
    x, y = split.x_train[:200], split.y_train[:200]
    first = learner.training.build_digits_cnn.keeping()
    second = learner.training.build_digits_cnn.keeping()
    second.load_state_dict(first.state_dict())
    seed = seed_int(rng)
    runs = [learner.training.train_classifier(m, x, y, epochs=2, batch_size=32,
                                                           seed=seed) for m in (first, second)]
    for run in runs:
        check_losses(run, 2, call="train_classifier(model, 200 images, epochs=2)")
    if runs[0] != runs[1]:
        fail(f"seed {seed} gave losses {runs[0]} and then {runs[1]}",
             diagnose=lambda _: by_id("training.unseeded"))


# --------------------------------------------------------------------------- information only

@cache
def shifted_test() -> np.ndarray:
    return digits.shifted(digits.split().x_test, np.random.default_rng(policy.SHIFT_SEED))


@cache
def mlp_accuracies() -> dict:
    """A small MLP (64-64-10), the convolution-free baseline: trained here once per
    process (the same for every learner), on the held-out and the shifted digits."""
    split = digits.split()
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 10))
    optimiser = torch.optim.Adam(mlp.parameters(), lr=5e-3)
    x, y = torch.from_numpy(split.x_train), torch.from_numpy(split.y_train)
    order = torch.Generator().manual_seed(0)
    for _ in range(policy.CNN_EPOCHS):
        for batch in torch.randperm(len(y), generator=order).split(64):
            optimiser.zero_grad()
            F.cross_entropy(mlp(x[batch]), y[batch]).backward()
            optimiser.step()
    with torch.no_grad():
        return {"mlp": accuracy(mlp(torch.from_numpy(split.x_test)).numpy(), split.y_test),
                "mlp_shifted": accuracy(mlp(torch.from_numpy(shifted_test())).numpy(),
                                        split.y_test)}
