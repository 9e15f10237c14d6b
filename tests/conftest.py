"""Shared fixtures: graded results of the bundled submissions, computed once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.scoring.grading import grade
from grader import registry
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR

ROOT = Path(__file__).resolve().parent.parent


def variant(exercise: str, stem: str) -> Path:
    """One of an exercise's variants (grader/units/<exercise>/variants/<stem>.py)."""
    return registry.get(exercise).variants_dir / f"{stem}.py"


# The exercises that train networks for real. Between them they add some 12
# core-s and 16 s of wall to a grading, most of it torch._dynamo, which the
# first optimiser step of each process imports. Tests of the grader's own
# machinery (batches, signals, red-team containment, output formats) grade
# QUICK, the others, which drive the same machinery; the training exercises
# keep their units' tests, the golden record, the reference's full marks, the
# mutation and variant tests and the budget test.
TRAINS = ("training", "transfer")
QUICK = tuple(name for name in registry.names() if name not in TRAINS)
# The same, as options of `cnn-grader grade` (a single grading or a batch).
QUICK_ONLY = tuple(arg for name in QUICK for arg in ("--only", name))


def variants(pattern: str = "*.py") -> list[Path]:
    """Every unit's variants matching ``pattern`` (ok_*.py, bug_*.py), by exercise."""
    return [p for e in registry.exercises() for p in sorted(e.variants_dir.glob(pattern))]


def exercise_of_variant(path: Path) -> str:
    return path.parent.parent.name


@pytest.fixture(scope="session")
def solutions_result():
    return grade(submission=SOLUTIONS_DIR)


@pytest.fixture(scope="session")
def exercises_result():
    return grade(submission=EXERCISES_DIR)


def submission_with(tmp_path: Path, replacements: dict[str, str | bytes | None]) -> Path:
    """A copy of solutions/ with some files replaced (None deletes one)."""
    dest = tmp_path / "submission"
    shutil.copytree(SOLUTIONS_DIR, dest)
    for rel, content in replacements.items():
        target = dest / rel
        if content is None:
            target.unlink()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return dest


@pytest.fixture(scope="session")
def broken_result(tmp_path_factory):
    """A learner who flipped the conv kernel and handed in no receptive_field.py."""
    sub = submission_with(tmp_path_factory.mktemp("broken"), {
        "conv.py": variant("conv", "bug_flipped_kernel").read_text(),
        "receptive_field.py": None,
    })
    return grade(submission=sub)
