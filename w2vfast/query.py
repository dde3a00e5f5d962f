"""Nearest words and analogies on a `Vectors`, batched.

Every query goes through the unit vectors (`Vectors.unit_vectors()`, computed once per model)
and `w2vfast.vecmath`: a batch of queries is one `(queries x D) @ (D x V)` product, the best
`topn` of each row are picked with `argpartition` and only those are sorted.  There is no Python
loop over the vocabulary; the loop over queries only builds the query matrix.  This module
turns words into row indices and answers back into words.

* `similar` is word2vec's `distance`: the unit vectors of the query words are summed, the sum is
  normalised, and words are ranked by cosine with it; the query words themselves are left out.
* `analogy` answers "A is to B as C is to ?".  Method ``"add"`` (3CosAdd) is word2vec's
  `word-analogy`: rank by cosine with ``unit(B) - unit(A) + unit(C)``.  Method ``"mul"``
  (3CosMul, Levy & Goldberg 2014) ranks by ``cos'(d, B) * cos'(d, C) / (cos'(d, A) + 1e-3)``
  where ``cos' = (cos + 1) / 2`` shifts cosines to [0, 1].  A, B and C are never answers.

A query with a word that is not in the vocabulary is not answered: its `QueryResult` carries the
unknown words and an error message, and the other queries of the batch are answered as usual.

Words are matched exactly, as word2vec's tools match them.  With a `CaseFolded` index a word
that is not in the vocabulary as typed matches the most frequent word that differs from it only
in case (`france` -> `France`), and the result says which word it matched.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .vecmath import (BLOCK_ELEMENTS, MUL_EPSILON, analogies, block_rows, check_analogy_method,
                      nearest, normalise_rows)

__all__ = ["QueryResult", "CaseFolded", "similar", "analogy", "lookup", "unknown_message",
           "MUL_EPSILON"]

# Size, in float32 elements, of one block of query x vocabulary scores: the queries of a block
# are one matrix product.
_BLOCK_ELEMENTS = BLOCK_ELEMENTS


@dataclass
class QueryResult:
    """The answer to one query: `results` is a list of (word, score), best first."""

    query: List[str]
    results: List[Tuple[str, float]] = field(default_factory=list)
    unknown: List[str] = field(default_factory=list)
    matched: Dict[str, str] = field(default_factory=dict)  # word as typed -> vocabulary word

    @property
    def ok(self) -> bool:
        return not self.unknown

    @property
    def error(self) -> Optional[str]:
        return unknown_message(self.unknown) if self.unknown else None

    def to_json(self) -> dict:
        out = {"query": list(self.query),
               "results": [{"word": w, "score": round(s, 6)} for w, s in self.results]}
        if self.matched:
            out["matched"] = dict(self.matched)
        if self.unknown:
            out["error"] = self.error
            out["unknown"] = list(self.unknown)
        return out


def unknown_message(words: Sequence[str]) -> str:
    """`unknown word 'xyz'` (or `unknown words 'x', 'y'`)."""
    shown = ", ".join(f"'{w}'" for w in words)
    return f"unknown word{'s' if len(words) > 1 else ''} {shown}"


class CaseFolded:
    """Each case-folded word of a vocabulary -> the row of its most frequent spelling (the
    first in the file's order, which is by frequency for word2vec files).  Built once per
    vector file: one pass over the words."""

    def __init__(self, vectors):
        self.rows: Dict[str, int] = {}
        for i, w in enumerate(vectors.index_to_key):
            self.rows.setdefault(w.casefold(), i)


def lookup(vectors, words: Sequence[str], folded: Optional[CaseFolded] = None):
    """Row indices of `words`, the words not in the vocabulary (in query order) and, with
    `folded`, {word as typed: the vocabulary word it matched} where the two differ."""
    index = vectors.key_to_index
    found, unknown, matched = [], [], {}
    for w in words:
        i = index.get(w)
        if i is None and folded is not None:
            i = folded.rows.get(w.casefold())
            if i is not None:
                matched[w] = vectors.index_to_key[i]
        if i is None:
            if w not in unknown:
                unknown.append(w)
        else:
            found.append(i)
    return found, unknown, matched


def _resolve(vectors, queries, folded):
    """One QueryResult per query (unknown and case-matched words noted), and for the
    answerable ones their positions in `queries` and their row indices."""
    results = [QueryResult(query=list(q)) for q in queries]
    rows, members = [], []
    for k, q in enumerate(queries):
        if not q:
            continue
        idx, unknown, matched = lookup(vectors, q, folded)
        results[k].matched = matched
        if unknown:
            results[k].unknown = unknown
            continue
        rows.append(k)
        members.append(idx)
    return results, rows, members


def _collect(vectors, found) -> List[Tuple[str, float]]:
    words = vectors.index_to_key
    idx, scores = found
    return [(words[i], float(s)) for i, s in zip(idx.tolist(), scores.tolist())]


def similar(vectors, queries: Sequence[Sequence[str]], topn: int = 40,
            folded: Optional[CaseFolded] = None) -> List[QueryResult]:
    """The `topn` nearest words by cosine for each query (a list of words, summed as `distance`).

    Returns one `QueryResult` per query, in order; a query with unknown words has no results.
    `folded` (a `CaseFolded` of `vectors`) matches words whatever their case.
    """
    unit = vectors.unit_vectors()
    results, rows, members = _resolve(vectors, queries, folded)
    if not rows or topn <= 0:
        return results
    query = normalise_rows(np.stack([unit[idx].sum(axis=0) for idx in members]))
    block = block_rows(len(vectors), _BLOCK_ELEMENTS)
    for k, found in zip(rows, nearest(unit, query, topn, exclude=members, block=block)):
        results[k].results = _collect(vectors, found)
    return results


def analogy(vectors, questions: Sequence[Sequence[str]], topn: int = 10,
            method: str = "add", folded: Optional[CaseFolded] = None) -> List[QueryResult]:
    """Answers to "A is to B as C is to ?" for each (A, B, C) in `questions`.

    `method` is ``"add"`` (3CosAdd, as word2vec's `word-analogy`) or ``"mul"`` (3CosMul).
    Scores are cosines for ``"add"`` and the 3CosMul objective for ``"mul"``.
    """
    check_analogy_method(method)
    for q in questions:
        if len(q) != 3:
            raise ValueError(f"an analogy needs 3 words (A B C), got {len(q)}: {list(q)!r}")
    unit = vectors.unit_vectors()
    results, rows, triples = _resolve(vectors, questions, folded)
    if not rows or topn <= 0:
        return results
    block = block_rows(len(vectors), _BLOCK_ELEMENTS)
    for k, found in zip(rows, analogies(unit, triples, topn, method=method, block=block)):
        results[k].results = _collect(vectors, found)
    return results
