"""Tests of w2vfast.vecmath against plain NumPy (float64) references written from the
definitions: unit rows, top-k with ties and exclusions, nearest rows in blocks, 3CosAdd, 3CosMul,
compute-accuracy's answer rule, pair cosines and the pieces of gensim's queries."""
import numpy as np
import pytest

from w2vfast import vecmath


def ref_unit(x):
    x = np.asarray(x, dtype=np.float64)
    n = np.sqrt((x * x).sum(axis=1, keepdims=True))
    return np.where(n > 0, x / np.where(n > 0, n, 1), 0.0)


def ref_top(row, k, excluded=()):
    """Indices of the k best finite entries of `row`: score descending, then index ascending."""
    cand = [i for i in range(len(row)) if i not in set(excluded) and np.isfinite(row[i])]
    cand.sort(key=lambda i: (-row[i], i))
    return cand[:k]


def random_unit(v, d, seed):
    x = np.random.default_rng(seed).normal(size=(v, d)).astype(np.float32)
    return vecmath.normalise_rows(x)


# ---------------------------------------------------------------------------
# normalise_rows
# ---------------------------------------------------------------------------


def test_normalise_rows_unit_length_zero_rows_stay_zero():
    x = np.random.default_rng(0).normal(size=(50, 7)).astype(np.float32) * 5
    x[3] = 0
    x[40] = 0
    before = x.copy()
    u = vecmath.normalise_rows(x)
    assert u.dtype == np.float32 and u.shape == x.shape
    np.testing.assert_array_equal(x, before)  # the input is left alone
    np.testing.assert_allclose(u, ref_unit(x), atol=1e-6)
    assert not u[3].any() and not u[40].any()
    live = np.ones(50, bool)
    live[[3, 40]] = False
    np.testing.assert_allclose(np.linalg.norm(u[live].astype(np.float64), axis=1), 1, atol=1e-6)
    # float64 input comes back as float32, computed from the float32 values
    np.testing.assert_array_equal(vecmath.normalise_rows(x.astype(np.float64)), u)


def test_normalise_rows_is_the_row_wise_float32_norm():
    # the one norm every command uses: NumPy's row-wise float32 norm, then a float32 division
    x = np.random.default_rng(1).normal(size=(300, 50)).astype(np.float32)
    expected = x / np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_array_equal(vecmath.normalise_rows(x), expected)


def test_dead_rows_as_compute_accuracy():
    x = np.ones((6, 4), dtype=np.float32)
    x[1] = 0                      # zero: NaN in C, dead
    x[2, 1] = np.nan              # NaN: dead
    x[3, 2] = np.inf              # inf / inf is NaN: dead
    x[4] = 1e30                   # the norm overflows to inf: C gets a finite zero row, alive
    x[5] = [3, 0, 4, 0]
    u, dead = vecmath.normalise_rows(x, dead_rows=True)
    assert dead.tolist() == [False, True, True, True, False, False]
    assert np.isfinite(u).all()
    assert not u[dead].any()
    assert not u[4].any()
    np.testing.assert_allclose(u[5], [0.6, 0, 0.8, 0], atol=1e-7)
    np.testing.assert_array_equal(u[[0, 5]], vecmath.normalise_rows(x[[0, 5]]))


# ---------------------------------------------------------------------------
# top_k
# ---------------------------------------------------------------------------


def test_top_k_matches_a_sort_with_many_ties():
    rng = np.random.default_rng(2)
    scores = rng.integers(0, 4, size=(30, 200)).astype(np.float32)  # ties everywhere
    for k in (1, 3, 17, 199, 200, 500):
        idx, top = vecmath.top_k(scores, k)
        assert idx.shape == (30, min(k, 200))
        for r in range(30):
            assert idx[r].tolist() == ref_top(scores[r], k)
            np.testing.assert_array_equal(top[r], scores[r, idx[r]])


def test_top_k_tie_at_the_cut_goes_to_the_lower_index():
    # argpartition alone picks high indices among equal entries of a long row
    scores = np.zeros((2, 1000), dtype=np.float32)
    scores[1, 500] = 1.0
    idx, top = vecmath.top_k(scores, 3)
    assert idx.tolist() == [[0, 1, 2], [500, 0, 1]]
    assert top.tolist() == [[0, 0, 0], [1, 0, 0]]


