"""Visible tests for pooling.py. The grader's hidden tests check many more cases.

torch.nn.functional.max_pool2d and avg_pool2d use the same conventions
(floor mode, -inf padding for max, padded zeros counted for average), so
these tests use them as the answer key.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pooling import avg_pool2d, global_avg_pool2d, max_pool2d

X = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 6]], float)[None, None]


def assert_matches(got, expected, what):
    assert isinstance(got, np.ndarray), f"{what}: expected a numpy array, got {type(got).__name__}"
    assert got.shape == expected.shape, (
        f"{what}: output shape {got.shape}, expected {expected.shape}")
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9,
                               err_msg=f"{what}: the shape is right but the values differ")


def test_docstring_examples():
    assert_matches(max_pool2d(X, 2), np.array([[[[4.0, 5.0], [3.0, 7.0]]]]),
                   "max_pool2d(X, 2): the largest value of each 2x2 block")
    assert_matches(avg_pool2d(X, 2), np.array([[[[2.5, 2.0], [1.5, 4.0]]]]),
                   "avg_pool2d(X, 2): the mean of each 2x2 block")


def test_average_counts_padded_zeros():
    assert_matches(avg_pool2d(np.ones((1, 1, 2, 2)), 3, stride=1, padding=1),
                   np.full((1, 1, 2, 2), 4 / 9),
                   "4 ones and 5 padded zeros in each 3x3 window: the mean is 4/9")


@pytest.mark.parametrize("kwargs", [{"kernel_size": 3, "stride": 2},
                                    {"kernel_size": 2},
                                    {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0)}],
                         ids=["k3-s2", "k2-default-stride", "pairs"])
def test_match_torch(kwargs):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    t = torch.from_numpy(x.copy())  # torch's own copy: the answer key does not depend on x
    assert_matches(max_pool2d(x, **kwargs), F.max_pool2d(t, **kwargs).numpy(),
                   f"max_pool2d(x, {kwargs})")
    assert_matches(avg_pool2d(x, **kwargs), F.avg_pool2d(t, **kwargs).numpy(),
                   f"avg_pool2d(x, {kwargs})")


def test_max_pool_padding_never_wins():
    x = -1.0 - np.random.default_rng(1).random((1, 1, 4, 4))  # every value below -1
    expected = F.max_pool2d(torch.from_numpy(x.copy()), 2, padding=1).numpy()
    out = max_pool2d(x, 2, padding=1)
    assert (out < -1).all(), "a padded cell was picked as the maximum: pad with -inf, not 0"
    assert_matches(out, expected, "max_pool2d(x, 2, padding=1)")


def test_global_average_pooling_drops_the_spatial_axes():
    out = global_avg_pool2d(np.arange(8.0).reshape(1, 2, 2, 2))
    assert out.shape == (1, 2), f"the result is (N, C) with no spatial axes left, got {out.shape}"
    np.testing.assert_allclose(out, [[1.5, 5.5]], err_msg="each channel's mean")


def test_too_much_padding_raises():
    with pytest.raises(ValueError):
        max_pool2d(X, 2, padding=2)  # more than half of the 2-wide kernel
    with pytest.raises(ValueError):
        avg_pool2d(X, 3, padding=2)
