"""The documents of a paragraph-vector run: which line of the corpus is which document, and
their tags.

The corpus is one document a line, as gensim's TaggedLineDocument and Mikolov's
`word2vec -sentence-vectors 1` read it.  A document's tag is its line number, from 0, as
TaggedLineDocument's; every line is a document, an empty one too (its vector stays as
initialised, and the run says how many there are).  A document is
trained whole however long it is: the C loop (csrc/documents.h) finds each line's document
from where the lines start, so -max-sentence-length cuts the word windows, never the tag.
"""
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from . import _core


@dataclass
class Documents:
    """`tags`: the documents' tags (bytes), in the order of their rows; `line_doc`: each
    line's document (uint32), or None when line i is document i; `empty`: how many lines have
    no word of the vocabulary (their documents are not trained)."""
    tags: List[bytes]
    line_doc: Optional[np.ndarray] = None
    empty: int = 0

    def __len__(self):
        return len(self.tags)

    def summary(self):
        """What a run says about them."""
        text = f"Documents: {len(self):,}"
        if self.empty:
            text += (f" ({self.empty:,} with no word of the vocabulary: their vectors stay as "
                     "initialised)")
        return text

    @classmethod
    def by_line(cls, dictionary):
        """One document a line of the corpus `dictionary` holds as ids, tagged by line number."""
        n, empty = _core.count_lines(dictionary)
        return cls([str(i).encode() for i in range(n)], None, int(empty))

    @classmethod
    def of_run(cls, dictionary, options):
        """The documents of a run with these resolved options."""
        return cls.by_line(dictionary)

