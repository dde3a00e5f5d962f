"""Tests of the byte tokenizer and the vocabulary it counts (csrc/dictionary.c via
w2vfast._core.Dictionary).

The contract (word2vec.c's ReadWord/LearnVocabFromTrainFile, with fixes):

* tokens are split on space, tab, newline, vertical tab and form feed; '\\r' is dropped wherever
  it is, even inside a token;
* every newline yields the sentence end "</s>";
* bytes are never decoded;
* tokens longer than 100 bytes are cut to at most 100 bytes, never inside a UTF-8 multi-byte
  character (the cut backs off over continuation bytes to the character's first byte);
* the vocabulary is "</s>" (word 0, exempt from min-count), then every word with
  count >= min_count by count descending, ties by first occurrence;
* the corpus is kept as final word ids (0 = "</s>"), words under min-count dropped.

The plain-Python reference in tests/reference.py states the contract; hypothesis checks the C
tokenizer against it on random corpora fed in random chunk splits.  Also here: -max-vocab
pruning while counting, and the counts of a real corpus.  test_vocab.py tests w2vfast/vocab.py,
which drives the tokenizer over files.
"""
import collections

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import reference  # tests/reference.py
from reference import EOS, assert_matches_reference

from w2vfast import _core
from w2vfast.vocab import build_vocabulary

from shared import DATA  # tests/shared.py


# --------------------------------------------------------------------------
# The reference (tests/reference.py), and feeding the C tokenizer
# --------------------------------------------------------------------------

ref_tokenize, ref_vocabulary = reference.tokenize, reference.vocabulary


def feed_chunks(chunks, min_count=1, max_vocab=0, record_ids=True, flush_with_last_chunk=False):
    d = _core.Dictionary(max_vocab=max_vocab, record_ids=record_ids)
    chunks = list(chunks)
    for k, chunk in enumerate(chunks):
        d.feed(chunk, last=flush_with_last_chunk and k == len(chunks) - 1)
    if not flush_with_last_chunk or not chunks:
        d.feed(b"", last=True)
    d.finalize(min_count)
    return d


def split_at(data, cuts):
    cuts = sorted(set(c for c in cuts if 0 <= c <= len(data)))
    bounds = [0] + cuts + [len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def test_reference_itself():
    """The reference on a hand-checked example, so the property test checks the right thing."""
    data = b"b a\r\n\tb c  a\n\nc b\rx"
    assert ref_tokenize(data) == [b"b", b"a", EOS, b"b", b"c", b"a", EOS, EOS, b"c", b"bx"]
    words, counts, ids = ref_vocabulary(ref_tokenize(data), 2)
    assert words == [EOS, b"b", b"a", b"c"]  # b, a and c all twice: first occurrence decides
    assert counts == [3, 2, 2, 2]
    assert ids == [1, 2, 0, 1, 3, 2, 0, 0, 3]


# --------------------------------------------------------------------------
# Property tests: the C tokenizer against the reference
# --------------------------------------------------------------------------

SEPARATORS = [b" ", b"\t", b"\n", b"\r", b"\v", b"\f"]
ALPHABET = [b"a", b"b", b"ab", b"the", b"of", EOS, "caf\u00e9".encode(), "\u65e5\u672c".encode(),
            b"\xff\xfe", b"x" * 100, b"y" * 99 + "\u20ac".encode(), b"z" * 130,
            "\u00e9".encode() * 60, b"w" * 97 + "\U0001f600".encode() + b"tail",
            # around the tokenizer's 8-byte steps, and control bytes below 0x21 inside words
            b"abcdefgh", b"abcdefghi", b"abcdXfghi", b"abcdefghijklmnopq", b"c\x01d", b"\x1b[0m"]


@st.composite
def word_text(draw):
    words = draw(st.lists(st.sampled_from(ALPHABET), max_size=60))
    out = []
    for w in words:
        out.append(w)
        out.append(b"".join(draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3))))
    if out and draw(st.booleans()):
        out.pop()  # no trailing separator: the last token ends at end of input
    return b"".join(out)


