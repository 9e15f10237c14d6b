"""Visible tests for im2col.py. The grader's hidden tests check many more cases.

torch.nn.functional.unfold lays out patches exactly as im2col must, and
F.conv2d and F.avg_pool2d are the answer keys for the other two tasks.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from im2col import avg_pool_as_conv, conv2d_matmul, im2col


def assert_matches(got, expected, what, tol=1e-9):
    assert isinstance(got, np.ndarray), f"{what}: expected a numpy array, got {type(got).__name__}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=tol,
                               err_msg=f"{what}: the shape is right but the values differ")


def test_im2col_docstring_example():
    expected = np.array([[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0],
                         [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]])
    assert_matches(im2col(np.arange(9.0).reshape(1, 1, 3, 3), 2)[0], expected,
                   "one 2x2 patch per column, its pixels row by row")


@pytest.mark.parametrize("kernel, stride, padding", [(2, 1, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0))])
def test_im2col_matches_unfold(kernel, stride, padding):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 7))
    expected = F.unfold(torch.tensor(x), kernel, padding=padding, stride=stride).numpy()
    assert_matches(im2col(x, kernel, stride, padding), expected,
                   f"kernel={kernel}, stride={stride}, padding={padding} (rows: channel, then "
                   "kernel row, then kernel column)")


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_conv2d_matmul_matches_torch(stride, padding):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2)), rng.random(4)
    expected = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride,
                        padding=padding).numpy()
    assert_matches(conv2d_matmul(x, w, b, stride, padding), expected,
                   f"conv2d_matmul with stride={stride}, padding={padding}")


@pytest.mark.parametrize("channels, k", [(1, 2), (3, 2), (2, 3)])
def test_avg_pool_as_conv(channels, k):
    weight = avg_pool_as_conv(channels, k)
    assert isinstance(weight, np.ndarray) and weight.shape == (channels, channels, k, k), (
        f"the weight has shape (channels, channels, k, k) = {(channels, channels, k, k)}")
    x = np.random.default_rng(2).standard_normal((2, channels, 2 * k, 3 * k))
    got = F.conv2d(torch.tensor(x), torch.tensor(weight), stride=k).numpy()
    assert_matches(got, F.avg_pool2d(torch.tensor(x), k).numpy(),
                   "conv2d(x, weight, stride=k) must equal avg_pool2d(x, k); channels must "
                   "not mix", tol=1e-12)
