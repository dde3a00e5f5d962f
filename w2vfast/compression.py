"""Compressed input recognised by content: gzip, bzip2 and xz streams, opened for reading.

The first bytes decide, never the file's name, so a compressed file is never read as raw bytes
and a plain file named `.gz` still reads as plain.  Corpora and vector files both open their
input here; each caller words its own error for bad compressed data.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from typing import BinaryIO, Callable, NamedTuple, Optional

# The longest magic looked at: bzip2's "BZh", its block-size digit and the 6-byte block magic.
HEAD_BYTES = 10

# What reading a decompressing stream raises on corrupt or truncated data.  bzip2 reports bad
# data as a plain OSError too, which only a caller that knows the stream is compressed can
# take for bad data rather than a failing disk.
DATA_ERRORS = (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)


def is_gzip(head: bytes) -> bool:
    return head.startswith(b"\x1f\x8b")


def is_bzip2(head: bytes) -> bool:
    # "BZh" alone is printable text (a corpus may start with "BZhang"): require the block size
    # digit and the magic of the first block (pi) or of the end of an empty stream (sqrt pi)
    return (len(head) >= 10 and head.startswith(b"BZh") and b"1" <= head[3:4] <= b"9"
            and head[4:10] in (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90"))


def is_xz(head: bytes) -> bool:
    return head.startswith(b"\xfd7zXZ\x00")


class Codec(NamedTuple):
    """One kind of compressed stream."""

    name: str  # as its command-line tool is called: messages tell the user to check with it
    matches: Callable[[bytes], bool]  # whether the first HEAD_BYTES bytes start such a stream
    open: Callable[[BinaryIO], BinaryIO]  # a decompressing reader over the raw stream


CODECS = (
    Codec("gzip", is_gzip, lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    Codec("bzip2", is_bzip2, bz2.BZ2File),
    Codec("xz", is_xz, lzma.LZMAFile),
)


def sniff(head: bytes) -> Optional[Codec]:
    """The codec whose stream `head` (a stream's first HEAD_BYTES bytes) starts, else None."""
    for codec in CODECS:
        if codec.matches(head):
            return codec
    return None


def peek(raw, n: int = HEAD_BYTES) -> bytes:
    """The first n bytes of a buffered reader without consuming them (fewer only at its end).

    peek() may return fewer bytes than asked, or more: ask again until n or no progress.
    """
    head = raw.peek(n)
    while len(head) < n:
        more = raw.peek(n)
        if len(more) <= len(head):
            break
        head = more
    return head[:n]


def open_stream(raw) -> tuple[BinaryIO, Optional[Codec]]:
    """`(stream, codec)`: `raw` decompressed when it starts a compressed stream, else itself
    with codec None.  `raw` is a buffered binary reader (it must support peek()); closing the
    decompressing stream leaves `raw` open."""
    codec = sniff(peek(raw))
    return (codec.open(raw) if codec else raw), codec


def is_compressed(path) -> bool:
    """Whether the file at `path` is a gzip, bzip2 or xz stream."""
    with open(path, "rb") as f:
        return sniff(f.read(HEAD_BYTES)) is not None
