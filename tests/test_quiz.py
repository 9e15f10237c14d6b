"""The question bank, its validation, and the scoring of answers.toml."""
import collections
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import policy
from grader.errors import GraderError, QuizBankError
from grader.paths import EXERCISES_DIR, QUIZ_BANK, SOLUTIONS_DIR
from grader.quiz.bank import (TOPICS, load_bank, read_answers, read_answers_file,
                         score_question, score_quiz)
from grader.quiz.sheet import render_answers_template

BANK = load_bank(QUIZ_BANK)
BY_ID = {q.id: q for q in BANK}


def _wrong_choices(q):
    right = q.answer if isinstance(q.answer, tuple) else (q.answer,)
    return [c for c in q.choices if c.id not in right]


# --------------------------------------------------------------------------- the bank

def test_the_bank_is_found_beside_the_package():
    assert QUIZ_BANK.is_file()
    assert load_bank() == BANK


def test_the_bank_covers_every_topic_with_explanations_and_feedback():
    assert len(BANK) >= 40
    counts = collections.Counter(q.topic for q in BANK)
    assert set(counts) == set(TOPICS), f"topics without questions: {set(TOPICS) - set(counts)}"
    assert {q.type for q in BANK} == {"numeric", "single", "multiple", "truefalse"}
    for q in BANK:
        assert q.explanation and q.prompt and q.points > 0
        for c in _wrong_choices(q):
            assert c.feedback, f"{q.id}/{c.id} is a wrong choice without feedback"


def test_the_lessons_four_questions_are_there():
    q = BY_ID["conv-params-5x5"]
    assert (q.type, q.answer, q.tolerance) == ("numeric", 1216, 0)
    q = BY_ID["pool-64-output"]
    right = q.choice(q.answer).text
    assert q.type == "single" and "32x32" in right and "no parameters" in right
    assert {"63x63", "16x16"} <= {c.text.split(",")[0] for c in _wrong_choices(q)}
    assert any("32x32" in c.text and "4 parameters" in c.text for c in _wrong_choices(q))
    q = BY_ID["who-taught-edges"]
    assert q.type == "single" and "backpropagation" in q.choice(q.answer).text
    assert q.choice(q.answer).text.startswith("No one")
    q = BY_ID["transfer-vs-scratch"]
    assert "already trained" in q.choice(q.answer).text
    assert "from scratch" in q.choice("a").text and q.answer != "a"


# Each numeric answer recomputed from the lesson's formulas.
def _out(n, k, s, p):
    return (n - k + 2 * p) // s + 1


# For a parameterised question this is the lesson's variant (the bank's answer).
NUMERIC = {
    "conv-params-5x5": 16 * (5 * 5 * 3 + 1),
    "untrained-loss-ln10": round(-math.log(1 / 10), 2),  # uniform softmax over 10 classes
    "conv-params": 64 * (3 * 3 * 3 + 1),
    "fc-params": 224 * 224 * 3 * 1000 + 1000,
    "output-size-same": _out(32, 3, 1, 1),
    "output-size-strided": _out(224, 7, 2, 3),
    "output-size-stride2-pad1": _out(32, 3, 2, 1),
    "output-size-valid": _out(28, 5, 1, 0),
    "pool-output": _out(224, 2, 2, 0),
    "gap-head-params": (7 * 7 * 512 * 1000 + 1000) - (512 * 1000 + 1000),
    "feature-map-channels": 64,
    "rf-two-3x3": 3 + 2,
    "rf-stack": 3 + 2 + 2,
    "rf-after-pool": 3 + (2 - 1) * 1 + (3 - 1) * 2,
    "vgg-two-3x3": 2 * 3 * 3,
    "vgg-stack-weights": 3 * 3 * 3,
    "history-lenet-year": 1998,
    "history-lecun-backprop": 1989,
    "history-alexnet-gap": 26.2 - 16.4,
    "resnet152-error": 3.57,
    "im2col-columns": (3 * 3 * 3) * _out(32, 3, 1, 1) ** 2,
    "learned-downsampler-params": 64 * (2 * 2 * 64 + 1),
}


def test_every_numeric_answer_matches_the_arithmetic():
    numeric = {q.id for q in BANK if q.type == "numeric"}
    assert numeric == set(NUMERIC), "recompute every numeric answer here"
    for qid, expected in NUMERIC.items():
        assert math.isclose(BY_ID[qid].answer, expected, abs_tol=1e-9), qid
    assert 224 * 224 * 3 == 150_528 and 150_528 * 1000 // 1792 == 84_000


