"""A vector file's bytes: the source opened (a path, standard input or a file object; a
compressed file decompressed, recognised by content) and read in chunks with the few
operations the formats need."""
from __future__ import annotations

import contextlib
import os
import sys
from typing import BinaryIO, Iterator

from .. import compression
from .common import WHITESPACE, VectorFileError

CHUNK_BYTES = 1 << 20  # read size for the underlying stream


@contextlib.contextmanager
def open_reader(source) -> Iterator["ByteReader"]:
    """Yield a ByteReader over ``source``: a path, ``"-"`` for standard input, or a readable
    binary file object.

    A path is decompressed when its content is gzip, bzip2 or xz, whatever its name.  Streams
    we did not open (stdin, the caller's file objects) are read as they are and not closed.
    """
    if isinstance(source, str) and source == "-":
        yield ByteReader(sys.stdin.buffer, "<stdin>", False)
        return
    if hasattr(source, "read"):
        stream = getattr(source, "buffer", source)  # text wrapper -> its bytes
        yield ByteReader(stream, str(getattr(source, "name", "<stream>")), False)
        return
    path = os.fspath(source)
    with open(path, "rb") as raw:
        stream, codec = compression.open_stream(raw)
        with stream:  # a decompressing stream; closing it leaves raw to its own `with`
            yield ByteReader(stream, os.fsdecode(path), codec is not None)


class ByteReader:
    """Chunked reader over a binary stream with the few operations the formats need.

    Reading in large chunks and slicing in memory keeps per-row cost low
    without loading the whole file, so ``limit`` on a multi-gigabyte file
    only reads what it needs.  ``name`` names the file in messages.
    """

    def __init__(self, stream: BinaryIO, name: str, compressed: bool) -> None:
        self.name = name
        self._stream = stream
        self._compressed = compressed
        self._buf = b""
        self._pos = 0
        self._eof = False

    def _read_chunk(self) -> bytes:
        """Next chunk of the stream (b"" at end), decompression errors made readable."""
        if self._eof:
            return b""
        corrupt = compression.DATA_ERRORS
        if self._compressed:
            corrupt += (OSError,)  # bz2 reports bad data as a plain OSError
        try:
            chunk = self._stream.read(CHUNK_BYTES)
        except corrupt as exc:
            raise VectorFileError(
                f"{self.name}: corrupt or truncated compressed data: {exc}"
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
            while pos < len(buf) and buf[pos] in WHITESPACE:
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
