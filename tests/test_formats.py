"""Gradescope, PrairieLearn and JUnit files, validated against their formats."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from junitparser import Error, Failure, JUnitXml

from grader.cli import main
from grader.report.formats import gradescope_results, junit_xml, prairielearn_results, write_formats
from grader.paths import SOLUTIONS_DIR
from grader.model import Diagnosis, GradeResult

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def schema(name: str) -> dict:
    data = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.fixture(scope="module")
def mixed(solutions_result) -> GradeResult:
    """The solutions' result with one test failed, one errored and one timed out."""
    tests = list(solutions_result.tests)
    tests[0] = replace(tests[0], score=0.0, status="failed", seed=12345,
                       output="expected 32, got 30 \x00\x1b[31m<&>",
                       diagnosis=Diagnosis("conv.no-padding", "padding was ignored"))
    tests[1] = replace(tests[1], score=0.0, status="error", output="raised ValueError")
    tests[-1] = replace(tests[-1], score=0.0, status="timeout", output="ran past 5 s")
    exercises = tuple(replace(e, score=sum(t.score for t in tests if t.exercise == e.name),
                              passed=sum(t.status == "passed" for t in tests
                                         if t.exercise == e.name))
                      for e in solutions_result.exercises)
    return replace(solutions_result, tests=tuple(tests), exercises=exercises)


def test_gradescope_results_follow_the_format_and_add_up(mixed, exercises_result):
    for result in (mixed, exercises_result):
        doc = gradescope_results(result, execution_time=2.5)
        jsonschema.validate(doc, schema("gradescope_results"))
        assert {"score", "execution_time", "output", "stdout_visibility", "tests"} <= set(doc)
        assert doc["score"] == result.score
        assert sum(t["score"] for t in doc["tests"]) == pytest.approx(result.score)
        assert sum(t["max_score"] for t in doc["tests"]) == pytest.approx(result.max_score)
        for t in doc["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(t)
    doc = gradescope_results(mixed)
    first, second, *_ = doc["tests"]
    assert first["status"] == second["status"] == "failed"
    assert first["name"] == f"{mixed.tests[0].exercise}::{mixed.tests[0].name}"
    assert "seed 12345" in first["output"] and "padding was ignored" in first["output"]
    assert "error: raised ValueError" in second["output"]


def test_prairielearn_results_follow_the_format_with_a_fractional_score(mixed, exercises_result):
    for result in (mixed, exercises_result):
        doc = prairielearn_results(result)
        jsonschema.validate(doc, schema("prairielearn_results"))
        assert doc["gradable"] is True
        assert doc["score"] == pytest.approx(result.score / result.max_score)
        assert sum(t["points"] for t in doc["tests"]) == pytest.approx(result.score)
        assert sum(t["max_points"] for t in doc["tests"]) == pytest.approx(result.max_score)
    assert 0 < prairielearn_results(mixed)["score"] < 1
    assert prairielearn_results(exercises_result)["score"] == 0


def test_junit_xml_parses_with_failures_errors_and_scores(mixed, tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(junit_xml(mixed, execution_time=1.25))
    xml = JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    assert set(suites) == {e.name for e in mixed.exercises} | {"quiz"}
    cases = [c for e in mixed.exercises for c in suites[e.name]]
    assert len(cases) == len(mixed.tests)
    kinds = {c.name: [type(r) for r in c.result] for c in cases}
    assert kinds[mixed.tests[0].name] == [Failure]
    assert kinds[mixed.tests[1].name] == [Error]
    assert kinds[mixed.tests[-1].name] == [Error]
    assert sum(bool(k) for k in kinds.values()) == 3
    assert (xml.tests, xml.failures, xml.errors) == (len(cases) + len(list(suites["quiz"])), 1, 2)
    conv = suites[mixed.tests[0].exercise]
    props = {p.name: p.value for p in conv.properties()}
    assert float(props["score"]) == mixed.exercise(conv.name).score
    # A NUL and an escape character cannot be in XML; the rest survives escaped.
    failure = next(r for c in cases if c.name == mixed.tests[0].name for r in c.result)
    assert "expected 32, got 30" in failure.message and "<&>" in failure.message


def test_one_grading_writes_every_format_at_once(tmp_path, monkeypatch):
    out = {name: tmp_path / "out" / name for name in
           ("r.json", "r.html", "gs.json", "pl.json", "junit.xml")}
    done = CliRunner().invoke(main, [
        "grade", str(SOLUTIONS_DIR), "--only", "conv::test_no_bias",
        "--json", str(out["r.json"]), "--html", str(out["r.html"]),
        "--gradescope", str(out["gs.json"]), "--prairielearn", str(out["pl.json"]),
        "--junit", str(out["junit.xml"])])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(out)
    result = json.loads(out["r.json"].read_text())
    gradescope = json.loads(out["gs.json"].read_text())
    jsonschema.validate(gradescope, schema("gradescope_results"))
    jsonschema.validate(json.loads(out["pl.json"].read_text()), schema("prairielearn_results"))
    assert gradescope["score"] == result["score"]
    assert gradescope["execution_time"] > 0
    assert JUnitXml.fromfile(str(out["junit.xml"])).tests == len(result["tests"]) + len(
        result["quiz"]["questions"])


def test_write_formats_writes_nothing_it_was_not_asked_for(mixed, tmp_path):
    assert write_formats(mixed) == []
    assert write_formats(mixed, junit=tmp_path / "a" / "j.xml") == [tmp_path / "a" / "j.xml"]
    assert [p.name for p in tmp_path.rglob("*")] == ["a", "j.xml"]


def test_learner_facing_formats_keep_the_quiz_answers_back_without_reveal(mixed):
    from grader.paths import QUIZ_BANK
    from grader.quiz.bank import load_bank, score_quiz
    from grader.quiz.variants import for_learner

    bank = load_bank(QUIZ_BANK)
    mine = {q.id: q for q in for_learner(bank, "ada")}
    wrong = {"output-size-strided": mine["output-size-strided"].answer + 1,
             "conv-params": mine["conv-params"].traps[0][0], "pool-64-output": "a"}
    result = replace(mixed, learner_id="ada", quiz=score_quiz(bank, wrong, learner="ada"))
    questions = result.quiz.questions
    missed = [q for q in questions if q.status != "correct"]

    def texts(reveal: bool) -> dict[str, str]:
        gs = next(t for t in gradescope_results(result, reveal=reveal)["tests"]
                  if t["name"] == "quiz")
        pl = next(t for t in prairielearn_results(result, reveal=reveal)["tests"]
                  if t["name"] == "quiz")
        jx = junit_xml(result, reveal=reveal)
        return {"gradescope": gs["output"], "prairielearn": pl["output"],
                "junit": jx[jx.index('<testsuite name="quiz"'):]}

    for name, text in texts(reveal=True).items():
        assert all(q.explanation in text for q in questions if name != "junit"), name
        assert "this needed" in text, name  # a numeric question's message quotes the answer
        if name != "junit":
            assert f"correct answer: {mine['output-size-strided'].answer:g}" in text
    for name, text in texts(reveal=False).items():
        assert not [q.id for q in questions if q.explanation in text], name
        assert "correct answer:" not in text and "this needed" not in text, name
        assert "That counts the weights only" not in text, name  # a trap's message
        assert not [q.id for q in missed if len(q.correct) > 8 and q.correct in text], name
    hidden = texts(reveal=False)["gradescope"]
    assert "output-size-strided: 0 / 1 (incorrect); your answer: " in hidden
    # A wrong choice's misconception names no right answer, and stays.
    assert mine["pool-64-output"].choice("a").feedback in hidden
