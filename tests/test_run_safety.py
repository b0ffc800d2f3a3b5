"""No single input stops a run or takes another's place (issue 15): each case through the whole
pipeline on the local FnApiRunner, against a corpus served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guillemet.config import parse_config
from guillemet.mentions import ArticleMentions, Cluster, Mention
from pipeline.run import run

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{{{{BASE_URL}}}}/articles/{canonical}.html">
</head><body><main><article><h1>{title}</h1>
{paragraphs}
</article></main></body></html>
"""

FILLER = (
    "<p>La séance s’est prolongée tard dans la soirée, et les représentants des deux délégations ont"
    " promis de se retrouver la semaine prochaine pour poursuivre les discussions sur le calendrier.</p>"
)

# Speakers written in other scripts, and names of odd Unicode: each must be an article, not a crash.
SPEAKERS = {
    "grec": "Γιάννης Παπαδόπουλος",
    "cyrillique": "Владимир Путин",
    "arabe": "محمد علي",
    "hebreu": "דוד כהן",
    "marques": "Ȧ\u0301\u0301 Ж\u200d",
    "pleine-chasse": "Ｊｅａｎ Ｍａｒｔｉｎ",
}


def _page(title: str, canonical: str, speaker: str) -> str:
    quote = (
        f"<p>« Nous ne céderons sur rien, ni aujourd’hui ni demain », a déclaré {speaker} mardi soir devant"
        f" les journalistes réunis à Paris. {speaker} a ajouté que les négociations reprendraient.</p>"
    )
    return PAGE.format(title=title, canonical=canonical, paragraphs=quote + FILLER * 2)


def _feed(items: list[str]) -> str:
    entries = "".join(
        f"<item><title>{slug}</title><link>{{{{BASE_URL}}}}/articles/{slug}.html</link><guid>g-{slug}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 07:30:00 GMT</pubDate></item>"
        for slug in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Essai</title>'
        f"<link>{{{{BASE_URL}}}}/</link><description>d</description>{entries}</channel></rss>"
    )


def _profile(root: Path, nlp: str) -> str:
    return f"""
name: safety
output: unused
serve: {{root: {root}}}
feeds: [{{url: /feeds/essai.xml, name: Essai}}]
fetch: {{read_timeout_s: 2, total_timeout_s: 4, retries: 0, per_host_delay_s: 0, per_host_concurrency: 8,
        allow_private_hosts: [127.0.0.1], robots_txt: false}}
extract: {{min_text_chars: 50}}
nlp: {nlp}
"""


