"""Hidden tests for residual.py: the ResNet basic block."""
import numpy as np
import pytest
import torch

from grader.suites.diagnosis import diagnose
from grader.suites.reference import reference
from grader.suites.evidence import parameters_detail
from grader.suites.support import assert_array_matches, assert_int_equals, fail, points

ref = reference("residual")

# (in_channels, out_channels, stride): identity, wider, strided, strided and wider.
CONFIGS = [(8, 8, 1), (4, 8, 1), (8, 8, 2), (3, 6, 2)]
IDS = ["8-8-s1", "4-8-s1", "8-8-s2", "3-6-s2"]


def label(c_in, c_out, stride) -> str:
    return f"ResidualBlock({c_in}, {c_out}, stride={stride})"


def random_state(rng, block) -> dict:
    """Random weights and non-trivial BatchNorm statistics for every entry of a state_dict."""
    state = {}
    for name, tensor in block.state_dict().items():
        shape = tuple(tensor.shape)
        if name.endswith("num_batches_tracked"):
            state[name] = np.array(3, dtype=np.int64)
        elif name.endswith("running_var"):
            state[name] = rng.uniform(0.5, 1.5, shape)
        elif name.endswith("running_mean") or name.endswith("bias"):
            state[name] = 0.3 * rng.standard_normal(shape)
        elif len(shape) == 1:  # a BatchNorm scale
            state[name] = rng.uniform(0.5, 1.5, shape)
        else:  # a convolution kernel, scaled so activations stay near 1
            fan_in = int(np.prod(shape[1:]))
            state[name] = rng.standard_normal(shape) / np.sqrt(fan_in)
        state[name] = state[name].astype(tensor.numpy().dtype)
    return state


def reference_block(rng, c_in, c_out, stride):
    """The reference block with random weights; returns it and its state as numpy arrays."""
    block = ref.ResidualBlock(c_in, c_out, stride)
    state = random_state(rng, block)
    block.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    return block, state


def reference_output(block, x, *, train):
    block.train(train)
    with torch.no_grad():
        return block(torch.from_numpy(x)).numpy()


def learner_block(learner, c_in, c_out, stride, state=None):
    block = learner.residual.ResidualBlock.new(c_in, c_out, stride)
    if state is not None:
        block.load_state_dict(state)
    return block


def structure_diagnosis(what, c_in, c_out, stride):
    """Given what the learner's block reported, the known mistake that explains it."""
    return lambda got: diagnose(f"residual.{what}", got, c_in, c_out, stride)


def forward_diagnosis(c_in, c_out, stride, state, x, *, train):
    return lambda got: diagnose("residual.forward", got, c_in, c_out, stride, state, x, train)


def assert_same_shapes(got, expected: dict, *, call: str, diagnose=None) -> None:
    """Compare name -> shape maps, listing what is missing, extra or misshapen."""
    if not isinstance(got, dict):
        fail(f"{call} gave {type(got).__name__}, expected a dict")
    problems = []
    missing = [n for n in expected if n not in got]
    extra = [n for n in got if n not in expected]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected {', '.join(map(str, extra))}")
    for name in expected:
        if name in got and tuple(got[name]) != expected[name]:
            problems.append(f"{name} has shape {tuple(got[name])}, expected {expected[name]}")
    if problems:
        fail(f"{call}: " + "; ".join(problems), got=got, diagnose=diagnose,
             detail=parameters_detail(expected, got))


def shortcut_kind(types: dict) -> str:
    return "projection" if any(n.startswith("shortcut.") for n in types) else "identity"


# --------------------------------------------------------------------------- structure

@points(1)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS, ids=IDS)
def test_submodule_names_and_types(learner, c_in, c_out, stride):
    """The block has submodules conv1, conv2 (Conv2d), bn1, bn2 (BatchNorm2d) and shortcut."""
    types = learner_block(learner, c_in, c_out, stride).named_module_types()
    expected = {"conv1": "Conv2d", "bn1": "BatchNorm2d", "conv2": "Conv2d", "bn2": "BatchNorm2d"}
    wrong = [f"{name} is {types.get(name, 'missing')}, expected {kind}"
             for name, kind in expected.items() if types.get(name) != kind]
    if "shortcut" not in types:
        wrong.append("shortcut is missing (use nn.Identity() when no projection is needed)")
    if wrong:
        fail(f"{label(c_in, c_out, stride)}: " + "; ".join(wrong), got=types,
             diagnose=structure_diagnosis("named_module_types", c_in, c_out, stride))


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS, ids=IDS)
def test_parameter_names_and_shapes(learner, c_in, c_out, stride):
    """Parameters are named and shaped like torchvision's BasicBlock (downsample named shortcut)."""
    expected = {n: tuple(p.shape)
                for n, p in ref.ResidualBlock(c_in, c_out, stride).named_parameters()}
    got = learner_block(learner, c_in, c_out, stride).named_parameter_shapes()
    assert_same_shapes(got, expected, call=f"{label(c_in, c_out, stride)}.named_parameters()",
                       diagnose=structure_diagnosis("named_parameter_shapes", c_in, c_out, stride))


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS, ids=IDS)
def test_state_dict_keys_and_shapes(learner, c_in, c_out, stride):
    """state_dict (parameters and BatchNorm buffers) has the reference keys and shapes."""
    expected = {n: tuple(t.shape)
                for n, t in ref.ResidualBlock(c_in, c_out, stride).state_dict().items()}
    got = learner_block(learner, c_in, c_out, stride).state_dict_shapes()
    assert_same_shapes(got, expected, call=f"{label(c_in, c_out, stride)}.state_dict()",
                       diagnose=structure_diagnosis("state_dict_shapes", c_in, c_out, stride))


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride, kind", [
    (8, 8, 1, "identity"), (4, 8, 1, "projection"), (8, 4, 1, "projection"),
    (8, 8, 2, "projection"), (3, 6, 2, "projection")],
    ids=["8-8-s1", "4-8-s1", "8-4-s1", "8-8-s2", "3-6-s2"])
