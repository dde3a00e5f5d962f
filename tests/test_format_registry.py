"""The vector-file format registry (w2vfast/formats/) and the compression sniffer that corpora
and vector files share (w2vfast/compression.py)."""

import bz2
import gzip
import io
import lzma

import numpy as np
import pytest
from click.testing import CliRunner

from w2vfast import compression, corpus, formats
from w2vfast.cli import main
from w2vfast.formats import VectorFileError, read_vectors, write_vectors

WORDS = [b"the", b"of", "caf\u00e9".encode(), b"\xff\xfe"]
VECTORS = np.array([[0.5, -1.25, 0.1], [2.0, -0.5, 1.0], [1e-3, 3.0, -7.5], [0, 0, 1]],
                   dtype=np.float32)
COMPRESSORS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


def written(vector_format):
    out = io.BytesIO()
    write_vectors(out, WORDS, VECTORS, fmt=vector_format)
    return out.getvalue()


# --------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------

def test_the_word2vec_formats_are_registered_in_sniffing_order():
    assert list(formats.FORMATS) == ["text", "binary"]
    assert all(f.name == name for name, f in formats.FORMATS.items())
    assert formats.FALLBACK is formats.FORMATS["binary"]


@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_every_format_round_trips_and_is_sniffed(name, tmp_path):
    path = tmp_path / "vectors"
    write_vectors(path, WORDS, VECTORS, fmt=name)
    assert formats.detect_format(path) is formats.FORMATS[name]
    for fmt in (name, None):  # named, and detected
        words, vectors = read_vectors(path, fmt=fmt)
        assert words == WORDS
        np.testing.assert_allclose(vectors, VECTORS, rtol=0, atol=1e-6)


@pytest.mark.parametrize("binary", [True, False])
def test_binary_flag_is_the_named_format(binary, tmp_path):
    vector_format = formats.format_for_binary(binary)
    assert vector_format.name == ("binary" if binary else "text")
    out = io.BytesIO()
    write_vectors(out, WORDS, VECTORS, binary=binary)
    assert out.getvalue() == written(vector_format.name) == written(vector_format)
    first_row = b"the " + (VECTORS[0].tobytes() if binary else b"0.500000 -1.250000 0.100000 ")
    assert out.getvalue().startswith(b"4 3\n" + first_row)
    path = tmp_path / "v"
    path.write_bytes(out.getvalue())
    assert formats.detect_format(path) is vector_format


def test_sniffing_consumes_nothing():
    for name in formats.FORMATS:
        reader = formats.ByteReader(io.BytesIO(written(name)), "x", False)
        assert formats.sniff_format(reader).name == name
        assert reader.read_line(100) == (b"4 3", True)


def test_a_file_no_sniffer_claims_is_read_as_the_fallback(tmp_path):
    for body, message in ((b"", "line 1: empty file"), (b"4 x\n", "line 1: bad header"),
                          (b"0 3\nthe 1 2 3\n", "counts must be positive"),
                          (b"4 3", "line 2: file ends after the header")):
        path = tmp_path / "v"
        path.write_bytes(body)
        assert not any(f.sniff(formats.ByteReader(io.BytesIO(body), "x", False))
                       for f in formats.FORMATS.values())
        assert formats.detect_format(path) is formats.FALLBACK
        with pytest.raises(VectorFileError, match=message):
            read_vectors(path)


def test_a_format_is_named_once_and_known():
    with pytest.raises(ValueError, match="unknown vector format 'glove'; known formats: text, binary"):
        read_vectors(io.BytesIO(written("text")), fmt="glove")
    with pytest.raises(ValueError, match="unknown vector format"):
        write_vectors(io.BytesIO(), WORDS, VECTORS, fmt="Binary")
    with pytest.raises(TypeError, match="not both"):
        read_vectors(io.BytesIO(written("text")), binary=False, fmt="text")
    with pytest.raises(TypeError, match="needs binary= or fmt="):
        write_vectors(io.BytesIO(), WORDS, VECTORS)


def test_an_explicit_format_overrides_the_sniffer():
    with pytest.raises(VectorFileError, match="looks like binary format; read it with binary=True"):
        read_vectors(io.BytesIO(written("binary")), fmt="text")
    with pytest.raises(VectorFileError, match="row 1: this is a text-format row"):
        read_vectors(io.BytesIO(written("text")), fmt="binary")


