"""The Python API: `train` a model from a corpus, `load` vectors, `load_model` a saved model.

`train` runs the one training pipeline (pipeline.py) that the `train` command and the ranks of
a distributed run run too; the vectors classes live in vectors.py.
"""
import sys

from . import options as opts
from .corpus import read_file_list
from .paragraphs import ParagraphModel
from .distributed import Cluster, MpiWorld, launched
from .errors import TrainingError
from .formats import read_vectors
from .outputs import Outputs
from .pipeline import Job, run
from .progress import Console
from .vectors import Model, Vectors

__all__ = ["train", "doc2vec", "load", "load_model", "Vectors", "Model", "ParagraphModel",
           "TrainingError"]


def load(path, binary=None, limit=None):
    """Read a word2vec text or binary file (also gensim and fastText .vec variants)."""
    words, vectors = read_vectors(path, binary=binary, limit=limit)
    return Vectors(words, vectors)


def load_model(path):
    """A Model from a directory written by `--save-model` (or a checkpoint)."""
    from .model_io import load_model as load_directory
    saved = load_directory(path)
    o = opts.resolve(**{k: v for k, v in saved["options"].items() if k in opts.MODEL_OPTIONS})
    m = saved["matrices"]
    if saved["kind"].input.documents:
        return ParagraphModel(saved["words"], saved["counts"], m, saved["kind"], o, saved["stats"],
                              saved["tags"])
    return Model(saved["words"], saved["kind"].written_vectors(m, o), saved["counts"], m, saved["kind"], o,
                 saved["stats"])


def train(corpus=None, *, output=None, binary=opts.default("binary"), save_vocab=None, read_vocab=None,
          save_context=None, save_model=None, classes=opts.default("classes"), checkpoint=None,
          checkpoint_every=None, resume=None, init_model=None, update_vocab=opts.default("update_vocab"),
          log_json=None, ids_memory=None, tmp_dir=None, train_file=None, train_files=None,
          sync_interval=None, sync_rows=None, debug=None, quiet=opts.default("quiet"), progress=None,
          on_vocab=None, **options):
    """Train word2vec on `corpus` (a path, "-" for standard input, or a list of paths) and return
    a Model.  Every option of the `train` command is a keyword, its flag with underscores
    (options.SCHEMA has them all with their defaults and checks).

    Training options: size, window, sample, hs, negative, ns_exponent, threads, iter,
    min_count, max_vocab, alpha, cbow, cbow_mean, max_sentence_length, seed, batch, vectors
    ("in", "sum" or "concat"), min_alpha_ratio, tokenizer ("space" or "words"), lowercase.
    `output` and `save_context` write vector files (atomically; with `classes` K, `output`
    gets K k-means word classes), `save_vocab` the counts, `save_model` a model directory
    (model_io), `log_json` the run's JSON log.  `train_file` is another name for `corpus`;
    `train_files` gives it as "@LIST" or "a,b,c".
    `checkpoint` (a directory) is written every `checkpoint_every` seconds (default 600) and on
    interruption; `resume` continues from one (its options, corpus and outputs; options given
    must be its own).  `init_model` continues training a saved model on `corpus`; with
    `update_vocab` new words reaching min_count get rows.  Under mpiexec each process runs as
    one rank of a distributed run (`sync_interval`, `sync_rows`), as `w2vfast train` does;
    elsewhere those two do nothing, as the command's flags.

    What the run says on stderr follows the command's -debug: `debug` 0 errors only, 1 the
    vocabulary and summary lines, 2 also the progress line; by default 2 when stderr is a
    terminal, else 0 (`quiet` is debug 0).  `progress`: True or False shows the progress line
    or not whatever `debug` says; a callable gets, a few times a second, the record the line is
    made of: a dict with words (done), total, epoch, iterations, alpha, loss, words_per_sec,
    per_thread, elapsed, eta (seconds or None), resumed and words_before.  `on_vocab(dictionary)`
    is called once the vocabulary is built.  The corpus, read once, is kept as word ids in an
    unlinked temporary file in `tmp_dir` (default $TMPDIR or /tmp) read through the page cache,
    or with `ids_memory` in memory up to that many bytes and the file beyond
    (memory.IdsStorage), so corpora larger than memory train too; nothing is left behind in
    `tmp_dir`, whatever way the run ends.
    """
    return _run(opts.TRAIN, corpus, options, output=output, binary=binary, save_vocab=save_vocab,
                read_vocab=read_vocab, save_context=save_context, save_model=save_model,
                classes=classes, checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                resume=resume, init_model=init_model, update_vocab=update_vocab, log_json=log_json,
                ids_memory=ids_memory, tmp_dir=tmp_dir, train_file=train_file,
                train_files=train_files, sync_interval=sync_interval, sync_rows=sync_rows,
                debug=debug, quiet=quiet, progress=progress, on_vocab=on_vocab)


