"""`Vectors`' gensim queries (w2vfast/vectors_query.py) against gensim's KeyedVectors on the same
file: the same words in the same order, scores to float32 precision; and the behaviour that needs
no gensim (unknown words, bad arguments, the one-word `most_similar` of before)."""
import warnings

import numpy as np
import pytest

import w2vfast
from w2vfast import query
from w2vfast.vectors import Vectors

from known_vectors import MATRIX, VOCAB  # tests/known_vectors.py

V, D = 400, 16
WORDS = [f"w{i}" for i in range(V)]
TOL = 2e-6  # float32 cosines: gensim divides raw dot products by norms, we use unit rows
NO_GENSIM = "gensim is not installed: the comparisons with gensim need it (pip install gensim, " \
    "or the .[test] extras)"


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    """Random float32 vectors as a binary word2vec file (exact float32 for both readers)."""
    vecs = np.random.default_rng(17).normal(size=(V, D)).astype(np.float32)
    p = tmp_path_factory.mktemp("gensim") / "vec.bin"
    Vectors(WORDS, vecs).save(str(p), binary=True)
    return p


@pytest.fixture(scope="module")
def ours(path):
    return w2vfast.load(str(path))


@pytest.fixture(scope="module")
def kv(path):
    models = pytest.importorskip("gensim.models", reason=NO_GENSIM)
    return models.KeyedVectors.load_word2vec_format(str(path), binary=True)


def assert_same_answers(got, expected):
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray) and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)
        return
    assert [w for w, _ in got] == [w for w, _ in expected]
    assert all(isinstance(s, float) for _, s in got)
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=0, atol=TOL)


def vector(ours, i, scale=1.0):
    return ours.vectors[i] * np.float32(scale)


QUERIES = {
    "one word": lambda o: dict(positive="w3"),
    "one word in a list, topn 25": lambda o: dict(positive=["w3"], topn=25),
    "words": lambda o: dict(positive=["w3", "w10", "w200"]),
    "analogy": lambda o: dict(positive=["w1", "w2"], negative=["w3"]),
    "negative alone": lambda o: dict(negative="w7"),
    "weights": lambda o: dict(positive=[("w1", 2.0), "w2", ("w9", 0.25)], negative=[("w3", 0.5)]),
    "a positive weight among negatives": lambda o: dict(positive=["w4"], negative=[("w5", 1.5)]),
    "a vector": lambda o: dict(positive=vector(o, 4, 3.0)),
    "a vector and words": lambda o: dict(positive=[vector(o, 4, 0.5), "w8"], negative=["w6"]),
    "a weighted vector": lambda o: dict(positive=[(vector(o, 11, 2.0), -0.5), "w12"]),
    "rows of a 2-D array": lambda o: dict(positive=o.vectors[[20, 30]]),
    "restrict_vocab": lambda o: dict(positive=["w3", "w300"], negative=["w2"], restrict_vocab=50),
    "restrict_vocab under topn": lambda o: dict(positive="w3", topn=30, restrict_vocab=20),
    "topn over the vocabulary": lambda o: dict(positive="w0", topn=V + 5),
    "topn None": lambda o: dict(positive=["w1", "w2"], negative=["w3"], topn=None),
    "topn None, restrict_vocab": lambda o: dict(positive="w1", topn=None, restrict_vocab=100),
    "topn 0": lambda o: dict(positive="w1", topn=0),
}


@pytest.mark.parametrize("name", QUERIES)
def test_most_similar_as_gensim(ours, kv, name):
    kwargs = QUERIES[name](ours)
    assert_same_answers(ours.most_similar(**kwargs), kv.most_similar(**kwargs))


@pytest.mark.parametrize("name", ["one word", "words", "analogy", "a vector", "a vector and words",
                                  "topn over the vocabulary", "topn None", "topn 0"])
def test_most_similar_cosmul_as_gensim(ours, kv, name):
    kwargs = QUERIES[name](ours)
    got, expected = ours.most_similar_cosmul(**kwargs), kv.most_similar_cosmul(**kwargs)
    if isinstance(expected, np.ndarray):
        expected = expected.astype(np.float32)  # gensim's array is float64 under NumPy 2
    assert_same_answers(got, expected)


