"""Vector maths for every command that queries word vectors: unit rows, nearest rows by cosine,
analogies (3CosAdd, 3CosMul), compute-accuracy's answer rule and the weighted queries of
gensim's `most_similar` and `most_similar_cosmul`.

Everything is float32 NumPy, batched: a block of queries is one `(block x D) @ (D x V)` matrix
product, and a top-k keeps the best `k` of each row with `argpartition` before sorting only
those.  There is no Python loop over the vocabulary.

Two conventions hold throughout:

* ties go to the lower row index (the more frequent word in a word2vec file);
* an excluded row gets the score -inf; rows whose score is not finite (excluded, or NaN from a
  non-finite vector) are never returned, so a query can get fewer than `topn` answers.

A float32 product depends on the shape BLAS is given (a 1-row block is a matrix-vector
product, a larger one a matrix-matrix product, summed in another order), so callers that print
or compare scores choose their block size with `block_rows` and keep it.
"""
from __future__ import annotations

import functools
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = [
    "BLOCK_ELEMENTS",
    "MUL_EPSILON",
    "GENSIM_MUL_EPSILON",
    "block_rows",
    "normalise_rows",
    "top_k",
    "best",
    "nearest",
    "cosines",
    "mean_direction",
    "cos_add_queries",
    "shifted_cosines",
    "cos_mul",
    "cos_mul_scores",
    "ANALOGY_METHODS",
    "check_analogy_method",
    "analogies",
    "analogy_answers",
    "pair_cosines",
]

# Size, in float32 elements, of one block of query x vocabulary scores (64 MiB).
BLOCK_ELEMENTS = 1 << 24

# Most queries in one block: past this, bigger products are no faster.
MAX_BLOCK_ROWS = 4096

# Levy & Goldberg (2014), "Linguistic Regularities in Sparse and Explicit Word Representations".
MUL_EPSILON = 1e-3

# gensim's `most_similar_cosmul` adds this to its denominator instead.
GENSIM_MUL_EPSILON = 1e-6

# 3CosAdd and 3CosMul.
ANALOGY_METHODS = ("add", "mul")

# Row indices to leave out, one sequence per query, or an (n_queries x m) integer array.
Exclude = Union[np.ndarray, Sequence[Sequence[int]]]

# Per query: the row indices found, best first, and their scores.
Found = Tuple[np.ndarray, np.ndarray]


