"""Typed blocks of an article's text and which blocks may hold a quotation."""

from __future__ import annotations

import pytest
from lxml import etree

from guillemet.records import Block
from guillemet.structure import (
    block_rejection,
    body_blocks,
    classify_line,
    filter_quotes,
    has_interview_layout,
    text_blocks,
)


@pytest.mark.parametrize(
    ("line", "tag_kind", "expected"),
    [
        ("Le maire a ouvert la séance à huit heures.", "paragraph", "paragraph"),
        ("• Le parking sera gratuit tout l'été.", "paragraph", "list_item"),
        ("- Le parking sera gratuit tout l'été.", "paragraph", "paragraph"),
        ("Ouverture au public : lundi 3 juin", "paragraph", "label_line"),
        ("À lire aussi : La mairie change de logo", "paragraph", "related"),
        ("Lire aussi Le port attend ses nouveaux quais", "paragraph", "related"),
        (">> Le résumé du conseil municipal", "paragraph", "related"),
        ("Crédits photos : Studio Nord", "paragraph", "credit"),
        ("Cet article est réservé aux abonnés.", "paragraph", "paywall"),
        ("— Radio Côte (@radiocote) May 2, 2021", "paragraph", "embed"),
        ("Le but en vidéo https://t.co/AbCdEf12", "blockquote", "embed"),
        ("Une saison sans défaite", "heading", "heading"),
        ("Les arbres resteront debout.", "blockquote", "blockquote"),
    ],
)
def test_classify_line(line, tag_kind, expected):
    assert classify_line(line, tag_kind) == expected


def test_text_blocks_one_per_line_with_offsets():
    text = "Titre du jour\n\nLe conseil s'est réuni.\n• un point\n"
    blocks = text_blocks(text)
    assert [text[b.start : b.end] for b in blocks] == ["Titre du jour", "Le conseil s'est réuni.", "• un point"]
    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "list_item"]


def test_body_blocks_follow_the_markup():
    body = etree.fromstring(
        "<body><head>Le port rouvre</head><p>Le quai est prêt depuis lundi matin.</p>"
        "<list><item>Une grue neuve</item><item>Deux bassins</item></list>"
        "<quote><p>#Port<lb/>Belle vue https://t.co/xyz</p>— Ville (@ville) June 1, 2020</quote></body>"
    )
    text = (
        "Le port rouvre\nLe quai est prêt depuis lundi matin.\n- Une grue neuve\n- Deux bassins\n"
        "#Port\nBelle vue https://t.co/xyz\n— Ville (@ville) June 1, 2020"
    )
    kinds = [(text[b.start : b.end], b.kind) for b in body_blocks(body, text)]
    assert kinds == [
        ("Le port rouvre", "heading"),
        ("Le quai est prêt depuis lundi matin.", "paragraph"),
        ("- Une grue neuve", "list_item"),
        ("- Deux bassins", "list_item"),
        ("#Port", "embed"),
        ("Belle vue https://t.co/xyz", "embed"),
        ("— Ville (@ville) June 1, 2020", "embed"),
    ]


TEXT = (
    "Le maire parle.\n"  # 0..15
    "• Le parking sera gratuit.\n"
    "• Elle a dit : « Nous ouvrirons demain ».\n"
    "À lire aussi : « Le port est prêt », dit le maire\n"
)


def _span(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


@pytest.mark.parametrize(
    ("fragment", "kind", "cue", "expected"),
    [
        # An unmarked bullet is never an interview answer.
        ("Le parking sera gratuit.", "direct", None, "list_item"),
        # A marked quotation with its own cue inside a bullet stays.
        ("Nous ouvrirons demain", "direct", "dit", None),
        # A marked span without a cue in a bullet does not.
        ("Nous ouvrirons demain", "direct", None, "list_item"),
        # A link to another article never holds this article's quotation.
        ("Le port est prêt", "direct", "dit", "related"),
        # A paragraph is not judged here.
        ("Le maire parle.", "direct", None, None),
    ],
)
def test_block_rejection(fragment, kind, cue, expected):
    blocks = text_blocks(TEXT)
    start, end = _span(fragment)
    assert block_rejection(TEXT, start, end, kind, cue, blocks) == expected


def test_filter_quotes_without_blocks_keeps_everything():
    class _Q:
        start, end, kind, cue = 0, 5, "direct", None

    quotes = (_Q(),)
    assert filter_quotes(quotes, TEXT, ()) == quotes
    assert filter_quotes(quotes, TEXT, (Block(0, 15, "related"),)) == ()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Vous êtes arrivé quand ?", "- En mars.", "Et ensuite ?", "- J'ai ouvert."], True),
        (["- En mars, à pied.", "- Puis j'ai ouvert la boutique."], True),
        # One dash line (a date separator) is not an interview.
        (["Le maire parle.", "—", "Le conseil vote."], False),
        (["Le port rouvre.", "— Ville (@ville) June 1, 2020"], False),
    ],
)
def test_has_interview_layout(lines, expected):
    text = "\n".join(lines)
    assert has_interview_layout(text, text_blocks(text)) is expected


def test_unmarked_cueless_quote_needs_an_interview_layout():
    text = "Le maire parle.\nLe parking sera gratuit tout l'été."
    blocks = text_blocks(text)
    start = text.index("Le parking")
    assert block_rejection(text, start, len(text), "direct", None, blocks, interview=False) == "no_interview"
    assert block_rejection(text, start, len(text), "direct", None, blocks, interview=True) is None


def test_template_code_is_an_embed():
    assert classify_line('{{ item.status === "published" ? "Publié" : "Brouillon" }}') == "embed"


def test_an_empty_quote_is_rejected():
    text = "Le maire parle.\n—\nLe conseil vote."
    start = text.index("—") + 1
    assert block_rejection(text, start, start + 1, "direct", None, text_blocks(text)) == "empty"


@pytest.mark.parametrize(
    ("text", "probe", "cursor"),
    [
        ("Le quai est prêt.\nLe quai\u00a0est\n prêt depuis lundi.", "Le quai est prêt depuis", 0),
        ("Le quai est prêt.\nLe quai\u00a0est\n prêt depuis lundi.", "quai est", 5),
        ("Le port, le port rouvre", "le port rouvre", 0),
        ("aaab aab", "aab", 0),
        ("un mot", "un  mot", 0),
        ("un mot", "absent", 0),
        ("un mot", "mot", 6),
        ("unmot un\u2009mot", "un mot", 0),
    ],
)
def test_words_found_as_the_whitespace_expression_finds_them(text, probe, cursor):
    # body_blocks finds each element's words in the text; the expression w1\s+w2… is the reference.
    import re

    from guillemet.structure import _find_words, _find_words_end

    match = re.compile(r"\s+".join(re.escape(word) for word in probe.split())).search(text, cursor)
    assert _find_words(text, probe, cursor) == (match.start() if match else -1)
    assert _find_words_end(text, probe, cursor) == (match.end() if match else cursor + 1)
