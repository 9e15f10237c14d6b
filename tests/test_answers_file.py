"""answers.toml read as grading and check read it (grader/answers_file.py): a
malformed line costs its question only, and the paper cuts of issue 14 item 9
(a mistyped id, a learner id that is empty or not the one graded) are said."""
from __future__ import annotations

import re

import pytest

from grader import answers_file
from grader.answers_file import inspect, known_ids, read, template_ids
from grader.learner import workspace
from grader.learner.workspace import check_workspace
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.quiz.bank import load_answers, load_bank, score_quiz

BANK = load_bank()
IDS = [q.id for q in BANK]
FULL = sum(q.points for q in BANK)
POINTS = {q.id: q.points for q in BANK}
KEY = (SOLUTIONS_DIR / "answers.toml").read_text(encoding="utf-8")


def _with(old: str, new: str) -> str:
    """The reference answers with one line replaced."""
    assert KEY.count(old) == 1, old
    return KEY.replace(old, new)


def _graded(tmp_path, text: str, given: str | None = "reference"):
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    file = load_answers(path, bank=BANK, given=given)
    return file, score_quiz(BANK, file.answers, learner="reference", problems=file.problems)


def _line(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


# --------------------------------------------------------------------------- one bad line

def test_an_unquoted_choice_costs_only_its_question(tmp_path):
    text = _with('pool-64-output = "b"', "pool-64-output = b")
    file, quiz = _graded(tmp_path, text)
    assert quiz.score == FULL - POINTS["pool-64-output"]
    (problem,) = file.problems
    assert problem.code == "answers-line" and problem.question == "pool-64-output"
    line = _line(text, "pool-64-output")
    assert f"line {line} ('pool-64-output = b')" in problem.message
    assert 'write pool-64-output = "b"' in problem.message
    (result,) = [r for r in quiz.questions if r.id == "pool-64-output"]
    assert (result.status, result.score, result.message) == ("invalid", 0, problem.message)
    assert all(r.status == "correct" for r in quiz.questions if r.id != "pool-64-output")


@pytest.mark.parametrize("line, reason, fix", [
    ("pool-64-output = b", "invalid value", 'pool-64-output = "b"'),
    ("pool-64-output = \u201cb\u201d", "invalid value", 'pool-64-output = "b"'),
    ('pool-64-output = "b', "unterminated string", 'pool-64-output = "b"'),
    ("pool-64-output =", "invalid value", 'write the answer after "="'),
    ("pool-64-output = b  # my guess", "invalid value", 'pool-64-output = "b"'),
    ("pool-64-output: b", "expected '='", 'pool-64-output = "b"'),
    ("pooling-why = [compute, shift]", "invalid value", 'pooling-why = ["compute", "shift"]'),
    ("conv-params-5x5 = 1,216", "", "conv-params-5x5 = 1216"),
    ("conv-params-5x5 = 1216 params", "", "conv-params-5x5 = 1216"),
    ("conv-params-5x5 1216", "", "conv-params-5x5 = 1216"),
    ("maxpool-params = False", "invalid value", "maxpool-params = false"),
    ("conv-params-5x5 = " + "1" * 5000, "thousands of digits", "conv-params-5x5 = 42"),
    ("conv-params-5x5 = ?!", "invalid value", 'conv-params-5x5 = "b" (one choice)'),
])
def test_a_bad_line_says_why_and_what_to_write(line, reason, fix):
    question = re.match(r"[a-z0-9-]+", line).group(0)
    file = read(f'learner = "ann"\n[answers]\noutput-size-same = 32\n{line}\n'.encode())
    assert file.answers == {"output-size-same": 32} and file.learner == "ann" and not file.lost
    (problem,) = file.problems
    assert (problem.code, problem.question, problem.file) == ("answers-line", question, "answers.toml")
    assert problem.message.startswith(f"answers.toml line 4 ({line[:40]!r}"[:-1])
    assert reason in problem.message and fix in problem.message
    assert f"question {question} scores 0" in problem.message


def test_a_list_over_several_lines_is_read_and_a_broken_one_is_one_problem():
    text = ('[answers]\npooling-why = [\n  "compute",\n  # a comment inside\n  "shift",\n]\n'
            'output-size-same = 33\nconv-three-reasons = ["locality",\n  sharing]\n'
            "maxpool-params = False\nbias-per-filter = \"b\"\n")
    file = read(text.encode())
    assert file.answers == {"pooling-why": ["compute", "shift"], "output-size-same": 33,
                            "bias-per-filter": "b"}
    assert [(p.question, re.search(r"line (\d+)", p.message).group(1)) for p in file.problems] \
        == [("conv-three-reasons", "8"), ("maxpool-params", "10")]


def test_an_answer_given_twice_costs_that_question_and_names_both_lines(tmp_path):
    text = _with("output-size-same = 32", "output-size-same = 32\noutput-size-same = 16\nq = b")
    file, quiz = _graded(tmp_path, text)
    first = _line(text, "output-size-same")
    duplicate = next(p for p in file.problems if p.question == "output-size-same")
    assert f"line {first + 1} sets answers.output-size-same a second time (first on line {first})" \
        in duplicate.message
    assert "output-size-same" not in file.answers
    assert quiz.score == FULL - POINTS["output-size-same"]


def test_a_broken_table_header_still_reads_the_answers_below_it():
    file = read(b'learner = "ann"\n[answers\nconv-params-5x5 = 1216\n')
    assert file.answers == {"conv-params-5x5": 1216} and not file.lost
    (problem,) = file.problems
    assert "line 2 ('[answers')" in problem.message and "write it as [answers]" in problem.message
    assert problem.question == ""
    # An [answers] table whose every line is bad is still a table: nothing else is lost.
    assert read(b"[answers]\nq = b\n").answers == {}
    assert not read(b"[answers]\nq = b\n").lost


def test_the_table_may_be_written_with_dotted_keys_or_inline():
    assert read(b'answers.q = "b"\nanswers.r = c\n').answers == {"q": "b"}
    assert read(b'answers = {q = "b"}\nx = y\n').answers == {"q": "b"}


@pytest.mark.parametrize("content, why", [
    (None, "was not found"),
    (b"[answer]\nq = 'b'\n", "there is a [answer] table: rename it [answers]"),
    (b"q = b\nr = 1\n", "no [answers] table"),
    (b"\xff[answers]", "not UTF-8"),
])
def test_only_a_file_with_nothing_to_read_loses_the_whole_quiz(content, why):
    file = read(content)
    assert file.lost and file.answers == {}
    assert any(p.code == "answers" and why in p.message for p in file.problems)


def test_a_file_that_parses_is_taken_whole_and_scores_as_before():
    file = read(KEY.encode())
    assert file.problems == () and file.learner == "reference"
    assert score_quiz(BANK, file.answers, learner="reference").score == FULL


# --------------------------------------------------------------------------- paper cuts

def test_a_mistyped_id_is_named_with_the_nearest_one(tmp_path):
    text = _with("conv-params-5x5 = 1216", "conv-param-5x5 = 1216")
    file, quiz = _graded(tmp_path, text)
    (problem,) = file.problems
    assert problem.code == "unknown-question" and problem.question == "conv-params-5x5"
    assert "'conv-param-5x5', which is not a question" in problem.message
    assert "did you mean conv-params-5x5?" in problem.message
    (result,) = [r for r in quiz.questions if r.id == "conv-params-5x5"]
    assert (result.status, result.score, result.message) == ("missing", 0, problem.message)
    assert quiz.score == FULL - POINTS["conv-params-5x5"]


def test_unknown_ids_with_no_near_one_or_many_of_them():
    near = answers_file.unknown_ids({"conv-params-5x5": 1, "conv-params-5x6": 2}, IDS)
    assert near[0].question == ""  # the near question has its own answer: no note on it
    (far,) = answers_file.unknown_ids({"zzzz": 1}, IDS)
    assert far.question == "" and "copy the id from the comment above" in far.message
    (learner,) = answers_file.unknown_ids({"learner": "ann"}, IDS)
    assert "belongs above the [answers] line" in learner.message
    many = answers_file.unknown_ids({f"x{i}": i for i in range(25)} | {"y" * 10_000: 0}, IDS)
    assert len(many) == 11 and "16 more ids" in many[-1].message
    assert all(len(p.message) < 400 for p in many)


@pytest.mark.parametrize("written, given, says", [
    ('"ann"', "ann", None),
    ('"ann"', None, None),
    ('" ann "', "ann", None),  # spaces around an id are not a different id
    ('"ann"', "bob", "names learner 'ann', but this submission was graded as 'bob'"),
    ('""', "bob", 'it was graded as \'bob\' (the batch folder\'s name, or --learner): if that is '
                  'right, write learner = "bob"'),
    ('""', None, "the numbered questions are drawn for an empty id"),
    (None, None, "has no learner id"),
    ("7", None, "learner should be a string in quotes"),  # said once, by the reader
    ("ann", None, 'no learner id was read: write learner = "ann"'),  # a line that does not parse
])
def test_a_learner_id_that_is_empty_or_not_the_graded_one_is_warned(written, given, says):
    text = ("" if written is None else f"learner = {written}\n") + "[answers]\n"
    problems = [p for p in inspect(text.encode(), known=IDS, given=given).problems]
    if says is None:
        assert problems == []
    else:
        (problem,) = problems
        assert problem.code == "learner-id" and says in problem.message


def test_the_template_names_every_question_for_check():
    template = EXERCISES_DIR / "answers.toml"
    assert template_ids(template.read_text()) == tuple(IDS) == known_ids()
    assert answers_file.TEMPLATE == template


# --------------------------------------------------------------------------- check

@pytest.fixture
def workspace_without_tests(tmp_path, monkeypatch):
    """A workspace whose visible tests are not run: only answers.toml is checked."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "conv.py").write_text("")
    monkeypatch.setattr(workspace, "run_visible", lambda **_: [])
    return ws


def test_check_warns_of_a_bad_line_by_its_question_and_grading_agrees(
        workspace_without_tests, tmp_path, capsys):
    text = _with("pool-64-output = \"b\"", "pool-64-output = b").replace(
        "conv-params-5x5 =", "conv-param-5x5 =")
    (workspace_without_tests / "answers.toml").write_text(text)
    assert check_workspace(workspace=workspace_without_tests) == 0
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    graded, _ = _graded(tmp_path, text, given=None)
    assert warnings == [f"warning: {p.message}" for p in graded.problems]
    assert any("question pool-64-output scores 0" in w for w in warnings)
    assert any("did you mean conv-params-5x5?" in w for w in warnings)
    assert "would score 0" not in out


def test_check_puts_a_lost_quiz_under_would_score_0(workspace_without_tests, capsys):
    (workspace_without_tests / "answers.toml").write_text('learner = "ann"\nq = b\n')
    assert check_workspace(workspace=workspace_without_tests) == 1
    out = capsys.readouterr().out
    zero = out.split("At grading, this would score 0 on:")[1]
    assert "no [answers] table" in zero and "warning: answers.toml line 2 ('q = b')" in out
    (workspace_without_tests / "answers.toml").unlink()
    assert check_workspace(workspace=workspace_without_tests) == 1
    assert "answers.toml was not found" in capsys.readouterr().out.split("would score 0 on:")[1]
