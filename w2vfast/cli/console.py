"""What the commands that read vector files share: loading them with one-line errors, and
writing words and results back out as the bytes they came in as."""
import json
import math
import os
import warnings

import click

from .. import api
from ..formats import VectorFileError, read_vectors


def to_bytes(text):
    # words are str with surrogate escapes for bytes that are not UTF-8: write them back as read
    return text.encode("utf-8", "surrogateescape")


def out(text):
    click.echo(to_bytes(text))


def out_json(obj):
    # a non-UTF-8 byte becomes the JSON escape \udcXX, so every line is valid UTF-8 JSON
    click.echo(json.dumps(obj, ensure_ascii=False).encode("utf-8", "backslashreplace"))


def warn(message):
    click.echo(to_bytes(f"w2vfast: {message}"), err=True)


def show_corpus_warnings():
    """From now on the package's CorpusWarnings print as `w2vfast: warning: ...` lines (other
    warnings as Python prints them)."""
    from ..corpus import CorpusWarning
    original = warnings.showwarning
    if getattr(original, "corpus_warnings", False):
        return

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, CorpusWarning):
            warn(f"warning: {message}")
        else:
            original(message, category, filename, lineno, file, line)
    show.corpus_warnings = True
    warnings.showwarning = show


def finite(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def split_words(line):
    """Words of one query line (bytes), as str with surrogate escapes."""
    return line.decode("utf-8", "surrogateescape").split()


def same_file(a, b):
    if a == "-" or b == "-":
        return False
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read_error(path, e):
    return VectorFileError(f"cannot read {'standard input' if path == '-' else repr(path)}: "
                           f"{e.strerror or e}")


def load_vectors(path, limit=None):
    """`w2vfast.load(path)`, with an unreadable file reported as a VectorFileError."""
    try:
        return api.load(path, limit=limit or None)
    except VectorFileError:
        raise
    except OSError as e:
        raise _read_error(path, e) from None


def read_raw(path, limit=None):
    """(words, vectors) of a vector file, with an unreadable file reported as a VectorFileError."""
    try:
        return read_vectors(path, limit=limit or None)
    except VectorFileError:
        raise
    except OSError as e:
        raise _read_error(path, e) from None