def test_top_k_nan_ranks_last_and_k_zero():
    scores = np.array([[0.5, np.nan, 0.7, -np.inf, 0.1]], dtype=np.float32)
    idx, _ = vecmath.top_k(scores, 5)
    assert idx[0, :4].tolist() == [2, 0, 4, 3] and idx[0, 4] == 1
    idx, top = vecmath.top_k(scores, 0)
    assert idx.shape == (1, 0) and top.shape == (1, 0)


# ---------------------------------------------------------------------------
# nearest
# ---------------------------------------------------------------------------


def test_nearest_matches_a_reference_in_several_blocks():
    unit = random_unit(120, 9, seed=3)
    rng = np.random.default_rng(4)
    queries = vecmath.normalise_rows(rng.normal(size=(23, 9)))
    exclude = [rng.choice(120, size=int(rng.integers(0, 4)), replace=False).tolist()
               for _ in range(23)]
    ref_scores = queries.astype(np.float64) @ unit.astype(np.float64).T
    for block in (1, 5, 23, 100):  # 23 queries: ragged last blocks, one block, a big block
        got = vecmath.nearest(unit, queries, 8, exclude=exclude, block=block)
        assert len(got) == 23
        for r, (idx, scores) in enumerate(got):
            assert idx.tolist() == ref_top(ref_scores[r], 8, exclude[r])
            np.testing.assert_allclose(scores, ref_scores[r, idx], atol=1e-6)
            assert scores.dtype == np.float32


def test_nearest_default_block_holds_more_queries_than_one_block(monkeypatch):
    unit = random_unit(64, 5, seed=5)
    queries = unit[:40]
    exclude = [[i] for i in range(40)]
    one_block = vecmath.nearest(unit, queries, 4, exclude=exclude, block=40)
    monkeypatch.setattr(vecmath, "BLOCK_ELEMENTS", 64 * 3)  # 3 queries per block
    assert vecmath.block_rows(64) == 3
    small = vecmath.nearest(unit, queries, 4, exclude=exclude)
    assert [i.tolist() for i, _ in small] == [i.tolist() for i, _ in one_block]
    for (_, a), (_, b) in zip(small, one_block):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_nearest_never_returns_excluded_rows():
    unit = random_unit(10, 4, seed=6)
    q = unit[[2, 5]]
    got = vecmath.nearest(unit, q, 100, exclude=np.array([[2, 7], [5, 5]]))
    assert sorted(got[0][0].tolist()) == [i for i in range(10) if i not in (2, 7)]
    assert sorted(got[1][0].tolist()) == [i for i in range(10) if i != 5]
    assert all(np.isfinite(s).all() for _, s in got)


def test_nearest_ties_go_to_the_lower_row():
    # integer vectors: the products are exact, so rows 1, 3 and 6 tie exactly
    unit = np.array([[0, 1], [2, 2], [1, 0], [2, 2], [0, 0], [3, 0], [2, 2]], dtype=np.float32)
    [(idx, scores)] = vecmath.nearest(unit, np.array([[1, 1]], np.float32), 3, exclude=[[3]])
    assert idx.tolist() == [1, 6, 5] and scores.tolist() == [4, 4, 3]


def test_nearest_drops_non_finite_scores():
    unit = np.array([[1, 0], [np.nan, 0], [0, 1]], dtype=np.float32)
    [(idx, _)] = vecmath.nearest(unit, np.array([[1, 1]], np.float32), 3)
    assert idx.tolist() == [0, 2]


# ---------------------------------------------------------------------------
# Analogies
# ---------------------------------------------------------------------------


def ref_analogy_scores(unit, a, b, c, method):
    u = unit.astype(np.float64)
    if method == "add":
        q = u[b] - u[a] + u[c]
        return u @ (q / np.linalg.norm(q))
    cos = lambda x: (u @ u[x] + 1) / 2  # noqa: E731
    return cos(b) * cos(c) / (cos(a) + 1e-3)


