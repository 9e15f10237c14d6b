"""Visible tests for receptive_field.py. The grader's hidden tests check many more cases."""
import pytest

from layers import (BatchNorm2d, Conv2d, Dropout, Flatten, GlobalAvgPool2d, Linear, MaxPool2d,
                    ReLU)
from receptive_field import effective_stride, receptive_field


def test_stacked_3x3_convolutions():
    assert receptive_field([Conv2d(3, 8, 3)]) == 3, "one 3x3 layer sees 3x3 pixels"
    assert receptive_field([Conv2d(3, 8, 3), Conv2d(8, 8, 3)]) == 5, "each 3x3 layer adds 2"
    assert receptive_field([Conv2d(3, 8, 3), Conv2d(8, 8, 3), Conv2d(8, 8, 3)]) == 7


def test_pooling_makes_later_layers_grow_faster():
    assert receptive_field([Conv2d(3, 8, 3), MaxPool2d(2), Conv2d(8, 8, 3)]) == 8, (
        "3, then +1 for the 2x2 pool, then +2*2 = 4 because the jump is now 2 "
        "(a pool with stride=None strides by its kernel)")


def test_dilation_spreads_the_kernel():
    assert receptive_field([Conv2d(3, 8, 3, dilation=2)]) == 5, (
        "a 3x3 kernel with dilation 2 spans 2*(3-1)+1 = 5 pixels")


def test_pass_through_layers_change_nothing():
    stack = [Conv2d(3, 8, 3), BatchNorm2d(8), ReLU(), Dropout(), Conv2d(8, 8, 3)]
    assert receptive_field(stack) == 5, "ReLU, BatchNorm2d and Dropout work pixel by pixel"


def test_effective_stride():
    assert effective_stride([Conv2d(3, 8, 3, stride=2), MaxPool2d(2)]) == 4, "2 * 2"
    assert effective_stride([Conv2d(3, 8, 3), ReLU()]) == 1, "stride 1 everywhere"


@pytest.mark.parametrize("layer", [Linear(8, 2), Flatten(), GlobalAvgPool2d()],
                         ids=["Linear", "Flatten", "GlobalAvgPool2d"])
def test_layers_that_see_everything_raise(layer):
    with pytest.raises(ValueError):
        receptive_field([Conv2d(3, 8, 3), layer])
    with pytest.raises(ValueError):
        effective_stride([Conv2d(3, 8, 3), layer])
