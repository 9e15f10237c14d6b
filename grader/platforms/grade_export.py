"""Grades as a CSV file that Canvas's or Moodle's gradebook imports.

Read from the graded OUT folder (the per-learner JSON files are the record),
so an export after a resumed or partly regraded batch has every learner's
latest grading. One column per exercise, one for the quiz and one for the
total, each titled ``CNN <part>`` so that it can never be taken for another
assignment of the course with a generic name such as "quiz".

Canvas (the Instructor Guide's "How do I import grades in the Gradebook?",
and the rules of canvas-lms's ``GradebookImporter``): the header must
begin ``Student, ID``, may go on ``SIS User ID, SIS Login ID`` and must end
its student columns with ``Section``; a row whose first cell says
``Points Possible`` gives each new assignment's points. Canvas finds a
student by ID, then SIS User ID, then SIS Login ID, then name; a column
whose title matches no assignment becomes a new assignment.

Moodle (MoodleDocs "Grade import", CSV): any header; on import the teacher
maps one column to a user field ("Identify user by": username, email
address or ID number) and each other column to a grade item. The points a
grade is out of are the grade item's maximum, so the format has no row for
them: create the items with those maxima first (a new item gets 100,
under the total's points).

A roster (CSV with a ``learner_id`` column and the LMS's identity columns)
maps the grader's learner ids to the LMS's. Without one, the learner id is
used as the SIS Login ID (Canvas) or in a ``learner id`` column (Moodle).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader.atomic import write_atomic
from grader.batch.gradebook import iter_records
from grader.batch.spreadsheet import render_rows
from grader.errors import UsageError
from grader.registry import EXERCISES

Format = Literal["canvas", "moodle"]
FORMATS: tuple[Format, ...] = ("canvas", "moodle")
PARTS = (*EXERCISES, "quiz", "total")
TITLE_PREFIX = "CNN "
ROSTER_ID = "learner_id"
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_MATCHING = ("ID", "SIS User ID", "SIS Login ID")
CANVAS_POINTS_ROW = "Points Possible"
# The user fields Moodle's CSV import can identify a user by, named as
# Moodle's own grade export names them, and the names beside them.
MOODLE_IDENTITY_COLUMNS = ("First name", "Last name", "ID number", "Username", "Email address")
MOODLE_MATCHING = ("ID number", "Username", "Email address")
NO_ROSTER_MOODLE_COLUMN = "learner id"


@dataclass(frozen=True)
class Export:
    path: Path
    format: Format
    learners: int  # rows written
    points: dict[str, float]  # column title: points possible
    identifier: str  # the column that identifies a learner to the LMS
    roster_used: bool
    not_graded: tuple[str, ...]  # in the roster, no grading in GRADED_DIR: empty grades
    not_in_roster: tuple[str, ...]  # graded, not in the roster: left out of the file
    ungraded: tuple[str, ...]  # their submission could not be graded: empty grades


def title(part: str) -> str:
    return TITLE_PREFIX + part


def export_grades(*, graded: Path, fmt: str, out: Path, roster: Path | None = None) -> Export:
    """Write the grades of the graded folder ``graded`` as ``fmt``'s import CSV to ``out``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    graded = Path(graded)
    records = {r["learner_id"]: r for r in iter_records(graded)}
    if not records:
        raise UsageError(f"{graded} holds no graded learners (no learners/*.json)",
                         hint="give the --out folder of a batch: cnn-grader grade CLASS --out DIR")
    people = _read_roster(roster, fmt) if roster is not None else None
    points = _points(records.values())
    if people is None:
        order = sorted(records)
        identity = {i: _default_identity(fmt, i) for i in order}
        not_graded: tuple[str, ...] = ()
        not_in_roster: tuple[str, ...] = ()
    else:
        order = [i for i in people if i in records] + [i for i in people if i not in records]
        identity = people
        not_graded = tuple(i for i in people if i not in records)
        not_in_roster = tuple(sorted(set(records) - set(people)))
    rows = [{**identity[i], **_grades(records.get(i))} for i in order]
    if fmt == "canvas":
        columns = (*CANVAS_STUDENT_COLUMNS, *points)
        rows.insert(0, {"Student": CANVAS_POINTS_ROW, **{t: f"{p:g}" for t, p in points.items()}})
        identifier = next((c for c in CANVAS_MATCHING if any(r.get(c) for r in rows[1:])),
                          "Student")
    else:
        ident = [c for c in MOODLE_IDENTITY_COLUMNS if any(c in identity[i] for i in order)] \
            if people is not None else [NO_ROSTER_MOODLE_COLUMN]
        columns = (*ident, *points)
        identifier = next((c for c in MOODLE_MATCHING if c in ident), ident[0])
    write_atomic(Path(out), render_rows(columns, rows))
    ungraded = tuple(i for i in order if i in records and "error" in records[i])
    return Export(path=Path(out), format=fmt, learners=len(order), points=points,
                  identifier=identifier, roster_used=people is not None,
                  not_graded=not_graded, not_in_roster=not_in_roster, ungraded=ungraded)


