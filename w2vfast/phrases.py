"""Phrase detection: join frequent collocations into single tokens (`new york` -> `new_york`).

The rule is word2vec's `word2phrase.c`.  Over the corpus count every word and every pair of
adjacent words within a line; a pair `a b` scores

    score = (count(a b) - min_count) / count(a) / count(b) * train_words

where `train_words` is the number of words in the corpus (line ends not counted).  Words and
pairs seen fewer than `min_count` times score 0.  Reading left to right, `a b` is written as
`a_b` when its score is above the threshold, and a word just joined to its left neighbour
cannot start a join of its own (`a b c` gives `a_b c` or `a b_c`, never `a_b_c`, in one pass).
Pairs never span a line end, and line ends are kept.

Repeated passes form longer phrases: each pass re-reads the previous pass's output, so
`new_york city` can become `new_york_city`.  Pass k of N uses the threshold times (N - k + 1):
`-threshold 100 -passes 2` runs 200 then 100, as word2vec's `demo-phrases.sh`, and the last
pass always uses the given threshold (`-passes 1` is word2phrase.c itself).

Differences from word2phrase.c: counts are exact (the C tool prunes rare entries when its hash
table fills and cuts words at 59 bytes); scores are computed in double precision; whitespace is
normalised (words separated by single spaces, no space at line starts); a join is made only when
the joined token fits in the tokenizer's 100 bytes, so later passes and training keep it whole.

Everything but the tokenizer is vectorised NumPy over the corpus as word ids: one pass over
the 100 MB text8-like corpus takes a few seconds.
"""
import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import _core, options as opts
from .atomic import atomic_output
from .corpus import describe, iter_chunks
from .options import OptionError
from .vocab import EOS, VocabularyError, new_dictionary

MAX_TOKEN_BYTES = _core.MAX_TOKEN_BYTES
DEFAULT_MIN_COUNT = 5
DEFAULT_THRESHOLD = 100.0
DEFAULT_PASSES = 2

_RENDER_TOKENS = 1 << 19  # tokens written per output chunk (a few MB of text)


def score(pab, pa, pb, train_words, min_count):
    """word2phrase.c's score of the pair `a b` (pab = count of the pair, pa, pb of the words)."""
    return (pab - min_count) / pa / pb * train_words


def pass_thresholds(threshold, passes):
    """The threshold of each pass: `threshold * (passes - k)` for k = 0..passes-1."""
    return [threshold * (passes - k) for k in range(passes)]


def check_options(min_count, threshold, passes):
    """Raise OptionError (naming the flag) for a value the command cannot run with."""
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or not 1 <= min_count < 1 << 63:
        raise OptionError(f"invalid -min-count {min_count!r}: must be a whole number of at least 1")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) \
            or not math.isfinite(threshold) or threshold <= 0:
        raise OptionError(f"invalid -threshold {threshold!r}: must be a positive number such as 100")
    if isinstance(passes, bool) or not isinstance(passes, (int, np.integer)) or passes < 1:
        raise OptionError(f"invalid -passes {passes!r}: must be a whole number of at least 1")


# --------------------------------------------------------------------------
# Scoring and choosing joins, on the corpus as word ids
# --------------------------------------------------------------------------


@dataclass
class PairTable:
    """Scored pairs, sorted by code `a * n_words + b`: word ids a, b, pair count, score."""
    left: np.ndarray
    right: np.ndarray
    count: np.ndarray
    score: np.ndarray

    def __len__(self):
        return len(self.left)


