"""JUnit XML, the test report every CI system can show, from a GradeResult.

One ``testsuite`` per exercise (and one for the quiz), one ``testcase`` per
test. A wrong value is a ``failure``; learner code that raised, crashed or
ran out of time is an ``error``, as JUnit tells the two apart. Points have
no place in JUnit, so each suite carries its score as properties.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.report.formats.text import quiz_message, test_text
from grader.model import GradeResult, TestResult

# XML 1.0 cannot hold these at all, not even escaped; learner output may.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def junit_xml(result: GradeResult, *, execution_time: float = 0.0, reveal: bool = True) -> str:
    """The JUnit XML document for ``result``, as text (``reveal`` as for the other formats)."""
    root = ET.Element("testsuites", name=_clean(f"cnn-grader {result.submission}"),
                      time=f"{max(execution_time, 0.0):.3f}")
    for exercise in result.exercises:
        tests = [t for t in result.tests if t.exercise == exercise.name]
        suite = _suite(root, exercise.name, tests, exercise.score, exercise.max_score, result)
        for t in tests:
            _case(suite, t)
        _count(suite)
        if exercise.message:
            ET.SubElement(suite, "system-err").text = _clean(exercise.message)
        if exercise.learner_output:
            ET.SubElement(suite, "system-out").text = _clean(exercise.learner_output)
    if result.quiz.max_score:
        quiz = _suite(root, "quiz", [], result.quiz.score, result.quiz.max_score, result)
        for q in result.quiz.questions:
            case = ET.SubElement(quiz, "testcase", classname="quiz", name=_clean(q.id))
            if q.score < q.max_score:
                ET.SubElement(case, "failure", message=_clean(quiz_message(q, reveal=reveal)),
                              type=q.status).text = _clean(f"{q.score:g} / {q.max_score:g}")
        _count(quiz)
    _count(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(root: ET.Element, name: str, tests: list[TestResult], score: float,
           max_score: float, result: GradeResult) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=name)
    props = ET.SubElement(suite, "properties")
    for key, value in (("score", f"{score:g}"), ("max_score", f"{max_score:g}"),
                       ("learner_id", result.learner_id), ("fingerprint", result.fingerprint),
                       ("grader_version", result.grader_version)):
        ET.SubElement(props, "property", name=key, value=_clean(value))
    return suite


def _case(suite: ET.Element, t: TestResult) -> None:
    case = ET.SubElement(suite, "testcase", classname=t.exercise, name=_clean(t.name))
    if t.status != "passed":
        kind = "failure" if t.status == "failed" else "error"
        first = t.output.splitlines()[0] if t.output else t.status
        ET.SubElement(case, kind, message=_clean(first), type=t.status).text = _clean(test_text(t))


def _count(node: ET.Element) -> None:
    """Set the tests/failures/errors counts of a suite, or of all suites together."""
    cases = list(node.iter("testcase"))
    node.set("tests", str(len(cases)))
    node.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    node.set("errors", str(sum(c.find("error") is not None for c in cases)))
    node.set("skipped", "0")
