"""Hidden tests for receptive_field.py: receptive field and effective stride."""
import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.suites import architectures as arch
from grader.sandbox.inside import layers as L
from grader.suites.diagnosis import diagnose
from grader.suites.reference import reference
from grader.suites.evidence import receptive_field_detail
from grader.suites.support import assert_int_equals, expect_raises, points, property_test

ref = reference("receptive_field")


def describe(stack) -> str:
    return "[" + ", ".join(_layer(layer) for layer in stack) + "]"


def _layer(layer) -> str:
    """Like the constructor call, with what matters here: Conv2d(kernel_size=3, stride=2)."""
    shown = []
    for f in dataclasses.fields(layer):
        value = getattr(layer, f.name)
        if f.name == "kernel_size" or (f.name in ("stride", "padding", "dilation")
                                       and value != f.default):
            shown.append(f"{f.name}={value!r}")
    return f"{type(layer).__name__}({', '.join(shown)})"


def check(learner, stack, expected, *, name=None):
    assert ref.receptive_field(stack) == expected  # guards the suite itself
    got = learner.receptive_field.receptive_field(stack)
    assert_int_equals(got, expected, call=f"receptive_field({name or describe(stack)})",
                      diagnose=lambda v: diagnose("receptive_field.receptive_field", v, stack),
                      detail=receptive_field_detail(stack, expected, got))


def check_stride(learner, stack, expected, *, name=None):
    assert ref.effective_stride(stack) == expected  # guards the suite itself
    assert_int_equals(learner.receptive_field.effective_stride(stack), expected,
                      call=f"effective_stride({name or describe(stack)})",
                      diagnose=lambda v: diagnose("receptive_field.effective_stride", v, stack))


# --------------------------------------------------------------------------- receptive field

@points(2)
@pytest.mark.parametrize("depth, expected", [(1, 3), (2, 5), (3, 7)])
def test_stacked_3x3_convolutions(learner, depth, expected):
    """Each 3x3 convolution with stride 1 widens the field by 2: 3, 5, 7."""
    check(learner, [L.Conv2d(8, 8, 3, padding=1)] * depth, expected)


@points(1)
def test_three_3x3_from_the_lesson(learner):
    """The lesson's three 3x3 layers with ReLUs in between see a 7x7 patch, like one 7x7 layer."""
    check(learner, arch.three_3x3(), 7, name="<three 3x3 Conv2d(64, 64) + ReLU>")
    check(learner, [L.Conv2d(64, 64, 7)], 7)


@points(1)
@pytest.mark.parametrize("kernel", [1, 5, 11])
def test_single_layer_sees_its_kernel(learner, kernel):
    """One layer sees exactly its kernel size, whatever its stride."""
    check(learner, [L.Conv2d(3, 8, kernel, stride=4)], kernel)


@points(2)
@pytest.mark.parametrize("pool, expected", [
    (L.MaxPool2d(2), 8),                # the docstring's example
    (L.MaxPool2d(2, stride=2), 8),
    (L.AvgPool2d(3, stride=2), 9),
], ids=["max2", "max2-s2", "avg3-s2"])
def test_pooling_makes_later_layers_grow_faster(learner, pool, expected):
    """After pooling with stride 2, a 3x3 layer adds 4 pixels instead of 2."""
    check(learner, [L.Conv2d(3, 8, 3), pool, L.Conv2d(8, 8, 3)], expected)


@points(2)
def test_strided_convolutions_accumulate(learner):
    """A stride multiplies the growth of every later layer: 7, then +2*2, then +2*4."""
    check(learner, [L.Conv2d(3, 8, 7, stride=2, padding=3), L.Conv2d(8, 8, 3, stride=2),
                    L.Conv2d(8, 8, 3)], 19)


@points(2)
@pytest.mark.parametrize("stack, expected", [
    ([L.Conv2d(3, 8, 3, dilation=2)], 5),
    ([L.Conv2d(3, 8, 3, dilation=2), L.Conv2d(8, 8, 3, dilation=4)], 13),
    ([L.Conv2d(3, 8, 3, stride=2), L.Conv2d(8, 8, 3, dilation=2)], 11),
], ids=["d2", "d2-d4", "s2-then-d2"])
def test_dilation(learner, stack, expected):
    """A dilated kernel spans d*(k-1)+1 pixels, scaled by the strides before it."""
    check(learner, stack, expected)


@points(1)
def test_max_pool_with_dilation(learner):
    """MaxPool2d may have a dilation too: a 2x2 window with dilation 3 spans 4 pixels."""
    check(learner, [L.Conv2d(3, 8, 3), L.MaxPool2d(2, stride=2, dilation=3), L.Conv2d(8, 8, 3)],
          10)


@points(1)
def test_average_pooling_with_default_stride(learner):
    """AvgPool2d with stride=None strides by its kernel size."""
    check(learner, [L.Conv2d(3, 8, 5), L.AvgPool2d(3), L.Conv2d(8, 8, 3)], 13)


@points(1)
def test_default_and_explicit_pooling_strides_mixed(learner):
    """A pool with stride=None strides by its kernel, like the explicit stride-2 pool before it."""
    stack = [L.Conv2d(3, 8, 3), L.MaxPool2d(2, stride=2), L.Conv2d(8, 8, 3), L.AvgPool2d(2),
             L.Conv2d(8, 8, 3)]
    check(learner, stack, 18)
    check_stride(learner, stack, 4)


