"""Cases of issue 15 that had no test of their own: a run cut into slices (``--feeds-per-run``) is
one job for the output's lock, so no other job starts between two of its slices; the commands over
committed runs (``reannotate``, ``export``, ``report``) refuse a mistyped flag or folder at start in
one line, and end quietly when their reader goes away."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from guillemet.localserver import CorpusServer
from pipeline.cli import EXIT_USAGE, main
from pipeline.lock import LOCK_NAME, OutputLockedError
from pipeline.run import run
from pipeline.slices import combined_summary, run_in_slices
from pipeline.store import committed_runs
from tests.conftest import ROOT
from tests.test_incremental import DEMO_ARTICLES, assert_exactly_once, committed_articles, copy_demo_corpus
from tests.test_lock import _cli, _profile_file


@pytest.fixture
def served(tmp_path):
    with CorpusServer(copy_demo_corpus(tmp_path / "corpus")) as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("commit_in_pipeline", [False, True], ids=["driver-commits", "pipeline-commits"])
def test_a_run_started_between_two_slices_of_a_sliced_run_is_refused(served, tmp_path, commit_in_pipeline):
    output = str(tmp_path / "out")
    impatient_path, impatient = _profile_file(tmp_path, served.base_url, output, 0)
    _, config = _profile_file(tmp_path, served.base_url, output, 3600)
    between = {}

    def slice_then_intrude(profile, beam_args, **options):
        summary = run(profile, beam_args, **options)
        if not between:  # after the first slice's commit, before the second slice starts
            between["lock_file"] = (tmp_path / "out" / LOCK_NAME).exists()
            between["committed"] = [m["run_id"] for m in committed_runs(output)]
            if commit_in_pipeline:
                try:
                    run(impatient, output=output)
                except OutputLockedError as error:
                    between["refused"] = str(error)
            else:
                other = _cli(impatient_path)
                between["cli"] = (other.wait(), *other.communicate())
        return summary

    slices = run_in_slices(
        config, 2, output=output, run_slice=slice_then_intrude, commit_in_pipeline=commit_in_pipeline
    )

    assert [s.state for s in slices] == ["DONE", "DONE"]
    assert between["committed"] == [slices[0].run_id]
    assert between["lock_file"], "the lock was given back between two slices"
    if commit_in_pipeline:
        assert f"another run holds the lock of {output} (run {slices[0].run_id}" in between["refused"]
    else:
        code, out, err = between["cli"]
        assert code == 75, (out, err)
        assert f"another run holds the lock of {output} (run {slices[0].run_id}, driver pid {os.getpid()}" in err
        assert len(err.strip().splitlines()) == 1 and out == ""
    # Only the two slices committed, every article once; the lock is given back after the last.
    assert [m["run_id"] for m in committed_runs(output)] == [s.run_id for s in slices]
    assert combined_summary(slices).articles_written == DEMO_ARTICLES
    assert_exactly_once(output, {r["id"] for r in committed_articles(output)})
    assert not (tmp_path / "out" / LOCK_NAME).exists()


@pytest.mark.slow
def test_a_sliced_run_refused_for_a_held_lock_runs_no_slice(served, tmp_path):
    output = str(tmp_path / "out")
    _, impatient = _profile_file(tmp_path, served.base_url, output, 0)
    ran = []

    def holder_slice(profile, beam_args, **options):
        ran.append(profile)
        return run(profile, beam_args, **options)

    def intrude_before_commit(summary):
        with pytest.raises(OutputLockedError, match="another run holds the lock"):
            run_in_slices(impatient, 1, output=output, run_slice=holder_slice)

    first = run(impatient, output=output, before_commit=intrude_before_commit)
    assert first.state == "DONE" and ran == []
    assert [m["run_id"] for m in committed_runs(output)] == [first.run_id]


DEMO_PROFILE = str(ROOT / "configs" / "demo.yaml")


def _one_line_refusal(capsys, argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_reannotate_refuses_a_mistyped_flag_and_an_output_with_no_run(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    empty = str(tmp_path / "empty")
    err = _one_line_refusal(capsys, ["reannotate", empty, "--config", DEMO_PROFILE, "--ouput", "x"])
    assert "reannotate: unknown flag --ouput" in err
    err = _one_line_refusal(capsys, ["reannotate", empty, "--config", DEMO_PROFILE, "--runner=DirectRunner"])
    assert f"reannotate: no committed run under {empty}" in err  # a Beam flag is still passed on
    err = _one_line_refusal(capsys, ["reannotate", str(tmp_path / "typo"), "--config", DEMO_PROFILE])
    assert f"reannotate: {tmp_path / 'typo'} is not a folder" in err
    assert not (tmp_path / "typo").exists() and list((tmp_path / "empty").iterdir()) == []


def test_export_and_report_refuse_a_folder_that_is_not_there(tmp_path, capsys):
    missing = str(tmp_path / "typo")
    err = _one_line_refusal(capsys, ["export", missing, "--quotes", str(tmp_path / "q.csv")])
    assert f"export: {missing} is not a folder" in err
    err = _one_line_refusal(capsys, ["report", missing, "--html", str(tmp_path / "r.html")])
    assert f"report: {missing} is not a folder" in err
    err = _one_line_refusal(capsys, ["export", str(tmp_path)])
    assert "export: give --quotes FILE and/or --entities FILE" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["export", "report"])
def test_export_and_report_end_quietly_when_their_reader_goes_away(tmp_path, command):
    """``guillemet export OUT --quotes q.csv | head``: stdout closed before the line is printed."""
    table = ["--quotes", str(tmp_path / "q.csv")] if command == "export" else ["--html", str(tmp_path / "r.html")]
    (tmp_path / "out").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", command, str(tmp_path / "out"), *table, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait() == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert (tmp_path / table[1].rsplit("/", 1)[1]).exists()


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("feeds: https://example.fr/rss.xml\n", "feeds: expected a list, got str"),
        ("feeds: []\n", "feeds: at least one feed is needed"),
        (
            "feeds:\n  - url: https://example.fr/rss.xml\n    language: francais\n",
            "feeds.0.language: 'francais' is not",
        ),
        (
            "feeds:\n  - url: https://example.fr/rss.xml\nfetch: {concurrency: 0}\n",
            "fetch.concurrency: must be greater",
        ),
        ("feeds:\n  - url: https://example.fr/rss.xml\nfetch: {a: [}\n", "not valid YAML: line 5, column 13: expected"),
        (
            "feeds:\n  - url: https://example.fr/rss.xml\noutput: elsewhere\n",
            "line 5, column 1: key 'output' given twice",
        ),
        ("feeds:\n  - {url: https://example.fr/a.xml, url: https://example.fr/b.xml}\n", "key 'url' given twice"),
    ],
    ids=["a-list", "a-check", "a-code", "a-range", "yaml", "twice", "twice-in-a-feed"],
)
def test_config_errors_speak_of_the_profile_not_of_pydantic_in_one_line(tmp_path, capsys, profile, expected):
    path = tmp_path / "mine.yaml"
    path.write_text("name: t\noutput: out\n" + profile, encoding="utf-8")
    err = _one_line_refusal(capsys, ["run", "--config", str(path)])
    assert f"{path}: " in err and expected in err, err
    for pydantic in ("Input should", "Value error", "valid tuple", "instance of", "pydantic"):
        assert pydantic not in err, err


def test_stream_and_reannotate_refuse_a_mistyped_flag_and_a_missing_model_at_start(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    output = str(tmp_path / "out")
    profile = tmp_path / "lg.yaml"
    profile.write_text(
        f"name: t\noutput: {output}\nfeeds:\n  - url: http://127.0.0.1:9/feed.xml\nnlp: {{model: lg}}\n",
        encoding="utf-8",
    )
    err = _one_line_refusal(capsys, ["stream", "--config", str(profile), "--max-polls", "1", "--ouput", "x"])
    assert "stream: unknown flag --ouput (did you mean --output?)" in err
    for argv in (
        ["stream", "--config", str(profile), "--max-polls", "1"],
        ["reannotate", output, "--config", str(profile)],
    ):
        err = _one_line_refusal(capsys, [*argv, "--runner=FnApiRunner"])
        assert "nlp.model: 'lg' is not an installed spaCy model" in err, argv
    assert list((tmp_path / "out").iterdir()) == []  # refused before the lock or anything else
