"""Famous networks as layer-spec lists, for parameter counts and receptive fields.

Layouts follow torchvision where it has the network (AlexNet, VGG-16), and
the classic paper for LeNet-5.
"""
from __future__ import annotations

from grader.sandbox.inside import layers as L


def three_3x3() -> list:
    """Three stacked 3x3 convolutions (stride 1): receptive field 7."""
    return [L.Conv2d(64, 64, 3, padding=1), L.ReLU()] * 3


def lenet5() -> list:
    """LeNet-5 on 32x32 grey images: 61,706 parameters."""
    return [L.Conv2d(1, 6, 5), L.ReLU(), L.AvgPool2d(2),
            L.Conv2d(6, 16, 5), L.ReLU(), L.AvgPool2d(2),
            L.Flatten(), L.Linear(400, 120), L.ReLU(), L.Linear(120, 84), L.ReLU(),
            L.Linear(84, 10)]


def alexnet_features() -> list:
    """AlexNet's convolutional part (torchvision layout): receptive field 195."""
    return [L.Conv2d(3, 64, 11, stride=4, padding=2), L.ReLU(), L.MaxPool2d(3, stride=2),
            L.Conv2d(64, 192, 5, padding=2), L.ReLU(), L.MaxPool2d(3, stride=2),
            L.Conv2d(192, 384, 3, padding=1), L.ReLU(),
            L.Conv2d(384, 256, 3, padding=1), L.ReLU(),
            L.Conv2d(256, 256, 3, padding=1), L.ReLU(), L.MaxPool2d(3, stride=2)]


def alexnet() -> list:
    """AlexNet as torchvision builds it: 61,100,840 parameters."""
    return alexnet_features() + [
        L.Flatten(), L.Dropout(), L.Linear(256 * 6 * 6, 4096), L.ReLU(),
        L.Dropout(), L.Linear(4096, 4096), L.ReLU(), L.Linear(4096, 1000)]


_VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"]


def vgg16_features() -> list:
    """VGG-16's convolutional part (configuration D): receptive field 212."""
    out: list = []
    channels = 3
    for item in _VGG16:
        if item == "M":
            out.append(L.MaxPool2d(2, stride=2))
        else:
            assert isinstance(item, int)
            out += [L.Conv2d(channels, item, 3, padding=1), L.ReLU()]
            channels = item
    return out


def vgg16() -> list:
    """VGG-16 as torchvision builds it (no batch norm): 138,357,544 parameters."""
    return vgg16_features() + [
        L.Flatten(), L.Linear(512 * 7 * 7, 4096), L.ReLU(), L.Dropout(),
        L.Linear(4096, 4096), L.ReLU(), L.Dropout(), L.Linear(4096, 1000)]


ARCHITECTURES = {"three_3x3": three_3x3, "lenet5": lenet5, "alexnet_features": alexnet_features,
                 "alexnet": alexnet, "vgg16_features": vgg16_features, "vgg16": vgg16}
