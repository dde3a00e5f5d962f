"""Shared code of bin/compare-quality and bin/bench: running one tool with
timing and peak-memory measurement, corpus decompression, vectors files,
analogy scoring, the training modes, statistics helpers and Markdown tables.

Not part of the w2vfast package; the scripts import it with
``sys.path.insert(0, os.path.dirname(__file__))``.
"""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import json
import lzma
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------
# Modes and flags
# ---------------------------------------------------------------------------

MODES = {
    "sg-ns": ["-cbow", "0", "-negative", "{negative}", "-hs", "0"],
    "cbow-ns": ["-cbow", "1", "-negative", "{negative}", "-hs", "0"],
    "sg-hs": ["-cbow", "0", "-negative", "0", "-hs", "1"],
    "cbow-hs": ["-cbow", "1", "-negative", "0", "-hs", "1"],
}

MODES_HELP = """\
Modes (flags added per mode):
  sg-ns    -cbow 0 -negative N -hs 0
  cbow-ns  -cbow 1 -negative N -hs 0
  sg-hs    -cbow 0 -negative 0 -hs 1
  cbow-hs  -cbow 1 -negative 0 -hs 1"""

TOOL_LABEL = {"c": "word2vec.c", "w2vfast": "w2vfast", "gensim": "gensim"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_modes(text):
    """'sg-ns,cbow-hs' -> list, or raise ValueError naming the bad ones."""
    modes = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ValueError(
            "unknown mode(s) %s; choose among %s" % (", ".join(bad) or "(none)", ", ".join(MODES))
        )
    return modes


def add_training_args(p):
    """The training-flag options shared by both scripts (an argparse group)."""
    g = p.add_argument_group("training flags (passed identically to every tool)")
    g.add_argument("--size", default="100", help="-size (default 100)")
    g.add_argument("--window", default="5", help="-window (default 5)")
    g.add_argument("--sample", default="1e-4", help="-sample (default 1e-4)")
    g.add_argument("--iter", default="1", help="-iter (default 1)")
    g.add_argument("--min-count", default="5", help="-min-count (default 5)")
    g.add_argument("--threads", default="2", help="-threads (default 2)")
    g.add_argument("--negative", default="5", help="-negative in the NS modes (default 5)")
    g.add_argument("--binary", default="1", choices=["0", "1"], help="-binary: vectors file format (default 1)")
    g.add_argument(
        "--extra",
        default="",
        metavar="FLAGS",
        help='more flags for the C tool and w2vfast, e.g. --extra "-alpha 0.05 -seed 7"; '
        "a flag already set (e.g. -iter) is replaced, not repeated (the C tool would "
        "take the first occurrence, w2vfast the last)",
    )
    g.add_argument(
        "--w2vfast-extra",
        default="",
        metavar="FLAGS",
        help='flags for w2vfast only, applied last, e.g. --w2vfast-extra "-batch 0"',
    )
    return g


def common_flags(args):
    return [
        "-size", args.size, "-window", args.window, "-sample", args.sample, "-iter", args.iter,
        "-min-count", args.min_count, "-threads", args.threads, "-binary", args.binary,
    ]


def _flag_pairs(tokens):
    """Split a flag list into [(flag, value or None)], word2vec.c style: every
    '-name' takes the next token as value unless that token is another flag."""
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("-") and len(t) > 1 and not _is_number(t):
            if i + 1 < len(tokens) and not _is_flag(tokens[i + 1]):
                out.append((t, tokens[i + 1]))
                i += 2
                continue
            out.append((t, None))
        else:
            out.append((None, t))  # stray value: keep its place
        i += 1
    return out


def _is_number(t):
    try:
        float(t)
        return True
    except ValueError:
        return False


def _is_flag(t):
    return t.startswith("-") and len(t) > 1 and not _is_number(t)


def _norm(flag):
    return "-" + flag.lstrip("-")  # --size and -size are the same flag for w2vfast


def merge_flags(base, *extras):
    """base flags with each extra flag list applied in turn: a flag already
    present gets the new value in place, a new one is appended."""
    pairs = _flag_pairs(list(base))
    for extra in extras:
        for flag, value in _flag_pairs(list(extra)):
            if flag is not None:
                for k, (f, _) in enumerate(pairs):
                    if f is not None and _norm(f) == _norm(flag):
                        pairs[k] = (f, value)
                        break
                else:
                    pairs.append((flag, value))
            else:
                pairs.append((None, value))
    out = []
    for f, v in pairs:
        if f is not None:
            out.append(f)
        if v is not None:
            out.append(v)
    return out


def flag_value(flags, name, default=None):
    """Value of -name in a (merged) flag list."""
    for f, v in _flag_pairs(list(flags)):
        if f is not None and _norm(f) == "-" + name:
            return v
    return default


def mode_flags(mode, negative):
    return [x.format(negative=negative) for x in MODES[mode]]


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


# ---------------------------------------------------------------------------
# Corpus, vocabulary files
# ---------------------------------------------------------------------------


def prepare_corpus(corpus, scratch):
    """A plain-text path for corpus: .xz/.lzma/.gz/.bz2 are decompressed once
    into scratch (the C tool needs a plain file)."""
    corpus = Path(corpus)
    openers = {".xz": lzma.open, ".lzma": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
    opener = openers.get(corpus.suffix.lower())
    if opener is None:
        return corpus.resolve()
    dest = Path(scratch) / corpus.with_suffix("").name
    log("decompressing %s -> %s" % (corpus, dest))
    t0 = time.perf_counter()
    with opener(corpus, "rb") as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    log("  %.1f MB in %.1f s" % (dest.stat().st_size / 1e6, time.perf_counter() - t0))
    return dest


def read_vocab_lines(path):
    """The `word count` lines of a vocabulary file, as a list of bytes."""
    with open(path, "rb") as f:
        return [line.rstrip(b"\r\n") for line in f if line.strip()]


def vocab_total(lines):
    total = 0
    for line in lines:
        try:
            total += int(line.rsplit(None, 1)[1])
        except (IndexError, ValueError):
            pass
    return total


def make_scratch(workdir, prefix):
    if workdir:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=workdir))