def _lines(directory: str) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(Path(directory).glob("part-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _corpus(root: Path, pages: dict[str, str]) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "feeds").mkdir()
    for slug, html in pages.items():
        (root / "articles" / f"{slug}.html").write_text(html, encoding="utf-8")
    (root / "feeds" / "essai.xml").write_text(_feed(list(pages)), encoding="utf-8")
    return root


# Two pages declaring one canonical URL, each with its own quote and speaker.
DUPLICATES = {
    "double-a": _page("Première version", "double", "Jeanne Lefort"),
    "double-b": _page("Seconde version", "double", "Marc Aubry"),
}


@pytest.fixture(scope="module")
def nlp_run(tmp_path_factory):
    """One run with the real sm model: the speakers in other scripts, and two pages sharing a canonical URL."""
    pages = {slug: _page(f"Déclaration {slug}", slug, name) for slug, name in SPEAKERS.items()}
    root = _corpus(tmp_path_factory.mktemp("corpus"), {**pages, **DUPLICATES})
    output = tmp_path_factory.mktemp("out")
    config = parse_config(_profile(root, "{model: sm}"), "safety.yaml")
    return run(config, ["--runner=FnApiRunner"], output=str(output))


def test_names_in_any_script_are_keys_and_link_to_their_own_entity():
    from guillemet.nlp import name_key

    assert name_key("ΓΙΆΝΝΗΣ Παπαδόπουλος") == name_key("γιάννης  παπαδόπουλος") is not None
    assert name_key("\u0301\u0301 ") is None

    def cluster(index: int, name: str) -> Cluster:
        mention = Mention(0, len(name), "PER", name, tuple(name.split()), 0, 0, len(name))
        return Cluster(index, [mention], name, "PER", f"e-{index}")

    mentions = ArticleMentions([cluster(0, "Γιάννης Παπαδόπουλος"), cluster(1, "محمد علي"), cluster(2, "Poutine")], {})
    names = ("γιάννης  ΠΑΠΑΔΌΠΟΥΛΟΣ", "محمد علي", "Владимир Путин", "poutine", None, "\u0301")
    linked = [getattr(mentions.cluster_named(name), "id", None) for name in names]
    # Before: canonical_name folded every non-Latin name to None: a crash, or the wrong entity.
    assert linked == ["e-0", "e-1", None, "e-2", None, None]


@pytest.mark.slow
def test_speakers_in_other_scripts_are_written_not_a_failed_run(nlp_run):
    assert nlp_run.state == "DONE"
    written = {a["url"].rsplit("/", 1)[-1].removesuffix(".html"): a for a in _lines(nlp_run.outputs["articles"])}
    dead = _lines(nlp_run.outputs["dead"])
    assert set(SPEAKERS) <= set(written), (sorted(written), dead)
    assert not [d for d in dead if d["stage"] != "DedupArticles"], dead
    for article in written.values():
        for quote in article["quotes"]:
            assert article["text"][quote["start"] : quote["end"]] == quote["text"]


@pytest.mark.slow
def test_one_record_per_canonical_url_with_its_own_quotes(nlp_run):
    articles = _lines(nlp_run.outputs["articles"])
    ids = [a["id"] for a in articles]
    assert len(ids) == len(set(ids))
    (kept,) = [a for a in articles if a["canonical_url"].endswith("/articles/double.html")]
    assert kept["url"].endswith("/double-a.html")  # the same page wins whatever the order of arrival
    for quote in kept["quotes"]:
        assert kept["text"][quote["start"] : quote["end"]] == quote["text"]
    assert "Marc Aubry" not in json.dumps(kept["quotes"], ensure_ascii=False)
    (dead,) = [d for d in _lines(nlp_run.outputs["dead"]) if d["stage"] == "DedupArticles"]
    assert dead["url"].endswith("/double-b.html") and dead["details"]["kept_url"] == kept["url"]
    assert dead["error"].startswith("duplicate canonical URL")
    assert nlp_run.dead_letters_by_stage == {"DedupArticles": 1}


@pytest.mark.slow
def test_without_nlp_one_record_per_canonical_url(tmp_path):
    root = _corpus(tmp_path / "corpus", DUPLICATES)
    summary = run(
        parse_config(_profile(root, "{enabled: false}"), "safety.yaml"),
        ["--runner=FnApiRunner"],
        output=str(tmp_path / "out"),
    )
    articles = _lines(summary.outputs["articles"])
    assert [a["url"].rsplit("/", 1)[-1] for a in articles] == ["double-a.html"]
    assert [d["stage"] for d in _lines(summary.outputs["dead"])] == ["DedupArticles"]
    assert summary.articles_written + summary.count("dead_letters.written") == summary.entries_read


def test_a_join_that_raises_is_that_articles_dead_letter():
    """The general guard: whatever raises in one article's join is its dead letter, not the run's end."""
    from apache_beam.pvalue import TaggedOutput

    from guillemet.article import build_article
    from guillemet.extract import article_from_text
    from transforms.nlp import _JoinFn, text_key

    article = build_article(article_from_text("Titre\n" + "Un texte en français assez long. " * 5, "http://e.fr/a"))
    key = text_key(article)
    # Quotes that are not quotes: clear_non_persons raises on them.
    grouped = {"article": [article], "quotes": [(key, [object()])], "entities": [(key, ())]}
    (output,) = list(_JoinFn(True, True).process((article.id, grouped)))
    assert isinstance(output, TaggedOutput)
    assert (output.value.stage, output.value.input_id, output.value.url) == ("JoinAnnotations", article.id, article.url)


# The command line: what makes no sense is refused before anything runs (exit 2, one line).


def _empty_profile(tmp_path: Path, nlp: str = "{enabled: false}") -> Path:
    """A profile whose only feed is missing from its served corpus: every feed fails."""
    root = tmp_path / "corpus"
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    profile = tmp_path / "profile.yaml"
    text = _profile(root, nlp).replace("/feeds/essai.xml", "/feeds/absent.xml")
    profile.write_text(text.replace("output: unused", f"output: {tmp_path / 'out'}"), encoding="utf-8")
    return profile


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    from pipeline.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _manifests(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "out").glob("manifests/*.json"))


def test_a_mistyped_flag_is_refused_with_a_suggestion(tmp_path, capsys):
    profile = _empty_profile(tmp_path)
    code, _, err = _main(["run", "--config", str(profile), "--ouput", str(tmp_path / "elsewhere")], capsys)
    assert code == 2
    assert "unknown flag --ouput (did you mean --output?)" in err and len(err.strip().splitlines()) == 1
    assert _manifests(tmp_path) == []


def test_beam_flags_are_still_passed_on():
    from pipeline.options import unknown_flags

    flags = ["--runner=FnApiRunner", "--direct_num_workers", "2", "--project=p", "--no_auth", "--experiments=x"]
    assert unknown_flags(flags, ["--output"]) == []


def test_a_model_that_is_not_installed_is_refused_at_start(tmp_path, capsys):
    profile = _empty_profile(tmp_path, "{model: lg}")
    code, _, err = _main(["run", "--config", str(profile)], capsys)
    assert code == 2
    assert "nlp.model: 'lg' is not an installed spaCy model" in err and len(err.strip().splitlines()) == 1
    assert _manifests(tmp_path) == []


def test_a_summary_path_that_cannot_be_written_is_refused_before_the_run(tmp_path, capsys):
    profile = _empty_profile(tmp_path)
    code, _, err = _main(["run", "--config", str(profile), "--summary-json", str(tmp_path / "no" / "s.json")], capsys)
    assert code == 2 and "--summary-json" in err and len(err.strip().splitlines()) == 1
    assert _manifests(tmp_path) == []


@pytest.mark.slow
def test_every_feed_failed_and_a_summary_lost_after_the_commit_have_their_own_codes(tmp_path, capsys):
    """One run: every feed fails (exit 5, not DONE-and-0); its summary goes to a device that is
    full (/dev/full: the path checks out, the write fails after the commit): said on stderr."""
    profile = _empty_profile(tmp_path)
    code, out, err = _main(["run", "--config", str(profile), "--summary-json", "/dev/full"], capsys)
    assert code == 5, (out, err)
    assert "every feed failed (1 of 1)" in err
    assert "the run is committed, but --summary-json /dev/full could not be written" in err
    assert len(_manifests(tmp_path)) == 1


@pytest.mark.slow
def test_a_reader_that_goes_away_ends_the_printing_quietly(tmp_path):
    """``guillemet run … | true``: stdout is closed before the summary is printed."""
    import os
    import subprocess
    import sys

    profile = _empty_profile(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    runner = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--config", str(profile), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    runner.stdout.close()  # the reader is gone before anything is printed
    err = runner.stderr.read().decode()
    assert runner.wait() == 5, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
