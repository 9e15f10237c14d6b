"""Per-learner variants: drawn deterministically, computed by the reference
solutions, recomputed at grading, and checked by quiz validate."""
import re

import pytest
from click.testing import CliRunner

from grader import policy
from grader.cli import main
from grader.errors import QuizBankError, UsageError
from grader.scoring.grading import grade
from grader.paths import QUIZ_BANK, SOLUTIONS_DIR
from grader.quiz.bank import load_bank, read_answers_file, score_question, score_quiz
from grader.quiz.sheet import learner_sheet
from grader.quiz.validate import validate_bank
from grader.quiz.variants import CALCULATORS, draw_values, evaluate, for_learner, variant
from grader.suites.reference import reference

BANK = load_bank(QUIZ_BANK)
BY_ID = {q.id: q for q in BANK}
PARAMETERISED = [q for q in BANK if q.variation is not None]


def test_the_bank_has_parameterised_questions_on_the_arithmetic_topics():
    assert len(PARAMETERISED) >= 8
    assert {q.topic for q in PARAMETERISED} >= {"parameters", "stride-padding", "pooling",
                                                  "receptive-field", "architectures"}


def test_the_same_learner_always_gets_the_same_variant_and_two_learners_differ():
    ada, again, bob = (for_learner(BANK, "ada"), for_learner(BANK, "ada"),
                       for_learner(BANK, "bob"))
    assert ada == again
    differ = [a.id for a, b in zip(ada, bob) if a.values != b.values]
    assert len(differ) >= len(PARAMETERISED) // 2, differ
    # Across a class, a question takes many values: no one answer to pass around.
    for q in PARAMETERISED:
        answers = {variant(q, f"learner-{i}").answer for i in range(60)}
        assert len(answers) >= 4, (q.id, answers)


def test_a_variant_shows_its_own_numbers_in_prompt_and_explanation():
    q = variant(BY_ID["conv-params"], "ada")
    values = dict(q.values)
    assert f"{values['filters']} kernels" in q.prompt and "{" not in q.prompt
    assert f"{int(q.answer):,}" in q.explanation
    assert q.answer == reference("params").conv2d_params(values["channels"], values["filters"],
                                                         values["kernel"])


def test_answers_come_from_the_reference_solutions(monkeypatch):
    """Change the reference and the quiz's answer follows: no copied formula."""
    q = BY_ID["conv-params"]
    honest = variant(q, "ada").answer
    monkeypatch.setattr(reference("params"), "conv2d_params",
                        lambda c_in, c_out, k, bias=True: 1000 * c_in + c_out + (not bias))
    changed = variant(q, "ada")
    values = dict(changed.values)
    assert changed.answer == 1000 * values["channels"] + values["filters"] != honest
    monkeypatch.setattr(reference("conv"), "conv_output_size", lambda *a: 5)
    with pytest.raises(QuizBankError, match="no usable values"):
        variant(BY_ID["output-size-strided"], "ada")  # every misconception gives 5 too


def test_degenerate_draws_are_refused():
    v = BY_ID["output-size-strided"].variation
    assert evaluate(v, {"size": 32, "kernel": 3, "stride": 2, "padding": 3}, 0) is None  # pad >= k
    assert evaluate(v, {"size": 3, "kernel": 5, "stride": 1, "padding": 1}, 0) is None  # k > n
    # stride 1 and no padding: both misconceptions would give the right answer
    assert evaluate(v, {"size": 32, "kernel": 3, "stride": 1, "padding": 0}, 0) is None
    assert evaluate(v, {"size": 32, "kernel": 3, "stride": 2, "padding": 1}, 0)[0] == 16
    for q in PARAMETERISED:
        for i in range(50):
            values = draw_values(q, f"learner-{i}")
            answer, traps = evaluate(q.variation, values, q.tolerance)
            assert all(t != answer for t, _ in traps)


def test_a_known_wrong_number_gets_the_misconceptions_feedback():
    q = variant(BY_ID["conv-params"], "ada")
    no_bias = next(t for t, fb in q.traps if "weights only" in fb)
    r = score_question(q, no_bias)
    assert r.status == "incorrect" and "every kernel also has one bias" in r.message
    bias_once = score_question(q, no_bias + 1)
    assert "once per layer" in bias_once.message
    other = score_question(q, q.answer + 1000)
    assert other.message == f"this needed {int(q.answer)} exactly"


def test_grading_recomputes_the_variant_from_the_learner_id():
    answers, learner, _ = read_answers_file(SOLUTIONS_DIR / "answers.toml")
    mine = score_quiz(BANK, answers, learner=learner)
    assert mine.score == mine.max_score
    theirs = score_quiz(BANK, answers, learner="mallory")
    assert theirs.score < theirs.max_score
    wrong = {r.id for r in theirs.questions if r.status != "correct"}
    assert wrong and wrong <= {q.id for q in PARAMETERISED}


def test_grade_scores_the_variant_of_the_id_it_was_given():
    """The grader's --learner wins over the file: a copied key scores less."""
    own = grade(submission=SOLUTIONS_DIR, exercises=("params",))
    assert own.learner_id == "reference" and own.quiz.score == own.quiz.max_score
    other = grade(submission=SOLUTIONS_DIR, exercises=("params",), learner="mallory")
    assert other.learner_id == "mallory" and other.quiz.score < other.quiz.max_score
    prompts = {r.id: r.prompt for r in other.quiz.questions}
    assert prompts["conv-params"] == variant(BY_ID["conv-params"], "mallory").prompt


