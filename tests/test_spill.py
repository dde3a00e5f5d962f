"""Corpora larger than memory: the id stream moves to an unlinked temporary file (csrc/bytebuf.h).

What is checked: the file-backed stream gives exactly the ids, vocabulary and vectors of the
in-memory one (moving mid-corpus, with -max-vocab pruning in the file, through finalize and
checkpoints); no file is ever visible in the directory, whether the run ends well, badly or by
SIGKILL; a full or missing directory is a one-line error; and a run whose ids do not fit in a
memory cgroup's limit finishes when they spill, while the same run kept in memory is killed.
"""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from w2vfast import _core, api
from w2vfast.cli import main
from w2vfast.memory import IdsStorage

from clitools import assert_one_error_line_proc, module_command  # tests/clitools.py
from clitools import can_mount_tmpfs as _can_mount_tmpfs
from shared import SANITIZED  # tests/shared.py

# 3000 sentences over a vocabulary of a few hundred words: ids of one and two varint bytes
_rng = np.random.default_rng(7)
_WORDS = [f"w{i}" for i in range(400)]
_P = 1.0 / np.arange(1, 401)
_P /= _P.sum()
TEXT = "".join(" ".join(_rng.choice(_WORDS, size=_rng.integers(3, 25), p=_P)) + "\n"
               for _ in range(3000)).encode()

FAST = ["-min-count", "2", "-iter", "2", "-size", "16", "-threads", "1", "-debug", "0"]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def train_stdin(*args):
    """`w2vfast train - ARGS` in a subprocess with TEXT on its standard input."""
    return subprocess.run(module_command("train", "-", *args), input=TEXT, capture_output=True,
                          timeout=120)


def dictionary(text, chunk=997, spill_above=None, spill_dir=None, **kw):
    d = _core.Dictionary(storage=IdsStorage(spill_above, None, spill_dir), **kw)
    for i in range(0, len(text), chunk):
        d.feed(text[i:i + chunk])
    d.feed(b"", last=True)
    return d


@pytest.mark.parametrize("spill_above", [0, 1000, 20000])
@pytest.mark.parametrize("max_vocab", [0, 60])
def test_spilled_stream_equals_the_in_memory_one(spill_above, max_vocab, tmp_path):
    """0: in a file from the first id; 1000, 20000: moved mid-corpus (pruning then runs on the
    file when max_vocab is set); finalize rewrites into a second file."""
    heap = dictionary(TEXT, max_vocab=max_vocab)
    spilled = dictionary(TEXT, max_vocab=max_vocab, spill_above=spill_above, spill_dir=str(tmp_path))
    assert spilled.spilled and not heap.spilled
    assert spilled.n_prunes == heap.n_prunes and (heap.n_prunes > 0) == (max_vocab > 0)
    for d in (heap, spilled):
        d.finalize(2)
    assert spilled.spilled
    assert spilled.words() == heap.words()
    assert spilled.counts().tolist() == heap.counts().tolist()
    assert spilled.ids_bytes == heap.ids_bytes
    assert np.array_equal(spilled.ids(), heap.ids())
    assert bytes(spilled.id_stream()) == bytes(heap.id_stream())
    assert os.listdir(tmp_path) == []  # unlinked at creation


def test_small_streams_stay_in_memory():
    d = dictionary(TEXT, spill_above=1 << 30)
    d.finalize(1)
    assert not d.spilled


def test_the_spill_file_is_open_but_never_in_the_directory(tmp_path):
    d = dictionary(TEXT, spill_above=0, spill_dir=str(tmp_path))
    targets = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
               if os.path.exists(f"/proc/self/fd/{fd}")]
    assert any(t.startswith(str(tmp_path)) and t.endswith("(deleted)") for t in targets), targets
    assert os.listdir(tmp_path) == []
    del d


def test_restore_copies_a_mapped_stream_into_a_spill_file(tmp_path):
    d = dictionary(TEXT)
    d.finalize(2)
    file = tmp_path / "ids.bin"
    file.write_bytes(bytes(d.id_stream()))
    from w2vfast.model_io import map_id_stream
    r = _core.Dictionary.restore(d.words(), d.counts(), map_id_stream(file), d.n_ids,
                                 storage=IdsStorage(0, None, str(tmp_path)))
    assert r.spilled and r.n_ids == d.n_ids
    assert np.array_equal(r.ids(), d.ids())


