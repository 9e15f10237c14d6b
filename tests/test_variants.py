"""The variant library: other correct styles and typical mistakes per exercise.

tests/test_mutation.py grades every one of them through the real grader
(the ok_ files must get full marks and no diagnosis; each bug_ file must lose
some, not all, points in its own exercise and get its own diagnosis).

Each file in grader/units/<exercise>/variants/ replaces one module of the reference
submission: ok_*.py are correct in another style, bug_*.py carry one
typical mistake (named in their docstring).
"""
from pathlib import Path


from grader.registry import EXERCISES

from conftest import exercise_of_variant, variants

CASES = variants()


def case_id(path: Path) -> str:
    return f"{exercise_of_variant(path)}/{path.stem}"


def test_every_exercise_has_several_styles_and_mistakes():
    for exercise in EXERCISES:
        names = [p.stem for p in CASES if exercise_of_variant(p) == exercise]
        assert sum(n.startswith("ok_") for n in names) >= 3, exercise
        assert sum(n.startswith("bug_") for n in names) >= 3, exercise
