"""Distributed training over MPI (w2vfast/distributed.py).

Without an MPI launcher: the shard boundaries, the vocabulary merge, the synchronisation points
of Trainer.run and the exchange arithmetic (against a stand-in communicator).  With `mpiexec`
and mpi4py installed (`pip install .[mpi]`; CI does), real jobs on this machine: two and three
ranks, file lists, errors on one rank, a rank killed mid-run, and on the shared enwiki corpus the
accuracy of 2 ranks x 1 thread against 1 process x 2 threads.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from w2vfast import _core, distributed, formats
from w2vfast.kinds import ModelKind
from w2vfast.corpus import CorpusError, read_file_list, shard_range
from w2vfast.distributed import _merge_counts

from clitools import module_command  # tests/clitools.py

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LEE = SHARED / "lee_background.cor"

_rng = random.Random(11)
_WORDS = [f"w{i}" for i in range(60)]
TEXT = "".join(" ".join(_rng.choices(_WORDS, weights=range(60, 0, -1), k=_rng.randint(2, 30))) + "\n"
               for _ in range(1500)).encode()


# --------------------------------------------------------------------------
# Without MPI
# --------------------------------------------------------------------------

def test_launcher_is_detected_from_its_environment():
    assert not distributed.launched({})
    assert not distributed.launched({"SLURM_NTASKS": "4"})  # a batch job is not an MPI launch
    for var in ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"):
        assert distributed.launched({var: "2"})


def test_a_plain_run_does_not_import_mpi4py(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    code = ("import sys; from w2vfast.cli import main\n"
            "try: main(['train', sys.argv[1], '-output', sys.argv[2], '-min-count', '1', '-iter', '1', '-debug', '0'])\n"
            "except SystemExit as e: assert not e.code, e.code\n"
            "assert 'mpi4py' not in sys.modules, 'mpi4py was imported'\n")
    env = {k: v for k, v in os.environ.items() if k not in distributed.LAUNCHER_VARIABLES}
    proc = subprocess.run([sys.executable, "-c", code, corpus, tmp_path / "v.txt"], env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()


@pytest.mark.parametrize("seed", range(8))
def test_shards_split_the_tokens_exactly(tmp_path, seed):
    """Byte ranges moved to token starts: every token and line end in exactly one shard, and the
    shards in rank order are the file."""
    rng = random.Random(seed)
    data = bytes(rng.choice(b"ab \n\t\xc3\xa9") for _ in range(rng.randint(0, 3000)))
    path = tmp_path / "c.txt"
    path.write_bytes(data)
    for n in (1, 2, 3, 7, 64):
        ranges = [shard_range(path, r, n) for r in range(n)]
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        for start, _ in ranges:  # a token starts there: the file start or just after a separator
            assert start == 0 or start == len(data) or data[start - 1:start] in (b" ", b"\t", b"\n")
        assert b"".join(data[s:e] for s, e in ranges) == data


def test_a_compressed_corpus_cannot_be_split(tmp_path):
    import gzip
    path = tmp_path / "c.txt.gz"
    path.write_bytes(gzip.compress(TEXT))
    with pytest.raises(CorpusError, match="-train-files"):
        shard_range(path, 0, 2)


def test_file_lists(tmp_path):
    (tmp_path / "sub").mkdir()
    listing = tmp_path / "sub" / "list.txt"
    listing.write_text("# shards\na.txt\n\n /abs/b.txt \n")
    assert read_file_list(f"@{listing}") == [str(tmp_path / "sub" / "a.txt"), "/abs/b.txt"]
    assert read_file_list("x.txt,y.txt") == ["x.txt", "y.txt"]
    with pytest.raises(CorpusError, match="not found"):
        read_file_list(f"@{tmp_path / 'none.txt'}")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(CorpusError, match="names no files"):
        read_file_list(f"@{tmp_path / 'empty.txt'}")


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_merged_vocabulary_is_the_single_process_one(tmp_path, n):
    """Counts of the shards, merged, give the words, counts and order of one process."""
    path = tmp_path / "c.txt"
    path.write_bytes(TEXT)
    whole = _core.Dictionary()
    whole.feed(TEXT, last=True)
    whole.finalize(3)
    gathered = []
    for r in range(n):
        s, e = shard_range(path, r, n)
        d = _core.Dictionary()
        d.feed(TEXT[s:e], last=True)
        gathered.append((b" ".join(d.words()), d.counts()))
    joined, counts = _merge_counts(gathered, 3)
    assert joined.split(b" ") == whole.words()
    assert counts.tolist() == whole.counts().tolist()


def test_shard_renumbered_into_the_merged_vocabulary(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(TEXT)
    whole = _core.Dictionary()
    whole.feed(TEXT, last=True)
    whole.finalize(3)
    words, counts = whole.words(), whole.counts()
    index = {w: i for i, w in enumerate(words)}
    ids = []
    for r in range(3):
        s, e = shard_range(path, r, 3)
        d = _core.Dictionary()
        d.feed(TEXT[s:e], last=True)
        remap = np.array([index.get(w, 0xFFFFFFFF) for w in d.words()], dtype=np.uint32)
        mine = _core.Dictionary.from_shard(words, counts, d, remap)
        assert mine.words() == words
        ids.extend(mine.ids().tolist())
    assert ids == whole.ids().tolist()


@pytest.mark.parametrize("threads,points", [(1, 1), (1, 7), (2, 13), (3, 40)])
def test_trainer_calls_sync_once_per_point_with_the_threads_paused(threads, points):
    d = _core.Dictionary()
    d.feed(TEXT, last=True)
    d.finalize(1)
    counts = d.counts()
    from w2vfast import options
    from w2vfast.kinds import ModelKind
    o = options.resolve(min_count=1, iter=3, size=8, threads=threads)
    kind = ModelKind.of(o)
    tr = kind.trainer(o, kind.new_matrices(len(counts), o), counts, corpus=d)
    seen = []

    def sync(trainer, k):
        st = trainer.progress()
        seen.append((k, st["words"]))

    tr.run(threads=threads, sync=sync, sync_points=points)
    assert [k for k, _ in seen] == list(range(1, points + 1))
    total = tr.total_words
    for k, words in seen:
        # paused at (or, by at most one report per thread, after) k/R of the run
        assert k * total // points <= words <= min(total, k * total // points + threads * 10000)
    assert seen[-1][1] == total


class _FakeComm:
    """Allreduce adds what a second rank changed (its deltas), as a 2-rank job would."""

    def __init__(self, other):
        self.other = other  # name -> that rank's delta for the rows being exchanged, by rows

    def Allreduce(self, _, buf, op=None):
        buf += self.calls.pop(0)


def test_exchange_adds_every_ranks_updates_to_the_last_synchronised_rows():
    """row = row_at_last_sync + own delta + other rank's delta, on the hot rows (top of syn0 and
    syn1neg, top of the Huffman tree for syn1) and on all rows at epoch ends."""
    V, D, hot = 50, 4, 8
    rng = np.random.default_rng(0)
    ref = {n: rng.standard_normal((V, D)).astype(np.float32) for n in ("syn0", "syn1neg", "syn1")}
    mine = {n: ref[n] + rng.standard_normal((V, D)).astype(np.float32) for n in ref}
    theirs = {n: rng.standard_normal((V, D)).astype(np.float32) for n in ref}
    c = distributed.Cluster.__new__(distributed.Cluster)
    c.MPI = type("MPI", (), {"IN_PLACE": None, "SUM": None})
    c.bytes_sent = c.syncs = c.bytes_per_sync = 0
    c.sync_seconds = 0.0
    comm = _FakeComm(theirs)
    rows = {"syn0": slice(0, hot), "syn1neg": slice(0, hot), "syn1": slice(V - 1 - hot, V - 1)}
    comm.calls = [theirs[n][rows[n]].copy() for n in ("syn0", "syn1neg", "syn1")]
    c.comm = comm
    before = {n: mine[n].copy() for n in mine}
    ref0 = {n: ref[n].copy() for n in ref}
    kind = ModelKind.of(dict(cbow=0, hs=1, negative=5))
    sent = c.exchange(mine, ref, kind, V, hot, full=False)
    for n in mine:
        r = rows[n]
        expect = before[n].copy()
        expect[r] = before[n][r] + theirs[n][r]
        np.testing.assert_allclose(mine[n], expect, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ref[n][r], expect[r], rtol=1e-5, atol=1e-6)
        outside = np.ones(V, bool)
        outside[r] = False
        assert np.array_equal(ref[n][outside], ref0[n][outside])  # untouched until a full exchange
    assert sent == 3 * hot * D * 4 and c.bytes_per_sync == sent
    # a full exchange: every row, in blocks
    comm.calls = [theirs[n].copy() for n in ("syn0", "syn1neg", "syn1")]
    before = {n: mine[n].copy() for n in mine}
    ref_before = {n: ref[n].copy() for n in ref}
    c.exchange(mine, ref, kind, V, hot, full=True)
    for n in mine:
        expect = before[n] + theirs[n]
        np.testing.assert_allclose(mine[n], expect, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ref[n], expect, rtol=1e-5, atol=1e-6)
        assert not np.allclose(ref_before[n], ref[n])


# --------------------------------------------------------------------------
# Real MPI jobs
# --------------------------------------------------------------------------

def _mpiexec():
    exe = shutil.which("mpiexec")
    if exe is None:
        return None, "no mpiexec on PATH (pip install '.[mpi]' installs Open MPI's)"
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None, "mpi4py is not installed (pip install '.[mpi]')"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    # Open MPI: allow root (CI containers) and more ranks than cores
    extra = ["--oversubscribe"] if ("Open MPI" in version or "OpenRTE" in version
                                   or "PRRTE" in version or "prte" in version) else []
    return [exe, *extra], None


MPIEXEC, WHY_NOT = _mpiexec()
needs_mpi = pytest.mark.skipif(MPIEXEC is None, reason=WHY_NOT or "")


def mpi_env():
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", PRTE_MCA_rmaps_default_mapping_policy=":oversubscribe")
    for var in distributed.LAUNCHER_VARIABLES:
        env.pop(var, None)
    return env


def mpirun(n, *args, timeout=300):
    return subprocess.run([*MPIEXEC, "-n", str(n), *module_command(*args)], env=mpi_env(),
                          capture_output=True, timeout=timeout)


def error_lines(proc):
    return [line for line in proc.stderr.decode(errors="replace").splitlines()
            if line.startswith("w2vfast")]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(TEXT)
    return path


FAST = ["-min-count", "2", "-iter", "2", "-size", "16", "-threads", "1"]


@needs_mpi
def test_two_ranks_write_one_valid_vectors_file_that_gensim_loads(corpus, tmp_path):
    out = tmp_path / "v.bin"
    log = tmp_path / "log.json"
    proc = mpirun(2, "train", corpus, "-output", out, "-binary", "1", *FAST, "-debug", "1",
                  "--log-json", log, "-save-vocab", tmp_path / "vocab.txt")
    assert proc.returncode == 0, proc.stderr.decode()
    stderr = proc.stderr.decode()
    assert stderr.count("Vocab size:") == 1  # rank 0 alone reports
    assert "2 processes x 1 threads" in stderr
    words, vectors = formats.read_vectors(str(out))
    assert vectors.shape == (61, 16) and np.isfinite(vectors).all()
    import json
    summary = [json.loads(line) for line in log.read_text().splitlines()][-1]
    assert summary["type"] == "summary" and summary["ranks"] == 2 and summary["syncs"] >= 2
    assert summary["bytes_sent"] > 0
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors.load_word2vec_format(str(out), binary=True)
    assert len(kv.index_to_key) == 61
    # the vocabulary is exactly that of one process
    single = subprocess.run(module_command("train", corpus, "-save-vocab", tmp_path / "one.txt",
                                           *FAST, "-debug", "0"), capture_output=True, timeout=120)
    assert single.returncode == 0, single.stderr
    assert (tmp_path / "vocab.txt").read_bytes() == (tmp_path / "one.txt").read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["c.txt", "log.json", "one.txt", "v.bin", "vocab.txt"]


@needs_mpi
def test_train_files_give_each_rank_its_own_shards(tmp_path):
    import gzip
    lines = TEXT.splitlines(keepends=True)
    names = []
    for i in range(3):
        part = b"".join(lines[i::3])
        name = f"part{i}.txt" + (".gz" if i == 1 else "")
        (tmp_path / name).write_bytes(gzip.compress(part) if i == 1 else part)
        names.append(name)
    (tmp_path / "list.txt").write_text("\n".join(names) + "\n")
    out = tmp_path / "v.txt"
    proc = mpirun(2, "train", "-train-files", f"@{tmp_path / 'list.txt'}", "-output", out, *FAST,
                  "-debug", "1")
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Words in train file: %d" % (len(TEXT.split()) + len(lines)) in proc.stderr
    words, _ = formats.read_vectors(str(out))
    assert len(words) == 61


@needs_mpi
def test_a_file_missing_on_one_rank_ends_every_rank_with_one_message(tmp_path):
    (tmp_path / "a.txt").write_bytes(TEXT)
    (tmp_path / "list.txt").write_text("a.txt\nmissing.txt\n")
    proc = mpirun(2, "train", "-train-files", f"@{tmp_path / 'list.txt'}", "-output",
                  tmp_path / "v.txt", *FAST)
    assert proc.returncode == 1, proc.stderr.decode()
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr.decode()
    assert "rank 1" in lines[0] and "missing.txt" in lines[0] and "not found" in lines[0]
    assert not (tmp_path / "v.txt").exists()


@needs_mpi
@pytest.mark.parametrize("case", ["stdin", "compressed", "resume", "bad-option", "unwritable"])
def test_errors_under_mpiexec_are_one_line(tmp_path, corpus, case):
    import gzip
    out = tmp_path / "v.txt"
    args = {"stdin": ["train", "-", "-output", out],
            "compressed": ["train", tmp_path / "c.gz", "-output", out],
            "resume": ["train", "--resume", tmp_path, "-output", out],
            "bad-option": ["train", corpus, "-output", out, "-window", "0"],
            "unwritable": ["train", corpus, "-output", tmp_path / "no" / "v.txt"]}[case]
    (tmp_path / "c.gz").write_bytes(gzip.compress(TEXT))
    proc = mpirun(2, *args, *FAST)
    stderr = proc.stderr.decode()
    assert proc.returncode in (1, 2), stderr
    assert "Traceback" not in stderr
    messages = [line for line in stderr.splitlines() if "rror" in line]
    assert len(messages) == 1, stderr
    assert not out.exists()


def _command(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace").split("\0")
    except OSError:
        return [""]


def _processes_running(text):
    """Pids whose command line contains `text` (pgrep hangs under the ASan preload of CI)."""
    return [int(p) for p in os.listdir("/proc")
            if p.isdigit() and text in " ".join(_command(p))]


@needs_mpi
def test_a_rank_killed_mid_run_ends_the_job_without_output(tmp_path, corpus):
    out = tmp_path / "v.txt"
    proc = subprocess.Popen([*MPIEXEC, "-n", "2", *module_command(
        "train", corpus, "-output", out, "-iter", "100000", "-min-count", "1", "-size", "16",
        "-threads", "1", "-debug", "0")], env=mpi_env(), stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            time.sleep(0.5)
            # the ranks: Python processes (not the launcher, whose arguments hold the same words)
            ranks = [p for p in _processes_running(f"-m w2vfast train {corpus}")
                     if "python" in os.path.basename(_command(p)[0]) and p != proc.pid]
            if len(ranks) >= 2:
                time.sleep(1.0)  # both are training by now
                victim = max(ranks)
        assert victim is not None, "the ranks did not start"
        os.kill(victim, signal.SIGKILL)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert code != 0
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["c.txt"]


@needs_mpi
@pytest.mark.skipif(not (SHARED / "enwiki_text8like_100M.xz").exists(),
                    reason="../shared/data/enwiki_text8like_100M.xz is not present (it is in CI)")
def test_two_ranks_match_one_process_on_enwiki(tmp_path):
    """The issue's proof: SG-NS -iter 1, 2 ranks x 1 thread within 1 point of analogy accuracy of
    one process.  The process runs one thread too: that run is deterministic (10.79 %), where a
    2-thread run's accuracy moves by most of a point with the threads' timing (10.7-11.5 %
    measured), which made this comparison a matter of luck."""
    from w2vfast.evaluate import evaluate_analogies
    corpus = tmp_path / "enwiki.txt"
    with open(corpus, "wb") as f:
        subprocess.run(["xz", "-dc", SHARED / "enwiki_text8like_100M.xz"], stdout=f, check=True)
    flags = ["-cbow", "0", "-negative", "5", "-hs", "0", "-size", "100", "-window", "5",
             "-sample", "1e-4", "-iter", "1", "-min-count", "5", "-binary", "1", "-debug", "0"]
    single = subprocess.run(module_command("train", corpus, *flags, "-threads", "1", "-output",
                                           tmp_path / "one.bin"), capture_output=True, timeout=600)
    assert single.returncode == 0, single.stderr.decode()
    ranks = mpirun(2, "train", corpus, *flags, "-threads", "1", "-output", tmp_path / "two.bin",
                   timeout=600)
    assert ranks.returncode == 0, ranks.stderr.decode()
    corpus.unlink()
    acc = {}
    for name in ("one", "two"):
        words, vectors = formats.read_vectors(str(tmp_path / f"{name}.bin"))
        acc[name] = evaluate_analogies(words, vectors, restrict=30000).accuracy * 100
    print(f"analogy accuracy: 1 process x 1 thread {acc['one']:.2f} %, "
          f"2 ranks x 1 thread {acc['two']:.2f} %")
    assert acc["two"] >= acc["one"] - 1.0, acc


# --------------------------------------------------------------------------
# -train-files in one process: the files in order, as one corpus
# --------------------------------------------------------------------------

def _one_process(*args):
    env = {k: v for k, v in os.environ.items() if k not in distributed.LAUNCHER_VARIABLES}
    return subprocess.run(module_command(*args), env=env, capture_output=True, timeout=120)


def test_train_files_in_one_process_are_the_concatenated_corpus(tmp_path):
    import gzip
    lines = TEXT.splitlines(keepends=True)
    (tmp_path / "a.txt").write_bytes(b"".join(lines[:700]))
    (tmp_path / "b.gz").write_bytes(gzip.compress(b"".join(lines[700:])))
    (tmp_path / "all.txt").write_bytes(TEXT)
    (tmp_path / "list.txt").write_text("a.txt\nb.gz\n")
    for spec in (f"@{tmp_path / 'list.txt'}", f"{tmp_path / 'a.txt'},{tmp_path / 'b.gz'}"):
        r = _one_process("train", "-train-files", spec, "-save-vocab", tmp_path / "v1.txt", "-debug", "0")
        assert r.returncode == 0, r.stderr
        r = _one_process("train", tmp_path / "all.txt", "-save-vocab", tmp_path / "v2.txt", "-debug", "0")
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "v1.txt").read_bytes() == (tmp_path / "v2.txt").read_bytes()
    r = _one_process("train", "-train-files", f"@{tmp_path / 'list.txt'}", "-output", tmp_path / "v.txt",
                     "-min-count", "1", "-iter", "1", "-debug", "0")
    assert r.returncode == 0, r.stderr
    assert len(formats.read_vectors(str(tmp_path / "v.txt"))[0]) == 61


@pytest.mark.parametrize("case", ["no-list", "missing-file", "both"])
def test_train_files_errors_in_one_process(tmp_path, case):
    (tmp_path / "a.txt").write_bytes(TEXT)
    (tmp_path / "list.txt").write_text("a.txt\nnope.txt\n")
    args = {"no-list": ["-train-files", f"@{tmp_path / 'none.txt'}"],
            "missing-file": ["-train-files", f"@{tmp_path / 'list.txt'}"],
            "both": [tmp_path / "a.txt", "-train-files", f"@{tmp_path / 'list.txt'}"]}[case]
    r = _one_process("train", *args, "-output", tmp_path / "v.txt", "-debug", "0")
    stderr = r.stderr.decode()
    assert r.returncode == (2 if case == "both" else 1), stderr
    assert "Traceback" not in stderr
    assert {"no-list": "not found", "missing-file": "nope.txt", "both": "give the corpus once"}[case] in stderr
    assert not (tmp_path / "v.txt").exists()


@pytest.mark.parametrize("flag,value", [("-sync-interval", "-1"), ("-sync-interval", "many"),
                                        ("-sync-rows", "-5"), ("-sync-rows", "1.5")])
def test_bad_sync_flags_are_usage_errors(tmp_path, flag, value):
    (tmp_path / "c.txt").write_bytes(TEXT)
    r = _one_process("train", tmp_path / "c.txt", "-output", tmp_path / "v.txt", flag, value)
    stderr = r.stderr.decode()
    assert r.returncode == 2, stderr
    assert flag in stderr and "Traceback" not in stderr
    assert not (tmp_path / "v.txt").exists()
