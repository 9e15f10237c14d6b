"""Gradescope's autograder results.json, from a GradeResult.

The fields follow Gradescope's documented format: a total ``score``, the
``execution_time`` in seconds, an ``output`` shown above the tests,
``stdout_visibility`` for the autograder's log, and one entry per test with
its ``name``, ``score``, ``max_score``, ``status`` (only "passed" or
"failed" exist there), ``output`` and ``visibility``.
"""
from __future__ import annotations

from typing import Any

from grader import policy
from grader.report.formats.text import quiz_text, summary_text, test_id, test_text
from grader.model import GradeResult


def gradescope_results(result: GradeResult, *, execution_time: float = 0.0,
                       reveal: bool = True) -> dict[str, Any]:
    """The results.json Gradescope reads, for ``result``.

    Learners see it, so ``reveal`` False keeps the quiz's correct answers and
    explanations out, as in the HTML report.
    """
    tests = [{
        "name": test_id(t),
        "score": t.score,
        "max_score": t.max_score,
        # Gradescope knows no "error" or "timeout": those are failures, and
        # test_text says which kind.
        "status": "passed" if t.status == "passed" else "failed",
        "output": test_text(t),
        "visibility": policy.GRADESCOPE_TEST_VISIBILITY,
    } for t in result.tests]
    if result.quiz.max_score:
        tests.append({
            "name": "quiz",
            "score": result.quiz.score,
            "max_score": result.quiz.max_score,
            "status": "passed" if result.quiz.score == result.quiz.max_score else "failed",
            "output": quiz_text(result, reveal=reveal),
            "visibility": policy.GRADESCOPE_TEST_VISIBILITY,
        })
    return {
        "score": result.score,
        "execution_time": round(max(execution_time, 0.0), 3),
        "output": summary_text(result),
        "output_format": "text",
        "stdout_visibility": policy.GRADESCOPE_STDOUT_VISIBILITY,
        "tests": tests,
        # For the instructor's own scripts: which grading this was.
        "extra_data": {"learner_id": result.learner_id, "seeding": result.seeding,
                       "fingerprint": result.fingerprint, "grader_version": result.grader_version},
    }
