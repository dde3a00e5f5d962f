"""Bad input, faults and load, through the real entry points: a clear one-line error or a correct
result, never a traceback, a crash or a partial output file.

Complements tests/test_cli.py and tests/test_cli_vectors.py, which already cover: a missing,
directory, empty, whitespace-only or blank-lines corpus, no word reaching -min-count, truncated
or corrupt .gz/.bz2/.xz, every bad flag value of the issue (-size 0/-5/abc, -window 0,
-negative -1, -hs 0 with -negative 0, -threads 0, -alpha 0/-1/nan/inf, -sample -1/nan, -iter 0
and 1.5, -min-count 0, overflowing values), a missing output directory, an output that is a
directory or the corpus itself, interrupted runs, and for every vector command: an empty file,
a bad header, fewer rows than the header says, a short row, a non-numeric value, NaN and a
binary file cut in a row.

Here: the rest of the issue's list (permissions, binary garbage, invalid UTF-8, NUL bytes,
vertical tab and form feed, 50 MB tokens and lines, CRLF, -threads 512, -size beyond memory,
a full disk, infinite values and mixed-up formats in vector files), divergence, and load (64
threads on 2 cores, a 5-million-word vocabulary within a memory bound).

Tests that need privileges to drop (permissions), a private mount namespace (a real full
disk) or an unsanitized build (memory bounds) skip with the reason when they cannot run.
"""
import errno
import os
import random
import shutil
import stat
import struct
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

import w2vfast
from w2vfast import formats
from w2vfast.cli import main

from shared import VECTOR_COMMANDS  # tests/shared.py

# Under AddressSanitizer (.ci/run's sanitizer step) memory use and speed are not the product's.
SANITIZED = "libasan" in os.environ.get("LD_PRELOAD", "")

FAST = ["-min-count", "1", "-iter", "1", "-size", "10", "-threads", "1"]
SENTENCES = [
    b"the quick brown fox jumps over the lazy dog",
    b"a lazy dog sleeps in the sun all day",
    b"the fox and the dog are friends now",
    b"every day the sun rises over the hills",
]
_rng = random.Random(0)
CORPUS = b"\n".join(_rng.choice(SENTENCES) for _ in range(300)) + b"\n"


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_bytes(CORPUS)
    return path


def cli(*args, input=None):
    """`w2vfast ARGS` in process (click's CliRunner)."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def module_command(*args):
    return [sys.executable, "-m", "w2vfast", *[str(a) for a in args]]


def run_module(*args, prefix=(), timeout=120, **kw):
    """`python -m w2vfast ARGS` in a subprocess, optionally behind a command prefix."""
    return subprocess.run([*prefix, *module_command(*args)], capture_output=True, timeout=timeout, **kw)


_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_mib(*args, timeout=120):
    """Run `python -m w2vfast ARGS`; return (exit status, stderr, its peak RSS in MiB).

    A small Python process starts it and reads its rusage: a child forked straight from pytest
    (hundreds of MiB by now) would have that size counted in its peak."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *module_command(*args)],
                          capture_output=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    code, kib = proc.stdout.split()
    return int(code), proc.stderr.decode(errors="replace"), int(kib) / 1024


def assert_ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)


