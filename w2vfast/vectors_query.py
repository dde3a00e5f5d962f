"""gensim's KeyedVectors queries on word vectors (`KeyedQueries`, mixed into `Vectors`).

The methods keep gensim's names, arguments and meanings: `most_similar` with positive and
negative words, (word, weight) pairs and vectors, `most_similar_cosmul`, `similarity`,
`n_similarity`, `distance`, `distances`, `closer_than`, `rank`, `doesnt_match`, `get_vector`.
Their maths is vecmath's; this module turns gensim's arguments into rows and weights.  Where
they differ from gensim (README's Python API section lists it): a row index is not a key, a
zero vector has cosine 0 rather than NaN, and `most_similar_cosmul` honours `restrict_vocab`.
"""
import warnings
from numbers import Integral, Real

import numpy as np

from .vecmath import (GENSIM_MUL_EPSILON, best, cos_mul, cosines, mean_direction, nearest,
                      normalise_rows, pair_cosines, shifted_cosines)


def _as_list(items):
    # gensim's `_ensure_list`: one word or one vector stands for a list of it, a 2-D array for
    # its rows (a lone int too, which is then refused as a term with a hint)
    if items is None:
        return []
    if isinstance(items, (str, Integral)) or (isinstance(items, np.ndarray) and items.ndim == 1):
        return [items]
    return list(items)


def _check_topn(topn):
    if topn is not None and (isinstance(topn, bool) or not isinstance(topn, Integral)):
        raise TypeError(f"topn must be an int or None, not {type(topn).__name__}")


def _restrict(restrict_vocab, n_rows):
    """The number of rows searched: the first `restrict_vocab`, or all for None or 0."""
    if not restrict_vocab:
        return n_rows
    if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, Integral) \
            or restrict_vocab < 0:
        raise ValueError(f"restrict_vocab must be a positive int or None, not {restrict_vocab!r}")
    return min(int(restrict_vocab), n_rows)


