"""When the file system says no: a corpus or vector file that cannot be read, an output
directory that cannot be written, and a full disk (/dev/full, a real 16 KiB tmpfs, a simulated
ENOSPC half-way through the vectors).  Through the real entry points: a clear one-line error or a correct result, never a traceback, a crash or a partial
output file, and an existing
output left as it was.

The permission tests run the program without root's right to ignore file permissions, and skip
with the reason when there is no way to drop it; the real full disk needs a private mount
namespace (root and unshare) and skips otherwise.
"""
import errno
import os
import shutil
import stat
import subprocess
import sys

import pytest

from w2vfast import formats

from clitools import (assert_ok, assert_one_error_line, assert_one_error_line_proc,  # tests/clitools.py
                      cli, listing, module_command, run_module, words_of)
from clitools import can_mount_tmpfs as _can_mount_tmpfs
from shared import FAST  # tests/shared.py


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