def assert_one_error_line(result, code, *fragments):
    """Exit `code`, no traceback, exactly one stderr line `w2vfast: error: ...` with `fragments`."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2vfast: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def assert_one_error_line_proc(proc, code, *fragments):
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == code, (proc.returncode, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2vfast: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def listing(directory):
    return sorted(os.listdir(directory))


def words_of(path):
    """The words of a vector file, as bytes."""
    return formats.read_vectors(str(path))[0]


# --------------------------------------------------------------------------
# Running without the root's right to ignore file permissions
# --------------------------------------------------------------------------

def _unprivileged_prefix():
    """A command prefix under which file permissions apply, or a reason why there is none.

    Not root: nothing to do.  Root: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set with setpriv, so the command runs as root (it can still reach this Python and
    the checkout, even under a 0700 home) but can no longer bypass permission bits.  The
    prefix is probed on a file with mode 000 before it is trusted."""
    if os.geteuid() != 0:
        return [], None
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None, "running as root and setpriv (util-linux) is not installed to drop privileges"
    prefix = [setpriv, "--inh-caps=-dac_override,-dac_read_search",
              "--bounding-set=-dac_override,-dac_read_search"]
    probe_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"w2vfast-probe-{os.getpid()}")
    os.makedirs(probe_dir, exist_ok=True)
    probe = os.path.join(probe_dir, "secret")
    try:
        with open(probe, "w") as f:
            f.write("x")
        os.chmod(probe, 0)
        result = subprocess.run([*prefix, sys.executable, "-c", f"open({probe!r}).read()"],
                                capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"running as root and dropping privileges failed: {e}"
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    if result.returncode == 0:
        return None, "running as root and setpriv could not drop CAP_DAC_OVERRIDE"
    if b"PermissionError" not in result.stderr:
        return None, f"running as root and setpriv failed: {result.stderr[-300:]!r}"
    return prefix, None


@pytest.fixture(scope="module")
def unprivileged():
    prefix, reason = _unprivileged_prefix()
    if prefix is None:
        pytest.skip(reason)
    return prefix


def test_unreadable_corpus(corpus, tmp_path, unprivileged):
    os.chmod(corpus, 0)
    out = tmp_path / "out"
    out.mkdir()
    proc = run_module("train", corpus, "-output", out / "vec.txt", *FAST, prefix=unprivileged)
    assert_one_error_line_proc(proc, 1, str(corpus), "not readable (permission denied)")
    assert listing(out) == []


def test_unprivileged_run_itself_works(corpus, tmp_path, unprivileged):
    """The same run on a readable corpus succeeds: the prefix is not what fails the others."""
    out = tmp_path / "vec.txt"
    proc = run_module("train", corpus, "-output", out, *FAST, "-debug", "0", prefix=unprivileged)
    assert proc.returncode == 0, proc.stderr
    assert words_of(out)[:2] == [b"</s>", b"the"]


def test_unwritable_output_directory(corpus, tmp_path, unprivileged):
    out_dir = tmp_path / "readonly"
    out_dir.mkdir()
    os.chmod(out_dir, 0o555)
    try:
        proc = run_module("train", corpus, "-output", out_dir / "vec.txt", *FAST, prefix=unprivileged)
        assert_one_error_line_proc(proc, 1, "no permission to create files in", str(out_dir))
        assert listing(out_dir) == []
    finally:
        os.chmod(out_dir, 0o755)


def test_unreadable_vector_file(tmp_path, unprivileged):
    vec = tmp_path / "vec.txt"
    vec.write_bytes(b"2 2\na 1 2\nb 3 4\n")
    os.chmod(vec, 0)
    proc = run_module("similar", vec, "a", prefix=unprivileged)
    assert_one_error_line_proc(proc, 1, str(vec), "Permission denied")


# --------------------------------------------------------------------------
# Corpora that are not clean text
# --------------------------------------------------------------------------

def test_binary_garbage_trains_and_every_word_reads_back(tmp_path):
    """Random bytes are a corpus like any other (the tokenizer never decodes); before the
    vertical-tab/form-feed split, a word holding one crashed the writer after training."""
    data = random.Random(7).randbytes(200_000)
    assert b"\v" in data and b"\f" in data and b"\0" in data and b"\xff" in data
    source = tmp_path / "garbage.bin"
    source.write_bytes(data)
    out = tmp_path / "vec.bin"
    result = cli("train", source, "-output", out, "-binary", "1", *FAST, "-debug", "0")
    assert_ok(result)
    words, vectors = formats.read_vectors(str(out))
    assert np.isfinite(vectors).all()
    tokens = set(data.replace(b"\r", b"").replace(b"\v", b" ").replace(b"\f", b" ").split())
    assert len(words) > 1000
    long_tokens = [t for t in tokens if len(t) > 100]  # cut to at most 100 bytes
    assert all(w == b"</s>" or w in tokens or any(t.startswith(w) for t in long_tokens)
               for w in words)
    assert all(not any(c in w for c in b" \t\n\r\v\f") for w in words)
    # and the text format too, read by a vector command
    text = tmp_path / "vec.txt"
    assert_ok(cli("convert", out, text))
    assert words_of(text) == words


def test_invalid_utf8_words_are_kept_byte_for_byte(tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes(CORPUS.replace(b"fox", b"f\xf6x").replace(b"sun", b"\xc3(sun\xff"))
    out = tmp_path / "vec.txt"
    assert_ok(cli("train", source, "-output", out, *FAST, "-debug", "0"))
    words = words_of(out)
    assert b"f\xf6x" in words and b"\xc3(sun\xff" in words
    result = cli("similar", out, "f\udcf6x", "-n", "3")  # the surrogate-escaped word
    assert_ok(result)
    assert len(result.stdout.splitlines()) == 3


def test_nul_bytes_are_ordinary_word_bytes(tmp_path):
    source = tmp_path / "nul.txt"
    source.write_bytes(CORPUS.replace(b"dog", b"d\x00g").replace(b"the", b"\x00"))
    out = tmp_path / "vec.txt"
    assert_ok(cli("train", source, "-output", out, *FAST, "-debug", "0"))
    words = words_of(out)
    assert words[1] == b"\x00" and b"d\x00g" in words


def test_vertical_tab_and_form_feed_separate_words(tmp_path):
    """pdftotext puts a form feed between pages: 'end\\fstart' is two words, as every reader of
    the vector and vocabulary files splits there (word2vec.c would write one unreadable word)."""
    source = tmp_path / "pages.txt"
    source.write_bytes(CORPUS.replace(b"lazy dog", b"lazy\fdog").replace(b"sun all", b"sun\vall"))
    out, vocab = tmp_path / "vec.txt", tmp_path / "vocab.txt"
    assert_ok(cli("train", source, "-output", out, "-save-vocab", vocab, *FAST, "-debug", "0"))
    plain = tmp_path / "plain.txt"
    assert_ok(cli("train", tmp_path / "pages.txt", "-output", plain, *FAST, "-debug", "0"))
    (tmp_path / "spaces.txt").write_bytes(CORPUS)
    same = tmp_path / "same.txt"
    assert_ok(cli("train", tmp_path / "spaces.txt", "-output", same, *FAST, "-debug", "0"))
    assert out.read_bytes() == same.read_bytes()  # exactly as with spaces
    again = tmp_path / "again.txt"
    assert_ok(cli("train", source, "-output", again, "-read-vocab", vocab, *FAST, "-debug", "0"))
    assert again.read_bytes() == out.read_bytes()
    assert_ok(cli("vocab", source, "-min-count", "1", "-o", tmp_path / "vocab2.txt", "-q"))
    assert (tmp_path / "vocab2.txt").read_bytes() == vocab.read_bytes()


def test_crlf_line_ends_give_the_same_vectors_as_lf(tmp_path, corpus):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(CORPUS.replace(b"\n", b"\r\n"))
    a, b = tmp_path / "lf.bin", tmp_path / "crlf.bin"
    assert_ok(cli("train", corpus, "-output", a, "-binary", "1", *FAST, "-debug", "0"))
    assert_ok(cli("train", crlf, "-output", b, "-binary", "1", *FAST, "-debug", "0"))
    assert a.read_bytes() == b.read_bytes()


FIFTY_MB = 50 << 20


@pytest.fixture(scope="module")
def huge_word(tmp_path_factory):
    path = tmp_path_factory.mktemp("huge") / "word.txt"
    with open(path, "wb") as f:
        for _ in range(50):
            f.write(b"x" * (1 << 20))
    return path


def test_a_50_mb_word_is_cut_to_100_bytes_in_bounded_memory(huge_word, tmp_path):
    out = tmp_path / "vec.txt"
    code, stderr, peak = peak_rss_mib("train", huge_word, "-output", out, *FAST, "-debug", "1")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert words_of(out) == [b"</s>", b"x" * 100]
    if not SANITIZED:
        # the tokenizer keeps 101 bytes of a token; the file is read in 1 MiB chunks
        assert peak < 100, f"peak RSS {peak:.0f} MiB for a 50 MiB token (measured: 34 MiB)"


def test_a_50_mb_word_under_min_count_is_a_clear_error(huge_word, tmp_path):
    out = tmp_path / "vec.txt"
    result = cli("train", huge_word, "-output", out, "-min-count", "5", "-iter", "1", "-size", "10",
                 "-threads", "1", "-debug", "0")
    assert_one_error_line(result, 1, "empty vocabulary", "try a smaller -min-count")
    assert not out.exists()


def test_a_single_line_of_50_mb(tmp_path):
    """One sentence of 50 MB (about 1.2 million words, no newline at all): it trains, cut into
    sentences of -max-sentence-length words."""
    rng = np.random.default_rng(3)
    words = np.array([b"w%05d" % i + b"x" * 36 for i in range(2000)])  # 42-byte words
    picks = words[rng.integers(0, len(words), FIFTY_MB // 43 + 1)]
    data = b" ".join(picks.tolist())[:FIFTY_MB].rsplit(b" ", 1)[0]
    assert b"\n" not in data and len(data) > FIFTY_MB - 100
    source = tmp_path / "line.txt"
    source.write_bytes(data)
    out = tmp_path / "vec.txt"
    result = cli("train", source, "-output", out, "-min-count", "1", "-iter", "1", "-size", "8",
                 "-threads", "2", "-debug", "1")
    assert_ok(result)
    assert f"Words in train file: {data.count(b' ') + 1}" in result.stderr
    vec = w2vfast.load(str(out))
    assert len(vec) == 2001 and np.isfinite(vec.vectors).all()


# --------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bad, flag", [
    (["-alpha", "abc"], "-alpha"),
    (["-sample", "x"], "-sample"),
    (["-threads", "2.5"], "-threads"),
    (["-window", "five"], "-window"),
    (["-min-count", ""], "-min-count"),
    (["-negative", "1e3"], "-negative"),
])
def test_wrong_types_are_usage_errors(corpus, tmp_path, bad, flag):
    """Not covered by test_cli.py's table (which has -size abc and -iter 1.5)."""
    out = tmp_path / "vec.txt"
    args = [a for a in FAST]
    result = cli("train", corpus, "-output", out, *args, *bad)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and flag in errors[0], result.stderr
    assert not out.exists()


