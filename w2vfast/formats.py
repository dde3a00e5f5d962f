"""Reading and writing word vectors in the original word2vec file formats.

Both formats start with a text header ``b"V D\\n"`` (number of rows and the
vector dimension).  Each row then holds one word and its vector:

* text:   ``word + b" "`` then each value as C's ``"%f "``, then ``b"\\n"``
* binary: ``word + b" "`` then D little-endian float32 values, then ``b"\\n"``

This is byte-for-byte what the C ``word2vec`` tool writes, so its ``distance``
and ``compute-accuracy`` tools, gensim and fastText-era tooling all read our
output.  Words are ``bytes`` everywhere in this module: the trainer never
decodes its corpus, so a word goes out exactly as it came in, whatever its
encoding.

The reader is deliberately lenient in the ways real files differ (missing
trailing newline or space, CRLF line ends, fastText ``.vec`` files, compressed
input) and strict about everything that would otherwise produce silently wrong
vectors: every problem raises :class:`VectorFileError` naming the file and the
line (text) or row (binary) where it was found.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import os
import re
import sys
import zlib
from typing import BinaryIO, Callable, Iterator

import numpy as np

from .atomic import atomic_output

__all__ = ["VectorFileError", "read_vectors", "write_vectors"]


class VectorFileError(ValueError):
    """A vector file is malformed; the message names the file and the place."""


# Whitespace as C's isspace() and Python's bytes.split() see it.  A word may
# contain none of it: the C reader (fscanf "%s"), gensim and our text reader
# all split on it, so such a word could never be read back intact.
_WHITESPACE = b" \t\n\r\v\f"
_WHITESPACE_RE = re.compile(rb"[ \t\n\r\v\f]")

# A binary row's word longer than this means we are not where a word should
# be (corrupt file, or a header with the wrong dimension): fail instead of
# buffering the rest of the file while looking for a space.
_MAX_WORD_BYTES = 1 << 16

# How many bytes of the first row we look at to tell text from binary, and the
# longest header line we accept.
_MAX_HEADER_BYTES = 1024

_CHUNK_BYTES = 1 << 20  # read size for the underlying stream

# Rows converted to float32 at once when reading text: big enough that numpy's
# per-call overhead vanishes, small enough that the list of number strings
# stays a few megabytes.
_TEXT_BATCH_VALUES = 1 << 19

# Values formatted with one % operation when writing text (see _text_block).
_WRITE_BATCH_VALUES = 100_000


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_vectors(dest, words: list[bytes], vectors: np.ndarray, binary: bool) -> None:
    """Write ``words`` and their ``vectors`` in word2vec text or binary format.

    ``dest`` is a path (written atomically: readers never see a half-written
    file, and a failure leaves an existing file untouched), ``"-"`` for
    standard output, or a writable binary file object (written in place and
    left open, since the caller owns it).

    Raises ValueError (before anything is written) when the input could not
    be read back: vectors not 2-D, a word count that does not match, an empty
    vocabulary or dimension, an empty word or one containing whitespace, or a
    NaN/infinite value (the reader rejects those).
    """
    array = _checked_vectors(words, vectors)

    def emit(out: BinaryIO) -> None:
        _write_payload(out, words, array, binary)

    if hasattr(dest, "write"):
        emit(dest)
    else:
        with atomic_output(dest) as out:  # "-" is standard output
            emit(out)


def _checked_vectors(words: list[bytes], vectors: np.ndarray) -> np.ndarray:
    """Validate the model and return it as a C-contiguous little-endian float32 array.

    Everything is checked up front so that a bad model fails before a single
    byte is written, with a message that names the offending word.
    """
    array = np.asarray(vectors)
    if array.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {array.shape}")
    count, dim = array.shape
    if len(words) != count:
        raise ValueError(f"{len(words)} words but {count} vectors")
    if count == 0 or dim == 0:
        raise ValueError(
            f"cannot write an empty model ({count} x {dim}): "
            "the format's header needs positive counts"
        )
    _check_words(words)
    array = np.ascontiguousarray(array, dtype="<f4")
    finite_rows = np.isfinite(array).all(axis=1)
    if not finite_rows.all():
        index = int(np.flatnonzero(~finite_rows)[0])
        raise ValueError(
            f"vector of word {_show(words[index])} (row {index + 1}) "
            "contains NaN or infinity"
        )
    return array


def _check_words(words: list[bytes]) -> None:
    """_check_word for every word: one regex scan over all of them, and word by word (for the
    message) only when that finds something (a loop of regex calls was 0.03 s of a 68k-word
    write)."""
    if all(type(w) is bytes and w for w in words) and not _WHITESPACE_RE.search(b"\0".join(words)):
        return
    for index, word in enumerate(words):
        _check_word(index, word)


def _check_word(index: int, word: bytes) -> None:
    """Reject words that no reader of the format could split back out of a row."""
    if not isinstance(word, bytes):
        raise TypeError(f"word {index} is {type(word).__name__}, expected bytes")
    if not word:
        raise ValueError(f"word {index} is empty")
    if _WHITESPACE_RE.search(word):
        raise ValueError(f"word {index} {_show(word)} contains whitespace")


def _write_payload(out: BinaryIO, words: list[bytes], array: np.ndarray, binary: bool) -> None:
    """Write header and rows, a block of rows per write() call."""
    count, dim = array.shape
    out.write(b"%d %d\n" % (count, dim))
    block_rows = max(1, _WRITE_BATCH_VALUES // dim)
    make_block = _binary_block if binary else _text_block
    for start in range(0, count, block_rows):
        stop = min(start + block_rows, count)
        out.write(make_block(words[start:stop], array[start:stop]))


def _binary_block(words: list[bytes], rows: np.ndarray) -> bytes:
    """Rows as ``word, space, raw little-endian float32, newline``."""
    return b"".join(
        [word + b" " + row.tobytes() + b"\n" for word, row in zip(words, rows)]
    )


def _text_block(words: list[bytes], rows: np.ndarray) -> bytes:
    """Rows as ``word`` followed by ``"%f "`` per value and a newline.

    The whole block is a single ``%`` operation on a repeated row template:
    measured about twice as fast as formatting row by row, and bytes
    ``%f`` gives exactly C's ``printf("%f")`` digits (both round the exact
    binary value correctly to 6 decimals).
    """
    dim = rows.shape[1]
    template = (b"%b " + b"%f " * dim + b"\n") * len(words)
    args: list = []
    for word, values in zip(words, rows.tolist()):
        args.append(word)
        args.extend(values)
    return template % tuple(args)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_vectors(
    source, binary: bool | None = None, limit: int | None = None
) -> tuple[list[bytes], np.ndarray]:
    """Read a word2vec text or binary vector file; return ``(words, vectors)``.

    ``source`` is a path (``.gz``, ``.bz2`` and ``.xz`` are decompressed on
    the fly), ``"-"`` for standard input, or a readable binary file object.
    ``binary=None`` detects the format from the first row.  ``limit`` reads
    only the first ``limit`` rows, so the head of a huge file is cheap.

    ``vectors`` is a C-contiguous float32 array of shape ``(len(words), D)``.
    Raises VectorFileError, naming the file and line or row, on any malformed
    content.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    with _open_source(source) as (stream, name, compressed):
        reader = _ByteReader(stream, name, compressed)
        count, dim = _read_header(reader, name)
        if limit is not None:
            count = min(count, limit)
        looks_text = _first_row_looks_text(reader, dim)
        if binary is None:
            binary = not looks_text
        if binary:
            # the caller said binary: refuse only a first row that is text and does not end
            # where a binary row ends (float bytes may happen to spell numbers, fuzzing found)
            if looks_text and count > 0 and not _first_row_fits_binary(reader, dim):
                raise VectorFileError(
                    f"{name}: row 1: this is a text-format row, not binary "
                    "(the file looks like text format; read it with binary=False)"
                )
            return _read_binary_rows(reader, name, count, dim)
        hint = "" if looks_text else (
            " (the file looks like binary format; read it with binary=True)"
        )
        return _read_text_rows(reader, name, count, dim, hint)