def test_api_train_spilled_equals_in_memory(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    opts = dict(min_count=2, iter=2, size=16, threads=1, seed=3)
    seen = []
    a = api.train(str(corpus), ids_memory=0, tmp_dir=str(tmp_path), on_vocab=seen.append, **opts)
    b = api.train(str(corpus), **opts)
    assert seen[0].spilled
    assert np.array_equal(a.vectors, b.vectors)
    assert sorted(os.listdir(tmp_path)) == ["c.txt"]


def test_stdin_training_spilled_gives_the_same_vectors(tmp_path):
    spill_dir = tmp_path / "spill"
    spill_dir.mkdir()
    r = train_stdin("-output", tmp_path / "a.txt", "--ids-memory", "0", "--tmp-dir", spill_dir, *FAST)
    assert r.returncode == 0, r.stderr
    r = train_stdin("-output", tmp_path / "b.txt", "--ids-memory", "1G", *FAST)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()
    assert os.listdir(spill_dir) == []


def test_where_the_ids_are_is_reported(tmp_path):
    """By default the ids stream from a temporary file; --ids-memory keeps them in memory up to
    that size, then the file."""
    for limit, where in [([], f"in a temporary file in {tmp_path}"), (["--ids-memory", "1K"], f"in a temporary file in {tmp_path}"),
                         (["--ids-memory", "1G"], "in memory")]:
        r = train_stdin("-output", tmp_path / "a.txt", *limit, "--tmp-dir", tmp_path, *FAST[:-2], "-debug", "1")
        assert r.returncode == 0, r.stderr
        assert f"Corpus ids: 0 MiB, {where}\n" in r.stderr.decode()
        assert os.listdir(tmp_path) == ["a.txt"]


def test_without_a_writable_tmp_dir_the_default_keeps_ids_in_memory(tmp_path):
    """The default prefers the file but does not need it: with nowhere to put it the run warns
    once and trains from memory, to the same vectors."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.access(ro, os.W_OK):
        ro = "/proc/self"
    r = train_stdin("-output", tmp_path / "a.txt", "--tmp-dir", ro, *FAST)
    assert r.returncode == 0, r.stderr
    warning = r.stderr.decode().strip()
    assert warning.startswith(f"Warning: cannot make a temporary file in {ro}") and warning.count("\n") == 0
    assert "stay in memory" in warning and "--tmp-dir" in warning
    r = train_stdin("-output", tmp_path / "b.txt", "--ids-memory", "1G", *FAST)
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()


@pytest.mark.skipif(SANITIZED, reason="AddressSanitizer's shadow memory swamps the resident set")
def test_streamed_ids_stay_out_of_the_resident_set(tmp_path):
    """The default run holds only the pages of the id stream around its read and write
    positions (the rest is in the page cache): its peak RSS is below a run holding the 16 MB of
    ids in memory by most of their size."""
    corpus = tmp_path / "c.txt"
    rng = np.random.default_rng(0)
    words = [b"w%02d" % i for i in range(100)]
    line = b" ".join(words[i] for i in rng.integers(0, 100, 100_000)) + b"\n"
    corpus.write_bytes(line * 160)  # 16M tokens, one byte of ids each

    def peak(*flags):
        probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", probe,
                              *module_command("train", corpus, "-output", tmp_path / "v.bin", "-binary", "1",
                                              "-size", "8", "-iter", "1", "-threads", "2", "-sample", "0",
                                              "--tmp-dir", tmp_path, *flags)],
                             capture_output=True, text=True, timeout=300, check=True)
        return int(out.stdout.split()[-1]) / 1024  # MiB

    in_memory, streamed = peak("--ids-memory", "1G"), peak()
    assert in_memory - streamed > 12, (in_memory, streamed)


@pytest.mark.parametrize("value", ["lots", "-1", "5X", ""])
def test_bad_ids_memory_is_a_usage_error(tmp_path, value):
    r = cli("train", "-", "-output", tmp_path / "a.txt", "--ids-memory", value)
    assert r.exit_code == 2
    assert "--ids-memory" in r.stderr and "size" in r.stderr


def test_missing_tmp_dir_is_a_usage_error(tmp_path):
    r = cli("train", "-", "-output", tmp_path / "a.txt", "--tmp-dir", tmp_path / "nope")
    assert r.exit_code == 2
    assert "--tmp-dir" in r.stderr and "not a directory" in r.stderr
    assert not (tmp_path / "a.txt").exists()


def test_unwritable_tmp_dir_is_a_clear_error(tmp_path):
    """A directory where no file can be created: a read-only one (or, as root, who ignores
    file modes, /proc, where no file can be made)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.access(ro, os.W_OK):
        ro = "/proc/self"
    r = train_stdin("-output", tmp_path / "a.txt", "--ids-memory", "0", "--tmp-dir", ro, *FAST)
    assert_one_error_line_proc(r, 1, "cannot keep the corpus ids in a temporary file", str(ro),
                               "--tmp-dir")
    assert not (tmp_path / "a.txt").exists()


def test_full_tmp_dir_is_a_clear_error(tmp_path):
    """A real full disk (a 16 KiB tmpfs in a private mount namespace): posix_fallocate says
    ENOSPC before any page is written, so the run ends with a message, not SIGBUS."""
    unshare = _can_mount_tmpfs()
    if unshare is None:
        pytest.skip("cannot mount a tmpfs in a private mount namespace (needs root and unshare)")
    disk = tmp_path / "disk"
    disk.mkdir()
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    script = 'mount -t tmpfs -o size=16k tmpfs "$1" || exit 99; shift; exec "$@"'
    proc = subprocess.run([unshare, "-m", "sh", "-c", script, "sh", str(disk),
                           *module_command("train", corpus, "-output", tmp_path / "v.txt",
                                           "--ids-memory", "0", "--tmp-dir", disk, *FAST)],
                          capture_output=True, timeout=120)
    assert_one_error_line_proc(proc, 1, "cannot keep the corpus ids in a temporary file",
                               "No space left on device", "--tmp-dir")
    assert not (tmp_path / "v.txt").exists()


def test_sigkill_leaves_nothing_in_the_tmp_dir(tmp_path):
    """The file is unlinked when created: even a run killed outright leaves nothing behind."""
    spill_dir = tmp_path / "spill"
    spill_dir.mkdir()
    proc = subprocess.Popen(module_command("train", "-", "-output", tmp_path / "v.txt",
                                           "--ids-memory", "0", "--tmp-dir", spill_dir,
                                           "-iter", "1000000", "-min-count", "1", "-size", "16",
                                           "-threads", "1", "-debug", "0"),
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(TEXT)
    proc.stdin.close()
    deadline = time.monotonic() + 60
    held = []
    while time.monotonic() < deadline and not held:  # wait until the stream is in its file
        try:
            fds = os.listdir(f"/proc/{proc.pid}/fd")
        except FileNotFoundError:
            break
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{proc.pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith(str(spill_dir)):
                held.append(target)
        time.sleep(0.05)
    assert held and held[0].endswith("(deleted)"), (held, proc.poll())
    assert os.listdir(spill_dir) == []
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert os.listdir(spill_dir) == []
    assert not (tmp_path / "v.txt").exists()


def test_checkpoint_of_a_spilled_run_resumes_identically_and_links_its_ids(tmp_path):
    """A checkpoint of a spilled run, resumed (itself spilling), ends byte-identical to an
    uninterrupted run; later checkpoints hard-link ids.bin rather than write it again."""
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    ckpt = tmp_path / "ckpt"
    opts = dict(min_count=2, iter=300, size=16, threads=1, seed=5)  # seconds: long enough to interrupt
    whole = api.train(str(corpus), **opts)

    def stop_mid_run(info):  # the first report comes after 0.25 s, well before the end
        if 0 < info["words"] < info["total"]:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        api.train(str(corpus), checkpoint=str(ckpt), ids_memory=0, tmp_dir=str(tmp_path),
                  progress=stop_mid_run, **opts)
    assert 0 < json.loads((ckpt / "state.json").read_text())["words_done"] < whole.stats["train_words"] * opts["iter"]
    first = os.stat(ckpt / "ids.bin")
    seen, inodes = [], set()

    def ids_file(info):  # the later checkpoints' ids.bin, while the run goes on
        if (ckpt / "ids.bin").exists():
            inodes.add(os.stat(ckpt / "ids.bin").st_ino)

    resumed = api.train(resume=str(ckpt), ids_memory=0, tmp_dir=str(tmp_path), progress=ids_file,
                        checkpoint=str(ckpt), checkpoint_every=0.001, on_vocab=seen.append)
    assert seen[0].spilled
    assert np.array_equal(resumed.vectors, whole.vectors)
    assert inodes == {first.st_ino}  # linked, not rewritten
    assert os.listdir(ckpt) == ["finished.json"]  # the finished run's note
    assert sorted(os.listdir(tmp_path)) == ["c.txt", "ckpt"]


def _memory_cgroup(limit):
    """A fresh memory cgroup (v2 or v1) limited to `limit` bytes: (its directory, the file to
    write a pid to), or a reason why none can be made."""
    for root, limit_file in (("/sys/fs/cgroup", "memory.max"),
                             ("/sys/fs/cgroup/memory", "memory.limit_in_bytes")):
        if not os.path.exists(os.path.join(root, limit_file if root.endswith("memory") else
                                           "cgroup.controllers")):
            continue
        path = os.path.join(root, f"w2vfast-test-{os.getpid()}")
        try:
            os.mkdir(path)
        except OSError as e:
            return None, f"cannot create a memory cgroup under {root}: {e.strerror}"
        try:
            with open(os.path.join(path, limit_file), "w") as f:
                f.write(str(limit))
            if os.path.exists(os.path.join(path, "memory.swap.max")):
                with open(os.path.join(path, "memory.swap.max"), "w") as f:
                    f.write("0")
        except OSError as e:
            os.rmdir(path)
            return None, f"cannot set a memory limit in {path}: {e.strerror}"
        return path, None
    return None, "no writable memory cgroup (v1 or v2) on this machine"


@pytest.fixture
def cgroup_150m():
    if SANITIZED:
        pytest.skip("memory bounds are not the product's under AddressSanitizer")
    path, why = _memory_cgroup(150 << 20)
    if path is None:
        pytest.skip(why)
    yield path
    for _ in range(50):
        try:
            os.rmdir(path)
            break
        except OSError:
            time.sleep(0.1)


def test_a_corpus_larger_than_the_memory_limit_trains_from_stdin(cgroup_150m, tmp_path):
    """155M tokens (148 MiB of ids, 600 MB of text) through a pipe into a process whose memory
    cgroup allows 150 MiB in all.  With the default the ids spill and the run finishes; kept in
    memory (--ids-memory 4G) the same run is killed by the kernel.  Each run is a shell put in
    the cgroup, which then starts the pipeline."""
    line = " ".join(f"w{i}" for i in range(100))
    train = module_command("train", "-", "-threads", "2", "-iter", "1", "-size", "8", "-negative", "1",
                           "-window", "1", "-sample", "1e-5", "-min-count", "1", "-debug", "1",
                           "--tmp-dir", tmp_path)
    procs = os.path.join(cgroup_150m, "cgroup.procs")

    def run(out, *extra):
        script = (f'echo $$ > "{procs}" && yes "{line}" | head -c 600000000 | '
                  + " ".join(f"'{a}'" for a in [*train, "-output", out, *extra]))
        return subprocess.run(["sh", "-c", script], capture_output=True, timeout=300)

    ok = run(tmp_path / "v.txt")
    assert ok.returncode == 0, ok.stderr.decode()
    assert b"in a temporary file" in ok.stderr
    words = (tmp_path / "v.txt").read_text().split("\n")[0]
    assert words == "101 8"  # 100 words and </s>
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]

    killed = run(tmp_path / "w.txt", "--ids-memory", "4G")
    assert killed.returncode == 128 + signal.SIGKILL or killed.returncode == -signal.SIGKILL, \
        (killed.returncode, killed.stderr.decode())
    assert not (tmp_path / "w.txt").exists()
