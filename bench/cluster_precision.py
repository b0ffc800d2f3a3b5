"""Precision of the quote clusters on the real-text gold pages: every gold quote of
``../shared/quotes-gold-real/pages_gold.json`` clustered together; each cluster that joins quotes
is printed, to be judged by reading (the pages are different stories, so a join is usually wrong).

Usage: python bench/cluster_precision.py [PATH_TO_pages_gold.json]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from guillemet.analysis.clusters import MIN_WORDS, QUOTE_THRESHOLD, near_duplicate_groups

GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "quotes-gold-real" / "pages_gold.json"


def main(path: Path) -> None:
    documents = json.loads(path.read_text(encoding="utf-8"))["documents"]
    quotes = [(doc["id"], quote["id"], quote["quote"]) for doc in documents for quote in doc["quotes"]]
    groups = near_duplicate_groups([text for *_, text in quotes], QUOTE_THRESHOLD, min_words=MIN_WORDS)
    members = defaultdict(list)
    for quote, group in zip(quotes, groups, strict=True):
        members[group].append(quote)
    joined = [rows for rows in members.values() if len(rows) > 1]
    different = [rows for rows in joined if len({text for *_, text in rows}) > 1]
    print(
        f"{len(quotes)} gold quotes, {len(members)} clusters, {len(joined)} join several quotes, "
        f"{len(different)} of them join different texts"
    )
    for rows in joined:
        print("---")
        for doc, quote, text in rows:
            print(f"  {doc} {quote}: {text[:110]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLD)
