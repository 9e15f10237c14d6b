"""Throughput of grading a class: the batch path against a naive grader, side by side.

Generates N submissions (a realistic mix: mostly correct, some with a bug from
grader/units/*/variants, a few slow and a few that never return), then grades the same
folder twice in one run:

* batch: ``grader.batch.run.grade_class`` (long-lived workers, warm pool,
  sandboxed children, per-learner JSON and HTML, gradebook, class report);
* naive: one fresh ``pytest`` process per submission running the same hidden
  suites, with the learner's modules imported into it directly
  (``naive_plugin.py``), ``--jobs`` of them at a time, each killed after
  ``--naive-timeout`` seconds (a naive grader's only defence against a hang).

For each it prints throughput, the median and p95 seconds per submission (the
time one worker spent on it) and the peak memory of its whole process tree
(sum of PSS, which counts pages shared after fork once; sum of RSS as well).
The machine's load average is printed before and after: other work on the
same cores slows both paths.

    .venv/bin/python benchmarks/bench_batch.py --n 50 200 --jobs 2
    .venv/bin/python benchmarks/bench_batch.py --n 200 --skip-naive --similarity both
    .venv/bin/python benchmarks/bench_batch.py --n 200 --skip-naive --correct-only
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch import run as batch  # noqa: E402
from grader.quiz import variants as quiz_variants  # noqa: E402
from grader.quiz.bank import load_bank  # noqa: E402
from grader import registry  # noqa: E402
from grader.paths import PACKAGE_DIR, SOLUTIONS_DIR, SUITES_DIR  # noqa: E402

# Shares of the class; what is left over is correct.
BUGGY, SLOW, ENDLESS = 0.15, 0.03, 0.02
SLOW_SOURCE = "\n\nimport time as _t\n_real = {name}\n\ndef {name}(*a, **k):\n" \
              "    _t.sleep(0.05)\n    return _real(*a, **k)\n"
ENDLESS_SOURCE = "\n\ndef {name}(*a, **k):\n    while True:\n        pass\n"


# --------------------------------------------------------------------------- the class
def make_class(root: Path, n: int, seed: int, *, correct_only: bool = False) -> dict[str, str]:
    """``n`` learner folders under ``root``; returns each learner's kind.
    ``correct_only``: every one of them correct (each with its own quiz answers)."""
    rng = random.Random(seed)
    # Sorted by exercise name, then file: the same draws as before the units (issue 13).
    bugs = sorted((p for e in registry.exercises() for p in e.variants_dir.glob("bug_*.py")),
                  key=lambda p: (p.parent.parent.name, p.name))
    kinds = {}
    for i in range(n):
        learner = f"learner{i:04d}"
        dest = root / learner
        shutil.copytree(SOLUTIONS_DIR, dest, ignore=shutil.ignore_patterns("__pycache__"))
        (dest / "answers.toml").write_text(answers_for(learner))
        draw = 1.0 if correct_only else rng.random()
        if draw < BUGGY:
            bug = rng.choice(bugs)
            exercise = bug.parent.parent.name
            shutil.copyfile(bug, dest / f"{exercise}.py")
            kinds[learner] = f"buggy ({exercise}/{bug.stem})"
        elif draw < BUGGY + SLOW:
            _append(dest / "params.py", SLOW_SOURCE.format(name="count_params"))
            kinds[learner] = "slow (50 ms per call of count_params)"
        elif draw < BUGGY + SLOW + ENDLESS:
            _append(dest / "receptive_field.py", ENDLESS_SOURCE.format(name="receptive_field"))
            kinds[learner] = "endless loop (receptive_field)"
        else:
            kinds[learner] = "correct"
    return kinds


def answers_for(learner: str) -> str:
    """A fully correct answers.toml for ``learner``: its own variant of every question."""
    lines = [f"learner = {json.dumps(learner)}", "", "[answers]"]
    for q in quiz_variants.for_learner(load_bank(), learner):
        value = list(q.answer) if isinstance(q.answer, tuple) else q.answer
        lines.append(f"{q.id} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


# --------------------------------------------------------------------------- memory
class TreeMemory:
    """Samples the summed PSS and RSS of this process and all its descendants."""

    def __init__(self, every: float = 0.25) -> None:
        self.peak_pss = self.peak_rss = 0
        self._every, self._stop = every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            pss = rss = 0
            for pid in _descendants(os.getpid()):
                p, r = _memory(pid)
                pss, rss = pss + p, rss + r
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes, or zeros for a process that has just ended."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss"):
                values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return values.get("Pss", 0), values.get("Rss", 0)


# --------------------------------------------------------------------------- batch
def timed_grade_one(*args):
    """``batch.grade_one``, timed inside the worker; the time goes to a side file."""
    start = time.perf_counter()
    result = _GRADE_ONE(*args)
    with open(os.environ["BENCH_BATCH_TIMES"], "a") as fh:
        fh.write(f"{args[2]}\t{time.perf_counter() - start:.4f}\n")
    return result


_GRADE_ONE = batch.grade_one


def run_batch(folder: Path, out: Path, jobs: int, similarity: bool = True) -> dict:
    times_file = out.parent / f"{out.name}-times.tsv"
    os.environ["BENCH_BATCH_TIMES"] = str(times_file)
    batch.grade_one = timed_grade_one  # workers find it in this module (spawn)
    try:
        with TreeMemory(float(os.environ.get("BENCH_MEMORY_EVERY", "0.25"))) as memory:
            start, busy = time.perf_counter(), machine_busy()
            batch.grade_class(submissions=folder, out=out, jobs=jobs, progress=False,
                              similarity=similarity)
            wall, busy = time.perf_counter() - start, machine_busy() - busy
    finally:
        batch.grade_one = _GRADE_ONE
    times = dict(line.split("\t") for line in times_file.read_text().splitlines())
    seconds = {learner: float(s) for learner, s in times.items()}
    scores = {f.stem: json.loads(f.read_text()).get("score")
              for f in (out / "learners").glob("*.json")}
    return {"scores": scores, "wall": wall, "busy": busy, "seconds": seconds, "pss": memory.peak_pss,
            "rss": memory.peak_rss}


# --------------------------------------------------------------------------- naive
def naive_one(submission: Path, junit: Path, timeout: float) -> tuple[float, float, int | None]:
    """One fresh pytest process: (seconds, its CPU seconds, tests passed or None when killed)."""
    suites = [str(e.hidden_suite) for e in registry.exercises()]
    command = [sys.executable, "-m", "pytest", *suites, "-c", str(SUITES_DIR / "suites.ini"),
               "--rootdir", str(PACKAGE_DIR), "-q", "-p", "naive_plugin",
               "-p", "grader.suites.fixtures",
               "-p", "no:cacheprovider", "--import-mode=importlib", f"--junitxml={junit}"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=_naive_env(submission), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    # wait4, not Popen.wait: it also says how much CPU that process used.
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds, cpu = time.perf_counter() - start, usage.ru_utime + usage.ru_stime
    if proc.returncode < 0:
        return seconds, cpu, None
    try:
        suite = ET.parse(junit).getroot().find("testsuite")
        counts = [int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")]
        return seconds, cpu, counts[0] - sum(counts[1:])
    except (ET.ParseError, OSError, AttributeError):
        return seconds, cpu, None


def _naive_env(submission: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent),
           "OMP_NUM_THREADS": "1"}
    return {**env, "NAIVE_SUBMISSION": str(submission)} if submission else env


def run_naive(folder: Path, out: Path, jobs: int, timeout: float) -> dict:
    out.mkdir(parents=True)
    learners = sorted(p for p in folder.iterdir() if p.is_dir())
    with TreeMemory() as memory, cf.ThreadPoolExecutor(jobs) as pool:
        start, busy = time.perf_counter(), machine_busy()
        done = list(pool.map(lambda p: naive_one(p, out / f"{p.name}.xml", timeout), learners))
        wall, busy = time.perf_counter() - start, machine_busy() - busy
    return {"wall": wall, "busy": busy, "pss": memory.peak_pss, "rss": memory.peak_rss,
            "seconds": {p.name: s for p, (s, _, _) in zip(learners, done)},
            "cpu": {p.name: c for p, (_, c, _) in zip(learners, done)},
            "killed": sum(passed is None for _, _, passed in done)}


def run_floor(submissions: list[Path]) -> dict[str, float]:
    """CPU seconds of the hidden suites alone per submission (suite_floor.py)."""
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("suite_floor.py")),
                           *map(str, submissions)], env=_naive_env(), cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def machine_busy() -> float:
    """Core-seconds this machine has spent busy since boot, from /proc/stat:
    it counts every process, the sandboxed children and the kernel included."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


