"""Entity consolidation on the real model, the NER gold reader, and eval-entities."""

import json
import subprocess
import sys

import pytest

from guillemet.article import annotate
from guillemet.entities import consolidate, raw_mentions
from guillemet.ner_gold import read_webanno, score
from guillemet.nlp import ArticleAnalyzer
from guillemet.normalize import normalize_text
from tests.conftest import REALWORLD, ROOT


def _entities(nlp, raw: str):
    return {e.name: e for e in consolidate(nlp(normalize_text(raw).text))}


def test_mentions_of_one_person_are_one_entity_named_in_full(nlp_md):
    entities = _entities(
        nlp_md,
        "Le président russe Vladimir Poutine a reçu la presse. M. Poutine a parlé longtemps. "
        "Plus tard, Poutine est reparti vers Moscou.",
    )
    person = entities["Vladimir Poutine"]
    assert person.label == "PER" and person.count == 3
    assert "Poutine" not in entities and "M. Poutine" not in entities


def test_seed_entities_are_repaired_and_consistent(nlp_md, seed_path):
    text = normalize_text(seed_path.read_text(encoding="utf-8")).text
    doc = nlp_md(text)
    entities = {e.name: e for e in consolidate(doc)}
    assert entities["Kim Jong Un"].label == "PER"  # "Kim Jong" repaired, "Kim" joined
    assert entities["Maria Zajarova"].label == "PER" and entities["Maria Zajarova"].count == 2  # Zajarova (MISC) joined
    assert not {"C'", "J'", "Maintenant"} & set(entities)
    for entity in entities.values():
        for start, end in entity.mentions:
            assert 0 <= start < end <= len(text)
    raw_names = {m.text for m in raw_mentions(doc)}
    assert "Kim Jong" in raw_names  # what the model says before repair


def test_acronym_joins_its_organisation(nlp_md):
    entities = _entities(
        nlp_md, "L'Office français de la biodiversité (OFB) a mesuré l'oxygène. Selon l'OFB, la rivière meurt."
    )
    (office,) = [e for e in entities.values() if "biodiversité" in e.name]
    assert office.count >= 2


def test_speakers_link_to_their_entity(seed_path):
    article = ArticleAnalyzer("md").annotate_one(annotate(seed_path.read_bytes()))
    ids = {entity.id: entity for entity in article.entities}
    linked = [q for q in article.quotes if q.speaker.get("entity_id")]
    assert len(linked) >= 15
    for quote in linked:
        assert ids[quote.speaker["entity_id"]].name == quote.speaker["name"]


def test_webanno_reader_and_scores(tmp_path):
    tsv = tmp_path / "toy.webanno.tsv"
    tsv.write_text(
        "#FORMAT=WebAnno TSV 3.2\n#T_SP=webanno.custom.Quaero_NamedEntities|value\n\n\n"
        "#Text=Marie Curie vit à Paris .\n"
        "1-1\t0-5\tMarie\tpers.ind[1]\t\n1-2\t6-11\tCurie\tpers.ind[1]\t\n1-3\t12-15\tvit\t_\t\n"
        "1-4\t16-17\tà\t_\t\n1-5\t18-23\tParis\tloc.adm.town\t\n1-6\t24-25\t.\ttime.date.abs\t\n",
        encoding="utf-8",
    )
    document = read_webanno(tsv)
    assert document.text == "Marie Curie vit à Paris ."
    assert document.mentions == ((0, 11, "PER"), (18, 23, "LOC"))
    assert score(list(document.mentions), [(0, 11, "PER"), (18, 23, "ORG")])["f1"] == 0.5


@pytest.mark.realworld
def test_eval_entities_consolidation_never_loses(realworld):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "eval-entities", str(REALWORLD / "ner"), "--json", "-q"],
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    report = json.loads(done.stdout)
    assert len(report["corpora"]) >= 4
    for corpus, scores in report["corpora"].items():
        assert scores["consolidated"]["f1"] >= scores["raw"]["f1"] - 0.005, corpus
    assert report["all"]["consolidated"]["f1"] > report["all"]["raw"]["f1"]


def test_titles_are_not_names_and_dashes_end_names(nlp_md):
    entities = _entities(
        nlp_md,
        "Le Premier ministre a reçu Margaret Thatcher. La mission de James Webb – Sept ans de travaux – commence.",
    )
    assert "Premier ministre" not in entities
    assert not any("Sept" in name for name in entities)


def test_other_labels_join_a_person_only_by_the_surname():
    import spacy
    from spacy.tokens import Span

    doc = spacy.blank("fr")(
        "Un concile à Saintes, sous l'évêque de Saintes Boson. Maria Zajarova a parlé. Zajarova a ri."
    )
    at = [token.text for token in doc]
    first_saintes, second_saintes = (i for i, text in enumerate(at) if text == "Saintes")
    maria, alone = at.index("Maria"), len(at) - 1 - at[::-1].index("Zajarova")
    doc.ents = [
        Span(doc, first_saintes, first_saintes + 1, "LOC"),
        Span(doc, second_saintes, second_saintes + 2, "PER"),  # the model ran the place into the name
        Span(doc, maria, maria + 2, "PER"),
        Span(doc, alone, alone + 1, "MISC"),
    ]
    entities = {(e.name, e.label): e.count for e in consolidate(doc)}
    assert entities == {("Saintes", "LOC"): 1, ("Saintes Boson", "PER"): 1, ("Maria Zajarova", "PER"): 2}
