"""Word vectors in memory: `Vectors` (gensim-like lookups and queries, vectors_query.py) and
`Model` (a trained model)."""
import functools

import numpy as np

from .formats import write_vectors
from .vecmath import normalise_rows
from .vectors_query import KeyedQueries


def _to_str(word):
    # surrogateescape keeps undecodable bytes, so str -> bytes gives back the corpus's bytes
    return word.decode("utf-8", "surrogateescape")


def _to_bytes(word):
    return word.encode("utf-8", "surrogateescape")


class Vectors(KeyedQueries):
    """Word vectors in vocabulary order, with gensim's lookups and queries (`most_similar`,
    `similarity`, `doesnt_match`, `get_vector`, ...: vectors_query.py).

    `vectors` is a float32 V x D array; `index_to_key[i]` is the word of row i (str; bytes that
    are not UTF-8 are kept as surrogate escapes and written back unchanged); `key_to_index` maps
    back.  `counts` holds corpus counts when known.
    """

    def __init__(self, words, vectors, counts=None):
        self._words = words
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(words):
            raise ValueError("vectors must be a 2-D array with one row per word")
        self.counts = counts
        self._unit = None

    # the word list and index are built on first use: a training run that only writes its
    # vectors (the CLI) never needs them (~0.07 s for 68k words)
    @functools.cached_property
    def index_to_key(self):
        return [_to_str(w) if isinstance(w, bytes) else w for w in self._words]

    @functools.cached_property
    def key_to_index(self):
        index = {}
        for i, w in enumerate(self.index_to_key):
            index.setdefault(w, i)  # a duplicate word resolves to its first row
        return index

    def __len__(self):
        return len(self._words)

    def __contains__(self, word):
        return word in self.key_to_index

    def __getitem__(self, word):
        return self.vectors[self.get_index(word)]

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    def unit_vectors(self):
        """Rows scaled to unit length (computed once; zero rows stay zero)."""
        if self._unit is None:
            self._unit = normalise_rows(self.vectors)
        return self._unit

    def save(self, path, binary=False):
        """Write word2vec text or binary format (atomically when `path` is a file)."""
        words = self._words if all(isinstance(w, bytes) for w in self._words) else \
            [_to_bytes(w) for w in self.index_to_key]
        write_vectors(path, words, self.vectors, fmt="binary" if binary else "text")


class Model(Vectors):
    """A trained model: the word vectors plus what training produced: every matrix by name
    (`matrices`: syn0, the input rows, and each objective's output rows, kinds.py), the
    model's kind, its options and the run's stats."""

    def __init__(self, words, vectors, counts, matrices, kind, options, stats):
        super().__init__(words, vectors, counts)
        self.matrices = matrices
        self.kind = kind
        self.options = options
        self.stats = stats

    @property
    def syn0(self):
        return self.matrices["syn0"]

    @property
    def syn1neg(self):
        """Negative sampling's output rows, or None."""
        return self.matrices.get("syn1neg")

    @property
    def syn1(self):
        """Hierarchical softmax's inner-node rows, or None."""
        return self.matrices.get("syn1")

    def context_vectors(self):
        """The output-side vectors: those of an objective with one row per word (syn1neg for
        negative sampling), else syn1."""
        return self.kind.context_matrix(self.matrices)
