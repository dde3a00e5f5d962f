"""What the two evaluations (analogies in `evaluate`, word pairs in `wordpairs`) share: where
the bundled benchmark files are, how words are decoded, and the ratios and percentages of their
reports, "n/a" where nothing was counted."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Union

import numpy as np

__all__ = ["DATA_DIR", "checked_vocabulary", "to_str", "pct", "ratio", "fmt_pct"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def checked_vocabulary(words, vectors, restrict):
    """`vectors` as an array and how many of the first words are used (`restrict`; 0 or None:
    all), after checking that words and rows go together."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError("vectors must be a 2-D array, got shape %r" % (vectors.shape,))
    if len(words) != vectors.shape[0]:
        raise ValueError("%d words but %d vector rows" % (len(words), vectors.shape[0]))
    n = len(words)
    if restrict and restrict > 0:
        n = min(n, int(restrict))
    return vectors, n


def to_str(w: Union[str, bytes]) -> str:
    """A word as str: bytes are decoded as UTF-8 with errors="replace"."""
    if isinstance(w, bytes):
        return w.decode("utf-8", errors="replace")
    return str(w)


def pct(num: int, den: int) -> float:
    """100 * num / den, NaN when den is 0."""
    return 100.0 * num / den if den else float("nan")


def ratio(num: int, den: int) -> float:
    """num / den, NaN when den is 0."""
    return num / den if den else float("nan")


def fmt_pct(x: float) -> str:
    """``12.34 %``, or ``n/a`` for NaN."""
    return "n/a" if math.isnan(x) else "%.2f %%" % x
