"""Exports parse, hold every question (a parameterised one as fixed variants
computed by the reference) and score the way the grader does."""
import re
import zipfile
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from grader import policy
from grader.cli import main
from grader.errors import UsageError
from grader.paths import QUIZ_BANK
from grader.quiz.bank import load_bank
from grader.platforms.lms_export import export_quiz, gift_escape
from grader.platforms.lms_items import export_items
from grader.platforms.qti import ASSESSMENT_FILE
from grader.quiz.variants import evaluate

BANK = load_bank(QUIZ_BANK)
BY_ID = {q.id: q for q in BANK}
ITEMS = export_items(BANK, variants=policy.QUIZ_EXPORT_VARIANTS)
ITEM_IDS = {i.ident for i in ITEMS}
# Moodle accepts only these percentages for an answer (and their negatives).
MOODLE_FRACTIONS = {"100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40",
                    "33.33333", "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111",
                    "10", "5", "0"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    files = {}
    for fmt, name in (("moodle-xml", "q.xml"), ("gift", "q.gift.txt"), ("qti", "q.zip")):
        result = CliRunner().invoke(main, ["quiz", "export", "--format", fmt, "-o",
                                           str(out / name)])
        assert result.exit_code == 0, result.output
        assert f"{len(ITEMS)} items from {len(BANK)} questions" in result.output
        files[fmt] = out / name
    return files


def test_parameterised_questions_become_distinct_variants_with_reference_answers():
    for q in BANK:
        if q.variation is None:
            assert q.id in ITEM_IDS
            continue
        mine = [i.question for i in ITEMS if re.fullmatch(rf"{q.id}-v\d+", i.ident)]
        assert 2 <= len(mine) <= policy.QUIZ_EXPORT_VARIANTS, q.id
        assert len({v.values for v in mine}) == len(mine)
        for v in mine:
            assert v.answer == evaluate(q.variation, dict(v.values), q.tolerance)[0]
            assert "{" not in v.prompt


def test_moodle_xml_has_what_each_question_type_requires(exported):
    root = ET.parse(exported["moodle-xml"]).getroot()
    assert root.tag == "quiz"
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert {q.findtext("name/text") for q in questions} == ITEM_IDS
    categories = {c.findtext("category/text") for c in root.findall("question[@type='category']")}
    assert categories == {f"$course$/top/CNN lesson/{q.topic}" for q in BANK}
    kinds = {q.get("type") for q in questions}
    assert kinds == {"numerical", "multichoice", "truefalse"}
    for q in questions:
        ident = q.findtext("name/text")
        source = next(i.question for i in ITEMS if i.ident == ident)
        assert q.findtext("questiontext/text") and q.find("questiontext").get("format") == "html"
        assert q.findtext("generalfeedback/text"), ident
        assert float(q.findtext("defaultgrade")) == source.points
        answers = q.findall("answer")
        fractions = [a.get("fraction") for a in answers]
        assert all(f.lstrip("-") in MOODLE_FRACTIONS for f in fractions), (ident, fractions)
        if q.get("type") == "numerical":
            assert answers[0].get("fraction") == "100"
            assert float(answers[0].findtext("text")) == source.answer
            assert answers[0].find("tolerance") is not None
            wrong = {float(a.findtext("text")): a.findtext("feedback/text") for a in answers[1:]}
            assert wrong == {v: fb for v, fb in source.traps}
        elif q.get("type") == "multichoice":
            single = q.findtext("single") == "true"
            assert single == (source.type == "single")
            assert sum(float(f) for f in fractions if float(f) > 0) == pytest.approx(100, abs=1e-3)
            for a in answers:
                if float(a.get("fraction")) <= 0:
                    assert a.findtext("feedback/text"), f"{ident}: a wrong choice without feedback"
        else:
            right = [a.findtext("text") for a in answers if a.get("fraction") == "100"]
            assert right == [str(source.answer).lower()]


def test_moodle_xml_escapes_text_as_html():
    from grader.platforms.lms_export import moodle_xml
    from grader.platforms.lms_items import ExportItem
    import dataclasses
    q = dataclasses.replace(BY_ID["maxpool-params"], prompt="Is a < b & c?")
    root = ET.fromstring(moodle_xml([ExportItem("x", q)]).split("\n", 1)[1])
    assert root.findtext("question[@type='truefalse']/questiontext/text") == "Is a &lt; b &amp; c?"


# --------------------------------------------------------------------------- GIFT

_SPECIAL = "~=#{}:"


def _tokens(text):
    """Split GIFT text into special characters and unescaped text runs."""
    out, buf, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            assert i + 1 < len(text) and text[i + 1] in _SPECIAL + "\\n", f"bad escape at {i}"
            buf.append(text[i + 1])
            i += 2
            continue
        if ch in _SPECIAL:
            if buf:
                out.append(("text", "".join(buf)))
                buf = []
            out.append(("sym", ch))
        else:
            buf.append(ch)
        i += 1
    if buf:
        out.append(("text", "".join(buf)))
    return out


def parse_gift(text):
    """A strict reader of the GIFT grammar we emit: comments, $CATEGORY lines and
    ``::title::prompt{answers}`` questions, answers in the four kinds' syntax."""
    questions, category = [], None
    blocks = re.split(r"\n\s*\n", text)
    for block in blocks:
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("//")]
        if not lines:
            continue
        if lines[0].startswith("$CATEGORY:"):
            assert len(lines) == 1
            category = lines[0].split(":", 1)[1].strip()
            continue
        toks = _tokens("\n".join(lines))
        assert [t[1] for t in toks[:2]] == [":", ":"] and toks[2][0] == "text"
        assert [t[1] for t in toks[3:5]] == [":", ":"]
        title = toks[2][1]
        prompt = toks[5][1].strip()
        assert toks[6] == ("sym", "{") and toks[-1] == ("sym", "}"), title
        body = toks[7:-1]
        # general feedback: #### text at the end
        syms = [t[1] if t[0] == "sym" else "T" for t in body]
        at = "".join(syms).rfind("####")
        assert at >= 0, f"{title}: no general feedback"
        general = body[at + 4][1].strip()
        body = [t for t in body[:at] if not (t[0] == "text" and not t[1].strip())]
        q = {"title": title, "prompt": prompt, "category": category, "general": general}
        if body and body[0] == ("sym", "#"):
            q["kind"], q["answers"] = "numeric", []
            rest = body[1:]
            while rest:
                assert rest[0] == ("sym", "=") and rest[1][0] == "text", title
                m = re.fullmatch(r"%(-?[\d.]+)%(-?[\d.e+]+)", rest[1][1].strip())
                assert m, (title, rest[1])
                assert rest[2] == ("sym", ":"), title
                tol = rest[3][1].strip()
                assert re.fullmatch(r"[\d.]+", tol), (title, tol)
                feedback, rest = "", rest[4:]
                if rest and rest[0] == ("sym", "#"):
                    feedback, rest = rest[1][1].strip(), rest[2:]
                q["answers"].append((float(m.group(1)), float(m.group(2)), float(tol), feedback))
        elif len(body) == 1 and body[0][1].strip() in ("TRUE", "FALSE"):
            q["kind"], q["answers"] = "truefalse", body[0][1].strip() == "TRUE"
        else:
            q["kind"], q["answers"] = "choice", []
            rest = body
            while rest:
                mark, text = rest[0][1], rest[1][1].strip()
                assert mark in "=~" and rest[1][0] == "text", title
                rest = rest[2:]
                feedback = ""
                if rest and rest[0] == ("sym", "#"):
                    feedback, rest = rest[1][1].strip(), rest[2:]
                weight = re.match(r"%(-?[\d.]+)%", text)
                q["answers"].append((mark, float(weight.group(1)) if weight else None,
                                     text[weight.end():] if weight else text, feedback))
        questions.append(q)
    return questions


