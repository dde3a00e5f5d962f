"""Synthetic demo corpus with planted analogies (no download needed).

``w2vfast demo`` trains on a corpus produced by :func:`generate_corpus` and
scores the model on :func:`planted_analogies` with :func:`evaluate_planted`.

How the corpus is built
-----------------------
Each relation family (see :data:`RELATIONS`) is a list of word pairs
``(a, b)``.  Every pair gets a few made-up *topic* words of its own
(``kalomir``-style pseudo-words), and each side of a family gets a few
*marker* words shared by all pairs on that side (countries appear near
``nation``/``flag``, capitals near ``city``/``mayor``, males near
``he``/``his``, ...).  A relation sentence contains one relation word, two of
its pair's topic words and two of its side's markers, shuffled inside a block
of five consecutive tokens, surrounded by filler.  So the context of ``x`` is
roughly ``topic(pair) + marker(side)`` and ``v(b) - v(a)`` is about the same
vector for every pair of a family, which is what ``a:b :: c:d`` needs.

Filler words are a few thousand pseudo-words drawn from a Zipf distribution
(exponent 1.0), so the text has realistic frequencies; most sentences are pure
filler.  Sentences are 8-20 tokens, one per line.

Only the standard library and numpy are used.  Output depends only on
``seed`` and ``n_tokens`` (byte-identical for equal arguments).
"""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np

from . import vecmath

__all__ = [
    "RELATIONS",
    "MARKERS",
    "generate_corpus",
    "planted_analogies",
    "evaluate_planted",
    "nearest",
    "write_questions",
    "vocabulary",
]

# --------------------------------------------------------------------------
# Built-in relations
# --------------------------------------------------------------------------

#: relation families: name -> list of (a, b) pairs (a:b :: c:d within a family)
RELATIONS: dict[str, list[tuple[str, str]]] = {
    "country-capital": [
        ("france", "paris"), ("germany", "berlin"), ("italy", "rome"),
        ("spain", "madrid"), ("japan", "tokyo"), ("china", "beijing"),
        ("russia", "moscow"), ("egypt", "cairo"), ("greece", "athens"),
        ("portugal", "lisbon"), ("poland", "warsaw"), ("austria", "vienna"),
        ("sweden", "stockholm"), ("norway", "oslo"), ("finland", "helsinki"),
        ("ireland", "dublin"), ("hungary", "budapest"), ("canada", "ottawa"),
        ("peru", "lima"), ("kenya", "nairobi"),
    ],
    "male-female": [
        ("king", "queen"), ("man", "woman"), ("brother", "sister"),
        ("father", "mother"), ("son", "daughter"), ("uncle", "aunt"),
        ("boy", "girl"), ("husband", "wife"), ("prince", "princess"),
        ("nephew", "niece"), ("grandfather", "grandmother"),
        ("actor", "actress"), ("lord", "lady"), ("groom", "bride"),
        ("waiter", "waitress"),
    ],
    "singular-plural": [
        ("cat", "cats"), ("dog", "dogs"), ("car", "cars"), ("tree", "trees"),
        ("house", "houses"), ("bird", "birds"), ("book", "books"),
        ("horse", "horses"), ("apple", "apples"), ("river", "rivers"),
        ("table", "tables"), ("window", "windows"), ("flower", "flowers"),
        ("bottle", "bottles"), ("chair", "chairs"), ("road", "roads"),
        ("cloud", "clouds"), ("hand", "hands"), ("stone", "stones"),
        ("ship", "ships"),
    ],
    "present-past": [
        ("walk", "walked"), ("go", "went"), ("run", "ran"), ("eat", "ate"),
        ("see", "saw"), ("write", "wrote"), ("take", "took"),
        ("give", "gave"), ("sing", "sang"), ("swim", "swam"),
        ("drink", "drank"), ("speak", "spoke"), ("jump", "jumped"),
        ("play", "played"), ("fly", "flew"), ("think", "thought"),
        ("buy", "bought"), ("sleep", "slept"), ("teach", "taught"),
        ("fall", "fell"),
    ],
}

