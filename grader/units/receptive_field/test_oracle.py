"""solutions/receptive_field.py against receptive fields measured with gradients.

The oracle builds the stack in torch with one channel and positive weights,
then asks autograd which input pixels one output unit depends on: with no
negative weights nothing cancels, so every pixel in the field gets a nonzero
gradient and every pixel outside gets none. Pooling is built as average
pooling, whose gradient reaches every cell of a window (max pooling's reaches
only the winner); the window, and so the field, is the same.
"""
import importlib.util
import math
import sys
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader.suites import architectures as arch
from grader.sandbox.inside import layers as L
from grader.paths import EXERCISES_DIR
from grader.suites.reference import reference

rf = reference("receptive_field")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def torch_layer(spec) -> nn.Module:
    kind = type(spec).__name__
    if kind == "Conv2d":
        conv = nn.Conv2d(1, 1, spec.kernel_size, spec.stride, spec.padding, spec.dilation,
                         bias=False)
        with torch.no_grad():
            conv.weight.uniform_(0.5, 1.5)
        return conv
    if kind in ("MaxPool2d", "AvgPool2d"):
        assert getattr(spec, "dilation", 1) == 1  # average pooling has no dilation
        return nn.AvgPool2d(spec.kernel_size, spec.stride, spec.padding)
    return {"ReLU": nn.ReLU, "BatchNorm2d": lambda: nn.BatchNorm2d(1),
            "Dropout": nn.Dropout}[kind]()


def measure(stack, size):
    """(receptive field, effective stride) of the stack, read off input gradients."""
    torch.manual_seed(0)
    model = nn.Sequential(*(torch_layer(s) for s in stack)).double().eval()
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    y = model(x)
    i, j = y.shape[2] // 2, y.shape[3] // 2
    assert y.shape[2] > i + 1 and y.shape[3] > j + 1, "input too small for the oracle"

    def extent(unit):
        (grad,) = torch.autograd.grad(y[(0, 0, *unit)], x, retain_graph=True)
        rows = torch.nonzero(grad[0, 0].abs().sum(1)).flatten()
        cols = torch.nonzero(grad[0, 0].abs().sum(0)).flatten()
        # A field touching the border may have been cut short.
        assert rows.min() > 0 and rows.max() < size - 1, "field clipped; enlarge the input"
        assert cols.min() > 0 and cols.max() < size - 1, "field clipped; enlarge the input"
        return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())

    top, bottom, left, right = extent((i, j))
    assert bottom - top == right - left  # square stacks have square fields
    down, across = extent((i + 1, j)), extent((i, j + 1))
    assert down[0] - top == across[2] - left  # and the same stride both ways
    return bottom - top + 1, down[0] - top


def first(value):
    return value[0] if isinstance(value, tuple) else value


def roomy_size(stack) -> int:
    """An input size that leaves the centre unit's field well clear of the borders.

    A deliberately loose bound (every kernel and padding counted in full at
    the current jump); too small would only make measure() fail, not pass.
    """
    reach, jump = 1, 1
    for spec in stack:
        if hasattr(spec, "kernel_size"):
            k, pad, dilation = (first(v) for v in (spec.kernel_size, spec.padding,
                                                   getattr(spec, "dilation", 1)))
            reach += (dilation * k + 2 * pad) * jump
            jump *= first(spec.stride) if spec.stride is not None else k
    return 2 * reach + 4 * jump + 8


def spell(value, draw):
    """An int setting, sometimes written as the equal pair (v, v)."""
    return (value, value) if draw(st.booleans()) else value


