"""Visible tests for params.py. The grader's hidden tests check many more cases."""
from layers import BatchNorm2d, Conv2d, MaxPool2d, ReLU
from params import conv2d_params, count_params, linear_params


def test_the_lessons_numbers():
    assert conv2d_params(3, 64, 3) == 1792, "64 filters * (3*3*3 weights + 1 bias)"
    assert conv2d_params(3, 16, 5) == 1216


def test_linear_layer():
    assert linear_params(400, 120) == 48120
    assert linear_params(400, 120, bias=False) == 48000


def test_a_small_stack():
    stack = [Conv2d(3, 8, 3, bias=False), BatchNorm2d(8), ReLU(), MaxPool2d(2)]
    assert count_params(stack) == 232, "216 conv weights + 16 for BatchNorm; ReLU and pooling learn nothing"
