"""Hunt the Dask flake: grade correct submissions on a local Dask cluster many
times beside a CPU-bound load (and, with --killer, beside a job that kills
stray learner processes now and then), and count every test of a correct
submission that did not pass.

    .venv/bin/python benchmarks/dask_flake.py --runs 50 --load 2 [--killer 3.0]

Prints one line per run and a summary: runs, tests graded, tests not passed
(with their status and first line), tests the grader marked as its own fault.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.batch.run import grade_class  # noqa: E402
from grader.paths import SOLUTIONS_DIR  # noqa: E402


def _spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _learner_children() -> list[int]:
    """Learner children of any grading on this machine (cold or forked)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"child.py" in cmd and b"/bin/sh" not in cmd:
                found.append(int(entry))
    return found


def _killer(every: float, stop: threading.Event, kills: list) -> None:
    while not stop.wait(random.uniform(0.5, 1.5) * every):
        pids = _learner_children()
        if pids:
            pid = random.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append(pid)
            except OSError:
                pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--learners", type=int, default=2)
    parser.add_argument("--load", type=int, default=2, help="CPU-bound processes beside it")
    parser.add_argument("--killer", type=float, default=0.0,
                        help="kill a random learner child about every this many seconds")
    args = parser.parse_args()
    import distributed

    stop = multiprocessing.get_context("spawn").Event()
    load = [multiprocessing.get_context("spawn").Process(target=_spin, args=(stop,))
            for _ in range(args.load)]
    for p in load:
        p.start()
    kills: list[int] = []
    kill_stop = threading.Event()
    if args.killer:
        threading.Thread(target=_killer, args=(args.killer, kill_stop, kills),
                         daemon=True).start()
    bad: Counter = Counter()
    faults = graded = 0
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="dask-flake-") as tmp, \
                distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address=None) as cluster:
            batch = Path(tmp) / "class"
            for i in range(args.learners):
                shutil.copytree(SOLUTIONS_DIR, batch / f"learner{i}",
                                ignore=shutil.ignore_patterns("__pycache__"))
            for run in range(1, args.runs + 1):
                out = Path(tmp) / f"out{run}"
                t0 = time.monotonic()
                grade_class(submissions=batch, out=out, jobs=2, progress=False,
                            dask_address=cluster.scheduler_address)
                lost = []
                for record in (json.loads(p.read_text()) for p in (out / "learners").glob("*.json")):
                    for t in record.get("tests", ()):
                        graded += 1
                        if t["status"] == "error" and t["output"].startswith("grader fault"):
                            faults += 1
                        if t["status"] != "passed":
                            first = t["output"].splitlines()[0][:160] if t["output"] else ""
                            lost.append(f"{t['exercise']}::{t['name']} {t['status']}: {first}")
                    if "error" in record:
                        lost.append(f"learner error: {record['error'][:160]}")
                bad.update(lost)
                print(f"run {run:3d}: {time.monotonic() - t0:5.1f} s, {len(lost)} not passed",
                      *("   " + x for x in lost), sep="\n" if lost else "", flush=True)
                shutil.rmtree(out)
    finally:
        stop.set()
        kill_stop.set()
        for p in load:
            p.join()
    print(f"\n{args.runs} runs x {args.learners} correct learners, load {args.load}, "
          f"killer {args.killer or 'off'} ({len(kills)} kills): {graded} tests graded, "
          f"{sum(bad.values())} not passed, {faults} marked grader fault; "
          f"{time.monotonic() - started:.0f} s")
    for line, n in bad.most_common():
        print(f"  {n:3d} x {line}")


if __name__ == "__main__":
    main()
