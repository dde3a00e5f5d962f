"""Shared code of the bench scripts (bin/bench, bin/compare-quality, bin/bench-mpi, bin/pair,
bin/identical): one training run measured and scored, and the words per epoch of a corpus.

The rest lives by concept and is importable from here too: bench_flags (modes and flag
lists), bench_measure (running a command measured, reading its log), bench_files (corpus,
scratch, vocabulary and vectors files, evaluation) and bench_stats (statistics and tables).

Not part of the w2vfast package; the scripts import it with
``sys.path.insert(0, os.path.dirname(__file__))``.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from pathlib import Path

from bench_files import (REPO_ROOT, load_evaluate, load_formats, make_scratch, prepare_corpus,
                         read_vectors, read_vocab_lines, vocab_total)
from bench_flags import (MODES, MODES_HELP, add_training_args, common_flags, flag_pairs,
                         flag_value, merge_flags, mode_flags, norm_flag, parse_modes)
from bench_measure import (Measurement, log, resolve_command, resolve_program, rss_method,
                           rss_method_text, run_measured, tail, train_seconds_from_log,
                           train_words_from_log)
from bench_stats import (finite, fmt_rate, fmt_ratio, fmt_stat, md_table, median_or_nan,
                         words_per_s, write_outputs)

__all__ = [
    # here
    "TOOL_LABEL", "RunResult", "run_one", "corpus_train_words", "count_train_words",
    # bench_files
    "REPO_ROOT", "load_evaluate", "load_formats", "make_scratch", "prepare_corpus",
    "read_vectors", "read_vocab_lines", "vocab_total",
    # bench_flags
    "MODES", "MODES_HELP", "add_training_args", "common_flags", "flag_pairs", "flag_value",
    "merge_flags", "mode_flags", "norm_flag", "parse_modes",
    # bench_measure
    "Measurement", "log", "resolve_command", "resolve_program", "rss_method", "rss_method_text",
    "run_measured", "tail", "train_seconds_from_log", "train_words_from_log",
    # bench_stats
    "finite", "fmt_rate", "fmt_ratio", "fmt_stat", "md_table", "median_or_nan", "words_per_s",
    "write_outputs",
]

TOOL_LABEL = {"c": "word2vec.c", "w2vfast": "w2vfast", "gensim": "gensim"}


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
