"""Visible tests for conv.py. The grader's hidden tests check many more cases.

torch.nn.functional.conv2d computes the same cross-correlation, so these
tests use it as the answer key.
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conv import conv2d, conv_output_size


def torch_conv(x, w, b=None, **kwargs):
    bias = None if b is None else torch.from_numpy(b)
    with warnings.catch_warnings():  # torch notes that 'same' with an even kernel copies x
        warnings.simplefilter("ignore")
        return F.conv2d(torch.from_numpy(x), torch.from_numpy(w), bias, **kwargs).numpy()


def assert_matches_torch(got, expected, what):
    assert isinstance(got, np.ndarray), f"{what}: expected a numpy array, got {type(got).__name__}"
    assert got.shape == expected.shape, (
        f"{what}: output shape {got.shape}, expected {expected.shape}")
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9,
                               err_msg=f"{what}: the shape is right but the values differ")


def test_output_size_examples():
    assert conv_output_size(32, 3, stride=1, padding=1) == 32, "3x3 with padding 1 keeps the size"
    assert conv_output_size(32, 3) == 30, "without padding a 3x3 kernel loses 2 positions"
    assert conv_output_size(224, 7, stride=2, padding=3) == 112, "ResNet's first layer halves 224"
    assert conv_output_size(8, 3, stride=2) == 3, "(8 - 3) / 2 = 2.5 is floored to 2, plus 1"
    assert conv_output_size(10, 3, dilation=2) == 6, "a 3x3 kernel with dilation 2 spans 5 cells"


def test_output_size_rejects_impossible_settings():
    with pytest.raises(ValueError):
        conv_output_size(3, 5)  # a 5-wide kernel does not fit 3 inputs
    with pytest.raises(ValueError):
        conv_output_size(5, 3, stride=0)
    assert conv_output_size(3, 5, padding=1) == 1, "with padding 1 the 5-wide kernel fits once"


def test_docstring_example():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    got = conv2d(x, np.ones((1, 1, 2, 2)))
    assert got.shape == (1, 1, 2, 2), f"output shape {got.shape}, expected (1, 1, 2, 2)"
    np.testing.assert_allclose(got[0, 0], [[8, 12], [20, 24]],
                               err_msg="each output is the sum of one 2x2 block of x")


def test_matches_torch_with_bias_stride_and_padding():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3)), rng.random(4)
    expected = torch_conv(x, w, b, stride=2, padding=1)
    assert_matches_torch(conv2d(x, w, b, stride=2, padding=1), expected, "stride=2, padding=1")
    expected = torch_conv(x, w)
    assert_matches_torch(conv2d(x, w), expected, "no bias, no padding")


def test_pairs_give_each_axis_its_own_stride_and_padding():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 2, 8, 9)), rng.standard_normal((3, 2, 2, 3))
    expected = torch_conv(x, w, stride=(2, 1), padding=(0, 1))
    assert_matches_torch(conv2d(x, w, stride=(2, 1), padding=(0, 1)), expected,
                         "stride=(2, 1) (rows, columns), padding=(0, 1)")


@pytest.mark.parametrize("kernel", [(3, 3), (2, 2)], ids=["odd-3x3", "even-2x2"])
def test_same_padding_keeps_the_size(kernel):
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((3, 2, *kernel))
    expected = torch_conv(x, w, padding="same")
    assert_matches_torch(conv2d(x, w, padding="same"), expected,
                         f"padding='same' with a {kernel[0]}x{kernel[1]} kernel (an even "
                         "kernel gets its extra zero row/column at the bottom/right)")


def test_inputs_are_left_unchanged():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3)), rng.random(2)
    copies = x.copy(), w.copy(), b.copy()
    conv2d(x, w, b, padding=1)
    for name, before, after in zip(("x", "weight", "bias"), copies, (x, w, b)):
        assert np.array_equal(before, after), f"conv2d changed its argument {name} in place"


def test_invalid_arguments_raise_value_error():
    with pytest.raises(ValueError):
        conv2d(np.zeros((1, 3, 5, 5)), np.zeros((2, 2, 3, 3)))  # 3 channels vs 2
    with pytest.raises(ValueError):
        conv2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)))  # kernel larger than the input
    with pytest.raises(ValueError):
        conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=2, padding="same")
