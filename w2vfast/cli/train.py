"""`w2vfast train` (and `plot-loss`, which draws a run's `--log-json`)."""
import os
import sys

import click

from .. import api, options as opts
from ..atomic import OutputError, check_writable
from ..corpus import read_file_list
from ..distributed import SYNC_DEFAULTS, Cluster, launched
from ..progress import JsonLog, ProgressPrinter
from .common import ByteSize, Terminated, Word2vecCommand, fail, flag, handle_errors

D = opts.DEFAULTS


def _checkpoint_outputs(path):
    """The output paths a checkpointed run was started with."""
    from ..model_io import load_model
    return load_model(path)["options"].get("outputs", {})


@click.command(cls=Word2vecCommand)
@click.argument("corpus", required=False, metavar="CORPUS")
@flag("train", "train_file", metavar="FILE", help="Corpus file (as word2vec.c); same as CORPUS.")
@flag("output", metavar="FILE", help="Write the word vectors here ('-' for stdout).")
@flag("size", type=int, default=None, show_default=False,
      help=f"Dimension of the word vectors (with --init-model: the model's).  [default: {D['size']}]")
@flag("window", type=int, default=D["window"], help="Maximum context radius (the radius is drawn in 1..window).")
@flag("sample", type=float, default=D["sample"], help="Subsampling threshold for frequent words; 0 = off.")
@flag("hs", type=int, default=D["hs"], help="Hierarchical softmax: 1 = on.")
@flag("negative", type=int, default=D["negative"], help="Noise words per example for negative sampling; 0 = off.")
@flag("ns-exponent", type=float, default=D["ns_exponent"], help="Noise distribution: unigram counts to this power.")
@flag("threads", type=int, default=None, help="Worker threads.  [default: number of CPUs]")
@flag("iter", type=int, default=D["iter"], help="Training epochs.")
@flag("min-count", type=int, default=D["min_count"], help="Discard words occurring fewer times.")
@flag("max-vocab", type=int, default=D["max_vocab"], help="Prune rare words while counting to keep at most this many (0 = no limit).")
@flag("alpha", type=float, default=None, help="Starting learning rate.  [default: 0.025 skip-gram, 0.05 CBOW]")
@flag("cbow", type=int, default=D["cbow"], help="1 = CBOW, 0 = skip-gram.")
@flag("cbow-mean", type=int, default=D["cbow_mean"], help="CBOW input: 1 = mean of the context vectors, 0 = sum.")
@flag("max-sentence-length", type=int, default=D["max_sentence_length"], help="Cut sentences after this many words.")
@flag("batch", type=int, default=D["batch"],
      help="Skip-gram: train each window as one block (fast; noise words shared by the window, "
           "HS updates in word2vec.c's order); 0 = word2vec.c's pair-by-pair path.")
@flag("binary", type=int, default=0, help="Output format: 1 = binary, 0 = text.")
@flag("save-vocab", metavar="FILE", help="Write the vocabulary (`word count` lines).")
@flag("read-vocab", metavar="FILE", help="Take the vocabulary and counts from this file instead of counting the corpus.")
@flag("save-context", metavar="FILE", help="Also write the output (context) vectors.")
@flag("vectors", type=click.Choice(["in", "sum", "concat"]), default=D["vectors"],
      help="Written word vectors: input vectors, input+output, or both concatenated.")
@flag("classes", type=click.IntRange(min=0), default=0,
      help="Write K k-means word classes (`word classid` lines) to -output instead of vectors, as word2vec.c.")
@flag("seed", type=int, default=D["seed"], help="Random seed; with -threads 1 runs are reproducible.")
@flag("save-model", metavar="DIR", help="Also save the whole model (vocabulary, both matrices, options) for --init-model or w2vfast.load_model.")
@flag("checkpoint", metavar="DIR", help="Save the training state here every --checkpoint-every minutes and on Ctrl-C/SIGTERM.")
@flag("checkpoint-every", type=click.FloatRange(min=0, min_open=True), default=10.0, metavar="MINUTES",
      help="Minutes between checkpoints.")
