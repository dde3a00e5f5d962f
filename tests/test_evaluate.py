"""Tests for w2vfast.evaluate (analogy accuracy as compute-accuracy counts it,
word-pair correlations)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import w2vfast.evaluate as ev
from w2vfast.evaluate import (
    AnalogyResult,
    PairsResult,
    evaluate_analogies,
    evaluate_word_pairs,
    pearson,
    spearman,
)
from w2vfast.wordpairs import average_ranks

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def unit(*xs):
    v = np.asarray(xs, dtype=np.float64)
    return v / np.linalg.norm(v)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def E(i, d=6):
    v = np.zeros(d)
    v[i] = 1.0
    return v


# ---------------------------------------------------------------------------
# A straightforward port of compute-accuracy's loop, for cross-checking the
# batched implementation on random models.
# ---------------------------------------------------------------------------


def reference_accuracy(words, vectors, questions_text, restrict):
    words = [w.upper() for w in words[:restrict]]
    M = np.asarray(vectors[:restrict], dtype=np.float64)
    M = M / np.linalg.norm(M, axis=1)[:, None]
    first = {}
    for i, w in enumerate(words):
        first.setdefault(w, i)
    qid = 0
    correct = seen = total = 0
    per_section = []
    for line in questions_text.splitlines():
        t = line.split()
        if not t:
            continue
        if t[0] == ":":
            qid += 1
            per_section.append([0, 0, 0])
            continue
        a, b, c, d = (first.get(x.upper(), -1) for x in t)
        total += 1
        per_section[-1][2] += 1
        if min(a, b, c, d) < 0:
            continue
        seen += 1
        per_section[-1][1] += 1
        vec = M[b] - M[a] + M[c]
        bestd, bestw = 0.0, ""
        for r in range(len(words)):
            if r in (a, b, c):
                continue
            dist = float(vec @ M[r])
            if dist > bestd:
                bestd, bestw = dist, words[r]
        if bestw == t[3].upper():
            correct += 1
            per_section[-1][0] += 1
    return correct, seen, total, per_section


# ---------------------------------------------------------------------------
# Analogies on hand-made vectors
# ---------------------------------------------------------------------------


def test_exact_analogy_and_case(tmp_path):
    # d lies exactly on b - a + c; the other words are orthogonal to it.
    words = ["Athens", "Greece", "Baghdad", "Iraq", "other"]
    vecs = np.array([E(0), E(1), E(2), unit(-1, 1, 1, 0, 0, 0), E(3)], dtype=np.float32)
    q = write(tmp_path, "q.txt", ": capital\nathens GREECE Baghdad iraq\n")
    r = evaluate_analogies(words, vecs, q)
    assert isinstance(r, AnalogyResult)
    assert (r.correct, r.seen, r.total) == (1, 1, 1)
    assert r.accuracy == 1.0 and r.accuracy_pct == 100.0
    assert r.sections[0].name == "capital"
    # Case-sensitive: "athens" is not "Athens", the question is skipped.
    r = evaluate_analogies(words, vecs, q, case_insensitive=False)
    assert (r.correct, r.seen, r.total) == (0, 0, 1)
    assert math.isnan(r.accuracy)


def test_a_b_c_are_excluded_and_nearest_wins(tmp_path):
    # query = b - a + c = (-1, 1, 1); c itself would score 1, but is excluded;
    # "x" (dot 2/sqrt(3)) beats "d" (dot 1/sqrt(2)).
    words = ["a", "b", "c", "d", "x"]
    vecs = np.array([E(0), E(1), E(2), unit(0, 1, 0, 0, 1, 0), unit(0, 1, 1, 0, 1, 0)], np.float32)
    q = write(tmp_path, "q.txt", ": s\na b c d\na b c x\n")
    r = evaluate_analogies(words, vecs, q)
    assert (r.correct, r.seen, r.total) == (1, 2, 2)


def test_missing_word_is_skipped_but_counted_in_total(tmp_path):
    words = ["a", "b", "c", "d"]
    vecs = np.array([E(0), E(1), E(2), unit(-1, 1, 1, 0, 0, 0)], np.float32)
    q = write(tmp_path, "q.txt", ": s\na b c d\na b c nosuch\nnosuch b c d\na b c d\n")
    r = evaluate_analogies(words, vecs, q)
    assert (r.correct, r.seen, r.total) == (2, 2, 4)
    assert r.seen_ratio == 0.5 and r.seen_pct == 50.0


def test_restrict_makes_rare_words_missing(tmp_path):
    words = ["a", "b", "c", "filler", "d"]
    vecs = np.array([E(0), E(1), E(2), E(3), unit(-1, 1, 1, 0, 0, 0)], np.float32)
    q = write(tmp_path, "q.txt", ": s\na b c d\n")
    assert evaluate_analogies(words, vecs, q, restrict=5).seen == 1
    assert evaluate_analogies(words, vecs, q, restrict=0).seen == 1
    assert evaluate_analogies(words, vecs, q, restrict=None).seen == 1
    r = evaluate_analogies(words, vecs, q, restrict=4)
    assert (r.seen, r.total) == (0, 1)


def test_positive_dot_quirk(tmp_path):
    # query = (-1, 1, 1): d is the only candidate, and its dot product is
    # negative (first question) or exactly 0 (second): C's running best starts
    # at 0, so no answer is chosen and both questions are wrong.
    q = write(tmp_path, "q.txt", ": s\na b c d\n")
    words = ["a", "b", "c", "d"]
    neg = np.array([E(0), E(1), E(2), unit(0, -1, -1, 0, 0, 0)], np.float32)
    zero = np.array([E(0), E(1), E(2), E(3)], np.float32)
    pos = np.array([E(0), E(1), E(2), unit(0, 1, 0, 0, 0, 5)], np.float32)  # small positive dot
    assert (evaluate_analogies(words, neg, q).correct, evaluate_analogies(words, neg, q).seen) == (0, 1)
    assert evaluate_analogies(words, zero, q).correct == 0
    assert evaluate_analogies(words, pos, q).correct == 1


def test_duplicates_after_uppercasing_resolve_to_first(tmp_path):
    # "Paris" (row 0) and "paris" (row 4) are both "PARIS": lookup uses row 0.
    # With row 0 as a, "d" is nearest; with row 4 as a, "x" would be.
    words = ["Paris", "b", "c", "d", "paris", "x"]
    vecs = np.array(
        [E(0), E(1), E(2), unit(-1, 1, 1, 0, 0, 0), E(3), unit(0, 1, 1, -1, 0, 0)], np.float32
    )
    q = write(tmp_path, "q.txt", ": s\nparis b c d\n")
    assert evaluate_analogies(words, vecs, q).correct == 1
    # Case-sensitively, "paris" is row 4 and the answer becomes "x".
    assert evaluate_analogies(words, vecs, q, case_insensitive=False).correct == 0
    q2 = write(tmp_path, "q2.txt", ": s\nparis b c x\n")
    assert evaluate_analogies(words, vecs, q2, case_insensitive=False).correct == 1


def test_answer_compared_as_string(tmp_path):
    # The nearest row is a later duplicate of d ("d" after "D"): C compares the
    # words, not the rows, so the question is answered correctly.
    words = ["a", "b", "c", "D", "d"]
    vecs = np.array([E(0), E(1), E(2), E(3), unit(-1, 1, 1, 0, 0, 0)], np.float32)
    q = write(tmp_path, "q.txt", ": s\na b c d\n")
    assert evaluate_analogies(words, vecs, q).correct == 1


def test_zero_vectors(tmp_path):
    # A zero row becomes NaN in C: never an answer, and a question using it as
    # a, b or c has an all-NaN query and is wrong (but seen).
    words = ["a", "b", "c", "d", "z"]
    vecs = np.array([E(0), E(1), E(2), unit(-1, 1, 1, 0, 0, 0), np.zeros(6)], np.float32)
    q = write(tmp_path, "q.txt", ": s\na b c d\nz b c d\na b c z\n")
    r = evaluate_analogies(words, vecs, q)
    assert (r.correct, r.seen, r.total) == (1, 3, 3)


def test_bytes_words_accepted(tmp_path):
    words = [b"a", b"b", b"c", b"d"]
    vecs = np.array([E(0), E(1), E(2), unit(-1, 1, 1, 0, 0, 0)], np.float32)
    q = write(tmp_path, "q.txt", ": s\na b c d\n")
    assert evaluate_analogies(words, vecs, q).correct == 1


def test_semantic_syntactic_split_and_format(tmp_path):
    # Sections 1-5 are semantic, 6+ syntactic.
    words = ["a", "b", "c", "d", "e"]
    vecs = np.array([E(0), E(1), E(2), unit(-1, 1, 1, 0, 0, 0), E(4)], np.float32)
    text = "".join(": sem%d\na b c d\n" % i for i in range(1, 6))
    text += ": gram1\na b c d\na b c e\n: gram2\na b c nosuch\n"
    q = write(tmp_path, "q.txt", text)
    r = evaluate_analogies(words, vecs, q)
    assert [s.semantic for s in r.sections] == [True] * 5 + [False] * 2
    assert (r.semantic_correct, r.semantic_seen) == (5, 5)
    assert (r.syntactic_correct, r.syntactic_seen) == (1, 2)
    assert (r.correct, r.seen, r.total) == (6, 7, 8)
    assert r.semantic_accuracy == 1.0 and r.syntactic_accuracy == 0.5
    assert r.section("gram2").total == 1 and r.section("gram2").seen == 0
    text = r.format()
    assert "sem1: 100.00 % (1 / 1)" in text
    assert "gram1: 50.00 % (1 / 2)" in text
    assert "gram2: n/a (0 / 0)" in text
    assert "Total accuracy: 85.71 % (6 / 7)" in text
    assert "Semantic accuracy: 100.00 %" in text and "Syntactic accuracy: 50.00 %" in text
    assert "Questions seen / total: 7 8   87.50 %" in text


def test_batched_matches_reference_loop(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    V, D = 80, 6
    words = ["w%d" % i for i in range(V)]
    words[10] = "W3"  # a duplicate after upper-casing
    vecs = rng.standard_normal((V, D)).astype(np.float32)
    unitv = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    lines = []
    for s in range(7):
        lines.append(": sec%d" % s)
        for _ in range(60):
            a, b, c = rng.choice(V + 5, 3, replace=False)  # some missing words
            if max(a, b, c) < V and rng.random() < 0.7:
                # d among the 3 nearest rows to b - a + c, so that a good
                # share of the questions is answered correctly.
                dots = unitv @ (unitv[b] - unitv[a] + unitv[c])
                dots[[a, b, c]] = -np.inf
                d = int(np.argsort(-dots)[rng.integers(3)])
            else:
                d = int(rng.integers(V + 3))
            names = ["w%d" % i if i != 10 else "W3" for i in (a, b, c, d)]
            lines.append(" ".join(names))
    text = "\n".join(lines) + "\n"
    q = write(tmp_path, "q.txt", text)
    # Tiny blocks so that several are used, with a ragged last one.
    monkeypatch.setattr(ev, "_BLOCK_ELEMENTS", 7 * 60)
    for restrict in (60, 80):
        ref = reference_accuracy(words, vecs, text, restrict)
        r = evaluate_analogies(words, vecs, q, restrict=restrict)
        assert (r.correct, r.seen, r.total) == ref[:3]
        assert [[s.correct, s.seen, s.total] for s in r.sections] == ref[3]
        assert r.seen > 100 and r.correct > 15


def test_planted_analogies_all_correct(tmp_path):
    # Random vectors with d planted exactly on the normalised b - a + c.
    rng = np.random.default_rng(3)
    V, D = 400, 50
    vecs = rng.standard_normal((V, D)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    words = ["w%d" % i for i in range(V)]
    lines = [": planted"]
    d = 200
    for _ in range(100):
        a, b, c = rng.choice(200, 3, replace=False)
        vecs[d] = vecs[b] - vecs[a] + vecs[c]
        lines.append("w%d w%d w%d w%d" % (a, b, c, d))
        d += 1
    q = write(tmp_path, "q.txt", "\n".join(lines) + "\n")
    r = evaluate_analogies(words, vecs, q)
    assert (r.correct, r.seen, r.total) == (100, 100, 100)


def test_default_questions_file():
    r = evaluate_analogies(["king", "queen"], np.eye(2, dtype=np.float32))
    assert r.total == 19544
    assert len(r.sections) == 14
    assert sum(s.total for s in r.sections if s.semantic) == 8869
    assert r.sections[0].name == "capital-common-countries"
    assert r.seen == 0 and r.correct == 0


def test_bad_shapes():
    with pytest.raises(ValueError):
        evaluate_analogies(["a", "b"], np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError):
        evaluate_word_pairs(["a"], np.zeros(3, np.float32))


# ---------------------------------------------------------------------------
# Word pairs
# ---------------------------------------------------------------------------


def test_average_ranks_and_spearman_with_ties():
    np.testing.assert_allclose(average_ranks(np.array([10, 20, 20, 20, 5])), [2, 4, 4, 4, 1])
    # x ranks (1, 2.5, 2.5, 4), y ranks (1, 3, 2, 4):
    # sum dx*dy = 4.5, sum dx^2 = 4.5, sum dy^2 = 5 -> rho = sqrt(0.9).
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(math.sqrt(0.9), abs=1e-12)
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert math.isnan(spearman([1], [1]))


def test_pearson_matches_corrcoef():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(50)
    y = 0.5 * x + rng.standard_normal(50)
    assert pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)


def test_word_pairs(tmp_path):
    words = ["Tiger", "cat", "car", "tiger"]
    vecs = np.array([[1, 0], [1, 1], [0, 1], [-1, 0]], np.float32)
    p = write(
        tmp_path,
        "ws.tsv",
        "# comment\nWord 1\tWord 2\tHuman (mean)\n"
        "tiger\tcat\t7.35\ncat\tcar\t4.0\ntiger\tcar\t1.0\ntiger\tnosuch\t5.0\n",
    )
    r = evaluate_word_pairs(words, vecs, p)
    assert isinstance(r, PairsResult)
    assert (r.found, r.total) == (3, 4)
    assert r.oov_ratio == 0.25
    # "tiger" resolves to row 0 ("Tiger").
    sims = [s for _, _, _, s in r.pairs]
    np.testing.assert_allclose(sims, [1 / math.sqrt(2), 1 / math.sqrt(2), 0.0], atol=1e-7)
    assert r.missing == [("tiger", "nosuch")]
    assert r.spearman == pytest.approx(spearman([7.35, 4.0, 1.0], sims))
    assert r.pearson == pytest.approx(np.corrcoef([7.35, 4.0, 1.0], sims)[0, 1])
    assert "Pairs found / total: 3 4" in r.format() and "Spearman rho:" in r.format()
    # Case-sensitive: "tiger" is row 3.
    r = evaluate_word_pairs(words, vecs, p, case_insensitive=False)
    assert r.found == 3
    np.testing.assert_allclose([s for *_, s in r.pairs], [-1 / math.sqrt(2), 1 / math.sqrt(2), 0.0], atol=1e-7)


def test_default_pairs_file():
    r = evaluate_word_pairs(["tiger", "cat", "love", "sex"], np.eye(4, dtype=np.float32))
    assert r.total == 353
    assert r.found >= 2


# ---------------------------------------------------------------------------
# Cross-check against the original C compute-accuracy
# ---------------------------------------------------------------------------


def _parse_compute_accuracy(out: str):
    m = re.findall(r"Total accuracy: ([-\d.na]+) %", out)
    assert m, out[-2000:]
    total_acc = float(m[-1])
    top1 = [(int(c), int(n)) for c, n in re.findall(r"ACCURACY TOP1: [-\d.na]+ %\s+\((\d+) / (\d+)\)", out)]
    m = re.search(r"Questions seen / total: (\d+) (\d+)", out)
    assert m, out[-2000:]
    return total_acc, top1, int(m.group(1)), int(m.group(2))


def test_matches_c_compute_accuracy(tmp_path):
    tool = shutil.which("word2vec-compute-accuracy")
    if tool is None:
        pytest.skip("word2vec-compute-accuracy (PyPI 'word2vec' package) is not installed")
    corpus = SHARED_DATA / "text8_prefix.xz"
    if not corpus.exists():
        pytest.skip("shared corpus %s is absent" % corpus)
    pytest.importorskip("gensim", reason="gensim is needed to train the test model")
    import lzma

    from gensim.models import KeyedVectors, Word2Vec

    with lzma.open(corpus, "rt", encoding="utf-8") as f:
        tokens = f.read().split()
    sentences = [tokens[i:i + 10000] for i in range(0, len(tokens), 10000)]
    # One worker and a fixed seed: gensim 4 is then deterministic, so the
    # comparison is reproducible.  CBOW, 5 epochs: a few % accuracy, enough
    # correct answers for the comparison to mean something.
    model = Word2Vec(sentences, vector_size=50, min_count=5, epochs=5, workers=1, seed=1)
    vec_bin = tmp_path / "vec.bin"
    model.wv.save_word2vec_format(str(vec_bin), binary=True)

    questions = ev.default_questions_path()
    with open(questions, "rb") as qf:
        out = subprocess.run(
            [tool, str(vec_bin), "30000"], stdin=qf, capture_output=True, check=True
        ).stdout.decode("utf-8", "replace")
    c_acc, c_top1, c_seen, c_total = _parse_compute_accuracy(out)

    # Score the very floats the C tool read.
    kv = KeyedVectors.load_word2vec_format(str(vec_bin), binary=True)
    r = evaluate_analogies(kv.index_to_key, kv.vectors, questions, restrict=30000)

    assert (r.seen, r.total) == (c_seen, c_total)
    assert c_total == 19544 and c_seen > 5000
    assert abs(r.accuracy_pct - c_acc) <= 0.01, (r.format(), out[-600:])
    assert r.correct > 50  # the comparison is not trivially 0 == 0
    # Per section, the counts C prints.
    # (C prints a section with nothing seen as "0 / 1".)
    assert [max(s.seen, 1) for s in r.sections] == [n for _, n in c_top1]
    assert sum(c for c, _ in c_top1) == r.correct