@pytest.mark.parametrize("value", ["1000", "-1000", "11"])
def test_ns_exponent_out_of_range_is_a_usage_error(corpus, tmp_path, value):
    """count**1000 overflows (a RuntimeWarning, then a noise table of infinities); count**-1000
    vanishes ("needs at least one word besides </s>", which misled)."""
    out = tmp_path / "vec.txt"
    result = cli("train", corpus, "-output", out, *FAST, "-ns-exponent", value)
    assert result.exit_code == 2, result.stderr
    assert "invalid -ns-exponent" in result.stderr and "from -10 to 10" in result.stderr
    assert "Warning" not in result.output and not out.exists()


EXTREME_BUT_VALID = [
    ["-size", "1", "-window", "1", "-negative", "1"],
    ["-window", "65536", "-max-sentence-length", "1"],
    ["-window", "65536", "-cbow", "0", "-batch", "1"],
    ["-window", "65536", "-cbow", "0", "-batch", "0", "-negative", "0", "-hs", "1"],
    ["-window", "65536", "-cbow", "1", "-hs", "1"],
    ["-max-sentence-length", "16777216"],
    ["-negative", "65536", "-size", "2", "-alpha", "1e-6"],  # more noise words: smaller steps
    ["-negative", "1000", "-hs", "1", "-cbow", "1", "-cbow-mean", "0"],
    ["-sample", "1e-12"],
    ["-sample", "1e12"],
    ["-ns-exponent", "-10"],
    ["-ns-exponent", "10"],
    ["-ns-exponent", "0"],
    ["-seed", str(2 ** 64 - 1)],
    ["-vectors", "concat", "-binary", "1", "-hs", "1"],
    ["-threads", "4096"],
    ["-size", "1000", "-iter", "1", "-negative", "0", "-hs", "1", "-cbow", "0", "-batch", "1"],
]


