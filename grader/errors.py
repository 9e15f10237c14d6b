"""The grader's own errors, each with an exit code and a hint (click style).

These are for problems the grader cannot grade around: an unusable path, a
broken question bank or suite. A learner's broken code is never one of
these; it is a failed test (see ``faults.py``).
"""
from __future__ import annotations


class GraderError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message + (f"\nHint: {self.hint}" if self.hint else "")


class UsageError(GraderError):
    """The command was asked for something it cannot do."""

    exit_code = 2


class IsolationError(UsageError):
    """Grading for credit was asked for where learner code could reach the
    grader's files, keys or results (see grader/scoring/credit.py)."""


class SubmissionError(GraderError):
    """The submission path or archive cannot be read at all."""

    exit_code = 2


class QuizBankError(GraderError):
    """The question bank is invalid; nothing is scored until it is fixed."""

    exit_code = 3


class SuiteError(GraderError):
    """A hidden suite is broken (e.g. a test without points)."""

    exit_code = 4
