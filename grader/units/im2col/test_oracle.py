"""solutions/im2col.py against torch.nn.functional.unfold, conv2d and avg_pool2d."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.suites.reference import reference

from grader.units.conv.test_oracle import imports_of

im = reference("im2col")
conv = reference("conv")
pool = reference("pooling")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)
int_or_pair = lambda lo, hi: st.one_of(st.integers(lo, hi),  # noqa: E731
                                       st.tuples(st.integers(lo, hi), st.integers(lo, hi)))


@st.composite
def cases(draw):
    kernel, stride, padding = draw(int_or_pair(1, 4)), draw(int_or_pair(1, 3)), draw(int_or_pair(0, 2))
    (kh, kw), (ph, pw) = (v if isinstance(v, tuple) else (v, v) for v in (kernel, padding))
    h, w = draw(st.integers(max(1, kh - 2 * ph), kh + 5)), draw(st.integers(max(1, kw - 2 * pw), kw + 5))
    n, c, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (n, c, h, w), kernel, stride, padding, c_out, draw(st.sampled_from([np.float64, np.float32]))


@SETTINGS
@given(case=cases())
def test_im2col_matches_unfold(case):
    shape, kernel, stride, padding, _, dtype = case
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    before = x.copy()
    got = im.im2col(x, kernel, stride, padding)
    expected = F.unfold(torch.tensor(x), kernel, padding=padding, stride=stride).numpy()
    assert got.shape == expected.shape and got.dtype == dtype
    np.testing.assert_array_equal(got, expected)  # a copy of values: exact
    np.testing.assert_array_equal(x, before)


@SETTINGS
@given(case=cases(), bias=st.booleans())
def test_conv2d_matmul_matches_torch_and_conv2d(case, bias):
    shape, kernel, stride, padding, c_out, dtype = case
    rng = np.random.default_rng(1)
    (kh, kw) = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((c_out, shape[1], kh, kw)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype) if bias else None
    got = im.conv2d_matmul(x, w, b, stride, padding)
    expected = F.conv2d(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b),
                        stride=stride, padding=padding).numpy()
    tol = 1e-10 if dtype == np.float64 else 1e-4
    assert got.shape == expected.shape and got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    np.testing.assert_allclose(got, conv.conv2d(x, w, b, stride, padding), rtol=tol, atol=tol)


@pytest.mark.parametrize("channels, k", [(1, 1), (1, 2), (3, 2), (4, 3), (2, 5)])
def test_avg_pool_as_conv_is_average_pooling(channels, k):
    weight = im.avg_pool_as_conv(channels, k)
    assert weight.shape == (channels, channels, k, k)
    x = np.random.default_rng(2).standard_normal((2, channels, 3 * k + 1, 2 * k))
    expected = F.avg_pool2d(torch.tensor(x), k).numpy()
    np.testing.assert_allclose(conv.conv2d(x, weight, stride=k), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pool.avg_pool2d(x, k), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda: im.im2col(np.zeros((1, 1, 3, 3)), 4),
    lambda: im.im2col(np.zeros((1, 1, 3, 3)), 2, stride=0),
    lambda: im.im2col(np.zeros((1, 1, 3, 3)), 2, padding=-1),
    lambda: im.im2col(np.zeros((1, 3, 3)), 2),
    lambda: im.conv2d_matmul(np.zeros((1, 2, 3, 3)), np.zeros((1, 1, 2, 2))),
    lambda: im.conv2d_matmul(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 5, 2)), padding=(0, 1)),
    lambda: im.avg_pool_as_conv(0, 2),
    lambda: im.avg_pool_as_conv(2, 0),
])
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_im2col_uses_numpy_only():
    assert imports_of(im) <= {"__future__", "numpy", "operator"}