@pytest.mark.parametrize("extra", EXTREME_BUT_VALID, ids=[" ".join(e) for e in EXTREME_BUT_VALID])
def test_extreme_but_valid_flags_train(corpus, tmp_path, extra):
    """The limits of every range that options.py accepts train to finite vectors (and, in the
    sanitizer run of .ci/run, without a memory error or undefined behaviour)."""
    out = tmp_path / "vec.bin"
    args = dict(zip(FAST[0::2], FAST[1::2]))
    args["-iter"] = "2"
    args.update(zip(extra[0::2], extra[1::2]))
    args.setdefault("-binary", "1")
    result = cli("train", corpus, "-output", out, *[x for kv in args.items() for x in kv],
                 "-debug", "0")
    assert_ok(result)
    assert result.stderr == ""
    assert np.isfinite(w2vfast.load(str(out)).vectors).all()


def test_512_threads_work(corpus, tmp_path):
    """More threads than sentences, on however many cores there are."""
    out = tmp_path / "vec.txt"
    result = cli("train", corpus, "-output", out, "-threads", "512", "-min-count", "1",
                 "-iter", "3", "-size", "10", "-debug", "1")
    assert_ok(result)
    assert "512 threads" in result.stderr
    vec = w2vfast.load(str(out))
    assert np.isfinite(vec.vectors).all() and np.abs(vec.vectors).sum() > 0


