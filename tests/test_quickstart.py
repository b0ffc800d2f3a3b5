"""Starting without YAML: ``guillemet run --feed URL… --opml FILE`` with the demo's defaults; a bad
OPML file or feed is refused at start with exit 2 and one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guillemet.localserver import CorpusServer
from guillemet.quickstart import read_opml
from tests.test_incremental import FEEDS, copy_demo_corpus

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mes abonnements</title></head><body>
  <outline text="Presse régionale">
    {outlines}
  </outline>
</body></opml>
"""


def _opml(tmp_path: Path, urls: list[str], name: str = "abonnements.opml") -> Path:
    outlines = "\n    ".join(f'<outline type="rss" text="Flux {i}" xmlUrl="{url}"/>' for i, url in enumerate(urls))
    path = tmp_path / name
    path.write_text(OPML.format(outlines=outlines), encoding="utf-8")
    return path


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    from pipeline.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_opml_file_gives_its_feeds_in_order_once(tmp_path):
    path = _opml(tmp_path, ["https://a.example/rss", "https://b.example/atom", "https://a.example/rss"])
    assert read_opml(path) == [
        {"url": "https://a.example/rss", "name": "Flux 0"},
        {"url": "https://b.example/atom", "name": "Flux 1"},
    ]


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        ("<html><body>pas un OPML</body></html>", [], "no feed in it"),
        ("\x00\x01 garbage <<<", [], "no feed in it"),
        (None, [], "cannot be read: No such file or directory"),
        (
            '<opml><body><outline xmlUrl="ftp://x.example/f"/></body></opml>',
            [],
            "feed 'ftp://x.example/f': must be an http",
        ),
        ('<opml><body><outline xmlUrl="https://x.example/f"/></body></opml>', ["--config", "p.yaml"], "not both"),
    ],
    ids=["html", "garbage", "missing", "not-http", "with-config"],
)
def test_a_bad_opml_is_refused_at_start_in_one_line(tmp_path, capsys, content, argv, message):
    path = tmp_path / "list.opml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _main(["run", "--opml", str(path), "--output", str(tmp_path / "out"), *argv], capsys)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_run_needs_a_profile_or_feeds(capsys):
    code, _, err = _main(["run"], capsys)
    assert code == 2 and "give --config PROFILE, or feeds with --feed URL or --opml FILE" in err


@pytest.mark.slow
def test_feeds_from_the_command_line_and_an_opml_file_run_with_the_demo_defaults(tmp_path, capsys):
    with CorpusServer(copy_demo_corpus(tmp_path / "corpus")) as server:
        opml = _opml(tmp_path, [server.base_url + path for path in FEEDS[1:]])
        argv = ["run", "--feed", server.base_url + FEEDS[0], "--opml", str(opml), "--allow-host", "127.0.0.1"]
        summary_path = tmp_path / "summary.json"
        argv += ["--output", str(tmp_path / "out"), "--summary-json", str(summary_path), "-q"]
        code, out, err = _main(argv, capsys)
    assert code == 0, err
    summary = json.loads(summary_path.read_text())
    assert (summary["feeds"]["total"], summary["feeds"]["ok"], summary["articles_written"]) == (4, 4, 12)
    assert summary["config"] == "the command line"
    records = [
        json.loads(line)
        for part in (tmp_path / "out").glob("articles/*/*/part-*.jsonl")
        for line in part.read_text().splitlines()
    ]
    assert len(records) == 12 and sum(len(r["quotes"]) for r in records) >= 30  # NLP on, as in the demo
