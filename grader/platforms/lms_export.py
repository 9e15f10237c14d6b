"""Export the quiz to the learning platforms instructors already use.

Formats: Moodle XML, GIFT (Moodle's text format) and a QTI 1.2 package
(``qti.py``) that Canvas imports. A parameterised question becomes a
few fixed variants, each a question of its own with its answer computed by
the reference solutions; Moodle's calculated questions would need the
answer's formula rewritten in Moodle's syntax, a second copy of the
reference code that could drift from it, so they are not used.

Scoring matches the grader's: a multiple-select question gives each right
choice an equal share and takes one share back per wrong pick (never below
zero), and a numeric question accepts the tolerance around the answer and
names the misconception behind each known wrong number.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from grader import policy
from grader.errors import UsageError
from grader.quiz.bank import Question, load_bank
from grader.atomic import write_atomic
from grader.platforms.lms_items import ExportItem, choice_shares, export_items, fraction, number

FORMATS: tuple[str, ...] = ("moodle-xml", "gift", "qti")
SUFFIX = {"moodle-xml": ".xml", "gift": ".gift.txt", "qti": ".zip"}
CATEGORY = "CNN lesson"


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    format: str
    items: int
    questions: int


def export_quiz(*, fmt: str, out: Path, bank_path: Path | None = None,
                variants: int = policy.QUIZ_EXPORT_VARIANTS) -> ExportSummary:
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if variants < 1:
        raise UsageError(f"--variants is {variants}", hint="export at least one variant")
    bank = load_bank(bank_path)
    items = export_items(bank, variants=variants)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "qti":
        from grader.platforms.qti import write_qti_package
        write_qti_package(items, out)
    else:
        text = moodle_xml(items) if fmt == "moodle-xml" else gift(items)
        write_atomic(out, text)
    return ExportSummary(out, fmt, len(items), len(bank))


# --------------------------------------------------------------------------- Moodle XML

def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = html.escape(text, quote=False) if fmt == "html" else text
    return el


def _answer(parent: ET.Element, share: float, text: str, feedback: str,
            tolerance: float | None = None, fmt: str = "html") -> None:
    el = ET.SubElement(parent, "answer", {"fraction": fraction(share), "format": fmt})
    ET.SubElement(el, "text").text = html.escape(text, quote=False) if fmt == "html" else text
    if tolerance is not None:
        ET.SubElement(el, "tolerance").text = number(tolerance)
    _text(el, "feedback", feedback)


def moodle_xml(items: list[ExportItem]) -> str:
    root = ET.Element("quiz")
    topic = None
    for item in sorted(items, key=lambda i: i.question.topic):
        q = item.question
        if q.topic != topic:
            topic = q.topic
            cat = ET.SubElement(ET.SubElement(root, "question", {"type": "category"}), "category")
            ET.SubElement(cat, "text").text = f"$course$/top/{CATEGORY}/{topic}"
        kind = {"numeric": "numerical", "truefalse": "truefalse"}.get(q.type, "multichoice")
        el = ET.SubElement(root, "question", {"type": kind})
        ET.SubElement(ET.SubElement(el, "name"), "text").text = item.ident
        _text(el, "questiontext", q.prompt)
        _text(el, "generalfeedback", q.explanation)
        ET.SubElement(el, "defaultgrade").text = number(q.points)
        ET.SubElement(el, "penalty").text = "0"
        ET.SubElement(el, "hidden").text = "0"
        ET.SubElement(el, "idnumber").text = item.ident
        if q.type == "numeric":
            _answer(el, 1.0, number(q.answer), "", q.tolerance, fmt="moodle_auto_format")
            for value, feedback in q.traps:
                _answer(el, 0.0, number(value), feedback, q.tolerance, fmt="moodle_auto_format")
        elif q.type == "truefalse":
            for value in (True, False):
                _answer(el, 1.0 if value == q.answer else 0.0, str(value).lower(), "",
                        fmt="moodle_auto_format")
        else:
            ET.SubElement(el, "single").text = "true" if q.type == "single" else "false"
            ET.SubElement(el, "shuffleanswers").text = "true"
            ET.SubElement(el, "answernumbering").text = "abc"
            for _, text, share, feedback in choice_shares(q):
                _answer(el, share, text, feedback)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# --------------------------------------------------------------------------- GIFT

_GIFT_SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    """Backslash before each character GIFT gives a meaning, newlines as spaces."""
    text = " ".join(text.split())
    return "".join("\\" + ch if ch in _GIFT_SPECIAL else ch for ch in text)


def _gift_answers(q: Question) -> list[str]:
    if q.type == "numeric":
        lines = [f"=%100%{number(q.answer)}:{number(q.tolerance)}"]
        lines += [f"=%0%{number(v)}:{number(q.tolerance)}#{gift_escape(fb)}" for v, fb in q.traps]
        return ["#"] + lines
    if q.type == "truefalse":
        return ["TRUE" if q.answer else "FALSE"]
    out = []
    for _, text, share, feedback in choice_shares(q):
        fb = f"#{gift_escape(feedback)}" if feedback else ""
        if q.type == "single":
            out.append(f"{'=' if share > 0 else '~'}{gift_escape(text)}{fb}")
        else:
            out.append(f"~%{fraction(share)}%{gift_escape(text)}{fb}")
    return out


def gift(items: list[ExportItem]) -> str:
    parts = ["// The CNN lesson's quiz, written by cnn-grader quiz export.\n"]
    topic = None
    for item in sorted(items, key=lambda i: i.question.topic):
        q = item.question
        if q.topic != topic:
            topic = q.topic
            parts.append(f"\n$CATEGORY: $course$/top/{CATEGORY}/{topic}\n")
        body = "\n".join(f"    {line}" for line in _gift_answers(q))
        parts.append(f"\n// {q.points:g} point(s)\n::{gift_escape(item.ident)}::"
                     f"{gift_escape(q.prompt)} {{\n{body}\n    ####{gift_escape(q.explanation)}\n}}\n")
    return "".join(parts)
