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

Built with ``secret_file``, the bundle also holds the course secret (as
``SECRET_MEMBER``) and ``run_autograder`` grades in "course" seeding mode;
without one it grades in "self-check" mode, whose hidden inputs anyone with
the grader can compute. Built with ``reveal=False``, it grades with
``--no-reveal``: the options ``run_autograder`` adds to ``cnn-grader grade``
are listed, one a line, in ``OPTIONS_MEMBER``.

The learner is whoever Gradescope says submitted (``learner_from_metadata``),
never the id a learner writes in answers.toml.
"""
from __future__ import annotations

import json
import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader import policy, registry
from grader.atomic import write_atomic
from grader.errors import UsageError
from grader.keys import SECRET_ENV, read_key_file
from grader.paths import ANSWERS_FILE, PACKAGE_DIR, PROJECT_DIR, QUIZ_BANK, SOLUTIONS_DIR
from grader.suites.seeding import SeedingMode

SCRIPTS_DIR = Path(__file__).resolve().parent / "gradescope_files"
# Gradescope looks for both at the root of the zip.
SCRIPTS = ("setup.sh", "run_autograder")
# A fixed timestamp makes two builds of the same sources byte-identical, so an
# instructor can tell whether the bundle on Gradescope is out of date.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SKIPPED_DIRS = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
# Written by the build, read by run_autograder (which names them too).
SECRET_MEMBER = "course-secret.key"
OPTIONS_MEMBER = "grade-options"


@dataclass(frozen=True)
class Bundle:
    path: Path
    members: tuple[str, ...]
    seeding: SeedingMode  # the mode run_autograder grades in
    reveal: bool  # whether learners' results show the quiz's answers


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
    # The child imports the grader's copies of the provided files (DigitsNet
    # and its weights), which live beside the stubs.
    for path in registry.provided_files():
        plan[path.relative_to(PROJECT_DIR).as_posix()] = path
    plan[QUIZ_BANK.relative_to(PROJECT_DIR).as_posix()] = QUIZ_BANK
    return plan


def build_bundle(*, out: Path, secret_file: Path | None = None, reveal: bool = True) -> Bundle:
    """Write the autograder zip to ``out`` (atomically), with the course secret in
    ``secret_file`` if given, grading with ``--no-reveal`` unless ``reveal``."""
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
    # Checked as grading checks it, so a short or missing secret fails here,
    # not on Gradescope at the first submission.
    secret = None if secret_file is None else read_key_file(
        Path(secret_file), what="course secret", env_var=SECRET_ENV)
    extra: dict[str, str | bytes] = {OPTIONS_MEMBER: "".join(f"{o}\n" for o in ([] if reveal else ["--no-reveal"]))}
    if secret is not None:
        extra[SECRET_MEMBER] = secret
    buffer = io.BytesIO()  # the bundle is the package and solutions: well under a MiB
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for rel, source in plan.items():
            _add(bundle, rel, source.read_bytes(), 0o755 if rel in SCRIPTS else 0o644)
        for rel, data in extra.items():
            # Only root, which runs the autograder, reads the secret.
            _add(bundle, rel, data if isinstance(data, bytes) else data.encode(),
                 0o600 if rel == SECRET_MEMBER else 0o644)
    write_atomic(out, buffer.getvalue())
    return Bundle(path=out, members=(*plan, *extra), reveal=reveal,
                  seeding="self-check" if secret is None else "course")


def _add(bundle: zipfile.ZipFile, rel: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(rel, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | mode) << 16
    bundle.writestr(info, data)


@dataclass(frozen=True)
class GradescopeLearner:
    id: str  # the learner id the submission is graded for
    users: tuple[str, ...]  # every submitter's id, sorted (more than one: a group)


def learner_from_metadata(path: Path) -> GradescopeLearner:
    """Who submitted, from the submission_metadata.json Gradescope writes.

    Each user's id is their email, lowercased (``policy.GRADESCOPE_LEARNER_FIELD``
    says why), or ``gradescope-<user id>`` for a user without one. A group is
    graded once, as the member whose id sorts first: the same group gets the
    same id whatever order Gradescope lists its members in.
    """
    hint = ("run_autograder reads the file Gradescope writes at "
            "/autograder/submission_metadata.json; its \"users\" list names who submitted")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"Gradescope's submission metadata {path} does not exist",
                         hint=hint) from None
    except (OSError, ValueError) as exc:  # ValueError: not JSON, or not UTF-8
        raise UsageError(f"cannot read Gradescope's submission metadata {path}: {exc}",
                         hint=hint) from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list) or not users:
        raise UsageError(f"Gradescope's submission metadata {path} lists no users", hint=hint)
    ids = sorted({_user_id(user, n, path, hint) for n, user in enumerate(users, 1)})
    return GradescopeLearner(id=ids[0], users=tuple(ids))


def _user_id(user: object, n: int, path: Path, hint: str) -> str:
    field = policy.GRADESCOPE_LEARNER_FIELD
    value = user.get(field) if isinstance(user, dict) else None
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    number = user.get("id") if isinstance(user, dict) else None
    if isinstance(number, (int, str)) and not isinstance(number, bool) and str(number).strip():
        return f"gradescope-{str(number).strip()}"
    raise UsageError(f"user {n} in Gradescope's submission metadata {path} has neither "
                     f"an {field} nor an id", hint=hint)
