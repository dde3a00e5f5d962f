"""End-to-end training through the Python API: structure is learned, runs are reproducible."""
import numpy as np
import pytest

import w2vfast
from w2vfast import _core

MODES = {
    "sg-ns": dict(cbow=0, negative=5, hs=0),
    "sg-hs": dict(cbow=0, negative=0, hs=1, batch=1),
    "sg-ns-exact": dict(cbow=0, negative=5, hs=0, batch=0),
    "sg-hs-exact": dict(cbow=0, negative=0, hs=1, batch=0),
    "sg-ns+hs": dict(cbow=0, negative=3, hs=1, batch=1),
    "cbow-ns": dict(cbow=1, negative=5, hs=0),
    "cbow-hs": dict(cbow=1, negative=0, hs=1),
}


@pytest.fixture(scope="module")
def grouped_corpus(tmp_path_factory):
    """Eight groups of 12 words; a sentence uses the words of one group only.

    Words of one group share all their contexts and no word shares a context with another
    group, so every mode must put a word's nearest neighbours in its own group."""
    rng = np.random.default_rng(5)
    groups = [[f"g{g}w{i}" for i in range(12)] for g in range(8)]
    lines = []
    for _ in range(12_000):
        group = groups[rng.integers(len(groups))]
        lines.append(" ".join(group[i] for i in rng.integers(0, len(group), 10)))
    path = tmp_path_factory.mktemp("corpus") / "groups.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def _isa_cases():
    """Every mode with the widest build of the training loop, and with each narrower build this
    CPU can also run (train_loop.h); W2VFAST_ISA picks it."""
    from w2vfast import _core
    isas = _core.available_isas()
    return [(mode, isas[0]) for mode in MODES] + [(mode, isa) for isa in isas[1:] for mode in MODES]


@pytest.mark.parametrize("mode,isa", _isa_cases())
def test_every_mode_learns_planted_groups(grouped_corpus, mode, isa, monkeypatch):
    monkeypatch.setenv("W2VFAST_ISA", isa)
    model = w2vfast.train(str(grouped_corpus), size=24, window=3, iter=3, min_count=1, threads=2,
                          sample=0, seed=3, **MODES[mode])
    hits = total = 0
    for word in model.index_to_key:
        if word == "</s>":
            continue
        group = word.split("w")[0]
        neighbours = [w for w, _ in model.most_similar(word, topn=5)]
        hits += sum(n.split("w")[0] == group for n in neighbours)
        total += len(neighbours)
    assert hits / total >= 0.95, f"{mode}: only {hits}/{total} neighbours in the same group"


@pytest.mark.parametrize("mode", ["sg-ns", "sg-ns-exact", "cbow-hs"])
def test_single_thread_runs_are_reproducible(grouped_corpus, mode):
    kw = dict(size=16, iter=1, min_count=1, threads=1, **MODES[mode])
    a = w2vfast.train(str(grouped_corpus), seed=9, **kw).vectors
    b = w2vfast.train(str(grouped_corpus), seed=9, **kw).vectors
    c = w2vfast.train(str(grouped_corpus), seed=10, **kw).vectors
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_every_thread_trains_every_epoch(grouped_corpus):
    """word2vec.c's threads that reach end of file skip later epochs; ours all finish."""
    seen = []
    model = w2vfast.train(str(grouped_corpus), size=8, iter=4, min_count=1, threads=5,
                          progress=seen.append)
    last = seen[-1]
    assert np.isfinite(last["loss"]) and last["loss"] > 0
    assert last["total"] == 4 * model.stats["train_words"]
    assert last["words"] == last["total"]
    assert len(last["per_thread"]) == 5


def test_learning_rate_decays_to_the_floor():
    from w2vfast import options
    o = options.resolve(size=4, negative=1, alpha=0.5, iter=2)
    trainer = _core.Trainer(o, np.zeros((3, 4), np.float32),
                            [("ns", 1, np.zeros((3, 4), np.float32), _core.alias_table(np.ones(3)))])
    assert trainer.progress()["alpha"] == pytest.approx(0.5)


