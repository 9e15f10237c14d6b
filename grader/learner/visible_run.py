"""Run the visible tests on a learner's code, as ``check`` does, and say what happened.

One mechanism for both ways of checking: ``cnn-grader check`` on a
workspace folder, and ``check("conv")`` in the notebook. Both gather the
learner's modules the way intake does (a notebook's tagged cells win, see
``grader.notebook.resolve``), run the preflight that grading runs
(``grader.preflight``), then run the visible suites in a child pytest in a
scratch folder, bounded in time, with ``check_plugin`` recording each test.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import notebook, policy, preflight, registry
from grader.learner.check_plugin import RESULTS_ENV, TEST_TIMEOUT_ENV
from grader.model import Problem
from grader.paths import ANSWERS_FILE, EXERCISES_DIR, PROJECT_DIR

WORKSPACE_FILES = Path(__file__).resolve().parent / "workspace_files"
# The scratch folder's pytest settings: the modules beside the tests, and no
# warning turned into a failure (a learner's DeprecationWarning is not an error).
_PYTEST_INI = "[pytest]\npythonpath = .\ntestpaths = tests\n"
# Failures shown in full, per exercise; the rest are named. The first few say
# what to fix; a screen of them says nothing more.
SHOWN_FAILURES = 3
HIDDEN_NOTE = ("grading runs many more hidden tests (other shapes, strides and values), "
               "so this is a good sign, not your score")


@dataclass(frozen=True)
class Failure:
    test: str  # the test function's name
    doc: str  # what it checks
    call: str  # the test's line that failed
    message: str
    diff: dict[str, Any] | None  # check_plugin's slice, for a picture


@dataclass(frozen=True)
class VisibleRun:
    exercise: str
    passed: int
    total: int
    failures: tuple[Failure, ...] = ()
    stopped: str = ""  # why the run did not finish ("" when it did)
    zero: tuple[str, ...] = ()  # why grading would score the exercise 0 (preflight)

    @property
    def ok(self) -> bool:
        return not self.stopped and not self.zero and self.passed == self.total > 0


@dataclass
class Sources:
    """The learner's files as intake would take them, and intake's notes."""
    files: dict[str, bytes]
    problems: list[Problem] = field(default_factory=list)


def workspace_sources(workspace: Path) -> Sources:
    """The top-level modules, answers.toml and notebook of ``workspace``,
    with a notebook's cells in place of what they replace."""
    files = {p.name: p.read_bytes() for p in sorted(workspace.iterdir())
             if p.is_file() and not p.name.startswith(".")
             and (p.suffix in (".py", ".ipynb") or p.name == ANSWERS_FILE)}
    resolved, problems = notebook.resolve(files)
    return Sources(resolved, problems)


def run_visible(*, sources: dict[str, bytes], exercises: list[str],
                timeout_s: float = policy.CHECK_TIMEOUT_S,
                test_timeout_s: float = policy.CHECK_TEST_TIMEOUT_S) -> list[VisibleRun]:
    """The visible tests of ``exercises`` on ``sources``, in one child pytest.

    A test past ``test_timeout_s`` fails on its own (check_plugin's alarm); the
    whole run is stopped past ``timeout_s`` per exercise, for code that
    defeats the alarm, and each exercise is then run alone to say which."""
    zero = {name: tuple(preflight.zero_reasons(name, sources.get(f"{name}.py"),
                                               registry.get(name).forbidden))
            for name in exercises}
    runnable = [name for name in exercises if f"{name}.py" in sources and not
                preflight.syntax_problem(sources[f"{name}.py"], f"{name}.py")]
    records, stopped = (_pytest(sources, runnable, timeout_s * len(runnable), test_timeout_s)
                        if runnable else ([], ""))
    if stopped and len(runnable) > 1:
        # One looping exercise stopped them all: run each alone, to say which.
        alone = {run.exercise: run for name in runnable
                 for run in run_visible(sources=sources, exercises=[name], timeout_s=timeout_s,
                                        test_timeout_s=test_timeout_s)}
        return [alone.get(name) or VisibleRun(name, 0, 0, zero=zero[name]) for name in exercises]
    runs = []
    for name in exercises:
        if name not in runnable:
            runs.append(VisibleRun(name, 0, 0, zero=zero[name]))
            continue
        mine = [r for r in records if r["file"] == f"test_{name}.py"]
        failures = tuple(_failure(r) for r in mine if r["outcome"] != "passed")
        passed = sum(r["outcome"] == "passed" for r in mine)
        extra = tuple(f.message for f in failures if f.test == "(import)")
        runs.append(VisibleRun(name, passed, len(mine), failures,
                               stopped, zero[name] + _import_zero(name, extra)))
    return runs


