"""Training budgets: an endless or far-too-slow training loop fails its own tests
only, within its unit's budget, with a message that says so."""
from __future__ import annotations

import time

import pytest

from grader import policy, registry
from grader.paths import SOLUTIONS_DIR
from grader.scoring.grading import grade

from conftest import submission_with

ENDLESS = "\n\ndef train_classifier(model, x, y, *, epochs=15, batch_size=64, seed=0):\n" \
          "    while True:\n        pass\n"


def test_the_training_units_set_their_own_budgets_and_count_timeouts_per_task():
    for name in ("training", "transfer"):
        unit = registry.get(name)
        assert unit.timeouts == "per-task"
        budget = unit.budget
        # Two timeouts of one task leave room for every other test's calls.
        assert budget.total_cpu_s > 2 * budget.call_cpu_s
        assert budget.call_wall_s >= budget.call_cpu_s > policy.CALL_CPU_S
    assert registry.get("conv").timeouts == "per-exercise"


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
    assert lost and all(t.status in ("timeout", "error") and t.score == 0 for t in lost)
    assert any("train_classifier" in t.output and "time limit" in t.output for t in lost), [
        t.output for t in lost]
    assert result.exercise("training").score == 27 - sum(t.max_score for t in lost)
    # Two timeouts of one call each, then the rest fail at once.
    assert took < 2 * registry.get("training").budget.call_wall_s + 90