def test_stats_and_vector_choices(grouped_corpus):
    kw = dict(size=10, iter=1, min_count=1, threads=1, seed=1)
    m_in = w2vfast.train(str(grouped_corpus), **kw)
    m_sum = w2vfast.train(str(grouped_corpus), vectors="sum", **kw)
    m_cat = w2vfast.train(str(grouped_corpus), vectors="concat", **kw)
    assert m_in.vectors.shape == (97, 10)  # 96 words and </s>
    np.testing.assert_allclose(m_sum.vectors, m_in.syn0 + m_in.syn1neg, rtol=1e-6)
    np.testing.assert_array_equal(m_cat.vectors, np.hstack([m_in.syn0, m_in.syn1neg]))
    assert m_in.index_to_key[0] == "</s>"
    assert m_in.stats["train_words"] == 12_000 * 11


def test_divergence_is_an_error_not_garbage(grouped_corpus, tmp_path):
    out = tmp_path / "v.txt"
    with pytest.raises(w2vfast.TrainingError, match="smaller -alpha"):
        w2vfast.train(str(grouped_corpus), size=10, iter=2, min_count=1, threads=2, alpha=1e4,
                      cbow=1, output=str(out))
    assert not out.exists()


def test_gensim_loads_what_we_train(grouped_corpus, tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    model = w2vfast.train(str(grouped_corpus), size=12, iter=1, min_count=1, threads=2)
    for binary in (False, True):
        path = tmp_path / f"v{int(binary)}"
        model.save(str(path), binary=binary)
        kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
        assert kv.index_to_key == model.index_to_key
        np.testing.assert_allclose(kv.vectors, model.vectors, atol=1e-6 if not binary else 0)
        ours = w2vfast.load(str(path))
        assert ours.index_to_key == model.index_to_key


def test_id_stream_round_trips_and_slices_cover_it(tmp_path):
    """The corpus is kept as varint ids: decoding gives the corpus back, and the threads' slices
    (cut at byte offsets, aligned to id starts) cover every id exactly once per epoch."""
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(3000)]  # ids above 127 take 2 bytes
    tokens = [words[i] for i in rng.zipf(1.1, 40_000) % len(words)]
    path = tmp_path / "c.txt"
    path.write_text(" ".join(tokens) + "\n")
    from w2vfast.vocab import build_vocabulary
    d = build_vocabulary(str(path), min_count=1)
    vocab = d.words()
    assert [vocab[i].decode() for i in d.ids()] == tokens + ["</s>"]
    assert d.ids_bytes < 4 * d.n_ids
    for threads in (1, 3, 7):
        seen = []
        w2vfast.train(str(path), size=4, iter=2, min_count=1, threads=threads, progress=seen.append)
        assert seen[-1]["words"] == 2 * d.n_ids


@pytest.mark.parametrize("mode", ["sg-ns", "cbow-ns"])
def test_reported_loss_falls_as_the_model_learns(grouped_corpus, mode):
    """The progress reports carry the loss of the examples since the previous report."""
    seen = []
    w2vfast.train(str(grouped_corpus), size=16, iter=60 if "cbow" in mode else 12, min_count=1,
                  threads=1, sample=0, alpha=0.01, progress=seen.append, **MODES[mode])
    losses = [s["loss"] for s in seen if np.isfinite(s["loss"])]
    assert len(losses) >= 2
    assert losses[-1] < 0.97 * losses[0], losses


def test_loss_of_an_untrained_model_is_the_chance_level(grouped_corpus):
    """With all scores near 0, each of the 1 + K targets of an example costs log 2."""
    seen = []
    w2vfast.train(str(grouped_corpus), size=16, iter=1, min_count=1, threads=2, cbow=0, negative=5,
                  alpha=1e-9, progress=seen.append)
    # 1 + 5 targets, less the noise words that equal the centre word (skipped: ~1/96 of them)
    assert 5.9 * np.log(2) < seen[-1]["loss"] < 6.0 * np.log(2)


@pytest.mark.parametrize("mode", ["sg-hs", "sg-hs-exact"])
def test_hs_loss_reaches_the_entropy_of_the_corpus(grouped_corpus, mode):
    """HS is a normalised model: its loss is a cross-entropy, bounded below by the corpus's
    conditional entropy.  In the grouped corpus a word's neighbour is uniform over its group of
    12 (sentence ends aside), so a well-trained model reaches ln 12 and cannot go below it."""
    seen = []
    w2vfast.train(str(grouped_corpus), size=16, iter=6, min_count=1, threads=1, sample=0,
                  window=1, progress=seen.append, **MODES[mode])
    assert 0.99 * np.log(12) < seen[-1]["loss"] < 1.05 * np.log(12)


