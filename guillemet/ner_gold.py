"""Reading French NER gold in WebAnno TSV 3.2 with Quaero types, and scoring mentions against it.

The Quaero gold in ``../shared/realworld/ner`` tags types and subtypes (``pers.ind``, ``org.adm``,
``loc.adm.town``, ``time.date.abs``, ``amount``…). We keep the three that spaCy's French models
also predict, by their first component: ``pers.*`` → PER, ``org.*`` → ORG, ``loc.*`` → LOC. The
others (``prod``, ``time``, ``amount``, ``func``, ``event``) have no spaCy counterpart; spaCy's MISC
is therefore not scored (documented in docs/entities.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUAERO_TO_LABEL = {"pers": "PER", "org": "ORG", "loc": "LOC"}
SCORED = ("PER", "ORG", "LOC")


@dataclass(frozen=True)
class NerDocument:
    id: str
    text: str
    mentions: tuple[tuple[int, int, str], ...]  # (start, end, label) into text


def read_webanno(path: Path) -> NerDocument:
    """Reads one WebAnno TSV 3.2 file: the text is rebuilt from its token offsets."""
    chars: dict[int, str] = {}
    entities: dict[str, list] = {}  # key → [start, end, label]
    length = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) < 4 or "-" not in columns[1]:
            continue
        start, end = (int(x) for x in columns[1].split("-"))
        token = columns[2]
        for offset, char in enumerate(token[: end - start]):
            chars[start + offset] = char
        length = max(length, end)
        for position, value in enumerate(columns[3].split("|")):
            if value in ("_", "*", ""):
                continue
            match = re.match(r"^([a-z]+)[^\[]*(?:\[(\d+)\])?$", value)
            if not match or match.group(1) not in QUAERO_TO_LABEL:
                continue
            label = QUAERO_TO_LABEL[match.group(1)]
            # A multi-token entity carries an id in brackets; a single-token one has none.
            key = f"{value}" if match.group(2) else f"{value}@{start}#{position}"
            if key in entities:
                entities[key][1] = end
            else:
                entities[key] = [start, end, label]
    text = "".join(chars.get(i, " ") for i in range(length))
    mentions = tuple(sorted({(s, e, label) for s, e, label in entities.values()}))
    return NerDocument(path.name.removesuffix(".webanno.tsv"), text, mentions)


def load_ner_gold(folder: str | Path) -> list[NerDocument]:
    """Every ``*.webanno.tsv`` file of a folder."""
    return [read_webanno(path) for path in sorted(Path(folder).glob("*.webanno.tsv"))]


_ELIDED = re.compile(r"^[ldLDjJ]['’]")


def without_elision(text: str, mention: tuple[int, int, str]) -> tuple[int, int, str]:
    """A mention's span without a leading elided article."""
    # The gold's tokens are whitespace-separated, so "l'Afrique" is one token and its mention
    # includes the elided article; spaCy separates "l'". Both sides are compared without it.
    start, end, label = mention
    return (start + 2, end, label) if _ELIDED.match(text[start:end]) and end - start > 2 else mention


def score(
    gold: list[tuple[int, int, str]], predicted: list[tuple[int, int, str]], text: str | None = None
) -> dict[str, float | int]:
    """Exact-match mention scores (same span and label), over PER, ORG and LOC.

    With ``text``, a leading elided article ("l'", "d'") is left out of both sides' spans.
    """
    if text is not None:
        gold = [without_elision(text, m) for m in gold]
        predicted = [without_elision(text, m) for m in predicted]
    gold_set = {m for m in gold if m[2] in SCORED}
    predicted_set = {m for m in predicted if m[2] in SCORED}
    correct = len(gold_set & predicted_set)
    precision = correct / len(predicted_set) if predicted_set else 0.0
    recall = correct / len(gold_set) if gold_set else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "gold": len(gold_set),
        "predicted": len(predicted_set),
        "correct": correct,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }
