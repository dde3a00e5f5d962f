"""Property-based tests (hypothesis) of what reads untrusted bytes: corpus reading and the
vocabulary (any bytes in: consistent counts out, or a clean error), and the vector-file reader
(any bytes in: a clean VectorFileError or a correct parse, never anything else).

tests/test_tokenizer.py already checks the C tokenizer (`_core.Dictionary`) against a reference on
random corpora and chunk splits; here the whole path from a file is checked: compression
sniffing, the chunked reading, the vertical-tab/form-feed split of the tokenizer, the errors
for corpora without words, the vocabulary file round trip, and training on arbitrary bytes.
fuzz/ holds the coverage-guided versions of the same properties (atheris and libFuzzer).
"""
import bz2
import functools
import gzip
import io
import lzma

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import reference  # tests/reference.py
import w2vfast

# random bytes often look like UTF-16 or binary data, which the corpus reader warns about
# (test_tokenizer_options.py tests the warning); here only what is counted and written matters
pytestmark = pytest.mark.filterwarnings("ignore::w2vfast.corpus.CorpusWarning")
from w2vfast import compression, corpus as corpus_module, formats, vocab as vocab_module
from w2vfast.corpus import CorpusError
from w2vfast.formats import VectorFileError, read_vectors, write_vectors
from w2vfast.vocab import VocabularyError, build_vocabulary, read_vocab_file, save_vocab_file

EOS = b"</s>"
MAX_TOKEN = 100
WHITESPACE = b" \t\n\r\v\f"

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# --------------------------------------------------------------------------
# Corpus and vocabulary
# --------------------------------------------------------------------------

def reference_tokens(data):
    return reference.tokenize(data)


SEPARATORS = [b" ", b"\t", b"\n", b"\r", b"\v", b"\f", b"\r\n"]
PIECES = [b"a", b"b", b"the", EOS, b"\x00", b"\xff\xfe", "caf\u00e9".encode(), b"x" * 101,
          "\u00e9".encode() * 51, b"\x80" * 120]

corpora = st.one_of(
    st.binary(max_size=600),
    st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=80)
    .map(b"".join),
)

COMPRESS = {"plain": lambda b: b, "gzip": gzip.compress, "bzip2": bz2.compress,
            "xz": lzma.compress}


@SETTINGS
@given(data=corpora, min_count=st.integers(1, 3), chunk=st.sampled_from([1, 3, 64, 1 << 20]),
       packing=st.sampled_from(sorted(COMPRESS)))
@example(data=b"a\vb\fc a", min_count=1, chunk=1 << 20, packing="plain")
@example(data=b"\n \r\n", min_count=1, chunk=1 << 20, packing="plain")
def test_any_bytes_give_consistent_counts_or_a_clean_error(tmp_path, monkeypatch, data, min_count,
                                                           chunk, packing):
    monkeypatch.setattr(vocab_module, "iter_chunks",
                        functools.partial(corpus_module.iter_chunks, chunk_bytes=chunk))
    path = tmp_path / "corpus"
    path.write_bytes(COMPRESS[packing](data))
    tokens = reference_tokens(data)
    words, word_counts, _ = reference.vocabulary(tokens, min_count)
    counts = dict(zip(words, word_counts))
    try:
        d = build_vocabulary(str(path), min_count=min_count)
    except CorpusError as e:  # random bytes that start like a compressed stream
        assert packing == "plain" and _looks_compressed(data), e
        return
    except VocabularyError as e:
        # exactly when there is nothing to train on: no token, only sentence ends, or no word
        # reaching min_count; the message names the file
        assert all(t == EOS for t in tokens) or len(words) < 2, e
        assert str(path) in str(e)
        return
    assert d.n_tokens == len(tokens)
    assert d.words() == words
    assert d.counts().tolist() == [counts[w] for w in words]
    index = {w: i for i, w in enumerate(words)}
    assert d.ids().tolist() == [index[t] for t in tokens if t in index]
    for w in words:  # every word can go into a vector file and come back out
        assert w and not any(c in w for c in WHITESPACE) and len(w) <= MAX_TOKEN


@SETTINGS
@given(data=st.binary(min_size=1, max_size=200))
def test_broken_compressed_streams_are_corpus_errors(tmp_path, data):
    """Random bytes behind a gzip/bzip2/xz magic: a CorpusError naming the format, or (rarely,
    when they happen to be a valid stream) a vocabulary."""
    for magic, name in ((b"\x1f\x8b", "gzip"), (b"BZh91AY&SY", "bzip2"), (b"\xfd7zXZ\x00", "xz")):
        path = tmp_path / f"corpus.{name}"
        path.write_bytes(magic + data)
        try:
            build_vocabulary(str(path), min_count=1)
        except CorpusError as e:
            assert f"truncated or corrupt {name} file" in str(e) and str(path) in str(e)
        except VocabularyError:
            pass


@SETTINGS
@given(data=corpora, min_count=st.integers(1, 2))
def test_vocabulary_file_round_trips(tmp_path, data, min_count):
    """What -save-vocab writes, -read-vocab reads back: the same words with the same counts."""
    try:
        d = build_vocabulary(str(_write(tmp_path / "corpus", data)), min_count=min_count,
                             record_ids=False)
    except (VocabularyError, CorpusError):
        return
    save_vocab_file(str(tmp_path / "vocab.txt"), d.words(), d.counts())
    assert read_vocab_file(str(tmp_path / "vocab.txt")) == list(zip(d.words(), d.counts().tolist()))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=corpora, binary=st.booleans())
