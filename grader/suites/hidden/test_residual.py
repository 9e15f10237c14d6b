"""Hidden tests for residual.py: the ResNet basic block."""
import numpy as np
import pytest
import torch

from grader.reference import reference
from grader.suites.support import assert_array_matches, assert_equals, assert_int_equals, points

ref = reference("residual")

CONFIGS = [(8, 8, 1), (4, 8, 1), (8, 8, 2), (3, 6, 2)]


def reference_block(rng, c_in, c_out, stride):
    """The reference block with random weights and non-trivial running statistics."""
    block = ref.ResidualBlock(c_in, c_out, stride)
    state = {}
    for name, tensor in block.state_dict().items():
        if name.endswith("num_batches_tracked"):
            state[name] = np.array(3, dtype=np.int64)
        elif name.endswith("running_var") or name.endswith(".weight") and "bn" in name:
            state[name] = rng.uniform(0.5, 1.5, tensor.shape).astype(np.float32)
        else:
            state[name] = (0.5 * rng.standard_normal(tensor.shape)).astype(np.float32)
    block.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    return block, state


def shortcut_kind(types: dict) -> str:
    return "projection" if any(n.startswith("shortcut.") for n in types) else "identity"


def reference_output(block, x, *, train):
    block.train(train)
    with torch.no_grad():
        return block(torch.from_numpy(x)).numpy()


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS)
def test_parameter_names_and_shapes(learner, c_in, c_out, stride):
    """Parameters are named conv1, bn1, conv2, bn2, shortcut and shaped like torchvision's BasicBlock."""
    block = learner.residual.ResidualBlock.new(c_in, c_out, stride)
    expected = {n: tuple(p.shape) for n, p in ref.ResidualBlock(c_in, c_out, stride).named_parameters()}
    got = block.named_parameter_shapes()
    assert_equals(dict(sorted(got.items())), dict(sorted(expected.items())),
                  call=f"ResidualBlock({c_in}, {c_out}, stride={stride}).named_parameters() shapes")


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS)
def test_state_dict_keys_and_shapes(learner, c_in, c_out, stride):
    """state_dict (parameters and BatchNorm buffers) has the reference keys and shapes."""
    block = learner.residual.ResidualBlock.new(c_in, c_out, stride)
    expected = {n: tuple(t.shape) for n, t in ref.ResidualBlock(c_in, c_out, stride).state_dict().items()}
    assert_equals(dict(sorted(block.state_dict_shapes().items())), dict(sorted(expected.items())),
                  call=f"ResidualBlock({c_in}, {c_out}, stride={stride}).state_dict() shapes")


@points(2)
@pytest.mark.parametrize("c_in, c_out, stride, kind", [
    (8, 8, 1, "identity"), (4, 8, 1, "projection"), (8, 8, 2, "projection")])
def test_shortcut_is_identity_only_when_shapes_match(learner, c_in, c_out, stride, kind):
    """The shortcut is an identity when stride is 1 and channels match, else a 1x1 conv + BatchNorm."""
    types = learner.residual.ResidualBlock.new(c_in, c_out, stride).named_module_types()
    got = shortcut_kind(types)
    call = f"ResidualBlock({c_in}, {c_out}, stride={stride}).shortcut"
    assert got == kind, f"{call} is a {got} shortcut; expected {kind}"
    if kind == "projection":
        inner = sorted(t for n, t in types.items() if n.startswith("shortcut."))
        assert inner == ["BatchNorm2d", "Conv2d"], (
            f"{call} holds {inner}; expected a Conv2d(1x1, stride) followed by BatchNorm2d")


@points(1)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS)
def test_parameter_count_matches_basic_block(learner, c_in, c_out, stride):
    """The block has exactly as many trainable parameters as torchvision's BasicBlock."""
    expected = sum(p.numel() for p in ref.ResidualBlock(c_in, c_out, stride).parameters())
    got = learner.residual.ResidualBlock.new(c_in, c_out, stride).parameter_count()
    assert_int_equals(got, expected, call=f"parameters of ResidualBlock({c_in}, {c_out}, {stride})")


@points(3)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS)
def test_forward_in_eval_mode_with_loaded_weights(learner, rng, c_in, c_out, stride):
    """With the reference weights loaded by name, eval-mode outputs match."""
    block, state = reference_block(rng, c_in, c_out, stride)
    x = rng.standard_normal((2, c_in, 6, 5)).astype(np.float32)
    mine = learner.residual.ResidualBlock.new(c_in, c_out, stride)
    mine.load_state_dict(state)
    assert_array_matches(mine.forward(x, train=False), reference_output(block, x, train=False),
                         call=f"ResidualBlock({c_in}, {c_out}, stride={stride}) eval forward "
                              f"of array{x.shape}")


@points(3)
@pytest.mark.parametrize("c_in, c_out, stride", CONFIGS)
def test_forward_in_train_mode_uses_batch_statistics(learner, rng, c_in, c_out, stride):
    """In train mode BatchNorm uses the batch's statistics; outputs still match."""
    block, state = reference_block(rng, c_in, c_out, stride)
    x = rng.standard_normal((4, c_in, 5, 6)).astype(np.float32)
    mine = learner.residual.ResidualBlock.new(c_in, c_out, stride)
    mine.load_state_dict(state)
    assert_array_matches(mine.forward(x, train=True), reference_output(block, x, train=True),
                         call=f"ResidualBlock({c_in}, {c_out}, stride={stride}) train forward "
                              f"of array{x.shape}")


@points(2)
def test_train_mode_updates_running_statistics(learner, rng):
    """A train-mode forward updates the BatchNorm running mean and variance as torch does."""
    block, state = reference_block(rng, 4, 8, 2)
    x = rng.standard_normal((4, 4, 6, 6)).astype(np.float32)
    mine = learner.residual.ResidualBlock.new(4, 8, 2)
    mine.load_state_dict(state)
    mine.forward(x, train=True)
    reference_output(block, x, train=True)
    got = mine.state_dict()
    for name, tensor in block.state_dict().items():
        if "running" in name:
            assert_array_matches(got.get(name), tensor.numpy(), call=f"{name} after one train step")


@points(2)
def test_identity_block_adds_its_input(learner, rng):
    """With the residual branch's last BatchNorm scaled to zero, the block computes relu(x)."""
    block, state = reference_block(rng, 6, 6, 1)
    state["bn2.weight"] = np.zeros_like(state["bn2.weight"])
    state["bn2.bias"] = np.zeros_like(state["bn2.bias"])
    x = rng.standard_normal((2, 6, 4, 4)).astype(np.float32)
    mine = learner.residual.ResidualBlock.new(6, 6, 1)
    mine.load_state_dict(state)
    assert_array_matches(mine.forward(x, train=False), np.maximum(x, 0),
                         call="ResidualBlock(6, 6) with a zeroed residual branch, eval forward")
