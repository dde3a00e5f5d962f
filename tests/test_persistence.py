"""Long runs: saved models, checkpoints and resuming, continued training, the JSON log."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

import w2vfast
import w2vfast.options
from shared import write_zipf_corpus  # tests/shared.py
from w2vfast.tables import huffman_codes
from w2vfast.cli import main
from w2vfast.model_io import ModelFileError, load_model


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_zipf_corpus(tmp_path_factory.mktemp("c") / "corpus.txt")


KW = dict(cbow=0, size=20, iter=3, threads=1, seed=4, min_count=2)


def test_saved_model_round_trips(corpus, tmp_path):
    model = w2vfast.train(corpus, save_model=str(tmp_path / "m"), hs=1, **KW)
    files = sorted(os.listdir(tmp_path / "m"))
    assert files == ["model.json", "syn0.npy", "syn1.npy", "syn1neg.npy", "vocab.txt"]
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["format"] == "w2vfast-model" and meta["options"]["size"] == 20
    assert np.array_equal(np.load(tmp_path / "m" / "syn0.npy"), model.syn0)  # plain NumPy reads it
    loaded = w2vfast.load_model(str(tmp_path / "m"))
    assert loaded.index_to_key == model.index_to_key
    np.testing.assert_array_equal(loaded.vectors, model.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    np.testing.assert_array_equal(loaded.counts, model.counts)


def test_checkpoint_pauses_do_not_change_the_result(corpus, tmp_path):
    kw = {**KW, "iter": 40}  # long enough for several pauses
    a = w2vfast.train(corpus, **kw).vectors
    saved = []

    def progress(info):
        saved.append((tmp_path / "ck" / "state.json").exists() and (tmp_path / "ck" / "ids.bin").exists())

    b = w2vfast.train(corpus, checkpoint=str(tmp_path / "ck"), checkpoint_every=0.05, progress=progress,
                      **kw).vectors
    np.testing.assert_array_equal(a, b)
    assert any(saved)  # checkpoints were written on the way; the finished run marked the last
    assert os.listdir(tmp_path / "ck") == ["finished.json"]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "w2vfast", *args], capture_output=True)


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_resumes_to_the_same_vectors(corpus, tmp_path, sig, code):
    flags = [corpus, "-cbow", "0", "-size", "20", "-iter", "200", "-threads", "1", "-seed", "4",
             "-min-count", "2", "-binary", "1", "-debug", "0"]
    full = tmp_path / "full.bin"
    assert run_cli("train", *flags, "-output", str(full)).returncode == 0
    out, ck = tmp_path / "out.bin", tmp_path / "ck"
    p = subprocess.Popen([sys.executable, "-m", "w2vfast", "train", *flags, "-output", str(out),
                          "--checkpoint", str(ck), "-debug", "1"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # the signal goes once training has begun (the vocabulary is reported just before), however
    # long the start takes on a loaded machine
    head = b""
    while b"Corpus ids" not in head and p.poll() is None:
        head += p.stderr.readline()
    time.sleep(0.5)
    p.send_signal(sig)
    _, err = p.communicate(timeout=max(1, deadline - time.monotonic()))
    err = head + err
    if p.returncode == 0:
        pytest.skip("the run finished before the signal (machine too fast for this test)")
    assert p.returncode == code, err
    assert b"--resume" in err and not out.exists()
    state = json.loads((ck / "state.json").read_text())
    assert 0 < state["words_done"]
    resumed = run_cli("train", "--resume", str(ck), "-debug", "0")
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == full.read_bytes()


def _interrupted_checkpoint(corpus, tmp_path, out):
    """A checkpoint of a run stopped after its first progress report (an exception from the
    progress callback stops the threads and saves the state, as Ctrl-C does)."""
    ck = tmp_path / "ck"

    def stop(report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w2vfast.train(corpus, output=str(out), checkpoint=str(ck), progress=stop,
                      **{**KW, "iter": 50})
    return ck


def test_resume_overwrites_an_existing_output(corpus, tmp_path):
    """--resume takes the corpus from the checkpoint: the check that an output is not the corpus
    itself must not trip over the corpus argument it does not have."""
    out = tmp_path / "out.txt"
    ck = _interrupted_checkpoint(corpus, tmp_path, out)
    out.write_text("an older file of the same name\n")
    r = CliRunner().invoke(main, ["train", "--resume", str(ck), "-debug", "0"])
    assert r.exit_code == 0, r.output
    words, dim = out.read_text().split("\n", 1)[0].split()
    assert int(words) > 100 and dim == "20"  # the vectors, in place of the older file


def test_resume_refuses_a_state_that_does_not_fit(corpus, tmp_path):
    """A state made for other corpus blocks (or by a version with fixed thread slices) is an
    error that says what to do, not a traceback."""
    ck = _interrupted_checkpoint(corpus, tmp_path, tmp_path / "out.txt")
    state = json.loads((ck / "state.json").read_text())
    del state["blocks"]
    (ck / "state.json").write_text(json.dumps(state))
    r = CliRunner().invoke(main, ["train", "--resume", str(ck)])
    assert r.exit_code == 1
    assert "cannot resume" in r.output and "without --resume" in r.output
    assert not (tmp_path / "out.txt").exists()  # refused before any output


def test_resume_errors(tmp_path, corpus):
    r = CliRunner().invoke(main, ["train", "--resume", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "not found" in r.output
    w2vfast.train(corpus, save_model=str(tmp_path / "m"), **KW)
    r = CliRunner().invoke(main, ["train", "--resume", str(tmp_path / "m"), "-output", str(tmp_path / "o")])
    assert r.exit_code == 1 and "not a checkpoint" in r.output
    r = CliRunner().invoke(main, ["train", corpus, "--resume", str(tmp_path / "m")])
    assert r.exit_code == 2
    (tmp_path / "m" / "model.json").write_text("{broken")
    with pytest.raises(ModelFileError, match="model.json"):
        load_model(str(tmp_path / "m"))


def test_continued_training_keeps_rows_and_learns(corpus, tmp_path):
    base = w2vfast.train(corpus, save_model=str(tmp_path / "m"), **KW)
    more = tmp_path / "more.txt"
    more.write_text("zebra w1 w2 zebra w3 w1 quagga\n" * 200)
    cont = w2vfast.train(str(more), init_model=str(tmp_path / "m"), **KW)
    assert cont.index_to_key == base.index_to_key  # no new words without update_vocab
    assert not np.array_equal(cont.syn0, base.syn0)
    untouched = [i for i, w in enumerate(base.index_to_key) if w not in ("w1", "w2", "w3", "</s>")]
    # words absent from the new corpus keep their input vectors exactly
    np.testing.assert_array_equal(cont.syn0[untouched], base.syn0[untouched])

    grown = w2vfast.train(str(more), init_model=str(tmp_path / "m"), update_vocab=True, **KW)
    assert grown.index_to_key[: len(base)] == base.index_to_key
    assert set(grown.index_to_key[len(base):]) == {"zebra", "quagga"}
    assert grown.counts[base.key_to_index["w1"]] == base.counts[base.key_to_index["w1"]] + 400

    with pytest.raises(w2vfast.options.OptionError, match="-size"):
        w2vfast.train(str(more), init_model=str(tmp_path / "m"), **{**KW, "size": 30})


def test_update_vocab_from_stdin_through_the_cli(corpus, tmp_path):
    w2vfast.train(corpus, save_model=str(tmp_path / "m"), **KW)
    p = subprocess.run([sys.executable, "-m", "w2vfast", "train", "-", "--init-model", str(tmp_path / "m"),
                        "--update-vocab", "-min-count", "2", "-output", str(tmp_path / "v.txt"), "-debug", "0"],
                       input=b"okapi w5 w6 okapi\n" * 50, capture_output=True)
    assert p.returncode == 0, p.stderr
    assert "okapi" in w2vfast.load(str(tmp_path / "v.txt"))


def test_huffman_codes_for_unsorted_counts_are_optimal_and_follow_the_words():
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 1000, 50).astype(np.uint64)
    offset, codes, points = huffman_codes(counts)
    lengths = np.diff(offset.astype(np.int64))
    order = np.argsort(-counts.astype(np.float64), kind="stable")
    s_offset, s_codes, _ = w2vfast._core.huffman(np.ascontiguousarray(counts[order]))
    s_lengths = np.diff(s_offset.astype(np.int64))
    assert (lengths[order] == s_lengths).all()
    for k, w in enumerate(order[:10]):
        assert list(codes[offset[w]:offset[w + 1]]) == list(s_codes[s_offset[k]:s_offset[k + 1]])
    assert int((lengths * counts.astype(np.int64)).sum()) == int((s_lengths * counts[order].astype(np.int64)).sum())


def test_json_log_and_plot_loss(corpus, tmp_path):
    pytest.importorskip("matplotlib")
    log = tmp_path / "log.json"
    r = CliRunner().invoke(main, ["train", corpus, "-output", str(tmp_path / "v.txt"), "-iter", "3",
                                  "-size", "10", "-min-count", "2", "-debug", "0", "--log-json", str(log)])
    assert r.exit_code == 0, r.output
    records = [json.loads(line) for line in log.read_text().splitlines()]
    progress = [x for x in records if x["type"] == "progress"]
    assert progress and progress[-1]["words"] == progress[-1]["total"]
    assert {"time", "epoch", "words", "words_per_sec", "alpha", "loss"} <= set(progress[-1])
    summary = records[-1]
    assert summary["type"] == "summary" and summary["vocab_size"] > 100 and summary["peak_memory_mb"] > 0
    png = tmp_path / "loss.png"
    r = CliRunner().invoke(main, ["plot-loss", str(log), "-o", str(png), "--size", "640x400"])
    assert r.exit_code == 0, r.output
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")) == (640, 400)
    r = CliRunner().invoke(main, ["plot-loss", str(tmp_path / "missing.json"), "-o", str(png)])
    assert r.exit_code == 1 and "not found" in r.output


def test_progress_line_shows_epoch_loss_rates_and_eta(corpus):
    p = run_cli("train", corpus, "-output", "-", "-iter", "2", "-size", "10", "-min-count", "2",
                "-threads", "2", "-debug", "2")
    assert p.returncode == 0, p.stderr
    last = [line for line in p.stderr.decode().splitlines() if line.startswith("Progress:")][-1]
    for part in ("Progress: 100.00%", "Epoch: 2/2", "Alpha:", "Loss:", "Words/sec:", "per thread:",
                 "Elapsed:", "ETA:"):
        assert part in last, last
    assert p.stdout.split(b"\n")[0].split()[1] == b"10"  # the vectors went to stdout


def test_a_model_directory_without_a_kind_loads_and_continues(corpus, tmp_path):
    """model.json records the model's kind; a directory written before it did gets the kind its
    options ask for, and trains on (its NS and HS rows kept)."""
    model = w2vfast.train(corpus, save_model=str(tmp_path / "m"), hs=1, negative=3, **KW)
    meta_file = tmp_path / "m" / "model.json"
    meta = json.loads(meta_file.read_text())
    assert meta["kind"] == {"input": "skipgram", "objectives": ["hs", "ns"]}
    del meta["kind"]
    meta_file.write_text(json.dumps(meta))
    loaded = w2vfast.load_model(str(tmp_path / "m"))
    assert loaded.kind.describe() == {"input": "skipgram", "objectives": ["hs", "ns"]}
    np.testing.assert_array_equal(loaded.syn1, model.syn1)
    np.testing.assert_array_equal(loaded.context_vectors(), model.syn1neg)
    more = w2vfast.train(corpus, init_model=str(tmp_path / "m"), hs=1, negative=3, **KW)
    assert more.vectors.shape == model.vectors.shape
    meta["kind"] = {"input": "skipgram", "objectives": ["softmax"]}
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="unknown model kind"):
        load_model(str(tmp_path / "m"))
