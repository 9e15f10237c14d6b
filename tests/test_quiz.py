"""The question bank and the scoring of answers.toml."""
import collections

import pytest

from grader import policy
from grader.errors import QuizBankError
from grader.layout import EXERCISES_DIR, QUIZ_BANK, SOLUTIONS_DIR
from grader.quiz import TOPICS, load_bank, read_answers, score_question, score_quiz

BANK = load_bank(QUIZ_BANK)
BY_ID = {q.id: q for q in BANK}


def test_the_bank_covers_every_topic_with_explanations():
    assert len(BANK) >= 20
    counts = collections.Counter(q.topic for q in BANK)
    assert set(counts) == set(TOPICS)
    assert all(q.explanation for q in BANK)
    for q in BANK:
        for c in q.choices:
            right = c.id == q.answer or (isinstance(q.answer, tuple) and c.id in q.answer)
            assert right or c.feedback, f"{q.id}/{c.id} is a wrong choice without feedback"


def test_the_lessons_four_questions_are_there():
    assert BY_ID["conv-params-5x5"].answer == 1216
    assert "no parameters" in BY_ID["pool-64-output"].choice(BY_ID["pool-64-output"].answer).text
    assert "backpropagation" in BY_ID["who-taught-edges"].choice("c").text
    assert "pretrained" in BY_ID["transfer-vs-scratch"].choice(BY_ID["transfer-vs-scratch"].answer).text


def test_the_reference_answers_score_full_marks_and_the_template_zero():
    answers, problems = read_answers(SOLUTIONS_DIR / "answers.toml")
    assert problems == []
    result = score_quiz(BANK, answers)
    assert result.score == result.max_score
    template, problems = read_answers(EXERCISES_DIR / "answers.toml")
    assert problems == [] and template == {}
    assert score_quiz(BANK, template).score == 0
    text = (EXERCISES_DIR / "answers.toml").read_text()
    assert all(f"# {q.id} = " in text for q in BANK), "the template lists every question"


@pytest.mark.parametrize("qid, given, score, status", [
    ("conv-params-5x5", 1216, 2, "correct"),
    ("conv-params-5x5", 1216.0, 2, "correct"),
    ("conv-params-5x5", 1217, 0, "incorrect"),
    ("conv-params-5x5", "1216", 0, "invalid"),
    ("conv-params-5x5", True, 0, "invalid"),
    ("history-alexnet-gap", 9.84, 1, "correct"),   # within the 0.05 tolerance
    ("history-alexnet-gap", 9.9, 0, "incorrect"),
    ("pool-64-output", "b", 2, "correct"),
    ("pool-64-output", "a", 0, "incorrect"),
    ("pool-64-output", "z", 0, "invalid"),
    ("conv-three-reasons", ["locality", "sharing"], 2, "partial"),
    ("conv-three-reasons", ["locality", "sharing", "global"], 1, "partial"),
    ("conv-three-reasons", ["global"], 0, "incorrect"),
    ("conv-three-reasons", "locality", 0, "invalid"),
    ("maxpool-params", False, 1, "correct"),
    ("maxpool-params", "false", 0, "invalid"),
    ("maxpool-params", None, 0, "missing"),
])
def test_scoring_rules(qid, given, score, status):
    result = score_question(BY_ID[qid], given)
    assert (result.score, result.status) == (score, status)


def test_a_wrong_choice_names_its_misconception():
    result = score_question(BY_ID["bias-per-filter"], "a")
    assert "once per layer" in result.message


@pytest.mark.parametrize("content, problem", [
    (b"[answers\nx = 1", "not valid TOML"),
    (b"\xff\xfe answers", "not UTF-8"),
    (b"answers = 3", "must be a table"),
])
def test_a_broken_answers_file_scores_zero_with_a_message(tmp_path, content, problem):
    path = tmp_path / "answers.toml"
    path.write_bytes(content)
    answers, problems = read_answers(path)
    assert answers == {} and problem in problems[0]


def test_oversized_and_missing_answers_files(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "MAX_ANSWERS_BYTES", 10)
    path = tmp_path / "answers.toml"
    path.write_text("[answers]\nconv-params-5x5 = 1216\n")
    assert "larger than" in read_answers(path)[1][0]
    assert "not found" in read_answers(tmp_path / "nope.toml")[1][0]


GOOD = '''
[[questions]]
id = "q1"
topic = "pooling"
type = "single"
prompt = "?"
answer = "a"
explanation = "because"
[[questions.choices]]
id = "a"
text = "yes"
[[questions.choices]]
id = "b"
text = "no"
'''


@pytest.mark.parametrize("edit, needle", [
    (lambda s: s + s, "used twice"),
    (lambda s: s.replace('type = "single"', 'type = "essay"'), "type"),
    (lambda s: s.replace('explanation = "because"', 'explanation = ""'), "explanation"),
    (lambda s: s.replace('answer = "a"', 'answer = "c"'), "not one of the choices"),
    (lambda s: s.replace('topic = "pooling"', 'topic = "cooking"'), "topic"),
    (lambda s: s.replace('type = "single"', 'type = "numeric"\ntolerance = -1')
     .replace('answer = "a"', "answer = 3"), "tolerance"),
    (lambda s: s.replace('type = "single"', 'type = "numeric"').replace('answer = "a"',
                                                                        "answer = true"), "answer"),
])
def test_an_invalid_bank_is_refused_with_the_question_named(tmp_path, edit, needle):
    path = tmp_path / "bank.toml"
    path.write_text(GOOD)
    assert load_bank(path)[0].id == "q1"
    path.write_text(edit(GOOD))
    with pytest.raises(QuizBankError, match=needle) as info:
        load_bank(path)
    assert "q1" in str(info.value) and info.value.exit_code == 3