def block_rows(n_cols: int, elements: Optional[int] = None, max_rows: int = MAX_BLOCK_ROWS) -> int:
    """Queries per block so that a block of scores over `n_cols` rows holds at most `elements`
    float32 values (default `BLOCK_ELEMENTS`), and at most `max_rows`; at least 1."""
    if elements is None:
        elements = BLOCK_ELEMENTS
    return max(1, min(int(max_rows), int(elements) // max(int(n_cols), 1)))


def normalise_rows(x, *, dead_rows: bool = False):
    """Rows of `x` scaled to unit length, as a new float32 array; a zero row stays zero.

    With `dead_rows`, returns ``(unit, dead)`` with the C tools' treatment instead
    (compute-accuracy's rows, word2vec.c's class centroids): C divides by the norm whatever it
    is, so a zero or non-finite row becomes NaN; such a row is "dead" (`dead[i]` True), zeroed
    here so that its dot products are 0, never an answer under compute-accuracy's rule (see
    `analogy_answers`).  A row whose norm overflows to inf becomes a finite zero row in C too
    and stays alive.  These norms sum the squares as one float32 dot product per row, the other
    rows' as NumPy's pairwise float32 sum: the two differ in the last bit on about a fifth of
    the rows, and each keeps the arithmetic its results (evaluation counts, word classes,
    nearest words, written unit vectors) have always had.
    """
    x = np.asarray(x, dtype=np.float32)
    if not dead_rows:
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(norms > 0, norms, 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float32))[:, None]
        unit = x / norms
    dead = ~np.isfinite(unit).all(axis=1)
    unit[dead] = 0.0
    return unit, dead


def top_k(scores: np.ndarray, k: int) -> Found:
    """Indices and scores of the `k` highest entries of each row of `scores`, best first.

    Ties go to the lower index, also where a tie straddles the k-th place; NaN ranks below
    everything.  Returns two (rows x min(k, columns)) arrays; -inf and NaN entries are kept
    (`nearest` drops them).
    """
    n_rows, n_cols = scores.shape
    n = min(int(k), n_cols)
    if n <= 0:
        return np.zeros((n_rows, 0), dtype=np.int64), np.zeros((n_rows, 0), dtype=scores.dtype)
    if n < n_cols:
        part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols))
    part_scores = np.take_along_axis(scores, part, axis=1)
    if n < n_cols:
        part, part_scores = _lowest_index_at_the_cut(scores, part, part_scores)
    # score descending, then index ascending (lexsort: the last key is the primary one)
    order = np.lexsort((part, -part_scores), axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(part_scores, order, axis=1)


def _lowest_index_at_the_cut(scores, part, part_scores):
    # argpartition keeps any of the entries equal to the k-th best score: where it left out one
    # of them, the row is picked again by a stable sort, which keeps the lower indices.  A NaN
    # kept means every number of its row is kept: its NaN cut equals nothing, and is no tie.
    cut = part_scores.min(axis=1)
    kept = (part_scores == cut[:, None]).sum(axis=1)
    present = (scores == cut[:, None]).sum(axis=1)
    redo = np.flatnonzero(present > kept)
    if len(redo):
        part = part.copy()
        n = part.shape[1]
        for r in redo:
            part[r] = np.argsort(-scores[r], kind="stable")[:n]
        part_scores = np.take_along_axis(scores, part, axis=1)
    return part, part_scores


def _exclude(scores: np.ndarray, exclude: Exclude) -> None:
    if isinstance(exclude, np.ndarray):
        scores[np.arange(len(scores))[:, None], exclude.reshape(len(scores), -1)] = -np.inf
    else:
        for r, rows in enumerate(exclude):
            scores[r, rows] = -np.inf


def _found(top_idx: np.ndarray, top_scores: np.ndarray) -> List[Found]:
    out = []
    for idx, score in zip(top_idx, top_scores):
        keep = np.isfinite(score)
        out.append((idx[keep], score[keep]))
    return out


def best(scores: np.ndarray, topn: int, exclude: Optional[Exclude] = None) -> List[Found]:
    """The `topn` best entries of each row of a (queries x V) `scores` array, best first, with
    `exclude[i]`'s entries of row i set to -inf in place and, as everywhere here, no non-finite
    score returned.  Returns one (indices, scores) per row."""
    if exclude is not None:
        _exclude(scores, exclude)
    return _found(*top_k(scores, topn))


def nearest(unit: np.ndarray, queries: np.ndarray, topn: int, exclude: Optional[Exclude] = None,
            block: Optional[int] = None) -> List[Found]:
    """The `topn` rows of `unit` with the largest dot product with each row of `queries`, best
    first: their cosines when both are unit length (queries are used as they are).

    `exclude[i]` lists rows never returned for query i.  `block` is the number of queries per
    matrix product (default `block_rows(len(unit))`).  Returns one (indices, scores) per query.
    """
    queries = np.asarray(queries)
    if block is None:
        block = block_rows(len(unit))
    out: List[Found] = []
    for start in range(0, len(queries), block):
        stop = min(start + block, len(queries))
        scores = queries[start:stop] @ unit.T
        out.extend(best(scores, topn, None if exclude is None else exclude[start:stop]))
    return out


def cosines(unit: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The dot product of every row of `unit` with the vector `query`, a float32 vector: their
    cosines when both are unit length.  The product has the shape of a one-query block of
    `nearest`, so the scores are those `nearest` finds for the same query."""
    return (np.asarray(query, dtype=np.float32)[None] @ unit.T)[0]


def mean_direction(rows, weights=None) -> np.ndarray:
    """The weighted sum of `rows` (all weights 1 by default) scaled to unit length: the
    direction of gensim's weighted mean ``sum(w_i * row_i) / sum(|w_i|)``, which is its
    `most_similar` query when the rows are unit vectors.  Summed and scaled in float64, returned
    as float32; a zero sum stays zero."""
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, np.shape(rows)[-1])
    weights = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=np.float64)
    total = weights @ rows
    norm = np.linalg.norm(total)
    return (total / norm if norm > 0 else total).astype(np.float32)


def cos_add_queries(unit: np.ndarray, a, b, c) -> np.ndarray:
    """3CosAdd's queries, ``unit(B) - unit(A) + unit(C)`` scaled to unit length: their dot
    products with `unit` are word2vec's `word-analogy` cosines."""
    return normalise_rows(unit[b] - unit[a] + unit[c])


def shifted_cosines(unit: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``cos' = (cos + 1) / 2`` of every row of `unit` (columns) with each row of `queries`:
    cosines shifted to [0, 1] (when both are unit length), 3CosMul's terms."""
    return (np.asarray(queries, dtype=np.float32) @ unit.T + 1.0) * 0.5


def cos_mul(positive: Sequence[np.ndarray], negative: Sequence[np.ndarray],
            epsilon: float = MUL_EPSILON) -> np.ndarray:
    """3CosMul's combination of shifted cosines (`shifted_cosines`), Levy & Goldberg (2014)
    eq. 4 as gensim extends it to any number of terms: ``prod(positive) / (prod(negative) +
    epsilon)``, term by term; with no negative term the denominator is 1 + epsilon.  At least one
    positive term."""
    # products in the order given, without stacking the (queries x V) terms into a new array
    numerator = functools.reduce(np.multiply, positive)
    denominator = functools.reduce(np.multiply, negative) if len(negative) else np.float32(1)
    return numerator / (denominator + np.float32(epsilon))


def cos_mul_scores(unit: np.ndarray, a, b, c) -> np.ndarray:
    """3CosMul (Levy & Goldberg 2014) of every row d of `unit` for each question (a, b, c):
    ``cos'(d, B) * cos'(d, C) / (cos'(d, A) + MUL_EPSILON)`` with ``cos' = (cos + 1) / 2``
    shifting cosines to [0, 1].  A (questions x V) array; a, b and c are not excluded here."""
    # the cosines with the three question words in one product of 3 x questions rows
    sa, sb, sc = np.split(shifted_cosines(unit, unit[np.concatenate([a, b, c])]), 3)
    return cos_mul([sb, sc], [sa])


def check_analogy_method(method: str) -> None:
    """ValueError unless `method` is one of `ANALOGY_METHODS`."""
    if method not in ANALOGY_METHODS:
        raise ValueError(f"unknown analogy method {method!r}: use 'add' or 'mul'")


def analogies(unit: np.ndarray, questions, topn: int, method: str = "add",
              block: Optional[int] = None) -> List[Found]:
    """The `topn` answers of "A is to B as C is to ?" for each row (a, b, c) of `questions`,
    best first; a, b and c are never answers.

    `method` ``"add"`` scores by 3CosAdd cosine (`cos_add_queries`), ``"mul"`` by 3CosMul
    (`cos_mul_scores`).  `block` is the number of questions per matrix product (default
    `block_rows(len(unit))`).  Returns one (indices, scores) per question.
    """
    check_analogy_method(method)
    questions = np.asarray(questions, dtype=np.int64).reshape(-1, 3)
    a, b, c = questions[:, 0], questions[:, 1], questions[:, 2]
    if block is None:
        block = block_rows(len(unit))
    if method == "add":
        return nearest(unit, cos_add_queries(unit, a, b, c), topn, exclude=questions, block=block)
    out: List[Found] = []
    for start in range(0, len(questions), block):
        part = slice(start, start + block)
        out.extend(best(cos_mul_scores(unit, a[part], b[part], c[part]), topn, questions[part]))
    return out


def analogy_answers(unit: np.ndarray, questions, *, compute_accuracy: bool = False,
                    dead: Optional[np.ndarray] = None, block: Optional[int] = None) -> np.ndarray:
    """The best 3CosAdd answer (a row index) of each row (a, b, c) of `questions`, or -1.

    The answer is the row, other than a, b and c, with the largest dot product with
    ``unit[b] - unit[a] + unit[c]``; the query is not normalised, which ranks the rows as their
    cosines do.  Ties go to the lower index.  -1 where every row is excluded.

    With `compute_accuracy`, the rule of word2vec's compute-accuracy: only a dot product > 0
    makes an answer (C starts its running best at 0), and a question using a row marked in
    `dead` (see `normalise_rows`) as a, b or c has no answer (C's query is all NaN).

    `block` is the number of questions per matrix product (default `block_rows(len(unit))`).
    """
    questions = np.asarray(questions, dtype=np.int64).reshape(-1, 3)
    answers = np.full(len(questions), -1, dtype=np.int64)
    if not len(questions) or not len(unit):
        return answers
    if block is None:
        block = block_rows(len(unit))
    for start in range(0, len(questions), block):
        q = questions[start:start + block]
        a, b, c = q[:, 0], q[:, 1], q[:, 2]
        scores = ((unit[b] - unit[a]) + unit[c]) @ unit.T
        _exclude(scores, q)
        best = np.argmax(scores, axis=1)  # the first maximum: the lower index on ties
        best_score = scores[np.arange(len(q)), best]
        if compute_accuracy:
            found = best_score > 0
        else:
            # a NaN score (from a non-finite vector) is argmax's pick and stays the answer
            found = best_score != -np.inf
        answers[start:start + len(q)] = np.where(found, best, -1)
    if compute_accuracy and dead is not None and dead.any():
        answers[dead[questions].any(axis=1)] = -1
    return answers


def pair_cosines(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cosine of each row of `x` with the same row of `y`, in float64; 0 where a row is zero."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    num = np.einsum("ij,ij->i", x, y)
    den = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
