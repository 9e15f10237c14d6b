"""cnn-grader quiz: practice from a pipe (CliRunner) and once in a real terminal."""
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.paths import QUIZ_BANK
from grader.quiz.bank import load_bank
from grader.quiz.practice import STATE_ENV, default_state_path, parse_answer, read_state
from grader.quiz.variants import variant

BANK = load_bank(QUIZ_BANK)
BY_ID = {q.id: q for q in BANK}
HISTORY = [q for q in BANK if q.topic == "history"]


def run(args, lines, state):
    return CliRunner().invoke(main, ["quiz", "--state", str(state), *args],
                              input="".join(f"{line}\n" for line in lines))


def _right(q):
    return {"numeric": lambda a: f"{a:g}", "truefalse": lambda a: str(a).lower(),
            "single": str, "multiple": ",".join}[q.type](q.answer)


def test_a_piped_session_gives_feedback_a_summary_and_saves_the_misses(tmp_path):
    state = tmp_path / "state.json"
    answers = [_right(q) for q in HISTORY]
    answers[0] = "zzz"  # unreadable: asked again, not scored
    answers.insert(1, _right(HISTORY[0]))
    wrong = HISTORY[1]
    answers[2] = "1234" if wrong.type == "numeric" else "a"
    result = run(["--topic", "history"], answers, state)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Question 1 of {len(HISTORY)}" in out and "Could not read 'zzz'" in out
    assert out.count("Correct.") == len(HISTORY) - 1 and "Not quite" in out
    assert "The answer: " in out and "Why: " in out
    assert f"Summary: {len(HISTORY) - 1} of {len(HISTORY)} answered right" in out
    assert f"To practise: {wrong.id}" in out
    assert json.loads(state.read_text()) == {"sessions": 1, "missed": [wrong.id]}

    again = run(["--missed"], [_right(wrong)], state)
    assert again.exit_code == 0, again.output
    assert "Question 1 of 1" in again.output and "Summary: 1 of 1" in again.output
    assert json.loads(state.read_text()) == {"sessions": 2, "missed": []}
    none_left = run(["--missed"], [], state)
    assert none_left.exit_code == 2 and "no missed questions are recorded" in none_left.output


def test_a_wrong_numeric_answer_offers_new_numbers(tmp_path):
    """Practice draws from attempts 1, 2, ...; attempt 0 is the graded variant."""
    base = BY_ID["conv-params"]
    first, second = variant(base, "ada", 1), variant(base, "ada", 2)
    assert first.values != second.values
    state = tmp_path / "state.json"
    static = BY_ID["conv-params-5x5"]  # the topic's first question
    result = run(["--topic", "parameters", "--learner", "ada"],
                 [_right(static), f"{first.traps[0][0]:g}", "y", f"{second.answer:g}", "q"],
                 state)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert first.prompt in flat and second.prompt in flat
    assert first.traps[0][1] in flat  # the misconception behind that number
    assert "Try the same question with new numbers?" in flat
    assert flat.count("Correct.") == 2
    # The first try counts: the question stays on the list to practise.
    assert "Summary: 1 of 2 answered right at the first try (stopped after 2 of" in flat
    assert json.loads(state.read_text())["missed"] == ["conv-params"]


def test_the_end_of_input_ends_the_session_with_a_summary(tmp_path):
    result = run([], ["", "b"], tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert "Skipped: " in result.output and "stopped after 2 of" in result.output


def test_unknown_topic_is_refused(tmp_path):
    result = run(["--topic", "cooking"], [], tmp_path / "s.json")
    assert result.exit_code == 2 and "no topic named 'cooking'" in result.output
    assert "receptive-field" in result.output


def test_state_location_and_a_damaged_state_file(tmp_path, monkeypatch):
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "x.json"))
    assert default_state_path() == tmp_path / "x.json"
    monkeypatch.delenv(STATE_ENV)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_path() == tmp_path / "cnn-grader" / "quiz-practice.json"
    bad = tmp_path / "bad.json"
    for content in ("{not json", '["a"]', '{"sessions": -3, "missed": [1, "conv-params"]}'):
        bad.write_text(content)
        assert read_state(bad)["sessions"] == 0
    assert read_state(bad)["missed"] == ["conv-params"]


@pytest.mark.parametrize("qid, text, value", [
    ("conv-params", " 1,792 ", 1792.0),
    ("conv-params", "many", None),
    ("maxpool-params", "No", False),
    ("maxpool-params", "maybe", None),
    ("pool-64-output", "B", "b"),
    ("pool-64-output", "a, b", None),
    ("pool-64-output", "z", None),
    ("conv-three-reasons", "locality, sharing invariance", ["locality", "sharing", "invariance"]),
    ("conv-three-reasons", "[locality]", ["locality"]),
    ("conv-three-reasons", "locality, x", None),
])
def test_typed_answers_are_read_like_answers_toml_values(qid, text, value):
    assert parse_answer(BY_ID[qid], text) == value


def test_practice_in_a_real_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    q = HISTORY[0]
    env = {**os.environ, STATE_ENV: str(tmp_path / "state.json"), "COLUMNS": "100"}
    cli = Path(sys.executable).with_name("cnn-grader")
    child = pexpect.spawn(str(cli), ["quiz", "--topic", "history"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 100))
    try:
        child.expect("Question 1 of")
        child.expect("Your answer")
        child.sendline(_right(q))
        child.expect("Correct")
        child.expect("Question 2 of")
        child.expect("Your answer")
        child.sendline("q")
        child.expect(r"Summary: 1 of 1 answered right at the first try")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert json.loads((tmp_path / "state.json").read_text()) == {"sessions": 1, "missed": []}
