"""What word2vec's text and binary formats share: the ``b"V D\\n"`` header (number of rows and
the vector dimension), telling a text row from a binary one, and writing rows a block at a time.
"""
from __future__ import annotations

from typing import BinaryIO, Callable, Optional

import numpy as np

from .bytereader import ByteReader
from .common import WHITESPACE, VectorFileError, show

# How many bytes of the first row we look at to tell text from binary, and the
# longest header line we accept.
MAX_HEADER_BYTES = 1024

# Values formatted with one % operation when writing text (see text.block).
WRITE_BATCH_VALUES = 100_000


def read_header(reader: ByteReader) -> tuple[int, int]:
    """Parse and consume ``b"V D\\n"``; both must be positive integers."""
    name = reader.name
    line, found = reader.read_line(MAX_HEADER_BYTES)
    if not found and not line:
        raise VectorFileError(f"{name}: line 1: empty file, expected a header 'V D'")
    counts = _header_counts(line)
    if counts is None:
        raise VectorFileError(
            f"{name}: line 1: bad header {show(line)}: expected two positive "
            "integers 'V D' (number of words, vector dimension)"
        )
    count, dim = counts
    if count <= 0 or dim <= 0:
        raise VectorFileError(
            f"{name}: line 1: bad header {show(line)}: counts must be positive"
        )
    if not found:
        raise VectorFileError(
            f"{name}: line 2: file ends after the header; the header declares {count} rows"
        )
    return count, dim


def _header_counts(line: bytes) -> Optional[tuple[int, int]]:
    """The two numbers of a header line, or None if it is not two unsigned integers."""
    fields = line.split()
    if len(fields) != 2 or not all(field.isdigit() for field in fields):
        return None
    return int(fields[0]), int(fields[1])


def first_row_looks_text_after_header(reader: ByteReader) -> Optional[bool]:
    """first_row_looks_text for a file at its start, without consuming anything; None when the
    file does not start with a valid header (read_header then says what is wrong)."""
    head = reader.peek(MAX_HEADER_BYTES)
    end = head.find(b"\n")
    counts = _header_counts(head[:end]) if end >= 0 else None
    if counts is None or min(counts) <= 0:
        return None
    return first_row_looks_text(reader, counts[1], offset=end + 1)


def first_row_looks_text(reader: ByteReader, dim: int, offset: int = 0) -> bool:
    """Guess the format from the first row, ``offset`` bytes ahead, without consuming it.

    Text if the first non-blank line is a word followed by exactly ``dim``
    numbers.
    Also text if it is a word followed by at least two numbers (a text file
    with a bad first row, so the text reader can report the real problem):
    raw float32 bytes practically never look like that.  Otherwise binary.
    """
    size = MAX_HEADER_BYTES + 64 * dim
    window = reader.peek(offset + size)[offset:].lstrip(WHITESPACE)
    fields = window.split(b"\n", 1)[0].split()[1:]
    if not fields or not all_numbers(fields):
        return False
    return len(fields) == dim or len(fields) >= 2


def first_row_fits_binary(reader: ByteReader, dim: int) -> bool:
    """Whether the first row, read as binary (word, space, ``4 * dim`` bytes), ends where every
    writer of the format ends a binary row: at a newline or at the end of the file."""
    window = reader.peek(MAX_HEADER_BYTES + 4 * dim + 2).lstrip(WHITESPACE)
    space = window.find(b" ")
    if space < 0:
        return False
    end = space + 1 + 4 * dim
    return window[end:end + 1] == b"\n" or len(window) == end


def all_numbers(fields: list[bytes]) -> bool:
    """Whether every field parses as a float (overflow and NaN spellings included)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            np.array(fields, dtype=np.float32)
    except ValueError:
        return False
    return True


def write_rows(
    out: BinaryIO,
    words: list[bytes],
    array: np.ndarray,
    make_block: Callable[[list[bytes], np.ndarray], bytes],
) -> None:
    """Write header and rows, a block of rows (``make_block``'s bytes) per write() call."""
    count, dim = array.shape
    out.write(b"%d %d\n" % (count, dim))
    block_rows = max(1, WRITE_BATCH_VALUES // dim)
    for start in range(0, count, block_rows):
        stop = min(start + block_rows, count)
        out.write(make_block(words[start:stop], array[start:stop]))
