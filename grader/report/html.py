"""Render a grading result as one self-contained HTML page.

All markup lives in ``templates/``; autoescape is on for every value, since
names, messages and printed output all come from the learner's submission.
StrictUndefined turns a typo in a template into an error in our tests
rather than a silently blank cell in a learner's report.
"""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grader.atomic import write_atomic
from grader.report.figures import figure_for
from grader.model import GradeResult, to_json
from grader.suites.seeding import replay_command

TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
environment.filters["points"] = lambda v: f"{v:g}"
environment.filters["percent"] = lambda v, total: f"{(100 * v / total) if total else 0:.0f}%"
# Templates ask for a failed test's picture; grader.report.figures does its arithmetic.
environment.globals["figure_for"] = figure_for
# A failed test's report names the command that replays it (instructor side).
environment.globals["replay_command"] = replay_command


def render_html(result: GradeResult, *, reveal: bool = True) -> str:
    tests_by_exercise = {e.name: [t for t in result.tests if t.exercise == e.name]
                         for e in result.exercises}
    return environment.get_template("report.html.j2").render(
        r=result, tests_by_exercise=tests_by_exercise, reveal=reveal)


def write_outputs(result: GradeResult, *, json_path: Path | None, html_path: Path | None,
                  reveal: bool = True, sign_key: bytes | None = None) -> None:
    """Write the JSON result and the HTML report; with ``sign_key`` the JSON is signed."""
    if json_path is not None:
        doc = to_json(result)
        if sign_key is not None:
            from grader.scoring.signing import sign_result
            doc = sign_result(doc, key=sign_key)
        write_atomic(json_path, json.dumps(doc, indent=2, sort_keys=False) + "\n")
    if html_path is not None:
        write_atomic(html_path, render_html(result, reveal=reveal))
