"""Hidden tests for pooling.py: max, average and global average pooling."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.suites.diagnosis import by_id, diagnose
from grader.suites.reference import reference
from grader.suites.support import (CheckFailed, assert_array_matches, assert_raises, call_text,
                                   evidence, integer_arrays, points, property_test)

ref = reference("pooling")

# The docstrings' 4x4 feature map.
MAP = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 6]], float)[None, None]


def check(learner, func, x, *args, **kwargs):
    got = getattr(learner.pooling, func)(x, *args, **kwargs)
    expected = getattr(ref, func)(x, *args, **kwargs)
    assert_array_matches(got, expected, call=call_text(func, x, *args, **kwargs),
                         **evidence("pooling", func, x, *args, **kwargs))


def check_fixed(learner, func, x, *args, expected, **kwargs):
    assert_array_matches(getattr(ref, func)(x, *args, **kwargs), expected,
                         call="reference " + func)  # guards the suite itself
    assert_array_matches(getattr(learner.pooling, func)(x, *args, **kwargs), expected,
                         call=call_text(func, x, *args, **kwargs),
                         **evidence("pooling", func, x, *args, **kwargs))


# --------------------------------------------------------------------------- worked examples

@points(2)
def test_max_pool_worked_example(learner):
    """2x2 max pooling of the docstring's 4x4 map keeps the largest value of each block."""
    check_fixed(learner, "max_pool2d", MAP, 2, expected=np.array([[[[4.0, 5.0], [3.0, 7.0]]]]))


@points(2)
def test_avg_pool_worked_example(learner):
    """2x2 average pooling of the docstring's 4x4 map gives the mean of each block."""
    check_fixed(learner, "avg_pool2d", MAP, 2, expected=np.array([[[[2.5, 2.0], [1.5, 4.0]]]]))


@points(2)
def test_avg_pool_docstring_padding_example(learner):
    """Ones padded by 1 under a 3x3 window average to 4/9: the padded zeros count."""
    check_fixed(learner, "avg_pool2d", np.ones((1, 1, 2, 2)), 3, stride=1, padding=1,
                expected=np.full((1, 1, 2, 2), 4.0 / 9.0))


# --------------------------------------------------------------------------- windows and strides

@points(2)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_default_stride_is_the_kernel_size(learner, rng, func):
    """stride=None means windows sit side by side (stride = kernel_size)."""
    check(learner, func, rng.standard_normal((2, 3, 6, 6)), 3)


@points(2)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_default_stride_follows_a_pair_kernel(learner, rng, func):
    """With a (2, 3) kernel and stride=None, the stride is (2, 3) too."""
    check(learner, func, rng.standard_normal((1, 2, 6, 9)), (2, 3))


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_overlapping_windows(learner, rng, func):
    """Kernel 3 with stride 2 (AlexNet's pooling) overlaps the windows."""
    check(learner, func, rng.standard_normal((1, 2, 7, 7)), 3, stride=2)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_stride_larger_than_the_kernel(learner, rng, func):
    """Kernel 2 with stride 3 skips the cells between windows."""
    check(learner, func, rng.standard_normal((2, 1, 8, 7)), 2, stride=3)


@points(2)
@pytest.mark.parametrize("func, shape, kernel, stride", [
    ("max_pool2d", (2, 1, 7, 5), 2, None),
    ("avg_pool2d", (2, 1, 7, 5), 2, None),
    ("max_pool2d", (1, 2, 8, 8), 3, 2),
    ("avg_pool2d", (1, 2, 6, 9), (2, 4), (2, 3)),
], ids=["max-7x5-k2", "avg-7x5-k2", "max-8x8-k3-s2", "avg-6x9-k2x4-s2x3"])
def test_floor_mode_drops_incomplete_windows(learner, rng, func, shape, kernel, stride):
    """A window that would hang over the bottom or right edge is dropped (floor mode)."""
    check(learner, func, rng.standard_normal(shape), kernel, stride=stride)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("kernel, stride, padding", [((2, 3), (2, 1), (1, 0)),
                                                     ((3, 2), (1, 2), (0, 1))],
                         ids=["k2x3-s2x1-p1x0", "k3x2-s1x2-p0x1"])
def test_pair_arguments(learner, rng, func, kernel, stride, padding):
    """kernel_size, stride and padding may each be a (rows, columns) pair."""
    check(learner, func, rng.standard_normal((2, 2, 8, 9)), kernel, stride=stride,
          padding=padding)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_one_by_one_window_subsamples(learner, rng, func):
    """A 1x1 window with stride 2 keeps every other pixel."""
    check(learner, func, rng.standard_normal((1, 2, 5, 6)), 1, stride=2)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_window_as_large_as_the_map(learner, rng, func):
    """A window covering the whole map gives one value per channel, shape (N, C, 1, 1)."""
    check(learner, func, rng.standard_normal((3, 2, 4, 5)), (4, 5))


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_float32_and_batches(learner, rng, func):
    """Works on float32 batches with several channels, each channel on its own."""
    check(learner, func, rng.standard_normal((3, 4, 6, 4)).astype(np.float32), 2)


# --------------------------------------------------------------------------- padding

@points(2)
@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 1), (2, 1, 1), ((2, 3), 1, (1, 1))],
                         ids=["k3-s2-p1", "k2-s1-p1", "k2x3-s1-p1x1"])
