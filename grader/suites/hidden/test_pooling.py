"""Hidden tests for pooling.py: max, average and global average pooling."""
import numpy as np
import pytest

from grader.reference import reference
from grader.suites.support import assert_array_matches, call_text, expect_raises, points

ref = reference("pooling")


def check(learner, func, x, *args, **kwargs):
    got = getattr(learner.pooling, func)(x, *args, **kwargs)
    expected = getattr(ref, func)(x, *args, **kwargs)
    assert_array_matches(got, expected, call=call_text(func, x, *args, **kwargs))


@points(2)
def test_max_pool_worked_example(learner):
    """2x2 max pooling of a 4x4 map keeps the largest value of each block."""
    x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 6]], float)[None, None]
    check(learner, "max_pool2d", x, 2)


@points(2)
def test_default_stride_is_the_kernel_size(learner, rng):
    """stride=None means windows do not overlap (stride = kernel_size)."""
    check(learner, "max_pool2d", rng.standard_normal((2, 3, 6, 6)), 3)
    check(learner, "avg_pool2d", rng.standard_normal((2, 3, 6, 6)), 3)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_overlapping_windows(learner, rng, func):
    """Kernel 3 with stride 2 (AlexNet's pooling) overlaps windows."""
    check(learner, func, rng.standard_normal((1, 2, 7, 7)), 3, stride=2)


@points(2)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_floor_mode_drops_incomplete_windows(learner, rng, func):
    """A window that would hang over the edge is dropped (floor mode)."""
    check(learner, func, rng.standard_normal((2, 1, 7, 5)), 2)


@points(2)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_pair_arguments(learner, rng, func):
    """kernel_size, stride and padding may each be a (rows, columns) pair."""
    check(learner, func, rng.standard_normal((2, 2, 8, 9)), (2, 3), stride=(2, 1),
          padding=(1, 0))


@points(2)
def test_max_pool_padding_never_wins(learner, rng):
    """Max pooling pads with -inf: with all-negative inputs, a padded zero must not appear."""
    x = -np.abs(rng.standard_normal((1, 2, 5, 5))) - 1.0
    check(learner, "max_pool2d", x, 3, stride=2, padding=1)


@points(2)
def test_avg_pool_counts_padded_zeros(learner, rng):
    """Average pooling with padding divides by the full window size, zeros included."""
    x = np.abs(rng.standard_normal((2, 2, 5, 5))) + 1.0
    check(learner, "avg_pool2d", x, 3, stride=2, padding=1)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_float32_and_batches(learner, rng, func):
    """Works on float32 batches with several channels."""
    check(learner, func, rng.standard_normal((3, 4, 6, 4)).astype(np.float32), 2)


@points(1)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_one_by_one_window_is_identity_or_subsampling(learner, rng, func):
    """A 1x1 window with stride 2 keeps every other pixel."""
    check(learner, func, rng.standard_normal((1, 2, 5, 6)), 1, stride=2)


@points(2)
@pytest.mark.parametrize("func", ["max_pool2d", "avg_pool2d"])
def test_inputs_are_not_modified(learner, rng, func):
    """Pooling leaves its input unchanged."""
    x = rng.standard_normal((2, 2, 4, 4))
    result = getattr(learner.pooling, func).detailed(x, 2, padding=1)
    assert_array_matches(result.value, getattr(ref, func)(x, 2, padding=1),
                         call=call_text(func, x, 2, padding=1))
    assert not result.mutated, f"{func} modified its input x in place"


@points(2)
def test_global_average_pooling_shape_and_values(learner, rng):
    """global_avg_pool2d averages each whole map: (N, C, H, W) -> (N, C)."""
    x = rng.standard_normal((3, 5, 4, 6))
    assert_array_matches(learner.pooling.global_avg_pool2d(x), ref.global_avg_pool2d(x),
                         call=call_text("global_avg_pool2d", x))


@points(1)
def test_global_average_pooling_float32(learner, rng):
    """global_avg_pool2d works on float32 input."""
    x = rng.standard_normal((2, 3, 7, 7)).astype(np.float32)
    assert_array_matches(learner.pooling.global_avg_pool2d(x), ref.global_avg_pool2d(x),
                         call=call_text("global_avg_pool2d", x))


@points(1)
@pytest.mark.parametrize("func, kwargs", [
    ("max_pool2d", {"kernel_size": 2, "padding": 2}),
    ("avg_pool2d", {"kernel_size": 3, "padding": 2}),
    ("max_pool2d", {"kernel_size": (2, 4), "padding": (1, 3)}),
])
def test_padding_over_half_the_kernel_is_rejected(learner, rng, func, kwargs):
    """Padding more than half the kernel raises ValueError (a window could be all padding)."""
    x = rng.standard_normal((1, 1, 6, 6))
    with expect_raises("ValueError", call=call_text(func, x, **kwargs)):
        getattr(learner.pooling, func)(x, **kwargs)
