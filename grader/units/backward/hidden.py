"""Hidden tests for backward.py: conv2d_backward, max_pool2d_backward, avg_pool2d_backward.

conv2d_backward holds under half of the points, so one misconception about
it (a dbias over the wrong axes fails every one of its tests) never costs
more than half the exercise; the pooling gradients hold the rest.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import policy
from grader.suites.diagnosis import by_id, diagnose, pair
from grader.suites.reference import reference
from grader.suites.evidence import python_call
from grader.suites.support import (CheckFailed, assert_array_matches, assert_raises, call_text,
                                   evidence, fail, integer_arrays, points, cheap_property_test)

ref = reference("backward")
conv = reference("conv")
pool = reference("pooling")
PARTS = ("dx", "dweight", "dbias")


def check_parts(got, expected, names, *, call, diagnose_all, repro):
    """Each gradient on its own, so the report draws the one that is wrong."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        fail(f"{call} returned {type(got).__name__}, expected a tuple ({', '.join(names)})")
    for name, mine, right in zip(names, got, expected):
        assert_array_matches(mine, right, call=f"{call}, its {name}",
                             diagnose=lambda _: diagnose_all(got), repro=repro, part=name)


def check_conv(learner, dout, x, w, expected=None, what="", **kwargs):
    call = call_text("conv2d_backward", dout, x, w, **kwargs) + what
    got = learner.backward.conv2d_backward(dout, x, w, **kwargs)
    right = ref.conv2d_backward(dout, x, w, **kwargs) if expected is None else expected
    check_parts(got, right, PARTS, call=call,
                diagnose_all=lambda v: diagnose("backward.conv2d_backward", v, dout, x, w, **kwargs),
                repro=lambda: python_call("backward", "conv2d_backward", dout, x, w, **kwargs))


def check_pool(learner, kind, dout, x, *args, expected=None, what="", **kwargs):
    func = f"{kind}_pool2d_backward"
    got = getattr(learner.backward, func)(dout, x, *args, **kwargs)
    right = getattr(ref, func)(dout, x, *args, **kwargs) if expected is None else expected
    assert_array_matches(got, right, call=call_text(func, dout, x, *args, **kwargs) + what,
                         **evidence("backward", func, dout, x, *args, **kwargs))


def conv_case(rng, shape_x, shape_w, **kwargs):
    x, w = rng.standard_normal(shape_x), rng.standard_normal(shape_w)
    dout = rng.standard_normal(conv.conv2d(x, w, **kwargs).shape)
    return dout, x, w


def pool_case(rng, kind, shape, *args, **kwargs):
    x = rng.standard_normal(shape)  # continuous values: no two cells of a window tie
    forward = pool.max_pool2d if kind == "max" else pool.avg_pool2d
    return rng.standard_normal(forward(x, *args, **kwargs).shape), x


def numeric_gradient(losses, a: np.ndarray) -> np.ndarray:
    """Central differences for every entry of ``a``: (L(a + h e) - L(a - h e)) / 2h.

    ``losses`` takes a stack of copies of ``a``, shape ``(K, *a.shape)``, each
    with one entry moved, and returns their K losses: one forward call per
    sign rather than two per entry, since the suite's floor is budgeted.
    """
    h = policy.NUMERIC_GRADIENT_STEP
    moves = np.eye(a.size).reshape(a.size, *a.shape)
    return ((losses(a + h * moves) - losses(a - h * moves)) / (2 * h)).reshape(a.shape)