def test_max_pool_padding_never_wins(learner, rng, kernel, stride, padding):
    """Max pooling pads with -inf: with all-negative inputs, a padded zero must never appear."""
    x = -np.abs(rng.standard_normal((1, 2, 5, 5))) - 1.0
    check(learner, "max_pool2d", x, kernel, stride=stride, padding=padding)


@points(2)
@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 1), (2, 2, 1), ((3, 4), 1, (0, 2))],
                         ids=["k3-s2-p1", "k2-s2-p1", "k3x4-s1-p0x2"])
def test_avg_pool_counts_padded_zeros(learner, rng, kernel, stride, padding):
    """Average pooling with padding divides by the full window size, padded zeros included."""
    x = np.abs(rng.standard_normal((2, 2, 5, 6))) + 1.0
    check(learner, "avg_pool2d", x, kernel, stride=stride, padding=padding)


@points(1)
@pytest.mark.parametrize("func, kwargs", [
    ("max_pool2d", {"kernel_size": 2, "padding": 2}),
    ("avg_pool2d", {"kernel_size": 3, "padding": 2}),
    ("max_pool2d", {"kernel_size": (2, 4), "padding": (1, 3)}),
    ("avg_pool2d", {"kernel_size": (3, 2), "padding": (2, 1)}),
    ("avg_pool2d", {"kernel_size": 1, "padding": 1}),
], ids=["max-k2-p2", "avg-k3-p2", "max-k2x4-p1x3", "avg-k3x2-p2x1", "avg-k1-p1"])
def test_padding_over_half_the_kernel_is_rejected(learner, rng, func, kwargs):
    """Padding more than half the kernel raises ValueError (a window could hold only padding)."""
    x = rng.standard_normal((1, 1, 6, 6))
    assert_raises("ValueError", getattr(learner.pooling, func), (x,), kwargs,
                  call=call_text(func, x, **kwargs),
                  diagnose=lambda v: diagnose(f"pooling.{func}", v, x, **kwargs))


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_padding_of_exactly_half_the_kernel_is_allowed(learner, rng, func):
    """Padding (1, 2) with a (3, 5) kernel is exactly half on each axis, so it is allowed."""
    check(learner, func, rng.standard_normal((1, 2, 5, 6)), (3, 5), stride=1, padding=(1, 2))


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_inputs_are_not_modified(learner, rng, func):
    """Pooling leaves its input x unchanged."""
    x = rng.standard_normal((2, 2, 4, 4))
    call = call_text(func, x, 2, padding=1)
    result = getattr(learner.pooling, func).detailed(x, 2, padding=1)
    if result.mutated:
        raise CheckFailed(f"{call} modified its input x in place",
                          diagnosis=by_id("pooling.modifies-input"))
    assert_array_matches(result.value, getattr(ref, func)(x, 2, padding=1), call=call,
                         **evidence("pooling", func, x, 2, padding=1))


# --------------------------------------------------------------------------- global average

@points(1)
def test_global_average_pooling_worked_example(learner):
    """The docstring's example: two 2x2 maps of 0..7 average to 1.5 and 5.5."""
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    expected = np.array([[1.5, 5.5]])
    assert_array_matches(learner.pooling.global_avg_pool2d(x), expected,
                         call=call_text("global_avg_pool2d", x),
                         **evidence("pooling", "global_avg_pool2d", x))


@points(2)
@pytest.mark.parametrize("shape", [(3, 5, 4, 6), (2, 3, 1, 1), (1, 1, 7, 2)],
                         ids=["3x5x4x6", "2x3x1x1", "1x1x7x2"])
def test_global_average_pooling_shape_and_values(learner, rng, shape):
    """global_avg_pool2d averages each whole map: (N, C, H, W) -> (N, C), no spatial axes left."""
    x = rng.standard_normal(shape)
    assert_array_matches(learner.pooling.global_avg_pool2d(x), ref.global_avg_pool2d(x),
                         call=call_text("global_avg_pool2d", x),
                         **evidence("pooling", "global_avg_pool2d", x))


@points(1)
def test_global_average_pooling_float32(learner, rng):
    """global_avg_pool2d works on float32 input, and leaves it unchanged."""
    x = rng.standard_normal((2, 3, 7, 7)).astype(np.float32)
    call = call_text("global_avg_pool2d", x)
    result = learner.pooling.global_avg_pool2d.detailed(x)
    if result.mutated:
        raise CheckFailed(f"{call} modified its input x in place",
                          diagnosis=by_id("pooling.modifies-input"))
    assert_array_matches(result.value, ref.global_avg_pool2d(x), call=call,
                         **evidence("pooling", "global_avg_pool2d", x))


# --------------------------------------------------------------------------- properties

@st.composite
def pool_cases(draw):
    """Small pooling calls: kernels, default or given strides, paddings up to half the kernel."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 6))
    w = draw(st.integers(max(1, kw - 2 * pw), 6))
    [x] = integer_arrays(draw, (draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w))
    kwargs = {"kernel_size": kh if kh == kw else (kh, kw)}
    if draw(st.booleans()):
        sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        kwargs["stride"] = sh if sh == sw else (sh, sw)
    if ph or pw:
        kwargs["padding"] = ph if ph == pw else (ph, pw)
    return x, kwargs


@points(2)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
@property_test
@given(case=pool_cases())
def test_pooling_on_generated_cases(learner, func, case):
    """Pooling agrees with the reference on generated shapes, windows, strides and paddings."""
    x, kwargs = case
    check(learner, func, x, **kwargs)