@flag("resume", metavar="DIR", help="Continue the run saved in this checkpoint (its corpus, options and outputs).")
@flag("init-model", metavar="DIR", help="Continue training a model saved with --save-model on CORPUS.")
@click.option("-update-vocab", "--update-vocab", is_flag=True, help="With --init-model: add the corpus's new words that reach -min-count.")
@flag("log-json", metavar="FILE", help="Write progress records and a final summary as JSON lines (see plot-loss).")
@flag("ids-memory", type=ByteSize(), default=None, show_default=False,
      help="Keep the corpus read as word ids (about 1.6 bytes a word) in memory up to SIZE, then "
           "in a temporary file.  [default: in the file from the start, read through the page "
           "cache, so the run holds only a few MB of it; in memory if no file can be made]")
@flag("tmp-dir", type=click.Path(file_okay=False), default=None, show_default=False, metavar="DIR",
      help="Directory for the corpus ids' temporary file (deleted however the run ends).  [default: $TMPDIR or /tmp]")
@flag("train-files", metavar="@LIST", help="Corpus as several files: @LIST (a file naming one a line) or a,b,c; under mpiexec each process trains its own.")
@flag("sync-interval", type=click.IntRange(min=0), default=None, show_default=False, metavar="WORDS",
      help="Under mpiexec: words each process trains between exchanges of the frequent rows; 0 = only at epoch ends.  "
           f"[default: {SYNC_DEFAULTS['sync_interval']}]")
@flag("sync-rows", type=click.IntRange(min=0), default=None, show_default=False, metavar="N",
      help=f"Under mpiexec: how many of the most frequent words' rows are exchanged every interval (all rows at epoch ends).  [default: {SYNC_DEFAULTS['sync_rows']}]")
@flag("debug", type=click.IntRange(0, 2), default=2, help="0: errors only, 1: summary, 2: summary and progress.")
@click.option("-q", "--quiet", is_flag=True, help="Same as -debug 0.")
@handle_errors
def train(corpus, train_file, output, binary, save_vocab, read_vocab, save_context, debug, quiet,
          classes, save_model, checkpoint, checkpoint_every, resume, init_model, update_vocab,
          log_json, ids_memory, tmp_dir, train_files, sync_interval, sync_rows, **options):
    """Train word vectors on CORPUS (a text file, '-' for stdin, or .gz/.bz2/.xz).

    \b
    Example:
      w2vfast train corpus.txt -cbow 0 -negative 5 -size 100 -output vec.bin -binary 1
    """
    if corpus and train_file and corpus != train_file:
        raise click.UsageError("give the corpus once: either CORPUS or -train FILE")
    corpus = corpus or train_file
    if train_files is not None:
        if corpus:
            raise click.UsageError("give the corpus once: either CORPUS (-train FILE) or -train-files")
        if resume:
            raise click.UsageError("--resume continues a saved run: give no -train-files")
    if binary not in (0, 1):
        raise click.UsageError(f"invalid -binary {binary!r}: must be 0 or 1")
    if launched():
        cluster = Cluster()
        if cluster.rank != 0:
            debug = quiet = 0
            log_json = None
        if resume or checkpoint or init_model:
            raise click.UsageError("--resume, --checkpoint and --init-model are not supported under "
                                   "mpiexec; run them in one process")
        return _train_distributed(cluster, corpus, train_files, output, binary, save_vocab, read_vocab,
                                  save_context, save_model, classes, log_json, debug, quiet,
                                  ids_memory, tmp_dir, sync_interval, sync_rows, options)
    if train_files is not None:
        corpus = read_file_list(train_files)
    if resume:
        if corpus or init_model:
            raise click.UsageError("--resume continues a saved run: give no CORPUS and no --init-model")
        saved = _checkpoint_outputs(resume)
        output = output or saved.get("output")
        save_context = save_context or saved.get("save_context")
        save_vocab = save_vocab or saved.get("save_vocab")
        save_model = save_model or saved.get("save_model")
        binary = binary or int(bool(saved.get("binary")))
    elif not corpus:
        raise click.UsageError("no corpus: give CORPUS (or -train FILE; '-' reads stdin)")
    _check_outputs(corpus, output, save_vocab, save_model, save_context, log_json, update_vocab,
                   init_model, options)
    if tmp_dir is not None and not os.path.isdir(tmp_dir):
        raise click.UsageError(f"--tmp-dir {tmp_dir!r} is not a directory")
    if quiet:
        debug = 0
    on_vocab = _vocab_reporter(debug)
    printer = (ProgressPrinter(options["threads"] or opts.default_threads(),
                               iterations=None if resume else options["iter"]) if debug >= 2 else None)
    log = JsonLog(log_json, options["iter"]) if log_json else None
    report = _reporter(printer, log)

    if output is None and save_model is None:  # -save-vocab alone: count the corpus, as word2vec.c
        from ..vocab import build_vocabulary, save_vocab_file
        d = build_vocabulary(corpus, min_count=options["min_count"], max_vocab=options["max_vocab"],
                             read_vocab=read_vocab, record_ids=False,
                             threads=options["threads"] or opts.default_threads())
        on_vocab(d)
        save_vocab_file(save_vocab, d.words(), d.counts())
        return
    try:
        model = api.train(corpus, output=None if classes else output, binary=bool(binary),
                          save_vocab=save_vocab, read_vocab=read_vocab, save_context=save_context,
                          save_model=save_model, checkpoint=checkpoint,
                          checkpoint_every=checkpoint_every * 60, resume=resume,
                          init_model=init_model, update_vocab=update_vocab, progress=report,
                          on_vocab=on_vocab, ids_memory=ids_memory, tmp_dir=tmp_dir, **options)
        if log is not None:
            log.summary(model)
    except (KeyboardInterrupt, Terminated) as e:
        if checkpoint:
            if printer is not None:
                printer.close()
            how, code = ("interrupted", 130) if isinstance(e, KeyboardInterrupt) else ("terminated", 143)
            click.echo(f"\nw2vfast: {how}; state saved in {checkpoint}; continue with: "
                       f"w2vfast train --resume {checkpoint}", err=True)
            sys.exit(code)
        raise
    finally:
        if printer is not None:
            printer.close()
        if log is not None:
            log.close()
    _finish(model, classes, output, debug)