def test_the_reference_answers_score_full_marks_for_their_own_learner():
    answers, learner, problems = read_answers_file(SOLUTIONS_DIR / "answers.toml")
    assert problems == [] and learner == "reference"
    result = score_quiz(BANK, answers, learner=learner)
    assert result.score == result.max_score == sum(q.points for q in BANK)
    assert all(r.status == "correct" and r.message == "" for r in result.questions)


def test_the_template_parses_scores_zero_and_fills_in_to_full_marks(tmp_path):
    path = EXERCISES_DIR / "answers.toml"
    template, problems = read_answers(path)
    assert problems == [] and template == {}
    result = score_quiz(BANK, template)
    assert result.score == 0 and {r.status for r in result.questions} == {"missing"}
    assert all(r.message == "no answer given" and r.given == "" for r in result.questions)
    # Uncommenting each question's line and writing the answer is all a learner does.
    text = path.read_text()
    solutions = dict(re.findall(r"^(\S+) = (.+)$", (SOLUTIONS_DIR / "answers.toml").read_text(),
                                re.M))
    for q in BANK:
        assert text.count(f"\n# {q.id} = \n") == 1, f"the template lacks {q.id}"
        text = text.replace(f"\n# {q.id} = \n", f"\n{q.id} = {solutions[q.id]}\n")
    filled = tmp_path / "answers.toml"
    filled.write_text(text.replace('learner = ""', 'learner = "reference"'))
    answers, learner, problems = read_answers_file(filled)
    assert problems == [] and learner == "reference"
    assert score_quiz(BANK, answers, learner=learner).score == sum(q.points for q in BANK)


def test_the_template_is_what_the_bank_writes():
    assert (EXERCISES_DIR / "answers.toml").read_text() == render_answers_template(BANK)


# --------------------------------------------------------------------------- validation

GOOD = '''
[[questions]]
id = "q1"
topic = "pooling"
type = "single"
prompt = "?"
points = 1
answer = "a"
explanation = "because"
[[questions.choices]]
id = "a"
text = "yes"
[[questions.choices]]
id = "b"
text = "no"
feedback = "a misconception"
'''
NUMERIC_Q = GOOD.replace('type = "single"', 'type = "numeric"\ntolerance = 0').replace(
    'answer = "a"', "answer = 3").split("[[questions.choices]]")[0]


@pytest.mark.parametrize("bank, field", [
    (GOOD + GOOD, "used twice"),
    (GOOD.replace('type = "single"', 'type = "essay"'), "type"),
    (GOOD.replace('topic = "pooling"', 'topic = "cooking"'), "topic"),
    (GOOD.replace('explanation = "because"', 'explanation = "  "'), "explanation"),
    (GOOD.replace('explanation = "because"\n', ""), "explanation"),
    (GOOD.replace('prompt = "?"\n', ""), "prompt"),
    (GOOD.replace("points = 1", "points = 0"), "points"),
    (GOOD.replace("points = 1", "points = true"), "points"),
    (GOOD.replace("points = 1\n", ""), "points"),
    (GOOD.replace('answer = "a"', 'answer = "c"'), "not one of the choices"),
    (GOOD.replace('answer = "a"', 'answer = ["a"]'), "not one of the choices"),
    (GOOD.replace('id = "b"', 'id = "a"'), "repeat an id"),
    (GOOD.replace('text = "no"', "text = 3"), "choices"),
    (GOOD.split("[[questions.choices]]")[0], "choices"),
    (GOOD.replace('type = "single"', 'type = "multiple"').replace('answer = "a"', 'answer = ["a", "z"]'),
     "not a list of distinct choice ids"),
    (GOOD.replace('type = "single"', 'type = "multiple"').replace('answer = "a"', 'answer = [["a"]]'),
     "not a list of distinct choice ids"),
    (GOOD.replace('type = "single"', 'type = "multiple"').replace('answer = "a"', 'answer = []'),
     "not a list of distinct choice ids"),
    (NUMERIC_Q.replace("tolerance = 0", "tolerance = -1"), "tolerance"),
    (NUMERIC_Q.replace("tolerance = 0", "tolerance = nan"), "tolerance"),
    (NUMERIC_Q.replace("tolerance = 0\n", ""), "tolerance"),
    (NUMERIC_Q.replace("answer = 3", "answer = true"), "answer"),
    (NUMERIC_Q.replace("answer = 3", 'answer = "3"'), "answer"),
    (NUMERIC_Q.replace("answer = 3", "answer = inf"), "answer"),
    (NUMERIC_Q.replace("tolerance = 0", "tolerence = 0.5"), "tolerence"),
    (NUMERIC_Q.replace('type = "numeric"', 'type = "truefalse"').replace("tolerance = 0\n", "")
     .replace("answer = 3", 'answer = "true"'), "true or false"),
])
def test_an_invalid_bank_is_refused_naming_the_question_and_field(tmp_path, bank, field):
    path = tmp_path / "bank.toml"
    for ok in (GOOD, NUMERIC_Q):
        path.write_text(ok)
        assert load_bank(path)[0].id == "q1"
    path.write_text(bank)
    with pytest.raises(QuizBankError, match=field) as info:
        load_bank(path)
    assert "'q1'" in info.value.message and info.value.hint
    assert info.value.exit_code == 3 and "\nHint: " in str(info.value)


