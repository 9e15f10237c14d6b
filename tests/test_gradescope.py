"""cnn-grader gradescope build: the bundle, and its run_autograder in a fake /autograder."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.errors import UsageError
from grader.platforms.gradescope_bundle import OPTIONS_MEMBER, SECRET_MEMBER, build_bundle, learner_from_metadata
from grader.keys import SECRET_ENV, SIGN_KEY_ENV
from grader import registry
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.registry import EXERCISES
from grader.suites.seeding import Seeding

# Gradescope's documented results.json format (gradescope-autograders.readthedocs.io,
# "Autograder Specifications"): every key it reads, nothing else.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
TEXT_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
NUMBER = {"type": "number"}
GRADESCOPE_TEST = {
    "type": "object",
    "properties": {
        "score": NUMBER, "max_score": NUMBER, "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"}, "name_format": TEXT_FORMAT, "number": {"type": "string"},
        "output": {"type": "string"}, "output_format": TEXT_FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY, "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
GRADESCOPE_RESULTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "score": NUMBER, "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"}, "output_format": TEXT_FORMAT,
        "test_output_format": TEXT_FORMAT, "test_name_format": TEXT_FORMAT,
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"],
            "properties": {"name": {"type": "string"},
                           "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
    # Gradescope needs the total, or a score on every test to add up.
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"],
               "properties": {"tests": {"items": {"required": ["score"]}}}}],
    "additionalProperties": False,
}
# What issue #4 promises on top of that: these keys, always.
CONTRACT = {
    "allOf": [GRADESCOPE_RESULTS],
    "required": ["score", "execution_time", "output", "stdout_visibility", "tests"],
    "properties": {"tests": {"minItems": 1, "items": {
        "required": ["name", "score", "max_score", "status", "output", "visibility"]}}},
}

HAS_GRADESCOPE_WRITER = any("--gradescope" in p.opts for p in main.commands["grade"].params)
needs_gradescope_writer = pytest.mark.skipif(
    not HAS_GRADESCOPE_WRITER,
    reason="`cnn-grader grade --gradescope` (issue #7) is not in this tree yet")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope", "build", str(out)])
    assert result.exit_code == 0, result.output
    return out


def unpacked(bundle: Path, root: Path) -> Path:
    """A folder laid out as Gradescope lays out /autograder after setup."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    return root


@pytest.fixture(scope="module")
def autograder(bundle, tmp_path_factory) -> Path:
    return unpacked(bundle, tmp_path_factory.mktemp("gs") / "autograder")


def run_autograder(root: Path, submission: Path, metadata: dict | None = None,
                   extra_env: dict | None = None) -> tuple[dict, str]:
    """Run the bundle's run_autograder as Gradescope would; ``metadata`` is what
    Gradescope writes to submission_metadata.json (None: no such file)."""
    if (root / "submission").exists():
        shutil.rmtree(root / "submission")
    shutil.copytree(submission, root / "submission")
    (root / "submission_metadata.json").unlink(missing_ok=True)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    # The grader's dependencies are the ones already installed for the tests
    # (setup.sh installs them on Gradescope); the grader itself is the bundle's.
    env = {k: v for k, v in os.environ.items() if k not in (SECRET_ENV, "CNN_GRADER_METADATA")}
    env.update(CNN_GRADER_AUTOGRADER_DIR=str(root), CNN_GRADER_PYTHON=sys.executable,
               **(extra_env or {}))
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_RESULTS)
    return results, done.stdout + done.stderr


def test_bundle_has_the_scripts_at_its_root_and_the_grader_beside_them(bundle):
    with zipfile.ZipFile(bundle) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) & 0o111, f"{script} not executable"
    names = set(infos)
    assert {"pyproject.toml", "README.md", "grader/cli/__init__.py", "grader/report/templates/report.html.j2",
            "quizzes/cnn.toml", "solutions/answers.toml"} <= names
    assert {f"solutions/{e}.py" for e in EXERCISES} <= names
    assert {f"grader/units/{e.name}/{f}" for e in registry.exercises()
            for f in ("manifest.toml", "hidden.py", "mistakes.py")} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_bundle_scripts_parse_and_setup_installs_the_cpu_build(autograder):
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(autograder / "source" / script)], check=True)
    setup = (autograder / "source" / "setup.sh").read_text()
    assert "--index-url https://download.pytorch.org/whl/cpu" in setup
    assert 'pip install --quiet -e "$SOURCE"' in setup
    # setup.sh makes the interpreter where run_autograder looks for it.
    assert 'VENV=/autograder/cnn-grader-venv' in setup
    assert '$ROOT/cnn-grader-venv/bin/python' in (autograder / "run_autograder").read_text()


