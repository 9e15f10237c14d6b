"""Where things are: the package, and the project folders beside it."""
from __future__ import annotations

from pathlib import Path

ANSWERS_FILE = "answers.toml"

PACKAGE_DIR = Path(__file__).resolve().parent
# The grader runs from a source checkout (installed with ``pip install -e .``):
# the reference solutions, stubs and question bank live beside the package.
PROJECT_DIR = PACKAGE_DIR.parent
SOLUTIONS_DIR = PROJECT_DIR / "solutions"
EXERCISES_DIR = PROJECT_DIR / "exercises"
QUIZ_BANK = PROJECT_DIR / "quizzes" / "cnn.toml"
# One folder per exercise (grader/registry.py reads their manifests).
UNITS_DIR = PACKAGE_DIR / "units"
SUITES_DIR = PACKAGE_DIR / "suites"
