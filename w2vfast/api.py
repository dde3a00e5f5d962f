"""The Python API: `train` a model from a corpus, `load` vectors, `load_model` a saved model.

`train` runs the one training pipeline (pipeline.py) that the `train` command and the ranks of
a distributed run run too; the vectors classes live in vectors.py.
"""
from . import options as opts
from .errors import TrainingError
from .formats import read_vectors
from .outputs import Outputs
from .pipeline import Job, run
from .vectors import Model, Vectors

__all__ = ["train", "load", "load_model", "Vectors", "Model", "TrainingError"]


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
    return Model(saved["words"], saved["kind"].written_vectors(m, o), saved["counts"], m, saved["kind"], o,
                 saved["stats"])


def train(corpus=None, *, output=None, binary=opts.default("binary"), save_vocab=None, read_vocab=None,
          save_context=None, save_model=None, checkpoint=None, checkpoint_every=None,
          resume=None, init_model=None, update_vocab=opts.default("update_vocab"), progress=None, on_vocab=None,
          ids_memory=None, tmp_dir=None, **options):
    """Train word2vec on `corpus` (a path, or "-" for standard input) and return a Model.

    Options are word2vec's flags with underscores (options.SCHEMA has them all with their
    defaults and checks): size, window, sample, hs, negative, ns_exponent, threads, iter,
    min_count, max_vocab, alpha, cbow, cbow_mean, max_sentence_length, seed, batch, vectors
    ("in", "sum" or "concat"), min_alpha_ratio, tokenizer ("space" or "words"), lowercase.  `output` and `save_context` write vector files
    (atomically), `save_vocab` the counts, `save_model` a model directory (model_io).
    `checkpoint` (a directory) is written every `checkpoint_every` seconds (default 600) and on
    interruption; `resume` continues from one (its options and corpus; `corpus` is then not
    needed).  `init_model` continues training a saved model on `corpus`; with `update_vocab`
    new words reaching min_count get rows.  `progress(info)` is called a few times a second
    with a dict (words, total, alpha, loss, words_per_sec, per_thread, elapsed);
    `on_vocab(dictionary)` once the vocabulary is built.  The corpus, read once, is kept as word
    ids in an unlinked temporary file in `tmp_dir` (default $TMPDIR or /tmp) read through the
    page cache, or with `ids_memory` in memory up to that many bytes and the file beyond
    (memory.IdsStorage), so corpora larger than memory train too; nothing is left behind in
    `tmp_dir`, whatever way the run ends.
    """
    if corpus is None and resume is None:
        raise TypeError("train() needs a corpus (or resume=)")
    unknown = set(options) - set(opts.MODEL_OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    job = Job(corpus=corpus, options=options,
              outputs=Outputs.with_binary(binary, output=output, save_vocab=save_vocab,
                                          save_context=save_context, save_model=save_model),
              read_vocab=read_vocab, checkpoint=checkpoint,
              checkpoint_every=opts.default("checkpoint_every") if checkpoint_every is None else checkpoint_every,
              resume=resume, init_model=init_model, update_vocab=update_vocab, ids_memory=ids_memory,
              tmp_dir=tmp_dir, progress=progress, on_vocab=on_vocab, command=False)
    return run(job)
