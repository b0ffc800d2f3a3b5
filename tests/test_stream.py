"""``guillemet stream`` on the local FnApiRunner, for a bounded number of polls, against a server on
127.0.0.1 whose feed grows with every request (and fails once): each new article is written exactly
once, in the window of the poll that first listed it, and none is lost."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window
from apache_beam.utils.timestamp import Timestamp

from guillemet.records import FeedEntry
from guillemet.schema import schema_errors
from pipeline.cli import EXIT_LOCKED, EXIT_OK, EXIT_USAGE, main
from pipeline.lock import LOCK_NAME
from tests.conftest import ROOT, test_pipeline
from transforms.stream import DropSeenEntries, remove_if_empty, window_file_naming

POLLS = 3
INTERVAL_MINUTES = 0.05  # 3 s between polls

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head><body>
<article><h1>{title}</h1>
<p>Le conseil municipal de Valmont a examiné mardi soir le dossier numéro {number}, après plusieurs
semaines de discussions entre les élus de la majorité et ceux de l'opposition.</p>
<p>« Nous avons trouvé un accord qui protège les habitants du quartier », a déclaré Claire Fontaine,
adjointe au maire, à la sortie de la séance.</p>
<p>Les travaux doivent commencer au printemps et durer une année entière, selon la mairie.</p>
</article></body></html>"""


def _rss(base_url: str, slugs: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Dossier {slug}</title><link>{base_url}/articles/{slug}.html</link>"
        f"<guid>{base_url}/articles/{slug}.html</guid></item>"
        for slug in slugs
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Valmont</title>'
        f"<link>{base_url}/</link><language>fr</language>{items}</channel></rss>"
    ).encode()


