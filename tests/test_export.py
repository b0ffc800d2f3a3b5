"""``guillemet export``: committed runs only, latest versions, typed tables read back by pyarrow,
pandas (when installed) and DuckDB; the clusters on fixtures with known answers; gs:// output."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from guillemet.analysis.clusters import MIN_WORDS, QUOTE_THRESHOLD, near_duplicate_groups
from guillemet.analysis.runs import read_archive
from guillemet.config import load_config
from pipeline.cli import main
from pipeline.run import RunSummary, run, write_manifest
from tests.conftest import ROOT
from tests.test_gcs import emulator  # noqa: F401 - the GCS emulator fixture

pytestmark = pytest.mark.slow

DEMO_ARTICLES = 12


def _write_run(output: Path, run_id: str, records: list[dict], state: str) -> None:
    """A run written as the pipeline lays it out, committed (or not) by the driver's own writer."""
    folder = output / "articles" / "dt=2026-12-01" / f"run={run_id}"
    folder.mkdir(parents=True)
    (folder / "part-00000-of-00001.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    summary = RunSummary(run_id, "configs/demo.yaml", "test", "FnApiRunner", "2026-12-01T23:00:00Z", state=state)
    summary.outputs = {"articles": str(folder)}
    write_manifest(summary, str(output / "manifests" / f"run={run_id}.json"))


@pytest.fixture(scope="module")
def versioned(tmp_path_factory, demo):
    """The demo output copied, plus a committed run with version 2 of one article and a failed run
    whose records must never be read."""
    import shutil

    output = tmp_path_factory.mktemp("versioned") / "out"
    shutil.copytree(demo.output, output)
    (first,) = read_archive(str(output)).runs
    articles = read_archive(str(output)).articles
    changed = copy.deepcopy(articles[0])
    changed.pop("_run_id")
    changed.update(version=2, previous_hash=changed["content_hash"], content_hash="0" * 32)
    changed["quotes"] = changed["quotes"][:1]
    _write_run(output, "29991231T000000Z-aaaaaa", [changed], "DONE")
    ghost = copy.deepcopy(changed)
    ghost.update(version=3, quotes=[])
    _write_run(output, "29991231T000001Z-bbbbbb", [ghost], "FAILED")
    return output, first, articles, changed


def test_committed_runs_only_and_latest_versions(versioned):
    output, first, articles, changed = versioned
    archive = read_archive(str(output))
    assert [m["run_id"] for m in archive.runs] == [first["run_id"], "29991231T000000Z-aaaaaa"]
    assert len(archive.articles) == DEMO_ARTICLES == len({a["id"] for a in archive.articles})
    (kept,) = [a for a in archive.articles if a["id"] == changed["id"]]
    assert kept["version"] == 2 and len(kept["quotes"]) == 1
    assert len(archive.dead_letters) == 1 and len(archive.feed_reports) == 4


def test_export_parquet_and_csv_read_back(versioned, tmp_path):
    output, _, articles, changed = versioned
    quotes, entities = tmp_path / "quotes.parquet", tmp_path / "entities.csv"
    assert main(["export", str(output), "--quotes", str(quotes), "--entities", str(entities)]) == 0
    expected = sum(len(a["quotes"]) for a in articles if a["id"] != changed["id"]) + 1
    table = pq.read_table(quotes)
    assert table.num_rows == expected
    assert table.schema.field("published_at").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("fetched_at").type == pa.timestamp("ms", tz="UTC")
    rows = table.to_pylist()
    assert all(r["url"] and r["site"] and r["feed_url"] and r["quote"] and r["kind"] for r in rows)
    assert sum(1 for r in rows if r["speaker_name"]) >= 0.8 * len(rows)
    assert all(r["cluster"] for r in rows)
    assert len({r["quote_id"] for r in rows}) == len(rows)

    duckdb = pytest.importorskip("duckdb").connect()
    per_site = dict(duckdb.execute(f"select site, count(*) from '{quotes}' group by site").fetchall())
    assert sum(per_site.values()) == expected and len(per_site) == 4
    typed = duckdb.execute(f"select typeof(published_at) from '{quotes}' limit 1").fetchone()[0]
    assert typed.startswith("TIMESTAMP")
    (n_entities,) = duckdb.execute(f"select count(*) from read_csv_auto('{entities}')").fetchone()
    assert n_entities == sum(len(a["entities"]) for a in read_archive(str(output)).articles)
    try:
        import pandas
    except ImportError:
        return
    frame = pandas.read_parquet(quotes)
    assert len(frame) == expected and str(frame["published_at"].dtype).startswith("datetime64")


def test_since_until_keep_the_articles_of_those_days(versioned, tmp_path):
    output, *_ = versioned
    days = sorted({a["published_at"][:10] for a in read_archive(str(output)).articles})
    middle = date.fromisoformat(days[len(days) // 2])
    kept = read_archive(str(output), since=middle, until=middle).articles
    assert kept and all(a["published_at"].startswith(middle.isoformat()) for a in kept)
    later = read_archive(str(output), since=middle).articles
    assert len(kept) < len(later) < DEMO_ARTICLES
    out = tmp_path / "q.csv"
    assert main(["export", str(output), "--quotes", str(out), "--since", middle.isoformat()]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + sum(len(a["quotes"]) for a in later)


# Our own fixture quotes: three stories told by several outlets in slightly different words, and
# quotes that share words without being the same (they must stay apart).
KNOWN = [
    ("a", "Nous ne fermerons aucune école rurale à la rentrée prochaine, je m'y engage"),
    ("a", "Nous ne fermerons aucune école rurale à la rentrée prochaine, je m’y engage."),
    ("a", "NOUS NE FERMERONS AUCUNE ÉCOLE RURALE À LA RENTRÉE PROCHAINE, JE M'Y ENGAGE"),
    ("a", "nous ne fermerons aucune ecole rurale a la rentree prochaine je m y engage solennellement"),
    ("b", "Le barrage sera rehaussé de quatre mètres d'ici la fin de l'année 2027"),
    ("b", "le barrage sera rehaussé de quatre mètres d'ici la fin de l'année 2027, a-t-il précisé"),
    ("c", "Les éleveurs de la vallée attendent toujours les indemnités promises après la sécheresse"),
    ("c", "« Les éleveurs de la vallée attendent toujours les indemnités promises après la sécheresse »"),
    ("d", "Nous ne fermerons aucune gare de la vallée cette année"),
    ("e", "Le barrage ne sera pas rehaussé avant la fin du mandat municipal"),
    ("f", "Les éleveurs de la plaine ont reçu leurs indemnités en juin"),
    ("g", "C'est faux"),
    ("h", "C'est faux"),
]


def test_quote_clusters_on_known_fixtures():
    groups = near_duplicate_groups([text for _, text in KNOWN], QUOTE_THRESHOLD, min_words=MIN_WORDS)
    truth = [label for label, _ in KNOWN]
    pairs = [(i, j) for i in range(len(KNOWN)) for j in range(i + 1, len(KNOWN))]
    predicted = {(i, j) for i, j in pairs if groups[i] == groups[j]}
    actual = {(i, j) for i, j in pairs if truth[i] == truth[j]}
    true_positive = len(predicted & actual)
    precision = true_positive / len(predicted)
    recall = true_positive / len(actual)
    assert precision == 1.0, sorted(predicted - actual)
    assert recall >= 0.85, sorted(actual - predicted)
    assert groups[0] == 0 and groups[4] == 4  # a cluster is named by its earliest quote


def test_export_report_and_reannotate_on_gcs(emulator, tmp_path):  # noqa: F811 - the fixture
    """The three commands on gs:// output (the GCS emulator of tests/test_gcs.py)."""
    from pipeline.reannotate import reannotate
    from tests.test_gcs import BUCKET

    output = f"gs://{BUCKET}/analysis"
    config = load_config(ROOT / "configs" / "demo.yaml")
    assert run(config, output=output).state == "DONE"
    quotes = tmp_path / "quotes.parquet"
    assert main(["export", output, "--quotes", str(quotes)]) == 0
    first = pq.read_table(quotes).to_pylist()
    assert len({r["article_id"] for r in first}) == DEMO_ARTICLES and len(first) >= 60
    html = tmp_path / "report.html"
    assert main(["report", output, "--html", str(html)]) == 0
    assert html.read_text(encoding="utf-8").count('id="per-site-mark-') == 4

    small = config.model_copy(update={"nlp": config.nlp.model_copy(update={"model": "sm"})})
    again = reannotate(small, output)
    assert again.state == "DONE" and again.articles_written == DEMO_ARTICLES
    assert emulator.bucket(BUCKET).blob(f"analysis/manifests/run={again.run_id}.json").exists()
    assert main(["export", output, "--quotes", str(quotes)]) == 0
    assert {r["run_id"] for r in pq.read_table(quotes).to_pylist()} == {again.run_id}
