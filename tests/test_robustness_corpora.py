"""Corpora that are not clean text: random binary bytes, invalid UTF-8, NUL bytes, vertical tab
and form feed, CRLF line ends, a 50 MB word and a 50 MB line.  Through the real entry points:
a clear one-line error or a correct result, never a traceback, a crash or a partial
output file; every word reads back, and memory stays bounded.

test_tokenizer.py checks the same rules on the tokenizer itself; test_cli_errors.py covers the
missing, empty, blank-lines and corrupt compressed corpora.
"""
import random

import numpy as np
import pytest

import w2vfast
from w2vfast import formats

from clitools import assert_ok, assert_one_error_line, cli, peak_rss_mib, words_of  # tests/clitools.py
from shared import CORPUS, FAST, SANITIZED  # tests/shared.py


# --------------------------------------------------------------------------
# Corpora that are not clean text
# --------------------------------------------------------------------------

def test_binary_garbage_trains_and_every_word_reads_back(tmp_path):
    """Random bytes are a corpus like any other (the tokenizer never decodes); before the
    vertical-tab/form-feed split, a word holding one crashed the writer after training."""
    data = random.Random(7).randbytes(200_000)
    assert b"\v" in data and b"\f" in data and b"\0" in data and b"\xff" in data
    source = tmp_path / "garbage.bin"
    source.write_bytes(data)
    out = tmp_path / "vec.bin"
    result = cli("train", source, "-output", out, "-binary", "1", *FAST, "-debug", "0")
    assert_ok(result)
    words, vectors = formats.read_vectors(str(out))
    assert np.isfinite(vectors).all()
    tokens = set(data.replace(b"\r", b"").replace(b"\v", b" ").replace(b"\f", b" ").split())
    assert len(words) > 1000
    long_tokens = [t for t in tokens if len(t) > 100]  # cut to at most 100 bytes
    assert all(w == b"</s>" or w in tokens or any(t.startswith(w) for t in long_tokens)
               for w in words)
    assert all(not any(c in w for c in b" \t\n\r\v\f") for w in words)
    # and the text format too, read by a vector command
    text = tmp_path / "vec.txt"
    assert_ok(cli("convert", out, text))
    assert words_of(text) == words


def test_invalid_utf8_words_are_kept_byte_for_byte(tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes(CORPUS.replace(b"fox", b"f\xf6x").replace(b"sun", b"\xc3(sun\xff"))
    out = tmp_path / "vec.txt"
    assert_ok(cli("train", source, "-output", out, *FAST, "-debug", "0"))
    words = words_of(out)
    assert b"f\xf6x" in words and b"\xc3(sun\xff" in words
    result = cli("similar", out, "f\udcf6x", "-n", "3")  # the surrogate-escaped word
    assert_ok(result)
    assert len(result.stdout.splitlines()) == 3


def test_nul_bytes_are_ordinary_word_bytes(tmp_path):
    source = tmp_path / "nul.txt"
    source.write_bytes(CORPUS.replace(b"dog", b"d\x00g").replace(b"the", b"\x00"))
    out = tmp_path / "vec.txt"
    assert_ok(cli("train", source, "-output", out, *FAST, "-debug", "0"))
    words = words_of(out)
    assert words[1] == b"\x00" and b"d\x00g" in words


def test_vertical_tab_and_form_feed_separate_words(tmp_path):
    """pdftotext puts a form feed between pages: 'end\\fstart' is two words, as every reader of
    the vector and vocabulary files splits there (word2vec.c would write one unreadable word)."""
    source = tmp_path / "pages.txt"
    source.write_bytes(CORPUS.replace(b"lazy dog", b"lazy\fdog").replace(b"sun all", b"sun\vall"))
    out, vocab = tmp_path / "vec.txt", tmp_path / "vocab.txt"
    assert_ok(cli("train", source, "-output", out, "-save-vocab", vocab, *FAST, "-debug", "0"))
    plain = tmp_path / "plain.txt"
    assert_ok(cli("train", tmp_path / "pages.txt", "-output", plain, *FAST, "-debug", "0"))
    (tmp_path / "spaces.txt").write_bytes(CORPUS)
    same = tmp_path / "same.txt"
    assert_ok(cli("train", tmp_path / "spaces.txt", "-output", same, *FAST, "-debug", "0"))
    assert out.read_bytes() == same.read_bytes()  # exactly as with spaces
    again = tmp_path / "again.txt"
    assert_ok(cli("train", source, "-output", again, "-read-vocab", vocab, *FAST, "-debug", "0"))
    assert again.read_bytes() == out.read_bytes()
    assert_ok(cli("vocab", source, "-min-count", "1", "-o", tmp_path / "vocab2.txt", "-q"))
    assert (tmp_path / "vocab2.txt").read_bytes() == vocab.read_bytes()


def test_crlf_line_ends_give_the_same_vectors_as_lf(tmp_path, corpus):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(CORPUS.replace(b"\n", b"\r\n"))
    a, b = tmp_path / "lf.bin", tmp_path / "crlf.bin"
    assert_ok(cli("train", corpus, "-output", a, "-binary", "1", *FAST, "-debug", "0"))
    assert_ok(cli("train", crlf, "-output", b, "-binary", "1", *FAST, "-debug", "0"))
    assert a.read_bytes() == b.read_bytes()


FIFTY_MB = 50 << 20


@pytest.fixture(scope="module")
def huge_word(tmp_path_factory):
    path = tmp_path_factory.mktemp("huge") / "word.txt"
    with open(path, "wb") as f:
        for _ in range(50):
            f.write(b"x" * (1 << 20))
    return path


def test_a_50_mb_word_is_cut_to_100_bytes_in_bounded_memory(huge_word, tmp_path):
    out = tmp_path / "vec.txt"
    code, stderr, peak = peak_rss_mib("train", huge_word, "-output", out, *FAST, "-debug", "1")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert words_of(out) == [b"</s>", b"x" * 100]
    if not SANITIZED:
        # the tokenizer keeps 101 bytes of a token; the file is read in 1 MiB chunks
        assert peak < 100, f"peak RSS {peak:.0f} MiB for a 50 MiB token (measured: 34 MiB)"


def test_a_50_mb_word_under_min_count_is_a_clear_error(huge_word, tmp_path):
    out = tmp_path / "vec.txt"
    result = cli("train", huge_word, "-output", out, "-min-count", "5", "-iter", "1", "-size", "10",
                 "-threads", "1", "-debug", "0")
    assert_one_error_line(result, 1, "empty vocabulary", "try a smaller -min-count")
    assert not out.exists()


def test_a_single_line_of_50_mb(tmp_path):
    """One sentence of 50 MB (about 1.2 million words, no newline at all): it trains, cut into
    sentences of -max-sentence-length words."""
    rng = np.random.default_rng(3)
    words = np.array([b"w%05d" % i + b"x" * 36 for i in range(2000)])  # 42-byte words
    picks = words[rng.integers(0, len(words), FIFTY_MB // 43 + 1)]
    data = b" ".join(picks.tolist())[:FIFTY_MB].rsplit(b" ", 1)[0]
    assert b"\n" not in data and len(data) > FIFTY_MB - 100
    source = tmp_path / "line.txt"
    source.write_bytes(data)
    out = tmp_path / "vec.txt"
    result = cli("train", source, "-output", out, "-min-count", "1", "-iter", "1", "-size", "8",
                 "-threads", "2", "-debug", "1")
    assert_ok(result)
    assert f"Words in train file: {data.count(b' ') + 1}" in result.stderr
    vec = w2vfast.load(str(out))
    assert len(vec) == 2001 and np.isfinite(vec.vectors).all()