# --------------------------------------------------------------------------- report
def summary(name: str, n: int, run: dict) -> str:
    seconds = sorted(run["seconds"].values())
    return (f"  {name:<6} {run['wall']:8.1f} s  {n / run['wall'] * 60:7.1f}/min  "
            f"median {statistics.median(seconds):5.2f} s  p95 {p95(seconds):5.2f} s  "
            f"peak PSS {run['pss'] / 2**20:6.0f} MiB  (RSS sum {run['rss'] / 2**20:6.0f} MiB)  "
            f"machine {run['busy'] / n:4.2f} core-s per submission")


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def _by_kind(kinds: dict[str, str], values: dict) -> dict[str, list]:
    """``values`` (by learner) grouped by kind of learner; None where a learner has none."""
    groups: dict[str, list] = {}
    for learner, kind in kinds.items():
        groups.setdefault(kind.split(" ")[0], []).append(values.get(learner))
    return dict(sorted(groups.items()))


def by_kind(kinds: dict[str, str], seconds: dict[str, float]) -> str:
    """Median seconds per submission of each kind of learner."""
    parts = []
    for kind, values in _by_kind(kinds, seconds).items():
        known = [x for x in values if x is not None]
        if known:
            parts.append(f"{kind} {statistics.median(known):.2f}")
    return ", ".join(parts)