def _import_zero(name: str, messages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"importing {name}.py fails, so none of its tests can run: "
                 f"{m.strip().splitlines()[-1] if m.strip() else 'pytest gave no message'}" for m in messages)


def _failure(record: dict[str, Any]) -> Failure:
    test = record["test"].split("::")[-1] if "::" in record["test"] else "(import)"
    return Failure(test, record.get("doc", ""), record.get("call", ""),
                   record.get("message", ""), record.get("diff"))


def _pytest(sources: dict[str, bytes], exercises: list[str], timeout_s: float,
            test_timeout_s: float) -> tuple[list[dict[str, Any]], str]:
    with tempfile.TemporaryDirectory(prefix="cnn-check-") as scratch:
        root = Path(scratch)
        for rel, data in sources.items():
            if "/" not in rel and rel.endswith(".py"):
                (root / rel).write_bytes(data)
        for name in PROVIDED:  # provided, not graded: the originals, not the learner's copies
            original = _provided(name)
            if original is not None:
                shutil.copyfile(original, root / name)
        (root / "pytest.ini").write_text(_PYTEST_INI, encoding="utf-8")
        (root / "tests").mkdir()
        for name in exercises:
            shutil.copyfile(_visible_suite(name), root / "tests" / f"test_{name}.py")
        results = root / "results.json"
        # The child loads check_plugin from this very grader package (a
        # released repository's own grader/, not another installed copy).
        here = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=path,
                   OMP_NUM_THREADS=str(policy.CHECK_TORCH_THREADS),
                   **{RESULTS_ENV: str(results), TEST_TIMEOUT_ENV: f"{test_timeout_s:g}"})
        command = [sys.executable, "-m", "pytest", "-q", "--no-header", "-p", "no:cacheprovider",
                   "-p", "grader.learner.check_plugin",
                   *[f"tests/test_{name}.py" for name in exercises]]
        # The child's output goes to a file, not a pipe: a learner's print in a
        # loop then costs disk until the timeout, not this process's memory.
        log = root / "output.txt"
        with open(log, "wb") as out:
            child = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                child.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                return [], (f"the visible tests did not finish within {timeout_s:g} s and were "
                            "stopped: look for a loop that never ends (at grading, a call that "
                            "runs past its time limit fails its test)")
        if not results.is_file():
            tail = _tail(log).strip()
            return [], f"the visible tests stopped before they finished (exit {child.returncode}):\n{tail}"
        return json.loads(results.read_text(encoding="utf-8")), ""


def _tail(path: Path) -> str:
    """The last CHECK_MESSAGE_CHARS characters or so of a file, read from its end."""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 4 * policy.CHECK_MESSAGE_CHARS))
        return handle.read().decode("utf-8", "replace")[-policy.CHECK_MESSAGE_CHARS:]


def _visible_suite(name: str) -> Path:
    """The exercise's visible suite: in its unit, or, in a released repository
    (which ships it as tests/test_<name>.py), there."""
    suite = registry.get(name).visible_suite
    shipped = PROJECT_DIR / "tests" / f"test_{name}.py"
    return suite if suite.is_file() or not shipped.is_file() else shipped