def test_shortcut_is_identity_only_when_shapes_match(learner, c_in, c_out, stride, kind):
    """The shortcut is identity when stride is 1 and channels match, else 1x1 conv + BatchNorm."""
    types = learner_block(learner, c_in, c_out, stride).named_module_types()
    got = shortcut_kind(types)
    call = f"{label(c_in, c_out, stride)}.shortcut"
    why = structure_diagnosis("named_module_types", c_in, c_out, stride)
    if got != kind:
        fail(f"{call} is a {got} shortcut; expected {kind}", got=types, diagnose=why)
    if kind == "projection":
        inner = [t for n, t in types.items() if n.startswith("shortcut.")]
        if inner != ["Conv2d", "BatchNorm2d"]:
            fail(f"{call} holds {inner}; expected a Conv2d(1x1, stride) followed by "
                 "a BatchNorm2d", got=types, diagnose=why)


@points(1)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS + [(16, 32, 2)], ids=IDS + ["16-32-s2"])
def test_parameter_count_matches_basic_block(learner, c_in, c_out, stride):
    """The block has exactly as many trainable parameters as torchvision's BasicBlock."""
    expected = sum(p.numel() for p in ref.ResidualBlock(c_in, c_out, stride).parameters())
    got = learner_block(learner, c_in, c_out, stride).parameter_count()
    assert_int_equals(got, expected, call=f"parameter count of {label(c_in, c_out, stride)}",
                      diagnose=structure_diagnosis("parameter_count", c_in, c_out, stride))


@points(1)
@pytest.mark.parametrize("c_in, c_out, stride, size", [
    (8, 8, 1, (6, 5)), (4, 8, 1, (5, 5)), (8, 8, 2, (7, 6)), (3, 6, 2, (5, 8))],
    ids=["8-8-s1-6x5", "4-8-s1-5x5", "8-8-s2-7x6", "3-6-s2-5x8"])
