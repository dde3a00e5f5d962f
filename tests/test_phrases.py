"""Tests of `w2vfast phrases` (word2phrase): scoring, joins, passes, and the command line.

Small corpora with planted collocations are built in memory; the vectorised passes are checked
against a plain sequential transcription of word2phrase.c's loop; the command line runs in
process (click's CliRunner) and once in a subprocess with a pipe.  One test runs on the shared
100 MB corpus (about 5 s) and is skipped when it is absent.
"""
import gzip
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from w2vfast import phrases as ph
from w2vfast.cli import main

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "enwiki_text8like_100M.xz"


def planted_corpus(seed=0, n_lines=2000):
    """Random filler lines with planted phrases.

    `new york city` always occurs whole (100 times) and its words never alone; `the` and `of`
    are frequent independent filler words, so `the of` is a frequent pair that is no phrase.
    """
    r = random.Random(seed)
    filler = [f"w{i}" for i in range(300)]
    lines = []
    for i in range(n_lines):
        words = []
        for _ in range(r.randint(10, 30)):
            x = r.random()
            words.append("the" if x < 0.10 else "of" if x < 0.15 else r.choice(filler))
        if i % 20 == 0:
            k = r.randint(0, len(words))
            words[k:k] = ["new", "york", "city"]
        lines.append(" ".join(words))
    return ("\n".join(lines) + "\n").encode()


CORPUS = planted_corpus()


def tokens(text):
    return text.split()


def reference(text, min_count, threshold):
    """word2phrase.c's loop, word by word, in plain Python (pairs within a line only)."""
    lines = [line.split() for line in text.split(b"\n")]
    uni, bi = Counter(), Counter()
    for line in lines:
        uni.update(line)
        bi.update(zip(line, line[1:]))
    n = sum(uni.values())
    out = []
    for line in lines:
        toks, joined = [], False
        for i, w in enumerate(line):
            if i and not joined:
                pa, pb, pab = uni[line[i - 1]], uni[w], bi[line[i - 1], w]
                if min(pa, pb, pab) >= min_count and (pab - min_count) / pa / pb * n > threshold:
                    toks[-1] += b"_" + w
                    joined = True
                    continue
            joined = False
            toks.append(w)
        out.append(b" ".join(toks))
    return b"\n".join(out)


# --------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------


def test_planted_collocation_is_joined_and_independent_frequent_pair_is_not():
    out = ph.phrases_bytes(CORPUS, passes=1)
    t = Counter(tokens(out))
    assert t[b"new_york"] == 100
    assert t[b"new"] == t[b"york"] == 0
    # `the of` occurs often (about 150 times) but the words are independent: score about 1
    assert CORPUS.count(b" the of ") > 100
    assert t[b"the_of"] == 0 and t[b"of_the"] == 0
    assert not any(b"_" in w for w in t if w not in (b"new_york", b"york_city"))


def test_score_matches_hand_computation():
    # new: 8, york: 7, pair `new york`: 6, words: 20 (line ends not counted), min_count 2
    text = b"new york\n" * 6 + b"new\n" * 2 + b"york\n" + b"x\n" * 5
    expected = (6 - 2) / 8 / 7 * 20  # 1.4286
    assert ph.score(6, 8, 7, 20, 2) == pytest.approx(expected)
    d = ph.tokenize([text], "test")
    table = ph.score_pairs(d.ids(), d.counts(), min_count=2)
    words = d.words()
    got = {(words[a], words[b]): s for a, b, s in zip(table.left, table.right, table.score)}
    assert got == {(b"new", b"york"): pytest.approx(expected)}
    assert tokens(ph.phrases_bytes(text, min_count=2, threshold=1.42, passes=1)).count(b"new_york") == 6
    assert b"_" not in ph.phrases_bytes(text, min_count=2, threshold=1.43, passes=1)


def test_pairs_below_min_count_score_zero():
    # `a b` twice, `a` and `b` 3 times each: with min_count 3 the pair is not scored whatever
    # the threshold; with min_count 2 it scores (2 - 2) ... = 0, never above a threshold
    text = b"a b\n" * 2 + b"a\nb\n" + b"z\n" * 50
    d = ph.tokenize([text], "test")
    assert len(ph.score_pairs(d.ids(), d.counts(), min_count=3)) == 0
    assert ph.phrases_bytes(text, min_count=3, threshold=1e-9, passes=1) == text
    assert ph.phrases_bytes(text, min_count=2, threshold=1e-9, passes=1) == text
    assert b"a_b" in ph.phrases_bytes(text, min_count=1, threshold=1e-9, passes=1)


