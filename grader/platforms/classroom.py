"""The learner-facing repository: the library function behind
``cnn-grader release DIR``.

It holds what ``cnn-grader init --notebook`` puts in a workspace (stubs,
``layers.py``, the visible suites, the quiz without answers, the notebook), plus what a repository of its
own needs: a README with setup steps, a ``pyproject.toml``, and GitHub
Classroom's autograding workflow that runs ``cnn-grader check`` on every
push.

The ``cnn-grader`` command comes with the repository: the release ships the
few modules behind ``cnn-grader check`` (``learner/cli.py`` and what it
imports) in a ``grader/`` folder that ``pip install -e .`` installs. Nothing
has to be published, no token is needed, and the version a learner runs is
the one the instructor released. None of those modules holds reference
code, a hidden suite or the quiz key, and the release refuses any source
file from those places.
"""
from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader import answers_file, policy
from grader.errors import GraderError, UsageError
from grader import registry
from grader.paths import PACKAGE_DIR, PROJECT_DIR, QUIZ_BANK, SOLUTIONS_DIR, UNITS_DIR
from grader.registry import EXERCISES
from grader.learner.workspace import WORKSPACE_FILES, notebook_text, workspace_plan
from grader.notebook import NOTEBOOK_FILE

RELEASE_FILES = Path(__file__).resolve().parent / "release_files"
# learner/cli.py and every grader module it imports, directly or not
# (relative to grader/); the registry also needs each unit's manifest.
SHIPPED_MODULES = ("__init__.py", "errors.py", "policy.py", "paths.py", "registry.py",
                   "model.py", "preflight.py", "notebook.py", "answers_file.py",
                   "learner/__init__.py", "learner/workspace.py", "learner/cli.py",
                   "learner/visible_run.py", "learner/check_plugin.py",
                   "learner/notebook_check.py")
# Of a unit, only these go to learners: the manifest (no code, no answers)
# and the visible suite. Its hidden suite, mistakes and mutants never do.
SHIPPED_FROM_UNITS = ("manifest.toml", "visible.py")
# What `cnn-grader check` and the visible suites import. The grader's other
# requirements (jinja2 for reports, ...) stay out of the learner's install.
LEARNER_REQUIREMENTS = ("numpy", "torch", "click", "pytest", "nbformat", "scikit-learn")
WORKFLOW = ".github/workflows/classroom.yml"
TEMPLATES = {"README.md": "README.md.j2", "pyproject.toml": "pyproject.toml.j2",
             WORKFLOW: "classroom.yml.j2"}
SECRET_SOURCES = (SOLUTIONS_DIR, QUIZ_BANK.parent)


def release_plan() -> dict[str, Path]:
    """Path in the release -> source file, for every file copied as it is."""
    plan = workspace_plan()
    del plan["README.md"]  # the release's README is rendered: it adds setup steps
    for name in SHIPPED_MODULES:
        plan[f"grader/{name}"] = PACKAGE_DIR / name
    # check names mistyped question ids from the template's (answers_file.known_ids).
    plan[f"grader/{answers_file.RELEASED_TEMPLATE.name}"] = answers_file.TEMPLATE
    for exercise in registry.exercises():
        plan[f"grader/units/{exercise.name}/{registry.MANIFEST}"] = \
            exercise.folder / registry.MANIFEST
    plan[".gitignore"] = RELEASE_FILES / "gitignore"
    for rel, source in plan.items():
        in_unit = source.resolve().is_relative_to(UNITS_DIR.resolve())
        if in_unit and source.name not in SHIPPED_FROM_UNITS or any(
                source.resolve().is_relative_to(secret.resolve()) for secret in SECRET_SOURCES):
            raise GraderError(f"the release would include {source} as {rel}",
                              hint="reference code, hidden suites and the quiz key never "
                                   "go to learners; fix release_plan")
    return plan


def rendered_files() -> dict[str, str]:
    """Path in the release -> text, for the files made from templates."""
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [req for req in project["project"]["dependencies"]
              if _requirement_name(req) in LEARNER_REQUIREMENTS]
    # YAML and TOML, not HTML: values go in through `quoted` (a JSON string is
    # a valid TOML basic string and a valid YAML double-quoted scalar).
    env = Environment(loader=FileSystemLoader(RELEASE_FILES), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True)
    env.filters["quoted"] = _quoted
    context = {
        "exercises": EXERCISES,
        "dependencies": wanted,
        "requires_python": project["project"]["requires-python"],
        "python": policy.CLASSROOM_PYTHON,
        "points": policy.CLASSROOM_POINTS_PER_EXERCISE,
        "step_timeout": policy.CLASSROOM_STEP_TIMEOUT_MIN,
        "job_timeout": policy.CLASSROOM_JOB_TIMEOUT_MIN,
        "workspace_readme": (WORKSPACE_FILES / "README.md").read_text(encoding="utf-8"),
    }
    rendered = {rel: env.get_template(name).render(context) for rel, name in TEMPLATES.items()}
    rendered[NOTEBOOK_FILE] = notebook_text()  # the same exercises, for learners in Jupyter
    return rendered


def write_release(*, dest: Path) -> list[str]:
    """Write the learner-facing repository into ``dest`` (missing or empty)."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"{dest} already exists and is not an empty folder",
                         hint="give a new folder; a release never overwrites files")
    plan = release_plan()
    texts = rendered_files()
    for rel, source in plan.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for rel, text in texts.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return sorted([*plan, *texts])


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    return match.group(0).lower() if match else ""


def _quoted(value: object) -> str:
    return json.dumps(str(value))