def batch_losses(dout: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """sum(dout * output) for each of K stacked outputs (dout for a batch of one)."""
    return (outputs.reshape(-1, *dout.shape[1:]) * dout[0]).sum(axis=(1, 2, 3))


# --------------------------------------------------------------------------- conv2d_backward

@points(1)
def test_conv_docstring_example(learner):
    """The docstring's example: dout of ones; dweight holds the block sums of x."""
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = (np.array([[[[1.0, 3.0, 2.0], [4.0, 10.0, 6.0], [3.0, 7.0, 4.0]]]]),
                np.array([[[[8.0, 12.0], [20.0, 24.0]]]]), np.array([4.0]))
    check_conv(learner, np.ones((1, 1, 2, 2)), x, w, expected=expected)


@points(1)
def test_conv_one_output_sends_back_the_kernel(learner):
    """A gradient at one output position puts a copy of the kernel over that window in dx."""
    x = np.zeros((1, 1, 4, 5))
    w = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    dout = np.zeros((1, 1, 3, 3))
    dout[0, 0, 1, 2] = 1.0
    dx = np.zeros_like(x)
    dx[0, 0, 1:3, 2:5] = w[0, 0]
    expected = (dx, np.zeros_like(w), np.array([1.0]))
    check_conv(learner, dout, x, w, expected=expected)


@points(2)
def test_conv_batch_and_channels(learner, rng):
    """A batch of 2, 3 input and 4 output channels: dweight sums over the batch."""
    check_conv(learner, *conv_case(rng, (2, 3, 5, 6), (4, 3, 3, 3)))


@points(1)
@pytest.mark.parametrize("stride", [2, (2, 1), (1, 3)], ids=["2", "2x1", "1x3"])
def test_conv_strides(learner, rng, stride):
    """Strides, also per axis: each output's gradient goes back to the window it read."""
    check_conv(learner, *conv_case(rng, (2, 2, 7, 8), (3, 2, 3, 2), stride=stride), stride=stride)


@points(1)
@pytest.mark.parametrize("padding", [1, (2, 0), (0, 1)], ids=["1", "2x0", "0x1"])
def test_conv_paddings(learner, rng, padding):
    """Padding: dx has the shape of x; the padding's gradients are dropped."""
    check_conv(learner, *conv_case(rng, (1, 2, 5, 4), (2, 2, 3, 3), padding=padding),
               padding=padding)


@points(1)
@pytest.mark.parametrize("kernel", [(3, 3), (2, 2), (2, 3)], ids=["3x3", "2x2", "2x3"])
def test_conv_same_padding(learner, rng, kernel):
    """padding='same', also with an even kernel (extra zero row/column bottom/right)."""
    check_conv(learner, *conv_case(rng, (1, 2, 5, 6), (2, 2, *kernel), padding="same"),
               padding="same")


@points(1)
def test_conv_valid_padding(learner, rng):
    """padding='valid' means no padding."""
    check_conv(learner, *conv_case(rng, (2, 1, 5, 5), (2, 1, 2, 3), padding="valid"),
               padding="valid")


@points(1)
@pytest.mark.parametrize("stride, padding", [(2, 1), ((3, 2), (1, 0))], ids=["s2-p1", "s3x2-p1x0"])
def test_conv_stride_and_padding(learner, rng, stride, padding):
    """Stride and padding together, where the last rows or columns are never read."""
    check_conv(learner, *conv_case(rng, (2, 2, 8, 7), (3, 2, 3, 3), stride=stride,
                                   padding=padding), stride=stride, padding=padding)


@points(1)
def test_conv_one_by_one_kernel(learner, rng):
    """A 1x1 kernel: dx mixes the channels of dout with the transposed weight."""
    check_conv(learner, *conv_case(rng, (2, 3, 4, 4), (5, 3, 1, 1)))


@points(1)
def test_conv_float32(learner, rng):
    """float32 inputs give float32-accurate gradients."""
    dout, x, w = (a.astype(np.float32) for a in conv_case(rng, (2, 2, 5, 5), (3, 2, 3, 3),
                                                           padding=1))
    check_conv(learner, dout, x, w, padding=1)


@points(2)
def test_conv_gradient_matches_central_differences(learner, rng):
    """dx, dweight and dbias agree with numeric gradients (L(a + h) - L(a - h)) / 2h."""
    x, w, b = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2)
    dout = rng.standard_normal((1, 2, 2, 2))
    kwargs = {"stride": 2, "padding": 1}
    # A batch of one: the moved copies of x go in as a batch, those of w and b
    # as extra output channels, so each sign costs one conv2d.
    numeric = (
        numeric_gradient(lambda xs: batch_losses(dout, conv.conv2d(xs[:, 0], w, b, **kwargs)), x),
        numeric_gradient(lambda ws: batch_losses(dout, conv.conv2d(
            x, ws.reshape(-1, *w.shape[1:]), np.tile(b, len(ws)), **kwargs)), w),
        numeric_gradient(lambda bs: batch_losses(dout, conv.conv2d(
            x, np.tile(w, (len(bs), 1, 1, 1)), bs.reshape(-1), **kwargs)), b))
    # guards the suite itself: the reference is right, not only self-consistent
    for mine, right in zip(ref.conv2d_backward(dout, x, w, **kwargs), numeric):
        assert np.allclose(mine, right, rtol=policy.NUMERIC_GRADIENT_RTOL,
                           atol=policy.NUMERIC_GRADIENT_ATOL)
    check_conv(learner, dout, x, w, expected=numeric, what=" against central differences",
               **kwargs)


