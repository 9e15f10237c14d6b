"""Visible tests for params.py. The grader's hidden tests check many more cases."""
from layers import (AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, GlobalAvgPool2d, Linear,
                    MaxPool2d, ReLU)
from params import conv2d_params, count_params, linear_params


def test_the_lessons_numbers():
    assert conv2d_params(3, 64, 3) == 1792, "64 filters * (3*3*3 weights + 1 bias)"
    assert conv2d_params(3, 16, 5) == 1216, "16 filters * (3*5*5 weights + 1 bias)"


def test_rectangular_kernels_and_no_bias():
    assert conv2d_params(3, 64, (3, 1), bias=False) == 576, "64 filters * 3*3*1 weights"
    assert conv2d_params(5, 9, (2, 7)) == 639, "9 filters * (5*2*7 weights + 1 bias)"


def test_linear_layer():
    assert linear_params(400, 120) == 48120, "400*120 weights + 120 biases"
    assert linear_params(400, 120, bias=False) == 48000, "only the weights"


def test_a_small_stack():
    stack = [Conv2d(3, 8, 3, bias=False), BatchNorm2d(8), ReLU(), MaxPool2d(2)]
    assert count_params(stack) == 232, (
        "216 conv weights + 2*8 for BatchNorm; ReLU and pooling learn nothing")


def test_layers_without_parameters():
    stack = [ReLU(), MaxPool2d(2), AvgPool2d(2), Dropout(), Flatten(), GlobalAvgPool2d()]
    assert count_params(stack) == 0, "activations, pooling, Dropout and Flatten learn nothing"


def test_lenet5():
    lenet5 = [Conv2d(1, 6, 5), ReLU(), AvgPool2d(2), Conv2d(6, 16, 5), ReLU(), AvgPool2d(2),
              Flatten(), Linear(400, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10)]
    assert count_params(lenet5) == 61706, "156 + 2,416 + 48,120 + 10,164 + 850"
