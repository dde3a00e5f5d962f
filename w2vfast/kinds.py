"""Model kinds: what forms the input vector, and which objectives train on it.

A model kind is an input (skip-gram: one context word's row; CBOW: the mean or sum of the
context rows) and one or more objectives (hierarchical softmax, negative sampling), each with
output rows of its own.  This registry is the one place that knows, per kind, its matrices,
their memory, the tables its C kernels read (csrc/loss_*.h), the checks of its options, what a
model directory stores and which rows a distributed run exchanges most often; the pipeline,
the trainer, the model files and the MPI exchange ask it and never test a mode themselves.
ARCHITECTURE.md lists the steps to add a kind.
"""
from dataclasses import dataclass
from typing import Callable, Tuple

import numpy as np

from . import _core, tables
from .memory import parameter_matrix
from .options import OptionError

INPUT_MATRIX = "syn0"
DOC_MATRIX = "docvecs"  # paragraph vectors: the documents' input rows, after the words'


@dataclass(frozen=True)
class Objective:
    """One objective: `name` is its C kind (csrc/loss.h) and its name in model.json; `matrix`
    the file name of its output rows; `enabled(options)` and `param(options)` (the C kind's
    whole-number option) come from the run's options; `tables(counts, options)` gives its
    tables in the order its loss_*.h takes them, with their dtypes.  `rows_are_words`: its
    output rows are one per word (so they are context vectors); `keeps_rows_on_new_words`:
    its trained rows stay valid when --update-vocab adds words (HS rows are the inner nodes of
    a tree that then changes).  `hot_rows(V, n)`: the [lo, hi) of its n most updated rows."""
    name: str
    matrix: str
    enabled: Callable[[dict], bool]
    param: Callable[[dict], int]
    tables: Callable[[np.ndarray, dict], Tuple[np.ndarray, ...]]
    rows_are_words: bool
    keeps_rows_on_new_words: bool
    hot_rows: Callable[[int, int], Tuple[int, int]]


def _huffman_tables(counts, options):
    offset, codes, points = tables.huffman_codes(counts)
    return (offset.astype(np.uint32, copy=False), codes.astype(np.uint8, copy=False),
            points.astype(np.uint32, copy=False))


def _noise_tables(counts, options):
    threshold, alias = tables.noise_table(counts, options["ns_exponent"])
    return threshold.astype(np.uint32, copy=False), alias.astype(np.uint32, copy=False)


HIERARCHICAL_SOFTMAX = Objective(
    name="hs", matrix="syn1", enabled=lambda o: bool(o["hs"]), param=lambda o: 0,
    tables=_huffman_tables, rows_are_words=False, keeps_rows_on_new_words=False,
    # the root is row V - 2, its children just below: every path starts there
    hot_rows=lambda V, n: (max(V - 1 - n, 0), max(V - 1, 0)))

NEGATIVE_SAMPLING = Objective(
    name="ns", matrix="syn1neg", enabled=lambda o: o["negative"] > 0, param=lambda o: o["negative"],
    tables=_noise_tables, rows_are_words=True, keeps_rows_on_new_words=True,
    # rows are in frequency order: the first n are the most frequent words
    hot_rows=lambda V, n: (0, min(n, V)))

# in the order they train on each example (word2vec.c's: HS first)
OBJECTIVES = (HIERARCHICAL_SOFTMAX, NEGATIVE_SAMPLING)


@dataclass(frozen=True)
class Input:
    """What forms the input vector: `name` as model.json records it and as the C core knows it
    (_core.INPUT_KINDS); `enabled(options)`; `documents`: a paragraph-vector input, whose
    input rows are the words' and then the documents' (DOC_MATRIX), one block of memory;
    `init_scale`: the fresh input rows are uniform in [-init_scale / D, init_scale / D)."""
    name: str
    enabled: Callable[[dict], bool]
    documents: bool = False
    init_scale: float = 0.5


