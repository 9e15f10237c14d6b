"""Hidden tests for im2col.py: im2col, conv2d_matmul and avg_pool_as_conv.

im2col holds under half of the points: a learner whose columns come out in
another order (channel-last, say) but whose conv2d_matmul is consistent
with them still earns conv2d_matmul's and avg_pool_as_conv's points.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.suites.reference import reference
from grader.suites.support import (assert_array_matches, assert_raises, call_text, evidence,
                                   fail, integer_arrays, points, cheap_property_test)

ref = reference("im2col")
conv = reference("conv")
pool = reference("pooling")


def check_cols(learner, x, *args, expected=None, **kwargs):
    got = learner.im2col.im2col(x, *args, **kwargs)
    right = ref.im2col(x, *args, **kwargs) if expected is None else expected
    assert_array_matches(got, right, call=call_text("im2col", x, *args, **kwargs),
                         **evidence("im2col", "im2col", x, *args, **kwargs))


def check_matmul(learner, x, w, b=None, **kwargs):
    got = learner.im2col.conv2d_matmul(x, w, b, **kwargs)
    # conv2d is the definition; the reference's matrix product agrees with it.
    assert_array_matches(got, conv.conv2d(x, w, b, **kwargs),
                         call=call_text("conv2d_matmul", x, w, b, **kwargs),
                         **evidence("im2col", "conv2d_matmul", x, w, b, **kwargs))


def check_pool_weight(learner, channels, k):
    got = learner.im2col.avg_pool_as_conv(channels, k)
    assert_array_matches(got, ref.avg_pool_as_conv(channels, k),
                         call=call_text("avg_pool_as_conv", channels, k),
                         **evidence("im2col", "avg_pool_as_conv", channels, k))
    return got


# --------------------------------------------------------------------------- im2col

@points(1)
def test_im2col_docstring_example(learner):
    """The docstring's example: four 2x2 patches of a 3x3 input, one per column."""
    expected = np.array([[[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0],
                          [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]])
    check_cols(learner, np.arange(9.0).reshape(1, 1, 3, 3), 2, expected=expected)


@points(2)
def test_im2col_rows_go_channel_then_kernel_row_then_column(learner, rng):
    """Several channels: row c*KH*KW + u*KW + v, as torch's unfold orders them."""
    check_cols(learner, rng.standard_normal((2, 3, 4, 5)), 2)


@points(1)
def test_im2col_columns_go_row_by_row(learner):
    """On a wide input, column i*W_out + j is output position (i, j), row by row."""
    check_cols(learner, np.arange(15.0).reshape(1, 1, 3, 5), 2)


@points(1)
@pytest.mark.parametrize("kernel", [(2, 3), (3, 1)], ids=["2x3", "3x1"])
def test_im2col_rectangular_kernels(learner, rng, kernel):
    """A (rows, columns) kernel: KH*KW rows per channel, KW the faster one."""
    check_cols(learner, rng.standard_normal((1, 2, 5, 6)), kernel)


@points(1)
@pytest.mark.parametrize("stride", [2, (1, 2), (3, 1)], ids=["2", "1x2", "3x1"])
def test_im2col_strides(learner, rng, stride):
    """With a stride only every sh-th row and sw-th column starts a patch."""
    check_cols(learner, rng.standard_normal((2, 2, 7, 7)), 3, stride=stride)


@points(1)
@pytest.mark.parametrize("padding", [1, (0, 2)], ids=["1", "0x2"])
def test_im2col_paddings(learner, rng, padding):
    """Padding adds zero rows and columns around x before the patches are cut."""
    check_cols(learner, rng.standard_normal((1, 2, 4, 4)), 3, padding=padding)


@points(1)
def test_im2col_stride_and_padding(learner, rng):
    """Stride and padding together, each as a pair."""
    check_cols(learner, rng.standard_normal((2, 2, 6, 7)), (3, 2), stride=(2, 3), padding=(1, 1))


@points(1)
def test_im2col_float32(learner, rng):
    """float32 in, float32-accurate columns out."""
    check_cols(learner, rng.standard_normal((1, 3, 5, 5)).astype(np.float32), 3, padding=1)


@points(1)
def test_im2col_leaves_x_unchanged(learner, rng):
    """im2col does not modify x."""
    x = rng.standard_normal((1, 2, 5, 5))
    result = learner.im2col.im2col.detailed(x, 3, padding=1)
    assert_array_matches(result.value, ref.im2col(x, 3, padding=1),
                         call=call_text("im2col", x, 3, padding=1),
                         **evidence("im2col", "im2col", x, 3, padding=1))
    if result.mutated:
        fail(f"{call_text('im2col', x, 3, padding=1)} modified x in place; pad into a new "
             "array (np.pad) and copy the patches out of it")


@points(1)
@pytest.mark.parametrize("case", ["kernel-too-large", "stride-0", "negative-padding"])
def test_im2col_invalid_arguments_raise_value_error(learner, case):
    """A kernel larger than the padded input, stride 0, or negative padding: ValueError."""
    x = np.ones((1, 1, 3, 3))
    args = {"kernel-too-large": (x, 4), "stride-0": (x, 2, 0), "negative-padding": (x, 2, 1, -1)}[case]
    assert_raises("ValueError", learner.im2col.im2col, args, call=call_text("im2col", *args))


def _int_or_pair(a: int, b: int):
    return a if a == b else (a, b)


@st.composite
def window_cases(draw):
    """Input shape, kernel, stride and padding (pairs where the axes differ)."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h, w = draw(st.integers(max(1, kh - 2 * ph), 6)), draw(st.integers(max(1, kw - 2 * pw), 6))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    return shape, {"stride": _int_or_pair(sh, sw), "padding": _int_or_pair(ph, pw)}, (kh, kw)


@points(3)
@cheap_property_test
@given(case=window_cases(), data=st.data())
def test_im2col_on_generated_cases(learner, case, data):
    """im2col agrees with the reference on generated shapes, kernels, strides and paddings."""
    shape, kwargs, (kh, kw) = case
    (x,) = integer_arrays(data.draw, shape)
    check_cols(learner, x, _int_or_pair(kh, kw), **kwargs)


# --------------------------------------------------------------------------- conv2d_matmul

@points(1)
def test_matmul_docstring_example(learner):
    """The docstring's example: a 2x2 kernel of ones sums each 2x2 block."""
    check_matmul(learner, np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))


