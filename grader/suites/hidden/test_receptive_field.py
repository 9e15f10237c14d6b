"""Hidden tests for receptive_field.py: receptive field and effective stride."""
import pytest

from grader import architectures as arch
from grader import layers as L
from grader.reference import reference
from grader.suites.support import assert_int_equals, expect_raises, points

ref = reference("receptive_field")


def describe(stack) -> str:
    return "[" + ", ".join(type(layer).__name__ + _args(layer) for layer in stack) + "]"


def _args(layer) -> str:
    fields = {k: v for k, v in vars(layer).items() if k in ("kernel_size", "stride", "dilation")}
    return "(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")" if fields else "()"


def check(learner, stack, *, name=None):
    label = name or describe(stack)
    assert_int_equals(learner.receptive_field.receptive_field(stack), ref.receptive_field(stack),
                      call=f"receptive_field({label})")


def check_stride(learner, stack, *, name=None):
    label = name or describe(stack)
    assert_int_equals(learner.receptive_field.effective_stride(stack),
                      ref.effective_stride(stack), call=f"effective_stride({label})")


@points(2)
@pytest.mark.parametrize("depth, expected", [(1, 3), (2, 5), (3, 7)])
def test_stacked_3x3_convolutions(learner, depth, expected):
    """Each 3x3 convolution with stride 1 widens the field by 2: 3, 5, 7."""
    stack = [L.Conv2d(8, 8, 3, padding=1)] * depth
    assert ref.receptive_field(stack) == expected
    check(learner, stack)


@points(2)
def test_pooling_doubles_the_growth(learner):
    """After 2x2 pooling with stride 2, each later 3x3 layer adds 4 instead of 2."""
    check(learner, [L.Conv2d(3, 8, 3), L.MaxPool2d(2), L.Conv2d(8, 8, 3), L.Conv2d(8, 8, 3)])


@points(2)
def test_strided_convolutions_accumulate(learner):
    """A stride multiplies the growth of every later layer."""
    check(learner, [L.Conv2d(3, 8, 7, stride=2, padding=3), L.Conv2d(8, 8, 3, stride=2),
                    L.Conv2d(8, 8, 3)])


@points(2)
def test_dilation(learner):
    """A dilated 3x3 kernel spans d*(3-1)+1 pixels."""
    check(learner, [L.Conv2d(3, 8, 3, dilation=2), L.Conv2d(8, 8, 3, dilation=4)])


@points(1)
def test_average_pooling_with_default_stride(learner):
    """AvgPool2d with stride=None strides by its kernel size."""
    check(learner, [L.Conv2d(3, 8, 5), L.AvgPool2d(3), L.Conv2d(8, 8, 3)])


@points(1)
def test_pass_through_layers_change_nothing(learner):
    """ReLU, BatchNorm2d and Dropout do not change the receptive field."""
    check(learner, [L.Conv2d(3, 8, 3), L.BatchNorm2d(8), L.ReLU(), L.Dropout(0.2),
                    L.Conv2d(8, 8, 3)])


@points(1)
def test_pairs_with_equal_entries(learner):
    """Square kernels may be given as pairs such as (3, 3)."""
    check(learner, [L.Conv2d(3, 8, (3, 3), stride=(2, 2)), L.MaxPool2d((2, 2)),
                    L.Conv2d(8, 8, (5, 5))])


@points(1)
def test_empty_stack_sees_one_pixel(learner):
    """With no layers, an output unit is one input pixel."""
    check(learner, [])
    check_stride(learner, [])


@points(3)
@pytest.mark.parametrize("name, expected", [("alexnet_features", 195), ("vgg16_features", 212)])
def test_famous_convolutional_stacks(learner, name, expected):
    """AlexNet's and VGG-16's convolutional stacks see 195 and 212 pixels (Araujo et al. 2019)."""
    stack = arch.ARCHITECTURES[name]()
    assert ref.receptive_field(stack) == expected  # guards the suite itself
    check(learner, stack, name=f"<{name}: {len(stack)} layers>")


@points(2)
@pytest.mark.parametrize("stack", [
    [L.Conv2d(3, 8, 3, stride=2), L.MaxPool2d(2), L.Conv2d(8, 8, 3)],
    [L.Conv2d(3, 8, 3), L.AvgPool2d(3, stride=1), L.MaxPool2d(3)],
    [L.Conv2d(3, 8, 3, stride=3, dilation=2)],
])
def test_effective_stride(learner, stack):
    """effective_stride multiplies the strides of convolutions and pooling layers."""
    check_stride(learner, stack)


@points(1)
def test_effective_stride_of_vgg16(learner):
    """VGG-16's five poolings give an effective stride of 32."""
    check_stride(learner, arch.vgg16_features(), name="<vgg16_features>")


@points(1)
@pytest.mark.parametrize("layer", [L.Linear(8, 2), L.Flatten(), L.GlobalAvgPool2d()])
def test_layers_that_see_everything_are_rejected(learner, layer):
    """Linear, Flatten and GlobalAvgPool2d raise ValueError: a unit after them sees the whole input."""
    stack = [L.Conv2d(3, 8, 3), layer]
    with expect_raises("ValueError", call=f"receptive_field({describe(stack)})"):
        learner.receptive_field.receptive_field(stack)
