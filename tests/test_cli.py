"""Tests of the `w2vfast train` command line, through its real entry points.

Most tests run `w2vfast.cli.main` in process with click's CliRunner; a few run
`python -m w2vfast` in a subprocess (standard input, exit statuses, signals).  Every corpus is
tiny so a run takes a few milliseconds, except the signal tests, which need a run long enough to
interrupt.
"""
import bz2
import gzip
import lzma
import os
import random
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from click.testing import CliRunner

import w2vfast
from w2vfast import options as opts
from w2vfast.cli import main, train as train_command

FAST = ["-min-count", "1", "-iter", "1", "-size", "10", "-threads", "1"]
SENTENCES = [
    b"the quick brown fox jumps over the lazy dog",
    b"a lazy dog sleeps in the sun all day",
    b"the fox and the dog are friends now",
    b"every day the sun rises over the hills",
]


def make_corpus(n_lines=300, seed=0):
    r = random.Random(seed)
    return b"\n".join(r.choice(SENTENCES) for _ in range(n_lines)) + b"\n"  # ~2,700 tokens


CORPUS = make_corpus()
V = len(set(CORPUS.split())) + 1  # the distinct words and </s>
HEADER = b"%d 10\n" % V


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_bytes(CORPUS)
    return path


def cli(*args, input=None):
    """Run `w2vfast train ARGS` in process; return click's Result."""
    return CliRunner().invoke(main, ["train", *[str(a) for a in args]], input=input)