def _finish(model, classes, output, debug):
    """After training: the -classes file instead of vectors, then the summary line."""
    if classes:
        from ..classes import compute_classes, write_classes
        if classes > len(model):
            raise click.UsageError(f"invalid -classes {classes}: more classes than the {len(model)} words")
        write_classes(output, model.index_to_key, compute_classes(model.vectors, classes))
    if debug >= 1:
        s = model.stats
        workers = (f"{s['ranks']} processes x {model.options['threads']} threads" if "ranks" in s
                   else f"{model.options['threads']} threads")
        exchanges = (f"; {s['syncs']} exchanges, {s['bytes_sent'] / 2**20:.1f} MiB sent by each "
                     f"process, {s['sync_seconds']:.2f} s in them" if "ranks" in s else "")
        click.echo(f"Trained {s['train_words'] * model.options['iter']} words in {s['train_seconds']:.2f} s "
                   f"({s['words_per_sec'] / 1000:.1f}k words/s, {workers}); "
                   f"vocabulary in {s['vocab_seconds']:.2f} s{exchanges}", err=True)


def _check_outputs(corpus, output, save_vocab, save_model, save_context, log_json, update_vocab=False,
                   init_model=None, options=None):
    """The checks made before any reading: flags that go together, writable outputs."""
    if update_vocab and not init_model:
        raise click.UsageError("--update-vocab needs --init-model DIR")
    if output is None and save_vocab is None and save_model is None:
        raise click.UsageError("no -output given: use -output FILE (or -output - for stdout)")
    opts.resolve(**options)  # bad values fail before any reading
    corpus_files = [c for c in (corpus if isinstance(corpus, list) else [corpus]) if c is not None]
    for path in (output, save_context, save_vocab, log_json):
        if path is None or path == "-":
            continue
        check_writable(path)
        for c in corpus_files:
            if c != "-" and os.path.exists(path) and os.path.exists(c) and os.path.samefile(path, c):
                raise click.UsageError(f"output {path!r} is the corpus itself: it would be overwritten")
    if output and output != "-" and save_context and os.path.abspath(output) == os.path.abspath(save_context):
        raise click.UsageError("-output and -save-context name the same file")