@contextlib.contextmanager
def _open_source(source) -> Iterator[tuple[BinaryIO, str, bool]]:
    """Yield ``(binary stream, name for messages, is_compressed)``.

    Streams we did not open (stdin, caller's file objects) are not closed.
    """
    if isinstance(source, str) and source == "-":
        yield sys.stdin.buffer, "<stdin>", False
        return
    if hasattr(source, "read"):
        stream = getattr(source, "buffer", source)  # text wrapper -> its bytes
        yield stream, str(getattr(source, "name", "<stream>")), False
        return
    path = os.fspath(source)
    name = os.fsdecode(path)
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(
        os.path.splitext(name)[1].lower()
    )
    with (opener or open)(path, "rb") as stream:
        yield stream, name, opener is not None


class _ByteReader:
    """Chunked reader over a binary stream with the few operations the formats need.

    Reading in large chunks and slicing in memory keeps per-row cost low
    without loading the whole file, so ``limit`` on a multi-gigabyte file
    only reads what it needs.
    """

    def __init__(self, stream: BinaryIO, name: str, compressed: bool) -> None:
        self._stream = stream
        self._name = name
        self._compressed = compressed
        self._buf = b""
        self._pos = 0
        self._eof = False

    def _read_chunk(self) -> bytes:
        """Next chunk of the stream (b"" at end), decompression errors made readable."""
        if self._eof:
            return b""
        corrupt = (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)
        if self._compressed:
            corrupt += (OSError,)  # bz2 reports bad data as a plain OSError
        try:
            chunk = self._stream.read(_CHUNK_BYTES)
        except corrupt as exc:
            raise VectorFileError(
                f"{self._name}: corrupt or truncated compressed data: {exc}"
            ) from exc
        if not chunk:
            self._eof = True
        return chunk

    def _fill(self) -> bool:
        """Append one chunk to the buffer; False at end of stream."""
        chunk = self._read_chunk()
        if not chunk:
            return False
        self._buf = self._buf[self._pos:] + chunk
        self._pos = 0
        return True

    def _find_byte(self, byte: bytes, max_len: int) -> int:
        """Buffer index of ``byte`` within ``max_len`` bytes of the position, else -1.

        Reads more of the stream as needed, but never buffers much more than
        ``max_len`` bytes while searching.
        """
        searched = 0  # bytes after the position already known not to match
        while True:
            limit = self._pos + max_len
            index = self._buf.find(byte, self._pos + searched, limit)
            if index >= 0:
                return index
            if len(self._buf) >= limit:
                return -1
            searched = len(self._buf) - self._pos
            if not self._fill():
                return -1

    def available(self) -> int:
        """Bytes buffered and not yet consumed."""
        return len(self._buf) - self._pos

    def peek(self, size: int) -> bytes:
        """Up to ``size`` upcoming bytes (fewer only at end of stream); consumes nothing."""
        while self.available() < size and self._fill():
            pass
        return self._buf[self._pos:self._pos + size]

    def read_line(self, max_len: int) -> tuple[bytes, bool]:
        """``(line without its newline, newline_found)``.

        Consumes the line only when its newline is found within ``max_len``
        bytes; otherwise returns what is there (the rest of a file that ends
        without a newline, or the first ``max_len`` bytes of an overlong line).
        """
        index = self._find_byte(b"\n", max_len)
        if index < 0:
            return self._buf[self._pos:self._pos + max_len], False
        line = self._buf[self._pos:index]
        self._pos = index + 1
        return line, True

    def skip_whitespace(self) -> bool:
        """Skip whitespace as fscanf("%s") does; False if the stream ends first."""
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(buf):
                return True
            if not self._fill():
                return False

    def read_word(self, max_len: int) -> tuple[bytes, str]:
        """Bytes up to the next space, consuming the space.

        Returns ``(word, status)`` with status ``"ok"``, ``"eof"`` (stream
        ended first; word is what was left) or ``"long"`` (no space within
        ``max_len`` bytes).
        """
        index = self._find_byte(b" ", max_len + 1)
        if index < 0:
            status = "long" if self.available() > max_len else "eof"
            return self._buf[self._pos:self._pos + max_len], status
        word = self._buf[self._pos:index]
        self._pos = index + 1
        return word, "ok"

    def read_exact(self, size: int) -> bytes:
        """``size`` bytes, or fewer if the stream ends first."""
        while len(self._buf) - self._pos < size and self._fill():
            pass
        data = self._buf[self._pos:self._pos + size]
        self._pos += len(data)
        return data

    def lines(self) -> Iterator[bytes]:
        """The remaining lines, without their ``\\n``, splitting whole chunks at once."""
        pending = self._buf[self._pos:]
        self._buf, self._pos = b"", 0
        while True:
            chunk = self._read_chunk()
            if not chunk:
                break
            *complete, pending = (pending + chunk).split(b"\n")
            yield from complete
        *complete, last = pending.split(b"\n")
        yield from complete
        if last:
            yield last


