"""`w2vfast eval`: the analogy report (word2vec's compute-accuracy format, or JSON), case
sensitivity and --restrict, word-pair similarity (Spearman and Pearson), the bundled question
and pair files, the speed on all 19,544 questions over 70k words, and agreement with word2vec's
own `compute-accuracy` where that is installed.

They run `w2vfast.cli.main` in process with click's CliRunner on the hand-made vectors of known_vectors.py
and on small question and pair files written here.
"""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

import w2vfast
from w2vfast.evaluate import default_questions_path, evaluate_analogies, evaluate_word_pairs
from w2vfast.formats import write_vectors

from clitools import cli as run, ok  # tests/clitools.py
from known_vectors import MATRIX, VOCAB  # tests/known_vectors.py
from shared import DATA as SHARED_DATA  # tests/shared.py


# ---------------------------------------------------------------------------
# eval
# ---------------------------------------------------------------------------

QUESTIONS = """\
: family
man king woman queen
MAN WOMAN KING QUEEN
man king robot queen
: fruit
apple pear man woman
apple banana apple lemon
pear apple woman man
"""

PAIRS = """\
# word1\tword2\thuman
word1\tword2\tscore
king\tqueen\t9
apple\tpear\t8.5
king\tapple\t1
man\tbanana\t0.5
lemon\tbanana\t7
robot\tman\t3
"""


@pytest.fixture
def eval_files(tmp_path):
    q = tmp_path / "questions.txt"
    q.write_text(QUESTIONS)
    p = tmp_path / "pairs.tsv"
    p.write_text(PAIRS)
    return q, p


def test_eval_report(files, eval_files):
    q, p = eval_files
    r = ok(run("eval", files / "vec.txt", "--analogies", q, "--similarity", p))
    expected = evaluate_analogies(VOCAB, MATRIX, q, restrict=30000)
    pairs = evaluate_word_pairs(VOCAB, MATRIX, p)
    assert (expected.section("family").correct, expected.section("family").seen,
            expected.section("family").total) == (2, 2, 3)
    assert pairs.found == 5 and pairs.total == 6
    lines = r.stdout.splitlines()
    assert lines[0] == "family: 100.00 % (2 / 2)"
    assert lines[1].startswith("fruit: ")
    assert lines[2].startswith("Total accuracy: ")
    assert lines[3] == "Questions seen / total: %d 6   %.2f %%" % (expected.seen, 100 * expected.seen / 6)
    assert "\n".join(lines[:4]) == expected.format()
    assert lines[4] == "pairs.tsv: Spearman %.4f  Pearson %.4f  (pairs 5 / 6)" % (
        pairs.spearman, pairs.pearson)
    assert len(lines) == 5


def test_eval_json_case_and_restrict(files, eval_files):
    q, p = eval_files
    r = ok(run("eval", files / "vec.bin", "--analogies", q, "--similarity", p, "--similarity", p, "--json"))
    obj = json.loads(r.stdout)
    a = obj["analogies"]
    assert [s["name"] for s in a["sections"]] == ["family", "fruit"]
    assert a["sections"][0] == {"name": "family", "semantic": True, "correct": 2, "seen": 2, "total": 3,
                                "accuracy": 1.0}
    assert a["total"] == 6 and a["seen"] == 5
    assert len(obj["similarity"]) == 2 and obj["similarity"][0]["found"] == 5

    # case-sensitive: the upper-case question is not seen
    obj = json.loads(ok(run("eval", files / "vec.bin", "--analogies", q, "--no-similarity",
                            "--case-sensitive", "--json")).stdout)
    assert "similarity" not in obj
    assert obj["analogies"]["sections"][0]["seen"] == 1
    # only the first 4 words: man woman king queen -> apple etc. are not seen
    a = json.loads(ok(run("eval", files / "vec.bin", "--analogies", q, "--no-similarity",
                          "--restrict", "5", "--json")).stdout)["analogies"]
    assert a["restrict"] == 5 and a["seen"] == 2
    a = json.loads(ok(run("eval", files / "vec.bin", "--analogies", q, "--no-similarity",
                          "--restrict", "0", "--json")).stdout)["analogies"]
    assert a["restrict"] == len(VOCAB) and a["seen"] == 5