@pytest.mark.parametrize("content, needle", [
    (None, "cannot read"),
    ("[[questions]\n", "cannot read"),
    ("title = 'no questions'", "no [[questions]]"),
    (GOOD.replace('id = "q1"', 'id = "Q 1"'), "not a slug"),
])
def test_a_missing_or_unreadable_bank_is_refused(tmp_path, content, needle):
    path = tmp_path / "bank.toml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(QuizBankError, match=re.escape(needle)):
        load_bank(path)


def test_grader_errors_carry_exit_codes_and_hints():
    err = QuizBankError("question 'q1': points is 0", hint="use a positive number")
    assert isinstance(err, GraderError) and err.exit_code == 3
    assert str(err) == "question 'q1': points is 0\nHint: use a positive number"
    assert str(GraderError("plain")) == "plain" and GraderError("x").exit_code == 1


# --------------------------------------------------------------------------- scoring

@pytest.mark.parametrize("qid, answer, score, status", [
    ("conv-params-5x5", 1216, 2, "correct"),
    ("conv-params-5x5", 1216.0, 2, "correct"),
    ("conv-params-5x5", 1217, 0, "incorrect"),
    ("conv-params-5x5", 1200, 0, "incorrect"),
    ("conv-params-5x5", "1216", 0, "invalid"),
    ("conv-params-5x5", True, 0, "invalid"),
    ("conv-params-5x5", [1216], 0, "invalid"),
    ("conv-params-5x5", math.nan, 0, "invalid"),
    ("conv-params-5x5", math.inf, 0, "incorrect"),
    ("conv-params-5x5", 10 ** 400, 0, "incorrect"),  # beyond float range: no crash
    # tolerance 0.05 around 9.8: both edges count, even where floats round badly
    ("history-alexnet-gap", 9.75, 1, "correct"),
    ("history-alexnet-gap", 9.85, 1, "correct"),
    ("history-alexnet-gap", 9.7499, 0, "incorrect"),
    ("history-alexnet-gap", 9.8501, 0, "incorrect"),
    ("history-alexnet-gap", 10, 0, "incorrect"),
    ("pool-64-output", "b", 2, "correct"),
    ("pool-64-output", "a", 0, "incorrect"),
    # a choice id's case and surrounding spaces do not matter, in a list too
    ("pool-64-output", "B", 2, "correct"),
    ("pool-64-output", " b\t", 2, "correct"),
    ("pool-64-output", "A", 0, "incorrect"),
    ("pool-64-output", "b)", 0, "invalid"),
    ("pool-64-output", ["b"], 0, "invalid"),
    ("pool-64-output", 2, 0, "invalid"),
    # multiple, 3 right of 5, 3 points: (right - wrong) / 3 of the points, never below 0
    ("conv-three-reasons", ["locality", "sharing", "invariance"], 3, "correct"),
    ("conv-three-reasons", ["invariance", "sharing", "locality", "sharing"], 3, "correct"),
    ("conv-three-reasons", ["Locality", " SHARING ", "invariance"], 3, "correct"),
    ("conv-three-reasons", ["locality", "Locality"], 1, "partial"),  # one pick, named twice
    ("conv-three-reasons", ["locality", "sharing"], 2, "partial"),
    ("conv-three-reasons", ["locality"], 1, "partial"),
    ("conv-three-reasons", ["locality", "sharing", "global"], 1, "partial"),
    ("conv-three-reasons", ["locality", "sharing", "invariance", "global"], 2, "partial"),
    ("conv-three-reasons", ["locality", "sharing", "invariance", "nonsense"], 2, "partial"),
    ("conv-three-reasons", ["locality", "global", "more-params"], 0, "incorrect"),
    ("conv-three-reasons", [], 0, "incorrect"),
    ("conv-three-reasons", "locality", 0, "invalid"),
    ("conv-three-reasons", ["locality", 1], 0, "invalid"),
    ("maxpool-params", False, 1, "correct"),
    ("maxpool-params", True, 0, "incorrect"),
    ("maxpool-params", "false", 0, "invalid"),
    ("maxpool-params", 0, 0, "invalid"),
    ("maxpool-params", None, 0, "missing"),
])
def test_scoring_rules(qid, answer, score, status):
    result = score_question(BY_ID[qid], answer)
    assert (result.score, result.status) == (score, status)
    assert result.max_score == BY_ID[qid].points