@pytest.mark.parametrize("method", ["add", "mul"])
def test_analogies_match_a_reference_in_several_blocks(method):
    unit = random_unit(90, 6, seed=7)
    rng = np.random.default_rng(8)
    questions = np.array([rng.choice(90, 3, replace=False) for _ in range(31)])
    for block in (4, 31, None):
        got = vecmath.analogies(unit, questions, 6, method=method, block=block)
        assert len(got) == 31
        for (a, b, c), (idx, scores) in zip(questions, got):
            ref = ref_analogy_scores(unit, a, b, c, method)
            assert idx.tolist() == ref_top(ref, 6, (a, b, c))
            np.testing.assert_allclose(scores, ref[idx], rtol=1e-5, atol=1e-6)


def test_cos_mul_is_not_cos_add():
    unit = random_unit(90, 6, seed=9)
    questions = np.random.default_rng(10).integers(0, 90, size=(40, 3))
    questions = questions[[len(set(q)) == 3 for q in questions.tolist()]]
    add = [i[0] for i, _ in vecmath.analogies(unit, questions, 1, method="add")]
    mul = [i[0] for i, _ in vecmath.analogies(unit, questions, 1, method="mul")]
    assert add != mul
    a, b, c = questions[:, 0], questions[:, 1], questions[:, 2]
    mul_scores = vecmath.cos_mul_scores(unit, a, b, c)
    for r, (qa, qb, qc) in enumerate(questions):
        np.testing.assert_allclose(mul_scores[r], ref_analogy_scores(unit, qa, qb, qc, "mul"),
                                   rtol=1e-5)


def test_analogy_method_is_checked():
    with pytest.raises(ValueError, match="method"):
        vecmath.analogies(np.eye(4, dtype=np.float32), [[0, 1, 2]], 1, method="div")


def ref_compute_accuracy(unit, dead, a, b, c):
    """compute-accuracy's loop: running best starts at 0, strictly larger wins."""
    if dead[[a, b, c]].any():
        return -1
    q = unit[b].astype(np.float64) - unit[a] + unit[c]
    best, best_i = 0.0, -1
    for i in range(len(unit)):
        if i in (a, b, c):
            continue
        d = float(q @ unit[i])
        if d > best:
            best, best_i = d, i
    return best_i


def test_analogy_answers_compute_accuracy_matches_the_c_loop():
    x = np.random.default_rng(11).normal(size=(70, 5)).astype(np.float32)
    x[9] = 0
    x[20, 0] = np.nan
    unit, dead = vecmath.normalise_rows(x, dead_rows=True)
    rng = np.random.default_rng(12)
    questions = np.array([rng.choice(70, 3, replace=False) for _ in range(200)])
    questions[0] = [9, 1, 2]
    questions[1] = [1, 20, 2]
    expected = [ref_compute_accuracy(unit, dead, *q) for q in questions]
    assert expected[:2] == [-1, -1] and sum(e >= 0 for e in expected) > 150
    for block in (7, None):
        got = vecmath.analogy_answers(unit, questions, compute_accuracy=True, dead=dead,
                                      block=block)
        assert got.tolist() == expected
    # answers by cosine: the same rows wherever C finds a positive one
    plain = vecmath.analogy_answers(unit, questions)
    assert all(p == e for p, e in zip(plain.tolist(), expected) if e >= 0)


def test_analogy_answers_positive_dot_ties_and_nothing_left():
    e = np.eye(6, dtype=np.float32)
    # query e1 - e0 + e2: rows 3, 4, 5 all score exactly 0
    assert vecmath.analogy_answers(e, [[0, 1, 2]], compute_accuracy=True).tolist() == [-1]
    assert vecmath.analogy_answers(e, [[0, 1, 2]]).tolist() == [3]  # the lower index of a tie
    # query (-1, 1, 1): rows 3 and 4 tie at 2
    tie = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 1], [0, 1, 1], [0, 1, 0]],
                   dtype=np.float32)
    assert vecmath.analogy_answers(tie, [[0, 1, 2]], compute_accuracy=True).tolist() == [3]
    assert vecmath.analogy_answers(tie, [[0, 1, 2], [0, 3, 2]]).tolist() == [3, 4]
    assert vecmath.analogy_answers(e[:3], [[0, 1, 2]]).tolist() == [-1]


# ---------------------------------------------------------------------------
# pair_cosines and block_rows
# ---------------------------------------------------------------------------


