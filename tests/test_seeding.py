"""Per-learner hidden inputs: seeds, self-check mode, replays, and a leaked table that fails."""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.errors import UsageError
from grader.scoring.grading import grade
from grader.keys import SECRET_ENV
from grader.paths import SOLUTIONS_DIR
from grader.suites.reference import reference
from grader.sandbox.remote import CallResult
from grader.report.html import render_html
from grader.suites.runner import run_suites
from grader.suites.seeding import SELF_CHECK_SECRET, Seeding, replay_command, seeding_for

from conftest import submission_with

SECRET = b"course-secret-for-tests-0123456789abcdef"


def course(learner: str, fingerprint: str = "") -> Seeding:
    return Seeding(learner_id=learner, mode="course", secret=SECRET, fingerprint=fingerprint)


def test_seeds_depend_on_learner_exercise_test_fingerprint_and_secret_only():
    alice = course("alice")
    assert alice.seed("conv", "test_no_bias") == course("alice").seed("conv", "test_no_bias")
    variants = {alice.seed("conv", "test_no_bias"), course("bob").seed("conv", "test_no_bias"),
                alice.seed("pooling", "test_no_bias"), alice.seed("conv", "test_no_bias[1]"),
                course("alice", "f" * 64).seed("conv", "test_no_bias"),
                Seeding("alice", "self-check", SELF_CHECK_SECRET).seed("conv", "test_no_bias")}
    assert len(variants) == 6
    # Joining with a separator: ("ab", "c") and ("a", "bc") are different learners' tests.
    assert course("ab").seed("c", "test_x") != course("a").seed("bc", "test_x")
    assert all(0 <= s < 2 ** 53 for s in variants)
    assert SECRET.decode() not in repr(alice)


