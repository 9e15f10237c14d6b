"""The mistake catalogue, in the grader's process: each mistake is recognised from its
own output, correct values and unexplained values get no diagnosis, and wrong
shapes are explained dimension by dimension."""
from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox.inside import layers as L
from grader.suites.diagnosis import NOT_APPLICABLE, catalogue, diagnose, mistake_ids
from grader.registry import EXERCISES
from grader.suites.reference import reference

conv = reference("conv")
RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 2, 7, 8))
W = RNG.standard_normal((3, 2, 3, 2))
B = RNG.standard_normal(3)

# Arguments on which each function's mistakes show; several per function so
# that every mistake is visible on at least one of them.
CASES = {
    "conv.conv2d": [(X, W, B), (X, W, B, (2, 1), 1), (X, W, B, (1, 3), (2, 0)), (X, W, B, 2),
                    (X, RNG.standard_normal((3, 2, 2, 4)), B, 1, "same")],
    "conv.conv_output_size": [(10, 3, 4, 0, 1), (32, 3, 1, 1, 1), (10, 3, 1, 0, 2),
                              (10, 3, 1, 2, 1)],
    "pooling.max_pool2d": [(X - 3, 3), (X - 3, 3, 2, 1), (X, 2, 1, 2)],
    "pooling.avg_pool2d": [(X + 3, 3), (X + 3, 3, 2, 1), (X, 2, 1, 2)],
    "pooling.global_avg_pool2d": [(X + 1,)],
    "params.conv2d_params": [(5, 9, (2, 7)), (16, 32, 3, False)],
    "params.linear_params": [(400, 120)],
    "params.count_params": [([L.Conv2d(5, 9, (2, 7)), L.BatchNorm2d(9), L.MaxPool2d(3),
                              L.Conv2d(9, 4, 3, bias=False), L.Linear(4, 3)],)],
    "receptive_field.receptive_field": [
        ([L.Conv2d(3, 8, 3, stride=2, padding=1), L.MaxPool2d(2, stride=2), L.MaxPool2d(2),
          L.Conv2d(8, 8, 3, dilation=2)],),
        ([L.Conv2d(3, 8, 3), L.MaxPool2d(2, stride=2), L.Conv2d(8, 8, 3)],),
        ([L.Conv2d(3, 8, 3, stride=2), L.MaxPool2d(2, stride=2), L.Conv2d(8, 8, 3)],),
        ([L.Conv2d(3, 8, 3, dilation=2), L.Conv2d(8, 8, 3, dilation=4)],),
        ([L.Conv2d(3, 8, 3), L.MaxPool2d(2, stride=2), L.Conv2d(8, 8, 3), L.AvgPool2d(2),
          L.Conv2d(8, 8, 3)],)],
    "receptive_field.effective_stride": [
        ([L.Conv2d(3, 8, 3, stride=2), L.MaxPool2d(2, stride=2), L.MaxPool2d(2)],)],
    "backward.conv2d_backward": [(RNG.standard_normal((2, 3, 7, 9)), X, W, 1, (1, 1)),
                                 (RNG.standard_normal((2, 3, 4, 5)), X, W, 2, 1)],
    "backward.max_pool2d_backward": [(RNG.standard_normal((2, 2, 5, 6)), X, 3, 1),
                                     (RNG.standard_normal((2, 2, 4, 5)), np.round(X), 2, None, 1)],
    "backward.avg_pool2d_backward": [(RNG.standard_normal((2, 2, 4, 4)), X, 3, 2, 1)],
    "im2col.im2col": [(X, 3, 2, 1), (X, (2, 3))],
    "im2col.conv2d_matmul": [(X, W, B, 1, 1)],
    "im2col.avg_pool_as_conv": [(3, 2)],
}


def cases_showing(function: str, mistake) -> list:
    """The cases on which ``mistake`` alone explains its own output."""
    checked = catalogue()[function]
    shown = []
    for args in CASES[function]:
        try:
            output = mistake.produce(**checked.bind(args, {}))
        except ValueError:
            continue
        if output is not NOT_APPLICABLE:
            diagnosis = diagnose(function, output, *args)
            if diagnosis is not None and diagnosis.id == mistake.id:
                shown.append(args)
    return shown