def run_module(*args, input=None, timeout=60):
    """Run `python -m w2vfast train ARGS` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "w2vfast", "train", *[str(a) for a in args]],
                          input=input, capture_output=True, timeout=timeout)


def assert_ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)


def assert_no_traceback(result):
    # in process, an exception that escaped the command shows up as result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def error_lines(text):
    return [line for line in text.splitlines() if line.startswith("Error:")]


def leftovers(directory, *expected):
    """Files in `directory` other than `expected` names (temporary files included)."""
    return sorted(set(os.listdir(directory)) - set(expected))


# --------------------------------------------------------------------------
# Flags, corpus arguments, help
# --------------------------------------------------------------------------

def test_single_and_double_dash_flags_give_the_same_file(corpus, tmp_path):
    single = tmp_path / "single.txt"
    double = tmp_path / "double.txt"
    assert_ok(cli(corpus, "-output", single, "-size", "10", "-window", "3", "-min-count", "1",
                  "-iter", "1", "-threads", "1", "-seed", "3", "-negative", "4", "-cbow", "0"))
    assert_ok(cli(corpus, "--output", double, "--size", "10", "--window", "3", "--min-count", "1",
                  "--iter", "1", "--threads", "1", "--seed", "3", "--negative", "4", "--cbow", "0"))
    assert single.read_bytes() == double.read_bytes()
    assert single.read_bytes().startswith(HEADER)


def test_train_flag_is_the_corpus(corpus, tmp_path):
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    assert_ok(cli(corpus, "-output", a, *FAST))
    assert_ok(cli("-train", corpus, "-output", b, *FAST))
    assert_ok(cli(corpus, "-train", corpus, "-output", c, *FAST))  # the same file twice is fine
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()


def test_corpus_and_a_different_train_file_is_a_usage_error(corpus, tmp_path):
    other = tmp_path / "other.txt"
    other.write_bytes(CORPUS)
    out = tmp_path / "out.txt"
    result = cli(corpus, "-train", other, "-output", out, *FAST)
    assert result.exit_code == 2
    assert "give the corpus once" in result.stderr
    assert not out.exists()


def test_no_corpus_and_no_output_are_usage_errors(corpus, tmp_path):
    result = cli("-output", tmp_path / "out.txt", *FAST)
    assert result.exit_code == 2 and "no corpus" in result.stderr
    result = cli(corpus, *FAST)
    assert result.exit_code == 2 and "-output" in result.stderr


def _squash(text):
    return "".join(text.split())


def _help_entries(text):
    """{flag name: its help entry with all whitespace removed} from `train --help`.

    Whitespace is removed because the help is wrapped to the terminal width, which may break a
    line inside a default (`skip-` / `gram`).
    """
    entries, current = {}, None
    for line in text.split("Options:", 1)[1].splitlines():
        if line.startswith("  -"):
            current = line.split()[0].rstrip(",").lstrip("-")
            entries[current] = line
        elif current is not None:
            entries[current] += " " + line
    return {k: _squash(v) for k, v in entries.items()}


def test_help_lists_every_flag_with_defaults():
    result = CliRunner().invoke(main, ["train", "--help"])
    assert_ok(result)
    entries = _help_entries(result.output)
    word2vec_flags = ["train", "output", "size", "window", "sample", "hs", "negative", "threads",
                      "iter", "min-count", "alpha", "cbow", "binary", "save-vocab", "read-vocab",
                      "debug"]
    for name in word2vec_flags:
        assert name in entries, name
    assert entries["q"].startswith("-q,--quiet")
    assert entries["h"].startswith("-h,--help")
    checked = 0
    for param in train_command.params:
        long_names = [o[2:] for o in param.opts if o.startswith("--")]
        if not long_names or long_names[0] == "quiet":
            continue  # the CORPUS argument; -q/--quiet was checked above
        name = long_names[0]
        entry = entries[name]
        assert entry.startswith(f"-{name},--{name}"), entry  # both spellings
        option = opts.BY_NAME[param.name]
        if option.group == opts.MODEL or name in ("binary", "debug"):
            assert "[default:" in entry, entry
            if option.default is not None:
                assert _squash(f"[default: {option.default}") in entry, entry
        checked += 1
    assert checked == sum(1 for p in train_command.params if p.opts[0].startswith('-')) - 1  # all but -q
    assert checked >= 24
    assert _squash("[default: number of CPUs]") in entries["threads"]
    assert _squash("[default: 0.025 skip-gram, 0.05 CBOW]") in entries["alpha"]
    assert "[default:0]" in entries["binary"]
    assert "[default:2" in entries["debug"]


def test_unknown_flag_is_a_usage_error(corpus, tmp_path):
    result = cli(corpus, "-sizee", "5", "-output", tmp_path / "out.txt", *FAST)
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    assert_no_traceback(result)
    proc = run_module(corpus, "-sizee", "5", "-output", tmp_path / "out.txt", *FAST)
    assert proc.returncode == 2
    assert b"No such option" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (tmp_path / "out.txt").exists()


def test_unknown_single_dash_flag_is_named_in_the_error(corpus, tmp_path):
    result = cli(corpus, "-sizee", "5", "-output", tmp_path / "out.txt", *FAST)
    assert result.exit_code == 2
    assert "-sizee" in result.stderr


def test_exit_status_zero_on_success_in_a_subprocess(corpus, tmp_path):
    out = tmp_path / "out.txt"
    proc = run_module(corpus, "-output", out, *FAST, "-debug", "0")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"" and proc.stderr == b""
    assert w2vfast.load(str(out)).vectors.shape == (V, 10)


# --------------------------------------------------------------------------
# Corpus sources: stdin, compressed files
# --------------------------------------------------------------------------

COMPRESSORS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}

def compressed(suffixes):
    return list(suffixes)


def test_stdin_corpus(corpus, tmp_path):
    from_file, from_stdin = tmp_path / "file.txt", tmp_path / "stdin.txt"
    assert_ok(cli(corpus, "-output", from_file, *FAST))
    proc = run_module("-", "-output", from_stdin, *FAST, input=CORPUS)
    assert proc.returncode == 0, proc.stderr
    assert from_stdin.read_bytes() == from_file.read_bytes()


@pytest.mark.parametrize("suffix", compressed(sorted(COMPRESSORS)))
def test_compressed_stdin_corpus_with_train_flag(corpus, tmp_path, suffix):
    from_file, from_stdin = tmp_path / "file.txt", tmp_path / "stdin.txt"
    assert_ok(cli(corpus, "-output", from_file, *FAST))
    proc = run_module("-train", "-", "-output", from_stdin, *FAST,
                      input=COMPRESSORS[suffix](CORPUS))
    assert proc.returncode == 0, proc.stderr
    assert from_stdin.read_bytes() == from_file.read_bytes()


def test_empty_stdin_is_an_error(tmp_path):
    out = tmp_path / "out.txt"
    proc = run_module("-", "-output", out, *FAST, input=b"")
    assert proc.returncode == 1
    assert proc.stderr.startswith(b"w2vfast: error:") and b"standard input" in proc.stderr
    assert b"Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("suffix", compressed(sorted(COMPRESSORS)))
def test_compressed_corpus_gives_the_same_vectors(corpus, tmp_path, suffix):
    packed = tmp_path / f"corpus.txt.{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](CORPUS))
    plain_out, packed_out = tmp_path / "plain.txt", tmp_path / "packed.txt"
    assert_ok(cli(corpus, "-output", plain_out, *FAST, "-seed", "5"))
    assert_ok(cli(packed, "-output", packed_out, *FAST, "-seed", "5"))
    assert packed_out.read_bytes() == plain_out.read_bytes()


def test_compression_is_detected_by_content_not_name(corpus, tmp_path):
    fake = tmp_path / "fake.gz"
    fake.write_bytes(CORPUS)  # plain text named .gz
    hidden = tmp_path / "hidden.txt"
    hidden.write_bytes(lzma.compress(CORPUS))  # xz named .txt
    plain_out, fake_out, hidden_out = (tmp_path / n for n in ("p.txt", "f.txt", "h.txt"))
    assert_ok(cli(corpus, "-output", plain_out, *FAST))
    assert_ok(cli(fake, "-output", fake_out, *FAST))
    assert_ok(cli(hidden, "-output", hidden_out, *FAST))
    assert fake_out.read_bytes() == plain_out.read_bytes() == hidden_out.read_bytes()


def test_plain_corpus_starting_with_bzh_trains(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(b"BZhang said so\n" + CORPUS)
    out = tmp_path / "out.txt"
    result = cli(corpus, "-output", out, *FAST)
    assert_ok(result)
    assert b"\nBZhang " in out.read_bytes()


# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------

def test_text_and_binary_outputs_are_readable(corpus, tmp_path):
    text, binary = tmp_path / "vec.txt", tmp_path / "vec.bin"
    assert_ok(cli(corpus, "-output", text, *FAST, "-binary", "0"))
    assert_ok(cli(corpus, "-output", binary, *FAST, "-binary", "1"))
    t = w2vfast.load(str(text))
    b = w2vfast.load(str(binary))
    assert t.vectors.shape == b.vectors.shape == (V, 10)
    assert t.index_to_key == b.index_to_key
    assert t.index_to_key[0] == "</s>" and t.index_to_key[1] == "the"
    np.testing.assert_allclose(t.vectors, b.vectors, atol=1e-6)
    assert np.isfinite(b.vectors).all() and np.abs(b.vectors).sum() > 0
    assert w2vfast.load(str(binary), binary=True).vectors.tobytes() == b.vectors.tobytes()


def test_output_dash_writes_text_to_stdout(corpus, tmp_path):
    out = tmp_path / "vec.txt"
    assert_ok(cli(corpus, "-output", out, *FAST))
    result = cli(corpus, "-output", "-", *FAST)  # progress and summary go to stderr
    assert_ok(result)
    assert result.stdout_bytes == out.read_bytes()
    assert "Vocab size" in result.stderr
    proc = run_module(corpus, "-output", "-", *FAST)
    assert proc.returncode == 0
    assert proc.stdout == out.read_bytes()


def read_vocab_lines(path):
    lines = path.read_bytes().splitlines()
    pairs = [line.split(b" ") for line in lines]
    assert all(len(p) == 2 and p[1].isdigit() for p in pairs), lines[:5]
    return [(w, int(c)) for w, c in pairs]


def expected_vocab(data, min_count=1):
    tokens = data.replace(b"\n", b" </s> ").split()
    counts = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    eos = counts.pop(b"</s>", 0)
    words = sorted((w for w in counts if counts[w] >= min_count), key=lambda w: -counts[w])
    return [(b"</s>", eos)] + [(w, counts[w]) for w in words]


def test_save_vocab_writes_word_count_lines(corpus, tmp_path):
    out, vocab = tmp_path / "vec.txt", tmp_path / "vocab.txt"
    assert_ok(cli(corpus, "-output", out, "-save-vocab", vocab, *FAST))
    pairs = read_vocab_lines(vocab)
    assert pairs == expected_vocab(CORPUS)
    assert [w.encode() for w in w2vfast.load(str(out)).index_to_key] == [w for w, _ in pairs]


def test_save_vocab_alone_only_counts(corpus, tmp_path):
    vocab = tmp_path / "vocab.txt"
    result = cli(corpus, "-save-vocab", vocab, "-min-count", "3", "-debug", "1")
    assert_ok(result)
    assert read_vocab_lines(vocab) == expected_vocab(CORPUS, min_count=3)
    assert "Vocab size" in result.stderr and "Trained" not in result.stderr
    assert result.stdout == ""
    assert leftovers(tmp_path, "corpus.txt", "vocab.txt") == []


def test_read_vocab_from_save_vocab_gives_the_same_vectors(corpus, tmp_path):
    vocab, a, b = tmp_path / "vocab.txt", tmp_path / "a.txt", tmp_path / "b.txt"
    assert_ok(cli(corpus, "-output", a, "-save-vocab", vocab, *FAST))
    assert_ok(cli(corpus, "-output", b, "-read-vocab", vocab, *FAST))
    assert a.read_bytes() == b.read_bytes()


def test_save_context_writes_a_second_file_of_the_same_shape(corpus, tmp_path):
    out, ctx = tmp_path / "vec.txt", tmp_path / "ctx.txt"
    assert_ok(cli(corpus, "-output", out, "-save-context", ctx, *FAST))
    v, c = w2vfast.load(str(out)), w2vfast.load(str(ctx))
    assert v.vectors.shape == c.vectors.shape == (V, 10)
    assert v.index_to_key == c.index_to_key
    assert not np.array_equal(v.vectors, c.vectors)
    assert np.abs(c.vectors[1:]).sum() > 0  # trained, not the zero initialisation


def test_save_context_and_output_the_same_file_is_a_usage_error(corpus, tmp_path):
    out = tmp_path / "vec.txt"
    result = cli(corpus, "-output", out, "-save-context", out, *FAST)
    assert result.exit_code == 2
    assert not out.exists()


@pytest.mark.parametrize("loss", [["-negative", "5"], ["-negative", "0", "-hs", "1"]])
def test_vectors_concat_doubles_the_dimension(corpus, tmp_path, loss):
    plain, concat, summed, ctx = (tmp_path / n for n in ("in.txt", "cat.txt", "sum.txt", "ctx.txt"))
    assert_ok(cli(corpus, "-output", plain, "-save-context", ctx, *FAST, *loss, "-binary", "1"))
    assert_ok(cli(corpus, "-output", concat, "-vectors", "concat", *FAST, *loss, "-binary", "1"))
    assert_ok(cli(corpus, "-output", summed, "-vectors", "sum", *FAST, *loss, "-binary", "1"))
    i, o = w2vfast.load(str(plain)).vectors, w2vfast.load(str(ctx)).vectors
    cat = w2vfast.load(str(concat)).vectors
    assert cat.shape == (V, 20)
    np.testing.assert_array_equal(cat, np.hstack([i, o]))
    np.testing.assert_allclose(w2vfast.load(str(summed)).vectors, i + o, rtol=1e-6)


def test_binary_2_is_a_usage_error(corpus, tmp_path):
    out = tmp_path / "vec.txt"
    result = cli(corpus, "-output", out, *FAST, "-binary", "2")
    assert result.exit_code == 2
    assert "-binary" in result.stderr
    assert_no_traceback(result)
    assert not out.exists()


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
    assert [line for line in proc.stderr.splitlines() if line.startswith(b"Error:")] == [
        b"Error: invalid -alpha nan: the learning rate must be a positive number"]


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


# --------------------------------------------------------------------------
# Atomic replacement, determinism, verbosity
# --------------------------------------------------------------------------

def test_existing_output_is_replaced_only_on_success(corpus, tmp_path):
    out = tmp_path / "vec.txt"
    old = b"old contents\n"
    out.write_bytes(old)
    result = cli(corpus, "-output", out, *FAST, "-min-count", "100000")
    assert result.exit_code == 1
    assert "try a smaller -min-count" in result.stderr
    assert out.read_bytes() == old
    assert leftovers(tmp_path, "corpus.txt", "vec.txt") == []

    assert_ok(cli(corpus, "-output", out, *FAST))
    assert out.read_bytes() != old
    assert out.read_bytes().startswith(HEADER)
    assert leftovers(tmp_path, "corpus.txt", "vec.txt") == []


def test_same_seed_same_bytes_other_seed_other_bytes(corpus, tmp_path):
    a, b, c = tmp_path / "a.bin", tmp_path / "b.bin", tmp_path / "c.bin"
    for path, seed in ((a, 7), (b, 7), (c, 8)):
        assert_ok(cli(corpus, "-output", path, *FAST, "-seed", str(seed), "-binary", "1",
                      "-iter", "2"))
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_debug_0_is_silent(corpus, tmp_path):
    for quiet in (["-debug", "0"], ["-q"], ["--quiet"]):
        result = cli(corpus, "-output", tmp_path / "vec.txt", *FAST, *quiet)
        assert_ok(result)
        assert result.stderr == "" and result.stdout == ""


def test_debug_1_prints_the_summary(corpus, tmp_path):
    result = cli(corpus, "-output", tmp_path / "vec.txt", *FAST, "-debug", "1")
    assert_ok(result)
    assert f"Vocab size: {V}" in result.stderr
    assert "Words in train file:" in result.stderr
    assert "Trained" in result.stderr
    assert "Progress" not in result.stderr
    assert result.stdout == ""


def test_debug_2_prints_progress(corpus, tmp_path):
    result = cli(corpus, "-output", tmp_path / "vec.txt", *FAST)
    assert_ok(result)
    assert "Vocab size" in result.stderr and "Progress: 100.00%" in result.stderr


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """~2M tokens of random words from a 1,000-word vocabulary (about 10 MB)."""
    r = random.Random(1)
    words = [b"w%d" % i for i in range(1000)]
    path = tmp_path_factory.mktemp("big") / "big.txt"
    with open(path, "wb") as f:
        for _ in range(100):
            f.write(b"\n".join(b" ".join(r.choices(words, k=20)) for _ in range(1000)) + b"\n")
    return path


def _interrupt(big_corpus, out_dir, sig, extra=()):
    """Start a long run, wait until it trains (and at least 1.5 s), send `sig`; return it."""
    out = out_dir / "vec.txt"
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "w2vfast", "train", str(big_corpus), "-output", str(out),
         "-iter", "20", "-min-count", "1", "-size", "20", "-threads", "1", "-debug", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines, training = [], threading.Event()

    def read_stderr():
        for line in proc.stderr:
            lines.append(line)
            if line.startswith(b"Words in train file"):
                training.set()
        training.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert training.wait(8), b"".join(lines)
        time.sleep(max(0.3, 1.5 - (time.monotonic() - start)))
        assert proc.poll() is None, "the run ended before the signal: make the corpus bigger"
        proc.send_signal(sig)
        proc.wait(timeout=8)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    return proc.returncode, b"".join(lines).decode(), time.monotonic() - start


@pytest.mark.parametrize("sig, status, word", [
    pytest.param(signal.SIGINT, 130, "interrupted", id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, "terminated", id="SIGTERM"),
])
def test_signal_stops_training_without_output(big_corpus, tmp_path, sig, status, word):
    status_got, stderr, elapsed = _interrupt(big_corpus, tmp_path, sig)
    assert status_got == status, stderr
    assert word in stderr and "no output was written" in stderr
    assert "Traceback" not in stderr
    assert os.listdir(tmp_path) == []  # no vectors, no temporary files
    assert elapsed < 10


def test_interrupt_message_is_true_with_save_vocab(big_corpus, tmp_path):
    vocab = tmp_path / "vocab.txt"
    status, stderr, _ = _interrupt(big_corpus, tmp_path, signal.SIGINT, ["-save-vocab", str(vocab)])
    assert status == 130, stderr
    assert not (vocab.exists() and "no output was written" in stderr)


ENTRY_PROBE = """
import os, sys
from w2vfast.entry import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("numpy loaded late:", "numpy" in sys.modules, "BLAS threads:", os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.parametrize("command,threads", [("vocab", "1"), ("train", "1"), ("similar", None)])
def test_program_keeps_blas_threads_off_the_trainers_cores(corpus, tmp_path, command, threads):
    """The `w2vfast` program sets OPENBLAS_NUM_THREADS=1 for commands that never call BLAS
    (OpenBLAS's idle workers spin on the cores the trainer uses), before NumPy loads; the
    vector queries keep BLAS threads."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    args = {"vocab": [str(corpus)], "train": [str(corpus), "-output", str(tmp_path / "v.txt"), "-iter", "1"],
            "similar": ["--help"]}[command]
    out = subprocess.run([sys.executable, "-c", ENTRY_PROBE, command, *args], env=env,
                         capture_output=True, text=True, timeout=120).stdout
    assert f"numpy loaded late: True BLAS threads: {threads}" in out


def test_package_import_defers_numpy():
    code = "import sys, w2vfast; assert 'numpy' not in sys.modules; w2vfast.Vectors; assert 'numpy' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_users_blas_setting_is_kept(corpus):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", ENTRY_PROBE, "vocab", str(corpus)], env=env,
                         capture_output=True, text=True, timeout=120).stdout
    assert "BLAS threads: 2" in out


def test_an_instruction_set_the_cpu_lacks_is_a_one_line_error(corpus, tmp_path):
    out = tmp_path / "v.txt"
    env = dict(os.environ, W2VFAST_ISA="vax")
    proc = subprocess.run([sys.executable, "-m", "w2vfast", "train", str(corpus), "-output", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "W2VFAST_ISA='vax'" in proc.stderr and "generic" in proc.stderr
    assert not out.exists()
