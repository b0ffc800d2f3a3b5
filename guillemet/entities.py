"""Named entities of one article: the clusters of ``guillemet.mentions`` as ``Entity`` records.

spaCy tags mentions one by one; an article wants entities. ``consolidate`` reads the article's
mention clusters (built once, and shared with speaker resolution, so that a speaker's
``entity_id`` is its cluster's by construction):

- junk mentions are dropped: elided articles ("C'", "J'"), single common words at the start of a
  sentence ("Maintenant", "Interrogée"), titles alone ("Premier ministre"), marks and numbers; a
  dash ends a name ("James Webb – Sept");
- truncated names are repaired over the capitalised words that follow ("Kim Jong" + "Un"), and
  titles are left out of the name ("M. Poutine" → "Poutine");
- people spaCy misses are added ("M. Lemaire", a known first name before a capitalised word), and a
  person's name is cut out of another label's mention ("Transports Anne-Laure Desmoulins", ORG);
- mentions of one entity are clustered ("Poutine", "M. Poutine", "Vladimir Poutine") and named by
  the fullest form; an acronym joins the name it abbreviates ("Office français de la biodiversité
  (OFB)");
- labels are made consistent within the article by the cluster's strongest evidence (Zajarova is a
  PER because Maria Zajarova is).

Labels are PER, ORG, LOC and MISC (spaCy's French labels).
"""

from __future__ import annotations

from guillemet.mentions import ArticleMentions, Cluster, Mention
from guillemet.records import Entity


def raw_mentions(doc) -> list[Mention]:
    """spaCy's mentions as they are, with its labels."""
    return [
        Mention(
            e.start_char,
            e.end_char,
            e.label_,
            e.text,
            tuple(t.text for t in e),
            e.start,
            e.start_char,
            e.end_char,
            token_end=e.end,
        )
        for e in doc.ents
    ]


def entity_of(cluster: Cluster) -> Entity:
    """The record of one cluster."""
    spans = tuple(sorted((m.start, m.end) for m in cluster.mentions))
    return Entity(id=cluster.id, name=cluster.name, label=cluster.label, mentions=spans, count=len(spans))


def consolidate(doc, text: str | None = None) -> list[Entity]:
    """The entities of a parsed article (see the module docstring), in order of first mention.

    ``text`` is ``doc.text`` when the caller already holds it (spaCy rebuilds it on each call).
    """
    return [entity_of(cluster) for cluster in ArticleMentions.of(doc, text).clusters]


def mention_labels(entities: list[Entity]) -> list[tuple[int, int, str]]:
    """Each mention of each entity with its (consolidated) label, for evaluation."""
    return sorted((start, end, entity.label) for entity in entities for start, end in entity.mentions)
