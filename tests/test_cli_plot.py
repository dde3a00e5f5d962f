"""`w2vfast plot` and `plot-loss`: PNG and SVG pictures of the asked size, chosen words with their neighbours,
PCA or t-SNE, words from standard input, unknown words, usage errors, and a one-line error
without matplotlib.  test_plot.py tests the projections and pictures themselves.

They run `w2vfast.cli.main` in process with click's CliRunner on the hand-made vectors of known_vectors.py.
"""
import importlib.util
import struct
import xml.etree.ElementTree as ET

import pytest

from clitools import cli as run, ok  # tests/clitools.py

needs_matplotlib = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                      reason="matplotlib is not installed (pip install matplotlib)")


# ---------------------------------------------------------------------------
# plot
# ---------------------------------------------------------------------------


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_matplotlib
def test_plot_png_of_the_asked_size(files, tmp_path):
    out = tmp_path / "top.png"
    r = ok(run("plot", files / "vec.bin", "-o", out, "--size", "400x300"))
    assert png_size(out.read_bytes()) == (400, 300)
    assert "Plotted 11 words" in r.stderr  # every word but </s>
    ok(run("plot", files / "vec.bin", "-o", out, "--top", "3"))
    assert png_size(out.read_bytes()) == (1200, 900)


@needs_matplotlib
def test_plot_svg_with_neighbours_and_tsne(files, tmp_path):
    out = tmp_path / "near.svg"
    r = ok(run("plot", files / "vec.txt", "king", "apple", "paris", "--neighbours", "2", "--method", "tsne",
               "-o", out, "--title", "test"))
    assert ET.parse(out).getroot().tag.endswith("svg")
    assert "Plotted 9 words (3 chosen, 6 neighbours, tsne)" in r.stderr


@needs_matplotlib
def test_plot_words_from_stdin_and_unknown_words(files, tmp_path):
    out = tmp_path / "w.png"
    r = run("plot", files / "vec.txt", "-", "robot", "-o", out, input="king queen\nrobot apple\n")
    assert r.exit_code == 1  # a word given was unknown, the others are plotted
    assert r.stderr.splitlines()[0] == "w2vfast: unknown word 'robot'"
    assert "Plotted 3 words" in r.stderr
    assert png_size(out.read_bytes()) == (1200, 900)
    out2 = tmp_path / "none.png"
    r = run("plot", files / "vec.txt", "robot", "-o", out2)
    assert r.exit_code == 1 and not out2.exists()
    assert r.stderr.splitlines() == [
        "w2vfast: unknown word 'robot'",
        "w2vfast: error: no word to plot: none of the words is in the vocabulary"]


def test_plot_usage_errors(files, tmp_path):
    r = run("plot", files / "vec.txt", "-", "-o", tmp_path / "x.png", input="")
    assert r.exit_code == 1 and r.stderr == "w2vfast: error: no word to plot: standard input is empty\n"
    r = run("plot", files / "vec.txt", "-o", tmp_path / "x.png", "--size", "big")
    assert r.exit_code == 2 and "WIDTHxHEIGHT" in r.stderr
    r = run("plot", files / "vec.txt", "-o", tmp_path / "x.jpg")
    assert r.exit_code == 2 and ".png or .svg, or give --format png|svg" in r.stderr
    r = run("plot", files / "vec.txt")
    assert r.exit_code == 2 and "--output" in r.stderr


def test_plot_without_matplotlib(files, tmp_path, no_matplotlib):
    r = run("plot", files / "vec.txt", "-o", tmp_path / "x.png")
    assert r.exit_code == 1
    assert r.stderr == "w2vfast: error: drawing needs matplotlib, which is not installed: pip install matplotlib\n"
    assert not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------------------
# plot-loss: the same -o / --format rules as plot
# ---------------------------------------------------------------------------

LOG = ('{"type": "progress", "time": 0.5, "epoch": 1, "words": 50, "total": 100, "alpha": 0.02, '
       '"loss": 3.0, "words_per_sec": 100.0}\n'
       '{"type": "progress", "time": 1.0, "epoch": 1, "words": 100, "total": 100, "alpha": 0.01, '
       '"loss": 2.5, "words_per_sec": 100.0}\n')


def test_plot_loss_format_is_checked_first(tmp_path):
    """A name that says no format is a usage error before the log is read (the log here does
    not even exist), and it names the flag plot-loss has."""
    for args in (["-o", tmp_path / "l.jpg"], ["-o", "-"]):
        r = run("plot-loss", tmp_path / "missing.json", *args)
        assert r.exit_code == 2, r.output
        assert r.stderr.startswith("w2vfast: error: ") and "--format png" in r.stderr
        assert len(r.stderr.splitlines()) == 1


@needs_matplotlib
def test_plot_loss_with_format_and_both_spellings(tmp_path):
    log = tmp_path / "run.json"
    log.write_text(LOG)
    ok(run("plot-loss", log, "-output", tmp_path / "l.picture", "-format", "svg"))
    ET.parse(tmp_path / "l.picture")  # an SVG document
    r = ok(run("plot-loss", log, "--output", "-", "--format", "png", "-size", "320x200"))
    assert png_size(r.stdout_bytes) == (320, 200)


def test_plot_loss_without_matplotlib(tmp_path, no_matplotlib):
    log = tmp_path / "run.json"
    log.write_text(LOG)
    r = run("plot-loss", log, "-o", tmp_path / "l.png")
    assert r.exit_code == 1
    assert r.stderr == "w2vfast: error: drawing needs matplotlib, which is not installed: pip install matplotlib\n"
    assert not (tmp_path / "l.png").exists()
