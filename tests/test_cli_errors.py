"""How `w2vfast train` fails.

A bad option value is a usage error: exit 2, one `w2vfast: error:` line naming the flag, no traceback, no
output.  A runtime error (a missing, empty, blank or corrupt corpus, no word reaching
-min-count, an output path that cannot be written or is the corpus itself) exits 1 with one
`w2vfast: error:` line and leaves no file behind.  test_robustness_flags.py and
test_robustness_filesystem.py cover more of both.
"""
import bz2
import gzip
import lzma
import os

import pytest

from clitools import assert_no_traceback, leftovers  # tests/clitools.py
from clitools import run_train_module as run_module, train_cli as cli
from shared import CORPUS, FAST  # tests/shared.py


def error_lines(text):
    return [line for line in text.splitlines() if line.startswith("w2vfast: error:")]


# --------------------------------------------------------------------------
# Bad option values: exit 2, one line naming the flag, no traceback
# --------------------------------------------------------------------------

BAD_VALUES = [
    (["-size", "0"], "-size"),
    (["-size", "-5"], "-size"),
    (["-size", "abc"], "-size"),
    (["-window", "0"], "-window"),
    (["-negative", "-1"], "-negative"),
    (["-hs", "2"], "-hs"),
    (["-cbow", "2"], "-cbow"),
    (["-cbow-mean", "2"], "-cbow-mean"),
    (["-threads", "0"], "-threads"),
    (["-iter", "0"], "-iter"),
    (["-min-count", "0"], "-min-count"),
    (["-alpha", "0"], "-alpha"),
    (["-alpha", "-1"], "-alpha"),
    (["-alpha", "nan"], "-alpha"),
    (["-alpha", "inf"], "-alpha"),
    (["-sample", "-1"], "-sample"),
    (["-sample", "nan"], "-sample"),
    (["-ns-exponent", "nan"], "-ns-exponent"),
    (["-max-vocab", "-1"], "-max-vocab"),
    (["-max-sentence-length", "0"], "-max-sentence-length"),
    (["-seed", "-1"], "-seed"),
    (["-negative", "0", "-hs", "0"], "-negative"),
    (["-iter", "1.5"], "-iter"),
    (["-vectors", "both"], "-vectors"),
    (["-debug", "3"], "-debug"),
]

OVERFLOW_VALUES = [
    pytest.param(["-seed", str(2 ** 64)], "-seed", id="-seed 2**64"),
    pytest.param(["-max-vocab", str(2 ** 64)], "-max-vocab", id="-max-vocab 2**64"),
    pytest.param(["-min-count", str(2 ** 64)], "-min-count", id="-min-count 2**64"),
    pytest.param(["-iter", str(2 ** 40)], "-iter", id="-iter 2**40"),
]


def _base_args(bad):
    """FAST without the flags that `bad` sets."""
    args, given = [], set(bad[0::2])
    for flag, value in zip(FAST[0::2], FAST[1::2]):
        if flag not in given:
            args += [flag, value]
    return args


@pytest.mark.parametrize("bad, flag", [pytest.param(b, f, id=" ".join(b)) for b, f in BAD_VALUES]
                         + OVERFLOW_VALUES)
def test_bad_option_value_is_a_usage_error(corpus, tmp_path, bad, flag):
    out = tmp_path / "vec.txt"
    result = cli(corpus, "-output", out, *_base_args(bad), *bad)
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert flag in errors[0]
    assert not out.exists()
    assert leftovers(tmp_path, "corpus.txt") == []


def test_bad_option_value_in_a_subprocess(corpus, tmp_path):
    proc = run_module(corpus, "-output", tmp_path / "vec.txt", *FAST, "-alpha", "nan")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith(b"w2vfast: error:")] == [
        b"w2vfast: error: invalid -alpha nan: the learning rate must be a positive number"]


def test_bad_option_value_fails_before_reading_the_corpus(tmp_path):
    # the corpus does not exist: the bad flag is still what is reported
    result = cli(tmp_path / "missing.txt", "-output", tmp_path / "vec.txt", *FAST, "-size", "0")
    assert result.exit_code == 2
    assert "-size" in result.stderr


# --------------------------------------------------------------------------
# Runtime errors: exit 1, `w2vfast: error:`, no traceback, no output
# --------------------------------------------------------------------------

def _missing(tmp_path):
    return tmp_path / "missing.txt"


