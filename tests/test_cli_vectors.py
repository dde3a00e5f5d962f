"""Tests of the commands that use vectors: similar, analogy, eval, convert, vocab, classes, plot.

They run `w2vfast.cli.main` in process with click's CliRunner on hand-made vector files whose
answers are known; one test pipes queries to `python -m w2vfast` in a subprocess, and one
cross-checks `eval` against word2vec's own `compute-accuracy`.
"""
import gzip
import importlib.util
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import w2vfast
from w2vfast.cli import query as cli_query
from w2vfast.classes import compute_classes
from w2vfast.cli import main
from w2vfast.evaluate import default_questions_path, evaluate_analogies, evaluate_word_pairs
from w2vfast.formats import read_vectors, write_vectors
from shared import VECTOR_COMMANDS  # tests/shared.py

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                      reason="matplotlib is not installed (pip install 'w2vfast[plot]')")

# dimensions: royal, female, person, fruit, yellow, city
WORDS = {
    "</s>": [0.01, 0, 0, 0, 0, 0.01],
    "man": [0, 0, 1, 0, 0, 0],
    "woman": [0, 1, 1, 0, 0, 0],
    "king": [1, 0, 1, 0, 0, 0],
    "queen": [1, 1, 1, 0, 0, 0],
    "prince": [0.9, 0, 1, 0.1, 0, 0],
    "apple": [0, 0, 0, 1, 0, 0],
    "pear": [0, 0.1, 0, 1, 0, 0],
    "banana": [0, 0, 0, 1, 0.3, 0],
    "lemon": [0, 0, 0, 0.8, 1, 0],
    "paris": [0.2, 0, 0.1, 0, 0, 1],
    "berlin": [0.1, 0, 0.1, 0, 0.1, 1],
}
VOCAB = list(WORDS)
MATRIX = np.array(list(WORDS.values()), dtype=np.float32)


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def cosine(a, b):
    return float(np.dot(unit(WORDS[a]), unit(WORDS[b])))


def ranked(query_words, exclude=()):
    """Every other word by cosine with the sum of the unit query vectors (a loop, as distance.c)."""
    q = unit(sum(unit(WORDS[w]) for w in query_words))
    out = [(w, float(np.dot(q, unit(v)))) for w, v in WORDS.items()
           if w not in query_words and w not in exclude]
    return sorted(out, key=lambda p: -p[1])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("vectors")
    words = [w.encode() for w in VOCAB]
    write_vectors(str(d / "vec.txt"), words, MATRIX, binary=False)
    write_vectors(str(d / "vec.bin"), words, MATRIX, binary=True)
    with gzip.open(d / "vec.bin.gz", "wb") as f:
        f.write((d / "vec.bin").read_bytes())
    # gensim-style text: no trailing space; fastText .vec style is the same
    lines = [b"%d %d" % MATRIX.shape] + [w + b" " + b" ".join(b"%g" % x for x in row)
                                          for w, row in zip(words, MATRIX)]
    (d / "vec.vec").write_bytes(b"\n".join(lines) + b"\n")
    return d


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.output
    return result


def rows(text):
    return [(line.split()[0], float(line.split()[1])) for line in text.splitlines() if line.strip()]


def test_group_lists_the_commands():
    out = ok(run("--help")).stdout
    for name in ("similar", "analogy", "eval", "convert", "vocab", "classes", "plot", "train"):
        assert re.search(rf"^\s+{name}\s", out, re.M), name


# ---------------------------------------------------------------------------
# similar
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vec.txt", "vec.bin", "vec.bin.gz", "vec.vec"])
def test_similar_reads_every_format(files, name):
    r = ok(run("similar", files / name, "apple", "-n", "3"))
    got = rows(r.stdout)
    assert [w for w, _ in got] == ["pear", "banana", "lemon"]
    for w, s in got:
        assert s == pytest.approx(cosine("apple", w), abs=1e-5)


def test_similar_default_shows_up_to_40_and_sums_words(files):
    r = ok(run("similar", files / "vec.txt", "king", "woman"))
    got = rows(r.stdout)
    assert len(got) == len(VOCAB) - 2
    expected = ranked(["king", "woman"])
    assert [w for w, _ in got] == [w for w, _ in expected]
    assert got[0][0] == "queen"
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)


def test_similar_json(files):
    r = ok(run("similar", files / "vec.bin", "paris", "-n", "2", "--json"))
    [obj] = [json.loads(line) for line in r.stdout.splitlines()]
    assert obj["query"] == ["paris"]
    assert [x["word"] for x in obj["results"]] == [w for w, _ in ranked(["paris"])[:2]]
    assert obj["results"][0]["word"] == "berlin"
    assert obj["results"][0]["score"] == pytest.approx(cosine("paris", "berlin"), abs=1e-5)


