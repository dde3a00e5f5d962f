"""Paragraph vectors' updates against a NumPy reference (csrc/input.h, train_loop.h).

A tiny corpus, one thread, hierarchical softmax (no random targets), no subsampling and, for
PV-DM, window 1 (the dynamic radius is then always 1): every update is known, and the
reference replays them with test_kernels.py's HS step, which looks the sigmoid up in the C
core's table.  Then every parameter must agree to float rounding.  PV-DBOW's example with
negative sampling (random targets) is checked alone, through the kernel tests' probe.
"""
import numpy as np
import pytest

from w2vfast import _core, tables
from w2vfast.vocab import build_vocabulary

# the word2vec kernels' reference, and its autouse fixture: every test here runs on each build
from test_kernels import MAX_EXP, isa, make_model, path, ref_hs, table_loss, table_sigmoid  # noqa: F401

D, ALPHA = 8, 0.025
CONFIG = dict(size=D, window=1, cbow=0, cbow_mean=1, iter=1, max_sentence_length=1000, batch=0,
              alpha=ALPHA, min_alpha_ratio=1e-4, seed=3)


def setup(tmp_path, text):
    path = tmp_path / "docs.txt"
    path.write_bytes(text)
    d = build_vocabulary(str(path), min_count=1, record_ids=True, threads=1)
    counts = np.asarray(d.counts(), dtype=np.uint64)
    offset, codes, points = tables.huffman_codes(counts)
    n_lines, _ = _core.count_lines(d)
    block = _core.init_uniform(len(counts) + n_lines, D, 7)
    syn1 = np.zeros((len(counts), D), dtype=np.float32)
    hs = ("hs", 0, syn1, (offset.astype(np.uint32), codes.astype(np.uint8), points.astype(np.uint32)))
    return d, block, syn1, hs, (offset, codes, points)


def path_of(huffman, w):
    offset, codes, points = huffman
    lo, hi = int(offset[w]), int(offset[w + 1])
    return codes[lo:hi], points[lo:hi]


def lines(d):
    ids = d.ids().tolist()
    out, cur = [], []
    for i in ids:
        if i == 0:
            out.append(cur)
            cur = []
        else:
            cur.append(i)
    return out + ([cur] if cur else [])