def _read_header(reader: _ByteReader, name: str) -> tuple[int, int]:
    """Parse ``b"V D\\n"``; both must be positive integers."""
    line, found = reader.read_line(_MAX_HEADER_BYTES)
    if not found and not line:
        raise VectorFileError(f"{name}: line 1: empty file, expected a header 'V D'")
    fields = line.split()
    if len(fields) != 2 or not all(field.isdigit() for field in fields):
        raise VectorFileError(
            f"{name}: line 1: bad header {_show(line)}: expected two positive "
            "integers 'V D' (number of words, vector dimension)"
        )
    count, dim = int(fields[0]), int(fields[1])
    if count <= 0 or dim <= 0:
        raise VectorFileError(
            f"{name}: line 1: bad header {_show(line)}: counts must be positive"
        )
    if not found:
        raise VectorFileError(
            f"{name}: line 2: file ends after the header; the header declares {count} rows"
        )
    return count, dim


def _first_row_looks_text(reader: _ByteReader, dim: int) -> bool:
    """Guess the format from the first row, without consuming it.

    Text if the first non-blank line is a word followed by exactly ``dim``
    numbers.
    Also text if it is a word followed by at least two numbers (a text file
    with a bad first row, so the text reader can report the real problem):
    raw float32 bytes practically never look like that.  Otherwise binary.
    """
    window = reader.peek(_MAX_HEADER_BYTES + 64 * dim).lstrip(_WHITESPACE)
    fields = window.split(b"\n", 1)[0].split()[1:]
    if not fields or not _all_numbers(fields):
        return False
    return len(fields) == dim or len(fields) >= 2


