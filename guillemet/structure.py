"""The structure of an article's text: typed blocks, and which blocks may hold a quotation.

Extraction flattens a page into lines; a bulleted list, a "Label : text" line, a photo credit, an
embedded tweet or a "Lire aussi" link then read like paragraphs of an interview. This module keeps
what the page said about each block (trafilatura's XML: ``<list>/<item>``, ``<head>``, ``<quote>``,
``<table>``) plus a few line patterns for what the markup does not say, and decides, for each
quote, whether its block may hold a quotation at all (:func:`block_rejection`). Beam-free, spaCy-free.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence

from guillemet.records import Block, Quote

_LOGGER = logging.getLogger(__name__)

#: Blocks whose text is never a quotation of the article, marks or not: links to other articles,
#: reader comments, paywall notices, embedded posts, credits.
HARD_KINDS = frozenset({"related", "comment", "paywall", "embed", "credit"})
#: Blocks that hold a quotation only when it is marked and has its own cue (a bullet "X a dit
#: « … »" is a quotation; a bullet, a "Label : value" line, a caption or an intertitle without marks
#: is not, and is never the answer of an interview).
SOFT_KINDS = frozenset({"list_item", "label_line", "caption", "heading", "table"})

_OPENING_MARKS = '«“"„‹'
_RELATED_RE = re.compile(
    r"^\s*(?:[>»]+\s*)?(?:[àa]\s+lire\s+(?:aussi|également|egalement)|lire\s+(?:aussi|également|egalement|:)|"
    r"voir\s+aussi|sur\s+le\s+même\s+sujet|articles?\s+en\s+relation|revivez\b|voir\s+les\s+contributions|"
    r"en\s+vidéo\s*[,:]|[àa]\s+voir\s+(?:aussi|également)|pour\s+aller\s+plus\s+loin|nos\s+articles\s+sur)",
    re.IGNORECASE,
)
_ARROW_RE = re.compile(r"^\s*(?:>>|»\s)")
_CREDIT_RE = re.compile(r"^\s*(?:\(?(?:photo|crédits?(?:\s+photos?)?|illustration|image)\s*:|©)", re.IGNORECASE)
_PAYWALL_RE = re.compile(
    r"(?:réservé\w* aux abonnés|il vous reste \d+(?:[.,]\d+)?\s?% de (?:l.|cet )article|abonnez-vous|déjà abonné"
    r"|\bnewsletter\b|inscrivez-vous|passer la publicité|pour lire la suite|créez votre compte|connectez-vous"
    r"|offre découverte|liste de diffusion|vous désabonner"
    r"|accès à tous les articles)",
    re.IGNORECASE,
)
# A subscription offer alone on its short line: "1€ le 1er mois puis 12€ par mois".
_OFFER_RE = re.compile(r"\d\s?€\s?(?:\*\s?)?(?:le|par|/)\s?(?:\d\w*\s)?mois", re.IGNORECASE)
_OFFER_MAX_CHARS = 60
# Embedded posts (t.co links, "— Name (@handle) date" attributions), iframes, and page templates
# left in the text ("{{ controller.status === "published" ? … }}").
_EMBED_RE = re.compile(r"(?:https?://t\.co/|pic\.twitter\.com|^\s*[—–-]\s*[^\n]{1,60}\(@\w+\)|<iframe|\{\{.*\}\})")
# "DATE : 27/09/2020", "Ont voté contre : 10 députés", "Crédits photos : X": a short label (no
# verb-like length), a colon, then the value; a "Name : « quote »" line is one too, and passes
# the filter through its marks.
_LABEL_RE = re.compile(r"^\s*(?:[-–•>]\s*)?[^\s:«»\"“”.!?][^:«»\"“”.!?\n]{0,40}?\s?:\s+\S")
# A "- " or "— " line of plain text may be an interview turn: only unambiguous bullets here (the
# page's <list> markup says which dashed lines are list items).
_BULLET_RE = re.compile(r"^\s*(?:[•*▪]\s|\d{1,2}\s?[-)]\s?\S)")
_DASH_RE = re.compile(r"^\s*[—–-]")
# A photo caption: a short line that ends with its credit ("(Photo X. AFP)", "/ AFP", "© Studio")
# or opens as one ("Photo d'illustration", "Légende :").
_CAPTION_RE = re.compile(
    r"(?:\((?:photos?|crédits?|illustration|image)\b[^()]*\)\s*$|(?:©|\s/)\s*[A-Z][\w .&-]{1,40}\s*$"
    r"|^\s*(?:photo d.illustration|légende\s*:))",
    re.IGNORECASE,
)
# The header of a comment section, alone on its line: "12 commentaires", "Réagir", "Vos réactions (3)".
_COMMENT_HEADER_RE = re.compile(
    r"^\s*(?:(?:les|vos|\d+)\s+)?(?:commentaires?|contributions?)\s*(?:\(\d+\))?\s*:?\s*$"
    r"|^\s*(?:vos|\d+)\s+réactions?\s*(?:\(\d+\))?\s*:?\s*$"
    r"|^\s*(?:réagir|réagissez|laisser un commentaire|ajouter un commentaire|écrire un commentaire)\b.{0,40}$",
    re.IGNORECASE,
)
# A comment's stamp: "18/02/2020 à 16:42", "Pseudo le 22/11/2024 à 10h12", "Pseudo, le 3 mars 2021 à 8:05".
_COMMENT_STAMP_RE = re.compile(
    r"^\s*(?:(?!(?:publié|posté|mis|mise|modifié|créé|actualisé|màj)\b)\S+(?:\s\S+)?,?\s+le\s+)?(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\s+\w+\s+\d{4})\s+(?:à\s+)?\d{1,2}\s?[:h]\s?\d{2}\s*$",
    re.IGNORECASE,
)
_SECOND_PERSON_RE = re.compile(r"\b(?:vous|votre|vos)\b", re.IGNORECASE)


def classify_line(line: str, tag_kind: str = "paragraph") -> str:
    """The kind of one block of text, from its markup kind and its words.

    Args:
        line: The block's text.
        tag_kind: What the markup says (``paragraph``, ``heading``, ``list_item``, ``blockquote``,
            ``table``); line patterns refine a paragraph or a blockquote.
    """
    if _EMBED_RE.search(line):
        return "embed"
    if _RELATED_RE.match(line) or _ARROW_RE.match(line):
        return "related"
    if _CREDIT_RE.match(line):
        return "credit"
    if (_PAYWALL_RE.search(line) and len(line) < 300) or (_OFFER_RE.search(line) and len(line) < _OFFER_MAX_CHARS):
        return "paywall"
    if _COMMENT_STAMP_RE.match(line):
        return "comment"
    if _CAPTION_RE.search(line) and len(line) < 300 and tag_kind != "blockquote":
        return "caption"
    if tag_kind in ("heading", "list_item", "table", "blockquote", "embed"):
        return tag_kind
    if _BULLET_RE.match(line):
        return "list_item"
    if _LABEL_RE.match(line) and len(line) < 400:
        return "label_line"
    return tag_kind


def text_blocks(text: str) -> tuple[Block, ...]:
    """Blocks of a plain text: one per non-empty line, typed by :func:`classify_line`."""
    blocks = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        if not line.strip():
            continue
        blocks.append(Block(match.start(), match.end(), classify_line(line)))
    return _comment_sections(text, blocks)


#: Kinds a comment section keeps: a link or a notice inside it is still what it is.
_KEPT_IN_COMMENTS = frozenset({"related", "paywall", "embed", "credit"})


def _comment_sections(text: str, blocks: Sequence[Block]) -> tuple[Block, ...]:
    """The blocks with a reader-comment section typed ``comment``: everything from its header
    ("12 commentaires", "Réagir") or its first stamped comment ("Pseudo le 18/02/2020 à 16:42") on.

    Readers' words are not the article's quotations, marked or not; a comment section is the page's
    last part, so the section opens only in the second half of the text and runs to its end (a
    stamp line in the first half stays one comment line).
    """
    inside = False
    typed = []
    half = len(text) // 2
    for block in blocks:
        if (
            not inside
            and block.start >= half
            and (block.kind == "comment" or _COMMENT_HEADER_RE.match(text[block.start : block.end]))
        ):
            inside = True
        if inside and block.kind not in _KEPT_IN_COMMENTS:
            block = Block(block.start, block.end, "comment")
        typed.append(block)
    return _paywall_tail(text, typed)


# The notice that ends what a page gives of its article: "Il vous reste 60 % de cet article à lire",
# "La suite est réservée aux abonnés", "Pour lire la suite".
_PAYWALL_END_RE = re.compile(
    r"(?:il vous reste \d+(?:[.,]\d+)?\s?% de|la suite est réservée|pour lire la suite|lire la suite de cet article)",
    re.IGNORECASE,
)
_KEPT_AFTER_PAYWALL = frozenset({"related", "embed", "credit", "comment"})


def _paywall_tail(text: str, blocks: Sequence[Block]) -> tuple[Block, ...]:
    """The blocks with everything after a paywall's closing notice typed ``paywall``: the offers,
    the sign-in lines and the teasers that follow it ("créez votre compte", "1 € le premier mois")
    are no part of the article. Only a notice in the second half of the text closes it (a first
    line "Article réservé aux abonnés" does not), and links, embeds, credits and comments keep
    their kind."""
    half = len(text) // 2
    closed = False
    typed = []
    for block in blocks:
        if closed and block.kind not in _KEPT_AFTER_PAYWALL:
            block = Block(block.start, block.end, "paywall")
        elif not closed and block.start >= half and _PAYWALL_END_RE.search(text[block.start : block.end]):
            closed = True
        typed.append(block)
    return tuple(typed)


def _element_kind(tag: str) -> str:
    return {"head": "heading", "item": "list_item", "quote": "blockquote", "table": "table", "row": "table"}.get(
        tag, "paragraph"
    )


def _element_text(element) -> str:
    """An element's text, a line break where trafilatura renders one (``<lb/>``, inner ``<p>``)."""
    parts: list[str] = []

    def render(node, top: bool) -> None:
        if not top and node.tag in ("lb", "p", "item", "row", "head"):
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            render(child, False)
            if child.tag in ("p", "item", "row", "head"):
                parts.append("\n")
            parts.append(child.tail or "")

    render(element, True)
    return "".join(parts)


