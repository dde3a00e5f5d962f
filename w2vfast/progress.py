"""Reporting a run while it trains: the trainer's counters as progress reports, the progress
line on stderr and the JSON log."""
import json
import resource
import sys
import time


def epoch_of(info, iterations):
    """The epoch (1-based) a progress report falls in."""
    return min(iterations, int(info["words"] * iterations / max(info["total"], 1)) + 1)


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressPrinter:
    """The progress line on stderr: redrawn in place on a terminal, else a line every 5 s
    (so logs stay readable).  Called with the records `reporter` makes.  A redrawn line is
    padded with spaces to the length of the one before, so a shorter line leaves none of the
    longer one behind; spaces, unlike the terminal's erase-line sequence, also read cleanly in
    a captured log."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last = 0.0
        self.width = 0
        self.finished = False

    def __call__(self, info):
        now = time.monotonic()
        finished = info["words"] >= info["total"]
        if finished and self.finished:
            return
        if not finished and now - self.last < (0.25 if self.tty else 5.0):
            return
        self.last = now
        self.finished = finished
        line = progress_line(info)
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        if self.width:
            self.stream.write("\n")
            self.stream.flush()
            self.width = 0


def progress_line(info):
    """The progress line of one record: the whole run's share done and epoch, and the speed of
    this process's part of it (after a resume, of the resumed part)."""
    pct = 100.0 * info["words"] / max(info["total"], 1)
    epoch = f"Epoch: {info['epoch']}/{info['iterations']}  " if info.get("iterations") else ""
    per_thread = info.get("per_thread") or [info["words_per_sec"]]
    lo, hi = min(per_thread) / 1000, max(per_thread) / 1000
    threads = f"{lo:.0f}k" if hi - lo < 0.5 else f"{lo:.0f}-{hi:.0f}k"
    return (f"Progress: {pct:6.2f}%  {epoch}Alpha: {info['alpha']:.6f}  Loss: {info['loss']:7.4f}  "
            f"Words/sec: {info['words_per_sec'] / 1000:8.1f}k  per thread: {threads}  "
            f"Elapsed: {_clock(info['elapsed'])}  ETA: {_clock(info.get('eta') or 0)}")


class JsonLog:
    """`--log-json FILE`: one JSON object per line, for scripts and `w2vfast plot-loss`.

    A `progress` record about once a second (time, epoch, words, total, words_per_sec, alpha,
    loss) and a final `summary` (vocabulary size, corpus words, wall and CPU seconds, peak
    memory).  Lines are flushed as written, so the log of an interrupted run is complete, and a
    resumed run appends to it: its records say `"resumed": true`, their time goes on from the
    log's last.  The file is made at the first record, once the run's checks have passed (it
    may not replace the corpus)."""

    def __init__(self, path, every=1.0):
        self.path = path
        self.file = None
        self.every = every
        self.last = -1e9
        self.start = time.time()
        self.resumed = False

    def __call__(self, info):
        now = time.monotonic()
        if info["words"] < info["total"] and now - self.last < self.every:
            return
        self.last = now
        self.resumed = info.get("resumed", False)
        self._write({"type": "progress", "time": None, "epoch": info["epoch"],
                     "words": info["words"], "total": info["total"],
                     "words_per_sec": round(info["words_per_sec"], 1), "alpha": info["alpha"],
                     "loss": None if info["loss"] != info["loss"] else info["loss"]})

    def summary(self, model):
        s = model.stats
        resumed = {"resumed_words": s["resumed_words"]} if "resumed_words" in s else {}
        self.resumed = bool(resumed)
        self._write({"type": "summary", "time": None,
                     "vocab_size": s["vocab_size"], "corpus_words": s["corpus_tokens"],
                     "train_words": s["train_words"], "iter": model.options["iter"],
                     "words": s["words"], **resumed,
                     "wall_seconds": round(s["vocab_seconds"] + s["train_seconds"], 3),
                     "train_seconds": round(s["train_seconds"], 3),
                     "cpu_seconds": round(time.process_time(), 3),
                     "words_per_sec": round(s["words_per_sec"], 1),
                     "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                     # distributed runs (w2vfast.distributed): ranks and their exchanges
                     **{k: s[k] for k in ("ranks", "rounds", "syncs", "sync_interval", "sync_rows",
                                          "bytes_per_sync", "bytes_sent", "sync_seconds") if k in s}})

    def _write(self, record):
        """Write `record`, its time filled in (the log's, which a resumed run's goes on)."""
        if self.file is None:
            if self.resumed:  # go on from the interrupted run's records
                self.start -= _last_time(self.path)
            self.file = open(self.path, "a" if self.resumed else "w")
        record["time"] = round(time.time() - self.start, 3)
        if self.resumed:
            record["resumed"] = True
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()

    def close(self):
        if self.file is not None:
            self.file.close()


def _last_time(path):
    """The time of the last record of an existing log (0 if there is none to read)."""
    last = 0.0
    try:
        with open(path) as f:
            for line in f:
                try:
                    last = float(json.loads(line).get("time", last))
                except (ValueError, TypeError, AttributeError):
                    continue
    except OSError:
        pass
    return last