@points(1)
def test_conv_inputs_are_not_modified(learner, rng):
    """conv2d_backward leaves dout, x and weight as it got them."""
    dout, x, w = conv_case(rng, (2, 2, 5, 5), (3, 2, 3, 3), padding=1)
    result = learner.backward.conv2d_backward.detailed(dout, x, w, padding=1)
    names = {0: "dout", 1: "x", 2: "weight"}
    changed = [names.get(m, str(m)) for m in result.mutated]
    if changed:
        raise CheckFailed(f"conv2d_backward modified its input(s) {', '.join(changed)} "
                          "in place; compute into new arrays (np.zeros, np.pad)",
                          diagnosis=by_id("backward.modifies-input"))
    check_parts(result.value, ref.conv2d_backward(dout, x, w, padding=1), PARTS,
                call=call_text("conv2d_backward", dout, x, w, padding=1),
                diagnose_all=lambda v: diagnose("backward.conv2d_backward", v, dout, x, w,
                                                padding=1),
                repro=lambda: python_call("backward", "conv2d_backward", dout, x, w, padding=1))


@points(1)
@pytest.mark.parametrize("case", ["channels", "dout-shape", "same-stride-2"])
def test_conv_invalid_arguments_raise_value_error(learner, case):
    """Mismatched channels, a dout of the wrong shape, 'same' with a stride: ValueError."""
    x, w, dout, kwargs = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3)), np.ones((1, 3, 3, 3)), {}
    if case == "channels":
        w = np.ones((3, 1, 3, 3))
    elif case == "dout-shape":
        dout = np.ones((1, 3, 5, 5))  # the shape of 'same', but no padding was asked for
    else:
        dout, kwargs = np.ones((1, 3, 3, 3)), {"stride": 2, "padding": "same"}
    assert_raises("ValueError", learner.backward.conv2d_backward, (dout, x, w), kwargs,
                  call=call_text("conv2d_backward", dout, x, w, **kwargs))


def _int_or_pair(a: int, b: int):
    return a if a == b else (a, b)


@st.composite
def conv_cases(draw):
    """Small conv2d_backward calls over shapes, kernels, strides and paddings."""
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 6))
    w = draw(st.integers(max(1, kw - 2 * pw), 6))
    kwargs = {"stride": _int_or_pair(sh, sw), "padding": _int_or_pair(ph, pw)}
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    dout, x, weight = integer_arrays(draw, (n, c_out, h_out, w_out), (n, c_in, h, w),
                                     (c_out, c_in, kh, kw))
    return dout, x, weight, kwargs


