"""PrairieLearn's external-grader results.json, from a GradeResult.

PrairieLearn wants the score as a fraction of 1, ``gradable`` (false only
when the submission could not be graded at all, which never reaches a
GradeResult), a ``message`` and ``output`` for the whole grading, and
``tests`` with ``points`` and ``max_points`` each.
"""
from __future__ import annotations

from typing import Any

from grader.report.formats.text import quiz_text, summary_text, test_id, test_text
from grader.model import GradeResult


def prairielearn_results(result: GradeResult, *, reveal: bool = True) -> dict[str, Any]:
    """The results.json PrairieLearn's external grader reads, for ``result``.

    Learners see it, so ``reveal`` False keeps the quiz's correct answers and
    explanations out, as in the HTML report.
    """
    tests = [{
        "name": test_id(t),
        "description": t.description,
        "points": t.score,
        "max_points": t.max_score,
        "message": t.output if t.status != "passed" else "",
        "output": test_text(t),
    } for t in result.tests]
    if result.quiz.max_score:
        tests.append({"name": "quiz", "description": "The quiz on the lesson.",
                      "points": result.quiz.score, "max_points": result.quiz.max_score,
                      "message": "", "output": quiz_text(result, reveal=reveal)})
    fraction = result.score / result.max_score if result.max_score else 0.0
    return {
        "gradable": True,
        "score": round(min(max(fraction, 0.0), 1.0), 6),
        "message": f"{result.score:g} of {result.max_score:g} points.",
        "output": summary_text(result),
        "tests": tests,
    }
