"""The same words across outlets: near-duplicate quotes and articles, by MinHash LSH (datasketch).

Quote texts are normalised (case, accents, punctuation) and cut into word 3-shingles (words for
texts shorter than three words); two quotes whose estimated Jaccard similarity is at least the
threshold are candidates, confirmed with the exact Jaccard of their shingle sets, and candidates
are joined transitively (union-find). The cost is linear in the number of quotes: LSH looks each
one up in its bands instead of comparing every pair.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
QUOTE_THRESHOLD = 0.6
ARTICLE_THRESHOLD = 0.7
MIN_WORDS = 4  # shorter quotes ("c'est faux") are said by everyone: never clustered
_WORD = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """Lower-case words without accents: what a rewrite of the same words keeps."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return _WORD.findall(folded)


def shingles(words: Sequence[str], size: int = 3) -> set[str]:
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _minhash(items: set[str]) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    minhash.update_batch([item.encode("utf-8") for item in items])
    return minhash


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def near_duplicate_groups(texts: Sequence[str], threshold: float, min_words: int = 1) -> list[int]:
    """For each text, the index of the first text of its group (itself when alone).

    Args:
        texts: the texts, in the order that decides which one names a group (earliest first).
        threshold: the Jaccard similarity of word 3-shingles from which two texts are one.
        min_words: texts with fewer words are left alone.
    """
    sets = [shingles(normalise(text)) for text in texts]
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    groups = _UnionFind(len(texts))
    for index, items in enumerate(sets):
        if len(normalise(texts[index])) < min_words or not items:
            continue
        minhash = _minhash(items)
        for other in lsh.query(minhash):
            union = len(items | sets[other])
            if union and len(items & sets[other]) / union >= threshold:
                groups.union(index, other)
        lsh.insert(index, minhash)
    return [groups.find(index) for index in range(len(texts))]
