"""``guillemet annotate`` and the per-article logic behind it."""

import io
import json
import subprocess
import sys

from guillemet.article import annotate, looks_like_html
from guillemet.normalize import normalize_text
from guillemet.schema import schema_errors
from tests.conftest import FIXTURE_CORPUS, ROOT


def _cli(*args, stdin: bytes | None = None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], input=stdin, capture_output=True, cwd=ROOT
    )  # no timeout: a test checks behaviour, never time (the machine may be loaded)


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


def test_stdin_is_one_article_unless_its_first_line_is_a_json_article(tmp_path):
    from guillemet.batch import open_inputs

    headline = '"Nous ne céderons pas"\nLe maire a répété « nous ne céderons pas » devant le conseil.'.encode()
    for content in (headline, b'{"titre": "x"}\nsuite', b"<!DOCTYPE html><html><body><p>x</p></body></html>"):
        inputs = open_inputs(["-"], io.BytesIO(content))
        assert not inputs.many and inputs.total == 1
        assert [s.content for s in inputs.sources] == [content]
    inputs = open_inputs(
        ["-"], io.BytesIO(b'{"text": "Titre\\nCorps"}\n\n{"html": "<p>x</p>", "url": "https://a.fr/b"}\n')
    )
    sources = list(inputs.sources)
    assert inputs.many and inputs.total is None
    assert [(s.name, s.form, s.url) for s in sources] == [("-:1", "text", None), ("-:3", "html", "https://a.fr/b")]
    assert sources[0].content == b"Titre\nCorps"


def test_cli_annotate_loads_no_model_when_no_input_is_to_be_parsed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    done = _cli("annotate", str(tmp_path / "absent.html"), str(empty))
    assert done.returncode == 1
    assert [r["stage"] for r in _lines(done)] == ["ReadInput", "ExtractText"]
    assert b"loaded fr_core_news" not in done.stderr  # the model's load is logged at INFO


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


def test_parser_lemmatizer_reads_indexed_forms_and_sets_the_shipped_lemmas():
    """The lemmatizer's known forms are dicts once ArticleParser loads the model, and its lemmas are
    those of the lists spacy-lookups-data ships, token for token (gold texts, an empty cache each)."""
    import numpy

    from guillemet.nlp import ArticleParser
    from guillemet.quotes.gold import load_gold

    parser = ArticleParser("sm").load()
    lemmatizer = parser.nlp.get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_index")
    assert len(table) and all(isinstance(table[key], dict) for key in table)
    texts = [article.text for article in load_gold(ROOT / "gold" / "quotes" / "dev")][:16]
    lemmatizer.cache.clear()
    docs = list(parser.nlp.pipe(texts))
    ours = [doc.to_array("LEMMA") for doc in docs]
    indexed = {key: table[key] for key in table}
    try:
        for key, forms in indexed.items():
            table[key] = list(forms)  # as shipped
        lemmatizer.cache.clear()
        for doc in docs:
            doc.from_array(["LEMMA"], numpy.zeros(len(doc), dtype="uint64"))
            lemmatizer(doc)
    finally:
        for key, forms in indexed.items():
            table[key] = forms
    assert sum(len(doc) for doc in docs) > 5000
    assert all(numpy.array_equal(a, doc.to_array("LEMMA")) for a, doc in zip(ours, docs, strict=True))


