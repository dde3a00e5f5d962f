"""Scoring word vectors on word pairs with human similarity scores (WordSim-353 style):
Spearman's rho and Pearson's r between the pairs' cosines and the human scores.

Only numpy is needed.  Callers pass ``words`` (a sequence of ``str``; ``bytes`` are decoded as
UTF-8 with ``errors="replace"``) and ``vectors`` (a V x D float array, rows in vocabulary
order).  ``w2vfast.evaluate`` offers these names too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from .evalcommon import DATA_DIR, checked_vocabulary, fmt_pct, pct, ratio, to_str
from .vecmath import pair_cosines

__all__ = [
    "PairsResult",
    "evaluate_word_pairs",
    "default_pairs_path",
    "average_ranks",
    "spearman",
    "pearson",
]


def default_pairs_path() -> Path:
    """Path of the bundled WordSim-353 file."""
    return DATA_DIR / "wordsim353.tsv"


def average_ranks(x: np.ndarray) -> np.ndarray:
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
    return pearson(average_ranks(np.asarray(x)), average_ranks(np.asarray(y)))


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
        return ratio(self.total - self.found, self.total)

    def format(self) -> str:
        def f(x: float) -> str:
            return "n/a" if math.isnan(x) else "%.4f" % x

        return "\n".join(
            [
                "Spearman rho: %s   Pearson r: %s" % (f(self.spearman), f(self.pearson)),
                "Pairs found / total: %d %d   %s OOV"
                % (self.found, self.total, fmt_pct(pct(self.total - self.found, self.total))),
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
    vectors, n = checked_vocabulary(words, vectors, restrict)
    norm = (lambda s: s.upper()) if case_insensitive else (lambda s: s)
    index: dict = {}
    for i in range(n):
        index.setdefault(norm(to_str(words[i])), i)

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
        sims = pair_cosines(vectors[np.asarray(found_i)], vectors[np.asarray(found_j)])
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
