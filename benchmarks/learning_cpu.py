"""Core-seconds to grade the reference on each exercise that trains a network.

    .venv/bin/python benchmarks/learning_cpu.py [--runs 3] [--exercise training ...]

Each grading is a fresh process pinned to one core (taskset, where it exists)
that grades one exercise of solutions/ (``grading.grade(exercises=...)``).
Its cost is the CPU time of the whole process tree: the grader and every
child it started (the learner's children, the warm pool's zygotes), counted
by the kernel as they are reaped. A baseline process that imports the same
modules and grades only the quiz is subtracted, so the figure is what the
exercise adds: its child's start and import, its calls, and the grader's own
work (the reference kernels, the MLP and from-scratch baselines, pytest).
Medians of interleaved runs; the machine is shared, so compare within a run.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ("training", "transfer")

PROBE = """
import json, sys
from pathlib import Path
import torch  # noqa: F401 - imported by grading anyway
from grader.scoring.grading import grade
exercises = tuple(sys.argv[2:])
result = grade(submission=Path(sys.argv[1]), exercises=exercises)  # () grades the quiz alone
print(json.dumps({"full": all(e.score == e.max_score for e in result.exercises)}))
"""


def tree_cpu(exercises: tuple[str, ...]) -> tuple[float, bool]:
    """CPU seconds of one grading's whole process tree, and whether it gave full marks."""
    command = [sys.executable, "-c", PROBE, str(ROOT / "solutions"), *exercises]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, json.loads(done.stdout.strip().splitlines()[-1])["full"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--exercise", action="append", default=None)
    args = parser.parse_args()
    cases = tuple(args.exercise or DEFAULT)
    base: list[float] = []
    costs: dict[str, list[float]] = {c: [] for c in cases}
    full: dict[str, int] = {c: 0 for c in cases}
    for _ in range(args.runs):  # interleaved, so drifting load hits every case alike
        base.append(tree_cpu(())[0])
        for case in cases:
            cpu, ok = tree_cpu((case,))
            costs[case].append(cpu)
            full[case] += ok
    floor = statistics.median(base)
    print(f"baseline (imports, quiz only): median {floor:.2f} core-s over {args.runs} runs")
    total = 0.0
    for case in cases:
        added = statistics.median(costs[case]) - floor
        total += added
        print(f"{case:10s} median {added:5.2f} core-s above the baseline "
              f"(runs: {', '.join(f'{c - floor:.2f}' for c in costs[case])}; "
              f"full marks in {full[case]}/{args.runs})")
    print(f"together   {total:5.2f} core-s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