@points(2)
def test_matmul_channels_and_bias(learner, rng):
    """3 input and 4 output channels with a bias: the same values as conv2d."""
    check_matmul(learner, rng.standard_normal((2, 3, 5, 6)), rng.standard_normal((4, 3, 3, 2)),
                 rng.standard_normal(4))


@points(1)
@pytest.mark.parametrize("stride, padding", [(2, 1), ((1, 2), (0, 1)), ((3, 1), 2)],
                         ids=["s2-p1", "s1x2-p0x1", "s3x1-p2"])
def test_matmul_strides_and_paddings(learner, rng, stride, padding):
    """Strides and paddings, as ints and pairs."""
    check_matmul(learner, rng.standard_normal((1, 2, 7, 6)), rng.standard_normal((3, 2, 3, 3)),
                 rng.standard_normal(3), stride=stride, padding=padding)


@points(1)
def test_matmul_without_bias(learner, rng):
    """bias=None adds nothing."""
    check_matmul(learner, rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((2, 2, 2, 2)))


@points(1)
def test_matmul_one_by_one_kernel(learner, rng):
    """A 1x1 kernel: the product mixes channels at each pixel."""
    check_matmul(learner, rng.standard_normal((2, 3, 4, 3)), rng.standard_normal((2, 3, 1, 1)),
                 rng.standard_normal(2))


@points(1)
def test_matmul_float32(learner, rng):
    """float32 inputs give float32-accurate results."""
    x = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    check_matmul(learner, x, w, rng.standard_normal(2).astype(np.float32), padding=1)


@points(1)
def test_matmul_channel_mismatch_raises_value_error(learner):
    """x with 3 channels and a weight for 2: ValueError."""
    args = (np.ones((1, 3, 4, 4)), np.ones((2, 2, 3, 3)))
    assert_raises("ValueError", learner.im2col.conv2d_matmul, args,
                  call=call_text("conv2d_matmul", *args))


@points(3)
@cheap_property_test
@given(case=window_cases(), data=st.data())
def test_matmul_on_generated_cases(learner, case, data):
    """conv2d_matmul agrees with conv2d on generated shapes, kernels, strides and paddings."""
    shape, kwargs, (kh, kw) = case
    c_out = data.draw(st.integers(1, 2))
    x, w, b = integer_arrays(data.draw, shape, (c_out, shape[1], kh, kw), (c_out,))
    check_matmul(learner, x, w, b if data.draw(st.booleans()) else None, **kwargs)


# --------------------------------------------------------------------------- avg_pool_as_conv

@points(1)
def test_pool_weight_docstring_example(learner):
    """The docstring's example: one channel, 2x2 windows, every tap 1/4."""
    check_pool_weight(learner, 1, 2)


@points(1)
@pytest.mark.parametrize("channels, k", [(3, 2), (2, 3), (4, 1)], ids=["3ch-2", "2ch-3", "4ch-1"])
def test_pool_weight_keeps_channels_apart(learner, channels, k):
    """Filter o averages channel o only: 1/k^2 on the diagonal of channels, 0 elsewhere."""
    check_pool_weight(learner, channels, k)


@points(1)
@pytest.mark.parametrize("channels, k", [(2, 2), (3, 3)], ids=["2ch-2", "3ch-3"])
def test_pool_weight_makes_conv2d_average_pool(learner, rng, channels, k):
    """conv2d(x, weight, stride=k) with the learner's weight gives avg_pool2d(x, k)."""
    weight = check_pool_weight(learner, channels, k)
    x = rng.standard_normal((2, channels, 3 * k + 1, 2 * k))
    assert_array_matches(conv.conv2d(x, weight, stride=k), pool.avg_pool2d(x, k),
                         call=f"conv2d(x, avg_pool_as_conv({channels}, {k}), stride={k})")


@points(1)
@pytest.mark.parametrize("args", [(0, 2), (2, 0)], ids=["no-channels", "no-kernel"])
def test_pool_weight_invalid_arguments_raise_value_error(learner, args):
    """channels or kernel_size below 1: ValueError."""
    assert_raises("ValueError", learner.im2col.avg_pool_as_conv, args,
                  call=call_text("avg_pool_as_conv", *args))
