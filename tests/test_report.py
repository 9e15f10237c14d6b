"""The HTML report: complete, self-contained, and safe with hostile text."""
import dataclasses
import re
from html.parser import HTMLParser

from report_samples import FLIPPED_MESSAGE, arrays_detail, receptive_field_detail, sample_result

from grader.report.figures import figure_for
from grader.report.html import render_html
from grader.model import Diagnosis, Problem, TestResult

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
    from grader.paths import PACKAGE_DIR
    template = (PACKAGE_DIR / "report" / "templates" / "report.html.j2").read_text()
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
    result = dataclasses.replace(solutions_result, submission=HOSTILE, problems=(Problem("answers", HOSTILE),),
                                 tests=(bad_test,), exercises=bad_exercises,
                                 files=(HOSTILE,))
    html = render_html(result)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


# --- Failed tests: diagnosis, pictures, accessibility -------------------------

class _Page(HTMLParser):
    """Every element of a page with its attributes, its text and its ancestors."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "path", "polygon"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": [e["tag"] for e in self._open]}
        self.elements.append(el)
        if tag not in self.VOID:
            self._open.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "",
                              "parents": [e["tag"] for e in self._open]})

    def handle_endtag(self, tag):
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for el in self._open:
            el["text"] += data

    def all(self, tag: str) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag]

    def by_id(self) -> dict[str, dict]:
        return {e["attrs"]["id"]: e for e in self.elements if "id" in e["attrs"]}


def test_a_failed_test_shows_its_diagnosis_and_its_picture():
    page = _Page(render_html(sample_result()))
    [conv] = [a for a in page.all("article") if "test_conv_matches_reference" in a["text"]]
    assert FLIPPED_MESSAGE in conv["text"] and "Likely mistake" in conv["text"]
    assert "paste this into Python" in conv["text"]
    assert sum("article" in s["parents"] for s in page.all("svg")) == 4  # 3 heatmaps, 1 drawing
    [residual] = [a for a in page.all("article") if "test_residual_parameters" in a["text"]]
    assert "wrong shape" in residual["text"] and "Likely mistake" not in residual["text"]
    assert "receptive field is 10 wide" in page.by_id()["fig-receptive_field-1-desc"]["text"]


def test_every_picture_has_a_text_alternative():
    page = _Page(render_html(sample_result()))
    ids = page.by_id()
    svgs = page.all("svg")
    assert svgs
    for svg in svgs:
        assert svg["attrs"]["role"] == "img"
        title_id, desc_id = svg["attrs"]["aria-labelledby"].split()
        assert ids[title_id]["tag"] == "title" and ids[title_id]["text"].strip()
        assert ids[desc_id]["tag"] == "desc" and len(ids[desc_id]["text"]) > 20


def test_ids_are_unique_headings_nest_and_headers_have_scope(solutions_result):
    for result in (sample_result(), solutions_result):
        page = _Page(render_html(result))
        ids = [e["attrs"]["id"] for e in page.elements if "id" in e["attrs"]]
        assert len(ids) == len(set(ids))
        levels = [int(e["tag"][1]) for e in page.elements if re.fullmatch(r"h[1-6]", e["tag"])]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
        assert all(th["attrs"].get("scope") in ("col", "row") for th in page.all("th"))


def test_print_styles_keep_the_pictures_and_their_colours():
    html = render_html(sample_result())
    print_css = html[html.index("@media print"):html.index("</style>")]
    assert "print-color-adjust: exact" in print_css
    assert "display: none" not in print_css
    assert "break-inside: avoid" in print_css


def test_text_in_details_and_diagnoses_is_escaped():
    result = sample_result()
    rf = {**receptive_field_detail(), "layers": [{"name": HOSTILE, "kernel": 3, "stride": 1}]}
    params = {"kind": "parameters", "expected": [[HOSTILE, [1]]], "found": []}
    tests = (
        dataclasses.replace(result.tests[0], detail={**arrays_detail(), "call": HOSTILE},
                            diagnosis=Diagnosis("x", HOSTILE)),
        dataclasses.replace(result.tests[2], detail=params),
        dataclasses.replace(result.tests[3], detail=rf),
    )
    html = render_html(dataclasses.replace(result, tests=tests))
    assert "<script>" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") >= 4


def test_a_graded_broken_submission_draws_what_its_suites_recorded(broken_result):
    # Whatever details the hidden suites attach, each failed test's detail
    # becomes exactly one picture and each diagnosis is shown on its test.
    result = broken_result
    failed = [t for t in result.tests if t.status != "passed"]
    assert failed and {t.exercise for t in failed} == {"conv", "receptive_field"}
    page = _Page(render_html(result))
    articles = page.all("article")
    assert len(articles) == len(failed)
    for t, article in zip(failed, articles):
        assert t.name in article["text"]
        if t.diagnosis is not None:
            assert t.diagnosis.message in article["text"]
    pictures = [e for e in page.elements if e["tag"] in ("svg", "table") and "article" in e["parents"]]
    figures = [figure_for(t.detail, key="k") for t in failed if t.detail is not None]
    assert len(pictures) == sum(len(f.heatmaps) if f.kind == "arrays" else 1 for f in figures)


def test_text_colours_of_the_report_meet_wcag_aa_contrast():
    from grader.report.figures import contrast
    html = render_html(sample_result())
    colours = dict(re.findall(r"--(\w+): (#[0-9a-f]{6})", html))
    rgb = {name: tuple(int(v[i:i + 2], 16) for i in (1, 3, 5)) for name, v in colours.items()}
    white = (255, 255, 255)
    for name in ("ok", "bad", "warn", "muted"):  # status words and secondary text on white
        assert contrast(rgb[name], white) >= 4.5, name
