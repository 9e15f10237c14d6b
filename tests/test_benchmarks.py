"""The benchmarks' in-process path (benchmarks/naive_plugin.py, suite_floor.py).

The floor of a suite means something only while the naive path grades a
correct submission as the grader does: once a change to the sandbox's
interface broke it, every test failed, and the "floor" measured hypothesis
shrinking failures, ten times too high.
"""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

FLOOR = ROOT / "benchmarks" / "suite_floor.py"


def floor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FLOOR), "--per-suite", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_floor_of_the_solutions_is_measured_over_passing_tests():
    # backward and im2col are the suites with a budget; transfer needs a provided module.
    done = floor("-e", "backward", "-e", "im2col", "-e", "transfer", "solutions")
    assert done.returncode == 0, done.stderr[-2000:]
    seconds = json.loads(done.stdout)["solutions"]
    assert set(seconds) == {"backward", "im2col", "transfer"}
    assert all(0 < s < 60 for s in seconds.values()), seconds


def test_a_floor_over_failing_tests_is_refused():
    # transfer's stubs fail at once; a suite with property tests would first
    # spend half a minute shrinking its failures.
    done = floor("-e", "transfer", "exercises")
    assert done.returncode != 0
    assert "failed on" in done.stderr and "no floor" in done.stderr