def test_skipgram_trains_window_blocks_unless_asked():
    from w2vfast.options import resolve
    assert resolve(cbow=0, negative=5, hs=0)["batch"] == 1
    assert resolve(cbow=0, negative=0, hs=1)["batch"] == 1
    assert resolve(cbow=0, negative=0, hs=1, batch=0)["batch"] == 0


def test_parameter_matrices_are_zeroed_writable_and_on_huge_pages_where_offered():
    from w2vfast.memory import HUGE_PAGE_MIN_BYTES, parameter_matrix
    big_rows = HUGE_PAGE_MIN_BYTES // 400 + 1
    for rows, dim in [(0, 5), (10, 7), (40000, 100), (big_rows, 100)]:
        m = parameter_matrix(rows, dim)
        assert m.shape == (rows, dim) and m.dtype == np.float32 and m.flags.writeable
        assert m.flags.c_contiguous and not m.any()
        m[:] = 1.5
        assert float(m.sum()) == 1.5 * rows * dim
    big = parameter_matrix(big_rows, 100)
    big[:] = 1.0
    start = big.ctypes.data
    try:
        with open("/proc/self/smaps") as f:
            smaps = f.read()
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read()
    except OSError:
        pytest.skip("no /proc/self/smaps or THP settings on this system")
    if "[never]" in thp:
        pytest.skip("transparent huge pages are off on this machine")
    eligible = None
    lines = smaps.splitlines()
    for i, line in enumerate(lines):
        head = line.split()[0]
        if "-" in head and all(c in "0123456789abcdef-" for c in head):
            lo, hi = (int(x, 16) for x in head.split("-"))
            if lo <= start < hi:
                for entry in lines[i + 1:]:
                    if entry.startswith("THPeligible:"):
                        eligible = int(entry.split()[1])
                        break
                break
    assert eligible == 1, "the matrix's mapping should be eligible for transparent huge pages"


def _trainer(corpus_path, mode, hot_nodes, block_bytes=None, **extra):
    """A low-level Trainer on the grouped corpus, fresh matrices, one mode."""
    from w2vfast import options
    from w2vfast.kinds import ModelKind
    d = _core.Dictionary()
    with open(corpus_path, "rb") as f:
        d.feed(f.read(), last=True)
    d.finalize(1)
    counts = d.counts()
    o = options.resolve(**{**dict(min_count=1, iter=2, size=16, sample=0, seed=4), **MODES[mode], **extra})
    kind = ModelKind.of(o)
    m = kind.new_matrices(len(counts), o)
    return kind.trainer(o, m, counts, corpus=d, hot_nodes=hot_nodes, block_bytes=block_bytes), m


@pytest.mark.parametrize("mode", ["sg-hs", "sg-hs-exact", "cbow-hs", "sg-ns+hs"])
@pytest.mark.parametrize("hot", [5, 1000])
def test_threads_own_copies_of_hot_hs_nodes_change_nothing_for_one_thread(grouped_corpus, mode, hot):
    """With several threads, each trains its own copies of the HS nodes nearest the root and
    merges them into syn1 every few windows and when it pauses (csrc/hot.h).  One
    thread forced to do the same must give exactly its plain run: every update
    of a copy reaches syn1, none twice, and training resumes from syn1 after each pause (the
    7 synchronisation points).  `hot` = 5 copies the top of the tree, 1000 all of it."""
    plain, m0 = _trainer(grouped_corpus, mode, 0)
    plain.run(threads=1)
    copies, m1 = _trainer(grouped_corpus, mode, hot)
    copies.run(threads=1, sync=lambda trainer, k: None, sync_points=7)
    assert np.abs(m0["syn1"][-6:-1]).min() > 0  # the top nodes were trained (row V-1 is no node)
    np.testing.assert_array_equal(m1["syn1"], m0["syn1"])
    np.testing.assert_array_equal(m1["syn0"], m0["syn0"])


