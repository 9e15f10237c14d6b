"""Result files for other systems (Gradescope, PrairieLearn, JUnit), one module each.

Every writer reads the same ``GradeResult`` that the JSON contract and the
HTML report come from, so one grading can write all of them at once and they
never disagree about a score.
"""
from __future__ import annotations

from pathlib import Path

from grader.report.formats.gradescope_results import gradescope_results
from grader.report.formats.junit import junit_xml
from grader.report.formats.prairielearn import prairielearn_results
from grader.atomic import write_atomic
from grader.model import GradeResult
from grader.sanitize import dumps

__all__ = ["gradescope_results", "junit_xml", "prairielearn_results", "write_formats"]


def write_formats(result: GradeResult, *, gradescope: Path | None = None,
                  prairielearn: Path | None = None, junit: Path | None = None,
                  execution_time: float = 0.0, reveal: bool = True) -> list[Path]:
    """Write each format whose path is given (atomically); return the paths written.

    Every one of them may reach the learner, so each honours ``reveal``
    (``--reveal/--no-reveal``); only the instructor's JSON result keeps the
    quiz's answers whatever it says.
    """
    written = []
    if gradescope is not None:
        doc = gradescope_results(result, execution_time=execution_time, reveal=reveal)
        write_atomic(gradescope, dumps(doc) + "\n")
        written.append(gradescope)
    if prairielearn is not None:
        write_atomic(prairielearn, dumps(prairielearn_results(result, reveal=reveal)) + "\n")
        written.append(prairielearn)
    if junit is not None:
        write_atomic(junit, junit_xml(result, execution_time=execution_time,
                                       reveal=reveal))
        written.append(junit)
    return written
