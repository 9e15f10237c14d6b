"""The report in a real browser: Debian's headless Chromium, driven by Selenium.

Selenium talks to chromedriver over the W3C WebDriver protocol, which
Debian's chromium-driver implements for exactly the installed Chromium,
so the two never drift apart; Selenium is maintained by the browser
vendors' own working group and also reaches the DevTools commands this
test needs (print media, console log). Pages load from file:// URLs and
Chromium's own background traffic is switched off, so nothing leaves the
machine.

In CI (the CI variable set) a missing browser is a failure, not a skip:
`make test` installs it as root through the browser-tools target.
"""
from __future__ import annotations

import base64
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from report_samples import FLIPPED_MESSAGE, sample_result

from grader.report.html import render_html

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
# Chromium's background services would otherwise try to reach the network.
QUIET = ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--disable-breakpad",
         "--disable-features=Translate,MediaRouter,OptimizationHints",
         "--window-size=1000,1400")


def _require_browser():
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
               if path is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (the test extra)")
    if missing:
        message = (f"{', '.join(missing)} not installed; `make install` installs them "
                   "(Debian's chromium and chromium-driver need root)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in QUIET:
        options.add_argument(arg)
    if os.geteuid() == 0:
        # Chromium refuses to start its own sandbox as root; CI runs as root.
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver, tmp_path: Path, name: str, html: str) -> None:
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    driver.get(page.as_uri())
    driver.get_log("browser")  # the log is drained per call; start each page empty
    driver.refresh()


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _png_pixels(png: bytes) -> bytes:
    chunks, pos = [], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            chunks.append(png[pos + 8:pos + 8 + length])
        pos += 12 + length
    return zlib.decompress(b"".join(chunks))


def _visible(driver, element) -> bool:
    """Displayed, of some size, and not covered by anything else where its centre is."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    if not element.is_displayed() or element.size["width"] < 1 or element.size["height"] < 1:
        return False
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        "return hit !== null && (arguments[0] === hit || arguments[0].contains(hit));", element)


def test_the_console_check_sees_errors(browser, tmp_path):
    # Without this, an empty log could mean the log is not collected at all.
    _open(browser, tmp_path, "bad.html", "<!DOCTYPE html><title>t</title>"
          "<script>console.error('deliberate')</script>")
    assert any("deliberate" in m for m in _errors(browser))


def test_a_learners_report_renders_with_its_pictures(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, tmp_path, "blank.html", "<!DOCTYPE html><title>blank</title>")
    blank = browser.get_screenshot_as_png()
    _open(browser, tmp_path, "report.html", render_html(sample_result()))
    assert _errors(browser) == []

    shot = browser.get_screenshot_as_png()
    width, height = _png_size(shot)
    assert width >= 800 and height >= 600
    # Text, tables and colour compress far worse than an empty page.
    assert len(shot) > 5 * len(blank)
    assert len(set(_png_pixels(shot))) > 32
    (tmp_path / "report.png").write_bytes(shot)

    find = browser.find_element
    assert "report for learner-42" in find(By.TAG_NAME, "h1").text
    assert find(By.CSS_SELECTOR, ".total").text.startswith("1 / 7")
    conv = find(By.XPATH, "//article[.//h4[contains(., 'test_conv_matches_reference')]]")
    for element in (find(By.TAG_NAME, "h1"), find(By.CSS_SELECTOR, ".total"),
                    find(By.ID, "ex-conv"), conv.find_element(By.TAG_NAME, "h4"),
                    conv.find_element(By.CSS_SELECTOR, ".diagnosis"),
                    conv.find_element(By.CSS_SELECTOR, "svg[role=img]"),
                    find(By.CSS_SELECTOR, "figure.parameters table"),
                    find(By.CSS_SELECTOR, "figure.receptive-field svg")):
        assert _visible(browser, element), element.get_attribute("outerHTML")[:120]
    assert FLIPPED_MESSAGE in conv.find_element(By.CSS_SELECTOR, ".diagnosis").text
    heatmap = conv.find_element(By.CSS_SELECTOR, "svg[role=img]")
    assert heatmap.size["width"] >= 100 and heatmap.size["height"] >= 100
    assert len(heatmap.screenshot_as_png) > 1000


def test_print_media_keeps_the_figures(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, tmp_path, "report.html", render_html(sample_result()))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.execute_script("return matchMedia('print').matches")
    svgs = browser.find_elements(By.CSS_SELECTOR, "article svg[role=img]")
    assert len(svgs) == 4
    for svg in svgs:
        assert svg.is_displayed() and svg.size["width"] > 50 and svg.size["height"] > 50
        # Browsers drop background colours when printing unless told otherwise.
        assert browser.execute_script(
            "return getComputedStyle(arguments[0]).printColorAdjust", svg) == "exact"
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    assert _errors(browser) == []


def test_a_graded_submission_with_broken_parts_renders_cleanly(browser, tmp_path, broken_result):
    from selenium.webdriver.common.by import By

    result = broken_result
    assert result.score < result.max_score
    _open(browser, tmp_path, "graded.html", render_html(result))
    assert _errors(browser) == []
    assert _visible(browser, browser.find_element(By.CSS_SELECTOR, ".total"))
    failures = browser.find_elements(By.CSS_SELECTOR, "article.failure h4")
    assert failures and all(_visible(browser, h) for h in failures[:3])
    for svg in browser.find_elements(By.CSS_SELECTOR, "article svg[role=img]"):
        assert svg.size["width"] > 50


def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(f"{__name__}.CHROMIUM", None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium not installed"):
        _require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="chromium not installed"):
        _require_browser()


def test_a_trained_networks_filters_and_loss_curve_are_drawn(browser, tmp_path):
    """The reference graded on the training exercise: its report shows conv1's filters
    before and after training side by side, and the loss curve, as visible pictures."""
    from selenium.webdriver.common.by import By

    from grader.paths import SOLUTIONS_DIR
    from grader.scoring.grading import grade

    result = grade(submission=SOLUTIONS_DIR, exercises=("training", "transfer"))
    _open(browser, tmp_path, "training.html", render_html(result))
    assert _errors(browser) == []
    filters = browser.find_element(By.CSS_SELECTOR, "figure.exhibit.filters svg[role=img]")
    loss = browser.find_element(By.CSS_SELECTOR, "figure.exhibit.loss svg[role=img]")
    for svg in (filters, loss):
        assert _visible(browser, svg)
        assert svg.size["width"] >= 300 and svg.size["height"] >= 100
        assert len(svg.screenshot_as_png) > 2000
    captions = filters.find_element(By.XPATH, "..").text
    assert "at initialisation" in captions and "after training" in captions
    # The reference's 16 filters of 3x3 cells on each side.
    assert len(filters.find_elements(By.TAG_NAME, "rect")) == 2 * 16 * 9
    assert loss.find_element(By.TAG_NAME, "polyline").get_attribute("points").count(",") == 10
    for kind in ("kernels", "shift", "transfer"):
        assert browser.find_elements(By.CSS_SELECTOR, f"figure.exhibit.{kind} svg")
