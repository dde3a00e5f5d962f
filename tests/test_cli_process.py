"""`w2vfast` as a process: SIGINT and SIGTERM stop a training run with the shell's exit status
and leave no output; the program keeps BLAS threads off the trainer's cores and loads NumPy
late; an instruction set the CPU lacks is a one-line error.

Every test runs `python -m w2vfast` (or the `w2vfast` entry point) in a subprocess; the signal
tests train on a ~2M-token corpus so that there is a run long enough to interrupt.
"""
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """~2M tokens of random words from a 1,000-word vocabulary (about 10 MB)."""
    r = random.Random(1)
    words = [b"w%d" % i for i in range(1000)]
    path = tmp_path_factory.mktemp("big") / "big.txt"
    with open(path, "wb") as f:
        for _ in range(100):
            f.write(b"\n".join(b" ".join(r.choices(words, k=20)) for _ in range(1000)) + b"\n")
    return path


def _interrupt(big_corpus, out_dir, sig, extra=()):
    """Start a long run, wait until it trains (and at least 1.5 s), send `sig`; return it."""
    out = out_dir / "vec.txt"
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "w2vfast", "train", str(big_corpus), "-output", str(out),
         "-iter", "20", "-min-count", "1", "-size", "20", "-threads", "1", "-debug", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines, training = [], threading.Event()

    def read_stderr():
        for line in proc.stderr:
            lines.append(line)
            if line.startswith(b"Words in train file"):
                training.set()
        training.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert training.wait(8), b"".join(lines)
        time.sleep(max(0.3, 1.5 - (time.monotonic() - start)))
        assert proc.poll() is None, "the run ended before the signal: make the corpus bigger"
        proc.send_signal(sig)
        proc.wait(timeout=8)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    return proc.returncode, b"".join(lines).decode(), time.monotonic() - start


@pytest.mark.parametrize("sig, status, word", [
    pytest.param(signal.SIGINT, 130, "interrupted", id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, "terminated", id="SIGTERM"),
])
def test_signal_stops_training_without_output(big_corpus, tmp_path, sig, status, word):
    status_got, stderr, elapsed = _interrupt(big_corpus, tmp_path, sig)
    assert status_got == status, stderr
    assert word in stderr and "no output was written" in stderr
    assert "Traceback" not in stderr
    assert os.listdir(tmp_path) == []  # no vectors, no temporary files
    assert elapsed < 10


def test_interrupt_message_is_true_with_save_vocab(big_corpus, tmp_path):
    vocab = tmp_path / "vocab.txt"
    status, stderr, _ = _interrupt(big_corpus, tmp_path, signal.SIGINT, ["-save-vocab", str(vocab)])
    assert status == 130, stderr
    assert not (vocab.exists() and "no output was written" in stderr)


# --------------------------------------------------------------------------
# The program's environment: BLAS threads, NumPy loaded late, the instruction set
# --------------------------------------------------------------------------


ENTRY_PROBE = """
import os, sys
from w2vfast.entry import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("numpy loaded late:", "numpy" in sys.modules, "BLAS threads:", os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.parametrize("command,threads", [("vocab", "1"), ("train", "1"), ("similar", None)])
def test_program_keeps_blas_threads_off_the_trainers_cores(corpus, tmp_path, command, threads):
    """The `w2vfast` program sets OPENBLAS_NUM_THREADS=1 for commands that never call BLAS
    (OpenBLAS's idle workers spin on the cores the trainer uses), before NumPy loads; the
    vector queries keep BLAS threads."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    args = {"vocab": [str(corpus)], "train": [str(corpus), "-output", str(tmp_path / "v.txt"), "-iter", "1"],
            "similar": ["--help"]}[command]
    out = subprocess.run([sys.executable, "-c", ENTRY_PROBE, command, *args], env=env,
                         capture_output=True, text=True, timeout=120).stdout
    assert f"numpy loaded late: True BLAS threads: {threads}" in out


def test_package_import_defers_numpy():
    code = "import sys, w2vfast; assert 'numpy' not in sys.modules; w2vfast.Vectors; assert 'numpy' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_users_blas_setting_is_kept(corpus):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", ENTRY_PROBE, "vocab", str(corpus)], env=env,
                         capture_output=True, text=True, timeout=120).stdout
    assert "BLAS threads: 2" in out


def test_an_instruction_set_the_cpu_lacks_is_a_one_line_error(corpus, tmp_path):
    out = tmp_path / "v.txt"
    env = dict(os.environ, W2VFAST_ISA="vax")
    proc = subprocess.run([sys.executable, "-m", "w2vfast", "train", str(corpus), "-output", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "W2VFAST_ISA='vax'" in proc.stderr and "generic" in proc.stderr
    assert not out.exists()