def _first_row_fits_binary(reader: _ByteReader, dim: int) -> bool:
    """Whether the first row, read as binary (word, space, ``4 * dim`` bytes), ends where every
    writer of the format ends a binary row: at a newline or at the end of the file."""
    window = reader.peek(_MAX_HEADER_BYTES + 4 * dim + 2).lstrip(_WHITESPACE)
    space = window.find(b" ")
    if space < 0:
        return False
    end = space + 1 + 4 * dim
    return window[end:end + 1] == b"\n" or len(window) == end


def _all_numbers(fields: list[bytes]) -> bool:
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            np.array(fields, dtype=np.float32)
    except ValueError:
        return False
    return True


def _allocate(name: str, count: int, dim: int) -> np.ndarray:
    """The result array, allocated once from the header's counts."""
    try:
        return np.empty((count, dim), dtype=np.float32)
    except (MemoryError, ValueError) as exc:
        raise VectorFileError(
            f"{name}: line 1: header declares {count} x {dim} values, "
            f"which cannot be allocated ({exc})"
        ) from exc


def _read_binary_rows(
    reader: _ByteReader, name: str, count: int, dim: int
) -> tuple[list[bytes], np.ndarray]:
    """Read ``count`` binary rows: optional whitespace, word, space, 4*dim bytes."""
    vectors = _allocate(name, count, dim)
    words: list[bytes] = []
    row_bytes = 4 * dim
    for index in range(count):
        row = index + 1
        if not reader.skip_whitespace():
            raise VectorFileError(
                f"{name}: row {row}: file ends after {index} rows; "
                f"the header declares {count}"
            )
        word, status = reader.read_word(_MAX_WORD_BYTES)
        if status == "eof":
            raise VectorFileError(
                f"{name}: row {row}: file ends in the middle of the row "
                f"(word {_show(word)} without a vector)"
            )
        if status == "long":
            raise VectorFileError(
                f"{name}: row {row}: no word ending in a space within "
                f"{_MAX_WORD_BYTES} bytes (corrupt file, or wrong dimension in the header?)"
            )
        raw = reader.read_exact(row_bytes)
        if len(raw) < row_bytes:
            raise VectorFileError(
                f"{name}: row {row}: file ends in the middle of the row "
                f"(word {_show(word)}: {len(raw)} of {row_bytes} vector bytes)"
            )
        words.append(word)
        vectors[index] = np.frombuffer(raw, dtype="<f4")
    _check_finite_rows(vectors, lambda index: (
        f"{name}: row {index + 1}: vector of word {_show(words[index])}"
    ))
    return words, vectors


