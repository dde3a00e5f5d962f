"""The four kernels against a NumPy reference, and the tables they use.

Each test makes one update on tiny random matrices with fixed targets (so no randomness is
involved) and compares every parameter afterwards.  The reference looks the sigmoid up in the
same table with the same index formula, so the two must agree to float rounding.
"""
import heapq
import itertools

import numpy as np
import pytest

from w2vfast import _core

MAX_EXP = _core.MAX_EXP
TABLES = _core.sigmoid_table()
TABLE = TABLES[: _core.SIGMOID_TABLE_SIZE]
LOG_TABLE = TABLES[_core.SIGMOID_TABLE_SIZE:]


def table_sigmoid(f):
    scale = np.float32((len(TABLE) - 1) / (2.0 * MAX_EXP))
    i = int(np.float32(np.float32(f) + np.float32(MAX_EXP)) * scale + np.float32(0.5))
    return float(TABLE[i])


def table_loss(f, label):
    """-log p(label | f) as the kernels compute it from the log-sigmoid table."""
    if -MAX_EXP < f < MAX_EXP:
        scale = np.float32((len(TABLE) - 1) / (2.0 * MAX_EXP))
        log_s = float(LOG_TABLE[int(np.float32(np.float32(f) + np.float32(MAX_EXP)) * scale + np.float32(0.5))])
    else:
        log_s = 0.0 if f > 0 else f
    return -log_s if label > 0.5 else f - log_s


def ref_ns(l1, syn1neg, targets, alpha, neu1e):
    loss = 0.0
    for d, t in enumerate(targets):
        if d > 0 and t == targets[0]:
            continue
        f = float(l1 @ syn1neg[t])
        label = 1.0 if d == 0 else 0.0
        s = 1.0 if f > MAX_EXP else 0.0 if f < -MAX_EXP else table_sigmoid(f)
        g = (label - s) * alpha
        loss += table_loss(f, label)
        neu1e += g * syn1neg[t]
        syn1neg[t] += g * l1
    return loss


def ref_hs(l1, syn1, codes, points, alpha, neu1e):
    loss = 0.0
    for code, point in zip(codes, points):
        f = float(l1 @ syn1[point])
        loss += table_loss(f, 1.0 - code)
        if f <= -MAX_EXP or f >= MAX_EXP:
            continue
        g = (1.0 - code - table_sigmoid(f)) * alpha
        neu1e += g * syn1[point]
        syn1[point] += g * l1
    return loss


@pytest.fixture(autouse=True, params=_core.available_isas())
def isa(request, monkeypatch):
    """Every kernel test runs against each build of the training loop this CPU can run
    (AVX-512, AVX2 and generic here): W2VFAST_ISA picks the build a Trainer uses."""
    monkeypatch.setenv("W2VFAST_ISA", request.param)
    return request.param


def make_model(V=12, D=16, negative=3, hs=1, cbow=0, cbow_mean=1, scale=0.5, seed=0, window=5, counts=None):
    rng = np.random.default_rng(seed)
    if counts is None:
        counts = np.sort(rng.integers(1, 1000, V).astype(np.uint64))[::-1].copy()
    syn0 = rng.uniform(-scale, scale, (V, D)).astype(np.float32)
    syn1 = rng.uniform(-scale, scale, (V, D)).astype(np.float32) if hs else None
    syn1neg = rng.uniform(-scale, scale, (V, D)).astype(np.float32) if negative else None
    huff = _core.huffman(counts)
    noise = _core.alias_table(counts.astype(np.float64) ** 0.75)
    config = {**CONFIG, "size": D, "cbow": cbow, "cbow_mean": cbow_mean, "window": window}
    losses = ([("hs", 0, syn1, huff)] if hs else []) + ([("ns", negative, syn1neg, noise)] if negative else [])
    trainer = _core.Trainer(config, syn0, losses)
    return Steps(trainer), syn0, syn1, syn1neg, huff


