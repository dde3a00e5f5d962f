"""word2vec text format: the header, then per row ``word + b" "``, each value as C's
``"%f "``, and ``b"\\n"``.

The reader also takes what other writers of the format produce: no trailing space or newline,
CRLF line ends, blank lines, and fastText ``.vec`` files.
"""
from __future__ import annotations

from typing import BinaryIO, Optional

import numpy as np

from .bytereader import ByteReader
from .common import VectorFileError, allocate, show
from .word2vec import (
    all_numbers,
    first_row_looks_text,
    first_row_looks_text_after_header,
    read_header,
    write_rows,
)

# Rows converted to float32 at once when reading text: big enough that numpy's
# per-call overhead vanishes, small enough that the list of number strings
# stays a few megabytes.
TEXT_BATCH_VALUES = 1 << 19

# Added to an error on the first row when that row does not look like text.
_LOOKS_BINARY = " (the file looks like binary format; read it with binary=True)"


def sniff(reader: ByteReader) -> bool:
    """A word2vec header, then a first row that is a word and numbers."""
    return first_row_looks_text_after_header(reader) is True


def read(reader: ByteReader, limit: Optional[int]) -> tuple[list[bytes], np.ndarray]:
    """The header and its rows (the first ``limit`` only, when given)."""
    count, dim = read_header(reader)
    if limit is not None:
        count = min(count, limit)
    hint = "" if first_row_looks_text(reader, dim) else _LOOKS_BINARY
    return read_rows(reader, count, dim, hint)


def write(out: BinaryIO, words: list[bytes], array: np.ndarray) -> None:
    write_rows(out, words, array, block)


def block(words: list[bytes], rows: np.ndarray) -> bytes:
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


def read_rows(
    reader: ByteReader, count: int, dim: int, hint: str
) -> tuple[list[bytes], np.ndarray]:
    """Read ``count`` text rows: a word and ``dim`` whitespace-separated numbers.

    Lines are split in Python (cheap), but the number strings of many rows
    are converted to float32 in one numpy call; only when that fails do we
    go back over the batch to find the line to blame.  Blank lines are
    skipped, line numbers count them (and the header, line 1).  ``hint`` is
    added to an error found on the first row.
    """
    name = reader.name
    vectors = allocate(name, count, dim)
    words: list[bytes] = []
    batch_rows = max(1, TEXT_BATCH_VALUES // dim)
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
                _convert_batch(
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


def _convert_batch(
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
            f"{show(fields[index])} is NaN, infinite or beyond float32 range"
        )
    vectors[start:stop] = values


def _non_numeric_error(
    name: str, fields: list[bytes], line_numbers: list[int], dim: int, hint: str
) -> VectorFileError:
    """The error for the first field of a failed batch that is not a number.

    ``hint`` is added when that field is on the batch's first row.
    """
    for position, field in enumerate(fields):
        if not all_numbers([field]):
            return VectorFileError(
                f"{name}: line {line_numbers[position // dim]}: value "
                f"{show(field)} is not a number"
                + (hint if position < dim else "")
            )
    return VectorFileError(
        f"{name}: lines {line_numbers[0]}-{line_numbers[-1]}: could not convert values"
    )
