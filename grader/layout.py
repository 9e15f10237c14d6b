"""Where things are, and what a submission is made of."""
from __future__ import annotations

from pathlib import Path

EXERCISES = ("conv", "pooling", "params", "receptive_field", "residual", "training", "transfer")
ANSWERS_FILE = "answers.toml"
SUBMISSION_FILES = tuple(f"{name}.py" for name in EXERCISES) + (ANSWERS_FILE,)

PACKAGE_DIR = Path(__file__).resolve().parent
# The grader runs from a source checkout (installed with ``pip install -e .``):
# the reference solutions, stubs and question bank live beside the package.
PROJECT_DIR = PACKAGE_DIR.parent
SOLUTIONS_DIR = PROJECT_DIR / "solutions"
EXERCISES_DIR = PROJECT_DIR / "exercises"
QUIZ_BANK = PROJECT_DIR / "quizzes" / "cnn.toml"
SUITES_DIR = PACKAGE_DIR / "suites"
HIDDEN_SUITES = SUITES_DIR / "hidden"
VISIBLE_SUITES = SUITES_DIR / "visible"
