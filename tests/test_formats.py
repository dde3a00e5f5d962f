"""Tests for w2vfast/formats/: the word2vec text and binary vector files."""

import bz2
import ctypes
import ctypes.util
import gzip
import io
import lzma
import os
import pathlib
import struct
import sys

import numpy as np
import pytest

from w2vfast import formats  # noqa: E402

read_vectors = formats.read_vectors
write_vectors = formats.write_vectors
VectorFileError = formats.VectorFileError

TINY_WORDS = [b"the", b"of"]
TINY_VECTORS = np.array([[0.5, -1.25, 0.1], [2.0, -0.5, 1.0]], dtype=np.float32)
TINY_TEXT = (
    b"2 3\n"
    b"the 0.500000 -1.250000 0.100000 \n"
    b"of 2.000000 -0.500000 1.000000 \n"
)
TINY_BINARY = (
    b"2 3\n"
    b"the \x00\x00\x00?\x00\x00\xa0\xbf\xcd\xcc\xcc=\n"
    b"of \x00\x00\x00@\x00\x00\x00\xbf\x00\x00\x80?\n"
)

# ASCII, UTF-8 beyond ASCII, and bytes that are not UTF-8 at all (including
# ones that are whitespace in Latin-1/Unicode but not to C or bytes.split()).
ODD_WORDS = [
    b"the",
    "caf\u00e9".encode(),
    "\u6f22\u5b57".encode(),
    "\U0001f600".encode(),
    b"\xff\xfe\x80",
    b"\xa0nbsp\x85",
    b"nul\x00byte",
    b"</s>",
]


def random_model(count=50, dim=7, seed=0, words=None):
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((count, dim)).astype(np.float32)
    if words is None:
        words = [b"w%d" % i for i in range(count)]
    return words, vectors


@pytest.fixture(params=[1 << 20, 5], ids=["big-chunks", "5-byte-chunks"])
def chunk_size(request, monkeypatch):
    """Run reader tests with normal reads and with reads of a few bytes.

    Tiny reads put every row, word and number across read boundaries.
    """
    monkeypatch.setattr(formats.bytereader, "CHUNK_BYTES", request.param)
    return request.param


# --------------------------------------------------------------------------
# Exact bytes
# --------------------------------------------------------------------------


def test_text_bytes_of_tiny_model(tmp_path):
    path = tmp_path / "tiny.txt"
    write_vectors(path, TINY_WORDS, TINY_VECTORS, binary=False)
    assert path.read_bytes() == TINY_TEXT


def test_binary_bytes_of_tiny_model(tmp_path):
    path = tmp_path / "tiny.bin"
    write_vectors(path, TINY_WORDS, TINY_VECTORS, binary=True)
    assert path.read_bytes() == TINY_BINARY


def test_text_values_use_c_percent_f(tmp_path):
    vectors = np.array([[1 / 3, -4e-7, 12345.678, -0.0, 1e-7, 2.5e-6]], dtype=np.float32)
    path = tmp_path / "v.txt"
    write_vectors(path, [b"x"], vectors, binary=False)
    assert path.read_bytes() == (
        b"1 6\nx 0.333333 -0.000000 12345.677734 -0.000000 0.000000 0.000002 \n"
    )