def test_similar_unknown_word_from_arguments(files):
    r = run("similar", files / "vec.txt", "king", "robot")
    assert r.exit_code == 1
    assert r.stderr == "w2vfast: unknown word 'robot'\n"
    assert r.stdout == ""
    r = run("similar", files / "vec.txt", "robot", "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["error"] == "unknown word 'robot'"


def test_similar_queries_from_stdin(files):
    r = ok(run("similar", files / "vec.txt", "-n", "2", input="apple\n\nrobot\nking woman\nzz yy\nparis"))
    assert r.stderr == "w2vfast: unknown word 'robot'\nw2vfast: unknown words 'zz', 'yy'\n"
    blocks = r.stdout.split("\n\n")
    assert blocks[0].splitlines()[0] == "query: apple"
    assert [w for w, _ in rows("\n".join(blocks[0].splitlines()[1:]))] == ["pear", "banana"]
    assert blocks[1].splitlines()[0] == "query: king woman"
    assert blocks[1].splitlines()[1].split()[0] == "queen"
    assert blocks[2].splitlines()[0] == "query: paris"


def test_similar_stdin_json_lines_keep_the_order(files):
    r = ok(run("similar", files / "vec.bin", "-n", "1", "--json", input="apple\nrobot\nking\n"))
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["query"] for o in objs] == [["apple"], ["robot"], ["king"]]
    assert [o["results"][0]["word"] if o["results"] else o["error"] for o in objs] == \
        ["pear", "unknown word 'robot'", "prince"]


def test_similar_interactive_prompt(files, monkeypatch):
    monkeypatch.setattr(cli_query, "_stdin_is_terminal", lambda: True)
    r = ok(run("similar", files / "vec.txt", "-n", "1", input="apple\nrobot\nEXIT\nking\n"))
    assert r.stderr.count(cli_query.PROMPT) == 3
    assert "w2vfast: unknown word 'robot'" in r.stderr
    assert r.stdout.split() == ["query:", "apple", "pear", f"{cosine('apple', 'pear'):.6f}"]


def test_similar_with_limit_reads_the_head(files):
    r = ok(run("similar", files / "vec.txt", "man", "--limit", "5"))
    assert {w for w, _ in rows(r.stdout)} == {"</s>", "woman", "king", "queen"}


