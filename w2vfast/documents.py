"""The documents of a paragraph-vector run: which line of the corpus is which document, and
their tags.

The corpus is one document a line, as gensim's TaggedLineDocument and Mikolov's
`word2vec -sentence-vectors 1` read it.  With `-tags line` (the default) a document's tag is its
line number, from 0, as TaggedLineDocument's, and every line is a document, an empty one too
(its vector stays as initialised, and the run says how many there are).  With `-tags first`
the line's first field is its tag (`_*123 text`, the C tool's form; csrc/tags.c), lines with
the same tag are one document with one vector (as gensim's repeated tags), in the order tags
first appear, and a blank line, having no tag, is no document.  A document is trained whole
however long it is: the C loop (csrc/documents.h) finds each line's document from where the
lines start, so -max-sentence-length cuts the word windows, never the tag.
"""
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from . import _core


@dataclass
class Documents:
    """`tags`: the documents' tags (bytes), in the order of their rows; `line_doc`: each
    line's document (uint32; NO_DOCUMENT for a blank line of a -tags first corpus), or None
    when line i is document i; `empty`: how many documents have no word of the vocabulary
    (they are not trained); `blank`: how many blank lines are no document."""
    tags: List[bytes]
    line_doc: Optional[np.ndarray] = None
    empty: int = 0
    blank: int = 0

    NO_DOCUMENT = np.uint32(0xFFFFFFFF)

    def __len__(self):
        return len(self.tags)

    def summary(self):
        """What a run says about them."""
        text = f"Documents: {len(self):,}"
        if self.empty:
            text += (f" ({self.empty:,} with no word of the vocabulary: their vectors stay as "
                     "initialised)")
        if self.blank:
            text += f"; {self.blank:,} blank lines have no tag and are no document"
        return text

    def rows_of_lines(self):
        """line_doc as the C loop takes it: a blank line's words (it has none) would go to row 0."""
        if self.line_doc is None:
            return None
        return np.where(self.line_doc == self.NO_DOCUMENT, 0, self.line_doc).astype(np.uint32)

    @classmethod
    def by_line(cls, dictionary):
        """One document a line of the corpus `dictionary` holds as ids, tagged by line number."""
        n, empty = _core.count_lines(dictionary)
        return cls([str(i).encode() for i in range(n)], None, int(empty))

    @classmethod
    def tagged(cls, dictionary):
        """The documents of a corpus read with tags_first (Dictionary.line_tags)."""
        return cls.of_lines(dictionary.line_tags(), _core.empty_lines(dictionary))

    @classmethod
    def of_lines(cls, line_tags, empty_lines):
        """The documents of lines whose tags are `line_tags` (b"" for a blank line) and whose
        `empty_lines` (bools) hold no word of the vocabulary."""
        if len(line_tags) != len(empty_lines):
            raise RuntimeError(f"{len(line_tags)} tags for {len(empty_lines)} lines")
        rows, line_doc = {}, np.empty(len(line_tags), dtype=np.uint32)
        for i, tag in enumerate(line_tags):
            line_doc[i] = rows.setdefault(tag, len(rows)) if tag else cls.NO_DOCUMENT
        return cls.of_line_docs(list(rows), line_doc, empty_lines)

    @classmethod
    def of_line_docs(cls, tags, line_doc, empty_lines):
        """The documents `tags` whose lines' documents are `line_doc`, counting those none of
        whose lines holds a word (`empty_lines`) and the blank lines."""
        blank = line_doc == cls.NO_DOCUMENT
        trained = np.unique(line_doc[~blank & ~np.asarray(empty_lines, dtype=bool)])
        return cls(tags, line_doc, len(tags) - len(trained), int(blank.sum()))

    @classmethod
    def of_run(cls, dictionary, options):
        """The documents of a run with these resolved options."""
        return cls.tagged(dictionary) if options.get("tags") == "first" else cls.by_line(dictionary)

    @classmethod
    def restored(cls, tags, line_doc, dictionary):
        """The documents of a checkpoint: its tags and lines' documents (None: by line) over
        its corpus's ids."""
        if line_doc is None:
            return cls.by_line(dictionary)
        return cls.of_line_docs(list(tags), line_doc, _core.empty_lines(dictionary))

