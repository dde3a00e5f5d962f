"""Opening corpora: files, standard input, and gzip/bzip2/xz streams, read as raw bytes.

Compression is recognised by content (w2vfast.compression), not by the file's name, so a
compressed file is never trained on as raw bytes (and a plain file named `.gz` still works).
"""
import os
import sys

from . import compression
from .compression import is_compressed

CHUNK_BYTES = 1 << 20


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


def iter_chunks(path, chunk_bytes=CHUNK_BYTES, byte_range=None):
    """Yield the corpus's bytes in chunks, decompressing gzip/bzip2/xz transparently.

    `path` is a file path or "-" for standard input; `byte_range` (start, end) reads only those
    bytes of a plain file (a rank's share, from shard_range).  Errors become CorpusError.
    """
    if byte_range is not None:
        yield from _iter_range(path, byte_range, chunk_bytes)
        return
    if path == "-":
        raw = sys.stdin.buffer
    else:
        path = os.fspath(path)
        _check_readable(path)
        try:
            raw = open(path, "rb")
        except OSError as e:
            raise CorpusError(f"cannot open corpus {describe(path)}: {e.strerror}") from None
    codec = None
    try:
        stream, codec = compression.open_stream(raw)
        while True:
            chunk = stream.read(chunk_bytes)
            if not chunk:
                break
            yield chunk
    except (OSError, *compression.DATA_ERRORS) as e:
        if codec is None:
            raise CorpusError(f"error reading corpus {describe(path)}: {e}") from None
        raise CorpusError(
            f"corpus {describe(path)} is a truncated or corrupt {codec.name} file ({e}); "
            f"check it with the {codec.name} tool") from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


SEPARATORS = b" \t\n\v\f"  # the bytes that end a token (csrc/dictionary.c)


def shard_range(path, rank, n_ranks):
    """The bytes [start, end) of a plain file that rank `rank` of `n_ranks` reads: equal shares,
    each moved forward to the next token start, so every token (and every sentence end) falls in
    exactly one share, and the shares in rank order are the file."""
    path = os.fspath(path)
    _check_readable(path)
    if is_compressed(path):
        raise CorpusError(f"corpus {describe(path)} is compressed and cannot be split between "
                          "processes; decompress it, or give each process its own files with "
                          "-train-files @LIST")
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        return _token_start(f, size * rank // n_ranks, size), _token_start(f, size * (rank + 1) // n_ranks, size)


def _token_start(f, offset, size):
    """The first offset >= `offset` where a token may start: 0, the end, or just after a separator."""
    if offset <= 0 or offset >= size:
        return min(max(offset, 0), size)
    f.seek(offset - 1)
    pos = offset - 1
    while True:
        block = f.read(1 << 16)
        if not block:
            return size
        for i, byte in enumerate(block):
            if byte in SEPARATORS:
                return pos + i + 1
        pos += len(block)


def _iter_range(path, byte_range, chunk_bytes):
    start, end = byte_range
    path = os.fspath(path)
    _check_readable(path)
    try:
        with open(path, "rb") as f:
            f.seek(start)
            left = end - start
            while left > 0:
                chunk = f.read(min(chunk_bytes, left))
                if not chunk:
                    raise CorpusError(f"corpus {describe(path)} became shorter while being read")
                left -= len(chunk)
                yield chunk
    except OSError as e:
        raise CorpusError(f"error reading corpus {describe(path)}: {e.strerror or e}") from None


def read_file_list(spec):
    """The corpus files of `-train-files`: `@LIST` (a file naming one corpus file a line, relative
    paths taken from the list's directory; blank lines and # comments skipped) or a
    comma-separated list of paths."""
    if not spec.startswith("@"):
        files = [p for p in spec.split(",") if p]
    else:
        listing = spec[1:]
        try:
            with open(listing, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            raise CorpusError(f"file list {listing!r} not found") from None
        except (OSError, UnicodeDecodeError) as e:
            raise CorpusError(f"cannot read file list {listing!r}: {getattr(e, 'strerror', None) or e}") from None
        base = os.path.dirname(os.path.abspath(listing))
        files = [os.path.join(base, line.strip()) for line in lines
                 if line.strip() and not line.lstrip().startswith("#")]
    if not files:
        raise CorpusError(f"-train-files {spec!r} names no files")
    return files


def spool_stdin(tmp_dir=None):
    """Standard input copied to a temporary file (removed at exit) so it can be read twice."""
    import atexit
    import shutil
    import tempfile
    f = tempfile.NamedTemporaryFile(prefix="w2vfast-stdin-", delete=False, dir=tmp_dir)
    atexit.register(lambda: os.path.exists(f.name) and os.unlink(f.name))
    with f:
        shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
    return f.name