@points(1)
def test_padding_does_not_widen_the_field(learner):
    """Padding moves where a unit looks, but not how much it sees."""
    check(learner, [L.Conv2d(3, 8, 3, padding=5), L.MaxPool2d(2, padding=1),
                    L.Conv2d(8, 8, 3, padding=2)], 8)


@points(1)
def test_pass_through_layers_change_nothing(learner):
    """ReLU, BatchNorm2d and Dropout do not change the receptive field."""
    check(learner, [L.Conv2d(3, 8, 3), L.BatchNorm2d(8), L.ReLU(), L.Dropout(0.2),
                    L.Conv2d(8, 8, 3)], 5)


@points(1)
def test_pairs_with_equal_entries(learner):
    """Square kernels and strides may be given as pairs such as (3, 3)."""
    check(learner, [L.Conv2d(3, 8, (3, 3), stride=(2, 2)), L.MaxPool2d((2, 2)),
                    L.Conv2d(8, 8, (5, 5))], 21)


@points(1)
def test_empty_and_pass_through_only_stacks_see_one_pixel(learner):
    """With no layers (or only ReLU, BatchNorm2d, Dropout), an output unit is one input pixel."""
    check(learner, [], 1)
    check(learner, [L.ReLU(), L.BatchNorm2d(4), L.Dropout()], 1)


@points(3)
@pytest.mark.parametrize("name, expected", [("alexnet_features", 195), ("vgg16_features", 212)])
def test_famous_convolutional_stacks(learner, name, expected):
    """AlexNet's and VGG-16's convolutional stacks see 195 and 212 pixels (Araujo et al. 2019)."""
    stack = arch.ARCHITECTURES[name]()
    check(learner, stack, expected, name=f"<{name}: {len(stack)} layers>")


@st.composite
def stacks(draw):
    """Stacks of up to four convolutions and poolings, with strides, dilations and defaults."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        kind = draw(st.sampled_from(["conv", "max", "avg"]))
        if kind == "conv":
            out.append(L.Conv2d(4, 4, k, stride=s, dilation=draw(st.integers(1, 2))))
        elif kind == "max":
            out.append(L.MaxPool2d(k, stride=draw(st.sampled_from([None, s]))))
        else:
            out.append(L.AvgPool2d(k, stride=draw(st.sampled_from([None, s]))))
    return out


@points(2)
@property_test
@given(stack=stacks())
def test_receptive_field_on_generated_stacks(learner, stack):
    """receptive_field and effective_stride agree with the reference on generated stacks."""
    check(learner, stack, ref.receptive_field(stack))
    check_stride(learner, stack, ref.effective_stride(stack))


# --------------------------------------------------------------------------- effective stride

@points(2)
@pytest.mark.parametrize("stack, expected", [
    ([L.Conv2d(3, 8, 3, stride=2), L.MaxPool2d(2)], 4),           # the docstring's example
    ([L.Conv2d(3, 8, 3, stride=2), L.MaxPool2d(2), L.Conv2d(8, 8, 3)], 4),
    ([L.Conv2d(3, 8, 3), L.AvgPool2d(3, stride=1), L.MaxPool2d(3)], 3),
    ([L.Conv2d(3, 8, 3, stride=3, dilation=2), L.AvgPool2d(2, stride=2)], 6),
    ([L.Conv2d(3, 8, (3, 3), stride=(2, 2)), L.ReLU(), L.BatchNorm2d(8), L.Dropout()], 2),
], ids=["docstring", "conv-after", "pool-default-stride", "dilation-ignored", "pass-through"])
def test_effective_stride(learner, stack, expected):
    """effective_stride multiplies the strides of convolutions and pooling layers."""
    check_stride(learner, stack, expected)


@points(1)
def test_effective_stride_of_an_empty_stack(learner):
    """With no layers, neighbouring output units are one input pixel apart."""
    check_stride(learner, [], 1)


@points(1)
@pytest.mark.parametrize("name, expected", [("alexnet_features", 32), ("vgg16_features", 32)])
def test_effective_stride_of_famous_stacks(learner, name, expected):
    """AlexNet (4 * 2 * 2 * 2) and VGG-16 (five 2x2 poolings) both stride by 32."""
    stack = arch.ARCHITECTURES[name]()
    check_stride(learner, stack, expected, name=f"<{name}: {len(stack)} layers>")


# --------------------------------------------------------------------------- errors

@points(1)
@pytest.mark.parametrize("func", ["receptive_field", "effective_stride"])
@pytest.mark.parametrize("layer", [L.Linear(8, 2), L.Flatten(), L.GlobalAvgPool2d()],
                         ids=["Linear", "Flatten", "GlobalAvgPool2d"])
def test_layers_that_see_everything_are_rejected(learner, func, layer):
    """Linear, Flatten and GlobalAvgPool2d raise ValueError: after them a unit sees everything."""
    stack = [L.Conv2d(3, 8, 3), L.ReLU(), layer]
    with expect_raises("ValueError", call=f"{func}({describe(stack)})"):
        getattr(learner.receptive_field, func)(stack)
