"""cnn-grader release: the learner's repository holds no secret and checks itself."""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.errors import UsageError
from grader import registry
from grader.paths import QUIZ_BANK, SOLUTIONS_DIR
from grader.registry import EXERCISES
from grader.platforms.classroom import WORKFLOW, write_release

# A function body shorter than this (after removing whitespace) is too generic
# to be evidence of copied reference code ("return x").
MIN_BODY_CHARS = 40


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("release") / "cnn-exercises"
    result = CliRunner().invoke(main, ["release", str(dest)])
    assert result.exit_code == 0, result.output
    return dest


def released_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def function_bodies(path: Path) -> list[tuple[str, str]]:
    """(function name, its body without the docstring, whitespace removed)."""
    source = path.read_text(encoding="utf-8")
    bodies = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            text = "".join(ast.get_source_segment(source, stmt) or "" for stmt in body)
            if len(squeezed(text)) >= MIN_BODY_CHARS:
                bodies.append((node.name, squeezed(text)))
    return bodies


def assert_no_function_body_of(secret: Path, texts: dict[str, str]) -> None:
    bodies = function_bodies(secret)
    assert bodies, f"no function body found in {secret.name}"
    for name, body in bodies:
        leaks = [rel for rel, text in texts.items() if body in text]
        assert not leaks, f"the body of {secret.name}:{name} is in {leaks}"


def test_release_holds_the_learner_files(release):
    files = set(released_files(release))
    expected = {f"{name}.py" for name in EXERCISES} | {
        "layers.py", "answers.toml", "README.md", "pyproject.toml", "pytest.ini", WORKFLOW,
        *(f"tests/test_{name}.py" for name in EXERCISES),
        *(f"grader/units/{name}/manifest.toml" for name in EXERCISES)}
    assert expected <= files
    readme = (release / "README.md").read_text()
    assert "pip install -e ." in readme and "cnn-grader check" in readme


def test_release_holds_no_reference_code(release):
    files = released_files(release)
    texts = {rel: squeezed(data.decode("utf-8", "replace")) for rel, data in files.items()}
    solutions = sorted(SOLUTIONS_DIR.glob("*.py"))
    assert solutions
    for solution in solutions:
        same = [rel for rel, data in files.items() if data == solution.read_bytes()]
        assert not same, f"{same} is a copy of {solution.name}"
        assert_no_function_body_of(solution, texts)


def test_release_holds_no_hidden_suite(release):
    files = released_files(release)
    texts = {rel: squeezed(data.decode("utf-8", "replace")) for rel, data in files.items()}
    # Everything of a unit but its manifest and visible suite stays with the grader.
    suites = [p for e in registry.exercises() for p in sorted(e.folder.rglob("*.py"))
              if p.name not in ("visible.py", "__init__.py")]
    assert suites
    for suite in suites:
        assert suite.read_bytes() not in files.values(), f"{suite.name} was released"
        assert_no_function_body_of(suite, texts)
    assert not any(rel.startswith("solutions/") or rel.startswith("grader/units/")
                   and not rel.endswith("/manifest.toml") for rel in files)
    assert not any(b"grader.suites" in data or b"grader.suites.reference" in data
                   for data in files.values())


def test_release_holds_no_answer_key(release):
    files = released_files(release)
    key = tomllib.loads((SOLUTIONS_DIR / "answers.toml").read_text())["answers"]
    assert key
    released = tomllib.loads((release / "answers.toml").read_text())
    assert released.get("answers") == {}, "every answer in the template must be commented out"
    for question, value in key.items():
        # The key's line, in TOML, anywhere (a comment included) would give it away.
        pattern = re.compile(rf"{re.escape(question)}\s*=\s*{re.escape(_toml_value(value))}")
        leaks = [rel for rel, data in files.items()
                 if pattern.search(data.decode("utf-8", "replace"))]
        assert not leaks, f"the answer to {question} is in {leaks}"
    bank = tomllib.loads(QUIZ_BANK.read_text())["questions"]
    everything = b"\n".join(files.values()).decode("utf-8", "replace")
    for question in bank:
        assert question["explanation"] not in everything, f"{question['id']}'s explanation"
    assert QUIZ_BANK.read_bytes() not in files.values()


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def run_check(folder: Path) -> subprocess.CompletedProcess:
    # `python -m` puts the released folder first on sys.path, so this is the
    # `cnn-grader check` the release ships (its grader/), not the project's.
    return subprocess.run([sys.executable, "-m", "grader.learner.cli", "check"], cwd=folder,
                          capture_output=True, text=True, timeout=300)


