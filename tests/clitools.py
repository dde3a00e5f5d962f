"""Plain helpers for the tests that run the `w2vfast` program: in process with click's CliRunner,
or as `python -m w2vfast` in a subprocess (also measuring its peak memory); probes of what this
machine allows; and the checks on what a run printed and left behind.

The files that test `w2vfast train` alone import `train_cli as cli` and `run_train_module as
run_module`, so their tests read `cli(corpus, "-output", out, *FAST)`.
"""
import os
import shutil
import subprocess
import sys

from click.testing import CliRunner

from w2vfast import formats
from w2vfast.cli import main


# --------------------------------------------------------------------------
# Running the program
# --------------------------------------------------------------------------

def cli(*args, input=None):
    """`w2vfast ARGS` in process (click's CliRunner)."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def train_cli(*args, input=None):
    """Run `w2vfast train ARGS` in process; return click's Result."""
    return cli("train", *args, input=input)


def module_command(*args):
    return [sys.executable, "-m", "w2vfast", *[str(a) for a in args]]


def run_module(*args, prefix=(), timeout=120, **kw):
    """`python -m w2vfast ARGS` in a subprocess, optionally behind a command prefix."""
    return subprocess.run([*prefix, *module_command(*args)], capture_output=True, timeout=timeout, **kw)


def run_train_module(*args, input=None, timeout=60):
    """Run `python -m w2vfast train ARGS` in a subprocess."""
    return run_module("train", *args, input=input, timeout=timeout)


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


# --------------------------------------------------------------------------
# What this machine allows
# --------------------------------------------------------------------------

def can_mount_tmpfs():
    """The path of `unshare` if it can mount a tmpfs in a private mount namespace, else None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run([unshare, "-m", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"],
                           capture_output=True)
    return unshare if probe.returncode == 0 else None


# --------------------------------------------------------------------------
# Checking the result
# --------------------------------------------------------------------------

def assert_ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)


def ok(result):
    """assert_ok, and no traceback printed either; return the result."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.output
    return result


def assert_no_traceback(result):
    # in process, an exception that escaped the command shows up as result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


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
    """The same for a finished subprocess."""
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == code, (proc.returncode, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2vfast: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def listing(directory):
    return sorted(os.listdir(directory))


def leftovers(directory, *expected):
    """Files in `directory` other than `expected` names (temporary files included)."""
    return sorted(set(os.listdir(directory)) - set(expected))


def words_of(path):
    """The words of a vector file, as bytes."""
    return formats.read_vectors(str(path))[0]