def test_gift_follows_the_grammar_and_holds_every_item(exported):
    parsed = {q["title"]: q for q in parse_gift(exported["gift"].read_text())}
    assert set(parsed) == ITEM_IDS
    for item in ITEMS:
        q, source = parsed[item.ident], item.question
        assert q["category"] == f"$course$/top/CNN lesson/{source.topic}"
        assert q["prompt"] == " ".join(source.prompt.split())
        assert q["general"] == " ".join(source.explanation.split())
        if source.type == "numeric":
            assert q["kind"] == "numeric"
            weight, value, tol, _ = q["answers"][0]
            assert (weight, value, tol) == (100, source.answer, source.tolerance)
            assert {(v, fb) for _, v, _, fb in q["answers"][1:]} == set(source.traps)
        elif source.type == "truefalse":
            assert q["answers"] == source.answer
        elif source.type == "single":
            right = [a for a in q["answers"] if a[0] == "="]
            assert [a[2] for a in right] == [source.choice(source.answer).text]
            assert all(a[3] for a in q["answers"] if a[0] == "~")
        else:
            weights = {a[2]: a[1] for a in q["answers"]}
            assert all(a[0] == "~" for a in q["answers"])
            assert sum(w for w in weights.values() if w > 0) == pytest.approx(100, abs=1e-3)
            assert {t for t, w in weights.items() if w > 0} == {
                source.choice(i).text for i in source.answer}