@points(2)
@cheap_property_test
@given(case=conv_cases())
def test_conv_on_generated_cases(learner, case):
    """conv2d_backward agrees with the reference on generated shapes, strides and paddings."""
    dout, x, w, kwargs = case
    check_conv(learner, dout, x, w, **kwargs)


# --------------------------------------------------------------------------- max_pool2d_backward

@points(1)
def test_max_docstring_example(learner):
    """The docstring's example: each window's gradient goes to its maximum."""
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 7.0, 6.0]]]])
    expected = np.array([[[[0.0, 10.0, 0.0, 0.0], [0.0, 0.0, 20.0, 0.0]]]])
    check_pool(learner, "max", np.array([[[[10.0, 20.0]]]]), x, 2, expected=expected)


@points(1)
def test_max_side_by_side_windows(learner, rng):
    """Non-overlapping 2x2 windows (stride = kernel): one cell per window gets dout."""
    check_pool(learner, "max", *pool_case(rng, "max", (2, 3, 6, 4), 2), 2)


@points(2)
def test_max_overlapping_windows_accumulate(learner, rng):
    """3x3 windows at stride 1: a cell that is the maximum of several windows sums their dout."""
    check_pool(learner, "max", *pool_case(rng, "max", (2, 2, 6, 7), 3, 1), 3, 1)


@points(1)
@pytest.mark.parametrize("kernel, stride", [((2, 3), (1, 2)), ((3, 2), None)],
                         ids=["2x3-s1x2", "3x2-default"])
def test_max_rectangular_windows(learner, rng, kernel, stride):
    """Kernel and stride pairs give each axis its own window and step."""
    check_pool(learner, "max", *pool_case(rng, "max", (1, 2, 7, 6), kernel, stride), kernel,
               stride)


@points(1)
@pytest.mark.parametrize("padding", [1, (1, 0)], ids=["1", "1x0"])
def test_max_padding_gets_nothing(learner, rng, padding):
    """With padding, negative border values still win over the padding; dx has x's shape."""
    dout, x = pool_case(rng, "max", (2, 2, 5, 4), 3, 2, padding)
    check_pool(learner, "max", dout, x - 2.0, 3, 2, padding)


@points(2)
@pytest.mark.parametrize("stride", [None, 1], ids=["side-by-side", "overlapping"])
def test_max_ties_go_to_the_first_maximum(learner, stride):
    """Tied maxima: only the first in row-major order gets the gradient, as in PyTorch."""
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 3.0, 3.0],
                    [0.0, 0.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0]]]])
    shape = pool.max_pool2d(x, 2, stride).shape
    dout = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    check_pool(learner, "max", dout, x, 2, stride)


@points(1)
def test_max_constant_map_ties_everywhere(learner):
    """On a constant map every cell ties; each window's gradient goes to its top-left cell."""
    dout = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, ::2, ::2] = dout[0, 0]
    check_pool(learner, "max", dout, np.zeros((1, 1, 4, 4)), 2, expected=expected)


@points(2)
def test_max_gradient_matches_central_differences(learner, rng):
    """dx agrees with numeric gradients on values far apart (no maximum changes place)."""
    x = rng.permutation(2 * 5 * 5).reshape(1, 2, 5, 5).astype(np.float64) * 0.5
    dout = rng.standard_normal((1, 2, 3, 3))
    numeric = numeric_gradient(lambda xs: batch_losses(dout, pool.max_pool2d(xs[:, 0], 3, 2, 1)), x)
    assert np.allclose(ref.max_pool2d_backward(dout, x, 3, 2, 1), numeric)  # guards the suite
    check_pool(learner, "max", dout, x, 3, 2, 1, expected=numeric,
               what=" against central differences")


