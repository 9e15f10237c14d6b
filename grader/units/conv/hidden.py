"""Hidden tests for conv.py: conv_output_size and conv2d."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.suites.diagnosis import by_id, diagnose
from grader.suites.reference import reference
from grader.suites.support import (CheckFailed, assert_array_matches, assert_int_equals,
                                   assert_raises, call_text, evidence, integer_arrays, points,
                                   property_test)

ref = reference("conv")


def check_conv(learner, x, w, b=None, **kwargs):
    call = call_text("conv2d", x, w, b, **kwargs)
    got = learner.conv.conv2d(x, w, b, **kwargs)
    assert_array_matches(got, ref.conv2d(x, w, b, **kwargs), call=call,
                         **evidence("conv", "conv2d", x, w, b, **kwargs))


def check_size(learner, *args, expected, **kwargs):
    assert ref.conv_output_size(*args, **kwargs) == expected  # guards the suite itself
    got = learner.conv.conv_output_size(*args, **kwargs)
    assert_int_equals(got, expected, call=call_text("conv_output_size", *args, **kwargs),
                      diagnose=lambda v: diagnose("conv.conv_output_size", v, *args, **kwargs))


# --------------------------------------------------------------------------- output size

@points(1)
@pytest.mark.parametrize("n, k, s, p, expected", [
    (32, 3, 1, 1, 32),     # the lesson's example: 3x3 with padding 1 keeps the size
    (32, 3, 1, 0, 30),     # no padding: loses k - 1
    (224, 7, 2, 3, 112),   # ResNet's first layer halves the image
    (227, 11, 4, 0, 55),   # AlexNet's first layer, divides exactly
    (5, 5, 1, 0, 1),       # the kernel just fits
    (1, 1, 1, 0, 1),       # the smallest possible case
])
def test_output_size_worked_examples(learner, n, k, s, p, expected):
    """conv_output_size gives floor((n + 2p - (k - 1) - 1)/s) + 1 on the lesson's examples."""
    check_size(learner, n, k, s, p, expected=expected)


@points(1)
@pytest.mark.parametrize("n, k, s, p, expected", [
    (8, 3, 2, 0, 3),       # (8 - 3)/2 = 2.5 -> 2
    (10, 3, 4, 0, 2),      # 1.75 -> 1, where rounding would give 2
    (13, 2, 4, 0, 3),      # 2.75 -> 2
    (224, 11, 4, 2, 55),   # torchvision's AlexNet: 217/4 = 54.25 -> 54
    (7, 4, 3, 1, 2),       # 5/3 -> 1
])
def test_output_size_floors_the_division(learner, n, k, s, p, expected):
    """When the stride does not divide evenly, the last partial step is dropped (floor)."""
    check_size(learner, n, k, stride=s, padding=p, expected=expected)


@points(1)
@pytest.mark.parametrize("n, k, s, p, d, expected", [
    (10, 3, 1, 0, 2, 6),    # a dilated 3x3 kernel spans 5 cells
    (15, 3, 2, 2, 3, 7),
    (32, 3, 1, 2, 2, 32),   # dilation 2 with padding 2 keeps the size
    (9, 2, 1, 0, 8, 1),     # span 9: fits exactly once
])
def test_output_size_with_dilation(learner, n, k, s, p, d, expected):
    """conv_output_size accounts for dilation: a kernel spans d(k-1)+1 input cells."""
    check_size(learner, n, k, stride=s, padding=p, dilation=d, expected=expected)


@points(1)
@pytest.mark.parametrize("n, k, p, expected", [(3, 5, 1, 1), (2, 4, 1, 1), (4, 6, 2, 3)])
def test_output_size_kernel_that_fits_only_with_padding(learner, n, k, p, expected):
    """A kernel wider than the input is fine when the padding makes room for it."""
    check_size(learner, n, k, padding=p, expected=expected)


@points(1)
@pytest.mark.parametrize("args", [
    (3, 5, 1, 0, 1),   # kernel larger than the input
    (4, 7, 1, 1, 1),   # still too large with padding 1 on both sides
    (0, 1, 1, 0, 1),   # empty input
    (5, 0, 1, 0, 1),   # empty kernel
    (5, 3, 0, 0, 1),   # stride 0
    (5, 3, -1, 0, 1),  # negative stride
    (5, 3, 1, -1, 1),  # negative padding
    (5, 3, 1, 0, 0),   # dilation 0
    (5, 3, 1, 0, 3),   # dilated kernel spans 7 > 5
], ids=["kernel-too-large", "too-large-with-padding", "empty-input", "empty-kernel",
        "stride-0", "negative-stride", "negative-padding", "dilation-0", "dilated-too-large"])