def doc2vec(corpus=None, *, output=None, binary=opts.default("binary"), save_vocab=None,
            read_vocab=None, save_words=None, save_model=None, checkpoint=None,
            checkpoint_every=None, resume=None, log_json=None, ids_memory=None, tmp_dir=None,
            train_file=None, debug=None, quiet=opts.default("quiet"), progress=None, on_vocab=None,
            **options):
    """Train paragraph vectors on `corpus` (one document a line) and return a ParagraphModel:
    its `docvecs` (Vectors keyed by tag, the line number from 0) and the word vectors.  Every
    option of the `doc2vec` command is a keyword, as for `train`: dm (0 PV-DBOW, 1 PV-DM),
    dm_mean, dbow_words, and the training options the two share (size, window, sample, hs,
    negative, ns_exponent, threads, iter, min_count, max_vocab, alpha (0.025), max_sentence_length,
    seed, batch, min_alpha_ratio).  `output` writes the documents' vectors, `save_words` the
    words'; the rest as `train`'s.
    """
    return _run(opts.DOC2VEC, corpus, options, output=output, binary=binary, save_vocab=save_vocab,
                read_vocab=read_vocab, save_words=save_words, save_model=save_model,
                checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume,
                log_json=log_json, ids_memory=ids_memory, tmp_dir=tmp_dir, train_file=train_file,
                debug=debug, quiet=quiet, progress=progress, on_vocab=on_vocab)


def _run(trains, corpus, options, *, output, binary, save_vocab, read_vocab, save_model, checkpoint,
         checkpoint_every, resume, log_json, ids_memory, tmp_dir, train_file, debug, quiet, progress,
         on_vocab, save_context=None, save_words=None, classes=opts.default("classes"),
         init_model=None, update_vocab=opts.default("update_vocab"), train_files=None,
         sync_interval=None, sync_rows=None):
    """What `train` and `doc2vec` share: the job from the keywords, run in this process or as
    one rank of an MPI job."""
    unknown = {k for k in options if k not in opts.MODEL_OPTIONS or trains not in opts.BY_NAME[k].commands}
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    if train_file is not None and corpus is not None and train_file != corpus:
        raise opts.OptionError("give the corpus once: either corpus or train_file")
    corpus = corpus if corpus is not None else train_file
    if train_files is not None and corpus is not None:
        raise opts.OptionError("give the corpus once: either corpus (train_file) or train_files")
    if corpus is None and train_files is None and resume is None:
        raise TypeError("train() needs a corpus (or resume=)")
    world = None
    if launched() and trains != opts.TRAIN:
        raise opts.OptionError(f"{trains} does not run under mpiexec yet: run it in one process")
    if launched():
        cluster = Cluster()
        if cluster.rank != 0:
            debug, log_json, progress = 0, None, False
        if resume or checkpoint or init_model:
            raise opts.OptionError("resume, checkpoint and init_model are not supported under mpiexec; "
                                   "run them in one process")
        world = MpiWorld(cluster, train_files, sync_interval, sync_rows)
    elif train_files is not None:
        corpus = read_file_list(train_files)
    if debug is None:
        debug = opts.default("debug") if sys.stderr.isatty() else 0
    console = Console(0 if quiet else debug, progress)
    hooks = console.job_hooks(on_vocab)
    job = Job(corpus=corpus, options=options,
              outputs=Outputs.with_binary(binary, output=output, save_vocab=save_vocab,
                                          save_context=save_context, save_model=save_model,
                                          classes=classes, log_json=log_json, save_words=save_words),
              read_vocab=read_vocab, checkpoint=checkpoint, checkpoint_every=checkpoint_every,
              resume=resume, init_model=init_model, update_vocab=update_vocab, ids_memory=ids_memory,
              tmp_dir=tmp_dir, command=False, trains=trains, **hooks)
    try:
        model = run(job, world)
    finally:
        console.close()
    console.summary(model)
    return model
