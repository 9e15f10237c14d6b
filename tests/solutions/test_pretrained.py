"""The shipped DigitsNet weights: what scripts/pretrain_digitsnet.py reports, and reproducible."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
import torch

from grader import digits
from grader.layout import EXERCISES_DIR, PACKAGE_DIR, PROJECT_DIR
from grader.pretrained import load_pretrained

REPORT = json.loads((PACKAGE_DIR / "digitsnet.json").read_text())


def test_shipped_weights_reach_the_reported_accuracy_on_0_to_4():
    split = digits.split()
    x, y = digits.classes(split.x_test, split.y_test, range(0, 5))
    with torch.no_grad():
        accuracy = float((load_pretrained()(torch.from_numpy(x)).argmax(1).numpy() == y).mean())
    assert accuracy == REPORT["heldout_accuracy_0_4"]
    assert accuracy >= 0.95


def test_shipped_weights_are_the_ones_the_script_wrote():
    assert hashlib.sha256((PACKAGE_DIR / "digitsnet.npz").read_bytes()).hexdigest() == \
        REPORT["sha256"]


def test_the_learners_copies_are_the_graders():
    for name in ("pretrained.py", "digitsnet.npz"):
        assert (EXERCISES_DIR / name).read_bytes() == (PACKAGE_DIR / name).read_bytes(), name


def test_the_split_is_1437_and_360():
    split = digits.split()
    assert split.x_train.shape == (1437, 1, 8, 8) and split.x_test.shape == (360, 1, 8, 8)
    assert split.x_train.dtype == "float32" and split.y_train.dtype == "int64"
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0


@pytest.mark.slow
def test_the_script_makes_the_same_weights_again():
    """Retraining (one thread, fixed seed) gives the shipped bytes, on this torch build."""
    if REPORT["torch"] != torch.__version__:
        pytest.skip(f"weights made with torch {REPORT['torch']}, this is {torch.__version__}")
    done = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "pretrain_digitsnet.py"),
                           "--check"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