def test_check_runs_in_the_release_and_fails_the_stubs(release):
    shipped = subprocess.run([sys.executable, "-c", "import grader; print(grader.__file__)"],
                             cwd=release, capture_output=True, text=True, check=True)
    assert Path(shipped.stdout.strip()).parent == release / "grader"
    done = run_check(release)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NotImplementedError" in done.stdout
    assert "passed" not in done.stdout.splitlines()[-1]


def test_check_passes_with_the_solutions_dropped_in(release, tmp_path):
    solved = tmp_path / "solved"
    shutil.copytree(release, solved)
    for solution in SOLUTIONS_DIR.glob("*.py"):
        shutil.copyfile(solution, solved / solution.name)
    done = run_check(solved)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed" not in done.stdout and "passed" in done.stdout


def test_check_in_the_release_knows_the_question_ids(release):
    """The release holds no bank, so its check names mistyped ids from the
    template copy it ships (grader/answers_template.toml)."""
    bank_ids = [q["id"] for q in tomllib.loads(QUIZ_BANK.read_text())["questions"]]
    assert not (release / "exercises").exists()
    shipped = subprocess.run([sys.executable, "-c", "from grader import answers_file; "
                              "print(answers_file.__file__); print(*answers_file.known_ids())"],
                             cwd=release, capture_output=True, text=True, check=True)
    where, ids = shipped.stdout.splitlines()
    assert Path(where).parent == release / "grader" and ids.split() == bank_ids


def test_workflow_installs_the_release_and_runs_cnn_grader_check(release):
    workflow = yaml.safe_load((release / WORKFLOW).read_text())
    # YAML 1.1 reads the bare key `on` as true; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert "push" in triggers
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any("pip install -e ." in run for run in runs)
    assert any("download.pytorch.org/whl/cpu" in run for run in runs)
    graders = {step["id"]: step["with"] for step in steps
               if step.get("uses", "").startswith("classroom-resources/autograding-command-grader")}
    assert set(graders) == set(EXERCISES)
    for exercise, settings in graders.items():
        assert settings["command"] == f"cnn-grader check -e {exercise}"
        assert settings["max-score"] > 0 and settings["timeout"] > 0
    (reporter,) = [s for s in steps if "autograding-grading-reporter" in s.get("uses", "")]
    assert reporter["with"]["runners"].split(",") == list(EXERCISES)
    for exercise in EXERCISES:
        assert exercise in reporter["env"][f"{exercise.upper()}_RESULTS"]
    pyproject = tomllib.loads((release / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["cnn-grader"] == "grader.learner.cli:main"


def test_release_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "conv.py").write_text("# my work\n")
    with pytest.raises(UsageError, match="not an empty folder"):
        write_release(dest=tmp_path)
    assert (tmp_path / "conv.py").read_text() == "# my work\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conv.py"]


def test_the_release_ships_the_notebook_and_checks_a_pushed_notebook(release, tmp_path):
    """The workflow's `cnn-grader check -e NAME` reads a pushed notebook's cells
    (the .py files beside it still the stubs)."""
    import nbformat

    from grader import notebook

    solved = tmp_path / "pushed"
    shutil.copytree(release, solved)
    nb = nbformat.read(solved / notebook.NOTEBOOK_FILE, as_version=4)
    for cell in nb.cells:
        for tag in cell.metadata.get("tags", []):
            if tag.startswith("exercise:"):
                name = tag.split(":", 1)[1]
                cell.source = f"{notebook.marker(name)}\n{(SOLUTIONS_DIR / f'{name}.py').read_text()}"
    nbformat.write(nb, solved / notebook.NOTEBOOK_FILE)
    for name in ("conv", "residual"):
        done = subprocess.run([sys.executable, "-m", "grader.learner.cli", "check", "-e", name],
                              cwd=solved, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{name}.py beside the notebook was not graded" in done.stdout
        assert "visible tests passed" in done.stdout
