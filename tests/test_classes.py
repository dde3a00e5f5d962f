"""Tests of w2vfast.classes: word2vec.c's `-classes` k-means and the `word classid` writer."""
import io
import os
import sys

import numpy as np
import pytest

from w2vfast import classes as kmeans
from w2vfast.classes import compute_classes, write_classes


def c_kmeans(syn0, classes, iterations=10):
    """A line-by-line port of the k-means block of word2vec.c's TrainModel()."""
    vocab_size, layer1_size = len(syn0), len(syn0[0])
    clcn = classes
    cl = [a % clcn for a in range(vocab_size)]
    for _ in range(iterations):
        cent = [0.0] * (clcn * layer1_size)
        centcn = [1] * clcn
        for c in range(vocab_size):
            for d in range(layer1_size):
                cent[layer1_size * cl[c] + d] += float(syn0[c][d])
            centcn[cl[c]] += 1
        for b in range(clcn):
            closev = 0.0
            for c in range(layer1_size):
                cent[layer1_size * b + c] /= centcn[b]
                closev += cent[layer1_size * b + c] * cent[layer1_size * b + c]
            closev = closev ** 0.5
            for c in range(layer1_size):
                # C: 0 / 0 is NaN, and NaN > closev is always false below
                cent[layer1_size * b + c] = (cent[layer1_size * b + c] / closev if closev
                                             else float("nan"))
        for c in range(vocab_size):
            closev = -10.0
            closeid = 0
            for d in range(clcn):
                x = 0.0
                for b in range(layer1_size):
                    x += cent[layer1_size * d + b] * float(syn0[c][b])
                if x > closev:
                    closev = x
                    closeid = d
            cl[c] = closeid
    return cl


def clusters(k, n, dim=20, seed=1, spread=0.1):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    truth = rng.integers(0, k, size=n)
    x = centres[truth] * 3 + rng.normal(scale=spread, size=(n, dim))
    return x.astype(np.float32), truth


def same_partition(a, b):
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("seed", range(10))
def test_two_well_separated_clusters_are_recovered(seed):
    x, truth = clusters(2, 150, seed=seed)
    cl = compute_classes(x, 2)
    assert same_partition(cl, truth)


def test_four_well_separated_clusters_are_recovered():
    # word2vec's round-robin start can merge clusters on some orders of the vocabulary (its C
    # code does the same); on this one all four are found
    x, truth = clusters(4, 200, seed=1)
    cl = compute_classes(x, 4)
    assert same_partition(cl, truth)
    assert sorted(set(cl.tolist())) == [0, 1, 2, 3]


@pytest.mark.parametrize("k,n,dim,seed,scale", [
    (5, 120, 8, 0, 1.0),    # random data
    (3, 90, 6, 1, 1.0),
    (1, 30, 4, 2, 1.0),     # one class
    (7, 60, 5, 3, 1.0),
    (40, 25, 4, 4, 1.0),    # more classes than words: empty classes are never chosen again
    (4, 80, 6, 5, 30.0),    # large vectors: products below C's starting best of -10
])
def test_matches_a_loop_port_of_word2vec_c(k, n, dim, seed, scale):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, dim)) * scale).astype(np.float32)
    expected = c_kmeans(x.tolist(), k)
    got = compute_classes(x, k)
    assert got.tolist() == expected
    assert got.dtype.kind == "i" and got.min() >= 0 and got.max() < k


def test_matches_loop_port_on_clustered_data_and_in_blocks(monkeypatch):
    x, _ = clusters(6, 150, dim=10, seed=7, spread=0.5)
    expected = c_kmeans(x.tolist(), 6)
    assert compute_classes(x, 6).tolist() == expected
    monkeypatch.setattr(kmeans, "_BLOCK_ELEMENTS", 64)  # assignment in many row blocks
    assert compute_classes(x, 6).tolist() == expected


def test_iterations_and_initial_round_robin():
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    assert compute_classes(x, 3, iterations=0).tolist() == [a % 3 for a in range(10)]
    assert compute_classes(x, 3, iterations=2).tolist() == c_kmeans(x.tolist(), 3, iterations=2)


def test_word_far_from_every_centroid_goes_to_class_zero_as_in_c():
    # C starts its running best at -10: a word whose products are all <= -10 stays in class 0
    # even though class 1 is closer (-15 against about -30)
    x = np.array([[100, 0], [0, 100]] * 10 + [[-30, -15]], dtype=np.float32)
    got = compute_classes(x, 2).tolist()
    assert got == c_kmeans(x.tolist(), 2)
    assert got[-1] == 0 and got[:4] == [0, 1, 0, 1]


def test_zero_vectors_go_to_class_zero():
    x = np.zeros((5, 3), dtype=np.float32)
    assert compute_classes(x, 2).tolist() == [0] * 5


def test_bad_arguments():
    with pytest.raises(ValueError, match=">= 1"):
        compute_classes(np.ones((3, 2)), 0)
    with pytest.raises(ValueError, match="2-D"):
        compute_classes(np.ones(3), 2)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def test_write_sorted_by_class_stable_in_vocabulary_order(tmp_path):
    path = tmp_path / "classes.txt"
    words = [b"</s>", b"the", "caf\u00e9", "x\udcff", b"a", b"b"]  # bytes or str, any encoding
    write_classes(path, words, np.array([2, 0, 1, 0, 2, 1]))
    assert path.read_bytes() == (b"the 0\nx\xff 0\ncaf\xc3\xa9 1\nb 1\n</s> 2\na 2\n")
    assert [f for f in os.listdir(tmp_path)] == ["classes.txt"]  # no temporary file left


def test_write_to_stdout(monkeypatch):
    buf = io.BytesIO()

    class Out:
        buffer = buf

    monkeypatch.setattr(sys, "stdout", Out())
    write_classes("-", ["b", "a"], [1, 0])
    assert buf.getvalue() == b"a 0\nb 1\n"


def test_write_is_atomic(tmp_path):
    path = tmp_path / "classes.txt"
    path.write_bytes(b"old\n")
    with pytest.raises(ValueError):
        write_classes(path, ["a", "b"], [0])  # mismatch: nothing written
    assert path.read_bytes() == b"old\n"
    with pytest.raises(TypeError):
        write_classes(path, ["a", 5], [0, 1])  # fails while writing: the old file stays
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["classes.txt"]
