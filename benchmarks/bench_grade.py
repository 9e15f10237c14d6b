"""Wall time of grading one submission end to end, as a learner or CI sees it.

Each run is a fresh ``cnn-grader grade`` process (interpreter start, imports,
children, suites, quiz, JSON and HTML), so the figure includes everything.
Prints each run, the median and the spread; quote the median.

    .venv/bin/python benchmarks/bench_grade.py [--runs 7] [SUBMISSION]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def time_one(submission: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(submission),
                    "--json", str(out / "r.json"), "--html", str(out / "r.html")],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", nargs="?", default=str(ROOT / "solutions"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        time_one(Path(args.submission), Path(tmp))  # warm the file cache
        times = [time_one(Path(args.submission), Path(tmp)) for _ in range(args.runs)]
    for i, t in enumerate(times, 1):
        print(f"run {i}: {t:.2f} s")
    print(f"grade one submission end to end: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
