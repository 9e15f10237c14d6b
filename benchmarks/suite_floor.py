"""What the hidden suites cost by themselves: the floor under any grader of them.

One warm process grades each submission given with the same hidden suites,
its modules imported straight into this process (``naive_plugin.py``): no
sandbox, no child, no interpreter start, no torch import. Whatever a grader
adds for safety or for reporting comes on top of these CPU seconds, so the
naive path's CPU seconds per submission divided by these bound the ratio any
grader of these suites can reach. Learner code runs here unguarded: give it
only submissions known to finish (``bench_batch.py`` gives the correct ones).

    python benchmarks/suite_floor.py SUBMISSION...   # prints {name: CPU seconds} as JSON
    python benchmarks/suite_floor.py --per-suite [--runs 5] [-e backward] SUBMISSION...
        # {name: {exercise: CPU seconds}}: each suite's share of one run (collecting
        # its file, running its tests), e.g. to hold a new suite to its budget
        # (backward and im2col: 0.15 CPU s each for a correct submission)
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import pytest  # noqa: E402

from grader import registry  # noqa: E402
from grader.paths import PACKAGE_DIR, SUITES_DIR  # noqa: E402
from grader.suites.runner import IN_PROCESS_OPTIONS  # noqa: E402


class SuiteClock:
    """CPU seconds per hidden suite within one run: collecting its file, then its tests.

    It also counts the tests that did not pass: a floor measured over failing
    tests measures hypothesis shrinking them, not the suite (a broken naive
    plugin once made every "floor" ten times too high).
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self.failed.append(report.nodeid)

    def _add(self, path, seconds: float) -> None:
        name = registry.exercise_of(str(path)) if str(path).endswith("hidden.py") else ""
        if name in registry.EXERCISES:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector):
        start = time.process_time()
        yield
        self._add(getattr(collector, "path", ""), time.process_time() - start)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item):
        start = time.process_time()
        yield
        self._add(item.path, time.process_time() - start)


def grade_in_process(submission: Path, clock: SuiteClock | None = None,
                     exercises: tuple[str, ...] = ()) -> float:
    """CPU seconds this process spends running the hidden suites (every one, or
    ``exercises``) against ``submission``."""
    os.environ["NAIVE_SUBMISSION"] = str(submission)
    chosen = [e for e in registry.exercises() if not exercises or e.name in exercises]
    args = [*(str(e.hidden_suite) for e in chosen),
            "-c", str(SUITES_DIR / "suites.ini"), "--rootdir", str(PACKAGE_DIR),
            "-p", "naive_plugin", "-p", "grader.suites.fixtures", *IN_PROCESS_OPTIONS]
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(args, plugins=[clock] if clock is not None else [])
    seconds = time.process_time() - start
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise SystemExit(f"pytest stopped with {code!r} on {submission}")
    return seconds


def per_suite(submission: Path, exercises: tuple[str, ...] = ()) -> dict[str, float]:
    clock = SuiteClock()
    grade_in_process(submission, clock, exercises)
    if clock.failed:
        raise SystemExit(f"{len(clock.failed)} test(s) failed on {submission}, so its CPU "
                         f"seconds are no floor: {', '.join(clock.failed[:3])}")
    return {name: round(clock.seconds.get(name, 0.0), 4)
            for name in registry.EXERCISES if not exercises or name in exercises}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-suite", action="store_true",
                        help="split each run's CPU seconds by hidden suite")
    parser.add_argument("--exercise", "-e", action="append", default=[],
                        help="only this exercise's suite (repeatable)")
    parser.add_argument("--runs", type=int, default=1,
                        help="with --per-suite: repeat, and print each suite's median")
    parser.add_argument("submissions", nargs="+", type=Path)
    options = parser.parse_args()
    only = tuple(options.exercise)
    grade_in_process(options.submissions[0], exercises=only)  # warm-up: imports, lazy setup
    if options.per_suite:
        print(json.dumps({p.name: median_per_suite(p, only, options.runs)
                          for p in options.submissions}))
    else:
        print(json.dumps({p.name: round(grade_in_process(p, exercises=only), 4)
                          for p in options.submissions}))


def median_per_suite(submission: Path, exercises: tuple[str, ...], runs: int) -> dict:
    taken = [per_suite(submission, exercises) for _ in range(max(1, runs))]
    return {name: round(statistics.median(t[name] for t in taken), 4) for name in taken[0]}


if __name__ == "__main__":
    main()
