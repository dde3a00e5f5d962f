"""Tests of w2vfast.plot: projections (PCA, t-SNE), choice of words, and the written pictures."""
import importlib.util
import io
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from w2vfast import plot
from w2vfast.api import Vectors

needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                      reason="matplotlib is not installed (pip install matplotlib)")


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def clustered(k=3, per=12, dim=10, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim)) * 5
    labels = np.repeat(np.arange(k), per)
    return centres[labels] + rng.normal(scale=0.3, size=(k * per, dim)), labels


def neighbours_pure(y, labels):
    d = ((y[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return (labels[d.argmin(axis=1)] == labels).all()


def test_parse_size():
    assert plot.parse_size("1200x900") == (1200, 900)
    assert plot.parse_size(" 640 X 480 ") == (640, 480)
    for bad in ("1200", "x900", "12x9000000", "0x10", "axb", "10x10"):
        with pytest.raises(ValueError, match="size"):
            plot.parse_size(bad)


def test_pca_finds_the_main_axis():
    t = np.linspace(-1, 1, 21)
    x = np.stack([t * 3, t * 3, np.zeros_like(t), 0.01 * np.cos(7 * t)], axis=1)
    y = plot.pca_2d(x)
    assert y.shape == (21, 2)
    np.testing.assert_allclose(np.abs(y[:, 0]), np.abs(t) * 3 * np.sqrt(2), atol=1e-9)
    assert np.abs(y[:, 1]).max() < 0.02
    np.testing.assert_allclose(plot.pca_2d(x), y)  # deterministic signs
    assert plot.pca_2d(np.ones((1, 5))).tolist() == [[0.0, 0.0]]
    assert plot.pca_2d(np.eye(3)[:, :1]).shape == (3, 2)  # one input dimension


def test_tsne_keeps_clusters_apart_and_is_deterministic():
    x, labels = clustered()
    y = plot.tsne_2d(x, iterations=300, seed=1)
    assert y.shape == (36, 2) and np.isfinite(y).all()
    assert neighbours_pure(y, labels)
    np.testing.assert_array_equal(y, plot.tsne_2d(x, iterations=300, seed=1))
    assert plot.tsne_2d(x[:3]).shape == (3, 2)  # tiny inputs fall back to PCA


def test_tsne_reduces_wide_input_first():
    x, labels = clustered(k=2, per=10, dim=120, seed=2)
    y = plot.project(x, "tsne")
    assert neighbours_pure(y, labels)
    with pytest.raises(ValueError, match="projection"):
        plot.project(x, "umap")


@pytest.fixture
def vectors():
    x, _ = clustered(k=3, per=6, dim=8, seed=3)
    words = ["</s>"] + [f"{g}{i}" for g in "abc" for i in range(6)]
    return Vectors(words, np.vstack([np.zeros((1, 8)), x]).astype(np.float32))


def test_choose_words(vectors):
    words, groups, seeds, unknown = plot.choose_words(vectors, top=4)
    assert words == ["a0", "a1", "a2", "a3"] and seeds == [True] * 4 and unknown == []
    words, groups, seeds, unknown = plot.choose_words(vectors, ["a0", "zz", "c1", "a0"], neighbours=3)
    assert unknown == ["zz"]
    assert words[:2] == ["a0", "c1"] and seeds[:2] == [True, True]
    # each word brings its 3 nearest words, from its own cluster here
    assert [w[0] for w, g in zip(words, groups) if g == 0] == ["a"] * 4
    assert [w[0] for w, g in zip(words, groups) if g == 1] == ["c"] * 4
    assert len(words) == len(set(words)) == 8


@needs_matplotlib
@pytest.mark.parametrize("size", [(640, 480), (333, 257)])
def test_png_of_the_asked_size(tmp_path, vectors, size):
    path = tmp_path / "words.png"
    info = plot.plot_words(vectors, path, size=size)
    assert png_size(path.read_bytes()) == size
    assert len(info["words"]) == 18 and "</s>" not in info["words"]


@needs_matplotlib
def test_svg_is_valid_xml_with_labels(tmp_path, vectors):
    path = tmp_path / "words.svg"
    plot.plot_words(vectors, path, ["a0", "b0", "c$1"], neighbours=2, method="tsne",
                    title="t-SNE of $ words")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert root.get("width") == "864pt" and root.get("height") == "648pt"  # 1200x900 at 100 dpi


@needs_matplotlib
def test_draw_to_file_object_and_labels_with_odd_characters():
    buf = io.BytesIO()
    plot.draw(buf, ["$x$", "a$", "x\udcff", "\u00e9t\u00e9"], np.arange(8.0).reshape(4, 2),
              size=(200, 100), fmt="png")
    assert png_size(buf.getvalue()) == (200, 100)


def test_format_from_name():
    assert plot.output_format("a.PNG") == "png"
    assert plot.output_format("a.svg") == "svg"
    assert plot.output_format("-", "svg") == "svg"
    with pytest.raises(plot.PlotError, match=r"\.png or \.svg"):
        plot.output_format("a.jpg")
    with pytest.raises(plot.PlotError, match="unsupported"):
        plot.output_format("a.png", "gif")


def test_missing_matplotlib_is_a_clear_error(no_matplotlib, tmp_path, vectors):
    with pytest.raises(plot.PlotError) as e:
        plot.plot_words(vectors, tmp_path / "x.png")
    assert str(e.value) == "drawing needs matplotlib, which is not installed: pip install matplotlib"
    assert not (tmp_path / "x.png").exists()


def test_nothing_to_plot(vectors, tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(plot.PlotError, match="none of the words"):
        plot.plot_words(vectors, tmp_path / "x.png", ["nope"])
