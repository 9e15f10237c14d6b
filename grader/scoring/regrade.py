"""Never charge the grader's own trouble to a learner.

A test whose outcome may be the grader's doing (``faults.LearnerFault.doubt``,
or hypothesis calling it flaky: see ``runner._doubt``) is run again in fresh
children, at most ``policy.GRADER_FAULT_RETRIES`` times. The outcome of a
retry without doubt stands. A timeout or a SIGKILL that repeats is the
learner's (an endless loop, a memory bomb: the same call does the same
thing), so it stands too. What is still in doubt after the retries (a
test flaky every time, a child the grader could not start) scores 0 with
status ``error``, says "grader fault: regrade", and sets ``grader_fault``:
the gradebook flags it and the next batch run grades that learner again.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from grader import policy
from grader.model import TestResult

# Doubts that the learner's code can produce again on purpose: when one
# repeats, it is the learner's outcome.
REPEATABLE = ("timeout", "killed")
FAULT_PREFIX = "grader fault: regrade"

Rerun = Callable[[tuple[str, ...]], tuple[list[TestResult], dict[str, str]]]


def test_id(result: TestResult) -> str:
    return f"{result.exercise}::{result.name}"


def settle(tests: list[TestResult], doubts: dict[str, str], *, rerun: Rerun) -> list[TestResult]:
    """``tests`` with every doubtful outcome retried through ``rerun`` (which runs
    the given test ids in fresh children and returns their results and doubts)."""
    by_id = {test_id(t): t for t in tests}
    ids = [i for i in doubts if i in by_id]
    pending = {i: doubts[i] for i in ids[:policy.GRADER_FAULT_MAX_TESTS]}
    unsettled = {i: doubts[i] for i in ids[policy.GRADER_FAULT_MAX_TESTS:]}
    for _ in range(policy.GRADER_FAULT_RETRIES):
        if not pending:
            break
        results, again = rerun(tuple(pending))
        still: dict[str, str] = {}
        for result in results:
            key = test_id(result)
            if key not in pending:
                continue
            by_id[key] = result
            doubt = again.get(key)
            if doubt is not None and not (doubt == pending[key] and doubt in REPEATABLE):
                still[key] = doubt
        pending = still
    for key, doubt in {**unsettled, **pending}.items():
        by_id[key] = as_grader_fault(by_id[key], doubt)
    return [by_id[test_id(t)] for t in tests]


def as_grader_fault(result: TestResult, doubt: str) -> TestResult:
    return replace(result, status="error", score=0.0, diagnosis=None, detail=None,
                   grader_fault=True,
                   output=f"{FAULT_PREFIX} ({doubt}): the grader could not judge this test "
                          f"(its own trouble, not your code's); it is graded again at the next "
                          f"run.\n{result.output}")
