"""Nearest words and analogies on a `Vectors`, batched.

Every query goes through the unit vectors (`Vectors.unit_vectors()`, computed once per model)
and a matrix product: a batch of queries is one `(queries x D) @ (D x V)` product, the best
`topn` of each row are picked with `argpartition` and only those are sorted.  There is no Python
loop over the vocabulary; the loop over queries only builds the query matrix.

* `similar` is word2vec's `distance`: the unit vectors of the query words are summed, the sum is
  normalised, and words are ranked by cosine with it; the query words themselves are left out.
* `analogy` answers "A is to B as C is to ?".  Method ``"add"`` (3CosAdd) is word2vec's
  `word-analogy`: rank by cosine with ``unit(B) - unit(A) + unit(C)``.  Method ``"mul"``
  (3CosMul, Levy & Goldberg 2014) ranks by ``cos'(d, B) * cos'(d, C) / (cos'(d, A) + 1e-3)``
  where ``cos' = (cos + 1) / 2`` shifts cosines to [0, 1].  A, B and C are never answers.

A query with a word that is not in the vocabulary is not answered: its `QueryResult` carries the
unknown words and an error message, and the other queries of the batch are answered as usual.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

__all__ = ["QueryResult", "similar", "analogy", "lookup", "unknown_message", "MUL_EPSILON"]

# Levy & Goldberg (2014), "Linguistic Regularities in Sparse and Explicit Word Representations".
MUL_EPSILON = 1e-3

# Size, in float32 elements, of one block of query x vocabulary scores (64 MiB).
_BLOCK_ELEMENTS = 1 << 24


@dataclass
class QueryResult:
    """The answer to one query: `results` is a list of (word, score), best first."""

    query: List[str]
    results: List[Tuple[str, float]] = field(default_factory=list)
    unknown: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unknown

    @property
    def error(self) -> Optional[str]:
        return unknown_message(self.unknown) if self.unknown else None

    def to_json(self) -> dict:
        out = {"query": list(self.query),
               "results": [{"word": w, "score": round(s, 6)} for w, s in self.results]}
        if self.unknown:
            out["error"] = self.error
            out["unknown"] = list(self.unknown)
        return out


def unknown_message(words: Sequence[str]) -> str:
    """`unknown word 'xyz'` (or `unknown words 'x', 'y'`)."""
    shown = ", ".join(f"'{w}'" for w in words)
    return f"unknown word{'s' if len(words) > 1 else ''} {shown}"


def lookup(vectors, words: Sequence[str]) -> Tuple[List[int], List[str]]:
    """Row indices of `words` and the list of words not in the vocabulary (in query order)."""
    index = vectors.key_to_index
    found, unknown = [], []
    for w in words:
        i = index.get(w)
        if i is None:
            if w not in unknown:
                unknown.append(w)
        else:
            found.append(i)
    return found, unknown


def _resolve(vectors, queries):
    """One QueryResult per query (unknown words noted), and for the answerable ones their
    positions in `queries` and their row indices."""
    results = [QueryResult(query=list(q)) for q in queries]
    rows, members = [], []
    for k, q in enumerate(queries):
        if not q:
            continue
        idx, unknown = lookup(vectors, q)
        if unknown:
            results[k].unknown = unknown
            continue
        rows.append(k)
        members.append(idx)
    return results, rows, members


def _normalise_rows(q: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(q, axis=1, keepdims=True)
    return q / np.where(norms > 0, norms, 1)


def _top(scores: np.ndarray, topn: int) -> Tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the `topn` best of each row, best first (ties: lower index first).

    Entries set to -inf (excluded words) never appear: they are dropped per row afterwards.
    """
    n_rows, n_cols = scores.shape
    n = min(topn, n_cols)
    if n <= 0:
        return np.zeros((n_rows, 0), dtype=np.int64), np.zeros((n_rows, 0), dtype=scores.dtype)
    if n < n_cols:
        part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols))
    part_scores = np.take_along_axis(scores, part, axis=1)
    # sort by score descending, then by index ascending (lexsort: last key is primary)
    order = np.lexsort((part, -part_scores), axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    return idx, np.take_along_axis(part_scores, order, axis=1)


def _collect(vectors, idx_row: np.ndarray, score_row: np.ndarray) -> List[Tuple[str, float]]:
    keep = np.isfinite(score_row)
    words = vectors.index_to_key
    return [(words[i], float(s)) for i, s in zip(idx_row[keep].tolist(), score_row[keep].tolist())]


def _block_rows(n_words: int) -> int:
    return max(1, min(4096, _BLOCK_ELEMENTS // max(n_words, 1)))


def similar(vectors, queries: Sequence[Sequence[str]], topn: int = 40) -> List[QueryResult]:
    """The `topn` nearest words by cosine for each query (a list of words, summed as `distance`).

    Returns one `QueryResult` per query, in order; a query with unknown words has no results.
    """
    unit = vectors.unit_vectors()
    results, rows, members = _resolve(vectors, queries)
    if not rows or topn <= 0:
        return results
    block = _block_rows(len(vectors))
    for start in range(0, len(rows), block):
        stop = min(start + block, len(rows))
        group = members[start:stop]
        query = np.stack([unit[idx].sum(axis=0) for idx in group])
        scores = _normalise_rows(query) @ unit.T
        for r, idx in enumerate(group):
            scores[r, idx] = -np.inf
        top_idx, top_scores = _top(scores, topn)
        for r in range(stop - start):
            results[rows[start + r]].results = _collect(vectors, top_idx[r], top_scores[r])
    return results


def analogy(vectors, questions: Sequence[Sequence[str]], topn: int = 10,
            method: str = "add") -> List[QueryResult]:
    """Answers to "A is to B as C is to ?" for each (A, B, C) in `questions`.

    `method` is ``"add"`` (3CosAdd, as word2vec's `word-analogy`) or ``"mul"`` (3CosMul).
    Scores are cosines for ``"add"`` and the 3CosMul objective for ``"mul"``.
    """
    if method not in ("add", "mul"):
        raise ValueError(f"unknown analogy method {method!r}: use 'add' or 'mul'")
    for q in questions:
        if len(q) != 3:
            raise ValueError(f"an analogy needs 3 words (A B C), got {len(q)}: {list(q)!r}")
    unit = vectors.unit_vectors()
    results, rows, triples = _resolve(vectors, questions)
    if not rows or topn <= 0:
        return results
    triples = np.asarray(triples, dtype=np.int64).reshape(-1, 3)
    block = _block_rows(len(vectors))
    for start in range(0, len(rows), block):
        t = triples[start:start + block]
        a, b, c = t[:, 0], t[:, 1], t[:, 2]
        if method == "add":
            scores = _normalise_rows(unit[b] - unit[a] + unit[c]) @ unit.T
        else:
            # (cos + 1) / 2 for the three query words at once: one product of 3 x block rows
            sims = (unit[np.concatenate([a, b, c])] @ unit.T + 1.0) * 0.5
            sa, sb, sc = np.split(sims, 3)
            scores = sb * sc / (sa + MUL_EPSILON)
        r = np.arange(len(t))
        scores[r, a] = -np.inf
        scores[r, b] = -np.inf
        scores[r, c] = -np.inf
        top_idx, top_scores = _top(scores, topn)
        for i in range(len(t)):
            results[rows[start + i]].results = _collect(vectors, top_idx[i], top_scores[i])
    return results
