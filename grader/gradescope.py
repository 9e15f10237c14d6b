"""A Gradescope autograder bundle: the library function behind
``cnn-grader gradescope build OUT.zip``.

Gradescope unpacks the zip into /autograder/source, runs ``setup.sh`` there
once to build an image, then starts a fresh container per submission and
runs ``run_autograder``, which grades /autograder/submission with the
bundled grader and writes /autograder/results/results.json (the results
format itself comes from ``cnn-grader grade --gradescope``).

The bundle is the grader as it runs from a source checkout: the package
(with its hidden suites), the reference solutions and quiz key in
``solutions/``, the question bank in ``quizzes/``, and the project's
``pyproject.toml`` so that ``setup.sh`` installs the same dependencies. It is
for the instructor's Gradescope account only: it holds every answer.
"""
from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from pathlib import Path

from grader.errors import UsageError
from grader.layout import ANSWERS_FILE, PACKAGE_DIR, PROJECT_DIR, QUIZ_BANK, SOLUTIONS_DIR

SCRIPTS_DIR = PACKAGE_DIR / "gradescope_files"
# Gradescope looks for both at the root of the zip.
SCRIPTS = ("setup.sh", "run_autograder")
# A fixed timestamp makes two builds of the same sources byte-identical, so an
# instructor can tell whether the bundle on Gradescope is out of date.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SKIPPED_DIRS = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def bundle_plan() -> dict[str, Path]:
    """Path inside the zip -> source file, for everything the bundle holds."""
    plan = {name: SCRIPTS_DIR / name for name in SCRIPTS}
    # pyproject.toml names README.md as the readme; the build backend that
    # setup.sh's editable install runs refuses to build without it.
    for name in ("pyproject.toml", "README.md"):
        plan[name] = PROJECT_DIR / name
    for path in sorted(PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(PROJECT_DIR)
        if path.is_file() and not SKIPPED_DIRS.intersection(rel.parts) \
                and path.suffix not in SKIPPED_SUFFIXES:
            plan[rel.as_posix()] = path
    for path in sorted(SOLUTIONS_DIR.glob("*.py")):
        plan[f"solutions/{path.name}"] = path
    plan[f"solutions/{ANSWERS_FILE}"] = SOLUTIONS_DIR / ANSWERS_FILE
    plan[QUIZ_BANK.relative_to(PROJECT_DIR).as_posix()] = QUIZ_BANK
    return plan


def build_bundle(*, out: Path) -> list[str]:
    """Write the autograder zip to ``out`` (atomically); return its member names."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"{out} does not end in .zip",
                         hint="Gradescope takes the autograder as a .zip, e.g. autograder.zip")
    if out.is_dir():
        raise UsageError(f"{out} is a folder", hint="give the path of the .zip file to write")
    if not out.parent.is_dir():
        raise UsageError(f"the folder {out.parent} does not exist",
                         hint="create it first, or write the zip somewhere else")
    plan = bundle_plan()
    missing = [rel for rel, source in plan.items() if not source.is_file()]
    if missing:
        raise UsageError(f"cannot build the bundle: {', '.join(missing[:5])} not found",
                         hint="run it from the grader's source checkout, which has "
                              "solutions/ and quizzes/ beside the grader package")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for rel, source in plan.items():
                info = zipfile.ZipInfo(rel, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                mode = 0o755 if rel in SCRIPTS else 0o644
                info.external_attr = (stat.S_IFREG | mode) << 16
                bundle.writestr(info, source.read_bytes())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return list(plan)
