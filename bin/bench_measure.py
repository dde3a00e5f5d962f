"""Running one command measured: wall time, CPU time and peak memory, with its output logged;
what the training logs say; finding the programs to run.

Not part of the w2vfast package (see benchlib).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def resolve_program(name):
    """Absolute path of a program; a pyenv shim (a bash script that starts the
    real program after ~0.05-0.1 s of work) is replaced by the program it runs."""
    path = shutil.which(name)
    if path is None:
        return name
    if os.sep + "shims" + os.sep in path and "pyenv" in path:
        try:
            real = subprocess.run(
                ["pyenv", "which", os.path.basename(path)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            real = ""
        if real and os.access(real, os.X_OK):
            return real
    return path


def resolve_command(cmd_text):
    """Split a command like a shell would and resolve its program."""
    parts = shlex.split(cmd_text)
    if not parts:
        raise ValueError("empty command")
    parts[0] = resolve_program(parts[0])
    return parts


# ---------------------------------------------------------------------------
# Running one child: wall time, CPU time, peak RSS
# ---------------------------------------------------------------------------
#
# os.wait4() of a child started directly from this process is no good for the
# peak RSS: Linux keeps the high-water mark of the memory a process had before
# exec (here: this Python with numpy, ~250 MB) in the child's ru_maxrss, so
# every small run would report this script's size.  The command is therefore
# started from a small process that forks it:
#   * GNU time (/usr/bin/time -f ... -o FILE CMD), whose own size is ~2 MB;
#   * or, without a working GNU time, a bare "python3 -S" helper (~10 MB) that
#     forks, execs the command, waits for it with os.wait4 and writes the
#     rusage to a file.
# The peak RSS reported is the maximum resident set of the command (the
# largest of its process and the descendants it waited for), never less than
# that of the small starter (~2 MB or ~10 MB).

_TIME_MARK = "W2VBENCH-RUSAGE"

_HELPER = r"""
import os, sys, time
out = sys.argv[1]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except BaseException as e:
        os.write(2, ("cannot run %s: %s\n" % (sys.argv[2], e)).encode())
    os._exit(127)
while True:
    try:
        _, status, ru = os.wait4(pid, 0)
        break
    except InterruptedError:
        pass
wall = time.perf_counter() - t0
with open(out, "w") as f:
    f.write("%d %r %r %r %d\n" % (ru.ru_maxrss, ru.ru_utime, ru.ru_stime, wall, status))
# like GNU time: a command killed by signal N gives exit status 128 + N
sys.exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
"""

_rss_method = None


def rss_method():
    """'gnu-time' when /usr/bin/time accepts -f/-o and writes %M, else 'helper'."""
    global _rss_method
    if _rss_method is None:
        _rss_method = "helper"
        if os.environ.get("W2VBENCH_NO_GNU_TIME") != "1" and os.access("/usr/bin/time", os.X_OK):
            fd, path = tempfile.mkstemp(prefix="w2vbench-time-")
            os.close(fd)
            try:
                subprocess.run(
                    ["/usr/bin/time", "-o", path, "-f", _TIME_MARK + " %M", "true"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    timeout=30, check=True,
                )
                if _parse_time_file(path) is not None:
                    _rss_method = "gnu-time"
            except (OSError, subprocess.SubprocessError):
                pass
            finally:
                os.unlink(path)
    return _rss_method


def rss_method_text():
    if rss_method() == "gnu-time":
        return "peak RSS from GNU time %M (/usr/bin/time forks the command)"
    return "peak RSS from a bare python3 -S helper that forks the command (os.wait4 ru_maxrss)"


def _parse_time_file(path):
    """Peak RSS KiB from our GNU time output file (it may also hold 'Command
    exited with non-zero status' / 'Command terminated by signal' lines)."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(_TIME_MARK):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


class Measurement:
    def __init__(self):
        self.rc = None
        self.wall = float("nan")
        self.cpu = float("nan")
        self.rss_kib = float("nan")
        self.timed_out = False


def run_measured(cmd, log_path, verbose=False, timeout=None, env=None):
    """Run cmd (a list), stdout+stderr to log_path (or to our stderr when
    verbose).  Returns a Measurement: rc, wall s, CPU s (user + system of the
    command and its waited-for descendants), peak RSS KiB, timed_out.
    Raises OSError when the command cannot be started."""
    cmd = [str(c) for c in cmd]
    if shutil.which(cmd[0]) is None:
        raise OSError("program not found: %s" % cmd[0])
    method = rss_method()
    fd, ru_path = tempfile.mkstemp(prefix="w2vbench-ru-")
    os.close(fd)
    if method == "gnu-time":
        full = ["/usr/bin/time", "-o", ru_path, "-f", _TIME_MARK + " %M"] + cmd
    else:
        full = [sys.executable, "-S", "-E", "-c", _HELPER, ru_path] + cmd
    out = None if verbose else open(log_path, "wb")
    m = Measurement()
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            full,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr if verbose else out,
            stderr=None if verbose else subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout kills all of it
            env=env,
        )

        def kill_group():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = None
        fired = threading.Event()
        if timeout:

            def on_timeout():
                fired.set()
                kill_group()

            timer = threading.Timer(timeout, on_timeout)
            timer.start()
        try:
            while True:
                try:
                    _, status, ru = os.wait4(proc.pid, 0)
                    break
                except InterruptedError:
                    continue
        except BaseException:
            kill_group()
            proc.wait()
            raise
        finally:
            if timer is not None:
                timer.cancel()
        m.wall = time.perf_counter() - t0
        proc.returncode = m.rc = os.waitstatus_to_exitcode(status)
        m.timed_out = fired.is_set()
        # CPU: the starter's wait4 rusage covers the command (waited for by
        # the starter); GNU time adds ~1 ms of its own.
        m.cpu = ru.ru_utime + ru.ru_stime
        if method == "gnu-time":
            rss = _parse_time_file(ru_path)
            if rss is not None:
                m.rss_kib = float(rss)
        else:
            try:
                fields = Path(ru_path).read_text().split()
                m.rss_kib = float(int(fields[0]))
                m.cpu = float(fields[1]) + float(fields[2])
                m.wall = float(fields[3])  # fork to exit, without the helper's start-up
            except (OSError, IndexError, ValueError):
                pass
        return m
    finally:
        if out is not None:
            out.close()
        try:
            os.unlink(ru_path)
        except OSError:
            pass


def tail(path, n=2000):
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    text = data[-n:].decode("utf-8", errors="replace")
    # The C tool rewrites its progress line with \r: keep the last state.
    return "\n".join(line.split("\r")[-1] for line in text.split("\n"))


_TRAIN_WORDS_RE = re.compile(rb"Words in train file:\s*(\d+)")
_TRAIN_SECONDS_RE = re.compile(rb"Trained \d+ words in ([0-9.]+) s")


def train_seconds_from_log(path):
    """w2vfast's own training time ('Trained N words in S s': the training loop alone, without
    start-up, the vocabulary pass and writing), or NaN if absent (the C tool prints none)."""
    try:
        m = _TRAIN_SECONDS_RE.search(Path(path).read_bytes())
    except OSError:
        return float("nan")
    return float(m.group(1)) if m else float("nan")


def train_words_from_log(path):
    """The 'Words in train file: N' count both tools print (None if absent)."""
    try:
        m = _TRAIN_WORDS_RE.search(Path(path).read_bytes())
    except OSError:
        return None
    return int(m.group(1)) if m else None

