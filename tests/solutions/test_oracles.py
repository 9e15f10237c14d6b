"""The reference solutions against independent oracles.

torch.nn.functional for convolution and pooling, the parameter count of the
equivalent torch modules, an empirical receptive field measured by gradients,
and an independently written torch block for the residual.
"""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader import architectures as arch
from grader import layers as L
from grader.reference import reference

conv, pooling, params, rf, residual = (reference(n) for n in
                                       ("conv", "pooling", "params", "receptive_field", "residual"))
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


@st.composite
def conv_cases(draw):
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)),
                             st.just("valid"), st.just("same")))
    if padding == "same":
        stride = 1
    h, w = draw(st.integers(kh, kh + 6)), draw(st.integers(kw, kw + 6))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    bias = draw(st.booleans())
    return n, c_in, c_out, kh, kw, h, w, stride, padding, dtype, bias


@SETTINGS
@given(conv_cases())
def test_conv2d_matches_torch(case):
    n, c_in, c_out, kh, kw, h, w, stride, padding, dtype, use_bias = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c_in, h, w)).astype(dtype)
    wt = rng.standard_normal((c_out, c_in, kh, kw)).astype(dtype)
    b = rng.standard_normal(c_out).astype(dtype) if use_bias else None
    x0, w0 = x.copy(), wt.copy()
    got = conv.conv2d(x, wt, b, stride=stride, padding=padding)
    with warnings.catch_warnings():
        # torch notes that 'same' with an even kernel copies the input; harmless here.
        warnings.filterwarnings("ignore", message="Using padding='same'")
        expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(wt),
                            None if b is None else torch.from_numpy(b), stride=stride,
                            padding=padding).numpy()
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    assert got.dtype == dtype
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(wt, w0)


@SETTINGS
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3),
       st.integers(1, 3))
def test_conv_output_size_matches_torch_shapes(n, k, s, p, d):
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError):
            conv.conv_output_size(n, k, s, p, d)
        return
    out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1),
                   padding=(p, 0), dilation=(d, 1))
    assert conv.conv_output_size(n, k, s, p, d) == out.shape[2]


@pytest.mark.parametrize("kwargs", [dict(stride=2, padding="same"), dict(padding="full")])
def test_conv2d_rejects_bad_padding(kwargs):
    with pytest.raises(ValueError):
        conv.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), **kwargs)


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h, w = draw(st.integers(kh, kh + 6)), draw(st.integers(kw, kw + 6))
    return kh, kw, stride, (ph, pw), h, w


@SETTINGS
@given(pool_cases())
def test_pooling_matches_torch(case):
    kh, kw, stride, padding, h, w = case
    x = np.random.default_rng(1).standard_normal((2, 3, h, w))
    t = torch.from_numpy(x)
    np.testing.assert_allclose(pooling.max_pool2d(x, (kh, kw), stride, padding),
                               F.max_pool2d(t, (kh, kw), stride, padding).numpy())
    np.testing.assert_allclose(pooling.avg_pool2d(x, (kh, kw), stride, padding),
                               F.avg_pool2d(t, (kh, kw), stride, padding).numpy(), rtol=1e-12)
    np.testing.assert_allclose(pooling.global_avg_pool2d(x),
                               F.adaptive_avg_pool2d(t, 1).numpy()[:, :, 0, 0])


def test_pooling_rejects_padding_over_half_the_kernel():
    with pytest.raises(ValueError):
        pooling.max_pool2d(np.zeros((1, 1, 6, 6)), 2, padding=2)


def torch_module(spec):
    kind = type(spec).__name__
    if kind == "Conv2d":
        return nn.Conv2d(spec.in_channels, spec.out_channels, spec.kernel_size, spec.stride,
                         spec.padding, spec.dilation, bias=spec.bias, device="meta")
    if kind == "Linear":
        return nn.Linear(spec.in_features, spec.out_features, bias=spec.bias, device="meta")
    if kind == "BatchNorm2d":
        return nn.BatchNorm2d(spec.num_features, device="meta")
    return nn.Identity()  # parameter-free layers


