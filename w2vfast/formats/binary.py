"""word2vec binary format: the header, then per row ``word + b" "``, ``dim`` little-endian
float32 values and ``b"\\n"``.

The reader skips any whitespace before a word, as the C tool's fscanf("%s") does, so rows
without the newline read too.
"""
from __future__ import annotations

from typing import BinaryIO, Optional

import numpy as np

from .bytereader import ByteReader
from .common import VectorFileError, allocate, check_finite_rows, show
from .word2vec import (
    first_row_fits_binary,
    first_row_looks_text,
    first_row_looks_text_after_header,
    read_header,
    write_rows,
)

# A binary row's word longer than this means we are not where a word should
# be (corrupt file, or a header with the wrong dimension): fail instead of
# buffering the rest of the file while looking for a space.
MAX_WORD_BYTES = 1 << 16


def sniff(reader: ByteReader) -> bool:
    """A word2vec header, then a first row that is not a word and numbers."""
    return first_row_looks_text_after_header(reader) is False


def read(reader: ByteReader, limit: Optional[int]) -> tuple[list[bytes], np.ndarray]:
    """The header and its rows (the first ``limit`` only, when given)."""
    count, dim = read_header(reader)
    if limit is not None:
        count = min(count, limit)
    looks_text = first_row_looks_text(reader, dim)
    # refuse only a first row that is text and does not end where a binary row ends: a binary
    # row's float bytes may happen to spell numbers (tests/test_robustness_vectors.py)
    if looks_text and count > 0 and not first_row_fits_binary(reader, dim):
        raise VectorFileError(
            f"{reader.name}: row 1: this is a text-format row, not binary "
            "(the file looks like text format; read it with binary=False)"
        )
    return read_rows(reader, count, dim)


def write(out: BinaryIO, words: list[bytes], array: np.ndarray) -> None:
    write_rows(out, words, array, block)


def block(words: list[bytes], rows: np.ndarray) -> bytes:
    """Rows as ``word, space, raw little-endian float32, newline``."""
    return b"".join(
        [word + b" " + row.tobytes() + b"\n" for word, row in zip(words, rows)]
    )


def read_rows(reader: ByteReader, count: int, dim: int) -> tuple[list[bytes], np.ndarray]:
    """Read ``count`` binary rows: optional whitespace, word, space, 4*dim bytes."""
    name = reader.name
    vectors = allocate(name, count, dim)
    words: list[bytes] = []
    row_bytes = 4 * dim
    for index in range(count):
        row = index + 1
        if not reader.skip_whitespace():
            raise VectorFileError(
                f"{name}: row {row}: file ends after {index} rows; "
                f"the header declares {count}"
            )
        word, status = reader.read_word(MAX_WORD_BYTES)
        if status == "eof":
            raise VectorFileError(
                f"{name}: row {row}: file ends in the middle of the row "
                f"(word {show(word)} without a vector)"
            )
        if status == "long":
            raise VectorFileError(
                f"{name}: row {row}: no word ending in a space within "
                f"{MAX_WORD_BYTES} bytes (corrupt file, or wrong dimension in the header?)"
            )
        raw = reader.read_exact(row_bytes)
        if len(raw) < row_bytes:
            raise VectorFileError(
                f"{name}: row {row}: file ends in the middle of the row "
                f"(word {show(word)}: {len(raw)} of {row_bytes} vector bytes)"
            )
        words.append(word)
        vectors[index] = np.frombuffer(raw, dtype="<f4")
    check_finite_rows(vectors, lambda index: (
        f"{name}: row {index + 1}: vector of word {show(words[index])}"
    ))
    return words, vectors