def test_pv_dbow_update_matches_the_reference(tmp_path):
    d, block, syn1, hs, huffman = setup(tmp_path, b"a b a c\nb c c\n\na a\n")
    V = len(d.counts())
    ref_block, ref_syn1 = block.copy(), syn1.copy()
    trainer = _core.Trainer(CONFIG, block, [hs], corpus=d, input="pv-dbow", documents=(V, None, 0))
    trainer.run(threads=1)
    for doc, words in enumerate(lines(d)):
        for w in words:
            l1 = ref_block[V + doc]
            neu1e = np.zeros(D, dtype=np.float32)
            ref_hs(l1, ref_syn1, *path_of(huffman, w), ALPHA, neu1e)
            l1 += neu1e
    np.testing.assert_allclose(block, ref_block, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(syn1, ref_syn1, rtol=1e-5, atol=1e-7)
    initial = _core.init_uniform(V + 4, D, 7)
    assert (block[:V] == initial[:V]).all()  # PV-DBOW alone leaves the words as they were
    assert (block[V + 2] == initial[V + 2]).all()  # the empty line's document: not trained
    assert not np.allclose(block[[V, V + 1, V + 3]], initial[[V, V + 1, V + 3]])


def test_pv_dm_update_matches_the_reference(tmp_path):
    for mean in (1, 0):
        d, block, syn1, hs, huffman = setup(tmp_path, b"a b a c\nb c c\n\na a\n")
        V = len(d.counts())
        ref_block, ref_syn1 = block.copy(), syn1.copy()
        trainer = _core.Trainer({**CONFIG, "cbow_mean": mean}, block, [hs], corpus=d, input="pv-dm",
                                documents=(V, None, 0))
        trainer.run(threads=1)
        for doc, words in enumerate(lines(d)):
            for i, w in enumerate(words):
                rows = [words[c] for c in (i - 1, i + 1) if 0 <= c < len(words)] + [V + doc]
                neu1 = ref_block[rows].sum(axis=0)
                if mean:
                    neu1 /= np.float32(len(rows))
                neu1e = np.zeros(D, dtype=np.float32)
                ref_hs(neu1, ref_syn1, *path_of(huffman, w), ALPHA, neu1e)
                for r in rows:
                    ref_block[r] += neu1e
        np.testing.assert_allclose(block, ref_block, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(syn1, ref_syn1, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("max_length", [1, 2, 1000])
def test_a_long_line_keeps_its_document_across_sentences(tmp_path, max_length):
    """-max-sentence-length cuts a line into several sentences: all of them train the line's
    document, and the next line's words its own."""
    d, block, syn1, hs, huffman = setup(tmp_path, b"a b c a b c\nc\n")
    V = len(d.counts())
    ref_block, ref_syn1 = block.copy(), syn1.copy()
    trainer = _core.Trainer({**CONFIG, "max_sentence_length": max_length}, block, [hs], corpus=d,
                            input="pv-dbow", documents=(V, None, 0))
    trainer.run(threads=1)
    for doc, words in enumerate(lines(d)):
        for w in words:
            neu1e = np.zeros(D, dtype=np.float32)
            ref_hs(ref_block[V + doc], ref_syn1, *path_of(huffman, w), ALPHA, neu1e)
            ref_block[V + doc] += neu1e
    np.testing.assert_allclose(block, ref_block, rtol=1e-5, atol=1e-7)


def test_line_counts_and_documents_checks(tmp_path):
    d, block, syn1, hs, _ = setup(tmp_path, b"a b\n\nb\nc")  # no final newline: 4 lines, 1 empty
    assert _core.count_lines(d) == (4, 1)
    V = len(d.counts())
    with pytest.raises(ValueError, match="lines"):  # rows for 3 documents only
        _core.Trainer(CONFIG, block[:V + 3], [hs], corpus=d, input="pv-dbow", documents=(V, None, 0))
    with pytest.raises(ValueError, match="documents"):
        _core.Trainer(CONFIG, block, [hs], corpus=d, input="pv-dbow")
    with pytest.raises(ValueError, match="line_doc"):
        _core.Trainer(CONFIG, block, [hs], corpus=d, input="pv-dm", documents=(V, np.zeros(2, np.uint32), 0))


@pytest.mark.parametrize("input", ["pv-dbow", "pv-dm"])
def test_inferring_leaves_words_and_outputs_as_they_were(tmp_path, input):
    """frozen: the documents' rows learn as in training, from the same steps, but the words'
    rows and the output rows do not move (PV-DBOW: the reference above without syn1's step)."""
    d, block, syn1, hs, huffman = setup(tmp_path, b"a b a c\nb c c\n")
    V = len(d.counts())
    syn1[:] = np.random.default_rng(1).normal(0, 0.1, syn1.shape)  # a trained model's rows
    before_block, before_syn1 = block.copy(), syn1.copy()
    trainer = _core.Trainer(CONFIG, block, [hs], corpus=d, input=input, documents=(V, None, 0),
                            frozen=True)
    trainer.run(threads=1)
    assert (block[:V] == before_block[:V]).all() and (syn1 == before_syn1).all()
    assert not np.allclose(block[V:], before_block[V:])
    if input == "pv-dbow":
        ref = before_block.copy()
        for doc, words in enumerate(lines(d)):
            for w in words:
                neu1e = np.zeros(D, dtype=np.float32)
                ref_hs(ref[V + doc], before_syn1.copy(), *path_of(huffman, w), ALPHA, neu1e)
                ref[V + doc] += neu1e
        np.testing.assert_allclose(block, ref, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="frozen"):
        _core.Trainer(CONFIG, block, [hs], corpus=d, input="pv-dbow", documents=(V, None, 1), frozen=True)


def ref_block_of_one(x, rows, ids, labels, alpha, dx, learn, hs):
    """One row x against target rows: every score from the rows as before the example, then each
    target's two updates in turn (a row listed twice takes both)."""
    scores = [float(x @ rows[i]) for i in ids]
    loss = 0.0
    for i, label, f in zip(ids, labels, scores):
        loss += table_loss(f, label)
        if -MAX_EXP < f < MAX_EXP:
            s = table_sigmoid(f)
        else:
            s = label if hs else (1.0 if f > 0 else 0.0)
        g = (label - s) * alpha
        dx += g * rows[i]
        if learn:
            rows[i] += g * x
    return loss


@pytest.mark.parametrize("negative,hs", [(4, 0), (0, 1), (4, 1)], ids=["ns", "hs", "ns+hs"])
@pytest.mark.parametrize("learn", [True, False], ids=["training", "inferring"])
@pytest.mark.parametrize("scale", [0.5, 3.0], ids=["small", "saturating"])
def test_pv_dbow_block_of_one_matches_numpy(negative, hs, learn, scale):
    """PV-DBOW's document example (input.h w2v_train_one_context, block.h w2v_block_one), with
    negative sampling too: a noise word drawn twice takes both its updates, the word drawn as
    its own noise none; inferring, the output rows stay.  D = 21 runs every column tail."""
    trainer, syn0, syn1, syn1neg, huff = make_model(D=21, negative=negative, hs=hs, scale=scale)
    word, row, alpha = 3, 7, 0.05
    targets = np.array([word, 1, 9, 1, word][: negative + 1], dtype=np.uint32)
    r0 = syn0.astype(np.float64)
    r1 = syn1.astype(np.float64) if hs else None
    r1neg = syn1neg.astype(np.float64) if negative else None
    x, dx, loss = r0[row].copy(), np.zeros(21), 0.0
    if hs:  # the losses in the model's order: HS, then NS
        codes, points = path(huff, word)
        loss += ref_block_of_one(x, r1, points, 1.0 - codes, alpha, dx, learn, hs=True)
    if negative:
        kept = [int(t) for d, t in enumerate(targets) if d == 0 or t != word]
        loss += ref_block_of_one(x, r1neg, kept, [1.0] + [0.0] * (len(kept) - 1), alpha, dx, learn, hs=False)
    r0[row] += dx
    before = [m.copy() for m in (syn1, syn1neg) if m is not None]

    got = trainer.probe.one_context(word, row, targets, alpha, learn)
    assert got == pytest.approx(loss, rel=1e-5, abs=1e-5)
    np.testing.assert_allclose(syn0, r0, atol=1e-5)
    for m, ref in ((syn1, r1), (syn1neg, r1neg)):
        if m is not None:
            np.testing.assert_allclose(m, ref, atol=1e-5)
    if not learn:
        assert all((m == b).all() for m, b in zip([m for m in (syn1, syn1neg) if m is not None], before))
    if np.abs(dx).max() > 1e-4:  # a step was taken (saturated HS takes none) and the row moved by it
        assert not np.allclose(syn0[row], make_model(D=21, negative=negative, hs=hs, scale=scale)[1][row])
