"""The learner's side: make a workspace, and check it with the visible tests."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from grader.errors import UsageError
from grader import registry
from grader.paths import ANSWERS_FILE, EXERCISES_DIR
from grader.registry import EXERCISES

WORKSPACE_FILES = Path(__file__).resolve().parent / "workspace_files"


def workspace_plan() -> dict[str, Path]:
    """Destination path (relative) -> source file, for everything a learner gets."""
    plan = {e.module_file: e.stub for e in registry.exercises()}
    plan["layers.py"] = EXERCISES_DIR / "layers.py"
    plan[ANSWERS_FILE] = EXERCISES_DIR / ANSWERS_FILE
    plan["README.md"] = WORKSPACE_FILES / "README.md"
    plan["pytest.ini"] = WORKSPACE_FILES / "pytest.ini"
    for exercise in registry.exercises():
        plan[f"tests/test_{exercise.name}.py"] = exercise.visible_suite
    return plan


def init_workspace(*, dest: Path) -> list[str]:
    """Write a fresh workspace into ``dest``; never overwrite a learner's file."""
    plan = workspace_plan()
    clashes = [rel for rel in plan if (dest / rel).exists()]
    if clashes:
        raise UsageError(f"{dest} already holds {', '.join(clashes[:5])}",
                         hint="choose an empty folder, so none of your work is overwritten")
    for rel, source in plan.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)  # copies content, so layers.py is a real file
    return sorted(plan)


def check_workspace(*, workspace: Path, exercises: tuple[str, ...] = ()) -> int:
    """Run the visible tests in a child pytest; return its exit status."""
    tests = workspace / "tests"
    if not tests.is_dir():
        raise UsageError(f"{workspace} has no tests/ folder",
                         hint="run it in a folder made by 'cnn-grader init DIR'")
    unknown = [e for e in exercises if e not in EXERCISES]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}",
                         hint=f"choose from {', '.join(EXERCISES)}")
    targets = [f"tests/test_{e}.py" for e in exercises] or ["tests"]
    command = [sys.executable, "-m", "pytest", "-q", "--no-header", "--tb=short",
               "-p", "no:cacheprovider", *targets]
    return subprocess.call(command, cwd=workspace)