def test_two_builds_are_byte_identical(bundle, tmp_path):
    again = tmp_path / "again.zip"
    build_bundle(out=again)
    assert again.read_bytes() == bundle.read_bytes()


def test_build_refuses_a_path_that_is_not_a_zip_and_a_missing_folder(tmp_path):
    with pytest.raises(UsageError, match="does not end in .zip"):
        build_bundle(out=tmp_path / "autograder.tar")
    with pytest.raises(UsageError, match="does not exist"):
        build_bundle(out=tmp_path / "nowhere" / "autograder.zip")
    assert list(tmp_path.iterdir()) == []


@needs_gradescope_writer
def test_run_autograder_gives_the_solutions_full_marks(autograder, solutions_result):
    results, log = run_autograder(autograder, SOLUTIONS_DIR)
    jsonschema.validate(results, CONTRACT)
    assert results["score"] == solutions_result.max_score > 0
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert all(t["score"] == t["max_score"] for t in results["tests"])
    # The bundle's own grader ran, not the one the tests import.
    assert str(autograder / "source" / "grader") in log


@needs_gradescope_writer
def test_run_autograder_gives_the_stubs_zero(autograder, tmp_path):
    stubs = shutil.copytree(EXERCISES_DIR, tmp_path / "stubs")
    answers = stubs / "answers.toml"
    answers.write_text(answers.read_text().replace('learner = ""', 'learner = "carol"', 1))
    results, log = run_autograder(autograder, stubs)
    jsonschema.validate(results, CONTRACT)
    assert results["score"] == 0
    assert any(t["status"] == "failed" for t in results["tests"])
    assert all(t["score"] == 0 for t in results["tests"])
    # No submission_metadata.json (not on Gradescope): answers.toml names the
    # learner, as in a local grading, and the log says so.
    assert results["extra_data"]["learner_id"] == "carol"
    assert "the learner id comes from the submission's answers.toml" in log
    # A bundle built without --secret or --no-reveal: self-check mode, answers shown.
    assert results["extra_data"]["seeding"] == "self-check" and "self-check mode" in log
    assert "correct answer:" in next(t for t in results["tests"] if t["name"] == "quiz")["output"]


@needs_gradescope_writer
def test_run_autograder_reports_a_grader_failure_as_a_result(autograder, tmp_path):
    env = {**os.environ, "CNN_GRADER_AUTOGRADER_DIR": str(autograder),
           "CNN_GRADER_PYTHON": sys.executable,
           "CNN_GRADER_SUBMISSION": str(tmp_path / "never-uploaded"),
           "CNN_GRADER_RESULTS": str(tmp_path / "out" / "results.json")}
    done = subprocess.run([str(autograder / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_RESULTS)
    assert results["score"] == 0
    assert "could not grade" in results["output"] and "never-uploaded" in results["output"]


# ------------------------------------------------ who submitted, the course secret, --no-reveal

SECRET = "course-secret-" + "5e" * 20
SIGN_KEY = "sign-key-" + "a7" * 20
ALICE = {"email": "Alice@Example.edu", "id": 1234, "name": "Alice A."}
BOB = {"email": "bob@example.edu", "id": 99, "name": "Bob B."}


def gradescope_metadata(*users: dict) -> dict:
    """submission_metadata.json as Gradescope documents it (the keys the grader ignores too)."""
    return {"id": 123456, "created_at": "2024-03-01T10:00:00.000000-08:00",
            "assignment": {"id": 25828, "title": "CNN exercises", "group_submission": True},
            "submission_method": "upload", "users": list(users), "previous_submissions": []}


def only_answers(folder: Path, text: str) -> Path:
    """A submission holding only answers.toml: every exercise fails at once, so a
    run_autograder costs little more than the grader's start."""
    folder.mkdir()
    (folder / "answers.toml").write_text(text)
    return folder


def test_the_learner_is_a_users_email_and_a_group_is_graded_as_its_first_member(tmp_path):
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps(gradescope_metadata(ALICE)))
    assert learner_from_metadata(path).id == "alice@example.edu"
    for users in ((BOB, ALICE), (ALICE, BOB)):  # whatever order Gradescope lists them in
        path.write_text(json.dumps(gradescope_metadata(*users)))
        who = learner_from_metadata(path)
        assert (who.id, who.users) == ("alice@example.edu", ("alice@example.edu", "bob@example.edu"))
    path.write_text(json.dumps(gradescope_metadata({"email": "", "id": 77, "name": "No Mail"})))
    assert learner_from_metadata(path).id == "gradescope-77"
    done = CliRunner().invoke(main, ["gradescope", "learner-id", str(path)])
    assert done.exit_code == 0 and done.stdout == "gradescope-77\n"
    path.write_text(json.dumps(gradescope_metadata(BOB, ALICE)))
    done = CliRunner().invoke(main, ["gradescope", "learner-id", str(path)])
    assert done.stdout == "alice@example.edu\n"
    assert "Group submission of alice@example.edu, bob@example.edu" in done.stderr


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    ("{not json", "cannot read"),
    (json.dumps({"users": []}), "lists no users"),
    (json.dumps(gradescope_metadata({"name": "Anonymous"})), "user 1 .* neither an email nor an id"),
])
def test_unusable_metadata_is_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "submission_metadata.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        learner_from_metadata(path)


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    (folder / "course.key").write_text(SECRET + "\n")
    (folder / "sign.key").write_text(SIGN_KEY + "\n")
    return folder