#: side markers: family name -> (markers of the a side, markers of the b side)
MARKERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "country-capital": (("nation", "flag", "border", "republic"),
                        ("city", "mayor", "downtown", "metro")),
    "male-female": (("he", "his", "him", "himself"),
                    ("she", "her", "hers", "herself")),
    "singular-plural": (("a", "one", "is", "this"),
                        ("many", "two", "are", "these")),
    "present-past": (("today", "now", "usually", "tomorrow"),
                     ("yesterday", "ago", "once", "earlier")),
}

# --------------------------------------------------------------------------
# Grammar parameters
# --------------------------------------------------------------------------

N_FILLER = 4000          # filler pseudo-word types
ZIPF_EXPONENT = 1.0      # filler frequency ~ 1 / rank**ZIPF_EXPONENT
N_TOPIC = 4              # topic pseudo-words per pair
TOPIC_PER_SENT = 2       # topic words in a relation sentence
MARKER_PER_SENT = 2      # side markers in a relation sentence
MIN_LEN, MAX_LEN = 8, 20  # sentence length range (inclusive)
P_RELATION = 0.35        # fraction of sentences that carry a relation word
CHUNK_TOKENS = 1 << 20   # tokens generated per write
_VOCAB_SEED = 20240607   # fixed: the vocabulary does not depend on `seed`

_BLOCK = 1 + TOPIC_PER_SENT + MARKER_PER_SENT

_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_CODAS = ("", "", "", "n", "r", "s", "l", "m")


def _pseudo_words(n: int, rng: np.random.Generator, reserved: set[str]) -> list[str]:
    """n distinct made-up words of 2-3 CV syllables plus an optional coda."""
    syllables = [c + v for c in _CONSONANTS for v in _VOWELS]
    out: dict[str, None] = {}  # insertion-ordered: deterministic
    while len(out) < n:
        m = 2 * (n - len(out)) + 16
        nsyl = rng.integers(2, 4, size=m)
        syl = rng.integers(0, len(syllables), size=(m, 3))
        coda = rng.integers(0, len(_CODAS), size=m)
        for k in range(m):
            w = "".join(syllables[s] for s in syl[k, : nsyl[k]]) + _CODAS[coda[k]]
            if w not in reserved and w not in out:
                out[w] = None
                if len(out) == n:
                    break
    return list(out)