@pytest.mark.skipif(ctypes.util.find_library("c") is None, reason="no C library")
def test_text_values_match_libc_printf(tmp_path):
    """The text rows are what C word2vec's fprintf("%lf ") writes, digit for digit."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    rng = np.random.default_rng(3)
    values = np.concatenate([
        rng.standard_normal(300) * 10.0 ** rng.integers(-8, 5, 300),
        [0.0000005, -0.0000005, 0.0000015, 0.1234565, 1e6],
    ]).astype(np.float32)
    path = tmp_path / "v.txt"
    write_vectors(path, [b"x"], values[None, :], binary=False)
    expected = b""
    buffer = ctypes.create_string_buffer(64)
    for value in values.tolist():
        libc.snprintf(buffer, 64, b"%f ", ctypes.c_double(value))
        expected += buffer.value
    assert path.read_bytes() == b"1 %d\nx " % len(values) + expected + b"\n"


def test_write_to_file_object_and_stdout(capsysbinary):
    out = io.BytesIO()
    write_vectors(out, TINY_WORDS, TINY_VECTORS, binary=True)
    assert out.getvalue() == TINY_BINARY
    assert not out.closed

    write_vectors("-", TINY_WORDS, TINY_VECTORS, binary=False)
    assert capsysbinary.readouterr().out == TINY_TEXT
    write_vectors("-", TINY_WORDS, TINY_VECTORS, binary=True)
    assert capsysbinary.readouterr().out == TINY_BINARY


def test_float64_input_is_written_as_float32(tmp_path):
    path = tmp_path / "v.bin"
    write_vectors(path, TINY_WORDS, TINY_VECTORS.astype(np.float64), binary=True)
    assert path.read_bytes() == TINY_BINARY


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------


def test_round_trip_text(tmp_path, chunk_size):
    words, vectors = random_model(words=ODD_WORDS, count=len(ODD_WORDS), dim=13)
    path = tmp_path / "v.txt"
    write_vectors(path, words, vectors, binary=False)
    for binary in (False, None):
        got_words, got = read_vectors(path, binary=binary)
        assert got_words == words
        assert got.dtype == np.float32 and got.shape == vectors.shape
        assert got.flags["C_CONTIGUOUS"]
        np.testing.assert_allclose(got, vectors, rtol=0, atol=1e-6)


def test_round_trip_binary(tmp_path, chunk_size):
    words, vectors = random_model(words=ODD_WORDS, count=len(ODD_WORDS), dim=13)
    path = tmp_path / "v.bin"
    write_vectors(path, words, vectors, binary=True)
    for binary in (True, None):
        got_words, got = read_vectors(path, binary=binary)
        assert got_words == words
        assert got.dtype == np.float32 and got.flags["C_CONTIGUOUS"]
        np.testing.assert_array_equal(got, vectors)


def test_round_trip_larger_model(tmp_path):
    """Several read chunks and several write blocks."""
    words, vectors = random_model(count=3000, dim=100, seed=1)
    for binary in (True, False):
        path = tmp_path / ("v.bin" if binary else "v.txt")
        write_vectors(path, words, vectors, binary=binary)
        got_words, got = read_vectors(path)
        assert got_words == words
        np.testing.assert_allclose(got, vectors, rtol=0, atol=0 if binary else 1e-6)


def test_read_from_stdin_and_file_object(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TINY_BINARY)))
    words, vectors = read_vectors("-")
    assert words == TINY_WORDS
    np.testing.assert_array_equal(vectors, TINY_VECTORS)

    words, vectors = read_vectors(io.BytesIO(TINY_TEXT))
    assert words == TINY_WORDS
    np.testing.assert_array_equal(vectors, TINY_VECTORS)


# --------------------------------------------------------------------------
# Interoperability with gensim
# --------------------------------------------------------------------------


# gensim keys are str: valid UTF-8 words only.
GENSIM_WORDS = [b"the", "caf\u00e9".encode(), "\u6f22\u5b57".encode(), b"</s>", b"king", b"queen"]


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_gensim_reads_our_files(tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    words, vectors = random_model(words=GENSIM_WORDS, count=len(GENSIM_WORDS), dim=10)
    path = tmp_path / "ours"
    write_vectors(path, words, vectors, binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == [w.decode("utf-8") for w in words]
    np.testing.assert_allclose(kv.vectors, vectors, rtol=0, atol=0 if binary else 1e-6)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_we_read_gensim_files(tmp_path, binary, chunk_size):
    gensim_models = pytest.importorskip("gensim.models")
    words, vectors = random_model(words=GENSIM_WORDS, count=len(GENSIM_WORDS), dim=10)
    kv = gensim_models.KeyedVectors(vector_size=10)
    kv.add_vectors([w.decode("utf-8") for w in words], vectors)
    path = tmp_path / "gensim"
    kv.save_word2vec_format(str(path), binary=binary)
    for forced in (binary, None):
        got_words, got = read_vectors(path, binary=forced)
        assert got_words == words
        # gensim's text rows use the shortest repr of each float32: exact too.
        np.testing.assert_array_equal(got, vectors)


# --------------------------------------------------------------------------
# Lenient reading
# --------------------------------------------------------------------------


def _binary_rows(words, vectors, sep=b"\n"):
    return b"".join(w + b" " + v.astype("<f4").tobytes() + sep for w, v in zip(words, vectors))


def test_binary_without_newline_after_rows(tmp_path, chunk_size):
    words, vectors = random_model(count=20, dim=5, seed=2)
    path = tmp_path / "v.bin"
    path.write_bytes(b"20 5\n" + _binary_rows(words, vectors, sep=b""))
    for binary in (True, None):
        got_words, got = read_vectors(path, binary=binary)
        assert got_words == words
        np.testing.assert_array_equal(got, vectors)


def test_binary_skips_whitespace_before_words(tmp_path, chunk_size):
    words, vectors = random_model(count=4, dim=3, seed=4)
    path = tmp_path / "v.bin"
    path.write_bytes(b"4 3\r\n" + _binary_rows(words, vectors, sep=b"\r\n\t "))
    got_words, got = read_vectors(path, binary=True)
    assert got_words == words
    np.testing.assert_array_equal(got, vectors)


def test_fasttext_vec_file(tmp_path, chunk_size):
    path = tmp_path / "cc.en.vec"
    path.write_bytes(
        b"3 4\n"
        b", 0.0011 -0.0029 -0.0012 0.1044\n"
        b"the -0.0534 0.0141 -0.0103 0.0091\n"
        b"caf\xc3\xa9 1e-3 -2.5E+1 3 .5\n"
    )
    words, vectors = read_vectors(path)
    assert words == [b",", b"the", "caf\u00e9".encode()]
    np.testing.assert_allclose(
        vectors,
        [[0.0011, -0.0029, -0.0012, 0.1044],
         [-0.0534, 0.0141, -0.0103, 0.0091],
         [0.001, -25.0, 3.0, 0.5]],
        rtol=1e-7,
    )


def test_text_with_crlf_and_without_final_newline(tmp_path, chunk_size):
    path = tmp_path / "v.txt"
    path.write_bytes(TINY_TEXT.replace(b"\n", b"\r\n").rstrip(b"\r\n"))
    for binary in (False, None):
        words, vectors = read_vectors(path, binary=binary)
        assert words == TINY_WORDS
        np.testing.assert_allclose(vectors, TINY_VECTORS, atol=1e-6)


def test_text_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 3\n\nthe 0.5 -1.25 0.1\n  \nof 2 -0.5 1\n\n")
    words, vectors = read_vectors(path)
    assert words == TINY_WORDS
    np.testing.assert_allclose(vectors, TINY_VECTORS, atol=1e-6)


@pytest.mark.parametrize("suffix,compress", [
    (".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress),
])
@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_compressed_input(tmp_path, suffix, compress, binary):
    words, vectors = random_model(words=ODD_WORDS, count=len(ODD_WORDS), dim=6)
    plain = io.BytesIO()
    write_vectors(plain, words, vectors, binary=binary)
    path = tmp_path / ("vectors" + suffix)
    path.write_bytes(compress(plain.getvalue()))
    got_words, got = read_vectors(str(path))
    assert got_words == words
    np.testing.assert_allclose(got, vectors, rtol=0, atol=0 if binary else 1e-6)


def test_truncated_gzip_is_a_vector_file_error(tmp_path):
    words, vectors = random_model(count=200, dim=20)
    plain = io.BytesIO()
    write_vectors(plain, words, vectors, binary=True)
    data = gzip.compress(plain.getvalue())
    path = tmp_path / "v.bin.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(VectorFileError, match="v.bin.gz"):
        read_vectors(path)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_limit(tmp_path, binary, chunk_size):
    words, vectors = random_model(count=30, dim=4, seed=5)
    path = tmp_path / "v"
    write_vectors(path, words, vectors, binary=binary)
    atol = 0 if binary else 1e-6
    for limit in (0, 1, 7, 30, 1000):
        got_words, got = read_vectors(path, limit=limit)
        n = min(limit, 30)
        assert got_words == words[:n]
        assert got.shape == (n, 4)
        np.testing.assert_allclose(got, vectors[:n], rtol=0, atol=atol)


def test_limit_does_not_read_the_bad_tail(tmp_path):
    """Like gensim: rows past the limit are never looked at."""
    path = tmp_path / "v.txt"
    path.write_bytes(b"3 2\na 1 2\nb oops\n")
    words, vectors = read_vectors(path, limit=1)
    assert words == [b"a"]
    np.testing.assert_array_equal(vectors, [[1, 2]])


def test_negative_limit_rejected(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(TINY_TEXT)
    with pytest.raises(ValueError):
        read_vectors(path, limit=-1)


def test_auto_detect_short_first_text_row_reports_text_error(tmp_path):
    """A text file with a bad first row must not be misread as binary garbage."""
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 3\nthe 0.5 -1.25\nof 2 -0.5 1\n")
    with pytest.raises(VectorFileError, match=r"line 2: expected a word and 3 values, found 2"):
        read_vectors(path)


# --------------------------------------------------------------------------
# Writing: validation and atomicity
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bad_word", [b"two words", b"tab\there", b"new\nline", b"cr\r", b""])
def test_write_rejects_bad_words(tmp_path, bad_word):
    path = tmp_path / "v.bin"
    with pytest.raises(ValueError, match="word 1") as info:
        write_vectors(path, [b"ok", bad_word], TINY_VECTORS, binary=True)
    if bad_word:
        assert repr(bad_word) in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_write_rejects_str_words(tmp_path):
    with pytest.raises(TypeError, match="bytes"):
        write_vectors(tmp_path / "v", ["the", "of"], TINY_VECTORS, binary=True)


@pytest.mark.parametrize("words,vectors,message", [
    ([b"a"], np.zeros(3, np.float32), "2-D"),
    ([b"a"], np.zeros((2, 3), np.float32), "1 words but 2 vectors"),
    ([], np.zeros((0, 3), np.float32), "empty"),
    ([b"a"], np.zeros((1, 0), np.float32), "empty"),
    ([b"a", b"b"], np.array([[1, 2], [np.nan, 1]], np.float32), "b'b'"),
    ([b"a", b"b"], np.array([[np.inf, 2], [0, 1]], np.float32), "b'a'"),
])
def test_write_rejects_bad_models(tmp_path, words, vectors, message):
    with pytest.raises(ValueError, match=message):
        write_vectors(tmp_path / "v", words, vectors, binary=False)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_old_file_on_validation_error(tmp_path):
    path = tmp_path / "model.txt"
    path.write_bytes(b"old contents")
    with pytest.raises(ValueError, match="whitespace"):
        write_vectors(path, [b"the", b"o f"], TINY_VECTORS, binary=False)
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["model.txt"]


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_atomic_write_keeps_old_file_when_writing_fails_midway(tmp_path, monkeypatch, binary):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old contents")
    block_module = formats.binary if binary else formats.text
    real_block = block_module.block
    calls = []

    def failing_block(words, rows):
        calls.append(len(words))
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real_block(words, rows)

    monkeypatch.setattr(block_module, "block", failing_block)
    monkeypatch.setattr(formats.word2vec, "WRITE_BATCH_VALUES", 10)  # 2 rows of 5 per block
    words, vectors = random_model(count=20, dim=5)
    with pytest.raises(OSError, match="simulated"):
        write_vectors(path, words, vectors, binary=binary)
    assert len(calls) == 3  # the failure really happened midway
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_atomic_write_replaces_and_sets_normal_permissions(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old contents")
    old_umask = os.umask(0o027)
    try:
        write_vectors(path, TINY_WORDS, TINY_VECTORS, binary=True)
    finally:
        os.umask(old_umask)
    assert path.read_bytes() == TINY_BINARY
    assert (path.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_write_to_str_path_in_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_vectors("model.txt", TINY_WORDS, TINY_VECTORS, binary=False)
    assert (tmp_path / "model.txt").read_bytes() == TINY_TEXT


# --------------------------------------------------------------------------
# Errors: VectorFileError naming the file and the line or row
# --------------------------------------------------------------------------

ROW1 = b"a " + struct.pack("<2f", 1.0, 2.0) + b"\n"
ROW2 = b"b " + struct.pack("<2f", 3.0, 4.0) + b"\n"

ERROR_CASES = [
    # (id, file bytes, binary argument, expected message fragments)
    ("empty-file", b"", None, ["line 1", "empty"]),
    ("header-one-number", b"3\na 1 2 3\n", None, ["line 1", "bad header"]),
    ("header-words", b"hello world\n", None, ["line 1", "bad header"]),
    ("header-zero", b"0 5\n", None, ["line 1", "positive"]),
    ("header-negative", b"-1 5\n", None, ["line 1", "bad header"]),
    ("header-float", b"2 3.5\n", None, ["line 1", "bad header"]),
    ("header-three", b"2 3 4\n", None, ["line 1", "bad header"]),
    ("header-only", b"2 3\n", None, ["row 1", "after 0 rows", "declares 2"]),
    ("header-only-text", b"2 3\n", False, ["line 2", "after 0 rows", "declares 2"]),
    ("header-without-newline", b"2 3", None, ["line 2", "ends after the header"]),
    ("text-too-few-rows", b"3 2\na 1 2\nb 3 4\n", False, ["line 4", "after 2 rows", "declares 3"]),
    ("text-short-row", b"2 3\na 1 2 3\nb 1 2\n", False, ["line 3", "found 2 values"]),
    ("text-long-row", b"2 3\na 1 2 3\nb 1 2 3 4\n", None, ["line 3", "found 4 values"]),
    ("text-word-only", b"2 3\na 1 2 3\nb\n", None, ["line 3", "found 0 values"]),
    ("text-non-numeric", b"2 2\na 1 2\nb 1 x\n", None, ["line 3", "b'x'", "not a number"]),
    ("text-blank-lines-counted", b"2 2\na 1 2\n\n\nb 1 x\n", None, ["line 5"]),
    ("text-nan", b"2 2\na 1 2\nb nan 1\n", None, ["line 3", "NaN"]),
    ("text-inf", b"2 2\na 1 2\nb 1 -inf\n", None, ["line 3", "infinite"]),
    ("text-float32-overflow", b"2 2\na 1 2\nb 1 1e39\n", None, ["line 3", "float32 range"]),
    ("binary-too-few-rows", b"3 2\n" + ROW1 + ROW2, True, ["row 3", "after 2 rows", "declares 3"]),
    ("binary-cut-in-vector", b"2 2\n" + ROW1 + ROW2[:5], True, ["row 2", "middle of the row", "3 of 8"]),
    ("binary-cut-after-word", b"2 2\n" + ROW1 + b"b", True, ["row 2", "middle of the row"]),
    ("binary-cut-after-space", b"2 2\n" + ROW1 + b"b ", True, ["row 2", "0 of 8"]),
    ("binary-nan", b"2 2\n" + ROW1 + b"b " + struct.pack("<2f", 1.0, float("nan")), True,
     ["row 2", "b'b'", "NaN"]),
    ("binary-inf", b"2 2\n" + b"a " + struct.pack("<2f", float("inf"), 0.0) + ROW2, None,
     ["row 1", "infinity"]),
    ("text-read-as-binary", b"2 2\na 1 2\nb 3 4\n", True, ["row 1", "text", "binary=False"]),
    ("binary-read-as-text", b"2 2\n" + ROW1 + ROW2, False, ["line 2", "binary=True"]),
]


@pytest.mark.filterwarnings("error")  # no stray numpy RuntimeWarnings either
@pytest.mark.parametrize(
    "data,binary,fragments", [case[1:] for case in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_errors_name_file_and_place(tmp_path, data, binary, fragments, chunk_size):
    path = tmp_path / "broken.vec"
    path.write_bytes(data)
    with pytest.raises(VectorFileError) as info:
        read_vectors(path, binary=binary)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_vector_file_error_is_a_value_error():
    assert issubclass(VectorFileError, ValueError)


def test_binary_garbage_without_spaces_fails_cleanly(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(b"2 3\n" + b"x" * (formats.binary.MAX_WORD_BYTES + 10))
    with pytest.raises(VectorFileError, match="row 1: no word ending in a space"):
        read_vectors(path, binary=True)


def test_missing_file_is_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_vectors(tmp_path / "nope.bin")
