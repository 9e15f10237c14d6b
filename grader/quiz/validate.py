"""Checks on the question bank beyond what loading it enforces.

``load_bank`` already refuses a malformed question (unique ids, a topic, an
explanation, an answer of the right type). This adds what needs the
reference solutions or a look across choices: every parameterised answer is
recomputed for the lesson's own numbers and for many sampled learners, no
draw falls back to the lesson's numbers, no wrong choice or misconception
coincides with the answer, and every wrong choice explains itself.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from grader import policy
from grader.errors import QuizBankError
from grader.quiz.bank import Question, load_bank
from grader.quiz.variants import draw_values, evaluate, with_values


@dataclass(frozen=True)
class BankReport:
    questions: int
    parameterised: int
    learners: int  # learners sampled per parameterised question
    variants_checked: int
    problems: tuple[str, ...]


def sample_learners(count: int) -> list[str]:
    return [f"sample-{i}" for i in range(count)]


def validate_bank(*, path: Path | None = None,
                  learners: int = policy.QUIZ_VALIDATE_LEARNERS) -> BankReport:
    """Check the bank; raises QuizBankError listing every problem found."""
    bank = load_bank(path)
    problems: list[str] = []
    checked = 0
    for q in bank:
        problems += _choice_problems(q)
        if q.variation is not None:
            found, n = _variant_problems(q, sample_learners(learners))
            problems += found
            checked += n
    report = BankReport(len(bank), sum(q.variation is not None for q in bank), learners,
                        checked, tuple(problems))
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise QuizBankError(f"the question bank has {len(problems)} problem(s):\n  {shown}{more}",
                            hint="fix each question named above in quizzes/cnn.toml")
    return report


def _choice_problems(q: Question) -> list[str]:
    out = []
    right = set(q.answer) if q.type == "multiple" else {q.answer} if q.type == "single" else set()
    right_texts = {_norm(c.text) for i in right if (c := q.choice(i)) is not None}
    for c in q.choices:
        if c.id in right:
            continue
        if not c.feedback:
            out.append(f"{q.id}: wrong choice {c.id!r} has no feedback naming its misconception")
        if _norm(c.text) in right_texts:
            out.append(f"{q.id}: wrong choice {c.id!r} reads the same as a right one")
    return out


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _variant_problems(q: Question, learners: list[str]) -> tuple[list[str], int]:
    v = q.variation
    assert v is not None, "only parameterised questions have variants"
    lesson = v.lesson_values()
    got = evaluate(v, lesson, q.tolerance)
    if got is None:
        return [f"{q.id}: the lesson's values {lesson} are degenerate (a constraint fails, "
                "the reference refuses them, or a misconception gives the answer)"], 0
    out = []
    if not math.isclose(got[0], q.answer, rel_tol=1e-12, abs_tol=1e-9):
        out.append(f"{q.id}: answer is {q.answer:g} but the reference solutions compute "
                   f"{got[0]:g} for the lesson's values {lesson}")
    fallbacks = 0
    for learner in learners:
        values = draw_values(q, learner)
        if values is None:
            fallbacks += 1
            continue
        shown = with_values(q, values)
        if any(brace in text for text in (shown.prompt, shown.explanation) for brace in "{}"):
            out.append(f"{q.id}: {learner}'s text still holds a brace; write {{{{ for a literal one")
            break
    if fallbacks:
        out.append(f"{q.id}: {fallbacks} of {len(learners)} sampled learners found no "
                   f"usable values in {policy.QUIZ_VARIANT_DRAWS} draws; widen the value lists")
    return out, len(learners) - fallbacks