class GrowingFeeds:
    """Two feeds on 127.0.0.1: ``growing.xml`` lists two more articles at each request, and always
    a page that is missing and an article that ``static.xml`` lists too; its second request fails
    with a 503, so the articles it would have listed first appear at the third."""

    FAILING_REQUEST = ("/feeds/growing.xml", 2)

    def __init__(self, on_feed_request=None) -> None:
        # Called with (path, request number) before a feed is answered, in the request's thread.
        self.on_feed_request = on_feed_request
        self.hits: Counter[str] = Counter()
        self.served: set[str] = set()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def feed(self, path: str) -> bytes | int:
        """The feed's body, or an HTTP error status."""
        with self._lock:
            self.hits[path] += 1
            if (path, self.hits[path]) == self.FAILING_REQUEST:
                return 503
            if path == "/feeds/growing.xml":
                count = self.hits[path]
                slugs = [f"dossier-{n}" for n in range(1, 2 * count + 1)] + ["partage", "manquant"]
            elif path == "/feeds/static.xml":
                slugs = ["partage", "statique"]
            else:
                return 404
            self.served.update(slugs)
        return _rss(self.base_url, slugs)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def do_GET(self):  # noqa: N802 - the base class's name
                page = re.fullmatch(r"/articles/([a-z0-9-]+)\.html", self.path)
                if page and page.group(1) != "manquant":
                    body = PAGE.format(title=f"Dossier {page.group(1)}", number=page.group(1)).encode()
                    content_type = "text/html; charset=utf-8"
                else:
                    body = 404 if page else server.feed(self.path)
                    content_type = "application/rss+xml"
                    if not page and server.on_feed_request is not None:
                        server.on_feed_request(self.path, server.hits[self.path])
                if isinstance(body, int):
                    self.send_error(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> GrowingFeeds:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _windows(directory: Path) -> dict[str, list[dict]]:
    """The records of each window file, by window (file names start with the window's span)."""
    records = {}
    for path in sorted(directory.glob("*.jsonl")):
        span = path.name.rsplit("_", 1)[0]
        records.setdefault(span, []).extend(json.loads(line) for line in path.read_text("utf-8").splitlines())
    return records


def _slug(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stream")
    with GrowingFeeds() as server:
        profile = folder / "stream.yaml"
        profile.write_text(
            f"""
name: stream-test
output: {folder / "out"}
feeds:
  - {{url: "{server.base_url}/feeds/growing.xml", name: Growing}}
  - {{url: "{server.base_url}/feeds/static.xml", name: Static}}
fetch: {{read_timeout_s: 5, retries: 0, allow_private_hosts: [127.0.0.1]}}
nlp: {{model: sm}}
""",
            encoding="utf-8",
        )
        summary_json = folder / "summary.json"
        code = main(
            [
                "stream",
                "--config",
                str(profile),
                "--interval-minutes",
                str(INTERVAL_MINUTES),
                "--max-polls",
                str(POLLS),
                "--summary-json",
                str(summary_json),
                "-q",
            ]
        )
    return code, json.loads(summary_json.read_text("utf-8")), folder / "out" / "stream", server


def _polls(out: Path) -> list[str]:
    """The window of each poll, in time order: every poll writes a report of the static feed."""
    return sorted(_windows(out / "feeds"))


@pytest.mark.slow
def test_every_new_article_is_written_exactly_once(streamed):
    code, summary, out, server = streamed
    assert code == EXIT_OK and summary["state"] == "DONE"
    assert server.hits["/feeds/growing.xml"] == POLLS and server.hits["/feeds/static.xml"] == POLLS
    articles = [article for records in _windows(out / "articles").values() for article in records]
    written = Counter(_slug(article["url"]) for article in articles)
    assert all(count == 1 for count in written.values()), written
    # Every article the feeds ever listed, except the missing page: nothing lost, nothing twice.
    assert set(written) == server.served - {"manquant"}
    assert len(written) == 2 * POLLS + 2
    for article in articles:
        assert schema_errors(article) == [], article["url"]


@pytest.mark.slow
def test_each_article_is_in_the_window_of_the_poll_that_first_listed_it(streamed):
    _, _, out, _ = streamed
    polls = _polls(out)
    assert len(polls) == POLLS == 3  # one window per poll
    windows = _windows(out / "articles")
    by_poll = [sorted(_slug(a["url"]) for a in windows.get(span, [])) for span in polls]
    assert by_poll == [
        ["dossier-1", "dossier-2", "partage", "statique"],
        [],  # growing.xml failed: nothing new
        ["dossier-3", "dossier-4", "dossier-5", "dossier-6"],  # what poll 2 missed is not lost
    ]
    # The NLP stages ran in the windows too: the quote and its speaker were joined to the article.
    for article in (article for records in windows.values() for article in records):
        direct = [quote for quote in article["quotes"] if quote["kind"] == "direct"]
        assert [(q["text"][:25], q["speaker"]["name"]) for q in direct] == [
            ("Nous avons trouvé un acco", "Claire Fontaine")
        ], article["url"]
        assert any(entity["name"] == "Valmont" for entity in article["entities"]), article["url"]


@pytest.mark.slow
def test_dead_letters_feed_reports_and_counts(streamed):
    _, summary, out, _ = streamed
    polls = _polls(out)
    dead_letters = _windows(out / "dead_letters")
    # The missing page is listed at every successful poll but fetched, and dead-lettered, only once;
    # the failed feed is a dead letter in the window of its poll.
    assert {span: [(d["stage"], _slug(d["url"])) for d in letters] for span, letters in dead_letters.items()} == {
        polls[0]: [("FetchArticles", "manquant")],
        polls[1]: [("ReadFeeds", "growing.xml")],
    }
    reports = _windows(out / "feeds")
    assert [sorted(r["feed_name"] for r in reports[span]) for span in polls] == [
        ["Growing", "Static"],
        ["Static"],
        ["Growing", "Static"],
    ]
    entries = summary["entries"]
    # growing.xml lists 2k + 2 entries at request k (none at the failed second), static.xml 2.
    assert entries["read"] == (4 + 2) + (0 + 2) + (8 + 2)
    assert entries["new"] == 2 * POLLS + 3  # the articles and the missing page
    assert entries["new"] + entries["seen_before"] == entries["read"]
    assert summary["polls"] == POLLS and summary["articles_written"] == 2 * POLLS + 2
    assert summary["dead_letters"] == 2
    # The temporary folders are gone; the manifest was written last.
    assert not list(out.glob("*/.temp-*"))
    manifest = json.loads(next((out / "manifests").glob("job=*.json")).read_text("utf-8"))
    assert manifest["job_id"] == summary["job_id"] and manifest["finished_at"]


def test_drop_seen_entries_keeps_the_first_sighting_across_windows():
    def entry(slug: str) -> FeedEntry:
        url = f"http://127.0.0.1/articles/{slug}.html"
        return FeedEntry(entry_id=slug, url=url, feed_url="http://127.0.0.1/f.xml", feed_title=None,
                         feed_language="fr", title=slug, authors=(), published_at=None, summary_html=None,
                         content_html=None)  # fmt: skip

    sightings = [(0, "a"), (0, "b"), (10, "a"), (10, "c"), (20, "b"), (20, "c"), (20, "d")]
    with test_pipeline() as pipeline:
        kept = (
            pipeline
            | beam.Create([window.TimestampedValue(entry(slug), at) for at, slug in sightings])
            | beam.WindowInto(window.FixedWindows(10))
            | DropSeenEntries()
            | beam.Map(lambda e, w=beam.DoFn.WindowParam: (e.entry_id, float(w.start)))
        )
        # Each id once, in the window of its first sighting (the windowing is kept).
        assert_that(kept, equal_to([("a", 0.0), ("b", 0.0), ("c", 10.0), ("d", 20.0)]))


def test_window_file_names_sort_by_window():
    name = window_file_naming("job1")
    early = name(window.IntervalWindow(Timestamp(1795813800), Timestamp(1795814100)), None, 0, 1, "", None)
    assert early == "20261127T211000Z_20261127T211500Z_job1-00000-of-00001.jsonl"
    late = name(window.IntervalWindow(Timestamp(1795814100), Timestamp(1795814400)), None, 0, 1, "", None)
    assert sorted([late, early]) == [early, late]


def test_an_endless_stream_on_the_local_runner_is_refused(tmp_path, capsys):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: p\noutput: out\nfeeds: [{url: 'http://127.0.0.1:9/f.xml'}]\n", encoding="utf-8")
    assert main(["stream", "--config", str(profile)]) == EXIT_USAGE
    assert "--max-polls" in capsys.readouterr().err
    assert main(["stream", "--config", str(profile), "--interval-minutes", "0.001", "--max-polls", "1"]) == EXIT_USAGE


def test_a_temporary_folder_is_removed_only_when_empty(tmp_path):
    kept, emptied = tmp_path / "kept", tmp_path / "emptied"
    kept.mkdir()
    (kept / "orphan").write_text("x")
    emptied.mkdir()
    assert not remove_if_empty(str(kept)) and (kept / "orphan").exists()
    assert remove_if_empty(str(emptied)) and not emptied.exists()
    assert not remove_if_empty(str(tmp_path / "absent"))


@pytest.mark.slow
def test_two_pages_of_one_canonical_url_in_a_poll_are_one_record_and_a_counted_dead_letter(tmp_path):
    from guillemet import counters
    from guillemet.config import parse_config
    from pipeline.stream import stream
    from tests.test_run_safety import DUPLICATES, _corpus, _page, _profile

    # Served by the profile's own local server (127.0.0.1), NLP off: without DedupArticles both pages are written.
    root = _corpus(tmp_path / "corpus", {**DUPLICATES, "autre": _page("Autre dossier", "autre", "Lise Garnier")})
    config = parse_config(_profile(root, "{enabled: false}"), "stream-dedup.yaml")
    summary = stream(config, ["--runner=FnApiRunner"], output=str(tmp_path / "out"), interval_s=1.0, max_polls=1)
    out = tmp_path / "out" / "stream"
    articles = [article for records in _windows(out / "articles").values() for article in records]
    assert sorted(_slug(article["url"]) for article in articles) == ["autre", "double-a"]
    (dead,) = [letter for records in _windows(out / "dead_letters").values() for letter in records]
    assert (dead["stage"], _slug(dead["url"])) == ("DedupArticles", "double-b")
    assert dead["details"]["kept_url"] == next(a["url"] for a in articles if _slug(a["url"]) == "double-a")
    assert summary.count(counters.stage_failed(counters.DEDUP_ARTICLES)) == 1
    assert summary.to_dict()["dead_letters"] == 1 and summary.to_dict()["articles_written"] == 2
    assert summary.to_dict()["entries"]["new"] == 3
    # Every counter the job reported is named in the one home.
    assert set(summary.counters) <= counters.KNOWN, set(summary.counters) - counters.KNOWN


def _cli(*args: str) -> tuple[int, str, str]:
    """``guillemet ARGS`` in a process of its own (its own pid: a lock held here is another job's)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=env)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
def test_a_stream_holds_the_output_lock_for_its_life(tmp_path):
    """While a stream runs (its first poll is held open by the server), a run and a second stream on
    the same output exit 75 with one line naming the stream; once the stream is over, the lock is gone."""
    output = tmp_path / "out"
    outcome = {}

    def while_streaming(path: str, number: int) -> None:
        if (path, number) != ("/feeds/static.xml", 1):
            return
        outcome["run"] = _cli("run", "--config", str(profile))
        outcome["stream"] = _cli("stream", "--config", str(profile), "--max-polls", "1")
        outcome["lock"] = json.loads((output / LOCK_NAME).read_text("utf-8"))

    with GrowingFeeds(while_streaming) as server:
        profile = tmp_path / "stream.yaml"
        profile.write_text(
            f"""
name: stream-lock
output: {output}
feeds:
  - {{url: "{server.base_url}/feeds/static.xml", name: Static}}
fetch: {{read_timeout_s: 600, total_timeout_s: 600, retries: 0, allow_private_hosts: [127.0.0.1]}}
nlp: {{enabled: false}}
""",
            encoding="utf-8",
        )
        code = main(["stream", "--config", str(profile), "--interval-minutes", "0.02", "--max-polls", "2", "-q"])
    assert code == EXIT_OK
    (manifest,) = (output / "stream" / "manifests").glob("job=*.json")
    job_id = json.loads(manifest.read_text("utf-8"))["job_id"]
    assert outcome["lock"]["kind"] == "stream" and outcome["lock"]["run_id"] == job_id
    for command in ("run", "stream"):
        refused, out, err = outcome[command]
        assert refused == EXIT_LOCKED, (command, out, err)
        assert out == "" and len(err.strip().splitlines()) == 1, (command, err)
        assert err.startswith(
            f"guillemet {command}: another run holds the lock of {output} (stream {job_id}, driver pid"
        )
    # The refused run read and wrote nothing; the refused stream wrote no manifest of its own.
    assert not (output / "manifests").exists() and [manifest] == list((output / "stream" / "manifests").iterdir())
    assert sorted(
        _slug(a["url"]) for records in _windows(output / "stream" / "articles").values() for a in records
    ) == [
        "partage",
        "statique",
    ]
    assert not (output / LOCK_NAME).exists()
