"""Red-team round two, the batch's holes: each a learner in one batch .zip with honest learners.

The cases: a learner folder of 2,000 files (staging was quadratic), folder
names a spreadsheet runs as formulas (=HYPERLINK, @SUM), a name holding
U+200F (the batch refused to run), a big data/ folder (it pushed params.py
out of the file cap), an edited signed learner file (the next run signed its
row), and a rerun with --no-reveal (it reused reports that show answers).
Every run exits 0, finishes, and leaves honest learners as they were, strict
JSON in every learner file and only escaped cells in gradebook.csv.
"""
from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import policy
from grader.cli import main
from grader.batch.gradebook import UNVERIFIED
from grader.paths import SOLUTIONS_DIR
from grader.registry import EXERCISES
from grader.scoring.signing import verify_result, verify_row
from grader.batch.spreadsheet import FORMULA_STARTS

from conftest import QUICK, QUICK_ONLY

HYPERLINK = '=HYPERLINK("http:x","click")'
AT_SUM = "@SUM(1+1)"
RLM = "ayelet\u200f"
HONEST = ("honest", "honest_b")
KEY = b"k" * 64


def strict_json(text: str) -> dict:
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def add_solutions(archive: zipfile.ZipFile, folder: str) -> None:
    for path in sorted(SOLUTIONS_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, f"{folder}/{path.relative_to(SOLUTIONS_DIR).as_posix()}")


def build_batch(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (*HONEST, HYPERLINK, AT_SUM, RLM, "many_files", "big_data"):
            add_solutions(archive, name)
        for i in range(2000):
            archive.writestr(f"many_files/notes/n{i:04d}.txt", "")
        # More data files than the cap allows: the graded modules still come first.
        for i in range(policy.MAX_SUBMISSION_FILES + 100):
            archive.writestr(f"big_data/data/a{i:04d}.csv", "1,2\n")
    return path


def grade(batch: Path, out: Path, key: Path, *extra: str) -> str:
    done = CliRunner().invoke(main, ["grade", str(batch), "--out", str(out), "--jobs", "2",
                                     "--sign-key", str(key), *QUICK_ONLY, *extra])
    assert done.exit_code == 0, done.output
    return done.output


def records(out: Path) -> dict[str, dict]:
    return {p.stem: strict_json(p.read_text(encoding="utf-8"))
            for p in (out / "learners").glob("*.json")}


def gradebook(out: Path) -> dict[str, dict]:
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    for r in rows:
        for column, cell in r.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
            if column in (*EXERCISES, "quiz", "total", "max_total") and cell:
                float(cell)  # scores stay numbers
    return {r["learner_id"]: r for r in rows}


def check_run(out: Path) -> dict[str, dict]:
    found = records(out)
    names = {*HONEST, HYPERLINK, AT_SUM, RLM, "many_files", "big_data"}
    assert set(found) == names
    for name in names:
        record = found[name]
        assert "error" not in record, (name, record.get("error"))
        # Every case is the solutions under an odd name or with extra files:
        # graded exactly as an honest learner, nothing missing.
        assert set(record["exercises"]) == {*QUICK, "quiz"}
        for exercise in QUICK:
            assert record["exercises"][exercise]["score"] == \
                record["exercises"][exercise]["max_score"] > 0, (name, exercise)
        # (The quiz's numbers differ per learner, so totals may differ by the quiz.)
        assert not any(p.endswith(" is missing") for p in record.get("problems", ())), name
    assert any("not taken" in p for p in found["big_data"]["problems"]), \
        found["big_data"]["problems"]
    return found


@pytest.mark.redteam
@pytest.mark.slow
def test_round_two_batch_holes_in_one_batch_with_honest_learners(tmp_path):
    batch = build_batch(tmp_path / "class.zip")
    out, key = tmp_path / "out", tmp_path / "sign.key"
    key.write_bytes(KEY)

    printed = grade(batch, out, key)
    assert "7 learners: 7 graded, 0 already graded, 0 unreadable, 0 failed" in printed
    first = check_run(out)
    book = gradebook(out)
    assert book["'" + HYPERLINK]["learner_id"] == "'" + HYPERLINK
    assert book["'" + AT_SUM]["learner_id"] == "'" + AT_SUM
    assert RLM in book
    assert all(verify_row(r, key=KEY) and UNVERIFIED not in r["flags"] for r in book.values())
    assert all(verify_result(r, key=KEY).genuine for r in first.values())
    assert all(">Correct answer<" in (out / "learners" / f"{n}.html").read_text()
               for n in first)

    # An edited signed learner file: its row is flagged and not signed, run after run.
    edited = out / "learners" / "honest_b.json"
    doc = json.loads(edited.read_text(encoding="utf-8"))
    doc["score"] += 1
    edited.write_text(json.dumps(doc), encoding="utf-8")
    printed = grade(batch, out, key)
    assert "7 learners: 0 graded, 7 already graded" in printed
    book = gradebook(out)
    assert UNVERIFIED in book["honest_b"]["flags"].split()
    assert book["honest_b"]["signature"] == "" and not verify_row(book["honest_b"], key=KEY)
    assert verify_row(book["honest"], key=KEY) and UNVERIFIED not in book["honest"]["flags"]

    # --no-reveal: nothing graded with answers shown is reused.
    printed = grade(batch, out, key, "--no-reveal")
    assert "7 learners: 7 graded, 0 already graded" in printed
    again = check_run(out)
    assert all(r["reveal"] is False for r in again.values())
    assert not any(">Correct answer<" in (out / "learners" / f"{n}.html").read_text()
                   for n in again)
    for name in HONEST:  # honest learners unchanged by everything above
        assert {k: v["score"] for k, v in again[name]["exercises"].items()} == \
            {k: v["score"] for k, v in first[name]["exercises"].items()}
    book = gradebook(out)
    assert all(verify_row(r, key=KEY) for r in book.values())


def test_a_tiny_batch_summary_says_learner_and_names_the_unreadable(tmp_path):
    batch = tmp_path / "class"
    batch.mkdir()
    (batch / "broken.zip").write_bytes(b"not a zip at all")
    done = CliRunner().invoke(main, ["grade", str(batch), "--out", str(tmp_path / "out"),
                                     "--jobs", "1", "--no-similarity"])
    assert done.exit_code == 0, done.output
    assert "1 learner: 0 graded, 0 already graded, 1 (broken) unreadable, 0 failed" \
        in done.output
