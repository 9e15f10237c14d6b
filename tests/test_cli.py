"""The command line: exit codes, outputs, and the learner's workspace."""
import json
import shutil
import subprocess
import sys

from click.testing import CliRunner

from grader.cli import main
from grader.paths import SOLUTIONS_DIR
from grader.registry import EXERCISES


def test_grade_writes_json_and_html_and_exits_zero(tmp_path):
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    result = CliRunner().invoke(main, ["grade", str(SOLUTIONS_DIR), "--json", str(out_json),
                                       "--html", str(out_html)])
    assert result.exit_code == 0, result.output
    data = json.loads(out_json.read_text())
    assert data["score"] == data["max_score"] > 0
    assert out_html.read_text().startswith("<!DOCTYPE html>")
    assert "conv" in result.output and "quiz" in result.output


def test_grade_exits_zero_for_a_zero_score(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["grade", str(empty)])
    assert result.exit_code == 0
    assert "0 /" in result.output


def test_grade_reports_an_unusable_path_with_a_non_zero_status(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such submission" in result.output and "Hint:" in result.output


def test_init_makes_a_workspace_and_refuses_to_overwrite(tmp_path):
    ws = tmp_path / "ws"
    result = CliRunner().invoke(main, ["init", str(ws)])
    assert result.exit_code == 0, result.output
    for name in EXERCISES:
        assert (ws / f"{name}.py").is_file() and (ws / "tests" / f"test_{name}.py").is_file()
    assert not (ws / "layers.py").is_symlink()
    assert (ws / "answers.toml").is_file() and (ws / "README.md").is_file()
    again = CliRunner().invoke(main, ["init", str(ws)])
    assert again.exit_code == 2 and "already holds" in again.output


def check(ws, *extra):
    return subprocess.run([sys.executable, "-m", "grader.cli", "check", str(ws), *extra],
                          capture_output=True, text=True, timeout=300)


def test_check_fails_on_the_stubs_and_passes_on_the_solutions(tmp_path):
    ws = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(ws)]).exit_code == 0
    stubs = check(ws, "-e", "conv")
    assert stubs.returncode == 1
    assert "NotImplementedError" in stubs.stdout
    for name in EXERCISES:
        shutil.copyfile(SOLUTIONS_DIR / f"{name}.py", ws / f"{name}.py")
    solved = check(ws)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "passed" in solved.stdout


def test_check_outside_a_workspace_explains_itself(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "cnn-grader init" in result.output


def test_grade_says_in_the_terminal_what_answers_toml_cost(tmp_path):
    """The quiz's problems were in the HTML report only; now the summary has them too."""
    sub = tmp_path / "sub"
    shutil.copytree(SOLUTIONS_DIR, sub)
    text = (sub / "answers.toml").read_text()
    (sub / "answers.toml").write_text(text.replace('pool-64-output = "b"', "pool-64-output = b")
                                      .replace("conv-params-5x5 =", "conv-param-5x5 ="))
    out = tmp_path / "r.json"
    # One hidden test is enough: the quiz is scored whatever --only says.
    result = CliRunner().invoke(main, ["grade", str(sub), "--learner", "ann", "--json", str(out),
                                       "--only", "conv::test_output_size_worked_examples"])
    assert result.exit_code == 0, result.output
    quiz = result.output.split("\n  quiz ")[1]
    assert "answers.toml line" in quiz and 'write pool-64-output = "b"' in quiz
    assert "did you mean conv-params-5x5?" in quiz
    assert "names learner 'reference', but this submission was graded as 'ann'" in quiz
    data = json.loads(out.read_text())
    assert sorted(data["problem_codes"]) == ["answers-line", "learner-id", "unknown-question"]