def test_each_mistake_is_named_from_its_own_output():
    # Some mistakes look alike in one function (skipping pooling and ignoring
    # its stride give the same effective stride); each must show in one.
    unseen = {m.id for f in CASES for m in catalogue()[f].mistakes} - {
        m.id for f in CASES for m in catalogue()[f].mistakes if cases_showing(f, m)}
    assert not unseen, f"no case shows {sorted(unseen)}"


@pytest.mark.parametrize("function", sorted(CASES))
def test_the_right_answer_is_never_diagnosed(function):
    checked = catalogue()[function]
    for args in CASES[function]:
        try:
            correct = checked.correct(*args)
        except ValueError:
            continue
        assert diagnose(function, correct, *args) is None


def test_an_unexplained_value_gets_no_guess():
    assert diagnose("conv.conv2d", conv.conv2d(X, W, B) + 0.5, X, W, B) is None
    assert diagnose("params.linear_params", 12345, 400, 120) is None
    assert diagnose("conv.no_such_function", 1, 2) is None


def test_two_mistakes_that_give_the_same_value_are_not_told_apart():
    # With only default-stride pooling before it, "pool stride None taken as 1"
    # and "forgot the accumulated stride" both give 9 here: no guess.
    stack = [L.Conv2d(3, 8, 5), L.AvgPool2d(3), L.Conv2d(8, 8, 3)]
    assert diagnose("receptive_field.receptive_field", 9, stack) is None
    assert diagnose("receptive_field.receptive_field", 11, stack).id == \
        "receptive_field.sum-of-kernels"


def test_a_wrong_shape_is_explained_dimension_by_dimension():
    x, w = np.ones((1, 1, 8, 8)), np.ones((2, 1, 3, 3))
    # Stride 2: floor((8 - 3) / 2) + 1 = 3 rows, but rounding 2.5 up gives 4.
    diagnosis = diagnose("conv.conv2d", np.zeros((1, 2, 4, 3)), x, w, None, 2)
    assert diagnosis.id == "conv.rounded-output-size"
    assert "dimension 2 (output height) is 4" in diagnosis.message
    assert "ceil((H + 2*ph - KH) / sh) + 1 = ceil((8 + 2*0 - 3) / 2) + 1" in diagnosis.message
    assert "dimension 3" not in diagnosis.message


def test_channels_and_pooling_shapes():
    x, w = np.ones((1, 2, 5, 5)), np.ones((4, 2, 3, 3))
    diagnosis = diagnose("conv.conv2d", np.zeros((1, 2, 3, 3)), x, w)
    assert diagnosis.id == "conv.output-channels" and "weight.shape[0] = 4" in diagnosis.message
    # Stride None taken as 1 on a 6x6 map with a 3x3 window: 4x4 instead of 2x2.
    diagnosis = diagnose("pooling.max_pool2d", np.zeros((1, 2, 4, 4)), np.ones((1, 2, 6, 6)), 3)
    assert diagnosis.id == "pooling.default-stride-one"
    assert "dimension 2" in diagnosis.message and "dimension 3" in diagnosis.message


def test_a_shape_no_formula_explains_gets_no_guess():
    x, w = np.ones((1, 1, 9, 9)), np.ones((2, 1, 3, 3))
    assert diagnose("conv.conv2d", np.zeros((1, 2, 11, 7)), x, w) is None
    assert diagnose("conv.conv2d", np.zeros((2, 7, 7)), x, w) is None


def test_residual_mistakes_are_named_from_structure_and_forward():
    from grader.units.residual.mistakes import ResidualBlock
    import torch
    types = {n: type(m).__name__ for n, m in ResidualBlock(8, 8, 1, always_projection=True)
             .named_modules()}
    types["relu"] = "ReLU"  # an extra module is a style, not a mistake
    assert diagnose("residual.named_module_types", types, 8, 8, 1).id == \
        "residual.always-projection"
    block = ResidualBlock(4, 4, 1, relu="none").eval()
    state = {k: v.numpy() for k, v in block.state_dict().items()}
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 5)).astype(np.float32)
    with torch.no_grad():
        got = block(torch.from_numpy(x)).numpy()
    assert diagnose("residual.forward", got, 4, 4, 1, state, x, False).id == \
        "residual.no-final-relu"
    assert diagnose("residual.forward", np.maximum(got, 0), 4, 4, 1, state, x, False) is None


def test_ids_are_stable_and_prefixed_by_their_exercise():
    for mistake_id in mistake_ids():
        exercise, _, name = mistake_id.partition(".")
        assert exercise in set(EXERCISES)
        assert name and name == name.lower() and " " not in name
