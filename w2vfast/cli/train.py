"""`w2vfast train`.

The command parses its flags (made from the options schema, flags.py), sets up the reporting
(progress line, JSON log, summary) and runs the one training pipeline, in this process or as
one rank of an MPI job.
"""
import sys

import click

from .. import options as opts
from ..corpus import read_file_list
from ..distributed import Cluster, MpiWorld, launched
from ..outputs import Outputs
from ..pipeline import Job, run
from ..progress import JsonLog, ProgressPrinter
from .common import Terminated, handle_errors
from .corpus import vocabulary_summary
from .grammar import Word2vecCommand
from .flags import flag_values, train_options


@click.command(cls=Word2vecCommand)
@click.argument("corpus", required=False, metavar="CORPUS")
@train_options
@handle_errors
def train(corpus, **flags):
    """Train word vectors on CORPUS (a text file, '-' for stdin, or .gz/.bz2/.xz).

    \b
    Example:
      w2vfast train corpus.txt -cbow 0 -negative 5 -size 100 -output vec.bin -binary 1
    """
    f = flag_values(flags)
    train_file, train_files = f.pop("train_file"), f.pop("train_files")
    if corpus and train_file and corpus != train_file:
        raise click.UsageError("give the corpus once: either CORPUS or -train FILE")
    corpus = corpus or train_file
    if train_files is not None:
        if corpus:
            raise click.UsageError("give the corpus once: either CORPUS (-train FILE) or -train-files")
        if f["resume"]:
            raise click.UsageError("--resume continues a saved run: give no -train-files")
    debug, log_json = 0 if f.pop("quiet") else f["debug"], f.pop("log_json")
    del f["debug"]
    sync = f.pop("sync_interval"), f.pop("sync_rows")
    world = None
    if launched():
        cluster = Cluster()
        if cluster.rank != 0:
            debug, log_json = 0, None
        if f["resume"] or f["checkpoint"] or f["init_model"]:
            raise click.UsageError("--resume, --checkpoint and --init-model are not supported under "
                                   "mpiexec; run them in one process")
        if not corpus and train_files is None:
            raise click.UsageError("no corpus: give CORPUS (or -train FILE, or -train-files @LIST)")
        world = MpiWorld(cluster, train_files, *sync)
    else:
        if train_files is not None:
            corpus = read_file_list(train_files)
        if not corpus and not f["resume"]:
            raise click.UsageError("no corpus: give CORPUS (or -train FILE; '-' reads stdin)")
    job = _job(corpus, f, debug, log_json)
    printer = job.progress.printer if job.progress else None
    log = job.progress.log if job.progress else None
    try:
        model = run(job, world)
        if log is not None and model is not None:
            log.summary(model)
    except (KeyboardInterrupt, Terminated) as e:
        if job.checkpoint:
            if printer is not None:
                printer.close()
            how, code = ("interrupted", 130) if isinstance(e, KeyboardInterrupt) else ("terminated", 143)
            click.echo(f"\nw2vfast: {how}; state saved in {job.checkpoint}; continue with: "
                       f"w2vfast train --resume {job.checkpoint}", err=True)
            sys.exit(code)
        raise
    finally:
        if printer is not None:
            printer.close()
        if log is not None:
            log.close()
    if model is not None and debug >= 1:
        click.echo(summary(model), err=True)


def _job(corpus, f, debug, log_json):
    """The pipeline's job for the parsed flags, with the command's reporting attached."""
    model_options = {k: f.pop(k) for k in opts.MODEL_OPTIONS if k in f}
    threads = model_options["threads"] or opts.default_threads()
    printer = (ProgressPrinter(threads, iterations=None if f["resume"] else model_options["iter"])
               if debug >= 2 else None)
    log = JsonLog(log_json, model_options["iter"]) if log_json else None
    outputs = Outputs.with_binary(f.pop("binary"), output=f.pop("output"), save_vocab=f.pop("save_vocab"),
                                  save_context=f.pop("save_context"), save_model=f.pop("save_model"),
                                  classes=f.pop("classes"), log_json=log_json)
    return Job(corpus=corpus, options=model_options, outputs=outputs,
               progress=Reporter(printer, log) if printer or log else None,
               on_vocab=vocabulary_reporter(debug),
               warn=(lambda m: click.echo(f"w2vfast: {m}", err=True)) if debug >= 1 else None, **f)


class Reporter:
    """The progress callback: the progress line and the JSON log, either of them optional."""

    def __init__(self, printer, log):
        self.printer, self.log = printer, log

    def __call__(self, info):
        if self.printer is not None:
            self.printer(info)
        if self.log is not None:
            self.log(info)


def summary(model):
    """The line a finished run prints."""
    s = model.stats
    workers = (f"{s['ranks']} processes x {model.options['threads']} threads" if "ranks" in s
               else f"{model.options['threads']} threads")
    exchanges = (f"; {s['syncs']} exchanges, {s['bytes_sent'] / 2**20:.1f} MiB sent by each "
                 f"process, {s['sync_seconds']:.2f} s in them" if "ranks" in s else "")
    return (f"Trained {s['train_words'] * model.options['iter']} words in {s['train_seconds']:.2f} s "
            f"({s['words_per_sec'] / 1000:.1f}k words/s, {workers}); "
            f"vocabulary in {s['vocab_seconds']:.2f} s{exchanges}")


def vocabulary_reporter(debug):
    def on_vocab(d):
        if debug >= 1:
            for line in vocabulary_summary(d):
                click.echo(line, err=True)
            if d.n_ids:  # a run that only counts keeps no ids
                where = f"in a temporary file in {d.spill_dir}" if d.spilled else "in memory"
                click.echo(f"Corpus ids: {d.ids_bytes / 2**20:.0f} MiB, {where}", err=True)
        fallback = getattr(d, "spill_fallback", None)
        if fallback is not None:
            click.echo(f"Warning: cannot make a temporary file in {d.spill_dir} ({fallback.strerror}); "
                       f"the corpus ids ({d.ids_bytes / 2**20:.0f} MiB) stay in memory. "
                       "Use --tmp-dir to name a writable directory.", err=True)
    return on_vocab
