"""Word classes by k-means, as word2vec.c's `-classes K`, vectorised with NumPy.

word2vec.c's algorithm, reproduced step for step:

* word ``a`` starts in class ``a % K`` (round robin over the vocabulary order);
* then 10 iterations of
  - centroid of each class = sum of its members' vectors divided by (members + 1) (the C code
    starts every class count at 1), then scaled to unit length.  A class whose centroid is zero
    (no members) or not finite becomes NaN in C and can never be chosen again; here it is never
    chosen either;
  - every word moves to the class whose centroid has the largest dot product with the word's raw
    (not normalised) vector; C starts its running best at -10 with class 0 and keeps a class
    only when its product is strictly larger, so ties go to the lower class id and a word whose
    products are all <= -10 goes to class 0.

Products are computed in float32 with BLAS (C uses float too, but sums in another order), so
in rare near-ties a word can land in a different class than with the C tool.
"""
from __future__ import annotations

import os

import numpy as np

from .atomic import atomic_output
from .vecmath import normalise_rows

__all__ = ["compute_classes", "write_classes"]

# Size, in float32 elements, of one block of word x class products (64 MiB).
_BLOCK_ELEMENTS = 1 << 24

# C's initial running best in the assignment step.
_C_INITIAL_BEST = -10.0


def compute_classes(vectors: np.ndarray, k: int, iterations: int = 10) -> np.ndarray:
    """Class id (0..k-1) of every row of `vectors` (V x D), as word2vec.c's `-classes k`."""
    x = np.asarray(vectors)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {x.shape}")
    k = int(k)
    if k < 1:
        raise ValueError(f"the number of classes must be >= 1, got {k}")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    n, dim = x.shape
    cl = np.arange(n, dtype=np.int64) % k
    if n == 0:
        return cl
    block = max(1, _BLOCK_ELEMENTS // max(k, dim, 1))
    for _ in range(iterations):
        cent = np.zeros((k, dim), dtype=np.float32)
        _sum_by_class(cent, cl, x)
        counts = np.bincount(cl, minlength=k).astype(np.float32) + 1.0
        cent /= counts[:, None]
        # C: 0/0 = NaN, never the strict maximum: a dead centroid is never chosen
        cent, dead = normalise_rows(cent, dead_rows=True)
        for start in range(0, n, block):
            scores = x[start:start + block] @ cent.T
            scores[:, dead] = -np.inf
            best = np.argmax(scores, axis=1)  # first maximum: the lower class id on ties
            best_score = scores[np.arange(len(best)), best]
            best[~(best_score > _C_INITIAL_BEST)] = 0  # NaN included
            cl[start:start + block] = best
    return cl


def _sum_by_class(cent: np.ndarray, cl: np.ndarray, x: np.ndarray) -> None:
    """cent[c] += sum of the rows of x in class c (one sort and one reduceat, not np.add.at)."""
    order = np.argsort(cl, kind="stable")
    sorted_cl = cl[order]
    starts = np.flatnonzero(np.r_[True, sorted_cl[1:] != sorted_cl[:-1]])
    sums = np.add.reduceat(x[order], starts, axis=0)
    cent[sorted_cl[starts]] += sums


def write_classes(path_or_dash, words, classes) -> None:
    """Write `word classid` lines sorted by class id, vocabulary order within a class.

    `words` are bytes or str (str is written back to bytes with surrogateescape, so words read
    from any encoding go out unchanged).  `path_or_dash` is a path (written atomically) or "-"
    for standard output.
    """
    classes = np.asarray(classes)
    if len(words) != len(classes):
        raise ValueError(f"{len(words)} words but {len(classes)} class ids")
    order = np.argsort(classes, kind="stable")
    lines = []
    for i, c in zip(order.tolist(), classes[order].tolist()):
        w = words[i]
        if isinstance(w, str):
            w = w.encode("utf-8", "surrogateescape")
        lines.append(b"%s %d\n" % (w, c))
    with atomic_output(path_or_dash if path_or_dash == "-" else os.fspath(path_or_dash)) as f:
        f.write(b"".join(lines))
