"""The `w2vfast` command line: Click commands that parse, call the API, and print.

Every train flag is spelled both as word2vec.c does (`-size 100`) and GNU-style (`--size 100`).
Data goes to stdout, messages to stderr.  Usage errors exit 2, runtime failures 1, Ctrl-C 130,
SIGTERM 143; failures print one line naming the file or flag and the fix, never a traceback.
"""
import difflib
import functools
import os
import signal
import sys
import time

import click

from . import api, options as opts
from .atomic import OutputError, check_writable
from .corpus import CorpusError, read_file_list
from .distributed import SYNC_DEFAULTS, Cluster, ClusterError, launched
from .formats import VectorFileError
from .model_io import ModelFileError
from .progress import JsonLog, ProgressPrinter
from .vocab import VocabularyError

RUNTIME_ERRORS = (CorpusError, VocabularyError, OutputError, VectorFileError, api.TrainingError,
                  ModelFileError, MemoryError, ClusterError)


class Terminated(Exception):
    """SIGTERM arrived; raised in the main thread so cleanup runs as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise Terminated()


def fail(message, code=1):
    click.echo(f"w2vfast: error: {message}", err=True)
    sys.exit(code)


def _end_rank(cluster, error, message, code):
    """An error in one rank of an MPI job.  One every rank raised together (`collective`) is
    reported by rank 0 alone, and each rank exits; any other is reported with the rank's number
    and ends the whole job, since the other ranks would wait for this one forever."""
    if getattr(error, "collective", False) or cluster.size == 1:
        if cluster.rank == 0:
            click.echo(message, err=True)
        sys.exit(code)
    click.echo(message.replace("w2vfast: ", f"w2vfast (rank {cluster.rank}): ", 1)
               if "w2vfast: " in message else f"rank {cluster.rank}: {message}", err=True)
    sys.stderr.flush()
    cluster.abort(code)


def _exit(error, message, code):
    """Print `message` and exit with `code`; in an MPI job, through _end_rank."""
    if Cluster.current is not None:
        _end_rank(Cluster.current, error, message, code)
    click.echo(message, err=True)
    sys.exit(code)


def handle_errors(fn):
    """Turn the package's errors into one line on stderr and the right exit status."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return fn(*args, **kwargs)
        except (opts.OptionError, click.UsageError) as e:
            if Cluster.current is None:  # click prints it with the usage line
                raise click.UsageError(e.format_message() if isinstance(e, click.UsageError)
                                       else str(e)) from None
            # in an MPI job, usage errors come from the arguments, the same on every rank (or
            # from rank 0's checks, shared with agree): each rank exits, rank 0 reports
            e.collective = True
            _exit(e, f"Error: {e.format_message() if isinstance(e, click.UsageError) else e}", 2)
        except RUNTIME_ERRORS as e:
            _exit(e, f"w2vfast: error: {e if not isinstance(e, MemoryError) else f'out of memory: {e}'}", 1)
        except KeyboardInterrupt as e:
            _exit(e, "\nw2vfast: interrupted; no output was written", 130)
        except Terminated as e:
            _exit(e, "\nw2vfast: terminated; no output was written", 143)
        except BrokenPipeError:
            # the reader of our stdout went away (e.g. `| head`): not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as e:
            if Cluster.current is None:
                raise
            _exit(e, f"w2vfast: error: {type(e).__name__}: {e}", 1)  # a bug: still end every rank
        finally:
            signal.signal(signal.SIGTERM, previous)
    return wrapper


class Word2vecCommand(click.Command):
    """A command whose single-dash long flags (`-size`) are matched whole.

    Click reads an unknown `-sizee` as bundled short options and then complains about `-s`, a
    flag nobody typed; here an unknown word starting with a dash is reported as itself, with the
    closest flags as suggestions.  Values after a flag (`-alpha -1`, `-output -`) are skipped."""

    def parse_args(self, ctx, args):
        takes_value = {}
        for p in self.get_params(ctx):
            if isinstance(p, click.Option):
                for o in p.opts + p.secondary_opts:
                    takes_value[o] = not (p.is_flag or p.count)
        skip = False
        for a in args:
            if skip:
                skip = False
                continue
            if a == "--":
                break
            if not a.startswith("-") or a == "-" or _is_number(a):
                continue
            name = a.split("=", 1)[0]
            if name in takes_value:
                skip = takes_value[name] and "=" not in a
                continue
            raise click.NoSuchOption(name, possibilities=difflib.get_close_matches(name, takes_value), ctx=ctx)
        return super().parse_args(ctx, args)


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="w2vfast")
def main():
    """w2vfast: train word2vec embeddings from raw text, fast.

    Flags and file formats are those of the original C word2vec; see `w2vfast train --help`.
    """


def flag(name, *dest, **kw):
    """A Click option spelled `-name` (word2vec.c) and `--name` (GNU)."""
    kw.setdefault("show_default", True)
    return click.option(f"-{name}", f"--{name}", *dest, **kw)


D = opts.DEFAULTS


