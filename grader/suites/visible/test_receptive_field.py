"""Visible tests for receptive_field.py. The grader's hidden tests check many more cases."""
import pytest

from layers import Conv2d, Linear, MaxPool2d
from receptive_field import effective_stride, receptive_field


def test_stacked_3x3_convolutions():
    assert receptive_field([Conv2d(3, 8, 3)]) == 3
    assert receptive_field([Conv2d(3, 8, 3), Conv2d(8, 8, 3)]) == 5
    assert receptive_field([Conv2d(3, 8, 3), Conv2d(8, 8, 3), Conv2d(8, 8, 3)]) == 7


def test_pooling_makes_later_layers_grow_faster():
    assert receptive_field([Conv2d(3, 8, 3), MaxPool2d(2), Conv2d(8, 8, 3)]) == 8


def test_effective_stride():
    assert effective_stride([Conv2d(3, 8, 3, stride=2), MaxPool2d(2)]) == 4


def test_linear_layers_have_no_finite_field():
    with pytest.raises(ValueError):
        receptive_field([Conv2d(3, 8, 3), Linear(8, 2)])
