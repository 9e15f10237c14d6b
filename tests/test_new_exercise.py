"""A new exercise is one unit (issue 13): a throwaway extra exercise, added to a temporary
copy of the project as a unit folder, a stub and a solution and nothing else, is
listed and graded end to end.

The unit's files are in tests/seventh/. Every command runs the copy's grader
(PYTHONPATH puts the copy first), as a fresh process.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import registry
from grader.paths import PROJECT_DIR
from grader.quiz.bank import load_bank
from grader.registry import EXERCISES

pytestmark = pytest.mark.slow
SEVENTH = Path(__file__).resolve().parent / "seventh"
NAME = "flatten_size"
UNIT_FILES = ("manifest.toml", "hidden.py", "visible.py", "mistakes.py", "mutants.toml")


def _copy_project(dest: Path) -> Path:
    keep = ("grader", "exercises", "solutions", "quizzes", "tests", "pyproject.toml", "README.md")
    for name in keep:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, dest / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copyfile(source, dest / name)
    return dest


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = _copy_project(tmp_path_factory.mktemp("seventh") / "project")
    before = _snapshot(root)
    unit = root / "grader" / "units" / NAME
    unit.mkdir()
    for name in UNIT_FILES:
        shutil.copyfile(SEVENTH / name, unit / name)
    shutil.copyfile(SEVENTH / "stub.py", root / "exercises" / f"{NAME}.py")
    shutil.copyfile(SEVENTH / "solution.py", root / "solutions" / f"{NAME}.py")
    after = _snapshot(root)
    # Nothing outside the unit, the stub and the solution was touched.
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert changed == {f"grader/units/{NAME}/{n}" for n in UNIT_FILES} | {
        f"exercises/{NAME}.py", f"solutions/{NAME}.py"}
    return root


def run(project: Path, *args: str, cwd: Path | None = None, check: bool = True,
        module: str = "grader.cli") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("CNN_GRADER_SECRET_FILE", None)
    command = [sys.executable, *(["-m", module] if module else []), *args]
    proc = subprocess.run(command, cwd=cwd or project, env=env,
                          capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_the_copy_runs_its_own_grader(project):
    out = run(project, "-c", "import grader, sys; print(grader.__file__)", module="")
    assert Path(out.stdout.strip()).is_relative_to(project)


def test_init_and_check(project, tmp_path):
    workspace = tmp_path / "ws"
    run(project, "init", str(workspace))
    assert (workspace / f"{NAME}.py").is_file()
    assert (workspace / "tests" / f"test_{NAME}.py").is_file()
    assert run(project, "check", str(workspace), "-e", NAME, check=False).returncode != 0  # the stub
    shutil.copyfile(project / "solutions" / f"{NAME}.py", workspace / f"{NAME}.py")
    run(project, "check", str(workspace), "-e", NAME)


def test_grade_writes_every_format(project, tmp_path):
    outs = {k: tmp_path / f"r.{k}" for k in ("json", "html", "gradescope", "prairielearn", "junit")}
    run(project, "grade", str(project / "solutions"), "--json", str(outs["json"]),
        "--html", str(outs["html"]), "--gradescope", str(outs["gradescope"]),
        "--prairielearn", str(outs["prairielearn"]), "--junit", str(outs["junit"]))
    result = json.loads(outs["json"].read_text())
    assert result["exercises"][NAME] == {"score": 7.0, "max_score": 7.0, "passed": 4, "total": 4,
                                         "message": "", "problem": None}
    # Every exercise of the project, the quiz, and the new exercise's 7 points.
    full = sum(e.points for e in registry.exercises()) + sum(q.points for q in load_bank()) + 7
    assert result["score"] == result["max_score"] == full
    assert f"{NAME}.py" in result["files"]
    assert NAME in outs["html"].read_text()
    for fmt in ("gradescope", "prairielearn", "junit"):
        assert NAME in outs[fmt].read_text(), fmt
    # The stub scores 0 on it, and its forbidden library is refused.
    stubs = tmp_path / "stubs"
    shutil.copytree(project / "solutions", stubs)
    shutil.copyfile(project / "exercises" / f"{NAME}.py", stubs / f"{NAME}.py")
    # Just the new exercise from here on: the others were graded above.
    run(project, "grade", str(stubs), "--json", str(tmp_path / "stub.json"), "--only", NAME)
    assert json.loads((tmp_path / "stub.json").read_text())["exercises"][NAME]["score"] == 0
    (stubs / f"{NAME}.py").write_text("import torch\n\ndef flatten_size(c, h, w):\n    return c * h * w\n")
    run(project, "grade", str(stubs), "--json", str(tmp_path / "torch.json"), "--only", NAME)
    graded = json.loads((tmp_path / "torch.json").read_text())["exercises"][NAME]
    assert graded["score"] == 0 and graded["problem"] == "forbidden-import"


def test_a_batch_has_its_column(project, tmp_path):
    batch = tmp_path / "class"
    shutil.copytree(project / "solutions", batch / "alice")
    run(project, "grade", str(batch), "--out", str(tmp_path / "out"), "--jobs", "1",
        "--only", NAME)
    gradebook = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    header = gradebook[0].split(",")
    # By the manifest's order (80): after every exercise of the project itself.
    assert header.index(NAME) == header.index(EXERCISES[-1]) + 1
    assert gradebook[1].split(",")[header.index(NAME)] == "7"


def test_release_and_gradescope_bundle(project, tmp_path):
    run(project, "release", str(tmp_path / "release"))
    release = tmp_path / "release"
    assert (release / f"{NAME}.py").read_bytes() == (project / "exercises" / f"{NAME}.py").read_bytes()
    assert (release / "tests" / f"test_{NAME}.py").is_file()
    assert (release / "grader" / "units" / NAME / "manifest.toml").is_file()
    assert not (release / "grader" / "units" / NAME / "hidden.py").exists()
    run(project, "gradescope", "build", str(tmp_path / "ag.zip"))
    names = zipfile.ZipFile(tmp_path / "ag.zip").namelist()
    assert f"grader/units/{NAME}/hidden.py" in names and f"solutions/{NAME}.py" in names


def test_mutation_over_its_catalogue(project):
    run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_mutation.py",
        "-k", f"test_mutation_score_is_100_percent and {NAME}", module="")