def ceiling(naive: dict, floor: dict[str, float]) -> str:
    """How far any grader of these suites could get, from CPU seconds of correct submissions."""
    correct = [learner for learner in floor if learner in naive["cpu"]]
    naive_cpu = statistics.median(naive["cpu"][k] for k in correct)
    floor_cpu = statistics.median(floor.values())
    return (f"  floor  the suites alone, in one warm process, no sandbox: median "
            f"{floor_cpu:.2f} CPU s per correct submission ({len(floor)} of them) against "
            f"the naive path's {naive_cpu:.2f}; no grader of these suites exceeds "
            f"{naive_cpu / floor_cpu:.1f}x on correct submissions")


def scores_by_kind(kinds: dict[str, str], scores: dict) -> str:
    """The score range of each kind of learner: a check that the mix is what it claims."""
    return "; ".join(f"{k} {min(v, key=lambda x: x or 0)}..{max(v, key=lambda x: x or 0)}"
                     for k, v in _by_kind(kinds, scores).items())


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--naive-timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--skip-naive", action="store_true", help="time the batch path only")
    parser.add_argument("--correct-only", action="store_true",
                        help="a class of correct submissions only (no bugs, slow or endless code)")
    parser.add_argument("--similarity", choices=["on", "off", "both"], default="on",
                        help="the batch's similarity review; both: grade the class a second "
                             "time without it and compare the two")
    parser.add_argument("--floor-sample", type=int, default=30,
                        help="correct submissions whose suites are also timed in-process")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, --jobs {args.jobs}, naive timeout {args.naive_timeout:g} s; "
          f"{load()}", flush=True)
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
            folder = Path(tmp) / "class"
            folder.mkdir()
            kinds = make_class(folder, n, args.seed, correct_only=args.correct_only)
            mix = {k.split(" ")[0]: 0 for k in kinds.values()}
            for kind in kinds.values():
                mix[kind.split(" ")[0]] += 1
            print(f"N = {n}: {mix}", flush=True)
            fast = run_batch(folder, Path(tmp) / "batch-out", args.jobs,
                             similarity=args.similarity != "off")
            print(summary("batch", n, fast) + f"  similarity {args.similarity}", flush=True)
            if args.similarity == "both":
                plain = run_batch(folder, Path(tmp) / "batch-plain", args.jobs, similarity=False)
                print(summary("batch", n, plain) + "  similarity off", flush=True)
                print(f"  similarity on takes {fast['wall'] / plain['wall'] - 1:+.1%} "
                      f"against off", flush=True)
            print("  scores " + scores_by_kind(kinds, fast["scores"]), flush=True)
            print("  median s by kind " + by_kind(kinds, fast["seconds"]), flush=True)
            if not args.skip_naive:
                naive = run_naive(folder, Path(tmp) / "naive-out", args.jobs,
                                  args.naive_timeout)
                print(summary("naive", n, naive) + f"  killed {naive['killed']}", flush=True)
                print("  median s by kind " + by_kind(kinds, naive["seconds"]), flush=True)
                correct = [k for k, kind in kinds.items() if kind == "correct"]
                floor = run_floor([folder / k for k in correct[:args.floor_sample]])
                print(ceiling(naive, floor), flush=True)
                print(f"  ratio  {naive['wall'] / fast['wall']:.1f}x the naive throughput; "
                      f"{load()}", flush=True)


if __name__ == "__main__":
    main()