def _walk(body) -> Iterable[tuple[str, str]]:
    """(markup kind, text) of each block element of trafilatura's XML body, in document order."""
    for element in body:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "list":
            for item in element.iter("item"):
                yield "list_item", _element_text(item)
        elif tag == "table":
            for row in element.iter("row"):
                yield "table", _element_text(row)
        else:
            element_text = _element_text(element)
            kind = _element_kind(tag)
            # A tweet or a post embedded as a blockquote: all its lines, the hashtag line too.
            if kind == "blockquote" and _EMBED_RE.search(element_text):
                kind = "embed"
            yield kind, element_text


def body_blocks(body, text: str) -> tuple[Block, ...]:
    """Typed blocks of an extracted text, from the XML body trafilatura built it from.

    Each element's text is found in ``text`` from where the previous one ended (the text is
    trafilatura's rendering of the same body), and the lines it covers become a block whose kind the
    markup gives (refined by :func:`classify_line`). Lines no element accounts for are typed by
    their words alone, so no line of the text is without a block.

    Args:
        body: trafilatura's ``Document.body`` (an lxml element), or None.
        text: The text trafilatura rendered from it.
    """
    if body is None:
        return text_blocks(text)
    kinds: dict[int, str] = {}  # line start -> markup kind
    line_starts = [m.start() for m in re.finditer(r"[^\n]+", text)]
    cursor = 0
    for tag_kind, element_text in _walk(body):
        words = element_text.split()
        if not words:
            continue
        probe = " ".join(words[:6])
        position = _find_words(text, probe, cursor)
        if position < 0:
            continue
        end = _find_words_end(text, " ".join(words[-4:]), position)
        for start in _lines_between(line_starts, position, end):
            kinds.setdefault(start, tag_kind)
        cursor = max(cursor, position + 1)
    blocks = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        if line.strip():
            blocks.append(Block(match.start(), match.end(), classify_line(line, kinds.get(match.start(), "paragraph"))))
    return _comment_sections(text, _embedded_posts(text, blocks))


