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

_MAGIC = [
    (b"\x1f\x8b", "gzip", gzip.GzipFile),
    (b"BZh", "bzip2", bz2.BZ2File),
    (b"\xfd7zXZ\x00", "xz", lzma.LZMAFile),
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
        head = raw.peek(8)[:8] if hasattr(raw, "peek") else b""
        stream = raw
        for magic, name, opener in _MAGIC:
            if head.startswith(magic):
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
