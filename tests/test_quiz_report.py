"""The report's quiz section: the learner's variant, answer, correct answer and
explanation, and --no-reveal hiding what would give the answers away."""
import json
import re
import shutil
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import replace

import pytest
from click.testing import CliRunner
from markupsafe import escape

from grader.scoring import grading
from grader.cli import main
from grader.paths import QUIZ_BANK, SOLUTIONS_DIR
from grader.quiz.bank import load_bank, score_quiz
from grader.quiz.variants import for_learner
from grader.report.html import render_html
from grader.model import GradeResult

BANK = load_bank(QUIZ_BANK)
ADA = {q.id: q for q in for_learner(BANK, "ada")}


@pytest.fixture(scope="module")
def result():
    answers = {"conv-params": ADA["conv-params"].traps[0][0],  # a known misconception
               "output-size-strided": ADA["output-size-strided"].answer + 1,
               "pool-64-output": "a", "maxpool-params": False}
    return GradeResult(submission="ada", fingerprint="f" * 64, grader_version="test",
                       exercises=(), tests=(), quiz=score_quiz(BANK, answers, learner="ada"),
                       learner_id="ada")


def _row(html, qid):
    start = html.index(f"<strong>{qid}</strong>")
    return html[start:html.index("</tr>", html.index("</tr>", start) + 1)]


def test_the_report_shows_each_question_as_the_learner_saw_it_with_the_explanation(result):
    html = render_html(result)
    quiz = html[html.index('<section aria-labelledby="quiz">'):]
    assert "drawn for learner ada" in quiz
    for q in BANK:
        assert f"<strong>{q.id}</strong>" in quiz
    row = _row(html, "conv-params")
    assert ADA["conv-params"].prompt in row
    assert f"{ADA['conv-params'].answer:g}" in row  # the correct answer
    assert "That counts the weights only" in row and "Explanation:" in row
    assert "Explanation:" in _row(html, "maxpool-params")  # right answers explain too
    assert "this needed" in _row(html, "output-size-strided")


def test_no_reveal_hides_correct_answers_explanations_and_numeric_messages(result):
    html = render_html(result, reveal=False)
    quiz = html[html.index('<section aria-labelledby="quiz">'):]
    assert 'id="quiz-hidden"' in quiz and "Correct answer" not in quiz
    assert "Explanation:" not in quiz and "this needed" not in quiz
    row = _row(html, "conv-params")
    assert not re.search(rf"\b{ADA['conv-params'].answer:g}\b", row)
    assert "That counts the weights only" not in row  # numeric messages can quote the answer
    # A wrong choice's misconception does not give the answer away, so it stays.
    wrong_choice = ADA["pool-64-output"].choice("a").feedback
    assert wrong_choice in _row(html, "pool-64-output")
    assert "32x32, with no parameters" not in quiz.replace(ADA["pool-64-output"].prompt, "")


def test_grade_no_reveal_reaches_the_html(result, tmp_path, monkeypatch):
    monkeypatch.setattr(grading, "grade", lambda **kw: result)
    for flag, hidden in (("--no-reveal", True), ("--reveal", False)):
        out = tmp_path / f"{flag}.html"
        cli = CliRunner().invoke(main, ["grade", str(SOLUTIONS_DIR), "--html", str(out), flag])
        assert cli.exit_code == 0, cli.output
        assert ('id="quiz-hidden"' in out.read_text()) == hidden


def test_formats_hide_the_same_quiz_messages_as_the_report(result):
    from grader.report.formats.text import quiz_message

    html = render_html(result, reveal=False)
    for q in result.quiz.questions:
        if q.message and q.status != "missing":
            shown = f"<strong>Why:</strong> {escape(q.message)}" in _row(html, q.id)
            assert shown == bool(quiz_message(q, reveal=False)), q.id


def test_grade_no_reveal_reaches_every_learner_format_and_the_json_keeps_all(
        result, tmp_path, monkeypatch):
    monkeypatch.setattr(grading, "grade", lambda **kw: result)
    out = {name: tmp_path / name for name in ("r.json", "gs.json", "pl.json", "junit.xml")}
    cli = CliRunner().invoke(main, [
        "grade", str(SOLUTIONS_DIR), "--no-reveal", "--json", str(out["r.json"]),
        "--gradescope", str(out["gs.json"]), "--prairielearn", str(out["pl.json"]),
        "--junit", str(out["junit.xml"])])
    assert cli.exit_code == 0, cli.output
    explanation = ADA["conv-params"].explanation
    for name in ("gs.json", "pl.json", "junit.xml"):
        text = out[name].read_text()
        assert "this needed" not in text and "correct answer:" not in text, name
        assert json.dumps(explanation)[1:-1] not in text and explanation not in text, name
    # The instructor's JSON is never filtered.
    questions = {q["id"]: q for q in json.loads(out["r.json"].read_text())["quiz"]["questions"]}
    assert questions["conv-params"]["explanation"] == explanation
    assert questions["output-size-strided"]["correct"] == f"{ADA['output-size-strided'].answer:g}"


class _InProcess:
    """An executor that runs each task at once, here (grade() is faked below)."""

    def submit(self, fn, /, *args):
        future = Future()
        future.set_result(fn(*args))
        return future


def test_a_batch_passes_no_reveal_to_every_learners_report(result, tmp_path, monkeypatch):
    from grader.batch import run as batch

    monkeypatch.setattr(grading, "grade", lambda **kw: replace(result, learner_id=kw["learner"]))
    monkeypatch.setattr(batch, "_executor", lambda **kw: nullcontext((_InProcess(), False)))
    class_dir = tmp_path / "class"
    for learner in ("ada", "bo"):
        shutil.copytree(SOLUTIONS_DIR, class_dir / learner,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for reveal in (False, True):
        out = tmp_path / f"out-{reveal}"
        done = batch.grade_class(submissions=class_dir, out=out, jobs=1, progress=False,
                                 reveal=reveal)
        assert done.graded == 2
        for learner in ("ada", "bo"):
            html = (out / "learners" / f"{learner}.html").read_text()
            assert ('id="quiz-hidden"' in html) == (not reveal)
            assert ("Explanation:" in html) == reveal