# --------------------------------------------------------------------------
# Compressed vector files: by content, not by name
# --------------------------------------------------------------------------

@pytest.mark.parametrize("codec", sorted(COMPRESSORS))
@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_compressed_vectors_without_a_telling_name_read(tmp_path, codec, name):
    path = tmp_path / "vectors.txt"
    path.write_bytes(COMPRESSORS[codec](written(name)))
    assert compression.is_compressed(path)
    assert formats.detect_format(path).name == name
    words, vectors = read_vectors(path)
    assert words == WORDS
    np.testing.assert_allclose(vectors, VECTORS, rtol=0, atol=1e-6)


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_a_plain_file_with_a_compression_suffix_reads_as_plain(tmp_path, suffix, name):
    path = tmp_path / ("vectors" + suffix)
    path.write_bytes(written(name))
    assert not compression.is_compressed(path)
    words, vectors = read_vectors(path)
    assert words == WORDS
    np.testing.assert_allclose(vectors, VECTORS, rtol=0, atol=1e-6)


def test_truncated_compressed_vectors_without_a_suffix_are_a_vector_file_error(tmp_path):
    data = gzip.compress(written("binary") * 50)
    path = tmp_path / "vectors"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(VectorFileError, match="vectors: corrupt or truncated compressed data"):
        read_vectors(path)


def test_convert_reads_compressed_vectors_by_content(tmp_path):
    """convert sniffs IN's format through the decompression: text in, binary out."""
    source = tmp_path / "vec.dat"
    source.write_bytes(lzma.compress(written("text")))
    dest = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", str(source), str(dest)])
    assert result.exit_code == 0, result.output
    assert "in binary format" in result.output
    assert dest.read_bytes() == written("binary")


# --------------------------------------------------------------------------
# One sniffer for corpora and vector files
# --------------------------------------------------------------------------

def test_sniffer_recognises_each_codec_by_its_first_bytes():
    for name, compress in COMPRESSORS.items():
        for data in (b"", b"the quick brown fox " * 10):
            assert compression.sniff(compress(data)[:compression.HEAD_BYTES]).name == name
    for plain in (b"", b"BZhang is a name\n", b"BZh9 is not bzip2", b"\x1f", b"4 3\nthe "):
        assert compression.sniff(plain[:compression.HEAD_BYTES]) is None


class _Tagged(io.RawIOBase):
    """A stand-in compressed stream: the tag, then the payload as it is (or an error)."""

    def __init__(self, raw, fail):
        self._raw, self._fail = raw, fail
        raw.read(4)

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._fail:
            raise EOFError("stream ends early (simulated)")
        data = self._raw.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


@pytest.fixture
def tagged_codec(monkeypatch):
    """An extra codec, "tagged", for content that starts with b"TAG!" (b"TAG?": broken)."""
    codec = compression.Codec("tagged", lambda head: head[:3] == b"TAG",
                              lambda raw: io.BufferedReader(_Tagged(raw, raw.peek(4)[3:4] == b"?")))
    monkeypatch.setattr(compression, "CODECS", compression.CODECS + (codec,))


def test_corpus_and_vector_readers_share_the_sniffer(tmp_path, tagged_codec):
    vectors = tmp_path / "vectors.bin"
    vectors.write_bytes(b"TAG!" + written("binary"))
    words, matrix = read_vectors(vectors)
    assert words == WORDS and matrix.tobytes() == VECTORS.tobytes()
    text = tmp_path / "corpus.txt"
    text.write_bytes(b"TAG!the quick brown fox\n")
    assert b"".join(corpus.iter_chunks(str(text))) == b"the quick brown fox\n"
    assert compression.is_compressed(text)


def test_each_reader_words_its_own_error_for_bad_compressed_data(tmp_path, tagged_codec):
    broken = tmp_path / "broken"
    broken.write_bytes(b"TAG?" + written("text"))
    with pytest.raises(VectorFileError, match=r"broken: corrupt or truncated compressed data: "
                                              r"stream ends early \(simulated\)"):
        read_vectors(broken)
    with pytest.raises(corpus.CorpusError, match=r"is a truncated or corrupt tagged file "
                                                 r"\(stream ends early \(simulated\)\); check it "
                                                 r"with the tagged tool"):
        list(corpus.iter_chunks(str(broken)))
