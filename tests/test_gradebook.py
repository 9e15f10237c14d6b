"""Gradebook rows: learner text escaped before signing, and signed only when the file verifies."""
from __future__ import annotations

from grader.batch.gradebook import SIGNATURE_COLUMN, UNVERIFIED, render_csv, row
from grader.scoring.signing import sign_result, verify_row

KEY = b"a-signing-key-of-enough-length-0123456789"


def record(learner_id: str) -> dict:
    return {"learner_id": learner_id, "score": 3.5, "max_score": 10, "fingerprint": "ab" * 32,
            "grader_version": "1.0", "seeding": "course",
            "exercises": {"conv": {"score": 3.5, "max_score": 10}}, "tests": [], "problems": []}


def test_formula_cells_are_escaped_and_the_signature_covers_the_escaped_cell():
    line = row(sign_result(record('=HYPERLINK("http:x","y")'), key=KEY), sign_key=KEY)
    assert line["learner_id"] == '\'=HYPERLINK("http:x","y")'
    assert line["conv"] == "3.5" and line["total"] == "3.5"  # scores stay numbers
    assert verify_row(line, key=KEY)
    assert not verify_row({**line, "learner_id": '=HYPERLINK("http:x","y")'}, key=KEY)
    assert "\n'@SUM(1+1)," in render_csv([row(record("@SUM(1+1)"))])


def test_a_row_is_signed_only_when_its_learner_file_verifies():
    signed = sign_result(record("alice"), key=KEY)
    assert UNVERIFIED not in row(signed, sign_key=KEY)["flags"]
    edited = {**signed, "score": 10}
    for doc in (edited, record("alice"), sign_result(record("alice"), key=b"x" * 40)):
        line = row(doc, sign_key=KEY)
        assert UNVERIFIED in line["flags"].split() and line[SIGNATURE_COLUMN] == ""
        assert not verify_row(line, key=KEY)
        assert ",," in render_csv([line], sign_key=KEY) or render_csv(
            [line], sign_key=KEY).rstrip().endswith(",")
    assert UNVERIFIED not in row(edited)["flags"]  # without a key nothing is checked


def test_answers_toml_problems_are_flagged_by_their_codes():
    from grader.batch.gradebook import flags

    def flagged(*codes: str) -> list[str]:
        return flags({**record("ann"), "problem_codes": list(codes)})

    assert flagged() == []
    assert flagged("answers") == ["answers"]  # the whole quiz lost
    assert flagged("answers-line", "unknown-question") == ["answers"]  # some answers lost
    assert flagged("learner-id") == ["learner-id"]
    assert flagged("answers-line", "learner-id", "missing-file") == ["incomplete", "answers",
                                                                     "learner-id"]
