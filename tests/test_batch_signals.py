"""A real batch run (the CLI, in its own process) stopped part-way, then run again.

Whatever the signal, nothing graded is lost, nobody is graded twice, no
worker outlives the run, and the gradebook ends consistent with the
per-learner files.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from batch_samples import buggy, solution_with, zip_folder
from conftest import QUICK_ONLY
from grader.batch.gradebook import read_gradebook, row

pytestmark = pytest.mark.slow
LEARNERS = ("ann", "ben", "cat")


@pytest.fixture(scope="module")
def zip_of_zips(tmp_path_factory) -> Path:
    """Three learners as .zip files inside one class .zip."""
    root = tmp_path_factory.mktemp("signals")
    variants = [{}, buggy("pooling", "bug_ceil_mode"), buggy("residual", "bug_no_final_relu")]
    inner = root / "inner"
    inner.mkdir()
    for learner, replacements in zip(LEARNERS, variants):
        zip_folder(solution_with(root / learner, replacements), inner / f"{learner}.zip")
    return zip_folder(inner, root / "class.zip")


def _cli(batch: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "grader.cli", "grade", str(batch), "--out", str(out),
            "--jobs", "2", *QUICK_ONLY]


def _done(out: Path) -> dict[str, tuple[int, int]]:
    folder = out / "learners"
    if not folder.is_dir():
        return {}
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.json")}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL],
                         ids=["SIGINT", "SIGTERM", "SIGKILL"])
def test_a_stopped_batch_finishes_on_the_next_run(zip_of_zips, tmp_path, signum):
    out = tmp_path / "out"
    proc = subprocess.Popen(_cli(zip_of_zips, out), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _done(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before it could be stopped"
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if signum != signal.SIGKILL else -signal.SIGKILL), err
    # Killed with its parent (kill -9 included): no worker grades on unobserved.
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive
    first = _done(out)
    assert 0 < len(first) < len(LEARNERS)
    if signum != signal.SIGKILL:
        assert "run the same command again" in err
        _assert_gradebook_matches(out)
    else:
        # No clean-up ran, yet the gradebook is written after every learner:
        # it lacks at most the one learner whose JSON was being recorded.
        _assert_gradebook_matches(out, missing_at_most=1)

    again = subprocess.run(_cli(zip_of_zips, out), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "%|" not in again.stderr  # no progress bar when the output is piped
    final = _done(out)
    assert set(final) == set(LEARNERS)
    # What the stopped run finished was not graded again.
    assert {k: final[k] for k in first} == first
    assert f"{len(first)} already graded" in again.stdout
    _assert_gradebook_matches(out)


def _assert_gradebook_matches(out: Path, missing_at_most: int = 0) -> None:
    records = [json.loads(p.read_text()) for p in sorted((out / "learners").glob("*.json"))]
    rows = sorted(map(row, records), key=lambda r: r["learner_id"])
    book = read_gradebook(out / "gradebook.csv")
    if missing_at_most:
        assert all(r in rows for r in book) and len(rows) - len(book) <= missing_at_most
    else:
        assert book == rows
