"""Grade one submission: intake, sandboxes, hidden suites, quiz, result.

This is the library function behind ``cnn-grader grade``; tests call it
directly.
"""
from __future__ import annotations

import importlib
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from grader import __version__, registry, sanitize
from grader.intake.submission import Submission, take
from grader.model import ExerciseResult, GradeResult, Problem, TestResult
from grader.paths import ANSWERS_FILE, QUIZ_BANK
from grader.quiz.bank import load_answers, load_bank, score_quiz
from grader.sandbox import leftovers, scratch
from grader.sandbox.forbidden import forbidden_imports, shortcut_message
from grader.sandbox.remote import Learner
from grader.sandbox.session import Sandbox
from grader.sandbox.warmpool import layers_in_force
from grader.scoring import credit, regrade
from grader.suites.runner import run_suites, split_test_id
from grader.suites.seeding import seeding_for

def grade(*, submission: Path, exercises: tuple[str, ...] | None = None,
          learner: str | None = None, secret_file: Path | None = None,
          only: tuple[str, ...] = (), for_credit: bool = False, signing: bool = False,
          insecure: bool = False) -> GradeResult:
    """Grade ``submission`` (a folder or a .zip) and return the typed result.

    ``learner`` is the learner id; without it, the ``learner`` line of the
    submission's answers.toml is used, and without that the id is "".
    ``secret_file`` holds the course secret behind the learner's random
    inputs (default: $CNN_GRADER_SECRET_FILE; neither: self-check mode).
    ``only`` replays just the tests named "exercise::test".
    ``for_credit`` (also implied by a course secret or ``signing``) and
    ``insecure`` mean what ``credit.check`` says: without isolation, grading
    for credit refuses unless ``insecure``, and the result then says so.
    """
    if only:
        exercises = tuple(dict.fromkeys(registry.get(split_test_id(t)[0]).name for t in only))
    elif exercises is None:
        exercises = registry.names()
    bank = load_bank(QUIZ_BANK)
    leftovers.sweep()  # what a killed grader left behind, once per process
    with scratch.folder("grading") as work, ExitStack() as stack:
        (work / "submission").mkdir()
        sub = take(Path(submission), work / "submission")
        answers = load_answers(sub.root / ANSWERS_FILE, bank=bank, given=learner)
        learner_id = resolve_learner_id(learner, answers.learner)
        seeding = seeding_for(learner_id, secret_file=secret_file, fingerprint=sub.fingerprint)
        guard = credit.check(for_credit=for_credit or signing or seeding.mode == "course",
                             signing=signing, insecure=insecure)
        if guard.mode == "learner-uid":
            work.chmod(0o711)  # learner uids pass through to their own folders only
        sandboxes = {}
        cannot_run = {name: _missing(sub, name) for name in exercises}
        for name in exercises:
            box = Sandbox(name, submission_dir=sub.root, workdir=work,
                          missing_reason=_why(cannot_run[name]))
            stack.callback(box.close)
            box.start()  # all children start now and import in parallel
            sandboxes[name] = box
        doubts: dict[str, str] = {}
        learners = Learner(sandboxes)
        tests = run_suites(learners, exercises, seeding=seeding, only=only, doubts=doubts)
        timings = {} if only else {name: _timing(name, learners, exercises) for name in exercises}
        for box in sandboxes.values():
            box.close()

        def rerun(ids: tuple[str, ...]) -> tuple[list, dict[str, str]]:
            """Those tests again, in fresh children (no timeout or crash budget spent)."""
            names = tuple(dict.fromkeys(split_test_id(i)[0] for i in ids))
            fresh = {name: Sandbox(name, submission_dir=sub.root, workdir=work,
                                   missing_reason=_why(cannot_run[name])) for name in names}
            again: dict[str, str] = {}
            try:
                return run_suites(Learner(fresh), names, seeding=seeding, only=ids,
                                  doubts=again), again
            finally:
                for box in fresh.values():
                    box.close()

        tests = regrade.settle(tests, doubts, rerun=rerun)
        # A forbidden library found loaded voids its whole exercise, tests
        # passed before it was found included.
        tests = [_voided(t, sandboxes[t.exercise]) for t in tests]
        exercise_results = tuple(_summarise(name, tests, sandboxes[name], cannot_run[name],
                                            timings.get(name, ""))
                                 for name in exercises)
    return GradeResult(
        submission=sub.name,
        learner_id=learner_id,
        seeding=seeding.mode,
        fingerprint=sub.fingerprint,
        grader_version=__version__,
        exercises=exercise_results,
        tests=tuple(tests),
        quiz=score_quiz(bank, answers.answers, learner=learner_id, problems=answers.problems),
        problems=sub.problems + answers.problems,
        isolation=layers_in_force() + ((credit.INSECURE_NOTE,) if guard.insecure else ()),
        files=sub.files,
        insecure=guard.insecure,
    )


def _why(cannot_run: Problem | None) -> str | None:
    return cannot_run.message if cannot_run else None


def _timing(name: str, learner: Learner, exercises: tuple[str, ...]) -> str:
    """The information-only timing line of a unit that has one (its ``timing.py``
    with ``line(learner, exercises)``), else ""."""
    if not (registry.get(name).folder / "timing.py").is_file():
        return ""
    return str(importlib.import_module(f"grader.units.{name}.timing").line(learner, exercises))


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
               cannot_run: Problem | None, timing: str = "") -> ExerciseResult:
    mine = [t for t in tests if t.exercise == name]
    message = (box.missing_reason or box.forbidden_reason
               or (str(box.import_error) if box.import_error else ""))
    problem = (cannot_run.code if cannot_run else "forbidden-import" if box.forbidden_reason
               else "import-failed" if box.import_error else None)
    return ExerciseResult(
        name=name,
        score=sum(t.score for t in mine),
        max_score=sum(t.max_score for t in mine),
        passed=sum(t.status == "passed" for t in mine),
        total=len(mine),
        message=sanitize.text(message),
        problem=problem,
        learner_output=sanitize.text(box.output()),
        timing=sanitize.text(timing),
    )


def _voided(test: TestResult, box: Sandbox) -> TestResult:
    if box.forbidden_reason is None or test.status != "passed":
        return test
    return replace(test, score=0.0, status="failed", output=box.forbidden_reason)