def _lines(done) -> list[dict]:
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def test_cli_annotate_many_inputs_one_line_each_in_input_order(fixture_server, tmp_path):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    articles = FIXTURE_CORPUS / "articles"
    (folder / "a.html").write_bytes((articles / "greve-tramway.html").read_bytes())
    (folder / "sub" / "b.htm").write_bytes((articles / "conseil-municipal.html").read_bytes())
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not an article file: skipped
    (folder / ".draft.html").write_bytes((articles / "greve-tramway.html").read_bytes())  # hidden: skipped
    text = tmp_path / "depeche.txt"
    text.write_text("Titre de la dépêche\n« Nous irons jusqu'au bout », a déclaré la maire.", encoding="utf-8")
    done = _cli(
        "annotate",
        str(folder),
        str(tmp_path / "absent.html"),
        fixture_server.url("/articles/removed.html"),
        str(text),
        "--no-nlp",
        "--allow-host",
        "127.0.0.1",
    )
    assert done.returncode == 1, done.stderr.decode()  # two inputs gave no record
    records = _lines(done)
    assert len(records) == 5
    assert records[0]["title"].startswith("Grève du tramway")
    assert "Hélène Marchetti" in records[1]["text"]
    assert records[2]["stage"] == "ReadInput" and "cannot read" in records[2]["error"]
    assert records[2]["input_id"] == str(tmp_path / "absent.html")
    assert records[3]["stage"] == "FetchArticles" and records[3]["details"]["status"] == 404
    assert records[3]["url"] == fixture_server.url("/articles/removed.html")
    assert records[4]["text_source"] == "input" and records[4]["title"] == "Titre de la dépêche"
    for record in (records[0], records[1], records[4]):
        assert schema_errors(record) == []
    stderr = done.stderr.decode()
    assert "annotate: done, 5/5 inputs, 2 failed" in stderr
    assert f"{tmp_path / 'absent.html'}: cannot read" in stderr


def test_cli_annotate_json_lines_on_stdin_parsed_in_two_processes(seed_path):
    """JSON lines on stdin, parsed by two spaCy processes: records in input order, failures in
    their place, and each record the one the same steps give in one process."""
    from guillemet.article import annotate as build
    from guillemet.nlp import ArticleAnalyzer

    seed = seed_path.read_text(encoding="utf-8")
    page = (FIXTURE_CORPUS / "articles" / "conseil-municipal.html").read_text(encoding="utf-8")
    english = "Council vote\nThe city council voted on Tuesday to extend the tram line to the airport by 2030."
    lines = [
        json.dumps({"text": seed, "url": "https://example.org/poutine-kim"}),
        "",  # blank lines are skipped
        "{not json",
        json.dumps({"text": english}),
        json.dumps({"html": page, "url": "https://example.org/conseil"}),
        json.dumps({"title": "no text"}),
        json.dumps({"text": seed}),
    ]
    done = _cli("annotate", "-", "--model", "sm", "--workers", "2", stdin="\n".join(lines).encode("utf-8"))
    assert done.returncode == 1, done.stderr.decode()
    records = _lines(done)
    assert [r.get("stage") for r in records] == [None, "ReadInput", "ParseArticles", None, "ReadInput", None]
    assert [r["input_id"] for r in records if "stage" in r] == ["-:3", "-:4", "-:6"]
    assert "not French" in records[2]["error"]
    assert records[3]["url"] == "https://example.org/conseil"
    analyzer = ArticleAnalyzer("sm")
    expected = analyzer.annotate_one(build(seed.encode("utf-8"), "https://example.org/poutine-kim")).to_dict()
    assert records[0]["quotes"] == expected["quotes"] and records[0]["entities"] == expected["entities"]
    assert len(records[0]["quotes"]) >= 17
    assert records[5]["quotes"] == analyzer.annotate_one(build(seed.encode("utf-8"), form="text")).to_dict()["quotes"]
    assert any(q["speaker"]["name"] == "Hélène Marchetti" for q in records[3]["quotes"])


def test_progress_lines_on_a_log_and_live_on_a_terminal():
    import io

    from guillemet.batch import Progress

    now = [0.0]
    log = io.StringIO()
    progress = Progress(log, total=3, every_s=10, clock=lambda: now[0])
    for step, failed in ((4.0, False), (7.0, True), (1.0, False)):
        now[0] += step
        progress.update(failed)
    progress.close()
    assert log.getvalue().splitlines() == [
        "annotate: 2/3 inputs, 1 failed, 11 s, 0.18 inputs/s",
        "annotate: done, 3/3 inputs, 1 failed, 12 s, 0.25 inputs/s",
    ]

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress(screen, clock=lambda: now[0])
    now[0] += 1
    progress.update(False)
    progress.note("guillemet annotate: x: failed")
    progress.close()
    assert screen.getvalue().startswith("\rannotate: 1 inputs, 0 failed")
    assert (
        "\rguillemet annotate: x: failed\nannotate: done, 1 inputs" in screen.getvalue()
    )  # the live line cleared first
