"""ok: the residual branch run as a loop over its layers, all stored as named attributes."""
import torch
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        needs_projection = stride != 1 or in_channels != out_channels
        self.shortcut = (nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride,
                                                 bias=False),
                                       nn.BatchNorm2d(out_channels))
                         if needs_projection else nn.Identity())

    def branch(self):
        # The layers are registered once, as attributes; this tuple only orders
        # them, so state_dict keys stay conv1.weight, bn1.running_mean, ...
        return (self.conv1, self.bn1, torch.relu, self.conv2, self.bn2)

    def forward(self, x):
        out = x
        for layer in self.branch():
            out = layer(out)
        return torch.relu(out + self.shortcut(x))
