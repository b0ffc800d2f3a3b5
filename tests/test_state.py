"""The incremental state: the Beam-free rules (guillemet/state.py), their storage (pipeline/store.py),
conditional requests against a real server, and the MarkVersions stage."""

import dataclasses
import json

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from guillemet.fetch import FetchSettings, fetch
from guillemet.localserver import CorpusServer
from guillemet.records import Article
from guillemet.state import (
    FeedState,
    SeenArticle,
    committed_state,
    conditional_headers,
    content_hash,
    dump_feed_states,
    latest,
    load_feed_states,
    update_feed_states,
    versioning,
)
from pipeline.store import committed_runs, find_committed_state, write_text_atomically
from tests.conftest import test_pipeline
from transforms.state import MarkVersions, ReadSeen

NOW = "2026-11-27T10:00:00Z"


def test_content_hash_follows_title_and_text_only():
    base = content_hash("Titre", "Le texte.")
    assert base == content_hash("Titre", "Le texte.")
    assert len(base) == 32 and int(base, 16) >= 0
    assert base != content_hash("Titre", "Le texte modifié.")
    assert base != content_hash("Autre titre", "Le texte.")
    # The separator keeps "ab" + "c" apart from "a" + "bc".
    assert content_hash("ab", "c") != content_hash("a", "bc")


def test_versioning_new_unchanged_changed():
    assert versioning("h1", None, NOW) == versioning("h1", None, NOW)
    new = versioning("h1", None, NOW)
    assert (new.version, new.previous_hash, new.first_seen) == (1, None, NOW)
    seen = SeenArticle("a" * 32, "h1", 1, "2026-01-01T00:00:00Z", "run-1")
    assert versioning("h1", seen, NOW) is None
    changed = versioning("h2", seen, NOW)
    assert (changed.version, changed.previous_hash, changed.first_seen) == (2, "h1", "2026-01-01T00:00:00Z")


def test_latest_keeps_the_highest_version():
    one = SeenArticle("a" * 32, "h1", 1, NOW, "run-1")
    two = SeenArticle("a" * 32, "h2", 2, NOW, "run-2")
    assert latest([two, one]) == latest([one, two]) == two
    assert SeenArticle.from_json(json.dumps(two.to_dict())) == two


def test_a_seen_line_keeps_the_entry_id_only_when_it_differs_and_old_lines_still_read():
    plain = SeenArticle("a" * 32, "h1", 1, NOW, "run-1")
    assert "entry_id" not in plain.to_dict() and plain.known_ids() == ("a" * 32,)
    moved = SeenArticle("a" * 32, "h1", 1, NOW, "run-1", entry_id="b" * 32)
    assert SeenArticle.from_json(json.dumps(moved.to_dict())) == moved
    assert moved.known_ids() == ("a" * 32, "b" * 32)
    # A store written before entry_id existed.
    old = {"id": "a" * 32, "content_hash": "h1", "version": 1, "first_seen": NOW, "run_id": "run-1"}
    assert SeenArticle.from_json(json.dumps(old)) == plain


def test_conditional_headers():
    assert conditional_headers(None) == {}
    assert conditional_headers(FeedState(last_success=NOW)) == {}
    assert conditional_headers(FeedState(etag='"x"', last_modified="Thu, 20 Mar 2025 08:30:00 GMT")) == {
        "If-None-Match": '"x"',
        "If-Modified-Since": "Thu, 20 Mar 2025 08:30:00 GMT",
    }


