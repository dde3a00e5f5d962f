"""A plain-Python reference of the tokenizer and vocabulary (csrc/dictionary.c), for tests and
the fuzz harness to check the C code against.

The contract: tokens split at space, tab, newline, vertical tab and form feed; '\\r' dropped
wherever it is; "</s>" for every newline; a token longer than MAX_TOKEN bytes cut, backing off
to the start of a UTF-8 character (or at MAX_TOKEN when there is none); the vocabulary is "</s>"
first, then words with count >= min_count by count descending, ties by first occurrence.

assert_matches_reference checks a finalized `_core.Dictionary` against it.
"""
import collections
import re

EOS = b"</s>"
MAX_TOKEN = 100


def cut(token):
    """A token cut to at most MAX_TOKEN bytes, never inside a UTF-8 character."""
    if len(token) <= MAX_TOKEN:
        return token
    k = MAX_TOKEN
    while k > 0 and token[k] & 0xC0 == 0x80:
        k -= 1
    return token[:k or MAX_TOKEN]


def tokenize(data):
    """The tokens of `data` (bytes), with "</s>" for every newline."""
    lines = data.replace(b"\r", b"").split(b"\n")
    tokens = []
    for k, line in enumerate(lines):
        tokens.extend(cut(t) for t in re.split(rb"[ \t\v\f]", line) if t)
        if k < len(lines) - 1:
            tokens.append(EOS)
    return tokens


def vocabulary(tokens, min_count):
    """(words, counts, ids): the vocabulary in order, each word's count, and the tokens as ids
    (words under min_count dropped), as a finalized Dictionary holds them."""
    counts = collections.Counter(tokens)
    first = {}
    for t in tokens:
        first.setdefault(t, len(first))
    kept = sorted((w for w in first if w != EOS and counts[w] >= min_count),
                  key=lambda w: (-counts[w], first[w]))
    words = [EOS] + kept
    index = {w: i for i, w in enumerate(words)}
    return words, [counts[w] for w in words], [index[t] for t in tokens if t in index]


def assert_matches_reference(d, data, min_count):
    """The finalized Dictionary `d` of `data` holds the reference's words, counts and ids."""
    words, counts, ids = vocabulary(tokenize(data), min_count)
    assert d.words() == words
    assert d.counts().tolist() == counts
    assert d.ids().tolist() == ids
    assert d.n_words == len(words)
    assert d.n_ids == len(ids)
