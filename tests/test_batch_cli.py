"""The batch side of ``cnn-grader grade``: the options it needs and refuses."""
from __future__ import annotations

from click.testing import CliRunner

from batch_samples import solution_with
from grader.cli import main


def _batch(tmp_path):
    batch = tmp_path / "class"
    solution_with(batch / "alice")
    return batch


def test_a_batch_needs_out(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(_batch(tmp_path))])
    assert result.exit_code == 2
    assert "is a batch of submissions" in result.output and "--out DIR" in result.output


def test_single_submission_options_are_refused_for_a_batch(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(_batch(tmp_path)), "--out",
                                       str(tmp_path / "out"), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "--json" in result.output
    assert not (tmp_path / "out").exists()


def test_out_on_one_submission_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(solution_with(tmp_path / "sub")),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "not a batch" in result.output


def test_jobs_must_be_positive(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(_batch(tmp_path)), "--out",
                                       str(tmp_path / "out"), "--jobs", "0"])
    assert result.exit_code == 2


def _unreadable_batch(tmp_path):
    # A learner whose archive is refused at intake: a batch that needs no grading.
    batch = tmp_path / "class"
    batch.mkdir()
    (batch / "eve.zip").write_bytes(b"not a zip archive")
    return batch


def test_a_terminal_gets_a_progress_bar(tmp_path):
    import os
    import sys

    import pexpect

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli", "grade",
                                           str(_unreadable_batch(tmp_path)), "--out",
                                           str(tmp_path / "out")],
                          env=env, encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "1/1" in child.before and "grading" in child.before


def test_ci_and_pipes_get_no_progress_bar(tmp_path):
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "grader.cli", "grade",
                           str(_unreadable_batch(tmp_path)), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env={**os.environ, "CI": "true"})
    assert done.returncode == 0, done.stderr
    assert "1/1" not in done.stderr and "grading" not in done.stderr
    assert "1 (eve) unreadable" in done.stdout


def test_a_batch_refuses_one_test_and_names_the_exercise_instead(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(_batch(tmp_path)), "--out",
                                       str(tmp_path / "out"), "--only", "conv::test_x"])
    assert result.exit_code == 2
    assert "names one test" in result.output and "--only conv" in result.output
    assert not (tmp_path / "out").exists()


def test_a_batch_refuses_an_unknown_exercise(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(_batch(tmp_path)), "--out",
                                       str(tmp_path / "out"), "--only", "convolution"])
    assert result.exit_code == 2
    assert "'convolution'" in result.output and "params" in result.output


def test_a_batch_grades_just_the_exercises_named_and_regrades_for_others(tmp_path):
    import json
    batch, out = _batch(tmp_path), tmp_path / "out"
    first = CliRunner().invoke(main, ["grade", str(batch), "--out", str(out), "--jobs", "1",
                                      "--only", "params", "--no-similarity"])
    assert first.exit_code == 0, first.output
    record = json.loads((out / "learners" / "alice.json").read_text())
    assert set(record["exercises"]) == {"params", "quiz"}
    assert record["exercises"]["params"]["score"] == record["exercises"]["params"]["max_score"]
    gradebook = (out / "gradebook.csv").read_text().splitlines()
    header, alice = gradebook[0].split(","), gradebook[1].split(",")
    assert alice[header.index("conv")] == "" and alice[header.index("params")] != ""
    again = CliRunner().invoke(main, ["grade", str(batch), "--out", str(out), "--jobs", "1",
                                      "--only", "params", "--no-similarity"])
    assert "1 already graded" in again.output, again.output
    other = CliRunner().invoke(main, ["grade", str(batch), "--out", str(out), "--jobs", "1",
                                      "--only", "receptive_field", "--no-similarity"])
    assert "1 graded, 0 already graded" in other.output, other.output
    record = json.loads((out / "learners" / "alice.json").read_text())
    assert set(record["exercises"]) == {"receptive_field", "quiz"}
