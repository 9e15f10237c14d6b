"""cnn-grader export: the CSV each LMS's gradebook import reads, from the graded folder."""
from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.errors import UsageError
from grader.registry import EXERCISES
from grader.platforms.grade_export import export_grades

# Points possible per column: any values do, one per exercise the registry lists.
MAX = {name: 41 + 6 * i for i, name in enumerate((*EXERCISES, "quiz"))}
TITLES = [f"CNN {p}" for p in (*EXERCISES, "quiz", "total")]


def _record(learner: str, scores: dict[str, float]) -> dict:
    return {"learner_id": learner, "score": sum(scores.values()), "max_score": sum(MAX.values()),
            "exercises": {n: {"score": scores[n], "max_score": MAX[n]} for n in MAX}}


def _graded(tmp_path, records: list[dict]):
    folder = tmp_path / "graded" / "learners"
    folder.mkdir(parents=True)
    for r in records:
        (folder / f"{r['learner_id']}.json").write_text(json.dumps(r))
    return folder.parent


@pytest.fixture
def graded(tmp_path):
    full = {n: float(m) for n, m in MAX.items()}
    return _graded(tmp_path, [
        _record("ann@uni.edu", full),
        _record("=bob", {**full, "conv": 40.5}),
        {"learner_id": "eve", "status": "unreadable", "error": "not a zip"},
    ])


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_header_points_row_and_rows_follow_canvas_rules(graded, tmp_path):
    e = export_grades(graded=graded, fmt="canvas", out=tmp_path / "c.csv")
    rows = _rows(e.path)
    header = rows[0]
    # GradebookImporter: Student, ID, then SIS User ID and SIS Login ID, and
    # the student columns end with Section; assignments follow.
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert re.match("Student", header[0]) and re.match("ID", header[1])
    assert header[5:] == TITLES
    assert all(not re.search("Current Score|Final Score|Current Points|Final Points", t)
               for t in header[5:])  # Canvas would drop such columns as read-only
    assert rows[1][0] == "Points Possible" and rows[1][1:5] == ["", "", "", ""]
    assert [float(x) for x in rows[1][5:]] == [*MAX.values(), sum(MAX.values())]
    by_login = {r[3]: r for r in rows[2:]}
    assert set(by_login) == {"ann@uni.edu", "'=bob", "eve"}  # the formula is defused
    assert by_login["'=bob"][5] == "40.5" and by_login["'=bob"][-1] == f"{sum(MAX.values()) - (MAX['conv'] - 40.5):g}"
    assert by_login["eve"][5:] == [""] * len(TITLES)  # not graded: Canvas leaves it unchanged
    assert all(len(r) == len(header) for r in rows)
    assert not e.roster_used and e.identifier == "SIS Login ID" and e.ungraded == ("eve",)


def test_moodle_has_an_identifier_column_and_one_column_per_grade_item(graded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("learner_id,Email address,First name\nann@uni.edu,ann@uni.edu,Ann\n"
                      "=bob,bob@uni.edu,Bob\nzoe,zoe@uni.edu,Zoe\n")
    e = export_grades(graded=graded, fmt="moodle", out=tmp_path / "m.csv", roster=roster)
    rows = _rows(e.path)
    assert rows[0] == ["First name", "Email address", *TITLES]
    assert len({*rows[0]}) == len(rows[0])  # Moodle maps each column once
    assert rows[1][:2] == ["Ann", "ann@uni.edu"] and rows[2][:2] == ["Bob", "bob@uni.edu"]
    assert all(re.fullmatch(r"\d+(\.\d+)?", c) for c in rows[1][2:])  # plain numbers for Moodle
    assert rows[3][:2] == ["Zoe", "zoe@uni.edu"] and rows[3][2:] == [""] * len(TITLES)
    assert e.identifier == "Email address" and e.roster_used
    assert e.not_graded == ("zoe",)  # in the roster, not graded: reported, row kept
    assert e.not_in_roster == ("eve",)  # graded (unreadable) but not in the roster: reported
    assert e.points["CNN total"] == sum(MAX.values())


def test_the_command_says_when_no_roster_is_given_and_reports_unknown_learners(graded, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(graded), "--format", "canvas", "-o",
                                  str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert "No roster: learner id used" in result.output
    roster = tmp_path / "roster.csv"
    roster.write_text("learner_id,ID,Student\nann@uni.edu,101,\"Doe, Ann\"\nghost,999,Ghost\n")
    result = runner.invoke(main, ["export", str(graded), "--format", "canvas", "--roster",
                                  str(roster), "-o", str(tmp_path / "c2.csv")])
    assert result.exit_code == 0, result.output
    assert "In the roster but not graded (empty grades): ghost" in result.output
    assert "Graded but not in the roster (left out of the file): =bob" in result.output
    rows = _rows(tmp_path / "c2.csv")
    assert rows[2][:2] == ["Doe, Ann", "101"] and rows[3][:2] == ["Ghost", "999"]
    help_text = runner.invoke(main, ["export", "--help"]).output
    assert "canvaslms" in help_text and "docs.moodle.org" in help_text


def test_a_learner_regraded_after_an_export_shows_in_the_next(graded, tmp_path):
    export_grades(graded=graded, fmt="canvas", out=tmp_path / "before.csv")
    again = _record("=bob", {**{n: float(m) for n, m in MAX.items()}, "conv": 80})
    (graded / "learners" / "=bob.json").write_text(json.dumps(again))
    export_grades(graded=graded, fmt="canvas", out=tmp_path / "after.csv")
    bob = lambda name: next(r for r in _rows(tmp_path / name) if r[3] == "'=bob")  # noqa: E731
    assert bob("before.csv")[5] == "40.5" and bob("after.csv")[5] == "80"


@pytest.mark.parametrize("text, message", [
    ("id,Email address\nx,y\n", "no learner_id column"),
    ("learner_id,Shoe size\nx,42\n", "does not import: Shoe size"),
    ("learner_id,Section\nx,A\n", "no column canvas can find a learner by"),
    ("learner_id,ID\nx,1\nx,2\n", "twice"),
])
def test_a_bad_roster_is_refused_with_the_reason(graded, tmp_path, text, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    with pytest.raises(UsageError, match=message):
        export_grades(graded=graded, fmt="canvas", out=tmp_path / "c.csv", roster=roster)
    assert not (tmp_path / "c.csv").exists()


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(UsageError, match="no graded learners"):
        export_grades(graded=tmp_path, fmt="moodle", out=tmp_path / "m.csv")