@st.composite
def stacks(draw):
    stack, jump = [], 1
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["conv", "max", "avg"]))
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        stride = None if kind != "conv" and draw(st.booleans()) else s  # None: k, for pools
        if jump * (stride or k) > 8:  # keeps the oracle's input small
            stride = 1
        jump *= stride or k
        stride = None if stride is None else spell(stride, draw)
        pad = spell(draw(st.integers(0, k // 2)), draw)
        if kind == "conv":
            stack.append(L.Conv2d(1, 1, spell(k, draw), stride=stride, padding=pad,
                                  dilation=spell(draw(st.integers(1, 2)), draw)))
        else:
            pool = L.MaxPool2d if kind == "max" else L.AvgPool2d
            stack.append(pool(spell(k, draw), stride, pad))
        stack += draw(st.lists(st.sampled_from([L.ReLU(), L.BatchNorm2d(1), L.Dropout()]),
                               max_size=1))
    return stack


@SETTINGS
@given(stack=stacks())
def test_matches_the_measured_field_and_stride(stack):
    field, stride = measure(stack, roomy_size(stack))
    got_field, got_stride = rf.receptive_field(stack), rf.effective_stride(stack)
    assert type(got_field) is int and type(got_stride) is int
    assert (got_field, got_stride) == (field, stride)


@pytest.mark.parametrize("name, field, stride, size", [
    ("three_3x3", 7, 1, 32),
    ("alexnet_features", 195, 32, 512),   # Araujo et al., Distill 2019
    ("vgg16_features", 212, 32, 512),
])
def test_famous_stacks(name, field, stride, size):
    stack = arch.ARCHITECTURES[name]()
    assert rf.receptive_field(stack) == field
    assert rf.effective_stride(stack) == stride
    assert measure(stack, size) == (field, stride)


@pytest.mark.parametrize("depth, field", [(1, 3), (2, 5), (3, 7)])
def test_the_lessons_stacked_3x3(depth, field):
    assert rf.receptive_field([L.Conv2d(3, 3, 3, padding=1), L.ReLU()] * depth) == field


@pytest.mark.parametrize("stack, field, stride", [
    ([], 1, 1),
    ([L.ReLU(), L.BatchNorm2d(4), L.Dropout()], 1, 1),
    ([L.MaxPool2d(2)], 2, 2),                                  # stride None means the kernel
    ([L.AvgPool2d(3)], 3, 3),
    ([L.MaxPool2d(3, stride=1, dilation=2)], 5, 1),            # dilated pooling (no oracle)
    ([L.Conv2d(1, 1, 3, dilation=4)], 9, 1),
    ([L.Conv2d(1, 1, (3, 3), stride=(2, 2), dilation=(2, 2))], 5, 2),
    ([L.Conv2d(1, 1, np.int64(3), stride=np.int32(2))] * 2, 7, 4),
])
def test_hand_computed_stacks(stack, field, stride):
    assert (rf.receptive_field(stack), rf.effective_stride(stack)) == (field, stride)


@pytest.mark.parametrize("layer", [L.Linear(4, 2), L.Flatten(), L.GlobalAvgPool2d()])
@pytest.mark.parametrize("where", ["alone", "after", "before"])
def test_rejects_layers_that_see_the_whole_input(layer, where):
    stack = {"alone": [layer], "after": [L.Conv2d(1, 1, 3), layer],
             "before": [layer, L.Conv2d(1, 1, 3)]}[where]
    for f in (rf.receptive_field, rf.effective_stride):
        with pytest.raises(ValueError):
            f(stack)


@pytest.mark.parametrize("layer", [
    L.Conv2d(1, 1, (3, 5)), L.Conv2d(1, 1, 3, stride=(1, 2)), L.Conv2d(1, 1, 3, dilation=(2, 1)),
    L.MaxPool2d((2, 3)), L.MaxPool2d(2, stride=(2, 1)), L.AvgPool2d(3, stride=(1, 3)),
])
def test_rejects_non_square_settings(layer):
    with pytest.raises(ValueError):
        rf.receptive_field([layer])


def test_rejects_unknown_layers():
    @dataclass(frozen=True)
    class Upsample:
        scale_factor: int = 2

    with pytest.raises(ValueError, match="Upsample"):
        rf.receptive_field([L.Conv2d(1, 1, 3), Upsample()])


@pytest.fixture(scope="module")
def learner_layers():
    """exercises/layers.py, the copy a learner's process builds its specs from.

    Its classes are distinct from grader.sandbox.inside.layers', so a solution that tested
    isinstance against one would reject the other.
    """
    spec = importlib.util.spec_from_file_location("_rf_oracle_learner_layers",
                                                  EXERCISES_DIR / "layers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_specs_from_the_learners_copy_of_layers(learner_layers):
    stack = [getattr(learner_layers, type(s).__name__)(**vars(s)) for s in arch.vgg16_features()]
    assert rf.receptive_field(stack) == 212 and rf.effective_stride(stack) == 32


def test_effective_stride_is_the_product_of_strides():
    stack = [L.Conv2d(1, 1, 7, stride=2), L.MaxPool2d(3, 2), L.Conv2d(1, 1, 3, stride=3),
             L.AvgPool2d(2)]
    assert rf.effective_stride(stack) == math.prod([2, 2, 3, 2])
