"""What `w2vfast train` takes in: its flags in both spellings, the corpus as an argument or with
-train, `--help` listing every flag with its default, unknown flags, and the corpus sources
(standard input, gzip, bzip2 and xz files told by their content, not their name).

Most tests run `w2vfast.cli.main` in process with click's CliRunner; a few run `python -m w2vfast`
in a subprocess (standard input, exit statuses).  The corpus is conftest.py's tiny `corpus`.
"""
import bz2
import gzip
import lzma

import pytest
from click.testing import CliRunner

import w2vfast
from w2vfast import options as opts
from w2vfast.cli import main, train as train_command

from clitools import assert_no_traceback, assert_ok  # tests/clitools.py
from clitools import run_train_module as run_module, train_cli as cli
from shared import CORPUS, FAST, HEADER, V  # tests/shared.py


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
            names = [w.rstrip(",").lstrip("-") for w in line.split() if w.startswith("-")]
            current = next((n for n in names if len(n) > 1), names[0])  # `-o, -output`: output
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
    assert entries["quiet"].startswith("-q,-quiet,--quiet")
    assert entries["output"].startswith("-o,-output,--output")
    assert set(_squash(entries["help"]).split("Show")[0].split(",")) == {"-h", "-help", "--help"}
    checked = 0
    for param in train_command.params:
        long_names = [o[2:] for o in param.opts if o.startswith("--")]
        if not long_names or long_names[0] == "quiet":
            continue  # the CORPUS argument; -q/--quiet was checked above
        name = long_names[0]
        entry = entries[name]
        assert entry.startswith((f"-{name},--{name}", f"-o,-{name},--{name}")), entry  # both spellings
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
    assert "no such option" in result.stderr
    assert_no_traceback(result)
    proc = run_module(corpus, "-sizee", "5", "-output", tmp_path / "out.txt", *FAST)
    assert proc.returncode == 2
    assert b"no such option" in proc.stderr and b"Traceback" not in proc.stderr
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