# What the exercises' modules may import beside themselves: layers.py for all,
# and each unit's provided files (DigitsNet and its weights).
PROVIDED = ("layers.py",) + tuple(path.name for path in registry.provided_files())


def _provided(name: str) -> Path | None:
    """A provided file as the project ships it; in a released repository, which
    has no exercises/ folder, the copy at its top (where the notebook runs)."""
    for candidate in (EXERCISES_DIR / name, PROJECT_DIR / name, Path.cwd() / name):
        if candidate.is_file():
            return candidate
    return None


def format_text(run: VisibleRun, *, pictures: bool = True) -> str:
    """What ``check`` prints for one exercise (``pictures``: draw each
    difference as text, for a terminal; Jupyter draws them in HTML)."""
    lines = []
    if run.zero:
        lines.append(f"{run.exercise}: at grading, this would score 0:")
        lines += [f"  - {reason}" for reason in run.zero]
    if run.stopped:
        lines.append(f"{run.exercise}: {run.stopped}")
    elif run.total:
        head = f"{run.exercise}: {run.passed} of {run.total} visible tests passed"
        lines.append(f"{head}; {HIDDEN_NOTE}." if run.passed == run.total else head + ".")
    groups = _grouped(run.failures)
    for group in groups[:SHOWN_FAILURES]:
        first = group[0]
        lines.append(f"  FAILED {first.test}" + (f": {first.doc.splitlines()[0]}" if first.doc else ""))
        if first.call:
            lines.append(f"    called: {first.call.splitlines()[0]}")
        lines += [f"    {line}" for line in first.message.splitlines()[:8]]
        if first.diff and pictures:
            lines += ["    " + line for line in text_picture(first.diff).splitlines()]
        if len(group) > 1:
            lines.append(f"    the same failure in: {', '.join(f.test for f in group[1:])}")
    rest = [f.test for group in groups[SHOWN_FAILURES:] for f in group]
    if rest:
        lines.append(f"  also FAILED: {', '.join(rest)}")
    return "\n".join(lines)


def _grouped(failures: tuple[Failure, ...]) -> list[list[Failure]]:
    """Failures with the same message together: seven tests that all hit the
    stub's NotImplementedError are one thing to fix."""
    groups: dict[str, list[Failure]] = {}
    for failure in failures:
        key = failure.message or failure.test
        groups.setdefault(key, []).append(failure)
    return list(groups.values())


def _where(diff: dict[str, Any]) -> str:
    index = ", ".join(str(i) for i in diff["index"])
    return (f"output[{index}{', ' if index else ''}{diff['top']}:, {diff['left']}:]"
            f" (shape {tuple(diff['shape'])}): {diff['differing']} of {diff['total']} values differ")


def text_picture(diff: dict[str, Any]) -> str:
    """The differing slice as text: X where yours differs, . where it matches."""
    rows = ["".join(" X" if bad else " ." for bad in row) for row in diff["bad"]]
    return "\n".join([_where(diff) + "; X marks a difference:", *rows])


def html_picture(diff: dict[str, Any]) -> str:
    """The differing slice as an HTML table: red where yours differs, each
    cell's title holding both values (for Jupyter's inline display)."""
    from html import escape

    cells = []
    for grow, erow, brow in zip(diff["got"], diff["expected"], diff["bad"]):
        tds = "".join(
            f'<td title="yours {g:.6g}, expected {e:.6g}" style="width:14px;height:14px;'
            f'background:{"#d62728" if bad else "#d9f2d9"}"></td>'
            for g, e, bad in zip(grow, erow, brow))
        cells.append(f"<tr>{tds}</tr>")
    return (f"<div><p>{escape(_where(diff))}: red cells differ (hover for the values)</p>"
            f'<table style="border-collapse:collapse">{"".join(cells)}</table></div>')