def _check_finite_rows(vectors: np.ndarray, where: Callable[[int], str]) -> None:
    """Reject NaN/inf: they poison every similarity computed from the model."""
    finite_rows = np.isfinite(vectors).all(axis=1)
    if not finite_rows.all():
        index = int(np.flatnonzero(~finite_rows)[0])
        raise VectorFileError(f"{where(index)} contains NaN or infinity")


def _read_text_rows(
    reader: _ByteReader, name: str, count: int, dim: int, hint: str
) -> tuple[list[bytes], np.ndarray]:
    """Read ``count`` text rows: a word and ``dim`` whitespace-separated numbers.

    Lines are split in Python (cheap), but the number strings of many rows
    are converted to float32 in one numpy call; only when that fails do we
    go back over the batch to find the line to blame.  Blank lines are
    skipped, line numbers count them (and the header, line 1).
    """
    vectors = _allocate(name, count, dim)
    words: list[bytes] = []
    batch_rows = max(1, _TEXT_BATCH_VALUES // dim)
    batch_fields: list[bytes] = []
    batch_lines: list[int] = []
    line_no = 1
    if count > 0:
        for line in reader.lines():
            line_no += 1
            fields = line.split()
            if not fields:
                continue
            if len(fields) != dim + 1:
                raise VectorFileError(
                    f"{name}: line {line_no}: expected a word and {dim} values, "
                    f"found {len(fields) - 1} values" + (hint if not words else "")
                )
            words.append(fields[0])
            batch_fields.extend(fields[1:])
            batch_lines.append(line_no)
            if len(batch_lines) == batch_rows or len(words) == count:
                _convert_text_batch(
                    name, batch_fields, batch_lines, vectors, len(words), dim, hint
                )
                batch_fields, batch_lines = [], []
                if len(words) == count:
                    break
    if len(words) < count:
        raise VectorFileError(
            f"{name}: line {line_no + 1}: file ends after {len(words)} rows; "
            f"the header declares {count}"
        )
    return words, vectors


def _convert_text_batch(
    name: str,
    fields: list[bytes],
    line_numbers: list[int],
    vectors: np.ndarray,
    stop: int,
    dim: int,
    hint: str,
) -> None:
    """Convert one batch of number strings into ``vectors[stop - rows:stop]``."""
    start = stop - len(line_numbers)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            values = np.array(fields, dtype=np.float32).reshape(-1, dim)
    except ValueError:
        raise _non_numeric_error(
            name, fields, line_numbers, dim, hint if start == 0 else ""
        ) from None
    finite = np.isfinite(values)
    if not finite.all():
        index = int(np.flatnonzero(~finite.ravel())[0])
        raise VectorFileError(
            f"{name}: line {line_numbers[index // dim]}: value "
            f"{_show(fields[index])} is NaN, infinite or beyond float32 range"
        )
    vectors[start:stop] = values


def _non_numeric_error(
    name: str, fields: list[bytes], line_numbers: list[int], dim: int, hint: str
) -> VectorFileError:
    """The error for the first field of a failed batch that is not a number.

    ``hint`` is added when that field is on the batch's first row.
    """
    for position, field in enumerate(fields):
        if not _all_numbers([field]):
            return VectorFileError(
                f"{name}: line {line_numbers[position // dim]}: value "
                f"{_show(field)} is not a number"
                + (hint if position < dim else "")
            )
    return VectorFileError(
        f"{name}: lines {line_numbers[0]}-{line_numbers[-1]}: could not convert values"
    )


def _show(data: bytes, limit: int = 40) -> str:
    """A short, printable rendering of bytes for error messages."""
    if len(data) > limit:
        return repr(data[:limit])[:-1] + "...'"
    return repr(data)