@pytest.mark.parametrize("name, expected", [("lenet5", 61_706), ("alexnet", 61_100_840),
                                            ("vgg16", 138_357_544)])
def test_parameter_counts_match_torch_modules(name, expected):
    stack = arch.ARCHITECTURES[name]()
    oracle = sum(p.numel() for s in stack for p in torch_module(s).parameters() if p.requires_grad)
    assert params.count_params(stack) == oracle == expected


def test_the_lessons_layer_counts():
    assert params.conv2d_params(3, 64, 3) == 1_792
    assert params.conv2d_params(3, 16, 5) == 1_216
    stack = [L.Conv2d(3, 16, (3, 5), bias=False), L.BatchNorm2d(16), L.Linear(16, 4)]
    assert params.count_params(stack) == sum(
        p.numel() for s in stack for p in torch_module(s).parameters())


def empirical_rf(stack, size=64):
    """Extent of input pixels that get gradient from the centre output unit."""
    mods = []
    for s in stack:
        kind = type(s).__name__
        if kind == "Conv2d":
            m = nn.Conv2d(1, 1, s.kernel_size, s.stride, 0, s.dilation, bias=False)
            nn.init.constant_(m.weight, 1.0)
        elif kind in ("MaxPool2d", "AvgPool2d"):  # avg pooling spreads gradient to every cell
            m = nn.AvgPool2d(s.kernel_size, s.stride)
        else:
            m = nn.Identity()
        mods.append(m)
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    y = nn.Sequential(*mods).double()(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    return int(rows.max() - rows.min() + 1)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["conv", "max", "avg"]), st.integers(1, 4),
                          st.integers(1, 2), st.integers(1, 2)), min_size=1, max_size=4))
def test_receptive_field_matches_gradient_extent(layers):
    stack = []
    for kind, k, s, d in layers:
        if kind == "conv":
            stack.append(L.Conv2d(1, 1, k, stride=s, dilation=d))
        elif kind == "max":
            stack.append(L.MaxPool2d(k, stride=s))
        else:
            stack.append(L.AvgPool2d(k, stride=s))
    stack.append(L.ReLU())
    assert rf.receptive_field(stack) == empirical_rf(stack)
    assert rf.effective_stride(stack) == math.prod(
        (l.stride if l.stride is not None else l.kernel_size) for l in stack if hasattr(l, "kernel_size"))


def test_famous_receptive_fields():
    assert rf.receptive_field(arch.three_3x3()) == 7 == empirical_rf(arch.three_3x3(), 32)
    assert rf.receptive_field(arch.alexnet_features()) == 195
    assert rf.receptive_field(arch.vgg16_features()) == 212
    assert rf.receptive_field(arch.vgg16_features()) == empirical_rf(arch.vgg16_features(), 512)


@pytest.mark.parametrize("layer", [L.Linear(4, 2), L.Flatten(), L.GlobalAvgPool2d()])
def test_receptive_field_rejects_whole_input_layers(layer):
    with pytest.raises(ValueError):
        rf.receptive_field([L.Conv2d(1, 1, 3), layer])


class BasicBlock(nn.Module):
    """Written from torchvision's description, independently of the solution."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


@pytest.mark.parametrize("c_in, c_out, stride", [(8, 8, 1), (4, 8, 1), (8, 8, 2), (3, 16, 2)])
@pytest.mark.parametrize("train", [True, False])
def test_residual_block_matches_basic_block(c_in, c_out, stride, train):
    torch.manual_seed(0)
    theirs = BasicBlock(c_in, c_out, stride)
    for m in theirs.modules():
        if isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias)
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 1.5)
    state = {k.replace("downsample", "shortcut"): v for k, v in theirs.state_dict().items()}
    mine = residual.ResidualBlock(c_in, c_out, stride)
    assert {k: v.shape for k, v in mine.state_dict().items()} == {k: v.shape for k, v in state.items()}
    mine.load_state_dict(state)
    x = torch.randn(2, c_in, 7, 6)
    mine.train(train)
    theirs.train(train)
    with torch.no_grad():
        torch.testing.assert_close(mine(x), theirs(x))
    assert sum(p.numel() for p in mine.parameters()) == sum(p.numel() for p in theirs.parameters())
