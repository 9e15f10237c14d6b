"""The quiz as a QTI 1.2 package: a zip with imsmanifest.xml and one assessment.

This is the dialect Canvas imports (Settings > Import course content > QTI
.zip file): each item carries Canvas's ``question_type`` and
``points_possible`` metadata, a response processing that sets SCORE to 100
for the right response, and feedback per choice plus the explanation as
general feedback. Written with ElementTree rather than text2qti: text2qti
reads its own Markdown-like text, so our bank would go through a second
format (and its Markdown rules) on the way, for no gain.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from grader.atomic import write_atomic
from grader.platforms.lms_items import ExportItem, choice_shares, number

ASSESSMENT_ID = "cnn-lesson-quiz"
ASSESSMENT_FILE = f"{ASSESSMENT_ID}/{ASSESSMENT_ID}.xml"
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_TYPE = {"numeric": "numerical_question", "single": "multiple_choice_question",
               "multiple": "multiple_answers_question", "truefalse": "true_false_question"}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _material(parent: ET.Element, text: str) -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype="text/plain")


def _feedback(item: ET.Element, ident: str, text: str) -> None:
    fb = _sub(item, "itemfeedback", ident=ident)
    _material(_sub(fb, "flow_mat"), text)


def _choices(q) -> list[tuple[str, str, float, str]]:
    if q.type == "truefalse":
        return [("true", "True", 1.0 if q.answer else 0.0, ""),
                ("false", "False", 0.0 if q.answer else 1.0, "")]
    return choice_shares(q)


def _item(parent: ET.Element, export: ExportItem) -> None:
    q = export.question
    item = _sub(parent, "item", ident=export.ident, title=export.ident)
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", CANVAS_TYPE[q.type]),
                         ("points_possible", number(q.points))):
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)
    pres = _sub(item, "presentation")
    _material(pres, q.prompt)
    proc = _sub(item, "resprocessing")
    _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    general = _sub(proc, "respcondition", **{"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    if q.type == "numeric":
        resp = _sub(pres, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(resp, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        for value, feedback in q.traps:
            cond = _sub(proc, "respcondition", **{"continue": "Yes"})
            _range(_sub(cond, "conditionvar"), value, q.tolerance)
            ident = f"trap_{number(value)}_fb"
            _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=ident)
            _feedback(item, ident, feedback)
        right = _sub(proc, "respcondition", **{"continue": "No"})
        _range(_sub(right, "conditionvar"), q.answer, q.tolerance)
        _sub(right, "setvar", "100", action="Set", varname="SCORE")
    else:
        choices = _choices(q)
        card = "Multiple" if q.type == "multiple" else "Single"
        resp = _sub(pres, "response_lid", ident="response1", rcardinality=card)
        render = _sub(resp, "render_choice")
        for ident, text, _, _ in choices:
            _material(_sub(render, "response_label", ident=ident), text)
        for ident, _, share, feedback in choices:
            if feedback:
                cond = _sub(proc, "respcondition", **{"continue": "Yes"})
                _sub(_sub(cond, "conditionvar"), "varequal", ident, respident="response1")
                _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=f"{ident}_fb")
                _feedback(item, f"{ident}_fb", feedback)
        right = _sub(proc, "respcondition", **{"continue": "No"})
        var = _sub(right, "conditionvar")
        if q.type == "multiple":  # Canvas gives partial credit for these itself
            both = _sub(var, "and")
            for ident, _, share, _ in choices:
                target = both if share > 0 else _sub(both, "not")
                _sub(target, "varequal", ident, respident="response1")
        else:
            _sub(var, "varequal", next(i for i, _, s, _ in choices if s > 0),
                 respident="response1")
        _sub(right, "setvar", "100", action="Set", varname="SCORE")
    _feedback(item, "general_fb", q.explanation)


def _range(parent: ET.Element, value: float, tolerance: float) -> None:
    either = _sub(parent, "or")
    _sub(either, "varequal", number(value), respident="response1")
    both = _sub(either, "and")
    _sub(both, "vargte", number(value - tolerance), respident="response1")
    _sub(both, "varlte", number(value + tolerance), respident="response1")


def assessment_xml(items: list[ExportItem]) -> str:
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    test = _sub(root, "assessment", ident=ASSESSMENT_ID, title="Convolutional neural networks")
    section = _sub(test, "section", ident="root_section")
    for export in items:
        _item(section, export)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def manifest_xml() -> str:
    root = ET.Element("manifest", identifier=f"{ASSESSMENT_ID}-manifest", xmlns=CP_NS)
    meta = _sub(root, "metadata")
    _sub(meta, "schema", "IMS Content")
    _sub(meta, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    res = _sub(resources, "resource", identifier=ASSESSMENT_ID, type="imsqti_xmlv1p2",
               href=ASSESSMENT_FILE)
    _sub(res, "file", href=ASSESSMENT_FILE)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_qti_package(items: list[ExportItem], out: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", manifest_xml())
        z.writestr(ASSESSMENT_FILE, assessment_xml(items))
    write_atomic(out, buffer.getvalue())
