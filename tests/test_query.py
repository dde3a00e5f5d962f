"""Tests of w2vfast.query: nearest words (`distance`) and analogies (3CosAdd, 3CosMul).

Small hand-made vocabularies whose answers are known, and random ones checked against a plain
loop over the vocabulary written straight from the definitions.
"""
import math

import numpy as np
import pytest

from w2vfast import query
from w2vfast.api import Vectors


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


# A plane of directions: the cosine between two words is the cosine of their angle.
ANGLES = {"east": 0, "ene": 20, "ne": 45, "nne": 70, "north": 90, "nw": 135, "west": 180,
          "sw": 225, "south": 270}


@pytest.fixture
def compass():
    words = list(ANGLES)
    vecs = [[math.cos(math.radians(a)), math.sin(math.radians(a)), 0.0] for a in ANGLES.values()]
    # lengths must not matter: scale the rows differently
    vecs = np.array(vecs) * np.arange(1, len(words) + 1)[:, None]
    return Vectors(words, vecs.astype(np.float32))


def cos_deg(a, b):
    return math.cos(math.radians(ANGLES[a] - ANGLES[b]))


def test_similar_ranks_by_cosine(compass):
    [r] = query.similar(compass, [["east"]], topn=4)
    assert r.ok and r.query == ["east"]
    # north and south tie at cosine 0: the lower row (north) comes first
    assert [w for w, _ in r.results] == ["ene", "ne", "nne", "north"]
    for w, s in r.results:
        assert s == pytest.approx(cos_deg("east", w), abs=1e-6)
    # the query word itself is never an answer
    assert "east" not in [w for w, _ in query.similar(compass, [["east"]], topn=100)[0].results]


def test_similar_all_words_when_topn_is_large(compass):
    [r] = query.similar(compass, [["north"]], topn=100)
    assert len(r.results) == len(compass) - 1
    scores = [s for _, s in r.results]
    assert scores == sorted(scores, reverse=True)
    assert r.results[-1] == ("south", pytest.approx(-1.0, abs=1e-6))


def test_several_words_are_summed_as_distance(compass):
    # unit(east) + unit(north) points at 45 degrees: "ne" exactly
    [r] = query.similar(compass, [["east", "north"]], topn=3)
    assert r.results[0] == ("ne", pytest.approx(1.0, abs=1e-6))
    assert {"east", "north"}.isdisjoint(w for w, _ in r.results)


def test_unknown_word_named_and_other_queries_answered(compass):
    results = query.similar(compass, [["east"], ["nowhere"], ["west", "xyz", "nowhere"], ["north"]],
                            topn=2)
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].unknown == ["nowhere"] and results[1].results == []
    assert results[1].error == "unknown word 'nowhere'"
    assert results[2].unknown == ["xyz", "nowhere"]
    assert results[2].error == "unknown words 'xyz', 'nowhere'"
    assert results[0].results[0][0] == "ene"
    assert results[3].results[0][0] == "nne"


def test_json_form(compass):
    [r] = query.similar(compass, [["east"]], topn=1)
    score = round(cos_deg("east", "ene"), 6)
    assert r.to_json() == {"query": ["east"], "results": [{"word": "ene", "score": score}]}
    [bad] = query.similar(compass, [["zz"]], topn=1)
    assert bad.to_json()["error"] == "unknown word 'zz'"


def test_ties_go_to_the_lower_row():
    v = Vectors(["q", "b", "a", "c"], np.array([[1, 0], [1, 1], [1, 1], [1, -1]], dtype=np.float32))
    [r] = query.similar(v, [["q"]], topn=3)
    assert [w for w, _ in r.results] == ["b", "a", "c"]


def test_zero_vectors_do_not_break_anything():
    v = Vectors(["a", "zero", "b"], np.array([[1, 0], [0, 0], [1, 1]], dtype=np.float32))
    [r] = query.similar(v, [["a"]], topn=5)
    assert r.results == [("b", pytest.approx(1 / math.sqrt(2))), ("zero", 0.0)]
    [r] = query.similar(v, [["zero"]], topn=5)
    assert sorted(s for _, s in r.results) == [0.0, 0.0]


def reference_similar(words, vecs, query_words, topn):
    """A loop over the vocabulary, as distance.c."""
    u = [unit(v) for v in vecs]
    q = unit(sum(u[words.index(w)] for w in query_words))
    scored = [(float(np.dot(q, u[i])), -i, words[i]) for i in range(len(words))
              if words[i] not in query_words]
    scored.sort(reverse=True)
    return [(w, s) for s, _, w in scored[:topn]]