@example(data=b"a b\vc\fd\x00e\xff a b c d\x00e\xff", binary=False)
def test_training_on_any_bytes_writes_a_file_that_reads_back(tmp_path, data, binary):
    """Any bytes: a clean VocabularyError, or vectors whose file reads back with the same words
    (before vertical tab and form feed split words, such a word crashed the writer)."""
    out = tmp_path / "vec"
    try:
        model = w2vfast.train(str(_write(tmp_path / "corpus", data)), output=str(out),
                              binary=binary, size=4, iter=1, min_count=1, threads=1)
    except (VocabularyError, CorpusError):
        return
    words, vectors = read_vectors(str(out), binary=binary)
    assert [w.decode("utf-8", "surrogateescape") for w in words] == model.index_to_key
    assert np.isfinite(vectors).all()


def _write(path, data):
    path.write_bytes(data)
    return path


def _looks_compressed(data):
    return (data.startswith((b"\x1f\x8b", b"\xfd7zXZ\x00"))
            or compression.is_bzip2(data[:10]))


# --------------------------------------------------------------------------
# Vector files
# --------------------------------------------------------------------------

def check_read(body, binary=None, limit=None):
    """Read `body`; it must be a VectorFileError or a parse that is right by every measure we
    can check without knowing the intent: shape from the header, finite float32 values,
    non-empty words, and a faithful round trip through our writer."""
    try:
        words, vectors = read_vectors(io.BytesIO(body), binary=binary, limit=limit)
    except VectorFileError as e:
        assert "line " in str(e) or "row " in str(e), e  # the place is named
        return None
    count, dim = (int(x) for x in body.split(b"\n", 1)[0].split())
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
    assert vectors.shape == (len(words), dim)
    assert len(words) == (count if limit is None else min(count, limit))
    assert np.isfinite(vectors).all()
    assert all(isinstance(w, bytes) and w for w in words)
    if binary is None:
        rest = body.split(b"\n", 1)[1]
        binary = not formats.word2vec.first_row_looks_text(formats.bytereader.ByteReader(io.BytesIO(rest), "", False), dim)
    out = io.BytesIO()
    try:
        write_vectors(out, words, vectors, binary=binary)
    except ValueError:  # only a word the formats cannot hold (a binary file's word with a tab)
        assert any(c in w for w in words for c in WHITESPACE)
        return words, vectors
    again_words, again = read_vectors(io.BytesIO(out.getvalue()), binary=binary)
    assert again_words == words
    if binary:
        assert again.tobytes() == vectors.tobytes()
    else:
        np.testing.assert_allclose(again, vectors, rtol=1e-6, atol=1e-6)
    return words, vectors


@settings(max_examples=400, deadline=None)
@given(body=st.binary(max_size=300), binary=st.sampled_from([None, True, False]),
       limit=st.sampled_from([None, 1, 2]))
@example(body=b"1 3\nthe 0.1 -02 3e-2\n", binary=True, limit=None)  # found by fuzz_vectors.py
def test_vector_reader_any_bytes(body, binary, limit):
    check_read(body, binary, limit)


words_st = st.binary(min_size=1, max_size=12).filter(lambda w: not any(c in w for c in WHITESPACE))
floats_st = st.floats(width=32, allow_nan=False, allow_infinity=False)


@st.composite
def models(draw, max_rows=5, max_dim=4):
    n = draw(st.integers(1, max_rows))
    dim = draw(st.integers(1, max_dim))
    words = draw(st.lists(words_st, min_size=n, max_size=n))
    values = draw(st.lists(floats_st, min_size=n * dim, max_size=n * dim))
    return words, np.array(values, dtype=np.float32).reshape(n, dim)


@SETTINGS
@given(model=models(), binary=st.booleans())
def test_written_models_read_back(model, binary):
    words, vectors = model
    out = io.BytesIO()
    write_vectors(out, words, vectors, binary=binary)
    got_words, got = read_vectors(io.BytesIO(out.getvalue()), binary=binary)
    assert got_words == words
    if binary:
        assert got.tobytes() == vectors.tobytes()
    else:
        np.testing.assert_allclose(got, vectors, rtol=1e-6, atol=5e-7)
    if not binary:  # text is always recognised as text
        assert read_vectors(io.BytesIO(out.getvalue()))[0] == words


@SETTINGS
@given(model=models(), binary=st.booleans(), data=st.data())
def test_damaged_files_are_errors_or_correct(model, binary, data):
    """A written file cut short, with a byte changed, or with bytes inserted: an error naming
    the place, or a parse that passes check_read.  Cut before its last value, a binary file is
    always an error, and a text file keeps its words."""
    words, vectors = model
    out = io.BytesIO()
    write_vectors(out, words, vectors, binary=binary)
    raw = out.getvalue()
    cut = data.draw(st.integers(0, len(raw)), label="cut")
    parsed = check_read(raw[:cut], binary)
    last_value_end = len(raw) - 1 if binary else len(raw.rstrip())
    if binary and cut < last_value_end:
        assert parsed is None
    if parsed is not None and not binary:
        assert parsed[0] == words
    position = data.draw(st.integers(0, len(raw) - 1), label="position")
    byte = data.draw(st.integers(0, 255), label="byte")
    check_read(raw[:position] + bytes([byte]) + raw[position + 1:], binary)
    check_read(raw[:position] + data.draw(st.binary(max_size=8), label="inserted") + raw[position:])


def test_header_with_huge_counts_is_a_clean_error():
    for header in (b"99999999999999999999 5\n", b"5 99999999999999999999\n",
                   b"100000000000 100000000000\n"):
        with pytest.raises(VectorFileError, match="line 1"):
            read_vectors(io.BytesIO(header + b"a 1 2 3 4 5\n"))
