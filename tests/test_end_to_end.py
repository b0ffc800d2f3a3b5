"""The whole pipeline on the local runner against our fixture corpus served on 127.0.0.1."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from guillemet.config import parse_config
from guillemet.schema import schema_errors
from pipeline.run import run
from tests.conftest import FIXTURE_CORPUS, ROOT

pytestmark = pytest.mark.slow

FIXTURE_PROFILE = f"""
name: fixture
output: unused
serve:
  root: {FIXTURE_CORPUS}
feeds:
  - {{url: /feeds/journal.xml, name: Journal}}
  - {{url: /feeds/agence.atom, name: Agence}}
  - {{url: /feeds/malformed.xml, name: Malformed}}
  - {{url: /feeds/not-a-feed.xml, name: Not a feed}}
  - {{url: /feeds/gone.xml, name: Gone}}
fetch: {{read_timeout_s: 1, total_timeout_s: 3, retries: 1, backoff_s: 0.05, allow_private_hosts: [127.0.0.1]}}
nlp: {{enabled: false}}   # the NLP stage is tested with the demo profile
"""


def _lines(directory: str) -> list[dict]:
    records = []
    for path in sorted(Path(directory).glob("part-*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return records


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("out")
    summary = run(parse_config(FIXTURE_PROFILE, "fixture.yaml"), output=str(output))
    return summary, output


def test_articles_are_written_and_valid(fixture_run):
    summary, _ = fixture_run
    assert summary.state == "DONE"
    articles = _lines(summary.outputs["articles"])
    assert sorted(a["title"] for a in articles) == [
        "Grève du tramway : le trafic reprend progressivement",
        "Le conseil municipal de Valmont vote le budget",
        "Vidéo : la crue de la Sorne en images",
    ]
    for article in articles:
        assert schema_errors(article) == [], article["url"]
        assert article["quotes"] == [] and article["entities"] == []
    video = next(a for a in articles if a["title"].startswith("Vidéo"))
    assert video["text_source"] == "feed_content"
    assert "« L'eau est montée en moins d'une heure »" in video["text"]
    assert len({a["id"] for a in articles}) == len(articles)


def test_dead_letters_say_stage_input_and_reason(fixture_run):
    summary, _ = fixture_run
    dead = [(d["stage"], (d["url"] or "").rsplit("/", 1)[-1], d["error"]) for d in _lines(summary.outputs["dead"])]
    assert ("ReadFeeds", "gone.xml", "HTTP 404 Not Found") in dead
    assert ("ParseEntries", "not-a-feed.xml", "not a feed: no RSS, Atom or RDF document found") in dead
    assert ("FetchArticles", "removed.html", "HTTP 404 Not Found") in dead
    assert ("FetchArticles", "slow.html", "timeout: ReadTimeout") in dead
    assert any(
        stage == "ExtractText" and url == "empty.html" and "no article text" in error for stage, url, error in dead
    )
    assert sum(1 for stage, _, error in dead if stage == "ParseEntries" and error == "entry has no link") == 2
    for letter in _lines(summary.outputs["dead"]):
        assert letter["error_class"] and letter["at"].endswith("Z")


def test_counts_add_up(fixture_run):
    summary, _ = fixture_run
    entry_dead_letters = sum(n for stage, n in summary.dead_letters_by_stage.items() if stage != "ReadFeeds") - 1
    # Every entry read is written, dead-lettered or skipped as a duplicate (the -1: not-a-feed.xml is a feed, not an entry).
    assert summary.entries_read == 9
    assert summary.articles_written + entry_dead_letters + summary.skipped_duplicates == summary.entries_read
    assert summary.articles_written == len(_lines(summary.outputs["articles"]))
    assert summary.count("dead_letters.written") == len(_lines(summary.outputs["dead"]))
    assert (summary.feeds_total, summary.feeds_failed) == (5, 2)


def test_feed_reports_and_manifest(fixture_run):
    summary, _ = fixture_run
    reports = {r["feed_url"].rsplit("/", 1)[1]: r for r in _lines(summary.outputs["feeds"])}
    assert reports["journal.xml"]["ok"] and reports["journal.xml"]["entries"] == 6
    assert "SAXParseException" in reports["malformed.xml"]["problem"]
    assert not reports["not-a-feed.xml"]["ok"]
    manifest = json.loads(Path(summary.outputs["manifest"]).read_text(encoding="utf-8"))
    assert manifest["run_id"] == summary.run_id
    assert manifest["articles_written"] == 3
    assert manifest["state"] == "DONE"
    assert manifest["versions"]["apache-beam"] == "2.77.0"


def test_output_layout(fixture_run):
    summary, output = fixture_run
    articles = Path(summary.outputs["articles"])
    assert articles.parent.parent == output / "articles"
    assert articles.parent.name.startswith("dt=") and articles.name == f"run={summary.run_id}"


def test_cli_run_prints_summary_and_exit_code(tmp_path):
    profile = tmp_path / "fixture.yaml"
    profile.write_text(FIXTURE_PROFILE, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "run",
            "--config",
            str(profile),
            "--output",
            str(tmp_path / "out"),
            "--summary-json",
            str(tmp_path / "summary.json"),
            "--direct_num_workers=1",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    out = done.stdout.decode()
    assert "feeds      3 ok, 2 failed" in out
    assert "articles   3 written" in out
    assert "FetchArticles 2" in out
    assert "ReadFeeds:" in done.stderr.decode()  # progress on stderr
    assert json.loads((tmp_path / "summary.json").read_text())["articles_written"] == 3


def test_cli_bad_config_exits_2(tmp_path):
    profile = tmp_path / "bad.yaml"
    profile.write_text("name: x\noutput: o\nfeeds: [{url: 'https://e.fr/', langage: fr}]\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "--config", str(profile)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"{profile}: invalid configuration" in done.stderr.decode()
    assert "feeds.0.langage: unknown key" in done.stderr.decode()


def test_run_failure_exits_1(tmp_path):
    # The profile is sound, the run fails: the port its corpus server must listen on is taken.
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        profile = tmp_path / "p.yaml"
        profile.write_text(
            FIXTURE_PROFILE.replace(f"  root: {FIXTURE_CORPUS}", f"  root: {FIXTURE_CORPUS}\n  port: {port}"),
            encoding="utf-8",
        )
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "run", "--config", str(profile), "--output", str(tmp_path / "o")],
            capture_output=True,
            cwd=ROOT,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr.decode()
    assert "guillemet run failed: OSError" in done.stderr.decode()
    assert not list((tmp_path / "o").glob("manifests/*.json"))


def test_a_missing_corpus_folder_is_refused_at_start(tmp_path, capsys):
    from pipeline.cli import main

    profile = tmp_path / "p.yaml"
    profile.write_text(FIXTURE_PROFILE.replace(str(FIXTURE_CORPUS), str(tmp_path / "no-such-corpus")), encoding="utf-8")
    assert main(["run", "--config", str(profile), "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"serve.root: the folder {tmp_path / 'no-such-corpus'} does not exist" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_exit_3_when_dead_letters_exceed_the_share(tmp_path):
    profile = tmp_path / "strict.yaml"
    profile.write_text(FIXTURE_PROFILE + "max_dead_letter_share: 0.2\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "--config", str(profile), "--output", str(tmp_path / "o"), "-q"],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 3, done.stderr.decode()[-2000:]
    assert "are dead letters (limit 20.0%)" in done.stderr.decode()
