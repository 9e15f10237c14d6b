"""Training budgets: an endless training loop fails its own tests only, within its budget."""
from __future__ import annotations

import time

import pytest

from grader import policy
from grader.grading import grade
from grader.layout import SOLUTIONS_DIR

from conftest import submission_with

ENDLESS = "\n\ndef train_classifier(model, x, y, *, epochs=15, batch_size=64, seed=0):\n" \
          "    while True:\n        pass\n"


def test_only_the_learning_exercises_have_training_budgets():
    assert set(policy.TRAINING_BUDGETS) == {"training", "transfer"}
    assert policy.training_budget("conv") is None
    for budget in policy.TRAINING_BUDGETS.values():
        # Two timeouts of one function leave room for every other test's calls.
        assert budget.exercise_cpu_s > 2 * budget.call_cpu_s
        assert budget.call_wall_s >= budget.call_cpu_s > policy.CALL_CPU_S


@pytest.mark.slow
def test_an_endless_training_loop_fails_only_its_own_tests(tmp_path):
    source = (SOLUTIONS_DIR / "training.py").read_text() + ENDLESS  # the last definition wins
    submission = submission_with(tmp_path, {"training.py": source})
    started = time.monotonic()
    result = grade(submission=submission, exercises=("training",))
    took = time.monotonic() - started
    training = [t for t in result.tests if t.exercise == "training"]
    own = {"test_overfits_twenty_examples", "test_heldout_accuracy", "test_loss_goes_down",
           "test_first_layer_filters_changed", "test_same_seed_same_losses"}
    assert all(t.status == "passed" for t in training if t.name not in own), [
        (t.name, t.output) for t in training if t.name not in own and t.status != "passed"]
    lost = [t for t in training if t.name in own]
    assert lost and all(t.status in ("timeout", "error") for t in lost)
    assert any("train_classifier" in t.output and ("CPU time" in t.output or
                                                   "time limit" in t.output) for t in lost)
    assert result.exercise("training").score > 0
    # Two timeouts of one call each, then the rest fail at once.
    budget = policy.training_budget("training")
    assert took < 2 * budget.call_wall_s + 90
