"""Opening corpora: files, standard input, and gzip/bzip2/xz streams, read as raw bytes.

Compression is recognised by the file's magic bytes, not its name, so a compressed file is never
trained on as raw bytes (and a plain file named `.gz` still works).
"""
import bz2
import gzip
import lzma
import os
import sys
import zlib

CHUNK_BYTES = 1 << 20

def _is_gzip(head):
    return head.startswith(b"\x1f\x8b")


def _is_bzip2(head):
    # "BZh" alone is printable text (a corpus may start with "BZhang"): require the block size
    # digit and the magic of the first block (pi) or of the end of an empty stream (sqrt pi)
    return (len(head) >= 10 and head.startswith(b"BZh") and b"1" <= head[3:4] <= b"9"
            and head[4:10] in (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90"))


def _is_xz(head):
    return head.startswith(b"\xfd7zXZ\x00")


_FORMATS = [
    (_is_gzip, "gzip", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    (_is_bzip2, "bzip2", bz2.BZ2File),
    (_is_xz, "xz", lzma.LZMAFile),
]


class CorpusError(Exception):
    """A corpus cannot be read; the message names the file and says what to do."""


def describe(path):
    return "standard input" if path == "-" else repr(os.fspath(path))


def _check_readable(path):
    if not os.path.exists(path):
        raise CorpusError(f"corpus {describe(path)} not found")
    if os.path.isdir(path):
        raise CorpusError(f"corpus {describe(path)} is a directory, not a file")
    if not os.access(path, os.R_OK):
        raise CorpusError(f"corpus {describe(path)} is not readable (permission denied)")


def _peek(raw, n):
    """The first n bytes without consuming them (peek may return fewer or more; loop until n)."""
    head = raw.peek(n)
    while len(head) < n:
        more = raw.peek(n)
        if len(more) <= len(head):
            break
        head = more
    return head[:n]


def iter_chunks(path, chunk_bytes=CHUNK_BYTES):
    """Yield the corpus's bytes in chunks, decompressing gzip/bzip2/xz transparently.

    `path` is a file path or "-" for standard input.  Errors become CorpusError.
    """
    if path == "-":
        raw = sys.stdin.buffer
    else:
        path = os.fspath(path)
        _check_readable(path)
        try:
            raw = open(path, "rb")
        except OSError as e:
            raise CorpusError(f"cannot open corpus {describe(path)}: {e.strerror}") from None
    kind = "plain"
    try:
        head = _peek(raw, 10)
        stream = raw
        for matches, name, opener in _FORMATS:
            if matches(head):
                kind = name
                stream = opener(raw)
                break
        while True:
            chunk = stream.read(chunk_bytes)
            if not chunk:
                break
            yield chunk
    except (EOFError, OSError, zlib.error, lzma.LZMAError) as e:
        if kind == "plain":
            raise CorpusError(f"error reading corpus {describe(path)}: {e}") from None
        raise CorpusError(
            f"corpus {describe(path)} is a truncated or corrupt {kind} file ({e}); "
            f"check it with the {kind} tool") from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