class ByteSize(click.ParamType):
    """A size in bytes: 0, 65536, 512K, 800M, 4G."""
    name = "SIZE"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return opts.parse_size(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


def _checkpoint_outputs(path):
    """The output paths a checkpointed run was started with."""
    from .model_io import load_model
    return load_model(path)["options"].get("outputs", {})


@main.command(cls=Word2vecCommand)
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
        from .vocab import build_vocabulary, save_vocab_file
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
        from .classes import compute_classes, write_classes
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
    from .distributed import train as train_rank
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


@main.command("plot-loss")
@click.argument("log", metavar="LOG.json")
@click.option("-o", "--output", required=True, metavar="FILE", help="The picture: .png or .svg.")
@click.option("--size", default="1200x700", show_default=True, help="Picture size in pixels, WxH.")
@handle_errors
def plot_loss(log, output, size):
    """Draw loss and words/s over time from a `train --log-json` file."""
    from .plot import PlotError, output_format, parse_size, plot_loss as draw_loss
    from .progress import read_log
    try:
        records = read_log(log)
        draw_loss(records, output, size=parse_size(size), fmt=output_format(output))
    except FileNotFoundError:
        fail(f"log {log!r} not found")
    except (ValueError, PlotError) as e:
        fail(str(e))


@main.command(cls=Word2vecCommand)
@flag("size", type=int, default=D["size"], help="Dimension of the word vectors.")
@flag("iter", type=int, default=D["iter"], help="Training epochs.")
@flag("threads", type=int, default=None, help="Worker threads.  [default: number of CPUs]")
@flag("cbow", type=int, default=D["cbow"], help="1 = CBOW, 0 = skip-gram.")
@flag("tokens", type=click.IntRange(10_000, 100_000_000), default=3_000_000, help="Size of the synthetic corpus.")
@flag("output", metavar="FILE", default="demo-vectors.txt", help="Where to write the vectors ('-' for stdout).")
@flag("binary", type=click.IntRange(0, 1), default=0, help="Output format: 1 = binary, 0 = text.")
@flag("debug", type=click.IntRange(0, 2), default=1, help="0: results only, 1: summary, 2: and progress.")
@handle_errors
def demo(size, iter, threads, cbow, tokens, output, binary, debug):
    """Train on a built-in synthetic corpus and show what was learned (no download).

    The corpus plants country-capital, male-female, singular-plural and present-past
    relations among Zipf-distributed filler words; the run prints nearest neighbours and
    the accuracy on the planted analogies, and writes the vectors.
    """
    import tempfile

    from . import demo as corpus_demo

    opts.resolve(size=size, iter=iter, threads=threads, cbow=cbow)
    check_writable(output)
    with tempfile.TemporaryDirectory(prefix="w2vfast-demo-") as tmp:
        path = os.path.join(tmp, "demo-corpus.txt")
        t0 = time.perf_counter()
        n = corpus_demo.generate_corpus(path, n_tokens=tokens, seed=1)
        if debug >= 1:
            click.echo(f"Generated a synthetic corpus of {n:,} tokens in {time.perf_counter() - t0:.1f} s", err=True)
        printer = ProgressPrinter(threads or opts.default_threads()) if debug >= 2 else None
        try:
            model = api.train(path, output=output, binary=bool(binary), size=size, iter=iter,
                              threads=threads, cbow=cbow, progress=printer)
        finally:
            if printer is not None:
                printer.close()
    s = model.stats
    click.echo(f"Trained {model.options['iter']} epochs ({'CBOW' if cbow else 'skip-gram'}, negative 5, "
               f"size {size}) on {s['vocab_size']:,} words in {s['train_seconds']:.1f} s "
               f"({s['words_per_sec'] / 1000:.0f}k words/s)")
    click.echo("")
    click.echo("Nearest neighbours:")
    for word in ("paris", "king", "cats", "walked"):
        near = corpus_demo.nearest(model.index_to_key, model.vectors, word, topn=5)
        click.echo(f"  {word:8s} " + ", ".join(f"{w} {score:.2f}" for w, score in near))
    click.echo("")
    click.echo("Analogies (a is to b as c is to ?):")
    for a, b, c in (("france", "paris", "germany"), ("king", "queen", "man"), ("cat", "cats", "dog"),
                    ("walk", "walked", "go")):
        answer = model.most_similar_by_vector(model[b] - model[a] + model[c], exclude=(a, b, c))
        click.echo(f"  {a} : {b} :: {c} : {answer}")
    result = corpus_demo.evaluate_planted(model.index_to_key, model.vectors)
    click.echo("")
    click.echo("Accuracy on the planted analogies:")
    for name, sec in result["sections"].items():
        click.echo(f"  {name:16s} {100 * sec['accuracy']:6.2f} %  ({sec['correct']} / {sec['total']})")
    click.echo(f"  {'total':16s} {100 * result['accuracy']:6.2f} %  ({result['correct']} / {result['total']})")
    if output != "-":
        click.echo(f"\nVectors written to {output}")
from . import cli_vectors  # noqa: E402,F401
from . import cli_phrases  # noqa: E402,F401
