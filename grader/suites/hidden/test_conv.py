"""Hidden tests for conv.py: conv_output_size and conv2d."""
import numpy as np
import pytest

from grader.reference import reference
from grader.suites.support import (assert_array_matches, assert_int_equals, call_text,
                                   expect_raises, points)

ref = reference("conv")


def check_conv(learner, x, w, b=None, **kwargs):
    call = call_text("conv2d", x, w, b, **kwargs)
    got = learner.conv.conv2d(x, w, b, **kwargs)
    assert_array_matches(got, ref.conv2d(x, w, b, **kwargs), call=call)


# --------------------------------------------------------------------------- output size

@points(1)
@pytest.mark.parametrize("n, k, s, p, d, expected", [
    (32, 3, 1, 1, 1, 32),   # the lesson's example: size is preserved
    (32, 3, 1, 0, 1, 30),
    (224, 7, 2, 3, 1, 112),
    (7, 3, 2, 0, 1, 3),
    (8, 3, 2, 0, 1, 3),     # floor, not round: (8 - 3)/2 = 2.5
    (5, 5, 1, 0, 1, 1),     # the kernel just fits
])
def test_output_size_matches_the_formula(learner, n, k, s, p, d, expected):
    """conv_output_size gives floor((n + 2p - d(k-1) - 1)/s) + 1."""
    got = learner.conv.conv_output_size(n, k, s, p, d)
    assert_int_equals(got, expected, call=call_text("conv_output_size", n, k, s, p, d))


@points(1)
@pytest.mark.parametrize("n, k, s, p, d, expected", [
    (10, 3, 1, 0, 2, 6),
    (15, 3, 2, 2, 3, 7),
])
def test_output_size_with_dilation(learner, n, k, s, p, d, expected):
    """conv_output_size accounts for dilation (a kernel spanning d(k-1)+1 pixels)."""
    got = learner.conv.conv_output_size(n, k, stride=s, padding=p, dilation=d)
    assert_int_equals(got, expected,
                      call=call_text("conv_output_size", n, k, stride=s, padding=p, dilation=d))


@points(1)
@pytest.mark.parametrize("args", [
    (3, 5, 1, 0, 1),   # kernel larger than the input
    (0, 1, 1, 0, 1),   # empty input
    (5, 3, 0, 0, 1),   # stride 0
    (5, 3, 1, -1, 1),  # negative padding
    (5, 3, 1, 0, 0),   # dilation 0
    (5, 3, 1, 0, 3),   # dilated kernel spans 7 > 5
])
def test_output_size_rejects_impossible_settings(learner, args):
    """conv_output_size raises ValueError when the settings make no sense."""
    call = call_text("conv_output_size", *args)
    with expect_raises("ValueError", call=call):
        learner.conv.conv_output_size(*args)


# --------------------------------------------------------------------------- conv2d

@points(2)
def test_single_channel_worked_example(learner):
    """A 4x4 input with a 3x3 kernel gives the hand-computable 2x2 cross-correlation."""
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])
    check_conv(learner, x, w)


@points(2)
def test_asymmetric_kernel_is_not_flipped(learner, rng):
    """The kernel slides as given (cross-correlation, as in PyTorch), not flipped."""
    x = rng.standard_normal((1, 1, 5, 6))
    w = rng.standard_normal((1, 1, 2, 3))
    check_conv(learner, x, w)


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
    """A 1x1 kernel mixes channels at each pixel."""
    check_conv(learner, rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((4, 3, 1, 1)),
               rng.standard_normal(4))


@points(2)
@pytest.mark.parametrize("stride", [2, (2, 1), (1, 3)])
def test_strides_including_asymmetric(learner, rng, stride):
    """Stride as an int or a (row, column) pair; each axis uses its own stride."""
    check_conv(learner, rng.standard_normal((2, 2, 9, 8)), rng.standard_normal((3, 2, 3, 2)),
               rng.standard_normal(3), stride=stride)


@points(2)
@pytest.mark.parametrize("padding", [1, (2, 0), (0, 1)])
def test_zero_padding_including_asymmetric(learner, rng, padding):
    """Padding as an int or a (rows, columns) pair adds zeros on both sides."""
    check_conv(learner, rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((2, 2, 3, 3)),
               rng.standard_normal(2), padding=padding)


@points(2)
def test_stride_and_padding_together(learner, rng):
    """Stride 2 with padding 1 on a non-square input."""
    check_conv(learner, rng.standard_normal((2, 3, 9, 7)), rng.standard_normal((4, 3, 3, 3)),
               rng.standard_normal(4), stride=2, padding=1)


@points(1)
def test_valid_padding(learner, rng):
    """padding='valid' means no padding at all."""
    check_conv(learner, rng.standard_normal((1, 2, 6, 5)), rng.standard_normal((3, 2, 3, 2)),
               padding="valid")


@points(1)
def test_same_padding_odd_kernel(learner, rng):
    """padding='same' with a 3x3 kernel keeps the height and width."""
    check_conv(learner, rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, 3, 3)),
               rng.standard_normal(3), padding="same")


@points(2)
@pytest.mark.parametrize("kernel", [(2, 2), (4, 4), (2, 3)])
def test_same_padding_even_kernel_pads_bottom_right(learner, rng, kernel):
    """'same' with an even kernel puts the extra zero row/column at the bottom/right."""
    check_conv(learner, rng.standard_normal((1, 2, 6, 7)),
               rng.standard_normal((2, 2, *kernel)), padding="same")


@points(1)
def test_float32_input(learner, rng):
    """float32 inputs give float32-accurate results."""
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    check_conv(learner, x, w, b, stride=1, padding=1)


@points(1)
def test_kernel_as_large_as_the_input(learner, rng):
    """A kernel that covers the whole input gives a 1x1 output."""
    check_conv(learner, rng.standard_normal((2, 2, 4, 3)), rng.standard_normal((3, 2, 4, 3)),
               rng.standard_normal(3))


@points(2)
def test_inputs_are_not_modified(learner, rng):
    """conv2d leaves x, weight and bias exactly as it got them."""
    x = rng.standard_normal((2, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    result = learner.conv.conv2d.detailed(x, w, b, stride=1, padding=1)
    assert_array_matches(result.value, ref.conv2d(x, w, b, stride=1, padding=1),
                         call=call_text("conv2d", x, w, b, stride=1, padding=1))
    names = {0: "x", 1: "weight", 2: "bias"}
    changed = [names.get(m, str(m)) for m in result.mutated]
    assert not changed, f"conv2d modified its input(s) {', '.join(changed)} in place"


@points(1)
@pytest.mark.parametrize("case", ["channels", "too-large", "same-stride", "bad-string"])
def test_invalid_arguments_raise_value_error(learner, rng, case):
    """Channel mismatches, kernels larger than the padded input and bad padding raise ValueError."""
    x = rng.standard_normal((1, 3, 4, 4))
    w = rng.standard_normal((2, 3, 3, 3))
    kwargs = {}
    if case == "channels":
        w = rng.standard_normal((2, 2, 3, 3))
    elif case == "too-large":
        w = rng.standard_normal((2, 3, 6, 3))
    elif case == "same-stride":
        kwargs = {"stride": 2, "padding": "same"}
    else:
        kwargs = {"padding": "full"}
    call = call_text("conv2d", x, w, **kwargs)
    with expect_raises("ValueError", call=call):
        learner.conv.conv2d(x, w, **kwargs)
