"""What `w2vfast train` writes: text and binary vectors, `-output -` to standard output,
-save-vocab and -read-vocab, -save-context and -vectors concat/sum; an existing output replaced
only when the run succeeds; the same seed giving the same bytes; what each -debug level prints.

The tests run `w2vfast.cli.main` in process with click's CliRunner (one also `python -m w2vfast`)
on conftest.py's tiny `corpus`.
"""
import numpy as np
import pytest

import w2vfast

from clitools import assert_no_traceback, assert_ok, leftovers  # tests/clitools.py
from clitools import run_train_module as run_module, train_cli as cli
from shared import CORPUS, FAST, HEADER, V  # tests/shared.py


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