def test_pair_cosines():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(20, 4)).astype(np.float32)
    y = rng.normal(size=(20, 4)).astype(np.float32)
    y[5] = 0
    got = vecmath.pair_cosines(x, y)
    assert got.dtype == np.float64
    ref = (ref_unit(x) * ref_unit(y)).sum(axis=1)
    np.testing.assert_allclose(got, ref, atol=1e-12)
    assert got[5] == 0.0


def test_block_rows():
    assert vecmath.block_rows(1000, 10_000) == 10
    assert vecmath.block_rows(1000, 10) == 1
    assert vecmath.block_rows(0, 10) == 10
    assert vecmath.block_rows(10, 1 << 20) == vecmath.MAX_BLOCK_ROWS
    assert vecmath.block_rows(10, 1 << 20, max_rows=512) == 512
    assert vecmath.block_rows(10, 1 << 20, max_rows=0) == 1


# ---------------------------------------------------------------------------
# cosines, best, mean_direction and gensim's 3CosMul
# ---------------------------------------------------------------------------


def test_cosines_are_nearests_scores():
    unit = random_unit(120, 9, seed=11)
    query = unit[5] + unit[7]
    query = query / np.linalg.norm(query)
    all_scores = vecmath.cosines(unit, query)
    assert all_scores.dtype == np.float32 and all_scores.shape == (120,)
    np.testing.assert_allclose(all_scores, ref_unit(unit) @ query.astype(np.float64), atol=1e-6)
    [(idx, scores)] = vecmath.nearest(unit, query[None], 120)
    np.testing.assert_array_equal(scores, all_scores[idx])  # the same bits


def test_best_excludes_in_place_and_drops_non_finite():
    scores = np.array([[0.5, 0.9, 0.9, np.nan, 0.1], [0.2, 0.3, 0.1, 0.0, -1.0]], np.float32)
    found = vecmath.best(scores, 3, [[1], [1, 3]])
    assert [i.tolist() for i, _ in found] == [[2, 0, 4], [0, 2, 4]]
    assert scores[0, 1] == -np.inf and scores[1, 3] == -np.inf
    [(idx, _)] = vecmath.best(np.array([[np.nan, 1.0, 2.0]], np.float32), 5, [[2]])
    assert idx.tolist() == [1]


def test_mean_direction_is_the_unit_weighted_sum():
    rows = np.random.default_rng(12).normal(size=(4, 6)).astype(np.float32)
    weights = [1.0, -1.0, 2.5, -0.5]
    got = vecmath.mean_direction(rows, weights)
    expected = np.asarray(weights) @ rows.astype(np.float64)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected / np.linalg.norm(expected), atol=1e-7)
    np.testing.assert_allclose(vecmath.mean_direction(rows), ref_unit(rows.sum(axis=0)[None])[0],
                               atol=1e-7)
    assert not vecmath.mean_direction(np.array([[1, 2], [-1, -2]], np.float32)).any()


def test_cos_mul_with_any_number_of_terms():
    unit = random_unit(60, 5, seed=13)
    s = vecmath.shifted_cosines(unit, unit[[1, 2, 3]])
    ref = (ref_unit(unit) @ ref_unit(unit[[1, 2, 3]]).T + 1) / 2
    np.testing.assert_allclose(s, ref.T, atol=1e-6)
    np.testing.assert_allclose(vecmath.cos_mul([s[0], s[1]], [s[2]], 1e-6),
                               ref[:, 0] * ref[:, 1] / (ref[:, 2] + 1e-6), rtol=1e-5)
    np.testing.assert_allclose(vecmath.cos_mul([s[0]], []), ref[:, 0] / (1 + vecmath.MUL_EPSILON),
                               rtol=1e-6)


def test_cos_mul_scores_keep_their_float32_arithmetic():
    # word-analogy --method mul prints these: the same bits as sb * sc / (sa + MUL_EPSILON)
    unit = random_unit(70, 8, seed=14)
    a, b, c = np.array([1, 4]), np.array([2, 5]), np.array([3, 6])
    sims = (unit[np.concatenate([a, b, c])] @ unit.T + 1.0) * 0.5
    sa, sb, sc = np.split(sims, 3)
    np.testing.assert_array_equal(vecmath.cos_mul_scores(unit, a, b, c),
                                  sb * sc / (sa + vecmath.MUL_EPSILON))