# word2vec's input rows start as word2vec.c's, paragraph vectors' as gensim 4's Doc2Vec's (twice
# the range: measured, BENCHMARKS.md, +0.01-0.02 in recall@10 and MRR on the Wikipedia task)
SKIPGRAM = Input("skipgram", lambda o: "dm" not in o and not o["cbow"])
CBOW = Input("cbow", lambda o: "dm" not in o and bool(o["cbow"]))
PV_DBOW = Input("pv-dbow", lambda o: o.get("dm") == 0, documents=True, init_scale=1.0)
PV_DM = Input("pv-dm", lambda o: o.get("dm") == 1, documents=True, init_scale=1.0)


INPUTS = (SKIPGRAM, CBOW, PV_DBOW, PV_DM)

# every matrix a model directory may hold, in the order it lists them
MATRICES = (INPUT_MATRIX, DOC_MATRIX) + tuple(o.matrix for o in (NEGATIVE_SAMPLING, HIERARCHICAL_SOFTMAX))

# the extra copies of the input rows that -vectors writes (model.json's option "vectors")
_WRITTEN_COPIES = {"in": 0, "sum": 1, "concat": 2}


@dataclass(frozen=True)
class ModelKind:
    """The kind of one run: its input and its objectives (in training order)."""
    input: Input
    objectives: Tuple[Objective, ...]

    @classmethod
    def of(cls, options):
        """The kind the options ask for; an OptionError when they ask for none."""
        objectives = tuple(o for o in OBJECTIVES if o.enabled(options))
        if not objectives:
            raise OptionError("nothing to train: both -hs 0 and -negative 0; use -negative 5 or -hs 1")
        return cls(next(i for i in INPUTS if i.enabled(options)), objectives)

    def describe(self):
        """As model.json records it."""
        return {"input": self.input.name, "objectives": [o.name for o in self.objectives]}

    @property
    def matrices(self):
        """The names of its matrices: the input rows (words', then documents'), then each
        objective's output rows."""
        docs = (DOC_MATRIX,) if self.input.documents else ()
        return (INPUT_MATRIX,) + docs + tuple(o.matrix for o in self.objectives)

    def memory(self, n_words, options, n_docs=0):
        """Bytes of its parameter matrices for n_words (and n_docs documents), plus the copy
        `-vectors sum` or `concat` writes."""
        copies = _WRITTEN_COPIES[options["vectors"]] if "vectors" in options else 0  # train's alone
        n = len(self.objectives) + 1 + copies
        return (n_words * n + n_docs) * options["size"] * 4

    def new_matrices(self, n_words, options, n_docs=0):
        """Fresh matrices: the input rows (with documents, the words' and the documents' in one
        block: input_rows) uniform as the input says, the output rows zero."""
        D, rows = options["size"], n_words + (n_docs if self.input.documents else 0)
        block = _core.init_uniform(rows, D, options["seed"], out=parameter_matrix(rows, D))
        if self.input.init_scale != 0.5:  # init_uniform's is word2vec.c's, [-0.5 / D, 0.5 / D)
            block *= np.float32(self.input.init_scale / 0.5)
        m = {INPUT_MATRIX: block} if not self.input.documents else \
            {INPUT_MATRIX: block[:n_words], DOC_MATRIX: block[n_words:]}
        for o in self.objectives:
            m[o.matrix] = parameter_matrix(n_words, D)
        return m

    def input_rows(self, matrices):
        """The one block of input rows the C core trains: syn0, or with documents the words'
        and documents' rows, which new_matrices makes adjacent (matrices read from a model
        directory are joined into one block, and syn0 and docvecs become views of it)."""
        words = matrices[INPUT_MATRIX]
        if not self.input.documents:
            return words
        docs = matrices[DOC_MATRIX]
        base = words.base if words.base is not None else words
        if (docs.base is base and words.flags.c_contiguous and docs.flags.c_contiguous
                and words.__array_interface__["data"][0] + words.nbytes
                == docs.__array_interface__["data"][0]):
            # one view over both (the base may be 1-D: a matrix on huge pages is a reshaped buffer)
            return np.lib.stride_tricks.as_strided(words, shape=(len(words) + len(docs), words.shape[1]),
                                                   strides=words.strides, writeable=True)
        block = np.concatenate([words, docs])
        matrices[INPUT_MATRIX], matrices[DOC_MATRIX] = block[:len(words)], block[len(words):]
        return block

    def continued_matrices(self, saved, n_words, options, new_words):
        """A saved model's matrices grown to n_words rows (new words initialised as a new
        model's) for continued training; an output matrix the model lacks starts at zero, and
        so does one whose rows do not survive `new_words`."""
        fresh = self.new_matrices(n_words, options)
        for name, matrix in fresh.items():
            old = saved.get(name)
            objective = next((o for o in self.objectives if o.matrix == name), None)
            if objective is not None and new_words and not objective.keeps_rows_on_new_words:
                old = None
            if old is not None:
                matrix[:len(old)] = old
        return fresh

    def trainer(self, options, matrices, counts, corpus=None, seed=None, documents=None, **kw):
        """A _core.Trainer of this kind over `matrices`, with the tables made from `counts` (a
        tables.TableError when the vocabulary cannot have them); `seed` replaces the options'
        (a distributed run's rank), `documents` (documents.Documents) are a paragraph-vector
        kind's, `kw` go to the Trainer (corpus blocks, hot rows, the build)."""
        losses = [(o.name, o.param(options), matrices[o.matrix], o.tables(counts, options))
                  for o in self.objectives]
        keep = tables.keep_thresholds(counts, options["sample"])
        config = {**options, "seed": options["seed"] if seed is None else seed}
        if self.input.documents:
            # PV-DM's input is CBOW's with the document among the contexts
            config["cbow"], config["cbow_mean"] = 0, options["dm_mean"]
            kw["documents"] = (len(counts), documents.rows_of_lines(), options["dbow_words"])
        return _core.Trainer(config, self.input_rows(matrices), losses, keep=keep, corpus=corpus,
                             input=self.input.name, **kw)

    def context_matrix(self, matrices):
        """The output rows that are context vectors: the first objective's whose rows are words,
        else the first objective's."""
        chosen = next((o for o in self.objectives if o.rows_are_words), self.objectives[0])
        return matrices[chosen.matrix]

    def written_vectors(self, matrices, options):
        """The vectors -output gets: the documents' (paragraph vectors), or the word vectors
        -vectors asks for: the input rows, their sum with the context rows, or both side by
        side."""
        if self.input.documents:
            return matrices[DOC_MATRIX]
        how = options["vectors"]
        if how == "in":
            return matrices[INPUT_MATRIX]
        out = self.context_matrix(matrices)
        return matrices[INPUT_MATRIX] + out if how == "sum" else np.hstack([matrices[INPUT_MATRIX], out])

    def hot_rows(self, name, n_words, n):
        """The [lo, hi) of matrix `name`'s n most updated rows."""
        objective = next((o for o in self.objectives if o.matrix == name), None)
        return (0, min(n, n_words)) if objective is None else objective.hot_rows(n_words, n)


def saved_kind(meta_kind, options):
    """The kind of a saved model: as its model.json records it, or, for directories written
    before model.json recorded kinds, from its options."""
    if meta_kind is None:
        return ModelKind.of(options)
    inputs = {i.name: i for i in INPUTS}
    try:
        named = list(meta_kind["objectives"])
        if meta_kind["input"] not in inputs or not named or set(named) - {o.name for o in OBJECTIVES}:
            raise KeyError
    except (KeyError, TypeError):
        raise ValueError(f"unknown model kind {meta_kind!r}") from None
    return ModelKind(inputs[meta_kind["input"]], tuple(o for o in OBJECTIVES if o.name in named))