def test_messages_say_why():
    assert "once per layer" in score_question(BY_ID["bias-per-filter"], "a").message
    assert score_question(BY_ID["conv-params-5x5"], "abc").message == \
        "expected a number, got the string 'abc'"
    assert "the boolean true" in score_question(BY_ID["conv-params-5x5"], True).message
    assert "not one of the choices (a, b, c, d)" in score_question(BY_ID["pool-64-output"], "z").message
    partial = score_question(BY_ID["conv-three-reasons"], ["locality", "global", "nonsense"])
    assert "fully connected" in partial.message and "nonsense" in partial.message
    assert "2 correct choices missed" in partial.message
    assert "within 0.05" in score_question(BY_ID["history-alexnet-gap"], 9.9).message
    wrong = score_question(BY_ID["pool-64-output"], "a")
    assert (wrong.given, wrong.correct) == ("a", "b) 32x32, with no parameters")


def test_a_huge_answer_is_shown_clipped():
    result = score_question(BY_ID["pool-64-output"], "x" * 100_000)
    assert result.status == "invalid" and len(result.given) <= 120 and len(result.message) < 300


def test_one_bad_answer_does_not_spoil_the_others():
    answers = {"conv-params-5x5": "twelve hundred", "output-size-same": 32,
               "not-a-question": 5}
    result = score_quiz(BANK, answers)
    assert result.score == BY_ID["output-size-same"].points
    assert len(result.questions) == len(BANK)
    assert {r.id for r in result.questions} == set(BY_ID)


_toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["a", "b", "c", "locality", "sharing"]),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BANK), _toml_values)
def test_scoring_never_raises_and_stays_in_range(q, answer):
    r = score_question(q, answer)
    assert 0 <= r.score <= r.max_score == q.points
    assert (r.status == "correct") == (r.score == q.points)


# --------------------------------------------------------------------------- answers files

@pytest.mark.parametrize("content, problem", [
    (b"\xff\xfe[answers]", "not UTF-8"),
    (b"[answers]\nx = '\xc3\x28'", "not UTF-8"),
    (b"answers = 3", "must be a table"),
    (b"conv-params-5x5 = 1216", "no [answers] table"),
    (b"a = " + b"[" * 100_000, "too deeply"),
])
def test_a_broken_answers_file_scores_zero_with_a_message(tmp_path, content, problem):
    """Only a file with nothing to read loses the whole quiz (tests/test_answers_file.py
    has the malformed lines that lose one question each)."""
    path = tmp_path / "answers.toml"
    path.write_bytes(content)
    answers, problems = read_answers(path)
    assert answers == {} and problem in problems[0]
    assert score_quiz(BANK, answers).score == 0


def test_a_bom_is_tolerated_and_a_bad_learner_id_only_noted(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_bytes("\ufefflearner = 7\n[answers]\nconv-params-5x5 = 1216\n".encode())
    answers, problems = read_answers(path)
    assert answers == {"conv-params-5x5": 1216}
    assert len(problems) == 1 and "learner" in problems[0]


def test_oversized_missing_and_odd_answers_files(tmp_path, monkeypatch):
    assert policy.MAX_ANSWERS_BYTES == 256 * 1024
    path = tmp_path / "answers.toml"
    path.write_text("[answers]\nconv-params-5x5 = 1216\n" + "# padding\n" * 30_000)
    assert path.stat().st_size > policy.MAX_ANSWERS_BYTES
    answers, problems = read_answers(path)
    assert answers == {} and "larger than 256 KiB" in problems[0]
    monkeypatch.setattr(policy, "MAX_ANSWERS_BYTES", 10)
    path.write_text("[answers]\nconv-params-5x5 = 1216\n")
    assert "larger than" in read_answers(path)[1][0]
    assert "not found" in read_answers(tmp_path / "nope.toml")[1][0]
    assert read_answers(tmp_path) == ({}, ["{} is not a regular file, so no quiz answer "
                                          "was read".format(tmp_path.name)])