def test_similar_real_pipe(files):
    p = subprocess.run([sys.executable, "-m", "w2vfast", "similar", str(files / "vec.bin"), "-n", "1"],
                       input=b"lemon\nrobot\nberlin\n", capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr == b"w2vfast: unknown word 'robot'\n"
    assert p.stdout.decode().split() == ["query:", "lemon", "banana", f"{cosine('lemon', 'banana'):.6f}",
                                         "query:", "berlin", "paris", f"{cosine('berlin', 'paris'):.6f}"]


def test_non_utf8_words_round_trip(tmp_path):
    path = tmp_path / "latin1.txt"
    write_vectors(str(path), [b"caf\xe9", b"the", b"tea"],
                  np.array([[1, 0], [0, 1], [1, 0.1]], dtype=np.float32), binary=False)
    p = subprocess.run([sys.executable, "-m", "w2vfast", "similar", str(path), "-n", "1"],
                       input=b"caf\xe9\n", capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [b"query:", b"caf\xe9", b"tea", b"%.6f" % (1 / math.sqrt(1.01))]
    r = ok(run("similar", path, "tea", "-n", "1", "--json"))
    assert json.loads(r.stdout)["results"][0]["word"] == "caf\udce9"


# ---------------------------------------------------------------------------
# analogy
# ---------------------------------------------------------------------------


def test_analogy_add(files):
    r = ok(run("analogy", files / "vec.txt", "man", "king", "woman", "-n", "3"))
    got = rows(r.stdout)
    assert got[0][0] == "queen"
    assert {"man", "king", "woman"}.isdisjoint(w for w, _ in got)
    u = {w: unit(v) for w, v in WORDS.items()}
    assert got[0][1] == pytest.approx(float(np.dot(unit(u["king"] - u["man"] + u["woman"]), u["queen"])),
                                      abs=1e-5)


def test_analogy_mul_json(files):
    r = ok(run("analogy", files / "vec.bin", "apple", "pear", "man", "--method", "mul", "-n", "2", "--json"))
    obj = json.loads(r.stdout)
    assert obj["query"] == ["apple", "pear", "man"]
    assert obj["results"][0]["word"] == "woman"
    u = {w: unit(v) for w, v in WORDS.items()}
    c = {x: (float(np.dot(u["woman"], u[x])) + 1) / 2 for x in ("apple", "pear", "man")}
    assert obj["results"][0]["score"] == pytest.approx(c["pear"] * c["man"] / (c["apple"] + 1e-3), abs=1e-5)


def test_analogy_stdin_with_bad_lines(files):
    r = ok(run("analogy", files / "vec.txt", "-n", "1", "--json",
               input="man king woman\nman king\nman robot woman\napple pear man\n"))
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(objs) == 4
    assert objs[0]["results"][0]["word"] == "queen"
    assert objs[1] == {"query": ["man", "king"], "results": [],
                       "error": "expected three words A B C, got 2: 'man king'"}
    assert objs[2]["error"] == "unknown word 'robot'"
    assert objs[3]["results"][0]["word"] == "woman"
    assert r.stderr.splitlines() == ["w2vfast: expected three words A B C, got 2: 'man king'",
                                     "w2vfast: unknown word 'robot'"]


def test_analogy_usage_errors(files):
    r = run("analogy", files / "vec.txt", "man", "king")
    assert r.exit_code == 2 and "three words" in r.stderr
    r = run("analogy", files / "vec.txt", "man", "king", "woman", "--method", "div")
    assert r.exit_code == 2
    r = run("analogy", files / "vec.txt", "man", "king", "robot")
    assert r.exit_code == 1 and r.stderr == "w2vfast: unknown word 'robot'\n"


# ---------------------------------------------------------------------------
# Bad vector files: one clear line, exit 1, for every command
# ---------------------------------------------------------------------------

BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "header.txt": (b"hello world\n", "bad header"),
    "short.txt": (b"3 2\na 1 2\nb 3 4\n", "file ends after 2 rows"),
    "values.txt": (b"2 3\na 1 2 3\nb 1 2\n", "expected a word and 3 values"),
    "number.txt": (b"2 2\na 1 2\nb 1 x\n", "'x' is not a number"),
    "nan.txt": (b"2 2\na 1 2\nb 1 nan\n", "NaN"),
    "cut.bin": (b"2 2\na " + struct.pack("<2f", 1, 2) + b"\nb " + b"\x00\x00", "middle of the row"),
    "missing.txt": (None, "No such file or directory"),
}

COMMANDS = VECTOR_COMMANDS


@pytest.mark.parametrize("name", list(BAD_FILES))
@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_bad_vector_file(tmp_path, name, command):
    if command[0] == "plot" and importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed: plot stops before reading the vectors")
    content, message = BAD_FILES[name]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    r = run(*[a.format(path, out=out) for a in command])
    assert r.exit_code == 1, (r.exit_code, r.stdout, r.stderr, r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2vfast: error: "), r.stderr
    assert name in lines[0] and message in lines[0]
    assert r.stdout == ""
    assert not out.exists() and not (tmp_path / "out.png").exists()


def test_directory_as_vectors(tmp_path):
    r = run("similar", tmp_path, "a")
    assert r.exit_code == 1
    assert r.stderr.startswith("w2vfast: error: cannot read") and str(tmp_path) in r.stderr


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


# ---------------------------------------------------------------------------
# convert
# ---------------------------------------------------------------------------


def test_convert_text_binary_round_trip(files, tmp_path):
    b = tmp_path / "out.bin"
    r = ok(run("convert", files / "vec.txt", b))  # text in: binary out by default
    assert "binary format" in r.stderr
    words, vecs = read_vectors(str(b), binary=True)
    assert words == [w.encode() for w in VOCAB]
    np.testing.assert_allclose(vecs, MATRIX, atol=1e-6)
    t = tmp_path / "out.txt"
    ok(run("convert", b, t))  # binary in: text out
    assert t.read_bytes() == (files / "vec.txt").read_bytes()
    ok(run("convert", files / "vec.bin.gz", t, "-binary", "0"))
    assert t.read_bytes() == (files / "vec.txt").read_bytes()
    ok(run("convert", files / "vec.txt", t, "--binary", "0"))  # text to text is allowed
    assert t.read_bytes() == (files / "vec.txt").read_bytes()


def test_convert_limit_normalize_stdout(files):
    r = ok(run("convert", files / "vec.bin", "-", "--limit", "4", "--normalize", "--binary", "0"))
    words, vecs = read_vectors(io.BytesIO(r.stdout_bytes))
    assert words == [w.encode() for w in VOCAB[:4]]
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vecs[2], unit(WORDS["woman"]), atol=1e-6)


def test_convert_keeps_bytes_and_zero_rows(tmp_path):
    src = tmp_path / "in.bin"
    write_vectors(str(src), [b"caf\xe9", b"\xff\xfe"], np.array([[3, 4], [0, 0]], dtype=np.float32),
                  binary=True)
    out = tmp_path / "out.txt"
    ok(run("convert", src, out, "--normalize"))
    assert out.read_bytes() == b"2 2\ncaf\xe9 0.600000 0.800000 \n\xff\xfe 0.000000 0.000000 \n"


def test_convert_refuses_to_overwrite_its_input(files, tmp_path):
    src = tmp_path / "v.txt"
    shutil.copy(files / "vec.txt", src)
    before = src.read_bytes()
    r = run("convert", src, src)
    assert r.exit_code == 2 and "is IN itself" in r.stderr
    os.symlink(src, tmp_path / "link.txt")
    r = run("convert", src, tmp_path / "link.txt")
    assert r.exit_code == 2
    assert src.read_bytes() == before
    r = run("convert", files / "vec.txt", tmp_path / "no" / "dir.bin")
    assert r.exit_code == 1 and "does not exist" in r.stderr


# ---------------------------------------------------------------------------
# vocab
# ---------------------------------------------------------------------------

CORPUS = b"the cat sat on the mat\nthe dog sat\n" * 30 + b"a rare word\n"


def test_vocab_matches_train_save_vocab(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS)
    ok(run("train", corpus, "-min-count", "2", "-save-vocab", tmp_path / "train.vocab", "-debug", "0"))
    r = ok(run("vocab", corpus, "-min-count", "2", "-o", tmp_path / "vocab.txt"))
    assert (tmp_path / "vocab.txt").read_bytes() == (tmp_path / "train.vocab").read_bytes()
    assert "Vocab size: 7" in r.stderr
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
    r = run("classes", files / "vec.txt", "-k", "0")
    assert r.exit_code == 2
    r = run("classes", files / "vec.txt")
    assert r.exit_code == 2 and "-k" in r.stderr


# ---------------------------------------------------------------------------
# plot
# ---------------------------------------------------------------------------


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_matplotlib
def test_plot_png_of_the_asked_size(files, tmp_path):
    out = tmp_path / "top.png"
    r = ok(run("plot", files / "vec.bin", "-o", out, "--size", "400x300"))
    assert png_size(out.read_bytes()) == (400, 300)
    assert "Plotted 11 words" in r.stderr  # every word but </s>
    ok(run("plot", files / "vec.bin", "-o", out, "--top", "3"))
    assert png_size(out.read_bytes()) == (1200, 900)


@needs_matplotlib
def test_plot_svg_with_neighbours_and_tsne(files, tmp_path):
    out = tmp_path / "near.svg"
    r = ok(run("plot", files / "vec.txt", "king", "apple", "paris", "--neighbours", "2", "--method", "tsne",
               "-o", out, "--title", "test"))
    assert ET.parse(out).getroot().tag.endswith("svg")
    assert "Plotted 9 words (3 chosen, 6 neighbours, tsne)" in r.stderr


@needs_matplotlib
def test_plot_words_from_stdin_and_unknown_words(files, tmp_path):
    out = tmp_path / "w.png"
    r = run("plot", files / "vec.txt", "-", "robot", "-o", out, input="king queen\nrobot apple\n")
    assert r.exit_code == 1  # a word given was unknown, the others are plotted
    assert r.stderr.splitlines()[0] == "w2vfast: unknown word 'robot'"
    assert "Plotted 3 words" in r.stderr
    assert png_size(out.read_bytes()) == (1200, 900)
    out2 = tmp_path / "none.png"
    r = run("plot", files / "vec.txt", "robot", "-o", out2)
    assert r.exit_code == 1 and not out2.exists()
    assert r.stderr.splitlines() == [
        "w2vfast: unknown word 'robot'",
        "w2vfast: error: no word to plot: none of the words is in the vocabulary"]


def test_plot_usage_errors(files, tmp_path):
    r = run("plot", files / "vec.txt", "-", "-o", tmp_path / "x.png", input="")
    assert r.exit_code == 1 and r.stderr == "w2vfast: error: no word to plot: standard input is empty\n"
    r = run("plot", files / "vec.txt", "-o", tmp_path / "x.png", "--size", "big")
    assert r.exit_code == 2 and "WIDTHxHEIGHT" in r.stderr
    r = run("plot", files / "vec.txt", "-o", tmp_path / "x.jpg")
    assert r.exit_code == 1 and ".png or .svg" in r.stderr
    r = run("plot", files / "vec.txt")
    assert r.exit_code == 2 and "--output" in r.stderr


def test_plot_without_matplotlib(files, tmp_path, no_matplotlib):
    r = run("plot", files / "vec.txt", "-o", tmp_path / "x.png")
    assert r.exit_code == 1
    assert r.stderr == "w2vfast: error: plot needs matplotlib: pip install 'w2vfast[plot]'\n"
    assert not (tmp_path / "x.png").exists()



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