def test_size_beyond_memory_is_refused_before_allocating(tmp_path):
    """-size 1048576 (the largest accepted) on 100,000 words would need 781 GiB: refused with
    the amount, after counting the corpus, before any matrix is allocated (the peak RSS stays
    that of counting)."""
    source = tmp_path / "many.txt"
    source.write_bytes(b"\n".join(b" ".join(b"w%d" % (i + j) for j in range(10))
                                  for i in range(0, 100_000, 10)) + b"\n")
    out = tmp_path / "vec.txt"
    code, stderr, peak = peak_rss_mib("train", source, "-output", out, "-size", "1048576",
                                      "-min-count", "1", "-threads", "1", "-debug", "0")
    assert code == 1, stderr
    assert stderr.startswith("w2vfast: error: the model needs 781.3 GiB (100001 words x 1048576 "
                             "dims x 2 matrices of float32) but only "), stderr
    assert "use a smaller -size" in stderr and len(stderr.strip().splitlines()) == 1
    assert listing(tmp_path) == ["many.txt"]
    if not SANITIZED:
        assert peak < 150, f"peak RSS {peak:.0f} MiB (measured: 42 MiB): something was allocated"


def test_memory_check_counts_the_written_copy_and_allocates_nothing(corpus, tmp_path, monkeypatch):
    """In process, with 1 MiB free: -vectors concat needs syn0, syn1neg and a 2-D copy."""
    from w2vfast import pipeline
    from w2vfast.kinds import ModelKind
    monkeypatch.setattr(pipeline, "available_memory", lambda: 1 << 20)

    def no_allocation(*args):
        raise AssertionError("a matrix was allocated before the memory check")

    monkeypatch.setattr(ModelKind, "new_matrices", no_allocation)
    out = tmp_path / "vec.txt"
    result = cli("train", corpus, "-output", out, "-size", "10000", "-vectors", "concat",
                 "-min-count", "1", "-threads", "1", "-debug", "0")
    V = len(set(CORPUS.split())) + 1
    need = V * 10000 * 4 * 4
    assert_one_error_line(result, 1, f"the model needs {need / 2**20:.1f} MiB ({V} words x 10000 "
                          "dims x 4 matrices of float32) but only 1.0 MiB is available",
                          "-max-vocab")
    assert not out.exists()


