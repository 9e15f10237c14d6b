"""Hidden tests for params.py: parameter counts of layers and whole networks."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.suites import architectures as arch
from grader.sandbox.inside import layers as L
from grader.suites.diagnosis import diagnose
from grader.suites.reference import reference
from grader.suites.support import assert_int_equals, call_text, points, property_test

ref = reference("params")


def check_conv(learner, *args, expected, **kwargs):
    assert ref.conv2d_params(*args, **kwargs) == expected  # guards the suite itself
    assert_int_equals(learner.params.conv2d_params(*args, **kwargs), expected,
                      call=call_text("conv2d_params", *args, **kwargs),
                      diagnose=lambda v: diagnose("params.conv2d_params", v, *args, **kwargs))


def check_linear(learner, *args, expected, **kwargs):
    assert ref.linear_params(*args, **kwargs) == expected  # guards the suite itself
    assert_int_equals(learner.params.linear_params(*args, **kwargs), expected,
                      call=call_text("linear_params", *args, **kwargs),
                      diagnose=lambda v: diagnose("params.linear_params", v, *args, **kwargs))


def check_count(learner, stack, expected, name=None):
    assert ref.count_params(stack) == expected  # guards the suite itself
    label = name or "[" + ", ".join(map(repr, stack)) + "]"
    assert_int_equals(learner.params.count_params(stack), expected,
                      call=f"count_params({label})",
                      diagnose=lambda v: diagnose("params.count_params", v, stack))


# --------------------------------------------------------------------------- one layer

@points(2)
@pytest.mark.parametrize("args, expected", [
    ((3, 64, 3), 1_792),       # the lesson's first layer: 64 * (3*3*3 + 1)
    ((3, 16, 5), 1_216),       # the lesson's quiz question: 16 * (3*5*5 + 1)
    ((1, 6, 5), 156),          # LeNet-5's first layer
    ((64, 64, 3), 36_928),     # a VGG layer
], ids=["3-64-k3", "3-16-k5", "1-6-k5", "64-64-k3"])
def test_conv_params_from_the_lesson(learner, args, expected):
    """conv2d_params counts filters * (in_channels * KH * KW + 1)."""
    check_conv(learner, *args, expected=expected)


@points(1)
@pytest.mark.parametrize("args, expected", [
    ((8, 4, (3, 5)), 484),     # 4 * (8*3*5 + 1)
    ((5, 9, (2, 7)), 639),     # 9 * (5*2*7 + 1): KH != KW, so neither side squared works
    ((3, 64, (3, 1)), 640),
    ((2, 3, (1, 4)), 27),
], ids=["k3x5", "k2x7", "k3x1", "k1x4"])
def test_conv_params_rectangular_kernels(learner, args, expected):
    """A (KH, KW) kernel has KH * KW weights per input channel."""
    check_conv(learner, *args, expected=expected)


@points(1)
@pytest.mark.parametrize("args, expected", [
    ((16, 32, 3), 4_608),
    ((3, 64, (3, 1)), 576),    # the docstring's example
    ((7, 2, 1), 14),
], ids=["16-32-k3", "3-64-k3x1", "7-2-k1"])
def test_conv_params_without_bias(learner, args, expected):
    """bias=False drops the one bias per filter."""
    check_conv(learner, *args, bias=False, expected=expected)


@points(1)
def test_conv_params_bias_true_explicitly(learner):
    """bias=True given by keyword counts the bias, like the default."""
    check_conv(learner, 10, 20, 3, bias=True, expected=1_820)


@points(1)
@pytest.mark.parametrize("args, expected", [
    ((400, 120), 48_120),           # LeNet-5's first dense layer
    ((3072, 100), 307_300),         # the lesson: a 32x32x3 image to 100 units
    ((150_528, 1000), 150_529_000), # a 224x224x3 image to 1000 units
    ((1, 1), 2),
], ids=["400-120", "3072-100", "150528-1000", "1-1"])
def test_linear_params(learner, args, expected):
    """linear_params counts in * out weights plus one bias per output."""
    check_linear(learner, *args, expected=expected)


@points(1)
@pytest.mark.parametrize("args, expected", [((400, 120), 48_000), ((84, 10), 840)],
                         ids=["400-120", "84-10"])
def test_linear_params_without_bias(learner, args, expected):
    """linear_params with bias=False counts only the weights."""
    check_linear(learner, *args, bias=False, expected=expected)


# --------------------------------------------------------------------------- stacks

@points(1)
@pytest.mark.parametrize("layer, expected", [
    (L.Conv2d(3, 64, 3), 1_792),
    (L.Conv2d(16, 32, 3, bias=False), 4_608),
    (L.Conv2d(5, 9, (2, 7)), 639),
    (L.Linear(400, 120), 48_120),
    (L.Linear(84, 10, bias=False), 840),
    (L.BatchNorm2d(16), 32),
], ids=["conv", "conv-no-bias", "conv-2x7", "linear", "linear-no-bias", "batchnorm"])
def test_count_params_of_a_single_layer(learner, layer, expected):
    """count_params of a one-layer list counts that layer, honouring its bias and kernel."""
    check_count(learner, [layer], expected)


@points(2)
def test_batchnorm_counts_scale_and_shift_only(learner):
    """BatchNorm2d(C) has 2*C trainable parameters; running statistics are not parameters."""
    check_count(learner, [L.BatchNorm2d(64), L.BatchNorm2d(3)], 134)


@points(2)
def test_layers_without_parameters(learner):
    """ReLU, pooling, Flatten, Dropout and global pooling add no parameters."""
    stack = [L.ReLU(), L.MaxPool2d(2), L.AvgPool2d(3, stride=1), L.Flatten(), L.Dropout(0.3),
             L.GlobalAvgPool2d()]
    check_count(learner, stack, 0,
                name="[ReLU, MaxPool2d, AvgPool2d, Flatten, Dropout, GlobalAvgPool2d]")


@points(1)
def test_stride_padding_and_dilation_do_not_matter(learner):
    """A filter's weights do not depend on its stride, padding or dilation."""
    check_count(learner, [L.Conv2d(3, 8, 3, stride=2, padding=4, dilation=3)], 224)


