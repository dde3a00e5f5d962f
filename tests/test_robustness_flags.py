"""Flags beyond test_cli_errors.py's table of bad values: wrong types, an -ns-exponent out of
range, the extremes of every range options.py accepts (they train to finite vectors), 512
threads, and a model bigger than the memory available (refused with the amount before anything
is allocated, also under `ulimit -v`).  Through the real entry points: a clear one-line error or a correct result, never a traceback, a crash or a partial
output file.

The memory bounds are not checked under AddressSanitizer, whose memory use is not the product's.
"""
import subprocess

import numpy as np
import pytest

import w2vfast

from clitools import (assert_ok, assert_one_error_line, assert_one_error_line_proc,  # tests/clitools.py
                      cli, listing, module_command, peak_rss_mib)
from shared import CORPUS, FAST, SANITIZED  # tests/shared.py


# --------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bad, flag", [
    (["-alpha", "abc"], "-alpha"),
    (["-sample", "x"], "-sample"),
    (["-threads", "2.5"], "-threads"),
    (["-window", "five"], "-window"),
    (["-min-count", ""], "-min-count"),
    (["-negative", "1e3"], "-negative"),
])
def test_wrong_types_are_usage_errors(corpus, tmp_path, bad, flag):
    """Not covered by test_cli_errors.py's table (which has -size abc and -iter 1.5)."""
    out = tmp_path / "vec.txt"
    args = [a for a in FAST]
    result = cli("train", corpus, "-output", out, *args, *bad)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("w2vfast: error:")]
    assert len(errors) == 1 and flag in errors[0], result.stderr
    assert not out.exists()


@pytest.mark.parametrize("value", ["1000", "-1000", "11"])
def test_ns_exponent_out_of_range_is_a_usage_error(corpus, tmp_path, value):
    """count**1000 overflows (a RuntimeWarning, then a noise table of infinities); count**-1000
    vanishes ("needs at least one word besides </s>", which misled)."""
    out = tmp_path / "vec.txt"
    result = cli("train", corpus, "-output", out, *FAST, "-ns-exponent", value)
    assert result.exit_code == 2, result.stderr
    assert "invalid -ns-exponent" in result.stderr and "from -10 to 10" in result.stderr
    assert "Warning" not in result.output and not out.exists()


EXTREME_BUT_VALID = [
    ["-size", "1", "-window", "1", "-negative", "1"],
    ["-window", "65536", "-max-sentence-length", "1"],
    ["-window", "65536", "-cbow", "0", "-batch", "1"],
    ["-window", "65536", "-cbow", "0", "-batch", "0", "-negative", "0", "-hs", "1"],
    ["-window", "65536", "-cbow", "1", "-hs", "1"],
    ["-max-sentence-length", "16777216"],
    ["-negative", "65536", "-size", "2", "-alpha", "1e-6"],  # more noise words: smaller steps
    ["-negative", "1000", "-hs", "1", "-cbow", "1", "-cbow-mean", "0"],
    ["-sample", "1e-12"],
    ["-sample", "1e12"],
    ["-ns-exponent", "-10"],
    ["-ns-exponent", "10"],
    ["-ns-exponent", "0"],
    ["-seed", str(2 ** 64 - 1)],
    ["-vectors", "concat", "-binary", "1", "-hs", "1"],
    ["-threads", "4096"],
    ["-size", "1000", "-iter", "1", "-negative", "0", "-hs", "1", "-cbow", "0", "-batch", "1"],
]


@pytest.mark.parametrize("extra", EXTREME_BUT_VALID, ids=[" ".join(e) for e in EXTREME_BUT_VALID])
def test_extreme_but_valid_flags_train(corpus, tmp_path, extra):
    """The limits of every range that options.py accepts train to finite vectors (and, in the
    sanitizer run of .ci/run, without a memory error or undefined behaviour)."""
    out = tmp_path / "vec.bin"
    args = dict(zip(FAST[0::2], FAST[1::2]))
    args["-iter"] = "2"
    args.update(zip(extra[0::2], extra[1::2]))
    args.setdefault("-binary", "1")
    result = cli("train", corpus, "-output", out, *[x for kv in args.items() for x in kv],
                 "-debug", "0")
    assert_ok(result)
    assert result.stderr == ""
    assert np.isfinite(w2vfast.load(str(out)).vectors).all()


