"""A resumed run is the run it continues: the options it keeps, what it reports (progress,
summary, JSON log), what a finished run leaves; and how runs report (the progress line, the
Python API's progress, --update-vocab's count)."""
import io
import json
import os
import re
import subprocess
import sys

import pytest

import w2vfast
from w2vfast import options as opts
from w2vfast.progress import ProgressPrinter

from clitools import run_train_module, train_cli
from test_distributed import MPIEXEC, mpi_env, mpirun, needs_mpi
from shared import write_zipf_corpus  # tests/shared.py


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_zipf_corpus(tmp_path_factory.mktemp("c") / "corpus.txt")


KW = dict(cbow=0, size=20, iter=50, threads=1, seed=4, min_count=2)


def interrupted(corpus, tmp_path, **kw):
    """A checkpoint of a run stopped at its second progress report (an exception from the
    progress callback stops the threads and saves the state, as Ctrl-C does)."""
    ck, calls = tmp_path / "ck", []

    def stop(info):
        calls.append(info)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w2vfast.train(corpus, output=str(tmp_path / "out.txt"), checkpoint=str(ck), progress=stop,
                      **{**KW, **kw})
    return ck


def error_line(result):
    lines = [line for line in result.output.splitlines() if line.startswith("w2vfast: error:")]
    assert len(lines) == 1, result.output
    return lines[0]


# --------------------------------------------------------------------------
# What a resumed run keeps
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flags,named", [
    (["-size", "300"], "-size 300 differs from the checkpoint's 20"),
    (["-threads", "2"], "-threads 2 differs from the checkpoint's 1"),
    (["-cbow", "1"], "-cbow 1 differs from the checkpoint's 0"),
    (["-sample", "0.01"], "-sample 0.01 differs from the checkpoint's 0.001"),
    (["-read-vocab", "v.txt"], "-read-vocab has no place in a resumed run"),
])
def test_resume_refuses_options_that_differ_from_the_checkpoint(corpus, tmp_path, flags, named):
    ck = interrupted(corpus, tmp_path)
    r = train_cli("--resume", ck, *flags)
    assert r.exit_code == 2, r.output
    assert f"w2vfast: error: --resume: {named}" in error_line(r)
    assert (ck / "state.json").exists() and not (tmp_path / "out.txt").exists()


def test_resume_takes_the_checkpoint_s_own_values_and_new_destinations(corpus, tmp_path):
    ck = interrupted(corpus, tmp_path)
    other = tmp_path / "other.bin"
    # -size and -threads as the checkpoint has them; outputs, checkpointing, memory, reporting free
    r = train_cli("--resume", ck, "-size", "20", "-threads", "1", "-cbow", "0", "-output", other,
                  "-binary", "1", "--checkpoint-every", "5", "--ids-memory", "1M", "-debug", "0")
    assert r.exit_code == 0, r.output
    assert other.read_bytes().split(b"\n", 1)[0].split()[1] == b"20"
    assert not (tmp_path / "out.txt").exists()


def test_the_schema_says_what_a_resumed_run_keeps():
    kept = {o.name for o in opts.SCHEMA if o.resume_rule == opts.KEPT}
    refused = {o.name for o in opts.SCHEMA if o.resume_rule == opts.REFUSED}
    assert kept == set(opts.MODEL_OPTIONS)
    assert refused == {"train_file", "train_files", "read_vocab", "init_model", "update_vocab"}
    assert opts.resume_conflict({"size": 20}, {"size": 20, "output": "x", "debug": 0}) is None
    assert opts.resume_conflict({"hs": 1}, {"hs": 0}).startswith("--resume: -hs 0 differs")


def test_the_api_refuses_a_changed_option_on_resume(corpus, tmp_path):
    ck = interrupted(corpus, tmp_path)
    with pytest.raises(opts.OptionError, match="-size 30 differs from the checkpoint's 20"):
        w2vfast.train(resume=str(ck), size=30)
    assert w2vfast.train(resume=str(ck), size=20, progress=False).vectors.shape[1] == 20


# --------------------------------------------------------------------------
# What a resumed run reports
# --------------------------------------------------------------------------

