"""The real-world French material in ../shared/realworld (read from there, never copied): feeds served
locally through the whole pipeline, and page extraction against trafilatura's own expectations."""

import json
from pathlib import Path

import pytest
import trafilatura

from guillemet.config import parse_config
from guillemet.extract import extract_article
from guillemet.normalize import normalize_text
from pipeline.run import run

pytestmark = [pytest.mark.realworld, pytest.mark.slow]


def _lines(directory: str) -> list[dict]:
    return [
        json.loads(line)
        for path in Path(directory).glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_every_real_feed_is_parsed_or_dead_lettered(realworld, tmp_path):
    feeds = sorted(path.name for path in (realworld / "feeds").glob("*.xml"))
    listed = "\n".join(f"  - url: /{name}" for name in feeds)
    # Entry links point at the publishers' sites: only 127.0.0.1 may be fetched, so every article
    # fetch becomes a dead letter before any lookup and nothing leaves this machine.
    profile = (
        f"name: realworld\noutput: {tmp_path}\nserve:\n  root: {realworld / 'feeds'}\nfeeds:\n{listed}\n"
        "fetch: {allow_private_hosts: [127.0.0.1], only_hosts: [127.0.0.1], retries: 0, per_host_delay_s: 0}\nnlp: {enabled: false}\n"
    )
    summary = run(parse_config(profile, "realworld.yaml"), output=str(tmp_path))
    assert summary.state == "DONE"
    reports = {r["feed_url"].rsplit("/", 1)[1]: r for r in _lines(summary.outputs["feeds"])}
    dead = _lines(summary.outputs["dead"])
    feed_failures = {
        d["url"].rsplit("/", 1)[1]: d
        for d in dead
        if d["stage"] in ("ReadFeeds", "ParseEntries") and d["url"] and d["url"].endswith(".xml")
    }
    for name in feeds:
        assert name in reports or name in feed_failures, name
    for name in ("ppe2025_NOT_A_FEED_bfmtv_homepage.xml", "ppe2025_NOT_A_FEED_lockfile.xml"):
        assert not reports[name]["ok"] and reports[name]["problem"]
    ok = [r for r in reports.values() if r["ok"]]
    assert len(ok) == len(feeds) - 2
    assert sum(r["entries"] for r in ok) > 600
    fetches = [d for d in dead if d["stage"] == "FetchArticles"]
    assert fetches and all("not among the hosts to fetch" in d["error"] for d in fetches)
    # Every entry read is accounted for: written, dead-lettered (entry-level) or a duplicate.
    entry_dead = sum(
        1
        for d in dead
        if d["stage"] in ("FetchArticles", "ExtractText")
        or (d["stage"] == "ParseEntries" and "feed_url" in d["details"])
    )
    assert summary.articles_written + entry_dead + summary.skipped_duplicates == summary.entries_read


def _passes(text: str, expectations: dict) -> tuple[int, int]:
    text = normalize_text(text).text
    checks = [(normalize_text(s).text in text) for s in expectations.get("with", [])]
    checks += [(normalize_text(s).text not in text) for s in expectations.get("without", [])]
    return sum(checks), len(checks)


def test_extraction_is_at_least_as_good_as_trafilatura_expects(realworld):
    evaldata = json.loads((realworld / "html" / "trafilatura_fr_evaldata.json").read_text(encoding="utf-8"))
    ours, theirs, total = 0, 0, 0
    for url, expectations in evaldata.items():
        page = (realworld / "html" / f"trafilatura_{expectations['file']}").read_bytes()
        article = extract_article(page, url, min_article_chars=1)
        passed, count = _passes(article.raw_text, expectations)
        baseline, _ = _passes(trafilatura.extract(page, url=url) or "", expectations)
        ours, theirs, total = ours + passed, theirs + baseline, total + count
    assert total > 80
    print(f"extraction checks passed: guillemet {ours}/{total}, trafilatura defaults {theirs}/{total}")
    assert ours >= theirs, f"{ours}/{total} checks pass for guillemet, {theirs}/{total} for trafilatura's defaults"
