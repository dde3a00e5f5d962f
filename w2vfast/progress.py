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
    (so logs stay readable).  Called with the info dicts of `api.train(progress=...)`."""

    def __init__(self, threads, stream=None, iterations=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.threads = threads
        self.iterations = iterations
        self.last = 0.0
        self.drawn = False
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
        pct = 100.0 * info["words"] / max(info["total"], 1)
        rate = info["words_per_sec"]
        eta = (info["total"] - info["words"]) / rate if rate > 0 else 0.0
        epoch = ""
        if self.iterations:
            epoch = f"Epoch: {epoch_of(info, self.iterations)}/{self.iterations}  "
        per_thread = info.get("per_thread") or [rate / max(self.threads, 1)]
        lo, hi = min(per_thread) / 1000, max(per_thread) / 1000
        threads = f"{lo:.0f}k" if hi - lo < 0.5 else f"{lo:.0f}-{hi:.0f}k"
        line = (f"Progress: {pct:6.2f}%  {epoch}Alpha: {info['alpha']:.6f}  Loss: {info['loss']:7.4f}  "
                f"Words/sec: {rate / 1000:8.1f}k  per thread: {threads}  "
                f"Elapsed: {_clock(info['elapsed'])}  ETA: {_clock(eta)}")
        if self.tty:
            self.stream.write("\r" + line + "  ")
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


class JsonLog:
    """`--log-json FILE`: one JSON object per line, for scripts and `w2vfast plot-loss`.

    A `progress` record about once a second (time, epoch, words, total, words_per_sec, alpha,
    loss) and a final `summary` (vocabulary size, corpus words, wall and CPU seconds, peak
    memory).  Lines are flushed as written, so the log of an interrupted run is complete.  The
    file is made at the first record, once the run's checks have passed (it may not replace
    the corpus)."""

    def __init__(self, path, iterations, every=1.0):
        self.path = path
        self.file = None
        self.iterations = iterations
        self.every = every
        self.last = -1e9
        self.start = time.time()

    def __call__(self, info):
        now = time.monotonic()
        if info["words"] < info["total"] and now - self.last < self.every:
            return
        self.last = now
        epoch = epoch_of(info, self.iterations)
        self._write({"type": "progress", "time": round(time.time() - self.start, 3), "epoch": epoch,
                     "words": info["words"], "total": info["total"],
                     "words_per_sec": round(info["words_per_sec"], 1), "alpha": info["alpha"],
                     "loss": None if info["loss"] != info["loss"] else info["loss"]})

    def summary(self, model):
        s = model.stats
        self._write({"type": "summary", "time": round(time.time() - self.start, 3),
                     "vocab_size": s["vocab_size"], "corpus_words": s["corpus_tokens"],
                     "train_words": s["train_words"], "iter": model.options["iter"],
                     "wall_seconds": round(s["vocab_seconds"] + s["train_seconds"], 3),
                     "train_seconds": round(s["train_seconds"], 3),
                     "cpu_seconds": round(time.process_time(), 3),
                     "words_per_sec": round(s["words_per_sec"], 1),
                     "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                     # distributed runs (w2vfast.distributed): ranks and their exchanges
                     **{k: s[k] for k in ("ranks", "rounds", "syncs", "sync_interval", "sync_rows",
                                          "bytes_per_sync", "bytes_sent", "sync_seconds") if k in s}})

    def _write(self, record):
        if self.file is None:
            self.file = open(self.path, "w")
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()

    def close(self):
        if self.file is not None:
            self.file.close()


def reporter(progress, t0, state=None, scale=None):
    """The callback Trainer.run calls a few times a second: it turns the trainer's counters into
    the dict `progress(info)` expects (words, total, alpha, elapsed, loss, words_per_sec,
    per_thread), where loss is the mean loss per example since the previous report.  `state`:
    the checkpoint a resumed run started from (its words are not this run's speed); `scale`:
    st -> (words, total), the whole job's counts of a distributed run."""
    last = {"loss": 0.0, "examples": 0, "avg": float("nan")}
    if state is not None:
        last["loss"] = sum(t["loss"] for t in state["threads"])
        last["examples"] = sum(t["examples"] for t in state["threads"])

    def report(st):
        if progress is None:
            return
        elapsed = time.perf_counter() - t0
        # the loss since the previous report, per example: the running loss of the current model
        d_examples = st["examples"] - last["examples"]
        if d_examples > 0:
            last["avg"] = (st["loss"] - last["loss"]) / d_examples
            last["loss"], last["examples"] = st["loss"], st["examples"]
        words, total = (st["words"], st["total"]) if scale is None else scale(st)
        done = words - (state["words_done"] if state else 0)
        progress({"words": words, "total": total, "alpha": st["alpha"],
                  "elapsed": elapsed, "loss": last["avg"],
                  "words_per_sec": done / elapsed if elapsed > 0 else 0.0,
                  "per_thread": [w / elapsed if elapsed > 0 else 0.0 for w in st["per_thread"]]})
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
