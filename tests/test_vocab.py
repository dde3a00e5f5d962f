"""Tests of w2vfast/vocab.py, which drives the tokenizer (test_tokenizer.py) over files:
vocabulary files (-save-vocab, -read-vocab), the errors of an empty vocabulary or a corpus
without words, build_vocabulary against the reference of tests/reference.py, and the parallel
first pass, where threads tokenize parts of the file and _core.Dictionary merges them in
corpus order.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from reference import EOS, assert_matches_reference  # tests/reference.py

from w2vfast import _core
from w2vfast.memory import IdsStorage
from w2vfast.vocab import (VocabularyError, build_vocabulary, read_vocab_file,
                           save_vocab_file)

from shared import DATA  # tests/shared.py


# --------------------------------------------------------------------------
# vocab.py: vocabulary files, read_vocab, errors
# --------------------------------------------------------------------------

def test_read_vocab_uses_the_files_counts_and_skips_unknown_words(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(b"</s> 7\nfoo 10\nbar 20\nrare 1\n")
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"foo baz bar qux foo rare\nbar\n")
    d = build_vocabulary(str(corpus), min_count=2, read_vocab=str(vocab))
    assert d.words() == [EOS, b"bar", b"foo"]
    assert d.counts().tolist() == [7, 20, 10]  # from the file, not the corpus
    # baz and qux are unknown, rare is under min-count: all skipped
    assert d.ids().tolist() == [2, 1, 2, 0, 1, 0]
    assert d.find(b"baz") == -1


def test_read_vocab_ties_keep_file_order(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(b"c 5\nb 5\na 9\n")
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"a b c\n")
    d = build_vocabulary(str(corpus), min_count=1, read_vocab=str(vocab))
    assert d.words() == [EOS, b"a", b"c", b"b"]


def test_save_and_read_vocab_file_round_trip(tmp_path):
    words = [EOS, b"the", "caf\u00e9".encode(), b"\xff\xfeodd", b"x" * 100]
    counts = [12, 10, 3, 2, 2 ** 40]
    path = tmp_path / "vocab.txt"
    save_vocab_file(str(path), words, counts)
    assert path.read_bytes().split(b"\n")[:2] == [b"</s> 12", b"the 10"]
    assert read_vocab_file(str(path)) == list(zip(words, counts))
    assert [p.name for p in tmp_path.iterdir()] == ["vocab.txt"]  # no temporary file left


def test_saved_vocabulary_reads_back_as_the_same_dictionary(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"b a c a b a\nd c a\n" * 3)
    d1 = build_vocabulary(str(corpus), min_count=2)
    path = tmp_path / "vocab.txt"
    save_vocab_file(str(path), d1.words(), d1.counts())
    d2 = build_vocabulary(str(corpus), min_count=2, read_vocab=str(path))
    assert d2.words() == d1.words()
    assert d2.counts().tolist() == d1.counts().tolist()
    assert d2.ids().tolist() == d1.ids().tolist()


def test_read_vocab_file_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"foo 3\nbar three\n")
    with pytest.raises(VocabularyError, match="line 2"):
        read_vocab_file(str(bad))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\n\n")
    with pytest.raises(VocabularyError, match="empty"):
        read_vocab_file(str(empty))
    with pytest.raises(VocabularyError, match="cannot read"):
        read_vocab_file(str(tmp_path / "missing.txt"))


def test_empty_vocabulary_error_suggests_smaller_min_count(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"a b c\na b\n")
    with pytest.raises(VocabularyError, match="try a smaller -min-count"):
        build_vocabulary(str(corpus), min_count=5)
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(b"a 2\nb 1\n")
    with pytest.raises(VocabularyError, match="try a smaller -min-count"):
        build_vocabulary(str(corpus), min_count=3, read_vocab=str(vocab))


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b" \t  \r ", "empty"),
    (b"\n\r\n\n", "only blank lines"),
])
def test_corpus_without_words(tmp_path, content, message):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(content)
    with pytest.raises(VocabularyError, match=message):
        build_vocabulary(str(corpus), min_count=1)


def test_build_vocabulary_matches_reference(tmp_path):
    data = b"the quick brown fox\r\njumps over the lazy dog\n\nthe end" * 50
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(data)
    seen = []
    d = build_vocabulary(str(corpus), min_count=3, on_chunk=seen.append)
    assert seen and seen[-1] == len(data)
    assert_matches_reference(d, data, 3)


# --------------------------------------------------------------------------
# The parallel first pass: parts tokenized by threads, merged in corpus order
# --------------------------------------------------------------------------

_token = st.sampled_from([b"a", b"b", b"c", b"dd", b"\xc3\xa9", b"x" * 120, b"y" * 101])
_sep = st.sampled_from([b" ", b"\n", b"\t", b"\r\n", b"  ", b"\x0b"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.tuples(_token, _sep), max_size=300), threads=st.integers(2, 6),
       min_count=st.integers(1, 3), record_ids=st.booleans())
def test_parallel_pass_equals_one_pass(tmp_path, monkeypatch, pieces, threads, min_count, record_ids):
    """Same words, counts, order, id stream and token counts as one pass, however the file is cut."""
    import w2vfast.vocab as vocab
    monkeypatch.setattr(vocab, "PARALLEL_MIN_BYTES", 0)
    text = b"".join(t + s for t, s in pieces) + b"tail"
    path = tmp_path / "c.txt"
    path.write_bytes(text)
    try:
        one = build_vocabulary(str(path), min_count=min_count, record_ids=record_ids)
    except VocabularyError as e:
        with pytest.raises(VocabularyError) as parallel_error:
            build_vocabulary(str(path), min_count=min_count, record_ids=record_ids, threads=threads)
        assert str(parallel_error.value) == str(e)
        return
    par = build_vocabulary(str(path), min_count=min_count, record_ids=record_ids, threads=threads)
    assert par.words() == one.words()
    assert par.counts().tolist() == one.counts().tolist()
    assert (par.n_tokens, par.n_ids, par.n_truncated) == (one.n_tokens, one.n_ids, one.n_truncated)
    assert bytes(par.id_stream()) == bytes(one.id_stream())


def test_parallel_pass_is_used_only_where_it_is_exact(tmp_path, monkeypatch):
    import gzip
    import w2vfast.vocab as vocab
    monkeypatch.setattr(vocab, "PARALLEL_MIN_BYTES", 0)
    plain = tmp_path / "c.txt"
    plain.write_bytes(b"a b c\n" * 100)
    packed = tmp_path / "c.gz"
    packed.write_bytes(gzip.compress(b"a b c\n" * 100))
    assert vocab._parallel_parts(str(plain), 2, 0, None, None) is not None
    assert vocab._parallel_parts(str(plain), 1, 0, None, None) is None
    assert vocab._parallel_parts(str(plain), 2, 1000, None, None) is None  # -max-vocab prunes
    assert vocab._parallel_parts(str(plain), 2, 0, "v.txt", None) is None
    assert vocab._parallel_parts(str(packed), 2, 0, None, None) is None
    assert vocab._parallel_parts("-", 2, 0, None, None) is None
    monkeypatch.setattr(vocab, "PARALLEL_MIN_BYTES", 1 << 20)
    assert vocab._parallel_parts(str(plain), 2, 0, None, None) is None  # small: one pass


def test_parallel_pass_spills_like_one_pass(tmp_path, monkeypatch):
    import w2vfast.vocab as vocab
    monkeypatch.setattr(vocab, "PARALLEL_MIN_BYTES", 0)
    path = tmp_path / "c.txt"
    path.write_bytes(b"".join(b"w%d " % (i % 300) + (b"\n" if i % 17 == 0 else b"") for i in range(20000)))
    one = build_vocabulary(str(path), min_count=1)
    par = build_vocabulary(str(path), min_count=1, threads=3, storage=IdsStorage(0, None, str(tmp_path)))
    assert par.spilled
    assert bytes(par.id_stream()) == bytes(one.id_stream())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt"]


def test_merge_adds_counts_and_appends_new_words_in_order():
    a, b = _core.Dictionary(), _core.Dictionary()
    a.feed(b"x y x\n", last=True)
    b.feed(b"z y\nq", last=True)
    a.merge(b)
    assert a.words() == [EOS, b"x", b"y", b"z", b"q"]
    assert a.counts().tolist() == [2, 2, 2, 1, 1]
    assert a.ids().tolist() == [1, 2, 1, 0, 3, 2, 0, 4]
    a.finalize(1)
    with pytest.raises(RuntimeError):
        a.merge(b)


def test_ids_of_every_varint_length_survive_tokenizing_and_renumbering():
    """Over 2^21 words, so the id stream holds ids of 1 to 4 bytes, written by the tokenizer and
    rewritten by finalize (the 3-byte paths without a branch on the length, longer ids and the
    last ids of the stream the byte-by-byte way)."""
    n = (1 << 21) + 50
    again = np.arange(0, n, 997)  # these words twice: they sort first
    text = b" ".join(b"%x" % i for i in range(n)) + b" " + b" ".join(b"%x" % i for i in again) + b"\n"
    d = _core.Dictionary()
    d.feed(text, last=True)
    d.finalize(1)
    first = np.arange(n)
    k = len(again)
    final = np.where(first % 997 == 0, 1 + first // 997, k + first - first // 997)
    expected = np.concatenate([final, 1 + np.arange(k), [0]])
    assert d.n_words == n + 1 and final.max() >= 1 << 21
    np.testing.assert_array_equal(d.ids(), expected)


def test_finalize_with_parts_equals_merge_then_finalize():
    """merge_words now and the parts' ids renumbered by finalize (each in a thread) give what
    merge() and finalize() give."""
    texts = [b"x y x\nq", b"z y\nq q w", b"", b"x a a a\n"]

    def fed():
        ds = [_core.Dictionary() for _ in texts]
        for d, t in zip(ds, texts):
            d.feed(t, last=True)
        return ds

    one = fed()
    for other in one[1:]:
        one[0].merge(other)
    one[0].finalize(2)
    par = fed()
    parts = [(other, par[0].merge_words(other)) for other in par[1:]]
    assert par[0].n_tokens == one[0].n_tokens
    par[0].finalize(2, parts=parts)
    assert par[0].words() == one[0].words() == [EOS, b"x", b"q", b"a", b"y"]
    assert par[0].counts().tolist() == one[0].counts().tolist()
    assert par[0].ids().tolist() == one[0].ids().tolist()
    assert all(other.n_ids == 0 for other in par[1:])  # their streams were moved, not copied
    with pytest.raises(RuntimeError):
        par[0].finalize(2)


@pytest.mark.skipif(not (DATA / "text8_prefix.xz").exists(),
                    reason="../shared/data/text8_prefix.xz is not present (it is in CI)")
def test_parallel_pass_on_a_real_corpus(tmp_path, monkeypatch):
    import lzma
    import w2vfast.vocab as vocab
    monkeypatch.setattr(vocab, "PARALLEL_MIN_BYTES", 0)
    path = tmp_path / "t8.txt"
    path.write_bytes(lzma.decompress((DATA / "text8_prefix.xz").read_bytes()))
    one = build_vocabulary(str(path))
    par = build_vocabulary(str(path), threads=2)
    assert par.words() == one.words() and bytes(par.id_stream()) == bytes(one.id_stream())