def test_random_batch_matches_a_loop_and_most_similar(monkeypatch):
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(300)]
    vecs = rng.normal(size=(300, 16)).astype(np.float32)
    v = Vectors(words, vecs)
    qs = [[words[i]] for i in rng.integers(0, 300, 20)] + [[words[1], words[7], words[9]]]
    # small blocks: several matrix products in one call
    monkeypatch.setattr(query, "_BLOCK_ELEMENTS", 300 * 4)
    got = query.similar(v, qs, topn=10)
    for q, r in zip(qs, got):
        ref = reference_similar(words, vecs, q, 10)
        assert [w for w, _ in r.results] == [w for w, _ in ref]
        np.testing.assert_allclose([s for _, s in r.results], [s for _, s in ref], atol=1e-5)
    assert [w for w, _ in got[0].results] == [w for w, _ in v.most_similar(qs[0][0], topn=10)]


# ---------------------------------------------------------------------------
# Analogies
# ---------------------------------------------------------------------------

# dimensions: (royal, female, person, fruit)
ROYAL = {
    "man": [0, 0, 1, 0], "woman": [0, 1, 1, 0], "king": [1, 0, 1, 0], "queen": [1, 1, 1, 0],
    "prince": [0.9, 0, 1, 0.1], "apple": [0, 0, 0, 1], "pear": [0, 0.1, 0, 1], "girl": [0, 1, 0.8, 0.2],
}


@pytest.fixture
def royal():
    return Vectors(list(ROYAL), np.array(list(ROYAL.values()), dtype=np.float32))


def reference_analogy(words, vecs, a, b, c, topn, method):
    u = {w: unit(v) for w, v in zip(words, vecs)}
    scored = []
    for i, w in enumerate(words):
        if w in (a, b, c):
            continue
        if method == "add":
            s = float(np.dot(u[w], unit(u[b] - u[a] + u[c])))
        else:
            cs = {x: (float(np.dot(u[w], u[x])) + 1) / 2 for x in (a, b, c)}
            s = cs[b] * cs[c] / (cs[a] + 1e-3)
        scored.append((s, -i, w))
    scored.sort(reverse=True)
    return [(w, s) for s, _, w in scored[:topn]]


@pytest.mark.parametrize("method", ["add", "mul"])
def test_analogy_known_answer(royal, method):
    [r] = query.analogy(royal, [["man", "king", "woman"]], topn=3, method=method)
    assert r.results[0][0] == "queen"
    assert {"man", "king", "woman"}.isdisjoint(w for w, _ in r.results)
    ref = reference_analogy(list(ROYAL), list(ROYAL.values()), "man", "king", "woman", 3, method)
    assert [w for w, _ in r.results] == [w for w, _ in ref]
    np.testing.assert_allclose([s for _, s in r.results], [s for _, s in ref], rtol=1e-5)


def test_analogy_add_is_word_analogy_score(royal):
    [r] = query.analogy(royal, [["man", "king", "woman"]], topn=1)
    u = {w: unit(v) for w, v in ROYAL.items()}
    expected = float(np.dot(unit(u["king"] - u["man"] + u["woman"]), u["queen"]))
    assert r.results[0][1] == pytest.approx(expected, abs=1e-6)


def test_analogy_unknown_and_bad_arguments(royal):
    results = query.analogy(royal, [["man", "king", "robot"], ["apple", "pear", "man"]], topn=2)
    assert results[0].unknown == ["robot"] and not results[0].results
    assert results[1].ok and results[1].results
    with pytest.raises(ValueError, match="3 words"):
        query.analogy(royal, [["man", "king"]])
    with pytest.raises(ValueError, match="method"):
        query.analogy(royal, [["man", "king", "woman"]], method="div")


def test_analogy_random_matches_loop_and_methods_differ(monkeypatch):
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(120)]
    vecs = rng.normal(size=(120, 6)).astype(np.float32)
    v = Vectors(words, vecs)
    qs = [[words[i] for i in rng.choice(120, 3, replace=False)] for _ in range(40)]
    monkeypatch.setattr(query, "_BLOCK_ELEMENTS", 120 * 7)  # several blocks
    firsts = {}
    for method in ("add", "mul"):
        got = query.analogy(v, qs, topn=5, method=method)
        for q, r in zip(qs, got):
            ref = reference_analogy(words, vecs, *q, 5, method)
            assert [w for w, _ in r.results] == [w for w, _ in ref], (method, q)
            np.testing.assert_allclose([s for _, s in r.results], [s for _, s in ref], rtol=1e-4)
        firsts[method] = [r.results[0][0] for r in got]
    # 3CosMul is not 3CosAdd in disguise
    assert firsts["add"] != firsts["mul"]
