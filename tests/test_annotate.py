"""``guillemet annotate`` and the per-article logic behind it."""

import json
import subprocess
import sys

from guillemet.article import annotate, looks_like_html
from guillemet.normalize import normalize_text
from guillemet.schema import schema_errors
from tests.conftest import FIXTURE_CORPUS, ROOT


def _cli(*args, stdin: bytes | None = None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120
    )


def test_seed_text_gives_a_valid_record(seed_path):
    raw = seed_path.read_text(encoding="utf-8")
    record = annotate(seed_path.read_bytes()).to_dict()
    assert schema_errors(record) == []
    assert record["text_source"] == "input"
    assert record["text"] == normalize_text(raw).text
    assert record["title"] == "« Nous soutenons toutes les décisions du gouvernement russe »"
    assert record["normalization"]["changes"]["apostrophes"] > 10


def test_cli_annotate_seed_file(seed_path):
    done = _cli("annotate", str(seed_path))
    assert done.returncode == 0, done.stderr.decode()
    record = json.loads(done.stdout)
    assert schema_errors(record) == []
    assert "Kim Jong Un" in record["text"]
    assert len(record["quotes"]) >= 17
    speakers = {quote["speaker"]["name"] for quote in record["quotes"]}
    assert {"Vladimir Poutine", "Kim Jong Un", "Maria Zajarova"} <= speakers


def test_cli_annotate_html_from_stdin():
    page = (FIXTURE_CORPUS / "articles" / "greve-tramway.html").read_bytes()
    done = _cli("annotate", "-", "--compact", "--no-nlp", stdin=page)
    assert done.returncode == 0, done.stderr.decode()
    assert len(done.stdout.decode().strip().splitlines()) == 1
    record = json.loads(done.stdout)
    assert schema_errors(record) == []
    assert record["text_source"] == "page"
    assert record["title"].startswith("Grève du tramway")
    assert "« Personne n'avait intérêt à ce que le conflit dure »" in record["text"]


def test_cli_annotate_url_on_the_local_server(fixture_server):
    done = _cli(
        "annotate", fixture_server.url("/articles/conseil-municipal.html"), "--model", "sm", "--allow-host", "127.0.0.1"
    )
    assert done.returncode == 0, done.stderr.decode()
    record = json.loads(done.stdout)
    assert schema_errors(record) == []
    assert any(q["speaker"]["name"] == "Hélène Marchetti" for q in record["quotes"])
    assert record["url"] == fixture_server.url("/articles/conseil-municipal.html")
    assert record["fetched_at"].endswith("Z")


def test_cli_annotate_failures_are_clear(fixture_server, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    done = _cli("annotate", str(empty), "--no-nlp")
    assert done.returncode == 1
    assert b"no article text" in done.stderr
    done = _cli("annotate", str(tmp_path / "absent.html"))
    assert done.returncode == 1
    assert b"cannot read" in done.stderr
    done = _cli("annotate", fixture_server.url("/articles/removed.html"), "--allow-host", "127.0.0.1")
    assert done.returncode == 1
    assert b"HTTP 404" in done.stderr


def test_latin1_text_input_is_decoded():
    record = annotate("Titre\nL'été à Genève, « déjà » brûlant.".encode("cp1252")).to_dict()
    assert "L'été à Genève" in record["text"]


def test_html_sniffing():
    assert looks_like_html(b"\xef\xbb\xbf<!DOCTYPE html><html>")
    assert looks_like_html(b"  <html lang='fr'>")
    assert not looks_like_html("« Une citation » en tête".encode())


def test_cli_annotate_refuses_private_addresses_unless_allowed(fixture_server):
    done = _cli("annotate", fixture_server.url("/articles/conseil-municipal.html"), "--no-nlp")
    assert done.returncode == 1
    assert b"destination refused" in done.stderr
