"""Reading and writing word vectors: the registry of vector-file formats and the entry points.

The formats, by name (``FORMATS``, in the order their sniffers are tried):

* ``"text"``:   word2vec text, each value as C's ``"%f "`` (text.py)
* ``"binary"``: word2vec binary, raw little-endian float32 values (binary.py)

Both are byte-for-byte what the C ``word2vec`` tool writes, so its ``distance`` and
``compute-accuracy`` tools, gensim and fastText-era tooling all read our output.  Words are
``bytes`` everywhere in this package: the trainer never decodes its corpus, so a word goes out
exactly as it came in, whatever its encoding.

The readers are deliberately lenient in the ways real files differ (missing trailing newline or
space, CRLF line ends, fastText ``.vec`` files, compressed input) and strict about everything
that would otherwise produce silently wrong vectors: every problem raises
:class:`VectorFileError` naming the file and the line (text) or row (binary) where it was found.

Adding a format is one entry in ``FORMATS``: a :class:`VectorFormat` whose functions live in a
module of their own.  Its sniffer must recognise the format from the start of a file without
consuming anything (``ByteReader.peek``); put the entry before any format whose sniffer would
also claim its files.
"""

from __future__ import annotations

from typing import BinaryIO, Callable, NamedTuple, Optional, Union

import numpy as np

from ..atomic import atomic_output
from . import binary as binary_format, text as text_format
from .bytereader import ByteReader, open_reader
from .common import VectorFileError, checked_vectors

__all__ = [
    "FORMATS",
    "VectorFileError",
    "VectorFormat",
    "detect_format",
    "format_for_binary",
    "get_format",
    "read_vectors",
    "sniff_format",
    "write_vectors",
]


class VectorFormat(NamedTuple):
    """One vector-file format."""

    name: str
    # whether a file, at its start, is in this format; consumes nothing
    sniff: Callable[[ByteReader], bool]
    # (words, C-contiguous float32 V x D array), the first `limit` rows when limit is not None;
    # VectorFileError names the place of any problem
    read: Callable[[ByteReader, Optional[int]], tuple[list[bytes], np.ndarray]]
    # the rows of a model that common.checked_vectors accepted
    write: Callable[[BinaryIO, list[bytes], np.ndarray], None]


FORMATS: dict[str, VectorFormat] = {f.name: f for f in (
    VectorFormat("text", text_format.sniff, text_format.read, text_format.write),
    VectorFormat("binary", binary_format.sniff, binary_format.read, binary_format.write),
)}

# How a file no sniffer claims is read: as the C tool's default output, whose reader then says
# what is wrong with the file (empty, or a bad header).
FALLBACK = FORMATS["binary"]


def get_format(fmt: Union[str, VectorFormat]) -> VectorFormat:
    """The registered format of that name (a VectorFormat is returned as it is)."""
    if isinstance(fmt, VectorFormat):
        return fmt
    try:
        return FORMATS[fmt]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown vector format {fmt!r}; known formats: {', '.join(FORMATS)}"
        ) from None


def format_for_binary(binary) -> VectorFormat:
    """The word2vec format that a ``binary=`` argument or a ``-binary 0|1`` flag names."""
    return FORMATS["binary" if binary else "text"]


def sniff_format(reader: ByteReader) -> VectorFormat:
    """The first format whose sniffer claims the file, else FALLBACK; consumes nothing."""
    for vector_format in FORMATS.values():
        if vector_format.sniff(reader):
            return vector_format
    return FALLBACK


def detect_format(source) -> VectorFormat:
    """The format :func:`read_vectors` reads ``source`` in when given none.

    ``source`` is as for read_vectors.  Sniffing reads the start of the file, which a stream
    (standard input, a file object) cannot give back: look before reading at paths only.
    """
    with open_reader(source) as reader:
        return sniff_format(reader)


def _chosen(binary, fmt) -> Optional[VectorFormat]:
    """The format that ``binary=`` or ``fmt=`` names, or None when neither is given."""
    if fmt is None:
        return None if binary is None else format_for_binary(binary)
    if binary is not None:
        raise TypeError("give binary= or fmt=, not both")
    return get_format(fmt)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_vectors(dest, words: list[bytes], vectors: np.ndarray, binary: Optional[bool] = None,
                  *, fmt: Union[str, VectorFormat, None] = None) -> None:
    """Write ``words`` and their ``vectors`` in word2vec text or binary format.

    The format is ``binary=`` (True: binary, False: text) or ``fmt=``, a name in ``FORMATS``;
    one of them is required.

    ``dest`` is a path (written atomically: readers never see a half-written
    file, and a failure leaves an existing file untouched), ``"-"`` for
    standard output, or a writable binary file object (written in place and
    left open, since the caller owns it).

    Raises ValueError (before anything is written) when the input could not
    be read back: vectors not 2-D, a word count that does not match, an empty
    vocabulary or dimension, an empty word or one containing whitespace, or a
    NaN/infinite value (the reader rejects those).
    """
    vector_format = _chosen(binary, fmt)
    if vector_format is None:
        raise TypeError("write_vectors() needs binary= or fmt=")
    array = checked_vectors(words, vectors)

    def emit(out: BinaryIO) -> None:
        _write_payload(out, words, array, vector_format)

    if hasattr(dest, "write"):
        emit(dest)
    else:
        with atomic_output(dest) as out:  # "-" is standard output
            emit(out)


def _write_payload(out: BinaryIO, words: list[bytes], array: np.ndarray,
                   vector_format: VectorFormat) -> None:
    """Everything that goes into the file, by the format's writer."""
    vector_format.write(out, words, array)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_vectors(
    source, binary: Optional[bool] = None, limit: Optional[int] = None,
    *, fmt: Union[str, VectorFormat, None] = None,
) -> tuple[list[bytes], np.ndarray]:
    """Read a word2vec text or binary vector file; return ``(words, vectors)``.

    ``source`` is a path (gzip, bzip2 and xz content is decompressed on the
    fly, whatever the file's name), ``"-"`` for standard input, or a readable
    binary file object.  The format is ``binary=`` (True: binary, False: text)
    or ``fmt=``, a name in ``FORMATS``; with neither, it is detected from the
    first row.  ``limit`` reads only the first ``limit`` rows, so the head of
    a huge file is cheap.

    ``vectors`` is a C-contiguous float32 array of shape ``(len(words), D)``.
    Raises VectorFileError, naming the file and line or row, on any malformed
    content.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    chosen = _chosen(binary, fmt)
    with open_reader(source) as reader:
        return (chosen or sniff_format(reader)).read(reader, limit)
