"""What the hidden suites cost by themselves: the floor under any grader of them.

One warm process grades each submission given with the same hidden suites,
its modules imported straight into this process (``naive_plugin.py``): no
sandbox, no child, no interpreter start, no torch import. Whatever a grader
adds for safety or for reporting comes on top of these CPU seconds, so the
naive path's CPU seconds per submission divided by these bound the ratio any
grader of these suites can reach. Learner code runs here unguarded: give it
only submissions known to finish (``bench_batch.py`` gives the correct ones).

    python benchmarks/suite_floor.py SUBMISSION...   # prints {name: CPU seconds} as JSON
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import pytest  # noqa: E402

from grader import registry  # noqa: E402
from grader.paths import PACKAGE_DIR, SUITES_DIR  # noqa: E402
from grader.suites.runner import IN_PROCESS_OPTIONS  # noqa: E402


def grade_in_process(submission: Path) -> float:
    """CPU seconds this process spends running every hidden suite against ``submission``."""
    os.environ["NAIVE_SUBMISSION"] = str(submission)
    args = [*(str(e.hidden_suite) for e in registry.exercises()),
            "-c", str(SUITES_DIR / "suites.ini"), "--rootdir", str(PACKAGE_DIR),
            "-p", "naive_plugin", "-p", "grader.suites.fixtures", *IN_PROCESS_OPTIONS]
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(args)
    seconds = time.process_time() - start
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise SystemExit(f"pytest stopped with {code!r} on {submission}")
    return seconds


def main() -> None:
    submissions = [Path(p) for p in sys.argv[1:]]
    if not submissions:
        raise SystemExit(__doc__)
    grade_in_process(submissions[0])  # warm-up: imports, first collection, lazy torch setup
    print(json.dumps({p.name: round(grade_in_process(p), 4) for p in submissions}))


if __name__ == "__main__":
    main()