_POST_ATTRIBUTION_RE = re.compile(r"^\s*[—–-]\s*[^\n]{1,60}\(@\w+\)")


def _embedded_posts(text: str, blocks: Sequence[Block]) -> list[Block]:
    """The blocks with the lines of an embedded post typed ``embed``: the blockquote lines just
    before its "— Name (@handle) date" line (a tweet whose lines the page renders as separate
    quotes, "⚠️ #COVID | …" / "Si vous êtes … médecin." / "— Olivier Véran (@olivierveran) …")."""
    typed = list(blocks)
    for index in range(len(typed) - 1, 0, -1):
        block = typed[index]
        if block.kind != "embed" or not _POST_ATTRIBUTION_RE.match(text[block.start : block.end]):
            continue
        before = index - 1
        while before >= 0 and typed[before].kind == "blockquote":
            typed[before] = Block(typed[before].start, typed[before].end, "embed")
            before -= 1
    return typed


def _words_at(text: str, words: list[str], cursor: int) -> tuple[int, int] | None:
    """The first ``(start, end)`` from ``cursor`` of the words separated by whitespace, as the
    expression ``w1\\s+w2\\s+…`` would find it, without compiling one for each line (which cost
    more than the rest of the extraction's text mapping): ``\\s`` and ``str.split`` agree on
    what whitespace is, and a word holds none, so each candidate start has one reading."""
    if not words:
        return cursor, cursor
    first, rest = words[0], words[1:]
    size = len(text)
    start = text.find(first, cursor)
    while start >= 0:
        at = start + len(first)
        for word in rest:
            gap = at
            while gap < size and text[gap].isspace():
                gap += 1
            if gap == at or not text.startswith(word, gap):
                break
            at = gap + len(word)
        else:
            return start, at
        start = text.find(first, start + 1)
    return None


def _find_words(text: str, probe: str, cursor: int) -> int:
    found = _words_at(text, probe.split(), cursor)
    return found[0] if found else -1


def _find_words_end(text: str, probe: str, start: int) -> int:
    found = _words_at(text, probe.split(), start)
    return found[1] if found else start + 1


def _lines_between(line_starts: Sequence[int], start: int, end: int) -> list[int]:
    import bisect

    first = max(0, bisect.bisect_right(line_starts, start) - 1)
    last = bisect.bisect_left(line_starts, end)
    return list(line_starts[first:last])


def map_blocks(blocks: Iterable[Block], from_source) -> tuple[Block, ...]:
    """Blocks of a raw text moved onto its normalised text (``from_source``: the normaliser's map)."""
    moved = []
    for block in blocks:
        start, end = from_source(block.start, block.end)
        if end > start:
            moved.append(Block(start, end, block.kind))
    return tuple(moved)


def block_at(blocks: Sequence[Block], offset: int, starts: Sequence[int] | None = None) -> Block | None:
    """The block holding ``offset`` (blocks sorted by start; ``starts``: their starts), or None."""
    import bisect

    index = bisect.bisect_right(starts if starts is not None else [b.start for b in blocks], offset) - 1
    if index >= 0 and blocks[index].start <= offset < blocks[index].end:
        return blocks[index]
    return None


def _marked(text: str, start: int, end: int) -> bool:
    """Whether the span is inside quotation marks (the mark just before it, or its first character)."""
    before = text[max(0, start - 2) : start + 1]
    return any(mark in before for mark in _OPENING_MARKS)


