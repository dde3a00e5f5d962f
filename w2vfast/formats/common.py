"""What every vector-file format shares: the error, the whitespace rule for words, checking a
model before it is written, the result array, and rendering bytes for messages."""
from __future__ import annotations

import re
from typing import Callable

import numpy as np


class VectorFileError(ValueError):
    """A vector file is malformed; the message names the file and the place."""


# Whitespace as C's isspace() and Python's bytes.split() see it.  A word may
# contain none of it: the C reader (fscanf "%s"), gensim and our text reader
# all split on it, so such a word could never be read back intact.
WHITESPACE = b" \t\n\r\v\f"
WHITESPACE_RE = re.compile(rb"[ \t\n\r\v\f]")


def checked_vectors(words: list[bytes], vectors: np.ndarray) -> np.ndarray:
    """Validate the model and return it as a C-contiguous little-endian float32 array.

    Everything is checked up front so that a bad model fails before a single
    byte is written, with a message that names the offending word.
    """
    array = np.asarray(vectors)
    if array.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {array.shape}")
    count, dim = array.shape
    if len(words) != count:
        raise ValueError(f"{len(words)} words but {count} vectors")
    if count == 0 or dim == 0:
        raise ValueError(
            f"cannot write an empty model ({count} x {dim}): "
            "the format's header needs positive counts"
        )
    check_words(words)
    array = np.ascontiguousarray(array, dtype="<f4")
    finite_rows = np.isfinite(array).all(axis=1)
    if not finite_rows.all():
        index = int(np.flatnonzero(~finite_rows)[0])
        raise ValueError(
            f"vector of word {show(words[index])} (row {index + 1}) "
            "contains NaN or infinity"
        )
    return array


def check_words(words: list[bytes]) -> None:
    """check_word for every word: one regex scan over all of them, and word by word (for the
    message) only when that finds something (a loop of regex calls was 0.03 s of a 68k-word
    write)."""
    if all(type(w) is bytes and w for w in words) and not WHITESPACE_RE.search(b"\0".join(words)):
        return
    for index, word in enumerate(words):
        check_word(index, word)


def check_word(index: int, word: bytes) -> None:
    """Reject words that no reader of the format could split back out of a row."""
    if not isinstance(word, bytes):
        raise TypeError(f"word {index} is {type(word).__name__}, expected bytes")
    if not word:
        raise ValueError(f"word {index} is empty")
    if WHITESPACE_RE.search(word):
        raise ValueError(f"word {index} {show(word)} contains whitespace")


def allocate(name: str, count: int, dim: int) -> np.ndarray:
    """The result array, allocated once from the header's counts."""
    try:
        return np.empty((count, dim), dtype=np.float32)
    except (MemoryError, ValueError) as exc:
        raise VectorFileError(
            f"{name}: line 1: header declares {count} x {dim} values, "
            f"which cannot be allocated ({exc})"
        ) from exc


def check_finite_rows(vectors: np.ndarray, where: Callable[[int], str]) -> None:
    """Reject NaN/inf: they poison every similarity computed from the model."""
    finite_rows = np.isfinite(vectors).all(axis=1)
    if not finite_rows.all():
        index = int(np.flatnonzero(~finite_rows)[0])
        raise VectorFileError(f"{where(index)} contains NaN or infinity")


def show(data: bytes, limit: int = 40) -> str:
    """A short, printable rendering of bytes for error messages."""
    if len(data) > limit:
        return repr(data[:limit])[:-1] + "...'"
    return repr(data)