# ---------------------------------------------------------------------------
# Evaluation and vectors files
# ---------------------------------------------------------------------------


def load_evaluate():
    """w2vfast.evaluate, imported normally or, failing that (package not
    installed, or its compiled core not built), loaded from this checkout."""
    try:
        from w2vfast import evaluate  # type: ignore

        return evaluate
    except Exception as exc:  # noqa: BLE001 - any import problem: fall back
        path = REPO_ROOT / "w2vfast" / "evaluate.py"
        if not path.exists():
            raise SystemExit("cannot import w2vfast.evaluate (%s) and %s is absent" % (exc, path))
        spec = importlib.util.spec_from_file_location("_w2vfast_evaluate", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        return mod


def read_vectors(path, binary):
    """Read a word2vec vectors file (C format); returns (list of str, V x D float32)."""
    with open(path, "rb") as f:
        data = f.read()
    nl = data.index(b"\n")
    header = data[:nl].split()
    nwords, dim = int(header[0]), int(header[1])
    pos = nl + 1
    words = []
    vecs = np.empty((nwords, dim), dtype=np.float32)
    if binary:
        nbytes = 4 * dim
        for i in range(nwords):
            sp = data.index(b" ", pos)
            words.append(data[pos:sp].lstrip(b"\n").decode("utf-8", errors="replace"))
            start = sp + 1
            vecs[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=start)
            pos = start + nbytes
    else:
        lines = data[pos:].split(b"\n")
        i = 0
        for line in lines:
            parts = line.rstrip().split(b" ")
            if len(parts) < dim + 1 or i >= nwords:
                continue
            words.append(parts[0].decode("utf-8", errors="replace"))
            vecs[i] = np.array(parts[1:dim + 1], dtype=np.float32)
            i += 1
        if i != nwords:
            raise ValueError("%s: header says %d words, read %d" % (path, nwords, i))
    return words, vecs


# ---------------------------------------------------------------------------
# One training run: command, measurement, evaluation
# ---------------------------------------------------------------------------


class RunResult:
    def __init__(self, mode, tool, rep, cmd, label=None):
        self.mode = mode
        self.tool = tool
        self.label = label or TOOL_LABEL.get(tool, tool)
        self.rep = rep
        self.cmd = cmd
        self.rc = None
        self.error = ""
        self.wall = float("nan")
        self.cpu = float("nan")
        self.rss_mb = float("nan")
        self.train_words = None  # per epoch, from the tool's log
        self.train_s = float("nan")  # w2vfast's training loop alone, from its log
        self.accuracy = float("nan")
        self.correct = 0
        self.seen = 0
        self.total = 0
        self.vocab = 0
        self.eval_s = float("nan")
        self.threads = None
        self.iter = 1  # epochs, for words/s

    @property
    def ok(self):
        return self.rc == 0 and not self.error

    def as_dict(self):
        d = {k: v for k, v in self.__dict__.items()}
        for k, v in d.items():
            if isinstance(v, float) and v != v:
                d[k] = None  # NaN is not JSON
        return d


def run_one(r, log_path, args, out_path=None, binary=True, evaluate=None, keep_output=False):
    """Run r.cmd, fill in r's measurements; when out_path and evaluate are
    given, score the vectors written there (and delete them unless
    keep_output).  Needs args.verbose, args.timeout, args.questions,
    args.restrict.  Returns r."""
    log("[%s] %s run %d: %s" % (r.mode, r.label, r.rep, shlex.join(r.cmd)))
    try:
        m = run_measured(r.cmd, log_path, args.verbose, args.timeout)
    except OSError as exc:
        r.error = "could not start: %s" % exc
        log("  FAILED: %s" % r.error)
        return r
    r.rc, r.wall, r.cpu, r.rss_mb = m.rc, m.wall, m.cpu, m.rss_kib / 1024.0
    r.train_words = train_words_from_log(log_path)
    r.train_s = train_seconds_from_log(log_path)
    if m.timed_out:
        r.error = "killed after the --timeout of %g s" % args.timeout
        log("  FAILED (%s); log tail:\n%s" % (r.error, tail(log_path)))
        return r
    if r.rc != 0:
        r.error = "exit status %d" % r.rc
        log("  FAILED (%s) after %.1f s; log tail:\n%s" % (r.error, r.wall, tail(log_path)))
        return r
    msg = "  %.2f s wall, %.2f s CPU, %.0f MB peak" % (r.wall, r.cpu, r.rss_mb)
    if out_path is not None and evaluate is not None:
        if not Path(out_path).exists():
            r.error = "no output file"
            log("  FAILED: %s was not written; log tail:\n%s" % (out_path, tail(log_path)))
            return r
        try:
            t0 = time.perf_counter()
            words, vecs = read_vectors(out_path, binary)
            res = evaluate.evaluate_analogies(words, vecs, args.questions, restrict=args.restrict)
            r.eval_s = time.perf_counter() - t0
        except Exception as exc:  # noqa: BLE001 - report and go on
            r.error = "evaluation failed: %s: %s" % (type(exc).__name__, exc)
            log("  FAILED: %s" % r.error)
            return r
        r.vocab = len(words)
        r.accuracy = res.accuracy_pct
        r.correct, r.seen, r.total = res.correct, res.seen, res.total
        msg += "; %d words; accuracy %.2f %% (%d / %d), seen %d / %d" % (
            r.vocab, r.accuracy, r.correct, r.seen, r.seen, r.total)
        if not keep_output:
            Path(out_path).unlink()
    log(msg)
    return r


def corpus_train_words(results, order=("c", "w2vfast", "gensim")):
    """(words per epoch, where from) for the corpus: the count printed by the
    first tool in `order` that printed one ('Words in train file: N' = the sum
    of the vocabulary counts after -min-count).  Warns when tools disagree."""
    found = {}
    for r in results:
        if r.train_words is not None:
            found.setdefault(r.tool, set()).add(r.train_words)
    values = set().union(*found.values()) if found else set()
    if len(values) > 1:
        log("note: tools report different words per epoch: %s" % (
            ", ".join("%s %s" % (TOOL_LABEL.get(t, t), sorted(v)) for t, v in found.items())))
    for tool in order:
        if tool in found:
            return min(found[tool]), TOOL_LABEL.get(tool, tool)
    return None, None


def count_train_words(c_cmd, corpus, min_count, scratch, extra=()):
    """Fallback when no log gave the count: count the corpus with the C tool
    (-save-vocab, no -output) and sum the vocabulary counts."""
    vpath = Path(scratch) / "count-vocab.txt"
    cmd = list(c_cmd) + ["-train", str(corpus), "-save-vocab", str(vpath), "-min-count", str(min_count)]
    cmd += list(extra)
    log("counting train words: %s" % shlex.join(cmd))
    try:
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        return vocab_total(read_vocab_lines(vpath))
    except (OSError, subprocess.SubprocessError) as exc:
        log("  could not count: %s" % exc)
        return None


# ---------------------------------------------------------------------------
# Statistics and tables
# ---------------------------------------------------------------------------


def finite(values):
    return [v for v in values if v is not None and v == v]


def median_or_nan(values):
    values = finite(values)
    return statistics.median(values) if values else float("nan")


def fmt_stat(values, fmt):
    """'median (min–max)' (just the median for one value, '—' for none)."""
    values = finite(values)
    if not values:
        return "—"
    med = fmt % statistics.median(values)
    if len(values) > 1:
        return "%s (%s–%s)" % (med, fmt % min(values), fmt % max(values))
    return med


def fmt_ratio(num, den, fmt="%.2f"):
    if num == num and den == den and den and den > 0:
        return fmt % (num / den)
    return "—"


def fmt_rate(x):
    """Words per second, e.g. 1.23M, 845k."""
    if x != x or x is None:
        return "—"
    if x >= 1e6:
        return "%.2fM" % (x / 1e6)
    if x >= 1e3:
        return "%.0fk" % (x / 1e3)
    return "%.0f" % x


def words_per_s(words, wall):
    if not words or wall != wall or wall <= 0:
        return float("nan")
    return words / wall


def md_table(headers, rows, align=None):
    """Markdown table; align: string of 'l'/'r' per column (default: first two left)."""
    if align is None:
        align = "ll" + "r" * (len(headers) - 2)
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def write_outputs(table, args, json_obj=None):
    sys.stdout.write(table)
    sys.stdout.flush()
    if getattr(args, "out", None):
        Path(args.out).write_text(table, encoding="utf-8")
    if getattr(args, "json", None) and json_obj is not None:
        Path(args.json).write_text(json.dumps(json_obj, indent=1), encoding="utf-8")
