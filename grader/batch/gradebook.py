"""The class gradebook: one CSV row per learner, rebuilt from the per-learner files.

The per-learner JSON files in ``OUT/learners/`` are the record; the CSV is
derived from them and never edited in place, so a batch that was stopped
half-way, or run again, always ends with a gradebook that agrees with them
row for row. A learner file is either a grading (the JSON of
``cnn-grader grade --json``) or a note that the submission could not be
graded (``"error"`` key); both get a row, the second with empty scores.

Cells that come from learners (ids, and anything else of text) are escaped
against formula injection (``spreadsheet.escape_cell``) in ``row``, before a
row is signed, so the signature covers the cell as written; scores are
numbers and are written as numbers. With a signing key, a row is signed only
when its learner file verifies under that key: an edited learner file is
flagged "unverified" and its row carries no signature, so a batch run never
turns an edit into a validly signed row.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator

from grader.atomic import write_atomic
from grader.batch.spreadsheet import escape_cell
from grader.registry import EXERCISES

LEARNERS_DIR = "learners"
GRADEBOOK_FILE = "gradebook.csv"
COLUMNS = ("learner_id", *EXERCISES, "quiz", "total", "max_total", "flags",
           "fingerprint", "grader_version", "seeding")
# With a signing key, each row also carries the HMAC of its other columns.
SIGNATURE_COLUMN = "signature"
# Problems that mean the learner went around the rules: a forbidden library,
# or an archive that tried to reach outside itself. (A symbolic link alone
# is not one: the stubs' layers.py is one, harmlessly.)
_INTEGRITY = ("forbidden-import", "outside-path")
# The flag of a row whose learner file does not verify under the signing key.
UNVERIFIED = "unverified"


def learner_files(out: Path) -> list[Path]:
    """The per-learner JSON files of a batch folder, by learner id."""
    folder = out / LEARNERS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))


def read_learner_file(path: Path) -> dict[str, Any] | None:
    """One learner's record, or None when the file is not one of ours
    (a file written atomically is whole or absent, so None means foreign)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or "learner_id" not in data:
        return None
    return data


def iter_records(out: Path) -> Iterator[dict[str, Any]]:
    for path in learner_files(out):
        record = read_learner_file(path)
        if record is not None:
            yield record


def flags(record: dict[str, Any]) -> list[str]:
    """Why an instructor should look at this learner, as short words."""
    if "error" in record:
        return [record.get("status", "error")]
    found = []
    if any(t.get("status") == "timeout" for t in record.get("tests", ())):
        found.append("timeout")
    codes = {e.get("problem") for e in record.get("exercises", {}).values()
             if isinstance(e, dict)} | set(record.get("problem_codes", ()))
    if codes & set(_INTEGRITY):
        found.append("integrity")
    if "missing-file" in codes:
        found.append("incomplete")
    if codes & {"answers", "answers-line", "unknown-question"}:
        found.append("answers")  # quiz answers lost: the whole file, or some of its lines
    if "learner-id" in codes:
        found.append("learner-id")  # empty, or not the batch folder's: the numbers may differ
    if any(t.get("grader_fault") for t in record.get("tests", ())):
        found.append("grader-fault")  # a batch run again regrades exactly those tests
    if record.get("insecure"):
        found.append("insecure")
    return found


def row(record: dict[str, Any], *, sign_key: bytes | None = None) -> dict[str, str]:
    """The gradebook row of one learner record, its text cells escaped; with
    ``sign_key``, signed when the record verifies under it, else flagged."""
    found = flags(record)
    genuine = True
    if sign_key is not None:
        from grader.scoring.signing import verify_result
        genuine = verify_result(record, key=sign_key).genuine
        if not genuine:
            found.append(UNVERIFIED)
    out = {"learner_id": record["learner_id"], "flags": " ".join(found),
           "fingerprint": record.get("fingerprint", ""),
           "grader_version": record.get("grader_version", ""),
           "seeding": record.get("seeding", "")}
    out = {k: escape_cell(v) for k, v in out.items()}
    exercises = record.get("exercises", {})
    for name in (*EXERCISES, "quiz"):
        score = exercises.get(name, {}).get("score")
        out[name] = "" if score is None else f"{score:g}"
    graded = "error" not in record
    out["total"] = f"{record['score']:g}" if graded else ""
    out["max_total"] = f"{record['max_score']:g}" if graded else ""
    if sign_key is not None:
        from grader.scoring.signing import sign_row
        out[SIGNATURE_COLUMN] = sign_row(out, key=sign_key) if genuine else ""
    return out


def render_csv(rows: list[dict[str, str]], *, sign_key: bytes | None = None) -> str:
    """The CSV of ``rows`` (made by ``row``; signed there, never here: a row
    without a signature stays without one)."""
    columns = (*COLUMNS, SIGNATURE_COLUMN) if sign_key is not None else COLUMNS
    rows = sorted(rows, key=lambda r: r["learner_id"])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_gradebook(out: Path, rows: list[dict[str, str]], *,
                    sign_key: bytes | None = None) -> Path:
    path = out / GRADEBOOK_FILE
    write_atomic(path, render_csv(rows, sign_key=sign_key))
    return path


def rebuild_gradebook(out: Path, *, sign_key: bytes | None = None) -> Path:
    """Write ``OUT/gradebook.csv`` afresh from every per-learner file."""
    return write_gradebook(out, [row(r, sign_key=sign_key) for r in iter_records(out)],
                           sign_key=sign_key)


def read_gradebook(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