def reporter(listeners, t0, iterations, state=None, scale=None):
    """The callback Trainer.run calls a few times a second: it turns the trainer's counters into
    the record each of `listeners` gets: words (the whole run's, done), total, epoch (1-based)
    and iterations, alpha, elapsed, loss (the mean loss per example since the previous record),
    words_per_sec and per_thread (this process's speed, overall and of each thread), eta
    (seconds, None while unknown), resumed and words_before (the words a resumed run's
    checkpoint had done).  `state`: the checkpoint a resumed run started from (its words are not
    this run's speed); `scale`: st -> (words, total), the whole job's counts of a distributed
    run."""
    last = {"loss": 0.0, "examples": 0, "avg": float("nan")}
    before, thread_before = 0, None
    if state is not None:
        last["loss"] = sum(t["loss"] for t in state["threads"])
        last["examples"] = sum(t["examples"] for t in state["threads"])
        before, thread_before = state["words_done"], [t["words_done"] for t in state["threads"]]

    def report(st):
        elapsed = time.perf_counter() - t0
        # the loss since the previous report, per example: the running loss of the current model
        d_examples = st["examples"] - last["examples"]
        if d_examples > 0:
            last["avg"] = (st["loss"] - last["loss"]) / d_examples
            last["loss"], last["examples"] = st["loss"], st["examples"]
        words, total = (st["words"], st["total"]) if scale is None else scale(st)
        rate = (words - before) / elapsed if elapsed > 0 else 0.0
        threads = [w - (thread_before[i] if thread_before else 0) for i, w in enumerate(st["per_thread"])]
        epoch = epoch_of({"words": words, "total": total}, iterations)
        info = {"words": words, "total": total, "epoch": epoch,
                "iterations": iterations, "alpha": st["alpha"], "elapsed": elapsed, "loss": last["avg"],
                "words_per_sec": rate,
                "per_thread": [w / elapsed if elapsed > 0 else 0.0 for w in threads],
                "eta": (total - words) / rate if rate > 0 else None,
                "resumed": state is not None, "words_before": before}
        for listener in listeners:
            listener(info)
    return report


def read_log(path):
    """The records of a --log-json file (progress and summary dicts)."""
    records = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                raise ValueError(f"{path}, line {lineno}: not a JSON object") from None
    return records


def words_in_train_file(d):
    """word2vec's "Words in train file": the corpus's tokens of vocabulary words, `</s>`
    included (the total that drives the learning rate): the ids kept, or for a count that keeps
    none (vocab, -save-vocab alone) the sum of the vocabulary's counts, which is the same."""
    return int(d.n_ids) if d.n_ids else int(sum(d.counts()))


def vocabulary_summary(d):
    """The lines `train` and `vocab` both print about a counted corpus."""
    return [f"Vocab size: {d.n_words}", f"Words in train file: {words_in_train_file(d)}"]


class Console:
    """What a run tells its user on stderr, by `debug` (the -debug levels: 0 errors only; 1 the
    vocabulary, what the start did, warnings and the summary line; 2 also the progress line).
    `progress`: None (the line at debug 2), True or False (the line or not, whatever debug
    says), or a callable, which gets the progress records (reporter) instead of the line.
    `job_hooks()` are the pipeline Job's callbacks; `summary(model)` prints the last line."""

    def __init__(self, debug, progress=None, stream=None):
        self.debug = debug
        self._stream = stream
        self.printer = None
        if callable(progress):
            self.progress = progress
        else:
            show = debug >= 2 if progress is None else bool(progress)
            self.printer = ProgressPrinter(self.stream) if show else None
            self.progress = self.printer

    @property
    def stream(self):
        return self._stream or sys.stderr  # looked up late: a test harness swaps stderr

    def say(self, text):
        if self.debug >= 1:
            self.stream.write(text + "\n")
            self.stream.flush()

    def warn(self, message):
        self.say(f"w2vfast: {message}")

    def on_vocab(self, d):
        for line in vocabulary_summary(d):
            self.say(line)
        if d.n_ids:  # a run that only counts keeps no ids
            where = f"in a temporary file in {d.spill_dir}" if d.spilled else "in memory"
            self.say(f"Corpus ids: {d.ids_bytes / 2**20:.0f} MiB, {where}")
        fallback = getattr(d, "spill_fallback", None)
        if fallback is not None:  # said whatever the level: the run uses memory it was not told to
            self.stream.write(f"Warning: cannot make a temporary file in {d.spill_dir} "
                              f"({fallback.strerror}); the corpus ids ({d.ids_bytes / 2**20:.0f} MiB) "
                              "stay in memory. Use --tmp-dir to name a writable directory.\n")

    def job_hooks(self, on_vocab=None):
        """progress, on_vocab (also calling `on_vocab`), inform and warn for pipeline.Job."""
        def vocabulary(d):
            self.on_vocab(d)
            if on_vocab is not None:
                on_vocab(d)
        return {"progress": self.progress, "on_vocab": vocabulary, "inform": self.say,
                "warn": self.warn if self.debug >= 1 else None}

    def summary(self, model):
        self.close()
        self.say(summary_line(model))

    def close(self):
        if self.printer is not None:
            self.printer.close()


def summary_line(model):
    """The line a finished run prints: the words this process trained (after a resume, since
    the checkpoint) and their speed, and for a resumed run the whole run's words."""
    s = model.stats
    workers = (f"{s['ranks']} processes x {model.options['threads']} threads" if "ranks" in s
               else f"{model.options['threads']} threads")
    exchanges = (f"; {s['syncs']} exchanges, {s['bytes_sent'] / 2**20:.1f} MiB sent by each "
                 f"process, {s['sync_seconds']:.2f} s in them" if "ranks" in s else "")
    whole, start = "", f"vocabulary in {s['vocab_seconds']:.2f} s"
    if "resumed_words" in s:
        whole = f"; the whole run: {s['resumed_words'] + s['words']} words"
        start = f"checkpoint read in {s['vocab_seconds']:.2f} s"
    return (f"Trained {s['words']} words in {s['train_seconds']:.2f} s "
            f"({s['words_per_sec'] / 1000:.1f}k words/s, {workers}){whole}; {start}{exchanges}")