def score_pairs(ids, counts, min_count, threshold=None, word_lengths=None):
    """Count and score the adjacent pairs of `ids` (0 = line end, never part of a pair).

    `counts[i]` is the count of word i.  Only pairs whose words and whose own count reach
    `min_count` are scored (the others score 0).  With `threshold`, only the pairs scoring above
    it are returned (and words too frequent to ever score above it are skipped early); with
    `word_lengths`, only pairs whose joined token fits in MAX_TOKEN_BYTES.
    """
    ids = np.asarray(ids)
    counts = np.asarray(counts)
    n_words = len(counts)
    train_words = float(counts[1:].sum()) if n_words else 0.0
    empty = PairTable(*(np.empty(0, dt) for dt in (np.uint32, np.uint32, np.uint64, np.float64)))
    if len(ids) < 2 or n_words < 2:
        return empty
    usable = counts >= min_count
    usable[0] = False
    if threshold is not None:
        # score < train_words / max(pa, pb), so a word counted train_words / threshold times
        # or more never joins: skipping those (the, of, and, ...) halves the pairs to count
        usable &= counts.astype(np.float64) * threshold <= train_words
    left, right = ids[:-1], ids[1:]
    pos = np.flatnonzero(usable[left] & usable[right])
    if len(pos) == 0:
        return empty
    codes = left[pos].astype(np.uint64) * np.uint64(n_words) + right[pos]
    del pos
    codes, pab = np.unique(codes, return_counts=True)
    keep = pab >= min_count
    codes, pab = codes[keep], pab[keep]
    a = (codes // np.uint64(n_words)).astype(np.uint32)
    b = (codes % np.uint64(n_words)).astype(np.uint32)
    s = score(pab.astype(np.float64), counts[a].astype(np.float64), counts[b].astype(np.float64),
              train_words, float(min_count))
    keep = np.ones(len(s), bool)
    if threshold is not None:
        keep &= s > threshold
    if word_lengths is not None:
        word_lengths = np.asarray(word_lengths)
        keep &= word_lengths[a].astype(np.int64) + 1 + word_lengths[b] <= MAX_TOKEN_BYTES
    return PairTable(a[keep], b[keep], pab[keep].astype(np.uint64), s[keep])


def candidate_positions(ids, table, n_words):
    """Sorted positions i where the pair (ids[i], ids[i+1]) is in `table` (sorted by code)."""
    if len(table) == 0 or len(ids) < 2:
        return np.empty(0, np.int64)
    ids = np.asarray(ids)
    is_left = np.zeros(n_words, bool)
    is_left[table.left] = True
    is_right = np.zeros(n_words, bool)
    is_right[table.right] = True
    left, right = ids[:-1], ids[1:]
    pos = np.flatnonzero(is_left[left] & is_right[right])  # a superset, usually small
    codes = left[pos].astype(np.uint64) * np.uint64(n_words) + right[pos]
    good = table.left.astype(np.uint64) * np.uint64(n_words) + table.right
    at = np.searchsorted(good, codes)
    at[at == len(good)] = 0
    return pos[good[at] == codes]


def choose_joins(candidates):
    """Of sorted candidate positions (join word i+1 to word i), those taken left to right.

    A candidate is taken unless the one just before it (i - 1) was: in a run of consecutive
    candidates every other one is taken, starting with the first.
    """
    p = np.asarray(candidates, dtype=np.int64)
    if len(p) == 0:
        return p
    starts = np.ones(len(p), bool)
    starts[1:] = np.diff(p) != 1
    j = np.arange(len(p))
    run_start = np.maximum.accumulate(np.where(starts, j, 0))
    return p[(j - run_start) % 2 == 0]


# --------------------------------------------------------------------------
# Writing the text back
# --------------------------------------------------------------------------


class Renderer:
    """Writes a corpus of word ids back as text, with `_` at the chosen joins."""

    def __init__(self, words):
        words = list(words)
        if words:
            words[0] = b"\n"  # the line end
        self.n_words = len(words)
        self.length = np.fromiter((len(w) for w in words), np.int64, len(words))
        self.offset = np.zeros(len(words), np.int64)
        if len(words) > 1:
            np.cumsum(self.length[:-1] + 1, out=self.offset[1:])
        # each word is followed by one spare byte, overwritten by the separator after it
        self.arena = np.frombuffer(b"".join(w + b" " for w in words), np.uint8)

    def chunks(self, ids, joins, chunk_tokens=_RENDER_TOKENS):
        """Yield the text as uint8 arrays; `joins` = sorted positions i where word i+1 is glued."""
        ids = np.asarray(ids)
        n = len(ids)
        glued = np.zeros(max(n - 1, 0), bool)
        glued[np.asarray(joins, dtype=np.int64)] = True
        for lo in range(0, n, chunk_tokens):
            hi = min(n, lo + chunk_tokens)
            tok = ids[lo:hi]
            nxt = ids[lo + 1:hi + 1]
            m = len(nxt)  # hi - lo, or one less at the very end
            sep = np.zeros(hi - lo, np.uint8)
            s = np.where(glued[lo:lo + m], np.uint8(ord("_")), np.uint8(ord(" ")))
            s[(tok[:m] == 0) | (nxt == 0)] = 0  # nothing after a line end or before one
            sep[:m] = s
            has = sep != 0
            wlen = self.length[tok]
            piece = wlen + has
            ends = np.cumsum(piece)
            starts = ends - piece
            idx = np.repeat(self.offset[tok] - starts, piece)
            idx += np.arange(len(idx), dtype=np.int64)
            out = self.arena[idx]
            out[(starts + wlen)[has]] = sep[has]
            yield out


# --------------------------------------------------------------------------
# Passes
# --------------------------------------------------------------------------


@dataclass
class PassStats:
    """What one pass did."""
    threshold: float
    train_words: int
    distinct_words: int
    phrases: int  # distinct pairs scoring above the threshold
    joins: int  # pairs joined in the text
    seconds: float = 0.0  # the pass's wall time (the first includes reading the corpus)
    top: list = field(default_factory=list)  # (phrase bytes, pair count, score), most frequent first


def tokenize(chunks, name, tokenizer=opts.default("tokenizer"), lowercase=opts.default("lowercase")):
    """A finalized Dictionary (min count 1: every token has an id) of the text in `chunks`, split
    as -tokenizer and -lowercase say."""
    d = new_dictionary(tokenizer, lowercase, record_ids=True)
    for chunk in chunks:
        d.feed(chunk)
    d.feed(b"", last=True)
    if d.n_tokens == 0:
        raise VocabularyError(f"corpus {describe(name)} is empty: it has no words")
    eos = d.find(EOS)
    if eos >= 0 and d.n_tokens == int(d.counts()[eos]):
        raise VocabularyError(f"corpus {describe(name)} has only blank lines: it has no words")
    d.finalize(1)
    return d


def phrase_pass(d, min_count, threshold, top=0):
    """Score the pairs of a finalized Dictionary's corpus and choose the joins.

    Returns (text chunks iterator, PassStats); `top` phrases are listed in the stats.
    """
    words = d.words()
    counts = d.counts()
    ids = d.ids()
    renderer = Renderer(words)
    table = score_pairs(ids, counts, min_count, threshold, word_lengths=renderer.length)
    joins = choose_joins(candidate_positions(ids, table, len(words)))
    stats = PassStats(threshold=threshold, train_words=int(counts[1:].sum()),
                      distinct_words=len(words) - 1, phrases=len(table), joins=len(joins))
    if top and len(table):
        order = np.argsort(-table.count.astype(np.int64), kind="stable")[:top]
        stats.top = [(words[table.left[i]] + b"_" + words[table.right[i]], int(table.count[i]),
                      float(table.score[i])) for i in order]
    return renderer.chunks(ids, joins), stats


def _run(chunks, name, write, min_count, threshold, passes, on_pass, top, tokenizer, lowercase):
    """The passes; a pass's seconds include reading its input (the first) and writing its text.
    The first pass splits the text as `tokenizer` and `lowercase` say; the others read the
    previous pass's output, already split (words between single spaces)."""
    check_options(min_count, threshold, passes)
    t = time.perf_counter()
    d = tokenize(chunks, name, tokenizer, lowercase)
    all_stats = []
    for k, thr in enumerate(pass_thresholds(threshold, passes), 1):
        text, stats = phrase_pass(d, min_count, thr, top=top)
        if k < passes:
            d = tokenize(text, name)  # the next pass reads this pass's output, in memory
        else:
            for chunk in text:
                write(chunk)
        stats.seconds = time.perf_counter() - t
        t = time.perf_counter()
        all_stats.append(stats)
        if on_pass is not None:
            on_pass(k, passes, stats)
    return all_stats


def phrases(corpus, output="-", min_count=DEFAULT_MIN_COUNT, threshold=DEFAULT_THRESHOLD,
            passes=DEFAULT_PASSES, on_pass=None, top=0, tokenizer=opts.default("tokenizer"),
            lowercase=opts.default("lowercase")):
    """Join the collocations of `corpus` (path, '-' for stdin, .gz/.bz2/.xz) into `output`.

    `output` is written atomically ('-' = stdout) once the whole corpus has been read; nothing
    is written if reading fails.  `on_pass(k, passes, PassStats)` is called after each pass.
    `tokenizer` and `lowercase`: how the corpus is split into words (as `train`'s options).
    Returns the list of PassStats.
    """
    check_options(min_count, threshold, passes)
    with atomic_output(output) as f:
        return _run(iter_chunks(corpus), corpus, f.write, min_count, threshold, passes, on_pass, top,
                    tokenizer, lowercase)


def phrases_bytes(text, min_count=DEFAULT_MIN_COUNT, threshold=DEFAULT_THRESHOLD,
                  passes=DEFAULT_PASSES, on_pass=None, top=0, tokenizer=opts.default("tokenizer"),
                  lowercase=opts.default("lowercase")):
    """`phrases` on a bytes corpus in memory; returns the output bytes."""
    out = []
    _run([bytes(text)], "<bytes>", lambda c: out.append(c.tobytes()), min_count, threshold,
         passes, on_pass, top, tokenizer, lowercase)
    return b"".join(out)
