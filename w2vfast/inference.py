"""Vectors for new documents from a trained paragraph-vector model (gensim's `infer_vector`,
for a whole file at once).

The new documents, one a line, are read with the model's vocabulary (its tokenizer and
-lowercase; words it does not know are skipped; with -tags first each line's first field is its
key, not a word) and trained as the model was, PV-DBOW or
PV-DM, with every word row and output row frozen: only the new documents' rows learn
(csrc/input.h, `learn`), so the documents do not disturb one another and a document's vector
depends only on its words, the model and the seed.  All documents go through the C loop
together, on every thread, for -iter epochs with the learning rate falling from -alpha as in
training (gensim's defaults: the model's epochs and starting rate).  A line with no word of the
vocabulary gets a zero row, so row i is always line i (with -tags first, a blank line has no
tag and no row).
"""
import os
import tempfile

import numpy as np

from . import _core, options as opts
from .documents import Documents
from .kinds import DOC_MATRIX, INPUT_MATRIX
from .vocab import build_vocabulary, reading


class InferenceError(Exception):
    """The model cannot infer (not a paragraph-vector model); the message says what to use."""


def check_model(model, where="the model"):
    """A paragraph-vector model, or InferenceError naming what `model` is instead."""
    if not getattr(model.kind.input, "documents", False):
        raise InferenceError(f"{where} holds word vectors (a `train` model): infer needs a model "
                             "saved by `w2vfast doc2vec --save-model DIR`")


def infer(model, corpus, iter=None, alpha=None, seed=None, threads=None, storage=None,
          tags=opts.default("tags")):
    """(keys, vectors, empty): a float32 row per document of `corpus` (a path or "-"), its key
    (bytes), and the lines (from 0) with no known word, whose rows are zero.  A document is a
    line keyed by its number (`tags` "line"), or with `tags` "first" by its first field, and a
    blank line is then no document and has no row.  `iter`, `alpha` and `threads` default to
    the model's, `seed` to the schema's."""
    check_model(model)
    opts.check("tags", tags)
    o = dict(model.options)
    o.update(iter=iter or o["iter"], alpha=alpha or o["alpha"], threads=threads or o["threads"],
             tags=tags)
    o["seed"] = opts.default("seed") if seed is None else seed
    o["dbow_words"] = 0  # no word windows: the words' rows stay as they are
    words = [w.encode("utf-8", "surrogateescape") for w in model.index_to_key]
    d = build_vocabulary(corpus, known=(words, model.counts), storage=storage, **reading(o))
    is_empty = _core.empty_lines(d)
    n = len(is_empty)
    V, D = len(words), model.vectors.shape[1]
    block = np.empty((V + n, D), dtype=np.float32)
    block[:V] = model.matrices[INPUT_MATRIX]
    _core.init_uniform(n, D, o["seed"], out=block[V:])
    matrices = {**model.matrices, INPUT_MATRIX: block[:V], DOC_MATRIX: block[V:]}
    if not is_empty.all():  # a word to train on: every line its own document
        trainer = model.kind.trainer(o, matrices, model.counts, corpus=d,
                                     documents=Documents([b""] * n, None, int(is_empty.sum())), frozen=True)
        trainer.run(threads=o["threads"])
    vectors = block[V:]
    vectors[is_empty] = 0.0
    if tags == "first":
        line_tags = d.line_tags()
        rows = np.array([i for i, t in enumerate(line_tags) if t], dtype=np.int64)
        blank = {i for i, t in enumerate(line_tags) if not t}
        return ([line_tags[i] for i in rows], vectors[rows],
                [i for i in np.flatnonzero(is_empty).tolist() if i not in blank])
    return [str(i).encode() for i in range(n)], vectors, np.flatnonzero(is_empty).tolist()


def infer_tokens(model, documents, **kw):
    """infer() for documents given as lists of words (str), through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="w2vfast-infer-") as tmp:
        path = os.path.join(tmp, "documents.txt")
        with open(path, "wb") as f:
            for doc in documents:
                f.write(" ".join(doc).encode("utf-8", "surrogateescape") + b"\n")
        _, vectors, empty = infer(model, path, **kw)
        return vectors, empty
