"""Grading whole submissions end to end."""
import json
import zipfile

import pytest

from grader.scoring.grading import grade
from grader.registry import EXERCISES
from grader.model import to_json

from conftest import submission_with


def test_the_reference_solutions_get_full_marks_everywhere(solutions_result):
    r = solutions_result
    assert r.max_score > 0 and r.score == r.max_score
    for e in r.exercises:
        assert e.max_score > 0 and e.score == e.max_score, e
        # The exercises that train networks have fewer, longer tests (7 and 13).
        assert e.total >= 7 and e.passed == e.total
    assert r.quiz.score == r.quiz.max_score > 0
    assert all(t.status == "passed" for t in r.tests)
    assert r.problems == ()


def test_the_stubs_get_zero_on_every_exercise(exercises_result):
    r = exercises_result
    for e in r.exercises:
        assert e.score == 0 and e.max_score > 0, e
    # Most tests error on the NotImplementedError; those expecting a ValueError fail.
    assert {t.status for t in r.tests} == {"error", "failed"}
    assert all("NotImplementedError" in t.output for t in r.tests)
    assert r.quiz.score == 0


def test_every_test_carries_points_and_a_description(solutions_result):
    for t in solutions_result.tests:
        assert t.max_score > 0 and t.description, t.name


def test_grading_twice_gives_identical_results(solutions_result):
    again = grade(submission=solutions_result_path())
    assert to_json(again) == to_json(solutions_result)


def solutions_result_path():
    from grader.paths import SOLUTIONS_DIR
    return SOLUTIONS_DIR


def test_the_json_result_keeps_the_contract_keys(solutions_result):
    data = json.loads(json.dumps(to_json(solutions_result)))
    assert {"score", "max_score", "exercises", "tests"} <= set(data)
    assert set(data["exercises"]) == set(EXERCISES) | {"quiz"}
    for part in data["exercises"].values():
        assert {"score", "max_score"} <= set(part)
    for t in data["tests"]:
        assert {"name", "exercise", "score", "max_score", "status", "output"} <= set(t)
        assert t["status"] in {"passed", "failed", "error", "timeout"}
    assert data["grader_version"] and len(data["fingerprint"]) == 64


def test_a_zip_grades_like_the_folder(tmp_path, solutions_result):
    from grader.paths import SOLUTIONS_DIR
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(SOLUTIONS_DIR.iterdir()):
            if path.is_file():
                zf.write(path, f"alice/{path.name}")
    r = grade(submission=archive)
    assert r.fingerprint == solutions_result.fingerprint
    assert r.score == solutions_result.score


@pytest.mark.parametrize("broken, replacement, message", [
    ("conv", "def conv2d(:\n", "SyntaxError"),
    ("pooling", None, "pooling.py is missing"),
    ("params", "import os\nos._exit(1)\n", "exited with status 1"),
    ("residual", "raise RuntimeError('half done')\n", "half done"),
])
def test_a_broken_module_scores_zero_there_and_nothing_else_changes(
        tmp_path, solutions_result, broken, replacement, message):
    sub = submission_with(tmp_path, {f"{broken}.py": replacement})
    r = grade(submission=sub)
    for e in r.exercises:
        full = solutions_result.exercise(e.name)
        if e.name == broken:
            assert e.score == 0 and message in e.message
            assert all(message in t.output for t in r.tests if t.exercise == broken)
        else:
            assert (e.score, e.max_score) == (full.score, full.max_score)
    assert r.quiz.score == solutions_result.quiz.score


def test_a_folder_in_place_of_a_module_is_named(tmp_path):
    sub = submission_with(tmp_path, {"conv.py": None})
    (sub / "conv").mkdir()
    (sub / "conv" / "x.txt").write_text("oops")
    r = grade(submission=sub)
    assert r.exercise("conv").score == 0
    assert "folder named conv/" in r.exercise("conv").message


def test_an_empty_submission_scores_zero_with_messages(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = grade(submission=empty)
    assert r.score == 0
    assert all("missing" in e.message for e in r.exercises)
    assert any("answers.toml" in p.message for p in r.problems)


@pytest.mark.parametrize("given, written, expected", [
    (None, "ada", "ada"),          # answers.toml names the learner
    ("bob", "ada", "bob"),         # the grader's id wins (batch folder, --learner)
    (None, None, ""),              # nobody named: anonymous
    (" carol ", None, "carol"),    # stray spaces from a shell or a file name
])
def test_the_learner_id_comes_from_the_grader_then_from_answers_toml(given, written, expected):
    from grader.scoring.grading import resolve_learner_id
    assert resolve_learner_id(given, written) == expected


def test_the_result_names_the_learner_from_answers_toml(solutions_result):
    assert solutions_result.learner_id == "reference"
    assert to_json(solutions_result)["learner_id"] == "reference"


def test_the_conv2d_matmul_timing_is_information_only(solutions_result):
    line = solutions_result.exercise("im2col").timing
    assert line.startswith("Timing (") and "not points" in line and "your conv2d " in line
    assert all(not e.timing for e in solutions_result.exercises if e.name != "im2col")
    assert "Timing (" not in json.dumps(to_json(solutions_result))  # a regrade stays exact
