"""The grader's own trouble is retried, never charged to the learner (grader/scoring/regrade.py)."""
from __future__ import annotations

from grader import policy
from grader.scoring.regrade import FAULT_PREFIX, settle
from grader.model import TestResult


def result(name: str, status: str = "passed") -> TestResult:
    return TestResult(name=name, exercise="conv", score=1.0 if status == "passed" else 0.0,
                      max_score=1.0, status=status, output="" if status == "passed" else "x")


def scripted(*rounds):
    """A rerun that answers from ``rounds``: per call, {test: (status, doubt)}."""
    calls = []

    def rerun(ids):
        calls.append(ids)
        answers = rounds[len(calls) - 1]
        return ([result(i.split("::")[1], answers[i][0]) for i in ids],
                {i: answers[i][1] for i in ids if answers[i][1]})
    return rerun, calls


def test_a_flaky_test_that_passes_on_retry_scores_its_points():
    rerun, calls = scripted({"conv::test_a": ("passed", None)})
    out = settle([result("test_a", "failed"), result("test_b")], {"conv::test_a": "flaky"},
                 rerun=rerun)
    assert [t.status for t in out] == ["passed", "passed"] and calls == [("conv::test_a",)]


def test_a_timeout_that_repeats_is_the_learners():
    rerun, calls = scripted({"conv::test_a": ("timeout", "timeout")})
    out = settle([result("test_a", "timeout")], {"conv::test_a": "timeout"}, rerun=rerun)
    assert out[0].status == "timeout" and not out[0].grader_fault and len(calls) == 1


def test_still_flaky_after_every_retry_is_a_grader_fault_not_a_failure():
    rounds = [{"conv::test_a": ("failed", "flaky")}] * policy.GRADER_FAULT_RETRIES
    rerun, calls = scripted(*rounds)
    out = settle([result("test_a", "failed")], {"conv::test_a": "flaky"}, rerun=rerun)
    assert len(calls) == policy.GRADER_FAULT_RETRIES
    assert out[0].status == "error" and out[0].grader_fault and out[0].score == 0
    assert out[0].output.startswith(FAULT_PREFIX)


def test_only_so_many_tests_are_retried_and_the_rest_are_marked_for_regrading():
    names = [f"test_{i}" for i in range(policy.GRADER_FAULT_MAX_TESTS + 2)]
    doubts = {f"conv::{n}": "killed" for n in names}
    rerun, calls = scripted({i: ("passed", None) for i in doubts})
    out = settle([result(n, "error") for n in names], doubts, rerun=rerun)
    assert len(calls[0]) == policy.GRADER_FAULT_MAX_TESTS
    assert [t.grader_fault for t in out].count(True) == 2


def test_a_gradebook_flags_grader_faults():
    from grader.batch.gradebook import flags
    assert "grader-fault" in flags({"tests": [{"status": "error", "grader_fault": True}]})
