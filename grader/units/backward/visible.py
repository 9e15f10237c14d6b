"""Visible tests for backward.py. The grader's hidden tests check many more cases.

torch.autograd computes the same gradients, so these tests use it as the
answer key: they build the forward pass in torch, call .backward(dout), and
read the .grad of each input.
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from backward import avg_pool2d_backward, conv2d_backward, max_pool2d_backward


def assert_matches(got, expected, what):
    assert isinstance(got, np.ndarray), f"{what}: expected a numpy array, got {type(got).__name__}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9,
                               err_msg=f"{what}: the shape is right but the values differ")


def torch_grads(forward, dout, *arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():  # torch notes that 'same' with an even kernel copies x
        warnings.simplefilter("ignore")
        out = forward(*tensors)
    (out * torch.tensor(dout)).sum().backward()
    return [t.grad.numpy() for t in tensors]


def test_conv_docstring_example():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), x, np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert_matches(dx[0, 0], np.array([[1.0, 3.0, 2.0], [4.0, 10.0, 6.0], [3.0, 7.0, 4.0]]),
                   "dx: each pixel collects weight * dout from every window over it")
    assert_matches(dw[0, 0], np.array([[8.0, 12.0], [20.0, 24.0]]),
                   "dweight: each tap collects the pixels it touched, times dout")
    assert_matches(db, np.array([4.0]), "dbias: the sum of dout for each output channel")


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (0, 1)), (1, "same")])
def test_conv_matches_autograd(stride, padding):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2)), rng.random(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = F.conv2d(torch.tensor(x), torch.tensor(w), stride=stride, padding=padding)
    dout = rng.standard_normal(tuple(out.shape))
    expected = torch_grads(lambda tx, tw, tb: F.conv2d(tx, tw, tb, stride=stride, padding=padding),
                           dout, x, w, b)
    got = conv2d_backward(dout, x, w, stride=stride, padding=padding)
    assert isinstance(got, tuple) and len(got) == 3, "return (dx, dweight, dbias)"
    for name, mine, right in zip(("dx", "dweight", "dbias"), got, expected):
        assert_matches(mine, right, f"{name} with stride={stride}, padding={padding}")


def test_conv_rejects_a_dout_of_the_wrong_shape():
    with pytest.raises(ValueError):
        conv2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))


def test_max_pool_docstring_example_and_ties():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 7.0, 6.0]]]])
    assert_matches(max_pool2d_backward(np.array([[[[10.0, 20.0]]]]), x, 2),
                   np.array([[[[0.0, 10.0, 0.0, 0.0], [0.0, 0.0, 20.0, 0.0]]]]),
                   "each window's gradient goes to its maximum")
    assert_matches(max_pool2d_backward(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), 2),
                   np.array([[[[1.0, 0.0], [0.0, 0.0]]]]),
                   "on ties only the first maximum (row-major) gets the gradient")


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1), ((2, 3), (1, 2), 0)])
def test_pooling_matches_autograd(kind, kernel, stride, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2, 6, 7))
    forward = F.max_pool2d if kind == "max" else F.avg_pool2d
    out = forward(torch.tensor(x), kernel, stride, padding)
    dout = rng.standard_normal(tuple(out.shape))
    (expected,) = torch_grads(lambda t: forward(t, kernel, stride, padding), dout, x)
    func = max_pool2d_backward if kind == "max" else avg_pool2d_backward
    assert_matches(func(dout, x, kernel, stride, padding), expected,
                   f"{kind} pooling, kernel={kernel}, stride={stride}, padding={padding}")
