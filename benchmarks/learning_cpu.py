"""Core-seconds to grade the reference on each torch-training exercise.

    .venv/bin/python benchmarks/learning_cpu.py [--runs 3]

Each grading is a fresh process (``grading.grade(..., exercises=...)``),
pinned to one core with taskset where it exists. It reports the grader's
own CPU seconds after its imports (suites, reference computations,
baselines) and the CPU seconds of the learner's calls in the child, as the
child's cgroup counted them for the training budget (``Sandbox._spent_s``;
without a cgroup that is wall time, an upper bound). The child's start and
import are in neither figure.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = (("training",), ("transfer",))

PROBE = """
import json, resource, sys
from pathlib import Path
from grader import sandbox
spent = {}
close = sandbox.Sandbox.close
def record(self):
    spent[self.module] = max(spent.get(self.module, 0.0), self._spent_s)
    return close(self)
sandbox.Sandbox.close = record
from grader.grading import grade
import torch  # the grader's imports are not the exercise's cost
start = resource.getrusage(resource.RUSAGE_SELF)
result = grade(submission=Path(sys.argv[1]), exercises=tuple(sys.argv[2:]))
end = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"grader": end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime,
                  "child": sum(spent.values()),
                  "full": all(e.score == e.max_score for e in result.exercises)}))
"""


def measure(exercises: tuple[str, ...]) -> dict:
    command = [sys.executable, "-c", PROBE, str(ROOT / "solutions"), *exercises]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for case in CASES:
        runs = [measure(case) for _ in range(args.runs)]
        total = [r["grader"] + r["child"] for r in runs]
        print(f"{' + '.join(case):10s} median {statistics.median(total):5.2f} core-s "
              f"(grader {statistics.median(r['grader'] for r in runs):.2f}, child calls "
              f"{statistics.median(r['child'] for r in runs):.2f}; full marks in "
              f"{sum(r['full'] for r in runs)}/{len(runs)} runs)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