def test_output_shape(learner, rng, c_in, c_out, stride, size):
    """The output is (N, C_out, ceil(H / stride), ceil(W / stride)), with freshly built weights."""
    x = rng.standard_normal((2, c_in, *size)).astype(np.float32)
    got = learner_block(learner, c_in, c_out, stride).forward(x, train=False)
    expected = (2, c_out, -(-size[0] // stride), -(-size[1] // stride))
    call = f"{label(c_in, c_out, stride)} forward of array{x.shape}"
    if not isinstance(got, np.ndarray):
        pytest.fail(f"{call} returned {type(got).__name__}, not a tensor", pytrace=False)
    if got.shape != expected:
        pytest.fail(f"{call} returned shape {got.shape}, expected {expected}", pytrace=False)


# --------------------------------------------------------------------------- forward

@points(3)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS, ids=IDS)
def test_forward_in_eval_mode_with_loaded_weights(learner, rng, c_in, c_out, stride):
    """With the reference weights loaded by name, eval-mode outputs match (running statistics)."""
    block, state = reference_block(rng, c_in, c_out, stride)
    x = rng.standard_normal((2, c_in, 6, 5)).astype(np.float32)
    mine = learner_block(learner, c_in, c_out, stride, state)
    assert_array_matches(mine.forward(x, train=False), reference_output(block, x, train=False),
                         call=f"{label(c_in, c_out, stride)} eval forward of array{x.shape}",
                         diagnose=forward_diagnosis(c_in, c_out, stride, state, x, train=False))


@points(2)
def test_forward_with_this_learners_channels_stride_and_size(learner, rng):
    """Channel counts, stride and input size drawn per learner; eval outputs match."""
    c_in, c_out = (int(c) for c in rng.integers(1, 9, size=2))
    stride = int(rng.integers(1, 3))
    size = tuple(int(n) for n in rng.integers(3, 9, size=2))
    block, state = reference_block(rng, c_in, c_out, stride)
    x = rng.standard_normal((2, c_in, *size)).astype(np.float32)
    mine = learner_block(learner, c_in, c_out, stride, state)
    assert_array_matches(mine.forward(x, train=False), reference_output(block, x, train=False),
                         call=f"{label(c_in, c_out, stride)} eval forward of array{x.shape}",
                         diagnose=forward_diagnosis(c_in, c_out, stride, state, x, train=False))


@points(3)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS, ids=IDS)
def test_forward_in_train_mode_uses_batch_statistics(learner, rng, c_in, c_out, stride):
    """In train mode BatchNorm uses the batch's own statistics; outputs still match."""
    block, state = reference_block(rng, c_in, c_out, stride)
    x = rng.standard_normal((4, c_in, 5, 6)).astype(np.float32)
    mine = learner_block(learner, c_in, c_out, stride, state)
    assert_array_matches(mine.forward(x, train=True), reference_output(block, x, train=True),
                         call=f"{label(c_in, c_out, stride)} train forward of array{x.shape}",
                         diagnose=forward_diagnosis(c_in, c_out, stride, state, x, train=True))


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride", [(6, 6, 1), (4, 8, 2)], ids=["6-6-s1", "4-8-s2"])
def test_train_mode_updates_running_statistics(learner, rng, c_in, c_out, stride):
    """A train-mode forward updates every BatchNorm's running mean and variance as torch does."""
    block, state = reference_block(rng, c_in, c_out, stride)
    x = rng.standard_normal((4, c_in, 6, 6)).astype(np.float32)
    mine = learner_block(learner, c_in, c_out, stride, state)
    mine.forward(x, train=True)
    reference_output(block, x, train=True)
    got = mine.state_dict()
    for name, tensor in block.state_dict().items():
        if "running" in name or "num_batches" in name:
            expected = tensor.numpy()
            assert not np.array_equal(expected, state[name])  # guards the suite itself
            assert_array_matches(got.get(name), expected,
                                 call=f"{label(c_in, c_out, stride)} {name} after one "
                                      f"train-mode forward")


@points(1)
def test_eval_mode_leaves_running_statistics_alone(learner, rng):
    """An eval-mode forward reads the running statistics but does not change them."""
    block, state = reference_block(rng, 4, 8, 2)
    x = rng.standard_normal((3, 4, 6, 6)).astype(np.float32)
    mine = learner_block(learner, 4, 8, 2, state)
    mine.forward(x, train=False)
    got = mine.state_dict()
    for name, value in state.items():
        assert_array_matches(got.get(name), value,
                             call=f"{label(4, 8, 2)} {name} after an eval-mode forward")


@points(2)
def test_identity_block_adds_its_input(learner, rng):
    """With the residual branch's last BatchNorm scaled to zero, the block computes relu(x)."""
    _, state = reference_block(rng, 6, 6, 1)
    state["bn2.weight"] = np.zeros_like(state["bn2.weight"])
    state["bn2.bias"] = np.zeros_like(state["bn2.bias"])
    x = rng.standard_normal((2, 6, 4, 4)).astype(np.float32)
    mine = learner_block(learner, 6, 6, 1, state)
    assert_array_matches(mine.forward(x, train=False), np.maximum(x, 0),
                         call="ResidualBlock(6, 6) with a zeroed residual branch, eval forward",
                         diagnose=forward_diagnosis(6, 6, 1, state, x, train=False))


@points(2)
def test_projection_block_with_zeroed_residual_branch(learner, rng):
    """With the residual branch zeroed, a strided block computes relu(bn(1x1 strided conv(x)))."""
    block, state = reference_block(rng, 3, 5, 2)
    state["bn2.weight"] = np.zeros_like(state["bn2.weight"])
    state["bn2.bias"] = np.zeros_like(state["bn2.bias"])
    block.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    x = rng.standard_normal((2, 3, 7, 7)).astype(np.float32)
    expected = reference_output(block, x, train=False)
    with torch.no_grad():  # the shortcut alone, computed independently of the block
        shortcut = torch.nn.functional.conv2d(torch.from_numpy(x),
                                              torch.from_numpy(state["shortcut.0.weight"]),
                                              stride=2)
        shortcut = torch.nn.functional.batch_norm(
            shortcut, torch.from_numpy(state["shortcut.1.running_mean"]),
            torch.from_numpy(state["shortcut.1.running_var"]),
            torch.from_numpy(state["shortcut.1.weight"]),
            torch.from_numpy(state["shortcut.1.bias"]), training=False)
    assert_array_matches(expected, torch.relu(shortcut).numpy(), call="reference")  # guard
    mine = learner_block(learner, 3, 5, 2, state)
    assert_array_matches(mine.forward(x, train=False), expected,
                         call="ResidualBlock(3, 5, stride=2) with a zeroed residual branch, "
                              "eval forward",
                         diagnose=forward_diagnosis(3, 5, 2, state, x, train=False))