def test_most_similar_cosmul_restricts_the_vocabulary(ours):
    # gensim accepts restrict_vocab here and searches every row anyway; we search the first rows
    everything = ours.most_similar_cosmul(["w1", "w2"], ["w3"], topn=None)
    first = ours.most_similar_cosmul(["w1", "w2"], ["w3"], topn=None, restrict_vocab=60)
    np.testing.assert_array_equal(first, everything[:60])
    assert all(int(w[1:]) < 60 for w, _ in ours.most_similar_cosmul("w1", restrict_vocab=60))


def test_aliases_as_gensim(ours, kv):
    assert_same_answers(ours.similar_by_word("w5", topn=7), kv.similar_by_word("w5", topn=7))
    v = vector(ours, 6, 2.0)
    assert_same_answers(ours.similar_by_vector(v, restrict_vocab=90),
                        kv.similar_by_vector(v, restrict_vocab=90))


def test_similarity_distance_n_similarity_as_gensim(ours, kv):
    for a, b in [("w1", "w2"), ("w7", "w7"), ("w0", "w399")]:
        assert ours.similarity(a, b) == pytest.approx(float(kv.similarity(a, b)), abs=TOL)
        assert ours.distance(a, b) == pytest.approx(float(kv.distance(a, b)), abs=TOL)
    for ws1, ws2 in [(["w1"], ["w2"]), (["w1", "w5", "w9"], ["w2", "w3"])]:
        assert ours.n_similarity(ws1, ws2) == pytest.approx(float(kv.n_similarity(ws1, ws2)),
                                                            abs=TOL)


def test_distances_closer_than_rank_as_gensim(ours, kv):
    assert_same_answers(ours.distances("w3"), kv.distances("w3"))
    others = ["w9", "w1", "w3"]
    assert_same_answers(ours.distances("w3", others), kv.distances("w3", others))
    v = vector(ours, 8, 5.0)
    assert_same_answers(ours.distances(v, ("w2", "w8")), kv.distances(v, ("w2", "w8")))
    # w2's neighbours by rank: the nearest, one further down, the furthest
    order = np.argsort(-ours.most_similar("w2", topn=None)).tolist()  # order[0] is w2 itself
    for other in ["w3", "w150", "w399"] + [WORDS[i] for i in order[1:4]]:
        assert ours.rank("w2", other) == kv.rank("w2", other)
        assert ours.closer_than("w2", other) == kv.closer_than("w2", other)
    assert ours.rank("w2", WORDS[order[1]]) == 1
    assert ours.rank("w2", WORDS[order[-1]]) == V - 1


def test_doesnt_match_as_gensim(ours, kv):
    sets = [["w1", "w2", "w3", "w4"], ["w10", "w20", "w30"], WORDS[100:140], ["w5", "w5", "w6"],
            ["w8"]]
    for words in sets:
        assert ours.doesnt_match(words) == kv.doesnt_match(words)
    # the odd one out of a planted set: three near copies of one vector and another
    odd = ours.most_similar("w50", topn=None).argmin()
    assert ours.doesnt_match(["w50", "w50", WORDS[odd], "w50"]) == WORDS[odd]


def test_doesnt_match_leaves_unknown_words_out_as_gensim(ours, kv):
    words = ["w1", "nope", "w2", "w3"]
    with pytest.warns(UserWarning, match="nope"):
        got = ours.doesnt_match(words)
    assert got == kv.doesnt_match(words)
    with pytest.raises(ValueError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.doesnt_match(["nope", "nix"])


def test_get_vector_as_gensim(ours, kv):
    for norm in (False, True):
        got = ours.get_vector("w42", norm=norm)
        np.testing.assert_array_equal(got, kv.get_vector("w42", norm=norm))
        assert not got.flags.writeable
    assert np.linalg.norm(ours.get_vector("w42", norm=True)) == pytest.approx(1, abs=1e-6)
    assert ours.vectors.flags.writeable  # only the view is read-only


def test_analogy_on_hand_made_vectors(tmp_path):
    models = pytest.importorskip("gensim.models", reason=NO_GENSIM)
    p = tmp_path / "known.txt"
    Vectors(VOCAB, MATRIX).save(str(p))
    ours, kv = w2vfast.load(str(p)), models.KeyedVectors.load_word2vec_format(str(p))
    q = dict(positive=["king", "woman"], negative=["man"], topn=3)
    assert ours.most_similar(**q)[0][0] == "queen"
    assert_same_answers(ours.most_similar(**q), kv.most_similar(**q))
    assert ours.doesnt_match(["apple", "pear", "banana", "paris"]) == "paris" == \
        kv.doesnt_match(["apple", "pear", "banana", "paris"])


# ---------------------------------------------------------------------------
# Without gensim
# ---------------------------------------------------------------------------


def test_one_word_most_similar_is_the_similar_command(ours):
    # most_similar(word) and most_similar([words]) as before: the CLI's `similar` (distance.c)
    for words in (["w3"], ["w3", "w17", "w90"]):
        [expected] = query.similar(ours, [words], topn=10)
        got = ours.most_similar(words[0] if len(words) == 1 else words, topn=10)
        assert [w for w, _ in got] == [w for w, _ in expected.results]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected.results],
                                   atol=1e-6)