def _vocab_reporter(debug):
    def on_vocab(d):
        if debug >= 1:
            click.echo(f"Vocab size: {d.n_words}", err=True)
            click.echo(f"Words in train file: {d.n_ids}", err=True)
            where = f"in a temporary file in {d.spill_dir}" if d.spilled else "in memory"
            click.echo(f"Corpus ids: {d.ids_bytes / 2**20:.0f} MiB, {where}", err=True)
        fallback = getattr(d, "spill_fallback", None)
        if fallback is not None:
            click.echo(f"Warning: cannot make a temporary file in {d.spill_dir} ({fallback.strerror}); "
                       f"the corpus ids ({d.ids_bytes / 2**20:.0f} MiB) stay in memory. "
                       "Use --tmp-dir to name a writable directory.", err=True)
    return on_vocab


def _reporter(printer, log):
    def report(info):
        if printer is not None:
            printer(info)
        if log is not None:
            log(info)
    return report


def _train_distributed(cluster, corpus, train_files, output, binary, save_vocab, read_vocab,
                       save_context, save_model, classes, log_json, debug, quiet, ids_memory,
                       tmp_dir, sync_interval, sync_rows, options):
    """`train` as one rank of an MPI job (w2vfast.distributed): rank 0 checks the outputs,
    reports and writes; every rank trains its share."""
    from ..distributed import train as train_rank
    if not corpus and train_files is None:
        raise click.UsageError("no corpus: give CORPUS (or -train FILE, or -train-files @LIST)")
    error = None
    if cluster.rank == 0:
        try:
            _check_outputs(corpus, output, save_vocab, save_model, save_context, log_json,
                           options=options)
            if tmp_dir is not None and not os.path.isdir(tmp_dir):
                raise click.UsageError(f"--tmp-dir {tmp_dir!r} is not a directory")
        except (click.UsageError, OutputError, opts.OptionError) as e:
            error = e
    cluster.agree(error, kind=click.UsageError)
    if quiet:
        debug = 0
    printer = ProgressPrinter(options["threads"] or opts.default_threads(),
                              iterations=options["iter"]) if debug >= 2 else None
    log = JsonLog(log_json, options["iter"]) if log_json else None
    try:
        model = train_rank(cluster, corpus, train_files=train_files,
                           output=None if classes else output, binary=bool(binary),
                           save_vocab=save_vocab, read_vocab=read_vocab, save_context=save_context,
                           save_model=save_model, progress=_reporter(printer, log),
                           on_vocab=_vocab_reporter(debug) if cluster.rank == 0 else None,
                           ids_memory=ids_memory, tmp_dir=tmp_dir, sync_interval=sync_interval,
                           sync_rows=sync_rows,
                           warn=(lambda m: click.echo(f"w2vfast: {m}", err=True)) if debug >= 1 else None,
                           **options)
        if log is not None and model is not None:
            log.summary(model)
    finally:
        if printer is not None:
            printer.close()
        if log is not None:
            log.close()
    if model is None:  # -save-vocab alone
        return
    # every rank holds the whole model; rank 0 alone writes and reports
    _finish(model, classes if cluster.rank == 0 else 0, output, debug)


@click.command("plot-loss")
@click.argument("log", metavar="LOG.json")
@click.option("-o", "--output", required=True, metavar="FILE", help="The picture: .png or .svg.")
@click.option("--size", default="1200x700", show_default=True, help="Picture size in pixels, WxH.")
@handle_errors
def plot_loss(log, output, size):
    """Draw loss and words/s over time from a `train --log-json` file."""
    from ..plot import PlotError, output_format, parse_size, plot_loss as draw_loss
    from ..progress import read_log
    try:
        records = read_log(log)
        draw_loss(records, output, size=parse_size(size), fmt=output_format(output))
    except FileNotFoundError:
        fail(f"log {log!r} not found")
    except (ValueError, PlotError) as e:
        fail(str(e))