@points(1)
@pytest.mark.parametrize("case", ["dout-shape", "padding-over-half"])
def test_max_invalid_arguments_raise_value_error(learner, case):
    """A dout of the wrong shape, or padding above half the kernel: ValueError."""
    x = np.ones((1, 1, 4, 4))
    args = (np.ones((1, 1, 3, 3)), x, 2) if case == "dout-shape" else (
        np.ones((1, 1, 3, 3)), x, 2, 1, 2)
    assert_raises("ValueError", learner.backward.max_pool2d_backward, args,
                  call=call_text("max_pool2d_backward", *args))


@st.composite
def pool_cases(draw):
    """Small pooling-backward calls with continuous inputs (no ties)."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2), (2, 1)]))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h, w = draw(st.integers(max(1, kh - 2 * ph), 6)), draw(st.integers(max(1, kw - 2 * pw), 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w))
    kernel, padding = _int_or_pair(kh, kw), _int_or_pair(ph, pw)
    sh, sw = (kh, kw) if stride is None else pair(stride)
    out = (*x.shape[:2], (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
    return rng.integers(-3, 4, size=out).astype(np.float64), x, kernel, stride, padding


@points(3)
@cheap_property_test
@given(case=pool_cases())
def test_max_on_generated_cases(learner, case):
    """max_pool2d_backward agrees with the reference on generated windows, strides, paddings."""
    dout, x, kernel, stride, padding = case
    check_pool(learner, "max", dout, x, kernel, stride, padding)


# --------------------------------------------------------------------------- avg_pool2d_backward

@points(1)
def test_avg_docstring_example(learner):
    """The docstring's example: one 2x2 window spreads its gradient over four cells."""
    check_pool(learner, "avg", np.array([[[[8.0]]]]), np.zeros((1, 1, 2, 2)), 2,
               expected=np.full((1, 1, 2, 2), 2.0))


@points(1)
def test_avg_side_by_side_windows(learner, rng):
    """Non-overlapping windows: each cell gets its window's dout / (KH * KW)."""
    check_pool(learner, "avg", *pool_case(rng, "avg", (2, 2, 6, 6), (2, 3)), (2, 3))


@points(1)
def test_avg_overlapping_windows_accumulate(learner, rng):
    """3x3 windows at stride 1: each cell sums the shares of every window over it."""
    check_pool(learner, "avg", *pool_case(rng, "avg", (1, 2, 5, 6), 3, 1), 3, 1)


@points(1)
@pytest.mark.parametrize("padding", [1, (0, 1)], ids=["1", "0x1"])
def test_avg_padding_counts_in_the_divisor(learner, rng, padding):
    """With padding, every window still divides by KH * KW; shares on padding are dropped."""
    check_pool(learner, "avg", *pool_case(rng, "avg", (2, 2, 5, 5), 3, 2, padding), 3, 2, padding)


@points(1)
def test_avg_gradient_matches_central_differences(learner, rng):
    """dx agrees with numeric gradients of sum(dout * avg_pool2d(x))."""
    x, dout = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((1, 2, 3, 3))
    numeric = numeric_gradient(lambda xs: batch_losses(dout, pool.avg_pool2d(xs[:, 0], 3, 2, 1)), x)
    assert np.allclose(ref.avg_pool2d_backward(dout, x, 3, 2, 1), numeric)  # guards the suite
    check_pool(learner, "avg", dout, x, 3, 2, 1, expected=numeric,
               what=" against central differences")


@points(1)
def test_avg_invalid_dout_shape_raises_value_error(learner):
    """A dout that is not avg_pool2d's output shape: ValueError."""
    args = (np.ones((1, 1, 2, 3)), np.ones((1, 1, 4, 4)), 2)
    assert_raises("ValueError", learner.backward.avg_pool2d_backward, args,
                  call=call_text("avg_pool2d_backward", *args))


@points(3)
@cheap_property_test
@given(case=pool_cases())
def test_avg_on_generated_cases(learner, case):
    """avg_pool2d_backward agrees with the reference on generated windows, strides, paddings."""
    dout, x, kernel, stride, padding = case
    check_pool(learner, "avg", dout, x, kernel, stride, padding)
