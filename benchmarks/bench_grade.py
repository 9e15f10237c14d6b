"""Wall time of grading one submission end to end, as a learner or CI sees it.

Each run is a fresh ``cnn-grader grade`` process (interpreter start, imports,
children, suites, quiz, JSON and HTML), so the figure includes everything.
Prints each run, the median and the spread; quote the median.

    .venv/bin/python benchmarks/bench_grade.py [--runs 7] [SUBMISSION]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# The layers of isolation that can be switched off, to measure what they cost.
WITHOUT_LAYERS = {"CNN_GRADER_NO_BWRAP": "1", "CNN_GRADER_NO_CGROUP": "1"}


def time_one(submission: Path, out: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(submission),
                    "--json", str(out / "r.json"), "--html", str(out / "r.html")],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                   env={**os.environ, **(env or {})})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", nargs="?", default=str(ROOT / "solutions"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare-layers", action="store_true",
                        help="also time grading without bubblewrap and cgroups, interleaved")
    args = parser.parse_args()
    sub = Path(args.submission)
    modes = {"all layers": {}}
    if args.compare_layers:
        modes["child process only (no bubblewrap, no cgroup)"] = WITHOUT_LAYERS
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        time_one(sub, Path(tmp))  # warm the file cache
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            for mode, env in modes.items():
                times[mode].append(time_one(sub, Path(tmp), env))
    for mode, runs in times.items():
        print(f"{mode}: runs {' '.join(f'{t:.2f}' for t in runs)} s")
        print(f"  grade one submission end to end: median {statistics.median(runs):.2f} s, "
              f"min {min(runs):.2f} s, max {max(runs):.2f} s over {len(runs)} runs")
    if args.compare_layers:
        medians = [statistics.median(r) for r in times.values()]
        print(f"ratio all layers / child process only: {medians[0] / medians[1]:.2f}")


if __name__ == "__main__":
    main()
