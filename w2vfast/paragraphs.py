"""A trained paragraph-vector model: the word vectors, the documents' vectors, and inference
of vectors for new documents (inference.py)."""
from .inference import infer_tokens
from .kinds import DOC_MATRIX, INPUT_MATRIX
from .vectors import Model, Vectors


class ParagraphModel(Model):
    """The word vectors (as a Model's; PV-DBOW without -dbow-words 1 leaves them as initialised)
    and `docvecs`, the documents' vectors keyed by tag (gensim's `dv`)."""

    def __init__(self, words, counts, matrices, kind, options, stats, tags):
        super().__init__(words, matrices[INPUT_MATRIX], counts, matrices, kind, options, stats)
        self.docvecs = Vectors(tags, matrices[DOC_MATRIX])

    def infer(self, documents, iter=None, alpha=None, seed=None, threads=None):
        """Vectors for new documents (lists of words), a float32 row each, with the model's words
        and output rows frozen (gensim's `infer_vector`; `iter` and `alpha` default to the
        model's epochs and starting rate).  A document with no known word gets a zero row."""
        vectors, _ = infer_tokens(self, documents, iter=iter, alpha=alpha, seed=seed, threads=threads)
        return vectors
