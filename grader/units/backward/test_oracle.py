"""solutions/backward.py against torch.autograd: every gradient, on generated cases."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.suites.reference import reference

from grader.units.conv.test_oracle import imports_of

bw = reference("backward")
conv = reference("conv")
pool = reference("pooling")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)
TOL = {np.float64: 1e-10, np.float32: 1e-4}


def torch_conv_grads(dout, x, w, b, stride, padding):
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
        out = F.conv2d(tx, tw, tb, stride=stride, padding=padding)
    (out * torch.tensor(dout)).sum().backward()
    return tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


def torch_pool_grad(kind, dout, x, kernel, stride, padding):
    tx = torch.tensor(x, requires_grad=True)
    f = F.max_pool2d if kind == "max" else F.avg_pool2d
    out = f(tx, kernel, stride, padding)
    (out * torch.tensor(dout)).sum().backward()
    return tx.grad.numpy()


def close(got, expected, dtype):
    assert isinstance(got, np.ndarray) and got.shape == expected.shape
    tol = TOL[np.dtype(dtype).type]
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@st.composite
def conv_cases(draw):
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)),
                             st.sampled_from(["valid", "same"])))
    stride = 1 if padding == "same" else draw(
        st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    if isinstance(padding, str):
        lo_h, lo_w = (kh, kw) if padding == "valid" else (1, 1)
    else:
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        lo_h, lo_w = max(1, kh - 2 * ph), max(1, kw - 2 * pw)
    h, w = draw(st.integers(lo_h, kh + 5)), draw(st.integers(lo_w, kw + 5))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return (n, c_in, h, w), (c_out, c_in, kh, kw), dtype, stride, padding


@SETTINGS
@given(case=conv_cases())
def test_conv2d_backward_matches_autograd(case):
    shape_x, shape_w, dtype, stride, padding = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape_x).astype(dtype)
    w = rng.standard_normal(shape_w).astype(dtype)
    b = rng.standard_normal(shape_w[0]).astype(dtype)
    out = conv.conv2d(x, w, b, stride=stride, padding=padding)
    dout = rng.standard_normal(out.shape).astype(dtype)
    copies = [a.copy() for a in (dout, x, w)]
    got = bw.conv2d_backward(dout, x, w, stride=stride, padding=padding)
    for g, e in zip(got, torch_conv_grads(dout, x, w, b, stride, padding)):
        close(g, e, dtype)
        assert g.dtype == dtype
    for before, after in zip(copies, (dout, x, w)):
        np.testing.assert_array_equal(before, after)


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 3),
                            st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.one_of(st.integers(0, min(kh, kw) // 2),
                             st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2))))
    h, w = draw(st.integers(kh, kh + 5)), draw(st.integers(kw, kw + 5))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    kernel = (kh, kw) if kh != kw or draw(st.booleans()) else kh
    return (n, c, h, w), kernel, stride, padding, draw(st.sampled_from([np.float64, np.float32]))


@SETTINGS
@given(case=pool_cases(), kind=st.sampled_from(["max", "avg"]))
def test_pool_backward_matches_autograd(case, kind):
    shape, kernel, stride, padding, dtype = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)  # continuous: no ties
    forward = pool.max_pool2d if kind == "max" else pool.avg_pool2d
    dout = rng.standard_normal(forward(x, kernel, stride, padding).shape).astype(dtype)
    func = bw.max_pool2d_backward if kind == "max" else bw.avg_pool2d_backward
    got = func(dout, x, kernel, stride, padding)
    close(got, torch_pool_grad(kind, dout, x, kernel, stride, padding), dtype)
    assert got.dtype == dtype


@pytest.mark.parametrize("x", [
    np.zeros((1, 1, 4, 4)),                                   # every cell ties
    np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 3.0, 3.0],
                [0.0, 0.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0]]]]),
    np.tile(np.array([2.0, 2.0, 1.0]), (1, 2, 5, 2)),
])
@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1), (2, 1), ((2, 3), (1, 2))])
def test_max_pool_ties_go_to_the_first_maximum_as_in_torch(x, kernel, stride):
    dout = np.arange(1.0, 1.0 + pool.max_pool2d(x, kernel, stride).size).reshape(
        pool.max_pool2d(x, kernel, stride).shape)
    close(bw.max_pool2d_backward(dout, x, kernel, stride),
          torch_pool_grad("max", dout, x, kernel, stride, 0), np.float64)


def test_max_pool_backward_takes_integer_inputs():
    x = np.arange(16).reshape(1, 1, 4, 4)
    got = bw.max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2)
    assert got.dtype == np.float64 and got.sum() == 4 and got[0, 0, 1, 1] == 1


@pytest.mark.parametrize("call", [
    lambda: bw.conv2d_backward(np.zeros((1, 2, 2, 2)), np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3))),
    lambda: bw.conv2d_backward(np.zeros((1, 2, 3, 3)), np.zeros((1, 1, 5, 5)), np.zeros((2, 2, 3, 3))),
    lambda: bw.conv2d_backward(np.zeros((1, 2, 5, 5)), np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)),
                               stride=2, padding="same"),
    lambda: bw.conv2d_backward(np.zeros((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 3))),
    lambda: bw.max_pool2d_backward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), 2),
    lambda: bw.max_pool2d_backward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), 2, 1, 2),
    lambda: bw.avg_pool2d_backward(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 4, 4)), 2, stride=0),
    lambda: bw.avg_pool2d_backward(np.zeros((1, 2)), np.zeros((1, 1, 4, 4)), 2),
])
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_backward_uses_numpy_only():
    assert imports_of(bw) <= {"__future__", "numpy", "operator"}
