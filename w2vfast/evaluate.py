"""Scoring word vectors: Google analogies (as ``compute-accuracy`` counts them)
and word-pair similarity (WordSim-353 style).

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

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

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

_DATA_DIR = Path(__file__).resolve().parent / "data"

# Number of semantic sections at the start of questions-words.txt (C: QID <= 5).
_N_SEMANTIC_SECTIONS = 5

# Upper-case ASCII letters only, like toupper() in the "C" locale.
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Size, in float32 elements, of one block of query x vocabulary scores.
_BLOCK_ELEMENTS = 1 << 24  # 64 MiB


def default_questions_path() -> Path:
    """Path of the bundled Google analogy questions file."""
    return _DATA_DIR / "questions-words.txt"


def default_pairs_path() -> Path:
    """Path of the bundled WordSim-353 file."""
    return _DATA_DIR / "wordsim353.tsv"


def _to_str(w: Union[str, bytes]) -> str:
    if isinstance(w, bytes):
        return w.decode("utf-8", errors="replace")
    return str(w)


def _ascii_upper(s: str) -> str:
    return s.translate(_ASCII_UPPER)


def _pct(num: int, den: int) -> float:
    return 100.0 * num / den if den else float("nan")


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _fmt_pct(x: float) -> str:
    return "n/a" if math.isnan(x) else "%.2f %%" % x


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
        return _ratio(self.correct, self.seen)

    def format(self) -> str:
        return "%s: %s (%d / %d)" % (
            self.name,
            _fmt_pct(_pct(self.correct, self.seen)),
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
        return _ratio(self.correct, self.seen)

    @property
    def semantic_accuracy(self) -> float:
        return _ratio(self.semantic_correct, self.semantic_seen)

    @property
    def syntactic_accuracy(self) -> float:
        return _ratio(self.syntactic_correct, self.syntactic_seen)

    @property
    def seen_ratio(self) -> float:
        """Questions seen / total."""
        return _ratio(self.seen, self.total)

    @property
    def accuracy_pct(self) -> float:
        return _pct(self.correct, self.seen)

    @property
    def semantic_accuracy_pct(self) -> float:
        return _pct(self.semantic_correct, self.semantic_seen)

    @property
    def syntactic_accuracy_pct(self) -> float:
        return _pct(self.syntactic_correct, self.syntactic_seen)

    @property
    def seen_pct(self) -> float:
        return _pct(self.seen, self.total)

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
                _fmt_pct(self.accuracy_pct),
                self.correct,
                self.seen,
                _fmt_pct(self.semantic_accuracy_pct),
                _fmt_pct(self.syntactic_accuracy_pct),
            )
        )
        lines.append(
            "Questions seen / total: %d %d   %s" % (self.seen, self.total, _fmt_pct(self.seen_pct))
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
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError("vectors must be a 2-D array, got shape %r" % (vectors.shape,))
    if len(words) != vectors.shape[0]:
        raise ValueError("%d words but %d vector rows" % (len(words), vectors.shape[0]))
    n = len(words)
    if restrict and restrict > 0:
        n = min(n, int(restrict))

    upper = _ascii_upper if case_insensitive else (lambda s: s)
    vocab = [upper(_to_str(w)) for w in words[:n]]

    # First row with each word; canonical id of each row (duplicates -> first).
    index: dict = {}
    for i, w in enumerate(vocab):
        index.setdefault(w, i)
    canon = np.fromiter((index[w] for w in vocab), dtype=np.int64, count=n)

    M = np.array(vectors[:n], dtype=np.float32, copy=True)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->i", M, M, dtype=np.float32))
        M /= norms[:, None]
    # Rows C would turn into NaN (zero or non-finite vectors): their dot
    # products are NaN, so they are never an answer, and a question using one
    # as a, b or c has an all-NaN query and is answered wrongly.  Zeroing them
    # gives dot products of 0, which can never be an answer either.
    dead = ~np.isfinite(M).all(axis=1)
    if dead.any():
        M[dead] = 0.0

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
    # Questions whose query C computes as all NaN (a, b or c is a dead row).
    answerable = ~dead[ids[:, :3]].any(axis=1) if len(ids) else np.zeros(0, dtype=bool)

    if len(ids) and n:
        block = max(1, min(4096, _BLOCK_ELEMENTS // max(n, 1)))
        hits = np.zeros(len(ids), dtype=bool)
        for start in range(0, len(ids), block):
            q = ids[start:start + block]
            a, b, c, d = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
            query = (M[b] - M[a]) + M[c]
            scores = query @ M.T  # (block, n) float32
            rows = np.arange(len(q))
            scores[rows, a] = -np.inf
            scores[rows, b] = -np.inf
            scores[rows, c] = -np.inf
            best = np.argmax(scores, axis=1)
            bestd = scores[rows, best]
            # C keeps a candidate only if dot > bestd, which starts at 0; the
            # answer is right when its word equals d's (string comparison).
            hits[start:start + block] = (bestd > 0) & (canon[best] == canon[d])
        hits &= answerable
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


# ---------------------------------------------------------------------------
# Word pairs
# ---------------------------------------------------------------------------


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given the average of their ranks."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    # Start of each run of equal values in sorted order.
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    ends = np.r_[starts[1:], n]  # exclusive
    avg = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    run_len = ends - starts
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat(avg, run_len)
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation coefficient (NaN if undefined)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    if len(x) < 2:
        return float("nan")
    xc = x - x.mean()
    yc = y - y.mean()
    den = math.sqrt(float(np.dot(xc, xc)) * float(np.dot(yc, yc)))
    if den == 0.0:
        return float("nan")
    return float(np.dot(xc, yc) / den)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation, average ranks for ties (NaN if undefined)."""
    return pearson(_average_ranks(np.asarray(x)), _average_ranks(np.asarray(y)))