@pytest.mark.parametrize("mode", ["sg-ns", "cbow-ns", "sg-hs", "sg-hs-exact"])
def test_corpus_blocks_change_nothing_for_one_thread(grouped_corpus, mode):
    """The threads take the corpus in blocks from a shared counter (csrc/schedule.h: w2v_claim_block), and
    a sentence that runs past its block's end goes on into the next block while that one is free.
    So one thread reads every epoch as one unbroken stream: blocks of 7 bytes (hundreds, most
    ending inside a sentence) give exactly the run with one block per epoch, through 7 pauses."""
    one, m0 = _trainer(grouped_corpus, mode, 0, block_bytes=1 << 40)
    one.run(threads=1)
    many, m1 = _trainer(grouped_corpus, mode, 0, block_bytes=7)
    many.run(threads=1, sync=lambda trainer, k: None, sync_points=7)
    assert one.state()["blocks"] == 1 and many.state()["blocks"] > 100
    for name in ("syn0", "syn1", "syn1neg"):
        if name in m0:
            np.testing.assert_array_equal(m1[name], m0[name])


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_share_the_blocks_and_train_each_once(grouped_corpus, threads):
    """Several threads claiming and extending hundreds of tiny blocks: every id of every epoch is
    read once (a block taken twice, or lost between two threads, would change the count)."""
    tr, m = _trainer(grouped_corpus, "sg-ns", 0, block_bytes=7, iter=3)
    tr.run(threads=threads)
    p = tr.progress()
    assert tr.finished
    assert p["words"] == sum(p["per_thread"]) == p["total"] > 0


def test_several_threads_merge_their_hot_hs_nodes_into_syn1(grouped_corpus):
    """With 2 threads the hot nodes are trained in copies: when the run ends, syn1 holds the
    threads' updates of them (a lost merge leaves them at the untrained zeros), and the loss
    reaches the ln 12 of a trained model (test_hs_loss_reaches_the_entropy_of_the_corpus)."""
    seen = []
    model = w2vfast.train(str(grouped_corpus), size=16, iter=6, min_count=1, threads=2, sample=0,
                          window=1, progress=seen.append, **MODES["sg-hs"])
    top = model.syn1[len(model.syn1) - 6:-1]  # the last inner nodes (row V-1 is no node)
    assert np.linalg.norm(top, axis=1).min() > 0.5
    assert 0.99 * np.log(12) < seen[-1]["loss"] < 1.05 * np.log(12)


def test_a_merge_adds_a_threads_changes_to_what_the_others_made_of_the_nodes():
    rng = np.random.default_rng(2)
    syn1 = rng.normal(size=(9, 5)).astype(np.float32)
    base = syn1[4:8].copy()                              # the rows as this thread copied them
    copies = base + rng.normal(size=base.shape).astype(np.float32)  # what it trained since
    syn1[4:8] += rng.normal(size=base.shape).astype(np.float32)     # what the others did since
    expected = syn1.astype(np.float64)
    expected[4:8] += copies - base
    untouched = syn1.copy()
    _core.hot_merge(syn1, copies, base, 4)
    np.testing.assert_allclose(syn1, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(np.delete(syn1, range(4, 8), 0), np.delete(untouched, range(4, 8), 0))
    np.testing.assert_array_equal(copies, syn1[4:8])  # both now start from the merged rows
    np.testing.assert_array_equal(base, syn1[4:8])
    with pytest.raises(ValueError):
        _core.hot_merge(syn1, copies, base, 6)


def test_hot_node_copies_stay_small_for_wide_rows_and_many_threads():
    count = _core.hot_node_count
    assert count(67874, 100, 1) == 0               # one thread trains syn1 itself
    assert count(67874, 100, 2) == 255             # the top 8 levels
    assert count(50, 100, 2) == 49                 # a small tree: all of it
    assert count(67874, 1000, 2) == 32             # 128 KiB a copy
    for threads in (2, 64, 4096):                  # 64 MiB for all copies and bases
        for dim in (1, 100, 1000):
            assert threads * 2 * count(10**6, dim, threads) * dim * 4 <= 64 << 20
    assert count(67874, 100, 4096) == 20