#: Indefinite or personal pronouns an ``unknown`` speaker may be: no source in reach.
_NO_SOURCE_WORDS = frozenset({"on", "l'on", "personne", "nous", "je", "j'", "vous", "certains", "chacun", "tous"})


def speaker_in_reach(speaker, nominal=None) -> bool:
    """Whether a quote's speaker was found near it: a named, described or pronoun source, not the
    last speaker carried over (``previous_speaker``) nor an ``unknown`` subject that is missing,
    a pronoun ("on", "personne") or, when ``nominal`` (a callable ``(start, end) -> bool``, from
    the parse) says so, a one-word subject that is not a name (a verb, an adjective or a bare
    common noun taken for one: "ajouter", "exigeant", "dépit").
    """
    if not speaker:
        return False
    resolution = speaker.get("resolution")
    if resolution == "previous_speaker":
        return False
    if resolution != "unknown":
        return True
    words = (speaker.get("text") or "").split()
    if not words or (len(words) == 1 and words[0].lower() in _NO_SOURCE_WORDS):
        return False
    if len(words) == 1 and nominal is not None and speaker.get("start") is not None:
        return nominal(speaker["start"], speaker["end"])
    return True


def _cue_adjacent(text: str, start: int, end: int, cue: str | None, reach: int = 4) -> bool:
    """Whether a word of the cue stands within ``reach`` words before the quote's opening mark or
    after its closing one ("qualifié de « lourd »", "« sereine », a dit"), in the same sentence."""
    if not cue:
        return False
    head = cue.split()[-1] if cue.startswith(("se ", "s'")) else cue.split()[0]
    stem = head.lower()[: max(4, len(head) - 2)]
    before = re.split(r"[.!?\n]", text[max(0, start - 80) : start])[-1].split()[-reach - 1 :]
    after = re.split(r"[.!?\n]", text[end : end + 80])[0].split()[: reach + 1]
    words = [re.sub(r"^\W+|\W+$", "", word.lower()) for word in before + after]
    return any(
        word.startswith(stem) and not _NOMINALISATION_RE.search(word) and not (index and words[index - 1] == "pour")
        for index, word in enumerate(words)
    )


#: A noun made from the verb is no cue ("des publications « en grappe »" for publier).
_NOMINALISATION_RE = re.compile(r"(?:tions?|ments?|eurs?|euses?|trices?|ures?|ages?)$")


#: "Il faut dire que", "ce qui veut dire que", "c'est-à-dire que", "autant dire que": set phrases
#: of the narrator, not a verb of saying with a source.
_IDIOM_BEFORE_RE = re.compile(
    r"(?:\b(?:faut|fallait|faudra|faudrait|veut|voulait|voudrait|veulent|autant|inutile\s+de|est-ce\s+à|à\s+vrai)"
    r"|c['’]est-à-)\s*dire\s*(?:qu['’]|que\s|,\s*)?\s*$",
    re.IGNORECASE,
)

#: The writer's own voice before reported content: a first-person plural imperative opening its
#: sentence or its clause ("Notons que", "Précisons encore qu'", "…, notons simplement que"), an impersonal verb of saying
#: ("il est intéressant de noter que", "il faut rappeler que", "force est de constater que") or
#: advice ("mieux vaut s'assurer que", "autant vous dire que"). Nobody is reported.
_ADVERBS = r"(?:\s+(?:donc|encore|aussi|également|enfin|simplement|seulement|d['’]abord|toutefois|cependant|néanmoins|pourtant|ici|bien))*"
_WRITER_VOICE_RE = re.compile(
    r"(?:(?:^|[.!?:;\n]\s*|\b(?:et|mais|or|ainsi|enfin)\s+)[A-ZÀ-Ý][a-zà-ÿ]+ons" + _ADVERBS + r"\s*(?:,\s*)?"
    r"|,\s*[a-zà-ÿ]+ons" + _ADVERBS + r"\s*(?:,\s*)?"
    r"|\b[Ii]l\s+(?:est|était|sera|serait|reste|faut|fallait|faudra|faudrait|convient|importe)\s+(?:\w+\s+){0,3}?"
    r"(?:(?:de|d['’]|à)\s*)?(?:noter|souligner|rappeler|préciser|constater|remarquer|observer|signaler|dire|"
    r"reconnaître|admettre|ajouter)\s+"
    r"|\b[Ff]orce\s+est\s+de\s+(?:constater|reconnaître|admettre)\s+"
    r"|\b(?:[Mm]ieux|[Aa]utant)\s+vaut\s+(?:s['’]assurer|dire|rappeler|préciser|noter|savoir)\s+"
    r"|\b[Aa]utant\s+(?:vous|te|le)\s+dire\s+"
    r")(?:\w+\s+){0,2}?qu(?:e\b|['’])\s*$",
)

#: "il faut noter", "il est clair", "comme il a été précisé": an impersonal "il" is nobody.
_IMPERSONAL_RE = re.compile(
    r"il\s+(?:ne\s+|n['’]\s*)?(?:(?:est|était|sera|serait|semble|paraît)\s+(?:\w+\s+){0,2}?(?:de|d['’])\s*\w"
    r"|(?:a|avait|aura|aurait)\s+été\s+(?:\w+\s+)?\w+[ée]\b(?!\s+par\b)"
    r"|(?:faut|fallait|faudra|faudrait|convient|suffit|importe|s['’]agit|y\s+a)\b)",
    re.IGNORECASE,
)