# the C config's options (every one must be given: _core holds no defaults)
CONFIG = {"size": 16, "window": 5, "cbow": 0, "cbow_mean": 1, "iter": 1, "max_sentence_length": 1000,
          "batch": 1, "alpha": 0.025, "min_alpha_ratio": 1e-4, "seed": 1}


class Steps:
    """A trainer's single updates (csrc/probe_loop.h), by the names the tests use."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.probe = _core.Probe(trainer)
        self.isa = trainer.isa

    def step_sg(self, word, context, targets, alpha):
        return self.probe.sg_pair(word, context, targets, alpha)

    def step_sg_window(self, word, context, targets, alpha):
        return self.probe.sg_window(word, context, targets, alpha)

    def step_cbow(self, word, context, targets, alpha):
        return self.probe.cbow(word, context, targets, alpha)


def path(huff, word):
    offset, codes, points = huff
    lo, hi = offset[word], offset[word + 1]
    return codes[lo:hi].astype(np.float64), points[lo:hi]


@pytest.mark.parametrize("negative,hs", [(3, 0), (0, 1), (3, 1)], ids=["ns", "hs", "ns+hs"])
@pytest.mark.parametrize("scale", [0.5, 3.0], ids=["small", "saturating"])
def test_skipgram_step_matches_numpy(negative, hs, scale):
    trainer, syn0, syn1, syn1neg, huff = make_model(negative=negative, hs=hs, scale=scale)
    word, context, alpha = 3, 7, 0.025
    targets = np.array([word, 1, 3, 9][: negative + 1], dtype=np.uint32)  # 3 repeats the word: skipped
    r0, r1 = syn0.astype(np.float64), syn1.astype(np.float64) if hs else None
    r1neg = syn1neg.astype(np.float64) if negative else None

    l1 = r0[context].copy()
    neu1e = np.zeros_like(l1)
    loss = 0.0
    if hs:
        loss += ref_hs(l1, r1, *path(huff, word), alpha, neu1e)
    if negative:
        loss += ref_ns(l1, r1neg, targets, alpha, neu1e)
    r0[context] += neu1e

    assert trainer.step_sg(word, context, targets, alpha) == pytest.approx(loss, rel=1e-5, abs=1e-5)
    np.testing.assert_allclose(syn0, r0, atol=1e-5)
    if hs:
        np.testing.assert_allclose(syn1, r1, atol=1e-5)
    if negative:
        np.testing.assert_allclose(syn1neg, r1neg, atol=1e-5)
    assert not np.array_equal(syn0, make_model(negative=negative, hs=hs, scale=scale)[1])


@pytest.mark.parametrize("negative,hs", [(4, 0), (0, 1), (2, 1)], ids=["ns", "hs", "ns+hs"])
@pytest.mark.parametrize("cbow_mean", [1, 0], ids=["mean", "sum"])
def test_cbow_step_matches_numpy(negative, hs, cbow_mean):
    trainer, syn0, syn1, syn1neg, huff = make_model(negative=negative, hs=hs, cbow=1, cbow_mean=cbow_mean,
                                                    scale=0.3)
    word, alpha = 5, 0.05
    context = np.array([1, 2, 8, 2], dtype=np.uint32)  # a repeated context word is updated twice
    targets = np.array([word, 0, 11, 4, 6][: negative + 1], dtype=np.uint32)
    r0, r1 = syn0.astype(np.float64), syn1.astype(np.float64) if hs else None
    r1neg = syn1neg.astype(np.float64) if negative else None

    neu1 = r0[context].sum(axis=0)
    if cbow_mean:
        neu1 /= len(context)
    neu1e = np.zeros_like(neu1)
    loss = 0.0
    if hs:
        loss += ref_hs(neu1, r1, *path(huff, word), alpha, neu1e)
    if negative:
        loss += ref_ns(neu1, r1neg, targets, alpha, neu1e)
    for c in context:
        r0[c] += neu1e

    assert trainer.step_cbow(word, context, targets, alpha) == pytest.approx(loss, rel=1e-5, abs=1e-5)
    np.testing.assert_allclose(syn0, r0, atol=1e-5)
    if hs:
        np.testing.assert_allclose(syn1, r1, atol=1e-5)
    if negative:
        np.testing.assert_allclose(syn1neg, r1neg, atol=1e-5)


def test_step_rejects_words_outside_the_vocabulary():
    trainer = make_model(negative=2, hs=0)[0]
    with pytest.raises(IndexError):
        trainer.step_sg(99, 1, np.array([99, 1, 2], dtype=np.uint32), 0.1)
    with pytest.raises(ValueError):
        trainer.step_sg(1, 1, np.array([1, 2], dtype=np.uint32), 0.1)


def test_sigmoid_table_error_bound():
    x = np.linspace(-MAX_EXP + 1e-4, MAX_EXP - 1e-4, 200_001)
    exact = 1.0 / (1.0 + np.exp(-x))
    scale = (len(TABLE) - 1) / (2.0 * MAX_EXP)
    approx = TABLE[((x + MAX_EXP) * scale + 0.5).astype(int)]
    # nearest-entry lookup: error <= max slope (1/4) x half a step
    bound = 0.25 * 0.5 / scale
    assert np.max(np.abs(approx - exact)) <= bound + 1e-7
    assert bound < 1.5e-3
    assert TABLE[0] == pytest.approx(1 / (1 + np.exp(MAX_EXP)), rel=1e-6)
    assert TABLE[-1] == pytest.approx(1 / (1 + np.exp(-MAX_EXP)), rel=1e-6)


def test_loss_table_matches_log_sigmoid():
    x = np.linspace(-MAX_EXP + 1e-3, MAX_EXP - 1e-3, 10_001)
    exact_pos = np.log1p(np.exp(-x))  # -log sigma(x)
    ours_pos = np.array([table_loss(v, 1.0) for v in x])
    ours_neg = np.array([table_loss(v, 0.0) for v in x])
    assert np.max(np.abs(ours_pos - exact_pos)) < 6e-3  # half a table step times slope <= 1
    assert np.max(np.abs(ours_neg - (exact_pos + x))) < 6e-3
    assert table_loss(50.0, 1.0) == 0.0 and table_loss(-50.0, 1.0) == 50.0
    assert table_loss(50.0, 0.0) == 50.0 and table_loss(-50.0, 0.0) == 0.0


def huffman_cost(counts):
    """Cost sum(count x depth) of an optimal prefix code: the sum of all merged weights."""
    heap = [int(c) for c in counts]
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


@pytest.mark.parametrize("seed", range(5))
def test_huffman_is_an_optimal_prefix_code(seed):
    rng = np.random.default_rng(seed)
    V = int(rng.integers(2, 300))
    counts = np.sort(rng.zipf(1.3, V).clip(1, 10**9).astype(np.uint64))[::-1].copy()
    offset, codes, points = _core.huffman(counts)
    words = ["".join(map(str, codes[offset[w]:offset[w + 1]])) for w in range(V)]
    lengths = np.diff(offset.astype(np.int64))
    assert (lengths >= 1).all()
    assert int((counts.astype(np.int64) * lengths).sum()) == huffman_cost(counts)
    # prefix-free: sorted, no code is a prefix of the next one
    ordered = sorted(words)
    assert all(not b.startswith(a) for a, b in zip(ordered, ordered[1:]))
    # points are inner nodes, the root (V - 2) first, and a node has at most 2 children
    assert points.max() <= V - 2
    assert all(points[offset[w]] == V - 2 for w in range(V))
    children = {}
    for w in range(V):
        for j in range(offset[w], offset[w + 1]):
            key = (int(points[j]), int(codes[j]))
            nxt = int(points[j + 1]) if j + 1 < offset[w + 1] else ("leaf", w)
            children.setdefault(key, set()).add(nxt)
    assert all(len(v) == 1 for v in children.values())  # one child per (node, branch)


def test_huffman_needs_two_words():
    with pytest.raises(ValueError):
        _core.huffman(np.array([5], dtype=np.uint64))


def test_alias_sampler_matches_unigram_power():
    rng = np.random.default_rng(3)
    counts = rng.zipf(1.5, 40).clip(1, 10**6).astype(np.float64)
    weights = counts ** 0.75
    weights[0] = 0.0  # the sentence end is never a noise word
    threshold, alias = _core.alias_table(weights)
    n = 400_000
    draws = _core.sample_noise(threshold, alias, n, seed=11)
    observed = np.bincount(draws, minlength=len(weights))
    expected = weights / weights.sum() * n
    assert observed[0] == 0
    mask = expected > 0
    chi2 = (((observed - expected) ** 2)[mask] / expected[mask]).sum()
    # chi-square with 38 degrees of freedom: P(chi2 > 70.7) = 0.001
    assert chi2 < 70.7
    # and a wrong distribution (plain unigram) is rejected by the same test
    wrong = counts / counts.sum() * n
    chi2_wrong = (((observed - wrong) ** 2)[mask] / wrong[mask]).sum()
    assert chi2_wrong > 1000


def test_alias_rejects_all_zero_weights():
    with pytest.raises(ValueError):
        _core.alias_table(np.zeros(4))


def test_keep_thresholds_follow_word2vec_formula():
    counts = np.array([0, 10_000, 1_000, 10, 1], dtype=np.uint64)
    sample = 1e-3
    thr = _core.keep_thresholds(counts, sample)
    total = counts.sum()
    for c, t in zip(counts[1:], thr[1:]):
        keep = (np.sqrt(c / (sample * total)) + 1) * (sample * total) / c
        assert t == (2**32 if keep >= 1 else pytest.approx(keep * 2**32, abs=1.0))
    assert (_core.keep_thresholds(counts, 0.0) == 2**32).all()


def test_init_uniform_range_and_determinism():
    m = _core.init_uniform(500, 20, 7)
    assert m.dtype == np.float32 and m.shape == (500, 20)
    assert m.min() >= -0.5 / 20 and m.max() < 0.5 / 20
    assert abs(m.mean()) < 1e-3
    np.testing.assert_array_equal(m, _core.init_uniform(500, 20, 7))
    assert not np.array_equal(m, _core.init_uniform(500, 20, 8))


def ref_block(syn0, out, ctx, rows, labels, alpha, hs, dM):
    """The skip-gram window block.  NS: S = M T', G = (labels - s(S)) alpha, M += G T, T += G' M,
    all from the rows as before the block.  HS: word2vec.c's pair-by-pair order, each context
    updating the nodes before the next one scores them (with the context rows as before the
    block)."""
    M = syn0[ctx].copy()
    T = out[rows].copy()
    loss = 0.0
    G = np.zeros((len(ctx), len(rows)))
    for j in range(len(ctx)):
        for r in range(len(rows)):
            f = float(M[j] @ T[r])
            loss += table_loss(f, labels[r])
            if -MAX_EXP < f < MAX_EXP:
                G[j, r] = (labels[r] - table_sigmoid(f)) * alpha
            elif not hs:
                G[j, r] = (labels[r] - (1.0 if f > 0 else 0.0)) * alpha
            if hs:
                dM[j] += G[j, r] * T[r]
                T[r] += G[j, r] * M[j]
    if hs:
        out[rows] = T  # path nodes are distinct
    else:
        dM += G @ T
        np.add.at(out, rows, G.T @ M)
    return loss


@pytest.mark.parametrize("negative,hs", [(4, 0), (0, 1), (3, 1)], ids=["ns", "hs", "ns+hs"])
@pytest.mark.parametrize("scale", [0.5, 3.0], ids=["small", "saturating"])
def test_skipgram_window_block_matches_numpy(negative, hs, scale):
    trainer, syn0, syn1, syn1neg, huff = make_model(V=40, negative=negative, hs=hs, scale=scale)
    word, alpha = 6, 0.025
    context = np.array([1, 2, 9, 2, 30, 7], dtype=np.uint32)  # 2 twice: updated twice
    targets = np.array([word, 3, 6, 11, 3][: negative + 1], dtype=np.uint32)  # 6 = word: skipped; 3 twice
    r0 = syn0.astype(np.float64)
    r1 = syn1.astype(np.float64) if hs else None
    r1neg = syn1neg.astype(np.float64) if negative else None
    dM = np.zeros((len(context), syn0.shape[1]))
    loss = 0.0
    if hs:
        codes, points = path(huff, word)
        loss += ref_block(r0, r1, context, points, 1.0 - codes, alpha, True, dM)
    if negative:
        keep = [0] + [d for d in range(1, negative + 1) if targets[d] != word]
        labels = np.array([1.0] + [0.0] * (len(keep) - 1))
        loss += ref_block(r0, r1neg, context, targets[keep], labels, alpha, False, dM)
    np.add.at(r0, context, dM)

    assert trainer.step_sg_window(word, context, targets, alpha) == pytest.approx(loss, rel=1e-5, abs=1e-4)
    np.testing.assert_allclose(syn0, r0, atol=1e-5)
    if hs:
        np.testing.assert_allclose(syn1, r1, atol=1e-5)
    if negative:
        np.testing.assert_allclose(syn1neg, r1neg, atol=1e-5)


@pytest.mark.parametrize("D", [16, 100, 7])
def test_hs_window_block_equals_the_pair_by_pair_path(D):
    """With distinct context words, the HS block gives word2vec.c's sequential pair-by-pair
    result (each context scoring the path nodes after the previous contexts updated them),
    also across blocks (20 contexts: 16, then 4) and for sizes that are not a multiple of 16."""
    kw = dict(V=60, D=D, negative=0, hs=1, scale=1.0, window=10)
    block, b0, b1, _, _ = make_model(**kw)
    pairs, p0, p1, _, _ = make_model(**kw)
    word, alpha = 40, 0.2
    context = np.array([3, 17, 5, 22, 9, 1, 30, 2, 44, 8, 12, 50, 7, 33, 19, 28, 41, 11, 6, 59], dtype=np.uint32)
    targets = np.array([word], dtype=np.uint32)
    loss = sum(pairs.step_sg(word, c, targets, alpha) for c in context)
    assert block.step_sg_window(word, context, targets, alpha) == pytest.approx(loss, rel=1e-4)
    np.testing.assert_allclose(b1, p1, atol=2e-5)
    np.testing.assert_allclose(b0, p0, atol=2e-5)
    # and the correction matters at this step size: one block without it differs
    plain, q0, q1, _, _ = make_model(**kw)
    r0, r1 = q0.astype(np.float64), q1.astype(np.float64)
    codes, points = path(make_model(**kw)[4], word)
    dM = np.zeros((len(context), D))
    M, T = r0[context], r1[points]
    G = np.array([[(1 - c - table_sigmoid(float(m @ t))) * alpha if abs(float(m @ t)) < MAX_EXP else 0.0
                   for c, t in zip(codes, T)] for m in M])
    assert np.abs((T + G.T @ M) - p1[points]).max() > 1e-3


@pytest.mark.parametrize("n", range(1, 17))
def test_hs_window_block_of_every_size_on_a_long_path(n):
    """Every block size (the node updates are compiled once per size: w2v_hs_apply) gives the
    pair-by-pair result, here for a word whose Huffman path (29 nodes, from Fibonacci counts)
    is longer than one 16-float vector."""
    fib = [1, 1]
    while len(fib) < 30:
        fib.append(fib[-1] + fib[-2])
    kw = dict(V=30, D=100, negative=0, hs=1, scale=0.3, window=8, counts=np.array(fib[::-1], dtype=np.uint64))
    block, b0, b1, _, huff = make_model(**kw)
    pairs, p0, p1, _, _ = make_model(**kw)
    word, alpha = 29, 0.1
    assert len(path(huff, word)[1]) == 29
    context = np.arange(n, dtype=np.uint32) * 3 % 29  # distinct, and not the word
    targets = np.array([word], dtype=np.uint32)
    loss = sum(pairs.step_sg(word, c, targets, alpha) for c in context)
    assert block.step_sg_window(word, context, targets, alpha) == pytest.approx(loss, rel=1e-4)
    np.testing.assert_allclose(b1, p1, atol=2e-5)
    np.testing.assert_allclose(b0, p0, atol=2e-5)


def test_ns_window_block_takes_wide_windows_in_blocks_of_16():
    """A window of more than 16 context words is trained as blocks of 16; each block sees the
    rows the blocks before it updated."""
    trainer, syn0, _, syn1neg, _ = make_model(V=40, D=20, negative=3, hs=0, window=12)
    word, alpha = 6, 0.05
    context = (np.arange(22, dtype=np.uint32) * 7 + 1) % 40
    context[context == word] = 2
    targets = np.array([word, 3, 11, 3], dtype=np.uint32)
    r0, r1neg = syn0.astype(np.float64), syn1neg.astype(np.float64)
    loss = 0.0
    for lo in (0, 16):
        chunk = context[lo:lo + 16]
        dM = np.zeros((len(chunk), syn0.shape[1]))
        loss += ref_block(r0, r1neg, chunk, targets, np.array([1.0, 0.0, 0.0, 0.0]), alpha, False, dM)
        np.add.at(r0, chunk, dM)
    assert trainer.step_sg_window(word, context, targets, alpha) == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(syn0, r0, atol=1e-5)
    np.testing.assert_allclose(syn1neg, r1neg, atol=1e-5)


def test_window_block_checks_its_context_size():
    trainer = make_model(negative=2, hs=0)[0]
    with pytest.raises(ValueError):
        trainer.step_sg_window(1, np.arange(11, dtype=np.uint32) % 12, np.array([1, 2, 3], dtype=np.uint32), 0.1)


def test_a_trainer_runs_the_build_it_is_given(isa):
    trainer = make_model()[0]
    assert trainer.isa == isa
    with pytest.raises(ValueError, match="cannot run the 'vax' training loop"):
        _core.Trainer({**CONFIG, "size": 4}, np.zeros((3, 4), dtype=np.float32), [], isa="vax")


def test_the_trainer_takes_every_config_option_and_holds_no_default():
    """Each option the C model is filled from must be given: a missing one is an error, never a
    second default beside the options schema's."""
    syn0 = np.zeros((3, 4), dtype=np.float32)
    for name in _core.CONFIG_OPTIONS:
        config = {k: v for k, v in {**CONFIG, "size": 4}.items() if k != name}
        with pytest.raises(KeyError, match=name):
            _core.Trainer(config, syn0, [("ns", 1, np.zeros((3, 4), dtype=np.float32),
                                         _core.alias_table(np.ones(3)))])


def test_losses_whose_tables_do_not_fit_are_refused():
    V, D = 12, 4
    syn0, out = np.zeros((V, D), dtype=np.float32), np.zeros((V, D), dtype=np.float32)
    counts = np.arange(V, 0, -1).astype(np.uint64)
    huff = _core.huffman(counts)
    with pytest.raises(ValueError, match="does not fit"):  # the tree of another vocabulary
        _core.Trainer({**CONFIG, "size": D}, syn0, [("hs", 0, out, _core.huffman(counts[:5]))])
    with pytest.raises(ValueError, match="does not fit"):  # no such kind
        _core.Trainer({**CONFIG, "size": D}, syn0, [("softmax", 0, out, huff)])
    with pytest.raises(ValueError, match="does not fit"):  # NS without noise words
        _core.Trainer({**CONFIG, "size": D}, syn0, [("ns", 0, out, _core.alias_table(np.ones(V)))])
    with pytest.raises(ValueError, match="1 to 2 losses"):
        _core.Trainer({**CONFIG, "size": D}, syn0, [])