def test_query_words_are_never_answers_but_vectors_do_not_exclude(ours):
    found = [w for w, _ in ours.most_similar(["w1", "w2"], ["w3"], topn=V)]
    assert len(found) == V - 3 and not {"w1", "w2", "w3"} & set(found)
    [(word, score)] = ours.most_similar(vector(ours, 5, 2.0), topn=1)
    assert word == "w5" and score == pytest.approx(1, abs=1e-6)
    # a word past restrict_vocab is in the query and not among the rows searched
    assert len(ours.most_similar(["w1", "w300"], topn=None, restrict_vocab=10)) == 10
    assert len(ours.most_similar(["w1", "w300"], topn=50, restrict_vocab=10)) == 9


def test_topn_none_scores_are_the_listed_scores(ours):
    scores = ours.most_similar(["w1", "w2"], ["w3"], topn=None)
    assert scores.dtype == np.float32 and scores.shape == (V,)
    for word, score in ours.most_similar(["w1", "w2"], ["w3"], topn=20):
        assert score == scores[ours.key_to_index[word]]


@pytest.mark.parametrize("call", [
    lambda o: o.most_similar("nope"),
    lambda o: o.most_similar(["w1"], negative=["nope"]),
    lambda o: o.most_similar([("nope", 2.0)]),
    lambda o: o.most_similar_cosmul(["w1", "nope"]),
    lambda o: o.similarity("w1", "nope"),
    lambda o: o.distance("nope", "w1"),
    lambda o: o.n_similarity(["w1"], ["w2", "nope"]),
    lambda o: o.distances("w1", ["nope"]),
    lambda o: o.rank("nope", "w1"),
    lambda o: o.get_vector("nope"),
    lambda o: o["nope"],
])
def test_unknown_words_raise_key_error_naming_them(ours, call):
    with pytest.raises(KeyError, match="'nope' is not in the vocabulary"):
        call(ours)


def test_bad_arguments(ours):
    # the call before gensim's signature, most_similar(word, topn), keeps its meaning: a number
    # is no query term; with topn given as well it is no term either
    assert ours.most_similar("w1", 3) == ours.most_similar("w1", topn=3)
    with pytest.raises(TypeError, match="topn=10"):
        ours.most_similar("w1", 10, 3)
    with pytest.raises(TypeError, match="topn must be an int"):
        ours.most_similar("w1", topn=2.5)
    with pytest.raises(ValueError, match="no input"):
        ours.most_similar()
    with pytest.raises(ValueError, match="no positive input"):
        ours.most_similar_cosmul(negative=["w1"])
    with pytest.raises(TypeError, match="pair"):
        ours.most_similar_cosmul([("w1", 2.0)])
    with pytest.raises(ValueError, match="16 numbers"):
        ours.most_similar(np.ones(D + 1, dtype=np.float32))
    with pytest.raises(ValueError, match="restrict_vocab"):
        ours.most_similar("w1", restrict_vocab=-5)
    with pytest.raises(ZeroDivisionError):
        ours.n_similarity([], ["w1"])
    assert ours.get_index("nope", default=-1) == -1


def test_zero_vectors_have_cosine_zero():
    vecs = np.eye(4, 3, dtype=np.float32)  # the fourth row is zero
    v = Vectors(["a", "b", "c", "zero"], vecs)
    assert v.similarity("a", "zero") == 0.0
    assert dict(v.most_similar("a", topn=3)) == {"b": 0.0, "c": 0.0, "zero": 0.0}
    assert v.distances("zero").tolist() == [1.0, 1.0, 1.0, 1.0]