def _impersonal(text: str, speaker) -> bool:
    """Whether a pronoun speaker is an impersonal "il" ("il faut noter", "il a été précisé")."""
    if not speaker or speaker.get("start") is None or (speaker.get("text") or "").lower() != "il":
        return False
    return _IMPERSONAL_RE.match(text, speaker["start"]) is not None


#: A title given as a reference to read or watch: "(lire « Un romancier hors norme »)", "voir aussi « … »".
_REFERENCE_BEFORE_RE = re.compile(
    r"(?:^|[(\[\n.—–-]\s*)(?:[Ll]ire|[Rr]elire|[Vv]oir|[ÉéEe]couter|[Rr]egarder)(?:\s+(?:aussi|également|notre\s+article|l['’]article))?"
    r"\s*:?\s*[«“\"„]\s*$"
)

#: "l'idée selon laquelle …": the content of an idea, a thesis or a rumour that nobody is said to
#: voice (the "selon" finder otherwise takes the last speaker for its source).
_CONTENT_NOUN_SELON_RE = re.compile(
    r"\b(?:idée|thèse|hypothèse|théorie|rumeur|croyance|conviction|légende|logique|doctrine|principe|règle|vision)"
    r"(?:\s+[\w’'-]+){0,2}\s+selon\s+(?:laquelle|lequel|lesquelles|lesquels)\s*,?\s*$",
    re.IGNORECASE,
)

#: "si elle estime que …", "s'il juge que …": a verb of saying in a condition reports no utterance
#: ("même si", "comme si" aside: "même si le maire affirme que …" reports one).
_CONDITION_BEFORE_RE = re.compile(
    r"(?<![Mm]ême )(?<![Cc]omme )\b(?:[Ss]i\s+|[Ss]['’](?=ils?\b))(?:[\w’'-]+\s+){1,4}?qu(?:e\b|['’])\s*$"
)
#: Reported speech shifts to the third person: unmarked content whose subject is "je" is the
#: writer's own sentence (a blog's "Pour ce groupe, je rejoins …").
_FIRST_PERSON_RE = re.compile(r"\s*(?:je\s|j['’])", re.IGNORECASE)
#: "ne relève que de …", "n'a fait que …": the "que" of a restriction ne … que opens no clause.
_RESTRICTION_BEFORE_RE = re.compile(
    r"\bn(?:e\s+|['’]\s*)(?:(?!pas\b|plus\b|jamais\b|guère\b|point\b|rien\b)[\w’'-]+\s+){1,3}?qu(?:e\b|['’])\s*$"
)

#: Cues whose source is their own complement ("selon X"): an indirect quote after them has one.
_SOURCE_PREPOSITIONS = frozenset({"selon", "d'après", "pour"})

#: A marked fragment of at most this many words, with no speaker in reach, is a term, a title or a
#: scare quote ("il prépare le « certificat national de pilote de port »"; 4 before 2026-12-02).
SCARE_QUOTE_MAX_WORDS = 7
#: ... unless a quote with a speaker in reach ends at most this many characters before it, in its
#: paragraph (about two sentences: "X a jugé le projet « flou », puis a parlé de « pari »").
SOURCED_REACH = 300


def block_rejection(
    text: str,
    start: int,
    end: int,
    kind: str,
    cue: str | None,
    blocks: Sequence[Block],
    starts: Sequence[int] | None = None,
    interview: bool = True,
    speaker=None,
    nominal=None,
) -> str | None:
    """Why a quote's block cannot hold it, or None when it may.

    Args:
        text: The article's normalised text.
        start: The quote's start offset.
        end: The quote's end offset.
        kind: The quote's kind (``direct``, ``fragment``, ``indirect``).
        cue: The quote's cue, if any.
        blocks: The article's blocks, sorted by start.
        starts: Their start offsets, when the caller has them (one list for all the quotes).
        interview: Whether the article's paragraphs are laid out as an interview
            (:func:`has_interview_layout`); when not, an unmarked quote without a cue (what the
            interview rule gives) has no source.
        speaker: The quote's speaker (a dict with ``text`` and ``resolution``), if known; a list
            item, label line, caption, heading or table row holds a marked quote only with a cue
            and a speaker in reach (:func:`speaker_in_reach`); in a heading or a label line, a
            speaker taken from the body quote that repeats it stands for the cue
            (:func:`_repeated_title`).
        nominal: See :func:`speaker_in_reach`.

    Returns:
        ``None``, or the reason: the block kind, e.g. ``"list_item"``, ``"related"``.
    """
    if not blocks:
        return None
    if not text[start:end].strip():
        return "empty"
    if not interview and kind == "direct" and cue is None and not _marked(text, start, end):
        return "no_interview"
    block = block_at(blocks, start, starts)
    if block is None:
        return None
    if block.kind in HARD_KINDS:
        return block.kind
    if block.kind in SOFT_KINDS:
        if kind == "indirect":
            if (
                block.kind == "heading"
                and cue is not None
                and speaker is not None
                and speaker_in_reach(speaker, nominal)
            ):
                return None  # "La Russie affirme avoir …": a headline reports speech with its source
            return block.kind if block.kind != "list_item" else None
        if not _marked(text, start, end) or (cue is None and not _repeated_title(block.kind, speaker)):
            return block.kind
        if speaker is not None and not speaker_in_reach(speaker, nominal):
            return block.kind
    return None


