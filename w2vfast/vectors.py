"""Word vectors in memory: `Vectors` (gensim-like lookups) and `Model` (a trained model)."""
import functools

import numpy as np

from .formats import write_vectors


def _to_str(word):
    # surrogateescape keeps undecodable bytes, so str -> bytes gives back the corpus's bytes
    return word.decode("utf-8", "surrogateescape")


def _to_bytes(word):
    return word.encode("utf-8", "surrogateescape")


class Vectors:
    """Word vectors in vocabulary order, with gensim-like lookups.

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
        return self.vectors[self._index(word)]

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    def _index(self, word):
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} is not in the vocabulary") from None

    def unit_vectors(self):
        """Rows scaled to unit length (computed once; zero rows stay zero)."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.where(norms > 0, norms, 1)
        return self._unit

    def most_similar(self, word, topn=10):
        """The `topn` words closest to `word` (or a list of words, summed) by cosine."""
        words = [word] if isinstance(word, str) else list(word)
        unit = self.unit_vectors()
        idx = [self._index(w) for w in words]
        query = unit[idx].sum(axis=0)
        norm = np.linalg.norm(query)
        scores = unit @ (query / norm if norm > 0 else query)
        scores[idx] = -np.inf
        n = min(topn, len(scores) - len(idx))
        if n <= 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def most_similar_by_vector(self, vector, topn=1, exclude=()):
        """The word (topn=1) or (word, cosine) list closest to `vector`, skipping `exclude`."""
        unit = self.unit_vectors()
        v = np.asarray(vector, dtype=np.float32)
        norm = np.linalg.norm(v)
        scores = unit @ (v / norm if norm > 0 else v)
        for w in exclude:
            if w in self.key_to_index:
                scores[self.key_to_index[w]] = -np.inf
        order = np.argsort(-scores, kind="stable")[:topn]
        found = [(self.index_to_key[i], float(scores[i])) for i in order]
        return found[0][0] if topn == 1 else found

    def save(self, path, binary=False):
        """Write word2vec text or binary format (atomically when `path` is a file)."""
        words = self._words if all(isinstance(w, bytes) for w in self._words) else \
            [_to_bytes(w) for w in self.index_to_key]
        write_vectors(path, words, self.vectors, fmt="binary" if binary else "text")


class Model(Vectors):
    """A trained model: the word vectors plus what training produced (`syn1neg`, `syn1`, stats)."""

    def __init__(self, words, vectors, counts, syn0, syn1neg, syn1, options, stats):
        super().__init__(words, vectors, counts)
        self.syn0 = syn0
        self.syn1neg = syn1neg
        self.syn1 = syn1
        self.options = options
        self.stats = stats

    def context_vectors(self):
        """The output-side vectors (syn1neg for negative sampling, else syn1)."""
        return self.syn1neg if self.syn1neg is not None else self.syn1
