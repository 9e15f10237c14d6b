"""Grade one submission: intake, sandboxes, hidden suites, quiz, result.

This is the library function behind ``cnn-grader grade``; tests call it
directly.
"""
from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path

from grader import __version__, sanitize
from grader.sandbox.warmpool import layers_in_force
from grader.intake.submission import Submission, take
from grader import registry
from grader.paths import ANSWERS_FILE, QUIZ_BANK
from grader.quiz.bank import load_bank, read_answers_file, score_quiz
from grader.sandbox.remote import Learner
from grader.model import ExerciseResult, GradeResult, Problem, TestResult
from grader.suites.runner import run_suites, split_test_id
from grader.suites.seeding import seeding_for
from grader.sandbox.forbidden import forbidden_imports, shortcut_message
from grader.sandbox.session import Sandbox

def grade(*, submission: Path, exercises: tuple[str, ...] | None = None,
          learner: str | None = None, secret_file: Path | None = None,
          only: tuple[str, ...] = ()) -> GradeResult:
    """Grade ``submission`` (a folder or a .zip) and return the typed result.

    ``learner`` is the learner id; without it, the ``learner`` line of the
    submission's answers.toml is used, and without that the id is "".
    ``secret_file`` holds the course secret behind the learner's random
    inputs (default: $CNN_GRADER_SECRET_FILE; neither: self-check mode).
    ``only`` replays just the tests named "exercise::test".
    """
    if only:
        exercises = tuple(dict.fromkeys(registry.get(split_test_id(t)[0]).name for t in only))
    elif exercises is None:
        exercises = registry.names()
    bank = load_bank(QUIZ_BANK)
    with tempfile.TemporaryDirectory(prefix="cnn-grader-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        (work / "submission").mkdir()
        sub = take(Path(submission), work / "submission")
        answers, written_id, answer_problems = read_answers_file(sub.root / ANSWERS_FILE)
        learner_id = resolve_learner_id(learner, written_id)
        seeding = seeding_for(learner_id, secret_file=secret_file)
        sandboxes = {}
        cannot_run = {name: _missing(sub, name) for name in exercises}
        for name in exercises:
            why = cannot_run[name]
            box = Sandbox(name, submission_dir=sub.root, workdir=work,
                          missing_reason=why.message if why else None)
            stack.callback(box.close)
            box.start()  # all children start now and import in parallel
            sandboxes[name] = box
        tests = run_suites(Learner(sandboxes), exercises, seeding=seeding, only=only)
        for box in sandboxes.values():
            box.close()
        exercise_results = tuple(_summarise(name, tests, sandboxes[name], cannot_run[name])
                                 for name in exercises)
    return GradeResult(
        submission=sub.name,
        learner_id=learner_id,
        seeding=seeding.mode,
        fingerprint=sub.fingerprint,
        grader_version=__version__,
        exercises=exercise_results,
        tests=tuple(tests),
        quiz=score_quiz(bank, answers, learner=learner_id),
        problems=sub.problems + tuple(Problem("answers", p) for p in answer_problems),
        isolation=layers_in_force(),
        files=sub.files,
    )


def resolve_learner_id(given: str | None, written: str | None) -> str:
    """The id a grading is done for: the one the grader was given (a batch's
    folder name, ``--learner``) wins over the one in answers.toml."""
    return (given if given is not None else written or "").strip()


def _missing(sub: Submission, name: str) -> Problem | None:
    """Why the exercise cannot run at all, or None when it can."""
    rel = f"{name}.py"
    if sub.has(rel):
        used = forbidden_imports((sub.root / rel).read_bytes(), name)
        return Problem("forbidden-import", shortcut_message(name, used)) if used else None
    if (sub.root / name).is_dir():
        return Problem("missing-file", f"{rel} is missing (there is a folder named {name}/ instead)")
    return Problem("missing-file", f"{rel} is missing from the submission")


def _summarise(name: str, tests: list[TestResult], box: Sandbox,
               cannot_run: Problem | None) -> ExerciseResult:
    mine = [t for t in tests if t.exercise == name]
    message = box.missing_reason or (str(box.import_error) if box.import_error else "")
    problem = cannot_run.code if cannot_run else "import-failed" if box.import_error else None
    return ExerciseResult(
        name=name,
        score=sum(t.score for t in mine),
        max_score=sum(t.max_score for t in mine),
        passed=sum(t.status == "passed" for t in mine),
        total=len(mine),
        message=sanitize.text(message),
        problem=problem,
        learner_output=sanitize.text(box.output()),
    )