class KeyedQueries:
    """gensim's queries, for a class with `vectors` (V x D float32), `index_to_key`,
    `key_to_index` and `unit_vectors()` (the rows scaled to unit length)."""

    def get_index(self, word, default=None):
        """The row of `word`; `default` if it is not in the vocabulary and `default` is not None,
        else KeyError."""
        index = self.key_to_index.get(word) if isinstance(word, str) else None
        if index is not None:
            return index
        if default is not None:
            return default
        raise KeyError(f"word {word!r} is not in the vocabulary")

    def get_vector(self, word, norm=False):
        """The vector of `word` (scaled to unit length with `norm`), a read-only view."""
        matrix = self.unit_vectors() if norm else self.vectors
        row = matrix[self.get_index(word)]
        row.flags.writeable = False  # a view of the matrix: writes would go to every query
        return row

    def _term(self, item):
        """(row or None, vector) of one query term: a word's row and unit vector, or a given
        vector as it is."""
        if isinstance(item, str):
            row = self.get_index(item)
            return row, self.unit_vectors()[row]
        if isinstance(item, np.ndarray):
            if item.shape != (self.vector_size,):
                raise ValueError(f"a query vector has {self.vector_size} numbers, not shape "
                                 f"{item.shape}")
            return None, item
        raise TypeError(f"a query term is a word (str), a vector (a NumPy array) or, for "
                        f"most_similar, a (word or vector, weight) pair, not {item!r}"
                        + ("; topn is the third argument: most_similar(word, topn=10)"
                           if isinstance(item, Integral) else ""))

    def _terms(self, positive, negative, weighted=True):
        """gensim's query terms: (words' rows, the terms' vectors, their weights, whether each
        is positive).  Weights are +1 (positive) or -1 (negative) unless a (word, weight) pair
        gives one, taken as it is."""
        rows, vectors, weights, signs = [], [], [], []
        for items, sign in ((_as_list(positive), 1.0), (_as_list(negative), -1.0)):
            for item in items:
                weight = sign
                if weighted and isinstance(item, (tuple, list)) and len(item) == 2 \
                        and isinstance(item[1], Real) and not isinstance(item[1], bool):
                    item, weight = item[0], float(item[1])
                row, vector = self._term(item)
                if row is not None:
                    rows.append(row)
                vectors.append(vector)
                weights.append(weight)
                signs.append(sign > 0)
        if not vectors:
            raise ValueError("cannot compute similarity with no input: give positive or negative")
        return rows, vectors, weights, signs

    def _ranked(self, scores, topn, rows):
        """gensim's answer from the searched rows' scores: the array itself for topn None, else
        the best `topn` (word, score) pairs, the query's words excluded."""
        if topn is None:
            return scores
        # the scores are this query's own, so `best` may set the query's words to -inf in place
        [found] = best(scores[None], topn, [[r for r in rows if r < len(scores)]])
        return self._words_and_scores(found)

    def most_similar(self, positive=None, negative=None, topn=10, *, restrict_vocab=None):
        """The `topn` words nearest by cosine to the mean of `positive` and `negative`, best
        first, as gensim's `KeyedVectors.most_similar`.

        `positive` and `negative` hold words, vectors (NumPy arrays) or (word or vector, weight)
        pairs; one word or one vector may be given alone, so ``most_similar("king")`` is the
        nearest words of one word.  The query is ``sum(w * v)`` scaled to unit length, where v is
        a word's unit vector or a given vector as it is and w its weight: +1 for positive, -1
        for negative, or the pair's weight as given.  The words given are never answers.  Only
        the first `restrict_vocab` rows are searched (all for None).  `topn=None` returns the
        cosines of all searched rows, in vocabulary order, as a float32 array (the query's words
        included).  An unknown word raises KeyError.
        """
        if isinstance(negative, (int, np.integer)) and not isinstance(negative, bool) and topn == 10:
            # most_similar(word, 5), this class's call before gensim's signature: a number is
            # no query term, so a second argument that is one is the topn
            negative, topn = None, int(negative)
        _check_topn(topn)
        if topn is not None and topn < 1:
            return []
        rows, vectors, weights, _ = self._terms(positive, negative)
        unit = self.unit_vectors()[:_restrict(restrict_vocab, len(self))]
        return self._ranked(cosines(unit, mean_direction(vectors, weights)), topn, rows)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """gensim's alias: `most_similar` of one word."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """gensim's alias: `most_similar` of one vector (compare `most_similar_by_vector`)."""
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """The `topn` words by gensim's multiplicative objective (3CosMul, Levy & Goldberg 2014,
        with any number of terms): ``prod(cos'(d, p)) / (prod(cos'(d, n)) + 1e-6)`` over the
        positive terms p and negative terms n, ``cos' = (cos + 1) / 2``; a word is its unit
        vector, a vector is used as given; no weights.  Otherwise as `most_similar` (also
        `restrict_vocab`, which gensim accepts and does not apply).
        """
        _check_topn(topn)
        if topn is not None and topn < 1:
            return []
        rows, vectors, _, signs = self._terms(positive, negative, weighted=False)
        if not any(signs):
            raise ValueError("cannot compute similarity with no positive input")
        unit = self.unit_vectors()[:_restrict(restrict_vocab, len(self))]
        shifted = shifted_cosines(unit, np.stack(vectors))
        scores = cos_mul([s for s, p in zip(shifted, signs) if p],
                         [s for s, p in zip(shifted, signs) if not p], GENSIM_MUL_EPSILON)
        return self._ranked(scores, topn, rows)

    def most_similar_by_vector(self, vector, topn=1, exclude=()):
        """The word (topn=1) or (word, cosine) list closest to `vector`, skipping `exclude`."""
        query = normalise_rows(np.asarray(vector, dtype=np.float32)[None])
        skip = [self.key_to_index[w] for w in exclude if w in self.key_to_index]
        [found] = nearest(self.unit_vectors(), query, len(self) if topn is None else topn,
                          exclude=[skip])
        found = self._words_and_scores(found)
        return found[0][0] if topn == 1 else found

    def _words_and_scores(self, found):
        idx, scores = found
        return [(self.index_to_key[i], float(s)) for i, s in zip(idx.tolist(), scores.tolist())]

    def similarity(self, w1, w2):
        """The cosine of two words' vectors (0 for a zero vector)."""
        return float(pair_cosines(self.vectors[[self.get_index(w1)]],
                                  self.vectors[[self.get_index(w2)]])[0])

    def distance(self, w1, w2):
        """1 - `similarity(w1, w2)`."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1, ws2):
        """The cosine of the means of two lists of words' vectors (unknown words raise KeyError;
        gensim skips them)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        means = [self.vectors[[self.get_index(w) for w in ws]].mean(axis=0, dtype=np.float64)
                 for ws in (ws1, ws2)]
        return float(pair_cosines(means[0][None], means[1][None])[0])

    def distances(self, word_or_vector, other_words=()):
        """1 - cosine of a word's vector (or a vector) with each of `other_words`, or with every
        word's when `other_words` is empty, in vocabulary order: a float32 array."""
        vector = self.vectors[self.get_index(word_or_vector)] if isinstance(word_or_vector, str) \
            else np.asarray(word_or_vector, dtype=np.float32)
        unit = self.unit_vectors()
        if len(other_words):
            unit = unit[[self.get_index(w) for w in other_words]]
        return 1 - cosines(unit, normalise_rows(vector[None])[0])

    def closer_than(self, w1, w2):
        """The words whose cosine distance to `w1` is less than that of `w2`, in vocabulary
        order, `w1` itself left out."""
        first = self.get_index(w1)
        away = self.distances(w1)
        closer = np.flatnonzero(away < away[self.get_index(w2)])
        return [self.index_to_key[i] for i in closer.tolist() if i != first]

    def rank(self, w1, w2):
        """1 + the number of words closer to `w1` than `w2` is (`closer_than`)."""
        return len(self.closer_than(w1, w2)) + 1

    def doesnt_match(self, words):
        """The word of `words` furthest (by cosine) from the mean of their unit vectors; ties go
        to the alphabetically first word.  As gensim, words not in the vocabulary are left out
        with a warning; ValueError when none is left."""
        known = [w for w in words if w in self.key_to_index]
        if len(known) != len(words):
            missing = sorted({w for w in words if w not in self.key_to_index}, key=str)
            warnings.warn(f"doesnt_match leaves out words not in the vocabulary: {missing}",
                          stacklevel=2)
        if not known:
            raise ValueError("cannot select a word from an empty list")
        unit = self.unit_vectors()[[self.key_to_index[w] for w in known]]
        scores = cosines(unit, mean_direction(unit))
        return min(zip(scores.tolist(), known))[1]
