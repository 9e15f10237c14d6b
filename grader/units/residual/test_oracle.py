"""solutions/residual.py against an independently written BasicBlock.

torchvision is not installed, so its BasicBlock (expansion 1, no groups or
dilation) is written out here; only its ``downsample`` is named ``shortcut``
in the solution.
"""
import pytest
import torch
from torch import nn

from grader.suites.reference import reference

residual = reference("residual")
CASES = [(8, 8, 1), (4, 8, 1), (8, 8, 2), (3, 16, 2), (16, 8, 2)]


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


def renamed(state):
    return {k.replace("downsample.", "shortcut."): v for k, v in state.items()}


def pair(c_in, c_out, stride):
    """The solution's block and a BasicBlock holding the same, non-default, state."""
    torch.manual_seed(0)
    theirs = BasicBlock(c_in, c_out, stride).double()
    for m in theirs.modules():
        if isinstance(m, nn.BatchNorm2d):  # defaults (1, 0, 0, 1) would hide mix-ups
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias)
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 1.5)
    mine = residual.ResidualBlock(c_in, c_out, stride).double()
    mine.load_state_dict(renamed(theirs.state_dict()))
    return mine, theirs


@pytest.mark.parametrize("c_in, c_out, stride", CASES)
def test_same_state_dict_keys_and_shapes(c_in, c_out, stride):
    mine = residual.ResidualBlock(c_in, c_out, stride)
    theirs = BasicBlock(c_in, c_out, stride)
    assert ({k: v.shape for k, v in mine.state_dict().items()}
            == {k: v.shape for k, v in renamed(theirs.state_dict()).items()})
    assert ({k: v.shape for k, v in mine.named_parameters()}
            == {k: v.shape for k, v in renamed(dict(theirs.named_parameters())).items()})
    assert (sum(p.numel() for p in mine.parameters() if p.requires_grad)
            == sum(p.numel() for p in theirs.parameters()))


@pytest.mark.parametrize("c_in, c_out, stride", CASES)
@pytest.mark.parametrize("train", [True, False])
def test_same_outputs_gradients_and_running_stats(c_in, c_out, stride, train):
    mine, theirs = pair(c_in, c_out, stride)
    mine.train(train)
    theirs.train(train)
    x = torch.randn(3, c_in, 7, 6, dtype=torch.float64)
    x_mine, x_theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out_mine, out_theirs = mine(x_mine), theirs(x_theirs)
    assert out_mine.shape == (3, c_out, -(-7 // stride), -(-6 // stride))  # ceil(H / stride)
    torch.testing.assert_close(out_mine, out_theirs)
    weights = torch.randn_like(out_mine)
    (out_mine * weights).sum().backward()
    (out_theirs * weights).sum().backward()
    torch.testing.assert_close(x_mine.grad, x_theirs.grad)
    grads = {k: p.grad for k, p in renamed(dict(theirs.named_parameters())).items()}
    for name, p in mine.named_parameters():
        torch.testing.assert_close(p.grad, grads[name], msg=name)
    # In training mode both blocks updated their running statistics alike.
    torch.testing.assert_close(mine.state_dict(), renamed(theirs.state_dict()))


def test_input_is_left_alone():
    mine, _ = pair(8, 8, 1)
    x = torch.randn(2, 8, 5, 5, dtype=torch.float64)
    x0 = x.clone()
    mine.eval()(x)
    torch.testing.assert_close(x, x0)


@pytest.mark.parametrize("c_in, c_out, stride, identity", [
    (8, 8, 1, True), (4, 8, 1, False), (8, 8, 2, False), (8, 4, 1, False)])
def test_submodules_as_the_contract_names_them(c_in, c_out, stride, identity):
    block = residual.ResidualBlock(c_in, c_out, stride)
    for conv, s, c in ((block.conv1, stride, c_in), (block.conv2, 1, c_out)):
        assert isinstance(conv, nn.Conv2d)
        assert (conv.in_channels, conv.out_channels) == (c, c_out)
        assert (conv.kernel_size, conv.stride, conv.padding, conv.bias) == ((3, 3), (s, s),
                                                                             (1, 1), None)
    assert isinstance(block.bn1, nn.BatchNorm2d) and isinstance(block.bn2, nn.BatchNorm2d)
    if identity:
        assert isinstance(block.shortcut, nn.Identity)
    else:
        proj, bn = block.shortcut
        assert isinstance(proj, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)
        assert (proj.kernel_size, proj.stride, proj.bias) == ((1, 1), (stride, stride), None)


def test_identity_shortcut_adds_the_input_back():
    """With the residual branch silenced (bn2 scale 0), the block is relu(x)."""
    block = residual.ResidualBlock(4, 4).eval()
    nn.init.zeros_(block.bn2.weight)
    nn.init.zeros_(block.bn2.bias)
    x = torch.randn(2, 4, 5, 5)
    torch.testing.assert_close(block(x), torch.relu(x))
