"""Tests for w2vfast.demo: synthetic corpus and planted analogies (no gensim)."""

import importlib.util
import io
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest


def _load_demo():
    try:
        import w2vfast.demo as mod  # noqa: PLC0415
        return mod
    except Exception:
        # w2vfast/__init__.py may import a compiled extension not built yet
        path = Path(__file__).resolve().parents[1] / "w2vfast" / "demo.py"
        spec = importlib.util.spec_from_file_location("_w2vfast_demo", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
        return mod


demo = _load_demo()


@pytest.fixture(scope="module")
def default_corpus():
    buf = io.BytesIO()
    n = demo.generate_corpus(buf)  # default size and seed
    return n, buf.getvalue()


def _gen(n_tokens, seed=1):
    buf = io.BytesIO()
    n = demo.generate_corpus(buf, n_tokens=n_tokens, seed=seed)
    return n, buf.getvalue()


# ---------------------------------------------------------------- relations

def test_relations_well_formed():
    assert set(demo.RELATIONS) == set(demo.MARKERS)
    sizes = {k: len(v) for k, v in demo.RELATIONS.items()}
    assert sizes["country-capital"] >= 15
    assert sizes["male-female"] >= 12
    assert sizes["singular-plural"] >= 15
    assert sizes["present-past"] >= 15
    words = [w for pairs in demo.RELATIONS.values() for pair in pairs for w in pair]
    markers = [m for sides in demo.MARKERS.values() for side in sides for m in side]
    assert len(set(words)) == len(words), "a word appears in two pairs"
    assert not set(words) & set(markers)
    assert len(set(markers)) == len(markers)
    for w in words + markers:
        assert w.isascii() and w.isalpha() and w == w.lower(), w


def test_vocabulary_unique_ascii():
    vocab = demo.vocabulary()
    assert len(set(vocab)) == len(vocab)
    for w in vocab:
        assert w.isascii() and w.isalpha() and w == w.lower(), w


# ------------------------------------------------------------------ corpus

def test_deterministic_same_seed():
    n1, a = _gen(50_000, seed=1)
    n2, b = _gen(50_000, seed=1)
    assert n1 == n2 == 50_000
    assert a == b


def test_different_seed_differs():
    _, a = _gen(50_000, seed=1)
    _, b = _gen(50_000, seed=2)
    assert a != b


def test_path_and_file_object_agree(tmp_path):
    p = tmp_path / "c.txt"
    n = demo.generate_corpus(p, n_tokens=20_000, seed=5)
    n2 = demo.generate_corpus(str(p) + ".2", n_tokens=20_000, seed=5)
    _, data = _gen(20_000, seed=5)
    assert n == n2 == 20_000
    assert p.read_bytes() == data == Path(str(p) + ".2").read_bytes()


@pytest.mark.parametrize("n_tokens", [0, 1, 7, 8, 21, 1000, 123_457])
def test_token_count_matches_written(n_tokens):
    n, data = _gen(n_tokens, seed=3)
    assert n == n_tokens
    assert len(data.split()) == n
    if n:
        assert data.endswith(b"\n")
    else:
        assert data == b""


def test_format(default_corpus):
    n, data = default_corpus
    assert n == 3_000_000
    text = data.decode("ascii")
    assert text.endswith("\n")
    assert "  " not in text and "\t" not in text and "\r" not in text
    lines = text.split("\n")[:-1]
    lens = np.array([len(line.split(" ")) for line in lines])
    assert lens.sum() == n
    assert all(line and line[0] != " " and line[-1] != " " for line in lines)
    # all sentences but the (trimmed) last one are within the length range
    assert lens[:-1].min() >= demo.MIN_LEN and lens.max() <= demo.MAX_LEN
    assert set(text.split()) <= set(demo.vocabulary())


def test_chunking_keeps_exact_count(monkeypatch):
    monkeypatch.setattr(demo, "CHUNK_TOKENS", 1000)
    n, a = _gen(5_555, seed=9)
    _, b = _gen(5_555, seed=9)
    assert n == 5_555 == len(a.split())
    assert a == b
    # chunks end on sentence boundaries: only the last sentence is short
    lens = [len(line.split()) for line in a.decode().splitlines()]
    assert min(lens[:-1]) >= demo.MIN_LEN and max(lens) <= demo.MAX_LEN
    monkeypatch.setattr(demo, "CHUNK_TOKENS", 1)  # degenerate: still terminates
    n, c = _gen(300, seed=9)
    assert n == 300 == len(c.split())


def test_relation_words_frequent(default_corpus):
    _, data = default_corpus
    counts = Counter(data.split())
    for pairs in demo.RELATIONS.values():
        for pair in pairs:
            for w in pair:
                assert counts[w.encode()] >= 100, (w, counts[w.encode()])
    # markers present but not so frequent that sample=1e-3 would drop them
    total = sum(counts.values())
    for sides in demo.MARKERS.values():
        for side in sides:
            for m in side:
                assert 100 <= counts[m.encode()] <= 0.01 * total, m
    # filler has a Zipf-like head: most frequent word well above the median
    freqs = sorted(counts.values(), reverse=True)
    assert freqs[0] > 20 * freqs[len(freqs) // 2]


def test_relation_word_context(default_corpus):
    """Each relation word has its side markers within the window."""
    _, data = default_corpus
    lines = data.decode().split("\n")[:20_000]
    markers = demo.MARKERS["male-female"]
    seen = 0
    for line in lines:
        toks = line.split()
        if "king" in toks:
            i = toks.index("king")
            ctx = set(toks[max(0, i - 4): i + 5])
            assert ctx & set(markers[0])
            assert not ctx & set(markers[1])
            seen += 1
    assert seen > 0


# --------------------------------------------------------------- analogies

def test_planted_analogies_count():
    qs = demo.planted_analogies()
    expected = sum(len(p) * (len(p) - 1) for p in demo.RELATIONS.values())
    assert len(qs) == expected
    assert len(set(qs)) == len(qs)
    for section, a, b, c, d in qs:
        pairs = demo.RELATIONS[section]
        assert (a, b) in pairs and (c, d) in pairs and (a, b) != (c, d)


def _exact_vectors(extra_noise_words=0, seed=0):
    """One-hot topic per pair plus one-hot family offset on the b side."""
    pairs = [(f, a, b) for f, ps in enumerate(demo.RELATIONS.values()) for a, b in ps]
    n_fam = len(demo.RELATIONS)
    dim = len(pairs) + n_fam
    words, vecs = [], []
    for i, (f, a, b) in enumerate(pairs):
        t = np.zeros(dim)
        t[i] = 1.0
        o = np.zeros(dim)
        o[len(pairs) + f] = 1.0
        words += [a, b]
        vecs += [t, t + o]
    rng = np.random.default_rng(seed)
    for k in range(extra_noise_words):
        words.append(f"noise{k}")
        vecs.append(rng.normal(size=dim) * 0.1)
    return words, np.array(vecs, dtype=np.float32)


def test_evaluate_exact_offsets():
    words, vecs = _exact_vectors(extra_noise_words=200)
    r = demo.evaluate_planted(words, vecs)
    assert r["accuracy"] == 1.0
    assert r["missing"] == 0
    assert r["total"] == r["correct"] == len(demo.planted_analogies())
    for name, s in r["sections"].items():
        assert s["accuracy"] == 1.0
        assert s["total"] == len(demo.RELATIONS[name]) * (len(demo.RELATIONS[name]) - 1)


def test_evaluate_order_independent():
    words, vecs = _exact_vectors(extra_noise_words=50)
    perm = np.random.default_rng(1).permutation(len(words))
    r = demo.evaluate_planted([words[i] for i in perm], vecs[perm])
    assert r["accuracy"] == 1.0


def test_evaluate_random_vectors_low():
    words, _ = _exact_vectors(extra_noise_words=500)
    vecs = np.random.default_rng(3).normal(size=(len(words), 50))
    r = demo.evaluate_planted(words, vecs)
    assert r["missing"] == 0
    assert r["accuracy"] < 0.05


def test_evaluate_missing_counted():
    words, vecs = _exact_vectors()
    keep = [i for i, w in enumerate(words) if w != "paris"]
    r = demo.evaluate_planted([words[i] for i in keep], vecs[keep])
    n = len(demo.RELATIONS["country-capital"])
    # paris is b in n-1 questions and d in n-1 questions
    assert r["missing"] == 2 * (n - 1)
    s = r["sections"]["country-capital"]
    assert s["missing"] == 2 * (n - 1)
    assert s["total"] == n * (n - 1)
    assert s["correct"] == n * (n - 1) - 2 * (n - 1)
    assert r["total"] == len(demo.planted_analogies())
    assert r["sections"]["male-female"]["accuracy"] == 1.0


def test_evaluate_all_missing():
    r = demo.evaluate_planted(["foo", "bar"], np.ones((2, 3)))
    assert r["accuracy"] == 0.0
    assert r["missing"] == r["total"] == len(demo.planted_analogies())


def test_evaluate_shape_mismatch():
    with pytest.raises(ValueError):
        demo.evaluate_planted(["a", "b"], np.ones((3, 4)))


def test_nearest():
    words, vecs = _exact_vectors(extra_noise_words=20)
    res = demo.nearest(words, vecs, "france", topn=5)
    assert len(res) == 5
    assert res[0][0] == "paris"
    assert res[0][1] == pytest.approx(2 ** -0.5, abs=1e-5)
    assert all(w != "france" for w, _ in res)
    sims = [s for _, s in res]
    assert sims == sorted(sims, reverse=True)
    assert len(demo.nearest(words, vecs, "france", topn=10_000)) == len(words) - 1
    with pytest.raises(KeyError):
        demo.nearest(words, vecs, "atlantis")


def test_write_questions():
    buf = io.BytesIO()
    n = demo.write_questions(buf)
    lines = buf.getvalue().decode("ascii").splitlines()
    assert n == len(demo.planted_analogies())
    assert sum(1 for line in lines if line.startswith(": ")) == len(demo.RELATIONS)
    qs = [tuple(line.split()) for line in lines if not line.startswith(":")]
    assert qs == [q[1:] for q in demo.planted_analogies()]


def test_raw_rendering_tokenizes_back_to_the_same_words():
    """The demo's raw text (capitals, full stops) holds the plain corpus's words, sentence for
    sentence, once the capitals and stops are taken off."""
    plain, raw = io.BytesIO(), io.BytesIO()
    assert demo.generate_corpus(plain, n_tokens=20_000, seed=3) == \
        demo.generate_corpus(raw, n_tokens=20_000, seed=3, raw=True)
    raw_lines = raw.getvalue().splitlines()
    assert all(line.endswith(b".") and line[:1].isupper() for line in raw_lines if b" " in line)
    assert [line.lower().rstrip(b".") for line in raw_lines] == plain.getvalue().splitlines()
    assert demo.word_kind("paris") == "relation" and demo.word_kind("city") == "marker"
    assert demo.word_kind("no-such-word") is None
