"""`w2vfast doc2vec` and `w2vfast.doc2vec`: paragraph vectors that separate planted topics, the
files they write (documents keyed by tag, words, a model directory), determinism, empty lines,
resume, and the flags that belong to one command only.  test_doc2vec_kernels.py checks the
updates themselves against a NumPy reference."""
import numpy as np
import pytest

import w2vfast
from clitools import cli, ok  # tests/clitools.py

TOPICS = [[f"sun{i}" for i in range(12)], [f"ice{i}" for i in range(12)]]
FILLER = [f"the{i}" for i in range(6)]


def topic_corpus(path, n_docs=120, length=60, seed=0):
    """Documents alternating between the two topics: 2/3 topic words, 1/3 shared filler."""
    rng = np.random.default_rng(seed)
    lines = []
    for d in range(n_docs):
        words = rng.choice(TOPICS[d % 2], size=length * 2 // 3).tolist() + \
            rng.choice(FILLER, size=length // 3).tolist()
        rng.shuffle(words)
        lines.append(" ".join(words))
    path.write_text("\n".join(lines) + "\n")
    return path


def same_topic_share(docvecs):
    """How often a document's nearest other document is of its own topic."""
    unit = docvecs / np.linalg.norm(docvecs, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -2)
    nearest = sims.argmax(axis=1)
    return float(np.mean(nearest % 2 == np.arange(len(unit)) % 2))


FAST = dict(size=16, iter=10, min_count=1, threads=1, sample=0, seed=2)


@pytest.mark.parametrize("options", [
    dict(dm=0), dict(dm=0, dbow_words=1), dict(dm=1), dict(dm=1, dm_mean=0),
    dict(dm=0, hs=1, negative=0), dict(dm=1, hs=1, negative=0),
], ids=["dbow", "dbow+words", "dm", "dm-sum", "dbow-hs", "dm-hs"])
def test_documents_of_planted_topics_separate(tmp_path, options):
    model = w2vfast.doc2vec(str(topic_corpus(tmp_path / "docs.txt")), **{**FAST, **options})
    assert isinstance(model, w2vfast.ParagraphModel)
    assert model.docvecs.index_to_key[:3] == ["0", "1", "2"] and len(model.docvecs) == 120
    assert same_topic_share(model.docvecs.vectors) >= 0.9
    assert model.stats["documents"] == 120 and model.kind.describe()["input"] in ("pv-dbow", "pv-dm")


def test_word_vectors_train_only_when_asked_in_pv_dbow(tmp_path):
    corpus = str(topic_corpus(tmp_path / "docs.txt", n_docs=20))
    plain = w2vfast.doc2vec(corpus, **FAST)
    with_words = w2vfast.doc2vec(corpus, dbow_words=1, **FAST)
    V = len(plain.index_to_key)
    fresh = 2 * w2vfast._core.init_uniform(V + 20, 16, 2)[:V]  # gensim's range, twice word2vec.c's
    assert (plain.vectors == fresh).all()
    assert not np.allclose(with_words.vectors, fresh)


def test_the_command_writes_documents_words_and_model(tmp_path):
    corpus = topic_corpus(tmp_path / "docs.txt", n_docs=30)
    dv, wv, m = tmp_path / "dv.txt", tmp_path / "wv.bin", tmp_path / "model"
    r = ok(cli("doc2vec", corpus, "-output", dv, "-save-words", wv, "--save-model", m, "-size", "12",
               "-iter", "3", "-min-count", "1", "-threads", "1", "-debug", "1"))
    assert "Documents: 30\n" in r.stderr
    docs = w2vfast.load(str(dv))
    assert docs.index_to_key == [str(i) for i in range(30)] and docs.vectors.shape == (30, 12)
    words = w2vfast.load(str(wv))
    assert set(words.index_to_key) == {"</s>", *TOPICS[0], *TOPICS[1], *FILLER}
    model = w2vfast.load_model(str(m))
    assert isinstance(model, w2vfast.ParagraphModel)
    # the text files hold 6 decimals
    np.testing.assert_allclose(model.docvecs.vectors, docs.vectors, atol=1e-6)
    np.testing.assert_allclose(model.vectors, words.vectors, atol=1e-6)
    # the documents' file is word2vec text: the query commands read it, keyed by tag
    near = ok(cli("similar", dv, "0", "-n", "3")).stdout.split()
    assert len(near) == 6 and "0" not in near[::2]


def test_matrices_on_huge_pages_train_as_any(tmp_path, monkeypatch):
    """A model large enough for huge pages (memory.parameter_matrix: a reshaped buffer) trains
    its words' and documents' rows as one block, as a small one does."""
    corpus = str(topic_corpus(tmp_path / "docs.txt", n_docs=20))
    small = w2vfast.doc2vec(corpus, **{**FAST, "dm": 1})
    monkeypatch.setattr(w2vfast.memory, "HUGE_PAGE_MIN_BYTES", 1)
    large = w2vfast.doc2vec(corpus, **{**FAST, "dm": 1})
    np.testing.assert_array_equal(large.docvecs.vectors, small.docvecs.vectors)
    np.testing.assert_array_equal(large.vectors, small.vectors)


def test_one_thread_and_a_seed_give_the_same_bytes(tmp_path):
    corpus = topic_corpus(tmp_path / "docs.txt", n_docs=20)
    outs = []
    for k in range(2):
        out = tmp_path / f"dv{k}.bin"
        ok(cli("doc2vec", corpus, "-output", out, "-binary", "1", "-dm", "1", "-size", "8", "-iter", "2",
               "-min-count", "1", "-threads", "1", "-seed", "5", "-debug", "0"))
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_empty_lines_are_documents_and_said(tmp_path):
    corpus = tmp_path / "docs.txt"
    corpus.write_text("a b c a b\n\nb c a\nzzz\n")  # line 3's only word is under -min-count
    r = ok(cli("doc2vec", corpus, "-output", tmp_path / "dv.txt", "-min-count", "2", "-size", "4",
               "-iter", "1", "-threads", "1", "-debug", "1"))
    assert "Documents: 4 (2 with no word of the vocabulary" in r.stderr
    assert w2vfast.load(str(tmp_path / "dv.txt")).index_to_key == ["0", "1", "2", "3"]


def test_each_command_takes_its_own_flags(tmp_path):
    corpus = topic_corpus(tmp_path / "docs.txt", n_docs=4)
    r = cli("train", corpus, "-output", tmp_path / "v.txt", "-dm", "1")
    assert r.exit_code == 2 and "no such option -dm" in r.stderr
    r = cli("doc2vec", corpus, "-output", tmp_path / "v.txt", "-cbow", "1")
    assert r.exit_code == 2 and "no such option -cbow" in r.stderr
    with pytest.raises(TypeError, match="unknown option"):
        w2vfast.doc2vec(str(corpus), vectors="sum")
    assert not (tmp_path / "v.txt").exists()


def test_an_interrupted_run_resumes_to_the_same_vectors(tmp_path):
    corpus = str(topic_corpus(tmp_path / "docs.txt", n_docs=60, length=200))
    options = {**FAST, "iter": 200, "dm": 1}
    full = w2vfast.doc2vec(corpus, output=str(tmp_path / "full.txt"), **options)
    ck = tmp_path / "ck"

    def stop(report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w2vfast.doc2vec(corpus, output=str(tmp_path / "out.txt"), checkpoint=str(ck), progress=stop,
                        **options)
    r = cli("train", "--resume", ck)
    assert r.exit_code == 2 and "doc2vec" in r.stderr  # a doc2vec checkpoint is doc2vec's to resume
    resumed = w2vfast.doc2vec(resume=str(ck))
    np.testing.assert_array_equal(resumed.docvecs.vectors, full.docvecs.vectors)
    assert (tmp_path / "out.txt").read_bytes() == (tmp_path / "full.txt").read_bytes()


def test_infer_places_new_documents_by_topic_and_leaves_the_model(tmp_path):
    corpus = topic_corpus(tmp_path / "docs.txt", n_docs=60)
    ok(cli("doc2vec", corpus, "-output", tmp_path / "dv.txt", "--save-model", tmp_path / "m",
           "-size", "16", "-iter", "10", "-min-count", "1", "-threads", "1", "-sample", "0", "-debug", "0"))
    model = w2vfast.load_model(str(tmp_path / "m"))
    before = {k: v.copy() for k, v in model.matrices.items()}
    new = topic_corpus(tmp_path / "new.txt", n_docs=20, seed=9)
    inferred = model.infer([line.split() for line in new.read_text().splitlines()])
    assert inferred.shape == (20, 16)
    assert all((model.matrices[k] == before[k]).all() for k in before)
    both = np.vstack([model.docvecs.vectors, inferred])
    unit = both / np.linalg.norm(both, axis=1, keepdims=True)
    nearest = (unit[60:] @ unit[:60].T).argmax(axis=1)
    assert np.mean(nearest % 2 == np.arange(20) % 2) >= 0.9  # a new document finds its topic
    out = tmp_path / "new-vecs.txt"
    ok(cli("infer", tmp_path / "m", new, "-output", out, "-q"))
    again = tmp_path / "again.txt"
    ok(cli("infer", tmp_path / "m", new, "--output", again, "-q"))
    assert out.read_bytes() == again.read_bytes()  # the same seed, the same rows
    assert w2vfast.load(str(out)).index_to_key == [str(i) for i in range(20)]


def test_infer_keeps_rows_in_step_with_lines_and_refuses_what_is_no_doc2vec_model(tmp_path):
    corpus = topic_corpus(tmp_path / "docs.txt", n_docs=10)
    ok(cli("doc2vec", corpus, "--save-model", tmp_path / "m", "-output", tmp_path / "dv.txt",
           "-size", "8", "-iter", "2", "-min-count", "1", "-threads", "1", "-debug", "0"))
    docs = tmp_path / "new.txt"
    docs.write_text("sun1 sun2 ice3\n\nunknown words only\nthe1 sun4\n")
    r = ok(cli("infer", tmp_path / "m", docs, "-o", tmp_path / "v.txt"))
    assert r.stderr.splitlines()[:2] == [
        f"w2vfast: warning: line 2 of {docs} has no word of the model's vocabulary: its vector is zero",
        f"w2vfast: warning: line 3 of {docs} has no word of the model's vocabulary: its vector is zero"]
    rows = w2vfast.load(str(tmp_path / "v.txt")).vectors
    assert rows.shape == (4, 8) and not rows[1].any() and not rows[2].any() and rows[0].any()
    ok(cli("train", corpus, "--save-model", tmp_path / "w", "-output", tmp_path / "w.txt", "-size", "8",
           "-iter", "1", "-min-count", "1", "-threads", "1", "-debug", "0"))
    for bad, says in [(tmp_path / "w", "holds word vectors"), (tmp_path / "w.txt", "w.txt"),
                      (tmp_path / "nowhere", "nowhere")]:
        r = cli("infer", bad, docs, "-o", tmp_path / "x.txt")
        assert r.exit_code == 1 and says in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
        assert r.stderr.startswith("w2vfast: error: ")
    (tmp_path / "m" / "docvecs.npy").write_bytes(b"\x93NUMPY truncated")
    r = cli("infer", tmp_path / "m", docs, "-o", tmp_path / "x.txt")
    assert r.exit_code == 1 and "docvecs.npy" in r.stderr and len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "x.txt").exists()
