"""Core-seconds to grade the reference on each exercise that trains a network.

    .venv/bin/python benchmarks/learning_cpu.py [--runs 3] [--exercise training ...]

Each grading is a fresh process pinned to one core (taskset, where it exists)
that grades solutions/ (``grading.grade(exercises=...)``). Its cost is the
CPU time of the whole process tree: the grader and every child it started
(the learner's children, the warm pool's zygotes), counted by the kernel as
they are reaped. Two figures per exercise:

* alone: grading the exercise (and the quiz) alone, less a process that
  grades the quiz alone: everything the exercise brings, the torch zygote's
  start included;
* in a full grading: grading it beside the residual block (a torch exercise,
  so the torch zygote is there anyway) less the residual block alone: what
  it adds to a grading of every exercise, the figure a class's time grows by.

Then all the exercises named, graded together in one process (alone, and
beside the residual block): what they share is paid once, so this is the
figure for "these exercises together", not the sum of the lines above.
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
    bases = {(): [], ("residual",): []}  # type: dict[tuple[str, ...], list[float]]
    costs: dict[tuple[str, ...], list[float]] = {}
    full: dict[tuple[str, ...], int] = {}
    # Each exercise on its own, then all of them in one grading: what they
    # share in the grader's process (torch._dynamo, imported by its own
    # baselines' optimisers) is paid once there, as it is in a real grading.
    groups = [(case,) for case in cases] + ([cases] if len(cases) > 1 else [])
    for _ in range(args.runs):  # interleaved, so drifting load hits every case alike
        for base in bases:
            bases[base].append(tree_cpu(base)[0])
            for group in groups:
                key = (*base, *group)
                cpu, ok = tree_cpu(key)
                costs.setdefault(key, []).append(cpu)
                full[key] = full.get(key, 0) + ok
    floors = {base: statistics.median(values) for base, values in bases.items()}
    print(f"baselines over {args.runs} runs: quiz alone {floors[()]:.2f} core-s, residual "
          f"{floors[('residual',)]:.2f} core-s")
    totals = {base: 0.0 for base in bases}
    for case in cases:
        parts = []
        for base, floor in floors.items():
            key = (*base, case)
            added = statistics.median(costs[key]) - floor
            totals[base] += added
            parts.append(f"{'alone' if not base else 'in a full grading'} {added:5.2f} "
                         f"(full marks {full[key]}/{args.runs})")
        print(f"{case:10s} median core-s: {'; '.join(parts)}")
    print(f"summed     alone {totals[()]:5.2f}; in a full grading {totals[('residual',)]:5.2f}")
    if len(cases) > 1:
        parts = [f"{'alone' if not base else 'in a full grading'} "
                 f"{statistics.median(costs[(*base, *cases)]) - floor:5.2f} "
                 f"(full marks {full[(*base, *cases)]}/{args.runs})" for base, floor in floors.items()]
        print(f"together, graded in one run: {'; '.join(parts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