#: Blocks where marked words may stand with no cue when a body quote repeats them (a headline, an
#: intertitle, "Sujet : le titre"): the repeat gave them its speaker (``headline_match``).
_TITLE_KINDS = frozenset({"heading", "label_line"})


def _repeated_title(kind: str, speaker) -> bool:
    """Whether a quote in a block of ``kind`` took its speaker from the body quote repeating it.

    Example: intertitle La Russie « a besoin » de migrants, then « a besoin », a dit M. Peskov.
    """
    return (
        kind in _TITLE_KINDS
        and bool(speaker)
        and speaker.get("resolution") == "headline_match"
        and bool(speaker.get("name"))
    )


def has_interview_layout(text: str, blocks: Sequence[Block]) -> bool:
    """Whether the text's paragraphs read as interview turns: two dashed paragraphs, or two questions.

    List items, embedded posts' "— Name (@handle)" lines and related links are not counted: a
    page's bullets and tweets are not an interviewer's turns.
    """
    dashed = questions = 0
    for block in blocks:
        if block.kind not in ("paragraph", "blockquote", "question", "answer"):
            continue
        line = text[block.start : block.end]
        if block.kind == "question" or line.rstrip().endswith("?") or line.startswith(("Question", "Q :", "Q.")):
            questions += 1
        if _DASH_RE.match(line) and len(line.strip()) > 2:
            dashed += 1
        if dashed >= 2 or questions >= 2:
            return True
    return False


def filter_quotes(quotes: Sequence, text: str, blocks: Sequence[Block], nominal=None) -> tuple:
    """The quotes whose block may hold them (see :func:`block_rejection`) and that have a source.

    Two rules need no markup and also run on a plain text's blocks:

    - ``scare_quote``: a marked fragment of at most :data:`SCARE_QUOTE_MAX_WORDS` words whose
      speaker is not in reach (:func:`speaker_in_reach`) and whose cue is not next to it, with no
      quote whose speaker is in reach ending in its paragraph up to :data:`SOURCED_REACH`
      characters before it, is a term, a title or a scare quote of the writer ("des revues « à
      la mode »").
    - ``no_source``: reported speech without marks needs someone who reports it; an indirect quote
      whose speaker is missing or an indefinite pronoun ("on", "personne") is the narrator's own
      sentence (a one-word subject that is not a name still counts here: a wrong speaker of a real
      clause, "la pivot de 1,88 m a précisé que", is better kept than the clause lost); after selon / d'après / pour the source is
      the preposition's complement, found or not.

    - ``writer_voice``: reported speech after the writer's own verb (:data:`_WRITER_VOICE_RE`:
      "Notons que", "il est intéressant de noter que", "force est de constater que").
    - ``content_of_an_idea``: reported speech after "l'idée / la thèse … selon laquelle".
    - ``reference``: a marked title after "lire" or "voir" ("(lire « … »)") is a link.
    - an impersonal "il" (:func:`_impersonal`: "il faut noter", "comme il a été précisé") is no
      source: not in reach for ``scare_quote``, ``no_source`` for reported speech.

    ``nominal``: a callable ``(start, end) -> bool`` telling whether a one-word speaker is a name or
    a pronoun (see :func:`speaker_in_reach`); without it every such word counts as a source.
    """
    if not blocks:
        return tuple(quotes)
    ordered = sorted(blocks, key=lambda b: b.start)
    starts = [b.start for b in ordered]
    interview = has_interview_layout(text, ordered)
    kept = []
    sourced_block, sourced_end = None, 0  # the block and end of the last kept quote with a speaker in reach
    for quote in quotes:
        speaker = getattr(quote, "speaker", None)
        reason = block_rejection(
            text, quote.start, quote.end, quote.kind, quote.cue, ordered, starts, interview, speaker or {}, nominal
        )
        block = block_at(ordered, quote.start, starts)
        impersonal = _impersonal(text, speaker)
        in_reach = speaker_in_reach(speaker, nominal) and not impersonal
        if (
            reason is None
            and quote.kind == "indirect"
            and quote.cue not in _SOURCE_PREPOSITIONS
            and (
                impersonal
                or (not speaker_in_reach(speaker) and (not speaker or speaker.get("resolution") == "unknown"))
            )
        ):
            reason = "no_source"
        before = _sentence_before(text, quote.start)
        if reason is None and quote.kind == "indirect" and _WRITER_VOICE_RE.search(before):
            reason = "writer_voice"
        if reason is None and quote.kind == "indirect" and _CONTENT_NOUN_SELON_RE.search(before):
            reason = "content_of_an_idea"
        if reason is None and quote.kind == "indirect" and _FIRST_PERSON_RE.match(text, quote.start):
            reason = "first_person"
        if reason is None and quote.kind == "indirect" and _CONDITION_BEFORE_RE.search(before):
            reason = "condition"
        if reason is None and quote.kind == "indirect" and _RESTRICTION_BEFORE_RE.search(before):
            reason = "restriction"
        if (
            reason is None
            and quote.kind != "indirect"
            and _REFERENCE_BEFORE_RE.search(text[max(0, quote.start - 30) : quote.start])
        ):
            reason = "reference"
        if (
            reason is None
            and quote.kind == "indirect"
            and _IDIOM_BEFORE_RE.search(text[max(0, quote.start - 40) : quote.start])
        ):
            reason = "set_phrase"
        if (
            reason is None
            and quote.kind == "fragment"
            and not in_reach
            and len(text[quote.start : quote.end].split()) <= SCARE_QUOTE_MAX_WORDS
            and not (block is not None and block == sourced_block and quote.start - sourced_end <= SOURCED_REACH)
            and not _cue_adjacent(text, quote.start, quote.end, quote.cue)
        ):
            reason = "scare_quote"
        if reason is None:
            kept.append(quote)
            if in_reach:
                sourced_block, sourced_end = block, quote.end
        else:
            _LOGGER.debug("quote at %d rejected: %s (%s)", quote.start, reason, speaker)
    return tuple(kept)