corpora = st.one_of(
    st.binary(max_size=400),
    word_text(),
    # long runs without separators, so the 100-byte cut happens on random bytes too
    st.lists(st.binary(min_size=90, max_size=160).map(lambda b: b.replace(b" ", b"_")),
             max_size=4).map(lambda parts: b" ".join(parts)),
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(data=corpora, cut_points=st.data(), min_count=st.integers(1, 3),
       flush_with_last_chunk=st.booleans())
def test_dictionary_matches_reference(data, cut_points, min_count, flush_with_last_chunk):
    cuts = cut_points.draw(st.lists(st.integers(0, len(data)), max_size=8), label="cuts")
    chunks = split_at(data, cuts)
    d = feed_chunks(chunks, min_count=min_count, flush_with_last_chunk=flush_with_last_chunk)
    assert_matches_reference(d, data, min_count)
    assert d.n_tokens == len(ref_tokenize(data))


@PROPERTY_SETTINGS
@given(data=word_text(), sizes=st.integers(1, 7))
def test_chunking_does_not_matter(data, sizes):
    """Fixed-size chunks (down to one byte at a time) give what one chunk gives."""
    whole = feed_chunks([data])
    pieces = feed_chunks([data[i:i + sizes] for i in range(0, len(data), sizes)])
    assert pieces.words() == whole.words()
    assert pieces.counts().tolist() == whole.counts().tolist()
    assert pieces.ids().tolist() == whole.ids().tolist()
    assert pieces.n_truncated == whole.n_truncated


# --------------------------------------------------------------------------
# Explicit cases
# --------------------------------------------------------------------------

def test_words_differing_in_one_byte_are_distinct():
    """Every length the tokenizer reads in different ways (1-3, 4-8, 9 and up, past 16) and every
    position: a word and its copy with one byte changed are two words, each counted right."""
    text, expected = [], {}
    for n in range(1, 21):
        base = bytes(b"abcdefghijklmnopqrstu"[:n])
        for i in range(n):
            other = base[:i] + b"Z" + base[i + 1:]
            text += [base, other, other]
            expected[other] = 2
        expected[base] = n
    counts, _ = vocab_of(b" ".join(text) + b"\n")
    del counts[EOS]
    assert counts == expected


def vocab_of(data, min_count=1, **kw):
    d = feed_chunks([data], min_count=min_count, **kw)
    return dict(zip(d.words(), d.counts().tolist())), d


def test_long_token_cut_at_100_bytes():
    counts, d = vocab_of(b"a " + b"x" * 150 + b" b")
    assert counts == {EOS: 0, b"a": 1, b"x" * 100: 1, b"b": 1}
    assert d.n_truncated == 1


def test_token_of_exactly_100_bytes_is_not_cut():
    counts, d = vocab_of(b"x" * 100 + b"\n")
    assert b"x" * 100 in counts
    assert d.n_truncated == 0


def test_cut_tokens_sharing_100_bytes_are_one_word():
    counts, d = vocab_of(b"x" * 101 + b" " + b"x" * 100 + b" " + b"x" * 5000)
    assert counts[b"x" * 100] == 3
    assert d.n_truncated == 2


def test_cut_never_splits_a_utf8_character():
    euro = "\u20ac".encode()  # 3 bytes
    assert len(euro) == 3
    counts, d = vocab_of(b"a" * 99 + euro + b" tail")
    assert b"a" * 99 in counts  # the euro sign would straddle byte 100: dropped whole
    assert d.n_truncated == 1
    # 98 + 3 bytes: the cut at 100 falls on the euro sign's last byte
    counts, _ = vocab_of(b"a" * 98 + euro + b"zz")
    assert b"a" * 98 in counts
    # 97 ASCII bytes + a 4-byte emoji + more: the emoji spans bytes 97..100
    emoji = "\U0001f600".encode()
    counts, _ = vocab_of(b"a" * 97 + emoji + b"more")
    assert b"a" * 97 in counts
    # a character that ends exactly at byte 100 is kept
    counts, _ = vocab_of(b"a" * 97 + euro + b"b")
    assert b"a" * 97 + euro in counts
    # two-byte characters throughout: 100 bytes is 50 whole characters
    counts, _ = vocab_of("\u00e9".encode() * 80)
    assert "\u00e9".encode() * 50 in counts
    for w in counts:
        w.decode("utf-8")  # every cut word is still valid UTF-8


def test_cut_across_chunk_boundaries():
    euro = "\u20ac".encode()
    data = b"a" * 99 + euro + b"rest-of-a-very-long-token" * 4 + b"\n"
    for size in (1, 2, 3, 50, 99, 100, 101, 102, 103):
        d = feed_chunks([data[i:i + size] for i in range(0, len(data), size)])
        assert d.words() == [EOS, b"a" * 99]
        assert d.n_truncated == 1


def test_n_truncated_counts_every_cut_occurrence():
    _, d = vocab_of((b"x" * 120 + b" short ") * 7 + b"y" * 101)
    assert d.n_truncated == 8


def test_long_token_of_continuation_bytes_is_cut_not_dropped():
    counts, d = vocab_of(b"\x80" * 120 + b" a")
    assert b"\x80" * 100 in counts
    assert d.n_ids == 2


def test_crlf_corpus_equals_lf_corpus():
    lf = b"the cat sat\non the mat\n\nthe end\n"
    crlf = lf.replace(b"\n", b"\r\n")
    a, b = feed_chunks([lf]), feed_chunks([crlf])
    assert a.words() == b.words()
    assert a.counts().tolist() == b.counts().tolist()
    assert a.ids().tolist() == b.ids().tolist()
    assert a.words()[:2] == [EOS, b"the"]
    assert a.counts()[0] == 4


def test_carriage_return_inside_a_token_is_dropped():
    counts, _ = vocab_of(b"ab\rc \rd\r \r\r\n")
    assert counts == {EOS: 1, b"abc": 1, b"d": 1}


def test_vertical_tab_and_form_feed_split_other_whitespace_does_not():
    # word2vec.c keeps \v and \f inside words, which no vector-file reader could read back;
    # here they split words like space.  Other bytes (NBSP) stay inside words.
    counts, _ = vocab_of(b"a\x0bb c\x0cd e\xc2\xa0f")
    assert counts == {EOS: 0, b"a": 1, b"b": 1, b"c": 1, b"d": 1, b"e\xc2\xa0f": 1}


def test_blank_lines_each_give_a_sentence_end():
    d = feed_chunks([b"a\n\n\nb\n"])
    assert d.words() == [EOS, b"a", b"b"]
    assert d.counts().tolist() == [4, 1, 1]
    assert d.ids().tolist() == [1, 0, 0, 0, 2, 0]


def test_no_trailing_newline():
    d = _core.Dictionary()
    d.feed(b"a b\nc d")
    assert d.n_tokens == 4  # "d" is pending: it may continue in the next chunk
    d.feed(b"", last=True)
    assert d.n_tokens == 5
    d.finalize(1)
    assert d.words() == [EOS, b"a", b"b", b"c", b"d"]
    assert d.counts().tolist() == [1, 1, 1, 1, 1]
    assert d.ids().tolist() == [1, 2, 0, 3, 4]


def test_sentence_end_is_word_0_even_when_rare_or_absent():
    d = feed_chunks([b"x x x x y y y\n"], min_count=3)
    assert d.words() == [EOS, b"x", b"y"]
    assert d.counts().tolist() == [1, 4, 3]
    d = feed_chunks([b"x x y"], min_count=1)
    assert d.words() == [EOS, b"x", b"y"]
    assert d.counts().tolist() == [0, 2, 1]
    assert d.find(EOS) == 0


def test_literal_sentence_end_token_is_word_0():
    d = feed_chunks([b"a </s> b\n"])
    assert d.words() == [EOS, b"a", b"b"]
    assert d.counts().tolist() == [2, 1, 1]
    assert d.ids().tolist() == [1, 0, 2, 0]


def test_order_count_descending_ties_by_first_occurrence_and_min_count():
    data = b"d c b a a b c d e e e f\n"
    d = feed_chunks([data], min_count=2)
    # e: 3; d, c, b, a: 2 each, in first-occurrence order; f: 1 dropped
    assert d.words() == [EOS, b"e", b"d", b"c", b"b", b"a"]
    assert d.counts().tolist() == [1, 3, 2, 2, 2, 2]
    assert d.ids().tolist() == [2, 3, 4, 5, 5, 4, 3, 2, 1, 1, 1, 0]
    assert d.find(b"f") == -1


def test_bytes_are_not_decoded():
    latin1 = "caf\u00e9".encode("latin-1")
    utf8 = "caf\u00e9".encode("utf-8")
    counts, _ = vocab_of(latin1 + b" " + utf8 + b" " + latin1 + b" \x00\xff")
    assert counts == {EOS: 0, latin1: 2, utf8: 1, b"\x00\xff": 1}


def test_record_ids_off_counts_only():
    d = feed_chunks([b"a b a\n"], record_ids=False)
    assert d.counts().tolist() == [1, 2, 1]
    assert d.n_ids == 0


# --------------------------------------------------------------------------
# max_vocab pruning
# --------------------------------------------------------------------------

def test_max_vocab_keeps_the_vocabulary_bounded():
    frequent = [b"freq%d" % i for i in range(10)]
    tokens = []
    for i in range(50_000):
        tokens.append(b"rare%05d" % i)
        if i % 4 == 0:
            tokens.append(frequent[(i // 4) % 10])
    data = b" ".join(tokens) + b"\n"
    d = _core.Dictionary(max_vocab=1000)
    step = 1 << 12
    for i in range(0, len(data), step):
        d.feed(data[i:i + step])
        assert d.n_words <= 1000
    d.feed(b"", last=True)
    assert d.n_words <= 1000
    assert d.n_prunes > 0
    d.finalize(1)
    assert d.n_words <= 1000
    counts = dict(zip(d.words(), d.counts().tolist()))
    expected = collections.Counter(t for t in tokens if t.startswith(b"freq"))
    for w in frequent:
        assert counts[w] == expected[w]  # never pruned: exact counts
    # the frequent words come first, and the id stream holds exactly their occurrences
    assert d.words()[1:11] == sorted(frequent, key=lambda w: (-expected[w], frequent.index(w)))
    ids = d.ids()
    for i, w in enumerate(d.words()):
        assert int((ids == i).sum()) == counts[w]


def test_max_vocab_zero_means_no_limit():
    data = b" ".join(b"w%d" % i for i in range(5000))
    d = feed_chunks([data], max_vocab=0)
    assert d.n_words == 5001
    assert d.n_prunes == 0


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------

LEE = DATA / "lee_background.cor"


@pytest.mark.skipif(not LEE.exists(), reason=f"shared corpus {LEE} is absent")
def test_lee_background_counts_match_python_counter():
    data = LEE.read_bytes()
    d = _core.Dictionary()
    # odd chunk sizes so tokens straddle chunk boundaries
    for i in range(0, len(data), 4099):
        d.feed(data[i:i + 4099])
    d.feed(b"", last=True)
    assert d.n_truncated == 0
    d.finalize(1)
    tokens = ref_tokenize(data)
    expected = collections.Counter(tokens)
    assert dict(zip(d.words(), d.counts().tolist())) == dict(expected)
    assert d.n_tokens == len(tokens)
    # the README's word count: whitespace-separated words, sentence ends not included
    assert sum(c for w, c in expected.items() if w != EOS) == 59890
    words, counts, ids = ref_vocabulary(tokens, 1)
    assert d.words() == words
    assert d.ids().tolist() == ids


@pytest.mark.skipif(not LEE.exists(), reason=f"shared corpus {LEE} is absent")
def test_lee_background_build_vocabulary_min_count_5():
    d = build_vocabulary(str(LEE), min_count=5)
    words, counts, ids = ref_vocabulary(ref_tokenize(LEE.read_bytes()), 5)
    assert d.words() == words
    assert d.counts().tolist() == counts
    assert np.array_equal(d.ids(), np.array(ids, dtype=np.uint32))