def test_score_table_matches_counts_of_every_pair():
    r = random.Random(3)
    text = b"\n".join(b" ".join(r.choice([b"a", b"b", b"c", b"d"]) for _ in range(r.randint(1, 8)))
                      for _ in range(200))
    lines = [line.split() for line in text.split(b"\n")]
    uni = Counter(w for line in lines for w in line)
    bi = Counter(p for line in lines for p in zip(line, line[1:]))
    n = sum(uni.values())
    d = ph.tokenize([text], "test")
    words = d.words()
    table = ph.score_pairs(d.ids(), d.counts(), min_count=1)
    got = {(words[a], words[b]): (int(c), s) for a, b, c, s in
           zip(table.left, table.right, table.count, table.score)}
    assert got == {p: (c, pytest.approx((c - 1) / uni[p[0]] / uni[p[1]] * n)) for p, c in bi.items()}


def test_no_overlapping_joins():
    # `a b` and `b c` (and `c d`) all score above the threshold: left to right, a joined word
    # cannot start a join, so `a_b c` and `a_b c_d`, never `a_b_c`
    text = b"a b c\n" * 10 + b"a b c d\n" * 10 + b"x y\n" * 30
    out = ph.phrases_bytes(text, min_count=1, threshold=0.5, passes=1)
    assert out == b"a_b c\n" * 10 + b"a_b c_d\n" * 10 + b"x_y\n" * 30


def test_choose_joins_alternates_in_runs():
    assert ph.choose_joins([]).tolist() == []
    assert ph.choose_joins([0, 1, 2, 3, 4, 7, 9, 10]).tolist() == [0, 2, 4, 7, 9]
    cand = np.flatnonzero(np.random.default_rng(0).random(1000) < 0.6)
    taken, last = [], None
    for i in cand:  # the sequential rule
        if last != i - 1:
            taken.append(i)
            last = i
    assert ph.choose_joins(cand).tolist() == taken


@pytest.mark.parametrize("seed,min_count,threshold", [(0, 1, 1.0), (1, 2, 3.0), (2, 3, 0.5), (3, 5, 10.0)])
def test_matches_sequential_word2phrase(seed, min_count, threshold):
    # Zipf-like words, each often followed by its own successor: chains of collocations,
    # so runs of overlapping candidates occur
    r = random.Random(seed)
    vocab = [b"w%d" % i for i in range(30)]
    successor = {w: r.choice(vocab) for w in vocab}
    lines = []
    for _ in range(400):
        line = []
        for _ in range(r.randint(0, 12)):
            if line and r.random() < 0.4:
                line.append(successor[line[-1]])
            else:
                line.append(r.choice(vocab[: r.randint(1, 30)]))
        lines.append(b"  ".join(line) if r.random() < 0.1 else b" ".join(line))
    text = b"\n".join(lines)  # blank lines, double spaces, no final newline
    out = ph.phrases_bytes(text, min_count=min_count, threshold=threshold, passes=1)
    assert out == reference(text, min_count, threshold)
    assert out.count(b"_") > 50


def test_newlines_and_blank_lines_are_kept():
    text = b"\n\nnew york is here\n\n\tnew  york\r\nnew york\n" + b"zz\n" * 20 + b"\n"
    out = ph.phrases_bytes(text, min_count=1, threshold=1, passes=1)
    assert out == b"\n\nnew_york is here\n\nnew_york\nnew_york\n" + b"zz\n" * 20 + b"\n"
    out = ph.phrases_bytes(CORPUS, passes=2)
    assert out.count(b"\n") == CORPUS.count(b"\n")
    for before, after in zip(CORPUS.split(b"\n"), out.split(b"\n")):
        assert after.replace(b"_", b" ") == before


def test_no_join_across_line_end():
    text = b"new\nyork\n" * 20 + b"x\n" * 10
    assert ph.phrases_bytes(text, min_count=1, threshold=1e-9, passes=1) == text


def test_two_passes_form_three_word_phrase():
    stats = []
    one = ph.phrases_bytes(CORPUS, passes=1, threshold=200)
    two = ph.phrases_bytes(CORPUS, passes=2, on_pass=lambda k, n, s: stats.append((k, n, s)))
    assert Counter(tokens(one))[b"new_york"] == 100
    assert Counter(tokens(two))[b"new_york_city"] == 100
    assert [s.threshold for _, _, s in stats] == [200, 100]  # -threshold 100 -passes 2
    assert [(k, n) for k, n, _ in stats] == [(1, 2), (2, 2)]
    assert stats[0][2].joins == 100 and stats[1][2].joins == 100
    assert ph.pass_thresholds(100, 3) == [300, 200, 100]


def test_joined_tokens_stay_within_the_token_limit():
    a, b = b"a" * 60, b"b" * 60  # `a_b` would be 121 bytes, longer than the tokenizer keeps
    text = (a + b" " + b + b"\n") * 20 + b"c d\n" * 20 + b"x\n" * 50
    out = ph.phrases_bytes(text, min_count=1, threshold=1, passes=1)
    assert out == (a + b" " + b + b"\n") * 20 + b"c_d\n" * 20 + b"x\n" * 50


