"""Learner-style submissions: other correct styles get full marks, typical
mistakes lose points in their own exercise only.

Each file in tests/variants/<exercise>/ replaces one module of the reference
submission: ok_*.py are correct in another style, bug_*.py carry one
typical mistake (named in their docstring).
"""
from pathlib import Path

import pytest

from grader.grading import grade

from conftest import VARIANTS, submission_with

CASES = sorted(VARIANTS.glob("*/*.py"))


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_every_exercise_has_several_styles_and_mistakes():
    for exercise in ("conv", "pooling", "params", "receptive_field", "residual"):
        names = [p.stem for p in CASES if p.parent.name == exercise]
        assert sum(n.startswith("ok_") for n in names) >= 3, exercise
        assert sum(n.startswith("bug_") for n in names) >= 3, exercise


@pytest.mark.slow
@pytest.mark.parametrize("variant", CASES, ids=case_id)
def test_variant_is_graded_fairly(tmp_path, solutions_result, variant):
    exercise = variant.parent.name
    result = grade(submission=submission_with(tmp_path, {f"{exercise}.py": variant.read_text()}))
    for e in result.exercises:
        full = solutions_result.exercise(e.name)
        if variant.stem.startswith("bug_") and e.name == exercise:
            assert e.score < full.max_score, f"{case_id(variant)} was not caught"
            assert e.score > 0, f"{case_id(variant)} lost everything; one mistake should cost less"
        else:
            failed = [(t.name, t.output) for t in result.tests
                      if t.exercise == e.name and t.status != "passed"]
            assert e.score == full.max_score, failed
    assert result.quiz.score == solutions_result.quiz.score
