"""Hidden tests for params.py: parameter counts of layers and whole networks."""
import pytest

from grader import architectures as arch
from grader import layers as L
from grader.reference import reference
from grader.suites.support import assert_int_equals, call_text, points

ref = reference("params")


@points(2)
@pytest.mark.parametrize("args, expected", [
    ((3, 64, 3), 1_792),   # the lesson's first layer
    ((3, 16, 5), 1_216),   # the lesson's quiz question
    ((1, 6, 5), 156),      # LeNet-5's first layer
])
def test_conv_params_from_the_lesson(learner, args, expected):
    """conv2d_params counts filters * (in_channels * KH * KW + 1)."""
    assert_int_equals(learner.params.conv2d_params(*args), expected,
                      call=call_text("conv2d_params", *args))


@points(1)
@pytest.mark.parametrize("args, kwargs", [
    ((8, 4, (3, 5)), {}),
    ((16, 32, 3), {"bias": False}),
    ((7, 2, (1, 1)), {"bias": False}),
    ((5, 9, (2, 7)), {"bias": True}),
])
def test_conv_params_pairs_and_bias(learner, args, kwargs):
    """Rectangular kernels multiply both sides; bias=False drops one value per filter."""
    expected = ref.conv2d_params(*args, **kwargs)
    assert_int_equals(learner.params.conv2d_params(*args, **kwargs), expected,
                      call=call_text("conv2d_params", *args, **kwargs))


@points(1)
@pytest.mark.parametrize("args, kwargs", [
    ((150_528, 1000), {}),
    ((400, 120), {}),
    ((84, 10), {"bias": False}),
])
def test_linear_params(learner, args, kwargs):
    """linear_params counts in * out weights plus one bias per output."""
    assert_int_equals(learner.params.linear_params(*args, **kwargs),
                      ref.linear_params(*args, **kwargs),
                      call=call_text("linear_params", *args, **kwargs))


def check_count(learner, stack, name):
    assert_int_equals(learner.params.count_params(stack), ref.count_params(stack),
                      call=f"count_params({name})")


@points(3)
@pytest.mark.parametrize("name, expected", [
    ("lenet5", 61_706), ("alexnet", 61_100_840), ("vgg16", 138_357_544)])
def test_famous_networks(learner, name, expected):
    """count_params gives LeNet-5 61,706, AlexNet 61,100,840 and VGG-16 138,357,544."""
    stack = arch.ARCHITECTURES[name]()
    assert ref.count_params(stack) == expected  # guards the suite itself
    check_count(learner, stack, f"<{name}: {len(stack)} layers>")


@points(2)
def test_batchnorm_counts_scale_and_shift_only(learner):
    """BatchNorm2d(C) has 2*C trainable parameters; running statistics are not parameters."""
    check_count(learner, [L.BatchNorm2d(64)], "[BatchNorm2d(64)]")


@points(2)
def test_layers_without_parameters(learner):
    """ReLU, pooling, Flatten, Dropout and global pooling add no parameters."""
    stack = [L.ReLU(), L.MaxPool2d(2), L.AvgPool2d(3, stride=1), L.Flatten(), L.Dropout(0.3),
             L.GlobalAvgPool2d()]
    check_count(learner, stack, "[ReLU, MaxPool2d, AvgPool2d, Flatten, Dropout, GlobalAvgPool2d]")


@points(2)
def test_mixed_stack_with_every_layer_kind(learner):
    """A small network with convolutions, batch norm, pooling and linear layers."""
    stack = [L.Conv2d(3, 16, 3, padding=1, bias=False), L.BatchNorm2d(16), L.ReLU(),
             L.MaxPool2d(2), L.Conv2d(16, 32, (3, 1)), L.ReLU(), L.GlobalAvgPool2d(),
             L.Flatten(), L.Dropout(), L.Linear(32, 10)]
    check_count(learner, stack, "<conv-bn-relu-pool-conv-relu-gap-flatten-dropout-linear>")


@points(1)
def test_empty_stack(learner):
    """An empty network has no parameters."""
    check_count(learner, [], "[]")
