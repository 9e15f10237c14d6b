"""bug: counts BatchNorm's running mean and variance as parameters (4C)."""
from layers import (AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, GlobalAvgPool2d, Linear,
                    MaxPool2d, ReLU)


def conv2d_params(in_channels, out_channels, kernel_size, bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)


def linear_params(in_features, out_features, bias=True):
    return in_features * out_features + (out_features if bias else 0)


def count_params(layers):
    total = 0
    for layer in layers:
        if isinstance(layer, Conv2d):
            total += conv2d_params(layer.in_channels, layer.out_channels, layer.kernel_size,
                                   layer.bias)
        elif isinstance(layer, Linear):
            total += linear_params(layer.in_features, layer.out_features, layer.bias)
        elif isinstance(layer, BatchNorm2d):
            total += 4 * layer.num_features
        elif not isinstance(layer, (ReLU, MaxPool2d, AvgPool2d, Flatten, Dropout, GlobalAvgPool2d)):
            raise ValueError(f"unknown layer {layer!r}")
    return total
