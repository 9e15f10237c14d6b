"""Render a grading result as one self-contained HTML page.

All markup lives in ``templates/``; autoescape is on for every value, since
names, messages and printed output all come from the learner's submission.
StrictUndefined turns a typo in a template into an error in our tests
rather than a silently blank cell in a learner's report.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grader import sanitize
from grader.atomic import write_atomic
from grader.report.figures import figure_for
from grader.report.figures.learning import exhibit_figure
from grader.model import GradeResult, Problem, to_json
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
environment.globals["exhibit_figure"] = exhibit_figure  # a test's picture, passed or failed
# A failed test's report names the command that replays it (instructor side).
environment.globals["replay_command"] = replay_command


def render_html(result: GradeResult, *, reveal: bool = True) -> str:
    tests_by_exercise = {e.name: [t for t in result.tests if t.exercise == e.name]
                         for e in result.exercises}
    return environment.get_template("report.html.j2").render(
        r=result, tests_by_exercise=tests_by_exercise, reveal=reveal)


def render_report(result: GradeResult, *, reveal: bool = True) -> tuple[GradeResult, str]:
    """The HTML report, and ``result`` with a problem noted for anything that
    could not be drawn. Never raises for one learner's data: a picture that
    fails is left out (its test keeps its message and score), and a page that
    fails as a whole becomes a short page that says why. Either way the
    reason is in the result, so it is recorded once and reused on rerun."""
    problems: list[Problem] = []
    tests = []
    for t in result.tests:
        if t.detail is not None:
            try:
                figure_for(t.detail, key="probe")
            except Exception as exc:  # noqa: BLE001 - one picture must not cost the report
                problems.append(Problem("report-failed",
                                        f"the picture for {t.exercise}::{t.name} could not be drawn "
                                        f"({type(exc).__name__}: {sanitize.text(exc, limit=300)}); "
                                        "its score and message are unaffected"))
                t = dataclasses.replace(t, detail=None)
        tests.append(t)
    if problems:
        result = dataclasses.replace(result, tests=tuple(tests),
                                     problems=result.problems + tuple(problems))
    try:
        return result, render_html(result, reveal=reveal)
    except Exception as exc:  # noqa: BLE001 - recorded with its reason, never fatal
        why = f"the HTML report could not be drawn ({type(exc).__name__}: " \
              f"{sanitize.text(exc, limit=300)}); the scores in the JSON result stand"
        result = dataclasses.replace(result, problems=result.problems + (Problem("report-failed", why),))
        return result, environment.from_string(_FALLBACK).render(r=result, why=why)


# The page shown when the full report cannot be drawn: nothing in it that
# the full one did not already have, so it cannot fail the same way.
_FALLBACK = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grading report</title></head>
<body><h1>{{ r.submission }}: {{ r.score }} / {{ r.max_score }}</h1>
<p>{{ why }}</p><ul>{% for e in r.exercises %}<li>{{ e.name }}: {{ e.score }} / {{ e.max_score }}</li>
{% endfor %}<li>quiz: {{ r.quiz.score }} / {{ r.quiz.max_score }}</li></ul>
<p>Graded by cnn-grader {{ r.grader_version }}; fingerprint {{ r.fingerprint }}.</p></body></html>
"""


def write_outputs(result: GradeResult, *, json_path: Path | None, html_path: Path | None,
                  reveal: bool = True, sign_key: bytes | None = None) -> GradeResult:
    """Write the JSON result and the HTML report; with ``sign_key`` the JSON is signed.

    The HTML is drawn first, so that a problem drawing it is in the JSON too;
    returns the result as written (with that problem).
    """
    html = None
    if html_path is not None:
        result, html = render_report(result, reveal=reveal)
    if json_path is not None:
        doc = to_json(result)
        if sign_key is not None:
            from grader.scoring.signing import sign_result
            doc = sign_result(doc, key=sign_key)
        write_atomic(json_path, sanitize.dumps(doc) + "\n")
    if html_path is not None and html is not None:
        write_atomic(html_path, html)
    return result