class _Grammar:
    """Vocabulary and index tables (built once, independent of the seed)."""

    def __init__(self) -> None:
        relation_words: list[str] = []
        marker_words: list[str] = []
        pair_words: list[tuple[int, int]] = []
        pair_family: list[int] = []
        for f, (family, pairs) in enumerate(RELATIONS.items()):
            for a, b in pairs:
                pair_words.append((len(relation_words), len(relation_words) + 1))
                relation_words += [a, b]
                pair_family.append(f)
            for side in MARKERS[family]:
                marker_words += list(side)
        reserved = set(relation_words) | set(marker_words)
        assert len(reserved) == len(relation_words) + len(marker_words), \
            "a word is used twice in RELATIONS/MARKERS"

        n_pairs = len(pair_words)
        rng = np.random.default_rng(_VOCAB_SEED)
        pseudo = _pseudo_words(N_FILLER + n_pairs * N_TOPIC, rng, reserved)
        topic_words = pseudo[: n_pairs * N_TOPIC]
        filler_words = pseudo[n_pairs * N_TOPIC:]

        # ids: filler | relation | topic | marker
        self.words: list[str] = filler_words + relation_words + topic_words + marker_words
        self.relation_words = relation_words
        self.topic_words = topic_words
        self.marker_words = marker_words
        self.filler_words = filler_words
        off_rel = len(filler_words)
        off_top = off_rel + len(relation_words)
        off_mark = off_top + len(topic_words)

        # pair p, side s -> relation word id
        self.pair_word = np.asarray(pair_words, dtype=np.int64) + off_rel  # (P, 2)
        # pair p -> its topic word ids
        self.pair_topics = (off_top + np.arange(n_pairs * N_TOPIC, dtype=np.int64)
                            ).reshape(n_pairs, N_TOPIC)
        # pair p, side s -> marker ids of that side of its family
        n_mark = len(next(iter(MARKERS.values()))[0])
        fam_side_markers = (off_mark + np.arange(len(marker_words), dtype=np.int64)
                            ).reshape(len(RELATIONS), 2, n_mark)
        self.pair_markers = fam_side_markers[np.asarray(pair_family)]  # (P, 2, M)
        self.n_pairs = n_pairs

        ranks = np.arange(1, N_FILLER + 1, dtype=np.float64)
        p = ranks ** -ZIPF_EXPONENT
        cdf = np.cumsum(p)
        self.filler_cdf = cdf / cdf[-1]

        # byte strings for the join: word + " " and word + "\n"; as raw text, a sentence's
        # first word is capitalised and its last ends with a full stop
        self.tok_sp = np.array([(w + " ").encode("ascii") for w in self.words], dtype=object)
        self.tok_nl = np.array([(w + "\n").encode("ascii") for w in self.words], dtype=object)
        self.tok_cap = np.array([(w.capitalize() + " ").encode("ascii") for w in self.words], dtype=object)
        self.tok_stop = np.array([(w + ".\n").encode("ascii") for w in self.words], dtype=object)
        self.kind = dict.fromkeys(filler_words, "filler")
        self.kind.update(dict.fromkeys(relation_words, "relation"))
        self.kind.update(dict.fromkeys(topic_words, "topic"))
        self.kind.update(dict.fromkeys(marker_words, "marker"))


_GRAMMAR: _Grammar | None = None


def _grammar() -> _Grammar:
    global _GRAMMAR
    if _GRAMMAR is None:
        _GRAMMAR = _Grammar()
    return _GRAMMAR


def vocabulary() -> list[str]:
    """Every word type the generator can emit (filler, relation, topic, marker)."""
    return list(_grammar().words)


def word_kind(word: str) -> str | None:
    """"relation" (a word of RELATIONS), "marker" (of MARKERS), "topic" (an invented word planted
    beside one pair), "filler" (an invented word of the Zipf background), or None."""
    return _grammar().kind.get(word)


# --------------------------------------------------------------------------
# Corpus generation
# --------------------------------------------------------------------------

def _sentence_lengths(rng: np.random.Generator, n_tokens: int,
                      trim: bool) -> np.ndarray:
    """Sentence lengths in [MIN_LEN, MAX_LEN] filling up to n_tokens.

    With ``trim`` the last sentence is shortened so the sum is exactly
    ``n_tokens``; without, only whole sentences that fit are kept."""
    mean = (MIN_LEN + MAX_LEN) / 2
    est = int(n_tokens / mean * 1.1) + 8
    lengths = rng.integers(MIN_LEN, MAX_LEN + 1, size=est)
    csum = np.cumsum(lengths)
    while csum[-1] < n_tokens:  # practically never
        more = rng.integers(MIN_LEN, MAX_LEN + 1, size=est)
        lengths = np.concatenate([lengths, more])
        csum = np.cumsum(lengths)
    k = int(np.searchsorted(csum, n_tokens))  # first index with csum >= n_tokens
    if not trim:
        return lengths[: k + 1] if csum[k] == n_tokens else lengths[:k]
    lengths = lengths[: k + 1].copy()
    lengths[-1] -= int(csum[k]) - n_tokens   # trim the very last sentence
    return lengths


