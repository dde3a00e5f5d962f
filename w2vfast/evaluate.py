"""Scoring word vectors: Google analogies (as ``compute-accuracy`` counts them)
and word-pair similarity (WordSim-353 style).

The analogies are here; the word pairs are in ``w2vfast.wordpairs``, whose
public names this module offers too.  The vector maths of both is in
``w2vfast.vecmath``.

Only numpy is needed.  Callers pass ``words`` (a sequence of ``str``; ``bytes``
are decoded as UTF-8 with ``errors="replace"``) and ``vectors`` (a V x D float
array, rows in vocabulary order, i.e. most frequent first).

``evaluate_analogies`` reproduces the counting of the original C tool
``compute-accuracy`` (word2vec, 2013):

* only the first ``restrict`` words are used (0 / ``None``: all of them);
* words and question words are upper-cased (ASCII only, like C's ``toupper``
  in the "C" locale) when ``case_insensitive``;
* every row is normalised to unit length (a zero row becomes NaN, as in C, and
  can then never be an answer; a question using it is answered wrongly);
* a question word is looked up as the *first* row whose word equals it, so
  duplicates after upper-casing resolve to the most frequent one;
* every question counts in ``total``; a question with any of its 4 words
  missing is skipped, the others count in ``seen``;
* the query ``M[b] - M[a] + M[c]`` is not normalised; the answer is the row
  with the largest dot product among all rows except ``a``, ``b`` and ``c``
  (by row index), counting only candidates with a dot product > 0 (C starts
  its running best at 0), ties going to the lower index; with no positive
  candidate the question is answered wrongly;
* the answer is correct when its (upper-cased) word equals ``d``'s, as C
  compares strings (this matters only for duplicate words);
* the first 5 sections of the file are semantic, the rest syntactic
  (C's ``QID <= 5``; questions before the first ``:`` line also count as
  semantic, as in C).

The products are computed in float32 with BLAS, whose summation order differs
from C's loop; in rare near-ties the chosen answer can therefore differ from
the C tool's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from .evalcommon import DATA_DIR, checked_vocabulary, fmt_pct, pct, ratio, to_str
from .vecmath import BLOCK_ELEMENTS, analogy_answers, block_rows, normalise_rows
from .wordpairs import PairsResult, default_pairs_path, evaluate_word_pairs, pearson, spearman

__all__ = [
    "SectionResult",
    "AnalogyResult",
    "PairsResult",
    "evaluate_analogies",
    "evaluate_word_pairs",
    "default_questions_path",
    "default_pairs_path",
    "spearman",
    "pearson",
]

# Number of semantic sections at the start of questions-words.txt (C: QID <= 5).
_N_SEMANTIC_SECTIONS = 5

# Upper-case ASCII letters only, like toupper() in the "C" locale.
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Size, in float32 elements, of one block of question x vocabulary scores: the questions of a
# block are one matrix product.
_BLOCK_ELEMENTS = BLOCK_ELEMENTS


def default_questions_path() -> Path:
    """Path of the bundled Google analogy questions file."""
    return DATA_DIR / "questions-words.txt"


def _ascii_upper(s: str) -> str:
    return s.translate(_ASCII_UPPER)


# ---------------------------------------------------------------------------
# Analogies
# ---------------------------------------------------------------------------


@dataclass
class SectionResult:
    """Counts for one ``: section`` of the questions file."""

    name: str
    correct: int
    seen: int
    total: int
    semantic: bool

    @property
    def accuracy(self) -> float:
        """correct / seen, a fraction (NaN when nothing was seen)."""
        return ratio(self.correct, self.seen)

    def format(self) -> str:
        return "%s: %s (%d / %d)" % (
            self.name,
            fmt_pct(pct(self.correct, self.seen)),
            self.correct,
            self.seen,
        )


@dataclass
class AnalogyResult:
    """Result of :func:`evaluate_analogies`.

    Accuracies are fractions in [0, 1] (NaN where the denominator is 0);
    ``*_pct`` properties give percentages.
    """

    sections: List[SectionResult] = field(default_factory=list)
    restrict: int = 0
    questions_path: str = ""

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.sections)

    @property
    def seen(self) -> int:
        return sum(s.seen for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def semantic_correct(self) -> int:
        return sum(s.correct for s in self.sections if s.semantic)

    @property
    def semantic_seen(self) -> int:
        return sum(s.seen for s in self.sections if s.semantic)

    @property
    def syntactic_correct(self) -> int:
        return sum(s.correct for s in self.sections if not s.semantic)

    @property
    def syntactic_seen(self) -> int:
        return sum(s.seen for s in self.sections if not s.semantic)

    @property
    def accuracy(self) -> float:
        """Total accuracy: correct / seen."""
        return ratio(self.correct, self.seen)

    @property
    def semantic_accuracy(self) -> float:
        return ratio(self.semantic_correct, self.semantic_seen)

    @property
    def syntactic_accuracy(self) -> float:
        return ratio(self.syntactic_correct, self.syntactic_seen)

    @property
    def seen_ratio(self) -> float:
        """Questions seen / total."""
        return ratio(self.seen, self.total)

    @property
    def accuracy_pct(self) -> float:
        return pct(self.correct, self.seen)

    @property
    def semantic_accuracy_pct(self) -> float:
        return pct(self.semantic_correct, self.semantic_seen)

    @property
    def syntactic_accuracy_pct(self) -> float:
        return pct(self.syntactic_correct, self.syntactic_seen)

    @property
    def seen_pct(self) -> float:
        return pct(self.seen, self.total)

    def section(self, name: str) -> SectionResult:
        for s in self.sections:
            if s.name == name:
                return s
        raise KeyError(name)

    def format(self, sections: bool = True) -> str:
        """Human-readable report in the style of ``compute-accuracy``."""
        lines = []
        if sections:
            lines.extend(s.format() for s in self.sections)
        lines.append(
            "Total accuracy: %s (%d / %d)   Semantic accuracy: %s   Syntactic accuracy: %s"
            % (
                fmt_pct(self.accuracy_pct),
                self.correct,
                self.seen,
                fmt_pct(self.semantic_accuracy_pct),
                fmt_pct(self.syntactic_accuracy_pct),
            )
        )
        lines.append(
            "Questions seen / total: %d %d   %s" % (self.seen, self.total, fmt_pct(self.seen_pct))
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _read_questions(path: Path, upper) -> Tuple[List[Tuple[str, bool]], List[int], List[Tuple[str, str, str, str]]]:
    """Parse a questions file.

    Returns (sections as (name, semantic), section index per question,
    questions as 4-tuples of already case-mapped words).  Lines with a number
    of words other than 4 are ignored.
    """
    sections: List[Tuple[str, bool]] = []
    sec_of: List[int] = []
    questions: List[Tuple[str, str, str, str]] = []
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == ":" or parts[0].startswith(":"):
                name = " ".join(parts[1:]) if parts[0] == ":" else line.strip()[1:].strip()
                sections.append((name, len(sections) < _N_SEMANTIC_SECTIONS))
                continue
            if len(parts) != 4:
                continue
            if not sections:
                # Questions before any header: C counts them with QID 0 (semantic).
                sections.append(("", True))
            sec_of.append(len(sections) - 1)
            questions.append(tuple(upper(p) for p in parts))  # type: ignore[misc]
    return sections, sec_of, questions


def evaluate_analogies(
    words: Sequence[Union[str, bytes]],
    vectors: np.ndarray,
    questions_path: Optional[Union[str, Path]] = None,
    restrict: Optional[int] = 30000,
    case_insensitive: bool = True,
) -> AnalogyResult:
    """Score ``vectors`` on analogy questions exactly as ``compute-accuracy`` counts.

    ``restrict``: use only the first ``restrict`` words (``0`` or ``None``: all).
    ``questions_path``: default is the bundled ``questions-words.txt``.
    """
    qpath = Path(questions_path) if questions_path is not None else default_questions_path()
    vectors, n = checked_vocabulary(words, vectors, restrict)

    upper = _ascii_upper if case_insensitive else (lambda s: s)
    vocab = [upper(to_str(w)) for w in words[:n]]

    # First row with each word; canonical id of each row (duplicates -> first).
    index: dict = {}
    for i, w in enumerate(vocab):
        index.setdefault(w, i)
    canon = np.fromiter((index[w] for w in vocab), dtype=np.int64, count=n)

    # Dead rows (zero or non-finite, NaN in C) are never an answer, and a question using one
    # as a, b or c is answered wrongly.
    M, dead = normalise_rows(vectors[:n], dead_rows=True)

    sections, sec_of, questions = _read_questions(qpath, upper)
    n_sec = len(sections)
    total = np.zeros(n_sec, dtype=np.int64)
    seen = np.zeros(n_sec, dtype=np.int64)
    correct = np.zeros(n_sec, dtype=np.int64)

    sec_arr = np.asarray(sec_of, dtype=np.int64)
    np.add.at(total, sec_arr, 1)

    ids = np.array(
        [[index.get(w, -1) for w in q] for q in questions], dtype=np.int64
    ).reshape(-1, 4)
    ok = (ids >= 0).all(axis=1)
    ids = ids[ok]
    sec_seen = sec_arr[ok]
    np.add.at(seen, sec_seen, 1)

    if len(ids) and n:
        answers = analogy_answers(M, ids[:, :3], compute_accuracy=True, dead=dead,
                                  block=block_rows(n, _BLOCK_ELEMENTS))
        # The answer is right when its word equals d's, as C compares strings (this matters
        # only for duplicate words).
        hits = (answers >= 0) & (canon[np.maximum(answers, 0)] == canon[ids[:, 3]])
        np.add.at(correct, sec_seen[hits], 1)

    result = AnalogyResult(restrict=n, questions_path=str(qpath))
    for k, (name, semantic) in enumerate(sections):
        result.sections.append(
            SectionResult(
                name=name,
                correct=int(correct[k]),
                seen=int(seen[k]),
                total=int(total[k]),
                semantic=semantic,
            )
        )
    return result