def test_a_resumed_run_reports_its_epoch_speed_and_the_whole_run(corpus, tmp_path):
    ck = interrupted(corpus, tmp_path)
    before = json.loads((ck / "state.json").read_text())["words_done"]
    r = run_train_module("--resume", ck, "-debug", "2", timeout=120)
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    last = [line for line in err.splitlines() if line.startswith("Progress:")][-1]
    assert "Progress: 100.00%  Epoch: 50/50" in last
    rate = float(re.search(r"Words/sec: +([0-9.]+)k", last).group(1))
    per_thread = float(re.search(r"per thread: ([0-9.]+)k", last).group(1))
    assert abs(per_thread - rate) <= 1  # one thread: its words are the run's, since the resume
    m = re.search(r"Trained (\d+) words in ([0-9.]+) s \(([0-9.]+)k words/s, 1 threads\); "
                  r"the whole run: (\d+) words; checkpoint read in", err)
    assert m, err
    trained, seconds, speed, whole = int(m[1]), float(m[2]), float(m[3]), int(m[4])
    assert trained == whole - before and trained < whole
    assert abs(speed * 1000 - trained / seconds) / speed < 0.05 * 1000
    assert abs(rate - speed) / speed < 0.2  # the line's speed and the summary's agree


def test_the_json_log_goes_on_in_the_same_file(corpus, tmp_path):
    log = tmp_path / "log.json"
    fresh = tmp_path / "fresh.json"
    w2vfast.train(corpus, log_json=str(fresh), progress=False, **{**KW, "iter": 1})
    ck = interrupted(corpus, tmp_path, log_json=str(log))
    first = [json.loads(line) for line in log.read_text().splitlines()]
    assert first and all("resumed" not in r and r["type"] == "progress" for r in first)
    r = train_cli("--resume", ck, "-debug", "0")  # the log's path comes from the checkpoint
    assert r.exit_code == 0, r.output
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[:len(first)] == first
    after = records[len(first):]
    assert after and all(rec["resumed"] is True for rec in after)
    times = [rec["time"] for rec in records]
    assert times == sorted(times)  # the resumed part's time goes on from the log's
    epochs = [rec["epoch"] for rec in records if rec["type"] == "progress"]
    assert epochs == sorted(epochs) and epochs[-1] == 50
    summary = records[-1]
    expected = [json.loads(line) for line in fresh.read_text().splitlines()][-1]["corpus_words"]
    assert summary["type"] == "summary" and summary["corpus_words"] == expected > 0
    assert summary["resumed_words"] + summary["words"] == 50 * summary["train_words"]


# --------------------------------------------------------------------------
# A finished run's checkpoint
# --------------------------------------------------------------------------

def test_a_finished_run_leaves_a_note_that_resume_reads(corpus, tmp_path):
    ck = interrupted(corpus, tmp_path)
    assert train_cli("--resume", ck, "-debug", "0").exit_code == 0
    assert os.listdir(ck) == ["finished.json"]
    out = tmp_path / "out.txt"
    stamp = out.stat().st_mtime_ns
    r = train_cli("--resume", ck)
    assert r.exit_code == 1
    assert error_line(r).startswith(f"w2vfast: error: this run already finished; vectors at {str(out)!r}")
    assert out.stat().st_mtime_ns == stamp  # not trained again


def test_ctrl_c_at_the_last_report_leaves_a_checkpoint_that_writes_the_outputs(corpus, tmp_path):
    """A run short enough to report only once, at its end, interrupted there: the checkpoint
    holds the trained state, and resuming it writes the vectors the run would have written."""
    ck, out = tmp_path / "ck", tmp_path / "v.txt"
    kw = {**KW, "iter": 1}

    def interrupt(info):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w2vfast.train(corpus, output=str(out), checkpoint=str(ck), progress=interrupt, **kw)
    assert (ck / "state.json").exists() and not out.exists()
    w2vfast.train(resume=str(ck))
    whole = tmp_path / "whole.txt"
    w2vfast.train(corpus, output=str(whole), **kw)
    assert out.read_bytes() == whole.read_bytes()


def test_a_run_that_saved_checkpoints_marks_the_last_finished(corpus, tmp_path):
    ck, out = tmp_path / "ck", tmp_path / "v.txt"
    w2vfast.train(corpus, output=str(out), checkpoint=str(ck), checkpoint_every=0.05,
                  **{**KW, "iter": 20})
    assert json.loads((ck / "finished.json").read_text())["outputs"]["output"] == str(out)
    with pytest.raises(w2vfast.model_io.RunFinished, match="already finished"):
        w2vfast.train(resume=str(ck))


