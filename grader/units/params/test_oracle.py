"""solutions/params.py against the parameters of the equivalent torch modules.

The torch modules live on the meta device: shapes without storage, so even
VGG-16's 25088 x 4096 layer costs no memory or time.
"""
import ast
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader.suites import architectures as arch
from grader.sandbox.inside import layers as L
from grader.paths import EXERCISES_DIR
from grader.suites.reference import reference

params = reference("params")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)
META = "meta"


def torch_module(spec) -> nn.Module:
    """The torch.nn module a layer spec describes."""
    kind = type(spec).__name__
    if kind == "Conv2d":
        return nn.Conv2d(spec.in_channels, spec.out_channels, spec.kernel_size, spec.stride,
                         spec.padding, spec.dilation, bias=spec.bias, device=META)
    if kind == "Linear":
        return nn.Linear(spec.in_features, spec.out_features, bias=spec.bias, device=META)
    if kind == "BatchNorm2d":
        return nn.BatchNorm2d(spec.num_features, device=META)
    if kind == "MaxPool2d":
        return nn.MaxPool2d(spec.kernel_size, spec.stride, spec.padding, spec.dilation)
    if kind == "AvgPool2d":
        return nn.AvgPool2d(spec.kernel_size, spec.stride, spec.padding)
    if kind == "GlobalAvgPool2d":
        return nn.AdaptiveAvgPool2d(1)
    return {"ReLU": nn.ReLU, "Flatten": nn.Flatten, "Dropout": nn.Dropout}[kind]()


def torch_count(stack) -> int:
    model = nn.Sequential(*(torch_module(s) for s in stack))
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_the_lessons_conv_layers():
    assert params.conv2d_params(3, 64, 3) == 1_792 == torch_count([L.Conv2d(3, 64, 3)])
    # The lesson's quiz: padding='same' and stride change nothing.
    layer = L.Conv2d(3, 16, 5, padding=2)
    assert params.conv2d_params(3, 16, 5) == 1_216 == torch_count([layer])
    assert params.count_params([layer]) == 1_216


def test_the_lessons_fully_connected_layer():
    assert params.linear_params(224 * 224 * 3, 1000) == 150_529_000
    assert torch_count([L.Linear(150_528, 1000)]) == 150_529_000


@pytest.mark.parametrize("name, expected", [
    ("lenet5", 61_706), ("alexnet", 61_100_840), ("vgg16", 138_357_544)])
def test_famous_networks(name, expected):
    stack = arch.ARCHITECTURES[name]()
    got = params.count_params(stack)
    assert type(got) is int
    assert got == torch_count(stack) == expected


@SETTINGS
@given(c_in=st.integers(1, 64), c_out=st.integers(1, 64),
       kernel=st.one_of(st.integers(1, 7), st.tuples(st.integers(1, 7), st.integers(1, 7))),
       bias=st.booleans())
def test_conv2d_params_matches_torch(c_in, c_out, kernel, bias):
    got = params.conv2d_params(c_in, c_out, kernel, bias=bias)
    assert type(got) is int
    assert got == torch_count([L.Conv2d(c_in, c_out, kernel, bias=bias)])


@SETTINGS
@given(n_in=st.integers(1, 5000), n_out=st.integers(1, 5000), bias=st.booleans())
def test_linear_params_matches_torch(n_in, n_out, bias):
    got = params.linear_params(n_in, n_out, bias=bias)
    assert type(got) is int and got == torch_count([L.Linear(n_in, n_out, bias=bias)])


def test_numpy_integers_count_as_ints():
    got = params.conv2d_params(np.int64(3), np.int32(64), (np.int64(3), np.int8(3)))
    assert type(got) is int and got == 1_792
    got = params.linear_params(np.int64(400), np.int16(120), bias=np.bool_(True))
    assert type(got) is int and got == 48_120
    assert params.count_params([L.BatchNorm2d(np.int64(8))]) == 16


layer_specs = st.one_of(
    st.builds(L.Conv2d, st.integers(1, 32), st.integers(1, 32),
              st.one_of(st.integers(1, 5), st.tuples(st.integers(1, 5), st.integers(1, 5))),
              stride=st.integers(1, 2), padding=st.integers(0, 2), dilation=st.integers(1, 2),
              bias=st.booleans()),
    st.builds(L.Linear, st.integers(1, 512), st.integers(1, 512), bias=st.booleans()),
    st.builds(L.BatchNorm2d, st.integers(1, 256)),
    st.builds(L.MaxPool2d, st.integers(2, 3), st.sampled_from([None, 1, 2])),
    st.builds(L.AvgPool2d, st.integers(2, 3), st.sampled_from([None, 1, 2])),
    st.sampled_from([L.ReLU(), L.Flatten(), L.Dropout(), L.Dropout(0.1), L.GlobalAvgPool2d()]),
)


@SETTINGS
@given(stack=st.lists(layer_specs, max_size=8))
def test_count_params_matches_torch(stack):
    assert params.count_params(stack) == torch_count(stack)


def test_batchnorm_running_statistics_are_not_parameters():
    bn = nn.BatchNorm2d(64, device=META)
    assert sum(b.numel() for b in bn.buffers()) > 0  # running mean, var, batch count
    assert params.count_params([L.BatchNorm2d(64)]) == 128 == torch_count([L.BatchNorm2d(64)])


def test_parameter_free_layers_and_the_empty_stack():
    stack = [L.ReLU(), L.MaxPool2d(2), L.AvgPool2d(3, 1, 1), L.Flatten(), L.Dropout(),
             L.GlobalAvgPool2d()]
    assert params.count_params(stack) == 0 == torch_count(stack)
    assert params.count_params([]) == 0
    assert params.count_params(iter([L.Linear(2, 3)])) == 9  # any iterable of specs


def test_unknown_layer_type_is_named_in_the_error():
    @dataclass(frozen=True)
    class Conv3d:
        in_channels: int = 1
        out_channels: int = 1
        kernel_size: int = 3

    with pytest.raises(ValueError, match="Conv3d"):
        params.count_params([L.ReLU(), Conv3d()])


@pytest.fixture(scope="module")
def learner_layers():
    """exercises/layers.py, the copy a learner's process builds its specs from.

    Its classes are distinct from grader.sandbox.inside.layers', so a solution that tested
    isinstance against one would reject the other.
    """
    spec = importlib.util.spec_from_file_location("_params_oracle_learner_layers",
                                                  EXERCISES_DIR / "layers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_specs_from_the_learners_copy_of_layers_count_the_same(learner_layers):
    assert learner_layers.Conv2d is not L.Conv2d
    stack = [getattr(learner_layers, type(s).__name__)(**vars(s)) for s in arch.alexnet()]
    assert params.count_params(stack) == 61_100_840


def imports_of(module) -> set[str]:
    """Top-level modules a solution file imports, read from its source."""
    tree = ast.parse(Path(module.__file__).read_text())
    return {(node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names}


@pytest.mark.parametrize("name", ["params", "receptive_field"])
def test_dispatch_modules_import_neither_layers_nor_torch(name):
    """Both match layers by class name (see params.py), so they need no layers module."""
    assert imports_of(reference(name)) <= {"__future__", "operator"}