def test_output_size_rejects_impossible_settings(learner, args):
    """conv_output_size raises ValueError when the settings make no sense."""
    assert_raises("ValueError", learner.conv.conv_output_size, args,
                  call=call_text("conv_output_size", *args),
                  diagnose=lambda v: diagnose("conv.conv_output_size", v, *args))


# --------------------------------------------------------------------------- conv2d

@points(2)
def test_single_channel_worked_example(learner):
    """A 4x4 input with a 3x3 edge kernel gives the hand-computable 2x2 cross-correlation."""
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])
    expected = np.full((1, 1, 2, 2), -8.0)  # every row rises by 2 from left to right
    assert np.array_equal(ref.conv2d(x, w), expected)  # guards the suite itself
    assert_array_matches(learner.conv.conv2d(x, w), expected, call=call_text("conv2d", x, w),
                         **evidence("conv", "conv2d", x, w))


@points(2)
def test_docstring_example(learner):
    """The docstring's example: a 2x2 kernel of ones sums each 2x2 block of a 3x3 input."""
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.ones((1, 1, 2, 2))
    expected = np.array([[[[8.0, 12.0], [20.0, 24.0]]]])
    assert_array_matches(learner.conv.conv2d(x, w), expected, call=call_text("conv2d", x, w),
                         **evidence("conv", "conv2d", x, w))


@points(2)
@pytest.mark.parametrize("kernel", [(2, 3), (3, 1)], ids=["2x3", "3x1"])
def test_asymmetric_kernel_is_not_flipped(learner, rng, kernel):
    """The kernel slides as given (cross-correlation, as in PyTorch), not flipped."""
    check_conv(learner, rng.standard_normal((1, 1, 5, 6)), rng.standard_normal((1, 1, *kernel)))


@points(2)
def test_multi_channel_batch_with_bias(learner, rng):
    """Batch of 3, 4 input and 5 output channels, with a bias per output channel."""
    x = rng.standard_normal((3, 4, 7, 6))
    w = rng.standard_normal((5, 4, 3, 3))
    b = rng.standard_normal(5)
    check_conv(learner, x, w, b)


@points(1)
def test_no_bias(learner, rng):
    """bias=None adds nothing."""
    check_conv(learner, rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((2, 3, 3, 3)))


@points(1)
def test_one_by_one_kernel(learner, rng):
    """A 1x1 kernel mixes the channels at each pixel."""
    check_conv(learner, rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((4, 3, 1, 1)),
               rng.standard_normal(4))


@points(2)
@pytest.mark.parametrize("stride", [2, (2, 1), (1, 3), 3], ids=["2", "2x1", "1x3", "3"])
def test_strides_including_asymmetric(learner, rng, stride):
    """Stride as an int or a (rows, columns) pair; each axis uses its own stride."""
    check_conv(learner, rng.standard_normal((2, 2, 9, 8)), rng.standard_normal((3, 2, 3, 2)),
               rng.standard_normal(3), stride=stride)


@points(2)
@pytest.mark.parametrize("padding", [1, (2, 0), (0, 1), 3], ids=["1", "2x0", "0x1", "3"])
def test_zero_padding_including_asymmetric(learner, rng, padding):
    """Padding as an int or a (rows, columns) pair adds zeros on both sides."""
    check_conv(learner, rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((2, 2, 3, 3)),
               rng.standard_normal(2), padding=padding)


@points(2)
@pytest.mark.parametrize("stride, padding", [(2, 1), ((2, 3), (1, 2)), ((3, 1), (0, 2))],
                         ids=["s2-p1", "s2x3-p1x2", "s3x1-p0x2"])
def test_stride_and_padding_together(learner, rng, stride, padding):
    """Strides and paddings combined, on a non-square input."""
    check_conv(learner, rng.standard_normal((2, 3, 9, 7)), rng.standard_normal((4, 3, 3, 3)),
               rng.standard_normal(4), stride=stride, padding=padding)


@points(1)
@pytest.mark.parametrize("stride", [1, 2])
def test_valid_padding(learner, rng, stride):
    """padding='valid' means no padding at all."""
    check_conv(learner, rng.standard_normal((1, 2, 6, 5)), rng.standard_normal((3, 2, 3, 2)),
               stride=stride, padding="valid")


@points(1)
@pytest.mark.parametrize("kernel", [(3, 3), (5, 5), (1, 3), (1, 1)],
                         ids=["3x3", "5x5", "1x3", "1x1"])
def test_same_padding_odd_kernel(learner, rng, kernel):
    """padding='same' with an odd kernel pads evenly and keeps the height and width."""
    check_conv(learner, rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, *kernel)),
               rng.standard_normal(3), padding="same")