def test_the_checkpoint_stays_when_the_outputs_fail(corpus, tmp_path, monkeypatch):
    """The note replaces the state only once the outputs are written: a failed write leaves
    the run to resume."""
    ck = interrupted(corpus, tmp_path)

    def broken(*args, **kw):
        raise w2vfast.atomic.OutputError("disk full")

    monkeypatch.setattr(w2vfast.outputs, "write_vectors", broken)
    with pytest.raises(w2vfast.atomic.OutputError):
        w2vfast.train(resume=str(ck))
    assert (ck / "state.json").exists() and not (ck / "finished.json").exists()


def test_a_directory_that_is_no_checkpoint_is_not_replaced(corpus, tmp_path):
    ck = tmp_path / "ck"
    ck.mkdir()
    (ck / "mine.txt").write_text("not a checkpoint\n")
    w2vfast.train(corpus, checkpoint=str(ck), checkpoint_every=3600, **{**KW, "iter": 1})
    assert os.listdir(ck) == ["mine.txt"]


# --------------------------------------------------------------------------
# The progress line, the API's progress, --update-vocab
# --------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self):
        return True


def record(words, eta, **kw):
    return {"words": words, "total": 1000, "epoch": 1, "iterations": 1, "alpha": 0.025, "loss": 1.0,
            "words_per_sec": 1e6, "per_thread": [1e6], "elapsed": 1.0, "eta": eta, **kw}


def test_a_shorter_progress_line_covers_the_longer_one():
    stream = Terminal()
    printer = ProgressPrinter(stream)
    printer(record(10, 7200.0, per_thread=[1e6, 3e6]))  # a long line: a range of thread speeds
    printer.last = 0.0
    printer(record(20, 5.0))
    printer.close()
    long_line, short_line = stream.getvalue().rstrip("\n").split("\r")[1:]
    assert len(short_line) == len(long_line)  # what the terminal shows is the short line alone
    assert short_line.rstrip().endswith("ETA: 0:00:05") and short_line[len(short_line.rstrip()):] == \
        " " * (len(long_line) - len(short_line.rstrip()))


def test_the_api_progress_line_callable_and_default(corpus, tmp_path, capfd, monkeypatch):
    kw = {**KW, "iter": 2}
    w2vfast.train(corpus, progress=True, **kw)
    err = capfd.readouterr().err
    assert "Progress: 100.00%  Epoch: 2/2" in err and "Trained" not in err  # debug 0: no summary
    records = []
    w2vfast.train(corpus, progress=records.append, **kw)
    assert capfd.readouterr().err == ""  # stderr is no terminal here: quiet by default
    assert records[-1]["words"] == records[-1]["total"] and records[-1]["epoch"] == 2
    assert {"eta", "words_per_sec", "alpha", "iterations", "resumed"} <= set(records[-1])
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    w2vfast.train(corpus, **kw)
    assert "\rProgress: 100.00%" in terminal.getvalue() and "Trained" in terminal.getvalue()


def test_update_vocab_says_how_many_words_it_added(corpus, tmp_path):
    model = tmp_path / "m"
    w2vfast.train(corpus, save_model=str(model), **{**KW, "iter": 1})
    more = tmp_path / "more.txt"
    more.write_text("zebra w1 quagga w2 zebra quagga okapi\n" * 5)
    flags = [more, "--init-model", model, "--update-vocab", "-min-count", "2", "-output",
             tmp_path / "v.txt"]
    r = train_cli(*flags, "-debug", "1")
    assert r.exit_code == 0, r.output
    n = len(w2vfast.load_model(str(model)).index_to_key)
    assert f"Added 3 new words to the model's {n:,} (min-count 2)" in r.output
    r = train_cli(*flags, "-debug", "0")
    assert r.exit_code == 0 and "Added" not in r.output


@needs_mpi
def test_the_api_under_mpiexec_runs_as_a_rank_as_the_command_does(corpus, tmp_path):
    flags = dict(min_count=2, iter=2, size=16, threads=1, binary=1)
    cli_out, api_out = tmp_path / "cli.bin", tmp_path / "api.bin"
    done = mpirun(2, "train", corpus, "-output", cli_out, "-binary", "1", "-min-count", "2", "-iter", "2",
                  "-size", "16", "-threads", "1", "-debug", "0")
    assert done.returncode == 0, done.stderr
    script = (f"import w2vfast; w2vfast.train({corpus!r}, output={str(api_out)!r}, "
              f"sync_interval=100000, **{flags!r})")
    done = subprocess.run([*MPIEXEC, "-n", "2", sys.executable, "-c", script], env=mpi_env(),
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert api_out.read_bytes() == cli_out.read_bytes()