def _default_identity(fmt: str, learner: str) -> dict[str, str]:
    if fmt == "canvas":
        return {"Student": learner, "SIS Login ID": learner}
    return {NO_ROSTER_MOODLE_COLUMN: learner}


def _points(records) -> dict[str, float]:
    """Each column's points possible, from the gradings themselves."""
    best = {part: 0.0 for part in PARTS}
    for r in records:
        if "error" in r:
            continue
        for part in PARTS[:-1]:
            best[part] = max(best[part], r.get("exercises", {}).get(part, {}).get("max_score", 0))
        best["total"] = max(best["total"], r.get("max_score", 0))
    return {title(part): value for part, value in best.items()}


def _grades(record: dict[str, Any] | None) -> dict[str, str]:
    if record is None or "error" in record:
        return {title(part): "" for part in PARTS}
    cells = {title(part): f"{record['exercises'][part]['score']:g}"
             if part in record.get("exercises", {}) else "" for part in PARTS[:-1]}
    return {**cells, title("total"): f"{record['score']:g}"}


def _read_roster(path: Path, fmt: str) -> dict[str, dict[str, str]]:
    """learner id: the LMS identity columns of that learner, in roster order."""
    allowed = CANVAS_STUDENT_COLUMNS if fmt == "canvas" else MOODLE_IDENTITY_COLUMNS
    matching = CANVAS_MATCHING if fmt == "canvas" else MOODLE_MATCHING
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            table = list(csv.DictReader(handle))
            header = [str(h).strip() for h in (table and table[0].keys() or [])]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read the roster {path} ({exc})",
                         hint="give a UTF-8 CSV file with a learner_id column") from None
    if ROSTER_ID not in header:
        raise UsageError(f"the roster {path} has no {ROSTER_ID} column (it has: "
                         f"{', '.join(header) or 'nothing'})",
                         hint=f"add a {ROSTER_ID} column holding the grader's learner ids")
    unknown = [h for h in header if h != ROSTER_ID and h not in allowed]
    if unknown:
        raise UsageError(f"the roster {path} has columns {fmt} does not import: "
                         f"{', '.join(unknown)}", hint=f"for {fmt} use {', '.join(allowed)}")
    if not any(h in matching for h in header):
        raise UsageError(f"the roster {path} has no column {fmt} can find a learner by",
                         hint=f"add one of {', '.join(matching)}")
    people: dict[str, dict[str, str]] = {}
    for n, entry in enumerate(table, start=2):
        learner = (entry.get(ROSTER_ID) or "").strip()
        if not learner:
            raise UsageError(f"line {n} of the roster {path} has no {ROSTER_ID}",
                             hint="fill it in or delete the line")
        if learner in people:
            raise UsageError(f"the roster {path} lists {learner!r} twice (line {n})",
                             hint="keep one line per learner")
        people[learner] = {k.strip(): (v or "").strip() for k, v in entry.items()
                           if k is not None and k.strip() != ROSTER_ID}
    return people
