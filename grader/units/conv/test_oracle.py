"""solutions/conv.py against torch.nn.functional.conv2d."""
import ast
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.suites.reference import reference

conv = reference("conv")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)
TOL = {np.float64: 1e-10, np.float32: 1e-4}


def torch_conv(x, w, b, stride, padding):
    with warnings.catch_warnings():
        # torch notes that 'same' with an even kernel pads a copy of the input.
        warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
        # torch.tensor copies, so read-only arrays are fine.
        return F.conv2d(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b),
                        stride=stride, padding=padding).numpy()


def check_against_torch(x, w, b=None, stride=1, padding=0):
    copies = [a.copy() for a in (x, w, b) if a is not None]
    got = conv.conv2d(x, w, b, stride=stride, padding=padding)
    expected = torch_conv(x, w, b, stride, padding)
    assert isinstance(got, np.ndarray)
    assert got.shape == expected.shape
    assert got.dtype == np.result_type(x, w)
    tol = TOL[np.result_type(x, w).type]
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    for before, after in zip(copies, [a for a in (x, w, b) if a is not None]):
        np.testing.assert_array_equal(before, after)  # inputs unmodified
    return got


def arrays(rng, shape_x, shape_w, dtype=np.float64, bias=True):
    x = rng.standard_normal(shape_x).astype(dtype)
    w = rng.standard_normal(shape_w).astype(dtype)
    b = rng.standard_normal(shape_w[0]).astype(dtype) if bias else None
    return x, w, b


pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def conv_cases(draw):
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)),
                             st.sampled_from(["valid", "same"])))
    stride = 1 if padding == "same" else draw(st.one_of(st.integers(1, 3), pairs))
    # The input may be smaller than the kernel as long as the padding makes room.
    if padding == "valid":
        lo_h, lo_w = kh, kw
    elif padding == "same":
        lo_h, lo_w = 1, 1
    else:
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        lo_h, lo_w = max(1, kh - 2 * ph), max(1, kw - 2 * pw)
    h, w = draw(st.integers(lo_h, kh + 6)), draw(st.integers(lo_w, kw + 6))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return (n, c_in, h, w), (c_out, c_in, kh, kw), dtype, draw(st.booleans()), stride, padding


@SETTINGS
@given(case=conv_cases())
def test_conv2d_matches_torch(case):
    shape_x, shape_w, dtype, bias, stride, padding = case
    x, w, b = arrays(np.random.default_rng(0), shape_x, shape_w, dtype, bias)
    got = check_against_torch(x, w, b, stride, padding)
    if not isinstance(padding, str):  # the output size agrees with the formula too
        (sh, sw), (ph, pw) = ((s, s) if isinstance(s, int) else s for s in (stride, padding))
        assert got.shape[2:] == (conv.conv_output_size(shape_x[2], shape_w[2], sh, ph),
                                 conv.conv_output_size(shape_x[3], shape_w[3], sw, pw))


@pytest.mark.parametrize("kernel", [(2, 2), (4, 4), (2, 3), (3, 4), (1, 2), (4, 1)])
def test_same_padding_with_even_kernels_puts_the_extra_zeros_bottom_right(kernel):
    x, w, b = arrays(np.random.default_rng(1), (2, 3, 7, 6), (4, 3, *kernel))
    got = check_against_torch(x, w, b, padding="same")
    assert got.shape == (2, 4, 7, 6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape_x, shape_w, kwargs", [
    ((1, 1, 4, 4), (1, 1, 3, 3), {}),                               # the smallest valid case
    ((3, 2, 5, 9), (4, 2, 1, 1), {}),                               # 1x1 kernel mixes channels
    ((2, 3, 8, 5), (2, 3, 1, 1), {"stride": 2}),                    # strided 1x1
    ((2, 3, 7, 11), (5, 3, 2, 4), {"stride": (1, 3), "padding": (2, 1)}),
    ((1, 2, 6, 6), (2, 2, 3, 3), {"padding": "valid"}),
    ((1, 2, 6, 6), (2, 2, 5, 3), {"padding": "same"}),
    ((4, 1, 5, 5), (3, 1, 5, 5), {}),                               # the kernel just fits
    ((1, 1, 2, 2), (1, 1, 4, 4), {"padding": 1}),                   # fits only with padding
    ((2, 1, 32, 32), (1, 1, 3, 3), {"padding": 1}),                 # the lesson: 32 stays 32
])
def test_conv2d_selected_cases(dtype, shape_x, shape_w, kwargs):
    for bias in (True, False):
        x, w, b = arrays(np.random.default_rng(2), shape_x, shape_w, dtype, bias)
        check_against_torch(x, w, b, **kwargs)