def _sentence_before(text: str, start: int, reach: int = 120) -> str:
    """The words of its sentence before ``start`` (at most ``reach`` characters), the sentence's
    opening punctuation kept so that a pattern can tell a sentence start."""
    window = text[max(0, start - reach) : start]
    cut = max(window.rfind(mark) for mark in ".!?\n")
    return window[cut:] if cut >= 0 else window


#: A floating quote (a lost blockquote, an interview answer) has at least this many words.
FLOATING_MIN_WORDS = 6


def _question_heading(text: str, block: Block) -> bool:
    return block.kind == "heading" and text[block.start : block.end].rstrip().endswith("?")


#: A question paragraph of an interview (the interviewer's turn, bold on the page, plain in the
#: text) is at most this long.
QUESTION_MAX_CHARS = 300
#: ... and an interview laid out that way has at least this many of them.
QUESTION_PARAGRAPHS_MIN = 3


def _interview_questions(text: str, blocks: Sequence[Block]) -> frozenset[int]:
    """The start offsets of an interview's questions, or an empty set when the page is no interview.

    Two layouts: questions as intertitles (two headings or more end with "?" and two of them say
    "vous"/"votre": "Que contient le budget ?" explainer headings do not count), or questions as
    short paragraphs of their own (bold on the page, plain once extracted): three or more
    paragraphs of at most :data:`QUESTION_MAX_CHARS` characters end with "?", each followed by a
    paragraph that does not, and two of them address the interviewee.
    """
    headings = [b for b in blocks if _question_heading(text, b)]
    if len(headings) >= 2 and sum(1 for b in headings if _SECOND_PERSON_RE.search(text[b.start : b.end])) >= 2:
        return frozenset(b.start for b in headings)
    paragraphs = []
    for index, block in enumerate(blocks[:-1]):
        line = text[block.start : block.end].strip()
        following = blocks[index + 1]
        if (
            block.kind == "paragraph"
            and len(line) <= QUESTION_MAX_CHARS
            and line.endswith("?")
            and following.kind == "paragraph"
            and not text[following.start : following.end].strip().endswith("?")
        ):
            paragraphs.append(block)
    addressed = sum(1 for b in paragraphs if _SECOND_PERSON_RE.search(text[b.start : b.end]))
    if len(paragraphs) >= QUESTION_PARAGRAPHS_MIN and addressed >= 2:
        return frozenset(b.start for b in paragraphs)
    return frozenset()


def _covered(quotes: Sequence, start: int, end: int) -> bool:
    """Whether a direct quote already covers half of ``[start, end)``."""
    return any(
        q.kind == "direct" and min(end, q.end) - max(start, q.start) > (end - start) / 2
        for q in quotes
        if q.start < end and q.end > start
    )


def _context_speaker(quotes: Sequence, blocks: Sequence[Block], index: int, reach: int = 2):
    """The speaker of the quote nearest the block ``blocks[index]``: the last one in reach in the
    ``reach`` blocks before it, else the first in the ``reach`` blocks after; None when neither."""
    block = blocks[index]
    low = blocks[max(0, index - reach)].start
    high = blocks[min(len(blocks) - 1, index + reach)].end
    before = [q for q in quotes if low <= q.start < block.start and speaker_in_reach(q.speaker)]
    after = [q for q in quotes if block.end <= q.start < high and speaker_in_reach(q.speaker)]
    source = before[-1] if before else (after[0] if after else None)
    if source is None:
        return None
    return {**source.speaker, "resolution": "previous_speaker"}


# An intertitle that is one quotation and nothing else: "« Nous tiendrons »".
_MARKED_HEADING_RE = re.compile(r"^\s*[«“\"„]\s*([^«»“”\"„\n]*[^\s«»“”\"„])\s*[»”\"]\s*[.!?]?\s*$")


def _section_speaker(quotes: Sequence, blocks: Sequence[Block], index: int):
    """The speaker an intertitle quotes: of the first quote in reach in its section (the blocks
    after it, up to the next heading), else of the quote nearest it (:func:`_context_speaker`)."""
    end = next((b.start for b in blocks[index + 1 :] if b.kind == "heading"), None)
    for quote in quotes:
        if quote.start >= blocks[index].end and (end is None or quote.start < end) and speaker_in_reach(quote.speaker):
            return {**quote.speaker, "resolution": "previous_speaker"}
    return _context_speaker(quotes, blocks, index)


