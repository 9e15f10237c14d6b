"""The HTML report: complete, self-contained, and safe with hostile text."""
import dataclasses
import re

from grader.report import render_html
from grader.results import TestResult

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_the_report_shows_total_parts_fingerprint_and_version(solutions_result):
    html = render_html(solutions_result)
    assert f"{solutions_result.score:g} / {solutions_result.max_score:g}" in html
    assert solutions_result.fingerprint in html
    assert solutions_result.grader_version in html
    for e in solutions_result.exercises:
        assert f'id="ex-{e.name}"' in html
    for q in solutions_result.quiz.questions:
        assert q.id in html


def test_the_report_is_self_contained():
    from grader.layout import PACKAGE_DIR
    template = (PACKAGE_DIR / "templates" / "report.html.j2").read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", template)
    assert "<script" not in template


def test_failed_tests_show_what_went_wrong(exercises_result):
    html = render_html(exercises_result)
    assert "What went wrong" in html
    assert "NotImplementedError" in html


def test_everything_from_the_submission_is_escaped(solutions_result):
    bad_test = TestResult(name=HOSTILE, exercise="conv", score=0, max_score=1,
                          status="failed", output=HOSTILE, description=HOSTILE)
    bad_exercises = tuple(dataclasses.replace(e, message=HOSTILE, learner_output=HOSTILE)
                          for e in solutions_result.exercises)
    result = dataclasses.replace(solutions_result, submission=HOSTILE, problems=(HOSTILE,),
                                 tests=(bad_test,), exercises=bad_exercises,
                                 files=(HOSTILE,))
    html = render_html(result)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
