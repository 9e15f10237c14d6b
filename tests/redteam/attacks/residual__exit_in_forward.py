"""Attack: a residual block that kills its process in forward and lies in named_parameters."""
import os
from torch import nn

class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        os._exit(9)

    def forward(self, x):
        os._exit(9)
