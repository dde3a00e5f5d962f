"""Training that goes wrong or runs under load: divergence (-alpha 50) and a non-finite matrix
stop the run with a clear error and no output; 64 Hogwild threads on 2 cores finish with sane
vectors that still learn the planted groups; 5 million distinct words train with -max-vocab
within a memory bound (not checked under AddressSanitizer).
"""
import os
import subprocess
import time

import numpy as np
import pytest

import w2vfast

from clitools import (assert_one_error_line, assert_one_error_line_proc, cli,  # tests/clitools.py
                      listing, module_command, peak_rss_mib, run_module)
from shared import FAST, SANITIZED  # tests/shared.py


# --------------------------------------------------------------------------
# Numerical safety
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    """Eight groups of 12 words; a sentence uses the words of one group only (20,000 words)."""
    rng = np.random.default_rng(5)
    groups = [[f"g{g}w{i}" for i in range(12)] for g in range(8)]
    lines = [" ".join(groups[g][i] for i in rng.integers(0, 12, 10))
             for g in rng.integers(0, 8, 2000)]
    path = tmp_path_factory.mktemp("grouped") / "groups.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("mode", [["-cbow", "0"], ["-cbow", "1"]], ids=["skip-gram", "cbow"])
def test_divergence_stops_training_with_a_clear_error(grouped, tmp_path, mode):
    """-alpha 50 makes NaN within a few thousand words.  The run has 2 billion words to do
    (minutes) but stops at the first check (every 10,000 words of a thread), writing nothing."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    start = time.monotonic()
    proc = run_module("train", grouped, "-output", out_dir / "vec.txt", "-save-vocab",
                      out_dir / "vocab.txt", "-save-context", out_dir / "ctx.txt", "-alpha", "50",
                      "-iter", "100000", "-min-count", "1", "-size", "50", "-threads", "2",
                      "-debug", "0", *mode, timeout=60)
    elapsed = time.monotonic() - start
    assert_one_error_line_proc(proc, 1, "training diverged (NaN or infinity in the vectors)",
                               "-alpha 50.0", "use a smaller -alpha")
    assert listing(out_dir) == []
    assert elapsed < 30, f"took {elapsed:.1f} s: divergence was not caught during training"


def test_non_finite_output_matrix_is_caught_too(corpus, tmp_path, monkeypatch):
    """NaN in an output-side row that training never touches (</s> is never a noise word) left
    syn0 finite; it used to reach -save-context's writer and end in a traceback."""
    from w2vfast.kinds import ModelKind
    real = ModelKind.new_matrices

    def poisoned(kind, V, o, n_docs=0):
        m = real(kind, V, o, n_docs)
        m["syn1neg"][0, 0] = np.nan
        return m

    monkeypatch.setattr(ModelKind, "new_matrices", poisoned)
    out, ctx = tmp_path / "vec.txt", tmp_path / "ctx.txt"
    result = cli("train", corpus, "-output", out, "-save-context", ctx, *FAST, "-debug", "0")
    assert_one_error_line(result, 1, "training diverged")
    assert not out.exists() and not ctx.exists()


# --------------------------------------------------------------------------
# Load: Hogwild with many threads, a huge vocabulary
# --------------------------------------------------------------------------

def _group_accuracy(vec):
    hits = total = 0
    for word in vec.index_to_key[1:]:
        neighbours = [w for w, _ in vec.most_similar(word, topn=5)]
        hits += sum(n.split("w")[0] == word.split("w")[0] for n in neighbours)
        total += len(neighbours)
    return hits / total


def _two_cores():
    try:
        cores = sorted(os.sched_getaffinity(0))[:2]
        return lambda: os.sched_setaffinity(0, cores)
    except (AttributeError, OSError):
        return None


@pytest.mark.parametrize("threads, iterations, lines", [(64, 200, 300), (64, 50, 20)],
                         ids=["64-threads-200-epochs", "64-threads-on-20-sentences"])
def test_hogwild_many_threads_on_two_cores(grouped, tmp_path, threads, iterations, lines):
    """64 threads on (at most) 2 cores, many tiny epochs: they all finish, and the vectors are
    sane (finite, bounded) and still learn the planted groups."""
    source = tmp_path / "small.txt"
    source.write_bytes(b"\n".join(grouped.read_bytes().splitlines()[:lines]) + b"\n")
    out = tmp_path / "vec.bin"
    proc = subprocess.run(module_command("train", source, "-output", out, "-binary", "1",
                                         "-threads", threads, "-iter", iterations, "-min-count", "1",
                                         "-size", "24", "-window", "3", "-sample", "0", "-cbow", "0",
                                         "-debug", "1"),
                          capture_output=True, timeout=120, preexec_fn=_two_cores())
    assert proc.returncode == 0, proc.stderr
    assert b"%d threads" % threads in proc.stderr
    vec = w2vfast.load(str(out))
    norms = np.linalg.norm(vec.vectors, axis=1)
    assert np.isfinite(vec.vectors).all() and norms[1:].min() > 0 and norms.max() < 100
    if lines >= 300:
        assert _group_accuracy(vec) >= 0.9


def _five_million_words(path):
    """5,000,000 distinct 7-byte words once each (20 a line) and 2,000,000 draws from 1,000
    frequent words, interleaved in 50 blocks: 52 MB, written in about a second."""
    rng = np.random.default_rng(0)
    n_unique = 5_000_000
    ids = rng.permutation(n_unique)
    unique = np.empty((n_unique, 8), dtype=np.uint8)
    unique[:, 0] = ord("u")
    for k in range(6, 0, -1):
        unique[:, k] = ord("a") + ids % 26
        ids //= 26
    unique[:, 7] = ord(" ")
    unique[19::20, 7] = ord("\n")
    common = rng.zipf(1.3, 2_000_000) % 1000
    frequent = np.empty((len(common), 6), dtype=np.uint8)
    frequent[:, 0] = ord("c")
    for k in range(4, 0, -1):
        frequent[:, k] = ord("0") + common % 10
        common //= 10
    frequent[:, 5] = ord(" ")
    frequent[9::10, 5] = ord("\n")
    with open(path, "wb") as f:
        for a, b in zip(np.array_split(unique, 50), np.array_split(frequent, 50)):
            f.write(a.tobytes())
            f.write(b.tobytes())


MAX_VOCAB_PEAK_MIB = 150


def test_five_million_distinct_words_within_a_memory_bound_with_max_vocab(tmp_path):
    """-max-vocab 200000 prunes while counting (word2vec.c's ReduceVocab): 5 million distinct
    words train with a peak RSS under 150 MiB (measured: about 50 MiB; the same run without
    -max-vocab peaks at about 1.8 GiB)."""
    source = tmp_path / "five-million.txt"
    _five_million_words(source)
    out = tmp_path / "vec.bin"
    code, stderr, peak = peak_rss_mib("train", source, "-output", out, "-binary", "1",
                                      "-max-vocab", "200000", "-min-count", "1", "-size", "20",
                                      "-iter", "1", "-threads", "2", "-debug", "1")
    assert code == 0, stderr
    vocab_size = int(stderr.split("Vocab size: ")[1].split()[0])
    assert 1000 < vocab_size <= 200_000
    vec = w2vfast.load(str(out))
    assert len(vec) == vocab_size and np.isfinite(vec.vectors).all()
    assert "c0001" in vec and "c0002" in vec  # the frequent words survive the pruning
    if not SANITIZED:
        assert peak < MAX_VOCAB_PEAK_MIB, f"peak RSS {peak:.0f} MiB"