@dataclass
class PairsResult:
    """Result of :func:`evaluate_word_pairs`."""

    pearson: float
    spearman: float
    found: int
    total: int
    pairs_path: str = ""
    # (word1, word2, human score, cosine similarity) for every found pair.
    pairs: List[Tuple[str, str, float, float]] = field(default_factory=list, repr=False)
    # Pairs not found, as (word1, word2).
    missing: List[Tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def oov_ratio(self) -> float:
        """Fraction of pairs with a word missing."""
        return _ratio(self.total - self.found, self.total)

    def format(self) -> str:
        def f(x: float) -> str:
            return "n/a" if math.isnan(x) else "%.4f" % x

        return "\n".join(
            [
                "Spearman rho: %s   Pearson r: %s" % (f(self.spearman), f(self.pearson)),
                "Pairs found / total: %d %d   %s OOV"
                % (self.found, self.total, _fmt_pct(_pct(self.total - self.found, self.total))),
            ]
        )

    def __str__(self) -> str:
        return self.format()


def _read_pairs(path: Path) -> List[Tuple[str, str, float]]:
    out: List[Tuple[str, str, float]] = []
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            parts = s.split("\t")
            if len(parts) < 3:
                parts = s.split()
            if len(parts) < 3:
                continue
            try:
                score = float(parts[2])
            except ValueError:
                continue  # header line
            out.append((parts[0].strip(), parts[1].strip(), score))
    return out


def evaluate_word_pairs(
    words: Sequence[Union[str, bytes]],
    vectors: np.ndarray,
    pairs_path: Optional[Union[str, Path]] = None,
    case_insensitive: bool = True,
    restrict: Optional[int] = None,
) -> PairsResult:
    """Correlate cosine similarities with human scores (WordSim-353 format).

    The file is tab-separated ``word1 word2 score`` (whitespace also
    accepted); ``#`` lines are comments and a line whose score is not a number
    (a header) is skipped.  A word is looked up as its first row (after
    upper-casing both sides when ``case_insensitive``); ``restrict`` limits the
    vocabulary to the first ``restrict`` words (default: all).  Pairs with a
    missing word are left out of the correlations.
    """
    ppath = Path(pairs_path) if pairs_path is not None else default_pairs_path()
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError("vectors must be a 2-D array, got shape %r" % (vectors.shape,))
    if len(words) != vectors.shape[0]:
        raise ValueError("%d words but %d vector rows" % (len(words), vectors.shape[0]))
    n = len(words)
    if restrict and restrict > 0:
        n = min(n, int(restrict))
    norm = (lambda s: s.upper()) if case_insensitive else (lambda s: s)
    index: dict = {}
    for i in range(n):
        index.setdefault(norm(_to_str(words[i])), i)

    data = _read_pairs(ppath)
    found_i, found_j, human, kept, missing = [], [], [], [], []
    for w1, w2, score in data:
        i = index.get(norm(w1))
        j = index.get(norm(w2))
        if i is None or j is None:
            missing.append((w1, w2))
            continue
        found_i.append(i)
        found_j.append(j)
        human.append(score)
        kept.append((w1, w2))

    if found_i:
        A = np.asarray(vectors[np.asarray(found_i)], dtype=np.float64)
        B = np.asarray(vectors[np.asarray(found_j)], dtype=np.float64)
        num = np.einsum("ij,ij->i", A, B)
        den = np.linalg.norm(A, axis=1) * np.linalg.norm(B, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            sims = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    else:
        sims = np.zeros(0)

    human_arr = np.asarray(human, dtype=np.float64)
    return PairsResult(
        pearson=pearson(human_arr, sims),
        spearman=spearman(human_arr, sims),
        found=len(found_i),
        total=len(data),
        pairs_path=str(ppath),
        pairs=[(w1, w2, h, float(s)) for (w1, w2), h, s in zip(kept, human, sims)],
        missing=missing,
    )
