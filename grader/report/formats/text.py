"""What every format says about a grading, worded once.

The formats differ in their fields, not in their words: a test is named the
same way everywhere (``exercise::test``, which is also what ``--only``
takes), and a failed test's text carries the same message, diagnosis and seed.
"""
from __future__ import annotations

from grader.model import QuestionResult
from grader.model import GradeResult, TestResult


def test_id(test: TestResult) -> str:
    return f"{test.exercise}::{test.name}"


def test_text(test: TestResult) -> str:
    """A test's explanation: what it checks, and for a failure why and with which seed."""
    lines = [test.description] if test.description else []
    if test.status != "passed":
        lines.append(f"{test.status}: {test.output}" if test.output else test.status)
        if test.diagnosis is not None:
            lines.append(f"Likely mistake: {test.diagnosis.message}")
        if test.seed is not None:
            lines.append(f"Random inputs drawn from seed {test.seed}.")
    return "\n".join(lines)


def summary_text(result: GradeResult) -> str:
    """The whole grading in a few lines: total, each exercise, and what went wrong as a whole."""
    lines = [f"{result.submission}: {result.score:g} / {result.max_score:g}"]
    if result.isolation_warning:
        lines.insert(0, result.isolation_warning)
    for e in result.exercises:
        note = f" ({e.message.splitlines()[0]})" if e.message else ""
        lines.append(f"  {e.name}: {e.score:g} / {e.max_score:g}, "
                     f"{e.passed} of {e.total} tests passed{note}")
    if result.quiz.max_score:
        lines.append(f"  quiz: {result.quiz.score:g} / {result.quiz.max_score:g}")
    lines += [f"Note: {p.message}" for p in result.problems]
    return "\n".join(lines)


def quiz_message(question: QuestionResult, *, reveal: bool) -> str:
    """Why a question scored what it did, as a learner may see it.

    A numeric question's message can quote the number that was needed (or a
    misconception's number beside it), so it goes when answers are hidden; a
    wrong choice's misconception names no right answer and stays. The HTML
    report's quiz section (templates/_quiz.html.j2) applies the same rule.
    """
    return question.message if reveal or question.type != "numeric" else ""


def quiz_text(result: GradeResult, *, reveal: bool = True) -> str:
    """Each question's score and the learner's answer; with ``reveal`` also the
    correct answer and the explanation (``--no-reveal`` keeps both back)."""
    # On Gradescope the id is Gradescope's, which may not be the one the
    # learner drew their numbers for: say whose numbers were graded.
    lines = [f"The numbers in some questions were drawn for learner {result.learner_id}."
             ] if result.learner_id else []
    for q in result.quiz.questions:
        lines.append(f"{q.id}: {q.score:g} / {q.max_score:g} ({q.status}); "
                     f"your answer: {q.given or '(none)'}")
        if reveal:
            lines.append(f"  correct answer: {q.correct}")
        why = quiz_message(q, reveal=reveal)
        if why and q.status != "missing":  # "no answer given" would repeat the status
            lines.append(f"  why: {why}")
        if reveal and q.explanation:
            lines.append(f"  explanation: {q.explanation}")
    if not reveal:
        lines.append("The correct answers and explanations are hidden for now; "
                     "they are shown after the deadline.")
    return "\n".join(lines)
