"""Core-seconds to grade the reference on each torch-training exercise (one core).

    .venv/bin/python benchmarks/learning_cpu.py [--runs 3]

Each grading is a fresh process (``grading.grade(..., exercises=...)``)
pinned to one core with taskset where it exists; its CPU time, and that of
every child it waited for (the learner's sandboxed children), is read
from getrusage. A grading of `params` alone (no torch in the child) gives
the fixed cost of starting the grader, which the per-exercise figures
include.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = (("params",), ("training",), ("transfer",), ("training", "transfer"))


def core_seconds(exercises: tuple[str, ...]) -> float:
    out = Path(tempfile.mkdtemp()) / "r.json"
    code = ("import json, sys; from pathlib import Path; from grader.grading import grade; "
            "from grader.results import to_json; "
            f"r = grade(submission=Path({str(ROOT / 'solutions')!r}), exercises={exercises!r}); "
            f"Path({str(out)!r}).write_text(json.dumps(to_json(r)))")
    command = [sys.executable, "-c", code]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.read_text())
    scores = {e: result["exercises"][e] for e in exercises}
    assert all(s["score"] == s["max_score"] for s in scores.values()), scores
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for case in CASES:
        runs = [core_seconds(case) for _ in range(args.runs)]
        print(f"{' + '.join(case):22s} median {statistics.median(runs):5.2f} core-s  "
              f"(runs: {', '.join(f'{r:.2f}' for r in runs)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
