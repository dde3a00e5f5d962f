"""`w2vfast vocab`, which writes what `train -save-vocab` writes, and word classes: `w2vfast
classes` on the hand-made vectors of known_vectors.py, and `train -classes K`, which writes
classes instead of vectors.

They run `w2vfast.cli.main` in process with click's CliRunner.
"""
import numpy as np
from click.testing import CliRunner

from w2vfast.classes import compute_classes

from clitools import cli as run, ok  # tests/clitools.py
from known_vectors import MATRIX, VOCAB  # tests/known_vectors.py


# ---------------------------------------------------------------------------
# vocab
# ---------------------------------------------------------------------------

CORPUS = b"the cat sat on the mat\nthe dog sat\n" * 30 + b"a rare word\n"


def test_vocab_matches_train_save_vocab(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS)
    t = ok(run("train", corpus, "-min-count", "2", "-save-vocab", tmp_path / "train.vocab", "-debug", "1"))
    r = ok(run("vocab", corpus, "-min-count", "2", "-o", tmp_path / "vocab.txt"))
    assert (tmp_path / "vocab.txt").read_bytes() == (tmp_path / "train.vocab").read_bytes()
    # the same words, under the same name, whether or not training follows: the 331 tokens of
    # vocabulary words (`</s>` included) of the 334 read
    summary = "Vocab size: 7\nWords in train file: 331\n"
    assert r.stderr == summary + "Tokens read: 334 (3 of them in words left out by -min-count 2)\n"
    assert t.stderr == summary
    trained = ok(run("train", corpus, "-min-count", "2", "-o", tmp_path / "v.txt", "-size", "5",
                     "-iter", "1", "-threads", "1", "-debug", "1"))
    assert trained.stderr.startswith(summary)
    r = ok(run("vocab", corpus, "--min-count", "1", "-q"))  # stdout by default
    lines = r.stdout_bytes.splitlines()
    assert lines[:3] == [b"</s> 61", b"the 90", b"sat 60"]
    assert b"rare 1" in lines and r.stderr == ""
    r = ok(run("vocab", corpus, "-min-count", "1", "-max-vocab", "4", "-q"))
    assert len(r.stdout_bytes.splitlines()) <= 4


def test_vocab_errors(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS)
    r = run("vocab", corpus, "-min-count", "1000")
    assert r.exit_code == 1 and r.stderr.startswith("w2vfast: error: empty vocabulary")
    r = run("vocab", tmp_path / "nope.txt")
    assert r.exit_code == 1 and "nope.txt" in r.stderr
    r = run("vocab", corpus, "-min-cont", "2")
    assert r.exit_code == 2 and "-min-cont" in r.stderr
    r = run("vocab", corpus, "-o", corpus)
    assert r.exit_code == 2 and corpus.read_bytes() == CORPUS


# ---------------------------------------------------------------------------
# classes
# ---------------------------------------------------------------------------


def test_classes_command(files, tmp_path):
    out = tmp_path / "classes.txt"
    ok(run("classes", files / "vec.bin", "-k", "3", "-o", out))
    lines = [line.split() for line in out.read_text().splitlines()]
    expected = compute_classes(MATRIX, 3)
    assert sorted((w, int(c)) for w, c in lines) == sorted(zip(VOCAB, expected.tolist()))
    ids = [int(c) for _, c in lines]
    assert ids == sorted(ids)
    for c in set(ids):  # vocabulary order within a class
        members = [w for w, k in lines if int(k) == c]
        assert members == sorted(members, key=VOCAB.index)
    r = ok(run("classes", files / "vec.txt", "-classes", "3", "-iter", "10"))
    assert r.stdout == out.read_text()
    assert r.stderr == ""
    # six words on two points: at most two of four classes can hold words
    twins = tmp_path / "twins.txt"
    twins.write_text("6 2\n" + "".join(f"{w} {v}\n" for w, v in zip("abcdef", ["1 0", "0 1"] * 3)))
    r = ok(run("classes", twins, "-k", "4", "-o", tmp_path / "many.txt"))
    used = len({line.split()[1] for line in (tmp_path / "many.txt").read_text().splitlines()})
    assert used <= 2 and r.stderr == (f"w2vfast: note: {4 - used} of the 4 classes are empty "
                                      "(k-means, as word2vec's, leaves a class empty when no word "
                                      f"is nearest its centre); {used} classes hold the 6 words\n")
    r = run("classes", files / "vec.txt", "-k", "0")
    assert r.exit_code == 2
    r = run("classes", files / "vec.txt")
    assert r.exit_code == 2 and "-k" in r.stderr


def test_train_classes_writes_word_classes_instead_of_vectors(tmp_path):
    """`train -classes K`, as word2vec.c: the output holds `word classid` lines sorted by class."""
    from w2vfast.cli import main as cli_main
    corpus = tmp_path / "c.txt"
    rng = np.random.default_rng(0)
    groups = [[f"g{g}w{i}" for i in range(6)] for g in range(3)]
    lines = [" ".join(rng.choice(groups[rng.integers(3)], 8)) for _ in range(3000)]
    corpus.write_text("\n".join(lines) + "\n")
    out = tmp_path / "classes.txt"
    result = CliRunner().invoke(cli_main, ["train", str(corpus), "-output", str(out), "-classes", "3",
                                           "-min-count", "1", "-size", "10", "-iter", "3",
                                           "-threads", "1", "-debug", "0"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in out.read_text().splitlines()]
    assert len(rows) == 19  # 18 words and </s>
    ids = [int(c) for _, c in rows]
    assert ids == sorted(ids) and set(ids) <= {0, 1, 2}
    bad = CliRunner().invoke(cli_main, ["train", str(corpus), "-output", str(tmp_path / "x"),
                                        "-classes", "100", "-min-count", "1", "-debug", "0"])
    assert bad.exit_code == 2 and "-classes" in bad.output
    assert not (tmp_path / "x").exists()