def test_feed_states_after_200_304_and_failure():
    previous = {
        "/a.xml": FeedState(etag='"old-a"', last_success="2026-01-01T00:00:00Z", last_status=200),
        "/b.xml": FeedState(etag='"b"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT", last_status=200),
        "/c.xml": FeedState(etag='"c"', last_success="2026-01-01T00:00:00Z", last_status=200),
    }
    keys = {
        "http://127.0.0.1:9/a.xml": "/a.xml",
        "http://127.0.0.1:9/b.xml": "/b.xml",
        "http://127.0.0.1:9/c.xml": "/c.xml",
    }
    reports = [
        {"feed_url": "http://127.0.0.1:9/a.xml", "ok": True, "status": 200, "etag": '"new-a"', "last_modified": None},
        {"feed_url": "http://127.0.0.1:9/b.xml", "ok": True, "status": 304, "etag": None, "last_modified": None},
        {"feed_url": "http://127.0.0.1:9/c.xml", "ok": False, "status": 200, "etag": '"bad"'},
        {"feed_url": "https://example.org/new.xml", "ok": True, "status": 200, "etag": '"n"'},
    ]
    states = update_feed_states(previous, reports, keys, NOW)
    assert states["/a.xml"] == FeedState(etag='"new-a"', last_success=NOW, last_status=200)
    # 304: the validators sent still hold.
    assert states["/b.xml"] == dataclasses.replace(previous["/b.xml"], last_status=304, last_success=NOW)
    # A failure keeps the last good validators and the last success.
    assert states["/c.xml"] == dataclasses.replace(previous["/c.xml"], last_failure=NOW)
    assert states["https://example.org/new.xml"].etag == '"n"'
    assert load_feed_states(dump_feed_states(states)) == states


def test_only_a_finished_run_with_state_commits_it():
    done = {"run_id": "r1", "state": "DONE", "incremental": {"seen": "s/seen/run=r1", "feeds": "s/feeds/run=r1.json"}}
    assert committed_state(done).seen == "s/seen/run=r1"
    assert committed_state({**done, "state": "FAILED"}) is None
    assert committed_state({"run_id": "r0", "state": "DONE"}) is None


def test_store_finds_the_newest_committed_state(tmp_path):
    output = str(tmp_path)
    manifests = tmp_path / "manifests"

    def manifest(run_id, state="DONE"):
        body = {"run_id": run_id, "state": state, "incremental": {"seen": f"seen/{run_id}", "feeds": None}}
        write_text_atomically(str(manifests / f"run={run_id}.json"), json.dumps(body))

    assert find_committed_state(output) is None
    manifest("20260101T000000Z-aaaaaa")
    manifest("20260102T000000Z-bbbbbb")
    manifest("20260103T000000Z-cccccc", state="FAILED")
    (manifests / "run=20260104T000000Z-dddddd.json").write_text('{"run_id": "trunc')  # a torn write
    (manifests / "run=20260105T000000Z-eeeeee.json.tmp").write_text("{}")  # an uncommitted temporary
    assert find_committed_state(output).run_id == "20260102T000000Z-bbbbbb"
    assert [m["run_id"] for m in committed_runs(output)] == ["20260101T000000Z-aaaaaa", "20260102T000000Z-bbbbbb"]
    assert sorted(p.name for p in manifests.glob("*.json")) == [
        "run=20260101T000000Z-aaaaaa.json",
        "run=20260102T000000Z-bbbbbb.json",
        "run=20260103T000000Z-cccccc.json",
        "run=20260104T000000Z-dddddd.json",
    ]


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    (root / "feed.xml").write_text("<rss><channel><title>t</title></channel></rss>", encoding="utf-8")
    with CorpusServer(root) as server:
        yield server


def test_feed_answers_304_to_its_own_etag(feed_server):
    settings = FetchSettings(allow_private_hosts=("127.0.0.1",), retries=0)
    first = fetch(feed_server.url("/feed.xml"), settings)
    validators = dict(first.headers)
    assert first.status == 200 and validators["ETag"].startswith('"')
    state = FeedState(etag=validators["ETag"], last_modified=validators["Last-Modified"])
    again = fetch(feed_server.url("/feed.xml"), settings, headers=conditional_headers(state))
    assert (again.status, again.content) == (304, b"")
    assert feed_server.last_headers["/feed.xml"]["If-None-Match"] == validators["ETag"]
    # A stale ETag gets the whole feed, even with a recent If-Modified-Since (If-None-Match wins).
    stale = fetch(
        feed_server.url("/feed.xml"), settings, headers=conditional_headers(dataclasses.replace(state, etag='"old"'))
    )
    assert stale.status == 200 and stale.content.startswith(b"<rss>")
    # Without an ETag, Last-Modified alone is enough.
    dated = fetch(feed_server.url("/feed.xml"), settings, headers={"If-Modified-Since": validators["Last-Modified"]})
    assert dated.status == 304


def _article(article_id: str, text: str) -> Article:
    return Article(
        id=article_id,
        url=f"https://example.org/{article_id}",
        canonical_url=f"https://example.org/{article_id}",
        entry_url=None,
        feed=None,
        site=None,
        title="Titre",
        authors=(),
        published_at=None,
        fetched_at=NOW,
        language="fr",
        text_source="page",
        text=text,
        normalization={"version": "1", "changes": {}},
    )


def test_mark_versions_skips_unchanged_and_numbers_changed(tmp_path):
    same, changed, new = "1" * 32, "2" * 32, "3" * 32
    store = tmp_path / "seen"
    store.mkdir()
    store.joinpath("part-00000-of-00001.jsonl").write_text(
        "\n".join(
            json.dumps(seen.to_dict())
            for seen in [
                SeenArticle(same, content_hash("Titre", "Inchangé."), 1, "2026-01-01T00:00:00Z", "r1"),
                SeenArticle(changed, content_hash("Titre", "Première version."), 1, "2026-01-01T00:00:00Z", "r1"),
                SeenArticle(changed, content_hash("Titre", "Deuxième version."), 2, "2026-01-01T00:00:00Z", "r2"),
            ]
        )
    )
    with test_pipeline() as pipeline:
        seen = pipeline | "ReadSeen" >> ReadSeen(str(store / "part-*"))
        articles = pipeline | beam.Create(
            [_article(same, "Inchangé."), _article(changed, "Troisième version."), _article(new, "Nouveau.")]
        )
        marked = (
            articles | MarkVersions(seen, NOW) | beam.Map(lambda a: (a.id, a.version, a.previous_hash, a.first_seen))
        )
        assert_that(
            marked,
            equal_to(
                [
                    (changed, 3, content_hash("Titre", "Deuxième version."), "2026-01-01T00:00:00Z"),
                    (new, 1, None, NOW),
                ]
            ),
        )


def test_incremental_profile_keys_and_full_flag():
    from guillemet.config import parse_config
    from guillemet.errors import ConfigError
    from pipeline.cli import build_parser

    base = "name: t\noutput: out\nfeeds:\n  - url: https://example.org/feed.xml\n"
    assert parse_config(base).incremental.enabled is True
    assert parse_config(base).incremental.state is None
    config = parse_config(base + "incremental:\n  enabled: false\n  state: gs://bucket/state\n")
    assert (config.incremental.enabled, config.incremental.state) == (False, "gs://bucket/state")
    with pytest.raises(ConfigError, match="incremental.since: unknown key"):
        parse_config(base + "incremental:\n  since: yesterday\n")
    args, rest = build_parser().parse_known_args(["run", "--config", "p.yaml", "--full", "--runner=FnApiRunner"])
    assert (args.full, rest) == (True, ["--runner=FnApiRunner"])