def _chunk(rng: np.random.Generator, g: _Grammar, n_tokens: int,
           final: bool, raw: bool) -> tuple[bytes, int]:
    """Whole sentences with at most n_tokens tokens (exactly n_tokens when
    ``final``); returns (bytes, number of tokens)."""
    lengths = _sentence_lengths(rng, n_tokens, trim=final)
    n_tokens = int(lengths.sum())
    n_sent = len(lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))

    # filler everywhere, Zipf distributed
    ids = np.searchsorted(g.filler_cdf, rng.random(n_tokens), side="right")
    ids = np.minimum(ids, N_FILLER - 1).astype(np.int64)

    # relation sentences: a shuffled block of word + topics + markers
    rel = (rng.random(n_sent) < P_RELATION) & (lengths >= _BLOCK)
    r_idx = np.flatnonzero(rel)
    n_rel = len(r_idx)
    if n_rel:
        pair = rng.integers(0, g.n_pairs, size=n_rel)
        side = rng.integers(0, 2, size=n_rel)
        topic_pick = np.argsort(rng.random((n_rel, N_TOPIC)), axis=1)[:, :TOPIC_PER_SENT]
        n_mark = g.pair_markers.shape[2]
        mark_pick = np.argsort(rng.random((n_rel, n_mark)), axis=1)[:, :MARKER_PER_SENT]
        content = np.empty((n_rel, _BLOCK), dtype=np.int64)
        content[:, 0] = g.pair_word[pair, side]
        content[:, 1:1 + TOPIC_PER_SENT] = np.take_along_axis(
            g.pair_topics[pair], topic_pick, axis=1)
        content[:, 1 + TOPIC_PER_SENT:] = np.take_along_axis(
            g.pair_markers[pair, side], mark_pick, axis=1)
        order = np.argsort(rng.random((n_rel, _BLOCK)), axis=1)
        offset = (rng.random(n_rel) * (lengths[r_idx] - _BLOCK + 1)).astype(np.int64)
        pos = (starts[r_idx] + offset)[:, None] + order
        ids[pos.ravel()] = content.ravel()

    # map to bytes; the last token of each sentence carries the newline
    last = np.zeros(n_tokens, dtype=bool)
    last[starts + lengths - 1] = True
    toks = np.where(last, (g.tok_stop if raw else g.tok_nl)[ids], g.tok_sp[ids])
    if raw:
        first_only = starts[lengths > 1]
        toks[first_only] = g.tok_cap[ids[first_only]]
    return b"".join(toks.tolist()), n_tokens


def generate_corpus(path_or_file: str | os.PathLike | BinaryIO,
                    n_tokens: int = 3_000_000, seed: int = 1, raw: bool = False) -> int:
    """Write the synthetic corpus and return the number of tokens written.

    ``path_or_file`` is a path or a binary file object (anything with
    ``write(bytes)``).  Words are separated by single spaces, one sentence per
    line, every line ends with ``\\n``.  With ``raw``, the text reads as prose
    does: each sentence starts with a capital and ends with a full stop, which
    `-tokenizer words -lowercase 1` takes off again (the same tokens).  Same
    ``(n_tokens, seed, raw)`` gives byte-identical output.
    """
    n_tokens = int(n_tokens)
    if n_tokens < 0:
        raise ValueError("n_tokens must be >= 0")
    g = _grammar()
    rng = np.random.default_rng(seed)

    def _write(fh: BinaryIO) -> int:
        chunk = max(int(CHUNK_TOKENS), MAX_LEN)
        written = 0
        while written < n_tokens:
            left = n_tokens - written
            final = left <= chunk
            data, n = _chunk(rng, g, left if final else chunk, final, raw)
            fh.write(data)
            written += n
        return written

    if hasattr(path_or_file, "write"):
        return _write(path_or_file)  # type: ignore[arg-type]
    with open(path_or_file, "wb") as fh:
        return _write(fh)


# --------------------------------------------------------------------------
# Planted analogies and their evaluation
# --------------------------------------------------------------------------

