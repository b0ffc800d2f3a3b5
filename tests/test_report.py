"""``guillemet report``: the page opened in a real headless chromium (Debian's, driven by
playwright), no console errors, no network request, as many chart marks as the fixture run holds,
and a screenshot under the test's temporary folder.

Chromium is installed by ``make test`` (the Makefile's ``browser`` target, as root on a fresh CI
machine), which also sets ``GUILLEMET_REQUIRE_BROWSER=1``: there a missing browser fails the test.
Elsewhere (a developer's machine without chromium) the test skips and says why.
"""

from __future__ import annotations

import copy
import os
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from guillemet.analysis.runs import read_archive
from pipeline.cli import main
from tests.test_export import _write_run

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_or_skip():
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("playwright (the dev extra)")
        sync_playwright = None
    if missing:
        reason = "no headless browser: " + ", ".join(missing)
        if os.environ.get("GUILLEMET_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason + "; `make test` installs it as root")
    return sync_playwright


@pytest.fixture(scope="module")
def gendered(tmp_path_factory, demo):
    """The demo output plus a committed run re-writing its articles with a speaker gender on every
    named speaker (F and M in turn by entity), so that the women's charts have marks to count."""
    output = tmp_path_factory.mktemp("report") / "out"
    shutil.copytree(demo.output, output)
    records = []
    for article in read_archive(str(output)).articles:
        record = copy.deepcopy(article)
        record.pop("_run_id")
        for quote in record["quotes"]:
            speaker = quote["speaker"]
            if speaker.get("entity_id"):
                speaker["gender"] = "F" if int(speaker["entity_id"], 16) % 2 else "M"
                speaker["gender_source"] = "first_name"
        records.append(record)
    _write_run(output, "29991231T000000Z-cccccc", records, "DONE")
    return output


def _expected_marks(output: Path) -> dict[str, int]:
    sites, days = set(), set()
    women_sites, women_days = set(), set()
    by_site = defaultdict(int)
    for article in read_archive(str(output)).articles:
        for quote in article["quotes"]:
            sites.add(article["site"])
            days.add(article["published_at"][:10])
            by_site[article["site"]] += 1
            if quote["speaker"].get("gender") in ("F", "M"):
                women_sites.add(article["site"])
                women_days.add(article["published_at"][:10])
    return {"per-site": len(sites), "per-day": len(days), "women-site": len(women_sites), "women-day": len(women_days)}


def open_page(html: Path, screenshot: Path) -> tuple[dict[str, int], list[str], list[str], str]:
    """Opens the page in chromium: marks per chart, console errors, requests, the visible text."""
    sync_playwright = _browser_or_skip()
    errors, requests = [], []
    with sync_playwright() as driver:
        # playwright takes the profile folder itself (--user-data-dir) for a persistent context.
        browser = driver.chromium.launch_persistent_context(
            str(screenshot.parent / "profile"),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1100, "height": 900},
        )
        try:
            page = browser.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(html.as_uri())
            marks = {
                chart: page.locator(f"svg [id^='{chart}-mark-']").count()
                for chart in ("per-site", "per-day", "women-site", "women-day")
            }
            text = page.inner_text("body")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return marks, errors, [url for url in requests if not url.startswith("file:")], text


def test_report_renders_in_chromium_with_every_mark(gendered, tmp_path):
    html = tmp_path / "report.html"
    assert main(["report", str(gendered), "--html", str(html)]) == 0
    source = html.read_text(encoding="utf-8")
    assert "<script" not in source and "http://" not in source.split("<body>", 1)[1].split("<svg")[0]
    marks, errors, requests, text = open_page(html, tmp_path / "report.png")
    expected = _expected_marks(gendered)
    assert expected["women-site"] == 4 and expected["per-day"] >= 5
    assert marks == expected
    assert errors == [] and requests == []
    for heading in (
        "Quotes per outlet",
        "Share of women",
        "Most quoted people",
        "Most widely reported",
        "Feeds' health",
    ):
        assert heading in text
    assert "FetchArticles" in text  # the demo's one dead letter, by stage
    assert (tmp_path / "report.png").stat().st_size > 20_000


def test_demo_report_for_the_readme(demo, tmp_path):
    """The README's two commands on the demo output; the screenshot goes to docs/ when asked."""
    output = demo.output
    html = tmp_path / "report.html"
    assert main(["report", str(output), "--html", str(html)]) == 0
    marks, errors, requests, _ = open_page(html, tmp_path / "demo-report.png")
    assert errors == [] and requests == []
    assert marks["per-site"] == 4 and marks["women-site"] == len(
        {a["site"] for a in read_archive(str(output)).articles for q in a["quotes"] if q["speaker"].get("gender")}
    )
    if os.environ.get("GUILLEMET_DOCS_SCREENSHOT"):
        shutil.copy(tmp_path / "demo-report.png", os.environ["GUILLEMET_DOCS_SCREENSHOT"])