def test_empty_corpus_is_an_error():
    from w2vfast.vocab import VocabularyError
    with pytest.raises(VocabularyError, match="empty"):
        ph.phrases_bytes(b"")
    with pytest.raises(VocabularyError, match="blank lines"):
        ph.phrases_bytes(b"\n\n  \n")


def test_single_word():
    assert ph.phrases_bytes(b"hello", min_count=1) == b"hello"
    assert ph.phrases_bytes(b"hello\n", min_count=1) == b"hello\n"


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------


def cli(*args, input=None):
    return CliRunner().invoke(main, ["phrases", *[str(a) for a in args]], input=input)


def test_cli_stdin_to_stdout_subprocess():
    p = subprocess.run([sys.executable, "-m", "w2vfast", "phrases", "-", "-passes", "2"],
                       input=CORPUS, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == ph.phrases_bytes(CORPUS, passes=2)
    assert Counter(tokens(p.stdout))[b"new_york_city"] == 100
    assert b"Pass 1/2: threshold 200" in p.stderr and b"Pass 2/2: threshold 100" in p.stderr


def test_cli_gz_input_and_output_file(tmp_path):
    src = tmp_path / "corpus.txt.gz"
    src.write_bytes(gzip.compress(CORPUS))
    out = tmp_path / "out.txt"
    r = cli(src, "-passes", "1", "-o", out, "-q")
    assert r.exit_code == 0, r.output
    assert r.output == ""
    assert out.read_bytes() == ph.phrases_bytes(CORPUS, passes=1)
    assert b"new_york" in out.read_bytes()


def test_cli_gnu_spelling_and_train_flag(tmp_path):
    src = tmp_path / "corpus.txt"
    src.write_bytes(CORPUS)
    expected = ph.phrases_bytes(CORPUS, min_count=3, threshold=50, passes=1)
    r = cli("--train", src, "--min-count", "3", "--threshold", "50", "--passes", "1", "--output", "-")
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == expected
    r = cli(src, "-min-count", "3", "-threshold", "50", "-passes", "1", "-debug", "2")
    assert r.stdout_bytes == expected
    assert "most frequent: new_york 100" in r.stderr


@pytest.mark.parametrize("args,flag", [
    (["-threshold", "0"], "-threshold"), (["-threshold", "-5"], "-threshold"),
    (["-threshold", "inf"], "-threshold"), (["-passes", "0"], "-passes"),
    (["-min-count", "0"], "-min-count"), (["--min-count", "-1"], "-min-count"),
    (["-passes", "two"], "-passes"), (["-thresold", "5"], "-thresold"),
])
def test_cli_bad_values_exit_2_without_output(tmp_path, args, flag):
    src = tmp_path / "corpus.txt"
    src.write_bytes(CORPUS)
    out = tmp_path / "out.txt"
    r = cli(src, "-o", out, *args)
    assert r.exit_code == 2, r.output
    assert flag in r.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_cli_usage_errors(tmp_path):
    src = tmp_path / "corpus.txt"
    src.write_bytes(CORPUS)
    assert cli().exit_code == 2
    r = cli(src, "-o", src)
    assert r.exit_code == 2 and "is the corpus itself" in r.stderr
    assert src.read_bytes() == CORPUS
    r = cli(src, "-o", tmp_path / "no" / "such" / "dir.txt")
    assert r.exit_code == 1 and r.stderr.startswith("w2vfast: error: ")


@pytest.mark.parametrize("content,message", [
    (None, "not found"), (b"", "is empty"), (b"\n \n", "only blank lines"),
    (gzip.compress(CORPUS)[:2000], "truncated or corrupt gzip"),
])
def test_cli_runtime_errors_exit_1_without_output(tmp_path, content, message):
    src = tmp_path / "corpus.gz"
    if content is not None:
        src.write_bytes(content)
    out = tmp_path / "out.txt"
    r = cli(src, "-o", out)
    assert r.exit_code == 1
    assert r.stderr.startswith("w2vfast: error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if content is None else ["corpus.gz"])


# --------------------------------------------------------------------------
# The shared 100 MB corpus
# --------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_CORPUS.exists(), reason=f"shared corpus {SHARED_CORPUS} is absent")
def test_shared_corpus_finds_the_obvious_phrases(tmp_path):
    out = tmp_path / "phrases.txt"
    stats = ph.phrases(SHARED_CORPUS, out, passes=1)  # the whole corpus: about 5 s
    text = out.read_bytes()
    assert b"\n" not in text  # the corpus is one line
    count = lambda w: text.count(b" " + w + b" ")  # noqa: E731
    assert count(b"new_york") > 1000 and count(b"united_states") > 1000
    assert count(b"new") > 1000  # `new` alone stays where it is no phrase
    assert count(b"of_the") == 0 and count(b"in_the") == 0  # frequent, but no phrase
    assert stats[0].train_words == 16_943_231
    assert text.count(b" ") + 1 == stats[0].train_words - stats[0].joins
