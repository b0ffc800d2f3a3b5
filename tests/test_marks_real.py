"""Pairing of straight and mixed quotation marks as real copy writes them, and its cost."""

from __future__ import annotations

import pytest

from guillemet.quotes import marks
from guillemet.quotes.marks import find_marked_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mixed marks: a straight opening mark closed by a curly one.
        ('Le maire juge le projet "coûteux” à long terme.', ["coûteux"]),
        # Two straight fragments in one sentence.
        ('Le "non" gagne, dit-elle, "de peu".', ["non", "de peu"]),
        # Elision before a straight-quoted fragment.
        ('Il parle d\'"erreur" de calcul.', ["erreur"]),
        # A hard-wrapped dispatch line inside a fragment: the quote closes on the next line.
        ('La ville sera "prête\ndès lundi", selon le maire.', ["prête\ndès lundi"]),
        # A line whose first mark opens another quote does not continue the unclosed one.
        ('Il dit "oui\nUn autre "mot" ici.', ["oui", "mot"]),
        # Paragraphs that each reopen a guillemet: one quote over several paragraphs.
        ("« Un\n« Deux »", ["Un\n« Deux"]),
    ],
)
def test_pairing(text, expected):
    assert [text[s.start : s.end] for s in find_marked_spans(text) if s.depth == 0] == expected


def test_unclosed_quotes_on_many_lines_cost_linear_work(monkeypatch):
    calls = 0
    role = marks._role

    def counting(text, i):
        nonlocal calls
        calls += 1
        return role(text, i)

    monkeypatch.setattr(marks, "_role", counting)
    lines = 9000
    text = "\n".join(f"« ligne {n} jamais fermée" for n in range(lines))
    spans = find_marked_spans(text)
    assert len(spans) == 1 and spans[0].paragraphs == lines
    # Each mark's role is read a bounded number of times: the work grows with the text.
    assert calls <= 3 * lines
    calls = 0
    text = "\n".join(f'Le "mot {n} jamais fermé' for n in range(lines))
    assert len(find_marked_spans(text)) == lines
    assert calls <= 3 * lines
