"""The Python API: `train` a model from a corpus, `load` vectors, and the `Vectors` class."""
import os
import time

import numpy as np

from . import _core, options as opts
from .formats import read_vectors, write_vectors
from .vocab import build_vocabulary, save_vocab_file


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
        self.index_to_key = [_to_str(w) if isinstance(w, bytes) else w for w in words]
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.index_to_key):
            raise ValueError("vectors must be a 2-D array with one row per word")
        self.key_to_index = {}
        for i, w in enumerate(self.index_to_key):
            self.key_to_index.setdefault(w, i)  # a duplicate word resolves to its first row
        self.counts = counts
        self._unit = None

    def __len__(self):
        return len(self.index_to_key)

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
        write_vectors(path, [_to_bytes(w) for w in self.index_to_key], self.vectors, binary=binary)


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


def load(path, binary=None, limit=None):
    """Read a word2vec text or binary file (also gensim and fastText .vec variants)."""
    words, vectors = read_vectors(path, binary=binary, limit=limit)
    return Vectors(words, vectors)


def memory_needed(n_words, options):
    """Bytes of the parameter matrices of a run: syn0 plus one output matrix per loss."""
    n_matrices = 1 + (options["negative"] > 0) + (options["hs"] > 0)
    return n_words * options["size"] * 4 * n_matrices


def available_memory():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


class TrainingError(Exception):
    """Training could not run or finish; the message says why and what to try."""


def train(corpus, *, output=None, binary=False, save_vocab=None, read_vocab=None,
          save_context=None, progress=None, on_vocab=None, **options):
    """Train word2vec on `corpus` (a path, or "-" for standard input) and return a Model.

    Options are word2vec's flags with underscores: size, window, sample, hs, negative,
    ns_exponent, threads, iter, min_count, max_vocab, alpha, cbow, cbow_mean,
    max_sentence_length, seed, vectors ("in", "sum" or "concat").  `output` and `save_context`
    write vector files (atomically), `save_vocab` the counts.  `progress(info)` is called a few
    times a second with a dict (words, total, alpha, words_per_sec, per_thread, elapsed);
    `on_vocab(dictionary)` once the vocabulary is built.
    """
    o = opts.resolve(**options)
    start = time.perf_counter()
    d = build_vocabulary(corpus, min_count=o["min_count"], max_vocab=o["max_vocab"],
                         read_vocab=read_vocab)
    words, counts = d.words(), d.counts()
    vocab_seconds = time.perf_counter() - start
    if on_vocab is not None:
        on_vocab(d)

    need = memory_needed(len(words), o)
    avail = available_memory()
    if avail is not None and need > avail:
        raise TrainingError(
            f"the model needs {need / 2**30:.1f} GiB ({len(words)} words x {o['size']} dims x "
            f"{need // (len(words) * o['size'] * 4)} matrices) but only {avail / 2**30:.1f} GiB is "
            "available; use a smaller -size, a larger -min-count or -max-vocab")

    V, D = len(words), o["size"]
    syn0 = _core.init_uniform(V, D, o["seed"])
    syn1neg = np.zeros((V, D), dtype=np.float32) if o["negative"] else None
    syn1 = np.zeros((V, D), dtype=np.float32) if o["hs"] else None
    noise = None
    if o["negative"]:
        weights = counts.astype(np.float64) ** o["ns_exponent"]
        weights[0] = 0.0  # never draw the sentence end as a noise word
        if not np.any(weights > 0):
            raise TrainingError("negative sampling needs at least one word besides </s>")
        noise = _core.alias_table(weights)
    huffman = _core.huffman(counts) if o["hs"] else None
    keep = _core.keep_thresholds(counts, o["sample"]) if o["sample"] > 0 else None

    trainer = _core.Trainer(o, syn0, syn1, syn1neg, keep=keep, huffman=huffman, noise=noise, corpus=d)
    t0 = time.perf_counter()
    cpu0 = time.process_time()

    last = {"loss": 0.0, "examples": 0, "avg": float("nan")}

    def report(state):
        if progress is None:
            return
        elapsed = time.perf_counter() - t0
        # the loss since the previous report, per example: the running loss of the current model
        d_examples = state["examples"] - last["examples"]
        if d_examples > 0:
            last["avg"] = (state["loss"] - last["loss"]) / d_examples
            last["loss"], last["examples"] = state["loss"], state["examples"]
        progress({"words": state["words"], "total": state["total"], "alpha": state["alpha"],
                  "elapsed": elapsed, "loss": last["avg"],
                  "words_per_sec": state["words"] / elapsed if elapsed > 0 else 0.0,
                  "per_thread": [w / elapsed if elapsed > 0 else 0.0 for w in state["per_thread"]]})

    try:
        trainer.run(threads=o["threads"], progress=report, interval=0.25)
    except _core.TrainingDiverged:
        raise TrainingError(
            f"training diverged (NaN or infinity in the vectors) at -alpha {o['alpha']}; "
            "use a smaller -alpha") from None
    train_seconds = time.perf_counter() - t0
    if not np.isfinite(syn0).all():
        raise TrainingError(f"training diverged (NaN or infinity in the vectors) at -alpha "
                            f"{o['alpha']}; use a smaller -alpha")

    if o["vectors"] == "in":
        vectors = syn0
    else:
        out = syn1neg if syn1neg is not None else syn1
        vectors = syn0 + out if o["vectors"] == "sum" else np.hstack([syn0, out])
    stats = {"vocab_size": V, "corpus_tokens": d.n_tokens, "train_words": d.n_ids,
             "truncated_tokens": d.n_truncated, "vocab_seconds": vocab_seconds,
             "train_seconds": train_seconds, "cpu_seconds": time.process_time() - cpu0,
             "words_per_sec": trainer.total_words / train_seconds if train_seconds > 0 else 0.0}
    del trainer, d  # the corpus ids are no longer needed: free them before writing
    model = Model(words, vectors, counts, syn0, syn1neg, syn1, o, stats)
    # outputs only once training succeeded: an interrupted or failed run writes nothing
    if save_vocab is not None:
        save_vocab_file(save_vocab, words, counts)
    if output is not None:
        write_vectors(output, words, vectors, binary=binary)
    if save_context is not None:
        write_vectors(save_context, words, model.context_vectors(), binary=binary)
    return model