@pytest.fixture(scope="module")
def course_bundle(keys, tmp_path_factory) -> tuple[Path, str]:
    """A bundle built with --secret and --no-reveal, while a signing key is configured."""
    out = tmp_path_factory.mktemp("course") / "autograder.zip"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SIGN_KEY_ENV, str(keys / "sign.key"))
        mp.setenv(SECRET_ENV, str(keys / "course.key"))
        done = CliRunner().invoke(main, ["gradescope", "build", str(out), "--no-reveal",
                                         "--secret", str(keys / "course.key")])
    assert done.exit_code == 0, done.output
    return out, done.output


def test_build_says_which_seeding_mode_the_bundle_grades_in(bundle, course_bundle):
    with zipfile.ZipFile(bundle) as archive:
        assert SECRET_MEMBER not in archive.namelist()
        assert archive.read(OPTIONS_MEMBER) == b""
    path, printed = course_bundle
    assert "course mode" in printed and "hide the quiz's correct answers" in printed
    with zipfile.ZipFile(path) as archive:
        assert archive.read(SECRET_MEMBER) == SECRET.encode()
        assert stat.S_IMODE(archive.getinfo(SECRET_MEMBER).external_attr >> 16) == 0o600
        assert archive.read(OPTIONS_MEMBER) == b"--no-reveal\n"
    plain = CliRunner().invoke(main, ["gradescope", "build", str(path.with_name("plain.zip"))])
    assert plain.exit_code == 0
    assert "Warning: no --secret, so it grades in self-check mode" in plain.stderr


