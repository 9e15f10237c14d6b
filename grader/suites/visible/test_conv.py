"""Visible tests for conv.py. The grader's hidden tests check many more cases."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conv import conv2d, conv_output_size


def torch_conv(x, w, b=None, **kw):
    bias = None if b is None else torch.from_numpy(b)
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w), bias, **kw).numpy()


def test_output_size_examples():
    assert conv_output_size(32, 3, stride=1, padding=1) == 32, "3x3 with padding 1 keeps the size"
    assert conv_output_size(8, 3, stride=2) == 3, "the division is floored"
    assert conv_output_size(10, 3, dilation=2) == 6, "a dilated 3x3 kernel spans 5 pixels"


def test_output_size_rejects_a_kernel_that_does_not_fit():
    with pytest.raises(ValueError):
        conv_output_size(3, 5)


def test_docstring_example():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_allclose(conv2d(x, np.ones((1, 1, 2, 2)))[0, 0], [[8, 12], [20, 24]])


def test_matches_torch_with_bias_stride_and_padding():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    np.testing.assert_allclose(conv2d(x, w, b, stride=2, padding=1),
                               torch_conv(x, w, b, stride=2, padding=1), rtol=1e-7, atol=1e-9)


def test_same_padding_keeps_the_size():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    assert conv2d(x, w, padding="same").shape == (1, 3, 5, 5)


def test_channel_mismatch_raises():
    with pytest.raises(ValueError):
        conv2d(np.zeros((1, 3, 5, 5)), np.zeros((2, 2, 3, 3)))
