"""What can go wrong on the learner's side of a call, as exceptions.

The hidden suites let these propagate; the runner turns them into a test
status (``error`` or ``timeout``) and a message for the learner.
"""
from __future__ import annotations

import signal

from grader.model import TestStatus
from grader.sanitize import text


class LearnerFault(Exception):
    """The learner's code did not produce a value."""

    status: TestStatus = "error"
    # Set where the fault may be the grader's rather than the learner's: a
    # "timeout" the same call may not repeat, a child "killed" by SIGKILL
    # (by the machine, or a job that kills stray processes), a child the
    # grader could not "start". The runner retries such a test (suites/runner.py,
    # scoring/regrade.py).
    doubt: str | None = None

    def doubtful(self, doubt: str | None) -> "LearnerFault":
        self.doubt = doubt
        return self


class LearnerException(LearnerFault):
    """The learner's code raised an exception (reported by the child)."""

    def __init__(self, type_name: str, mro: list[str], message: str, traceback: str,
                 what: str) -> None:
        self.type_name, self.mro, self.message = type_name, mro, message
        self.traceback, self.what = traceback, what
        text = f"{what} raised {type_name}: {message}"
        if traceback:
            text += "\n" + traceback.rstrip()
        super().__init__(text)

    @classmethod
    def from_wire(cls, data: object, what: str) -> "LearnerException":
        # The child is untrusted: coerce every field, never trust the shape.
        data = data if isinstance(data, dict) else {}
        mro = data.get("mro")
        mro = [text(m, limit=100) for m in mro[:50]] if isinstance(mro, list) else []
        return cls(text(data.get("type", "Exception"), limit=100), mro,
                   text(data.get("message", ""), limit=2000),
                   text(data.get("traceback", ""), limit=4000), what)


class LearnerCrash(LearnerFault):
    """The child died (exit, signal) or broke the protocol."""


class LearnerTimeout(LearnerFault):
    """A call ran past its time limit; the child was killed."""

    status: TestStatus = "timeout"


class LearnerImportError(LearnerFault):
    """The module is missing or could not be imported; nothing in it can run."""


def exit_text(code: int | None) -> str:
    """How a child that stopped answering ended, for the learner: ``code`` is its
    exit status (negative: the signal that killed it), None while it still runs."""
    if code is None:
        return "the learner's process stopped answering"
    if code < 0:
        name = signal.Signals(-code).name
        hint = {signal.SIGKILL: " (often: out of memory or a resource limit)",
                signal.SIGXCPU: " (its CPU time limit ran out)",
                signal.SIGXFSZ: " (it wrote more output than the file size limit)",
                }.get(signal.Signals(-code), "")
        return f"the learner's process was killed by {name}{hint}"
    return f"the learner's process exited with status {code}"
