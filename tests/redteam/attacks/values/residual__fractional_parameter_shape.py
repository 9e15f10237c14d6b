"""Attack: a residual block whose named_parameters reports a shape of (1.5,).

The block itself is right; only what it reports about one parameter lies.
The grader must blame the learner (those tests fail), not its own suite.
"""
import torch
from torch import nn


class FakeParameter:
    shape = (1.5,)


class ResidualBlock(nn.Module):
    """out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    (N, C_in, H, W) -> (N, C_out, H_out, W_out), H_out = ceil(H / stride).
    The block learns only the residual F(x); the shortcut carries x itself,
    or a 1x1 strided projection of it when the shapes would not match.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual branch plus shortcut, then ReLU: (N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))

    def named_parameters(self, *args, **kwargs):
        for name, p in super().named_parameters(*args, **kwargs):
            yield name, (FakeParameter() if name == "bn1.weight" else p)