def test_gift_escapes_every_special_character():
    raw = "a~b=c#d{e}f:g\\h"
    assert _tokens(gift_escape(raw)) == [("text", raw)]
    assert gift_escape("two\n  lines") == "two lines"


# --------------------------------------------------------------------------- QTI

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def test_the_qti_package_lists_its_assessment_and_holds_every_item(exported):
    with zipfile.ZipFile(exported["qti"]) as z:
        assert z.testzip() is None
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        resources = manifest.findall(f"{CP}resources/{CP}resource")
        assert [r.get("type") for r in resources] == ["imsqti_xmlv1p2"]
        hrefs = [f.get("href") for f in resources[0].findall(f"{CP}file")]
        assert hrefs == [ASSESSMENT_FILE] and set(z.namelist()) == {"imsmanifest.xml", *hrefs}
        test = ET.fromstring(z.read(hrefs[0]))
    items = test.findall(f"{QTI}assessment/{QTI}section/{QTI}item")
    assert {i.get("ident") for i in items} == ITEM_IDS
    for item in items:
        source = next(x.question for x in ITEMS if x.ident == item.get("ident"))
        meta = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                for f in item.iter(f"{QTI}qtimetadatafield")}
        assert float(meta["points_possible"]) == source.points
        assert meta["question_type"] in {"numerical_question", "multiple_choice_question",
                                         "multiple_answers_question", "true_false_question"}
        assert item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext") == source.prompt
        feedback = {f.get("ident"): f.findtext(f".//{QTI}mattext")
                    for f in item.findall(f"{QTI}itemfeedback")}
        assert feedback["general_fb"] == source.explanation
        linked = {d.get("linkrefid") for d in item.iter(f"{QTI}displayfeedback")}
        assert linked == set(feedback), "every feedback is shown by some condition"
        scoring = [c for c in item.iter(f"{QTI}respcondition")
                   if c.find(f"{QTI}setvar") is not None]
        assert len(scoring) == 1 and scoring[0].findtext(f"{QTI}setvar") == "100"
        if source.type == "numeric":
            values = [float(v.text) for v in scoring[0].iter(f"{QTI}varequal")]
            assert values == [source.answer]
        elif source.type == "single":
            assert [v.text for v in scoring[0].iter(f"{QTI}varequal")] == [source.answer]
        elif source.type == "multiple":
            both = scoring[0].find(f"{QTI}conditionvar/{QTI}and")
            picked = {v.text for v in both.findall(f"{QTI}varequal")}
            assert picked == set(source.answer)


def test_export_refuses_a_bad_format_or_variant_count(tmp_path):
    with pytest.raises(UsageError, match="unknown export format 'pdf'"):
        export_quiz(fmt="pdf", out=tmp_path / "x")
    with pytest.raises(UsageError, match="--variants is 0"):
        export_quiz(fmt="gift", out=tmp_path / "x", variants=0)
    result = CliRunner().invoke(main, ["quiz", "export", "--format", "pdf"])
    assert result.exit_code == 2 and "moodle-xml" in result.output
    one = export_quiz(fmt="gift", out=tmp_path / "sub" / "one.gift.txt", variants=1)
    assert one.items == len(BANK) and one.path.is_file()
