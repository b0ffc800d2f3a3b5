"""The run's counter names have one home (``guillemet/counters.py``): every name the summaries and
the progress line read, and every name the stages and CommitRun write, is one of its names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from guillemet import counters
from pipeline.progress import describe
from pipeline.summary import RunSummary, StreamSummary

ROOT = Path(__file__).resolve().parent.parent
# A counter name as typed: ``Stage.what`` or ``things.what`` (file names excluded below).
NAME = re.compile(r"^(?:[A-Z][A-Za-z]+|[a-z_]+)\.[a-z_]+$")
NOT_COUNTERS = re.compile(
    r"\.(?:py|json|jsonl|tsv|txt|yaml|md|html|xml)$|^(?:apache_beam|pipeline|transforms|guillemet|spacy)\."
)


class _Asked(dict):
    """Counts that remember every name asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.asked.add(name)
        return super().__getitem__(name)


@pytest.mark.parametrize("summary_class", [RunSummary, StreamSummary])
def test_every_name_a_summary_reads_is_a_known_counter(summary_class):
    summary = summary_class(run_id="r", config=None, config_digest="d", runner="FnApiRunner", started_at="t")
    summary.counters = _Asked()
    summary.to_dict()
    summary.render()
    assert summary.counters.asked, "the summary read no counter: the check would prove nothing"
    assert summary.counters.asked <= counters.KNOWN, summary.counters.asked - counters.KNOWN


@pytest.mark.parametrize("nlp", [True, False])
def test_every_name_the_progress_line_reads_is_a_known_counter(nlp):
    counts = _Asked()
    describe(counts, feeds_total=2, elapsed_s=1.0, nlp=nlp)
    assert counts.asked and counts.asked <= counters.KNOWN, counts.asked - counters.KNOWN


def _typed_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if NAME.match(node.value) and not NOT_COUNTERS.search(node.value):
                names.add(node.value)
    return names


# Where counters are named: the stages, the graphs and what reads their metrics.
SOURCES = [
    *sorted((ROOT / "transforms").glob("*.py")),
    *(
        ROOT / "pipeline" / name
        for name in ("graph.py", "progress.py", "reannotate.py", "run.py", "session.py", "stream.py", "summary.py")
    ),
]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_counter_name_typed_in_the_code_is_a_known_counter(path):
    unknown = _typed_names(path) - counters.KNOWN
    assert not unknown, f"{path.name} types counter names guillemet/counters.py does not hold: {sorted(unknown)}"


def test_the_home_holds_each_stage_s_three_counters():
    for stage in counters.DEAD_LETTER_STAGES:
        assert {f"{stage}.in", f"{stage}.out", f"{stage}.failed"} <= counters.KNOWN
    assert counters.stage_failed(counters.DEDUP_ARTICLES) == "DedupArticles.failed"