def test_512_threads_work(corpus, tmp_path):
    """More threads than sentences, on however many cores there are."""
    out = tmp_path / "vec.txt"
    result = cli("train", corpus, "-output", out, "-threads", "512", "-min-count", "1",
                 "-iter", "3", "-size", "10", "-debug", "1")
    assert_ok(result)
    assert "512 threads" in result.stderr
    vec = w2vfast.load(str(out))
    assert np.isfinite(vec.vectors).all() and np.abs(vec.vectors).sum() > 0


def test_size_beyond_memory_is_refused_before_allocating(tmp_path):
    """-size 1048576 (the largest accepted) on 100,000 words would need 781 GiB: refused with
    the amount, after counting the corpus, before any matrix is allocated (the peak RSS stays
    that of counting)."""
    source = tmp_path / "many.txt"
    source.write_bytes(b"\n".join(b" ".join(b"w%d" % (i + j) for j in range(10))
                                  for i in range(0, 100_000, 10)) + b"\n")
    out = tmp_path / "vec.txt"
    code, stderr, peak = peak_rss_mib("train", source, "-output", out, "-size", "1048576",
                                      "-min-count", "1", "-threads", "1", "-debug", "0")
    assert code == 1, stderr
    assert stderr.startswith("w2vfast: error: the model needs 781.3 GiB (100001 words x 1048576 "
                             "dims x 2 matrices of float32) but only "), stderr
    assert "use a smaller -size" in stderr and len(stderr.strip().splitlines()) == 1
    assert listing(tmp_path) == ["many.txt"]
    if not SANITIZED:
        assert peak < 150, f"peak RSS {peak:.0f} MiB (measured: 42 MiB): something was allocated"


def test_memory_check_counts_the_written_copy_and_allocates_nothing(corpus, tmp_path, monkeypatch):
    """In process, with 1 MiB free: -vectors concat needs syn0, syn1neg and a 2-D copy."""
    from w2vfast import pipeline
    from w2vfast.kinds import ModelKind
    monkeypatch.setattr(pipeline, "available_memory", lambda: 1 << 20)

    def no_allocation(*args):
        raise AssertionError("a matrix was allocated before the memory check")

    monkeypatch.setattr(ModelKind, "new_matrices", no_allocation)
    out = tmp_path / "vec.txt"
    result = cli("train", corpus, "-output", out, "-size", "10000", "-vectors", "concat",
                 "-min-count", "1", "-threads", "1", "-debug", "0")
    V = len(set(CORPUS.split())) + 1
    need = V * 10000 * 4 * 4
    assert_one_error_line(result, 1, f"the model needs {need / 2**20:.1f} MiB ({V} words x 10000 "
                          "dims x 4 matrices of float32) but only 1.0 MiB is available",
                          "-max-vocab")
    assert not out.exists()


@pytest.mark.skipif(SANITIZED, reason="AddressSanitizer cannot run under an address-space limit")
def test_address_space_limit_is_the_memory_available(tmp_path):
    """`ulimit -v 2 GiB`, and a model of 4 GiB: refused with the amount, not a MemoryError."""
    import resource

    source = tmp_path / "words.txt"
    source.write_bytes(b" ".join(b"w%d" % i for i in range(5000)) + b"\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY))

    proc = subprocess.run(module_command("train", source, "-output", tmp_path / "vec.txt",
                                         "-size", "100000", "-min-count", "1", "-threads", "1",
                                         "-debug", "0"),
                          capture_output=True, timeout=120, preexec_fn=limit)
    assert_one_error_line_proc(proc, 1, "the model needs 3.7 GiB (5001 words x 100000 dims")
    assert listing(tmp_path) == ["words.txt"]
