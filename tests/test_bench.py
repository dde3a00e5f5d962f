"""bin/bench, the benchmark script: its thread-scaling table runs end to end on a small corpus
and reads w2vfast's own training time from each run's log (the timings themselves are not
tested: speed claims live in BENCHMARKS.md)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bin"))
import benchlib  # noqa: E402


def test_training_seconds_and_words_come_from_the_log(tmp_path):
    log = tmp_path / "run.log"
    log.write_bytes(b"Vocab size: 401\nWords in train file: 43517\n\rAlpha: 0.02  Progress: 50%\n"
                    b"Trained 87034 words in 0.25 s (348.1k words/s, 2 threads); vocabulary in 0.01 s\n")
    assert benchlib.train_words_from_log(log) == 43517
    assert benchlib.train_seconds_from_log(log) == 0.25
    log.write_bytes(b"Vocab size: 401\n")  # the C tool prints no training time
    assert benchlib.train_seconds_from_log(log) != benchlib.train_seconds_from_log(log)  # NaN


def test_scaling_table_end_to_end(tmp_path):
    """Two alternating rounds of -threads 1 and 2 give one table row per thread count, with the
    end-to-end and the training-loop ratios filled in."""
    corpus = tmp_path / "c.txt"
    words = [f"w{i}" for i in range(50)]
    corpus.write_text(" ".join(words[(i * 7 + i // 50) % 50] for i in range(200_000)))
    w2vfast = [sys.executable, "-m", "w2vfast"]
    out = tmp_path / "table.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bin" / "bench"), str(corpus), "--scaling",
                           "--modes", "cbow-ns", "--repeats", "2", "--no-eval", "--iter", "2",
                           "--min-count", "2", "--size", "16", "--w2vfast-cmd", " ".join(w2vfast),
                           "--workdir", str(tmp_path / "work"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line for line in out.read_text().splitlines() if line.startswith("| cbow-ns")]
    assert len(rows) == 2
    one, two = ([c.strip() for c in row.strip("|").split("|")] for row in rows)
    assert one[1] == "1" and two[1] == "2"
    assert re.match(r"\d+\.\d\d", one[7]) and re.match(r"\d+\.\d\d", two[7])  # train s
    assert re.match(r"\d+\.\d\d$", two[8]) and re.match(r"\d+\.\d\d$", two[9])  # both ratios


def _load_pair():
    """bin/pair as a module (the script has no .py suffix)."""
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("pair_script", str(ROOT / "bin" / "pair"))
    spec = importlib.util.spec_from_loader("pair_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="bin/pair pins its two runs to two CPUs")
def test_pair_table_end_to_end(tmp_path):
    """Two side-by-side rounds of one tree against itself: a row per round with both training
    times, the ratio and the same vector file, then the median."""
    corpus = tmp_path / "c.txt"
    words = [f"w{i}" for i in range(50)]
    corpus.write_text(" ".join(words[(i * 7 + i // 50) % 50] for i in range(100_000)))
    out = tmp_path / "pair.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bin" / "pair"), str(ROOT), str(ROOT), str(corpus),
                           "--rounds", "2", "--workdir", str(tmp_path / "work"), "--out", str(out),
                           "--", "-size", "16", "-min-count", "2", "-threads", "2"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "-threads 2" not in out.read_text()  # each side trains with one thread
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in out.read_text().splitlines()
            if re.match(r"\| (\d|median)", line)]
    assert [r[0] for r in rows] == ["1", "2", "median"]
    for r in rows[:2]:
        assert re.match(r"\d+\.\d\d$", r[1]) and re.match(r"\d+\.\d\d$", r[2])
        assert float(r[3]) == pytest.approx(float(r[2]) / float(r[1]), abs=0.01)
        assert r[4] == "yes"  # one thread, the same seed and build: the same bytes
    assert re.match(r"\*\*\d\.\d{3}\*\* \(", rows[2][3]) and rows[2][4] == "yes"
    assert not list((tmp_path / "work").iterdir())  # the scratch directory is removed


def test_pair_checks_both_sides_before_building(tmp_path):
    pair = _load_pair()
    if (ROOT / ".git").exists():
        assert pair.check_side("HEAD", "bin/pair")[0] == "rev"
    (tmp_path / "c.txt").write_text("a b c\n")
    proc = subprocess.run([sys.executable, str(ROOT / "bin" / "pair"), "HEAD", str(tmp_path / "missing"),
                           str(tmp_path / "c.txt")], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode != 0
    assert "neither a directory nor a git revision" in proc.stderr
    (tmp_path / "tree").mkdir()
    with pytest.raises(SystemExit, match="no built w2vfast extension"):
        pair.check_side(str(tmp_path / "tree"), "bin/pair")
    for bad, message in ((["--rounds", "0"], "--rounds must be at least 1"),
                         (["--cpus", "0,0"], "expected two different CPUs")):
        proc = subprocess.run([sys.executable, str(ROOT / "bin" / "pair"), str(ROOT), str(ROOT),
                               str(tmp_path / "c.txt"), *bad, "--out", str(tmp_path / "t.md")],
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert proc.returncode == 2 and message in proc.stderr
        assert not (tmp_path / "t.md").exists()  # nothing written for a refused call
    proc = subprocess.run([sys.executable, str(ROOT / "bin" / "pair"), str(ROOT), str(ROOT),
                           str(tmp_path / "nothing.txt")], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and "corpus" in proc.stderr and "not found" in proc.stderr
    assert pair.without_threads(["-size", "8", "-threads", "4", "-hs", "1"]) == ["-size", "8", "-hs", "1"]


def test_identical_compares_two_builds_file_by_file(tmp_path):
    """bin/identical with this tree on both sides: the chosen cases write the same bytes."""
    corpus = tmp_path / "c.txt"
    rng = np.random.default_rng(3)
    corpus.write_text("\n".join(" ".join(f"w{int(i)}" for i in rng.zipf(1.4, 12) % 300)
                                 for _ in range(3000)) + "\n")
    proc = subprocess.run([sys.executable, str(ROOT / "bin" / "identical"), str(ROOT), str(ROOT),
                           "--corpus", str(corpus), "--isa", "generic", "--case", "sg-hs",
                           "--case", "text+vocab", "--case", "init-model"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "| generic | text+vocab | 2 | yes |" in proc.stdout
    assert "3 of 3 cases write the same bytes" in proc.stdout
