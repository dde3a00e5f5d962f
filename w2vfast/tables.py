"""The read-only tables training needs, each derived from the vocabulary's counts: the Huffman
codes of hierarchical softmax, the alias table of the noise words, the subsampling thresholds."""
import numpy as np

from . import _core


class TableError(ValueError):
    """A table cannot be made from this vocabulary; the message says why and what to try."""


def huffman_codes(counts):
    """Huffman codes for words in any order: (code_offset, codes, points) as csrc/huffman.h.

    The tree is built on the counts sorted descending (word2vec.c's construction assumes that
    order; the sentence end </s>, first whatever its count, would otherwise get a place its
    count does not earn), then mapped back to the words."""
    counts = np.asarray(counts, dtype=np.uint64)
    order = np.argsort(-counts.astype(np.float64), kind="stable")
    offset, codes, points = _core.huffman(np.ascontiguousarray(counts[order]))
    if (order == np.arange(len(counts))).all():
        return offset, codes, points
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))  # word w's path is the sorted table's path rank[w]
    lengths = np.diff(offset.astype(np.int64))[rank]
    new_offset = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_offset[1:])
    src = np.repeat(offset[:-1].astype(np.int64)[rank] - new_offset[:-1], lengths) + np.arange(new_offset[-1])
    return new_offset.astype(np.uint32), codes[src], points[src]


def noise_table(counts, exponent):
    """The alias table (thresholds, aliases) drawing word w with probability proportional to
    count(w) ** exponent; the sentence end </s> (word 0) is never drawn."""
    weights = np.asarray(counts).astype(np.float64) ** exponent
    weights[0] = 0.0
    if not np.any(weights > 0):
        raise TableError("negative sampling needs at least one word besides </s>")
    return _core.alias_table(weights)


def keep_thresholds(counts, sample):
    """Subsampling thresholds on 32 random bits (csrc/sampling.h), or None when -sample 0 keeps
    every word."""
    return _core.keep_thresholds(np.asarray(counts, dtype=np.uint64), sample) if sample > 0 else None