@points(2)
@pytest.mark.parametrize("kernel", [(2, 2), (4, 4), (2, 3)], ids=["2x2", "4x4", "2x3"])
def test_same_padding_even_kernel_pads_bottom_right(learner, rng, kernel):
    """'same' with an even kernel puts the extra zero row/column at the bottom/right."""
    check_conv(learner, rng.standard_normal((2, 2, 6, 7)),
               rng.standard_normal((2, 2, *kernel)), rng.standard_normal(2), padding="same")


@points(1)
def test_same_padding_accepts_stride_one_as_a_pair(learner, rng):
    """padding='same' with stride=(1, 1) is stride 1 and works."""
    check_conv(learner, rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3)),
               stride=(1, 1), padding="same")


@points(1)
def test_float32_input(learner, rng):
    """float32 inputs give float32-accurate results."""
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    check_conv(learner, x, w, b, stride=1, padding=1)


@points(1)
@pytest.mark.parametrize("padding", [0, 1])
def test_kernel_as_large_as_the_padded_input(learner, rng, padding):
    """A kernel that covers the whole (padded) input gives a 1x1 output."""
    check_conv(learner, rng.standard_normal((2, 2, 4, 3)),
               rng.standard_normal((3, 2, 4 + 2 * padding, 3 + 2 * padding)),
               rng.standard_normal(3), padding=padding)


@points(1)
@pytest.mark.parametrize("kwargs", [{"stride": 1, "padding": 1},
                                    {"stride": 2, "padding": 0},
                                    {"stride": 1, "padding": "same"}],
                         ids=["s1-p1", "s2-p0", "s1-same"])
def test_inputs_are_not_modified(learner, rng, kwargs):
    """conv2d leaves x, weight and bias exactly as it got them."""
    x = rng.standard_normal((2, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    call = call_text("conv2d", x, w, b, **kwargs)
    result = learner.conv.conv2d.detailed(x, w, b, **kwargs)
    names = {0: "x", 1: "weight", 2: "bias"}
    changed = [names.get(m, str(m)) for m in result.mutated]
    if changed:
        raise CheckFailed(f"{call} modified its input(s) {', '.join(changed)} in place; "
                          "work on a copy (np.pad and arithmetic make new arrays)",
                          diagnosis=by_id("conv.modifies-input"))
    assert_array_matches(result.value, ref.conv2d(x, w, b, **kwargs), call=call,
                         **evidence("conv", "conv2d", x, w, b, **kwargs))


@points(1)
@pytest.mark.parametrize("case", ["channels", "too-tall", "too-wide", "too-large-with-padding",
                                  "same-stride-2", "same-stride-pair"])
def test_invalid_arguments_raise_value_error(learner, rng, case):
    """Mismatched channels, a kernel too big for the padded input, 'same' with stride: ValueError."""
    x = rng.standard_normal((1, 3, 4, 5))
    w = rng.standard_normal((2, 3, 3, 3))
    kwargs = {}
    if case == "channels":
        w = rng.standard_normal((2, 2, 3, 3))
    elif case == "too-tall":
        w = rng.standard_normal((2, 3, 5, 3))
    elif case == "too-wide":
        w = rng.standard_normal((2, 3, 3, 6))
    elif case == "too-large-with-padding":
        w = rng.standard_normal((2, 3, 7, 3))
        kwargs = {"padding": 1}
    elif case == "same-stride-2":
        kwargs = {"stride": 2, "padding": "same"}
    else:
        kwargs = {"stride": (1, 2), "padding": "same"}
    assert_raises("ValueError", learner.conv.conv2d, (x, w), kwargs,
                  call=call_text("conv2d", x, w, **kwargs),
                  diagnose=lambda v: diagnose("conv.conv2d", v, x, w, **kwargs))


# --------------------------------------------------------------------------- properties

def _int_or_pair(a: int, b: int):
    return a if a == b else (a, b)


@st.composite
def conv_cases(draw):
    """Small conv2d calls over shapes, kernels, strides and paddings (pairs where they differ)."""
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 6))
    w = draw(st.integers(max(1, kw - 2 * pw), 6))
    x, weight, bias = integer_arrays(draw, (n, c_in, h, w), (c_out, c_in, kh, kw), (c_out,))
    bias = bias if draw(st.booleans()) else None
    return x, weight, bias, {"stride": _int_or_pair(sh, sw), "padding": _int_or_pair(ph, pw)}


@points(3)
@property_test
@given(case=conv_cases())
def test_conv2d_on_generated_cases(learner, case):
    """conv2d agrees with the reference on generated shapes, kernels, strides and paddings."""
    x, w, b, kwargs = case
    check_conv(learner, x, w, b, **kwargs)
