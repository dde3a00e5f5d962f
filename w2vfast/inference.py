"""Vectors for new documents from a trained paragraph-vector model (gensim's `infer_vector`,
for a whole file at once).

The new documents, one a line, are read with the model's vocabulary (its tokenizer and
-lowercase; words it does not know are skipped) and trained as the model was, PV-DBOW or
PV-DM, with every word row and output row frozen: only the new documents' rows learn
(csrc/input.h, `learn`), so the documents do not disturb one another and a document's vector
depends only on its words, the model and the seed.  All documents go through the C loop
together, on every thread, for -iter epochs with the learning rate falling from -alpha as in
training (gensim's defaults: the model's epochs and starting rate).  A line with no word of the
vocabulary gets a zero row, so row i is always line i.
"""
import os
import tempfile

import numpy as np

from . import _core, options as opts
from .documents import Documents
from .kinds import DOC_MATRIX, INPUT_MATRIX
from .vocab import build_vocabulary


class InferenceError(Exception):
    """The model cannot infer (not a paragraph-vector model); the message says what to use."""


def check_model(model, where="the model"):
    """A paragraph-vector model, or InferenceError naming what `model` is instead."""
    if not getattr(model.kind.input, "documents", False):
        raise InferenceError(f"{where} holds word vectors (a `train` model): infer needs a model "
                             "saved by `w2vfast doc2vec --save-model DIR`")


def empty_lines(dictionary):
    """The lines (from 0) of a corpus read as ids that hold no word of the vocabulary."""
    ids = dictionary.ids()
    ends = np.flatnonzero(ids == 0)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(ids)]))
    n, _ = _core.count_lines(dictionary)
    return np.flatnonzero(stops[:n] == starts[:n]).tolist()


def infer(model, corpus, iter=None, alpha=None, seed=None, threads=None, storage=None):
    """(vectors, empty): a float32 row per line of `corpus` (a path or "-"), and the lines with
    no known word (zero rows).  `iter`, `alpha` and `threads` default to the model's, `seed` to
    the schema's."""
    check_model(model)
    o = dict(model.options)
    o.update(iter=iter or o["iter"], alpha=alpha or o["alpha"], threads=threads or o["threads"])
    o["seed"] = opts.default("seed") if seed is None else seed
    o["dbow_words"] = 0  # no word windows: the words' rows stay as they are
    words = [w.encode("utf-8", "surrogateescape") for w in model.index_to_key]
    d = build_vocabulary(corpus, known=(words, model.counts), storage=storage,
                         tokenizer=o["tokenizer"], lowercase=o["lowercase"])
    n, _ = _core.count_lines(d)
    V, D = len(words), model.vectors.shape[1]
    block = np.empty((V + n, D), dtype=np.float32)
    block[:V] = model.matrices[INPUT_MATRIX]
    _core.init_uniform(n, D, o["seed"], out=block[V:])
    matrices = {**model.matrices, INPUT_MATRIX: block[:V], DOC_MATRIX: block[V:]}
    empty = empty_lines(d)
    if len(empty) < n:  # a word to train on
        trainer = model.kind.trainer(o, matrices, model.counts, corpus=d,
                                     documents=Documents([b""] * n, None, len(empty)), frozen=True)
        trainer.run(threads=o["threads"])
    vectors = block[V:]
    vectors[empty] = 0.0
    return vectors, empty


def infer_tokens(model, documents, **kw):
    """infer() for documents given as lists of words (str), through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="w2vfast-infer-") as tmp:
        path = os.path.join(tmp, "documents.txt")
        with open(path, "wb") as f:
            for doc in documents:
                f.write(" ".join(doc).encode("utf-8", "surrogateescape") + b"\n")
        return infer(model, path, **kw)