@pytest.mark.skipif(SANITIZED, reason="AddressSanitizer cannot run under an address-space limit")
def test_address_space_limit_is_the_memory_available(tmp_path):
    """`ulimit -v 2 GiB`, and a model of 4 GiB: refused with the amount, not a MemoryError."""
    import resource

    source = tmp_path / "words.txt"
    source.write_bytes(b" ".join(b"w%d" % i for i in range(5000)) + b"\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY))

    proc = subprocess.run(module_command("train", source, "-output", tmp_path / "vec.txt",
                                         "-size", "100000", "-min-count", "1", "-threads", "1",
                                         "-debug", "0"),
                          capture_output=True, timeout=120, preexec_fn=limit)
    assert_one_error_line_proc(proc, 1, "the model needs 3.7 GiB (5001 words x 100000 dims")
    assert listing(tmp_path) == ["words.txt"]


# --------------------------------------------------------------------------
# Outputs: a full disk
# --------------------------------------------------------------------------

def test_dev_full_as_output_is_a_clear_error_and_stays_a_device(corpus):
    """/dev/full is written in place (not replaced by a renamed temporary file, which as root
    would turn the device into a regular file) and fails with ENOSPC."""
    result = cli("train", corpus, "-output", "/dev/full", *FAST, "-debug", "0")
    assert_one_error_line(result, 1, "cannot write '/dev/full': No space left on device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    result = cli("train", corpus, "-output", "/dev/null", *FAST, "-debug", "0")
    assert_ok(result)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def _can_mount_tmpfs():
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run([unshare, "-m", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"],
                           capture_output=True)
    return unshare if probe.returncode == 0 else None


def test_full_disk_leaves_no_partial_file(corpus, tmp_path):
    """A real full disk: a 16 KiB tmpfs in a private mount namespace (unshare -m, needs root);
    the vectors (about 30 KiB) do not fit.  The old output stays, no temporary file is left."""
    unshare = _can_mount_tmpfs()
    if unshare is None:
        pytest.skip("cannot mount a tmpfs in a private mount namespace (needs root and unshare); "
                    "test_simulated_full_disk_leaves_no_partial_file covers the same path")
    disk = tmp_path / "disk"
    disk.mkdir()
    listed = tmp_path / "listing.txt"
    script = ('mount -t tmpfs -o size=16k tmpfs "$1" || exit 99; disk=$1; listed=$2; shift 2; '
              'printf old > "$disk/vec.txt"; "$@"; rc=$?; '
              'ls -A "$disk" > "$listed"; cat "$disk/vec.txt" >> "$listed"; exit $rc')
    proc = subprocess.run([unshare, "-m", "sh", "-c", script, "sh", str(disk), str(listed),
                           *module_command("train", corpus, "-output", disk / "vec.txt",
                                           "-min-count", "1", "-iter", "1", "-size", "300",
                                           "-threads", "1", "-debug", "0")],
                          capture_output=True, timeout=120)
    assert_one_error_line_proc(proc, 1, f"cannot write '{disk / 'vec.txt'}'",
                               "No space left on device")
    assert listed.read_text() == "vec.txt\nold"  # only the old file, unchanged


def test_simulated_full_disk_leaves_no_partial_file(corpus, tmp_path, monkeypatch):
    """The disk fills up half-way through writing the vectors (ENOSPC from a write)."""
    real = formats._write_payload

    def fill_up(out, words, array, binary):
        class Full:
            written = 0

            def write(self, data):
                if self.written + len(data) > 4096:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                self.written += len(data)
                return out.write(data)
        real(Full(), words, array, binary)

    monkeypatch.setattr(formats, "_write_payload", fill_up)
    out = tmp_path / "vec.txt"
    out.write_bytes(b"old")
    result = cli("train", corpus, "-output", out, "-min-count", "1", "-size", "100",
                 "-threads", "1", "-debug", "0")
    assert_one_error_line(result, 1, f"cannot write '{out}': No space left on device")
    assert out.read_bytes() == b"old"
    assert listing(tmp_path) == ["corpus.txt", "vec.txt"]


# --------------------------------------------------------------------------
# Vector files: more damage, every command, the line or row named
# --------------------------------------------------------------------------

def _bin_row(word, *values):
    return word + b" " + struct.pack(f"<{len(values)}f", *values) + b"\n"


BAD_VECTOR_FILES = {
    # name: (content, fragments of the message)
    "inf.txt": (b"2 2\na 1 2\nb inf 1\n", ["line 3", "b'inf'", "infinite"]),
    "minus-inf.txt": (b"2 2\na 1 -inf\nb 1 2\n", ["line 2", "infinite"]),
    "huge.txt": (b"2 2\na 1 2\nb 1 1e300\n", ["line 3", "float32 range"]),
    "inf.bin": (b"2 2\n" + _bin_row(b"a", 1, 2) + _bin_row(b"b", float("inf"), 0),
                ["row 2", "b'b'", "NaN or infinity"]),
    "header3.txt": (b"2 2 2\na 1 2\nb 3 4\n", ["line 1", "bad header"]),
    "header-neg.txt": (b"-2 2\na 1 2\n", ["line 1", "bad header"]),
    "header-zero.txt": (b"2 0\na\nb\n", ["line 1", "counts must be positive"]),
    "cut-in-word.bin": (b"3 2\n" + _bin_row(b"a", 1, 2) + _bin_row(b"b", 3, 4) + b"cc",
                        ["row 3", "middle of the row"]),
    # a text file whose second row is binary: the text reader names the line
    "text-then-binary.txt": (b"2 2\na 1 2\n" + _bin_row(b"b", 1.5, 2.5), ["line 3"]),
    # a binary file with text rows from another tool spliced in: the binary reader names a row
    "binary-then-text.bin": (b"3 2\n" + _bin_row(b"a", 1, 2) + b"b 0.100000 0.200000\n",
                             ["row "]),
}



@pytest.mark.parametrize("name", list(BAD_VECTOR_FILES))
@pytest.mark.parametrize("command", VECTOR_COMMANDS, ids=[c[0] for c in VECTOR_COMMANDS])
def test_damaged_vector_file_names_the_line_or_row(tmp_path, name, command):
    if command[0] == "plot":
        pytest.importorskip("matplotlib", reason="plot stops before reading without matplotlib")
    content, fragments = BAD_VECTOR_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = cli(*[a.format(path, out=out) for a in command])
    assert_one_error_line(result, 1, name, *fragments)
    assert result.stdout == ""
    assert not out.exists() and not (tmp_path / "out.png").exists()


def test_format_is_told_by_content_not_by_name(tmp_path):
    """A binary file named .txt and a text file named .bin read as what they are."""
    words = [b"a", b"b", b"c"]
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    formats.write_vectors(str(tmp_path / "binary.txt"), words, vectors, binary=True)
    formats.write_vectors(str(tmp_path / "text.bin"), words, vectors, binary=False)
    answers = []
    for name in ("binary.txt", "text.bin"):
        result = cli("similar", tmp_path / name, "a", "-n", "1")
        assert_ok(result)
        answers.append(result.stdout.split()[0])
    assert answers == ["b", "b"]


def test_binary_row_whose_floats_spell_numbers_reads_as_binary():
    """Regression (found by fuzz/fuzz_vectors.py): a binary row whose float bytes happen to be
    ASCII digits and spaces looked like a text row, so read_vectors(binary=True) refused a file
    that write_vectors had just written."""
    import io
    values = np.frombuffer(b"0.1 -02 3e-2", dtype="<f4").reshape(1, 3)
    out = io.BytesIO()
    formats.write_vectors(out, [b"the"], values, binary=True)
    words, again = formats.read_vectors(io.BytesIO(out.getvalue()), binary=True)
    assert words == [b"the"] and again.tobytes() == values.tobytes()
    # a real text file read as binary is still refused with the hint
    with pytest.raises(formats.VectorFileError, match="row 1: this is a text-format row"):
        formats.read_vectors(io.BytesIO(b"2 2\na 1 2\nb 3 4\n"), binary=True)


def test_convert_of_a_word_with_a_tab_is_a_clear_error(tmp_path):
    """A binary file may hold a word with a tab (the binary reader splits at spaces only); no
    format can write it back, so convert says so instead of raising."""
    source = tmp_path / "tab.bin"
    source.write_bytes(b"2 2\n" + _bin_row(b"a\tb", 1, 2) + _bin_row(b"c", 3, 4))
    out = tmp_path / "out.txt"
    result = cli("convert", source, out)
    assert_one_error_line(result, 1, f"cannot write '{out}'", "contains whitespace")
    assert listing(tmp_path) == ["tab.bin"]


# --------------------------------------------------------------------------
# Numerical safety
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    """Eight groups of 12 words; a sentence uses the words of one group only (20,000 words)."""
    rng = np.random.default_rng(5)
    groups = [[f"g{g}w{i}" for i in range(12)] for g in range(8)]
    lines = [" ".join(groups[g][i] for i in rng.integers(0, 12, 10))
             for g in rng.integers(0, 8, 2000)]
    path = tmp_path_factory.mktemp("grouped") / "groups.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("mode", [["-cbow", "0"], ["-cbow", "1"]], ids=["skip-gram", "cbow"])
def test_divergence_stops_training_with_a_clear_error(grouped, tmp_path, mode):
    """-alpha 50 makes NaN within a few thousand words.  The run has 2 billion words to do
    (minutes) but stops at the first check (every 10,000 words of a thread), writing nothing."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    start = time.monotonic()
    proc = run_module("train", grouped, "-output", out_dir / "vec.txt", "-save-vocab",
                      out_dir / "vocab.txt", "-save-context", out_dir / "ctx.txt", "-alpha", "50",
                      "-iter", "100000", "-min-count", "1", "-size", "50", "-threads", "2",
                      "-debug", "0", *mode, timeout=60)
    elapsed = time.monotonic() - start
    assert_one_error_line_proc(proc, 1, "training diverged (NaN or infinity in the vectors)",
                               "-alpha 50.0", "use a smaller -alpha")
    assert listing(out_dir) == []
    assert elapsed < 30, f"took {elapsed:.1f} s: divergence was not caught during training"


def test_non_finite_output_matrix_is_caught_too(corpus, tmp_path, monkeypatch):
    """NaN in an output-side row that training never touches (</s> is never a noise word) left
    syn0 finite; it used to reach -save-context's writer and end in a traceback."""
    from w2vfast.kinds import ModelKind
    real = ModelKind.new_matrices

    def poisoned(kind, V, o):
        m = real(kind, V, o)
        m["syn1neg"][0, 0] = np.nan
        return m

    monkeypatch.setattr(ModelKind, "new_matrices", poisoned)
    out, ctx = tmp_path / "vec.txt", tmp_path / "ctx.txt"
    result = cli("train", corpus, "-output", out, "-save-context", ctx, *FAST, "-debug", "0")
    assert_one_error_line(result, 1, "training diverged")
    assert not out.exists() and not ctx.exists()


# --------------------------------------------------------------------------
# Load: Hogwild with many threads, a huge vocabulary
# --------------------------------------------------------------------------

def _group_accuracy(vec):
    hits = total = 0
    for word in vec.index_to_key[1:]:
        neighbours = [w for w, _ in vec.most_similar(word, topn=5)]
        hits += sum(n.split("w")[0] == word.split("w")[0] for n in neighbours)
        total += len(neighbours)
    return hits / total


def _two_cores():
    try:
        cores = sorted(os.sched_getaffinity(0))[:2]
        return lambda: os.sched_setaffinity(0, cores)
    except (AttributeError, OSError):
        return None


@pytest.mark.parametrize("threads, iterations, lines", [(64, 200, 300), (64, 50, 20)],
                         ids=["64-threads-200-epochs", "64-threads-on-20-sentences"])
def test_hogwild_many_threads_on_two_cores(grouped, tmp_path, threads, iterations, lines):
    """64 threads on (at most) 2 cores, many tiny epochs: they all finish, and the vectors are
    sane (finite, bounded) and still learn the planted groups."""
    source = tmp_path / "small.txt"
    source.write_bytes(b"\n".join(grouped.read_bytes().splitlines()[:lines]) + b"\n")
    out = tmp_path / "vec.bin"
    proc = subprocess.run(module_command("train", source, "-output", out, "-binary", "1",
                                         "-threads", threads, "-iter", iterations, "-min-count", "1",
                                         "-size", "24", "-window", "3", "-sample", "0", "-cbow", "0",
                                         "-debug", "1"),
                          capture_output=True, timeout=120, preexec_fn=_two_cores())
    assert proc.returncode == 0, proc.stderr
    assert b"%d threads" % threads in proc.stderr
    vec = w2vfast.load(str(out))
    norms = np.linalg.norm(vec.vectors, axis=1)
    assert np.isfinite(vec.vectors).all() and norms[1:].min() > 0 and norms.max() < 100
    if lines >= 300:
        assert _group_accuracy(vec) >= 0.9


def _five_million_words(path):
    """5,000,000 distinct 7-byte words once each (20 a line) and 2,000,000 draws from 1,000
    frequent words, interleaved in 50 blocks: 52 MB, written in about a second."""
    rng = np.random.default_rng(0)
    n_unique = 5_000_000
    ids = rng.permutation(n_unique)
    unique = np.empty((n_unique, 8), dtype=np.uint8)
    unique[:, 0] = ord("u")
    for k in range(6, 0, -1):
        unique[:, k] = ord("a") + ids % 26
        ids //= 26
    unique[:, 7] = ord(" ")
    unique[19::20, 7] = ord("\n")
    common = rng.zipf(1.3, 2_000_000) % 1000
    frequent = np.empty((len(common), 6), dtype=np.uint8)
    frequent[:, 0] = ord("c")
    for k in range(4, 0, -1):
        frequent[:, k] = ord("0") + common % 10
        common //= 10
    frequent[:, 5] = ord(" ")
    frequent[9::10, 5] = ord("\n")
    with open(path, "wb") as f:
        for a, b in zip(np.array_split(unique, 50), np.array_split(frequent, 50)):
            f.write(a.tobytes())
            f.write(b.tobytes())


MAX_VOCAB_PEAK_MIB = 150


def test_five_million_distinct_words_within_a_memory_bound_with_max_vocab(tmp_path):
    """-max-vocab 200000 prunes while counting (word2vec.c's ReduceVocab): 5 million distinct
    words train with a peak RSS under 150 MiB (measured: about 50 MiB; the same run without
    -max-vocab peaks at about 1.8 GiB)."""
    source = tmp_path / "five-million.txt"
    _five_million_words(source)
    out = tmp_path / "vec.bin"
    code, stderr, peak = peak_rss_mib("train", source, "-output", out, "-binary", "1",
                                      "-max-vocab", "200000", "-min-count", "1", "-size", "20",
                                      "-iter", "1", "-threads", "2", "-debug", "1")
    assert code == 0, stderr
    vocab_size = int(stderr.split("Vocab size: ")[1].split()[0])
    assert 1000 < vocab_size <= 200_000
    vec = w2vfast.load(str(out))
    assert len(vec) == vocab_size and np.isfinite(vec.vectors).all()
    assert "c0001" in vec and "c0002" in vec  # the frequent words survive the pruning
    if not SANITIZED:
        assert peak < MAX_VOCAB_PEAK_MIB, f"peak RSS {peak:.0f} MiB"
