"""`w2vfast train`.

The command parses its flags (made from the options schema, flags.py), sets up the reporting
(progress line and summary: progress.Console; the pipeline keeps the JSON log) and runs the
one training pipeline, in this process or as one rank of an MPI job.
"""
import sys

import click
from click.core import ParameterSource

from .. import options as opts
from ..corpus import read_file_list
from ..distributed import Cluster, MpiWorld, launched
from ..outputs import Outputs
from ..pipeline import Job, run
from ..progress import Console
from .common import Terminated, handle_errors
from .grammar import Word2vecCommand
from .flags import flag_values, train_options


@click.command(cls=Word2vecCommand)
@click.argument("corpus", required=False, metavar="CORPUS")
@train_options(opts.TRAIN)
@handle_errors
def train(corpus, **flags):
    """Train word vectors on CORPUS (a text file, '-' for stdin, or .gz/.bz2/.xz).

    \b
    Example:
      w2vfast train corpus.txt -cbow 0 -negative 5 -size 100 -output vec.bin -binary 1
    """
    run_command(opts.TRAIN, corpus, flags)


def run_command(trains, corpus, flags):
    """What `train` and `doc2vec` (options.TRAIN, DOC2VEC) do with their parsed flags: set up
    the reporting and run the pipeline, in this process or as one rank of an MPI job."""
    f = flag_values(flags)
    train_file, train_files = f.pop("train_file"), f.pop("train_files", None)
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
    sync = f.pop("sync_interval", None), f.pop("sync_rows", None)
    world = None
    if launched() and trains != opts.TRAIN:
        raise click.UsageError(f"{trains} does not run under mpiexec yet: run it in one process")
    if launched():
        cluster = Cluster()
        if cluster.rank != 0:
            debug, log_json = 0, None
        if f["resume"] or f["checkpoint"] or f.get("init_model"):
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
    job, console = _job(trains, corpus, f, debug, log_json)
    try:
        model = run(job, world)
    except (KeyboardInterrupt, Terminated) as e:
        if job.checkpoint_dir:
            console.close()
            how, code = ("interrupted", 130) if isinstance(e, KeyboardInterrupt) else ("terminated", 143)
            click.echo(f"\nw2vfast: {how}; state saved in {job.checkpoint_dir}; continue with: "
                       f"w2vfast {trains} --resume {job.checkpoint_dir}", err=True)
            sys.exit(code)
        raise
    finally:
        console.close()
    if model is not None:
        console.summary(model)


def given(name):
    """Whether the user gave option `name` (on the command line or in the environment), not
    its default: a resumed run refuses only options the user gave that differ from its own."""
    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def _job(trains, corpus, f, debug, log_json):
    """The pipeline's job for the parsed flags, with the command's reporting attached; and the
    reporting (progress.Console).  Training options the user did not give are left to the
    schema's defaults (None), which are the flags' defaults."""
    model_options = {}
    for name in opts.MODEL_OPTIONS:
        if name in f:
            value = f.pop(name)
            model_options[name] = value if given(name) else None
    console = Console(debug)
    outputs = Outputs.with_binary(f.pop("binary"), output=f.pop("output"), save_vocab=f.pop("save_vocab"),
                                  save_context=f.pop("save_context", None), save_model=f.pop("save_model"),
                                  classes=f.pop("classes", 0), log_json=log_json,
                                  save_words=f.pop("save_words", None))
    return Job(corpus=corpus, options=model_options, outputs=outputs, trains=trains,
               **console.job_hooks(), **f), console