@points(2)
def test_mixed_stack_with_every_layer_kind(learner):
    """A small network with convolutions, batch norm, pooling and linear layers."""
    stack = [L.Conv2d(3, 16, 3, padding=1, bias=False), L.BatchNorm2d(16), L.ReLU(),
             L.MaxPool2d(2), L.Conv2d(16, 32, (3, 1)), L.ReLU(), L.AvgPool2d(2),
             L.GlobalAvgPool2d(), L.Flatten(), L.Dropout(), L.Linear(32, 10),
             L.Linear(10, 4, bias=False)]
    # 432 + 32 + 32*(16*3 + 1) + 330 + 40
    check_count(learner, stack, 2_402,
                name="<conv-bn-relu-maxpool-conv-relu-avgpool-gap-flatten-dropout-linear-linear>")


@points(2)
def test_three_3x3_convolutions_versus_one_7x7(learner):
    """Three 64-channel 3x3 layers (110,784) cost far less than one 7x7 layer (200,768)."""
    check_count(learner, arch.three_3x3(), 110_784, name="<three 3x3 Conv2d(64, 64) + ReLU>")
    check_count(learner, [L.Conv2d(64, 64, 7)], 200_768)


@points(3)
@pytest.mark.parametrize("name, expected", [
    ("lenet5", 61_706), ("alexnet", 61_100_840), ("vgg16", 138_357_544)])
def test_famous_networks(learner, name, expected):
    """count_params gives LeNet-5 61,706, AlexNet 61,100,840 and VGG-16 138,357,544."""
    stack = arch.ARCHITECTURES[name]()
    check_count(learner, stack, expected, name=f"<{name}: {len(stack)} layers>")


@points(1)
@pytest.mark.parametrize("name, expected", [
    ("alexnet_features", 2_469_696), ("vgg16_features", 14_714_688)])
def test_convolutional_parts_are_small(learner, name, expected):
    """The convolutional parts of AlexNet and VGG-16 hold only a small share of the parameters."""
    stack = arch.ARCHITECTURES[name]()
    check_count(learner, stack, expected, name=f"<{name}: {len(stack)} layers>")


@points(1)
def test_empty_stack(learner):
    """An empty network has no parameters."""
    check_count(learner, [], 0, name="[]")


# --------------------------------------------------------------------------- generated stacks

@st.composite
def stacks(draw):
    """Stacks of every layer kind count_params knows, with this learner's channel
    counts, kernels and biases, so that no table of counts carries over between learners."""
    sizes = st.integers(1, 96)
    kernels = st.one_of(st.integers(1, 7), st.tuples(st.integers(1, 7), st.integers(1, 7)))
    kinds = {
        "conv": lambda: L.Conv2d(draw(sizes), draw(sizes), draw(kernels),
                                 stride=draw(st.integers(1, 3)), bias=draw(st.booleans())),
        "linear": lambda: L.Linear(draw(st.integers(1, 4096)), draw(sizes),
                                   bias=draw(st.booleans())),
        "batchnorm": lambda: L.BatchNorm2d(draw(sizes)),
        "relu": L.ReLU, "flatten": L.Flatten, "dropout": L.Dropout,
        "global": L.GlobalAvgPool2d,
        "max": lambda: L.MaxPool2d(draw(st.integers(1, 3))),
        "avg": lambda: L.AvgPool2d(draw(st.integers(1, 3))),
    }
    return [kinds[draw(st.sampled_from(sorted(kinds)))]() for _ in range(draw(st.integers(1, 6)))]


@points(2)
@property_test
@given(stack=stacks())
def test_count_params_on_generated_stacks(learner, stack):
    """count_params agrees with the reference on generated stacks of every layer kind."""
    check_count(learner, stack, ref.count_params(stack))