def test_the_secret_comes_from_the_option_else_the_environment_else_self_check(
        tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    assert seeding_for("alice").mode == "self-check"
    from_env, from_option = tmp_path / "env.key", tmp_path / "option.key"
    from_env.write_bytes(SECRET + b"\n")
    from_option.write_bytes(b"another-secret-of-enough-length")
    monkeypatch.setenv(SECRET_ENV, str(from_env))
    assert seeding_for("alice") == course("alice")
    assert seeding_for("alice", secret_file=from_option).secret == b"another-secret-of-enough-length"
    short = tmp_path / "short.key"
    short.write_text("hunter2")
    with pytest.raises(UsageError, match="holds 7 bytes") as caught:
        seeding_for("alice", secret_file=short)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(UsageError, match="does not exist"):
        seeding_for("alice", secret_file=tmp_path / "missing.key")


# ------------------------------------------------------------------ a leaked output table

def call_key(name, args, kwargs):
    """What the cheat looks a call up by: every argument's type, shape and bytes."""
    import hashlib

    def norm(v):
        if hasattr(v, "tobytes"):
            return ["array", str(v.dtype), list(v.shape), v.tobytes().hex()]
        if isinstance(v, (list, tuple)):
            return [norm(x) for x in v]
        return repr(v)
    text = repr([name, norm(list(args)), sorted((k, norm(v)) for k, v in kwargs.items())])
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Recorder:
    """Stands in for a learner: answers with the reference and writes every answer down."""
    table: dict
    exercise: str = "conv"

    def __getattr__(self, name):
        if name == self.exercise:
            return self
        func = getattr(reference(self.exercise), name)
        recorder = self

        class Call:
            def __call__(self, *args, **kwargs):
                return self.detailed(*args, **kwargs).value

            def detailed(self, *args, **kwargs):
                key = call_key(name, args, kwargs)
                try:
                    value = func(*args, **kwargs)
                except ValueError as exc:
                    recorder.table[key] = {"raise": str(exc)}
                    raise
                recorder.table[key] = ({"array": value.tolist(), "dtype": str(value.dtype)}
                                       if isinstance(value, np.ndarray) else {"value": value})
                return CallResult(value, ())
        return Call()


CHEAT = '''"""A module that knows one learner's answers by heart and computes nothing."""
import inspect
import numpy as np

TABLE = {table}

{key_source}

def _answer(name, args, kwargs):
    entry = TABLE.get(call_key(name, args, kwargs))
    if entry is None:
        return np.zeros((1, 1, 1, 1))
    if "raise" in entry:
        raise ValueError(entry["raise"])
    if "array" in entry:
        return np.array(entry["array"], dtype=entry["dtype"])
    return entry["value"]
'''
ANSWER = '''
def {name}(*args, **kwargs):
    return _answer("{name}", args, kwargs)
'''


def leaked_table_module(exercise: str, functions: tuple[str, ...], seeding: Seeding) -> str:
    """The source of ``exercise``.py answering every hidden call from the table that a
    grading under ``seeding`` hands out (what a learner reads off their own report)."""
    import inspect

    recorder = Recorder({}, exercise)
    run_suites(recorder, (exercise,), seeding=seeding)
    return CHEAT.format(table=repr(recorder.table), key_source=inspect.getsource(call_key)) \
        + "".join(ANSWER.format(name=f) for f in functions)


def fingerprint_of(sub) -> str:
    from grader.intake.submission import take

    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as work:
        return take(Path(sub), Path(work) / "s").fingerprint


@pytest.fixture(scope="module")
def cheat_results(tmp_path_factory, monkeypatch_module):
    """Alice's first submission (the solutions) hands out its report's calls; her next
    submission answers them from a table. Graded for alice, again for alice, and for bob."""
    first = fingerprint_of(SOLUTIONS_DIR)
    source = leaked_table_module("conv", ("conv_output_size", "conv2d"), course("alice", first))
    secret = tmp_path_factory.mktemp("keys") / "course.key"
    secret.write_bytes(SECRET)
    monkeypatch_module.setenv(SECRET_ENV, str(secret))
    sub = submission_with(tmp_path_factory.mktemp("cheat"), {"conv.py": source})
    graded = {who: grade(submission=sub, exercises=("conv",), learner=who)
              for who in ("alice", "bob")}
    graded["alice again"] = grade(submission=sub, exercises=("conv",), learner="alice")
    return sub, first, graded


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_a_table_built_from_one_report_fails_on_the_next_submission(cheat_results):
    _, first, graded = cheat_results
    for who in ("alice", "bob"):
        result = graded[who]
        assert result.seeding == "course"
        assert result.fingerprint != first  # holding the table changed the files
        drawn = [t for t in result.tests if t.seed is not None]
        fixed = [t for t in result.tests if t.seed is None]
        assert drawn and fixed
        # Every test with drawn inputs fails (the property test too: its examples
        # come from the new seed); the worked examples and error cases are the
        # same for every submission, so the table still answers them.
        assert all(t.status == "failed" for t in drawn), \
            (who, [t.name for t in drawn if t.status == "passed"])
        assert "test_conv2d_on_generated_cases" in {t.name for t in drawn}
        assert all(t.status == "passed" for t in fixed)
        for t in drawn:
            assert t.seed == course(who, result.fingerprint).seed("conv", t.name) \
                != course("alice", first).seed("conv", t.name)


def test_the_same_files_get_the_same_seeds_and_outcomes(cheat_results):
    _, _, graded = cheat_results
    once, again = graded["alice"], graded["alice again"]
    assert once.fingerprint == again.fingerprint
    assert [(t.name, t.seed, t.status) for t in once.tests] \
        == [(t.name, t.seed, t.status) for t in again.tests]
    assert {t.name: t.seed for t in graded["bob"].tests if t.seed is not None} \
        != {t.name: t.seed for t in once.tests if t.seed is not None}


def test_a_table_of_parameter_counts_from_one_report_fails_on_the_next(tmp_path, monkeypatch):
    source = leaked_table_module("params", ("conv2d_params", "linear_params", "count_params"),
                                 course("alice", fingerprint_of(SOLUTIONS_DIR)))
    secret = tmp_path / "course.key"
    secret.write_bytes(SECRET)
    monkeypatch.setenv(SECRET_ENV, str(secret))
    next_one = grade(submission=submission_with(tmp_path / "cheat", {"params.py": source}),
                     exercises=("params",), learner="alice")
    generated = {t.name: t for t in next_one.tests}["test_count_params_on_generated_stacks"]
    assert generated.status == "failed" and generated.seed is not None
    assert all(t.status == "passed" for t in next_one.tests if t.seed is None)


def test_a_failed_test_replays_alone_with_the_same_seed_and_outcome(cheat_results):
    sub, _, graded = cheat_results
    failed = next(t for t in graded["bob"].tests if t.seed is not None)
    command = replay_command(submission=str(sub), learner_id="bob",
                             test_id=f"conv::{failed.name}")
    args = shlex.split(command)
    assert args[:2] == ["cnn-grader", "grade"]
    done = CliRunner().invoke(main, args[1:])
    assert done.exit_code == 0, done.output
    assert f"conv::{failed.name}: failed (seed {failed.seed}, course)" in done.output
    html = render_html(graded["bob"])
    assert f"seed <code>{failed.seed}</code>" in html
    assert f"--only {shlex.quote('conv::' + failed.name)}".replace("'", "&#39;") in html


def test_only_refuses_unknown_tests_and_exercises(tmp_path):
    for only, message in ((("conv::test_nothing_like_this",), "no hidden test is named"),
                          (("nonsense::test_x",), "no exercise named 'nonsense'"),
                          (("conv.test_x",), "is not a hidden test's name")):
        done = CliRunner().invoke(main, ["grade", str(SOLUTIONS_DIR), "--only", *only])
        assert done.exit_code == 2 and message in done.output, done.output


def test_only_with_an_exercise_alone_grades_all_of_its_tests_and_no_others(tmp_path):
    out = tmp_path / "r.json"
    done = CliRunner().invoke(main, ["grade", str(SOLUTIONS_DIR), "--only", "pooling",
                                     "--json", str(out)])
    assert done.exit_code == 0, done.output
    result = json.loads(out.read_text())
    assert {t["exercise"] for t in result["tests"]} == {"pooling"}
    assert result["exercises"]["pooling"]["score"] == result["exercises"]["pooling"]["max_score"]
    assert len(result["tests"]) == result["exercises"]["pooling"]["total"] > 10