def test_quiz_show_prints_a_learners_variant_as_an_answers_file(tmp_path):
    result = CliRunner().invoke(main, ["quiz", "show", "--learner", "ada"])
    assert result.exit_code == 0, result.output
    assert result.output == learner_sheet(learner="ada")
    assert 'learner = "ada"' in result.output
    assert variant(BY_ID["rf-stack"], "ada").prompt.split(",")[0] in " ".join(
        line.lstrip("# ") for line in result.output.splitlines())
    # Filled in with the right answers, the printed sheet scores full marks for ada.
    text = result.output
    for q in for_learner(BANK, "ada"):
        value = {"numeric": lambda a: f"{a:g}", "truefalse": lambda a: str(a).lower(),
                 "single": lambda a: f'"{a}"', "multiple": lambda a: str(list(a)).replace("'", '"')
                 }[q.type](q.answer)
        text = text.replace(f"\n# {q.id} = \n", f"\n{q.id} = {value}\n")
    path = tmp_path / "answers.toml"
    path.write_text(text)
    answers, learner, problems = read_answers_file(path)
    assert problems == [] and learner == "ada"
    assert score_quiz(BANK, answers, learner=learner).score == sum(q.points for q in BANK)
    empty = CliRunner().invoke(main, ["quiz", "show", "--learner", " "])
    assert empty.exit_code == UsageError.exit_code and "learner id is empty" in empty.output


# --------------------------------------------------------------------------- validate

def test_the_bank_validates_and_the_cli_says_so():
    report = validate_bank()
    assert report.problems == () and report.questions == len(BANK) >= 40
    assert report.variants_checked == len(PARAMETERISED) * policy.QUIZ_VALIDATE_LEARNERS
    result = CliRunner().invoke(main, ["quiz", "validate"])
    assert result.exit_code == 0 and f"{len(BANK)} questions" in result.output


PARAM_Q = '''
[[questions]]
id = "p1"
topic = "parameters"
type = "numeric"
prompt = "{channels} channels, {filters} filters of {kernel}x{kernel}?"
answer = 1792
tolerance = 0
points = 1
compute = "conv-params"
explanation = "So {answer}."
[questions.params]
channels = [3, 1, 8]
filters = [64, 16]
kernel = [3, 5]
[[questions.mistakes]]
compute = "conv-params-no-bias"
feedback = "Forgot the biases."
'''


@pytest.mark.parametrize("edit, problem", [
    (("answer = 1792", "answer = 1800"), "reference solutions compute 1792"),
    (("filters = [64, 16]", "filters = [64, 16]\nchannels_extra = [1]"), None),
    # The lesson's values are degenerate when a misconception gives the answer.
    (('compute = "conv-params-no-bias"', 'compute = "conv-params"'), "degenerate"),
])
def test_validate_finds_what_loading_cannot(tmp_path, edit, problem):
    path = tmp_path / "bank.toml"
    path.write_text(PARAM_Q)
    assert validate_bank(path=path, learners=20).problems == ()
    path.write_text(PARAM_Q.replace(*edit))
    if problem is None:
        assert validate_bank(path=path, learners=20).problems == ()
        return
    with pytest.raises(QuizBankError, match=re.escape(problem)) as info:
        validate_bank(path=path, learners=20)
    assert "'p1'" not in info.value.message and "p1:" in info.value.message


def test_validate_finds_wrong_choices_without_feedback_or_equal_to_the_answer(tmp_path):
    bank = '''
[[questions]]
id = "c1"
topic = "pooling"
type = "single"
prompt = "?"
points = 1
answer = "a"
explanation = "because"
[[questions.choices]]
id = "a"
text = "Yes"
[[questions.choices]]
id = "b"
text = "yes "
'''
    path = tmp_path / "bank.toml"
    path.write_text(bank)
    with pytest.raises(QuizBankError) as info:
        validate_bank(path=path)
    assert "'b' has no feedback" in info.value.message
    assert "'b' reads the same as a right one" in info.value.message


@pytest.mark.parametrize("edit, field", [
    (('compute = "conv-params"', 'compute = "nonsense"'), "not a known calculator"),
    (("kernel = [3, 5]\n", ""), "lack kernel"),
    (("filters = [64, 16]", "filters = [64, 64]"), "distinct integers"),
    (("filters = [64, 16]", "filters = [-1]"), "distinct integers"),
    (("filters = [64, 16]", 'filters = ["64"]'), "distinct integers"),
    (("So {answer}.", "So {bananas}."), "not a parameter"),
    (('feedback = "Forgot the biases."', 'feedback = ""'), "mistakes"),
    (('type = "numeric"', 'type = "truefalse"'), "compute is not a field"),
])
def test_a_malformed_parameterised_question_is_refused_at_load(tmp_path, edit, field):
    path = tmp_path / "bank.toml"
    path.write_text(PARAM_Q.replace(*edit))
    with pytest.raises(QuizBankError, match=re.escape(field)):
        load_bank(path)


def test_every_calculator_names_what_it_needs():
    for name, calc in CALCULATORS.items():
        assert calc.needs and all(re.fullmatch(r"[a-z0-9_]+", n) for n in calc.needs), name
