"""Signed results: tampering is caught, a moved result is caught, keys never leak."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.errors import UsageError
from grader.keys import SECRET_ENV, SIGN_KEY_ENV
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.model import to_json
from grader.scoring.signing import (canonical_json, sign_result, sign_row, verify_file, verify_result,
                            verify_row)

KEY = b"signing-key-for-the-tests-0123456789"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def signed(solutions_result) -> dict:
    return sign_result(to_json(solutions_result), key=KEY, now=NOW)


def edited(doc: dict, change) -> dict:
    copy = json.loads(json.dumps(doc))
    change(copy)
    return copy


def test_a_signed_result_verifies_and_the_signature_covers_the_time(signed):
    assert signed["signature"]["signed_at"] == "2025-03-01T12:00:00+00:00"
    assert signed["signature"]["algorithm"] == "HMAC-SHA256"
    assert verify_result(signed, key=KEY).genuine
    # Indentation is not meaning: the canonical form is what is signed.
    assert verify_result(json.loads(json.dumps(signed, indent=7)), key=KEY).genuine
    assert not verify_result(signed, key=KEY + b"!").genuine
    later = edited(signed, lambda d: d["signature"].update(signed_at="2031-01-01T00:00:00+00:00"))
    assert not verify_result(later, key=KEY).genuine


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: d.update(score=d["score"] + 1), id="total-score"),
    pytest.param(lambda d: d["exercises"]["conv"].update(score=0), id="exercise-score"),
    pytest.param(lambda d: d["tests"][3].update(status="failed"), id="test-status"),
    pytest.param(lambda d: d["tests"][5].update(seed=1), id="test-seed"),
    pytest.param(lambda d: d.update(fingerprint="f" * 64), id="fingerprint"),
    pytest.param(lambda d: d.update(learner_id="someone-else"), id="learner-id"),
    pytest.param(lambda d: d.update(grader_version="9.9.9"), id="grader-version"),
    pytest.param(lambda d: d.update(extra="added"), id="added-key"),
    pytest.param(lambda d: d["tests"].pop(), id="dropped-test"),
])
def test_any_edited_value_fails(signed, change):
    verdict = verify_result(edited(signed, change), key=KEY)
    assert not verdict.genuine and "changed after it was signed" in verdict.reason


def test_every_single_byte_edit_of_the_file_fails(solutions_result, tmp_path):
    signed = sign_result(to_json(solutions_result), key=KEY, now=NOW)
    text = json.dumps(signed, indent=2)
    path, key_file = tmp_path / "r.json", tmp_path / "sign.key"
    key_file.write_bytes(KEY)
    # Each position a character of meaning sits at: one in every 331, to stay quick.
    positions = [i for i in range(0, len(text), 331) if not text[i].isspace()]
    for i in positions:
        path.write_text(text[:i] + ("X" if text[i] != "X" else "Y") + text[i + 1:])
        assert not verify_file(result=path, key_file=key_file).genuine, (i, text[i - 20:i + 20])
    assert len(positions) > 50


def test_unsigned_and_unreadable_results_are_not_genuine(solutions_result, tmp_path):
    assert "not signed" in verify_result(to_json(solutions_result), key=KEY).reason
    assert not verify_result([1, 2], key=KEY).genuine
    other = edited(sign_result({"a": 1}, key=KEY), lambda d: d["signature"].update(algorithm="md5"))
    assert "unknown signature algorithm" in verify_result(other, key=KEY).reason
    key_file = tmp_path / "k"
    key_file.write_bytes(KEY)
    (tmp_path / "broken.json").write_text('{"score": ')
    assert not verify_file(result=tmp_path / "broken.json", key_file=key_file).genuine
    with pytest.raises(UsageError, match="does not exist"):
        verify_file(result=tmp_path / "missing.json", key_file=key_file)


def test_gradebook_rows_sign_and_verify_cell_by_cell():
    row = {"learner_id": "alice", "conv": "89", "total": "390", "fingerprint": "ab" * 32}
    signature = sign_row(row, key=KEY)
    assert verify_row(row, signature, key=KEY)
    assert verify_row({**row, "signature": signature}, key=KEY)  # the row's own column
    assert sign_row({**row, "signature": "anything"}, key=KEY) == signature
    assert not verify_row({**row, "conv": "90"}, signature, key=KEY)
    assert not verify_row({**row, "learner_id": "bob"}, signature, key=KEY)
    assert not verify_row(row, signature, key=b"another-key-of-enough-length")
    assert not verify_row(row, "é" * 64, key=KEY)
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


@pytest.fixture(scope="module")
def graded_with_keys(tmp_path_factory):
    """One real grading with a course secret and a signing key, every output written."""
    root = tmp_path_factory.mktemp("keys")
    secret, key = "SECRET-" + "a1" * 20, "SIGNKEY-" + "b2" * 20
    (root / "secret.key").write_text(secret + "\n")
    (root / "sign.key").write_text(key + "\n")
    out = {name: root / "out" / name for name in
           ("r.json", "r.html", "gs.json", "pl.json", "junit.xml")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SIGN_KEY_ENV, str(root / "sign.key"))
        mp.delenv(SECRET_ENV, raising=False)
        done = CliRunner().invoke(main, [
            "grade", str(EXERCISES_DIR), "--learner", "alice", "--secret", str(root / "secret.key"),
            "--json", str(out["r.json"]), "--html", str(out["r.html"]),
            "--gradescope", str(out["gs.json"]), "--prairielearn", str(out["pl.json"]),
            "--junit", str(out["junit.xml"])])
    assert done.exit_code == 0, done.output + done.stderr
    return root, out, (secret, key), done.stdout + done.stderr


def test_keys_never_appear_in_results_reports_or_output(graded_with_keys):
    root, out, keys, printed = graded_with_keys
    result = json.loads(out["r.json"].read_text())
    assert result["seeding"] == "course" and "signature" in result
    assert any(t["seed"] is not None for t in result["tests"])
    texts = [p.read_text() for p in out.values()] + [printed]
    for key in keys:
        for text in texts:
            assert key not in text and key[-16:] not in text
    assert not [p for p in root.rglob("*") if p.is_file() and p.suffix not in (".key",)
                and any(k in p.read_text() for k in keys)]


def test_verify_says_genuine_and_catches_a_result_moved_to_another_submission(graded_with_keys):
    root, out, _, _ = graded_with_keys
    runner = CliRunner()
    key = ["--sign-key", str(root / "sign.key")]
    ok = runner.invoke(main, ["verify", str(out["r.json"]), *key,
                              "--submission", str(EXERCISES_DIR), "--learner", "alice"])
    assert ok.exit_code == 0 and "genuine" in ok.stdout, ok.stdout + ok.stderr
    moved = runner.invoke(main, ["verify", str(out["r.json"]), *key,
                                 "--submission", str(SOLUTIONS_DIR)])
    assert moved.exit_code == 1 and "another submission" in moved.stderr
    claimed = runner.invoke(main, ["verify", str(out["r.json"]), *key, "--learner", "bob"])
    assert claimed.exit_code == 1 and "for learner 'alice', not 'bob'" in claimed.stderr
    no_key = runner.invoke(main, ["verify", str(out["r.json"])], env={SIGN_KEY_ENV: ""})
    assert no_key.exit_code == 2 and "no signing key" in no_key.stderr
    unsigned_html = runner.invoke(main, ["verify", str(out["r.html"]), *key])
    assert unsigned_html.exit_code == 1


def test_sign_key_without_json_and_a_short_key_are_refused_before_grading(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("tiny")
    runner = CliRunner()
    no_json = runner.invoke(main, ["grade", str(tmp_path / "nowhere"), "--sign-key", str(short)])
    assert no_json.exit_code == 2 and "no --json was given" in no_json.stderr
    tiny = runner.invoke(main, ["grade", str(tmp_path / "nowhere"), "--sign-key", str(short),
                                "--json", str(tmp_path / "r.json")])
    assert tiny.exit_code == 2 and "holds 4 bytes" in tiny.stderr and "tiny" not in tiny.stderr


def test_learner_code_cannot_read_the_key_files_into_its_report(tmp_path):
    from grader.scoring.grading import grade
    from grader.sandbox.isolation import protected_paths
    from grader.scoring.signing import load_sign_key

    from conftest import submission_with

    secret, key = tmp_path / "secret.key", tmp_path / "sign.key"
    secret.write_text("S" * 40)
    key.write_text("K" * 40)
    load_sign_key(key)  # as cnn-grader grade --sign-key does, before grading
    thief = (SOLUTIONS_DIR / "conv.py").read_text() + (
        f"\nfor path in ({str(secret)!r}, {str(key)!r}):\n"
        f"    try:\n        print('stolen:', open(path).read())\n"
        f"    except OSError as exc:\n        print('refused:', type(exc).__name__)\n")
    result = grade(submission=submission_with(tmp_path, {"conv.py": thief}),
                   exercises=("conv",), learner="alice", secret_file=secret)
    assert {secret.resolve(), key.resolve()} <= set(protected_paths())
    printed = result.exercise("conv").learner_output
    assert printed.count("refused:") == 2 and "stolen" not in printed, printed
    assert result.exercise("conv").score == result.exercise("conv").max_score
    assert not any("S" * 40 in t.output or "K" * 40 in t.output for t in result.tests)
