"""Opening corpora: files, standard input, and gzip/bzip2/xz streams, read as raw bytes.

Compression is recognised by content (w2vfast.compression), not by the file's name, so a
compressed file is never trained on as raw bytes (and a plain file named `.gz` still works).
"""
import os
import shlex
import sys
import warnings

from . import compression
from .compression import is_compressed

CHUNK_BYTES = 1 << 20


class CorpusError(Exception):
    """A corpus cannot be read; the message names the file and says what to do."""


class CorpusWarning(UserWarning):
    """A corpus reads, but not as the user meant: the message names the file and the fix."""


SNIFF_BYTES = 1024  # how much of a corpus's start (decompressed) is looked at


def not_text(head):
    """What the first bytes of a corpus are when they are not text as the tokenizers read it
    (bytes, ASCII-compatible): "UTF-16" or "UTF-32" (a byte-order mark, or a NUL in every other
    byte: ASCII in UTF-16), "binary" (NUL and other control bytes, which text has few of), or
    None."""
    head = bytes(head[:SNIFF_BYTES])
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if len(head) >= 8:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = len(head) // 2
        if max(even, odd) >= 0.7 * half and min(even, odd) <= 0.1 * half:
            return "UTF-16"
    # tab, newline, vertical tab, form feed, carriage return and escape (terminal colours) are
    # text; the other controls and NUL are not
    control = sum(1 for b in head if b < 0x20 and b not in b"\t\n\v\f\r\x1b")
    if head.count(0) * 100 > len(head) or control * 10 > len(head):
        return "binary"
    return None


def not_text_message(path, kind, codec=None):
    """The warning for a corpus that `not_text` says is `kind`: the file, and the fix."""
    what = "standard input" if path == "-" else f"corpus {describe(path)}"
    inside = f" once decompressed with {codec.name}" if codec else ""
    if kind == "binary":
        return (f"{what} looks like binary data{inside}, not text; give a text file (UTF-8 or "
                "ASCII, words separated by spaces, a sentence a line)")
    name = None if path == "-" else os.fspath(path)
    fix = f"iconv -f {kind} -t UTF-8"
    if name is None:
        fix = f"... | {fix} | w2vfast ..."
    else:
        stem = os.path.splitext(name)[0] if codec else name
        fix = (f"{codec.name} -dc {shlex.quote(name)} | {fix}" if codec else f"{fix} {shlex.quote(name)}") \
            + f" > {shlex.quote(os.path.splitext(stem)[0] + '.utf8.txt')}"
    return f"{what} looks like {kind} text{inside}; convert it first: {fix}"


def _sniff(path, chunk, codec=None):
    kind = not_text(chunk)
    if kind is not None:
        warnings.warn(not_text_message(path, kind, codec), CorpusWarning, stacklevel=3)


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
    bytes of a plain file (a rank's share, from shard_range).  Errors become CorpusError.  A
    corpus whose start is not text (UTF-16, binary data: `not_text`) gets a CorpusWarning.
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
        first = True
        while True:
            chunk = stream.read(chunk_bytes)
            if not chunk:
                break
            if first:
                _sniff(path, chunk, codec)
                first = False
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
                if left == end - start and start == 0:  # the share that starts the file
                    _sniff(path, chunk)
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
