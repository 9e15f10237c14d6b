"""Run the hidden pytest suites in the grader's process against one learner.

pytest runs here, not in the child: the suites, the reference solutions and
the expected values never leave this process. The only way the learner's
code takes part is through the ``learner`` fixture, whose calls go to the
child processes (``remote.py``).
"""
from __future__ import annotations

import contextlib
import io
import os
from typing import Iterable

import pytest

from grader import policy, sanitize
from grader.errors import SuiteError, UsageError
from grader.sandbox.faults import LearnerFault
from grader import registry
from grader.paths import PACKAGE_DIR, SUITES_DIR
from grader.suites import fixtures
from grader.sandbox.remote import Learner
from grader.model import Diagnosis, TestResult, TestStatus
from grader.suites.seeding import Seeding, self_check
from grader.suites.support import CheckFailed

SUITES_INI = SUITES_DIR / "suites.ini"
LEARNER_KEY, SEEDING_KEY, TEST_SEED_KEY = (fixtures.LEARNER_KEY, fixtures.SEEDING_KEY,
                                           fixtures.TEST_SEED_KEY)
# pytest's options for a run inside a long-lived process.
IN_PROCESS_OPTIONS = (
    "-q", "-p", "no:cacheprovider", "-p", "no:stepwise", "--import-mode=importlib",
    # Log capture and the end-of-run garbage collection that hunts
    # unraisable exceptions cost ~1 s per grading and serve nothing
    # here: learner code, whose errors matter, runs in the children.
    "-p", "no:logging", "-p", "no:unraisableexception", "-p", "no:threadexception",
    # Results come from the exceptions themselves (_classify), never from
    # pytest's failure text; its default style parses the source of every
    # frame (~50 ms a failure), the native one only formats them.
    "--tb=native")


class SuitePlugin:
    """A pytest plugin object: provides the fixtures and records outcomes."""

    def __init__(self, learner: Learner, seeding: Seeding) -> None:
        self._learner = learner
        self._seeding = seeding
        self.results: list[TestResult] = []
        self.problems: list[str] = []
        # "exercise::test" -> why its outcome may be the grader's doing (see faults.py)
        self.doubts: dict[str, str] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[LEARNER_KEY] = self._learner
        config.stash[SEEDING_KEY] = self._seeding

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if item.get_closest_marker("points") is None:
                self.problems.append(f"{item.nodeid} has no @points(n) marker")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(f"collecting {report.nodeid} failed:\n{report.longreprtext}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        failed_setup = call.when == "setup" and report.failed
        if call.when != "call" and not failed_setup:
            return
        marker = item.get_closest_marker("points")
        max_score = float(marker.args[0]) if marker else 0.0
        status, output = _classify(call)
        if failed_setup and status == "failed":
            status = "error"
        diagnosis, detail = _evidence(call) if status == "failed" else (None, None)
        exercise = registry.exercise_of(str(item.fspath))
        doubt = _doubt(call)
        if doubt is not None:
            self.doubts[f"{exercise}::{item.name}"] = doubt
        self.results.append(TestResult(
            name=item.name,
            exercise=exercise,
            score=max_score if status == "passed" else 0.0,
            max_score=max_score,
            status=status,
            output=sanitize.text(output),
            description=(getattr(item, "obj", None).__doc__ or "").strip(),
            diagnosis=diagnosis,
            detail=detail,
            seed=item.stash.get(TEST_SEED_KEY, None),
            # Built from values the learner's code returned: made safe like a detail.
            exhibit=sanitize.data(item.stash[fixtures.EXHIBIT_KEY])
            if fixtures.EXHIBIT_KEY in item.stash else None,
        ))


def _classify(call: pytest.CallInfo) -> tuple[TestStatus, str]:
    if call.excinfo is None:
        return "passed", ""
    exc = call.excinfo.value
    if isinstance(exc, LearnerFault):
        return exc.status, str(exc)
    if isinstance(exc, pytest.fail.Exception):
        return "failed", str(exc.msg)
    if isinstance(exc, AssertionError):
        return "failed", str(exc) or "assertion failed"
    # The suite could not even check the value, e.g. the learner returned
    # a string where a number belongs. That is the learner's mistake.
    return "failed", f"the result could not be checked: {type(exc).__name__}: {exc}"


def _doubt(call: pytest.CallInfo) -> str | None:
    """Why this outcome may be the grader's trouble, not the learner's, or None.

    hypothesis calls a test "flaky" when an example failed once and passed on
    replay: with a deterministic learner function that is a child killed or
    stalled under us (the Dask flake: a loaded machine, a job killing stray
    processes), never something the learner's code decided.
    """
    from hypothesis.errors import Flaky
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, Flaky):
        return "flaky"
    return exc.doubt if isinstance(exc, LearnerFault) else None


