"""Coverage-guided fuzzing of corpus reading and vocabulary building with atheris:
w2vfast/corpus.py (compression sniffing, decompression errors) and w2vfast/vocab.py around the C
tokenizer (whose own C-level fuzzing is fuzz/fuzz_tokenizer.c under libFuzzer).

    pip install atheris
    python fuzz/fuzz_tokenizer.py -max_total_time=180 -max_len=4096 CORPUS_DIR [SEEDS_DIR]
    python fuzz/fuzz_tokenizer.py --replay CRASH_FILE_OR_DIR...   # no fuzzing, just run them

The first input byte chooses min_count (1..3) and whether the corpus is read in 1 MiB chunks or
in chunks of 5 bytes; the rest is the corpus file.  build_vocabulary must either raise
CorpusError / VocabularyError or return exactly what a pure-Python tokenizer finds: words split
at space, tab, newline, vertical tab and form feed, '\\r' dropped, cut to 100 bytes at a UTF-8
character start, "</s>" per newline, then ordered by count (ties: first occurrence).  Compressed
input (gzip, bzip2, xz magic) is decompressed first; a broken stream must be a CorpusError.
"""
import bz2
import functools
import gzip
import lzma
import os
import sys
import tempfile
import zlib

import atheris

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import reference as ref  # noqa: E402  the same reference the tests use
import numpy  # noqa: F401  imported before: only w2vfast's code is instrumented

with atheris.instrument_imports():
    from w2vfast import compression, corpus as corpus_module, vocab as vocab_module
    from w2vfast.corpus import CorpusError
    from w2vfast.vocab import VocabularyError, build_vocabulary

EOS = ref.EOS
PATH = os.path.join(os.environ.get("FUZZ_TMPDIR", "/dev/shm" if os.path.isdir("/dev/shm") else
                                   tempfile.gettempdir()), f"w2vfast-fuzz-{os.getpid()}.txt")


def reference(data, min_count):
    """(tokens, words, counts) by the plain-Python reference in tests/reference.py."""
    tokens = ref.tokenize(data)
    words, counts, _ = ref.vocabulary(tokens, min_count)
    return tokens, words, dict(zip(words, counts))


def decompressed(data):
    """The corpus bytes as corpus.iter_chunks sees them, or None if the stream is broken."""
    try:
        if data.startswith(b"\x1f\x8b"):
            return gzip.decompress(data)
        if compression.is_bzip2(data[:10]):
            return bz2.decompress(data)
        if data.startswith(b"\xfd7zXZ\x00"):
            return lzma.decompress(data)
    except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError):
        return None
    return data


def check(data):
    if not data:
        return
    mode, body = data[0], data[1:]
    min_count = mode % 3 + 1
    vocab_module.iter_chunks = functools.partial(corpus_module.iter_chunks,
                                                 chunk_bytes=5 if mode & 0x10 else 1 << 20)
    with open(PATH, "wb") as f:
        f.write(body)
    plain = decompressed(body)
    try:
        d = build_vocabulary(PATH, min_count=min_count)
    except CorpusError:
        assert plain is None, "a CorpusError for a readable file"
        return
    except VocabularyError:
        assert plain is not None, "a VocabularyError for a broken compressed stream"
        tokens, words, counts = reference(plain, min_count)
        # no words at all, only blank lines, or none reaching min_count
        assert all(t == EOS for t in tokens) or len(words) < 2, "a VocabularyError for a good corpus"
        return
    assert plain is not None, "a broken compressed stream was read without error"
    tokens, words, counts = reference(plain, min_count)
    assert d.n_tokens == len(tokens), (d.n_tokens, len(tokens))
    assert d.words() == words, (d.words()[:5], words[:5])
    assert d.counts().tolist() == [counts[w] for w in words]
    index = {w: i for i, w in enumerate(words)}
    assert d.ids().tolist() == [index[t] for t in tokens if t in index]


def main():
    if sys.argv[1:2] == ["--replay"]:  # run saved inputs (a crash, a corpus) without fuzzing
        from fuzz_vectors import replay
        try:
            replay(sys.argv[2:], check)
        finally:
            if os.path.exists(PATH):
                os.unlink(PATH)
        return
    atheris.Setup(sys.argv, check)
    try:
        atheris.Fuzz()
    finally:
        if os.path.exists(PATH):
            os.unlink(PATH)


if __name__ == "__main__":
    main()