def test_build_refuses_a_secret_it_could_not_grade_with(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("too short")
    for secret, message in ((short, "fewer than"), (tmp_path / "missing.key", "does not exist")):
        with pytest.raises(UsageError, match=message):
            build_bundle(out=tmp_path / "autograder.zip", secret_file=secret)
    assert not (tmp_path / "autograder.zip").exists()


def test_bundle_and_release_never_hold_the_sign_key_and_only_the_bundle_the_secret(
        course_bundle, keys, tmp_path, monkeypatch):
    path, printed = course_bundle
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert not [n for n, data in members.items() if SIGN_KEY.encode() in data]
    assert [n for n, data in members.items() if SECRET.encode() in data] == [SECRET_MEMBER]
    assert SECRET not in printed and SIGN_KEY not in printed
    # The learners' repository, made while both keys are configured, holds neither.
    monkeypatch.setenv(SIGN_KEY_ENV, str(keys / "sign.key"))
    monkeypatch.setenv(SECRET_ENV, str(keys / "course.key"))
    done = CliRunner().invoke(main, ["release", str(tmp_path / "release")])
    assert done.exit_code == 0, done.output
    assert SECRET not in done.output and SIGN_KEY not in done.output
    leaks = [p for p in (tmp_path / "release").rglob("*") if p.is_file() and any(
        k.encode() in p.read_bytes() for k in (SECRET, SIGN_KEY, SECRET[-16:], SIGN_KEY[-16:]))]
    assert not leaks


@needs_gradescope_writer
def test_on_gradescope_the_learner_secret_and_no_reveal_come_from_the_bundle(
        course_bundle, tmp_path):
    root = unpacked(course_bundle[0], tmp_path / "autograder")
    # Bob claims to be carol, and answers a numeric question wrong.
    sub = only_answers(tmp_path / "bob", 'learner = "carol@example.edu"\n'
                                         '[answers]\noutput-size-strided = 7\n')
    results, log = run_autograder(root, sub, gradescope_metadata(BOB))
    jsonschema.validate(results, CONTRACT)
    assert results["extra_data"]["learner_id"] == "bob@example.edu"
    assert "Learner id from" in log and "bob@example.edu" in log
    # Course mode: the seeds are bob's under the bundled secret.
    assert results["extra_data"]["seeding"] == "course" and "course mode" in log
    seeded = [(t["name"], int(m.group(1))) for t in results["tests"]
              if (m := re.search(r"seed (\d+)\.", t["output"]))]
    assert seeded
    # Seeds follow the submitted files too (issue 12): a resubmission draws anew.
    from grader.intake.submission import take
    (tmp_path / "intake").mkdir()
    graded_files = take(sub, tmp_path / "intake").fingerprint
    bob = Seeding("bob@example.edu", "course", SECRET.encode(), fingerprint=graded_files)
    for name, seed in seeded:
        assert seed == bob.seed(*name.split("::", 1)), name
    # --no-reveal: learners see their answer, not the right one.
    quiz = next(t for t in results["tests"] if t["name"] == "quiz")["output"]
    assert "output-size-strided: 0 / 1 (incorrect); your answer: 7" in quiz
    assert "drawn for learner bob@example.edu" in quiz  # not carol's numbers
    assert "correct answer:" not in quiz and "explanation:" not in quiz
    assert "this needed" not in quiz and "hidden for now" in quiz
    # The secret is in nothing the run wrote or printed.
    assert SECRET not in log and SECRET[-16:] not in log
    written = [p for p in root.rglob("*") if p.is_file() and p.name != SECRET_MEMBER]
    assert not [p for p in written if SECRET.encode() in p.read_bytes()]


@needs_gradescope_writer
def test_unusable_metadata_gives_a_zero_with_the_reason_not_the_learners_own_id(
        autograder, tmp_path):
    sub = only_answers(tmp_path / "sub", 'learner = "carol"\n')
    results, log = run_autograder(autograder, sub, {"users": []})
    jsonschema.validate(results, GRADESCOPE_RESULTS)
    assert results["score"] == 0 and "could not grade" in results["output"]
    assert "lists no users" in results["output"]
    assert "carol" not in log


@pytest.mark.redteam
@pytest.mark.parametrize("mode", ["namespaces", "learner-uid"])
def test_the_bundle_holds_against_reading_and_forging_cheats(mode, bundle, tmp_path,
                                                             solutions_result):
    """run_autograder as on Gradescope, with bubblewrap and (as root, without
    namespaces) with the learner uid: a submission that reads the reference
    through libc and one whose daemon rewrites results.json after the grader
    exits both leave the grader's own scores in results.json."""
    import time

    from grader.sandbox import learner_uid
    from grader import policy
    env = {"CNN_GRADER_LEARNER_PYTHON": policy.LEARNER_PYTHON}
    if mode == "learner-uid":
        if os.geteuid() != 0:
            pytest.skip("the learner uid needs root; without it the bundle refuses (credit.py)")
        assert learner_uid.unavailable() is None, "run make learner-python"
        env["CNN_GRADER_NO_BWRAP"] = "1"
    root = unpacked(bundle, tmp_path / "autograder")
    attacks = Path(__file__).parent / "redteam" / "attacks"
    for attack in ("conv__libc_read_reference", "conv__cgroup_escape_daemon"):
        sub = tmp_path / attack
        shutil.copytree(SOLUTIONS_DIR, sub)
        source = (attacks / f"{attack}.py").read_text()
        (sub / "conv.py").write_text(source.replace("PROJECT", str(root / "source"))
                                     .replace("MARKER", "6.5"))
        results, log = run_autograder(root, sub, extra_env=env)
        time.sleep(1.5)  # the daemon waits for the grader to exit, then writes
        assert json.loads((root / "results" / "results.json").read_text()) == results
        conv = [t for t in results["tests"] if t["name"].startswith("conv")]
        assert conv and all(t["score"] == 0 for t in conv), attack
        expected = solutions_result.max_score - solutions_result.exercise("conv").max_score
        assert results["score"] == pytest.approx(expected), log[-2000:]


def test_run_autograder_grades_a_notebook_submission(autograder, solutions_result, tmp_path):
    import nbformat

    from grader import notebook
    from grader.paths import ANSWERS_FILE

    nb = nbformat.v4.new_notebook()
    for name in EXERCISES:
        cell = nbformat.v4.new_code_cell((SOLUTIONS_DIR / f"{name}.py").read_text())
        cell.metadata["tags"] = [f"exercise:{name}"]
        nb.cells.append(cell)
    answers = nbformat.v4.new_raw_cell((SOLUTIONS_DIR / ANSWERS_FILE).read_text())
    answers.metadata["tags"] = ["answers"]
    nb.cells.append(answers)
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "my-work.ipynb").write_text(notebook.dumps(nb))
    results, _ = run_autograder(autograder, submission)
    assert results["score"] == solutions_result.max_score
