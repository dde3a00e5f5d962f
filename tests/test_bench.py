"""bin/bench, the benchmark script: its thread-scaling table runs end to end on a small corpus
and reads w2vfast's own training time from each run's log (the timings themselves are not
tested: speed claims live in BENCHMARKS.md)."""
import os
import re
import subprocess
import sys
from pathlib import Path

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