def _directory(tmp_path):
    d = tmp_path / "adir"
    d.mkdir()
    return d


def _content(data):
    def make(tmp_path):
        p = tmp_path / "input.txt"
        p.write_bytes(data)
        return p
    return make


def _truncated(compress, suffix):
    def make(tmp_path):
        p = tmp_path / f"input.txt.{suffix}"
        packed = compress(CORPUS * 3)
        p.write_bytes(packed[:len(packed) // 2])
        return p
    return make


RUNTIME_ERRORS = [
    pytest.param(_missing, [], "not found", id="missing"),
    pytest.param(_directory, [], "is a directory", id="directory"),
    pytest.param(_content(b""), [], "empty", id="empty"),
    pytest.param(_content(b"  \t \r  "), [], "empty", id="whitespace"),
    pytest.param(_content(b"\n \n\t\r\n"), [], "blank lines", id="blank-lines"),
    pytest.param(_content(CORPUS), ["-min-count", "100000"], "try a smaller -min-count",
                 id="min-count"),
    pytest.param(_truncated(gzip.compress, "gz"), [], "truncated or corrupt gzip",
                 id="truncated-gz"),
    pytest.param(_truncated(bz2.compress, "bz2"), [], "truncated or corrupt bzip2",
                 id="truncated-bz2"),
    pytest.param(_truncated(lzma.compress, "xz"), [], "truncated or corrupt xz", id="truncated-xz"),
    pytest.param(_content(b"\x1f\x8b" + b"garbage" * 50), [], "gzip", id="corrupt-gz"),
    pytest.param(_content(b"BZh91AY&SY" + b"garbage" * 50), [], "bzip2", id="corrupt-bz2"),
    pytest.param(_content(CORPUS), ["-read-vocab", "/nonexistent/vocab.txt"],
                 "cannot read vocabulary file", id="missing-read-vocab"),
]


@pytest.mark.parametrize("make, extra, message", RUNTIME_ERRORS)
def test_runtime_error(tmp_path, make, extra, message):
    source = make(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "vec.txt"
    result = cli(source, "-output", out, "-save-vocab", out_dir / "vocab.txt",
                 *_base_args(extra), *extra)
    assert_no_traceback(result)
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert result.stderr.startswith("w2vfast: error:"), result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 or "Vocab size" in result.stderr
    assert os.listdir(out_dir) == []


def test_runtime_errors_in_a_subprocess(tmp_path):
    proc = run_module(tmp_path / "missing.txt", "-output", tmp_path / "vec.txt", *FAST)
    assert proc.returncode == 1
    assert proc.stderr == f"w2vfast: error: corpus '{tmp_path / 'missing.txt'}' not found\n".encode()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = run_module(empty, "-output", tmp_path / "vec.txt", *FAST)
    assert proc.returncode == 1
    assert proc.stderr.startswith(b"w2vfast: error:") and b"Traceback" not in proc.stderr
    assert not (tmp_path / "vec.txt").exists()


def test_output_directory_that_does_not_exist(corpus, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "vec.txt"
    result = cli(corpus, "-output", out, *FAST)
    assert_no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.startswith("w2vfast: error:") and "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_output_is_a_directory(corpus, tmp_path):
    result = cli(corpus, "-output", tmp_path, *FAST)
    assert_no_traceback(result)
    assert result.exit_code == 1
    assert "is a directory" in result.stderr


@pytest.mark.parametrize("flag", ["-output", "-save-vocab", "-save-context"])
def test_output_equal_to_the_corpus_is_a_usage_error(corpus, tmp_path, flag):
    args = ["-output", tmp_path / "vec.txt"] if flag != "-output" else []
    # spelled differently from the corpus argument: the check is on the file, not the string
    same = tmp_path / "." / "corpus.txt"
    result = cli(corpus, flag, same, *args, *FAST)
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "is the corpus itself" in result.stderr
    assert corpus.read_bytes() == CORPUS
    assert leftovers(tmp_path, "corpus.txt") == []


def test_read_vocab_with_no_known_corpus_word_is_a_clean_error(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(b"foo 5\nbar 3\n")
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"x y z")
    out = tmp_path / "vec.txt"
    result = cli(corpus, "-read-vocab", vocab, "-output", out, *FAST)
    assert_no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.startswith("w2vfast: error:")
    assert not out.exists()