def planted_analogies() -> list[tuple[str, str, str, str, str]]:
    """(section, a, b, c, d) for every ordered pair of distinct pairs per family."""
    out = []
    for section, pairs in RELATIONS.items():
        for i, (a, b) in enumerate(pairs):
            for j, (c, d) in enumerate(pairs):
                if i != j:
                    out.append((section, a, b, c, d))
    return out


def write_questions(path_or_file: str | os.PathLike | BinaryIO) -> int:
    """Write the planted analogies in questions-words format (``: section``
    headers, ``a b c d`` lines); returns the number of questions."""
    lines = []
    current = None
    qs = planted_analogies()
    for section, a, b, c, d in qs:
        if section != current:
            lines.append(f": {section}")
            current = section
        lines.append(f"{a} {b} {c} {d}")
    data = ("\n".join(lines) + "\n").encode("ascii")
    if hasattr(path_or_file, "write"):
        path_or_file.write(data)  # type: ignore[union-attr]
    else:
        with open(path_or_file, "wb") as fh:
            fh.write(data)
    return len(qs)


def evaluate_planted(words: list[str], vectors: np.ndarray,
                     batch: int = 512) -> dict:
    """Top-1 3CosAdd accuracy on :func:`planted_analogies`.

    Vectors are unit-normalised; the answer is the word (over the whole
    vocabulary, minus the three query words) with the highest cosine to
    ``b - a + c``.  A question with a word missing from ``words`` counts as
    wrong and is counted in ``missing``.

    Returns ``{"accuracy", "correct", "total", "missing",
    "sections": {name: {"accuracy", "correct", "total", "missing"}}}``.
    """
    words = list(words)
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError("vectors must have shape (len(words), dim)")
    index: dict[str, int] = {}
    for i, w in enumerate(words):
        index.setdefault(w, i)
    unit = vecmath.normalise_rows(vectors)

    sections = {name: {"correct": 0, "total": 0, "missing": 0} for name in RELATIONS}
    known: list[tuple[str, int, int, int, int]] = []
    for section, a, b, c, d in planted_analogies():
        s = sections[section]
        s["total"] += 1
        if a in index and b in index and c in index and d in index:
            known.append((section, index[a], index[b], index[c], index[d]))
        else:
            s["missing"] += 1

    if known:
        q = np.array([k[1:] for k in known], dtype=np.int64)  # a, b, c, d
        # keep the (batch, vocabulary) similarity matrix around 128 MB at most
        block = vecmath.block_rows(len(words), 1 << 25, max_rows=batch)
        pred = vecmath.analogy_answers(unit, q[:, :3], block=block)
        for (section, *_), ok in zip(known, pred == q[:, 3]):
            if ok:
                sections[section]["correct"] += 1

    for s in sections.values():
        s["accuracy"] = s["correct"] / s["total"] if s["total"] else 0.0
    correct = sum(s["correct"] for s in sections.values())
    total = sum(s["total"] for s in sections.values())
    missing = sum(s["missing"] for s in sections.values())
    return {
        "accuracy": correct / total if total else 0.0,
        "correct": correct,
        "total": total,
        "missing": missing,
        "sections": sections,
    }


def nearest(words: list[str], vectors: np.ndarray, word: str,
            topn: int = 5) -> list[tuple[str, float]]:
    """The ``topn`` words with highest cosine similarity to ``word`` (itself
    excluded).  Raises ``KeyError`` if ``word`` is not in ``words``."""
    words = list(words)
    try:
        i = words.index(word)
    except ValueError:
        raise KeyError(word) from None
    unit = vecmath.normalise_rows(vectors)
    topn = max(0, min(int(topn), len(words) - 1))
    if topn == 0:
        return []
    [(top, sims)] = vecmath.nearest(unit, unit[[i]], topn, exclude=[[i]])
    return [(words[j], float(s)) for j, s in zip(top.tolist(), sims.tolist())]
