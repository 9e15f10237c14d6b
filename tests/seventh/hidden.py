"""Hidden tests for flatten_size.py."""
import pytest

from grader.suites.diagnosis import diagnose
from grader.suites.reference import reference
from grader.suites.support import assert_int_equals, call_text, points

ref = reference("flatten_size")


def check(learner, c, h, w):
    got = learner.flatten_size.flatten_size(c, h, w)
    assert_int_equals(got, ref.flatten_size(c, h, w), call=call_text("flatten_size", c, h, w),
                      diagnose=lambda v: diagnose("flatten_size.flatten_size", v, c, h, w))


@points(2)
@pytest.mark.parametrize("c, h, w", [(512, 7, 7), (16, 5, 5)])
def test_worked_examples(learner, c, h, w):
    """VGG-16's last feature map and LeNet-5's: C * H * W numbers."""
    check(learner, c, h, w)


@points(2)
def test_random_maps(learner, rng):
    """Random channel counts and sizes, drawn per learner."""
    for _ in range(5):
        check(learner, *(int(v) for v in rng.integers(1, 40, size=3)))


@points(1)
def test_one_channel(learner):
    """A single-channel map (a grey image) flattens to H * W numbers."""
    check(learner, 1, 28, 28)