def _evidence(call: pytest.CallInfo) -> tuple[Diagnosis | None, dict | None]:
    """The diagnosis and picture data a failed check left on its exception."""
    exc = call.excinfo.value if call.excinfo is not None else None
    if not isinstance(exc, CheckFailed):
        return None, None
    diagnosis = exc.diagnosis if isinstance(exc.diagnosis, Diagnosis) else None
    if diagnosis is not None:  # catalogue messages may quote the learner's values
        diagnosis = Diagnosis(sanitize.text(diagnosis.id, limit=200), sanitize.text(diagnosis.message))
    return diagnosis, sanitize.data(exc.detail) if isinstance(exc.detail, dict) else None


def run_suites(learner: Learner, exercises: Iterable[str], *, seeding: Seeding | None = None,
               only: tuple[str, ...] = (), doubts: dict[str, str] | None = None
               ) -> list[TestResult]:
    """Run the hidden suites of ``exercises``; return one result per test.

    ``seeding`` gives the learner's random inputs (self-check mode for an
    anonymous learner when None); ``only`` runs just the tests named
    "exercise::test" (a replay), or every test of an exercise named alone;
    they must be in ``exercises``. ``doubts``,
    when given, receives the tests whose outcome may be the grader's trouble.
    """
    import torch  # the reference computations use it; the suites import it anyway
    torch.set_num_threads(policy.GRADER_TORCH_THREADS)
    plugin = SuitePlugin(learner, seeding or self_check(""))
    paths = ([suite_path(e) + (f"::{t}" if t else "") for e, t in map(split_test_id, only)]
             or [suite_path(name) for name in exercises])
    if not paths:  # no exercise chosen: pytest given no path would collect everything
        return []
    args = [*paths, "-c", str(SUITES_INI), "--rootdir", str(PACKAGE_DIR), *IN_PROCESS_OPTIONS]
    sink = io.StringIO()
    # The grader's own pytest settings must not leak into grading, and the
    # terminal chatter of an in-process run belongs to no one.
    with _env_without("PYTEST_ADDOPTS", "PYTEST_PLUGINS"), \
            contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = pytest.main(args, plugins=[plugin, fixtures])
    if only and code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise UsageError(f"no hidden test is named {only[0]}" if len(only) == 1 else
                         f"one of these is not a hidden test: {', '.join(only)}",
                         hint="copy the name from a report or a result's tests, "
                              "e.g. conv::test_no_bias")
    if plugin.problems:
        raise SuiteError("the hidden suites are broken:\n" + "\n".join(plugin.problems))
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise SuiteError(f"pytest stopped with {code!r}:\n{sink.getvalue()[-3000:]}")
    if doubts is not None:
        doubts.update(plugin.doubts)
    return plugin.results


def suite_path(exercise: str) -> str:
    """The hidden suite of ``exercise`` (a UsageError names the exercises when there is none)."""
    return str(registry.get(exercise).hidden_suite)


def split_test_id(test_id: str) -> tuple[str, str]:
    """"conv::test_no_bias" -> ("conv", "test_no_bias"); a bare "conv" -> ("conv", ""),
    meaning all of that exercise's tests; anything else is a UsageError that shows the form."""
    exercise, sep, test = test_id.partition("::")
    if not exercise.isidentifier() or (sep and not test.startswith("test_")):
        raise UsageError(f"{test_id!r} is not a hidden test's name",
                         hint="names are EXERCISE::TEST, e.g. conv::test_no_bias, or an "
                              "exercise alone, e.g. conv")
    return exercise, test


@contextlib.contextmanager
def _env_without(*names: str):
    saved = {n: os.environ.pop(n) for n in names if n in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
