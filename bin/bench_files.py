"""The files of a benchmark: the corpus made plain, the scratch directory, vocabulary files,
and the vectors a run wrote, read and scored by w2vfast's own reader and evaluation.

Not part of the w2vfast package (see benchlib).
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import importlib.util
import lzma
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_measure import log

REPO_ROOT = Path(__file__).resolve().parent.parent


def prepare_corpus(corpus, scratch):
    """A plain-text path for corpus: .xz/.lzma/.gz/.bz2 are decompressed once
    into scratch (the C tool needs a plain file)."""
    corpus = Path(corpus)
    openers = {".xz": lzma.open, ".lzma": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
    opener = openers.get(corpus.suffix.lower())
    if opener is None:
        return corpus.resolve()
    dest = Path(scratch) / corpus.with_suffix("").name
    log("decompressing %s -> %s" % (corpus, dest))
    t0 = time.perf_counter()
    with opener(corpus, "rb") as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    log("  %.1f MB in %.1f s" % (dest.stat().st_size / 1e6, time.perf_counter() - t0))
    return dest


def read_vocab_lines(path):
    """The `word count` lines of a vocabulary file, as a list of bytes."""
    with open(path, "rb") as f:
        return [line.rstrip(b"\r\n") for line in f if line.strip()]


def vocab_total(lines):
    total = 0
    for line in lines:
        try:
            total += int(line.rsplit(None, 1)[1])
        except (IndexError, ValueError):
            pass
    return total


def make_scratch(workdir, prefix):
    if workdir:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=workdir))


# ---------------------------------------------------------------------------
# Evaluation and vectors files
# ---------------------------------------------------------------------------


def load_evaluate():
    """w2vfast.evaluate, imported normally or, failing that (package not
    installed, or its compiled core not built), loaded from this checkout."""
    try:
        from w2vfast import evaluate  # type: ignore

        return evaluate
    except Exception as exc:  # noqa: BLE001 - any import problem: fall back
        path = REPO_ROOT / "w2vfast" / "evaluate.py"
        if not path.exists():
            raise SystemExit("cannot import w2vfast.evaluate (%s) and %s is absent" % (exc, path))
        spec = importlib.util.spec_from_file_location("_w2vfast_evaluate", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        return mod


def load_formats():
    """w2vfast.formats, imported normally or, failing that (package not installed), from this
    checkout: it needs NumPy alone, not the compiled core."""
    try:
        return importlib.import_module("w2vfast.formats")
    except ImportError:
        if str(REPO_ROOT) not in sys.path:
            sys.path.append(str(REPO_ROOT))
        return importlib.import_module("w2vfast.formats")


def read_vectors(path, binary):
    """A word2vec vectors file, binary or text as `binary` says, read by w2vfast's reader;
    returns (list of str, V x D float32)."""
    formats = load_formats()
    words, vectors = formats.read_vectors(path, fmt=formats.format_for_binary(binary))
    return [w.decode("utf-8", errors="replace") for w in words], vectors