def test_conv2d_is_cross_correlation_not_convolution():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 0, 0] = 1.0
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    # The kernel is not flipped: the one output is x[0, 0] * w[0, 0].
    assert conv.conv2d(x, w)[0, 0, 0, 0] == 0.0
    check_against_torch(np.random.default_rng(3).standard_normal((1, 1, 5, 6)),
                        np.random.default_rng(4).standard_normal((1, 1, 2, 3)))


def test_conv2d_accepts_numpy_integers_and_read_only_inputs():
    x, w, b = arrays(np.random.default_rng(5), (2, 3, 9, 8), (4, 3, 3, 2))
    for a in (x, w, b):
        a.setflags(write=False)
    got = conv.conv2d(x, w, b, stride=(np.int64(2), np.int32(1)), padding=np.int64(1))
    np.testing.assert_allclose(got, torch_conv(x, w, b, (2, 1), 1), rtol=1e-10, atol=1e-10)


def test_conv2d_float32_with_float64_bias_stays_float32():
    x, w, _ = arrays(np.random.default_rng(6), (1, 2, 5, 5), (3, 2, 3, 3), np.float32)
    got = conv.conv2d(x, w, np.ones(3))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, torch_conv(x, w, np.ones(3, np.float32), 1, 0),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape_x, shape_w, kwargs", [
    ((1, 2, 5, 5), (1, 3, 3, 3), {}),                      # channel mismatch
    ((1, 1, 3, 3), (1, 1, 4, 4), {}),                      # kernel larger than the input
    ((1, 1, 3, 5), (1, 1, 4, 2), {"padding": (0, 1)}),     # ... than the padded input
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": (1, 0)}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": -1}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": -1}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": (0, -1)}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "full"}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "SAME"}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "same", "stride": 2}),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "same", "stride": (1, 2)}),
    ((1, 5, 5), (1, 1, 3, 3), {}),                         # x is not 4-D
])
def test_conv2d_rejects_bad_arguments(shape_x, shape_w, kwargs):
    with pytest.raises(ValueError):
        conv.conv2d(np.zeros(shape_x), np.zeros(shape_w), **kwargs)


@SETTINGS
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3))
def test_conv_output_size_matches_torch_shapes(n, k, s, p, d):
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError):
            conv.conv_output_size(n, k, s, p, d)
        with pytest.raises(RuntimeError):  # torch agrees that the kernel does not fit
            F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1),
                     padding=(p, 0), dilation=(d, 1))
        return
    out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1),
                   padding=(p, 0), dilation=(d, 1))
    got = conv.conv_output_size(n, k, s, p, d)
    assert type(got) is int and got == out.shape[2]
    got = conv.conv_output_size(np.int64(n), np.int32(k), stride=np.int16(s),
                                padding=np.int64(p), dilation=np.int8(d))
    assert type(got) is int and got == out.shape[2]


@pytest.mark.parametrize("args, expected", [
    ((32, 3, 1, 1), 32), ((32, 3, 1, 0), 30), ((224, 7, 2, 3), 112), ((8, 3, 2, 0), 3),
    ((5, 5), 1), ((10, 3, 1, 0, 2), 6), ((64, 2, 2), 32),
])
def test_conv_output_size_examples(args, expected):
    assert conv.conv_output_size(*args) == expected


@pytest.mark.parametrize("args", [
    (0, 1), (-3, 1), (5, 0), (5, 3, 0), (5, 3, -2), (5, 3, 1, -1), (5, 3, 1, 0, 0),
    (3, 5), (5, 3, 1, 0, 3), (1, 4, 1, 1),
])
def test_conv_output_size_rejects_impossible_settings(args):
    with pytest.raises(ValueError):
        conv.conv_output_size(*args)


def test_conv_uses_numpy_only():
    assert imports_of(conv) <= {"__future__", "numpy", "operator"}


def imports_of(module) -> set[str]:
    """Top-level modules a solution file imports, read from its source."""
    tree = ast.parse(Path(module.__file__).read_text())
    return {(node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names}
