"""solutions/transfer.py and the provided DigitsNet against torch's own bookkeeping:
what requires gradients, what fine-tuning moves, and the shipped weights."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from grader import policy
from grader.paths import PROJECT_DIR
from grader.suites import digits
from grader.suites.reference import reference
from grader.units.transfer.pretrain import digest
from grader.units.transfer.provided import DigitsNet, pretrained_state

transfer = reference("transfer")
REPORT = json.loads((Path(__file__).resolve().parent / "pretrained.json").read_text())


def pretrained():
    model = DigitsNet()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in pretrained_state().items()})
    return model.eval()


def test_shipped_weights_reach_the_reported_accuracy_on_0_to_4():
    split = digits.split()
    x, y = digits.classes(split.x_test, split.y_test, range(0, 5))
    with torch.no_grad():
        accuracy = float((pretrained()(torch.from_numpy(x)).argmax(1).numpy() == y).mean())
    assert accuracy == REPORT["heldout_accuracy_0_4"] and accuracy >= 0.95


def test_shipped_weights_are_the_ones_the_script_wrote():
    assert digest(pretrained_state()) == REPORT["sha256"]


def test_prepare_freezes_the_body_and_makes_a_fresh_head():
    model = transfer.prepare_for_transfer(pretrained(), 3)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ["head.weight", "head.bias"]
    assert tuple(model.head.weight.shape) == (3, 512)


def test_fine_tune_moves_only_the_head_and_beats_the_bar():
    split = digits.split()
    x, y = digits.classes(split.x_train, split.y_train, range(5, 10))
    pick = np.random.default_rng(0).choice(len(y), policy.TRANSFER_EXAMPLES, replace=False)
    model = transfer.prepare_for_transfer(pretrained(), 5)
    before = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith("head.")}
    losses = transfer.fine_tune(model, x[pick], y[pick], seed=0)
    assert len(losses) == policy.TRANSFER_EPOCHS and losses[-1] < policy.TRANSFER_FINAL_LOSS
    after = model.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in before.items())
    xt, yt = digits.classes(split.x_test, split.y_test, range(5, 10))
    with torch.no_grad():
        accuracy = float((model(torch.from_numpy(xt)).argmax(1).numpy() == yt).mean())
    assert accuracy >= policy.TRANSFER_MIN_ACCURACY


@pytest.mark.slow
def test_the_script_makes_the_same_weights_again():
    """Retraining (one thread, fixed seed) gives the shipped bytes, on this torch build."""
    if REPORT["torch"] != torch.__version__:
        pytest.skip(f"weights made with torch {REPORT['torch']}, this is {torch.__version__}")
    done = subprocess.run([sys.executable, "-m", "grader.units.transfer.pretrain", "--check"],
                          capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR)
    assert done.returncode == 0, done.stdout + done.stderr