def test_eval_defaults_are_bundled(files):
    obj = json.loads(ok(run("eval", files / "vec.txt", "--json")).stdout)
    assert obj["analogies"]["total"] == 19544 and len(obj["analogies"]["sections"]) == 14
    assert obj["similarity"][0]["total"] == 353 and obj["similarity"][0]["file"].endswith("wordsim353.tsv")
    text = ok(run("eval", files / "vec.txt", "--no-analogies")).stdout
    assert re.fullmatch(r"wordsim353\.tsv: Spearman \S+  Pearson \S+  \(pairs \d+ / 353\)\n", text)


def test_eval_missing_questions_file(files, tmp_path):
    r = run("eval", files / "vec.txt", "--analogies", tmp_path / "nope.txt")
    assert r.exit_code == 2 and "nope.txt" in r.stderr


def test_eval_speed_19544_questions_on_70k_words(tmp_path):
    """The batched evaluation: all the Google analogies on a 70k x 100 model in a few seconds."""
    import time

    words = []
    for w in default_questions_path().read_text().lower().split():
        if w != ":" and w not in words:
            words.append(w)
    words += [f"filler{i}" for i in range(70000 - len(words))]
    vecs = np.random.default_rng(0).normal(size=(70000, 100)).astype(np.float32)
    path = tmp_path / "big.bin"
    write_vectors(str(path), [w.encode() for w in words], vecs, binary=True)
    t0 = time.perf_counter()
    obj = json.loads(ok(run("eval", path, "--restrict", "0", "--json")).stdout)
    elapsed = time.perf_counter() - t0
    assert obj["analogies"]["seen"] == obj["analogies"]["total"] == 19544
    assert elapsed < 30, elapsed  # a few seconds; generous for a loaded shared machine


def _parse_compute_accuracy(out):
    total_acc = float(re.findall(r"Total accuracy: ([-\d.na]+) %", out)[-1])
    top1 = [(int(c), int(n)) for c, n in re.findall(r"ACCURACY TOP1: [-\d.na]+ %\s+\((\d+) / (\d+)\)", out)]
    m = re.search(r"Questions seen / total: (\d+) (\d+)", out)
    return total_acc, top1, int(m.group(1)), int(m.group(2))


def test_eval_agrees_with_word2vec_compute_accuracy(tmp_path):
    tool = shutil.which("word2vec-compute-accuracy")
    if tool is None:
        pytest.skip("word2vec-compute-accuracy is not installed (pip install word2vec)")
    corpus = SHARED_DATA / "text8_prefix.xz"
    if not corpus.exists():
        pytest.skip(f"shared corpus {corpus} is absent")
    vec = tmp_path / "vec.bin"
    w2vfast.train(str(corpus), output=str(vec), binary=True, size=50, iter=2, threads=2, cbow=1,
                  min_count=5, seed=1)
    with open(default_questions_path(), "rb") as qf:
        out = subprocess.run([tool, str(vec), "30000"], stdin=qf, capture_output=True, check=True,
                             timeout=300).stdout.decode("utf-8", "replace")
    c_acc, c_top1, c_seen, c_total = _parse_compute_accuracy(out)

    obj = json.loads(ok(run("eval", vec, "--json", "--no-similarity")).stdout)["analogies"]
    assert (obj["seen"], obj["total"]) == (c_seen, c_total)
    assert c_total == 19544 and c_seen > 5000
    assert obj["correct"] > 50  # not a trivial 0 == 0
    assert abs(100 * obj["accuracy"] - c_acc) <= 0.01, (obj, out[-600:])
    # C prints a section with nothing seen as "0 / 1"
    assert [(s["correct"], max(s["seen"], 1)) for s in obj["sections"]] == c_top1
    text = ok(run("eval", vec, "--no-similarity")).stdout
    assert "Questions seen / total: %d %d" % (c_seen, c_total) in text