#: A pull quote repeats a quotation of the article: this share of its words at least are in it.
PULL_QUOTE_OVERLAP = 0.8


def _words(line: str) -> list[str]:
    return re.findall(r"\w+", line.lower())


def _repeated_speaker(quotes: Sequence, line: str):
    """The speaker of the quote a pull quote repeats, abridged or not: the quote with a speaker in
    reach that holds :data:`PULL_QUOTE_OVERLAP` of the block's words, in order, at least (the
    editor cuts words out, "Je suis obligé de donner des cours [...] pour vivre"); None when none."""
    words = _words(line)
    if not words:
        return None
    for quote in quotes:
        if not speaker_in_reach(quote.speaker):
            continue
        found, position = 0, 0
        other = _words(quote.text)
        for word in words:
            try:
                position = other.index(word, position) + 1
            except ValueError:
                continue
            found += 1
        if found >= PULL_QUOTE_OVERLAP * len(words):
            return {**quote.speaker, "resolution": "previous_speaker"}
    return None


# "Sur les migrations avec François Héran", "Entretien avec Anne-Marie Le Gall": the interviewee of a
# title (two or three capitalised words after "avec", a particle allowed).
_TITLE_GUEST_RE = re.compile(
    r"\b(?:avec|à)\s+((?:[A-ZÀ-Ý][\w’'-]+)(?:\s+(?:(?:de|du|von|van|le|la|ben)\s+)?[A-ZÀ-Ý][\w’'-]+){1,2})"
)


def title_interviewee(title: str | None) -> str | None:
    """The person a title says the article talks with ("… avec François Héran - Le Site"), or None."""
    if not title:
        return None
    match = _TITLE_GUEST_RE.search(title.split(" - ")[0].split(" | ")[0])
    return match.group(1) if match else None


def floating_quotes(quotes: Sequence, text: str, blocks: Sequence[Block], title: str | None = None) -> tuple:
    """``quotes`` with the quotations the page sets apart without marks or cue, in text order.

    - A lost blockquote: a ``blockquote`` block (trafilatura's ``<quote>``) that holds no mark and
      that no quote covers is a direct quote. A pull quote that repeats a quote of the article
      (:func:`_repeated_speaker`) is that quote's speaker's; else the speaker of the nearest quote
      in the two blocks before it, else in the two after (``previous_speaker``), else nobody's.
    - A marked intertitle: a heading that is one quotation and nothing else ("« Désaccord
      total »"), which the filter drops for want of a cue, is a direct quote of the quote it repeats,
      else of the first quote in reach in its section, else of the nearest one (any length).
    - An interview whose questions are intertitles or short paragraphs of their own
      (:func:`_interview_questions`): each paragraph after a question, up to the next question or
      heading (or "Propos recueillis par"), is a direct answer of the interviewee: the speaker of a quote the
      extractor gave as ``interviewee``, else the person the ``title`` names after "avec"
      (:func:`title_interviewee`), else nobody.

    Quotations of at least :data:`FLOATING_MIN_WORDS` words only; cue null, as the gold wants.
    """
    if not blocks:
        return tuple(quotes)
    ordered = sorted(blocks, key=lambda b: b.start)
    added = []
    for index, block in enumerate(ordered):
        if block.kind != "blockquote":
            continue
        line = text[block.start : block.end]
        if any(mark in line for mark in _OPENING_MARKS) or len(line.split()) < FLOATING_MIN_WORDS:
            continue
        if _covered(quotes, block.start, block.end):
            continue
        start, end = _trim(text, block.start, block.end)
        speaker = _repeated_speaker(quotes, line) or _context_speaker(quotes, ordered, index)
        added.append(Quote(text[start:end], start, end, "direct", None, speaker))
    for index, block in enumerate(ordered):
        if block.kind != "heading":
            continue
        match = _MARKED_HEADING_RE.match(text[block.start : block.end])
        if match is None or _covered(quotes, block.start, block.end):
            continue
        start, end = block.start + match.start(1), block.start + match.end(1)
        speaker = _repeated_speaker(quotes, match.group(1)) or _section_speaker(quotes, ordered, index)
        added.append(Quote(text[start:end], start, end, "direct", None, speaker))
    questions = _interview_questions(text, ordered)
    if questions:
        interviewee = next(
            (q.speaker for q in quotes if q.speaker and q.speaker.get("resolution") == "interviewee"), None
        )
        guest = title_interviewee(title)
        if interviewee is None and guest:
            interviewee = {"text": None, "start": None, "end": None, "name": guest, "resolution": "interviewee"}
        answering = False
        for block in ordered:
            if block.kind == "heading" or block.start in questions:
                answering = block.start in questions
                continue
            line = text[block.start : block.end]
            if not answering or block.kind not in ("paragraph", "blockquote") or len(line.split()) < FLOATING_MIN_WORDS:
                continue
            if line.lstrip().lower().startswith("propos recueillis"):
                answering = False
                continue
            if _covered(quotes, block.start, block.end) or _covered(added, block.start, block.end):
                continue
            start, end = _trim(text, block.start, block.end)
            added.append(Quote(text[start:end], start, end, "direct", None, dict(interviewee) if interviewee else None))
    if not added:
        return tuple(quotes)
    return tuple(sorted([*quotes, *added], key=lambda q: (q.start, q.end)))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
