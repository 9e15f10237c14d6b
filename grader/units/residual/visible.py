"""Visible tests for residual.py: the block's structure and output shape.

The grader's hidden tests also load known weights into your block (by
name) and compare its outputs in train and eval mode.
"""
import torch
from torch import nn

from residual import ResidualBlock


def test_submodule_names():
    names = {name for name, _ in ResidualBlock(8, 8).named_children()}
    expected = {"conv1", "bn1", "conv2", "bn2", "shortcut"}
    assert expected <= names, f"missing submodule(s) {sorted(expected - names)}"


def test_convolutions():
    block = ResidualBlock(4, 8, stride=2)
    for name, conv, stride in (("conv1", block.conv1, (2, 2)), ("conv2", block.conv2, (1, 1))):
        assert isinstance(conv, nn.Conv2d), f"{name} should be an nn.Conv2d"
        assert conv.kernel_size == (3, 3) and conv.padding == (1, 1), f"{name}: 3x3, padding 1"
        assert conv.stride == stride, f"{name} should have stride {stride}, has {conv.stride}"
        assert conv.bias is None, f"{name} needs no bias (bias=False): a BatchNorm follows it"
    assert (block.conv1.in_channels, block.conv1.out_channels) == (4, 8)
    assert (block.conv2.in_channels, block.conv2.out_channels) == (8, 8)


def test_identity_shortcut_when_shapes_match():
    block = ResidualBlock(8, 8, stride=1)
    assert not list(block.shortcut.parameters()), "the shortcut should carry x unchanged"


def test_projection_shortcut_when_shapes_change():
    for args in ((8, 16, 1), (8, 8, 2)):
        shortcut = ResidualBlock(*args).shortcut
        kinds = [type(m) for m in shortcut.children()]
        assert kinds == [nn.Conv2d, nn.BatchNorm2d], (
            f"ResidualBlock{args}: the shortcut should be Sequential(Conv2d, BatchNorm2d)")
        conv = shortcut[0]
        assert conv.kernel_size == (1, 1) and conv.bias is None, "a 1x1 convolution, no bias"
        assert conv.stride == (args[2], args[2]), "the shortcut strides like conv1"


def test_state_dict_names_and_shapes():
    shapes = {k: tuple(v.shape) for k, v in ResidualBlock(4, 8, stride=2).state_dict().items()}
    bn = {"weight": (8,), "bias": (8,), "running_mean": (8,), "running_var": (8,),
          "num_batches_tracked": ()}
    expected = {"conv1.weight": (8, 4, 3, 3), "conv2.weight": (8, 8, 3, 3),
                "shortcut.0.weight": (8, 4, 1, 1)}
    for prefix in ("bn1", "bn2", "shortcut.1"):
        expected.update({f"{prefix}.{k}": v for k, v in bn.items()})
    missing = sorted(set(expected) - set(shapes))
    extra = sorted(set(shapes) - set(expected))
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"
    wrong = {k: shapes[k] for k in expected if shapes[k] != expected[k]}
    assert not wrong, f"wrong shapes: {wrong}"


def test_parameter_count():
    count = sum(p.numel() for p in ResidualBlock(64, 128, stride=2).parameters())
    # conv1 64*128*9 + conv2 128*128*9 + shortcut 64*128 + three BatchNorms 3 * 2*128
    assert count == 230_144, f"{count} parameters; torchvision's BasicBlock has 230,144"


def test_output_shape_and_final_relu():
    block = ResidualBlock(64, 128, stride=2)
    assert block(torch.zeros(1, 64, 32, 32)).shape == (1, 128, 16, 16), "the docstring's example"
    torch.manual_seed(0)
    out = ResidualBlock(4, 4).eval()(torch.randn(2, 4, 7, 5))
    assert out.shape == (2, 4, 7, 5), "stride 1 keeps the size"
    assert (out >= 0).all(), "the block ends with a ReLU, after the addition"
